"""One page per error code, as ``ruff rule`` has one per rule: ``convshape rule CS112``.

:func:`rule_page` builds a :class:`RulePage` from the taxonomy (:mod:`convshape.core.errors`:
the code, its name, torch's exception and template), a ``convshape calc`` command that
prints the code (:data:`convshape.features.examples.EXAMPLES`), what that command predicts
(the engine, exactly as ``calc`` runs it) and the advice for it (:func:`~convshape.features.
advice.advise`: what it means, the usual cause, the fixes with code), in English or
Japanese. :func:`errors_markdown` writes every page as ``docs/errors.md``, one section and
one stable anchor (``#cs112``) per code; :func:`rule_url` links to it.

Nothing here imports torch; the engine and the readers are imported when a page is built.
"""

from __future__ import annotations

import difflib
import math
import re
import shlex
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Final

from convshape.core.errors import (
    KINDS,
    LEGACY,
    RECORDED,
    ErrorKind,
    ShapeError,
    UsageError,
    releases_of,
)
from convshape.text import Lang, has, text

if TYPE_CHECKING:
    from convshape.core.shapes import Shape
    from convshape.ops import AnySpec

__all__ = [
    "DOCS_URL",
    "TORCH_VERSION",
    "Example",
    "RulePage",
    "errors_markdown",
    "find_code",
    "nearest_codes",
    "rule_page",
    "rule_url",
]

DOCS_URL: Final = "https://github.com/convshape/convshape/blob/main/docs/errors.md"
TORCH_VERSION: Final = "2.13"  # the torch whose words the taxonomy holds (CPU)


def rule_url(code: str) -> str:
    """The page of ``code`` in docs/errors.md (its anchor is the lower-case code)."""
    return f"{DOCS_URL}#{code.lower()}"


@dataclass(frozen=True)
class Example:
    """A ``convshape calc`` command that prints the code, and what it prints."""

    args: tuple[str, ...]  # the arguments after ``convshape calc``
    exc: str
    message: str
    variants: tuple[tuple[str, str], ...] = ()  # other (exception, message) torch may print
    explanation: str = ""  # what happened, with the example's numbers

    @property
    def command(self) -> str:
        return shlex.join(["convshape", "calc", *self.args])


@dataclass(frozen=True)
class RulePage:
    """Everything ``convshape rule CODE`` shows about one code, in one language."""

    code: str
    name: str
    family: str
    exc: str  # torch's exception type (for lint's own findings: Lint or LintWarning)
    template: str  # torch's message with {fields}
    torch: bool  # a torch error (False: a finding of convshape lint itself)
    what: str  # what the code means in general (the message's fields as <name>)
    cause: str
    fixes: tuple[str, ...]  # for the example when there is one (as code), else in general
    example: Example | None
    no_example: str  # why there is no command, when there is none
    related: tuple[tuple[str, str], ...]  # (code, name)
    lang: Lang
    versions: str = TORCH_VERSION  # the torch versions that print it (an older wording's)

    @property
    def url(self) -> str:
        return rule_url(self.code)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(re.findall(r"\{(\w+)\}", self.template)))

    def to_json(self) -> dict[str, object]:
        """The documented ``convshape rule --json`` document of one code (docs/errors.md)."""
        ex = self.example
        return {
            "code": self.code,
            "name": self.name,
            "family": self.family,
            "torch": self.torch,
            "exception": self.exc,
            "template": self.template,
            "fields": list(self.fields),
            "torch_versions": [self.versions] if self.torch else [],
            "what": self.what,
            "cause": self.cause,
            "fixes": list(self.fixes),
            "example": None
            if ex is None
            else {
                "command": ex.command,
                "exception": ex.exc,
                "message": ex.message,
                "variants": [{"exception": e, "message": m} for e, m in ex.variants],
                "explanation": ex.explanation,
            },
            "no_example": self.no_example or None,
            "related": [{"code": c, "name": n} for c, n in self.related],
            "url": self.url,
            "lang": self.lang,
        }


# ---------------------------------------------------------------------------------------
# Finding a code
# ---------------------------------------------------------------------------------------


def find_code(query: str) -> str | None:
    """``CS112``, ``cs112``, ``112`` or the name ``channel-mismatch`` -> ``CS112``."""
    q = query.strip()
    upper = q.upper()
    if re.fullmatch(r"[0-9]+", upper):
        upper = "CS" + upper
    if upper in KINDS:
        return upper
    lower = q.lower().replace("_", "-")
    return next((c for c, k in KINDS.items() if k.name == lower), None)


def nearest_codes(query: str, n: int = 3) -> list[str]:
    """The codes nearest to an unknown one: by number for a code, by spelling for a name."""
    q = query.strip().upper().removeprefix("CS")
    if re.fullmatch(r"[0-9]+", q):
        number = int(q)
        return sorted(KINDS, key=lambda c: (abs(int(c[2:]) - number), c))[:n]
    names = {k.name: c for c, k in KINDS.items()}
    close = difflib.get_close_matches(query.strip().lower(), list(names), n=n, cutoff=0.4)
    if close:
        return [names[name] for name in close]
    close = difflib.get_close_matches(query.strip().upper(), list(KINDS), n=n, cutoff=0.0)
    return close


# ---------------------------------------------------------------------------------------
# Related codes: the same words in the name, rarer words weighing more
# ---------------------------------------------------------------------------------------

_SAME: Final = {"transposed": "transpose", "channels": "channel", "deconvolution": "convolution"}


_STOP: Final = frozenset({"too", "1d", "2d", "3d"})


def _tokens(kind: ErrorKind) -> set[str]:
    return {_SAME.get(t, t) for t in kind.name.split("-") if t not in _STOP}


@cache
def _weights() -> dict[str, float]:
    counts = Counter(t for k in KINDS.values() for t in _tokens(k))
    return {t: math.log(len(KINDS) / n) for t, n in counts.items()}


def related_codes(code: str, limit: int = 5) -> tuple[str, ...]:
    """Codes torch prints for the same fault (the same words, or another backend's
    wording) and codes whose names share their rarer words, closest first."""
    kind, weights = KINDS[code], _weights()
    scored: list[tuple[float, str]] = []
    for other, k in KINDS.items():
        if other == code:
            continue
        score = sum(weights[t] for t in _tokens(kind) & _tokens(k))
        if k.template == kind.template:
            score += 10
        if code in LEGACY and LEGACY[code].today == other:  # today's words for the fault
            score += 10
        if other in LEGACY and LEGACY[other].today == code:
            score += 10
        if k.family == kind.family:
            score += 0.5
        if score >= 2.5:
            scored.append((-score, other))
    return tuple(c for _, c in sorted(scored)[:limit])


# ---------------------------------------------------------------------------------------
# The example: run exactly as calc runs it
# ---------------------------------------------------------------------------------------

# Codes no ``convshape calc`` command prints, and why (a key under rule.none.*).
NO_EXAMPLE: Final = {
    "CS336": "rule.none.python",
    "CS810": "rule.none.functional",
    "CS813": "rule.none.functional",
    "CS822": "rule.none.refused",
    "CS880": "rule.none.joined",
    "CS881": "rule.none.joined",
    "CS882": "rule.none.joined",
}


def _option(args: Sequence[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


def run_example(args: Sequence[str]) -> tuple[ShapeError, AnySpec, Shape | None]:
    """What ``convshape calc ARGS`` predicts: the error, the layer and its input shape."""
    from convshape.readers.source import is_stack

    layer, input_text = args[0], _option(args, "--input")
    if input_text is None:
        raise UsageError("an example needs --input")
    if is_stack(layer):
        from convshape.features.network import infer_stack, parse_stack
        from convshape.readers.parse import parse_shape

        row = infer_stack(parse_stack(layer), parse_shape(input_text)).failed
        if row is None or row.error is None:
            raise UsageError(f"{shlex.join(args)} does not fail")
        return row.error, row.spec, row.input
    from convshape.core.engine import infer_spec
    from convshape.readers.flags import spec_from_args

    spec, shape = spec_from_args(
        layer,
        input_text,
        {},
        weight=_option(args, "--weight"),
        bias=_option(args, "--bias"),
        output_size=_option(args, "--output-size"),
    )
    error = infer_spec(spec, shape).error
    if error is None:
        raise UsageError(f"{shlex.join(args)} does not fail")
    return error, spec, shape


def _generic(kind: ErrorKind, lang: Lang) -> tuple[str, str, tuple[str, ...]]:
    """The catalogue's what, cause and fixes of a code, its fields shown as ``<name>``."""
    values = {name: f"<{name}>" for name in re.findall(r"\{(\w+)\}", kind.template)}
    code, family = kind.code, f"family.{kind.family}"
    if kind.family == "lint":
        return text(f"rule.lint.{code}.what", lang), text(f"rule.lint.{code}.cause", lang), ()
    what = f"{code}.what" if has(f"{code}.what", lang) else f"{family}.what"
    cause = f"{code}.cause" if has(f"{code}.cause", lang) else f"{family}.cause"
    fixes: list[str] = []
    while has(f"{code}.fix.{len(fixes) + 1}", lang):
        fixes.append(text(f"{code}.fix.{len(fixes) + 1}", lang, **values))
    return text(what, lang, **values), text(cause, lang, **values), tuple(fixes)


def rule_page(code: str, lang: Lang = "en") -> RulePage:
    """The page of ``code`` (a key of :data:`~convshape.core.errors.KINDS`) in ``lang``:
    the catalogue's words for the code in general, and the engine's advice for the example
    (what happened with its numbers, the fixes as code)."""
    from convshape.features.advice import advise
    from convshape.features.examples import EXAMPLES

    kind = KINDS[code]
    what, cause, fixes = _generic(kind, lang)
    example: Example | None = None
    no_example = ""
    if code in EXAMPLES:
        args = EXAMPLES[code]
        error, spec, shape = run_example(args)
        advice = advise(error, spec, shape, lang)
        variants = tuple((v.exc, v.message) for v in error.variants)
        example = Example(args, error.exc, error.message, variants, advice.explanation)
        cause, fixes = advice.cause or cause, advice.fixes or fixes
    elif kind.family == "lint":
        no_example = text("rule.none.lint", lang)
    elif code in LEGACY:
        old = LEGACY[code]
        today = (
            text("rule.none.older_today", lang, code=old.today)
            if old.today
            else text("rule.none.older_none", lang)
        )
        key = "rule.none.release" if old.source == RECORDED else "rule.none.older"
        release = next(part for part in old.versions.split("-") if part)  # one in the span
        no_example = text(key, lang, versions=old.versions, release=release, today=today)
    else:
        no_example = text(NO_EXAMPLE.get(code, "rule.none.other"), lang)
    related = tuple((c, KINDS[c].name) for c in related_codes(code))
    return RulePage(
        code,
        kind.name,
        kind.family,
        kind.exc,
        kind.template,
        kind.family != "lint",
        what,
        cause,
        fixes,
        example,
        no_example,
        related,
        lang,
        releases_of(code) if kind.family != "lint" else TORCH_VERSION,
    )


def all_pages(lang: Lang = "en") -> list[RulePage]:
    """Every code's page, in code order."""
    return [rule_page(code, lang) for code in sorted(KINDS)]


# ---------------------------------------------------------------------------------------
# docs/errors.md
# ---------------------------------------------------------------------------------------

GENERATED_BY: Final = "python scripts/gen_errors_md.py"


def _fence(body: str, lang: str = "text") -> list[str]:
    return [f"```{lang}", body, "```"]


def _head(key: str) -> str:
    label = text(key, "en")
    return f"**{label[0].upper()}{label[1:]}.**"


def page_markdown(page: RulePage) -> list[str]:
    """One code's section of docs/errors.md (English): a stable anchor, then the page."""
    lines = [f'<a id="{page.code.lower()}"></a>', "", f"## {page.code} {page.name}", ""]
    if page.torch and page.family == "legacy":
        head = text("rule.raises_older", "en", version=page.versions, exc=f"`{page.exc}`")
    elif page.torch:
        head = text("rule.raises", "en", version=page.versions, exc=f"`{page.exc}`")
    else:
        head = text("rule.lint_finding", "en", exc=f"`{page.exc}`")
    lines += [head, "", *_fence(page.template), ""]
    lines += [f"{_head('rule.what')} {_md(page.what)}", ""]
    if page.cause:
        lines += [f"{_head('rule.cause')} {_md(page.cause)}", ""]
    ex = page.example
    if ex is not None:
        lines += [_head("rule.example"), "", *_fence(ex.command, "console"), ""]
        lines += [f"{text('rule.prints', 'en')}:", "", *_fence(f"{ex.exc}: {ex.message}"), ""]
        if ex.variants:
            lines += [f"{text('rule.variants', 'en')}:", ""]
            lines += [*_fence("\n".join(f"{e}: {m}" for e, m in ex.variants)), ""]
        lines += [f"{_head('rule.in_example')} {_md(ex.explanation)}", ""]
    else:
        lines += [f"{_head('rule.example')} {_md(page.no_example)}", ""]
    if page.fixes:
        lines += [_head("rule.fix"), ""] + [f"- {_code_spans(fix)}" for fix in page.fixes] + [""]
    if page.related:
        links = ", ".join(f"[{c} {n}](#{c.lower()})" for c, n in page.related)
        lines += [f"{_head('rule.related')} {links}", ""]
    return lines


_CODE_IN_FIX = re.compile(r"((?:nn|F|torch|x)\.[\w.]+\([^`]*\)|x\.\w+\([^`]*\))$")


def _md(prose: str) -> str:
    """Prose as markdown text: ``<name>`` stays visible, ``C*H*W`` is not emphasis."""
    return prose.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("*", "\\*")


def _code_spans(fix: str) -> str:
    """A fix's trailing code as a code span (``make it take 6 channels: `nn.Conv2d(6, 12, 3)```)."""
    if ": " in fix:
        head, tail = fix.rsplit(": ", 1)
        if _CODE_IN_FIX.fullmatch(tail) and "`" not in tail:
            return f"{_md(head)}: `{tail}`"
    return _md(fix)


_HEADER: Final = """\
# Error codes

<!-- Generated by `{script}` from the taxonomy (convshape/core/errors.py) and the
     catalogue (convshape/text/en.toml); tests/test_rules.py fails when it is stale. -->

Every message torch {version} prints for the layers convshape knows has a stable code, and so
has every finding `convshape lint` adds of its own. `convshape rule CODE` prints a code's
page in the terminal (`--lang ja` in Japanese, `--json` as data, `--all` every page);
`convshape explain` and `convshape lint` link here, one anchor per code (`#cs112`).

Each page gives torch's exception and message template, what it means, the usual cause,
the fixes, a `convshape calc` command that prints the code (each is run by the tests) and
related codes. The fixes are written for that example's numbers.

`convshape rule --json` prints, per code: `code`, `name`, `family`, `torch` (false for
lint's own findings), `exception`, `template`, `fields` (the template's `{{fields}}`),
`torch_versions`, `what` (in general, the fields as `<name>`), `cause`, `fixes` (for the
example, when there is one), `example` (`command`, `exception`, `message`, `variants`,
`explanation`: what happened with its numbers; or null, and then `no_example` says why),
`related` (`code`, `name`), `url` and `lang`; `--all --json` prints a list of them.

| code | name | exception |
|---|---|---|
"""


def errors_markdown() -> str:
    """The whole of docs/errors.md, from the taxonomy and the English catalogue."""
    pages = all_pages("en")
    out = _HEADER.format(script=GENERATED_BY, version=TORCH_VERSION)
    out += "".join(f"| [{p.code}](#{p.code.lower()}) | {p.name} | `{p.exc}` |\n" for p in pages)
    lines: list[str] = [""]
    for page in pages:
        lines += page_markdown(page)
    return out + "\n".join(lines).rstrip("\n") + "\n"
