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

import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass

from convshape import text as texts
from convshape.core import errors as E
from convshape.core.errors import KINDS, ErrorKind, ShapeError, UsageError
from convshape.features.advice import Advice, Lang, advise
from convshape.ops import Conv, Spec

__all__ = [
    "Explanation",
    "Frame",
    "Match",
    "default_lang",
    "explain",
    "explain_text",
    "find_error",
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
class Explanation:
    match: Match
    lang: Lang
    advice: Advice
    command: str | None  # a ``convshape calc`` command that reproduces the message
    note: str  # about the command, or why there is none
    generic: bool  # the message is not specific to the convolution family


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
    )
)

_MAX_MESSAGE = 4000  # longer candidate messages are not tried (torch's are far shorter)
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_EXC_LINE = re.compile(
    r"^(?:E\s+)?(?:[A-Za-z_][\w]*\.)*(?P<exc>[A-Za-z_]\w*(?:Error|Exception)):[ \t]?(?P<msg>.*)$"
)
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
            key=lambda item: -_specificity(item[0]),
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


def _messages(lines: list[str], start: int, first: str) -> list[str]:
    """``first`` alone, then with each following line (multi-line messages), up to 8."""
    found = [first]
    current = first
    for raw in lines[start + 1 : start + 9]:
        current += "\n" + _PYTEST_PREFIX.sub("", raw)
        found.append(current)
    return found


def _frames(lines: list[str], end: int) -> list[Frame]:
    """The frames of the traceback whose exception line is ``lines[end]``."""
    begin = 0
    for i in range(end - 1, -1, -1):
        if _HEADER in lines[i]:
            begin = i
            break
    frames: list[Frame] = []
    i = begin
    while i < end:
        line = _PYTEST_PREFIX.sub("", lines[i])
        plain = _FRAME.match(line)
        ipy = None if plain else _IPY_FRAME.match(line)
        found = plain or ipy
        if found is None:
            i += 1
            continue
        source: str | None = None
        cell = None if plain else found["cell"]
        number = int(found["cell_line"] if cell else found["line"])
        j = i + 1
        if plain:
            following = lines[j] if j < end else ""
            if (
                following.startswith((" ", "\t"))
                and following.strip()
                and not _FRAME.match(following)
                and not _CARETS.match(following)
            ):
                source = following.strip()
        else:
            while j < end and not (_IPY_FRAME.match(lines[j]) or _FRAME.match(lines[j])):
                arrow = _IPY_ARROW.match(lines[j])
                if arrow and int(arrow["line"]) == number:
                    source = arrow["src"].strip() or None
                j += 1
        if cell:
            frames.append(Frame(cell, number, "<cell>", source))
        else:
            frames.append(Frame(found["file"], number, found["func"], source))
        i += 1
    return frames


def _user_frame(frames: list[Frame]) -> Frame | None:
    for frame in reversed(frames):
        if not _LIBRARY.search(frame.file):
            return frame
    return None


def _block(lines: list[str], i: int, exc: str | None, first: str) -> Match | None:
    for message in _messages(lines, i, first):
        found = match_message(message, exc)
        if found is None:
            continue
        kind, values = found
        frames = _frames(lines, i) if exc is not None else []
        inner = (frames[-1].source or "") if frames else ""
        from_torch = any(_TORCH.search(f.file) for f in frames) or bool(_CONV_CALL.search(inner))
        return Match(kind, message, values, exc, _user_frame(frames), len(frames), from_torch)
    return None


def find_error(text: str) -> Match | None:
    """The last recognised torch error in ``text`` (a message or a traceback), or None.

    A message that Python or torch also raises outside the convolution family (``GENERIC``)
    is only recognised in a traceback when the traceback passes through torch's code.
    """
    lines = _clean(text)
    found: Match | None = None
    for i, line in enumerate(lines):
        head = _EXC_LINE.match(line.strip())
        if head is None:
            continue
        match = _block(lines, i, head["exc"], head["msg"])
        if match is not None and not _foreign(match):
            found = match
    if found is not None:
        return found
    whole = "\n".join(lines).strip()
    match = _block([whole], 0, None, whole)
    if match is not None:
        return match
    for i, line in enumerate(lines):  # a message pasted with other text: its first line
        body = _PYTEST_PREFIX.sub("", line).strip()
        match = _block(lines, i, None, body) if body else None
        if match is not None:
            return match
    return None


def _foreign(match: Match) -> bool:
    """A generic message from a traceback that never enters torch: not ours to explain."""
    return match.kind.code in GENERIC and match.frames > 0 and not match.from_torch


def _advice_spec(match: Match) -> Spec | None:
    """The conv module the message's weight describes, so fixes can be written as code."""
    if match.kind not in (E.CHANNEL_MISMATCH, E.TRANSPOSED_CHANNEL_MISMATCH):
        return None
    try:
        weight = [int(v) for v in re.findall(r"-?\d+", match.values["weight"])]
        groups = int(match.values.get("groups", "1"))
    except ValueError:
        return None
    n = len(weight) - 2
    if n not in (1, 2, 3) or groups <= 0 or min(weight) < 0:
        return None
    kernel = tuple(weight[2:])
    if match.kind is E.TRANSPOSED_CHANNEL_MISMATCH:
        return Conv.make(n, weight[0], weight[1] * groups, kernel, groups=groups, transposed=True)
    return Conv.make(n, weight[1] * groups, weight[0], kernel, groups=groups)


def explain(match: Match, lang: Lang = "en") -> Explanation:
    """What ``match`` means, its likely cause, fixes and a reproducing ``calc`` command."""
    from convshape.features.repro import reproduce

    err = ShapeError(match.kind, match.message, dict(match.values))
    advice = advise(err, _advice_spec(match), None, lang)
    command, note = reproduce(match.kind, match.exc, match.message, match.values)
    generic = match.kind.code in GENERIC
    return Explanation(match, lang, advice, command, texts.text(note, lang), generic)


def explain_text(text: str, lang: Lang = "en") -> Explanation:
    """:func:`explain` the error in ``text``; :class:`UsageError` when there is none."""
    match = find_error(text)
    if match is None:
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
