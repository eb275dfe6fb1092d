"""A fixture op family, registered only in tests: ``nn.ChannelShuffle`` / ``F.channel_shuffle``.

It is the worked example of docs/architecture.md ("Adding an op"): everything one family
knows, in one module. The docs quote this file; ``tests/test_architecture.py`` registers
it and drives it through every reader and feature, and against torch.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import cast

from convshape.core import errors as E
from convshape.core.arithmetic import identity_window
from convshape.core.errors import sizes
from convshape.core.registry import OpFamily, TorchCall, Window
from convshape.core.sampling import small
from convshape.core.shapes import Shape
from convshape.core.signature import Param, Signature
from convshape.core.trace import Env, Trace

# 1. The error templates, as torch 2.13 words them (in convshape/core/errors.py for a
#    real op; codes CS850-CS852 are free there).
RANK = E.define(
    "CS850",
    "channel-shuffle-rank",
    E.RT,
    E.LAYERS,
    "channel_shuffle expects input with > 2 dims, but got input with sizes {shape}",
)
GROUPS = E.define(
    "CS851",
    "channel-shuffle-groups",
    E.RT,
    E.LAYERS,
    "Number of groups to divide channels in must be positive. Value of groups:{groups}",
)
DIVISIBLE = E.define(
    "CS852",
    "channel-shuffle-divisible",
    E.RT,
    E.LAYERS,
    "Number of channels must be divisible by groups. Got {channels} channels and {groups} groups.",
)


# 2. The spec: what the user's code says, immutable; ``op`` names it in reports.
@dataclass(frozen=True)
class ChannelShuffle:
    groups: int
    functional: bool = False

    @property
    def op(self) -> str:
        return "channel_shuffle"


# 3. The rules, in torch's check order (aten/src/ATen/native/ChanelShuffle.cpp); the
#    input tensor must exist first (torch.empty of a negative size raises).
def infer(spec: ChannelShuffle, shape: Shape, trace: Trace, env: Env) -> Shape:
    E.check_input(shape)
    if len(shape) <= 2:
        raise RANK.error(shape=sizes(shape))
    if spec.groups <= 0:
        raise GROUPS.error(groups=spec.groups)
    if shape[1] % spec.groups:
        raise DIVISIBLE.error(channels=shape[1], groups=spec.groups)
    trace.notes.append(f"{shape[1]} channels in {spec.groups} groups of {shape[1] // spec.groups}")
    return shape


# 4. torch's signatures, in its positional order.
def _build(functional: bool) -> Callable[[Mapping[str, object]], ChannelShuffle]:
    def build(values: Mapping[str, object]) -> ChannelShuffle:
        return ChannelShuffle(cast(int, values["groups"]), functional)

    return build


SIGNATURES = (
    Signature("nn.ChannelShuffle", (Param("groups", "int"),), _build(False), ChannelShuffle),
    Signature(
        "F.channel_shuffle",
        (Param("input", "tensor"), Param("groups", "int")),
        _build(True),
        ChannelShuffle,
    ),
)


# 5. Back to code, and how the oracle builds it in torch.
def code(spec: ChannelShuffle) -> str:
    if spec.functional:
        return f"F.channel_shuffle(x, {spec.groups})"
    return f"nn.ChannelShuffle({spec.groups})"


def torch_call(spec: ChannelShuffle) -> TorchCall:
    if spec.functional:
        return TorchCall("channel_shuffle", (spec.groups,), module=False)
    return TorchCall("ChannelShuffle", (spec.groups,))


# 6. A fuzz generator: valid and invalid layers and inputs.
def fuzz(r: random.Random) -> tuple[ChannelShuffle, Shape]:
    groups = small(r, 1, 4)
    channels = groups * r.randint(1, 3) + (1 if r.random() < 0.2 else 0)
    rank = r.choice([2, 3, 3, 4, 4, 5])
    shape = (r.randint(1, 3), channels, *(r.randint(1, 5) for _ in range(rank - 2)))
    return ChannelShuffle(groups, r.random() < 0.3), shape


# 7. The receptive-field window: every position stays where it is.
def window(spec: ChannelShuffle, shape: Shape, output: Shape, n: int) -> list[Window] | None:
    return [identity_window()] * n


# 8. Everything together. A real op module ends with ``FAMILY = register(OpFamily(...))``;
#    the tests register this one themselves, so that it never leaks into other tests.
FAMILY = OpFamily(
    name="channel_shuffle",
    specs=(ChannelShuffle,),
    signatures=SIGNATURES,
    infer=infer,
    code=code,
    torch=torch_call,
    fuzz={"channel_shuffle": fuzz},
    window=window,
    spatial_rank=lambda spec: 0,
)
