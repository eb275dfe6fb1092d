"""The shape engine: spec + input shape -> :class:`Result`, in torch's check order.

Pure functions over immutable data: no I/O, no torch. Each family's rules live in a
private module (``_conv``, ``_pad``, ``_pool``, ``_fold``); this module dispatches and
packages what they found.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from convshape.core.arithmetic import Axis, pool_out
from convshape.core.errors import NEGATIVE_DIMENSION, ShapeError, sizes
from convshape.core.specs import AdaptivePool, Conv, ConvCall, Fold, Pool, Shape, Spec, Unfold
from convshape.core.trace import Env, Trace

__all__ = ["Env", "Result", "Trace", "infer_spec"]


class Result(NamedTuple):
    """The engine's answer: the output shape, or the error torch would raise.

    ``axes`` has the worked arithmetic for each spatial axis as far as torch's checks got;
    ``warnings`` are the ``UserWarning`` texts torch would print. The common valid case
    is answered by a fast path that skips the worked arithmetic; ``axes`` then works it
    out on first use.
    """

    spec: Spec
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


def _check_tensor_shapes(spec: Spec, shape: Shape) -> None:
    """The tensors a call is given must exist: ``torch.empty`` of a negative size raises."""
    tensors: tuple[Shape, ...] = (shape,)
    if type(spec) is ConvCall:
        tensors = (shape, spec.weight) if spec.bias is None else (shape, spec.weight, spec.bias)
    for t in tensors:
        if t and min(t) < 0:
            value = next(v for v in t if v < 0)
            raise NEGATIVE_DIMENSION.error(value=value, shape=sizes(t))


Rule = Callable[[Any, Shape, Trace, Env], Shape]
_RULES: dict[type, Rule] = {}


def _rule(spec: Spec) -> Rule:
    """The rule module's entry point for a spec type (each module imported on first use)."""
    kind = type(spec)
    rule = _RULES.get(kind)
    if rule is not None:
        return rule
    if kind is Conv or kind is ConvCall:
        from convshape.ops import conv as _conv

        _RULES[Conv], _RULES[ConvCall] = _conv.infer_module, _conv.infer_call
    elif kind is Pool or kind is AdaptivePool:
        from convshape.ops import pool as _pool

        _RULES[Pool] = lambda s, x, t, e: _pool.infer_pool(s, x, t)
        _RULES[AdaptivePool] = lambda s, x, t, e: _pool.infer_adaptive(s, x, t)
    else:
        from convshape.ops import fold as _fold

        _RULES[Unfold] = lambda s, x, t, e: _fold.infer_unfold(s, x, t)
        _RULES[Fold] = lambda s, x, t, e: _fold.infer_fold(s, x, t)
    return _RULES[kind]


def infer_spec(spec: Spec, shape: Shape, env: Env | None = None) -> Result:
    """Predict what torch does when ``spec`` is applied to a tensor of ``shape``."""
    shape = tuple(shape)
    fast = _FAST.get(type(spec))
    if fast is not None:
        output = fast(spec, shape)
        if output is not None:
            return tuple.__new__(Result, (spec, shape, output, None, (), (), None))
    return _traced(spec, shape, env or Env())


def _traced(spec: Spec, shape: Shape, env: Env) -> Result:
    """The full path: every check in torch's order, recording the worked arithmetic."""
    trace = Trace()
    output: Shape | None = None
    error: ShapeError | None = None
    try:
        _check_tensor_shapes(spec, shape)
        output = _rule(spec)(spec, shape, trace, env)
    except ShapeError as exc:
        error = exc
    fields = (spec, shape, output, error, tuple(trace.warnings), tuple(trace.notes))
    return tuple.__new__(Result, (*fields, tuple(trace.axes)))


def _fast_conv(spec: Conv | ConvCall, shape: Shape) -> Shape | None:
    """The output of a batched convolution whose arguments passed every check in advance
    (``spec.plan``), or None when anything needs the full path."""
    plan = spec.plan
    if plan is None:
        return None
    rank, in_channels, out_channels, axes = plan
    if len(shape) != rank or shape[1] != in_channels or shape[0] <= 0:
        return None
    out = [shape[0], out_channels]
    for size, (offset, stride) in zip(shape[2:], axes):  # noqa: B905 - lengths checked
        if size <= 0 or size + offset < 0:
            return None
        out.append((size + offset) // stride + 1)
    return tuple(out)


def _fast_pool(spec: Pool, shape: Shape) -> Shape | None:
    """The output of a max/avg pool whose arguments passed every check in advance
    (``spec.plan``) on an input with no empty dimension, or None for the full path."""
    plan = spec.plan
    n = spec.dims
    if plan is None or not n + 1 <= len(shape) <= n + 2 or min(shape) <= 0:
        return None
    ceil = spec.ceil_mode
    input_check = spec.kind != "max" and n == 3  # avg_pool3d: input >= kernel, padding aside
    out = list(shape[:-n])
    for size, (k, s, p, d) in zip(shape[-n:], plan):  # noqa: B905 - lengths checked
        if input_check and size < k:
            return None
        o = pool_out(size, k, s, p, d, ceil)
        if o < 1:
            return None
        out.append(o)
    return tuple(out)


def _fast_adaptive(spec: AdaptivePool, shape: Shape) -> Shape | None:
    """The output of an adaptive pool to sizes of at least 1 on an input with no empty
    dimension, or None for the full path."""
    n, sizes_ = spec.dims, spec.output_size
    if len(sizes_) != n or not n + 1 <= len(shape) <= n + 2 or min(shape) <= 0:
        return None
    out = list(shape[:-n])
    for size, requested in zip(shape[-n:], sizes_):  # noqa: B905 - lengths checked
        if requested is None:
            if n == 1:  # the 1-d ops parse an int list: None is a TypeError
                return None
            out.append(size)
        elif requested >= 1:
            out.append(requested)
        else:
            return None
    return tuple(out)


_FAST: dict[type, Callable[[Any, Shape], Shape | None]] = {
    Conv: _fast_conv,
    ConvCall: _fast_conv,
    Pool: _fast_pool,
    AdaptivePool: _fast_adaptive,
}
