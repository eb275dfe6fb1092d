"""Results as rich output for people and as stable JSON for scripts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from .code import layer_code
from .engine import Result
from .errors import ShapeError

if TYPE_CHECKING:
    from .advice import Advice

__all__ = ["CALC_SCHEMA", "error_json", "result_json", "show_result"]

CALC_SCHEMA = "convshape.calc/1"


def _shape(shape: tuple[int, ...] | None) -> str:
    return "-" if shape is None else "(" + ", ".join(map(str, shape)) + ")"


def error_json(err: ShapeError, advice: Advice | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": err.code,
        "name": err.kind.name,
        "exception": err.exc,
        "message": err.message,
        "variants": [
            {"exception": v.exc, "message": v.message, "condition": v.condition}
            for v in err.variants
        ],
    }
    if advice is not None:
        doc["explanation"] = advice.explanation
        doc["fixes"] = list(advice.fixes)
    return doc


def result_json(result: Result) -> dict[str, Any]:
    """The documented ``convshape calc --json`` document (see docs/json.md)."""
    err = result.error
    return {
        "schema": CALC_SCHEMA,
        "op": result.spec.op,
        "layer": layer_code(result.spec),
        "input": list(result.input),
        "output": None if result.output is None else list(result.output),
        "ok": result.ok,
        "axes": [
            {
                "name": a.name,
                "size": a.size,
                "kernel": a.kernel,
                "stride": a.stride,
                "padding": list(a.padding),
                "dilation": a.dilation,
                "output_padding": a.output_padding,
                "ceil_mode": a.ceil_mode,
                "output": a.output,
                "formula": a.formula,
                "notes": list(a.notes),
            }
            for a in result.axes
        ],
        "notes": list(result.notes),
        "warnings": list(result.warnings),
        "error": None if err is None else error_json(err, _advise(result)),
    }


def _advise(result: Result) -> Advice:
    from .advice import advise

    assert result.error is not None
    return advise(result.error, result.spec, result.input)


def show_result(console: Console, result: Result) -> None:
    console.print(_result_view(result))


def _result_view(result: Result) -> RenderableType:
    parts: list[RenderableType] = []
    head = Text.assemble(
        (layer_code(result.spec), "bold"), "  ", (_shape(result.input), "cyan"), " -> "
    )
    if result.ok:
        head.append(_shape(result.output), "bold green")
    else:
        head.append("error", "bold red")
    parts.append(head)
    for a in result.axes:
        parts.append(Text.assemble((f"{a.name}: ", "bold"), a.formula))
        for note in a.notes:
            parts.append(Text(f"   - {note}", style="dim"))
    for note in result.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    for warning in result.warnings:
        parts.append(Text(f"UserWarning: {warning}", style="yellow"))
    if result.error is not None:
        parts.append(_error_view(result.error, _advise(result)))
    return Group(*parts)


def _error_view(err: ShapeError, advice: Advice) -> RenderableType:
    parts: list[RenderableType] = [
        Text.assemble(("torch raises ", "red"), (f"{err.exc}: ", "bold red"), err.message),
    ]
    for v in err.variants:
        parts.append(Text.assemble(("  or, when ", "dim"), (v.condition, "dim italic"), ":"))
        parts.append(Text(f"  {v.exc}: {v.message}"))
    parts.append(Text.assemble((f"[{err.code} {err.kind.name}] ", "magenta"), advice.explanation))
    for fix in advice.fixes:
        parts.append(Text.assemble(("  fix: ", "green"), fix))
    return Group(*parts)
