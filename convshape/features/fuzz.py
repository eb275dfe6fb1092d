"""Random layer configurations for ``convshape verify --fuzz``: valid and invalid ones.

Each generator draws from a seeded :class:`random.Random`, so one seed always gives the same
run. Values are mostly realistic, with a share of edge cases (zero, negative, wrong tuple
lengths, unbatched and zero-size inputs, 'same' with even kernels, ceil_mode edges,
output_padding at the stride) so that every error path gets exercised.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence

from convshape.core.specs import AdaptivePool, Conv, ConvCall, Fold, Ints, Pool, Shape, Spec, Unfold

__all__ = ["OPS", "generate"]

Gen = Callable[[random.Random], tuple[Spec, Shape]]


def _small(r: random.Random, lo: int = 1, hi: int = 4, edge: float = 0.05) -> int:
    if r.random() < edge:
        return r.choice([0, -1, lo - 1, hi + 3])
    return r.randint(lo, hi)


def _per_axis(r: random.Random, n: int, lo: int, hi: int, edge: float = 0.05) -> Ints:
    """Usually n values; sometimes one value (broadcast) or a wrong length."""
    u = r.random()
    if u < 0.03:
        length = r.choice([0, n + 1, max(n - 1, 0)])
    elif u < 0.15:
        length = 1
    else:
        length = n
    if r.random() < 0.5 and length:
        return (_small(r, lo, hi, edge),) * length
    return tuple(_small(r, lo, hi, edge) for _ in range(length))


def _spatial(r: random.Random, n: int, lo: int = 1, hi: int = 12) -> list[int]:
    return [0 if r.random() < 0.02 else r.randint(lo, hi) for _ in range(n)]


def _input(r: random.Random, n: int, channels: int) -> Shape:
    u = r.random()
    batch = 0 if u < 0.03 else r.choice([1, 1, 2, 3])
    if r.random() < 0.04:
        channels = r.choice([0, channels + 1, max(channels - 1, 0)])
    spatial = _spatial(r, n)
    if r.random() < 0.15:
        return (channels, *spatial)  # unbatched
    if r.random() < 0.02:
        return (batch, channels, *spatial, 3)  # wrong rank
    return (batch, channels, *spatial)


def _groups(r: random.Random) -> int:
    return r.choice([1, 1, 1, 2, 3, 4]) if r.random() > 0.03 else r.choice([0, -1])


def _conv_padding(r: random.Random, n: int) -> Ints | str:
    u = r.random()
    if u < 0.1:
        return "same"
    if u < 0.14:
        return "valid"
    if u < 0.15:
        return "full"
    return _per_axis(r, n, 0, 3)


def gen_conv(n: int, transposed: bool) -> Gen:
    def gen(r: random.Random) -> tuple[Spec, Shape]:
        g = _groups(r)
        cin = max(g, 1) * r.randint(1, 3) + (1 if r.random() < 0.05 else 0)
        cout = max(g, 1) * r.randint(1, 3) + (1 if r.random() < 0.05 else 0)
        kernel = _per_axis(r, n, 1, 4)
        stride = _per_axis(r, n, 1, 3)
        dilation = _per_axis(r, n, 1, 2)
        functional = r.random() < 0.4
        output_padding = _per_axis(r, n, 0, 2, edge=0.02) if transposed else (0,) * n
        padding: Ints | str = _per_axis(r, n, 0, 3) if transposed else _conv_padding(r, n)
        if not transposed and padding == "same" and r.random() < 0.7:
            stride = (1,) * n
        shape = _input(r, n, cin)
        if functional:
            per_group = cin // g if g > 0 else cin
            weight: Shape = (
                (cin, cout // g if g > 0 else cout, *kernel)
                if transposed
                else (cout, per_group, *kernel)
            )
            if r.random() < 0.02:
                weight = weight[:-1] if r.random() < 0.5 else (*weight, 1)
            bias: Shape | None = None
            if r.random() < 0.5:
                bias = (cout,) if r.random() > 0.05 else (cout + 1,)
            return ConvCall(
                n, weight, bias, stride, padding, dilation, g, transposed, output_padding
            ), shape
        modes = ["zeros"] * 6 + ["reflect", "replicate", "circular"]
        mode = "zeros" if transposed and r.random() < 0.97 else r.choice(modes)
        if r.random() < 0.005:
            mode = "mirror"
        output_size: Ints | None = None
        if transposed and r.random() < 0.15 and len(shape) >= n + 1:
            output_size = tuple(r.randint(1, 30) for _ in range(n))
        spec = Conv(
            n,
            cin,
            cout,
            kernel,
            stride,
            padding,
            dilation,
            g,
            r.random() < 0.7,
            mode,
            transposed,
            output_padding if transposed else (0,) * n,
            output_size,
        )
        return spec, shape

    return gen


def gen_pool(kind: str, n: int) -> Gen:
    def gen(r: random.Random) -> tuple[Spec, Shape]:
        kernel = _per_axis(r, n, 1, 4)
        stride: Ints = () if r.random() < 0.3 else _per_axis(r, n, 1, 3)
        padding = _per_axis(r, n, 0, 2) if kind != "lp" else (0,)
        dilation = _per_axis(r, n, 1, 2) if kind == "max" else (1,)
        spec = Pool(
            kind,  # type: ignore[arg-type]
            n,
            kernel,
            stride,
            padding,
            dilation,
            ceil_mode=r.random() < 0.4,
            return_indices=kind == "max" and r.random() < 0.2,
            count_include_pad=r.random() < 0.7,
            divisor_override=(
                r.choice([None, None, None, 2, 0]) if kind == "avg" and n > 1 else None
            ),
            norm_type=2.0,
            functional=r.random() < 0.4,
        )
        return spec, _input(r, n, r.randint(1, 4))

    return gen


def gen_adaptive(kind: str, n: int) -> Gen:
    def gen(r: random.Random) -> tuple[Spec, Shape]:
        size: list[int | None] = []
        for _ in range(n if r.random() > 0.03 else n + 1):
            u = r.random()
            size.append(
                None if u < 0.1 else (-1 if u < 0.13 else r.randint(0 if u < 0.16 else 1, 8))
            )
        scalar = r.random() < 0.2 and size[0] is not None
        spec = AdaptivePool(
            kind,  # type: ignore[arg-type]
            n,
            (size[0],) * n if scalar else tuple(size),
            return_indices=kind == "max" and r.random() < 0.3,
            functional=r.random() < 0.4,
            scalar=scalar,
        )
        return spec, _input(r, n, r.randint(1, 4))

    return gen


def gen_unfold(r: random.Random) -> tuple[Spec, Shape]:
    spec = Unfold(
        _per_axis(r, 2, 1, 4),
        _per_axis(r, 2, 1, 2),
        _per_axis(r, 2, 0, 2),
        _per_axis(r, 2, 1, 3),
        functional=r.random() < 0.4,
    )
    return spec, _input(r, 2, r.randint(1, 4))


def gen_fold(r: random.Random) -> tuple[Spec, Shape]:
    k = _per_axis(r, 2, 1, 3)
    spec = Fold(
        _per_axis(r, 2, 1, 10),
        k,
        _per_axis(r, 2, 1, 2),
        _per_axis(r, 2, 0, 2),
        _per_axis(r, 2, 1, 3),
        functional=r.random() < 0.4,
    )
    c = r.randint(1, 3)
    prod = 1
    for v in k:
        prod *= max(v, 1)
    length = r.randint(1, 40)
    if r.random() < 0.7 and len(spec.output_size) == 2 and len(k) == 2:
        from convshape.core.arithmetic import conv_out

        try:
            blocks = 1
            for i in range(2):
                blocks *= conv_out(
                    spec.output_size[i],
                    k[i],
                    spec.stride[i % len(spec.stride)] or 1,
                    spec.padding[i % len(spec.padding)],
                    spec.dilation[i % len(spec.dilation)],
                )
            length = max(blocks, 0)
        except (IndexError, ZeroDivisionError):
            pass
    batch = r.choice([1, 2])
    shape: Shape = (batch, c * prod, length) if r.random() > 0.15 else (c * prod, length)
    return spec, shape


OPS: dict[str, Gen] = {}
for _n in (1, 2, 3):
    OPS[f"conv{_n}d"] = gen_conv(_n, False)
    OPS[f"conv_transpose{_n}d"] = gen_conv(_n, True)
    OPS[f"max_pool{_n}d"] = gen_pool("max", _n)
    OPS[f"avg_pool{_n}d"] = gen_pool("avg", _n)
    OPS[f"adaptive_avg_pool{_n}d"] = gen_adaptive("avg", _n)
    OPS[f"adaptive_max_pool{_n}d"] = gen_adaptive("max", _n)
for _n in (1, 2):
    OPS[f"lp_pool{_n}d"] = gen_pool("lp", _n)
OPS["unfold"] = gen_unfold
OPS["fold"] = gen_fold


def generate(
    count: int, seed: int, ops: Sequence[str] | None = None
) -> Iterator[tuple[Spec, Shape]]:
    """``count`` configurations, cycling through ``ops`` (default: every op)."""
    names = list(ops) if ops else list(OPS)
    r = random.Random(seed)
    for i in range(count):
        yield OPS[names[i % len(names)]](r)
