"""The one signature vocabulary: how a layer's arguments are declared, bound and read.

Every layer convshape knows declares torch's signature once, as a :class:`Signature` of
:class:`Param` rows in its op module. Pasted code (:mod:`convshape.readers.parse`), flags
(:mod:`convshape.readers.flags`), stacks (:mod:`convshape.features.network`) and the lint
interpreter all bind through :func:`bind` and check values with :func:`convert`, so a value
torch refuses is refused the same way whichever way it was written.

Reading code never evaluates it: :func:`literal` takes constants, tuples and lists of them,
signs, and integer arithmetic of literals (``16 * 2``, ``256 * 6 * 6``), nothing else.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeGuard, TypeVar

from convshape.core.errors import UsageError

__all__ = [
    "BAD",
    "REQUIRED",
    "Kind",
    "NotLiteral",
    "Param",
    "Signature",
    "Source",
    "bind",
    "convert",
    "dotted",
    "expected",
    "fits",
    "is_int",
    "is_number",
    "literal",
    "quote",
    "unknown_keyword",
]

Kind = Literal[
    "int",  # an int
    "opt_int",  # an int or None
    "ints",  # an int or a tuple/list of ints
    "opt_ints",  # an int, a tuple/list of ints or None
    "sizes",  # a tuple/list of ints
    "padding",  # an int, a tuple/list of ints or a string
    "size",  # an int or a tuple/list of ints and Nones (adaptive output_size)
    "bool",  # True or False
    "flag",  # True, False or None (nn.ConvNd's bias: torch only tests its truth)
    "opt_bool",  # True, False or None, kept as written
    "str",  # a string
    "float",  # an int or a float, read as a float
    "number",  # an int or a float, kept as written
    "opt_number",  # a number or None
    "numbers",  # a number, a tuple of numbers or None
    "tensor",  # a tensor expression (never read; its shape comes from elsewhere)
    "any",  # anything (device=, dtype=): ignored, never read
]


class _Required:
    __slots__ = ()

    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Final = _Required()
"""The default of a parameter the caller must pass."""


@dataclass(frozen=True)
class Param:
    """One parameter of torch's signature: its name, the values it takes, its default."""

    name: str
    kind: Kind
    default: object = REQUIRED
    keyword_only: bool = False

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def __str__(self) -> str:
        return self.name if self.required else f"{self.name}={self.default!r}"


Build = Callable[[Mapping[str, object]], Any]


@dataclass(frozen=True)
class Signature:
    """One spelling of a layer: ``nn.Conv2d``, ``F.conv2d`` or ``torch.conv2d``.

    ``build`` turns the bound, checked values into the op's spec, an instance of ``spec``;
    ``family`` names the kind of layer within its op family (``conv_transpose``, ``max``);
    ``fixed`` holds values the call implies without a parameter
    (``torch.adaptive_max_pool1d`` returns indices); ``varargs``: the class takes and
    ignores any arguments (``nn.Identity``); ``dims`` is the number of spatial axes (0 when
    the layer has none of its own); ``what`` says what the layer does, for help texts;
    ``check`` refuses values before they are built.
    """

    name: str
    params: tuple[Param, ...]
    build: Build
    spec: type = object
    family: str = ""
    dims: int = 0
    what: str = ""
    fixed: tuple[tuple[str, object], ...] = ()
    varargs: bool = False
    check: Callable[[Mapping[str, object]], None] | None = None
    """Refuses (:class:`UsageError`) bound values torch fails to build from in ways that
    are not shape errors (an internal error): pasted code is checked before ``build``."""

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
    def args(self) -> tuple[Param, ...]:
        """The parameters, as a module's constructor arguments."""
        return self.params

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)

    @property
    def signature(self) -> str:
        """``nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, ...)``."""
        inner = ", ".join(str(p) for p in self.params)
        return f"{self.name}({inner or ('*args, **kwargs' if self.varargs else '')})"

    @property
    def description(self) -> str:
        return f"{self.what} ({'function' if self.functional else 'module'})"

    def defaults(self) -> dict[str, object]:
        """Every parameter's default, then the fixed values (what an empty call binds)."""
        values: dict[str, object] = {p.name: p.default for p in self.params if not p.required}
        values.update(self.fixed)
        return values


# ---------------------------------------------------------------------------------------
# Binding
# ---------------------------------------------------------------------------------------

T = TypeVar("T")


def bind(
    sig: Signature,
    args: Sequence[T],
    keywords: Iterable[tuple[str | None, T]],
    show: Callable[[T], str],
) -> dict[str, T]:
    """Arguments to torch's parameter names, by Python's rules (positional first, in
    torch's order; then keywords). ``show`` quotes an argument for a message.

    Raises :class:`UsageError` for what Python would refuse with a TypeError, and for an
    unpacking (``*args``, ``**kw``), whose values convshape cannot know.
    """
    positional = [p for p in sig.params if not p.keyword_only]
    names = sig.names
    bound: dict[str, T] = {}
    for i, arg in enumerate(args):
        if isinstance(arg, ast.Starred):
            raise UsageError(
                f"{sig.name}: convshape needs literal arguments, not the unpacking {show(arg)!r}"
            )
        if i >= len(positional):
            if sig.varargs:
                break
            raise UsageError(
                f"{sig.name}() takes at most {len(positional)} positional arguments "
                f"({len(args)} given); extra argument {show(arg)!r}"
            )
        bound[positional[i].name] = arg
    for keyword, value in keywords:
        if keyword is None:
            raise UsageError(
                f"{sig.name}: convshape needs literal arguments, not the unpacking "
                f"{'**' + show(value)!r}"
            )
        if keyword not in names:
            if sig.varargs:
                continue
            raise UsageError(unknown_keyword(sig, keyword))
        if keyword in bound:
            raise UsageError(f"{sig.name}() got multiple values for argument {keyword!r}")
        bound[keyword] = value
    missing = [p.name for p in sig.params if p.required and p.name not in bound]
    if missing:
        listed = ", ".join(repr(m) for m in missing)
        s = "s" if len(missing) > 1 else ""
        raise UsageError(f"{sig.name}() is missing required argument{s} {listed}")
    return bound


def unknown_keyword(sig: Signature, keyword: str) -> str:
    message = f"{sig.name}() got an unexpected keyword argument {keyword!r}"
    names = sig.names
    if keyword == "output_size" and sig.short.startswith("ConvTranspose"):
        return message + " (output_size is forward()'s argument: pass it separately)"
    close = difflib.get_close_matches(keyword, names, n=1, cutoff=0.6)
    if close:
        return message + f"; did you mean {close[0]!r}?"
    return message + (f"; it takes {', '.join(names)}" if names else "; it takes no arguments")


# ---------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


_EXPECTED: Final[Mapping[str, str]] = {
    "int": "an int",
    "opt_int": "an int or None",
    "ints": "an int or a tuple of ints",
    "opt_ints": "an int, a tuple of ints or None",
    "sizes": "a tuple of ints",
    "padding": "an int, a tuple of ints or a padding string",
    "size": "an int or a tuple of ints and Nones",
    "bool": "True or False",
    "flag": "True, False or None",
    "opt_bool": "True, False or None",
    "str": "a string",
    "float": "a number",
    "number": "a number",
    "opt_number": "a number or None",
    "numbers": "a number, a tuple of numbers or None",
    "tensor": "a tensor",
    "any": "anything",
}


def expected(kind: Kind) -> str:
    """What a parameter of ``kind`` takes, in words (``an int or a tuple of ints``)."""
    return _EXPECTED[kind]


def fits(kind: Kind, value: object) -> bool:
    """Whether a known value (lists already read as tuples) is one ``kind`` takes."""
    if kind in ("any", "tensor"):
        return True
    if kind == "int":
        return is_int(value)
    if kind == "opt_int":
        return value is None or is_int(value)
    if kind in ("ints", "opt_ints", "padding", "sizes", "size"):
        if value is None:
            return kind == "opt_ints"
        if isinstance(value, str):
            return kind == "padding"
        if is_int(value):
            return kind != "sizes"
        if isinstance(value, tuple):
            return all(is_int(v) or (kind == "size" and v is None) for v in value)
        return False
    if kind == "bool":
        return isinstance(value, bool)
    if kind in ("flag", "opt_bool"):
        return value is None or isinstance(value, bool)
    if kind == "str":
        return isinstance(value, str)
    if kind in ("float", "number"):
        return is_number(value)
    if kind == "opt_number":
        return value is None or is_number(value)
    if kind == "numbers":
        return (
            value is None
            or is_number(value)
            or (isinstance(value, tuple) and all(is_number(v) for v in value))
        )
    return False  # pragma: no cover - every kind is handled above


BAD: Final = object()
"""What :func:`convert` returns for a value the parameter does not take."""


def convert(kind: Kind, value: object) -> object:
    """``value`` as torch reads it for ``kind`` (``flag`` -> bool, ``float`` -> float), or
    :data:`BAD`."""
    if not fits(kind, value):
        return BAD
    if kind == "flag":
        return bool(value)
    if kind == "float":
        try:
            return float(value)  # type: ignore[arg-type]
        except OverflowError:
            return BAD
    return value


def refusal(label: str, kind: Kind, value: object) -> UsageError:
    """Why ``value`` does not fit ``kind``; ``label`` shows the argument as written
    (``repr`` of a huge int would raise)."""
    if kind == "float" and is_int(value):
        return UsageError(f"{label} is too large for a float")
    if kind not in ("float", "number", "opt_number", "numbers"):
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, float):
                return UsageError(
                    f"{label}: {item!r} is a float, but torch needs an int here "
                    "(it raises TypeError)"
                )
    return UsageError(f"{label} must be {expected(kind)}")


# ---------------------------------------------------------------------------------------
# Reading literal code
# ---------------------------------------------------------------------------------------


class NotLiteral(Exception):
    """An expression that is not a literal; ``node`` is the part that is not."""

    def __init__(self, node: ast.AST) -> None:
        super().__init__()
        self.node = node


_FOLD_LIMIT: Final = 1 << 64


def literal(node: ast.expr) -> object:
    """The value of a literal node; raises :class:`NotLiteral` naming any other node.

    Constants, tuples and lists (read as tuples), a sign in front of a number, and integer
    arithmetic of those (``+ - * // **``, bounded: no huge powers) are read; nothing is
    evaluated.
    """
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Tuple | ast.List):
        return tuple(literal(e) for e in node.elts)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        signs = 0
        inner: ast.expr = node
        while isinstance(inner, ast.UnaryOp) and isinstance(inner.op, ast.USub | ast.UAdd):
            signs += isinstance(inner.op, ast.USub)
            inner = inner.operand
        value = literal(inner) if isinstance(inner, ast.Constant | ast.BinOp) else None
        if is_number(value):
            return -value if signs % 2 else value
    if isinstance(node, ast.BinOp):
        value = _fold(node)
        if value is not None:
            return value
    raise NotLiteral(node)


def _fold(node: ast.BinOp) -> int | None:
    """Integer arithmetic of literals, iteratively (no recursion limit on long sums)."""
    chain: list[tuple[ast.operator, ast.expr]] = []
    left: ast.expr = node
    while isinstance(left, ast.BinOp):
        chain.append((left.op, left.right))
        left = left.left
    try:
        acc = literal(left)
    except NotLiteral:
        return None
    for op, right_node in reversed(chain):
        try:
            right = literal(right_node)
        except NotLiteral:
            return None
        if not (is_int(acc) and is_int(right)) or max(abs(acc), abs(right)) > _FOLD_LIMIT:
            return None
        if isinstance(op, ast.Add):
            acc = acc + right
        elif isinstance(op, ast.Sub):
            acc = acc - right
        elif isinstance(op, ast.Mult):
            acc = acc * right
        elif isinstance(op, ast.FloorDiv) and right != 0:
            acc = acc // right
        elif isinstance(op, ast.Pow) and 0 <= right <= 64 and abs(acc) <= 1 << 16:
            acc = acc**right
        else:
            return None
    return acc if is_int(acc) else None


def dotted(node: ast.expr) -> list[str] | None:
    """``torch.nn.Conv2d`` -> ``['torch', 'nn', 'Conv2d']``; None for anything else."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


_NEWLINE = re.compile(r"\r\n|\r|\n")


class Source:
    """A parsed text and the text of its nodes, as :func:`ast.get_source_segment` gives
    it, in time proportional to what is read: the text is split into lines once and a
    line encoded once (``get_source_segment`` splits the whole text at every call, which
    made quoting every layer of a long stack quadratic)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._lines: list[str] | None = None
        self._encoded: dict[int, bytes] = {}

    def encoded(self, i: int) -> bytes:
        """Line ``i`` (0-based) in UTF-8, as ast's column offsets count it."""
        return self._line(i)

    def _line(self, i: int) -> bytes:
        found = self._encoded.get(i)
        if found is None:
            if self._lines is None:
                self._lines = _NEWLINE.split(self.text)  # as ast counts lines
            found = self._lines[i].encode("utf-8") if i < len(self._lines) else b""
            self._encoded[i] = found
        return found

    def segment(self, node: ast.AST, cap: int | None = None) -> str | None:
        """The text of ``node`` (None without positions); at most ``cap`` characters of
        it (its start) when ``cap`` is given."""
        line = getattr(node, "lineno", None)
        end_line = getattr(node, "end_lineno", None)
        col = getattr(node, "col_offset", None)
        end_col = getattr(node, "end_col_offset", None)
        if line is None or end_line is None or col is None or end_col is None:
            return None
        first, last = line - 1, end_line - 1
        limit = None if cap is None else 4 * cap  # UTF-8 bytes: up to 4 a character
        parts: list[str] = []
        size = 0
        for i in range(first, last + 1):
            data = self._line(i)
            start = col if i == first else 0
            stop = end_col if i == last else len(data)
            if limit is not None:
                stop = min(stop, start + limit - size)
            part = data[start:stop].decode("utf-8", "ignore")
            parts.append(part)
            size += stop - start
            if limit is not None and size >= limit:
                break
            if i != last:
                parts.append("\n")
        text = "".join(parts)
        return text if cap is None else text[:cap]

    def quote(self, node: ast.AST, limit: int = 60) -> str:
        """``node`` as written, on one line, shortened if long."""
        cap = 16 * limit + 64
        segment = self.segment(node, cap)
        if segment is None:
            return type(node).__name__
        shown = " ".join(segment.split())
        if len(shown) <= limit and len(segment) < cap:
            return shown
        return shown[: limit - 3] + "..."


_SOURCE: list[Source] = []  # the last text quoted: every node of one text shares its lines


def quote(text: str, node: ast.AST, limit: int = 60) -> str:
    """``node`` of the parsed ``text`` as written, on one line, shortened if long."""
    if not _SOURCE or _SOURCE[0].text is not text:
        _SOURCE[:] = [Source(text)]
    return _SOURCE[0].quote(node, limit)
