"""``convshape solve``: the command, its rich output and its ``--json`` document
(``"schema": "convshape.solve/1"``, described in docs/network.md)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from convshape.cli.common import fail as _fail
from convshape.cli.common import make_console as _console
from convshape.core.errors import ShapeError, UsageError

if TYPE_CHECKING:
    from rich.console import Console

    from convshape.features.solve import Inversion, SameStrided, SizeSolution, StackSizes

__all__ = ["SOLVE_SCHEMA", "solve_command"]

SOLVE_SCHEMA = "convshape.solve/1"


@click.command("solve")
@click.argument("size", required=False, type=int)
@click.argument("target", required=False, type=int)
@click.option(
    "--op",
    default="conv",
    show_default=True,
    type=click.Choice(["conv", "maxpool", "avgpool", "transpose"]),
    help="The layer to solve for (transpose: ConvTranspose, to grow a size).",
)
@click.option("--kernel", "-k", type=int, help="Fix kernel_size.")
@click.option("--stride", "-s", type=int, help="Fix the stride.")
@click.option("--padding", "-p", type=int, help="Fix the padding.")
@click.option("--dilation", "-d", type=int, help="Fix the dilation.")
@click.option("--max-kernel", type=int, default=7, show_default=True, help="Largest kernel.")
@click.option("--max-stride", type=int, help="Largest stride (default: from the sizes).")
@click.option("--max-dilation", type=int, default=1, show_default=True, help="Largest dilation.")
@click.option("--keep", is_flag=True, help="Keep SIZE: the padding that keeps a size.")
@click.option("--same", is_flag=True, help="padding='same' with --stride > 1 (torch refuses it).")
@click.option("--dims", type=click.IntRange(1, 3), default=2, show_default=True, help="1, 2, 3.")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="Answers shown.")
@click.option("--invert", "invert_layer", metavar="LAYER", help="Conv/pool layer to undo.")
@click.option("--stack", "stack_code", metavar="CODE", help="A stack ('-': stdin) to size.")
@click.option("--file", "-f", "file", metavar="PATH", help="Read the stack from a file.")
@click.option("--variable", metavar="NAME", help="Which nn.Sequential in the code.")
@click.option("--input", "-i", "input_", metavar="SHAPE", help="Input shape (invert, stack).")
@click.option("--near", type=int, help="Stack: report the valid size nearest to this.")
@click.option("--min-size", type=int, default=1, show_default=True, help="Stack: smallest size.")
@click.option("--max-size", type=int, help="Stack: largest size (default max(512, 2*near)).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def solve_command(**kw: Any) -> None:
    """Solve for layer parameters: which kernel/stride/padding/dilation give a size.

    \b
    Modes:
      SIZE TARGET         parameters mapping SIZE to TARGET, simplest first
      SIZE --keep         the padding that keeps SIZE (with --kernel ...)
      SIZE --same -k K -s S   what to use for padding='same' with a stride
      --invert LAYER --input SHAPE   the ConvTranspose that undoes a Conv / pool
      --stack CODE | --file PATH --input SHAPE   input sizes every layer divides evenly

    \b
    Examples:
      convshape solve 224 112 --max-kernel 7
      convshape solve 112 224 --op transpose
      convshape solve 224 --keep --kernel 5
      convshape solve 224 --same --kernel 3 --stride 2
      convshape solve --invert "nn.Conv2d(16, 32, 3, stride=2, padding=1)" --input 1,16,225,225
      convshape solve --file unet.py --input 1,3,572,572 --near 572

    Exit codes: 0 solved, 1 no solution (the reason names the constraint), 2 bad input.
    """
    try:
        doc, ok, show = _run(kw)
    except UsageError as exc:
        _fail(str(exc))
    if kw["as_json"]:
        click.echo(json.dumps(doc, indent=2))
    else:
        show(_console())
    sys.exit(0 if ok else 1)


def _run(kw: dict[str, Any]) -> tuple[dict[str, Any], bool, Any]:
    from convshape.features.solve import choose_mode

    size = kw["size"]
    mode, target = choose_mode(
        size,
        kw["target"],
        invert=kw["invert_layer"] is not None,
        stack=kw["stack_code"] is not None or kw["file"] is not None,
        same=kw["same"],
        keep=kw["keep"],
        has_input=kw["input_"] is not None,
        has_kernel=kw["kernel"] is not None,
        has_stride=kw["stride"] is not None,
    )
    if mode == "invert":
        return _invert(kw)
    if mode == "stack":
        return _stack(kw)
    if mode == "same":
        return _same(kw, size)
    assert target is not None
    return _size(kw, size, target)


# -- SIZE TARGET -------------------------------------------------------------------------


def _size(kw: dict[str, Any], size: int, target: int) -> tuple[dict[str, Any], bool, Any]:
    from convshape.features.solve import solve_size

    solution = solve_size(
        size,
        target,
        op=kw["op"],
        kernel=kw["kernel"],
        stride=kw["stride"],
        padding=kw["padding"],
        dilation=kw["dilation"],
        max_kernel=kw["max_kernel"],
        max_stride=kw["max_stride"],
        max_dilation=kw["max_dilation"],
    )
    top, dims = kw["top"], kw["dims"]
    doc = {
        "schema": SOLVE_SCHEMA,
        "mode": "size",
        "size": size,
        "target": target,
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
    return doc, solution.ok, lambda console: _show_size(console, solution, top, dims)


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


def _same(kw: dict[str, Any], size: int) -> tuple[dict[str, Any], bool, Any]:
    from convshape.features.solve import same_strided

    plan = same_strided(size, kw["kernel"], kw["stride"], kw["dilation"])
    doc = {
        "schema": SOLVE_SCHEMA,
        "mode": "same",
        "ok": True,
        "size": size,
        "kernel": plan.kernel,
        "stride": plan.stride,
        "dilation": plan.dilation,
        "output": plan.output,
        "total_padding": plan.total,
        "pad": list(plan.pad),
        "symmetric_padding": list(plan.symmetric),
        "torch_refuses": plan.torch_refuses,
        "lines": plan.lines(kw["dims"]),
    }
    return doc, True, lambda console: _show_same(console, plan, kw["dims"])


def _show_same(console: Console, plan: SameStrided, dims: int) -> None:
    from rich.text import Text

    for line in plan.lines(dims):
        console.print(Text(line))


# -- --invert ----------------------------------------------------------------------------


def _invert(kw: dict[str, Any]) -> tuple[dict[str, Any], bool, Any]:
    from convshape.core.code import layer_code
    from convshape.features.solve import fails_on, invert
    from convshape.readers.parse import parse_layer, parse_shape

    spec = parse_layer(kw["invert_layer"])
    shape = parse_shape(kw["input_"])
    try:
        inv = invert(spec, shape)
    except ShapeError as caught:
        from convshape.cli.views.render import error_json

        exc = caught
        doc = {
            "schema": SOLVE_SCHEMA,
            "mode": "invert",
            "ok": False,
            "layer": layer_code(spec),
            "input": list(shape),
            "error": error_json(exc),
            "reason": fails_on(shape),
        }

        def show_error(console: Console) -> None:
            from rich.text import Text

            console.print(
                Text.assemble(
                    ("no solution: ", "bold red"),
                    f"{fails_on(shape)}: {exc.exc}: {exc.message}",
                )
            )

        return doc, False, show_error
    code = layer_code(inv.transpose)
    doc = {
        "schema": SOLVE_SCHEMA,
        "mode": "invert",
        "ok": True,
        "layer": layer_code(spec),
        "input": list(inv.input),
        "output": list(inv.output),
        "transpose": code,
        "output_padding": list(inv.transpose.output_padding),
        "output_size": None if inv.output_size is None else list(inv.output_size),
        "notes": list(inv.notes),
    }
    return doc, True, lambda console: _show_invert(console, inv)


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


def _stack(kw: dict[str, Any]) -> tuple[dict[str, Any], bool, Any]:
    from convshape.cli.views.stack import read_code
    from convshape.features.network import parse_stack
    from convshape.features.solve import stack_sizes
    from convshape.readers.parse import parse_shape

    text = read_code(kw["stack_code"], kw["file"])
    layers = parse_stack(text, kw["variable"])
    shape = parse_shape(kw["input_"])
    result = stack_sizes(layers, shape, low=kw["min_size"], high=kw["max_size"], near=kw["near"])
    doc = {
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
    return doc, result.ok, lambda console: _show_stack_sizes(console, result)


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
