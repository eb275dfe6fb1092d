"""im2col / col2im rules: ``nn.Unfold`` / ``F.unfold`` and ``nn.Fold`` / ``F.fold``.

Mirrors torch 2.13 on CPU: ``Im2Col.cpp`` / ``Col2Im.cpp`` (parameter lengths) and
``im2col_shape_check`` / ``col2im_shape_check`` in ``im2col_shape_check.h``. The module
and functional forms are identical (both pass the parameters through ``_pair``).
"""

from __future__ import annotations

from convshape.core import errors as E
from convshape.core.arithmetic import Axis, conv_axis, conv_out
from convshape.core.errors import py_tuple, sizes
from convshape.core.specs import Fold, Ints, Shape, Unfold
from convshape.core.trace import Trace
from convshape.ops.pool import size_at

__all__ = ["infer_fold", "infer_unfold"]

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
        raise E.PAD_EMPTY_INPUT.error(r=3, r1=4, input=sizes(x))
    axes = [
        conv_axis(_HW[i], x[-2 + i], kernel[i], stride[i], padding[i], padding[i], dilation[i])
        for i in range(2)
    ]
    trace.axes.extend(axes)
    blocks = (axes[0].output, axes[1].output)
    if blocks[0] < 1 or blocks[1] < 1:
        raise E.UNFOLD_BLOCKS.error(
            spatial=py_tuple(x[-2:]),
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
