"""What an input's sizes say about its layout, when a layer refuses its number of dimensions.

A convolution takes ``(N, C, *spatial)``. When the input has one dimension too few or too
many, its sizes usually say which reading is the likely one: an image in ``(H, W, C)`` order
(the last size is the layer's channel count), one sample without its batch (the first size
is), a batch without its channel dimension (a one-channel layer, spatial-looking sizes
after the first), a batch of 1 lost by ``squeeze()``, flattened image rows (a square size),
a second batch dimension (a summary tool adding one), stacked frames or clips (the size
after the second is the channel count). :func:`readings` lists the readings the numbers
allow, likeliest first, each with the code that fixes it and the shape that code gives, and
what it assumes. It never names a layer torch does not have (there is no ``Conv4d``).

Pure and torch-free; the words are in :mod:`convshape.text` (``advice.layout.*``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from convshape.core.arithmetic import axis_names
from convshape.core.errors import sizes
from convshape.core.shapes import Shape
from convshape.text import Lang, text

__all__ = ["Reading", "channels_last_first", "looks_spatial", "readings"]


# Each reading's texts: its fix and its likely cause (advice.layout.* in convshape.text).
_TEXTS: dict[str, tuple[str, str]] = {
    "hwc": ("advice.layout.hwc", "advice.layout.cause_hwc"),
    "no_batch": ("advice.layout.no_batch", "advice.layout.cause_no_batch"),
    "squeezed": ("advice.layout.squeezed", "advice.layout.cause_squeezed"),
    "lower": ("advice.layout.lower", "advice.layout.cause_lower"),
    "no_channel": ("advice.layout.no_channel", "advice.layout.cause_no_channel"),
    "lost_channel": ("advice.layout.lost_channel", "advice.layout.cause_lost_channel"),
    "rows": ("advice.layout.rows", "advice.layout.cause_rows"),
    "one_image": ("advice.layout.one_image", "advice.layout.cause_one_image"),
    "double_batch": ("advice.layout.double_batch", "advice.layout.cause_double_batch"),
    "double_one": ("advice.layout.double_one", "advice.layout.cause_double_one"),
    "extra_one": ("advice.layout.extra_one", "advice.layout.cause_extra_one"),
    "clips": ("advice.layout.clips", "advice.layout.cause_clips"),
    "higher": ("advice.layout.higher", "advice.layout.cause_higher"),
}


@dataclass(frozen=True)
class Reading:
    """One way to read the input: the text key of its fix and cause, the code that fixes
    the input (``x...``) and the shape that code gives."""

    key: str  # advice.layout.<key> (the fix) and advice.layout.cause_<key>
    code: str
    shape: Shape
    rank: int  # lower is likelier
    fields: tuple[tuple[str, object], ...] = ()

    def fix(self, lang: Lang) -> str:
        return text(
            _TEXTS[self.key][0],
            lang,
            code=self.code,
            shape=sizes(self.shape),
            **dict(self.fields),
        )

    def cause(self, lang: Lang) -> str:
        return text(_TEXTS[self.key][1], lang, **dict(self.fields))


def looks_spatial(*values: int) -> bool:
    """Sizes that look like the spatial axes of one image or volume: at least 4 each and
    within a factor of 2 of each other (``28, 28``, ``361, 424``; not ``32, 784``)."""
    if not values or min(values) < 4:
        return False
    return max(values) <= 2 * min(values)


def _layout(n: int) -> str:
    return ", ".join(["N", "C", *axis_names(n)])


def _square(size: int, channels: int) -> int | None:
    """``h`` with ``channels * h * h == size`` (h >= 4), else None."""
    if channels <= 0 or size % channels:
        return None
    h = math.isqrt(size // channels)
    return h if h >= 4 and h * h * channels == size else None


def _kernel(kernel: tuple[int, ...], m: int) -> str:
    k = kernel[-m:] if len(kernel) >= m else ()
    if not k:
        return "..."
    return str(k[0]) if len(set(k)) == 1 else repr(k)


def readings(
    shape: Shape,
    n: int,
    channels: int | None = None,
    out: int | None = None,
    kernel: tuple[int, ...] = (),
    transposed: bool = False,
) -> list[Reading]:
    """The readings of ``shape`` for an ``n``-d convolution that takes ``channels`` input
    channels (None: not known), likeliest first; empty when the numbers allow none."""
    s = tuple(shape)
    r = len(s)
    c = channels
    found: list[Reading] = []
    cls = "ConvTranspose" if transposed else "Conv"

    def fits(result: Shape) -> bool:
        return c is None or (len(result) > 1 and result[1] == c)

    def add(key: str, code: str, result: Shape, rank: int, **fields: object) -> None:
        if fits(result):
            found.append(Reading(key, code, result, rank, tuple(fields.items())))

    if n < 1 or not s or min(s) < 0:
        return []
    if r == n + 1:  # one dimension short of (N, C, *spatial)
        if c is not None and s[-1] == c and s[0] != c:  # one image in (H, W, C) order
            order = ", ".join(map(str, (n, *range(n))))
            rank = 0 if looks_spatial(*s[:-1]) or n == 1 else 2
            add("hwc", f"x.permute({order}).unsqueeze(0)", (1, c, *s[:-1]), rank, c=c)
        if c is not None and s[0] == c:  # one sample without its batch dimension
            add("no_batch", "x.unsqueeze(0)", (1, *s), 0, c=c)
        if n == 2 and s[1] == 1 and s[0] == s[2] and s[0] > 1:  # batch of 1 lost by squeeze()
            add("squeezed", "x.transpose(0, 1).unsqueeze(0)", (1, 1, s[0], s[2]), 1, size=s[0])
        if n >= 2 and c is not None and s[1] == c:  # batched data of one dimension fewer
            m = n - 1
            layer = f"nn.{cls}{m}d({c}, {out if out is not None else '...'}, {_kernel(kernel, m)})"
            lower = (("n", n), ("m", m), ("layout", _layout(m)), ("layer", layer))
            found.append(Reading("lower", "x", s, 2, lower))
        if s[0] != 1 and (n == 1 or looks_spatial(*s[1:])):  # no channel dimension
            if c in (None, 1):
                add("no_channel", "x.unsqueeze(1)", (s[0], 1, *s[1:]), 1, batch=s[0])
            elif s[0] != c and s[-1] != c:
                want = sizes((s[0], c, *s[1:]))
                lost = (("batch", s[0]), ("c", c), ("want", want))
                found.append(Reading("lost_channel", "x.unsqueeze(1)", (s[0], 1, *s[1:]), 3, lost))
    elif r == n:  # two dimensions short: no batch and no channel dimension
        if n == 2 and not looks_spatial(*s):
            for ch in (c,) if c is not None else (1, 3):
                h = _square(s[1], ch)
                if h is not None:
                    code = f"x.view(-1, {ch}, {h}, {h})"
                    add("rows", code, (s[0], ch, h, h), 0, c=ch, h=h, size=s[1])
        if n == 1 or looks_spatial(*s):
            layout = ", ".join(axis_names(n))
            add("one_image", "x.unsqueeze(0).unsqueeze(0)", (1, 1, *s), 1, layout=layout)
    elif r == n + 3:  # one dimension too many
        if s[0] == 1:  # a second batch dimension, or a batch of one clip of s[1] frames
            add("double_batch" if s[1] > 1 else "double_one", "x.squeeze(0)", s[1:], 0, t=s[1])
        for i in range(1, r):
            if s[i] == 1:
                add("extra_one", f"x.squeeze({i})", s[:i] + s[i + 1 :], 0, i=i)
        if s[0] != 1 and s[1] != 1:
            add("clips", "x.flatten(0, 1)", (s[0] * s[1], *s[2:]), 1, b=s[0], t=s[1])
        if n + 1 <= 3 and s[1] != 1:  # never a layer torch does not have (no Conv4d)
            perm = ", ".join(map(str, (0, 2, 1, *range(3, r))))
            result = (s[0], s[2], s[1], *s[3:])
            if c is None or c in (s[1], s[2]):
                layer = f"nn.{cls}{n + 1}d"
                found.append(
                    Reading("higher", f"x.permute({perm})", result, 3, (("layer", layer),))
                )
    found.sort(key=lambda f: f.rank)
    unique: list[Reading] = []
    for f in found:  # one reading per resulting shape (the likelier), the layer ones apart
        if f.key in ("lower", "higher", "lost_channel") or all(g.shape != f.shape for g in unique):
            unique.append(f)
    return unique


def channels_last_first(shape: Shape, channels: int) -> bool:
    """Whether channels-last data is the likeliest reading of a channel mismatch: the last
    size is the layer's channel count, smaller than the sizes before it, which look
    spatial (``[128, 32, 32, 3]``, not ``[2, 6, 5, 5]``)."""
    s = tuple(shape)
    if len(s) < 3 or s[-1] != channels or s[1] == channels:
        return False
    if len(s) == 3:  # (N, L, C) for a 1-d layer
        return s[1] > channels
    return channels < min(s[1:-1]) and looks_spatial(*s[1:-1])
