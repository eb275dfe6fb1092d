"""Pictures as files: a layer's :class:`~convshape.features.picture.Picture` as a
self-contained SVG (no scripts, no external references: it shows in a browser and in a
GitHub README) or as an HTML page that steps through the stride positions (inline SVG,
inline script, no network), and a stack's shape flow as SVG or HTML.

The SVG carries its content as data, so tests read it back: every strip cell is a
``rect`` with the class ``cell`` and its role (``input``, ``pad``, ``gap``, ``outpad``,
``extra``; ``copy`` and ``data-source`` for a padding cell that copies an input cell;
``dropped`` for a cell the stride never reaches), each kernel tap a ``rect.tap``, each
output cell a ``rect.out``, each window a ``g.window`` with ``data-output`` and
``data-taps``, and an elided middle a ``g.elided`` with the count of each role it hides.
For Unfold and Fold, each cell's ``text.sum`` (``data-pos``, ``data-count``) says how many
blocks read it (Unfold) or add into it (Fold's overlap-add).

A small layer with two spatial axes also gets its 2-D view, a ``g.grid``: every cell of
the padded input a ``rect.gcell`` with its role (``data-row``, ``data-col``, and
``data-source`` "row col" for the input cell it holds), the taps of the window at the
first stride position ``rect.gtap``, and each output cell a ``rect.gout``.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from convshape.core.shapes import shape_text
from convshape.features.picture import (
    ROLES,
    AxisPicture,
    Grid,
    Picture,
    Window,
    grid_of,
    shown,
)

if TYPE_CHECKING:
    from convshape.features.model_trace import Dims, ModelTrace, Step
    from convshape.features.network import StackResult

__all__ = [
    "dims_text",
    "edge_kind",
    "layer_html",
    "layer_svg",
    "model_html",
    "model_svg",
    "stack_html",
    "stack_svg",
    "step_sources",
]

C = 26  # px per cell
LEFT = 78  # px of the row labels
CELLS = 33  # cells shown per strip (odd: the middle one is the elision)
OUTS = 21  # output cells shown per axis
WINDOWS = 9  # window rows shown per axis (the HTML page steps through all of them)
FONT = "font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace"

STYLE = f"""
svg {{ background:#fff; }}
text {{ {FONT}; font-size:11px; fill:#222; }}
text.title {{ font-size:14px; font-weight:bold; }}
text.formula {{ font-size:12px; font-weight:bold; }}
text.note, text.legend {{ fill:#666; }}
text.problem, text.error {{ fill:#c62828; font-weight:bold; }}
text.label {{ fill:#555; }}
text.sum {{ fill:#8e24aa; font-weight:bold; }}
rect.cell {{ stroke:#555; stroke-width:1; }}
rect.input {{ fill:#d6eaf8; }}
rect.pad {{ fill:#fff3c4; stroke-dasharray:3 2; }}
rect.copy {{ fill:#ffe08a; }}
rect.gap {{ fill:#eee; }}
rect.outpad {{ fill:#f3d9fa; }}
rect.extra {{ fill:#dde3ff; stroke-dasharray:2 2; }}
rect.dropped {{ fill:#f8d7da; stroke:#c62828; }}
rect.tap {{ fill:#2e7d32; }}
rect.hole {{ fill:none; stroke:#2e7d32; stroke-dasharray:2 2; }}
rect.out {{ fill:#c8e6c9; stroke:#2e7d32; }}
g.window line.bar {{ stroke:#2e7d32; stroke-width:2; }}
g.window rect.wtap {{ fill:#2e7d32; }}
g.window line.tie {{ stroke:#2e7d32; stroke-width:0.6; opacity:0.6; }}
g.dropped-window line.bar {{ stroke:#c62828; stroke-dasharray:4 3; }}
g.dropped-window rect.wtap {{ fill:none; stroke:#c62828; }}
g.cursor rect {{ fill:none; stroke:#d81b60; stroke-width:3; }}
rect.gcell {{ stroke:#555; stroke-width:1; }}
rect.gtap {{ fill:#2e7d32; fill-opacity:0.75; }}
rect.gout {{ fill:#c8e6c9; stroke:#2e7d32; }}
rect.gout.current {{ fill:#2e7d32; }}
g#cursor-grid rect {{ fill:#2e7d32; fill-opacity:0.6; stroke:#d81b60; stroke-width:2; }}
rect.block {{ fill:#d6eaf8; stroke:#1f4e79; }}
rect.block.failed {{ fill:#f8d7da; stroke:#c62828; stroke-width:2; }}
line.edge {{ stroke:#333; stroke-width:1.5; }}
line.stub {{ stroke:#999; stroke-width:1.5; stroke-dasharray:2 2; }}
path.edge {{ fill:none; stroke:#1565c0; stroke-width:1.5; }}
path.edge.concat {{ stroke:#8e24aa; stroke-dasharray:5 3; }}
path.edge.branch {{ stroke:#777; }}
text.edge-label {{ fill:#1565c0; font-size:10px; }}
rect.block.op {{ fill:#f3e5f5; stroke:#8e24aa; }}
"""


def _attrs(**values: object) -> str:
    return "".join(
        f" {k.rstrip('_').replace('_', '-')}={quoteattr(str(v))}"
        for k, v in values.items()
        if v is not None
    )


def _rect(x: float, y: float, w: float, h: float, **attrs: object) -> str:
    return f'<rect x="{x:g}" y="{y:g}" width="{w:g}" height="{h:g}"{_attrs(**attrs)}/>'


def _text(x: float, y: float, text: str, cls: str = "", anchor: str = "start") -> str:
    extra = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return f'<text x="{x:g}" y="{y:g}"{_attrs(class_=cls or None)}{extra}>{escape(text)}</text>'


class _Columns:
    """Strip positions (or output indices) -> x, with one column for an elided middle."""

    def __init__(self, positions: list[int | None]) -> None:
        self.positions = positions
        self.index = {p: i for i, p in enumerate(positions) if p is not None}
        self.gap = positions.index(None) if None in positions else None

    def x(self, pos: int) -> float:
        i = self.index.get(pos)
        if i is None:
            i = self.gap if self.gap is not None else 0
        return LEFT + i * C

    @property
    def hidden(self) -> tuple[int, int]:
        if self.gap is None:
            return 0, 0
        before, after = self.positions[self.gap - 1], self.positions[self.gap + 1]
        return (0 if before is None else before + 1), (0 if after is None else after)


def _cell_label(a: AxisPicture, pos: int) -> tuple[str, str, dict[str, object]]:
    c = a.cell(pos)
    classes = ["cell", c.role]
    data: dict[str, object] = {"data_pos": pos}
    label = ""
    if c.role == "input":
        label = str(c.source)
        data["data_source"] = c.source
    elif c.role == "pad":
        if c.source is not None:
            classes.append("copy")
            data["data_source"] = c.source
            label = f"={c.source}"
        else:
            label = "0"
    elif c.role in ("gap", "outpad"):
        label = "0"
    if c.dropped:
        classes.append("dropped")
    if len(label) > 4:
        label = "…" + label[-3:]
    return " ".join(classes), label, data


def _axis_svg(a: AxisPicture, y: float, html: bool) -> tuple[list[str], float, dict[str, object]]:
    s = a.sweep
    out: list[str] = []
    cols = _Columns(shown(a.length, CELLS))
    outs = _Columns(shown(a.outputs, OUTS))
    attrs = _attrs(
        class_="axis",
        id=f"axis-{a.name}",
        data_axis=a.name,
        data_kind=s.kind,
        data_size=s.size,
        data_outputs=a.outputs,
        data_kernel=s.kernel if s.kind != "adaptive" else None,
        data_stride=s.stride,
        data_dilation=s.dilation,
        data_length=a.length,
    )
    out.append(f"<g{attrs}>")
    out.append(_text(8, y + 14, f"{a.name}: {a.formula or s.kind}", "formula"))
    y += 22
    for note in a.notes[:4]:
        out.append(_text(20, y + 10, f"- {note}", "note"))
        y += 14
    if a.problem:
        out.append(_text(20, y + 11, a.problem, "problem"))
        y += 16
    # the strip
    y += 4
    label = {"transpose": "spread", "fold": "image"}.get(s.kind, "input")
    out.append(_text(8, y + C * 0.65, label, "label"))
    for pos in cols.positions:
        if pos is None:
            continue
        classes, label, data = _cell_label(a, pos)
        x = cols.x(pos)
        out.append(
            f'<rect x="{x + 1:g}" y="{y:g}" width="{C - 2}" height="{C - 2}"'
            f"{_attrs(class_=classes, **data)}/>"
        )
        if label:
            out.append(_text(x + C / 2, y + C * 0.6, label, "", "middle"))
    lo, hi = cols.hidden
    if hi > lo:
        counts = a.counts(lo, hi)
        data = {f"data_{role}": counts[role] for role in (*ROLES, "dropped") if counts[role]}
        x = cols.x(lo)
        out.append(f"<g{_attrs(class_='elided', data_from=lo, data_to=hi, **data)}>")
        out.append(_text(x + C / 2, y + C * 0.6, "…", "", "middle"))
        out.append(_text(x + C / 2, y + C + 10, f"{hi - lo} more", "note", "middle"))
        out.append("</g>")
    strip_y = y
    y += C + (14 if hi > lo else 4)
    if a.unit == "block" and a.outputs:  # how many blocks read (fold: sum into) each cell
        out.append(_text(8, y + 11, "sums" if s.kind == "fold" else "copies", "label"))
        sums = []
        for pos in cols.positions:
            n = None if pos is None else a.overlap(pos)
            if pos is not None and n is not None:
                sums.append(
                    f'<text x="{cols.x(pos) + C / 2:g}" y="{y + 11:g}" text-anchor="middle"'
                    f"{_attrs(class_='sum', data_pos=pos, data_count=n)}>{n}</text>"
                )
        out.append(f'<g class="sums">{"".join(sums)}</g>')
        y += 18
    # the kernel
    if s.kind != "adaptive" and a.outputs:
        out.append(_text(8, y + C * 0.5, "kernel", "label"))
        span_cols = _Columns(shown(a.span, CELLS))
        for t in span_cols.positions:
            if t is None:
                continue
            cls = "tap" if t % s.dilation == 0 else "hole"
            x = span_cols.x(t)
            out.append(
                f'<rect x="{x + 3:g}" y="{y + 2:g}" width="{C - 6}" height="{C * 0.6:g}"'
                f"{_attrs(class_=cls, data_offset=t)}/>"
            )
        klo, khi = span_cols.hidden
        if khi > klo:
            hidden_taps = (
                len([t for t in range(klo, khi) if t % s.dilation == 0])
                if khi - klo < 1 << 20
                else _taps_between(klo, khi, s.dilation)
            )
            out.append(
                f"<g{_attrs(class_='elided', data_tap=hidden_taps)}>"
                + _text(span_cols.x(klo) + C / 2, y + C * 0.55, "…", "", "middle")
                + "</g>"
            )
        y += C * 0.6 + 10
    # the windows
    win_y = y
    rows = shown(a.outputs, WINDOWS)
    for i, o in enumerate(rows):
        if o is None:
            out.append(_text(LEFT - 10, win_y + i * 11 + 8, "┄", "note", "end"))
            continue
        out.append(_window_svg(a.window(o), cols, outs, win_y + i * 11, None, "window"))
    y = win_y + len(rows) * 11 + 8
    dropped = a.dropped_window
    if dropped is not None:
        out.append(_window_svg(dropped, cols, None, y, None, "window dropped-window"))
        out.append(_text(LEFT - 6, y + 4, "dropped", "error", "end"))
        y += 14
    y += 18  # room for the ties
    out_y = y
    # ties from the windows to their output cells
    ties = []
    for i, o in enumerate(rows):
        if o is None:
            continue
        w = a.window(o)
        x0 = (cols.x(w.start) + cols.x(w.end - 1) + C) / 2
        ties.append(
            f'<line class="tie" data-output="{o}" x1="{x0:g}" y1="{win_y + i * 11 + 3:g}"'
            f' x2="{outs.x(o) + C / 2:g}" y2="{out_y:g}"/>'
        )
    out.append(f'<g class="ties" stroke="#2e7d32">{"".join(ties)}</g>')
    out.append(_text(8, out_y + C * 0.65, "blocks" if a.unit == "block" else "output", "label"))
    for o in outs.positions:
        if o is None:
            continue
        x = outs.x(o)
        out.append(
            f'<rect x="{x + 1:g}" y="{out_y:g}" width="{C - 2}" height="{C - 2}"'
            f"{_attrs(class_='out', data_output=o)}/>"
        )
        out.append(_text(x + C / 2, out_y + C * 0.6, str(o) if o < 1000 else "…", "", "middle"))
    olo, ohi = outs.hidden
    if ohi > olo:
        x = outs.x(olo)
        out.append(
            f"<g{_attrs(class_='elided', data_output=ohi - olo)}>"
            + _text(x + C / 2, out_y + C * 0.6, "…", "", "middle")
            + _text(x + C / 2, out_y + C + 10, f"{ohi - olo} more", "note", "middle")
            + "</g>"
        )
    if html:
        out.append(f'<g class="cursor" id="cursor-{a.name}"></g>')
    y = out_y + C + (16 if ohi > olo else 6)
    out.append("</g>")
    meta: dict[str, object] = {
        "name": a.name,
        "unit": a.unit,
        "kind": s.kind,
        "size": s.size,
        "outputs": a.outputs,
        "kernel": s.kernel,
        "stride": s.stride,
        "dilation": s.dilation,
        "start": a.window(0).start if a.outputs else 0,
        "cells": cols.positions,
        "outs": outs.positions,
        "strip": [strip_y, C],
        "out": [out_y, C],
        "left": LEFT,
    }
    return out, y, meta


def _taps_between(lo: int, hi: int, d: int) -> int:
    return (hi - 1) // d - (lo - 1) // d


def _window_svg(
    w: Window, cols: _Columns, outs: _Columns | None, y: float, _: object, cls: str
) -> str:
    x0, x1 = cols.x(w.start), cols.x(w.end - 1) + C
    taps = " ".join(map(str, w.taps)) if len(w.taps) <= 64 else f"{w.start}..{w.end - 1}"
    parts = [f"<g{_attrs(class_=cls, data_output=w.output, data_taps=taps)}>"]
    parts.append(
        f'<line class="bar" x1="{x0 + 2:g}" y1="{y + 3:g}" x2="{x1 - 2:g}" y2="{y + 3:g}"/>'
    )
    for t in w.taps[:64]:
        if t in cols.index:
            x = cols.x(t)
            parts.append(
                f'<rect class="wtap" x="{x + C / 2 - 3:g}" y="{y:g}" width="6" height="6"/>'
            )
    parts.append("</g>")
    return "".join(parts)


def _legend(y: float) -> tuple[list[str], float]:
    items = [
        ("cell input", "input cell (its index)"),
        ("cell pad", "zero padding"),
        ("cell pad copy", "padding: =n copies input n"),
        ("cell gap", "stride gap (transposed)"),
        ("cell outpad", "output_padding"),
        ("cell extra", "past the input (ceil_mode)"),
        ("cell dropped", "never reached"),
        ("tap", "kernel tap"),
    ]
    out = []
    x = 8.0
    for cls, label in items:
        width = 16 + 6.7 * len(label) + 14
        if x + width > 8 + 4 * 200:
            x, y = 8.0, y + 18
        out.append(_rect(x, y, 12, 12, class_="legend-key " + cls))
        out.append(_text(x + 16, y + 10, label, "legend"))
        x += width
    return out, y + 22


G = 22  # px per cell of the 2-D view


def _grid_svg(g: Grid, y: float, html: bool) -> tuple[list[str], float, float, dict[str, object]]:
    """The 2-D view: the padded input grid with the window at the first stride position
    (the page steps it through all of them) and the output grid."""
    (rows, cols), (out_rows, out_cols) = g.shape, g.outputs
    out: list[str] = [
        f"<g{_attrs(class_='grid', data_rows=rows, data_cols=cols, data_steps=g.steps)}>",
        _text(8, y + 14, f"2-D view: the window at stride position (0, 0) of {g.steps}", "formula"),
    ]
    y += 24
    x0, ox = LEFT, LEFT + cols * G + 70
    for r in range(rows):
        for c in range(cols):
            cell = g.cell(r, c)
            classes = ["gcell", cell.role]
            if cell.role == "pad" and cell.source is not None:
                classes.append("copy")
            if cell.dropped:
                classes.append("dropped")
            source = None if cell.source is None else f"{cell.source[0]} {cell.source[1]}"
            out.append(
                _rect(
                    x0 + c * G,
                    y + r * G,
                    G,
                    G,
                    class_=" ".join(classes),
                    data_row=r,
                    data_col=c,
                    data_source=source,
                )
            )
    taps = [
        _rect(x0 + c * G + 4, y + r * G + 4, G - 8, G - 8, class_="gtap", data_row=r, data_col=c)
        for r, c in g.taps(0)
    ]
    out.append(f'<g class="gtaps">{"".join(taps)}</g>')
    mid = y + min(rows, out_rows) * G / 2
    out.append(f'<line class="edge" x1="{ox - 60:g}" y1="{mid:g}" x2="{ox - 12:g}" y2="{mid:g}"/>')
    out.append(_text(ox - 12, mid + 4, "▶", "label", "end"))
    for r in range(out_rows):
        for c in range(out_cols):
            cls = "gout current" if (r, c) == (0, 0) else "gout"
            out.append(_rect(ox + c * G, y + r * G, G, G, class_=cls, data_row=r, data_col=c))
    if html:
        out.append('<g class="cursor" id="cursor-grid"></g>')
    out.append("</g>")
    meta: dict[str, object] = {"x": x0, "y": y, "ox": ox, "c": G, "steps": g.steps}
    return out, y + max(rows, out_rows) * G + 14, ox + out_cols * G + 16, meta


def _mismatch_svg(what: str, got: int, expected: int, y: float) -> tuple[list[str], float]:
    """Two bars: what the input has and what the layer expects (channels, fold's blocks)."""
    top = max(got, expected, 1)
    body = [f"<g{_attrs(class_=what, data_got=got, data_expected=expected)}>"]
    body.append(_text(8, y + 11, f"{what} do not meet:", "error"))
    y += 16
    for label, n, cls in (
        ("input", got, "cell input"),
        ("layer expects", expected, "cell dropped"),
    ):
        w = max(4.0, 300 * n / top)
        body.append(_text(8, y + 11, label, "label"))
        body.append(
            f'<rect x="{LEFT + 30}" y="{y:g}" width="{w:g}" height="13"{_attrs(class_=cls)}/>'
        )
        body.append(_text(LEFT + 36 + w, y + 11, str(n)))
        y += 17
    body.append("</g>")
    return body, y + 6


_Body = tuple[list[str], float, float, list[dict[str, object]], dict[str, object] | None]


def _layer_body(p: Picture, html: bool) -> _Body:
    body: list[str] = []
    y = 6.0
    title = f"{p.title}  {shape_text(p.input)} -> "
    title += shape_text(p.output) if p.output is not None else "error"
    body.append(_text(8, y + 14, title, "title"))
    y += 26
    width = 8 + 7.6 * len(title)
    for what, pair in (("channels", p.channels), ("blocks", p.blocks)):
        if pair is not None:
            part, y = _mismatch_svg(what, *pair, y)
            body.extend(part)
    metas = []
    for a in p.axes:
        part, y, meta = _axis_svg(a, y, html)
        body.extend(part)
        metas.append(meta)
        width = max(width, LEFT + C * max(len(meta["cells"]), len(meta["outs"])) + 16)  # type: ignore[arg-type]
        width = max(
            width, 30 + 6.7 * max([len(a.formula), *map(len, a.notes[:4]), len(a.problem or "")])
        )
        y += 12
    grid = grid_of(p)
    grid_meta = None
    if grid is not None:
        part, y, grid_width, grid_meta = _grid_svg(grid, y, html)
        body.extend(part)
        width = max(width, grid_width)
    if p.error is not None:
        for line in _wrap(f"torch raises {p.error.exc}: {p.error.message}", 110):
            body.append(_text(8, y + 12, line, "error"))
            y += 16
            width = max(width, 16 + 6.7 * len(line))
        y += 6
    legend, y = _legend(y)
    body.extend(legend)
    return body, max(width, 820), y + 4, metas, grid_meta


def _wrap(text: str, n: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text, n) or [""]


def _svg(body: list[str], width: float, height: float, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{math.ceil(width)}" '
        f'height="{math.ceil(height)}" viewBox="0 0 {math.ceil(width)} {math.ceil(height)}" '
        f'role="img" aria-label={quoteattr(title)}>'
        f"<title>{escape(title)}</title><style>{STYLE}</style>"
        f'<rect class="background" x="0" y="0" width="100%" height="100%" fill="#fff"/>'
        + "".join(body)
        + "</svg>\n"
    )


def layer_svg(p: Picture) -> str:
    """The picture as a standalone SVG document (no scripts, no external references)."""
    body, width, height, _, _ = _layer_body(p, html=False)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _svg(body, width, height, p.title)


_STEPPER = r"""
  function stepper(name, count, show) {
    let o = 0;
    const go = function (k) { o = k; show(o); };
    document.getElementById("prev-" + name).addEventListener("click",
      function () { go((o - 1 + count) % count); });
    document.getElementById("next-" + name).addEventListener("click",
      function () { go((o + 1) % count); });
    document.getElementById("first-" + name).addEventListener("click", function () { go(0); });
    show(0);
    return go;
  }
"""
"""Buttons ``first-NAME``, ``prev-NAME`` and ``next-NAME`` stepping ``show`` through
``0..count-1`` (round from the last to the first); returns ``go(k)``, which moves there."""

_SCRIPT = (
    r"""
(function () {
  "use strict";
"""
    + _STEPPER
    + r"""
  const axes = JSON.parse(document.getElementById("axes-data").textContent);
  const NS = "http://www.w3.org/2000/svg";
  function taps(a, o) {
    const t = [];
    if (a.kind === "adaptive") {
      const lo = Math.floor(o * a.size / a.outputs), hi = Math.ceil((o + 1) * a.size / a.outputs);
      for (let i = lo; i < hi; i++) t.push(i);
      return t;
    }
    const start = a.kind === "transpose" ? a.start + o : o * a.stride;
    for (let k = 0; k < a.kernel; k++) t.push(start + k * a.dilation);
    return t;
  }
  function column(list, pos) {
    let i = list.indexOf(pos);
    if (i < 0) i = list.indexOf(null);
    return i < 0 ? 0 : i;
  }
  function box(g, x, y, c) {
    const r = document.createElementNS(NS, "rect");
    r.setAttribute("x", x + 1); r.setAttribute("y", y - 1);
    r.setAttribute("width", c - 2); r.setAttribute("height", c);
    g.appendChild(r);
  }
  function show(a, o) {
    const g = document.getElementById("cursor-" + a.name);
    while (g.firstChild) g.removeChild(g.firstChild);
    const t = taps(a, o);
    const seen = new Set();
    for (const p of t) {
      const i = column(a.cells, p);
      if (seen.has(i)) continue;
      seen.add(i);
      box(g, a.left + i * a.strip[1], a.strip[0], a.strip[1]);
    }
    box(g, a.left + column(a.outs, o) * a.out[1], a.out[0], a.out[1]);
    const status = document.getElementById("status-" + a.name);
    status.dataset.step = String(o);
    status.dataset.taps = t.join(" ");
    status.textContent = a.name + ": " + a.unit + " " + o + " of " + a.outputs + " (0.." +
      (a.outputs - 1) + ") " + (a.kind === "fold" ? "adds into" : "reads") + " strip cells " +
      t.join(", ");
    document.querySelectorAll("#axis-" + a.name + " .active").forEach(
      function (e) { e.classList.remove("active"); });
    document.querySelectorAll("#axis-" + a.name + " [data-output='" + o + "']").forEach(
      function (e) { e.classList.add("active"); });
  }
  for (const a of axes) {
    if (a.outputs) a.go = stepper(a.name, a.outputs, function (o) { show(a, o); });
  }
  const gridData = document.getElementById("grid-data");
  if (gridData) {
    const grid = JSON.parse(gridData.textContent), rows = axes[0], cols = axes[1];
    const steps = rows.outputs * cols.outputs;
    stepper("grid", steps, function (s) {
      const i = Math.floor(s / cols.outputs), j = s % cols.outputs;
      rows.go(i);  // the strips follow: row i's window on H, column j's on W
      cols.go(j);
      const g = document.getElementById("cursor-grid");
      while (g.firstChild) g.removeChild(g.firstChild);
      const t = [];
      for (const r of taps(rows, i)) {
        for (const c of taps(cols, j)) {
          t.push(r + "," + c);
          box(g, grid.x + c * grid.c, grid.y + r * grid.c + 1, grid.c);
        }
      }
      box(g, grid.ox + j * grid.c, grid.y + i * grid.c + 1, grid.c);
      const status = document.getElementById("status-grid");
      status.dataset.step = String(s);
      status.dataset.taps = t.join(" ");
      status.textContent = "2-D: " + rows.unit + " (" + i + ", " + j + "), position " + (s + 1) +
        " of " + steps + ", " + (rows.kind === "fold" ? "adds into " : "reads ") + t.length +
        " cells";
    });
  }
})();
"""
)

_PAGE_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5em; color: #222; }
.controls { margin: .4em 0; }
.controls button { font-size: 1em; margin-right: .3em; }
.status { font-family: ui-monospace, monospace; margin-left: .6em; }
g.active line.bar { stroke: #d81b60 !important; stroke-width: 3; }
rect.out.active { fill: #f8bbd0; }
g.gtaps { display: none; }
rect.gout.current { fill: #c8e6c9; }
"""


def _controls(name: str, steps: int) -> str:
    return (
        f'<div class="controls">'
        f'<button id="first-{name}" type="button">|&lt;</button>'
        f'<button id="prev-{name}" type="button">&lt; prev</button>'
        f'<button id="next-{name}" type="button">next &gt;</button>'
        f'<span class="status" id="status-{name}" data-steps="{steps}"></span></div>'
    )


def _json_script(name: str, value: object) -> str:
    data = json.dumps(value).replace("</", "<\\/")
    return f'<script type="application/json" id="{name}">{data}</script>'


def layer_html(p: Picture) -> str:
    """One self-contained page: the picture, and buttons that step each axis's window
    (and the 2-D view's window) through every stride position (no network needed)."""
    body, width, height, metas, grid = _layer_body(p, html=True)
    svg = _svg(body, width, height, p.title)
    controls = [_controls(str(m["name"]), int(str(m["outputs"]))) for m in metas if m["outputs"]]
    data = _json_script("axes-data", metas)
    if grid is not None:
        controls.append(_controls("grid", int(str(grid["steps"]))))
        data += _json_script("grid-data", grid)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(p.title)}</title><style>{_PAGE_STYLE}</style></head><body>"
        f'<h1 style="font-size:1.1em">{escape(p.title)}</h1>'
        + "".join(controls)
        + svg
        + data
        + f"<script>{_SCRIPT}</script></body></html>\n"
    )


# ---------------------------------------------------------------------------------------
# Stacks: the shape flow
# ---------------------------------------------------------------------------------------


def _block_size(s: Dims | None, top_c: int, top_a: int) -> tuple[float, float]:
    """A block's width by its spatial size and height by its channels (log scales, the
    largest of the flow ``top_a`` and ``top_c``); a size not known counts as 1."""
    if s is None or len(s) < 2:
        return 120.0, 22.0
    c = s[1] or 1
    area = math.prod(d or 1 for d in s[2:]) if len(s) > 2 else 1
    w = 60 + 340 * math.log1p(max(area, 0)) / math.log1p(top_a) if top_a > 1 else 120
    h = 18 + 40 * math.log1p(max(c, 0)) / math.log1p(top_c) if top_c > 1 else 24
    return w, h


def _tops(shapes: list[Dims]) -> tuple[int, int]:
    """The largest channels and spatial size of a flow's shapes (at least 1)."""
    top_c = max((s[1] or 1 for s in shapes if len(s) > 1), default=1) or 1
    areas = [math.prod(d or 1 for d in s[2:]) for s in shapes if len(s) > 2]
    return top_c, max(areas, default=1) or 1


def _stack_body(stack: StackResult) -> tuple[list[str], float, float]:
    body: list[str] = []
    rows = stack.rows
    shapes = [stack.input, *[r.output for r in rows]]
    top_c, top_a = _tops([s for s in shapes if s is not None])
    y = 10.0
    body.append(_text(8, y + 12, f"shape flow: input {shape_text(stack.input)}", "title"))
    y += 26
    x_mid = 330
    width = 760.0

    def block_size(s: tuple[int, ...] | None) -> tuple[float, float]:
        return _block_size(s, top_c, top_a)

    # the input as a block
    w, h = block_size(stack.input)
    body.append(
        f'<rect x="{x_mid - w / 2:g}" y="{y:g}" width="{w:g}" height="{h:g}"'
        f"{_attrs(class_='block input-block', data_shape=shape_text(stack.input))}/>"
    )
    body.append(_text(x_mid, y + h / 2 + 4, "input", "", "middle"))
    y += h
    for r in rows:
        edge = shape_text(r.input) if r.input is not None else "?"
        body.append(
            f'<line class="edge" x1="{x_mid}" y1="{y:g}" x2="{x_mid}" y2="{y + 26:g}"'
            f"{_attrs(data_shape=edge)}/>"
        )
        body.append(_text(x_mid + 8, y + 17, edge, "note"))
        y += 26
        w, h = block_size(r.output if r.output is not None else r.input)
        label = f"{r.layer.name}: {r.layer.code}"
        label = label if len(label) < 70 else label[:67] + "..."
        w = max(w, 6.8 * len(label) + 24)
        failed = r.error is not None
        cls = "block failed" if failed else "block"
        output = shape_text(r.output) if r.output is not None else None
        flags = _attrs(class_="layer", data_index=r.index, data_failed=str(failed).lower())
        body.append(f"<g{flags}{_attrs(data_output=output)}>")
        body.append(_rect(x_mid - w / 2, y, w, h, class_=cls))
        body.append(_text(x_mid, y + h / 2 + 4, label, "", "middle"))
        width = max(width, x_mid + 6.7 * len(label) / 2 + 40)
        if failed and r.error is not None:
            yy = y + h + 14
            for line in _wrap(f"{r.error.exc}: {r.error.message}", 100):
                body.append(_text(x_mid - 300, yy, line, "error"))
                yy += 15
            h = yy - y
        body.append("</g>")
        y += h
        if failed:
            break
    else:
        if rows and rows[-1].output is not None:
            out = shape_text(rows[-1].output)
            body.append(
                f'<line class="edge" x1="{x_mid}" y1="{y:g}" x2="{x_mid}" y2="{y + 26:g}"'
                f"{_attrs(data_shape=out)}/>"
            )
            body.append(_text(x_mid + 8, y + 17, out, "note"))
            y += 26
            body.append(_text(x_mid, y + 14, f"output {out}", "title", "middle"))
            y += 20
    return body, width, y + 12


def stack_svg(stack: StackResult) -> str:
    """The stack's shape flow: a block per layer, sized by channels and spatial size."""
    body, width, height = _stack_body(stack)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _svg(body, width, height, "shape flow")


def stack_html(stack: StackResult) -> str:
    body, width, height = _stack_body(stack)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>shape flow'
        f"</title><style>{_PAGE_STYLE}</style></head><body>"
        + _svg(body, width, height, "shape flow")
        + "</body></html>\n"
    )


# ---------------------------------------------------------------------------------------
# Models: the shape flow of a forward, with its skip and concatenation edges
# ---------------------------------------------------------------------------------------


def dims_text(d: Dims | None) -> str:
    """A shape whose sizes may be unknown: ``(1, ?, 32, 32)``."""
    if d is None:
        return "?"
    inner = ", ".join("?" if v is None else str(v) for v in d)
    return f"({inner},)" if len(d) == 1 else f"({inner})"


def step_sources(trace: ModelTrace, step: Step) -> list[int | None]:
    """Where each input of ``step`` comes from: a step's index, ``-1`` for the model's
    input (a tensor of the input's shape no step made), None for a value the trace did
    not follow (no edge is drawn from it)."""
    found: list[int | None] = []
    for k, source in enumerate(step.sources or (None,)):
        if source is not None:
            found.append(source)
        else:
            given = step.inputs[k] if k < len(step.inputs) else None
            found.append(-1 if given == trace.input else None)
    return found


def edge_kind(op: str) -> str:
    """What an edge into ``op`` from further back than the step before is: a ``concat``
    (``torch.cat``), a ``skip`` (an elementwise join such as a residual's ``x + f(x)``)
    or a ``branch`` (a layer reading an earlier tensor: Inception's parallel branches)."""
    if op in ("torch.cat", "torch.concat", "torch.concatenate", "torch.stack"):
        return "concat"
    if op in JOINS:
        return "skip"
    return "branch"


JOINS = ("add", "sub", "mult", "mul", "div", "torch.add", "torch.mul", "torch.sub")
"""The operations that join tensors elementwise (``+``, ``-``, ``*``, ``/`` and their
functions): the ops whose edges from further back are skips."""


def _lanes(spans: list[tuple[int, int]]) -> list[int]:
    """A lane per long edge ``(from, to)`` such that edges in one lane do not overlap."""
    ends: list[int] = []  # per lane, the last row its edges reach
    lanes = []
    for lo, hi in spans:
        lane = next((i for i, end in enumerate(ends) if end <= lo), len(ends))
        if lane == len(ends):
            ends.append(hi)
        else:
            ends[lane] = hi
        lanes.append(lane)
    return lanes


def _model_body(trace: ModelTrace) -> tuple[list[str], float, float]:
    body: list[str] = []
    failed = trace.failed
    steps = [s for s in trace.steps if failed is None or s.index <= failed.index]
    top_c, top_a = _tops([trace.input, *[s.output for s in steps if s.output is not None]])
    y = 10.0
    head = f"{trace.target}: shape flow of the forward, input {dims_text(trace.input)}"
    body.append(_text(8, y + 12, head, "title"))
    y += 24
    width = 16 + 7.6 * len(head)
    problems = []
    if trace.build_error is not None:
        module, error, _advice = trace.build_error
        problems.append(f"building {module.path or module.type}: {error.exc}: {error.message}")
    if trace.reason:
        problems.append(f"not followed to the end: {trace.reason}")
    for problem in problems:
        for line in _wrap(problem, 110):
            body.append(_text(8, y + 12, line, "error"))
            y += 16
    x_mid = 330.0
    gap = 30.0
    # each node: the input (-1) and the steps; their block's top and bottom
    tops: dict[int, float] = {}
    bottoms: dict[int, float] = {}
    w, h = _block_size(trace.input, top_c, top_a)
    tops[-1], bottoms[-1] = y, y + h
    body.append(
        f"<g{_attrs(class_='node', data_index=-1, data_failed='false')}"
        f"{_attrs(data_output=dims_text(trace.input))}>"
        + _rect(x_mid - w / 2, y, w, h, class_="block input-block")
        + _text(x_mid, y + h / 2 + 4, "input", "", "middle")
        + "</g>"
    )
    y += h
    right = x_mid
    blocks: list[str] = []
    for step in steps:
        y += gap
        w, h = _block_size(step.output or step.input, top_c, top_a)
        name = step.path or step.type
        label = f"[{step.index}] {name}" + (f"  {step.type}" if step.path else "")
        label = label if len(label) < 60 else label[:57] + "..."
        w = max(w, 6.8 * len(label) + 24)
        cls = "block" + (" op" if step.kind == "op" else "") + (" failed" if step.failed else "")
        attrs = _attrs(
            class_="node layer" if step.kind == "layer" else "node op",
            data_index=step.index,
            data_type=step.type,
            data_path=step.path or None,
            data_failed=str(step.failed).lower(),
            data_output=None if step.output is None else dims_text(step.output),
        )
        parts = [f"<g{attrs}>", _rect(x_mid - w / 2, y, w, h, class_=cls)]
        parts.append(_text(x_mid, y + h / 2 + 4, label, "", "middle"))
        tops[step.index] = y
        right = max(right, x_mid + w / 2)
        if step.failed:
            yy = y + h + 14
            if step.error is not None:
                why = f"torch raises {step.error.exc}: {step.error.message}"
            else:
                finding = step.finding
                why = "" if finding is None else f"{finding.code}: {finding.message}"
            for line in _wrap(why, 100):
                parts.append(_text(x_mid - 300, yy, line, "error"))
                width = max(width, x_mid - 300 + 6.7 * len(line) + 16)
                yy += 15
            h = yy - y
        parts.append("</g>")
        blocks.extend(parts)
        y += h
        bottoms[step.index] = y
    # the edges: straight from the step just before, lanes on the right for the others
    edges: list[str] = []
    long: list[tuple[int, int, str, str]] = []  # (from, to, kind, shape)
    previous = -1
    for step in steps:
        for k, src in enumerate(step_sources(trace, step)):
            shape = dims_text(step.inputs[k] if k < len(step.inputs) else None)
            if src is None or src not in bottoms:  # a value the trace did not follow
                y1 = tops[step.index] + 8
                edges.append(
                    f'<line class="stub" x1="{x_mid - 80:g}" y1="{y1 - 14:g}" '
                    f'x2="{x_mid - 60:g}" y2="{y1:g}"{_attrs(data_to=step.index)}/>'
                )
                edges.append(_text(x_mid - 84, y1 - 14, f"? {shape}", "edge-label", "end"))
                continue
            if src == previous:
                x = x_mid
                edges.append(
                    f'<line class="edge" x1="{x:g}" y1="{bottoms[src]:g}" x2="{x:g}" '
                    f'y2="{tops[step.index]:g}"'
                    f"{_attrs(data_from=src, data_to=step.index, data_shape=shape)}/>"
                )
                edges.append(_text(x + 8, tops[step.index] - gap / 2 + 4, shape, "note"))
            else:
                long.append((src, step.index, edge_kind(step.type), shape))
        previous = step.index
    order = sorted(long, key=lambda e: (e[0], e[1]))
    lanes = _lanes([(e[0], e[1]) for e in order])
    labels_x = right + 30 + max(lanes, default=0) * 26 + 10  # the shapes, right of the lanes
    into: dict[int, int] = {}  # edges drawn into each step so far
    for (src, dst, kind, shape), lane in zip(order, lanes, strict=True):
        j = into[dst] = into.get(dst, -1) + 1
        x = right + 30 + lane * 26
        y0 = (tops[src] + bottoms[src]) / 2 if src != -1 else bottoms[src] - 6
        y1 = tops[dst] + 6 + min(j, 3) * 4
        edges.append(
            f'<path d="M{x_mid + 40:g},{y0:g} H{x:g} V{y1:g} H{x_mid + 40:g}"'
            f"{_attrs(class_='edge ' + kind, data_from=src, data_to=dst, data_shape=shape)}/>"
        )
        label = f"[{src}] {shape}" if src >= 0 else f"input {shape}"
        edges.append(_text(labels_x, tops[dst] + 8 + 11 * j, label, "edge-label"))
        width = max(width, labels_x + 8 + 6.2 * len(label))
    body.extend(edges)
    body.extend(blocks)
    if failed is None and trace.output is not None:
        out = dims_text(trace.output)
        body.append(
            f'<line class="edge" x1="{x_mid:g}" y1="{y:g}" x2="{x_mid:g}" y2="{y + 26:g}"'
            f"{_attrs(data_from=steps[-1].index if steps else -1, data_shape=out)}/>"
        )
        y += 26
        body.append(_text(x_mid, y + 14, f"output {out}", "title", "middle"))
        y += 20
    legend = (
        "blocks: width by spatial size, height by channels; purple: tensor operations; "
        "blue: skips (x + f(x)), dashed purple: concatenation, grey: branches"
    )
    body.append(_text(8, y + 20, legend, "legend"))
    width = max(width, right + 40, 16 + 6.7 * len(legend))
    return body, width, y + 32


def model_svg(trace: ModelTrace) -> str:
    """A model's forward as its shape flow: a block per step (layers, and the tensor
    operations between them), sized by channels and spatial size, the shapes on the edges,
    skip and concatenation edges on the right, the failing step in red with torch's
    message. Each block is a ``g.node`` (``data-index``, ``data-type``, ``data-failed``),
    each edge a ``line.edge`` or ``path.edge`` (``skip`` or ``concat``) with ``data-from``,
    ``data-to`` (``-1``: the input) and ``data-shape``."""
    body, width, height = _model_body(trace)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _svg(body, width, height, trace.target)


_FLOW_SCRIPT = (
    r"""
(function () {
  "use strict";
"""
    + _STEPPER
    + r"""
  const steps = JSON.parse(document.getElementById("flow-data").textContent);
  stepper("flow", steps.length, function (k) {
    const s = steps[k];
    document.querySelectorAll(".active").forEach(function (e) { e.classList.remove("active"); });
    const node = document.querySelector("g.node[data-index='" + s.index + "']");
    node.classList.add("active");
    document.querySelectorAll(".edge[data-to='" + s.index + "']").forEach(
      function (e) { e.classList.add("active"); });
    if (node.scrollIntoView) node.scrollIntoView({block: "center"});
    const status = document.getElementById("status-flow");
    status.dataset.step = String(k);
    status.dataset.index = String(s.index);
    status.dataset.sources = s.sources.map(function (i) { return i === null ? "?" : i; }).join(" ");
    status.textContent = "step " + (k + 1) + " of " + steps.length + ": [" + s.index + "] " +
      s.label + " takes " + s.inputs.join(" and ") + " from " +
      s.sources.map(function (i) {
        return i === null ? "a value not followed" : i < 0 ? "the input" : "[" + i + "]";
      }).join(" and ") +
      " -> " + s.output;
  });
})();
"""
)

_FLOW_STYLE = """
.controls { position: sticky; top: 0; background: #fff; padding: .3em 0; }
g.node.active rect.block { stroke: #d81b60; stroke-width: 3; }
.edge.active { stroke: #d81b60 !important; stroke-width: 3; }
"""


def model_html(trace: ModelTrace) -> str:
    """The flow as a page whose buttons step through the forward: each step's block and
    the edges into it highlighted, what it takes from where and what it gives."""
    body, width, height = _model_body(trace)
    failed = trace.failed
    steps = [
        {
            "index": s.index,
            "label": s.path or s.type,
            "sources": step_sources(trace, s),
            "inputs": [dims_text(d) for d in (s.inputs or (None,))],
            "output": dims_text(s.output) if not s.failed else "error",
        }
        for s in trace.steps
        if failed is None or s.index <= failed.index
    ]
    controls = _controls("flow", len(steps)) if steps else ""
    script = _json_script("flow-data", steps) + f"<script>{_FLOW_SCRIPT}</script>" if steps else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(trace.target)}</title><style>{_PAGE_STYLE}{_FLOW_STYLE}</style>"
        "</head><body>"
        + controls
        + _svg(body, width, height, trace.target)
        + script
        + "</body></html>\n"
    )
