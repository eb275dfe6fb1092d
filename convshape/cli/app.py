"""The ``convshape`` command line: parse arguments, call the core, render. No logic here."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from convshape.cli.common import EXIT_FAIL, EXIT_OK
from convshape.cli.common import fail as _fail
from convshape.cli.common import make_console as _console
from convshape.cli.views.stack import is_stack, stack_options
from convshape.core.errors import UsageError

F = TypeVar("F", bound=Callable[..., Any])


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
    from convshape.readers.flags import FLAG_KEYS, spec_from_args

    return spec_from_args(
        kw["layer"],
        kw["input_"],
        {k: kw.get(k) for k in FLAG_KEYS},
        weight=kw.get("weight"),
        bias=kw.get("bias_shape"),
        output_size=kw.get("output_size"),
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
@stack_options
@layer_options
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def calc(as_json: bool, file: str | None, variable: str | None, eval_mode: bool, **kw: Any) -> None:
    """Output shape of LAYER for an input, with the arithmetic and torch's error if any.

    LAYER is an op name with flags (conv2d --kernel 3 ...), pasted code
    ("nn.Conv2d(16, 32, 3)", "F.conv2d(x, w, padding=1)" with --weight) or a whole stack:
    an nn.Sequential(...) or several layers ('-' or --file PATH reads it; docs/network.md).

    \b
    Examples:
      convshape calc "nn.Conv2d(16, 32, 3, padding=1)" --input 20,16,50,100
      convshape calc conv2d --input 20,16,100,50 --out-channels 32 --kernel 5,3 --stride 2,1
      convshape calc "F.conv2d(x, w, padding=1)" --input 2,6,5,5 --weight 12,5,3,3
      convshape calc --file model.py --variable features --input 1,3,224,224
    """
    from convshape.core.engine import infer_spec

    layer = kw.get("layer")
    if file is not None or layer == "-" or (layer and is_stack(layer)) or variable:
        from convshape.cli.views import stack as stackview

        try:
            text = stackview.read_code(layer, file)
            stack = stackview.run_calc(text, kw, variable, training=not eval_mode)
        except UsageError as exc:
            _fail(str(exc))
        if as_json:
            click.echo(json.dumps(stackview.stack_json(stack), indent=2))
        else:
            stackview.show_stack(_console(), stack)
        sys.exit(EXIT_OK if stack.ok else EXIT_FAIL)
    if eval_mode:
        _fail("--eval applies to stacks (nn.Sequential or several layers)")
    if layer is None:
        _fail("missing LAYER (or --file PATH)")
    try:
        spec, shape = _spec_and_shape(kw)
    except UsageError as exc:
        _fail(str(exc))
    result = infer_spec(spec, shape)
    if as_json:
        from convshape.cli.views.render import result_json

        click.echo(json.dumps(result_json(result), indent=2))
    else:
        from convshape.cli.views.render import show_result

        show_result(_console(), result)
    sys.exit(EXIT_OK if result.ok else EXIT_FAIL)


def _layer_optional(fn: F) -> F:
    """``verify --fuzz`` takes no LAYER or --input: make both optional (verify checks)."""
    for param in getattr(fn, "__click_params__", []):
        if param.name in ("layer", "input_"):
            param.required = False
    return fn


@cli.command()
@_layer_optional
@stack_options
@layer_options
@click.option(
    "--device",
    default="cpu",
    show_default=True,
    metavar="cpu|meta|cuda",
    help="Where torch runs: cpu (the reference), meta (fast, checks less) or cuda.",
)
@click.option("--fuzz", "fuzz_count", metavar="N", help="Verify N random layers instead of LAYER.")
@click.option("--seed", metavar="INT", help="Seed for --fuzz (default 0).")
@click.option("--ops", metavar="OPS", help="Ops for --fuzz, e.g. conv2d,max_pool2d (default all).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def verify(
    device: str,
    fuzz_count: str | None,
    seed: str | None,
    ops: str | None,
    as_json: bool,
    file: str | None,
    variable: str | None,
    eval_mode: bool,
    **kw: Any,
) -> None:
    """Run LAYER through convshape and the installed torch; show both and whether they agree.

    Takes LAYER and --input as calc does, stacks too (an nn.Sequential, several layers,
    nn.Linear ..., --file PATH): those are compared layer by layer, on cpu or meta.
    torch runs the nn module you wrote (or the F. call) on an uninitialised float32
    tensor; large layers run on a small twin plus meta
    (docs/verify.md). Exit 0 agree, 1 disagree, 2 bad input or torch missing.

    \b
    Examples:
      convshape verify "nn.Conv2d(3, 16, 3)" --input 1,3,4096,4096
      convshape verify "F.conv2d(x, w)" --input 2,6,5,5 --weight 12,5,3,3 --device meta
      convshape verify --fuzz 2000 --seed 1 --ops conv2d,max_pool2d --json
      convshape verify "nn.Sequential(nn.Conv2d(3, 8, 3), nn.Flatten(), nn.Linear(8, 2))" -i 1,3,5,5
    """
    from convshape import oracle
    from convshape.features.verify import INSTALL

    if not oracle.available():
        _fail(f"torch is not installed; install it with: {INSTALL}")
    layer = kw.get("layer")
    if file is not None or layer == "-" or (layer and is_stack(layer)) or variable:
        if fuzz_count is not None:
            _fail("--fuzz makes its own layers; drop the stack")
        _verify_stack(device, layer, file, variable, eval_mode, as_json, kw)
    if eval_mode:
        _fail("--eval applies to stacks (nn.Sequential or several layers)")
    try:
        if fuzz_count is not None:
            _verify_fuzz(device, fuzz_count, seed, ops, as_json, kw)
        if kw.get("layer") is None:
            raise UsageError("missing LAYER (or --fuzz N)")
        if kw.get("input_") is None:
            raise UsageError("missing --input SHAPE")
        if ops is not None or seed is not None:
            raise UsageError(f"{'--ops' if ops is not None else '--seed'} needs --fuzz")
        spec, shape = _spec_and_shape(kw)
        from convshape.features.verify import verify as run_verify

        check = run_verify(spec, shape, device.strip().lower())
    except (UsageError, oracle.TorchMissing) as exc:
        _fail(str(exc))
    from convshape.cli.views.render import check_json, show_check

    _emit(as_json, check, check_json, show_check)


def _emit(
    as_json: bool,
    check: Any,
    to_json: Callable[[Any], dict[str, Any]],
    show: Callable[[Any, Any], None],
) -> NoReturn:
    """Print a verify verdict as JSON or for people; exit 0 agree, 1 disagree."""
    if as_json:
        click.echo(json.dumps(to_json(check), indent=2))
    else:
        show(_console(), check)
    sys.exit(EXIT_OK if check.agree else EXIT_FAIL)


def _verify_stack(
    device: str,
    layer: str | None,
    file: str | None,
    variable: str | None,
    eval_mode: bool,
    as_json: bool,
    kw: dict[str, Any],
) -> NoReturn:
    from convshape import oracle
    from convshape.cli.views import stack as stackview
    from convshape.features.network import parse_stack
    from convshape.features.verify import verify_stack
    from convshape.readers.parse import parse_shape

    try:
        text = stackview.read_code(layer, file)
        flags = [
            k for k, v in kw.items() if k not in ("layer", "input_") and v not in (None, False)
        ]
        if flags:
            name = flags[0].rstrip("_").replace("_", "-")
            raise UsageError(f"--{name} does not apply to a stack; put the argument in the code")
        if kw.get("input_") is None:
            raise UsageError("missing --input SHAPE")
        shape = parse_shape(kw["input_"])
        layers = parse_stack(text, variable)
        check = verify_stack(layers, shape, device.strip().lower(), training=not eval_mode)
    except (UsageError, oracle.TorchMissing) as exc:
        _fail(str(exc))
    from convshape.cli.views.render import show_stack_check, stack_check_json

    _emit(as_json, check, stack_check_json, show_stack_check)


def _verify_fuzz(
    device: str, count: str, seed: str | None, ops: str | None, as_json: bool, kw: dict[str, Any]
) -> NoReturn:
    from convshape.features.verify import resolve_ops, run_fuzz
    from convshape.readers.flags import FLAG_KEYS

    extra = ("layer", "input_", "weight", "bias_shape", "output_size", *FLAG_KEYS)
    given = [k for k in extra if kw.get(k) not in (None, False)]
    if given:
        name = "LAYER" if given[0] == "layer" else "--" + given[0].rstrip("_").replace("_", "-")
        raise UsageError(f"--fuzz makes its own layers; drop {name}")
    n, s = _int_option(count, "--fuzz"), _int_option(seed or "0", "--seed")
    names = resolve_ops(ops)
    dev = device.strip().lower()
    if as_json:
        from convshape.cli.views.render import fuzz_json

        report = run_fuzz(n, s, names, dev)
        click.echo(json.dumps(fuzz_json(report), indent=2))
    else:
        from convshape.cli.views.render import fuzz_progress, show_fuzz

        console = _console()
        with fuzz_progress(console, n) as advance:
            report = run_fuzz(n, s, names, dev, progress=advance)
        show_fuzz(console, report)
    sys.exit(EXIT_OK if report.disagree == 0 else EXIT_FAIL)


def _int_option(text: str, name: str) -> int:
    value = text.strip()
    if not value.lstrip("+-").isdigit():
        raise UsageError(f"{name} must be an integer, got {text!r}")
    number = int(value)
    if name == "--fuzz" and number < 0:
        raise UsageError(f"--fuzz must be at least 0, got {number}")
    return number


@cli.command()
@click.argument("text", metavar="TEXT|-")
@click.option(
    "--lang",
    type=click.Choice(["en", "ja"]),
    help="Language of the explanation (default: from LC_ALL, LC_MESSAGES or LANG).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
def explain(text: str, lang: str | None, as_json: bool) -> None:
    """Explain a torch shape error: what happened, why, the fix, and a calc that reproduces it.

    TEXT is torch's message or a whole traceback; '-' reads it from stdin. Exit 0 when
    explained, 2 when the text holds no recognised torch shape error.

    \b
    Examples:
      convshape explain "RuntimeError: Given groups=1, weight of size [12, 5, 3, 3], ..."
      python train.py 2>&1 | convshape explain -
      convshape explain --lang ja "mat1 and mat2 shapes cannot be multiplied (20x12800 and 9216x10)"
    """
    from convshape.features.advice import Lang
    from convshape.features.explain import default_lang, explain_text

    if text == "-":
        text = sys.stdin.read()
    try:
        chosen: Lang = "ja" if (lang or default_lang()) == "ja" else "en"
        ex = explain_text(text, chosen)
    except UsageError as exc:
        _fail(str(exc))
    if as_json:
        from convshape.cli.views.explain import explanation_json

        click.echo(json.dumps(explanation_json(ex), indent=2, ensure_ascii=False))
    else:
        from convshape.cli.views.explain import show_explanation

        show_explanation(_console(), ex)
    sys.exit(EXIT_OK)


def _add_lint() -> None:
    from convshape.cli.lint import lint

    cli.add_command(lint)


_add_lint()


def _add_solve() -> None:
    from convshape.cli.views.solve import solve_command

    cli.add_command(solve_command)


_add_solve()


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="convshape")
