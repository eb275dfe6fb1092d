"""Results as rich output for people and as stable JSON for scripts."""

from __future__ import annotations

from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from convshape.core.code import layer_code
from convshape.core.engine import Result
from convshape.core.errors import ShapeError
from convshape.core.shapes import shape_text as _shape

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from convshape.core.releases import Resolved
    from convshape.features.advice import Advice
    from convshape.features.verify import Check, FuzzReport, LayerCheck, StackCheck

__all__ = ["CALC_SCHEMA", "error_json", "result_json", "show_result"]

CALC_SCHEMA = "convshape.calc/1"


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


def result_json(result: Result, target: Resolved | None = None) -> dict[str, Any]:
    """The documented ``convshape calc --json`` document (see docs/json.md); ``torch``:
    the release predicted for."""
    err = result.error
    return {
        "schema": CALC_SCHEMA,
        "torch": None if target is None else target.to_json(),
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
    from convshape.features.advice import advise

    assert result.error is not None
    return advise(result.error, result.spec, result.input)


def show_result(console: Console, result: Result, target: Resolved | None = None) -> None:
    console.print(_result_view(result))
    if target is not None:
        console.print(Text(f"predicted for {target.describe()}", style="dim"))


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


# ---------------------------------------------------------------------------------------
# convshape verify: one check side by side, a fuzz run's summary, both as JSON too
# ---------------------------------------------------------------------------------------

VERIFY_SCHEMA = "convshape.verify/1"
FUZZ_SCHEMA = "convshape.verify-fuzz/1"


def _torch_label(check: Check) -> str:
    return f"torch {check.torch_version or '?'} ({check.device}, {check.dtype})"


def _engine_said(check: Check) -> str:
    r = check.result
    if check.crash is not None:
        return f"engine crashed: {check.crash}"
    if r.error is not None:
        return f"{r.error.exc}: {r.error.message}"
    return _shape(r.output)


def _torch_said(check: Check) -> str:
    o = check.outcome
    return _shape(o.shape) if o.ok else f"{o.exc}: {o.message}"


def check_json(check: Check) -> dict[str, Any]:
    """The documented ``convshape verify --json`` document (see docs/verify.md)."""
    from convshape.core.code import repro_script

    r, o, v = check.result, check.outcome, check.variant
    return {
        "schema": VERIFY_SCHEMA,
        "op": r.spec.op,
        "layer": layer_code(r.spec),
        "input": list(r.input),
        "device": check.device,
        "dtype": check.dtype,
        "torch_version": check.torch_version,
        "verdict": check.verdict,
        "agree": check.agree,
        "match": check.match,
        "method": check.method,
        "engine": {
            "output": None if r.output is None else list(r.output),
            "error": None if r.error is None else error_json(r.error),
            "crash": check.crash,
        },
        "torch": {
            "output": None if o.shape is None else list(o.shape),
            "exception": o.exc,
            "message": o.message,
        },
        "variant": (
            None
            if v is None
            else {"exception": v.exc, "message": v.message, "condition": v.condition}
        ),
        "notes": list(check.notes),
        "repro": None if check.agree else repro_script(r.spec, r.input),
    }


def show_check(console: Console, check: Check) -> None:
    """The engine and torch side by side, the verdict, and a reproduction if they differ."""
    from rich.table import Table

    r = check.result
    console.print(
        Text.assemble((layer_code(r.spec), "bold"), "  ", (_shape(r.input), "cyan")),
        soft_wrap=True,
    )
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("convshape (engine)", overflow="fold")
    table.add_column(_torch_label(check), overflow="fold")
    table.add_row(_engine_said(check), _torch_said(check))
    console.print(table)
    style = "bold green" if check.agree else "bold red"
    console.print(Text.assemble((check.verdict, style), f"  ({check.match})"))
    if check.variant is not None:
        console.print(Text(f"torch chose the variant: {check.variant.message}", style="dim"))
    for note in check.notes:
        console.print(Text(f"note: {note}", style="dim"), soft_wrap=True)
    if not check.agree:
        _show_repro(console, check)


def _show_repro(console: Console, check: Check) -> None:
    from convshape.core.code import repro_script

    console.print(Text("reproduce with:", style="bold"))
    console.print(
        Text(repro_script(check.result.spec, check.result.input).rstrip("\n")),
        soft_wrap=True,
        markup=False,
        highlight=False,
    )


VERIFY_STACK_SCHEMA = "convshape.verify-stack/1"


def _row_engine(c: LayerCheck) -> str:
    row = c.row
    if row.error is not None:
        return f"{row.error.exc}: {row.error.message}"
    return "-" if row.output is None else _shape(row.output)


def _row_torch(c: LayerCheck) -> str:
    if c.exc is not None:
        return f"{c.exc}: {c.message}"
    return "-" if c.shape is None else _shape(c.shape)


def stack_check_json(check: StackCheck) -> dict[str, Any]:
    """The documented ``convshape verify --json`` document for a stack (docs/verify.md)."""
    o = check.outcome
    return {
        "schema": VERIFY_STACK_SCHEMA,
        "input": list(check.result.input),
        "device": check.device,
        "dtype": check.dtype,
        "torch_version": check.torch_version,
        "verdict": check.verdict,
        "agree": check.agree,
        "match": check.match,
        "crash": check.crash,
        "engine_failed": None if check.result.failed is None else check.result.failed.index,
        "torch_failed": o.failed,
        "torch_stage": o.stage,
        "layers": [
            {
                "index": c.row.index,
                "name": c.row.name,
                "code": c.row.code,
                "engine": {
                    "output": None if c.row.output is None else list(c.row.output),
                    "error": None if c.row.error is None else error_json(c.row.error),
                },
                "torch": {
                    "output": None if c.shape is None else list(c.shape),
                    "exception": c.exc,
                    "message": c.message,
                },
                "agree": c.agree,
                "match": c.match,
                "notes": list(c.notes),
            }
            for c in check.layers
        ],
    }


def show_stack_check(console: Console, check: StackCheck) -> None:
    """One row per layer: the engine's and torch's answers side by side, and the verdict."""
    from rich.table import Table

    console.print(Text.assemble(("input ", "dim"), (_shape(check.result.input), "cyan")))
    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("#", justify="right")
    table.add_column("layer", overflow="fold")
    table.add_column("convshape (engine)", overflow="fold")
    table.add_column(f"torch {check.torch_version or '?'} ({check.device}, {check.dtype})")
    table.add_column("match")
    for c in check.layers:
        style = "" if c.agree else "red"
        match = Text(c.match, style="dim" if c.match == "skipped" else style)
        table.add_row(str(c.row.index), c.row.code, _row_engine(c), _row_torch(c), match)
    console.print(table)
    if check.crash is not None:
        console.print(Text(f"engine crashed: {check.crash}", style="red"), soft_wrap=True)
    style = "bold green" if check.agree else "bold red"
    console.print(Text.assemble((check.verdict, style), f"  ({check.match})"))
    for c in check.layers:
        for note in c.notes:
            console.print(Text(f"note ({c.row.name}): {note}", style="dim"), soft_wrap=True)


def fuzz_json(report: FuzzReport) -> dict[str, Any]:
    """The documented ``convshape verify --fuzz --json`` document (see docs/verify.md)."""
    return {
        "schema": FUZZ_SCHEMA,
        "count": report.count,
        "seed": report.seed,
        "ops": list(report.ops),
        "device": report.device,
        "dtype": report.dtype,
        "torch_version": report.torch_version,
        "seconds": round(report.seconds, 3),
        "agree": report.agree,
        "disagree": report.disagree,
        "per_op": {
            op: {"agree": t.agree, "disagree": t.disagree} for op, t in report.tallies.items()
        },
        "matches": dict(sorted(report.matches.items())),
        "methods": dict(sorted(report.methods.items())),
        "disagreements": [check_json(c) for c in report.disagreements],
        "interrupted": report.interrupted,
    }


def show_fuzz(console: Console, report: FuzzReport) -> None:
    """A table per op (agree / disagree), then every disagreement as a reproduction."""
    from rich.table import Table

    rate = report.checked / report.seconds if report.seconds > 0 else 0.0
    stopped = f" (interrupted after {report.checked})" if report.interrupted else ""
    console.print(
        f"verify --fuzz {report.count}{stopped} --seed {report.seed}: torch "
        f"{report.torch_version or '?'} ({report.device}, {report.dtype}), "
        f"{report.seconds:.1f} s, {rate:.0f} configurations/s",
        soft_wrap=True,
        markup=False,
    )
    table = Table(show_header=True, header_style="bold")
    table.add_column("op")
    table.add_column("agree", justify="right")
    table.add_column("disagree", justify="right")
    for op, t in report.tallies.items():
        bad = Text(str(t.disagree), style="bold red" if t.disagree else "")
        table.add_row(op, str(t.agree), bad)
    table.add_section()
    total_bad = Text(str(report.disagree), style="bold red" if report.disagree else "bold green")
    table.add_row(Text("total", style="bold"), str(report.agree), total_bad)
    console.print(table)
    how = ", ".join(f"{k} {v}" for k, v in sorted(report.matches.items()))
    console.print(Text(f"how: {how}", style="dim"), soft_wrap=True)
    if report.methods.get("twin"):
        console.print(
            Text(f"{report.methods['twin']} expensive configurations ran on a twin", style="dim")
        )
    for i, check in enumerate(report.disagreements, 1):
        console.print()
        console.print(
            Text.assemble(
                (f"disagreement {i}: ", "bold red"),
                (layer_code(check.spec), "bold"),
                f"  {_shape(check.input)}  ({check.match})",
            ),
            soft_wrap=True,
        )
        console.print(Text(f"  engine: {_engine_said(check)}"), soft_wrap=True)
        console.print(Text(f"  torch:  {_torch_said(check)}"), soft_wrap=True)
        _show_repro(console, check)


@contextmanager
def fuzz_progress(console: Console, total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar for a fuzz run; yields the callback that advances it."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("verifying"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("fuzz", total=total)

        def advance(n: int) -> None:
            progress.advance(task, n)

        yield advance
