"""The op families: one module per family holds everything it knows, registered with
:mod:`convshape.core.registry` (see docs/architecture.md for adding one).

This package also names the specs for the rest of convshape: :data:`Spec` for the
convolution family (what ``calc`` reads on its own), :data:`LayerSpec` for the layers
between convolutions (norm, activation, linear, reshape, upsample, pad), :data:`AnySpec`
for either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
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

# Where each name lives: a family's module is imported on first use, so that a command
# loads only the families it needs (start-up time is benchmarked).
_HOME = {
    "Activation": "activation",
    "Dropout": "activation",
    "Identity": "activation",
    "AdaptivePool": "adaptive",
    "Conv": "conv",
    "ConvCall": "conv",
    "Fold": "fold",
    "Unfold": "fold",
    "Linear": "linear",
    "BatchNorm": "norm",
    "GroupNorm": "norm",
    "InstanceNorm": "norm",
    "LayerNorm": "norm",
    "Pad": "pad",
    "Pool": "pool",
    "Flatten": "reshape",
    "PixelShuffle": "reshape",
    "Unflatten": "reshape",
    "Upsample": "upsample",
}
_SPEC = ("Conv", "ConvCall", "Pool", "AdaptivePool", "Unfold", "Fold")
_LAYER_SPEC = (
    "BatchNorm",
    "InstanceNorm",
    "GroupNorm",
    "LayerNorm",
    "Activation",
    "Dropout",
    "Identity",
    "Flatten",
    "Unflatten",
    "Linear",
    "Upsample",
    "PixelShuffle",
    "Pad",
)


def _union(names: tuple[str, ...]) -> Any:
    import functools
    import operator

    return functools.reduce(operator.or_, (__getattr__(n) for n in names))


def __getattr__(name: str) -> Any:
    import importlib

    if name in _HOME:
        value = getattr(importlib.import_module(f"convshape.ops.{_HOME[name]}"), name)
    elif name == "Spec":
        value = _union(_SPEC)
    elif name == "LayerSpec":
        value = _union(_LAYER_SPEC)
    elif name == "AnySpec":
        value = _union((*_SPEC, *_LAYER_SPEC))
    else:
        raise AttributeError(f"module 'convshape.ops' has no attribute {name!r}")
    globals()[name] = value
    return value


if TYPE_CHECKING:
    Spec: TypeAlias = Conv | ConvCall | Pool | AdaptivePool | Unfold | Fold
    """A layer of the convolution family: what ``calc`` reads on its own."""

    LayerSpec: TypeAlias = (
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

    AnySpec: TypeAlias = Spec | LayerSpec
    """Any layer the engine predicts."""
