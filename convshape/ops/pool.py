"""Pooling rules: max / average / LP pooling and adaptive average / max pooling.

Mirrors torch 2.13 on CPU, check by check:

* ``F.max_poolNd`` / ``nn.MaxPoolNd``: ``MaxPooling.cpp`` (``max_pool1d`` without indices),
  ``Pooling.cpp`` (``max_pool1d_with_indices`` and ``avg_pool1d`` run the 2-d kernels on an
  unsqueezed view), ``DilatedMaxPool2d.cpp`` / ``DilatedMaxPool3d.cpp``;
* ``F.avg_poolNd`` / ``nn.AvgPoolNd``: ``AveragePool2d.cpp`` / ``AveragePool3d.cpp``;
* ``pooling_output_shape`` and ``pool2d_shape_check`` / ``pool3d_shape_check`` in ``Pool.h``;
* ``F.lp_poolNd``: ``avg_pool`` on ``x.pow(p)`` with padding 0 (``max_pool`` for p = +-inf);
* adaptive pooling: ``_list_with_default`` in Python, then ``AdaptiveAveragePooling*.cpp`` /
  ``AdaptiveMaxPooling*.cpp``.

Module and functional forms behave the same for every shape: the modules only fill in
``stride = kernel_size`` when it is None, which torch's C++ does too.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from convshape.core import errors as E
from convshape.core.arithmetic import Axis, axis_names, pool_axis, pool_out
from convshape.core.errors import ShapeError, Variant, sizes
from convshape.core.specs import AdaptivePool, Ints, Pool, Shape
from convshape.core.trace import Trace

__all__ = ["infer_adaptive", "infer_pool"]

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


def size_at(shape: Shape, dim: int) -> int:
    """``tensor.size(dim)``, with torch's IndexError when ``dim`` is out of range."""
    rank = len(shape)
    if rank == 0:
        raise E.DIM_NO_DIMENSIONS.error(got=dim)
    if not -rank <= dim < rank:
        raise E.DIM_OUT_OF_RANGE.error(low=-rank, high=rank - 1, got=dim)
    return shape[dim]


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
    if n > 1:
        _unpack(spec.kernel_size, n)
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
    if axis.output <= 0:
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
    checks: list[_LengthCheck] = [
        (args.kernel, (1, n), lambda: E.POOL_KERNEL_LENGTH.error(op=op, n=word)),
        (args.stride, (0, 1, n), lambda: E.POOL_STRIDE_LENGTH.error(op=op, n=word)),
        (args.padding, (1, n), lambda: E.POOL_PADDING_LENGTH.error(op=op, n=word)),
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
    if p > _trunc_div((k - 1) * d + 1, 2):
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
        raise E.POOL3D_EMPTY.error(fn=fn, input=sizes(x), size=size)
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
# Adaptive pooling
# ---------------------------------------------------------------------------------------


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


_Adaptive = Callable[[int, Shape, Ints, str, Trace], Shape]


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
