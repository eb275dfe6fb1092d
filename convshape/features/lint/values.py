"""The values static lint's interpreter works with, and the findings it reports.

A value is a plain Python literal (int, float, str, bool, None, tuple, range), one of the
containers and module values below, an abstract :class:`Tensor`, or :data:`UNKNOWN` for
anything the source does not fix statically. Nothing here runs user code.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "FOLLOWED",
    "UNKNOWN",
    "Builtin",
    "ClassInfo",
    "DictVal",
    "DimRef",
    "EitherVal",
    "Failure",
    "Finding",
    "FuncVal",
    "Instance",
    "Joined",
    "LayerVal",
    "Link",
    "ListVal",
    "ModListVal",
    "ModuleVal",
    "Numbers",
    "ObjVal",
    "Param",
    "PartialVal",
    "Probe",
    "Ref",
    "Related",
    "SeqVal",
    "Site",
    "Step",
    "SuperVal",
    "Tensor",
    "shorten",
]


class _Unknown:
    __slots__ = ()

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = _Unknown()
"""A value the source does not fix statically: every rule that meets it stays silent."""


# how a model followed from a root was given its input (static.Followed.how); any other
# entry says why it was not followed
FOLLOWED: Final = ("declared", "assumed", "unknown")


@dataclass(frozen=True)
class Site:
    """Where a call is written: 1-based line and column, end exclusive, and its text."""

    line: int
    col: int
    end_line: int
    end_col: int
    text: str
    path: str = ""  # the file it is in ("": the file being linted)

    @property
    def where(self) -> str:
        return f"{self.line}:{self.col}"


def shorten(text: str, limit: int = 60) -> str:
    """Source text on one line: ``nn.Conv2d(3, 8, 3)`` even when the call spans lines."""
    text = " ".join(text.split())
    text = text.replace("( ", "(").replace(", )", ")").replace(" )", ")")
    return text if len(text) <= limit else text[: limit - 3] + "..."


@dataclass(frozen=True)
class Related:
    """Another place in the same file that one finding names: the other line whose edit
    alone would also fix it (a channel mismatch between two layers, either of which may be
    the wrong one; see :mod:`.blame`), with what it is there and its own fix."""

    line: int
    col: int
    end_line: int
    end_col: int
    message: str
    fixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    """One lint finding: a code of :mod:`convshape.errors` at a place in a file, and the
    other places it names (:class:`Related`)."""

    path: str
    line: int
    col: int
    code: str
    message: str
    severity: str = "error"  # "error" | "warning"
    end_line: int = 0
    end_col: int = 0
    fixes: tuple[str, ...] = ()
    related: tuple[Related, ...] = ()

    @property
    def name(self) -> str:
        from convshape.core.errors import KINDS

        kind = KINDS.get(self.code)
        return kind.name if kind is not None else self.code

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)


@dataclass(frozen=True)
class Ref:
    """A name from outside the file, fully qualified: ``torch.nn.Conv2d``."""

    name: str


@dataclass(frozen=True)
class Builtin:
    """A Python builtin the interpreter evaluates on known values (``range``, ``len``)."""

    name: str


@dataclass(frozen=True)
class DimRef:
    """``x.size(i)`` / ``x.shape[i]`` of a tensor whose size there is unknown."""

    tensor: Tensor
    index: int


@dataclass(frozen=True)
class Tensor:
    """An abstract tensor. ``dims`` is the whole shape when ``exact`` (each size an int or
    None for unknown), else the known trailing sizes (rank unknown); ``dims=None`` and
    ``exact=False`` is a tensor nothing is known about. ``origin`` names the layer that
    produced it (``"nn.Conv2d(3, 16, 3) at 12:9"``) for messages."""

    dims: tuple[int | None, ...] = ()
    exact: bool = False
    origin: object = field(default="", compare=False)  # str() names it: made on demand
    probe: Probe | None = field(default=None, compare=False)  # sizes per sample input size

    @classmethod
    def unknown(cls) -> Tensor:
        return cls((), False, "")

    @property
    def rank(self) -> int | None:
        return len(self.dims) if self.exact else None

    @property
    def shape(self) -> tuple[int, ...] | None:
        """The full shape when every size is known."""
        if self.exact and all(d is not None for d in self.dims):
            return tuple(d for d in self.dims if d is not None)
        return None

    def at(self, index: int) -> int | None:
        """The size at ``index`` (negative counts from the end) when known."""
        n = len(self.dims)
        if self.exact:
            if -n <= index < n:
                return self.dims[index]
            return None
        if index < 0 and -index <= n:
            return self.dims[index]
        return None


@dataclass(frozen=True, eq=False)
class Step:
    """One windowed layer a :class:`Probe` went through (``layer`` None: something that
    cannot be recomputed, such as a join or a block whose output was reused), with the
    sizes per sample after it, and the step before it."""

    layer: LayerVal | None
    sizes: tuple[tuple[int, ...] | None, ...]
    parent: Step | None


@dataclass(frozen=True, eq=False)
class Probe:
    """The trailing spatial sizes of a tensor for each sample input size of
    :mod:`.probe` (None: the model already raises at that size), and its trail."""

    sizes: tuple[tuple[int, ...] | None, ...]
    step: Step


@dataclass(frozen=True)
class Param(Tensor):
    """``nn.Parameter(t)``: a tensor a module holds as a parameter (counted in
    ``parameters()``)."""


@dataclass(frozen=True, eq=False)
class Numbers:
    """A 1-d tensor of known numbers (``torch.arange(4) * 8.0``): its values and torch's
    dtype (``int64``, ``int32``, ``float32``), see :mod:`.numeric`."""

    values: tuple[Any, ...]
    dtype: str


@dataclass(eq=False)
class ListVal:
    """A list; ``items`` None once something the interpreter cannot follow changed it."""

    items: list[Any] | None


@dataclass(eq=False)
class SetVal:
    """A set literal, for membership only (its order is Python's hashing, not followed);
    ``items`` None once anything changed it or one of them is unknown."""

    items: tuple[Any, ...] | None


@dataclass(eq=False)
class DictVal:
    items: dict[Any, Any] | None


class ModuleVal:
    """Base of the nn.Module values: where the module was built, and whether a forward
    used it (modules no forward reached are checked on their own afterwards). The site
    is worked out from the call's node on first use (most are never shown)."""

    applied: bool

    def __init__(self, site: Site | None, node: Any = None, ctx: Any = None) -> None:
        self._site = site
        self._node = node
        self._ctx = ctx
        self.node_id = id(node) if node is not None else 0  # where it was built, stably
        self.applied = False
        self.sig: tuple[int, object] | None = None  # (epoch, signature), see extract

    @property
    def file(self) -> str | None:
        """The path of the file it was built in, when known."""
        ctx = self._ctx
        return None if ctx is None else str(ctx.path)

    @property
    def site(self) -> Site | None:
        if self._site is None and self._node is not None:
            self._site = self._ctx.site(self._node)
            self._node = None
        return self._site


class LayerVal(ModuleVal):
    """A torch layer built with ``nn.X(...)``: its arguments bound to torch's parameter
    names (values may be UNKNOWN), or ``params=None`` when convshape does not model it."""

    def __init__(
        self,
        site: Site | None,
        name: str,
        params: dict[str, Any] | None,
        node: Any = None,
        ctx: Any = None,
    ) -> None:
        super().__init__(site, node, ctx)
        self.name = name
        self.params = params
        self.cache: dict[str, Any] = {}
        self.call = node  # the call that built it (kept: findings are placed from it)
        self.chain: tuple[Any, ...] = ()  # the calls of the model's code it was built in
        self.serial = 0  # it was the serial-th layer the interpreter built (see blame)

    @property
    def label(self) -> str:
        site = self.site
        if site is None:
            return self.name
        return f"{site.text} at {site.where}"

    def __str__(self) -> str:
        return self.label


class SeqVal(ModuleVal):
    """``nn.Sequential``: its children as (name, module) in order; None when unknown."""

    def __init__(
        self,
        site: Site | None,
        children: list[tuple[Any, Any]] | None,
        node: Any = None,
        ctx: Any = None,
    ) -> None:
        super().__init__(site, node, ctx)
        self.children = children


class ModListVal(ModuleVal):
    """``nn.ModuleList``: its modules; None when unknown."""

    def __init__(
        self, site: Site | None, children: list[Any] | None, node: Any = None, ctx: Any = None
    ) -> None:
        super().__init__(site, node, ctx)
        self.children = children


class EitherVal(ModuleVal):
    """``A(...) if unknown else B(...)``: one of two modules, the source does not say
    which. Applied, each runs quietly; their output is kept when they agree."""

    def __init__(self, options: list[ModuleVal]) -> None:
        super().__init__(None)
        self.options = options


@dataclass(eq=False)
class ClassInfo:
    """A class defined in the file. ``kind``: 'module' (an nn.Module subclass),
    'sequential' (of nn.Sequential), 'container' (of nn.ModuleDict / nn.ModuleList),
    'other' (a plain class) or 'foreign' (a base the interpreter cannot see, so its
    instances are unknown; the methods its own body defines are still known)."""

    node: ast.ClassDef
    name: str
    kind: str
    bases: list[Any]
    attrs: dict[str, Any] = field(default_factory=dict)
    mro: list[ClassInfo] = field(default_factory=list)
    dataclass: bool = False  # decorated with @dataclass: __init__ from its fields
    torch_base: str = ""  # a torch layer it subclasses (``nn.Conv2d``), if any

    def lookup(self, name: str, after: ClassInfo | None = None) -> tuple[Any, ClassInfo | None]:
        """A class attribute along the in-file MRO (after ``after`` for super())."""
        chain = self.mro
        if after is not None and after in chain:
            chain = chain[chain.index(after) + 1 :]
        for c in chain:
            if name in c.attrs:
                return c.attrs[name], c
        return UNKNOWN, None


class Instance(ModuleVal):
    """An instance of an nn.Module subclass defined in the file."""

    def __init__(self, site: Site | None, cls: ClassInfo) -> None:
        super().__init__(site)
        self.cls = cls
        self.attrs: dict[str, Any] = {}
        self.children: list[tuple[Any, Any]] | None = (
            [] if cls.kind in ("sequential", "container") else None
        )
        self.opaque = False  # attributes set in ways the interpreter could not follow


class ObjVal:
    """An instance of a plain class read from source (a dataclass config, a settings
    object): its attributes as set by ``__init__``."""

    def __init__(self, cls: ClassInfo) -> None:
        self.cls = cls
        self.attrs: dict[str, Any] = {}


@dataclass(eq=False)
class PartialVal:
    """``functools.partial(func, *args, **kwargs)``."""

    func: Any
    args: list[Any] | None
    kwargs: dict[str, Any] | None


class Joined:
    """The origin of ``torch.cat``'s output: where the call is written (its ``str``) and
    the origins of the tensors it joined (``parts``), for blame's producers."""

    __slots__ = ("label", "parts")

    def __init__(self, label: object, parts: tuple[object, ...]) -> None:
        self.label = label
        self.parts = parts

    def __str__(self) -> str:
        return str(self.label)


@dataclass(frozen=True, eq=False)
class Failure:
    """A layer that refused the width of its input, as reported: its argument ``name``
    (``in_channels``, ``num_features``...) wants one width and ``received`` came, from the
    tensor whose origin is ``given``; ``code`` and ``message`` are the finding's."""

    layer: LayerVal
    name: str
    received: int
    given: object
    code: str
    message: str


@dataclass(frozen=True, eq=False)
class Link:
    """One call of the model's own code on the way to a layer: the call (None when it
    went through something the arguments cannot be mapped across, such as a partial),
    the file it is written in, the function it ran, and 1 when the function's first
    parameter is bound (``self``, ``cls``)."""

    call: ast.Call | None
    file: Any
    func: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    offset: int
    serial: int = 0  # the serial-th call the interpreter made (see blame)


@dataclass(eq=False)
class FuncVal:
    """A function or method defined in the file; ``bound`` is its ``self`` when it is a
    bound method, ``owner`` the class that defines it (for ``super()``)."""

    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    globals: dict[str, Any]
    owner: ClassInfo | None = None
    bound: Any = None
    decorators: tuple[str, ...] = ()


@dataclass(eq=False)
class SuperVal:
    """``super()`` inside a method of ``owner`` bound to ``instance``."""

    instance: Any
    owner: ClassInfo
