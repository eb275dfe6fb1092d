"""The layers that sit between convolutions: norms, activations, dropout, Flatten, Linear,
Upsample, PixelShuffle and the padding modules.

Each layer is an immutable spec (like :mod:`convshape.specs` for the conv family) and
:func:`infer_layer` applies torch 2.13's CPU checks to an input shape, in torch's order,
raising the exact messages of :mod:`convshape.errors`. :data:`LAYER_TABLE` holds one
declarative row per module class (torch's positional parameter order and defaults) for
:mod:`convshape.parse` / :mod:`convshape.network` to bind pasted code against.

Nothing here imports torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, cast

from convshape.core import errors as E
from convshape.core.arithmetic import axis_names
from convshape.core.errors import ShapeError, UsageError, py_list, py_tuple, sizes, torch_size
from convshape.core.shapes import Ints, Shape
from convshape.core.signature import REQUIRED, Kind, Param, Signature
from convshape.ops import AdaptivePool

__all__ = [
    "LAYER_SPECS",
    "LAYER_TABLE",
    "Activation",
    "BatchNorm",
    "Dropout",
    "Flatten",
    "GroupNorm",
    "Identity",
    "InstanceNorm",
    "LayerNorm",
    "LayerResult",
    "LayerSpec",
    "Linear",
    "Module",
    "Pad",
    "PixelShuffle",
    "Unflatten",
    "Upsample",
    "construct_error",
    "infer_layer",
    "layer_code",
    "lookup",
    "params",
]


@dataclass(frozen=True)
class BatchNorm:
    """``nn.BatchNorm{1,2,3}d(num_features, eps, momentum, affine, track_running_stats)``."""

    dims: int
    num_features: int
    affine: bool = True
    track_running_stats: bool = True
    bias: bool = True

    @property
    def cls(self) -> str:
        return f"BatchNorm{self.dims}d"

    @property
    def op(self) -> str:
        return "batch_norm"


@dataclass(frozen=True)
class InstanceNorm:
    """``nn.InstanceNorm{1,2,3}d(num_features, eps, momentum, affine, track_running_stats)``."""

    dims: int
    num_features: int
    affine: bool = False
    track_running_stats: bool = False
    bias: bool = True

    @property
    def cls(self) -> str:
        return f"InstanceNorm{self.dims}d"

    @property
    def op(self) -> str:
        return "instance_norm"


@dataclass(frozen=True)
class GroupNorm:
    """``nn.GroupNorm(num_groups, num_channels, eps, affine)``."""

    num_groups: int
    num_channels: int
    affine: bool = True
    bias: bool = True

    @property
    def cls(self) -> str:
        return "GroupNorm"

    @property
    def op(self) -> str:
        return "group_norm"


@dataclass(frozen=True)
class LayerNorm:
    """``nn.LayerNorm(normalized_shape, eps, elementwise_affine, bias)``."""

    normalized_shape: Ints
    elementwise_affine: bool = True
    bias: bool = True

    @property
    def cls(self) -> str:
        return "LayerNorm"

    @property
    def op(self) -> str:
        return "layer_norm"


@dataclass(frozen=True)
class Activation:
    """An activation module, by class name (``ReLU``, ``GELU``, ``Softmax``, ``PReLU``...).

    ``dim`` is the ``dim`` argument of ``Softmax``/``LogSoftmax``/``Softmin``/``GLU``;
    ``num_parameters`` is PReLU's (its learnable slopes); ``approximate`` is GELU's.
    """

    name: str
    dim: int | None = None
    num_parameters: int = 0
    approximate: str = "none"

    @property
    def cls(self) -> str:
        return self.name

    @property
    def op(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Dropout:
    """``nn.Dropout``, ``Dropout1d/2d/3d``, ``AlphaDropout``, ``FeatureAlphaDropout``."""

    name: str = "Dropout"
    p: float = 0.5

    @property
    def cls(self) -> str:
        return self.name

    @property
    def op(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Identity:
    """``nn.Identity()``."""

    @property
    def cls(self) -> str:
        return "Identity"

    @property
    def op(self) -> str:
        return "identity"


@dataclass(frozen=True)
class Flatten:
    """``nn.Flatten(start_dim=1, end_dim=-1)``."""

    start_dim: int = 1
    end_dim: int = -1

    @property
    def cls(self) -> str:
        return "Flatten"

    @property
    def op(self) -> str:
        return "flatten"


@dataclass(frozen=True)
class Unflatten:
    """``nn.Unflatten(dim, unflattened_size)``."""

    dim: int
    unflattened_size: Ints

    @property
    def cls(self) -> str:
        return "Unflatten"

    @property
    def op(self) -> str:
        return "unflatten"


@dataclass(frozen=True)
class Linear:
    """``nn.Linear(in_features, out_features, bias=True)``; ``in_features=None`` is
    ``nn.LazyLinear(out_features)``, which takes its in_features from the first input."""

    in_features: int | None
    out_features: int
    bias: bool = True

    @property
    def cls(self) -> str:
        return "Linear" if self.in_features is not None else "LazyLinear"

    @property
    def op(self) -> str:
        return "linear"


@dataclass(frozen=True)
class Upsample:
    """``nn.Upsample(size, scale_factor, mode, align_corners, recompute_scale_factor)`` (and
    ``UpsamplingNearest2d`` / ``UpsamplingBilinear2d``, recorded with their fixed mode).

    ``size`` / ``scale_factor`` keep what the code wrote: an int / float fills every axis,
    a tuple is one value per axis (the constructor turns ``scale_factor=0`` into None).
    """

    size: int | Ints | None = None
    scale_factor: float | tuple[float, ...] | None = None
    mode: str = "nearest"
    align_corners: bool | None = None
    recompute_scale_factor: bool | None = None
    name: str = "Upsample"

    @property
    def cls(self) -> str:
        return self.name

    @property
    def op(self) -> str:
        return "interpolate"


@dataclass(frozen=True)
class PixelShuffle:
    """``nn.PixelShuffle(upscale_factor)``; ``inverse`` for ``nn.PixelUnshuffle``."""

    factor: int
    inverse: bool = False

    @property
    def cls(self) -> str:
        return "PixelUnshuffle" if self.inverse else "PixelShuffle"

    @property
    def op(self) -> str:
        return "pixel_unshuffle" if self.inverse else "pixel_shuffle"


@dataclass(frozen=True)
class Pad:
    """``nn.{Zero,Constant,Reflection,Replication,Circular}Pad{1,2,3}d``.

    ``padding`` is in F.pad order (last axis first, ``(left, right)`` pairs), expanded
    from an int the way the module's constructor does.
    """

    kind: str  # 'zero' | 'constant' | 'reflection' | 'replication' | 'circular'
    dims: int
    padding: Ints
    value: float = 0.0

    @property
    def cls(self) -> str:
        return f"{self.kind.capitalize()}Pad{self.dims}d"

    @property
    def op(self) -> str:
        return "pad"


LayerSpec = (
    BatchNorm
    | InstanceNorm
    | GroupNorm
    | LayerNorm
    | Activation
    | Dropout
    | Identity
    | Flatten
    | Unflatten
    | Linear
    | Upsample
    | PixelShuffle
    | Pad
)
"""A non-conv layer spec."""

LAYER_SPECS = (
    BatchNorm,
    InstanceNorm,
    GroupNorm,
    LayerNorm,
    Activation,
    Dropout,
    Identity,
    Flatten,
    Unflatten,
    Linear,
    Upsample,
    PixelShuffle,
    Pad,
)


# ---------------------------------------------------------------------------------------
# Shape rules, in torch 2.13's CPU check order
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LayerResult:
    """What :func:`infer_layer` found: the output shape, or the error torch raises."""

    spec: LayerSpec
    input: Shape
    output: Shape | None
    error: ShapeError | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None


_SOFTMAX_NAMES: Final[Mapping[str, str]] = {
    "Softmax": "softmax",
    "Softmin": "softmin",
    "LogSoftmax": "log_softmax",
}


def construct_error(spec: LayerSpec) -> ShapeError | None:
    """The error the module's constructor raises (before any input is seen), or None."""
    if isinstance(spec, Dropout) and not 0 <= spec.p <= 1:
        return E.DROPOUT_PROBABILITY.error(p=_number(spec.p))
    if isinstance(spec, GroupNorm) and spec.num_groups and spec.num_channels % spec.num_groups:
        return E.GROUPNORM_GROUPS.error(channels=spec.num_channels, groups=spec.num_groups)
    for size in _param_shapes(spec):
        for v in size:
            if v < 0:
                return E.NEGATIVE_DIMENSION.error(value=v, shape=sizes(size))
    return None


def _param_shapes(spec: LayerSpec) -> list[Shape]:
    """The shapes of the tensors the constructor allocates (parameters and buffers)."""
    if isinstance(spec, Linear):
        if spec.in_features is None:
            return [(spec.out_features,)] * spec.bias
        return [(spec.out_features, spec.in_features)] + ([(spec.out_features,)] * spec.bias)
    if isinstance(spec, BatchNorm | InstanceNorm):
        n = (1 + int(spec.bias)) * int(spec.affine) + 2 * int(spec.track_running_stats)
        return [(spec.num_features,)] * n
    if isinstance(spec, GroupNorm):
        return [(spec.num_channels,)] * ((1 + int(spec.bias)) * int(spec.affine))
    if isinstance(spec, LayerNorm):
        if not spec.elementwise_affine:
            return []
        return [spec.normalized_shape] * (2 if spec.bias else 1)
    if isinstance(spec, Activation) and spec.name == "PReLU":
        return [(spec.num_parameters,)]
    return []


def params(spec: LayerSpec, shape: Shape | None = None) -> int:
    """The module's parameter count (``sum(p.numel() for p in m.parameters())``); a
    LazyLinear's counts once ``shape`` (its input) tells its in_features."""
    if isinstance(spec, BatchNorm | InstanceNorm):
        return (1 + int(spec.bias)) * spec.num_features if spec.affine else 0
    if isinstance(spec, Linear) and spec.in_features is None:
        inner = shape[-1] if shape else 0
        return spec.out_features * (inner + int(spec.bias))
    return sum(math.prod(s) for s in _param_shapes(spec))


def infer_layer(spec: LayerSpec, shape: Shape, *, training: bool = True) -> LayerResult:
    """Predict what the module does to an input of ``shape`` (``training``: the module's
    mode; a freshly built one is in training mode)."""
    shape = tuple(shape)
    warns: list[str] = []
    notes: list[str] = []
    try:
        err = construct_error(spec)
        if err is not None:
            raise err
        if isinstance(spec, Linear):  # nn.init.kaiming_uniform_ on an empty weight warns
            fan_in = spec.in_features if spec.in_features is not None else (shape or (1,))[-1]
            if 0 in (fan_in, spec.out_features):
                warns.append(E.ZERO_ELEMENT_WARNING)
        for v in shape:
            if v < 0:
                raise E.NEGATIVE_DIMENSION.error(value=v, shape=sizes(shape))
        out = _infer(spec, shape, training, warns, notes)
    except ShapeError as exc:
        return LayerResult(spec, shape, None, exc, tuple(warns), tuple(notes))
    return LayerResult(spec, shape, out, None, tuple(warns), tuple(notes))


def _infer(
    spec: LayerSpec, shape: Shape, training: bool, warns: list[str], notes: list[str]
) -> Shape:
    if isinstance(spec, BatchNorm):
        return _batch_norm(spec, shape, training)
    if isinstance(spec, InstanceNorm):
        return _instance_norm(spec, shape, training, warns)
    if isinstance(spec, GroupNorm):
        return _group_norm(spec, shape)
    if isinstance(spec, LayerNorm):
        return _layer_norm(spec, shape)
    if isinstance(spec, Activation):
        return _activation(spec, shape, warns)
    if isinstance(spec, Dropout):
        return _dropout(spec, shape, training, warns)
    if isinstance(spec, Identity):
        return shape
    if isinstance(spec, Flatten):
        return _flatten(spec, shape)
    if isinstance(spec, Unflatten):
        return _unflatten(spec, shape)
    if isinstance(spec, Linear):
        return _linear(spec, shape)
    if isinstance(spec, Upsample):
        return _upsample(spec, shape, notes)
    if isinstance(spec, PixelShuffle):
        return _pixel_shuffle(spec, shape)
    if isinstance(spec, Pad):
        return _pad(spec, shape)
    raise TypeError(f"not a layer spec: {spec!r}")  # pragma: no cover - the union is closed


def _wrap(dim: int, rank: int) -> int:
    """``maybe_wrap_dim``: a 0-d tensor takes dims -1 and 0."""
    n = max(rank, 1)
    if not -n <= dim < n:
        raise E.DIM_OUT_OF_RANGE.error(low=-n, high=n - 1, got=dim)
    return dim + n if dim < 0 else dim


def _rank_text(ranks: tuple[int, ...]) -> str:
    return " or ".join(f"{r}D" for r in ranks)


def _batch_norm(spec: BatchNorm, shape: Shape, training: bool) -> Shape:
    ranks = (2, 3) if spec.dims == 1 else (spec.dims + 2,)
    if len(shape) not in ranks:
        raise E.BATCHNORM_RANK.error(expected=_rank_text(ranks), got=len(shape))
    if (training or not spec.track_running_stats) and shape[0] * math.prod(shape[2:]) == 1:
        raise E.BATCHNORM_ONE_VALUE.error(input=torch_size(shape))
    if math.prod(shape) == 0:
        return shape
    if spec.track_running_stats and shape[1] != spec.num_features:
        raise E.BATCHNORM_FEATURES.error(got=shape[1], expected=spec.num_features)
    if spec.affine and shape[1] != spec.num_features:
        raise E.BATCHNORM_WEIGHT_FEATURES.error(got=shape[1], expected=spec.num_features)
    return shape


def _instance_norm(spec: InstanceNorm, shape: Shape, training: bool, warns: list[str]) -> Shape:
    ranks = (spec.dims + 1, spec.dims + 2)
    if len(shape) not in ranks:
        raise E.BATCHNORM_RANK.error(expected=_rank_text(ranks), got=len(shape))
    feature_dim = len(shape) - (spec.dims + 1)
    channels = shape[feature_dim]
    if channels != spec.num_features:
        if spec.affine:
            raise E.INSTANCENORM_FEATURES.error(
                dim=feature_dim, expected=spec.num_features, got=channels
            )
        warns.append(E.INSTANCENORM_FEATURES_WARNING.format(dim=feature_dim))
    batched = shape if feature_dim == 1 else (1, *shape)
    if (training or not spec.track_running_stats) and math.prod(batched[2:]) == 1:
        raise E.INSTANCENORM_SPATIAL.error(input=torch_size(batched))
    if math.prod(batched) == 0:
        return shape
    if spec.track_running_stats and channels != spec.num_features:
        b = batched[0]
        raise E.BATCHNORM_FEATURES.error(got=b * channels, expected=b * spec.num_features)
    return shape


def _group_norm(spec: GroupNorm, shape: Shape) -> Shape:
    if len(shape) < 2:
        raise E.GROUPNORM_RANK.error(idim=len(shape))
    n, c = shape[0], shape[1]
    verify = [n * c // spec.num_groups, spec.num_groups, *shape[2:]]
    if verify[0] * math.prod(verify[2:]) == 1:
        raise E.BATCHNORM_ONE_VALUE.error(input=py_list(verify))
    if c % spec.num_groups:
        raise E.GROUPNORM_INPUT_GROUPS.error(input=sizes(shape), groups=spec.num_groups)
    if spec.affine and c != spec.num_channels:
        raise E.GROUPNORM_CHANNELS.error(weight=sizes([spec.num_channels]), input=sizes(shape))
    return shape


def _layer_norm(spec: LayerNorm, shape: Shape) -> Shape:
    norm = spec.normalized_shape
    if not norm:
        raise E.LAYERNORM_EMPTY.error(normalized=sizes(norm))
    if len(shape) < len(norm) or shape[len(shape) - len(norm) :] != norm:
        raise E.LAYERNORM_SHAPE.error(
            normalized=sizes(norm), tail=", ".join(map(str, norm)), input=sizes(shape)
        )
    return shape


def _activation(spec: Activation, shape: Shape, warns: list[str]) -> Shape:
    rank = len(shape)
    name = spec.name
    if name in _SOFTMAX_NAMES:
        dim = spec.dim
        if dim is None:
            warns.append(E.IMPLICIT_DIM_WARNING.format(name=_SOFTMAX_NAMES[name]))
            dim = 0 if rank in (0, 1, 3) else 1
        _wrap(dim, rank)
        return shape
    if name == "Softmax2d":
        if rank not in (3, 4):
            raise E.SOFTMAX2D_RANK.error(idim=rank)
        return shape
    if name == "GLU":
        if rank == 0:
            raise E.GLU_SCALAR.error()
        dim = _wrap(-1 if spec.dim is None else spec.dim, rank)
        if shape[dim] % 2:
            raise E.GLU_ODD.error(dim=dim, size=shape[dim])
        return (*shape[:dim], shape[dim] // 2, *shape[dim + 1 :])
    if name == "PReLU" and spec.num_parameters != 1:
        if rank == 0:
            raise E.PRELU_SCALAR.error()
        channels = shape[1] if rank >= 2 else 1
        if channels != spec.num_parameters:
            raise E.PRELU_CHANNELS.error(params=spec.num_parameters, channels=channels)
        return shape
    if name == "GELU" and spec.approximate not in ("none", "tanh"):
        raise E.GELU_APPROXIMATE.error()
    return shape


def _dropout(spec: Dropout, shape: Shape, training: bool, warns: list[str]) -> Shape:
    rank = len(shape)
    name = spec.name
    feature_rank: int | None = None
    if name == "Dropout1d":
        if rank not in (2, 3):
            raise E.DROPOUT1D_RANK.error(idim=rank)
        feature_rank = 3
    elif name == "Dropout2d":
        if rank not in (3, 4):
            warns.append(E.DROPOUT_RANK_WARNING.format(n=2, idim=rank, r=3, r1=4))
        if rank == 3:
            warns.append(E.DROPOUT2D_3D_WARNING)
        feature_rank = rank
    elif name == "Dropout3d":
        if rank not in (4, 5):
            warns.append(E.DROPOUT_RANK_WARNING.format(n=3, idim=rank, r=4, r1=5))
        feature_rank = rank if rank == 5 else rank + 1
    elif name == "FeatureAlphaDropout":
        feature_rank = rank
    active = training and 0 < spec.p < 1 and math.prod(shape) > 0
    if feature_rank is not None and active and feature_rank < 2:
        raise E.FEATURE_DROPOUT_RANK.error()
    return shape


def _flatten(spec: Flatten, shape: Shape) -> Shape:
    rank = len(shape)
    start = _wrap(spec.start_dim, rank)
    end = _wrap(spec.end_dim, rank)
    if start > end:
        raise E.FLATTEN_ORDER.error()
    if rank == 0:
        return (1,)
    return (*shape[:start], math.prod(shape[start : end + 1]), *shape[end + 1 :])


def _unflatten(spec: Unflatten, shape: Shape) -> Shape:
    rank = len(shape)
    if rank == 0:
        reason = E.DIM_NO_DIMENSIONS.error(got=spec.dim).message
        raise E.UNFLATTEN_INTERNAL.error(reason=reason)
    dim = _wrap(spec.dim, rank)
    want = spec.unflattened_size
    if not want:
        raise E.UNFLATTEN_EMPTY.error()
    size = shape[dim]
    infer: int | None = None
    known = 1
    for i, v in enumerate(want):
        if v == -1:
            if infer is not None:
                raise E.UNFLATTEN_INTERNAL.error(reason=E.RESHAPE_INFER_TWICE.template)
            infer = i
        elif v >= 0:
            known *= v
        else:
            reason = E.INVALID_SHAPE_DIMENSION.error(value=v, index=i, shape=sizes(want)).message
            raise E.UNFLATTEN_INTERNAL.error(reason=reason)
    if size == known or (infer is not None and known > 0 and size % known == 0):
        if infer is not None and known == 0:
            reason = E.RESHAPE_AMBIGUOUS.error(shape=sizes(want)).message
            raise E.UNFLATTEN_INTERNAL.error(reason=reason)
        filled = list(want)
        if infer is not None:
            filled[infer] = size // known
        return (*shape[:dim], *filled, *shape[dim + 1 :])
    raise E.UNFLATTEN_SIZES.error(sizes=sizes(want), dim=dim, size=size)


def _linear(spec: Linear, shape: Shape) -> Shape:
    if not shape:
        if spec.in_features is None:  # LazyLinear reads input.shape[-1] first
            raise E.TUPLE_INDEX.error()
        raise E.LINEAR_SCALAR.error(idim=0)
    if spec.in_features is not None and shape[-1] != spec.in_features:
        raise E.LINEAR_MISMATCH.error(
            rows=math.prod(shape[:-1]),
            got=shape[-1],
            expected=spec.in_features,
            out=spec.out_features,
        )
    return (*shape[:-1], spec.out_features)


_MODE_RANK: Final[Mapping[str, int]] = {"linear": 3, "bilinear": 4, "trilinear": 5}
_MODES_AT: Final[Mapping[int, tuple[str, ...]]] = {
    3: ("nearest", "nearest-exact", "area", "linear"),
    4: ("nearest", "nearest-exact", "area", "bilinear", "bicubic"),
    5: ("nearest", "nearest-exact", "area", "trilinear"),
}


def upsample_sizes(spec: Upsample, shape: Shape) -> tuple[int, ...]:
    """The output spatial sizes F.interpolate computes (raising torch's argument errors)."""
    rank = len(shape)
    if spec.mode in ("nearest", "area", "nearest-exact") and spec.align_corners is not None:
        raise E.INTERPOLATE_ALIGN_CORNERS.error()
    dim = rank - 2
    size, scale = spec.size, spec.scale_factor
    output: tuple[int, ...] | None = None
    scales: tuple[float, ...] | None = None
    if size is not None and scale is not None:
        raise E.INTERPOLATE_BOTH.error()
    if size is not None:
        if isinstance(size, tuple):
            if len(size) != dim:
                raise E.INTERPOLATE_SIZE_LENGTH.error(
                    spatial=py_list(shape[2:]), size=py_tuple(size)
                )
            output = size
        else:
            output = (size,) * max(dim, 0)
    elif scale is not None:
        if isinstance(scale, tuple):
            if len(scale) != dim:
                raise E.INTERPOLATE_SCALE_LENGTH.error(
                    spatial=py_list(shape[2:]), scale=repr(scale)
                )
            scales = scale
        else:
            scales = (scale,) * max(dim, 0)
    else:
        raise E.INTERPOLATE_NEITHER.error()
    if spec.recompute_scale_factor and size is not None:
        raise E.INTERPOLATE_RECOMPUTE.error()
    if output is None:
        assert scales is not None
        values = [s * f for s, f in zip(shape[2:], scales, strict=True)]
        if not all(math.isfinite(v) and abs(v) < 2.0**63 for v in values):
            raise E.INTERPOLATE_INT64_OVERFLOW.error()
        output = tuple(int(v) for v in values)
    return output


def _upsample(spec: Upsample, shape: Shape, notes: list[str]) -> Shape:
    rank = len(shape)
    output = upsample_sizes(spec, shape)
    mode = spec.mode
    if mode not in _MODES_AT.get(rank, ()):
        if mode == "lanczos" and rank == 4:
            raise E.LANCZOS_ANTIALIAS.error()
        need = _MODE_RANK.get(mode)
        if need is not None and rank in (3, 4, 5):
            raise E.INTERPOLATE_MODE_RANK.error(idim=rank, mode=mode, need=need)
        raise E.INTERPOLATE_RANK.error(idim=rank, mode=mode)
    if mode == "area":
        from convshape.core.engine import infer_spec

        notes.append(f"mode='area' is adaptive average pooling to {tuple(output)}")
        result = infer_spec(AdaptivePool.make("avg", rank - 2, output, functional=True), shape)
        if result.error is not None:
            raise result.error
        assert result.output is not None
        return result.output
    spatial = shape[2:]
    if min(spatial) <= 0 or min(output) <= 0:
        letters = axis_names(rank - 2) if rank - 2 > 1 else ("W",)
        given = ", ".join(f"{a}: {v}" for a, v in zip(letters, spatial, strict=True))
        got = ", ".join(f"{a}: {v}" for a, v in zip(letters, output, strict=True))
        kind = E.INTERPOLATE_SIZES_1D if rank == 3 else E.INTERPOLATE_SIZES
        raise kind.error(input=given, output=got)
    if math.prod(shape[1:]) == 0:
        raise E.INTERPOLATE_EMPTY.error(r=rank, input=sizes(shape))
    return (*shape[:2], *output)


def _pixel_shuffle(spec: PixelShuffle, shape: Shape) -> Shape:
    rank = len(shape)
    if rank < 3:
        raise E.PIXEL_SHUFFLE_RANK.error(op=spec.op, idim=rank)
    r = spec.factor
    if r <= 0:
        name = "downscale_factor" if spec.inverse else "upscale_factor"
        raise E.PIXEL_SHUFFLE_FACTOR.error(op=spec.op, name=name, factor=r)
    *lead, c, h, w = shape
    if not spec.inverse:
        if c % (r * r):
            raise E.PIXEL_SHUFFLE_CHANNELS.error(channels=c, square=r * r)
        return (*lead, c // (r * r), h * r, w * r)
    for what, dim, size in (("height", -2, h), ("width", -1, w)):
        if size % r:
            raise E.PIXEL_UNSHUFFLE_SPATIAL.error(what=what, dim=dim, size=size, factor=r)
    if math.prod(shape) == 0:
        return shape  # pixel_unshuffle returns an empty input unchanged (pixel_shuffle does not)
    return (*lead, c * r * r, h // r, w // r)


_PAD_MODES: Final[Mapping[str, str]] = {
    "reflection": "reflect",
    "replication": "replicate",
    "circular": "circular",
}


def _pad(spec: Pad, shape: Shape) -> Shape:
    from convshape.ops.pad import pad_shape

    rank = len(shape)
    if spec.kind == "circular" and rank not in (spec.dims + 1, spec.dims + 2):
        ranks = (spec.dims + 1, spec.dims + 2)
        raise E.BATCHNORM_RANK.error(expected=_rank_text(ranks), got=rank)
    pad = spec.padding
    if spec.kind in _PAD_MODES:
        return pad_shape(shape, pad, _PAD_MODES[spec.kind])
    if len(pad) > 2 * rank:
        raise E.PAD_LENGTH.error(pad=len(pad), idim=rank)
    n = len(pad) // 2
    out = list(shape)
    for i in range(rank - n, rank):
        left, right = pad[2 * (rank - i - 1)], pad[2 * (rank - i - 1) + 1]
        size = out[i]
        if left < 0:
            size += left
            if size < 0:
                raise E.NARROW_NEGATIVE.error()
        if right < 0:
            size += right
            if size < 0:
                raise E.NARROW_NEGATIVE.error()
        out[i] = size + max(left, 0) + max(right, 0)
    return tuple(out)


def _number(value: float) -> str:
    """A number as Python prints the value the user wrote (``2``, ``1.5``)."""
    return repr(int(value)) if isinstance(value, int) else repr(value)


# ---------------------------------------------------------------------------------------
# The module table: torch 2.13's constructor signatures, one row per class
# ---------------------------------------------------------------------------------------

Module = Signature
"""One module class convshape knows besides the conv family: ``nn.X``, torch's signature
and how its bound values become a spec (see :class:`~convshape.core.signature.Signature`)."""


def _a(name: str, kind: Kind, default: object = REQUIRED, keyword_only: bool = False) -> Param:
    return Param(name, kind, default, keyword_only)


def _row(
    name: str,
    args: tuple[Param, ...],
    build: Callable[[Mapping[str, object]], LayerSpec],
    varargs: bool = False,
) -> Signature:
    def checked(values: Mapping[str, object]) -> LayerSpec:
        _check_values(name, values)
        return build(values)

    return Signature(name, args, checked, varargs=varargs)


_INPLACE = _a("inplace", "bool", False)
_DEVICE = (_a("device", "any", None), _a("dtype", "any", None))


def _activation_row(name: str, *args: Param, varargs: bool = False) -> Module:
    def build(v: Mapping[str, object]) -> LayerSpec:
        dim = v.get("dim")
        return Activation(
            name,
            dim=cast("int | None", dim),
            num_parameters=cast(int, v.get("num_parameters", 0)),
            approximate=cast(str, v.get("approximate", "none")),
        )

    return _row(f"nn.{name}", args, build, varargs)


def _norm_args(affine: bool, stats: bool) -> tuple[Param, ...]:
    return (
        _a("num_features", "int"),
        _a("eps", "number", 1e-05),
        _a("momentum", "opt_number", 0.1),
        _a("affine", "bool", affine),
        _a("track_running_stats", "bool", stats),
        *_DEVICE,
        _a("bias", "bool", True, keyword_only=True),
    )


def _pad_row(kind: str, dims: int) -> Module:
    args: tuple[Param, ...] = (_a("padding", "ints"),)
    if kind == "constant":
        args += (_a("value", "number"),)

    def build(v: Mapping[str, object]) -> LayerSpec:
        pad = cast("int | tuple[int, ...]", v["padding"])
        padding = (pad,) * (2 * dims) if isinstance(pad, int) else tuple(pad)
        return Pad(kind, dims, padding, float(cast(float, v.get("value", 0.0))))

    return _row(f"nn.{kind.capitalize()}Pad{dims}d", args, build)


def _upsample_build(name: str, mode: str | None) -> Callable[[Mapping[str, object]], LayerSpec]:
    def build(v: Mapping[str, object]) -> LayerSpec:
        scale = v.get("scale_factor")
        if isinstance(scale, tuple):
            scale = tuple(float(f) for f in scale)
        elif scale is not None:
            scale = float(cast(float, scale)) if scale else None  # the constructor's `if`
        return Upsample(
            size=cast("int | tuple[int, ...] | None", v.get("size")),
            scale_factor=scale,
            mode=mode or cast(str, v["mode"]),
            align_corners=True if name == "UpsamplingBilinear2d" else v.get("align_corners"),  # type: ignore[arg-type]
            recompute_scale_factor=cast("bool | None", v.get("recompute_scale_factor")),
            name=name,
        )

    return build


def _table() -> list[Module]:
    rows: list[Module] = []
    for name in ("ReLU", "ReLU6", "SELU", "SiLU", "Mish", "Hardswish", "Hardsigmoid"):
        rows.append(_activation_row(name, _INPLACE))
    for name in ("Sigmoid", "Tanh", "Softsign", "Tanhshrink", "LogSigmoid", "Softmax2d"):
        rows.append(_activation_row(name, varargs=True))
    rows += [
        _activation_row("LeakyReLU", _a("negative_slope", "number", 0.01), _INPLACE),
        _activation_row("ELU", _a("alpha", "number", 1.0), _INPLACE),
        _activation_row("CELU", _a("alpha", "number", 1.0), _INPLACE),
        _activation_row("GELU", _a("approximate", "str", "none")),
        _activation_row(
            "Hardtanh",
            _a("min_val", "number", -1.0),
            _a("max_val", "number", 1.0),
            _INPLACE,
            _a("min_value", "opt_number", None),
            _a("max_value", "opt_number", None),
        ),
        _activation_row("Softplus", _a("beta", "number", 1.0), _a("threshold", "number", 20.0)),
        _activation_row("Softshrink", _a("lambd", "number", 0.5)),
        _activation_row("Hardshrink", _a("lambd", "number", 0.5)),
        _activation_row("Threshold", _a("threshold", "number"), _a("value", "number"), _INPLACE),
        _activation_row(
            "RReLU", _a("lower", "number", 0.125), _a("upper", "number", 1 / 3), _INPLACE
        ),
        _activation_row(
            "PReLU", _a("num_parameters", "int", 1), _a("init", "number", 0.25), *_DEVICE
        ),
        *(_activation_row(n, _a("dim", "opt_int", None)) for n in _SOFTMAX_NAMES),
        _activation_row("GLU", _a("dim", "int", -1)),
    ]
    for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout"):
        rows.append(
            _row(
                f"nn.{name}",
                (_a("p", "number", 0.5), _INPLACE),
                lambda v, name=name: Dropout(name, cast(float, v["p"])),  # type: ignore[misc]
            )
        )
    rows.append(
        _row(
            "nn.FeatureAlphaDropout",
            (_a("p", "number", 0.5), _INPLACE),
            lambda v: Dropout("FeatureAlphaDropout", cast(float, v["p"])),
        )
    )
    rows.append(_row("nn.Identity", (), lambda v: Identity(), varargs=True))
    rows.append(
        _row(
            "nn.Flatten",
            (_a("start_dim", "int", 1), _a("end_dim", "int", -1)),
            lambda v: Flatten(cast(int, v["start_dim"]), cast(int, v["end_dim"])),
        )
    )
    rows.append(
        _row(
            "nn.Unflatten",
            (_a("dim", "int"), _a("unflattened_size", "sizes")),
            lambda v: Unflatten(cast(int, v["dim"]), cast(Ints, v["unflattened_size"])),
        )
    )
    rows.append(
        _row(
            "nn.Linear",
            (
                _a("in_features", "int"),
                _a("out_features", "int"),
                _a("bias", "bool", True),
                *_DEVICE,
            ),
            lambda v: Linear(
                cast(int, v["in_features"]), cast(int, v["out_features"]), cast(bool, v["bias"])
            ),
        )
    )
    rows.append(
        _row(
            "nn.LazyLinear",
            (_a("out_features", "int"), _a("bias", "bool", True), *_DEVICE),
            lambda v: Linear(None, cast(int, v["out_features"]), cast(bool, v["bias"])),
        )
    )
    for d in (1, 2, 3):
        rows.append(
            _row(
                f"nn.BatchNorm{d}d",
                _norm_args(True, True),
                lambda v, d=d: BatchNorm(  # type: ignore[misc]
                    d,
                    cast(int, v["num_features"]),
                    cast(bool, v["affine"]),
                    cast(bool, v["track_running_stats"]),
                    cast(bool, v["bias"]),
                ),
            )
        )
        rows.append(
            _row(
                f"nn.InstanceNorm{d}d",
                _norm_args(False, False),
                lambda v, d=d: InstanceNorm(  # type: ignore[misc]
                    d,
                    cast(int, v["num_features"]),
                    cast(bool, v["affine"]),
                    cast(bool, v["track_running_stats"]),
                    cast(bool, v["bias"]),
                ),
            )
        )
    rows.append(
        _row(
            "nn.GroupNorm",
            (
                _a("num_groups", "int"),
                _a("num_channels", "int"),
                _a("eps", "number", 1e-05),
                _a("affine", "bool", True),
                *_DEVICE,
                _a("bias", "bool", True, keyword_only=True),
            ),
            lambda v: GroupNorm(
                cast(int, v["num_groups"]),
                cast(int, v["num_channels"]),
                cast(bool, v["affine"]),
                cast(bool, v["bias"]),
            ),
        )
    )
    rows.append(
        _row(
            "nn.LayerNorm",
            (
                _a("normalized_shape", "ints"),
                _a("eps", "number", 1e-05),
                _a("elementwise_affine", "bool", True),
                _a("bias", "bool", True),
                *_DEVICE,
            ),
            lambda v: LayerNorm(
                _tuple(cast("int | tuple[int, ...]", v["normalized_shape"])),
                cast(bool, v["elementwise_affine"]),
                cast(bool, v["bias"]),
            ),
        )
    )
    rows.append(
        _row(
            "nn.Upsample",
            (
                _a("size", "opt_ints", None),
                _a("scale_factor", "numbers", None),
                _a("mode", "str", "nearest"),
                _a("align_corners", "opt_bool", None),
                _a("recompute_scale_factor", "opt_bool", None),
            ),
            _upsample_build("Upsample", None),
        )
    )
    for name, mode in (("UpsamplingNearest2d", "nearest"), ("UpsamplingBilinear2d", "bilinear")):
        rows.append(
            _row(
                f"nn.{name}",
                (_a("size", "opt_ints", None), _a("scale_factor", "numbers", None)),
                _upsample_build(name, mode),
            )
        )
    rows.append(
        _row(
            "nn.PixelShuffle",
            (_a("upscale_factor", "int"),),
            lambda v: PixelShuffle(cast(int, v["upscale_factor"])),
        )
    )
    rows.append(
        _row(
            "nn.PixelUnshuffle",
            (_a("downscale_factor", "int"),),
            lambda v: PixelShuffle(cast(int, v["downscale_factor"]), inverse=True),
        )
    )
    for kind in ("zero", "constant", "reflection", "replication", "circular"):
        rows += [_pad_row(kind, d) for d in (1, 2, 3)]
    return rows


def _tuple(value: int | tuple[int, ...]) -> Ints:
    return (value,) if isinstance(value, int) else tuple(value)


LAYER_TABLE: Final[Mapping[str, Module]] = {m.name: m for m in _table()}
"""Every non-conv module convshape knows, by canonical name (``nn.BatchNorm2d``)."""

_PREFIXES: Final = ((), ("nn",), ("torch", "nn"), ("torch", "nn", "modules"))


def lookup(parts: list[str] | tuple[str, ...]) -> Module | None:
    """The row for a dotted name as written (``nn.ReLU``, ``torch.nn.ReLU``, ``ReLU``)."""
    if not parts or tuple(parts[:-1]) not in _PREFIXES:
        return None
    return LAYER_TABLE.get(f"nn.{parts[-1]}")


# ---------------------------------------------------------------------------------------
# Binding pasted code to a row (ast only, nothing evaluated)
# ---------------------------------------------------------------------------------------


def _check_values(name: str, v: Mapping[str, object]) -> None:
    """Arguments with which torch fails to build the module in ways that are not shape
    errors (an internal error, an AttributeError): refused up front, named."""
    if name == "nn.Unflatten":
        sizes_ = cast(Ints, v["unflattened_size"])
        if sum(1 for s in sizes_ if s == -1) > 1 or any(s < -1 for s in sizes_):
            raise UsageError(
                f"{name}: unflattened_size={sizes_!r} may hold one -1 and sizes >= 0 "
                "(torch fails with an internal error otherwise)"
            )
    if name == "nn.GroupNorm" and cast(int, v["num_groups"]) <= 0:
        raise UsageError(f"{name}: num_groups={v['num_groups']} must be positive")
    if name.startswith(("nn.BatchNorm", "nn.InstanceNorm")) and cast(int, v["num_features"]) == 0:
        raise UsageError(f"{name}: num_features=0 (torch cannot build the module)")
    if name.startswith(("nn.ZeroPad", "nn.ConstantPad", "nn.Reflection", "nn.Replication")) or (
        name.startswith("nn.CircularPad")
    ):
        pad = v["padding"]
        if isinstance(pad, tuple) and len(pad) % 2:
            raise UsageError(f"{name}: padding={pad!r} needs (left, right) pairs")


# ---------------------------------------------------------------------------------------
# Specs back to code, and advice for their errors
# ---------------------------------------------------------------------------------------


def _kw(name: str, value: object, default: object) -> list[str]:
    return [] if value == default else [f"{name}={value!r}"]


def _ints_code(values: Ints) -> str:
    return str(values[0]) if len(set(values)) == 1 else repr(tuple(values))


def layer_code(spec: LayerSpec) -> str:
    """The module as PyTorch code (``nn.BatchNorm2d(32)``); arguments that do not affect
    shapes or parameters (eps, slopes) are left out."""
    args: list[str] = []
    if isinstance(spec, BatchNorm | InstanceNorm):
        default = isinstance(spec, BatchNorm)
        args = [str(spec.num_features)]
        args += _kw("affine", spec.affine, default) + _kw(
            "track_running_stats", spec.track_running_stats, default
        )
        args += _kw("bias", spec.bias, True)
    elif isinstance(spec, GroupNorm):
        args = [str(spec.num_groups), str(spec.num_channels)]
        args += _kw("affine", spec.affine, True) + _kw("bias", spec.bias, True)
    elif isinstance(spec, LayerNorm):
        norm = spec.normalized_shape
        args = [str(norm[0]) if len(norm) == 1 else repr(list(norm))]
        args += _kw("elementwise_affine", spec.elementwise_affine, True)
        args += _kw("bias", spec.bias, True)
    elif isinstance(spec, Activation):
        if spec.name == "PReLU":
            args = _kw("num_parameters", spec.num_parameters, 1)
        elif spec.name == "GLU":
            args = _kw("dim", spec.dim, -1)
        elif spec.name in _SOFTMAX_NAMES:
            args = _kw("dim", spec.dim, None)
        elif spec.name == "GELU":
            args = _kw("approximate", spec.approximate, "none")
    elif isinstance(spec, Dropout):
        args = _kw("p", spec.p, 0.5)
    elif isinstance(spec, Flatten):
        args = _kw("start_dim", spec.start_dim, 1) + _kw("end_dim", spec.end_dim, -1)
    elif isinstance(spec, Unflatten):
        args = [str(spec.dim), repr(tuple(spec.unflattened_size))]
    elif isinstance(spec, Linear):
        if spec.in_features is not None:
            args.append(str(spec.in_features))
        args += [str(spec.out_features), *_kw("bias", spec.bias, True)]
    elif isinstance(spec, Upsample):
        args = _kw("size", spec.size, None) + _kw("scale_factor", spec.scale_factor, None)
        if spec.name == "Upsample":
            args += _kw("mode", spec.mode, "nearest")
            args += _kw("align_corners", spec.align_corners, None)
        args += _kw("recompute_scale_factor", spec.recompute_scale_factor, None)
    elif isinstance(spec, PixelShuffle):
        args = [str(spec.factor)]
    elif isinstance(spec, Pad):
        args = [_ints_code(spec.padding)]
        if spec.kind == "constant":
            args.append(repr(spec.value))
    return f"nn.{spec.cls}({', '.join(args)})"
