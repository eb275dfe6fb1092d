"""Diagnoses that fit the situation, from the numbers (issue 10, part 3).

Each case is a real report of the corpus (tests/corpus_explain/reports.json, found by its
source) whose cause the thread makes known. The test reads what ``explain`` says, then
checks the suggested fix in torch: the layer is rebuilt from the reported numbers, the
reported input is seen to fail, and the fix's code, run by torch on a tensor of the
reported shape, gives the shape the fix says and passes the layer. Placeholders (a stride
equal to the kernel, to keep the outputs small; a layer's other channel count) are named
where they are used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from benchmarks.score_explain import load
from convshape.features.explain import explain_text
from convshape.features.layout import readings

torch = pytest.importorskip("torch")
nn = torch.nn
F = torch.nn.functional

_FIX = re.compile(r"(x(?:\.\w+\([^()]*\))+) (?:gives|で) (\[[-\d, ]*\])")


def _report(source_tail: str) -> str:
    found = [r for r in load() if str(r["source"]).endswith(source_tail)]
    assert len(found) == 1, source_tail
    return str(found[0]["text"])


def _apply(fix: str, shape: tuple[int, ...]) -> Any:
    """Run the fix's code on a tensor of ``shape``; check the shape the fix says it gives."""
    found = _FIX.search(fix)
    assert found is not None, fix
    code, said = found.group(1), json.loads(found.group(2))
    y = eval(code, {"x": torch.zeros(shape)})  # the fix's own code, run by torch
    assert list(y.shape) == said, (code, fix)
    return y


def _conv(weight: tuple[int, ...], **kw: object) -> Callable[[Any], Any]:
    """F.convNd with the reported weight (stride = kernel unless given: small outputs)."""
    fn = {3: F.conv1d, 4: F.conv2d, 5: F.conv3d}[len(weight)]
    w = torch.zeros(weight)
    kw.setdefault("stride", tuple(weight[2:]))
    return lambda x: fn(x, w, **kw)


def _fails(layer: Callable[[Any], Any], shape: tuple[int, ...]) -> None:
    with pytest.raises((RuntimeError, ValueError)):
        layer(torch.zeros(shape))


# ---------------------------------------------------------------------------------------
# A missing channel dimension -> unsqueeze(1), saying what it assumes
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "shape", "weight"),
    [
        ("pytorch-lif-autograd/issues/1", (100, 28, 28), (16, 1, 7, 7)),
        ("SuperPoint-Pytorch/issues/2", (16, 120, 160), (64, 1, 3, 3)),
    ],
)
def test_missing_channel_dimension(
    source: str, shape: tuple[int, ...], weight: tuple[int, ...]
) -> None:
    ex = explain_text(_report(source))
    first = ex.advice.fixes[0]
    assert "x.unsqueeze(1)" in first and "assumes" in first and "one channel" in first
    assert "channel dimension" in ex.advice.cause
    layer = _conv(weight)
    _fails(layer, shape)  # torch 2.13 reads it as one unbatched sample of 100 channels
    layer(_apply(first, shape))
    ja = explain_text(_report(source), "ja")
    assert "x.unsqueeze(1)" in ja.advice.fixes[0] and "仮定" in ja.advice.fixes[0]


def test_missing_channel_of_a_three_channel_layer_says_what_the_input_should_be() -> None:
    # https://github.com/Meta-knowledge-Lab/DLB/issues/6: [64, 32, 32] into vgg16's conv1
    ex = explain_text(_report("DLB/issues/6"))
    first = ex.advice.fixes[0]
    assert "channel dimension is missing" in first and "[64, 3, 32, 32]" in first
    assert "fits only a layer with in_channels=1" in first
    layer = _conv((64, 3, 3, 3))
    _fails(layer, (64, 32, 32))
    layer(torch.zeros(64, 3, 32, 32))
    assert list(_apply(first, (64, 32, 32)).shape) == [64, 1, 32, 32]


def test_torch_2_reads_a_batch_without_channels_as_one_sample() -> None:
    # torch 2.13's own message for the faults above: CS112 with a batch of 1 shown
    w = torch.zeros(16, 1, 7, 7)
    with pytest.raises(RuntimeError) as raised:
        F.conv2d(torch.zeros(100, 28, 28), w)
    ex = explain_text(f"RuntimeError: {raised.value}")
    assert ex.match.kind.code == "CS112"
    first = ex.advice.fixes[0]
    assert "x.unsqueeze(1)" in first and "100 is the batch" in first
    F.conv2d(_apply(first, (100, 28, 28)), w)


# ---------------------------------------------------------------------------------------
# A 2-d batch is not an image: say what the reshape assumes
# ---------------------------------------------------------------------------------------


def test_flat_rows_are_reshaped_to_images_saying_what_it_assumes() -> None:
    # https://github.com/hughperkins/pytorch/issues/39: [32 x 784] into a 2-d convolution
    ex = explain_text(_report("hughperkins/pytorch/issues/39"))
    assert ex.older is not None and ex.older.today is not None
    assert ex.older.today.code == "CS101"
    fixes = " ".join(ex.advice.fixes)
    assert "unsqueeze(0).unsqueeze(0)" not in fixes  # [1, 1, 32, 784] is no image
    first = ex.advice.fixes[0]
    assert "x.view(-1, 1, 28, 28)" in first and "assumes" in first and "28 x 28" in first
    layer = nn.Conv2d(1, 8, 3)  # the one channel the fix assumes; 8 is a placeholder
    _fails(layer, (32, 784))
    assert tuple(layer(_apply(first, (32, 784))).shape) == (32, 8, 26, 26)


def test_one_image_gets_batch_and_channel_saying_what_it_assumes() -> None:
    # https://github.com/liguge/1D-Grad-CAM-for-interpretable-intelligent-fault-diagnosis/issues/4
    # [741] into a Conv1d of weight [16, 1, 17]
    ex = explain_text(_report("1D-Grad-CAM-for-interpretable-intelligent-fault-diagnosis/issues/4"))
    first = ex.advice.fixes[0]
    assert "x.unsqueeze(0).unsqueeze(0)" in first and "assumes" in first
    F.conv1d(_apply(first, (741,)), torch.zeros(16, 1, 17))


# ---------------------------------------------------------------------------------------
# More dimensions than the layer takes: name the extra one
# ---------------------------------------------------------------------------------------


def test_stacked_clips_are_named_and_merged_into_the_batch() -> None:
    # https://github.com/facebookresearch/ConvNeXt/issues/140: [2, 16, 3, 448, 448] into
    # ConvNeXt's stem, weight [96, 3, 4, 4]
    ex = explain_text(_report("ConvNeXt/issues/140"))
    first = ex.advice.fixes[0]
    assert "x.flatten(0, 1)" in first and "16 frames, clips or views" in first
    assert "one dimension too many" in ex.advice.cause
    layer = _conv((96, 3, 4, 4))
    _fails(layer, (2, 16, 3, 448, 448))
    assert tuple(layer(_apply(first, (2, 16, 3, 448, 448))).shape) == (32, 96, 112, 112)
    conv3d = next(f for f in ex.advice.fixes if "nn.Conv3d" in f)  # time as an axis
    code = re.search(r"x\.permute\([^()]*\)", conv3d).group(0)
    y = eval(code, {"x": torch.zeros(2, 16, 3, 448, 448)})
    assert "[2, 3, 16, 448, 448]" in conv3d and tuple(y.shape) == (2, 3, 16, 448, 448)
    F.conv3d(y, torch.zeros(8, 3, 1, 4, 4), stride=(1, 4, 4))  # a placeholder Conv3d


def test_a_batch_added_twice_names_the_summary_tool() -> None:
    # https://github.com/JIA-Lab-research/MGM/issues/40: [1, 1, 3, 336, 336] into conv2d
    ex = explain_text(_report("MGM/issues/40"))
    first = ex.advice.fixes[0]
    assert "x.squeeze(0)" in first and "summary tool" in first
    layer = nn.Conv2d(3, 8, 3, stride=3)  # the message names no weight: placeholders
    _fails(layer, (1, 1, 3, 336, 336))
    layer(_apply(first, (1, 1, 3, 336, 336)))


def test_never_a_layer_torch_does_not_have() -> None:
    for r in load():
        if str(r["expect"]).startswith("out:"):
            continue
        try:
            ex = explain_text(str(r["text"]))
        except Exception:
            continue
        said = " ".join([ex.advice.cause, *ex.advice.fixes])
        assert not re.search(r"Conv(?:Transpose)?[04-9]d|Conv\dd\dd", said), (r["id"], said)
    for n in (1, 2, 3):  # every reading of every rank around the layer's
        for r in range(1, n + 6):
            for shape in ((1,) * r, (2,) * r, (4, 3, *(8,) * (r - 2)) if r > 2 else (4,) * r):
                for f in readings(shape, n, None):
                    assert not re.search(r"Conv(?:Transpose)?[04-9]d", f.fix("en")), f


def test_a_3d_layer_for_2d_images_suggests_the_2d_layer() -> None:
    # https://github.com/msyim/VGG16/issues/1: weight 64 3 3 3 3 (torch 1.x's print)
    ex = explain_text(_report("msyim/VGG16/issues/1"))
    first = ex.advice.fixes[0]
    assert "nn.Conv2d(3, 64, 3)" in first
    found = re.search(r"nn\.Conv2d\([^()]*\)", first)
    assert found is not None
    layer = eval(found.group(0), {"nn": nn})
    _fails(lambda x: F.conv3d(x, torch.zeros(64, 3, 3, 3, 3)), (100, 3, 224, 224))
    layer.stride = (3, 3)
    layer(torch.zeros(100, 3, 224, 224))


def test_a_batch_of_one_lost_by_squeeze_before_a_conv() -> None:
    # https://github.com/vqdang/hover_net/issues/94: F.conv2d(h_ch, kernel_h, padding=2)
    ex = explain_text(_report("hover_net/issues/94"))
    first = ex.advice.fixes[0]
    assert "squeeze()" in first and "batch of 1" in first
    layer = _conv((1, 1, 5, 5), stride=1, padding=2)
    _fails(layer, (80, 1, 80))
    assert tuple(layer(_apply(first, (80, 1, 80))).shape) == (1, 1, 80, 80)


# ---------------------------------------------------------------------------------------
# Channels-last data first when the numbers say so
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "shape", "weight"),
    [
        ("facelandmarks/issues/4", (1, 361, 424, 3), (10, 3, 3, 3)),
        ("FedGMM_ICML2023/issues/2", (128, 32, 32, 3), (32, 3, 3, 3)),
    ],
)
def test_channels_last_comes_first(
    source: str, shape: tuple[int, ...], weight: tuple[int, ...]
) -> None:
    ex = explain_text(_report(source))
    first = ex.advice.fixes[0]
    assert "x.permute(0, 3, 1, 2)" in first and "channels-last" in ex.advice.cause
    layer = _conv(weight)
    _fails(layer, shape)
    layer(_apply(first, shape))


def test_channels_last_is_not_guessed_from_a_coincidence() -> None:
    # [2, 6, 5, 5] with a 5-channel layer: the last size is not smaller than the others
    w = torch.zeros(8, 5, 3, 3)
    with pytest.raises(RuntimeError) as raised:
        F.conv2d(torch.zeros(2, 6, 5, 5), w)
    ex = explain_text(str(raised.value))
    assert "permute" not in ex.advice.fixes[0] and "most likely" not in ex.advice.cause


# ---------------------------------------------------------------------------------------
# BatchNorm1d on (N, L, C) -> transpose; a batch of 1 lost by squeeze()
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "tokens", "features"),
    [
        ("pytorch-summary/issues/85", 1, 100),
        ("self-critical.pytorch/issues/44", 36, 2048),
        ("LTH14/rcg/issues/9", 197, 4096),
    ],
)
def test_batchnorm1d_on_sequence_data_is_transposed(
    source: str, tokens: int, features: int
) -> None:
    text = _report(source)
    ex = explain_text(text)
    first = ex.advice.fixes[0]
    assert "bn(x.transpose(1, 2)).transpose(1, 2)" in first
    assert "(N, L, C)" in ex.advice.cause
    bn = nn.BatchNorm1d(features)
    x = torch.zeros(2, tokens, features)
    with pytest.raises(RuntimeError) as raised:
        bn(x)
    assert str(raised.value) in text  # the reported message is torch's for (N, L, C)
    code = "bn(x.transpose(1, 2)).transpose(1, 2)"  # the fix's own code, checked above
    assert tuple(eval(code, {"bn": bn, "x": x}).shape) == (2, tokens, features)


def test_batchnorm_channel_counts_keep_the_layer_fix_first() -> None:
    # https://github.com/XPFly1989/FCRN/issues/3: 256 vs 512, both channel counts
    ex = explain_text(_report("FCRN/issues/3"))
    assert "nn.BatchNorm2d(256)" in ex.advice.fixes[0]
    assert "transpose" in ex.advice.fixes[1]


def test_a_batch_of_one_lost_by_squeeze_before_batchnorm() -> None:
    # https://github.com/layumi/Person_reID_baseline_pytorch/issues/49
    text = _report("Person_reID_baseline_pytorch/issues/49")
    ex = explain_text(text)
    first = ex.advice.fixes[0]
    assert "squeeze()" in first and "x.flatten(1)" in first and "model.eval()" in first
    bn = nn.BatchNorm1d(512)
    pooled = torch.zeros(1, 512, 1, 1)  # a batch of 1 after global pooling
    with pytest.raises(ValueError) as raised:
        bn(pooled.squeeze())
    assert str(raised.value) in text
    with pytest.raises(ValueError):  # training: one value per channel, as the fix says
        bn(pooled.flatten(1))
    bn.eval()
    assert tuple(bn(pooled.flatten(1)).shape) == (1, 512)
