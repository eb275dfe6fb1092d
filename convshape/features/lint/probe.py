"""Sample input sizes: a ``+`` or ``torch.cat`` whose sides differ in spatial size for every
image size tried.

A model followed without a declared input, on a batch of images of unknown size (see
``extract._assumed_input``), has unknown spatial sizes, so a residual ``+`` of a stride-2
path and a stride-1 shortcut, or a ``torch.cat`` of branches padded differently, cannot be
judged from its shapes. Beside them its tensors carry a :class:`~.values.Probe`: the
spatial sizes for each of :data:`SAMPLES` (square images), worked out through the windowed
layers (convolutions, pooling) with torch's arithmetic. A sample at which an earlier layer
raises (an image too small for the model) is dropped: it is no evidence. A join is
reported only when it fails for every sample still running there (at least
:data:`EVIDENCE` of them), so a model that works for some size (a UNet that wants sizes
divisible by 16, VGG on 224) is never reported. Anything else that changes spatial sizes
(reshape, interpolate, pad, slicing, a branch on a size) drops the probe: silent.

The finding is placed at the layer to fix when exactly one layer of one side, changed in
its ``stride`` or ``padding``, makes the sides agree for every sample (the shorter side
first: a residual's shortcut; for a ``torch.cat`` of three or more, the branches that
differ from the others); else at the join.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from convshape.core.arithmetic import conv_out, conv_transpose_out, pool_out
from convshape.core.signature import is_int
from convshape.features.lint.values import LayerVal, Probe, Step, Tensor

__all__ = [
    "EVIDENCE",
    "SAMPLES",
    "axes",
    "blame",
    "broadcast",
    "concatenated",
    "join",
    "rejoined",
    "said",
    "sides",
    "start",
    "through",
    "window_out",
]

SAMPLES: Final = (16, 32, 64, 97, 128, 224, 225, 299, 320, 512)
EVIDENCE: Final = 2  # samples that must reach a join (and all fail there) for a finding

Sizes = tuple[tuple[int, ...] | None, ...]
_WINDOW: Final = ("kernel_size", "stride", "padding", "dilation")


def start(dims: int) -> Probe:
    """The probe of an image batch with ``dims`` spatial dimensions."""
    sizes: Sizes = tuple((s,) * dims for s in SAMPLES)
    return Probe(sizes, Step(None, sizes, None))


def _axis_values(value: Any, dims: int) -> list[int | None] | None:
    if is_int(value):
        return [value] * dims
    if isinstance(value, tuple) and len(value) == dims:
        return [v if is_int(v) else None for v in value]
    if value is None:
        return [None] * dims
    return None


def window_out(
    family: str, p: Mapping[str, Any], dims: int, sizes: Sequence[int | None]
) -> list[int | None] | None:
    """The spatial output sizes of a conv-family layer (``family`` as the layer table
    names it) with arguments ``p`` on an input of spatial ``sizes``: per axis an int (0 or
    less: torch raises), or None where a size or an argument is unknown; None when the
    arguments do not fit ``dims`` axes."""
    from convshape.ops import pool

    if family in ("adaptive_avg", "adaptive_max"):
        size = p.get("output_size")
        wanted = size if isinstance(size, tuple) else (size,) * dims
        if len(wanted) != dims:
            return None
        pairs = zip(wanted, sizes, strict=True)
        return [w if is_int(w) else s if w is None else None for w, s in pairs]
    padding = p.get("padding")
    if isinstance(padding, str):
        return list(sizes) if padding == "same" else [None] * dims
    per_axis = [_axis_values(p.get(k), dims) for k in _WINDOW]
    out: list[int | None] = []
    for i, size in enumerate(sizes):
        k, s, pad, d = (v[i] if v else None for v in per_axis)
        if family in ("max", "avg", "lp"):
            s = k if p.get("stride") is None else s
            pad = pad if pool.pads(family) else 0
            d = d if pool.dilates(family) else 1
        if size is None or k is None or s is None or pad is None or d is None or s <= 0:
            out.append(None)
            continue
        if family == "conv":
            out.append(conv_out(size, k, s, pad, d))
        elif family == "conv_transpose":
            op = _axis_values(p.get("output_padding"), dims)
            extra = op[i] if op else None
            out.append(None if extra is None else conv_transpose_out(size, k, s, pad, d, extra))
        elif isinstance(p.get("ceil_mode"), bool):
            out.append(pool_out(size, k, s, pad, d, bool(p.get("ceil_mode"))))
        else:
            out.append(None)
    return out


def _sample_out(family: str, p: Mapping[str, Any], dims: int, size: tuple[int, ...]) -> Any:
    """One sample through a layer: its sizes, None (torch raises), or False (unknown)."""
    out = window_out(family, p, dims, size)
    if out is None or None in out:
        return False
    if any(o is not None and o <= 0 for o in out):
        return None
    return tuple(o for o in out if o is not None)


def through(probe: Probe, layer: LayerVal, family: str, dims: int) -> Probe | None:
    """The probe after a windowed layer (None: its arithmetic is not known)."""
    p = layer.params or {}
    done: dict[tuple[int, ...], Any] = {}
    sizes: list[tuple[int, ...] | None] = []
    for size in probe.sizes:
        if size is None:
            sizes.append(None)
            continue
        if len(size) != dims:
            return None
        out = done.get(size)
        if out is None and size not in done:
            out = done[size] = _sample_out(family, p, dims, size)
        if out is False:
            return None
        sizes.append(out)
    new = tuple(sizes)
    if all(s is None for s in new):
        return None
    return Probe(new, Step(layer, new, probe.step))


def rejoined(probe: Probe, sizes: Sizes) -> Probe | None:
    """A probe with ``sizes`` after something not recomputed (a join, a reused result);
    None when no sample runs on."""
    if all(s is None for s in sizes):
        return None
    return Probe(sizes, Step(None, sizes, probe.step))


def axes(probe: Probe) -> int:
    """How many trailing dimensions the probe follows."""
    return next((len(s) for s in probe.sizes if s is not None), 0)


# ---------------------------------------------------------------------------------------
# Joins
# ---------------------------------------------------------------------------------------


def _aligned(tensors: Sequence[Tensor]) -> list[Probe] | None:
    probes = [t.probe for t in tensors]
    if any(p is None for p in probes):
        return None
    kept = [p for p in probes if p is not None]
    if len({len(p.sizes) for p in kept}) != 1:
        return None
    return kept


def join(
    tensors: Sequence[Tensor],
    fits: Callable[[list[tuple[int, ...]]], tuple[int, ...] | None],
) -> tuple[Probe | None, list[int]]:
    """Tensors joined by a ``+`` or ``torch.cat``, sample by sample: ``fits`` gives the
    joined sizes of one sample's sides, or None when torch raises. Returns the result's
    probe (None when a side has none, or nothing runs on) and the samples that reached
    the join and failed there, when every sample that reached it failed (at least
    :data:`EVIDENCE`) and each side's sizes change with the input size (a side of one
    size, after adaptive pooling, is a model made for one input size: one that may not be
    among the samples); else no failures."""
    probes = _aligned(tensors)
    if probes is None:
        return None, []
    sizes: list[tuple[int, ...] | None] = []
    reached: list[int] = []
    failed: list[int] = []
    for i in range(len(probes[0].sizes)):
        sides = [p.sizes[i] for p in probes]
        if any(s is None for s in sides):
            sizes.append(None)
            continue
        reached.append(i)
        out = fits([s for s in sides if s is not None])
        if out is None:
            failed.append(i)
        sizes.append(out)
    result = rejoined(probes[0], tuple(sizes))
    fixed = any(len({p.sizes[i] for i in failed}) == 1 for p in probes)
    if len(reached) >= EVIDENCE and failed == reached and not fixed:
        return result, failed
    return result, []  # works for some size, or a side of one size: made for one input size


def sides(tensors: Sequence[Tensor], i: int) -> list[tuple[int, ...]]:
    """Each tensor's sizes at sample ``i`` (one that reached the join on every side)."""
    found = [t.probe.sizes[i] if t.probe is not None else None for t in tensors]
    return [s for s in found if s is not None]


def broadcast(sides: list[tuple[int, ...]]) -> tuple[int, ...] | None:
    """Two samples' sizes of a ``+``: broadcast, or None."""
    a, b = sides
    if len(a) != len(b):
        return None
    out = []
    for x, y in zip(a, b, strict=True):
        if x != y and x != 1 and y != 1:
            return None
        out.append(y if x == 1 else x)
    return tuple(out)


def concatenated(axis: int | None) -> Callable[[list[tuple[int, ...]]], tuple[int, ...] | None]:
    """A ``torch.cat`` along spatial ``axis`` of the probe (None: along another dim)."""

    def fits(sides: list[tuple[int, ...]]) -> tuple[int, ...] | None:
        first = sides[0]
        if any(len(s) != len(first) for s in sides):
            return None
        out = list(first)
        for j in range(len(first)):
            if j == axis:
                out[j] = sum(s[j] for s in sides)
            elif any(s[j] != first[j] for s in sides):
                return None
        return tuple(out)

    return fits


def said(tensors: Sequence[Tensor], failed: list[int]) -> str:
    """``for every input size tried (9 from 32 to 512): 32 gives 4x4 vs 8x8, ...``: the
    smallest, 224 and the largest of the samples that reached the join."""
    shown = sorted({failed[0], failed[-1], *(i for i in failed if SAMPLES[i] == 224)})
    parts = []
    for i in shown:
        sizes = " vs ".join("x".join(map(str, s)) for s in sides(tensors, i))
        parts.append(f"{SAMPLES[i]} gives {sizes}")
    tried = f"{len(SAMPLES)} from {SAMPLES[0]} to {SAMPLES[-1]}"
    earlier = [str(s) for i, s in enumerate(SAMPLES) if i not in failed]
    if earlier:
        verb = "raises" if len(earlier) == 1 else "raise"
        tried += f"; {', '.join(earlier)} {verb} earlier"
    return f"for every input size tried ({tried}): " + ", ".join(parts)


# ---------------------------------------------------------------------------------------
# Where to fix it
# ---------------------------------------------------------------------------------------


def _ancestors(step: Step | None) -> dict[int, Step]:
    found: dict[int, Step] = {}
    while step is not None:
        found[id(step)] = step
        step = step.parent
    return found


def _since(step: Step | None, fork: dict[int, Step]) -> tuple[list[Step], Step] | None:
    """The steps from the first one in ``fork`` (excluded) to ``step``, in order."""
    path: list[Step] = []
    while step is not None and id(step) not in fork:
        path.append(step)
        step = step.parent
    if step is None:
        return None
    path.reverse()
    return path, step


def _replay(
    path: list[Step], start: Step, change: tuple[Step, str, int], samples: list[int]
) -> list[tuple[int, ...] | None]:
    """The sizes at the end of ``path`` for ``samples`` with one argument changed."""
    from convshape.readers.parse import LAYERS

    ends: list[tuple[int, ...] | None] = []
    for i in samples:
        size = start.sizes[i]
        for step in path:
            layer = step.layer
            if size is None or layer is None:
                size = None
                break
            p = dict(layer.params or {})
            if step is change[0]:
                p[change[1]] = change[2]
            spec = LAYERS[layer.name]
            out = _sample_out(spec.family, p, spec.dims, size)
            size = out if isinstance(out, tuple) else None
        ends.append(size)
    return ends


def _candidates(step: Step) -> list[tuple[str, int]]:
    from convshape.readers.parse import LAYERS

    layer = step.layer
    if layer is None or layer.params is None:
        return []
    spec = LAYERS.get(layer.name)
    if spec is None or spec.family in ("adaptive_avg", "adaptive_max", "unfold", "fold"):
        return []
    p = layer.params
    kernel = _axis_values(p.get("kernel_size"), spec.dims)
    if not kernel or any(k is None for k in kernel):
        return []
    widest = max(k for k in kernel if k is not None)
    found: list[tuple[str, int]] = []
    stride = p.get("stride")
    for value in range(1, 5):
        if stride != value and stride != (value,) * spec.dims:
            found.append(("stride", value))
    padding = p.get("padding")
    if not isinstance(padding, str):
        for value in range(widest // 2 + 1):
            if padding != value and padding != (value,) * spec.dims:
                found.append(("padding", value))
    return found


def blame(tensors: Sequence[Tensor], failed: list[int]) -> tuple[LayerVal, str, int, int] | None:
    """The layer to fix and how: (layer, argument, value, the side it is on), when one
    layer of one side, with that argument changed, makes the join fit for every sample
    that failed; of two sides that both could, the one with fewer layers since they
    forked (a residual's shortcut), then the smaller kernel (a 1x1 projection, whose
    stride is there to match the other side). None when it is not that clear."""
    probes = _aligned(tensors)
    if probes is None:
        return None
    groups: dict[tuple[Any, ...], list[int]] = {}
    for k, p in enumerate(probes):
        groups.setdefault(tuple(p.sizes[i] for i in failed), []).append(k)
    if len(groups) < 2:
        return None
    ranked = sorted(groups.values(), key=len, reverse=True)
    if len(probes) > 2 and len(ranked[0]) <= len(ranked[1]):
        return None  # no majority among the branches
    if len(probes) > 2:
        majority = ranked[0][0]
        sides = [(k, majority) for group in ranked[1:] for k in group]
    else:
        sides = [(0, 1), (1, 0)]
    options: list[tuple[tuple[int, int], int, LayerVal, str, int]] = []
    for side, other in sides:
        fork = _ancestors(probes[other].step)
        found = _since(probes[side].step, fork)
        if found is None:
            continue
        path, start = found
        opaque = [i for i, s in enumerate(path) if s.layer is None]
        if opaque:
            start, path = path[opaque[-1]], path[opaque[-1] + 1 :]
        target = [probes[other].sizes[i] for i in failed]
        hits = []
        for step in path:
            for name, value in _candidates(step):
                if _replay(path, start, (step, name, value), failed) == target:
                    assert step.layer is not None
                    hits.append((step.layer, name, value))
                    break
        layers = {id(h[0]) for h in hits}
        if len(layers) == 1:
            layer, name, value = hits[0]
            kernel = (layer.params or {}).get("kernel_size")
            widest = max(kernel) if isinstance(kernel, tuple) and kernel else kernel
            rank = (len(path), widest if is_int(widest) else 0)
            options.append((rank, side, layer, name, value))
    if not options:
        return None
    options.sort(key=lambda o: o[0])
    if len(options) > 1 and (len(probes) > 2 or options[0][0] == options[1][0]):
        return None  # several branches to fix, or two sides alike: said at the join
    _rank, side, layer, name, value = options[0]
    return layer, name, value, side
