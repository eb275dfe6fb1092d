"""Lint findings as CI tools read them: text, JSON, GitHub annotations, SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from convshape.core.errors import KINDS
from convshape.core.shapes import shape_text as _shape
from convshape.features.lint.values import Finding

if TYPE_CHECKING:
    from rich.console import Console

    from convshape.features.lint.model import ModelReport
    from convshape.features.lint.static import Followed

__all__ = [
    "FORMATS",
    "LINT_SCHEMA",
    "escape_data",
    "escape_property",
    "github",
    "json_document",
    "sarif",
    "text_lines",
]

FORMATS: Final = ("text", "json", "github", "sarif")
LINT_SCHEMA: Final = "convshape.lint/1"
SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS: Final = "https://github.com/convshape/convshape/blob/main/docs/lint.md"


def _version() -> str:
    from convshape import __version__

    return __version__


# -- text ---------------------------------------------------------------------------------


def text_lines(findings: Sequence[Finding]) -> list[str]:
    """``path:line:col: CODE message``, one line per finding (flake8 / ruff style)."""
    return [f"{f.path}:{f.line}:{f.col}: {f.code} {f.message}" for f in findings]


def show_text(
    console: Console,
    findings: Sequence[Finding],
    files: int,
    reports: Sequence[ModelReport] = (),
    *,
    show_fixes: bool = False,
    dtype: str = "float32",
    followed: Sequence[Followed] = (),
) -> None:
    from rich.text import Text

    for report in reports:
        _show_model(console, report, dtype)
    for f in findings:
        style = {"warning": "bold yellow", "info": "bold blue"}.get(f.severity, "bold red")
        url = _url(f.code)
        code_style = f"{style} link {url}" if url else style
        console.print(
            Text.assemble(
                (f.path, "bold"), f":{f.line}:{f.col}: ", (f.code, code_style), " ", f.message
            )
        )
        if show_fixes:
            for fix in f.fixes:
                console.print(Text.assemble(("    fix: ", "green"), fix))
        for r in f.related:
            console.print(Text(f"    or at {f.path}:{r.line}:{r.col}: {r.message}", style="dim"))
            if show_fixes:
                for fix in r.fixes:
                    console.print(Text.assemble(("    fix: ", "green"), fix))
    if findings:
        console.print(Text(rules_hint(findings), style="dim"))
    line = summary(findings, files, len(reports), followed)
    console.print(Text(line, style="dim" if findings else ""))


def rules_hint(findings: Sequence[Finding]) -> str:
    """Where the codes found are explained: ``convshape rule CODE`` and docs/errors.md."""
    codes = sorted({f.code for f in findings if f.code in KINDS})
    if not codes:
        return ""
    from convshape.features.rules import DOCS_URL

    return f"Explain a code: convshape rule {codes[0]} (all codes: {DOCS_URL})."


def summary(
    findings: Sequence[Finding], files: int, models: int = 0, followed: Sequence[Followed] = ()
) -> str:
    """The last line: what was checked (files, the models static lint followed in them
    and with which input, the models run), and what was found."""
    checked = []
    if files:
        checked.append(f"{files} file{'s' if files != 1 else ''}")
    if models:
        checked.append(f"{models} model{'s' if models != 1 else ''}")
    what = " and ".join(checked) or "nothing"
    shown = followed_text(followed)
    if shown:
        what += f"; {shown}"
    if not findings:
        return f"All checks passed ({what})."
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = sum(1 for f in findings if f.severity == "warning")
    infos = len(findings) - errors - warnings
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if infos:
        parts.append(f"{infos} info")
    n = len(findings)
    return f"Found {n} finding{'s' if n != 1 else ''} ({', '.join(parts)}) in {what}."


def followed_text(followed: Sequence[Followed]) -> str:
    """``12 models followed statically (3 on a declared input, 9 on images of unknown
    size), 4 skipped``: '' when static lint followed none."""
    ran = [m for m in followed if m.how in ("declared", "assumed", "unknown")]
    if not ran:
        return ""
    how = {k: sum(1 for m in ran if m.how == k) for k in ("declared", "assumed", "unknown")}
    words = {
        "declared": "on a declared input",
        "assumed": "on images of unknown size",
        "unknown": "on an unknown input",
    }
    parts = [f"{n} {words[k]}" for k, n in how.items() if n]
    n = len(ran)
    text = f"{n} model{'s' if n != 1 else ''} followed statically ({', '.join(parts)})"
    skipped = sum(1 for m in followed if m.how == "skipped")
    return text + (f", {skipped} skipped" if skipped else "")


def _show_model(console: Console, report: ModelReport, dtype: str = "float32") -> None:
    """One row per module call, readable at 80 columns: the module path, then (dim) its
    class, where it was built and its input when that is not the previous row's output;
    the output; the MB of a leaf's output."""
    from rich.table import Table
    from rich.text import Text

    from convshape.features.memory import MB, memory_table

    mode = "training mode" if report.train else "eval mode"
    title = f"{report.factory}  input {_shapes(report.inputs)}  ({mode})"
    table = Table(
        title=title,
        title_justify="left",
        box=None,
        pad_edge=False,
        collapse_padding=True,
        header_style="bold",
    )
    table.add_column("module / class, built at, input", overflow="fold", min_width=24)
    table.add_column("output", overflow="fold")
    table.add_column("MB", justify="right", no_wrap=True)
    previous = report.inputs
    for row in report.layers:
        size = row.output_bytes(dtype) if row.leaf else 0
        name = Text(row.path or "(model)", style="bold")
        detail = [row.cls, short_location(row.location)]
        if row.inputs != previous:
            detail.append(f"in {_shapes(row.inputs) or '-'}")
        name.append("\n  " + " ".join(d for d in detail if d), style="dim")
        table.add_row(name, _shapes(row.outputs) or "-", f"{size / MB:.2f}" if size else "")
        if row.outputs:
            previous = row.outputs
    console.print(table)
    if report.output is not None:
        console.print(f"output {' '.join(_shape(s) for s in report.output)}")
    console.print(memory_table(report.memory(dtype)))
    if report.lock_diff:
        _show_diff(console, report)


def _shapes(shapes: Sequence[tuple[int, ...]]) -> str:
    """Shapes without spaces, ``(1,64,32,32)``: a table column stays narrow."""
    return " ".join(_shape(s).replace(" ", "") for s in shapes)


def short_location(location: str) -> str:
    """``file:line:col`` with an absolute path outside the folder lint runs in written
    from the ``sys.path`` entry holding it (``torchvision/models/resnet.py:42:5``, not
    ``/tmp/venv/lib/python3.11/site-packages/...``)."""
    import os
    import sys

    if not os.path.isabs(location):
        return location
    best = ""
    for entry in sys.path:
        base = os.path.abspath(entry or os.curdir).rstrip(os.sep) + os.sep
        if location.startswith(base) and len(base) > len(best):
            best = base
    return location[len(best) :] if best else location


def _show_diff(console: Console, report: ModelReport) -> None:
    from rich.table import Table

    table = Table(
        title=f"{report.factory}: locked shapes that changed",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
    )
    for column in ("layer", "class", "locked", "now"):
        table.add_column(column)
    for layer, cls, locked, now in report.lock_diff:
        table.add_row(layer or "(model)", cls, locked, now, style="red")
    console.print(table)


# -- JSON ---------------------------------------------------------------------------------


def finding_json(f: Finding) -> dict[str, Any]:
    return {
        "path": f.path,
        "line": f.line,
        "column": f.col,
        "end_line": f.end_line or f.line,
        "end_column": f.end_col or f.col,
        "code": f.code,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "fixes": list(f.fixes),
        "related": [
            {
                "line": r.line,
                "column": r.col,
                "end_line": r.end_line or r.line,
                "end_column": r.end_col or r.col,
                "message": r.message,
                "fixes": list(r.fixes),
            }
            for r in f.related
        ],
        "url": _url(f.code),
    }


def _url(code: str) -> str | None:
    """The code's page in docs/errors.md (None for a code outside the taxonomy)."""
    from convshape.features.rules import rule_url

    return rule_url(code) if code in KINDS else None


def json_document(
    findings: Sequence[Finding],
    files: int,
    reports: Sequence[ModelReport] = (),
    dtype: str = "float32",
    followed: Sequence[Followed] = (),
) -> dict[str, Any]:
    """The documented ``--output-format json`` document (docs/lint.md)."""
    return {
        "schema": LINT_SCHEMA,
        "files": files,
        "findings": [finding_json(f) for f in findings],
        "models": [r.to_json(dtype) for r in reports],
        "followed": [
            {
                "path": m.path,
                "model": m.model,
                "input": None if m.input is None else list(m.input),
                "how": m.how,
            }
            for m in followed
        ],
        "summary": {
            "findings": len(findings),
            "errors": sum(1 for f in findings if f.severity == "error"),
            "warnings": sum(1 for f in findings if f.severity == "warning"),
        },
    }


# -- GitHub workflow commands -------------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF escaped (as @actions/core does)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: also ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding]) -> list[str]:
    """``::error file=...,line=...,col=...,title=CS112::message`` per finding."""
    out = []
    for f in findings:
        command = {"warning": "warning", "info": "notice"}.get(f.severity, "error")
        props = {
            "file": f.path,
            "line": str(f.line),
            "col": str(f.col),
            "endLine": str(f.end_line or f.line),
            "endColumn": str(f.end_col or f.col),
            "title": f"{f.code} {f.name}",
        }
        joined = ",".join(f"{k}={escape_property(v)}" for k, v in props.items())
        out.append(f"::{command} {joined}::{escape_data(f.code + ' ' + f.message)}")
    return out


# -- SARIF 2.1.0 --------------------------------------------------------------------------


def _rule(code: str) -> dict[str, Any]:
    """A SARIF rule: its description and help are the code's page (``convshape rule``,
    docs/errors.md), its ``helpUri`` that page's anchor."""
    from convshape.features.rules import page_markdown, rule_page, rule_url

    kind = KINDS.get(code)
    level = "warning" if code in WARNING_CODES else "error"
    if kind is None:  # not a code of the taxonomy: nothing more to say than its name
        return {
            "id": code,
            "name": code,
            "shortDescription": {"text": code},
            "defaultConfiguration": {"level": level},
        }
    page = rule_page(code)
    if kind.family != "lint":
        short = f"torch raises {kind.exc}: {kind.name}"
    else:
        short = kind.name.replace("-", " ")
    help_text = [page.what, page.cause]
    if page.example is not None:
        help_text += [f"Example: {page.example.command}", *page.fixes]
    return {
        "id": code,
        "name": "".join(part.capitalize() for part in kind.name.split("-")),
        "shortDescription": {"text": short},
        "fullDescription": {"text": page.what},
        "helpUri": rule_url(code),
        "help": {
            "text": "\n".join(t for t in help_text if t),
            "markdown": "\n".join(page_markdown(page)).strip(),
        },
        "defaultConfiguration": {"level": level},
        "properties": {"tags": ["shape", "pytorch", kind.family]},
    }


WARNING_CODES: Final = frozenset({"CS901", "CS902"})


def sarif(findings: Sequence[Finding], root_uri: str | None = None) -> dict[str, Any]:
    """A SARIF 2.1.0 log GitHub code scanning accepts: one run, rules by code."""
    codes = sorted({f.code for f in findings})
    index = {code: i for i, code in enumerate(codes)}
    results = []

    def location(path: str, line: int, col: int, end_line: int, end_col: int) -> dict[str, Any]:
        region: dict[str, Any] = {"startLine": line, "startColumn": col}
        if end_line:
            region["endLine"] = max(end_line, line)
        if end_col and (end_line > line or end_col > col):
            region["endColumn"] = end_col
        artifact: dict[str, Any] = {"uri": _uri(path)}
        if root_uri is not None:
            artifact["uriBaseId"] = "SRCROOT"
        return {"physicalLocation": {"artifactLocation": artifact, "region": region}}

    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": index[f.code],
            "level": {"warning": "warning", "info": "note"}.get(f.severity, "error"),
            "message": {"text": f.message},
            "locations": [location(f.path, f.line, f.col, f.end_line, f.end_col)],
        }
        if f.related:
            result["relatedLocations"] = [
                {
                    "id": i,
                    "message": {"text": r.message},
                    **location(f.path, r.line, r.col, r.end_line, r.end_col),
                }
                for i, r in enumerate(f.related, 1)
            ]
        if f.fixes:
            result["properties"] = {"fixes": [*f.fixes, *(x for r in f.related for x in r.fixes)]}
        results.append(result)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "convshape",
                "version": _version(),
                "semanticVersion": _version(),
                "informationUri": DOCS,
                "rules": [_rule(code) for code in codes],
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if root_uri is not None:
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": root_uri}}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _uri(path: str) -> str:
    from urllib.parse import quote

    return quote(path.replace("\\", "/"), safe="/:")


def render(
    fmt: str,
    findings: Sequence[Finding],
    files: int,
    reports: Sequence[ModelReport] = (),
    root_uri: str | None = None,
    dtype: str = "float32",
    followed: Sequence[Followed] = (),
) -> str:
    """The whole report as text in a machine format (not ``text``, which is rich)."""
    if fmt == "json":
        return json.dumps(json_document(findings, files, reports, dtype, followed), indent=2)
    if fmt == "github":
        return "\n".join(github(findings))
    if fmt == "sarif":
        return json.dumps(sarif(findings, root_uri), indent=2)
    raise ValueError(fmt)
