"""Honest reproductions (issue 10, part 4), on real reports of the corpus.

A ``calc`` command is given whenever the message has the numbers (BatchNorm's one value
per channel, LayerNorm, PixelShuffle), and it prints what torch 2.13 prints, checked by
running torch on the same layer and input. When the command reaches the message through
another op than the user's (torch 1.x's ``Expected 4-dimensional input for 4-dimensional
weight`` for conv2d, which torch 2.13 prints only through conv1d), the note says so and
gives what torch 2.13 says for the user's own op, also checked by running torch.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner

from benchmarks.score_explain import load
from convshape.cli.app import cli
from convshape.features.explain import explain_text

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

runner = CliRunner()


def _report(source_tail: str) -> str:
    found = [r for r in load() if str(r["source"]).endswith(source_tail)]
    assert len(found) == 1, source_tail
    return str(found[0]["text"])


def _torch_says(call: Callable[[], Any]) -> tuple[str, str]:
    try:
        call()
    except (RuntimeError, ValueError) as exc:
        return type(exc).__name__, str(exc)
    raise AssertionError("torch raised nothing")


def _calc_says(command: str) -> list[tuple[str, str]]:
    args = shlex.split(command)
    assert args[:2] == ["convshape", "calc"], command
    result = runner.invoke(cli, [*args[1:], "--json"])
    doc = json.loads(result.output)
    if "error" in doc:
        error = doc["error"]
    else:
        error = next(row["error"] for row in doc["layers"] if row.get("error"))
    return [(error["exception"], error["message"])] + [
        (v["exception"], v["message"]) for v in error["variants"]
    ]


@pytest.mark.parametrize(
    ("source", "call"),
    [
        # BatchNorm in training, one value per channel
        ("yassouali/CCT/issues/47", lambda: nn.BatchNorm2d(512)(torch.zeros(1, 512, 1, 1))),
        ("luizgh/sigver/issues/10", lambda: nn.BatchNorm1d(2048)(torch.zeros(1, 2048))),
        # LayerNorm
        ("RealisHuman/issues/3", lambda: nn.LayerNorm(1024)(torch.zeros(4, 257, 768))),
        ("MAE-pytorch/issues/93", lambda: nn.LayerNorm(768)(torch.zeros(12))),
        # PixelShuffle
        ("Snowfallingplum/SHMT/issues/1", lambda: nn.PixelShuffle(4)(torch.zeros(1, 63, 2, 2))),
    ],
)
def test_layer_messages_get_a_command_that_prints_them(
    source: str, call: Callable[[], Any]
) -> None:
    ex = explain_text(_report(source))
    assert ex.command is not None, ex.note
    said = _torch_says(call)
    assert said == (ex.match.exc or ex.match.kind.exc, ex.match.message)  # torch's, for it
    assert said in _calc_says(ex.command)


def test_older_size_form_is_reproduced_and_the_difference_named() -> None:
    # https://github.com/sksq96/pytorch-summary/issues/4: "got input size [1, 256]"
    ex = explain_text(_report("pytorch-summary/issues/4"))
    assert ex.command is not None and "torch.Size([...])" in ex.note
    said = _torch_says(lambda: nn.BatchNorm1d(256)(torch.zeros(1, 256)))
    assert said in _calc_says(ex.command)
    assert said[1].replace("torch.Size([1, 256])", "[1, 256]") == ex.match.message
    assert "torch.Size" in explain_text(_report("pytorch-summary/issues/4"), "ja").note


@pytest.mark.parametrize(
    ("source", "exc"),
    [
        ("ultralytics/yolov5/issues/2885", "ValueError"),  # "## ❔Question\nValueError: ..."
        ("DeepFakeDefenders/issues/30", "RuntimeError"),  # "...py时遇到RuntimeError: ..."
    ],
)
def test_the_exception_is_read_from_its_own_word(source: str, exc: str) -> None:
    ex = explain_text(_report(source))
    assert ex.match.exc == exc and ex.command is not None


# ---------------------------------------------------------------------------------------
# A reproduction through another op than the user's says so
# ---------------------------------------------------------------------------------------


def test_another_op_is_named_with_what_torch_says_for_the_users_op() -> None:
    # https://github.com/surrogate-gradient-learning/pytorch-lif-autograd/issues/1 (torch 1.x)
    text = _report("pytorch-lif-autograd/issues/1")
    ex = explain_text(text)
    x, w = torch.zeros(100, 28, 28), torch.zeros(16, 1, 7, 7)
    assert ex.command is not None and "F.conv1d" in ex.command
    said = _torch_says(lambda: F.conv1d(x, w))  # torch 2.13 prints it through conv1d ...
    assert said[1] == ex.match.message and said in _calc_says(ex.command)
    assert "calls conv1d, not the conv2d that the weight [16, 1, 7, 7] shows" in ex.note
    today = _torch_says(lambda: F.conv2d(x, w))  # ... and this for the user's conv2d
    assert f"{today[0]}: {today[1]}" in ex.note
    found = re.search(r"\((convshape calc .*?)\)$", ex.note)
    assert found is not None and today in _calc_says(found.group(1))
    ja = explain_text(text, "ja").note
    assert "conv1d" in ja and "conv2d" in ja and ja != ex.note


def test_another_op_named_from_the_traceback_line() -> None:
    # https://github.com/vqdang/hover_net/issues/94: F.conv2d(h_ch, kernel_h, padding=2)
    ex = explain_text(_report("hover_net/issues/94"))
    assert ex.match.frame is not None and "F.conv2d" in (ex.match.frame.source or "")
    assert "not the conv2d your traceback's line calls" in ex.note


def test_the_users_op_may_run_today() -> None:
    # https://github.com/valerystrizh/pytorch-histogram-loss/issues/13: [3, 224, 224] into
    # a ResNet under torch 1.x; torch 2.13 reads it as one unbatched image
    ex = explain_text(_report("pytorch-histogram-loss/issues/13"))
    assert "torch 2.13 raises no error" in ex.note
    assert tuple(F.conv2d(torch.zeros(3, 224, 224), torch.zeros(64, 3, 7, 7)).shape) == (
        64,
        218,
        218,
    )


def test_no_command_still_says_what_torch_says_for_the_users_op() -> None:
    # https://github.com/msyim/VGG16/issues/1: weight printed as "64 3 3 3 3" (torch 1.x)
    ex = explain_text(_report("msyim/VGG16/issues/1"))
    assert ex.command is None
    today = _torch_says(
        lambda: F.conv3d(torch.zeros(100, 3, 224, 224), torch.zeros(64, 3, 3, 3, 3))
    )
    assert f"{today[0]}: {today[1]}" in ex.note


def test_the_same_op_adds_no_note() -> None:
    ex = explain_text(_report("facelandmarks/issues/4"))
    assert ex.command is not None and "F.conv2d" in ex.command
    assert "not the" not in ex.note
