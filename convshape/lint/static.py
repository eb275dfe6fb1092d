"""Static mode: lint files without importing or running them (see :mod:`.extract`)."""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from ..errors import LINT_SYNTAX, UsageError
from ..parse import parse_shape
from .config import DEFAULT_EXCLUDE, Config, matches_code, relative
from .values import Finding

__all__ = ["Finding", "LintRun", "discover", "lint_paths", "lint_source"]

_DIRECTIVE: Final = re.compile(r"#\s*convshape:\s*([^#\n]*)", re.IGNORECASE)
_NOQA: Final = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:[\s,]+[A-Z]+[0-9]*)*))?", re.I)
_IGNORE: Final = re.compile(r"ignore(?:\[(?P<codes>[^\]]*)\])?$", re.IGNORECASE)
_INPUT: Final = re.compile(r"input\s*=\s*(?P<shape>.+?)\s*$", re.IGNORECASE)
ALL: Final = ("",)  # a selector matching every code


@dataclass
class _Comments:
    """The ``# convshape:`` directives and ``# noqa`` comments of one file."""

    inputs: dict[int, tuple[int, ...]] = field(default_factory=dict)
    suppress: dict[int, tuple[str, ...]] = field(default_factory=dict)


def _line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def _comments(source: str, path: str) -> _Comments:
    found = _Comments()
    if "convshape" in source:
        for m in _DIRECTIVE.finditer(source):
            line = _line_of(source, m.start())
            body = m.group(1).strip()
            ignore = _IGNORE.match(body)
            if ignore:
                codes = ignore.group("codes")
                selectors = ALL if codes is None else _split_codes(codes)
                found.suppress[line] = found.suppress.get(line, ()) + selectors
                continue
            spec = _INPUT.match(body)
            if spec:
                try:
                    found.inputs[line] = parse_shape(spec.group("shape"))
                except UsageError as exc:
                    raise UsageError(f"{path}:{line}: # convshape: input=...: {exc}") from None
                continue
            raise UsageError(
                f"{path}:{line}: unknown directive '# convshape: {body}' "
                "(use input=1,3,224,224 or ignore[CS112])"
            )
    if "noqa" in source or "NOQA" in source:
        for m in _NOQA.finditer(source):
            line = _line_of(source, m.start())
            codes = m.group("codes")
            selectors = ALL if codes is None else _split_codes(codes)
            found.suppress[line] = found.suppress.get(line, ()) + selectors
    return found


def _split_codes(text: str) -> tuple[str, ...]:
    return tuple(c.upper() for c in re.split(r"[\s,]+", text.strip()) if c)


def _suppressed(finding: Finding, comments: _Comments) -> bool:
    if not comments.suppress:
        return False
    last = max(finding.end_line, finding.line)
    for line in range(finding.line, last + 1):
        selectors = comments.suppress.get(line)
        if selectors is not None and matches_code(finding.code, selectors):
            return True
    return False


def lint_source(
    source: str,
    path: str = "<string>",
    *,
    config: Config | None = None,
    inputs: Mapping[str, tuple[int, ...]] | None = None,
    rel: str | None = None,
) -> list[Finding]:
    """Static lint of one file's text: its findings, sorted, suppressions applied.

    ``path`` is how findings name the file; ``rel`` its path relative to the
    configuration's root, for per-file-ignores and ``inputs`` keys (default: ``path``)."""
    rel = path if rel is None else rel
    from .extract import FileContext, analyse

    comments = _comments(source, path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or 1
        col = getattr(exc, "offset", None) or 1
        reason = " ".join(str(getattr(exc, "msg", exc)).split())
        message = LINT_SYNTAX.template.format(reason=reason)
        finding = Finding(path, line, col, LINT_SYNTAX.code, message, "error", line, col)
        return [] if config is not None and not config.enabled(finding.code, rel) else [finding]
    known = dict(config.inputs if config is not None else {})
    known.update(inputs or {})
    ctx = FileContext(path, source, known, comments.inputs, rel=rel)
    if _may_define_models(source):
        analyse(ctx, tree)
    out = []
    for _exact, finding in ctx.findings.values():
        if config is not None and not config.enabled(finding.code, rel):
            continue
        if _suppressed(finding, comments):
            continue
        out.append(finding)
    return sorted(out, key=Finding.sort_key)


def _may_define_models(source: str) -> bool:
    return "nn" in source or "torch" in source or "Conv" in source


@dataclass
class LintRun:
    """The result of linting files: findings and how many files were read."""

    findings: list[Finding] = field(default_factory=list)
    files: int = 0


def discover(paths: Iterable[str], config: Config) -> Iterator[Path]:
    """Python files under ``paths`` (files given directly are kept when they match no
    exclude pattern), in a stable order."""
    seen: set[Path] = set()
    for raw in paths:
        start = Path(raw)
        if not start.exists():
            raise UsageError(f"no such file or directory: {raw}")
        if start.is_file():
            if not config.excluded(relative(start, config.root)) and start not in seen:
                seen.add(start)
                yield start
            continue
        for found in sorted(_walk(start, config)):
            if found not in seen:
                seen.add(found)
                yield found


def _walk(folder: Path, config: Config) -> Iterator[Path]:
    for entry in sorted(folder.iterdir()):
        rel = relative(entry, config.root)
        if entry.name in DEFAULT_EXCLUDE or config.excluded(rel):
            continue
        if entry.is_dir():
            yield from _walk(entry, config)
        elif entry.suffix in (".py", ".pyi") and entry.is_file():
            yield entry


def lint_paths(paths: Iterable[str], config: Config) -> LintRun:
    run = LintRun()
    for file in discover(paths, config):
        try:
            source = file.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read {file}: {exc}") from None
        name = file.as_posix()
        run.files += 1
        run.findings += lint_source(source, name, config=config, rel=relative(file, config.root))
    return run


def suppressed_in_file(finding: Finding, root: Path, cache: dict[str, object]) -> bool:
    """Does the file a (model-mode) finding points into suppress it on that line?"""
    path = finding.path
    if path not in cache:
        file = Path(path) if Path(path).is_absolute() else Path.cwd() / path
        try:
            source = file.read_text(encoding="utf-8")
            cache[path] = _comments(source, path)
        except (OSError, UnicodeDecodeError, UsageError):
            cache[path] = None
    comments = cache[path]
    return isinstance(comments, _Comments) and _suppressed(finding, comments)
