"""Code and text from where the user put it: a file, stdin ('-'), or the text itself;
and whether a piece of code is a stack rather than one conv-family layer."""

from __future__ import annotations

import ast
import sys
import warnings
from pathlib import Path

from convshape.core.errors import UsageError

__all__ = ["is_stack", "read_source"]


def read_source(path: str) -> str:
    """The text of the file at ``path``; ``'-'`` reads stdin. Raises UsageError naming
    the file when it cannot be read."""
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise UsageError(f"cannot read {path!r}: {reason}") from None


def is_stack(text: str) -> bool:
    """Whether a layer's text is a stack rather than one conv-family layer: an
    nn.Sequential, several layers, or one layer of the non-conv kinds (nn.Linear ...)."""
    from convshape.core.signature import dotted
    from convshape.readers.parse import lookup, module_signature

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "\n" in text.strip()  # a multi-line paste: let the stack reader name the error
    if len(tree.body) != 1:
        return True
    stmt = tree.body[0]
    value = getattr(stmt, "value", None)
    if isinstance(value, ast.Tuple | ast.List):
        return len(value.elts) != 1
    if not isinstance(value, ast.Call):
        return False
    parts = dotted(value.func)
    if parts is None:
        return False
    if parts[-1] == "Sequential":
        return True
    if lookup(parts) is not None:
        return False  # a conv-family layer: the single-layer path
    return module_signature(parts) is not None
