"""Hardening (issue 13): bounded work, one-line errors and exit codes, atomic writes.

One test per defect of the issue. Where a test says what torch does, it runs torch.
Time limits are generous (the CI machine has 2 cores): the defects they guard against
took minutes or never finished.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from convshape.cli.app import cli
from convshape.core.errors import UsageError

runner = CliRunner()


def invoke(*args: str, stdin: str | None = None) -> Result:
    return runner.invoke(cli, list(args), input=stdin)


def one_line_error(result: Result, code: int = 2) -> str:
    """The command failed with ``code`` and said so in one line, without a traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def quick(seconds: float = 10.0) -> Any:
    """A context that fails when its body takes more than ``seconds``."""

    class _Quick:
        def __enter__(self) -> None:
            self.start = time.perf_counter()

        def __exit__(self, *exc: object) -> None:
            took = time.perf_counter() - self.start
            assert took < seconds, f"took {took:.1f} s"

    return _Quick()


# -- click's own errors and interrupts ---------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("calc", "conv2d"),  # a missing --input
        ("solve", "-k", "5,3"),  # not an integer
        ("explain", "--lang", "fr", "x"),  # not a choice
        ("solve", "-1", "5"),  # read as an option
        ("calc", "--no-such-option"),
        ("frobnicate",),  # no such command
    ],
)
def test_clicks_own_errors_are_one_line_and_exit_2(args: tuple[str, ...]) -> None:
    one_line_error(invoke(*args))


def test_help_and_version_still_work() -> None:
    assert invoke("--help").exit_code == 0
    assert invoke("calc", "--help").exit_code == 0
    assert invoke("--version").exit_code == 0


def test_ctrl_c_exits_130_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    import convshape.core.engine as engine

    def interrupted(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(engine, "infer_spec", interrupted)
    result = invoke("calc", "nn.Conv2d(3, 8, 3)", "-i", "1,3,8,8")
    assert result.exit_code == 130
    assert result.stderr.strip() == "Error: interrupted"


def test_interrupted_fuzz_reports_what_it_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    from convshape.features import verify as V

    real = V.verify_many

    def stopped(*args: Any, **kw: Any) -> Iterator[V.Check]:
        for i, check in enumerate(real(*args, **kw)):
            if i == 5:
                raise KeyboardInterrupt
            yield check

    monkeypatch.setattr(V, "verify_many", stopped)
    result = invoke("verify", "--fuzz", "10000000", "--json")
    assert result.exit_code == 130
    doc = json.loads(result.stdout)
    assert doc["interrupted"] is True and doc["agree"] + doc["disagree"] == 5
    assert result.stderr.strip().startswith("Error: interrupted; checked 5 of 10000000")
    table = invoke("verify", "--fuzz", "10000000", "--ops", "conv2d")
    assert table.exit_code == 130 and "interrupted after 5" in table.stdout


def test_explain_in_japanese_on_an_ascii_terminal() -> None:
    env = {**os.environ, "PYTHONIOENCODING": "ascii", "LC_ALL": "C"}
    message = "mat1 and mat2 shapes cannot be multiplied (20x12800 and 9216x10)"
    done = subprocess.run(
        [sys.executable, "-m", "convshape", "explain", "--lang", "ja", message],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "\\u" in done.stdout


# -- bounded enumerations -----------------------------------------------------------------


def test_groups_of_huge_channel_counts_advise_without_listing_every_divisor() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
        torch.nn.Conv2d(10**12, 10**12, 3, groups=7)
    from convshape.features.lint import lint_source

    with pytest.raises(ValueError) as raised:
        torch.nn.GroupNorm(7, 10**12)
    source = (
        "import torch.nn as nn\n"
        "a = nn.Conv2d(10**12, 10**12, 3, groups=7)\n"
        "b = nn.GroupNorm(7, 10**12)\n"
    )
    with quick():
        conv = invoke("calc", "nn.Conv2d(10**12, 10**12, 3, groups=7)", "-i", "1,10,5,5")
        norm = invoke("calc", "nn.GroupNorm(7, 10**12)", "-i", "1,10,5,5")
        explained = invoke("explain", f"ValueError: {raised.value}")
        found = lint_source(source, "m.py")
    assert conv.exit_code == 1 and "..., 1000000000000" in conv.stdout
    assert norm.exit_code == 1 and "..., 1000000000000" in norm.stdout
    assert explained.exit_code == 0 and "..., 1000000000000" in explained.stdout
    assert {f.line for f in found} == {2, 3}


def test_divisor_text_is_complete_for_small_counts() -> None:
    from convshape.features.advice import _divisor_text

    assert _divisor_text(64) == "1, 2, 4, 8, 16, 32, 64"
    assert _divisor_text(12, 18) == "1, 2, 3, 6"
    assert _divisor_text(0) == "1"
    big = _divisor_text(2**100)
    assert big.startswith("1, 2, 4") and big.endswith(f"..., {2**100}")


def test_factorisations_are_bounded() -> None:
    from convshape.features.advice import factorisations

    assert (128, 10, 10) in factorisations(12800)
    with quick(5):
        assert factorisations(10**10)
        factorisations(2**61 - 1)  # a prime
        result = invoke(
            "explain", "mat1 and mat2 shapes cannot be multiplied (1x10000000000 and 9216x10)"
        )
    assert result.exit_code == 0


@pytest.mark.parametrize(
    "message",
    [
        "RuntimeError: Expected 3D (unbatched) or 1000000000D (batched) input to conv2d, "
        "but got input of size: [1, 2]",
        "Input dimension should be at least 10000000",
        "Input dimension should be at least 1000000000000",
    ],
)
def test_explain_builds_nothing_per_stated_dimension(message: str) -> None:
    with quick(5):
        result = invoke("explain", message)
    assert result.exit_code == 0 and len(result.stdout) < 5000


def test_long_tracebacks_are_read_in_linear_time() -> None:
    line = "RuntimeError: mat1 and mat2 shapes cannot be multiplied (20x12800 and 9216x10)"
    frames = "".join('  File "/u/net.py", line 3, in f\n    return g(x)\n' for _ in range(20000))
    generic = "RuntimeError: Dimension out of range (expected to be in range of [-1, 0], but got 1)"
    with quick(20):
        assert invoke("explain", "-", stdin="\n".join([line] * 20000)).exit_code == 0
        tb = f"Traceback (most recent call last):\n{frames}{line}\n"
        assert invoke("explain", "-", stdin=tb).exit_code == 0
        many = "Traceback (most recent call last):\n" + "\n".join([generic] * 20000)
        assert invoke("explain", "-", stdin=many).exit_code == 0


@pytest.mark.parametrize("size", ["9223372036854775808", "1" + "0" * 30])
def test_sizes_beyond_64_bits_are_refused_as_torch_refuses_them(size: str) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises((TypeError, RuntimeError), match="Overflow"):
        torch.empty((1, 3, int(size), 5), device="meta")
    error = one_line_error(invoke("calc", "nn.Conv2d(3, 8, 3)", "-i", f"1,3,{size},5"))
    assert "64-bit" in error


# -- bounded reads, atomic writes ---------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("calc", "--file", "/dev/zero", "-i", "1,3,5,5"),
        ("solve", "--file", "/dev/zero", "-i", "1,3,5,5"),
        ("lint", "--config", "/dev/zero"),
        ("lint", "--lock", "/dev/zero", "--model", "m:f", "-i", "1,3"),
    ],
)
def test_endless_files_are_refused(args: tuple[str, ...]) -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    if "--lock" in args:
        pytest.importorskip("torch")
    with quick():
        one_line_error(invoke(*args))


def test_endless_stdin_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from convshape.readers import source

    monkeypatch.setattr(source, "MAX_BYTES", 1000)
    monkeypatch.setattr(source.read_source, "__defaults__", (1000,))
    one_line_error(invoke("explain", "-", stdin="x" * 2000))


def test_write_atomic(tmp_path: Path) -> None:
    from convshape.readers.source import write_atomic

    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new" and target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]  # no temporary file left
    with pytest.raises(UsageError, match="no folder"):
        write_atomic(tmp_path / "missing" / "out.txt", "x")
    with pytest.raises(UsageError, match="it is a folder"):
        write_atomic(tmp_path, "x")


@pytest.mark.parametrize("where", ["missing/report.txt", "."])
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_lint_output_file_that_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, fmt: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text("x = 1\n")
    one_line_error(invoke("lint", "m.py", "-o", where, "--output-format", fmt))


# -- lint: paths, files, directives, nesting ----------------------------------------------


def test_lint_paths_that_are_not_files_or_folders(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(tmp_path / "loop")
    one_line_error(invoke("lint", str(loop)))
    if Path("/dev/null").exists():
        assert "neither a file nor a folder" in one_line_error(invoke("lint", "/dev/null"))
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo"
        os.mkfifo(fifo)
        with quick():
            one_line_error(invoke("lint", str(fifo)))


def test_lint_walks_a_folder_linked_into_itself_once(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path)
    (tmp_path / "sub" / "bad.py").symlink_to(tmp_path / "sub" / "bad.py")  # a file link loop
    (tmp_path / "a.py").write_text(
        "import torch.nn as nn\nm = nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 6))\n"
    )
    with quick():
        result = invoke("lint", str(tmp_path), "--output-format", "json")
    doc = json.loads(result.stdout)
    assert result.exit_code == 1 and doc["files"] == 1
    assert [f["code"] for f in doc["findings"]] == ["CS801"]


def test_an_unreadable_file_or_folder_is_a_finding_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from convshape.features.lint import static

    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "x.py").write_text("x = 1\n")
    (tmp_path / "secret.py").write_text("x = 1\n")
    (tmp_path / "net.py").write_text(
        "import torch.nn as nn\nm = nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 6))\n"
    )
    real_read, real_scandir = static.read_bytes, os.scandir

    def read(path: Path, *args: Any) -> bytes:
        if Path(path).name == "secret.py":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path, *args)

    def scandir(path: Any) -> Any:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(static, "read_bytes", read)
    monkeypatch.setattr(static.os, "scandir", scandir)
    monkeypatch.chdir(tmp_path)
    result = invoke("lint", ".", "--output-format", "json", "--jobs", "1")
    doc = json.loads(result.stdout)
    found = {(Path(f["path"]).name, f["code"]) for f in doc["findings"]}
    assert found == {("locked", "CS906"), ("secret.py", "CS906"), ("net.py", "CS801")}
    assert result.exit_code == 1


def test_a_directive_typo_is_a_finding_for_that_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("import torch\n# convshape: inpu\n")
    (tmp_path / "b.py").write_text(
        "import torch.nn as nn\nm = nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 6))\n"
    )
    result = invoke("lint", ".", "--output-format", "json")
    found = {(f["path"], f["code"], f["line"]) for f in json.loads(result.stdout)["findings"]}
    assert found == {("a.py", "CS907", 2), ("b.py", "CS801", 2)}
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "expression",
    [
        "+".join(["1"] * 100_000),
        "-" * 100_000 + "1",
        "a." * 100_000 + "b",
        "[" * 300 + "]" * 300,
    ],
)
def test_deeply_nested_files_are_cs900(expression: str) -> None:
    from convshape.features.lint import lint_source

    with quick():
        found = lint_source(f"import torch.nn as nn\nx = {expression}\n", "deep.py")
    assert [f.code for f in found] == ["CS900"]


# -- model mode: the lock and the configuration -------------------------------------------


LOCKS = [
    "[]",
    '{"schema": "convshape.lock/1"}',
    '{"schema": "convshape.lock/1", "models": []}',
    '{"schema": "convshape.lock/1", "models": {"m:f@1": null}}',
    '{"schema": "convshape.lock/1", "models": {"m:f@1": []}}',
    '{"schema": "convshape.lock/1", "models": {"m:f@1": {"layers": []}}}',
    '{"schema": "convshape.lock/1", "models": {"m:f@1": {"layers": {"a": 3}}}}',
    '{"schema": "convshape.lock/1", "models": {"m:f@1": {"layers": {"a": {"output": 3}}}}}',
    '{"schema": "convshape.lock/1", "models": {"m:f@1": {"layers": {"a": {"output": [3]}}}}}',
    '{"schema": "convshape.lock/1", "models": {"m:f@1": {"output": "x", "layers": {}}}}',
    '{"schema": "convshape.lock/1", "models": {"m:f@1": {"layers": {"a": {"class": 1}}}}}',
    "[" * 100_000 + "]" * 100_000,
    "not json",
]


@pytest.mark.parametrize("text", LOCKS)
def test_corrupt_locks_are_usage_errors(tmp_path: Path, text: str) -> None:
    from convshape.features.lint.model import read_lock

    lock = tmp_path / "convshape.lock.json"
    lock.write_text(text)
    with pytest.raises(UsageError, match=r"convshape\.lock\.json"):
        read_lock(lock)


def test_a_lock_path_outside_the_project_is_refused(tmp_path: Path) -> None:
    from convshape.features.lint.config import load_config

    project = tmp_path / "project"
    project.mkdir()
    for lock in ("../elsewhere.json", "/tmp/elsewhere.json"):
        (project / "pyproject.toml").write_text(f'[tool.convshape]\nlock = "{lock}"\n')
        with pytest.raises(UsageError, match="outside the project"):
            load_config(project / "pyproject.toml")
    (project / "pyproject.toml").write_text('[tool.convshape]\nlock = "locks/shapes.json"\n')
    assert load_config(project / "pyproject.toml").lock == project.resolve() / "locks/shapes.json"


def test_update_lock_alone_imports_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "boom.py").write_text("raise SystemExit('imported')\ndef f(): pass\n")
    (tmp_path / "pyproject.toml").write_text(
        '[[tool.convshape.models]]\nfactory = "boom:f"\ninput = "1,3"\n'
    )
    error = one_line_error(invoke("lint", "--update-lock"))
    assert "--models" in error and "boom" not in sys.modules


# -- static lint: folding is bounded ------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "x = 3\n" + "x = x * x\n" * 40,  # a squaring chain
        "x = 3\nfor i in range(100):\n    x = x * x\n",
        "x = [1]\nfor i in range(100):\n    x = x + x\n",
        "x = [1]\nfor i in range(100):\n    x += x\n",
        "x = 'ab'\nfor i in range(100):\n    x = x + x\n",
        "x = 'ab'\nfor i in range(100):\n    x = 2 * x\n",
        "x = 2 ** 10 ** 10\n",
        "x = 1 << 10 ** 9\n",
        "x = (7 ** 60) ** 60\n",
    ],
)
def test_lint_folds_literal_arithmetic_within_bounds(body: str) -> None:
    from convshape.features.lint import lint_source

    source = f"import torch.nn as nn\n{body}m = nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 6))\n"
    with quick(5):
        found = lint_source(source, "m.py")
    assert [f.code for f in found] == ["CS801"]  # the file is still linted after it


def test_lint_still_folds_small_arithmetic() -> None:
    from convshape.features.lint import lint_source

    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="mat1 and mat2"):
        torch.nn.Sequential(torch.nn.Linear(2**10 * 3, 4))(torch.empty(1, 3 << 10 - 1))
    source = (
        "import torch.nn as nn\n"
        "# convshape: input=1,1536\n"
        "m = nn.Sequential(nn.Linear(2 ** 10 * 3, 4))\n"
    )
    assert [f.code for f in lint_source(source, "m.py")] == ["CS801"]


# -- source text: linear in its size ------------------------------------------------------


def test_long_stacks_are_read_in_linear_time() -> None:
    from convshape.features.network import infer_stack, parse_stack

    def seconds(n: int) -> float:
        text = "nn.Sequential(" + ", ".join(["nn.Linear(3, 3)"] * n) + ")"
        start = time.perf_counter()
        infer_stack(parse_stack(text, None), (1, 3))
        return time.perf_counter() - start

    seconds(200)  # warm up
    small, large = min(seconds(1000) for _ in range(2)), seconds(8000)
    assert large < 20 * small + 0.5, (small, large)  # 8x the layers: not 64x the time


def test_source_segments_match_ast() -> None:
    import ast

    from convshape.core.signature import Source

    text = "x = (1,\r\n  'é',  2)\ny = f(a,\n b)  # ü\n"
    tree = ast.parse(text)
    source = Source(text)
    for node in ast.walk(tree):
        if hasattr(node, "end_col_offset"):
            expected = ast.get_source_segment(text, node)
            assert expected is not None
            assert " ".join(source.segment(node).split()) == " ".join(expected.split())
    assert source.quote(tree.body[0]) == "x = (1, 'é', 2)"
    long = "f(" + "a, " * 10_000 + ")"
    assert Source(long).quote(ast.parse(long).body[0]).endswith("...")


# -- verify: what torch would allocate ----------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        ("nn.Conv2d(1, 1, 1, padding=15000)", "1,1,2,2"),
        ("nn.AdaptiveAvgPool2d((30000, 30000))", "1,1,2,2"),
        ("nn.Sequential(nn.Linear(30000, 30000))", "1,30000"),
        ("nn.Sequential(nn.Conv2d(1, 1, 1, padding=15000), nn.ReLU())", "1,1,2,2"),
    ],
)
def test_verify_refuses_what_would_not_fit_before_torch_runs(
    layer: str, shape: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("torch")
    from convshape import oracle

    real = oracle.run

    def never(*args: Any, **kw: Any) -> Any:
        raise AssertionError("torch ran")

    def meta_only(spec: Any, shape: Any, device: str = "cpu") -> Any:
        if device != "meta":
            raise AssertionError("torch ran")
        return real(spec, shape, device)

    monkeypatch.setattr(oracle, "run_stack", never)
    monkeypatch.setattr(oracle, "run", meta_only)
    with quick():
        error = one_line_error(invoke("verify", layer, "-i", shape))
    assert re.search(r"would allocate about (3\.6|7\.2) GB", error) and "--max-memory" in error


def test_allocation_estimate_is_what_torch_makes() -> None:
    torch = pytest.importorskip("torch")
    from convshape.features.verify import allocation
    from convshape.readers.parse import parse_layer

    for code, shape in [
        ("nn.Conv2d(1, 1, 1, padding=1000)", (1, 1, 2, 2)),
        ("nn.AdaptiveAvgPool2d((300, 200))", (2, 3, 4, 4)),
        ("nn.MaxPool2d(2, return_indices=True)", (1, 3, 64, 64)),
    ]:
        with torch.device("meta"):
            module = eval(code, {"nn": torch.nn})
            out = module(torch.empty(shape))
        outs = out if isinstance(out, tuple) else (out,)
        made = sum(t.numel() * t.element_size() for t in outs)
        made += sum(p.numel() * p.element_size() for p in module.parameters())
        made += math.prod(shape) * 4
        assert allocation(parse_layer(code), shape) == made


def test_max_memory_raises_the_cap() -> None:
    pytest.importorskip("torch")
    layer, shape = "nn.Conv2d(1, 1, 1, padding=1500)", "1,1,2,2"  # 36 MB
    assert "36.0 MB" in one_line_error(invoke("verify", layer, "-i", shape, "--max-memory", "1MB"))
    assert invoke("verify", layer, "-i", shape, "--max-memory", "1GB").exit_code == 0
    one_line_error(invoke("verify", layer, "-i", shape, "--max-memory", "lots"))


def test_a_stack_torch_cannot_allocate_is_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    from convshape import oracle

    def out_of_memory(specs: Any, shape: Any, device: str, training: bool) -> Any:
        message = (
            "[enforce fail at alloc_cpu.cpp:121] data. DefaultCPUAllocator: can't allocate memory"
        )
        return oracle.StackOutcome((), 0, "forward", "RuntimeError", message, ())

    monkeypatch.setattr(oracle, "run_stack", out_of_memory)
    error = one_line_error(invoke("verify", "nn.Sequential(nn.ReLU())", "-i", "1,3"))
    assert "could not allocate" in error


# -- smaller defects ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("layer", "shape", "code"),
    [
        ("nn.Conv2d(3, 8, 0)", (3, 5, 5), "CS122"),
        ("nn.Conv1d(3, 8, 0)", (3, 5), "CS122"),
        ("nn.Conv3d(3, 8, (0, 1, 1))", (3, 5, 5, 5), "CS129"),
    ],
)
def test_static_lint_finds_a_zero_kernel_without_an_input(
    layer: str, shape: tuple[int, ...], code: str
) -> None:
    torch = pytest.importorskip("torch")
    from convshape.core.errors import KINDS
    from convshape.features.lint import lint_source

    module = eval(layer, {"nn": torch.nn})
    for batch in (1, 2):  # torch refuses it whatever the input
        with pytest.raises(RuntimeError):
            module(torch.empty(batch, *shape))
    with pytest.raises(RuntimeError) as raised:
        module(torch.empty(1, *shape))
    assert KINDS[code].pattern.fullmatch(str(raised.value))
    found = lint_source(f"import torch.nn as nn\nm = {layer}\n", "m.py")
    assert [f.code for f in found] == [code]


def test_shape_errors_pickle_and_take_notes() -> None:
    import pickle

    from convshape.core.engine import infer_spec
    from convshape.readers.parse import parse_layer

    result = infer_spec(parse_layer("nn.Conv2d(3, 8, 0)"), (1, 3, 5, 5))
    error = result.error
    assert error is not None
    assert pickle.loads(pickle.dumps(error)) == error
    assert pickle.loads(pickle.dumps(result)).error == error
    error.add_note("from a worker")
    assert error.__notes__ == ["from a worker"]
    with pytest.raises(AttributeError):
        error.message = "changed"  # type: ignore[misc]


def test_lint_json_is_output_format_json(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text("import torch.nn as nn\nm = nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 6))\n")
    short = invoke("lint", str(path), "--json")
    long = invoke("lint", str(path), "--output-format", "json")
    assert short.exit_code == long.exit_code == 1 and short.stdout == long.stdout
    one_line_error(invoke("lint", str(path), "--json", "--output-format", "sarif"))


@pytest.mark.parametrize(
    ("verify_name", "old_name"),
    [("max_pool", "maxpool"), ("avg_pool", "avgpool"), ("conv_transpose", "transpose")],
)
def test_solve_takes_verifys_op_names(verify_name: str, old_name: str) -> None:
    new = invoke(
        "solve",
        "64",
        "32" if verify_name != "conv_transpose" else "128",
        "--op",
        verify_name,
        "--json",
    )
    old = invoke(
        "solve", "64", "32" if old_name != "transpose" else "128", "--op", old_name, "--json"
    )
    assert new.exit_code == old.exit_code == 0 and new.stdout == old.stdout
