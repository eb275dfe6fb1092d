"""convshape: PyTorch convolution-family output shapes and shape errors, without torch.

>>> import convshape
>>> convshape.infer("nn.Conv2d(16, 32, 3, padding=1)", (20, 16, 50, 100)).output
(20, 32, 50, 100)

Importing convshape never imports torch; only :mod:`convshape.oracle` does, lazily.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from convshape.core.arithmetic import Axis
from convshape.core.engine import Env, Result
from convshape.core.errors import KINDS, ErrorKind, ShapeError, UsageError, Variant
from convshape.core.shapes import Shape

if TYPE_CHECKING:
    from convshape.ops import AdaptivePool, Conv, ConvCall, Fold, Pool, Spec, Unfold

__all__ = [
    "KINDS",
    "AdaptivePool",
    "Advice",
    "Axis",
    "Conv",
    "ConvCall",
    "Env",
    "ErrorKind",
    "Fold",
    "Pool",
    "Result",
    "Shape",
    "ShapeError",
    "Spec",
    "Unfold",
    "UsageError",
    "Variant",
    "advise",
    "infer",
]

__version__ = "0.1.0"


_SPECS = ("AdaptivePool", "Conv", "ConvCall", "Fold", "Pool", "Spec", "Unfold")


def __getattr__(name: str) -> object:
    """Names imported on first use: a command loads only what it needs."""
    if name in ("Advice", "advise"):
        from convshape.features import advice

        return getattr(advice, name)
    if name in _SPECS:
        from convshape import ops

        return getattr(ops, name)
    raise AttributeError(f"module 'convshape' has no attribute {name!r}")


def infer(
    layer: Spec | str,
    input: Shape,
    *,
    weight: Shape | None = None,
    bias: Shape | None = None,
    output_size: tuple[int, ...] | None = None,
    env: Env | None = None,
) -> Result:
    """Predict what torch does when ``layer`` is applied to a tensor of shape ``input``.

    ``layer`` is a spec or PyTorch code (``"nn.Conv2d(16, 32, 3)"``, ``"F.conv2d(x, w)"``
    with ``weight=``), read with :mod:`ast`, never evaluated. Raises :class:`UsageError`
    for code convshape cannot read; a torch error is ``result.error``, not an exception.
    """
    from convshape.core.engine import infer_spec

    if isinstance(layer, str):
        from convshape.readers.parse import parse_layer

        layer = parse_layer(layer, weight=weight, bias=bias, output_size=output_size)
    return infer_spec(layer, tuple(input), env)
