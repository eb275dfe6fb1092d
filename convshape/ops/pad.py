"""F.pad with a non-constant mode, as nn.ConvNd applies it for ``padding_mode``.

Mirrors ``PadNd.cpp`` (``_pad_enum``), ``ReflectionPad.cpp``, ``ReplicationPadding.cpp`` and
``_pad_circular`` on CPU. ``pad`` is in F.pad order: last axis first, (left, right) pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

from convshape.core import errors as E
from convshape.core.errors import sizes
from convshape.core.shapes import Shape

__all__ = ["pad_shape"]

_LETTERS = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}


def pad_shape(shape: Shape, pad: Sequence[int], mode: str) -> Shape:
    """The shape F.pad(x, pad, mode) returns, or torch's error for it."""
    rank = len(shape)
    if len(pad) > 2 * rank:
        raise E.PAD_LENGTH.error(pad=len(pad), idim=rank)
    n = len(pad) // 2
    if n not in (1, 2, 3) or rank not in (n + 1, n + 2):
        raise E.PAD_RANK.error(pad=len(pad), idim=rank)
    lead = rank - n
    pairs = [(pad[2 * (n - 1 - i)], pad[2 * (n - 1 - i) + 1]) for i in range(n)]  # first axis first
    sizes_in = shape[lead:]
    out = tuple(s + left + right for s, (left, right) in zip(sizes_in, pairs, strict=True))
    if mode == "circular":
        for s, (left, right), o in zip(sizes_in, pairs, out, strict=True):
            if left > s or right > s:
                raise E.CIRCULAR_WRAP.error()
            if o < 0:
                raise E.CIRCULAR_NEGATIVE.error()
        return shape[:lead] + out

    non_batch = shape[1:] if rank == n + 2 else shape
    if 0 in non_batch:
        raise E.PAD_EMPTY_INPUT.error(r=n + 1, r1=n + 2, input=sizes(shape))
    if mode == "reflect":
        for i in reversed(range(n)):
            left, right = pairs[i]
            if not (left < sizes_in[i] and right < sizes_in[i]):
                raise E.REFLECT_PAD_TOO_BIG.error(
                    arg=4 + 2 * (n - 1 - i),
                    left=left,
                    right=right,
                    dim=lead + i,
                    input=sizes(shape),
                )
    full = shape[:lead] + out
    if n > 1 and not all(o < 1 for o in out):  # 2-d and 3-d kernels only check "all < 1"
        for v in full:
            if v < 0:
                if mode == "reflect" and n == 2:
                    raise E.PAD_NUMEL_OVERFLOW.error()
                raise E.NEGATIVE_DIMENSION.error(value=v, shape=sizes(full))
        return full
    if any(o < 1 for o in out):
        letters = _LETTERS[n]
        if n == 1:
            given = f"W: {sizes_in[0]}"
        elif n == 2:
            space = " " if mode == "replicate" else ""
            given = f"H: {sizes_in[0]}, W: {sizes_in[1]}{space}"
        else:
            given = f"D: {sizes_in[0]} H: {sizes_in[1]}, W: {sizes_in[2]}"
        calc = " ".join(f"{a}: {o}" for a, o in zip(letters, out, strict=True))
        raise E.PAD_OUTPUT_TOO_SMALL.error(input=given, output=calc)
    return full
