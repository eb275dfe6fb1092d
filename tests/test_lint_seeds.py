"""The seeded-bug corpus on real released code (``tests/corpus_real/seeds.json``).

Each seed is one line of torchvision's or timm's installed source changed into a bug;
``scripts/record_seeds.py`` confirmed each in torch (it raised on the seed's input) and
recorded what torch said. These tests check that the corpus still fits the installed
releases, and re-confirm a sample live in torch. ``benchmarks/score_lint_real.py`` scores
static lint on it.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from realcode import (
    TIMM,
    TORCHVISION,
    apply_seed,
    confirm,
    copy_packages,
    load_seeds,
    package_dir,
    revert_seed,
    seeded_file,
)

SEEDS = load_seeds()
KINDS = {
    "in_channels",
    "batchnorm",
    "norm",
    "linear",
    "groups",
    "cat_channels",
    "cat_spatial",
    "add_spatial",
    "conv_transpose",
    "invalid_argument",
    "spatial",
}


def test_corpus_is_large_and_varied() -> None:
    packages = Counter(s["package"] for s in SEEDS)
    assert len(SEEDS) >= 40
    assert packages["torchvision"] >= 25 and packages["timm"] >= 15
    assert len({(s["package"], s["file"]) for s in SEEDS}) >= 10
    assert len({s["id"] for s in SEEDS}) == len(SEEDS)
    assert {s["kind"] for s in SEEDS} <= KINDS
    assert {"in_channels", "batchnorm", "linear", "groups", "cat_channels"} <= {
        s["kind"] for s in SEEDS
    }
    assert any(s["kind"] == "conv_transpose" for s in SEEDS)


@pytest.mark.parametrize("seed", SEEDS, ids=[s["id"] for s in SEEDS])
def test_seed_fits_the_installed_release(seed: dict[str, Any]) -> None:
    folder = package_dir(seed["package"])
    if folder is None:
        pytest.skip(f"{seed['package']} is not installed")
    lines = (folder / seed["file"]).read_text(encoding="utf-8").split("\n")
    assert lines[seed["line"] - 1] == seed["original"]
    assert seed["replacement"] != seed["original"]
    lines[seed["line"] - 1] = seed["replacement"]
    ast.parse("\n".join(lines))  # a one-line bug, still Python
    assert 1 <= seed["fix_line"] <= len(lines)
    recorded = seed["torch"]
    assert recorded["exception"] in ("RuntimeError", "ValueError") and recorded["message"]


def test_apply_and_revert_a_seed(tmp_path: Path) -> None:
    if TORCHVISION is None or TIMM is None:
        pytest.skip("torchvision and timm are not installed")
    seed = SEEDS[0]
    root = copy_packages(tmp_path, python_only=True)
    path = seeded_file(root, seed)
    before = path.read_text(encoding="utf-8")
    original = apply_seed(root, seed)
    assert original == before
    seeded = path.read_text(encoding="utf-8").split("\n")
    assert seeded[seed["line"] - 1] == seed["replacement"]
    with pytest.raises(ValueError, match="another release"):
        apply_seed(root, seed)  # the line no longer reads as recorded
    revert_seed(root, seed, original)
    assert path.read_text(encoding="utf-8") == before


# A sample that builds quickly, from both packages: a channel mismatch, a torch.cat of
# different sizes, a decoder's ConvTranspose, a BatchNorm width.
SAMPLE = (
    "tv-resnet-basic-conv2-in",
    "tv-googlenet-pool-branch",
    "tv-maskrcnn-deconv",
    "timm-xception-rep-bn",
)


@pytest.mark.torch
def test_torch_still_raises_what_was_recorded(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    if TORCHVISION is None or TIMM is None:
        pytest.skip("torchvision and timm are not installed")
    root = copy_packages(tmp_path)
    by_id = {s["id"]: s for s in SEEDS}
    for name in SAMPLE:
        seed = by_id[name]
        args = (root, seed["module"], seed["call"], seed["input"])
        assert "output" in confirm(*args), f"{name}: the unseeded model must run"
        original = apply_seed(root, seed)
        try:
            outcome = confirm(*args)
        finally:
            revert_seed(root, seed, original)
        assert outcome == seed["torch"], name


# Static lint on seeds in timm's norm-act layers, ConvNeXt and the EfficientNet family: each
# seeded file linted alone in its copied tree (as benchmarks/score_lint_real.py does), the
# finding at the line to fix; where the shapes are fully known, with torch's recorded text.
STATIC = (
    "timm-densenet-norm2",
    "timm-convnext-stem-norm",
    "timm-convnext-downsample-in",
    # _efficientnet_blocks.py has no builders: followed through efficientnet.py's
    "timm-effnet-ir-pwl-in",
    "timm-effnet-ir-bn1",
    "timm-effnet-ds-bn1",
    "timm-mobilenetv3-ir-pwl-in",
)
_CODES = {"batchnorm": "CS802", "norm": "CS807", "in_channels": "CS112"}


@pytest.fixture(scope="module")
def copied(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if TORCHVISION is None or TIMM is None:
        pytest.skip("torchvision and timm are not installed")
    return copy_packages(tmp_path_factory.mktemp("trees"), python_only=True)


@pytest.mark.parametrize("name", STATIC)
def test_static_lint_finds_the_seed_at_the_line_to_fix(name: str, copied: Path) -> None:
    from convshape.features.lint.config import Config
    from convshape.features.lint.static import lint_paths

    seed = next(s for s in SEEDS if s["id"] == name)
    path = seeded_file(copied, seed)
    config = Config(root=copied)
    clean = lint_paths([str(path)], config)
    assert not [f for f in clean.findings if f.severity == "error"]
    original = apply_seed(copied, seed)
    try:
        run = lint_paths([str(path)], config)
    finally:
        revert_seed(copied, seed, original)
    here = [
        f
        for f in run.findings
        if f.severity == "error" and f.line <= seed["fix_line"] <= max(f.line, f.end_line)
    ]
    assert [f.code for f in here] == [_CODES[seed["kind"]]], run.findings
    if seed["kind"] == "batchnorm":  # the channels are known: torch's own words
        builders = seed["module"].replace(".", "/") + ".py"
        if builders == f"{seed['package']}/{seed['file']}":  # the seed's builder followed
            assert seed["torch"]["message"] in here[0].message
        else:  # a file of blocks, followed through the first builder of an importer
            assert re.search(r"running_mean should contain \d+ elements not \d+", here[0].message)
