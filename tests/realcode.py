"""Released model code for the tests: torchvision's and timm's installed source trees.

Static lint and ``calc --file`` only read these files. The oracle tests also import them,
to build the models in real torch: PyPI's torchvision registers fake kernels for its
compiled operators at import, and beside the CPU build of torch those operators do not
exist ("operator torchvision::nms does not exist"). :func:`import_torchvision` skips that
one module (it only serves ``torch.compile`` of torchvision's ops); nothing the model
builders use depends on it.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import types
from collections import defaultdict
from pathlib import Path
from typing import Any


def package_dir(name: str) -> Path | None:
    """The installed package's folder, found without importing it."""
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


TORCHVISION = package_dir("torchvision")
TIMM = package_dir("timm")


def import_torchvision() -> Any:
    """``torchvision`` imported for an oracle test, with its fake-kernel module skipped."""
    sys.modules.setdefault(
        "torchvision._meta_registrations", types.ModuleType("torchvision._meta_registrations")
    )
    import torchvision

    return torchvision


# The seeded-bug corpus: one-line bugs placed back into the released trees.

SEEDS = Path(__file__).parent / "corpus_real" / "seeds.json"
PACKAGES = ("torchvision", "timm")


def load_seeds() -> list[dict[str, Any]]:
    """The seeds of ``tests/corpus_real/seeds.json`` (see ``scripts/record_seeds.py``)."""
    data = json.loads(SEEDS.read_text(encoding="utf-8"))
    seeds: list[dict[str, Any]] = data["seeds"]
    return seeds


def copy_packages(dest: Path, *, python_only: bool = False) -> Path:
    """torchvision's and timm's installed trees copied under ``dest`` (a folder to put
    first on ``sys.path``, or to lint); ``python_only`` leaves out compiled libraries."""
    keep = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in PACKAGES:
        source = package_dir(name)
        if source is None:
            raise FileNotFoundError(f"{name} is not installed")
        if python_only:
            shutil.copytree(source, dest / name, ignore=_only_python(keep), dirs_exist_ok=True)
        else:
            shutil.copytree(source, dest / name, ignore=keep, dirs_exist_ok=True)
    return dest


def _only_python(keep: Any) -> Any:
    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(keep(folder, names))
        for name in names:
            if not name.endswith(".py") and not (Path(folder) / name).is_dir():
                skipped.add(name)
        return skipped

    return ignore


def seeded_file(root: Path, seed: dict[str, Any]) -> Path:
    """The file a seed changes, in the copies under ``root``."""
    return root / seed["package"] / seed["file"]


def apply_seed(root: Path, seed: dict[str, Any]) -> str:
    """Put the seed's bug into its file under ``root``; returns the file's original text
    (for :func:`revert_seed`). The line must read exactly as recorded."""
    path = seeded_file(root, seed)
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    index = seed["line"] - 1
    if lines[index] != seed["original"]:
        raise ValueError(
            f"{seed['id']}: {seed['file']}:{seed['line']} reads {lines[index]!r}, "
            f"not {seed['original']!r} (another release?)"
        )
    lines[index] = seed["replacement"]
    path.write_text("\n".join(lines), encoding="utf-8")
    return text


def revert_seed(root: Path, seed: dict[str, Any], original: str) -> None:
    seeded_file(root, seed).write_text(original, encoding="utf-8")


def lint_seed(root: Path, seed: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    """Static lint of the seed's file alone in the copied trees under ``root``, before and
    with the seed: the error findings of the unmodified file, and the new ones the seed
    makes (not those of the unmodified file)."""
    from convshape.features.lint.config import Config
    from convshape.features.lint.static import lint_paths

    def errors() -> list[Any]:
        run = lint_paths([str(path)], Config(root=root))
        return [f for f in run.findings if f.severity == "error"]

    def key(f: Any) -> tuple[str, int, int, str]:
        return (Path(f.path).name, f.line, f.col, f.code)

    path = seeded_file(root, seed)
    before = errors()
    original = apply_seed(root, seed)
    try:
        after = errors()
    finally:
        revert_seed(root, seed, original)
    known = {key(f) for f in before}
    return before, [f for f in after if key(f) not in known]


def at_line_to_fix(findings: list[Any], root: Path, seed: dict[str, Any]) -> list[Any]:
    """The findings that cover the seed's line to fix in its file: at their own place, or
    at a related place they name (the other end of a mismatch one edit at either of whose
    lines fixes, see convshape/features/lint/blame.py)."""
    path, line = seeded_file(root, seed), seed["fix_line"]
    return [
        f
        for f in findings
        if Path(f.path) == path
        and any(at.line <= line <= max(at.line, at.end_line) for at in (f, *f.related))
    ]


def import_copies(root: Path) -> None:
    """Make the package copies under ``root`` the ones imported (in a forked child)."""
    sys.path.insert(0, str(root))
    for name in [m for m in sys.modules if m.partition(".")[0] in PACKAGES]:
        del sys.modules[name]  # imported by the parent (another test): read the copies
    import_torchvision()


def build_and_run(root: Path, module: str, call: str, shape: list[int]) -> dict[str, Any]:
    """In this process: import ``module`` from the copies under ``root``, build the model
    (``call`` read in the module's namespace), run it in eval mode on a CPU input of
    ``shape``. The output's shape, or the exception torch raised and the deepest line
    of the packages it came from."""
    import importlib
    import traceback

    import_copies(root)
    import torch

    torch.set_num_threads(1)
    torch.manual_seed(0)
    try:
        namespace = vars(importlib.import_module(module))
        model = eval(call, dict(namespace))  # a seed's own builder call, written by us
        model.eval()
        with torch.no_grad():
            out = model(torch.randn(*shape))
    except Exception as exc:  # what torch (or the model) raised is the finding's truth
        where = None
        for frame in traceback.extract_tb(exc.__traceback__):
            path = Path(frame.filename)
            if path.is_relative_to(root):
                rel = path.relative_to(root).as_posix()
                where = f"{rel}:{frame.lineno}"
        return {"exception": type(exc).__name__, "message": str(exc), "raised_at": where}
    if isinstance(out, dict):  # segmentation models
        out = out["out"]
    return {"output": list(out.shape)}


def confirm(root: Path, module: str, call: str, shape: list[int]) -> dict[str, Any]:
    """:func:`build_and_run` in a forked child, so that each seeded tree is imported
    afresh (the parent imports torch once, never the packages)."""
    return in_fork(build_and_run, root, module, call, shape)


def in_fork(function: Any, *args: Any) -> dict[str, Any]:
    """``function(*args)`` (a dict) in a forked child; an exception escaping it, or the
    child dying, is returned as ``{"exception", "message"}``."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe(duplex=False)

    def target() -> None:
        try:
            child.send(function(*args))
        except BaseException as exc:  # the import itself failed
            child.send({"exception": type(exc).__name__, "message": str(exc), "raised_at": None})

    process = context.Process(target=target)
    process.start()
    child.close()
    try:
        result: dict[str, Any] = parent.recv()
    except EOFError:
        result = {"exception": "crash", "message": f"exit code {process.exitcode}"}
    process.join()
    return result


def torch_leaf_outputs(model: Any, shape: tuple[int, ...], device: str) -> dict[str, Any]:
    """torch's answer for a built model run in eval mode on ``torch.empty(shape)``: per
    module path, the output shape of each call of each module without children (forward
    hooks); the output's shape; the parameter count."""
    import torch

    model.eval()
    names = {id(m): name for name, m in model.named_modules()}
    calls: dict[str, list[tuple[int, ...]]] = defaultdict(list)

    def hook(module: Any, args: Any, output: Any) -> None:
        if isinstance(output, tuple) and output:  # attention: (output, weights)
            output = output[0]
        if isinstance(output, torch.Tensor):
            calls[names[id(module)]].append(tuple(output.shape))

    handles = [m.register_forward_hook(hook) for m in model.modules() if not list(m.children())]
    with torch.no_grad():
        out = model(torch.empty(shape, device=device))
    for h in handles:
        h.remove()
    if not isinstance(out, torch.Tensor):  # a named tuple of outputs: the main one first
        out = out[0]
    return {
        "calls": dict(calls),
        "output": tuple(out.shape),
        "params": sum(p.numel() for p in model.parameters()),
    }
