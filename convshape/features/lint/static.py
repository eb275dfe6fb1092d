"""Static mode: lint files without importing or running them (see :mod:`.extract`)."""

from __future__ import annotations

import ast
import gc
import io
import os
import re
import stat
import tokenize
import warnings
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from convshape.core.errors import (
    LINT_DIRECTIVE,
    LINT_NOT_FOLLOWED,
    LINT_SYNTAX,
    LINT_UNREADABLE,
    UsageError,
)
from convshape.features.lint.config import DEFAULT_EXCLUDE, Config, matches_code, relative
from convshape.features.lint.imports import known_tree, on_disk, remember
from convshape.features.lint.values import FOLLOWED, Finding
from convshape.readers.parse import parse_shape
from convshape.readers.source import read_bytes

__all__ = ["Finding", "Followed", "LintRun", "discover", "lint_paths", "lint_source"]

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
    problems: list[tuple[int, str]] = field(default_factory=list)  # bad directives (CS907)


# Strings and comments, as Python's tokenizer sees them: a directive counts only in a
# comment (a docstring that shows one is not one).
_LEXER: Final = re.compile(
    r"(?P<string>[rRbBuUfF]{0,2}(?:'''(?:\\.|[^\\])*?'''"
    r'|"""(?:\\.|[^\\])*?"""'
    r"|'(?:\\.|[^\\'\n])*'"
    r'|"(?:\\.|[^\\"\n])*"))'
    r"|(?P<comment>#[^\n]*)",
    re.DOTALL,
)


def _comment_lines(source: str) -> Iterator[tuple[int, str]]:
    """Each comment with its 1-based line."""
    line, last = 1, 0
    for m in _LEXER.finditer(source):
        if m.lastgroup == "comment":
            line += source.count("\n", last, m.start())
            last = m.start()
            yield line, m.group()


def _comments(source: str, path: str) -> _Comments:
    found = _Comments()
    wanted = "convshape" in source or "noqa" in source or "NOQA" in source
    if not wanted:
        return found
    for line, comment in _comment_lines(source):
        directive = _DIRECTIVE.match(comment)
        if directive:
            body = directive.group(1).strip()
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
                    found.problems.append((line, f"# convshape: input=...: {exc}"))
                continue
            shown = body if len(body) <= 60 else body[:57] + "..."
            found.problems.append(
                (
                    line,
                    f"unknown directive '# convshape: {shown}' "
                    "(use input=1,3,224,224 or ignore[CS112])",
                )
            )
        noqa = _NOQA.search(comment)
        if noqa:
            codes = noqa.group("codes")
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
    followed: list[Followed] | None = None,
) -> list[Finding]:
    """Static lint of one file's text: its findings, sorted, suppressions applied.

    ``path`` is how findings name the file; ``rel`` its path relative to the
    configuration's root, for per-file-ignores and ``inputs`` keys (default: ``path``).
    The models followed are added to ``followed``; a file defining modules none of which
    could be followed gets a CS908 info finding saying so."""
    rel = path if rel is None else rel
    from convshape.features.lint.extract import FileContext, analyse

    comments = _comments(source, path)
    directives = [
        Finding(path, line, 1, LINT_DIRECTIVE.code, reason, "error", line, 1)
        for line, reason in comments.problems
    ]
    disk = on_disk(path)
    tree = known_tree(disk, source) if disk is not None else None
    try:
        if tree is not None:
            pass  # read and parsed already, as a module another file imports
        elif _QUIET:
            tree = ast.parse(source, filename=path)
        else:
            with warnings.catch_warnings():  # "invalid escape sequence": not ours to say
                warnings.simplefilter("ignore")
                tree = ast.parse(source, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        if isinstance(exc, RecursionError | MemoryError):
            line, col, reason = 1, 1, "nested too deeply for Python's parser"
        else:
            line = getattr(exc, "lineno", None) or 1
            col = getattr(exc, "offset", None) or 1
            reason = " ".join(str(getattr(exc, "msg", exc)).split())
        return _kept([_unparsable(path, reason, line, col), *directives], config, rel, comments)
    if disk is not None:
        remember(disk, source, tree)  # for the files that import this one
    known = dict(config.inputs if config is not None else {})
    known.update(inputs or {})
    ctx = FileContext(path, source, known, comments.inputs, rel=rel)
    if _may_define_models(source):
        # the interpreter makes many small short-lived objects and few cycles: collecting
        # while it runs costs more than it frees
        enabled = gc.isenabled()
        gc.disable()
        try:
            analyse(ctx, tree)
        except (RecursionError, MemoryError):
            reason = "nested too deeply to analyse"
            return _kept([_unparsable(path, reason), *directives], config, rel, comments)
        finally:
            if enabled:
                gc.enable()
    found = [finding for _exact, finding in ctx.findings.values()]
    models = [Followed(path, name, shape, how) for name, shape, how in ctx.followed]
    if followed is not None:
        followed += models
    if ctx.defined and not any(m.how in FOLLOWED for m in models):
        found.append(_not_followed(path, ctx.defined, [m for m in models if m.how != "skipped"]))
    return _kept(found + directives, config, rel, comments)


def _not_followed(path: str, defined: list[tuple[str, int]], tried: list[Followed]) -> Finding:
    names = ", ".join(name for name, _line in defined[:4]) + (", ..." if len(defined) > 4 else "")
    if tried:
        reason = f"{tried[0].model} {tried[0].how}"
    else:
        reason = "their base classes or builders could not be read from source"
    message = LINT_NOT_FOLLOWED.template.format(models=names, reason=reason)
    line = defined[0][1]
    return Finding(path, line, 1, LINT_NOT_FOLLOWED.code, message, "info", line, 1)


def _unparsable(path: str, reason: str, line: int = 1, col: int = 1) -> Finding:
    message = LINT_SYNTAX.template.format(reason=reason)
    return Finding(path, line, col, LINT_SYNTAX.code, message, "error", line, col)


def _kept(
    findings: list[Finding], config: Config | None, rel: str, comments: _Comments
) -> list[Finding]:
    """The findings the configuration selects and the file does not suppress, sorted."""
    out = []
    for finding in findings:
        if config is not None and not config.enabled(finding.code, rel):
            continue
        if finding.code != LINT_SYNTAX.code and _suppressed(finding, comments):
            continue
        out.append(finding)
    return sorted(out, key=Finding.sort_key)


def _may_define_models(source: str) -> bool:
    return "nn" in source or "torch" in source or "Conv" in source or "forward" in source


@dataclass(frozen=True)
class Followed:
    """A model static lint followed from a file's roots (see :mod:`.extract`): its name,
    the input it was followed with (``None`` sizes unknown; no input: its layers were
    checked with what they fix themselves), and how that input was chosen: "declared"
    (a directive or the configuration), "assumed" (a batch of images of unknown size:
    the model starts with a Conv2d), "unknown"; or "skipped" (the file's step budget)."""

    path: str
    model: str
    input: tuple[int | None, ...] | None
    how: str


@dataclass
class LintRun:
    """The result of linting files: findings, how many files were read, and the models
    followed in them."""

    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    followed: list[Followed] = field(default_factory=list)


def discover(
    paths: Iterable[str], config: Config, problems: list[Finding] | None = None
) -> Iterator[Path]:
    """Python files under ``paths`` (files given directly are kept when they match no
    exclude pattern), in a stable order. A folder that cannot be listed is a CS906
    finding added to ``problems`` (and skipped); a folder reached again through a
    symbolic link is walked once. A path that is neither a file nor a folder (missing,
    a link loop, a FIFO, a device) is a :class:`UsageError`."""
    seen: set[Path] = set()
    visited: set[tuple[int, int]] = set()
    sink: list[Finding] = [] if problems is None else problems
    for raw in paths:
        start = Path(raw)
        try:
            mode = start.stat().st_mode
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            if isinstance(exc, FileNotFoundError):
                raise UsageError(f"no such file or directory: {raw}") from None
            raise UsageError(f"cannot read {raw}: {reason}") from None
        if stat.S_ISREG(mode):
            if not config.excluded(relative(start, config.root)) and start not in seen:
                seen.add(start)
                yield start
            continue
        if not stat.S_ISDIR(mode):
            raise UsageError(f"{raw} is neither a file nor a folder")
        base = relative(start, config.root) if config.exclude else ""
        for found in sorted(_walk(start, base, config, visited, sink)):
            if found not in seen:
                seen.add(found)
                yield found


def _unreadable(path: Path, what: str, exc: OSError) -> Finding:
    reason = exc.strerror or type(exc).__name__
    message = LINT_UNREADABLE.template.format(what=what, reason=reason)
    return Finding(path.as_posix(), 1, 1, LINT_UNREADABLE.code, message, "error", 1, 1)


def _walk(
    folder: Path,
    rel: str,
    config: Config,
    visited: set[tuple[int, int]],
    problems: list[Finding],
) -> Iterator[Path]:
    """``rel``: ``folder`` relative to the configuration's root (only needed to match
    exclude patterns). Iterative, so that the depth of the tree costs no Python stack."""
    stack = [(folder, rel)]
    while stack:
        here, sub_rel = stack.pop()
        try:
            info = here.stat()
            key = (info.st_dev, info.st_ino)
            if key in visited:
                continue
            visited.add(key)
            with os.scandir(here) as entries:
                found = sorted(entries, key=lambda e: e.name)
        except OSError as exc:
            problems.append(_unreadable(here, "the folder", exc))
            continue
        folders = []
        for entry in found:
            name = entry.name
            if name in DEFAULT_EXCLUDE:
                continue
            sub = f"{sub_rel}/{name}" if sub_rel and sub_rel != "." else name
            if config.exclude and config.excluded(sub):
                continue
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
            except OSError:
                continue
            if is_dir:
                folders.append((here / name, sub))
            elif is_file and name.endswith((".py", ".pyi")):
                yield here / name
        stack.extend(reversed(folders))


PARALLEL_MIN_FILES: Final = 64  # below this, starting workers costs more than it saves


def lint_paths(paths: Iterable[str], config: Config, jobs: int | None = None) -> LintRun:
    """Lint the Python files under ``paths``. ``jobs``: worker processes (None: one per
    CPU), used for large runs as flake8 does; findings come back in file order."""
    paths = list(paths)
    problems: list[Finding] = []
    files = list(discover(paths, config, problems))
    run = LintRun(files=len(files))
    run.findings += [
        f for f in problems if config.enabled(f.code, relative(Path(f.path), config.root))
    ]
    if config.inputs and config.enabled(LINT_DIRECTIVE.code):
        whole = any(config.root.is_relative_to(Path(p).resolve()) for p in paths)
        run.findings += unmatched_inputs(config, files, whole)
    workers = (os.cpu_count() or 1) if jobs is None else max(jobs, 1)
    workers = min(workers, max(len(files) // (PARALLEL_MIN_FILES // 2), 1))
    if workers > 1 and len(files) >= PARALLEL_MIN_FILES:
        # Contiguous runs of the sorted files: each worker lints one stretch of the tree,
        # so the modules a package's files import are read by one worker, not by every one.
        size = -(-len(files) // workers)
        chunks = [files[i : i + size] for i in range(0, len(files), size)]
        workers = len(chunks)
        try:
            results = _in_workers(chunks, config, workers)
        except (OSError, ImportError, RuntimeError):  # no fork, no semaphores: one process
            results = None
        if results is not None:
            for findings, followed in results:
                run.findings += findings
                run.followed += followed
            run.findings.sort(key=Finding.sort_key)
            run.followed.sort(key=lambda m: m.path)
            return run
    findings, run.followed = _lint_files(files, config)
    run.findings += findings
    run.findings.sort(key=Finding.sort_key)
    return run


_QUIET = False  # set while _lint_files holds the warnings off for a whole run


def _lint_files(files: list[Path], config: Config) -> tuple[list[Finding], list[Followed]]:
    global _QUIET
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _QUIET = True
        try:
            return _lint_quietly(files, config)
        finally:
            _QUIET = False


def _lint_quietly(files: list[Path], config: Config) -> tuple[list[Finding], list[Followed]]:
    found: list[Finding] = []
    followed: list[Followed] = []
    for file in files:
        rel = relative(file, config.root)
        try:
            data = read_bytes(file)
        except OSError as exc:
            if config.enabled(LINT_UNREADABLE.code, rel):
                found.append(_unreadable(file, "the file", exc))
            continue
        source = _decode(data, file.as_posix())
        if isinstance(source, Finding):  # not text: reported like a syntax error
            if config.enabled(source.code, rel):
                found.append(source)
            continue
        found += lint_source(source, file.as_posix(), config=config, rel=rel, followed=followed)
    return found, followed


def _decode(data: bytes, path: str) -> str | Finding:
    """A file's text as Python reads it (UTF-8, a BOM, or a ``# coding:`` cookie), or a
    CS900 finding at the first byte that does not decode."""
    encoding = "utf-8"
    try:
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as exc:  # a bad cookie, or undecodable bytes on lines 1-2
            data.decode("utf-8")  # point at the bad byte when that is the reason
            raise exc
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        where = exc.start
        reason = f"not valid {encoding} text: {exc.reason} (byte 0x{data[where]:02x})"
    except (SyntaxError, LookupError) as exc:  # a bad or unknown coding cookie
        where = 0
        reason = " ".join(str(getattr(exc, "msg", exc)).split())
    line = data.count(b"\n", 0, where) + 1
    col = where - (data.rfind(b"\n", 0, where) + 1) + 1
    message = LINT_SYNTAX.template.format(reason=reason)
    return Finding(path, line, col, LINT_SYNTAX.code, message, "error", line, col)


def _in_workers(
    chunks: list[list[Path]], config: Config, workers: int
) -> list[tuple[list[Finding], list[Followed]]] | None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if "fork" not in multiprocessing.get_all_start_methods():
        return None  # spawning fresh interpreters costs more than a lint run saves
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_lint_files, chunks, [config] * len(chunks)))


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


def unmatched_inputs(config: Config, files: list[Path], whole: bool) -> list[Finding]:
    """``[tool.convshape.inputs]`` keys that name nothing: no class, function or variable
    of that name in that file (``path.py:Name``, read even when not linted), or, for a
    bare ``Name`` when the whole project (``whole``) was linted, in any file linted.
    Each is a CS907 finding at the key in the configuration file, so that a typo or a
    renamed model does not leave its shapes unchecked in silence."""
    texts = {relative(file, config.root): file for file in files}
    config_text = ""
    if config.source is not None:
        try:
            config_text = config.source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            config_text = ""
    where = relative(config.source, Path.cwd()) if config.source else "pyproject.toml"
    found = []
    for key in config.inputs:
        path, sep, name = key.rpartition(":")
        if sep:
            file = texts.get(path, config.root / path)
            candidates = [file] if file.is_file() else []
            what = f"{path} has no model {name!r}" if candidates else f"no file {path}"
        elif whole:
            candidates, what = list(texts.values()), f"no file linted defines {name!r}"
        else:
            continue  # the model may be in a file this run does not read
        if any(_defines(file, name) for file in candidates):
            continue
        line = 1
        at = config_text.find(f'"{key}"')
        if at < 0:
            at = config_text.find(f"{key} =")
        if at >= 0:
            line = config_text.count("\n", 0, at) + 1
        message = (
            f"[tool.convshape.inputs] {key!r} matches no model: {what} (keys are a class, "
            "function or variable name, or path/to/file.py:Name relative to the "
            "configuration file)"
        )
        found.append(Finding(where, line, 1, LINT_DIRECTIVE.code, message, "error", line, 1))
    return found


def _defines(file: Path, name: str) -> bool:
    """Does the file define ``name`` at the start of a line (class, def, assignment)?"""
    try:
        text = _decode(read_bytes(file), file.as_posix())
    except OSError:
        return False
    if not isinstance(text, str):
        return False
    pattern = (
        rf"^[ \t]*(?:class|def|async[ \t]+def)[ \t]+{re.escape(name)}\b"
        rf"|^{re.escape(name)}[ \t]*(?::[^=\n]*)?="
    )
    return re.search(pattern, text, re.MULTILINE) is not None
