"""``calc --file`` on every torchvision classification builder, against torch.

For each public builder of ``torchvision.models`` (classification: resnet, vgg,
efficientnet, ...): the static trace of ``builder()`` read from the installed package's
source (features/model_trace.py, no torch), and torch's own model built on the meta
device (CPU where its builder needs tensor values) and run in eval mode with forward
hooks. A builder *agrees* when the output shape, the parameter count and every leaf
module's output shape per call are torch's; *partial* when the trace was not followed to
the end (it says why; nothing is guessed); *differs* otherwise (a bug).

Prints one line per builder, the counts and the time the static traces took.
Run: python benchmarks/score_calc_real.py [--size 224]
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import realcode  # noqa: E402

from convshape.features.model_trace import trace_model  # noqa: E402

_INPUTS = {"inception_v3": 299}
_ATTENTION = "nn.MultiheadAttention"


def _builders() -> list[tuple[str, str]]:
    """(module file, builder name) of the classification builders, read by name."""
    tv = realcode.import_torchvision()
    found = []
    for name in sorted(tv.models.list_models(module=tv.models)):
        fn = tv.models.get_model_builder(name)
        file = Path(inspect.getsourcefile(inspect.unwrap(fn)) or "").stem
        found.append((file, name))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=224, help="input height and width")
    args = parser.parse_args()
    import torch

    assert realcode.TORCHVISION is not None
    verdicts: Counter[str] = Counter()
    static_s = 0.0
    for file, name in _builders():
        size = _INPUTS.get(name, args.size)
        shape = (1, 3, size, size)
        path = realcode.TORCHVISION / "models" / f"{file}.py"
        start = time.perf_counter()
        trace = trace_model(path.read_text(encoding="utf-8"), f"{name}()", shape, path=str(path))
        static_s += time.perf_counter() - start
        module = importlib.import_module(f"torchvision.models.{file}")
        try:
            with torch.device("meta"):
                model = getattr(module, name)()
            device = "meta"
        except (NotImplementedError, RuntimeError):
            model, device = getattr(module, name)(), "cpu"
        try:
            want = realcode.torch_leaf_outputs(model, shape, device)
        except Exception as exc:  # a model torch cannot run on this input
            print(f"{'skipped':8} {name:28} torch: {type(exc).__name__}: {str(exc)[:60]}")
            verdicts["skipped"] += 1
            continue
        got: dict[str, list[Any]] = defaultdict(list)
        for step in trace.steps:
            # torch's attention holds its output projection: not a leaf for its hooks
            if step.kind in ("layer", "module") and step.path and step.type != _ATTENTION:
                got[step.path].append(step.output)
        same = (
            trace.output == want["output"]
            and trace.params == want["params"]
            and dict(got) == want["calls"]
        )
        verdict = "agrees" if same else "partial" if not trace.followed else "differs"
        verdicts[verdict] += 1
        detail = "" if same else trace.reason[:90] or f"params {trace.params} vs {want['params']}"
        print(f"{verdict:8} {name:28} {detail}")
    total = sum(verdicts.values())
    print(
        f"\nagree with torch: {verdicts['agrees']} / {total} builders; partial (said so): "
        f"{verdicts['partial']}; differ: {verdicts['differs']}; torch skipped: "
        f"{verdicts['skipped']}; static traces took {static_s:.1f} s in all"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
