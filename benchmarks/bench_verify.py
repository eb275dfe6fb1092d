"""verify's cost, measured side by side in one run (ratios, not absolute times).

1. Per configuration: ``verify`` (engine + torch + comparison) against the bare torch call
   it makes (``oracle.run`` on CPU), on the same fuzz configurations, interleaved so that
   machine noise hits both alike (goal: <= 1.5x). A third line times the engine plus that
   call and nothing else: the floor no verify can go below.
2. Fuzz cost and throughput (configurations per second of ``verify --fuzz`` on cpu and on
   meta), for the convolution family (the mix of earlier figures) and for the layers
   between convolutions apart.
3. A large input: verify of nn.Conv2d(3, 16, 3) on 1x3x4096x4096 (a twin run, see
   docs/verify.md) against the real CPU call it avoids.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from convshape import oracle
from convshape.core import registry
from convshape.core.engine import infer_spec
from convshape.core.shapes import Shape
from convshape.features import fuzz
from convshape.features import verify as V
from convshape.ops import AnySpec, Conv

COUNT = 2000
SEED = 0
# The convolution family's ops, the mix earlier figures were measured on; the layers
# between convolutions joined the fuzzer later and are measured apart.
CONV_OPS = list(registry.fuzz_ops(registry.CONV))
LAYER_OPS = list(registry.fuzz_ops(registry.LAYERS))


def timed(fn: Callable[..., object], *args: object) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def per_configuration(rounds: int = 7, chunk: int = 100) -> None:
    configs = list(fuzz.generate(COUNT, SEED, CONV_OPS))
    chunks = [configs[i : i + chunk] for i in range(0, COUNT, chunk)]
    env = V.default_env()

    def bare(part: list[tuple[AnySpec, Shape]]) -> None:
        for spec, shape in part:
            oracle.run(spec, shape, "cpu")

    def verify(part: list[tuple[AnySpec, Shape]]) -> None:
        for spec, shape in part:
            V.verify(spec, shape, env=env)

    def floor(part: list[tuple[AnySpec, Shape]]) -> None:  # what verify cannot avoid
        for spec, shape in part:
            infer_spec(spec, shape, env)
            oracle.run(spec, shape, "cpu")

    bare(configs)  # warm-up: lazy imports, oneDNN primitive caches
    verify(configs)
    b, f, v = [], [], []
    for _ in range(rounds):  # alternate chunk by chunk, so load changes hit all alike
        tb = tf = tv = 0.0
        for part in chunks:
            tb += timed(bare, part)
            tf += timed(floor, part)
            tv += timed(verify, part)
        b.append(tb / COUNT)
        f.append(tf / COUNT)
        v.append(tv / COUNT)
    tb, tf, tv = min(b), min(f), min(v)
    print(f"bare torch call (oracle.run, cpu) {tb * 1e6:9.1f} us / configuration")
    print(f"engine + that call, nothing else  {tf * 1e6:9.1f} us / configuration")
    print(f"verify (engine + torch + compare) {tv * 1e6:9.1f} us / configuration")
    print(f"ratio engine + call / bare        {tf / tb:9.2f}x")
    print(f"ratio verify / bare               {tv / tb:9.2f}x  (one call at a time)")


def fuzz_per_configuration(ops: list[str], label: str, rounds: int = 5) -> None:
    """verify --fuzz's cost per configuration (``verify_many``, without generating the
    configurations) against the bare torch calls it makes."""
    configs = list(fuzz.generate(COUNT, SEED, ops))

    def bare() -> None:
        for spec, shape in configs:
            oracle.run(spec, shape, "cpu")

    def verify_all() -> None:
        for _ in V.verify_many(configs):
            pass

    verify_all()  # warm-up
    b, v = [], []
    for _ in range(rounds):  # alternate, so load changes hit both alike
        b.append(timed(bare))
        v.append(timed(verify_all))
    tb, tv = min(b) / COUNT, min(v) / COUNT
    print(f"{label}:")
    print(f"  bare torch calls of a fuzz run  {tb * 1e6:9.1f} us / configuration")
    print(f"  verify_many (same configs)      {tv * 1e6:9.1f} us / configuration")
    print(f"  ratio verify --fuzz / bare      {tv / tb:9.2f}x  (goal <= 1.5x)")


def throughput(ops: list[str], label: str) -> None:
    for device in ("cpu", "meta"):
        V.run_fuzz(200, SEED, ops, device=device)  # warm-up
        rates = []
        for _ in range(3):
            report = V.run_fuzz(COUNT, SEED + 1, ops, device=device)
            rates.append(COUNT / report.seconds)
        rate = max(rates)
        print(f"verify --fuzz on {device:4s}, {label:13s} {rate:7.0f} configurations/s")


def large_input() -> None:
    spec, shape = Conv.make(2, 3, 16, 3), (1, 3, 4096, 4096)
    first = timed(V.verify, spec, shape)  # includes meta's one-off lazy imports
    warm = min(timed(V.verify, spec, shape) for _ in range(7))
    real = timed(oracle.run, spec, shape, "cpu")
    print(f"verify 1x3x4096x4096, first call  {first * 1e3:9.1f} ms  (after import torch)")
    print(f"verify 1x3x4096x4096, warm        {warm * 1e3:9.1f} ms")
    print(f"the real CPU call it avoids       {real * 1e3:9.1f} ms")
    print(f"ratio real / verify (warm)        {real / warm:9.0f}x")


if __name__ == "__main__":
    import torch  # noqa: F401  - imported up front so that no timing includes it

    large_input()
    per_configuration()
    fuzz_per_configuration(CONV_OPS, "convolution family (the mix of earlier figures)")
    fuzz_per_configuration(LAYER_OPS, "layers between convolutions")
    throughput(CONV_OPS, "conv family")
    throughput(LAYER_OPS, "layers")
