"""Option values to library arguments, for the commands in :mod:`.app`. Every function
raises :class:`~convshape.core.errors.UsageError` naming the bad option (exit code 2).

Only the standard library is imported here; the library is imported when called.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from convshape.core.errors import UsageError

if TYPE_CHECKING:
    from convshape.core.releases import Resolved
    from convshape.core.shapes import Shape
    from convshape.features.lint.config import Config, ModelSpec
    from convshape.features.model_trace import ModelTrace
    from convshape.features.network import StackResult
    from convshape.ops import Spec

__all__ = [
    "fuzz_args",
    "installed_torch",
    "int_option",
    "jobs",
    "layer_spec",
    "lint_config",
    "memory",
    "model_or_stack",
    "model_specs",
    "stack_input",
    "stack_text",
    "torch_release",
    "wants_stack",
]


def layer_spec(kw: dict[str, Any]) -> tuple[Spec, Shape]:
    """The layer and input shape from LAYER, --input and the layer flags."""
    from convshape.readers.flags import FLAG_KEYS, spec_from_args

    return spec_from_args(
        kw["layer"],
        kw["input_"],
        {k: kw.get(k) for k in FLAG_KEYS},
        weight=kw.get("weight"),
        bias=kw.get("bias_shape"),
        output_size=kw.get("output_size"),
    )


def wants_stack(layer: str | None, file: str | None, variable: str | None) -> bool:
    """Whether calc / verify got a stack (--file, '-', --variable or stack code)."""
    from convshape.readers.source import is_stack

    return file is not None or layer == "-" or bool(layer and is_stack(layer)) or bool(variable)


def stack_text(code: str | None, file: str | None) -> str:
    """The stack's text: CODE, CODE '-' (stdin) or --file PATH ('-': stdin)."""
    from convshape.readers.source import read_source

    if file is not None and code not in (None, ""):
        raise UsageError("give the stack as LAYER or with --file, not both")
    if file is not None:
        return read_source(file)
    if code is None:
        raise UsageError("missing LAYER (paste a layer or an nn.Sequential, or use --file PATH)")
    return read_source("-") if code == "-" else code


def stack_result(
    layer: str | None, file: str | None, variable: str | None, kw: dict[str, Any], eval_mode: bool
) -> StackResult:
    """The stack calc and draw were given, pushed through with its --input shape."""
    from convshape.features.network import infer_stack, parse_stack

    text = stack_text(layer, file)
    shape = stack_input(kw)
    return infer_stack(parse_stack(text, variable), shape, training=not eval_mode)


def model_or_stack(
    layer: str | None, file: str | None, variable: str | None, kw: dict[str, Any], eval_mode: bool
) -> ModelTrace | StackResult:
    """What calc and draw were given as more than one layer: a model file's forward
    followed (:func:`model_trace`), or else a stack pushed through (:func:`stack_result`);
    a file or stdin is read once."""
    text = stack_text(layer, file) if file is not None or layer == "-" else None
    model = None if text is None else model_trace(text, file, variable, kw)
    if model is not None:
        return model
    return stack_result(layer if text is None else text, None, variable, kw, eval_mode)


def model_trace(
    text: str, file: str | None, variable: str | None, kw: dict[str, Any]
) -> ModelTrace | None:
    """The model calc was given (the text of a file or stdin whose --variable names a
    class, a function or a call, or that defines one model class), followed without
    torch on its --input shape; None when the text is a stack instead."""
    from convshape.features.model_trace import model_target, trace_model

    target = model_target(text, variable)
    if target is None:
        return None
    shape = stack_input(kw)
    path = "<stdin>" if file in (None, "-") else file
    return trace_model(text, target, shape, path=path)


def stack_input(kw: dict[str, Any]) -> Shape:
    """A stack's --input shape; the layer flags do not apply to a stack."""
    from convshape.readers.parse import parse_shape

    flags = [k for k, v in kw.items() if k not in ("layer", "input_") and v not in (None, False)]
    if flags:
        name = flags[0].rstrip("_").replace("_", "-")
        raise UsageError(f"--{name} does not apply to a stack; put the argument in the code")
    if kw.get("input_") is None:
        raise UsageError("missing --input SHAPE")
    return parse_shape(kw["input_"])


_UNITS = {
    "": 1,
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}


def memory(text: str | None, default: int) -> int:
    """``--max-memory``: bytes, or a number with a unit (``8GB``, ``512MiB``, ``1.5gb``)."""
    import re

    if text is None:
        return default
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    unit = found.group(2).lower() if found else ""
    if found is None or unit not in _UNITS or len(found.group(1)) > 30:
        raise UsageError(f"--max-memory must be a size such as 8GB or 512MiB, got {text!r}")
    return int(float(found.group(1)) * _UNITS[unit])


def int_option(text: str, name: str) -> int:
    value = text.strip()
    if not value.lstrip("+-").isdigit():
        raise UsageError(f"{name} must be an integer, got {text!r}")
    number = int(value)
    if name == "--fuzz" and number < 0:
        raise UsageError(f"--fuzz must be at least 0, got {number}")
    return number


def fuzz_args(
    count: str, seed: str | None, ops: str | None, kw: dict[str, Any]
) -> tuple[int, int, tuple[str, ...]]:
    """``verify --fuzz N``: the count, the seed and the ops; no LAYER nor layer flags."""
    from convshape.features.verify import resolve_ops
    from convshape.readers.flags import FLAG_KEYS

    extra = ("layer", "input_", "weight", "bias_shape", "output_size", *FLAG_KEYS)
    given = [k for k in extra if kw.get(k) not in (None, False)]
    if given:
        name = "LAYER" if given[0] == "layer" else "--" + given[0].rstrip("_").replace("_", "-")
        raise UsageError(f"--fuzz makes its own layers; drop {name}")
    n, s = int_option(count, "--fuzz"), int_option(seed or "0", "--seed")
    return n, s, resolve_ops(ops)


# -- lint --------------------------------------------------------------------------------


def jobs(text: str | None) -> int | None:
    """--jobs N or auto (None: one per CPU)."""
    if text is None or text.strip().lower() == "auto":
        return None
    if not text.strip().isdigit() or int(text) < 1:
        raise UsageError(f"--jobs must be a positive integer or 'auto', got {text!r}")
    return int(text)


def _codes(text: str, option: str) -> tuple[str, ...]:
    from convshape.features.lint.config import known_codes

    return known_codes(tuple(c.strip().upper() for c in text.split(",") if c.strip()), option)


def lint_config(
    config_file: str | None, select: str | None, ignore: str | None, lock_file: str | None
) -> Config:
    """The configuration (--config or the nearest pyproject.toml) with the options applied."""
    from convshape.features.lint.config import find_config, load_config

    path = Path(config_file) if config_file else find_config(Path.cwd())
    config = load_config(path)
    if select is not None:
        config.select = _codes(select, "--select")
    if ignore is not None:
        config.ignore += _codes(ignore, "--ignore")
    if lock_file is not None:
        config.lock = Path(lock_file)
    return config


def model_specs(
    config: Config,
    models: tuple[str, ...],
    inputs: tuple[str, ...],
    expect: tuple[str, ...],
    use_config: bool,
    train: bool = False,
) -> list[ModelSpec]:
    """The models to run: --model with its --input and --expect-output, then the
    configured ones when ``use_config``; ``train``: all of them in training mode."""
    from convshape.features.lint.config import ModelSpec, shapes

    if not models and (inputs or expect):
        raise UsageError("--input and --expect-output go with --model (model mode)")
    specs: list[ModelSpec] = []
    if models:
        if not inputs:
            raise UsageError("--model needs --input SHAPE (e.g. --input 1,3,224,224)")
        n = len(models)
        if n > 1 and len(inputs) not in (1, n):
            raise UsageError(
                f"{n} --model options need 1 or {n} --input options, got {len(inputs)}"
            )
        if len(expect) not in (0, 1, n) or (len(expect) == 1 and n > 1 and len(expect) != n):
            raise UsageError(f"{n} --model options need {n} --expect-output options")
        for i, factory in enumerate(models):
            if ":" not in factory:
                raise UsageError(f"--model {factory!r}: expected package.module:callable")
            if n == 1:
                given = tuple(s for text in inputs for s in shapes(text, "--input"))
            else:
                given = shapes(inputs[i if len(inputs) == n else 0], "--input")
            out = shapes(expect[i], "--expect-output")[0] if expect else None
            specs.append(ModelSpec(factory, given, out))
    if use_config:
        if not config.models and not specs:
            where = config.source or "pyproject.toml"
            raise UsageError(f"no models to run: add [[tool.convshape.models]] to {where}")
        specs += config.models
    if train:
        specs = [replace(s, train=True) for s in specs]
    return specs


def torch_release(text: str | None) -> Resolved:
    """The release ``--torch`` names, else the installed torch's (read from its package
    metadata, torch is not imported), else the newest modelled."""
    from convshape.core.releases import resolve

    installed = installed_torch() if text is None else None
    try:
        return resolve(text, installed)
    except ValueError as exc:
        if text is None:  # an installed build whose version is not a release number
            return resolve(None)
        raise UsageError(f"--torch: {exc}") from None


def installed_torch() -> str | None:
    """The installed torch's version, from its package metadata's folder name on
    ``sys.path`` (``torch-2.13.0+cpu.dist-info``): torch is not imported, and this takes
    a directory listing where ``importlib.metadata`` takes a few hundred milliseconds."""
    import os
    import sys

    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.startswith("torch-") and name.endswith((".dist-info", ".egg-info")):
                return name[len("torch-") :].rsplit(".", 1)[0]
    return None
