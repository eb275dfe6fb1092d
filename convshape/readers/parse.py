"""Read user text - a shape, a flag value, one pasted layer - into convshape's data.

Nothing the user types is evaluated or imported. A layer is read with :func:`ast.parse`
and its arguments are taken only from literal nodes (numbers, strings, ``True``/``False``,
``None``, tuples and lists of those, a leading ``-``); any other expression is refused
with a :class:`~convshape.errors.UsageError` that names it. Shapes and flag values are
read with plain string splitting.

Each supported layer is one row of :data:`LAYERS`: its name as torch spells it, its
parameters in torch's positional order with their defaults, and the spec family it
builds. Binding arguments to parameters follows Python's rules, so positional arguments
land exactly where torch would put them.
"""

from __future__ import annotations

import ast
import difflib
import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Final, Literal, cast

from convshape.core.errors import UsageError
from convshape.core.specs import AdaptivePool, Conv, ConvCall, Fold, Ints, Pool, Shape, Spec, Unfold

__all__ = [
    "LAYERS",
    "Layer",
    "Param",
    "parse_ints",
    "parse_layer",
    "parse_shape",
]

# ---------------------------------------------------------------------------------------
# The layer table
# ---------------------------------------------------------------------------------------

Kind = Literal[
    "int",  # an int
    "opt_int",  # an int or None
    "ints",  # an int or a tuple/list of ints
    "opt_ints",  # an int, a tuple/list of ints or None
    "padding",  # an int, a tuple/list of ints or a string
    "size",  # an int or a tuple/list of ints and Nones (adaptive output_size; a bare None
    # is a TypeError in torch, though AdaptivePool.make would read it as all-None)
    "bool",  # True or False
    "flag",  # True, False or None (nn.ConvNd's bias: torch only tests its truth)
    "str",  # a string
    "float",  # an int or a float
    "tensor",  # a tensor expression (never read; its shape comes from elsewhere)
    "any",  # anything (device=, dtype=): ignored, never read
]

Family = Literal[
    "conv",
    "conv_transpose",
    "max",
    "avg",
    "lp",
    "adaptive_avg",
    "adaptive_max",
    "unfold",
    "fold",
]


class _Missing(Enum):
    REQUIRED = "required"


REQUIRED: Final = _Missing.REQUIRED


@dataclass(frozen=True)
class Param:
    """One parameter of a layer's signature, as torch declares it."""

    name: str
    kind: Kind
    default: object = REQUIRED

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def __str__(self) -> str:
        return self.name if self.required else f"{self.name}={self.default!r}"


_SPEC_OF: Final[Mapping[Family, type[Spec]]] = {
    "conv": Conv,
    "conv_transpose": Conv,
    "max": Pool,
    "avg": Pool,
    "lp": Pool,
    "adaptive_avg": AdaptivePool,
    "adaptive_max": AdaptivePool,
    "unfold": Unfold,
    "fold": Fold,
}

_WHAT: Final[Mapping[Family, str]] = {
    "conv": "convolution",
    "conv_transpose": "transposed convolution",
    "max": "max pooling",
    "avg": "average pooling",
    "lp": "power-average (LP) pooling",
    "adaptive_avg": "adaptive average pooling",
    "adaptive_max": "adaptive max pooling",
    "unfold": "sliding-block extraction (im2col)",
    "fold": "sliding-block combination (col2im)",
}


@dataclass(frozen=True)
class Layer:
    """One supported layer: its canonical name, torch's signature and what it builds.

    ``name`` is ``nn.X`` for a module class, ``F.x`` for ``torch.nn.functional.x`` and
    ``torch.x`` for a function only the ``torch`` namespace spells that way. ``fixed``
    holds spec values the call implies without a parameter for them.
    """

    name: str
    family: Family
    dims: int
    params: tuple[Param, ...]
    fixed: tuple[tuple[str, object], ...] = ()

    @property
    def namespace(self) -> str:
        return self.name.rpartition(".")[0]

    @property
    def short(self) -> str:
        return self.name.rpartition(".")[2]

    @property
    def functional(self) -> bool:
        return self.namespace != "nn"

    @property
    def spec(self) -> type[Spec]:
        """The spec class :func:`parse_layer` returns for this layer."""
        if self.functional and self.family in ("conv", "conv_transpose"):
            return ConvCall
        return _SPEC_OF[self.family]

    @property
    def signature(self) -> str:
        return f"{self.name}({', '.join(str(p) for p in self.params)})"

    @property
    def description(self) -> str:
        what = _WHAT[self.family]
        if self.family not in ("unfold", "fold"):
            what = f"{self.dims}-d {what}"
        return f"{what} ({'function' if self.functional else 'module'})"


def _p(name: str, kind: Kind, default: object = REQUIRED) -> Param:
    return Param(name, kind, default)


_INPUT = _p("input", "tensor")

# Signatures, in torch 2.13's positional order (torch/nn/modules/*.py, nn/functional.py).
_CONV_MODULE = (
    _p("in_channels", "int"),
    _p("out_channels", "int"),
    _p("kernel_size", "ints"),
    _p("stride", "ints", 1),
    _p("padding", "padding", 0),
    _p("dilation", "ints", 1),
    _p("groups", "int", 1),
    _p("bias", "flag", True),
    _p("padding_mode", "str", "zeros"),
    _p("device", "any", None),
    _p("dtype", "any", None),
)
_CONV_TRANSPOSE_MODULE = (
    _p("in_channels", "int"),
    _p("out_channels", "int"),
    _p("kernel_size", "ints"),
    _p("stride", "ints", 1),
    _p("padding", "padding", 0),
    _p("output_padding", "ints", 0),
    _p("groups", "int", 1),
    _p("bias", "flag", True),
    _p("dilation", "ints", 1),
    _p("padding_mode", "str", "zeros"),
    _p("device", "any", None),
    _p("dtype", "any", None),
)
_CONV_FUNCTION = (
    _INPUT,
    _p("weight", "tensor"),
    _p("bias", "tensor", None),
    _p("stride", "ints", 1),
    _p("padding", "padding", 0),
    _p("dilation", "ints", 1),
    _p("groups", "int", 1),
)
_CONV_TRANSPOSE_FUNCTION = (
    _INPUT,
    _p("weight", "tensor"),
    _p("bias", "tensor", None),
    _p("stride", "ints", 1),
    _p("padding", "padding", 0),
    _p("output_padding", "ints", 0),
    _p("groups", "int", 1),
    _p("dilation", "ints", 1),
)
_MAX_MODULE = (
    _p("kernel_size", "ints"),
    _p("stride", "opt_ints", None),
    _p("padding", "ints", 0),
    _p("dilation", "ints", 1),
    _p("return_indices", "bool", False),
    _p("ceil_mode", "bool", False),
)
_MAX_FUNCTION = (  # F.max_poolNd: ceil_mode comes before return_indices
    _INPUT,
    _p("kernel_size", "ints"),
    _p("stride", "opt_ints", None),
    _p("padding", "ints", 0),
    _p("dilation", "ints", 1),
    _p("ceil_mode", "bool", False),
    _p("return_indices", "bool", False),
)
_MAX_TORCH = _MAX_FUNCTION[:-1]  # torch.max_poolNd has no return_indices
_AVG1_MODULE = (
    _p("kernel_size", "ints"),
    _p("stride", "opt_ints", None),
    _p("padding", "ints", 0),
    _p("ceil_mode", "bool", False),
    _p("count_include_pad", "bool", True),
)
_AVG_MODULE = (*_AVG1_MODULE, _p("divisor_override", "opt_int", None))
_LP_MODULE = (
    _p("norm_type", "float"),
    _p("kernel_size", "ints"),
    _p("stride", "opt_ints", None),
    _p("ceil_mode", "bool", False),
)
_ADAPTIVE_AVG_MODULE = (_p("output_size", "size"),)
_ADAPTIVE_MAX_MODULE = (_p("output_size", "size"), _p("return_indices", "bool", False))
_UNFOLD_MODULE = (
    _p("kernel_size", "ints"),
    _p("dilation", "ints", 1),
    _p("padding", "ints", 0),
    _p("stride", "ints", 1),
)
_FOLD_MODULE = (_p("output_size", "ints"), *_UNFOLD_MODULE)

_DIMS = (1, 2, 3)


_TABLE: list[Layer] = [
    # torch.nn modules
    *(Layer(f"nn.Conv{d}d", "conv", d, _CONV_MODULE) for d in _DIMS),
    *(Layer(f"nn.ConvTranspose{d}d", "conv_transpose", d, _CONV_TRANSPOSE_MODULE) for d in _DIMS),
    *(Layer(f"nn.MaxPool{d}d", "max", d, _MAX_MODULE) for d in _DIMS),
    Layer("nn.AvgPool1d", "avg", 1, _AVG1_MODULE),
    *(Layer(f"nn.AvgPool{d}d", "avg", d, _AVG_MODULE) for d in (2, 3)),
    *(Layer(f"nn.LPPool{d}d", "lp", d, _LP_MODULE) for d in _DIMS),
    *(Layer(f"nn.AdaptiveAvgPool{d}d", "adaptive_avg", d, _ADAPTIVE_AVG_MODULE) for d in _DIMS),
    *(Layer(f"nn.AdaptiveMaxPool{d}d", "adaptive_max", d, _ADAPTIVE_MAX_MODULE) for d in _DIMS),
    Layer("nn.Unfold", "unfold", 2, _UNFOLD_MODULE),
    Layer("nn.Fold", "fold", 2, _FOLD_MODULE),
    # torch.nn.functional
    *(Layer(f"F.conv{d}d", "conv", d, _CONV_FUNCTION) for d in _DIMS),
    *(Layer(f"F.conv_transpose{d}d", "conv_transpose", d, _CONV_TRANSPOSE_FUNCTION) for d in _DIMS),
    *(Layer(f"F.max_pool{d}d", "max", d, _MAX_FUNCTION) for d in _DIMS),
    Layer("F.avg_pool1d", "avg", 1, (_INPUT, *_AVG1_MODULE)),
    *(Layer(f"F.avg_pool{d}d", "avg", d, (_INPUT, *_AVG_MODULE)) for d in (2, 3)),
    *(Layer(f"F.lp_pool{d}d", "lp", d, (_INPUT, *_LP_MODULE)) for d in _DIMS),
    *(
        Layer(f"F.adaptive_avg_pool{d}d", "adaptive_avg", d, (_INPUT, *_ADAPTIVE_AVG_MODULE))
        for d in _DIMS
    ),
    *(
        Layer(f"F.adaptive_max_pool{d}d", "adaptive_max", d, (_INPUT, *_ADAPTIVE_MAX_MODULE))
        for d in _DIMS
    ),
    Layer("F.unfold", "unfold", 2, (_INPUT, *_UNFOLD_MODULE)),
    Layer("F.fold", "fold", 2, (_INPUT, *_FOLD_MODULE)),
    # the torch namespace (torch.conv2d is F.conv2d; torch.max_pool2d is not F.max_pool2d)
    *(Layer(f"torch.conv{d}d", "conv", d, _CONV_FUNCTION) for d in _DIMS),
    *(
        Layer(f"torch.conv_transpose{d}d", "conv_transpose", d, _CONV_TRANSPOSE_FUNCTION)
        for d in _DIMS
    ),
    *(Layer(f"torch.max_pool{d}d", "max", d, _MAX_TORCH) for d in _DIMS),
    Layer("torch.avg_pool1d", "avg", 1, (_INPUT, *_AVG1_MODULE)),
    Layer("torch.adaptive_avg_pool1d", "adaptive_avg", 1, (_INPUT, *_ADAPTIVE_AVG_MODULE)),
    Layer(
        "torch.adaptive_max_pool1d",
        "adaptive_max",
        1,
        (_INPUT, _p("output_size", "size")),
        fixed=(("return_indices", True),),  # it always returns (output, indices)
    ),
]

LAYERS: Final[Mapping[str, Layer]] = {layer.name: layer for layer in _TABLE}
"""Every layer :func:`parse_layer` understands, by canonical name (``nn.Conv2d``)."""

# How a written prefix maps to the table's namespaces, in order of preference.
_PREFIXES: Final[Mapping[tuple[str, ...], tuple[str, ...]]] = {
    (): ("nn", "F"),
    ("nn",): ("nn",),
    ("torch", "nn"): ("nn",),
    ("F",): ("F",),
    ("functional",): ("F",),
    ("nn", "functional"): ("F",),
    ("torch", "nn", "functional"): ("F",),
    ("torch",): ("torch",),
}

_TENSOR_FACTORIES: Final = frozenset({"empty", "zeros", "ones", "rand", "randn"})

# ---------------------------------------------------------------------------------------
# Shapes and flag values
# ---------------------------------------------------------------------------------------

_SIZE_WRAPPER = re.compile(r"(?:torch\s*\.\s*)?Size\s*\((.*)\)", re.DOTALL)
_INTEGER = re.compile(r"[+-]?[0-9]+")


def _q(text: str, limit: int = 60) -> str:
    """Quote user text on one line (``repr`` escapes newlines), shortened if long."""
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return repr(text)


def _entries(text: str) -> tuple[list[str], bool]:
    """Split ``(a, b)``/``[a, b]``/``a,b``/``axb``/``a b``: the entries and whether the
    text was written as a sequence (brackets, a separator or a trailing comma)."""
    body = text.strip()
    bracketed = len(body) >= 2 and body[0] + body[-1] in ("()", "[]")
    if bracketed:
        body = body[1:-1].strip()
    if not body:
        return [], bracketed
    if "," in body:
        parts = body.split(",")
        if not parts[-1].strip():
            parts.pop()  # one trailing comma, as in (3,)
        return parts, True
    parts = re.split(r"[xX×]", body)
    if len(parts) == 1 or not any(p.strip() for p in parts):  # "x" alone is no separator
        parts = body.split()
    return parts, bracketed or len(parts) > 1


def _integers(text: str, entries: list[str], what: str, *, negative: bool) -> tuple[int, ...]:
    values: list[int] = []
    for i, raw in enumerate(entries, 1):
        entry = raw.strip()
        if not entry:
            raise UsageError(f"invalid {what} {_q(text)}: entry {i} is empty")
        if not _INTEGER.fullmatch(entry):
            raise UsageError(f"invalid {what} {_q(text)}: {_q(entry)} is not an integer")
        try:
            value = int(entry)
        except ValueError:  # more digits than int() converts
            raise UsageError(f"invalid {what} {_q(text)}: {_q(entry)} is too long") from None
        if value < 0 and not negative:
            raise UsageError(f"invalid {what} {_q(text)}: {_q(entry)} is negative")
        values.append(value)
    return tuple(values)


def parse_shape(text: str) -> Shape:
    """A tensor shape: ``20,16,50,100``, ``(2, 3)``, ``[2,3]``, ``2x3``, ``torch.Size([2])``.

    ``()`` is a 0-d tensor's shape; sizes may be 0 but not negative.
    """
    body = text.strip()
    if not body:
        raise UsageError("invalid shape '': it is empty (write () for a 0-d tensor)")
    wrapped = _SIZE_WRAPPER.fullmatch(body)
    if wrapped:
        body = wrapped.group(1)
    entries, _ = _entries(body)
    return _integers(text, entries, "shape", negative=False)


def parse_ints(text: str, name: str) -> int | tuple[int, ...]:
    """A flag value such as ``--stride 2,1``: a bare integer stays an int, anything
    written as a sequence (``5,3``, ``(5,)``, ``[2]``, ``3x3``) becomes a tuple.

    Negative values are kept: predicting torch's error for them is convshape's job.
    """
    if not text.strip():
        raise UsageError(f"invalid {name} {_q(text)}: it is empty")
    entries, sequence = _entries(text)
    values = _integers(text, entries, name, negative=True)
    if sequence or len(values) != 1:
        return values
    return values[0]


# ---------------------------------------------------------------------------------------
# Layers
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tensor:
    """A tensor argument: its source text and, for ``torch.randn(2, 3)``-style literals,
    its shape."""

    source: str
    shape: Shape | None = None


class _NotLiteral(Exception):
    def __init__(self, node: ast.AST) -> None:
        super().__init__()
        self.node = node


class _Source:
    """The parsed text, to quote any node of it back on one line."""

    def __init__(self, text: str) -> None:
        self.text = text

    def __call__(self, node: ast.AST, limit: int = 60) -> str:
        segment = ast.get_source_segment(self.text, node)
        if segment is None:  # pragma: no cover - parsed nodes carry positions
            segment = type(node).__name__
        segment = " ".join(segment.split())
        if len(segment) > limit:
            segment = segment[: limit - 3] + "..."
        return segment


def parse_layer(
    code: str,
    *,
    weight: Shape | None = None,
    bias: Shape | None = None,
    output_size: Ints | None = None,
) -> Spec:
    """One pasted layer expression -> its spec.

    ``weight`` and ``bias`` are the tensor shapes a functional convolution
    (``F.conv2d(x, w, b)``) is called with; ``output_size`` is the argument a
    ``ConvTranspose`` module's ``forward`` gets. Raises :class:`UsageError` (one line)
    for anything that is not a supported layer written with literal arguments.
    """
    text = code.strip()
    if not text:
        raise UsageError("no layer given: paste one, such as nn.Conv2d(16, 32, 3)")
    try:
        with warnings.catch_warnings():  # "invalid escape sequence" and the like: not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(text, mode="exec")
    except SyntaxError as exc:
        reason = " ".join(str(exc.msg).split())
        raise UsageError(f"could not parse {_q(text)}: {reason}") from None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, deep nesting
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise UsageError(f"could not parse {_q(text)}: {reason}") from None
    src = _Source(text)
    call = _layer_call(tree, src)
    layer = _resolve(call.func, src)
    _check_extras(layer, weight, bias, output_size)
    nodes = _bind(layer, call, src)
    values: dict[str, object] = dict(layer.fixed)
    for param in layer.params:
        node = nodes.get(param.name)
        if node is None:
            values.setdefault(param.name, param.default)
        else:
            values[param.name] = _coerce(layer, param, node, src)
    return _BUILDERS[layer.family](layer, values, _Extras(weight, bias, output_size))


def _layer_call(tree: ast.Module, src: _Source) -> ast.Call:
    if len(tree.body) != 1:
        raise UsageError(
            f"expected one layer expression, got {len(tree.body)} statements in {_q(src.text)}"
        )
    stmt = tree.body[0]
    value: ast.expr | None = None
    if isinstance(stmt, (ast.Expr, ast.Assign, ast.AnnAssign)):
        value = stmt.value
    if value is None:
        raise UsageError(
            f"expected a layer expression such as nn.Conv2d(16, 32, 3), got {src(stmt)!r}"
        )
    if isinstance(value, ast.Tuple) and len(value.elts) == 1:
        value = value.elts[0]  # "nn.Conv2d(1, 2, 3)," pasted from a list
    if not isinstance(value, ast.Call):
        raise UsageError(f"expected a layer call such as nn.Conv2d(16, 32, 3), got {src(value)!r}")
    inner = value.func
    if isinstance(inner, ast.Call) and _known(inner.func):
        raise UsageError(
            f"expected the layer itself, such as {src(value.func)!r}, not a call of it "
            f"({src(value)!r})"
        )
    return value


def _dotted(node: ast.expr) -> list[str] | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def _known(func: ast.expr) -> bool:
    parts = _dotted(func)
    return parts is not None and _lookup(tuple(parts[:-1]), parts[-1]) is not None


def _lookup(prefix: tuple[str, ...], short: str) -> Layer | None:
    for namespace in _PREFIXES.get(prefix, ()):
        layer = LAYERS.get(f"{namespace}.{short}")
        if layer is not None:
            return layer
    return None


def _canonical(short: str) -> str | None:
    for namespace in ("nn", "F", "torch"):
        if f"{namespace}.{short}" in LAYERS:
            return f"{namespace}.{short}"
    return None


def _resolve(func: ast.expr, src: _Source) -> Layer:
    parts = _dotted(func)
    if parts is None:
        raise UsageError(
            f"expected a layer call such as nn.Conv2d(16, 32, 3), not a call of {src(func)!r}"
        )
    prefix, short = tuple(parts[:-1]), parts[-1]
    layer = _lookup(prefix, short)
    if layer is not None:
        return layer
    written = ".".join(parts)
    hint = _did_you_mean(prefix, short)
    if hint:
        raise UsageError(f"unknown layer {_q(written)}; did you mean {hint}?")
    raise UsageError(
        f"unknown layer {_q(written)}: convshape knows convolution, pooling, adaptive "
        "pooling, Fold and Unfold layers"
    )


def _did_you_mean(prefix: tuple[str, ...], short: str) -> str:
    """Up to three close layer names, written with the user's prefix where it fits.

    Case is ignored (``nn.conv2d`` finds ``nn.Conv2d`` and ``F.conv2d``).
    """
    by_lower: dict[str, list[str]] = {}
    for layer in LAYERS.values():
        shorts = by_lower.setdefault(layer.short.lower(), [])
        if layer.short not in shorts:
            shorts.append(layer.short)
    found: list[str] = []
    for lower in difflib.get_close_matches(short.lower(), list(by_lower), n=3, cutoff=0.6):
        fitting = [s for s in by_lower[lower] if _lookup(prefix, s) is not None]
        found += [".".join((*prefix, s)) for s in fitting]
        if not fitting or lower == short.lower():
            found += [c for s in by_lower[lower] if s not in fitting and (c := _canonical(s))]
    names = [repr(n) for n in dict.fromkeys(found)][:3]
    if len(names) > 1:
        return ", ".join(names[:-1]) + " or " + names[-1]
    return names[0] if names else ""


@dataclass(frozen=True)
class _Extras:
    weight: Shape | None
    bias: Shape | None
    output_size: Ints | None


def _check_extras(
    layer: Layer, weight: Shape | None, bias: Shape | None, output_size: Ints | None
) -> None:
    is_call = layer.spec is ConvCall
    for what, value in (("weight", weight), ("bias", bias)):
        if value is not None and not is_call:
            raise UsageError(
                f"a {what} shape applies only to a functional convolution such as "
                f"F.conv2d(x, w, b), not to {layer.name}"
            )
    if output_size is not None and not (layer.family == "conv_transpose" and not is_call):
        raise UsageError(
            f"output_size applies only to an nn.ConvTranspose module's forward, not to {layer.name}"
        )


def _bind(layer: Layer, call: ast.Call, src: _Source) -> dict[str, ast.expr]:
    params = layer.params
    names = [p.name for p in params]
    bound: dict[str, ast.expr] = {}
    for i, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            raise UsageError(
                f"{layer.name}: convshape needs literal arguments, not the unpacking {src(arg)!r}"
            )
        if i >= len(params):
            raise UsageError(
                f"{layer.name}() takes at most {len(params)} positional arguments "
                f"({len(call.args)} given); extra argument {src(arg)!r}"
            )
        bound[names[i]] = arg
    for kw in call.keywords:
        if kw.arg is None:
            raise UsageError(
                f"{layer.name}: convshape needs literal arguments, not the unpacking {src(kw)!r}"
            )
        if kw.arg not in names:
            raise UsageError(_unknown_keyword(layer, kw.arg, names))
        if kw.arg in bound:
            raise UsageError(f"{layer.name}() got multiple values for argument {kw.arg!r}")
        bound[kw.arg] = kw.value
    missing = [p.name for p in params if p.required and p.name not in bound]
    if missing:
        listed = ", ".join(repr(m) for m in missing)
        s = "s" if len(missing) > 1 else ""
        raise UsageError(f"{layer.name}() is missing required argument{s} {listed}")
    return bound


def _unknown_keyword(layer: Layer, keyword: str, names: list[str]) -> str:
    message = f"{layer.name}() got an unexpected keyword argument {keyword!r}"
    if keyword == "output_size" and layer.family == "conv_transpose" and not layer.functional:
        return message + " (output_size is forward()'s argument: pass it separately)"
    close = difflib.get_close_matches(keyword, names, n=1, cutoff=0.6)
    if close:
        return message + f"; did you mean {close[0]!r}?"
    return message + f"; it takes {', '.join(names)}"


# Literal values ------------------------------------------------------------------------


def _literal(node: ast.expr) -> object:
    """The value of a literal node; raises :class:`_NotLiteral` naming any other node.

    Only constants, tuples, lists and a sign in front of a number are read.
    """
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.Tuple, ast.List)):
        return tuple(_literal(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp):
        signs: list[ast.unaryop] = []
        inner: ast.expr = node
        while isinstance(inner, ast.UnaryOp) and isinstance(inner.op, (ast.USub, ast.UAdd)):
            signs.append(inner.op)
            inner = inner.operand
        if isinstance(inner, ast.Constant):
            value = inner.value
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                negative = sum(isinstance(op, ast.USub) for op in signs) % 2 == 1
                return -value if negative else value
    raise _NotLiteral(node)


_EXPECTED: Final[Mapping[Kind, str]] = {
    "int": "an int",
    "opt_int": "an int or None",
    "ints": "an int or a tuple of ints",
    "opt_ints": "an int, a tuple of ints or None",
    "padding": "an int, a tuple of ints or a padding string",
    "size": "an int or a tuple of ints and Nones",
    "bool": "True or False",
    "flag": "True, False or None",
    "str": "a string",
    "float": "a number",
    "tensor": "a tensor",
    "any": "anything",
}


def _coerce(layer: Layer, param: Param, node: ast.expr, src: _Source) -> object:
    label = f"{layer.name}: {param.name}={src(node)}"
    if param.kind == "any":
        return None
    if param.kind == "tensor":
        return _tensor(label, node, src)
    try:
        value = _literal(node)
    except _NotLiteral as exc:
        raise UsageError(
            f"{label}: convshape needs literal values and does not evaluate {src(exc.node)!r}"
        ) from None
    converted = _convert(param.kind, value)
    if converted is _BAD:
        raise _bad(label, param.kind, value)
    return converted


def _bad(label: str, kind: Kind, value: object) -> UsageError:
    """Why ``value`` does not fit ``kind`` (user values are shown as written, in ``label``:
    ``repr`` of a huge int would raise)."""
    if kind == "float" and _is_int(value):
        return UsageError(f"{label} is too large for a float")
    for item in value if isinstance(value, tuple) else (value,):
        if isinstance(item, float) and kind != "float":
            return UsageError(
                f"{label}: {item!r} is a float, but torch needs an int here (it raises TypeError)"
            )
    return UsageError(f"{label} must be {_EXPECTED[kind]}")


_BAD: Final = object()


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _convert(kind: Kind, value: object) -> object:
    """``value`` as ``kind`` wants it (lists already read as tuples), or ``_BAD``."""
    if kind == "bool":
        return value if isinstance(value, bool) else _BAD
    if kind == "flag":
        return bool(value) if value is None or isinstance(value, bool) else _BAD
    if kind == "str":
        return value if isinstance(value, str) else _BAD
    if kind == "float":
        if not (isinstance(value, (int, float)) and not isinstance(value, bool)):
            return _BAD
        try:
            return float(value)
        except OverflowError:
            return _BAD
    if value is None and kind in ("opt_int", "opt_ints"):
        return None
    if _is_int(value):
        return value
    if kind == "padding" and isinstance(value, str):
        return value
    if isinstance(value, tuple) and kind in ("ints", "opt_ints", "padding"):
        return value if all(_is_int(v) for v in value) else _BAD
    if isinstance(value, tuple) and kind == "size":
        return value if all(v is None or _is_int(v) for v in value) else _BAD
    return _BAD


def _tensor(label: str, node: ast.expr, src: _Source) -> _Tensor | None:
    """A tensor argument: ``None``, a ``torch.randn(2, 3)``-style literal or an opaque
    expression (a name, an attribute, a call) whose shape must be given separately."""
    if isinstance(node, ast.Constant) and node.value is None:
        return None
    try:
        _literal(node)
    except _NotLiteral:
        return _Tensor(src(node), _factory_shape(node))
    raise UsageError(f"{label} must be a tensor")


def _factory_shape(node: ast.expr) -> Shape | None:
    """The shape of ``torch.randn(12, 5, 3, 3)`` / ``torch.zeros((12,))`` and the like."""
    if not isinstance(node, ast.Call):
        return None
    func = _dotted(node.func)
    if func is None or len(func) != 2 or func[0] != "torch" or func[1] not in _TENSOR_FACTORIES:
        return None
    args = node.args
    if len(args) == 1 and isinstance(args[0], (ast.Tuple, ast.List)):
        args = args[0].elts
    try:
        sizes = [_literal(a) for a in args]
    except _NotLiteral:
        return None
    if not all(_is_int(s) and cast(int, s) >= 0 for s in sizes):
        return None
    return tuple(cast(int, s) for s in sizes)


# Building specs ------------------------------------------------------------------------


def _tensor_shape(
    layer: Layer, name: str, arg: object, given: Shape | None, *, required: bool
) -> Shape | None:
    if arg is None:
        if required:
            raise UsageError(f"{layer.name}: {name}=None, but torch needs a {name} tensor")
        if given is not None:
            raise UsageError(
                f"a {name} shape was given, but the {layer.name} call passes no {name}"
            )
        return None
    tensor = cast(_Tensor, arg)
    if tensor.shape is not None:
        if given is not None and tuple(given) != tensor.shape:
            raise UsageError(
                f"{layer.name}: the {name} shape given, {tuple(given)}, is not the shape of "
                f"{tensor.source!r}"
            )
        return tensor.shape
    if given is None:
        flag = "--weight 12,5,3,3" if name == "weight" else "--bias 12"
        raise UsageError(
            f"{layer.name}: the shape of {name} {tensor.source!r} is needed (e.g. {flag})"
        )
    return tuple(given)


_IntOrInts = int | Ints


def _build_conv(layer: Layer, v: Mapping[str, object], extras: _Extras) -> Spec:
    transposed = layer.family == "conv_transpose"
    if layer.functional:
        return ConvCall.make(
            layer.dims,
            weight=cast(
                Shape, _tensor_shape(layer, "weight", v["weight"], extras.weight, required=True)
            ),
            bias=_tensor_shape(layer, "bias", v["bias"], extras.bias, required=False),
            stride=cast(_IntOrInts, v["stride"]),
            padding=cast("_IntOrInts | str", v["padding"]),
            dilation=cast(_IntOrInts, v["dilation"]),
            groups=cast(int, v["groups"]),
            transposed=transposed,
            output_padding=cast(_IntOrInts, v.get("output_padding", 0)),
        )
    return Conv.make(
        layer.dims,
        in_channels=cast(int, v["in_channels"]),
        out_channels=cast(int, v["out_channels"]),
        kernel_size=cast(_IntOrInts, v["kernel_size"]),
        stride=cast(_IntOrInts, v["stride"]),
        padding=cast("_IntOrInts | str", v["padding"]),
        dilation=cast(_IntOrInts, v["dilation"]),
        groups=cast(int, v["groups"]),
        bias=cast(bool, v["bias"]),
        padding_mode=cast(str, v["padding_mode"]),
        transposed=transposed,
        output_padding=cast(_IntOrInts, v.get("output_padding", 0)),
        output_size=extras.output_size,
    )


def _build_pool(layer: Layer, v: Mapping[str, object], extras: _Extras) -> Spec:
    return Pool.make(
        cast(Literal["max", "avg", "lp"], layer.family),
        layer.dims,
        kernel_size=cast(_IntOrInts, v["kernel_size"]),
        stride=cast("_IntOrInts | None", v["stride"]),
        padding=cast(_IntOrInts, v.get("padding", 0)),
        dilation=cast(_IntOrInts, v.get("dilation", 1)),
        ceil_mode=cast(bool, v["ceil_mode"]),
        return_indices=cast(bool, v.get("return_indices", False)),
        count_include_pad=cast(bool, v.get("count_include_pad", True)),
        divisor_override=cast("int | None", v.get("divisor_override")),
        norm_type=cast(float, v.get("norm_type", 2.0)),
        functional=layer.functional,
    )


def _build_adaptive(layer: Layer, v: Mapping[str, object], extras: _Extras) -> Spec:
    return AdaptivePool.make(
        "avg" if layer.family == "adaptive_avg" else "max",
        layer.dims,
        cast("int | tuple[int | None, ...]", v["output_size"]),
        return_indices=cast(bool, v.get("return_indices", False)),
        functional=layer.functional,
    )


def _build_fold(layer: Layer, v: Mapping[str, object], extras: _Extras) -> Spec:
    common = (
        cast(_IntOrInts, v["kernel_size"]),
        cast(_IntOrInts, v["dilation"]),
        cast(_IntOrInts, v["padding"]),
        cast(_IntOrInts, v["stride"]),
    )
    if layer.family == "unfold":
        return Unfold.make(*common, functional=layer.functional)
    return Fold.make(cast(_IntOrInts, v["output_size"]), *common, functional=layer.functional)


_BUILDERS: Final[Mapping[Family, Callable[[Layer, Mapping[str, object], _Extras], Spec]]] = {
    "conv": _build_conv,
    "conv_transpose": _build_conv,
    "max": _build_pool,
    "avg": _build_pool,
    "lp": _build_pool,
    "adaptive_avg": _build_adaptive,
    "adaptive_max": _build_adaptive,
    "unfold": _build_fold,
    "fold": _build_fold,
}
