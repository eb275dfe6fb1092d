"""The command line: CliRunner for behaviour, subprocesses for start-up and imports."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from convshape.cli.app import cli

runner = CliRunner()


def calc(*args: str) -> tuple[int, str]:
    result = runner.invoke(cli, ["calc", *args])
    return result.exit_code, result.output


def test_flag_form_matches_pasted_form() -> None:
    code, flags = calc(
        "conv2d",
        "--input",
        "20,16,100,50",
        "--out-channels",
        "32",
        "--kernel",
        "5,3",
        "--stride",
        "2,1",
        "--padding",
        "2,1",
        "--dilation",
        "1,2",
        "--json",
    )
    assert code == 0
    code2, pasted = calc(
        "nn.Conv2d(16, 32, (5, 3), stride=(2, 1), padding=(2, 1), dilation=(1, 2))",
        "--input",
        "20,16,100,50",
        "--json",
    )
    assert code2 == 0
    assert json.loads(flags) == json.loads(pasted)
    assert json.loads(flags)["output"] == [20, 32, 50, 48]


def test_json_document_shape() -> None:
    code, out = calc("nn.Conv2d(16, 32, 3)", "-i", "20,16,50,100", "--json")
    doc = json.loads(out)
    assert code == 0
    assert doc["schema"] == "convshape.calc/1"
    assert set(doc) == {
        "schema",
        "torch",
        "op",
        "layer",
        "input",
        "output",
        "ok",
        "axes",
        "notes",
        "warnings",
        "error",
    }
    assert [a["name"] for a in doc["axes"]] == ["H", "W"]
    assert doc["axes"][0]["formula"] == "(50 + 2*0 - 1*(3-1) - 1) // 1 + 1 = 48"


def _words(text: str) -> str:
    """``text`` with every run of whitespace made one space (the terminal view wraps lines)."""
    return " ".join(text.split())


def test_failing_layer_exits_1_and_shows_fix() -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(Exception) as info:  # the same layer and input, in real torch
        torch.nn.Conv2d(5, 12, 3)(torch.empty(2, 6, 5, 5))
    torch_says = f"torch raises {info.type.__name__}: {info.value}"
    code, out = calc("nn.Conv2d(5, 12, 3)", "-i", "2,6,5,5")
    assert code == 1
    assert _words(torch_says) in _words(out)
    assert "nn.Conv2d(6, 12, 3)" in out  # convshape's own advice for this error


def test_kernel_too_big_suggests_input_and_padding() -> None:
    code, out = calc("nn.Conv2d(4, 8, 5)", "-i", "1,4,3,9", "--json")
    assert code == 1
    fixes = json.loads(out)["error"]["fixes"]
    assert "H: use an input of at least 5 (it is 3)" in fixes
    assert "H: or padding of at least 1 on that axis lets the input of size 3 through" in fixes
    torch = pytest.importorskip("torch")  # torch takes it, and the output is 1 high, not 3
    out_shape = torch.nn.Conv2d(4, 8, 5, padding=(1, 0))(torch.empty(1, 4, 3, 9)).shape
    assert tuple(out_shape) == (1, 8, 1, 5)


def test_usage_errors_are_one_line_and_exit_2() -> None:
    for args in (
        ["nn.Conv2d(16, 32,", "-i", "1,16,5,5"],
        ["conv4d", "-i", "1,2,3"],
        ["nn.Conv2d(16, 32, 3)", "-i", "1,x"],
        ["F.conv2d(x, w)", "-i", "1,2,5,5"],
    ):
        code, out = calc(*args)
        assert code == 2, (args, out)
        assert out.startswith("Error: ") and out.count("\n") == 1, out


@settings(max_examples=200, deadline=None)
@given(layer=st.text(max_size=40), shape=st.text(max_size=20))
def test_junk_never_gives_a_traceback(layer: str, shape: str) -> None:
    result = runner.invoke(cli, ["calc", layer, "--input", shape])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )


def test_version_names_torch() -> None:
    from importlib import metadata

    out = runner.invoke(cli, ["--version"]).output
    assert out.startswith(f"convshape {metadata.version('convshape')} ")
    try:  # the installed torch, as its package metadata says (torch is not imported)
        assert f"(torch {metadata.version('torch')})" in out
    except metadata.PackageNotFoundError:
        assert "(torch not installed)" in out


def test_calc_never_imports_torch() -> None:
    code = (
        "import sys, convshape\n"
        "from convshape.cli import main\n"
        "sys.argv = ['convshape', 'calc', 'nn.Conv2d(16, 32, 3)', '-i', '1,16,8,8']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "print('clean')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("clean")


def test_python_dash_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "convshape", "calc", "MaxPool2d(2)", "-i", "1,3,8,8", "--json"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0
    torch = pytest.importorskip("torch")
    expected = list(torch.nn.MaxPool2d(2)(torch.empty(1, 3, 8, 8)).shape)
    assert json.loads(out.stdout)["output"] == expected


def test_readme_documents_every_command() -> None:
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for name in cli.list_commands(None):  # type: ignore[arg-type]
        assert f"convshape {name}" in readme, name


def test_json_doc_lists_every_key() -> None:
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "json.md").read_text()
    _, out = calc("nn.Conv2d(4, 8, 5)", "-i", "1,4,3,9", "--json")  # fails after the arithmetic
    data = json.loads(out)
    assert data["axes"] and data["error"]
    for key in [*data, *data["axes"][0], *data["error"]]:
        assert f"`{key}`" in doc, key
