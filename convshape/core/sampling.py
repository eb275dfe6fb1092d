"""Random draws shared by the op families' fuzz generators.

Each generator draws from a seeded :class:`random.Random`, so one seed always gives the same
run. Values are mostly realistic, with a share of edge cases (zero, negative, wrong tuple
lengths, unbatched and zero-size inputs) so that every error path gets exercised.
"""

from __future__ import annotations

import random

from convshape.core.shapes import Ints, Shape

__all__ = ["input_shape", "per_axis", "small", "spatial"]


def small(r: random.Random, lo: int = 1, hi: int = 4, edge: float = 0.05) -> int:
    if r.random() < edge:
        return r.choice([0, -1, lo - 1, hi + 3])
    return r.randint(lo, hi)


def per_axis(r: random.Random, n: int, lo: int, hi: int, edge: float = 0.05) -> Ints:
    """Usually n values; sometimes one value (broadcast) or a wrong length."""
    u = r.random()
    if u < 0.03:
        length = r.choice([0, n + 1, max(n - 1, 0)])
    elif u < 0.15:
        length = 1
    else:
        length = n
    if r.random() < 0.5 and length:
        return (small(r, lo, hi, edge),) * length
    return tuple(small(r, lo, hi, edge) for _ in range(length))


def spatial(r: random.Random, n: int, lo: int = 1, hi: int = 12) -> list[int]:
    return [0 if r.random() < 0.02 else r.randint(lo, hi) for _ in range(n)]


def input_shape(r: random.Random, n: int, channels: int) -> Shape:
    """A (batch, channels, *spatial) input; sometimes unbatched, empty or of a wrong rank."""
    u = r.random()
    batch = 0 if u < 0.03 else r.choice([1, 1, 2, 3])
    if r.random() < 0.04:
        channels = r.choice([0, channels + 1, max(channels - 1, 0)])
    sizes = spatial(r, n)
    if r.random() < 0.15:
        return (channels, *sizes)  # unbatched
    if r.random() < 0.02:
        return (batch, channels, *sizes, 3)  # wrong rank
    return (batch, channels, *sizes)
