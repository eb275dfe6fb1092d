"""Which line to fix when a layer refuses the width of its input: a repair search.

A channel mismatch has two ends: the layer that refused (the consumer: a convolution's
``in_channels``, a BatchNorm's ``num_features``...) and the layer that made its input (the
producer: a convolution's ``out_channels``; for ``torch.cat``, one of the joined tensors'
producers). Either end may hold the wrong value, written at the layer's own call or at a
call further out that passed it down (a block's ``in_channels`` given to each of its
branches). Which one the author got wrong is not in any one line; what the model's code
does with each possible edit is. So, for the first mismatch of a model with an error
finding, each place that decides the consumer's width (:func:`~.extract.levels`,
innermost first) is changed in a rerun of that model to the width it receives, and each
place that decides the producer's width to the width the consumer wants, one edit per
rerun. An edit fixes the mismatch when, in its rerun,

* the model runs to its end with no error finding; or
* the first failure is the same mismatch at another evaluation of the edited place (a
  block built in a loop, every later iteration wrong the same way).

Each end is reported at its innermost place that fixes: when only the producer's edit
fixes (a block's output that the next block needs), the finding is at the producer; when
only the consumer's, at the consumer; when both fix, the code cannot tell which line the
author meant: the one finding is at the consumer (where torch raises) and names the
producer's line as a :class:`~.values.Related` place, with its own fix. When neither
does (two bugs, or a width no single edit repairs), the findings stay where the
interpreter put them. The reruns cost nothing for a model without an error finding, and
at most :data:`MAX_RERUNS` per file, :data:`MAX_RERUN_STEPS` steps of the interpreter in
all.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Final

from convshape.features.lint.extract import FileContext, Interp, Level, Rerun, levels, rerun
from convshape.features.lint.values import Failure, Joined, LayerVal, Related, Site

__all__ = ["MAX_RERUNS", "MAX_RERUN_STEPS", "Blame", "Edit"]

MAX_RERUNS: Final = 24  # reruns of a file's models, all failures together
MAX_RERUN_STEPS: Final = 400_000  # the interpreter's steps in them (one model's budget)
_PARTS: Final = 4  # producers tried for the output of a torch.cat
_WIDTHS: Final = ("out_channels", "out_features", "num_features", "num_channels")

# what a search decided: the finding's site, code, message, fixes and the other end
_Decided = tuple[Site, str, str, tuple[str, ...], tuple[Related, ...]]


@dataclass(eq=False)
class Edit:
    """One argument changed in a rerun (see :class:`~.extract.Level`): ``old`` becomes
    ``new`` in the layer built ``serial``-th (``kind`` "layer") or in the parameters of
    the call of the model's code made ``serial``-th ("call"); ``hits`` counts that it
    happened (a rerun in which it did not proves nothing)."""

    kind: str
    serial: int
    name: str
    old: int
    new: int
    hits: int = 0
    seen: dict[int, dict[str, int]] = field(default_factory=dict)  # kind "record"

    def layer(self, layer: LayerVal) -> None:
        """A layer was built (its arguments bound, not yet checked)."""
        params = layer.params
        if self.kind == "layer" and layer.serial == self.serial and params is not None:
            self._change(params)

    def bind(self, interp: Interp, frame: Any) -> None:
        """A call of the model's code has bound its parameters in ``frame``."""
        chain = interp.chain
        if not chain:
            return
        if self.kind == "record":
            ints = {k: v for k, v in frame.locals.items() if type(v) is int}
            self.seen[chain[-1].serial] = ints
        elif self.kind == "call" and chain[-1].serial == self.serial:
            self._change(frame.locals)

    def _change(self, values: dict[str, Any]) -> None:
        if _is(values.get(self.name), self.old):
            values[self.name] = self.new
            self.hits += 1


def _is(value: object, expected: int) -> bool:
    return type(value) is int and value == expected


@dataclass(frozen=True)
class _Fix:
    level: Level
    site: Site
    new: int


class Blame:
    """The repair search of one file (see the module docstring)."""

    def __init__(self, ctx: FileContext, tree: ast.Module) -> None:
        self.ctx = ctx
        self.tree = tree
        self.reruns = 0
        self.steps = 0
        # what was decided per first failure's lines (the roots of a file share blocks)
        self.decided: dict[object, _Decided | None] = {}

    def settle(self, interp: Interp, root: Any, before: set[Any]) -> None:
        """The root ``root`` was followed by ``interp``: when it added error findings (keys
        of ``ctx.findings`` not in ``before``) and its first failure is a width mismatch
        that one edit fixes, its error findings are replaced by the fix's. ``root`` None:
        a module no root reached, followed on its own: only what a root decided applies."""
        ctx = self.ctx
        new = [
            k for k, (_x, f) in ctx.findings.items() if k not in before and f.severity == "error"
        ]
        if not new or not interp.failures:
            return
        first = interp.failures[0]
        key = _lines(first)  # another root of the file failing at the same lines: decided
        if key not in self.decided and root is not None:
            self.decided[key] = self._search(root, first)
        decided = self.decided.get(key)
        if decided is None:
            return
        for k in new:
            del ctx.findings[k]
        site, code, text, fixes, related = decided
        ctx.report(site, code, text, exact=True, fixes=fixes, related=related)

    def _rerun(self, root: Any, edit: Edit | None) -> Rerun | None:
        left = MAX_RERUN_STEPS - self.steps
        if self.reruns >= MAX_RERUNS or left <= 0:
            return None
        self.reruns += 1
        run = rerun(self.ctx, self.tree, root, edit, left)
        self.steps += run.interp.steps if run is not None else 0
        return run

    def _search(self, root: Any, first: Failure) -> _Decided | None:
        record = Edit("record", 0, "", 0, 0)  # the values each call of the model's code bound
        base = self._rerun(root, record)  # the same model, its layers and calls numbered
        if base is None or not base.interp.failures:
            return None
        failure = base.interp.failures[0]
        layer = failure.layer
        wanted = (layer.params or {}).get(failure.name)
        same = layer.call is first.layer.call and failure.received == first.received
        if not same or type(wanted) is not int:
            return None
        received = failure.received
        consumer = self._fix(
            root, levels(layer, failure.name, record.seen), wanted, received, failure, "consumer"
        )
        producer: tuple[_Fix, LayerVal, str, int] | None = None
        for made, name in _producers(failure.given)[:_PARTS]:
            width = (made.params or {}).get(name)
            if type(width) is not int or width + wanted - received <= 0:
                continue
            new = width + wanted - received
            found = self._fix(
                root, levels(made, name, record.seen), width, new, failure, "producer"
            )
            if found is not None:
                producer = (found, made, name, width)
                break
        if producer is None and (consumer is None or consumer.level.kind == "layer"):
            return None  # no fix, or the layer's own argument: where the finding is
        built = base.interp.construction
        code, message = failure.code, failure.message
        # per end: where, what it is there (the message follows, for the finding's own
        # end), its fix
        ends: list[tuple[Site, str, str]] = []
        if consumer is not None:
            site, own = _where(consumer, layer)
            what = (
                f"{built(layer)}"
                if own
                else f"`{site.text}` here is {failure.name} of {_text(layer)}{built(layer)}"
            )
            fix = f"use {failure.name}={received}" if own else f"use {received} instead of "
            ends.append((site, what, fix if own else f"{fix}`{site.text}` in this call"))
        if producer is not None:
            found, made, name, width = producer
            site, own = _where(found, made)
            wants = f"{width} where {_text(layer)} at line {_line(layer)} wants {wanted}"
            what = (
                f"{_text(made)} gives {wants}{built(made)}"
                if own
                else f"`{site.text}` here is {name} of {_text(made)}{built(made)}, which gives "
                f"{wants}"
            )
            fix = f"use {name}={found.new}" if own else f"use {found.new} instead of "
            ends.append((site, what, fix if own else f"{fix}`{site.text}` in this call"))
        # both ends fix: one finding, at the consumer (where torch raises), naming the
        # producer's line as the other place one edit fixes it
        (site, what, fix), *other = ends
        text = f"{message}{what}" if what.startswith(" (") or not what else f"{what}: {message}"
        for at, _what, its in other:
            text += f"; or {its} at line {at.line} (either edit alone makes it run)"
        related = tuple(
            Related(at.line, at.col, at.end_line, at.end_col, what, (its,))
            for at, what, its in other
        )
        return site, code, text, (fix,), related

    def _fix(
        self, root: Any, places: list[Level], old: int, new: int, failure: Failure, end: str
    ) -> _Fix | None:
        """The innermost of ``places`` in the linted file whose edit from ``old`` to ``new``
        fixes the mismatch (see the module docstring)."""
        for level in places:
            if level.file is None or level.file.path != self.ctx.path:
                continue
            edit = Edit(level.kind, level.serial, level.name, old, new)
            run = self._rerun(root, edit)
            if run is None:
                return None
            again = run.errors and not _repeats(run, failure, level, end)
            if edit.hits and run.complete and not again:
                return _Fix(level, level.file.site(level.expr), new)
        return None


def _repeats(run: Rerun, failure: Failure, level: Level, end: str) -> bool:
    """The rerun's first failure is ``failure`` again at another evaluation of the edited
    place: another layer built by the same call, whose width on the edited ``end`` (its
    own, or its input's producers') is decided at the same place (a block built in a loop,
    every later iteration wrong the same way); not a new mismatch the edit made (the
    BatchNorm after an edited convolution, another branch of the same block)."""
    failures = run.interp.failures
    if not failures:
        return False
    again = failures[0]
    same = again.layer.call is failure.layer.call and again.name == failure.name
    if not same or again.layer.serial == failure.layer.serial:
        return False
    if end == "consumer":
        places = levels(again.layer, again.name)
    else:
        places = [p for made, name in _producers(again.given) for p in levels(made, name)]
    return any(p.expr is level.expr for p in places)


def _lines(failure: Failure) -> object:
    made = frozenset(id(m.call) for m, _n in _producers(failure.given))
    return (id(failure.layer.call), failure.name, made)


def _producers(origin: object, top: bool = True) -> list[tuple[LayerVal, str]]:
    """The layers whose width argument makes a tensor of ``origin`` as wide as it is: the
    layer that made it, or for a ``torch.cat`` each joined tensor's (the last first)."""
    if isinstance(origin, LayerVal) and origin.params is not None:
        name = next((n for n in _WIDTHS if type(origin.params.get(n)) is int), None)
        return [] if name is None else [(origin, name)]
    if isinstance(origin, Joined) and top:
        return [p for part in reversed(origin.parts) for p in _producers(part, False)]
    return []


def _where(fix: _Fix, layer: LayerVal) -> tuple[Site, bool]:
    """Where a fix is reported, and whether that is the layer's own call: an argument of
    the layer's call written on its first line is reported at the call, as the
    interpreter's own findings are."""
    level, site = fix.level, layer.site
    call = layer.call
    own = level.kind == "layer" and isinstance(call, ast.Call) and site is not None
    if own and site is not None and level.expr.lineno == call.lineno:
        return site, True
    return fix.site, False


def _text(layer: LayerVal) -> str:
    site = layer.site
    return layer.name if site is None else site.text


def _line(layer: LayerVal) -> str:
    site = layer.site
    return "?" if site is None else str(site.line)
