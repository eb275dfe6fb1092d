"""Record torch's confirmation of each seeded bug in ``tests/corpus_real/seeds.json``.

Each seed is one line of torchvision's or timm's released source changed into a bug of a
kind people make (a wrong in_channels, BatchNorm width, Linear size, groups, a channel
count after ``torch.cat``, a ConvTranspose in a decoder, a stride that breaks a ``+``).
For each: copy both installed package trees to a temporary folder, apply the seed, import
the seeded package from there in a fresh forked process, build the model with the seed's
call, run it in eval mode on CPU on the seed's input, and record the exception torch
raised (type, message, the deepest line of the package it came from). Before the seeds,
every model is built and run unseeded: it must not raise. A seed that does not make torch
raise is dropped (and named). The file keeps the package versions it was recorded with.

Run: python scripts/record_seeds.py [SEED_ID ...]   (CPU torch with torchvision and timm)
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import realcode  # noqa: E402


def main(only: list[str]) -> int:
    import torch  # imported once here; each child imports the seeded packages

    data = json.loads(realcode.SEEDS.read_text(encoding="utf-8"))
    seeds: list[dict[str, Any]] = data["seeds"]
    chosen = [s for s in seeds if not only or s["id"] in only]
    kept: list[dict[str, Any]] = []
    dropped: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = realcode.copy_packages(Path(tmp))
        clean: dict[tuple[str, str, str], dict[str, Any]] = {}
        for seed in chosen:
            key = (seed["module"], seed["call"], str(seed["input"]))
            if key not in clean:
                clean[key] = realcode.confirm(root, seed["module"], seed["call"], seed["input"])
                if "output" not in clean[key]:
                    print(f"unseeded {key} fails: {clean[key]}", file=sys.stderr)
                    return 1
        for seed in chosen:
            start = time.perf_counter()
            original = realcode.apply_seed(root, seed)
            try:
                outcome = realcode.confirm(root, seed["module"], seed["call"], seed["input"])
            finally:
                realcode.revert_seed(root, seed, original)
            took = time.perf_counter() - start
            if "output" in outcome or outcome["exception"] in ("crash", "ModuleNotFoundError"):
                dropped.append(seed["id"])
                print(f"DROP {seed['id']}: {outcome}")
                continue
            seed["torch"] = outcome
            kept.append(seed)
            print(
                f"ok   {seed['id']} ({took:.1f}s) {outcome['exception']}: {outcome['message'][:90]}"
            )
    if only:
        by_id = {s["id"]: s for s in kept}
        seeds = [by_id.get(s["id"], s) for s in seeds if s["id"] not in dropped]
    else:
        seeds = kept
    data = {
        "recorded_with": {
            "torch": torch.__version__,
            "torchvision": version("torchvision"),
            "timm": version("timm"),
        },
        "seeds": seeds,
    }
    tmp_path = realcode.SEEDS.with_suffix(".json.tmp")
    tmp_path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp_path, realcode.SEEDS)
    print(f"{len(kept)} confirmed, {len(dropped)} dropped: {' '.join(dropped)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
