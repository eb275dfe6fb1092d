"""Engine speed versus torch, measured side by side in one run (ratios, not absolute times).

1. Engine prediction vs ``F.conv2d`` on the meta device, same configurations (goal: >= 20x).
2. ``convshape calc`` cold start vs ``python -c "import click, rich.console"`` (goal: <= 1.5x).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from convshape.core.engine import infer_spec
from convshape.ops import ConvCall

CONFIGS = [
    ((20, 16, 50, 100), (32, 16, 3, 3), 1, 1),
    ((8, 3, 224, 224), (64, 3, 7, 7), 2, 3),
    ((4, 64, 56, 56), (64, 64, 3, 3), 1, 1),
    ((1, 128, 28, 28), (256, 128, 1, 1), 2, 0),
]


def per_call(fn: object, rounds: int = 7, calls: int = 2000) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def engine_vs_meta() -> None:
    import torch
    import torch.nn.functional as F

    specs = [(ConvCall.make(2, w, stride=s, padding=p), x) for x, w, s, p in CONFIGS]
    metas = [
        (torch.empty(x, device="meta"), torch.empty(w, device="meta"), s, p)
        for x, w, s, p in CONFIGS
    ]
    for x, w, s, p in metas:  # the first meta call imports lazily; keep it out
        F.conv2d(x, w, stride=s, padding=p)

    def engine() -> None:
        for spec, shape in specs:
            infer_spec(spec, shape)

    def meta() -> None:
        for x, w, s, p in metas:
            F.conv2d(x, w, stride=s, padding=p)

    # interleave so that machine noise hits both alike
    e1, m1 = per_call(engine), per_call(meta)
    e2, m2 = per_call(engine), per_call(meta)
    e, m = min(e1, e2) / len(CONFIGS), min(m1, m2) / len(CONFIGS)
    print(f"engine per prediction      {e * 1e6:8.2f} us")
    print(f"F.conv2d on meta per call  {m * 1e6:8.2f} us")
    print(f"ratio meta / engine        {m / e:8.1f}x   (goal >= 20x)")


def cold(cmd: list[str], runs: int = 9) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_start() -> None:
    # click and rich were byte-compiled when pip installed them; compile convshape too, as a
    # wheel install does (this environment sets PYTHONDONTWRITEBYTECODE, so an editable
    # checkout would otherwise be re-compiled from source on every start).
    import compileall

    import convshape

    compileall.compile_dir(convshape.__path__[0], quiet=1)
    calc = [sys.executable, "-m", "convshape", "calc", "nn.Conv2d(16, 32, 3)", "-i", "1,16,8,8"]
    base = [sys.executable, "-c", "import click, rich.console"]
    c1, b1 = cold(calc), cold(base)
    c2, b2 = cold(calc), cold(base)
    c, b = min(c1, c2), min(b1, b2)
    print(f"convshape calc cold start  {c * 1e3:8.1f} ms")
    print(f"import click, rich.console {b * 1e3:8.1f} ms")
    print(f"ratio calc / baseline      {c / b:8.2f}x  (goal <= 1.5x)")


if __name__ == "__main__":
    engine_vs_meta()
    cold_start()
