"""The op families: one module per family holds everything it knows, registered with
:mod:`convshape.core.registry` (see docs/architecture.md for adding one).

This package also names the specs of the convolution family for the rest of convshape.
"""

from __future__ import annotations

from convshape.ops.adaptive import AdaptivePool
from convshape.ops.conv import Conv, ConvCall
from convshape.ops.fold import Fold, Unfold
from convshape.ops.pool import Pool

__all__ = ["AdaptivePool", "Conv", "ConvCall", "Fold", "Pool", "Spec", "Unfold"]

Spec = Conv | ConvCall | Pool | AdaptivePool | Unfold | Fold
"""A layer of the convolution family: what the engine predicts."""
