"""Solve for layer parameters: the reverse of ``calc``.

* :func:`solve_size` - which kernel / stride / padding / dilation map a size to a target
  (224 -> 112), under constraints, ranked by simplicity; ``--op transpose`` for growing.
* :func:`same_strided` - what to do for padding='same' with a stride above 1, which torch
  refuses.
* :func:`invert` - the ConvTranspose (output_padding, or the ``output_size=`` to pass) that
  exactly undoes a Conv or pooling layer for a given input.
* :func:`stack_sizes` - the input sizes for which every layer of a stack divides evenly.

Every answer is computed with the same arithmetic as the engine and checked by running
the engine on it; the tests check each kind of answer against torch. Nothing here
imports torch.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

from convshape.core import errors as E
from convshape.core.arithmetic import axis_names, conv_out, conv_transpose_out, pool_out
from convshape.core.errors import UsageError
from convshape.core.shapes import Shape
from convshape.ops import Conv, ConvCall, Pool, Spec

if TYPE_CHECKING:
    from convshape.features.network import StackLayer

__all__ = [
    "COMBINATIONS_CAP",
    "DILATION_CAP",
    "KERNEL_CAP",
    "STRIDE_CAP",
    "Candidate",
    "Inversion",
    "SameStrided",
    "SizeSolution",
    "SolveMode",
    "StackSizes",
    "choose_mode",
    "fails_on",
    "invert",
    "same_strided",
    "solve_size",
    "stack_sizes",
]

Op = Literal["conv", "maxpool", "avgpool", "transpose"]
OPS: tuple[Op, ...] = ("conv", "maxpool", "avgpool", "transpose")
SolveMode = Literal["size", "same", "invert", "stack"]


def choose_mode(
    size: int | None,
    target: int | None,
    *,
    invert: bool = False,
    stack: bool = False,
    same: bool = False,
    keep: bool = False,
    has_input: bool = False,
    has_kernel: bool = False,
    has_stride: bool = False,
) -> tuple[SolveMode, int | None]:
    """Which kind of ``solve`` the arguments ask for, and the TARGET to use (``--keep``:
    SIZE). Raises :class:`UsageError` for a combination that makes no sense."""
    if invert + stack + same > 1:
        raise UsageError("use one of --invert, --stack/--file and --same at a time")
    if invert or stack:
        flag = "--invert" if invert else "--stack"
        if size is not None or target is not None:
            raise UsageError(f"{flag} takes no SIZE or TARGET (give --input SHAPE)")
        if not has_input:
            raise UsageError(
                "--invert needs --input SHAPE"
                if invert
                else "--stack needs --input SHAPE (batch and channels; the sizes vary)"
            )
        return ("invert" if invert else "stack"), None
    if has_input:
        raise UsageError("--input applies to --invert and --stack")
    if size is None:
        raise UsageError("missing SIZE (e.g. convshape solve 224 112)")
    if same:
        if target is not None:
            raise UsageError("--same takes SIZE only (the output is ceil(SIZE / stride))")
        if not (has_kernel and has_stride):
            raise UsageError("--same needs --kernel and --stride")
        return "same", None
    if keep:
        if target is not None and target != size:
            raise UsageError(f"--keep keeps SIZE {size}; do not give another TARGET ({target})")
        target = size
    if target is None:
        raise UsageError("missing TARGET (e.g. convshape solve 224 112), or use --keep")
    return "size", target


@dataclass(frozen=True)
class Candidate:
    """One answer of :func:`solve_size`: the parameters, the size they give, and how many
    rows of the input (not of its padding) no window reaches (``dropped``)."""

    op: Op
    kernel: int
    stride: int
    padding: int
    dilation: int
    output: int
    output_padding: int = 0
    dropped: int = 0

    def code(self, dims: int = 2, channels: tuple[str, str] = ("C_in", "C_out")) -> str:
        """The layer as code, e.g. ``nn.Conv2d(C_in, C_out, 3, stride=2, padding=1)``."""
        args: list[str] = []
        if self.op in ("conv", "transpose"):
            args += list(channels)
        args.append(str(self.kernel))
        if self.op in ("conv", "transpose") and self.stride != 1:
            args.append(f"stride={self.stride}")
        if self.op in ("maxpool", "avgpool") and self.stride != self.kernel:
            args.append(f"stride={self.stride}")
        if self.padding:
            args.append(f"padding={self.padding}")
        if self.output_padding:
            args.append(f"output_padding={self.output_padding}")
        if self.dilation != 1:
            args.append(f"dilation={self.dilation}")
        cls = {
            "conv": "Conv",
            "transpose": "ConvTranspose",
            "maxpool": "MaxPool",
            "avgpool": "AvgPool",
        }[self.op]
        return f"nn.{cls}{dims}d({', '.join(args)})"


@dataclass(frozen=True)
class SizeSolution:
    """:func:`solve_size`'s answer: candidates best first; ``reason`` says what rules
    every combination out when there are none."""

    size: int
    target: int
    op: Op
    candidates: tuple[Candidate, ...]
    searched: str
    reason: str = ""
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.candidates)


#: The largest kernel, stride and dilation ``solve_size`` searches (fixed or as a bound), and
#: the most (kernel, stride, dilation) combinations one search may try: together they keep
#: a search (and the searches that explain a miss) well under a second.
KERNEL_CAP = 1024
STRIDE_CAP = 256
DILATION_CAP = 64
COMBINATIONS_CAP = 10_000


@dataclass(frozen=True)
class _Limits:
    kernel: int | None
    stride: int | None
    padding: int | None
    dilation: int | None
    max_kernel: int
    max_stride: int
    max_dilation: int


def _ranges(lim: _Limits) -> tuple[range | list[int], range | list[int], range | list[int]]:
    ks = [lim.kernel] if lim.kernel is not None else range(1, lim.max_kernel + 1)
    ss = [lim.stride] if lim.stride is not None else range(1, lim.max_stride + 1)
    ds = [lim.dilation] if lim.dilation is not None else range(1, lim.max_dilation + 1)
    return ks, ss, ds


def _pad_window(size: int, target: int, s: int, span: int) -> tuple[int, int]:
    """The paddings ``p`` with which floor-mode ``(size + 2p - span) // s + 1`` is
    ``target``: ``(target-1)*s <= size + 2p - span < target*s``; may be empty."""
    low = (target - 1) * s + span - size
    return -(-low // 2), (low + s - 1) // 2


def _combinations(lim: _Limits) -> int:
    return math.prod(len(r) for r in _ranges(lim))


def _search(size: int, target: int, op: Op, lim: _Limits) -> list[Candidate]:
    found: list[Candidate] = []
    ks, ss, ds = _ranges(lim)
    for k in ks:
        for d in ds:
            if op == "avgpool" and d != 1:
                continue
            span = d * (k - 1) + 1
            for s in ss:
                if op == "transpose":
                    found += _transpose_candidates(size, target, k, s, d, lim.padding)
                    continue
                if op == "conv":
                    top = d * (k - 1)
                elif op == "maxpool":
                    top = span // 2
                else:
                    top = k // 2
                if lim.padding is not None:
                    pads: Iterable[int] = (
                        [lim.padding] if 0 <= lim.padding <= top or op == "conv" else []
                    )
                else:
                    # only the (at most s/2 + 1) paddings in this window can give the target
                    low, high = _pad_window(size, target, s, span)
                    pads = range(max(0, low), min(top, high) + 1)
                for p in pads:
                    padded = size + 2 * p
                    if padded < span:
                        continue
                    out = (
                        conv_out(size, k, s, p, d)
                        if op == "conv"
                        else pool_out(size, k, s, p, d, False)
                    )
                    if out == target:
                        unused = size - 1 - _last_tap(size, out, k, s, p, d)
                        found.append(Candidate(op, k, s, p, d, out, 0, unused))
    return sorted(found, key=_rank)


def _last_tap(size: int, out: int, k: int, s: int, p: int, d: int) -> int:
    """The last input row (not padding) any window's tap reads; -1 when none does."""
    best = -1
    # windows starting past the last row read only padding: skip them without a loop
    first = min(out - 1, (size - 1 + p) // s)
    for o in range(first, -1, -1):
        start = o * s - p
        if start + (k - 1) * d <= best:
            break
        if start > size - 1:
            continue
        t = min(k - 1, (size - 1 - start) // d)
        best = max(best, start + t * d)
        if best == size - 1:
            break
    return best


def _transpose_candidates(
    size: int, target: int, k: int, s: int, d: int, padding: int | None
) -> list[Candidate]:
    out: list[Candidate] = []
    if padding is not None:
        pads: Iterable[int] = [padding]
    else:
        # output_padding = target - base(p) must be in [0, max(s, d)); base falls by 2 per p
        low = conv_transpose_out(size, k, s, 0, d, 0) - target
        high = low + max(s, d) - 1
        pads = range(max(0, -(-low // 2)), min(d * (k - 1), high // 2) + 1)
    for p in pads:
        base = conv_transpose_out(size, k, s, p, d, 0)
        op = target - base
        if 0 <= op < max(s, d) and target >= 1:
            out.append(Candidate("transpose", k, s, p, d, target, op))
    return out


def _rank(c: Candidate) -> tuple[object, ...]:
    """Simplest first: no dilation, 'centered' padding, the usual kernel for the op, an
    exact fit, then small numbers."""
    centered = c.padding == (c.dilation * (c.kernel - 1)) // 2
    if c.op == "conv":
        return (
            c.dilation != 1,
            not centered,
            c.kernel % 2 == 0,
            c.dropped > 0,
            c.kernel == 1,
            c.kernel,
            c.stride,
            c.padding,
        )
    if c.op == "transpose":
        return (
            c.dilation != 1,
            c.output_padding != 0,
            c.kernel != c.stride,
            c.kernel,
            c.padding,
            c.stride,
        )
    return (c.dilation != 1, c.stride != c.kernel, c.dropped > 0, c.padding, c.kernel, c.stride)


def solve_size(
    size: int,
    target: int,
    *,
    op: Op = "conv",
    kernel: int | None = None,
    stride: int | None = None,
    padding: int | None = None,
    dilation: int | None = None,
    max_kernel: int = 7,
    max_stride: int | None = None,
    max_dilation: int = 1,
) -> SizeSolution:
    """Every (kernel, stride, padding, dilation) in the limits with which ``op`` maps
    ``size`` to ``target`` on one axis, simplest first."""
    if op not in OPS:
        raise UsageError(f"unknown --op {op!r}: use one of {', '.join(OPS)}")
    for name, value in (("size", size), ("target", target)):
        if value < 1:
            raise UsageError(f"{name} must be at least 1, got {value}")
    for name, v in (
        ("--kernel", kernel),
        ("--stride", stride),
        ("--dilation", dilation),
        ("--max-kernel", max_kernel),
        ("--max-stride", max_stride),
        ("--max-dilation", max_dilation),
    ):
        if v is not None and v < 1:
            raise UsageError(f"{name} must be at least 1, got {v}")
    if padding is not None and padding < 0:
        raise UsageError(f"--padding must be 0 or more, got {padding}")
    for name, v, cap in (
        ("--kernel", kernel, KERNEL_CAP),
        ("--stride", stride, STRIDE_CAP),
        ("--dilation", dilation, DILATION_CAP),
        ("--max-kernel", max_kernel, KERNEL_CAP),
        ("--max-stride", max_stride, STRIDE_CAP),
        ("--max-dilation", max_dilation, DILATION_CAP),
    ):
        if v is not None and v > cap:
            raise UsageError(f"{name} {v} is over the cap of {cap}")
    if max_stride is None:
        ratio = size // target if op != "transpose" else target // size
        max_stride = min(max(2, ratio + 1), STRIDE_CAP)
    lim = _Limits(kernel, stride, padding, dilation, max_kernel, max_stride, max_dilation)
    combinations = _combinations(lim)
    if combinations > COMBINATIONS_CAP:
        raise UsageError(
            f"the search ({_describe(lim, op)}) has {combinations} kernel/stride/dilation "
            f"combinations, over the cap of {COMBINATIONS_CAP}: fix or lower one of them"
        )
    found = _search(size, target, op, lim)
    searched = _describe(lim, op)
    notes: list[str] = []
    if op == "conv" and size == target and (stride in (None, 1)):
        notes.append("with stride 1, padding='same' keeps the size for any kernel and dilation")
    if found:
        return SizeSolution(size, target, op, tuple(found), searched, notes=tuple(notes))
    return SizeSolution(size, target, op, (), searched, _why_none(size, target, op, lim))


def _describe(lim: _Limits, op: Op) -> str:
    def part(name: str, fixed: int | None, top: int) -> str:
        return f"{name} {fixed}" if fixed is not None else f"{name} 1..{top}"

    pad = f"padding {lim.padding}" if lim.padding is not None else "padding 0..d*(k-1)"
    if op in ("maxpool", "avgpool") and lim.padding is None:
        pad = "padding 0..kernel/2"
    return ", ".join(
        [
            part("kernel", lim.kernel, lim.max_kernel),
            part("stride", lim.stride, lim.max_stride),
            pad,
            part("dilation", lim.dilation, lim.max_dilation),
        ]
    )


_RELAX: tuple[tuple[str, str, dict[str, object]], ...] = (
    ("kernel", "--kernel", {"kernel": None}),
    ("stride", "--stride", {"stride": None}),
    ("padding", "--padding", {"padding": None}),
    ("dilation", "--dilation", {"dilation": None}),
    ("max_kernel", "--max-kernel", {"max_kernel": 31}),
    ("max_stride", "--max-stride", {"max_stride": 64}),
    ("max_dilation", "--max-dilation", {"max_dilation": 8}),
)


def _why_none(size: int, target: int, op: Op, lim: _Limits) -> str:
    """Which single constraint, dropped or widened, would allow a solution."""
    for attr, flag, change in _RELAX:
        current = getattr(lim, attr)
        if attr.startswith("max_"):
            widened = change[attr]
            assert isinstance(widened, int)
            if current >= widened or getattr(lim, attr.removeprefix("max_")) is not None:
                continue
        elif current is None:
            continue
        relaxed = replace(lim, **change)  # type: ignore[arg-type]
        if _combinations(relaxed) > COMBINATIONS_CAP:
            continue
        found = _search(size, target, op, relaxed)
        if found:
            best = found[0]
            what = (
                f"{flag} {current}"
                if not attr.startswith("max_")
                else f"{flag} {current} (the limit)"
            )
            return f"{what} rules it out: without it, {_params_text(best)} maps {size} -> {target}"
    if op != "transpose" and target > size:
        return (
            f"{op} cannot grow {size} to {target} within these limits (only padding adds rows); "
            "use --op transpose, or nn.Upsample"
        )
    if op == "transpose" and target < size:
        return f"a transposed convolution cannot shrink {size} to {target} within these limits"
    return f"no combination maps {size} -> {target}"


def _params_text(c: Candidate) -> str:
    text = f"kernel {c.kernel}, stride {c.stride}, padding {c.padding}"
    if c.dilation != 1:
        text += f", dilation {c.dilation}"
    if c.output_padding:
        text += f", output_padding {c.output_padding}"
    return text


# ---------------------------------------------------------------------------------------
# padding='same' with a stride
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SameStrided:
    """What to do instead of padding='same' with stride > 1 (torch raises for it).

    ``output`` is TensorFlow's 'SAME' size ``ceil(size / stride)``; ``total`` the padding
    that needs; ``symmetric`` the int paddings that give the same size (they may sample a
    different grid than TensorFlow when ``total`` is odd); ``pad`` the exact asymmetric
    ``(left, right)`` to put in an ``nn.ZeroPad``/``F.pad`` before a padding=0 layer.
    """

    size: int
    kernel: int
    stride: int
    dilation: int
    output: int
    total: int
    symmetric: tuple[int, ...]
    pad: tuple[int, int]
    torch_error: str

    @property
    def torch_refuses(self) -> bool:
        """torch raises for padding='same' only with a stride above 1."""
        return self.stride > 1

    def lines(self, dims: int = 2) -> list[str]:
        k, s, d = self.kernel, self.stride, self.dilation
        dil = f", dilation={d}" if d != 1 else ""
        left, right = self.pad
        if self.torch_refuses:
            out = [
                f"torch refuses it: ValueError: {self.torch_error}",
                f"'same' with stride {s} means TensorFlow's SAME: ceil({self.size} / {s}) = "
                f"{self.output}, which needs {self.total} padding in total",
            ]
        else:
            out = [f"stride 1: padding='same' works in torch and keeps {self.size}"]
        if left == right:
            out.append(
                f"use padding={left}: nn.Conv{dims}d(C_in, C_out, {k}, stride={s}, "
                f"padding={left}{dil}) gives {self.output}"
            )
        else:
            pads = ", ".join(str(v) for _ in range(dims) for v in (left, right))
            out.append(
                f"exact TensorFlow SAME: nn.ZeroPad{dims}d(({pads})) then "
                f"nn.Conv{dims}d(C_in, C_out, {k}, stride={s}{dil}) ({left} before, {right} after)"
            )
            for p in self.symmetric:
                out.append(
                    f"or padding={p} (symmetric) also gives {self.output}, on a grid shifted by "
                    "one row from TensorFlow's"
                )
        return out


def same_strided(size: int, kernel: int, stride: int, dilation: int | None = None) -> SameStrided:
    """TensorFlow-style 'same' for a strided convolution of ``size`` (dilation ``None``:
    not given, 1)."""
    if dilation is None:
        dilation = 1
    for name, v in (
        ("size", size),
        ("--kernel", kernel),
        ("--stride", stride),
        ("--dilation", dilation),
    ):
        if v < 1:
            raise UsageError(f"{name} must be at least 1, got {v}")
    span = dilation * (kernel - 1) + 1
    output = -(-size // stride)
    total = max((output - 1) * stride + span - size, 0)
    low, high = _pad_window(size, output, stride, span)
    symmetric = tuple(
        p
        for p in range(max(0, low), min(total, high) + 1)
        if size + 2 * p >= span and conv_out(size, kernel, stride, p, dilation) == output
    )
    return SameStrided(
        size,
        kernel,
        stride,
        dilation,
        output,
        total,
        symmetric,
        (total // 2, total - total // 2),
        E.MODULE_SAME_STRIDED.template,
    )


# ---------------------------------------------------------------------------------------
# Inverting a Conv or pooling layer
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inversion:
    """The ConvTranspose that maps ``layer``'s output back to its input shape.

    ``transpose`` has the same kernel/stride/dilation and, per axis, the padding and
    output_padding that make it exact; ``output_size`` is the alternative: the sizes to
    pass as ``forward(x, output_size=...)`` to a ConvTranspose without output_padding.
    """

    layer: Spec
    input: Shape
    output: Shape
    transpose: Conv
    output_size: tuple[int, ...] | None
    notes: tuple[str, ...] = ()


def _axis_params(spec: Conv | Pool, n: int) -> list[tuple[int, int, int, int]]:
    """Per axis (kernel, stride, padding_left, dilation) of a conv or pool."""
    if isinstance(spec, Conv):
        k, s, d = spec.kernel_size, spec.stride, spec.dilation
        if spec.padding == "same":
            p = tuple((d[i] * (k[i] - 1)) // 2 for i in range(n))
        elif isinstance(spec.padding, str):
            p = (0,) * n
        else:
            p = spec.padding
        return [(k[i], s[i], p[i], d[i]) for i in range(n)]
    k, s, p, d = spec.window_args
    return [(k[i], s[i], p[i], d[i]) for i in range(n)]


def fails_on(input_shape: Shape) -> str:
    """The reason :func:`invert` gives no answer when the layer itself raises."""
    return f"the layer itself fails on {tuple(input_shape)}"


def invert(spec: Spec, input_shape: Shape) -> Inversion:
    """The ConvTranspose that exactly undoes ``spec`` (a Conv or pooling layer) for an
    input of ``input_shape``. Raises :class:`UsageError` for layers it cannot invert and
    :class:`~convshape.errors.ShapeError` when the layer itself fails on that input."""
    from convshape.core.engine import infer_spec

    if isinstance(spec, ConvCall) or (isinstance(spec, Conv) and spec.transposed):
        raise UsageError("--invert takes an nn.ConvNd or a pooling module (MaxPool, AvgPool)")
    if not isinstance(spec, Conv | Pool):
        raise UsageError("--invert takes an nn.ConvNd or a pooling module (MaxPool, AvgPool)")
    result = infer_spec(spec, tuple(input_shape))
    if result.error is not None:
        raise result.error
    assert result.output is not None
    n = spec.dims
    shape, out = tuple(input_shape), result.output
    sizes, outs = shape[-n:], out[-n:]
    axes = _axis_params(spec, n)
    names = axis_names(n)
    notes: list[str] = []
    ks, ss, ps, ops, ds = [], [], [], [], []
    for i, (k, s, p, d) in enumerate(axes):
        op = sizes[i] - conv_transpose_out(outs[i], k, s, p, d, 0)
        if not 0 <= op < max(s, d):
            found = _transpose_candidates(outs[i], sizes[i], k, s, d, None)
            if not found:
                raise UsageError(
                    f"no ConvTranspose with kernel {k}, stride {s}, dilation {d} maps "
                    f"{names[i]}={outs[i]} back to {sizes[i]}"
                )
            best = sorted(found, key=_rank)[0]
            notes.append(
                f"{names[i]}: padding {p} cannot map {outs[i]} back to {sizes[i]} "
                f"(it would need output_padding {op}); padding {best.padding} with "
                f"output_padding {best.output_padding} does"
            )
            p, op = best.padding, best.output_padding
        ks.append(k)
        ss.append(s)
        ps.append(p)
        ops.append(op)
        ds.append(d)
    if isinstance(spec, Conv):
        cin, cout, groups = spec.out_channels, spec.in_channels, spec.groups
    else:
        channels = shape[1] if len(shape) == n + 2 else shape[0]
        cin = cout = channels
        groups = 1
        notes.append(
            f"a pooling layer has no weights: this ConvTranspose ({channels} -> {channels} "
            "channels) restores the shape, not the values (nn.MaxUnpool does, for max pooling)"
        )
    transpose = Conv.make(
        n,
        cin,
        cout,
        tuple(ks),
        stride=tuple(ss),
        padding=tuple(ps),
        dilation=tuple(ds),
        groups=groups,
        transposed=True,
        output_padding=tuple(ops),
    )
    back = infer_spec(transpose, out)
    assert back.output == shape, (back.output, shape)
    plain = replace(transpose, output_padding=(0,) * n, output_size=tuple(sizes))
    via_size = infer_spec(plain, out)
    output_size = tuple(sizes) if via_size.output == shape else None
    return Inversion(spec, shape, out, transpose, output_size, tuple(notes))


# ---------------------------------------------------------------------------------------
# Input sizes for which a whole stack divides evenly
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StackSizes:
    """:func:`stack_sizes`'s answer: the sizes in ``[low, high]`` (the same on every
    spatial axis) for which every layer works and no strided layer drops a row."""

    low: int
    high: int
    sizes: tuple[int, ...]
    near: int | None
    period: int | None
    reason: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return bool(self.sizes)

    @property
    def smallest(self) -> int | None:
        return self.sizes[0] if self.sizes else None

    @property
    def nearest(self) -> int | None:
        if not self.sizes or self.near is None:
            return None
        near = self.near
        return min(self.sizes, key=lambda v: (abs(v - near), v))


def _misfits(spec: object, shape: Shape, n: int) -> list[int]:
    """The axes on which a strided layer does not divide its input evenly.

    With 'centered' padding (``padding == dilation*(kernel-1)//2``, what 'same' would
    pick) the layer divides evenly when ``size % stride == 0``: the output is exactly
    ``size / stride``, so an x``stride`` decoder restores the size. Otherwise (valid
    convolutions, pooling windows) when the windows tile the padded input exactly:
    ``(size + 2*padding - span) % stride == 0``, no row left over."""
    from convshape.ops import Unfold

    if (isinstance(spec, Conv) and not spec.transposed) or (
        isinstance(spec, Pool) and not spec.ceil_mode
    ):
        params = _axis_params(spec, n)
    elif isinstance(spec, ConvCall) and not spec.transposed and not isinstance(spec.padding, str):
        kernel = spec.weight[2:]
        params = [(kernel[i], spec.stride[i], spec.padding[i], spec.dilation[i]) for i in range(n)]
    elif isinstance(spec, Unfold):
        params = [
            (spec.kernel_size[i], spec.stride[i], spec.padding[i], spec.dilation[i])
            for i in range(2)
        ]
    else:
        return []
    sizes = shape[len(shape) - len(params) :]
    bad = []
    for i, (k, s, p, d) in enumerate(params):
        if s <= 1:
            continue
        span = d * (k - 1) + 1
        centered = p == (d * (k - 1)) // 2 or (isinstance(spec, Conv) and spec.padding == "same")
        rest = sizes[i] % s if centered else (sizes[i] + 2 * p - span) % s
        if rest:
            bad.append(i)
    return bad


def stack_sizes(
    layers: list[StackLayer] | tuple[StackLayer, ...],
    input_shape: Shape,
    *,
    low: int = 1,
    high: int | None = None,
    near: int | None = None,
    training: bool = True,
) -> StackSizes:
    """The input sizes (one size on every spatial axis; batch and channels from
    ``input_shape``) for which every layer of the stack works and divides evenly."""
    from convshape.features.network import infer_stack

    stack = list(layers)
    n = _spatial_rank(stack, input_shape)
    if n == 0:
        return StackSizes(
            low, high or low, (), near, None, "the stack has no spatial layer to size"
        )
    given = input_shape[-1] if n else None
    near = near if near is not None else given
    if high is None:
        high = max(512, 2 * (near or 0))
    if low < 1:
        raise UsageError(f"--min-size must be at least 1, got {low}")
    if high < low:
        raise UsageError(f"--min-size {low} is above --max-size {high}: the size range is empty")
    if high - low > 20000:
        raise UsageError(f"the size range {low}..{high} is too large (at most 20000 sizes)")
    lead = input_shape[: len(input_shape) - n]
    good: list[int] = []
    blockers: Counter[str] = Counter()
    for size in range(low, high + 1):
        result = infer_stack(stack, (*lead, *([size] * n)), training=training)
        blocker = ""
        for row in result.rows:
            if row.error is not None:
                blocker = f"layer {row.name} ({row.code}) raises {row.error.exc}" + (
                    f" [{row.error.code}]" if row.error.code else ""
                )
                break
            if row.input is not None and _misfits(row.spec, row.input, n):
                blocker = f"layer {row.name} ({row.code}) does not divide its input evenly"
                break
        if blocker:
            blockers[blocker] += 1
        else:
            good.append(size)
    period = _period(good)
    reason = ""
    if not good:
        top, count = blockers.most_common(1)[0] if blockers else ("", 0)
        reason = f"no size in {low}..{high} fits: {top} for {count} of them"
    return StackSizes(low, high, tuple(good), near, period, reason)


def _spatial_rank(stack: list[StackLayer], input_shape: Shape) -> int:
    from convshape.features.network import spatial_rank as rank

    n = rank(stack)
    if n > len(input_shape):
        raise UsageError(
            f"the input {tuple(input_shape)} has fewer dimensions than the stack's {n} spatial axes"
        )
    return n


def _period(sizes: list[int]) -> int | None:
    if len(sizes) < 3:
        return None
    step = 0
    for a, b in itertools.pairwise(sizes):
        step = math.gcd(step, b - a)
    expected = list(range(sizes[0], sizes[-1] + 1, step))
    return step if expected == sizes else None
