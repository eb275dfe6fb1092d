"""The fixed advice for every error kind, in English and Japanese.

One :class:`KindText` per code in :data:`convshape.errors.KINDS`: what happened, the likely
cause and the fixes. ``{field}`` is filled with the value torch printed for that field of
the kind's template (see :mod:`convshape.errors`); torch's own message is never restated
here. :mod:`convshape.advice` uses these when no computed rule applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from convshape.core import errors as E

__all__ = ["FAMILY_TEXT", "KIND_TEXT", "KindText", "Text"]


class Text(NamedTuple):
    en: str
    ja: str


@dataclass(frozen=True)
class KindText:
    what: Text
    cause: Text | None = None
    fixes: tuple[Text, ...] = ()


def _k(
    kind: E.ErrorKind,
    what: tuple[str, str],
    cause: tuple[str, str] | None = None,
    *fixes: tuple[str, str],
) -> tuple[str, KindText]:
    return kind.code, KindText(
        Text(*what), None if cause is None else Text(*cause), tuple(Text(*f) for f in fixes)
    )


FAMILY_TEXT: dict[str, KindText] = {
    "conv": KindText(
        Text(
            "torch rejects this convolution call.", "torch はこの畳み込みの呼び出しを拒否しました。"
        ),
        Text(
            "An argument of the layer or the input's shape does not fit the convolution.",
            "層の引数か入力の形が畳み込みに合っていません。",
        ),
    ),
    "pool": KindText(
        Text(
            "The pooling layer's arguments or input do not fit together.",
            "プーリング層の引数と入力が噛み合っていません。",
        ),
        Text(
            "A pooling argument (kernel_size, stride, padding, dilation) or the input's rank or "
            "size is not what this pooling function accepts.",
            "プーリングの引数（kernel_size, stride, padding, dilation）か、入力の次元数・大きさ"
            "がこのプーリング関数で受け付けられないものです。",
        ),
    ),
    "adaptive": KindText(
        Text(
            "The adaptive pooling layer's output size or input is not valid.",
            "適応的プーリング層の出力サイズか入力が正しくありません。",
        ),
        Text(
            "output_size has the wrong length or values, or the input has the wrong rank or an "
            "empty dimension.",
            "output_size の長さや値が違うか、入力の次元数が違う・空の次元があります。",
        ),
    ),
    "fold": KindText(
        Text(
            "Unfold/Fold's arguments and the input's shape do not agree.",
            "Unfold/Fold の引数と入力の形が一致していません。",
        ),
        Text(
            "Unfold and Fold work on 2-d images: every argument needs two values, and the "
            "input's block count and channels must match the arguments.",
            "Unfold と Fold は 2 次元画像用です。各引数は 2 つの値が必要で、入力のブロック数と"
            "チャネル数が引数と一致しなければなりません。",
        ),
    ),
    "pad": KindText(
        Text(
            "The padding_mode padding cannot be applied to this input.",
            "padding_mode によるパディングをこの入力に適用できません。",
        ),
        Text(
            "reflect / replicate / circular padding (F.pad) has limits that zero padding does "
            "not: sizes relative to the input, and the input's rank.",
            "reflect / replicate / circular のパディング（F.pad）には、ゼロパディングにはない"
            "制限（入力に対する大きさ、入力の次元数）があります。",
        ),
    ),
    "module": KindText(
        Text(
            "The layer's constructor rejects these arguments.",
            "層のコンストラクタがこれらの引数を拒否しました。",
        ),
        Text(
            "The error is raised when the layer is created, before any input is seen.",
            "このエラーは入力を見る前、層を作成した時点で発生します。",
        ),
    ),
    "lint": KindText(
        Text(
            "convshape lint reports this about the model's code.",
            "convshape lint がモデルのコードについて報告した内容です。",
        ),
        Text(
            "See the finding's text for the layer and the numbers.",
            "層と数値は指摘の本文を参照してください。",
        ),
    ),
    "layers": KindText(
        Text(
            "A layer next to the convolutions gets an input of the wrong size.",
            "畳み込みの前後の層に、大きさの違う入力が渡されています。",
        ),
        Text(
            "The layer's size argument was computed for a different feature map.",
            "層のサイズ引数が別の特徴マップに対して計算されています。",
        ),
    ),
}

_SAME_STRIDED = (
    (
        "padding='same' keeps the size, which is only possible with stride 1.",
        "padding='same' は大きさを保つ指定で、stride 1 のときにしか使えません。",
    ),
    (
        "padding='same' was combined with a stride to downsample.",
        "ダウンサンプリングのために padding='same' とストライドを組み合わせています。",
    ),
    ("use stride=1 with padding='same'", "padding='same' では stride=1 を使う"),
    (
        "or, for stride s, use padding=d*(k-1)//2 numerically: the output is about ceil(L/s)",
        "またはストライド s のときは数値で padding=d*(k-1)//2 を指定する（出力はおよそ ceil(L/s)）",
    ),
)
_DILATION_ZERO = (
    (
        "Dilation 0 is not a valid spacing between kernel taps (1 = no gaps): got {dilation}.",
        "ダイレーション 0 はカーネルの間隔として無効です（1 = 間隔なし）: {dilation}。",
    ),
    None,
    ("use dilation >= 1", "dilation >= 1 を使う"),
)
_ONEDNN = (
    (
        "oneDNN, torch's CPU backend, could not set up this convolution: a kernel size, a "
        "dilation or a weight dimension is 0.",
        "torch の CPU バックエンド oneDNN がこの畳み込みを準備できませんでした: カーネル"
        "サイズ、ダイレーション、または重みの次元が 0 です。",
    ),
    (
        "A zero in kernel_size, dilation or the weight's shape (torch prints this backend "
        "message instead of naming the value).",
        "kernel_size、dilation、重みの形のどれかが 0 です（torch は値を示さずにこの"
        "バックエンドのメッセージを出します）。",
    ),
    (
        "check kernel_size >= 1, dilation >= 1 and that the weight has no 0 dimension",
        "kernel_size >= 1、dilation >= 1、重みに 0 の次元がないことを確認する",
    ),
)
_KERNEL_ZERO = (
    (
        "A kernel size is 0 or negative ({kernel}): the weight has an empty spatial dimension.",
        "カーネルサイズが 0 以下です（{kernel}）: 重みの空間次元が空です。",
    ),
    None,
    ("use kernel_size >= 1 on every axis", "すべての軸で kernel_size >= 1 を使う"),
)
_WEIGHT_INPUT_RANK = (
    (
        "The weight and the input must have the same number of dimensions: the weight "
        "{weight} has {wdim}, the input {input} has {idim}.",
        "重みと入力の次元数は同じでなければなりません: 重み {weight} は {wdim} 次元、"
        "入力 {input} は {idim} 次元です。",
    ),
    (
        "The layer's dimensionality (1d/2d/3d) does not match the data, or the input lost or "
        "gained a dimension (a missing batch dimension, an extra squeeze/unsqueeze).",
        "層の次元（1d/2d/3d）がデータと合っていないか、入力の次元が増減しています（バッチ"
        "次元の欠落、余分な squeeze/unsqueeze など）。",
    ),
    (
        "check that the layer's dimensionality (1d/2d/3d) matches the input",
        "層の次元（1d/2d/3d）が入力と合っているか確認する",
    ),
)
_EMPTY_OUTPUT = (
    (
        "The input is empty (a zero batch or zero channels), and the output shape torch "
        "computes for it has a negative size: {shape}.",
        "入力が空（バッチ 0 またはチャネル 0）で、torch が計算した出力の形に負の大きさが"
        "あります: {shape}。",
    ),
    (
        "The arguments give an output size below 0 on some axis; torch reports it this way "
        "only because the input is empty.",
        "引数からある軸の出力サイズが 0 未満になります。入力が空なので torch はこの形で"
        "報告しています。",
    ),
    (
        "check the output size formula with these arguments (convshape calc shows it)",
        "これらの引数で出力サイズの式を確認する（convshape calc で表示できます）",
    ),
)
_SLOW_TRANSPOSE_WEIGHT = (
    (
        "The transposed convolution's weight {weight} has a dimension of size 0.",
        "転置畳み込みの重み {weight} に大きさ 0 の次元があります。",
    ),
    (
        "out_channels // groups, in_channels or a kernel size is 0.",
        "out_channels // groups、in_channels、カーネルサイズのどれかが 0 です。",
    ),
    (
        "make every weight dimension at least 1",
        "重みのすべての次元を 1 以上にする",
    ),
)
_POOL_PARAM_LENGTH = (
    (
        "{op}: {what} needs one value (used for every axis) or exactly {n} values, one per "
        "spatial axis.",
        "{op}: この引数は 1 つの値（全軸に使用）か、空間軸ごとにちょうど {n} 個の値が必要です。",
    ),
    None,
    ("give one value, or one per spatial axis", "値を 1 つ、または空間軸ごとに 1 つ指定する"),
)
_MAX_POOL1D_LENGTH = (
    (
        "max_pool1d is 1-d: this argument takes one value, but it has {n}.",
        "max_pool1d は 1 次元なので、この引数は値を 1 つだけ取りますが、{n} 個あります。",
    ),
    (
        "A tuple written for a 2-d pool was given to a 1-d one.",
        "2 次元プーリング用のタプルを 1 次元プーリングに渡しています。",
    ),
    ("use a single int", "整数 1 つを使う"),
)
_AVG_POOL3D_LENGTH = (
    (
        "avg_pool3d takes one int or three ints (T, H, W) for this argument.",
        "avg_pool3d のこの引数は整数 1 つか 3 つ (T, H, W) を取ります。",
    ),
    None,
    ("give one value, or three", "値を 1 つ、または 3 つ指定する"),
)
_POOL_PAD_HALF = (
    (
        "Pooling padding must be at most half the kernel size: here kernel ({kH}, {kW}) and "
        "padding ({padH}, {padW}) (H, W).",
        "プーリングのパディングはカーネルサイズの半分以下でなければなりません: カーネル "
        "({kH}, {kW})、パディング ({padH}, {padW})（H, W）。",
    ),
    (
        "padding copied from a conv layer; for pooling it is limited to kernel_size // 2.",
        "畳み込み層からパディングをコピーしていますが、プーリングでは kernel_size // 2 までです。",
    ),
    ("use padding <= kernel_size // 2", "padding <= kernel_size // 2 にする"),
)
_UNPACK = (
    (
        "The LP pool unpacks kernel_size (or stride) into {expected} values, one per spatial "
        "axis, and the tuple has another length.",
        "LP プーリングは kernel_size（または stride）を空間軸ごとの {expected} 個の値に"
        "展開しますが、タプルの長さが違います。",
    ),
    (
        "Python raises this message for any unpacking of the wrong length; in the convolution "
        "family it comes from LPPool's kernel_size or stride.",
        "Python はあらゆる長さ違いの展開でこのメッセージを出します。畳み込み系では LPPool の"
        "kernel_size か stride が原因です。",
    ),
    (
        "give one int or exactly {expected} values",
        "整数 1 つ、またはちょうど {expected} 個の値を指定する",
    ),
)
_ADAPTIVE_RANK = (
    (
        "{op} takes a {r}-d (C, ...) or {r1}-d (N, C, ...) input; the input is {input}.",
        "{op} は {r} 次元 (C, ...) か {r1} 次元 (N, C, ...) の入力を取りますが、入力は "
        "{input} です。",
    ),
    (
        "The input lost or gained a dimension, or the layer's dimensionality does not match "
        "the data.",
        "入力の次元が増減したか、層の次元がデータと合っていません。",
    ),
    (
        "use the adaptive pool of the data's dimensionality, or reshape the input",
        "データの次元に合った適応的プーリングを使うか、入力を reshape する",
    ),
)
_ADAPTIVE_LENGTH = (
    (
        "{op}: output_size must have exactly {n} values (one per spatial axis).",
        "{op}: output_size は空間軸ごとにちょうど {n} 個の値が必要です。",
    ),
    None,
    ("give one int, or {n} values", "整数 1 つ、または {n} 個の値を指定する"),
)
_FOLD_BLOCKS = (
    (
        "For output_size={output_size}, kernel_size={kernel}, dilation={dilation}, "
        "padding={padding}, stride={stride} the array of sliding blocks would be {blocks}.",
        "output_size={output_size}, kernel_size={kernel}, dilation={dilation}, "
        "padding={padding}, stride={stride} ではスライディングブロックの配列が {blocks} に"
        "なります。",
    ),
    (
        "The kernel (with dilation) is larger than output_size plus padding.",
        "（ダイレーション込みの）カーネルが output_size + パディング より大きいです。",
    ),
    (
        "use a larger output_size or padding, or a smaller kernel_size or dilation",
        "output_size かパディングを大きくするか、kernel_size か dilation を小さくする",
    ),
)
_CONV_RANK_CAUSE = (
    "A shape error upstream: an earlier layer produced fewer dimensions than expected.",
    "上流の形のエラーです。前の層の出力の次元数が想定より少なくなっています。",
)

KIND_TEXT: dict[str, KindText] = dict(
    [
        # ---- convolution ---------------------------------------------------------------
        _k(
            E.INPUT_RANK,
            (
                "{op} takes a {batched}-d input (N, C, ...) or a {unbatched}-d unbatched one, "
                "but the input is {input}.",
                "{op} は {batched} 次元 (N, C, ...) か、バッチなしの {unbatched} 次元の入力を"
                "取りますが、入力は {input} です。",
            ),
            (
                "A missing batch dimension, or an image still in (H, W, C) order.",
                "バッチ次元の欠落、または (H, W, C) 順のままの画像です。",
            ),
            (
                "add a batch dimension with x.unsqueeze(0), or permute (H, W, C) to (C, H, W)",
                "x.unsqueeze(0) でバッチ次元を追加するか、(H, W, C) を (C, H, W) に並べ替える",
            ),
        ),
        _k(
            E.WEIGHT_RANK,
            (
                "A convolution weight has at least 3 dimensions: (out_channels, "
                "in_channels/groups, *kernel_size).",
                "畳み込みの重みは少なくとも 3 次元 (out_channels, in_channels/groups, "
                "*kernel_size) です。",
            ),
            (
                "The tensor passed as the weight is not a conv weight (e.g. a Linear weight or "
                "a flattened tensor).",
                "重みとして渡したテンソルが畳み込みの重みではありません（Linear の重みや平坦化"
                "されたテンソルなど）。",
            ),
            (
                "use a weight of shape (out, in // groups, *kernel_size)",
                "形 (out, in // groups, *kernel_size) の重みを使う",
            ),
        ),
        _k(
            E.GROUPS_NONPOSITIVE,
            (
                "groups must be a positive number (1 = an ordinary convolution).",
                "groups は正の数でなければなりません（1 = 通常の畳み込み）。",
            ),
            None,
            ("use groups >= 1", "groups >= 1 を使う"),
        ),
        _k(
            E.PARAM_LENGTH,
            (
                "Each of stride, padding, dilation takes one value (for every axis) or exactly "
                "one value per spatial axis of the weight: {name}={value} does not fit {n} axes.",
                "stride, padding, dilation はそれぞれ 1 つの値（全軸に使用）か、重みの空間軸"
                "ごとに 1 つの値を取ります: {name}={value} は {n} 軸に合いません。",
            ),
            (
                "A tuple written for another dimensionality (e.g. 2-d arguments on a 1-d or "
                "3-d layer), or a weight of the wrong rank.",
                "別の次元用に書いたタプル（1 次元や 3 次元の層に 2 次元用の引数など）、または"
                "次元数の違う重みです。",
            ),
            (
                "give one value, or one per spatial axis",
                "値を 1 つ、または空間軸ごとに 1 つ指定する",
            ),
        ),
        _k(
            E.NEGATIVE_PADDING,
            (
                "Padding must be 0 or more: it adds rows/columns of zeros around the input.",
                "パディングは 0 以上でなければなりません。入力の周りにゼロの行・列を追加する"
                "ものです。",
            ),
            None,
            (
                "use padding >= 0; to crop, slice the input or use F.pad with negative values",
                "padding >= 0 を使う。切り取るなら入力をスライスするか、F.pad に負の値を渡す",
            ),
        ),
        _k(
            E.NEGATIVE_OUTPUT_PADDING,
            (
                "output_padding adds rows at the end of a transposed conv's output and must be "
                ">= 0.",
                "output_padding は転置畳み込みの出力の末尾に行を追加するもので、0 以上でなければ"
                "なりません。",
            ),
            None,
            ("use output_padding >= 0", "output_padding >= 0 を使う"),
        ),
        _k(
            E.NONPOSITIVE_STRIDE,
            (
                "Stride is the step between windows and must be 1 or more.",
                "ストライドは窓の移動幅で、1 以上でなければなりません。",
            ),
            None,
            ("use stride >= 1", "stride >= 1 を使う"),
        ),
        _k(
            E.NEGATIVE_DILATION,
            (
                "Dilation is the spacing between kernel taps and must be 1 or more (1 = no gaps).",
                "ダイレーションはカーネルの要素の間隔で、1 以上でなければなりません（1 = 間隔"
                "なし）。",
            ),
            None,
            ("use dilation >= 1", "dilation >= 1 を使う"),
        ),
        _k(E.WEIGHT_INPUT_RANK, *_WEIGHT_INPUT_RANK),
        _k(
            E.GROUPS_EXCEED_WEIGHT,
            (
                "groups={groups} needs at least {groups} output channels, but the weight is "
                "{weight}.",
                "groups={groups} には少なくとも {groups} 個の出力チャネルが必要ですが、重みは "
                "{weight} です。",
            ),
        ),
        _k(
            E.GROUPS_DIVIDE_WEIGHT,
            (
                "groups={groups} must divide the weight's output channels (dimension 0 of "
                "{weight}).",
                "groups={groups} は重みの出力チャネル（{weight} の次元 0）を割り切らなければ"
                "なりません。",
            ),
        ),
        _k(
            E.CHANNEL_MISMATCH,
            (
                "The layer expects {expected} input channels, but the input {input} has {got}.",
                "この層は入力チャネル数 {expected} を想定していますが、入力 {input} は {got} "
                "です。",
            ),
        ),
        _k(
            E.BIAS_SHAPE,
            (
                "The bias must have one value per output channel ({expected},); it has {bias}.",
                "バイアスは出力チャネルごとに 1 つの値 ({expected},) が必要ですが、{bias} です。",
            ),
        ),
        _k(
            E.PADDING_OVERFLOW,
            (
                "padding={padding} is too large for torch's 64-bit size arithmetic (at most "
                "{limit}).",
                "padding={padding} は torch の 64 ビットのサイズ計算には大きすぎます（最大 "
                "{limit}）。",
            ),
            (
                "A padding value computed from uninitialised or overflowing numbers.",
                "未初期化またはオーバーフローした数値からパディングを計算しています。",
            ),
            ("use a realistic padding", "現実的なパディングを使う"),
        ),
        _k(
            E.KERNEL_TOO_BIG,
            (
                "The kernel window ({kernel}) does not fit in the padded input ({padded}).",
                "カーネルの窓 ({kernel}) がパディング後の入力 ({padded}) に収まりません。",
            ),
            None,
            (
                "use a larger input, more padding, or a smaller kernel or dilation",
                "入力を大きくするか、パディングを増やすか、カーネルかダイレーションを小さくする",
            ),
        ),
        _k(
            E.EMPTY_INPUT,
            (
                "A spatial dimension of the input is 0; torch only accepts a zero batch or zero "
                "channels: {input}.",
                "入力の空間次元が 0 です。torch が受け付けるのはバッチ 0 かチャネル 0 だけです: "
                "{input}。",
            ),
            None,
            (
                "check the shapes upstream: a previous layer reduced a spatial axis to 0",
                "上流の形を確認する: 前の層が空間軸を 0 まで縮めています",
            ),
        ),
        _k(
            E.DILATION_ZERO_MKLDNN,
            (
                "Dilation 0 is not a valid spacing between kernel taps (1 = no gaps). torch's "
                "message depends on its CPU backend (oneDNN or the slow kernels).",
                "ダイレーション 0 はカーネルの間隔として無効です（1 = 間隔なし）。torch の"
                "メッセージは CPU バックエンド（oneDNN か低速カーネル）によって変わります。",
            ),
            None,
            ("use dilation >= 1", "dilation >= 1 を使う"),
        ),
        _k(E.DILATION_ZERO_THNN, *_DILATION_ZERO),
        _k(E.DILATION_ZERO_THNN_TRANSPOSE, *_DILATION_ZERO),
        _k(E.ONEDNN_DECONV_DESCRIPTOR, *_ONEDNN),
        _k(E.ONEDNN_CONV_DESCRIPTOR, *_ONEDNN),
        _k(E.KERNEL_ZERO_SLOW, *_KERNEL_ZERO),
        _k(E.KERNEL_ZERO_SLOW_3D, *_KERNEL_ZERO),
        _k(
            E.DIM_OUT_OF_RANGE,
            (
                "torch asked for dimension {got} of a tensor with too few dimensions (valid: "
                "{low} to {high}).",
                "次元数の足りないテンソルの次元 {got} を参照しました（有効範囲: {low} から "
                "{high}）。",
            ),
            _CONV_RANK_CAUSE,
            (
                "check the input's rank: (N, C, H, W) for 2-d layers",
                "入力の次元数を確認する: 2 次元の層なら (N, C, H, W)",
            ),
        ),
        _k(
            E.TUPLE_INDEX,
            (
                "A per-axis argument (stride, padding, kernel_size, dilation) has fewer entries "
                "than the input has spatial axes.",
                "軸ごとの引数（stride, padding, kernel_size, dilation）の要素数が入力の空間軸の"
                "数より少ないです。",
            ),
            (
                "Python raises this message for any short tuple; in the convolution family it "
                "comes from ConvTranspose's output_size handling with a short argument tuple.",
                "Python は短いタプルの参照すべてでこのメッセージを出します。畳み込み系では"
                "ConvTranspose の output_size 処理で引数のタプルが短いときに起きます。",
            ),
            ("give one value per spatial axis", "空間軸ごとに 1 つの値を指定する"),
        ),
        _k(
            E.PAD_LENGTH,
            (
                "F.pad got {pad} padding values for a {idim}-d input: at most two per dimension.",
                "F.pad に {idim} 次元の入力に対して {pad} 個のパディング値が渡されました。"
                "1 次元あたり最大 2 個です。",
            ),
            None,
            (
                "give padding for the spatial axes only (two values per axis)",
                "空間軸の分だけパディングを指定する（1 軸あたり 2 個）",
            ),
        ),
        _k(E.SAME_STRIDED, *_SAME_STRIDED),
        _k(E.SAME_WEIGHT_INPUT_RANK, *_WEIGHT_INPUT_RANK),
        _k(
            E.SAME_BROADCAST,
            (
                "With padding='same', {name} must have one value or {n} values (one per "
                "spatial axis).",
                "padding='same' のとき、{name} は値 1 つか {n} 個（空間軸ごと）でなければ"
                "なりません。",
            ),
            None,
            (
                "give one value, or one per spatial axis",
                "値を 1 つ、または空間軸ごとに 1 つ指定する",
            ),
        ),
        _k(
            E.PADDING_STRING,
            (
                "padding='{padding}' is not a padding torch knows: the strings are 'same' and "
                "'valid'.",
                "padding='{padding}' は torch が知らないパディングです。文字列は 'same' と "
                "'valid' だけです。",
            ),
            None,
            (
                "use padding='same', padding='valid', or numbers",
                "padding='same'、padding='valid'、または数値を使う",
            ),
        ),
        _k(
            E.NEGATIVE_DIMENSION,
            (
                "A tensor would get the negative size {value}: {shape}.",
                "テンソルの大きさが負の {value} になります: {shape}。",
            ),
            (
                "A negative channel count, kernel size or output size in the layer's arguments.",
                "層の引数のチャネル数、カーネルサイズ、または出力サイズが負です。",
            ),
            (
                "check the layer's channel counts and sizes (all must be >= 0)",
                "層のチャネル数と大きさを確認する（すべて 0 以上）",
            ),
        ),
        _k(E.INVALID_SHAPE_DIMENSION, *_EMPTY_OUTPUT),
        _k(E.RESHAPE_AMBIGUOUS, *_EMPTY_OUTPUT),
        _k(
            E.RESHAPE_INFER_TWICE,
            (
                "The input is empty, and the output shape torch computes for it has more than "
                "one size of -1.",
                "入力が空で、torch が計算した出力の形に -1 が 2 つ以上あります。",
            ),
            _EMPTY_OUTPUT[1],
            _EMPTY_OUTPUT[2],
        ),
        _k(
            E.NARROW_NEGATIVE,
            (
                "padding='same' with an even kernel pads one side first; with these arguments "
                "that crops an axis to a negative length.",
                "偶数カーネルの padding='same' は片側を先にパディングしますが、この引数では軸が"
                "負の長さに切り取られます。",
            ),
            (
                "A negative dilation or an empty input with padding='same'.",
                "padding='same' で負のダイレーションか空の入力を使っています。",
            ),
            ("use dilation >= 1 and a non-empty input", "dilation >= 1 と空でない入力を使う"),
        ),
        _k(
            E.EMPTY_SELECT,
            (
                "With a zero batch and a kernel size of 0, torch's empty-input path fails.",
                "バッチ 0 とカーネルサイズ 0 の組み合わせで、torch の空入力の処理が失敗します。",
            ),
            None,
            ("use kernel_size >= 1", "kernel_size >= 1 を使う"),
        ),
        # ---- transposed convolution ----------------------------------------------------
        _k(
            E.TRANSPOSED_CHANNEL_MISMATCH,
            (
                "The transposed convolution expects {expected} input channels (weight.shape[0] "
                "of {weight}), but the input {input} has {got}.",
                "転置畳み込みは入力チャネル数 {expected}（{weight} の weight.shape[0]）を想定"
                "していますが、入力 {input} は {got} です。",
            ),
        ),
        _k(
            E.TRANSPOSED_BIAS_SHAPE,
            (
                "The bias must have one value per output channel ({expected},); it has {bias}.",
                "バイアスは出力チャネルごとに 1 つの値 ({expected},) が必要ですが、{bias} です。",
            ),
        ),
        _k(
            E.TRANSPOSED_OUTPUT_TOO_SMALL,
            (
                "The transposed convolution's output size, (L-1)*s - 2p + d(k-1) + op + 1, is "
                "below 1: input ({input}), output ({output}).",
                "転置畳み込みの出力サイズ (L-1)*s - 2p + d(k-1) + op + 1 が 1 未満です: 入力 "
                "({input})、出力 ({output})。",
            ),
            None,
            ("reduce the padding", "パディングを減らす"),
            (
                "or use a larger input, stride or kernel",
                "または入力・ストライド・カーネルを大きくする",
            ),
        ),
        _k(
            E.ONEDNN_MEMORY_DESCRIPTOR,
            (
                "oneDNN could not lay out the output: the transposed convolution's output size "
                "is 0 or negative (the slow kernels say 'Output size is too small').",
                "oneDNN が出力を確保できませんでした: 転置畳み込みの出力サイズが 0 以下です"
                "（低速カーネルでは 'Output size is too small' と表示されます）。",
            ),
            (
                "padding too large for the input: (L-1)*s - 2p + d(k-1) + op + 1 < 1.",
                "入力に対してパディングが大きすぎます: (L-1)*s - 2p + d(k-1) + op + 1 < 1。",
            ),
            ("reduce the padding, or use a larger input", "パディングを減らすか、入力を大きくする"),
        ),
        _k(
            E.OUTPUT_PADDING_TOO_BIG,
            (
                "output_padding only resolves the ambiguity a stride creates, so it must be "
                "smaller than the stride or the dilation on every axis: {values}.",
                "output_padding はストライドによる出力サイズの曖昧さを解消するだけなので、"
                "すべての軸でストライドかダイレーションより小さくなければなりません: {values}。",
            ),
            None,
            (
                "use output_padding < stride (e.g. stride - 1)",
                "output_padding < stride にする（例: stride - 1）",
            ),
            ("or pass output_size= to forward", "または forward に output_size= を渡す"),
        ),
        _k(E.SLOW_TRANSPOSE_WEIGHT_2D, *_SLOW_TRANSPOSE_WEIGHT),
        _k(E.SLOW_TRANSPOSE_WEIGHT_3D, *_SLOW_TRANSPOSE_WEIGHT),
        _k(
            E.ONEDNN_DIMENSIONS_INVALID,
            (
                "oneDNN rejects a 3-d transposed convolution with dilation 0.",
                "oneDNN はダイレーション 0 の 3 次元転置畳み込みを拒否します。",
            ),
            None,
            ("use dilation >= 1", "dilation >= 1 を使う"),
        ),
        _k(
            E.OUTPUT_SIZE_LENGTH,
            (
                "output_size must list the {n} spatial sizes (or all {full}, with batch and "
                "channels) for a {idim}-d input; it has {got}.",
                "{idim} 次元の入力では output_size に空間サイズ {n} 個（またはバッチとチャネル"
                "込みで {full} 個）が必要ですが、{got} 個です。",
            ),
            None,
            ("give the {n} spatial sizes", "空間サイズを {n} 個指定する"),
        ),
        _k(
            E.OUTPUT_SIZE_RANGE,
            (
                "output_size {requested} cannot be reached: for an input of {input} these "
                "arguments give sizes from {min} to {max}.",
                "output_size {requested} にはできません: 入力 {input} に対して、この引数で作れる"
                "大きさは {min} から {max} です。",
            ),
            (
                "output_size was taken from a tensor of another size (e.g. a skip connection "
                "whose size the stride does not reproduce).",
                "output_size を別の大きさのテンソル（ストライドでは再現できない大きさのスキップ"
                "接続など）から取っています。",
            ),
            (
                "pick an output_size from {min} to {max}, or change the stride/kernel/padding",
                "{min} から {max} の output_size を選ぶか、stride/kernel/padding を変える",
            ),
        ),
        _k(
            E.TRANSPOSE_PADDING_MODE,
            (
                "Transposed convolutions only support zero padding ({cls}).",
                "転置畳み込み（{cls}）はゼロパディングしかサポートしません。",
            ),
            None,
            ("use padding_mode='zeros'", "padding_mode='zeros' を使う"),
            (
                "or pad the input with F.pad(..., mode=...) yourself",
                "または自分で F.pad(..., mode=...) で入力をパディングする",
            ),
        ),
        _k(
            E.TRANSPOSE_PADDING_STRING,
            (
                "{op} takes numeric padding: 'same' and 'valid' are not supported for "
                "transposed convolutions.",
                "{op} のパディングは数値だけです。転置畳み込みでは 'same' と 'valid' は使えま"
                "せん。",
            ),
            None,
            ("give padding as numbers", "パディングを数値で指定する"),
        ),
        # ---- nn.ConvNd constructors -----------------------------------------------------
        _k(
            E.GROUPS_POSITIVE,
            (
                "groups splits the channels into groups, so it is 1 or more.",
                "groups はチャネルをいくつのグループに分けるかなので、1 以上です。",
            ),
        ),
        _k(
            E.IN_CHANNELS_GROUPS,
            (
                "Each group takes the same number of input channels, so groups has to divide "
                "in_channels.",
                "in_channels は groups で割り切れなければなりません。",
            ),
        ),
        _k(
            E.OUT_CHANNELS_GROUPS,
            (
                "Each group makes the same number of output channels, so groups has to divide "
                "out_channels.",
                "out_channels は groups で割り切れなければなりません。",
            ),
        ),
        _k(
            E.MODULE_PADDING_STRING,
            (
                "A padding string must be 'same' or 'valid' (got {padding}).",
                "パディングの文字列は 'same' か 'valid' でなければなりません（{padding}）。",
            ),
            None,
            (
                "use padding='same', padding='valid', or numbers",
                "padding='same'、padding='valid'、または数値を使う",
            ),
        ),
        _k(E.MODULE_SAME_STRIDED, *_SAME_STRIDED),
        _k(
            E.MODULE_PADDING_MODE,
            (
                "padding_mode must be 'zeros', 'reflect', 'replicate' or 'circular' (got "
                "'{mode}').",
                "padding_mode は 'zeros'、'reflect'、'replicate'、'circular' のいずれかで"
                "なければなりません（'{mode}'）。",
            ),
            None,
            ("use one of the four modes", "4 つのモードのどれかを使う"),
        ),
        # ---- F.pad (padding_mode) -------------------------------------------------------
        _k(
            E.PAD_RANK,
            (
                "reflect/replicate/circular padding pads 1 to 3 trailing axes and needs a "
                "matching input rank: {pad} padding values do not fit a {idim}-d input.",
                "reflect/replicate/circular のパディングは末尾の 1〜3 軸を対象とし、入力の次元数"
                "が合っている必要があります: {pad} 個のパディング値は {idim} 次元の入力に合い"
                "ません。",
            ),
            (
                "The input lacks a dimension (e.g. no channel dimension) for this layer.",
                "入力にこの層に必要な次元（チャネル次元など）がありません。",
            ),
            (
                "give the input (N, C, *spatial) or (C, *spatial)",
                "入力を (N, C, *空間) か (C, *空間) にする",
            ),
        ),
        _k(
            E.REFLECT_PAD_TOO_BIG,
            (
                "Reflection padding mirrors the input, so each side's padding must be smaller "
                "than that axis's size: padding ({left}, {right}) at dimension {dim} of "
                "{input}.",
                "反射パディングは入力を鏡映するため、各側のパディングはその軸の大きさより"
                "小さくなければなりません: {input} の次元 {dim} にパディング ({left}, {right})。",
            ),
            None,
            (
                "use padding_mode='replicate' or 'zeros'",
                "padding_mode='replicate' か 'zeros' を使う",
            ),
            ("or a larger input, or less padding", "または入力を大きくするか、パディングを減らす"),
        ),
        _k(
            E.PAD_OUTPUT_TOO_SMALL,
            (
                "Negative padding crops the input ({input}) to a size below 1 (output {output}).",
                "負のパディングで入力 ({input}) が 1 未満に切り取られます（出力 {output}）。",
            ),
            None,
            ("use less negative padding", "負のパディングを小さくする"),
        ),
        _k(
            E.PAD_EMPTY_INPUT,
            (
                "reflect/replicate/circular padding needs a {r}-d or {r1}-d input whose channel "
                "and spatial sizes are not 0; the input is {input}.",
                "reflect/replicate/circular のパディングには、チャネルと空間の大きさが 0 でない "
                "{r} 次元か {r1} 次元の入力が必要ですが、入力は {input} です。",
            ),
            None,
            (
                "check the shapes upstream: a dimension became 0",
                "上流の形を確認する: ある次元が 0 になっています",
            ),
        ),
        _k(
            E.PAD_NUMEL_OVERFLOW,
            (
                "Negative reflect padding makes a size negative; torch's element count overflows.",
                "負の反射パディングで大きさが負になり、torch の要素数計算がオーバーフローします。",
            ),
            None,
            (
                "use padding >= 0 with padding_mode='reflect'",
                "padding_mode='reflect' では padding >= 0 を使う",
            ),
        ),
        _k(
            E.CIRCULAR_WRAP,
            (
                "Circular padding wraps the input around once at most: padding must not exceed "
                "the size.",
                "循環パディングは入力を最大 1 周しか折り返せません。パディングは大きさを超えては"
                "いけません。",
            ),
            None,
            ("use less padding or a larger input", "パディングを減らすか、入力を大きくする"),
        ),
        _k(
            E.CIRCULAR_NEGATIVE,
            (
                "Negative circular padding crops an axis away completely.",
                "負の循環パディングで軸が完全に切り取られます。",
            ),
            None,
            ("use padding >= 0", "padding >= 0 を使う"),
        ),
        # ---- pooling -------------------------------------------------------------------
        _k(
            E.MAX_POOL1D_INPUT,
            (
                "max_pool1d takes a 2-d (C, L) or 3-d (N, C, L) input with non-zero C and L; "
                "got {input}.",
                "max_pool1d は C と L が 0 でない 2 次元 (C, L) か 3 次元 (N, C, L) の入力を"
                "取りますが、入力は {input} です。",
            ),
            None,
            (
                "use MaxPool2d for images, or reshape to (N, C, L)",
                "画像なら MaxPool2d を使うか、(N, C, L) に reshape する",
            ),
        ),
        _k(E.MAX_POOL1D_KERNEL_LENGTH, *_MAX_POOL1D_LENGTH),
        _k(E.MAX_POOL1D_STRIDE_LENGTH, *_MAX_POOL1D_LENGTH),
        _k(E.MAX_POOL1D_PADDING_LENGTH, *_MAX_POOL1D_LENGTH),
        _k(E.MAX_POOL1D_DILATION_LENGTH, *_MAX_POOL1D_LENGTH),
        _k(
            E.MAX_POOL1D_KERNEL,
            (
                "kernel_size must be at least 1 (got {kernel}).",
                "kernel_size は 1 以上でなければなりません（{kernel}）。",
            ),
            None,
            ("use kernel_size >= 1", "kernel_size >= 1 を使う"),
        ),
        _k(
            E.MAX_POOL1D_STRIDE,
            (
                "stride must be at least 1 (got {stride}).",
                "stride は 1 以上でなければなりません（{stride}）。",
            ),
            None,
            ("use stride >= 1", "stride >= 1 を使う"),
        ),
        _k(
            E.MAX_POOL1D_PADDING,
            (
                "padding must be 0 or more (got {padding}).",
                "padding は 0 以上でなければなりません（{padding}）。",
            ),
            None,
            ("use padding >= 0", "padding >= 0 を使う"),
        ),
        _k(
            E.MAX_POOL1D_PADDING_HALF,
            (
                "Pooling padding must be at most half the kernel size: padding={padding}, "
                "kernel_size={kernel}.",
                "プーリングのパディングはカーネルサイズの半分以下でなければなりません: "
                "padding={padding}、kernel_size={kernel}。",
            ),
            None,
            ("use padding <= kernel_size // 2", "padding <= kernel_size // 2 にする"),
        ),
        _k(
            E.MAX_POOL1D_DILATION,
            (
                "dilation must be at least 1 (got {dilation}).",
                "dilation は 1 以上でなければなりません（{dilation}）。",
            ),
            None,
            ("use dilation >= 1", "dilation >= 1 を使う"),
        ),
        _k(
            E.MAX_POOL1D_OUTPUT,
            (
                "The pooled length would be {output}: the (dilated) window is longer than the "
                "padded input.",
                "プーリング後の長さが {output} になります: （ダイレーション込みの）窓がパディング"
                "後の入力より長いです。",
            ),
            None,
            (
                "use a smaller kernel_size or dilation, or a longer input",
                "kernel_size か dilation を小さくするか、入力を長くする",
            ),
        ),
        _k(
            E.DIM_RANGE,
            (
                "{op} takes a tensor with {low} to {high} dimensions; the input has {idim}.",
                "{op} は {low} から {high} 次元のテンソルを取りますが、入力は {idim} 次元です。",
            ),
            None,
            (
                "use the layer that matches the data's dimensionality, or reshape the input",
                "データの次元に合った層を使うか、入力を reshape する",
            ),
        ),
        _k(
            E.ONE_INT,
            (
                "{op} is 1-d: {name} must be one int, but it has {n} values.",
                "{op} は 1 次元なので {name} は整数 1 つでなければなりませんが、"
                "値が {n} 個あります。",
            ),
            None,
            ("give a single int", "整数 1 つを指定する"),
        ),
        _k(E.POOL_KERNEL_LENGTH, *_POOL_PARAM_LENGTH),
        _k(E.POOL_STRIDE_LENGTH, *_POOL_PARAM_LENGTH),
        _k(E.POOL_PADDING_LENGTH, *_POOL_PARAM_LENGTH),
        _k(E.POOL_DILATION_LENGTH, *_POOL_PARAM_LENGTH),
        _k(E.AVG_POOL3D_KERNEL_LENGTH, *_AVG_POOL3D_LENGTH),
        _k(E.AVG_POOL3D_STRIDE_LENGTH, *_AVG_POOL3D_LENGTH),
        _k(E.AVG_POOL3D_PADDING_LENGTH, *_AVG_POOL3D_LENGTH),
        _k(
            E.DIVISOR_ZERO,
            (
                "divisor_override=0 would divide every window by zero.",
                "divisor_override=0 ではすべての窓をゼロで割ることになります。",
            ),
            None,
            (
                "use divisor_override=None (the window size) or a positive number",
                "divisor_override=None（窓の大きさ）か正の数を使う",
            ),
        ),
        _k(
            E.POOL_RANK,
            (
                "The pooling input must be {r}-d (unbatched) or {r1}-d (batched), with no empty "
                "dimension.",
                "プーリングの入力は空の次元がない {r} 次元（バッチなし）か {r1} 次元（バッチ"
                "付き）でなければなりません。",
            ),
            None,
            (
                "check the input's rank and that no dimension is 0",
                "入力の次元数と、0 の次元がないことを確認する",
            ),
        ),
        _k(
            E.DIM_NO_DIMENSIONS,
            (
                "The input is 0-d (a scalar); the layer needs channel and spatial dimensions.",
                "入力が 0 次元（スカラー）です。層にはチャネルと空間の次元が必要です。",
            ),
            _CONV_RANK_CAUSE,
            ("pass a tensor of shape (N, C, ...)", "形 (N, C, ...) のテンソルを渡す"),
        ),
        _k(
            E.POOL_STRIDE_ZERO,
            ("stride must not be 0.", "stride は 0 にできません。"),
            None,
            (
                "use stride >= 1 (or leave it out: it defaults to kernel_size)",
                "stride >= 1 を使う（省略すると kernel_size と同じになります）",
            ),
        ),
        _k(
            E.POOL_PAD_NEGATIVE,
            (
                "Pooling padding must be 0 or more (got {pad}).",
                "プーリングのパディングは 0 以上でなければなりません（{pad}）。",
            ),
            None,
            ("use padding >= 0", "padding >= 0 を使う"),
        ),
        _k(
            E.POOL_PAD_HALF_EFFECTIVE,
            (
                "Pooling padding ({pad}) must be at most half the effective kernel "
                "(kernel_size={kernel}, dilation={dilation}): pad <= (dilation*(kernel-1)+1)//2.",
                "プーリングのパディング ({pad}) は実効カーネル（kernel_size={kernel}, "
                "dilation={dilation}）の半分以下でなければなりません: "
                "pad <= (dilation*(kernel-1)+1)//2。",
            ),
            (
                "padding copied from a conv layer; for pooling it is limited to half the window.",
                "畳み込み層からパディングをコピーしていますが、プーリングでは窓の半分までです。",
            ),
            ("use a smaller padding", "パディングを小さくする"),
        ),
        _k(
            E.POOL_STRIDE_NONPOSITIVE,
            (
                "stride must be at least 1 (got {stride}).",
                "stride は 1 以上でなければなりません（{stride}）。",
            ),
            None,
            ("use stride >= 1", "stride >= 1 を使う"),
        ),
        _k(
            E.POOL2D_INPUT,
            (
                "2-d pooling takes a 3-d (C, H, W) or 4-d (N, C, H, W) input with non-zero C, H "
                "and W; got {input}.",
                "2 次元プーリングは C, H, W が 0 でない 3 次元 (C, H, W) か 4 次元 "
                "(N, C, H, W) の入力を取りますが、入力は {input} です。",
            ),
            (
                "A missing or extra dimension, or an earlier layer shrank an axis to 0.",
                "次元の欠落・余分な次元、または前の層が軸を 0 まで縮めています。",
            ),
            (
                "reshape to (N, C, H, W), and check the sizes upstream",
                "(N, C, H, W) に reshape し、上流の大きさを確認する",
            ),
        ),
        _k(
            E.POOL3D_EMPTY,
            (
                "{fn}: dimension {size} of the input {input} is 0; only the batch may be empty.",
                "{fn}: 入力 {input} の次元 {size} が 0 です。空にできるのはバッチだけです。",
            ),
            None,
            (
                "check the sizes upstream: a previous layer reduced an axis to 0",
                "上流の大きさを確認する: 前の層が軸を 0 まで縮めています",
            ),
        ),
        _k(
            E.AVG_POOL3D_INPUT_SMALL,
            (
                "The (padded) input (T: {T} H: {H} W: {W}) is smaller than the kernel (kT: {kT} "
                "kH: {kH} kW: {kW}).",
                "（パディング後の）入力 (T: {T} H: {H} W: {W}) がカーネル (kT: {kT} kH: {kH} "
                "kW: {kW}) より小さいです。",
            ),
            None,
            (
                "use a smaller kernel_size, padding, or a larger input",
                "kernel_size を小さくするか、パディングを足すか、入力を大きくする",
            ),
        ),
        _k(E.POOL2D_PAD_HALF, *_POOL_PAD_HALF),
        _k(
            E.POOL3D_PAD_HALF,
            (
                "Pooling padding must be at most half the kernel size: kernel (kT: {kT} kH: {kH} "
                "kW: {kW}), padding (padT: {padT} padH: {padH} padW: {padW}).",
                "プーリングのパディングはカーネルサイズの半分以下でなければなりません: カーネル "
                "(kT: {kT} kH: {kH} kW: {kW})、パディング (padT: {padT} padH: {padH} "
                "padW: {padW})。",
            ),
            _POOL_PAD_HALF[1],
            _POOL_PAD_HALF[2],
        ),
        _k(
            E.POOL_OUTPUT_TOO_SMALL,
            (
                "The pooling window does not fit: input ({input}), output ({output}).",
                "プーリングの窓が収まりません: 入力 ({input})、出力 ({output})。",
            ),
            None,
            (
                "use a smaller kernel_size, padding or ceil_mode=True, or a larger input",
                "kernel_size を小さくするか、padding や ceil_mode=True を使うか、入力を大きくする",
            ),
        ),
        _k(E.UNPACK_TOO_FEW, *_UNPACK),
        _k(E.UNPACK_TOO_MANY, *_UNPACK),
        _k(E.UNPACK_TOO_MANY_COUNTED, *_UNPACK),
        _k(
            E.LP_NORM_ZERO,
            (
                "norm_type=0 makes LP pooling compute x ** (1/0).",
                "norm_type=0 では LP プーリングが x ** (1/0) を計算することになります。",
            ),
            (
                "Python raises this message for any division by zero; in the convolution family "
                "it comes from LPPool with norm_type=0.",
                "Python はあらゆるゼロ除算でこのメッセージを出します。畳み込み系では "
                "norm_type=0 の LPPool が原因です。",
            ),
            ("use norm_type > 0 (e.g. 2)", "norm_type > 0（例: 2）を使う"),
        ),
        _k(
            E.INT_OVERFLOW,
            (
                "A size or argument is too large for the integer type torch uses here.",
                "大きさか引数が、torch がここで使う整数型には大きすぎます。",
            ),
            None,
            ("use realistic sizes", "現実的な大きさを使う"),
        ),
        # ---- adaptive pooling ----------------------------------------------------------
        _k(
            E.ADAPTIVE_INPUT_DIMENSION,
            (
                "For this output_size the input needs at least {n} dimensions (channels plus "
                "one per output_size entry).",
                "この output_size では入力に少なくとも {n} 次元（チャネルと output_size の各要素"
                "の分）が必要です。",
            ),
            None,
            (
                "add the channel dimension, or use an output_size with fewer entries",
                "チャネル次元を追加するか、要素の少ない output_size を使う",
            ),
        ),
        _k(
            E.ADAPTIVE_NONE_FIRST,
            (
                "{op} needs output_size as ints: None (keep the input's size) works only in the "
                "2-d and 3-d adaptive pool modules.",
                "{op} の output_size は整数でなければなりません。None（入力の大きさを保つ）が"
                "使えるのは 2 次元と 3 次元の適応的プーリングのモジュールだけです。",
            ),
            None,
            ("give an int for every axis", "すべての軸に整数を指定する"),
        ),
        _k(
            E.ADAPTIVE_NONE_LATER,
            (
                "{op} needs output_size as ints, with one entry per spatial axis (None at "
                "position {pos}).",
                "{op} の output_size は空間軸ごとに 1 つの整数でなければなりません（位置 {pos} "
                "に None）。",
            ),
            None,
            ("give an int for every axis", "すべての軸に整数を指定する"),
        ),
        _k(E.ADAPTIVE_AVG_OUTPUT_LENGTH, *_ADAPTIVE_LENGTH),
        _k(
            E.ADAPTIVE_AVG_OUTPUT_NEGATIVE,
            (
                "{op}: output sizes must be 0 or more; got {values}.",
                "{op}: 出力サイズは 0 以上でなければなりません: {values}。",
            ),
            None,
            ("use output sizes >= 1", "1 以上の出力サイズを使う"),
        ),
        _k(E.ADAPTIVE_AVG_RANK, *_ADAPTIVE_RANK),
        _k(E.ADAPTIVE_MAX_RANK, *_ADAPTIVE_RANK),
        _k(
            E.ADAPTIVE_EMPTY,
            (
                "{op}: dimension {dim} of the input {input} is 0; only the batch may be empty.",
                "{op}: 入力 {input} の次元 {dim} が 0 です。空にできるのはバッチだけです。",
            ),
            None,
            (
                "check the sizes upstream: a previous layer reduced an axis to 0",
                "上流の大きさを確認する: 前の層が軸を 0 まで縮めています",
            ),
        ),
        _k(E.ADAPTIVE_MAX_OUTPUT_LENGTH, *_ADAPTIVE_LENGTH),
        # ---- unfold / fold -------------------------------------------------------------
        _k(
            E.FOLD_PARAM_LENGTH,
            (
                "Unfold and Fold work on 2-d images: {name} must have exactly 2 values, but it "
                "has {n}.",
                "Unfold と Fold は 2 次元画像用です: {name} はちょうど 2 つの値が必要ですが、"
                "{n} 個あります。",
            ),
            None,
            ("give one int or two values", "整数 1 つか値 2 つを指定する"),
        ),
        _k(
            E.FOLD_PADDING_NEGATIVE,
            (
                "padding must be 0 or more: {padding}.",
                "padding は 0 以上でなければなりません: {padding}。",
            ),
            None,
            ("use padding >= 0", "padding >= 0 を使う"),
        ),
        _k(
            E.UNFOLD_BLOCKS,
            (
                "The kernel ({kernel}, dilation {dilation}, padding {padding}) does not fit the "
                "input's spatial size {spatial}: the array of sliding blocks would be {blocks}.",
                "カーネル（{kernel}、dilation {dilation}、padding {padding}）が入力の空間サイズ "
                "{spatial} に収まりません: スライディングブロックの配列が {blocks} になります。",
            ),
            None,
            (
                "use a smaller kernel_size or dilation, more padding, or a larger input",
                "kernel_size か dilation を小さくするか、パディングを増やすか、入力を大きくする",
            ),
        ),
        _k(
            E.FOLD_INPUT,
            (
                "Fold takes a 2-d (C*kH*kW, L) or 3-d (N, C*kH*kW, L) input with non-zero "
                "sizes; got {input}.",
                "Fold は大きさが 0 でない 2 次元 (C*kH*kW, L) か 3 次元 (N, C*kH*kW, L) の入力を"
                "取りますが、入力は {input} です。",
            ),
            None,
            (
                "feed Fold what Unfold returns: (N, C*kH*kW, L)",
                "Unfold の出力 (N, C*kH*kW, L) を Fold に渡す",
            ),
        ),
        _k(
            E.FOLD_CHANNELS,
            (
                "Fold's input dimension 1 ({channels}) must be a multiple of the kernel's "
                "area (kernel_size={kernel}).",
                "Fold の入力の次元 1（{channels}）はカーネルの面積（kernel_size={kernel}）の"
                "倍数でなければなりません。",
            ),
            None,
            (
                "use the kernel_size the Unfold used, or C*kH*kW channels",
                "Unfold と同じ kernel_size を使うか、チャネルを C*kH*kW にする",
            ),
        ),
        _k(
            E.FOLD_BLOCKS_MISMATCH,
            (
                "For output_size={output_size} Fold expects {bh} * {bw} = {blocks} blocks in "
                "input dimension 2, but the input has {length}.",
                "output_size={output_size} では Fold は入力の次元 2 に {bh} * {bw} = {blocks} "
                "個のブロックを想定していますが、入力は {length} 個です。",
            ),
            (
                "output_size, kernel_size, stride, padding or dilation differ from the Unfold "
                "that made the blocks.",
                "output_size, kernel_size, stride, padding, dilation のどれかがブロックを作った "
                "Unfold と違います。",
            ),
            (
                "use the Unfold's arguments and the original image size as output_size",
                "Unfold の引数と元の画像サイズを output_size に使う",
            ),
        ),
        _k(E.FOLD_BLOCKS_NONPOSITIVE, *_FOLD_BLOCKS),
        _k(
            E.FOLD_OUTPUT_NONPOSITIVE,
            (
                "output_size {output_size} must be positive on both axes.",
                "output_size {output_size} は両方の軸で正でなければなりません。",
            ),
            None,
            ("use output sizes >= 1", "1 以上の出力サイズを使う"),
        ),
        # ---- layers between convolutions -----------------------------------------------
        _k(
            E.LINEAR_MISMATCH,
            (
                "The Linear layer was built for {expected} input features, but its input has "
                "{got}.",
                "Linear 層は入力特徴数 {expected} 用ですが、入力の特徴数は {got} です。",
            ),
            None,
            ("use nn.Linear({got}, {out})", "nn.Linear({got}, {out}) を使う"),
        ),
        _k(
            E.BATCHNORM_FEATURES,
            (
                "The BatchNorm layer was built for {expected} channels, but its input has {got}.",
                "BatchNorm 層は {expected} チャネル用ですが、入力のチャネル数は {got} です。",
            ),
            None,
            ("use nn.BatchNorm2d({got})", "nn.BatchNorm2d({got}) を使う"),
        ),
        _k(
            E.BATCHNORM_RANK,
            (
                "This BatchNorm expects {expected} input, but got a {got}-d one: BatchNorm1d "
                "takes (N, C) or (N, C, L), BatchNorm2d (N, C, H, W), BatchNorm3d (N, C, D, H, W).",
                "この BatchNorm は {expected} の入力を想定していますが、{got} 次元の入力です: "
                "BatchNorm1d は (N, C) か (N, C, L)、BatchNorm2d は (N, C, H, W)、BatchNorm3d "
                "は (N, C, D, H, W) を取ります。",
            ),
            (
                "A BatchNorm of the wrong dimensionality (e.g. BatchNorm2d after Flatten), or a "
                "missing batch dimension.",
                "次元の違う BatchNorm（Flatten の後の BatchNorm2d など）か、バッチ次元の欠落です。",
            ),
            (
                "use the BatchNorm that matches the data (BatchNorm1d after Flatten/Linear)",
                "データに合った BatchNorm を使う（Flatten/Linear の後は BatchNorm1d）",
            ),
        ),
        _k(
            E.BATCHNORM_ONE_VALUE,
            (
                "In training mode BatchNorm needs more than one value per channel to compute "
                "a variance, but the input {input} has one.",
                "学習モードの BatchNorm は分散を計算するためにチャネルごとに 2 つ以上の値が"
                "必要ですが、入力 {input} には 1 つしかありません。",
            ),
            (
                "A batch of 1 with no spatial size (e.g. the last, incomplete batch, or a "
                "single sample after global pooling).",
                "空間サイズのないバッチ 1（最後の端数のバッチや、グローバルプーリング後の"
                "1 サンプルなど）です。",
            ),
            (
                "use a batch of 2 or more (DataLoader(..., drop_last=True)), or call model.eval()",
                "バッチを 2 以上にする（DataLoader(..., drop_last=True)）か、model.eval() を呼ぶ",
            ),
        ),
        _k(
            E.GROUPNORM_CHANNELS,
            (
                "The GroupNorm layer's weight {weight} does not match the channels of the input "
                "{input}.",
                "GroupNorm 層の重み {weight} が入力 {input} のチャネル数と合いません。",
            ),
            None,
            (
                "use nn.GroupNorm(num_groups, C) with C the input's channels",
                "C を入力のチャネル数として nn.GroupNorm(num_groups, C) を使う",
            ),
        ),
        _k(
            E.GROUPNORM_GROUPS,
            (
                "GroupNorm splits the {channels} channels into {groups} equal groups: {groups} "
                "does not divide {channels}.",
                "num_channels（{channels}）は num_groups（{groups}）で割り切れなければなりません。",
            ),
            None,
            (
                "use a num_groups that divides {channels}",
                "{channels} を割り切る num_groups を使う",
            ),
        ),
        _k(
            E.LAYERNORM_SHAPE,
            (
                "LayerNorm normalizes the last dimensions, which must equal normalized_shape="
                "{normalized}; the input is {input}.",
                "LayerNorm は末尾の次元を正規化するため、それが normalized_shape={normalized} と"
                "一致しなければなりませんが、入力は {input} です。",
            ),
            (
                "normalized_shape was written for another feature map, or for channels-last "
                "data while the input is (N, C, H, W).",
                "normalized_shape が別の特徴マップ用か、入力が (N, C, H, W) なのにチャネル最後の"
                "データ用に書かれています。",
            ),
            (
                "use the input's trailing dimensions as normalized_shape",
                "入力の末尾の次元を normalized_shape に使う",
            ),
        ),
        _k(
            E.INSTANCENORM_FEATURES,
            (
                "The InstanceNorm layer was built for num_features={expected}, but the input's "
                "dimension {dim} is {got}.",
                "InstanceNorm 層は num_features={expected} 用ですが、入力の次元 {dim} は {got} "
                "です。",
            ),
            None,
            ("use nn.InstanceNorm2d({got})", "nn.InstanceNorm2d({got}) を使う"),
        ),
        _k(
            E.PIXEL_SHUFFLE_CHANNELS,
            (
                "PixelShuffle moves channels into space in blocks of upscale_factor**2 = "
                "{square}, so the input's {channels} channels must be a multiple of {square}.",
                "PixelShuffle はチャネルを upscale_factor**2 = {square} 個ずつ空間に移すため、"
                "入力のチャネル数 {channels} は {square} の倍数でなければなりません。",
            ),
            (
                "The conv before it does not output C * upscale_factor**2 channels.",
                "直前の畳み込みが C * upscale_factor**2 チャネルを出力していません。",
            ),
            (
                "make the previous conv output a multiple of {square} channels",
                "直前の畳み込みの出力チャネルを {square} の倍数にする",
            ),
        ),
        # ---- more layers between convolutions (CS810-) --------------------------------
        _k(
            E.BATCHNORM_WEIGHT_FEATURES,
            (
                "The batch norm's weight has {expected} elements, but the input has {got} "
                "channels.",
                "バッチ正規化の重みの要素数は {expected} ですが、入力のチャネル数は {got} です。",
            ),
            None,
            (
                "give weight and bias one element per input channel ({got})",
                "weight と bias を入力チャネルごとに 1 要素（{got} 個）にする",
            ),
        ),
        _k(
            E.LINEAR_SCALAR,
            (
                "nn.Linear got a {idim}-d input; it needs at least (features,).",
                "nn.Linear に {idim} 次元の入力が渡されました。少なくとも (特徴数,) が必要です。",
            ),
            None,
            ("reshape the input to (N, in_features)", "入力を (N, in_features) に reshape する"),
        ),
        _k(
            E.GROUPNORM_RANK,
            (
                "GroupNorm needs an input with at least 2 dimensions (N, C, ...); it has {idim}.",
                "GroupNorm には少なくとも 2 次元 (N, C, ...) の入力が必要ですが、{idim} 次元です。",
            ),
            None,
            ("add the batch dimension: x.unsqueeze(0)", "バッチ次元を追加する: x.unsqueeze(0)"),
        ),
        _k(
            E.GROUPNORM_INPUT_GROUPS,
            (
                "The input {input} has a channel count that num_groups={groups} does not divide.",
                "入力 {input} のチャネル数は num_groups={groups} で割り切れません。",
            ),
            None,
            (
                "use a num_groups that divides the input's channels",
                "入力のチャネル数を割り切る num_groups を使う",
            ),
        ),
        _k(
            E.INSTANCENORM_SPATIAL,
            (
                "In training mode InstanceNorm needs more than one spatial element per channel; "
                "the input {input} has one.",
                "学習モードの InstanceNorm にはチャネルごとに 2 つ以上の空間要素が必要ですが、"
                "入力 {input} には 1 つしかありません。",
            ),
            (
                "The feature map was pooled down to 1x1 before the InstanceNorm.",
                "InstanceNorm の前で特徴マップが 1x1 までプーリングされています。",
            ),
            (
                "move the InstanceNorm before the pooling, or use a larger input",
                "InstanceNorm をプーリングの前に移すか、入力を大きくする",
            ),
        ),
        _k(
            E.LAYERNORM_EMPTY,
            (
                "normalized_shape is empty ({normalized}); LayerNorm needs at least one "
                "dimension to normalize.",
                "normalized_shape が空です（{normalized}）。LayerNorm には正規化する次元が"
                "少なくとも 1 つ必要です。",
            ),
            None,
            (
                "give the input's trailing dimension(s), e.g. nn.LayerNorm(C)",
                "入力の末尾の次元を指定する（例: nn.LayerNorm(C)）",
            ),
        ),
        _k(
            E.PIXEL_SHUFFLE_RANK,
            (
                "{op} needs an input with at least 3 dimensions (C, H, W); it has {idim}.",
                "{op} には少なくとも 3 次元 (C, H, W) の入力が必要ですが、{idim} 次元です。",
            ),
            None,
            ("pass (N, C, H, W) or (C, H, W)", "(N, C, H, W) か (C, H, W) を渡す"),
        ),
        _k(
            E.PIXEL_SHUFFLE_FACTOR,
            (
                "{op}'s {name} must be positive; it is {factor}.",
                "{op} の {name} は正でなければなりませんが、{factor} です。",
            ),
            None,
            ("use a factor >= 1", "1 以上の係数を使う"),
        ),
        _k(
            E.PIXEL_UNSHUFFLE_SPATIAL,
            (
                "PixelUnshuffle folds blocks of {factor} pixels into channels, so the {what} "
                "({size}, dimension {dim}) must be a multiple of {factor}.",
                "PixelUnshuffle は {factor} ピクセルのブロックをチャネルに畳み込むため、{what}"
                "（{size}、次元 {dim}）は {factor} の倍数でなければなりません。",
            ),
            None,
            (
                "crop or pad the input to a multiple of {factor}",
                "入力を {factor} の倍数に切り取るかパディングする",
            ),
        ),
        _k(
            E.FLATTEN_ORDER,
            (
                "Flatten's start_dim comes after its end_dim.",
                "Flatten の start_dim が end_dim より後ろにあります。",
            ),
            None,
            (
                "use start_dim <= end_dim (nn.Flatten() flattens from dimension 1 to the end)",
                "start_dim <= end_dim にする（nn.Flatten() は次元 1 から最後までを平坦化します）",
            ),
        ),
        _k(
            E.UNFLATTEN_SIZES,
            (
                "Unflatten's sizes {sizes} must multiply to the size of dimension {dim}, which "
                "is {size}.",
                "Unflatten の sizes {sizes} の積は次元 {dim} の大きさ {size} と等しくなければ"
                "なりません。",
            ),
            (
                "The sizes were written for another feature map (C, H, W).",
                "sizes が別の特徴マップ (C, H, W) 用に書かれています。",
            ),
            (
                "use sizes whose product is {size} (one entry may be -1)",
                "積が {size} になる sizes を使う（1 つは -1 にできます）",
            ),
        ),
        _k(
            E.UNFLATTEN_EMPTY,
            ("Unflatten's sizes are empty.", "Unflatten の sizes が空です。"),
            None,
            ("give at least one size", "少なくとも 1 つの大きさを指定する"),
        ),
        _k(
            E.UNFLATTEN_INTERNAL,
            (
                "Unflatten's sizes are invalid: {reason}.",
                "Unflatten の sizes が不正です: {reason}。",
            ),
            None,
            (
                "use positive sizes, with at most one -1",
                "正の大きさを使い、-1 は 1 つまでにする",
            ),
        ),
        _k(
            E.GLU_SCALAR,
            (
                "GLU splits a dimension in half and cannot take a 0-d tensor.",
                "GLU は次元を半分に分けるため、0 次元のテンソルは扱えません。",
            ),
            None,
            (
                "pass a tensor with an even-sized dimension",
                "大きさが偶数の次元を持つテンソルを渡す",
            ),
        ),
        _k(
            E.GLU_ODD,
            (
                "GLU splits dimension {dim} in half, but its size {size} is odd.",
                "GLU は次元 {dim} を半分に分けますが、大きさ {size} が奇数です。",
            ),
            None,
            (
                "give that dimension an even size (e.g. double the previous layer's output)",
                "その次元を偶数にする（前の層の出力を 2 倍にするなど）",
            ),
        ),
        _k(
            E.PRELU_SCALAR,
            (
                "PReLU with several parameters cannot take a 0-d tensor.",
                "パラメータが複数の PReLU は 0 次元のテンソルを扱えません。",
            ),
            None,
            ("pass a tensor of shape (N, C, ...)", "形 (N, C, ...) のテンソルを渡す"),
        ),
        _k(
            E.PRELU_CHANNELS,
            (
                "PReLU has {params} parameters (one per channel), but the input has {channels} "
                "channels.",
                "PReLU のパラメータは {params} 個（チャネルごとに 1 つ）ですが、入力のチャネル数"
                "は {channels} です。",
            ),
            None,
            (
                "use nn.PReLU({channels}) or nn.PReLU() (one shared parameter)",
                "nn.PReLU({channels}) か nn.PReLU()（共有パラメータ 1 つ）を使う",
            ),
        ),
        _k(
            E.DROPOUT_PROBABILITY,
            (
                "A dropout probability must be from 0 to 1; it is {p}.",
                "ドロップアウト確率は 0 から 1 でなければなりませんが、{p} です。",
            ),
            None,
            ("use p between 0 and 1", "0 から 1 の p を使う"),
        ),
        _k(
            E.DROPOUT1D_RANK,
            (
                "Dropout1d takes (C, L) or (N, C, L); the input is {idim}-d.",
                "Dropout1d は (C, L) か (N, C, L) を取りますが、入力は {idim} 次元です。",
            ),
            None,
            (
                "use the Dropout of the data's dimensionality (Dropout2d for images)",
                "データの次元に合った Dropout を使う（画像なら Dropout2d）",
            ),
        ),
        _k(
            E.FEATURE_DROPOUT_RANK,
            (
                "Channel-wise (feature) dropout needs an input with at least 2 dimensions.",
                "チャネル単位（特徴）のドロップアウトには少なくとも 2 次元の入力が必要です。",
            ),
            None,
            ("pass (N, C, ...), or use nn.Dropout", "(N, C, ...) を渡すか、nn.Dropout を使う"),
        ),
        _k(
            E.SOFTMAX2D_RANK,
            (
                "Softmax2d takes (C, H, W) or (N, C, H, W); the input is {idim}-d.",
                "Softmax2d は (C, H, W) か (N, C, H, W) を取りますが、入力は {idim} 次元です。",
            ),
            None,
            (
                "use nn.Softmax(dim=1) for other shapes",
                "ほかの形には nn.Softmax(dim=1) を使う",
            ),
        ),
        _k(
            E.GELU_APPROXIMATE,
            (
                "GELU's approximate must be 'none' or 'tanh'.",
                "GELU の approximate は 'none' か 'tanh' でなければなりません。",
            ),
            None,
            ("use approximate='none' or 'tanh'", "approximate='none' か 'tanh' を使う"),
        ),
        _k(
            E.INTERPOLATE_ALIGN_CORNERS,
            (
                "align_corners applies only to the interpolating modes (linear, bilinear, "
                "bicubic, trilinear).",
                "align_corners は補間モード（linear, bilinear, bicubic, trilinear）でしか"
                "使えません。",
            ),
            None,
            (
                "drop align_corners, or use an interpolating mode",
                "align_corners を外すか、補間モードを使う",
            ),
        ),
        _k(
            E.INTERPOLATE_BOTH,
            (
                "interpolate/Upsample takes size or scale_factor, not both.",
                "interpolate/Upsample には size か scale_factor のどちらか一方を指定します。",
            ),
            None,
            ("keep only one of them", "どちらか一方だけにする"),
        ),
        _k(
            E.INTERPOLATE_SIZE_LENGTH,
            (
                "The output size {size} must have one entry per spatial axis of the input "
                "{spatial}.",
                "出力サイズ {size} は入力の空間軸 {spatial} ごとに 1 つの値が必要です。",
            ),
            (
                "size includes the batch or channel dimension, or the input lacks one.",
                "size にバッチかチャネルの次元が含まれているか、入力に次元が足りません。",
            ),
            ("give only the spatial sizes", "空間サイズだけを指定する"),
        ),
        _k(
            E.INTERPOLATE_SCALE_LENGTH,
            (
                "scale_factor {scale} must have one entry per spatial axis of the input {spatial}.",
                "scale_factor {scale} は入力の空間軸 {spatial} ごとに 1 つの値が必要です。",
            ),
            None,
            (
                "give one factor, or one per spatial axis",
                "係数を 1 つ、または空間軸ごとに 1 つ指定する",
            ),
        ),
        _k(
            E.INTERPOLATE_NEITHER,
            (
                "interpolate/Upsample needs size or scale_factor.",
                "interpolate/Upsample には size か scale_factor が必要です。",
            ),
            None,
            ("give size= or scale_factor=", "size= か scale_factor= を指定する"),
        ),
        _k(
            E.INTERPOLATE_RECOMPUTE,
            (
                "recompute_scale_factor only applies with scale_factor, not with size.",
                "recompute_scale_factor は scale_factor のときだけ使え、size とは併用できません。",
            ),
            None,
            ("drop recompute_scale_factor", "recompute_scale_factor を外す"),
        ),
        _k(
            E.INTERPOLATE_RANK,
            (
                "interpolate takes 3-d, 4-d or 5-d input (N, C, ...); it got {idim}-d (mode "
                "{mode}).",
                "interpolate は 3〜5 次元 (N, C, ...) の入力を取りますが、{idim} 次元です"
                "（mode {mode}）。",
            ),
            None,
            (
                "add the batch/channel dimensions: x[None, None] or x.unsqueeze(0)",
                "バッチ／チャネル次元を追加する: x[None, None] または x.unsqueeze(0)",
            ),
        ),
        _k(
            E.INTERPOLATE_MODE_RANK,
            (
                "mode '{mode}' needs a {need}-d input, but it got {idim}-d.",
                "mode '{mode}' には {need} 次元の入力が必要ですが、{idim} 次元です。",
            ),
            None,
            (
                "use the mode of the data's dimensionality (bilinear for 4-d images)",
                "データの次元に合ったモードを使う（4 次元の画像なら bilinear）",
            ),
        ),
        _k(
            E.INTERPOLATE_SIZES,
            (
                "interpolate's input ({input}) or output ({output}) has a size of 0.",
                "interpolate の入力 ({input}) か出力 ({output}) に大きさ 0 があります。",
            ),
            None,
            ("use sizes >= 1", "1 以上の大きさを使う"),
        ),
        _k(
            E.INTERPOLATE_SIZES_1D,
            (
                "interpolate's input ({input}) or output ({output}) has a size of 0.",
                "interpolate の入力 ({input}) か出力 ({output}) に大きさ 0 があります。",
            ),
            None,
            ("use sizes >= 1", "1 以上の大きさを使う"),
        ),
        _k(
            E.INTERPOLATE_EMPTY,
            (
                "interpolate needs a non-empty {r}-d tensor; it got {input}.",
                "interpolate には空でない {r} 次元のテンソルが必要ですが、{input} です。",
            ),
            None,
            (
                "check the sizes upstream: a dimension became 0",
                "上流の大きさを確認する: ある次元が 0 になっています",
            ),
        ),
        _k(
            E.LANCZOS_ANTIALIAS,
            (
                "mode='lanczos' needs antialias=True.",
                "mode='lanczos' には antialias=True が必要です。",
            ),
            None,
            ("pass antialias=True", "antialias=True を渡す"),
        ),
    ]
)
