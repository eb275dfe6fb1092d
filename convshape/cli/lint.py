"""The ``convshape lint`` command (registered by :mod:`convshape.cli`).

Only click is imported here; the static linter, the config reader and model mode (torch)
are imported when the command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from convshape.cli.common import EXIT_FAIL, EXIT_OK
from convshape.cli.common import fail as _fail

if TYPE_CHECKING:
    from convshape.features.lint.config import Config, ModelSpec
    from convshape.features.lint.model import ModelReport
    from convshape.features.lint.values import Finding

__all__ = ["lint"]

_FORMATS = ("text", "json", "github", "sarif")


@click.command("lint")
@click.argument("paths", nargs=-1, metavar="[PATH]...")
@click.option(
    "--output-format",
    type=click.Choice(_FORMATS),
    default="text",
    show_default=True,
    help="text (path:line:col: CODE message), json, github (workflow annotations), sarif.",
)
@click.option("--output-file", "-o", metavar="FILE", help="Write the report to FILE.")
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
    "--update-lock", is_flag=True, help="Write every layer's shape of the models to the lock."
)
@click.option("--lock", "lock_file", metavar="FILE", help="Shape lock file (convshape.lock.json).")
@click.option(
    "--jobs",
    "-j",
    metavar="N",
    help="Worker processes for static mode on large runs: N, or auto (the default: one per "
    "CPU, as flake8 and ruff do).",
)
def lint(
    paths: tuple[str, ...],
    output_format: str,
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
    update_lock: bool,
    lock_file: str | None,
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
    configured ones) builds the model on torch's meta device and runs it.

    \b
    Exit codes: 0 clean, 1 findings, 2 usage or configuration error.
    Examples:
      convshape lint src/
      convshape lint --output-format github
      convshape lint --model mynet.models:resnet50 --input 1,3,224,224 --expect-output 1,1000
      convshape lint --models --update-lock
    """
    from convshape.core.errors import UsageError

    try:
        config = _config(config_file, select, ignore, lock_file)
        specs = _model_specs(config, models, inputs, expect_output, config_models or update_lock)
        findings: list[Finding] = []
        files = 0
        if paths or not specs:
            from convshape.features.lint.static import lint_paths

            run = lint_paths(paths or (".",), config, _jobs(jobs))
            findings += run.findings
            files = run.files
        reports = _run_models(config, specs, update_lock) if specs else []
        for report in reports:
            findings += _filter(config, report.findings)
    except UsageError as exc:
        _fail(str(exc))
    findings.sort(key=lambda f: f.sort_key())
    _emit(output_format, output_file, findings, files, reports, config, show_fixes)
    sys.exit(EXIT_OK if exit_zero or not findings else EXIT_FAIL)


def _jobs(text: str | None) -> int | None:
    from convshape.core.errors import UsageError

    if text is None or text.strip().lower() == "auto":
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise UsageError(f"--jobs must be a positive integer or 'auto', got {text!r}")
    return int(text)


def _codes(text: str, option: str) -> tuple[str, ...]:
    from convshape.core.errors import KINDS, UsageError

    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    for code in codes:
        if code != "ALL" and not any(k.startswith(code) for k in KINDS):
            raise UsageError(
                f"{option}: {code!r} selects no convshape code (codes look like CS112)"
            )
    return codes


def _config(
    config_file: str | None, select: str | None, ignore: str | None, lock_file: str | None
) -> Config:
    from convshape.features.lint.config import find_config, load_config

    path = Path(config_file) if config_file else find_config(Path.cwd())
    config = load_config(path)
    if select is not None:
        config.select = _codes(select, "--select")
    if ignore is not None:
        config.ignore += _codes(ignore, "--ignore")
    if lock_file is not None:
        config.lock = Path(lock_file)
    return config


def _model_specs(
    config: Config,
    models: tuple[str, ...],
    inputs: tuple[str, ...],
    expect: tuple[str, ...],
    use_config: bool,
) -> list[ModelSpec]:
    from convshape.core.errors import UsageError
    from convshape.features.lint.config import ModelSpec, shapes

    if not models and (inputs or expect):
        raise UsageError("--input and --expect-output go with --model (model mode)")
    specs: list[ModelSpec] = []
    if models:
        if not inputs:
            raise UsageError("--model needs --input SHAPE (e.g. --input 1,3,224,224)")
        n = len(models)
        if n > 1 and len(inputs) not in (1, n):
            raise UsageError(
                f"{n} --model options need 1 or {n} --input options, got {len(inputs)}"
            )
        if len(expect) not in (0, 1, n) or (len(expect) == 1 and n > 1 and len(expect) != n):
            raise UsageError(f"{n} --model options need {n} --expect-output options")
        for i, factory in enumerate(models):
            if ":" not in factory:
                raise UsageError(f"--model {factory!r}: expected package.module:callable")
            if n == 1:
                given = tuple(s for text in inputs for s in shapes(text, "--input"))
            else:
                given = shapes(inputs[i if len(inputs) == n else 0], "--input")
            out = shapes(expect[i], "--expect-output")[0] if expect else None
            specs.append(ModelSpec(factory, given, out))
    if use_config:
        if not config.models and not specs:
            where = config.source or "pyproject.toml"
            raise UsageError(f"no models to run: add [[tool.convshape.models]] to {where}")
        specs += config.models
    return specs


def _run_models(config: Config, specs: list[ModelSpec], update_lock: bool) -> list[ModelReport]:
    from convshape.features.lint.model import check_lock, read_lock, run_model, write_lock

    lock_path = config.lock_path
    locked = read_lock(lock_path) if lock_path.exists() and not update_lock else {}
    reports = []
    for spec in specs:
        report = run_model(spec, config.root)
        check_lock(report, locked.get(spec.key))
        reports.append(report)
    if update_lock:
        keys = {id(r): s.key for r, s in zip(reports, specs, strict=True)}
        write_lock(lock_path, reports, lambda r: keys[id(r)])
    return reports


def _filter(config: Config, findings: list[Finding]) -> list[Finding]:
    """Model-mode findings: the configuration's selection and the files' suppressions."""
    from convshape.features.lint.static import suppressed_in_file

    out = []
    cache: dict[str, Any] = {}
    for f in findings:
        if not config.enabled(f.code, f.path):
            continue
        if suppressed_in_file(f, config.root, cache):
            continue
        out.append(f)
    return out


def _emit(
    fmt: str,
    output_file: str | None,
    findings: list[Finding],
    files: int,
    reports: list[ModelReport],
    config: Config,
    show_fixes: bool,
) -> None:
    from rich.console import Console

    from convshape.features.lint import output

    if fmt == "text":
        if output_file:
            with open(output_file, "w", encoding="utf-8") as handle:
                console = Console(file=handle, highlight=False, soft_wrap=True, no_color=True)
                output.show_text(console, findings, files, reports, show_fixes=show_fixes)
            return
        console = Console(highlight=False, soft_wrap=True)
        output.show_text(console, findings, files, reports, show_fixes=show_fixes)
        return
    root_uri = Path.cwd().as_uri() + "/" if fmt == "sarif" else None
    text = output.render(fmt, findings, files, reports, root_uri)
    if output_file:
        Path(output_file).write_text(text + ("\n" if text else ""), encoding="utf-8")
    elif text:
        click.echo(text)
