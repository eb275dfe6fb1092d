"""What a torch error means and how to fix it, in plain words and code, in English or Japanese.

``advise(error, spec, shape, lang=...)`` reads the values in the error (the same fields torch
prints, see :mod:`convshape.core.errors`) together with the layer and the input when they
are known, and returns an :class:`Advice`. It serves every command: ``calc`` (one layer or
a stack, conv family and the layers of :mod:`convshape.ops` alike), ``lint`` and
``explain`` (which has only the values parsed out of torch's message; ``spec`` is then a
layer rebuilt from those numbers, or None). Errors with computed advice (channel counts,
sizes, factorisations, the layer's code) have a rule here; every other code has the fixed
text ``CSnnn.*`` of the catalogue. All the words are in :mod:`convshape.text`'s catalogues.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from convshape.core import errors as E
from convshape.core.arithmetic import axis_names
from convshape.core.code import layer_code
from convshape.core.errors import ShapeError
from convshape.core.shapes import Shape
from convshape.features.layout import channels_last_first, looks_spatial, readings
from convshape.ops import Conv, ConvCall, Pool, Spec
from convshape.text import LANGS, Lang, has, text

if TYPE_CHECKING:
    from convshape.ops import LayerSpec

__all__ = ["LANGS", "Advice", "Lang", "advise", "factorisations"]


@dataclass(frozen=True)
class Advice:
    """What happened (``explanation``), how to fix it (``fixes``) and the likely cause."""

    explanation: str
    fixes: tuple[str, ...] = ()
    cause: str = ""


Rule = Callable[[ShapeError, "Spec | LayerSpec | None", Shape | None, Lang], Advice]
_RULES: dict[str, Rule] = {}


def _rule(*kinds: E.ErrorKind) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for k in kinds:
            _RULES[k.code] = fn
        return fn

    return register


def _ints(text: str) -> list[int]:
    return [int(v) for v in re.findall(r"-?\d+", text)]


def _int(text: str) -> int:
    """A field torch prints as one integer (raises ValueError for anything else)."""
    return int(text.strip())


_DIVISOR_SCAN = 100_000  # trial divisions at most: divisors are listed, never all searched
_DIVISORS_SHOWN = 16


def _divisors(*values: int) -> list[int]:
    """The common divisors of ``values`` (zeros ignored; ``[1]`` when all are zero), in
    increasing order, as far as a bounded search finds them: every divisor up to
    ``_DIVISOR_SCAN`` and its cofactor, so the list is complete below ``_DIVISOR_SCAN**2``."""
    g = math.gcd(*(abs(v) for v in values)) or 1
    small: list[int] = []
    large: list[int] = []
    for d in range(1, min(math.isqrt(g), _DIVISOR_SCAN) + 1):
        if g % d == 0:
            small.append(d)
            if d * d != g:
                large.append(g // d)
    return small + large[::-1]


def _divisor_text(*values: int) -> str:
    """The common divisors, all of them when there are few, else the first ones, '...'
    and the largest."""
    found = _divisors(*values)
    g = found[-1]
    complete = math.isqrt(g) <= _DIVISOR_SCAN
    if complete and len(found) <= _DIVISORS_SHOWN:
        return ", ".join(map(str, found))
    head = [d for d in found[: _DIVISORS_SHOWN - 2] if d != g]
    return ", ".join(map(str, head)) + ", ..., " + str(g)


_FACTOR_SIDE = 4096  # the largest H (and W up to 2*H) factorisations consider


def factorisations(n: int, limit: int = 6) -> list[tuple[int, int, int]]:
    """Plausible ``(C, H, W)`` with ``C*H*W == n`` and square-ish spatial sizes, likeliest
    first: square maps with a power-of-two channel count, then other squares, then
    near-squares (``H`` and ``W`` within a factor of two). ``H`` is at most
    ``_FACTOR_SIDE`` (feature maps are that small), so the search is bounded whatever
    ``n`` is."""
    if n <= 0:
        return []
    found: list[tuple[int, int, int]] = []
    for h in range(2, min(math.isqrt(n), _FACTOR_SIDE) + 1):
        if n % h:
            continue
        rest = n // h
        for w in range(h, min(2 * h, rest) + 1):
            if rest % w == 0:
                found.append((rest // w, h, w))

    def rank(f: tuple[int, int, int]) -> tuple[int, int, int]:
        c, h, w = f
        power_of_two = c & (c - 1) == 0
        return (0 if h == w else 1, 0 if power_of_two else 1, -c if h == w else h)

    found.sort(key=rank)
    return found[:limit]


def _factor_text(n: int) -> str:
    return ", ".join(f"{c}*{h}*{w}" for c, h, w in factorisations(n))


# ---------------------------------------------------------------------------------------
# Rules with computed advice
# ---------------------------------------------------------------------------------------


@_rule(E.CHANNEL_MISMATCH, E.TRANSPOSED_CHANNEL_MISMATCH)
def _channels(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    v = err.values
    expected, got = _int(v["expected"]), _int(v["got"])
    weight = _ints(v["weight"])
    shown = _ints(v["input"])
    transposed = err.kind is E.TRANSPOSED_CHANNEL_MISMATCH
    where = (
        "weight.shape[0]"
        if transposed
        else f"weight.shape[1] x groups = {weight[1]} x {v.get('groups', '1')}"
    )
    said = text(
        "advice.channels.text", lang, expected=expected, where=where, input=E.sizes(shown), got=got
    )
    if shape is not None and len(shape) == len(shown) - 1:
        said += text("advice.channels.unbatched", lang, shape=E.sizes(shape))
    fixes: list[str] = []
    if isinstance(spec, Conv):
        fixed = replace(spec, in_channels=got)
        if spec.groups > 0 and got % spec.groups == 0:
            fixes.append(text("advice.channels.fix_layer", lang, got=got, code=layer_code(fixed)))
        adapter = layer_code(Conv.make(spec.dims, got, expected, 1))
        fixes.append(
            text("advice.channels.fix_adapter", lang, got=got, expected=expected, code=adapter)
        )
    elif isinstance(spec, ConvCall):
        if transposed:
            w = (got, *weight[1:])
        else:
            g = spec.groups
            w = (weight[0], got // g if g > 0 and got % g == 0 else got, *weight[2:])
        fixes.append(text("advice.channels.fix_weight", lang, weight=tuple(w), got=got))
        fixes.append(text("advice.channels.fix_input", lang, expected=expected))
    cause = text("advice.channels.cause", lang)

    def permute() -> str:
        """Channels-last to channels-first: the last axis moved to position 1."""
        order = ", ".join(map(str, (0, len(shown) - 1, *range(1, len(shown) - 1))))
        moved = (shown[0], shown[-1], *shown[1:-1])
        return text(
            "advice.channels.fix_permute",
            lang,
            expected=expected,
            order=order,
            shape=E.sizes(moved),
        )

    if channels_last_first(tuple(shown), expected) and got != expected:
        # channels-last data: the likeliest reading, so its fix comes first
        fixes.insert(0, permute())
        cause = text("advice.channels.cause_last", lang, expected=expected, input=E.sizes(shown))
    elif _unbatched_no_channel(shown, expected, got, transposed):
        # torch read a 3-d (batch, H, W) input as one unbatched sample of {got} channels
        fixes.insert(
            0,
            text(
                "advice.channels.fix_unsqueeze",
                lang,
                got=got,
                shape=E.sizes((got, 1, *shown[2:])),
            ),
        )
        cause = text("advice.channels.cause_unbatched", lang, got=got)
    elif len(shown) >= 4 and shown[-1] == expected in (1, 3, 4) and got != expected:
        fixes.append(permute())
    return Advice(said, tuple(fixes), cause)


def _unbatched_no_channel(shown: list[int], expected: int, got: int, transposed: bool) -> bool:
    """A (batch, H, W) input torch took for one unbatched sample: the layer takes one channel,
    torch shows a batch of 1, and the "channels" look like a batch size before an image."""
    return (
        not transposed
        and expected == 1
        and len(shown) >= 4
        and shown[0] == 1
        and got not in (1, 2, 3, 4)
        and looks_spatial(*shown[2:])
    )


@_rule(E.KERNEL_TOO_BIG)
def _kernel_too_big(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    padded = _ints(err.values["padded"])
    spans = _ints(err.values["kernel"])
    if len(padded) != len(spans) or not padded:
        raise ValueError("padded and kernel sizes differ in length")
    names = axis_names(len(padded))
    bad = [i for i in range(len(padded)) if padded[i] < spans[i]]
    axes = text("advice.join.clause", lang).join(
        text("advice.kernel.axis", lang, axis=names[i], padded=padded[i], span=spans[i])
        for i in bad
    )
    said = text("advice.kernel.text", lang, axes=axes)
    cause = text("advice.kernel.cause", lang)
    fixes = []
    if spec is None:
        for i in bad:
            short = spans[i] - padded[i]
            fixes.append(
                text(
                    "advice.kernel.fix_padded",
                    lang,
                    axis=names[i],
                    span=spans[i],
                    padded=padded[i],
                    short=short,
                    pad=math.ceil(short / 2),
                )
            )
        smaller = " x ".join(str(min(p, k)) for p, k in zip(padded, spans, strict=True))
        fixes.insert(1, text("advice.kernel.fix_smaller", lang, kernel=smaller))
        return Advice(said, tuple(fixes), cause)
    pads = _padding_of(spec, len(padded))
    for i in bad:
        size = padded[i] - 2 * pads[i]
        min_size = spans[i] - 2 * pads[i]
        need = math.ceil((spans[i] - size) / 2)
        fixes.append(
            text("advice.kernel.fix_input", lang, axis=names[i], min_size=min_size, size=size)
        )
        fixes.append(text("advice.kernel.fix_padding", lang, axis=names[i], need=need, size=size))
    smaller = " x ".join(str(min(p, k)) for p, k in zip(padded, spans, strict=True))
    fixes.insert(1, text("advice.kernel.fix_smaller", lang, kernel=smaller))
    return Advice(said, tuple(fixes), cause)


def _padding_of(spec: Spec | LayerSpec | None, n: int) -> list[int]:
    pad = getattr(spec, "padding", None)
    if isinstance(pad, tuple) and pad:
        return [pad[i] if len(pad) == n else pad[0] for i in range(n)]
    return [0] * n


@_rule(E.INPUT_RANK)
def _rank(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    got = _ints(err.values["input"])
    unbatched, batched = _int(err.values["unbatched"]), _int(err.values["batched"])
    n = batched - 2
    said = text(
        "advice.rank.text",
        lang,
        op=err.values["op"],
        batched=batched,
        layout=", ".join(["N", "C", *(axis_names(n) if n <= 8 else ("d0", "...", f"d{n - 1}"))]),
        unbatched=unbatched,
        ndim=len(got),
        input=E.sizes(got),
    )
    channels = out = None
    kernel: tuple[int, ...] = ()
    if isinstance(spec, Conv):
        channels, out, kernel = spec.in_channels, spec.out_channels, tuple(spec.kernel_size)
    elif isinstance(spec, ConvCall) and spec.weight:
        w = spec.weight
        channels = w[0] if spec.transposed else w[1] * max(spec.groups, 1)
        out = w[1] * max(spec.groups, 1) if spec.transposed else w[0]
        kernel = tuple(w[2:])
    transposed = err.values["op"].startswith("conv_transpose")
    return _layout_advice(said, tuple(got), n, channels, out, kernel, transposed, lang)


def _layout_advice(
    said: str,
    got: Shape,
    n: int,
    channels: int | None,
    out: int | None,
    kernel: tuple[int, ...],
    transposed: bool,
    lang: Lang,
) -> Advice:
    """Advice for an input of the wrong number of dimensions: the readings its sizes allow
    (:mod:`convshape.features.layout`), likeliest first, each saying what it assumes."""
    found = readings(got, n, channels, out, kernel, transposed)
    fixes = [f.fix(lang) for f in found[:4]]
    if not found:
        if len(got) > n + 2:
            fixes.append(
                text("advice.layout.too_many", lang, extra=len(got) - n - 2, batched=n + 2)
            )
        elif len(got) < n + 1:
            fixes.append(text("advice.layout.too_few", lang, batched=n + 2))
        if got[-1:] == (3,):
            fixes.append(text("advice.rank.fix_permute", lang))
    cause = found[0].cause(lang) if found else text("advice.rank.cause", lang)
    return Advice(said, tuple(fixes), cause)


@_rule(E.WEIGHT_INPUT_RANK, E.SAME_WEIGHT_INPUT_RANK)
def _weight_rank(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    v = err.values
    wdim = _int(v["wdim"])
    weight = _ints(v["weight"])[:wdim]  # torch 1.x printed it as "64 3 7 7" (and more)
    got = tuple(_ints(v["input"]))
    if len(weight) < 3 or len(got) != _int(v["idim"]):
        raise ValueError("the fixed text applies")
    base = _fixed(err, lang)
    advice = _layout_advice(
        base.explanation, got, wdim - 2, weight[1], weight[0], tuple(weight[2:]), False, lang
    )
    if not advice.fixes:
        return base
    return advice


@_rule(
    E.GROUPS_DIVIDE_WEIGHT,
    E.GROUPS_EXCEED_WEIGHT,
    E.IN_CHANNELS_GROUPS,
    E.OUT_CHANNELS_GROUPS,
    E.GROUPS_POSITIVE,
    E.GROUPS_NONPOSITIVE,
)
def _groups(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    said = text("advice.groups.text", lang)
    v = err.values
    if "groups" in v and "weight" in v:
        w = _ints(v["weight"])
        said += text("advice.groups.weight", lang, groups=v["groups"], weight=E.sizes(w), out=w[0])
    fixes = []
    if isinstance(spec, Conv):
        ok = _divisor_text(spec.in_channels, spec.out_channels)
        fixes.append(
            text(
                "advice.groups.fix_layer",
                lang,
                in_channels=spec.in_channels,
                out_channels=spec.out_channels,
                ok=ok,
            )
        )
    elif isinstance(spec, ConvCall) and spec.weight:
        fixes.append(text("advice.groups.fix_call", lang, out=spec.weight[0]))
    elif "weight" in v:
        out = _ints(v["weight"])[0]
        fixes.append(text("advice.groups.fix_weight", lang, out=out, ok=_divisor_text(out)))
    else:
        fixes.append(text("advice.groups.fix", lang))
    return Advice(said, tuple(fixes), text("advice.groups.cause", lang))


@_rule(E.BIAS_SHAPE, E.TRANSPOSED_BIAS_SHAPE)
def _bias(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    n = _int(err.values["expected"])
    return Advice(
        text("advice.bias.text", lang, n=n, bias=err.values["bias"]),
        (text("advice.bias.fix_zeros", lang, n=n), text("advice.bias.fix_none", lang)),
        text("advice.bias.cause", lang),
    )


@_rule(E.TRANSPOSED_OUTPUT_TOO_SMALL)
def _transposed_small(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    sizes_in = _ints(err.values["input"])
    outs = _ints(err.values["output"])
    if not [a for a, o in zip(sizes_in, outs, strict=True) if o < 1]:
        raise ValueError("no axis is too small")
    said = text(
        "advice.transposed.text", lang, input=err.values["input"], output=err.values["output"]
    )
    fixes = (
        text("advice.transposed.fix_padding", lang, short=max(1 - o for o in outs)),
        text("advice.transposed.fix_larger", lang),
    )
    return Advice(said, fixes, text("advice.transposed.cause", lang))


@_rule(E.POOL_OUTPUT_TOO_SMALL)
def _pool_small(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    sizes_in = _ints(err.values["input"])
    outs = _ints(err.values["output"])
    if len(sizes_in) != len(outs) or len(sizes_in) < 2:
        raise ValueError("input and output sizes differ in length")
    spatial = list(zip(sizes_in[1:], outs[1:], strict=True))
    names = axis_names(len(spatial))
    bad = [f"{names[i]}: {a} -> {o}" for i, (a, o) in enumerate(spatial) if o < 1]
    said = text(
        "advice.pool.text",
        lang,
        input=err.values["input"],
        output=err.values["output"],
        axes=text("advice.join.list", lang).join(bad),
    )
    fixes: list[str] = []
    if isinstance(spec, Pool):
        fixes.append(text("advice.pool.fix_layer", lang))
    else:
        smallest = min(a for a, o in spatial if o < 1)
        fixes.append(text("advice.pool.fix_smallest", lang, smallest=smallest))
        fixes.append(text("advice.pool.fix", lang))
    return Advice(said, tuple(fixes), text("advice.pool.cause", lang))


# ---------------------------------------------------------------------------------------
# The layers between convolutions (convshape.ops), imported only when needed
# ---------------------------------------------------------------------------------------


@_rule(E.LINEAR_MISMATCH)
def _linear(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    from convshape.ops import Linear

    v = err.values
    rows, got, expected, out = (_int(v[k]) for k in ("rows", "got", "expected", "out"))
    said = text("advice.linear.text", lang, expected=expected, out=out, rows=rows, got=got)
    facts = _factor_text(got)
    if facts:
        said += text("advice.linear.flattened", lang, got=got, factors=facts)
    built = _factor_text(expected)
    if built:
        said += text("advice.linear.built", lang, expected=expected, factors=built)
    taking = f"nn.Linear({got}, {out})"
    if isinstance(spec, Linear):
        taking = layer_code(replace(spec, in_features=got))
    fixes = [text("advice.linear.fix_features", lang, got=got, code=taking)]
    if isinstance(spec, Linear) and shape is not None and len(shape) > 2:
        flat = math.prod(shape[1:])
        flattened = layer_code(replace(spec, in_features=flat))
        fixes.append(
            text("advice.linear.fix_flatten", lang, ndim=len(shape) - 1, flat=flat, code=flattened)
        )
    fixes.append(text("advice.linear.fix_lazy", lang, out=out))
    fixes.append(text("advice.linear.fix_pool", lang, expected=expected))
    return Advice(said, tuple(fixes), text("advice.linear.cause", lang))


@_rule(E.BATCHNORM_FEATURES)
def _batchnorm(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    from convshape.ops import BatchNorm, InstanceNorm

    got, expected, name = _int(err.values["got"]), _int(err.values["expected"]), "BatchNorm"
    fix = text("advice.batchnorm.fix", lang, got=got)
    if isinstance(spec, BatchNorm | InstanceNorm):  # torch's numbers count batch * channels
        got, expected, name = _norm_channels(spec, shape, got), spec.num_features, spec.cls
        fix = text("advice.batchnorm.fix_layer", lang, code=_norm_code(spec, got))
    said = text("advice.batchnorm.text", lang, layer=name, expected=expected, got=got)
    cause = text("advice.batchnorm.cause", lang, layer=name)
    if isinstance(spec, BatchNorm | InstanceNorm):
        if not (shape and len(shape) == 3 and shape[-1] == expected and spec.dims == 1):
            return Advice(said, (fix,), cause)
        got = shape[1]  # (N, L, C) into BatchNorm1d: known from the shape
    elif got == expected:
        return Advice(said, (fix,), cause)
    nlc = text("advice.batchnorm.fix_nlc", lang, got=got, expected=expected)
    if isinstance(spec, BatchNorm | InstanceNorm) or _positions_like(got, expected):
        cause = text("advice.batchnorm.cause_nlc", lang, got=got, expected=expected)
        return Advice(said, (nlc, fix), cause)
    return Advice(said, (fix, nlc), cause)


def _positions_like(got: int, expected: int) -> bool:
    """Whether ``got`` looks like a number of positions or tokens rather than a channel
    count next to ``expected`` features: not a multiple of 8 (1, 36 = 6*6, 197 = 14*14 + 1)
    while the features are a width of at least 16."""
    return expected >= 16 and got % 8 != 0


@_rule(E.BATCHNORM_RANK)
def _batchnorm_rank(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    """BatchNorm, InstanceNorm and the padding modules take inputs of some ranks only; a
    rank below the smallest is a lost dimension (a batch of 1 lost by squeeze())."""
    if spec is not None:
        return _norm_rank(err, spec, shape, lang)
    ranks, got = _ints(err.values["expected"]), _int(err.values["got"])
    if not ranks or got >= min(ranks):
        raise ValueError("the fixed text applies")
    base = _fixed(err, lang)
    squeeze = text("advice.norm_rank.fix_squeeze", lang)
    if got == 1:  # (C,): a batch of 1 squeezed away
        cause = text("advice.norm_rank.cause_squeezed", lang)
        return Advice(base.explanation, (squeeze, *base.fixes), cause)
    if got == min(ranks) - 1:  # (C, H, W) for BatchNorm2d: one sample, or (N, C, L) data
        unsqueeze = text("advice.norm_rank.fix_unsqueeze", lang)
        cause = text("advice.norm_rank.cause_missing", lang)
        return Advice(base.explanation, (unsqueeze, squeeze, *base.fixes), cause)
    raise ValueError("the fixed text applies")  # e.g. (N, C) into BatchNorm2d: wrong layer


def _norm_channels(spec: LayerSpec, shape: Shape | None, got: int) -> int:
    """The input's channel count: dimension 1, or 0 for an unbatched InstanceNorm input."""
    from convshape.ops import InstanceNorm

    if isinstance(spec, InstanceNorm) and shape and len(shape) == spec.dims + 1:
        return shape[0]
    return shape[1] if shape and len(shape) > 1 else got


def _norm_code(spec: LayerSpec, channels: int) -> str:
    from convshape.ops import BatchNorm, InstanceNorm

    if not isinstance(spec, BatchNorm | InstanceNorm):
        raise ValueError("not a norm with num_features")
    return layer_code(replace(spec, num_features=channels))


@_rule(E.BATCHNORM_WEIGHT_FEATURES, E.INSTANCENORM_FEATURES)
def _norm_features(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    from convshape.ops import BatchNorm, InstanceNorm

    if not isinstance(spec, BatchNorm | InstanceNorm):
        raise ValueError("the fixed text applies")
    base = _fixed(err, lang)
    if err.kind is E.INSTANCENORM_FEATURES:
        fix = text("advice.use", lang, code=_norm_code(spec, _int(err.values["got"])))
    else:
        code = _norm_code(spec, _norm_channels(spec, shape, _int(err.values["got"])))
        fix = text("advice.batchnorm.fix_layer", lang, code=code)
    return replace(base, fixes=(fix,))


def _norm_rank(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    """The rank advice for a known layer (BatchNorm, InstanceNorm, a padding module)."""
    from convshape.ops import BatchNorm, InstanceNorm, Pad

    if not isinstance(spec, BatchNorm | InstanceNorm | Pad):
        raise ValueError("the fixed text applies")
    rank = len(shape or ())
    fixes: list[str] = []
    if rank in (2, 3, 4, 5):
        if isinstance(spec, BatchNorm):
            code = layer_code(replace(spec, dims={2: 1, 3: 1, 4: 2, 5: 3}[rank]))
        elif isinstance(spec, InstanceNorm):
            code = layer_code(replace(spec, dims=max(1, rank - 2)))
        else:
            code = f"nn.{spec.kind.capitalize()}Pad{max(1, rank - 2)}d"
        fixes.append(text("advice.norm_rank.fix", lang, code=code, ndim=rank))
    if isinstance(spec, BatchNorm):
        base = _fixed(err, lang)
        return replace(base, fixes=tuple(fixes) or base.fixes)
    return Advice(text("advice.norm_rank.text", lang, layer=spec.cls, ndim=rank), tuple(fixes))


@_rule(E.GROUPNORM_GROUPS)
def _groupnorm_groups(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    channels, groups = _int(err.values["channels"]), _int(err.values["groups"])
    return Advice(
        text("advice.groupnorm_groups.text", lang, channels=channels, groups=groups),
        (text("advice.groupnorm_groups.fix", lang, channels=channels, ok=_divisor_text(channels)),),
        text("advice.groupnorm_groups.cause", lang),
    )


@_rule(E.GROUPNORM_INPUT_GROUPS)
def _groupnorm_input_groups(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    if shape is None or len(shape) < 2:
        raise ValueError("the fixed text applies")
    channels = shape[1]
    fix = text("advice.groupnorm_groups.fix", lang, channels=channels, ok=_divisor_text(channels))
    return replace(_fixed(err, lang), fixes=(fix,))


@_rule(E.GROUPNORM_CHANNELS)
def _groupnorm(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    from convshape.ops import GroupNorm

    weight = _ints(err.values["weight"])
    given = _ints(err.values["input"])
    if len(weight) != 1 or len(given) < 2:
        raise ValueError("unexpected GroupNorm shapes")
    c = given[1]
    fix = text("advice.groupnorm.fix", lang, channels=c)
    if isinstance(spec, GroupNorm):
        if c % spec.num_groups:
            fix = text("advice.groupnorm_groups.fix", lang, channels=c, ok=_divisor_text(c))
        else:
            fix = text("advice.use", lang, code=layer_code(replace(spec, num_channels=c)))
    return Advice(
        text("advice.groupnorm.text", lang, weight=weight[0], input=E.sizes(given), channels=c),
        (fix,),
        text("advice.groupnorm.cause", lang),
    )


@_rule(E.LAYERNORM_SHAPE)
def _layernorm(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    from convshape.ops import LayerNorm

    if not isinstance(spec, LayerNorm) or shape is None:
        raise ValueError("the fixed text applies")
    n = len(spec.normalized_shape)
    tail = shape[-n:] if 0 < n <= len(shape) else shape[-1:]
    code = layer_code(replace(spec, normalized_shape=tuple(tail)))
    return replace(_fixed(err, lang), fixes=(text("advice.use", lang, code=code),))


@_rule(E.PIXEL_SHUFFLE_CHANNELS)
def _pixel_shuffle(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    from convshape.ops import PixelShuffle

    if not isinstance(spec, PixelShuffle):
        raise ValueError("the fixed text applies")
    sq, c = spec.factor**2, _int(err.values["channels"])
    base = _fixed(err, lang)
    up, down = ((c + sq - 1) // sq) * sq, max(sq, c // sq * sq)
    return replace(base, fixes=(text("advice.pixel_shuffle.fix", lang, up=up, down=down),))


@_rule(E.DIM_OUT_OF_RANGE)
def _dim(err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang) -> Advice:
    from convshape.core.registry import LAYERS, family_of

    if spec is None or family_of(spec).group != LAYERS:
        raise ValueError("the fixed text applies")  # the conv family's own dim checks
    v = err.values
    return Advice(
        text("advice.dim.text", lang, ndim=len(shape or ())),
        (text("advice.dim.fix", lang, low=v["low"], high=v["high"]),),
    )


@_rule(E.NARROW_NEGATIVE)
def _crop(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    from convshape.ops import Pad

    if not isinstance(spec, Pad):
        raise ValueError("the fixed text applies")  # padding='same' of the conv family
    return Advice(text("advice.crop.text", lang), (text("advice.crop.fix", lang),))


# ---------------------------------------------------------------------------------------
# Fixed texts and the entry point
# ---------------------------------------------------------------------------------------


def _fixed(err: ShapeError, lang: Lang) -> Advice:
    """The catalogue's ``CSnnn`` texts, or the family's when the code has none."""
    code, family = err.code, f"family.{err.kind.family}"
    values = dict(err.values)
    cause = f"{code}.cause" if has(f"{code}.cause", lang) else f"{family}.cause"
    if not has(f"{code}.what", lang):
        return Advice(text(f"{family}.what", lang, **values), (), text(cause, lang))
    fixes: list[str] = []
    while has(f"{code}.fix.{len(fixes) + 1}", lang):
        fixes.append(text(f"{code}.fix.{len(fixes) + 1}", lang, **values))
    return Advice(text(f"{code}.what", lang, **values), tuple(fixes), text(cause, lang, **values))


# Widths of pretrained encoders and transformers (CLIP ViT-B/L/H/bigG, SigLIP, T5, LLMs):
# a Linear or LayerNorm between two of them is most likely a model/checkpoint mismatch.
_EMBEDDING_WIDTHS = frozenset(
    {768, 1024, 1152, 1280, 1536, 1664, 2048, 2560, 3072, 3584, 4096, 5120, 8192, 12288}
)
# Latent channel counts of diffusion VAEs (4: SD 1.x/SDXL, 16: SD3/Flux; 5, 8, 9 with masks).
_LATENT_CHANNELS = frozenset({4, 5, 8, 9, 16})


def _pretrained(err: ShapeError, lang: Lang) -> tuple[str, str] | None:
    """A likely cause and first fix when the numbers are those of pretrained models: two
    embedding widths, or two diffusion latent channel counts (None: nothing points there)."""
    v = err.values
    try:
        if err.kind is E.LINEAR_MISMATCH:
            got, expected = _int(v["got"]), _int(v["expected"])
            tokens = _int(v["rows"]) == 77
        elif err.kind is E.LAYERNORM_SHAPE:
            shape = _ints(v["input"])
            got, expected = shape[-1], _ints(v["normalized"])[-1]
            tokens = 77 in shape[:-1]
        elif err.kind is E.CHANNEL_MISMATCH:
            got, expected = _int(v["got"]), _int(v["expected"])
            if got != expected and {got, expected} <= _LATENT_CHANNELS and 4 in {got, expected}:
                return (
                    text("advice.pretrained.cause_latent", lang, got=got, expected=expected),
                    text("advice.pretrained.fix_latent", lang, got=got, expected=expected),
                )
            return None
        else:
            return None
    except (ValueError, KeyError, IndexError):
        return None
    if got == expected or not {got, expected} <= _EMBEDDING_WIDTHS:
        return None
    cause = text("advice.pretrained.cause_width", lang, got=got, expected=expected)
    if tokens:
        cause += text("advice.pretrained.tokens", lang)
    return cause, text("advice.pretrained.fix_width", lang, got=got, expected=expected)


def advise(
    err: ShapeError,
    spec: Spec | LayerSpec | None = None,
    shape: Shape | None = None,
    lang: Lang = "en",
) -> Advice:
    """Explain ``err`` (raised for ``spec`` on ``shape``, when known) and suggest fixes."""
    advice = _advise(err, spec, shape, lang)
    hint = _pretrained(err, lang)
    if hint is not None:  # a pretrained model's numbers: compare models before editing a layer
        advice = replace(advice, cause=hint[0], fixes=(hint[1], *advice.fixes))
    return advice


def _advise(
    err: ShapeError, spec: Spec | LayerSpec | None, shape: Shape | None, lang: Lang
) -> Advice:
    rule = _RULES.get(err.code)
    if rule is not None:
        try:
            return rule(err, spec, shape, lang)
        except (ValueError, IndexError, KeyError, ZeroDivisionError):
            pass  # values not as torch prints them: the fixed text still applies
    return _fixed(err, lang)
