"""``nn.Linear`` and ``nn.LazyLinear``: the last axis becomes ``out_features``.

Mirrors torch 2.13 on CPU: ``F.linear`` (``addmm`` / ``matmul``'s size checks), the lazy
module's first forward (it reads ``input.shape[-1]``) and ``kaiming_uniform_``'s warning
on an empty weight.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

from convshape.core import errors as E
from convshape.core.errors import ShapeError
from convshape.core.registry import LAYERS, MetaReleases, OpFamily, TorchCall, register
from convshape.core.releases import current, span
from convshape.core.shapes import Shape
from convshape.core.signature import Signature
from convshape.core.trace import Env, Trace
from convshape.ops.common import (
    DEVICE,
    any_shape,
    arg,
    built,
    kwarg,
    module_code,
    negative_sizes,
    row,
)

__all__ = ["FAMILY", "Linear"]


SCALAR_ADDMM = span("2.1")
"""Releases where a 0-d input to a Linear with a bias fails inside addmm's indexing."""


@dataclass(frozen=True)
class Linear:
    """``nn.Linear(in_features, out_features, bias=True)``; ``in_features=None`` is
    ``nn.LazyLinear(out_features)``, which takes its in_features from the first input."""

    in_features: int | None
    out_features: int
    bias: bool = True

    @property
    def cls(self) -> str:
        return "Linear" if self.in_features is not None else "LazyLinear"

    @property
    def op(self) -> str:
        return "linear"


def _param_shapes(spec: Linear) -> list[Shape]:
    if spec.in_features is None:
        return []  # uninitialized until the first forward
    return [(spec.out_features, spec.in_features)] + ([(spec.out_features,)] * spec.bias)


def construct_error(spec: Linear) -> ShapeError | None:
    """A negative size of the weight or the bias (LazyLinear allocates them in its first
    forward)."""
    return negative_sizes(_param_shapes(spec))


def params(spec: Linear, shape: Shape | None) -> int:
    """The weight and bias; a LazyLinear's count once ``shape`` tells its in_features."""
    if spec.in_features is None:
        inner = shape[-1] if shape else 0
        return max(spec.out_features * (inner + int(spec.bias)), 0)
    return max(sum(math.prod(s) for s in _param_shapes(spec)), 0)


def macs(spec: Linear, shape: Shape, output: Shape) -> int:
    """One multiply-accumulate per output value and input feature."""
    return math.prod(output) * shape[-1] if shape else 0


def infer(spec: Linear, shape: Shape, trace: Trace, env: Env) -> Shape:
    if spec.in_features is None:
        return _lazy(spec, shape, trace)
    built(construct_error(spec))
    if 0 in (spec.in_features, spec.out_features):  # kaiming_uniform_ on an empty weight
        trace.warnings.append(E.ZERO_ELEMENT_WARNING)
    E.check_input(shape)
    if not shape:
        if spec.bias and current() in SCALAR_ADDMM:
            raise E.LINEAR_SCALAR_ADDMM.error()
        raise E.LINEAR_SCALAR.error(idim=0)
    if spec.in_features is not None and shape[-1] != spec.in_features:
        raise E.LINEAR_MISMATCH.error(
            op="addmm" if spec.bias else "mm",
            rows=math.prod(shape[:-1]),
            got=shape[-1],
            expected=spec.in_features,
            out=spec.out_features,
        )
    return (*shape[:-1], spec.out_features)


def _lazy(spec: Linear, shape: Shape, trace: Trace) -> Shape:
    """LazyLinear's first forward: it reads ``input.shape[-1]``, then allocates and
    initialises the weight ``(out_features, in_features)`` and the bias."""
    E.check_input(shape)
    if not shape:
        raise E.TUPLE_INDEX.error()
    fan_in = shape[-1]
    built(negative_sizes([(spec.out_features, fan_in)]))
    if 0 in (fan_in, spec.out_features):  # kaiming_uniform_ on an empty weight warns
        trace.warnings.append(E.ZERO_ELEMENT_WARNING)
    trace.notes.append(f"LazyLinear takes in_features={fan_in} from this input")
    return (*shape[:-1], spec.out_features)


def _signatures() -> tuple[Signature, ...]:
    def build(v: Mapping[str, object]) -> Linear:
        return Linear(
            cast(int, v["in_features"]), cast(int, v["out_features"]), cast(bool, v["bias"])
        )

    def build_lazy(v: Mapping[str, object]) -> Linear:
        return Linear(None, cast(int, v["out_features"]), cast(bool, v["bias"]))

    return (
        row(
            "nn.Linear",
            (
                arg("in_features", "int"),
                arg("out_features", "int"),
                arg("bias", "bool", True),
                *DEVICE,
            ),
            build,
            Linear,
            "linear",
            what="fully connected layer",
        ),
        row(
            "nn.LazyLinear",
            (arg("out_features", "int"), arg("bias", "bool", True), *DEVICE),
            build_lazy,
            Linear,
            "linear",
            what="fully connected layer, in_features from the first input",
        ),
    )


def code(spec: Linear) -> str:
    args = [] if spec.in_features is None else [str(spec.in_features)]
    args += [str(spec.out_features), *kwarg("bias", spec.bias, True)]
    return module_code(spec.cls, args)


def torch_call(spec: Linear) -> TorchCall:
    if spec.in_features is None:
        return TorchCall("LazyLinear", (spec.out_features,), {"bias": spec.bias})
    return TorchCall("Linear", (spec.in_features, spec.out_features), {"bias": spec.bias})


_Gen = Callable[[random.Random], tuple[Linear, Shape]]


def _gen(lazy: bool) -> _Gen:
    def gen(r: random.Random) -> tuple[Linear, Shape]:
        shape = any_shape(r, 0, 4)
        inner = shape[-1] if shape and r.random() < 0.8 else r.randint(0, 6)
        if r.random() < 0.03:
            inner = -1
        out = r.choice([1, 2, 3, 5, 8, 0]) if r.random() > 0.02 else -2
        return Linear(None if lazy else inner, out, r.random() < 0.85), shape

    return gen


def _no_rank(spec: Linear) -> int | None:
    return None


META = MetaReleases(
    unrunnable={"LazyLinear": span("-1.13")},  # moved to meta unmaterialised: 0-size weight
)
"""What meta does differently from CPU with these layers in some releases (verify)."""


FAMILY = register(
    OpFamily(
        meta=META,
        name="linear",
        rank=12,
        group=LAYERS,
        specs=(Linear,),
        signatures=_signatures(),
        infer=infer,
        code=code,
        torch=torch_call,
        fuzz={"linear": _gen(False), "lazy_linear": _gen(True)},
        spatial_rank=_no_rank,
        params=params,
        macs=macs,
        construct_error=construct_error,
    )
)
