"""Tensors of known numbers (convshape.features.lint.numeric) against torch: every value
lint works out is the one torch computes, in torch's dtype; a value near a rounding
boundary is unknown, never a guess."""

from __future__ import annotations

import ast
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from convshape.features.lint import numeric
from convshape.features.lint.values import UNKNOWN, ListVal, Numbers

torch = pytest.importorskip("torch")

_DTYPES = {"int64": torch.int64, "int32": torch.int32, "float32": torch.float32}


def _same(value: Any, expected: Any) -> None:
    assert isinstance(value, Numbers), value
    assert _DTYPES[value.dtype] == expected.dtype
    assert list(value.values) == expected.tolist()


def test_regnet_widths() -> None:
    # torchvision's BlockParams.from_init_params for regnet_y_400mf
    depth, w_0, w_a, w_m = 16, 48, 27.89, 2.09
    ours = numeric.binop(
        ast.Add(), numeric.binop(ast.Mult(), numeric.call("arange", [depth], {}), w_a), w_0
    )
    ratio = numeric.binop(ast.Div(), ours, w_0)
    capacity = numeric.call(
        "round", [numeric.binop(ast.Div(), numeric.call("log", [ratio], {}), math.log(w_m))], {}
    )
    power = numeric.binop(ast.Mult(), w_0, numeric.call("pow", [w_m, capacity], {}))
    rounded = numeric.call("round", [numeric.call("divide", [power, 8], {})], {})
    widths = numeric.method(numeric.binop(ast.Mult(), rounded, 8), "int", [], {})
    listed = numeric.method(widths, "tolist", [], {})

    theirs = torch.arange(depth) * w_a + w_0
    t_capacity = torch.round(torch.log(theirs / w_0) / math.log(w_m))
    t_widths = (torch.round(torch.divide(w_0 * torch.pow(w_m, t_capacity), 8)) * 8).int()
    _same(ours, theirs)
    _same(capacity, t_capacity)
    _same(widths, t_widths)
    assert isinstance(listed, ListVal) and listed.items == t_widths.tolist()
    steps = numeric.call("diff", [numeric.call("tensor", [ListVal([0, 1, 4, 10, 16])], {})], {})
    _same(steps, torch.diff(torch.tensor([0, 1, 4, 10, 16])))


_OPS = [ast.Add(), ast.Sub(), ast.Mult(), ast.Div()]
_TORCH_OPS = [lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-50, 50), min_size=1, max_size=6),
    st.one_of(st.integers(-9, 9), st.floats(-100, 100, allow_nan=False, width=32)),
    st.integers(0, 3),
    st.booleans(),
)
def test_arithmetic_and_rounding_match_torch(
    items: list[int], scalar: float, op: int, floating: bool
) -> None:
    base = numeric.call("tensor", [ListVal([float(i) / 4 if floating else i for i in items])], {})
    t_base = torch.tensor([float(i) / 4 if floating else i for i in items])
    if op == 3 and scalar == 0:
        return
    ours = numeric.binop(_OPS[op], base, scalar)
    theirs = _TORCH_OPS[op](t_base, scalar)
    if ours is UNKNOWN:
        return
    _same(ours, theirs)
    for name, fn in (("round", torch.round), ("log", torch.log)):
        if name == "log" and not bool((theirs > 0).all()):
            continue
        out = numeric.call(name, [ours], {})
        if out is not UNKNOWN:
            assert isinstance(out, Numbers)
            expected = fn(theirs)
            if name == "log":  # torch's log may be an ulp away; lint rounds it itself
                assert out.values == pytest.approx(expected.tolist(), rel=1e-6)
            else:
                _same(out, expected)
    truncated = numeric.method(ours, "int", [], {})
    if truncated is not UNKNOWN:
        _same(truncated, theirs.int())


def test_near_a_tie_is_unknown() -> None:
    x = numeric.call("tensor", [ListVal([2.4999, 0.5001])], {})
    assert numeric.call("round", [x], {}) is UNKNOWN
    assert numeric.method(numeric.binop(ast.Add(), x, 0.49995), "int", [], {}) is UNKNOWN
    assert numeric.call("arange", [10**6], {}) is UNKNOWN  # too long to keep
