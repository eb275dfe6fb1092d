"""``convshape draw`` in the terminal: the picture of a layer's arithmetic, per axis, in
at most 80 columns (large axes elided in the middle), readable without colour.

One strip per axis: a row of cells (input cells by index, padding in brackets holding
the input cell it copies or ``·`` for a zero, stride gaps ``·``, output_padding ``+``,
ceil_mode's cells past the input ``»``), a row marking the cells the stride never reaches
(``×``), then one row per output cell with its window's kernel taps (``■``; ``─`` between
dilated taps), and ceil_mode's window that torch drops (``□``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text

from convshape.core.shapes import shape_text
from convshape.features.picture import (
    ROLES,
    AxisPicture,
    Cell,
    Grid,
    GridCell,
    Picture,
    Window,
    grid_of,
    shown,
)

if TYPE_CHECKING:
    from rich.console import Console

    from convshape.features.model_trace import ModelTrace
    from convshape.features.network import StackResult

__all__ = [
    "DRAW_SCHEMA",
    "LEGEND",
    "grid_view",
    "model_flow_view",
    "picture_json",
    "picture_view",
    "show_model_flow",
    "show_picture",
    "show_stack_flow",
    "stack_flow_view",
]

CELL = 4  # characters per cell
LABEL = 9  # characters of the row labels
CELLS = 17  # cells shown per strip: (80 - LABEL) // CELL, odd so the middle is the elision
WINDOWS = 7  # window rows shown per axis

LEGEND = (
    "n input cell n   [·] zero padding   [n] padding copying input cell n\n"
    "· stride gap   + output_padding   » past the input (ceil_mode)   × never reached\n"
    "■ kernel tap   □ ceil_mode window torch drops"
)
GRID_LEGEND = (
    "2-D view: · input cell   0 zero   = padding copy   + output_padding   » past the\n"
    "input   × never reached   ■ the window's taps -> the output cell they make"
)
DRAW_SCHEMA = "convshape.draw/1"
JSON_WINDOWS = 64  # windows listed per axis in --json (the rest follow from the stride)
FRAMES = 3  # stride positions the terminal's 2-D view shows (first, second, last)

_STYLE = {
    "input": "cyan",
    "pad": "yellow",
    "gap": "dim",
    "outpad": "magenta",
    "extra": "blue",
}


def picture_json(picture: Picture) -> dict[str, Any]:
    """The documented ``convshape draw --json`` document of a layer (docs/json.md)."""
    from convshape.cli.views.render import error_json

    axes = []
    for a in picture.axes:
        s = a.sweep
        counts = a.counts()
        dropped = a.dropped_window
        axes.append(
            {
                "name": a.name,
                "kind": s.kind,
                "unit": a.unit,
                "size": s.size,
                "outputs": a.outputs,
                "kernel": s.kernel,
                "stride": s.stride,
                "padding": list(s.padding),
                "padding_mode": s.mode,
                "dilation": s.dilation,
                "output_padding": s.output_padding,
                "ceil_mode": s.ceil_mode,
                "formula": a.formula,
                "problem": a.problem,
                "cells": a.length,
                "counts": {k: counts[k] for k in (*ROLES, "dropped")},
                "windows": [
                    [w.start, w.end] for w in map(a.window, range(min(a.outputs, JSON_WINDOWS)))
                ],
                "dropped_window": None if dropped is None else [dropped.start, dropped.end],
            }
        )
    grid = grid_of(picture)
    return {
        "schema": DRAW_SCHEMA,
        "op": picture.op,
        "layer": picture.title,
        "input": list(picture.input),
        "output": None if picture.output is None else list(picture.output),
        "ok": picture.ok,
        "error": None if picture.error is None else error_json(picture.error),
        "channels": None
        if picture.channels is None
        else {"input": picture.channels[0], "expected": picture.channels[1]},
        "blocks": None
        if picture.blocks is None
        else {"input": picture.blocks[0], "expected": picture.blocks[1]},
        "axes": axes,
        "grid": None
        if grid is None
        else {"cells": list(grid.shape), "outputs": list(grid.outputs), "steps": grid.steps},
    }


def show_picture(console: Console, picture: Picture) -> None:
    console.print(picture_view(picture))


def _cell_text(c: Cell) -> str:
    if c.role == "input":
        text = str(c.source)
    elif c.role == "pad":
        text = "[·]" if c.source is None else f"[{c.source}]"
    else:
        text = {"gap": "·", "outpad": "+", "extra": "»"}[c.role]
    if len(text) > CELL - 1:
        text = "[…]" if c.role == "pad" else "…" + text[-(CELL - 2) :]
    return text.rjust(CELL)


def _strip(a: AxisPicture) -> list[RenderableType]:
    positions = shown(a.length, CELLS)
    rows: list[RenderableType] = []
    fold = a.sweep.kind == "fold"
    cells = Text(("image" if fold else "cells").ljust(LABEL), style="bold")
    marks = Text()
    for pos in positions:
        if pos is None:
            cells.append(" ┄┄ ".rjust(CELL), "dim")
            marks.append(" " * CELL)
            continue
        c = a.cell(pos)
        cells.append(_cell_text(c), _STYLE[c.role])
        marks.append(("×" if c.dropped else "").rjust(CELL), "bold red")
    rows.append(cells)
    if marks.plain.strip():
        rows.append(Text("dropped".ljust(LABEL), style="red") + marks)
    if a.unit == "block" and a.outputs:  # how many blocks read (fold: sum into) each cell
        sums = Text(("sums" if fold else "copies").ljust(LABEL), style="bold")
        for pos in positions:
            n = None if pos is None else a.overlap(pos)
            sums.append(("" if n is None else str(n)).rjust(CELL), "magenta")
        rows.append(sums)
    word = "block" if a.unit == "block" else "out"
    for o in shown(a.outputs, WINDOWS):
        if o is None:
            rows.append(Text("".ljust(LABEL) + " ┄┄", style="dim"))
            continue
        rows.append(_window_row(f"{word} {o}", a.window(o), positions, "■", "green"))
    dropped = a.dropped_window
    if dropped is not None:
        rows.append(_window_row("dropped", dropped, positions, "□", "red"))
    return rows


def _hidden(positions: list[int | None]) -> tuple[int, int]:
    """The elided positions ``[lo, hi)`` (empty when nothing is elided)."""
    if None not in positions:
        return 0, 0
    i = positions.index(None)
    before, after = positions[i - 1], positions[i + 1]
    return (0 if before is None else before + 1), (0 if after is None else after)


def _window_row(label: str, w: Window, positions: list[int | None], mark: str, style: str) -> Text:
    taps = set(w.taps) if len(w.taps) < 4096 else None
    lo, hi = _hidden(positions)
    row = Text(label[:LABEL].ljust(LABEL), style="bold" if style == "green" else style)
    for pos in positions:
        if pos is None:
            row.append(" ┄┄ " if w.start < hi and w.end > lo else " " * CELL, style)
        elif w.start <= pos < w.end:
            tap = taps is None or pos in taps
            row.append((mark if tap else "─").rjust(CELL, "─" if pos > w.start else " "), style)
        else:
            row.append(" " * CELL)
    return row


def _axis_view(a: AxisPicture) -> list[RenderableType]:
    s = a.sweep
    parts: list[RenderableType] = [Text.assemble((f"{a.name}: ", "bold"), a.formula or s.kind)]
    counts = a.counts()
    fold = s.kind == "fold"
    summary = [f"{s.size} image (output_size)" if fold else f"{s.size} input"]
    if counts["pad"]:
        what = "zeros" if s.mode == "zeros" else f"{s.mode} copies"
        summary.append(f"padding {s.padding[0]}+{s.padding[1]} ({'cut off' if fold else what})")
    if counts["gap"]:
        summary.append(f"{counts['gap']} stride gaps")
    if counts["outpad"]:
        summary.append(f"output_padding {counts['outpad']}")
    if s.kind != "adaptive":
        taps = f"kernel {s.kernel}" + (f" dilated {s.dilation}" if s.dilation > 1 else "")
        summary.append(taps + (f", stride {s.stride}" if s.kind != "transpose" else ""))
    else:
        summary.append(f"{a.outputs} uneven windows")
    if a.problem is not None:
        summary.append("nothing to slide")
    elif fold:
        summary.append(f"{a.outputs} blocks overlap-added")
    else:
        summary.append(f"{a.outputs} {'blocks' if a.unit == 'block' else 'output'}")
    if counts["dropped"]:
        summary.append(f"{counts['dropped']} never reached")
    if counts["extra"]:
        summary.append(f"{counts['extra']} past the input (ceil_mode)")
    if a.dropped_window is not None:
        summary.append("1 window dropped")
    parts.append(Text(_indented(", ".join(summary)), style="dim"))
    if a.problem is not None:
        parts.append(Text(_indented(a.problem), style="bold red"))
    parts.extend(_strip(a))
    return parts


def _indented(line: str) -> str:
    """A line of prose under an axis's formula, wrapped within 80 columns."""
    import textwrap

    return textwrap.fill(line, 79, initial_indent="   ", subsequent_indent="   ")


def _mismatch(what: str, got: int, expected: int) -> list[RenderableType]:
    """What the input has against what the layer expects (channels, fold's blocks)."""
    width = 40
    top = max(got, expected, 1)

    def bar(n: int) -> str:
        return "█" * max(1, round(width * n / top)) if n > 0 else ""

    return [
        Text(f"{what} do not meet:", style="bold red"),
        Text.assemble("  input ".ljust(LABEL), (bar(got), "cyan"), f" {got}"),
        Text.assemble("  layer ".ljust(LABEL), (bar(expected), "red"), f" {expected} expected"),
    ]


def picture_view(picture: Picture) -> RenderableType:
    head = Text.assemble((picture.title, "bold"), "  ", (shape_text(picture.input), "cyan"), " -> ")
    if picture.output is not None:
        head.append(shape_text(picture.output), "bold green")
    else:
        head.append("error", "bold red")
    parts: list[RenderableType] = [head]
    for what, pair in (("channels", picture.channels), ("blocks", picture.blocks)):
        if pair is not None:
            parts.extend(_mismatch(what, *pair))
    for a in picture.axes:
        parts.extend(_axis_view(a))
    if not picture.axes:
        parts.append(Text("(no per-axis picture for this layer)", style="dim"))
    grid = grid_of(picture)
    if grid is not None:
        parts.extend(grid_view(grid))
    if picture.error is not None:
        err = picture.error
        parts.append(
            Text.assemble(("torch raises ", "red"), (f"{err.exc}: ", "bold red"), err.message)
        )
    parts.append(Text(LEGEND, style="dim"))
    return Group(*parts)


_GRID_MARK = {"input": "·", "pad": "0", "gap": "0", "outpad": "+", "extra": "»"}


def _grid_mark(c: GridCell) -> tuple[str, str]:
    if c.dropped:
        return "×", "red"
    if c.role == "pad" and c.source is not None:
        return "=", _STYLE["pad"]
    return _GRID_MARK[c.role], _STYLE[c.role]


def _frame(g: Grid, step: int) -> list[Text]:
    """One stride position: the padded input with the window's taps, the output cell."""
    (rows, cols), (out_rows, out_cols) = g.shape, g.outputs
    i, j = g.position(step)
    taps = set(g.taps(step))
    head = f"{g.rows.unit} ({i}, {j})"
    lines = [Text(head.ljust(2 * cols + 4 + 2 * out_cols), style="bold")]
    for r in range(max(rows, out_rows)):
        line = Text()
        for c in range(cols):
            if r >= rows:
                line.append("  ")
            elif (r, c) in taps:
                line.append("■ ", "bold green")
            else:
                mark, style = _grid_mark(g.cell(r, c))
                line.append(mark + " ", style)
        line.append(" -> " if r == 0 else "    ", "dim")
        for c in range(out_cols):
            if r >= out_rows:
                line.append("  ")
            else:
                line.append(*(("■ ", "bold green") if (r, c) == (i, j) else ("· ", "dim")))
        lines.append(line)
    return lines


def grid_view(g: Grid, width: int = 80) -> list[RenderableType]:
    """The 2-D view: the kernel over the padded grid at the first stride positions and
    the last, side by side as far as ``width`` allows."""
    steps = sorted({0, min(1, g.steps - 1), g.steps - 1})[:FRAMES]
    frames = [_frame(g, s) for s in steps]
    parts: list[RenderableType] = [
        Text(f"2-D view: {g.steps} stride positions, {len(steps)} of them drawn", style="bold")
    ]
    row: list[list[Text]] = []
    for f in [*frames, None]:
        used = sum(len(x[0]) + 3 for x in row)
        if f is None or (row and used + len(f[0]) > width):
            height = max(len(x) for x in row)
            for n in range(height):
                line = Text()
                for x in row:
                    line.append_text(x[n] if n < len(x) else Text(" " * len(x[0])))
                    line.append("   ")
                line.rstrip()
                parts.append(line)
            row = []
        if f is not None:
            row.append(f)
    parts.append(Text(GRID_LEGEND, style="dim"))
    return parts


def show_stack_flow(console: Console, stack: StackResult) -> None:
    console.print(stack_flow_view(stack))


def stack_flow_view(stack: StackResult) -> RenderableType:
    """The shape flow: each layer with the shape on the edge into it, a bar sized by its
    output's channels; the failing layer in red with torch's message."""
    import math

    parts: list[RenderableType] = [Text.assemble(("input ", "bold"), shape_text(stack.input))]
    known = [r.output for r in stack.rows if r.output is not None] + [stack.input]
    top = max((s[1] for s in known if len(s) > 1), default=1) or 1
    for r in stack.rows:
        parts.append(Text("  │ " + (shape_text(r.input) if r.input is not None else "?"), "dim"))
        parts.append(Text("  ▼", "dim"))
        head = Text.assemble((f"[{r.index}] ", "bold"), r.layer.code)
        if r.error is not None:
            head.append("  ✗", "bold red")
            parts.append(head)
            parts.append(Text(f"      {r.error.exc}: {r.error.message}", style="red"))
            break
        parts.append(head)
        out = r.output
        if out is not None and len(out) > 1:
            n = max(1, round(30 * math.log1p(max(out[1], 0)) / math.log1p(top)))
            parts.append(Text.assemble("      ", ("▇" * n, "cyan"), f" {out[1]} channels"))
    else:
        if stack.rows and stack.rows[-1].output is not None:
            parts.append(Text("  │", "dim"))
            parts.append(Text.assemble(("output ", "bold"), shape_text(stack.rows[-1].output)))
    return Group(*parts)


def show_model_flow(console: Console, trace: ModelTrace) -> None:
    console.print(model_flow_view(trace))


def model_flow_view(trace: ModelTrace) -> RenderableType:
    """A model's forward as its shape flow: each step (layers and the tensor operations
    between them) with the shapes on the edges into it; an edge from further back than the
    step before (a skip, a concatenation) names the step it comes from; the failing step
    in red with torch's message."""
    from convshape.features.drawing import dims_text, edge_kind, step_sources

    parts: list[RenderableType] = [
        Text.assemble((f"{trace.target} ", "bold"), "input ", dims_text(trace.input))
    ]
    if trace.build_error is not None:
        module, error, _ = trace.build_error
        what = module.path or module.type
        parts.append(Text(f"building {what}: {error.exc}: {error.message}", style="bold red"))
    previous = -1
    for step in trace.steps:
        for k, src in enumerate(step_sources(trace, step)):
            shape = dims_text(step.inputs[k] if k < len(step.inputs) else None)
            if src == previous:
                parts.append(Text(f"  │ {shape}", "dim"))
            elif src is None:
                parts.append(Text(f"  ╎ {shape} from a value not followed", "yellow"))
            else:
                origin = "the input" if src == -1 else f"[{src}]"
                kind = edge_kind(step.type)
                parts.append(Text(f"  ╞═ {kind} from {origin} {shape}", "blue"))
        parts.append(Text("  ▼", "dim"))
        name = step.path or step.type
        head = Text.assemble((f"[{step.index}] ", "bold"), name)
        if step.path:
            head.append(f"  {step.type}", "dim")
        if step.failed:
            head.append("  ✗", "bold red")
            parts.append(head)
            if step.error is not None:
                why = f"torch raises {step.error.exc}: {step.error.message}"
            else:
                why = "" if step.finding is None else step.finding.message
            parts.append(Text(f"      {why}", style="red"))
            break
        if step.output is not None:
            head.append(" -> ")
            head.append(dims_text(step.output), "green")
        parts.append(head)
        previous = step.index
    else:
        if trace.output is not None:
            parts.append(Text("  │", "dim"))
            parts.append(Text.assemble(("output ", "bold"), dims_text(trace.output)))
    if trace.reason:
        parts.append(Text(f"not followed to the end: {trace.reason}", style="yellow"))
    return Group(*parts)
