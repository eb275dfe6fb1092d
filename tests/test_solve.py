"""``convshape solve`` against CPU torch: every answer is run in torch.

* sizes: each candidate layer maps SIZE to TARGET in torch, and (for small searches) the
  candidates are exactly the torch layers in the search space that do;
* 'same' with a stride: torch's refusal, and the suggested layers' output sizes;
* inversion: the suggested ConvTranspose (and the output_size= call) restores the shape;
* stacks: the sizes reported are exactly those for which the built encoder-decoder
  returns its input size in torch.
"""

from __future__ import annotations

import json
import warnings
from itertools import product
from typing import Any

import pytest
from click.testing import CliRunner

from convshape.cli.app import cli
from convshape.core import errors as E
from convshape.core.arithmetic import conv_out, conv_transpose_out, pool_out
from convshape.core.code import layer_code
from convshape.core.errors import UsageError
from convshape.features.network import parse_stack
from convshape.features.solve import (
    COMBINATIONS_CAP,
    DILATION_CAP,
    KERNEL_CAP,
    STRIDE_CAP,
    Candidate,
    choose_mode,
    invert,
    same_strided,
    solve_size,
    stack_sizes,
)
from convshape.readers.parse import parse_layer

torch = pytest.importorskip("torch")
nn = torch.nn


def _torch_size(op: str, size: int, k: int, s: int, p: int, d: int, opad: int = 0) -> int | None:
    """The output length torch gives, or None when it raises."""
    x = torch.empty(1, 1, size)
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if op == "conv":
                m: Any = nn.Conv1d(1, 1, k, s, p, d)
            elif op == "maxpool":
                m = nn.MaxPool1d(k, s, p, d)
            elif op == "avgpool":
                m = nn.AvgPool1d(k, s, p)
            else:
                m = nn.ConvTranspose1d(1, 1, k, s, p, opad, dilation=d)
            return int(m(x).shape[-1])
    except RuntimeError:
        return None


def _check(c: Candidate, size: int) -> None:
    got = _torch_size(c.op, size, c.kernel, c.stride, c.padding, c.dilation, c.output_padding)
    assert got == c.output, c
    if c.op == "conv":  # the unused input rows: the trailing rows without gradient
        x = torch.ones(1, 1, size, requires_grad=True)
        conv = nn.Conv1d(1, 1, c.kernel, c.stride, c.padding, c.dilation, bias=False)
        with torch.no_grad():
            conv.weight.fill_(1.0)
        conv(x).sum().backward()
        used = x.grad[0, 0].nonzero().flatten().tolist()
        assert size - 1 - used[-1] == c.dropped, c


SIZE_CASES: list[tuple[int, int, dict[str, Any]]] = [
    (224, 112, {}),
    (224, 112, {"op": "maxpool"}),
    (224, 112, {"op": "avgpool"}),
    (112, 224, {"op": "transpose"}),
    (224, 224, {"kernel": 5}),
    (57, 29, {"max_dilation": 2}),
    (20, 7, {"max_kernel": 5, "max_stride": 3}),
    (7, 20, {"op": "transpose", "max_dilation": 2}),
    (31, 31, {"op": "maxpool", "stride": 1}),
    (10, 3, {"op": "transpose"}),
]


@pytest.mark.torch
@pytest.mark.parametrize(("size", "target", "kw"), SIZE_CASES)
def test_every_candidate_runs_in_torch(size: int, target: int, kw: dict[str, Any]) -> None:
    solution = solve_size(size, target, **kw)
    for c in solution.candidates:
        _check(c, size)


@pytest.mark.torch
@pytest.mark.parametrize(("size", "target", "kw"), [c for c in SIZE_CASES if c[0] < 100])
def test_candidates_are_all_torch_answers(size: int, target: int, kw: dict[str, Any]) -> None:
    """Brute force over the same search space in torch: the same set of answers."""
    solution = solve_size(size, target, **kw)
    op = kw.get("op", "conv")
    top_k = kw.get("max_kernel", 7)
    top_s = kw.get("max_stride") or max(
        2, (size // target if op != "transpose" else target // size) + 1
    )
    top_d = kw.get("max_dilation", 1)
    ss = [kw["stride"]] if "stride" in kw else range(1, top_s + 1)
    found = set()
    for k, s, d in product(range(1, top_k + 1), ss, range(1, top_d + 1)):
        if op == "avgpool" and d > 1:
            continue
        for p in range(0, d * (k - 1) + 1):
            for opad in range(max(s, d)) if op == "transpose" else [0]:
                if _torch_size(op, size, k, s, p, d, opad) == target:
                    found.add((k, s, p, d, opad))
    mine = {
        (c.kernel, c.stride, c.padding, c.dilation, c.output_padding) for c in solution.candidates
    }
    assert mine == found


def test_ranked_simplest_first() -> None:
    assert (
        solve_size(224, 112).candidates[0].code()
        == "nn.Conv2d(C_in, C_out, 3, stride=2, padding=1)"
    )
    assert solve_size(224, 112, op="maxpool").candidates[0].code(2) == "nn.MaxPool2d(2)"
    best = solve_size(112, 224, op="transpose").candidates[0]
    assert best.code() == "nn.ConvTranspose2d(C_in, C_out, 2, stride=2)"
    assert solve_size(224, 224, kernel=7).candidates[0].padding == 3


def test_no_solution_names_the_constraint() -> None:
    s = solve_size(224, 113, kernel=3, stride=2, padding=0)
    assert not s.ok and s.reason.startswith("--padding 0 rules it out")
    s = solve_size(224, 100, max_kernel=3)
    assert not s.ok and "--max-kernel 3" in s.reason
    s = solve_size(100, 300)
    assert not s.ok and "--op transpose" in s.reason


# -- 'same' with a stride ----------------------------------------------------------------


@pytest.mark.torch
@pytest.mark.parametrize(("size", "k", "s", "d"), [(224, 3, 2, 1), (225, 4, 2, 1), (17, 5, 3, 2)])
def test_same_strided(size: int, k: int, s: int, d: int) -> None:
    with pytest.raises(ValueError) as info:
        nn.Conv1d(1, 1, k, stride=s, padding="same", dilation=d)
    plan = same_strided(size, k, s, d)
    assert str(info.value) == plan.torch_error == E.MODULE_SAME_STRIDED.template
    x = torch.empty(1, 1, size)
    with torch.no_grad():
        padded = nn.ConstantPad1d(plan.pad, 0.0)(x)
        assert nn.Conv1d(1, 1, k, stride=s, dilation=d)(padded).shape[-1] == plan.output
        for p in plan.symmetric:
            assert nn.Conv1d(1, 1, k, stride=s, padding=p, dilation=d)(x).shape[-1] == plan.output
    assert plan.output == -(-size // s)


# -- inverting a layer -------------------------------------------------------------------

INVERT_CASES = [
    ("nn.Conv2d(16, 32, 3, stride=2, padding=1)", (1, 16, 224, 224)),
    ("nn.Conv2d(16, 32, 3, stride=2, padding=1)", (1, 16, 225, 224)),
    ("nn.Conv2d(4, 8, (5, 3), stride=(3, 2), dilation=(1, 2), groups=4)", (2, 4, 31, 17)),
    ("nn.Conv1d(2, 2, 4, stride=3, padding='valid')", (2, 20)),
    ("nn.Conv3d(1, 2, 3, padding='same')", (1, 1, 5, 6, 7)),
    ("nn.MaxPool2d(2)", (1, 8, 15, 16)),
    ("nn.MaxPool2d(3, 2, padding=1, dilation=2)", (1, 3, 40, 41)),
    ("nn.MaxPool1d(3, 2, ceil_mode=True)", (1, 2, 10)),
    ("nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True)", (3, 11, 12)),
]


@pytest.mark.torch
@pytest.mark.parametrize(("code", "shape"), INVERT_CASES)
def test_inverse_restores_the_shape(code: str, shape: tuple[int, ...]) -> None:
    inv = invert(parse_layer(code), shape)
    ns = {"nn": nn}
    with torch.no_grad():
        y = eval(code, ns)(torch.empty(shape))  # the test's own code
        assert tuple(y.shape) == inv.output
        back = eval(layer_code(inv.transpose), ns)(y)
        assert tuple(back.shape) == tuple(shape)
        if inv.output_size is not None:
            plain = layer_code(_without_output_padding(inv.transpose))
            again = eval(plain, ns)(y, output_size=list(inv.output_size))
            assert tuple(again.shape) == tuple(shape)


def _without_output_padding(spec: Any) -> Any:
    from dataclasses import replace

    return replace(spec, output_padding=(0,) * spec.dims)


def test_invert_refuses_what_it_cannot_invert() -> None:
    with pytest.raises(UsageError):
        invert(parse_layer("nn.AdaptiveAvgPool2d(3)"), (1, 1, 9, 9))
    with pytest.raises(E.ShapeError):
        invert(parse_layer("nn.Conv2d(3, 4, 5)"), (1, 3, 4, 4))


# -- stacks ------------------------------------------------------------------------------

UNET = """nn.Sequential(
    nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(4, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 8, 3, stride=2, padding=1),
    nn.ConvTranspose2d(8, 8, 2, stride=2), nn.Upsample(scale_factor=2),
    nn.ConvTranspose2d(8, 1, 2, stride=2),
)"""


def _round_trips(code: str, size: int) -> bool:
    try:
        with torch.no_grad():
            out = eval(code, {"nn": nn})(torch.empty(1, 1, size, size))
    except RuntimeError:
        return False
    return tuple(out.shape[2:]) == (size, size)


@pytest.mark.torch
def test_stack_sizes_are_where_encoder_and_decoder_line_up() -> None:
    result = stack_sizes(parse_stack(UNET), (1, 1, 100, 100), high=80)
    assert result.sizes == tuple(n for n in range(1, 81) if _round_trips(UNET, n))
    assert result.smallest == 8 and result.period == 8 and result.nearest == 80


@pytest.mark.torch
def test_stack_sizes_a_linear_pins_the_size() -> None:
    code = (
        "nn.Sequential(nn.Conv2d(1, 2, 3), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2 * 7 * 7, 3))"
    )
    result = stack_sizes(parse_stack(code), (1, 1, 20, 20), high=64)
    ok = []
    for n in range(1, 65):
        try:
            with torch.no_grad():
                eval(code, {"nn": nn})(torch.empty(1, 1, n, n))
            ok.append(n)
        except RuntimeError:
            pass
    assert ok == [16, 17]  # torch runs both; 17 leaves a row of the pooled map unused
    assert result.sizes == (16,) and result.nearest == 16


def test_stack_without_solution_says_why() -> None:
    code = "nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(7, 3))"
    result = stack_sizes(parse_stack(code), (1, 1, 20, 20), high=50)
    assert not result.ok and "nn.Linear(7, 3)" in result.reason and "CS801" in result.reason


# -- the command line --------------------------------------------------------------------


def test_solve_cli_modes(tmp_path: Any) -> None:
    runner = CliRunner()
    out = runner.invoke(cli, ["solve", "224", "112"])
    assert out.exit_code == 0 and "stride=2, padding=1" in out.output
    out = runner.invoke(cli, ["solve", "224", "112", "--json", "--kernel", "3"])
    doc = json.loads(out.output)
    assert doc["mode"] == "size" and doc["candidates"][0]["padding"] == 1
    out = runner.invoke(cli, ["solve", "224", "113", "-k", "3", "-s", "2", "-p", "0", "--json"])
    assert out.exit_code == 1 and json.loads(out.output)["reason"].startswith("--padding 0")
    out = runner.invoke(cli, ["solve", "224", "--keep", "-k", "5"])
    assert out.exit_code == 0 and "padding=2" in out.output
    out = runner.invoke(cli, ["solve", "224", "--same", "-k", "3", "-s", "2", "--json"])
    doc = json.loads(out.output)
    assert out.exit_code == 0 and doc["torch_refuses"] and doc["pad"] == [0, 1]
    assert E.MODULE_SAME_STRIDED.template in doc["lines"][0]
    out = runner.invoke(
        cli, ["solve", "--invert", "nn.MaxPool2d(2)", "--input", "1,3,15,15", "--json"]
    )
    assert (
        json.loads(out.output)["transpose"]
        == "nn.ConvTranspose2d(3, 3, 2, stride=2, output_padding=1)"
    )
    path = tmp_path / "unet.py"
    path.write_text(f"net = {UNET}\n")
    out = runner.invoke(cli, ["solve", "--file", str(path), "-i", "1,1,100,100", "--json"])
    doc = json.loads(out.output)
    assert out.exit_code == 0 and doc["nearest"] == 96 and doc["smallest"] == 8


@pytest.mark.parametrize(
    "args",
    [
        ["solve"],
        ["solve", "224"],
        ["solve", "0", "3"],
        ["solve", "224", "112", "--op", "pool"],
        ["solve", "224", "--same", "-k", "3"],
        ["solve", "--invert", "nn.Conv2d(3, 4, 3)"],
        ["solve", "--invert", "nn.ReLU()", "-i", "1,2,3"],
        ["solve", "--stack", "nn.Sequential(nn.Foo())", "-i", "1,2,3,3"],
        ["solve", "224", "112", "--kernel", "-1"],
        ["solve", "224", "--same", "-k", "3", "-s", "2", "--dilation", "0"],
        ["solve", "224", "--same", "-k", "3", "-s", "2", "--dilation", "-1"],
    ],
)
def test_solve_usage_errors(args: list[str]) -> None:
    out = CliRunner().invoke(cli, args)
    assert out.exit_code == 2, out.output
    assert "Traceback" not in out.output


# -- regressions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "value", "cap"),
    [
        ("--max-kernel", 100000, KERNEL_CAP),
        ("--max-dilation", 1000, DILATION_CAP),
        ("--max-stride", 10**9, STRIDE_CAP),
        ("--kernel", 10**9, KERNEL_CAP),
        ("--stride", 10**9, STRIDE_CAP),
        ("--dilation", 10**9, DILATION_CAP),
    ],
)
def test_search_bounds_are_capped(flag: str, value: int, cap: int) -> None:
    out = CliRunner().invoke(cli, ["solve", "224", "112", flag, str(value)])
    assert out.exit_code == 2 and "Traceback" not in out.output
    assert out.output == f"Error: {flag} {value} is over the cap of {cap}\n"


def test_search_size_is_capped_and_quick() -> None:
    import time

    args = ["--max-kernel", "64", "--max-stride", "64", "--max-dilation", "16"]
    out = CliRunner().invoke(cli, ["solve", "224", "112", *args])
    assert out.exit_code == 2 and str(COMBINATIONS_CAP) in out.output, out.output
    started = time.perf_counter()
    # at the caps: every kernel up to KERNEL_CAP; the largest search that is allowed
    assert solve_size(224, 112, max_kernel=KERNEL_CAP, max_stride=3, max_dilation=3).ok
    assert solve_size(1, 1, op="transpose", max_kernel=20, max_stride=33, max_dilation=15).ok
    # sizes that once made the search loop for minutes: a stride derived from 10**6 / 1,
    # and an output of 10**8 rows that are nearly all padding
    assert solve_size(10**6, 1).searched.startswith(f"kernel 1..7, stride 1..{STRIDE_CAP}")
    assert solve_size(10, 10**8, kernel=1, stride=1, padding=(10**8 - 10) // 2).ok
    assert time.perf_counter() - started < 5  # each well under a second; generous for CI


def _brute(size: int, target: int, op: str, k: int, s: int, d: int) -> set[tuple[int, int]]:
    """(padding, output_padding) pairs by trying every padding the search allows."""
    found = set()
    span = d * (k - 1) + 1
    if op == "transpose":
        for p in range(d * (k - 1) + 1):
            op_ = target - conv_transpose_out(size, k, s, p, d, 0)
            if 0 <= op_ < max(s, d):
                found.add((p, op_))
        return found
    top = {"conv": d * (k - 1), "maxpool": span // 2, "avgpool": k // 2}[op]
    for p in range(top + 1):
        if size + 2 * p < span:
            continue
        out = conv_out(size, k, s, p, d) if op == "conv" else pool_out(size, k, s, p, d)
        if out == target:
            found.add((p, 0))
    return found


@pytest.mark.parametrize("op", ["conv", "maxpool", "avgpool", "transpose"])
def test_search_finds_every_padding(op: str) -> None:
    # the search solves for the padding instead of trying each: it must miss none
    for size, target in product([1, 2, 5, 8, 13, 31], [1, 2, 3, 7, 16, 30]):
        got = solve_size(size, target, op=op, max_kernel=6, max_stride=4, max_dilation=3)
        pairs = {
            (c.kernel, c.stride, c.dilation, c.padding, c.output_padding) for c in got.candidates
        }
        expected = {
            (k, s, d, p, o)
            for k, s, d in product(range(1, 7), range(1, 5), range(1, 4))
            if not (op == "avgpool" and d != 1)
            for p, o in _brute(size, target, op, k, s, d)
        }
        assert pairs == expected, (size, target)


def test_same_dilation_not_given_is_one() -> None:
    assert same_strided(224, 3, 2).dilation == 1
    assert same_strided(224, 3, 2, None).dilation == 1
    with pytest.raises(UsageError, match="--dilation must be at least 1, got 0"):
        same_strided(224, 3, 2, 0)
    out = CliRunner().invoke(cli, ["solve", "224", "--same", "-k", "3", "-s", "2", "-d", "0"])
    assert (out.exit_code, out.output) == (2, "Error: --dilation must be at least 1, got 0\n")


def test_same_with_stride_one_says_torch_accepts_it() -> None:
    out = CliRunner().invoke(cli, ["solve", "224", "--same", "-k", "3", "-s", "1", "--json"])
    doc = json.loads(out.output)
    assert out.exit_code == 0 and not doc["torch_refuses"]
    assert doc["lines"][0] == "stride 1: padding='same' works in torch and keeps 224"
    assert not any("refuses" in line for line in doc["lines"])


def test_choose_mode() -> None:
    assert choose_mode(224, 112) == ("size", 112)
    assert choose_mode(224, None, keep=True) == ("size", 224)
    assert choose_mode(224, None, same=True, has_kernel=True, has_stride=True) == ("same", None)
    assert choose_mode(None, None, invert=True, has_input=True) == ("invert", None)
    assert choose_mode(None, None, stack=True, has_input=True) == ("stack", None)
    for args, kw, match in [
        ((224, None), {"same": True, "has_kernel": True}, "--same needs --kernel and --stride"),
        ((None, None), {"invert": True}, "--invert needs --input"),
        ((None, None), {"stack": True}, "--stack needs --input"),
        ((224, None), {"invert": True, "has_input": True}, "takes no SIZE"),
        ((224, 112), {"has_input": True}, "--input applies to"),
        ((None, None), {"invert": True, "same": True}, "one of --invert"),
    ]:
        with pytest.raises(UsageError, match=match):
            choose_mode(*args, **kw)  # type: ignore[arg-type]


def test_stack_min_size_is_named() -> None:
    stack = parse_stack("nn.Sequential(nn.Conv2d(1, 2, 3))")
    with pytest.raises(UsageError) as caught:
        stack_sizes(stack, (1, 1, 8, 8), low=0)
    assert str(caught.value) == "--min-size must be at least 1, got 0"
    with pytest.raises(UsageError, match="--min-size 50 is above --max-size 10"):
        stack_sizes(stack, (1, 1, 8, 8), low=50, high=10)
    out = CliRunner().invoke(
        cli,
        [
            "solve",
            "--stack",
            "nn.Sequential(nn.Conv2d(1, 2, 3))",
            "-i",
            "1,1,8,8",
            "--min-size",
            "0",
        ],
    )
    assert (out.exit_code, out.output) == (2, "Error: --min-size must be at least 1, got 0\n")
