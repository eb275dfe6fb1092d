"""Small 1-d tensors of known numbers, as model code computes layer widths with torch
(torchvision's RegNet: ``torch.arange(depth) * w_a + w_0``, ``torch.round``, ``torch.log``,
``torch.pow``, ``.int().tolist()``).

A :class:`~.values.Numbers` holds the values and torch's dtype (``int64``, ``int32`` or
``float32``); float32 arithmetic is emulated by rounding each result to float32. torch's
``log`` and ``pow`` may differ from the correctly rounded result by an ulp, so a
``round`` whose argument is within :data:`MARGIN` of a tie, or an ``.int()`` of a value
within it of an integer it is not, is unknown rather than a guess.
"""

from __future__ import annotations

import ast
import itertools
import math
import struct
from collections.abc import Callable
from typing import Any, Final

from convshape.features.lint.values import UNKNOWN, ListVal, Numbers

__all__ = ["FUNCTIONS", "METHODS", "binop", "call", "method"]

MAX_LENGTH: Final = 4096
MARGIN: Final = 1e-3  # how close to a rounding boundary a float32 result is not trusted
FUNCTIONS: Final = frozenset({"arange", "tensor", "log", "round", "pow", "divide", "div", "diff"})
METHODS: Final = frozenset({"int", "long", "float", "tolist"})


def _f32(value: float) -> float | None:
    """``value`` rounded to float32 (None: not finite, or out of its range)."""
    try:
        out: float = struct.unpack("f", struct.pack("f", value))[0]
    except (OverflowError, struct.error):
        return None
    return out if math.isfinite(out) else None


def _made(values: list[Any], dtype: str) -> Any:
    if dtype == "float32":
        rounded = [_f32(float(v)) for v in values]
        if any(v is None for v in rounded):
            return UNKNOWN
        return Numbers(tuple(rounded), dtype)
    if any(not isinstance(v, int) or abs(v) >= 2**31 for v in values):
        return UNKNOWN
    return Numbers(tuple(values), dtype)


def _plain(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _operand(value: Any) -> tuple[list[Any], str] | None:
    """A tensor's values and dtype; a Python number as a scalar (its dtype: 'int' or
    'float', which do not raise a tensor's integer dtype)."""
    if isinstance(value, Numbers):
        return list(value.values), value.dtype
    if _plain(value):
        return [value], "float" if isinstance(value, float) else "int"
    return None


_OPS: Final[dict[type[ast.operator], Callable[[Any, Any], Any]]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}


def binop(op: ast.operator, left: Any, right: Any) -> Any:
    """``a + b``, ``a - b``, ``a * b``, ``a / b`` with a tensor of known numbers."""
    fn = _OPS.get(type(op))
    a, b = _operand(left), _operand(right)
    if fn is None or a is None or b is None:
        return UNKNOWN
    (xs, da), (ys, db) = a, b
    if len(xs) != len(ys) and 1 not in (len(xs), len(ys)):
        return UNKNOWN
    n = max(len(xs), len(ys))
    xs, ys = (xs * n if len(xs) == 1 else xs), (ys * n if len(ys) == 1 else ys)
    floating = "float" in (da, db) or "float32" in (da, db) or isinstance(op, ast.Div)
    dtype = "float32" if floating else ("int64" if "int64" in (da, db) else "int32")
    if floating:
        xs = [_f32(float(x)) for x in xs]
        ys = [_f32(float(y)) for y in ys]
        if None in xs or None in ys:
            return UNKNOWN
    try:
        return _made([fn(x, y) for x, y in zip(xs, ys, strict=True)], dtype)
    except (ArithmeticError, TypeError, ValueError):
        return UNKNOWN


def _round(value: float) -> float | None:
    """torch.round: half to even; None near a tie (see :data:`MARGIN`)."""
    if abs(abs(value - math.floor(value)) - 0.5) < MARGIN:
        return None
    return float(round(value))


def call(short: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``torch.<short>(...)`` on known numbers; UNKNOWN when it is not that simple."""
    if kwargs:
        return UNKNOWN
    if short == "arange" and 1 <= len(args) <= 3 and all(isinstance(a, int) for a in args):
        values = range(*args)
        if len(values) > MAX_LENGTH:
            return UNKNOWN
        return _made(list(values), "int64")
    if short == "tensor" and len(args) == 1 and isinstance(args[0], ListVal):
        items = args[0].items
        if items is None or len(items) > MAX_LENGTH or not all(_plain(v) for v in items):
            return UNKNOWN
        floating = any(isinstance(v, float) for v in items)
        return _made(list(items), "float32" if floating else "int64")
    if short in ("divide", "div") and len(args) == 2:
        return binop(ast.Div(), args[0], args[1])
    if short == "pow" and len(args) == 2:
        return _pow(args[0], args[1])
    x = args[0] if len(args) == 1 else None
    if not isinstance(x, Numbers):
        return UNKNOWN
    if short == "log":
        if any(v <= 0 for v in x.values):
            return UNKNOWN
        return _made([math.log(v) for v in _floats(x)], "float32")
    if short == "round":
        if x.dtype != "float32":
            return x
        rounded = [_round(v) for v in x.values]
        return UNKNOWN if None in rounded else _made(rounded, "float32")
    if short == "diff":
        return _made([b - a for a, b in itertools.pairwise(x.values)], x.dtype)
    return UNKNOWN


def _floats(x: Numbers) -> list[float]:
    return [float(v) for v in x.values]


def _pow(base: Any, exponent: Any) -> Any:
    a, b = _operand(base), _operand(exponent)
    floating = a is not None and b is not None and {"float32", "float"} & {a[1], b[1]}
    if a is None or b is None or not floating:
        return UNKNOWN  # integer powers: not needed, not followed
    xs, ys = a[0], b[0]
    n = max(len(xs), len(ys))
    if len(xs) != len(ys) and 1 not in (len(xs), len(ys)):
        return UNKNOWN
    xs, ys = (xs * n if len(xs) == 1 else xs), (ys * n if len(ys) == 1 else ys)
    values = []
    for x, y in zip(xs, ys, strict=True):
        fx, fy = _f32(float(x)), _f32(float(y))
        if fx is None or fy is None or fx <= 0:
            return UNKNOWN
        try:
            values.append(fx**fy)
        except ArithmeticError:
            return UNKNOWN
    return _made(values, "float32")


def method(x: Numbers, name: str, args: list[Any] | None, kwargs: dict[str, Any] | None) -> Any:
    """``x.int()``, ``.long()``, ``.float()``, ``.tolist()``."""
    if args or kwargs:
        return UNKNOWN
    if name == "tolist":
        if x.dtype == "float32":
            return ListVal(list(x.values))
        return ListVal([int(v) for v in x.values])
    if name == "float":
        return _made(list(x.values), "float32")
    values = []
    for v in x.values:
        if isinstance(v, float):
            near = round(v)
            if v != near and abs(v - near) < MARGIN:
                return UNKNOWN  # torch's value may be on the other side of the integer
            v = math.trunc(v)
        values.append(v)
    return _made(values, "int32" if name == "int" else "int64")
