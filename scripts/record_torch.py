"""Record what a torch release does with a broad set of layers: the per-release fixtures.

Two steps, so that the recording needs nothing but torch:

``python scripts/record_torch.py cases``
    writes ``tests/torch_releases/cases.json.gz`` from convshape's own generators (no
    predictions): every registered op's fuzz generator with a fixed seed and every
    ``convshape rule`` example that is one layer. Each case is the layer as PyTorch code
    (what the tests read back), its input shape and the torch call, as data.

``python scripts/record_torch.py diff RELEASE``
    prints each recorded outcome of ``torch-RELEASE.json.gz`` that the engine, predicting
    for that release, does not agree with (grouped by run, verdict and code).

``python scripts/record_torch.py record [OUT]``
    runs every case in the torch installed beside this Python (any release from 1.13 on;
    it imports only torch and the standard library) and writes
    ``tests/torch_releases/torch-<release>.json.gz`` (or OUT): the release, its oneDNN version,
    the thread count and, per case, the outcome on CPU with the default threads and oneDNN
    on, and for convolutions where they differ with one thread and with oneDNN off, and on
    meta: the output
    shape, or the exception type and exact message.

docs/releases.md says how a new release is recorded and added.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import random
import re
import sys
import warnings
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
FIXTURES = HERE / "tests" / "torch_releases"
CASES = FIXTURES / "cases.json.gz"
SEED = 20261202
PER_OP = 300
BUDGET = 1 << 24  # the multiply-adds one CPU case may cost
ELEMENTS = 1 << 24  # the input and parameter elements one case may allocate


# ---------------------------------------------------------------------------- cases


def _case(spec: Any, shape: tuple[int, ...]) -> dict[str, Any] | None:
    from convshape.core import registry
    from convshape.features.network import parse_stack
    from convshape.readers.parse import parse_layer

    family = registry.family_of(spec)
    text = family.code(spec)
    extra: dict[str, Any] = {}
    if getattr(spec, "weight", None) is not None:
        extra = {"weight": spec.weight, "bias": spec.bias}
    if getattr(spec, "output_size", None) is not None and hasattr(spec, "output_padding"):
        extra["output_size"] = spec.output_size
    try:  # the tests read the code back: record the layer the code reads as
        if family.group == registry.LAYERS:
            [layer] = parse_stack(text)
            spec = layer.spec
        else:
            spec = parse_layer(text, **extra)
    except Exception:
        return None
    if family.work_bound(spec, shape) > BUDGET:
        return None
    elements = math.prod(shape)
    if family.construct_error(spec) is None:
        elements += family.params(spec, shape)
    call = family.torch(spec)
    elements += sum(math.prod(t) for t in call.tensors if t is not None)
    if elements > ELEMENTS:
        return None
    case: dict[str, Any] = {"code": text, "input": list(shape)}
    case.update({k: v for k, v in extra.items() if v is not None})
    case["call"] = {
        "name": call.name,
        "args": list(call.args),
        "kwargs": dict(call.kwargs),
        "module": call.module,
        "forward": dict(call.forward),
        "tensors": list(call.tensors),
    }
    return case


def make_cases() -> list[dict[str, Any]]:
    from convshape.core import registry
    from convshape.core.errors import UsageError
    from convshape.features.examples import EXAMPLES
    from convshape.readers.flags import spec_from_args
    from convshape.readers.source import is_stack

    cases: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(spec: Any, shape: tuple[int, ...], origin: str) -> None:
        case = _case(spec, tuple(shape))
        if case is None:
            return
        key = json.dumps([case["code"], case["input"], case.get("weight"), case.get("bias")])
        if key not in seen:
            seen.add(key)
            cases.append({"origin": origin, **case})

    for code, args in EXAMPLES.items():
        if is_stack(args[0]):
            continue
        opt = {name: args[args.index(name) + 1] for name in args[1::2] if name in args}
        try:
            spec, shape = spec_from_args(
                args[0],
                opt["--input"],
                {},
                weight=opt.get("--weight"),
                bias=opt.get("--bias"),
                output_size=opt.get("--output-size"),
            )
        except UsageError:
            continue
        add(spec, shape, code)
    r = random.Random(SEED)
    for name, gen in registry.fuzz_ops().items():
        for _ in range(PER_OP):
            spec, shape = gen(r)
            add(spec, shape, name)
    return cases


# --------------------------------------------------------------------------- record


def _tuples(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


def _run(torch: Any, case: dict[str, Any], device: str) -> list[Any]:
    """``[shape]`` or ``[exception type, message]``."""
    call = _tuples(case["call"])
    call["forward"] = case["call"]["forward"]  # a module's forward takes output_size as a list
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with torch.no_grad():
                x = torch.empty(tuple(case["input"]), device=device)
                if call["module"]:
                    if hasattr(torch.device, "__enter__"):
                        with torch.device(device):
                            module = getattr(torch.nn, call["name"])(
                                *call["args"], **call["kwargs"]
                            )
                    else:  # torch < 2.0: build on the CPU, then move
                        module = getattr(torch.nn, call["name"])(*call["args"], **call["kwargs"])
                        module = module.to(device)
                    out = module(x, **call["forward"])
                else:
                    tensors = [
                        None if t is None else torch.empty(t, device=device)
                        for t in call["tensors"]
                    ]
                    fn = getattr(torch.nn.functional, call["name"])
                    out = fn(x, *tensors, *call["args"], **call["kwargs"])
        except TypeError as exc:  # a keyword the call passes but the code does not write
            word = re.search(r"unexpected keyword argument '(\w+)'", str(exc))
            if word and f"{word[1]}=" not in case["code"] and word[1] in case["call"]["kwargs"]:
                kwargs = {k: v for k, v in case["call"]["kwargs"].items() if k != word[1]}
                return _run(torch, {**case, "call": {**case["call"], "kwargs": kwargs}}, device)
            return [type(exc).__name__, str(exc)]
        except Exception as exc:  # what torch says is the record
            return [type(exc).__name__, str(exc)]
    result = out[0] if isinstance(out, tuple) else out
    return [list(result.shape)]


def record(out: Path | None) -> Path:
    import torch

    cases = json.loads(gzip.decompress(CASES.read_bytes()))
    threads = torch.get_num_threads()
    onednn = None
    try:
        onednn = ".".join(str(v) for v in torch.backends.mkldnn.version())  # type: ignore[attr-defined]
    except Exception:
        config = torch.__config__.show()
        for line in config.splitlines():
            if "oneDNN" in line or "MKL-DNN" in line:
                onednn = line.strip().lstrip("- ")
                break
    release = torch.__version__.split("+")[0]
    outcomes: list[dict[str, Any]] = []
    for case in cases:
        torch.set_num_threads(threads)
        row: dict[str, Any] = {"cpu": _run(torch, case, "cpu")}
        if not case["call"]["name"].lower().startswith("conv"):  # only convolutions
            row["meta"] = _run(torch, case, "meta")  # choose a backend by threads/oneDNN
            outcomes.append(row)
            continue
        torch.set_num_threads(1)
        one = _run(torch, case, "cpu")
        torch.set_num_threads(threads)
        if one != row["cpu"]:
            row["cpu1"] = one
        torch.backends.mkldnn.enabled = False
        try:
            off = _run(torch, case, "cpu")
        finally:
            torch.backends.mkldnn.enabled = True
        if off != row["cpu"]:
            row["nomkldnn"] = off
        row["meta"] = _run(torch, case, "meta")
        outcomes.append(row)
    doc = {
        "torch": release,
        "build": torch.__version__,
        "onednn": onednn,
        "mkldnn_available": bool(torch.backends.mkldnn.is_available()),
        "threads": threads,
        "cases": len(cases),
        "outcomes": outcomes,
    }
    path = out or FIXTURES / f"torch-{release}.json.gz"
    _write(path, doc)
    return path


def _write(path: Path, doc: object) -> None:
    """Compact JSON, gzipped (mtime 0: the same data gives the same bytes), atomically."""
    tmp = path.with_name(path.name + ".tmp")
    data = (json.dumps(doc, separators=(",", ":")) + "\n").encode()
    tmp.write_bytes(gzip.compress(data, 9, mtime=0))
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    if argv[:1] == ["cases"]:
        cases = make_cases()
        FIXTURES.mkdir(parents=True, exist_ok=True)
        _write(CASES, cases)
        print(f"{len(cases)} cases -> {CASES}")
        return 0
    if argv[:1] == ["record"]:
        path = record(Path(argv[1]) if len(argv) > 1 else None)
        print(f"recorded -> {path}")
        return 0
    if argv[:1] == ["diff"] and len(argv) > 1:
        return diff(argv[1])
    print(__doc__)
    return 2


def diff(release: str) -> int:
    """Print what the engine, predicting for ``release``, gets wrong in its fixture."""
    from collections import Counter

    sys.path.insert(0, str(HERE))
    from tests.releases import misses

    total, missed = misses(release)
    groups: Counter[tuple[str, str, str]] = Counter()
    shown: set[tuple[str, str, str]] = set()
    for m in missed:
        key = (m.run, m.match, m.result.error.code if m.result.error else "-")
        groups[key] += 1
        if key not in shown:
            shown.add(key)
            print(m.describe())
    for key, n in groups.most_common():
        print(n, *key)
    print(f"torch {release}: {total - len(missed)}/{total} agree")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
