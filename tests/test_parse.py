"""convshape.parse: shapes, flag values and pasted layers -> specs, never evaluating them.

Expected specs are written out by hand from torch's documented signatures (the
dataclass constructors, not ``make``), with a distinct value in each position so that a
misplaced positional argument shows. Where torch is installed, two more checks tie the
table to torch itself: the signatures match torch 2.13's, and each case, run for real by
the *test* (trusted strings, never user input), behaves as its spec does in the oracle.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import re
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convshape.core.errors import UsageError
from convshape.ops import AdaptivePool, Conv, ConvCall, Fold, Pool, Spec, Unfold
from convshape.readers import parse as parse_module
from convshape.readers.parse import LAYERS, Layer, parse_ints, parse_layer, parse_shape

SPEC_TYPES = (Conv, ConvCall, Pool, AdaptivePool, Unfold, Fold)


def one_line(message: str) -> bool:
    return bool(message) and len(message.splitlines()) == 1


# ---------------------------------------------------------------------------------------
# parse_shape / parse_ints
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20,16,50,100", (20, 16, 50, 100)),
        ("(20, 16, 50, 100)", (20, 16, 50, 100)),
        ("  [2,3]  ", (2, 3)),
        ("20x16x50x100", (20, 16, 50, 100)),
        ("20 x 16 X 5", (20, 16, 5)),
        ("2×3", (2, 3)),
        ("torch.Size([1, 3])", (1, 3)),
        ("torch.Size((1, 3))", (1, 3)),
        ("Size([4])", (4,)),
        ("torch.Size([])", ()),
        ("torch.Size()", ()),
        ("()", ()),
        ("[]", ()),
        ("(3,)", (3,)),
        ("3,", (3,)),
        ("3", (3,)),
        ("0,3,0", (0, 3, 0)),
        ("2 3 4", (2, 3, 4)),
        ("+2, 007", (2, 7)),
    ],
)
def test_parse_shape(text: str, expected: tuple[int, ...]) -> None:
    assert parse_shape(text) == expected


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("20,a,3", ["invalid shape '20,a,3'", "'a' is not an integer"]),
        ("1,,2", ["'1,,2'", "entry 2 is empty"]),
        ("2,-1", ["'-1' is negative"]),
        ("2.5,3", ["'2.5' is not an integer"]),
        ("", ["empty", "()"]),
        ("   ", ["empty"]),
        ("((1, 2))", ["'(1' is not an integer"]),
        ("2x3,4", ["'2x3' is not an integer"]),
        ("torch.Size([1, 3]", ["'torch.Size([1' is not an integer"]),
        ("1,\n2\nx", ["'2\\nx' is not an integer"]),
        ("٣", ["'٣' is not an integer"]),  # a non-ASCII digit
        ("9" * 5000, ["is too long"]),
    ],
)
def test_parse_shape_errors(text: str, fragments: list[str]) -> None:
    with pytest.raises(UsageError) as info:
        parse_shape(text)
    message = str(info.value)
    assert one_line(message)
    for fragment in fragments:
        assert fragment in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        (" 3 ", 3),
        ("-1", -1),
        ("0", 0),
        ("5,3", (5, 3)),
        ("5, -3", (5, -3)),
        ("(5, 3)", (5, 3)),
        ("[2]", (2,)),
        ("(5,)", (5,)),
        ("5,", (5,)),
        ("(3)", (3,)),
        ("3x3", (3, 3)),
        ("()", ()),
        ("1 2", (1, 2)),
    ],
)
def test_parse_ints(text: str, expected: int | tuple[int, ...]) -> None:
    assert parse_ints(text, "--stride") == expected


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("a", ["invalid --stride 'a'", "'a' is not an integer"]),
        ("5,a", ["'5,a'", "'a' is not an integer"]),
        ("1.5", ["'1.5' is not an integer"]),
        ("", ["invalid --stride ''", "empty"]),
        ("1,,2", ["entry 2 is empty"]),
        ("None", ["'None' is not an integer"]),
    ],
)
def test_parse_ints_errors(text: str, fragments: list[str]) -> None:
    with pytest.raises(UsageError) as info:
        parse_ints(text, "--stride")
    assert one_line(str(info.value))
    for fragment in fragments:
        assert fragment in str(info.value)


# ---------------------------------------------------------------------------------------
# parse_layer: what each form builds
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    code: str
    expected: Spec
    kwargs: dict[str, Any] = field(default_factory=dict)
    shape: tuple[int, ...] | None = None  # the input the torch cross-check feeds it

    def __str__(self) -> str:
        return self.code


def conv2d(**changes: Any) -> Conv:
    fields: dict[str, Any] = dict(
        dims=2,
        in_channels=16,
        out_channels=32,
        kernel_size=(3, 3),
        stride=(1, 1),
        padding=(0, 0),
        dilation=(1, 1),
        groups=1,
        bias=True,
        padding_mode="zeros",
        transposed=False,
        output_padding=(0, 0),
        output_size=None,
    )
    fields.update(changes)
    return Conv(**fields)


def pool(kind: str, dims: int, kernel: tuple[int, ...], **changes: Any) -> Pool:
    fields: dict[str, Any] = dict(
        kind=kind,
        dims=dims,
        kernel_size=kernel,
        stride=(),
        padding=(0,) * dims,
        dilation=(1,) * dims,
        ceil_mode=False,
        return_indices=False,
        count_include_pad=True,
        divisor_override=None,
        norm_type=2.0,
        functional=False,
    )
    fields.update(changes)
    return Pool(**fields)


W = {"weight": (32, 16, 3, 3)}

CASES = [
    # --- nn.Conv{1,2,3}d: (in, out, kernel_size, stride, padding, dilation, groups, bias,
    #     padding_mode, device, dtype)
    Case(
        "nn.Conv2d(16, 32, (5, 3), stride=(2, 1), padding=(2, 1), dilation=(1, 2))",
        conv2d(kernel_size=(5, 3), stride=(2, 1), padding=(2, 1), dilation=(1, 2)),
    ),
    Case("torch.nn.Conv2d(16, 32, 3)", conv2d()),
    # integer arithmetic of literals is read, as inside a stack (nothing is evaluated)
    Case("nn.Conv2d(8 * 2, 64 // 2, 1 + 2, stride=2 * 1 - 1)", conv2d()),
    Case("Conv2d(16, 32, 3)", conv2d()),
    Case("Conv2d(in_channels=16, out_channels=32, kernel_size=3)", conv2d()),
    Case(
        "nn.Conv2d(kernel_size=3, out_channels=32, in_channels=16, groups=4, bias=False)",
        conv2d(groups=4, bias=False),
    ),
    Case(
        "nn.Conv2d(16, 32, 3, 2, 1, 3, 4, False, 'reflect')",
        conv2d(
            stride=(2, 2),
            padding=(1, 1),
            dilation=(3, 3),
            groups=4,
            bias=False,
            padding_mode="reflect",
        ),
    ),
    Case(
        "nn.Conv2d(16, 32, 3, 1, 0, 1, 1, True, 'zeros', None, None)",
        conv2d(),
    ),
    Case(
        "nn.Conv2d(16, 32, 3, device=dev, dtype=torch.float32)",
        conv2d(),
    ),
    Case("nn.Conv2d(16, 32, 3, bias=None)", conv2d(bias=False)),
    Case("self.conv1 = nn.Conv2d(16, 32, 3)  # first block", conv2d()),
    Case("conv = nn.Conv2d(16, 32, 3)", conv2d()),
    Case("self.conv: nn.Conv2d = nn.Conv2d(16, 32, 3)", conv2d()),
    Case("    nn.Conv2d(16, 32, 3),  # inside nn.Sequential", conv2d()),
    Case("nn.Conv2d(\n    16,\n    32,\n    kernel_size=3,\n)\n", conv2d()),
    Case("nn.Conv2d(16, 32, 3);", conv2d()),
    Case("nn.Conv2d(16, 32, 3, padding='same')", conv2d(padding="same")),
    Case('nn.Conv2d(16, 32, 3, padding="valid")', conv2d(padding="valid")),
    Case("nn.Conv2d(16, 32, 3, padding='full')", conv2d(padding="full")),
    Case("nn.Conv2d(16, 32, 3, padding_mode='circular')", conv2d(padding_mode="circular")),
    Case("nn.Conv2d(16, 32, 3, padding_mode='nope')", conv2d(padding_mode="nope")),
    Case("nn.Conv2d(16, 32, [3, 2], stride=[2, 1])", conv2d(kernel_size=(3, 2), stride=(2, 1))),
    Case("nn.Conv2d(16, 32, (3, 3, 3))", conv2d(kernel_size=(3, 3, 3))),
    Case("nn.Conv2d(16, 32, ())", conv2d(kernel_size=())),
    Case("nn.Conv2d(16, 32, 3, stride=-1)", conv2d(stride=(-1, -1))),
    Case("nn.Conv2d(-16, 32, 3, padding=(-1, +2))", conv2d(in_channels=-16, padding=(-1, 2))),
    Case("nn.Conv2d(16, 0, 3, groups=0)", conv2d(out_channels=0, groups=0)),
    Case(
        "nn.Conv1d(4, 8, 5, stride=2)",
        Conv(1, 4, 8, (5,), (2,), (0,), (1,), output_padding=(0,)),
        shape=(2, 4, 20),
    ),
    Case(
        "nn.Conv3d(2, 4, (1, 2, 3), padding=1)",
        Conv(3, 2, 4, (1, 2, 3), (1, 1, 1), (1, 1, 1), (1, 1, 1), output_padding=(0, 0, 0)),
        shape=(1, 2, 5, 6, 7),
    ),
    # --- nn.ConvTranspose{1,2,3}d: (in, out, kernel_size, stride, padding, output_padding,
    #     groups, bias, dilation, padding_mode, device, dtype)
    Case(
        "nn.ConvTranspose2d(8, 4, 3, stride=2, output_padding=1)",
        Conv(2, 8, 4, (3, 3), (2, 2), (0, 0), (1, 1), transposed=True, output_padding=(1, 1)),
        shape=(1, 8, 5, 5),
    ),
    Case(
        "nn.ConvTranspose2d(8, 4, 3, 3, 2, 1, 2, False, 2, 'zeros')",
        Conv(
            2,
            8,
            4,
            (3, 3),
            (3, 3),
            (2, 2),
            (2, 2),
            groups=2,
            bias=False,
            transposed=True,
            output_padding=(1, 1),
        ),
        shape=(1, 8, 5, 5),
    ),
    Case(
        "nn.ConvTranspose2d(8, 4, 3, stride=2)",
        Conv(
            2,
            8,
            4,
            (3, 3),
            (2, 2),
            (0, 0),
            (1, 1),
            transposed=True,
            output_padding=(0, 0),
            output_size=(12, 12),
        ),
        kwargs={"output_size": (12, 12)},
        shape=(1, 8, 5, 5),
    ),
    Case(
        "nn.ConvTranspose2d(8, 4, 3, padding='same')",
        Conv(2, 8, 4, (3, 3), (1, 1), "same", (1, 1), transposed=True, output_padding=(0, 0)),
        shape=(1, 8, 5, 5),
    ),
    Case(
        "nn.ConvTranspose1d(8, 4, 3, padding_mode='reflect')",
        Conv(
            1,
            8,
            4,
            (3,),
            (1,),
            (0,),
            (1,),
            padding_mode="reflect",
            transposed=True,
            output_padding=(0,),
        ),
        shape=(1, 8, 5),
    ),
    Case(
        "nn.ConvTranspose3d(2, 2, 2, stride=(1, 2, 2))",
        Conv(
            3,
            2,
            2,
            (2, 2, 2),
            (1, 2, 2),
            (0, 0, 0),
            (1, 1, 1),
            transposed=True,
            output_padding=(0, 0, 0),
        ),
        shape=(1, 2, 3, 3, 3),
    ),
    # --- F.conv{1,2,3}d / torch.convNd: (input, weight, bias, stride, padding, dilation, groups)
    Case(
        "F.conv2d(x, w, padding=1)",
        ConvCall(2, (32, 16, 3, 3), None, (1, 1), (1, 1), (1, 1), output_padding=(0, 0)),
        W,
    ),
    Case(
        "torch.nn.functional.conv2d(input=x, weight=w, stride=2)",
        ConvCall(2, (32, 16, 3, 3), None, (2, 2), (0, 0), (1, 1), output_padding=(0, 0)),
        W,
    ),
    Case(
        "F.conv2d(x, w, b, 2, 1, 3, 2)",
        ConvCall(2, (32, 8, 3, 3), (32,), (2, 2), (1, 1), (3, 3), 2, output_padding=(0, 0)),
        {"weight": (32, 8, 3, 3), "bias": (32,)},
    ),
    Case(
        "F.conv2d(x, w, None, 1, 'same')",
        ConvCall(2, (32, 16, 3, 3), None, (1, 1), "same", (1, 1), output_padding=(0, 0)),
        W,
    ),
    Case(
        "F.conv2d(x, w, bias=b)",
        ConvCall(2, (32, 16, 3, 3), (32,), (1, 1), (0, 0), (1, 1), output_padding=(0, 0)),
        {"weight": (32, 16, 3, 3), "bias": (32,)},
    ),
    Case(
        "y = F.conv2d(x, self.weight, self.bias, padding=(1, 0))",
        ConvCall(2, (32, 16, 3, 3), (32,), (1, 1), (1, 0), (1, 1), output_padding=(0, 0)),
        {"weight": (32, 16, 3, 3), "bias": (32,)},
    ),
    Case(
        "torch.conv2d(x, torch.randn(32, 16, 3, 3), torch.zeros(32))",
        ConvCall(2, (32, 16, 3, 3), (32,), (1, 1), (0, 0), (1, 1), output_padding=(0, 0)),
    ),
    Case(
        "F.conv2d(x, torch.empty((32, 16, 3, 3), dtype=torch.float32))",
        ConvCall(2, (32, 16, 3, 3), None, (1, 1), (0, 0), (1, 1), output_padding=(0, 0)),
        W,  # given and equal: fine
    ),
    Case(
        "conv1d(x, w, stride=2)",
        ConvCall(1, (8, 4, 3), None, (2,), (0,), (1,), output_padding=(0,)),
        {"weight": (8, 4, 3)},
        shape=(1, 4, 9),
    ),
    Case(
        "torch.conv3d(x, w)",
        ConvCall(
            3, (2, 2, 1, 1, 1), None, (1, 1, 1), (0, 0, 0), (1, 1, 1), output_padding=(0, 0, 0)
        ),
        {"weight": (2, 2, 1, 1, 1)},
        shape=(1, 2, 3, 3, 3),
    ),
    # --- F.conv_transposeNd: (input, weight, bias, stride, padding, output_padding, groups,
    #     dilation)
    Case(
        "F.conv_transpose2d(x, w, b, stride=2)",
        ConvCall(
            2, (16, 4, 3, 3), (4,), (2, 2), (0, 0), (1, 1), transposed=True, output_padding=(0, 0)
        ),
        {"weight": (16, 4, 3, 3), "bias": (4,)},
    ),
    Case(
        "F.conv_transpose2d(x, w, None, 3, 2, 1, 2, 2)",
        ConvCall(
            2,
            (16, 4, 3, 3),
            None,
            (3, 3),
            (2, 2),
            (2, 2),
            2,
            transposed=True,
            output_padding=(1, 1),
        ),
        {"weight": (16, 4, 3, 3)},
    ),
    Case(
        "torch.conv_transpose1d(x, w, output_padding=1, stride=2)",
        ConvCall(1, (4, 2, 3), None, (2,), (0,), (1,), transposed=True, output_padding=(1,)),
        {"weight": (4, 2, 3)},
        shape=(1, 4, 5),
    ),
    # --- nn.MaxPoolNd: (kernel_size, stride, padding, dilation, return_indices, ceil_mode)
    Case("nn.MaxPool2d(2)", pool("max", 2, (2, 2))),
    Case(
        "nn.MaxPool2d(kernel_size=3, stride=2, padding=1, ceil_mode=True)",
        pool("max", 2, (3, 3), stride=(2, 2), padding=(1, 1), ceil_mode=True),
    ),
    Case(
        "nn.MaxPool2d(3, 2, 1, 2, True, True)",
        pool(
            "max",
            2,
            (3, 3),
            stride=(2, 2),
            padding=(1, 1),
            dilation=(2, 2),
            return_indices=True,
            ceil_mode=True,
        ),
    ),
    Case(
        "nn.MaxPool2d(3, None, 0, 1, False, True)",
        pool("max", 2, (3, 3), ceil_mode=True),
    ),
    Case("nn.MaxPool2d(3, stride=None)", pool("max", 2, (3, 3))),
    Case("nn.MaxPool1d(3, (2,))", pool("max", 1, (3,), stride=(2,)), shape=(1, 2, 11)),
    Case(
        "nn.MaxPool3d((1, 2, 2))",
        pool("max", 3, (1, 2, 2)),
        shape=(1, 2, 4, 5, 6),
    ),
    # --- F.max_poolNd: (input, kernel_size, stride, padding, dilation, ceil_mode,
    #     return_indices) - ceil_mode first, unlike the module
    Case("F.max_pool2d(x, 3, 2)", pool("max", 2, (3, 3), stride=(2, 2), functional=True)),
    Case(
        "F.max_pool2d(x, 3, 2, 1, 2, True, False)",
        pool(
            "max",
            2,
            (3, 3),
            stride=(2, 2),
            padding=(1, 1),
            dilation=(2, 2),
            ceil_mode=True,
            functional=True,
        ),
    ),
    Case(
        "F.max_pool2d(x, 3, None, 0, 1, False, True)",
        pool("max", 2, (3, 3), return_indices=True, functional=True),
    ),
    Case(
        "F.max_pool2d(input=x, kernel_size=2, return_indices=True)",
        pool("max", 2, (2, 2), return_indices=True, functional=True),
    ),
    # --- torch.max_poolNd: (input, kernel_size, stride, padding, dilation, ceil_mode)
    Case("torch.max_pool2d(x, 2)", pool("max", 2, (2, 2), functional=True)),
    Case(
        "torch.max_pool1d(x, 3, 2, 1, 1, True)",
        pool("max", 1, (3,), stride=(2,), padding=(1,), ceil_mode=True, functional=True),
        shape=(1, 2, 10),
    ),
    # --- nn.AvgPoolNd: (kernel_size, stride, padding, ceil_mode, count_include_pad
    #     [, divisor_override])
    Case(
        "nn.AvgPool1d(3, 2, 1, True, False)",
        pool("avg", 1, (3,), stride=(2,), padding=(1,), ceil_mode=True, count_include_pad=False),
        shape=(1, 2, 10),
    ),
    Case(
        "nn.AvgPool2d(3, 2, 1, True, False, 4)",
        pool(
            "avg",
            2,
            (3, 3),
            stride=(2, 2),
            padding=(1, 1),
            ceil_mode=True,
            count_include_pad=False,
            divisor_override=4,
        ),
    ),
    Case(
        "nn.AvgPool3d(2, divisor_override=None)",
        pool("avg", 3, (2, 2, 2)),
        shape=(1, 2, 4, 4, 4),
    ),
    Case(
        "F.avg_pool2d(x, 2, count_include_pad=False, divisor_override=3)",
        pool("avg", 2, (2, 2), count_include_pad=False, divisor_override=3, functional=True),
    ),
    Case(
        "F.avg_pool1d(x, 4, 2, 2, False, False)",
        pool("avg", 1, (4,), stride=(2,), padding=(2,), count_include_pad=False, functional=True),
        shape=(1, 2, 10),
    ),
    Case(
        "torch.avg_pool1d(x, 3, None, 1, True)",
        pool("avg", 1, (3,), padding=(1,), ceil_mode=True, functional=True),
        shape=(1, 2, 10),
    ),
    # --- nn.LPPoolNd: (norm_type, kernel_size, stride, ceil_mode); F: input first
    Case("nn.LPPool2d(2, 3)", pool("lp", 2, (3, 3), norm_type=2.0)),
    Case(
        "nn.LPPool1d(1.5, 2, 1, True)",
        pool("lp", 1, (2,), stride=(1,), ceil_mode=True, norm_type=1.5),
        shape=(1, 2, 9),
    ),
    Case("F.lp_pool2d(x, 2, 3)", pool("lp", 2, (3, 3), functional=True)),
    Case(
        "F.lp_pool1d(x, norm_type=3, kernel_size=2, stride=1, ceil_mode=True)",
        pool("lp", 1, (2,), stride=(1,), ceil_mode=True, norm_type=3.0, functional=True),
        shape=(1, 2, 9),
    ),
    Case(
        "nn.LPPool3d(-1, 2)",
        pool("lp", 3, (2, 2, 2), norm_type=-1.0),
        shape=(1, 1, 4, 4, 4),
    ),
    # --- adaptive pooling: (output_size[, return_indices]); F: input first
    Case("nn.AdaptiveAvgPool2d((None, 7))", AdaptivePool("avg", 2, (None, 7))),
    Case("nn.AdaptiveAvgPool2d(7)", AdaptivePool("avg", 2, (7, 7), scalar=True)),
    Case("nn.AdaptiveAvgPool2d([5, None])", AdaptivePool("avg", 2, (5, None))),
    Case(
        "nn.AdaptiveMaxPool1d(5, return_indices=True)",
        AdaptivePool("max", 1, (5,), return_indices=True, scalar=True),
        shape=(1, 2, 11),
    ),
    Case(
        "nn.AdaptiveMaxPool3d((1, 2, 3), True)",
        AdaptivePool("max", 3, (1, 2, 3), return_indices=True),
        shape=(1, 2, 4, 4, 4),
    ),
    Case(
        "F.adaptive_avg_pool2d(x, (5, 7))",
        AdaptivePool("avg", 2, (5, 7), functional=True),
    ),
    Case(
        "F.adaptive_max_pool2d(x, 3, True)",
        AdaptivePool("max", 2, (3, 3), return_indices=True, functional=True, scalar=True),
    ),
    Case(
        "torch.adaptive_avg_pool1d(x, 4)",
        AdaptivePool("avg", 1, (4,), functional=True, scalar=True),
        shape=(1, 2, 11),
    ),
    Case(
        "torch.adaptive_max_pool1d(x, output_size=4)",
        AdaptivePool("max", 1, (4,), return_indices=True, functional=True, scalar=True),
        shape=(1, 2, 11),
    ),
    # --- Unfold: (kernel_size, dilation, padding, stride); Fold: (output_size, ...)
    Case("nn.Unfold(kernel_size=(2, 3))", Unfold((2, 3), (1, 1), (0, 0), (1, 1))),
    Case("nn.Unfold(2, 3, 1, 2)", Unfold((2, 2), (3, 3), (1, 1), (2, 2))),
    Case("F.unfold(x, 3)", Unfold((3, 3), (1, 1), (0, 0), (1, 1), functional=True)),
    Case(
        "F.unfold(x, 2, stride=(1, 2), padding=1)",
        Unfold((2, 2), (1, 1), (1, 1), (1, 2), functional=True),
    ),
    Case(
        "nn.Fold(output_size=(4, 5), kernel_size=(2, 2))",
        Fold((4, 5), (2, 2), (1, 1), (0, 0), (1, 1)),
        shape=(1, 8, 12),
    ),
    Case(
        "nn.Fold((6, 6), 2, 2, 1, 2)",
        Fold((6, 6), (2, 2), (2, 2), (1, 1), (2, 2)),
        shape=(1, 8, 9),
    ),
    Case(
        "F.fold(x, (4, 5), 2)",
        Fold((4, 5), (2, 2), (1, 1), (0, 0), (1, 1), functional=True),
        shape=(1, 8, 12),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_parse_layer(case: Case) -> None:
    assert parse_layer(case.code, **case.kwargs) == case.expected


def test_every_family_is_covered() -> None:
    written = {type(c.expected) for c in CASES}
    assert written == set(SPEC_TYPES)


# ---------------------------------------------------------------------------------------
# parse_layer: every UsageError
# ---------------------------------------------------------------------------------------

ERRORS: list[tuple[str, dict[str, Any], list[str]]] = [
    # could not parse
    ("nn.Conv2d(16,", {}, ["could not parse 'nn.Conv2d(16,'", "never closed"]),
    ("nn.Conv2d(16, 32, 3, stride=1, stride=2)", {}, ["multiple values for argument 'stride'"]),
    ("nn.Conv2d(16, kernel_size=3, 32)", {}, ["could not parse"]),
    ("nn.Conv2d(1,\x00 2, 3)", {}, ["could not parse", "null"]),
    ("-" * 5000 + "1", {}, ["could not parse"]),
    ("", {}, ["no layer given"]),
    ("  # just a comment", {}, ["one layer expression, got 0 statements"]),
    # not a layer call
    ("nn.Conv2d(1, 2, 3); nn.ReLU()", {}, ["one layer expression, got 2 statements"]),
    ("import os", {}, ["expected a layer expression", "'import os'"]),
    ("x = 3", {}, ["expected a layer call", "'3'"]),
    ("nn.Conv2d", {}, ["expected a layer call", "'nn.Conv2d'"]),
    ("nn.Conv2d(16, 32, 3)(x)", {}, ["the layer itself", "'nn.Conv2d(16, 32, 3)'"]),
    ("getattr(nn, 'Conv2d')(1, 2, 3)", {}, ["expected a layer call", "getattr(nn, 'Conv2d')"]),
    ("layers[0](1, 2, 3)", {}, ["expected a layer call", "'layers[0]'"]),
    # unknown layers
    ("nn.Conv4d(16, 32, 3)", {}, ["unknown layer 'nn.Conv4d'", "did you mean", "'nn.Conv3d'"]),
    ("nn.conv2d(16, 32, 3)", {}, ["unknown layer 'nn.conv2d'", "'nn.Conv2d'", "'F.conv2d'"]),
    ("F.Conv2d(x, w)", {}, ["unknown layer 'F.Conv2d'", "'F.conv2d'", "'nn.Conv2d'"]),
    ("torch.avg_pool2d(x, 2)", {}, ["unknown layer 'torch.avg_pool2d'", "'F.avg_pool2d'"]),
    ("torch.lp_pool2d(x, 2, 2)", {}, ["unknown layer 'torch.lp_pool2d'", "'F.lp_pool2d'"]),
    ("torch.nn.Maxpool2d(2)", {}, ["unknown layer 'torch.nn.Maxpool2d'", "'torch.nn.MaxPool2d'"]),
    ("nn.Linear(3, 4)", {}, ["unknown layer 'nn.Linear'", "convolution, pooling"]),
    ("os.system('ls')", {}, ["unknown layer 'os.system'"]),
    # bad argument lists
    (
        "nn.Conv2d(16, 32, 3, strides=2)",
        {},
        ["unexpected keyword argument 'strides'", "nn.Conv2d", "did you mean 'stride'"],
    ),
    (
        "nn.AvgPool1d(2, divisor_override=2)",
        {},
        ["nn.AvgPool1d", "unexpected keyword argument 'divisor_override'"],
    ),
    ("torch.max_pool2d(x, 2, return_indices=True)", {}, ["torch.max_pool2d", "'return_indices'"]),
    ("nn.ConvTranspose2d(8, 4, 3, output_size=(9, 9))", {}, ["'output_size'", "forward()"]),
    ("nn.MaxPool2d(2, foo=1)", {}, ["'foo'", "it takes kernel_size, stride"]),
    ("nn.Conv2d(16, 32)", {}, ["nn.Conv2d", "missing required argument 'kernel_size'"]),
    ("nn.Conv2d()", {}, ["arguments 'in_channels', 'out_channels', 'kernel_size'"]),
    ("F.conv2d(x)", {}, ["F.conv2d", "missing required argument 'weight'"]),
    ("F.conv2d(weight=w)", W, ["missing required argument 'input'"]),
    ("nn.LPPool2d(3)", {}, ["missing required argument 'kernel_size'"]),
    ("F.fold(x, 4)", {}, ["F.fold", "'kernel_size'"]),
    (
        "nn.MaxPool2d(1, 2, 3, 4, True, True, 7)",
        {},
        ["nn.MaxPool2d", "at most 6 positional", "7 given", "'7'"],
    ),
    ("torch.max_pool2d(x, 2, 2, 0, 1, False, True)", {}, ["torch.max_pool2d", "at most 6"]),
    ("torch.adaptive_max_pool1d(x, 3, True)", {}, ["at most 2 positional"]),
    ("nn.Conv2d(16, 32, 3, 1, stride=2)", {}, ["multiple values for argument 'stride'"]),
    ("nn.Conv2d(*args)", {}, ["literal arguments", "'*args'"]),
    ("nn.Conv2d(16, 32, 3, **kw)", {}, ["literal arguments", "'**kw'"]),
    # non-literal values
    (
        "nn.Conv2d(16, 32, kernel_size=k)",
        {},
        ["convshape needs literal values", "'k'", "kernel_size=k"],
    ),
    ("nn.Conv2d(16, 32, (k, 3))", {}, ["literal values", "'k'"]),
    ("nn.Conv2d(c_in, 32, 3)", {}, ["in_channels=c_in", "'c_in'"]),
    ("nn.Conv2d(16, 32, 3, stride=2 * s)", {}, ["stride=2 * s", "'2 * s'"]),
    ("nn.Conv2d(16, 32, 3, stride=2.0 * 1)", {}, ["stride=2.0 * 1", "'2.0 * 1'"]),
    ("nn.Conv2d(16, 32, 3, padding=f'same')", {}, ["literal values", "f'same'"]),
    ("nn.Conv2d(16, 32, 3, padding=(*p,))", {}, ["literal values", "'*p'"]),
    ("nn.Conv2d(16, 32, 3, bias=not False)", {}, ["literal values", "'not False'"]),
    ("nn.MaxPool2d(2, stride=~1)", {}, ["literal values", "'~1'"]),
    ("nn.Conv2d(16, 32, 3, stride={1: 2})", {}, ["literal values", "'{1: 2}'"]),
    # floats where torch needs ints (TypeError in torch)
    ("nn.Conv2d(16, 32, 3.0)", {}, ["kernel_size=3.0", "float", "TypeError"]),
    ("nn.Conv2d(16, 32, (3, 1.5))", {}, ["kernel_size=(3, 1.5)", "1.5 is a float", "TypeError"]),
    ("nn.Conv2d(16.0, 32, 3)", {}, ["in_channels=16.0", "TypeError"]),
    ("F.max_pool2d(x, 2, stride=-1.5)", {}, ["stride=-1.5", "-1.5 is a float"]),
    ("F.avg_pool2d(x, 2, divisor_override=2.0)", {}, ["divisor_override=2.0", "TypeError"]),
    ("nn.AdaptiveAvgPool2d((7, 7.0))", {}, ["output_size=(7, 7.0)", "7.0 is a float"]),
    ("nn.Fold(4.5, 2)", {}, ["output_size=4.5", "TypeError"]),
    # other wrong types
    ("nn.Conv2d(16, 32, 3, bias=3)", {}, ["bias=3", "True, False or None"]),
    ("nn.MaxPool2d(2, ceil_mode=1)", {}, ["ceil_mode=1", "True or False"]),
    ("nn.Conv2d(16, 32, 3, padding_mode=0)", {}, ["padding_mode=0", "a string"]),
    ("nn.Conv2d(16, 32, '3')", {}, ["kernel_size='3'", "an int or a tuple of ints"]),
    ("nn.Conv2d(True, 32, 3)", {}, ["in_channels=True", "an int"]),
    ("nn.Conv2d(16, 32, 3, stride=None)", {}, ["stride=None", "an int or a tuple of ints"]),
    ("nn.Conv2d(16, 32, ((1, 2), 3))", {}, ["kernel_size=((1, 2), 3)"]),
    ("nn.Conv2d(16, 32, 3j)", {}, ["kernel_size=3j"]),
    ("nn.Conv2d(16, 32, 3, groups=-3j)", {}, ["groups=-3j"]),
    ("nn.Conv2d(16, 32, b'3')", {}, ["kernel_size=b'3'"]),
    ("nn.Conv2d(16, 32, ...)", {}, ["kernel_size=..."]),
    ("nn.Conv2d(16, 32, -True)", {}, ["'-True'"]),
    ("nn.MaxPool2d(2, padding='same')", {}, ["padding='same'", "an int or a tuple of ints"]),
    ("nn.AdaptiveAvgPool2d(None)", {}, ["output_size=None", "an int or a tuple"]),
    ("nn.AdaptiveAvgPool2d((None, 'a'))", {}, ["output_size=(None, 'a')"]),
    ("nn.LPPool2d('2', 2)", {}, ["norm_type='2'", "a number"]),
    ("nn.LPPool2d(1" + "0" * 400 + ", 2)", {}, ["norm_type=100", "too large for a float"]),
    ("nn.Conv2d(16, 32, 3, bias=0x" + "f" * 4000 + ")", {}, ["bias=0xfff", "True, False or None"]),
    # tensors
    ("F.conv2d(x, w, padding=1)", {}, ["F.conv2d", "shape of weight 'w' is needed", "--weight"]),
    ("F.conv2d(x, w, b)", W, ["shape of bias 'b' is needed", "--bias"]),
    ("F.conv_transpose2d(x, self.w)", {}, ["weight 'self.w'"]),
    ("F.conv2d(x, None)", W, ["weight=None"]),
    ("F.conv2d(x, 3)", W, ["weight=3", "must be a tensor"]),
    ("F.conv2d(3, w)", W, ["input=3", "must be a tensor"]),
    ("F.conv2d(x, w, (1, 2))", W, ["bias=(1, 2)", "must be a tensor"]),
    (
        "F.conv2d(x, w)",
        {"weight": (32, 16, 3, 3), "bias": (32,)},
        ["bias shape was given", "passes no bias"],
    ),
    ("F.conv2d(x, w, None)", {"weight": (32, 16, 3, 3), "bias": (32,)}, ["passes no bias"]),
    ("F.conv2d(x, torch.randn(8, 4, 3, 3))", W, ["(32, 16, 3, 3)", "torch.randn(8, 4, 3, 3)"]),
    # shapes given where they do not apply
    ("nn.Conv2d(16, 32, 3)", W, ["weight shape applies only", "not to nn.Conv2d"]),
    ("F.max_pool2d(x, 2)", {"bias": (3,)}, ["bias shape applies only", "F.max_pool2d"]),
    ("nn.Conv2d(16, 32, 3)", {"output_size": (5, 5)}, ["output_size applies only", "nn.Conv2d"]),
    (
        "F.conv_transpose2d(x, w)",
        {"weight": (4, 2, 3, 3), "output_size": (5, 5)},
        ["output_size applies only", "F.conv_transpose2d"],
    ),
]


@pytest.mark.parametrize(("code", "kwargs", "fragments"), ERRORS, ids=[e[0][:60] for e in ERRORS])
def test_parse_layer_errors(code: str, kwargs: dict[str, Any], fragments: list[str]) -> None:
    with pytest.raises(UsageError) as info:
        parse_layer(code, **kwargs)
    message = str(info.value)
    assert one_line(message), message
    for fragment in fragments:
        assert fragment in message, message


# ---------------------------------------------------------------------------------------
# Nothing is evaluated
# ---------------------------------------------------------------------------------------

HOSTILE = [
    "nn.Conv2d(__import__('os').system('touch {path}'), 1, 1)",
    "nn.Conv2d(1, 1, 1, padding=open('{path}', 'w').write('x'))",
    "nn.Conv2d(1, 1, 1, device=open('{path}', 'w').write('x'))",  # ignored: parses, never runs
    "F.conv2d(x, open('{path}', 'w'))",  # a tensor expression: its shape must be given
    "__import__('os').system('touch {path}')",
    "exec(\"open('{path}', 'w')\")",
    "nn.Conv2d(1, 1, (lambda: open('{path}', 'w'))())",
    "nn.Conv2d(1, 1, [open('{path}', 'w') for _ in 'x'])",
    "nn.MaxPool2d((yield open('{path}', 'w')))",
    "import os; os.system('touch {path}')",
    "F.conv2d(x, torch.randn(open('{path}', 'w')))",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_nothing_is_evaluated(
    template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "pwned"
    code = template.format(path=target)
    real_compile = builtins.compile

    def ast_only(source: Any, filename: Any, mode: str, flags: int = 0, *a: Any, **k: Any) -> Any:
        assert flags & ast.PyCF_ONLY_AST, "parse compiled user code to bytecode"
        return real_compile(source, filename, mode, flags, *a, **k)

    def forbidden(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("parse evaluated user code")

    monkeypatch.setattr(builtins, "compile", ast_only)
    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(ast, "literal_eval", forbidden)
    if "device=" in code:
        assert isinstance(parse_layer(code), Conv)
    else:
        with pytest.raises(UsageError):
            parse_layer(code)
    assert not target.exists()


def test_pwned_example_from_the_brief() -> None:
    target = Path("/tmp/pwned")
    existed = target.exists()
    with pytest.raises(UsageError) as info:
        parse_layer("nn.Conv2d(__import__('os').system('touch /tmp/pwned'), 1, 1)")
    assert "literal values" in str(info.value)
    assert "__import__" in str(info.value)
    assert target.exists() == existed


def test_parse_module_has_no_eval_exec_or_imports() -> None:
    """Statically: parse.py calls no eval/exec/compile/__import__/literal_eval/importlib."""
    tree = ast.parse(Path(parse_module.__file__).read_text())
    banned = {"eval", "exec", "compile", "__import__", "literal_eval", "import_module"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            owner = func.value if isinstance(func, ast.Attribute) else None
            if name == "compile" and isinstance(owner, ast.Name) and owner.id == "re":
                continue
            assert name not in banned, ast.unparse(node)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            assert "importlib" not in modules and getattr(node, "module", "") != "importlib"


# ---------------------------------------------------------------------------------------
# The LAYERS table
# ---------------------------------------------------------------------------------------


def required_call(layer: Layer, prefix: str | None = None) -> str:
    """A call of ``layer`` with literal values for its required parameters only."""
    values = {
        "input": "x",
        "weight": "w",
        "in_channels": "4",
        "out_channels": "8",
        "kernel_size": "2",
        "norm_type": "2",
        "output_size": "3",
    }
    args = ", ".join(values[p.name] for p in layer.params if p.required)
    name = layer.name if prefix is None else f"{prefix}.{layer.short}"
    return f"{name}({args})"


def weight_for(layer: Layer) -> dict[str, Any]:
    if layer.spec is ConvCall:
        return {"weight": (8, 4) + (2,) * layer.dims}
    return {}


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_every_layer_parses(name: str) -> None:
    layer = LAYERS[name]
    spec = parse_layer(required_call(layer), **weight_for(layer))
    assert type(spec) is layer.spec
    assert spec.dims == layer.dims
    if not isinstance(spec, (Conv, ConvCall)):
        assert spec.functional == layer.functional
    assert layer.signature.startswith(f"{name}(")
    assert layer.description
    assert name.split(".")[0] in ("nn", "F", "torch")


@pytest.mark.parametrize(
    ("prefix", "namespace"),
    [
        ("nn", "nn"),
        ("torch.nn", "nn"),
        ("F", "F"),
        ("functional", "F"),
        ("nn.functional", "F"),
        ("torch.nn.functional", "F"),
        ("torch", "torch"),
    ],
)
def test_prefixes(prefix: str, namespace: str) -> None:
    for layer in LAYERS.values():
        if layer.namespace != namespace:
            continue
        spec = parse_layer(required_call(layer, prefix), **weight_for(layer))
        assert spec == parse_layer(required_call(layer), **weight_for(layer))


def test_bare_names() -> None:
    for layer in LAYERS.values():
        if layer.namespace == "torch":
            continue
        assert parse_layer(required_call(layer).split(".", 1)[1], **weight_for(layer)) == (
            parse_layer(required_call(layer), **weight_for(layer))
        )


def test_table_covers_every_family_and_dimension() -> None:
    names = set(LAYERS)
    for d in (1, 2, 3):
        for stem in (
            "Conv",
            "ConvTranspose",
            "MaxPool",
            "AvgPool",
            "LPPool",
            "AdaptiveAvgPool",
            "AdaptiveMaxPool",
        ):
            assert f"nn.{stem}{d}d" in names
        for stem in (
            "conv",
            "conv_transpose",
            "max_pool",
            "avg_pool",
            "lp_pool",
            "adaptive_avg_pool",
            "adaptive_max_pool",
        ):
            assert f"F.{stem}{d}d" in names
    assert {"nn.Unfold", "nn.Fold", "F.unfold", "F.fold"} <= names


# ---------------------------------------------------------------------------------------
# The table against torch itself (skipped without torch)
# ---------------------------------------------------------------------------------------


def torch_signature(layer: Layer) -> list[tuple[str, str | None]]:
    """(name, default text or None) for torch's own signature of ``layer``."""
    torch = pytest.importorskip("torch")
    nn, F = torch.nn, torch.nn.functional
    if layer.namespace == "torch":
        (schema,) = [
            str(s)
            for s in torch._C._jit_get_schemas_for_operator(f"aten::{layer.short}")
            if ".out(" not in str(s) and ".padding(" not in str(s)
        ]
        inner = schema[schema.index("(") + 1 : schema.index(") ->")]
        out: list[tuple[str, str | None]] = []
        for piece in re.split(r", (?![^\[]*\])", inner):  # commas outside [...]
            declared, _, default = piece.partition("=")
            name = declared.split()[-1]
            out.append(("input" if name == "self" else name, default or None))
        return out
    if layer.namespace == "nn":
        fn = getattr(nn, layer.short).__init__
    else:
        fn = getattr(F, layer.short)
        if layer.family in ("max", "adaptive_max"):  # boolean_dispatch wrappers
            fn = getattr(F, "_" + layer.short)
    try:
        params = list(inspect.signature(fn).parameters.values())
    except ValueError:  # a builtin: its docstring's first line is the signature
        first = next(line for line in (fn.__doc__ or "").splitlines() if line.strip())
        inner = first[first.index("(") + 1 : first.rindex(")")]
        return [
            (p.partition("=")[0].strip(), p.partition("=")[2].strip() or None)
            for p in inner.split(",")
        ]
    return [
        (p.name, None if p.default is inspect.Parameter.empty else repr(p.default))
        for p in params
        if p.name != "self"
    ]


@pytest.mark.parametrize("name", sorted(LAYERS))
def test_signature_matches_torch(name: str) -> None:
    layer = LAYERS[name]
    theirs = torch_signature(layer)
    assert [n for n, _ in theirs] == [p.name for p in layer.params]
    if layer.namespace == "torch":
        return  # schema defaults are spelled the C++ way ([] for None)
    for (n, default), param in zip(theirs, layer.params, strict=True):
        if param.required:
            assert default is None, n
        else:
            assert default == repr(param.default), n


def value_expression(code: str) -> str:
    """The layer expression inside a pasted statement (the test's own trusted cases)."""
    stmt = ast.parse(code.strip()).body[0]
    assert isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign)) and stmt.value is not None
    value = stmt.value
    if isinstance(value, ast.Tuple):
        value = value.elts[0]
    return ast.unparse(value)


DEFAULT_INPUT = {1: (2, 16, 12), 2: (2, 16, 9, 10), 3: (1, 16, 4, 5, 6)}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_case_behaves_like_torch(case: Case) -> None:
    """Running the pasted code in torch and running its spec give the same outcome."""
    torch = pytest.importorskip("torch")
    from convshape import oracle

    spec = case.expected
    shape = case.shape or DEFAULT_INPUT[spec.dims]
    namespace: dict[str, Any] = {
        "nn": torch.nn,
        "F": torch.nn.functional,
        "torch": torch,
        "Conv2d": torch.nn.Conv2d,
        "conv1d": torch.nn.functional.conv1d,
        "dev": "cpu",
        "x": torch.empty(shape),
    }
    for key in ("weight", "bias"):
        if key in case.kwargs:
            namespace[key[0]] = torch.empty(case.kwargs[key])
    if isinstance(spec, ConvCall):
        namespace["self"] = type("Self", (), {})()
        namespace["self"].weight = namespace.get("w")
        namespace["self"].bias = namespace.get("b")
    expected = oracle.run(spec, shape)
    try:
        with torch.no_grad():
            made = eval(value_expression(case.code), namespace)  # trusted test input
            if isinstance(made, torch.nn.Module):
                kw = {}
                if "output_size" in case.kwargs:
                    kw["output_size"] = list(case.kwargs["output_size"])
                made = made(namespace["x"], **kw)
        result = made[0] if isinstance(made, tuple) else made
        actual = oracle.Outcome(tuple(result.shape))
    except Exception as exc:
        actual = oracle.Outcome(None, type(exc).__name__, str(exc))
    assert (actual.shape, actual.exc, actual.message) == (
        expected.shape,
        expected.exc,
        expected.message,
    )


# ---------------------------------------------------------------------------------------
# Property tests: any text gives a result or a one-line UsageError, nothing else
# ---------------------------------------------------------------------------------------


def outcome(fn: Any, *args: Any, **kwargs: Any) -> object:
    try:
        return fn(*args, **kwargs)
    except UsageError as exc:
        assert one_line(str(exc)), repr(str(exc))
        return exc


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_shape_never_crashes(text: str) -> None:
    result = outcome(parse_shape, text)
    if not isinstance(result, UsageError):
        assert isinstance(result, tuple) and all(isinstance(v, int) and v >= 0 for v in result)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.digits + ",x()[] -+.torchSize"))
def test_parse_shape_never_crashes_near_misses(text: str) -> None:
    result = outcome(parse_shape, text)
    assert isinstance(result, (tuple, UsageError))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.digits + ",x()[] -+.a"))
def test_parse_ints_never_crashes(text: str) -> None:
    result = outcome(parse_ints, text, "--padding")
    assert isinstance(result, (int, tuple, UsageError))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_layer_never_crashes_on_text(text: str) -> None:
    assert isinstance(outcome(parse_layer, text), (*SPEC_TYPES, UsageError))


TOKENS = [
    "nn.",
    "F.",
    "torch.",
    "torch.nn.",
    "functional.",
    "Conv2d",
    "ConvTranspose1d",
    "conv2d",
    "conv_transpose3d",
    "MaxPool2d",
    "max_pool2d",
    "AvgPool1d",
    "avg_pool3d",
    "LPPool2d",
    "lp_pool1d",
    "AdaptiveAvgPool2d",
    "adaptive_max_pool1d",
    "Unfold",
    "fold",
    "(",
    ")",
    "[",
    "]",
    ",",
    ", ",
    "=",
    "-",
    "+",
    "*",
    "**",
    ".",
    ":",
    "#",
    "\n",
    " ",
    "x",
    "w",
    "b",
    "0",
    "1",
    "3",
    "-1",
    "2.5",
    "1e9",
    "None",
    "True",
    "False",
    "'same'",
    "'valid'",
    "'zeros'",
    '"',
    "'",
    "stride",
    "padding",
    "kernel_size",
    "bias",
    "groups",
    "output_size",
    "ceil_mode",
    "return_indices",
    "norm_type",
    "input",
    "weight",
    "lambda",
    "self.c = ",
    "(1, 2)",
    "(None, 3)",
    "[]",
    "()",
    "j",
    "...",
    "__import__('os')",
    "torch.randn(2, 2, 3, 3)",
]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map("".join))
def test_parse_layer_never_crashes_on_token_soup(text: str) -> None:
    assert isinstance(outcome(parse_layer, text), (*SPEC_TYPES, UsageError))


LITERALS = st.recursive(
    st.one_of(
        st.integers(-3, 20).map(str),
        st.sampled_from(
            [
                "None",
                "True",
                "False",
                "'same'",
                "'valid'",
                "'zeros'",
                "'reflect'",
                "2.0",
                "-0.5",
                "1j",
                "x",
                "w",
                "k",
                "f(1)",
                "a.b",
                "1 + 1",
                "...",
            ]
        ),
    ),
    lambda inner: (
        st.lists(inner, max_size=4).map(
            lambda xs: "(" + ", ".join(xs) + ("," if len(xs) == 1 else "") + ")"
        )
        | st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
    ),
    max_leaves=6,
)
PARAM_NAMES = sorted({p.name for layer in LAYERS.values() for p in layer.params} | {"bogus"})
SHAPES = st.none() | st.lists(st.integers(0, 9), max_size=5).map(tuple)


@st.composite
def layer_calls(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    layer = LAYERS[draw(st.sampled_from(sorted(LAYERS)))]
    prefix = draw(st.sampled_from(["", layer.namespace + "."]))
    if layer.namespace == "nn":
        prefix = draw(st.sampled_from([prefix, "torch.nn."]))
    elif layer.namespace == "F":
        prefix = draw(st.sampled_from([prefix, "torch.nn.functional."]))
    else:
        prefix = "torch."
    args = draw(st.lists(LITERALS, max_size=len(layer.params) + 1))
    kwargs = draw(st.dictionaries(st.sampled_from(PARAM_NAMES), LITERALS, max_size=4))
    pieces = args + [f"{k}={v}" for k, v in kwargs.items()]
    extras = {
        "weight": draw(SHAPES),
        "bias": draw(st.none() | st.just((8,))),
        "output_size": draw(st.none() | st.just((5, 5))),
    }
    return f"{prefix}{layer.short}({', '.join(pieces)})", extras


@settings(max_examples=1000, deadline=None)
@given(layer_calls())
def test_parse_layer_never_crashes_on_layer_calls(call: tuple[str, dict[str, Any]]) -> None:
    code, extras = call
    assert isinstance(outcome(parse_layer, code, **extras), (*SPEC_TYPES, UsageError))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(LAYERS)), st.data())
def test_well_formed_calls_always_parse(name: str, data: st.DataObject) -> None:
    """Required parameters filled with valid literals: always a spec of the right type."""
    layer = LAYERS[name]
    valid = {
        "tensor": st.just("x"),
        "int": st.integers(-2, 9).map(str),
        "ints": st.integers(0, 5).map(str) | st.just("(1, 2)"),
        "size": st.just("(None, 3)") | st.integers(1, 5).map(str),
        "float": st.sampled_from(["1", "2.5", "-1"]),
    }
    args = [data.draw(valid[p.kind]) for p in layer.params if p.required]
    spec = parse_layer(f"{name}({', '.join(args)})", **weight_for(layer))
    assert type(spec) is layer.spec


def iter_messages() -> Iterator[str]:  # pragma: no cover - helper for manual inspection
    for code, kwargs, _ in ERRORS:
        try:
            parse_layer(code, **kwargs)
        except UsageError as exc:
            yield f"{code!r}: {exc}"


def test_messages_name_values_plainly() -> None:
    """No message leaks a Python object repr (a sign of formatting the wrong thing)."""
    for message in iter_messages():
        assert not re.search(r"<[a-zA-Z_.]+ object at 0x", message), message
        assert "ast." not in message, message
