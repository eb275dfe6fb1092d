"""The lint corpus: models in the style of real architectures, and copies with one bug each.

``tests/corpus/good`` holds ResNet, VGG, U-Net, MobileNetV2 (depthwise convolutions), a 1-d
audio net and a 3-d video net; static lint must find nothing in them. Each file in
``tests/corpus/bad`` differs from its good twin in one place (its docstring says which);
static lint must report exactly the finding listed below (hand-checked: line and column of
the layer's call). The torch tests import each file (here, never in lint), build the model
and run it on its declared input, and check that torch behaves as the finding claims.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from convshape.features.lint import lint_source
from convshape.features.lint.extract import DEBUG_ENV

CORPUS = Path(__file__).parent / "corpus"
GOOD = sorted((CORPUS / "good").glob("*.py"))
BAD = sorted((CORPUS / "bad").glob("*.py"))

# file -> (line, column, code, what torch says or the finding states)
EXPECTED: dict[str, tuple[int, int, str, str]] = {
    "audio_rows_dropped.py": (23, 22, "CS901", "never reaches the last 1 position of L"),
    "audio_zero_stride.py": (
        19,
        22,
        "CS307",
        "max_pool1d() stride must be greater than zero, but got 0",
    ),
    # at the call that passes groups=64 (ConvBNReLU only passes its groups on)
    "mobilenet_groups.py": (34, 74, "CS702", "in_channels must be divisible by groups"),
    "mobilenet_same_stride.py": (
        12,
        13,
        "CS705",
        "padding='same' is not supported for strided convolutions",
    ),
    "resnet_bn_features.py": (50, 20, "CS802", "running_mean should contain 64 elements not 32"),
    "resnet_fc_features.py": (
        58,
        19,
        "CS801",
        "mat1 and mat2 shapes cannot be multiplied (2x512 and 256x10)",
    ),
    "resnet_pool_padding.py": (
        52,
        24,
        "CS326",
        "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 "
        "and dilation=1",
    ),
    "unet_output_padding.py": (
        36,
        19,
        "CS205",
        "output padding must be smaller than either stride or dilation",
    ),
    "unet_skip_channels.py": (
        56,
        21,
        "CS112",
        "Given groups=1, weight of size [2, 32, 1, 1], expected input[1, 16, 64, 64] to have "
        "32 channels, but got 16 channels instead",
    ),
    # at up1's 512 (Up only passes it on): Up(256, 128) runs
    "unet_transpose_channels.py": (
        53,
        23,
        "CS201",
        "Given transposed=1, weight of size [512, 256, 2, 2], expected input[1, 256, 8, 8] to "
        "have 512 channels, but got 256 channels instead",
    ),
    "vgg_flatten_features.py": (
        32,
        13,
        "CS801",
        "mat1 and mat2 shapes cannot be multiplied (1x25088 and 18432x1024)",
    ),
    "vgg_linear_chain.py": (
        38,
        13,
        "CS801",
        "mat1 and mat2 shapes cannot be multiplied (1x1024 and 2048x100)",
    ),
    "vgg_too_small.py": (
        14,
        24,
        "CS333",
        "Given input size: (512x1x1). Calculated output size: (512x0x0). Output size is too small",
    ),
    "video_bn_features.py": (13, 20, "CS802", "running_mean should contain 64 elements not 32"),
    "video_negative_padding.py": (16, 23, "CS105", "negative padding is not supported"),
    "video_padding_mode.py": (
        12,
        22,
        "CS706",
        "but got padding_mode='reflection'",
    ),
}


@pytest.fixture(autouse=True)
def _debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEBUG_ENV, "1")


def test_every_bad_file_has_an_expectation() -> None:
    assert sorted(EXPECTED) == [p.name for p in BAD]
    assert len(GOOD) == 6


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_models_have_no_findings(path: Path) -> None:
    assert lint_source(path.read_text(), path.name) == []


# file -> the other end of a mismatch either of whose lines one edit fixes (see blame)
ALSO: dict[str, tuple[int, int]] = {
    "unet_skip_channels.py": (55, 27),  # up3 = Up(64, 32) runs too
}


def _the_finding(path: Path) -> Any:
    line, col, code, _text = EXPECTED[path.name]
    findings = lint_source(path.read_text(), path.name)
    also = [ALSO[path.name]] if path.name in ALSO else []
    (finding,) = findings
    assert (finding.line, finding.col, finding.code) == (line, col, code)
    assert [(r.line, r.col) for r in finding.related] == also
    return finding


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_bad_models_have_their_one_finding(path: Path) -> None:
    assert EXPECTED[path.name][3] in _the_finding(path).message


# -- torch agrees -------------------------------------------------------------------------


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"corpus_{path.parent.name}_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _declared(path: Path) -> tuple[int, ...]:
    found = re.search(r"# convshape: input=([0-9,]+)", path.read_text())
    assert found is not None
    return tuple(int(v) for v in found.group(1).split(","))


def _run(path: Path) -> tuple[Any, Any]:
    """Build the model and run it on its declared input in eval mode, as lint assumes:
    (output, None) or (None, exc)."""
    torch = pytest.importorskip("torch")
    module = _load(path)
    try:
        model = module.build().eval()
        with torch.no_grad():
            return model(torch.randn(_declared(path))), None
    except Exception as exc:
        return None, exc


@pytest.mark.torch
@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_models_run_in_torch(path: Path) -> None:
    out, exc = _run(path)
    assert exc is None, exc
    assert out.shape[0] == _declared(path)[0]


@pytest.mark.torch
@pytest.mark.parametrize("path", [p for p in BAD if EXPECTED[p.name][2] != "CS901"], ids=str)
def test_bad_models_fail_in_torch_as_the_finding_says(path: Path) -> None:
    from convshape.features.explain import match_message

    _line, _col, code, text = EXPECTED[path.name]
    _out, exc = _run(path)
    assert exc is not None, "torch ran the model without an error"
    matched = match_message(str(exc), type(exc).__name__)
    assert matched is not None, exc
    assert matched[0].code == code
    assert text in str(exc)
    finding = _the_finding(path)
    if code not in ("CS706",):  # the set torch prints is ordered by PYTHONHASHSEED
        assert f"{type(exc).__name__}: {exc}" in finding.message


@pytest.mark.torch
def test_rows_dropped_as_torch_computes_them() -> None:
    torch = pytest.importorskip("torch")
    path = CORPUS / "bad" / "audio_rows_dropped.py"
    model = _load(path).build()
    seen: dict[str, tuple[int, int]] = {}

    def record(name: str) -> Any:
        def hook(module: Any, args: Any, out: Any) -> None:
            seen[name] = (args[0].shape[-1], out.shape[-1])

        return hook

    model.pool3.register_forward_hook(record("bad"))
    with torch.no_grad():
        model(torch.randn(_declared(path)))
    size, out = seen["bad"]
    # windows of 2 every 2: the last starts at 2*(out-1) and ends before 2*out
    assert (size, out) == (31, 15) and 2 * out == size - 1
    good = _load(CORPUS / "good" / "audio.py").build()
    good.pool3.register_forward_hook(record("good"))
    with torch.no_grad():
        good(torch.randn(_declared(CORPUS / "good" / "audio.py")))
    size, out = seen["good"]
    assert 2 * out == size  # 8256 samples: covered exactly
