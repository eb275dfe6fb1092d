"""A :class:`~convshape.features.rules.RulePage` (``convshape rule CODE``) as rich text for
people and as JSON for scripts. torch's template, the example command and what it prints
are never wrapped, so that they can be copied; labels follow the page's language."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.text import Text

from convshape.features.rules import RulePage
from convshape.text import text

__all__ = ["RULE_SCHEMA", "rules_json", "show_rules"]

RULE_SCHEMA = "convshape.rule/1"


def rules_json(pages: Sequence[RulePage], *, many: bool) -> Any:
    """One page's document (``--json``), or a list of them (``--all --json``)."""
    docs = [{"schema": RULE_SCHEMA, **page.to_json()} for page in pages]
    return docs if many else docs[0]


def _label(key: str, lang: str, body: str | Text, style: str = "bold") -> Text:
    return Text.assemble((text(key, lang) + ": ", style), body)  # type: ignore[arg-type]


def show_page(console: Console, page: RulePage) -> None:
    lang = page.lang
    console.print(Text.assemble((page.code, "bold magenta"), " ", (page.name, "bold")))
    if page.torch and page.family == "legacy":  # another release's wording
        head = text("rule.raises_older", lang, version=page.versions, exc=page.exc)
    elif page.torch:
        head = text("rule.raises", lang, version=page.versions, exc=page.exc)
    else:
        head = text("rule.lint_finding", lang, exc=page.exc)
    console.print(Text(head, style="bold red" if page.torch else "bold yellow"))
    console.print(Text("    " + page.template.replace("\n", "\n    ")), soft_wrap=True)
    console.print(_label("rule.what", lang, page.what))
    if page.cause:
        console.print(_label("rule.cause", lang, page.cause))
    ex = page.example
    if ex is not None:
        console.print(_label("rule.example", lang, Text(ex.command, "cyan")), soft_wrap=True)
        console.print(_label("rule.prints", lang, f"{ex.exc}: {ex.message}"), soft_wrap=True)
        for exc, message in ex.variants:
            console.print(_label("rule.variants", lang, f"{exc}: {message}"), soft_wrap=True)
        console.print(_label("rule.in_example", lang, ex.explanation))
    else:
        console.print(_label("rule.example", lang, Text(page.no_example, "dim")))
    for fix in page.fixes:
        console.print(_label("rule.fix", lang, fix, "green"))
    if page.related:
        related = ", ".join(f"{code} {name}" for code, name in page.related)
        console.print(_label("rule.related", lang, related))
    console.print(_label("rule.docs", lang, Text(page.url, style=f"link {page.url}")))


def show_rules(console: Console, pages: Sequence[RulePage]) -> None:
    for i, page in enumerate(pages):
        if i:
            console.print()
        show_page(console, page)
