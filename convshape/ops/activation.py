"""Activations, dropout and ``nn.Identity``: the layers that keep (almost) every shape.

Mirrors torch 2.13 on CPU: ``F.softmax``'s implicit dim, ``Softmax2d``'s rank check,
``glu``'s halving, ``prelu``'s channel check, ``gelu``'s ``approximate`` and the dropout
modules' rank checks and warnings (``F.dropout1d/2d/3d``, ``feature_dropout``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, cast

from convshape.core import errors as E
from convshape.core.arithmetic import identity_window
from convshape.core.errors import ShapeError
from convshape.core.registry import LAYERS, MetaReleases, OpFamily, TorchCall, Window, register
from convshape.core.releases import current, span
from convshape.core.shapes import Shape
from convshape.core.signature import Param, Signature
from convshape.core.trace import Env, Trace
from convshape.ops.common import (
    DEVICE,
    INPLACE,
    any_shape,
    arg,
    built,
    feature_shape,
    kwarg,
    module_code,
    negative_sizes,
    number,
    row,
    wrap_dim,
)

__all__ = ["FAMILY", "SOFTMAX_NAMES", "Activation", "Dropout", "Identity"]

SOFTMAX2D_ASSERTS = span("-2.0")
"""Releases whose nn.Softmax2d checks the rank with an ``assert`` (AssertionError)."""


@dataclass(frozen=True)
class Activation:
    """An activation module, by class name (``ReLU``, ``GELU``, ``Softmax``, ``PReLU``...).

    ``dim`` is the ``dim`` argument of ``Softmax``/``LogSoftmax``/``Softmin``/``GLU``;
    ``num_parameters`` is PReLU's (its learnable slopes); ``approximate`` is GELU's.
    """

    name: str
    dim: int | None = None
    num_parameters: int = 0
    approximate: str = "none"

    @property
    def cls(self) -> str:
        return self.name

    @property
    def op(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Dropout:
    """``nn.Dropout``, ``Dropout1d/2d/3d``, ``AlphaDropout``, ``FeatureAlphaDropout``."""

    name: str = "Dropout"
    p: float = 0.5

    @property
    def cls(self) -> str:
        return self.name

    @property
    def op(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Identity:
    """``nn.Identity()``."""

    @property
    def cls(self) -> str:
        return "Identity"

    @property
    def op(self) -> str:
        return "identity"


Elementwise = Activation | Dropout | Identity

SOFTMAX_NAMES: Final[Mapping[str, str]] = {
    "Softmax": "softmax",
    "Softmin": "softmin",
    "LogSoftmax": "log_softmax",
}
"""The softmax modules, with the function name their implicit-dim warning uses."""

_PLAIN: Final = ("ReLU", "ReLU6", "SELU", "SiLU", "Mish", "Hardswish", "Hardsigmoid")
_VARARGS: Final = ("Sigmoid", "Tanh", "Softsign", "Tanhshrink", "LogSigmoid", "Softmax2d")
_SLOPED: Final = (
    "LeakyReLU",
    "ELU",
    "CELU",
    "Hardtanh",
    "Softplus",
    "Softshrink",
    "Hardshrink",
    "Threshold",
    "RReLU",
)
_DROPOUTS: Final = (
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "Dropout3d",
    "AlphaDropout",
    "FeatureAlphaDropout",
)


# ---------------------------------------------------------------------------------------
# The constructor, parameters
# ---------------------------------------------------------------------------------------


def construct_error(spec: Elementwise) -> ShapeError | None:
    """Dropout's probability outside [0, 1]; PReLU's negative number of slopes."""
    if isinstance(spec, Dropout) and not 0 <= spec.p <= 1:
        return E.DROPOUT_PROBABILITY.error(p=number(spec.p))
    if isinstance(spec, Activation) and spec.name == "PReLU":
        return negative_sizes([(spec.num_parameters,)])
    return None


def params(spec: Elementwise, shape: Shape | None) -> int:
    """PReLU's slopes; nothing else here holds parameters."""
    if isinstance(spec, Activation) and spec.name == "PReLU":
        return max(spec.num_parameters, 0)
    return 0


# ---------------------------------------------------------------------------------------
# Shape rules, in torch 2.13's CPU check order
# ---------------------------------------------------------------------------------------


def infer(spec: Elementwise, shape: Shape, trace: Trace, env: Env) -> Shape:
    built(construct_error(spec))
    E.check_input(shape)
    if isinstance(spec, Activation):
        return _activation(spec, shape, trace)
    if isinstance(spec, Dropout):
        return _dropout(spec, shape, env.training, trace)
    return shape


def _activation(spec: Activation, shape: Shape, trace: Trace) -> Shape:
    rank = len(shape)
    name = spec.name
    if name in SOFTMAX_NAMES:
        dim = spec.dim
        if dim is None:
            trace.warnings.append(E.IMPLICIT_DIM_WARNING.format(name=SOFTMAX_NAMES[name]))
            dim = 0 if rank in (0, 1, 3) else 1
        wrap_dim(dim, rank)
        return shape
    if name == "Softmax2d":
        if rank not in (3, 4):
            if current() in SOFTMAX2D_ASSERTS:
                raise E.SOFTMAX2D_ASSERT.error()
            raise E.SOFTMAX2D_RANK.error(idim=rank)
        return shape
    if name == "GLU":
        if rank == 0:
            raise E.GLU_SCALAR.error()
        dim = wrap_dim(-1 if spec.dim is None else spec.dim, rank)
        if shape[dim] % 2:
            raise E.GLU_ODD.error(dim=dim, size=shape[dim])
        return (*shape[:dim], shape[dim] // 2, *shape[dim + 1 :])
    if name == "PReLU" and spec.num_parameters != 1:
        if rank == 0:
            raise E.PRELU_SCALAR.error()
        channels = shape[1] if rank >= 2 else 1
        if channels != spec.num_parameters:
            raise E.PRELU_CHANNELS.error(params=spec.num_parameters, channels=channels)
        return shape
    if name == "GELU" and spec.approximate not in ("none", "tanh"):
        raise E.GELU_APPROXIMATE.error()
    return shape


def _dropout(spec: Dropout, shape: Shape, training: bool, trace: Trace) -> Shape:
    rank = len(shape)
    name = spec.name
    feature_rank: int | None = None
    if name == "Dropout1d":
        if rank not in (2, 3):
            raise E.DROPOUT1D_RANK.error(idim=rank)
        feature_rank = 3
    elif name == "Dropout2d":
        if rank not in (3, 4):
            trace.warnings.append(E.DROPOUT_RANK_WARNING.format(n=2, idim=rank, r=3, r1=4))
        if rank == 3:
            trace.warnings.append(E.DROPOUT2D_3D_WARNING)
        feature_rank = rank
    elif name == "Dropout3d":
        if rank not in (4, 5):
            trace.warnings.append(E.DROPOUT_RANK_WARNING.format(n=3, idim=rank, r=4, r1=5))
        feature_rank = rank if rank == 5 else rank + 1
    elif name == "FeatureAlphaDropout":
        feature_rank = rank
    active = training and 0 < spec.p < 1 and math.prod(shape) > 0
    if feature_rank is not None and active and feature_rank < 2:
        raise E.FEATURE_DROPOUT_RANK.error()
    return shape


# ---------------------------------------------------------------------------------------
# Signatures (torch/nn/modules/activation.py, dropout.py, linear.py's Identity)
# ---------------------------------------------------------------------------------------


def _activation_row(name: str, *args: Param, varargs: bool = False) -> Signature:
    def build(v: Mapping[str, object]) -> Activation:
        return Activation(
            name,
            dim=cast("int | None", v.get("dim")),
            num_parameters=cast(int, v.get("num_parameters", 0)),
            approximate=cast(str, v.get("approximate", "none")),
        )

    return row(f"nn.{name}", args, build, Activation, "activation", varargs=varargs)


def _dropout_row(name: str) -> Signature:
    def build(v: Mapping[str, object]) -> Dropout:
        return Dropout(name, cast(float, v["p"]))

    return row(f"nn.{name}", (arg("p", "number", 0.5), INPLACE), build, Dropout, "dropout")


def _signatures() -> tuple[Signature, ...]:
    rows = [_activation_row(name, INPLACE) for name in _PLAIN]
    rows += [_activation_row(name, varargs=True) for name in _VARARGS]
    rows += [
        _activation_row("LeakyReLU", arg("negative_slope", "number", 0.01), INPLACE),
        _activation_row("ELU", arg("alpha", "number", 1.0), INPLACE),
        _activation_row("CELU", arg("alpha", "number", 1.0), INPLACE),
        _activation_row("GELU", arg("approximate", "str", "none")),
        _activation_row(
            "Hardtanh",
            arg("min_val", "number", -1.0),
            arg("max_val", "number", 1.0),
            INPLACE,
            arg("min_value", "opt_number", None),
            arg("max_value", "opt_number", None),
        ),
        _activation_row("Softplus", arg("beta", "number", 1.0), arg("threshold", "number", 20.0)),
        _activation_row("Softshrink", arg("lambd", "number", 0.5)),
        _activation_row("Hardshrink", arg("lambd", "number", 0.5)),
        _activation_row("Threshold", arg("threshold", "number"), arg("value", "number"), INPLACE),
        _activation_row(
            "RReLU", arg("lower", "number", 0.125), arg("upper", "number", 1 / 3), INPLACE
        ),
        _activation_row(
            "PReLU", arg("num_parameters", "int", 1), arg("init", "number", 0.25), *DEVICE
        ),
        *(_activation_row(n, arg("dim", "opt_int", None)) for n in SOFTMAX_NAMES),
        _activation_row("GLU", arg("dim", "int", -1)),
    ]
    rows += [_dropout_row(name) for name in _DROPOUTS]
    rows.append(row("nn.Identity", (), lambda v: Identity(), Identity, "identity", varargs=True))
    return tuple(rows)


# ---------------------------------------------------------------------------------------
# Back to code, and to torch
# ---------------------------------------------------------------------------------------


def code(spec: Elementwise) -> str:
    """The module as PyTorch code; slopes and the like do not change shapes: left out."""
    args: list[str] = []
    if isinstance(spec, Activation):
        if spec.name == "PReLU":
            args = kwarg("num_parameters", spec.num_parameters, 1)
        elif spec.name == "GLU":
            args = kwarg("dim", spec.dim, -1)
        elif spec.name in SOFTMAX_NAMES:
            args = kwarg("dim", spec.dim, None)
        elif spec.name == "GELU":
            args = kwarg("approximate", spec.approximate, "none")
        elif spec.name == "Threshold":
            args = ["0.0", "0.0"]  # required, and they do not change shapes
    elif isinstance(spec, Dropout):
        args = kwarg("p", spec.p, 0.5)
    return module_code(spec.cls, args)


def torch_call(spec: Elementwise) -> TorchCall:
    if isinstance(spec, Identity):
        return TorchCall("Identity")
    if isinstance(spec, Dropout):
        return TorchCall(spec.name, (spec.p,))
    name = spec.name
    if name == "PReLU":
        return TorchCall(name, (spec.num_parameters,))
    if name == "GELU":
        return TorchCall(name, kwargs={"approximate": spec.approximate})
    if name == "GLU":
        return TorchCall(name, (-1 if spec.dim is None else spec.dim,))
    if name in SOFTMAX_NAMES:
        return TorchCall(name, (spec.dim,))
    if name == "Threshold":
        return TorchCall(name, (0.0, 0.0))
    return TorchCall(name)


def window(spec: Elementwise, shape: Shape, output: Shape, n: int) -> list[Window] | None:
    """Every position stays; softmax and GLU along a spatial axis mix its positions."""
    if isinstance(spec, Activation) and spec.name in ("GLU", *SOFTMAX_NAMES):
        rank = len(shape)
        dim = spec.dim
        if dim is None:
            dim = -1 if spec.name == "GLU" else (0 if rank in (0, 1, 3) else 1)
        if rank and dim % rank >= rank - n:
            return None  # it mixes the positions along a spatial axis
    return [identity_window()] * n


def _none(spec: Elementwise) -> int | None:
    return None


# ---------------------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------------------


def _gen_plain(r: random.Random) -> tuple[Activation, Shape]:
    names = (*_PLAIN, *(n for n in _VARARGS if n != "Softmax2d"), *_SLOPED)
    return Activation(r.choice(names)), any_shape(r)


def _gen_gelu(r: random.Random) -> tuple[Activation, Shape]:
    approximate = r.choice(["none", "none", "tanh", "tanh", "exact"])
    return Activation("GELU", approximate=approximate), any_shape(r)


def _gen_prelu(r: random.Random) -> tuple[Activation, Shape]:
    c = r.randint(1, 5)
    n = r.choice([1, c, c, c + 1])
    return Activation("PReLU", num_parameters=n), feature_shape(r, c, r.randint(0, 2))


def _gen_softmax(r: random.Random) -> tuple[Activation, Shape]:
    dim = None if r.random() < 0.3 else r.randint(-5, 4)
    return Activation(r.choice(list(SOFTMAX_NAMES)), dim=dim), any_shape(r)


def _gen_softmax2d(r: random.Random) -> tuple[Activation, Shape]:
    return Activation("Softmax2d"), any_shape(r, 1, 5)


def _gen_glu(r: random.Random) -> tuple[Activation, Shape]:
    shape = tuple(2 * v if r.random() < 0.7 else v for v in any_shape(r))
    return Activation("GLU", dim=r.randint(-5, 4)), shape


def _gen_dropout(r: random.Random) -> tuple[Dropout, Shape]:
    p = r.choice([0.5, 0.5, 0.2, 0.0, 1.0, 1, 0, 1.5, -0.1, 2])
    return Dropout(r.choice(_DROPOUTS), p), any_shape(r)


def _gen_identity(r: random.Random) -> tuple[Identity, Shape]:
    return Identity(), any_shape(r)


_Gen = Callable[[random.Random], tuple[Elementwise, Shape]]
_FUZZ: Final[Mapping[str, _Gen]] = {
    "relu": _gen_plain,
    "gelu": _gen_gelu,
    "prelu": _gen_prelu,
    "softmax": _gen_softmax,
    "softmax2d": _gen_softmax2d,
    "glu": _gen_glu,
    "dropout": _gen_dropout,
    "identity": _gen_identity,
}


META = MetaReleases(
    skips={"CS831": span("-1.13")},  # meta gelu took any approximate= string
    missing={"aten::rrelu_with_noise": span("-2.0")},
    unrunnable={"PReLU": span("-1.13")},  # meta prelu asserted on a 1-d input
)
"""What meta does differently from CPU with these layers in some releases (verify)."""


FAMILY = register(
    OpFamily(
        meta=META,
        name="activation",
        rank=11,
        group=LAYERS,
        specs=(Activation, Dropout, Identity),
        signatures=_signatures(),
        infer=infer,
        code=code,
        torch=torch_call,
        fuzz=_FUZZ,
        window=window,
        spatial_rank=_none,
        params=params,
        construct_error=construct_error,
    )
)
