"""``nn.Upsample`` (``F.interpolate``) and ``nn.UpsamplingNearest2d`` /
``nn.UpsamplingBilinear2d``.

Mirrors torch 2.13 on CPU: ``F.interpolate``'s argument checks and output size
(``floor(size * scale)``), the per-mode rank checks and the upsample kernels' size checks;
``mode='area'`` is adaptive average pooling (the pooling family's rules).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final, cast

from convshape.core import errors as E
from convshape.core.arithmetic import axis_names
from convshape.core.errors import py_list, py_tuple, sizes
from convshape.core.registry import LAYERS, MetaReleases, OpFamily, TorchCall, Window, register
from convshape.core.releases import span
from convshape.core.shapes import Ints, Shape
from convshape.core.signature import Param, Signature
from convshape.core.trace import Env, Trace
from convshape.ops.common import arg, feature_shape, kwarg, module_code, row

__all__ = ["FAMILY", "Upsample", "upsample_sizes"]


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


# ---------------------------------------------------------------------------------------
# Shape rules, in torch 2.13's CPU check order
# ---------------------------------------------------------------------------------------

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


def infer(spec: Upsample, shape: Shape, trace: Trace, env: Env) -> Shape:
    E.check_input(shape)
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
        from convshape.ops.adaptive import AdaptivePool

        trace.notes.append(f"mode='area' is adaptive average pooling to {tuple(output)}")
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


# ---------------------------------------------------------------------------------------
# Signatures (torch/nn/modules/upsampling.py)
# ---------------------------------------------------------------------------------------


def _builder(name: str, mode: str | None) -> Callable[[Mapping[str, object]], Upsample]:
    def build(v: Mapping[str, object]) -> Upsample:
        scale = v.get("scale_factor")
        if isinstance(scale, tuple):
            scale = tuple(float(f) for f in scale)
        elif scale is not None:
            scale = float(cast(float, scale)) if scale else None  # the constructor's `if`
        align = True if name == "UpsamplingBilinear2d" else v.get("align_corners")
        return Upsample(
            size=cast("int | tuple[int, ...] | None", v.get("size")),
            scale_factor=scale,
            mode=mode or cast(str, v["mode"]),
            align_corners=cast("bool | None", align),
            recompute_scale_factor=cast("bool | None", v.get("recompute_scale_factor")),
            name=name,
        )

    return build


_SIZES: Final[tuple[Param, ...]] = (
    arg("size", "opt_ints", None),
    arg("scale_factor", "numbers", None),
)


def _signatures() -> tuple[Signature, ...]:
    rows = [
        row(
            "nn.Upsample",
            (
                *_SIZES,
                arg("mode", "str", "nearest"),
                arg("align_corners", "opt_bool", None),
                arg("recompute_scale_factor", "opt_bool", None),
            ),
            _builder("Upsample", None),
            Upsample,
            "upsample",
            what="upsampling (F.interpolate)",
        )
    ]
    for name, mode in (("UpsamplingNearest2d", "nearest"), ("UpsamplingBilinear2d", "bilinear")):
        rows.append(
            row(
                f"nn.{name}",
                _SIZES,
                _builder(name, mode),
                Upsample,
                "upsample",
                dims=2,
                what=f"{mode} upsampling",
            )
        )
    return tuple(rows)


# ---------------------------------------------------------------------------------------
# Back to code, and to torch; in a stack
# ---------------------------------------------------------------------------------------


def code(spec: Upsample) -> str:
    args = kwarg("size", spec.size, None) + kwarg("scale_factor", spec.scale_factor, None)
    if spec.name == "Upsample":
        args += kwarg("mode", spec.mode, "nearest")
        args += kwarg("align_corners", spec.align_corners, None)
    args += kwarg("recompute_scale_factor", spec.recompute_scale_factor, None)
    return module_code(spec.cls, args)


def torch_call(spec: Upsample) -> TorchCall:
    size = spec.size  # as written: torch's messages print a tuple as a tuple
    if spec.name != "Upsample":
        return TorchCall(spec.name, (size, spec.scale_factor))
    args = (size, spec.scale_factor, spec.mode, spec.align_corners, spec.recompute_scale_factor)
    return TorchCall("Upsample", args)


def window(spec: Upsample, shape: Shape, output: Shape, n: int) -> list[Window] | None:
    """Nearest upsampling by a whole factor repeats each position; other modes blend."""
    from fractions import Fraction

    if spec.mode != "nearest":
        return None
    size, out = shape[len(shape) - n :], output[len(output) - n :]
    result = []
    for i in range(n):
        if size[i] <= 0 or out[i] % size[i]:
            return None
        result.append((Fraction(0), Fraction(1, out[i] // size[i]), Fraction(0)))
    return result


def _no_rank(spec: Upsample) -> int | None:
    return None


# ---------------------------------------------------------------------------------------
# Fuzzing
# ---------------------------------------------------------------------------------------

_MODES: Final = (
    "nearest",
    "nearest",
    "linear",
    "bilinear",
    "bicubic",
    "trilinear",
    "area",
    "nearest-exact",
)


def _gen(r: random.Random) -> tuple[Upsample, Shape]:
    n = r.randint(1, 3)
    shape = feature_shape(r, r.randint(1, 3), n)
    size: int | Ints | None = None
    scale: float | tuple[float, ...] | None = None
    u = r.random()
    if u < 0.4:
        size = r.randint(1, 8) if r.random() < 0.5 else tuple(r.randint(1, 8) for _ in range(n))
    elif u < 0.95:
        scale = (
            r.choice([0.5, 1.0, 2.0, 1.5, 3.0])
            if r.random() < 0.6
            else tuple(r.choice([0.5, 1.0, 2.0, 3.0]) for _ in range(n))
        )
    if r.random() < 0.03:
        size, scale = 2, 2.0
    mode = r.choice(_MODES)
    align = None
    if mode in ("linear", "bilinear", "bicubic", "trilinear") and r.random() < 0.5:
        align = r.random() < 0.5
    elif r.random() < 0.03:
        align = True
    recompute = r.choice([None, None, None, True, False])
    return Upsample(size, scale, mode, align, recompute), shape


META = MetaReleases(
    missing={
        "aten::upsample_nearest3d.vec": span("-1.13"),
        "aten::_upsample_nearest_exact3d.vec": span("-1.13"),
    },
)
"""What meta does differently from CPU with these layers in some releases (verify)."""


FAMILY = register(
    OpFamily(
        meta=META,
        name="upsample",
        rank=14,
        group=LAYERS,
        specs=(Upsample,),
        signatures=_signatures(),
        infer=infer,
        code=code,
        torch=torch_call,
        fuzz={"upsample": _gen},
        window=window,
        spatial_rank=_no_rank,
    )
)
