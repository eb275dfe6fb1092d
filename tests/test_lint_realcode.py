"""Static lint on released model code: torchvision's and timm's installed model trees
(read, never imported). No error finding on the unmodified trees, and the builders are
followed: every public builder a model, on the input its first layer allows.

The seeded-bug corpus (tests/test_lint_seeds.py, benchmarks/score_lint_real.py) measures
what lint finds when one line of these trees is wrong.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from convshape.features.lint.config import Config
from convshape.features.lint.static import Followed, LintRun, lint_paths
from tests.realcode import TIMM, TORCHVISION

pytestmark = pytest.mark.skipif(
    TORCHVISION is None or TIMM is None, reason="torchvision and timm (the test extra)"
)


@pytest.fixture(scope="module")
def run() -> LintRun:
    assert TORCHVISION is not None and TIMM is not None
    trees = [TORCHVISION / "models", TORCHVISION / "ops", TIMM / "models", TIMM / "layers"]
    return lint_paths([str(t) for t in trees], Config(root=Path.cwd()))


def test_no_error_finding_on_the_unmodified_trees(run: LintRun) -> None:
    errors = [f"{f.path}:{f.line}: {f.code}" for f in run.findings if f.severity == "error"]
    assert errors == []


def test_torchvision_builders_are_followed(run: LintRun) -> None:
    followed: list[Followed] = run.followed
    by_name = {(Path(m.path).name, m.model): m for m in followed}
    # builders whose names appear in their weights' URLs, decorated with register_model and
    # handle_legacy_interface, building through helpers of other files (Conv2dNormActivation)
    for file, builder in [
        ("resnet.py", "resnet18"),
        ("resnet.py", "resnet50"),
        ("vgg.py", "vgg16"),
        ("mobilenetv2.py", "mobilenet_v2"),
        ("densenet.py", "densenet121"),
        ("convnext.py", "convnext_tiny"),
        ("efficientnet.py", "efficientnet_b0"),
        ("squeezenet.py", "squeezenet1_0"),
        ("shufflenetv2.py", "shufflenet_v2_x1_0"),
        ("mnasnet.py", "mnasnet0_5"),
    ]:
        model = by_name[(file, builder)]
        assert model.how == "assumed" and model.input == (1, None, None, None), (file, builder)
