"""Every sentence convshape shows people, one catalogue per language.

``en.toml`` and ``ja.toml`` hold the same keys: ``CS112.what``, ``CS112.cause`` and
``CS112.fix.1`` ... for each error code (the fixed advice), ``family.<name>.what`` and
``.cause`` for a family's fallback, ``advice.<rule>.*`` for the sentences that computed
advice assembles, ``repro.*`` for the notes under a reproducing command and ``label.*``
for explain's labels. ``{name}`` in a text is filled by :func:`text`'s keyword arguments.
Each catalogue is parsed on first use only (``tests/test_text.py`` checks that both agree).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any, Literal

__all__ = ["LANGS", "Lang", "catalogue", "has", "text"]

Lang = Literal["en", "ja"]
LANGS: tuple[Lang, ...] = ("en", "ja")


class _Values(dict[str, object]):
    """A field the text names but the caller did not give shows as ``?``."""

    def __missing__(self, key: str) -> str:
        return "?"


def _flatten(table: Mapping[str, Any], prefix: str, into: dict[str, str]) -> None:
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            _flatten(value, key + ".", into)
        else:
            into[key] = str(value)


@cache
def catalogue(lang: Lang) -> Mapping[str, str]:
    """Every text of ``lang``, by its dotted key (about 10 ms, the first time only)."""
    import tomllib  # here, not at the top: most runs of calc never show advice

    data = tomllib.loads(resources.files(__name__).joinpath(f"{lang}.toml").read_text("utf-8"))
    flat: dict[str, str] = {}
    _flatten(data, "", flat)
    return flat


def has(key: str, lang: Lang = "en") -> bool:
    return key in catalogue(lang)


def text(key: str, lang: Lang = "en", /, **values: object) -> str:
    """The text ``key`` in ``lang`` with its ``{name}`` fields filled from ``values``."""
    return catalogue(lang)[key].format_map(_Values(values))
