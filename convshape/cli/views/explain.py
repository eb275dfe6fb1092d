"""An :class:`~convshape.explain.Explanation` as rich text for people and as JSON for scripts.

torch's message is printed unchanged and never wrapped, and so is the reproducing command,
so that both can be copied. Labels follow the explanation's language.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.text import Text

from convshape.features.explain import Explanation

__all__ = ["EXPLAIN_SCHEMA", "explanation_json", "show_explanation"]

EXPLAIN_SCHEMA = "convshape.explain/1"

_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "where": "where",
        "what": "what happened",
        "numbers": "numbers",
        "cause": "likely cause",
        "fix": "fix",
        "repro": "reproduce",
        "generic": (
            "Python or torch also raise this message outside the convolution family; the "
            "explanation assumes it came from one of its layers."
        ),
    },
    "ja": {
        "where": "発生箇所",
        "what": "何が起きたか",
        "numbers": "数値",
        "cause": "考えられる原因",
        "fix": "修正",
        "repro": "再現",
        "generic": (
            "このメッセージは畳み込み系以外でも Python や torch が出します。ここでは畳み込み系"
            "の層から出たものとして説明しています。"
        ),
    },
}


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
    }


def show_explanation(console: Console, ex: Explanation) -> None:
    labels = _LABELS[ex.lang]
    m = ex.match
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
        console.print(Text.assemble((f"{labels['where']}: ", "bold"), where), soft_wrap=True)
        if f.source:
            console.print(Text(f"    {f.source}", style="cyan"), soft_wrap=True)
    console.print(Text.assemble((f"{labels['what']}: ", "bold"), ex.advice.explanation))
    if m.values:
        numbers = ", ".join(f"{k}={v}" for k, v in m.values.items())
        console.print(Text.assemble((f"{labels['numbers']}: ", "bold"), numbers))
    if ex.advice.cause:
        console.print(Text.assemble((f"{labels['cause']}: ", "bold"), ex.advice.cause))
    for fix in ex.advice.fixes:
        console.print(Text.assemble((f"{labels['fix']}: ", "green"), fix))
    if ex.generic:
        console.print(Text(labels["generic"], style="dim"))
    if ex.command is not None:
        console.print(Text.assemble((f"{labels['repro']}: ", "bold"), ex.command), soft_wrap=True)
    console.print(Text(ex.note, style="dim"))
