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

__all__ = ["Today", "today"]

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


# legacy code -> today's values built from the old message's (ValueError: not enough numbers)
_TODAY: dict[str, Callable[[Values], dict[str, str]]] = {
    E.LEGACY_ADDMM.code: _same,
    E.LEGACY_KERNEL_TOO_BIG.code: _kernel,
    E.LEGACY_INPUT_RANK.code: _input_rank,
    E.LEGACY_POOL_PAD_HALF.code: _same,
    E.LEGACY_WEIGHT_INPUT_RANK.code: _weight_input_rank,
    E.LEGACY_CHANNEL_MISMATCH.code: _channels,
    E.LEGACY_TRANSPOSED_CHANNEL_MISMATCH.code: _transposed,
}


def today(kind: ErrorKind, values: Values) -> Today | None:
    """What torch 2.13 prints for the fault ``kind`` (a legacy kind) reports: today's kind,
    its values and its message; None when the old message lacks the numbers."""
    old = E.LEGACY.get(kind.code)
    if old is None or old.today is None:
        return None
    build = _TODAY.get(kind.code)
    if build is None:
        return None
    try:
        new = build(values)
    except (ValueError, KeyError):
        return None
    target = E.KINDS[old.today]
    return target, new, target.template.format_map(new)
