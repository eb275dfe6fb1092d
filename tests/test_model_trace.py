"""``calc --file`` on whole model files (features/model_trace.py), against torch.

Every expectation comes from torch: the same source is built in torch (the tutorial's
``Net`` from this file's text, torchvision's builders from the installed package) and run
with forward hooks; the trace read from the source without torch must give each module's
output shape, the model's output shape and its parameter count as torch does.
"""

from __future__ import annotations

import importlib
import json
import types
from collections import defaultdict
from typing import Any

import pytest
from click.testing import CliRunner

from convshape.cli.app import cli
from convshape.core.errors import UsageError
from convshape.features.model_trace import ModelTrace, model_target, trace_model
from tests.realcode import TIMM, TORCHVISION, import_torchvision, torch_leaf_outputs

# The CIFAR-10 classifier of PyTorch's tutorial "Training a Classifier", copied as written
# (https://pytorch.org/tutorials/beginner/blitz/cifar10_tutorial.html, section 2 "Define a
# Convolutional Neural Network").
TUTORIAL = """\
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1) # flatten all dimensions except batch
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x


net = Net()
"""
# the tutorial's file imports torch in its first cell
TUTORIAL_FILE = "import torch\n" + TUTORIAL

# Models written the ways people write them: a residual block with a 1x1 projection, a
# concatenation of branches, a helper building layers, a class that needs arguments.
BLOCKS = """\
import torch
import torch.nn as nn


def conv_bn(cin, cout, stride=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU()
    )


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.body = conv_bn(cin, cout, stride)
        self.skip = nn.Conv2d(cin, cout, 1, stride) if stride != 1 or cin != cout else None

    def forward(self, x):
        y = self.body(x)
        return y + (x if self.skip is None else self.skip(x))


class Split(nn.Module):
    def __init__(self, cin, widths=(8, 16)):
        super().__init__()
        self.branches = nn.ModuleList([nn.Conv2d(cin, w, 1) for w in widths])
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.head = nn.Linear(sum(widths), 5)

    def forward(self, x):
        x = torch.cat([b(x) for b in self.branches], dim=1)
        return self.head(torch.flatten(self.pool(x), 1))


class Model(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.stem = conv_bn(3, width)
        self.blocks = nn.Sequential(Block(width, width, 1), Block(width, 2 * width, 2))
        self.top = Split(2 * width)

    def forward(self, x):
        return self.top(self.blocks(self.stem(x)))


def build():
    return Model(width=8)
"""

# torchvision's builders, read from the installed package's source: (file, call, input)
BUILDERS = [
    ("resnet", "resnet18()", (1, 3, 224, 224)),
    ("resnet", "resnet50()", (2, 3, 224, 224)),
    ("resnet", "ResNet(BasicBlock, [1, 1, 1, 1], num_classes=7)", (1, 3, 64, 64)),
    ("alexnet", "alexnet()", (1, 3, 224, 224)),
    ("squeezenet", "squeezenet1_0()", (1, 3, 224, 224)),
    ("squeezenet", "squeezenet1_1(num_classes=10)", (1, 3, 224, 224)),
    ("shufflenetv2", "shufflenet_v2_x1_0()", (1, 3, 224, 224)),
    ("mnasnet", "mnasnet0_5()", (1, 3, 224, 224)),
    ("googlenet", "googlenet()", (1, 3, 224, 224)),
    ("inception", "inception_v3()", (1, 3, 299, 299)),
    ("vgg", "vgg11()", (1, 3, 224, 224)),
    ("vgg", "vgg16_bn()", (1, 3, 224, 224)),
    ("densenet", "densenet121()", (1, 3, 224, 224)),
    ("mobilenetv2", "mobilenet_v2()", (1, 3, 224, 224)),
    ("mobilenetv3", "mobilenet_v3_small()", (1, 3, 224, 224)),
    ("convnext", "convnext_tiny()", (1, 3, 224, 224)),
    ("efficientnet", "efficientnet_b0()", (1, 3, 224, 224)),
    ("regnet", "regnet_y_400mf()", (1, 3, 224, 224)),
    ("resnet", "resnext50_32x4d()", (1, 3, 224, 224)),
    ("vision_transformer", "vit_b_16()", (1, 3, 224, 224)),
    ("vision_transformer", "vit_b_32(image_size=96)", (2, 3, 96, 96)),
]


def _torch() -> Any:
    return pytest.importorskip("torch")


WITH_CHILDREN = {"nn.MultiheadAttention"}


def _compare(trace: ModelTrace, expected: dict[str, Any]) -> None:
    assert trace.followed, trace.reason
    assert trace.output == expected["output"]
    assert trace.params == expected["params"]
    got: dict[str, list[Any]] = defaultdict(list)
    for step in trace.steps:
        # torch's attention holds its output projection as a child: not a leaf for hooks
        if step.kind in ("layer", "module") and step.path and step.type not in WITH_CHILDREN:
            got[step.path].append(step.output)
    assert dict(got) == expected["calls"]


def _torch_module(source: str) -> types.ModuleType:
    """The test's own model source, run in torch (the oracle side only)."""
    module = types.ModuleType("convshape_test_model")
    exec(compile(source, "<model>", "exec"), module.__dict__)
    return module


def test_tutorial_net_against_torch() -> None:
    expected = torch_leaf_outputs(_torch_module(TUTORIAL_FILE).Net(), (4, 3, 32, 32), "cpu")
    trace = trace_model(TUTORIAL_FILE, "Net", (4, 3, 32, 32), path="tutorial.py")
    _compare(trace, expected)
    assert trace.ok and expected["params"] == 62006
    by_path = {s.path: s for s in trace.steps if s.kind == "layer"}
    assert by_path["conv1"].where == "tutorial.py:9" and by_path["conv1"].type == "nn.Conv2d"
    assert [s.type for s in trace.steps if s.kind == "op"][:2] == ["F.relu", "F.relu"]
    # the receptive field of conv2's output: 5x5 kernel after a 2x2/2 pool after a 5x5
    assert by_path["conv2"].fields[0].size == 14


def test_blocks_against_torch() -> None:
    expected = torch_leaf_outputs(_torch_module(BLOCKS).build(), (2, 3, 32, 32), "cpu")
    trace = trace_model(BLOCKS, "build", (2, 3, 32, 32), path="blocks.py")
    _compare(trace, expected)
    add = next(s for s in trace.steps if s.type == "add")
    assert [trace.steps[i].path for i in add.sources if i is not None] == [
        "blocks.0.body.2",
        "stem.2",
    ]
    cat = next(s for s in trace.steps if s.type == "torch.cat")
    assert [trace.steps[i].path for i in cat.sources if i is not None] == [
        "top.branches.0",
        "top.branches.1",
    ]
    assert cat.output == (2, 24, 16, 16)


CPU_ONLY = {"regnet_y_400mf()"}  # its builder computes with tensor values: not on meta

# What the interpreter does not follow yet (the test shows when it does: XPASS)
NOT_YET: dict[str, str] = {}


@pytest.mark.parametrize(
    ("file", "call", "shape"),
    [
        pytest.param(*b, marks=pytest.mark.xfail(reason=NOT_YET[b[1]], strict=False))
        if b[1] in NOT_YET
        else b
        for b in BUILDERS
    ],
    ids=[b[1] for b in BUILDERS],
)
def test_torchvision_builders_against_torch(file: str, call: str, shape: tuple[int, ...]) -> None:
    torch = _torch()
    assert TORCHVISION is not None
    path = TORCHVISION / "models" / f"{file}.py"
    trace = trace_model(path.read_text(encoding="utf-8"), call, shape, path=str(path))
    import_torchvision()
    module = importlib.import_module(f"torchvision.models.{file}")
    device = "cpu" if call in CPU_ONLY else "meta"
    with torch.device(device):
        # the oracle side: torch's own model, built by the same call in its module
        model = eval(call, dict(vars(module)))
    _compare(trace, torch_leaf_outputs(model, shape, device))


def test_seeded_linear_bug_reports_torch_message_and_fix() -> None:
    torch = _torch()
    source = TUTORIAL_FILE.replace("nn.Linear(16 * 5 * 5, 120)", "nn.Linear(16 * 4 * 4, 120)")
    trace = trace_model(source, "Net", (4, 3, 32, 32))
    failed = trace.failed
    assert failed is not None and failed.path == "fc1" and failed.error is not None
    with pytest.raises(RuntimeError) as info:
        _torch_module(source).Net()(torch.empty(4, 3, 32, 32))
    assert failed.error.message == str(info.value)
    assert failed.advice is not None and any("400" in fix for fix in failed.advice.fixes)


def test_seeded_constructor_bug_is_the_build_error() -> None:
    _torch()
    source = TUTORIAL_FILE.replace("nn.Conv2d(6, 16, 5)", "nn.Conv2d(6, 16, 5, groups=4)")
    trace = trace_model(source, "Net", (4, 3, 32, 32))
    assert trace.build_error is not None
    module, err, _advice = trace.build_error
    with pytest.raises(ValueError) as info:
        _torch_module(source).Net()
    assert module.path == "conv2" and err.message == str(info.value)


def test_model_target() -> None:
    assert model_target(TUTORIAL_FILE, None) == "Net"
    assert model_target(TUTORIAL_FILE, "net") == "net"
    assert model_target(TUTORIAL_FILE, "Net()") == "Net()"
    assert model_target("model = nn.Sequential(nn.ReLU())", None) is None
    assert model_target("model = nn.Sequential(nn.ReLU())", "model") is None
    assert model_target(BLOCKS, "self.stem") is None
    with pytest.raises(UsageError, match="defines 2 models"):
        model_target(BLOCKS.replace("self.top = Split(2 * width)", "self.top = None"), None)


def test_target_errors() -> None:
    with pytest.raises(UsageError, match=r"Block needs arguments: Block\(cin, cout, stride\)"):
        trace_model(BLOCKS, "Block", (1, 3, 8, 8))
    with pytest.raises(UsageError, match="defines no 'Resnet'"):
        trace_model(BLOCKS, "Resnet()", (1, 3, 8, 8))


def test_cli_table_json_and_stdin(tmp_path: Any) -> None:
    path = tmp_path / "tutorial.py"
    path.write_text(TUTORIAL_FILE)
    runner = CliRunner()
    out = runner.invoke(
        cli, ["calc", "--file", str(path), "-i", "4,3,32,32"], env={"COLUMNS": "80"}
    )
    assert out.exit_code == 0, out.output
    assert "fc1" in out.output and "62,006" in out.output and "tutorial.py:12" in out.output
    assert max(len(line) for line in out.output.splitlines()) <= 80
    out = runner.invoke(cli, ["calc", "-", "--variable", "Net()", "-i", "4,3,32,32", "--json"],
                        input=TUTORIAL_FILE)  # fmt: skip
    doc = json.loads(out.output)
    assert doc["schema"] == "convshape.model/1" and doc["output"] == [4, 10]
    assert doc["params"] == 62006 and doc["ok"] and doc["followed"]
    assert [s["path"] for s in doc["steps"] if s["kind"] == "layer"][:3] == [
        "conv1",
        "pool",
        "conv2",
    ]
    seeded = TUTORIAL_FILE.replace("nn.Linear(16 * 5 * 5, 120)", "nn.Linear(16 * 4 * 4, 120)")
    out = runner.invoke(cli, ["calc", "-", "-i", "1,3,32,32", "--json"], input=seeded)
    doc = json.loads(out.output)
    assert out.exit_code == 1 and not doc["ok"] and doc["steps"][doc["failed"]]["path"] == "fc1"
    assert doc["steps"][doc["failed"]]["error"]["code"] == "CS801"
    out = runner.invoke(cli, ["calc", "--file", str(path), "--variable", "Nett", "-i", "1,3,32,32"])
    assert out.exit_code == 2 and out.output.count("\n") == 1 and "Nett" in out.output


# Static and model mode on the same models: every module's output shape, per call
AGREE = [
    ("resnet", "resnet18", (1, 3, 224, 224)),
    ("densenet", "densenet121", (1, 3, 224, 224)),
    ("mobilenetv2", "mobilenet_v2", (1, 3, 224, 224)),
    ("shufflenetv2", "shufflenet_v2_x1_0", (1, 3, 224, 224)),
    ("squeezenet", "squeezenet1_1", (1, 3, 224, 224)),
    ("vgg", "vgg11_bn", (1, 3, 224, 224)),
    ("mnasnet", "mnasnet0_75", (1, 3, 224, 224)),
]


def _model_mode(factory: str, shape: tuple[int, ...], root: Any) -> dict[str, Any]:
    from convshape.features.lint.config import ModelSpec
    from convshape.features.lint.model import run_model

    report = run_model(ModelSpec(factory, (shape,)), root)
    assert report.analysed and not report.findings
    calls: dict[str, list[Any]] = defaultdict(list)
    for row in report.layers:
        if row.leaf:
            calls[row.path].append(row.outputs[0] if len(row.outputs) == 1 else row.outputs)
    assert report.output is not None
    return {"calls": dict(calls), "output": report.output[0], "params": report.params}


@pytest.mark.parametrize(("file", "builder", "shape"), AGREE, ids=[a[1] for a in AGREE])
def test_static_and_model_mode_agree_on_torchvision(
    file: str, builder: str, shape: tuple[int, ...], tmp_path: Any
) -> None:
    _torch()
    import_torchvision()
    assert TORCHVISION is not None
    path = TORCHVISION / "models" / f"{file}.py"
    trace = trace_model(path.read_text(encoding="utf-8"), f"{builder}()", shape, path=str(path))
    _compare(trace, _model_mode(f"torchvision.models.{file}:{builder}", shape, tmp_path))


@pytest.mark.parametrize(
    ("source", "factory", "shape"),
    [(TUTORIAL_FILE, "Net", (4, 3, 32, 32)), (BLOCKS, "build", (2, 3, 32, 32))],
    ids=["tutorial", "blocks"],
)
def test_static_and_model_mode_agree_on_files(
    source: str, factory: str, shape: tuple[int, ...], tmp_path: Any, monkeypatch: Any
) -> None:
    _torch()
    name = f"convshape_agree_{factory.lower()}"
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    trace = trace_model(source, factory, shape, path=f"{name}.py")
    _compare(trace, _model_mode(f"{name}:{factory}", shape, tmp_path))


def test_seeded_bug_in_a_helper_names_the_line_to_fix() -> None:
    """A wrong in_channels passed to torchvision's conv3x3 helper: the failing module, its
    path, torch's message, and static lint's line to fix (the call that passed it)."""
    torch = _torch()
    import_torchvision()
    assert TORCHVISION is not None
    path = TORCHVISION / "models" / "resnet.py"
    good = "        self.conv2 = conv3x3(planes, planes)\n"
    source = path.read_text(encoding="utf-8")
    seeded = source.replace(good, good.replace("(planes,", "(inplanes,"), 1)
    line = source[: source.index(good)].count("\n") + 1
    trace = trace_model(seeded, "resnet18()", (1, 3, 64, 64), path=str(path))
    failed = trace.failed
    assert failed is not None and failed.path == "layer2.0.conv2" and failed.error is not None
    assert failed.finding is not None and failed.finding.line == line
    module = types.ModuleType("torchvision.models._convshape_seeded")
    module.__package__ = "torchvision.models"
    registry = importlib.import_module("torchvision.models._api").BUILTIN_MODELS
    saved = dict(registry)
    registry.clear()  # the seeded file registers its builders again
    try:
        exec(compile(seeded, str(path), "exec"), module.__dict__)
    finally:
        registry.clear()
        registry.update(saved)
    with pytest.raises(RuntimeError) as info:
        module.resnet18()(torch.empty(1, 3, 64, 64))
    assert failed.error.message == str(info.value)
    out = CliRunner().invoke(
        cli,
        ["calc", "-", "--variable", "resnet18()", "-i", "1,3,64,64"],
        input=TUTORIAL_FILE.replace("class Net", "class Unused"),
    )
    assert out.exit_code == 2  # stdin without the builder: a usage error, one line


# timm's builders read from its installed source (timm's own registry and
# build_model_with_cfg around the model class)
TIMM_BUILDERS = [
    ("resnet", "resnet18()", (1, 3, 224, 224)),
    ("resnet", "resnet50()", (1, 3, 160, 160)),
    ("vgg", "vgg11()", (1, 3, 224, 224)),
    # arch strings decoded into blocks, norm-act layers (BatchNormAct2d, LayerNorm2d)
    ("efficientnet", "efficientnet_b0()", (1, 3, 64, 64)),
]


@pytest.mark.parametrize(
    ("file", "call", "shape"), TIMM_BUILDERS, ids=[f"timm-{b[1]}" for b in TIMM_BUILDERS]
)
def test_timm_builders_against_torch(file: str, call: str, shape: tuple[int, ...]) -> None:
    torch = _torch()
    assert TIMM is not None
    path = TIMM / "models" / f"{file}.py"
    trace = trace_model(path.read_text(encoding="utf-8"), call, shape, path=str(path))
    import_torchvision()  # timm imports torchvision
    module = importlib.import_module(f"timm.models.{file}")
    with torch.device("meta"):
        model = eval(call, dict(vars(module)))
    _compare(trace, torch_leaf_outputs(model, shape, "meta"))


def test_timm_convnext_output_and_parameters_against_torch() -> None:
    """timm's ConvNeXt (LayerNorm2d, a torch layer's subclass with its own forward): the
    output and parameters are torch's. Its blocks' ``drop_path`` is DropPath or Identity
    by rates computed with ``torch.linspace``, which the interpreter leaves unknown: those
    modules are not in the trace, so the layers are not compared one by one."""
    torch = _torch()
    assert TIMM is not None
    path = TIMM / "models" / "convnext.py"
    shape = (1, 3, 64, 64)
    trace = trace_model(path.read_text(encoding="utf-8"), "convnext_atto()", shape, path=str(path))
    import_torchvision()
    module = importlib.import_module("timm.models.convnext")
    with torch.device("meta"):
        model = module.convnext_atto()
    expected = torch_leaf_outputs(model, shape, "meta")
    assert trace.followed, trace.reason
    assert (trace.output, trace.params) == (expected["output"], expected["params"])
    assert trace.output == (1, 1000)


SCALED = """\
import os
import torch
import torch.nn as nn


class Scaled(nn.Module):
    def __init__(self, width=16):
        super().__init__()
        self.conv = nn.Conv2d(3, width, 3)
        self.scale = nn.Parameter(torch.ones(width, 1, 1) * 1e-6)
        self.register_buffer("shift", torch.zeros(width, 1, 1))

    def forward(self, x):
        return self.conv(x) * self.scale + self.shift


class Unsized(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.scale = nn.Parameter(torch.ones(int(os.environ["WIDTH"])))

    def forward(self, x):
        return self.conv(x)
"""


def test_parameters_held_by_a_module_count() -> None:
    expected = torch_leaf_outputs(_torch_module(SCALED).Scaled(), (2, 3, 8, 8), "cpu")
    trace = trace_model(SCALED, "Scaled", (2, 3, 8, 8))
    _compare(trace, expected)
    # a parameter whose size the source does not fix: the total is unknown, not too small
    unsized = trace_model(SCALED, "Unsized", (2, 3, 8, 8))
    assert unsized.output == (2, 4, 6, 6) and unsized.params is None
