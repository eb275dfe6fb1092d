"""An :class:`~convshape.features.explain.Explanation` as rich text for people and as
JSON for scripts.

torch's message is printed unchanged and never wrapped, and so is the reproducing command,
so that both can be copied. Labels follow the explanation's language.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from convshape.core.errors import releases_of
from convshape.core.releases import LATEST, OLDEST, Span
from convshape.features.explain import Explanation, Refusal
from convshape.features.rules import rule_url
from convshape.text import text

__all__ = ["EXPLAIN_SCHEMA", "explanation_json", "refusal_json", "show_explanation"]

EXPLAIN_SCHEMA = "convshape.explain/1"


def explanation_json(ex: Explanation) -> dict[str, Any]:
    """The documented ``convshape explain --json`` document (see docs/explain.md)."""
    m = ex.match
    frame = m.frame
    return {
        "schema": EXPLAIN_SCHEMA,
        "lang": ex.lang,
        "code": m.kind.code,
        "name": m.kind.name,
        "family": m.kind.family,
        "releases": releases_of(m.kind.code),
        "exception": m.exc or m.kind.exc,
        "message": m.message,
        "values": dict(m.values),
        "frame": None
        if frame is None
        else {
            "file": frame.file,
            "line": frame.line,
            "function": frame.function,
            "source": frame.source,
        },
        "explanation": ex.advice.explanation,
        "cause": ex.advice.cause,
        "fixes": list(ex.advice.fixes),
        "reproduce": {"command": ex.command, "note": ex.note},
        "generic": ex.generic,
        "older": _older_json(ex),
        "url": rule_url(m.kind.code),
    }


def refusal_json(refused: Refusal, lang: str) -> dict[str, Any]:
    """``explain --json`` for a recognised error that is not convshape's to explain."""
    return {
        "schema": EXPLAIN_SCHEMA,
        "lang": lang,
        "code": None,
        "refused": {"category": refused.category, "message": str(refused)},
    }


def _older_json(ex: Explanation) -> dict[str, Any] | None:
    older = ex.older
    if older is None:
        return None
    today = older.today
    return {
        "versions": older.versions,
        "source": older.source,
        "today": None
        if today is None
        else {"code": today.code, "exception": today.exc, "message": older.message},
    }


def older_lines(ex: Explanation) -> list[str]:
    """What explain says about an older torch's wording: who printed it, and today's words."""
    older, lang = ex.older, ex.lang
    if older is None:
        return []
    key = "legacy.printed" if older.today is not None else "legacy.printed_cuda"
    lines = [text(key, lang, versions=older.versions, source=older.source)]
    if older.today is not None and older.message is not None:
        lines.append(text("legacy.today", lang, code=older.today.code))
        lines.append(f"    {older.today.exc}: {older.message}")
    elif older.today is not None:
        lines.append(text("legacy.no_today", lang, code=older.today.code))
    return lines


def show_explanation(console: Console, ex: Explanation) -> None:
    lang, m = ex.lang, ex.match
    console.print(
        Text.assemble(
            (f"[{m.kind.code} {m.kind.name}] ", "magenta"),
            (f"{m.exc or m.kind.exc}: ", "bold red"),
            m.message,
        ),
        soft_wrap=True,
    )
    if m.frame is not None:
        f = m.frame
        where = f"{f.file}:{f.line} in {f.function}"
        console.print(
            Text.assemble((text("label.where", lang) + ": ", "bold"), where), soft_wrap=True
        )
        if f.source:
            console.print(Text(f"    {f.source}", style="cyan"), soft_wrap=True)
    for i, line in enumerate(older_lines(ex)):
        label = (text("label.older", lang) + ": ", "bold") if i == 0 else ""
        console.print(Text.assemble(label, line), soft_wrap=line.startswith("    "))
    if ex.older is None and (releases := releases_of(m.kind.code)):
        every = releases == str(Span(OLDEST, LATEST))
        said = text("legacy.releases_all" if every else "legacy.releases", lang, versions=releases)
        console.print(Text.assemble((text("label.releases", lang) + ": ", "bold"), said))
    console.print(Text.assemble((text("label.what", lang) + ": ", "bold"), ex.advice.explanation))
    if m.values:
        numbers = ", ".join(f"{k}={v}" for k, v in m.values.items())
        console.print(Text.assemble((text("label.numbers", lang) + ": ", "bold"), numbers))
    if ex.advice.cause:
        console.print(Text.assemble((text("label.cause", lang) + ": ", "bold"), ex.advice.cause))
    for fix in ex.advice.fixes:
        console.print(Text.assemble((text("label.fix", lang) + ": ", "green"), fix))
    if ex.generic:
        console.print(Text(text("label.generic", lang), style="dim"))
    if ex.command is not None:
        console.print(
            Text.assemble((text("label.repro", lang) + ": ", "bold"), ex.command), soft_wrap=True
        )
    console.print(Text(ex.note, style="dim"))
    url = rule_url(m.kind.code)
    console.print(
        Text.assemble(
            (text("rule.docs", lang) + ": ", "bold"),
            (url, f"link {url}"),
            f"  (convshape rule {m.kind.code})",
        ),
        soft_wrap=True,
    )
