"""``explain`` on what users really paste.

The corpus (tests/corpus_explain/reports.json) is 173 reports copied from public issue
threads and Q&A pages, each with its source; benchmarks/score_explain.py scores it. The
other tests wrap a message that torch itself raised in the things people paste around it.
"""

from __future__ import annotations

import json
import time

import pytest
from click.testing import CliRunner

from benchmarks.score_explain import load, score
from convshape.cli.app import cli
from convshape.core import errors as E
from convshape.features.explain import explain_text, find_error, find_errors

runner = CliRunner()


def test_corpus_is_real_reports_with_sources() -> None:
    reports = load()
    assert len(reports) >= 150
    for r in reports:
        assert str(r["source"]).startswith("https://"), r
        assert r["expect"]


def test_corpus_recognition() -> None:
    s = score(load())
    assert s.misread == 0, s.misses
    assert s.recognised / s.in_scope >= 0.95, s.misses
    assert s.refused == s.out_scope, s.misses  # every refusal names what it recognised


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("RuntimeError: expected scalar type Float but found Double", "dtype"),
        (
            "RuntimeError: Input type (torch.cuda.FloatTensor) and weight type "
            "(torch.FloatTensor) should be the same",
            "device",
        ),
        ("RuntimeError: shape '[-1, 115200]' is invalid for input of size 72000", "view"),
        ("ValueError: Expected input batch_size (103) to match target batch_size (95).", "loss"),
    ],
)
def test_refusal_names_what_was_recognised(text: str, category: str) -> None:
    for lang in ("en", "ja"):
        result = runner.invoke(cli, ["explain", "--lang", lang, text])
        assert result.exit_code == 2 and result.output.count("\n") == 1, result.output
        doc = json.loads(runner.invoke(cli, ["explain", "--json", "--lang", lang, text]).output)
        assert doc["code"] is None and doc["refused"]["category"] == category
        assert doc["refused"]["message"] == result.output.removeprefix("Error: ").strip()
    cat = runner.invoke(cli, ["explain", text]).output
    if category == "cat":
        assert "convshape solve --stack" in cat


def _torch_message() -> str:
    torch = pytest.importorskip("torch")
    try:
        torch.nn.Conv2d(3, 8, 3)(torch.zeros(2, 1, 30, 30))
    except RuntimeError as exc:
        return str(exc)
    raise AssertionError("torch did not raise")


@pytest.mark.parametrize(
    "wrap",
    [
        "I get this error: {m}. Please tell me what the problem is.",
        "运行时出现这样的报错：RuntimeError: {m}，请问怎么解决？",
        '"RuntimeError: {m}"',
        "`RuntimeError: {m}`",
        "```\nRuntimeError: {m}\n```",
        "!!! Exception during processing !!! {m}",
        "FAILED tests/test_net.py::test_forward - RuntimeError: {m}",
        "*** RuntimeError: {m}",
        "ERROR: RuntimeError: {m}",
        "2024-12-29T15:37:17.690360 - [rank1]: RuntimeError: {m}",
    ],
)
def test_message_is_found_wherever_it_is(wrap: str) -> None:
    message = _torch_message()
    match = find_error(wrap.format(m=message))
    assert match is not None and match.kind is E.CHANNEL_MISMATCH
    assert match.message == message  # nothing around it is absorbed


def test_soft_wrapped_even_inside_a_shape_and_times_sign() -> None:
    message = _torch_message()  # ... expected input[2, 1, 30, 30] ...
    wrapped = message.replace("input[2, 1, 3", "input[2, 1,\n  3").replace("to have", "to\nhave")
    match = find_error("RuntimeError: " + wrapped)
    assert match is not None and match.message == message
    linear = find_error(
        "RuntimeError: mat1 and mat2 shapes cannot be multiplied (2×1568 and 1050×10)"
    )
    assert linear is not None and linear.message.endswith("(2x1568 and 1050x10)")


def test_trailing_prose_is_never_a_value() -> None:
    # https://github.com/pengzhiliang/MAE-pytorch/issues/93, as pasted
    text = (
        "RuntimeError: Given normalized_shape=[768], expected input with shape [*, 768], but got "
        'input of size[12]",Please tell me what the problem is.'
    )
    match = find_error(text)
    assert match is not None and match.values["input"] == "[12]"
    doc = json.loads(runner.invoke(cli, ["explain", "--json", text]).output)
    assert doc["message"].endswith("input of size[12]")


def test_several_messages_root_cause_first() -> None:
    report = next(r for r in load() if r["source"].endswith("DWFormer/issues/21"))
    codes = [m.kind.code for m in find_errors(str(report["text"]))]
    assert codes == ["CS101", "CS109"]


def test_innermost_first_traceback_names_the_users_frame() -> None:
    # VS Code's "Exception has occurred" pane lists the innermost frame first
    report = next(r for r in load() if r["source"].endswith("GraphMAE/issues/51"))
    match = find_error(str(report["text"]))
    assert match is not None and match.frame is not None
    assert match.frame.line == 246 and match.frame.function == "mask_attr_prediction"


def test_matching_stays_linear_in_the_size_of_the_text() -> None:
    message = _torch_message()
    noise = "Given groups=1, weight of size [1, 2, 3] expected input " * 4000
    started = time.perf_counter()
    ex = explain_text(noise + "\nRuntimeError: " + message)
    assert ex.match.message == message
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    ("text", "word"),
    [
        # https://github.com/kijai/ComfyUI-WanVideoWrapper/issues/515
        ("mat1 and mat2 shapes cannot be multiplied (512x768 and 4096x1536)", "encoder"),
        # https://github.com/Wangbenzhi/RealisHuman/issues/3
        (
            "RuntimeError: Given normalized_shape=[1024], expected input with shape [*, 1024], "
            "but got input of size[4, 257, 768]",
            "checkpoint",
        ),
        # https://github.com/Comfy-Org/ComfyUI/issues/6419
        (
            "Given groups=1, weight of size [64, 4, 3, 3], expected input[1, 16, 128, 128] to "
            "have 4 channels, but got 16 channels instead",
            "VAE",
        ),
    ],
)
def test_pretrained_numbers_point_to_a_model_mismatch_first(text: str, word: str) -> None:
    ex = explain_text(text)
    assert word in ex.advice.cause and word in ex.advice.fixes[0]
    ja = explain_text(text, "ja")  # the same rule, in Japanese
    assert ja.advice.cause != ex.advice.cause and ja.advice.fixes[0] != ex.advice.fixes[0]
    assert any(key in ja.advice.cause for key in ("埋め込み幅", "潜在チャネル"))


def test_kernel_larger_than_input_offers_a_smaller_kernel() -> None:
    text = (
        "RuntimeError: Calculated padded input size per channel: (1 x 4). Kernel size: (3 x 3). "
        "Kernel size can't be greater than actual input size"
    )
    assert any(
        "smaller kernel" in fix and "1 x 3" in fix for fix in explain_text(text).advice.fixes
    )
