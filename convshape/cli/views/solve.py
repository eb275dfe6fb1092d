"""``convshape solve``'s answers as rich output and as its ``--json`` document
(``"schema": "convshape.solve/1"``, described in docs/network.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from convshape.cli.run import Solved
    from convshape.core.errors import ShapeError
    from convshape.core.shapes import Shape
    from convshape.features.solve import Inversion, SameStrided, SizeSolution, StackSizes
    from convshape.ops import Spec

__all__ = ["SOLVE_SCHEMA", "show_solve", "solve_json"]

SOLVE_SCHEMA = "convshape.solve/1"


def solve_json(solved: Solved, top: int, dims: int) -> dict[str, Any]:
    """The documented ``solve --json`` document; ``top`` answers, layers of ``dims``."""
    from convshape.core.errors import ShapeError
    from convshape.features.solve import Inversion, SizeSolution, StackSizes

    a = solved.answer
    if isinstance(a, SizeSolution):
        return _size_json(a, top, dims)
    if isinstance(a, StackSizes):
        assert solved.shape is not None
        return _stack_json(a, solved.shape)
    if isinstance(a, Inversion):
        return _invert_json(a)
    if isinstance(a, ShapeError):
        assert solved.spec is not None and solved.shape is not None
        return _invert_error_json(a, solved.spec, solved.shape)
    return _same_json(a, dims)


def show_solve(console: Console, solved: Solved, top: int, dims: int) -> None:
    """``solved`` for people: the answers, or the reason there is none."""
    from convshape.core.errors import ShapeError
    from convshape.features.solve import Inversion, SizeSolution, StackSizes

    a = solved.answer
    if isinstance(a, SizeSolution):
        _show_size(console, a, top, dims)
    elif isinstance(a, StackSizes):
        _show_stack_sizes(console, a)
    elif isinstance(a, Inversion):
        _show_invert(console, a)
    elif isinstance(a, ShapeError):
        assert solved.shape is not None
        _show_invert_error(console, a, solved.shape)
    else:
        _show_same(console, a, dims)


# -- SIZE TARGET -------------------------------------------------------------------------


def _size_json(solution: SizeSolution, top: int, dims: int) -> dict[str, Any]:
    return {
        "schema": SOLVE_SCHEMA,
        "mode": "size",
        "size": solution.size,
        "target": solution.target,
        "op": solution.op,
        "ok": solution.ok,
        "searched": solution.searched,
        "count": len(solution.candidates),
        "candidates": [
            {
                "kernel": c.kernel,
                "stride": c.stride,
                "padding": c.padding,
                "dilation": c.dilation,
                "output_padding": c.output_padding,
                "output": c.output,
                "dropped": c.dropped,
                "code": c.code(dims),
            }
            for c in solution.candidates[:top]
        ],
        "reason": solution.reason or None,
        "notes": list(solution.notes),
    }


def _show_size(console: Console, solution: SizeSolution, top: int, dims: int) -> None:
    from rich.table import Table
    from rich.text import Text

    head = f"{solution.op}: {solution.size} -> {solution.target}"
    console.print(Text.assemble((head, "bold"), (f"  (searched {solution.searched})", "dim")))
    if not solution.ok:
        console.print(Text.assemble(("no solution: ", "bold red"), solution.reason))
        return
    table = Table(header_style="bold", box=None, pad_edge=False)
    for name in ("kernel", "stride", "padding", "dilation"):
        table.add_column(name, justify="right")
    transpose = solution.op == "transpose"
    if transpose:
        table.add_column("output_padding", justify="right")
    else:
        table.add_column("unused rows", justify="right")
    table.add_column("layer")
    for c in solution.candidates[:top]:
        extra = str(c.output_padding) if transpose else (str(c.dropped) if c.dropped else "")
        table.add_row(
            str(c.kernel), str(c.stride), str(c.padding), str(c.dilation), extra, c.code(dims)
        )
    console.print(table)
    more = len(solution.candidates) - top
    if more > 0:
        console.print(Text(f"... and {more} more (--top N)", style="dim"))
    if not transpose and any(c.dropped for c in solution.candidates[:top]):
        console.print(
            Text(
                "unused rows: input rows at the end that no window reaches (they are ignored)",
                style="dim",
            )
        )
    for note in solution.notes:
        console.print(Text(f"note: {note}", style="dim"))


# -- --same ------------------------------------------------------------------------------


def _same_json(plan: SameStrided, dims: int) -> dict[str, Any]:
    return {
        "schema": SOLVE_SCHEMA,
        "mode": "same",
        "ok": True,
        "size": plan.size,
        "kernel": plan.kernel,
        "stride": plan.stride,
        "dilation": plan.dilation,
        "output": plan.output,
        "total_padding": plan.total,
        "pad": list(plan.pad),
        "symmetric_padding": list(plan.symmetric),
        "torch_refuses": plan.torch_refuses,
        "lines": plan.lines(dims),
    }


def _show_same(console: Console, plan: SameStrided, dims: int) -> None:
    from rich.text import Text

    for line in plan.lines(dims):
        console.print(Text(line))


# -- --invert ----------------------------------------------------------------------------


def _invert_json(inv: Inversion) -> dict[str, Any]:
    from convshape.core.code import layer_code

    return {
        "schema": SOLVE_SCHEMA,
        "mode": "invert",
        "ok": True,
        "layer": layer_code(inv.layer),
        "input": list(inv.input),
        "output": list(inv.output),
        "transpose": layer_code(inv.transpose),
        "output_padding": list(inv.transpose.output_padding),
        "output_size": None if inv.output_size is None else list(inv.output_size),
        "notes": list(inv.notes),
    }


def _invert_error_json(exc: ShapeError, spec: Spec, shape: Shape) -> dict[str, Any]:
    from convshape.cli.views.render import error_json
    from convshape.core.code import layer_code
    from convshape.features.solve import fails_on

    return {
        "schema": SOLVE_SCHEMA,
        "mode": "invert",
        "ok": False,
        "layer": layer_code(spec),
        "input": list(shape),
        "error": error_json(exc),
        "reason": fails_on(shape),
    }


def _show_invert_error(console: Console, exc: ShapeError, shape: Shape) -> None:
    from rich.text import Text

    from convshape.features.solve import fails_on

    console.print(
        Text.assemble(
            ("no solution: ", "bold red"),
            f"{fails_on(shape)}: {exc.exc}: {exc.message}",
        )
    )


def _show_invert(console: Console, inv: Inversion) -> None:
    from rich.text import Text

    from convshape.core.code import layer_code

    console.print(
        Text.assemble(
            (layer_code(inv.layer), "bold"),
            f"  {inv.input} -> {inv.output}",
        )
    )
    console.print(Text.assemble(("undo it with ", "green"), (layer_code(inv.transpose), "bold")))
    console.print(Text(f"  {inv.output} -> {inv.input}", style="dim"))
    if inv.output_size is not None:
        from dataclasses import replace

        plain = layer_code(replace(inv.transpose, output_padding=(0,) * inv.transpose.dims))
        sizes = list(inv.output_size)
        console.print(
            Text.assemble(
                ("or, without output_padding: ", "green"),
                f"{plain} called as m(x, output_size={sizes})",
            )
        )
    for note in inv.notes:
        console.print(Text(f"note: {note}", style="dim"))


# -- --stack -----------------------------------------------------------------------------


def _stack_json(result: StackSizes, shape: Shape) -> dict[str, Any]:
    return {
        "schema": SOLVE_SCHEMA,
        "mode": "stack",
        "ok": result.ok,
        "input": list(shape),
        "range": [result.low, result.high],
        "sizes": list(result.sizes),
        "smallest": result.smallest,
        "near": result.near,
        "nearest": result.nearest,
        "period": result.period,
        "reason": result.reason or None,
    }


def _show_stack_sizes(console: Console, result: StackSizes) -> None:
    from rich.text import Text

    span = f"sizes {result.low}..{result.high} (the same on every spatial axis)"
    if not result.ok:
        console.print(Text.assemble(("no solution: ", "bold red"), result.reason))
        return
    sizes = result.sizes
    console.print(Text(f"{len(sizes)} of the {span} fit every layer evenly", style="bold"))
    shown = ", ".join(map(str, sizes[:12])) + (", ..." if len(sizes) > 12 else "")
    if result.period:
        shown += f"  (every {result.period} from {sizes[0]})"
    console.print(Text(f"  {shown}"))
    console.print(Text.assemble(("smallest: ", "green"), str(result.smallest)))
    if result.nearest is not None:
        console.print(Text.assemble((f"nearest to {result.near}: ", "green"), str(result.nearest)))
