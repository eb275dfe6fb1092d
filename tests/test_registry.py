"""Every registered op family has every part: signatures that build its specs, fuzz
generators, code that reads back, a torch call, and the stack parts (window, params, MACs,
constructor errors, spatial rank)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from convshape.core import registry
from convshape.core.engine import infer_spec
from convshape.core.registry import OpFamily
from convshape.core.signature import Param, Signature
from convshape.features.network import parse_stack
from convshape.readers.parse import parse_layer

FAMILIES = registry.families()
IDS = [f.name for f in FAMILIES]


def _value(sig: Signature, param: Param) -> object:
    """A valid value for a required parameter, by kind (the names the families use)."""
    if param.kind == "tensor":
        if param.name == "weight":
            return (8, 4, *([2] * sig.dims))
        return None
    by_name: dict[str, object] = {"num_groups": 2, "output_size": 3, "norm_type": 2.0}
    if param.name in by_name:
        return by_name[param.name]
    by_kind: dict[str, object] = {
        "int": 4,
        "opt_int": 4,
        "ints": 2,
        "opt_ints": 2,
        "sizes": (2, 2),
        "padding": 1,
        "size": 3,
        "float": 2.0,
        "number": 1.0,
        "opt_number": 1.0,
        "numbers": 2.0,
        "str": "nearest",
        "bool": True,
        "flag": True,
        "opt_bool": None,
    }
    return by_kind[param.kind]


def _samples(family: OpFamily, count: int = 40) -> list[tuple[str, Any, tuple[int, ...]]]:
    out = []
    for op, gen in family.fuzz.items():
        r = random.Random(op)
        out += [(op, *gen(r)) for _ in range(count)]
    return out


def test_every_group_has_families() -> None:
    groups = {f.group for f in FAMILIES}
    assert groups == {registry.CONV, registry.LAYERS}


@pytest.mark.parametrize("family", FAMILIES, ids=IDS)
def test_signatures_build_the_familys_specs(family: OpFamily) -> None:
    assert family.signatures, family.name
    for sig in family.signatures:
        assert sig.spec in family.specs, sig.name
        assert sig.family, sig.name
        values = sig.defaults()
        values.update({p.name: _value(sig, p) for p in sig.params if p.required})
        spec = sig.build(values)
        assert type(spec) is sig.spec, sig.name
        assert registry.family_of(spec) is family, sig.name
        assert registry.is_spec(spec)
        assert registry.signature(sig.name) is sig


@pytest.mark.parametrize("family", FAMILIES, ids=IDS)
def test_fuzz_generates_the_familys_specs(family: OpFamily) -> None:
    assert family.fuzz, family.name
    for op, spec, shape in _samples(family, 20):
        assert type(spec) in family.specs, op
        assert registry.family_of(spec) is family, op
        assert all(isinstance(v, int) for v in shape), op


def _read_back(family: OpFamily, spec: Any) -> Any:
    text = family.code(spec)
    if family.group == registry.LAYERS:
        [layer] = parse_stack(text)
        return layer.spec
    kwargs: dict[str, Any] = {}
    if getattr(spec, "weight", None) is not None:
        kwargs = {"weight": spec.weight, "bias": spec.bias}
    if getattr(spec, "output_size", None) is not None and hasattr(spec, "output_padding"):
        kwargs["output_size"] = spec.output_size
    return parse_layer(text, **kwargs)


@pytest.mark.parametrize("family", FAMILIES, ids=IDS)
def test_code_of_valid_specs_reads_back(family: OpFamily) -> None:
    checked = 0
    for op, spec, shape in _samples(family):
        if not infer_spec(spec, shape).ok:
            continue
        again = _read_back(family, spec)
        if family.group == registry.CONV:
            # conv-family specs carry fields their op ignores (max pooling's
            # count_include_pad): the same layer is the same code
            assert type(again) is type(spec), op
            assert family.code(again) == family.code(spec), op
        else:
            assert again == spec, (op, family.code(spec))
        checked += 1
    assert checked, family.name


@pytest.mark.parametrize("family", FAMILIES, ids=IDS)
def test_stack_parts_answer(family: OpFamily) -> None:
    for op, spec, shape in _samples(family, 10):
        err = family.construct_error(spec)
        rank = family.spatial_rank(spec)
        assert rank is None or rank >= 0, op
        assert family.params(spec, shape) >= 0 or err is not None, op
        result = infer_spec(spec, shape)
        if result.output is None:
            continue
        assert family.macs(spec, shape, result.output) >= 0, op
        if family.group == registry.CONV:
            continue  # their fuzz specs hold one-value (broadcast) tuples no stack holds
        n = min(len(shape), len(result.output), rank or 0)
        windows = family.window(spec, shape, result.output, n)
        assert windows is None or len(windows) == n, op


@pytest.mark.torch
@pytest.mark.parametrize("family", FAMILIES, ids=IDS)
def test_torch_calls_name_torch_attributes(family: OpFamily) -> None:
    torch = pytest.importorskip("torch")
    for op, spec, _shape in _samples(family, 10):
        call = family.torch(spec)
        where = torch.nn if call.module else torch.nn.functional
        assert callable(getattr(where, call.name, None)), (op, call.name)
