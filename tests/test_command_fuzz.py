"""Every command on junk: argument lists and input texts (junk, huge numbers, deep nesting,
long texts). Whatever the input, a command ends with exit code 0, 1 or 2, never a
traceback, within a per-example time limit and under a memory limit (issue 13). Sizes are
kept small enough for a 2-core CI machine; benchmarks/bench_scale.py measures growth on
inputs 1000x larger."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convshape.cli.app import cli

runner = CliRunner()

MEMORY_HEADROOM = 2 * 2**30  # bytes of address space each example may add


def _address_space() -> int:
    """This process's virtual size now (VmSize), in bytes."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmSize:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize in /proc/self/status")  # pragma: no cover - Linux only


@pytest.fixture(scope="module", autouse=True)
def memory_limit() -> Iterator[None]:
    """Every example runs under a memory limit: the address space the process has now plus
    MEMORY_HEADROOM (RLIMIT_AS). An input that makes a command allocate without bound fails
    with MemoryError, which the commands must turn into one line and exit 2."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + MEMORY_HEADROOM
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def test_the_memory_limit_is_in_force() -> None:
    with pytest.raises(MemoryError):
        bytearray(MEMORY_HEADROOM + 2**30)


NUMBERS = st.one_of(
    st.integers(-3, 300).map(str),
    st.integers(2**62, 2**70).map(str),
    st.sampled_from(["10**30", "0", "-1", "1e9", "nan", "2**63", "9" * 400]),
)
LAYERS = st.sampled_from(
    [
        "nn.Conv2d({a}, {b}, {c})",
        "nn.Conv2d({a}, {b}, {c}, groups={d})",
        "nn.GroupNorm({a}, {b})",
        "nn.Linear({a}, {b})",
        "nn.AdaptiveAvgPool2d(({a}, {b}))",
        "nn.MaxPool2d({a}, stride={b}, padding={c})",
        "nn.Sequential(nn.Conv2d({a}, {b}, {c}), nn.Flatten(), nn.Linear({d}, {a}))",
        "F.conv2d(x, w, padding={a})",
        "conv2d",
    ]
)


@st.composite
def layer_texts(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 4))
    if kind == 0:
        values = {k: draw(NUMBERS) for k in "abcd"}
        return draw(LAYERS).format(**values)
    if kind == 1:
        return draw(st.text(max_size=40))
    if kind == 2:
        depth = draw(st.integers(50, 600))
        return draw(st.sampled_from(["(", "[", "f(", "-", "not "])) * depth + "1"
    if kind == 3:
        n = draw(st.integers(50, 400))
        return "nn.Sequential(" + ", ".join(["nn.ReLU()"] * n) + ")"
    return "nn.Linear(" + "+".join(["1"] * draw(st.integers(100, 600))) + ", 3)"


SHAPES = st.one_of(
    st.lists(NUMBERS, min_size=0, max_size=6).map(",".join),
    st.text(max_size=20),
    st.just("1," * 200 + "1"),
)
FLAGS = st.lists(
    st.sampled_from(
        ["--json", "-k", "3", "-s", "2", "-p", "1", "--eval", "--groups", "x", "-", "--x"]
    ),
    max_size=4,
)

SETTINGS = settings(
    max_examples=15,
    deadline=5000,  # ms per example: the defects took minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)


def check(args: list[str], stdin: str | None = None) -> None:
    result = runner.invoke(cli, args, input=stdin)
    assert result.exit_code in (0, 1, 2), (args[:4], result.exit_code, result.output[-500:])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args[:4],
        repr(result.exception),
    )
    assert "Traceback" not in result.output


@SETTINGS
@given(layer_texts(), SHAPES, FLAGS)
def test_calc(layer: str, shape: str, flags: list[str]) -> None:
    check(["calc", layer, "--input", shape, *flags])


@SETTINGS
@given(layer_texts(), SHAPES)
def test_calc_stdin(layer: str, shape: str) -> None:
    check(["calc", "-", "--input", shape], stdin=layer)


@SETTINGS
@given(layer_texts(), SHAPES, FLAGS, st.booleans())
def test_draw(layer: str, shape: str, flags: list[str], files: bool) -> None:
    """The pictures too: huge sizes are elided, never drawn cell by cell."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = ["--svg", f"{tmp}/a.svg", "--html", f"{tmp}/a.html"] if files else []
        check(["draw", layer, "--input", shape, *flags, *out])


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        ("nn.Conv1d(1, 1, 10**12, dilation=3)", f"1,1,{10**13}"),
        ("nn.ConvTranspose1d(1, 1, 10**9, stride=10**9)", f"1,1,{10**9}"),
        ("nn.Fold(10**9, 3)", "1,9,99"),
        ("nn.AdaptiveAvgPool2d(10**9)", f"1,1,{10**12},3"),
    ],
)
def test_draw_huge(layer: str, shape: str, tmp_path: Path) -> None:
    """Kernels and axes of 10**9 and more cells: drawn elided, within the memory limit."""
    check(["draw", layer, "--input", shape, "--svg", str(tmp_path / "a.svg")])
    check(["draw", layer, "--input", shape, "--html", str(tmp_path / "a.html"), "--json"])


@SETTINGS
@given(
    st.lists(st.one_of(NUMBERS, st.text(max_size=8)), max_size=3),
    st.lists(
        st.sampled_from(
            ["--op", "maxpool", "--op", "frob", "-k", "--keep", "--same", "-s", "--top"]
        ),
        max_size=4,
    ),
)
def test_solve(values: list[str], flags: list[str]) -> None:
    check(["solve", *flags, "--", *values] if values else ["solve", *flags])


@SETTINGS
@given(layer_texts(), SHAPES)
def test_solve_stack_and_invert(layer: str, shape: str) -> None:
    check(["solve", "--stack", "-", "--input", shape, "--max-size", "600"], stdin=layer)
    check(["solve", "--invert", layer, "--input", shape])


MESSAGES = st.sampled_from(
    [
        "mat1 and mat2 shapes cannot be multiplied ({a}x{b} and {c}x{d})",
        "Expected 3D (unbatched) or {a}D (batched) input to conv2d, "
        "but got input of size: [{b}, {c}]",
        "Input dimension should be at least {a}",
        "Given groups={a}, weight of size [{b}, {c}, 3, 3], expected input[1, {d}, 5, 5] "
        "to have {a} channels, but got {d} channels instead",
        "num_channels ({a}) must be divisible by num_groups ({b})",
    ]
)


@st.composite
def error_texts(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 2))
    if kind == 0:
        values = {k: draw(NUMBERS) for k in "abcd"}
        return "RuntimeError: " + draw(MESSAGES).format(**values)
    if kind == 1:
        return draw(st.text(max_size=200))
    line = draw(MESSAGES).format(a=3, b=4, c=5, d=6)
    return "Traceback (most recent call last):\n" + f"RuntimeError: {line}\n" * draw(
        st.integers(1, 300)
    )


@SETTINGS
@given(error_texts(), st.sampled_from([[], ["--json"], ["--lang", "ja"]]))
def test_explain(text: str, flags: list[str]) -> None:
    check(["explain", *flags, "-"], stdin=text)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@SETTINGS
@given(
    layer_texts(),
    st.sampled_from(["", "# convshape: input=1,3,8,8\n", "# convshape: inpu\n"]),
    st.sampled_from([[], ["--output-format", "json"], ["--output-format", "sarif"]]),
)
def test_lint(folder: Path, layer: str, directive: str, flags: list[str]) -> None:
    path = folder / "m.py"
    path.write_text(f"import torch.nn as nn\n{directive}m = {layer}\n", encoding="utf-8")
    check(["lint", str(path), *flags])


@pytest.fixture(scope="module")
def torch_imported() -> None:
    """torch imported before the examples run: its import (seconds on a loaded machine)
    is not the first example's time."""
    pytest.importorskip("torch")


@settings(SETTINGS, max_examples=8, deadline=15000)
@given(layer_texts(), SHAPES)
def test_verify_meta(torch_imported: None, layer: str, shape: str) -> None:
    check(["verify", layer, "--input", shape, "--device", "meta"])
