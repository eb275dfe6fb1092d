"""Rebuild a layer from the numbers in a torch message, so ``convshape calc`` says it again.

For each kind whose message carries the numbers that matter, a builder proposes layers and
inputs (``_Try``) taken from those numbers; each proposal is run through the engine, exactly
as ``calc`` runs it, and only one that yields the very same message is offered. Kinds whose
message names no sizes get no command, and a reason instead: nothing is guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import NamedTuple

from convshape.core import errors as E
from convshape.core.errors import ErrorKind, UsageError
from convshape.core.shapes import Ints, Shape

__all__ = ["counterpart", "reproduce", "reproduce_layer"]


class _Try(NamedTuple):
    layer: str
    input: Shape
    weight: Shape | None = None
    bias: Shape | None = None
    output_size: Ints | None = None
    chosen: bool = False  # the message does not name the layer: this one is one of several


Values = Mapping[str, str]
Builder = Callable[[Values], Iterator[_Try]]
_BUILDERS: dict[str, Builder] = {}


def _builds(*kinds: ErrorKind) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        for k in kinds:
            _BUILDERS[k.code] = fn
        return fn

    return register


_NUMBER = re.compile(r"-?\d+")
_LIST = re.compile(r"\[(?:-?\d+(?:, -?\d+)*)?\]")
_WORDS = {"one": 1, "two": 2, "three": 3}


def _ints(text: str) -> list[int]:
    return [int(v) for v in _NUMBER.findall(text)]


_MAX_RANK = 64  # a reproduction builds no tensor nor layer of more dimensions than this


def _int(text: str) -> int:
    return _WORDS[text] if text in _WORDS else int(text)


def _rank(n: int) -> int:
    """A number of dimensions read from a message, checked before anything is built with
    that many entries (ValueError: the message is not one a reproduction can rebuild)."""
    if not 0 <= n <= _MAX_RANK:
        raise ValueError(f"{n} dimensions")
    return n


def _sizes(text: str) -> Shape:
    """``[2, 6, 5, 5]`` exactly as torch prints a size list."""
    text = text.strip()
    if text.startswith("torch.Size(") and text.endswith(")"):
        text = text[len("torch.Size(") : -1]
    if not _LIST.fullmatch(text):
        raise ValueError(f"not a size list: {text!r}")
    return tuple(_ints(text))


def _t(values: Sequence[int]) -> str:
    """A per-axis argument as code, kept as a tuple (its length can matter to torch)."""
    return repr(tuple(values))


def _ones(n: int, v: int = 1) -> Shape:
    return (v,) * _rank(n)


# ---------------------------------------------------------------------------------------
# Convolution
# ---------------------------------------------------------------------------------------


def _fconv(
    n: int, kw: Mapping[str, str] | None = None, *, transposed: bool = False, bias: bool = False
) -> str:
    name = f"F.conv_transpose{n}d" if transposed else f"F.conv{n}d"
    given = (kw or {}).items()
    args = ["x", "w", *(["b"] if bias else []), *(f"{k}={v}" for k, v in given)]
    return f"{name}({', '.join(args)})"


@_builds(E.INPUT_RANK)
def _input_rank(v: Values) -> Iterator[_Try]:
    shape = _sizes(v["input"])
    n = _rank(_int(v["batched"]) - 2)
    transposed = v["op"].startswith("conv_transpose")
    c = shape[1] if len(shape) > 1 else (shape[0] if shape else 1)
    cls = f"ConvTranspose{n}d" if transposed else f"Conv{n}d"
    yield _Try(f"nn.{cls}({max(c, 1)}, 1, 1)", shape)
    yield _Try(_fconv(n, transposed=transposed), shape, (max(c, 1), 1, *_ones(n)))


@_builds(E.PARAM_LENGTH)
def _param_length(v: Values) -> Iterator[_Try]:
    value = _sizes(v["value"])
    n = _int(v["n"])
    for transposed in (False, True):
        yield _Try(
            _fconv(n, {v["name"]: _t(value)}, transposed=transposed),
            (1, 1, *_ones(n, 3)),
            (1, 1, *_ones(n)),
        )


@_builds(E.WEIGHT_INPUT_RANK, E.SAME_WEIGHT_INPUT_RANK)
def _weight_input_rank(v: Values) -> Iterator[_Try]:
    weight, shape = _sizes(v["weight"]), _sizes(v["input"])
    same = {"padding": "'same'"} if v["weight"].startswith("[") else {}
    for n in dict.fromkeys((len(shape) - 2, len(weight) - 2, 1, 2, 3)):
        if n in (1, 2, 3):
            yield _Try(_fconv(n, same), shape, weight)
            args = {"stride": _t(_ones(n)), "padding": _t(_ones(n, 0)), "dilation": _t(_ones(n))}
            yield _Try(_fconv(n, args), shape, weight)


@_builds(E.GROUPS_EXCEED_WEIGHT, E.GROUPS_DIVIDE_WEIGHT)
def _groups_weight(v: Values) -> Iterator[_Try]:
    weight = tuple(_ints(v["weight"]))
    groups = _int(v["groups"])
    n = len(weight) - 2
    yield _Try(_fconv(n, {"groups": str(groups)}), (1, weight[1] * groups, *weight[2:]), weight)


@_builds(E.CHANNEL_MISMATCH)
def _channels(v: Values) -> Iterator[_Try]:
    weight, shape = _sizes(v["weight"]), _sizes(v["input"])
    groups = _int(v["groups"])
    kw = {} if groups == 1 else {"groups": str(groups)}
    yield _Try(_fconv(len(weight) - 2, kw), shape, weight)


@_builds(E.TRANSPOSED_CHANNEL_MISMATCH)
def _transposed_channels(v: Values) -> Iterator[_Try]:
    weight, shape = _sizes(v["weight"]), _sizes(v["input"])
    yield _Try(_fconv(len(weight) - 2, transposed=True), shape, weight)


@_builds(E.BIAS_SHAPE)
def _bias(v: Values) -> Iterator[_Try]:
    weight, bias = _sizes(v["weight"]), _sizes(v["bias"])
    yield _Try(_fconv(len(weight) - 2, bias=True), (1, weight[1], *weight[2:]), weight, bias)


@_builds(E.TRANSPOSED_BIAS_SHAPE)
def _transposed_bias(v: Values) -> Iterator[_Try]:
    weight, bias = _sizes(v["weight"]), _sizes(v["bias"])
    n = len(weight) - 2
    yield _Try(_fconv(n, transposed=True, bias=True), (1, weight[0], *_ones(n, 5)), weight, bias)


@_builds(E.PADDING_OVERFLOW)
def _padding_overflow(v: Values) -> Iterator[_Try]:
    padding, dim = _int(v["padding"]), _int(v["dim"])
    for n in (2, 1, 3):
        if dim < n:
            pads = tuple(padding if i == dim else 0 for i in range(n))
            yield _Try(_fconv(n, {"padding": _t(pads)}), (1, 1, *_ones(n, 3)), (1, 1, *_ones(n)))


@_builds(E.KERNEL_TOO_BIG)
def _kernel_too_big(v: Values) -> Iterator[_Try]:
    padded, spans = _ints(v["padded"]), _ints(v["kernel"])
    if len(padded) == 2 and padded[0] == spans[0] == 1:
        yield _Try(f"nn.Conv1d(1, 1, {spans[1]})", (1, 1, padded[1]))
    n = len(padded)
    yield _Try(f"nn.Conv{n}d(1, 1, {_t(spans)})", (1, 1, *padded))


@_builds(E.EMPTY_INPUT)
def _empty_input(v: Values) -> Iterator[_Try]:
    shape = _sizes(v["input"])
    for padding in ("", ", padding=1"):
        if len(shape) == 4 and shape[2] == 1:
            yield _Try(f"nn.Conv1d({shape[1]}, 1, 1{padding})", (shape[0], shape[1], shape[3]))
        yield _Try(f"nn.Conv{len(shape) - 2}d({shape[1]}, 1, 1{padding})", shape)


@_builds(E.DILATION_ZERO_THNN, E.DILATION_ZERO_THNN_TRANSPOSE)
def _dilation_zero(v: Values) -> Iterator[_Try]:
    dilation = tuple(_ints(v["dilation"]))
    n = len(dilation)
    for transposed in (False, True):
        for batch in (1, 2):
            yield _Try(
                _fconv(n, {"dilation": _t(dilation)}, transposed=transposed),
                (batch, 1, *_ones(n, 5)),
                (1, 1, *_ones(n, 3)),
            )


@_builds(E.KERNEL_ZERO_SLOW, E.KERNEL_ZERO_SLOW_3D)
def _kernel_zero(v: Values) -> Iterator[_Try]:
    kernel = tuple(_ints(v["kernel"]))
    n = len(kernel)
    for transposed in (False, True):
        yield _Try(_fconv(n, transposed=transposed), (1, 1, *_ones(n, 5)), (1, 1, *kernel))


@_builds(E.NEGATIVE_DIMENSION)
def _negative_dimension(v: Values) -> Iterator[_Try]:
    shape = _sizes(v["shape"])
    n = len(shape) - 2
    if n in (1, 2, 3):
        k = _t(shape[2:])
        yield _Try(f"nn.Conv{n}d({shape[1]}, {shape[0]}, {k})", (1, 1, *_ones(n, 5)))
        yield _Try(f"nn.ConvTranspose{n}d({shape[0]}, {shape[1]}, {k})", (1, 1, *_ones(n, 5)))


@_builds(E.PADDING_STRING)
def _padding_string(v: Values) -> Iterator[_Try]:
    yield _Try(_fconv(2, {"padding": repr(v["padding"])}), (1, 1, 3, 3), (1, 1, 1, 1))


@_builds(E.SAME_BROADCAST)
def _same_broadcast(v: Values) -> Iterator[_Try]:
    n = _int(v["n"])
    bad = {v["name"]: _t(_ones(n + 1))}
    yield _Try(_fconv(n, {"padding": "'same'", **bad}), (1, 1, *_ones(n, 3)), (1, 1, *_ones(n)))


@_builds(E.TRANSPOSED_OUTPUT_TOO_SMALL)
def _transposed_small(v: Values) -> Iterator[_Try]:
    sizes, outs = _ints(v["input"]), _ints(v["output"])
    kernels, pads = [], []
    for size, out in zip(sizes, outs, strict=True):
        if size - out >= 0:
            k = 1 + (size - out) % 2
            kernels.append(k)
            pads.append((size - out + k - 1) // 2)
        else:
            kernels.append(out - size + 1)
            pads.append(0)
    n = len(sizes)
    if n == 2 and sizes[0] == outs[0] == 1:
        yield _Try(f"nn.ConvTranspose1d(1, 1, {kernels[1]}, padding={pads[1]})", (1, 1, sizes[1]))
    yield _Try(f"nn.ConvTranspose{n}d(1, 1, {_t(kernels)}, padding={_t(pads)})", (1, 1, *sizes))


def _labelled(text: str) -> dict[str, int]:
    return {k: int(x) for k, x in re.findall(r"(\w+): (-?\d+)", text)}


@_builds(E.OUTPUT_PADDING_TOO_BIG)
def _output_padding(v: Values) -> Iterator[_Try]:
    found = _labelled(v["values"])
    axes = [a for a in ("depth", "height", "width") if f"output_padding_{a}" in found]
    op = tuple(found[f"output_padding_{a}"] for a in axes)
    stride = tuple(found[f"stride_{a}"] for a in axes)
    dilation = tuple(found[f"dilation_{a}"] for a in axes)
    n = len(axes)
    code = f"nn.ConvTranspose{n}d(1, 1, 3, stride={_t(stride)}, output_padding={_t(op)}, " + (
        f"dilation={_t(dilation)})"
    )
    yield _Try(code, (1, 1, *_ones(n, 5)))
    if n == 2 and op[0] == 0 and stride[0] == 1 and dilation[0] == 1:
        yield _Try(
            f"nn.ConvTranspose1d(1, 1, 3, stride={stride[1]}, output_padding={op[1]}, "
            f"dilation={dilation[1]})",
            (1, 1, 5),
        )


@_builds(E.OUTPUT_SIZE_LENGTH)
def _output_size_length(v: Values) -> Iterator[_Try]:
    n, idim, got = _int(v["n"]), _int(v["idim"]), _int(v["got"])
    shape = (1, 1, *_ones(n, 3)) if idim == n + 2 else (1, *_ones(n, 3))
    yield _Try(f"nn.ConvTranspose{n}d(1, 1, 1)", shape, output_size=_ones(got, 3))


@_builds(E.OUTPUT_SIZE_RANGE)
def _output_size_range(v: Values) -> Iterator[_Try]:
    requested, low, high = _sizes(v["requested"]), _sizes(v["min"]), _sizes(v["max"])
    sizes = _sizes(v["input"])
    kernels, strides, pads = [], [], []
    for size, lo, hi in zip(sizes, low, high, strict=True):
        s = hi - lo + 1
        t = lo - 1 - (size - 1) * s
        p = 0 if t >= 0 else math.ceil(-t / 2)
        kernels.append(t + 2 * p + 1)
        strides.append(s)
        pads.append(p)
    n = len(sizes)
    code = f"nn.ConvTranspose{n}d(1, 1, {_t(kernels)}, stride={_t(strides)}, padding={_t(pads)})"
    yield _Try(code, (1, 1, *sizes), output_size=requested)


@_builds(E.TRANSPOSE_PADDING_MODE)
def _transpose_padding_mode(v: Values) -> Iterator[_Try]:
    n = int(v["cls"][-2])
    for mode in ("reflect", "replicate", "circular"):
        yield _Try(
            f"nn.{v['cls']}(1, 1, 1, padding_mode={mode!r})", (1, 1, *_ones(n, 3)), chosen=True
        )


@_builds(E.TRANSPOSE_PADDING_STRING)
def _transpose_padding_string(v: Values) -> Iterator[_Try]:
    n = int(v["op"][-2])
    yield _Try(f"nn.ConvTranspose{n}d(1, 1, 1, padding='valid')", (1, 1, *_ones(n, 3)), chosen=True)


@_builds(E.SLOW_TRANSPOSE_WEIGHT_2D, E.SLOW_TRANSPOSE_WEIGHT_3D)
def _slow_transpose_weight(v: Values) -> Iterator[_Try]:
    weight = _sizes(v["weight"])
    n = len(weight) - 2
    for batch in (1, 2):
        yield _Try(_fconv(n, transposed=True), (batch, weight[0], *_ones(n, 5)), weight)


# ---------------------------------------------------------------------------------------
# nn.ConvNd constructors and F.pad
# ---------------------------------------------------------------------------------------


@_builds(E.MODULE_PADDING_STRING)
def _module_padding_string(v: Values) -> Iterator[_Try]:
    yield _Try(f"nn.Conv2d(1, 1, 1, padding={v['padding']})", (1, 1, 3, 3))


@_builds(E.MODULE_PADDING_MODE)
def _module_padding_mode(v: Values) -> Iterator[_Try]:
    yield _Try(f"nn.Conv2d(1, 1, 1, padding_mode={v['mode']!r})", (1, 1, 3, 3))


@_builds(E.PAD_RANK)
def _pad_rank(v: Values) -> Iterator[_Try]:
    pad, idim = _int(v["pad"]), _int(v["idim"])
    n = pad // 2
    yield _Try(
        f"nn.Conv{n}d(1, 1, 1, padding=1, padding_mode='reflect')", _ones(idim, 3), chosen=True
    )


@_builds(E.REFLECT_PAD_TOO_BIG)
def _reflect(v: Values) -> Iterator[_Try]:
    shape = _sizes(v["input"])
    left, right, dim = _int(v["left"]), _int(v["right"]), _int(v["dim"])
    if left != right:
        return
    for n in (len(shape) - 2, len(shape) - 1):
        lead = len(shape) - n
        if n in (1, 2, 3) and 0 <= dim - lead < n:
            pads = tuple(left if i == dim - lead else 0 for i in range(n))
            c = shape[lead - 1]
            yield _Try(f"nn.Conv{n}d({c}, 1, 1, padding={_t(pads)}, padding_mode='reflect')", shape)


@_builds(E.PAD_OUTPUT_TOO_SMALL)
def _pad_small(v: Values) -> Iterator[_Try]:
    sizes = list(_labelled(v["input"]).values())
    outs = list(_labelled(v["output"]).values())
    if len(sizes) != len(outs) or any((o - s) % 2 for s, o in zip(sizes, outs, strict=True)):
        return
    pads = tuple((o - s) // 2 for s, o in zip(sizes, outs, strict=True))
    n = len(sizes)
    for mode in ("replicate", "reflect", "circular"):
        yield _Try(
            f"nn.Conv{n}d(1, 1, 1, padding={_t(pads)}, padding_mode={mode!r})",
            (1, 1, *sizes),
        )


@_builds(E.PAD_EMPTY_INPUT)
def _pad_empty(v: Values) -> Iterator[_Try]:
    shape = _sizes(v["input"])
    r = _int(v["r"])
    n = r - 1
    c = shape[1] if len(shape) == r + 1 else (shape[0] if shape else 1)
    yield _Try(f"nn.Conv{n}d({c}, 1, 1, padding=1, padding_mode='reflect')", shape, chosen=True)
    yield _Try("nn.Unfold(1)", shape, chosen=True)


# ---------------------------------------------------------------------------------------
# Pooling
# ---------------------------------------------------------------------------------------


@_builds(E.MAX_POOL1D_INPUT)
def _max_pool1d_input(v: Values) -> Iterator[_Try]:
    yield _Try("nn.MaxPool1d(1)", _sizes(v["input"]))


_MAX1D_ARGS = {
    E.MAX_POOL1D_KERNEL_LENGTH.code: "{0}",
    E.MAX_POOL1D_STRIDE_LENGTH.code: "1, stride={0}",
    E.MAX_POOL1D_PADDING_LENGTH.code: "1, padding={0}",
    E.MAX_POOL1D_DILATION_LENGTH.code: "1, dilation={0}",
}


def _max1d_length(code: str) -> Builder:
    def build(v: Values) -> Iterator[_Try]:
        n = _int(v["n"])
        value = _ones(n, 0) if "padding" in _MAX1D_ARGS[code] else _ones(n)
        yield _Try(f"nn.MaxPool1d({_MAX1D_ARGS[code].format(_t(value))})", (1, 1, 4))

    return build


for _code in _MAX1D_ARGS:
    _BUILDERS[_code] = _max1d_length(_code)


@_builds(E.MAX_POOL1D_KERNEL)
def _max1d_kernel(v: Values) -> Iterator[_Try]:
    yield _Try(f"nn.MaxPool1d({_int(v['kernel'])})", (1, 1, 4))


@_builds(E.MAX_POOL1D_STRIDE)
def _max1d_stride(v: Values) -> Iterator[_Try]:
    yield _Try(f"nn.MaxPool1d(1, stride={_int(v['stride'])})", (1, 1, 4))


@_builds(E.MAX_POOL1D_PADDING)
def _max1d_padding(v: Values) -> Iterator[_Try]:
    yield _Try(f"nn.MaxPool1d(1, padding={_int(v['padding'])})", (1, 1, 4))


@_builds(E.MAX_POOL1D_PADDING_HALF)
def _max1d_half(v: Values) -> Iterator[_Try]:
    yield _Try(f"nn.MaxPool1d({_int(v['kernel'])}, padding={_int(v['padding'])})", (1, 1, 9))


@_builds(E.MAX_POOL1D_DILATION)
def _max1d_dilation(v: Values) -> Iterator[_Try]:
    yield _Try(f"nn.MaxPool1d(1, dilation={_int(v['dilation'])})", (1, 1, 4))


@_builds(E.MAX_POOL1D_OUTPUT)
def _max1d_output(v: Values) -> Iterator[_Try]:
    out = _int(v["output"])
    if out <= 0:
        yield _Try(f"nn.MaxPool1d({2 - out}, stride=1)", (1, 1, 1))


_POOL_CLASS = {
    "max_pool": "MaxPool",
    "avg_pool": "AvgPool",
    "adaptive_avg_pool": "AdaptiveAvgPool",
    "adaptive_max_pool": "AdaptiveMaxPool",
}


def _pool_class(op: str) -> tuple[str, int]:
    """``max_pool2d`` -> (``MaxPool``, 2); ValueError for another op."""
    found = re.fullmatch(r"(max_pool|avg_pool|adaptive_avg_pool|adaptive_max_pool)([123])d", op)
    if found is None:
        raise ValueError(op)
    return _POOL_CLASS[found[1]], int(found[2])


@_builds(E.DIM_RANGE)
def _dim_range(v: Values) -> Iterator[_Try]:
    cls, n = _pool_class(v["op"])
    shape = _ones(_int(v["idim"]), 3)
    if cls.startswith("Adaptive"):
        yield _Try(f"nn.{cls}{n}d(2)", shape)
    else:
        yield _Try(f"nn.{cls}{n}d(1)", shape)
        if cls == "MaxPool":
            yield _Try(f"nn.{cls}{n}d(1, return_indices=True)", shape)


@_builds(E.ONE_INT)
def _one_int(v: Values) -> Iterator[_Try]:
    cls, n = _pool_class(v["op"])
    value = _t(_ones(_int(v["n"]), 0 if v["name"] == "padding" else 1))
    if cls.startswith("Adaptive") or v["name"] == "kernel_size":
        yield _Try(f"nn.{cls}{n}d({value})", (1, 1, 4))
    else:
        yield _Try(f"nn.{cls}{n}d(1, {v['name']}={value})", (1, 1, 4))


@_builds(E.POOL_KERNEL_LENGTH, E.POOL_STRIDE_LENGTH, E.POOL_PADDING_LENGTH, E.POOL_DILATION_LENGTH)
def _pool_length(v: Values) -> Iterator[_Try]:
    cls, n = _pool_class(v["op"])
    shape = (1, 1, *_ones(n, 4))
    for name in ("kernel_size", "stride", "padding", "dilation"):
        value = _t(_ones(n + 1, 0 if name == "padding" else 1))
        code = (
            f"nn.{cls}{n}d({value})"
            if name == "kernel_size"
            else (f"nn.{cls}{n}d(1, {name}={value})")
        )
        yield _Try(code, shape)


@_builds(E.AVG_POOL3D_KERNEL_LENGTH, E.AVG_POOL3D_STRIDE_LENGTH, E.AVG_POOL3D_PADDING_LENGTH)
def _avg3d_length(v: Values) -> Iterator[_Try]:
    shape = (1, 1, 4, 4, 4)
    yield _Try("nn.AvgPool3d((1, 1))", shape)
    yield _Try("nn.AvgPool3d(1, stride=(1, 1))", shape)
    yield _Try("nn.AvgPool3d(1, padding=(0, 0))", shape)


@_builds(E.POOL_RANK)
def _pool_rank(v: Values) -> Iterator[_Try]:
    r, r1 = _int(v["r"]), _int(v["r1"])
    for cls in ("AvgPool", "MaxPool"):
        yield _Try(f"nn.{cls}{r - 1}d(1)", _ones(r1 + 1, 2), chosen=True)


@_builds(E.POOL_PAD_NEGATIVE)
def _pool_pad_negative(v: Values) -> Iterator[_Try]:
    pad = _int(v["pad"])
    for n in (2, 3, 1):
        for cls in ("MaxPool", "AvgPool"):
            yield _Try(f"nn.{cls}{n}d(1, padding={pad})", (1, 1, *_ones(n, 4)), chosen=True)


@_builds(E.POOL_PAD_HALF_EFFECTIVE)
def _pool_pad_half(v: Values) -> Iterator[_Try]:
    pad, kernel, dilation = _int(v["pad"]), _int(v["kernel"]), _int(v["dilation"])
    for n in (2, 3):
        yield _Try(
            f"nn.MaxPool{n}d({kernel}, padding={pad}, dilation={dilation})",
            (1, 1, *_ones(n, 8)),
            chosen=True,
        )


@_builds(E.POOL_STRIDE_NONPOSITIVE)
def _pool_stride(v: Values) -> Iterator[_Try]:
    found = _labelled(v["stride"])
    values = tuple(found.values()) if found else (_int(v["stride"]),)
    n = len(values)
    code = _t(values) if n > 1 else str(values[0])
    for cls in ("MaxPool", "AvgPool"):
        if n in (1, 2, 3):
            yield _Try(
                f"nn.{cls}{max(n, 2)}d(1, stride={code})", (1, 1, *_ones(max(n, 2), 4)), chosen=True
            )
    if n == 2:
        yield _Try(f"nn.Unfold(1, stride={code})", (1, 1, 4, 4), chosen=True)


@_builds(E.POOL2D_INPUT)
def _pool2d_input(v: Values) -> Iterator[_Try]:
    for cls in ("MaxPool2d", "AvgPool2d"):
        yield _Try(f"nn.{cls}(1)", _sizes(v["input"]), chosen=True)


@_builds(E.POOL3D_EMPTY)
def _pool3d_empty(v: Values) -> Iterator[_Try]:
    cls = "MaxPool3d" if v["fn"].startswith("max") else "AvgPool3d"
    yield _Try(f"nn.{cls}(1)", _sizes(v["input"]))


@_builds(E.AVG_POOL3D_INPUT_SMALL)
def _avg3d_small(v: Values) -> Iterator[_Try]:
    k = tuple(_int(v[f]) for f in ("kT", "kH", "kW"))
    size = tuple(_int(v[f]) for f in ("T", "H", "W"))
    yield _Try(f"nn.AvgPool3d({_t(k)})", (1, 1, *size))


@_builds(E.POOL2D_PAD_HALF)
def _pool2d_half(v: Values) -> Iterator[_Try]:
    k = (_int(v["kH"]), _int(v["kW"]))
    p = (_int(v["padH"]), _int(v["padW"]))
    yield from _max_pad_half(k, p)
    if k[0] == 1 and p[0] == 0:
        yield from _max_pad_half(k[1:], p[1:])


def _max_pad_half(k: Ints, p: Ints) -> Iterator[_Try]:
    """Max pooling with a dilation wide enough to pass the effective-kernel check first."""
    n = len(k)
    d = 2 * max(p) + 1
    shape = (1, 1, *_ones(n, 4 * d * max(k)))
    code = f"nn.MaxPool{n}d({_t(k)}, padding={_t(p)}, dilation={d}"
    yield _Try(code + ")", shape, chosen=True)
    yield _Try(code + ", return_indices=True)", shape, chosen=True)


@_builds(E.POOL3D_PAD_HALF)
def _pool3d_half(v: Values) -> Iterator[_Try]:
    k = tuple(_int(v[f]) for f in ("kT", "kH", "kW"))
    p = tuple(_int(v[f]) for f in ("padT", "padH", "padW"))
    yield _Try(f"nn.AvgPool3d({_t(k)}, padding={_t(p)})", (1, 1, *_ones(3, 9 * max(k))))
    yield from _max_pad_half(k, p)


@_builds(E.POOL_OUTPUT_TOO_SMALL)
def _pool_small(v: Values) -> Iterator[_Try]:
    sizes, outs = _ints(v["input"]), _ints(v["output"])
    if len(sizes) != len(outs) or sizes[0] != outs[0]:
        return
    spatial = sizes[1:]
    kernels = [size + 1 - out for size, out in zip(spatial, outs[1:], strict=True)]
    if any(k < 1 for k in kernels):
        return
    n = len(spatial)
    for cls in ("MaxPool", "AvgPool"):
        if n == 2 and spatial[0] == 1 and kernels[0] == 1:
            yield _Try(
                f"nn.{cls}1d({kernels[1]}, stride=1)", (1, sizes[0], spatial[1]), chosen=True
            )
        yield _Try(f"nn.{cls}{n}d({_t(kernels)}, stride=1)", (1, sizes[0], *spatial), chosen=True)


# ---------------------------------------------------------------------------------------
# Adaptive pooling
# ---------------------------------------------------------------------------------------


@_builds(E.ADAPTIVE_INPUT_DIMENSION)
def _adaptive_dimension(v: Values) -> Iterator[_Try]:
    n = _int(v["n"]) - 1
    for cls in ("AdaptiveAvgPool", "AdaptiveMaxPool"):
        yield _Try(f"nn.{cls}{n}d({_t(_ones(n))})", _ones(n, 4), chosen=True)


@_builds(E.ADAPTIVE_NONE_FIRST)
def _adaptive_none_first(v: Values) -> Iterator[_Try]:
    cls, n = _pool_class(v["op"])
    yield _Try(f"nn.{cls}{n}d((None,))", (1, 1, 4))


@_builds(E.ADAPTIVE_NONE_LATER)
def _adaptive_none_later(v: Values) -> Iterator[_Try]:
    cls, n = _pool_class(v["op"])
    size = (*_ones(_int(v["pos"]) - 1), None)
    yield _Try(f"nn.{cls}{n}d({size!r})", (1, 1, 4))


@_builds(E.ADAPTIVE_AVG_OUTPUT_LENGTH, E.ADAPTIVE_MAX_OUTPUT_LENGTH)
def _adaptive_length(v: Values) -> Iterator[_Try]:
    cls, n = _pool_class(v["op"])
    yield _Try(f"nn.{cls}{n}d({_t(_ones(_int(v['n']) + 1))})", (1, 1, *_ones(n, 4)))


@_builds(E.ADAPTIVE_AVG_OUTPUT_NEGATIVE)
def _adaptive_negative(v: Values) -> Iterator[_Try]:
    cls, n = _pool_class(v["op"])
    values = tuple(_ints(v["values"]))
    if len(values) == n:
        yield _Try(f"nn.{cls}{n}d({_t(values)})", (1, 1, *_ones(n, 4)))
    if n == 2 and values[0] == 1:
        yield _Try(f"nn.{cls}1d({values[1]})", (1, 1, 4))


@_builds(E.ADAPTIVE_AVG_RANK, E.ADAPTIVE_MAX_RANK)
def _adaptive_rank(v: Values) -> Iterator[_Try]:
    cls, _ = _pool_class(v["op"])
    yield _Try(f"nn.{cls}{_int(v['r']) - 1}d(2)", _sizes(v["input"]))


@_builds(E.ADAPTIVE_EMPTY)
def _adaptive_empty(v: Values) -> Iterator[_Try]:
    cls, n = _pool_class(v["op"])
    shape = _sizes(v["input"])
    yield _Try(f"nn.{cls}{n}d(2)", shape)
    if n == 2 and len(shape) >= 3 and shape[-2] == 1:
        yield _Try(f"nn.{cls}1d(2)", (*shape[:-2], shape[-1]))


# ---------------------------------------------------------------------------------------
# Unfold / Fold
# ---------------------------------------------------------------------------------------


@_builds(E.FOLD_PARAM_LENGTH)
def _fold_length(v: Values) -> Iterator[_Try]:
    name, value = v["name"], _t(_ones(_int(v["n"]), 0 if v["name"] == "padding" else 1))
    if name == "output_size":
        yield _Try(f"nn.Fold(output_size={value}, kernel_size=1)", (1, 1, 1))
    else:
        args = f"kernel_size={value}" if name == "kernel_size" else f"kernel_size=1, {name}={value}"
        yield _Try(f"nn.Unfold({args})", (1, 1, 4, 4), chosen=True)
        yield _Try(f"nn.Fold(output_size=4, {args})", (1, 1, 16), chosen=True)


@_builds(E.FOLD_PADDING_NEGATIVE)
def _fold_padding(v: Values) -> Iterator[_Try]:
    pads = tuple(_labelled(v["padding"]).values())
    yield _Try(f"nn.Unfold(1, padding={_t(pads)})", (1, 1, 4, 4), chosen=True)


def _pair(text: str) -> Ints:
    values = tuple(_ints(text))
    if len(values) != 2:
        raise ValueError(text)
    return values


@_builds(E.UNFOLD_BLOCKS)
def _unfold_blocks(v: Values) -> Iterator[_Try]:
    spatial, kernel = _pair(v["spatial"]), _pair(v["kernel"])
    dilation, padding, blocks = _pair(v["dilation"]), _pair(v["padding"]), _pair(v["blocks"])
    strides = []
    for size, k, d, p, b in zip(spatial, kernel, dilation, padding, blocks, strict=True):
        fits = [s for s in range(1, 65) if (size + 2 * p - d * (k - 1) - 1) // s + 1 == b]
        if not fits:
            return
        strides.append(fits[0])
    code = (
        f"nn.Unfold(kernel_size={_t(kernel)}, dilation={_t(dilation)}, padding={_t(padding)}, "
        f"stride={_t(tuple(strides))})"
    )
    yield _Try(code, (1, 1, *spatial))


@_builds(E.FOLD_INPUT)
def _fold_input(v: Values) -> Iterator[_Try]:
    yield _Try("nn.Fold(output_size=1, kernel_size=1)", _sizes(v["input"]))


@_builds(E.FOLD_CHANNELS)
def _fold_channels(v: Values) -> Iterator[_Try]:
    kernel = _pair(v["kernel"])
    yield _Try(
        f"nn.Fold(output_size={_t(kernel)}, kernel_size={_t(kernel)})",
        (1, _int(v["channels"]), 1),
    )


def _fold_code(v: Values) -> str:
    return (
        f"nn.Fold(output_size={_t(_pair(v['output_size']))}, kernel_size={_t(_pair(v['kernel']))}"
        f", dilation={_t(_pair(v['dilation']))}, padding={_t(_pair(v['padding']))}, "
        f"stride={_t(_pair(v['stride']))})"
    )


@_builds(E.FOLD_BLOCKS_MISMATCH)
def _fold_mismatch(v: Values) -> Iterator[_Try]:
    kh, kw = _pair(v["kernel"])
    yield _Try(_fold_code(v), (1, kh * kw, _int(v["length"])))


@_builds(E.FOLD_BLOCKS_NONPOSITIVE)
def _fold_nonpositive(v: Values) -> Iterator[_Try]:
    kh, kw = _pair(v["kernel"])
    yield _Try(_fold_code(v), (1, kh * kw, max(math.prod(_pair(v["blocks"])), 1)))


@_builds(E.FOLD_OUTPUT_NONPOSITIVE)
def _fold_output(v: Values) -> Iterator[_Try]:
    sizes = _pair(v["output_size"])
    pads = tuple(max(0, math.ceil((1 - o) / 2)) for o in sizes)
    blocks = math.prod(o + 2 * p for o, p in zip(sizes, pads, strict=True))
    yield _Try(
        f"nn.Fold(output_size={_t(sizes)}, kernel_size=1, padding={_t(pads)})",
        (1, 1, max(blocks, 1)),
    )


# ---------------------------------------------------------------------------------------
# Checking a proposal and writing the command
# ---------------------------------------------------------------------------------------


# The note under the command, as a key of convshape.text's catalogues
_NO_NUMBERS = "repro.no_numbers"
_NOT_MODELLED = "repro.not_modelled"
_NO_MATCH = "repro.no_match"
_FOUND = "repro.found"
_CHOSEN = "repro.chosen"
_SIZE_FORM = "repro.size_form"


def _arg(text: str) -> str:
    return f'"{text}"' if re.fullmatch(r"[^\"$`\\!]*", text) else _shell_quote(text)


def _shell_quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _shape_arg(shape: Ints) -> str:
    return ",".join(map(str, shape)) if shape else "()"


def command(attempt: _Try) -> str:
    parts = ["convshape", "calc", _arg(attempt.layer), "--input", _shape_arg(attempt.input)]
    if attempt.weight is not None:
        parts += ["--weight", _shape_arg(attempt.weight)]
    if attempt.bias is not None:
        parts += ["--bias", _shape_arg(attempt.bias)]
    if attempt.output_size is not None:
        parts += ["--output-size", _shape_arg(attempt.output_size)]
    return " ".join(parts)


def _says(attempt: _Try, exc: str, message: str) -> bool:
    """Whether ``calc`` on ``attempt`` predicts exactly (exc, message), by the same path."""
    from convshape.core.engine import infer_spec
    from convshape.readers.parse import parse_layer

    try:
        spec = parse_layer(
            attempt.layer, weight=attempt.weight, bias=attempt.bias, output_size=attempt.output_size
        )
    except UsageError:
        return False
    if any(v < 0 for v in attempt.input):
        return False
    error = infer_spec(spec, attempt.input).error
    if error is None:
        return False
    return bool(error.matches(exc, message)) or (error.exc, _spaced(error.message)) == (
        exc,
        _spaced(message),
    )


def _spaced(message: str) -> str:
    """A message with its runs of spaces made one (a paste may double one)."""
    return " ".join(message.split())


def _layer_attempts(code: str, v: Mapping[str, str]) -> list[tuple[str, Ints]]:
    """Layers between convolutions that print this message: (layer code, input shape)."""
    if code == "CS801":  # mat1 and mat2: (rows x got) against (expected x out)
        return [(f"nn.Linear({v['expected']}, {v['out']})", (int(v["rows"]), int(v["got"])))]
    if code == "CS802":  # running_mean should contain {got} elements not {expected}
        got, expected = int(v["got"]), int(v["expected"])
        return [
            (f"nn.BatchNorm2d({expected})", (2, got, 4, 4)),
            (f"nn.BatchNorm1d({expected})", (2, got)),
        ]
    if code == "CS804":  # Expected more than 1 value per channel when training, ... {input}
        shape = _sizes(v["input"])
        if len(shape) < 2:
            return []
        dims = {2: 1, 3: 1, 4: 2, 5: 3}.get(len(shape))
        return [(f"nn.BatchNorm{dims}d({shape[1]})", shape)] if dims else []
    if code == "CS807":  # Given normalized_shape={normalized}, ... input of size{input}
        normalized, shape = _sizes(v["normalized"]), _sizes(v["input"])
        arg = str(normalized[0]) if len(normalized) == 1 else repr(list(normalized))
        return [(f"nn.LayerNorm({arg})", shape)] if normalized else []
    if code == "CS809":  # input.size(-3)={channels} is not divisible by {square}
        channels, square = int(v["channels"]), int(v["square"])
        factor = math.isqrt(square)
        if factor < 1 or factor * factor != square or channels < 1:
            return []
        return [(f"nn.PixelShuffle({factor})", (1, channels, 2, 2))]
    return []


def _plain(message: str) -> str:
    """A message with ``torch.Size([...])`` written as ``[...]`` (older torch's form)."""
    return re.sub(r"torch\.Size\((\[[-\d, ]*\])\)", r"\1", message)


def _reproduce_layer(
    kind: ErrorKind, exc: str, message: str, values: Mapping[str, str]
) -> tuple[str | None, str]:
    """A ``convshape calc`` command for a layer between convolutions (the stack path)."""
    from convshape.features.network import infer_stack, parse_stack

    try:
        attempts = _layer_attempts(kind.code, values)
    except (ValueError, KeyError):
        attempts = []
    if not attempts:
        return None, _NOT_MODELLED
    for layer, shape in attempts:
        try:
            failed = infer_stack(parse_stack(layer), shape).failed
        except UsageError:
            continue
        error = failed.error if failed is not None else None
        if error is None:
            continue
        if error.matches(exc, message):
            return command(_Try(layer, shape)), _FOUND
        if error.exc == exc and _spaced(_plain(error.message)) == _spaced(_plain(message)):
            return command(_Try(layer, shape)), _SIZE_FORM  # torch 2.13 prints torch.Size
    return None, _NO_MATCH


def counterpart(op: str, shape: Shape, weight: Shape) -> tuple[str, str | None, str | None] | None:
    """What torch 2.13 says for ``F.<op>(x, w)`` on these sizes: the ``calc`` command, the
    exception and the message (both None: it runs), or None (not a call the engine reads)."""
    from convshape.core.engine import infer_spec
    from convshape.readers.parse import parse_layer

    if not re.fullmatch(r"conv(?:_transpose)?[123]d", op) or min((*shape, *weight), default=0) < 0:
        return None
    attempt = _Try(f"F.{op}(x, w)", shape, weight)
    try:
        spec = parse_layer(attempt.layer, weight=weight)
    except UsageError:
        return None
    result = infer_spec(spec, shape)
    if result.error is None:
        return command(attempt), None, None
    return command(attempt), result.error.exc, result.error.message


def reproduce_layer(layer: str, shape: Shape, exc: str, message: str) -> tuple[str | None, str]:
    """The ``calc`` command running ``layer`` on ``shape`` when calc prints exactly (exc,
    message) for it, else None; and the note's text key."""
    attempt = _Try(layer, shape)
    try:
        if _says(attempt, exc, message):
            return command(attempt), _FOUND
    except (ValueError, KeyError, IndexError, TypeError, OverflowError):
        pass
    return None, _NO_MATCH


def reproduce(
    kind: ErrorKind, exc: str | None, message: str, values: Mapping[str, str]
) -> tuple[str | None, str]:
    """A ``convshape calc`` command that prints ``message``, or None; and the note's text key."""
    if kind.family == "layers":
        return _reproduce_layer(kind, exc or kind.exc, message, values)
    build = _BUILDERS.get(kind.code)
    if build is None:
        return None, _NO_NUMBERS
    target = exc or kind.exc
    try:
        for attempt in build(values):
            if _says(attempt, target, message):
                return command(attempt), _CHOSEN if attempt.chosen else _FOUND
    except (ValueError, KeyError, IndexError, TypeError, OverflowError):
        pass
    return None, _NO_MATCH
