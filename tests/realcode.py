"""Released model code for the tests: torchvision's and timm's installed source trees.

Static lint and ``calc --file`` only read these files. The oracle tests also import them,
to build the models in real torch: PyPI's torchvision registers fake kernels for its
compiled operators at import, and beside the CPU build of torch those operators do not
exist ("operator torchvision::nms does not exist"). :func:`import_torchvision` skips that
one module (it only serves ``torch.compile`` of torchvision's ops); nothing the model
builders use depends on it.
"""

from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path
from typing import Any


def package_dir(name: str) -> Path | None:
    """The installed package's folder, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


TORCHVISION = package_dir("torchvision")
TIMM = package_dir("timm")


def import_torchvision() -> Any:
    """``torchvision`` imported for an oracle test, with its fake-kernel module skipped."""
    sys.modules.setdefault(
        "torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations")
    )
    import torchvision

    return torchvision
