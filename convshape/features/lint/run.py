"""A whole ``convshape lint`` run: static mode on the paths, then model mode on the
models (checked against the shape lock, or writing it), with the configuration's
selection and the files' suppressions applied to model-mode findings.

Only the standard library is imported here; static and model mode when called.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from convshape.features.lint.config import Config, ModelSpec
    from convshape.features.lint.model import ModelReport
    from convshape.features.lint.static import Followed
    from convshape.features.lint.values import Finding

__all__ = ["fails", "lint", "run_models", "selected"]

NOT_ANALYSED = "CS902"  # core.errors.LINT_NOT_ANALYSED, without importing it here


def lint(
    paths: tuple[str, ...],
    config: Config,
    specs: list[ModelSpec],
    jobs: int | None,
    update_lock: bool,
    followed: list[Followed] | None = None,
) -> tuple[list[Finding], int, list[ModelReport]]:
    """``convshape lint``: static mode on ``paths`` (default ``.``, skipped when only
    models are given), then model mode on ``specs``. The findings, sorted; the number of
    files read; the models' reports. The models static mode followed go to ``followed``."""
    findings: list[Finding] = []
    files = 0
    if paths or not specs:
        from convshape.features.lint.static import lint_paths

        run = lint_paths(paths or (".",), config, jobs)
        findings += run.findings
        files = run.files
        if followed is not None:
            followed += run.followed
    reports = run_models(config, specs, update_lock) if specs else []
    for report in reports:
        findings += selected(config, report.findings)
    findings.sort(key=lambda f: f.sort_key())
    return findings, files, reports


def run_models(config: Config, specs: list[ModelSpec], update_lock: bool) -> list[ModelReport]:
    """Model mode: run each model and check it against the shape lock (or, with
    ``update_lock``, write the lock)."""
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


def selected(config: Config, findings: list[Finding]) -> list[Finding]:
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


def fails(config: Config, findings: list[Finding]) -> bool:
    """Do the findings fail the run (exit 1)? Every one does but CS902 ("could not
    analyse": no shape error was found, the model could not be run), which fails the run
    only when the configuration's ``select`` (or ``--select``) names it by its code; an
    info finding (CS908: nothing in a file could be followed) never does."""
    strict = NOT_ANALYSED in config.select
    return any(f.severity != "info" and (strict or f.code != NOT_ANALYSED) for f in findings)
