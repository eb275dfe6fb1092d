"""The layers between convolutions (convshape.layers) against CPU torch.

Each case is PyTorch code and an input shape (``@ (2, 3)``; ``!eval`` runs the module in
eval mode). convshape parses the code with ``ast``; the test builds the same module in
torch from the same text and runs it. Output shape, or exception type and message, and
the UserWarnings must agree exactly.
"""

from __future__ import annotations

import ast
import warnings

import layers_compat as L
import pytest

from convshape.features.network import parse_stack

torch = pytest.importorskip("torch")
nn = torch.nn

CASES: list[str] = [
    "nn.PixelUnshuffle(2) @ (2, 4, 0, 2, 2)",
    "nn.PixelUnshuffle(2) @ (1, 0, 3, 3)",
    "nn.PixelShuffle(2) @ (1, 0, 3, 3)",
    "nn.Upsample(scale_factor=1e20) @ (1, 1, 5)",
    "nn.Upsample(scale_factor=(2.0, 1e300)) @ (1, 1, 5, 5)",
    "nn.Linear(4, 3) @ (5,)",
    "nn.Linear(4, 3) @ ()",
    "nn.Linear(4, 3) @ (2, 5, 6)",
    "nn.Linear(4, 3) @ (2, 5, 4)",
    "nn.Linear(0, 3) @ (2, 0)",
    "nn.Linear(4, 3) @ (0, 5)",
    "nn.LazyLinear(3) @ (2, 7)",
    "nn.Linear(-1, 3) @ (2, 7)",
    "nn.BatchNorm1d(4) @ (4,)",
    "nn.BatchNorm1d(4) @ (2, 4, 3, 3)",
    "nn.BatchNorm2d(4) @ (4, 3, 3)",
    "nn.BatchNorm2d(4) @ (2, 5, 3, 3)",
    "nn.BatchNorm2d(4, affine=False) @ (2, 5, 3, 3)",
    "nn.BatchNorm2d(4, track_running_stats=False) @ (2, 5, 3, 3)",
    "nn.BatchNorm2d(4, affine=False, track_running_stats=False) @ (2, 5, 3, 3)",
    "nn.BatchNorm2d(4) @ (1, 4, 1, 1)",
    "nn.BatchNorm2d(4) @ (1, 4, 1, 1) !eval",
    "nn.BatchNorm2d(4, track_running_stats=False) @ (1, 4, 1, 1) !eval",
    "nn.BatchNorm1d(4) @ (1, 4)",
    "nn.BatchNorm2d(4) @ (0, 4, 3, 3)",
    "nn.BatchNorm2d(4) @ (2, 5, 0, 3)",
    "nn.BatchNorm3d(4) @ (2, 4, 3, 3, 3)",
    "nn.BatchNorm2d(4, bias=False) @ (2, 4, 3, 3)",
    "nn.GroupNorm(2, 4) @ (2, 6, 3, 3)",
    "nn.GroupNorm(2, 4) @ (4,)",
    "nn.GroupNorm(2, 4) @ (3, 4)",
    "nn.GroupNorm(3, 4) @ (3, 4)",
    "nn.GroupNorm(2, 4, affine=False) @ (2, 6, 3, 3)",
    "nn.GroupNorm(2, 4, affine=False) @ (2, 5, 3, 3)",
    "nn.GroupNorm(2, 4) @ (2, 5, 3, 3)",
    "nn.GroupNorm(4, 4) @ (1, 4, 1, 1)",
    "nn.GroupNorm(4, 4) @ (1, 4)",
    "nn.GroupNorm(2, 4) @ (1, 4)",
    "nn.GroupNorm(2, 4) @ (0, 4, 3)",
    "nn.GroupNorm(2, 4) @ (2, 0, 3)",
    "nn.LayerNorm((3, 3)) @ (2, 4, 3, 4)",
    "nn.LayerNorm(3) @ (2, 4, 3, 4)",
    "nn.LayerNorm(4) @ (2, 4, 3, 4)",
    "nn.LayerNorm([3, 4]) @ (2, 4, 3, 4)",
    "nn.LayerNorm((2, 3, 3)) @ (3, 3)",
    "nn.LayerNorm(3) @ ()",
    "nn.LayerNorm(()) @ (2, 3)",
    "nn.InstanceNorm2d(4) @ (2, 5, 3, 3)",
    "nn.InstanceNorm2d(4, affine=True) @ (2, 5, 3, 3)",
    "nn.InstanceNorm2d(4, track_running_stats=True) @ (2, 5, 3, 3)",
    "nn.InstanceNorm2d(4) @ (2, 4, 3, 3, 3)",
    "nn.InstanceNorm2d(4) @ (4, 3)",
    "nn.InstanceNorm2d(4) @ (4, 3, 3)",
    "nn.InstanceNorm2d(4) @ (5, 3, 3)",
    "nn.InstanceNorm2d(4) @ (2, 4, 1, 1)",
    "nn.InstanceNorm1d(4) @ (2, 4, 1)",
    "nn.InstanceNorm2d(4) @ (4, 1, 1)",
    "nn.InstanceNorm1d(4) @ (4, 1)",
    "nn.InstanceNorm1d(4, track_running_stats=True) @ (5, 3)",
    "nn.InstanceNorm1d(4, affine=True) @ (5, 3)",
    "nn.InstanceNorm1d(4) @ (0, 4, 3)",
    "nn.InstanceNorm1d(4) @ (2, 4, 0)",
    "nn.InstanceNorm2d(4) @ (2, 4, 1, 1) !eval",
    "nn.InstanceNorm2d(4, track_running_stats=True) @ (2, 4, 1, 1) !eval",
    "nn.InstanceNorm3d(4, affine=True) @ (2, 4, 2, 3, 3)",
    "nn.PixelShuffle(2) @ (2, 6, 3, 3)",
    "nn.PixelShuffle(2) @ (2, 8, 3, 3)",
    "nn.PixelShuffle(2) @ (8, 3)",
    "nn.PixelShuffle(2) @ (8, 3, 3)",
    "nn.PixelShuffle(2) @ (5, 2, 8, 3, 3)",
    "nn.PixelUnshuffle(2) @ (2, 3, 5, 4)",
    "nn.PixelUnshuffle(2) @ (2, 3, 4, 5)",
    "nn.PixelUnshuffle(2) @ (2, 3, 4, 6)",
    "nn.PixelUnshuffle(2) @ (4, 4)",
    "nn.PixelShuffle(0) @ (2, 4, 4, 4)",
    "nn.PixelUnshuffle(0) @ (2, 4, 4, 4)",
    "nn.PixelShuffle(-1) @ (2, 4, 4, 4)",
    "nn.PixelShuffle(0) @ (4, 4)",
    "nn.PixelShuffle(2) @ (0, 4, 3, 3)",
    "nn.Flatten() @ (2, 3, 4)",
    "nn.Flatten() @ (5,)",
    "nn.Flatten() @ ()",
    "nn.Flatten(0) @ ()",
    "nn.Flatten(2, 1) @ (2, 3, 4)",
    "nn.Flatten(3) @ (2, 3, 4)",
    "nn.Flatten(1, 5) @ (2, 3, 4)",
    "nn.Flatten(-3, -1) @ (2, 3, 4)",
    "nn.Flatten(-1, -3) @ (2, 3, 4)",
    "nn.Flatten(-5) @ (2, 3, 4)",
    "nn.Flatten(0, 0) @ (2, 3, 4)",
    "nn.Flatten(1, 2) @ (2, 3, 4, 5)",
    "nn.Flatten() @ (2, 0, 3)",
    "nn.Unflatten(1, (2, 6)) @ (2, 12, 3)",
    "nn.Unflatten(1, (2, 5)) @ (2, 12, 3)",
    "nn.Unflatten(1, (2, -1)) @ (2, 12, 3)",
    "nn.Unflatten(1, (5, -1)) @ (2, 12, 3)",
    "nn.Unflatten(3, (2, 6)) @ (2, 12, 3)",
    "nn.Unflatten(-1, (3, 1)) @ (2, 12, 3)",
    "nn.Unflatten(1, ()) @ (2, 12, 3)",
    "nn.Unflatten(1, (0, -1)) @ (2, 12, 3)",
    "nn.Unflatten(1, [3, 4]) @ (2, 12, 3)",
    "nn.Softmax(dim=3) @ (2, 3, 4)",
    "nn.Softmax() @ (2, 3, 4)",
    "nn.LogSoftmax() @ (2, 3, 4, 5)",
    "nn.Softmax(-4) @ (2, 3, 4)",
    "nn.Softmax(0) @ ()",
    "nn.Softmax() @ (3,)",
    "nn.Softmin() @ (3, 4)",
    "nn.LogSoftmax() @ ()",
    "nn.Softmax(1) @ ()",
    "nn.GLU() @ (2, 3, 4)",
    "nn.GLU() @ (2, 3, 5)",
    "nn.GLU(1) @ (2, 3, 5)",
    "nn.GLU(4) @ (2, 3, 5)",
    "nn.GLU() @ ()",
    "nn.GLU(-3) @ (4, 3, 5)",
    "nn.PReLU(3) @ (2, 4, 5)",
    "nn.PReLU(3) @ (3,)",
    "nn.PReLU(3) @ ()",
    "nn.PReLU() @ ()",
    "nn.PReLU(4) @ (2, 4, 5)",
    "nn.PReLU(1) @ (2, 4, 5)",
    "nn.Dropout1d() @ (2, 3, 4)",
    "nn.Dropout1d() @ (3, 4)",
    "nn.Dropout1d() @ (2, 3, 4, 5)",
    "nn.Dropout1d() @ ()",
    "nn.Dropout2d() @ (3, 4, 5)",
    "nn.Dropout2d() @ (2, 3, 4, 5)",
    "nn.Dropout2d() @ (4, 5)",
    "nn.Dropout2d() @ (2, 2, 3, 4, 5)",
    "nn.Dropout2d() @ (4,)",
    "nn.Dropout2d() @ ()",
    "nn.Dropout2d(0.0) @ (4,)",
    "nn.Dropout2d() @ (4,) !eval",
    "nn.Dropout2d() @ (0,)",
    "nn.Dropout3d() @ (2, 3, 4, 5)",
    "nn.Dropout3d() @ (3, 4, 5)",
    "nn.Dropout3d() @ (1, 2, 3, 4, 5, 6)",
    "nn.Dropout3d() @ (4,)",
    "nn.Dropout3d() @ ()",
    "nn.Dropout3d() @ (2, 3, 4, 5, 6)",
    "nn.FeatureAlphaDropout() @ (3,)",
    "nn.FeatureAlphaDropout() @ (3, 4)",
    "nn.FeatureAlphaDropout(1.0) @ (3,)",
    "nn.AlphaDropout() @ ()",
    "nn.Dropout() @ ()",
    "nn.Dropout(1.5) @ (2,)",
    "nn.Dropout2d(-0.5) @ (2,)",
    "nn.Dropout(2) @ (2,)",
    "nn.ReLU() @ ()",
    "nn.ReLU(inplace=True) @ (2, 3)",
    "nn.RReLU() @ (2, 3)",
    "nn.Softmax2d() @ (2, 3, 4)",
    "nn.Softmax2d() @ (3, 4)",
    "nn.Softmax2d() @ (1, 2, 3, 4, 5)",
    "nn.Threshold(0.1, 2.0) @ (2, 3)",
    "nn.Hardtanh(-2, 2) @ (2, 3)",
    "nn.GELU('tanh') @ (2, 3)",
    "nn.GELU('foo') @ (2, 3)",
    "nn.LeakyReLU(0.2, True) @ (2, 3)",
    "nn.SiLU() @ (2, 3)",
    "nn.Mish() @ (2, 3)",
    "nn.Sigmoid() @ (2, 3)",
    "nn.Tanh() @ (2, 3)",
    "nn.Identity(54, unused='x') @ (2, 3)",
    "nn.Linear(4, 3) @ (2, 5)",
    "nn.Upsample(scale_factor=2) @ (1, 2, 3, 4)",
    "nn.Upsample(scale_factor=2) @ (2, 3, 4)",
    "nn.Upsample(scale_factor=2) @ (1, 2, 3, 4, 5)",
    "nn.Upsample(scale_factor=2) @ (3, 4)",
    "nn.Upsample(scale_factor=2) @ (1, 1, 2, 3, 4, 5)",
    "nn.Upsample(scale_factor=1.5) @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=0.3) @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=0.1) @ (1, 2, 5, 5)",
    "nn.Upsample(size=7) @ (1, 2, 5, 5)",
    "nn.Upsample(size=(7, 8)) @ (1, 2, 5, 5)",
    "nn.Upsample(size=(7, 8)) @ (1, 2, 5)",
    "nn.Upsample(scale_factor=(2., 3.)) @ (1, 2, 5)",
    "nn.Upsample(scale_factor=(2, 3)) @ (1, 2, 5)",
    "nn.Upsample(size=0) @ (1, 2, 5, 5)",
    "nn.Upsample() @ (1, 2, 5, 5)",
    "nn.Upsample(size=3, scale_factor=2) @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=2, mode='bilinear') @ (1, 2, 5)",
    "nn.Upsample(scale_factor=2, mode='bilinear') @ (1, 2, 5, 5, 5)",
    "nn.Upsample(scale_factor=2, mode='linear') @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=2, mode='trilinear') @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=2, mode='bicubic') @ (1, 2, 5)",
    "nn.Upsample(scale_factor=2, mode='bilinear') @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True) @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=2, mode='nearest', align_corners=True) @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=1.5, mode='nearest-exact') @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=1.5, mode='area') @ (1, 2, 5, 5)",
    "nn.Upsample(size=3, mode='area') @ (1, 2, 5)",
    "nn.Upsample(scale_factor=2, mode='foo') @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=2, mode='foo') @ (1, 2, 5)",
    "nn.Upsample(scale_factor=1.7, recompute_scale_factor=True) @ (1, 2, 5, 5)",
    "nn.UpsamplingBilinear2d(scale_factor=2) @ (1, 2, 5, 5)",
    "nn.UpsamplingNearest2d(size=3) @ (1, 2, 5, 5)",
    "nn.UpsamplingBilinear2d(scale_factor=2) @ (1, 2, 5)",
    "nn.Upsample(scale_factor=2) @ (1, 2, 0, 5)",
    "nn.Upsample(scale_factor=2) @ (0, 2, 3, 5)",
    "nn.Upsample(scale_factor=-2.) @ (1, 2, 3, 5)",
    "nn.Upsample(scale_factor=0.) @ (1, 2, 3, 5)",
    "nn.Upsample(scale_factor=0.1) @ (1, 2, 5)",
    "nn.Upsample(scale_factor=0.1) @ (1, 2, 5, 5, 5)",
    "nn.Upsample(scale_factor=0.1, mode='bilinear') @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=0.1, mode='area') @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=0.1, mode='linear') @ (1, 2, 5)",
    "nn.Upsample(size=[7, 8]) @ (1, 2, 5, 5)",
    "nn.Upsample(size=-3) @ (1, 2, 5, 5)",
    "nn.Upsample(scale_factor=2) @ (1, 0, 3)",
    "nn.Upsample(scale_factor=2) @ (1, 0, 0, 3)",
    "nn.Upsample(scale_factor=2) @ (0, 0, 3, 3)",
    "nn.Upsample(scale_factor=2, mode='area') @ (1, 0, 3)",
    "nn.Upsample(scale_factor=2, mode='area') @ (1, 1, 0)",
    "nn.Upsample(scale_factor=2, mode='nearest-exact') @ (1, 1, 0)",
    "nn.Upsample(scale_factor=(2., -1.)) @ (1, 1, 5, 5)",
    "nn.Upsample(size=(0, 3)) @ (1, 1, 5, 5)",
    "nn.Upsample(scale_factor=2.5) @ (1, 1, 3)",
    "nn.Upsample(scale_factor=0.5, mode='area') @ (1, 1, 5)",
    "nn.Upsample(scale_factor=(0.5, 2), mode='area') @ (1, 1, 5, 5)",
    "nn.Upsample(size=3, recompute_scale_factor=True) @ (1, 1, 5)",
    "nn.Upsample(scale_factor=2) @ (5,)",
    "nn.Upsample(size=(2,)) @ (5,)",
    "nn.Upsample(size=2) @ ()",
    "nn.Upsample(scale_factor=2, align_corners=False) @ (1, 1, 3)",
    "nn.Upsample(scale_factor=2, mode='lanczos') @ (1, 1, 3, 3)",
    "nn.Upsample(size=(2, 3), mode='bilinear') @ (1, 1, 3)",
    "nn.Upsample(scale_factor=1.1, mode='bicubic') @ (1, 1, 7, 9)",
    "nn.Upsample(scale_factor=(1.3, 0.7, 2.0), mode='trilinear') @ (1, 1, 7, 9, 3)",
    "nn.Upsample(scale_factor=0.5, mode='area') @ (1, 1, 1)",
    "nn.ZeroPad1d(1) @ (2, 3, 4, 5, 6, 7)",
    "nn.ZeroPad1d(1) @ (4,)",
    "nn.ZeroPad1d(1) @ ()",
    "nn.ZeroPad2d(1) @ (3, 4)",
    "nn.ZeroPad2d(1) @ (4,)",
    "nn.ZeroPad2d((1, 2)) @ (2, 3, 4, 5)",
    "nn.ZeroPad2d((1, 2, 3, 4)) @ (2, 3, 4, 5)",
    "nn.ZeroPad3d(1) @ (2, 3, 4)",
    "nn.ZeroPad3d(1) @ (3, 4)",
    "nn.ConstantPad1d(1, 0.5) @ (4,)",
    "nn.ConstantPad3d((1, 2, 0, 0, -1, 1), 0.5) @ (2, 4, 5, 6)",
    "nn.ReflectionPad1d(1) @ (2, 3, 4, 5)",
    "nn.ReflectionPad1d(1) @ (2, 3, 4)",
    "nn.ReflectionPad1d(1) @ (4,)",
    "nn.ReflectionPad1d(1) @ ()",
    "nn.ReflectionPad2d(1) @ (2, 3, 4, 5, 6)",
    "nn.ReflectionPad2d(1) @ (2, 3, 4)",
    "nn.ReflectionPad2d(1) @ (3, 4)",
    "nn.ReflectionPad3d(1) @ (2, 3, 4, 5, 6)",
    "nn.ReflectionPad3d(1) @ (2, 3, 4)",
    "nn.ReplicationPad1d(1) @ (3, 4)",
    "nn.ReplicationPad2d(1) @ (2, 3, 4, 5)",
    "nn.ReplicationPad3d(1) @ (2, 3, 4, 5)",
    "nn.CircularPad1d(1) @ (2, 3, 4, 5)",
    "nn.CircularPad1d(1) @ (3, 4)",
    "nn.CircularPad1d(1) @ ()",
    "nn.CircularPad2d(1) @ (2, 3, 4, 5)",
    "nn.CircularPad2d(1) @ (3, 4)",
    "nn.CircularPad3d(1) @ (2, 3, 4)",
    "nn.CircularPad3d(1) @ (2, 3, 4, 5, 6)",
    "nn.ReflectionPad2d(3) @ (1, 1, 3, 3)",
    "nn.ConstantPad2d(-2, 0.) @ (1, 1, 3, 3)",
    "nn.ConstantPad2d(-1, 0.) @ (1, 1, 3, 3)",
    "nn.ConstantPad1d(-3, 0.) @ (1, 1, 3)",
    "nn.ZeroPad2d((-2, -2, 0, 0)) @ (1, 1, 3, 3)",
    "nn.CircularPad2d(-1) @ (1, 1, 3, 3)",
    "nn.ReplicationPad2d(-1) @ (1, 1, 3, 3)",
    "nn.ReplicationPad2d(-2) @ (1, 1, 3, 3)",
    "nn.ReflectionPad2d(-2) @ (1, 1, 3, 3)",
    "nn.ReflectionPad2d(1) @ (1, 0, 3, 3)",
    "nn.ConstantPad2d(1, 0.) @ (1, 0, 3, 3)",
    "nn.ConstantPad1d((-4, 1), 0.) @ (1, 1, 3)",
    "nn.ConstantPad1d((-3, 1), 0.) @ (1, 1, 3)",
    "nn.ConstantPad1d((0, -4), 0.) @ (1, 1, 3)",
    "nn.CircularPad2d(4) @ (1, 1, 3, 3)",
    "nn.ReplicationPad3d((1, 0, 2, 0, 3, 0)) @ (2, 3, 4, 5)",
]


def _split(case: str) -> tuple[str, tuple[int, ...], bool]:
    code, _, shape = case.rpartition("@")
    training = not shape.strip().endswith("!eval")
    shape = shape.replace("!eval", "").strip()
    return code.strip(), tuple(ast.literal_eval(shape)), training


def _torch(code: str, shape: tuple[int, ...], training: bool) -> tuple[object, ...]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            module = eval(code, {"nn": nn})  # the test's own literal code
            module.train(training)
            out = tuple(module(torch.empty(shape)).shape)
            error = None
        except Exception as exc:  # torch's error is the expectation
            out, error = None, (type(exc).__name__, str(exc))
    texts = tuple(str(w.message) for w in caught if issubclass(w.category, UserWarning))
    return out, error, texts


@pytest.mark.torch
@pytest.mark.parametrize("case", CASES)
def test_layer_agrees_with_torch(case: str) -> None:
    code, shape, training = _split(case)
    [layer] = parse_stack(code)
    assert isinstance(layer.spec, L.LAYER_SPECS)
    result = L.infer_layer(layer.spec, shape, training=training)
    out, error, texts = _torch(code, shape, training)
    mine = None if result.error is None else (result.error.exc, result.error.message)
    assert (result.output, mine) == (out, error), f"{code} on {shape}"
    assert result.warnings == texts


@pytest.mark.torch
@pytest.mark.parametrize("case", [c for c in CASES if "!eval" not in c])
def test_layer_params_agree_with_torch(case: str) -> None:
    code, shape, _ = _split(case)
    [layer] = parse_stack(code)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            module = eval(code, {"nn": nn})
        except Exception:
            return
        if isinstance(module, nn.LazyLinear):
            try:
                module(torch.empty(shape))
            except Exception:
                return
    expected = sum(p.numel() for p in module.parameters())
    assert L.params(layer.spec, shape) == expected


def test_table_matches_torch_signatures() -> None:
    """Every row's parameter names and order are torch's constructor's."""
    import inspect

    for name, row in L.LAYER_TABLE.items():
        cls = getattr(nn, name.removeprefix("nn."))
        params = [
            p
            for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        assert [p.name for p in params] == [a.name for a in row.args], name
        kw_only = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
        assert kw_only == [a.name for a in row.args if a.keyword_only], name


def test_layer_code_round_trips() -> None:
    for case in CASES:
        code, _, _ = _split(case)
        [layer] = parse_stack(code)
        if isinstance(layer.spec, L.Activation):
            continue  # slopes and the like are not kept
        again = parse_stack(L.layer_code(layer.spec))[0].spec  # type: ignore[arg-type]
        assert again == layer.spec, code
