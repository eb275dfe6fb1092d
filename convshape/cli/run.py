"""Library calls that take more than one step, for the commands in :mod:`.app`: solve's
modes (lint's run is :mod:`convshape.features.lint.run`). Results go back to the command,
which hands them to a view.

Only the standard library is imported here; the library is imported when called.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from convshape.core.errors import ShapeError
    from convshape.core.shapes import Shape
    from convshape.features.solve import Inversion, SameStrided, SizeSolution, StackSizes
    from convshape.ops import Spec

__all__ = ["Solved", "solve"]

Mode = Literal["size", "same", "invert", "stack"]


@dataclass(frozen=True)
class Solved:
    """One ``solve`` answer: the mode and the library's answer (for invert, the
    ShapeError when the layer fails on the input); the layer and input it was for."""

    mode: Mode
    answer: SizeSolution | SameStrided | Inversion | StackSizes | ShapeError
    spec: Spec | None = None
    shape: Shape | None = None

    @property
    def ok(self) -> bool:
        """Whether there is an answer (exit 0): sizes or candidates found, any --same
        plan, an inversion unless the layer itself fails."""
        from convshape.core.errors import ShapeError
        from convshape.features.solve import SizeSolution, StackSizes

        if isinstance(self.answer, SizeSolution | StackSizes):
            return self.answer.ok
        return not isinstance(self.answer, ShapeError)


_SOLVE_OPS = {"max_pool": "maxpool", "avg_pool": "avgpool", "conv_transpose": "transpose"}


def solve(kw: dict[str, Any]) -> Solved:
    """``convshape solve``: pick the mode from the options and solve it."""
    from convshape.features.solve import choose_mode

    size = kw["size"]
    mode, target = choose_mode(
        size,
        kw["target"],
        invert=kw["invert_layer"] is not None,
        stack=kw["stack_code"] is not None or kw["file"] is not None,
        same=kw["same"],
        keep=kw["keep"],
        has_input=kw["input_"] is not None,
        has_kernel=kw["kernel"] is not None,
        has_stride=kw["stride"] is not None,
    )
    if mode == "invert":
        return _invert(kw["invert_layer"], kw["input_"])
    if mode == "stack":
        return _stack(kw)
    if mode == "same":
        from convshape.features.solve import same_strided

        return Solved("same", same_strided(size, kw["kernel"], kw["stride"], kw["dilation"]))
    assert target is not None
    from convshape.features.solve import solve_size

    solution = solve_size(
        size,
        target,
        op=_SOLVE_OPS.get(kw["op"], kw["op"]),
        kernel=kw["kernel"],
        stride=kw["stride"],
        padding=kw["padding"],
        dilation=kw["dilation"],
        max_kernel=kw["max_kernel"],
        max_stride=kw["max_stride"],
        max_dilation=kw["max_dilation"],
    )
    return Solved("size", solution)


def _invert(layer: str, input_text: str) -> Solved:
    from convshape.core.errors import ShapeError
    from convshape.features.solve import invert
    from convshape.readers.parse import parse_layer, parse_shape

    spec = parse_layer(layer)
    shape = parse_shape(input_text)
    try:
        return Solved("invert", invert(spec, shape), spec, shape)
    except ShapeError as exc:
        return Solved("invert", exc, spec, shape)


def _stack(kw: dict[str, Any]) -> Solved:
    from convshape.cli.args import stack_text
    from convshape.features.network import parse_stack
    from convshape.features.solve import stack_sizes
    from convshape.readers.parse import parse_shape

    text = stack_text(kw["stack_code"], kw["file"])
    layers = parse_stack(text, kw["variable"])
    shape = parse_shape(kw["input_"])
    result = stack_sizes(layers, shape, low=kw["min_size"], high=kw["max_size"], near=kw["near"])
    return Solved("stack", result, shape=shape)
