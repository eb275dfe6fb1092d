"""Normalization layers: ``nn.BatchNorm{1,2,3}d``, ``nn.InstanceNorm{1,2,3}d``,
``nn.GroupNorm`` and ``nn.LayerNorm``.

Mirrors torch 2.13 on CPU: the modules' ``_check_input_dim`` and ``forward``,
``F.batch_norm`` / ``F.instance_norm`` (``_verify_batch_size``, ``_verify_spatial_size``),
``native_group_norm`` and ``layer_norm`` input checks.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, cast

from convshape.core import errors as E
from convshape.core.errors import ShapeError, UsageError, py_list, sizes, torch_size
from convshape.core.registry import LAYERS, OpFamily, TorchCall, register
from convshape.core.releases import Span, current, span
from convshape.core.shapes import Ints, Shape
from convshape.core.signature import Param, Signature
from convshape.core.trace import Env, Trace
from convshape.ops.common import (
    DEVICE,
    arg,
    built,
    feature_shape,
    kwarg,
    module_code,
    negative_sizes,
    pointwise,
    rank_text,
    row,
    size_at,
)

__all__ = ["FAMILY", "BatchNorm", "GroupNorm", "InstanceNorm", "LayerNorm", "Norm"]


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


Norm = BatchNorm | InstanceNorm | GroupNorm | LayerNorm


# ---------------------------------------------------------------------------------------
# The constructor: parameters and buffers
# ---------------------------------------------------------------------------------------


def _param_shapes(spec: Norm) -> list[Shape]:
    """The shapes of the tensors the constructor allocates (parameters and buffers)."""
    if isinstance(spec, BatchNorm | InstanceNorm):
        n = (1 + int(spec.bias)) * int(spec.affine) + 2 * int(spec.track_running_stats)
        return [(spec.num_features,)] * n
    if isinstance(spec, GroupNorm):
        return [(spec.num_channels,)] * ((1 + int(spec.bias)) * int(spec.affine))
    if not spec.elementwise_affine:
        return []
    return [spec.normalized_shape] * (2 if spec.bias else 1)


BIAS_ADDED: Final[Mapping[str, tuple[str, Span]]] = {
    "BatchNorm": ("_BatchNorm", span("2.12-")),
    "InstanceNorm": ("_InstanceNorm", span("2.12-")),
    "GroupNorm": ("GroupNorm", span("2.12-")),
    "LayerNorm": ("LayerNorm", span("2.1-")),
}
"""Per norm, the ``__init__`` that takes ``bias=`` and the releases whose does (the older
ones refuse the keyword; docs/releases.md)."""


def construct_error(spec: Norm) -> ShapeError | None:
    """What the constructor raises: a ``bias=`` it does not take (releases before
    :data:`BIAS_ADDED`), groups that do not divide the channels, a negative size."""
    init, added = BIAS_ADDED[type(spec).__name__]
    if not getattr(spec, "bias", True) and current() not in added:
        return E.UNEXPECTED_KEYWORD.error(cls=init, name="bias")
    if isinstance(spec, GroupNorm) and spec.num_groups and spec.num_channels % spec.num_groups:
        return E.GROUPNORM_GROUPS.error(channels=spec.num_channels, groups=spec.num_groups)
    return negative_sizes(_param_shapes(spec))


def params(spec: Norm, shape: Shape | None) -> int:
    """``sum(p.numel() for p in m.parameters())`` (running statistics are buffers)."""
    if isinstance(spec, BatchNorm | InstanceNorm):
        count = (1 + int(spec.bias)) * spec.num_features if spec.affine else 0
    else:
        count = sum(math.prod(s) for s in _param_shapes(spec))
    return max(count, 0)


# ---------------------------------------------------------------------------------------
# Shape rules, in torch 2.13's CPU check order
# ---------------------------------------------------------------------------------------


def infer(spec: Norm, shape: Shape, trace: Trace, env: Env) -> Shape:
    built(construct_error(spec))
    E.check_input(shape)
    if isinstance(spec, BatchNorm):
        return _batch_norm(spec, shape, env.training)
    if isinstance(spec, InstanceNorm):
        return _instance_norm(spec, shape, env.training, trace)
    if isinstance(spec, GroupNorm):
        return _group_norm(spec, shape)
    return _layer_norm(spec, shape)


def _batch_norm(spec: BatchNorm, shape: Shape, training: bool) -> Shape:
    ranks = (2, 3) if spec.dims == 1 else (spec.dims + 2,)
    if len(shape) not in ranks:
        raise E.BATCHNORM_RANK.error(expected=rank_text(ranks), got=len(shape))
    if (training or not spec.track_running_stats) and shape[0] * math.prod(shape[2:]) == 1:
        raise E.BATCHNORM_ONE_VALUE.error(input=torch_size(shape))
    if math.prod(shape) == 0:
        return shape
    if spec.track_running_stats and shape[1] != spec.num_features:
        raise E.BATCHNORM_FEATURES.error(got=shape[1], expected=spec.num_features)
    if spec.affine and shape[1] != spec.num_features:
        raise E.BATCHNORM_WEIGHT_FEATURES.error(got=shape[1], expected=spec.num_features)
    return shape


def _instance_norm(spec: InstanceNorm, shape: Shape, training: bool, trace: Trace) -> Shape:
    ranks = (spec.dims + 1, spec.dims + 2)
    if len(shape) not in ranks:
        raise E.BATCHNORM_RANK.error(expected=rank_text(ranks), got=len(shape))
    feature_dim = len(shape) - (spec.dims + 1)
    channels = shape[feature_dim]
    if channels != spec.num_features and current() in INSTANCENORM_FEATURES_CHECKED:
        if spec.affine:
            raise E.INSTANCENORM_FEATURES.error(
                dim=feature_dim, expected=spec.num_features, got=channels
            )
        trace.warnings.append(E.INSTANCENORM_FEATURES_WARNING.format(dim=feature_dim))
    batched = shape if feature_dim == 1 else (1, *shape)
    use_input_stats = training or not spec.track_running_stats
    if use_input_stats and math.prod(batched[2:]) == 1:
        raise E.INSTANCENORM_SPATIAL.error(input=torch_size(batched))
    if math.prod(batched) == 0:
        b = batched[0]
        if spec.affine and b * spec.num_features == 0:  # batch_norm: weight repeated b times
            raise E.EMPTY_SELECT.error()
        if spec.track_running_stats and use_input_stats and b * channels != b * spec.num_features:
            # batch_norm returns the empty input; copying the running statistics back
            # views the (b * num_features) values as [b, channels]
            raise E.INSTANCENORM_STATS_VIEW.error(b=b, c=channels, size=b * spec.num_features)
        if spec.track_running_stats and use_input_stats and channels != spec.num_features:
            # an empty batch: the running statistics are updated by the per-channel means
            if spec.num_features == 1:
                raise E.INSTANCENORM_STATS_BROADCAST_ONE.error(c=channels)
            raise E.INSTANCENORM_STATS_BROADCAST.error(features=spec.num_features, c=channels)
        return shape
    b = batched[0]
    if spec.track_running_stats and channels != spec.num_features:
        raise E.BATCHNORM_FEATURES.error(got=b * channels, expected=b * spec.num_features)
    if spec.affine and channels != spec.num_features:  # unchecked before, in old releases
        raise E.BATCHNORM_WEIGHT_FEATURES.error(got=b * channels, expected=b * spec.num_features)
    return shape


INSTANCENORM_FEATURES_CHECKED = span("2.1-")
"""Releases whose nn.InstanceNormNd compares the input's channels with num_features (the
older ones leave it to batch_norm's checks on the statistics and weight repeated per
sample)."""
GROUPNORM_RANK_CHECKED = span("2.0-")
"""Releases whose F.group_norm checks the rank before ``input.size(1)`` (older ones raise
size()'s IndexError)."""
GROUPNORM_SIZES_CHECKED = span("2.14-")
"""Releases whose group_norm refuses zero channels and an empty HxW (docs/releases.md)."""


def _group_norm(spec: GroupNorm, shape: Shape) -> Shape:
    if len(shape) < 2 and current() in GROUPNORM_RANK_CHECKED:
        raise E.GROUPNORM_RANK.error(idim=len(shape))
    n, c = size_at(shape, 0), size_at(shape, 1)
    verify = [n * c // spec.num_groups, spec.num_groups, *shape[2:]]
    if verify[0] * math.prod(verify[2:]) == 1:
        raise E.BATCHNORM_ONE_VALUE.error(input=py_list(verify))
    if c % spec.num_groups:
        raise E.GROUPNORM_INPUT_GROUPS.error(input=sizes(shape), groups=spec.num_groups)
    if current() in GROUPNORM_SIZES_CHECKED:
        if c <= 0:
            raise E.GROUPNORM_NO_CHANNELS.error(c=c)
        if math.prod(shape[2:]) <= 0:
            raise E.GROUPNORM_NO_SPATIAL.error(hxw=math.prod(shape[2:]))
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


# ---------------------------------------------------------------------------------------
# Signatures (torch/nn/modules/batchnorm.py, instancenorm.py, normalization.py)
# ---------------------------------------------------------------------------------------


def _norm_args(affine: bool, stats: bool) -> tuple[Param, ...]:
    return (
        arg("num_features", "int"),
        arg("eps", "number", 1e-05),
        arg("momentum", "opt_number", 0.1),
        arg("affine", "bool", affine),
        arg("track_running_stats", "bool", stats),
        *DEVICE,
        arg("bias", "bool", True, keyword_only=True),
    )


def _features(cls: str) -> Callable[[Mapping[str, object]], None]:
    def check(v: Mapping[str, object]) -> None:
        if cast(int, v["num_features"]) == 0:
            raise UsageError(f"nn.{cls}: num_features=0 (torch cannot build the module)")

    return check


def _check_groups(v: Mapping[str, object]) -> None:
    if cast(int, v["num_groups"]) <= 0:
        raise UsageError(f"nn.GroupNorm: num_groups={v['num_groups']} must be positive")


def _batch(d: int, instance: bool) -> Callable[[Mapping[str, object]], Norm]:
    kind = InstanceNorm if instance else BatchNorm

    def build(v: Mapping[str, object]) -> Norm:
        return kind(
            d,
            cast(int, v["num_features"]),
            cast(bool, v["affine"]),
            cast(bool, v["track_running_stats"]),
            cast(bool, v["bias"]),
        )

    return build


def _ints(value: int | Ints) -> Ints:
    return (value,) if isinstance(value, int) else tuple(value)


def _signatures() -> tuple[Signature, ...]:
    rows: list[Signature] = []
    for d in (1, 2, 3):
        for instance, kind in ((False, BatchNorm), (True, InstanceNorm)):
            cls = f"{'InstanceNorm' if instance else 'BatchNorm'}{d}d"
            rows.append(
                row(
                    f"nn.{cls}",
                    _norm_args(instance is False, instance is False),
                    _batch(d, instance),
                    kind,
                    kind.__name__.lower().replace("norm", "_norm"),
                    what=f"{'instance' if instance else 'batch'} normalization",
                    dims=d,
                    check=_features(cls),
                )
            )
    rows.append(
        row(
            "nn.GroupNorm",
            (
                arg("num_groups", "int"),
                arg("num_channels", "int"),
                arg("eps", "number", 1e-05),
                arg("affine", "bool", True),
                *DEVICE,
                arg("bias", "bool", True, keyword_only=True),
            ),
            lambda v: GroupNorm(
                cast(int, v["num_groups"]),
                cast(int, v["num_channels"]),
                cast(bool, v["affine"]),
                cast(bool, v["bias"]),
            ),
            GroupNorm,
            "group_norm",
            what="group normalization",
            check=_check_groups,
        )
    )
    rows.append(
        row(
            "nn.LayerNorm",
            (
                arg("normalized_shape", "ints"),
                arg("eps", "number", 1e-05),
                arg("elementwise_affine", "bool", True),
                arg("bias", "bool", True),
                *DEVICE,
            ),
            lambda v: LayerNorm(
                _ints(cast("int | tuple[int, ...]", v["normalized_shape"])),
                cast(bool, v["elementwise_affine"]),
                cast(bool, v["bias"]),
            ),
            LayerNorm,
            "layer_norm",
            what="layer normalization",
        )
    )
    return tuple(rows)


# ---------------------------------------------------------------------------------------
# Back to code, and to torch
# ---------------------------------------------------------------------------------------


def code(spec: Norm) -> str:
    """The module as PyTorch code (``nn.BatchNorm2d(32)``); eps and momentum are left out."""
    if isinstance(spec, BatchNorm | InstanceNorm):
        default = isinstance(spec, BatchNorm)
        args = [str(spec.num_features)]
        args += kwarg("affine", spec.affine, default)
        args += kwarg("track_running_stats", spec.track_running_stats, default)
        args += kwarg("bias", spec.bias, True)
    elif isinstance(spec, GroupNorm):
        args = [str(spec.num_groups), str(spec.num_channels)]
        args += kwarg("affine", spec.affine, True) + kwarg("bias", spec.bias, True)
    else:
        norm = spec.normalized_shape
        args = [str(norm[0]) if len(norm) == 1 else repr(list(norm))]
        args += kwarg("elementwise_affine", spec.elementwise_affine, True)
        args += kwarg("bias", spec.bias, True)
    return module_code(spec.cls, args)


def torch_call(spec: Norm) -> TorchCall:
    if isinstance(spec, BatchNorm | InstanceNorm):
        kwargs: dict[str, object] = {
            "affine": spec.affine,
            "track_running_stats": spec.track_running_stats,
        }
        if not spec.bias:
            kwargs["bias"] = False
        return TorchCall(spec.cls, (spec.num_features,), kwargs)
    # bias= only when the code sets it: releases before 2.10 (2.1 for LayerNorm) lack it
    if isinstance(spec, GroupNorm):
        kwargs = {"affine": spec.affine}
        if not spec.bias:
            kwargs["bias"] = False
        return TorchCall("GroupNorm", (spec.num_groups, spec.num_channels), kwargs)
    kwargs = {"elementwise_affine": spec.elementwise_affine}
    if not spec.bias:
        kwargs["bias"] = False
    return TorchCall("LayerNorm", (list(spec.normalized_shape),), kwargs)


def spatial_rank(spec: Norm) -> int | None:
    """BatchNorm / InstanceNorm name their spatial rank; group and layer norm do not."""
    return spec.dims if isinstance(spec, BatchNorm | InstanceNorm) else None


# ---------------------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------------------


def _gen_batch(d: int, instance: bool) -> Callable[[random.Random], tuple[Norm, Shape]]:
    def gen(r: random.Random) -> tuple[Norm, Shape]:
        c = r.randint(1, 6)
        affine = r.random() < (0.3 if instance else 0.8)
        stats = r.random() < (0.3 if instance else 0.8)
        kind = InstanceNorm if instance else BatchNorm
        spec = kind(d, c, affine, stats, r.random() < 0.9)
        return spec, feature_shape(r, c, d)

    return gen


def _gen_group(r: random.Random) -> tuple[GroupNorm, Shape]:
    g = r.randint(1, 4)
    c = g * r.randint(1, 3) if r.random() < 0.9 else r.randint(1, 8)
    spec = GroupNorm(g, c, r.random() < 0.8, r.random() < 0.9)
    return spec, feature_shape(r, c, r.randint(0, 2))


def _gen_layer(r: random.Random) -> tuple[LayerNorm, Shape]:
    shape = feature_shape(r, r.randint(1, 5), r.randint(0, 2))
    n = r.randint(1, max(len(shape), 1))
    norm = tuple(shape[len(shape) - n :]) if len(shape) >= n else ()
    if r.random() < 0.15 or not norm:
        norm = tuple(r.randint(1, 5) for _ in range(r.randint(1, 2)))
    spec = LayerNorm(norm, r.random() < 0.8, r.random() < 0.9)
    return spec, shape


FAMILY = register(
    OpFamily(
        name="norm",
        rank=10,
        group=LAYERS,
        specs=(BatchNorm, InstanceNorm, GroupNorm, LayerNorm),
        signatures=_signatures(),
        infer=infer,
        code=code,
        torch=torch_call,
        fuzz={
            **{f"batch_norm{d}d": _gen_batch(d, False) for d in (1, 2, 3)},
            **{f"instance_norm{d}d": _gen_batch(d, True) for d in (1, 2, 3)},
            "group_norm": _gen_group,
            "layer_norm": _gen_layer,
        },
        window=pointwise,
        spatial_rank=spatial_rank,
        params=params,
        construct_error=construct_error,
    )
)
