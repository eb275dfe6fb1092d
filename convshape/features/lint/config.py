"""``[tool.convshape]`` in pyproject.toml: rule selection, file selection, models, inputs.

Every key is checked; anything convshape does not understand is a
:class:`~convshape.errors.UsageError` naming the key and the file (exit code 2).
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from convshape.core.errors import KINDS, UsageError
from convshape.readers.parse import parse_shape
from convshape.readers.source import read_text

__all__ = ["Config", "ModelSpec", "find_config", "known_codes", "load_config", "matches_code"]

DEFAULT_EXCLUDE = (
    ".git",
    ".hg",
    ".svn",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".eggs",
    "__pycache__",
    "build",
    "dist",
    "node_modules",
    "site-packages",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
)

LOCK_FILE = "convshape.lock.json"


@dataclass(frozen=True)
class ModelSpec:
    """One model for model mode: ``factory`` as ``pkg.module:callable``, its input shapes
    (one per forward argument) and the output shape it must have, if any."""

    factory: str
    inputs: tuple[tuple[int, ...], ...]
    expect_output: tuple[int, ...] | None = None
    train: bool = False  # run in training mode (default: eval mode)

    @property
    def key(self) -> str:
        shapes = ";".join(",".join(map(str, s)) for s in self.inputs)
        return f"{self.factory}@{shapes}" + ("@train" if self.train else "")


@dataclass
class Config:
    root: Path
    source: Path | None = None
    select: tuple[str, ...] = ("CS",)
    ignore: tuple[str, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    inputs: dict[str, tuple[int, ...]] = field(default_factory=dict)
    models: list[ModelSpec] = field(default_factory=list)
    lock: Path | None = None

    @property
    def lock_path(self) -> Path:
        return self.lock if self.lock is not None else self.root / LOCK_FILE

    def enabled(self, code: str, path: str | None = None) -> bool:
        """Is ``code`` reported (for a file at ``path``, relative to the root)?"""
        if not matches_code(code, self.select) or matches_code(code, self.ignore):
            return False
        if path is not None:
            for pattern, codes in self.per_file_ignores.items():
                if _path_matches(path, pattern) and matches_code(code, codes):
                    return False
        return True

    def excluded(self, path: str) -> bool:
        return any(_path_matches(path, p) for p in self.exclude)


def matches_code(code: str, selectors: Iterable[str]) -> bool:
    """ruff-style selection: ``CS``, ``CS1``, ``CS112`` (a prefix) or ``ALL``."""
    return any(s == "ALL" or code.startswith(s) for s in selectors)


def _path_matches(path: str, pattern: str) -> bool:
    """A glob against the relative path, or against any of its trailing parts."""
    path = path.replace("\\", "/").removeprefix("./")
    pattern = pattern.replace("\\", "/").removeprefix("./").rstrip("/")
    if fnmatch.fnmatch(path, pattern) or fnmatch.fnmatch(path, pattern + "/*"):
        return True
    parts = path.split("/")
    return any(fnmatch.fnmatch("/".join(parts[i:]), pattern) for i in range(len(parts)))


def find_config(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above ``start`` that has a [tool.convshape]
    table (a pyproject.toml without one does not stop the search, as in ruff)."""
    here = start.resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(read_text(candidate))
            except (tomllib.TOMLDecodeError, OSError, UnicodeDecodeError, RecursionError) as exc:
                raise UsageError(f"{candidate}: invalid TOML: {exc}") from None
            if isinstance(data.get("tool"), dict) and "convshape" in data["tool"]:
                return candidate
    return None


_KEYS = {
    "select",
    "ignore",
    "extend-select",
    "per-file-ignores",
    "exclude",
    "extend-exclude",
    "inputs",
    "models",
    "lock",
}
_MODEL_KEYS = {"factory", "input", "inputs", "expect-output", "train"}


def load_config(path: Path | None, root: Path | None = None) -> Config:
    """Read ``path`` (a pyproject.toml) into a :class:`Config`; None gives the defaults
    rooted at ``root`` (the current directory)."""
    if path is None:
        return Config(root=(root or Path.cwd()).resolve())
    try:
        data = tomllib.loads(read_text(path))
    except FileNotFoundError:
        raise UsageError(f"config file not found: {path}") from None
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("convshape", {}) if isinstance(data.get("tool"), dict) else {}
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.convshape] must be a table")
    where = f"{path}: [tool.convshape]"
    unknown = sorted(set(table) - _KEYS)
    if unknown:
        raise UsageError(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    config = Config(root=path.parent.resolve(), source=path)
    if "select" in table:
        config.select = _codes(table["select"], f"{where} select")
    config.select += _codes(table.get("extend-select", []), f"{where} extend-select")
    config.ignore = _codes(table.get("ignore", []), f"{where} ignore")
    pfi = table.get("per-file-ignores", {})
    if not isinstance(pfi, dict):
        raise UsageError(f"{where} per-file-ignores must be a table of glob = [codes]")
    config.per_file_ignores = {
        str(k): _codes(v, f"{where} per-file-ignores {k!r}") for k, v in pfi.items()
    }
    config.exclude = _strings(table.get("exclude", []), f"{where} exclude")
    config.exclude += _strings(table.get("extend-exclude", []), f"{where} extend-exclude")
    inputs = table.get("inputs", {})
    if not isinstance(inputs, dict):
        raise UsageError(f'{where} inputs must be a table of "Model" = "1,3,224,224"')
    config.inputs = {str(k): _shape(v, f"{where} inputs {k!r}") for k, v in inputs.items()}
    models = table.get("models", [])
    if not isinstance(models, list):
        raise UsageError(f"{where} models must be an array of tables ([[tool.convshape.models]])")
    config.models = [_model(m, f"{where} models[{i}]") for i, m in enumerate(models)]
    if "lock" in table:
        lock = table["lock"]
        if not isinstance(lock, str) or not lock:
            raise UsageError(f"{where} lock must be a file name")
        config.lock = inside(config.root, lock, f"{where} lock")
    return config


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise UsageError(f"{where} must be a list of strings")
    return tuple(value)


def _codes(value: Any, where: str) -> tuple[str, ...]:
    return known_codes(_strings(value, where), where)


def known_codes(codes: tuple[str, ...], where: str) -> tuple[str, ...]:
    """``codes`` (codes, prefixes or ALL) when each selects a convshape code; else a
    :class:`UsageError` naming ``where`` (the option or configuration key)."""
    for code in codes:
        if code != "ALL" and not any(k.startswith(code) for k in KINDS):
            raise UsageError(f"{where}: {code!r} selects no convshape code (codes look like CS112)")
    return codes


def _shape(value: Any, where: str) -> tuple[int, ...]:
    if isinstance(value, list) and all(isinstance(v, int) for v in value):
        if any(v < 0 for v in value):
            raise UsageError(f"{where}: sizes must not be negative")
        return tuple(value)
    if not isinstance(value, str):
        raise UsageError(f'{where} must be a shape such as "1,3,224,224"')
    try:
        return parse_shape(value)
    except UsageError as exc:
        raise UsageError(f"{where}: {exc}") from None


def shapes(value: Any, where: str) -> tuple[tuple[int, ...], ...]:
    """One shape, or several for a forward with several inputs (a list, or ``;``)."""
    if isinstance(value, list) and value and all(isinstance(v, (str, list)) for v in value):
        return tuple(_shape(v, where) for v in value)
    if isinstance(value, str) and ";" in value:
        return tuple(_shape(v, where) for v in value.split(";") if v.strip())
    return (_shape(value, where),)


def _model(value: Any, where: str) -> ModelSpec:
    if not isinstance(value, dict):
        raise UsageError(f"{where} must be a table with factory and input")
    unknown = sorted(set(value) - _MODEL_KEYS)
    if unknown:
        raise UsageError(
            f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(_MODEL_KEYS))})"
        )
    factory = value.get("factory")
    if not isinstance(factory, str) or ":" not in factory:
        raise UsageError(f'{where}: factory must be "package.module:callable"')
    raw = value.get("input", value.get("inputs"))
    if raw is None:
        raise UsageError(f'{where}: input is required (e.g. input = "1,3,224,224")')
    expect = value.get("expect-output")
    train = value.get("train", False)
    if not isinstance(train, bool):
        raise UsageError(f"{where}: train must be true or false")
    return ModelSpec(
        factory,
        shapes(raw, f"{where} input"),
        None if expect is None else _shape(expect, f"{where} expect-output"),
        train,
    )


def inside(root: Path, name: str, where: str) -> Path:
    """``name`` (from the configuration) as a path under ``root``: a path that leads
    outside the project (absolute, ``..``, or through a link) is a :class:`UsageError`;
    only the command line may name a file elsewhere."""
    path = (root / name).resolve()
    if not path.is_relative_to(root.resolve()):
        raise UsageError(
            f"{where}: {name!r} is outside the project ({root}); give it with --lock instead"
        )
    return path


def relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when inside it, POSIX style; else as given."""
    absolute, base = os.path.abspath(path), str(root)
    if absolute == base:
        return "."
    if absolute.startswith(base.rstrip(os.sep) + os.sep):
        return absolute[len(base.rstrip(os.sep)) + 1 :].replace(os.sep, "/")
    try:  # through a symbolic link, perhaps
        return path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError):
        return path.as_posix()
