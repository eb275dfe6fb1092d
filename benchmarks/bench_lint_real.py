"""Static lint over torchvision's and timm's whole model trees (imports followed) against a
plain Python loop that reads and ``ast.parse``s the same files, in one run.

    python benchmarks/bench_lint_real.py [--jobs N]

Two measures, side by side with their ratios (the bar: lint at most 3x the parse loop):
file by file in one process (each file read and parsed, then linted from its text: the
two alternate, so a machine shared with other work slows both alike), and the whole
``lint_paths`` run (worker processes as ``convshape lint`` uses them) against the whole
parse loop. The trees are the installed packages' sources (tests/realcode.py locates them
without importing): torchvision/models and torchvision/ops, timm/models and timm/layers.
"""

from __future__ import annotations

import argparse
import ast
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from convshape.features.lint.config import Config  # noqa: E402
from convshape.features.lint.static import discover, lint_paths, lint_source  # noqa: E402
from tests.realcode import TIMM, TORCHVISION  # noqa: E402


def trees() -> list[Path]:
    found = []
    for base, subs in ((TORCHVISION, ("models", "ops")), (TIMM, ("models", "layers"))):
        if base is None:
            raise SystemExit("torchvision and timm must be installed (the test extra)")
        found += [base / sub for sub in subs]
    return found


def parse_loop(files: list[Path]) -> float:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for file in files:
            ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="lint's worker processes")
    args = parser.parse_args()
    paths = [str(p) for p in trees()]
    config = Config(root=ROOT)
    files = list(discover(paths, config))
    parsed = linted = 0.0
    for file in files:
        parsed += parse_loop([file])
        start = time.perf_counter()
        text = file.read_text(encoding="utf-8")
        lint_source(text, str(file), config=config)
        linted += time.perf_counter() - start
    parse = parse_loop(files)
    start = time.perf_counter()
    run = lint_paths(paths, config, jobs=args.jobs)
    lint = time.perf_counter() - start
    errors = sum(1 for f in run.findings if f.severity == "error")
    print(f"{'files':<34}{len(files):>10}")
    print(f"{'':<34}{'parse':>10}{'lint':>10}{'ratio':>9}")
    for label, a, b in (
        ("file by file, one process", parsed, linted),
        ("whole run (lint_paths)", parse, lint),
    ):
        print(f"{label:<34}{a:>9.2f}s{b:>9.2f}s{b / a:>8.2f}x")
    print("bar: lint at most 3x the parse loop")
    print(f"{'error findings':<34}{errors:>10}")


if __name__ == "__main__":
    main()
