"""Command-line flags to a spec: ``calc conv2d --kernel 3 ...`` (the CLI's flag form).

The op may be named as torch's function (``conv2d``, ``max_pool2d``) or class (``Conv2d``,
``MaxPool2d``); with ``--weight`` a conv op is the functional call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, cast

from convshape.core import registry
from convshape.core.errors import UsageError
from convshape.core.shapes import Ints, Shape
from convshape.core.signature import Param, Signature
from convshape.readers.parse import parse_ints

if TYPE_CHECKING:
    from convshape.ops import Spec

__all__ = ["FLAG_KEYS", "layer_from_flags", "ops", "spec_from_args"]

# The layer flags of ``calc`` and ``verify`` (click's parameter names).
FLAG_KEYS = (
    "in_channels",
    "out_channels",
    "kernel",
    "stride",
    "padding",
    "dilation",
    "groups",
    "no_bias",
    "padding_mode",
    "output_padding",
    "ceil_mode",
    "return_indices",
    "no_count_include_pad",
    "divisor_override",
    "norm_type",
)


def spec_from_args(
    layer: str,
    input_text: str,
    options: Mapping[str, object],
    *,
    weight: str | None = None,
    bias: str | None = None,
    output_size: str | None = None,
) -> tuple[Spec, Shape]:
    """The spec and input shape a ``calc``/``verify`` command line describes: pasted code
    (``"nn.Conv2d(16, 32, 3)"``) or an op name with flags; ``options`` maps the flags the
    user gave (FLAG_KEYS) to their text."""
    from convshape.readers.parse import parse_layer, parse_shape

    shape = parse_shape(input_text)
    weight_shape = parse_shape(weight) if weight else None
    bias_shape = parse_shape(bias) if bias else None
    sizes = parse_ints(output_size, "--output-size") if output_size else None
    given = {k: v for k, v in options.items() if v not in (None, False)}
    if "(" in layer:
        if given:
            flag = next(iter(given)).replace("_", "-")
            raise UsageError(
                f"--{flag} cannot be combined with pasted code; put the argument in the code"
            )
        size = (sizes,) if isinstance(sizes, int) else sizes
        spec = parse_layer(layer, weight=weight_shape, bias=bias_shape, output_size=size)
        return spec, shape
    spec = layer_from_flags(
        layer, given, shape, weight=weight_shape, bias=bias_shape, output_size=sizes
    )
    return spec, shape


# The flags that name a parameter differently, and the two that negate one.
_PARAM_OF: Final[Mapping[str, str]] = {
    "kernel": "kernel_size",
    "no_bias": "bias",
    "no_count_include_pad": "count_include_pad",
}
_NEGATED: Final = frozenset({"no_bias", "no_count_include_pad"})
_CLASS = re.compile(r"(?<!^)(?=[A-Z])")


def _op_name(name: str) -> str:
    """``Conv2d`` / ``nn.ConvTranspose2d`` / ``F.max_pool2d`` -> ``conv_transpose2d`` etc."""
    short = name.split(".")[-1]
    snake = _CLASS.sub("_", short).lower().replace("l_p_", "lp_")
    return snake.replace("max_pool_", "max_pool").replace("pool_", "pool")


def ops() -> tuple[str, ...]:
    """Every op the flag form takes: the op names the families register (``conv2d``)."""
    return tuple(registry.fuzz_ops())


# The flag form has always read these as their F. functions, the rest as nn. modules.
_FUNCTION_FORM: Final = ("adaptive_", "unfold", "fold")
# Flag-form defaults for parameters torch requires (LP pooling's norm_type).
_FLAG_DEFAULTS: Final[Mapping[str, object]] = {"norm_type": 2.0}


def _signature(op: str, weight: bool) -> Signature:
    """The spelling a flag-form op stands for: ``nn.Conv2d`` for ``conv2d``, ``F.conv2d``
    when a weight is given, ``F.adaptive_avg_pool2d`` for ``adaptive_avg_pool2d``."""
    sigs = registry.signatures()
    if not weight and not op.startswith(_FUNCTION_FORM):
        for sig in sigs.values():
            if sig.namespace == "nn" and _op_name(sig.short) == op:
                return sig
    return sigs[f"F.{op}"]


def _value(op: str, flag: str, param: Param, text: object) -> object:
    """A flag's text as the parameter's value: ints, tuples of ints, numbers, strings."""
    option = f"--{flag.replace('_', '-')}"
    raw = str(text)
    if param.kind in ("bool", "flag", "opt_bool"):
        return not bool(text) if flag in _NEGATED else bool(text)
    if param.kind == "str":
        return raw
    if param.kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise UsageError(f"{option} must be a number, got {text!r}") from None
    if param.kind in ("int", "opt_int"):
        if not re.fullmatch(r"[+-]?\d+", raw.strip()):
            raise UsageError(f"{option} must be an integer, got {raw.strip()!r}")
        return int(raw.strip())
    if param.kind == "padding" and raw.strip().isalpha():
        return raw
    return parse_ints(raw, option)


def layer_from_flags(
    name: str,
    options: Mapping[str, object],
    shape: Shape,
    *,
    weight: Shape | None = None,
    bias: Shape | None = None,
    output_size: int | Ints | None = None,
) -> Spec:
    """Build the spec ``name`` names from flag values (strings, as typed), binding them to
    the layer's signature as pasted code is bound."""
    op = _op_name(name)
    known = ops()
    if op not in known:
        import difflib

        close = difflib.get_close_matches(op, known, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UsageError(f"unknown op {name!r}{hint}; use one of: {', '.join(known)}")
    sig = _signature(op, weight is not None)
    where = f"F.{op} (--weight)" if weight is not None and sig.functional else op
    takes = {p.name for p in sig.params if p.kind not in ("tensor", "any")}
    values: dict[str, object] = sig.defaults()
    for flag, text in options.items():
        param = sig.param(_PARAM_OF.get(flag, flag))
        if param is None or param.name not in takes or param.name == "output_size":
            raise UsageError(f"--{flag.replace('_', '-')} does not apply to {where}")
        values[param.name] = _value(op, flag, param, text)
    tensors = {p.name for p in sig.params if p.kind == "tensor"}
    if weight is not None and "weight" not in tensors:
        raise UsageError(f"--weight does not apply to {op}")
    if bias is not None and (weight is None or "bias" not in tensors):
        raise UsageError(f"--bias applies to F.{op} only, with --weight")
    if "weight" in tensors:
        values["weight"], values["bias"] = weight, bias
    takes_size = "output_size" in takes or sig.family == "conv_transpose"
    if output_size is not None and not takes_size:
        raise UsageError(f"--output-size does not apply to {op}")
    if output_size is not None:  # a module's forward argument takes a sequence
        single = isinstance(output_size, int) and "output_size" not in takes
        values["output_size"] = (output_size,) if single else output_size
    for key, default in _FLAG_DEFAULTS.items():
        if key in takes and key not in options:
            values[key] = default
    if "in_channels" in takes and "in_channels" not in options:  # from the input's channels
        channel_axis = 1 if len(shape) == sig.dims + 2 else 0
        values["in_channels"] = shape[channel_axis] if len(shape) > channel_axis else None
    for param in sig.params:
        if param.kind in ("tensor", "any") or values.get(param.name) is not None:
            continue
        if param.required or param.name == "in_channels":
            flag = next((f for f, n in _PARAM_OF.items() if n == param.name), param.name)
            hint = " (or --weight for the functional form)" if param.name == "out_channels" else ""
            raise UsageError(f"{op} needs --{flag.replace('_', '-')}{hint}")
    return cast("Spec", sig.build(values))
