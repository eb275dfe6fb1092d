"""convshape explain: every error kind, from messages and tracebacks that real torch raises.

Nothing here types a torch message by hand: each case runs a layer on CPU torch (a script
written to a temporary file, so its traceback has a user frame), captures ``str(exc)`` and
``traceback.format_exc()``, and feeds them to ``explain``. Each reproducing command explain
offers is run again through ``convshape calc`` and must print the same message.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
import time
import traceback
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from convshape.cli.app import cli
from convshape.core import errors as E
from convshape.core.code import repro_script
from convshape.core.errors import KINDS, ShapeError
from convshape.core.shapes import Shape
from convshape.features.advice import advise, factorisations
from convshape.features.explain import GENERIC, default_lang, explain, explain_text, find_error
from convshape.ops import AdaptivePool, Conv, ConvCall, Fold, Pool, Spec, Unfold

torch = pytest.importorskip("torch")

runner = CliRunner()

C = Conv.make
F = ConvCall.make
U = Unfold.make
FO = Fold.make


def P(kind: str, dims: int, kernel: int | tuple[int, ...], **kw: object) -> Pool:
    return Pool.make(kind, dims, kernel, **kw)  # type: ignore[arg-type]


def A(kind: str, dims: int, size: int | tuple[int | None, ...], **kw: object) -> AdaptivePool:
    return AdaptivePool.make(kind, dims, size, **kw)  # type: ignore[arg-type]


# (code, layer, input): one layer per kind of the engine's families that makes torch raise it.
SPEC_CASES: list[tuple[str, Spec, Shape]] = [
    ("CS101", C(2, 6, 8, (3, 3)), (6, 8)),
    ("CS102", F(1, (8, 4)), (1, 4, 5)),
    ("CS103", F(2, (8, 4, 3, 3), groups=0), (1, 4, 5, 5)),
    ("CS104", F(2, (8, 4, 3, 3), stride=(1, 1, 1)), (1, 4, 5, 5)),
    ("CS105", F(2, (8, 4, 3, 3), padding=(-1, -1)), (1, 4, 5, 5)),
    ("CS106", F(2, (4, 8, 3, 3), transposed=True, output_padding=(-1, -1)), (1, 4, 5, 5)),
    ("CS107", F(2, (8, 4, 3, 3), stride=(0, 0)), (1, 4, 5, 5)),
    ("CS108", F(2, (8, 4, 3, 3), dilation=(-1, -1)), (1, 4, 5, 5)),
    ("CS109", F(1, (8, 4, 3, 3)), (1, 4, 5)),
    ("CS110", F(2, (1, 3, 3, 3), groups=2), (1, 6, 5, 5)),
    ("CS111", F(2, (13, 3, 3, 3), groups=2), (1, 6, 5, 5)),
    ("CS112", F(2, (12, 5, 3, 3), padding=(1, 1)), (2, 6, 5, 5)),
    ("CS113", F(2, (8, 4, 3, 3), (7,)), (1, 4, 5, 5)),
    ("CS114", F(2, (8, 4, 3, 3), padding=(4611686018427387904, 4611686018427387904)), (1, 4, 5, 5)),
    ("CS115", C(2, 4, 8, (5, 5)), (1, 4, 3, 9)),
    ("CS116", F(2, (8, 4, 1, 1), padding=(1, 1)), (2, 4, 0, 5)),
    ("CS117", F(2, (8, 4, 3, 3), dilation=(0, 0)), (2, 4, 5, 5)),
    ("CS118", F(2, (8, 4, 3, 3), dilation=(0, 0)), (1, 4, 5, 5)),
    (
        "CS119",
        F(
            2,
            (3, 2, 2, 4),
            stride=(2, 2),
            padding=(3, 3),
            dilation=(0, 1),
            transposed=True,
            output_padding=(0, 2),
        ),
        (3, 9, 4),
    ),
    (
        "CS120",
        C(
            1,
            6,
            6,
            (4,),
            stride=(2,),
            dilation=(0,),
            groups=3,
            transposed=True,
            output_padding=(1,),
        ),
        (1, 6, 1),
    ),
    ("CS121", F(2, (3, 1, 0, 1), stride=(3, 1), padding=(3, 0)), (2, 1, 10, 9)),
    ("CS122", F(2, (8, 4, 0, 3)), (1, 4, 5, 5)),
    ("CS123", F(2, (8, 4, 3, 3), stride=(2, 2), padding="same"), (1, 4, 5, 5)),
    ("CS124", C(2, 1, 2, (2,), padding="same", dilation=(2, 2), bias=False), (1, 1, 7, 1)),
    (
        "CS125",
        F(3, (1, 2, 1, 3, 3), (1,), stride=(2, 2, 2), padding="same", dilation=()),
        (1, 2, 9, 3, 11),
    ),
    ("CS126", F(2, (8, 4, 3, 3), padding="full"), (1, 4, 5, 5)),
    ("CS127", C(2, -1, 8, (3, 3)), (1, 4, 5, 5)),
    (
        "CS128",
        C(
            3,
            3,
            3,
            (4, 4, 4),
            padding=(0, 6, 0),
            bias=False,
            transposed=True,
            output_padding=(1, 0, 1),
        ),
        (0, 3, 7, 2, 11),
    ),
    ("CS129", F(3, (8, 4, 0, 3, 3)), (1, 4, 5, 5, 5)),
    ("CS130", P("avg", 2, (3, 3)), (10, 10)),
    (
        "CS131",
        C(
            2,
            3,
            2,
            (1, 1),
            stride=(2, 2),
            padding=(2,),
            dilation=(2, 2),
            transposed=True,
            output_padding=(2, 0),
            output_size=(22, 8),
        ),
        (2, 3, 11, 5),
    ),
    ("CS132", C(1, 4, 8, (3,), padding=(1, 1, 1), padding_mode="reflect"), (4, 5)),
    (
        "CS133",
        C(2, 2, 2, (0, 2), stride=(2, 2), padding=(1, 1), transposed=True, output_padding=(0, 2)),
        (0, 2, 3, 12),
    ),
    (
        "CS134",
        F(
            2,
            (4, 2, 3, 3),
            (8,),
            stride=(2, 2),
            padding=(0, 2),
            dilation=(2, 1),
            groups=4,
            transposed=True,
            output_padding=(0,),
        ),
        (0, 4, 6, 1),
    ),
    ("CS135", F(2, (4, 2, 1, 1), padding=(1, 1), transposed=True), (0, 4, 1, 1)),
    ("CS136", F(2, (8, 4, 4, 4), padding="same", dilation=(-1, -1)), (1, 4, 0, 5)),
    ("CS201", F(2, (4, 8, 3, 3), transposed=True), (1, 5, 5, 5)),
    ("CS202", F(2, (4, 8, 3, 3), (9,), transposed=True), (1, 4, 5, 5)),
    ("CS203", C(2, 4, 8, (1, 1), padding=(3, 3), transposed=True), (1, 4, 5, 5)),
    ("CS204", C(2, 4, 8, (1, 1), padding=(3, 3), transposed=True), (2, 4, 5, 5)),
    (
        "CS205",
        C(2, 4, 8, (3, 3), stride=(2, 2), transposed=True, output_padding=(2, 2)),
        (1, 4, 5, 5),
    ),
    ("CS206", C(2, 4, 8, (3, 3), transposed=True, output_size=(7, 7, 7)), (1, 4, 5, 5)),
    (
        "CS207",
        C(2, 4, 8, (3, 3), stride=(2, 2), transposed=True, output_size=(20, 20)),
        (1, 4, 5, 5),
    ),
    ("CS208", C(2, 4, 8, (3, 3), padding_mode="reflect", transposed=True), (1, 4, 5, 5)),
    ("CS209", C(2, 4, 4, (3, 3), padding="valid", transposed=True), (1, 4, 5, 5)),
    ("CS210", F(2, (4, 0, 3, 3), transposed=True), (1, 4, 5, 5)),
    ("CS213", F(2, (4, 8, 3, 3), padding="same", transposed=True), (1, 4, 5, 5)),
    (
        "CS211",
        C(
            3,
            3,
            1,
            (1, 2, 0),
            stride=(2, 2, 2),
            padding=(1, 2, 3),
            dilation=(1, 2, 2),
            transposed=True,
            output_padding=(0, 0, 1),
        ),
        (1, 3, 6, 12, 9),
    ),
    (
        "CS212",
        C(3, 3, 1, (4, 4, 4), stride=(2, 2, 2), dilation=(1, 0, 1), bias=False, transposed=True),
        (2, 3, 5, 5, 9),
    ),
    ("CS301", P("max", 1, (3,)), (10,)),
    ("CS302", P("max", 1, (3, 3)), (2, 3, 10)),
    ("CS303", P("max", 1, (3,), stride=(1, 1)), (2, 3, 10)),
    ("CS304", P("max", 1, (3,), padding=(1, 1)), (2, 3, 10)),
    ("CS305", P("max", 1, (3,), dilation=()), (2, 3, 10)),
    ("CS306", P("max", 1, (0,)), (2, 3, 10)),
    ("CS307", P("max", 1, (3,), stride=(-1,)), (2, 3, 10)),
    ("CS308", P("max", 1, (3,), padding=(-1,)), (2, 3, 10)),
    ("CS309", P("max", 1, (3,), padding=(2,), dilation=(3,)), (2, 3, 10)),
    ("CS310", P("max", 1, (3,), dilation=(0,)), (2, 3, 10)),
    ("CS311", P("max", 1, (12,)), (2, 3, 10)),
    ("CS312", P("max", 1, (3,), return_indices=True), (10,)),
    ("CS313", P("avg", 1, (3, 3)), (2, 3, 10)),
    ("CS314", P("max", 2, (3, 3, 3)), (2, 3, 10, 10)),
    ("CS315", P("avg", 2, (3, 3), stride=(1, 1, 1)), (2, 3, 10, 10)),
    ("CS316", P("max", 3, (3, 3, 3), padding=(1, 1)), (2, 3, 5, 5, 5)),
    ("CS317", P("max", 2, (3, 3), dilation=(1, 1, 1)), (2, 3, 10, 10)),
    ("CS318", P("avg", 3, (3, 3)), (2, 3, 5, 5, 5)),
    ("CS319", P("avg", 3, (3, 3, 3), stride=(1, 1)), (2, 3, 5, 5, 5)),
    ("CS320", P("avg", 3, (3, 3, 3), padding=(0, 0)), (2, 3, 5, 5, 5)),
    ("CS321", P("avg", 2, (3, 3), divisor_override=0), (10, 10)),
    ("CS322", P("avg", 3, (3, 3, 3), divisor_override=0), (3, 5, 5)),
    ("CS323", P("avg", 2, (3, 3)), ()),
    ("CS324", P("avg", 1, (0,)), (2, 3, 10)),
    ("CS325", P("avg", 3, (3, 3, 3), padding=(-1, -1, -1)), (2, 3, 5, 5, 5)),
    ("CS326", P("max", 1, (3,), padding=(2,), return_indices=True), (2, 3, 10)),
    ("CS327", P("max", 2, (3, 3), stride=(2, -1)), (2, 3, 10, 10)),
    ("CS328", P("avg", 1, (3,)), (2, 0, 10)),
    ("CS329", P("max", 3, (3, 3, 3)), (2, 0, 5, 5, 5)),
    ("CS330", P("avg", 3, (3, 3, 3), padding=(1, 1, 1)), (1, 1, 2, 2, 2)),
    ("CS331", P("max", 1, (3,), padding=(2,), dilation=(3,), return_indices=True), (2, 3, 10)),
    ("CS332", P("max", 3, (3, 4, 6), padding=(2, 1, 1), dilation=(2, 2, 2)), (2, 3, 20, 20, 20)),
    ("CS333", P("avg", 1, (12,)), (2, 3, 10)),
    ("CS334", P("lp", 2, (3,)), (2, 3, 10, 10)),
    ("CS335", P("lp", 2, (3, 3, 3), functional=True), (2, 3, 10, 10)),
    ("CS337", P("lp", 2, (3, 3), norm_type=0.0), (2, 3, 10, 10)),
    ("CS338", P("max", 2, (2147483648, 2147483648)), (1, 1, 4, 4)),
    ("CS401", A("avg", 2, (3, 3)), (10, 10)),
    ("CS402", A("avg", 1, (None,)), (2, 3, 10)),
    ("CS403", A("avg", 1, (3, None)), (2, 3, 10)),
    ("CS404", A("avg", 2, (3, 3, 3)), (2, 3, 10, 10)),
    ("CS405", A("avg", 1, (-1,)), (2, 3, 10)),
    ("CS406", A("avg", 2, (3, 3)), (1, 2, 3, 10, 10)),
    ("CS407", A("max", 2, (3, 3)), (1, 2, 3, 10, 10)),
    ("CS408", A("avg", 1, (3,)), (2, 3, 0)),
    ("CS409", A("max", 2, (3, 3, 3)), (2, 3, 10, 10)),
    ("CS501", U((3, 3, 3)), (2, 3, 10, 12)),
    ("CS502", U((3, 3), padding=(0, -2), stride=(0, 0)), (2, 3, 10, 12)),
    ("CS503", U((11, 3)), (2, 3, 10, 12)),
    ("CS504", FO((6, 7), (3, 3)), (27,)),
    ("CS505", FO((6, 7), (3, 3)), (2, 28, 20)),
    ("CS506", FO((6, 7), (3, 3)), (2, 27, 21)),
    ("CS507", FO((2, 2), (3, 3), dilation=(3, 3), padding=(1, 1)), (2, 27, 4)),
    ("CS508", FO((-1, 7), (1, 1), padding=(1, 0)), (2, 3, 7)),
    ("CS601", C(2, 4, 8, (3, 3), padding=(1, 1), padding_mode="reflect"), (4, 5)),
    ("CS602", C(2, 4, 8, (3, 3), padding=(5, 5), padding_mode="reflect"), (1, 4, 5, 5)),
    ("CS603", C(2, 4, 8, (3, 3), padding=(-3, -3), padding_mode="replicate"), (1, 4, 5, 5)),
    ("CS604", C(2, 4, 8, (3, 3), padding=(1, 1), padding_mode="reflect"), (1, 0, 5, 5)),
    ("CS605", C(2, 4, 8, (3, 3), padding=(6, 6), padding_mode="circular"), (1, 4, 5, 5)),
    (
        "CS606",
        C(
            1,
            2,
            4,
            (1,),
            stride=(2,),
            padding=(-1,),
            dilation=(2,),
            groups=2,
            bias=False,
            padding_mode="circular",
        ),
        (3, 2, 1),
    ),
    ("CS607", C(2, 4, 8, (3, 3), padding=(-3, 1), padding_mode="reflect"), (1, 4, 5, 5)),
    ("CS701", C(2, 8, 8, (3, 3), groups=0), (1, 8, 5, 5)),
    ("CS702", C(2, 6, 8, (3, 3), groups=4), (1, 6, 5, 5)),
    ("CS703", C(2, 8, 6, (3, 3), groups=4), (1, 8, 5, 5)),
    ("CS704", C(2, 4, 8, (3, 3), padding="full"), (1, 4, 5, 5)),
    ("CS705", C(2, 4, 8, (3, 3), stride=(2, 2), padding="same"), (1, 4, 5, 5)),
    ("CS706", C(2, 4, 8, (3, 3), padding_mode="mirror"), (1, 4, 5, 5)),
]

# (code, statement): run as written (the layers between convolutions, mostly).
LAYER_CASES: list[tuple[str, str]] = [
    # a 1-tuple: code.layer_code would print AdaptiveAvgPool1d(None), another TypeError
    ("CS402", "nn.AdaptiveAvgPool1d((None,))(torch.zeros(2, 3, 10))"),
    ("CS801", "nn.Sequential(nn.Flatten(), nn.Linear(9216, 10))(torch.zeros(20, 128, 10, 10))"),
    ("CS802", "nn.BatchNorm2d(32)(torch.zeros(2, 64, 4, 4))"),
    ("CS803", "nn.BatchNorm2d(32)(torch.zeros(2, 32, 4))"),
    ("CS804", "nn.BatchNorm1d(32)(torch.zeros(1, 32))"),
    ("CS805", "nn.GroupNorm(4, 32)(torch.zeros(2, 64, 4, 4))"),
    ("CS806", "nn.GroupNorm(5, 32)"),
    ("CS807", "nn.LayerNorm([32, 8, 8])(torch.zeros(2, 64, 8, 8))"),
    ("CS808", "nn.InstanceNorm2d(32, affine=True)(torch.zeros(2, 64, 4, 4))"),
    ("CS809", "nn.PixelShuffle(2)(torch.zeros(2, 6, 4, 4))"),
    (
        "CS810",
        "F.batch_norm(torch.zeros(2, 32, 4, 4), torch.zeros(32), torch.ones(32), torch.ones(16))",
    ),
    ("CS811", "nn.Linear(4, 2)(torch.tensor(1.0))"),
    ("CS812", "nn.GroupNorm(1, 1)(torch.zeros(4))"),
    ("CS813", "F.group_norm(torch.zeros(2, 6, 4, 4), 4)"),
    ("CS814", "nn.InstanceNorm2d(3)(torch.zeros(2, 3, 1, 1))"),
    ("CS815", "nn.LayerNorm([])(torch.zeros(2, 3))"),
    ("CS816", "nn.PixelShuffle(2)(torch.zeros(4, 4))"),
    ("CS817", "nn.PixelShuffle(0)(torch.zeros(1, 4, 4, 4))"),
    ("CS818", "nn.PixelUnshuffle(2)(torch.zeros(1, 1, 5, 4))"),
    ("CS819", "nn.Flatten(2, 1)(torch.zeros(2, 3, 4, 4))"),
    ("CS820", "nn.Unflatten(1, (2, 3))(torch.zeros(2, 5))"),
    ("CS821", "nn.Unflatten(1, ())(torch.zeros(2, 5))"),
    ("CS822", "nn.Unflatten(1, (-1, -1))(torch.zeros(2, 6))"),
    ("CS823", "nn.GLU()(torch.tensor(1.0))"),
    ("CS824", "nn.GLU()(torch.zeros(2, 5))"),
    ("CS825", "nn.PReLU(3)(torch.tensor(1.0))"),
    ("CS826", "nn.PReLU(3)(torch.zeros(2, 4, 5, 5))"),
    ("CS827", "nn.Dropout(1.5)"),
    ("CS828", "nn.Dropout1d()(torch.zeros(2, 3, 4, 5))"),
    ("CS829", "F.feature_alpha_dropout(torch.zeros(3), 0.5, True)"),
    ("CS830", "nn.Softmax2d()(torch.zeros(2, 3))"),
    ("CS831", "nn.GELU(approximate='x')(torch.zeros(2))"),
    ("CS832", "F.interpolate(torch.zeros(1, 1, 4, 4), scale_factor=2, align_corners=True)"),
    ("CS833", "F.interpolate(torch.zeros(1, 1, 4, 4), size=8, scale_factor=2)"),
    ("CS834", "F.interpolate(torch.zeros(1, 1, 4, 4), size=(8, 8, 8))"),
    ("CS835", "F.interpolate(torch.zeros(1, 1, 4, 4), scale_factor=(2, 2, 2))"),
    ("CS836", "F.interpolate(torch.zeros(1, 1, 4, 4))"),
    ("CS837", "F.interpolate(torch.zeros(1, 1, 4, 4), size=8, recompute_scale_factor=True)"),
    ("CS838", "F.interpolate(torch.zeros(4, 4), size=8)"),
    ("CS839", "F.interpolate(torch.zeros(1, 1, 4, 4), size=8, mode='linear')"),
    ("CS840", "F.interpolate(torch.zeros(1, 1, 0, 4), size=(8, 8))"),
    ("CS841", "F.interpolate(torch.zeros(1, 1, 0), size=8)"),
    ("CS842", "F.interpolate(torch.zeros(1, 0, 4, 4), size=(8, 8), mode='bilinear')"),
    ("CS843", "F.interpolate(torch.zeros(1, 1, 4, 4), size=(8, 8), mode='lanczos')"),
    ("CS844", "nn.Upsample(scale_factor=1e20)(torch.zeros(1, 1, 5))"),
    ("CS845", "nn.InstanceNorm1d(2, track_running_stats=True)(torch.zeros(1, 3, 0))"),
    # Tensors joined in a forward: a skip connection, a U-Net's concatenation.
    (
        "CS880",
        "torch.zeros(1, 64, 8, 8) + nn.Conv2d(64, 32, 3, padding=1)(torch.zeros(1, 64, 8, 8))",
    ),
    (
        "CS881",
        "torch.cat([nn.ConvTranspose2d(8, 4, 2, stride=2)(torch.zeros(1, 8, 30, 30)), "
        "torch.zeros(1, 4, 61, 61)], dim=1)",
    ),
    ("CS882", "torch.cat([torch.zeros(1, 4, 8, 8), nn.Flatten()(torch.zeros(1, 4, 8, 8))], 1)"),
    ("CS846", "nn.InstanceNorm1d(1, track_running_stats=True)(torch.zeros(0, 2, 5))"),
    ("CS847", "nn.InstanceNorm1d(3, track_running_stats=True)(torch.zeros(0, 2, 5))"),
]

_LAYER_HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n"

SOURCES: dict[str, str] = {
    **{code: repro_script(spec, shape) for code, spec, shape in SPEC_CASES},
    **{code: _LAYER_HEAD + statement + "\n" for code, statement in LAYER_CASES},
}

# Python >= 3.14 also prints the count; no torch run here can raise CS336's text.
NEEDS_PY314 = {E.UNPACK_TOO_MANY_COUNTED.code}

# torch 2.13 raises these (the legacy family's older wordings are tested with their
# sources in tests/test_explain_legacy.py)
TORCH_CODES = [code for code, kind in KINDS.items() if kind.family not in ("lint", "legacy")]

# Kinds whose message carries the numbers a layer needs: explain must offer a command.
REPRODUCIBLE = {
    "CS804",
    "CS807",
    "CS809",
    "CS801",
    "CS802",
    "CS101",
    "CS104",
    "CS109",
    "CS110",
    "CS111",
    "CS112",
    "CS113",
    "CS114",
    "CS115",
    "CS116",
    "CS118",
    "CS119",
    "CS122",
    "CS124",
    "CS125",
    "CS126",
    "CS127",
    "CS129",
    "CS201",
    "CS202",
    "CS203",
    "CS205",
    "CS206",
    "CS207",
    "CS208",
    "CS209",
    "CS210",
    "CS211",
    "CS301",
    "CS302",
    "CS303",
    "CS304",
    "CS305",
    "CS306",
    "CS307",
    "CS308",
    "CS309",
    "CS310",
    "CS311",
    "CS312",
    "CS313",
    "CS314",
    "CS315",
    "CS316",
    "CS317",
    "CS318",
    "CS319",
    "CS320",
    "CS322",
    "CS325",
    "CS326",
    "CS327",
    "CS328",
    "CS329",
    "CS330",
    "CS331",
    "CS332",
    "CS333",
    "CS401",
    "CS402",
    "CS403",
    "CS404",
    "CS405",
    "CS406",
    "CS407",
    "CS408",
    "CS409",
    "CS501",
    "CS502",
    "CS503",
    "CS504",
    "CS505",
    "CS506",
    "CS507",
    "CS508",
    "CS601",
    "CS602",
    "CS603",
    "CS604",
    "CS704",
    "CS706",
}

_JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


class Captured:
    def __init__(self, path: Path, exc: str, message: str, text: str) -> None:
        self.path, self.exc, self.message, self.traceback = path, exc, message, text


_CACHE: dict[str, Captured] = {}


@pytest.fixture(scope="module")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("user_code")


def _run(source: str, path: Path) -> Captured:
    """Run ``source`` as the file ``path`` (so tracebacks show its lines) and capture the
    exception torch raises: its type, ``str(exc)`` and ``traceback.format_exc()``."""
    path.write_text(source)
    compiled = compile(source, str(path), "exec")
    try:
        exec(compiled, {"__name__": "__main__"})
    except Exception as exc:
        return Captured(path, type(exc).__name__, str(exc), traceback.format_exc())
    raise AssertionError(f"torch raised nothing for:\n{source}")


def capture(code: str, where: Path) -> Captured:
    if code not in _CACHE:
        _CACHE[code] = _run(SOURCES[code], where / f"train_{code}.py")
    return _CACHE[code]


def _same_kind(got: str, want: str) -> bool:
    """The same kind, or one with the very same template (torch prints both alike)."""
    return got == want or KINDS[got].template == KINDS[want].template


def _torch_case(code: str, scripts: Path) -> Captured:
    if code in NEEDS_PY314 and sys.version_info < (3, 14):
        pytest.skip("only Python >= 3.14 prints this message")
    assert code in SOURCES, f"add a torch run that raises {code} to tests/test_explain.py"
    return capture(code, scripts)


def test_every_torch_kind_has_a_case() -> None:
    missing = [c for c in TORCH_CODES if c not in SOURCES and c not in NEEDS_PY314]
    assert not missing, f"no torch run raises {missing}"


@pytest.mark.parametrize("code", TORCH_CODES)
def test_message_is_recognised(code: str, scripts: Path) -> None:
    run = _torch_case(code, scripts)
    match = find_error(f"{run.exc}: {run.message}")
    assert match is not None, run.message
    assert _same_kind(match.kind.code, code), (match.kind.code, run.message)
    assert match.exc == run.exc
    # torch's message is kept unchanged (a C++ stack trace torch appends is left out)
    assert match.message == run.message or run.message.startswith(match.message + "\n")
    bare = find_error(run.message)  # without the exception type
    assert bare is not None and _same_kind(bare.kind.code, code)


@pytest.mark.parametrize("code", TORCH_CODES)
def test_traceback_finds_the_user_frame(code: str, scripts: Path) -> None:
    run = _torch_case(code, scripts)
    match = find_error(run.traceback)
    assert match is not None, run.traceback
    assert _same_kind(match.kind.code, code)
    assert run.message.startswith(match.message)
    assert match.frame is not None, run.traceback
    assert match.frame.file == str(run.path)
    lines = run.path.read_text().splitlines()
    assert match.frame.source == lines[match.frame.line - 1].strip()


@pytest.mark.parametrize("code", TORCH_CODES)
def test_explained_in_both_languages(code: str, scripts: Path) -> None:
    run = _torch_case(code, scripts)
    text = f"{run.exc}: {run.message}"
    match = find_error(text)
    assert match is not None
    en, ja = explain(match, "en"), explain(match, "ja")
    assert en.advice.explanation and not _JA.search(en.advice.explanation)
    assert en.advice.cause and en.note
    for part in (ja.advice.explanation, ja.advice.cause, ja.note):
        assert _JA.search(part), (code, part)
    assert len(ja.advice.fixes) == len(en.advice.fixes)
    for args in (["--lang", "ja", "--json"], ["--lang", "en", "--json"]):
        result = runner.invoke(cli, ["explain", *args, text])
        assert result.exit_code == 0, result.output
        doc = json.loads(result.output)
        assert doc["message"] == match.message and doc["code"] == match.kind.code
        assert bool(_JA.search(doc["explanation"])) == ("ja" in args)
    shown = runner.invoke(cli, ["explain", "--lang", "ja", text])
    assert shown.exit_code == 0
    assert match.message.split("\n")[0] in shown.output  # quoted unchanged, never wrapped
    assert _JA.search(shown.output)


@pytest.mark.parametrize("code", TORCH_CODES)
def test_reproduction_prints_the_same_message(code: str, scripts: Path) -> None:
    run = _torch_case(code, scripts)
    match = find_error(f"{run.exc}: {run.message}")
    assert match is not None
    ex = explain(match)
    if code in REPRODUCIBLE:
        assert ex.command is not None, (code, ex.note)
    if ex.command is None:
        assert ex.note.startswith("No command")
        return
    args = shlex.split(ex.command)
    assert args[:2] == ["convshape", "calc"]
    result = runner.invoke(cli, [*args[1:], "--json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    if "error" in doc:  # one conv-family layer
        error = doc["error"]
    else:  # a layer between convolutions goes through calc's stack path
        error = next(row["error"] for row in doc["layers"] if row.get("error"))
    printed = [(error["exception"], error["message"])]
    printed += [(v["exception"], v["message"]) for v in error["variants"]]
    assert (run.exc, run.message) in printed, (ex.command, printed)


def test_every_code_has_japanese_advice() -> None:
    for code, kind in KINDS.items():
        fields = re.findall(r"\{(\w+)\}", kind.template)
        err = ShapeError(kind, kind.template, {f: "1" for f in fields})
        ja = advise(err, lang="ja")
        assert _JA.search(ja.explanation), code
        assert _JA.search(ja.cause), code
        en = advise(err)
        assert en.explanation and not _JA.search(en.explanation), code


def test_unrecognised_text_exits_2() -> None:
    for text in (
        "hello world",
        "",
        "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
        "KeyError: 'weight'",
        "Given groups=1, weight of size",
    ):
        result = runner.invoke(cli, ["explain", text])
        assert result.exit_code == 2, (text, result.output)
        assert result.output.startswith("Error: ") and result.output.count("\n") == 1
    result = runner.invoke(cli, ["explain", "-"], input="")
    assert result.exit_code == 2


def test_generic_message_from_user_code_is_not_explained(tmp_path: Path) -> None:
    run = _run(
        "def split(pair):\n    a, b = pair\n    return a\n\nsplit((1, 2, 3))\n", tmp_path / "x.py"
    )
    assert find_error(run.message) is not None  # the bare message could be torch's
    assert E.UNPACK_TOO_MANY.code in GENERIC
    assert find_error(run.traceback) is None  # but this traceback never enters torch
    assert runner.invoke(cli, ["explain", run.traceback]).exit_code == 2


NET = """\
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3), nn.ReLU(), nn.Conv2d(8, 32, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.features(x)


model = Net()
out = model(torch.zeros(2, 3, 32, 32))
"""


def test_stdin_traceback_from_a_real_script(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(NET)
    ran = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert ran.returncode == 1 and "Traceback" in ran.stderr
    piped = subprocess.run(
        [sys.executable, "-m", "convshape", "explain", "--json", "-"],
        input=ran.stdout + ran.stderr,
        capture_output=True,
        text=True,
    )
    assert piped.returncode == 0, piped.stderr
    doc = json.loads(piped.stdout)
    assert doc["code"] == "CS112"
    assert doc["frame"] == {
        "file": str(script),
        "line": 11,
        "function": "forward",
        "source": "return self.features(x)",
    }
    assert "make the layer take 16 channels: nn.Conv2d(16, 32, 3)" in doc["fixes"]
    shown = runner.invoke(cli, ["explain", "--lang", "en", "-"], input=ran.stderr)
    assert shown.exit_code == 0
    assert f"{script}:11 in forward" in shown.output
    assert "return self.features(x)" in shown.output
    # pytest shows the same traceback with "E   " in front of the exception lines
    as_pytest = "\n".join(
        ("E   " + line) if line.startswith("RuntimeError") else line
        for line in ran.stderr.splitlines()
    )
    match = find_error(as_pytest)
    assert match is not None and match.kind is E.CHANNEL_MISMATCH


def test_linear_after_flatten_names_the_flattened_size(scripts: Path) -> None:
    run = capture("CS801", scripts)
    ex = explain_text(run.traceback)
    assert "nn.Linear(12800, 10)" in " ".join(ex.advice.fixes)
    assert "128*10*10" in ex.advice.explanation and "512*5*5" in ex.advice.explanation
    assert (128, 10, 10) in factorisations(12800) and (256, 6, 6) in factorisations(9216)
    assert ex.command == 'convshape calc "nn.Linear(9216, 10)" --input 20,12800'


def test_batchnorm_fix_uses_the_input_channels(scripts: Path) -> None:
    run = capture("CS802", scripts)
    ex = explain_text(run.message)
    assert any("nn.BatchNorm2d(64)" in fix for fix in ex.advice.fixes)


def test_missing_batch_dimension(tmp_path: Path) -> None:
    run = _run(_LAYER_HEAD + "nn.Conv2d(1, 8, 3)(torch.zeros(28, 28))\n", tmp_path / "m.py")
    ex = explain_text(run.traceback)
    assert ex.match.kind is E.INPUT_RANK
    assert any("unsqueeze(0)" in fix for fix in ex.advice.fixes)


def test_kernel_too_big_says_what_size_or_padding_is_needed(scripts: Path) -> None:
    ex = explain_text(capture("CS115", scripts).message)
    assert "H: input + 2*padding must be at least 5 (it is 3)" in ex.advice.fixes[0]
    assert "add padding of 1 on each side" in ex.advice.fixes[0]


def test_default_language_follows_the_locale(scripts: Path) -> None:
    assert default_lang({"LANG": "ja_JP.UTF-8"}) == "ja"
    assert default_lang({"LC_ALL": "C.UTF-8", "LANG": "ja_JP.UTF-8"}) == "en"
    assert default_lang({"LC_MESSAGES": "ja_JP", "LANG": "en_US.UTF-8"}) == "ja"
    assert default_lang({}) == "en"
    text = capture("CS802", scripts).message  # torch's BatchNorm running_mean message
    env = {"LC_ALL": None, "LC_MESSAGES": None, "LANG": "ja_JP.UTF-8"}
    ja = runner.invoke(cli, ["explain", text], env=env)
    assert ja.exit_code == 0 and "何が起きたか" in ja.output
    en = runner.invoke(cli, ["explain", text], env={**env, "LC_ALL": "en_US.UTF-8"})
    assert en.exit_code == 0 and "what happened" in en.output


def test_explain_never_imports_torch(scripts: Path) -> None:
    text = capture("CS802", scripts).message  # captured here; the child must not import torch
    code = (
        "import sys\n"
        "from convshape.cli import main\n"
        f"sys.argv = ['convshape', 'explain', {text!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "print('clean')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("clean")


def test_lookalike_text_is_rejected_quickly() -> None:
    """Text that repeats a template's separators must not send the regex backtracking."""
    for kind in KINDS.values():
        pieces = re.split(r"\{[^{}]*\}", kind.template)
        text = ("1".join(pieces[:-1]) + "1") * 40
        start = time.perf_counter()
        find_error(text[:3900])
        find_error("RuntimeError: " + text[:3900])
        assert time.perf_counter() - start < 1, kind.code


_HEADS = st.sampled_from(
    ["", "RuntimeError: ", "ValueError: ", "Traceback (most recent call last):\n"]
)
_PIECES = st.sampled_from(
    [k.template for k in KINDS.values()] + ["[2, 6, 5, 5]", "{", "}", "\n", "(3 x 3)", "-1"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.one_of(
        st.text(max_size=300),
        st.builds(lambda h, p: h + "".join(p), _HEADS, st.lists(_PIECES, max_size=4)),
    )
)
def test_random_text_never_gives_a_traceback(text: str) -> None:
    result = runner.invoke(cli, ["explain", "--", text])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
