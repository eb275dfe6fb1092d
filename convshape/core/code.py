"""Specs back to PyTorch code: for display, fixes and runnable reproductions.

Each op family writes its own layers (``OpFamily.code``); this module holds the pieces
they share and the reproduction script, built from the family's :class:`TorchCall`.
"""

from __future__ import annotations

from convshape.core.registry import family_of
from convshape.core.shapes import Ints, Shape

__all__ = ["ints_code", "kw", "layer_code", "repro_script"]


def ints_code(values: Ints, dims: int) -> str:
    """Per-axis values as written: ``3`` when every axis has that value, else a tuple."""
    if len(values) == dims and len(set(values)) == 1:
        return str(values[0])
    return repr(tuple(values))


def kw(name: str, value: str, default: str | None) -> list[str]:
    """``[name=value]``, or nothing when the value is the default."""
    return [] if value == default else [f"{name}={value}"]


def layer_code(spec: object) -> str:
    """``nn.Conv2d(16, 32, 3, padding=1)`` or ``F.conv2d(x, w, padding=1)`` for a spec."""
    return family_of(spec).code(spec)


def repro_script(spec: object, shape: Shape) -> str:
    """A self-contained Python script that runs the layer on torch."""
    call = family_of(spec).torch(spec)
    lines = [
        "import torch",
        "import torch.nn as nn",
        "import torch.nn.functional as F",
        "",
        f"x = torch.empty({tuple(shape)!r})",
    ]
    for name, tensor in zip("wb", call.tensors, strict=False):
        if tensor is not None:
            lines.append(f"{name} = torch.empty({tuple(tensor)!r})")
    expr = layer_code(spec)
    if call.module:
        forward = "".join(f", {k}={v!r}" for k, v in call.forward.items())
        expr = f"{expr}(x{forward})"
    lines.append(f"print({expr}{'[0]' if call.indexed else ''}.shape)")
    return "\n".join(lines) + "\n"
