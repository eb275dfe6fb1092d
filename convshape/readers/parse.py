"""Read user text - a shape, a flag value, one pasted layer - into convshape's data.

Nothing the user types is evaluated or imported. A layer is read with :func:`ast.parse`
and its arguments are taken only from literal nodes (numbers, strings, ``True``/``False``,
``None``, tuples and lists of those, a leading ``-``, integer arithmetic of literals); any
other expression is refused with a :class:`~convshape.core.errors.UsageError` that names
it. Shapes and flag values are read with plain string splitting.

Each layer's signature is declared once, in its op module (:mod:`convshape.ops`), and
bound here by :func:`convshape.core.signature.bind`, so positional arguments land exactly
where torch would put them.
"""

from __future__ import annotations

import ast
import difflib
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, cast

from convshape.core import registry
from convshape.core.errors import UsageError
from convshape.core.shapes import Ints, Shape
from convshape.core.signature import (
    BAD,
    NotLiteral,
    Param,
    Signature,
    bind,
    convert,
    dotted,
    is_int,
    literal,
    quote,
    refusal,
)

if TYPE_CHECKING:
    from convshape.ops import Spec

__all__ = [
    "LAYERS",
    "MODULES",
    "Layer",
    "lookup",
    "module_signature",
    "parse_ints",
    "parse_layer",
    "parse_shape",
    "read_call",
]

Layer = Signature
"""One supported layer spelling (``nn.Conv2d``, ``F.conv2d``): see :class:`Signature`."""

LAYERS: Final[Mapping[str, Signature]] = registry.signatures(registry.CONV)
"""Every layer :func:`parse_layer` understands, by canonical name (``nn.Conv2d``)."""

MODULES: Final[Mapping[str, Signature]] = registry.signatures(registry.LAYERS)
"""The modules between convolutions (``nn.BatchNorm2d``), read in stacks."""

_MODULE_PREFIXES: Final = ((), ("nn",), ("torch", "nn"), ("torch", "nn", "modules"))

# How a written prefix maps to the signatures' namespaces, in order of preference.
_PREFIXES: Final[Mapping[tuple[str, ...], tuple[str, ...]]] = {
    (): ("nn", "F"),
    ("nn",): ("nn",),
    ("torch", "nn"): ("nn",),
    ("torch", "nn", "modules"): ("nn",),
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


_INT64 = 2**63


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
        if not -_INT64 <= value < _INT64:  # torch cannot hold it (it raises unpacking it)
            raise UsageError(
                f"invalid {what} {_q(text)}: {_q(entry)} does not fit torch's 64-bit sizes "
                "(at most 2**63 - 1)"
            )
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
    call = _layer_call(tree, text)
    layer = _resolve(call.func, text)
    _check_extras(layer, weight, bias, output_size)
    extras: dict[str, Shape | Ints | None] = {"weight": weight, "bias": bias}
    values = read_call(layer, call, text, extras)
    if output_size is not None:
        values["output_size"] = output_size
    return cast("Spec", layer.build(values))


def read_call(
    layer: Signature,
    call: ast.Call,
    text: str,
    tensors: Mapping[str, Shape | Ints | None] | None = None,
) -> dict[str, object]:
    """Bind ``call`` (a node of the parsed ``text``) to ``layer``'s signature and read
    each argument: literal values checked against their parameter, tensor arguments as
    shapes (from ``torch.randn(...)``-style literals or ``tensors``, the shapes given
    separately). Every parameter not passed gets its default, and the signature's own
    ``check`` runs. Raises :class:`UsageError` naming a bad value."""

    def show(node: ast.AST) -> str:
        return quote(text, node)

    if layer.varargs and not layer.params:  # nn.Identity(*anything): nothing to read
        return layer.defaults()
    nodes = bind(layer, call.args, [(k.arg, k.value) for k in call.keywords], show)
    values: dict[str, object] = layer.defaults()
    for param in layer.params:
        node = nodes.get(param.name)
        if node is not None:
            values[param.name] = _coerce(layer, param, node, text)
    for param in layer.params:
        if param.kind == "tensor" and param.name != "input":
            given = (tensors or {}).get(param.name)
            values[param.name] = _tensor_shape(
                layer, param, values.get(param.name), given and tuple(given)
            )
    if layer.check is not None:  # values torch cannot build the module from
        layer.check(values)
    return values


def _layer_call(tree: ast.Module, text: str) -> ast.Call:
    if len(tree.body) != 1:
        raise UsageError(
            f"expected one layer expression, got {len(tree.body)} statements in {_q(text)}"
        )
    stmt = tree.body[0]
    value: ast.expr | None = None
    if isinstance(stmt, ast.Expr | ast.Assign | ast.AnnAssign):
        value = stmt.value
    if value is None:
        raise UsageError(
            f"expected a layer expression such as nn.Conv2d(16, 32, 3), got {quote(text, stmt)!r}"
        )
    if isinstance(value, ast.Tuple) and len(value.elts) == 1:
        value = value.elts[0]  # "nn.Conv2d(1, 2, 3)," pasted from a list
    if not isinstance(value, ast.Call):
        raise UsageError(
            f"expected a layer call such as nn.Conv2d(16, 32, 3), got {quote(text, value)!r}"
        )
    inner = value.func
    if isinstance(inner, ast.Call) and _known(inner.func):
        raise UsageError(
            f"expected the layer itself, such as {quote(text, value.func)!r}, not a call of it "
            f"({quote(text, value)!r})"
        )
    return value


def _known(func: ast.expr) -> bool:
    parts = dotted(func)
    return parts is not None and lookup(parts) is not None


def lookup(parts: list[str] | tuple[str, ...]) -> Signature | None:
    """The signature a dotted name as written refers to (``nn.Conv2d``,
    ``torch.nn.functional.conv2d``, ``Conv2d``), or None."""
    if not parts:
        return None
    for namespace in _PREFIXES.get(tuple(parts[:-1]), ()):
        layer = LAYERS.get(f"{namespace}.{parts[-1]}")
        if layer is not None:
            return layer
    return None


def module_signature(parts: list[str] | tuple[str, ...]) -> Signature | None:
    """The module between convolutions a dotted name as written refers to (``nn.ReLU``,
    ``torch.nn.ReLU``, ``ReLU``), or None."""
    if not parts or tuple(parts[:-1]) not in _MODULE_PREFIXES:
        return None
    return MODULES.get(f"nn.{parts[-1]}")


def _canonical(short: str) -> str | None:
    for namespace in ("nn", "F", "torch"):
        if f"{namespace}.{short}" in LAYERS:
            return f"{namespace}.{short}"
    return None


def _resolve(func: ast.expr, text: str) -> Signature:
    parts = dotted(func)
    if parts is None:
        raise UsageError(
            "expected a layer call such as nn.Conv2d(16, 32, 3), not a call of "
            f"{quote(text, func)!r}"
        )
    layer = lookup(parts)
    if layer is not None:
        return layer
    prefix, short = tuple(parts[:-1]), parts[-1]
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
        fitting = [s for s in by_lower[lower] if lookup((*prefix, s)) is not None]
        found += [".".join((*prefix, s)) for s in fitting]
        if not fitting or lower == short.lower():
            found += [c for s in by_lower[lower] if s not in fitting and (c := _canonical(s))]
    names = [repr(n) for n in dict.fromkeys(found)][:3]
    if len(names) > 1:
        return ", ".join(names[:-1]) + " or " + names[-1]
    return names[0] if names else ""


def _check_extras(
    layer: Signature, weight: Shape | None, bias: Shape | None, output_size: Ints | None
) -> None:
    takes_tensor = {p.name for p in layer.params if p.kind == "tensor"}
    for what, value in (("weight", weight), ("bias", bias)):
        if value is not None and what not in takes_tensor:
            raise UsageError(
                f"a {what} shape applies only to a functional convolution such as "
                f"F.conv2d(x, w, b), not to {layer.name}"
            )
    if output_size is not None and not (layer.family == "conv_transpose" and not layer.functional):
        raise UsageError(
            f"output_size applies only to an nn.ConvTranspose module's forward, not to {layer.name}"
        )


def _coerce(layer: Signature, param: Param, node: ast.expr, text: str) -> object:
    label = f"{layer.name}: {param.name}={quote(text, node)}"
    if param.kind == "any":
        return None
    if param.kind == "tensor":
        return _tensor(label, node, text)
    try:
        value = literal(node)
    except NotLiteral as exc:
        raise UsageError(
            f"{label}: convshape needs literal values and does not evaluate "
            f"{quote(text, exc.node)!r}"
        ) from None
    converted = convert(param.kind, value)
    if converted is BAD:
        raise refusal(label, param.kind, value)
    return converted


def _tensor(label: str, node: ast.expr, text: str) -> _Tensor | None:
    """A tensor argument: ``None``, a ``torch.randn(2, 3)``-style literal or an opaque
    expression (a name, an attribute, a call) whose shape must be given separately."""
    if isinstance(node, ast.Constant) and node.value is None:
        return None
    try:
        literal(node)
    except NotLiteral:
        return _Tensor(quote(text, node), _factory_shape(node))
    raise UsageError(f"{label} must be a tensor")


def _factory_shape(node: ast.expr) -> Shape | None:
    """The shape of ``torch.randn(12, 5, 3, 3)`` / ``torch.zeros((12,))`` and the like."""
    if not isinstance(node, ast.Call):
        return None
    func = dotted(node.func)
    if func is None or len(func) != 2 or func[0] != "torch" or func[1] not in _TENSOR_FACTORIES:
        return None
    args = node.args
    if len(args) == 1 and isinstance(args[0], ast.Tuple | ast.List):
        args = args[0].elts
    try:
        sizes = [literal(a) for a in args]
    except NotLiteral:
        return None
    if not all(is_int(s) and s >= 0 for s in sizes):
        return None
    return tuple(cast(int, s) for s in sizes)


def _tensor_shape(layer: Signature, param: Param, arg: object, given: Shape | None) -> Shape | None:
    name = param.name
    if arg is None:
        if param.required:
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
