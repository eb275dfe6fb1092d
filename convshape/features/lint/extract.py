"""Static extraction: follow a file's model definitions with a small abstract interpreter.

The file is read with :mod:`ast` and interpreted, never imported or run: module-level
constants, functions and classes are followed; ``nn.Sequential(...)`` bodies (with
``*[...]`` lists and ``OrderedDict`` forms), ``self.x = nn.Conv2d(...)`` attributes,
layer lists built in ``__init__`` (``append``/``extend``/``+=``, loops over known values,
calls of the file's own helper functions and classes) and ``forward`` bodies, where
abstract tensors flow through the layers in the order forward uses them.

Anything that is not fixed by the source (an argument of a function nobody calls with a
literal, a value from another module, a branch on something unknown) becomes
:data:`~convshape.features.lint.values.UNKNOWN`, and every rule that meets it stays
silent. What a layer does to a tensor lives in :mod:`convshape.features.lint.rules`.
"""

from __future__ import annotations

import ast
import contextlib
import operator
import os
import re
from collections import ChainMap
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Protocol

from convshape.core.signature import Source
from convshape.features.lint import imports, numeric, probe, rules
from convshape.features.lint.values import (
    FOLLOWED,
    UNKNOWN,
    Builtin,
    ClassInfo,
    DictVal,
    DimRef,
    EitherVal,
    Failure,
    Finding,
    FuncVal,
    Instance,
    LayerVal,
    Link,
    ListVal,
    ModListVal,
    ModuleVal,
    Numbers,
    ObjVal,
    Param,
    PartialVal,
    Ref,
    Related,
    SeqVal,
    SetVal,
    Site,
    SuperVal,
    Tensor,
    shorten,
)

__all__ = [
    "FileContext",
    "Followed",
    "Interp",
    "Level",
    "Rerun",
    "Tracer",
    "analyse",
    "follow_model",
    "levels",
    "rerun",
]

MAX_STEPS: Final = 400_000  # per model: statements and expressions evaluated
MAX_DEPTH: Final = 32  # nested calls of the file's own functions
MAX_ITEMS: Final = 4096  # the longest list / loop the interpreter unrolls
MAX_BITS: Final = 1024  # the largest integer it folds (sizes fit in 64 bits)
_SITE_TEXT: Final = 1024  # characters of a node read to show it (shortened to 60)
DEBUG_ENV: Final = "CONVSHAPE_LINT_DEBUG"
_CTX: Final = "\0file"  # a module's globals: its FileContext (where its sites are)
_STAR: Final = "\0star"  # a module's globals: its ``from x import *`` modules
_LAYER: Final = "\0layer"  # an instance's attribute: the torch layer its class subclasses


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        super().__init__()
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Stop(Exception):
    """The path cannot be followed (a raise, an unknown jump): its result is unknown."""


class _Budget(Exception):
    """The model took more steps than :data:`MAX_STEPS`: give up on it silently."""


@dataclass
class FileContext:
    """One file being linted: its text, declared inputs, and the findings so far."""

    path: str
    source: str
    inputs: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    directives: dict[int, tuple[int, ...]] = field(default_factory=dict)
    findings: dict[tuple[int, int, str], tuple[bool, Finding]] = field(default_factory=dict)
    rel: str = ""
    # the models followed from the file's roots: (name, input shape or None, how the
    # input was chosen: "declared", "assumed", "unknown"; or why it was not followed)
    followed: list[tuple[str, tuple[int | None, ...] | None, str]] = field(default_factory=list)
    defined: list[tuple[str, int]] = field(default_factory=list)  # modules it defines, lines
    _text: Source | None = None
    _lines: list[str] | None = None

    def site(self, node: ast.expr | ast.stmt) -> Site:
        """Where ``node`` is written: characters, not the UTF-8 bytes ast counts. The text
        is split and each line encoded once per file, and only the start of a long node is
        read, so sites cost no more than the lines they are on."""
        if self._text is None:
            self._text = Source(self.source)
        text = self._text
        line, end_line = node.lineno, node.end_lineno or node.lineno
        start, end = node.col_offset, node.end_col_offset or node.col_offset
        first, last = text.encoded(line - 1), text.encoded(end_line - 1)
        col = start if first.isascii() else len(first[:start].decode("utf-8", "replace"))
        end_col = end if last.isascii() else len(last[:end].decode("utf-8", "replace"))
        written = text.segment(node, _SITE_TEXT) or ""
        return Site(line, col + 1, end_line, end_col + 1, shorten(written), self.path)

    def report(
        self,
        site: Site,
        code: str,
        message: str,
        *,
        exact: bool = False,
        severity: str = "error",
        fixes: tuple[str, ...] = (),
        related: tuple[Related, ...] = (),
    ) -> None:
        """Record a finding at ``site`` (naming the places ``related``); of two for the
        same place and code, the one made with full shapes (``exact``) wins, then the
        first. A site in another file (one this file imports) is that file's business: not
        recorded here."""
        if site.path and site.path != self.path:
            return
        key = (site.line, site.col, code)
        old = self.findings.get(key)
        if old is not None and (old[0] or not exact):
            return
        self.findings[key] = (
            exact,
            Finding(
                self.path,
                site.line,
                site.col,
                code,
                message,
                severity,
                site.end_line,
                site.end_col,
                fixes,
                related,
            ),
        )

    def declared_input(self, name: str, lines: Iterable[int]) -> tuple[int, ...] | None:
        """The input shape declared for model ``name`` written at ``lines``: a
        ``# convshape: input=...`` comment there or just above, or the configuration."""
        for line in lines:
            for at in (line, line - 1):
                if at in self.directives:
                    return self.directives[at]
        for key in (f"{self.rel or self.path}:{name}", name):
            if key in self.inputs:
                return self.inputs[key]
        return None


class Tracer(Protocol):
    """What the interpreter reports, when ``Interp.tracer`` is set, about the model it
    follows (``calc --file``, ``draw``; see :mod:`convshape.features.model_trace`). With a
    tracer, identical modules are not shared and forwards are not cached: every layer
    application is reported. ``before`` is ``len(interp.ctx.findings)`` before the step,
    so the findings it made are ``list(interp.ctx.findings.values())[before:]``."""

    def layer(
        self, interp: Interp, module: LayerVal, inputs: list[Any] | None, output: Any, before: int
    ) -> None:
        """``module(*inputs)`` ran in a forward (an ``nn.X`` layer) and gave ``output``."""

    def module(
        self, interp: Interp, module: Instance, inputs: list[Any] | None, output: Any, before: int
    ) -> None:
        """The forward of a module class read from source ran and gave ``output``."""

    def op(
        self, interp: Interp, name: str, inputs: list[Any], output: Any, node: ast.AST, before: int
    ) -> None:
        """A tensor operation outside modules: ``torch.cat`` (``inputs``: the tensors
        joined), ``+``/``*`` between tensors (``"add"``, ``"mul"``...), ``F.relu``,
        ``x.view`` (``"Tensor.view"``); ``node``: where it is written."""


class Frame:
    __slots__ = ("globals", "locals", "owner")

    def __init__(
        self, locals_: dict[str, Any], globals_: dict[str, Any], owner: ClassInfo | None
    ) -> None:
        self.locals = locals_
        self.globals = globals_
        self.owner = owner


_BINOPS: Final[Mapping[type[ast.operator], Callable[[Any, Any], Any]]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.LShift: operator.lshift,
    ast.RShift: operator.rshift,
    ast.BitOr: operator.or_,
    ast.BitAnd: operator.and_,
    ast.BitXor: operator.xor,
}

_COMPARE: Final[Mapping[type[ast.cmpop], Callable[[Any, Any], Any]]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}

_MUTATORS: Final = frozenset(
    {
        "append",
        "extend",
        "insert",
        "pop",
        "remove",
        "clear",
        "sort",
        "reverse",
        "update",
        "setdefault",
        "popitem",
        "add_module",
        "register_module",
        "__setitem__",
        "__delitem__",
    }
)

_MISSING: Final = object()
_MODULE_BASES: Final = {
    "torch.nn.Module": "module",
    "torch.nn.Sequential": "sequential",
    "torch.nn.ModuleDict": "container",
    "torch.nn.ModuleList": "container",
}
_MODULE_KINDS: Final = frozenset(_MODULE_BASES.values())
# The attributes torch.nn.Module, Sequential, ModuleList and ModuleDict have (dir() of
# each, torch 2.x, dunders aside): an instance of a module class read from source has
# these, those its classes define, and those its code sets.
_TORCH_MODULE_ATTRS: Final = frozenset(
    """T_destination _apply _backward_hooks _backward_pre_hooks _buffers _call_impl
    _compiled_call_impl _forward_hooks _forward_hooks_always_called
    _forward_hooks_with_kwargs _forward_pre_hooks _forward_pre_hooks_with_kwargs
    _get_abs_string_index _get_backward_hooks _get_backward_pre_hooks _get_item_by_idx
    _get_name _is_full_backward_hook _load_from_state_dict _load_state_dict_post_hooks
    _load_state_dict_pre_hooks _maybe_warn_non_full_backward_hook _modules _named_members
    _non_persistent_buffers_set _parameters _register_load_state_dict_pre_hook
    _register_state_dict_hook _replicate_for_data_parallel _save_to_state_dict
    _slow_forward _state_dict_hooks _state_dict_pre_hooks _version _wrapped_call_impl
    add_module append apply bfloat16 buffers call_super_init children clear compile cpu
    cuda double dump_patches eval extend extra_repr float forward get_buffer
    get_extra_state get_parameter get_submodule half insert ipu items keys
    load_state_dict modules mtia named_buffers named_children named_modules
    named_parameters parameters pop register_backward_hook register_buffer
    register_forward_hook register_forward_pre_hook register_full_backward_hook
    register_full_backward_pre_hook register_load_state_dict_post_hook
    register_load_state_dict_pre_hook register_module register_parameter
    register_state_dict_post_hook register_state_dict_pre_hook requires_grad_
    set_extra_state set_submodule share_memory state_dict to to_empty train training
    type update values xpu zero_grad""".split()  # noqa: SIM905 (a list, one word each)
)
_STR_METHODS: Final = frozenset(
    {"startswith", "endswith", "replace", "split", "lower", "upper", "strip", "rstrip"}
    | {"lstrip", "partition", "rpartition", "isdigit", "count", "find", "removeprefix"}
    | {"removesuffix"}
)
# Library factories interpreted by their contract (see Interp._factory): name -> file.
_FACTORIES: Final = {"build_model_with_cfg": "timm/models/_builder.py"}
_BUILDER_ONLY: Final = frozenset({"pruned", "pretrained_strict", "pretrained_cfg_overlay"})
_FITS: Final = ("in_channels", "num_features", "in_features", "num_channels")
_CHILD_VIEWS: Final = frozenset({"items", "values", "keys", "children", "named_children"})


def _classvar(annotation: ast.expr) -> bool:
    """``ClassVar[...]``: not a dataclass field."""
    if isinstance(annotation, ast.Subscript):
        annotation = annotation.value
    name = annotation.attr if isinstance(annotation, ast.Attribute) else ""
    name = annotation.id if isinstance(annotation, ast.Name) else name
    return name == "ClassVar"


def _decorator_name(node: ast.expr) -> str:
    """``dataclass`` for ``@dataclass``, ``@dataclasses.dataclass``, ``@dataclass(...)``."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


_EAGER: Final = frozenset(
    {"torch.jit.is_scripting", "torch.jit.is_tracing", "torch.compiler.is_compiling"}
)
_MODULE_METHODS: Final = frozenset({"add_module", "register_module", "append", "extend", "insert"})

_SELF_METHODS: Final = frozenset(
    {"to", "cuda", "cpu", "float", "half", "double", "bfloat16", "train", "eval", "type"}
    | {"requires_grad_", "to_empty", "share_memory", "zero_grad"}
)

_BUILTINS: Final = frozenset(
    {
        "range",
        "len",
        "list",
        "set",
        "tuple",
        "int",
        "float",
        "bool",
        "min",
        "max",
        "sum",
        "abs",
        "zip",
        "enumerate",
        "reversed",
        "sorted",
        "super",
        "getattr",
        "setattr",
        "round",
        "divmod",
        "any",
        "all",
        "print",
        "dict",
        "isinstance",
        "hasattr",
        "str",
        "dir",
    }
)


def _class_in(cls: ClassInfo, items: list[Any]) -> bool | None:
    """Is class ``cls`` one of ``items`` (classes and plain values)? None when an item
    is something else, or a class of the same name and line read from another tree."""
    if not all(isinstance(i, ClassInfo) or _is_plain(i) for i in items):
        return None
    classes = [i for i in items if isinstance(i, ClassInfo)]
    if any(i is cls or i.node is cls.node for i in classes):
        return True
    if any(i.name == cls.name and i.node.lineno == cls.node.lineno for i in classes):
        return None
    return False


def _regex(name: str, args: list[Any]) -> Any:
    """``re.split(pattern, text)`` (timm's block strings), ``re.sub``, ``re.fullmatch``
    (True/False) on short literal strings; else unknown."""
    import re as regex

    if not all(isinstance(a, str) and len(a) <= 256 for a in args) or not args:
        return UNKNOWN
    pattern = args[0]
    quantifiers = sum(pattern.count(c) for c in "*+?{")
    if len(pattern) > 64 or quantifiers > 2 or regex.search(r"\)[*+?{]", pattern):
        return UNKNOWN  # a pattern that could backtrack for long (``(a+)+$``): not run
    try:
        if name == "split" and len(args) == 2:
            return ListVal(list(regex.split(args[0], args[1])))
        if name == "sub" and len(args) == 3:
            return regex.sub(args[0], args[1], args[2])
        if name == "fullmatch" and len(args) == 2:
            return regex.fullmatch(args[0], args[1]) is not None
    except (regex.error, IndexError):
        return UNKNOWN
    return UNKNOWN


@dataclass(frozen=True)
class _AtLeast:
    """A collection known to hold ``names`` and maybe more (``dir(torch.nn.functional)``):
    ``x in`` it is True for those, unknown for anything else."""

    names: frozenset[str]


# functions of torch.nn.functional in every torch release convshape knows (1.13 on):
# timm asks ``'silu' in dir(torch.nn.functional)`` to choose its activations
_FUNCTIONAL: Final = frozenset({"silu", "hardswish", "hardsigmoid", "mish", "gelu", "relu"})


def _ref_in(ref: Ref, items: list[Any]) -> bool | None:
    """Is the library object ``ref`` names one of ``items``? False among the file's
    classes and plain values; None when another reference may be an alias of it."""
    if not all(isinstance(i, (ClassInfo, Ref)) or _is_plain(i) for i in items):
        return None
    name = _canonical(ref.name)
    refs = [_canonical(i.name) for i in items if isinstance(i, Ref)]
    if name in refs:
        return True
    return False if not refs else None


def _is_plain(value: Any) -> bool:
    """A fully known Python value: compared, hashed and printed as is."""
    if value is None or isinstance(value, (bool, int, float, str, range)):
        return True
    if isinstance(value, tuple):
        return all(_is_plain(v) for v in value)
    return False


class Interp:
    """The abstract interpreter for one file (see the module docstring)."""

    def __init__(self, ctx: FileContext) -> None:
        self.ctx = ctx
        self.src = ctx  # the file of the code being interpreted now (sites are made there)
        self.chain: tuple[Link, ...] = ()  # the calls of the model's code being followed
        self._mapped = True  # a call's arguments are the called function's parameters
        self.assumed = False  # following a model on an assumed input (no CS901 warnings)
        # findings waiting on a parameter used several times (see report_layer)
        self.pending: dict[object, tuple[int, Site, str, object, list[Any]]] = {}
        self.fitted: set[object] = set()  # shared parameters a use took (see _fitted)
        self.failures: list[Failure] = []  # layers that refused their input's width
        self.edit: Any = None  # blame's one changed argument, in a rerun (see blame)
        self.blame: Any = None  # blame's search, once a root of the file failed
        self.calls = 0  # calls of the model's code made (Link.serial)
        self.made = 0  # layers built (LayerVal.serial)
        self.limit = MAX_STEPS  # steps allowed for the model being followed
        self.root: Any = None  # the model being followed (for module paths in messages)
        self.steps = 0
        self.depth = 0
        self.active: list[ast.AST] = []
        self.modules: list[ModuleVal] = []  # every module value built, in order
        self.executed: set[ast.AST] = set()  # the functions interpreted at least once
        self.forwards: dict[object, Any] = {}  # forward results of identical modules
        self.built: dict[object, Instance] = {}  # modules built by identical calls
        self.counts: dict[int, int] = {}  # instances built per class
        self.epoch = 0  # counts changes to modules: signatures are cached per epoch
        self.ran: set[object] = set()  # signatures of the models followed from a root
        self.classes: list[ClassInfo] = []
        self.tracer: Tracer | None = None  # told each layer application (see Tracer)
        self.training: bool | None = None  # what ``self.training`` is (None: unknown)
        self.unfollowed = 0  # calls not followed directly in the ``try`` body being run
        self.try_depth = -1  # the call depth of that body
        self.globals: dict[str, Any] = {
            "nn": Ref("torch.nn"),
            "F": Ref("torch.nn.functional"),
            "torch": Ref("torch"),
            _CTX: ctx,
        }
        self._stmt: dict[type[ast.stmt], Callable[[Any, Frame], None]] = {
            ast.Expr: self._s_expr,
            ast.Assign: self._s_assign,
            ast.AnnAssign: self._s_annassign,
            ast.AugAssign: self._s_augassign,
            ast.If: self._s_if,
            ast.For: self._s_for,
            ast.With: self._s_with,
            ast.Try: self._s_try,
            ast.Return: self._s_return,
            ast.Pass: self._s_pass,
            ast.Break: self._s_break,
            ast.Continue: self._s_continue,
            ast.Raise: self._s_raise,
            ast.Assert: self._s_pass,
            ast.FunctionDef: self._s_def,
            ast.AsyncFunctionDef: self._s_def,
            ast.ClassDef: self._s_class,
            ast.Import: self._s_import,
            ast.ImportFrom: self._s_importfrom,
            ast.Global: self._s_pass,
            ast.Nonlocal: self._s_pass,
        }
        self._expr: dict[type[ast.expr], Callable[[Any, Frame], Any]] = {
            ast.Constant: self._e_constant,
            ast.Name: self._e_name,
            ast.Attribute: self._e_attribute,
            ast.Call: self._e_call,
            ast.BinOp: self._e_binop,
            ast.UnaryOp: self._e_unaryop,
            ast.BoolOp: self._e_boolop,
            ast.Compare: self._e_compare,
            ast.IfExp: self._e_ifexp,
            ast.Tuple: self._e_tuple,
            ast.List: self._e_list,
            ast.Dict: self._e_dict,
            ast.Set: self._e_set,
            ast.Subscript: self._e_subscript,
            ast.Slice: self._e_slice,
            ast.ListComp: self._e_comp,
            ast.GeneratorExp: self._e_comp,
            ast.SetComp: self._e_setcomp,
            ast.DictComp: self._e_dictcomp,
            ast.JoinedStr: self._e_joinedstr,
            ast.NamedExpr: self._e_namedexpr,
            ast.Lambda: self._e_lambda,
            ast.Yield: self._e_yield,
            ast.YieldFrom: self._e_yield,
            ast.Await: self._e_yield,
        }

    # -- bookkeeping -----------------------------------------------------------------

    def site(self, node: ast.expr | ast.stmt) -> Site:
        return self.src.site(node)

    def report_layer(
        self,
        layer: LayerVal,
        names: tuple[str, ...],
        site: Site,
        code: str,
        message: str,
        *,
        value: object = None,
        fixes: tuple[str, ...] = (),
        exact: bool = False,
        severity: str = "error",
        defaults: bool = False,
        given: object = None,
        received: int | None = None,
    ) -> None:
        """A finding about ``layer`` whose argument ``names[i]`` is wrong, reported where
        that value is written: when a helper (``conv3x3``) only passes its parameter on,
        at the argument of the call that gave it (the outermost such call); the message
        names the chain of construction and the module path. When the value comes from a
        parameter the function uses several times (a block's ``in_channels`` given to
        each branch), the finding waits: if every use fails, the call that gave the
        parameter is the place (see :meth:`flush`). With ``defaults``, a parameter the
        call left at its default (``conv1x1(a, b)`` for ``stride``) is that call's
        business. ``given``: the origin of the input whose width ``received`` (default:
        ``value``) the layer refused, kept for :mod:`convshape.features.lint.blame`."""
        width = value if received is None else received
        if given is not None and isinstance(width, int) and names and names[0] in _FITS:
            self.failures.append(Failure(layer, names[0], width, given, code, message))
        built = self.construction(layer)
        left = _left_at_default(layer, names) if defaults else None
        if left is not None:
            link, param = left
            where = link.file.site(link.call)
            fix = f"pass {param}={value} in this call" if value is not None else ""
            text = f"`{where.text}` here leaves {param} at its default for {message}{built}"
            self._report_in_file(
                layer, where, code, text, exact=exact, severity=severity, fixes=(fix,)
            )
            return
        placed = self.place(layer, names)
        if placed is None:
            self._report_in_file(
                layer, site, code, message + built, exact=exact, severity=severity, fixes=fixes
            )
            return
        where, param, moved, shared = placed
        if moved:
            text = f"`{where.text}` here is {param} of {site.text}{built}: {message}"
            fix = f"use {value} instead of `{where.text}` in this call" if value is not None else ""
            out = (fix,) if fix else tuple(f"{f} (here: `{where.text}`)" for f in fixes)
        else:
            text, out = message + built, fixes
        report = (where, code, text, exact, severity, out, layer)
        if shared is None:
            self._report_in_file(
                layer, where, code, text, exact=exact, severity=severity, fixes=out
            )
            return
        key, uses, outer, name = shared
        entries = self.pending.setdefault(key, (uses, outer, name, value, []))[4]
        entries.append(report)

    def _report_in_file(
        self,
        layer: LayerVal,
        site: Site,
        code: str,
        message: str,
        *,
        exact: bool,
        severity: str,
        fixes: tuple[str, ...],
    ) -> None:
        """Report at ``site``; when that is in another file (a helper this file imports,
        whose argument could not be traced back here), at this file's innermost call on
        the way to the layer, the call that chose what the helper was given, naming the
        place in the other file."""
        if not site.path or site.path == self.ctx.path:
            self.ctx.report(site, code, message, exact=exact, severity=severity, fixes=fixes)
            return
        for link in reversed(layer.chain):
            if link.call is not None and link.file.path in ("", self.ctx.path):
                entry = link.file.site(link.call)
                at = f"{_short(site.path)}:{site.line}"
                text = f"`{entry.text}` here builds, at {at}: {message}"
                out = tuple(f"{f} (at {at}, or in the arguments of this call)" for f in fixes)
                self.ctx.report(entry, code, text, exact=exact, severity=severity, fixes=out)
                return

    def _fitted(self, layer: LayerVal) -> None:
        """``layer`` took its input: a shared parameter its input size comes from is right
        for this use (so a failing use of it is that use's fault)."""
        call = layer.call
        if not isinstance(call, ast.Call):
            return
        params = rules.parameter_names(layer.name)
        name = next((n for n in _FITS if n in params), None)
        expr = _argument(call, params, (), name) if name is not None else None
        if expr is None:
            return
        chain = layer.chain
        expr, _file, _moved, stop = _climb(expr, layer._ctx, chain, len(chain) - 1)
        if stop is not None and isinstance(expr, ast.Name):
            self.fitted.add((id(chain[stop[0]]), expr.id))

    def flush(self) -> None:
        """Settle the findings that wait on a shared parameter (see :meth:`report_layer`):
        one at the call that gave it when all its uses failed, else each where it is."""
        pending, self.pending = self.pending, {}
        fitted, self.fitted = self.fitted, set()
        for key, (uses, outer, name, value, entries) in pending.items():
            places = {(e[0].line, e[0].col) for e in entries}
            first = entries[0]
            elsewhere = all(e[0].path and e[0].path != self.ctx.path for e in entries)
            everywhere = uses > 1 and len(places) > 1 and key not in fitted
            if everywhere or (elsewhere and outer.path in ("", self.ctx.path)):
                # every use failed; or the uses are in another file and this file's call
                # gave the value
                text = (
                    f"`{outer.text}` here is `{name}`, which each of its {uses} uses refuses: "
                    f"{first[2]}"
                    if everywhere
                    else f"`{outer.text}` here becomes `{name}`: {first[2]}"
                )
                fix = f"use {value} instead of `{outer.text}` in this call" if value else ""
                fixes = (fix,) if fix else first[5]
                self.ctx.report(
                    outer, first[1], text, exact=first[3], severity=first[4], fixes=fixes
                )
                continue
            for where, code, text, exact, severity, fixes, layer in entries:
                self._report_in_file(
                    layer, where, code, text, exact=exact, severity=severity, fixes=fixes
                )

    def place(
        self, layer: LayerVal, names: tuple[str, ...]
    ) -> tuple[Site, str, bool, tuple[object, int, Site, str] | None] | None:
        """Where the value of ``layer``'s argument ``name`` is written: (site, name, moved
        out of the layer's own call, what it waits on: a parameter used several times, as
        (key, uses, the site of the argument that gave it, its name)). None: at the
        layer's call."""
        call = layer.call
        if not isinstance(call, ast.Call) or not names:
            return None
        chain = layer.chain
        for name in names:
            climbed = _climb_argument(layer, call, name)
            if climbed is None:
                continue
            expr, file, moved, stop = climbed
            shared = None
            if stop is not None and isinstance(expr, ast.Name):
                index, uses = stop
                link = chain[index]
                up = _given(link, expr.id)
                if up is not None:
                    outer, outer_file, _m, _s = _climb(
                        up, link.file, chain, index - 1, home=self.ctx.path
                    )
                    if outer_file is not None:
                        key = (id(link), expr.id)
                        shared = (key, uses, outer_file.site(outer), expr.id)
            here = not moved and expr.lineno == call.lineno  # the layer's call is the place
            if file is None or (here and shared is None):
                return None
            site = layer.site if here else file.site(expr)
            return (site or file.site(expr)), name, moved, shared
        return None

    def construction(self, layer: LayerVal) -> str:
        """`` (built in conv3x3 at resnet.py:42, called at resnet.py:135, for
        layer1.0.conv2)``: empty for a layer written where the model is."""
        parts: list[str] = []
        site = layer.site
        chain = [link for link in layer.chain if link.call is not None]
        if chain and site is not None:
            inner = chain[-1].func
            name = inner.name if not isinstance(inner, ast.Lambda) else "lambda"
            parts.append(f"built in {name} at {_short(site.path)}:{site.line}")
            for link in reversed(chain[-3:]):
                assert link.call is not None
                parts.append(f"called at {_short(link.file.path)}:{link.call.lineno}")
        path = _module_path(self.root, layer) if isinstance(self.root, Instance) else ""
        if path:
            parts.append(f"for {path}")
        return f" ({', '.join(parts)})" if parts else ""

    # -- statements ------------------------------------------------------------------

    def exec_block(self, stmts: list[ast.stmt], frame: Frame) -> None:
        table = self._stmt
        for stmt in stmts:
            self.steps += 1
            if self.steps > self.limit:
                raise _Budget
            handler = table.get(type(stmt))
            if handler is None:
                self.havoc([stmt], frame)
            else:
                handler(stmt, frame)

    def _s_expr(self, s: ast.Expr, frame: Frame) -> None:
        self.eval(s.value, frame)

    def _s_pass(self, s: ast.stmt, frame: Frame) -> None:
        return None

    def _s_break(self, s: ast.stmt, frame: Frame) -> None:
        raise _Break

    def _s_continue(self, s: ast.stmt, frame: Frame) -> None:
        raise _Continue

    def _s_raise(self, s: ast.stmt, frame: Frame) -> None:
        raise _Stop

    def _s_return(self, s: ast.Return, frame: Frame) -> None:
        raise _Return(None if s.value is None else self.eval(s.value, frame))

    def _s_assign(self, s: ast.Assign, frame: Frame) -> None:
        value = self.eval(s.value, frame)
        for target in s.targets:
            self.assign(target, value, frame)
        if frame.locals is frame.globals and isinstance(value, ModuleVal):
            names = [t.id for t in s.targets if isinstance(t, ast.Name)]
            if names:
                self._module_level_model(names[0], value, s)

    def _s_annassign(self, s: ast.AnnAssign, frame: Frame) -> None:
        if s.value is not None:
            self.assign(s.target, self.eval(s.value, frame), frame)

    def _s_augassign(self, s: ast.AugAssign, frame: Frame) -> None:
        target = s.target
        value = self.eval(s.value, frame)
        if isinstance(target, ast.Subscript):
            self.taint(self.eval(target.value, frame))
            return
        current = self.eval(target, frame)
        if isinstance(current, ListVal) and isinstance(s.op, ast.Add):
            items = self.iterate(value)
            if (
                current.items is not None
                and items is not None
                and len(current.items) + len(items) <= MAX_ITEMS
            ):
                current.items.extend(items)
            else:
                current.items = None
            return
        self.assign(target, self.binop(s.op, current, value, s), frame)

    def _s_if(self, s: ast.If, frame: Frame) -> None:
        test = self.truth(self.eval(s.test, frame))
        if test is None:
            if not self._join(s, frame):
                self.havoc(s.body + s.orelse, frame)
        else:
            self.exec_block(s.body if test else s.orelse, frame)

    def _join(self, s: ast.If, frame: Frame) -> bool:
        """An ``if`` on something unknown whose branches only bind local names (``if
        x.shape[-2] < k: x = F.adaptive_avg_pool2d(x, size)``): each branch runs quietly
        (without its findings: the source does not say it runs) on its own copy of the
        names, and a name keeps a value both branches agree on. False when the branches
        do more (store attributes, mutate, return): the caller forgets what they change."""
        if not _binds_only(s):
            return False
        outcomes: list[dict[str, Any]] = []
        for branch in (s.body, s.orelse):
            found, pending, epoch = dict(self.ctx.findings), dict(self.pending), self.epoch
            failed = len(self.failures)
            local = Frame(dict(frame.locals), frame.globals, frame.owner)
            try:
                self.exec_block(branch, local)
                outcomes.append(local.locals)
            except (_Stop, _Return, _Break, _Continue):
                pass  # a branch that raises: the other one is what runs on
            finally:
                self.ctx.findings, self.pending, self.epoch = found, pending, epoch + 1
                del self.failures[failed:]
        if not outcomes:
            raise _Stop
        names = {n for o in outcomes for n in o if o.get(n, _MISSING) is not frame.locals.get(n)}
        for name in names:
            frame.locals[name] = _merged([o.get(name, _MISSING) for o in outcomes])
        return True

    def _s_for(self, s: ast.For, frame: Frame) -> None:
        items = self.iterate(self.eval(s.iter, frame))
        if items is None:
            self.havoc([s], frame)
            return
        for item in items:
            self.assign(s.target, item, frame)
            try:
                self.exec_block(s.body, frame)
            except _Break:
                return
            except _Continue:
                continue
        self.exec_block(s.orelse, frame)

    def _s_with(self, s: ast.With, frame: Frame) -> None:
        for item in s.items:
            self.eval(item.context_expr, frame)
            if item.optional_vars is not None:
                self.assign(item.optional_vars, UNKNOWN, frame)
        self.exec_block(s.body, frame)

    def _s_try(self, s: ast.Try, frame: Frame) -> None:
        """``try``: the body runs. When the body called something not followed (which
        may have raised), a handler may have run instead: what the handlers change is
        forgotten. A body that stops (a ``raise``) forgets the whole statement."""
        outer = (self.unfollowed, self.try_depth)
        self.unfollowed, self.try_depth = 0, self.depth
        try:
            self.exec_block(s.body, frame)
        except _Stop:
            self.havoc([s], frame)
            return
        except _Return as ret:
            if self.unfollowed:
                self.havoc(s.handlers, frame)  # type: ignore[arg-type]
            layer = ret.value
            if isinstance(layer, LayerVal) and layer.params is None:
                raise _Return(UNKNOWN) from None  # torch may refuse it: a handler's instead
            raise
        except (_Break, _Continue):
            self.havoc([s], frame)
            raise
        finally:
            unfollowed = self.unfollowed
            self.unfollowed, self.try_depth = outer
        if s.handlers and unfollowed:
            self.havoc(s.handlers, frame)  # type: ignore[arg-type]
        self.exec_block(s.orelse, frame)
        self.exec_block(s.finalbody, frame)

    def _s_def(self, s: ast.FunctionDef | ast.AsyncFunctionDef, frame: Frame) -> None:
        decorators = tuple(
            d.id if isinstance(d, ast.Name) else d.attr if isinstance(d, ast.Attribute) else ""
            for d in s.decorator_list
        )
        fn = FuncVal(s, _scope(frame), decorators=decorators)
        frame.locals[s.name] = fn if isinstance(s, ast.FunctionDef) else UNKNOWN

    def _s_class(self, s: ast.ClassDef, frame: Frame) -> None:
        bases = [self.eval(b, frame) for b in s.bases]
        kind, torch_base = "other", ""
        for base in bases:
            if isinstance(base, ClassInfo):
                kind = base.kind if kind == "other" else kind
            elif isinstance(base, Ref) and base.name in _MODULE_BASES:
                if kind == "other":
                    kind = _MODULE_BASES[base.name]
            elif isinstance(base, Ref) and rules.known_layer(_canonical(base.name)):
                torch_base = torch_base or _canonical(base.name)
                kind = "module" if kind == "other" else kind
            elif not (isinstance(base, Builtin) and base.name == "object"):
                kind = "foreign"
        if s.keywords:
            kind = "foreign"  # a metaclass: anything may happen
        info = ClassInfo(s, s.name, kind, bases)
        info.torch_base = torch_base or next(
            (b.torch_base for b in bases if isinstance(b, ClassInfo) and b.torch_base), ""
        )
        # a foreign class's instances are unknown, but the methods its own body defines
        # are still followed when called on the class (an Enum's classmethod)
        info.mro = [info]
        for base in bases:
            if isinstance(base, ClassInfo):
                info.mro += [c for c in base.mro if c not in info.mro]
        info.dataclass = any(_decorator_name(d) == "dataclass" for d in s.decorator_list)
        body = Frame(info.attrs, frame.globals, info)
        try:
            self.exec_block(s.body, body)
        except (_Return, _Break, _Continue, _Stop):
            info.kind = "foreign"
        for value in info.attrs.values():
            if isinstance(value, FuncVal):
                value.owner = info
        frame.locals[s.name] = info
        if frame.locals is frame.globals:
            self.classes.append(info)

    def _s_import(self, s: ast.Import, frame: Frame) -> None:
        importer = self.src.path
        for alias in s.names:
            name = alias.asname or alias.name.partition(".")[0]
            module = alias.name if alias.asname else name
            if imports.opaque(module):
                frame.locals[name] = Ref(module)
            else:
                frame.locals[name] = imports.Lazy(importer, module, 0, None)

    def _s_importfrom(self, s: ast.ImportFrom, frame: Frame) -> None:
        importer = self.src.path
        shut = not s.level and (not s.module or imports.opaque(s.module))
        for alias in s.names:
            if alias.name == "*":
                if not shut and frame.locals is frame.globals:
                    stars = frame.globals.setdefault(_STAR, [])
                    stars.append(imports.Lazy(importer, s.module, s.level, None))
                continue
            name = alias.asname or alias.name
            if shut:
                frame.locals[name] = Ref(f"{s.module}.{alias.name}") if s.module else UNKNOWN
            else:
                frame.locals[name] = imports.Lazy(importer, s.module, s.level, alias.name)

    def resolve(self, value: imports.Lazy, depth: int = 0) -> Any:
        """What an import binds, read from the module's source (UNKNOWN when it cannot)."""
        path = value.path()
        if path is None:
            return UNKNOWN
        users = _DEPENDENTS.setdefault(path, set())
        if len(users) < 4096:
            users.add(value.importer)  # its namespace may now hold this module's values
        if value.name is None:
            return imports.ModuleRef(path)
        return self.member(path, value.name, depth)

    def member(self, path: Path, name: str, depth: int = 0) -> Any:
        """``name`` of the module at ``path`` (a submodule of a package too)."""
        ns = namespace(path)
        found = _MISSING if ns is None else ns.get(name, _MISSING)
        if found is _MISSING:
            sub = imports.submodule(path, name)
            if sub is not None:
                return imports.ModuleRef(sub)
            if ns is not None and depth < imports.MAX_IMPORT_DEPTH:
                return self._starred(ns, name, depth + 1)
            return UNKNOWN
        if type(found) is imports.Lazy:
            if depth >= imports.MAX_IMPORT_DEPTH:
                return UNKNOWN
            found = self.resolve(found, depth + 1)
            assert ns is not None
            ns[name] = found
        return found

    def _starred(self, ns: dict[str, Any], name: str, depth: int) -> Any:
        for star in ns.get(_STAR, ()):
            path = star.path()
            if path is not None:
                found = self.member(path, name, depth)
                if found is not UNKNOWN:
                    return found
        return UNKNOWN

    def assign(self, target: ast.expr, value: Any, frame: Frame) -> None:
        if isinstance(target, ast.Name):
            frame.locals[target.id] = value
        elif isinstance(target, ast.Attribute):
            obj = self.eval(target.value, frame)
            if isinstance(obj, Instance):
                self.epoch += 1
                obj.attrs[target.attr] = value
                if isinstance(value, ModuleVal) and obj.children is not None:
                    obj.children.append((target.attr, value))
            elif isinstance(obj, ObjVal):
                obj.attrs[target.attr] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = self.iterate(value)
            starred = [i for i, t in enumerate(target.elts) if isinstance(t, ast.Starred)]
            if items is not None and not starred and len(items) == len(target.elts):
                for t, v in zip(target.elts, items, strict=True):
                    self.assign(t, v, frame)
            else:
                for t in target.elts:
                    self.assign(t.value if isinstance(t, ast.Starred) else t, UNKNOWN, frame)
        elif isinstance(target, ast.Subscript):
            container = self.eval(target.value, frame)
            key = self.eval(target.slice, frame)
            in_dict = isinstance(container, DictVal) and _is_plain(key)
            in_list = (
                isinstance(container, ListVal)
                and container.items is not None
                and type(key) is int
                and -len(container.items) <= key < len(container.items)
            )
            if (in_dict or in_list) and container.items is not None:
                container.items[key] = value
            else:
                self.taint(container)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, UNKNOWN, frame)

    def havoc(self, stmts: list[ast.stmt], frame: Frame) -> None:
        """Forget everything ``stmts`` may change: they cannot be followed statically."""
        self.epoch += 1
        for stmt in stmts:
            for kind, node in _changes(stmt):
                if kind == "name":
                    assert isinstance(node, ast.Name)
                    frame.locals[node.id] = UNKNOWN
                elif kind == "store":
                    assert isinstance(node, (ast.Attribute, ast.Subscript))
                    obj = self._quiet_eval(node.value, frame)
                    if isinstance(node, ast.Attribute) and isinstance(obj, Instance):
                        obj.attrs[node.attr] = UNKNOWN
                        if obj.children is not None:
                            obj.children = None
                    elif isinstance(node, ast.Attribute) and isinstance(obj, ObjVal):
                        obj.attrs[node.attr] = UNKNOWN
                    else:
                        self.taint(obj)
                elif kind == "mutate":
                    assert isinstance(node, ast.expr)
                    obj = self._quiet_eval(node, frame)
                    if isinstance(obj, Instance):
                        obj.opaque = True
                    self.taint(obj)
                else:
                    assert isinstance(node, ast.expr)
                    obj = self._quiet_eval(node, frame)
                    if isinstance(obj, Instance):
                        obj.opaque = True

    def _quiet_eval(self, node: ast.expr, frame: Frame) -> Any:
        """Evaluate a plain name or ``self.attr`` chain without side effects."""
        if isinstance(node, ast.Name):
            return self.lookup(node.id, frame)
        if isinstance(node, ast.Attribute):
            return self.getattr(self._quiet_eval(node.value, frame), node.attr)
        return UNKNOWN

    def taint(self, value: Any) -> None:
        self.epoch += 1
        if isinstance(value, (ListVal, DictVal, SetVal)):
            value.items = None
        elif isinstance(value, (SeqVal, ModListVal)):
            value.children = None

    # -- expressions -----------------------------------------------------------------

    def eval(self, node: ast.expr, frame: Frame) -> Any:
        self.steps += 1
        if self.steps > self.limit:
            raise _Budget
        try:
            handler = self._expr[type(node)]
        except KeyError:
            return UNKNOWN
        return handler(node, frame)

    def _e_constant(self, node: ast.Constant, frame: Frame) -> Any:
        value = node.value
        if value is Ellipsis or isinstance(value, (bytes, complex)):
            return UNKNOWN
        return value

    def _e_name(self, node: ast.Name, frame: Frame) -> Any:
        return self.lookup(node.id, frame)

    def lookup(self, name: str, frame: Frame) -> Any:
        scope = frame.locals
        found = scope.get(name, _MISSING)
        if found is _MISSING:
            scope = frame.globals
            found = scope.get(name, _MISSING)
            if found is _MISSING:
                if name in _BUILTINS or name == "object":
                    return Builtin(name)
                if _STAR in scope:
                    return self._starred(scope, name, 0)
                return UNKNOWN
        if type(found) is imports.Lazy:
            found = scope[name] = self.resolve(found)
        return found

    def _e_attribute(self, node: ast.Attribute, frame: Frame) -> Any:
        return self.getattr(self.eval(node.value, frame), node.attr)

    def getattr(self, obj: Any, attr: str) -> Any:
        if isinstance(obj, Ref):
            if attr == "__name__":
                last = obj.name.rpartition(".")[2]
                return last if last[:1].isupper() else UNKNOWN  # a class keeps its name
            return _ref(obj.name, attr)
        if isinstance(obj, PartialVal):
            if attr == "func":
                return obj.func
            if attr == "keywords" and obj.kwargs is not None:
                return DictVal(dict(obj.kwargs))
            if attr == "args" and obj.args is not None:
                return tuple(obj.args)
            return UNKNOWN
        if isinstance(obj, ClassInfo) and attr == "__name__":
            return obj.name
        if isinstance(obj, imports.ModuleRef):
            return self.member(obj.path, attr)
        if isinstance(obj, Instance):
            if attr in obj.attrs:
                return obj.attrs[attr]
            if attr == "training":
                return False  # lint follows models in eval mode, as model mode does
            if attr == "training" and self.training is not None:
                return self.training
            if obj.opaque:
                return UNKNOWN
            return self._method(obj, obj.cls, attr)
        if isinstance(obj, ObjVal):
            if attr in obj.attrs:
                return obj.attrs[attr]
            return self._method(obj, obj.cls, attr)
        if isinstance(obj, ClassInfo):
            value, _owner = obj.lookup(attr)
            if isinstance(value, FuncVal) and "classmethod" in value.decorators:
                return FuncVal(value.node, value.globals, value.owner, obj, value.decorators)
            return value
        if isinstance(obj, Tensor):
            return rules.tensor_attr(self, obj, attr)
        if isinstance(obj, LayerVal):
            if obj.params is not None and attr in obj.params:
                return obj.params[attr]
            return UNKNOWN
        if isinstance(obj, SeqVal) and obj.children is not None:
            for name, child in obj.children:
                if name == attr:
                    return child
        return UNKNOWN

    def _method(self, obj: Any, cls: ClassInfo, attr: str) -> Any:
        """A class attribute seen through an instance: methods bound, properties run."""
        value, _owner = cls.lookup(attr)
        if isinstance(value, FuncVal):
            if "staticmethod" in value.decorators:
                return value
            this = cls if "classmethod" in value.decorators else obj
            bound = FuncVal(value.node, value.globals, value.owner, this, value.decorators)
            if "property" in value.decorators:
                return self.call_func(bound, [], {})
            return bound
        return value

    def _e_binop(self, node: ast.BinOp, frame: Frame) -> Any:
        left, right = self.eval(node.left, frame), self.eval(node.right, frame)
        return self.binop(node.op, left, right, node)

    def binop(self, op: ast.operator, left: Any, right: Any, node: ast.AST | None = None) -> Any:
        if isinstance(left, Numbers) or isinstance(right, Numbers):
            if not isinstance(left, Tensor) and not isinstance(right, Tensor):
                return numeric.binop(op, left, right)
            left, right = (_as_tensor(v) for v in (left, right))
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            if self.tracer is None or node is None:
                return rules.tensor_binop(self, op, left, right, node)
            before = len(self.ctx.findings)
            out = rules.tensor_binop(self, op, left, right, node)
            name = type(op).__name__.lower()
            self.tracer.op(self, name, [left, right], out, node, before)
            return out
        if isinstance(left, ListVal) and isinstance(right, ListVal) and isinstance(op, ast.Add):
            if left.items is None or right.items is None:
                return ListVal(None)
            if len(left.items) + len(right.items) > MAX_ITEMS:
                return ListVal(None)
            return ListVal(left.items + right.items)
        if isinstance(left, ListVal) and isinstance(right, int) and isinstance(op, ast.Mult):
            if left.items is None or len(left.items) * right > MAX_ITEMS:
                return ListVal(None)
            return ListVal(left.items * right)
        if not (_is_plain(left) and _is_plain(right)) or isinstance(left, range):
            return UNKNOWN
        fn = _BINOPS.get(type(op))
        if fn is None:
            return UNKNOWN
        if isinstance(op, ast.Pow) and isinstance(right, int) and abs(right) > 64:
            return UNKNOWN
        if not _small_enough(op, left, right):
            return UNKNOWN
        if isinstance(op, (ast.LShift, ast.Mult)):
            size = right if isinstance(op, ast.LShift) else 0
            if isinstance(size, int) and size > 64:
                return UNKNOWN
            if (
                isinstance(op, ast.Mult)
                and isinstance(left, (str, tuple))
                and (not isinstance(right, int) or right * len(left) > MAX_ITEMS)
            ):
                return UNKNOWN
        try:
            result = fn(left, right)
        except (ArithmeticError, TypeError, ValueError):
            return UNKNOWN
        if isinstance(result, int) and result.bit_length() > MAX_BITS:
            return UNKNOWN
        return result

    def _e_unaryop(self, node: ast.UnaryOp, frame: Frame) -> Any:
        value = self.eval(node.operand, frame)
        if isinstance(node.op, ast.Not):
            truth = self.truth(value)
            return UNKNOWN if truth is None else not truth
        if isinstance(value, Tensor):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(node.op, ast.USub):
                return -value
            if isinstance(node.op, ast.UAdd):
                return value
            if isinstance(node.op, ast.Invert) and isinstance(value, int):
                return ~value
        return UNKNOWN

    def _e_boolop(self, node: ast.BoolOp, frame: Frame) -> Any:
        is_and = isinstance(node.op, ast.And)
        value: Any = UNKNOWN
        unknown = False
        for operand in node.values:
            value = self.eval(operand, frame)
            truth = self.truth(value)
            if truth is None:
                unknown = True
                continue
            if truth != is_and:
                # ``p == 0 or not training``: a test that decides whatever came before it
                return value if not unknown else (value if type(value) is bool else UNKNOWN)
        return UNKNOWN if unknown else value

    def _e_compare(self, node: ast.Compare, frame: Frame) -> Any:
        left = self.eval(node.left, frame)
        result: Any = True
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.eval(comparator, frame)
            step = self.compare(op, left, right)
            if step is UNKNOWN:
                return UNKNOWN
            if not step:
                return False
            left = right
        return result

    def compare(self, op: ast.cmpop, left: Any, right: Any) -> Any:
        if isinstance(op, (ast.Is, ast.IsNot)):
            if left is UNKNOWN or right is UNKNOWN:
                return UNKNOWN
            if right is None or left is None:
                same = left is None and right is None
            elif isinstance(left, bool) and isinstance(right, bool):
                same = left is right
            else:
                return UNKNOWN
            return same if isinstance(op, ast.Is) else not same
        if isinstance(op, (ast.In, ast.NotIn)):
            if isinstance(right, _AtLeast):
                if not (isinstance(left, str) and left in right.names):
                    return UNKNOWN
                return isinstance(op, ast.In)
            if isinstance(right, SetVal):
                items = None if right.items is None else list(right.items)
            else:
                items = self.iterate(right) if not isinstance(right, str) else None
            if isinstance(right, str) and isinstance(left, str):
                found = left in right
            elif isinstance(right, DictVal) and right.items is not None and _is_plain(left):
                found = left in right.items
            elif items is not None and _is_plain(left) and all(_is_plain(i) for i in items):
                found = left in items
            elif isinstance(left, Ref) and items is not None:
                found_in = _ref_in(left, items)  # a torch class in a set of classes
                if found_in is None:
                    return UNKNOWN
                found = found_in
            elif isinstance(left, ClassInfo) and items is not None:
                found_in = _class_in(left, items)  # a class in a set of classes
                if found_in is None:
                    return UNKNOWN
                found = found_in
            else:
                return UNKNOWN
            return found if isinstance(op, ast.In) else not found
        if not (_is_plain(left) and _is_plain(right)):
            return UNKNOWN
        try:
            return bool(_COMPARE[type(op)](left, right))
        except (TypeError, KeyError):
            return UNKNOWN

    def truth(self, value: Any) -> bool | None:
        if value is UNKNOWN or isinstance(value, (Tensor, DimRef)):
            return None
        if _is_plain(value):
            return bool(value)
        if isinstance(value, (ListVal, DictVal)):
            return None if value.items is None else bool(value.items)
        if isinstance(
            value, (ModuleVal, FuncVal, ClassInfo, Ref, Builtin, imports.ModuleRef, PartialVal)
        ):
            return True
        return None

    def _e_ifexp(self, node: ast.IfExp, frame: Frame) -> Any:
        truth = self.truth(self.eval(node.test, frame))
        if truth is None:
            if _simple_call(node.body) and _simple_call(node.orelse):
                a, b = self.eval(node.body, frame), self.eval(node.orelse, frame)
                if isinstance(a, ModuleVal) and isinstance(b, ModuleVal):
                    return EitherVal([a, b])  # DropPath(p) if p > 0 else nn.Identity()
            return UNKNOWN
        return self.eval(node.body if truth else node.orelse, frame)

    def _elements(self, elts: list[ast.expr], frame: Frame) -> list[Any] | None:
        ev = self.eval
        out: list[Any] = []
        for elt in elts:
            if type(elt) is ast.Starred:
                items = self.iterate(ev(elt.value, frame))
                if items is None:
                    return None
                out += items
            else:
                out.append(ev(elt, frame))
        return out

    def _e_tuple(self, node: ast.Tuple, frame: Frame) -> Any:
        items = self._elements(node.elts, frame)
        return UNKNOWN if items is None else tuple(items)

    def _e_list(self, node: ast.List, frame: Frame) -> Any:
        return ListVal(self._elements(node.elts, frame))

    def _e_set(self, node: ast.Set, frame: Frame) -> Any:
        items = self._elements(node.elts, frame)
        return SetVal(None if items is None else tuple(items))

    def _e_dict(self, node: ast.Dict, frame: Frame) -> Any:
        items: dict[Any, Any] | None = {}
        for k, v in zip(node.keys, node.values, strict=True):
            value = self.eval(v, frame)
            if k is None:
                items = None
                continue
            key = self.eval(k, frame)
            if items is not None and _is_plain(key):
                items[key] = value
            else:
                items = None
        return DictVal(items)

    def _e_subscript(self, node: ast.Subscript, frame: Frame) -> Any:
        return self.subscript(self.eval(node.value, frame), self.eval(node.slice, frame))

    def subscript(self, obj: Any, key: Any) -> Any:
        if isinstance(obj, Tensor):
            return rules.tensor_getitem(self, obj, key)
        if isinstance(obj, DictVal):
            if obj.items is not None and _is_plain(key):
                return obj.items.get(key, UNKNOWN)
            return UNKNOWN
        if isinstance(obj, SeqVal):
            if obj.children is None:
                return UNKNOWN
            if isinstance(key, slice) and _is_plain((key.start, key.stop, key.step)):
                return SeqVal(obj.site, obj.children[key])
            if isinstance(key, int) and -len(obj.children) <= key < len(obj.children):
                return obj.children[key][1]
            return UNKNOWN
        items: Any
        if isinstance(obj, (ListVal, ModListVal)):
            items = obj.items if isinstance(obj, ListVal) else obj.children
            if items is None:
                return UNKNOWN
        elif isinstance(obj, (tuple, str, range)):
            items = obj
        else:
            return UNKNOWN
        if isinstance(key, bool) or not isinstance(key, (int, slice)):
            return UNKNOWN
        if isinstance(key, slice) and not _is_plain((key.start, key.stop, key.step)):
            return UNKNOWN
        try:
            value = items[key]
        except (IndexError, ValueError, TypeError):
            return UNKNOWN
        if isinstance(key, slice):
            if isinstance(obj, ListVal):
                return ListVal(list(value))
            if isinstance(obj, ModListVal):
                return ModListVal(obj.site, list(value))
        return value

    def _e_slice(self, node: ast.Slice, frame: Frame) -> Any:
        parts = [
            None if p is None else self.eval(p, frame) for p in (node.lower, node.upper, node.step)
        ]
        if all(p is None or isinstance(p, int) for p in parts):
            return slice(*parts)
        return UNKNOWN

    def _e_comp(self, node: ast.ListComp | ast.GeneratorExp, frame: Frame) -> Any:
        out = self._comprehend(node.generators, [node.elt], frame)
        return ListVal(None if out is None else [item[0] for item in out])

    def _e_setcomp(self, node: ast.SetComp, frame: Frame) -> Any:
        out = self._comprehend(node.generators, [node.elt], frame)
        return SetVal(None if out is None else tuple(item[0] for item in out))

    def _e_dictcomp(self, node: ast.DictComp, frame: Frame) -> Any:
        out = self._comprehend(node.generators, [node.key, node.value], frame)
        if out is None or not all(_is_plain(key) for key, _value in out):
            return DictVal(None)
        return DictVal(dict((key, value) for key, value in out))

    def _comprehend(
        self, generators: list[ast.comprehension], elts: list[ast.expr], frame: Frame
    ) -> list[list[Any]] | None:
        """The values of ``elts`` for each item a comprehension's generators give, in
        order; None when an iterable or a condition is not known."""
        scope = Frame(dict(frame.locals), frame.globals, frame.owner)
        out: list[list[Any]] = []

        def run(level: int) -> bool:
            if level == len(generators):
                out.append([self.eval(elt, scope) for elt in elts])
                return len(out) <= MAX_ITEMS
            gen = generators[level]
            items = self.iterate(self.eval(gen.iter, scope))
            if items is None or gen.is_async:
                return False
            for item in items:
                self.assign(gen.target, item, scope)
                keep = True
                for cond in gen.ifs:
                    truth = self.truth(self.eval(cond, scope))
                    if truth is None:
                        return False
                    keep = keep and truth
                if keep and not run(level + 1):
                    return False
            return True

        return out if run(0) else None

    def _e_joinedstr(self, node: ast.JoinedStr, frame: Frame) -> Any:
        parts: list[str] = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif (
                isinstance(value, ast.FormattedValue)
                and value.conversion == -1
                and value.format_spec is None
            ):
                v = self.eval(value.value, frame)
                if not (_is_plain(v) and isinstance(v, (int, str))):
                    return UNKNOWN
                parts.append(str(v))
            else:
                return UNKNOWN
        return "".join(parts)

    def _e_namedexpr(self, node: ast.NamedExpr, frame: Frame) -> Any:
        value = self.eval(node.value, frame)
        self.assign(node.target, value, frame)
        return value

    def _e_yield(self, node: ast.expr, frame: Frame) -> Any:
        raise _Stop  # a generator (or a coroutine): what calling it returns is not followed

    def _e_lambda(self, node: ast.Lambda, frame: Frame) -> Any:
        return FuncVal(node, _scope(frame))

    def iterate(self, value: Any) -> list[Any] | None:
        """The items of a value the source fixes, or None."""
        if isinstance(value, (tuple, str)):
            return list(value)
        if isinstance(value, range):
            return list(value) if len(value) <= MAX_ITEMS else None
        if isinstance(value, ListVal):
            return None if value.items is None else list(value.items)
        if isinstance(value, DictVal):
            return None if value.items is None else list(value.items)
        if isinstance(value, SeqVal):
            return None if value.children is None else [c for _, c in value.children]
        if isinstance(value, ModListVal):
            return None if value.children is None else list(value.children)
        if isinstance(value, Instance) and value.cls.kind == "container":
            return None if value.children is None else [c for _, c in value.children]
        if isinstance(value, Instance) and value.cls.kind == "sequential" and not value.opaque:
            return None if value.children is None else [c for _, c in value.children]
        return None

    # -- calls -----------------------------------------------------------------------

    def _args(self, node: ast.Call, frame: Frame) -> tuple[list[Any] | None, dict[str, Any] | None]:
        args = self._elements(node.args, frame)
        kwargs: dict[str, Any] | None = {}
        for kw in node.keywords:
            value = self.eval(kw.value, frame)
            if kw.arg is None:
                if isinstance(value, DictVal) and value.items is not None and kwargs is not None:
                    for k, v in value.items.items():
                        if not isinstance(k, str):
                            kwargs = None
                            break
                        kwargs[k] = v
                else:
                    kwargs = None
            elif kwargs is not None:
                kwargs[kw.arg] = value
        return args, kwargs

    def _e_call(self, node: ast.Call, frame: Frame) -> Any:
        func = node.func
        if isinstance(func, ast.Attribute):
            obj = self.eval(func.value, frame)
            args, kwargs = self._args(node, frame)
            return self.call_method(obj, func.attr, args, kwargs, node, frame)
        if isinstance(func, ast.Name) and func.id == "super" and func.id not in frame.locals:
            owner = frame.owner
            this = frame.locals.get("self", UNKNOWN)
            return UNKNOWN if owner is None else SuperVal(this, owner)
        f = self.eval(func, frame)
        if self.depth == 0 and isinstance(f, FuncVal) and f.globals is not frame.globals:
            return UNKNOWN  # module-level use of another module's code: not followed
        args, kwargs = self._args(node, frame)
        return self.call(f, args, kwargs, node)

    def forget(self, args: list[Any] | None, kwargs: dict[str, Any] | None) -> Any:
        """A call the interpreter does not follow: whatever it was given may change."""
        if self.depth == self.try_depth:
            self.unfollowed += 1
        for value in (args or []) + list((kwargs or {}).values()):
            self.taint(value)
        return UNKNOWN

    def call(
        self, f: Any, args: list[Any] | None, kwargs: dict[str, Any] | None, node: ast.Call
    ) -> Any:
        mapped, self._mapped = self._mapped, True
        if isinstance(f, Ref):
            return self.call_ref(f.name, args, kwargs, node)
        if isinstance(f, Builtin):
            return self.call_builtin(f.name, args, kwargs)
        if isinstance(f, FuncVal):
            if self.depth == 0 and f.globals is not self.globals and self.chain == ():
                return self.forget(args, kwargs)  # module-level use of another module's code
            return self.call_func(f, args, kwargs, node if mapped else None)
        if isinstance(f, ClassInfo):
            return self.instantiate(f, args, kwargs, node if mapped else None, node)
        if isinstance(f, ModuleVal):
            return self.apply(f, args, kwargs)
        if isinstance(f, ObjVal):  # a plain object with __call__ (timm's block builder)
            method = self._method(f, f.cls, "__call__")
            if isinstance(method, FuncVal):
                return self.call_func(method, args, kwargs, node if mapped else None)
        if isinstance(f, PartialVal):
            # the call's arguments are the function's when the partial binds keywords only
            self._mapped = f.args == [] and mapped
            try:
                if f.args is None or f.kwargs is None or args is None or kwargs is None:
                    return self.call(f.func, None, None, node)
                return self.call(f.func, f.args + args, {**f.kwargs, **kwargs}, node)
            finally:
                self._mapped = True
        return self.forget(args, kwargs)

    def call_method(
        self,
        obj: Any,
        attr: str,
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
        node: ast.Call,
        frame: Frame,
    ) -> Any:
        kind = type(obj)
        if kind is Numbers:
            if attr in numeric.METHODS:
                return numeric.method(obj, attr, args, kwargs)
            return self.forget(args, kwargs)
        if kind is SetVal:  # s.add(x), s.union(t): not followed, and s no longer known
            self.taint(obj)
            return self.forget(args, kwargs)
        if kind is Instance and attr not in _MODULE_METHODS:
            if attr == "forward":
                return self.apply(obj, args, kwargs)
            if attr in _SELF_METHODS:
                return obj  # module.to(device), .eval(), .float(): the same module
            if attr in ("register_buffer", "register_parameter") and args and not kwargs:
                name = args[0]
                value = args[1] if len(args) > 1 else UNKNOWN
                if isinstance(name, str) and len(args) <= 3:
                    self.epoch += 1
                    if attr == "register_parameter" and value is not None:
                        value = _as_param(value)
                    obj.attrs[name] = value
                    return None
            if attr in _CHILD_VIEWS and obj.children is not None and not args and not kwargs:
                found, _owner = obj.cls.lookup(attr)
                if found is UNKNOWN and attr not in obj.attrs:
                    children = obj.children
                    if attr in ("items", "named_children"):
                        return ListVal([tuple(c) for c in children])
                    if attr == "keys":
                        return ListVal([name for name, _ in children])
                    return ListVal([module for _, module in children])
            return self.call(self.getattr(obj, attr), args, kwargs, node)
        if kind is Ref:
            return self.call_ref(_ref(obj.name, attr).name, args, kwargs, node)
        if kind is Tensor or kind is Param:
            if self.tracer is None:
                return rules.tensor_method(self, obj, attr, args, kwargs, node)
            before = len(self.ctx.findings)
            out = rules.tensor_method(self, obj, attr, args, kwargs, node)
            self.tracer.op(self, f"Tensor.{attr}", [obj], out, node, before)
            return out
        if kind is ListVal:
            return self._list_method(obj, attr, args, kwargs)
        if kind is DictVal:
            return self._dict_method(obj, attr, args, kwargs)
        if kind is SuperVal:
            return self._super_method(obj, attr, args, kwargs, node)
        plain = kind is str and args is not None and all(_is_plain(a) for a in args)
        if plain and attr in _STR_METHODS and args is not None and not kwargs:
            try:
                result = getattr(obj, attr)(*args)
            except (TypeError, ValueError):
                return UNKNOWN
            return ListVal(result) if isinstance(result, list) else result
        if isinstance(obj, (SeqVal, ModListVal, Instance)):
            handled, result = self._module_method(obj, attr, args, kwargs)
            if handled:
                return result
        if isinstance(obj, ModuleVal) and attr == "forward":
            return self.apply(obj, args, kwargs)
        if isinstance(obj, ModuleVal) and attr in _SELF_METHODS:
            return obj
        if isinstance(obj, (Instance, ObjVal, ClassInfo, LayerVal, SeqVal)):
            return self.call(self.getattr(obj, attr), args, kwargs, node)
        return self.forget(args, kwargs)

    def _list_method(
        self, obj: ListVal, attr: str, args: list[Any] | None, kwargs: dict[str, Any] | None
    ) -> Any:
        if obj.items is None or args is None or kwargs:
            if attr in _MUTATORS:
                obj.items = None
            return self.forget(args, kwargs)
        if attr == "append" and len(args) == 1:
            obj.items.append(args[0])
            return None
        if attr == "extend" and len(args) == 1:
            items = self.iterate(args[0])
            if items is None:
                obj.items = None
            else:
                obj.items.extend(items)
            return None
        if attr == "insert" and len(args) == 2 and isinstance(args[0], int):
            obj.items.insert(args[0], args[1])
            return None
        if attr == "copy" and not args:
            return ListVal(list(obj.items))
        if attr == "pop" and len(args) <= 1 and obj.items:
            index = args[0] if args else -1
            if isinstance(index, int) and -len(obj.items) <= index < len(obj.items):
                return obj.items.pop(index)
        if attr == "index" or attr == "count":
            return UNKNOWN
        if attr in _MUTATORS:
            obj.items = None
        return self.forget(args, kwargs)

    def _dict_method(
        self, obj: DictVal, attr: str, args: list[Any] | None, kwargs: dict[str, Any] | None
    ) -> Any:
        items = obj.items
        if items is not None and args is not None and not kwargs:
            if attr == "items" and not args:
                return ListVal([(k, v) for k, v in items.items()])
            if attr == "keys" and not args:
                return ListVal(list(items))
            if attr == "values" and not args:
                return ListVal(list(items.values()))
            if attr == "get" and 1 <= len(args) <= 2 and _is_plain(args[0]):
                return items.get(args[0], args[1] if len(args) == 2 else None)
            known = bool(args) and _is_plain(args[0])
            present = len(args) == 2 or (len(args) == 1 and args[0] in items)
            if attr == "pop" and known and present:
                return items.pop(args[0], args[-1])
            if attr == "setdefault" and 1 <= len(args) <= 2 and _is_plain(args[0]):
                return items.setdefault(args[0], args[1] if len(args) == 2 else None)
            other = args[0] if len(args) == 1 else None
            if attr == "update" and isinstance(other, DictVal) and other.items is not None:
                items.update(other.items)
                return None
            if attr == "copy" and not args:
                return DictVal(dict(items))
        if attr in _MUTATORS:
            obj.items = None
        return self.forget(args, kwargs)

    def _module_method(
        self,
        obj: SeqVal | ModListVal | Instance,
        attr: str,
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
    ) -> tuple[bool, Any]:
        if attr in ("add_module", "register_module", "append", "extend", "insert"):
            self.epoch += 1
        if attr in ("add_module", "register_module"):
            if args is not None and len(args) == 2 and not kwargs and isinstance(args[0], str):
                name, module = args
                if isinstance(obj, Instance):
                    obj.attrs[name] = module
                    if obj.children is not None:
                        obj.children.append((name, module))
                elif isinstance(obj, SeqVal) and obj.children is not None:
                    obj.children.append((name, module))
                elif isinstance(obj, ModListVal):
                    obj.children = None
            else:
                if isinstance(obj, Instance):
                    obj.opaque = True
                self.taint(obj)
            return True, None
        if (
            isinstance(obj, Instance)
            and obj.cls.kind == "container"
            and attr in ("append", "extend")
            and obj.children is not None
        ):
            added = self.iterate(args[0]) if attr == "extend" and args and len(args) == 1 else None
            if attr == "append" and args is not None and len(args) == 1 and not kwargs:
                added = [args[0]]
            if added is None or kwargs:
                obj.children = None
                obj.opaque = True
            else:
                start = len(obj.children)
                obj.children += [(str(start + i), m) for i, m in enumerate(added)]
            self.epoch += 1
            return True, None
        if isinstance(obj, (SeqVal, ModListVal)) and attr in ("append", "extend", "insert"):
            children = obj.children
            if children is None or args is None or kwargs:
                self.taint(obj)
                return True, None
            new: list[Any] | None
            if attr == "append" and len(args) == 1:
                new = [args[0]]
            elif attr == "extend" and len(args) == 1:
                new = self.iterate(args[0])
            else:
                new = None
            if new is None:
                self.taint(obj)
            elif isinstance(obj, SeqVal):
                start = len(children)
                obj.children = children + [(str(start + i), m) for i, m in enumerate(new)]
            else:
                obj.children = children + new
            return True, (obj if isinstance(obj, SeqVal) else None)
        return False, None

    def _super_method(
        self,
        obj: SuperVal,
        attr: str,
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
        node: ast.Call,
    ) -> Any:
        inst = obj.instance
        value, owner = (
            inst.cls.lookup(attr, after=obj.owner)
            if isinstance(inst, (Instance, ObjVal))
            else (UNKNOWN, None)
        )
        if isinstance(value, FuncVal) and owner is not None:
            bound = FuncVal(value.node, value.globals, value.owner, inst, value.decorators)
            return self.call_func(bound, args, kwargs, node)
        if attr == "__init__" and isinstance(inst, Instance) and inst.cls.torch_base:
            layer = rules.make_layer(self, _canonical(inst.cls.torch_base), args, kwargs, node)
            if isinstance(layer, LayerVal):
                inst.attrs[_LAYER] = layer
                inst.attrs.update(layer.params or {})
                inst.attrs.update(rules.layer_tensors(layer))
            return None
        if attr == "__init__" and isinstance(inst, ObjVal):
            self._init_object(inst, args, kwargs, obj.owner)
            return None
        if attr == "__init__" and isinstance(inst, Instance):
            if inst.children is not None and not inst.attrs.get("__seq_init__"):
                children = self._seq_children(args, kwargs)
                inst.children = None if children is None else inst.children + children
                self.epoch += 1
            return None
        if attr == "forward" and isinstance(inst, Instance) and inst.children is not None:
            return self._chain(inst.children, args, kwargs)
        return self.forget(args, kwargs)

    def call_ref(
        self, name: str, args: list[Any] | None, kwargs: dict[str, Any] | None, node: ast.Call
    ) -> Any:
        short = _canonical(name)
        if short in _EAGER and not args and not kwargs:
            return False  # code read here runs eagerly: not scripted, traced nor compiled
        if short == "copy.copy" and args is not None and len(args) == 1 and not kwargs:
            return _shallow_copy(args[0])
        if short == "copy.deepcopy" and args is not None and len(args) == 1 and not kwargs:
            return _deep_copy(args[0])
        if short == "nn.Sequential":
            children = self._seq_children(args, kwargs)
            seq = SeqVal(None, children, node, self.src)
            self.modules.append(seq)
            return seq
        if short == "nn.ModuleList":
            items: list[Any] | None = []
            if args:
                items = self.iterate(args[0]) if len(args) == 1 and not kwargs else None
            elif args is None or kwargs:
                items = None
            mods = ModListVal(None, items, node, self.src)
            self.modules.append(mods)
            return mods
        if short == "nn.ModuleDict":
            if args and len(args) == 1 and isinstance(args[0], DictVal):
                return DictVal(None if args[0].items is None else dict(args[0].items))
            return DictVal({} if args == [] and kwargs == {} else None)
        if short in ("collections.OrderedDict", "typing.OrderedDict", "dict"):
            return self._ordered_dict(args, kwargs)
        if short in ("nn.Parameter", "nn.Buffer", "nn.parameter.Parameter"):
            data = args[0] if args else (kwargs or {}).get("data", UNKNOWN)
            if short != "nn.Buffer":  # a tensor the module holds and counts (calc's params)
                return _as_param(data)
            return data if isinstance(data, Tensor) else Tensor.unknown()  # a tensor
        if short.startswith("nn."):
            layer = rules.make_layer(self, short, args, kwargs, node)
            if isinstance(layer, ModuleVal):
                self.modules.append(layer)
            return layer
        if short.startswith(("F.", "torch.")):
            if self.tracer is None:
                return rules.call_function(self, short, args, kwargs, node)
            before = len(self.ctx.findings)
            out = rules.call_function(self, short, args, kwargs, node)
            tensors = _tensors(self, args, kwargs)
            if tensors:
                self.tracer.op(self, short, tensors, out, node, before)
            return out
        if short.startswith("math.") and args is not None and not kwargs:
            return _math(short[5:], args)
        if short == "typing.cast" and args is not None and len(args) == 2 and not kwargs:
            return args[1]
        if short == "itertools.repeat" and args is not None and len(args) == 2 and not kwargs:
            n = args[1]
            if type(n) is int and 0 <= n <= MAX_ITEMS:
                return tuple([args[0]] * n)
        if short == "dataclasses.field" and args == [] and kwargs and "default" in kwargs:
            return kwargs["default"]
        if short == "functools.partial" and args:
            return PartialVal(args[0], args[1:], kwargs)
        if short in ("re.split", "re.sub", "re.fullmatch") and args is not None and not kwargs:
            return _regex(short[3:], args)
        return self.forget(args, kwargs)

    def _ordered_dict(self, args: list[Any] | None, kwargs: dict[str, Any] | None) -> Any:
        if args is None or kwargs is None or len(args) > 1:
            return self.forget(args, kwargs)
        items: dict[Any, Any] = {}
        if args:
            if isinstance(args[0], DictVal):
                if args[0].items is None:
                    return DictVal(None)
                items.update(args[0].items)
            else:
                pairs = self.iterate(args[0])
                if pairs is None:
                    return DictVal(None)
                for pair in pairs:
                    if not (isinstance(pair, tuple) and len(pair) == 2 and _is_plain(pair[0])):
                        return DictVal(None)
                    items[pair[0]] = pair[1]
        items.update(kwargs)
        return DictVal(items)

    def _seq_children(
        self, args: list[Any] | None, kwargs: dict[str, Any] | None
    ) -> list[tuple[Any, Any]] | None:
        if args is None or kwargs:
            return None
        if len(args) == 1 and isinstance(args[0], DictVal):
            items = args[0].items
            return None if items is None else list(items.items())
        return [(str(i), m) for i, m in enumerate(args)]

    def call_builtin(self, name: str, args: list[Any] | None, kwargs: dict[str, Any] | None) -> Any:
        if args is None or kwargs is None:
            return self.forget(args, kwargs)
        try:
            return _builtin(self, name, args, kwargs)
        except (TypeError, ValueError, ArithmeticError, IndexError, KeyError):
            return UNKNOWN

    def call_func(
        self,
        fn: FuncVal,
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
        call: ast.Call | None = None,
    ) -> Any:
        node = fn.node
        if self.depth >= MAX_DEPTH or node in self.active:
            return self.forget(args, kwargs)
        if isinstance(node, ast.FunctionDef) and node.name in _FACTORIES:
            handled, result = self._factory(fn, args, kwargs)
            if handled:
                return result
        chain = self.chain
        self.calls += 1
        link = Link(call, self.src, node, 0 if fn.bound is None else 1, self.calls)
        self.chain = (*chain, link)
        try:
            return self._call_func(fn, args, kwargs)
        finally:
            self.chain = chain

    def _factory(
        self, fn: FuncVal, args: list[Any] | None, kwargs: dict[str, Any] | None
    ) -> tuple[bool, Any]:
        """Library factories whose contract is simple but whose code is not worth following
        (pretrained configs, hub downloads): timm's ``build_model_with_cfg(model_cls,
        variant, pretrained, **kwargs)`` builds ``model_cls(**kwargs)``."""
        assert isinstance(fn.node, ast.FunctionDef)
        src = fn.globals.get(_CTX)
        path = str(getattr(src, "path", "")).replace("\\", "/")
        if not path.endswith(_FACTORIES[fn.node.name]):
            return False, None
        frame = Frame({}, fn.globals, None)
        self._bind(fn.node.args, frame, None, args, kwargs)
        cls, rest = frame.locals.get("model_cls"), frame.locals.get("kwargs")
        cfg = frame.locals.get("model_cfg")
        if not isinstance(rest, DictVal) or rest.items is None or cls is UNKNOWN:
            return True, self.forget(args, kwargs)
        given = {k: v for k, v in rest.items.items() if k not in _BUILDER_ONLY}
        if given.get("features_only") not in (None, False):
            return True, UNKNOWN  # a feature extractor wraps the model: not followed
        given.pop("features_only", None)
        if cfg is not None:
            given["cfg"] = cfg
        return True, self.call(cls, [], given, None)  # type: ignore[arg-type]

    def _call_func(self, fn: FuncVal, args: list[Any] | None, kwargs: dict[str, Any] | None) -> Any:
        node = fn.node
        if isinstance(node, ast.Lambda):
            src = self.src
            self.src = fn.globals.get(_CTX, src)
            frame = Frame({}, fn.globals, fn.owner)
            self._bind(node.args, frame, fn.bound, args, kwargs)
            if self.edit is not None:
                self.edit.bind(self, frame)
            self.depth += 1
            try:
                return self.eval(node.body, frame)
            finally:
                self.depth -= 1
                self.src = src
        if isinstance(node, ast.AsyncFunctionDef):
            return self.forget(args, kwargs)
        src = self.src
        self.src = fn.globals.get(_CTX, src)
        frame = Frame({}, fn.globals, fn.owner)
        self._bind(node.args, frame, fn.bound, args, kwargs)
        if self.edit is not None:
            self.edit.bind(self, frame)
        self.depth += 1
        self.active.append(node)
        self.executed.add(node)
        try:
            self.exec_block(node.body, frame)
        except _Return as ret:
            return ret.value
        except (_Stop, _Break, _Continue):
            return UNKNOWN
        finally:
            self.depth -= 1
            self.active.pop()
            self.src = src
        return None

    def _bind(
        self,
        spec: ast.arguments,
        frame: Frame,
        bound: Any,
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
    ) -> None:
        params = spec.posonlyargs + spec.args
        positional = ([bound] if bound is not None else []) + list(args or [])
        known = args is not None and kwargs is not None
        remaining = dict(kwargs or {})
        defaults: list[ast.expr | None] = [None] * (len(params) - len(spec.defaults))
        defaults += spec.defaults
        module = Frame(frame.globals, frame.globals, None)
        for i, (param, default) in enumerate(zip(params, defaults, strict=True)):
            if i < len(positional) and (known or (i == 0 and bound is not None)):
                value = positional[i]
            elif not known:
                value = UNKNOWN
            elif param.arg in remaining:
                value = remaining.pop(param.arg)
            elif default is not None:
                value = (
                    default.value if type(default) is ast.Constant else self.eval(default, module)
                )
            else:
                value = UNKNOWN
            frame.locals[param.arg] = value
        if spec.vararg is not None:
            extra = positional[len(params) :]
            frame.locals[spec.vararg.arg] = tuple(extra) if known else UNKNOWN
        for param, kw_default in zip(spec.kwonlyargs, spec.kw_defaults, strict=True):
            if known and param.arg in remaining:
                value = remaining.pop(param.arg)
            elif known and kw_default is not None:
                value = self.eval(kw_default, module)
            else:
                value = UNKNOWN
            frame.locals[param.arg] = value
        if spec.kwarg is not None:
            frame.locals[spec.kwarg.arg] = DictVal(remaining if known else None)

    def instantiate(
        self,
        cls: ClassInfo,
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
        node: Any,
        built_at: ast.Call | None = None,
    ) -> Any:
        """``cls(*args, **kwargs)``; ``node``: the call when its arguments are these,
        ``built_at``: the call written in the source (a ``partial``'s too)."""
        if cls.kind == "other":
            return self._object(cls, args, kwargs)
        if cls.kind not in _MODULE_KINDS:
            return self.forget(args, kwargs)
        if cls.torch_base:
            init, _ = cls.lookup("__init__")
            forward, _ = cls.lookup("forward")
            if not isinstance(init, FuncVal) and not isinstance(forward, FuncVal):
                return self.call_ref(cls.torch_base, args, kwargs, node)  # the layer itself
        self.counts[id(cls)] = self.counts.get(id(cls), 0) + 1
        key = _construct_key(cls, node, args, kwargs, self.epoch) if self.tracer is None else None
        built = self.built.get(key) if key is not None else None
        if built is not None:
            # the same class built at the same call with the same arguments: the same module
            inst = Instance(None, cls)
            inst.attrs = dict(built.attrs)
            inst.children = None if built.children is None else list(built.children)
            inst.opaque = built.opaque
            self.modules.append(inst)
            return inst
        inst = Instance(None, cls)
        init, owner = cls.lookup("__init__")
        if isinstance(init, FuncVal) and owner is not None:
            bound = FuncVal(init.node, init.globals, init.owner, inst, init.decorators)
            self.call_func(bound, args, kwargs, node if isinstance(node, ast.Call) else None)
        elif cls.torch_base and isinstance(built_at or node, ast.Call):
            # a torch layer's subclass that keeps its __init__ (LayerNorm2d): the layer
            at = built_at or node
            self._super_method(SuperVal(inst, cls), "__init__", args, kwargs, at)
        elif cls.kind == "sequential":
            children = self._seq_children(args, kwargs)
            inst.children = children
        if key is not None:
            self.built[key] = inst
        self.modules.append(inst)
        return inst

    def _object(self, cls: ClassInfo, args: list[Any] | None, kwargs: dict[str, Any] | None) -> Any:
        """An instance of a plain class, made by the first ``__init__`` along its MRO: one
        the source writes, or a dataclass's (its fields bound to the arguments)."""
        obj = ObjVal(cls)
        return obj if self._init_object(obj, args, kwargs, None) else UNKNOWN

    def _init_object(
        self,
        obj: ObjVal,
        args: list[Any] | None,
        kwargs: dict[str, Any] | None,
        after: ClassInfo | None,
    ) -> bool:
        """Run the ``__init__`` of ``obj``'s class after ``after`` in its MRO (``super()``);
        False when the arguments cannot be bound."""
        chain = obj.cls.mro
        if after is not None and after in chain:
            chain = chain[chain.index(after) + 1 :]
        for c in chain:
            init = c.attrs.get("__init__")
            if isinstance(init, FuncVal):
                self.call_func(FuncVal(init.node, init.globals, init.owner, obj), args, kwargs)
                return True
            if c.dataclass:
                return self._dataclass_init(obj, c, args, kwargs)
        if args or kwargs:
            self.forget(args, kwargs)
            return False
        return True

    def _dataclass_init(
        self, obj: ObjVal, cls: ClassInfo, args: list[Any] | None, kwargs: dict[str, Any] | None
    ) -> bool:
        fields: list[str] = []
        for c in reversed(cls.mro):
            for st in c.node.body:
                if not isinstance(st, ast.AnnAssign) or _classvar(st.annotation):
                    continue
                if isinstance(st.target, ast.Name) and st.target.id not in fields:
                    fields.append(st.target.id)
        if args is None or kwargs is None or len(args) > len(fields):
            self.forget(args, kwargs)
            return False
        given = dict(zip(fields, args, strict=False))
        for name in fields:
            if name in kwargs:
                given[name] = kwargs[name]
            elif name not in given:
                default, _owner = cls.lookup(name)
                given[name] = default
        obj.attrs.update(given)
        post, owner = cls.lookup("__post_init__")
        if isinstance(post, FuncVal) and owner is not None:
            self.call_func(FuncVal(post.node, post.globals, post.owner, obj), [], {})
        return True

    # -- forward ---------------------------------------------------------------------

    def apply(self, module: Any, args: list[Any] | None, kwargs: dict[str, Any] | None) -> Any:
        """``module(*args, **kwargs)``: the forward pass on abstract tensors."""
        if not isinstance(module, ModuleVal):
            return self.forget(args, kwargs)
        module.applied = True
        if isinstance(module, LayerVal):
            before, waiting = len(self.ctx.findings), len(self.pending)
            out = rules.apply_layer(self, module, args, kwargs)
            quiet = len(self.ctx.findings) == before and len(self.pending) == waiting
            if module.chain and out is not UNKNOWN and quiet:
                self._fitted(module)
            if self.tracer is not None:
                self.tracer.layer(self, module, args, out, before)
            return out
        if isinstance(module, SeqVal):
            if module.children is None:
                return UNKNOWN
            return self._chain(module.children, args, kwargs)
        if isinstance(module, EitherVal):
            return self._either(module, args, kwargs)
        if isinstance(module, Instance):
            forward, owner = module.cls.lookup("forward")
            if isinstance(forward, FuncVal) and owner is not None:
                repeated = self.counts.get(id(module.cls), 0) > 1 and self.tracer is None
                key = _forward_key(forward, module, args, kwargs, self.epoch) if repeated else None
                if key is not None and key in self.forwards:
                    _mark_applied(module)  # the same module on the same input: done before
                    return _reused(self.forwards[key], args)
                bound = FuncVal(forward.node, forward.globals, forward.owner, module)
                before = len(self.ctx.findings)
                result = self.call_func(bound, args, kwargs)
                if key is not None:
                    self.forwards[key] = result
                if self.tracer is not None:
                    self.tracer.module(self, module, args, result, before)
                return result
            layer = module.attrs.get(_LAYER)
            if isinstance(layer, LayerVal) and module.cls.torch_base:
                return self.apply(layer, args, kwargs)  # a torch layer's subclass
            sequential = module.cls.kind == "sequential"
            if sequential and module.children is not None and not module.opaque:
                return self._chain(module.children, args, kwargs)
        return UNKNOWN

    def _either(
        self, module: EitherVal, args: list[Any] | None, kwargs: dict[str, Any] | None
    ) -> Any:
        """Each option applied without its findings (the source does not say which one
        runs): their output when they agree, else unknown."""
        outs = []
        for option in module.options:
            found, pending, failed = dict(self.ctx.findings), dict(self.pending), len(self.failures)
            out = self.apply(option, list(args) if args is not None else None, kwargs)
            self.ctx.findings, self.pending = found, pending
            del self.failures[failed:]
            outs.append(out)
        first = outs[0]
        same = all(
            isinstance(o, Tensor)
            and isinstance(first, Tensor)
            and (o.dims, o.exact) == (first.dims, first.exact)
            for o in outs
        )
        if not same:
            return UNKNOWN
        sizes = {o.probe.sizes if o.probe is not None else None for o in outs}
        return first if len(sizes) == 1 else replace(first, probe=None)

    def _chain(
        self, children: list[tuple[Any, Any]], args: list[Any] | None, kwargs: dict[str, Any] | None
    ) -> Any:
        if args is None or len(args) != 1 or kwargs:
            for _, child in children:
                if isinstance(child, ModuleVal):
                    self.apply(child, [Tensor.unknown()], {})
            return UNKNOWN
        x = args[0]
        for _, child in children:
            x = self.apply(child, [x], {}) if isinstance(child, ModuleVal) else UNKNOWN
        return x

    def _module_level_model(self, name: str, value: ModuleVal, stmt: ast.stmt) -> None:
        shape = self.ctx.declared_input(name, [stmt.lineno])
        if shape is not None:
            self.apply(value, [Tensor(shape, True, "the declared input")], {})


_NOT_JOINED: Final = (
    ast.Return,
    ast.Break,
    ast.Continue,
    ast.FunctionDef,
    ast.ClassDef,
    ast.Global,
    ast.Nonlocal,
    ast.Yield,
    ast.YieldFrom,
    ast.Await,
    ast.Lambda,
)


_BINDS_ONLY: dict[int, tuple[ast.If, bool]] = {}


def _binds_only(s: ast.If) -> bool:
    """Whether an ``if`` statement's branches change nothing but local names (no
    attribute or item stores, no mutating method, no return or jump, no nested def);
    found once per statement."""
    cached = _BINDS_ONLY.get(id(s))
    if cached is not None and cached[0] is s:
        return cached[1]
    answer = all(
        not any(isinstance(node, _NOT_JOINED) for node in ast.walk(stmt))
        and all(kind == "name" for kind, _node in _changes(stmt))
        for stmt in s.body + s.orelse
    )
    if len(_BINDS_ONLY) > 50_000:
        _BINDS_ONLY.clear()
    _BINDS_ONLY[id(s)] = (s, answer)
    return answer


def _as_tensor(value: Any) -> Any:
    """A tensor of known numbers as a tensor of its shape, beside a tensor."""
    if isinstance(value, Numbers):
        return Tensor((len(value.values),), True, "torch.tensor(...)")
    return value


def _lacks(obj: Any, attr: str) -> bool:
    """Whether ``obj``, an instance of module classes all read from source (on torch's
    plain module bases), certainly has no attribute ``attr``: its code set none, its
    classes define none, and torch's bases have none (``getattr(b, "_is_cn", False)``)."""
    if not isinstance(obj, Instance) or obj.opaque or attr in obj.attrs:
        return False
    if attr.startswith("__") or attr in _TORCH_MODULE_ATTRS:
        return False
    for cls in obj.cls.mro:
        if cls.kind not in _MODULE_KINDS or cls.torch_base or attr in cls.attrs:
            return False
        for base in cls.bases:
            if not isinstance(base, ClassInfo) and not (
                isinstance(base, Ref) and base.name in _MODULE_BASES
            ):
                return False
    return True


def _merged(values: list[Any]) -> Any:
    """What a name holds after branches that gave it ``values``: the value they agree on;
    for tensors of one rank, the sizes they agree on (the others unknown); else UNKNOWN."""
    first = values[0]
    if first is _MISSING:
        return UNKNOWN
    if all(v is first for v in values):
        return first
    if all(_is_plain(v) and type(v) is type(first) and v == first for v in values):
        return first
    tensors = [v for v in values if isinstance(v, Tensor)]
    alike = len({(len(t.dims), t.exact) for t in tensors}) == 1
    if len(tensors) == len(values) and isinstance(first, Tensor) and alike:
        dims = tuple(
            column[0] if len(set(column)) == 1 else None
            for column in zip(*(t.dims for t in tensors), strict=True)
        )
        return Tensor(dims, first.exact, first.origin)
    return UNKNOWN


def _simple_call(node: ast.expr) -> bool:
    """A call with plain arguments (``DropPath(p)``, ``nn.Identity()``): evaluating it
    changes nothing but what it builds."""
    if not isinstance(node, ast.Call):
        return False
    parts = [*node.args, *(kw.value for kw in node.keywords)]
    return all(isinstance(p, (ast.Name, ast.Constant, ast.Attribute)) for p in parts)


def _scope(frame: Frame) -> dict[str, Any]:
    """What a function defined in ``frame`` sees as its globals: the module's, and the
    enclosing function's locals when it is a closure (a class body is no scope for it)."""
    inner = frame.locals is not frame.globals
    if inner and not (frame.owner is not None and frame.locals is frame.owner.attrs):
        return ChainMap(frame.locals, frame.globals)  # type: ignore[return-value]
    return frame.globals


def _short(path: str) -> str:
    return path.replace("\\", "/").rpartition("/")[2]


def _argument(
    call: ast.Call, positional: list[str], keywords: Iterable[str], name: str
) -> ast.expr | None:
    """The expression ``call`` passes for parameter ``name`` (None: a default, or behind
    ``*args`` / ``**kwargs``)."""
    if name in positional:
        index = positional.index(name)
        before = call.args[: index + 1]
        if any(isinstance(a, ast.Starred) for a in before):
            return None
        if index < len(call.args):
            return call.args[index]
    elif name not in keywords:
        return None
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


_USES: dict[int, tuple[ast.AST, dict[str, int], set[str]]] = {}


def _uses(fn: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda, name: str) -> int:
    """How many times ``fn`` uses its parameter ``name`` unchanged (0: not a parameter, or
    reassigned). Keeping it as an attribute (``self.inplanes = inplanes``) is no use, nor
    is an ``except`` handler's (a fallback for the body's use: timm's ``BatchNormAct2d``
    calls ``super().__init__(num_features, ...)`` in both)."""
    cached = _USES.get(id(fn))
    if cached is None or cached[0] is not fn:
        loads: dict[str, int] = {}
        stores: set[str] = set()
        body = fn.body if isinstance(fn.body, list) else [fn.body]
        kept: set[int] = set()  # loads that are no use: kept as attributes, in a handler
        for stmt in body:
            for node in ast.walk(stmt):
                if isinstance(node, ast.ExceptHandler):  # runs instead of its try's body
                    kept |= {id(n) for n in ast.walk(node) if isinstance(n, ast.Name)}
                if (
                    isinstance(node, ast.Assign)
                    and isinstance(node.value, ast.Name)
                    and all(isinstance(t, ast.Attribute) for t in node.targets)
                ):
                    kept.add(id(node.value))
                elif isinstance(node, ast.Name) and id(node) not in kept:
                    if isinstance(node.ctx, ast.Load):
                        loads[node.id] = loads.get(node.id, 0) + 1
                    else:
                        stores.add(node.id)
        if len(_USES) > 10_000:
            _USES.clear()
        cached = _USES[id(fn)] = (fn, loads, stores)
    spec = fn.args
    params = {a.arg for a in spec.posonlyargs + spec.args + spec.kwonlyargs}
    params |= {a.arg for a in (spec.vararg, spec.kwarg) if a is not None}
    if name not in params or name in cached[2]:
        return 0
    return cached[1].get(name, 0)


def _given(link: Link, name: str) -> ast.expr | None:
    """The argument ``link``'s call passes for the parameter ``name`` of its function."""
    if link.call is None:
        return None
    spec = link.func.args
    positional = [a.arg for a in spec.posonlyargs + spec.args][link.offset :]
    return _argument(link.call, positional, [a.arg for a in spec.kwonlyargs], name)


def _left_at_default(layer: LayerVal, names: tuple[str, ...]) -> tuple[Link, str] | None:
    """The call of the model's code that left the parameter giving ``layer``'s argument
    ``names[0]`` at its default (``conv1x1(a, b)``, whose ``stride=1`` reaches the layer),
    and the parameter: None when the value is written somewhere."""
    call = layer.call
    if not isinstance(call, ast.Call) or not names:
        return None
    climbed = _climb_argument(layer, call, names[0])
    if climbed is None:
        return None
    expr, file, _moved, stop = climbed
    if stop is not None or not isinstance(expr, ast.Name):
        return None
    for link in reversed(layer.chain):
        func = link.func
        inside = func.lineno <= expr.lineno <= (func.end_lineno or func.lineno)
        if link.call is None or link.file is not file or not inside:
            continue
        spec = func.args
        positional = spec.posonlyargs + spec.args
        defaulted = {a.arg for a in positional[len(positional) - len(spec.defaults) :]}
        kw_only = zip(spec.kwonlyargs, spec.kw_defaults, strict=True)
        defaulted |= {a.arg for a, d in kw_only if d is not None}
        starred = any(isinstance(a, ast.Starred) for a in link.call.args)
        spread = any(kw.arg is None for kw in link.call.keywords)
        passed = starred or spread or _given(link, expr.id) is not None
        if expr.id in defaulted and not passed and _uses(func, expr.id) >= 1:
            return link, expr.id
        return None
    return None


def _climb_argument(
    layer: LayerVal, call: ast.Call, name: str
) -> tuple[ast.expr, Any, bool, tuple[int, int] | None] | None:
    """:func:`_climb` from the argument ``name`` of the call that built ``layer``; through
    a ``**kwargs`` the function building it only passes on (``BasicConv2d``'s
    ``nn.Conv2d(in_channels, out_channels, bias=False, **kwargs)``), from the keyword its
    caller wrote. None when no argument gives it."""
    chain = layer.chain
    expr = _argument(call, rules.parameter_names(layer.name), (), name)
    if expr is not None:
        return _climb(expr, layer._ctx, chain, len(chain) - 1)
    spread = [kw.value for kw in call.keywords if kw.arg is None]
    if not chain or len(spread) != 1 or not isinstance(spread[0], ast.Name):
        return None
    link = chain[-1]
    func, kwarg = link.func, link.func.args.kwarg
    inside = func.lineno <= call.lineno <= (func.end_lineno or func.lineno)
    if link.call is None or kwarg is None or kwarg.arg != spread[0].id or not inside:
        return None
    if _uses(func, kwarg.arg) != 1:
        return None  # read or changed on the way (kwargs.pop(...)): not only passed on
    given = next((kw.value for kw in link.call.keywords if kw.arg == name), None)
    if given is None:
        return None
    expr, file, _moved, stop = _climb(given, link.file, chain, len(chain) - 2)
    return expr, file, True, stop


def _climb(
    expr: ast.expr, file: Any, chain: tuple[Link, ...], index: int, home: str = ""
) -> tuple[ast.expr, Any, bool, tuple[int, int] | None]:
    """Follow ``expr`` out of the functions that only pass it on, from ``chain[index]``
    outwards: (the expression reached, its file, whether it moved, and where it stopped
    on a parameter used several times: (index in the chain, uses)). With ``home`` (the
    linted file), a parameter used several times in another file is followed out too:
    the place is in the linted file."""
    moved = False
    while index >= 0 and isinstance(expr, ast.Name):
        link = chain[index]
        if link.call is None:
            break
        uses = _uses(link.func, expr.id)
        away = bool(home) and getattr(file, "path", home) != home
        if uses > 1 and not away:
            return expr, file, moved, (index, uses)
        up = _given(link, expr.id) if uses == 1 or (uses > 1 and away) else None
        if up is None:
            break
        expr, file, moved = up, link.file, True
        index -= 1
    return expr, file, moved, None


@dataclass(frozen=True)
class Level:
    """A place that decides a layer's argument: ``expr`` in ``file``; changed in a rerun
    by an edit of ``kind`` "layer" (the layer built ``serial``-th, its argument ``name``)
    or "call" (the call of the model's code made ``serial``-th, its parameter ``name``)."""

    expr: ast.expr
    file: Any
    kind: str
    serial: int
    name: str


def levels(
    layer: LayerVal, name: str, seen: Mapping[int, Mapping[str, object]] | None = None
) -> list[Level]:
    """The places, innermost first, where the value of ``layer``'s argument ``name`` could
    be changed: its own call's argument, then each call further out that passed it on.
    A function that only passes its parameter on adds no place of its own (the call that
    gave it is the same edit); one that uses it several times does (an edit inside it
    changes one use, one outside all). Where the value stops being a parameter passed
    on (``inc = in_channels if i == 0 else out_channels``), and ``seen`` holds the values
    each call of the model's code bound (by ``Link.serial``), the parameters of the calls
    further out that were given the same value are places too (at most four)."""
    call = layer.call
    params = layer.params
    if not isinstance(call, ast.Call) or params is None:
        return []
    expr = _argument(call, rules.parameter_names(layer.name), (), name)
    if expr is None:
        return []
    found: list[Level] = []
    here = Level(expr, layer._ctx, "layer", layer.serial, name)
    chain = layer.chain
    index = len(chain) - 1
    while index >= 0 and isinstance(expr, ast.Name) and len(found) < 8:
        link = chain[index]
        uses = _uses(link.func, expr.id) if link.call is not None else 0
        up = _given(link, expr.id) if uses else None
        if up is None:
            break
        if uses > 1:
            found.append(here)
        here = Level(up, link.file, "call", link.serial, expr.id)
        expr = up
        index -= 1
    found.append(here)
    value = params.get(name)
    if seen is None or type(value) is not int:
        return found
    extra = 0
    taken = {(level.serial, level.name) for level in found if level.kind == "call"}
    for link in reversed(chain[: index + 1]):
        bound = seen.get(link.serial, {})
        spec = link.func.args
        for param in spec.posonlyargs + spec.args + spec.kwonlyargs:
            given = bound.get(param.arg)
            if type(given) is not int or given != value or extra >= 4:
                continue
            up = _given(link, param.arg) if (link.serial, param.arg) not in taken else None
            if up is not None:
                found.append(Level(up, link.file, "call", link.serial, param.arg))
                extra += 1
    return found


@dataclass(frozen=True)
class Rerun:
    """A root followed again in a fresh interpreter (see :func:`rerun`): the interpreter,
    whether the model ran to its end (not out of steps), and its new error findings."""

    interp: Interp
    complete: bool
    errors: list[Finding]


def rerun(
    ctx: FileContext, tree: ast.Module, root: Any, edit: Any = None, limit: int = MAX_STEPS
) -> Rerun | None:
    """Interpret the file again in a fresh interpreter with ``edit`` (one changed argument,
    see :mod:`convshape.features.lint.blame`) and follow the root ``root`` of another
    interpreter of the same file alone, without sharing identical modules, in at most
    ``limit`` steps. None when the file or the root cannot be read."""
    fresh = FileContext(ctx.path, ctx.source, ctx.inputs, ctx.directives, rel=ctx.rel)
    interp = Interp(fresh)
    interp.edit = edit
    interp.tracer = _Building()  # every module its own: an edit changes one, as in Python
    try:
        with contextlib.suppress(_Return, _Break, _Continue, _Stop):
            interp.exec_block(tree.body, Frame(interp.globals, interp.globals, None))
    except (_Budget, RecursionError):
        return None
    except Exception:
        if _debug():
            raise
        return None
    same: Any = None
    if isinstance(root, ClassInfo):
        same = next((c for c in interp.classes if c.node is root.node), None)
    else:
        fn = interp.globals.get(root.node.name)
        same = fn if isinstance(fn, FuncVal) and fn.node is root.node else None
    if same is None:
        return None
    before = set(fresh.findings)
    interp.steps, interp.limit = 0, limit
    complete = _run_root(interp, same)
    interp.flush()
    errors = [
        f for key, (_e, f) in fresh.findings.items() if key not in before and f.severity == "error"
    ]
    return Rerun(interp, complete, errors)


def _module_path(root: Any, target: Any) -> str:
    """``layer1.0.conv2``: where ``target`` sits in the model ``root`` ('' unknown)."""
    if root is None or root is target:
        return ""
    seen: set[int] = set()
    stack: list[tuple[Any, str]] = [(root, "")]
    while stack:
        value, path = stack.pop()
        if id(value) in seen or len(seen) > 20_000:
            continue
        seen.add(id(value))
        found: list[tuple[str, Any]] = []
        if isinstance(value, Instance):
            found = [(k, v) for k, v in value.attrs.items() if not k.startswith("\0")]
            if value.children is not None:
                known = {id(v) for _, v in found}
                found += [(str(k), v) for k, v in value.children if id(v) not in known]
        elif isinstance(value, SeqVal) and value.children is not None:
            found = [(str(k), v) for k, v in value.children]
        elif isinstance(value, ModListVal) and value.children is not None:
            found = [(str(i), v) for i, v in enumerate(value.children)]
        elif isinstance(value, ListVal) and value.items is not None and path:
            found = [(str(i), v) for i, v in enumerate(value.items)]
        elif isinstance(value, DictVal) and value.items is not None and path:
            found = [(str(k), v) for k, v in value.items.items()]
        for name, child in found:
            here = f"{path}.{name}" if path else name
            if child is target:
                return here
            if isinstance(child, (ModuleVal, ListVal, DictVal)):
                stack.append((child, here))
    return ""


_NAMESPACES: dict[Path, tuple[object, dict[str, Any]]] = {}
_LOADING: list[Path] = []
# module -> the importers (paths as written) whose namespaces took values from it
_DEPENDENTS: dict[Path, set[str]] = {}


def _forget_namespaces(path: Path, tree: object) -> None:
    """When the module at ``path`` is read with another text than its namespace was
    made from (a file being edited, a seeded bug), that namespace and those of the
    modules that took values from it, transitively, are made again when next used."""
    cached = _NAMESPACES.get(path)
    if cached is not None and cached[0] is tree:
        return
    stack, seen = [path], set()
    while stack:
        here = stack.pop()
        if here in seen:
            continue
        seen.add(here)
        _NAMESPACES.pop(here, None)
        stack += [Path(user) for user in _DEPENDENTS.get(here, ())]


def namespace(path: Path) -> dict[str, Any] | None:
    """The top-level names of the module at ``path``, interpreted once per process (never
    imported). None when it cannot be read, or while it is being read (an import cycle),
    or when the chain of modules being read is too deep."""
    found = imports.parsed(path)
    if found is None:
        return None
    source, tree = found
    cached = _NAMESPACES.get(path)
    if cached is not None and cached[0] is tree:
        return cached[1]
    if path in _LOADING or len(_LOADING) >= imports.MAX_IMPORT_DEPTH:
        return None
    interp = Interp(FileContext(str(path), source))
    names = interp.globals
    _LOADING.append(path)
    try:
        interp.exec_block(tree.body, Frame(names, names, None))
    except (_Return, _Break, _Continue, _Stop, _Budget, RecursionError):
        pass
    except Exception:
        if _debug():
            raise
    finally:
        _LOADING.pop()
    if len(_NAMESPACES) > imports.MAX_CACHED:
        _NAMESPACES.clear()
    _NAMESPACES[path] = (tree, names)
    return names


_REFS: dict[tuple[str, str], Ref] = {}
_CANONICAL: dict[str, str] = {}


def _ref(name: str, attr: str) -> Ref:
    found = _REFS.get((name, attr))
    if found is None:
        if len(_REFS) > 100_000:
            _REFS.clear()
        found = _REFS[(name, attr)] = Ref(f"{name}.{attr}")
    return found


def _canonical(name: str) -> str:
    found = _CANONICAL.get(name)
    if found is None:
        if len(_CANONICAL) > 100_000:
            _CANONICAL.clear()
        found = _CANONICAL[name] = _canonical_name(name)
    return found


def _canonical_name(name: str) -> str:
    """``torch.nn.functional.relu`` -> ``F.relu``, ``torch.nn.Conv2d`` -> ``nn.Conv2d``."""
    for prefix, short in (
        ("torch.nn.functional.", "F."),
        ("torch.nn.modules.", "nn."),
        ("torch.nn.", "nn."),
    ):
        if name.startswith(prefix):
            rest = name[len(prefix) :]
            if short == "nn." and prefix == "torch.nn.modules.":
                rest = rest.rpartition(".")[2]
            return short + rest
    return name


def _as_param(value: Any) -> Param:
    """``nn.Parameter(value)``: its size unknown unless value is a tensor of known size."""
    if isinstance(value, Param):
        return value
    if isinstance(value, Tensor):
        return Param(value.dims, value.exact, "nn.Parameter")
    return Param((), False, "nn.Parameter")


def _shallow_copy(value: Any) -> Any:
    """``copy.copy(value)`` of a config object, a list or a dict; UNKNOWN for the rest."""
    if _is_plain(value):
        return value
    if isinstance(value, ObjVal):
        copied = ObjVal(value.cls)
        copied.attrs = dict(value.attrs)
        return copied
    if isinstance(value, ListVal):
        return ListVal(None if value.items is None else list(value.items))
    if isinstance(value, DictVal):
        return DictVal(None if value.items is None else dict(value.items))
    return UNKNOWN


def _deep_copy(value: Any, depth: int = 0) -> Any:
    """``copy.deepcopy(value)`` of configuration data (plain values, lists, dicts, tuples,
    config objects, classes and functions, which deepcopy keeps); UNKNOWN for the rest."""
    if depth > 16:
        return UNKNOWN
    if _is_plain(value) or isinstance(value, (Ref, ClassInfo, FuncVal, Builtin)):
        return value
    if isinstance(value, tuple):
        copies = tuple(_deep_copy(v, depth + 1) for v in value)
        return UNKNOWN if any(v is UNKNOWN for v in copies) else copies
    if isinstance(value, PartialVal):
        copied = _deep_copy((tuple(value.args or ()), DictVal(value.kwargs)), depth + 1)
        if copied is UNKNOWN or value.args is None or value.kwargs is None:
            return UNKNOWN
        return PartialVal(value.func, list(copied[0]), copied[1].items)
    if isinstance(value, ListVal) and value.items is not None:
        items = [_deep_copy(v, depth + 1) for v in value.items]
        return ListVal(None if any(v is UNKNOWN for v in items) else items)
    if isinstance(value, DictVal) and value.items is not None:
        entries = {k: _deep_copy(v, depth + 1) for k, v in value.items.items()}
        return DictVal(None if any(v is UNKNOWN for v in entries.values()) else entries)
    if isinstance(value, ObjVal):
        attrs = {k: _deep_copy(v, depth + 1) for k, v in value.attrs.items()}
        if any(v is UNKNOWN for v in attrs.values()):
            return UNKNOWN
        copied = ObjVal(value.cls)
        copied.attrs = attrs
        return copied
    return UNKNOWN


def _tensors(interp: Interp, args: list[Any] | None, kwargs: dict[str, Any] | None) -> list[Any]:
    """The tensors a function is given, those in a list or tuple (``torch.cat``) too."""
    found: list[Any] = []
    for value in [*(args or ()), *(kwargs or {}).values()]:
        if isinstance(value, Tensor):
            found.append(value)
        elif isinstance(value, (ListVal, tuple)):
            found += [v for v in interp.iterate(value) or () if isinstance(v, Tensor)]
    return found


def _math(name: str, args: list[Any]) -> Any:
    import math

    if not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in args):
        return UNKNOWN
    try:
        if name in ("ceil", "floor") and len(args) == 1:
            return math.ceil(args[0]) if name == "ceil" else math.floor(args[0])
        if name == "prod":
            return math.prod(args)
        if name == "gcd":
            return math.gcd(*[int(a) for a in args])
        if name == "sqrt" and len(args) == 1:
            return math.sqrt(args[0])
        if name == "log" and len(args) in (1, 2):
            return math.log(*args)
    except (ValueError, OverflowError, TypeError, ZeroDivisionError):
        return UNKNOWN
    return UNKNOWN


def _numbers(values: list[Any]) -> bool:
    return all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)


_PY_TYPES: Final[Mapping[str, type | tuple[type, ...]]] = {
    "int": int,
    "float": float,
    "str": str,
    "bool": bool,
    "tuple": tuple,
    "list": list,
    "dict": dict,
}
_SEQUENCES: Final = ("typing.Sequence", "collections.abc.Sequence", "typing.List")
_ITERABLES: Final = ("typing.Iterable", "collections.abc.Iterable")
_CALLABLES: Final = (Ref, ClassInfo, FuncVal, PartialVal, Builtin)


def _isinstance(value: Any, kind: Any) -> bool | None:
    """``isinstance(value, kind)`` when the source fixes it, else None."""
    if value is UNKNOWN:
        return None
    if isinstance(kind, Builtin) and kind.name in _PY_TYPES:
        if isinstance(value, ListVal):
            return kind.name == "list"
        if isinstance(value, DictVal):
            return kind.name == "dict"
        if _is_plain(value) and not isinstance(value, range):
            return isinstance(value, _PY_TYPES[kind.name])
        if isinstance(value, (*_CALLABLES, ModuleVal, ObjVal, Tensor)):
            return False
        return None
    if isinstance(kind, Ref):
        if kind.name in _SEQUENCES or kind.name in _ITERABLES:
            if isinstance(value, (ListVal, tuple)) or (
                isinstance(value, (str, DictVal)) and kind.name in _ITERABLES
            ):
                return True
            plain = isinstance(value, (int, float, bool, type(None)))
            return False if plain or isinstance(value, _CALLABLES) else None
        if kind.name == "types.FunctionType":
            if isinstance(value, FuncVal):
                return value.bound is None  # a bound method is a MethodType
            return False if isinstance(value, (Ref, ClassInfo, PartialVal, Builtin)) else None
        if kind.name == "functools.partial":
            return isinstance(value, PartialVal) or (
                False if isinstance(value, _CALLABLES) or _is_plain(value) else None
            )
        if kind.name == "torch.Tensor":
            if isinstance(value, Tensor):
                return True
            lists = isinstance(value, (ListVal, DictVal, ModuleVal))
            return False if lists or _is_plain(value) else None
        return None
    if isinstance(kind, ClassInfo) and isinstance(value, (Instance, ObjVal)):
        if kind in value.cls.mro:
            return True
        complete = all(isinstance(c, ClassInfo) for k in value.cls.mro for c in k.bases)
        return False if complete and value.cls.kind != "foreign" else None
    if isinstance(kind, ClassInfo) and (_is_plain(value) or isinstance(value, (ListVal, DictVal))):
        return False
    return None


def _builtin(interp: Interp, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    if name == "range" and not kwargs and 1 <= len(args) <= 3:
        if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return range(*args)
        return UNKNOWN
    if name == "len" and len(args) == 1:
        items = interp.iterate(args[0])
        if isinstance(args[0], range):
            return len(args[0])
        if isinstance(args[0], SetVal) and args[0].items is not None:
            known = args[0].items
            return len(set(known)) if all(_is_plain(i) for i in known) else UNKNOWN
        return UNKNOWN if items is None else len(items)
    if name == "set" and len(args) <= 1 and not kwargs:
        items = interp.iterate(args[0]) if args else []
        if items is None or not all(_is_plain(i) for i in items):
            return SetVal(None)
        return SetVal(tuple(dict.fromkeys(items)))
    if name in ("list", "tuple", "reversed", "sorted") and len(args) <= 1:
        items = interp.iterate(args[0]) if args else []
        if items is None or (kwargs and name != "sorted"):
            return ListVal(None) if name != "tuple" else UNKNOWN
        if name == "reversed":
            items = items[::-1]
        if name == "sorted":
            if kwargs or not all(_is_plain(i) for i in items):
                return ListVal(None)
            items = sorted(items)
        return tuple(items) if name == "tuple" else ListVal(items)
    if name in ("int", "float", "bool", "abs", "round") and len(args) == 1 and not kwargs:
        value = args[0]
        if not _is_plain(value) or isinstance(value, (tuple, range)):
            return UNKNOWN
        fns: dict[str, Callable[[Any], Any]] = {
            "int": int,
            "float": float,
            "bool": bool,
            "abs": abs,
            "round": round,
        }
        return fns[name](value)
    if name in ("min", "max", "sum") and args and not kwargs:
        values = args if len(args) > 1 else interp.iterate(args[0])
        if values is None or not values or not _numbers(values):
            return UNKNOWN
        return min(values) if name == "min" else max(values) if name == "max" else sum(values)
    if name in ("any", "all") and len(args) == 1:
        values = interp.iterate(args[0])
        if values is None:
            return UNKNOWN
        truths = [interp.truth(v) for v in values]
        if None in truths:
            return UNKNOWN
        return any(truths) if name == "any" else all(truths)
    if name == "divmod" and len(args) == 2 and _numbers(args):
        return divmod(args[0], args[1])
    if name in ("zip", "enumerate"):
        if name == "enumerate":
            start = kwargs.get("start", args[1] if len(args) > 1 else 0)
            items = interp.iterate(args[0]) if args else None
            if items is None or not isinstance(start, int):
                return ListVal(None)
            return ListVal([(start + i, v) for i, v in enumerate(items)])
        columns = [interp.iterate(a) for a in args]
        if kwargs or any(c is None for c in columns):
            return ListVal(None)
        return ListVal([tuple(row) for row in zip(*[c or [] for c in columns], strict=False)])
    if name == "getattr" and len(args) in (2, 3) and isinstance(args[1], str):
        if len(args) == 3 and _lacks(args[0], args[1]):
            return args[2]  # getattr(block, "_is_cn", False) on a block that sets none
        value = interp.getattr(args[0], args[1])
        return value
    if name == "setattr" and len(args) == 3:
        obj, attr, value = args
        interp.epoch += 1
        if isinstance(obj, Instance):
            if isinstance(attr, str):
                obj.attrs[attr] = value
                if isinstance(value, ModuleVal) and obj.children is not None:
                    obj.children.append((attr, value))
            else:
                obj.opaque = True
        return None
    if name == "isinstance" and len(args) == 2 and not kwargs:
        kinds = args[1] if isinstance(args[1], tuple) else (args[1],)
        answers = [_isinstance(args[0], kind) for kind in kinds]
        if True in answers:
            return True
        return False if all(a is False for a in answers) else UNKNOWN
    if name == "print":
        return None
    if name == "dir" and len(args) == 1 and not kwargs and isinstance(args[0], Ref):
        if args[0].name in ("torch.nn.functional", "F"):
            return _AtLeast(_FUNCTIONAL)
        return UNKNOWN
    if name == "dict":
        return interp._ordered_dict(args, kwargs)
    return UNKNOWN


# ---------------------------------------------------------------------------------------
# A whole file
# ---------------------------------------------------------------------------------------


def _debug() -> bool:
    return bool(os.environ.get(DEBUG_ENV))


def analyse(ctx: FileContext, tree: ast.Module) -> None:
    """Interpret ``tree`` and record every finding in ``ctx``."""
    interp = Interp(ctx)
    try:
        interp.exec_block(tree.body, Frame(interp.globals, interp.globals, None))
    except (_Return, _Break, _Continue, _Stop):
        pass
    except (_Budget, RecursionError):
        return
    except Exception:  # an interpreter bug must not fail the user's CI run
        if _debug():
            raise
        return
    spent = 0
    ctx.defined = [
        (c.name, c.node.lineno)
        for c in interp.classes
        if c.node in tree.body and (c.kind in _MODULE_KINDS or "forward" in c.attrs)
    ]
    roots = _roots(interp, tree)
    for root, new in _ordered(interp, roots):
        if spent > (FILE_STEPS if not new else FILE_CAP):
            name = root.name if isinstance(root, ClassInfo) else root.node.name
            interp.ctx.followed.append((name, None, "skipped"))
            continue
        interp.limit = min(MAX_STEPS, max(FILE_CAP - spent, FILE_STEPS))
        before, interp.failures = set(ctx.findings), []
        _run_root(interp, root)
        interp.flush()
        spent += interp.steps
        if interp.failures:
            if interp.blame is None:
                from convshape.features.lint.blame import Blame

                interp.blame = Blame(ctx, tree)
            interp.blame.settle(interp, root, before)
    interp.limit = MAX_STEPS
    if ctx.defined and not any(isinstance(r, FuncVal) for r in roots):
        _run_importers(ctx, tree)
    _run_unreached(interp, tree)
    _run_unused(interp)


IMPORTERS_MAX: Final = 4  # files of a folder that import a file of blocks, tried


def _run_importers(ctx: FileContext, tree: ast.Module) -> None:
    """A file of blocks without builders (timm's ``_efficientnet_blocks.py``, whose
    classes take their sizes as arguments): the builders of the files of its folder that
    import it (``efficientnet.py``) are followed, within the file's step budget, until
    one builds a model; what they find in this file is reported here, at its lines."""
    path = imports.on_disk(ctx.path)
    if path is None:
        return
    importers = _importers(path)
    if not importers:
        return
    _forget_namespaces(path, tree)
    home = FileContext(str(path), ctx.source, ctx.inputs, ctx.directives, rel=ctx.rel)
    interp = Interp(home)
    spent = 0
    for other, builders in importers:
        ns = namespace(other)
        if ns is None:
            continue
        start = len(home.followed)
        for node in builders:
            fn = ns.get(node.name)
            if spent > FILE_STEPS or not (isinstance(fn, FuncVal) and fn.node is node):
                break
            interp.limit = FILE_CAP
            _run_root(interp, fn)
            interp.flush()
            spent += interp.steps
        ran = home.followed[start:]
        ctx.followed += [(f"{name} ({other.name})", shape, how) for name, shape, how in ran]
        if spent > FILE_STEPS or any(how in FOLLOWED for _name, _shape, how in ran):
            break
    for key, (exact, finding) in home.findings.items():
        old = ctx.findings.get(key)
        if old is None or (exact and not old[0]):
            ctx.findings[key] = (exact, replace(finding, path=ctx.path))


_IMPORTERS: dict[Path, list[tuple[Path, list[ast.FunctionDef]]]] = {}
_FOLDERS: dict[Path, dict[str, list[Path]]] = {}  # folder -> module stem -> its importers
_RELATIVE: Final = re.compile(r"^[ \t]*from[ \t]+\.+(?:[\w.]*\.)?(\w+)[ \t]+import", re.M)


def _importers(path: Path) -> list[tuple[Path, list[ast.FunctionDef]]]:
    """The files of ``path``'s folder that import it (``from .blocks import``), define
    models (a class with a ``forward``) and public builders, with those builders, in name
    order (at most :data:`IMPORTERS_MAX`). Each folder's files are read once."""
    if path in _IMPORTERS:
        return _IMPORTERS[path]
    folder = path.parent
    index = _FOLDERS.get(folder)
    if index is None:
        index = {}
        try:
            siblings = sorted(folder.glob("*.py"))
        except OSError:
            siblings = []
        for sibling in siblings:
            try:
                text = sibling.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if "forward" not in text:
                continue  # defines no model
            for stem in set(_RELATIVE.findall(text)):
                index.setdefault(stem, []).append(sibling)
        if len(_FOLDERS) > 256:
            _FOLDERS.clear()
        _FOLDERS[folder] = index
    found: list[tuple[Path, list[ast.FunctionDef]]] = []
    for sibling in index.get(path.stem, []):
        if sibling == path or len(found) >= IMPORTERS_MAX:
            continue
        read = imports.parsed(sibling)
        body = read[1].body if read is not None else []
        models = any(
            isinstance(n, ast.ClassDef)
            and any(isinstance(f, ast.FunctionDef) and f.name == "forward" for f in n.body)
            for n in body
        )
        builders = [n for n in body if isinstance(n, ast.FunctionDef) and _builder(n)]
        if models and builders:
            found.append((sibling, builders))
    if len(_IMPORTERS) > 4096:
        _IMPORTERS.clear()
    _IMPORTERS[path] = found
    return found


def _builder(node: ast.stmt) -> bool:
    """A public module-level function without required parameters that returns
    something (see :func:`_roots`)."""
    if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
        return False
    args = node.args
    required = len(args.posonlyargs + args.args) - len(args.defaults)
    required += sum(1 for d in args.kw_defaults if d is None)
    return required == 0 and any(isinstance(st, ast.Return) and st.value for st in node.body)


class _Building:
    """The tracer while a model is built: it records nothing."""

    def layer(
        self, interp: Interp, module: LayerVal, inputs: list[Any] | None, output: Any, before: int
    ) -> None:
        return None

    def module(
        self, interp: Interp, module: Instance, inputs: list[Any] | None, output: Any, before: int
    ) -> None:
        return None

    def op(
        self, interp: Interp, name: str, inputs: list[Any], output: Any, node: ast.AST, before: int
    ) -> None:
        return None


@dataclass(frozen=True)
class Followed:
    """One model followed by :func:`follow_model`: the module value ``target`` gave, the
    forward's output, how many findings building it made (``ctx.findings``' first
    ``built``), and why it could not be followed (``""`` when it was)."""

    model: Any
    output: Any
    built: int
    reason: str = ""


def follow_model(
    ctx: FileContext,
    tree: ast.Module,
    target: ast.expr,
    shape: tuple[int, ...],
    tracer: Tracer | None = None,
    training: bool | None = None,
) -> Followed:
    """Interpret the file, then build what ``target`` names in it (a class or a function:
    called without arguments; a call expression: called as written, its arguments read
    by the interpreter, never by Python) and run its forward on a tensor of ``shape``;
    ``training``: what ``self.training`` is in every module (None: unknown)."""
    interp = Interp(ctx)
    # while it builds: no caches (every module its own), nothing recorded
    interp.tracer = None if tracer is None else _Building()
    interp.training = training
    frame = Frame(interp.globals, interp.globals, None)
    model: Any = UNKNOWN
    try:
        with contextlib.suppress(_Return, _Break, _Continue, _Stop):
            interp.exec_block(tree.body, frame)
        interp.steps = 0
        model = interp.eval(target, frame)
        if isinstance(model, ClassInfo):
            model = interp.instantiate(model, [], {}, None)
        elif isinstance(model, FuncVal):
            model = interp.call_func(model, [], {})
        built = len(ctx.findings)
        if not isinstance(model, ModuleVal):
            return Followed(model, UNKNOWN, built, "not a module")
        interp.steps = 0
        interp.tracer = tracer
        output = interp.apply(model, [Tensor(shape, True, "the input")], {})
        interp.flush()  # findings that waited on a shared parameter, at their place
    except _Budget:
        return Followed(model, UNKNOWN, len(ctx.findings), "too many steps")
    except RecursionError:
        return Followed(model, UNKNOWN, len(ctx.findings), "nested too deeply")
    except Exception:  # an interpreter bug: the model is not followed, no traceback
        if _debug():
            raise
        return Followed(model, UNKNOWN, len(ctx.findings), "the interpreter stopped")
    return Followed(model, output, built)


def _guarded(interp: Interp, run: Callable[[], object]) -> None:
    interp.steps = 0
    try:
        run()
    except (_Budget, RecursionError):
        return
    except Exception:
        if _debug():
            raise
        return
    finally:
        interp.flush()


_CHANGES: dict[int, tuple[ast.stmt, list[tuple[str, ast.AST]]]] = {}


def _changes(stmt: ast.stmt) -> list[tuple[str, ast.AST]]:
    """What a statement may change, found once per statement: names it binds ("name"),
    attributes and items it stores ("store"), objects whose mutating methods it calls
    ("mutate") and objects it setattr()s ("setattr")."""
    cached = _CHANGES.get(id(stmt))
    if cached is not None and cached[0] is stmt:
        return cached[1]
    found: list[tuple[str, ast.AST]] = []
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            found.append(("name", node))
        elif isinstance(node, (ast.Attribute, ast.Subscript)) and not isinstance(
            node.ctx, ast.Load
        ):
            found.append(("store", node))
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in _MUTATORS:
                found.append(("mutate", func.value))
            elif isinstance(func, ast.Name) and func.id == "setattr" and node.args:
                found.append(("setattr", node.args[0]))
    if len(_CHANGES) > 50_000:
        _CHANGES.clear()
    _CHANGES[id(stmt)] = (stmt, found)
    return found


def _layer_words() -> frozenset[str]:
    global _LAYER_WORDS
    if _LAYER_WORDS is None:
        from convshape.readers.parse import LAYERS, MODULES

        names = {n.rpartition(".")[2] for n in (*LAYERS, *MODULES)}
        _LAYER_WORDS = frozenset(names | {"Sequential", "ModuleList", "ModuleDict"})
    return _LAYER_WORDS


_LAYER_WORDS: frozenset[str] | None = None


def _run_unreached(interp: Interp, tree: ast.Module) -> None:
    """Functions and methods nothing reached that build layers, run once with unknown
    arguments: what they fix by themselves (literal layer arguments, chains of known
    layers) is still checked."""
    instances: dict[int, Any] = {}
    wanted = _layer_words() | {c.name for c in interp.classes if c.kind != "foreign"}

    def builds(node: ast.AST) -> bool:
        return isinstance(node, ast.FunctionDef) and bool(_words(interp.ctx, node) & wanted)

    def instance(cls: ClassInfo) -> Any:
        if id(cls) not in instances:
            instances[id(cls)] = interp.instantiate(cls, None, None, None)
        return instances[id(cls)]

    for cls in interp.classes:
        if cls.kind not in _MODULE_KINDS:
            continue
        init, _owner = cls.lookup("__init__")
        if isinstance(init, FuncVal) and init.node not in interp.executed and builds(init.node):
            _guarded(interp, lambda cls=cls: instance(cls))  # type: ignore[misc]
        for name, value in list(cls.attrs.items()):
            if not isinstance(value, FuncVal) or value.node in interp.executed:
                continue
            if name in ("__init__", "forward") or not builds(value.node):
                continue  # __init__ ran above; forward runs on the unused modules
            bound = None if "staticmethod" in value.decorators else instance(cls)
            method = FuncVal(value.node, value.globals, value.owner, bound, value.decorators)
            _guarded(interp, lambda m=method: interp.call_func(m, None, None))  # type: ignore[misc]
    for node in tree.body:
        fn = interp.globals.get(node.name) if isinstance(node, ast.FunctionDef) else None
        fresh = isinstance(fn, FuncVal) and fn.node is node and node not in interp.executed
        if fresh and builds(node):
            _guarded(interp, lambda f=fn: interp.call_func(f, None, None))  # type: ignore[misc]


_WORD: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _small_enough(op: ast.operator, left: Any, right: Any) -> bool:
    """Whether folding ``left op right`` makes a value the interpreter keeps: an integer
    of at most :data:`MAX_BITS` bits, a string or tuple of at most :data:`MAX_ITEMS`
    items. Checked before Python computes it, so a squaring chain, a doubling loop or
    ``2 ** 10 ** 10`` costs nothing (the value is unknown instead)."""
    ints = isinstance(left, int) and isinstance(right, int)
    if ints and isinstance(op, ast.Mult):
        return bool(left.bit_length() + right.bit_length() <= MAX_BITS + 1)
    if ints and isinstance(op, ast.Pow):
        return bool(right <= 0 or abs(left) <= 1 or left.bit_length() * right <= MAX_BITS + 64)
    if ints and isinstance(op, ast.LShift):
        return bool(right < 0 or left.bit_length() + right <= MAX_BITS)
    if isinstance(op, ast.Add) and isinstance(left, str | tuple) and isinstance(right, str | tuple):
        return bool(len(left) + len(right) <= MAX_ITEMS)
    if isinstance(op, ast.Mult):
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, str | tuple | bytes):
                return isinstance(n, int) and n * len(seq) <= MAX_ITEMS
    return True


def _text(ctx: FileContext, node: ast.stmt) -> str:
    """A definition's text: a class's body (not its own ``class`` line), a function's
    decorators and body."""
    if ctx._lines is None:
        ctx._lines = ctx.source.splitlines(keepends=True)
    body = node.body[0] if isinstance(node, ast.ClassDef) and node.body else node
    start = (body.lineno if isinstance(node, ast.ClassDef) else node.lineno) - 1
    decorators = getattr(node, "decorator_list", [])
    if decorators and not isinstance(node, ast.ClassDef):
        start = decorators[0].lineno - 1
    return "".join(ctx._lines[start : node.end_lineno or node.lineno])


def _words(ctx: FileContext, node: ast.stmt) -> set[str]:
    """The identifiers written in a definition (a superset of the names it loads)."""
    return set(_WORD.findall(_text(ctx, node)))


def _roots(interp: Interp, tree: ast.Module) -> list[Any]:
    """The models: module classes no other class of the file builds on; public
    module-level functions without required parameters that return something (builders:
    ``def resnet18(*, weights=None, **kwargs)``, decorated or not), and private ones that
    nothing in the file calls. A name counts as used only where code names it: not inside
    a string (``".../resnet18-f37072fd.pth"``) nor as an attribute of something else."""
    classes = [c for c in interp.classes if c.node in tree.body and c.kind != "foreign"]
    functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    names = {c.name for c in classes if c.kind in _MODULE_KINDS}
    names |= {f.name for f in functions}
    if not names:
        return []
    alternatives = "|".join(map(re.escape, sorted(names)))
    mentioned = re.compile(rf"(?<![\w/'\".-])(?:{alternatives})(?![\w'\"-])")
    in_classes: set[str] = set()  # names other classes mention
    in_functions: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            in_classes |= set(mentioned.findall(_text(interp.ctx, node))) - {node.name}
            in_classes |= {b.id for b in node.bases if isinstance(b, ast.Name)}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            in_functions |= set(mentioned.findall(_text(interp.ctx, node))) - {node.name}
    roots: list[Any] = []
    for cls in classes:
        if cls.kind in _MODULE_KINDS and cls.name not in in_classes:
            roots.append(cls)
    for node in functions:
        public = not node.name.startswith("_")
        if not public and (node.name in in_classes or node.name in in_functions):
            continue
        fn = interp.globals.get(node.name)
        args = node.args
        required = len(args.posonlyargs + args.args) - len(args.defaults)
        required += sum(1 for d in args.kw_defaults if d is None)
        returns = any(isinstance(st, ast.Return) and st.value for st in node.body)
        if isinstance(fn, FuncVal) and fn.node is node and required == 0 and returns:
            roots.append(fn)  # a factory: def build(): return Net()
    return roots


FILE_STEPS: Final = 5_000  # steps spent on a file's roots before repeats are skipped
FILE_CAP: Final = 25_000  # steps spent on a file's roots before any more are skipped


def _ordered(interp: Interp, roots: list[Any]) -> list[tuple[Any, bool]]:
    """The roots, those that name something of the file no earlier root named first (a
    builder of another block type, another config class), or a public builder whose
    string choices (:func:`_choices`) are plainer than every earlier one's (timm's
    ``convnext_atto``, no ``norm_layer='simplenorm'``: the class's default layers): (root,
    new). Once a file's
    roots have taken :data:`FILE_STEPS` (:data:`FILE_CAP` for new ones), the others are
    skipped (and listed as such)."""
    names = {c.name for c in interp.classes} | {
        n for n, v in interp.globals.items() if isinstance(v, FuncVal)
    }
    builders = {getattr(r.node, "name", "") for r in roots if isinstance(r, FuncVal)}
    seen: set[str] = set()
    configs: set[frozenset[str] | None] = set()
    first: list[tuple[Any, bool]] = []
    rest: list[tuple[Any, bool]] = []
    for root in roots:
        if isinstance(root, ClassInfo):
            first.append((root, True))
            continue
        words = _words(interp.ctx, root.node) & names - builders
        public = not root.node.name.startswith("_")
        config = _choices(root.node) if public else None
        plainer = config is not None and not any(c is not None and c <= config for c in configs)
        if words - seen or (words and plainer):
            seen |= words
            if config is not None:
                configs.add(config)
            first.append((root, True))
        else:
            rest.append((root, False))
    return first + rest


def _choices(node: ast.AST) -> frozenset[str]:
    """The layer choices a builder names by string (``norm_layer='rmsnorm2d'``,
    ``stem_type='overlap'``): builders that make other choices build other layers."""
    return frozenset(
        f"{kw.arg}={kw.value.value}"
        for kw in ast.walk(node)
        if isinstance(kw, ast.keyword)
        and isinstance(kw.value, ast.Constant)
        and isinstance(kw.value.value, str)
        and kw.arg is not None
    )


def _run_root(interp: Interp, root: Any) -> bool:
    """Build and follow one root; False when it ran out of steps or stopped."""
    interp.steps = 0
    node = root.node
    if isinstance(root, ClassInfo):
        shape = _class_input(interp, root)
    else:
        lines = [node.lineno] + [d.lineno for d in node.decorator_list]
        shape = interp.ctx.declared_input(node.name, lines)
    x = Tensor(shape, True, "the declared input") if shape is not None else Tensor.unknown()
    name = root.name if isinstance(root, ClassInfo) else node.name
    start = len(interp.modules)
    try:
        if isinstance(root, ClassInfo):
            model = interp.instantiate(root, [], {}, None)
        else:
            model = interp.call_func(root, [], {})
        interp.root = model
        if not isinstance(model, ModuleVal):
            interp.ctx.followed.append((name, None, "builds no model the interpreter can follow"))
            return True
        how = "declared" if shape is not None else ""
        given: tuple[int | None, ...] | None = shape
        if given is None:
            given = _assumed_input(interp.modules[start:])
            if given is not None:
                x, how = Tensor(given, True, "the input", probe.start(2)), "assumed"
        interp.ctx.followed.append((name, given, how or "unknown"))
        if given is not None or isinstance(root, ClassInfo):
            interp.assumed = how == "assumed"
            try:
                interp.apply(model, [x], {})
            finally:
                interp.assumed = False
            sig = _signature(model, epoch=interp.epoch)
            if sig is not None:
                interp.ran.add(sig)
    except (_Budget, RecursionError):
        return False
    except Exception:
        if _debug():
            raise
        return False
    return True


def _assumed_input(built: list[ModuleVal]) -> tuple[int | None, ...] | None:
    """The input assumed for a model built without a declared one: when the first layer
    built is a 2-d convolution and no layer of another dimensionality is built, a batch of
    images (1, C, H, W) with C, H and W unknown: its rank only, so that channels are
    followed through ``torch.cat`` and ``+``; no size is guessed, so nothing that depends
    on the image size is said. Else None (its input stays unknown)."""
    first = True
    for module in built:
        if not isinstance(module, LayerVal):
            continue
        name = module.name
        if first and name != "nn.Conv2d":
            return None
        first = False
        if name[-2:] in ("1d", "3d"):
            return None
    return None if first else (1, None, None, None)


def _class_input(interp: Interp, cls: ClassInfo) -> tuple[int, ...] | None:
    node = cls.node
    lines = [node.lineno] + [d.lineno for d in node.decorator_list]
    return interp.ctx.declared_input(cls.name, lines)


def _signature(value: Any, depth: int = 0, epoch: int | None = None) -> object:
    """What determines a module's forward: the call sites its layers were built at and
    their arguments, recursively; None when something in it is not that simple. With the
    interpreter's ``epoch`` (no module changed since), each module's is worked out once."""
    if epoch is not None and isinstance(value, (SeqVal, ModListVal, Instance)):
        cached = value.sig
        if cached is not None and cached[0] == epoch:
            return cached[1]
        found = _compute_signature(value, depth, epoch)
        value.sig = (epoch, found)
        return found
    return _compute_signature(value, depth, epoch)


def _compute_signature(value: Any, depth: int, epoch: int | None) -> object:
    if depth > 64:
        return None
    if value is None or value is UNKNOWN or isinstance(value, (bool, int, float, str)):
        return (type(value), value)
    if isinstance(value, tuple):
        items = tuple(_signature(v, depth + 1, epoch) for v in value)
        return None if None in items else ("tuple", items)
    if isinstance(value, Ref):
        return ("ref", value.name)
    if isinstance(value, (ClassInfo, FuncVal)):
        return ("id", id(value.node))
    if isinstance(value, LayerVal):
        found = value.cache.get("signature", False)
        if found is False:
            key = value.name if value.params is None else rules.layer_key(value)
            found = value.cache["signature"] = (
                None if key is None else ("layer", value.node_id, key)
            )
        return found
    if isinstance(value, (SeqVal, ModListVal)):
        if value.children is None:
            return None
        children = (
            value.children if isinstance(value, ModListVal) else [c for _, c in value.children]
        )
        items = tuple(_signature(c, depth + 1, epoch) for c in children)
        return None if None in items else ("seq", value.node_id, items)
    if isinstance(value, Instance):
        if value.opaque:
            return None
        attrs = tuple((k, _signature(v, depth + 1, epoch)) for k, v in value.attrs.items())
        if any(sig is None for _, sig in attrs):
            return None
        inner: object = ()
        if value.children is not None:
            inner = _signature(tuple(c for _, c in value.children), depth + 1, epoch)
            if inner is None:
                return None
        return ("instance", id(value.cls), value.node_id, attrs, inner)
    return None


def _construct_key(
    cls: ClassInfo,
    node: Any,
    args: list[Any] | None,
    kwargs: dict[str, Any] | None,
    epoch: int | None = None,
) -> object:
    """Identical constructions: one call site, one class, the same simple arguments (no
    list or dict a constructor could change)."""
    if not isinstance(node, ast.Call) or args is None or kwargs is None:
        return None
    values: list[object] = []
    for value in [*args, *kwargs.values()]:
        sig = _signature(value, epoch=epoch)
        if sig is None:
            return None
        values.append(sig)
    return (id(node), id(cls), tuple(values), tuple(kwargs))


def _forward_key(
    forward: FuncVal,
    module: Instance,
    args: list[Any] | None,
    kwargs: dict[str, Any] | None,
    epoch: int | None = None,
) -> object:
    if args is None or kwargs:
        return None
    inputs: list[object] = []
    for arg in args:
        if isinstance(arg, Tensor):
            sizes = arg.probe.sizes if arg.probe is not None else None
            inputs.append(("tensor", arg.dims, arg.exact, sizes))
        else:
            sig = _signature(arg, epoch=epoch)
            if sig is None:
                return None
            inputs.append(sig)
    sig = _signature(module, epoch=epoch)
    return None if sig is None else (id(forward.node), sig, tuple(inputs))


def _reused(result: Any, args: list[Any] | None) -> Any:
    """A forward's result reused for an identical module on the same input: its sample
    sizes continue this input's trail (see :mod:`.probe`)."""
    x = args[0] if args else None
    if isinstance(result, Tensor) and result.probe is not None and isinstance(x, Tensor):
        if x.probe is None:
            return replace(result, probe=None)
        return replace(result, probe=probe.rejoined(x.probe, result.probe.sizes))
    return result


def _mark_applied(value: Any, depth: int = 0) -> None:
    if not isinstance(value, ModuleVal) or depth > 64:
        return
    value.applied = True
    if isinstance(value, Instance):
        for v in value.attrs.values():
            _mark_applied(v, depth + 1)
    children = getattr(value, "children", None)
    for child in children or ():
        _mark_applied(child[1] if isinstance(child, tuple) else child, depth + 1)


def _run_unused(interp: Interp) -> None:
    """Modules no forward reached: check what is fixed inside them, with an unknown input.
    Outer modules first (built last): running them runs the modules inside them."""
    done = 0
    while done < len(interp.modules):
        batch = interp.modules[done:]
        done = len(interp.modules)
        for module in reversed(batch):
            if module.applied or isinstance(module, LayerVal):
                continue
            sig = _signature(module, epoch=interp.epoch)
            if sig is not None and sig in interp.ran:
                _mark_applied(module)  # an identical module was followed already
                continue
            x = Tensor.unknown()
            if isinstance(module, Instance):
                shape = _class_input(interp, module.cls)
                if shape is not None:  # the input declared on its class fits any instance
                    x = Tensor(shape, True, "the declared input")
            interp.root = module
            before, interp.failures = set(interp.ctx.findings), []
            _guarded(interp, lambda m=module, x=x: interp.apply(m, [x], {}))  # type: ignore[misc]
            if interp.failures and interp.blame is not None:
                interp.blame.settle(interp, None, before)
