"""The one module that imports torch (lazily): run a spec for real and report what happened.

``run(spec, shape)`` builds the nn module the spec describes (or calls the functional op),
feeds it an uninitialised tensor of ``shape`` and returns an :class:`Outcome`: the output
shape, or the exception type and message torch raised, plus the warnings it issued.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from convshape.core.registry import TorchCall, family_of
from convshape.core.shapes import Shape
from convshape.ops import AnySpec

__all__ = [
    "Outcome",
    "StackOutcome",
    "TorchMissing",
    "available",
    "device_available",
    "num_threads",
    "run",
    "run_stack",
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


@dataclass(frozen=True)
class StackOutcome:
    """A stack run in torch: the output shape of every layer that returned, in order, or
    where torch raised - ``failed`` is the layer's index, ``stage`` ``"build"`` (its
    constructor) or ``"forward"``."""

    shapes: tuple[Shape, ...]
    failed: int | None = None
    stage: str | None = None
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


def run(spec: AnySpec, shape: Shape, device: str = "cpu") -> Outcome:
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


def _call(torch: Any, spec: AnySpec, shape: Shape, device: str) -> Any:
    """Run ``spec`` on an uninitialised tensor: the nn module the user wrote, or the F. call,
    as the spec's family describes it (:class:`~convshape.core.registry.TorchCall`)."""
    x = torch.empty(shape, device=device)
    call = family_of(spec).torch(spec)
    if not call.module:
        tensors = [None if t is None else torch.empty(t, device=device) for t in call.tensors]
        return getattr(torch.nn.functional, call.name)(x, *tensors, *call.args, **call.kwargs)
    module = _on(torch, device, lambda: _built(torch, call))
    return module(x, **call.forward)


def _built(torch: Any, call: TorchCall) -> Any:
    return getattr(torch.nn, call.name)(*call.args, **call.kwargs)


def _on(torch: Any, device: str, build: Callable[[], Any]) -> Any:
    """The module ``build`` makes, with its tensors on ``device``: built there (torch 2.0's
    ``with torch.device``), or, in torch 1.13, built on the CPU and moved."""
    if not hasattr(torch.device, "__enter__"):
        return build().to(device)
    with torch.device(device):
        return build()


def run_stack(
    specs: Sequence[AnySpec], shape: Shape, device: str = "cpu", training: bool = True
) -> StackOutcome:
    """Build ``specs`` as an nn.Sequential on ``device`` (from the parsed values, never from
    text) and run it on an uninitialised float32 tensor of ``shape``; a forward hook on
    every layer records its output shape."""
    torch = _torch()
    shapes: list[Shape] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        modules = []
        for i, spec in enumerate(specs):
            try:
                modules.append(_on(torch, device, functools.partial(_module, torch, spec)))
            except Exception as exc:  # the constructor's error is the result we report
                return StackOutcome((), i, "build", type(exc).__name__, str(exc), _texts(caught))
        model = torch.nn.Sequential(*modules).train(training)

        def hook(_m: Any, _i: Any, out: Any) -> None:
            result = out[0] if isinstance(out, tuple) else out
            shapes.append(tuple(result.shape))

        for module in modules:
            module.register_forward_hook(hook)
        try:
            with torch.no_grad():
                model(torch.empty(tuple(shape), device=device))
        except Exception as exc:  # torch's own error is the result we report
            n = len(shapes)
            return StackOutcome(
                tuple(shapes), n, "forward", type(exc).__name__, str(exc), _texts(caught)
            )
    return StackOutcome(tuple(shapes), warnings=_texts(caught))


def _module(torch: Any, spec: AnySpec) -> Any:
    """The nn module ``spec`` describes (arguments that do not affect shapes at defaults)."""
    call = family_of(spec).torch(spec)
    if not call.module:
        raise TypeError(f"no torch module for {spec!r}")
    return _built(torch, call)


def device_available(device: str) -> bool:
    """Whether torch can put a tensor on ``device`` here (``cpu``, ``meta``, ``cuda``)."""
    torch = _torch()
    if device == "cuda":
        return bool(torch.cuda.is_available())
    return device in ("cpu", "meta")
