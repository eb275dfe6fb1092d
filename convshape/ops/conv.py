"""Convolutions: nn.ConvNd / nn.ConvTransposeNd and F.convNd / F.conv_transposeNd.

Everything the family knows: the specs, torch 2.13's CPU rules in its check order
(``torch/nn/modules/conv.py``: constructor, padding_mode, ``_output_padding``;
``Convolution.cpp``: ``batchify``, ``convolution_same``, ``_convolution``,
``check_shape_forward``, ``_select_conv_backend``; the backend kernels' own checks, oneDNN
versus the slow THNN kernels), the signatures, code, torch calls, fuzzing and the
receptive-field window.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import permutations
from typing import cast

from convshape.core import errors as E
from convshape.core.arithmetic import (
    Axis,
    Sweep,
    at,
    axis_names,
    axis_sweep,
    conv_axis,
    conv_transpose_axis,
    conv_transpose_out,
    effective_kernel,
    grown_area,
    most,
    numel,
    same_padding,
    sliding_window,
    transposed_window,
)
from convshape.core.code import ints_code, kw
from convshape.core.errors import ShapeError, Variant, py_list, sizes, torch_size
from convshape.core.registry import MetaReleases, OpFamily, TorchCall, Window, register
from convshape.core.releases import current, span
from convshape.core.sampling import input_shape, per_axis
from convshape.core.shapes import Ints, PaddingMode, Shape, ntuple
from convshape.core.signature import Param, Signature
from convshape.core.trace import Env, Trace
from convshape.ops.pad import check_new_sizes, narrow, pad_shape

__all__ = ["FAMILY", "Conv", "ConvCall", "infer_call", "infer_module", "uses_onednn"]

# ---------------------------------------------------------------------------------------
# Specs
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conv:
    """``nn.ConvNd`` or ``nn.ConvTransposeNd``: the constructor's arguments.

    ``output_size`` is ConvTranspose ``forward``'s optional argument.
    """

    dims: int
    in_channels: int
    out_channels: int
    kernel_size: Ints
    stride: Ints
    padding: Ints | str
    dilation: Ints
    groups: int = 1
    bias: bool = True
    padding_mode: PaddingMode = "zeros"
    transposed: bool = False
    output_padding: Ints = ()
    output_size: Ints | None = None
    plan: FastPlan | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.transposed and self.padding_mode == "zeros":
            plan = _plan(
                self.dims,
                self.in_channels,
                self.out_channels,
                self.kernel_size,
                self.stride,
                self.padding,
                self.dilation,
                self.groups,
            )
            object.__setattr__(self, "plan", plan)

    @classmethod
    def make(
        cls,
        dims: int,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Ints,
        stride: int | Ints = 1,
        padding: int | Ints | str = 0,
        dilation: int | Ints = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: PaddingMode = "zeros",
        transposed: bool = False,
        output_padding: int | Ints = 0,
        output_size: Ints | None = None,
    ) -> Conv:
        """Build a spec from the arguments as torch's constructor takes them."""
        return cls(
            dims=dims,
            in_channels=in_channels,
            out_channels=out_channels,
            kernel_size=ntuple(kernel_size, dims),
            stride=ntuple(stride, dims),
            padding=padding if isinstance(padding, str) else ntuple(padding, dims),
            dilation=ntuple(dilation, dims),
            groups=groups,
            bias=bias,
            padding_mode=padding_mode,
            transposed=transposed,
            output_padding=ntuple(output_padding, dims),
            output_size=output_size,
        )

    @property
    def op(self) -> str:
        return f"conv_transpose{self.dims}d" if self.transposed else f"conv{self.dims}d"

    @property
    def cls(self) -> str:
        return f"ConvTranspose{self.dims}d" if self.transposed else f"Conv{self.dims}d"

    @property
    def weight_shape(self) -> Shape:
        if self.transposed:
            return (self.in_channels, _floordiv(self.out_channels, self.groups), *self.kernel_size)
        return (self.out_channels, _floordiv(self.in_channels, self.groups), *self.kernel_size)


_INT64_MAX = 2**63 - 1
FastPlan = tuple[int, int, int, tuple[tuple[int, int], ...]]


def _plan(
    dims: int,
    in_channels: int,
    out_channels: int,
    kernel: Ints,
    stride: Ints,
    padding: Ints | str,
    dilation: Ints,
    groups: int,
) -> FastPlan | None:
    """Per-axis ``(2p - span, stride)`` for a convolution none of whose own arguments can
    fail torch's checks; None otherwise. The engine's fast path needs only the input then:
    ``out = (L + 2p - span) // s + 1``, valid while ``L > 0`` and ``L + 2p >= span``."""
    if isinstance(padding, str) or groups <= 0 or in_channels <= 0 or out_channels < groups:
        return None
    if in_channels % groups or out_channels % groups:
        return None
    if not len(kernel) == len(stride) == len(padding) == len(dilation) == dims:
        return None
    axes = []
    for k, s, p, d in zip(kernel, stride, padding, dilation, strict=True):
        if k <= 0 or s <= 0 or p < 0 or d <= 0 or p > _INT64_MAX - p:
            return None
        axes.append((2 * p - d * (k - 1) - 1, s))
    return dims + 2, in_channels, out_channels, tuple(axes)


def _floordiv(a: int, b: int) -> int:
    return a // b if b else 0


@dataclass(frozen=True)
class ConvCall:
    """``F.convNd`` / ``F.conv_transposeNd``: the weight and bias shapes and the arguments."""

    dims: int
    weight: Shape
    bias: Shape | None = None
    stride: Ints = (1,)
    padding: Ints | str = (0,)
    dilation: Ints = (1,)
    groups: int = 1
    transposed: bool = False
    output_padding: Ints = (0,)
    plan: FastPlan | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        w = self.weight
        bias_ok = self.bias is None or (len(w) > 0 and self.bias == (w[0],))
        if not self.transposed and len(w) == self.dims + 2 and bias_ok and self.groups > 0:
            plan = _plan(
                self.dims,
                w[1] * self.groups,
                w[0],
                w[2:],
                self.stride,
                self.padding,
                self.dilation,
                self.groups,
            )
            if plan is not None and w[1] > 0 and min(w) >= 0:
                object.__setattr__(self, "plan", plan)

    @classmethod
    def make(
        cls,
        dims: int,
        weight: Shape,
        bias: Shape | None = None,
        stride: int | Ints = 1,
        padding: int | Ints | str = 0,
        dilation: int | Ints = 1,
        groups: int = 1,
        transposed: bool = False,
        output_padding: int | Ints = 0,
    ) -> ConvCall:
        """Build a spec as torch's argument parser sees the call (an int fills every axis)."""
        return cls(
            dims=dims,
            weight=tuple(weight),
            bias=None if bias is None else tuple(bias),
            stride=ntuple(stride, dims),
            padding=padding if isinstance(padding, str) else ntuple(padding, dims),
            dilation=ntuple(dilation, dims),
            groups=groups,
            transposed=transposed,
            output_padding=ntuple(output_padding, dims),
        )

    @property
    def op(self) -> str:
        return f"conv_transpose{self.dims}d" if self.transposed else f"conv{self.dims}d"


# ---------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------

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


TRANSPOSED_ONEDNN = span("2.0-")
"""Releases whose transposed convolutions on CPU may run in oneDNN (the older ones always
take the slow THNN kernels)."""
ONEDNN_2_7_DECONV = span("2.0")
"""The release whose oneDNN (2.7) deconvolutions differ (probed in 2.0.1 over 12,000
configurations): torch leaves a depthwise one (one input channel per group) to THNN; oneDNN
cannot lay out a grouped 1-d/2-d 1x1 weight with one output channel per group, and takes a negative
dilation on an axis with one input position only when the stride exceeds the kernel; it
words what it
cannot make by the cause: an empty kernel, or a dilation it cannot take."""
DILATION_CHECKED = span("2.2-")
"""Releases whose check_shape_forward refuses a negative dilation (before them it reaches
the backend kernels, which word it their own way)."""
SAME_GROUPS_LATE = span("-2.1")
"""Releases whose 'same' convolution checks the groups after the ranks and the stride."""
SAME_CROP_PADS_RIGHT = span("-2.11")
"""Releases whose 'same' padding, cropping the start for a negative padding difference,
then pads both sides by the right one (negative: "negative padding is not supported")."""


def _same(spec: ConvCall, x: Shape, trace: Trace) -> tuple[Shape, Ints, Ints]:
    """``convolution_same``: checks, then symmetric padding or an F.pad of the input's end."""
    w = spec.weight
    if len(w) <= 2:
        raise E.WEIGHT_RANK.error()
    groups_late = current() in SAME_GROUPS_LATE
    if spec.groups <= 0 and not groups_late:
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
    if spec.groups <= 0:
        raise E.GROUPS_NONPOSITIVE.error()
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
    pad_nd = [0] * (2 * dim)  # F.pad's amounts, last axis first
    for i in range(dim):
        delta = right[i] - left[i]
        pad_nd[2 * (dim - 1 - i) + (delta > 0)] = delta
    check_new_sizes(x, pad_nd)
    padded = list(x)
    for i in range(dim):
        delta = right[i] - left[i]
        if delta < 0:  # a negative delta crops the start; the padding stays left
            padded[i + 2] = narrow(padded[i + 2], -delta, padded[i + 2] + delta)
        else:
            padded[i + 2] += delta
        if delta < 0 and current() in SAME_CROP_PADS_RIGHT:
            left[i] = right[i]
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
    if any(d < 0 for d in dilation) and current() in DILATION_CHECKED:
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
    if transposed and current() not in TRANSPOSED_ONEDNN:
        return False
    if transposed and groups > 1 and x[1] == groups and current() in ONEDNN_2_7_DECONV:
        return False  # one input channel per group: THNN
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
        old = current() in ONEDNN_2_7_DECONV
        one_by_one = len(w) < 5 and max(w[2:]) == 1  # 1-d and 2-d
        if old and spec.groups > 1 and w[1] == 1 and w[0] > spec.groups and one_by_one:
            return E.ONEDNN_MEMORY_DESCRIPTOR.error()
        # Found by experiment (0 misfits over 5,184 grid points): with a dilation of 0 on
        # some axis, 2-d oneDNN accepts only when each such axis has one tap, or one input
        # position strided past the kernel, and every other axis has (d-1)*(k-1) < stride.
        # A negative dilation (reaching here before 2.2 only) is taken alike: one tap, no
        # dilation to apply (recorded in 2.1.2: ConvTranspose2d(2, 6, 2, dilation=(-1, 1))
        # refused, conv_transpose1d with a kernel of 1 and dilation=-1 accepted).
        dilated_zero = any(d <= 0 for d in dilation) and not all(
            (k == 1 or (size == 1 and s >= k + (old and d < 0)))
            if d <= 0
            else (d - 1) * (k - 1) < s
            for d, k, size, s in zip(dilation, w[2:], x[2:], stride, strict=True)
        )
        if len(w) == 5 and any(d <= 0 for d in dilation):  # < 0: before 2.2 only
            return E.ONEDNN_DIMENSIONS_INVALID.error()
        if current() in ONEDNN_2_7_DECONV and 0 in w:
            return E.ONEDNN_PRIMITIVE_DESCRIPTOR.error()
        if current() in ONEDNN_2_7_DECONV and dilated_zero:
            return E.ONEDNN_DECONV_DESCRIPTOR_DILATED.error()
        if dilated_zero or 0 in w:
            return E.ONEDNN_DECONV_DESCRIPTOR.error()
        return None
    if any(d <= 0 for d in dilation):  # negative: only before DILATION_CHECKED
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


# ---------------------------------------------------------------------------------------
# Fast path: a valid batched convolution whose arguments passed every check in advance
# ---------------------------------------------------------------------------------------


def fast(spec: Conv | ConvCall, shape: Shape) -> Shape | None:
    """The output of a batched convolution whose arguments passed every check in advance
    (``spec.plan``), or None when anything needs the full path."""
    plan = spec.plan
    if plan is None:
        return None
    rank, in_channels, out_channels, axes = plan
    if len(shape) != rank or shape[1] != in_channels or shape[0] <= 0:
        return None
    out = [shape[0], out_channels]
    for size, (offset, stride) in zip(shape[2:], axes):  # noqa: B905 - lengths checked
        if size <= 0 or size + offset < 0:
            return None
        out.append((size + offset) // stride + 1)
    return tuple(out)


def infer(spec: Conv | ConvCall, shape: Shape, trace: Trace, env: Env) -> Shape:
    E.check_input(shape)
    if isinstance(spec, Conv):
        return infer_module(spec, shape, trace, env)
    for tensor in (spec.weight, spec.bias):  # the caller's tensors must exist
        if tensor and min(tensor) < 0:
            value = next(v for v in tensor if v < 0)
            raise E.NEGATIVE_DIMENSION.error(value=value, shape=sizes(tensor))
    return infer_call(spec, shape, trace, env)


# ---------------------------------------------------------------------------------------
# Signatures, in torch 2.13's positional order (torch/nn/modules/conv.py, nn/functional.py)
# ---------------------------------------------------------------------------------------

_DEVICE = (Param("device", "any", None), Param("dtype", "any", None))
_CONV_MODULE = (
    Param("in_channels", "int"),
    Param("out_channels", "int"),
    Param("kernel_size", "ints"),
    Param("stride", "ints", 1),
    Param("padding", "padding", 0),
    Param("dilation", "ints", 1),
    Param("groups", "int", 1),
    Param("bias", "flag", True),
    Param("padding_mode", "str", "zeros"),
    *_DEVICE,
)
_CONV_TRANSPOSE_MODULE = (
    Param("in_channels", "int"),
    Param("out_channels", "int"),
    Param("kernel_size", "ints"),
    Param("stride", "ints", 1),
    Param("padding", "padding", 0),
    Param("output_padding", "ints", 0),
    Param("groups", "int", 1),
    Param("bias", "flag", True),
    Param("dilation", "ints", 1),
    Param("padding_mode", "str", "zeros"),
    *_DEVICE,
)
_INPUT = Param("input", "tensor")
_CONV_FUNCTION = (
    _INPUT,
    Param("weight", "tensor"),
    Param("bias", "tensor", None),
    Param("stride", "ints", 1),
    Param("padding", "padding", 0),
    Param("dilation", "ints", 1),
    Param("groups", "int", 1),
)
_CONV_TRANSPOSE_FUNCTION = (
    _INPUT,
    Param("weight", "tensor"),
    Param("bias", "tensor", None),
    Param("stride", "ints", 1),
    Param("padding", "padding", 0),
    Param("output_padding", "ints", 0),
    Param("groups", "int", 1),
    Param("dilation", "ints", 1),
)

_IntOrInts = int | Ints


def _module_builder(dims: int, transposed: bool) -> Callable[[Mapping[str, object]], Conv]:
    def build(v: Mapping[str, object]) -> Conv:
        output_size = v.get("output_size")
        return Conv.make(
            dims,
            in_channels=cast(int, v["in_channels"]),
            out_channels=cast(int, v["out_channels"]),
            kernel_size=cast(_IntOrInts, v["kernel_size"]),
            stride=cast(_IntOrInts, v["stride"]),
            padding=cast("_IntOrInts | str", v["padding"]),
            dilation=cast(_IntOrInts, v["dilation"]),
            groups=cast(int, v["groups"]),
            bias=bool(v["bias"]),
            padding_mode=cast(str, v["padding_mode"]),
            transposed=transposed,
            output_padding=cast(_IntOrInts, v.get("output_padding", 0)),
            output_size=None if output_size is None else tuple(cast(Ints, output_size)),
        )

    return build


def _call_builder(dims: int, transposed: bool) -> Callable[[Mapping[str, object]], ConvCall]:
    def build(v: Mapping[str, object]) -> ConvCall:
        return ConvCall.make(
            dims,
            weight=cast(Shape, v["weight"]),
            bias=cast("Shape | None", v["bias"]),
            stride=cast(_IntOrInts, v["stride"]),
            padding=cast("_IntOrInts | str", v["padding"]),
            dilation=cast(_IntOrInts, v["dilation"]),
            groups=cast(int, v["groups"]),
            transposed=transposed,
            output_padding=cast(_IntOrInts, v.get("output_padding", 0)),
        )

    return build


def _signatures() -> tuple[Signature, ...]:
    rows: list[Signature] = []
    for transposed in (False, True):
        what = "transposed convolution" if transposed else "convolution"
        module = _CONV_TRANSPOSE_MODULE if transposed else _CONV_MODULE
        function = _CONV_TRANSPOSE_FUNCTION if transposed else _CONV_FUNCTION
        cls, fn = ("ConvTranspose", "conv_transpose") if transposed else ("Conv", "conv")
        for d in (1, 2, 3):
            w = f"{d}-d {what}"
            build_module = _module_builder(d, transposed)
            rows.append(Signature(f"nn.{cls}{d}d", module, build_module, Conv, fn, d, w))
            build = _call_builder(d, transposed)
            rows.append(Signature(f"F.{fn}{d}d", function, build, ConvCall, fn, d, w))
            rows.append(Signature(f"torch.{fn}{d}d", function, build, ConvCall, fn, d, w))
    return tuple(rows)


# ---------------------------------------------------------------------------------------
# Back to code, and to torch
# ---------------------------------------------------------------------------------------


def code(spec: Conv | ConvCall) -> str:
    """``nn.Conv2d(16, 32, 3, padding=1)`` or ``F.conv2d(x, w, padding=1)``."""
    n = spec.dims
    pad = repr(spec.padding) if isinstance(spec.padding, str) else ints_code(spec.padding, n)
    if isinstance(spec, Conv):
        args = [str(spec.in_channels), str(spec.out_channels), ints_code(spec.kernel_size, n)]
    else:
        args = ["x", "w"] + (["b"] if spec.bias is not None else [])
    args += kw("stride", ints_code(spec.stride, n), "1")
    args += kw("padding", pad, "0")
    if spec.transposed:
        args += kw("output_padding", ints_code(spec.output_padding, n), "0")
    if isinstance(spec, ConvCall):
        args += kw("groups", str(spec.groups), "1")
        args += kw("dilation", ints_code(spec.dilation, n), "1")
        return f"F.{spec.op}({', '.join(args)})"
    args += kw("dilation", ints_code(spec.dilation, n), "1")
    args += kw("groups", str(spec.groups), "1")
    args += kw("bias", str(spec.bias), "True")
    args += kw("padding_mode", repr(spec.padding_mode), "'zeros'")
    return f"nn.{spec.cls}({', '.join(args)})"


def torch_call(spec: Conv | ConvCall) -> TorchCall:
    if isinstance(spec, ConvCall):
        if spec.transposed:
            args: tuple[object, ...] = (
                spec.stride,
                spec.padding,
                spec.output_padding,
                spec.groups,
                spec.dilation,
            )
        else:
            args = (spec.stride, spec.padding, spec.dilation, spec.groups)
        return TorchCall(spec.op, args, module=False, tensors=(spec.weight, spec.bias))
    kwargs: dict[str, object] = dict(
        stride=spec.stride,
        padding=spec.padding,
        dilation=spec.dilation,
        groups=spec.groups,
        bias=spec.bias,
        padding_mode=spec.padding_mode,
    )
    if spec.transposed:
        kwargs["output_padding"] = spec.output_padding
    forward: dict[str, object] = {}
    if spec.transposed and spec.output_size is not None:
        forward["output_size"] = list(spec.output_size)
    args = (spec.in_channels, spec.out_channels, spec.kernel_size)
    return TorchCall(spec.cls, args, kwargs, forward=forward)


# ---------------------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------------------


def _groups(r: random.Random) -> int:
    return r.choice([1, 1, 1, 2, 3, 4]) if r.random() > 0.03 else r.choice([0, -1])


def _padding(r: random.Random, n: int) -> Ints | str:
    u = r.random()
    if u < 0.1:
        return "same"
    if u < 0.14:
        return "valid"
    if u < 0.15:
        return "full"
    return per_axis(r, n, 0, 3)


def _gen(n: int, transposed: bool) -> Callable[[random.Random], tuple[Conv | ConvCall, Shape]]:
    def gen(r: random.Random) -> tuple[Conv | ConvCall, Shape]:
        g = _groups(r)
        cin = max(g, 1) * r.randint(1, 3) + (1 if r.random() < 0.05 else 0)
        cout = max(g, 1) * r.randint(1, 3) + (1 if r.random() < 0.05 else 0)
        kernel = per_axis(r, n, 1, 4)
        stride = per_axis(r, n, 1, 3)
        dilation = per_axis(r, n, 1, 2)
        functional = r.random() < 0.4
        output_padding = per_axis(r, n, 0, 2, edge=0.02) if transposed else (0,) * n
        padding: Ints | str = per_axis(r, n, 0, 3) if transposed else _padding(r, n)
        if not transposed and padding == "same" and r.random() < 0.7:
            stride = (1,) * n
        shape = input_shape(r, n, cin)
        if functional:
            per_group = cin // g if g > 0 else cin
            weight: Shape = (
                (cin, cout // g if g > 0 else cout, *kernel)
                if transposed
                else (cout, per_group, *kernel)
            )
            if r.random() < 0.02:
                weight = weight[:-1] if r.random() < 0.5 else (*weight, 1)
            bias: Shape | None = None
            if r.random() < 0.5:
                bias = (cout,) if r.random() > 0.05 else (cout + 1,)
            return ConvCall(
                n, weight, bias, stride, padding, dilation, g, transposed, output_padding
            ), shape
        modes = ["zeros"] * 6 + ["reflect", "replicate", "circular"]
        mode = "zeros" if transposed and r.random() < 0.97 else r.choice(modes)
        if r.random() < 0.005:
            mode = "mirror"
        output_size: Ints | None = None
        if transposed and r.random() < 0.15 and len(shape) >= n + 1:
            output_size = tuple(r.randint(1, 30) for _ in range(n))
        spec = Conv(
            n,
            cin,
            cout,
            kernel,
            stride,
            padding,
            dilation,
            g,
            r.random() < 0.7,
            mode,
            transposed,
            output_padding if transposed else (0,) * n,
            output_size,
        )
        return spec, shape

    return gen


# ---------------------------------------------------------------------------------------
# In a stack: receptive field, parameters, MACs, constructor errors
# ---------------------------------------------------------------------------------------


def _pad_left(padding: Shape | str, kernel: Shape, dil: Shape, i: int) -> int:
    if padding == "same":
        return (dil[i] * (kernel[i] - 1)) // 2
    if isinstance(padding, str):
        return 0
    return padding[i]


def window(spec: Conv | ConvCall, shape: Shape, output: Shape, n: int) -> list[Window] | None:
    kernel = spec.kernel_size if isinstance(spec, Conv) else spec.weight[2:]
    dil, stride = spec.dilation, spec.stride
    if spec.transposed:
        return [
            transposed_window(kernel[i], stride[i], _pad_left(spec.padding, kernel, dil, i), dil[i])
            for i in range(n)
        ]
    return [
        sliding_window(
            dil[i] * (kernel[i] - 1) + 1, stride[i], _pad_left(spec.padding, kernel, dil, i)
        )
        for i in range(n)
    ]


def params(spec: Conv | ConvCall, shape: Shape | None) -> int:
    """``sum(p.numel() for p in module.parameters())``; F.conv's weight is the caller's."""
    if isinstance(spec, ConvCall):
        return 0
    weight = math.prod(max(v, 0) for v in spec.weight_shape)
    return weight + (max(spec.out_channels, 0) if spec.bias else 0)


def macs(spec: Conv | ConvCall, shape: Shape, output: Shape) -> int:
    """Multiply-accumulates of the weights (what FLOP counters halve)."""
    weight = spec.weight_shape if isinstance(spec, Conv) else spec.weight
    per = math.prod(weight[1:])
    if spec.transposed:
        return math.prod(shape) * per  # each input value meets Cout/g * prod(k) weights
    return math.prod(output) * per  # each output value sums Cin/g * prod(k) products


def construct_error(spec: Conv | ConvCall) -> ShapeError | None:
    """What ``nn.ConvNd(...)`` raises before it is called (F.conv has no constructor)."""
    if isinstance(spec, ConvCall):
        return None
    dummy = (1, max(spec.in_channels, 0), *([1] * spec.dims))
    err: ShapeError | None = None
    try:
        infer_module(spec, dummy, Trace(), Env())
    except ShapeError as exc:
        err = exc
    if err is not None and (err.kind.family == E.MODULE or err.kind is E.NEGATIVE_DIMENSION):
        return err
    return None


# ---------------------------------------------------------------------------------------
# What the CPU call costs (verify runs a smaller twin input above a budget)
# ---------------------------------------------------------------------------------------


def _cost_parts(spec: Conv | ConvCall) -> tuple[Shape, Sequence[int]]:
    weight = spec.weight_shape if isinstance(spec, Conv) else spec.weight
    if isinstance(spec.padding, str):  # 'same' pads at most d*(k-1); 'valid' none
        pad: Sequence[int] = [
            at(spec.dilation, i) * at(weight[2:], i) if spec.padding == "same" else 0
            for i in range(spec.dims)
        ]
    else:
        pad = spec.padding
    return weight, pad


def reach(spec: Conv | ConvCall, i: int) -> int | None:
    """How far the parameters reach along axis ``i``; None with ``output_size=`` (valid for
    one input size only, so no twin)."""
    if isinstance(spec, Conv) and spec.output_size is not None:
        return None
    weight, pad = _cost_parts(spec)
    k = at(weight[2:], i)
    extra = at(spec.output_padding, i) if spec.transposed else 0
    return at(spec.dilation, i) * k + 2 * at(pad, i) + at(spec.stride, i) + extra + 1


def work(spec: Conv | ConvCall, shape: Shape, output: Shape) -> int:
    """Multiply-adds."""
    weight, _ = _cost_parts(spec)
    n_in, n_out = numel(shape), numel(output)
    return n_in + max(n_in, n_out) * numel(weight[1:])


def work_bound(spec: Conv | ConvCall, shape: Shape) -> int:
    n_in = numel(shape)
    weight, pad = _cost_parts(spec)
    p = 2 * most(pad) + 1
    a, b = 1, p
    if spec.transposed:
        a = max(most(spec.stride), 1)
        b = most(spec.dilation) * most(weight[2:]) + most(spec.output_padding) + p
    grown = grown_area(shape, spec.dims, a, b)
    if grown is None or len(weight) < 2:
        return n_in  # torch rejects the rank before computing anything
    lead, area = grown
    if isinstance(spec, Conv) and spec.output_size:
        area = max(area, numel([abs(v) for v in spec.output_size[-spec.dims :]]))
    per = numel([abs(v) for v in weight[1:]])  # multiply-adds per output element
    out = numel(lead[:-1]) * max(abs(weight[0]), abs(spec.groups * weight[1])) * area
    return n_in + out + max(n_in, out) * per


# ---------------------------------------------------------------------------------------
# How the windows sweep each axis (convshape draw)
# ---------------------------------------------------------------------------------------


def _spec_pairs(spec: Conv | ConvCall, kernel: Ints, n: int) -> list[tuple[int, int]] | None:
    """Per axis (before, after) padding as the module or call applies it."""
    if isinstance(spec.padding, str):
        if spec.padding == "valid":
            return [(0, 0)] * n
        if spec.padding != "same" or len(spec.dilation) not in (1, n):
            return None
        dil = spec.dilation * n if len(spec.dilation) == 1 else spec.dilation
        return [same_padding(kernel[i], dil[i]) for i in range(n)]
    values = spec.padding * n if len(spec.padding) == 1 else spec.padding
    if len(values) != n or min(values) < 0:
        return None
    return [(p, p) for p in values]


def sweeps(spec: Conv | ConvCall, shape: Shape, axes: tuple[Axis, ...]) -> tuple[Sweep, ...] | None:
    """The worked axes as sweeps; a padding_mode's copied cells (F.pad runs first, so the
    worked axes see the padded input), and, where torch stopped before the arithmetic (the
    channels, F.pad), the sweeps the arguments would make."""
    n = spec.dims
    mode = spec.padding_mode if isinstance(spec, Conv) and not spec.transposed else "zeros"
    if mode == "zeros" and len(axes) == n:
        found = [axis_sweep(a) for a in axes]
        return tuple(f for f in found if f is not None) if None not in found else None
    kernel = spec.kernel_size if isinstance(spec, Conv) else spec.weight[2:]
    per = [v * n if len(v) == 1 else v for v in (tuple(kernel), spec.stride, spec.dilation)]
    if len(shape) not in (n + 1, n + 2) or any(len(v) != n for v in per):
        return None
    kernel, stride, dilation = per
    pairs = _spec_pairs(spec, kernel, n)
    if pairs is None:
        return None
    names = axis_names(n)
    spatial = shape[-n:]
    result = []
    for i in range(n):
        k, s, d, (left, right), size = kernel[i], stride[i], dilation[i], pairs[i], spatial[i]
        if spec.transposed:
            op = spec.output_padding[i] if i < len(spec.output_padding) else 0
            out = conv_transpose_out(size, k, s, left, d, op)
            result.append(
                Sweep(names[i], "transpose", size, out, k, s, (left, right), d, output_padding=op)
            )
        else:
            out = (size + left + right - effective_kernel(k, d)) // s + 1 if s > 0 else 0
            result.append(Sweep(names[i], "slide", size, out, k, s, (left, right), d, mode))
    return tuple(result)


META = MetaReleases(
    skips={
        # aten::convolution on meta is a Python kernel with three checks only (every release)
        **{
            f"CS1{n:02d}": span("1.13-")
            for n in (3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 17, 18, 19, 20, 21, 22, 29, 33)
        },
        **{f"CS2{n:02d}": span("1.13-") for n in (1, 2, 3, 4, 5, 10, 11, 12)},
        "CS115": span("-2.12"),  # meta convolution did not compare the kernel with the input
        "CS854": span("2.0"),  # oneDNN's checks (CPU's backend), which meta never makes
        "CS858": span("2.0"),
    },
    # meta conv_transpose validates output_padding on empty batches
    checks={"CS205": span("2.15-")},
)
"""What meta does differently from CPU with these layers in some releases (verify)."""


FAMILY = register(
    OpFamily(
        meta=META,
        name="conv",
        rank=0,
        specs=(Conv, ConvCall),
        signatures=_signatures(),
        infer=infer,
        fast=fast,
        code=code,
        torch=torch_call,
        fuzz={
            **{f"conv{n}d": _gen(n, False) for n in (1, 2, 3)},
            **{f"conv_transpose{n}d": _gen(n, True) for n in (1, 2, 3)},
        },
        window=window,
        params=params,
        macs=macs,
        construct_error=construct_error,
        work=work,
        work_bound=work_bound,
        reach=reach,
        sweeps=sweeps,
    )
)
