"""Older torch's wordings of an error, translated to what torch 2.13 prints for the same fault.

The legacy kinds (:data:`convshape.core.errors.LEGACY`, family ``legacy``) are messages torch
printed before 2.13 (TH/THNN's C texts, 0.x's autograd convolution, GroupNorm without its
numbers) or that only a CUDA build prints. :func:`today` rebuilds today's message from the
numbers the old one shows, so that ``explain`` gives today's advice and a ``calc`` command
that prints today's equivalent. A message without the numbers today's needs gets None.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from convshape.core import errors as E
from convshape.core.errors import ErrorKind
from convshape.core.shapes import Shape

__all__ = ["Today", "module", "today"]

Today = tuple[ErrorKind, dict[str, str], str]
Values = Mapping[str, str]


def _sizes(text: str) -> list[int]:
    """``[32 x 784]`` (TH's sizeDesc), ``[2, 6]`` or ``2 6`` -> the numbers."""
    body = text.strip()
    if not re.fullmatch(r"\[?\s*-?\d+(?:\s*(?:x|,)?\s*-?\d+)*\s*\]?", body):
        raise ValueError(f"not a size list: {text!r}")
    return [int(v) for v in re.findall(r"-?\d+", body)]


def _same(v: Values) -> dict[str, str]:
    """The same fields in today's message."""
    return dict(v)


def _input_rank(v: Values) -> dict[str, str]:
    shape = _sizes(v["input"])
    return {"unbatched": "3", "batched": "4", "op": "conv2d", "input": E.sizes(shape)}


def _weight_input_rank(v: Values) -> dict[str, str]:
    shape, weight = _sizes(v["input"]), _sizes(v["weight"])
    return {
        "wdim": v["wdim"],
        "weight": E.sizes(weight),
        "idim": str(len(shape)),
        "input": E.sizes(shape),
    }


def _channels(v: Values) -> dict[str, str]:
    return {
        "groups": v["groups"],
        "weight": E.sizes(_sizes(v["weight"])),
        "input": E.sizes(_sizes(v["input"])),
        "expected": v["expected"],
        "got": v["got"],
    }


def _transposed(v: Values) -> dict[str, str]:
    return {
        "weight": E.sizes(_sizes(v["weight"])),
        "input": E.sizes(_sizes(v["input"])),
        "expected": v["expected"],
        "got": v["got"],
    }


def _kernel(v: Values) -> dict[str, str]:
    padded, kernel = _sizes(v["padded"]), _sizes(v["kernel"])
    if len(padded) != len(kernel):
        raise ValueError("padded and kernel sizes differ in length")
    return {
        "padded": " x ".join(map(str, padded)),
        "kernel": " x ".join(map(str, kernel)),
    }


def _need_input(v: Values) -> tuple[int, Shape]:
    """THNN_CHECK_DIM_SIZE(input, ndim, dimf, nInputPlane): the spatial rank of the convolution
    and the input's shape (dimf is 1 for a batch, 0 for one unbatched sample)."""
    shape, dim = tuple(_sizes(v["input"])), int(v["dim"])
    if len(shape) != int(v["ndim"]) or dim not in (0, 1) or dim >= len(shape):
        raise ValueError("the shape does not have the dimensions the message says")
    if shape[dim] == int(v["expected"]):
        raise ValueError("the channel count matches")
    n = len(shape) - 1 - dim
    if n not in (1, 2, 3):
        raise ValueError(f"a {n}-d convolution")
    return n, shape


def _need_input_today(v: Values) -> dict[str, str]:
    n, shape = _need_input(v)
    batched = shape if v["dim"] == "1" else (1, *shape)  # torch 2.13 shows a batch of 1
    return {
        "groups": "1",
        "weight": E.sizes([1, int(v["expected"]), *([1] * n)]),  # out channels, kernel: 1
        "input": E.sizes(batched),
        "expected": v["expected"],
        "got": str(batched[1]),
    }


# legacy code -> today's values built from the old message's (ValueError: not enough numbers)
_TODAY: dict[str, Callable[[Values], dict[str, str]]] = {
    E.LEGACY_ADDMM.code: _same,
    E.LEGACY_KERNEL_TOO_BIG.code: _kernel,
    E.LEGACY_INPUT_RANK.code: _input_rank,
    E.LEGACY_POOL_PAD_HALF.code: _same,
    E.LEGACY_WEIGHT_INPUT_RANK.code: _weight_input_rank,
    E.LEGACY_CHANNEL_MISMATCH.code: _channels,
    E.LEGACY_TRANSPOSED_CHANNEL_MISMATCH.code: _transposed,
    E.LEGACY_NEED_INPUT.code: _need_input_today,
}


def module(kind: ErrorKind, values: Values) -> tuple[str, Shape] | None:
    """The layer and input the old message describes, as ``calc`` reads them, when it names
    only what the layer takes (out channels and kernel are placeholders, 1): today's message
    is then printed by the user's kind of layer on the user's shape. None otherwise."""
    if kind is not E.LEGACY_NEED_INPUT:
        return None
    try:
        n, shape = _need_input(values)
    except (ValueError, KeyError):
        return None
    return f"nn.Conv{n}d({int(values['expected'])}, 1, 1)", shape


def today(kind: ErrorKind, values: Values) -> Today | None:
    """What torch 2.13 prints for the fault ``kind`` (a legacy kind) reports: today's kind,
    its values and its message; None when the old message lacks the numbers."""
    old = E.LEGACY.get(kind.code)
    if old is None or old.today is None:
        return None
    build = _TODAY.get(kind.code)
    if build is None and old.source == E.RECORDED:  # a modelled release's wording: same fields
        build = _same
    if build is None:
        return None
    try:
        new = build(values)
    except (ValueError, KeyError):
        return None
    target = E.KINDS[old.today]
    try:
        return target, new, target.template.format_map(new)
    except KeyError:  # the old wording lacks a number today's message shows
        return None
