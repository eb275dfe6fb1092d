"""convshape verify: the library (compare, twin runs, fuzz) and the command line."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from convshape import oracle
from convshape.cli.app import cli
from convshape.core.engine import Env, Result, infer_spec
from convshape.core.shapes import Shape
from convshape.features import fuzz
from convshape.features import verify as V
from convshape.ops import Conv, ConvCall, Pool, Spec

pytest.importorskip("torch")

runner = CliRunner()
ENV = V.default_env()

BIG = (1, 3, 4096, 4096)


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["verify", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.output


# ---------------------------------------------------------------------------------------
# The fuzz CI relies on: every op, zero disagreements
# ---------------------------------------------------------------------------------------


def test_fuzz_every_op_cpu_zero_disagreements() -> None:
    report = V.run_fuzz(6000, seed=1, env=ENV)
    assert set(report.tallies) == set(fuzz.OPS)
    assert all(t.agree + t.disagree >= 6000 // len(fuzz.OPS) for t in report.tallies.values())
    assert report.agree + report.disagree == 6000
    details = [(c.spec, c.input, c.match, c.outcome) for c in report.disagreements]
    assert report.disagree == 0, details
    # both sides of the comparison are exercised: shapes, exact errors, backend variants
    assert report.matches["shape"] > 1000 and report.matches["exact"] > 1000


def test_fuzz_every_op_meta_zero_disagreements() -> None:
    report = V.run_fuzz(2000, seed=7, device="meta", env=ENV)
    details = [(c.spec, c.input, c.match, c.outcome) for c in report.disagreements]
    assert report.disagree == 0, details
    assert report.matches[V.META_UNCHECKED] > 0 and report.matches[V.META_WORDING] > 0


def test_same_seed_same_run() -> None:
    a = V.run_fuzz(150, seed=5, ops=["conv2d", "max_pool1d", "fold"], env=ENV)
    b = V.run_fuzz(150, seed=5, ops=["conv2d", "max_pool1d", "fold"], env=ENV)
    assert a.tallies == b.tallies and a.matches == b.matches
    assert list(a.tallies) == ["conv2d", "max_pool1d", "fold"]


def test_unknown_op_is_a_usage_error() -> None:
    with pytest.raises(V.UsageError, match="unknown op 'conv4d'; choose from: conv1d"):
        V.resolve_ops("conv2d,conv4d")


# ---------------------------------------------------------------------------------------
# Cost: large inputs run on a twin, and the twin never changes what torch reports
# ---------------------------------------------------------------------------------------


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Shape, str]]:
    """Record every (input shape, device) verify hands to torch."""
    seen: list[tuple[Shape, str]] = []
    real = oracle.run

    def run(spec: Spec, shape: Shape, device: str = "cpu") -> oracle.Outcome:
        seen.append((tuple(shape), device))
        return real(spec, shape, device)

    monkeypatch.setattr(oracle, "run", run)
    return seen


def test_big_input_runs_on_a_twin_without_the_full_computation(
    calls: list[tuple[Shape, str]],
) -> None:
    check = V.verify(Conv.make(2, 3, 16, 3), BIG, env=ENV)
    assert check.agree and check.match == V.SHAPE and check.method == "twin"
    assert check.outcome.shape == (1, 16, 4094, 4094)
    # the real input only ever went to meta; CPU saw a small twin of it
    assert (BIG, "cpu") not in calls
    assert (BIG, "meta") in calls
    twins = [s for s, d in calls if d == "cpu"]
    assert twins and all(s[0] == 1 and max(s[2:]) <= 64 for s in twins)
    assert any("twin input (1, 3, 16, 16)" in n for n in check.notes)


def test_big_input_error_is_torchs_own_from_the_real_call(
    calls: list[tuple[Shape, str]],
) -> None:
    # dilation 0 passes meta, so the twin runs first - and raises; verify then makes the
    # real call (which raises before computing anything) and reports torch's own words.
    check = V.verify(Conv.make(2, 3, 16, 3, dilation=0), BIG, env=ENV)
    assert check.method == "run" and (BIG, "cpu") in calls
    assert check.outcome.message == "non-positive dilation is not supported"
    assert check.agree and check.match == V.EXACT


def test_big_pool_and_padding_modes_use_twins() -> None:
    for spec in (
        Pool.make("max", 2, 3, 1),
        Conv.make(2, 3, 8, 3, padding=2, padding_mode="reflect"),
        Conv.make(2, 3, 8, 3, stride=2, transposed=True),
    ):
        check = V.verify(spec, BIG, env=ENV)
        assert check.agree and check.method == "twin", (spec, check)


def test_twin_runs_report_exactly_what_the_real_call_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The twin strategy on the fuzz corpus, forced and cut as small as it goes."""
    monkeypatch.setattr(V, "TWIN_MIN", 2)
    monkeypatch.setattr(V, "TWIN_FACTOR", 1)
    twins = 0
    for spec, shape in fuzz.generate(2500, seed=11):
        outcome, method, _ = V.run_torch(spec, shape, "cpu", budget=0)
        real = oracle.run(spec, shape, "cpu")
        assert (outcome.shape, outcome.exc, outcome.message) == (
            real.shape,
            real.exc,
            real.message,
        ), (spec, shape, method)
        twins += method == "twin"
    assert twins > 300


def test_work_bound_is_an_upper_bound_on_the_fuzz_corpus() -> None:
    for spec, shape in fuzz.generate(1500, seed=3):
        outcome = oracle.run(spec, shape, "meta")
        if outcome.ok and outcome.shape is not None:
            assert V.work(spec, shape, outcome.shape) <= V.work_bound(spec, shape), spec


# ---------------------------------------------------------------------------------------
# compare: variants, meta and cuda rules
# ---------------------------------------------------------------------------------------


def test_backend_variant_is_accepted_and_named() -> None:
    # an engine told oneDNN is off predicts THNN's wording; torch picks oneDNN's variant
    spec = ConvCall.make(2, (4, 5, 3, 3), dilation=0)
    check = V.verify(spec, (2, 5, 5, 5), env=Env(num_threads=2, mkldnn=False))
    torch_run = oracle.run(spec, (2, 5, 5, 5))  # float32, batch 2: CPU torch uses oneDNN
    assert torch_run.exc is not None and torch_run.message is not None
    assert check.agree and check.match == V.VARIANT and check.variant is not None
    assert check.variant.message == torch_run.message
    assert "oneDNN" in check.variant.condition


def _result(spec: Spec, shape: Shape) -> Result:
    return infer_spec(spec, shape, ENV)


def test_meta_rules() -> None:
    # The outcomes below are made up on purpose: this tests compare's meta rules against
    # chosen torch results (a shape meta accepted, an error it raised), not torch itself.
    spec = Conv.make(2, 3, 16, 3, dilation=0)  # CPU rejects, meta does not check
    unchecked = V.compare(_result(spec, (2, 3, 8, 8)), oracle.Outcome((2, 16, 8, 8)), "meta")
    assert unchecked.agree and unchecked.match == V.META_UNCHECKED
    assert unchecked.notes[0].startswith("meta did not check: CS117 dilation-zero")
    # an error meta does check (the module constructor) must be seen on meta too
    ctor = Conv.make(2, 3, 16, 3, groups=2)
    missed = V.compare(_result(ctor, (2, 3, 8, 8)), oracle.Outcome((2, 16, 6, 6)), "meta")
    assert not missed.agree and missed.match == V.TORCH_ACCEPTED
    # meta raising on a layer the engine calls valid is a disagreement ...
    ok = _result(Conv.make(2, 3, 16, 3), (2, 3, 8, 8))
    raised = V.compare(ok, oracle.Outcome(None, "IndexError", "boom"), "meta")
    assert not raised.agree and raised.match == V.TORCH_RAISED
    # ... as is a different shape
    wrong = V.compare(ok, oracle.Outcome((2, 16, 7, 7)), "meta")
    assert not wrong.agree and wrong.match == V.SHAPE_MISMATCH


def test_meta_formatting_is_undone_before_comparing() -> None:
    spec = Pool.make("avg", 3, 2)
    result = _result(spec, (1, 4, 0, 10, 3))
    assert result.error is not None
    meta = oracle.run(spec, (1, 4, 0, 10, 3), "meta")
    assert meta.exc is not None and meta.message is not None
    assert meta.message != result.error.message  # meta formats the shape differently
    check = V.compare(result, meta, "meta")
    assert check.agree and check.match == V.META_FORMAT


def test_cuda_relaxes_only_backend_kernel_errors() -> None:
    # Made-up outcomes on purpose: they exercise compare's cuda rules without a GPU.
    spec = Conv.make(2, 3, 16, 3, dilation=0)
    backend = V.compare(_result(spec, (2, 3, 8, 8)), oracle.Outcome((2, 16, 8, 8)), "cuda")
    assert backend.agree and backend.match == V.CUDA_BACKEND
    shared = Conv.make(2, 3, 16, 3, padding=(1, 1, 1))  # a check every device shares
    other = V.compare(_result(shared, (2, 3, 8, 8)), oracle.Outcome(None, "X", "y"), "cuda")
    assert not other.agree and other.match == V.MESSAGE_MISMATCH


# ---------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------


def test_cli_agree_shows_both_sides_and_exits_0() -> None:
    code, out = invoke("nn.Conv2d(16, 32, 3, padding=1)", "--input", "20,16,50,100")
    assert code == 0
    torch = pytest.importorskip("torch")
    assert "convshape (engine)" in out and f"torch {torch.__version__}" in out
    assert "(cpu, float32)" in out
    assert out.count("(20, 32, 50, 100)") == 2 and "agree  (shape)" in out


def test_cli_forms_flags_and_functional() -> None:
    code, out = invoke("conv2d", "-i", "2,6,5,5", "--out-channels", "12", "-k", "3", "--json")
    assert code == 0 and json.loads(out)["torch"]["output"] == [2, 12, 3, 3]
    code, out = invoke("F.conv2d(x, w)", "-i", "2,6,5,5", "-w", "12,5,3,3", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["match"] == "exact"
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as info:  # the same call, in real torch
        torch.nn.functional.conv2d(torch.empty(2, 6, 5, 5), torch.empty(12, 5, 3, 3))
    assert doc["torch"]["exception"] == info.type.__name__
    assert doc["torch"]["message"] == str(info.value)


VERIFY_KEYS = {
    "schema",
    "op",
    "layer",
    "input",
    "device",
    "dtype",
    "torch_version",
    "verdict",
    "agree",
    "match",
    "method",
    "engine",
    "torch",
    "variant",
    "notes",
    "repro",
}


def test_cli_json_schema() -> None:
    code, out = invoke("nn.MaxPool2d(2)", "-i", "1,3,8,8", "--json")
    doc = json.loads(out)
    assert code == 0 and set(doc) == VERIFY_KEYS
    assert doc["schema"] == "convshape.verify/1"
    assert (doc["device"], doc["dtype"], doc["verdict"]) == ("cpu", "float32", "agree")
    assert doc["torch_version"].startswith("2.13.0")
    assert set(doc["engine"]) == {"output", "error", "crash"}
    assert set(doc["torch"]) == {"output", "exception", "message"}
    assert doc["engine"]["output"] == doc["torch"]["output"] == [1, 3, 4, 4]
    assert doc["repro"] is None and doc["variant"] is None


def test_cli_meta_says_what_it_did_not_check() -> None:
    code, out = invoke("nn.Conv2d(5, 12, 3, dilation=0)", "-i", "2,5,5,5", "--device", "meta")
    assert code == 0
    assert "(meta, float32)" in out and "meta-unchecked" in out
    assert "meta did not check: CS117 dilation-zero" in out


def test_cli_big_input_is_cheap_and_says_so() -> None:
    code, out = invoke("nn.Conv2d(3, 16, 3)", "--input", "1,3,4096,4096", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["method"] == "twin" and doc["torch"]["output"] == [1, 16, 4094, 4094]
    assert "the full computation" in doc["notes"][0]


@pytest.fixture
def wrong_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """An engine that is off by one in every spatial size: every layer disagrees."""
    real = V.infer_spec

    def infer(spec: Spec, shape: Shape, env: Env | None = None) -> Result:
        r = real(spec, shape, env)
        if r.output is None:
            return r
        return Result(r.spec, r.input, (*r.output[:2], *(v + 1 for v in r.output[2:])))

    monkeypatch.setattr(V, "infer_spec", infer)


def _run_script(script: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(script, "<repro>", "exec"), {})
    return out.getvalue()


@pytest.mark.usefixtures("wrong_engine")
def test_cli_disagreement_exits_1_with_a_runnable_repro() -> None:
    code, out = invoke("nn.Conv2d(16, 32, 3)", "-i", "2,16,10,10")
    assert code == 1
    assert "disagree  (shape-mismatch)" in out and "(2, 32, 9, 9)" in out
    script = out.split("reproduce with:\n", 1)[1]
    assert script.startswith("import torch\n")
    assert _run_script(script).strip() == "torch.Size([2, 32, 8, 8])"


@pytest.mark.usefixtures("wrong_engine")
def test_cli_fuzz_lists_each_disagreement_as_a_repro() -> None:
    code, out = invoke("--fuzz", "30", "--seed", "1", "--ops", "max_pool2d")
    assert code == 1
    assert "max_pool2d" in out and "disagreement 1: " in out
    first = out.split("reproduce with:\n", 1)[1].split("\ndisagreement 2: ", 1)[0]
    assert _run_script(first).startswith("torch.Size(")
    code, out = invoke("--fuzz", "30", "--seed", "1", "--ops", "max_pool2d", "--json")
    doc = json.loads(out)
    assert code == 1 and doc["disagree"] == len(doc["disagreements"]) > 0
    assert all(d["repro"].startswith("import torch") for d in doc["disagreements"])


FUZZ_KEYS = {
    "schema",
    "interrupted",
    "count",
    "seed",
    "ops",
    "device",
    "dtype",
    "torch_version",
    "seconds",
    "agree",
    "disagree",
    "per_op",
    "matches",
    "methods",
    "disagreements",
}


def test_cli_fuzz_json_schema_and_table() -> None:
    code, out = invoke("--fuzz", "60", "--seed", "3", "--ops", "conv1d,unfold", "--json")
    doc: dict[str, Any] = json.loads(out)
    assert code == 0 and set(doc) == FUZZ_KEYS
    assert doc["schema"] == "convshape.verify-fuzz/1"
    assert doc["per_op"] == {
        "conv1d": {"agree": 30, "disagree": 0},
        "unfold": {"agree": 30, "disagree": 0},
    }
    assert (doc["count"], doc["seed"], doc["agree"], doc["disagree"]) == (60, 3, 60, 0)
    assert sum(doc["matches"].values()) == 60 and doc["disagreements"] == []
    code, out = invoke("--fuzz", "60", "--seed", "3", "--ops", "conv1d,unfold")
    assert code == 0 and "conv1d" in out and "unfold" in out and "total" in out


def test_cli_usage_errors_exit_2() -> None:
    for args in (
        ["nn.Conv2d(3, 8, 3)"],
        ["-i", "1,3,8,8"],
        ["nn.Conv2d(3, 8, 3)", "-i", "1,3,8,8", "--device", "tpu"],
        ["nn.Conv2d(3, 8, 3)", "-i", "1,3,8,8", "--ops", "conv2d"],
        ["--fuzz", "10", "--ops", "conv4d"],
        ["--fuzz", "ten"],
        ["--fuzz", "10", "nn.Conv2d(3, 8, 3)"],
        ["--fuzz", "10", "--kernel", "3"],
    ):
        code, out = invoke(*args)
        assert code == 2, (args, out)
        assert out.startswith("Error: ") and out.count("\n") == 1, out


def test_cli_without_torch_names_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(oracle, "available", lambda: False)
    code, out = invoke("nn.Conv2d(3, 8, 3)", "-i", "1,3,8,8")
    assert code == 2
    assert 'pip install "convshape[torch]"' in out


@settings(max_examples=60, deadline=None)
@given(layer=st.text(max_size=30), shape=st.text(max_size=16), device=st.sampled_from(V.DEVICES))
def test_cli_junk_never_gives_a_traceback(layer: str, shape: str, device: str) -> None:
    result = runner.invoke(cli, ["verify", layer, "--input", shape, "--device", device])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def test_cli_out_of_memory_is_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    message = "DefaultCPUAllocator: can't allocate memory: you tried to allocate 120 GB"
    monkeypatch.setattr(oracle, "run", lambda *a: oracle.Outcome(None, "RuntimeError", message))
    code, out = invoke("nn.Conv2d(3, 8, 3)", "-i", "1,3,8,8")
    assert code == 2 and "could not allocate" in out and "--device meta" in out


# ---------------------------------------------------------------------------------------
# Stacks: layer by layer (expected values from torch 2.13)
# ---------------------------------------------------------------------------------------

LENET_BAD = (
    "nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), "
    "nn.Linear(100, 10))"
)
GOOD = "nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2))"  # noqa: E501


def test_stack_failing_at_a_linear_agrees_layer_by_layer() -> None:
    from convshape.features.network import parse_stack

    check = V.verify_stack(parse_stack(LENET_BAD), (4, 3, 32, 32))
    assert check.agree and check.match == V.EXACT
    # The same stack written in torch directly, independently of convshape's oracle
    torch = pytest.importorskip("torch")
    nn = torch.nn
    layers = [nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(100, 10)]
    x, shapes = torch.empty(4, 3, 32, 32), []
    with pytest.raises(RuntimeError) as raised:
        for layer in layers:
            x = layer(x)
            shapes.append(tuple(x.shape))
    assert [c.shape for c in check.layers[:4]] == shapes
    assert check.outcome.failed == len(shapes) == 4 and check.outcome.stage == "forward"
    assert check.layers[4].message == str(raised.value)
    meta = V.verify_stack(parse_stack(LENET_BAD), (4, 3, 32, 32), "meta")
    assert meta.agree and meta.match == V.META_WORDING


def test_stack_wrong_engine_disagrees(monkeypatch: pytest.MonkeyPatch) -> None:
    from convshape.features.network import parse_stack

    good = V.verify_stack(parse_stack(GOOD), (2, 3, 6, 6))
    assert good.agree and [c.match for c in good.layers] == [V.SHAPE] * 5
    torch_said = oracle.StackOutcome(((2, 8, 6, 6), (2, 8, 6, 6), (2, 8, 1, 1), (2, 8), (2, 3)))
    bad = V.compare_stack(good.result, torch_said)
    assert not bad.agree and bad.match == V.SHAPE_MISMATCH
    raised = oracle.StackOutcome(((2, 8, 6, 6),), 1, "forward", "RuntimeError", "boom")
    early = V.compare_stack(good.result, raised)
    assert [c.match for c in early.layers] == [V.SHAPE, V.TORCH_RAISED] + [V.SKIPPED] * 3
    accepted = V.verify_stack(parse_stack(LENET_BAD.replace("100", "1176")), (4, 3, 32, 32))
    lied = V.compare_stack(
        V.verify_stack(parse_stack(LENET_BAD), (4, 3, 32, 32)).result, accepted.outcome
    )
    assert lied.match == V.TORCH_ACCEPTED


def test_stack_constructor_error_is_the_same_layer() -> None:
    from convshape.features.network import parse_stack

    code = "nn.Sequential(nn.Conv2d(4, 8, 3), nn.Dropout(1.5), nn.Linear(3, 3))"
    check = V.verify_stack(parse_stack(code), (1, 4, 8, 8))
    assert check.agree and check.outcome.stage == "build" and check.outcome.failed == 1
    assert check.layers[1].exc == "ValueError"


def test_cli_stack_table_json_and_exit_codes() -> None:
    code, out = invoke(LENET_BAD, "--input", "4,3,32,32")
    assert code == 0 and "mat1" in out and "agree  (exact)" in out and "(4, 1176)" in out
    code, out = invoke(GOOD, "--input", "2,3,6,6", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "convshape.verify-stack/1" and doc["agree"]
    assert doc["layers"][-1]["torch"]["output"] == [2, 2] and doc["torch_failed"] is None
    code, out = invoke("nn.Linear(10, 3)", "--input", "4,7", "--device", "meta", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["torch_failed"] == 0 and doc["match"] == V.META_WORDING
    assert invoke("nn.Linear(10, 3)", "--input", "4,10", "--device", "cuda")[0] == 2
    assert invoke("nn.Linear(10, 3)", "--input", "4,10", "--stride", "2")[0] == 2
    assert invoke("nn.Linear(10, 3)")[0] == 2
    assert invoke("nn.Sequential(nn.Bogus())", "--input", "4,10")[0] == 2


def test_cli_stack_from_file_and_eval(tmp_path: Any) -> None:
    path = tmp_path / "model.py"
    code = "nn.Sequential(nn.Conv2d(3, 8, 3), nn.AdaptiveMaxPool2d(1), nn.BatchNorm2d(8))"
    path.write_text(f"import torch.nn as nn\nfeatures = {code}\n")
    args = ("--file", str(path), "--variable", "features", "--input", "1,3,8,8", "--json")
    rc, out = invoke(*args)
    doc = json.loads(out)  # training-mode BatchNorm with one value per channel: both raise
    assert rc == 0 and doc["torch_failed"] == 2 and doc["match"] == V.EXACT
    assert "Expected more than 1 value per channel" in doc["layers"][2]["torch"]["message"]
    rc, out = invoke(*args, "--eval")
    doc = json.loads(out)
    assert (
        rc == 0
        and doc["torch_failed"] is None
        and doc["layers"][2]["torch"]["output"]
        == [
            1,
            8,
            1,
            1,
        ]
    )


def test_meta_differences_are_declared_once_each_by_their_family() -> None:
    # verify merges every family's OpFamily.meta by code: a code declared by two families
    # would silently keep one of the two spans
    from convshape.core.registry import _load_all, families

    _load_all()
    seen: dict[tuple[str, str], str] = {}
    for family in families():
        for part in ("skips", "checks", "missing", "unrunnable"):
            for code in getattr(family.meta, part):
                assert (part, code) not in seen, (part, code, seen[part, code], family.name)
                seen[part, code] = family.name
    # the convolution's all-release skips live with the convolution family
    assert seen["skips", "CS111"] == "conv" and seen["skips", "CS408"] == "adaptive"
