"""A model file followed without torch (:class:`~convshape.features.model_trace.ModelTrace`,
``calc --file model.py``) as a rich table or as JSON.

The ``--json`` document (``"schema": "convshape.model/1"``) is described in
docs/network.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from convshape.cli.views.stack import count_text, field_json, num_text

if TYPE_CHECKING:
    from rich.console import Console

    from convshape.features.model_trace import Dims, ModelTrace, Step

__all__ = ["MODEL_SCHEMA", "model_json", "show_model"]

MODEL_SCHEMA = "convshape.model/1"


def _dims_json(dims: Dims | None) -> list[int | None] | None:
    return None if dims is None else list(dims)


def _dims_text(dims: Dims | None) -> str:
    if dims is None:
        return "?"
    inner = ",".join("?" if d is None else str(d) for d in dims)
    return f"({inner},)" if len(dims) == 1 else f"({inner})"


def _step_json(step: Step) -> dict[str, Any]:
    from convshape.cli.views.render import error_json

    finding = step.finding
    return {
        "index": step.index,
        "kind": step.kind,
        "path": step.path,
        "type": step.type,
        "code": step.code,
        "file": step.file,
        "line": step.line,
        "inputs": [_dims_json(d) for d in step.inputs],
        "sources": list(step.sources),
        "output": _dims_json(step.output),
        "params": step.params,
        "macs": step.macs,
        "fields": [field_json(f) for f in step.fields],
        "error": None if step.error is None else error_json(step.error, step.advice),
        "unknown": list(step.unknown),
        "finding": None
        if finding is None
        else {"code": finding.code, "message": finding.message, "fixes": list(finding.fixes)},
    }


def model_json(trace: ModelTrace) -> dict[str, Any]:
    """The documented ``calc --file --json`` document for a model (docs/network.md)."""
    from convshape.cli.views.render import error_json

    failed = trace.failed
    build = trace.build_error
    return {
        "schema": MODEL_SCHEMA,
        "model": trace.target,
        "input": list(trace.input),
        "output": _dims_json(trace.output),
        "ok": trace.ok,
        "followed": trace.followed,
        "reason": trace.reason,
        "training": trace.training,
        "params": trace.params,
        "macs": trace.macs,
        "failed": None if failed is None else failed.index,
        "build_error": None
        if build is None
        else {"path": build[0].path, **error_json(build[1], build[2])},
        "findings": [
            {"line": f.line, "col": f.col, "code": f.code, "message": f.message}
            for f in trace.findings
        ],
        "steps": [_step_json(s) for s in trace.steps],
        "modules": [
            {
                "path": m.path,
                "type": m.type,
                "params": m.params,
                "file": m.file,
                "line": m.line,
                "code": m.code,
            }
            for m in trace.modules
        ],
    }


def _fields_text(step: Step) -> str:
    if not step.fields:
        return ""
    values = {(f.size, f.jump, f.start) for f in step.fields}
    shown = step.fields[:1] if len(values) == 1 else step.fields
    return " ".join(f"{num_text(f.size)}/{num_text(f.jump)}/{num_text(f.start)}" for f in shown)


def _source(trace: ModelTrace, index: int | None) -> str:
    if index is None:
        return "input"
    return _label(trace.steps[index])


def _label(step: Step) -> str:
    if step.kind == "op":
        return step.type
    return step.path or step.type


def show_model(console: Console, trace: ModelTrace) -> None:
    """One row per step: module path (and class, where it was built), input when it is
    not the previous row's output, output, parameters, MACs, receptive field / jump /
    start; the totals; what was followed; the first failure with torch's message and
    the fixes."""
    from rich.table import Table
    from rich.text import Text

    table = Table(header_style="bold", pad_edge=False, box=None, collapse_padding=True)
    table.add_column("module / class, built at, input", overflow="fold", min_width=24)
    table.add_column("output", overflow="fold")
    table.add_column("params", justify="right", no_wrap=True)
    table.add_column("MACs", justify="right", no_wrap=True)
    table.add_column("rf/jump/start", justify="right", overflow="fold")
    previous: Dims | None = tuple(trace.input)
    for step in trace.steps:
        if step.error is not None or step.finding is not None:
            output: Any = Text("error", style="bold red")
        else:
            output = _dims_text(step.output)
        name = Text(_label(step), style="bold" if step.kind != "op" else "cyan")
        kind = step.type.removeprefix("nn.") if step.kind != "op" else ""
        detail = [p for p in (kind, step.where) if p]
        if len(step.inputs) > 1:
            detail.append("of " + " + ".join(_source(trace, s) for s in step.sources))
        elif step.input != previous:
            detail.append(f"in {_dims_text(step.input)}")
        if detail:
            # an operation's one detail (where it is written) fits on its line
            one = step.kind == "op" and len(detail) == 1 and len(_label(step) + detail[0]) < 31
            name.append((" " if one else "\n  ") + " ".join(detail), style="dim")
        params = "?" if step.params is None else f"{step.params:,}" if step.params else ""
        macs = count_text(step.macs) if step.macs else ""
        table.add_row(name, output, params, macs, _fields_text(step))
        previous = step.output
    total = trace.params
    table.add_section()
    table.add_row(
        Text("total", style="bold"),
        Text(_dims_text(trace.output), style="bold"),
        Text("?" if total is None else f"{total:,}", style="bold"),
        Text(count_text(trace.macs), style="bold"),
        "",
    )
    console.print(
        Text.assemble(
            ("model ", "dim"),
            (trace.target, "bold"),
            ("  input ", "dim"),
            (_dims_text(tuple(trace.input)), "cyan"),
            ("  (eval mode)" if not trace.training else "  (training mode)", "dim"),
        )
    )
    console.print(table)
    if total is None:
        unknown = sorted({m.type for m in trace.modules if m.params is None})
        console.print(Text(f"parameters: unknown for {', '.join(unknown[:6])}", style="yellow"))
    if trace.reason:
        console.print(Text(f"followed part of {trace.target}: {trace.reason}", style="yellow"))
    _show_failure(console, trace)


def _show_failure(console: Console, trace: ModelTrace) -> None:
    from rich.text import Text

    build = trace.build_error
    failed = trace.failed
    if build is not None:
        module, err, advice = build
        where = f"{module.path} " if module.path else ""
        console.print(
            Text.assemble(
                ("first failure: ", "bold red"),
                (f"{where}{module.code}", "bold"),
                " (while building the model)",
            )
        )
        _show_error(console, err, advice)
        return
    if failed is None:
        for finding in trace.findings:
            console.print(
                Text.assemble(
                    ("found: ", "bold red"),
                    f"line {finding.line} ",
                    (finding.code, "magenta"),
                    f" {finding.message}",
                )
            )
        return
    label = failed.path or failed.type
    console.print(
        Text.assemble(
            ("first failure: ", "bold red"),
            (f"{label} ", "bold"),
            (failed.code, "bold"),
            f" at {failed.where}" if failed.where else "",
            f" on input {_dims_text(failed.input)}",
        )
    )
    if failed.error is not None:
        _show_error(console, failed.error, failed.advice)
        placed = failed.finding
        if placed is not None and (placed.line != failed.line or placed.path != failed.file):
            at = f"{placed.path.replace(chr(92), '/').rpartition('/')[2]}:{placed.line}"
            # the finding's first part: what is written there and the chain of construction
            what = placed.message.partition("): ")[0] + ")" if "): " in placed.message else ""
            console.print(
                Text.assemble(("the line to fix: ", "bold green"), f"{at}:{placed.col} ", what)
            )
            for fix in placed.fixes:
                console.print(Text.assemble(("  fix there: ", "green"), fix))
    elif failed.finding is not None:
        console.print(
            Text.assemble((f"[{failed.finding.code}] ", "magenta"), failed.finding.message)
        )
        for fix in failed.finding.fixes:
            console.print(Text.assemble(("  fix: ", "green"), fix))


def _show_error(console: Console, err: Any, advice: Any) -> None:
    from rich.text import Text

    console.print(
        Text.assemble(("torch raises ", "red"), (f"{err.exc}: ", "bold red"), err.message)
    )
    if advice is not None:
        console.print(
            Text.assemble((f"[{err.code} {err.kind.name}] ", "magenta"), advice.explanation)
        )
        for fix in advice.fixes:
            console.print(Text.assemble(("  fix: ", "green"), fix))
