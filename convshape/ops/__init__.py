"""The op families: one module per family holds everything it knows, registered with
:mod:`convshape.core.registry` (see docs/architecture.md for adding one).

This package also names the specs for the rest of convshape: :data:`Spec` for the
convolution family (what ``calc`` reads on its own), :data:`LayerSpec` for the layers
between convolutions (norm, activation, linear, reshape, upsample, pad), :data:`AnySpec`
for either.
"""

from __future__ import annotations

from convshape.ops.activation import Activation, Dropout, Identity
from convshape.ops.adaptive import AdaptivePool
from convshape.ops.conv import Conv, ConvCall
from convshape.ops.fold import Fold, Unfold
from convshape.ops.linear import Linear
from convshape.ops.norm import BatchNorm, GroupNorm, InstanceNorm, LayerNorm
from convshape.ops.pad import Pad
from convshape.ops.pool import Pool
from convshape.ops.reshape import Flatten, PixelShuffle, Unflatten
from convshape.ops.upsample import Upsample

__all__ = [
    "Activation",
    "AdaptivePool",
    "AnySpec",
    "BatchNorm",
    "Conv",
    "ConvCall",
    "Dropout",
    "Flatten",
    "Fold",
    "GroupNorm",
    "Identity",
    "InstanceNorm",
    "LayerNorm",
    "LayerSpec",
    "Linear",
    "Pad",
    "PixelShuffle",
    "Pool",
    "Spec",
    "Unflatten",
    "Unfold",
    "Upsample",
]

Spec = Conv | ConvCall | Pool | AdaptivePool | Unfold | Fold
"""A layer of the convolution family: what ``calc`` reads on its own."""

LayerSpec = (
    BatchNorm
    | InstanceNorm
    | GroupNorm
    | LayerNorm
    | Activation
    | Dropout
    | Identity
    | Flatten
    | Unflatten
    | Linear
    | Upsample
    | PixelShuffle
    | Pad
)
"""A layer between convolutions (read in stacks)."""

AnySpec = Spec | LayerSpec
"""Any layer the engine predicts."""
