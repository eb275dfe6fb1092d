"""im2col / col2im: ``nn.Unfold`` / ``F.unfold`` and ``nn.Fold`` / ``F.fold``.

Mirrors torch 2.13 on CPU: ``Im2Col.cpp`` / ``Col2Im.cpp`` (parameter lengths) and
``im2col_shape_check`` / ``col2im_shape_check`` in ``im2col_shape_check.h``. The module
and functional forms are identical (both pass the parameters through ``_pair``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

from convshape.core import errors as E
from convshape.core.arithmetic import (
    Axis,
    Sweep,
    at,
    conv_axis,
    conv_out,
    grown_area,
    most,
    numel,
)
from convshape.core.code import ints_code, kw
from convshape.core.errors import py_tuple, sizes
from convshape.core.registry import MetaReleases, OpFamily, TorchCall, register
from convshape.core.releases import span
from convshape.core.sampling import input_shape, per_axis
from convshape.core.shapes import Ints, Shape, ntuple
from convshape.core.signature import Param, Signature
from convshape.core.trace import Env, Trace
from convshape.ops.common import size_at

__all__ = ["FAMILY", "Fold", "Unfold", "infer_fold", "infer_unfold"]


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


_HW = ("H", "W")


def _check_lengths(params: tuple[tuple[str, Ints], ...]) -> None:
    for name, values in params:
        if len(values) != 2:
            raise E.FOLD_PARAM_LENGTH.error(name=name, n=len(values))


def _pair_text(prefix: str, values: Ints) -> str:
    """``kernel_height: 3 kernel_width: 0``."""
    return f"{prefix}_height: {values[0]} {prefix}_width: {values[1]}"


def _check_kernel(kernel: Ints) -> None:
    if kernel[0] <= 0 or kernel[1] <= 0:
        raise E.KERNEL_ZERO_SLOW.error(kernel=_pair_text("kernel", kernel))


def _check_stride(stride: Ints) -> None:
    if stride[0] <= 0 or stride[1] <= 0:
        raise E.POOL_STRIDE_NONPOSITIVE.error(stride=_pair_text("stride", stride))


def _check_dilation(dilation: Ints) -> None:
    if dilation[0] <= 0 or dilation[1] <= 0:
        raise E.DILATION_ZERO_THNN.error(dilation=_pair_text("dilation", dilation))


def _check_padding(padding: Ints) -> None:
    if padding[0] < 0 or padding[1] < 0:
        raise E.FOLD_PADDING_NEGATIVE.error(padding=_pair_text("pad", padding))


def infer_unfold(spec: Unfold, shape: Shape, trace: Trace) -> Shape:
    """im2col: ``(N, C, H, W) -> (N, C*kh*kw, bh*bw)``; unbatched ``(C, H, W)`` too."""
    x = tuple(shape)
    kernel, dilation, padding, stride = spec.kernel_size, spec.dilation, spec.padding, spec.stride
    _check_lengths(
        (("kernel_size", kernel), ("dilation", dilation), ("padding", padding), ("stride", stride))
    )
    _check_kernel(kernel)
    _check_dilation(dilation)
    _check_padding(padding)
    _check_stride(stride)
    rank = len(x)
    # torch reads size(1) and size(2) before looking at the rank (short-circuit included).
    valid = size_at(x, 1) != 0 and size_at(x, 2) != 0
    if not ((rank == 3 and x[0] != 0 and valid) or (rank == 4 and valid and x[3] != 0)):
        flat = ",".join(map(str, x))
        raise E.PAD_EMPTY_INPUT.error(r=3, r1=4, input=sizes(x), flat=flat)
    axes = [
        conv_axis(_HW[i], x[-2 + i], kernel[i], stride[i], padding[i], padding[i], dilation[i])
        for i in range(2)
    ]
    trace.axes.extend(axes)
    blocks = (axes[0].output, axes[1].output)
    if blocks[0] < 1 or blocks[1] < 1:
        raise E.UNFOLD_BLOCKS.error(
            spatial=py_tuple(x[-2:]),
            height=x[-2],
            kernel=py_tuple(kernel),
            dilation=py_tuple(dilation),
            padding=py_tuple(padding),
            blocks=py_tuple(blocks),
        )
    trace.notes.append(
        f"each of the {blocks[0] * blocks[1]} blocks flattens {x[-3]} channels x "
        f"{kernel[0]}x{kernel[1]} taps into one column of {x[-3] * kernel[0] * kernel[1]}"
    )
    return (*x[:-3], x[-3] * kernel[0] * kernel[1], blocks[0] * blocks[1])


def infer_fold(spec: Fold, shape: Shape, trace: Trace) -> Shape:
    """col2im: ``(N, C*kh*kw, L) -> (N, C, *output_size)``; unbatched ``(C*kh*kw, L)`` too."""
    x = tuple(shape)
    out_size, kernel = spec.output_size, spec.kernel_size
    dilation, padding, stride = spec.dilation, spec.padding, spec.stride
    _check_lengths(
        (
            ("output_size", out_size),
            ("kernel_size", kernel),
            ("dilation", dilation),
            ("padding", padding),
            ("stride", stride),
        )
    )
    _check_kernel(kernel)
    _check_stride(stride)
    _check_dilation(dilation)
    _check_padding(padding)
    rank = len(x)
    if not ((rank == 2 and x[0] != 0 and x[1] != 0) or (rank == 3 and x[1] != 0 and x[2] != 0)):
        raise E.FOLD_INPUT.error(input=sizes(x))
    channels, length = x[-2], x[-1]
    taps = kernel[0] * kernel[1]
    if channels % taps:
        raise E.FOLD_CHANNELS.error(channels=channels, kernel=py_tuple(kernel))
    bh, bw = (
        conv_out(out_size[i], kernel[i], stride[i], padding[i], dilation[i]) for i in range(2)
    )
    trace.axes.extend(_fold_axis(spec, i, (bh, bw)[i]) for i in range(2))
    if length != bh * bw:
        raise E.FOLD_BLOCKS_MISMATCH.error(
            output_size=py_tuple(out_size),
            kernel=py_tuple(kernel),
            dilation=py_tuple(dilation),
            padding=py_tuple(padding),
            stride=py_tuple(stride),
            bh=bh,
            bw=bw,
            blocks=bh * bw,
            length=length,
        )
    if bh < 1 or bw < 1:
        raise E.FOLD_BLOCKS_NONPOSITIVE.error(
            output_size=py_tuple(out_size),
            kernel=py_tuple(kernel),
            dilation=py_tuple(dilation),
            padding=py_tuple(padding),
            stride=py_tuple(stride),
            blocks=py_tuple((bh, bw)),
        )
    if out_size[0] <= 0 or out_size[1] <= 0:
        raise E.FOLD_OUTPUT_NONPOSITIVE.error(output_size=py_tuple(out_size))
    trace.notes.append(
        f"{channels} = {channels // taps} channels x {kernel[0]}x{kernel[1]} taps; the "
        f"{length} columns are summed back into a {out_size[0]}x{out_size[1]} image"
    )
    return (*x[:-2], channels // taps, out_size[0], out_size[1])


def _fold_axis(spec: Fold, i: int, blocks: int) -> Axis:
    """One output axis of fold: its size and how many sliding blocks it takes."""
    o, k, s = spec.output_size[i], spec.kernel_size[i], spec.stride[i]
    p, d = spec.padding[i], spec.dilation[i]
    formula = f"blocks = ({o} + 2*{p} - {d}*({k}-1) - 1) // {s} + 1 = {blocks}"
    note = f"output_size {o} along {_HW[i]} holds {blocks} sliding blocks"
    return Axis(_HW[i], o, o, k, s, (p, p), d, text=(formula, (note,)))


def infer(spec: Unfold | Fold, shape: Shape, trace: Trace, env: Env) -> Shape:
    E.check_input(shape)
    if isinstance(spec, Unfold):
        return infer_unfold(spec, shape, trace)
    return infer_fold(spec, shape, trace)


# ---------------------------------------------------------------------------------------
# Signatures (torch/nn/modules/fold.py, nn/functional.py)
# ---------------------------------------------------------------------------------------

_UNFOLD = (
    Param("kernel_size", "ints"),
    Param("dilation", "ints", 1),
    Param("padding", "ints", 0),
    Param("stride", "ints", 1),
)
_FOLD = (Param("output_size", "ints"), *_UNFOLD)
_INPUT = Param("input", "tensor")
_IntOrInts = int | Ints


def _builder(fold: bool, functional: bool) -> Callable[[Mapping[str, object]], Unfold | Fold]:
    def build(v: Mapping[str, object]) -> Unfold | Fold:
        common = (
            cast(_IntOrInts, v["kernel_size"]),
            cast(_IntOrInts, v["dilation"]),
            cast(_IntOrInts, v["padding"]),
            cast(_IntOrInts, v["stride"]),
        )
        if not fold:
            return Unfold.make(*common, functional=functional)
        return Fold.make(cast(_IntOrInts, v["output_size"]), *common, functional=functional)

    return build


_UNFOLD_WHAT = "sliding-block extraction (im2col)"
_FOLD_WHAT = "sliding-block combination (col2im)"
_SIGNATURES = (
    Signature("nn.Unfold", _UNFOLD, _builder(False, False), Unfold, "unfold", 2, _UNFOLD_WHAT),
    Signature("nn.Fold", _FOLD, _builder(True, False), Fold, "fold", 2, _FOLD_WHAT),
    Signature(
        "F.unfold", (_INPUT, *_UNFOLD), _builder(False, True), Unfold, "unfold", 2, _UNFOLD_WHAT
    ),
    Signature("F.fold", (_INPUT, *_FOLD), _builder(True, True), Fold, "fold", 2, _FOLD_WHAT),
)


# ---------------------------------------------------------------------------------------
# Back to code, and to torch
# ---------------------------------------------------------------------------------------


def code(spec: Unfold | Fold) -> str:
    args = [] if isinstance(spec, Unfold) else [f"output_size={ints_code(spec.output_size, 2)}"]
    args.append(f"kernel_size={ints_code(spec.kernel_size, 2)}")
    args += kw("dilation", ints_code(spec.dilation, 2), "1")
    args += kw("padding", ints_code(spec.padding, 2), "0")
    args += kw("stride", ints_code(spec.stride, 2), "1")
    if spec.functional:
        return f"F.{spec.op}(x, {', '.join(args)})"
    return f"nn.{type(spec).__name__}({', '.join(args)})"


def torch_call(spec: Unfold | Fold) -> TorchCall:
    args: tuple[object, ...] = (spec.kernel_size, spec.dilation, spec.padding, spec.stride)
    if isinstance(spec, Fold):
        args = (spec.output_size, *args)
    name = spec.op if spec.functional else type(spec).__name__
    return TorchCall(name, args, module=not spec.functional)


# ---------------------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------------------


def _gen_unfold(r: random.Random) -> tuple[Unfold, Shape]:
    spec = Unfold(
        per_axis(r, 2, 1, 4),
        per_axis(r, 2, 1, 2),
        per_axis(r, 2, 0, 2),
        per_axis(r, 2, 1, 3),
        functional=r.random() < 0.4,
    )
    return spec, input_shape(r, 2, r.randint(1, 4))


def _gen_fold(r: random.Random) -> tuple[Fold, Shape]:
    k = per_axis(r, 2, 1, 3)
    spec = Fold(
        per_axis(r, 2, 1, 10),
        k,
        per_axis(r, 2, 1, 2),
        per_axis(r, 2, 0, 2),
        per_axis(r, 2, 1, 3),
        functional=r.random() < 0.4,
    )
    c = r.randint(1, 3)
    prod = 1
    for v in k:
        prod *= max(v, 1)
    length = r.randint(1, 40)
    if r.random() < 0.7 and len(spec.output_size) == 2 and len(k) == 2:
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


# ---------------------------------------------------------------------------------------
# What the CPU call costs (verify runs a smaller twin input above a budget)
# ---------------------------------------------------------------------------------------


def reach(spec: Unfold | Fold, i: int) -> int | None:
    """None for fold: its input length must equal the block count of ``output_size``."""
    if isinstance(spec, Fold):
        return None
    k = at(spec.kernel_size, i) * at(spec.dilation, i)
    return k + 2 * at(spec.padding, i) + at(spec.stride, i) + 1


def work_bound(spec: Unfold | Fold, shape: Shape) -> int:
    n_in = numel(shape)
    if isinstance(spec, Fold):
        return n_in + numel(shape[:-1]) * numel([abs(v) for v in spec.output_size])
    grown = grown_area(shape, 2, 1, 2 * most(spec.padding) + 1)
    if grown is None:
        return n_in
    lead, area = grown
    return n_in + numel(lead) * area * numel([abs(v) for v in spec.kernel_size])


def sweeps(spec: Unfold | Fold, shape: Shape, axes: tuple[Axis, ...]) -> tuple[Sweep, ...] | None:
    """Unfold: the blocks sliding over the (padded) input. Fold: the image of
    ``output_size`` (padded) that each block adds its taps into. From the parameters
    alone: torch's parameter, channel and block checks may stop it before the arithmetic."""
    params = (spec.kernel_size, spec.stride, spec.padding, spec.dilation)
    if isinstance(spec, Fold):
        sizes, kind = spec.output_size, "fold"
    else:
        sizes, kind = tuple(shape[-2:]), "slide"
    if any(len(v) != 2 for v in (*params, sizes)):
        return None
    result = []
    for i in range(2):
        k, s, p, d = (v[i] for v in params)
        blocks = conv_out(sizes[i], k, s, p, d) if s > 0 else 0
        result.append(Sweep(_HW[i], kind, sizes[i], blocks, k, s, (p, p), d))
    return tuple(result)


META = MetaReleases(
    skips={"CS502": span("1.13-")},  # unfold's decomposition accepts negative padding
    # meta's col2im mixes up asymmetric padding (wrong shapes, or narrow() errors)
    unrunnable={"Fold": span("-1.13"), "fold": span("-1.13")},
)
"""What meta does differently from CPU with these layers in some releases (verify)."""


FAMILY = register(
    OpFamily(
        meta=META,
        name="fold",
        rank=3,
        specs=(Unfold, Fold),
        signatures=_SIGNATURES,
        infer=infer,
        code=code,
        torch=torch_call,
        fuzz={"unfold": _gen_unfold, "fold": _gen_fold},
        work_bound=work_bound,
        reach=reach,
        sweeps=sweeps,
    )
)
