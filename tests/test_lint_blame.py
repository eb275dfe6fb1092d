"""Which line a channel mismatch is reported at (convshape.features.lint.blame).

Small models in the shapes of released code (a MobileNet block's projection, an Inception
block's shared ``in_channels``, a SqueezeNet ``torch.cat``, a DenseNet loop). The torch
tests apply each finding's fix to the source, as a user would, and run the model: the
edit the finding proposes must make torch run it (and the source as written must fail).
The seeded bugs in torchvision's and timm's own trees are scored by
``benchmarks/score_lint_real.py``.
"""

from __future__ import annotations

import ast
import re
import textwrap
from typing import Any

import pytest

from convshape.features.lint import blame, lint_source
from convshape.features.lint.rules import parameter_names
from convshape.features.lint.values import Finding, Related

# A block's projection gives `inp` channels where its BatchNorm wants `oup`: only an edit of
# the convolution runs (a BatchNorm of `inp` would hand the next block the wrong width).
PRODUCER = """
import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, inp, oup):
        super().__init__()
        self.conv = nn.Conv2d(inp, inp, 1)
        self.bn = nn.BatchNorm2d(oup)

    def forward(self, x):
        return self.bn(self.conv(x))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Block(3, 8)
        self.b = Block(8, 8)

    def forward(self, x):
        return self.b(self.a(x))
"""

# A block gives its in_channels to two branches; the call that built it passed 24 where
# the stem gives 16. The stem cannot give 24: its output is also added to the block's.
CONSUMER = """
import torch
import torch.nn as nn


class Branchy(nn.Module):
    def __init__(self, cin):
        super().__init__()
        self.a = nn.Conv2d(cin, 8, 1)
        self.b = nn.Conv2d(cin, 8, 1)

    def forward(self, x):
        return torch.cat([self.a(x), self.b(x)], 1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3, padding=1)
        self.mix = Branchy(24)
        self.head = nn.Conv2d(16, 4, 1)

    def forward(self, x):
        y = self.stem(x)
        return self.head(self.mix(y) + y)
"""

# A Fire-like block joins two expansions; the next block wants 32 channels and gets 24.
# Either its 32 or the expansion's 8 is the typo: both are reported.
BOTH = """
import torch
import torch.nn as nn


class Fire(nn.Module):
    def __init__(self, cin, squeeze, e1, e3):
        super().__init__()
        self.squeeze = nn.Conv2d(cin, squeeze, 1)
        self.e1 = nn.Conv2d(squeeze, e1, 1)
        self.e3 = nn.Conv2d(squeeze, e3, 3, padding=1)

    def forward(self, x):
        x = self.squeeze(x)
        return torch.cat([self.e1(x), self.e3(x)], 1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.f1 = Fire(3, 4, 16, 8)
        self.f2 = Fire(32, 8, 16, 16)

    def forward(self, x):
        return self.f2(self.f1(x))
"""

# Two bugs: no one edit makes the model run, so the first is reported where it is.
TWO_BUGS = """
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Conv2d(3, 16, 3)
        self.a = nn.Conv2d(24, 8, 3)
        self.b = nn.Conv2d(16, 4, 3)

    def forward(self, x):
        return self.b(self.a(self.stem(x)))
"""

# A dense block built in a loop: every layer after the first wants the wrong width, each
# from the same expression.
LOOP = """
import torch
import torch.nn as nn


class Layer(nn.Module):
    def __init__(self, cin, growth):
        super().__init__()
        self.bn = nn.BatchNorm2d(cin)
        self.conv = nn.Conv2d(cin, growth, 3, padding=1)

    def forward(self, x):
        return torch.cat([x, self.conv(self.bn(x))], 1)


class Net(nn.Module):
    def __init__(self, c=8, growth=4):
        super().__init__()
        self.stem = nn.Conv2d(3, c, 3, padding=1)
        self.layers = nn.Sequential(*[Layer(c + i * 2, growth) for i in range(3)])

    def forward(self, x):
        return self.layers(self.stem(x))
"""


def _lint(source: str) -> list[Finding]:
    return lint_source(source, "m.py")


def _line(source: str, text: str) -> int:
    return next(i for i, line in enumerate(source.split("\n"), 1) if text in line)


def test_only_the_producer_runs_when_the_next_block_needs_its_width() -> None:
    (finding,) = _lint(PRODUCER)
    assert (finding.line, finding.code) == (_line(PRODUCER, "self.conv ="), "CS802")
    assert finding.fixes == ("use out_channels=8",)
    assert f"nn.BatchNorm2d(oup) at line {_line(PRODUCER, 'self.bn =')} wants 8" in finding.message


def test_a_parameter_several_layers_take_is_fixed_at_the_call_that_gave_it() -> None:
    (finding,) = _lint(CONSUMER)
    line = _line(CONSUMER, "Branchy(24)")
    assert (finding.line, finding.code) == (line, "CS112")
    assert CONSUMER.split("\n")[line - 1][finding.col - 1 : finding.end_col - 1] == "24"
    assert finding.fixes == ("use 16 instead of `24` in this call",)
    assert "for mix.a" in finding.message


def test_either_end_of_an_ambiguous_mismatch_is_one_finding_naming_the_other() -> None:
    # one bug, one finding: at the consumer (where torch raises), the producer's line as
    # the other place one edit fixes it, each with its own fix
    (finding,) = _lint(BOTH)
    assert (finding.line, finding.code) == (_line(BOTH, "self.f2 ="), "CS112")
    assert finding.fixes == ("use 24 instead of `32` in this call",)
    (other,) = finding.related
    assert other.line == _line(BOTH, "self.f1 =")
    assert other.fixes == ("use 16 instead of `8` in this call",)
    assert f"at line {other.line}" in finding.message
    assert "gives 8 where" in other.message and "wants 32" in other.message


def test_two_bugs_leave_the_finding_where_the_interpreter_put_it() -> None:
    (finding,) = _lint(TWO_BUGS)
    assert (finding.line, finding.col) == (_line(TWO_BUGS, "self.a ="), 18)
    assert finding.fixes == ("use in_channels=16",)


def test_a_block_built_in_a_loop_is_fixed_at_the_expression_of_the_loop() -> None:
    found = _lint(LOOP)
    line = _line(LOOP, "for i in range(3)")
    here = [f for f in found if f.line == line and f.fixes[0].endswith("`c + i * 2` in this call")]
    assert len(here) == 1 and here[0].code == "CS802"


def test_reruns_happen_only_for_a_model_with_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []
    real = blame.rerun

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(blame, "rerun", counted)
    fixed = PRODUCER.replace("nn.Conv2d(inp, inp, 1)", "nn.Conv2d(inp, oup, 1)")
    assert _lint(fixed) == []
    assert calls == []
    assert _lint(PRODUCER) and 0 < len(calls) <= blame.MAX_RERUNS


# -- torch: each proposed edit, applied to the source, makes the model run ----------------

_INSTEAD = re.compile(r"use (?P<new>-?\d+) instead of `(?P<old>[^`]*)` in this call$")
_OWN = re.compile(r"use (?P<name>\w+)=(?P<new>-?\d+)$")


def _apply(source: str, finding: Finding | Related) -> str:
    """The source with the finding's (or its related place's) one fix made, as a user
    would make it."""
    lines = source.split("\n")
    text = lines[finding.line - 1]
    (fix,) = finding.fixes
    instead = _INSTEAD.match(fix)
    if instead is not None:
        start, end = finding.col - 1, finding.end_col - 1
        assert finding.end_line == finding.line and text[start:end] == instead["old"]
        lines[finding.line - 1] = text[:start] + instead["new"] + text[end:]
        return "\n".join(lines)
    own = _OWN.match(fix)
    assert own is not None, fix
    call = next(
        node
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and (node.lineno, node.col_offset) == (finding.line, finding.col - 1)
    )
    name = "nn." + ast.unparse(call.func).rpartition(".")[2]
    index = parameter_names(name).index(own["name"])
    arg = call.args[index] if index < len(call.args) else None
    arg = arg or next(k.value for k in call.keywords if k.arg == own["name"])
    start, end = arg.col_offset, arg.end_col_offset
    assert arg.lineno == finding.line and end is not None
    lines[finding.line - 1] = text[:start] + own["new"] + text[end:]
    return "\n".join(lines)


def _runs(source: str) -> bool:
    torch = pytest.importorskip("torch")
    namespace: dict[str, Any] = {}
    exec(compile(textwrap.dedent(source), "m.py", "exec"), namespace)  # our own fixture
    model = namespace["Net"]().eval()
    try:
        with torch.no_grad():
            model(torch.randn(1, 3, 16, 16))
    except (RuntimeError, ValueError):
        return False
    return True


@pytest.mark.torch
@pytest.mark.parametrize("source", [PRODUCER, CONSUMER, BOTH], ids=["producer", "consumer", "both"])
def test_each_fix_alone_makes_torch_run_the_model(source: str) -> None:
    assert not _runs(source)
    found = _lint(source)
    assert found
    places = [at for finding in found for at in (finding, *finding.related)]
    assert len(places) == (2 if source is BOTH else 1)
    for at in places:  # each edit alone, the related place's too
        assert _runs(_apply(source, at)), at


@pytest.mark.torch
def test_the_edits_blame_rejected_do_not_make_torch_run_the_model() -> None:
    # the BatchNorm's own width (PRODUCER), the stem's (CONSUMER), either of TWO_BUGS
    assert not _runs(PRODUCER.replace("nn.BatchNorm2d(oup)", "nn.BatchNorm2d(inp)"))
    assert not _runs(PRODUCER.replace("Block(3, 8)", "Block(3, 3)"))
    assert not _runs(
        CONSUMER.replace("nn.Conv2d(3, 16, 3, padding=1)", "nn.Conv2d(3, 24, 3, padding=1)")
    )
    assert not _runs(TWO_BUGS.replace("nn.Conv2d(24, 8, 3)", "nn.Conv2d(16, 8, 3)"))
    assert not _runs(TWO_BUGS.replace("nn.Conv2d(3, 16, 3)", "nn.Conv2d(3, 24, 3)"))


def test_without_steps_left_for_reruns_the_finding_stays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(blame, "MAX_RERUN_STEPS", 0)
    (finding,) = _lint(PRODUCER)
    # where the rules put it: the 8 that Block only passes on to its BatchNorm (an edit
    # that torch rejects: test_the_edits_blame_rejected_do_not_make_torch_run_the_model)
    assert finding.line == _line(PRODUCER, "self.a =")
    assert finding.fixes == ("use 3 instead of `8` in this call",)
