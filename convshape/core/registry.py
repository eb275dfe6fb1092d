"""The registry of op families: the one place the rest of convshape asks about a layer.

Each module in :mod:`convshape.ops` holds everything one family of layers knows and ends
with ``FAMILY = OpFamily(...)``: its spec types, torch's signatures, its rules in torch's
check order, how it is written back as code, how the oracle builds it in torch, its fuzz
generators and its receptive-field window. Nothing else in convshape tests a spec's type
to decide what to do; it asks :func:`family_of` (or looks a name up here).

The modules are found by listing the package, so adding a family is adding its module.
A spec's family is found from the module that defines the spec's class, so the engine
imports only the family it needs (``calc`` start-up stays small).
"""

from __future__ import annotations

import importlib
import random
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from fractions import Fraction

from convshape.core.arithmetic import Axis, Sweep, axis_sweep, numel
from convshape.core.errors import ShapeError
from convshape.core.releases import Span
from convshape.core.shapes import Shape
from convshape.core.signature import Signature
from convshape.core.trace import Env, Trace

__all__ = [
    "CONV",
    "FAMILIES_PACKAGE",
    "LAYERS",
    "MetaReleases",
    "OpFamily",
    "TorchCall",
    "Window",
    "families",
    "family_of",
    "fuzz_ops",
    "is_spec",
    "register",
    "signature",
    "signatures",
]

FAMILIES_PACKAGE: Final = "convshape.ops"

CONV: Final = "conv"
"""The group of the convolution family: layers ``calc`` reads on their own (pasted code,
flags) and works the arithmetic of, axis by axis."""
LAYERS: Final = "layers"
"""The group of the layers between convolutions (norms, activations, Linear ...): read in
stacks (:func:`convshape.features.network.parse_stack`)."""

Window = tuple["Fraction", "Fraction", "Fraction"]
"""How one spatial axis maps through a layer: (added extent, jump factor, start shift)."""

Rule = Callable[[Any, Shape, Trace, Env], Shape]
Gen = Callable[[random.Random], tuple[Any, Shape]]


@dataclass(frozen=True)
class TorchCall:
    """How torch builds and runs a spec, as data (the oracle, the one module that imports
    torch, carries it out): ``torch.nn.<name>(*args, **kwargs)(x, **forward)`` for a
    module, ``torch.nn.functional.<name>(x, *tensors, *args, **kwargs)`` for a function,
    where ``tensors`` are the shapes of the extra tensors (a weight, a bias; None: none);
    ``indexed``: it returns ``(output, indices)``."""

    name: str
    args: tuple[object, ...] = ()
    kwargs: Mapping[str, object] = field(default_factory=dict)
    module: bool = True
    forward: Mapping[str, object] = field(default_factory=dict)
    tensors: tuple[Shape | None, ...] = ()
    indexed: bool = False


def _no_window(spec: Any, shape: Shape, output: Shape, n: int) -> list[Window] | None:
    return None


def _axis_sweeps(spec: Any, shape: Shape, axes: tuple[Axis, ...]) -> tuple[Sweep, ...] | None:
    """The sweeps of the worked axes, when every axis has one."""
    sweeps = [axis_sweep(a) for a in axes]
    if not sweeps or any(s is None for s in sweeps):
        return None
    return tuple(s for s in sweeps if s is not None)


def _no_params(spec: Any, shape: Shape | None) -> int:
    return 0


def _no_macs(spec: Any, shape: Shape, output: Shape) -> int:
    return 0


def _no_error(spec: Any) -> ShapeError | None:
    return None


def _elements(spec: Any, shape: Shape, output: Shape) -> int:
    return numel(shape) + numel(output)


def _output_bound(spec: Any, shape: Shape) -> int:
    """Element visits of input and output, the output's size from the engine (where it
    raises, torch stops before making one)."""
    from convshape.core.engine import infer_spec

    output = infer_spec(spec, shape).output
    n_in = numel(shape)
    return n_in + max(n_in, numel(output) if output is not None else 0)


def _no_twin(spec: Any, axis: int) -> int | None:
    return None


@dataclass(frozen=True)
class MetaReleases:
    """What the meta device does differently from CPU with a family's layers in some
    releases (recorded: tests/torch_releases, docs/releases.md); ``verify`` reads it.

    ``skips``: per code, the releases whose meta kernels skip that CPU check (meta returns
    a shape). ``checks``: per code, the releases whose meta kernels make that check where
    CPU returns a shape. ``missing``: per aten operator, the releases with no meta kernel
    for it (NotImplementedError "Could not run ... 'Meta' backend"). ``unrunnable``: per
    module class, the releases in which the module cannot run on meta at all."""

    skips: Mapping[str, Span] = field(default_factory=dict)
    checks: Mapping[str, Span] = field(default_factory=dict)
    missing: Mapping[str, Span] = field(default_factory=dict)
    unrunnable: Mapping[str, Span] = field(default_factory=dict)


@dataclass(frozen=True)
class OpFamily:
    """Everything one family of layers knows (see the module docstring).

    Required: ``name``, ``specs`` (the spec classes, defined in the family's module:
    frozen dataclasses with an ``op`` property, the op's name in reports and flags),
    ``signatures`` (torch's spellings, each building one of ``specs``), ``infer`` (the
    rules: spec, input shape, trace, env -> output shape, raising
    :class:`~convshape.core.errors.ShapeError` in torch's check order), ``code`` (the spec
    as PyTorch code), ``torch`` (the :class:`TorchCall` the oracle runs) and ``fuzz`` (per
    op name, a generator of random specs and inputs, valid and invalid).

    Optional: ``fast`` (the output of a valid common case, or None for the full rules),
    ``window`` (per spatial axis, how the layer maps positions; None when it mixes them),
    ``spatial_rank`` (the number of spatial axes a stack starting with it has; None: it
    does not say, the next layer does), ``params``
    and ``macs`` (what the module holds and computes), ``construct_error`` (what the
    constructor raises before anything runs), ``work`` and ``work_bound`` (what the CPU
    call computes, and a bound on it from the layer and input alone), ``reach`` (how far
    it reaches along a spatial axis; None: verify makes no smaller twin input) and
    ``sweeps`` (how its windows move along each axis, for ``convshape draw``).
    """

    name: str
    specs: tuple[type, ...]
    signatures: tuple[Signature, ...]
    infer: Rule
    code: Callable[[Any], str]
    torch: Callable[[Any], TorchCall]
    fuzz: Mapping[str, Gen]
    fast: Callable[[Any, Shape], Shape | None] | None = None
    window: Callable[[Any, Shape, Shape, int], list[Window] | None] = _no_window
    spatial_rank: Callable[[Any], int | None] = lambda spec: int(getattr(spec, "dims", 0))
    params: Callable[[Any, Shape | None], int] = _no_params
    macs: Callable[[Any, Shape, Shape], int] = _no_macs
    construct_error: Callable[[Any], ShapeError | None] = _no_error
    work: Callable[[Any, Shape, Shape], int] = _elements
    work_bound: Callable[[Any, Shape], int] = _output_bound
    reach: Callable[[Any, int], int | None] = _no_twin
    sweeps: Callable[[Any, Shape, tuple[Axis, ...]], tuple[Sweep, ...] | None] = _axis_sweeps
    """Per spatial axis, how the layer's windows sweep it (spec, input shape, the worked
    axes as far as the checks got): what ``convshape draw`` draws; None: no picture."""
    rank: int = 100
    """Where the family comes in listings (op lists, fuzz cycles): lower first."""
    group: str = CONV
    """:data:`CONV` or :data:`LAYERS`: which readers take the family's signatures."""
    meta: MetaReleases = field(default_factory=MetaReleases)
    """What meta does differently from CPU with these layers in some releases."""


_BY_SPEC: dict[type, OpFamily] = {}
_FAMILIES: dict[str, OpFamily] = {}
_SIGNATURES: dict[str, Signature] = {}
_FUZZ: dict[str, Gen] = {}
_BY_GROUP: dict[str, dict[str, Signature]] = {}
_LOADED: list[bool] = [False]


def register(family: OpFamily) -> OpFamily:
    """Add ``family`` (its module calls this; tests may register a fixture family).

    The lookups below are live views: a family registered later is seen by every reader
    that holds them."""
    _FAMILIES[family.name] = family
    for spec in family.specs:
        _BY_SPEC[spec] = family
    for sig in family.signatures:
        _SIGNATURES[sig.name] = sig
    _reorder()
    return family


def unregister(family: OpFamily) -> None:
    """Remove a family registered by a test."""
    _FAMILIES.pop(family.name, None)
    for spec in family.specs:
        _BY_SPEC.pop(spec, None)
    for sig in family.signatures:
        _SIGNATURES.pop(sig.name, None)
    _reorder()


def _reorder() -> None:
    """Rebuild the live views in the families' order."""
    ordered = sorted(_FAMILIES.values(), key=lambda f: (f.rank, f.name))
    _FUZZ.clear()
    for group in _BY_GROUP.values():
        group.clear()
    for family in ordered:
        _FUZZ.update(family.fuzz)
        _BY_GROUP.setdefault(family.group, {}).update({s.name: s for s in family.signatures})


def _load_all() -> None:
    if _LOADED[0]:
        return
    import pkgutil

    package = importlib.import_module(FAMILIES_PACKAGE)
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_"):
            importlib.import_module(f"{FAMILIES_PACKAGE}.{info.name}")
    _LOADED[0] = True


def _load_for(name: str) -> None:
    """Import the op modules whose name occurs in ``name`` (``nn.MaxPool2d``: ``pool``)
    until one registers it, then, if none did, every module: looking up one layer loads
    only its family in the common case."""
    import pkgutil

    if not _LOADED[0]:
        package = importlib.import_module(FAMILIES_PACKAGE)
        lowered = name.lower()
        for info in pkgutil.iter_modules(package.__path__):
            if not info.name.startswith("_") and info.name in lowered:
                importlib.import_module(f"{FAMILIES_PACKAGE}.{info.name}")
                if name in _SIGNATURES:
                    return
    _load_all()


def family_of(spec: object) -> OpFamily:
    """The family of a spec, importing only the module that defines its class."""
    kind = type(spec)
    family = _BY_SPEC.get(kind)
    if family is None:
        module = sys.modules.get(kind.__module__)
        found = getattr(module, "FAMILY", None)
        if isinstance(found, OpFamily):
            family = register(found)
        else:
            raise TypeError(f"not a layer spec: {spec!r}")
    return family


def is_spec(value: object) -> bool:
    """Whether ``value`` is the spec of a registered family."""
    try:
        family_of(value)
    except TypeError:
        return False
    return True


class _Signatures(Mapping[str, Signature]):
    """A live view of the signatures (of one group, or all): looking up a name imports no
    more families when the name's family is already loaded; listing loads every family."""

    def __init__(self, group: str | None) -> None:
        self.group = group

    def _names(self) -> dict[str, Signature]:
        return _SIGNATURES if self.group is None else _BY_GROUP.setdefault(self.group, {})

    def __getitem__(self, name: str) -> Signature:
        names = self._names()
        if name not in names:
            _load_for(name)
        return names[name]

    def __iter__(self) -> Iterator[str]:
        _load_all()
        return iter(list(self._names()))

    def __len__(self) -> int:
        _load_all()
        return len(self._names())


_VIEWS: dict[str | None, _Signatures] = {}


def families() -> tuple[OpFamily, ...]:
    """Every registered family (the op modules are imported on the first call)."""
    _load_all()
    return tuple(sorted(_FAMILIES.values(), key=lambda f: (f.rank, f.name)))


def signatures(group: str | None = None) -> Mapping[str, Signature]:
    """Every signature, by canonical name (``nn.Conv2d``, ``F.conv2d``, ``torch.conv2d``);
    only those of the families of ``group`` (:data:`CONV`, :data:`LAYERS`) when given."""
    view = _VIEWS.get(group)
    if view is None:
        view = _VIEWS[group] = _Signatures(group)
    return view


def signature(name: str) -> Signature | None:
    return signatures().get(name)


def fuzz_ops(group: str | None = None) -> Mapping[str, Gen]:
    """Every op by name (``conv2d``, ``max_pool2d``, ``unfold``, ``relu``), with its fuzz
    generator, in the families' order; only those of ``group``'s families when given.
    Without a group the mapping is live: a family registered later is in it."""
    _load_all()
    if group is None:
        return _FUZZ
    ops: dict[str, Gen] = {}
    for family in families():
        if family.group == group:
            ops.update(family.fuzz)
    return ops
