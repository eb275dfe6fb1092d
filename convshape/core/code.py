"""Specs back to PyTorch code: for display, fixes and runnable reproductions."""

from __future__ import annotations

from convshape.core.specs import AdaptivePool, Conv, ConvCall, Fold, Ints, Pool, Shape, Spec, Unfold

__all__ = ["layer_code", "repro_script"]


def _ints(values: Ints, dims: int) -> str:
    if len(values) == dims and len(set(values)) == 1:
        return str(values[0])
    return repr(tuple(values))


def _kw(name: str, value: str, default: str | None) -> list[str]:
    return [] if value == default else [f"{name}={value}"]


def layer_code(spec: Spec) -> str:
    """``nn.Conv2d(16, 32, 3, padding=1)`` or ``F.conv2d(x, w, padding=1)`` for a spec."""
    if isinstance(spec, Conv):
        n = spec.dims
        pad = repr(spec.padding) if isinstance(spec.padding, str) else _ints(spec.padding, n)
        args = [str(spec.in_channels), str(spec.out_channels), _ints(spec.kernel_size, n)]
        args += _kw("stride", _ints(spec.stride, n), "1")
        args += _kw("padding", pad, "0")
        if spec.transposed:
            args += _kw("output_padding", _ints(spec.output_padding, n), "0")
        args += _kw("dilation", _ints(spec.dilation, n), "1")
        args += _kw("groups", str(spec.groups), "1")
        args += _kw("bias", str(spec.bias), "True")
        args += _kw("padding_mode", repr(spec.padding_mode), "'zeros'")
        return f"nn.{spec.cls}({', '.join(args)})"
    if isinstance(spec, ConvCall):
        n = spec.dims
        pad = repr(spec.padding) if isinstance(spec.padding, str) else _ints(spec.padding, n)
        args = ["x", "w"] + (["b"] if spec.bias is not None else [])
        args += _kw("stride", _ints(spec.stride, n), "1")
        args += _kw("padding", pad, "0")
        if spec.transposed:
            args += _kw("output_padding", _ints(spec.output_padding, n), "0")
        args += _kw("groups", str(spec.groups), "1")
        args += _kw("dilation", _ints(spec.dilation, n), "1")
        return f"F.{spec.op}({', '.join(args)})"
    if isinstance(spec, Pool):
        n = spec.dims
        args = []
        if spec.kind == "lp":
            args.append(repr(spec.norm_type))
        args.append(_ints(spec.kernel_size, n))
        if spec.stride:
            args.append(f"stride={_ints(spec.stride, n)}")
        if spec.kind != "lp":
            args += _kw("padding", _ints(spec.padding, n), "0")
        if spec.kind == "max":
            args += _kw("dilation", _ints(spec.dilation, n), "1")
            args += _kw("return_indices", str(spec.return_indices), "False")
        args += _kw("ceil_mode", str(spec.ceil_mode), "False")
        if spec.kind == "avg":
            args += _kw("count_include_pad", str(spec.count_include_pad), "True")
            args += _kw("divisor_override", str(spec.divisor_override), "None")
        if spec.functional:
            return f"F.{spec.op}(x, {', '.join(args)})"
        return f"nn.{spec.cls}({', '.join(args)})"
    if isinstance(spec, AdaptivePool):
        one = spec.scalar or (len(spec.output_size) == 1 and spec.output_size[0] is not None)
        size = repr(spec.output_size[0]) if one else repr(spec.output_size)
        extra = ", return_indices=True" if spec.return_indices else ""
        if spec.functional:
            return f"F.{spec.op}(x, {size}{extra})"
        return f"nn.{spec.cls}({size}{extra})"
    if isinstance(spec, Unfold | Fold):
        args = [] if isinstance(spec, Unfold) else [f"output_size={_ints(spec.output_size, 2)}"]
        args.append(f"kernel_size={_ints(spec.kernel_size, 2)}")
        args += _kw("dilation", _ints(spec.dilation, 2), "1")
        args += _kw("padding", _ints(spec.padding, 2), "0")
        args += _kw("stride", _ints(spec.stride, 2), "1")
        if spec.functional:
            return f"F.{spec.op}(x, {', '.join(args)})"
        return f"nn.{type(spec).__name__}({', '.join(args)})"
    raise TypeError(f"not a layer spec: {spec!r}")  # pragma: no cover


def repro_script(spec: Spec, shape: Shape) -> str:
    """A self-contained Python script that runs the layer on torch."""
    lines = [
        "import torch",
        "import torch.nn as nn",
        "import torch.nn.functional as F",
        "",
        f"x = torch.empty({tuple(shape)!r})",
    ]
    if isinstance(spec, ConvCall):
        lines.append(f"w = torch.empty({tuple(spec.weight)!r})")
        if spec.bias is not None:
            lines.append(f"b = torch.empty({tuple(spec.bias)!r})")
        lines.append(f"print({layer_code(spec)}.shape)")
    elif isinstance(spec, Conv) and spec.transposed and spec.output_size is not None:
        sizes = list(spec.output_size)
        lines.append(f"print({layer_code(spec)}(x, output_size={sizes!r}).shape)")
    else:
        call = layer_code(spec)
        expr = call if call.startswith("F.") else f"{call}(x)"
        returns_tuple = getattr(spec, "return_indices", False)
        lines.append(f"print({expr}{'[0]' if returns_tuple else ''}.shape)")
    return "\n".join(lines) + "\n"
