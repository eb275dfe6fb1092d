"""Convolution rules: nn.ConvNd / nn.ConvTransposeNd and F.convNd / F.conv_transposeNd.

Mirrors torch 2.13 on CPU: ``torch/nn/modules/conv.py`` (constructor, padding_mode,
``_output_padding``), ``Convolution.cpp`` (``batchify``, ``convolution_same``,
``_convolution``, ``check_shape_forward``, ``_select_conv_backend``) and the backend
kernels' own checks (oneDNN versus the slow THNN kernels).
"""

from __future__ import annotations

from itertools import permutations

from convshape.core import errors as E
from convshape.core.arithmetic import (
    Axis,
    axis_names,
    conv_axis,
    conv_transpose_axis,
    conv_transpose_out,
    same_padding,
)
from convshape.core.errors import ShapeError, Variant, py_list, sizes, torch_size
from convshape.core.specs import Conv, ConvCall, Ints, Shape
from convshape.core.trace import Env, Trace
from convshape.ops.pad import pad_shape

__all__ = ["infer_call", "infer_module"]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
PADDING_STRINGS = ("same", "valid")
INT64_MAX = 2**63 - 1


def _set_reprs(items: tuple[str, ...]) -> list[str]:
    """Every order in which Python may print ``set(items)`` (it depends on PYTHONHASHSEED)."""
    return ["{" + ", ".join(repr(x) for x in p) + "}" for p in permutations(items)]


def _hash_order_error(kind: E.ErrorKind, items: tuple[str, ...], **values: object) -> ShapeError:
    first, *rest = _set_reprs(items)
    variants = tuple(
        Variant(
            kind.exc,
            kind.template.format(choices=c, **{k: str(v) for k, v in values.items()}),
            "another PYTHONHASHSEED orders the set differently",
            kind.code,
        )
        for c in rest
    )
    return kind.error(choices=first, variants=variants, **values)


# ---------------------------------------------------------------------------------------
# nn.ConvNd / nn.ConvTransposeNd
# ---------------------------------------------------------------------------------------


def infer_module(spec: Conv, shape: Shape, trace: Trace, env: Env) -> Shape:
    """Constructor checks, weight allocation, then forward (F.pad for padding_mode)."""
    if spec.transposed and spec.padding_mode != "zeros":
        raise E.TRANSPOSE_PADDING_MODE.error(cls=spec.cls)
    if spec.groups <= 0:
        raise E.GROUPS_POSITIVE.error()
    if spec.in_channels % spec.groups:
        raise E.IN_CHANNELS_GROUPS.error()
    if spec.out_channels % spec.groups:
        raise E.OUT_CHANNELS_GROUPS.error()
    if isinstance(spec.padding, str):
        if spec.padding not in PADDING_STRINGS:
            raise _hash_order_error(
                E.MODULE_PADDING_STRING, PADDING_STRINGS, padding=repr(spec.padding)
            )
        if spec.padding == "same" and any(s != 1 for s in spec.stride):
            raise E.MODULE_SAME_STRIDED.error()
    if spec.padding_mode not in PADDING_MODES:
        raise _hash_order_error(E.MODULE_PADDING_MODE, PADDING_MODES, mode=spec.padding_mode)
    weight = spec.weight_shape
    _allocate(weight, trace)
    bias = (spec.out_channels,) if spec.bias else None
    if bias is not None:
        _allocate(bias, trace)

    if spec.transposed:
        if isinstance(spec.padding, str):
            raise E.TRANSPOSE_PADDING_STRING.error(op=spec.op)
        output_padding = _output_padding(spec, shape, spec.padding, trace)
        call = ConvCall(
            spec.dims,
            weight,
            bias,
            spec.stride,
            spec.padding,
            spec.dilation,
            spec.groups,
            True,
            output_padding,
        )
        return infer_call(call, shape, trace, env)

    padding: Ints | str = spec.padding
    if spec.padding_mode != "zeros":
        shape = pad_shape(shape, _reversed_padding_twice(spec), spec.padding_mode)
        trace.notes.append(
            f"padding_mode={spec.padding_mode!r}: F.pad first gives {sizes(shape)}, "
            "then the conv runs with padding=0"
        )
        padding = (0,) * spec.dims
    call = ConvCall(spec.dims, weight, bias, spec.stride, padding, spec.dilation, spec.groups)
    return infer_call(call, shape, trace, env)


def _allocate(shape: Shape, trace: Trace) -> None:
    """``torch.empty(shape)`` as the constructor allocates the weight and bias."""
    for v in shape:
        if v < 0:
            raise E.NEGATIVE_DIMENSION.error(value=v, shape=sizes(shape))
    if 0 in shape and E.ZERO_ELEMENT_WARNING not in trace.warnings:
        trace.warnings.append(E.ZERO_ELEMENT_WARNING)


def _reversed_padding_twice(spec: Conv) -> list[int]:
    """The module's ``_reversed_padding_repeated_twice`` (F.pad order: last axis first)."""
    if isinstance(spec.padding, str):
        pad = [0, 0] * len(spec.kernel_size)
        if spec.padding == "same":
            n = len(spec.kernel_size)
            for d, k, i in zip(spec.dilation, spec.kernel_size, range(n - 1, -1, -1), strict=False):
                total = d * (k - 1)
                pad[2 * i] = total // 2
                pad[2 * i + 1] = total - total // 2
        return pad
    return [p for p in reversed(spec.padding) for _ in range(2)]


def _output_padding(spec: Conv, shape: Shape, padding: Ints, trace: Trace) -> Ints:
    """``_ConvTransposeNd._output_padding``: output_size= turned into output_padding."""
    if spec.output_size is None:
        return spec.output_padding
    n = spec.dims
    rank = len(shape)
    non_spatial = 2 if rank == n + 2 else 1
    requested = list(spec.output_size)
    if len(requested) == non_spatial + n:
        requested = requested[non_spatial:]
    if len(requested) != n:
        raise E.OUTPUT_SIZE_LENGTH.error(n=n, idim=rank, full=non_spatial + n, got=len(requested))
    mins: list[int] = []
    maxs: list[int] = []
    for d in range(n):
        idx = d + non_spatial
        if idx >= rank:
            raise E.DIM_OUT_OF_RANGE.error(low=-rank, high=rank - 1, got=idx)
        for params in (spec.stride, padding, spec.kernel_size, spec.dilation):
            if d >= len(params):
                raise E.TUPLE_INDEX.error()
        low = conv_transpose_out(
            shape[idx], spec.kernel_size[d], spec.stride[d], padding[d], spec.dilation[d]
        )
        mins.append(low)
        maxs.append(low + spec.stride[d] - 1)
    for size, low, high in zip(requested, mins, maxs, strict=True):
        if size < low or size > high:
            raise E.OUTPUT_SIZE_RANGE.error(
                requested=py_list(requested),
                min=py_list(mins),
                max=py_list(maxs),
                input=torch_size(shape[2:]),
            )
    chosen = tuple(s - m for s, m in zip(requested, mins, strict=True))
    trace.notes.append(f"output_size={py_list(requested)} selects output_padding={py_list(chosen)}")
    return chosen


# ---------------------------------------------------------------------------------------
# F.convNd / F.conv_transposeNd
# ---------------------------------------------------------------------------------------


def infer_call(spec: ConvCall, shape: Shape, trace: Trace, env: Env) -> Shape:
    n = spec.dims
    if spec.transposed and isinstance(spec.padding, str):
        kind = E.TRANSPOSE_CALL_PADDING_STRING
        positional = kind.template.format(op=spec.op, argument="'padding' (position 5)")
        variant = Variant(kind.exc, positional, "padding passed positionally", kind.code)
        raise kind.error(op=spec.op, argument="'padding'", variants=(variant,))
    # batchify
    if len(shape) not in (n + 1, n + 2):
        raise E.INPUT_RANK.error(unbatched=n + 1, batched=n + 2, op=spec.op, input=sizes(shape))
    batched = len(shape) == n + 2
    x = shape if batched else (1, *shape)

    padding = spec.padding
    output_padding = spec.output_padding
    if isinstance(padding, str):
        if padding == "valid":
            padding, output_padding = (0,), (0,)
        elif padding == "same":
            original = x
            x, padding, output_padding = _same(spec, x, trace)
            if x != original:  # show the arithmetic as the user sees it: asymmetric padding
                out = _convolution(spec, x, padding, output_padding, trace, env)
                trace.axes[-len(out) + 2 :] = _same_axes(spec, original, trace.axes)
                return out if batched else out[1:]
        else:
            raise E.PADDING_STRING.error(padding=padding)
    elif not spec.transposed:
        output_padding = (0,) * n
    out = _convolution(spec, x, padding, output_padding, trace, env)
    return out if batched else out[1:]


def _same_axes(spec: ConvCall, x: Shape, axes: list[Axis]) -> list[Axis]:
    """The axes of an asymmetric 'same' conv on the original input ``x``."""
    done = axes[-(len(x) - 2) :]
    result = []
    for a, size in zip(done, x[2:], strict=True):
        left, right = same_padding(a.kernel, a.dilation)
        result.append(conv_axis(a.name, size, a.kernel, 1, left, right, a.dilation))
    return result


def _same(spec: ConvCall, x: Shape, trace: Trace) -> tuple[Shape, Ints, Ints]:
    """``convolution_same``: checks, then symmetric padding or an F.pad of the input's end."""
    w = spec.weight
    if len(w) <= 2:
        raise E.WEIGHT_RANK.error()
    if spec.groups <= 0:
        raise E.GROUPS_NONPOSITIVE.error()
    if len(w) != len(x):
        raise E.SAME_WEIGHT_INPUT_RANK.error(
            wdim=len(w), weight=sizes(w), idim=len(x), input=sizes(x)
        )
    dim = len(w) - 2
    for name, values in (("stride", spec.stride), ("dilation", spec.dilation)):
        if len(values) not in (dim, 1):
            raise E.SAME_BROADCAST.error(name=name, n=dim)
    if any(s != 1 for s in spec.stride):
        raise E.SAME_STRIDED.error()
    left: list[int] = []
    right: list[int] = []
    for i in range(dim):
        d = spec.dilation[0] if len(spec.dilation) == 1 else spec.dilation[i]
        total = d * (w[i + 2] - 1)
        half = int(total / 2)  # C++ division truncates toward zero
        left.append(half)
        right.append(total - half)
    if left == right:
        return x, tuple(left), (0,) * dim
    if E.SAME_WARNING not in trace.warnings:
        trace.warnings.append(E.SAME_WARNING)
    padded = list(x)
    for i in range(dim):
        delta = right[i] - left[i]
        padded[i + 2] += delta  # a negative delta crops the start; the padding stays left
        if padded[i + 2] < 0:
            raise E.NARROW_NEGATIVE.error()
    trace.notes.append(
        f"'same' padding is asymmetric: torch pads the end of the input first ({sizes(x)} -> "
        f"{sizes(padded)}), then pads both sides equally"
    )
    return tuple(padded), tuple(left), (0,) * dim


def _expand(values: Ints, name: str, dim: int) -> Ints:
    """ParamUtils ``expand_param_if_needed``: one value broadcasts, else the length must fit."""
    if len(values) == 1:
        return values * dim
    if len(values) != dim:
        raise E.PARAM_LENGTH.error(name=name, n=dim, value=sizes(values))
    return values


def _convolution(
    spec: ConvCall, x: Shape, padding: Ints, output_padding: Ints, trace: Trace, env: Env
) -> Shape:
    """``_convolution``: parameter checks, ``check_shape_forward``, then the backend."""
    w = spec.weight
    g = spec.groups
    transposed = spec.transposed
    if len(w) < 3:
        raise E.WEIGHT_RANK.error()
    if g <= 0:
        raise E.GROUPS_NONPOSITIVE.error()
    dim = len(w) - 2
    stride = _expand(spec.stride, "stride", dim)
    padding = _expand(padding, "padding", dim)
    dilation = _expand(spec.dilation, "dilation", dim)
    output_padding = _expand(output_padding, "output_padding", dim)

    # check_shape_forward
    if any(p < 0 for p in padding):
        raise E.NEGATIVE_PADDING.error()
    if any(p < 0 for p in output_padding):
        raise E.NEGATIVE_OUTPUT_PADDING.error()
    if any(s <= 0 for s in stride):
        raise E.NONPOSITIVE_STRIDE.error()
    if any(d < 0 for d in dilation):
        raise E.NEGATIVE_DILATION.error()
    if len(w) != len(x):
        raise E.WEIGHT_INPUT_RANK.error(wdim=len(w), weight=sizes(w), idim=len(x), input=sizes(x))
    if w[0] < g:
        raise E.GROUPS_EXCEED_WEIGHT.error(groups=g, weight=sizes(w))
    if w[0] % g:
        raise E.GROUPS_DIVIDE_WEIGHT.error(groups=g, weight=sizes(w))
    names = axis_names(dim)
    spatial = x[2:]
    if not transposed:
        if x[1] != w[1] * g:
            raise E.CHANNEL_MISMATCH.error(
                groups=g, weight=sizes(w), input=sizes(x), expected=w[1] * g, got=x[1]
            )
        _check_bias(spec.bias, w[0], E.BIAS_SHAPE, w)
        _check_padding_overflow(padding)
        for i in range(dim):
            trace.axes.append(
                conv_axis(
                    names[i], spatial[i], w[i + 2], stride[i], padding[i], padding[i], dilation[i]
                )
            )
        padded = [spatial[i] + 2 * padding[i] for i in range(dim)]
        spans = [dilation[i] * (w[i + 2] - 1) + 1 for i in range(dim)]
        if any(p < k for p, k in zip(padded, spans, strict=True)):
            raise E.KERNEL_TOO_BIG.error(
                padded=" x ".join(map(str, padded)), kernel=" x ".join(map(str, spans))
            )
        outs = [(padded[i] - spans[i]) // stride[i] + 1 for i in range(dim)]
        channels = 0 if x[1] == 0 else w[0]
    else:
        _check_padding_overflow(padding)
        if x[1] != w[0]:
            raise E.TRANSPOSED_CHANNEL_MISMATCH.error(
                weight=sizes(w), input=sizes(x), expected=w[0], got=x[1]
            )
        _check_bias(spec.bias, w[1] * g, E.TRANSPOSED_BIAS_SHAPE, w)
        for i in range(dim):
            trace.axes.append(
                conv_transpose_axis(
                    names[i],
                    spatial[i],
                    w[i + 2],
                    stride[i],
                    padding[i],
                    dilation[i],
                    output_padding[i],
                )
            )
        outs = [
            conv_transpose_out(
                spatial[i], w[i + 2], stride[i], padding[i], dilation[i], output_padding[i]
            )
            for i in range(dim)
        ]
        channels = w[1] * g
    out_shape = (x[0], channels, *outs)

    # _select_conv_backend
    if x[0] == 0 or x[1] == 0:
        if x[0] == 0 and 0 in w[2:]:
            raise E.EMPTY_SELECT.error()
        _check_view(out_shape if dim > 1 else (*out_shape[:2], 1, out_shape[2]))
        trace.notes.append("zero batch or zero channels: torch skips the backend kernel")
        return out_shape
    x2, w2 = x, w
    stride2, padding2, dilation2, op2 = stride, padding, dilation, output_padding
    if dim == 1:  # 1-d convs run as 2-d with a unit height
        x2 = (x[0], x[1], 1, x[2])
        w2 = (w[0], w[1], 1, w[2])
        stride2, padding2, dilation2, op2 = (
            (1, *stride),
            (0, *padding),
            (1, *dilation),
            (0, *output_padding),
        )
    if 0 in x2:
        raise E.EMPTY_INPUT.error(input=sizes(x2))
    _backend_checks(spec, x2, w2, stride2, padding2, dilation2, op2, out_shape, env)
    return out_shape


def _check_view(shape: Shape) -> None:
    """``empty.view(shape)``: how torch's empty-input path reshapes its output."""
    inferred = False
    for i, v in enumerate(shape):
        if v == -1:
            if inferred:
                raise E.RESHAPE_INFER_TWICE.error()
            inferred = True
        elif v < 0:
            raise E.INVALID_SHAPE_DIMENSION.error(value=v, index=i, shape=sizes(shape))
    if inferred:
        raise E.RESHAPE_AMBIGUOUS.error(shape=sizes(shape))


def _check_bias(bias: Shape | None, expected: int, kind: E.ErrorKind, w: Shape) -> None:
    if bias is not None and (len(bias) != 1 or bias[0] != expected):
        raise kind.error(weight=sizes(w), expected=expected, bias=sizes(bias))


def _check_padding_overflow(padding: Ints) -> None:
    for i, p in enumerate(padding):
        if p > INT64_MAX - p:
            raise E.PADDING_OVERFLOW.error(padding=p, dim=i, limit=INT64_MAX // 2)


def uses_onednn(
    x: Shape,
    w: Shape,
    stride: Ints,
    dilation: Ints,
    op: Ints,
    groups: int,
    transposed: bool,
    env: Env,
) -> bool:
    """``ConvParams::use_mkldnn`` for float32 CPU tensors (x and w in their 4-d/5-d form)."""
    if not env.mkldnn:
        return False
    if transposed and any(o >= s for o, s in zip(op, stride, strict=True)):
        return False
    n, c, h, wd = x[0], x[1], x[2], x[3]
    kh, kw = w[-2], w[-1]
    worth_it = (
        any(s != 1 for s in stride)
        or any(d != 1 for d in dilation)
        or n >= 16
        or kw != 1
        or kh != 1
        or env.num_threads > 1
    )
    big_enough = groups > 1 or (kw > 3 and kh > 3) or n > 1 or n * c * h * wd > 20480
    return worth_it and big_enough


def _backend_checks(
    spec: ConvCall,
    x: Shape,
    w: Shape,
    stride: Ints,
    padding: Ints,
    dilation: Ints,
    op: Ints,
    out_shape: Shape,
    env: Env,
) -> None:
    """The kernel-level checks, which differ between oneDNN and the slow THNN kernels."""
    transposed = spec.transposed
    onednn = uses_onednn(x, w, stride, dilation, op, spec.groups, transposed, env)
    mk = _onednn_error(spec, x, w, stride, dilation, out_shape)
    slow = _slow_error(spec, x, w, stride, dilation, op, out_shape)
    if onednn:
        primary, other, cond = (
            mk,
            slow,
            (
                "torch uses the slow THNN kernels instead of oneDNN (float64, or a small float32 "
                "input with batch 1 and groups 1, or oneDNN disabled)"
            ),
        )
    else:
        primary, other, cond = (
            slow,
            mk,
            (
                "torch uses oneDNN instead of the slow THNN kernels (float32 with batch > 1, "
                "groups > 1 or a large input)"
            ),
        )
    if primary is None:
        return
    variants: tuple[Variant, ...] = ()
    if other is not None and other.message != primary.message:
        variants = (Variant(other.exc, other.message, cond, other.code),)
    raise E.ShapeError(primary.kind, primary.message, primary.values, variants)


def _onednn_error(
    spec: ConvCall, x: Shape, w: Shape, stride: Ints, dilation: Ints, out_shape: Shape
) -> ShapeError | None:
    if spec.transposed:
        if any(o < 0 for o in out_shape[2:]):
            return E.ONEDNN_MEMORY_DESCRIPTOR.error()
        # Found by experiment (0 misfits over 5,184 grid points): with a dilation of 0 on
        # some axis, 2-d oneDNN accepts only when each such axis has one tap, or one input
        # position strided past the kernel, and every other axis has (d-1)*(k-1) < stride.
        dilated_zero = 0 in dilation and not all(
            (k == 1 or (size == 1 and s >= k)) if d == 0 else (d - 1) * (k - 1) < s
            for d, k, size, s in zip(dilation, w[2:], x[2:], stride, strict=True)
        )
        if len(w) == 5 and 0 in dilation:
            return E.ONEDNN_DIMENSIONS_INVALID.error()
        if dilated_zero or 0 in w:
            return E.ONEDNN_DECONV_DESCRIPTOR.error()
        return None
    if 0 in dilation:
        return E.DILATION_ZERO_MKLDNN.error()
    if 0 in w[2:]:
        return E.ONEDNN_CONV_DESCRIPTOR.error()
    return None


_HW = ("height", "width")
_DHW = ("depth", "height", "width")


def _labelled(prefix: str, values: Ints, sep: str = " ") -> str:
    labels = _HW if len(values) == 2 else _DHW
    return sep.join(f"{prefix}_{lab}: {v}" for lab, v in zip(labels, values, strict=True))


def _slow_error(
    spec: ConvCall, x: Shape, w: Shape, stride: Ints, dilation: Ints, op: Ints, out_shape: Shape
) -> ShapeError | None:
    kernel = w[2:]
    dilated = any(d != 1 for d in dilation)
    if spec.transposed:
        three_d = len(w) == 5
        if not three_d and any(k <= 0 for k in kernel):
            return _kernel_zero(kernel)
        if any(d <= 0 for d in dilation):
            return E.DILATION_ZERO_THNN_TRANSPOSE.error(
                dilation=_labelled("dilation", dilation, ", ")
            )
        if any(o >= s and o >= d for o, s, d in zip(op, stride, dilation, strict=True)):
            values = " ".join(
                [
                    _labelled("output_padding", op),
                    _labelled("stride", stride),
                    _labelled("dilation", dilation),
                ]
            )
            return E.OUTPUT_PADDING_TOO_BIG.error(values=values)
        if 0 in w:
            kind = E.SLOW_TRANSPOSE_WEIGHT_3D if three_d else E.SLOW_TRANSPOSE_WEIGHT_2D
            return kind.error(weight=sizes((w[0] // spec.groups, *w[1:])))  # one group's
        if any(o < 1 for o in out_shape[2:]):
            ins = x[2:]
            return E.TRANSPOSED_OUTPUT_TOO_SMALL.error(
                input=" x ".join(map(str, ins)),
                output=" x ".join(map(str, _view2d(out_shape[2:], len(ins)))),
            )
        return None
    if dilated:
        if any(k <= 0 for k in kernel):
            return E.KERNEL_ZERO_SLOW.error(kernel=sizes(kernel))
        if any(d <= 0 for d in dilation):
            return E.DILATION_ZERO_THNN.error(dilation=sizes(dilation))
        return None
    if any(k <= 0 for k in kernel):
        return _kernel_zero(kernel)
    return None


def _view2d(outs: Shape, n: int) -> Shape:
    return (1, *outs) if len(outs) < n else outs


def _kernel_zero(kernel: Ints) -> ShapeError:
    if len(kernel) == 3:
        return E.KERNEL_ZERO_SLOW_3D.error(kernel=" x ".join(map(str, kernel)))
    return E.KERNEL_ZERO_SLOW.error(kernel=f"kernel_height: {kernel[0]} kernel_width: {kernel[1]}")
