"""``convshape draw``: the pictures' content, read back from the SVG, against the
arithmetic (written out here, independently of the engine) and against torch (the output
size, and which input cell each reflect / replicate / circular padding cell copies, from
F.pad), and the terminal picture's width for random layers of every op."""

from __future__ import annotations

import io
import os
import random
import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

import convshape
from convshape.cli import cli
from convshape.cli.views.draw import picture_view
from convshape.core.engine import infer_spec
from convshape.core.registry import CONV, fuzz_ops
from convshape.features.drawing import layer_html, layer_svg
from convshape.features.picture import picture_of

runner = CliRunner()
SVG = "{http://www.w3.org/2000/svg}"


def classes(e: ET.Element) -> set[str]:
    return set(e.get("class", "").split())


def read_axes(svg: str) -> dict[str, Counter[str]]:
    """Per axis, the cells of each role, the kernel taps, the outputs and the dropped
    cells drawn in the SVG, elided ones included (a ``g.elided`` says how many it hides)."""
    root = ET.fromstring(svg)
    found: dict[str, Counter[str]] = {}
    for g in root.iter(f"{SVG}g"):
        if "axis" not in classes(g):
            continue
        c: Counter[str] = Counter()
        for e in g.iter():
            cls = classes(e)
            if e.tag == f"{SVG}rect":
                if "cell" in cls:
                    for role in ("input", "pad", "gap", "outpad", "extra", "dropped", "copy"):
                        c[role] += role in cls
                c["tap"] += "tap" in cls
                c["out"] += "out" in cls
            if e.tag == f"{SVG}g" and "elided" in cls:
                for key in ("input", "pad", "gap", "outpad", "extra", "dropped", "tap", "output"):
                    c["out" if key == "output" else key] += int(e.get(f"data-{key}", 0))
            if e.tag == f"{SVG}g" and "dropped-window" in cls:
                c["dropped_window"] += 1
        found[g.get("data-axis", "")] = c
    return found


def span(k: int, d: int) -> int:
    return d * (k - 1) + 1


# (layer, input, per axis: (input, pad, taps, output, dropped, extra cells, dropped windows))
CASES = [
    (
        "nn.Conv2d(16, 32, 3)",
        (20, 16, 50, 100),
        [(50, 0, 3, 48, 0, 0, 0), (100, 0, 3, 98, 0, 0, 0)],
    ),
    (
        "nn.Conv2d(16, 32, 3, padding=1, stride=2)",
        (20, 16, 50, 100),
        [(50, 2, 3, 25, 1, 0, 0), (100, 2, 3, 50, 1, 0, 0)],
    ),
    (
        "nn.Conv2d(16, 32, (5, 3), stride=(2, 1), padding=(2, 1), dilation=(1, 2))",
        (20, 16, 100, 50),
        [(100, 4, 5, 50, 1, 0, 0), (50, 2, 3, 48, 0, 0, 0)],
    ),
    ("nn.Conv1d(1, 1, 4, padding='same')", (1, 1, 7), [(7, 3, 4, 7, 0, 0, 0)]),
    ("nn.Conv1d(1, 1, 3, padding=2, padding_mode='reflect')", (1, 1, 5), [(5, 4, 3, 7, 0, 0, 0)]),
    ("nn.Conv1d(1, 1, 3, padding=3, padding_mode='circular')", (1, 1, 4), [(4, 6, 3, 8, 0, 0, 0)]),
    (
        "nn.Conv1d(1, 1, 2, stride=2, padding=1, padding_mode='replicate')",
        (1, 1, 6),
        [(6, 2, 2, 4, 0, 0, 0)],
    ),
    ("nn.MaxPool1d(2, ceil_mode=True)", (1, 1, 5), [(5, 0, 2, 3, 0, 1, 0)]),
    ("nn.MaxPool1d(3, stride=3, padding=1, ceil_mode=True)", (1, 1, 5), [(5, 2, 3, 2, 1, 0, 1)]),
    ("nn.AvgPool1d(3, stride=2)", (1, 1, 1000), [(1000, 0, 3, 499, 1, 0, 0)]),
    (
        "nn.ConvTranspose1d(1, 1, 3, stride=2, padding=1, output_padding=1)",
        (1, 1, 4),
        [(4, 2, 3, 8, 0, 0, 0)],
    ),
    ("nn.AdaptiveAvgPool1d(3)", (1, 1, 7), [(7, 0, 0, 3, 0, 0, 0)]),
    ("nn.Conv1d(1, 1, 5000, dilation=3)", (1, 1, 20000), [(20000, 0, 5000, 5003, 0, 0, 0)]),
    # fold: the 5-cell image padded by 1 each side holds (7 - 3) // 2 + 1 = 3 blocks a side
    ("nn.Fold(5, 3, padding=1, stride=2)", (1, 9, 9), [(5, 2, 3, 3, 0, 0, 0)] * 2),
    # unfold: H 2 taps 2 apart span 3: 5 - 3 + 1 = 3 blocks; W 6 - 3 + 1 = 4 blocks
    (
        "nn.Unfold((2, 3), dilation=(2, 1))",
        (1, 2, 5, 6),
        [(5, 0, 2, 3, 0, 0, 0), (6, 0, 3, 4, 0, 0, 0)],
    ),
]


@pytest.mark.parametrize(("layer", "shape", "expected"), CASES)
def test_svg_cells_are_the_arithmetic(
    layer: str, shape: tuple[int, ...], expected: list[tuple[int, ...]]
) -> None:
    result = convshape.infer(layer, shape)
    svg = layer_svg(picture_of(result))
    axes = read_axes(svg)
    assert len(axes) == len(expected)
    for (name, c), (n_in, n_pad, taps, out, dropped, extra, dropped_w) in zip(
        axes.items(), expected, strict=True
    ):
        assert (c["input"], c["pad"], c["tap"], c["out"]) == (n_in, n_pad, taps, out), name
        assert (c["dropped"], c["extra"], c["dropped_window"]) == (dropped, extra, dropped_w), name
    assert result.output is not None
    if result.spec.op == "fold":  # the blocks are its input, the image its output
        assert [e[0] for e in expected] == list(result.output[-2:])
    elif result.spec.op == "unfold":  # one column per block
        assert expected[0][3] * expected[1][3] == result.output[-1]
    else:
        assert [e[3] for e in expected] == list(result.output[-len(expected) :])


def test_stride_gaps_and_output_padding() -> None:
    svg = layer_svg(
        picture_of(
            convshape.infer("nn.ConvTranspose1d(1, 1, 3, stride=3, output_padding=2)", (1, 1, 4))
        )
    )
    (c,) = read_axes(svg).values()
    assert (c["input"], c["gap"], c["outpad"], c["pad"]) == (4, 3 * 2, 2, 2 * 2)


def test_windows_are_each_outputs_taps() -> None:
    svg = layer_svg(
        picture_of(
            convshape.infer("nn.Conv1d(1, 1, 3, stride=2, dilation=2, padding=1)", (1, 1, 9))
        )
    )
    root = ET.fromstring(svg)
    windows = {
        int(g.get("data-output", "")): [int(t) for t in g.get("data-taps", "").split()]
        for g in root.iter(f"{SVG}g")
        if classes(g) == {"window"}
    }
    # padded 11, span 5, stride 2: output o reads padded cells 2o, 2o+2, 2o+4
    assert windows == {o: [2 * o, 2 * o + 2, 2 * o + 4] for o in range(4)}


def test_adaptive_windows_are_uneven() -> None:
    svg = layer_svg(picture_of(convshape.infer("nn.AdaptiveMaxPool1d(3)", (1, 1, 7))))
    root = ET.fromstring(svg)
    taps = [g.get("data-taps") for g in root.iter(f"{SVG}g") if classes(g) == {"window"}]
    assert taps == ["0 1 2", "2 3 4", "4 5 6"]


def test_errors_show_why() -> None:
    too_big = picture_of(convshape.infer("nn.Conv1d(1, 1, 9)", (1, 1, 5)))
    (a,) = too_big.axes
    assert a.problem is not None and "spans 9" in a.problem and "5" in a.problem
    assert "kernel spans 9" in layer_svg(too_big)
    channels = picture_of(
        convshape.infer("F.conv2d(x, w, padding=1)", (2, 6, 5, 5), weight=(12, 5, 3, 3))
    )
    assert channels.channels == (6, 5)
    root = ET.fromstring(layer_svg(channels))
    (panel,) = [g for g in root.iter(f"{SVG}g") if "channels" in classes(g)]
    assert (panel.get("data-got"), panel.get("data-expected")) == ("6", "5")
    reflect = picture_of(
        convshape.infer("nn.Conv1d(1, 1, 3, padding=5, padding_mode='reflect')", (1, 1, 4))
    )
    assert reflect.error is not None
    assert reflect.axes[0].problem is not None and "reflect" in reflect.axes[0].problem


def read_sums(svg: str) -> dict[str, dict[int, int]]:
    """Per axis, each strip cell's count of blocks (Unfold: reading it, Fold: adding in)."""
    root = ET.fromstring(svg)
    return {
        g.get("data-axis", ""): {
            int(t.get("data-pos", "")): int(t.get("data-count", ""))
            for t in g.iter(f"{SVG}text")
            if "sum" in classes(t)
        }
        for g in root.iter(f"{SVG}g")
        if "axis" in classes(g)
    }


def test_fold_sums_are_the_overlap() -> None:
    # kernel 3, stride 2, padding 1 on 5 cells: blocks start at padded cells 0, 2, 4 and
    # each covers 3 cells, so padded cells 0..6 are covered 1, 1, 2, 1, 2, 1, 1 times
    svg = layer_svg(picture_of(convshape.infer("nn.Fold(5, 3, padding=1, stride=2)", (1, 9, 9))))
    for sums in read_sums(svg).values():
        assert [sums[p] for p in range(7)] == [1, 1, 2, 1, 2, 1, 1]
    # dilation 2: taps at 0, 2 of each of the 4 blocks (stride 1) over 5 cells
    svg = layer_svg(picture_of(convshape.infer("nn.Unfold((2, 1), dilation=2)", (1, 1, 5, 1))))
    assert [read_sums(svg)["H"][p] for p in range(5)] == [1, 1, 2, 1, 1]


PARAMETER_ERRORS = [
    ("nn.Conv1d(1, 1, 3, dilation=0)", (1, 1, 5), "dilation 0"),
    ("nn.Conv2d(1, 1, 3, stride=(1, 0))", (1, 1, 5, 5), "stride 0"),
    ("F.conv1d(x, w)", (1, 1, 5), "kernel 0"),
    ("nn.ConvTranspose1d(1, 1, 3, stride=0)", (1, 1, 5), "stride 0"),
    ("nn.MaxPool1d(2, stride=0)", (1, 1, 5), "stride 0"),
    ("nn.MaxPool2d(2, dilation=0)", (1, 1, 5, 5), "dilation 0"),
    ("nn.Unfold(3, dilation=0)", (1, 1, 5, 5), "dilation 0"),
    ("nn.Fold(4, 2, stride=0)", (1, 4, 9), "stride 0"),
    ("nn.MaxPool1d(2, padding=2)", (1, 1, 5), "padding 2 is over half the 2-cell window"),
    ("nn.AvgPool2d(3, padding=(1, 2))", (1, 1, 5, 5), "padding 2 is over half the 3-cell"),
    ("nn.MaxPool2d(2, padding=2, dilation=2)", (1, 1, 7, 7), "padding 2 is over half the 3"),
]


def _infer(layer: str, shape: tuple[int, ...]) -> convshape.Result:
    weight = (1, 1, 0) if layer.startswith("F.conv1d") else None
    return convshape.infer(layer, shape, weight=weight) if weight else convshape.infer(layer, shape)


@pytest.mark.parametrize(("layer", "shape", "why"), PARAMETER_ERRORS)
def test_parameter_errors_show_why(layer: str, shape: tuple[int, ...], why: str) -> None:
    picture = picture_of(_infer(layer, shape))
    assert picture.error is not None and picture.axes
    assert any(a.problem is not None and why in a.problem for a in picture.axes)
    assert why in layer_svg(picture)
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(picture_view(picture))
    assert why in out.getvalue()


@pytest.mark.torch
def test_fold_blocks_that_do_not_meet_against_torch() -> None:
    """Fold on 13 columns where output_size holds 3 x 4 blocks: the panel's numbers are
    the input's columns and the block count torch's own message names."""
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as raised:
        torch.nn.Fold((4, 5), 2)(torch.zeros(1, 4, 13))
    found = re.search(
        r"sliding blocks \d+ \* \d+ = (\d+), but got input.size\(2\)=(\d+)", str(raised.value)
    )
    assert found is not None
    picture = picture_of(convshape.infer("nn.Fold((4, 5), 2)", (1, 4, 13)))
    root = ET.fromstring(layer_svg(picture))
    (panel,) = [g for g in root.iter(f"{SVG}g") if "blocks" in classes(g)]
    assert (panel.get("data-got"), panel.get("data-expected")) == (found[2], found[1])
    torch.nn.Fold((4, 5), 2)(torch.zeros(1, 4, int(found[1])))  # and that many fit


@pytest.mark.torch
@pytest.mark.parametrize(("layer", "shape", "why"), PARAMETER_ERRORS)
def test_parameter_errors_raise_in_torch(layer: str, shape: tuple[int, ...], why: str) -> None:
    torch = pytest.importorskip("torch")
    x = torch.zeros(shape)
    with pytest.raises(RuntimeError):
        if layer.startswith("F."):
            torch.nn.functional.conv1d(x, torch.zeros(1, 1, 0))
        else:
            eval(layer, {"nn": torch.nn})(x)  # the test's own literal layers


# ---------------------------------------------------------------------------------------
# The 2-D view of small layers
# ---------------------------------------------------------------------------------------


def read_grid(svg: str) -> Counter[str] | None:
    """The 2-D view's cells of each role, the taps of its first window, its outputs."""
    root = ET.fromstring(svg)
    grids = [g for g in root.iter(f"{SVG}g") if "grid" in classes(g)]
    if not grids:
        return None
    (grid,) = grids
    c: Counter[str] = Counter()
    for e in grid.iter(f"{SVG}rect"):
        cls = classes(e)
        if "gcell" in cls:
            c["cell"] += 1
            for role in ("input", "pad", "gap", "outpad", "extra", "dropped", "copy"):
                c[role] += role in cls
        c["tap"] += "gtap" in cls
        c["out"] += "gout" in cls
    c["steps"] = int(grid.get("data-steps", "0"))
    return c


# (layer, input, (cells, input, pad, gap, extra, dropped, first window's taps, outputs)),
# the counts worked out by hand from each axis's padded length and output size
GRIDS = [
    # 5x5 padded by 1 -> 7x7; (7 - 3) // 2 + 1 = 3 per axis
    ("nn.Conv2d(1, 1, 3, padding=1, stride=2)", (1, 1, 5, 5), (49, 25, 24, 0, 0, 0, 9, 9)),
    # H (6 - 3) // 2 + 1 = 2 windows reach 5 rows; W (7 - 2) // 2 + 1 = 3 reach 6 columns
    ("nn.Conv2d(1, 1, (3, 2), stride=2)", (1, 1, 6, 7), (42, 42, 0, 0, 0, 42 - 30, 6, 6)),
    # ceil_mode: 3 windows of 2 per axis read 6 cells of 5
    ("nn.MaxPool2d(2, ceil_mode=True)", (1, 1, 5, 5), (36, 25, 0, 0, 11, 0, 4, 9)),
    # 3 inputs spread 2 apart -> 5 cells (2 gaps), 2 zeros each side -> 9; output 7
    ("nn.ConvTranspose2d(1, 1, 3, stride=2)", (1, 1, 3, 3), (81, 9, 81 - 25, 16, 0, 0, 9, 49)),
    # dilation 2: the 3x3 taps span 5x5; 7 - 5 + 1 = 3 per axis
    ("nn.Conv2d(1, 1, 3, dilation=2)", (1, 1, 7, 7), (49, 49, 0, 0, 0, 0, 9, 9)),
    # adaptive 5 -> 2 (first window rows 0..2), 7 -> 3 (first window columns 0..2)
    ("nn.AdaptiveAvgPool2d((2, 3))", (1, 1, 5, 7), (35, 35, 0, 0, 0, 0, 9, 6)),
    # 'same' with an even kernel pads 1 before and 2 after: 4 + 3 = 7 per axis
    ("nn.Conv2d(1, 1, 4, padding='same')", (1, 1, 4, 4), (49, 16, 33, 0, 0, 0, 16, 16)),
]


@pytest.mark.parametrize(("layer", "shape", "expected"), GRIDS)
def test_grid_cells_are_the_arithmetic(
    layer: str, shape: tuple[int, ...], expected: tuple[int, ...]
) -> None:
    c = read_grid(layer_svg(picture_of(convshape.infer(layer, shape))))
    assert c is not None
    keys = ("cell", "input", "pad", "gap", "extra", "dropped", "tap", "out")
    assert tuple(c[k] for k in keys) == expected
    assert c["steps"] == expected[-1]


def test_no_grid_for_large_or_failing_layers() -> None:
    assert not read_grid(
        layer_svg(picture_of(convshape.infer("nn.Conv2d(1, 1, 3)", (1, 1, 50, 9))))
    )
    assert read_grid(layer_svg(picture_of(convshape.infer("nn.Conv2d(1, 1, 3)", (1, 1, 9, 9)))))
    assert not read_grid(layer_svg(picture_of(convshape.infer("nn.Conv1d(1, 1, 3)", (1, 1, 9)))))
    assert not read_grid(layer_svg(picture_of(convshape.infer("nn.Conv2d(1, 1, 9)", (1, 1, 5, 5)))))


def test_terminal_grid_frames() -> None:
    result = runner.invoke(
        cli, ["draw", "nn.Conv2d(1, 1, 3, padding=1, stride=2)", "-i", "1,1,5,5"]
    )
    lines = result.output.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("2-D view: 9"))
    head = lines[start + 1]
    assert re.findall(r"output \(\d, \d\)", head) == [
        "output (0, 0)",
        "output (0, 1)",
        "output (2, 2)",
    ]
    # the first frame: the 3x3 window in the top left corner of the 7x7 padded grid
    rows = [line[:13] for line in lines[start + 2 : start + 9]]
    assert [row.count("■") for row in rows] == [3, 3, 3, 0, 0, 0, 0]
    assert rows[3] == "0 · · · · · 0" and rows[6] == "0 0 0 0 0 0 0"


def test_html_is_self_contained() -> None:
    html = layer_html(picture_of(convshape.infer("nn.Conv2d(1, 1, 3, stride=2)", (1, 1, 7, 9))))
    assert "<script>" in html and 'id="next-H"' in html and 'id="status-W"' in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert html.count("http://") == html.count("http://www.w3.org/2000/svg")


# ---------------------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------------------


def test_draw_command_writes_files(tmp_path: Path) -> None:
    svg, html = tmp_path / "a.svg", tmp_path / "a.html"
    result = runner.invoke(
        cli,
        [
            "draw",
            "conv2d",
            "-i",
            "1,3,9,9",
            "--out-channels",
            "4",
            "-k",
            "3",
            "-s",
            "2",
            "--svg",
            str(svg),
            "--html",
            str(html),
        ],
        env={"NO_COLOR": "1"},
    )
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output and "out 3" in result.output
    ET.fromstring(svg.read_text())
    assert html.read_text().startswith("<!DOCTYPE html>")
    assert sorted(os.listdir(tmp_path)) == ["a.html", "a.svg"]  # no temporary file left


def test_draw_json() -> None:
    import json

    result = runner.invoke(
        cli,
        ["draw", "nn.MaxPool1d(3, stride=3, padding=1, ceil_mode=True)", "-i", "1,1,5", "--json"],
    )
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["schema"] == "convshape.draw/1" and doc["output"] == [1, 1, 2]
    (axis,) = doc["axes"]
    # 1 + 5 + 1 padded cells; windows at 0 and 3 (3 wide): cell 6 is never read, and the
    # third window (at 6) starts in the right padding, so torch drops it
    assert axis["counts"] == {"input": 5, "pad": 2, "gap": 0, "outpad": 0, "extra": 0, "dropped": 1}
    assert axis["windows"] == [[0, 3], [3, 6]] and axis["dropped_window"] == [6, 9]
    grid = json.loads(
        runner.invoke(cli, ["draw", "nn.Conv2d(1, 1, 3)", "-i", "1,1,5,6", "--json"]).output
    )
    assert grid["grid"] == {"cells": [5, 6], "outputs": [3, 4], "steps": 12}
    stack = runner.invoke(
        cli, ["draw", "nn.Sequential(nn.Conv2d(3, 8, 3))", "-i", "1,3,5,5", "--json"]
    )
    assert json.loads(stack.output)["output"] == [1, 8, 3, 3]


def test_draw_command_error_and_stack(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["draw", "F.conv2d(x, w)", "-i", "2,6,5,5", "-w", "12,5,3,3"])
    assert result.exit_code == 1 and "channels do not meet" in result.output
    svg = tmp_path / "s.svg"
    stack = "nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 2))"
    result = runner.invoke(cli, ["draw", stack, "-i", "1,3,5,5", "--svg", str(svg)])
    assert result.exit_code == 1 and "mat1 and mat2" in result.output
    root = ET.fromstring(svg.read_text())
    layers = [g for g in root.iter(f"{SVG}g") if "layer" in classes(g)]
    assert [g.get("data-failed") for g in layers] == ["false", "false", "false", "true"]
    edges = [e.get("data-shape") for e in root.iter(f"{SVG}line") if "edge" in classes(e)]
    assert edges == ["(1, 3, 5, 5)", "(1, 8, 3, 3)", "(1, 8, 3, 3)", "(1, 72)"]
    bad = runner.invoke(
        cli,
        ["draw", "nn.Conv2d(3, 8, 3)", "-i", "1,3,5,5", "--svg", str(tmp_path / "no" / "x.svg")],
    )
    assert bad.exit_code == 2 and "cannot write" in bad.output


# ---------------------------------------------------------------------------------------
# The terminal picture fits 80 columns, for random layers of every op
# ---------------------------------------------------------------------------------------

OPS = sorted(fuzz_ops(CONV))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(OPS), st.integers(0, 2**32 - 1), st.booleans())
def test_terminal_picture_fits_80_columns(op: str, seed: int, big: bool) -> None:
    spec, shape = fuzz_ops(CONV)[op](random.Random(seed))
    if big and len(shape) > 2:
        shape = (*shape[:-1], shape[-1] * 997 + 10**6)
    picture = picture_of(infer_spec(spec, shape))
    out = io.StringIO()
    Console(file=out, width=80, color_system=None, highlight=False).print(picture_view(picture))
    lines = out.getvalue().splitlines()
    assert lines and max(map(len, lines)) <= 80, max(lines, key=len)
    ET.fromstring(layer_svg(picture))  # and its SVG is well-formed


# ---------------------------------------------------------------------------------------
# Against torch
# ---------------------------------------------------------------------------------------

ORACLE = [
    ("nn.Conv1d(1, 1, 3, padding=2, padding_mode='reflect')", (1, 1, 5)),
    ("nn.Conv1d(1, 1, 3, padding=4, padding_mode='circular')", (1, 1, 5)),
    ("nn.Conv1d(1, 1, 2, stride=2, padding=3, padding_mode='replicate')", (1, 1, 6)),
    ("nn.Conv2d(1, 1, (4, 2), padding='same', padding_mode='reflect')", (1, 1, 5, 6)),
    ("nn.Conv2d(1, 1, 3, padding=(1, 2), stride=2, padding_mode='circular')", (1, 1, 7, 4)),
    ("nn.MaxPool1d(3, stride=3, padding=1, ceil_mode=True)", (1, 1, 5)),
    ("nn.AvgPool2d(2, ceil_mode=True)", (1, 1, 5, 7)),
    ("nn.ConvTranspose2d(1, 1, 3, stride=(2, 3), padding=1, output_padding=(1, 2))", (1, 1, 4, 3)),
    ("nn.AdaptiveAvgPool2d((3, 4))", (1, 1, 7, 10)),
    ("nn.Conv3d(1, 1, 3, stride=2, dilation=(1, 2, 1))", (1, 1, 7, 9, 8)),
]


@pytest.mark.torch
@pytest.mark.parametrize(
    "layer",
    [
        "nn.Conv2d(1, 1, 3, padding=2, padding_mode='reflect')",
        "nn.Conv2d(1, 1, 3, padding=(1, 3), padding_mode='circular')",
        "nn.Conv2d(1, 1, 2, padding=(2, 1), padding_mode='replicate', stride=2)",
    ],
)
def test_grid_copies_against_torch(layer: str) -> None:
    """Each padding cell of the 2-D view copies the input cell F.pad puts there (corners
    included): pad an input whose cells hold their own index and read it back."""
    torch = pytest.importorskip("torch")
    h, w = 4, 5
    module = eval(layer, {"nn": torch.nn})  # the test's own literal layers
    expected_out = tuple(module(torch.zeros(1, 1, h, w)).shape)
    padded = torch.nn.functional.pad(
        torch.arange(h * w, dtype=torch.float32).view(1, 1, h, w),
        module._reversed_padding_repeated_twice,
        mode=module.padding_mode,
    )[0, 0]
    svg = layer_svg(picture_of(convshape.infer(layer, (1, 1, h, w))))
    grid = next(g for g in ET.fromstring(svg).iter(f"{SVG}g") if "grid" in classes(g))
    drawn = {}
    for r in grid.iter(f"{SVG}rect"):
        if "gcell" in classes(r):
            src_row, src_col = map(int, r.get("data-source", "").split())
            drawn[int(r.get("data-row", "")), int(r.get("data-col", ""))] = src_row * w + src_col
    assert drawn == {
        (i, j): int(v) for i, row in enumerate(padded.tolist()) for j, v in enumerate(row)
    }
    outs = [r for r in grid.iter(f"{SVG}rect") if "gout" in classes(r)]
    assert len(outs) == expected_out[2] * expected_out[3]


@pytest.mark.torch
@pytest.mark.parametrize(
    ("layer", "shape"),
    [
        ("nn.Fold((5, 6), (3, 2), padding=1, stride=2)", (1, 6, 12)),
        ("nn.Fold((7, 4), (2, 2), dilation=(2, 1), stride=(1, 2))", (2, 4, 10)),
        ("nn.Unfold((2, 3), dilation=(2, 1), padding=(0, 1))", (1, 1, 5, 6)),
        ("nn.Unfold(3, stride=2, padding=1)", (1, 2, 7, 5)),
    ],
)
def test_block_sums_against_torch(layer: str, shape: tuple[int, ...]) -> None:
    """Fold of ones is, per image cell, how many block values its overlap-add sums; fold
    of unfold of ones is how many blocks read each input cell: the sums drawn per axis,
    multiplied across the axes, for every image (input) cell."""
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    module = eval(layer, {"nn": torch.nn})  # the test's own literal layers
    kw = {k: getattr(module, k) for k in ("kernel_size", "dilation", "padding", "stride")}
    if isinstance(module, torch.nn.Fold):
        counts = F.fold(torch.ones(shape), module.output_size, **kw)
    else:
        counts = F.fold(F.unfold(torch.ones(shape), **kw), shape[-2:], **kw)
    counts = counts[0, 0]
    picture = picture_of(convshape.infer(layer, shape))
    sums = read_sums(layer_svg(picture))
    rows, cols = picture.axes
    image_rows = [p for p in range(rows.length) if rows.cell(p).role == "input"]
    image_cols = [p for p in range(cols.length) if cols.cell(p).role == "input"]
    drawn = [[sums["H"][r] * sums["W"][c] for c in image_cols] for r in image_rows]
    assert drawn == [[int(v) for v in row] for row in counts.tolist()]


@pytest.mark.torch
@pytest.mark.parametrize(("layer", "shape"), ORACLE)
def test_pictures_against_torch(layer: str, shape: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    result = convshape.infer(layer, shape)
    module = eval(layer, {"nn": torch.nn})  # the test's own literal layers
    expected = tuple(module(torch.zeros(shape)).shape)
    picture = picture_of(result)
    axes = read_axes(layer_svg(picture))
    assert tuple(axes[a.name]["out"] for a in picture.axes) == expected[2:]
    mode = getattr(module, "padding_mode", "zeros")
    if mode == "zeros":
        return
    pads = module._reversed_padding_repeated_twice  # F.pad order: last axis first
    n = len(picture.axes)
    root = ET.fromstring(layer_svg(picture))
    for i, a in enumerate(picture.axes):
        left, right = pads[2 * (n - 1 - i)], pads[2 * (n - 1 - i) + 1]
        size = shape[2 + i]
        padded = F.pad(
            torch.arange(size, dtype=torch.float32).view(1, 1, size), (left, right), mode=mode
        )
        torch_sources = [int(v) for v in padded.flatten().tolist()]
        g = next(g for g in root.iter(f"{SVG}g") if g.get("data-axis") == a.name)
        drawn = {
            int(r.get("data-pos", "")): int(r.get("data-source", "-1"))
            for r in g.iter(f"{SVG}rect")
            if "cell" in classes(r)
        }
        assert drawn == dict(enumerate(torch_sources)), a.name
        assert sum(1 for r in g.iter(f"{SVG}rect") if "copy" in classes(r)) == left + right


# ---------------------------------------------------------------------------------------
# The pictures in README.md and docs/tutorial.md are current
# ---------------------------------------------------------------------------------------


def test_doc_pictures_are_current() -> None:
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    script = root / "scripts" / "gen_pictures.py"
    check = subprocess.run(
        [sys.executable, str(script), "--check"], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout + check.stderr
    sys.path.insert(0, str(script.parent))
    try:
        from gen_pictures import PICTURES
    finally:
        sys.path.remove(str(script.parent))
    docs = (root / "README.md").read_text() + (root / "docs" / "tutorial.md").read_text()
    for name in PICTURES:
        assert f"pictures/{name})" in docs, name
        ET.parse(root / "docs" / "pictures" / name)


# ---------------------------------------------------------------------------------------
# Models: the shape flow of a forward, with skip and concatenation edges
# ---------------------------------------------------------------------------------------

MODEL = """
import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class Res(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a = Block(c, c)
        self.b = Block(c, c)

    def forward(self, x):
        return x + self.b(self.a(x))


class Net(nn.Module):
    def __init__(self, head=32):
        super().__init__()
        self.stem = Block(3, 16)
        self.res = Res(16)
        self.down = nn.MaxPool2d(2)
        self.deep = Block(16, 32)
        self.up = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.head = nn.Conv2d(head, 2, 1)

    def forward(self, x):
        s = self.res(self.stem(x))
        y = self.up(self.deep(self.down(s)))
        y = torch.cat([s, y], dim=1)
        return self.head(y)
"""
# The forward's steps, as the code above reads: [2] stem's relu, [3..8] the residual
# branch, [9] the + of the residual, [10..14] down and up, [15] the cat, [16] the head.
MODEL_SKIPS = {(2, 9, "skip"), (9, 15, "concat")}


def read_flow(svg: str) -> tuple[dict[int, ET.Element], set[tuple[int, int, str]]]:
    """The flow's blocks by step index, and its edges (from, to, kind)."""
    root = ET.fromstring(svg)
    nodes = {int(g.get("data-index", "")): g for g in root.iter(f"{SVG}g") if "node" in classes(g)}
    edges = set()
    for e in root.iter():
        cls = classes(e)
        if "edge" in cls and e.get("data-to") is not None:
            kinds = [k for k in ("concat", "skip", "branch") if k in cls]
            kind = kinds[0] if kinds else "next"
            edges.add((int(e.get("data-from", "")), int(e.get("data-to", "")), kind))
    return nodes, edges


def draw_model(tmp_path: Path, target: str, shape: str) -> tuple[int, str, str]:
    model = tmp_path / "net.py"
    model.write_text(MODEL)
    svg, html = tmp_path / "net.svg", tmp_path / "net.html"
    files = ["--svg", str(svg), "--html", str(html)]
    result = runner.invoke(
        cli,
        ["draw", "--file", str(model), "--variable", target, "-i", shape, *files],
        env={"NO_COLOR": "1"},
    )
    assert html.read_text().startswith("<!DOCTYPE html>")
    return result.exit_code, result.output, svg.read_text()


def test_model_flow_edges(tmp_path: Path) -> None:
    code, output, svg = draw_model(tmp_path, "Net", "1,3,32,32")
    assert code == 0, output
    nodes, edges = read_flow(svg)
    assert sorted(nodes) == list(range(-1, 17))
    assert {e for e in edges if e[2] != "next"} == MODEL_SKIPS
    # every other step reads the one before it (step 0: the input)
    nexts = {(a, b) for a, b, kind in edges if kind == "next"}
    assert nexts == {(i - 1, i) for i in range(17)}
    assert nodes[15].get("data-type") == "torch.cat" and nodes[9].get("data-type") == "add"
    assert "skip from [2]" in output and "concat from [9]" in output
    assert [nodes[i].get("data-failed") for i in range(17)] == ["false"] * 17


@pytest.mark.torch
def test_model_flow_against_torch(tmp_path: Path) -> None:
    """Each layer's block carries the output shape torch's forward hook sees, and a model
    that fails has its failing layer in red with torch's own message."""
    torch = pytest.importorskip("torch")
    namespace: dict[str, object] = {}
    exec(compile(MODEL, "net.py", "exec"), namespace)  # the test's own model
    net = namespace["Net"]()  # type: ignore[operator]
    seen: dict[str, tuple[int, ...]] = {}
    for name, module in net.named_modules():
        if not list(module.children()):
            module.register_forward_hook(
                lambda m, i, o, name=name: seen.__setitem__(name, tuple(o.shape))
            )
    out = net.eval()(torch.zeros(1, 3, 32, 32))
    code, _, svg = draw_model(tmp_path, "Net", "1,3,32,32")
    assert code == 0
    nodes, _ = read_flow(svg)
    drawn = {g.get("data-path"): g.get("data-output") for g in nodes.values() if g.get("data-path")}
    assert drawn == {k: str(v) for k, v in seen.items()}
    assert f"output {tuple(out.shape)}" in "".join(ET.fromstring(svg).itertext())
    bad = namespace["Net"](head=16)  # type: ignore[operator]
    with pytest.raises(RuntimeError) as raised:
        bad.eval()(torch.zeros(1, 3, 32, 32))
    code, _, svg = draw_model(tmp_path, "Net(head=16)", "1,3,32,32")
    assert code == 1
    nodes, _ = read_flow(svg)
    failed = [i for i, g in nodes.items() if g.get("data-failed") == "true"]
    assert failed == [16] and nodes[16].get("data-path") == "head"
    text = "".join("".join(nodes[16].itertext()).split())  # the message wrapped in lines
    assert "".join(str(raised.value).split()) in text


@pytest.mark.torch
def test_model_build_error_against_torch(tmp_path: Path) -> None:
    """A constructor torch refuses: the flow says which module and torch's message."""
    pytest.importorskip("torch")
    code = MODEL.replace("self.down = nn.MaxPool2d(2)", "self.down = nn.Conv2d(16, 6, 3, groups=4)")
    namespace: dict[str, object] = {}
    exec(compile(code, "net.py", "exec"), namespace)  # the test's own model
    with pytest.raises(ValueError) as raised:
        namespace["Net"]()  # type: ignore[operator]
    model = tmp_path / "net.py"
    model.write_text(code)
    svg = tmp_path / "net.svg"
    result = runner.invoke(
        cli, ["draw", "--file", str(model), "-i", "1,3,32,32", "--svg", str(svg)]
    )
    assert result.exit_code == 1
    texts = "".join(ET.fromstring(svg.read_text()).itertext())
    assert f"building down: ValueError: {raised.value}" in texts


def test_model_flow_values_not_followed(tmp_path: Path) -> None:
    """A layer fed by a call convshape cannot follow gets no edge (not one from the
    input): a stub says its source is not known."""
    model = tmp_path / "net.py"
    model.write_text(
        "from torch import nn\nfrom mystery import shuffle\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.a = nn.Conv2d(3, 8, 3)\n"
        "        self.b = nn.Conv2d(8, 4, 3)\n\n"
        "    def forward(self, x):\n"
        "        return self.b(shuffle(self.a(x)))\n"
    )
    svg = tmp_path / "net.svg"
    result = runner.invoke(cli, ["draw", "--file", str(model), "-i", "1,3,9,9", "--svg", str(svg)])
    assert "from a value not followed" in result.output
    root = ET.fromstring(svg.read_text())
    _, edges = read_flow(svg.read_text())
    assert edges == {(-1, 0, "next")}
    stubs = [e.get("data-to") for e in root.iter(f"{SVG}line") if "stub" in classes(e)]
    assert stubs == ["1"]
