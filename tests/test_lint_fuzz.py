"""Random stacks, static lint against torch: no false positives, and the error torch hits
is the one lint reports, at the layer where torch hits it.

Each example is an ``nn.Sequential`` of random layers (channel counts sometimes matching,
sometimes not; arguments sometimes invalid) with a declared input. torch builds it layer
by layer and runs it in eval mode; lint reads the same text.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convshape.features.lint import lint_source
from convshape.features.lint.extract import DEBUG_ENV

torch = pytest.importorskip("torch")
pytestmark = pytest.mark.torch


@st.composite
def stacks(draw: st.DrawFn) -> tuple[tuple[int, ...], list[str]]:
    batch = draw(st.integers(1, 2))
    channels = draw(st.integers(1, 6))
    size = draw(st.integers(1, 24))
    shape = (batch, channels, size, size)
    layers: list[str] = []
    c: int | None = channels  # what the previous layer gives, when the stack is still 4-d
    features: int | None = None
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(
            st.sampled_from(
                ["conv", "conv", "bn", "relu", "pool", "avgpool", "adaptive", "tconv", "linear"]
            )
        )
        wrong = draw(st.integers(0, 5)) == 0
        cin = (c if c is not None else 4) + (draw(st.integers(1, 3)) if wrong else 0)
        if kind in ("conv", "tconv") and c is not None:
            cout = draw(st.integers(1, 8))
            k = draw(st.integers(1, 5))
            s = draw(st.integers(0, 3) if wrong else st.integers(1, 3))
            p = draw(st.integers(-1, 3) if wrong else st.integers(0, 2))
            g = draw(st.sampled_from([1, 1, 2]))
            if kind == "conv":
                pad = "'same'" if draw(st.integers(0, 6)) == 0 else str(p)
                mode = draw(st.sampled_from(["zeros", "zeros", "reflect", "circular"]))
                layers.append(
                    f"nn.Conv2d({cin}, {cout}, {k}, stride={s}, padding={pad}, groups={g}, "
                    f"padding_mode={mode!r})"
                )
            else:
                op = draw(st.integers(0, 2))
                layers.append(
                    f"nn.ConvTranspose2d({cin}, {cout}, {k}, stride={s}, padding={max(p, 0)}, "
                    f"output_padding={op}, groups={g})"
                )
            c = cout
        elif kind == "bn" and c is not None:
            layers.append(f"nn.BatchNorm2d({cin})")
        elif kind == "relu":
            layers.append("nn.ReLU()")
        elif kind in ("pool", "avgpool") and c is not None:
            k = draw(st.integers(1, 4))
            p = draw(st.integers(0, 3))
            name = "MaxPool2d" if kind == "pool" else "AvgPool2d"
            layers.append(f"nn.{name}({k}, stride={draw(st.integers(1, 3))}, padding={p})")
        elif kind == "adaptive" and c is not None:
            out = draw(st.integers(1, 3))
            layers.append(f"nn.AdaptiveAvgPool2d({out})")
            layers.append("nn.Flatten()")
            features = c * out * out
            c = None
        elif kind == "linear":
            fin = features if features is not None else draw(st.integers(1, 64))
            if wrong:
                fin += 1
            fout = draw(st.integers(1, 16))
            layers.append(f"nn.Linear({fin}, {fout})")
            features, c = fout, None
    return shape, layers


def _source(shape: tuple[int, ...] | None, layers: list[str]) -> str:
    body = "".join(f"    {layer},\n" for layer in layers)
    declared = "# convshape: input=" + ",".join(map(str, shape)) if shape else "# no input"
    return f"import torch.nn as nn\n\n{declared}\nnet = nn.Sequential(\n{body})\n"


def _torch_outcome(shape: tuple[int, ...], layers: list[str]) -> tuple[str, int, Exception] | None:
    """Where torch fails: ("build" or "run", the layer's index, the error)."""
    built: list[Any] = []
    for i, layer in enumerate(layers):
        try:
            built.append(eval(layer, {"nn": torch.nn}))  # test-side only
        except Exception as exc:
            return "build", i, exc
    x = torch.randn(shape)
    with torch.no_grad():
        for i, module in enumerate(built):
            module.eval()
            try:
                x = module(x)
            except Exception as exc:
                return "run", i, exc
    return None


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(stacks())
def test_static_lint_agrees_with_torch(case: tuple[tuple[int, ...], list[str]]) -> None:
    import os

    from convshape.features.explain import match_message

    os.environ[DEBUG_ENV] = "1"
    shape, layers = case
    source = _source(shape, layers)
    errors = [f for f in lint_source(source, "m.py") if f.severity == "error"]
    outcome = _torch_outcome(shape, layers)
    first_line = 5  # the first layer's line in _source
    if outcome is None:
        assert errors == [], (source, errors)
        return
    stage, index, exc = outcome
    line = first_line + index
    matched = match_message(str(exc), type(exc).__name__)
    assert matched is not None, (source, exc)
    at_line = [f.code for f in errors if f.line == line]
    assert matched[0].code in at_line, (source, exc, errors)
    if stage == "run":
        # every layer before it ran: lint must have nothing against them
        earlier = [f for f in errors if f.line < line]
        assert earlier == [], (source, exc, earlier)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(stacks())
def test_lint_without_input_never_contradicts_torch(
    case: tuple[tuple[int, ...], list[str]],
) -> None:
    """Without a declared input lint only says what holds for every input: run on a large
    input, torch must fail at or before each layer lint reports."""
    import os

    os.environ[DEBUG_ENV] = "1"
    shape, layers = case
    source = _source(None, layers)
    errors = [f for f in lint_source(source, "m.py") if f.severity == "error"]
    outcome = _torch_outcome((2, shape[1], 64, 64), layers)
    if outcome is None:
        assert errors == [], (source, errors)
        return
    stage, index, exc = outcome
    if stage == "run":
        earlier = [f for f in errors if f.line < 5 + index]
        assert earlier == [], (source, exc, earlier)
