"""What layers and tensor operations do to abstract tensors, and the findings they raise.

Three kinds of rules, all reporting codes of the one taxonomy in :mod:`convshape.errors`:

* argument rules, when a layer is built: the engine runs the layer on a generous
  synthetic input and only errors that the layer's own arguments decide are kept
  (zero or negative stride, negative padding, ``padding='same'`` with a stride, an
  ``output_padding`` not below stride or dilation, pooling padding over half the kernel,
  a ``padding_mode`` the layer refuses, groups not dividing the channels ...);
* shape rules, when forward applies a layer: with the whole input shape known (an input
  was declared) the engine and the op families (through the registry) say exactly what
  torch does; with only part of it known (no input declared), channel and feature counts
  between consecutive layers are compared;
* the stride warning: rows or columns at the end of the input that no window reaches.

Every value that is not known keeps its rule silent.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final, cast

from convshape.core import errors as E
from convshape.core import registry
from convshape.core.registry import LAYERS, family_of
from convshape.core.signature import bind, fits, is_int, is_number
from convshape.core.trace import Env
from convshape.features.lint import numeric, probe
from convshape.features.lint.values import (
    UNKNOWN,
    DimRef,
    Joined,
    LayerVal,
    ListVal,
    Site,
    Tensor,
)
from convshape.ops import AdaptivePool, Conv, Fold, Pool, Spec, Unfold

if TYPE_CHECKING:
    from convshape.core.signature import Signature
    from convshape.features.lint.extract import Interp
    from convshape.ops import LayerSpec

__all__ = [
    "ARGUMENT_CODES",
    "apply_layer",
    "call_function",
    "known_layer",
    "make_layer",
    "parameter_names",
    "tensor_attr",
    "tensor_binop",
    "tensor_getitem",
    "tensor_method",
]

# ---------------------------------------------------------------------------------------
# Signatures
# ---------------------------------------------------------------------------------------


def _signature(name: str) -> Signature | None:
    """torch's signature of a layer convshape knows (any family), or None."""
    return registry.signature(name)


def parameter_names(name: str) -> list[str]:
    """torch's parameters of layer ``name`` in order (``in_channels``, ...), or []."""
    sig = _signature(name)
    return [] if sig is None else [p.name for p in sig.params]


def known_layer(name: str) -> bool:
    """Whether ``name`` (``nn.Conv2d``) is a torch layer whose arguments convshape binds."""
    return name.startswith("nn.") and _signature(name) is not None


def _windowed(name: str) -> bool:
    """Whether ``name`` is a layer of the convolution family (a sliding window)."""
    return name in registry.signatures(registry.CONV)


def _bind(
    sig: Signature, args: list[Any] | None, kwargs: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Arguments to torch's parameter names, by the one binder, then the defaults; every one
    UNKNOWN when the call unpacks something unknown; None when the call does not fit the
    signature (a TypeError in torch, not a shape error)."""
    if args is None or kwargs is None:
        return {p.name: UNKNOWN for p in sig.params}
    try:
        bound = bind(sig, args, list(kwargs.items()), lambda _value: "")
    except E.UsageError:
        return None
    values: dict[str, Any] = sig.defaults()
    values.update(bound)
    return values


def _known(value: object) -> bool:
    if value is UNKNOWN or isinstance(value, (DimRef, Tensor)):
        return False
    if isinstance(value, tuple):
        return all(_known(v) for v in value)
    return value is None or isinstance(value, (bool, int, float, str))


# ---------------------------------------------------------------------------------------
# Building layers
# ---------------------------------------------------------------------------------------


def make_layer(
    interp: Interp, name: str, args: list[Any] | None, kwargs: dict[str, Any] | None, node: ast.Call
) -> Any:
    """``nn.X(...)``: a :class:`LayerVal` with its arguments bound; argument rules run."""
    if name == "nn.MultiheadAttention":
        return LayerVal(None, name, _bind_attention(args, kwargs), node, interp.src)
    sig = _signature(name)
    if sig is None:
        interp.forget(args, kwargs)
        return LayerVal(None, name, None, node, interp.src)
    params = _bind(sig, args, kwargs)
    if params is None:
        return LayerVal(None, name, None, node, interp.src)
    layer = LayerVal(None, name, params, node, interp.src)
    layer.chain = interp.chain
    interp.made += 1
    layer.serial = interp.made
    if interp.edit is not None:
        interp.edit.layer(layer)
    _check_arguments(interp, layer)
    return layer


ATTENTION_PARAMS: Final = (
    ("embed_dim", UNKNOWN),
    ("num_heads", UNKNOWN),
    ("dropout", 0.0),
    ("bias", True),
    ("add_bias_kv", False),
    ("add_zero_attn", False),
    ("kdim", None),
    ("vdim", None),
    ("batch_first", False),
)


def _bind_attention(args: list[Any] | None, kwargs: dict[str, Any] | None) -> Any:
    """``nn.MultiheadAttention``'s arguments by name (torch's order), or None."""
    names = [n for n, _ in ATTENTION_PARAMS]
    if args is None or kwargs is None or len(args) > len(names):
        return None
    bound = dict(ATTENTION_PARAMS)
    bound.update(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key in bound:
            bound[key] = value
        elif key not in ("device", "dtype"):
            return None
    return bound


def _attention(layer: LayerVal, args: list[Any] | None, kwargs: dict[str, Any] | None) -> Any:
    """``attention(query, key, value, ...)``: (output shaped as the query, the weights)."""
    query = args[0] if args else (kwargs or {}).get("query", UNKNOWN)
    embed = (layer.params or {}).get("embed_dim")
    shaped = isinstance(query, Tensor) and query.exact and len(query.dims) in (2, 3)
    if shaped and is_int(embed) and query.dims[-1] in (None, embed):
        return (Tensor((*query.dims[:-1], embed), True, _label(layer)), UNKNOWN)
    return (Tensor.unknown(), UNKNOWN)


def _conv_spec(name: str, values: Mapping[str, Any]) -> Spec | None:
    """A conv-family spec from known values, built by the layer's own signature (None when
    a value does not fit torch's signature, which is a TypeError in torch and not this
    tool's business, or when the call takes tensors whose shapes are not known here)."""
    layer = registry.signatures(registry.CONV)[name]
    for p in layer.params:
        if p.kind == "tensor" and p.name != "input":
            return None
        if p.name in values and not fits(p.kind, values[p.name]):
            return None
    v = layer.defaults()
    v.update(values)
    try:
        return cast(Spec, layer.build(v))
    except (KeyError, TypeError, ValueError, OverflowError):
        return None


def _layer_spec(name: str, values: Mapping[str, Any]) -> LayerSpec | None:
    """A module's spec from known values, built by its signature (None where a value does
    not fit)."""
    row = _signature(name)
    if row is None:
        return None
    for a in row.params:
        if a.name in values and not fits(a.kind, values[a.name]):
            return None
    try:
        spec: LayerSpec = row.build(values)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    return spec


def _plain(value: object) -> bool:
    if value is None or value is UNKNOWN or isinstance(value, (bool, int, float, str)):
        return True
    return isinstance(value, tuple) and all(_plain(v) for v in value)


def _tagged(value: object) -> object:
    """A plain value with its types spelt out (``True`` and ``1`` compare equal)."""
    if isinstance(value, tuple):
        return tuple(_tagged(v) for v in value)
    return (type(value), value)


def params_key(name: str, params: Mapping[str, Any]) -> object:
    """A cache key for a layer's arguments, or None when one is not a plain value."""
    key: list[object] = [name]
    for v in params.values():
        if v is None or v is UNKNOWN or type(v) in (int, str, float):
            key.append(v)
        elif type(v) is bool or (isinstance(v, tuple) and _plain(v)):
            key.append(_tagged(v))
        else:
            return None
    return tuple(key)


def layer_key(layer: LayerVal) -> object:
    """:func:`params_key` of a layer, worked out once."""
    return _layer_key(layer)


def _layer_key(layer: LayerVal) -> object:
    if "key" not in layer.cache:
        layer.cache["key"] = None if layer.params is None else params_key(layer.name, layer.params)
    return layer.cache["key"]


def _all_known(layer: LayerVal) -> bool:
    if "known" not in layer.cache:
        params = layer.params
        layer.cache["known"] = params is not None and all(_known(v) for v in params.values())
    known: bool = layer.cache["known"]
    return known


_CACHE_LIMIT: Final = 50_000
_SPECS: dict[object, Any] = {}  # params key -> spec or None
_ARGUMENT_ERRORS: dict[object, Any] = {}  # params key -> (ShapeError, spec) or None
_RESULTS: dict[object, Any] = {}  # (spec, shape) -> engine / layers result


def _remember(cache: dict[object, Any], key: object, value: Any) -> Any:
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = value
    return value


def spec_of(layer: LayerVal) -> Spec | LayerSpec | None:
    """The layer's spec when every argument is known, else None."""
    if "spec" in layer.cache:
        cached: Spec | LayerSpec | None = layer.cache["spec"]
        return cached
    spec: Spec | LayerSpec | None = None
    params = layer.params
    if params is not None and _all_known(layer):
        key = _layer_key(layer)
        if key is not None and key in _SPECS:
            spec = _SPECS[key]
        else:
            if _windowed(layer.name):
                spec = _conv_spec(layer.name, params)
            else:
                spec = _layer_spec(layer.name, params)
            if key is not None:
                _remember(_SPECS, key, spec)
    layer.cache["spec"] = spec
    return spec


# Errors that a layer's own arguments decide, with the arguments each depends on.
_WINDOW: Final = frozenset({"kernel_size", "stride", "padding", "dilation"})
ARGUMENT_CODES: Final[Mapping[str, frozenset[str]]] = {
    **{
        k.code: frozenset(deps)
        for k, deps in (
            (E.GROUPS_NONPOSITIVE, {"groups"}),
            (E.GROUPS_POSITIVE, {"groups"}),
            (E.IN_CHANNELS_GROUPS, {"in_channels", "groups"}),
            (E.OUT_CHANNELS_GROUPS, {"out_channels", "groups"}),
            (E.PARAM_LENGTH, _WINDOW | {"output_padding"}),
            (E.NEGATIVE_PADDING, {"padding"}),
            (E.NEGATIVE_OUTPUT_PADDING, {"output_padding"}),
            (E.NONPOSITIVE_STRIDE, {"stride"}),
            (E.NEGATIVE_DILATION, {"dilation"}),
            (E.DILATION_ZERO_MKLDNN, {"dilation"}),
            (E.DILATION_ZERO_THNN, {"dilation"}),
            (E.DILATION_ZERO_THNN_TRANSPOSE, {"dilation"}),
            (E.KERNEL_ZERO_SLOW, {"kernel_size"}),
            (E.KERNEL_ZERO_SLOW_3D, {"kernel_size"}),
            (E.SAME_STRIDED, {"padding", "stride"}),
            (E.MODULE_SAME_STRIDED, {"padding", "stride"}),
            (E.PADDING_STRING, {"padding"}),
            (E.MODULE_PADDING_STRING, {"padding"}),
            (E.OUTPUT_PADDING_TOO_BIG, {"output_padding", "stride", "dilation"}),
            (E.TRANSPOSE_PADDING_MODE, {"padding_mode"}),
            (E.MODULE_PADDING_MODE, {"padding_mode"}),
            (E.TRANSPOSE_PADDING_STRING, {"padding"}),
            (E.NEGATIVE_DIMENSION, {"in_channels", "out_channels", "groups", "kernel_size"}),
            (E.DIVISOR_ZERO, {"divisor_override"}),
            (E.ADAPTIVE_NONE_FIRST, {"output_size"}),
            (E.ADAPTIVE_NONE_LATER, {"output_size"}),
            (E.ADAPTIVE_AVG_OUTPUT_LENGTH, {"output_size"}),
            (E.ADAPTIVE_AVG_OUTPUT_NEGATIVE, {"output_size"}),
            (E.ADAPTIVE_MAX_OUTPUT_LENGTH, {"output_size"}),
        )
    },
    **{
        code: _WINDOW
        for code in (
            *(f"CS{n}" for n in range(302, 311)),
            *(f"CS{n}" for n in range(313, 321)),
            "CS324",
            "CS325",
            "CS326",
            "CS327",
            "CS331",
            "CS332",
        )
    },
}

# Neutral stand-ins for unknown arguments: they never cause an error themselves.
_NEUTRAL: Final[Mapping[str, object]] = {
    "kernel_size": 1,
    "stride": 1,
    "padding": 0,
    "dilation": 1,
    "output_padding": 0,
    "groups": 1,
    "padding_mode": "zeros",
    "bias": True,
    "ceil_mode": False,
    "return_indices": False,
    "count_include_pad": True,
    "divisor_override": None,
    "norm_type": 2.0,
}


def _check_arguments(interp: Interp, layer: LayerVal) -> None:
    """Argument rules: errors torch raises for these arguments whatever the input."""
    found = _argument_fault(layer)
    site = layer.site if found is not None else None
    if found is not None and site is not None:
        err, spec = found
        _report_error(interp, site, site.text, err, None, spec, None, layer)


def _argument_fault(layer: LayerVal) -> tuple[E.ShapeError, Any] | None:
    """The error torch raises for ``layer``'s arguments whatever the input (cached)."""
    params = layer.params
    if params is None:
        return None
    key = _layer_key(layer)
    if key is not None and key in _ARGUMENT_ERRORS:
        found: tuple[E.ShapeError, Any] | None = _ARGUMENT_ERRORS[key]
        return found
    found = _argument_error(layer.name, params)
    if key is not None:
        _remember(_ARGUMENT_ERRORS, key, found)
    return found


def _argument_error(name: str, params: Mapping[str, Any]) -> tuple[E.ShapeError, Any] | None:
    if not _windowed(name):
        spec = _layer_spec(name, params) if all(_known(v) for v in params.values()) else None
        if spec is None:
            return None
        err = family_of(spec).construct_error(spec)
        return None if err is None else (err, spec)
    family = registry.signatures()[name].family
    if family in ("unfold", "fold"):
        return None
    unknown = {n for n, v in params.items() if not _known(v)}
    values = dict(params)
    for n in unknown:
        values[n] = _NEUTRAL.get(n, UNKNOWN)
    if family in ("conv", "conv_transpose"):
        groups = values.get("groups")
        fill = groups if is_int(groups) and groups > 0 else 1
        for n in ("in_channels", "out_channels"):
            if n in unknown:
                values[n] = fill
    if family in ("adaptive_avg", "adaptive_max") and "output_size" in unknown:
        return None
    if any(v is UNKNOWN for v in values.values()):
        return None
    window = _conv_spec(name, values)
    if window is None:
        return None
    channels = window.in_channels if isinstance(window, Conv) else 2
    shape = (2, max(channels, 0), *([_generous(window)] * window.dims))
    from convshape.core.engine import infer_spec

    err = infer_spec(window, shape).error
    if err is not None and err.code not in ARGUMENT_CODES:
        # the backend torch picks depends on the input: with a batch of 2 a zero kernel is
        # a oneDNN error (CS121), with a batch of 1 torch's own check (CS122) says it
        small = (1, max(channels, 0), *([8] * window.dims))
        err = infer_spec(window, small).error or err
    if err is None:
        return None
    deps = ARGUMENT_CODES.get(err.code)
    if deps is None or deps & unknown:
        return None
    return err, window


def _generous(spec: Spec) -> int:
    """An input size no window of ``spec`` is too big for (no tensor is ever allocated)."""
    numbers: list[int] = [8]
    for name in ("kernel_size", "stride", "padding", "dilation", "output_padding"):
        value = getattr(spec, name, ())
        if isinstance(value, tuple):
            numbers += [abs(v) for v in value if isinstance(v, int)]
    top = max(numbers)
    if top > 1 << 20:
        top = 1 << 20
    return 4 * top * top + 64


# ---------------------------------------------------------------------------------------
# Applying layers
# ---------------------------------------------------------------------------------------

_SAME_SHAPE: Final = frozenset(
    {
        "Identity",
        "ReLU",
        "ReLU6",
        "LeakyReLU",
        "GELU",
        "SiLU",
        "Mish",
        "Sigmoid",
        "Tanh",
        "Hardswish",
        "Hardsigmoid",
        "Hardtanh",
        "ELU",
        "SELU",
        "CELU",
        "Softplus",
        "Softsign",
        "Tanhshrink",
        "LogSigmoid",
        "Threshold",
        "Hardshrink",
        "Softshrink",
        "RReLU",
        "Dropout",
        "Dropout1d",
        "Dropout2d",
        "Dropout3d",
        "AlphaDropout",
        "FeatureAlphaDropout",
        "Softmax",
        "LogSoftmax",
        "Softmin",
        "Softmax2d",
        "PReLU",
        "InstanceNorm1d",
        "InstanceNorm2d",
        "InstanceNorm3d",
    }
)


def _label(layer: LayerVal) -> object:
    return layer  # str(layer) is its label, made only when a message needs it


def _tensor_arg(args: list[Any] | None, kwargs: dict[str, Any] | None) -> Any:
    """The input of ``layer(x)``: whatever x is, the layer's output is a tensor."""
    if args is None or kwargs is None or len(args) != 1:
        return UNKNOWN
    x = args[0]
    return x if isinstance(x, Tensor) else Tensor.unknown()


def apply_layer(
    interp: Interp, layer: LayerVal, args: list[Any] | None, kwargs: dict[str, Any] | None
) -> Any:
    """``layer(x)`` in forward: the shape rules, and the output tensor."""
    x = _tensor_arg(args, kwargs)
    if layer.params is None:
        return UNKNOWN
    if layer.name == "nn.MultiheadAttention":
        return _attention(layer, args, kwargs)
    short = layer.name.rpartition(".")[2]
    if _windowed(layer.name):
        if short.startswith("ConvTranspose") and kwargs:
            return UNKNOWN  # forward(x, output_size=...)
        return _apply_window(interp, layer, x)
    if not isinstance(x, Tensor):
        return UNKNOWN
    spec = spec_of(layer)
    shape = x.shape
    if spec is not None and shape is not None and family_of(spec).group == LAYERS:
        return _exact_layer(interp, layer, cast("LayerSpec", spec), x, shape)
    return _partial_layer(interp, layer, short, x)


def _exact_layer(
    interp: Interp, layer: LayerVal, spec: LayerSpec, x: Tensor, shape: tuple[int, ...]
) -> Any:
    from convshape.core.engine import infer_spec

    key = (spec, shape)
    result = _RESULTS.get(key)
    if result is None:
        try:
            result = infer_spec(spec, shape, Env(training=False))
        except Exception:  # a rule the layers module does not cover: stay silent
            return UNKNOWN
        _remember(_RESULTS, key, result)
    if result.error is not None:
        err = result.error
        assert isinstance(err, E.ShapeError)
        if layer.site is not None:
            _report_error(interp, layer.site, layer.site.text, err, shape, spec, x, layer)
        return UNKNOWN
    if result.output is None:
        return UNKNOWN
    if result.output == shape and x.origin:
        return Tensor(result.output, True, x.origin)  # norms, activations: keep the producer
    return Tensor(result.output, True, _label(layer))


def _partial_layer(interp: Interp, layer: LayerVal, short: str, x: Tensor) -> Any:
    p = layer.params or {}
    if short in _SAME_SHAPE:
        return x
    if short == "Linear":
        features = x.at(-1)
        n_in, n_out = p.get("in_features"), p.get("out_features")
        if is_int(n_in) and features is not None and features != n_in:
            site = _site(layer)
            interp.report_layer(
                layer,
                ("in_features",),
                site,
                E.LINEAR_MISMATCH.code,
                f"{site.text} expects {n_in} input features, but {_from(x)} gives {features}: "
                f"in_features should be {features}",
                fixes=(f"use in_features={features}",),
                value=features,
                given=x.origin,
            )
            return UNKNOWN
        out = n_out if is_int(n_out) else None
        return _with_last(x, out, _label(layer))
    if short.startswith("BatchNorm"):
        dims = int(short[9])
        # dim 1; an unbatched BatchNorm2d/3d input fails anyway, a 1-d one is ambiguous
        channels = x.at(1) if x.exact else _channels(x, dims) if dims > 1 else None
        n = p.get("num_features")
        tracked = p.get("track_running_stats") is True
        if is_int(n) and channels is not None and channels != n and tracked:
            site = _site(layer)
            interp.report_layer(
                layer,
                ("num_features",),
                site,
                E.BATCHNORM_FEATURES.code,
                f"{site.text} normalises {n} channels, but {_from(x)} gives {channels} "
                f"(torch: {E.BATCHNORM_FEATURES.error(got=channels, expected=n).message})",
                fixes=(f"use num_features={channels}",),
                value=channels,
                given=x.origin,
            )
            return UNKNOWN
        return x
    if short == "GroupNorm":
        channels = x.at(1) if x.exact else None
        n = p.get("num_channels")
        if is_int(n) and channels is not None and channels != n and p.get("affine") is True:
            site = _site(layer)
            interp.report_layer(
                layer,
                ("num_channels",),
                site,
                E.GROUPNORM_CHANNELS.code,
                f"{site.text} normalises {n} channels, but {_from(x)} gives {channels}",
                fixes=(f"use num_channels={channels}",),
                value=channels,
                given=x.origin,
            )
            return UNKNOWN
        return x
    if short == "LayerNorm":
        norm = p.get("normalized_shape")
        norm_t = (norm,) if is_int(norm) else norm
        if isinstance(norm_t, tuple) and norm_t and all(is_int(v) for v in norm_t):
            tail = [x.at(-len(norm_t) + i) for i in range(len(norm_t))]
            if all(t is not None for t in tail) and tuple(tail) != norm_t:
                site = _site(layer)
                interp.report_layer(
                    layer,
                    ("normalized_shape",),
                    site,
                    E.LAYERNORM_SHAPE.code,
                    f"{site.text} normalises the last dimensions {norm_t}, but {_from(x)} "
                    f"gives {tuple(tail)}",
                )
                return UNKNOWN
        return x
    if short == "Flatten":
        return _flatten(x, p.get("start_dim"), p.get("end_dim"), _label(layer))
    if short == "Unflatten":
        return _unflatten(x, p.get("dim"), p.get("unflattened_size"), _label(layer))
    if short == "PixelShuffle" or short == "PixelUnshuffle":
        r = p.get("upscale_factor", p.get("downscale_factor"))
        c = _channels(x, 2)
        shuffle = short == "PixelShuffle" and x.exact
        if shuffle and is_int(r) and r > 0 and c is not None and c % (r * r):
            site = _site(layer)
            err = E.PIXEL_SHUFFLE_CHANNELS.error(channels=c, square=r * r)
            interp.ctx.report(
                site, err.code, f"{site.text} gets {c} channels from {_from(x)}: {err}"
            )
            return UNKNOWN
        return _spatial(x, 2, None, None, _label(layer))
    if short in ("Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"):
        return _upsample(x, p.get("size"), p.get("scale_factor"), _label(layer))
    return UNKNOWN


def _site(layer: LayerVal) -> Site:
    site = layer.site
    assert site is not None  # layers are built from calls, which have one
    return site


def _channels(x: Tensor, dims: int) -> int | None:
    """The channel count of a conv-family input: dim 1 of a batched tensor, which is
    dim -(dims+1) of an unbatched one too."""
    if x.exact:
        return x.at(-(dims + 1)) if len(x.dims) >= dims + 1 else None
    return x.at(-(dims + 1))


def _from(x: Tensor) -> str:
    return str(x.origin) or "the input"


def _with_last(x: Tensor, last: int | None, origin: object) -> Tensor:
    if x.exact and x.dims:
        return Tensor((*x.dims[:-1], last), True, origin)
    if not x.exact and not x.dims:
        return Tensor((last,), False, origin)
    return Tensor((last,), False, origin)


def _flatten(x: Tensor, start: Any, end: Any, origin: object) -> Any:
    if not (is_int(start) and is_int(end)):
        return UNKNOWN
    if not x.exact:
        return Tensor.unknown()
    rank = len(x.dims)
    n = max(rank, 1)
    if not (-n <= start < n and -n <= end < n):
        return UNKNOWN
    s, e = start % n, end % n
    if rank == 0 or s > e:
        return UNKNOWN
    part = x.dims[s : e + 1]
    size = math.prod(d for d in part if d is not None) if None not in part else None
    detail = ""
    if size is not None and len(part) > 1:
        detail = f" ({'x'.join(str(d) for d in part)})"
    return Tensor((*x.dims[:s], size, *x.dims[e + 1 :]), True, _Detail(origin, detail))


def _unflatten(x: Tensor, dim: Any, sizes: Any, origin: object) -> Any:
    if not (x.exact and is_int(dim) and isinstance(sizes, tuple)):
        return Tensor.unknown()
    if not all(is_int(s) and s >= 0 for s in sizes):
        return Tensor.unknown()
    n = len(x.dims)
    if not -n <= dim < n:
        return UNKNOWN
    d = dim % n
    return Tensor((*x.dims[:d], *sizes, *x.dims[d + 1 :]), True, origin)


def _spatial(
    x: Tensor, dims: int, channels: int | None, sizes: list[int | None] | None, origin: object
) -> Tensor:
    """A conv-family output: the input's leading sizes, ``channels`` (None: unknown) and
    the spatial ``sizes`` (None: all unknown). An input nothing is known about is taken
    as batched (N, C, ...), as models are used."""
    spatial: tuple[int | None, ...] = tuple(sizes) if sizes is not None else (None,) * dims
    if x.exact:
        if len(x.dims) < dims + 1:
            return Tensor.unknown()
        lead = x.dims[: -(dims + 1)]
        return Tensor((*lead, channels, *spatial), True, origin)
    if not x.dims:
        return Tensor((None, channels, *spatial), True, origin)
    return Tensor((channels, *spatial), False, origin)


def _upsample(x: Tensor, size: Any, scale: Any, origin: object) -> Any:
    if not x.exact or len(x.dims) < 3:
        return Tensor.unknown()
    dims = len(x.dims) - 2
    out: list[int | None]
    if size is not None and _known(size):
        out = list(size) if isinstance(size, tuple) else [size] * dims
        if len(out) != dims or not all(is_int(v) for v in out):
            return UNKNOWN
    elif scale is not None and _known(scale):
        scales = list(scale) if isinstance(scale, tuple) else [scale] * dims
        if len(scales) != dims or not all(is_number(s) for s in scales):
            return UNKNOWN
        out = [None if d is None else int(d * s) for d, s in zip(x.dims[2:], scales, strict=True)]
    else:
        out = [None] * dims
    return Tensor((*x.dims[:2], *out), True, origin)


def _apply_window(interp: Interp, layer: LayerVal, x: Any) -> Any:
    """A conv-family module (conv, transposed conv, pooling, adaptive pooling, fold)."""
    if not isinstance(x, Tensor):
        return UNKNOWN
    spec = spec_of(layer)
    shape = x.shape
    if shape is not None and isinstance(spec, (Conv, Pool, AdaptivePool, Unfold, Fold)):
        return _exact_window(interp, layer, spec, x, shape)
    return _partial_window(interp, layer, x)


def _exact_window(
    interp: Interp, layer: LayerVal, spec: Spec, x: Tensor, shape: tuple[int, ...]
) -> Any:
    from convshape.core.engine import infer_spec

    key = (spec, shape)
    cached = _RESULTS.get(key)
    if cached is None:
        result = infer_spec(spec, shape)
        dropped = _dropped(spec, shape, result.output) if result.output is not None else []
        cached = _remember(_RESULTS, key, (result, dropped))
    result, dropped = cached
    if result.error is not None or dropped:
        site = layer.site
        if site is None:
            return UNKNOWN
        if result.error is not None:
            _report_error(interp, site, site.text, result.error, shape, spec, x, layer)
            return UNKNOWN
        for values in dropped if not interp.assumed else ():  # not for a guessed size
            message = E.LINT_ROWS_DROPPED.template.format(layer=site.text, **values)
            interp.ctx.report(
                site, E.LINT_ROWS_DROPPED.code, message, severity="warning", exact=True
            )
    assert result.output is not None
    if isinstance(spec, (Pool, AdaptivePool)):
        return Tensor(result.output, True, Joined(layer, (x.origin,)))  # as wide as x
    return Tensor(result.output, True, layer)


def _partial_window(interp: Interp, where: LayerVal, x: Tensor) -> Any:
    name, p, origin = where.name, where.params or {}, _label(where)
    from convshape.readers.parse import LAYERS

    layer = LAYERS[name]
    family, dims = layer.family, layer.dims
    if family in ("unfold", "fold"):
        return Tensor.unknown()
    if family not in ("conv", "conv_transpose"):
        origin = Joined(origin, (x.origin,))  # a pooling: as wide as its input
    if x.exact and len(x.dims) not in (dims + 1, dims + 2):
        return UNKNOWN
    channels = _channels(x, dims)
    out_channels = channels
    if family in ("conv", "conv_transpose"):
        n_in, n_out, groups = p.get("in_channels"), p.get("out_channels"), p.get("groups")
        if is_int(n_in) and channels is not None and channels != n_in:
            site = _site(where)
            code = (
                E.TRANSPOSED_CHANNEL_MISMATCH if family == "conv_transpose" else E.CHANNEL_MISMATCH
            )
            fix = f"use in_channels={channels}"
            value: int | None = channels
            if is_int(groups) and groups > 0 and channels % groups:
                fix, value = f"give it {n_in} channels", None
            interp.report_layer(
                where,
                ("in_channels",),
                site,
                code.code,
                f"{site.text} expects {n_in} input channels, but {_from(x)} gives {channels}",
                fixes=(fix,),
                value=value,
                given=x.origin,
                received=channels,
            )
            return UNKNOWN
        out_channels = n_out if is_int(n_out) else None
    spatial_in = [x.at(i - dims) if (x.exact or len(x.dims) >= dims) else None for i in range(dims)]
    computed = probe.window_out(family, p, dims, spatial_in)
    if computed is None:
        return UNKNOWN
    sizes = [s if s is not None and s > 0 else None for s in computed]
    out = _spatial(x, dims, out_channels, sizes, origin)
    if x.probe is not None and _argument_fault(where) is None:
        out = replace(out, probe=probe.through(x.probe, where, family, dims))
    return out


def _dropped(spec: Spec, shape: tuple[int, ...], out: tuple[int, ...]) -> list[dict[str, object]]:
    """Axes where a window with stride never reaches the last rows/columns of the input,
    though windows otherwise cover it (stride <= kernel span: gaps are not by design);
    the values of the CS901 message for each."""
    from convshape.core.arithmetic import axis_names, effective_kernel

    if isinstance(spec, Conv) and not spec.transposed and not isinstance(spec.padding, str):
        pads = spec.padding
        stride, kernel, dilation = spec.stride, spec.kernel_size, spec.dilation
    elif isinstance(spec, Pool) and not spec.ceil_mode:
        kernel, stride, pads, dilation = spec.window_args
    else:
        return []
    dims = spec.dims
    axes = [_one(v, dims) for v in (pads, stride, kernel, dilation)]
    if any(a is None for a in axes):
        return []
    pads_, stride_, kernel_, dilation_ = (a or [] for a in axes)
    names = axis_names(dims)
    spatial = shape[-dims:]
    outs = out[-dims:]
    found: list[dict[str, object]] = []
    for i in range(dims):
        size, p, s, k, d = spatial[i], pads_[i], stride_[i], kernel_[i], dilation_[i]
        span = effective_kernel(k, d)
        if s <= 1 or s > span:
            continue
        dropped = (size + 2 * p - span) % s - p
        if dropped > 0:
            unit = {"H": "row", "W": "column", "D": "slice"}.get(names[i], "position")
            found.append(
                {
                    "stride": s,
                    "dropped": dropped,
                    "unit": unit + ("s" if dropped > 1 else ""),
                    "axis": names[i],
                    "size": size,
                    "output": outs[i],
                    "fix": _rows_fix(size, k, s, p, d),
                }
            )
    return found


def _rows_fix(size: int, k: int, s: int, p: int, d: int) -> str:
    from convshape.core.arithmetic import effective_kernel

    span = effective_kernel(k, d)
    for extra in range(1, s):
        if (size + 2 * p - span + extra) % s == 0 and extra % 2 == 0:
            return f"padding={p + extra // 2} covers the whole input"
    good = size + (s - (size + 2 * p - span) % s) % s
    return f"an input size of {good} (or {good - s}) is covered exactly"


def _one(value: Any, dims: int) -> list[int] | None:
    if isinstance(value, tuple) and len(value) == dims and all(is_int(v) for v in value):
        return list(value)
    if isinstance(value, tuple) and len(value) == 1 and is_int(value[0]):
        return [value[0]] * dims
    return None


def _report_error(
    interp: Interp,
    site: Site,
    text: str,
    err: E.ShapeError,
    shape: tuple[int, ...] | None,
    spec: Any,
    x: Tensor | None,
    layer: LayerVal | None = None,
) -> None:
    """A torch error predicted with certainty: torch's exact text, and the fixes; placed
    at the argument that decides it when it is known (:data:`_DECIDED_BY`)."""
    fixes = _fixes(err, spec, shape)
    where = f" on input {_shape_text(shape)}" if shape is not None else ""
    named = str(x.origin) if x is not None else ""
    origin = f" from {named}" if named else ""
    message = f"{text}{where}{origin}: {err}"
    if layer is None:
        interp.ctx.report(site, err.code, message, exact=True, fixes=fixes)
        return
    names = _DECIDED_BY.get(err.code, ())
    given = received = None
    if x is not None and names and names[0] in _WIDTH_OF:
        given, received = x.origin, _WIDTH_OF[names[0]](layer, x)
    interp.report_layer(
        layer,
        names,
        site,
        err.code,
        message,
        exact=True,
        fixes=fixes,
        given=given,
        received=received,
    )


def _conv_width(layer: LayerVal, x: Tensor) -> int | None:
    from convshape.readers.parse import LAYERS

    known = LAYERS.get(layer.name)
    return None if known is None else _channels(x, known.dims)


# How wide an input is, for the argument that must match it (a refused width is kept
# for blame: see Interp.report_layer).
_WIDTH_OF: Final[Mapping[str, Callable[[LayerVal, Tensor], int | None]]] = {
    "in_channels": _conv_width,
    "num_features": lambda layer, x: x.at(1),
    "num_channels": lambda layer, x: x.at(1),
    "in_features": lambda layer, x: x.at(-1),
}


# The argument whose value a torch error is about (where a finding is placed).
_DECIDED_BY: Final[Mapping[str, tuple[str, ...]]] = {
    E.CHANNEL_MISMATCH.code: ("in_channels",),
    E.TRANSPOSED_CHANNEL_MISMATCH.code: ("in_channels",),
    E.IN_CHANNELS_GROUPS.code: ("groups", "in_channels"),
    E.OUT_CHANNELS_GROUPS.code: ("groups", "out_channels"),
    E.GROUPS_POSITIVE.code: ("groups",),
    E.KERNEL_TOO_BIG.code: ("kernel_size", "padding"),
    E.NONPOSITIVE_STRIDE.code: ("stride",),
    E.NEGATIVE_PADDING.code: ("padding",),
    E.LINEAR_MISMATCH.code: ("in_features",),
    E.BATCHNORM_FEATURES.code: ("num_features",),
}


def _fixes(err: E.ShapeError, spec: Any, shape: tuple[int, ...] | None) -> tuple[str, ...]:
    try:
        from convshape.features.advice import advise

        return advise(err, spec, shape).fixes
    except Exception:  # advice is a courtesy; the finding stands without it
        return ()


def _shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


# ---------------------------------------------------------------------------------------
# Tensor operations in forward
# ---------------------------------------------------------------------------------------

_ELEMENTWISE: Final = frozenset(
    {
        "normal_",  # initialisers fill the tensor in place
        "uniform_",
        "zero_",
        "fill_",
        "layer_norm",  # normalisations keep the shape (their weights are not checked here)
        "group_norm",
        "batch_norm",
        "instance_norm",
        "local_response_norm",
        "relu",
        "relu_",
        "relu6",
        "gelu",
        "silu",
        "mish",
        "sigmoid",
        "tanh",
        "leaky_relu",
        "leaky_relu_",
        "elu",
        "selu",
        "celu",
        "hardswish",
        "hardsigmoid",
        "hardtanh",
        "softplus",
        "dropout",
        "dropout1d",
        "dropout2d",
        "dropout3d",
        "alpha_dropout",
        "softmax",
        "log_softmax",
        "normalize",
        "clone",
        "contiguous",
        "detach",
        "float",
        "half",
        "double",
        "to",
        "cpu",
        "cuda",
        "abs",
        "exp",
        "log",
        "sqrt",
        "neg",
        "clamp",
        "clamp_",
        "sigmoid_",
        "tanh_",
        "requires_grad_",
        "type_as",
        "logsigmoid",
        "softsign",
        "square",
        "rsqrt",
    }
)


def tensor_attr(interp: Interp, t: Tensor, attr: str) -> Any:
    if attr == "shape":
        return _shape_value(t)
    if attr == "ndim":
        return len(t.dims) if t.exact else UNKNOWN
    if attr == "T" and t.exact and len(t.dims) == 2:
        return Tensor(t.dims[::-1], True, t.origin)
    if attr in ("data", "real"):
        return t
    return UNKNOWN


def _shape_value(t: Tensor) -> Any:
    if not t.exact:
        return UNKNOWN
    return tuple(d if d is not None else DimRef(t, i) for i, d in enumerate(t.dims))


def _int_args(args: list[Any]) -> list[Any] | None:
    if len(args) == 1 and isinstance(args[0], tuple):
        return list(args[0])
    if len(args) == 1 and hasattr(args[0], "items") and args[0].items is not None:
        return list(args[0].items)
    return list(args)


def tensor_method(
    interp: Interp,
    t: Tensor,
    attr: str,
    args: list[Any] | None,
    kwargs: dict[str, Any] | None,
    node: ast.Call,
) -> Any:
    if args is None or kwargs is None:
        return interp.forget(args, kwargs)
    if attr in _ELEMENTWISE:
        return t
    if attr in ("add", "sub", "mul", "div", "add_", "mul_", "sub_", "div_") and len(args) == 1:
        return tensor_binop(interp, ast.Add(), t, args[0], node)
    if attr == "size":
        if not args and not kwargs:
            return _shape_value(t)
        dim = args[0] if args else kwargs.get("dim")
        if is_int(dim) and t.exact:
            n = len(t.dims)
            if -n <= dim < n:
                size = t.dims[dim]
                return size if size is not None else DimRef(t, dim % n)
        return UNKNOWN
    if attr in ("dim", "ndimension") and not args:
        return len(t.dims) if t.exact else UNKNOWN
    if attr in ("view", "reshape"):
        sizes = _int_args(args)
        if sizes is None or kwargs:
            return Tensor.unknown()
        return _reshape(_moved(t, interp, node), sizes)
    if attr == "flatten":
        start = args[0] if args else kwargs.get("start_dim", 0)
        end = args[1] if len(args) > 1 else kwargs.get("end_dim", -1)
        return _flatten(t, start, end, _at(interp, node))
    if attr == "unsqueeze":
        dim = args[0] if args else kwargs.get("dim")
        return _unsqueeze(t, dim)
    if attr == "squeeze":
        return _squeeze(t, args[0] if args else kwargs.get("dim", UNKNOWN) if kwargs else None)
    if attr == "permute":
        order = _int_args(args)
        return _permute(t, order)
    if attr in ("transpose", "swapaxes") and len(args) == 2:
        return _transpose(t, args[0], args[1])
    if attr in ("mean", "sum", "amax", "amin", "std", "var"):
        dim = (
            args[0] if args else kwargs.get("dim", UNKNOWN if kwargs.keys() - {"keepdim"} else None)
        )
        keep = args[1] if len(args) > 1 else kwargs.get("keepdim", False)
        return _reduce(t, dim, keep)
    if attr == "expand" and args:
        return _expand(t, _int_args(args))
    if attr in ("chunk", "split") and args and len(args) <= 2:
        dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
        return _pieces(t, attr, args[0], dim)
    return Tensor.unknown()


def _expand(t: Tensor, sizes: list[Any] | None) -> Any:
    """``x.expand(*sizes)``: -1 keeps a size; new leading sizes are added."""
    if sizes is None or not t.exact or len(sizes) < len(t.dims):
        return Tensor.unknown()
    lead = len(sizes) - len(t.dims)
    out: list[int | None] = []
    for i, size in enumerate(sizes):
        old = t.dims[i - lead] if i >= lead else None
        if size == -1 and i >= lead:
            out.append(old)
        elif is_int(size) and size >= 0:
            if old is not None and old not in (1, size):
                return Tensor.unknown()  # torch refuses it: not judged here
            out.append(size)
        else:
            out.append(None)
    return Tensor(tuple(out), True, t.origin)


def _pieces(t: Tensor, how: str, n: Any, dim: Any) -> Any:
    """``x.chunk(n, dim)`` and ``x.split(size_or_sizes, dim)``: a tuple of tensors, when
    the size along ``dim`` and the count or sizes are known."""
    if not t.exact or not is_int(dim) or not -len(t.dims) <= dim < len(t.dims):
        return UNKNOWN
    d = dim % len(t.dims)
    size = t.dims[d]
    sizes: list[int]
    if isinstance(n, (tuple, ListVal)) and how == "split":
        items = _int_args([n])
        if items is None or not all(is_int(v) and v >= 0 for v in items) or size is None:
            return UNKNOWN
        if sum(items) != size:
            return UNKNOWN
        sizes = list(items)
    elif is_int(n) and n > 0 and size is not None and size > 0:
        step = -(-size // n) if how == "chunk" else n
        sizes = [min(step, size - i) for i in range(0, size, step)]
    else:
        return UNKNOWN
    if len(sizes) > 4096:
        return UNKNOWN
    return tuple(Tensor((*t.dims[:d], k, *t.dims[d + 1 :]), True, t.origin) for k in sizes)


class _Detail:
    """An origin and a remark, joined when a message is written."""

    def __init__(self, origin: object, detail: str) -> None:
        self.origin = origin
        self.detail = detail

    def __str__(self) -> str:
        return f"{self.origin}{self.detail}"


class _CallAt:
    """``torch.flatten(x, 1) at 22:13``, worked out when a message is written."""

    def __init__(self, interp: Interp, node: ast.Call) -> None:
        self.ctx = interp.src
        self.node = node

    def __str__(self) -> str:
        site = self.ctx.site(self.node)
        return f"{site.text} at {site.where}"


def _at(interp: Interp, node: ast.Call) -> object:
    return _CallAt(interp, node)


def _moved(t: Tensor, interp: Interp, node: ast.Call) -> Tensor:
    """``t`` as it leaves the call at ``node`` (for messages about what comes next)."""
    return Tensor(t.dims, t.exact, _at(interp, node))


def _reshape(t: Tensor, sizes: list[Any]) -> Any:
    out: list[int | None] = []
    infer = None
    for i, s in enumerate(sizes):
        if isinstance(s, DimRef):
            out.append(None)  # one of its own sizes, unknown here (x.view(b, g, c // g, h, w))
            continue
        if not is_int(s) or s < -1:
            return Tensor.unknown()
        if s == -1:
            if infer is not None:
                return Tensor.unknown()
            infer = i
        out.append(s)
    if infer is not None:
        # x.view(x.size(0), -1): the batch kept, the rest flattened
        kept = [
            i
            for i, s in enumerate(sizes)
            if isinstance(s, DimRef) and s.tensor.dims == t.dims and s.index == i
        ]
        others = sum(isinstance(s, DimRef) for s in sizes) - len(kept)
        total = t.shape
        named = [_named_size(v) for v in sizes if isinstance(v, DimRef)]
        if total is not None and None not in named:
            for i, v in enumerate(sizes):
                if isinstance(v, DimRef):
                    out[i] = _named_size(v)
            known = math.prod(v for j, v in enumerate(out) if v is not None and j != infer)
            if known == 0 or math.prod(total) % known:
                return Tensor.unknown()
            out[infer] = math.prod(total) // known
        elif (
            t.exact
            and not others
            and kept == list(range(len(kept)))
            and infer == len(kept) == len(out) - 1
        ):
            rest = t.dims[len(kept) :]
            out[infer] = math.prod(d for d in rest if d is not None) if None not in rest else None
            out[: len(kept)] = t.dims[: len(kept)]
        else:
            out[infer] = None
    else:
        for i, s in enumerate(sizes):
            if isinstance(s, DimRef):  # the size it names, of the tensor it was read from
                out[i] = _named_size(s)
    return Tensor(tuple(out), True, t.origin)


def _named_size(ref: DimRef) -> int | None:
    """The size ``x.size(i)`` names, when known."""
    source = ref.tensor
    inside = source.exact and -len(source.dims) <= ref.index < len(source.dims)
    return source.dims[ref.index] if inside else None


def _unsqueeze(t: Tensor, dim: Any) -> Any:
    if not (t.exact and is_int(dim)):
        return Tensor.unknown()
    n = len(t.dims) + 1
    if not -n <= dim < n:
        return UNKNOWN
    d = dim % n
    return Tensor((*t.dims[:d], 1, *t.dims[d:]), True, t.origin)


def _squeeze(t: Tensor, dim: Any) -> Any:
    if not t.exact:
        return Tensor.unknown()
    if dim is None:
        if None in t.dims:
            return Tensor.unknown()
        return Tensor(tuple(d for d in t.dims if d != 1), True, t.origin)
    if not is_int(dim):
        return Tensor.unknown()
    n = len(t.dims)
    if not -n <= dim < n:
        return UNKNOWN
    d = dim % n
    if t.dims[d] is None:
        return Tensor.unknown()
    if t.dims[d] != 1:
        return t
    return Tensor((*t.dims[:d], *t.dims[d + 1 :]), True, t.origin)


def _permute(t: Tensor, order: list[Any] | None) -> Any:
    if not t.exact or order is None or len(order) != len(t.dims):
        return Tensor.unknown()
    n = len(t.dims)
    if not all(is_int(o) and -n <= o < n for o in order):
        return Tensor.unknown()
    idx = [o % n for o in order]
    if sorted(idx) != list(range(n)):
        return UNKNOWN
    return Tensor(tuple(t.dims[i] for i in idx), True, t.origin)


def _transpose(t: Tensor, a: Any, b: Any) -> Any:
    if not (t.exact and is_int(a) and is_int(b)):
        return Tensor.unknown()
    n = len(t.dims)
    if not (-n <= a < n and -n <= b < n):
        return UNKNOWN
    dims = list(t.dims)
    dims[a % n], dims[b % n] = dims[b % n], dims[a % n]
    return Tensor(tuple(dims), True, t.origin)


def _reduce(t: Tensor, dim: Any, keep: Any) -> Any:
    if not t.exact or not isinstance(keep, bool) or dim is UNKNOWN:
        return Tensor.unknown()
    n = len(t.dims)
    if dim is None:
        return Tensor((1,) * n if keep else (), True, t.origin)
    dims = _int_args([dim]) if isinstance(dim, (tuple, ListVal)) else [dim]
    if dims is None or not all(is_int(d) and -n <= d < n for d in dims):
        return Tensor.unknown()
    drop = {d % n for d in dims}
    out = tuple((1 if keep else None) if i in drop else size for i, size in enumerate(t.dims))
    if not keep:
        out = tuple(size for i, size in enumerate(t.dims) if i not in drop)
    return Tensor(out, True, t.origin)


def tensor_getitem(interp: Interp, t: Tensor, key: Any) -> Any:
    """``x[i]``, ``x[:, 0]``, ``x[..., 1:3]``-like basic indexing of a tensor of known rank
    (ints and slices of known ints, ``None``); anything else is unknown."""
    keys = key if isinstance(key, tuple) else (key,)
    if not t.exact or len(keys) > len(t.dims) + 4:
        return Tensor.unknown()
    out: list[int | None] = []
    dim = 0
    for k in keys:
        if k is None:
            out.append(1)
            continue
        if dim >= len(t.dims):
            return Tensor.unknown()  # too many indices: torch's IndexError, not judged here
        size = t.dims[dim]
        if is_int(k):
            if size is not None and not -size <= k < size:
                return Tensor.unknown()
            dim += 1
        elif isinstance(k, slice) and all(
            v is None or is_int(v) for v in (k.start, k.stop, k.step)
        ):
            if k.step is not None and k.step <= 0:
                return Tensor.unknown()
            out.append(None if size is None else len(range(*k.indices(size))))
            dim += 1
        else:
            return Tensor.unknown()
    return Tensor((*out, *t.dims[dim:]), True, t.origin)


def tensor_binop(
    interp: Interp, op: ast.operator, a: Any, b: Any, node: ast.AST | None = None
) -> Any:
    """Element-wise arithmetic with broadcasting; a mismatch is a CS880 finding at ``node``
    (where the operation is written) and makes the result unknown."""
    if isinstance(op, ast.MatMult):
        return Tensor.unknown()
    if not isinstance(a, Tensor):
        a, b = b, a
    if not isinstance(b, Tensor):
        if is_number(b):
            return a
        return Tensor.unknown() if b is UNKNOWN else a
    assert isinstance(a, Tensor)
    if not a.dims and not a.exact:
        return _broadcast_unknown(b)
    if not b.dims and not b.exact:
        return _broadcast_unknown(a)
    n = max(len(a.dims), len(b.dims))
    out: list[int | None] = []
    for i in range(-n, 0):
        da = a.dims[i] if -i <= len(a.dims) else 1 if a.exact else None
        db = b.dims[i] if -i <= len(b.dims) else 1 if b.exact else None
        if da is None or db is None:
            known = da if db is None else db
            out.append(known if known not in (None, 1) else None)
        elif da == db or db == 1:
            out.append(da)
        elif da == 1:
            out.append(db)
        else:
            if node is not None and isinstance(node, (ast.expr, ast.stmt)):
                _report_broadcast(interp, node, a, b, da, db, i, n)
            return UNKNOWN
    exact = a.exact and b.exact
    result = Tensor(tuple(out), exact, a.origin)
    if a.probe is None and b.probe is None:
        return result
    return _probed_binop(interp, a, b, result, node)


def _probed_binop(
    interp: Interp, a: Tensor, b: Tensor, result: Tensor, node: ast.AST | None
) -> Any:
    """``a + b`` on the sample sizes (:mod:`.probe`): sizes that differ for every sample
    are a CS880 finding; the result's probe otherwise."""
    if a.probe is None or b.probe is None:
        probed, other = (a, b) if b.probe is None else (b, a)
        assert probed.probe is not None
        fixed = _fixed_sizes(other, probe.axes(probed.probe))
        if fixed is None:
            return result
        sizes = tuple(
            None if s is None else probe.broadcast([s, fixed]) for s in probed.probe.sizes
        )
        return replace(result, probe=probe.rejoined(probed.probe, sizes))
    joined, failed = probe.join([a, b], probe.broadcast)
    if failed and isinstance(node, (ast.expr, ast.stmt)):
        sa, sb = probe.sides([a, b], failed[0])
        k = len(sa)
        # torch names the last dimension that differs
        j = max(j for j in range(k) if sa[j] != sb[j] and 1 not in (sa[j], sb[j]))
        n = max(len(a.dims), len(b.dims))
        exact = a.exact and b.exact
        dim: object = n - k + j if exact else f"{j - k} (from the end)"
        err = E.BROADCAST_MISMATCH.template.format(a=sa[j], b=sb[j], dim=dim)
        _report_spatial(interp, node, [a, b], failed, E.BROADCAST_MISMATCH.code, err)
        return UNKNOWN
    return replace(result, probe=joined)


def _fixed_sizes(t: Tensor, k: int) -> tuple[int, ...] | None:
    """The last ``k`` sizes of a tensor without a probe, when known (1 for the dims an
    exact tensor of a lower rank lacks)."""
    dims = t.dims
    if t.exact and len(dims) < k:
        dims = (1,) * (k - len(dims)) + dims
    tail = dims[-k:] if len(dims) >= k else None
    if tail is None or not all(is_int(d) for d in tail):
        return None
    return tuple(d for d in tail if d is not None)


def _report_spatial(
    interp: Interp,
    node: ast.expr | ast.stmt,
    tensors: list[Tensor],
    failed: list[int],
    code: str,
    err: str,
) -> None:
    """A join whose sides differ in spatial size for every sample size: at the layer
    whose stride or padding makes the odd side out when :func:`probe.blame` finds one,
    else at the join."""
    site = interp.site(node)
    sizes = probe.said(tensors, failed)
    first = probe.SAMPLES[failed[0]]
    found = probe.blame(tensors, failed)
    if found is None:
        names = " and ".join(_from(t) for t in tensors[:2])
        if len(tensors) > 2:
            names = f"{len(tensors)} tensors"
        message = f"{site.text}: {names} differ in spatial size {sizes} (torch at {first}: {err})"
        interp.ctx.report(site, code, message)
        return
    layer, name, value, _side = found
    at = f"{_short_path(site.path or interp.ctx.path)}:{site.line}"
    message = (
        f"{_site(layer).text}: its {name} makes `{site.text}` at {at} join sizes that differ "
        f"{sizes} (torch at {first}: {err}); {name}={value} makes them agree"
    )
    interp.report_layer(
        layer,
        (name,),
        _site(layer),
        code,
        message,
        value=value,
        fixes=(f"use {name}={value}",),
        defaults=True,
    )


def _short_path(path: str) -> str:
    return path.replace("\\", "/").rpartition("/")[2]


def _report_broadcast(
    interp: Interp,
    node: ast.expr | ast.stmt,
    a: Tensor,
    b: Tensor,
    da: int,
    db: int,
    i: int,
    n: int,
) -> None:
    """``a + b`` whose sizes cannot broadcast: torch's message when both ranks are known
    (the dimension counted from the front), else the dimension counted from the end."""
    site = interp.site(node)
    exact = a.exact and b.exact
    dim: object = n + i if exact else f"{i} (from the end)"
    err = E.BROADCAST_MISMATCH.error(a=da, b=db, dim=dim) if exact else None
    said = (
        str(err) if err is not None else E.BROADCAST_MISMATCH.template.format(a=da, b=db, dim=dim)
    )
    message = f"{site.text}: {_from(a)} and {_from(b)} cannot be combined: {said}"
    interp.ctx.report(site, E.BROADCAST_MISMATCH.code, message, exact=exact)


def _broadcast_unknown(t: Tensor) -> Tensor:
    """``t + y`` with nothing known about y: sizes other than 1 stay (else torch fails)."""
    dims = tuple(d if d not in (None, 1) else None for d in t.dims)
    return Tensor(dims, False, t.origin)


_FACTORIES: Final = frozenset({"randn", "rand", "zeros", "ones", "empty", "full"})
# functional normalisations: the output has the input's shape (their weight's shape is not
# checked here: it is a tensor the interpreter does not know)
_NORMS: Final = frozenset(
    {"layer_norm", "group_norm", "batch_norm", "instance_norm", "rms_norm", "local_response_norm"}
    | {"dropout_", "stochastic_depth", "drop_path", "channel_shuffle", "pixel_shuffle_"}
)


def call_function(
    interp: Interp, name: str, args: list[Any] | None, kwargs: dict[str, Any] | None, node: ast.Call
) -> Any:
    """``F.x(...)`` / ``torch.x(...)`` in forward (or a tensor factory anywhere)."""
    short = name.partition(".")[2]
    if args is None or kwargs is None:
        return interp.forget(args, kwargs)
    if name.startswith("torch.") and short in numeric.FUNCTIONS:
        known = numeric.call(short, args, kwargs)
        if known is not UNKNOWN:
            return known
    if name.startswith("torch.") and short in _FACTORIES:
        flat = _int_args(args[:1] if short == "full" else args)
        if flat is not None and flat and all(is_int(v) and v >= 0 for v in flat):
            return Tensor(tuple(flat), True, f"torch.{short}(...)")
        return Tensor.unknown()
    from convshape.readers.parse import LAYERS

    canonical = f"F.{short}" if name.startswith("torch.nn.functional") else name
    if canonical in LAYERS and LAYERS[canonical].family not in ("conv", "conv_transpose"):
        return _window_function(interp, canonical, args, kwargs, node)
    x = args[0] if args else kwargs.get("input", UNKNOWN)
    if short in _NORM_ARGS:
        out = _norm_function(interp, short, args, kwargs)
        if out is not None:
            return out
    if (short in _ELEMENTWISE or short in _NORMS) and isinstance(x, Tensor):
        return x
    if short in ("flatten",) and isinstance(x, Tensor):
        start = args[1] if len(args) > 1 else kwargs.get("start_dim", 0)
        end = args[2] if len(args) > 2 else kwargs.get("end_dim", -1)
        return _flatten(x, start, end, _at(interp, node))
    if short in ("cat", "concat", "concatenate") and args:
        dim = args[1] if len(args) > 1 else kwargs.get("dim", 0)
        return _cat(interp, args[0], dim, _at(interp, node), node)
    if short in ("add", "mul", "sub", "div") and len(args) == 2:
        return tensor_binop(interp, ast.Add(), args[0], args[1], node)
    if short in ("interpolate", "upsample") and isinstance(x, Tensor):
        size = args[1] if len(args) > 1 else kwargs.get("size")
        scale = args[2] if len(args) > 2 else kwargs.get("scale_factor")
        return _upsample(x, size, scale, x.origin)
    if short in ("reshape",) and isinstance(x, Tensor) and len(args) == 2:
        sizes = _int_args([args[1]])
        return _reshape(_moved(x, interp, node), sizes) if sizes is not None else Tensor.unknown()
    if short in ("permute",) and isinstance(x, Tensor) and len(args) == 2:
        return _permute(x, _int_args([args[1]]))
    if short in ("transpose", "swapaxes") and isinstance(x, Tensor) and len(args) == 3:
        return _transpose(x, args[1], args[2])
    if short == "unsqueeze" and isinstance(x, Tensor) and len(args) == 2:
        return _unsqueeze(x, args[1])
    if short in ("mean", "sum", "amax", "amin") and isinstance(x, Tensor):
        dim = args[1] if len(args) > 1 else kwargs.get("dim", None)
        keep = args[2] if len(args) > 2 else kwargs.get("keepdim", False)
        return _reduce(x, dim, keep)
    interp.forget(args, kwargs)
    return Tensor.unknown() if any(isinstance(a, Tensor) for a in args) else UNKNOWN


def layer_tensors(layer: LayerVal) -> dict[str, Any]:
    """The tensors a torch norm layer holds, as a subclass's ``forward`` reads them
    (``self.running_mean``, ``self.weight``): shaped by its arguments, their origin the
    layer, so that ``F.batch_norm(x, self.running_mean, ...)`` checks what the layer's
    own forward would. ``normalized_shape`` as torch stores it, a tuple."""
    p = layer.params or {}
    short = layer.name.rpartition(".")[2]
    out: dict[str, Any] = {}
    if short.startswith("BatchNorm"):
        n = p.get("num_features")
        if not is_int(n):
            return {}
        if p.get("affine") is True:
            out["weight"] = out["bias"] = Tensor((n,), True, layer)
        elif p.get("affine") is False:
            out["weight"] = out["bias"] = None
        if p.get("track_running_stats") is True:
            out["running_mean"] = out["running_var"] = Tensor((n,), True, layer)
        elif p.get("track_running_stats") is False:
            out["running_mean"] = out["running_var"] = None
    elif short == "LayerNorm":
        norm = p.get("normalized_shape")
        shape = (norm,) if is_int(norm) else norm
        if not (isinstance(shape, tuple) and shape and all(is_int(v) for v in shape)):
            return {}
        out["normalized_shape"] = shape
        if p.get("elementwise_affine") is True:
            out["weight"] = Tensor(shape, True, layer)
            if p.get("bias") is True:
                out["bias"] = Tensor(shape, True, layer)
    return out


def _norm_function(interp: Interp, short: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    """``F.batch_norm(x, self.running_mean, ...)`` / ``F.layer_norm(x, shape, self.weight,
    ...)`` in the forward of a torch norm layer's subclass (timm's ``BatchNormAct2d``,
    ``LayerNorm2d``): the layer's own check, on that layer, where its sizes are written.
    None when the tensors are not a known layer's."""
    names = _NORM_ARGS[short]
    given = dict(zip(names, args, strict=False))
    given.update({k: v for k, v in kwargs.items() if k in names})
    x = given.get("input")
    if not isinstance(x, Tensor):
        return None
    held = [given.get(n) for n in names[1:] if n != "normalized_shape"]
    layers = {id(t.origin): t.origin for t in held if isinstance(t, Tensor)}
    if len(layers) != 1:
        return None
    layer = next(iter(layers.values()))
    if not isinstance(layer, LayerVal) or layer.params is None:
        return None
    kind = layer.name.rpartition(".")[2]
    if short == "batch_norm" and kind.startswith("BatchNorm"):
        if given.get("running_mean") is None:
            return None  # the batch's own statistics: only the weights' sizes are checked
        if x.exact and x.rank is not None and x.rank >= 2:
            return apply_layer(interp, layer, [x], {})
        return None
    if short == "layer_norm" and kind == "LayerNorm":
        shape = given.get("normalized_shape")
        norm = layer.params.get("normalized_shape")
        if shape == ((norm,) if is_int(norm) else norm):
            return apply_layer(interp, layer, [x], {})
    return None


_NORM_ARGS: Final = {
    "batch_norm": ("input", "running_mean", "running_var", "weight", "bias"),
    "layer_norm": ("input", "normalized_shape", "weight", "bias"),
}


def _cat(
    interp: Interp, tensors: Any, dim: Any, origin: object, node: ast.Call | None = None
) -> Any:
    """``torch.cat(tensors, dim)``: sizes added along ``dim``; tensors that cannot be
    joined are a CS881/CS882 finding at the call (torch's message: it names the first
    tensor that differs from the first one)."""
    items = interp.iterate(tensors)
    if not items or not all(isinstance(t, Tensor) for t in items) or not is_int(dim):
        return Tensor.unknown()
    ts: list[Tensor] = [t for t in items if isinstance(t, Tensor)]
    if not all(t.exact for t in ts):
        return Tensor.unknown()
    ranks = [len(t.dims) for t in ts]
    if len(set(ranks)) != 1:
        wrong = next(r for r in ranks if r != ranks[0])
        if node is not None and all(r > 0 for r in ranks):
            err = E.CAT_RANK.error(a=ranks[0], b=wrong)
            _report_cat(interp, node, ts, err)
        return UNKNOWN
    n = len(ts[0].dims)
    if not -n <= dim < n:
        return UNKNOWN
    d = dim % n
    out: list[int | None] = []
    for i in range(n):
        column = [t.dims[i] for t in ts]
        if i == d:
            out.append(None if None in column else sum(c for c in column if c is not None))
        else:
            known = {c for c in column if c is not None}
            if len(known) > 1:
                first = column[0]
                if node is not None and first is not None:
                    index = next(k for k, c in enumerate(column) if c is not None and c != first)
                    got = column[index]
                    err = E.CAT_SIZES.error(dim=d, expected=first, got=got, index=index)
                    _report_cat(interp, node, ts, err)
                return UNKNOWN
            out.append(known.pop() if known else None)
    result = Tensor(tuple(out), True, Joined(origin, tuple(t.origin for t in ts)))
    if any(t.probe is not None for t in ts):
        k = min(probe.axes(t.probe) for t in ts if t.probe is not None)
        axis = d - (n - k) if d >= n - k else None
        joined, failed = probe.join(ts, probe.concatenated(axis))
        if failed and node is not None:
            samples = probe.sides(ts, failed[0])
            j = next(j for j in range(k) if j != axis and len({c[j] for c in samples}) > 1)
            base = samples[0]
            index = next(i for i, c in enumerate(samples) if c[j] != base[j])
            said = E.CAT_SIZES.template.format(
                dim=d, expected=base[j], got=samples[index][j], index=index
            )
            _report_spatial(interp, node, ts, failed, E.CAT_SIZES.code, said)
            return UNKNOWN
        result = replace(result, probe=joined)
    return result


def _report_cat(interp: Interp, node: ast.Call, ts: list[Tensor], err: E.ShapeError) -> None:
    site = interp.site(node)
    shapes = ", ".join(_shape_text(tuple(d if d is not None else -1 for d in t.dims)) for t in ts)
    shapes = shapes.replace("-1", "?")
    interp.ctx.report(site, err.code, f"{site.text} joins {shapes}: {err}", exact=True)


def _window_function(
    interp: Interp, name: str, args: list[Any], kwargs: dict[str, Any], node: ast.Call
) -> Any:
    """``F.max_pool2d(x, 2)`` and friends: a layer built and applied at once."""
    sig = _signature(name)
    assert sig is not None
    params = _bind(sig, args, kwargs)
    if params is None:
        return UNKNOWN
    x = params.pop("input", UNKNOWN)
    layer = LayerVal(None, name, params, node, interp.src)
    layer.chain = interp.chain
    _check_arguments(interp, layer)
    if not isinstance(x, Tensor):
        return UNKNOWN
    return _apply_window(interp, layer, x)
