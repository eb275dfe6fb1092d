"""Per-axis output-size arithmetic: pure integer formulas and their worked form.

Each ``*_axis`` function returns an :class:`Axis`: the numbers, the formula with the user's
numbers substituted, and short plain-language readings of what each term does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fractions import Fraction

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

__all__ = [
    "Axis",
    "Sweep",
    "axis_names",
    "axis_sweep",
    "conv_axis",
    "conv_out",
    "conv_transpose_axis",
    "conv_transpose_out",
    "effective_kernel",
    "pool_axis",
    "pool_out",
    "same_padding",
]


def effective_kernel(k: int, d: int = 1) -> int:
    """The span of a dilated kernel: ``d*(k-1)+1`` positions."""
    return d * (k - 1) + 1


def conv_out(size: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """``floor((L + 2p - d(k-1) - 1) / s) + 1``; asymmetric padding: pass ``p`` as the sum / 2."""
    return (size + 2 * p - d * (k - 1) - 1) // s + 1


def conv_transpose_out(size: int, k: int, s: int = 1, p: int = 0, d: int = 1, op: int = 0) -> int:
    """``(L-1)s - 2p + d(k-1) + op + 1``."""
    return (size - 1) * s - 2 * p + d * (k - 1) + op + 1


def pool_out(size: int, k: int, s: int, p: int = 0, d: int = 1, ceil_mode: bool = False) -> int:
    """torch's ``pooling_output_shape``: floor (or ceil) division, and with ``ceil_mode`` the
    last window must start inside the input or its left padding."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def same_padding(k: int, d: int = 1) -> tuple[int, int]:
    """'same' padding: total ``d*(k-1)``, the odd one out at the end."""
    total = d * (k - 1)
    return total // 2, total - total // 2


def axis_names(n: int) -> tuple[str, ...]:
    return {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(n, tuple(f"d{i}" for i in range(n)))


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a result: inputs, output, the worked formula, readings."""

    name: str
    size: int
    output: int
    kernel: int = 1
    stride: int = 1
    padding: tuple[int, int] = (0, 0)
    dilation: int = 1
    output_padding: int = 0
    ceil_mode: bool = False
    kind: str = "text"  # how formula and notes are worked out: conv, transpose, pool or text
    text: tuple[str, tuple[str, ...]] = ("", ())  # kind "text": given as they are

    @property
    def span(self) -> int:
        return effective_kernel(self.kernel, self.dilation)

    @cached_property
    def _worked(self) -> tuple[str, tuple[str, ...]]:
        """Formula and readings, written out on first use (the engine's hot path skips it)."""
        describe = _DESCRIBE.get(self.kind)
        return self.text if describe is None else describe(self)

    @property
    def formula(self) -> str:
        """The output-size formula with this axis's numbers substituted."""
        return self._worked[0]

    @property
    def notes(self) -> tuple[str, ...]:
        """Plain-language readings of what each term does."""
        return self._worked[1]


def _unit(name: str, n: int) -> str:
    word = {"H": "row", "W": "column", "D": "slice"}.get(name, "position")
    return word if n == 1 else word + "s"


def _padding_note(name: str, size: int, left: int, right: int) -> list[str]:
    if left == right == 0:
        return []
    grown = f"{size} -> {size + left + right}"
    if left == right:
        return [f"padding {left} adds {left} {_unit(name, left)} on each side: {grown}"]
    return [f"padding adds {left} before and {right} after (asymmetric): {grown}"]


def _kernel_note(name: str, k: int, d: int) -> list[str]:
    span = effective_kernel(k, d)
    if d == 1:
        return [f"a {k}-tap kernel spans {k} {_unit(name, k)}"] if k > 1 else []
    return [f"dilation {d} spreads the {k} taps over {span} {_unit(name, span)} ({d}*({k}-1)+1)"]


def _stride_note(name: str, padded: int, span: int, s: int, out: int) -> list[str]:
    if padded < span or out < 1:
        return []
    windows = padded - span + 1
    notes = []
    if s == 1:
        if span > 1:
            notes.append(f"the window fits at {padded} - {span} + 1 = {windows} positions")
    else:
        notes.append(f"stride {s} keeps 1 of every {s} of the {windows} window positions: {out}")
    dropped = (padded - span) % s
    if dropped:
        notes.append(
            f"stride {s} leaves the last {dropped} {_unit(name, dropped)} of the padded input "
            f"unused ({padded} - {span} = {padded - span} is not a multiple of {s})"
        )
    return notes


def conv_axis(name: str, size: int, k: int, s: int, left: int, right: int, d: int) -> Axis:
    """A convolution axis with padding ``left``/``right`` (equal unless 'same' is asymmetric)."""
    out = (size + left + right - effective_kernel(k, d)) // s + 1 if s > 0 else 0
    return Axis(name, size, out, k, s, (left, right), d, kind="conv")


def _describe_conv(a: Axis) -> tuple[str, tuple[str, ...]]:
    (left, right), k, s, d, size, out = a.padding, a.kernel, a.stride, a.dilation, a.size, a.output
    padded = size + left + right
    pad_text = f"2*{left}" if left == right else f"{left}+{right}"
    formula = f"({size} + {pad_text} - {d}*({k}-1) - 1) // {s} + 1 = {out}"
    notes = (
        _padding_note(a.name, size, left, right)
        + _kernel_note(a.name, k, d)
        + _stride_note(a.name, padded, a.span, s, out)
    )
    return formula, tuple(notes)


def conv_transpose_axis(name: str, size: int, k: int, s: int, p: int, d: int, op: int) -> Axis:
    out = conv_transpose_out(size, k, s, p, d, op)
    return Axis(name, size, out, k, s, (p, p), d, op, kind="transpose")


def _describe_transpose(a: Axis) -> tuple[str, tuple[str, ...]]:
    size, k, s, p, d, op = a.size, a.kernel, a.stride, a.padding[0], a.dilation, a.output_padding
    formula = f"({size}-1)*{s} - 2*{p} + {d}*({k}-1) + {op} + 1 = {a.output}"
    notes = [f"stride {s} places the {size} inputs {s} apart: {(size - 1) * s + 1} positions"]
    if k > 1 or d > 1:
        notes.append(f"the kernel span {a.span} adds {d * (k - 1)}")
    if p:
        notes.append(f"padding {p} trims {p} from each side")
    if op:
        notes.append(f"output_padding adds {op} at the end")
    return formula, tuple(notes)


def pool_axis(name: str, size: int, k: int, s: int, p: int, d: int, ceil_mode: bool) -> Axis:
    out = pool_out(size, k, s, p, d, ceil_mode)
    return Axis(name, size, out, k, s, (p, p), d, ceil_mode=ceil_mode, kind="pool")


def _describe_pool(a: Axis) -> tuple[str, tuple[str, ...]]:
    size, k, s, p, d, out = a.size, a.kernel, a.stride, a.padding[0], a.dilation, a.output
    ceil = f" + ({s}-1)" if a.ceil_mode else ""
    formula = f"({size} + 2*{p} - {d}*({k}-1) - 1{ceil}) // {s} + 1 = {out}"
    notes = _padding_note(a.name, size, p, p) + _kernel_note(a.name, k, d)
    if a.ceil_mode:
        floor = pool_out(size, k, s, p, d, False)
        raw = (size + 2 * p - d * (k - 1) - 1 + s - 1) // s + 1
        if raw != out:
            notes.append(
                f"ceil_mode would add a window starting at {(raw - 1) * s}, inside the right "
                f"padding, so torch drops it: {out}"
            )
        elif out != floor:
            notes.append(f"ceil_mode keeps a last partial window: {floor} -> {out}")
    else:
        notes += _stride_note(a.name, size + 2 * p, a.span, s, out)
    return formula, tuple(notes)


_DESCRIBE: dict[str, Callable[[Axis], tuple[str, tuple[str, ...]]]] = {
    "conv": _describe_conv,
    "transpose": _describe_transpose,
    "pool": _describe_pool,
}


# ---------------------------------------------------------------------------------------
# Sweeps: how a layer's windows move along one axis, as data (convshape draw)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sweep:
    """How one spatial axis of a layer is swept, as the picture of its arithmetic needs it.

    ``kind``: ``slide`` (a window of ``kernel`` taps ``dilation`` apart, every ``stride``
    cells, over the input with ``padding`` cells before and after; ``mode`` says what the
    padding holds: zeros, or copies of input cells for reflect / replicate / circular;
    ``ceil_mode``: pools' extra last window), ``transpose`` (the inverse: the input spread
    ``stride`` apart, then a stride-1 slide; ``output_padding`` cells at the end) or
    ``adaptive`` (``output`` uneven windows ``[floor(i*L/o), ceil((i+1)*L/o))``) or
    ``fold`` (a slide read backwards: ``size`` is the image fold writes, ``output`` its
    sliding blocks, each adding its taps into the cells the slide would read).
    """

    name: str
    kind: str
    size: int
    output: int
    kernel: int = 1
    stride: int = 1
    padding: tuple[int, int] = (0, 0)
    dilation: int = 1
    mode: str = "zeros"
    output_padding: int = 0
    ceil_mode: bool = False


def axis_sweep(a: Axis) -> Sweep | None:
    """The sweep of a worked axis (conv, pool and transposed axes; None for the others)."""
    if a.kind in ("conv", "pool"):
        return Sweep(
            a.name,
            "slide",
            a.size,
            a.output,
            a.kernel,
            a.stride,
            a.padding,
            a.dilation,
            ceil_mode=a.ceil_mode,
        )
    if a.kind == "transpose":
        return Sweep(
            a.name,
            "transpose",
            a.size,
            a.output,
            a.kernel,
            a.stride,
            a.padding,
            a.dilation,
            output_padding=a.output_padding,
        )
    return None


# ---------------------------------------------------------------------------------------
# Receptive-field windows: how one spatial axis maps through a layer
# ---------------------------------------------------------------------------------------


def identity_window() -> tuple[Fraction, Fraction, Fraction]:
    """A layer that keeps every position where it is."""
    from fractions import Fraction

    return (Fraction(0), Fraction(1), Fraction(0))


def sliding_window(k: int, s: int, p: int) -> tuple[Fraction, Fraction, Fraction]:
    """A window of span ``k`` every ``s`` positions, ``p`` positions of left padding:
    (added extent, jump factor, start shift)."""
    from fractions import Fraction

    return (Fraction(k - 1), Fraction(s), Fraction(k - 1, 2) - p)


def transposed_window(k: int, s: int, p: int, d: int) -> tuple[Fraction, Fraction, Fraction]:
    """A transposed convolution: output ``o`` sums inputs ``(o + p - t*d) / s`` over the
    taps ``t`` that divide evenly; the extent is the widest such set, in input steps."""
    from fractions import Fraction

    span = d * (k - 1)
    extent = Fraction(0)
    if k * s <= 1 << 16:
        for r in range(s):
            taps = [t for t in range(k) if (r + p - t * d) % s == 0]
            if taps:
                extent = max(extent, Fraction((max(taps) - min(taps)) * d, s))
    else:  # pragma: no cover - enormous kernels: the bound
        extent = Fraction(span, s)
    return (extent, Fraction(1, s), Fraction(2 * p - span, 2 * s))


# ---------------------------------------------------------------------------------------
# What a call costs torch (verify decides from it whether to run a smaller twin input)
# ---------------------------------------------------------------------------------------


def numel(shape: Iterable[int]) -> int:
    """The element count of a shape (negative sizes count as 0)."""
    n = 1
    for v in shape:
        n *= max(v, 0)
    return n


def at(values: Sequence[int], i: int) -> int:
    """Axis ``i`` of a parameter that may be one value, per-axis, or the wrong length."""
    if not values:
        return 0
    return abs(values[i]) if i < len(values) else max(abs(v) for v in values)


def most(values: Sequence[int]) -> int:
    return max(map(abs, values)) if values else 0


def grown_area(
    shape: Sequence[int], dims: int, a: int, b: int
) -> tuple[tuple[int, ...], int] | None:
    """(the leading axes, a bound on the output's spatial area) for an op whose output axes
    are at most ``a * (input axis + 1) + b``; None when the input has too few axes."""
    if len(shape) < dims + 1:
        return None
    area = 1
    for size in shape[len(shape) - dims :]:
        area *= a * (max(size, 0) + 1) + b
    return tuple(shape[: len(shape) - dims]), area
