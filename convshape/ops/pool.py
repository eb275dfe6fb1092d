"""Pooling: max / average / LP pooling, module and functional.

Mirrors torch 2.13 on CPU, check by check:

* ``F.max_poolNd`` / ``nn.MaxPoolNd``: ``MaxPooling.cpp`` (``max_pool1d`` without indices),
  ``Pooling.cpp`` (``max_pool1d_with_indices`` and ``avg_pool1d`` run the 2-d kernels on an
  unsqueezed view), ``DilatedMaxPool2d.cpp`` / ``DilatedMaxPool3d.cpp``;
* ``F.avg_poolNd`` / ``nn.AvgPoolNd``: ``AveragePool2d.cpp`` / ``AveragePool3d.cpp``;
* ``pooling_output_shape`` and ``pool2d_shape_check`` / ``pool3d_shape_check`` in ``Pool.h``;
* ``F.lp_poolNd``: ``avg_pool`` on ``x.pow(p)`` with padding 0 (``max_pool`` for p = +-inf);

Module and functional forms behave the same for every shape: the modules only fill in
``stride = kernel_size`` when it is None, which torch's C++ does too.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, cast

from convshape.core import errors as E
from convshape.core.arithmetic import (
    Axis,
    Sweep,
    at,
    axis_names,
    axis_sweep,
    grown_area,
    most,
    numel,
    pool_axis,
    pool_out,
    sliding_window,
)
from convshape.core.code import ints_code, kw
from convshape.core.errors import ShapeError, Variant, sizes
from convshape.core.registry import MetaReleases, OpFamily, TorchCall, Window, register
from convshape.core.releases import current, span
from convshape.core.sampling import input_shape, per_axis
from convshape.core.shapes import Ints, Shape, ntuple
from convshape.core.signature import Param, Signature
from convshape.core.trace import Env, Trace
from convshape.ops.common import size_at

# ---------------------------------------------------------------------------------------
# The spec
# ---------------------------------------------------------------------------------------

_INT32_MAX = 2**31 - 1


def _pool_plan(spec: Pool) -> tuple[tuple[int, int, int, int], ...] | None:
    """Per-axis ``(k, s, p, d)`` of a max or average pool none of whose own arguments can fail
    torch's checks (lengths, signs, padding at most half the kernel, int32 range); None
    otherwise. LP pooling is average pooling of ``x**p`` without padding."""
    n = spec.dims
    if spec.divisor_override == 0 or len(spec.kernel_size) != n:
        return None
    if spec.kind == "lp" and (spec.norm_type == 0 or spec.norm_type != spec.norm_type):
        return None  # p = 0 raises after the shape is known; NaN is left to the full path
    _kernel, stride, padding, dilation = spec.window_args
    if not len(stride) == len(padding) == len(dilation) == n:
        return None
    axes = tuple(zip(spec.kernel_size, stride, padding, dilation, strict=True))
    for k, s, p, d in axes:
        if not (0 < k <= _INT32_MAX and 0 < s <= _INT32_MAX and 0 < d <= _INT32_MAX):
            return None
        if p < 0 or 2 * p > k:
            return None
    return axes


PoolKind = Literal["max", "avg", "lp"]


def pads(kind: str) -> bool:
    """Whether the kind applies its padding: LP pooling is average pooling of ``x**p``
    without padding (its signature has none)."""
    return kind != "lp"


def dilates(kind: str) -> bool:
    """Whether the kind applies a dilation: only max pooling has one."""
    return kind == "max"


@dataclass(frozen=True)
class Pool:
    """``nn.MaxPoolNd`` / ``nn.AvgPoolNd`` / ``nn.LPPoolNd`` or their ``F.`` functions.

    ``stride == ()`` means ``stride=None``: the stride is the kernel size.
    """

    kind: PoolKind
    dims: int
    kernel_size: Ints
    stride: Ints = ()
    padding: Ints = (0,)
    dilation: Ints = (1,)
    ceil_mode: bool = False
    return_indices: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None
    norm_type: float = 2.0
    functional: bool = False
    plan: tuple[tuple[int, int, int, int], ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", _pool_plan(self))

    @classmethod
    def make(
        cls,
        kind: PoolKind,
        dims: int,
        kernel_size: int | Ints,
        stride: int | Ints | None = None,
        padding: int | Ints = 0,
        dilation: int | Ints = 1,
        ceil_mode: bool = False,
        return_indices: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
        norm_type: float = 2.0,
        functional: bool = False,
    ) -> Pool:
        return cls(
            kind=kind,
            dims=dims,
            kernel_size=ntuple(kernel_size, dims),
            stride=() if stride is None else ntuple(stride, dims),
            padding=ntuple(padding, dims),
            dilation=ntuple(dilation, dims),
            ceil_mode=ceil_mode,
            return_indices=return_indices,
            count_include_pad=count_include_pad,
            divisor_override=divisor_override,
            norm_type=norm_type,
            functional=functional,
        )

    @property
    def op(self) -> str:
        return f"{self.kind}_pool{self.dims}d"

    @property
    def cls(self) -> str:
        return {"max": "MaxPool", "avg": "AvgPool", "lp": "LPPool"}[self.kind] + f"{self.dims}d"

    @property
    def window_args(self) -> tuple[Ints, Ints, Ints, Ints]:
        """(kernel, stride, padding, dilation) as torch applies them: no stride is the
        kernel size; see :func:`pads` and :func:`dilates`."""
        n = self.dims
        padding = self.padding if pads(self.kind) else (0,) * n
        dilation = self.dilation if dilates(self.kind) else (1,) * n
        return self.kernel_size, self.stride or self.kernel_size, padding, dilation


__all__ = ["FAMILY", "Pool", "PoolKind", "dilates", "infer_pool", "pads", "size_at"]

# What other releases do differently here (docs/releases.md), read by the rules below.
PAD_HALF_OF_KERNEL = span("-2.2")
"""pooling_output_shape bounds the padding by half the kernel, not the dilated kernel."""
MAX_POOL_PADDING_TYPO = span("-2.0")
"""Releases whose max_pool2d/3d word a padding of the wrong length 'must be either be'."""
MAX_POOL1D_EMPTY_RETURNS = span("-2.0")
"""Releases whose max_pool1d returns an output of length 0 (later ones raise)."""
LP_POOL_3D = span("2.2-")
"""Releases that have nn.LPPool3d and F.lp_pool3d."""
LP_NORM_CHECKED = span("2.14-")
"""F.lp_poolNd (and nn.LPPoolNd's constructor) refuse norm_type 0 before pooling."""
AVG_POOL2D_INT_RANGE = span("2.11-2.12")
"""avg_pool2d (and avg_pool1d through it) on CPU convert the kernel to an int in
[1, 2**31 - 1], the stride to one in [0, 2**31 - 1] and the padding to an int before its
other checks (probed in 2.12.1)."""
_INT_MAX = 2**31 - 1

_WORDS = {2: "two", 3: "three"}
_Names = tuple[str | None, ...]


@dataclass(frozen=True)
class _Args:
    """Window parameters as torch's C++ receives them (lengths not yet checked)."""

    kernel: Ints
    stride: Ints
    padding: Ints
    dilation: Ints
    ceil_mode: bool


def _trunc_div(a: int, b: int) -> int:
    """C++ integer division: rounds toward zero."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def _expand(values: Ints, n: int) -> Ints:
    """A length-checked parameter: one value fills every axis."""
    return values * n if len(values) == 1 else values


def _labelled(labels: tuple[str, ...], values: Ints) -> str:
    """``kH: 3 kW: 0`` as torch's shape checks print parameter pairs."""
    return " ".join(f"{label}: {v}" for label, v in zip(labels, values, strict=True))


# ---------------------------------------------------------------------------------------
# Max / average / LP pooling
# ---------------------------------------------------------------------------------------


def infer_pool(spec: Pool, shape: Shape, trace: Trace) -> Shape:
    """``nn.MaxPoolNd`` / ``nn.AvgPoolNd`` / ``nn.LPPoolNd`` or their ``F.`` functions."""
    shape = tuple(shape)
    if spec.kind == "lp":
        return _lp_pool(spec, shape, trace)
    args = _Args(spec.kernel_size, spec.stride, spec.padding, spec.dilation, spec.ceil_mode)
    if spec.kind == "max":
        return _max_pool(spec.dims, shape, args, spec.return_indices, trace)
    return _avg_pool(spec.dims, shape, args, spec.divisor_override, trace)


def _lp_pool(spec: Pool, shape: Shape, trace: Trace) -> Shape:
    """``F.lp_poolNd``: unpack the kernel (2-d, 3-d), then pool ``x.pow(p)`` with padding 0."""
    n = spec.dims
    if n == 3 and current() not in LP_POOL_3D:
        module, name = (
            ("torch.nn.functional", "lp_pool3d") if spec.functional else ("torch.nn", "LPPool3d")
        )
        raise E.NO_ATTRIBUTE.error(module=module, name=name)
    checked = spec.norm_type == 0 and current() in LP_NORM_CHECKED
    if checked and not spec.functional:  # nn.LPPoolNd's constructor
        raise E.LP_NORM_ZERO_CHECKED.error(norm=spec.norm_type)
    if n > 1:
        _unpack(spec.kernel_size, n)
    if checked:
        raise E.LP_NORM_ZERO_CHECKED.error(norm=spec.norm_type)
    args = _Args(spec.kernel_size, spec.stride, (0,), (1,), spec.ceil_mode)
    if math.isinf(spec.norm_type):
        trace.notes.append(f"norm_type={spec.norm_type}: torch runs max_pool{n}d on |x| instead")
        return _max_pool(n, shape, args, False, trace)
    if spec.padding != (0,) * len(spec.padding) or spec.dilation != (1,) * len(spec.dilation):
        trace.notes.append("LP pooling takes no padding or dilation: torch pools with 0 and 1")
    out = _avg_pool(n, shape, args, None, trace)
    if spec.norm_type == 0:
        raise E.LP_NORM_ZERO.error()
    return out


def _unpack(values: Ints, n: int) -> None:
    """Python's ``a, b = kernel_size`` (``kw, kh = _pair(kernel_size)`` in lp_pool2d)."""
    if len(values) < n:
        raise E.UNPACK_TOO_FEW.error(expected=n, got=len(values))
    if len(values) > n:
        counted = E.UNPACK_TOO_MANY_COUNTED.error(expected=n, got=len(values))
        variant = Variant(
            counted.exc, counted.message, "Python 3.14 and later also print the count", counted.code
        )
        raise E.UNPACK_TOO_MANY.error(expected=n, variants=(variant,))


def _max_pool(n: int, shape: Shape, args: _Args, return_indices: bool, trace: Trace) -> Shape:
    if n == 1 and not return_indices:
        return _max_pool1d(shape, args, trace)
    if n == 1:
        trace.notes.append("return_indices=True: torch runs max_pool2d on a (1, L) view")
        return _pool1d_as_2d(shape, args, "max_pool1d", trace, _max_pool2d)
    if n == 2:
        return _max_pool2d(shape, args, trace, axis_names(2))
    return _max_pool3d(shape, args, trace)


def _avg_pool(n: int, shape: Shape, args: _Args, divisor: int | None, trace: Trace) -> Shape:
    if n == 1:
        trace.notes.append("avg_pool1d runs avg_pool2d on a (1, L) view")
        return _pool1d_as_2d(shape, args, "avg_pool1d", trace, _avg_pool2d)
    if n == 2:
        return _avg_pool2d(shape, args, trace, axis_names(2), divisor)
    return _avg_pool3d(shape, args, divisor, trace)


def _max_pool1d(x: Shape, args: _Args, trace: Trace) -> Shape:
    """``max_pool1d_impl`` (no indices; taken with autograd too): its own checks and messages."""
    rank = len(x)
    if not ((rank == 2 and x[0] != 0 and x[1] != 0) or (rank == 3 and x[1] != 0 and x[2] != 0)):
        raise E.MAX_POOL1D_INPUT.error(input=sizes(x))
    if len(args.kernel) != 1:
        raise E.MAX_POOL1D_KERNEL_LENGTH.error(n=len(args.kernel))
    if len(args.stride) not in (0, 1):
        raise E.MAX_POOL1D_STRIDE_LENGTH.error(n=len(args.stride))
    if len(args.padding) != 1:
        raise E.MAX_POOL1D_PADDING_LENGTH.error(n=len(args.padding))
    if len(args.dilation) != 1:
        raise E.MAX_POOL1D_DILATION_LENGTH.error(n=len(args.dilation))
    k, p, d = args.kernel[0], args.padding[0], args.dilation[0]
    s = (args.stride or args.kernel)[0]
    if k <= 0:
        raise E.MAX_POOL1D_KERNEL.error(kernel=k)
    if s <= 0:
        raise E.MAX_POOL1D_STRIDE.error(stride=s)
    if p < 0:
        raise E.MAX_POOL1D_PADDING.error(padding=p)
    if p > k // 2:
        raise E.MAX_POOL1D_PADDING_HALF.error(padding=p, kernel=k)
    if d <= 0:
        raise E.MAX_POOL1D_DILATION.error(dilation=d)
    axis = pool_axis("L", x[-1], k, s, p, d, args.ceil_mode)
    trace.axes.append(axis)
    if axis.output < 0 or (axis.output == 0 and current() not in MAX_POOL1D_EMPTY_RETURNS):
        raise E.MAX_POOL1D_OUTPUT.error(output=axis.output)
    return (*x[:-1], axis.output)


_Pool2d = Callable[[Shape, _Args, Trace, _Names], Shape]


def _pool1d_as_2d(x: Shape, args: _Args, op: str, trace: Trace, pool2d: _Pool2d) -> Shape:
    """``avg_pool1d`` / ``max_pool1d_with_indices``: check1d, then the 2-d op on (..., 1, L)."""
    stride = args.stride or args.kernel
    if not 2 <= len(x) <= 3:
        raise E.DIM_RANGE.error(low=2, high=3, idim=len(x), op=op)
    params = [("kernel_size", args.kernel), ("stride", stride), ("padding", args.padding)]
    if op == "max_pool1d":
        params.append(("dilation", args.dilation))
    for name, values in params:
        if len(values) != 1:
            raise E.ONE_INT.error(op=op, name=name, n=len(values))
    view = (*x[:-1], 1, x[-1])
    args2 = _Args(
        (1, args.kernel[0]),
        (1, stride[0]),
        (0, args.padding[0]),
        (1, args.dilation[0] if op == "max_pool1d" else 1),
        args.ceil_mode,
    )
    out = pool2d(view, args2, trace, (None, "L"))
    return (*out[:-2], out[-1])


_INT32 = range(-(2**31), 2**31)
_LengthCheck = tuple[Ints, tuple[int, ...], Callable[[], ShapeError]]


def _check_param_lengths(checks: list[_LengthCheck]) -> None:
    """Each parameter in turn: its length, then ``safe_downcast<int>`` of its values."""
    for values, lengths, error in checks:
        if len(values) not in lengths:
            raise error()
        if any(v not in _INT32 for v in values):
            raise E.INT_OVERFLOW.error()


def _check_lengths(op: str, n: int, args: _Args, dilation: bool) -> None:
    """The 2-d / max 3-d parameter checks: one value or n values (stride: or none)."""
    word = _WORDS[n]
    padding = E.POOL_PADDING_LENGTH
    if dilation and current() in MAX_POOL_PADDING_TYPO:
        padding = E.POOL_PADDING_LENGTH_OLD
    checks: list[_LengthCheck] = [
        (args.kernel, (1, n), lambda: E.POOL_KERNEL_LENGTH.error(op=op, n=word)),
        (args.stride, (0, 1, n), lambda: E.POOL_STRIDE_LENGTH.error(op=op, n=word)),
        (args.padding, (1, n), lambda: padding.error(op=op, n=word)),
    ]
    if dilation:
        checks.append((args.dilation, (1, n), lambda: E.POOL_DILATION_LENGTH.error(op=op, n=word)))
    _check_param_lengths(checks)


def _params(n: int, args: _Args) -> tuple[Ints, Ints, Ints, Ints]:
    """Kernel, stride, padding, dilation with one value per axis (stride None -> kernel)."""
    kernel = _expand(args.kernel, n)
    stride = _expand(args.stride, n) if args.stride else kernel
    return kernel, stride, _expand(args.padding, n), _expand(args.dilation, n)


def _output_size(size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> int:
    """``pooling_output_shape``: its three checks, then the (ceil-aware) formula."""
    if s == 0:
        raise E.POOL_STRIDE_ZERO.error()
    if p < 0:
        raise E.POOL_PAD_NEGATIVE.error(pad=p)
    if p > _trunc_div(k if current() in PAD_HALF_OF_KERNEL else (k - 1) * d + 1, 2):
        raise E.POOL_PAD_HALF_EFFECTIVE.error(pad=p, kernel=k, dilation=d)
    return pool_out(size, k, s, p, d, ceil_mode)


def _output_sizes(spatial: Shape, params: tuple[Ints, Ints, Ints, Ints], ceil: bool) -> Ints:
    kernel, stride, padding, dilation = params
    return tuple(
        _output_size(spatial[i], kernel[i], stride[i], padding[i], dilation[i], ceil)
        for i in range(len(spatial))
    )


def _check_positive(n: int, params: tuple[Ints, Ints, Ints, Ints]) -> None:
    """The kernel / stride / dilation checks at the top of ``pool{2,3}d_shape_check``."""
    kernel, stride, _padding, dilation = params
    axes = ("T", "H", "W")[3 - n :]
    if any(v <= 0 for v in kernel):
        raise E.KERNEL_ZERO_SLOW.error(kernel=_labelled(tuple(f"k{a}" for a in axes), kernel))
    if any(v <= 0 for v in stride):
        raise E.POOL_STRIDE_NONPOSITIVE.error(
            stride=_labelled(tuple(f"d{a}" for a in axes), stride)
        )
    if any(v <= 0 for v in dilation):
        labels = tuple(f"dilation{a}" for a in axes)
        raise E.DILATION_ZERO_THNN.error(dilation=_labelled(labels, dilation))


def _record(
    trace: Trace,
    names: _Names,
    spatial: Shape,
    params: tuple[Ints, Ints, Ints, Ints],
    ceil_mode: bool,
) -> None:
    kernel, stride, padding, dilation = params
    for i, name in enumerate(names):
        if name is not None:
            trace.axes.append(
                pool_axis(
                    name, spatial[i], kernel[i], stride[i], padding[i], dilation[i], ceil_mode
                )
            )


def _too_small(x: Shape, n: int, outs: Ints) -> ShapeError:
    planes = x[-n - 1]
    return E.POOL_OUTPUT_TOO_SMALL.error(
        input="x".join(str(v) for v in (planes, *x[-n:])),
        output="x".join(str(v) for v in (planes, *outs)),
    )


def _shape_check_2d(
    x: Shape,
    params: tuple[Ints, Ints, Ints, Ints],
    outs: Ints,
    trace: Trace,
    names: _Names,
    ceil_mode: bool,
) -> None:
    """``pool2d_shape_check`` (contiguous memory format)."""
    _check_positive(2, params)
    rank = len(x)
    valid = x[1] != 0 and x[2] != 0
    if not ((rank == 3 and x[0] != 0 and valid) or (rank == 4 and valid and x[3] != 0)):
        raise E.POOL2D_INPUT.error(input=sizes(x))
    kernel, _stride, padding, _dilation = params
    if any(p > k // 2 for k, p in zip(kernel, padding, strict=True)):
        raise E.POOL2D_PAD_HALF.error(padW=padding[1], padH=padding[0], kW=kernel[1], kH=kernel[0])
    _record(trace, names, x[-2:], params, ceil_mode)
    if any(o < 1 for o in outs):
        raise _too_small(x, 2, outs)


def _max_pool2d(x: Shape, args: _Args, trace: Trace, names: _Names) -> Shape:
    """``max_pool2d_with_indices`` (also what ``max_pool2d`` runs on CPU)."""
    _check_lengths("max_pool2d", 2, args, dilation=True)
    if len(x) not in (3, 4):
        raise E.POOL_RANK.error(r=3, r1=4)
    params = _params(2, args)
    outs = _output_sizes(x[-2:], params, args.ceil_mode)
    _shape_check_2d(x, params, outs, trace, names, args.ceil_mode)
    return (*x[:-2], *outs)


def _avg_pool2d(
    x: Shape, args: _Args, trace: Trace, names: _Names, divisor: int | None = None
) -> Shape:
    """``avg_pool2d``: no rank check of its own, so a 2-d input fails reading ``size(-3)``."""
    _check_lengths("avg_pool2d", 2, args, dilation=False)
    if current() in AVG_POOL2D_INT_RANGE and (
        any(not 1 <= k <= _INT_MAX for k in args.kernel)
        or any(not 0 <= s <= _INT_MAX for s in args.stride)
        or any(not -_INT_MAX - 1 <= p <= _INT_MAX for p in args.padding)
    ):
        raise E.AVG_POOL_INTEGER_RANGE.error()
    if divisor == 0:
        raise E.DIVISOR_ZERO.error()
    size_at(x, -3)
    params = _params(2, _Args(args.kernel, args.stride, args.padding, (1,), args.ceil_mode))
    outs = _output_sizes(x[-2:], params, args.ceil_mode)
    _shape_check_2d(x, params, outs, trace, names, args.ceil_mode)
    return (*x[:-2], *outs)


def _shape_check_3d(
    x: Shape,
    params: tuple[Ints, Ints, Ints, Ints],
    outs: Ints,
    fn: str,
    check_input_size: bool,
) -> None:
    """``pool3d_shape_check``; avg_pool3d also wants the input at least the kernel size."""
    _check_positive(3, params)
    for i, size in enumerate(x):
        if (len(x) == 5 and i == 0) or size > 0:
            continue
        raise E.POOL3D_EMPTY.error(fn=fn, input=sizes(x), size=size, index=i)
    kernel, _stride, padding, _dilation = params
    t, h, w = x[-3:]
    if check_input_size and not (t >= kernel[0] and h >= kernel[1] and w >= kernel[2]):
        raise E.AVG_POOL3D_INPUT_SMALL.error(
            T=t, H=h, W=w, kT=kernel[0], kH=kernel[1], kW=kernel[2]
        )
    if any(p > k // 2 for k, p in zip(kernel, padding, strict=True)):
        raise E.POOL3D_PAD_HALF.error(
            kT=kernel[0],
            kW=kernel[2],
            kH=kernel[1],
            padT=padding[0],
            padW=padding[2],
            padH=padding[1],
        )


def _pool3d_tail(
    x: Shape,
    args: _Args,
    params: tuple[Ints, Ints, Ints, Ints],
    fn: str,
    trace: Trace,
) -> Shape:
    outs = _output_sizes(x[-3:], params, args.ceil_mode)
    _shape_check_3d(x, params, outs, fn, check_input_size=fn.startswith("avg"))
    _record(trace, axis_names(3), x[-3:], params, args.ceil_mode)
    if any(o < 1 for o in outs):
        raise _too_small(x, 3, outs)
    return (*x[:-3], *outs)


def _max_pool3d(x: Shape, args: _Args, trace: Trace) -> Shape:
    _check_lengths("max_pool3d", 3, args, dilation=True)
    if len(x) not in (4, 5):
        raise E.POOL_RANK.error(r=4, r1=5)
    params = _params(3, args)
    return _pool3d_tail(x, args, params, "max_pool3d_with_indices_out_cpu_template()", trace)


def _avg_pool3d(x: Shape, args: _Args, divisor: int | None, trace: Trace) -> Shape:
    _check_param_lengths(
        [
            (args.kernel, (1, 3), E.AVG_POOL3D_KERNEL_LENGTH.error),
            (args.stride, (0, 1, 3), E.AVG_POOL3D_STRIDE_LENGTH.error),
            (args.padding, (1, 3), E.AVG_POOL3D_PADDING_LENGTH.error),
        ]
    )
    if len(x) not in (4, 5):
        raise E.POOL_RANK.error(r=4, r1=5)
    if divisor == 0:
        raise E.DIVISOR_ZERO.error()
    params = _params(3, _Args(args.kernel, args.stride, args.padding, (1,), args.ceil_mode))
    return _pool3d_tail(x, args, params, "avg_pool3d()", trace)


# ---------------------------------------------------------------------------------------
# Fast path: a valid max or average pool on an input with no empty dimension
# ---------------------------------------------------------------------------------------


def fast(spec: Pool, shape: Shape) -> Shape | None:
    """The output of a max/avg pool whose arguments passed every check in advance
    (``spec.plan``) on an input with no empty dimension, or None for the full path."""
    plan = spec.plan
    n = spec.dims
    if plan is None or not n + 1 <= len(shape) <= n + 2 or min(shape) <= 0:
        return None
    ceil = spec.ceil_mode
    input_check = spec.kind != "max" and n == 3  # avg_pool3d: input >= kernel, padding aside
    out = list(shape[:-n])
    for size, (k, s, p, d) in zip(shape[-n:], plan):  # noqa: B905 - lengths checked
        if input_check and size < k:
            return None
        o = pool_out(size, k, s, p, d, ceil)
        if o < 1:
            return None
        out.append(o)
    return tuple(out)


def infer(spec: Pool, shape: Shape, trace: Trace, env: Env) -> Shape:
    E.check_input(shape)
    return infer_pool(spec, shape, trace)


# ---------------------------------------------------------------------------------------
# Signatures, in torch 2.13's positional order (torch/nn/modules/pooling.py, functional.py)
# ---------------------------------------------------------------------------------------

_INPUT = Param("input", "tensor")
_MAX_MODULE = (
    Param("kernel_size", "ints"),
    Param("stride", "opt_ints", None),
    Param("padding", "ints", 0),
    Param("dilation", "ints", 1),
    Param("return_indices", "bool", False),
    Param("ceil_mode", "bool", False),
)
_MAX_FUNCTION = (  # F.max_poolNd: ceil_mode comes before return_indices
    _INPUT,
    Param("kernel_size", "ints"),
    Param("stride", "opt_ints", None),
    Param("padding", "ints", 0),
    Param("dilation", "ints", 1),
    Param("ceil_mode", "bool", False),
    Param("return_indices", "bool", False),
)
_MAX_TORCH = _MAX_FUNCTION[:-1]  # torch.max_poolNd has no return_indices
_AVG1_MODULE = (
    Param("kernel_size", "ints"),
    Param("stride", "opt_ints", None),
    Param("padding", "ints", 0),
    Param("ceil_mode", "bool", False),
    Param("count_include_pad", "bool", True),
)
_AVG_MODULE = (*_AVG1_MODULE, Param("divisor_override", "opt_int", None))
_LP_MODULE = (
    Param("norm_type", "float"),
    Param("kernel_size", "ints"),
    Param("stride", "opt_ints", None),
    Param("ceil_mode", "bool", False),
)

_IntOrInts = int | Ints
_WHAT = {"max": "max pooling", "avg": "average pooling", "lp": "power-average (LP) pooling"}


def _builder(kind: PoolKind, dims: int, functional: bool) -> Callable[[Mapping[str, object]], Pool]:
    def build(v: Mapping[str, object]) -> Pool:
        return Pool.make(
            kind,
            dims,
            kernel_size=cast(_IntOrInts, v["kernel_size"]),
            stride=cast("_IntOrInts | None", v["stride"]),
            padding=cast(_IntOrInts, v.get("padding", 0)),
            dilation=cast(_IntOrInts, v.get("dilation", 1)),
            ceil_mode=cast(bool, v["ceil_mode"]),
            return_indices=cast(bool, v.get("return_indices", False)),
            count_include_pad=cast(bool, v.get("count_include_pad", True)),
            divisor_override=cast("int | None", v.get("divisor_override")),
            norm_type=float(cast(float, v.get("norm_type", 2.0))),
            functional=functional,
        )

    return build


def _signatures() -> tuple[Signature, ...]:
    rows: list[Signature] = []

    def add(name: str, kind: PoolKind, d: int, params: tuple[Param, ...]) -> None:
        functional = not name.startswith("nn.")
        what = f"{d}-d {_WHAT[kind]}"
        rows.append(Signature(name, params, _builder(kind, d, functional), Pool, kind, d, what))

    for d in (1, 2, 3):
        avg = _AVG1_MODULE if d == 1 else _AVG_MODULE
        add(f"nn.MaxPool{d}d", "max", d, _MAX_MODULE)
        add(f"nn.AvgPool{d}d", "avg", d, avg)
        add(f"nn.LPPool{d}d", "lp", d, _LP_MODULE)
        add(f"F.max_pool{d}d", "max", d, _MAX_FUNCTION)
        add(f"F.avg_pool{d}d", "avg", d, (_INPUT, *avg))
        add(f"F.lp_pool{d}d", "lp", d, (_INPUT, *_LP_MODULE))
        # the torch namespace: torch.max_pool2d is not F.max_pool2d (no return_indices)
        add(f"torch.max_pool{d}d", "max", d, _MAX_TORCH)
    add("torch.avg_pool1d", "avg", 1, (_INPUT, *_AVG1_MODULE))
    return tuple(rows)


# ---------------------------------------------------------------------------------------
# Back to code, and to torch
# ---------------------------------------------------------------------------------------


def code(spec: Pool) -> str:
    n = spec.dims
    args = []
    if spec.kind == "lp":
        args.append(repr(spec.norm_type))
    args.append(ints_code(spec.kernel_size, n))
    if spec.stride:
        args.append(f"stride={ints_code(spec.stride, n)}")
    if spec.kind != "lp":
        args += kw("padding", ints_code(spec.padding, n), "0")
    if spec.kind == "max":
        args += kw("dilation", ints_code(spec.dilation, n), "1")
        args += kw("return_indices", str(spec.return_indices), "False")
    args += kw("ceil_mode", str(spec.ceil_mode), "False")
    if spec.kind == "avg":
        args += kw("count_include_pad", str(spec.count_include_pad), "True")
        args += kw("divisor_override", str(spec.divisor_override), "None")
    if spec.functional:
        return f"F.{spec.op}(x, {', '.join(args)})"
    return f"nn.{spec.cls}({', '.join(args)})"


def _lp_kernel(spec: Pool) -> int | Ints:
    """LPPool1d takes an int kernel_size (lp_pool1d multiplies by it; a tuple is a TypeError)."""
    kernel = spec.kernel_size
    if spec.dims == 1 and len(kernel) == 1:
        return kernel[0]
    return kernel


def torch_call(spec: Pool) -> TorchCall:
    stride = spec.stride if spec.stride else None
    module = not spec.functional
    name = spec.cls if module else spec.op
    indexed = spec.return_indices
    args: tuple[object, ...]
    if spec.kind == "max":
        kwargs = dict(ceil_mode=spec.ceil_mode, return_indices=spec.return_indices)
        args = (spec.kernel_size, stride, spec.padding, spec.dilation)
        return TorchCall(name, args, kwargs, module=module, indexed=indexed)
    if spec.kind == "avg":
        avg: dict[str, object] = dict(
            ceil_mode=spec.ceil_mode, count_include_pad=spec.count_include_pad
        )
        if spec.dims > 1:
            avg["divisor_override"] = spec.divisor_override
        return TorchCall(name, (spec.kernel_size, stride, spec.padding), avg, module=module)
    if module:
        args = (spec.norm_type, _lp_kernel(spec), stride, spec.ceil_mode)
        return TorchCall(name, args, module=True)
    args = (spec.norm_type, _lp_kernel(spec), stride)
    return TorchCall(name, args, {"ceil_mode": spec.ceil_mode}, module=False)


# ---------------------------------------------------------------------------------------
# Fuzzing and the receptive-field window
# ---------------------------------------------------------------------------------------


def _gen(kind: PoolKind, n: int) -> Callable[[random.Random], tuple[Pool, Shape]]:
    def gen(r: random.Random) -> tuple[Pool, Shape]:
        kernel = per_axis(r, n, 1, 4)
        stride: Ints = () if r.random() < 0.3 else per_axis(r, n, 1, 3)
        padding = per_axis(r, n, 0, 2) if kind != "lp" else (0,)
        dilation = per_axis(r, n, 1, 2) if kind == "max" else (1,)
        spec = Pool(
            kind,
            n,
            kernel,
            stride,
            padding,
            dilation,
            ceil_mode=r.random() < 0.4,
            return_indices=kind == "max" and r.random() < 0.2,
            count_include_pad=r.random() < 0.7,
            divisor_override=(
                r.choice([None, None, None, 2, 0]) if kind == "avg" and n > 1 else None
            ),
            norm_type=2.0,
            functional=r.random() < 0.4,
        )
        return spec, input_shape(r, n, r.randint(1, 4))

    return gen


def window(spec: Pool, shape: Shape, output: Shape, n: int) -> list[Window] | None:
    kernel, stride, padding, dilation = spec.window_args
    return [
        sliding_window(dilation[i] * (kernel[i] - 1) + 1, stride[i], padding[i]) for i in range(n)
    ]


# ---------------------------------------------------------------------------------------
# What the CPU call costs (verify runs a smaller twin input above a budget)
# ---------------------------------------------------------------------------------------


def reach(spec: Pool, i: int) -> int:
    stride = spec.stride or spec.kernel_size
    k = at(spec.kernel_size, i) * at(spec.dilation, i)
    return k + 2 * at(spec.padding, i) + at(stride, i) + 1


def work(spec: Pool, shape: Shape, output: Shape) -> int:
    return numel(shape) + numel(output) * numel(spec.kernel_size)


def work_bound(spec: Pool, shape: Shape) -> int:
    grown = grown_area(shape, spec.dims, 1, 2 * most(spec.padding) + 1)
    if grown is None:
        return numel(shape)
    lead, area = grown
    return numel(shape) + numel(lead) * area * numel([abs(v) for v in spec.kernel_size])


def sweeps(spec: Pool, shape: Shape, axes: tuple[Axis, ...]) -> tuple[Sweep, ...] | None:
    """The worked axes as sweeps; where torch stopped before the arithmetic (a kernel,
    stride or dilation below 1, padding over half the kernel), the sweeps the arguments
    would make, so the picture shows why."""
    n = spec.dims
    found = [axis_sweep(a) for a in axes]
    if len(found) == n and None not in found:
        return tuple(f for f in found if f is not None)
    per = [v * n if len(v) == 1 else v for v in spec.window_args]
    if len(shape) not in (n + 1, n + 2) or any(len(v) != n for v in per):
        return None
    result = []
    for i, name in enumerate(axis_names(n)):
        k, s, p, d = (v[i] for v in per)
        size = shape[-n + i]
        out = pool_out(size, k, s, p, d, spec.ceil_mode) if s > 0 else 0
        result.append(Sweep(name, "slide", size, out, k, s, (p, p), d, ceil_mode=spec.ceil_mode))
    return tuple(result)


META = MetaReleases(
    skips={"CS321": span("-2.12")},  # meta avg_pool did not check divisor_override
    missing={"aten::max_pool3d_with_indices": span("-2.0")},
)
"""What meta does differently from CPU with these layers in some releases (verify)."""


FAMILY = register(
    OpFamily(
        meta=META,
        name="pool",
        rank=1,
        specs=(Pool,),
        signatures=_signatures(),
        infer=infer,
        fast=fast,
        code=code,
        torch=torch_call,
        fuzz={
            f"{kind}_pool{n}d": _gen(kind, n) for kind in ("max", "avg", "lp") for n in (1, 2, 3)
        },
        window=window,
        work=work,
        work_bound=work_bound,
        reach=reach,
        sweeps=sweeps,
    )
)
