"""The engine across every op it supports, against CPU torch: random valid and invalid layers."""

from __future__ import annotations

import subprocess
import sys

from conftest import check_agrees
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convshape.core.engine import infer_spec
from convshape.features import fuzz
from convshape.ops import ConvCall, Pool


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**32 - 1), op=st.sampled_from(sorted(fuzz.OPS)))
def test_every_op_agrees_with_torch(seed: int, op: str) -> None:
    ((spec, shape),) = fuzz.generate(1, seed, [op])
    check_agrees(spec, shape)


def test_fast_path_and_full_path_agree() -> None:
    """The fast path answers valid layers without the worked arithmetic; asking for the axes
    then works them out, and they end where the fast path's output does."""
    for spec, shape in [
        (ConvCall.make(2, (8, 4, 3, 3), padding=1, stride=2), (2, 4, 9, 7)),
        (Pool.make("max", 2, 3, 2, 1, ceil_mode=True), (1, 3, 8, 8)),
    ]:
        result = infer_spec(spec, shape)
        assert result.traced_axes is None  # answered by the fast path
        check_agrees(spec, shape)
        assert tuple(a.output for a in result.axes) == result.output[-2:]


def test_importing_convshape_never_imports_torch() -> None:
    code = "import sys, convshape, convshape.core.engine; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
