"""Convolution and transposed convolution: the engine against CPU torch."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from conftest import check_agrees
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convshape.features import fuzz
from convshape.ops import Conv, ConvCall, Spec

C = Conv.make
F = ConvCall.make

# (spec, input shape, expected error code or None for a valid layer)
CASES: list[tuple[Spec, tuple[int, ...], str | None]] = [
    # valid layers, every dimensionality, unbatched, zero batch/channels
    (C(1, 4, 8, 3), (2, 4, 10), None),
    (C(2, 16, 32, 3, padding=1, stride=2), (20, 16, 50, 100), None),
    (C(3, 2, 4, (1, 3, 3), padding=(0, 1, 1)), (1, 2, 4, 8, 8), None),
    (C(2, 4, 8, 3), (4, 10, 10), None),
    (C(2, 4, 8, 3), (0, 4, 10, 10), None),
    (F(2, (8, 0, 3, 3)), (2, 0, 5, 5), None),
    (C(2, 8, 8, 3, groups=8), (1, 8, 6, 6), None),  # depthwise
    (C(2, 4, 6, (2, 4), padding="same", dilation=(1, 3)), (2, 4, 9, 9), None),
    (C(1, 4, 6, 4, padding="same"), (2, 4, 9), None),  # even kernel: asymmetric
    (C(2, 4, 6, 3, padding="valid"), (2, 4, 9, 9), None),
    (C(2, 4, 6, 3, padding=2, padding_mode="reflect"), (2, 4, 5, 5), None),
    (C(2, 4, 6, 3, padding=2, padding_mode="replicate"), (2, 4, 5, 5), None),
    (C(2, 4, 6, 3, padding=(1, 2), padding_mode="circular"), (2, 4, 5, 5), None),
    (C(3, 2, 2, 3, padding="same", padding_mode="reflect"), (1, 2, 4, 4, 4), None),
    (C(2, 8, 4, 3, stride=2, padding=1, output_padding=1, transposed=True), (1, 8, 5, 5), None),
    (C(1, 4, 4, 3, stride=3, transposed=True, output_size=(16,)), (2, 4, 5), None),
    (C(2, 4, 4, 3, stride=2, transposed=True, output_size=(2, 4, 12, 12)), (2, 4, 5, 5), None),
    (F(2, (4, 3, 3, 3), stride=2, groups=2, transposed=True), (1, 4, 5, 5), None),
    # the error list
    (C(2, 6, 8, 3), (6, 8), "CS101"),  # wrong input rank
    (F(2, (12, 5, 3, 3), padding=1), (2, 6, 5, 5), "CS112"),  # channel mismatch (article)
    (F(2, (12, 2, 3, 3), groups=3), (2, 7, 5, 5), "CS112"),  # ... with groups
    (C(2, 4, 8, 3), (5, 5, 5), "CS112"),  # ... unbatched: torch prints [1, 5, 5, 5]
    (F(2, (13, 3, 3, 3), groups=2), (1, 6, 5, 5), "CS111"),  # groups not dividing
    (F(2, (1, 3, 3, 3), groups=2), (1, 6, 5, 5), "CS110"),
    (C(2, 6, 8, 3, groups=4), (1, 6, 5, 5), "CS702"),  # constructor form
    (C(2, 8, 6, 3, groups=4), (1, 8, 5, 5), "CS703"),
    (C(2, 8, 8, 3, groups=0), (1, 8, 5, 5), "CS701"),
    (F(2, (8, 4, 3, 3), (7,)), (1, 4, 5, 5), "CS113"),  # bias size
    (F(2, (8, 4, 3, 3), padding=-1), (1, 4, 5, 5), "CS105"),  # negative padding
    (F(2, (8, 4, 3, 3), stride=0), (1, 4, 5, 5), "CS107"),  # non-positive stride
    (F(2, (8, 4, 3, 3), dilation=-1), (1, 4, 5, 5), "CS108"),  # bad dilation
    (F(2, (8, 4, 3, 3), dilation=0), (2, 4, 5, 5), "CS117"),  # dilation 0: oneDNN
    (F(2, (8, 4, 3, 3), dilation=0), (1, 4, 5, 5), "CS118"),  # ... slow kernel
    (C(2, 4, 8, 5), (1, 4, 3, 9), "CS115"),  # kernel larger than padded input
    (F(2, (8, 4, 3, 3), padding="same", stride=2), (1, 4, 5, 5), "CS123"),  # 'same', stride
    (C(2, 4, 8, 3, padding="same", stride=2), (1, 4, 5, 5), "CS705"),
    (F(2, (8, 4, 3, 3), padding="full"), (1, 4, 5, 5), "CS126"),
    (C(2, 4, 8, 3, padding="full"), (1, 4, 5, 5), "CS704"),
    (C(2, 4, 8, 3, padding_mode="mirror"), (1, 4, 5, 5), "CS706"),
    (C(2, 4, 8, 3, stride=2, output_padding=2, transposed=True), (1, 4, 5, 5), "CS205"),
    (C(2, 4, 8, 3, output_padding=1, transposed=True), (1, 4, 5, 5), "CS205"),
    (C(2, 4, 8, 1, padding=3, transposed=True), (1, 4, 5, 5), "CS203"),  # too small: THNN
    (C(2, 4, 8, 1, padding=3, transposed=True), (2, 4, 5, 5), "CS204"),  # ... oneDNN
    (C(1, 4, 8, 1, padding=3, transposed=True), (1, 4, 5), "CS203"),  # 1-d shows 2-d view
    (C(2, 4, 8, 3, stride=2, transposed=True, output_size=(20, 20)), (1, 4, 5, 5), "CS207"),
    (C(2, 4, 8, 3, transposed=True, output_size=(7, 7, 7)), (1, 4, 5, 5), "CS206"),
    (C(2, 4, 8, 3, transposed=True, padding_mode="reflect"), (1, 4, 5, 5), "CS208"),
    (C(2, 4, 8, 3, padding=5, padding_mode="reflect"), (1, 4, 5, 5), "CS602"),
    (C(2, 4, 8, 3, padding=6, padding_mode="circular"), (1, 4, 5, 5), "CS605"),
    (C(2, 4, 8, 3, padding=-3, padding_mode="replicate"), (1, 4, 5, 5), "CS603"),
    (C(2, 4, 8, 3, padding=1, padding_mode="reflect"), (4, 5), "CS601"),
    (C(2, 4, 8, 3, padding=1, padding_mode="reflect"), (1, 0, 5, 5), "CS604"),
    (F(2, (8, 4, 3, 3), stride=(1, 1, 1)), (1, 4, 5, 5), "CS104"),  # tuple length
    (C(2, 4, 8, (3, 3, 3)), (1, 4, 5, 5), "CS104"),
    (F(2, (8, 4, 3)), (1, 4, 5, 5), "CS104"),  # weight rank: a stride-length error
    (F(1, (8, 4)), (1, 4, 5), "CS102"),
    (F(2, (8, 4, 3, 3), groups=0), (1, 4, 5, 5), "CS103"),
    (F(1, (8, 4, 3, 3), stride=(1,), padding=(0,), dilation=(1,)), (1, 4, 5), "CS109"),
    (F(2, (8, 4, 3, 3), padding=2**62), (1, 4, 5, 5), "CS114"),
    (F(2, (8, 4, 1, 1), padding=1), (2, 4, 0, 5), "CS116"),
    (F(2, (8, 4, 0, 3)), (1, 4, 5, 5), "CS122"),
    (F(3, (8, 4, 0, 3, 3)), (1, 4, 5, 5, 5), "CS129"),
    (F(2, (8, 0, 3, 3), padding="same"), (1, 0, 5, 5), None),
    (F(2, (4, 8, 3, 3), (9,), transposed=True), (1, 4, 5, 5), "CS202"),
    (F(2, (4, 8, 3, 3), transposed=True), (1, 5, 5, 5), "CS201"),
    (F(2, (4, 8, 3, 3), padding=-1, transposed=True), (1, 4, 5, 5), "CS105"),
    (F(2, (4, 8, 3, 3), output_padding=-1, transposed=True), (1, 4, 5, 5), "CS106"),
    (C(2, -1, 8, 3), (1, 4, 5, 5), "CS127"),
]


@pytest.mark.parametrize(("spec", "shape", "code"), CASES)
def test_engine_agrees_with_torch(spec: Spec, shape: tuple[int, ...], code: str | None) -> None:
    result = check_agrees(spec, shape)
    assert (result.error.code if result.error else None) == code


def test_unbatched_channel_mismatch_prints_batch_of_one() -> None:
    result = check_agrees(Conv.make(2, 4, 8, 3), (5, 5, 5))
    assert result.error is not None
    assert "expected input[1, 5, 5, 5]" in result.error.message


# Run in a fresh interpreter: torch issues this warning once per process (TORCH_WARN_ONCE),
# so an earlier conv in this test session may already have used it up.
_EVEN_SAME_WARNINGS = """
import json, warnings
import torch
import torch.nn.functional as F
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    F.conv1d(torch.empty(2, 4, 9), torch.empty(4, 4, 4), None, padding="same")
print(json.dumps([str(w.message) for w in caught if issubclass(w.category, UserWarning)]))
"""


_TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\)$")


def test_same_with_even_kernel_warns_like_torch() -> None:
    pytest.importorskip("torch")
    result = check_agrees(ConvCall.make(1, (4, 4, 4), padding="same"), (2, 4, 9))
    assert result.output == (2, 4, 9)
    run = subprocess.run(
        [sys.executable, "-c", _EVEN_SAME_WARNINGS], capture_output=True, text=True, check=True
    )
    torch_warnings = tuple(json.loads(run.stdout.strip().splitlines()[-1]))
    assert torch_warnings, "torch no longer warns for padding='same' with an even kernel"
    # A warning raised in C++ ends with where the torch build raised it; convshape predicts
    # the warning itself (docs/json.md, "warnings").
    assert result.warnings == tuple(_TRIGGERED.sub("", w) for w in torch_warnings)


def _conv2d_message(batch: int, dtype: str, **kw: object) -> str:
    """The message CPU torch raises for F.conv2d on a (batch, 4, 5, 5) input of ``dtype``."""
    torch = pytest.importorskip("torch")
    dt = getattr(torch, dtype)
    x, w = torch.empty(batch, 4, 5, 5, dtype=dt), torch.empty(8, 4, 3, 3, dtype=dt)
    with pytest.raises(RuntimeError) as info:
        torch.nn.functional.conv2d(x, w, None, **kw)
    return str(info.value)


def test_dilation_zero_lists_both_backend_messages() -> None:
    result = check_agrees(ConvCall.make(2, (8, 4, 3, 3), dilation=0), (2, 4, 5, 5))
    assert result.error is not None
    messages = [m for _, m in result.error.messages()]
    onednn = _conv2d_message(2, "float32", dilation=0)  # float32, batch 2: oneDNN
    slow = _conv2d_message(2, "float64", dilation=0)  # float64: the slow kernel
    assert onednn != slow, "torch no longer has two backend messages for dilation 0"
    assert onednn in messages
    assert slow in messages


CONV_OPS = [f"conv{n}d" for n in (1, 2, 3)] + [f"conv_transpose{n}d" for n in (1, 2, 3)]


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), op=st.sampled_from(CONV_OPS))
def test_random_configurations_agree_with_torch(seed: int, op: str) -> None:
    ((spec, shape),) = fuzz.generate(1, seed, [op])
    check_agrees(spec, shape)
