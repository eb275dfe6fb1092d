"""The picture of a layer's arithmetic, as data: what ``convshape draw`` draws.

Per spatial axis (:class:`AxisPicture`), a strip of cells - the input cells, the padding
on each side (zeros, or the input cell a reflect / replicate / circular padding copies),
for a transposed convolution the gaps its stride inserts and the output_padding cells, and
the cells ceil_mode reads past the padded input - and the window of each output cell: the
strip positions its kernel taps read. The cells the stride never reaches at the end are
``dropped``; ceil_mode's last window that torch drops is :attr:`AxisPicture.dropped_window`.

Everything is computed from the family's sweeps (:attr:`OpFamily.sweeps`) and the
engine's worked arithmetic, position by position on demand, so that a picture of a
layer with a billion cells costs no more than one of ten: the renderers ask only for the
positions they show (:func:`shown`) and for the counts of the rest
(:meth:`AxisPicture.counts`).

Pure: no I/O, no rich, no torch.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from convshape.core.arithmetic import (
    Axis,
    Sweep,
    conv_axis,
    conv_transpose_axis,
    effective_kernel,
)
from convshape.core.code import layer_code
from convshape.core.engine import Result, infer_spec
from convshape.core.registry import family_of

if TYPE_CHECKING:
    from convshape.core.errors import ShapeError
    from convshape.core.shapes import Shape

__all__ = [
    "ROLES",
    "AxisPicture",
    "Cell",
    "Grid",
    "GridCell",
    "Picture",
    "Window",
    "draw_result",
    "grid_of",
    "picture_of",
    "shown",
]

ROLES = ("input", "pad", "gap", "outpad", "extra")
"""What a strip cell is: an input cell, a padding cell (a zero or a copy of an input
cell), a zero a transposed convolution's stride inserts between inputs, an output_padding
zero at the end, or a cell past the padded input that ceil_mode's last window reads."""

_BIG = 1 << 62


@dataclass(frozen=True)
class Cell:
    """One strip cell: its position, its role, the input cell it holds (None: a zero)
    and whether no window ever reaches it (the stride's left-over at the end)."""

    pos: int
    role: str
    source: int | None
    dropped: bool = False


@dataclass(frozen=True)
class Window:
    """The strip positions output cell ``output`` reads (``-1``: the window torch drops)."""

    output: int
    taps: tuple[int, ...]

    @property
    def start(self) -> int:
        return self.taps[0]

    @property
    def end(self) -> int:
        """One past the last tap."""
        return self.taps[-1] + 1


@dataclass(frozen=True)
class AxisPicture:
    """One axis: the sweep, the formula as calc prints it, and the strip's geometry."""

    sweep: Sweep
    formula: str = ""
    notes: tuple[str, ...] = ()
    problem: str | None = None
    unit: str = "output"
    """What a window makes: an ``output`` cell, or a ``block`` (Unfold's column, Fold's
    input column that it adds into the image)."""

    # --- geometry -------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.sweep.name

    @property
    def span(self) -> int:
        s = self.sweep
        return effective_kernel(s.kernel, s.dilation) if s.kind != "adaptive" else 1

    @property
    def outputs(self) -> int:
        """The output cells drawn (none when the layer cannot slide a window)."""
        return max(self.sweep.output, 0) if self.problem is None else 0

    @property
    def _spread(self) -> bool:
        """A transposed convolution's input spread ``stride`` apart (parameters it can
        build from; otherwise only the input's cells are drawn)."""
        s = self.sweep
        return s.kind == "transpose" and min(s.kernel, s.stride, s.dilation) >= 1

    @property
    def _base(self) -> int:
        """The strip position of the first input cell (or of the spread input's start)."""
        s = self.sweep
        if _slides(s):
            return s.padding[0]
        if self._spread:
            return max(self._shift, 0)
        return 0

    @property
    def _shift(self) -> int:
        """Transposed: the zeros before the spread input, ``d*(k-1) - p`` (negative: the
        spread input's first cells are cut off)."""
        s = self.sweep
        return s.dilation * (s.kernel - 1) - s.padding[0]

    @property
    def _core(self) -> int:
        """Strip cells of the input itself (transposed: spread ``stride`` apart)."""
        s = self.sweep
        if self._spread:
            return (s.size - 1) * s.stride + 1 if s.size > 0 else 0
        return max(s.size, 0)

    @property
    def padded(self) -> int:
        """The strip as the arithmetic sees it: padding, input (spread), padding."""
        s = self.sweep
        if _slides(s):
            return s.padding[0] + max(s.size, 0) + s.padding[1]
        if self._spread:
            return self._base + self._core + max(self._shift, 0) + s.output_padding
        return max(s.size, 0)

    @property
    def length(self) -> int:
        """The strip's cells: the padded input and the cells ceil_mode's windows read."""
        if self.outputs:
            return max(self.padded, self.window(self.outputs - 1).end)
        return self.padded

    @property
    def reached(self) -> int:
        """One past the last cell a window reads."""
        return self.window(self.outputs - 1).end if self.outputs else 0

    def window(self, o: int) -> Window:
        """The taps of output cell ``o``."""
        s = self.sweep
        if s.kind == "adaptive":
            lo, hi = (o * s.size) // s.output, -(-(o + 1) * s.size // s.output)
            return Window(o, tuple(range(lo, hi)) if hi - lo <= 4096 else (lo, hi - 1))
        start = o * s.stride if _slides(s) else o + self._base - self._shift
        if s.kernel > 4096:
            return Window(o, (start, start + self.span - 1))
        return Window(o, tuple(start + t * s.dilation for t in range(s.kernel)))

    @property
    def dropped_window(self) -> Window | None:
        """ceil_mode's extra last window that starts in the right padding: torch drops it."""
        s = self.sweep
        if s.kind != "slide" or not s.ceil_mode or self.problem is not None or s.stride <= 0:
            return None
        raw = (self.padded - self.span + s.stride - 1) // s.stride + 1
        if raw > self.outputs >= 1:
            w = self.window(raw - 1)
            return Window(-1, w.taps)
        return None

    @property
    def extra_from_ceil(self) -> bool:
        """Whether ceil_mode kept a last window that reads past the padded input."""
        return self.length > self.padded

    def cell(self, pos: int) -> Cell:
        """The cell at strip position ``pos``."""
        s = self.sweep
        dropped = self.outputs > 0 and self.reached <= pos < self.padded
        if self._spread:
            x = pos - self._base
            if 0 <= x < self._core:
                if x % s.stride == 0:
                    return Cell(pos, "input", x // s.stride, dropped)
                return Cell(pos, "gap", None, dropped)
            after = x - self._core
            if x < 0 or after < max(self._shift, 0):
                return Cell(pos, "pad", None, dropped)
            return Cell(pos, "outpad", None, dropped)
        i = pos - self._base
        if 0 <= i < max(s.size, 0):
            return Cell(pos, "input", i, dropped)
        if pos >= self.padded:
            return Cell(pos, "extra", None, dropped)
        return Cell(pos, "pad", _copied(s.mode, i, s.size), dropped)

    # --- counts -----------------------------------------------------------------------

    def counts(self, start: int = 0, end: int | None = None) -> Counter[str]:
        """How many strip cells of each role lie in ``[start, end)`` (the whole strip by
        default), and how many of them are ``dropped``: arithmetic, not a walk."""
        end = self.length if end is None else end
        c: Counter[str] = Counter()

        def add(role: str, lo: int, hi: int) -> None:
            n = min(hi, end) - max(lo, start)
            if n > 0:
                c[role] += n

        s = self.sweep
        base, core = self._base, self._core
        if self._spread:
            add("pad", 0, base)
            lo, hi = max(start, base), min(end, base + core)
            if hi > lo:
                inputs = _multiples(lo - base, hi - base, s.stride)
                c["input"] += inputs
                if hi - lo - inputs:
                    c["gap"] += hi - lo - inputs
            add("pad", base + core, base + core + max(self._shift, 0))
            add("outpad", base + core + max(self._shift, 0), self.padded)
        else:
            add("pad", 0, base)
            add("input", base, base + core)
            add("pad", base + core, self.padded)
        add("extra", self.padded, self.length)
        if self.outputs:
            add("dropped", self.reached, self.padded)
        return c

    def overlap(self, pos: int) -> int | None:
        """How many window taps read strip cell ``pos`` (for fold: how many block values
        its overlap-add sums into the image cell); None for a kernel too long to count."""
        s = self.sweep
        if s.kind == "adaptive" or s.kernel > 4096 or not self.outputs:
            return None
        start = 0 if _slides(s) else self._base - self._shift
        n = 0
        for t in range(s.kernel):
            offset = pos - start - t * s.dilation
            step = s.stride if _slides(s) else 1
            if offset >= 0 and offset % step == 0 and offset // step < self.outputs:
                n += 1
        return n

    @property
    def taps(self) -> int:
        """Kernel taps per window (adaptive: the widest window)."""
        s = self.sweep
        if s.kind == "adaptive":
            return max((len(self.window(o).taps) for o in (0, self.outputs - 1)), default=0)
        return s.kernel


def _slides(s: Sweep) -> bool:
    """Whether the sweep slides a window over its (padded) cells: a convolution's or a
    pool's input, or the image fold sums its blocks into."""
    return s.kind in ("slide", "fold")


def _multiples(lo: int, hi: int, step: int) -> int:
    """Multiples of ``step`` in ``[lo, hi)``, ``lo >= 0``."""
    return (hi - 1) // step - (lo - 1) // step if hi > lo else 0


def _copied(mode: str, i: int, size: int) -> int | None:
    """The input cell a padding cell at input index ``i`` (negative: before the input,
    ``>= size``: after it) copies, as F.pad's modes do; None: a zero."""
    if mode == "reflect":
        j = -i if i < 0 else 2 * (size - 1) - i
        return j if 0 <= j < size else None
    if mode == "replicate":
        return 0 if i < 0 else size - 1
    if mode == "circular":
        return i % size if size > 0 else None
    return None


def shown(length: int, limit: int) -> list[int | None]:
    """The positions a renderer shows of ``length``: all of them, or the first and last
    ones with one ``None`` for the elided middle."""
    if length <= limit:
        return list(range(length))
    head = (limit - 1) // 2
    tail = limit - 1 - head
    return [*range(head), None, *range(length - tail, length)]


@dataclass(frozen=True)
class GridCell:
    """One cell of the 2-D view: its role (an input cell, or padding, a stride gap, ... as
    in :data:`ROLES`, the first non-input role of its row and column), the input cell
    ``(row, column)`` it holds (None: a zero) and whether no window reaches it."""

    role: str
    source: tuple[int, int] | None
    dropped: bool


GRID_ORDER = ("extra", "outpad", "pad", "gap")
"""Which role a cell of the 2-D view takes when its row and its column differ."""


@dataclass(frozen=True)
class Grid:
    """The 2-D view of a layer with two spatial axes: the padded input as a grid of
    ``rows.length x cols.length`` cells, and at each stride position ``(i, j)`` (row-major,
    :attr:`steps` of them) the window ``rows.window(i) x cols.window(j)`` and output cell
    ``(i, j)``. Padding copies are separable: F.pad pads each axis on its own, so a corner
    cell copies ``(row source, column source)``."""

    rows: AxisPicture
    cols: AxisPicture

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows.length, self.cols.length

    @property
    def outputs(self) -> tuple[int, int]:
        return self.rows.outputs, self.cols.outputs

    @property
    def steps(self) -> int:
        return self.rows.outputs * self.cols.outputs

    def position(self, step: int) -> tuple[int, int]:
        """The output cell ``(i, j)`` of stride position ``step`` (row-major)."""
        return divmod(step, self.cols.outputs)

    def cell(self, i: int, j: int) -> GridCell:
        r, c = self.rows.cell(i), self.cols.cell(j)
        role = next((x for x in GRID_ORDER if x in (r.role, c.role)), "input")
        source = None
        if r.source is not None and c.source is not None and role in ("input", "pad"):
            source = (r.source, c.source)
        return GridCell(role, source, r.dropped or c.dropped)

    def taps(self, step: int) -> list[tuple[int, int]]:
        """The grid cells the window of stride position ``step`` reads."""
        i, j = self.position(step)
        return [(a, b) for a in self.rows.window(i).taps for b in self.cols.window(j).taps]


def grid_of(picture: Picture, cells: int = 16, outputs: int = 16) -> Grid | None:
    """The 2-D view of a layer with two spatial axes that slide a window, when the padded
    input is at most ``cells`` and the output at most ``outputs`` cells a side (larger
    layers keep the per-axis strips only)."""
    if len(picture.axes) != 2:
        return None
    rows, cols = picture.axes
    for a in (rows, cols):
        if a.problem is not None or not 0 < a.outputs <= outputs or a.length > cells:
            return None
    return Grid(rows, cols)


@dataclass(frozen=True)
class Picture:
    """One layer: its code, shapes, the axes, and why torch raises (if it does)."""

    title: str
    input: Shape
    output: Shape | None
    axes: tuple[AxisPicture, ...]
    error: ShapeError | None = None
    channels: tuple[int, int] | None = None
    """(the input's channels, the channels the layer expects) when they do not meet."""
    blocks: tuple[int, int] | None = None
    """Fold: (the input's columns, the sliding blocks output_size holds) when they differ."""
    op: str = ""
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


def _problem(s: Sweep) -> str | None:
    """Why the sweep cannot slide a window over the axis, in the picture's words."""
    if s.kind != "adaptive":
        if s.kernel < 1:
            return f"{s.name}: kernel {s.kernel}: a window needs at least one tap"
        if s.stride < 1:
            return f"{s.name}: stride {s.stride}: the window must move at least one cell a step"
        if s.dilation < 1:
            return f"{s.name}: dilation {s.dilation}: taps must be at least one cell apart"
    if min(s.padding) < 0 or s.output_padding < 0:
        return f"{s.name}: negative padding {s.padding}: no window to draw"
    if s.size <= 0:
        return f"{s.name}: the input has no cells"
    if _slides(s):
        left, right = s.padding
        if s.mode == "reflect" and (left >= s.size or right >= s.size):
            return (
                f"{s.name}: reflect padding ({left}, {right}) must be below the input size "
                f"{s.size}: there is no cell to reflect"
            )
        if s.mode == "circular" and (left > s.size or right > s.size):
            return (
                f"{s.name}: circular padding ({left}, {right}) wraps more than the input's "
                f"{s.size} cells"
            )
        padded = left + s.size + right
        span = effective_kernel(s.kernel, s.dilation)
        if padded < span:
            return (
                f"{s.name}: the kernel spans {span} cells, wider than the padded input's {padded}"
            )
    if s.output <= 0:
        return f"{s.name}: the output would have {s.output} cells"
    return None


def _pad_over_half(s: Sweep, error: str) -> str | None:
    """A pool's padding over half its kernel (its dilated span for ``*-effective``), when
    torch refuses it for that (the ``*-pad-half`` errors)."""
    if "pad" not in error or "half" not in error:
        return None
    span = effective_kernel(s.kernel, s.dilation) if "effective" in error else s.kernel
    if 2 * max(s.padding) <= span:
        return None
    return f"{s.name}: padding {max(s.padding)} is over half the {span}-cell window"


def _axis_of(s: Sweep) -> Axis | None:
    """The worked arithmetic of a sweep torch stopped before (the channels, F.pad)."""
    left, right = s.padding
    if _slides(s) and s.stride > 0:
        return conv_axis(s.name, s.size, s.kernel, s.stride, left, right, s.dilation)
    if s.kind == "transpose":
        return conv_transpose_axis(
            s.name, s.size, s.kernel, s.stride, left, s.dilation, s.output_padding
        )
    return None


def picture_of(result: Result) -> Picture:
    """The picture of an engine result (the family's sweeps, the worked arithmetic)."""
    axes: tuple[Axis, ...] = tuple(result.axes)
    sweeps = family_of(result.spec).sweeps(result.spec, result.input, axes) or ()
    worked = {a.name: a for a in axes}
    pictures = []
    for s in sweeps:
        a = worked.get(s.name)
        if a is None:
            a = _axis_of(s)
        formula, notes = (a.formula, a.notes) if a is not None else ("", ())
        problem = _problem(s) if s.size < _BIG and s.output < _BIG else "too large to draw"
        if problem is None and result.error is not None:
            problem = _pad_over_half(s, result.error.kind.name)
        unit = "block" if result.spec.op in ("unfold", "fold") else "output"
        pictures.append(AxisPicture(s, formula, notes, problem, unit))
    channels = None
    err = result.error
    if err is not None and "expected" in err.values and "got" in err.values:
        try:
            channels = (int(err.values["got"]), int(err.values["expected"]))
        except ValueError:
            channels = None
    blocks = None
    if err is not None and err.kind.name == "fold-blocks-mismatch":
        blocks = (int(err.values["length"]), int(err.values["blocks"]))
    return Picture(
        title=layer_code(result.spec),
        input=result.input,
        output=result.output,
        axes=tuple(pictures),
        error=err,
        channels=channels,
        blocks=blocks,
        op=result.spec.op,
        notes=tuple(result.notes),
    )


def draw_result(spec: object, shape: Shape) -> Picture:
    """Infer ``spec`` on ``shape`` and picture it."""
    return picture_of(infer_spec(spec, shape))  # type: ignore[arg-type]
