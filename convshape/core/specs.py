"""Layer specs: immutable descriptions of one convolution-family call.

A spec records what the user's code says, normalised the way torch normalises it: an int
parameter becomes one entry per spatial axis (``_pair(3) == (3, 3)``), a tuple is kept as
written, wrong length included, because torch only complains about the length later and
in its own words. Nothing here validates; the engine does, in torch's order.

* :class:`Conv` - ``nn.Conv{1,2,3}d`` / ``nn.ConvTranspose{1,2,3}d`` (a module).
* :class:`ConvCall` - ``F.conv{1,2,3}d`` / ``F.conv_transpose{1,2,3}d`` with a weight shape.
* :class:`Pool` - max / avg / LP pooling, module or functional (same semantics).
* :class:`AdaptivePool` - adaptive avg / max pooling.
* :class:`Unfold` / :class:`Fold` - im2col / col2im.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "AdaptivePool",
    "Conv",
    "ConvCall",
    "Fold",
    "Ints",
    "PaddingMode",
    "Pool",
    "Shape",
    "Spec",
    "Unfold",
    "ntuple",
]

Shape = tuple[int, ...]
Ints = tuple[int, ...]
PaddingMode = str  # 'zeros' | 'reflect' | 'replicate' | 'circular' (anything else is an error)


def ntuple(value: int | Ints, n: int) -> Ints:
    """torch's ``_single``/``_pair``/``_triple``: an int is repeated, a tuple kept."""
    if isinstance(value, int):
        return (value,) * n
    return tuple(value)


@dataclass(frozen=True)
class Conv:
    """``nn.ConvNd`` or ``nn.ConvTransposeNd``: the constructor's arguments.

    ``output_size`` is ConvTranspose ``forward``'s optional argument.
    """

    dims: int
    in_channels: int
    out_channels: int
    kernel_size: Ints
    stride: Ints
    padding: Ints | str
    dilation: Ints
    groups: int = 1
    bias: bool = True
    padding_mode: PaddingMode = "zeros"
    transposed: bool = False
    output_padding: Ints = ()
    output_size: Ints | None = None
    plan: FastPlan | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.transposed and self.padding_mode == "zeros":
            plan = _plan(
                self.dims,
                self.in_channels,
                self.out_channels,
                self.kernel_size,
                self.stride,
                self.padding,
                self.dilation,
                self.groups,
            )
            object.__setattr__(self, "plan", plan)

    @classmethod
    def make(
        cls,
        dims: int,
        in_channels: int,
        out_channels: int,
        kernel_size: int | Ints,
        stride: int | Ints = 1,
        padding: int | Ints | str = 0,
        dilation: int | Ints = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: PaddingMode = "zeros",
        transposed: bool = False,
        output_padding: int | Ints = 0,
        output_size: Ints | None = None,
    ) -> Conv:
        """Build a spec from the arguments as torch's constructor takes them."""
        return cls(
            dims=dims,
            in_channels=in_channels,
            out_channels=out_channels,
            kernel_size=ntuple(kernel_size, dims),
            stride=ntuple(stride, dims),
            padding=padding if isinstance(padding, str) else ntuple(padding, dims),
            dilation=ntuple(dilation, dims),
            groups=groups,
            bias=bias,
            padding_mode=padding_mode,
            transposed=transposed,
            output_padding=ntuple(output_padding, dims),
            output_size=output_size,
        )

    @property
    def op(self) -> str:
        return f"conv_transpose{self.dims}d" if self.transposed else f"conv{self.dims}d"

    @property
    def cls(self) -> str:
        return f"ConvTranspose{self.dims}d" if self.transposed else f"Conv{self.dims}d"

    @property
    def weight_shape(self) -> Shape:
        if self.transposed:
            return (self.in_channels, _floordiv(self.out_channels, self.groups), *self.kernel_size)
        return (self.out_channels, _floordiv(self.in_channels, self.groups), *self.kernel_size)


_INT64_MAX = 2**63 - 1
FastPlan = tuple[int, int, int, tuple[tuple[int, int], ...]]


def _plan(
    dims: int,
    in_channels: int,
    out_channels: int,
    kernel: Ints,
    stride: Ints,
    padding: Ints | str,
    dilation: Ints,
    groups: int,
) -> FastPlan | None:
    """Per-axis ``(2p - span, stride)`` for a convolution none of whose own arguments can
    fail torch's checks; None otherwise. The engine's fast path needs only the input then:
    ``out = (L + 2p - span) // s + 1``, valid while ``L > 0`` and ``L + 2p >= span``."""
    if isinstance(padding, str) or groups <= 0 or in_channels <= 0 or out_channels < groups:
        return None
    if in_channels % groups or out_channels % groups:
        return None
    if not len(kernel) == len(stride) == len(padding) == len(dilation) == dims:
        return None
    axes = []
    for k, s, p, d in zip(kernel, stride, padding, dilation, strict=True):
        if k <= 0 or s <= 0 or p < 0 or d <= 0 or p > _INT64_MAX - p:
            return None
        axes.append((2 * p - d * (k - 1) - 1, s))
    return dims + 2, in_channels, out_channels, tuple(axes)


_INT32_MAX = 2**31 - 1


def _pool_plan(spec: Pool) -> tuple[tuple[int, int, int, int], ...] | None:
    """Per-axis ``(k, s, p, d)`` of a max or average pool none of whose own arguments can fail
    torch's checks (lengths, signs, padding at most half the kernel, int32 range); None
    otherwise. LP pooling is average pooling of ``x**p`` without padding."""
    n = spec.dims
    if spec.divisor_override == 0 or len(spec.kernel_size) != n:
        return None
    if spec.kind == "lp" and (spec.norm_type == 0 or spec.norm_type != spec.norm_type):
        return None  # p = 0 raises after the shape is known; NaN is left to the full path
    stride = spec.stride or spec.kernel_size
    dilation = spec.dilation if spec.kind == "max" else (1,) * n
    padding = (0,) * n if spec.kind == "lp" else spec.padding  # LP pooling pads nothing
    if not len(stride) == len(padding) == len(dilation) == n:
        return None
    axes = tuple(zip(spec.kernel_size, stride, padding, dilation, strict=True))
    for k, s, p, d in axes:
        if not (0 < k <= _INT32_MAX and 0 < s <= _INT32_MAX and 0 < d <= _INT32_MAX):
            return None
        if p < 0 or 2 * p > k:
            return None
    return axes


def _floordiv(a: int, b: int) -> int:
    return a // b if b else 0


@dataclass(frozen=True)
class ConvCall:
    """``F.convNd`` / ``F.conv_transposeNd``: the weight and bias shapes and the arguments."""

    dims: int
    weight: Shape
    bias: Shape | None = None
    stride: Ints = (1,)
    padding: Ints | str = (0,)
    dilation: Ints = (1,)
    groups: int = 1
    transposed: bool = False
    output_padding: Ints = (0,)
    plan: FastPlan | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        w = self.weight
        bias_ok = self.bias is None or (len(w) > 0 and self.bias == (w[0],))
        if not self.transposed and len(w) == self.dims + 2 and bias_ok and self.groups > 0:
            plan = _plan(
                self.dims,
                w[1] * self.groups,
                w[0],
                w[2:],
                self.stride,
                self.padding,
                self.dilation,
                self.groups,
            )
            if plan is not None and w[1] > 0 and min(w) >= 0:
                object.__setattr__(self, "plan", plan)

    @classmethod
    def make(
        cls,
        dims: int,
        weight: Shape,
        bias: Shape | None = None,
        stride: int | Ints = 1,
        padding: int | Ints | str = 0,
        dilation: int | Ints = 1,
        groups: int = 1,
        transposed: bool = False,
        output_padding: int | Ints = 0,
    ) -> ConvCall:
        """Build a spec as torch's argument parser sees the call (an int fills every axis)."""
        return cls(
            dims=dims,
            weight=tuple(weight),
            bias=None if bias is None else tuple(bias),
            stride=ntuple(stride, dims),
            padding=padding if isinstance(padding, str) else ntuple(padding, dims),
            dilation=ntuple(dilation, dims),
            groups=groups,
            transposed=transposed,
            output_padding=ntuple(output_padding, dims),
        )

    @property
    def op(self) -> str:
        return f"conv_transpose{self.dims}d" if self.transposed else f"conv{self.dims}d"


PoolKind = Literal["max", "avg", "lp"]


@dataclass(frozen=True)
class Pool:
    """``nn.MaxPoolNd`` / ``nn.AvgPoolNd`` / ``nn.LPPoolNd`` or their ``F.`` functions.

    ``stride == ()`` means ``stride=None``: the stride is the kernel size.
    """

    kind: PoolKind
    dims: int
    kernel_size: Ints
    stride: Ints = ()
    padding: Ints = (0,)
    dilation: Ints = (1,)
    ceil_mode: bool = False
    return_indices: bool = False
    count_include_pad: bool = True
    divisor_override: int | None = None
    norm_type: float = 2.0
    functional: bool = False
    plan: tuple[tuple[int, int, int, int], ...] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "plan", _pool_plan(self))

    @classmethod
    def make(
        cls,
        kind: PoolKind,
        dims: int,
        kernel_size: int | Ints,
        stride: int | Ints | None = None,
        padding: int | Ints = 0,
        dilation: int | Ints = 1,
        ceil_mode: bool = False,
        return_indices: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
        norm_type: float = 2.0,
        functional: bool = False,
    ) -> Pool:
        return cls(
            kind=kind,
            dims=dims,
            kernel_size=ntuple(kernel_size, dims),
            stride=() if stride is None else ntuple(stride, dims),
            padding=ntuple(padding, dims),
            dilation=ntuple(dilation, dims),
            ceil_mode=ceil_mode,
            return_indices=return_indices,
            count_include_pad=count_include_pad,
            divisor_override=divisor_override,
            norm_type=norm_type,
            functional=functional,
        )

    @property
    def op(self) -> str:
        return f"{self.kind}_pool{self.dims}d"

    @property
    def cls(self) -> str:
        return {"max": "MaxPool", "avg": "AvgPool", "lp": "LPPool"}[self.kind] + f"{self.dims}d"


@dataclass(frozen=True)
class AdaptivePool:
    """``nn.AdaptiveAvgPoolNd`` / ``nn.AdaptiveMaxPoolNd``; ``None`` keeps the input size.

    ``scalar`` records an output_size written as one int: torch's Python wrapper skips its
    input-rank check for that form, so the two forms can fail differently.
    """

    kind: Literal["avg", "max"]
    dims: int
    output_size: tuple[int | None, ...]
    return_indices: bool = False
    functional: bool = False
    scalar: bool = False

    @classmethod
    def make(
        cls,
        kind: Literal["avg", "max"],
        dims: int,
        output_size: int | tuple[int | None, ...] | None,
        return_indices: bool = False,
        functional: bool = False,
    ) -> AdaptivePool:
        if isinstance(output_size, tuple):
            return cls(kind, dims, tuple(output_size), return_indices, functional)
        scalar = isinstance(output_size, int)
        return cls(kind, dims, (output_size,) * dims, return_indices, functional, scalar)

    @property
    def op(self) -> str:
        return f"adaptive_{self.kind}_pool{self.dims}d"

    @property
    def cls(self) -> str:
        return f"Adaptive{self.kind.capitalize()}Pool{self.dims}d"


@dataclass(frozen=True)
class Unfold:
    """``nn.Unfold`` / ``F.unfold`` (im2col): int parameters fill both axes."""

    kernel_size: Ints
    dilation: Ints = (1, 1)
    padding: Ints = (0, 0)
    stride: Ints = (1, 1)
    functional: bool = False

    @classmethod
    def make(
        cls,
        kernel_size: int | Ints,
        dilation: int | Ints = 1,
        padding: int | Ints = 0,
        stride: int | Ints = 1,
        functional: bool = False,
    ) -> Unfold:
        return cls(
            ntuple(kernel_size, 2),
            ntuple(dilation, 2),
            ntuple(padding, 2),
            ntuple(stride, 2),
            functional,
        )

    @property
    def op(self) -> str:
        return "unfold"

    @property
    def dims(self) -> int:
        return 2


@dataclass(frozen=True)
class Fold:
    """``nn.Fold`` / ``F.fold`` (col2im)."""

    output_size: Ints
    kernel_size: Ints
    dilation: Ints = (1, 1)
    padding: Ints = (0, 0)
    stride: Ints = (1, 1)
    functional: bool = False

    @classmethod
    def make(
        cls,
        output_size: int | Ints,
        kernel_size: int | Ints,
        dilation: int | Ints = 1,
        padding: int | Ints = 0,
        stride: int | Ints = 1,
        functional: bool = False,
    ) -> Fold:
        return cls(
            ntuple(output_size, 2),
            ntuple(kernel_size, 2),
            ntuple(dilation, 2),
            ntuple(padding, 2),
            ntuple(stride, 2),
            functional,
        )

    @property
    def op(self) -> str:
        return "fold"

    @property
    def dims(self) -> int:
        return 2


Spec = Conv | ConvCall | Pool | AdaptivePool | Unfold | Fold
