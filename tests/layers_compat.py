"""For the tests of the layers between convolutions: the names those layers had when they
lived in one module (``convshape.layers``), answered through the registry and the engine.

Each family now has its own module (:mod:`~convshape.ops.norm`,
:mod:`~convshape.ops.activation`, :mod:`~convshape.ops.linear`,
:mod:`~convshape.ops.reshape`, :mod:`~convshape.ops.upsample`, :mod:`~convshape.ops.pad`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from convshape.core.engine import infer_spec
from convshape.core.errors import ShapeError
from convshape.core.registry import LAYERS, family_of, signatures
from convshape.core.shapes import Shape
from convshape.core.signature import Signature
from convshape.core.trace import Env
from convshape.ops import (
    Activation,
    BatchNorm,
    Dropout,
    Flatten,
    GroupNorm,
    Identity,
    InstanceNorm,
    LayerNorm,
    LayerSpec,
    Linear,
    Pad,
    PixelShuffle,
    Unflatten,
    Upsample,
)

__all__ = [
    "LAYER_SPECS",
    "LAYER_TABLE",
    "Activation",
    "BatchNorm",
    "Dropout",
    "Flatten",
    "GroupNorm",
    "Identity",
    "InstanceNorm",
    "LayerNorm",
    "LayerResult",
    "LayerSpec",
    "Linear",
    "Module",
    "Pad",
    "PixelShuffle",
    "Unflatten",
    "Upsample",
    "construct_error",
    "infer_layer",
    "layer_code",
    "params",
]

Module = Signature

LAYER_SPECS: Final = (
    BatchNorm,
    InstanceNorm,
    GroupNorm,
    LayerNorm,
    Activation,
    Dropout,
    Identity,
    Flatten,
    Unflatten,
    Linear,
    Upsample,
    PixelShuffle,
    Pad,
)

LAYER_TABLE: Final[Mapping[str, Signature]] = signatures(LAYERS)
"""Every module between convolutions, by canonical name (``nn.BatchNorm2d``)."""


@dataclass(frozen=True)
class LayerResult:
    """What :func:`infer_layer` found: the output shape, or the error torch raises."""

    spec: LayerSpec
    input: Shape
    output: Shape | None
    error: ShapeError | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def infer_layer(spec: LayerSpec, shape: Shape, *, training: bool = True) -> LayerResult:
    """The engine's answer for one module (``training``: the module's mode)."""
    r = infer_spec(spec, shape, Env(training=training))
    return LayerResult(spec, r.input, r.output, r.error, r.warnings, r.notes)


def construct_error(spec: LayerSpec) -> ShapeError | None:
    return family_of(spec).construct_error(spec)


def params(spec: LayerSpec, shape: Shape | None = None) -> int:
    return family_of(spec).params(spec, shape)


def layer_code(spec: LayerSpec) -> str:
    return family_of(spec).code(spec)
