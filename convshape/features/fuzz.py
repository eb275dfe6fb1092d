"""Random layer configurations for ``convshape verify --fuzz``: valid and invalid ones.

Each op family registers its own generators (``OpFamily.fuzz``, drawing with
:mod:`convshape.core.sampling`); this module cycles through them. Each generator draws from
a seeded :class:`random.Random`, so one seed always gives the same run.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from typing import Final, cast

from convshape.core import registry
from convshape.core.shapes import Shape
from convshape.ops import AnySpec

__all__ = ["OPS", "generate"]

OPS: Final[Mapping[str, registry.Gen]] = registry.fuzz_ops()
"""Every fuzzable op, by name (``conv2d``, ``max_pool2d``, ``unfold``, ``relu``)."""


def generate(
    count: int, seed: int, ops: Sequence[str] | None = None
) -> Iterator[tuple[AnySpec, Shape]]:
    """``count`` configurations, cycling through ``ops`` (default: every op)."""
    names = list(ops) if ops else list(OPS)
    r = random.Random(seed)
    for i in range(count):
        spec, shape = OPS[names[i % len(names)]](r)
        yield cast(AnySpec, spec), shape
