"""Sample input sizes (convshape.features.lint.probe): a ``+`` or ``torch.cat`` whose sides
differ in spatial size for every image size tried is a finding, at the stride or padding
to fix; a model that runs for some size is not.

Each model below is also run in torch (where it is installed): a finding must be a join
torch refuses at every sample size, and a model without one must run at some size. The
seeded bugs of real released code (tests/corpus_real/seeds.json, each recorded raising in
torch by scripts/record_seeds.py) must be found at the line to fix.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convshape.features.lint import lint_source
from convshape.features.lint.config import Config
from convshape.features.lint.extract import DEBUG_ENV
from convshape.features.lint.probe import SAMPLES
from convshape.features.lint.static import lint_paths
from convshape.features.lint.values import Finding
from tests.realcode import (
    TIMM,
    TORCHVISION,
    apply_seed,
    copy_packages,
    load_seeds,
    revert_seed,
    seeded_file,
)


@pytest.fixture(autouse=True)
def _debug(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DEBUG_ENV, "1")  # an interpreter bug fails the test, not silently


def lint(source: str) -> list[Finding]:
    return lint_source(textwrap.dedent(source), "m.py")


def line_of(source: str, text: str) -> int:
    """The 1-based line of ``source`` (as linted) that contains ``text``."""
    lines = textwrap.dedent(source).split("\n")
    return next(i for i, line in enumerate(lines, 1) if text in line)


def torch_runs(source: str, size: int) -> bool:
    """Whether torch runs the file's ``build()`` on a (1, 3, size, size) batch."""
    torch = pytest.importorskip("torch")
    namespace: dict[str, Any] = {}
    exec(compile(textwrap.dedent(source), "m.py", "exec"), namespace)  # the test's own code
    model = namespace["build"]().eval()
    try:
        with torch.no_grad():
            model(torch.zeros(1, 3, size, size))
    except RuntimeError:
        return False
    return True


RESIDUAL = """
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.shortcut = nn.Conv2d(cin, cout, 1, stride={shortcut})

    def forward(self, x):
        return self.conv2(self.conv1(x)) + self.shortcut(x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.block = Block(8, 16, 2)

    def forward(self, x):
        return self.block(self.stem(x))


def build():
    return Net()
"""


def test_a_shortcut_without_the_stride_is_found_at_its_stride() -> None:
    source = RESIDUAL.format(shortcut=1)
    findings = lint(source)
    assert [(f.line, f.code) for f in findings] == [(line_of(source, "self.shortcut ="), "CS880")]
    (finding,) = findings
    assert finding.fixes == ("use stride=2",)
    assert "for every input size tried" in finding.message
    assert "224 gives 112x112 vs 224x224" in finding.message
    assert not any(torch_runs(source, size) for size in (32, 224, 225))


def test_the_right_shortcut_is_no_finding() -> None:
    source = RESIDUAL.format(shortcut="stride")
    assert lint(source) == []
    assert torch_runs(source, 224)


INCEPTION = """
import torch
import torch.nn as nn


class Mixed(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.a = nn.Conv2d(cin, 8, 1)
        self.b = nn.Sequential(nn.Conv2d(cin, 8, 1), nn.Conv2d(8, 8, 5, padding={pad}))
        self.c = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1), nn.Conv2d(cin, 8, 1))

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x), self.c(x)], 1)


def build():
    return nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), Mixed(8))
"""


def test_a_branch_padded_differently_is_found_at_its_padding() -> None:
    source = INCEPTION.format(pad=1)
    findings = lint(source)
    assert [(f.line, f.code) for f in findings] == [(line_of(source, "self.b ="), "CS881")]
    assert findings[0].fixes == ("use padding=2",)
    assert not any(torch_runs(source, size) for size in (32, 224, 225))
    assert torch_runs(INCEPTION.format(pad=2), 224)
    assert lint(INCEPTION.format(pad=2)) == []


HELPERS = """
import torch.nn as nn


def conv1x1(cin, cout, stride=1):
    return nn.Conv2d(cin, cout, kernel_size=1, stride=stride, bias=False)


class BasicConv(nn.Module):
    def __init__(self, cin, cout, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, bias=False, **kwargs)

    def forward(self, x):
        return self.conv(x)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.main = BasicConv(3, 8, kernel_size=3, stride=2, padding={pad})
        self.skip = conv1x1(3, 8{stride})

    def forward(self, x):
        return self.main(x) + self.skip(x)


def build():
    return nn.Sequential(nn.Conv2d(3, 3, 1), Block())
"""


def test_a_stride_left_at_a_helpers_default_is_found_at_the_call() -> None:
    source = HELPERS.format(pad=1, stride="")
    findings = lint(source)
    assert [(f.line, f.code) for f in findings] == [(line_of(source, "self.skip ="), "CS880")]
    assert findings[0].fixes == ("pass stride=2 in this call",)
    assert not torch_runs(source, 224)
    assert lint(HELPERS.format(pad=1, stride=", 2")) == []
    assert torch_runs(HELPERS.format(pad=1, stride=", 2"), 224)


def test_a_padding_passed_through_kwargs_is_found_where_it_is_written() -> None:
    # the 3x3 stride-2 path: (n + 2p - 3) // 2 + 1, the 1x1 stride-2 skip: (n - 1) // 2 + 1
    source = HELPERS.format(pad=3, stride=", 2")
    findings = lint(source)
    assert [(f.line, f.code) for f in findings] == [(line_of(source, "self.main ="), "CS880")]
    assert findings[0].fixes == ("use 1 instead of `3` in this call",)
    assert not any(torch_runs(source, size) for size in (32, 224, 225))


def test_a_model_that_runs_for_some_size_is_no_finding() -> None:
    # a U-Net's skip and upsampled paths agree only for even sizes: 224 runs, 225 does not
    source = """
    import torch
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(3, 8, 3, padding=1)
            self.down = nn.MaxPool2d(2)
            self.up = nn.ConvTranspose2d(8, 8, 2, stride=2)

        def forward(self, x):
            x = self.stem(x)
            return torch.cat([x, self.up(self.down(x))], 1)


    def build():
        return Net()
    """
    assert lint(source) == []
    assert torch_runs(source, 224) and not torch_runs(source, 225)


def test_a_side_of_one_size_is_a_model_made_for_one_size() -> None:
    # 84 px (Atari frames): (84 - 4) // 2 + 1 = 41 = the pooled side; no sample is 84
    source = """
    import torch.nn as nn
    import torch.nn.functional as F


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(3, 8, 4, stride=2)

        def forward(self, x):
            y = self.conv(x)
            return y + F.adaptive_avg_pool2d(y, 41)


    def build():
        return Net()
    """
    assert 84 not in SAMPLES
    assert lint(source) == []
    assert torch_runs(source, 84) and not torch_runs(source, 224)


def test_sizes_too_small_for_earlier_layers_are_no_evidence() -> None:
    # a 9x9 kernel without padding, twice: 16 px stops at the second one (8 < 9)
    source = """
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Conv2d(3, 8, 9)
            self.b = nn.Conv2d(8, 8, 9)

        def forward(self, x):
            x = self.a(x)
            return self.b(x) + x


    def build():
        return Net()
    """
    (finding,) = lint(source)
    assert "16 raises earlier" in finding.message
    assert not torch_runs(source, 16) and not torch_runs(source, 224)


# -- property: a finding exactly when torch refuses the join at every size --------------

TWO_PATHS = """
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, {ka}, stride={sa}, padding={pa})
        self.b = nn.Conv2d(3, 4, {kb}, stride={sb}, padding={pb})

    def forward(self, x):
        return self.a(x) + self.b(x)


def build():
    return nn.Sequential(nn.Conv2d(3, 3, 1), Net())
"""


@pytest.mark.torch
@settings(max_examples=25, deadline=None)
@given(
    st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(0, 2)),
    st.tuples(st.integers(1, 5), st.integers(1, 3), st.integers(0, 2)),
)
def test_a_finding_exactly_when_torch_refuses_every_size(
    a: tuple[int, int, int], b: tuple[int, int, int]
) -> None:
    torch = pytest.importorskip("torch")
    (ka, sa, pa), (kb, sb, pb) = a, b
    source = TWO_PATHS.format(ka=ka, sa=sa, pa=pa, kb=kb, sb=sb, pb=pb)
    namespace: dict[str, Any] = {}
    exec(compile(source, "m.py", "exec"), namespace)
    net = namespace["Net"]()
    outcomes = []
    for size in SAMPLES:
        x = torch.zeros(1, 3, size, size)
        with torch.no_grad():
            left, right = net.a(x), net.b(x)
            try:
                left + right
            except RuntimeError:
                outcomes.append(False)
                continue
        outcomes.append(True)
    refused = not any(outcomes)
    findings = [f for f in lint_source(source, "m.py") if f.code == "CS880"]
    assert bool(findings) == refused, (a, b, outcomes, findings)


# -- the seeded bugs of real released code ----------------------------------------------

SPATIAL = (
    "tv-resnet-downsample-stride",
    "timm-resnet-downsample-stride",
    "timm-xception-skip-stride",
    "tv-googlenet-pool-branch",
    "tv-inception-5x5-padding",
)


@pytest.fixture(scope="module")
def trees(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if TORCHVISION is None or TIMM is None:
        pytest.skip("torchvision and timm (the test extra)")
    return copy_packages(tmp_path_factory.mktemp("real"), python_only=True)


def _new_errors(root: Path, seed: dict[str, Any]) -> list[Finding]:
    config = Config(root=root)
    path = seeded_file(root, seed)
    before = {(f.line, f.code) for f in lint_paths([str(path)], config).findings}
    original = apply_seed(root, seed)
    try:
        after = lint_paths([str(path)], config).findings
    finally:
        revert_seed(root, seed, original)
    return [f for f in after if f.severity == "error" and (f.line, f.code) not in before]


@pytest.mark.parametrize("name", SPATIAL)
def test_a_seeded_spatial_bug_is_found_at_the_line_to_fix(trees: Path, name: str) -> None:
    seed = next(s for s in load_seeds() if s["id"] == name)
    new = _new_errors(trees, seed)
    code = "CS881" if seed["torch"]["message"].startswith("Sizes of tensors") else "CS880"
    here = [f for f in new if f.line <= seed["fix_line"] <= max(f.line, f.end_line)]
    assert [f.code for f in here] == [code], new
    assert "for every input size tried" in here[0].message


@pytest.mark.parametrize(
    "name", ["tv-deeplab-aspp-project", "tv-lraspp-high-classifier", "tv-regnet-c-in"]
)
def test_heads_on_a_backbone_and_widths_computed_with_torch_are_followed(
    trees: Path, name: str
) -> None:
    # the heads read the backbone's widths at the blocks that set `_is_cn` (getattr with a
    # default), DeepLab's ASPPPooling iterates itself (an nn.Sequential subclass); RegNet
    # computes its widths with torch.arange / log / pow / round (convshape's numeric)
    seed = next(s for s in load_seeds() if s["id"] == name)
    new = _new_errors(trees, seed)
    here = [f for f in new if f.line <= seed["fix_line"] <= max(f.line, f.end_line)]
    assert [f.code for f in here] == ["CS112"], new


def test_a_bug_only_small_images_meet_is_no_finding(trees: Path) -> None:
    # VGG with padding=0: torch raises at 32 px (recorded), runs at 224
    seed = next(s for s in load_seeds() if s["id"] == "tv-vgg-padding")
    assert _new_errors(trees, seed) == []
