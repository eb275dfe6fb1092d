"""A whole model file followed without torch: ``calc --file model.py --variable NAME``.

The file is read by static lint's interpreter (:mod:`convshape.features.lint.extract`),
never imported or run. What ``NAME`` names (an ``nn.Module`` subclass or a factory
function, called without arguments, or a call expression such as
``"ResNet(Bottleneck, [3, 4, 6, 3])"``, read with :mod:`ast`) is built, and an abstract
tensor of the input shape runs through its ``forward``. Every layer application and
every tensor operation between them (``torch.cat``, ``+``, ``F.relu``, ``x.view``) becomes
a :class:`Step`; :class:`ModelTrace` holds them with the model's modules and totals.

Public API (stable, immutable records; ``draw`` reads the same trace):

* :func:`model_target` - whether a file and ``--variable`` name a model (else a stack).
* :func:`trace_model` - text, target, input shape -> :class:`ModelTrace`.
* :class:`Step` - one application: module path, class, input and output shapes, the
  steps that produced its inputs (``sources``: the edges of the graph), parameters,
  MACs, receptive field, where it was built or written, its error.
* :class:`Module` - one module of the model (``named_modules()``), with its parameters.
"""

from __future__ import annotations

import ast
import math
import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Final

from convshape.core.arithmetic import axis_names
from convshape.core.errors import ShapeError, UsageError
from convshape.core.registry import family_of
from convshape.core.trace import Env
from convshape.features.network import Field

if TYPE_CHECKING:
    from convshape.features.advice import Advice
    from convshape.features.lint.extract import Interp
    from convshape.features.lint.values import Finding, Instance, LayerVal

__all__ = ["Dims", "ModelTrace", "Module", "Step", "model_target", "trace_model"]

Dims = tuple[int | None, ...]
"""A tensor's shape, a size None where the source does not fix it."""

_MAX_MODULES: Final = 100_000


@dataclass(frozen=True)
class Module:
    """One module of the model as ``named_modules()`` lists it (``""`` is the model):
    its class (``nn.Conv2d``, or the file's class name), its parameter count (None when
    convshape does not know the layer or an argument), where it was built."""

    path: str
    type: str
    params: int | None
    file: str | None = None
    line: int = 0
    code: str = ""


@dataclass(frozen=True)
class Step:
    """One step of the forward pass.

    ``kind`` is ``"layer"`` (a torch layer applied: ``path`` is its module path, ``""``
    for a layer built inside forward), ``"module"`` (a module class read from source that
    holds no modules, after the steps of its forward: ``Permute``, ``LayerNorm2d``; torch's
    hooks see it as a leaf) or ``"op"`` (a tensor operation outside modules:
    ``torch.cat``, ``add`` for ``+``, ``F.relu``, ``Tensor.view``). ``inputs`` are the
    tensors it took (None: nothing known, not even the rank), ``sources`` the index of the
    step that made each (None: the model's input or something not followed). ``params``
    is counted on a module's first application only (None: unknown), ``macs`` is the
    multiply-accumulates of its weights on this input. ``file``/``line``/``code``: where
    the module was built (layers), its class is defined (modules) or the operation is
    written (ops). ``error``/``advice``:
    what torch raises here; ``finding``: what static lint reported here (at the line to
    fix: the call that passed the wrong value, which may be the caller of the helper that
    built the layer). ``unknown``: the layer's arguments the source does not fix
    (the interpreter could not follow where they come from)."""

    index: int
    kind: str
    path: str
    type: str
    code: str
    file: str | None
    line: int
    inputs: tuple[Dims | None, ...]
    sources: tuple[int | None, ...]
    output: Dims | None
    params: int | None = 0
    macs: int = 0
    fields: tuple[Field, ...] = ()
    error: ShapeError | None = None
    advice: Advice | None = None
    finding: Finding | None = None
    unknown: tuple[str, ...] = ()

    @property
    def input(self) -> Dims | None:
        return self.inputs[0] if self.inputs else None

    @property
    def failed(self) -> bool:
        return self.error is not None or self.finding is not None

    @property
    def where(self) -> str:
        """``resnet.py:42``."""
        if not self.file:
            return f"line {self.line}" if self.line else ""
        return f"{self.file.replace(chr(92), '/').rpartition('/')[2]}:{self.line}"


@dataclass(frozen=True)
class ModelTrace:
    """A model followed on an input: its steps, its modules and the totals.

    ``followed`` is False when the forward could not be followed to its end (``reason``
    says why); ``build_error`` is the error a module's constructor raises (torch raises
    it before anything runs), with the module it is in; ``findings`` are the other
    errors static lint found on the way."""

    target: str
    input: tuple[int, ...]
    steps: tuple[Step, ...]
    modules: tuple[Module, ...]
    output: Dims | None
    training: bool = False
    reason: str = ""
    build_error: tuple[Module, ShapeError, Advice] | None = None
    findings: tuple[Finding, ...] = ()

    @property
    def followed(self) -> bool:
        return not self.reason

    @property
    def failed(self) -> Step | None:
        return next((s for s in self.steps if s.failed), None)

    @property
    def ok(self) -> bool:
        return self.build_error is None and self.failed is None and not self.findings

    @property
    def params(self) -> int | None:
        """``sum(p.numel() for p in model.parameters())``; None when a module's is unknown."""
        total = 0
        for m in self.modules:
            if m.params is None:
                return None
            total += m.params
        return total

    @property
    def macs(self) -> int:
        return sum(s.macs for s in self.steps)


# ---------------------------------------------------------------------------------------
# Which model
# ---------------------------------------------------------------------------------------


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _model_classes(tree: ast.Module) -> list[str]:
    """The file's classes with a ``forward`` that no other class or function of the file
    builds on or uses: the models a file defines."""
    classes = [
        n
        for n in tree.body
        if isinstance(n, ast.ClassDef)
        and n.bases
        and any(isinstance(b, ast.FunctionDef) and b.name == "forward" for b in n.body)
    ]
    names = {c.name for c in classes}
    inner = {n for n in names if any(n in _names_in(c) for c in classes if c.name != n)}
    return [c.name for c in classes if c.name not in inner]


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def model_target(text: str, variable: str | None) -> str | None:
    """What ``calc --file`` should follow as a model, or None for a stack (an
    ``nn.Sequential`` or layers in a row, :mod:`convshape.features.network`).

    With ``variable``: a call expression, or the name of a class, a function or a
    module-level assignment that is not an ``nn.Sequential(...)``. Without: the file's one
    model class (a class with ``forward`` no other class uses); several are a
    :class:`UsageError` naming them."""
    tree = _parse(text)
    if tree is None:
        return None
    if variable is not None:
        try:
            expr = ast.parse(variable.strip(), mode="eval").body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
        if isinstance(expr, ast.Call):
            return variable.strip()
        if not isinstance(expr, ast.Name):
            return None
        name = expr.id
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == name:
                return name
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets
            ):
                call = node.value
                func = call.func if isinstance(call, ast.Call) else None
                seq = isinstance(func, (ast.Name, ast.Attribute)) and (
                    (func.id if isinstance(func, ast.Name) else func.attr) == "Sequential"
                )
                if isinstance(call, ast.Call) and not seq:
                    return name
        return None
    models = _model_classes(tree)
    if len(models) > 1:
        raise UsageError(
            f"the file defines {len(models)} models ({', '.join(models)}): name one with "
            f"--variable NAME (a class, a function or a call such as {models[0]}())"
        )
    return models[0] if models else None


# ---------------------------------------------------------------------------------------
# Following it
# ---------------------------------------------------------------------------------------


class _Recorder:
    """The interpreter's tracer (:class:`~convshape.features.lint.extract.Tracer`)."""

    def __init__(self) -> None:
        self.raw: list[tuple[Any, ...]] = []
        self.keep: list[Any] = []  # the tensors seen, alive, so that their ids stay theirs
        self.made: dict[int, int] = {}  # id(tensor) -> the step that made it

    def _sources(self, tensors: list[Any]) -> tuple[int | None, ...]:
        return tuple(self.made.get(id(t)) for t in tensors)

    def _made(self, output: Any, index: int) -> None:
        from convshape.features.lint.values import Tensor

        if isinstance(output, Tensor):
            self.keep.append(output)
            self.made[id(output)] = index

    def layer(
        self, interp: Interp, module: LayerVal, inputs: list[Any] | None, output: Any, before: int
    ) -> None:
        from convshape.features.lint.values import Tensor

        tensors: list[Any] = [t for t in (inputs or [])[:1] if isinstance(t, Tensor)] or [None]
        new = list(interp.ctx.findings.values())[before:]
        self.keep += tensors
        self.raw.append(("layer", module, tensors, self._sources(tensors), output, new, None))
        self._made(output, len(self.raw) - 1)

    def module(
        self, interp: Interp, module: Instance, inputs: list[Any] | None, output: Any, before: int
    ) -> None:
        """A module class's forward: recorded when it holds no modules (a leaf, as torch's
        hooks see it: ``Permute``, ``LayerNorm2d``, ``StochasticDepth``)."""
        from convshape.features.lint.values import ModuleVal, Tensor

        held = [v for k, v in module.attrs.items() if not k.startswith("\0")]
        if module.children or any(isinstance(v, ModuleVal) for v in held):
            return
        tensors: list[Any] = [t for t in (inputs or [])[:1] if isinstance(t, Tensor)] or [None]
        new = list(interp.ctx.findings.values())[before:]
        self.keep += tensors
        self.raw.append(("module", module, tensors, self._sources(tensors), output, new, None))
        self._made(output, len(self.raw) - 1)

    def op(
        self, interp: Interp, name: str, inputs: list[Any], output: Any, node: ast.AST, before: int
    ) -> None:
        new = list(interp.ctx.findings.values())[before:]
        site = interp.ctx.site(node) if isinstance(node, (ast.expr, ast.stmt)) else None
        self.keep += inputs
        where = (interp.ctx.path, site)
        self.raw.append(("op", name, inputs, self._sources(inputs), output, new, where))
        self._made(output, len(self.raw) - 1)


def trace_model(
    text: str,
    target: str,
    shape: tuple[int, ...],
    *,
    path: str = "<stdin>",
    training: bool = False,
) -> ModelTrace:
    """Follow ``target`` of the file ``text`` on an input of ``shape`` (see the module
    docstring). A target the file does not define, or one that needs arguments, is a
    :class:`UsageError`; a model the interpreter cannot follow to its end is a trace with
    a ``reason``."""
    from convshape.features.lint.extract import FileContext, follow_model

    tree = _parse(text)
    if tree is None:
        raise UsageError(f"could not parse {path}")
    try:
        expr = ast.parse(target.strip(), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise UsageError(f"--variable {target!r} is not a name or a call") from None
    _check_target(tree, expr, target, path)
    recorder = _Recorder()
    ctx = FileContext(path, text)
    followed = follow_model(ctx, tree, expr, shape, recorder, training)
    from convshape.features.lint.values import ModuleVal, Tensor

    if not isinstance(followed.model, ModuleVal):
        raise UsageError(f"{target} in {path} does not build an nn.Module convshape can follow")
    modules, paths, layers = _modules(followed.model)
    steps = _steps(recorder, paths, shape, training)
    output = followed.output
    reason = followed.reason
    out_dims = _dims(output) if isinstance(output, Tensor) else None
    failed = any(s.failed for s in steps)
    if not reason and out_dims is None and steps and not failed:
        reason = "the forward's result is not a tensor convshape could follow"
    elif not reason and out_dims is not None and None in out_dims and not failed:
        reason = "sizes of the output the source does not fix"
    if not reason and not steps:
        reason = "no layer was reached from its forward"
    if reason and not failed:
        reason += _lost(steps)
    steps = _placed(steps, ctx)
    attached = {id(s.finding) for s in steps if s.finding is not None}
    errors = [f for _e, f in ctx.findings.values() if f.severity == "error"]
    others = tuple(f for f in errors if id(f) not in attached)
    return ModelTrace(
        target,
        tuple(shape),
        steps,
        modules,
        out_dims,
        training,
        reason,
        _build_error(layers),
        others if not any(s.failed for s in steps) else (),
    )


def _placed(steps: tuple[Step, ...], ctx: Any) -> tuple[Step, ...]:
    """The first failing step gets static lint's finding for its module when lint placed
    it after the step (at the call that gave a value its module's helper only passed on:
    the message names the module path, or torch's message for this step)."""
    from dataclasses import replace

    failed = next((s for s in steps if s.failed), None)
    if failed is None or failed.finding is not None or not failed.path:
        return steps
    tail = f"for {failed.path})"
    said = failed.error.message if failed.error is not None else None
    for _exact, finding in ctx.findings.values():
        if finding.severity != "error":
            continue
        if tail in finding.message or (said is not None and said in finding.message):
            return tuple(replace(s, finding=finding) if s is failed else s for s in steps)
    return steps


def _lost(steps: tuple[Step, ...]) -> str:
    """Where the trace first lost what it knew, for the reason a model was not followed."""
    for step in steps:
        label = step.path or step.type
        where = f" at {step.where}" if step.where else ""
        if step.kind == "layer" and step.unknown:
            return f"; {label} ({step.code}{where}): the source does not fix " + ", ".join(
                step.unknown
            )
        if step.input is None or None in step.input:
            if step.index == 0:
                return f"; nothing before {label}{where} was followed"
            before = steps[step.index - 1]
            return (
                f"; the input of {label}{where} is not known (after {before.path or before.type})"
            )
    return ""


def _check_target(tree: ast.Module, expr: ast.expr, target: str, path: str) -> None:
    """A name the file does not define, or a class/function that needs arguments."""
    func = expr.func if isinstance(expr, ast.Call) else expr
    if not isinstance(func, ast.Name):
        return
    for node in tree.body:
        if isinstance(node, (ast.ClassDef, ast.FunctionDef)) and node.name == func.id:
            if isinstance(expr, ast.Call):
                return
            args = _signature(tree, node)
            if args is not None:
                raise UsageError(
                    f"{func.id} needs arguments: {func.id}({args}); call it: "
                    f"--variable '{func.id}(...)'"
                )
            return
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == func.id for t in node.targets
        ):
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
            (a.asname or a.name).partition(".")[0] == func.id for a in node.names
        ):
            return
    defined = [n.name for n in tree.body if isinstance(n, (ast.ClassDef, ast.FunctionDef))]
    hint = f"; it defines {', '.join(defined[:8])}" if defined else ""
    raise UsageError(f"{path} defines no {func.id!r}{hint}")


def _signature(tree: ast.Module, node: ast.ClassDef | ast.FunctionDef) -> str | None:
    """Its parameters' text when calling ``node`` without arguments fails."""
    fn: ast.FunctionDef | None = node if isinstance(node, ast.FunctionDef) else None
    skip = 0
    if isinstance(node, ast.ClassDef):
        fn = next(
            (b for b in node.body if isinstance(b, ast.FunctionDef) and b.name == "__init__"),
            None,
        )
        skip = 1
    if fn is None:
        return None
    a = fn.args
    positional = a.posonlyargs + a.args
    required = len(positional) - len(a.defaults) - skip
    required += sum(1 for d in a.kw_defaults if d is None)
    if required <= 0:
        return None
    shown = ast.arguments(
        posonlyargs=[],
        args=positional[skip:],
        vararg=a.vararg,
        kwonlyargs=a.kwonlyargs,
        kw_defaults=a.kw_defaults,
        kwarg=a.kwarg,
        defaults=a.defaults,
    )
    return ast.unparse(shown)


def _dims(t: Any) -> Dims | None:
    """A tensor's shape (the first of a tuple a module returns: attention's output)."""
    from convshape.features.lint.values import Tensor

    if isinstance(t, tuple) and t:
        t = t[0]
    if isinstance(t, Tensor) and t.exact:
        return tuple(t.dims)
    return None


def _modules(model: Any) -> tuple[tuple[Module, ...], dict[int, str], list[tuple[Module, Any]]]:
    """``named_modules()``: every module reachable from the model, by first path."""
    from convshape.features.lint.values import (
        UNKNOWN,
        DictVal,
        Instance,
        LayerVal,
        ModListVal,
        ModuleVal,
        SeqVal,
    )

    paths: dict[int, str] = {}
    found: list[Module] = []
    layers: list[tuple[Module, Any]] = []
    stack: list[tuple[Any, str]] = [(model, "")]
    while stack and len(found) < _MAX_MODULES:
        value, path = stack.pop()
        if not isinstance(value, ModuleVal) or id(value) in paths:
            continue
        paths[id(value)] = path
        prefix = f"{path}." if path else ""
        children: list[tuple[str, Any]] = []
        if isinstance(value, LayerVal):
            found.append(_layer_module(value, path))
            layers.append((found[-1], value))
            continue
        if isinstance(value, Instance):
            # an attribute the interpreter lost (set under a branch it could not decide)
            # may have been a module: its parameters are unknown
            lost = value.opaque or any(v is UNKNOWN for v in value.attrs.values())
            found.append(Module(path, value.cls.name, None if lost else _own(value.attrs)))
            for name, child in value.attrs.items():
                if name.startswith("\0"):
                    continue  # the interpreter's own (the torch layer a class subclasses)
                if isinstance(child, ModuleVal):
                    children.append((name, child))
                elif isinstance(child, DictVal) and child.items is not None:
                    children += [(f"{name}.{k}", v) for k, v in child.items.items()]
            for name, child in value.children or ():
                children.append((str(name), child))
        elif isinstance(value, SeqVal):
            children = [(str(n), c) for n, c in value.children or ()]
            lost = value.children is None or any(c is UNKNOWN for _n, c in children)
            found.append(Module(path, "nn.Sequential", None if lost else 0))
        elif isinstance(value, ModListVal):
            children = [(str(i), c) for i, c in enumerate(value.children or ())]
            lost = value.children is None or any(c is UNKNOWN for _n, c in children)
            found.append(Module(path, "nn.ModuleList", None if lost else 0))
        stack += [(c, prefix + n) for n, c in reversed(children)]
    return tuple(found), paths, layers


def _class_file(cls: Any) -> str | None:
    """The file a class read from source is defined in (its methods' module globals
    hold the interpreter's FileContext under a name starting with a NUL)."""
    from convshape.features.lint.values import FuncVal

    for value in cls.attrs.values():
        if isinstance(value, FuncVal):
            ctx = value.globals.get("\0file")
            path = getattr(ctx, "path", None)
            if isinstance(path, str):
                return path
    return None


def _own(attrs: dict[str, Any]) -> int | None:
    """The parameters a module holds itself: its ``nn.Parameter`` attributes, and the
    torch layer's when its class subclasses one (``class LayerNorm2d(nn.LayerNorm)``,
    kept by the interpreter under a name starting with a NUL)."""
    from convshape.features.lint.values import LayerVal, Param

    total = 0
    for name, value in attrs.items():
        if name.startswith("\0") and isinstance(value, LayerVal):
            held = _layer_module(value, "").params
            if held is None:
                return None
            total += held
        elif isinstance(value, Param):
            shape = value.shape
            if shape is None:
                return None
            total += math.prod(shape)
    return total


_CAT: Final = frozenset({"torch.cat", "torch.concat", "torch.concatenate"})
_NO_PARAMS: Final = frozenset({"nn.Identity", "nn.Parameter"})


def _layer_module(layer: LayerVal, path: str) -> Module:
    from convshape.features.lint.rules import spec_of

    site = layer.site
    spec = spec_of(layer)
    params: int | None = None
    if spec is not None:
        params = family_of(spec).params(spec, None)
    elif layer.name == "nn.MultiheadAttention":
        params = _attention_params(layer.params or {})
    line, code = (site.line, site.text) if site is not None else (0, layer.name)
    return Module(path, layer.name, params, layer.file, line, code)


def _attention_params(p: dict[str, Any]) -> int | None:
    """``nn.MultiheadAttention``'s parameters: the query/key/value projections (one
    ``in_proj_weight`` when key and value have the embedding's size), their biases, the
    output projection, and ``bias_k``/``bias_v``."""
    e, kdim, vdim = p.get("embed_dim"), p.get("kdim"), p.get("vdim")
    kdim = e if kdim is None else kdim
    vdim = e if vdim is None else vdim
    bias, extra = p.get("bias"), p.get("add_bias_kv")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (e, kdim, vdim)):
        return None
    if not isinstance(bias, bool) or not isinstance(extra, bool):
        return None
    assert isinstance(e, int) and isinstance(kdim, int) and isinstance(vdim, int)
    total = e * e + e * kdim + e * vdim + e * e  # q, k, v and the output projection
    total += (3 * e + e) if bias else 0
    total += 2 * e if extra else 0
    return total


def _build_error(layers: list[tuple[Module, Any]]) -> tuple[Module, ShapeError, Advice] | None:
    """The first constructor error in the model, in build order: torch raises it before
    anything runs."""
    from convshape.features.advice import advise
    from convshape.features.lint.rules import spec_of

    for module, layer in layers:
        spec = spec_of(layer)
        err = family_of(spec).construct_error(spec) if spec is not None else None
        if err is not None:
            return module, err, advise(err, spec, None)
    return None


def _steps(
    recorder: _Recorder, paths: dict[int, str], shape: tuple[int, ...], training: bool
) -> tuple[Step, ...]:
    from convshape.features.lint.rules import spec_of

    steps: list[Step] = []
    seen: set[int] = set()
    specs: list[Any] = []
    for index, (kind, what, tensors, sources, output, new, where) in enumerate(recorder.raw):
        inputs = tuple(_dims(t) for t in tensors)
        out = _dims(output)
        finding = next((f for _e, f in new if f.severity == "error"), None)
        if kind == "op":
            file, site = where
            line, code = (site.line, site.text) if site is not None else (0, what)
            steps.append(
                Step(
                    index,
                    "op",
                    "",
                    what,
                    code,
                    file,
                    line,
                    inputs,
                    sources,
                    out,
                    0,
                    0,
                    (),
                    None,
                    None,
                    finding,
                )
            )
            specs.append(None)
            continue
        if kind == "module":
            module = what
            held = _own(module.attrs) if id(module) not in seen else 0
            seen.add(id(module))
            steps.append(
                Step(
                    index,
                    "module",
                    paths.get(id(module), ""),
                    module.cls.name,
                    module.cls.name,
                    _class_file(module.cls),
                    module.cls.node.lineno,
                    inputs,
                    sources,
                    out,
                    held,
                    0,
                    (),
                    None,
                    None,
                    finding,
                )
            )
            specs.append(None)
            continue
        layer = what
        spec = spec_of(layer)
        specs.append(spec)
        site = layer.site
        line, code = (site.line, site.text) if site is not None else (0, layer.name)
        first = id(layer) not in seen
        seen.add(id(layer))
        params: int | None = 0
        macs = 0
        error: ShapeError | None = None
        advice: Advice | None = None
        full = inputs[0] if inputs and inputs[0] is not None and None not in inputs[0] else None
        if spec is not None:
            shape_in = tuple(d for d in full if d is not None) if full is not None else None
            params = family_of(spec).params(spec, shape_in) if first else 0
            if shape_in is not None:
                error, result_out = _run(spec, shape_in, training)
                if error is not None:
                    from convshape.features.advice import advise

                    advice = advise(error, spec, shape_in)
                    out = None
                elif result_out is not None:
                    out = tuple(result_out)
                    macs = family_of(spec).macs(spec, shape_in, result_out)
        elif first and layer.name == "nn.MultiheadAttention":
            params = _attention_params(layer.params or {})
        elif first:
            params = 0 if layer.name in _NO_PARAMS else None
        else:
            params = 0
        steps.append(
            Step(
                index,
                "layer",
                paths.get(id(layer), ""),
                layer.name,
                code,
                layer.file,
                line,
                inputs,
                sources,
                out,
                params,
                macs,
                (),
                error,
                advice,
                finding,
                _unknown_args(layer),
            )
        )
    return _with_fields(steps, specs, shape)


def _unknown_args(layer: LayerVal) -> tuple[str, ...]:
    from convshape.features.lint.values import UNKNOWN

    params = layer.params
    if params is None:
        return ()
    return tuple(name for name, value in params.items() if value is UNKNOWN)


def _run(spec: Any, shape: tuple[int, ...], training: bool) -> tuple[ShapeError | None, Any]:
    from convshape.core.engine import infer_spec

    result = infer_spec(spec, shape, Env(training=training))
    return result.error, result.output


def _with_fields(steps: list[Step], specs: list[Any], shape: tuple[int, ...]) -> tuple[Step, ...]:
    """The receptive field of each step's output on the model input's spatial axes, where
    it is a sliding window: through layers with windows, operations that keep the shape,
    and ``+``/``torch.cat`` of tensors whose fields move alike."""
    from dataclasses import replace

    n = next(
        (
            r
            for spec in specs
            if spec is not None and (r := family_of(spec).spatial_rank(spec)) is not None
        ),
        0,
    )
    if not n or len(shape) < n:
        return tuple(steps)
    start = tuple(Field(a, Fraction(1), Fraction(1), Fraction(0)) for a in axis_names(n))
    fields: list[tuple[Field, ...] | None] = []
    out: list[Step] = []
    for step, spec in zip(steps, specs, strict=True):
        found: tuple[Field, ...] | None = None
        before = [start if s is None else fields[s] for s in step.sources]
        ranks_ok = step.output is not None and all(
            i is not None and len(i) == len(step.output) for i in step.inputs
        )
        if ranks_ok and before and all(b is not None for b in before):
            if step.kind == "layer" and spec is not None:
                found = _through(spec, before[0], step, n)
            elif step.kind != "layer" and (step.inputs[0] == step.output or step.type in _CAT):
                found = _merged([b for b in before if b is not None])
        fields.append(found)
        out.append(replace(step, fields=found or ()))
    return tuple(out)


def _through(spec: Any, before: Any, step: Step, n: int) -> tuple[Field, ...] | None:
    shape_in, shape_out = step.inputs[0], step.output
    if shape_in is None or shape_out is None or None in shape_in[-n:] or None in shape_out[-n:]:
        return None
    windows = family_of(spec).window(
        spec,
        tuple(d for d in shape_in[-n:] if d is not None),
        tuple(d for d in shape_out[-n:] if d is not None),
        n,
    )
    if windows is None:
        return None
    return tuple(
        Field(f.axis, f.size + extent * f.jump, f.jump * factor, f.start + shift * f.jump)
        for f, (extent, factor, shift) in zip(before, windows, strict=True)
    )


def _merged(before: list[tuple[Field, ...]]) -> tuple[Field, ...] | None:
    """Two branches joined: defined when their outputs step alike (same jump and start
    per axis); the field is the wider one."""
    first = before[0]
    for other in before[1:]:
        if [(f.jump, f.start) for f in other] != [(f.jump, f.start) for f in first]:
            return None
    return tuple(max((b[i] for b in before), key=lambda f: f.size) for i in range(len(first)))
