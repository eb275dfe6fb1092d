"""Layers that move sizes between axes: ``nn.Flatten``, ``nn.Unflatten``,
``nn.PixelShuffle`` and ``nn.PixelUnshuffle``.

Mirrors torch 2.13 on CPU: ``flatten`` (``maybe_wrap_dim``, start after end),
``unflatten`` (``infer_size``), ``pixel_shuffle`` / ``pixel_unshuffle``'s checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, cast

from convshape.core import errors as E
from convshape.core.arithmetic import sliding_window
from convshape.core.errors import UsageError, sizes
from convshape.core.registry import LAYERS, OpFamily, TorchCall, Window, register
from convshape.core.shapes import Ints, Shape
from convshape.core.signature import Signature
from convshape.core.trace import Env, Trace
from convshape.ops.common import any_shape, arg, feature_shape, kwarg, module_code, row, wrap_dim

__all__ = ["FAMILY", "Flatten", "PixelShuffle", "Unflatten"]


@dataclass(frozen=True)
class Flatten:
    """``nn.Flatten(start_dim=1, end_dim=-1)``."""

    start_dim: int = 1
    end_dim: int = -1

    @property
    def cls(self) -> str:
        return "Flatten"

    @property
    def op(self) -> str:
        return "flatten"


@dataclass(frozen=True)
class Unflatten:
    """``nn.Unflatten(dim, unflattened_size)``."""

    dim: int
    unflattened_size: Ints

    @property
    def cls(self) -> str:
        return "Unflatten"

    @property
    def op(self) -> str:
        return "unflatten"


@dataclass(frozen=True)
class PixelShuffle:
    """``nn.PixelShuffle(upscale_factor)``; ``inverse`` for ``nn.PixelUnshuffle``."""

    factor: int
    inverse: bool = False

    @property
    def cls(self) -> str:
        return "PixelUnshuffle" if self.inverse else "PixelShuffle"

    @property
    def op(self) -> str:
        return "pixel_unshuffle" if self.inverse else "pixel_shuffle"


Reshape = Flatten | Unflatten | PixelShuffle


# ---------------------------------------------------------------------------------------
# Shape rules, in torch 2.13's CPU check order
# ---------------------------------------------------------------------------------------


def infer(spec: Reshape, shape: Shape, trace: Trace, env: Env) -> Shape:
    E.check_input(shape)
    if isinstance(spec, Flatten):
        return _flatten(spec, shape)
    if isinstance(spec, Unflatten):
        return _unflatten(spec, shape)
    return _pixel_shuffle(spec, shape)


def _flatten(spec: Flatten, shape: Shape) -> Shape:
    rank = len(shape)
    start = wrap_dim(spec.start_dim, rank)
    end = wrap_dim(spec.end_dim, rank)
    if start > end:
        raise E.FLATTEN_ORDER.error()
    if rank == 0:
        return (1,)
    return (*shape[:start], math.prod(shape[start : end + 1]), *shape[end + 1 :])


def _unflatten(spec: Unflatten, shape: Shape) -> Shape:
    rank = len(shape)
    want = spec.unflattened_size
    if not want:
        raise E.UNFLATTEN_EMPTY.error()
    dim = wrap_dim(spec.dim, rank)
    if rank == 0:
        reason = E.DIM_NO_DIMENSIONS.error(got=dim).message
        raise E.UNFLATTEN_INTERNAL.error(reason=reason)
    size = shape[dim]
    infer_at: int | None = None
    known = 1
    for i, v in enumerate(want):
        if v == -1:
            if infer_at is not None:
                raise E.UNFLATTEN_INTERNAL.error(reason=E.RESHAPE_INFER_TWICE.template)
            infer_at = i
        elif v >= 0:
            known *= v
        else:
            reason = E.INVALID_SHAPE_DIMENSION.error(value=v, index=i, shape=sizes(want)).message
            raise E.UNFLATTEN_INTERNAL.error(reason=reason)
    if size == known or (infer_at is not None and known > 0 and size % known == 0):
        if infer_at is not None and known == 0:
            reason = E.RESHAPE_AMBIGUOUS.error(shape=sizes(want)).message
            raise E.UNFLATTEN_INTERNAL.error(reason=reason)
        filled = list(want)
        if infer_at is not None:
            filled[infer_at] = size // known
        return (*shape[:dim], *filled, *shape[dim + 1 :])
    raise E.UNFLATTEN_SIZES.error(sizes=sizes(want), dim=dim, size=size)


def _pixel_shuffle(spec: PixelShuffle, shape: Shape) -> Shape:
    rank = len(shape)
    if rank < 3:
        raise E.PIXEL_SHUFFLE_RANK.error(op=spec.op, idim=rank)
    r = spec.factor
    if r <= 0:
        name = "downscale_factor" if spec.inverse else "upscale_factor"
        raise E.PIXEL_SHUFFLE_FACTOR.error(op=spec.op, name=name, factor=r)
    *lead, c, h, w = shape
    if not spec.inverse:
        if c % (r * r):
            raise E.PIXEL_SHUFFLE_CHANNELS.error(channels=c, square=r * r)
        return (*lead, c // (r * r), h * r, w * r)
    for what, dim, size in (("height", -2, h), ("width", -1, w)):
        if size % r:
            raise E.PIXEL_UNSHUFFLE_SPATIAL.error(what=what, dim=dim, size=size, factor=r)
    if math.prod(shape) == 0:
        return shape  # pixel_unshuffle returns an empty input unchanged (pixel_shuffle does not)
    return (*lead, c * r * r, h // r, w // r)


# ---------------------------------------------------------------------------------------
# Signatures (torch/nn/modules/flatten.py, pixelshuffle.py)
# ---------------------------------------------------------------------------------------


def _check_unflatten(v: Mapping[str, object]) -> None:
    sizes_ = cast(Ints, v["unflattened_size"])
    if sum(1 for s in sizes_ if s == -1) > 1 or any(s < -1 for s in sizes_):
        raise UsageError(
            f"nn.Unflatten: unflattened_size={sizes_!r} may hold one -1 and sizes >= 0 "
            "(torch fails with an internal error otherwise)"
        )


def _signatures() -> tuple[Signature, ...]:
    return (
        row(
            "nn.Flatten",
            (arg("start_dim", "int", 1), arg("end_dim", "int", -1)),
            lambda v: Flatten(cast(int, v["start_dim"]), cast(int, v["end_dim"])),
            Flatten,
            "flatten",
            what="flattening of a range of axes",
        ),
        row(
            "nn.Unflatten",
            (arg("dim", "int"), arg("unflattened_size", "sizes")),
            lambda v: Unflatten(cast(int, v["dim"]), cast(Ints, v["unflattened_size"])),
            Unflatten,
            "unflatten",
            what="unflattening of one axis",
            check=_check_unflatten,
        ),
        row(
            "nn.PixelShuffle",
            (arg("upscale_factor", "int"),),
            lambda v: PixelShuffle(cast(int, v["upscale_factor"])),
            PixelShuffle,
            "pixel_shuffle",
            what="channels to space",
            dims=2,
        ),
        row(
            "nn.PixelUnshuffle",
            (arg("downscale_factor", "int"),),
            lambda v: PixelShuffle(cast(int, v["downscale_factor"]), inverse=True),
            PixelShuffle,
            "pixel_shuffle",
            what="space to channels",
            dims=2,
        ),
    )


# ---------------------------------------------------------------------------------------
# Back to code, and to torch; in a stack
# ---------------------------------------------------------------------------------------


def code(spec: Reshape) -> str:
    if isinstance(spec, Flatten):
        args = kwarg("start_dim", spec.start_dim, 1) + kwarg("end_dim", spec.end_dim, -1)
    elif isinstance(spec, Unflatten):
        args = [str(spec.dim), repr(tuple(spec.unflattened_size))]
    else:
        args = [str(spec.factor)]
    return module_code(spec.cls, args)


def torch_call(spec: Reshape) -> TorchCall:
    if isinstance(spec, Flatten):
        return TorchCall("Flatten", (spec.start_dim, spec.end_dim))
    if isinstance(spec, Unflatten):
        return TorchCall("Unflatten", (spec.dim, tuple(spec.unflattened_size)))
    return TorchCall(spec.cls, (spec.factor,))


def window(spec: Reshape, shape: Shape, output: Shape, n: int) -> list[Window] | None:
    """Pixel (un)shuffle regroups each axis by its factor; flattening ends the windows."""
    from fractions import Fraction

    if not isinstance(spec, PixelShuffle):
        return None
    r = spec.factor
    if spec.inverse:
        return [sliding_window(r, r, 0)] * n
    return [(Fraction(0), Fraction(1, r), Fraction(0))] * n


def spatial_rank(spec: Reshape) -> int | None:
    return 2 if isinstance(spec, PixelShuffle) else None


# ---------------------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------------------


def _gen_flatten(r: random.Random) -> tuple[Flatten, Shape]:
    return Flatten(r.randint(-4, 3), r.randint(-4, 3)), any_shape(r)


def _gen_unflatten(r: random.Random) -> tuple[Unflatten, Shape]:
    # Not a 0-d input: torch appends its C++ stack trace to the error it raises there,
    # text convshape does not reproduce (the rule still names the error).
    shape = any_shape(r, 1)
    want = [r.choice([1, 2, 3, 4, 6]) for _ in range(r.randint(1, 3))]
    if r.random() < 0.3:
        want[r.randrange(len(want))] = -1
    if shape and r.random() < 0.5:  # a split that fits
        size = shape[r.randrange(len(shape))]
        want = [size] if r.random() < 0.5 else [-1, 1]
    if r.random() < 0.03:
        want = []  # an empty unflattened_size: convshape's refusals stop -1 -1 and < -1
    return Unflatten(r.randint(-4, 3), tuple(want)), shape


def _gen_shuffle(inverse: bool) -> Callable[[random.Random], tuple[PixelShuffle, Shape]]:
    def gen(r: random.Random) -> tuple[PixelShuffle, Shape]:
        f = r.choice([1, 2, 2, 3]) if r.random() > 0.03 else r.choice([0, -1])
        c = r.randint(1, 3) * (1 if inverse else f * f if f > 0 else 1)
        shape = feature_shape(r, c, 2)
        if inverse and r.random() < 0.7:
            shape = (*shape[:-2], *(max(f, 1) * v for v in shape[-2:]))
        return PixelShuffle(f, inverse), shape

    return gen


_FUZZ: Final[Mapping[str, Callable[[random.Random], tuple[Reshape, Shape]]]] = {
    "flatten": _gen_flatten,
    "unflatten": _gen_unflatten,
    "pixel_shuffle": _gen_shuffle(False),
    "pixel_unshuffle": _gen_shuffle(True),
}

FAMILY = register(
    OpFamily(
        name="reshape",
        rank=13,
        group=LAYERS,
        specs=(Flatten, Unflatten, PixelShuffle),
        signatures=_signatures(),
        infer=infer,
        code=code,
        torch=torch_call,
        fuzz=_FUZZ,
        window=window,
        spatial_rank=spatial_rank,
    )
)
