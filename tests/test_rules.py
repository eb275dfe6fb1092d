"""convshape rule and docs/errors.md: a page per code, each example run through calc (it must
print its code) and through torch (torch must raise the message calc predicts), the
generated page kept fresh, and the links from explain, lint and SARIF."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from convshape.cli.app import cli
from convshape.core.errors import KINDS
from convshape.features.examples import EXAMPLES
from convshape.features.lint.output import sarif
from convshape.features.lint.values import Finding
from convshape.features.rules import (
    NO_EXAMPLE,
    errors_markdown,
    find_code,
    nearest_codes,
    related_codes,
    rule_page,
    rule_url,
)

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
CODES = sorted(KINDS)
_JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_FIELD = re.compile(r"\{\w+\}")


def _printed(doc: dict[str, object]) -> dict[str, object]:
    """The error a calc --json document reports (one layer, or a stack's failing row)."""
    if "error" in doc:
        return doc["error"]  # type: ignore[return-value]
    rows = doc["layers"]
    return next(row["error"] for row in rows if row.get("error"))  # type: ignore[attr-defined]


def test_every_torch_code_has_an_example_or_says_why() -> None:
    for code, kind in KINDS.items():
        if kind.family in ("lint", "legacy"):  # legacy: calc prints today's words only
            assert code not in EXAMPLES and code not in NO_EXAMPLE
        else:
            assert (code in EXAMPLES) != (code in NO_EXAMPLE), code
    assert set(EXAMPLES) <= set(KINDS)


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_example_prints_its_code(code: str) -> None:
    page = rule_page(code)
    assert page.example is not None
    args = shlex.split(page.example.command)
    assert args[:2] == ["convshape", "calc"]
    result = runner.invoke(cli, [*args[1:], "--json"])
    assert result.exit_code == 1, result.output
    error = _printed(json.loads(result.output))
    assert error["code"] == code
    assert (error["exception"], error["message"]) == (page.example.exc, page.example.message)


@pytest.mark.parametrize("code", sorted(EXAMPLES))
def test_torch_raises_what_the_example_predicts(code: str) -> None:
    pytest.importorskip("torch")
    args = shlex.split(rule_page(code).example.command)  # type: ignore[union-attr]
    result = runner.invoke(cli, ["verify", *args[2:], "--json"])
    doc = json.loads(result.output)
    assert doc["agree"], result.output
    if "torch" in doc:  # one layer: torch's own exception and message
        assert doc["torch"]["exception"], result.output
        assert doc["engine"]["error"]["code"] == code
    else:  # a stack: torch failed too
        assert doc["torch_failed"] is not None, result.output


@pytest.mark.parametrize("code", CODES)
def test_page_in_both_languages(code: str) -> None:
    en, ja = rule_page(code, "en"), rule_page(code, "ja")
    assert (en.code, en.name, en.template) == (code, KINDS[code].name, KINDS[code].template)
    for page in (en, ja):
        for part in (page.what, page.cause, *page.fixes, page.no_example):
            assert not _FIELD.search(part), (code, part)  # no unfilled {field}
        assert page.what and page.cause
        assert (page.example is None) == bool(page.no_example)
        assert all(c in KINDS and c != code for c, _ in page.related)
    assert not _JA.search(en.what + en.cause)
    assert _JA.search(ja.what) and _JA.search(ja.cause), code
    assert len(ja.fixes) == len(en.fixes)
    assert (
        en.url == f"https://github.com/convshape/convshape/blob/main/docs/errors.md#{code.lower()}"
    )


def test_related_codes_share_the_fault() -> None:
    assert {"CS118", "CS119"} <= set(related_codes("CS117"))  # the same fault, other backends
    assert "CS201" in related_codes("CS112")  # channels of a transposed convolution
    assert "CS806" in related_codes("CS805")


def test_docs_errors_md_is_fresh() -> None:
    committed = (ROOT / "docs" / "errors.md").read_text("utf-8")
    assert committed == errors_markdown(), "run: python scripts/gen_errors_md.py"


def test_docs_errors_md_has_an_anchor_and_example_per_code() -> None:
    doc = (ROOT / "docs" / "errors.md").read_text("utf-8")
    for code in CODES:
        assert doc.count(f'<a id="{code.lower()}"></a>') == 1, code
        assert f"## {code} {KINDS[code].name}\n" in doc
    for code in EXAMPLES:
        page = rule_page(code)
        assert page.example is not None and f"\n{page.example.command}\n" in doc


def test_generator_script_check_mode() -> None:
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "gen_errors_md.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_rule_command_prints_the_page() -> None:
    result = runner.invoke(cli, ["rule", "CS112"])
    assert result.exit_code == 0
    page = rule_page("CS112")
    assert page.example is not None
    for part in ("CS112 channel-mismatch", "RuntimeError", page.example.command, rule_url("CS112")):
        assert part in result.output, part
    assert page.example.message in result.output  # never wrapped
    assert KINDS["CS112"].template in result.output


def test_rule_command_accepts_numbers_and_names() -> None:
    for query in ("cs112", "112", "channel-mismatch", "channel_mismatch"):
        result = runner.invoke(cli, ["rule", query, "--json"])
        assert result.exit_code == 0, query
        assert json.loads(result.output)["code"] == "CS112"


def test_rule_json_and_japanese() -> None:
    result = runner.invoke(cli, ["rule", "CS115", "--json", "--lang", "ja"])
    assert result.exit_code == 0
    doc = json.loads(result.output)
    assert doc["schema"] == "convshape.rule/1" and doc["lang"] == "ja"
    assert doc["code"] == "CS115" and doc["torch"] is True
    assert doc["fields"] == ["padded", "kernel"]
    assert doc["example"]["command"].startswith("convshape calc ")
    assert _JA.search(doc["what"]) and _JA.search(doc["example"]["explanation"])
    errors_md = (ROOT / "docs" / "errors.md").read_text("utf-8")
    for key in doc:
        if key != "schema":
            assert f"`{key}`" in errors_md, key  # every key is documented
    for key in doc["example"]:
        assert f"`{key}`" in errors_md, key


def test_rule_all() -> None:
    result = runner.invoke(cli, ["rule", "--all", "--json"])
    assert result.exit_code == 0
    docs = json.loads(result.output)
    assert [d["code"] for d in docs] == CODES
    text = runner.invoke(cli, ["rule", "--all"])
    assert text.exit_code == 0
    assert all(f"{code} {KINDS[code].name}" in text.output for code in CODES)


def test_lint_code_page_has_no_command() -> None:
    page = rule_page("CS901")
    assert not page.torch and page.example is None and "lint" in page.no_example


@pytest.mark.parametrize(
    ("query", "nearest"),
    [("CS999", "CS908"), ("CS119x", "CS119"), ("chanel-mismatch", "CS112"), ("113", None)],
)
def test_unknown_code_exits_2_naming_the_nearest(query: str, nearest: str | None) -> None:
    result = runner.invoke(cli, ["rule", query])
    if nearest is None:
        assert result.exit_code == 0
        return
    assert result.exit_code == 2
    assert "unknown code" in result.output and nearest in result.output


def test_rule_needs_one_code_or_all() -> None:
    assert runner.invoke(cli, ["rule"]).exit_code == 2
    assert runner.invoke(cli, ["rule", "CS112", "--all"]).exit_code == 2


@given(st.text(max_size=30))
def test_any_query_is_found_or_has_nearest_codes(query: str) -> None:
    code = find_code(query)
    if code is None:
        assert all(c in KINDS for c in nearest_codes(query))
    else:
        assert code in KINDS


def test_sarif_rules_are_the_pages() -> None:
    findings = [
        Finding("m.py", 1, 1, "CS112", "msg", "error", 1, 2),
        Finding("m.py", 2, 1, "CS901", "msg", "warning", 2, 2),
    ]
    rules = sarif(findings)["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["CS112", "CS901"]
    for rule in rules:
        page = rule_page(rule["id"])
        assert rule["fullDescription"]["text"] == page.what
        assert rule["helpUri"] == rule_url(rule["id"])
        assert page.what in rule["help"]["text"] and page.cause in rule["help"]["text"]
        for part in (rule["fullDescription"]["text"], rule["help"]["text"]):
            assert not _FIELD.search(part), part


def test_explain_links_the_page() -> None:
    message = (
        "RuntimeError: Given groups=1, weight of size [12, 5, 3, 3], expected input[2, 6, 5, 5]"
        " to have 5 channels, but got 6 channels instead"
    )
    shown = runner.invoke(cli, ["explain", "--lang", "en", message])
    assert shown.exit_code == 0 and rule_url("CS112") in shown.output
    doc = json.loads(runner.invoke(cli, ["explain", "--json", message]).output)
    assert doc["url"] == rule_url("CS112")
