"""Adding an op, done once: the fixture family of docs/architecture.md (``fixture_op``,
``nn.ChannelShuffle``) is registered here and goes through every reader and feature
without any other module knowing it, and agrees with torch."""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from conftest import check_agrees

from convshape.cli import cli
from convshape.core import registry
from convshape.core.code import layer_code
from convshape.core.engine import infer_spec
from convshape.core.errors import KINDS
from convshape.features.explain import explain_text
from convshape.features.network import infer_stack, parse_stack
from convshape.readers.parse import parse_layer

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def op() -> Iterator[ModuleType]:
    """The fixture family, imported (its templates join the taxonomy) and registered for
    this module's tests only: collection elsewhere never sees it."""
    import fixture_op

    registry.register(fixture_op.FAMILY)
    yield fixture_op
    registry.unregister(fixture_op.FAMILY)
    for kind in (fixture_op.RANK, fixture_op.GROUPS, fixture_op.DIVISIBLE):
        KINDS.pop(kind.code, None)
    sys.modules.pop("fixture_op", None)


def test_the_registry_finds_it_by_spec_name_and_op(op: ModuleType) -> None:
    assert registry.family_of(op.ChannelShuffle(2)) is op.FAMILY
    assert registry.signature("nn.ChannelShuffle") is op.SIGNATURES[0]
    assert "channel_shuffle" in registry.fuzz_ops()


@pytest.mark.parametrize(
    ("code", "groups", "functional"),
    [
        ("nn.ChannelShuffle(3)", 3, False),
        ("torch.nn.ChannelShuffle(groups=2 * 2)", 4, False),
        ("F.channel_shuffle(x, 2)", 2, True),
    ],
)
def test_pasted_code_binds_through_its_signature(
    op: ModuleType, code: str, groups: int, functional: bool
) -> None:
    spec = op.ChannelShuffle(groups, functional)
    assert parse_layer(code) == spec
    assert parse_layer(layer_code(spec)) == spec


@pytest.mark.torch
@pytest.mark.parametrize(
    ("groups", "functional", "shape"),
    [
        (3, False, (2, 6, 4, 4)),
        (4, False, (2, 6, 4, 4)),
        (0, False, (2, 6, 4)),
        (-1, True, (2, 6, 4, 4)),
        (2, False, (6, 4)),
        (2, True, (0, 5, 3)),
        (2, False, (3, 6, 4, 4, 2)),
    ],
)
def test_the_engine_agrees_with_torch(
    op: ModuleType, groups: int, functional: bool, shape: tuple[int, ...]
) -> None:
    check_agrees(op.ChannelShuffle(groups, functional), shape)


def test_calc_takes_pasted_code_and_flags() -> None:
    runner = CliRunner()
    ok = runner.invoke(cli, ["calc", "nn.ChannelShuffle(3)", "--input", "2,6,4,4"])
    assert ok.exit_code == 0, ok.output
    assert "(2, 6, 4, 4) -> (2, 6, 4, 4)" in ok.output
    bad = runner.invoke(cli, ["calc", "channel_shuffle", "--groups", "4", "--input", "2,6,4,4"])
    assert bad.exit_code == 1, bad.output
    words = " ".join(bad.output.split())  # rich wraps at 80 columns
    assert "Number of channels must be divisible by groups. Got 6 channels and 4 groups." in words
    wrong = runner.invoke(cli, ["calc", "channel_shuffle", "--kernel", "3", "--input", "2,6,4"])
    assert wrong.exit_code == 2 and "--kernel does not apply" in wrong.output


def test_a_stack_runs_it_between_convolutions() -> None:
    layers = parse_stack("nn.Sequential(nn.Conv2d(3, 6, 1), nn.ChannelShuffle(4), nn.ReLU())")
    result = infer_stack(layers, (1, 3, 8, 8))
    assert result.failed is not None and result.failed.index == 1
    assert result.failed.error is not None and result.failed.error.code == "CS852"
    fine = infer_stack(
        parse_stack("nn.Sequential(nn.Conv2d(3, 6, 3), nn.ChannelShuffle(3))"), (1, 3, 8, 8)
    )
    assert fine.output == (1, 6, 6, 6)
    assert [f.size for f in fine.rows[1].fields] == [3, 3]  # its window keeps the field


def test_explain_recognises_its_message() -> None:
    found = explain_text(
        "RuntimeError: Number of groups to divide channels in must be positive. Value of groups:0"
    )
    assert found.match.kind.code == "CS851"


@pytest.mark.torch
def test_verify_fuzzes_it_against_torch() -> None:
    out = CliRunner().invoke(
        cli, ["verify", "--fuzz", "300", "--seed", "7", "--ops", "channel_shuffle", "--json"]
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert (doc["agree"], doc["disagree"]) == (300, 0)


def test_the_architecture_doc_quotes_this_fixture() -> None:
    """docs/architecture.md's walk-through is this file, word for word."""
    doc = (ROOT / "docs" / "architecture.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", doc, re.DOTALL)
    source = (ROOT / "tests" / "fixture_op.py").read_text()
    assert source in blocks
    ast.parse(source)


def test_the_engine_alone_predicts_it(op: ModuleType) -> None:
    result = infer_spec(op.ChannelShuffle(2), (1, 4, 3))
    assert result.output == (1, 4, 3) and result.notes == ("4 channels in 2 groups of 2",)
