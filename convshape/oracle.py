"""The one module that imports torch (lazily): run a spec for real and report what happened.

``run(spec, shape)`` builds the nn module the spec describes (or calls the functional op),
feeds it an uninitialised tensor of ``shape`` and returns an :class:`Outcome`: the output
shape, or the exception type and message torch raised, plus the warnings it issued.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

from .specs import AdaptivePool, Conv, ConvCall, Fold, Pool, Shape, Spec, Unfold

__all__ = [
    "Outcome",
    "TorchMissing",
    "available",
    "device_available",
    "num_threads",
    "run",
    "torch_version",
]


class TorchMissing(RuntimeError):
    """torch is not installed."""


@dataclass(frozen=True)
class Outcome:
    shape: Shape | None
    exc: str | None = None
    message: str | None = None
    warnings: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.exc is None


def torch_module() -> Any:
    """The torch module, imported on first use: convshape's one import of torch."""
    try:
        import torch
    except ImportError as exc:  # pragma: no cover - exercised without torch
        raise TorchMissing("torch is not installed") from exc
    return torch


_torch = torch_module


def available() -> bool:
    try:
        _torch()
    except TorchMissing:
        return False
    return True


def torch_version() -> str | None:
    import importlib.metadata

    try:
        return importlib.metadata.version("torch")
    except importlib.metadata.PackageNotFoundError:
        return None


def num_threads() -> int:
    return int(_torch().get_num_threads())


def run(spec: Spec, shape: Shape, device: str = "cpu") -> Outcome:
    """Apply ``spec`` to an uninitialised float32 tensor of ``shape`` on ``device``."""
    torch = _torch()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with torch.no_grad():
                out = _call(torch, spec, tuple(shape), device)
        except Exception as exc:  # torch's own error is the result we report
            return Outcome(None, type(exc).__name__, str(exc), _texts(caught))
    result = out[0] if isinstance(out, tuple) else out
    return Outcome(tuple(result.shape), warnings=_texts(caught))


def _texts(caught: list[warnings.WarningMessage]) -> tuple[str, ...]:
    return tuple(str(w.message) for w in caught if issubclass(w.category, UserWarning))


def _call(torch: Any, spec: Spec, shape: Shape, device: str) -> Any:
    nn, F = torch.nn, torch.nn.functional
    x = torch.empty(shape, device=device)
    if isinstance(spec, Conv):
        cls = getattr(nn, spec.cls)
        kwargs: dict[str, Any] = dict(
            stride=spec.stride,
            padding=spec.padding,
            dilation=spec.dilation,
            groups=spec.groups,
            bias=spec.bias,
            padding_mode=spec.padding_mode,
            device=device,
        )
        if spec.transposed:
            kwargs["output_padding"] = spec.output_padding
        module = cls(spec.in_channels, spec.out_channels, spec.kernel_size, **kwargs)
        if spec.transposed and spec.output_size is not None:
            return module(x, output_size=list(spec.output_size))
        return module(x)
    if isinstance(spec, ConvCall):
        w = torch.empty(spec.weight, device=device)
        b = None if spec.bias is None else torch.empty(spec.bias, device=device)
        fn = getattr(F, spec.op)
        if spec.transposed:
            return fn(
                x, w, b, spec.stride, spec.padding, spec.output_padding, spec.groups, spec.dilation
            )
        return fn(x, w, b, spec.stride, spec.padding, spec.dilation, spec.groups)
    if isinstance(spec, Pool):
        return _pool(nn, F, spec, x)
    if isinstance(spec, AdaptivePool):
        size = spec.output_size[0] if spec.scalar else spec.output_size
        if spec.functional:
            fn = getattr(F, spec.op)
            if spec.kind == "max":
                return fn(x, size, return_indices=spec.return_indices)
            return fn(x, size)
        cls = getattr(nn, spec.cls)
        if spec.kind == "max":
            return cls(size, return_indices=spec.return_indices)(x)
        return cls(size)(x)
    if isinstance(spec, Unfold):
        args = (spec.kernel_size, spec.dilation, spec.padding, spec.stride)
        return F.unfold(x, *args) if spec.functional else nn.Unfold(*args)(x)
    if isinstance(spec, Fold):
        args2 = (spec.output_size, spec.kernel_size, spec.dilation, spec.padding, spec.stride)
        return F.fold(x, *args2) if spec.functional else nn.Fold(*args2)(x)
    raise TypeError(f"not a layer spec: {spec!r}")  # pragma: no cover


def _pool(nn: Any, F: Any, spec: Pool, x: Any) -> Any:
    stride = spec.stride if spec.stride else None
    if spec.kind == "max":
        args: tuple[Any, ...] = (spec.kernel_size, stride, spec.padding, spec.dilation)
        kw: dict[str, Any] = dict(ceil_mode=spec.ceil_mode, return_indices=spec.return_indices)
    elif spec.kind == "avg":
        args = (spec.kernel_size, stride, spec.padding)
        kw = dict(ceil_mode=spec.ceil_mode, count_include_pad=spec.count_include_pad)
        if spec.dims > 1:
            kw["divisor_override"] = spec.divisor_override
    else:
        # LPPool1d takes an int kernel_size (lp_pool1d multiplies by it; a tuple is a TypeError).
        kernel: Any = spec.kernel_size
        if spec.dims == 1 and len(kernel) == 1:
            kernel = kernel[0]
        if spec.functional:
            return getattr(F, spec.op)(x, spec.norm_type, kernel, stride, ceil_mode=spec.ceil_mode)
        return getattr(nn, spec.cls)(spec.norm_type, kernel, stride, spec.ceil_mode)(x)
    if spec.functional:
        return getattr(F, spec.op)(x, *args, **kw)
    return getattr(nn, spec.cls)(*args, **kw)(x)


def device_available(device: str) -> bool:
    """Whether torch can put a tensor on ``device`` here (``cpu``, ``meta``, ``cuda``)."""
    torch = _torch()
    if device == "cuda":
        return bool(torch.cuda.is_available())
    return device in ("cpu", "meta")
