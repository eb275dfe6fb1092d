"""What a torch error means and how to fix it, in plain words and code, in English or Japanese.

``advise(error, spec, shape, lang=...)`` reads the values in the error (the same fields torch
prints, see :mod:`convshape.errors`) together with the layer and the input when they are
known, and returns an :class:`Advice`. Errors with computed advice (channel counts, sizes,
factorisations) have a rule here; every other kind has a fixed text in
:mod:`convshape._advice_text`. ``calc`` calls it with the layer; ``explain`` with only the
values parsed out of torch's message (``spec`` is then a layer rebuilt from those numbers,
or None).
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from convshape.core import errors as E
from convshape.core.arithmetic import axis_names
from convshape.core.code import layer_code
from convshape.core.errors import ShapeError
from convshape.core.shapes import Shape
from convshape.ops import Conv, ConvCall, Pool, Spec
from convshape.text.advice import FAMILY_TEXT, KIND_TEXT, Text

__all__ = ["LANGS", "Advice", "Lang", "advise", "factorisations"]

Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")


@dataclass(frozen=True)
class Advice:
    """What happened (``explanation``), how to fix it (``fixes``) and the likely cause."""

    explanation: str
    fixes: tuple[str, ...] = ()
    cause: str = ""


Rule = Callable[[ShapeError, Spec | None, Shape | None, Lang], Advice]
_RULES: dict[str, Rule] = {}


def _rule(*kinds: E.ErrorKind) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for k in kinds:
            _RULES[k.code] = fn
        return fn

    return register


def _t(lang: Lang, en: str, ja: str) -> str:
    return ja if lang == "ja" else en


def _ints(text: str) -> list[int]:
    return [int(v) for v in re.findall(r"-?\d+", text)]


def _int(text: str) -> int:
    """A field torch prints as one integer (raises ValueError for anything else)."""
    return int(text.strip())


def _divisors(*values: int) -> list[int]:
    top = min((abs(v) for v in values if v), default=1)
    return [d for d in range(1, top + 1) if all(v % d == 0 for v in values)]


def factorisations(n: int, limit: int = 6) -> list[tuple[int, int, int]]:
    """Plausible ``(C, H, W)`` with ``C*H*W == n`` and square-ish spatial sizes, likeliest
    first: square maps with a power-of-two channel count, then other squares, then
    near-squares (``H`` and ``W`` within a factor of two)."""
    if n <= 0:
        return []
    found: list[tuple[int, int, int]] = []
    for h in range(2, math.isqrt(n) + 1):
        for w in range(h, 2 * h + 1):
            if n % (h * w) == 0:
                found.append((n // (h * w), h, w))

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
def _channels(err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang) -> Advice:
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
    text = _t(
        lang,
        f"The layer expects {expected} input channels ({where}), but the input "
        f"{E.sizes(shown)} has {got} channels at dimension 1.",
        f"この層は入力チャネル数 {expected}（{where}）を想定していますが、入力 "
        f"{E.sizes(shown)} の次元 1（チャネル）は {got} です。",
    )
    if shape is not None and len(shape) == len(shown) - 1:
        text += _t(
            lang,
            f" Your input {E.sizes(shape)} is unbatched: torch treats it as (C, ...) and shows "
            "it with a batch of 1.",
            f"入力 {E.sizes(shape)} はバッチ次元がないため、torch は (C, ...) とみなし、"
            "バッチ 1 を付けて表示しています。",
        )
    cause = _t(
        lang,
        "The previous layer produces a different number of channels than this layer's "
        "in_channels, or the data has a different channel count (e.g. RGB vs grayscale, or "
        "channels-last data).",
        "前の層の出力チャネル数とこの層の in_channels が一致していないか、データのチャネル数"
        "が違います（RGB とグレースケール、チャネルが最後の次元にあるデータなど）。",
    )
    fixes: list[str] = []
    if isinstance(spec, Conv):
        n = spec.dims
        fixed = replace(spec, in_channels=got)
        if spec.groups > 0 and got % spec.groups == 0:
            fixes.append(
                _t(
                    lang,
                    f"make the layer take {got} channels: {layer_code(fixed)}",
                    f"層の入力チャネル数を {got} にする: {layer_code(fixed)}",
                )
            )
        adapter = Conv.make(n, got, expected, 1)
        fixes.append(
            _t(
                lang,
                f"or map {got} -> {expected} channels first: put {layer_code(adapter)} in front",
                f"または先に {got} -> {expected} チャネルに変換する: {layer_code(adapter)} を"
                "前に置く",
            )
        )
    elif isinstance(spec, ConvCall):
        if transposed:
            w = (got, *weight[1:])
        else:
            g = spec.groups
            w = (weight[0], got // g if g > 0 and got % g == 0 else got, *weight[2:])
        fixes.append(
            _t(
                lang,
                f"use a weight of shape {tuple(w)} to match the input's {got} channels",
                f"入力の {got} チャネルに合わせて形 {tuple(w)} の重みを使う",
            )
        )
        fixes.append(
            _t(
                lang,
                f"or give the input {expected} channels",
                f"または入力を {expected} チャネルにする",
            )
        )
    if len(shown) >= 4 and shown[-1] == expected in (1, 3, 4) and got != expected:
        fixes.append(
            _t(
                lang,
                f"the last dimension is {expected}: if the data is channels-last (N, H, W, C), "
                "permute it to channels-first: x.permute(0, 3, 1, 2)",
                f"最後の次元が {expected} です。データがチャネル最後 (N, H, W, C) なら、"
                "チャネル先頭に並べ替える: x.permute(0, 3, 1, 2)",
            )
        )
    return Advice(text, tuple(fixes), cause)


@_rule(E.KERNEL_TOO_BIG)
def _kernel_too_big(err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang) -> Advice:
    padded = _ints(err.values["padded"])
    spans = _ints(err.values["kernel"])
    if len(padded) != len(spans) or not padded:
        raise ValueError("padded and kernel sizes differ in length")
    names = axis_names(len(padded))
    bad = [i for i in range(len(padded)) if padded[i] < spans[i]]
    parts = [
        _t(
            lang,
            f"{names[i]}: the padded input is {padded[i]} but the (dilated) kernel spans "
            f"{spans[i]}",
            f"{names[i]}: パディング後の入力は {padded[i]} ですが、（ダイレーション込みの）"
            f"カーネルは {spans[i]} にわたります",
        )
        for i in bad
    ]
    text = _t(
        lang,
        "The kernel window does not fit in the padded input. " + "; ".join(parts) + ".",
        "カーネルの窓がパディング後の入力に収まりません。" + "。".join(parts) + "。",
    )
    cause = _t(
        lang,
        "The input is smaller than the layer was designed for, or earlier layers (strides, "
        "pooling) already shrank it this far.",
        "入力が想定より小さいか、前の層（ストライドやプーリング）でここまで縮小されています。",
    )
    fixes = []
    if spec is None:
        for i in bad:
            short = spans[i] - padded[i]
            fixes.append(
                _t(
                    lang,
                    f"{names[i]}: input + 2*padding must be at least {spans[i]} (it is "
                    f"{padded[i]}): make the input {short} larger, or add padding of "
                    f"{math.ceil(short / 2)} on each side",
                    f"{names[i]}: 入力 + 2*パディング は {spans[i]} 以上が必要です（現在 "
                    f"{padded[i]}）: 入力を {short} 大きくするか、両側に {math.ceil(short / 2)}"
                    " のパディングを追加する",
                )
            )
        return Advice(text, tuple(fixes), cause)
    pads = _padding_of(spec, len(padded))
    for i in bad:
        size = padded[i] - 2 * pads[i]
        min_size = spans[i] - 2 * pads[i]
        need = math.ceil((spans[i] - size) / 2)
        fixes.append(
            _t(
                lang,
                f"{names[i]}: use an input of at least {min_size} (it is {size})",
                f"{names[i]}: 入力を {min_size} 以上にする（現在 {size}）",
            )
        )
        fixes.append(
            _t(
                lang,
                f"{names[i]}: or padding of at least {need} on that axis keeps size {size}",
                f"{names[i]}: またはその軸のパディングを {need} 以上にすれば"
                f"入力 {size} のままで通る",
            )
        )
    return Advice(text, tuple(fixes), cause)


def _padding_of(spec: Spec | None, n: int) -> list[int]:
    pad = getattr(spec, "padding", None)
    if isinstance(pad, tuple) and pad:
        return [pad[i] if len(pad) == n else pad[0] for i in range(n)]
    return [0] * n


@_rule(E.INPUT_RANK)
def _rank(err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang) -> Advice:
    got = _ints(err.values["input"])
    unbatched, batched = _int(err.values["unbatched"]), _int(err.values["batched"])
    op = err.values["op"]
    n = batched - 2
    layout = ", ".join(["N", "C", *axis_names(n)])
    text = _t(
        lang,
        f"{op} takes a {batched}-d input ({layout}) or a {unbatched}-d unbatched "
        f"one, but the input has {len(got)} dimensions: {E.sizes(got)}.",
        f"{op} は {batched} 次元 ({layout}) か、バッチなしの {unbatched} 次元の入力を取り"
        f"ますが、入力は {len(got)} 次元です: {E.sizes(got)}。",
    )
    fixes = []
    if len(got) == unbatched - 1:
        fixes.append(
            _t(
                lang,
                "add the missing batch/channel dimension: x.unsqueeze(0).unsqueeze(0)",
                "足りないバッチ／チャネル次元を追加する: x.unsqueeze(0).unsqueeze(0)",
            )
        )
    elif len(got) == batched + 1:
        fixes.append(
            _t(
                lang,
                "remove an extra dimension (x.squeeze(...)), or use the "
                f"{n + 1}-d layer (e.g. Conv{n + 1}d)",
                f"余分な次元を取り除く (x.squeeze(...))、または {n + 1} 次元の層"
                f"（Conv{n + 1}d など）を使う",
            )
        )
    elif len(got) > batched:
        fixes.append(
            _t(
                lang,
                "reshape the input to (N, C, ...) with the spatial axes last",
                "入力を空間軸が最後に来る (N, C, ...) の形に reshape する",
            )
        )
    if len(got) in (unbatched, batched) or got[-1:] == [3]:
        fixes.append(
            _t(
                lang,
                "an image in (H, W, C) order needs x.permute(2, 0, 1) (or (0, 3, 1, 2))",
                "(H, W, C) 順の画像は x.permute(2, 0, 1)（バッチ付きなら "
                "(0, 3, 1, 2)）で並べ替える",
            )
        )
    cause = _t(
        lang,
        "A single sample without its batch dimension, an image still in (H, W, C) order "
        "(e.g. straight from PIL or NumPy), or a flattened tensor reaching a conv layer.",
        "バッチ次元のない 1 サンプル、(H, W, C) 順のままの画像（PIL や NumPy から読み込んだ"
        "ままなど）、または平坦化されたテンソルが畳み込み層に渡されています。",
    )
    return Advice(text, tuple(fixes), cause)


@_rule(
    E.GROUPS_DIVIDE_WEIGHT,
    E.GROUPS_EXCEED_WEIGHT,
    E.IN_CHANNELS_GROUPS,
    E.OUT_CHANNELS_GROUPS,
    E.GROUPS_POSITIVE,
    E.GROUPS_NONPOSITIVE,
)
def _groups(err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang) -> Advice:
    text = _t(
        lang,
        "groups splits the channels into equal groups, so it must be a positive number "
        "that divides both the input and the output channel counts.",
        "groups はチャネルを等しいグループに分けるため、入力と出力の両方のチャネル数を"
        "割り切る正の整数でなければなりません。",
    )
    v = err.values
    if "groups" in v and "weight" in v:
        w = _ints(v["weight"])
        text += _t(
            lang,
            f" Here groups={v['groups']} and the weight {E.sizes(w)} has {w[0]} output "
            "channels (dimension 0).",
            f"ここでは groups={v['groups']} で、重み {E.sizes(w)} の出力チャネル（次元 0）"
            f"は {w[0]} です。",
        )
    fixes = []
    if isinstance(spec, Conv):
        ok = _divisors(spec.in_channels, spec.out_channels)
        fixes.append(
            _t(
                lang,
                f"groups that work for in_channels={spec.in_channels}, "
                f"out_channels={spec.out_channels}: {', '.join(map(str, ok))}",
                f"in_channels={spec.in_channels}, out_channels={spec.out_channels} で使える "
                f"groups: {', '.join(map(str, ok))}",
            )
        )
    elif isinstance(spec, ConvCall) and spec.weight:
        fixes.append(
            _t(
                lang,
                f"groups must divide weight.shape[0]={spec.weight[0]}",
                f"groups は weight.shape[0]={spec.weight[0]} を割り切る値にする",
            )
        )
    elif "weight" in v:
        out = _ints(v["weight"])[0]
        fixes.append(
            _t(
                lang,
                f"groups that divide weight.shape[0]={out}: {', '.join(map(str, _divisors(out)))}",
                f"weight.shape[0]={out} を割り切る groups: {', '.join(map(str, _divisors(out)))}",
            )
        )
    else:
        fixes.append(
            _t(
                lang,
                "use groups=1, or a divisor of both in_channels and out_channels "
                "(depthwise: groups=in_channels with out_channels a multiple of it)",
                "groups=1、または in_channels と out_channels の公約数を使う（depthwise なら "
                "groups=in_channels で out_channels はその倍数）",
            )
        )
    cause = _t(
        lang,
        "groups (or the channel counts) changed without the other; a depthwise layer whose "
        "channel count no longer matches.",
        "groups とチャネル数の片方だけを変更したか、depthwise 層のチャネル数が合わなく"
        "なっています。",
    )
    return Advice(text, tuple(fixes), cause)


@_rule(E.BIAS_SHAPE, E.TRANSPOSED_BIAS_SHAPE)
def _bias(err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang) -> Advice:
    n = _int(err.values["expected"])
    bias = err.values["bias"]
    return Advice(
        _t(
            lang,
            f"The bias adds one value per output channel, so it must have shape ({n},); "
            f"it has {bias}.",
            f"バイアスは出力チャネルごとに 1 つの値を足すため、形は ({n},) でなければなりま"
            f"せんが、{bias} です。",
        ),
        (
            _t(lang, f"use b = torch.zeros({n})", f"b = torch.zeros({n}) を使う"),
            _t(lang, "or pass bias=None", "または bias=None を渡す"),
        ),
        _t(
            lang,
            "The bias was made for a different number of output channels than the weight.",
            "バイアスが重みとは異なる出力チャネル数用に作られています。",
        ),
    )


@_rule(E.TRANSPOSED_OUTPUT_TOO_SMALL)
def _transposed_small(
    err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang
) -> Advice:
    sizes_in = _ints(err.values["input"])
    outs = _ints(err.values["output"])
    bad = [f"{a}" for a, o in zip(sizes_in, outs, strict=True) if o < 1]
    text = _t(
        lang,
        "The transposed convolution's output size, (L-1)*s - 2p + d(k-1) + op + 1, is below 1: "
        f"for input ({err.values['input']}) it computes ({err.values['output']}).",
        "転置畳み込みの出力サイズ (L-1)*s - 2p + d(k-1) + op + 1 が 1 未満です: 入力 "
        f"({err.values['input']}) に対して ({err.values['output']}) になります。",
    )
    if not bad:
        raise ValueError("no axis is too small")
    short = max(1 - o for o in outs)
    fixes = (
        _t(
            lang,
            f"reduce the padding: each unit of padding removes 2 from the output (the "
            f"smallest axis is {short} short of 1)",
            f"パディングを減らす: パディング 1 につき出力が 2 減ります（最も小さい軸は 1 まで"
            f"あと {short} 足りません）",
        ),
        _t(
            lang,
            "or use a larger input, stride or kernel",
            "または入力・ストライド・カーネルを大きくする",
        ),
    )
    cause = _t(
        lang,
        "padding copied from the matching Conv layer is too large for this small input.",
        "対応する Conv 層からコピーしたパディングが、この小さな入力には大きすぎます。",
    )
    return Advice(text, fixes, cause)


@_rule(E.POOL_OUTPUT_TOO_SMALL)
def _pool_small(err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang) -> Advice:
    sizes_in = _ints(err.values["input"])
    outs = _ints(err.values["output"])
    if len(sizes_in) != len(outs) or len(sizes_in) < 2:
        raise ValueError("input and output sizes differ in length")
    spatial = list(zip(sizes_in[1:], outs[1:], strict=True))
    names = axis_names(len(spatial))
    bad = [f"{names[i]}: {a} -> {o}" for i, (a, o) in enumerate(spatial) if o < 1]
    text = _t(
        lang,
        f"The pooling window does not fit: for input ({err.values['input']}) (channels first, "
        f"then the spatial axes) the output would be ({err.values['output']}); "
        + ", ".join(bad)
        + ".",
        f"プーリングの窓が収まりません: 入力 ({err.values['input']})（先頭がチャネル、続いて"
        f"空間軸）に対して出力が ({err.values['output']}) になります。" + "、".join(bad) + "。",
    )
    fixes: list[str] = []
    if isinstance(spec, Pool):
        fixes.append(
            _t(
                lang,
                "use a smaller kernel_size, or padding/ceil_mode=True, or a larger input",
                "kernel_size を小さくするか、padding や ceil_mode=True を使うか、入力を大きくする",
            )
        )
    else:
        smallest = min(a for a, o in spatial if o < 1)
        fixes.append(
            _t(
                lang,
                f"the smallest such axis is {smallest}: the (dilated) kernel must be at most "
                f"{smallest} + 2*padding",
                f"該当する最小の軸は {smallest} です: （ダイレーション込みの）カーネルは "
                f"{smallest} + 2*パディング 以下でなければなりません",
            )
        )
        fixes.append(
            _t(
                lang,
                "use a smaller kernel_size, add padding, or feed a larger input (or remove a "
                "pooling/strided layer before this one)",
                "kernel_size を小さくするか、パディングを足すか、より大きな入力を使う（またはこの"
                "前のプーリング／ストライド付きの層を減らす）",
            )
        )
    cause = _t(
        lang,
        "Too many downsampling layers for the input size: each pooling halves the map until "
        "it is smaller than the window.",
        "入力サイズに対してダウンサンプリングの層が多すぎます。プーリングのたびにマップが"
        "半分になり、窓より小さくなっています。",
    )
    return Advice(text, tuple(fixes), cause)


@_rule(E.LINEAR_MISMATCH)
def _linear(err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang) -> Advice:
    v = err.values
    rows, got, expected, out = (_int(v[k]) for k in ("rows", "got", "expected", "out"))
    text = _t(
        lang,
        f"The Linear layer was built for {expected} input features (nn.Linear({expected}, "
        f"{out})), but each of the {rows} rows it got has {got} features.",
        f"Linear 層は入力特徴数 {expected} 用に作られています（nn.Linear({expected}, {out})）"
        f"が、渡された {rows} 行の各行の特徴数は {got} です。",
    )
    facts = _factor_text(got)
    if facts:
        text += _t(
            lang,
            f" After a Flatten, {got} is the flattened C*H*W of the last feature map; likely "
            f"{facts}.",
            f"Flatten の後なら {got} は最後の特徴マップの C*H*W です。考えられる分解: {facts}。",
        )
    built = _factor_text(expected)
    if built:
        text += _t(
            lang,
            f" The layer's {expected} would be e.g. {built}.",
            f"層の {expected} は例えば {built} です。",
        )
    fixes = (
        _t(
            lang,
            f"make the Linear take {got} features: nn.Linear({got}, {out})",
            f"Linear の入力特徴数を {got} にする: nn.Linear({got}, {out})",
        ),
        _t(
            lang,
            f"or let torch infer it: nn.LazyLinear({out})",
            f"または torch に推論させる: nn.LazyLinear({out})",
        ),
        _t(
            lang,
            "or fix the feature map's size before Flatten, e.g. nn.AdaptiveAvgPool2d((H, W)) so "
            f"that C*H*W = {expected}",
            f"または Flatten の前で特徴マップの大きさを固定する。例: C*H*W = {expected} になる"
            "ように nn.AdaptiveAvgPool2d((H, W)) を入れる",
        ),
    )
    cause = _t(
        lang,
        "in_features was computed for another input size (e.g. 224x224 vs 256x256), or a conv "
        "or pooling layer before the Flatten changed.",
        "in_features が別の入力サイズ（224x224 と 256x256 など）で計算されたか、Flatten より前の"
        "畳み込み／プーリング層が変更されています。",
    )
    return Advice(text, fixes, cause)


@_rule(E.BATCHNORM_FEATURES)
def _batchnorm(err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang) -> Advice:
    got, expected = _int(err.values["got"]), _int(err.values["expected"])
    text = _t(
        lang,
        f"The BatchNorm layer was built for {expected} channels (num_features={expected}), "
        f"but its input has {got} channels.",
        f"BatchNorm 層は {expected} チャネル用（num_features={expected}）に作られていますが、"
        f"入力のチャネル数は {got} です。",
    )
    fixes = (
        _t(
            lang,
            f"make it match the previous layer's output: nn.BatchNorm2d({got}) (BatchNorm1d / "
            "3d for 1-d / 3-d data)",
            f"前の層の出力に合わせる: nn.BatchNorm2d({got})（1 次元／3 次元データなら "
            "BatchNorm1d / 3d）",
        ),
    )
    cause = _t(
        lang,
        "The conv layer before it changed its out_channels, or the BatchNorm was copied from "
        "another block.",
        "直前の畳み込み層の out_channels が変更されたか、BatchNorm を別のブロックからコピー"
        "しています。",
    )
    return Advice(text, fixes, cause)


@_rule(E.GROUPNORM_GROUPS)
def _groupnorm_groups(
    err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang
) -> Advice:
    channels, groups = _int(err.values["channels"]), _int(err.values["groups"])
    ok = ", ".join(map(str, _divisors(channels)))
    return Advice(
        _t(
            lang,
            f"GroupNorm splits {channels} channels into {groups} groups, which needs "
            f"{groups} to divide {channels}.",
            f"GroupNorm は {channels} チャネルを {groups} グループに分けるため、{groups} が "
            f"{channels} を割り切る必要があります。",
        ),
        (
            _t(
                lang,
                f"num_groups that divide {channels}: {ok}",
                f"{channels} を割り切る num_groups: {ok}",
            ),
        ),
        _t(
            lang,
            "The channel count changed while num_groups stayed the same.",
            "チャネル数だけが変わり、num_groups はそのままです。",
        ),
    )


@_rule(E.GROUPNORM_CHANNELS)
def _groupnorm(err: ShapeError, spec: Spec | None, shape: Shape | None, lang: Lang) -> Advice:
    weight = _ints(err.values["weight"])
    given = _ints(err.values["input"])
    if len(weight) != 1 or len(given) < 2:
        raise ValueError("unexpected GroupNorm shapes")
    c = given[1]
    return Advice(
        _t(
            lang,
            f"The GroupNorm layer has affine weights for {weight[0]} channels, but the input "
            f"{E.sizes(given)} has {c} channels.",
            f"GroupNorm 層のアフィン重みは {weight[0]} チャネル分ですが、入力 {E.sizes(given)} "
            f"のチャネル数は {c} です。",
        ),
        (
            _t(
                lang,
                f"use nn.GroupNorm(num_groups, {c}) with num_groups dividing {c}",
                f"{c} を割り切る num_groups で nn.GroupNorm(num_groups, {c}) を使う",
            ),
        ),
        _t(
            lang,
            "num_channels does not follow the previous layer's out_channels.",
            "num_channels が前の層の out_channels と一致していません。",
        ),
    )


# ---------------------------------------------------------------------------------------
# Fixed texts and the entry point
# ---------------------------------------------------------------------------------------


class _Fields(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "?"


def _fill(text: Text, lang: Lang, values: Mapping[str, str]) -> str:
    template = text.ja if lang == "ja" else text.en
    return string.Formatter().vformat(template, (), _Fields(values))


def _fixed(err: ShapeError, spec: Spec | None, lang: Lang) -> Advice:
    entry = KIND_TEXT.get(err.code)
    family = FAMILY_TEXT.get(err.kind.family, FAMILY_TEXT["conv"])
    family_cause = family.cause or Text("", "")
    if entry is None:
        return Advice(_fill(family.what, lang, err.values), (), _fill(family_cause, lang, {}))
    cause = entry.cause or family_cause
    fixes = tuple(_fill(f, lang, err.values) for f in entry.fixes)
    return Advice(_fill(entry.what, lang, err.values), fixes, _fill(cause, lang, err.values))


def advise(
    err: ShapeError, spec: Spec | None = None, shape: Shape | None = None, lang: Lang = "en"
) -> Advice:
    """Explain ``err`` (raised for ``spec`` on ``shape``, when known) and suggest fixes."""
    rule = _RULES.get(err.code)
    if rule is not None:
        try:
            return rule(err, spec, shape, lang)
        except (ValueError, IndexError, KeyError, ZeroDivisionError):
            pass  # values not as torch prints them: the fixed text still applies
    return _fixed(err, spec, lang)
