"""Imports followed by reading source files, never by importing them.

``from .misc import Conv2dNormActivation`` inside a linted tree, or ``from timm.layers
import to_2tuple`` of an installed package, names a file: relative imports are resolved
against the importing file's package, absolute ones against the package tree the file
is in, then against ``sys.path`` (``importlib.util.find_spec`` of the top-level name only,
which runs nothing, then a walk down the folders). The standard library, torch and
anything that is not a ``.py`` source stay opaque (their values are references or
unknown). Each file is parsed once per process (:func:`parsed`); what a name is bound to
is worked out when the interpreter first uses it (:class:`Lazy`), so a package's
``__init__`` that re-exports a hundred modules costs only the names a model uses.
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Final

__all__ = [
    "MAX_IMPORT_DEPTH",
    "Lazy",
    "ModuleRef",
    "on_disk",
    "opaque",
    "parsed",
    "remember",
    "resolve",
    "submodule",
]

MAX_IMPORT_DEPTH: Final = 6  # re-exports followed for one name (a -> b -> c ...)
MAX_CACHED: Final = 2048  # parsed files kept per process

# Modules whose values the interpreter models itself (torch) or that hold no model
# code worth reading: never read from source.
_OPAQUE: Final = frozenset({"torch", "numpy", "torchvision.io", "PIL", "scipy", "sklearn"})


def opaque(module: str) -> bool:
    """Whether ``module`` is never read from source (stdlib, torch, numpy...)."""
    top = module.partition(".")[0]
    if top in _OPAQUE or top in sys.stdlib_module_names or top == "__future__":
        return True
    return any(module == m or module.startswith(m + ".") for m in _OPAQUE)


@dataclass(frozen=True)
class Lazy:
    """A name bound by an import, resolved when first used: ``name`` of the module
    ``module`` (``level`` dots) imported by the file ``importer``; ``name`` None: the
    module itself (``import a.b as c``)."""

    importer: str
    module: str | None
    level: int
    name: str | None

    def path(self) -> Path | None:
        return resolve(self.module, self.level, self.importer)


@dataclass(frozen=True)
class ModuleRef:
    """A module read from source (``import timm.layers as L``; ``from . import misc``)."""

    path: Path


_TOPS: dict[str, Path | None] = {}
_PARSED: dict[Path, tuple[tuple[int, int], str, ast.Module | None]] = {}


def _top_level(name: str) -> Path | None:
    """The folder (or file) of an installed top-level module, found without running it."""
    if name not in _TOPS:
        found: Path | None = None
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError, AttributeError):
            spec = None
        if spec is not None:
            if spec.submodule_search_locations:
                locations = list(spec.submodule_search_locations)
                found = Path(locations[0]) if locations else None
            elif spec.origin and spec.origin.endswith(".py"):
                found = Path(spec.origin)
        _TOPS[name] = found
    return _TOPS[name]


def _module_file(base: Path, parts: list[str]) -> Path | None:
    """``base/a/b.py`` or ``base/a/b/__init__.py`` for parts ``[a, b]`` (base: a folder)."""
    here = base
    for part in parts[:-1]:
        here = here / part
    if not parts:
        init = base / "__init__.py"
        return init if init.is_file() else None
    last = here / parts[-1]
    init = last / "__init__.py"
    if init.is_file():
        return init
    source = here / f"{parts[-1]}.py"
    return source if source.is_file() else None


def _package_root(importer: Path) -> tuple[Path, str] | None:
    """The folder above the top-level package ``importer`` is in, and that package's
    name (None when the file is not in a package)."""
    folder = importer.parent
    if not (folder / "__init__.py").is_file():
        return None
    while (folder.parent / "__init__.py").is_file() and folder.parent != folder:
        folder = folder.parent
    return folder.parent, folder.name


@functools.lru_cache(maxsize=4096)
def resolve(module: str | None, level: int, importer: str) -> Path | None:
    """The source file an import names, or None (not found, opaque, not source)."""
    try:
        here = Path(importer).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    parts = [p for p in (module or "").split(".") if p]
    if level:
        base = here.parent
        for _ in range(level - 1):
            base = base.parent
        return _module_file(base, parts)
    if not parts or opaque(module or ""):
        return None
    root = _package_root(here)
    if root is not None and root[1] == parts[0]:
        return _module_file(root[0], parts)
    top = _top_level(parts[0])
    if top is None:
        return None
    if top.is_file():
        return top if len(parts) == 1 else None
    return _module_file(top, parts[1:])


def submodule(package: Path, name: str) -> Path | None:
    """``name`` as a module of the package whose ``__init__.py`` is ``package``."""
    if package.name != "__init__.py":
        return None
    return _module_file(package.parent, [name])


def on_disk(path: str) -> Path | None:
    """The file a linted text names, resolved as imports name it (None: not a file)."""
    if not path or path.startswith("<"):
        return None
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError, ValueError):
        return None


def parsed(path: Path) -> tuple[str, ast.Module] | None:
    """A source file's text and tree, read and parsed once per process (None when it
    cannot be read or parsed)."""
    try:
        info = path.stat()
    except OSError:
        return None
    key = (info.st_mtime_ns, info.st_size)
    cached = _PARSED.get(path)
    if cached is not None and cached[0] == key:
        return None if cached[2] is None else (cached[1], cached[2])
    try:
        source = path.read_text(encoding="utf-8")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=str(path))
    except (OSError, UnicodeDecodeError, SyntaxError, ValueError, RecursionError, MemoryError):
        _PARSED[path] = (key, "", None)
        return None
    remember(path, source, tree, key)
    return source, tree


def known_tree(path: Path, source: str) -> ast.Module | None:
    """The tree already parsed for ``path`` (read as an import) when its text is
    ``source``, else None."""
    cached = _PARSED.get(path)
    if cached is None or cached[2] is None or cached[1] != source:
        return None
    return cached[2]


def remember(path: Path, source: str, tree: ast.Module, key: tuple[int, int] | None = None) -> None:
    """Keep a tree parsed elsewhere (the file being linted) for its importers."""
    if key is None:
        try:
            info = path.stat()
        except (OSError, ValueError):
            return
        if info.st_size != len(source.encode("utf-8", "surrogatepass")):
            return  # not the text on disk
        key = (info.st_mtime_ns, info.st_size)
    if len(_PARSED) > MAX_CACHED:
        _PARSED.clear()
    _PARSED[path] = (key, source, tree)
