"""Model mode: real nn.Modules built on the meta device and run with hooks.

Every shape the report gives is compared with the same model run on CPU torch; failures
are compared with the exception CPU torch raises.
"""

from __future__ import annotations

import json
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from convshape.cli.app import cli

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch

MODELS = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, width=16, fc_in=16 * 8 * 8):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, width, 3, padding=1),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Linear(fc_in, 10)

    def forward(self, x):
        x = self.features(x)
        return self.classifier(torch.flatten(x, 1))


def good():
    return Net()


def bad_linear():
    return Net(fc_in=1000)


def bad_groups():
    return nn.Sequential(nn.Conv2d(3, 8, 3, groups=2))


class Counts(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        y = self.conv(x)
        return torch.bincount(y.flatten().long())


class DataDependent(nn.Module):
    def forward(self, x):
        n = int(x.sum().item())
        return x[:, :n]


def counts():
    return Counts()


def data_dependent():
    return DataDependent()


class Broadcast(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return self.a(x) + x


def broadcast():
    return Broadcast()


def two_inputs():
    return nn.Bilinear(4, 5, 6)


def not_a_module():
    return 42


class Indices(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)
        self.pool = nn.MaxPool2d(2, return_indices=True)
        self.head = nn.Sequential(nn.Flatten(), nn.Linear(4 * 7 * 7, 5))

    def forward(self, x):
        y, _ = self.pool(self.conv(x))
        return self.head(y)


def indices():
    return Indices()


def exits():
    import sys

    sys.exit(0)


class ExitsInForward(nn.Module):
    def forward(self, x):
        raise SystemExit(3)


def exits_in_forward():
    return ExitsInForward()


class Cat(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return torch.cat([self.a(x), x], 1)


def cat():
    return Cat()
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    (tmp_path / "zoo").mkdir()
    (tmp_path / "zoo" / "__init__.py").write_text("")
    (tmp_path / "zoo" / "models.py").write_text(MODELS)
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))  # for the tests' own imports of zoo
    yield tmp_path
    for name in [m for m in sys.modules if m == "zoo" or m.startswith("zoo.")]:
        del sys.modules[name]


def lint(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lint", *args])
    return result.exit_code, result.output


def lint_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out = lint(*args, "--output-format", "json")
    return code, json.loads(out)


def _cpu_rows(model: Any, *shapes: tuple[int, ...]) -> list[tuple[str, str, list[list[int]]]]:
    """Every module call's output shapes, on CPU (the ground truth)."""
    names = {id(m): n for n, m in model.named_modules()}
    rows: list[tuple[str, str, list[list[int]]]] = []

    def hook(module: Any, args: Any, out: Any) -> None:
        rows.append((names[id(module)], type(module).__name__, [list(out.shape)]))

    for m in model.modules():
        m.register_forward_hook(hook)
    with torch.no_grad():
        model(*[torch.randn(s) for s in shapes])
    return rows


def test_every_layer_shape_matches_cpu(project: Path) -> None:
    code, doc = lint_json("--model", "zoo.models:good", "--input", "2,3,16,16")
    assert code == 0
    (report,) = doc["models"]
    assert report["output"] == [[2, 10]]
    got = sorted((r["path"], r["class"], r["output"]) for r in report["layers"])
    from zoo.models import good  # type: ignore[import-not-found]

    assert got == sorted(_cpu_rows(good(), (2, 3, 16, 16)))
    locations = {r["path"]: r["location"] for r in report["layers"]}
    assert locations["features.0"] == "zoo/models.py:9:13"  # nn.Conv2d(3, width, 3, ...)
    assert locations["classifier"] == "zoo/models.py:14:27"
    assert locations[""] == "zoo/models.py:22:12"  # return Net()


def test_text_report_lists_layers(project: Path) -> None:
    code, out = lint("--model", "zoo.models:good", "--input", "2,3,16,16")
    assert code == 0
    assert "features.3" in out and "MaxPool2d" in out and "(2,16,8,8)" in out
    assert out.splitlines()[-1] == "All checks passed (1 model)."


def test_shape_error_names_the_layer(project: Path) -> None:
    code, doc = lint_json("--model", "zoo.models:bad_linear", "--input", "2,3,16,16")
    assert code == 1
    (finding,) = doc["findings"]
    assert (finding["path"], finding["line"], finding["column"]) == ("zoo/models.py", 14, 27)
    assert finding["code"] == "CS801"
    from zoo.models import bad_linear

    with pytest.raises(RuntimeError) as cpu:
        bad_linear()(torch.randn(2, 3, 16, 16))
    message = finding["message"]
    assert message.startswith("classifier (Linear) on input (2, 1024): ")
    assert f"RuntimeError: {cpu.value}" in message  # CPU torch's words, not the meta kernel's
    assert any("nn.Linear(1024, 10)" in fix for fix in finding["fixes"])


def test_construction_error(project: Path) -> None:
    code, doc = lint_json("--model", "zoo.models:bad_groups", "--input", "1,3,8,8")
    assert code == 1
    (finding,) = doc["findings"]
    assert (finding["line"], finding["code"]) == (30, "CS702")
    assert "ValueError: in_channels must be divisible by groups" in finding["message"]


@pytest.mark.parametrize("factory", ["counts", "data_dependent"])
def test_ops_that_cannot_run_on_meta_are_not_shape_errors(project: Path, factory: str) -> None:
    code, doc = lint_json("--model", f"zoo.models:{factory}", "--input", "1,3,8,8")
    assert code == 0  # "could not analyse" alone does not fail CI ...
    (finding,) = doc["findings"]
    assert finding["code"] == "CS902"
    assert finding["severity"] == "warning"
    assert finding["message"].startswith(f"could not analyse zoo.models:{factory}: ")
    assert "not a shape error" in finding["message"]
    # the layers before the op are still reported
    if factory == "counts":
        rows = {r["path"]: r["output"] for r in doc["models"][0]["layers"]}
        assert rows["conv"] == [[1, 4, 6, 6]]
    # ... unless it is selected by its code
    code, _ = lint_json(
        "--model", f"zoo.models:{factory}", "--input", "1,3,8,8", "--select", "CS902"
    )
    assert code == 1


@pytest.mark.parametrize(
    ("factory", "code", "text"),
    [("broadcast", "CS880", "return self.a(x) + x"), ("cat", "CS881", "return torch.cat(")],
)
def test_tensors_that_do_not_fit_are_worded_as_cpu_torch_words_them(
    project: Path, factory: str, code: str, text: str
) -> None:
    # the meta kernels word a + b and torch.cat of tensors that do not fit differently
    exit_code, doc = lint_json("--model", f"zoo.models:{factory}", "--input", "1,3,8,8")
    assert exit_code == 1
    (finding,) = doc["findings"]
    import zoo.models

    with pytest.raises(RuntimeError) as cpu:
        getattr(zoo.models, factory)()(torch.randn(1, 3, 8, 8))
    assert finding["code"] == code
    line = next(i for i, t in enumerate(MODELS.splitlines(), 1) if t.strip().startswith(text))
    assert finding["line"] == line
    assert f"RuntimeError: {cpu.value}" in finding["message"]
    assert "meta" not in finding["message"]


def test_several_inputs_and_expected_output(project: Path) -> None:
    args = ("--model", "zoo.models:two_inputs", "--input", "3,4", "--input", "3,5")
    assert lint(*args, "--expect-output", "3,6")[0] == 0
    code, doc = lint_json(*args, "--expect-output", "3,7")
    assert code == 1
    (finding,) = doc["findings"]
    assert finding["code"] == "CS903"
    assert (
        finding["message"] == "zoo.models:two_inputs returns (3, 6), but --expect-output is (3, 7)"
    )
    assert lint("--model", "zoo.models:two_inputs", "--input", "3,4;3,5")[0] == 0


def test_bad_factories_are_usage_errors(project: Path) -> None:
    for factory in ("zoo.nothing:good", "zoo.models:missing", "zoo.models", "zoo.models:torch"):
        code, out = lint("--model", factory, "--input", "1,3,8,8")
        assert code == 2, factory
        assert out.startswith("Error: ") and out.count("\n") == 1
    assert lint("--model", "zoo.models:not_a_module", "--input", "1")[0] == 2


def test_a_module_instance_is_the_model(project: Path) -> None:
    # module:model naming an nn.Module instance: used as it is, not called as a factory
    (project / "zoo" / "inst.py").write_text(
        "import torch.nn as nn\n"
        "\n"
        "good = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU())\n"
        "bad = nn.Sequential(nn.Conv2d(3, 4, 3), nn.Flatten(), nn.Linear(8, 2))\n"
    )
    code, doc = lint_json("--model", "zoo.inst:good", "--input", "1,3,8,8")
    assert code == 0, doc
    (report,) = doc["models"]
    assert report["output"] == [[1, 4, 6, 6]]
    assert {r["path"]: r["location"] for r in report["layers"]}["0"] == "zoo/inst.py:3:22"
    code, doc = lint_json("--model", "zoo.inst:bad", "--input", "1,3,8,8")
    assert code == 1
    (finding,) = doc["findings"]
    bad = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3), torch.nn.Flatten(), torch.nn.Linear(8, 2)
    )  # the same model, on CPU (lint moved the instance to the meta device)
    with pytest.raises(RuntimeError) as cpu:
        bad(torch.randn(1, 3, 8, 8))
    assert finding["code"] == "CS801"
    assert (finding["path"], finding["line"]) == ("zoo/inst.py", 4)
    assert f"RuntimeError: {cpu.value}" in finding["message"]


def test_configured_models_and_the_shape_lock(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [[tool.convshape.models]]
            factory = "zoo.models:good"
            input = "2,3,16,16"
            expect-output = "2,10"
            """
        )
    )
    assert lint("--models")[0] == 0
    assert not (project / "convshape.lock.json").exists()
    assert lint("--models", "--update-lock")[0] == 0
    lock = json.loads((project / "convshape.lock.json").read_text())
    assert lock["schema"] == "convshape.lock/1"
    entry = lock["models"]["zoo.models:good@2,3,16,16"]
    assert entry["layers"]["features.3"] == {"class": "MaxPool2d", "output": [[2, 16, 8, 8]]}
    assert lint("--models")[0] == 0  # nothing changed

    # a change that alters locked shapes: the conv gets 32 channels, the classifier follows
    changed = MODELS.replace("width=16, fc_in=16 * 8 * 8", "width=32, fc_in=32 * 8 * 8")
    (project / "zoo" / "models.py").write_text(changed)
    for name in [m for m in sys.modules if m.startswith("zoo")]:
        del sys.modules[name]
    code, out = lint("--models")
    assert code == 1
    assert "locked shapes that changed" in out
    code, doc = lint_json("--models")
    changes = {c["layer"]: (c["locked"], c["now"]) for c in doc["models"][0]["lock_changes"]}
    assert changes["features.0"] == ("(2, 16, 16, 16)", "(2, 32, 16, 16)")
    assert "classifier" not in changes  # its output is still (2, 10)
    codes = {(f["code"], f["line"]) for f in doc["findings"]}
    assert ("CS904", 9) in codes  # at nn.Conv2d(3, width, 3, padding=1)
    assert lint("--models", "--update-lock")[0] == 0
    assert lint("--models")[0] == 0


def test_a_configured_model_in_training_mode(project: Path) -> None:
    table = '[[tool.convshape.models]]\nfactory = "zoo.models:good"\ninput = "2,3,16,16"\n'
    (project / "pyproject.toml").write_text(table + table + "train = true\n")
    code, doc = lint_json("--models")
    assert code == 0
    assert [m["mode"] for m in doc["models"]] == ["eval", "train"]
    assert lint("--models", "--update-lock")[0] == 0
    lock = json.loads((project / "convshape.lock.json").read_text())
    assert sorted(lock["models"]) == [
        "zoo.models:good@2,3,16,16",
        "zoo.models:good@2,3,16,16@train",
    ]
    (project / "pyproject.toml").write_text(table + 'train = "yes"\n')
    code, out = lint("--models")
    assert code == 2 and "train must be true or false" in out


def _torch_memory(factory: Any, shape: tuple[int, ...], dtype: str) -> tuple[int, int, int]:
    """(parameter bytes, leaf modules' output bytes, input bytes) in torch, the model in
    ``dtype`` (int8 modules cannot be built: measured in float32, floating tensors then
    taken at int8's element size)."""
    floating = getattr(torch, dtype if dtype != "int8" else "float32")
    scale = torch.empty(0, dtype=getattr(torch, dtype)).element_size()

    def size(t: Any) -> int:
        return int(t.numel() * (scale if t.is_floating_point() else t.element_size()))

    def tensors(value: Any) -> list[Any]:
        if isinstance(value, torch.Tensor):
            return [value]
        return [t for item in value for t in tensors(item)] if isinstance(value, tuple) else []

    with torch.device("meta"):
        model = factory().to(floating)
    outputs: list[int] = []
    for m in model.modules():
        if not list(m.children()):
            m.register_forward_hook(lambda m, a, out: outputs.append(sum(map(size, tensors(out)))))
    x = torch.empty(shape, device="meta", dtype=floating)
    with torch.no_grad():
        model(x)
    return sum(size(p) for p in model.parameters()), sum(outputs), size(x)


@pytest.mark.parametrize("dtype", ["float32", "float16", "bfloat16", "float64", "int8"])
@pytest.mark.parametrize("name", ["good", "indices"])
def test_memory_matches_torch(project: Path, name: str, dtype: str) -> None:
    import zoo.models  # type: ignore[import-not-found]

    shape = (2, 3, 16, 16)
    code, doc = lint_json("--model", f"zoo.models:{name}", "--input", "2,3,16,16", "--dtype", dtype)
    assert code == 0
    (report,) = doc["models"]
    params, activations, input_bytes = _torch_memory(getattr(zoo.models, name), shape, dtype)
    memory = report["memory"]
    assert memory["dtype"] == dtype
    assert (memory["params_bytes"], memory["activations_bytes"], memory["input_bytes"]) == (
        params,
        activations,
        input_bytes,
    )
    assert memory["total_bytes"] == params + activations + input_bytes
    assert sum(r["output_bytes"] for r in report["layers"] if r["leaf"]) == activations


def test_text_report_shows_the_memory(project: Path) -> None:
    code, out = lint("--model", "zoo.models:good", "--input", "2,3,16,16", "--dtype", "float16")
    assert code == 0
    assert "memory, float16 (MB)" in out and "estimated total" in out


def test_sys_exit_in_a_factory_or_forward_is_a_finding_and_the_run_goes_on(
    project: Path,
) -> None:
    models = ("zoo.models:exits", "zoo.models:exits_in_forward", "zoo.models:bad_linear")
    args = [a for m in models for a in ("--model", m)]
    code, doc = lint_json(*args, "--input", "2,3,16,16")
    assert code == 1
    found = {(f["code"], f["message"].split(" raised ")[0]) for f in doc["findings"]}
    assert ("CS905", "building the model") in found  # sys.exit(0) in the factory
    raised = [f["message"] for f in doc["findings"] if f["code"] == "CS905"]
    assert len(raised) == 2 and all("SystemExit" in m for m in raised)
    assert "CS801" in {f["code"] for f in doc["findings"]}  # the next model still ran
    assert len(doc["models"]) == 3


# -- released torchvision models (imported beside the CPU torch through tests/realcode.py) --


@pytest.fixture
def torchvision(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    from realcode import TORCHVISION, import_torchvision

    if TORCHVISION is None:
        pytest.skip("torchvision is not installed")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch-home"))  # no cached weights
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return import_torchvision()


def _cpu_resnet18(train: bool) -> BaseException | Any:
    """resnet18 on a 1x3x32x32 input on CPU: its output or what torch raised."""
    from torchvision.models import resnet18

    model = resnet18().train(train)
    try:
        with torch.no_grad():
            return model(torch.randn(1, 3, 32, 32))
    except ValueError as exc:
        return exc


def test_models_run_in_eval_mode_unless_train_is_given(torchvision: Any) -> None:
    # at 32x32, layer4 is 1x1: with a batch of one, BatchNorm in training mode refuses
    expected = _cpu_resnet18(train=False)
    code, doc = lint_json("--model", "torchvision.models.resnet:resnet18", "--input", "1,3,32,32")
    assert code == 0 and doc["findings"] == []
    assert doc["models"][0]["mode"] == "eval"
    assert doc["models"][0]["output"] == [list(expected.shape)]
    raised = _cpu_resnet18(train=True)
    assert isinstance(raised, ValueError)
    args = ("--model", "torchvision.models.resnet:resnet18", "--input", "1,3,32,32", "--train")
    code, doc = lint_json(*args)
    assert code == 1 and doc["models"][0]["mode"] == "train"
    (finding,) = doc["findings"]
    assert str(raised) in finding["message"]
    assert "layer4.0.bn1" in finding["message"]
    code, out = lint("--train")
    assert code == 2 and "--train goes with --model" in out


def test_googlenet_in_eval_mode_returns_one_output(torchvision: Any) -> None:
    from torchvision.models import googlenet

    model = googlenet(init_weights=False)
    with torch.no_grad():
        eval_out = model.eval()(torch.randn(2, 3, 64, 64))
        train_out = model.train()(torch.randn(2, 3, 64, 64))
    factory = "torchvision.models.googlenet:googlenet"
    _, doc = lint_json("--model", factory, "--input", "2,3,64,64")
    assert doc["models"][0]["output"] == [list(eval_out.shape)]
    _, doc = lint_json("--model", factory, "--input", "2,3,64,64", "--train")
    assert doc["models"][0]["output"] == [list(t.shape) for t in train_out]  # the aux outputs


def _def_line(path: Path, name: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, text in enumerate(lines, 1) if text.startswith(f"def {name}("))


def test_a_decorated_builder_is_located_at_its_def(torchvision: Any) -> None:
    resnet = Path(torchvision.__file__).parent / "models" / "resnet.py"
    args = ("--model", "torchvision.models.resnet:resnet18", "--input", "1,3,32,32")
    code, doc = lint_json(*args, "--expect-output", "1,10")
    assert code == 1
    (finding,) = doc["findings"]
    assert finding["code"] == "CS903"
    assert finding["path"] == resnet.as_posix()
    assert finding["line"] == _def_line(resnet, "resnet18")


def _stdout_json(*args: str) -> tuple[int, dict[str, Any]]:
    """lint's JSON document (torch.hub says "Downloading: ..." on stderr first)."""
    result = CliRunner().invoke(cli, ["lint", *args, "--output-format", "json"])
    return result.exit_code, json.loads(result.stdout)


def test_a_weights_download_is_named_as_such(torchvision: Any, tmp_path: Path) -> None:
    (tmp_path / "pretrained.py").write_text(
        "from torchvision.models import resnet18\n\n\ndef build():\n"
        '    return resnet18(weights="DEFAULT")\n'
    )
    code, doc = _stdout_json("--model", "pretrained:build", "--input", "1,3,32,32")
    assert code == 0  # not a shape error, and nothing was downloaded
    (finding,) = doc["findings"]
    assert finding["code"] == "CS902" and finding["severity"] == "warning"
    assert (finding["path"], finding["line"]) == ("pretrained.py", 5)  # the call to fix
    message = finding["message"]
    assert "downloads pretrained weights from https://download.pytorch.org/models/" in message
    assert "weights=None" in message and "urllib" not in message
    assert not any(p.is_file() for p in (tmp_path / "torch-home").rglob("*"))
    # torchvision's own builder with its default weights_backbone
    factory = "torchvision.models.segmentation.fcn:fcn_resnet50"
    code, doc = _stdout_json("--model", factory, "--input", "1,3,32,32")
    (finding,) = doc["findings"]
    assert "downloads pretrained weights" in finding["message"]


def test_a_class_that_needs_arguments_is_a_usage_error(torchvision: Any) -> None:
    code, out = lint("--model", "torchvision.models.resnet:ResNet", "--input", "1,3,32,32")
    assert code == 2
    assert "ResNet(block, layers, num_classes=1000," in out
    assert "needs block, layers" in out
    assert "Traceback" not in out


def test_the_table_fits_80_columns_without_cutting_paths(torchvision: Any) -> None:
    args = ["lint", "--model", "torchvision.models.mobilenetv2:mobilenet_v2"]
    args += ["--input", "1,3,64,64"]
    result = CliRunner().invoke(cli, args, env={"COLUMNS": "80"}, terminal_width=80)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in result.output and "site-packages" not in result.output
    assert "torchvision/models/mobilenetv2.py:" in result.output
    assert "features.18.0" in result.output


# -- the line to fix: helpers, subclasses of torch layers, what meta lets through ---------

HELPERS = """\
import torch.nn as nn
import torch.nn.functional as F


def conv3x3(cin, cout, stride=1, groups=1):
    return nn.Conv2d(cin, cout, 3, stride, 1, groups=groups, bias=False)


def make_conv(cin, cout, **kwargs):
    return conv3x3(cin, cout, **kwargs)


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = conv3x3(cin, cout)
        self.conv2 = make_conv(
            cin,
            cout,
        )

    def forward(self, x):
        return self.conv2(self.conv1(x))


class NormAct(nn.BatchNorm2d):
    def forward(self, x):
        return F.relu(F.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias))


def wrong_block():
    return Block(8, 16)


def wrong_norm():
    return nn.Sequential(nn.Conv2d(3, 8, 3), NormAct(4))


def wrong_groups():
    return nn.Sequential(make_conv(8, 8, groups=3))


def wrong_decoder():
    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.ConvTranspose2d(16, 4, 2, stride=2))
"""


def _cpu_error(factory: Any, shape: tuple[int, ...]) -> BaseException:
    try:
        factory()(torch.randn(*shape))
    except (RuntimeError, ValueError) as exc:
        return exc
    raise AssertionError("CPU torch ran it")


@pytest.mark.parametrize(
    ("factory", "line", "end_line"),
    [
        ("wrong_block", 17, 20),  # make_conv( -> conv3x3 -> nn.Conv2d: the call in Block
        ("wrong_norm", 36, 36),  # a subclass of BatchNorm2d: where it was built
        ("wrong_groups", 40, 40),  # torch refuses groups=3 when built: the call passing 3
        ("wrong_decoder", 44, 44),  # meta lets ConvTranspose2d through; CPU torch does not
    ],
)
def test_findings_are_at_the_call_that_passed_the_wrong_value(
    project: Path, factory: str, line: int, end_line: int
) -> None:
    (project / "zoo" / "helpers.py").write_text(HELPERS)
    import zoo.helpers

    cpu = _cpu_error(
        getattr(zoo.helpers, factory), (2, 8, 8, 8) if "block" in factory else (2, 3, 8, 8)
    )
    shape = "2,8,8,8" if "block" in factory else "2,3,8,8"
    code, doc = lint_json("--model", f"zoo.helpers:{factory}", "--input", shape)
    assert code == 1
    (finding,) = doc["findings"]
    assert finding["path"] == "zoo/helpers.py"
    assert (finding["line"], finding["end_line"]) == (line, end_line)
    assert str(cpu) in finding["message"]
