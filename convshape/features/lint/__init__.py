"""``convshape lint``: shape linting for CI.

Static mode (the default) reads Python files with :mod:`ast` and follows the layers they
define (:mod:`convshape.features.lint.extract`); it never imports or runs them and needs
no torch. Model mode (:mod:`convshape.features.lint.model`) imports the factories the user
names and runs them on torch's meta device. Importing this package imports neither.

>>> from convshape.features.lint import lint_source
>>> src = "import torch.nn as nn\\nnet = nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(16, 8, 3))\\n"
>>> [f"{f.line}:{f.col} {f.code}" for f in lint_source(src)]
['2:41 CS112']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from convshape.features.lint.static import LintRun, discover, lint_paths, lint_source
    from convshape.features.lint.values import Finding

__all__ = ["Finding", "LintRun", "discover", "lint_paths", "lint_source"]


def __getattr__(name: str) -> Any:
    if name in ("LintRun", "discover", "lint_paths", "lint_source"):
        from convshape.features.lint import static

        return getattr(static, name)
    if name == "Finding":
        from convshape.features.lint.values import Finding

        return Finding
    raise AttributeError(f"module 'convshape.features.lint' has no attribute {name!r}")
