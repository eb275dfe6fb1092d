"""The memory estimate of stacks (features/memory.py, StackResult.memory) against torch:
parameter bytes against ``sum(p.numel() * p.element_size())`` and each layer's activation
bytes against the output tensors forward hooks capture, on the same models, per dtype."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from convshape.cli.app import cli
from convshape.core.errors import UsageError
from convshape.core.shapes import Shape
from convshape.features.memory import DTYPES, MB, Memory, element_size, megabytes, tensor_bytes
from convshape.features.network import infer_stack, parse_stack

runner = CliRunner()

STACKS: list[tuple[str, Shape]] = [
    (
        "nn.Sequential(nn.Conv2d(3, 64, 7, stride=2, padding=3), nn.BatchNorm2d(64), "
        "nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1), nn.Conv2d(64, 128, 3, padding=1), "
        "nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 1000))",
        (8, 3, 224, 224),
    ),
    (
        "nn.Sequential(nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.ReLU(), "
        "nn.MaxPool2d(2)), nn.Sequential(nn.Conv2d(16, 32, 3, bias=False), nn.ReLU(), "
        "nn.MaxPool2d(2)), nn.Flatten(), nn.Linear(32 * 7 * 7, 64), nn.Dropout(0.5), "
        "nn.Linear(64, 10))",
        (4, 3, 32, 32),
    ),
    (
        "nn.Sequential(nn.Conv1d(8, 16, 5, padding=2), nn.GroupNorm(4, 16), nn.GELU(), "
        "nn.AvgPool1d(2), nn.Upsample(scale_factor=3), nn.Conv1d(16, 4, 1))",
        (2, 8, 100),
    ),
    (
        "nn.Sequential(nn.ConvTranspose2d(8, 16, 4, stride=2, padding=1), nn.PixelShuffle(2), "
        "nn.LayerNorm([4, 32, 32]), nn.Conv2d(4, 4, 3, groups=4, padding=1))",
        (2, 8, 8, 8),
    ),
    ("nn.Sequential(nn.Conv2d(3, 6, 3), nn.MaxPool2d(2, return_indices=True))", (1, 3, 9, 9)),
    ("nn.Linear(10, 5)", (3, 10)),
]


def _tensors(value: Any, torch: Any) -> list[Any]:
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, tuple | list):
        return [t for item in value for t in _tensors(item, torch)]
    return []


def torch_memory(code: str, shape: Shape, dtype: str) -> tuple[int, list[int], int]:
    """(parameter bytes, each leaf module's output bytes, input bytes) measured in torch.
    int8 modules cannot be built: they are measured in float32, each floating tensor then
    taken at int8's element size (integer tensors keep theirs)."""
    torch = pytest.importorskip("torch")
    floating = dtype if dtype != "int8" else "float32"
    scale = torch.empty(0, dtype=getattr(torch, dtype)).element_size()

    def size(t: Any) -> int:
        return int(t.numel() * (scale if t.is_floating_point() else t.element_size()))

    with torch.device("meta"):
        model = eval(code, {"nn": torch.nn}).to(getattr(torch, floating))
    outputs: list[int] = []
    for module in model.modules():
        if not list(module.children()):
            module.register_forward_hook(
                lambda m, args, out: outputs.append(sum(size(t) for t in _tensors(out, torch)))
            )
    x = torch.empty(shape, device="meta", dtype=getattr(torch, floating))
    with torch.no_grad():
        model(x)
    params = sum(size(p) for p in model.parameters())
    return params, outputs, size(x)


@pytest.mark.parametrize("dtype", list(DTYPES))
@pytest.mark.parametrize(("code", "shape"), STACKS)
def test_stack_memory_matches_torch(code: str, shape: Shape, dtype: str) -> None:
    params, outputs, input_bytes = torch_memory(code, shape, dtype)
    result = infer_stack(parse_stack(code), shape)
    assert result.ok
    assert [row.output_bytes(dtype) for row in result.rows] == outputs
    memory = result.memory(dtype)
    assert (memory.params, memory.activations, memory.input) == (params, sum(outputs), input_bytes)
    assert memory.total == params + sum(outputs) + input_bytes


def test_calc_json_and_table_show_the_memory() -> None:
    code, shape = STACKS[0]
    params, outputs, input_bytes = torch_memory(code, shape, "float16")
    args = ["calc", code, "--input", ",".join(map(str, shape)), "--dtype", "float16"]
    doc = json.loads(runner.invoke(cli, [*args, "--json"]).output)
    assert [layer["output_bytes"] for layer in doc["layers"]] == outputs
    total = params + sum(outputs) + input_bytes
    assert doc["memory"] == {
        "dtype": "float16",
        "params_bytes": params,
        "activations_bytes": sum(outputs),
        "input_bytes": input_bytes,
        "total_bytes": total,
        "params_mb": round(params / 1e6, 2),
        "activations_mb": round(sum(outputs) / 1e6, 2),
        "input_mb": round(input_bytes / 1e6, 2),
        "total_mb": round(total / 1e6, 2),
    }
    shown = runner.invoke(cli, args, env={"COLUMNS": "80"})
    assert shown.exit_code == 0
    assert "memory, float16 (MB)" in shown.output
    assert f"{total / 1e6:,.2f}" in shown.output and f"{outputs[0] / 1e6:.2f}" in shown.output
    assert max(len(line) for line in shown.output.splitlines()) <= 80


def test_failing_stack_counts_activations_up_to_the_failure() -> None:
    code = "nn.Sequential(nn.Conv2d(3, 8, 3), nn.Conv2d(4, 8, 3))"
    result = infer_stack(parse_stack(code), (1, 3, 10, 10))
    assert not result.ok
    assert result.memory().activations == 1 * 8 * 8 * 8 * 4


def test_dtype_applies_to_stacks_only() -> None:
    result = runner.invoke(cli, ["calc", "nn.Conv2d(3, 8, 3)", "-i", "1,3,8,8", "--dtype", "int8"])
    assert result.exit_code == 2 and "--dtype" in result.output
    bad = runner.invoke(cli, ["calc", "nn.Linear(2, 2)", "-i", "1,2", "--dtype", "int4"])
    assert bad.exit_code == 2


def test_element_size() -> None:
    assert [element_size(d) for d in DTYPES] == [4, 2, 2, 8, 1]
    assert element_size("torch.float16") == 2
    with pytest.raises(UsageError, match="unknown dtype"):
        element_size("float8")


@given(
    st.lists(st.integers(0, 50), max_size=5),
    st.sampled_from(list(DTYPES)),
    st.integers(0, 10**12),
)
def test_sizes_add_up(shape: list[int], dtype: str, params: int) -> None:
    n = tensor_bytes(shape, dtype)
    assert n % element_size(dtype) == 0
    memory = Memory(dtype, params, n, n)
    assert memory.total == params + 2 * n
    assert memory.to_json()["total_mb"] == megabytes(memory.total) == round(memory.total / MB, 2)
