"""The layout keeps its layers: who may import whom, torch in one module, no private names
across module borders, no import cycles (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "convshape"

# Each group, and the groups it may import from (besides itself).
ALLOWED = {
    "core": set(),
    "ops": {"core"},
    "text": set(),
    "readers": {"core", "ops"},
    "features": {"core", "ops", "readers", "text", "oracle"},
    "oracle": {"core", "ops"},
    "cli": {"core", "ops", "readers", "features", "text", "oracle"},
    "root": {"core", "ops", "readers", "features", "text", "oracle", "cli"},
}


def _module(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _group(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] != "__main__" else "root"


def _imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module imported, names taken from it, line) for every import the file runs (those
    under ``if TYPE_CHECKING:`` are for the type checker only)."""
    tree = ast.parse(path.read_text())
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for stmt in node.body
        for inner in ast.walk(stmt)
    }
    found: list[tuple[str, list[str], int]] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names]
    return found


FILES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: _module(p))
def test_each_group_imports_only_the_groups_below_it(path: Path) -> None:
    me = _module(path)
    group = _group(me)
    for module, _names, line in _imports(path):
        if not module.startswith("convshape.") or module == "convshape":
            continue
        other = _group(module)
        assert other == group or other in ALLOWED[group], f"{me}:{line} imports {module}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: _module(p))
def test_torch_is_imported_only_by_the_oracle(path: Path) -> None:
    if _module(path) == "convshape.oracle":
        return
    for module, _names, line in _imports(path):
        assert module.split(".")[0] != "torch", f"{_module(path)}:{line} imports {module}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: _module(p))
def test_no_private_name_crosses_a_module_border(path: Path) -> None:
    me = _module(path)
    for module, names, line in _imports(path):
        if module.startswith("convshape") and module != me:
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{me}:{line} takes {private} from {module}"
            assert not module.split(".")[-1].startswith("_"), f"{me}:{line} imports {module}"


def test_no_import_cycles_at_module_level() -> None:
    """Module-level imports form no cycle (imports inside functions are lazy on purpose)."""
    graph: dict[str, set[str]] = {}
    for path in FILES:
        tree = ast.parse(path.read_text())
        targets: set[str] = set()
        for node in tree.body:
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("convshape.")
            ):
                targets.add(node.module)
                targets.update(f"{node.module}.{a.name}" for a in node.names)
        graph[_module(path)] = targets
    modules = set(graph)

    def visit(node: str, stack: list[str], done: set[str]) -> None:
        if node in stack:
            raise AssertionError(
                "import cycle: " + " -> ".join([*stack[stack.index(node) :], node])
            )
        if node in done:
            return
        for nxt in sorted(graph.get(node, ())):
            if nxt in modules and nxt != node and not node.startswith(nxt + "."):
                visit(nxt, [*stack, node], done)
        done.add(node)

    done: set[str] = set()
    for module in sorted(modules):
        visit(module, [], done)
