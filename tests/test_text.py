"""The catalogues of convshape.text: same keys and fields in every language, a text for every
error code, and every key used by the code (and every key the code uses in the catalogue)."""

from __future__ import annotations

import re
import string
from pathlib import Path

import convshape
from convshape.core.errors import KINDS
from convshape.text import LANGS, catalogue, text

_SOURCE = "\n".join(
    p.read_text("utf-8") for p in sorted(Path(convshape.__file__).parent.rglob("*.py"))
)
# Keys the code names literally; CSnnn.* and family.* are built from the error's code and family
_NAMED = re.compile(r"[\"']((?:advice|repro|label|rule)\.[\w.]+)[\"']")
# rule.lint.CSnnn.*: the page text of a finding of lint's own (it has no torch message)
_LINT_KEY = re.compile(r"rule\.lint\.(CS\d{3})\.(what|cause)")
_CODE_KEY = re.compile(r"(CS\d{3})\.(what|cause|fix\.(\d+))")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_language_has_the_same_keys_and_fields() -> None:
    en = catalogue("en")
    for lang in LANGS:
        other = catalogue(lang)
        assert sorted(other) == sorted(en), lang
        for key, template in other.items():
            assert _fields(template) == _fields(en[key]), (lang, key)
            assert all(name.isidentifier() for name in _fields(template)), (lang, key)


def test_every_code_and_family_has_its_texts() -> None:
    keys = catalogue("en")
    for code, kind in KINDS.items():
        assert f"family.{kind.family}.what" in keys and f"family.{kind.family}.cause" in keys
        if kind.family != "lint":  # a lint finding carries its own words
            assert f"{code}.what" in keys, code
        else:  # and its rule page has its own texts
            assert f"rule.lint.{code}.what" in keys and f"rule.lint.{code}.cause" in keys
        for key in (k for k in keys if k.startswith(f"{code}.")):  # fields of torch's message
            assert _fields(keys[key]) <= _fields(kind.template), key
        fixes = sorted(
            int(m[3]) for k in keys if (m := _CODE_KEY.fullmatch(k)) and m[1] == code and m[3]
        )
        assert fixes == list(range(1, len(fixes) + 1)), code


def test_no_unused_and_no_missing_keys() -> None:
    keys = set(catalogue("en"))
    families = {kind.family for kind in KINDS.values()}
    for key in keys:
        if (m := _CODE_KEY.fullmatch(key)) is not None:
            assert m[1] in KINDS, key
        elif (m := _LINT_KEY.fullmatch(key)) is not None:
            assert KINDS[m[1]].family == "lint", key
        elif key.startswith("family."):
            assert key.split(".")[1] in families, key
        else:
            assert f'"{key}"' in _SOURCE, f"{key} is not used"
    named = set(_NAMED.findall(_SOURCE))
    assert named and named <= keys, sorted(named - keys)


def test_values_fill_the_fields_and_missing_ones_show_as_question_marks() -> None:
    assert text("advice.use", "en", code="nn.ReLU()") == "use nn.ReLU()"
    assert text("advice.use", "ja", code="nn.ReLU()") == "nn.ReLU() を使う"
    assert text("advice.bias.fix_zeros", "en") == "use b = torch.zeros(?)"
