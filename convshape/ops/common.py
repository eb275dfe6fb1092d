"""Pieces the families of layers between convolutions share (norm, activation, linear,
reshape, upsample, pad): signature rows, dim wrapping, code and fuzz helpers.

Not a family itself: it registers nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

import random
from collections.abc import Callable, Mapping
from typing import Any, Final

from convshape.core import errors as E
from convshape.core.arithmetic import identity_window
from convshape.core.errors import ShapeError
from convshape.core.registry import Window
from convshape.core.shapes import Shape
from convshape.core.signature import REQUIRED, Kind, Param, Signature

__all__ = [
    "DEVICE",
    "INPLACE",
    "arg",
    "built",
    "feature_shape",
    "kwarg",
    "module_code",
    "number",
    "pointwise",
    "rank_text",
    "row",
    "size_at",
    "wrap_dim",
]


def arg(name: str, kind: Kind, default: object = REQUIRED, keyword_only: bool = False) -> Param:
    return Param(name, kind, default, keyword_only)


INPLACE: Final = arg("inplace", "bool", False)
DEVICE: Final = (arg("device", "any", None), arg("dtype", "any", None))


def row(
    name: str,
    params: tuple[Param, ...],
    build: Callable[[Mapping[str, object]], Any],
    spec: type,
    family: str,
    *,
    what: str = "",
    dims: int = 0,
    varargs: bool = False,
    check: Callable[[Mapping[str, object]], None] | None = None,
) -> Signature:
    """One module class: ``nn.X``, torch's constructor signature and its spec."""
    return Signature(name, params, build, spec, family, dims, what, varargs=varargs, check=check)


def wrap_dim(dim: int, rank: int) -> int:
    """``maybe_wrap_dim``: a 0-d tensor takes dims -1 and 0."""
    n = max(rank, 1)
    if not -n <= dim < n:
        raise E.DIM_OUT_OF_RANGE.error(low=-n, high=n - 1, got=dim)
    return dim + n if dim < 0 else dim


def size_at(shape: Shape, dim: int) -> int:
    """``tensor.size(dim)``, with torch's IndexError when ``dim`` is out of range."""
    rank = len(shape)
    if rank == 0:
        raise E.DIM_NO_DIMENSIONS.error(got=dim)
    if not -rank <= dim < rank:
        raise E.DIM_OUT_OF_RANGE.error(low=-rank, high=rank - 1, got=dim)
    return shape[dim]


def rank_text(ranks: tuple[int, ...]) -> str:
    return " or ".join(f"{r}D" for r in ranks)


def number(value: float) -> str:
    """A number as Python prints the value the user wrote (``2``, ``1.5``)."""
    return repr(int(value)) if isinstance(value, int) else repr(value)


def built(error: ShapeError | None) -> None:
    """Raise what the module's constructor raises, before the input is looked at."""
    if error is not None:
        raise error


def negative_sizes(shapes: list[Shape]) -> ShapeError | None:
    """The error of allocating parameters of ``shapes`` when one has a negative size."""
    for size in shapes:
        for v in size:
            if v < 0:
                return E.NEGATIVE_DIMENSION.error(value=v, shape=E.sizes(size))
    return None


def kwarg(name: str, value: object, default: object) -> list[str]:
    """``[name=value]`` (repr), or nothing when the value is the default."""
    return [] if value == default else [f"{name}={value!r}"]


def module_code(cls: str, args: list[str]) -> str:
    return f"nn.{cls}({', '.join(args)})"


def pointwise(spec: Any, shape: Shape, output: Shape, n: int) -> list[Window] | None:
    """The window of a layer that keeps every position where it is."""
    return [identity_window()] * n


def shift_window(shift: int) -> Window:
    from fractions import Fraction

    return (Fraction(0), Fraction(1), Fraction(shift))


# ---------------------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------------------


def feature_shape(r: random.Random, channels: int, spatial: int, extra: bool = True) -> Shape:
    """A (batch, channels, *spatial) input, sometimes unbatched, of another rank, with a
    channel count off by one or a zero-size axis (never negative sizes: the input must
    exist, and torch makes it before it builds a module)."""
    if r.random() < 0.05:
        channels = r.choice([0, channels + 1, max(channels - 1, 0)])
    sizes = [0 if r.random() < 0.03 else r.choice([1, 1, 2, 3, 4, 5, 7]) for _ in range(spatial)]
    batch = 0 if r.random() < 0.03 else r.choice([1, 1, 2, 3])
    shape: Shape = (batch, channels, *sizes)
    u = r.random()
    if extra and u < 0.12:
        shape = shape[1:]
    elif extra and u < 0.2:
        shape = (*shape, r.randint(1, 3))
    elif extra and u < 0.25:
        shape = shape[: r.randint(0, len(shape))]
    return shape


def any_shape(r: random.Random, low: int = 0, high: int = 5) -> Shape:
    """A tensor of any small rank (scalars included), sizes 0..6."""
    rank = r.randint(low, high)
    return tuple(0 if r.random() < 0.04 else r.randint(1, 6) for _ in range(rank))
