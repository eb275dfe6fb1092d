"""Explain a torch shape error: text -> :class:`Match` -> :class:`Explanation`.

Pure functions, no I/O and no torch. :func:`find_error` reads a pasted message or a whole
traceback (plain Python, pytest's ``E`` lines or IPython's) and recognises the error by the
templates of :data:`convshape.errors.KINDS` (``ErrorKind.pattern``), never by a second copy
of a torch message. It also finds the last frame in the user's own code that led to it.
:func:`explain` adds what the error means, its likely cause and fixes
(:mod:`convshape.advice`) and a ``convshape calc`` command rebuilt from the message's numbers
that reproduces the same message (:mod:`convshape._repro`).
"""

from __future__ import annotations

import bisect
import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace

from convshape import text as texts
from convshape.core import errors as E
from convshape.core.errors import KINDS, ErrorKind, ShapeError, UsageError
from convshape.features.advice import Advice, Lang, advise
from convshape.ops import Conv, Spec

__all__ = [
    "Explanation",
    "Frame",
    "Match",
    "Older",
    "Refusal",
    "default_lang",
    "explain",
    "explain_text",
    "find_error",
    "find_errors",
]


@dataclass(frozen=True)
class Frame:
    """One traceback frame: where the call was made and its source line, as printed."""

    file: str
    line: int
    function: str
    source: str | None = None


@dataclass(frozen=True)
class Match:
    """A recognised error: its kind, torch's message unchanged and the values in it."""

    kind: ErrorKind
    message: str
    values: Mapping[str, str]
    exc: str | None = None  # the exception type the text names (None: a bare message)
    frame: Frame | None = None  # the last frame in the user's own code
    frames: int = 0  # how many frames the traceback has
    # whether the traceback passes through torch's code, or its innermost line calls a
    # convolution-family op (F.conv2d and friends are C++: they add no frame of their own)
    from_torch: bool = False


@dataclass(frozen=True)
class Older:
    """An older torch's wording (a ``legacy`` kind): who printed it, and today's words."""

    versions: str  # the torch versions that print it
    source: str  # where in torch's source it is printed
    today: ErrorKind | None  # the kind torch 2.13 raises for the same fault
    message: str | None  # torch 2.13's message, when the old one has the numbers for it


@dataclass(frozen=True)
class Explanation:
    match: Match
    lang: Lang
    advice: Advice
    command: str | None  # a ``convshape calc`` command that reproduces the message
    note: str  # about the command, or why there is none
    generic: bool  # the message is not specific to the convolution family
    older: Older | None = None  # an older torch's wording: the command prints today's


# Messages Python or torch raise far outside the convolution family: recognised in a bare
# message, but in a traceback only when the error comes out of torch's own Python code.
GENERIC = frozenset(
    k.code
    for k in (
        E.DIM_OUT_OF_RANGE,
        E.TUPLE_INDEX,
        E.NEGATIVE_DIMENSION,
        E.INVALID_SHAPE_DIMENSION,
        E.RESHAPE_AMBIGUOUS,
        E.RESHAPE_INFER_TWICE,
        E.NARROW_NEGATIVE,
        E.EMPTY_SELECT,
        E.DIM_NO_DIMENSIONS,
        E.UNPACK_TOO_FEW,
        E.UNPACK_TOO_MANY,
        E.UNPACK_TOO_MANY_COUNTED,
        E.LP_NORM_ZERO,
        E.INT_OVERFLOW,
        E.ONEDNN_DIMENSIONS_INVALID,
        E.AVG_POOL_INTEGER_RANGE,
    )
)

_MAX_MESSAGE = 4000  # longer candidate messages are not tried (torch's are far shorter)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_PYTEST_PREFIX = re.compile(r"^E {1,7}")
_FRAME = re.compile(r'^\s*File "(?P<file>[^"]+)", line (?P<line>\d+), in (?P<func>.+?)\s*$')
_IPY_FRAME = re.compile(
    r"^\s*(?:File (?P<file>\S.*?):(?P<line>\d+),? in (?P<func>.+?)"
    r"|(?P<cell>Cell In\s?\[\d*\]), line (?P<cell_line>\d+))\s*$"
)
_IPY_ARROW = re.compile(r"^\s*-+>\s*(?P<line>\d+)\s?(?P<src>.*)$")
_CARETS = re.compile(r"^\s*[\^~\-]+\s*$")
_HEADER = "Traceback (most recent call last)"
_LIBRARY = re.compile(
    r"(?:site|dist)-packages[\\/]|[\\/]lib[\\/]python\d[\d.]*[\\/]|[\\/]Lib[\\/]|^<frozen "
    r"|[\\/]torch[\\/]"
)
_TORCH = re.compile(r"[\\/]torch[\\/]")
_CONV_CALL = re.compile(r"conv|pool|fold|pad", re.IGNORECASE)


_FORMATTER = string.Formatter()


def _pieces(kind: ErrorKind) -> list[tuple[str, str | None]]:
    """The template as (literal, field after it) pairs, as ``ErrorKind.pattern`` reads it."""
    return [(literal, name) for literal, name, _, _ in _FORMATTER.parse(kind.template)]


def _splits(pieces: list[tuple[str, str | None]], message: str) -> bool:
    """Whether ``message`` splits into the template's pieces taking, for every field, the
    shortest value (the first match ``kind.pattern``'s lazy groups try).

    A cheap, linear test before the regex: on text that is not the message, the regex's
    lazy groups could otherwise backtrack through every combination of separators.
    """
    pos = 0
    seen: dict[str, str] = {}
    for i, (literal, name) in enumerate(pieces):
        if not message.startswith(literal, pos):
            return False
        pos += len(literal)
        if name is None:
            continue
        following = pieces[i + 1][0] if i + 1 < len(pieces) else ""
        last = all(n is None for _, n in pieces[i + 1 :])
        if last:
            tail = "".join(lit for lit, _ in pieces[i + 1 :])
            end = len(message) - len(tail)
            if end <= pos or not message.endswith(tail):
                return False
        else:
            end = message.find(following, pos + 1) if following else pos + 1
            if end < 0:
                return False
        value = message[pos:end]
        if seen.setdefault(name, value) != value:
            return False
        pos = end
    return pos == len(message)


def _specificity(kind: ErrorKind) -> int:
    return sum(len(literal) for literal, _ in _pieces(kind))


_Order = list[tuple[ErrorKind, list[tuple[str, str | None]]]]
_ORDERED: dict[tuple[int, str], _Order] = {}


def _order() -> _Order:
    """torch's templates, most specific first (the lint family's are convshape's own
    findings); worked out again when a template is added to the taxonomy."""
    key = (len(KINDS), next(reversed(KINDS)))
    order = _ORDERED.get(key)
    if order is None:
        order = sorted(
            ((k, _pieces(k)) for k in KINDS.values() if k.family != "lint"),
            # another release's wording after today's: a text both print is today's kind
            key=lambda item: (item[0].family == "legacy", -_specificity(item[0])),
        )
        _ORDERED.clear()
        _ORDERED[key] = order
    return order


def match_message(message: str, exc: str | None = None) -> tuple[ErrorKind, dict[str, str]] | None:
    """The kind whose template produces ``message`` exactly, or None.

    When several templates fit, the one the text's exception type names wins, then the
    most specific (the most literal text).
    """
    if not message or len(message) > _MAX_MESSAGE:
        return None
    fits: list[tuple[ErrorKind, dict[str, str]]] = []
    for kind, pieces in _order():
        if not _splits(pieces, message):
            continue
        found = kind.pattern.fullmatch(message)
        if found is None:
            continue
        values = found.groupdict()
        if any(not v or "\n" in v or len(v) > 400 for v in values.values()):
            continue
        fits.append((kind, values))
    if not fits:
        return None
    if exc is not None:
        same = [f for f in fits if f[0].exc == exc]
        if same:
            return same[0]
    return fits[0]


def _clean(text: str) -> list[str]:
    text = _ANSI.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


class _Frames:
    """Every traceback frame of the text, read in one pass, and what a message needs of
    the frames around its line - how many, the one in the user's code, the innermost's
    source, whether torch's code is among them - each in logarithmic time, so that a text
    with thousands of frames or of repeated messages is read in linear time."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = len(lines)
        self.header: list[int] = []  # the last header line at or before each line (-1: none)
        last = -1
        for i, line in enumerate(lines):
            if _HEADER in line:
                last = i
            self.header.append(last)
        self.at: list[int] = []  # each frame's line
        self.frames: list[Frame] = []  # without their source lines
        self.sources: list[list[tuple[int, str | None]]] = []  # (line, source) candidates
        i = 0
        while i < len(lines):
            line = _PYTEST_PREFIX.sub("", lines[i])
            plain = _FRAME.match(line)
            ipy = None if plain else _IPY_FRAME.match(line)
            found = plain or ipy
            if found is None:
                i += 1
                continue
            sources: list[tuple[int, str | None]] = []
            cell = None if plain else found["cell"]
            number = int(found["cell_line"] if cell else found["line"])
            j = i + 1
            if plain:
                following = lines[j] if j < len(lines) else ""
                if (
                    following.startswith((" ", "\t"))
                    and following.strip()
                    and not _FRAME.match(following)
                    and not _CARETS.match(following)
                ):
                    sources.append((j, following.strip()))
            else:
                while j < len(lines) and not (_IPY_FRAME.match(lines[j]) or _FRAME.match(lines[j])):
                    arrow = _IPY_ARROW.match(lines[j])
                    if arrow and int(arrow["line"]) == number:
                        sources.append((j, arrow["src"].strip() or None))
                    j += 1
            if cell:
                self.frames.append(Frame(cell, number, "<cell>"))
            else:
                self.frames.append(Frame(found["file"], number, found["func"]))
            self.at.append(i)
            self.sources.append(sources)
            i += 1
        self.torch = [0]  # frames in torch's code before each frame
        self.last_user: list[int] = []  # the last user frame up to each frame (-1: none)
        last_user = -1
        for k, frame in enumerate(self.frames):
            self.torch.append(self.torch[-1] + bool(_TORCH.search(frame.file)))
            if not _LIBRARY.search(frame.file):
                last_user = k
            self.last_user.append(last_user)
        self.next_user = [len(self.frames)] * (len(self.frames) + 1)  # the first from each
        for k in range(len(self.frames) - 1, -1, -1):
            user = not _LIBRARY.search(self.frames[k].file)
            self.next_user[k] = k if user else self.next_user[k + 1]

    def frame(self, k: int, end: int) -> Frame:
        """Frame ``k`` with its source line as read before line ``end``."""
        sources = self.sources[k]
        n = bisect.bisect_left(sources, end, key=lambda item: item[0])
        return replace(self.frames[k], source=sources[n - 1][1] if n else None)

    def around(self, line: int, has_header: bool) -> tuple[Frame | None, int, bool]:
        """The frames of the message on ``line``: from its ``Traceback`` header up to it,
        or (no header anywhere, none before it: VS Code prints the innermost first) those
        after it. Returns (the user's frame, how many, whether from torch)."""
        begin = max(self.header[line - 1], 0) if line > 0 else 0
        lo, hi = bisect.bisect_left(self.at, begin), bisect.bisect_left(self.at, line)
        if hi > lo or has_header:
            user_k = self.last_user[hi - 1] if hi > lo else -1
            user = self.frame(user_k, line) if user_k >= lo else None
            inner = (self.frame(hi - 1, line).source or "") if hi > lo else ""
            torch = self.torch[hi] > self.torch[lo]
            return user, hi - lo, torch or bool(_CONV_CALL.search(inner))
        end = self.lines
        lo, hi = bisect.bisect_left(self.at, line + 1), len(self.at)
        user_k = self.next_user[lo]
        user = self.frame(user_k, end) if user_k < hi else None
        inner = (self.frame(lo, end).source or "") if hi > lo else ""
        torch = self.torch[hi] > self.torch[lo]
        return user, hi - lo, torch or bool(_CONV_CALL.search(inner))


# ---------------------------------------------------------------------------------------
# Finding torch's messages wherever they are in pasted text.
#
# The text is read with its whitespace squeezed out (a "squeezed" copy that remembers where
# each character came from), so a message soft-wrapped over lines, even inside a shape, and
# spaces typed differently still match a template's words. A template is found by its first
# words anywhere, whatever stands before it on the line (prose in any language, quotes, a
# log prefix); each field takes the shortest text up to the template's next words, and a
# field at the very end takes one value (a bracketed shape, a number, a name), never the
# prose that follows. The message is then written with torch's own words from the template
# and the values as printed. Every step is a bounded number of ``str.find`` calls, so the
# time is linear in the size of the text.
# ---------------------------------------------------------------------------------------
_LINE_PREFIX = re.compile(r"^(?:E {1,7}|\[rank\d+\]:\s?|>+\s?|\*\*\*\s?|#+\s?)")
_SAME = str.maketrans({"\u00d7": "x", "\uff1a": ":", "\uff08": "(", "\uff09": ")", "\uff0c": ","})
_DIGIT_STAR = re.compile(r"(?<=\d)\*(?=\d)")
# The exception named just before a message, read in the source text: an ASCII name after
# a space, a dot or a character that is no part of one ("遇到RuntimeError:", "Question\n
# ValueError:" name RuntimeError and ValueError).
_EXC_BEFORE = re.compile(
    r"(?<![A-Za-z0-9_])([A-Za-z_][A-Za-z0-9_]*(?:Error|Exception))(?:\([^()]*\))?:\s*$"
)
_PLACEHOLDER = re.compile(r"\{(?:[A-Za-z_][^{}]*)?\}")
_RESHAPE_CALL = re.compile(r"\.(?:view|reshape)\(|\bview\b|reshape")
_MAX_ANCHORS = 100_000  # occurrences of a template's first words tried per text
_MAX_VALUE = 400
_MAX_TEXT = 2_000_000


@dataclass(frozen=True)
class _Squeezed:
    text: str  # the text without whitespace, with x for the multiplication sign
    where: list[int]  # where each of its characters is in ``source``
    source: str  # the text the characters come from (lines joined, prefixes removed)


def _squeeze(source: str) -> _Squeezed:
    chars: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(source):
        if not ch.isspace():
            chars.append(ch)
            where.append(i)
    text = "".join(chars).translate(_SAME)
    return _Squeezed(text, where, source)


def _squeezed_pieces(kind: ErrorKind) -> list[tuple[str, str | None]]:
    return [("".join(lit.split()).translate(_SAME), name) for lit, name in _pieces(kind)]


_SQ_ORDER: dict[tuple[int, str], list[tuple[ErrorKind, list[tuple[str, str | None]]]]] = {}


def _sq_order() -> list[tuple[ErrorKind, list[tuple[str, str | None]]]]:
    key = (len(KINDS), next(reversed(KINDS)))
    order = _SQ_ORDER.get(key)
    if order is None:
        order = [(k, _squeezed_pieces(k)) for k, _ in _order()]
        _SQ_ORDER.clear()
        _SQ_ORDER[key] = order
    return order


def _value_end(text: str, pos: int) -> int:
    """Where a value that ends a message stops: one bracketed group, ``torch.Size(...)``,
    a quoted string, a number or a name (``-1`` when there is none)."""
    if pos >= len(text):
        return -1
    if text.startswith("torch.Size(", pos):
        return _balanced(text, pos + len("torch.Size"))
    ch = text[pos]
    if ch in "[({":
        return _balanced(text, pos)
    if ch == "'":
        close = text.find("'", pos + 1)
        return close + 1 if close > 0 else -1
    found = re.compile(r"-?\d+(?:\.\d+)?|[A-Za-z_][\w.]*").match(text, pos)
    return found.end() if found else -1


# What may follow a value that ends a message and still be part of it: more numbers, or
# ``name: number`` pairs (``dilation_height: 0, dilation_width: 1``), never prose.
_MORE = re.compile(r"(?::[ ]?-?\d+|,[ ]?[A-Za-z_]\w*:[ ]?-?\d+|[ ][A-Za-z_]\w*:[ ]?-?\d+)(?![\w.])")


def _line_end(sq: _Squeezed, pos: int) -> int:
    """The squeezed index where the source line holding ``pos`` ends."""
    newline = sq.source.find("\n", sq.where[pos] if pos < len(sq.where) else len(sq.source))
    if newline < 0:
        return len(sq.text)
    return _squeezed_index(sq, newline)


def _balanced(text: str, pos: int) -> int:
    depth = 0
    for i in range(pos, min(len(text), pos + _MAX_VALUE)):
        if text[i] in "[({":
            depth += 1
        elif text[i] in "])}":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def _value(sq: _Squeezed, start: int, end: int) -> str:
    """A field's value as printed: its text in the source with a line break inside a
    number or word joined and other runs of whitespace made one space."""
    raw = sq.source[sq.where[start] : sq.where[end - 1] + 1].translate(_SAME)
    raw = re.sub(r"(?<=\w)\s*\n\s*(?=\w)", "", raw)
    raw = re.sub(r"\s+", " ", raw)
    return _DIGIT_STAR.sub("x", raw)


def _parse_at(
    sq: _Squeezed,
    pieces: list[tuple[str, str | None]],
    start: int,
    raw: list[str] | None = None,
) -> tuple[int, dict[str, str]] | None:
    """The template read from ``start`` in the squeezed text: its end and the values."""
    text = sq.text
    pos = start
    values: dict[str, str] = {}
    raw_literals = raw or [lit for lit, _ in pieces]
    for i, (literal, name) in enumerate(pieces):
        if not text.startswith(literal, pos):
            return None
        pos += len(literal)
        if name is None:
            continue
        following = next((lit for lit, _ in pieces[i + 1 :] if lit), "")
        if i + 1 == len(pieces) or not pieces[i + 1][0]:
            if following:
                end = text.find(following, pos + 1, pos + _MAX_VALUE + len(following))
            elif literal.endswith(":") and "\n" in raw_literals[i]:  # a C++ trace follows
                end = _line_end(sq, pos)
            else:
                end = _value_end(text, pos)
                if end > pos:
                    after = sq.where[end - 1] + 1
                    while (more := _MORE.match(sq.source, after)) is not None:
                        after = more.end()
                    end = _squeezed_index(sq, after)
        else:
            end = -1
            if text.startswith(("[", "(", "{", "torch.Size("), pos):  # one whole bracket
                end = _value_end(text, pos)
                if end < 0 or not text.startswith(pieces[i + 1][0], end):
                    return None
            else:
                nxt = pieces[i + 1][0]
                end = text.find(nxt, pos + 1, pos + _MAX_VALUE + len(nxt))
        if end <= pos or end - pos > _MAX_VALUE:
            return None
        value = _value(sq, pos, end)
        if _PLACEHOLDER.search(value):  # a raise statement's own source line, not a message
            return None
        if values.setdefault(name, value) != value:
            return None
        pos = end
    return pos, values


@dataclass(frozen=True)
class _Found:
    kind: ErrorKind
    start: int  # in the source text
    end: int
    values: dict[str, str]
    exc: str | None


def _find_all(sq: _Squeezed) -> list[_Found]:
    text = sq.text
    found: list[tuple[int, int, tuple[bool, bool, int], _Found]] = []
    for rank, (kind, pieces) in enumerate(_sq_order()):
        literals = [lit for lit, _ in pieces if lit]
        if not literals or any(lit not in text for lit in literals):
            continue
        lead = not pieces[0][0] and pieces[0][1] is not None
        anchor = literals[0]
        at = text.find(anchor)
        tries = 0
        while at >= 0 and tries < _MAX_ANCHORS:
            tries += 1
            start = at
            if lead:  # a field before the first words: the name just before them
                # (within the 200 characters before them: linear in a long text)
                begin = max(0, sq.where[at] - 200)
                before = sq.source[begin : sq.where[at]].rstrip()
                head = re.search(r"[A-Za-z_][\w.]*(?:\(\))?$", before)
                start = -1
                if head is not None and not re.fullmatch(r"\w*(?:Error|Exception)", head[0]):
                    start = _squeezed_index(sq, begin + head.start())  # not the exception's
            raw = [lit for lit, _ in _pieces(kind)]
            parsed = _parse_at(sq, pieces, start, raw) if start >= 0 else None
            if parsed is not None:
                end, values = parsed
                at_source = sq.where[start]
                before = sq.source[max(0, at_source - 80) : at_source]
                exc = _EXC_BEFORE.search(before)
                item = _Found(
                    kind,
                    sq.where[start],
                    sq.where[end - 1] + 1,
                    values,
                    exc.group(1) if exc else None,
                )
                span = " ".join(sq.source[item.start : item.end].split())
                exact = kind.pattern.fullmatch(span) is not None
                other = item.exc is not None and item.exc != kind.exc
                found.append((start, -(end - start), (not exact, other, rank), item))
            at = text.find(anchor, at + 1)
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    chosen: list[_Found] = []
    last_end = -1
    for start, negative_length, _, item in found:
        if start < last_end:
            continue
        chosen.append(item)
        last_end = start - negative_length  # the end in the squeezed text
    return chosen


def _squeezed_index(sq: _Squeezed, source_pos: int) -> int:
    return bisect.bisect_left(sq.where, source_pos)


def _line_of(newlines: list[int], source_pos: int) -> int:
    """The 0-based line of ``source_pos``, from the positions of the text's newlines."""
    return bisect.bisect_left(newlines, source_pos)


def _acceptable(
    kind: ErrorKind, values: Mapping[str, str], exc: str | None, whole: bool, text: str
) -> bool:
    """Whether a template found in the text is that error and not look-alike prose."""
    if kind.code in GENERIC and exc is None and not whole:
        return False
    if kind is E.INSTANCENORM_STATS_VIEW and not re.search(r"instance_?norm", text, re.I):
        # the same words as any view() or reshape() in the user's code: only InstanceNorm's
        # own view of its statistics (two positive sizes) is ours
        sizes_ = (values.get("b", ""), values.get("c", ""))
        if not all(v.isdigit() and int(v) > 0 for v in sizes_) or _RESHAPE_CALL.search(text):
            return False
    if kind in _NUMBERS_ONLY and not all(v.isdigit() for v in values.values()):
        return False  # CUDA's "Got 45 and 44 (..." is not CPU's "Got 45 and 44 in dimension"
    return all(v and len(v) <= _MAX_VALUE for v in values.values())


_NUMBERS_ONLY = frozenset({E.LEGACY_CAT_SIZES, E.LEGACY_CAT_SIZES_CUDA, E.LEGACY_CAT_SIZES_TH})


def find_errors(text: str) -> list[Match]:
    """Every recognised torch error in ``text``, the first printed (the root cause of a
    chained traceback) first; a message repeated in the text counts once."""
    if len(text) > _MAX_TEXT:
        text = text[-_MAX_TEXT:]
    lines = [_LINE_PREFIX.sub("", line) for line in _clean(text)]
    source = "\n".join(lines)
    sq = _squeeze(source)
    has_header = _HEADER in source
    matches: list[Match] = []
    seen: dict[tuple[str, str], int] = {}
    index: _Frames | None = None
    newlines: list[int] = []
    for f in _find_all(sq):
        message, values = _format(f.kind, f.values), f.values
        exact = f.kind.pattern.fullmatch(source[f.start : f.end])
        if exact is not None and all("\n" not in v for v in exact.groupdict().values()):
            message = exact.group(0)
            values = {k: v.strip() for k, v in exact.groupdict().items()}
        whole = not source[: f.start].strip() and not source[f.end :].strip()
        if not _acceptable(f.kind, values, f.exc, whole, source):
            continue
        if index is None:
            index = _Frames(lines)
            newlines = [i for i, ch in enumerate(source) if ch == "\n"]
        line = _line_of(newlines, f.start)
        user, count, from_torch = index.around(line, has_header)
        match = Match(f.kind, message, values, f.exc, user, count, from_torch)
        if _foreign(match):
            continue
        key = (f.kind.code, message)
        if key in seen:
            old = matches[seen[key]]
            if (old.exc is None and match.exc is not None) or (old.frame is None and user):
                matches[seen[key]] = Match(
                    f.kind,
                    message,
                    values,
                    old.exc or match.exc,
                    old.frame or user,
                    max(old.frames, match.frames),
                    old.from_torch or from_torch,
                )
            continue
        seen[key] = len(matches)
        matches.append(match)
    return matches


def _format(kind: ErrorKind, values: Mapping[str, str]) -> str:
    return kind.template.format_map(dict(values))


def find_error(text: str) -> Match | None:
    """The first recognised torch error in ``text`` (a message or a traceback), or None:
    the root cause when the text holds several (:func:`find_errors`).

    A message that Python or torch also raises outside the convolution family (``GENERIC``)
    is only recognised on an exception line, and in a traceback only when the traceback
    passes through torch's code.
    """
    found = find_errors(text)
    return found[0] if found else None


def _foreign(match: Match) -> bool:
    """A generic message from a traceback that never enters torch: not ours to explain."""
    return match.kind.code in GENERIC and match.frames > 0 and not match.from_torch


def _advice_spec(kind: ErrorKind, values: Mapping[str, str]) -> Spec | None:
    """The conv module the message's weight describes, so fixes can be written as code."""
    if kind not in (E.CHANNEL_MISMATCH, E.TRANSPOSED_CHANNEL_MISMATCH):
        return None
    try:
        weight = [int(v) for v in re.findall(r"-?\d+", values["weight"])]
        groups = int(values.get("groups", "1"))
    except (ValueError, KeyError):
        return None
    n = len(weight) - 2
    if n not in (1, 2, 3) or groups <= 0 or min(weight) < 0:
        return None
    kernel = tuple(weight[2:])
    if kind is E.TRANSPOSED_CHANNEL_MISMATCH:
        return Conv.make(n, weight[0], weight[1] * groups, kernel, groups=groups, transposed=True)
    return Conv.make(n, weight[1] * groups, weight[0], kernel, groups=groups)


def explain(match: Match, lang: Lang = "en") -> Explanation:
    """What ``match`` means, its likely cause, fixes and a reproducing ``calc`` command."""
    from convshape.features.repro import reproduce

    generic = match.kind.code in GENERIC
    if match.kind.code in E.LEGACY:
        return _explain_older(match, lang)
    err = ShapeError(match.kind, match.message, dict(match.values))
    advice = advise(err, _advice_spec(match.kind, match.values), None, lang)
    command, note = reproduce(match.kind, match.exc, match.message, match.values)
    said = texts.text(note, lang) + _other_op(match, command, lang)
    return Explanation(match, lang, advice, command, said, generic)


_OP_CALL = re.compile(r"\b(?:F\.|torch\.|nn\.functional\.)?(conv(?:_transpose)?[123]d)\s*\(")
_OP_MODULE = re.compile(r"\bnn\.Conv(Transpose)?([123])d\s*\(")


def _op_of(code: str) -> str | None:
    """The convolution ``code`` calls (``conv2d``, ``conv_transpose1d``), or None."""
    call = _OP_CALL.search(code)
    if call is not None:
        return call.group(1)
    module = _OP_MODULE.search(code)
    if module is not None:
        return f"conv{'_transpose' if module.group(1) else ''}{module.group(2)}d"
    return None


def _user_op(match: Match) -> tuple[str, str] | None:
    """The convolution the user called, and what shows it: the frame's line, or the
    weight's number of dimensions in the message."""
    if match.frame is not None and match.frame.source:
        op = _op_of(match.frame.source)
        if op is not None:
            return op, "frame"
    values = match.values
    try:
        if "wdim" in values:
            n = int(values["wdim"]) - 2
        elif "weight" in values and match.kind.family == "conv":
            n = len(re.findall(r"-?\d+", values["weight"])) - 2
        else:
            return None
    except ValueError:
        return None
    if n not in (1, 2, 3):
        return None
    transposed = match.kind is E.TRANSPOSED_CHANNEL_MISMATCH
    return f"conv{'_transpose' if transposed else ''}{n}d", "weight"


def _other_op(match: Match, command: str | None, lang: Lang) -> str:
    """A note when the reproduction calls another op than the user's (torch 2.13 prints the
    message only there), with what torch 2.13 says for the user's op; else nothing."""
    from convshape.features.repro import counterpart

    used, user = _op_of(command or ""), _user_op(match)
    if user is None or used == user[0] or (used is None and command is not None):
        return ""
    if command is None:  # no command prints it today: what does torch 2.13 say for the call?
        if match.kind is not E.WEIGHT_INPUT_RANK:
            return ""
        said = ""
    else:
        key = "repro.other_op_frame" if user[1] == "frame" else "repro.other_op_weight"
        shown = match.values.get("weight")
        said = " " + texts.text(key, lang, used=used, user=user[0], weight=shown)
    try:
        shape = tuple(int(v) for v in re.findall(r"-?\d+", match.values["input"]))
        weight = tuple(int(v) for v in re.findall(r"-?\d+", match.values["weight"]))
        if "wdim" in match.values:  # torch 1.x printed more numbers after the weight's
            wdim = int(match.values["wdim"])
            if len(weight) < wdim:  # or fewer: then it is not the weight
                return said
            weight = weight[:wdim]
    except (KeyError, ValueError):
        return said
    found = counterpart(user[0], shape, weight)
    if found is not None:
        cmd, exc, message = found
        if exc is None:
            said += " " + texts.text("repro.other_op_runs", lang, user=user[0], command=cmd)
        else:
            message = f"{exc}: {message}"
            said += " " + texts.text(
                "repro.other_op_today", lang, user=user[0], message=message, command=cmd
            )
    return said


def _explain_older(match: Match, lang: Lang) -> Explanation:
    """An older torch's wording: today's advice and a command that prints today's message
    when the old one has its numbers, else the wording's own texts and why there is none."""
    from convshape.features.legacy import module, today
    from convshape.features.repro import reproduce, reproduce_layer

    old = E.LEGACY[match.kind.code]
    now = E.KINDS[old.today] if old.today else None
    found = today(match.kind, match.values)
    if found is None:
        err = ShapeError(match.kind, match.message, dict(match.values))
        advice = advise(err, None, None, lang)
        if now is None:
            note = texts.text("repro.cudnn", lang)
        else:
            note = texts.text("repro.older", lang, code=now.code)
        older = Older(old.versions, old.source, now, None)
        return Explanation(match, lang, advice, None, note, False, older)
    kind, values, message = found
    err = ShapeError(kind, message, values)
    layer = module(match.kind, match.values)
    if layer is None:
        advice = advise(err, _advice_spec(kind, values), None, lang)
        command, key = reproduce(kind, kind.exc, message, values)
    else:  # the old message names only what the layer takes: its other arguments are unknown
        advice = advise(err, None, layer[1], lang)
        if not advice.fixes:
            said = ShapeError(match.kind, match.message, dict(match.values))
            own = advise(said, None, None, lang)
            advice = replace(advice, fixes=own.fixes)
        command, key = reproduce_layer(layer[0], layer[1], kind.exc, message)
    older = Older(old.versions, old.source, kind, message)
    return Explanation(match, lang, advice, command, texts.text(key, lang), False, older)


class Refusal(UsageError):
    """A torch error that is recognised but is not a shape error of the layers convshape
    knows (a device, dtype, view, loss or state-dict error): ``category``
    names it and the message (in the chosen language) says where to look instead."""

    def __init__(self, category: str, message: str) -> None:
        super().__init__(message)
        self.category = category


# Errors next to the layers that are not theirs to explain: what the text holds, by category.
_DEVICE = re.compile(
    r"Input type \(torch\.cuda\.\w+\) and weight type \(torch\.(?!cuda)\w+\)"
    r"|Input type \(torch\.(?!cuda)\w+\) and weight type \(torch\.cuda\.\w+\)"
    r"|Expected all tensors to be on the same device"
)
_OUT_OF_SCOPE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("device", _DEVICE),
    (
        "dtype",
        re.compile(
            r"[Ee]xpected (?:object of )?scalar type \w+ but (?:got|found)"
            r"|expected \w+ tensor \(got \w+ tensor\)"
            r"|Expected object of type torch\.\w+ but found type"
            r"|Input type \([\w.]+\) and weight type \([\w.]+\) should be the same"
            r"|must have the same dtype"
        ),
    ),
    ("state-dict", re.compile(r"size mismatch for [\w.]+: copying a param|loading state_dict")),
    (
        "view",
        re.compile(
            r"view size is not compatible with input tensor's size and stride"
            r"|shape '\[[-\d, ]*\]' is invalid for input of size \d+"
        ),
    ),
    (
        "loss",
        re.compile(
            r"Expected input batch_size \(\d+\) to match target batch_size"
            r"|Target size \(.{0,80}\) must be (?:the same )?as input size"
            r"|Using a target size \(.{0,80}\) that is different to the input size"
            r"|Target and input must have the same number of elements"
        ),
    ),
)


def refusal(text: str, lang: Lang = "en") -> Refusal | None:
    """The out-of-scope torch error ``text`` holds, named in one line, or None."""
    plain = " ".join(text.split())
    found: list[tuple[int, int, str]] = []  # the error raised is the one printed last
    for rank, (category, pattern) in enumerate(_OUT_OF_SCOPE):
        starts = [m.start() for m in pattern.finditer(plain)]
        if starts:
            found.append((starts[-1], -rank, category))
    if not found:
        return None
    category = max(found)[2]
    return Refusal(category, texts.text(_REFUSE_TEXT[category], lang))


_REFUSE_TEXT = {
    "device": "refuse.device",
    "dtype": "refuse.dtype",
    "state-dict": "refuse.state-dict",
    "view": "refuse.view",
    "loss": "refuse.loss",
}


def explain_text(text: str, lang: Lang = "en") -> Explanation:
    """:func:`explain` the error in ``text``; :class:`Refusal` for a recognised error that
    is not a shape error of the layers convshape knows, :class:`UsageError` when there is
    none."""
    match = find_error(text)
    if match is None:
        refused = refusal(text, lang)
        if refused is not None:
            raise refused
        first = next((line.strip() for line in _clean(text) if line.strip()), "")
        shown = first if len(first) <= 60 else first[:57] + "..."
        raise UsageError(
            f"no torch shape error recognised in the text (starting {shown!r}); "
            "paste torch's message or the whole traceback"
        )
    return explain(match, lang)


def default_lang(environ: Mapping[str, str] | None = None) -> Lang:
    """``ja`` when the locale (LC_ALL, then LC_MESSAGES, then LANG) is Japanese."""
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "ja" if value.lower().startswith("ja") else "en"
    return "en"
