"""The shape engine: spec + input shape -> :class:`Result`, in torch's check order.

Pure functions over immutable data: no I/O, no torch. Each family's rules live in its op
module (:mod:`convshape.ops`); this module asks the registry for the spec's family, tries
the family's fast path, else runs its rules, and packages what they found. Each family's
rules check the input itself (:func:`~convshape.core.errors.check_input`), where torch's
order puts that check (after a module constructor's own checks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from convshape.core.arithmetic import Axis
from convshape.core.errors import ShapeError
from convshape.core.registry import family_of
from convshape.core.releases import REFERENCE, current, using
from convshape.core.shapes import Shape

if TYPE_CHECKING:
    from convshape.ops import AnySpec
from convshape.core.trace import Env, Trace

__all__ = ["Env", "Result", "Trace", "infer_spec"]


class Result(NamedTuple):
    """The engine's answer: the output shape, or the error torch would raise.

    ``axes`` has the worked arithmetic for each spatial axis as far as torch's checks got;
    ``warnings`` are the ``UserWarning`` texts torch would print. The common valid case
    is answered by a fast path that skips the worked arithmetic; ``axes`` then works it
    out on first use.
    """

    spec: AnySpec
    input: Shape
    output: Shape | None
    error: ShapeError | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    traced_axes: tuple[Axis, ...] | None = None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def axes(self) -> tuple[Axis, ...]:
        if self.traced_axes is not None:
            return self.traced_axes
        return _traced(self.spec, self.input, Env()).traced_axes or ()


_FAST: dict[type, Callable[[Any, Shape], Shape | None] | None] = {}


def infer_spec(spec: AnySpec, shape: Shape, env: Env | None = None) -> Result:
    """Predict what torch does when ``spec`` is applied to a tensor of ``shape``."""
    shape = tuple(shape)
    try:
        fast = _FAST[type(spec)]
    except KeyError:  # the first spec of its type: ask the registry once
        fast = _FAST[type(spec)] = family_of(spec).fast
    if fast is not None and (env.torch if env else current()) == REFERENCE:
        output = fast(spec, shape)
        if output is not None:
            return tuple.__new__(Result, (spec, shape, output, None, (), (), None))
    return _traced(spec, shape, env or Env())


def _traced(spec: AnySpec, shape: Shape, env: Env) -> Result:
    """The full path: every check in torch's order, recording the worked arithmetic."""
    trace = Trace()
    output: Shape | None = None
    error: ShapeError | None = None
    try:
        with using(env.torch):
            output = family_of(spec).infer(spec, shape, trace, env)
    except ShapeError as exc:
        error = exc
    fields = (spec, shape, output, error, tuple(trace.warnings), tuple(trace.notes))
    return tuple.__new__(Result, (*fields, tuple(trace.axes)))
