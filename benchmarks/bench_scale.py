"""How each command's time grows with its input (issue 13: bounded, linear work).

Every command runs in this process (click's test runner, output discarded) on an input of
a base size and on inputs 10x, 100x and 1000x larger; the table shows the seconds and the
ratio to the previous size. Linear work shows ratios near 10 (start-up costs make the
first ratios smaller); quadratic work would show 100.

Run: python benchmarks/bench_scale.py [--max-scale 1000] [--only calc-stack,explain]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from convshape.cli.app import cli

Case = Callable[[int, Path], tuple[list[str], str | None]]
LINEAR = "mat1 and mat2 shapes cannot be multiplied (20x12800 and 9216x10)"


def calc_stack(n: int, tmp: Path) -> tuple[list[str], str | None]:
    """A Sequential of n layers on stdin."""
    layers = ", ".join(["nn.Conv2d(8, 8, 3, padding=1)", "nn.ReLU()"] * (n // 2))
    return ["calc", "-", "--input", "1,8,16,16", "--json"], f"nn.Sequential({layers})"


def calc_file_one_line(n: int, tmp: Path) -> tuple[list[str], str | None]:
    """A stack of n layers written on one line of a file."""
    path = tmp / f"one_line_{n}.py"
    layers = ", ".join(["nn.Linear(3, 3)", "nn.ReLU()"] * (n // 2))
    path.write_text(f"m = nn.Sequential({layers})\n")
    return ["calc", "--file", str(path), "--input", "1,3", "--json"], None


def explain_traceback(n: int, tmp: Path) -> tuple[list[str], str | None]:
    """A traceback of n frames and n repeated exception lines."""
    frames = '  File "/u/net.py", line 3, in forward\n    return self.fc(x)\n' * n
    text = "Traceback (most recent call last):\n" + frames + f"RuntimeError: {LINEAR}\n" * n
    return ["explain", "-", "--json"], text


def lint_file(n: int, tmp: Path) -> tuple[list[str], str | None]:
    """A file with n small models."""
    path = tmp / f"models_{n}.py"
    body = "".join(
        f"m{i} = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Conv2d(8, 4, 3))\n"
        for i in range(n)
    )
    path.write_text("import torch.nn as nn\n" + body)
    return ["lint", str(path), "--output-format", "json"], None


def solve_stack(n: int, tmp: Path) -> tuple[list[str], str | None]:
    """solve --stack on a stack of n layers."""
    layers = ", ".join(["nn.Conv2d(8, 8, 3, padding=1)"] * n)
    return ["solve", "--stack", "-", "--input", "1,8,64,64", "--json"], f"nn.Sequential({layers})"


def solve_max_size(n: int, tmp: Path) -> tuple[list[str], str | None]:
    """solve --stack over sizes up to 20n."""
    code = "nn.Sequential(nn.Conv2d(3, 8, 3, stride=2), nn.MaxPool2d(2))"
    args = ["solve", "--stack", code, "--input", "1,3,64,64", "--max-size", str(20 * n)]
    return [*args, "--json"], None


def draw_layer(n: int, tmp: Path) -> tuple[list[str], str | None]:
    """draw on an axis of 1000n cells, the SVG and the page: elided, so about constant."""
    files = ["--svg", str(tmp / "layer.svg"), "--html", str(tmp / "layer.html")]
    return ["draw", "nn.Conv1d(1, 1, 3, stride=2)", "--input", f"1,1,{1000 * n}", *files], None


def draw_model(n: int, tmp: Path) -> tuple[list[str], str | None]:
    """draw --file on a model of n residual blocks (a skip edge each), SVG and page."""
    path = tmp / f"net_{n}.py"
    path.write_text(
        "import torch.nn as nn\n\n\n"
        "class Net(nn.Module):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        conv = nn.Conv2d\n"
        f"        self.blocks = nn.ModuleList([conv(4, 4, 3, padding=1) for _ in range({n})])\n"
        "\n"
        "    def forward(self, x):\n"
        "        for block in self.blocks:\n"
        "            x = x + block(x)\n"
        "        return x\n"
    )
    files = ["--svg", str(tmp / "model.svg"), "--html", str(tmp / "model.html")]
    return ["draw", "--file", str(path), "--input", "1,4,8,8", *files], None


CASES: dict[str, tuple[Case, int]] = {
    "calc-stack": (calc_stack, 20),
    "calc-file-one-line": (calc_file_one_line, 20),
    "explain-traceback": (explain_traceback, 20),
    "lint-file": (lint_file, 5),
    "solve-stack": (solve_stack, 1),
    "solve-max-size": (solve_max_size, 1),
    "draw-layer": (draw_layer, 1),
    "draw-model": (draw_model, 2),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-scale", type=int, default=1000)
    parser.add_argument("--only", help="comma-separated case names")
    opts = parser.parse_args(argv)
    runner = CliRunner()
    wanted = set(opts.only.split(",")) if opts.only else set(CASES)
    scales = [s for s in (1, 10, 100, 1000) if s <= opts.max_scale]
    print(f"{'case':<20} " + " ".join(f"{f'x{s}':>16}" for s in scales))
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        for name, (case, base) in CASES.items():
            if name not in wanted:
                continue
            cells, last = [], None
            for scale in scales:
                args, stdin = case(base * scale, tmp)
                start = time.perf_counter()
                result = runner.invoke(cli, args, input=stdin)
                took = time.perf_counter() - start
                if result.exit_code not in (0, 1):
                    cells.append(f"exit {result.exit_code}".rjust(16))
                    break
                ratio = f"({took / last:.0f}x)" if last else ""
                cells.append(f"{took:8.3f}s {ratio:>6}")
                last = took
            print(f"{name:<20} " + " ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
