"""The torch releases convshape models, and spans of them.

A release is its ``(major, minor)`` pair: every patch release of a minor release words its
errors the same way (the recorded fixtures in ``tests/torch_releases`` hold one patch
release each). The rules and templates are written for :data:`REFERENCE` (torch 2.13);
what other releases do differently is data next to the rule or template it changes
(:func:`span` values in the op modules, :func:`convshape.core.errors.worded` in the
taxonomy). docs/releases.md lists the modelled releases and how a new one is added.
"""

from __future__ import annotations

import re
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = [
    "LATEST",
    "MODELLED",
    "OLDEST",
    "REFERENCE",
    "Release",
    "Resolved",
    "Span",
    "current",
    "name",
    "parse",
    "resolve",
    "span",
    "using",
]

Release = tuple[int, int]

MODELLED: tuple[Release, ...] = ((1, 13), *((2, m) for m in range(16)))
"""Every release convshape predicts: 1.13 and 2.0 to 2.15."""

OLDEST, LATEST = MODELLED[0], MODELLED[-1]
REFERENCE: Release = (2, 13)
"""The release the rules and the taxonomy's base templates are written for."""

_TEXT = re.compile(r"v?(\d+)\.(\d+)(?:\.\d+)?(?:[a-z]+\d*)*(?:\.dev\d+)?(?:\+[\w.]+)?")


def name(release: Release) -> str:
    return f"{release[0]}.{release[1]}"


def parse(text: str) -> Release:
    """``2.5``, ``2.5.1``, ``2.5.1+cu121``, ``2.6.0a0`` -> ``(2, 5)``; ValueError otherwise."""
    m = _TEXT.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"not a torch release: {text!r} (expected e.g. 2.5.1, 2.5 or latest)")
    return int(m[1]), int(m[2])


@dataclass(frozen=True)
class Resolved:
    """The release a prediction is for: ``release`` (modelled), what was asked for
    (``requested``) and, when it is outside the modelled range, that the nearest modelled
    release stands in for it (``outside``)."""

    release: Release
    requested: str
    outside: bool = False
    origin: str = "--torch"

    @property
    def name(self) -> str:
        return name(self.release)

    def describe(self) -> str:
        """``torch 2.5`` plus where it came from: ``(installed 2.5.1)``, or the release
        outside the modelled range that it stands in for."""
        text = f"torch {self.name}"
        if self.outside:
            return (
                f"{text} (torch {self.requested} is outside the modelled releases "
                f"{name(OLDEST)}-{name(LATEST)}; predicted with the nearest, {self.name})"
            )
        if self.origin == "installed":
            return f"{text} (installed {self.requested})"
        if self.origin == "newest":
            return f"{text} (the newest modelled; torch is not installed)"
        return text

    def to_json(self) -> dict[str, object]:
        return {
            "release": self.name,
            "requested": self.requested,
            "source": self.origin,
            "outside_modelled": self.outside,
        }


def resolve(text: str | None, installed: str | None = None) -> Resolved:
    """``latest`` or a release -> the modelled release that predicts it (the nearest one
    when it is outside the range, said so by ``outside``). Without ``text``: the
    ``installed`` release, else the newest modelled. ValueError for a text that is not a
    release."""
    origin = "--torch"
    if text is None:
        if installed is None:
            return Resolved(LATEST, name(LATEST), origin="newest")
        text, origin = installed, "installed"
    if text.strip().lower() == "latest":
        return Resolved(LATEST, name(LATEST), origin=origin)
    release = parse(text)
    requested = text.strip()
    if release < OLDEST:
        return Resolved(OLDEST, requested, True, origin)
    if release > LATEST:
        return Resolved(LATEST, requested, True, origin)
    return Resolved(release, requested, origin=origin)


@dataclass(frozen=True)
class Span:
    """A run of releases, ``first`` to ``last`` inclusive (None: open on that side)."""

    first: Release | None = None
    last: Release | None = None

    def __contains__(self, release: object) -> bool:
        if not isinstance(release, tuple):
            return False
        return (self.first is None or release >= self.first) and (
            self.last is None or release <= self.last
        )

    def __str__(self) -> str:
        first = name(self.first or OLDEST)
        last = name(self.last or LATEST)
        return first if first == last else f"{first}-{last}"


def span(text: str) -> Span:
    """``"1.13-2.1"``, ``"2.2-"`` (2.2 and later), ``"-2.1"``, ``"2.11"`` -> a :class:`Span`."""
    first, sep, last = text.partition("-")
    a = parse(first) if first else None
    b = (parse(last) if last else None) if sep else a
    return Span(a, b)


_CURRENT: ContextVar[Release] = ContextVar("torch_release", default=REFERENCE)


def current() -> Release:
    """The release the engine is predicting for (set by :func:`using`)."""
    return _CURRENT.get()


class using:
    """``with using(release):`` - the taxonomy words errors as ``release`` does."""

    __slots__ = ("release", "token")

    def __init__(self, release: Release) -> None:
        self.release = release

    def __enter__(self) -> None:
        self.token = _CURRENT.set(self.release)

    def __exit__(self, *_: object) -> None:
        _CURRENT.reset(self.token)
