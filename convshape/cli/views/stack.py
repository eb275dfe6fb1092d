"""A stack's :class:`~convshape.features.network.StackResult` (``calc`` on a stack) as a
rich table or as JSON.

The ``--json`` document (``"schema": "convshape.stack/1"``) is described in
docs/network.md.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

from convshape.core.shapes import shape_text as _shape_text

if TYPE_CHECKING:
    from rich.console import Console

    from convshape.features.memory import Memory
    from convshape.features.network import Field, StackLayer, StackResult, StackRow

__all__ = [
    "STACK_SCHEMA",
    "count_text",
    "field_json",
    "num_text",
    "number",
    "show_memory",
    "show_stack",
    "stack_json",
]

STACK_SCHEMA = "convshape.stack/1"


def number(value: Fraction) -> int | float:
    """A field value for JSON: an int when whole."""
    return int(value) if value.denominator == 1 else float(value)


def num_text(value: Fraction) -> str:
    if value.denominator == 1:
        return str(value.numerator)
    as_float = float(value)
    return f"{as_float:g}" if abs(as_float * 1000 - round(as_float * 1000)) < 1e-9 else str(value)


def field_json(f: Field) -> dict[str, Any]:
    return {
        "axis": f.axis,
        "receptive_field": number(f.size),
        "jump": number(f.jump),
        "start": number(f.start),
    }


def _layer_json(layer: StackLayer) -> dict[str, Any]:
    spec = layer.spec
    kind = getattr(spec, "cls", None) or spec.op
    return {"name": layer.name, "code": layer.code, "line": layer.line, "type": kind}


def stack_json(result: StackResult, dtype: str = "float32") -> dict[str, Any]:
    """The documented ``calc --json`` document for a stack (docs/network.md)."""
    from convshape.cli.views.render import error_json

    failed = result.failed
    return {
        "schema": STACK_SCHEMA,
        "input": list(result.input),
        "output": None if result.output is None else list(result.output),
        "ok": result.ok,
        "params": result.params,
        "macs": result.macs,
        "memory": result.memory(dtype).to_json(),
        "failed": None if failed is None else failed.index,
        "layers": [
            {
                "index": row.index,
                **_layer_json(row.layer),
                "input": None if row.input is None else list(row.input),
                "output": None if row.output is None else list(row.output),
                "params": row.params,
                "macs": row.macs,
                "output_bytes": row.output_bytes(dtype),
                "fields": [field_json(f) for f in row.fields],
                "warnings": list(row.warnings),
                "notes": list(row.notes),
                "error": None if row.error is None else error_json(row.error, row.advice),
            }
            for row in result.rows
        ],
    }


def count_text(n: int) -> str:
    for unit, size in (("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return str(n)


def _axis_names(result: StackResult) -> list[str]:
    for row in result.rows:
        if row.fields:
            return [f.axis for f in row.fields]
    return []


def _mb(n: int) -> str:
    from convshape.features.memory import MB

    return f"{n / MB:.2f}" if n else ""


def show_stack(console: Console, result: StackResult, dtype: str = "float32") -> None:
    """One row per layer: output, its size in MB, parameters, MACs, receptive field / jump /
    start per spatial axis; the totals and the memory estimate; the first failing layer
    with its explanation and fixes."""
    from rich.table import Table
    from rich.text import Text

    axes = _axis_names(result)
    merged = _same_fields(result, axes)
    columns = ["=".join(axes)] if merged and len(axes) > 1 else axes
    rows = [_cells(row, axes[:1] if merged else axes, dtype) for row in result.rows]
    memory = result.memory(dtype)
    total = ["", "total", _shape_text(result.output), _mb(memory.activations)]
    total += [f"{result.params:,}", count_text(result.macs)]
    total += [""] * len(columns)
    headers = ["#", "layer", "output", "MB", "params", "MACs"]
    headers += [f"{c}\nrf/jump/start" for c in columns]
    widths = [
        max(len(line) for cells in [*rows, total, headers] for line in str(cells[i]).split("\n"))
        for i in range(len(headers))
    ]
    table = Table(
        show_lines=False, header_style="bold", pad_edge=False, box=None, collapse_padding=True
    )
    for i, header in enumerate(headers):
        if header == "layer":
            table.add_column(header, overflow="fold", min_width=12)
        else:
            right = "left" if header == "output" else "right"
            table.add_column(header, justify=right, no_wrap=True, min_width=widths[i])  # type: ignore[arg-type]
    for cells in rows:
        table.add_row(*cells)
    table.add_section()
    table.add_row(*total, style="bold")
    console.print(Text.assemble(("input ", "dim"), (_shape_text(result.input), "cyan")))
    console.print(table)
    show_memory(console, memory)
    for row in result.rows:
        for note in row.notes:
            console.print(Text(f"note ({row.name}): {note}", style="dim"))
        for warning in row.warnings:
            console.print(Text(f"UserWarning ({row.name}): {warning}", style="yellow"))
    failed = result.failed
    if failed is None:
        return
    assert failed.error is not None
    when = "while building the stack" if failed.input is None else f"on input {failed.input}"
    console.print(
        Text.assemble(
            ("first failure: ", "bold red"),
            (f"layer {failed.name} ", "bold"),
            (failed.code, "bold"),
            f" ({when})",
        )
    )
    console.print(
        Text.assemble(
            ("torch raises ", "red"), (f"{failed.error.exc}: ", "bold red"), failed.error.message
        )
    )
    for v in failed.error.variants:
        console.print(Text(f"  or, when {v.condition}: {v.exc}: {v.message}", style="dim"))
    if failed.advice is not None:
        console.print(
            Text.assemble(
                (f"[{failed.error.code} {failed.error.kind.name}] ", "magenta"),
                failed.advice.explanation,
            )
        )
        for fix in failed.advice.fixes:
            console.print(Text.assemble(("  fix: ", "green"), fix))


def show_memory(console: Console, memory: Memory) -> None:
    """The estimate under a stack's or a model's table: four lines, MB = 10**6 bytes."""
    from convshape.features.memory import memory_table

    console.print(memory_table(memory))


def _same_fields(result: StackResult, axes: list[str]) -> bool:
    """Whether every row's fields are the same on every axis (square kernels, square input)."""
    for row in result.rows:
        values = {(f.size, f.jump, f.start) for f in row.fields}
        if len(values) > 1:
            return False
    return bool(axes)


def _cells(row: StackRow, axes: list[str], dtype: str) -> list[Any]:
    from rich.text import Text

    if row.error is not None:
        output: Any = Text("error", style="bold red")
    elif row.output is None:
        output = Text("-", style="dim")
    else:
        output = _shape_text(row.output)
    fields = {f.axis: f for f in row.fields}
    cells = [
        row.name,
        row.code,
        output,
        _mb(row.output_bytes(dtype)),
        f"{row.params:,}" if row.params else "",
        count_text(row.macs) if row.macs else "",
    ]
    for axis in axes:
        f = fields.get(axis)
        cells.append(
            "-" if f is None else f"{num_text(f.size)} / {num_text(f.jump)} / {num_text(f.start)}"
        )
    return cells
