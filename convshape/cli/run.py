"""Library calls that take more than one step, for the commands in :mod:`.app`: solve's
modes and lint's model runs. Results go back to the command, which hands them to a view.

Only the standard library is imported here; the library is imported when called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from convshape.core.errors import ShapeError
    from convshape.core.shapes import Shape
    from convshape.features.lint.config import Config, ModelSpec
    from convshape.features.lint.model import ModelReport
    from convshape.features.lint.values import Finding
    from convshape.features.solve import Inversion, SameStrided, SizeSolution, StackSizes
    from convshape.ops import Spec

__all__ = ["Solved", "lint", "run_models", "selected", "solve"]

Mode = Literal["size", "same", "invert", "stack"]


@dataclass(frozen=True)
class Solved:
    """One ``solve`` answer: the mode and the library's answer (for invert, the
    ShapeError when the layer fails on the input); the layer and input it was for."""

    mode: Mode
    answer: SizeSolution | SameStrided | Inversion | StackSizes | ShapeError
    spec: Spec | None = None
    shape: Shape | None = None

    @property
    def ok(self) -> bool:
        """Whether there is an answer (exit 0): sizes or candidates found, any --same
        plan, an inversion unless the layer itself fails."""
        from convshape.core.errors import ShapeError
        from convshape.features.solve import SizeSolution, StackSizes

        if isinstance(self.answer, SizeSolution | StackSizes):
            return self.answer.ok
        return not isinstance(self.answer, ShapeError)


_SOLVE_OPS = {"max_pool": "maxpool", "avg_pool": "avgpool", "conv_transpose": "transpose"}


def solve(kw: dict[str, Any]) -> Solved:
    """``convshape solve``: pick the mode from the options and solve it."""
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
        return _invert(kw["invert_layer"], kw["input_"])
    if mode == "stack":
        return _stack(kw)
    if mode == "same":
        from convshape.features.solve import same_strided

        return Solved("same", same_strided(size, kw["kernel"], kw["stride"], kw["dilation"]))
    assert target is not None
    from convshape.features.solve import solve_size

    solution = solve_size(
        size,
        target,
        op=_SOLVE_OPS.get(kw["op"], kw["op"]),
        kernel=kw["kernel"],
        stride=kw["stride"],
        padding=kw["padding"],
        dilation=kw["dilation"],
        max_kernel=kw["max_kernel"],
        max_stride=kw["max_stride"],
        max_dilation=kw["max_dilation"],
    )
    return Solved("size", solution)


def _invert(layer: str, input_text: str) -> Solved:
    from convshape.core.errors import ShapeError
    from convshape.features.solve import invert
    from convshape.readers.parse import parse_layer, parse_shape

    spec = parse_layer(layer)
    shape = parse_shape(input_text)
    try:
        return Solved("invert", invert(spec, shape), spec, shape)
    except ShapeError as exc:
        return Solved("invert", exc, spec, shape)


def _stack(kw: dict[str, Any]) -> Solved:
    from convshape.cli.args import stack_text
    from convshape.features.network import parse_stack
    from convshape.features.solve import stack_sizes
    from convshape.readers.parse import parse_shape

    text = stack_text(kw["stack_code"], kw["file"])
    layers = parse_stack(text, kw["variable"])
    shape = parse_shape(kw["input_"])
    result = stack_sizes(layers, shape, low=kw["min_size"], high=kw["max_size"], near=kw["near"])
    return Solved("stack", result, shape=shape)


# -- lint --------------------------------------------------------------------------------


def lint(
    paths: tuple[str, ...],
    config: Config,
    specs: list[ModelSpec],
    jobs: int | None,
    update_lock: bool,
) -> tuple[list[Finding], int, list[ModelReport]]:
    """``convshape lint``: static mode on ``paths`` (default ``.``, skipped when only
    models are given), then model mode on ``specs``. The findings, sorted; the number of
    files read; the models' reports."""
    findings: list[Finding] = []
    files = 0
    if paths or not specs:
        from convshape.features.lint.static import lint_paths

        run = lint_paths(paths or (".",), config, jobs)
        findings += run.findings
        files = run.files
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
