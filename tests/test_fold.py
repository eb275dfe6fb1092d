"""nn.Unfold / F.unfold and nn.Fold / F.fold: the engine against CPU torch.

Every expectation comes from torch at test time (``check_agrees_warns`` runs the oracle);
the error code in each case only says which rule the case is meant to exercise.
"""

from __future__ import annotations

import dataclasses

import pytest
from conftest import check_agrees_warns
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convshape.core import errors as E
from convshape.core.arithmetic import conv_out
from convshape.core.engine import infer_spec
from convshape.core.shapes import Shape
from convshape.ops import Fold, Spec, Unfold

FoldSpec = Unfold | Fold

pytest.importorskip("torch")

U = Unfold.make
F = Fold.make

# (spec, input shape, error code the case exercises or None for a valid layer)
UNFOLD_CASES: list[tuple[FoldSpec, Shape, str | None]] = [
    # ---- valid ----
    (U(3), (2, 3, 10, 12), None),
    (U(3, functional=True), (3, 10, 12), None),  # unbatched
    (U(3), (0, 3, 10, 12), None),  # zero batch
    (U(3, padding=7), (2, 3, 10, 12), None),  # padding beyond half the kernel is fine
    (U((2, 3), dilation=(2, 3), padding=(1, 2), stride=(2, 3)), (2, 3, 10, 12), None),
    (U((10, 1), functional=True), (1, 1, 10, 1), None),
    # ---- parameter lengths, in torch's order ----
    (U((3, 3, 3)), (2, 3, 10, 12), "CS501"),
    (U((3,), dilation=()), (2, 3, 10, 12), "CS501"),
    (U(3, dilation=(1, 1, 1), padding=(1,)), (2, 3, 10, 12), "CS501"),
    (U(3, padding=(1,), stride=()), (2, 3, 10, 12), "CS501"),
    (U(3, stride=()), (2, 3, 10, 12), "CS501"),
    (U((3, 3, 3), stride=0), (2, 3, 10, 12), "CS501"),  # lengths before values
    # ---- values: kernel, dilation, padding, stride ----
    (U(0), (2, 3, 10, 12), "CS122"),
    (U((3, -1), dilation=0, padding=-1, stride=0), (2, 3, 10, 12), "CS122"),
    (U(3, dilation=(-1, 2), padding=-1, stride=0), (2, 3, 10, 12), "CS118"),
    (U(3, padding=(0, -2), stride=0), (2, 3, 10, 12), "CS502"),
    (U(3, stride=(1, -1)), (2, 3, 10, 12), "CS327"),
    (U(0), (2,), "CS122"),  # before the input is looked at
    # ---- input: size(1) and size(2) are read first ----
    (U(3), (10, 12), "CS130"),
    (U(3), (12,), "CS130"),
    (U(3), (), "CS323"),
    (U(3), (3, 0), "CS604"),  # size(1) == 0 short-circuits the size(2) read
    (U(3), (2, 3, 5, 5, 5), "CS604"),
    (U(3), (2, 0, 10, 12), "CS604"),
    (U(3), (2, 3, 10, 0), "CS604"),
    (U(3), (0, 10, 12), "CS604"),
    (U(3), (2, -1, 10, 12), "CS127"),
    # ---- sliding blocks ----
    (U((11, 3)), (2, 3, 10, 12), "CS503"),
    (U((3, 13), functional=True), (3, 10, 12), "CS503"),
    (U(3, dilation=6), (2, 3, 10, 12), "CS503"),  # (-2, 0): floor division
]

FOLD_CASES: list[tuple[FoldSpec, Shape, str | None]] = [
    # ---- valid ----
    (F((6, 7), 3), (2, 27, 20), None),
    (F((6, 7), 3, functional=True), (27, 20), None),  # unbatched
    (F((6, 7), 3), (0, 27, 20), None),  # zero batch
    (F((6, 7), 3, padding=1, stride=2, dilation=2), (1, 9, 6), None),
    (F((4, 5), (2, 1), stride=(2, 1)), (1, 6, 10), None),
    (F((1, 1), 1, padding=(2, 0)), (2, 1, 5), None),
    # ---- parameter lengths, in torch's order ----
    (F((6, 7, 8), 3), (2, 27, 20), "CS501"),
    (F((6,), (3, 3, 3)), (2, 27, 20), "CS501"),
    (F((6, 7), (3, 3, 3), dilation=(1,)), (2, 27, 20), "CS501"),
    (F((6, 7), 3, dilation=(1,), padding=(1,)), (2, 27, 20), "CS501"),
    (F((6, 7), 3, padding=(1,), stride=()), (2, 27, 20), "CS501"),
    (F((6, 7), 3, stride=(1, 1, 1)), (2, 27, 20), "CS501"),
    # ---- values: kernel, stride, dilation, padding ----
    (F((6, 7), 0, stride=0), (2, 27, 20), "CS122"),
    (F((6, 7), (3, -1)), (2, 27, 20), "CS122"),
    (F((6, 7), 3, stride=0, dilation=0), (2, 27, 20), "CS327"),
    (F((6, 7), 3, dilation=(0, 1), padding=-1), (2, 27, 20), "CS118"),
    (F((6, 7), 3, padding=(-1, 0)), (2, 27, 20), "CS502"),
    (F((6, 7), 3, padding=-1), (27,), "CS502"),  # before the input is looked at
    # ---- input rank and emptiness ----
    (F((6, 7), 3), (27,), "CS504"),
    (F((6, 7), 3), (), "CS504"),
    (F((6, 7), 3), (1, 2, 27, 20), "CS504"),
    (F((6, 7), 3), (2, 0, 20), "CS504"),
    (F((6, 7), 3), (2, 27, 0), "CS504"),
    (F((6, 7), 3), (0, 20), "CS504"),  # unbatched: no zero channels
    (F((6, 7), 3), (0, 0, 20), "CS504"),
    # ---- channels, block count, positivity ----
    (F((6, 7), 3), (2, 28, 20), "CS505"),
    (F((6, 7), 3), (28, 21), "CS505"),  # unbatched, still "dimension 1"
    (F((6, 7), (7, 3), padding=1), (2, 27, 20), "CS505"),
    (F((6, 7), 3), (2, 27, 21), "CS506"),
    (F((2, 7), 3), (2, 27, 20), "CS506"),  # 0 * 5 = 0
    (F((-1, 7), 3), (2, 27, 20), "CS506"),  # -3 * 5 = -15
    (F((1, 1), 3, dilation=3), (2, 27, 16), "CS506"),  # -5 * -5 = 25
    (F((6, 7), 3, padding=1, stride=2, dilation=2), (2, 27, 20), "CS506"),
    (F((2, 2), 3, dilation=3, padding=1), (2, 27, 4), "CS507"),  # -2 * -2 = 4 matches
    (F((-6, -6), 3), (27, 64), "CS507"),
    (F((-1, 7), 1, padding=(1, 0)), (2, 3, 7), "CS508"),
    (F((0, 7), 1, padding=(1, 0), functional=True), (3, 14), "CS508"),
]


def _case_id(case: tuple[FoldSpec, Shape, str | None]) -> str:
    spec, shape, code = case
    return f"{spec.op}-{'F' if spec.functional else 'nn'}-{shape}-{code or 'ok'}"


@pytest.mark.parametrize(("spec", "shape", "code"), UNFOLD_CASES, ids=map(_case_id, UNFOLD_CASES))
def test_unfold_agrees_with_torch(spec: Spec, shape: Shape, code: str | None) -> None:
    result = check_agrees_warns(spec, shape)
    assert (result.error.code if result.error else None) == code


@pytest.mark.parametrize(("spec", "shape", "code"), FOLD_CASES, ids=map(_case_id, FOLD_CASES))
def test_fold_agrees_with_torch(spec: Spec, shape: Shape, code: str | None) -> None:
    result = check_agrees_warns(spec, shape)
    assert (result.error.code if result.error else None) == code


def test_every_fold_kind_is_exercised() -> None:
    used = {code for _, _, code in UNFOLD_CASES + FOLD_CASES}
    for kind in E.KINDS.values():
        if kind.family == E.FOLD:
            assert kind.code in used, f"no test case for {kind.code} {kind.name}"


def test_module_and_functional_agree_on_every_case() -> None:
    for spec, shape, _ in UNFOLD_CASES + FOLD_CASES:
        other = dataclasses.replace(spec, functional=not spec.functional)
        a, b = infer_spec(spec, shape), infer_spec(other, shape)
        assert (a.output, a.error and a.error.message) == (b.output, b.error and b.error.message)


def test_unfold_then_fold_round_trips_the_shape() -> None:
    unfolded = check_agrees_warns(U(3, padding=1, stride=2), (2, 4, 9, 11))
    assert unfolded.output == (2, 36, 30)
    assert [(a.name, a.output) for a in unfolded.axes] == [("H", 5), ("W", 6)]
    folded = check_agrees_warns(F((9, 11), 3, padding=1, stride=2), unfolded.output)
    assert folded.output == (2, 4, 9, 11)


# ---------------------------------------------------------------------------------------
# Property tests: random valid and invalid configurations against torch
# ---------------------------------------------------------------------------------------


def _pair(draw: st.DrawFn, lo: int, hi: int, edge: tuple[int, ...]) -> tuple[int, ...]:
    """Mostly two values in ``lo..hi``; sometimes an edge value or a wrong length."""
    values = st.sampled_from([*range(lo, hi + 1)] * 6 + list(edge))
    length = draw(st.sampled_from([2] * 48 + [0, 1, 3]))
    return tuple(draw(values) for _ in range(length))


def _input(draw: st.DrawFn, core: Shape) -> Shape:
    """A batch in front most of the time; now and then a zero, a wrong rank."""
    batch = draw(st.sampled_from([1, 2, 3, 0]))
    u = draw(st.integers(0, 19))
    if u < 3:
        return core  # unbatched
    if u == 3:
        return core[1:]
    if u == 4:
        return (batch, 1, *core)
    if u == 5:
        return (batch, *(0 if draw(st.booleans()) else v for v in core))
    return (batch, *core)


@st.composite
def unfold_layers(draw: st.DrawFn) -> tuple[Unfold, Shape]:
    spec = Unfold(
        _pair(draw, 1, 4, (0, -1)),
        _pair(draw, 1, 3, (0, -1)),
        _pair(draw, 0, 2, (-1, 5)),
        _pair(draw, 1, 3, (0, -1)),
        functional=draw(st.booleans()),
    )
    size = st.integers(1, 12)
    return spec, _input(draw, (draw(st.integers(1, 4)), draw(size), draw(size)))


@st.composite
def fold_layers(draw: st.DrawFn) -> tuple[Fold, Shape]:
    spec = Fold(
        _pair(draw, 1, 12, (0, -1, -6)),
        _pair(draw, 1, 4, (0, -1)),
        _pair(draw, 1, 3, (0, -1)),
        _pair(draw, 0, 2, (-1, 3)),
        _pair(draw, 1, 3, (0, -1)),
        functional=draw(st.booleans()),
    )
    taps = 1
    for k in spec.kernel_size:
        taps *= k
    channels = (
        draw(st.integers(1, 3)) * taps if draw(st.integers(0, 4)) else draw(st.integers(1, 30))
    )
    length = draw(st.integers(1, 40))
    lists = (spec.output_size, spec.kernel_size, spec.dilation, spec.padding, spec.stride)
    if draw(st.integers(0, 3)) and all(len(v) == 2 for v in lists) and min(spec.stride) > 0:
        length = 1
        for i in range(2):
            o, k, d, p, s = (v[i] for v in lists)
            length *= conv_out(o, k, s, p, d)
    return spec, _input(draw, (abs(channels), abs(length)))


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(unfold_layers())
def test_random_unfold_layers_agree_with_torch(case: tuple[Unfold, Shape]) -> None:
    check_agrees_warns(*case)


@PROPERTY
@given(fold_layers())
def test_random_fold_layers_agree_with_torch(case: tuple[Fold, Shape]) -> None:
    check_agrees_warns(*case)
