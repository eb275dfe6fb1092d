"""The ``convshape`` command line: the group and every command. Each command parses its
options (:mod:`.options`, :mod:`.args`), calls the library and hands the result to a view
(:mod:`.views`). The library and rich are imported inside the commands, when they run."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import click

from convshape.cli import args
from convshape.cli.common import (
    EXIT_USAGE,
    Group,
    echo_json,
    fail,
    finish,
    interrupted,
    make_console,
    write_atomic,
)
from convshape.cli.options import (
    dtype_option,
    file_option,
    input_option,
    json_option,
    lang_option,
    layer_optional,
    layer_options,
    stack_options,
    torch_option,
    torch_target,
    variable_option,
    version_option,
)
from convshape.core.errors import UsageError

if TYPE_CHECKING:
    from convshape.core.shapes import Shape
    from convshape.features.model_trace import ModelTrace
    from convshape.features.network import StackResult

__all__ = ["cli", "main"]


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@version_option
def cli() -> None:
    """Predict PyTorch convolution-family output shapes and shape errors, without torch.

    \b
    Exit codes: 0 ok, 1 the layer would raise in torch (or verify disagrees), 2 bad input.
    Shell completion: eval "$(_CONVSHAPE_COMPLETE=bash_source convshape)".
    """


@cli.command()
@stack_options
@layer_options
@dtype_option
@torch_option
@json_option()
def calc(
    as_json: bool,
    file: str | None,
    variable: str | None,
    eval_mode: bool,
    dtype: str,
    **kw: Any,
) -> None:
    """Output shape of LAYER for an input, with the arithmetic and torch's error if any.

    LAYER is an op name with flags (conv2d --kernel 3 ...), pasted code
    ("nn.Conv2d(16, 32, 3)", "F.conv2d(x, w, padding=1)" with --weight) or a whole stack:
    an nn.Sequential(...) or several layers ('-' or --file PATH reads it; docs/network.md).
    A stack's table also gives each output's size and the memory estimate (--dtype).

    \b
    Examples:
      convshape calc "nn.Conv2d(16, 32, 3, padding=1)" --input 20,16,50,100
      convshape calc conv2d --input 20,16,100,50 --out-channels 32 --kernel 5,3 --stride 2,1
      convshape calc "F.conv2d(x, w, padding=1)" --input 2,6,5,5 --weight 12,5,3,3
      convshape calc --file model.py --variable features --input 1,3,224,224
    """
    layer = kw.get("layer")
    if args.wants_stack(layer, file, variable):
        from convshape.cli.views.stack import show_stack, stack_json
        from convshape.features.network import StackResult

        stack = _many_layers(layer, file, variable, kw, eval_mode)
        if not isinstance(stack, StackResult):
            from convshape.cli.views.model import model_json, show_model

            if as_json:
                echo_json(model_json(stack))
            else:
                show_model(make_console(), stack)
            finish(stack.ok)
        if as_json:
            echo_json({**stack_json(stack, dtype), "torch": torch_target().to_json()})
        else:
            show_stack(make_console(), stack, dtype)
            make_console().print(torch_target().describe(), style="dim")
        finish(stack.ok)
    if dtype != "float32":
        fail("--dtype applies to stacks (nn.Sequential or several layers) and --model")
    from convshape.core.engine import infer_spec

    spec, shape = _single_layer(layer, kw, eval_mode)
    result = infer_spec(spec, shape)
    if as_json:
        from convshape.cli.views.render import result_json

        echo_json(result_json(result, torch_target()))
    else:
        from convshape.cli.views.render import show_result

        show_result(make_console(), result, torch_target())
    finish(result.ok)


@cli.command()
@layer_optional
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
@click.option(
    "--max-memory",
    metavar="SIZE",
    help="Most memory torch may allocate on cpu/cuda, e.g. 8GB (default 2GB); a layer or "
    "stack estimated above it is refused (exit 2) before torch runs.",
)
@torch_option
@json_option()
def verify(
    device: str,
    fuzz_count: str | None,
    seed: str | None,
    ops: str | None,
    max_memory: str | None,
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
    from convshape.cli.views import render
    from convshape.features import verify as V

    if not oracle.available():
        fail(f"torch is not installed; install it with: {V.INSTALL}")
    if mismatch := V.release_mismatch(torch_target()):
        fail(mismatch)
    dev = device.strip().lower()
    layer = kw.get("layer")
    if args.wants_stack(layer, file, variable):
        if fuzz_count is not None:
            fail("--fuzz makes its own layers; drop the stack")
        from convshape.features.network import parse_stack

        try:
            text = args.stack_text(layer, file)
            shape = args.stack_input(kw)
            layers = parse_stack(text, variable)
            limit = args.memory(max_memory, V.MAX_MEMORY)
            stack_check = V.verify_stack(
                layers, shape, dev, training=not eval_mode, max_memory=limit
            )
        except (UsageError, oracle.TorchMissing) as exc:
            fail(str(exc))
        if as_json:
            echo_json(render.stack_check_json(stack_check))
        else:
            render.show_stack_check(make_console(), stack_check)
        finish(stack_check.agree)
    if eval_mode:
        fail("--eval applies to stacks (nn.Sequential or several layers)")
    try:
        if fuzz_count is not None:
            _fuzz(dev, *args.fuzz_args(fuzz_count, seed, ops, kw), as_json)
        if layer is None:
            raise UsageError("missing LAYER (or --fuzz N)")
        if kw.get("input_") is None:
            raise UsageError("missing --input SHAPE")
        if ops is not None or seed is not None:
            raise UsageError(f"{'--ops' if ops is not None else '--seed'} needs --fuzz")
        spec, shape = args.layer_spec(kw)
        check = V.verify(spec, shape, dev, max_memory=args.memory(max_memory, V.MAX_MEMORY))
    except (UsageError, oracle.TorchMissing) as exc:
        fail(str(exc))
    if as_json:
        echo_json(render.check_json(check))
    else:
        render.show_check(make_console(), check)
    finish(check.agree)


def _fuzz(device: str, count: int, seed: int, ops: tuple[str, ...], as_json: bool) -> None:
    """``verify --fuzz``: the report, with a progress bar for people; exits."""
    from convshape.cli.views import render
    from convshape.features.verify import run_fuzz

    if as_json:
        report = run_fuzz(count, seed, ops, device)
        echo_json(render.fuzz_json(report))
    else:
        console = make_console()
        with render.fuzz_progress(console, count) as advance:
            report = run_fuzz(count, seed, ops, device, progress=advance)
        render.show_fuzz(console, report)
    if report.interrupted:
        interrupted(f"checked {report.checked} of {count}, {report.disagree} disagreed")
    finish(report.disagree == 0)


@cli.command()
@click.argument("text", metavar="TEXT|-")
@lang_option
@json_option("Print the explanation as JSON.")
@torch_option
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
    from convshape.features.explain import Refusal, default_lang, explain_text

    chosen: Lang = "ja" if (lang or default_lang()) == "ja" else "en"
    try:
        if text == "-":
            from convshape.readers.source import read_source

            text = read_source("-")
        ex = explain_text(text, chosen)
    except Refusal as exc:
        if as_json:
            from convshape.cli.views.explain import refusal_json

            echo_json(refusal_json(exc, chosen), ensure_ascii=False)
            sys.exit(EXIT_USAGE)
        fail(str(exc))
    except UsageError as exc:
        fail(str(exc))
    if as_json:
        from convshape.cli.views.explain import explanation_json

        echo_json(explanation_json(ex), ensure_ascii=False)
    else:
        from convshape.cli.views.explain import show_explanation

        show_explanation(make_console(), ex)
    finish(True)


@cli.command()
@click.argument("code", required=False, metavar="CODE")
@click.option("--all", "show_all", is_flag=True, help="Every code's page, in code order.")
@lang_option
@json_option("Print the page as JSON (--all: a list of pages).")
@torch_option
def rule(code: str | None, show_all: bool, lang: str | None, as_json: bool) -> None:
    """Explain an error code: torch's exception and message, what it means, the usual
    cause, the fixes, a calc command that prints it and related codes (docs/errors.md).

    CODE is a code (CS112, 112) or its name (channel-mismatch). Exit 0, or 2 for an
    unknown code (the nearest codes are named).

    \b
    Examples:
      convshape rule CS112
      convshape rule channel-mismatch --lang ja
      convshape rule --all --json
    """
    from convshape.features.advice import Lang
    from convshape.features.explain import default_lang
    from convshape.features.rules import all_pages, find_code, nearest_codes, rule_page

    chosen: Lang = "ja" if (lang or default_lang()) == "ja" else "en"
    if show_all == (code is not None):
        fail("give one CODE, or --all")
    if code is None:
        pages = all_pages(chosen)
    else:
        found = find_code(code)
        if found is None:
            fail(f"unknown code {code!r}; the nearest codes are {', '.join(nearest_codes(code))}")
        pages = [rule_page(found, chosen)]
    if as_json:
        from convshape.cli.views.rule import rules_json

        echo_json(rules_json(pages, many=show_all), ensure_ascii=False)
    else:
        from convshape.cli.views.rule import show_rules

        show_rules(make_console(), pages)
    finish(True)


@cli.command()
@click.argument("size", required=False, type=int)
@click.argument("target", required=False, type=int)
@click.option(
    "--op",
    default="conv",
    show_default=True,
    type=click.Choice(
        ["conv", "max_pool", "avg_pool", "conv_transpose", "maxpool", "avgpool", "transpose"]
    ),
    help="The layer to solve for, named as verify --ops names ops (conv_transpose: to grow "
    "a size); maxpool, avgpool and transpose are accepted too.",
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
@file_option("Read the stack from a file.")
@variable_option("Which nn.Sequential in the code.")
@input_option("Input shape (invert, stack).")
@click.option("--near", type=int, help="Stack: report the valid size nearest to this.")
@click.option("--min-size", type=int, default=1, show_default=True, help="Stack: smallest size.")
@click.option("--max-size", type=int, help="Stack: largest size (default max(512, 2*near)).")
@json_option()
def solve(as_json: bool, top: int, dims: int, **kw: Any) -> None:
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
    from convshape.cli import run

    try:
        solved = run.solve(kw)
    except UsageError as exc:
        fail(str(exc))
    from convshape.cli.views.solve import show_solve, solve_json

    if as_json:
        echo_json(solve_json(solved, top, dims))
    else:
        show_solve(make_console(), solved, top, dims)
    finish(solved.ok)


@cli.command()
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--output-format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="text (path:line:col: CODE message), json, github (workflow annotations), sarif.",
)
@click.option("--output-file", "-o", metavar="FILE", help="Write the report to FILE.")
@click.option("--json", "as_json", is_flag=True, help="Same as --output-format json.")
@click.option("--config", "config_file", metavar="FILE", help="pyproject.toml to read.")
@click.option("--select", metavar="CODES", help="Codes or prefixes to report, e.g. CS1,CS801.")
@click.option("--ignore", metavar="CODES", help="Codes or prefixes not to report.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--show-fixes", is_flag=True, help="Print suggested fixes under each finding.")
@click.option(
    "--model",
    "models",
    multiple=True,
    metavar="MODULE:FACTORY",
    help="Model mode: import MODULE, build FACTORY() on the meta device and run it.",
)
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="SHAPE",
    help="Input shape for --model (one per model, or ';' between a forward's inputs).",
)
@click.option(
    "--expect-output",
    multiple=True,
    metavar="SHAPE",
    help="The output shape each --model must return.",
)
@click.option(
    "--models",
    "config_models",
    is_flag=True,
    help="Also run the [[tool.convshape.models]] of the configuration.",
)
@click.option(
    "--train",
    is_flag=True,
    help="Run the models in training mode (default: eval mode, as for inference).",
)
@click.option(
    "--update-lock", is_flag=True, help="Write every layer's shape of the models to the lock."
)
@click.option("--lock", "lock_file", metavar="FILE", help="Shape lock file (convshape.lock.json).")
@dtype_option
@click.option(
    "--jobs",
    "-j",
    metavar="N",
    help="Worker processes for static mode on large runs: N, or auto (the default: one per "
    "CPU, as flake8 and ruff do).",
)
@torch_option
def lint(
    paths: tuple[str, ...],
    output_format: str,
    as_json: bool,
    output_file: str | None,
    config_file: str | None,
    select: str | None,
    ignore: str | None,
    exit_zero: bool,
    show_fixes: bool,
    models: tuple[str, ...],
    inputs: tuple[str, ...],
    expect_output: tuple[str, ...],
    config_models: bool,
    train: bool,
    update_lock: bool,
    lock_file: str | None,
    dtype: str,
    jobs: str | None,
) -> None:
    """Find shape errors in PyTorch models, for CI (as flake8 and ruff do for style).

    Static mode (default) reads the Python files under PATH (default: .) without
    importing them and checks the layers they define: channels between consecutive
    layers, invalid arguments and, with an input declared for a model, every shape on
    the way. Declare one with a comment on the model or in [tool.convshape.inputs]:

    \b
      # convshape: input=1,3,224,224

    Model mode (--model pkg.mod:factory --input 1,3,224,224, or --models for the
    configured ones) builds the model on torch's meta device and runs it in eval mode
    (--train: training mode); its table gives each layer's output size and the memory
    estimate (--dtype). A model that could not be analysed (CS902) fails the run only
    when CS902 is selected by its code.

    \b
    Exit codes: 0 clean, 1 findings, 2 usage or configuration error.
    Examples:
      convshape lint src/
      convshape lint --output-format github
      convshape lint --model mynet.models:resnet50 --input 1,3,224,224 --expect-output 1,1000
      convshape lint --models --update-lock

    Code is imported only for --model and --models; --update-lock needs one of them.
    """
    from convshape.features.lint.run import fails
    from convshape.features.lint.run import lint as run_lint

    try:
        if as_json:
            if output_format not in ("text", "json"):
                raise UsageError(f"--json and --output-format {output_format} disagree")
            output_format = "json"
        config = args.lint_config(config_file, select, ignore, lock_file)
        if update_lock and not (models or config_models):
            raise UsageError(
                "--update-lock writes the shapes of models: add --models (the configured "
                "ones) or --model MODULE:FACTORY"
            )
        if train and not (models or config_models):
            raise UsageError("--train goes with --model or --models (model mode)")
        specs = args.model_specs(config, models, inputs, expect_output, config_models, train)
        workers = args.jobs(jobs) if paths or not specs else None  # static mode only
        followed: list[Any] = []
        findings, files, reports = run_lint(paths, config, specs, workers, update_lock, followed)
        from convshape.cli.views.lint import write_report

        write_report(
            output_format, output_file, findings, files, reports, show_fixes, dtype, followed
        )
    except UsageError as exc:
        fail(str(exc))
    finish(exit_zero or not fails(config, findings))


@cli.command()
@stack_options
@layer_options
@click.option("--svg", "svg_path", metavar="FILE", help="Also write the picture as SVG.")
@click.option(
    "--html", "html_path", metavar="FILE", help="Also write a page that steps the windows."
)
@json_option("Print what the picture shows as JSON (docs/json.md) instead of drawing it.")
def draw(
    file: str | None,
    variable: str | None,
    eval_mode: bool,
    svg_path: str | None,
    html_path: str | None,
    as_json: bool,
    **kw: Any,
) -> None:
    """Draw LAYER's arithmetic: input, padding, kernel taps, each window and output cell.

    Takes LAYER and --input as calc does (flags, pasted code, F. calls). Per spatial axis
    it draws the padded input (zeros, or the cell reflect / replicate / circular copies),
    the dilated kernel, the window of each output cell, what the stride never reaches and
    ceil_mode's windows; large axes are elided in the middle; small 2-d layers also as a
    grid the kernel slides over. A stack (nn.Sequential, --file) is drawn as its shape
    flow, and a model (--file whose --variable names an nn.Module class, a function or a
    call) as the flow of its forward with skip and concatenation edges. --svg and --html
    write files (the page steps through the stride positions, no network needed).

    \b
    Examples:
      convshape draw "nn.Conv2d(16, 32, 3, padding=1, stride=2)" --input 1,16,7,7
      convshape draw "nn.MaxPool1d(3, stride=2, ceil_mode=True)" -i 1,1,8 --svg pool.svg
      convshape draw --file model.py --variable features --input 1,3,224,224 --html flow.html
      convshape draw --file unet.py --variable UNet --input 1,3,64,64 --svg unet.svg
    """
    layer = kw.get("layer")
    from convshape.features import drawing

    if args.wants_stack(layer, file, variable):
        from convshape.cli.views.draw import show_model_flow, show_stack_flow
        from convshape.cli.views.model import model_json
        from convshape.cli.views.stack import stack_json
        from convshape.features.network import StackResult

        stack = _many_layers(layer, file, variable, kw, eval_mode)
        if isinstance(stack, StackResult):
            _drawn(
                stack,
                as_json,
                stack_json,
                show_stack_flow,
                drawing.stack_svg,
                drawing.stack_html,
                svg_path,
                html_path,
            )
        _drawn(
            stack,
            as_json,
            model_json,
            show_model_flow,
            drawing.model_svg,
            drawing.model_html,
            svg_path,
            html_path,
        )
    from convshape.cli.views.draw import picture_json, show_picture
    from convshape.features.picture import draw_result

    spec, shape = _single_layer(layer, kw, eval_mode)
    picture = draw_result(spec, shape)
    _drawn(
        picture,
        as_json,
        picture_json,
        show_picture,
        drawing.layer_svg,
        drawing.layer_html,
        svg_path,
        html_path,
    )


def _drawn(
    value: Any,
    as_json: bool,
    to_json: Callable[[Any], Any],
    show: Callable[[Any, Any], None],
    svg: Callable[[Any], str],
    html: Callable[[Any], str],
    svg_path: str | None,
    html_path: str | None,
) -> NoReturn:
    """Print what ``draw`` drew (JSON or the terminal picture), write the files asked for,
    and exit: 0 when the layer, stack or model runs, 1 when it fails."""
    if as_json:
        echo_json(to_json(value))
    else:
        show(make_console(), value)
    _write(svg_path, svg, value)
    _write(html_path, html, value)
    finish(value.ok)


def _write(path: str | None, render: Any, value: Any) -> None:
    """Render ``value`` into ``path`` (atomically), if a path was given."""
    if path is None:
        return
    try:
        write_atomic(path, render(value))
    except OSError as exc:
        fail(f"cannot write {path}: {exc.strerror or exc}")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="convshape")


def _many_layers(
    layer: str | None, file: str | None, variable: str | None, kw: dict[str, Any], eval_mode: bool
) -> ModelTrace | StackResult:
    """calc's and draw's model or stack (:func:`.args.model_or_stack`), or one line and exit 2."""
    try:
        return args.model_or_stack(layer, file, variable, kw, eval_mode)
    except UsageError as exc:
        fail(str(exc))


def _single_layer(layer: str | None, kw: dict[str, Any], eval_mode: bool) -> tuple[Any, Shape]:
    """calc's and draw's one layer and its input, or one line and exit 2."""
    if eval_mode:
        fail("--eval applies to stacks (nn.Sequential or several layers)")
    if layer is None:
        fail("missing LAYER (or --file PATH)")
    try:
        return args.layer_spec(kw)
    except UsageError as exc:
        fail(str(exc))
