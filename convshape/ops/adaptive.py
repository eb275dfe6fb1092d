"""Adaptive pooling: nn.AdaptiveAvgPoolNd / nn.AdaptiveMaxPoolNd and their F. functions.

Mirrors torch 2.13 on CPU: ``_list_with_default`` in Python, then
``AdaptiveAveragePooling*.cpp`` / ``AdaptiveMaxPooling*.cpp``. Each output position pools
the input window ``[floor(i*L/o), ceil((i+1)*L/o))``, so windows may differ in size.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal, cast

from convshape.core import errors as E
from convshape.core.arithmetic import (
    Axis,
    Sweep,
    at,
    axis_names,
    identity_window,
    numel,
    sliding_window,
)
from convshape.core.errors import sizes
from convshape.core.registry import MetaReleases, OpFamily, TorchCall, Window, register
from convshape.core.releases import current, span
from convshape.core.sampling import input_shape
from convshape.core.shapes import Ints, Shape
from convshape.core.signature import Param, Signature
from convshape.core.trace import Env, Trace

__all__ = ["FAMILY", "AdaptivePool", "infer_adaptive"]


@dataclass(frozen=True)
class AdaptivePool:
    """``nn.AdaptiveAvgPoolNd`` / ``nn.AdaptiveMaxPoolNd``; ``None`` keeps the input size.

    ``scalar`` records an output_size written as one int: torch's Python wrapper skips its
    input-rank check for that form, so the two forms can fail differently.
    """

    kind: Literal["avg", "max"]
    dims: int
    output_size: tuple[int | None, ...]
    return_indices: bool = False
    functional: bool = False
    scalar: bool = False

    @classmethod
    def make(
        cls,
        kind: Literal["avg", "max"],
        dims: int,
        output_size: int | tuple[int | None, ...] | None,
        return_indices: bool = False,
        functional: bool = False,
    ) -> AdaptivePool:
        if isinstance(output_size, tuple):
            return cls(kind, dims, tuple(output_size), return_indices, functional)
        scalar = isinstance(output_size, int)
        return cls(kind, dims, (output_size,) * dims, return_indices, functional, scalar)

    @property
    def op(self) -> str:
        return f"adaptive_{self.kind}_pool{self.dims}d"

    @property
    def cls(self) -> str:
        return f"Adaptive{self.kind.capitalize()}Pool{self.dims}d"


def infer_adaptive(spec: AdaptivePool, shape: Shape, trace: Trace) -> Shape:
    """``nn.AdaptiveAvgPoolNd`` / ``nn.AdaptiveMaxPoolNd`` or their ``F.`` functions."""
    shape = tuple(shape)
    if spec.dims == 1:
        out = _adaptive_1d(spec, shape, trace)
    else:
        size = _list_with_default(spec, shape)
        core = _adaptive_avg if spec.kind == "avg" else _adaptive_max
        out = core(spec.dims, shape, size, spec.op, trace)
    _record_adaptive(trace, spec, shape, out)
    return out


def _list_with_default(spec: AdaptivePool, shape: Shape) -> Ints:
    """``_list_with_default``: None keeps the input size; the input needs a spare leading dim.

    An output_size written as one int skips this Python check and goes straight to C++.
    """
    size = spec.output_size
    if spec.scalar:
        return tuple(v for v in size if v is not None)
    if len(shape) <= len(size):
        raise E.ADAPTIVE_INPUT_DIMENSION.error(n=len(size) + 1)
    defaults = shape[len(shape) - len(size) :]
    return tuple(d if v is None else v for v, d in zip(size, defaults, strict=True))


def _brace(values: Ints) -> str:
    """``{1, -1}``; three values print as ``{a, b,c}`` (torch's own missing space)."""
    text = ", ".join(str(v) for v in values[:2])
    return "{" + text + "".join(f",{v}" for v in values[2:]) + "}"


def _adaptive_avg(n: int, x: Shape, size: Ints, op: str, trace: Trace) -> Shape:
    """``adaptive_avg_pool{2,3}d``: output checks, the all-ones mean shortcut, then input."""
    if len(size) != n:
        raise E.ADAPTIVE_AVG_OUTPUT_LENGTH.error(op=op, n=n)
    if any(v < 0 for v in size):
        raise E.ADAPTIVE_AVG_OUTPUT_NEGATIVE.error(op=op, values=_brace(size))
    if all(v == 1 for v in size):
        rank = len(x)
        if rank < n:  # input.mean((-1, ..., -n)) wraps each dim; a 0-d tensor counts as 1-d
            low = -max(rank, 1)
            raise E.DIM_OUT_OF_RANGE.error(low=low, high=-low - 1, got=low - 1)
        trace.notes.append(
            f"output_size {(1,) * n}: torch takes the mean over the last {n} dims, "
            "skipping the rank and empty-dimension checks"
        )
        return (*x[:-n], *size)
    rank = len(x)
    if n == 3:  # 3-d checks every dim but the first before it looks at the rank
        _check_nonempty(x, op)
    if rank not in (n + 1, n + 2):
        raise E.ADAPTIVE_AVG_RANK.error(op=op, r=n + 1, r1=n + 2, input=sizes(x))
    for i in range(rank - 2, rank) if n == 2 else ():  # 2-d checks only H and W
        if x[i] == 0:
            raise E.ADAPTIVE_EMPTY.error(op=op, input=sizes(x), dim=i)
    return (*x[:-n], *size)


def _adaptive_max(n: int, x: Shape, size: Ints, op: str, trace: Trace) -> Shape:
    """``adaptive_max_pool{2,3}d``: input checks, output length, then the allocation."""
    rank = len(x)
    if rank not in (n + 1, n + 2):
        raise E.ADAPTIVE_MAX_RANK.error(op=op, r=n + 1, r1=n + 2, input=sizes(x))
    _check_nonempty(x, op)
    if len(size) != n:
        raise E.ADAPTIVE_MAX_OUTPUT_LENGTH.error(op=op, n=n)
    out = (*x[:-n], *size)
    for v in out:
        if v < 0:
            raise E.NEGATIVE_DIMENSION.error(value=v, shape=sizes(out))
    return out


def _check_nonempty(x: Shape, op: str) -> None:
    """Every dim but the first must be non-empty (the first is skipped even unbatched)."""
    for i in range(1, len(x)):
        if x[i] == 0:
            raise E.ADAPTIVE_EMPTY.error(op=op, input=sizes(x), dim=i)


MAX_1D_CHECKS_EMPTY = span("2.1-")
"""Releases whose adaptive_max_pool1d checks for empty dimensions itself (the older ones
leave it to adaptive_max_pool2d, on the input viewed as 2-d)."""


def _adaptive_1d(spec: AdaptivePool, x: Shape, trace: Trace) -> Shape:
    """``adaptive_{avg,max}_pool1d``: argument parsing, check1d, then the 2-d op on (1, L)."""
    op = spec.op
    size = _int_list(spec.output_size, op)
    if not 2 <= len(x) <= 3:
        raise E.DIM_RANGE.error(low=2, high=3, idim=len(x), op=op)
    if len(size) != 1:
        raise E.ONE_INT.error(op=op, name="output_size", n=len(size))
    view = (*x[:-1], 1, x[-1])
    if spec.kind == "max":
        if current() in MAX_1D_CHECKS_EMPTY:
            _check_nonempty(x, op)
        out = _adaptive_max(2, view, (1, size[0]), "adaptive_max_pool2d", trace)
    else:
        out = _adaptive_avg(2, view, (1, size[0]), "adaptive_avg_pool2d", trace)
    return (*out[:-2], out[-1])


def _int_list(values: tuple[int | None, ...], op: str) -> Ints:
    """The Python argument parser for ``int[1] output_size``: None is a TypeError."""
    ints: list[int] = []
    for i, v in enumerate(values):
        if v is None:
            if i == 0:
                raise E.ADAPTIVE_NONE_FIRST.error(op=op)
            raise E.ADAPTIVE_NONE_LATER.error(op=op, pos=i + 1)
        ints.append(v)
    return tuple(ints)


def _record_adaptive(trace: Trace, spec: AdaptivePool, shape: Shape, out: Shape) -> None:
    n = spec.dims
    if len(shape) < n or len(out) < n:
        return  # the mean shortcut accepted an input without n spatial dims (0-d, 1-d)
    for i, name in enumerate(axis_names(n)):
        size, o = shape[len(shape) - n + i], out[len(out) - n + i]
        requested = spec.output_size[i] if i < len(spec.output_size) else o
        notes = [f"None keeps the input size {size}"] if requested is None else []
        if o and size:
            notes.append(_window_note(size, o))
        trace.axes.append(Axis(name, size, o, text=(f"output_size[{i}] = {o}", tuple(notes))))


def _window_note(size: int, out: int) -> str:
    """Adaptive windows: ``[floor(i*L/o), ceil((i+1)*L/o))`` for each output ``i``."""
    spans = {-(-(i + 1) * size // out) - (i * size // out) for i in range(min(out, 4096))}
    lo, hi = min(spans), max(spans)
    width = f"{lo}" if lo == hi else f"{lo} to {hi}"
    return f"{out} adaptive windows of {width} inputs each"


# ---------------------------------------------------------------------------------------
# Fast path: adaptive pooling to sizes of at least 1 on an input with no empty dimension
# ---------------------------------------------------------------------------------------


def fast(spec: AdaptivePool, shape: Shape) -> Shape | None:
    n, requested_sizes = spec.dims, spec.output_size
    if len(requested_sizes) != n or not n + 1 <= len(shape) <= n + 2 or min(shape) <= 0:
        return None
    out = list(shape[:-n])
    for size, requested in zip(shape[-n:], requested_sizes):  # noqa: B905 - lengths checked
        if requested is None:
            if n == 1:  # the 1-d ops parse an int list: None is a TypeError
                return None
            out.append(size)
        elif requested >= 1:
            out.append(requested)
        else:
            return None
    return tuple(out)


def infer(spec: AdaptivePool, shape: Shape, trace: Trace, env: Env) -> Shape:
    E.check_input(shape)
    return infer_adaptive(spec, shape, trace)


# ---------------------------------------------------------------------------------------
# Signatures (torch/nn/modules/pooling.py, nn/functional.py)
# ---------------------------------------------------------------------------------------

_INPUT = Param("input", "tensor")
_AVG = (Param("output_size", "size"),)
_MAX = (Param("output_size", "size"), Param("return_indices", "bool", False))


def _builder(
    kind: Literal["avg", "max"], dims: int, functional: bool
) -> Callable[[Mapping[str, object]], AdaptivePool]:
    def build(v: Mapping[str, object]) -> AdaptivePool:
        return AdaptivePool.make(
            kind,
            dims,
            cast("int | tuple[int | None, ...]", v["output_size"]),
            return_indices=cast(bool, v.get("return_indices", False)),
            functional=functional,
        )

    return build


def _signatures() -> tuple[Signature, ...]:
    rows: list[Signature] = []
    for d in (1, 2, 3):
        for kind, params in (("avg", _AVG), ("max", _MAX)):
            what = f"{d}-d adaptive {'average' if kind == 'avg' else 'max'} pooling"
            cls = f"Adaptive{kind.capitalize()}Pool{d}d"
            k = cast(Literal["avg", "max"], kind)
            fam = f"adaptive_{kind}"
            module = _builder(k, d, False)
            rows.append(Signature(f"nn.{cls}", params, module, AdaptivePool, fam, d, what))
            fn = f"F.adaptive_{kind}_pool{d}d"
            function = _builder(k, d, True)
            rows.append(Signature(fn, (_INPUT, *params), function, AdaptivePool, fam, d, what))
    avg1, max1 = "1-d adaptive average pooling", "1-d adaptive max pooling"
    rows.append(
        Signature(
            "torch.adaptive_avg_pool1d",
            (_INPUT, *_AVG),
            _builder("avg", 1, True),
            AdaptivePool,
            "adaptive_avg",
            1,
            avg1,
        )
    )
    rows.append(
        Signature(
            "torch.adaptive_max_pool1d",
            (_INPUT, Param("output_size", "size")),
            _builder("max", 1, True),
            AdaptivePool,
            "adaptive_max",
            1,
            max1,
            fixed=(("return_indices", True),),  # it always returns (output, indices)
        )
    )
    return tuple(rows)


# ---------------------------------------------------------------------------------------
# Back to code, and to torch
# ---------------------------------------------------------------------------------------


def _size(spec: AdaptivePool) -> object:
    return spec.output_size[0] if spec.scalar else spec.output_size


def code(spec: AdaptivePool) -> str:
    one = spec.scalar or (len(spec.output_size) == 1 and spec.output_size[0] is not None)
    size = repr(spec.output_size[0]) if one else repr(spec.output_size)
    extra = ", return_indices=True" if spec.return_indices else ""
    if spec.functional:
        return f"F.{spec.op}(x, {size}{extra})"
    return f"nn.{spec.cls}({size}{extra})"


def torch_call(spec: AdaptivePool) -> TorchCall:
    module = not spec.functional
    name = spec.cls if module else spec.op
    kwargs = {"return_indices": spec.return_indices} if spec.kind == "max" else {}
    return TorchCall(name, (_size(spec),), kwargs, module=module, indexed=spec.return_indices)


# ---------------------------------------------------------------------------------------
# Fuzzing and the receptive-field window
# ---------------------------------------------------------------------------------------


_Gen = Callable[[random.Random], tuple["AdaptivePool", Shape]]


def _gen(kind: Literal["avg", "max"], n: int) -> _Gen:
    def gen(r: random.Random) -> tuple[AdaptivePool, Shape]:
        size: list[int | None] = []
        for _ in range(n if r.random() > 0.03 else n + 1):
            u = r.random()
            size.append(
                None if u < 0.1 else (-1 if u < 0.13 else r.randint(0 if u < 0.16 else 1, 8))
            )
        scalar = r.random() < 0.2 and size[0] is not None
        spec = AdaptivePool(
            kind,
            n,
            (size[0],) * n if scalar else tuple(size),
            return_indices=kind == "max" and r.random() < 0.3,
            functional=r.random() < 0.4,
            scalar=scalar,
        )
        return spec, input_shape(r, n, r.randint(1, 4))

    return gen


def window(spec: AdaptivePool, shape: Shape, output: Shape, n: int) -> list[Window] | None:
    """Even windows only: an axis kept as it is, or pooled in equal, adjacent blocks."""
    size, out = shape[len(shape) - n :], output[len(output) - n :]
    result: list[Window] = []
    for i in range(n):
        if size[i] == out[i]:
            result.append(identity_window())
        elif out[i] > 0 and size[i] % out[i] == 0:
            k = size[i] // out[i]
            result.append(sliding_window(k, k, 0))
        else:
            return None
    return result


def sweeps(spec: AdaptivePool, shape: Shape, axes: tuple[Axis, ...]) -> tuple[Sweep, ...] | None:
    """Uneven windows: output ``i`` pools ``[floor(i*L/o), ceil((i+1)*L/o))``."""
    if len(axes) != spec.dims:
        return None
    return tuple(Sweep(a.name, "adaptive", a.size, a.output) for a in axes)


# ---------------------------------------------------------------------------------------
# What the CPU call costs (verify runs a smaller twin input above a budget)
# ---------------------------------------------------------------------------------------


def reach(spec: AdaptivePool, i: int) -> int:
    return at([v or 0 for v in spec.output_size], i) + 1


def work_bound(spec: AdaptivePool, shape: Shape) -> int:
    n_in, n = numel(shape), spec.dims
    if len(shape) < n + 1:
        return n_in  # torch rejects the rank before computing anything
    area = 1
    for i, size in enumerate(shape[-n:]):
        value = spec.output_size[i] if i < len(spec.output_size) else None
        area *= max(size, 0) if value is None else abs(value)
    return n_in + numel(shape[:-n]) * area


META = MetaReleases(skips={"CS408": span("1.13-")})  # meta accepts zero-size dims
"""What meta does differently from CPU with these layers (verify)."""


FAMILY = register(
    OpFamily(
        meta=META,
        name="adaptive",
        rank=2,
        specs=(AdaptivePool,),
        signatures=_signatures(),
        infer=infer,
        fast=fast,
        code=code,
        torch=torch_call,
        fuzz={f"adaptive_{k}_pool{n}d": _gen(k, n) for k in ("avg", "max") for n in (1, 2, 3)},
        window=window,
        work_bound=work_bound,
        reach=reach,
        sweeps=sweeps,
    )
)
