"""The ``convshape`` command line: parse arguments, call the core, render. No logic here."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from .errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _fail(message: str) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _version() -> str:
    from importlib import metadata

    def version(name: str) -> str | None:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    text = f"convshape {version('convshape') or 'unknown'}"
    torch = version("torch")
    text += f" (torch {torch})" if torch else " (torch not installed)"
    return text


def layer_options(fn: F) -> F:
    """The options shared by every command that takes a layer (calc, verify)."""
    options = [
        click.argument("layer", required=True),
        click.option(
            "--input",
            "-i",
            "input_",
            required=True,
            metavar="SHAPE",
            help="Input tensor shape, e.g. 20,16,50,100 (unbatched: 16,50,100).",
        ),
        click.option(
            "--weight", "-w", metavar="SHAPE", help="Weight shape for functional calls (F.conv2d)."
        ),
        click.option(
            "--bias", "-b", "bias_shape", metavar="SHAPE", help="Bias shape for functional calls."
        ),
        click.option("--in-channels", metavar="INT", help="in_channels (default: from --input)."),
        click.option("--out-channels", metavar="INT", help="out_channels (conv layers)."),
        click.option("--kernel", "-k", metavar="INTS", help="kernel_size, e.g. 3 or 5,3."),
        click.option("--stride", "-s", metavar="INTS", help="stride, e.g. 2 or 2,1."),
        click.option("--padding", "-p", metavar="INTS|same|valid", help="padding."),
        click.option("--dilation", "-d", metavar="INTS", help="dilation."),
        click.option("--groups", "-g", metavar="INT", help="groups."),
        click.option("--no-bias", is_flag=True, default=False, help="bias=False."),
        click.option(
            "--padding-mode", metavar="MODE", help="zeros, reflect, replicate or circular."
        ),
        click.option("--output-padding", metavar="INTS", help="output_padding (transposed)."),
        click.option(
            "--output-size",
            metavar="INTS",
            help="ConvTranspose forward(output_size=...), adaptive or fold output size.",
        ),
        click.option("--ceil-mode", is_flag=True, default=False, help="ceil_mode=True (pools)."),
        click.option(
            "--return-indices", is_flag=True, default=False, help="return_indices=True (max pools)."
        ),
        click.option(
            "--no-count-include-pad",
            is_flag=True,
            default=False,
            help="count_include_pad=False (avg pools).",
        ),
        click.option("--divisor-override", metavar="INT", help="divisor_override (avg pools)."),
        click.option("--norm-type", metavar="FLOAT", help="norm_type (LP pools)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def _spec_and_shape(kw: dict[str, Any]) -> tuple[Any, tuple[int, ...]]:
    from . import parse

    shape = parse.parse_shape(kw["input_"])
    weight = parse.parse_shape(kw["weight"]) if kw.get("weight") else None
    bias = parse.parse_shape(kw["bias_shape"]) if kw.get("bias_shape") else None
    output_size = kw.get("output_size")
    sizes = parse.parse_ints(output_size, "--output-size") if output_size else None
    layer: str = kw["layer"]
    if "(" in layer:
        flags = [k for k in _FLAG_KEYS if kw.get(k) not in (None, False)]
        if flags:
            raise UsageError(
                f"--{flags[0].replace('_', '-')} cannot be combined with pasted code; "
                "put the argument in the code"
            )
        spec = parse.parse_layer(
            layer,
            weight=weight,
            bias=bias,
            output_size=(sizes,) if isinstance(sizes, int) else sizes,
        )
    else:
        options = {k: kw[k] for k in _FLAG_KEYS if kw.get(k) not in (None, False)}
        from .flags import layer_from_flags

        spec = layer_from_flags(layer, options, shape, weight=weight, bias=bias, output_size=sizes)
    return spec, shape


_FLAG_KEYS = (
    "in_channels",
    "out_channels",
    "kernel",
    "stride",
    "padding",
    "dilation",
    "groups",
    "no_bias",
    "padding_mode",
    "output_padding",
    "ceil_mode",
    "return_indices",
    "no_count_include_pad",
    "divisor_override",
    "norm_type",
)


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_version())
        ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show convshape's and torch's versions and exit.",
)
def cli() -> None:
    """Predict PyTorch convolution-family output shapes and shape errors, without torch.

    \b
    Exit codes: 0 ok, 1 the layer would raise in torch (or verify disagrees), 2 bad input.
    Shell completion: eval "$(_CONVSHAPE_COMPLETE=bash_source convshape)".
    """


@cli.command()
@layer_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def calc(as_json: bool, **kw: Any) -> None:
    """Output shape of LAYER for an input, with the arithmetic and torch's error if any.

    LAYER is an op name with flags (conv2d --kernel 3 ...) or pasted code
    ("nn.Conv2d(16, 32, 3)", "F.conv2d(x, w, padding=1)" with --weight).

    \b
    Examples:
      convshape calc "nn.Conv2d(16, 32, 3, padding=1)" --input 20,16,50,100
      convshape calc conv2d --input 20,16,100,50 --out-channels 32 --kernel 5,3 --stride 2,1
      convshape calc "F.conv2d(x, w, padding=1)" --input 2,6,5,5 --weight 12,5,3,3
    """
    from .engine import infer_spec

    try:
        spec, shape = _spec_and_shape(kw)
    except UsageError as exc:
        _fail(str(exc))
    result = infer_spec(spec, shape)
    if as_json:
        from .render import result_json

        click.echo(json.dumps(result_json(result), indent=2))
    else:
        from .render import show_result

        show_result(_console(), result)
    sys.exit(EXIT_OK if result.ok else EXIT_FAIL)


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="convshape")
