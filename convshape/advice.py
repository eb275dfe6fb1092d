"""What a predicted torch error means and how to fix it, in plain words and code.

``advise(error, spec, shape)`` reads the values the engine put into the error (the same
fields torch prints) together with the layer and the input, and returns an :class:`Advice`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from . import errors as E
from .arithmetic import axis_names
from .code import layer_code
from .errors import ShapeError
from .specs import Conv, ConvCall, Pool, Shape, Spec

__all__ = ["Advice", "advise"]


@dataclass(frozen=True)
class Advice:
    explanation: str
    fixes: tuple[str, ...] = ()


Rule = Callable[[ShapeError, Spec | None, Shape | None], Advice]
_RULES: dict[str, Rule] = {}


def _rule(*kinds: E.ErrorKind) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for k in kinds:
            _RULES[k.code] = fn
        return fn

    return register


def _ints(text: str) -> list[int]:
    return [int(v) for v in re.findall(r"-?\d+", text)]


def _divisors(*values: int) -> list[int]:
    top = min((abs(v) for v in values if v), default=1)
    return [d for d in range(1, top + 1) if all(v % d == 0 for v in values)]


def _dims(spec: Spec | None) -> int:
    return spec.dims if spec is not None else 2


@_rule(E.CHANNEL_MISMATCH, E.TRANSPOSED_CHANNEL_MISMATCH)
def _channels(err: ShapeError, spec: Spec | None, shape: Shape | None) -> Advice:
    v = err.values
    expected, got = int(v["expected"]), int(v["got"])
    weight = _ints(v["weight"])
    shown = _ints(v["input"])
    where = (
        "weight.shape[0]"
        if err.kind is E.TRANSPOSED_CHANNEL_MISMATCH
        else (f"weight.shape[1] x groups = {weight[1]} x {v.get('groups', '1')}")
    )
    text = (
        f"The layer expects {expected} input channels ({where}), but the input "
        f"{E.sizes(shown)} has {got} channels at dimension 1."
    )
    if shape is not None and len(shape) == len(shown) - 1:
        text += (
            f" Your input {E.sizes(shape)} is unbatched: torch treats it as (C, ...) and shows "
            "it with a batch of 1."
        )
    fixes: list[str] = []
    if isinstance(spec, Conv):
        n = spec.dims
        fixed = replace(spec, in_channels=got)
        if got % spec.groups == 0:
            fixes.append(f"make the layer take {got} channels: {layer_code(fixed)}")
        adapter = Conv.make(n, got, expected, 1)
        fixes.append(
            f"or map {got} -> {expected} channels first: put {layer_code(adapter)} in front"
        )
    elif isinstance(spec, ConvCall):
        if err.kind is E.TRANSPOSED_CHANNEL_MISMATCH:
            w = (got, *weight[1:])
        else:
            g = spec.groups
            w = (weight[0], got // g if g > 0 and got % g == 0 else got, *weight[2:])
        fixes.append(f"use a weight of shape {tuple(w)} to match the input's {got} channels")
        fixes.append(f"or give the input {expected} channels")
    if len(shown) >= 4 and shown[-1] == expected in (1, 3, 4) and got != expected:
        fixes.append(
            f"the last dimension is {expected}: if the data is channels-last (N, H, W, C), "
            "permute it to channels-first: x.permute(0, 3, 1, 2)"
        )
    return Advice(text, tuple(fixes))


@_rule(E.KERNEL_TOO_BIG)
def _kernel_too_big(err: ShapeError, spec: Spec | None, shape: Shape | None) -> Advice:
    padded = _ints(err.values["padded"])
    spans = _ints(err.values["kernel"])
    names = axis_names(len(padded))
    pads = _padding_of(spec, len(padded))
    bad = [i for i in range(len(padded)) if padded[i] < spans[i]]
    parts = [
        f"{names[i]}: the padded input is {padded[i]} but the (dilated) kernel spans {spans[i]}"
        for i in bad
    ]
    text = "The kernel window does not fit in the padded input. " + "; ".join(parts) + "."
    fixes = []
    for i in bad:
        size = padded[i] - 2 * pads[i]
        min_size = spans[i] - 2 * pads[i]
        need = math.ceil((spans[i] - size) / 2)
        fixes.append(f"{names[i]}: use an input of at least {min_size} (it is {size})")
        fixes.append(f"{names[i]}: or padding of at least {need} on that axis keeps size {size}")
    return Advice(text, tuple(fixes))


def _padding_of(spec: Spec | None, n: int) -> list[int]:
    pad = getattr(spec, "padding", None)
    if isinstance(pad, tuple) and pad:
        return [pad[i] if len(pad) == n else pad[0] for i in range(n)]
    return [0] * n


@_rule(E.INPUT_RANK)
def _rank(err: ShapeError, spec: Spec | None, shape: Shape | None) -> Advice:
    got = _ints(err.values["input"])
    unbatched, batched = int(err.values["unbatched"]), int(err.values["batched"])
    n = batched - 2
    layout = ", ".join(["N", "C", *axis_names(n)])
    text = (
        f"{err.values['op']} takes a {batched}-d input ({layout}) or a {unbatched}-d unbatched "
        f"one, but the input has {len(got)} dimensions: {E.sizes(got)}."
    )
    fixes = []
    if len(got) == unbatched - 1:
        fixes.append("add the missing batch/channel dimension: x.unsqueeze(0).unsqueeze(0)")
    elif len(got) == batched + 1:
        fixes.append(
            "remove an extra dimension (x.squeeze(...)), or use the "
            f"{n + 1}-d layer (e.g. Conv{n + 1}d)"
        )
    elif len(got) > batched:
        fixes.append("reshape the input to (N, C, ...) with the spatial axes last")
    if len(got) in (unbatched, batched) or got[-1:] == [3]:
        fixes.append("an image in (H, W, C) order needs x.permute(2, 0, 1) (or (0, 3, 1, 2))")
    return Advice(text, tuple(fixes))


@_rule(
    E.GROUPS_DIVIDE_WEIGHT,
    E.GROUPS_EXCEED_WEIGHT,
    E.IN_CHANNELS_GROUPS,
    E.OUT_CHANNELS_GROUPS,
    E.GROUPS_POSITIVE,
    E.GROUPS_NONPOSITIVE,
)
def _groups(err: ShapeError, spec: Spec | None, shape: Shape | None) -> Advice:
    text = (
        "groups splits the channels into equal groups, so it must be a positive number "
        "that divides both the input and the output channel counts."
    )
    fixes = []
    if isinstance(spec, Conv):
        ok = _divisors(spec.in_channels, spec.out_channels)
        fixes.append(
            f"groups that work for in_channels={spec.in_channels}, "
            f"out_channels={spec.out_channels}: {', '.join(map(str, ok))}"
        )
    elif isinstance(spec, ConvCall) and spec.weight:
        fixes.append(f"groups must divide weight.shape[0]={spec.weight[0]}")
    return Advice(text, tuple(fixes))


@_rule(E.BIAS_SHAPE, E.TRANSPOSED_BIAS_SHAPE)
def _bias(err: ShapeError, spec: Spec | None, shape: Shape | None) -> Advice:
    n = err.values["expected"]
    return Advice(
        f"The bias adds one value per output channel, so it must have shape ({n},); "
        f"it has {err.values['bias']}.",
        (f"use b = torch.zeros({n})", "or pass bias=None"),
    )


_SIMPLE: dict[str, tuple[str, tuple[str, ...]]] = {
    E.NEGATIVE_PADDING.code: (
        "Padding must be 0 or more: it adds rows/columns of zeros around the input.",
        ("use padding >= 0; to crop, slice the input or use F.pad with negative values",),
    ),
    E.NONPOSITIVE_STRIDE.code: (
        "Stride is the step between windows and must be 1 or more.",
        ("use stride >= 1",),
    ),
    E.NEGATIVE_DILATION.code: (
        "Dilation is the spacing between kernel taps and must be 1 or more (1 = no gaps).",
        ("use dilation >= 1",),
    ),
    E.DILATION_ZERO_MKLDNN.code: (
        "Dilation 0 is not a valid spacing between kernel taps (1 = no gaps). torch's message "
        "depends on its CPU backend (oneDNN or the slow kernels).",
        ("use dilation >= 1",),
    ),
    E.SAME_STRIDED.code: (
        "padding='same' keeps the size, which is only possible with stride 1.",
        (
            "use stride=1 with padding='same'",
            "or, for stride s, use padding=d*(k-1)//2 numerically: the output is about ceil(L/s)",
        ),
    ),
    E.NEGATIVE_OUTPUT_PADDING.code: (
        "output_padding adds rows at the end of a transposed conv's output and must be >= 0.",
        ("use output_padding >= 0",),
    ),
    E.OUTPUT_PADDING_TOO_BIG.code: (
        "output_padding only resolves the ambiguity a stride creates, so it must be smaller "
        "than the stride or the dilation on every axis.",
        ("use output_padding < stride (e.g. stride - 1)", "or pass output_size= to forward"),
    ),
    E.TRANSPOSED_OUTPUT_TOO_SMALL.code: (
        "The transposed convolution's output size, (L-1)*s - 2p + d(k-1) + op + 1, is below 1.",
        ("reduce the padding", "or use a larger input, stride or kernel"),
    ),
    E.PARAM_LENGTH.code: (
        "Each of stride, padding, dilation takes one value (for every axis) or exactly one "
        "value per spatial axis of the weight.",
        ("give one value, or one per spatial axis",),
    ),
    E.WEIGHT_INPUT_RANK.code: (
        "The weight and the input must have the same number of dimensions.",
        ("check that the layer's dimensionality (1d/2d/3d) matches the input",),
    ),
    E.EMPTY_INPUT.code: (
        "A spatial dimension of the input is 0; torch only accepts a zero batch or zero channels.",
        ("check the shapes upstream: a previous layer reduced a spatial axis to 0",),
    ),
    E.REFLECT_PAD_TOO_BIG.code: (
        "Reflection padding mirrors the input, so each side's padding must be smaller than "
        "that axis's size.",
        ("use padding_mode='replicate' or 'zeros'", "or a larger input, or less padding"),
    ),
    E.CIRCULAR_WRAP.code: (
        "Circular padding wraps the input around once at most: padding must not exceed the size.",
        ("use less padding or a larger input",),
    ),
    E.MODULE_PADDING_MODE.code: (
        "padding_mode must be 'zeros', 'reflect', 'replicate' or 'circular'.",
        ("use one of the four modes",),
    ),
    E.MODULE_PADDING_STRING.code: (
        "A padding string must be 'same' or 'valid'.",
        ("use padding='same', padding='valid', or numbers",),
    ),
    E.MODULE_SAME_STRIDED.code: (
        "padding='same' keeps the size, which is only possible with stride 1.",
        (
            "use stride=1 with padding='same'",
            "or, for stride s, use padding=d*(k-1)//2 numerically: the output is about ceil(L/s)",
        ),
    ),
    E.TRANSPOSE_PADDING_MODE.code: (
        "Transposed convolutions only support zero padding.",
        ("use padding_mode='zeros'", "or pad the input with F.pad(..., mode=...) yourself"),
    ),
}


def advise(err: ShapeError, spec: Spec | None = None, shape: Shape | None = None) -> Advice:
    """Explain ``err`` (raised for ``spec`` on ``shape``) and suggest fixes."""
    rule = _RULES.get(err.code)
    if rule is not None:
        return rule(err, spec, shape)
    if err.code in _SIMPLE:
        text, fixes = _SIMPLE[err.code]
        return Advice(text, fixes)
    if err.variants:
        return Advice(
            "torch raises here; its exact message depends on which CPU kernel it picks "
            "(each variant is listed with its condition).",
        )
    return Advice(_generic(err, spec))


def _generic(err: ShapeError, spec: Spec | None) -> str:
    family = {
        "pool": "The pooling layer's arguments or input do not fit together",
        "adaptive": "The adaptive pooling layer's output size or input is not valid",
        "fold": "Unfold/Fold's arguments and the input's shape do not agree",
        "pad": "The padding_mode padding cannot be applied to this input",
        "module": "The layer's constructor rejects these arguments",
    }.get(err.kind.family, "torch rejects this call")
    hint = ""
    if isinstance(spec, Pool) and "pad" in err.kind.name:
        hint = " Pooling padding must be at most half the kernel size (padding <= kernel // 2)."
    elif "small" in err.kind.name:
        hint = " The computed output size is below 1: use a larger input or a smaller kernel."
    return f"{family} ({err.kind.name}).{hint}"
