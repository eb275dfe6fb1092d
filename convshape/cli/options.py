"""Click options shared by the commands, as decorators (``@layer_options``, ``@json_option``).

Only click is imported here: the library is imported when a command runs.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from convshape.core.releases import Resolved

__all__ = [
    "dtype_option",
    "file_option",
    "input_option",
    "json_option",
    "lang_option",
    "layer_optional",
    "layer_options",
    "stack_options",
    "torch_option",
    "torch_target",
    "variable_option",
    "version_option",
]

F = TypeVar("F", bound=Callable[..., Any])


def _apply(fn: F, options: list[Callable[[Any], Any]]) -> F:
    """Apply ``options`` so that they appear in --help in the order listed."""
    for option in reversed(options):
        fn = option(fn)
    return fn


def _version() -> str:
    from importlib import metadata

    from convshape.cli.args import installed_torch

    try:
        text = f"convshape {metadata.version('convshape')}"
    except metadata.PackageNotFoundError:
        text = "convshape unknown"
    torch = installed_torch()  # the one reading of the installed torch (--torch's default)
    text += f" (torch {torch})" if torch else " (torch not installed)"
    return text


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(_version())
        ctx.exit()


def version_option(fn: F) -> F:
    """``--version``: convshape's and torch's versions."""
    return click.option(
        "--version",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_print_version,
        help="Show convshape's and torch's versions and exit.",
    )(fn)


def torch_option(fn: F) -> F:
    """``--torch VERSION``: the command runs predicting for that release (the installed
    torch's by default); :func:`torch_target` is the release it resolved to."""

    @functools.wraps(fn)
    def run(*a: Any, torch_release: str | None = None, **kw: Any) -> Any:
        from convshape.cli.args import torch_release as resolve
        from convshape.cli.common import fail
        from convshape.core.errors import UsageError
        from convshape.core.releases import using

        try:
            target = resolve(torch_release)
        except UsageError as exc:
            fail(str(exc))
        click.get_current_context().meta[_TARGET] = target
        with using(target.release):
            return fn(*a, **kw)

    return click.option(
        "--torch",
        "torch_release",
        metavar="VERSION",
        help="The torch release to predict for: 1.13 to 2.15 (e.g. 2.5.1) or latest "
        "(default: the installed torch, else the newest modelled; docs/releases.md).",
    )(run)  # type: ignore[return-value]


_TARGET = "convshape.torch"


def torch_target() -> Resolved:
    """The release the running command predicts for (after :func:`torch_option`)."""
    from convshape.cli.args import torch_release as resolve

    target = click.get_current_context().meta.get(_TARGET)
    return target if target is not None else resolve(None)


def json_option(help: str = "Print the result as JSON.") -> Callable[[F], F]:
    """``--json`` (the parameter ``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def input_option(help: str, *, required: bool = False) -> Callable[[F], F]:
    """``--input/-i SHAPE`` (the parameter ``input_``)."""
    return click.option("--input", "-i", "input_", required=required, metavar="SHAPE", help=help)


def file_option(help: str) -> Callable[[F], F]:
    """``--file/-f PATH``: where to read a stack."""
    return click.option("--file", "-f", "file", metavar="PATH", help=help)


def variable_option(help: str) -> Callable[[F], F]:
    """``--variable NAME``: which nn.Sequential of the code."""
    return click.option("--variable", metavar="NAME", help=help)


def dtype_option(fn: F) -> F:
    """``--dtype``: the element type of the memory estimate (stacks, models)."""
    return click.option(
        "--dtype",
        default="float32",
        show_default=True,
        type=click.Choice(["float32", "float16", "bfloat16", "float64", "int8"]),
        help="Element type for the memory estimate of a stack or model (MB = 10**6 bytes).",
    )(fn)


def lang_option(fn: F) -> F:
    """``--lang en|ja``."""
    return click.option(
        "--lang",
        type=click.Choice(["en", "ja"]),
        help="Language of the explanation (default: from LC_ALL, LC_MESSAGES or LANG).",
    )(fn)


def layer_options(fn: F) -> F:
    """LAYER, --input and the layer flags (--kernel ...): calc and verify."""
    return _apply(
        fn,
        [
            click.argument("layer", required=True),
            input_option(
                "Input tensor shape, e.g. 20,16,50,100 (unbatched: 16,50,100).", required=True
            ),
            click.option(
                "--weight",
                "-w",
                metavar="SHAPE",
                help="Weight shape for functional calls (F.conv2d).",
            ),
            click.option(
                "--bias",
                "-b",
                "bias_shape",
                metavar="SHAPE",
                help="Bias shape for functional calls.",
            ),
            click.option(
                "--in-channels", metavar="INT", help="in_channels (default: from --input)."
            ),
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
            click.option(
                "--ceil-mode", is_flag=True, default=False, help="ceil_mode=True (pools)."
            ),
            click.option(
                "--return-indices",
                is_flag=True,
                default=False,
                help="return_indices=True (max pools).",
            ),
            click.option(
                "--no-count-include-pad",
                is_flag=True,
                default=False,
                help="count_include_pad=False (avg pools).",
            ),
            click.option("--divisor-override", metavar="INT", help="divisor_override (avg pools)."),
            click.option("--norm-type", metavar="FLOAT", help="norm_type (LP pools)."),
        ],
    )


def _optional(fn: F, names: tuple[str, ...]) -> F:
    for param in getattr(fn, "__click_params__", []):
        if param.name in names:
            param.required = False
    return fn


def stack_options(fn: F) -> F:
    """A stack instead of one layer: --file, --variable, --eval; LAYER becomes optional.
    Put it above ``@layer_options``."""
    return _apply(
        _optional(fn, ("layer",)),
        [
            file_option(
                "Read the stack (an nn.Sequential or layers) from a Python file ('-': stdin)."
            ),
            variable_option("Which nn.Sequential in the code (features, self.head, model)."),
            click.option(
                "--eval",
                "eval_mode",
                is_flag=True,
                default=False,
                help="Stack in eval mode (BatchNorm uses running statistics).",
            ),
        ],
    )


def layer_optional(fn: F) -> F:
    """LAYER and --input optional (``verify --fuzz`` makes its own). Put it above
    ``@layer_options``."""
    return _optional(fn, ("layer", "input_"))
