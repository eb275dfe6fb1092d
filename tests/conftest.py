"""Shared test helpers: the torch oracle is the ground truth for every expectation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from convshape.core.engine import Env, Result, infer_spec
from convshape.core.shapes import Shape
from convshape.ops import Spec

if TYPE_CHECKING:
    from convshape.oracle import Outcome


def _env() -> Env:
    torch = pytest.importorskip("torch")
    return Env(num_threads=torch.get_num_threads())


def check_outcome(spec: Spec, shape: Shape) -> tuple[Result, Outcome]:
    """Run the engine and CPU torch (once) on the same layer and input; assert they agree.

    Agreement: the same output shape, or the same exception type and message (torch's
    message may be one of the engine's documented backend variants). Returns the engine's
    result and torch's outcome of that single run, so callers can compare more of it
    (torch's warn-once warnings appear only on the first run in a process).
    """
    from convshape import oracle

    result = infer_spec(spec, shape, _env())
    outcome = oracle.run(spec, shape)
    if outcome.ok:
        assert result.error is None, (
            f"torch returned {outcome.shape}, engine predicted {result.error}"
        )
        assert result.output == outcome.shape
    else:
        assert result.error is not None, (
            f"torch raised {outcome.exc}: {outcome.message}; engine predicted {result.output}"
        )
        assert outcome.exc is not None and outcome.message is not None
        matched = result.error.matches(outcome.exc, outcome.message)
        assert matched, f"torch: {outcome.exc}: {outcome.message}\nengine: {result.error}"
    return result, outcome


def check_agrees(spec: Spec, shape: Shape) -> Result:
    """:func:`check_outcome`, returning only the engine's result."""
    return check_outcome(spec, shape)[0]


def check_agrees_warns(spec: Spec, shape: Shape) -> Result:
    """:func:`check_agrees`, and the engine's UserWarnings must be exactly those torch
    issued in that same (single) run."""
    result, outcome = check_outcome(spec, shape)
    assert result.warnings == outcome.warnings, (
        f"torch warned {outcome.warnings}, engine predicted {result.warnings}"
    )
    return result
