"""Padding: F.pad's shape rule (:func:`pad_shape`, shared with nn.ConvNd's
``padding_mode``) and the padding modules ``nn.{Zero,Constant,Reflection,Replication,
Circular}Pad{1,2,3}d``.

Mirrors ``PadNd.cpp`` (``_pad_enum``, ``constant_pad_nd``), ``ReflectionPad.cpp``,
``ReplicationPadding.cpp`` and ``_pad_circular`` on CPU. ``pad`` is in F.pad order: last
axis first, (left, right) pairs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, cast

from convshape.core import errors as E
from convshape.core.arithmetic import identity_window
from convshape.core.errors import UsageError, sizes
from convshape.core.registry import LAYERS, MetaReleases, OpFamily, TorchCall, Window, register
from convshape.core.releases import Span, current, span
from convshape.core.shapes import Ints, Shape
from convshape.core.signature import Param, Signature
from convshape.core.trace import Env, Trace
from convshape.ops.common import (
    arg,
    built,
    feature_shape,
    module_code,
    rank_text,
    row,
    shift_window,
    wrap_dim,
)

__all__ = ["FAMILY", "Pad", "check_new_sizes", "narrow", "pad_shape"]

_LETTERS = {1: ("W",), 2: ("H", "W"), 3: ("D", "H", "W")}


NEW_DIM_CHECKED = span("-2.9")
"""Releases whose constant_pad_nd refuses an output size <= 0 once any padding is positive."""
MODULES_ADDED: Final[Mapping[str, Span]] = {
    name: span("2.1-")
    for name in ("ZeroPad1d", "ZeroPad3d", *(f"CircularPad{d}d" for d in (1, 2, 3)))
}
"""Padding modules only some releases have (torch.nn lacks them before): the others
exist in every modelled release."""
NARROW_START_WRAPPED = span("-1.13")
"""Releases whose narrow() (constant_pad_nd's cropping) wraps its start like a dim index
and words a length that does not fit as 'start + length exceeds'."""
CIRCULAR_BATCHED = span("-2.0")
"""Releases whose circular padding takes batched inputs only: 2 * (rank - 2) paddings."""
OLD_REFLECT_CHECKS = span("-2.0")
"""Releases whose 1-d and 2-d reflect kernels check that every dimension but the first is
non-zero, batched or not, in their own words (and whose 2-d kernel names the input's rank
where the padding is too large for it)."""
EVERY_DIMENSION = span("2.15-")
EVERY_DIMENSION_REPLICATE = span("2.14-")
"""Releases whose 2-d and 3-d reflect (replicate: from 2.14) kernels check every output
size >= 1 first, in one wording (docs/releases.md)."""


def pad_shape(shape: Shape, pad: Sequence[int], mode: str) -> Shape:
    """The shape F.pad(x, pad, mode) returns, or torch's error for it."""
    rank = len(shape)
    if len(pad) > 2 * rank:
        raise E.PAD_LENGTH.error(pad=len(pad), idim=rank)
    n = len(pad) // 2
    if n not in (1, 2, 3) or rank not in (n + 1, n + 2):
        raise E.PAD_RANK.error(pad=len(pad), idim=rank)
    if mode == "circular" and current() in CIRCULAR_BATCHED and len(pad) + 4 != 2 * rank:
        raise E.CIRCULAR_PAD_SIZE.error(expected=2 * (rank - 2), got=len(pad))
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

    old = mode == "reflect" and n < 3 and current() in OLD_REFLECT_CHECKS
    non_batch = shape[1:] if rank == n + 2 or old else shape
    if 0 in non_batch:
        kind = E.PAD_EMPTY_INPUT_OLD if old else E.PAD_EMPTY_INPUT
        flat = ",".join(map(str, shape))
        raise kind.error(r=n + 1, r1=n + 2, input=sizes(shape), flat=flat)
    if mode == "reflect":
        for i in reversed(range(n)):
            left, right = pairs[i]
            if not (left < sizes_in[i] and right < sizes_in[i]):
                kind = E.REFLECT_PAD_TOO_BIG_RANK if old and n == 2 else E.REFLECT_PAD_TOO_BIG
                raise kind.error(
                    arg=4 + 2 * (n - 1 - i),
                    left=left,
                    right=right,
                    dim=lead + i,
                    input=sizes(shape),
                    idim=rank,
                )
    full = shape[:lead] + out
    every = EVERY_DIMENSION_REPLICATE if mode == "replicate" else EVERY_DIMENSION
    if n > 1 and current() in every and any(o < 1 for o in out):
        letters = _LETTERS[n]
        calc = " ".join(f"{a}: {o}" for a, o in zip(letters, out, strict=True))
        given = ", ".join(f"{a}: {o}" for a, o in zip(letters, sizes_in, strict=True))
        raise E.PAD_OUTPUT_EVERY_DIM.error(input=given, output=calc)
    if n > 1 and not all(o < 1 for o in out):  # 2-d and 3-d kernels only check "all < 1"
        for i, v in enumerate(full):
            if v < 0:
                if mode == "reflect" and n == 2:
                    if 0 in full[:i]:  # numel multiplies from the batch: 0 never overflows
                        return full
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
        small = E.PAD_OUTPUT_TOO_SMALL_OLD if old and n == 2 else E.PAD_OUTPUT_TOO_SMALL
        raise small.error(input=given, output=calc)
    return full


# ---------------------------------------------------------------------------------------
# The padding modules
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pad:
    """``nn.{Zero,Constant,Reflection,Replication,Circular}Pad{1,2,3}d``.

    ``padding`` is in F.pad order (last axis first, ``(left, right)`` pairs), expanded
    from an int the way the module's constructor does.
    """

    kind: str  # 'zero' | 'constant' | 'reflection' | 'replication' | 'circular'
    dims: int
    padding: Ints
    value: float = 0.0

    @property
    def cls(self) -> str:
        return f"{self.kind.capitalize()}Pad{self.dims}d"

    @property
    def op(self) -> str:
        return "pad"


_KINDS: Final = ("zero", "constant", "reflection", "replication", "circular")
_PAD_MODES: Final[Mapping[str, str]] = {
    "reflection": "reflect",
    "replication": "replicate",
    "circular": "circular",
}


def construct_error(spec: Pad) -> E.ShapeError | None:
    """``nn.<cls>`` itself: missing in the releases before it was added."""
    added = MODULES_ADDED.get(spec.cls)
    if added is not None and current() not in added:
        return E.NO_ATTRIBUTE.error(module="torch.nn", name=spec.cls)
    return None


def infer(spec: Pad, shape: Shape, trace: Trace, env: Env) -> Shape:
    built(construct_error(spec))
    E.check_input(shape)
    rank = len(shape)
    if spec.kind == "circular" and rank not in (spec.dims + 1, spec.dims + 2):
        ranks = (spec.dims + 1, spec.dims + 2)
        raise E.BATCHNORM_RANK.error(expected=rank_text(ranks), got=rank)
    pad = spec.padding
    if spec.kind in _PAD_MODES:
        return pad_shape(shape, pad, _PAD_MODES[spec.kind])
    if len(pad) > 2 * rank:
        raise E.PAD_LENGTH.error(pad=len(pad), idim=rank)
    n = len(pad) // 2
    out = list(shape)
    for i in range(rank - n, rank):
        left, right = pad[2 * (rank - i - 1)], pad[2 * (rank - i - 1) + 1]
        size = out[i]
        if left < 0:
            size = narrow(size, -left, size + left)
        if right < 0:
            size = narrow(size, 0, size + right)
        out[i] = size + max(left, 0) + max(right, 0)
    check_new_sizes(shape, pad)
    return tuple(out)


def narrow(size: int, start: int, length: int) -> int:
    """``x.narrow(dim, start, length)`` on an axis of ``size``: the new size, or torch's
    error (the older one in the releases of :data:`NARROW_START_WRAPPED`)."""
    if current() in NARROW_START_WRAPPED:
        if start != size:
            start = wrap_dim(start, size)
        if length < 0 or start > size - length:
            raise E.NARROW_EXCEEDS.error(start=start, length=length, size=size)
    elif length < 0:
        raise E.NARROW_NEGATIVE.error()
    return length


def check_new_sizes(shape: Shape, pad: Sequence[int]) -> None:
    """constant_pad_nd in the releases of :data:`NEW_DIM_CHECKED`: once any padding is
    positive, every padded size must stay above 0 (checked from the first padded axis)."""
    rank, n = len(shape), len(pad) // 2
    if current() not in NEW_DIM_CHECKED or not any(p > 0 for p in pad[: 2 * n]):
        return
    for i in range(rank - n, rank):
        left, right = pad[2 * (rank - i - 1)], pad[2 * (rank - i - 1) + 1]
        if shape[i] + left + right <= 0:
            raise E.PAD_NEW_DIM.error(size=shape[i], left=left, right=right, dim=i)


def _check_pairs(name: str) -> Callable[[Mapping[str, object]], None]:
    def check(v: Mapping[str, object]) -> None:
        pad = v["padding"]
        if isinstance(pad, tuple) and len(pad) % 2:
            raise UsageError(f"{name}: padding={pad!r} needs (left, right) pairs")

    return check


def _pad_row(kind: str, dims: int) -> Signature:
    params: tuple[Param, ...] = (arg("padding", "ints"),)
    if kind == "constant":
        params += (arg("value", "number"),)

    def build(v: Mapping[str, object]) -> Pad:
        pad = cast("int | tuple[int, ...]", v["padding"])
        padding = (pad,) * (2 * dims) if isinstance(pad, int) else tuple(pad)
        return Pad(kind, dims, padding, float(cast(float, v.get("value", 0.0))))

    name = f"nn.{kind.capitalize()}Pad{dims}d"
    what = f"{kind} padding"
    return row(name, params, build, Pad, "pad", what=what, dims=dims, check=_check_pairs(name))


def code(spec: Pad) -> str:
    pad = spec.padding
    whole = len(pad) == 2 * spec.dims and len(set(pad)) == 1  # an int fills every side
    args = [str(pad[0]) if whole else repr(tuple(pad))]
    if spec.kind == "constant":
        args.append(repr(spec.value))
    return module_code(spec.cls, args)


def torch_call(spec: Pad) -> TorchCall:
    padding = tuple(spec.padding)
    args: tuple[object, ...] = (padding, spec.value) if spec.kind == "constant" else (padding,)
    return TorchCall(spec.cls, args)


def window(spec: Pad, shape: Shape, output: Shape, n: int) -> list[Window] | None:
    """Padding shifts each padded axis by its left padding."""
    pad = spec.padding
    result = [identity_window()] * n
    for j in range(len(pad) // 2):  # F.pad order: last axis first
        if j < n:
            result[n - 1 - j] = shift_window(-pad[2 * j])
    return result


def _spatial_rank(spec: Pad) -> int:
    return spec.dims


def _gen(kind: str) -> Callable[[random.Random], tuple[Pad, Shape]]:
    def gen(r: random.Random) -> tuple[Pad, Shape]:
        d = r.randint(1, 3)
        shape = feature_shape(r, r.randint(1, 3), d)
        # Not negative circular padding: next to positive padding it can trip
        # _pad_circular's memory-overlap check, which depends on how its copies alias.
        low = -2 if kind in ("zero", "constant") else 0
        if r.random() < 0.04 and kind != "circular":
            low = -3
        if r.random() < 0.4:
            padding: Ints = (r.randint(low, 3),) * (2 * d)
        else:
            padding = tuple(r.randint(low, 3) for _ in range(2 * d))
        if r.random() < 0.04:
            padding = padding[: 2 * r.randint(0, d)] + (padding[:2] if r.random() < 0.5 else ())
        value = r.choice([0.0, 1.5]) if kind == "constant" else 0.0
        return Pad(kind, d, padding, value), shape

    return gen


META = MetaReleases(
    # meta reflection_pad did not compare the padding with the input
    skips={"CS602": span("-2.0"), "CS898": span("-2.0")},
    checks={"CS875": span("2.14-")},  # meta reflection_pad2d refuses an output size of 0
)
"""What meta does differently from CPU with these layers in some releases (verify)."""


FAMILY = register(
    OpFamily(
        meta=META,
        name="pad",
        rank=15,
        group=LAYERS,
        specs=(Pad,),
        signatures=tuple(_pad_row(kind, d) for kind in _KINDS for d in (1, 2, 3)),
        infer=infer,
        code=code,
        torch=torch_call,
        fuzz={f"{kind}_pad": _gen(kind) for kind in _KINDS},
        window=window,
        spatial_rank=_spatial_rank,
        construct_error=construct_error,
    )
)
