"""Shapes and per-axis values, as torch normalises them (no op knowledge here)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["Ints", "PaddingMode", "Shape", "ntuple", "shape_text"]

Shape = tuple[int, ...]
Ints = tuple[int, ...]
PaddingMode = str  # 'zeros' | 'reflect' | 'replicate' | 'circular' (anything else is an error)


def ntuple(value: int | Ints, n: int) -> Ints:
    """torch's ``_single``/``_pair``/``_triple``: an int is repeated, a tuple kept."""
    if isinstance(value, int):
        return (value,) * n
    return tuple(value)


def shape_text(shape: Sequence[int] | None) -> str:
    """``(20, 32, 48, 98)``, or ``-`` for no shape."""
    return "-" if shape is None else "(" + ", ".join(map(str, shape)) + ")"
