"""Whole stacks of layers: parse a pasted ``nn.Sequential`` (or a file, or several layers in
a row) and push an input shape through it, layer by layer.

Public API (stable):

* :class:`StackLayer` - one parsed layer: torch's module name, its source, its spec.
* :func:`parse_stack` - text -> ``list[StackLayer]`` (``ast`` only, nothing evaluated).
* :func:`infer_stack` - layers + input shape -> :class:`StackResult`.
* :class:`StackRow` - per layer: input, output, parameters, multiply-accumulates, the
  receptive field per spatial axis (:class:`Field`), the error and its advice.
* :class:`StackResult` - the rows, the first failing row, the totals.

Nothing here imports torch.
"""

from __future__ import annotations

import ast
import difflib
import textwrap
import warnings
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Final, cast

from convshape.core.arithmetic import axis_names
from convshape.core.errors import ShapeError, UsageError
from convshape.core.registry import family_of
from convshape.core.shapes import Shape
from convshape.core.signature import Source, dotted
from convshape.core.trace import Env
from convshape.ops import AnySpec

if TYPE_CHECKING:
    from convshape.features.advice import Advice
    from convshape.features.memory import Memory

__all__ = [
    "AnySpec",
    "Field",
    "StackLayer",
    "StackResult",
    "StackRow",
    "infer_stack",
    "parse_stack",
    "spatial_rank",
]


@dataclass(frozen=True)
class StackLayer:
    """One layer of a stack.

    ``name`` is the name torch's ``named_modules()`` gives it (``"0"``, ``"conv1"``,
    ``"encoder.2"``); ``code`` its source text on one line; ``line`` its 1-based line in
    the parsed text (0 when unknown).
    """

    name: str
    code: str
    spec: AnySpec
    line: int = 0


@dataclass(frozen=True)
class Field:
    """The receptive field of the layer's output on one spatial axis of the stack's input.

    ``size``: how many input positions one output position sees; ``jump``: the distance,
    in input positions, between neighbouring outputs (the effective stride); ``start``:
    the input coordinate of the centre of output 0's field (negative: it lies in the
    padding). Fractions appear after upsampling / transposed convolutions.
    """

    axis: str
    size: Fraction
    jump: Fraction
    start: Fraction


@dataclass(frozen=True)
class StackRow:
    """One layer's line in a stack: what goes in and out, what it costs, what it sees.

    ``input``/``output`` are None once an earlier layer failed (and ``output`` is None for
    the failing layer itself); ``params`` is counted for every layer; ``macs`` is the
    multiply-accumulates of the layer's weights on this input (0 for layers without
    weights, and where the input is unknown); ``fields`` is empty where the receptive
    field is not a sliding window any more (after Flatten, Linear, adaptive pooling ...).
    """

    index: int
    layer: StackLayer
    input: Shape | None
    output: Shape | None
    params: int
    macs: int
    fields: tuple[Field, ...] = ()
    error: ShapeError | None = None
    advice: Advice | None = None
    warnings: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def code(self) -> str:
        return self.layer.code

    @property
    def spec(self) -> AnySpec:
        return self.layer.spec

    @property
    def ok(self) -> bool:
        return self.error is None and self.output is not None

    def output_bytes(self, dtype: str = "float32") -> int:
        """The output activation's size in bytes as a forward hook sees it (0 when there is
        no output); a max pool's int64 indices count too (features/memory.py)."""
        import math

        from convshape.features.memory import INDEX_BYTES, tensor_bytes

        if self.output is None:
            return 0
        size = tensor_bytes(self.output, dtype)
        if getattr(self.spec, "return_indices", False):
            size += math.prod(self.output) * INDEX_BYTES
        return size


@dataclass(frozen=True)
class StackResult:
    """A stack applied to an input: one row per layer and the totals."""

    input: Shape
    rows: tuple[StackRow, ...]

    @property
    def failed(self) -> StackRow | None:
        """The first layer torch would raise in, or None."""
        return next((r for r in self.rows if r.error is not None), None)

    @property
    def ok(self) -> bool:
        return self.failed is None

    @property
    def output(self) -> Shape | None:
        if not self.ok:
            return None
        return self.rows[-1].output if self.rows else self.input

    @property
    def params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def macs(self) -> int:
        return sum(r.macs for r in self.rows)

    def memory(self, dtype: str = "float32") -> Memory:
        """Parameters, forward activations (up to the first failing layer), input and the
        estimated total, in bytes, every tensor of ``dtype`` (features/memory.py)."""
        from convshape.features.memory import Memory, element_size, tensor_bytes

        return Memory(
            dtype,
            self.params * element_size(dtype),
            sum(r.output_bytes(dtype) for r in self.rows),
            tensor_bytes(self.input, dtype),
        )


# ---------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------

_SEQUENTIAL: Final = frozenset(
    {("nn", "Sequential"), ("torch", "nn", "Sequential"), ("Sequential",)}
)
_ORDERED_DICT: Final = frozenset({("OrderedDict",), ("collections", "OrderedDict")})


def parse_stack(code: str, variable: str | None = None) -> list[StackLayer]:
    """Read a stack: ``nn.Sequential(...)`` (positional, ``OrderedDict([...])``,
    ``*[...]``, nested), a module file holding one (``variable`` names it: ``features``,
    ``self.features``; ``"features,classifier"`` chains several in that order), or several
    layers in a row (one per line, or a tuple/list).

    Raises :class:`~convshape.errors.UsageError` (one line) for anything else, naming it.
    """
    text = code.strip("\n")
    if not text.strip():
        raise UsageError("no layers given: paste an nn.Sequential(...) or layers such as nn.ReLU()")
    text = textwrap.dedent(text)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        raise UsageError(
            f"could not parse the code{where}: {' '.join(str(exc.msg).split())}"
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise UsageError(f"could not parse the code: {type(exc).__name__}") from None
    reader = _Reader(text)
    if variable is not None:
        names = [v.strip() for v in variable.split(",") if v.strip()]
        if not names:
            raise UsageError(f"--variable {variable!r} names no stack")
        if len(names) == 1:
            return reader.sequential(_named(tree, names[0], text))
        chained: list[StackLayer] = []
        for name in names:
            prefix = name.rpartition(".")[2] + "."
            chained += reader.sequential(_named(tree, name, text), prefix)
        return chained
    found = _top_sequentials(tree)
    if len(found) == 1:
        return reader.sequential(found[0][1])
    if len(found) > 1:
        names = [name or f"line {node.lineno}" for name, node in found]
        short = ",".join(n.rpartition(".")[2] for n in names)
        raise UsageError(
            f"the code holds {len(found)} nn.Sequential stacks ({', '.join(names)}): name one "
            f"with --variable NAME, or chain them in order: --variable {short}"
        )
    return reader.statements(tree)


def _target_name(node: ast.expr) -> str | None:
    parts = dotted(node)
    return ".".join(parts) if parts else None


def _assignments(tree: ast.AST) -> list[tuple[str, ast.expr]]:
    out: list[tuple[str, ast.expr]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                name = _target_name(target)
                if name:
                    out.append((name, node.value))
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            name = _target_name(node.target)
            if name:
                out.append((name, node.value))
    return out


def _is_sequential(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    parts = dotted(node.func)
    return parts is not None and tuple(parts) in _SEQUENTIAL


def _top_sequentials(tree: ast.AST) -> list[tuple[str | None, ast.Call]]:
    """The nn.Sequential calls not nested in another one, with the name each is
    assigned to."""
    names = {id(value): name for name, value in _assignments(tree)}
    found: list[tuple[str | None, ast.Call]] = []

    def visit(node: ast.AST) -> None:
        if _is_sequential(node):
            found.append((names.get(id(node)), cast(ast.Call, node)))
            return
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _named(tree: ast.AST, variable: str, text: str) -> ast.Call:
    want = variable.strip()
    candidates = [(name, value) for name, value in _assignments(tree)]
    for name, value in candidates:
        if name == want or name.rpartition(".")[2] == want.rpartition(".")[2] == want:
            if not _is_sequential(value):
                seg = Source(text).quote(value)
                raise UsageError(
                    f"{want!r} is assigned {seg!r}, not an nn.Sequential(...) convshape can read"
                )
            return cast(ast.Call, value)
    known = [name for name, value in candidates if _is_sequential(value)]
    hint = f"; the nn.Sequential stacks are: {', '.join(known)}" if known else ""
    raise UsageError(f"no assignment to {want!r} in the code{hint}")


class _Reader:
    """Turns the ast nodes of one text into stack layers."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.source = Source(text)

    def quote(self, node: ast.AST, limit: int = 60) -> str:
        return self.source.quote(node, limit)

    def sequential(self, call: ast.Call, prefix: str = "") -> list[StackLayer]:
        if call.keywords:
            raise UsageError(
                f"line {call.lineno}: nn.Sequential takes no keyword arguments "
                f"({self.quote(call.keywords[0])})"
            )
        args = list(call.args)
        if len(args) == 1 and isinstance(args[0], ast.Call):
            parts = dotted(args[0].func)
            if parts is not None and tuple(parts) in _ORDERED_DICT:
                return self.ordered_dict(args[0], prefix)
        items: list[ast.expr] = []
        for arg in args:
            if isinstance(arg, ast.Starred):
                if not isinstance(arg.value, ast.List | ast.Tuple):
                    raise UsageError(
                        f"line {arg.lineno}: convshape reads *[...] lists of layers written "
                        f"out, not {self.quote(arg)!r}"
                    )
                items += arg.value.elts
            else:
                items.append(arg)
        layers: list[StackLayer] = []
        for i, item in enumerate(items):
            layers += self.item(item, f"{prefix}{i}")
        return layers

    def ordered_dict(self, call: ast.Call, prefix: str) -> list[StackLayer]:
        if (
            len(call.args) != 1
            or call.keywords
            or not isinstance(call.args[0], ast.List | ast.Tuple)
        ):
            raise UsageError(
                f"line {call.lineno}: convshape reads OrderedDict([('name', layer), ...]), "
                f"not {self.quote(call)!r}"
            )
        layers: list[StackLayer] = []
        for pair in call.args[0].elts:
            if not (
                isinstance(pair, ast.Tuple | ast.List)
                and len(pair.elts) == 2
                and isinstance(pair.elts[0], ast.Constant)
                and isinstance(pair.elts[0].value, str)
            ):
                raise UsageError(
                    f"line {pair.lineno}: expected a ('name', layer) pair, got {self.quote(pair)!r}"
                )
            layers += self.item(pair.elts[1], prefix + pair.elts[0].value)
        return layers

    def item(self, node: ast.expr, name: str) -> list[StackLayer]:
        if _is_sequential(node):
            return self.sequential(cast(ast.Call, node), name + ".")
        if not isinstance(node, ast.Call):
            raise UsageError(
                f"line {node.lineno}: expected a layer such as nn.ReLU(), got {self.quote(node)!r}"
            )
        return [StackLayer(name, self.quote(node, 200), self.spec(node), node.lineno)]

    def spec(self, call: ast.Call) -> AnySpec:
        from convshape.readers.parse import lookup, module_signature, read_call

        parts = dotted(call.func)
        where = f"line {call.lineno}"
        if parts is None:
            raise UsageError(f"{where}: expected a layer call, not {self.quote(call)!r}")
        sig = module_signature(parts) or lookup(parts)
        try:
            if sig is not None:
                return cast(AnySpec, sig.build(read_call(sig, call, self.text)))
        except UsageError as exc:
            raise UsageError(f"{where}: {exc}") from None
        raise UsageError(f"{where}: {_unknown(parts)}")

    def statements(self, tree: ast.Module) -> list[StackLayer]:
        layers: list[StackLayer] = []
        for stmt in tree.body:
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                continue
            name: str | None = None
            if isinstance(stmt, ast.Expr):
                value = stmt.value
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                value, name = stmt.value, _target_name(stmt.targets[0])
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                value, name = stmt.value, _target_name(stmt.target)
            else:
                raise UsageError(
                    f"line {stmt.lineno}: expected layers or an nn.Sequential(...), got "
                    f"{self.quote(stmt)!r}"
                )
            items = value.elts if isinstance(value, ast.Tuple | ast.List) else [value]
            for item in items:
                label = name if name and len(items) == 1 else str(len(layers))
                layers += self.item(item, label)
        if not layers:
            raise UsageError("no layers found in the code")
        return layers


def _unknown(parts: list[str]) -> str:
    from convshape.readers.parse import LAYERS, MODULES

    written = ".".join(parts)
    shorts = sorted({n.rpartition(".")[2] for n in (*LAYERS, *MODULES)})
    close = difflib.get_close_matches(parts[-1], shorts, n=3, cutoff=0.6)
    by_lower = {s.lower(): s for s in shorts}
    if parts[-1].lower() in by_lower and by_lower[parts[-1].lower()] not in close:
        close.insert(0, by_lower[parts[-1].lower()])
    hint = f"; did you mean {' or '.join(repr(c) for c in close[:3])}?" if close else ""
    return (
        f"unknown layer {written!r}: convshape knows the conv family, pooling, norms, "
        f"activations, dropout, Flatten/Unflatten, Linear, Upsample, PixelShuffle and the "
        f"padding modules{hint}"
    )


# ---------------------------------------------------------------------------------------
# Inference
# ---------------------------------------------------------------------------------------


def infer_stack(
    layers: list[StackLayer] | tuple[StackLayer, ...], input_shape: Shape, *, training: bool = True
) -> StackResult:
    """Push ``input_shape`` through ``layers`` as torch's forward would (``training``: a
    freshly built module's mode, where BatchNorm needs more than one value per channel).

    torch builds every module before running any: a constructor error anywhere (groups
    that do not divide the channels, a dropout probability above 1) is the stack's failure,
    and no layer runs."""
    shape: Shape | None = tuple(input_shape)
    rows: list[StackRow] = []
    broken = next(
        ((i, e) for i, layer in enumerate(layers) if (e := _construct_error(layer.spec))), None
    )
    tracker = _Fields(tuple(input_shape), list(layers))
    for i, layer in enumerate(layers):
        spec = layer.spec
        if broken is not None:
            err = broken[1] if broken[0] == i else None
            advice = _advise(err, spec, None) if err is not None else None
            rows.append(StackRow(i, layer, None, None, _params(spec, None), 0, (), err, advice))
            continue
        if shape is None:
            rows.append(StackRow(i, layer, None, None, _params(spec, None), 0))
            continue
        output, err, warns, notes = _apply(spec, shape, training)
        fields = tracker.step(spec, shape, output) if err is None else ()
        rows.append(
            StackRow(
                i,
                layer,
                shape,
                output,
                _params(spec, shape),
                _macs(spec, shape, output) if err is None else 0,
                fields,
                err,
                _advise(err, spec, shape) if err is not None else None,
                warns,
                notes,
            )
        )
        shape = output
    return StackResult(tuple(input_shape), tuple(rows))


def _construct_error(spec: AnySpec) -> ShapeError | None:
    """The error the layer's constructor raises, before anything runs."""
    return family_of(spec).construct_error(spec)


def _apply(
    spec: AnySpec, shape: Shape, training: bool
) -> tuple[Shape | None, ShapeError | None, tuple[str, ...], tuple[str, ...]]:
    from convshape.core.engine import infer_spec

    r = infer_spec(spec, shape, Env(training=training))
    return r.output, r.error, r.warnings, r.notes


def _advise(err: ShapeError, spec: AnySpec, shape: Shape | None) -> Advice:
    from convshape.features.advice import advise

    return advise(err, spec, shape)


def _params(spec: AnySpec, shape: Shape | None) -> int:
    """``sum(p.numel() for p in module.parameters())``."""
    return family_of(spec).params(spec, shape)


def _macs(spec: AnySpec, shape: Shape, output: Shape | None) -> int:
    """Multiply-accumulates of the layer's weights (what FLOP counters halve)."""
    if output is None:
        return 0
    return family_of(spec).macs(spec, shape, output)


# ---------------------------------------------------------------------------------------
# Receptive fields
# ---------------------------------------------------------------------------------------


class _Fields:
    """Per spatial axis: the receptive field, jump and start as the stack goes."""

    def __init__(self, shape: Shape, layers: list[StackLayer]) -> None:
        self.n = spatial_rank(layers)
        self.rank = len(shape)
        names = axis_names(self.n) if self.n else ()
        self.fields: tuple[Field, ...] | None = (
            tuple(Field(a, Fraction(1), Fraction(1), Fraction(0)) for a in names)
            if self.n and self.rank >= self.n
            else None
        )

    def step(self, spec: AnySpec, shape: Shape, output: Shape | None) -> tuple[Field, ...]:
        if self.fields is None or output is None:
            return ()
        if len(output) != self.rank or len(shape) != self.rank:
            self.fields = None
            return ()
        windows = family_of(spec).window(spec, shape[-self.n :], output[-self.n :], self.n)
        if windows is None:
            self.fields = None
            return ()
        out = []
        for f, (extent, factor, shift) in zip(self.fields, windows, strict=True):
            out.append(
                Field(
                    f.axis,
                    f.size + extent * f.jump,
                    f.jump * factor,
                    f.start + shift * f.jump,
                )
            )
        self.fields = tuple(out)
        return self.fields


def spatial_rank(layers: list[StackLayer]) -> int:
    """The number of spatial axes of the stack: the first layer that says (a convolution,
    a BatchNorm2d, a padding module ...) decides."""
    for layer in layers:
        rank = family_of(layer.spec).spatial_rank(layer.spec)
        if rank is not None:
            return rank
    return 0
