"""Static lint on real released model code: the seeded-bug corpus's score.

Copies torchvision's and timm's installed source trees (Python files only) to a temporary
folder and runs static ``convshape lint`` (the library, no torch):

1. on the unmodified trees: every error finding there is a false one;
2. per seed of ``tests/corpus_real/seeds.json`` (each confirmed by torch to raise, see
   ``scripts/record_seeds.py``): the seed applied to its file in the copied tree, the
   seeded file linted within that tree. A seed is *found* when a new error finding (one
   the unmodified file does not have) covers the line to fix (at its place, or at the other
   place it names where one edit also fixes it: a channel mismatch either of whose lines may
   be the wrong one, see convshape/features/lint/blame.py), *elsewhere* when new error
   findings exist only on other lines, *missed* otherwise.

Prints found / seeded per kind and per package, and the false findings. With
``--model-mode`` (needs torch), the same for ``convshape lint --model`` (the library's
``run_model``): each seeded model built from its copied tree, in a forked process, found
when a finding covers the line to fix in the seeded file.
Run: python benchmarks/score_lint_real.py [--verbose] [--json FILE] [--model-mode]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import realcode  # noqa: E402

from convshape.features.lint.config import Config  # noqa: E402
from convshape.features.lint.static import lint_paths  # noqa: E402


def score(verbose: bool = False) -> dict[str, Any]:
    seeds = realcode.load_seeds()
    with tempfile.TemporaryDirectory() as tmp:
        root = realcode.copy_packages(Path(tmp), python_only=True)
        start = time.perf_counter()
        clean = lint_paths([str(root / name) for name in realcode.PACKAGES], Config(root=root))
        took = time.perf_counter() - start
        false = [f for f in clean.findings if f.severity == "error"]
        outcomes = []
        for seed in seeds:
            _before, new = realcode.lint_seed(root, seed)
            here = realcode.at_line_to_fix(new, root, seed)
            verdict = "found" if here else "elsewhere" if new else "missed"
            outcomes.append({"id": seed["id"], "verdict": verdict, "findings": new})
            if verbose:
                shown = "; ".join(
                    f"{Path(f.path).name}:{f.line} {f.code} {f.message[:70]}" for f in new
                )
                print(f"{verdict:9} {seed['id']:34} {shown}")
    return {
        "seeds": seeds,
        "outcomes": outcomes,
        "false": false,
        "files": clean.files,
        "seconds": took,
    }


def _model_mode(root: Path, seed: dict[str, Any]) -> dict[str, Any]:
    """In a forked child: model mode on the seed's model, built from the copies."""
    import os

    from convshape.features.lint.config import ModelSpec
    from convshape.features.lint.model import run_model

    realcode.import_copies(root)
    os.chdir(root)
    factory = root / "seed_factory.py"
    factory.write_text(
        f"import importlib\n\nm = importlib.import_module({seed['module']!r})\n\n\n"
        f"def build():\n    return m.{seed['call']}\n",
        encoding="utf-8",
    )
    report = run_model(ModelSpec("seed_factory:build", (tuple(seed["input"]),)), root)
    return {
        "findings": [
            (str(root / f.path), f.line, max(f.line, f.end_line), f.code, f.message)
            for f in report.findings
        ]
    }


def score_model_mode(verbose: bool = False) -> dict[str, Any]:
    import torch  # noqa: F401  (imported once here; each child imports the seeded packages)

    seeds = realcode.load_seeds()
    outcomes = []
    with tempfile.TemporaryDirectory() as tmp:
        root = realcode.copy_packages(Path(tmp))
        for seed in seeds:
            original = realcode.apply_seed(root, seed)
            try:
                result = realcode.in_fork(_model_mode, root, seed)
            finally:
                realcode.revert_seed(root, seed, original)
            path = str(realcode.seeded_file(root, seed))
            found = result.get("findings", [])
            line = seed["fix_line"]
            here = [f for f in found if f[0] == path and f[1] <= line <= f[2]]
            verdict = "found" if here else "elsewhere" if found else "missed"
            outcomes.append({"id": seed["id"], "verdict": verdict})
            if verbose:
                shown = "; ".join(f"{Path(f[0]).name}:{f[1]} {f[3]} {f[4][:60]}" for f in found)
                print(f"{verdict:9} {seed['id']:34} {shown or result.get('message', '')}")
    return {"seeds": seeds, "outcomes": outcomes}


def _table(title: str, groups: dict[str, Counter[str]]) -> None:
    print(f"{title:28} {'found':>6} {'elsewhere':>9} {'missed':>6} {'seeded':>6}")
    for name, c in sorted(groups.items()):
        total = sum(c.values())
        print(f"{name:28} {c['found']:6} {c['elsewhere']:9} {c['missed']:6} {total:6}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="one line per seed")
    parser.add_argument("--json", type=Path, help="write the per-seed verdicts here")
    parser.add_argument(
        "--model-mode", action="store_true", help="score lint --model instead (needs torch)"
    )
    args = parser.parse_args()
    result = score_model_mode(args.verbose) if args.model_mode else score(args.verbose)
    seeds, outcomes = result["seeds"], result["outcomes"]
    by_kind: dict[str, Counter[str]] = {}
    by_package: dict[str, Counter[str]] = {}
    for seed, outcome in zip(seeds, outcomes, strict=True):
        by_kind.setdefault(seed["kind"], Counter())[outcome["verdict"]] += 1
        by_package.setdefault(seed["package"], Counter())[outcome["verdict"]] += 1
    print()
    _table("kind", by_kind)
    print()
    _table("package", by_package)
    found = sum(o["verdict"] == "found" for o in outcomes)
    print(
        f"\nfound at the line to fix: {found} / {len(seeds)} seeded "
        f"({100 * found / max(len(seeds), 1):.0f}%)"
    )
    if args.model_mode:
        _write(args.json, outcomes)
        return 0
    false = result["false"]
    print(
        f"false error findings on the unmodified trees: {len(false)} "
        f"({result['files']} files linted in {result['seconds']:.1f} s)"
    )
    for f in false[:20]:
        print(f"  {f.path}:{f.line}:{f.col} {f.code} {f.message[:90]}")
    _write(args.json, outcomes)
    return 0


def _write(path: Path | None, outcomes: list[dict[str, Any]]) -> None:
    if path is not None:
        verdicts = {o["id"]: o["verdict"] for o in outcomes}
        path.write_text(json.dumps(verdicts, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
