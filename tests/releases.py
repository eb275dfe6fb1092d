"""The recorded torch releases (``tests/torch_releases``), read back for the tests.

``scripts/record_torch.py`` wrote them: ``cases.json.gz`` (each layer as PyTorch code, its
input, the torch call) and per release ``torch-<release>.json.gz`` (what that release did
with each case: on CPU with the default threads and oneDNN, for convolutions also with one
thread and with oneDNN off where that differs, and on meta). :func:`misses` compares the
engine, predicting for the release, with every recorded outcome.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

from convshape import oracle
from convshape.core.engine import Env, Result, infer_spec
from convshape.core.errors import UsageError
from convshape.core.releases import parse, using
from convshape.core.shapes import Shape
from convshape.features.network import parse_stack
from convshape.features.verify import compare
from convshape.ops import AnySpec
from convshape.readers.parse import parse_layer

FIXTURES = Path(__file__).parent / "torch_releases"
RELEASES = tuple(
    sorted(
        (p.name.removeprefix("torch-").removesuffix(".json.gz") for p in FIXTURES.glob("torch-*")),
        key=lambda v: tuple(int(x) for x in v.split(".")),
    )
)
"""The recorded releases, oldest first (``"2.13.0"``)."""

# Which recorded outcome, and the environment the engine predicts it in.
RUNS = ("cpu", "cpu1", "nomkldnn", "meta")


def _read(path: Path) -> Any:
    return json.loads(gzip.decompress(path.read_bytes()))


@cache
def case_rows() -> tuple[dict[str, Any], ...]:
    """The recorded cases as written: ``code``, ``input``, the torch ``call``."""
    return tuple(_read(FIXTURES / "cases.json.gz"))


@cache
def cases() -> tuple[tuple[AnySpec, Shape], ...]:
    """Every recorded case as the spec its code reads back to, and its input shape."""
    return tuple((_spec(case), tuple(case["input"])) for case in case_rows())


def _spec(case: dict[str, Any]) -> AnySpec:
    text = case["code"]
    kwargs: dict[str, Any] = {}
    if "weight" in case:
        bias = case.get("bias")
        kwargs = {"weight": tuple(case["weight"]), "bias": tuple(bias) if bias else None}
    if "output_size" in case:
        size = case["output_size"]
        kwargs["output_size"] = tuple(size) if isinstance(size, list) else size
    try:
        return parse_layer(text, **kwargs)
    except UsageError:  # a layer between convolutions: read as a one-layer stack
        [layer] = parse_stack(text)
        return layer.spec


@cache
def fixture(release: str) -> dict[str, Any]:
    return dict(_read(FIXTURES / f"torch-{release}.json.gz"))


class Miss(NamedTuple):
    """One recorded outcome the engine does not predict."""

    run: str
    result: Result
    outcome: oracle.Outcome
    match: str

    def describe(self) -> str:
        r, o = self.result, self.outcome
        code = r.error.code if r.error else "-"
        said = f"{r.error.exc}: {r.error.message}" if r.error else str(r.output)
        got = f"{o.exc}: {o.message}" if o.exc else str(o.shape)
        return (
            f"{self.run} {self.match} {code} {r.spec!r} {r.input}\n  engine {said}\n  torch  {got}"
        )


def _outcome(recorded: list[Any]) -> oracle.Outcome:
    if len(recorded) == 1:
        return oracle.Outcome(tuple(recorded[0]))
    return oracle.Outcome(None, recorded[0], recorded[1])


def runs(release: str) -> Iterator[tuple[str, Env, AnySpec, Shape, oracle.Outcome]]:
    """Each recorded outcome with the environment it was recorded in."""
    doc = fixture(release)
    version = parse(doc["torch"])
    threads = int(doc["threads"])
    envs = {
        "cpu": Env(num_threads=threads, torch=version),
        "cpu1": Env(num_threads=1, torch=version),
        "nomkldnn": Env(num_threads=threads, mkldnn=False, torch=version),
        "meta": Env(num_threads=threads, torch=version),
    }
    for (spec, shape), row in zip(cases(), doc["outcomes"], strict=True):
        is_conv = "cpu1" in row or "nomkldnn" in row or type(spec).__name__.startswith("Conv")
        for run in RUNS:
            if run in ("cpu1", "nomkldnn") and not is_conv:
                continue
            yield run, envs[run], spec, shape, _outcome(row.get(run, row["cpu"]))


@cache
def misses(release: str) -> tuple[int, list[Miss]]:
    """How many outcomes were compared, and those the engine does not predict: on CPU
    the same shape or the same exception type and exact message (or a backend variant
    whose condition the recorded environment does not decide); on meta, verify's
    verdict."""
    total = 0
    out: list[Miss] = []
    for run, env, spec, shape, outcome in runs(release):
        total += 1
        device = "meta" if run == "meta" else "cpu"
        with using(env.torch):
            result = infer_spec(spec, shape, env)
            check = compare(result, outcome, device)
        if not check.agree:
            out.append(Miss(run, result, outcome, check.match))
    return total, out
