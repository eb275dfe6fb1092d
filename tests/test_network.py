"""Whole stacks (convshape.network) against CPU torch.

Each stack is PyTorch code. convshape reads it with ``ast``; the test builds the same
nn.Sequential in torch from the same text, runs it with a forward hook on every leaf
module and compares every layer's output shape, the first failure's exception type and
message, the parameter counts (``sum(p.numel())``), the multiply-accumulates (against
torch's FlopCounterMode) and the receptive fields (against the input gradient of one
output position, measured in torch).
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from collections import OrderedDict
from typing import Any

import pytest
from click.testing import CliRunner

from convshape.cli.app import cli
from convshape.core.errors import UsageError
from convshape.features import network as N

torch = pytest.importorskip("torch")
nn = torch.nn

# (code, input shape)
STACKS: list[tuple[str, tuple[int, ...]]] = [
    (
        """nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
            nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, stride=2, padding=1), nn.ReLU(),
            nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(32, 10),
        )""",
        (2, 3, 32, 32),
    ),
    (  # the classic: the Linear after the convs is wrong
        """nn.Sequential(
            nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Flatten(), nn.Linear(16 * 4 * 4, 120), nn.ReLU(), nn.Linear(120, 10),
        )""",
        (4, 3, 32, 32),
    ),
    (
        """nn.Sequential(OrderedDict([
            ("pad", nn.ReflectionPad2d((1, 2, 0, 1))),
            ("conv", nn.Conv2d(4, 8, 3, dilation=2, padding_mode="circular", padding=1)),
            ("norm", nn.GroupNorm(4, 8)),
            ("act", nn.GELU()),
            ("shuffle", nn.PixelShuffle(2)),
            ("unshuffle", nn.PixelUnshuffle(2)),
            ("up", nn.Upsample(scale_factor=2)),
            ("head", nn.Sequential(nn.Conv2d(8, 2, 1), nn.Softmax(dim=1))),
        ]))""",
        (2, 4, 12, 10),
    ),
    (
        """nn.Sequential(
            *[nn.Conv1d(2, 4, 3, stride=2), nn.InstanceNorm1d(4, affine=True), nn.ELU()],
            nn.ConvTranspose1d(4, 2, 4, stride=2, padding=1),
            nn.ConstantPad1d((2, -1), 0.5), nn.LayerNorm(21), nn.Identity(),
        )""",
        (3, 2, 21),
    ),
    (
        """nn.Sequential(
            nn.Conv3d(1, 4, 3, padding=1), nn.BatchNorm3d(4), nn.LeakyReLU(0.1),
            nn.MaxPool3d(2), nn.ReplicationPad3d(1), nn.Conv3d(4, 4, (3, 1, 3)),
            nn.Dropout3d(), nn.Upsample(size=(5, 6, 7), mode="trilinear"),
            nn.Flatten(2), nn.Unflatten(2, (5, 42)),
        )""",
        (2, 1, 8, 8, 6),
    ),
    (  # unbatched input
        """nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten(0),
            nn.LazyLinear(5))""",
        (3, 10, 10),
    ),
    (  # BatchNorm in training mode with one value per channel
        "nn.Sequential(nn.Conv2d(3, 8, 3), nn.AdaptiveMaxPool2d(1), nn.BatchNorm2d(8))",
        (1, 3, 8, 8),
    ),
    (  # a BatchNorm built for the wrong channel count
        "nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(16), nn.ReLU())",
        (2, 3, 8, 8),
    ),
    (  # a 1d norm after a 2d conv
        "nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm1d(8))",
        (2, 3, 8, 8),
    ),
    (  # the kernel outgrows the shrinking input
        "nn.Sequential(nn.Conv2d(1, 4, 5), nn.MaxPool2d(2), nn.Conv2d(4, 4, 5))",
        (1, 1, 12, 12),
    ),
    (  # a constructor error: torch raises while building, before any forward
        "nn.Sequential(nn.Conv2d(4, 8, 3), nn.Dropout(1.5), nn.Conv2d(8, 6, 3, groups=4))",
        (1, 4, 8, 8),
    ),
    (  # channels mismatch in the middle
        "nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(16, 8, 3))",
        (2, 3, 9, 9),
    ),
    (  # pixel shuffle of the wrong channel count, after upsampling bilinear
        """nn.Sequential(nn.Upsample(scale_factor=1.5, mode="bilinear", align_corners=True),
            nn.Conv2d(2, 6, 1), nn.PixelShuffle(2))""",
        (1, 2, 5, 5),
    ),
]


def _build(code: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return eval(code, {"nn": nn, "OrderedDict": OrderedDict})  # the test's own code


def _leaves(model: Any) -> list[tuple[str, Any]]:
    return [(n, m) for n, m in model.named_modules() if not list(m.children()) and n]


def _run(code: str, shape: tuple[int, ...]) -> tuple[Any, list[tuple[str, tuple[int, ...]]], Any]:
    """The built model (or None), each leaf's (name, output shape) in order, the error."""
    try:
        model = _build(code)
    except Exception as exc:  # torch's constructor error is the expectation
        return None, [], (type(exc).__name__, str(exc))
    seen: list[tuple[str, tuple[int, ...]]] = []
    for name, module in _leaves(model):
        module.register_forward_hook(lambda m, i, o, name=name: seen.append((name, tuple(o.shape))))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model(torch.empty(shape))
    except Exception as exc:  # torch's error is the expectation
        return model, seen, (type(exc).__name__, str(exc))
    return model, seen, None


@pytest.mark.torch
@pytest.mark.parametrize(("code", "shape"), STACKS)
def test_stack_agrees_with_torch(code: str, shape: tuple[int, ...]) -> None:
    layers = N.parse_stack(code)
    result = N.infer_stack(layers, shape)
    model, seen, error = _run(code, shape)
    if model is not None:
        assert [n for n, _ in _leaves(model)] == [layer.name for layer in layers]
    ran = [(r.name, r.output) for r in result.rows if r.output is not None]
    assert ran == seen
    failed = result.failed
    if error is None:
        assert failed is None and result.output == seen[-1][1]
        return
    assert failed is not None, f"torch raised {error}"
    assert failed.error is not None and failed.error.matches(*error), (error, failed.error)
    assert failed.advice is not None and failed.advice.explanation
    if model is not None:
        assert failed.index == len(seen)


@pytest.mark.torch
@pytest.mark.parametrize(("code", "shape"), STACKS)
def test_params_agree_with_torch(code: str, shape: tuple[int, ...]) -> None:
    layers = N.parse_stack(code)
    result = N.infer_stack(layers, shape)
    model, _seen, error = _run(code, shape)
    if model is None:
        return
    counts = dict(_leaves(model))
    for row in result.rows:
        module = counts[row.name]
        if isinstance(module, nn.LazyLinear) and row.output is None:
            continue  # never materialised
        assert row.params == sum(p.numel() for p in module.parameters()), row.name
    if error is None:
        assert result.params == sum(p.numel() for p in model.parameters())


@pytest.mark.torch
@pytest.mark.parametrize(("code", "shape"), [s for s in STACKS if s[1][0] > 1 or len(s[1]) > 3])
def test_macs_agree_with_flop_counter(code: str, shape: tuple[int, ...]) -> None:
    from torch.utils.flop_counter import FlopCounterMode

    result = N.infer_stack(N.parse_stack(code), shape)
    if not result.ok:
        return
    model = _build(code)
    counter = FlopCounterMode(display=False)
    with counter, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model(torch.empty(shape))
    assert 2 * result.macs == counter.get_total_flops()


def test_linear_fix_names_the_right_in_features() -> None:
    code = "nn.Sequential(nn.Conv2d(3, 8, 3), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(100, 10))"
    result = N.infer_stack(N.parse_stack(code), (1, 3, 32, 32))
    assert result.failed is not None and result.failed.advice is not None
    assert "nn.Linear(1800, 10)" in result.failed.advice.fixes[0]  # 8 * 15 * 15
    # without the Flatten, the fix says to flatten and how many features that gives
    code = "nn.Sequential(nn.Conv2d(3, 8, 3), nn.MaxPool2d(2), nn.Linear(100, 10))"
    result = N.infer_stack(N.parse_stack(code), (1, 3, 32, 32))
    assert result.failed is not None and result.failed.advice is not None
    assert any("nn.Linear(1800, 10)" in f and "Flatten" in f for f in result.failed.advice.fixes)


# -- receptive fields, measured with gradients -------------------------------------------

RF_STACKS: list[tuple[str, tuple[int, ...]]] = [
    (
        "nn.Sequential(nn.Conv2d(1, 2, 3), nn.Conv2d(2, 2, 3, stride=2), nn.Conv2d(2, 1, 3))",
        (1, 1, 40, 40),
    ),
    (
        """nn.Sequential(nn.Conv2d(1, 2, (7, 3), stride=(2, 1), padding=(3, 2)), nn.ReLU(),
            nn.MaxPool2d(3, stride=2, padding=1), nn.Conv2d(2, 2, 3, dilation=(2, 3), padding=1),
            nn.AvgPool2d(2), nn.ZeroPad2d((1, 0, 2, 3)), nn.Conv2d(2, 1, 5, stride=3))""",
        (1, 1, 240, 240),
    ),
    (
        """nn.Sequential(nn.Conv1d(1, 2, 4, stride=2, padding=1), nn.BatchNorm1d(2),
            nn.Conv1d(2, 2, 5, padding="same", dilation=2), nn.AvgPool1d(3, stride=2),
            nn.Conv1d(2, 1, 3, stride=3))""",
        (1, 1, 200),
    ),
    (
        "nn.Sequential(nn.Conv2d(1, 4, 3), nn.PixelUnshuffle(2), nn.Conv2d(16, 1, 3, stride=2))",
        (1, 1, 60, 60),
    ),
]


def _measure(model: Any, shape: tuple[int, ...], index: int, n: int) -> list[tuple[int, int]]:
    """(first, last) input position whose gradient is non-zero, per spatial axis, for the
    output at ``index`` on every spatial axis."""
    x = torch.ones(shape, dtype=torch.float64, requires_grad=True)
    y = model(x)
    y[(0, slice(None), *([index] * n))].sum().backward()
    grad = x.grad[0].abs().sum(0)
    spans = []
    for axis in range(n):
        others = tuple(a for a in range(n) if a != axis)
        hit = (grad.sum(others) if others else grad).nonzero().flatten().tolist()
        spans.append((hit[0], hit[-1]))
    return spans


def _linear_twin(model: Any) -> Any:
    """The same stack with weights 1, biases 0, eval mode and max pools as average pools:
    every tap in a window then carries gradient."""
    for name, module in list(model.named_modules()):
        if isinstance(module, nn.MaxPool2d | nn.MaxPool1d):
            avg = (nn.AvgPool2d if isinstance(module, nn.MaxPool2d) else nn.AvgPool1d)(
                module.kernel_size, module.stride, module.padding
            )
            parent, _, leaf = name.rpartition(".")
            setattr(model.get_submodule(parent) if parent else model, leaf, avg)
    with torch.no_grad():
        for p in model.parameters():
            p.fill_(1.0)
        for m in model.modules():
            if hasattr(m, "bias") and isinstance(m.bias, torch.Tensor):
                m.bias.zero_()
    return model.double().eval()


@pytest.mark.torch
@pytest.mark.parametrize(("code", "shape"), RF_STACKS)
def test_receptive_fields_match_gradients(code: str, shape: tuple[int, ...]) -> None:
    result = N.infer_stack(N.parse_stack(code), shape)
    assert result.ok
    last = result.rows[-1]
    n = len(last.fields)
    assert n == len(shape) - 2
    model = _linear_twin(_build(code))
    assert last.output is not None
    i = min(last.output[2:]) // 2 - 1
    here, there = _measure(model, shape, i, n), _measure(model, shape, i + 1, n)
    for f, (lo, hi), (lo2, _) in zip(last.fields, here, there, strict=True):
        assert hi - lo + 1 == f.size, f
        assert lo2 - lo == f.jump, f
        assert (lo + hi) / 2 - i * f.jump == f.start, f


# -- parsing ------------------------------------------------------------------------------

FILE = """
import torch.nn as nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2),
            nn.ReLU(inplace=True),
            nn.MaxPool2d(kernel_size=3, stride=2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(256 * 6 * 6, 10))

    def forward(self, x):
        return self.classifier(self.features(x))
"""


def test_parse_forms() -> None:
    rows = N.parse_stack("nn.Conv2d(3, 8, 3)\nnn.ReLU()\nconv2 = nn.Conv2d(8, 8, 1)")
    assert [r.name for r in rows] == ["0", "1", "conv2"]
    assert [r.line for r in rows] == [1, 2, 3]
    rows = N.parse_stack("nn.Conv2d(3, 8, 3), torch.nn.ReLU(), nn.Flatten()")
    assert [r.code for r in rows] == ["nn.Conv2d(3, 8, 3)", "torch.nn.ReLU()", "nn.Flatten()"]
    rows = N.parse_stack("model = nn.Sequential(nn.Sequential(nn.ReLU(), nn.Tanh()), nn.ReLU())")
    assert [r.name for r in rows] == ["0.0", "0.1", "1"]
    rows = N.parse_stack(FILE, "features")
    assert [r.name for r in rows] == ["0", "1", "2"]
    rows = N.parse_stack(FILE, "self.features,classifier")
    assert [r.name for r in rows][-2:] == ["classifier.0", "classifier.1"]
    assert rows[-1].spec == N.parse_stack("nn.Linear(9216, 10)")[0].spec


@pytest.mark.parametrize(
    ("code", "variable", "needle"),
    [
        (
            "nn.Sequential(nn.Conv2d(3, 8, 3), nn.Transformer())",
            None,
            "unknown layer 'nn.Transformer'",
        ),
        ("nn.Sequential(nn.Conv2d(3, 8, 3), nn.Relu())", None, "did you mean 'ReLU'"),
        ("nn.Sequential(nn.Linear(n, 4))", None, "does not evaluate 'n'"),
        ("nn.Sequential(*[nn.ReLU() for _ in range(3)])", None, "written out"),
        (FILE, None, "--variable features,classifier"),
        (FILE, "head", "no assignment to 'head'"),
        ("nn.Sequential(nn.Conv2d(3, 8, 3)", None, "could not parse"),
        ("", None, "no layers"),
        ("nn.Sequential(nn.Unflatten(1, (-1, -1)))", None, "one -1"),
        ("nn.Sequential(nn.Linear(2, 3, foo=1))", None, "unexpected keyword argument 'foo'"),
        ("nn.Sequential(nn.Dropout(p='x'))", None, "must be a number"),
    ],
)
def test_parse_errors_are_one_line(code: str, variable: str | None, needle: str) -> None:
    with pytest.raises(UsageError) as info:
        N.parse_stack(code, variable)
    assert needle in str(info.value)
    assert "\n" not in str(info.value)


# -- the command line ---------------------------------------------------------------------


def test_calc_stack_table_and_json(tmp_path: Any) -> None:
    runner = CliRunner()
    code = STACKS[1][0]
    out = runner.invoke(cli, ["calc", code, "--input", "4,3,28,28"])
    assert out.exit_code == 0, out.output
    assert "(4, 10)" in out.output and "total" in out.output
    out = runner.invoke(cli, ["calc", code, "--input", "4,3,32,32", "--json"])
    assert out.exit_code == 1
    doc = json.loads(out.output)
    assert doc["schema"] == "convshape.stack/1" and doc["failed"] == 7
    bad = doc["layers"][7]
    assert bad["error"]["code"] == "CS801" and "nn.Linear(400, 120)" in bad["error"]["fixes"][0]
    assert doc["layers"][0]["fields"][0] == {
        "axis": "H",
        "receptive_field": 5,
        "jump": 1,
        "start": 2,
    }
    path = tmp_path / "model.py"
    path.write_text(FILE)
    out = runner.invoke(
        cli, ["calc", "--file", str(path), "--variable", "features", "-i", "1,3,224,224"]
    )
    assert out.exit_code == 0 and "(1, 64, 27, 27)" in out.output
    out = runner.invoke(cli, ["calc", "-", "-i", "2,4"], input="nn.Linear(4, 3)\nnn.ReLU()\n")
    assert out.exit_code == 0 and "(2, 3)" in out.output
    out = runner.invoke(cli, ["calc", "nn.Linear(4, 3)", "-i", "2,5"])
    assert out.exit_code == 1 and "mat1 and mat2" in out.output


@pytest.mark.parametrize(
    "args",
    [
        ["calc", "nn.Sequential(nn.Foo())", "-i", "1,2"],
        ["calc", "nn.ReLU()", "--variable", "net", "-i", "1,2"],
        ["calc", "--file", "/nonexistent/model.py", "-i", "1,2"],
        ["calc", "nn.ReLU(), nn.ReLU()", "-i", "1,2", "--kernel", "3"],
        ["calc", "nn.ReLU(), nn.ReLU()", "-i", "1,x"],
    ],
)
def test_calc_stack_usage_errors(args: list[str]) -> None:
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output and out.output.count("\n") == 1


def test_stacks_never_import_torch() -> None:
    script = (
        "import sys\n"
        "from convshape.cli import main\n"
        "sys.argv = ['convshape', 'calc', 'nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8, 2)',"
        " '-i', '1,3,3,3', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "import convshape.features.solve, convshape.features.network, convshape.ops.norm\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["ok"] is True


@pytest.mark.torch
def test_eval_mode() -> None:
    code, shape = STACKS[6]  # BatchNorm with one value per channel: fails only in training
    assert not N.infer_stack(N.parse_stack(code), shape).ok
    result = N.infer_stack(N.parse_stack(code), shape, training=False)
    model = _build(code).eval()
    with torch.no_grad():
        assert result.output == tuple(model(torch.empty(shape)).shape)
    shape_text = ",".join(map(str, shape))
    out = CliRunner().invoke(cli, ["calc", code, "-i", shape_text, "--eval"])
    assert out.exit_code == 0, out.output
