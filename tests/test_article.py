"""Every example of the reference article, with the outputs the article reports.

The expected values are typed from the article (docs/tutorial.md walks through them).
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import convshape
from convshape.cli.app import cli

FUNCTIONAL = [
    ((8, 4, 3, 3), (1, 4, 5, 5), (1, 8, 5, 5)),
    ((12, 5, 3, 3), (2, 5, 5, 5), (2, 12, 5, 5)),
]
ARTICLE_ERROR = (
    "Given groups=1, weight of size [12, 5, 3, 3], expected input[2, 6, 5, 5] to have 5 "
    "channels, but got 6 channels instead"
)
MODULES = [
    ("Conv2d(16, 32, 3)", (20, 16, 50, 100), (20, 32, 48, 98)),
    ("Conv2d(16, 32, 3, padding=1)", (20, 16, 50, 100), (20, 32, 50, 100)),
    ("Conv2d(16, 32, 3, padding=1, stride=2)", (20, 16, 50, 100), (20, 32, 25, 50)),
    ("Conv2d(16, 32, 3, padding=1, stride=2)", (20, 16, 100, 50), (20, 32, 50, 25)),
    ("Conv2d(16, 32, (5, 3), stride=(2, 1), padding=(2, 1))", (20, 16, 100, 50), (20, 32, 50, 50)),
    (
        "Conv2d(16, 32, (5, 3), stride=(2, 1), padding=(2, 1), dilation=(1, 2))",
        (20, 16, 100, 50),
        (20, 32, 50, 48),
    ),
    (
        "Conv2d(16, 32, (5, 3), padding=(2, 1), dilation=(2, 2))",
        (20, 16, 100, 50),
        (20, 32, 96, 48),
    ),
    (
        "Conv2d(16, 32, (5, 3), padding=(2, 1), dilation=(3, 3))",
        (20, 16, 100, 50),
        (20, 32, 92, 46),
    ),
]


@pytest.mark.parametrize(("weight", "shape", "expected"), FUNCTIONAL)
def test_functional_examples(
    weight: tuple[int, ...], shape: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    result = convshape.infer(
        "F.conv2d(input=inputs, weight=filters, padding=1)", shape, weight=weight
    )
    assert result.output == expected


def test_channel_mismatch_message_word_for_word() -> None:
    result = convshape.infer("F.conv2d(x, w, padding=1)", (2, 6, 5, 5), weight=(12, 5, 3, 3))
    assert result.error is not None
    assert result.error.exc == "RuntimeError"
    assert result.error.message == ARTICLE_ERROR


@pytest.mark.parametrize("prefix", ["nn.", "torch.nn.", ""])
@pytest.mark.parametrize(("layer", "shape", "expected"), MODULES)
def test_module_examples(
    prefix: str, layer: str, shape: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    assert convshape.infer(prefix + layer, shape).output == expected


@pytest.mark.parametrize(("layer", "shape", "expected"), MODULES)
def test_module_examples_through_the_cli(
    layer: str, shape: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    out = CliRunner().invoke(
        cli, ["calc", "nn." + layer, "--input", ",".join(map(str, shape)), "--json"]
    )
    assert out.exit_code == 0, out.output
    assert tuple(json.loads(out.output)["output"]) == expected


def test_article_error_through_the_cli() -> None:
    out = CliRunner().invoke(
        cli, ["calc", "F.conv2d(x, w, padding=1)", "-i", "2,6,5,5", "-w", "12,5,3,3", "--json"]
    )
    assert out.exit_code == 1
    error = json.loads(out.output)["error"]
    assert (error["exception"], error["message"]) == ("RuntimeError", ARTICLE_ERROR)
    assert any("(12, 6, 3, 3)" in fix for fix in error["fixes"])


def test_readings_from_the_article() -> None:
    """Dilation d spreads k taps over d*(k-1)+1 pixels: 5 taps with dilation 2 lose 4 more."""
    base = convshape.infer("nn.Conv2d(16, 32, (5, 3), padding=(2, 1))", (20, 16, 100, 50))
    d2 = convshape.infer(
        "nn.Conv2d(16, 32, (5, 3), padding=(2, 1), dilation=(2, 2))", (20, 16, 100, 50)
    )
    d3 = convshape.infer(
        "nn.Conv2d(16, 32, (5, 3), padding=(2, 1), dilation=(3, 3))", (20, 16, 100, 50)
    )
    assert base.output and d2.output and d3.output
    assert base.output[2] - d2.output[2] == 4
    assert base.output[2] - d3.output[2] == 8
    assert any("over 9 rows" in note for note in d2.axes[0].notes)
