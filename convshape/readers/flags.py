"""Command-line flags to a spec: ``calc conv2d --kernel 3 ...`` (the CLI's flag form).

The op may be named as torch's function (``conv2d``, ``max_pool2d``) or class (``Conv2d``,
``MaxPool2d``); with ``--weight`` a conv op is the functional call.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from convshape.core.errors import UsageError
from convshape.core.specs import AdaptivePool, Conv, ConvCall, Fold, Ints, Pool, Shape, Spec, Unfold
from convshape.readers.parse import parse_ints

__all__ = ["FLAG_KEYS", "OPS", "layer_from_flags", "spec_from_args"]

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
_CONV_MODULE = {
    "in_channels",
    "out_channels",
    "kernel",
    "stride",
    "padding",
    "dilation",
    "groups",
    "no_bias",
    "padding_mode",
}
_CONV_CALL = {"stride", "padding", "dilation", "groups"}
_APPLIES: dict[str, set[str]] = {
    "conv": _CONV_MODULE,
    "conv_transpose": _CONV_MODULE | {"output_padding"},
    "max_pool": {"kernel", "stride", "padding", "dilation", "ceil_mode", "return_indices"},
    "avg_pool": {
        "kernel",
        "stride",
        "padding",
        "ceil_mode",
        "no_count_include_pad",
        "divisor_override",
    },
    "lp_pool": {"kernel", "stride", "ceil_mode", "norm_type"},
    "adaptive_avg_pool": set(),
    "adaptive_max_pool": {"return_indices"},
    "unfold": {"kernel", "dilation", "padding", "stride"},
    "fold": {"kernel", "dilation", "padding", "stride"},
}


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


def _check_applies(op: str, base: str, options: Mapping[str, object], **extra: object) -> None:
    """Every flag given must mean something for ``op``: a flag torch's layer lacks is an error,
    not something to ignore."""
    allowed = _APPLIES[base]
    for key in options:
        if key not in allowed:
            raise UsageError(f"--{key.replace('_', '-')} does not apply to {op}")
    for key, value in extra.items():
        if value is not None:
            raise UsageError(f"--{key.replace('_', '-')} does not apply to {op}")


_OP = re.compile(
    r"^(?P<base>conv|conv_transpose|max_pool|avg_pool|lp_pool|adaptive_avg_pool|"
    r"adaptive_max_pool)(?P<n>[123])d$|^(?P<fold>unfold|fold)$"
)
_CLASS = re.compile(r"(?<!^)(?=[A-Z])")

_BASES = (
    "conv",
    "conv_transpose",
    "max_pool",
    "avg_pool",
    "adaptive_avg_pool",
    "adaptive_max_pool",
    "lp_pool",
)
OPS = (
    *(f"{b}{n}d" for b in _BASES for n in (1, 2, 3) if not (b == "lp_pool" and n == 3)),
    "unfold",
    "fold",
)


def _op_name(name: str) -> str:
    """``Conv2d`` / ``nn.ConvTranspose2d`` / ``F.max_pool2d`` -> ``conv_transpose2d`` etc."""
    short = name.split(".")[-1]
    snake = _CLASS.sub("_", short).lower().replace("l_p_", "lp_")
    return snake.replace("max_pool_", "max_pool").replace("pool_", "pool")


def _ints(options: Mapping[str, object], key: str, default: int | Ints) -> int | Ints:
    value = options.get(key)
    return default if value is None else parse_ints(str(value), f"--{key.replace('_', '-')}")


def _int(options: Mapping[str, object], key: str, default: int | None) -> int | None:
    value = options.get(key)
    if value is None:
        return default
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise UsageError(f"--{key.replace('_', '-')} must be an integer, got {text!r}")
    return int(text)


def _required(value: int | Ints | None, flag: str, op: str) -> int | Ints:
    if value is None:
        raise UsageError(f"{op} needs {flag}")
    return value


def layer_from_flags(
    name: str,
    options: Mapping[str, object],
    shape: Shape,
    *,
    weight: Shape | None = None,
    bias: Shape | None = None,
    output_size: int | Ints | None = None,
) -> Spec:
    """Build the spec ``name`` names from flag values (strings, as typed)."""
    op = _op_name(name)
    match = _OP.match(op)
    if not match:
        import difflib

        close = difflib.get_close_matches(op, OPS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise UsageError(f"unknown op {name!r}{hint}; use one of: {', '.join(OPS)}")
    base = match["fold"] or match["base"]
    conv = base in ("conv", "conv_transpose")
    if conv and weight is not None:  # the functional form: the weight holds the channels
        allowed = _CONV_CALL | ({"output_padding"} if base == "conv_transpose" else set())
        for key in options:
            if key not in allowed:
                raise UsageError(f"--{key.replace('_', '-')} does not apply to F.{op} (--weight)")
    else:
        _check_applies(op, base, options, **({} if conv else {"weight": weight, "bias": bias}))
    if bias is not None and (not conv or weight is None):
        raise UsageError(f"--bias applies to F.{op} only, with --weight")
    takes_size = base in ("conv_transpose", "fold") or base.startswith("adaptive")
    if output_size is not None and not takes_size:
        raise UsageError(f"--output-size does not apply to {op}")
    if match["fold"]:
        kernel = _required(_ints(options, "kernel", ()) or None, "--kernel", op)
        common = dict(
            dilation=_ints(options, "dilation", 1),
            padding=_ints(options, "padding", 0),
            stride=_ints(options, "stride", 1),
            functional=True,
        )
        if op == "unfold":
            return Unfold.make(kernel, **common)  # type: ignore[arg-type]
        size = _required(output_size, "--output-size", op)
        return Fold.make(size, kernel, **common)  # type: ignore[arg-type]
    base, n = match["base"], int(match["n"])
    if base.startswith("adaptive"):
        size = _required(output_size, "--output-size", op)
        kind = "avg" if "avg" in base else "max"
        return AdaptivePool.make(
            kind,  # type: ignore[arg-type]
            n,
            size if isinstance(size, int) else tuple(size),
            return_indices=bool(options.get("return_indices")),
            functional=True,
        )
    if base.endswith("pool"):
        kind = base.split("_")[0]
        norm = options.get("norm_type")
        try:
            norm_type = float(str(norm)) if norm is not None else 2.0
        except ValueError:
            raise UsageError(f"--norm-type must be a number, got {norm!r}") from None
        stride = options.get("stride")
        return Pool.make(
            kind,  # type: ignore[arg-type]
            n,
            _required(_ints(options, "kernel", ()) or None, "--kernel", op),
            None if stride is None else _ints(options, "stride", 1),
            _ints(options, "padding", 0),
            _ints(options, "dilation", 1),
            ceil_mode=bool(options.get("ceil_mode")),
            return_indices=bool(options.get("return_indices")),
            count_include_pad=not options.get("no_count_include_pad"),
            divisor_override=_int(options, "divisor_override", None),
            norm_type=norm_type,
            functional=False,
        )
    transposed = base == "conv_transpose"
    padding_text = options.get("padding")
    padding: int | Ints | str = (
        str(padding_text)
        if padding_text is not None and str(padding_text).strip().isalpha()
        else _ints(options, "padding", 0)
    )
    common2 = dict(
        stride=_ints(options, "stride", 1),
        padding=padding,
        dilation=_ints(options, "dilation", 1),
        groups=_int(options, "groups", 1),
    )
    if transposed:
        common2["output_padding"] = _ints(options, "output_padding", 0)
    if weight is not None:
        return ConvCall.make(n, weight, bias, transposed=transposed, **common2)  # type: ignore[arg-type]
    channel_axis = 1 if len(shape) == n + 2 else 0
    default_in = shape[channel_axis] if len(shape) > channel_axis else None
    in_channels = _int(options, "in_channels", default_in)
    out_channels = _int(options, "out_channels", None)
    if in_channels is None:
        raise UsageError(f"{op} needs --in-channels")
    if out_channels is None:
        raise UsageError(f"{op} needs --out-channels (or --weight for the functional form)")
    return Conv.make(
        n,
        in_channels,
        out_channels,
        _required(_ints(options, "kernel", ()) or None, "--kernel", op),
        bias=not options.get("no_bias"),
        padding_mode=str(options.get("padding_mode") or "zeros"),
        transposed=transposed,
        output_size=None
        if output_size is None
        else tuple((output_size,) if isinstance(output_size, int) else output_size),
        **common2,  # type: ignore[arg-type]
    )
