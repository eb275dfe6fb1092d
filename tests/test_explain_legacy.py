"""explain on older torch's wordings (the ``legacy`` family, CS855-CS857 and CS860-CS872).

Each wording is quoted from the torch source that printed it; ``SOURCES`` cites the
repository, file and commit it was read from (with the search tool's read_file/find_string
over indexed GitHub files), and the real reports that show it with a torch version. The
test checks that each wording is recognised as its code, that a message with the numbers
gets torch 2.13's equivalent and a ``calc`` command that prints exactly that (run through
calc), and that a message without numbers says why there is no command.
"""

from __future__ import annotations

import json
import shlex

import pytest
from click.testing import CliRunner

from convshape.cli.app import cli
from convshape.core import errors as E
from convshape.features.explain import explain_text, find_error

runner = CliRunner()

# code -> (a message as that torch printed it, the source it is quoted from)
SOURCES: dict[str, tuple[str, str]] = {
    # THError("size mismatch, m1: %s, m2: %s", ...) in THTensor_(addmm); THDescBuff prints
    # "[4 x 32768]". Reports: pytorch/examples#198 (torch/lib/TH/generic/THTensorMath.c,
    # 0.2), moskomule/senet.pytorch#35 (1.0), cts198859/deeprl_network#9 (conda build
    # pytorch_1579022071601, 1.4).
    "CS860": (
        "size mismatch, m1: [4 x 32768], m2: [2048 x 196] at "
        "/pytorch/aten/src/THC/generic/THCTensorMathBlas.cu:268",
        "pytorch/pytorch aten/src/THC/generic/THCTensorMathBlas.cu "
        "00ec9d51bb7b7789f16b35f17039afd54c3c28a1",
    ),
    # THError("Calculated input size: (%d x %d). Kernel size: (%d x %d). Kernel size can't
    # greater than actual input size", ...) in SpatialConvolutionMM_shapeCheck.
    "CS861": (
        "Calculated input size: (3 x 7). Kernel size: (4 x 4). Kernel size can't greater than "
        "actual input size at /pytorch/aten/src/THNN/generic/SpatialConvolutionMM.c:48",
        "pytorch/pytorch aten/src/THNN/generic/SpatialConvolutionMM.c "
        "0aac14caa7ffe8e5027b11e91616ed43af1ceb07",
    ),
    # THNN_ARGCHECK(ndim == 3 || ndim == 4, 2, input, "3D or 4D input tensor expected but
    # got: %s") in the same shape check.
    "CS862": (
        "invalid argument 2: 3D or 4D input tensor expected but got: [32 x 784] at "
        "/pytorch/aten/src/THNN/generic/SpatialConvolutionMM.c:33",
        "pytorch/pytorch aten/src/THNN/generic/SpatialConvolutionMM.c "
        "0aac14caa7ffe8e5027b11e91616ed43af1ceb07",
    ),
    # THNN_ARGCHECK(weight->nDimension == 2 || weight->nDimension == 4, 5, weight, "2D or 4D
    # weight tensor expected, but got: %s"). Report: pytorch/pytorch#1431 (conda build
    # pytorch_1490903321756, 0.1.11, torch/lib/THNN/generic/SpatialConvolutionMM.c:15).
    "CS863": (
        "RuntimeError: 2D or 4D weight tensor expected, but got: [64 x 3 x 3 x 3 x 3] at "
        "/py/conda-bld/pytorch_1490903321756/work/torch/lib/THNN/generic/"
        "SpatialConvolutionMM.c:15",
        "pytorch/pytorch aten/src/THNN/generic/SpatialConvolutionMM.c "
        "0aac14caa7ffe8e5027b11e91616ed43af1ceb07",
    ),
    # THArgCheck(kW/2 >= padW && kH/2 >= padH, 2, "pad should be smaller than half of kernel
    # size, but got padW = %d, padH = %d, kW = %d, kH = %d", ...); ATen's DilatedMaxPool2d
    # kept the words in TORCH_CHECK. Report: yifanjiang19/Pedestrian-Synthesis-GAN#29
    # (torch/lib/THCUNN/generic/SpatialDilatedMaxPooling.cu:39).
    "CS864": (
        "invalid argument 2: pad should be smaller than half of kernel size, but got padW = 1, "
        "padH = 2, kW = 14, kH = 3 at /pytorch/torch/lib/THCUNN/generic/"
        "SpatialDilatedMaxPooling.cu:39",
        "pytorch/pytorch aten/src/THNN/generic/SpatialDilatedMaxPooling.c "
        "16d7f2f619ea57c5608b1eea0ff6abb935b5c475",
    ),
    # raise ValueError("num_channels must be divisible by num_groups") in GroupNorm.__init__,
    # added by pytorch/pytorch#74293 (2022-03, so 1.12 first); pytorch/pytorch#167925
    # (2025-11) proposes the numbers torch 2.13 prints. Report:
    # atong01/conditional-flow-matching#161 (normalization.py line 292).
    "CS865": (
        "ValueError: num_channels must be divisible by num_groups",
        "pytorch/pytorch torch/nn/modules/normalization.py (pull requests 74293, 167925)",
    ),
    # cuDNN's status code as torch passes it on. Report: jacobgil/pytorch-pruning#1.
    "CS866": ("RuntimeError: CUDNN_STATUS_BAD_PARAM", "cuDNN status code"),
    # ss << "Expected " << k << "-dimensional input for " << k << "-dimensional weight " <<
    # weight.sizes() << ", but got input of size " << input.sizes() << " instead"
    "CS867": (
        "RuntimeError: Expected 4-dimensional input for 4-dimensional weight [64, 3, 7, 7], "
        "but got input of size [3, 224, 224] instead",
        "pytorch/pytorch torch/csrc/autograd/functions/convolution.cpp "
        "00f97a87246a6a7a144b1c3ffb3ebbdcfbe9dd5c",
    ),
    # ss << "Given groups=" << groups << ", weight" << weight.sizes() << ", so expected
    # input" << input.sizes() << " to have " ... (a later copy prints "  to have")
    "CS868": (
        "RuntimeError: Given groups=1, weight[16, 64, 1, 1], so expected input[1, 3, 4, 4]  "
        "to have 64 channels, but got 3 channels instead",
        "pytorch/pytorch torch/csrc/autograd/functions/convolution.cpp "
        "00f97a87246a6a7a144b1c3ffb3ebbdcfbe9dd5c",
    ),
    "CS869": (
        "RuntimeError: Given transposed=1, weight[1024, 256, 2, 2], so expected "
        "input[64, 512, 4, 4] to have 1024 channels, but got 512 channels instead",
        "pytorch/pytorch torch/csrc/autograd/functions/convolution.cpp "
        "00f97a87246a6a7a144b1c3ffb3ebbdcfbe9dd5c",
    ),
    # THError("Wrong number of input channels! Input has %d channels, expected %d", ...)
    "CS870": (
        "Wrong number of input channels! Input has 1 channels, expected 3",
        "pytorch/pytorch torch/lib/THNN/generic/SpatialConvolutionMM.c "
        "035eb28e1858d667d6dfbb3b80ec942f64ec1a43",
    ),
    # THNN_CHECK_DIM_SIZE(T, DIM, DIM_SIZE, SIZE) in THNN's init.cpp: THError("Need " #T " of
    # dimension %d and " #T ".size[%d] == %d" " but got " #T " to be of shape: %s", DIM,
    # DIM_SIZE, SIZE, s1.str), s1 = THTensor_(sizeDesc)(T) ("[1 x 1 x 28 x 28]"); used in
    # THNN_(SpatialConvolutionMM_shapeCheck) as THNN_CHECK_DIM_SIZE(input, ndim, dimf,
    # nInputPlane) with nInputPlane = weight->size[1] / (kH * kW), dimf 1 for a 4-d input and
    # 0 for a 3-d one (aten/src/THNN/generic/SpatialConvolutionMM.c at 0aac14ca...). THCUNN
    # has the same text in THCUNN_check_dim_size (pytorch/pytorch aten/src/THCUNN/common.h at
    # 0b0716fe55a734bdda2613dfcd6057322f787d89). Versions: the file versions only (0.4's
    # aten/src/THNN, the 1.0-era macro with nDimensionLegacyNoScalars); no dated report with
    # this wording was found in the index.
    "CS871": (
        "RuntimeError: Need input of dimension 4 and input.size[1] == 3 but got input to be of "
        "shape: [1 x 1 x 28 x 28] at /pytorch/aten/src/THNN/generic/SpatialConvolutionMM.c:62",
        "pytorch/pytorch aten/src/THNN/init.cpp 7400a95eac27c61a9d93d3cf5e0e1e4f6d3c3c23; "
        "aten/src/THNN/generic/SpatialConvolutionMM.c 0aac14caa7ffe8e5027b11e91616ed43af1ceb07",
    ),
    # TORCH_CHECK(mat1_sizes[1] == mat2_sizes[0], "mat1 dim 1 must match mat2 dim 0") in
    # addmm_out_cuda_impl (aten/src/ATen/native/cuda/LinearAlgebra.cu, read from indexed copies
    # of that file; the pytorch/pytorch version stored, 763e3b6d, has the structured addmm and
    # no longer this check, and no stored pytorch/pytorch commit with it was found). CUDA only:
    # pytorch/pytorch#89342 (2022-11) shows torch.mm printing it on the GPU while the CPU says
    # "mat1 and mat2 shapes cannot be multiplied (5x3 and 64x1)"; pytorch/pytorch#52780
    # (2021-02) proposed adding the sizes. Reports through F.linear: deepinsight/insightface#1858
    # and SenHe/Flow-Style-VTON#19 (module.py line 727 _call_impl: torch 1.7),
    # TencentAILabHealthcare/scBERT#35 (line 889: torch 1.8).
    "CS872": (
        "RuntimeError: mat1 dim 1 must match mat2 dim 0",
        "pytorch/pytorch aten/src/ATen/native/cuda/LinearAlgebra.cu (addmm_out_cuda_impl); "
        "issue 89342",
    ),
    # torch.cat's old checks; each wording as users pasted it (tests/corpus_explain reports).
    "CS855": (
        "RuntimeError: Sizes of tensors must match except in dimension 1. Got 45 and 44 in "
        "dimension 2 (The offending index is 1)",
        "pytorch/pytorch aten/src/ATen/native/TensorShape.cpp (check_cat_shape_except_dim); "
        "quoted in fepegar/torchio's EnsureShapeMultiple docstring",
    ),
    "CS856": (
        "RuntimeError: Sizes of tensors must match except in dimension 2. Got 70 and 71 (The "
        "offending index is 0)",
        "pytorch/pytorch aten/src/ATen/native/cuda/Shape.cu (check_shape_except_dim); "
        "report https://github.com/lbktrinh/UNet_scAG/issues/1 (a U-Net's skip)",
    ),
    "CS857": (
        "RuntimeError: invalid argument 0: Sizes of tensors must match except in dimension 1. "
        "Got 23 and 24 in dimension 2 at /pytorch/aten/src/TH/generic/THTensor.cpp:689",
        "pytorch/pytorch aten/src/TH/generic/THTensor.cpp (THTensor_(catArray), THArgCheck); "
        "report https://github.com/meetps/pytorch-semseg/issues/87",
    ),
}

# what torch 2.13 prints for the same fault (from today's templates, with the old numbers)
TODAY = {
    "CS860": "mat1 and mat2 shapes cannot be multiplied (4x32768 and 2048x196)",
    "CS861": "Calculated padded input size per channel: (3 x 7). Kernel size: (4 x 4). "
    "Kernel size can't be greater than actual input size",
    "CS862": "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
    "[32, 784]",
    "CS864": "pad should be smaller than or equal to half of kernel size, but got padW = 1, "
    "padH = 2, kW = 14, kH = 3",
    "CS867": "Expected 4-dimensional input for 4-dimensional weight [64, 3, 7, 7], but got "
    "3-dimensional input of size [3, 224, 224] instead",
    "CS868": "Given groups=1, weight of size [16, 64, 1, 1], expected input[1, 3, 4, 4] to have "
    "64 channels, but got 3 channels instead",
    "CS869": "Given transposed=1, weight of size [1024, 256, 2, 2], expected input[64, 512, 4, "
    "4] to have 1024 channels, but got 512 channels instead",
    # out channels and kernel are placeholders (1): the old message does not show them
    "CS871": "Given groups=1, weight of size [1, 3, 1, 1], expected input[1, 1, 28, 28] to have "
    "3 channels, but got 1 channels instead",
}


def test_every_legacy_code_has_a_cited_source() -> None:
    # the modelled releases' wordings cite their recordings (tests/test_releases.py)
    assert set(SOURCES) == {c for c, old in E.LEGACY.items() if old.source != E.RECORDED}
    for code, (_, source) in SOURCES.items():
        assert E.KINDS[code].family == "legacy"
        assert source, code
        old = E.LEGACY[code]
        assert old.versions and old.source
        assert old.today is None or E.KINDS[old.today].family != "legacy"


@pytest.mark.parametrize("code", sorted(SOURCES))
def test_legacy_wording_is_recognised(code: str) -> None:
    match = find_error(SOURCES[code][0])
    assert match is not None and match.kind.code == code


@pytest.mark.parametrize("code", sorted(TODAY))
def test_today_equivalent_and_a_calc_that_prints_it(code: str) -> None:
    ex = explain_text(SOURCES[code][0])
    assert ex.older is not None and ex.older.today is not None
    assert ex.older.message == TODAY[code]
    assert ex.older.today.code == E.LEGACY[code].today
    assert ex.command is not None
    args = shlex.split(ex.command)
    result = runner.invoke(cli, [*args[1:], "--json"])
    doc = json.loads(result.output)
    error = doc.get("error") or next(r["error"] for r in doc["layers"] if r.get("error"))
    assert error["code"] == ex.older.today.code
    assert error["message"] == TODAY[code]


@pytest.mark.parametrize("code", sorted(set(SOURCES) - set(TODAY)))
def test_without_numbers_no_command_and_why(code: str) -> None:
    for lang in ("en", "ja"):
        ex = explain_text(SOURCES[code][0], lang)
        assert ex.command is None and ex.note
        assert ex.older is not None and ex.older.message is None
        assert ex.advice.explanation and ex.advice.fixes


def test_cudnn_status_advises_a_cpu_run() -> None:
    ex = explain_text(SOURCES["CS866"][0])
    assert "cpu" in ex.note.lower() and any("cpu" in f.lower() for f in ex.advice.fixes)
    ja = explain_text(SOURCES["CS866"][0], "ja")
    assert "CPU" in ja.note


def test_json_and_text_name_the_versions_and_today() -> None:
    doc = json.loads(runner.invoke(cli, ["explain", "--json", SOURCES["CS860"][0]]).output)
    assert doc["code"] == "CS860" and doc["family"] == "legacy"
    assert doc["older"]["versions"] == E.LEGACY["CS860"].versions
    assert doc["older"]["today"] == {
        "code": "CS801",
        "exception": "RuntimeError",
        "message": TODAY["CS860"],
    }
    assert doc["reproduce"]["command"] == 'convshape calc "nn.Linear(2048, 196)" --input 4,32768'
    out = runner.invoke(cli, ["explain", SOURCES["CS860"][0]]).output
    assert "0.2-1.4" in out and TODAY["CS860"] in out
    ja = runner.invoke(cli, ["explain", "--lang", "ja", SOURCES["CS860"][0]]).output
    assert "古い torch" in ja


def test_rule_page_of_a_legacy_code() -> None:
    doc = json.loads(runner.invoke(cli, ["rule", "CS860", "--json"]).output)
    assert doc["torch_versions"] == ["0.2-1.4"] and doc["example"] is None
    assert "CS801" in doc["no_example"]
    assert doc["related"][0]["code"] == "CS801"


def _calc_error(command: str) -> dict[str, str]:
    args = shlex.split(command)
    doc = json.loads(runner.invoke(cli, [*args[1:], "--json"]).output)
    error: dict[str, str] = doc.get("error") or next(
        r["error"] for r in doc["layers"] if r.get("error")
    )
    return error


def test_need_input_reproduces_with_the_layer_it_needed_on_the_shape_it_got() -> None:
    ex = explain_text(SOURCES["CS871"][0])
    assert ex.command == 'convshape calc "nn.Conv2d(3, 1, 1)" --input 1,1,28,28'
    # a 3-d input: THNN checked dimension 0; torch 2.13 shows it with a batch of 1
    ex = explain_text(
        "Need input of dimension 3 and input.size[0] == 3 but got input to be of shape: "
        "[1 x 28 x 28]"
    )
    assert ex.match.kind.code == "CS871" and ex.older is not None
    assert ex.older.message == TODAY["CS871"]
    assert ex.command == 'convshape calc "nn.Conv2d(3, 1, 1)" --input 1,28,28'
    error = _calc_error(ex.command)
    assert (error["code"], error["message"]) == ("CS112", TODAY["CS871"])
    # the layer's other arguments are unknown: no fix writes the placeholder layer as code
    for lang in ("en", "ja"):
        advice = explain_text(SOURCES["CS871"][0], lang).advice
        assert advice.fixes and not any("nn.Conv2d(" in f for f in advice.fixes)
        assert "[1 x 1 x 28 x 28]" in advice.fixes[0]


def test_need_input_without_consistent_numbers_has_no_command() -> None:
    # four sizes said, three shown (a retyped message): nothing is rebuilt from it
    ex = explain_text(
        "Need input of dimension 4 and input.size[1] == 3 but got input to be of shape: "
        "[1 x 28 x 28]"
    )
    assert ex.match.kind.code == "CS871" and ex.command is None
    assert ex.older is not None and ex.older.message is None and ex.note


def test_mat1_dim_advises_printing_the_shape_and_names_todays_wording() -> None:
    ex = explain_text(SOURCES["CS872"][0])
    assert ex.older is not None and ex.older.today is not None
    assert ex.older.today.code == "CS801" and "CUDA" in ex.older.versions
    assert "mat1 and mat2 shapes cannot be multiplied" in ex.advice.explanation
    assert "x.shape" in ex.advice.fixes[0] and "CPU" in ex.advice.fixes[1]
    assert "CS801" in ex.note  # why there is no command: no sizes in this wording
    ja = explain_text(SOURCES["CS872"][0], "ja")
    assert "x.shape" in ja.advice.fixes[0] and "CS801" in ja.note
    # a build that appended the sizes is still this wording
    sized = find_error(
        "RuntimeError: mat1 dim 1 must match mat2 dim 0 mat1 dim1:2048 mat2 dim0: 512"
    )
    assert sized is not None and sized.kind.code == "CS872"


@pytest.mark.parametrize("shape", [(1, 1, 28, 28), (1, 28, 28)])
def test_need_input_today_is_what_torch_says(shape: tuple[int, ...]) -> None:
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as raised:
        torch.nn.Conv2d(3, 1, 1)(torch.zeros(*shape))
    assert str(raised.value) == TODAY["CS871"]
