"""Max / average / LP pooling and adaptive pooling: the engine against CPU torch.

Every expectation comes from torch at test time (``check_agrees_warns`` runs the oracle);
the error code in each case only says which rule the case is meant to exercise.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
from conftest import check_agrees_warns
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convshape.core import errors as E
from convshape.core.engine import infer_spec
from convshape.core.shapes import Shape
from convshape.ops import AdaptivePool, Pool, Spec

PoolSpec = Pool | AdaptivePool

torch = pytest.importorskip("torch")

INF = float("inf")


def P(kind: str, dims: int, kernel: int | tuple[int, ...], **kw: object) -> Pool:
    return Pool.make(kind, dims, kernel, **kw)  # type: ignore[arg-type]


def A(
    kind: str, dims: int, size: int | tuple[int | None, ...] | None, **kw: object
) -> AdaptivePool:
    return AdaptivePool.make(kind, dims, size, **kw)  # type: ignore[arg-type]


# (spec, input shape, error code the case exercises or None for a valid layer)
POOL_CASES: list[tuple[PoolSpec, Shape, str | None]] = [
    # ---- valid layers: every op, module and functional, unbatched, zero batch ----
    (P("max", 1, 3), (2, 3, 10), None),
    (P("max", 1, 3, functional=True), (3, 10), None),  # unbatched
    (P("max", 1, 3, stride=2, padding=1, dilation=2), (0, 3, 11), None),  # zero batch
    (P("max", 1, 2, stride=2, padding=1, ceil_mode=True), (1, 1, 5), None),  # last window dropped
    (P("max", 1, 3, stride=2, ceil_mode=True), (1, 1, 6), None),  # partial window kept
    (P("max", 1, 3, return_indices=True), (2, 3, 10), None),  # the 2-d path
    (P("max", 1, 4, stride=3, padding=2, return_indices=True, ceil_mode=True), (3, 9), None),
    (P("max", 2, 3), (2, 3, 10, 10), None),
    (P("max", 2, (2, 3), stride=(1, 2), padding=(1, 0), dilation=(2, 1)), (3, 7, 9), None),
    (P("max", 2, 2, stride=2, padding=1, ceil_mode=True, functional=True), (1, 1, 5, 6), None),
    (P("max", 2, 3, return_indices=True, functional=True), (0, 2, 6, 6), None),
    (P("max", 3, 2), (1, 2, 4, 6, 8), None),
    (
        P("max", 3, (1, 2, 3), stride=(1, 1, 2), padding=(0, 1, 1), dilation=(1, 2, 1)),
        (2, 3, 4, 5),
        None,
    ),
    (
        P("max", 3, 3, stride=2, padding=1, ceil_mode=True, return_indices=True),
        (1, 1, 5, 5, 5),
        None,
    ),
    (P("avg", 1, 3), (2, 3, 10), None),
    (P("avg", 1, 4, stride=3, padding=2, ceil_mode=True, functional=True), (3, 10), None),
    (P("avg", 1, 3, count_include_pad=False, padding=1), (0, 2, 5), None),
    (P("avg", 2, 3, divisor_override=2), (2, 3, 8, 8), None),
    (P("avg", 2, (2, 4), stride=(2, 1), padding=(1, 2), divisor_override=-1), (3, 5, 5), None),
    (P("avg", 2, 2, stride=2, padding=1, ceil_mode=True, functional=True), (1, 1, 5, 5), None),
    (P("avg", 3, 2, divisor_override=3), (1, 2, 4, 6, 8), None),
    (
        P("avg", 3, (1, 2, 3), stride=(2, 1, 1), padding=(0, 1, 1), ceil_mode=True),
        (2, 3, 4, 5),
        None,
    ),
    (P("avg", 3, 3, functional=True), (0, 2, 3, 3, 3), None),
    (P("lp", 1, 3), (2, 3, 10), None),
    (P("lp", 1, 3, stride=2, ceil_mode=True, norm_type=1.0, functional=True), (3, 10), None),
    (P("lp", 2, 3, norm_type=INF), (2, 3, 7, 7), None),  # max_pool path
    (P("lp", 2, (2, 3), stride=(1, 2), norm_type=-INF, functional=True), (3, 7, 7), None),
    (P("lp", 2, 2, stride=1, ceil_mode=True), (0, 3, 4, 5), None),
    (P("lp", 3, 2, norm_type=3.0), (1, 2, 4, 4, 4), None),
    (P("lp", 1, 3, norm_type=INF), (2, 3, 10), None),
    (P("lp", 2, 3, padding=1, dilation=2), (1, 1, 6, 6), None),  # padding/dilation ignored
    # ---- max_pool1d without indices (MaxPooling.cpp) ----
    (P("max", 1, 3), (10,), "CS301"),
    (P("max", 1, 3), (2, 3, 4, 10), "CS301"),
    (P("max", 1, 3), (2, 0, 10), "CS301"),
    (P("max", 1, 3), (2, 3, 0), "CS301"),
    (P("max", 1, 3), (0, 10), "CS301"),  # unbatched: no zero channels
    (P("max", 1, (3, 3)), (2, 3, 10), "CS302"),
    (P("max", 1, 3, stride=(1, 1)), (2, 3, 10), "CS303"),
    (P("max", 1, 3, padding=(1, 1)), (2, 3, 10), "CS304"),
    (P("max", 1, 3, dilation=()), (2, 3, 10), "CS305"),
    (P("max", 1, 0), (2, 3, 10), "CS306"),
    (P("max", 1, 3, stride=-1), (2, 3, 10), "CS307"),
    (P("max", 1, 3, padding=-1), (2, 3, 10), "CS308"),
    (P("max", 1, 3, padding=2, dilation=3), (2, 3, 10), "CS309"),  # plain kernel
    (P("max", 1, 3, dilation=0), (2, 3, 10), "CS310"),
    (P("max", 1, 12), (2, 3, 10), "CS311"),
    (P("max", 1, 5, dilation=3, stride=2), (2, 3, 10), "CS311"),
    # ---- max_pool1d with indices / avg_pool1d: check1d, then the 2-d view ----
    (P("max", 1, 3, return_indices=True), (10,), "CS312"),
    (P("avg", 1, 3), (2, 3, 4, 10), "CS312"),
    (P("avg", 1, 3, functional=True), (), "CS312"),
    (P("avg", 1, (3, 3)), (2, 3, 10), "CS313"),
    (P("avg", 1, 3, stride=(1, 1)), (2, 3, 10), "CS313"),
    (P("avg", 1, 3, padding=()), (2, 3, 10), "CS313"),
    (P("max", 1, 3, dilation=(1, 1), return_indices=True), (2, 3, 10), "CS313"),
    (P("avg", 1, 3), (2, 0, 10), "CS328"),  # printed as [2, 0, 1, 10]
    (P("max", 1, 3, return_indices=True), (3, 0), "CS328"),
    (P("avg", 1, 12), (2, 3, 10), "CS333"),  # (3x1x10) -> (3x1x0)
    (P("max", 1, 3, padding=2, return_indices=True), (2, 3, 10), "CS326"),
    (P("max", 1, 3, padding=2, dilation=3, return_indices=True), (2, 3, 10), "CS331"),
    (P("max", 1, -1, stride=1, return_indices=True), (2, 3, 10), "CS122"),  # kH: 1 kW: -1
    (P("avg", 1, 0), (2, 3, 10), "CS324"),  # stride defaults to the kernel: 0
    # ---- 2-d and 3-d parameter lengths ----
    (P("max", 2, (3, 3, 3)), (2, 3, 10, 10), "CS314"),
    (P("max", 3, ()), (2, 3, 5, 5, 5), "CS314"),
    (P("avg", 2, 3, stride=(1, 1, 1)), (2, 3, 10, 10), "CS315"),
    (P("max", 3, 3, padding=(1, 1)), (2, 3, 5, 5, 5), "CS316"),
    (P("max", 2, 3, dilation=(1, 1, 1)), (2, 3, 10, 10), "CS317"),
    (P("max", 3, 3, dilation=()), (2, 3, 5, 5, 5), "CS317"),
    (P("avg", 3, (3, 3)), (2, 3, 5, 5, 5), "CS318"),
    (P("avg", 3, 3, stride=(1, 1)), (2, 3, 5, 5, 5), "CS319"),
    (P("avg", 3, 3, padding=(0, 0)), (2, 3, 5, 5, 5), "CS320"),
    (P("avg", 2, (3, 3, 3), divisor_override=0), (2, 3, 10, 10), "CS314"),  # lengths first
    # ---- divisor, rank ----
    (P("avg", 2, 3, divisor_override=0), (10, 10), "CS321"),  # before the IndexError
    (P("avg", 3, 3, divisor_override=0), (2, 3, 5, 5, 5), "CS321"),
    (P("avg", 3, 3, divisor_override=0), (3, 5, 5), "CS322"),  # rank before divisor
    (P("max", 2, 3), (10, 10), "CS322"),
    (P("max", 2, 3), (1, 2, 3, 10, 10), "CS322"),
    (P("max", 3, 3), (3, 5, 5), "CS322"),
    (P("avg", 3, 3), (1, 1, 2, 5, 5, 5), "CS322"),
    (P("avg", 2, 3), (10, 10), "CS130"),  # IndexError reading size(-3)
    (P("avg", 2, 3), (5,), "CS130"),
    (P("avg", 2, 3), (), "CS323"),
    (P("lp", 2, 3), (10, 10), "CS130"),
    (P("avg", 2, 3), (1, 2, 3, 10, 10), "CS328"),  # 5-d reaches the shape check
    (P("avg", 2, 3, stride=0), (1, 2, 3, 10, 10), "CS324"),  # ... after the output sizes
    # ---- pooling_output_shape, per axis in order ----
    (P("max", 2, 0), (2, 3, 10, 10), "CS324"),  # kernel 0: stride defaults to 0
    (P("max", 2, 3, stride=(1, 0)), (2, 3, 10, 10), "CS324"),
    (P("avg", 3, 3, padding=-1), (2, 3, 5, 5, 5), "CS325"),
    (P("max", 2, (3, 3), padding=(-1, 2)), (2, 3, 10, 10), "CS325"),  # H first
    (P("max", 2, (3, 3), padding=(2, -1)), (2, 3, 10, 10), "CS326"),
    (P("max", 2, 3, padding=2, dilation=-1), (2, 3, 10, 10), "CS326"),  # C++ truncation
    (P("max", 2, 0, stride=1, dilation=3), (2, 3, 10, 10), "CS326"),
    (P("max", 3, 3, padding=2), (2, 3, 5, 5, 5), "CS326"),
    # ---- pool2d_shape_check / pool3d_shape_check ----
    (P("max", 2, -1, stride=1), (2, 3, 10, 10), "CS122"),
    (P("avg", 2, (3, 0), stride=1), (2, 3, 10, 10), "CS122"),
    (P("max", 3, (2, 2, -1), stride=1), (2, 3, 5, 5, 5), "CS122"),
    (P("max", 2, 3, stride=(2, -1)), (2, 3, 10, 10), "CS327"),
    (P("avg", 3, 3, stride=-2), (2, 3, 5, 5, 5), "CS327"),
    (P("max", 2, 3, dilation=(1, 0)), (2, 3, 10, 10), "CS118"),
    (P("max", 3, 3, dilation=-1), (2, 3, 5, 5, 5), "CS118"),
    (P("max", 2, 3), (2, 0, 10, 10), "CS328"),
    (P("max", 2, 3), (0, 10, 10), "CS328"),
    (P("avg", 2, 3), (3, 10, 0), "CS328"),
    (P("max", 3, 3), (2, 0, 5, 5, 5), "CS329"),
    (P("max", 3, 3), (3, 5, 5, 0), "CS329"),
    (P("avg", 3, 3), (0, 5, 5, 5), "CS329"),
    (P("avg", 3, 3, padding=1), (1, 1, 2, 2, 2), "CS330"),  # ignores padding
    (P("avg", 3, (1, 2, 3), stride=(2, 3, 4)), (3, 5, 6, 2), "CS330"),
    (P("max", 2, (3, 6), padding=(2, 1), dilation=(2, 1)), (2, 3, 20, 20), "CS331"),
    (P("avg", 2, (4, 6), padding=(1, 3)), (2, 3, 20, 20), None),
    (P("max", 3, (3, 4, 6), padding=(2, 1, 1), dilation=2), (2, 3, 20, 20, 20), "CS332"),
    (P("max", 3, (3, 4, 6), padding=(1, 3, 1), dilation=2), (2, 3, 20, 20, 20), "CS332"),
    (P("max", 2, 12), (2, 3, 10, 10), "CS333"),
    (P("max", 2, (3, 4), stride=(2, 3), padding=(1, 2), dilation=(1, 9)), (3, 5, 6), "CS333"),
    (P("max", 3, (1, 2, 3), padding=(0, 1, 1), dilation=(1, 1, 9)), (3, 5, 6, 2), "CS333"),
    (P("avg", 3, 2, stride=3), (1, 1, 2, 2, 2), None),
    # ---- LP pooling: Python-side unpacking, norm 0 ----
    (P("lp", 2, (3,)), (2, 3, 10, 10), "CS334"),
    (P("lp", 3, (3, 3)), (2, 3, 5, 5, 5), "CS334"),
    (P("lp", 2, (3, 3, 3), functional=True), (2, 3, 10, 10), "CS335"),
    (P("lp", 2, (3, 3, 3), norm_type=INF), (2, 3, 10, 10), "CS335"),  # unpacks first
    (P("lp", 1, (3, 3)), (2, 3, 10), "CS313"),
    (P("lp", 2, 3, norm_type=0.0), (2, 3, 10, 10), "CS337"),
    (P("lp", 1, 3, norm_type=0.0, functional=True), (2, 3, 10), "CS337"),
    (P("lp", 2, 3, norm_type=0.0), (2, 3, 2, 2), "CS333"),  # pooling fails first
    (P("lp", 2, 3, norm_type=INF), (2, 3, 2, 2), "CS333"),
    (P("lp", 1, 3, norm_type=INF), (2, 3, 2), "CS311"),  # max_pool1d's own message
    (P("lp", 3, 3, stride=(1, 1)), (2, 3, 5, 5, 5), "CS319"),
    # ---- 32-bit window parameters (safe_downcast<int>), checked after each length ----
    (P("max", 2, 2**31), (1, 1, 4, 4), "CS338"),
    (P("avg", 2, 3, padding=(1, 2**31), divisor_override=0), (1, 1, 4, 4), "CS338"),
    (P("avg", 2, 3, stride=(1, 2**31)), (4, 4), "CS338"),  # before the IndexError
    (P("max", 3, 3, dilation=(1, 1, 2**31)), (1, 4, 4), "CS338"),  # before the rank
    (P("avg", 3, -(2**31) - 1, stride=(1, 1)), (1, 1, 4, 4, 4), "CS338"),
    (P("max", 1, 3, stride=2**31, return_indices=True), (1, 1, 4), "CS338"),
    (P("max", 2, (3, 3, 3), stride=2**31), (1, 1, 4, 4), "CS314"),  # lengths first
    (P("max", 2, 3, dilation=(-(2**31), 1)), (1, 1, 4, 4), "CS326"),  # in range
    (P("max", 1, 3, stride=2**31), (1, 1, 4), None),  # max_pool1d keeps 64-bit values
    # ---- negative input sizes never reach the op ----
    (P("max", 2, 3), (2, -1, 5, 5), "CS127"),
]

ADAPTIVE_CASES: list[tuple[PoolSpec, Shape, str | None]] = [
    # ---- valid ----
    (A("avg", 1, 3), (2, 3, 10), None),
    (A("avg", 1, 3, functional=True), (0, 3), None),  # unbatched, zero channels
    (A("avg", 1, 12), (2, 0, 10), None),  # bigger than the input, zero channels
    (A("avg", 1, 1), (2, 3, 0), None),  # (1, 1) mean shortcut: empty is fine
    (A("avg", 1, 0), (2, 3, 10), None),
    (A("max", 1, 3, return_indices=True), (2, 3, 10), None),
    (A("max", 1, 0, functional=True), (0, 10), None),
    (A("avg", 2, (None, 4)), (2, 3, 10, 10), None),
    (A("avg", 2, (1, 1)), (1, 2, 3, 0, 10), None),  # shortcut: any rank >= 3, empty ok
    (A("avg", 2, (1, None)), (3, 1, 1), None),  # None -> 1: the shortcut again
    (A("avg", 2, 5, functional=True), (2, 0, 4, 4), None),  # zero channels ok
    (A("avg", 2, 0), (3, 4, 4), None),
    (A("max", 2, (None, 2), return_indices=True), (0, 3, 4, 5), None),
    (A("max", 2, 3, functional=True), (0, 10, 10), None),  # unbatched C=0 allowed
    (A("avg", 3, (2, None, 1)), (2, 3, 4, 5, 6), None),
    (A("avg", 3, (1, 1, 1), functional=True), (1, 1, 2, 3, 0, 4, 5), None),
    (A("avg", 3, 2), (0, 4, 4, 4), None),  # unbatched C=0 allowed
    (A("max", 3, (3, 0, 3)), (1, 2, 3, 4, 5), None),
    (A("max", 3, 2, functional=True, return_indices=True), (0, 3, 4, 4, 4), None),
    # ---- Python side: argument parsing, _list_with_default ----
    (A("avg", 1, (None,)), (2, 3, 10), "CS402"),
    (A("max", 1, (None, 3), functional=True), (2, 3, 10), "CS402"),
    (A("avg", 1, (3, None)), (2, 3, 10), "CS403"),
    (A("max", 1, (3, 4, None)), (2, 3, 10), "CS403"),
    (A("avg", 2, (3, 3)), (10, 10), "CS401"),
    (A("avg", 2, (1, 1)), (10, 10), "CS401"),
    (A("max", 2, (None, None, None)), (3, 10, 10), "CS401"),
    (A("avg", 3, (2, 2, 2), functional=True), (4, 4, 4), "CS401"),
    (A("max", 3, (1, 1, 1, 1)), (2, 3, 4, 4), "CS401"),
    # ---- adaptive_*_pool1d ----
    (A("avg", 1, 3), (10,), "CS312"),
    (A("max", 1, 3), (2, 3, 4, 10), "CS312"),
    (A("avg", 1, (3, 3)), (2, 3, 10), "CS313"),
    (A("max", 1, ()), (2, 3, 0), "CS313"),  # before the empty check
    (A("avg", 1, -1), (2, 3, 10), "CS405"),  # {1, -1}
    (A("avg", 1, -1), (2, 3, 0), "CS405"),
    (A("avg", 1, 3), (2, 3, 0), "CS408"),  # [2, 3, 1, 0] with dimension 3
    (A("avg", 1, 3), (3, 0), "CS408"),
    (A("max", 1, 3), (2, 0, 10), "CS408"),  # its own 1-d check: [2, 0, 10]
    (A("max", 1, -1), (2, 3, 0), "CS408"),
    (A("max", 1, -1), (2, 3, 5), "CS127"),  # [2, 3, 1, -1]
    (A("max", 1, -2, functional=True), (0, 5), "CS127"),
    # ---- adaptive_avg_pool2d / 3d ----
    (A("avg", 2, (3, 3, 3)), (2, 3, 10, 10), "CS404"),
    (A("avg", 2, ()), (2, 3, 10, 10), "CS404"),
    (A("avg", 3, (2, 2)), (2, 3, 4, 4, 4), "CS404"),
    (A("avg", 2, (-1, None)), (2, 3, 10, 10), "CS405"),
    (A("avg", 2, -1), (1, 2, 3, 10, 10), "CS405"),  # before the rank check
    (A("avg", 3, (2, 2, -2)), (2, 3, 4, 4, 4), "CS405"),  # {2, 2,-2}
    (A("avg", 2, 3), (1, 2, 3, 10, 10), "CS406"),
    (A("avg", 2, 3), (1, 2, 0, 10, 10), "CS406"),
    (A("avg", 3, 3), (1, 2, 3, 4, 4, 4), "CS406"),
    (A("avg", 3, 3), (0, 2, 3, 4, 4, 1), "CS406"),
    (A("avg", 3, 3), (1, 2, 3, 4, 4, 0), "CS408"),  # 3-d: empty check before rank
    (A("avg", 2, 3), (2, 3, 0, 0), "CS408"),
    (A("avg", 2, (None, None)), (3, 4, 0), "CS408"),
    (A("avg", 3, 3), (2, 0, 4, 4, 4), "CS408"),  # 3-d checks channels too
    (A("avg", 3, 3), (3, 0, 4, 4), "CS408"),
    # ---- adaptive_max_pool2d / 3d ----
    (A("max", 2, 3), (1, 2, 3, 10, 10), "CS407"),
    (A("max", 2, (1, 1, 1)), (1, 0, 3, 10, 10), "CS407"),
    (A("max", 3, 3, functional=True), (1, 0, 3, 4, 4, 4), "CS407"),
    (A("max", 2, 3), (2, 0, 10, 10), "CS408"),
    (A("max", 2, -1), (3, 10, 0), "CS408"),  # before the negative size
    (A("max", 3, 3), (3, 4, 4, 0), "CS408"),
    (A("max", 2, (1, 1, 1)), (0, 0, 10, 10), "CS408"),  # before the length check
    (A("max", 2, (3, 3, 3)), (2, 3, 10, 10), "CS409"),
    (A("max", 3, ()), (2, 3, 4, 4, 4), "CS409"),
    (A("max", 2, (-2, -1)), (2, 3, 5, 5), "CS127"),
    (A("max", 3, (3, -2, -1), functional=True), (3, 5, 5, 5), "CS127"),
    (A("max", 2, -1), (0, 10, 10), "CS127"),
]


def _case_id(case: tuple[PoolSpec, Shape, str | None]) -> str:
    spec, shape, code = case
    return f"{spec.op}-{'F' if spec.functional else 'nn'}-{shape}-{code or 'ok'}"


@pytest.mark.parametrize(("spec", "shape", "code"), POOL_CASES, ids=map(_case_id, POOL_CASES))
def test_pool_agrees_with_torch(spec: Spec, shape: Shape, code: str | None) -> None:
    result = check_agrees_warns(spec, shape)
    assert (result.error.code if result.error else None) == code


@pytest.mark.parametrize(
    ("spec", "shape", "code"), ADAPTIVE_CASES, ids=map(_case_id, ADAPTIVE_CASES)
)
def test_adaptive_agrees_with_torch(spec: Spec, shape: Shape, code: str | None) -> None:
    result = check_agrees_warns(spec, shape)
    assert (result.error.code if result.error else None) == code


def test_every_pool_and_adaptive_kind_is_exercised() -> None:
    """Each error kind of the pool and adaptive families has a case above."""
    used = {code for _, _, code in POOL_CASES + ADAPTIVE_CASES}
    variant_only = {E.UNPACK_TOO_MANY_COUNTED.code}  # Python >= 3.14's wording
    for kind in E.KINDS.values():
        if kind.family in (E.POOL, E.ADAPTIVE) and kind.code not in variant_only:
            assert kind.code in used, f"no test case for {kind.code} {kind.name}"


def test_module_and_functional_agree_on_every_case() -> None:
    """The module and functional forms give the same answer for each case above."""
    for spec, shape, _ in POOL_CASES + ADAPTIVE_CASES:
        other = dataclasses.replace(spec, functional=not spec.functional)
        a, b = infer_spec(spec, shape), infer_spec(other, shape)
        assert (a.output, a.error and a.error.message) == (b.output, b.error and b.error.message)


def test_axes_show_the_output_sizes() -> None:
    result = check_agrees_warns(P("max", 2, (2, 3), stride=(2, 1), padding=(1, 1)), (1, 1, 7, 8))
    assert result.output is not None
    assert [a.output for a in result.axes] == list(result.output[-2:])
    assert [a.name for a in result.axes] == ["H", "W"]
    one_d = check_agrees_warns(P("avg", 1, 3, stride=2), (2, 3, 9))
    assert [(a.name, a.output) for a in one_d.axes] == [("L", 4)]  # no (1, L) view axis
    adaptive = check_agrees_warns(A("avg", 3, (2, None, 1)), (1, 1, 5, 6, 7))
    assert [a.output for a in adaptive.axes] == [2, 6, 1]


def test_ceil_mode_drops_a_window_starting_in_the_right_padding() -> None:
    spec = P("max", 1, 2, stride=2, padding=1, ceil_mode=True)
    result = check_agrees_warns(spec, (1, 1, 5))
    assert result.output == (1, 1, 3)
    assert any("drops it" in note for note in result.axes[0].notes)


def _torch_error(fn: object) -> tuple[str, str]:
    try:
        fn()  # type: ignore[operator]
    except Exception as exc:
        return type(exc).__name__, str(exc)
    raise AssertionError("torch did not raise")


@pytest.mark.parametrize(
    ("kind", "dims", "value", "shape"),
    [
        ("avg", 2, 5, (10, 10)),
        ("max", 2, 3, (10, 10)),
        ("avg", 3, 2, (0, 4, 4)),
        ("max", 3, 2, (4, 4, 4)),
    ],
)
def test_int_output_size_skips_the_python_rank_check(
    kind: str, dims: int, value: int, shape: Shape
) -> None:
    """``AdaptiveAvgPool2d(5)`` skips the Python rank check ``AdaptiveAvgPool2d((5, 5))`` makes,
    so the two forms fail differently; the spec records which one the user wrote."""
    scalar = check_agrees_warns(A(kind, dims, value), shape)
    assert scalar.error is not None and scalar.error.code != E.ADAPTIVE_INPUT_DIMENSION.code
    as_tuple = check_agrees_warns(A(kind, dims, (value,) * dims), shape)
    assert as_tuple.error is not None and as_tuple.error.code == E.ADAPTIVE_INPUT_DIMENSION.code
    cls = getattr(torch.nn, f"Adaptive{kind.capitalize()}Pool{dims}d")
    exc, message = _torch_error(lambda: cls(value)(torch.empty(shape)))
    assert scalar.error.matches(exc, message)


def test_engine_modules_do_not_import_torch() -> None:
    code = "import sys, convshape.ops.pool, convshape.ops.fold; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------
# Property tests: random valid and invalid configurations against torch
# ---------------------------------------------------------------------------------------


def _values(lo: int, hi: int, edge: tuple[int, ...]) -> st.SearchStrategy[int]:
    """Mostly ``lo..hi``, sometimes an edge value (zero, negative)."""
    return st.sampled_from([*range(lo, hi + 1)] * 4 + list(edge))


def _params(
    draw: st.DrawFn, n: int, values: st.SearchStrategy[int], empty: bool = False
) -> tuple[int, ...]:
    lengths = [n] * 14 + [1] * 4 + [n + 1, max(n - 1, 0)] + ([0] * 4 if empty else [0])
    length = draw(st.sampled_from(lengths))
    if length > 1 and draw(st.booleans()):
        return (draw(values),) * length
    return tuple(draw(values) for _ in range(length))


def _shape(draw: st.DrawFn, n: int) -> Shape:
    rank = n + draw(st.sampled_from([2] * 6 + [1] * 4 + [0, -1, 3]))
    dims = st.sampled_from([*range(1, 13)] * 3 + [0])
    return tuple(draw(dims) for _ in range(max(rank, 0)))


@st.composite
def pool_layers(draw: st.DrawFn) -> tuple[Pool, Shape]:
    kind = draw(st.sampled_from(["max", "avg", "lp"]))
    n = draw(st.sampled_from([1, 2, 3]))
    spec = Pool(
        kind,  # type: ignore[arg-type]
        n,
        kernel_size=_params(draw, n, _values(1, 5, (0, -1))),
        stride=_params(draw, n, _values(1, 4, (0, -1, 2**31)), empty=True),
        padding=_params(draw, n, _values(0, 2, (-1, 3, 2**31))),
        dilation=_params(draw, n, _values(1, 3, (0, -1))),
        ceil_mode=draw(st.booleans()),
        return_indices=draw(st.booleans()),
        count_include_pad=draw(st.booleans()),
        divisor_override=draw(st.sampled_from([None, None, None, 2, 0, -1])),
        norm_type=draw(st.sampled_from([2.0, 2.0, 1.0, INF, -INF, 0.0])),
        functional=draw(st.booleans()),
    )
    return spec, _shape(draw, n)


@st.composite
def adaptive_layers(draw: st.DrawFn) -> tuple[AdaptivePool, Shape]:
    kind = draw(st.sampled_from(["avg", "max"]))
    n = draw(st.sampled_from([1, 2, 3]))
    entry = st.sampled_from([None, -1, 0, *([1] * 3), 2, 3, 5, 13])
    length = draw(st.sampled_from([n] * 8 + [0, n + 1, max(n - 1, 1)]))
    size = tuple(draw(entry) for _ in range(length))
    scalar = bool(size) and size[0] is not None and draw(st.integers(0, 4)) == 0
    spec = AdaptivePool(
        kind,  # type: ignore[arg-type]
        n,
        (size[0],) * n if scalar else size,
        return_indices=draw(st.booleans()),
        functional=draw(st.booleans()),
        scalar=scalar,
    )
    shape = _shape(draw, n) if draw(st.integers(0, 9)) else _shape(draw, n + 1)
    return spec, shape


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(pool_layers())
def test_random_pool_layers_agree_with_torch(case: tuple[Pool, Shape]) -> None:
    check_agrees_warns(*case)


@PROPERTY
@given(adaptive_layers())
def test_random_adaptive_layers_agree_with_torch(case: tuple[AdaptivePool, Shape]) -> None:
    check_agrees_warns(*case)
