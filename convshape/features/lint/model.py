"""Model mode: import the factory the user names, build it on torch's meta device and run
forward with hooks, recording every layer's shapes.

The only part of lint that uses torch (through ``convshape.oracle``, on first use) or
user code: exactly the module of each factory named on the command line or in
``[[tool.convshape.models]]``.
The meta device allocates no memory and computes no values, so even a large model builds
and runs in a fraction of a second. A failure is reported at the failing layer, named by
its module path, class and the file:line where it was built, with torch's message and the
engine's explanation and fix; ops that cannot run on meta (no meta kernel, data-dependent
shapes) are reported as "could not analyse", never as shape errors.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from convshape.core import errors as E
from convshape.core.errors import UsageError
from convshape.features.lint.config import ModelSpec, relative
from convshape.features.lint.values import Finding
from convshape.readers.source import read_text, write_atomic

if TYPE_CHECKING:
    from convshape.features.memory import Memory

__all__ = ["LOCK_SCHEMA", "LayerRow", "ModelReport", "check_lock", "run_model", "write_lock"]

LOCK_SCHEMA: Final = "convshape.lock/1"
Shape = tuple[int, ...]

_STDLIB: Final = os.path.dirname(os.__file__) + os.sep  # not the user's code either

_META_MARKERS: Final = (
    "meta",
    "fake impl",
    "no data!",
    "data-dependent",
    "data dependent",
    "datadependent",
)


@dataclass(frozen=True)
class LayerRow:
    """One module call in forward: its path in ``named_modules()`` ('' for the model),
    class, input and output shapes, and where it was built (``file:line:col``)."""

    path: str
    cls: str
    inputs: tuple[Shape, ...]
    outputs: tuple[Shape, ...]
    location: str
    call: int = 0  # the how-manieth call of this module (shared modules run more than once)
    leaf: bool = True  # a module without children (its outputs are the activations counted)
    # per output: 0 for a floating-point tensor (sized by the chosen dtype), else its
    # element size (int64 indices: 8)
    sizes: tuple[int, ...] = ()

    def output_bytes(self, dtype: str = "float32") -> int:
        """The outputs' ``numel() * element_size()``, floating tensors of ``dtype``."""
        import math

        from convshape.features.memory import element_size

        floating = element_size(dtype)
        sizes = self.sizes or (0,) * len(self.outputs)
        return sum(
            math.prod(shape) * (size or floating)
            for shape, size in zip(self.outputs, sizes, strict=False)
        )

    @property
    def key(self) -> str:
        return self.path if not self.call else f"{self.path}#{self.call}"


@dataclass
class ModelReport:
    factory: str
    inputs: tuple[Shape, ...]
    train: bool = False  # run in training mode (default: eval mode)
    layers: list[LayerRow] = field(default_factory=list)
    output: tuple[Shape, ...] | None = None
    findings: list[Finding] = field(default_factory=list)
    lock_diff: list[tuple[str, str, str, str]] = field(default_factory=list)
    analysed: bool = True
    params: int = 0  # sum(p.numel() for p in model.parameters())

    def memory(self, dtype: str = "float32") -> Memory:
        """Parameters, the leaf modules' output activations, the inputs and the total, in
        bytes, floating tensors of ``dtype`` (features/memory.py)."""
        from convshape.features.memory import Memory, element_size, tensor_bytes

        return Memory(
            dtype,
            self.params * element_size(dtype),
            sum(r.output_bytes(dtype) for r in self.layers if r.leaf),
            sum(tensor_bytes(s, dtype) for s in self.inputs),
        )

    def to_json(self, dtype: str = "float32") -> dict[str, Any]:
        return {
            "factory": self.factory,
            "input": [list(s) for s in self.inputs],
            "mode": "train" if self.train else "eval",
            "output": None if self.output is None else [list(s) for s in self.output],
            "analysed": self.analysed,
            "params": self.params,
            "memory": self.memory(dtype).to_json(),
            "layers": [
                {
                    "path": r.path,
                    "class": r.cls,
                    "input": [list(s) for s in r.inputs],
                    "output": [list(s) for s in r.outputs],
                    "location": r.location,
                    "call": r.call,
                    "leaf": r.leaf,
                    "output_bytes": r.output_bytes(dtype),
                }
                for r in self.layers
            ],
            "lock_changes": [
                {"layer": a, "class": b, "locked": c, "now": d} for a, b, c, d in self.lock_diff
            ],
        }

    def lock_entry(self) -> dict[str, Any]:
        return {
            "output": None if self.output is None else [list(s) for s in self.output],
            "layers": {
                r.key: {"class": r.cls, "output": [list(s) for s in r.outputs]} for r in self.layers
            },
        }


def _torch() -> Any:
    from convshape.oracle import TorchMissing, torch_module

    try:
        return torch_module()
    except TorchMissing:
        raise UsageError('model mode needs torch: pip install "convshape[torch]"') from None


@contextmanager
def _on_path(root: Path) -> Iterator[None]:
    added = [str(p) for p in (root, Path.cwd()) if str(p) not in sys.path]
    sys.path[:0] = added
    try:
        yield
    finally:
        for p in added:
            if p in sys.path:
                sys.path.remove(p)


def load_factory(factory: str, root: Path) -> Callable[[], Any]:
    """``package.module:callable`` (the callable may be dotted: ``module:Class.build``).

    The object may also be an ``nn.Module`` instance (``module:model``): it is returned
    as it is, and :func:`run_model` uses it as the model instead of calling it."""
    module_name, sep, attr = factory.partition(":")
    if not sep or not module_name or not attr:
        raise UsageError(f"--model {factory!r}: expected package.module:callable")
    with _on_path(root):
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise UsageError(f"--model {factory!r}: cannot import {module_name}: {exc}") from None
        except (Exception, SystemExit) as exc:  # sys.exit() in the module ends no lint run
            raise UsageError(
                f"--model {factory!r}: importing {module_name} raised {type(exc).__name__}: "
                f"{_one_line(str(exc))}"
            ) from None
    obj: Any = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise UsageError(f"--model {factory!r}: {module_name} has no {attr!r}") from None
    if not callable(obj):
        raise UsageError(f"--model {factory!r}: {attr} is not callable")
    return obj  # type: ignore[no-any-return]


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# One frame of a construction: file, line, column (1-based), end line, end column (end
# exclusive) of the call running there, and the frame's code.
Frame = tuple[str, int, int, int, int, Any]


def _frame(code: Any, lasti: int, lineno: int) -> Frame:
    """The call running at ``lasti`` in ``code``, with its span (Python 3.11 positions)."""
    try:
        line, end_line, col, end_col = list(code.co_positions())[lasti // 2]
    except (IndexError, ValueError):
        line = end_line = col = end_col = None
    line = line or lineno
    return (
        code.co_filename,
        line,
        (col or 0) + 1,
        end_line or line,
        (end_col or 0) + 1,
        code,
    )


class _Sites:
    """Where each module was built: the first frame outside torch and outside the
    module's own ``__init__`` chain, with the call's column (Python 3.11 positions), its
    span, and the frames that called it (up to torch's, convshape's or the standard
    library's): a layer built in a helper function is traced to the helper's caller."""

    def __init__(self, torch_dir: str, root: Path) -> None:
        self.torch_dir = torch_dir
        self.root = root
        self.by_module: dict[int, tuple[str, int, int]] = {}
        self.chains: dict[int, list[Frame]] = {}
        self.keep: list[Any] = []

    def record(self, module: Any) -> None:
        frame = sys._getframe(2)
        while frame is not None:
            code = frame.f_code
            if (
                not code.co_filename.startswith(self.torch_dir)
                and frame.f_locals.get("self") is not module
            ):
                chain: list[Frame] = []
                here: Any = frame
                while (
                    here is not None
                    and len(chain) < _CHAIN
                    and not _foreign(here.f_code.co_filename, self.torch_dir)
                ):
                    chain.append(_frame(here.f_code, here.f_lasti, here.f_lineno))
                    here = here.f_back
                first = chain[0] if chain else _frame(code, frame.f_lasti, frame.f_lineno)
                self.by_module[id(module)] = (first[0], first[1], first[2])
                self.chains[id(module)] = chain or [first]
                self.keep.append(module)
                return
            frame = frame.f_back  # type: ignore[assignment]

    def where(self, module: Any) -> tuple[str, int, int] | None:
        return self.by_module.get(id(module))

    def text(self, module: Any) -> str:
        site = self.where(module)
        if site is None:
            return ""
        return f"{self._path(site[0])}:{site[1]}:{site[2]}"

    def _path(self, filename: str) -> str:
        return relative(Path(filename), self.root) if os.path.isabs(filename) else filename


_CHAIN: Final = 8  # frames kept per module: helpers are shallow
_HERE: Final = os.path.dirname(os.path.dirname(os.path.dirname(__file__))) + os.sep


def _foreign(filename: str, torch_dir: str) -> bool:
    """Not the model's code: torch, convshape, the standard library, ``<string>``."""
    return filename.startswith((torch_dir, _HERE, _STDLIB, "<"))


# Where the modules built while importing a --model's module were built, kept (with the
# modules, so that no id is reused) for later runs: a module is imported only once.
_IMPORTED: dict[int, tuple[Any, tuple[str, int, int]]] = {}


@contextmanager
def _tracking(torch: Any, sites: _Sites) -> Iterator[None]:
    module_cls = torch.nn.Module
    original = module_cls.__init__

    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        sites.record(self)

    module_cls.__init__ = init
    try:
        yield
    finally:
        module_cls.__init__ = original


def _shapes(value: Any, torch: Any) -> tuple[Shape, ...]:
    if isinstance(value, torch.Tensor):
        return (tuple(int(v) for v in value.shape),)
    if isinstance(value, (tuple, list)):
        out: tuple[Shape, ...] = ()
        for item in value:
            out += _shapes(item, torch)
        return out
    if isinstance(value, dict):
        out = ()
        for item in value.values():
            out += _shapes(item, torch)
        return out
    return ()


def _sizes(value: Any, torch: Any) -> tuple[int, ...]:
    """Per tensor of ``value`` (in :func:`_shapes`' order): 0 when floating point, else
    its element size."""
    if isinstance(value, torch.Tensor):
        return (0 if value.is_floating_point() else int(value.element_size()),)
    items = value.values() if isinstance(value, dict) else value
    if isinstance(value, (tuple, list, dict)):
        out: tuple[int, ...] = ()
        for item in items:
            out += _sizes(item, torch)
        return out
    return ()


def _meta_failure(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, NotImplementedError) or any(m in text for m in _META_MARKERS)


def run_model(spec: ModelSpec, root: Path) -> ModelReport:
    """Build and run one model on the meta device; every finding in the report.

    The model runs in eval mode (``spec.train``: training mode), as it is used for
    inference: in training mode torchvision's googlenet and inception return their
    auxiliary outputs and BatchNorm refuses a batch of one. What the user's code prints
    goes to stderr: stdout is the report's (a JSON document, SARIF)."""
    from contextlib import redirect_stdout

    with redirect_stdout(sys.stderr):
        return _run_model(spec, root)


def _run_model(spec: ModelSpec, root: Path) -> ModelReport:
    torch = _torch()
    report = ModelReport(spec.factory, spec.inputs, train=spec.train)
    torch_dir = os.path.dirname(torch.__file__) + os.sep
    shown = Path.cwd()  # findings name files relative to where lint runs, as static mode does
    sites = _Sites(torch_dir, shown)
    with _tracking(torch, sites):  # a module-level instance is built while importing
        factory = load_factory(spec.factory, root)
    for module in sites.keep:
        _IMPORTED.setdefault(id(module), (module, sites.by_module[id(module)]))
    for key, (_module, imported) in _IMPORTED.items():
        sites.by_module.setdefault(key, imported)
    if isinstance(factory, torch.nn.Module):
        # an instance, not a factory: calling it would run forward() with no input
        model = factory
        site = sites.where(model)
        where_factory = (
            (sites._path(site[0]), site[1], site[2])
            if site is not None
            else _factory_site(type(model), shown)
        )
    else:
        where_factory = _factory_site(factory, shown)
        _check_arguments(spec.factory, factory)
        try:
            with _tracking(torch, sites), _no_downloads(torch), torch.device("meta"):
                model = factory()
        except (Exception, SystemExit) as exc:  # sys.exit() in the factory: a finding
            report.analysed = False
            report.findings.append(
                _failure(exc, None, sites, report, where_factory, "building the model")
            )
            return report
    if not isinstance(model, torch.nn.Module):
        raise UsageError(
            f"--model {spec.factory!r} returned {type(model).__name__}, not an nn.Module"
        )
    if any(t.device.type != "meta" for t in [*model.parameters(), *model.buffers()]):
        model = model.to("meta")
    model.train(spec.train)
    names = {id(m): name for name, m in model.named_modules()}
    leaves = {id(m) for m in model.modules() if not list(m.children())}
    report.params = sum(int(p.numel()) for p in model.parameters())
    stack: list[tuple[Any, tuple[Shape, ...], str]] = []
    calls: dict[str, int] = {}
    pending: list[int] = []

    def pre(module: Any, args: Any) -> None:
        shapes = _shapes(args, torch)
        path = names.get(id(module), "?")
        stack.append((module, shapes, path))
        n = calls.get(path, 0)
        calls[path] = n + 1
        report.layers.append(
            LayerRow(
                path, type(module).__name__, shapes, (), sites.text(module), n, id(module) in leaves
            )
        )
        pending.append(len(report.layers) - 1)
        if id(module) in lax:
            predicted = _predict(module, shapes)
            if predicted is not None:  # what CPU torch raises, where meta does not
                raise LaxMeta(predicted[0].message)

    def post(module: Any, args: Any, output: Any) -> None:
        if stack:
            stack.pop()
        index = pending.pop() if pending else None
        if index is not None:
            row = report.layers[index]
            report.layers[index] = replace(
                row, outputs=_shapes(output, torch), sizes=_sizes(output, torch)
            )

    # ConvTranspose's meta kernel does not check the input's channels: the engine does
    lax = {id(m) for m in model.modules() if (_torch_layer(m) or "").startswith("ConvTrans")}
    handles = []
    for module in model.modules():
        handles.append(module.register_forward_pre_hook(pre))
        handles.append(module.register_forward_hook(post))
    inputs = [torch.empty(s, device="meta") for s in spec.inputs]
    try:
        with torch.no_grad():
            out = model(*inputs)
    except (Exception, SystemExit) as exc:  # sys.exit() in forward: a finding
        failing = stack[-1] if stack else None
        report.findings.append(_failure(exc, failing, sites, report, where_factory, None))
        report.analysed = not _meta_failure(exc)
        for index in pending:
            row = report.layers[index]
            report.layers[index] = replace(row, outputs=(), sizes=())
        return report
    finally:
        for handle in handles:
            handle.remove()
    report.output = _shapes(out, torch)
    if spec.expect_output is not None and report.output != (spec.expect_output,):
        got = " ".join(_text(s) for s in report.output) or "no tensor"
        message = E.LINT_OUTPUT_SHAPE.template.format(
            model=spec.factory, got=got, expected=_text(spec.expect_output)
        )
        report.findings.append(_finding(where_factory, E.LINT_OUTPUT_SHAPE.code, message))
    return report


def _text(shape: Sequence[int]) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


def _check_arguments(name: str, factory: Any) -> None:
    """A factory (or class) that cannot be called without arguments is a usage error
    that shows its signature: model mode calls it with none."""
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # a builtin without one: calling it will tell
        return
    needed = [
        p.name
        for p in signature.parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]
    if not needed:
        return
    label = getattr(factory, "__qualname__", None) or name.partition(":")[2]
    plain = signature.replace(
        parameters=[p.replace(annotation=p.empty) for p in signature.parameters.values()],
        return_annotation=signature.empty,
    )
    raise UsageError(
        f"--model {name!r}: {label}{_one_line(str(plain), 400)} needs "
        f"{', '.join(needed)}; model mode calls it with no arguments: name a function "
        f"that builds the model (def build(): return {label}(...))"
    )


class LaxMeta(RuntimeError):
    """A layer that CPU torch refuses on its input but torch's meta kernel lets through
    (ConvTranspose with the wrong number of channels): raised with CPU torch's message."""


class WeightsDownload(Exception):
    """Raised in place of torch.hub's download while model mode builds a model."""

    def __init__(self, url: str) -> None:
        super().__init__(f"download of {url}")
        self.url = url


@contextmanager
def _no_downloads(torch: Any) -> Iterator[None]:
    """While a model is built: torch.hub's downloads (torchvision's ``weights=``,
    timm's ``pretrained=True``) raise :class:`WeightsDownload` instead of fetching."""
    hub = torch.hub
    original = hub.download_url_to_file

    def refuse(url: Any, *args: Any, **kwargs: Any) -> None:
        raise WeightsDownload(str(url))

    hub.download_url_to_file = refuse
    try:
        yield
    finally:
        hub.download_url_to_file = original


_NETWORK: Final = frozenset(
    {"urllib", "http", "socket", "ssl", "requests", "urllib3", "huggingface_hub", "httpx"}
)


def _download(exc: BaseException) -> str | None:
    """The URL (or ``''``) when ``exc`` comes from downloading while the model was
    built (torch.hub refused, or a network library failed); None otherwise."""
    if isinstance(exc, WeightsDownload):
        return exc.url
    tb = exc.__traceback__
    url = None
    while tb is not None:
        frame = tb.tb_frame
        top = str(frame.f_globals.get("__name__", "")).partition(".")[0]
        if top in _NETWORK or frame.f_globals.get("__name__") == "torch.hub":
            found = frame.f_locals.get("url")
            url = url or (found if isinstance(found, str) else "")
        tb = tb.tb_next
    return url


def _factory_site(factory: Any, root: Path) -> tuple[str, int, int]:
    """Where the factory is written: its ``def`` (or ``class``) line, after any
    decorators, in its own file (a decorated builder's wrapper lives elsewhere)."""
    try:
        target = inspect.unwrap(factory)
        filename = inspect.getsourcefile(target) or "<unknown>"
        lines, line = inspect.getsourcelines(target)
    except (TypeError, OSError, ValueError):
        return ("<unknown>", 1, 1)
    for offset, text in enumerate(lines):
        if text.lstrip().startswith(("def ", "async def ", "class ")):
            line += offset
            break
    if os.path.isabs(filename):
        filename = relative(Path(filename), root)
    return (filename, max(line, 1), 1)


Site = tuple[str, int, int] | tuple[str, int, int, int, int]  # file, line, col[, end]


def _finding(site: Site, code: str, message: str, fixes: tuple[str, ...] = ()) -> Finding:
    severity = "warning" if code == E.LINT_NOT_ANALYSED.code else "error"
    end_line, end_col = (site[3], site[4]) if len(site) == 5 else (site[1], site[2])
    return Finding(site[0], site[1], site[2], code, message, severity, end_line, end_col, fixes)


def _user_frame(exc: BaseException, torch_dir: str, root: Path) -> tuple[str, int, int] | None:
    """The last frame of the traceback in the user's code (not torch, not convshape)."""
    found = None
    tb = exc.__traceback__
    here = os.path.dirname(os.path.dirname(__file__)) + os.sep
    skipped = (torch_dir, here, _STDLIB, "<")
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.startswith(skipped):
            path = relative(Path(filename), root) if os.path.isabs(filename) else filename
            found = (path, tb.tb_lineno, 1)
        tb = tb.tb_next
    return found


def _caller(exc: BaseException, sites: _Sites) -> tuple[str, int, int] | None:
    """The call in the project (under the folder lint runs in) deepest in the traceback."""
    found = None
    tb = exc.__traceback__
    base = str(sites.root).rstrip(os.sep) + os.sep
    here = os.path.dirname(os.path.dirname(__file__)) + os.sep
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(base) and not filename.startswith(here):
            found = (sites._path(filename), tb.tb_lineno, 1)
        tb = tb.tb_next
    return found


def _failure(
    exc: BaseException,
    failing: tuple[Any, tuple[Shape, ...], str] | None,
    sites: _Sites,
    report: ModelReport,
    where_factory: tuple[str, int, int],
    stage: str | None,
) -> Finding:
    """The finding for an exception while building or running the model."""
    from convshape.features.explain import GENERIC, match_message

    module, shapes, mpath = failing if failing is not None else (None, (), "")
    path = sites._path
    site = sites.where(module) if module is not None else None
    located: Site | None = (path(site[0]), site[1], site[2]) if site is not None else None
    user = _user_frame(exc, sites.torch_dir, sites.root)
    builtin = module is not None and type(module).__module__.startswith("torch.nn")
    # a subclass of a torch layer (timm's BatchNormAct2d) failing as the layer would
    predicted = _predict(module, shapes) if module is not None else None
    if module is not None and predicted is not None:
        builtin = True
    if module is not None and builtin:
        param = _fitting_param(module)
        chain = sites.chains.get(id(module), [])
        if param is not None and chain:
            here = _passed(chain, param, _init_params(type(module)))
            located = (path(here[0]), here[1], here[2], here[3], here[4])
    if module is not None and not builtin and user is not None:
        located = user  # it failed in the module's own forward code, at this line
    if stage is not None:
        located = _built_at(exc, sites) or user or where_factory
    located = located or user or where_factory
    name = ""
    if module is not None:
        name = f"{mpath or '(model)'} ({type(module).__name__})"
    where = stage or name or report.factory
    exc_name = type(exc).__name__
    message = _one_line(str(exc), 2000)
    url = _download(exc) if stage is not None else None
    if url is not None:
        fetched = f" from {url}" if url else ""
        text = E.LINT_NOT_ANALYSED.template.format(
            model=report.factory,
            reason=f"building the model downloads pretrained weights{fetched}, which lint "
            "does not do: build it without them (weights=None, weights_backbone=None in "
            "torchvision, pretrained=False in timm)",
        )
        return _finding(_caller(exc, sites) or located, E.LINT_NOT_ANALYSED.code, text)
    if _meta_failure(exc):
        text = E.LINT_NOT_ANALYSED.template.format(
            model=report.factory,
            reason=f"{where}: {exc_name}: {_one_line(str(exc), 200)} (not a shape error: the op "
            "cannot run on the meta device)",
        )
        return _finding(located, E.LINT_NOT_ANALYSED.code, text)
    on = f" on input {' '.join(_text(s) for s in shapes)}" if shapes else ""
    if predicted is not None:
        # torch's meta kernels word some errors differently: say what CPU torch raises
        err, spec = predicted
        explanation, fixes = _advice(err, spec, shapes)
        text = f"{where}{on}: {err}"
        if explanation:
            text += f" -- {explanation}"
        return _finding(located, err.code, text, fixes)
    message = _cpu_wording(message)
    matched = match_message(message, exc_name)
    if matched is not None and (matched[0].code not in GENERIC or builtin):
        kind, values = matched
        err = E.ShapeError(kind, message, values)
        explanation, fixes = _advice(err, _spec_of(module), shapes)
        text = f"{where}{on}: {exc_name}: {message}"
        if explanation:
            text += f" -- {explanation}"
        return _finding(located, kind.code, text, fixes)
    if stage is None:
        where += " on the meta device"  # torch words some errors differently there than on CPU
    text = E.LINT_MODEL_RAISED.template.format(where=where, exc=exc_name, message=message)
    return _finding(located, E.LINT_MODEL_RAISED.code, text)


_META_BROADCAST: Final = re.compile(
    r"Attempting to broadcast a dimension of length \d+ at -?\d+! Mismatching argument at "
    r"index 1 had torch\.Size\(\[(?P<b>[\d, ]*)\]\); but expected shape should be "
    r"broadcastable to \[(?P<a>[\d, ]*)\]$"
)
_META_CAT: Final = re.compile(
    r"Sizes of tensors must match except in dimension (?P<dim>\d+)\. Expected (?P<expected>\d+) "
    r"in dimension \d+ but got (?P<got>\d+) for tensor number (?P<index>\d+) in the list$"
)


def _cpu_wording(message: str) -> str:
    """A meta kernel's message for two tensors that do not fit (``a + b``, ``torch.cat``)
    as CPU torch words it (torch 2.13); any other message as it is."""
    found = _META_BROADCAST.match(message)
    if found is not None:
        a = [int(v) for v in found["a"].split(",") if v.strip()]
        b = [int(v) for v in found["b"].split(",") if v.strip()]
        ndim = max(len(a), len(b))
        for dim in range(ndim - 1, -1, -1):
            offset = ndim - 1 - dim
            size_a = a[len(a) - 1 - offset] if offset < len(a) else 1
            size_b = b[len(b) - 1 - offset] if offset < len(b) else 1
            if size_a != size_b and 1 not in (size_a, size_b):
                return E.BROADCAST_MISMATCH.template.format(a=size_a, b=size_b, dim=dim)
        return message
    found = _META_CAT.match(message)
    if found is not None:
        return E.CAT_SIZES.template.format(**found.groupdict())
    return message


def _torch_layer(module: Any) -> str | None:
    """The name of the torch layer class ``module`` is or extends (None: a container or
    a plain ``nn.Module``)."""
    for cls in type(module).__mro__:
        if cls.__module__.startswith("torch.nn.modules"):
            if cls.__name__ in ("Module", "Sequential", "ModuleList", "ModuleDict"):
                return None
            return cls.__name__
    return None


def _fitting_param(module: Any) -> str | None:
    """The constructor parameter that decides which inputs a layer accepts (its channels
    or features): where a mismatch with its input is fixed."""
    name = _torch_layer(module) or ""
    if name.startswith(("Conv", "LazyConv")):
        return "in_channels"
    if name.startswith(("BatchNorm", "InstanceNorm", "SyncBatchNorm")):
        return "num_features"
    if name == "Linear":
        return "in_features"
    if name == "LayerNorm":
        return "normalized_shape"
    if name == "GroupNorm":
        return "num_channels"
    return None


def _init_params(cls: Any) -> list[str]:
    try:
        return list(inspect.signature(cls).parameters)
    except (TypeError, ValueError):
        return []


def _code_params(code: Any) -> list[str]:
    """A function's parameters, in order (``self`` included)."""
    count = code.co_argcount + code.co_kwonlyargcount
    return list(code.co_varnames[:count])


def _passed(chain: list[Frame], param: str, callee: list[str]) -> Frame:
    """The call that passed the value of ``param`` (a parameter of the function called at
    ``chain[0]``, whose parameters are ``callee``): while the frame is a helper function
    (not a method: a block's ``__init__`` is where the block decides its layers) that
    passes one of its own parameters on, its caller (``conv3x3(inplanes, planes)``, not
    ``conv3x3``'s ``nn.Conv2d(in_planes, ...)``)."""
    here = chain[0]
    for i, frame in enumerate(chain[:-1]):
        code = frame[5]
        own = _code_params(code)
        if own[:1] in (["self"], ["cls"]):
            break
        call = _call_at(frame)
        if call is None:
            break
        passed = _argument(call, param, callee)
        varkw = _varkw(code)
        if (
            passed is None
            and varkw
            and any(
                k.arg is None and isinstance(k.value, ast.Name) and k.value.id == varkw
                for k in call.keywords
            )
        ):
            callee = []  # passed on in **kwargs: the caller names it
        elif isinstance(passed, ast.Name) and passed.id in own:
            param, callee = passed.id, own
        else:
            break
        here = chain[i + 1]
    return here


def _varkw(code: Any) -> str | None:
    if not code.co_flags & inspect.CO_VARKEYWORDS:
        return None
    index = code.co_argcount + code.co_kwonlyargcount
    index += 1 if code.co_flags & inspect.CO_VARARGS else 0
    return str(code.co_varnames[index])


def _argument(call: ast.Call, param: str, callee: list[str]) -> ast.expr | None:
    """The expression ``call`` passes for ``param`` of a callee with parameters
    ``callee`` (a method's or class's ``self`` is bound by the call)."""
    for keyword in call.keywords:
        if keyword.arg == param:
            return keyword.value
    params = callee[1:] if callee[:1] in (["self"], ["cls"]) else callee
    if param not in params:
        return None
    index = params.index(param)
    if index < len(call.args) and not any(
        isinstance(a, ast.Starred) for a in call.args[: index + 1]
    ):
        return call.args[index]
    return None


def _call_at(frame: Frame) -> ast.Call | None:
    """The call expression running in ``frame``, read from its source."""
    import linecache

    filename, line, col, end_line, end_col, _code = frame
    lines = linecache.getlines(filename)
    if not lines or end_line > len(lines):
        return None
    chunk = [text.encode("utf-8") for text in lines[line - 1 : end_line]]
    if len(chunk) == 1:
        chunk[0] = chunk[0][col - 1 : end_col - 1]
    else:
        chunk[0], chunk[-1] = chunk[0][col - 1 :], chunk[-1][: end_col - 1]
    try:
        tree = ast.parse(b"".join(chunk).decode("utf-8").strip(), mode="eval")
    except (SyntaxError, ValueError, UnicodeDecodeError):
        return None
    return tree.body if isinstance(tree.body, ast.Call) else None


# The parameter a layer's construction error is about (torch's own checks).
_BUILD_PARAMS: Final = {"CS702": "groups", "CS703": "groups"}


def _built_at(exc: BaseException, sites: _Sites) -> Site | None:
    """For an exception while building: the call in the model's code that constructed
    the layer that refused its arguments, traced through helper functions to the call
    that passed the value torch refused (None: no such call in the traceback)."""
    from convshape.features.explain import match_message

    chain: list[Frame] = []
    callee: Any = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if _foreign(code.co_filename, sites.torch_dir):
            if chain and callee is None:
                callee = code
        else:
            chain.insert(0, _frame(code, tb.tb_lasti, tb.tb_lineno))
            callee = None
        tb = tb.tb_next
    if not chain:
        return None
    matched = match_message(_one_line(str(exc), 2000), type(exc).__name__)
    param = _BUILD_PARAMS.get(matched[0].code) if matched is not None else None
    here = chain[0]
    if param is not None and callee is not None:
        here = _passed(chain, param, _code_params(callee))
    return (sites._path(here[0]), here[1], here[2], here[3], here[4])


def _predict(module: Any, shapes: tuple[Shape, ...]) -> tuple[E.ShapeError, Any] | None:
    """The engine's prediction for a torch layer that failed on this input, if it has one."""
    spec = _spec_of(module)
    if spec is None or len(shapes) != 1:
        return None
    try:
        from convshape.core.engine import infer_spec
        from convshape.core.trace import Env

        found = infer_spec(spec, shapes[0], Env(training=bool(module.training))).error
    except Exception:  # the engine does not model this case: fall back to torch's text
        return None
    return (found, spec) if isinstance(found, E.ShapeError) else None


def _advice(err: E.ShapeError, spec: Any, shapes: tuple[Shape, ...]) -> tuple[str, tuple[str, ...]]:
    from convshape.features.advice import advise

    shape = shapes[0] if shapes else None
    try:
        advice = advise(err, spec, shape)
    except Exception:  # advice is a courtesy; the finding stands without it
        return "", ()
    return advice.explanation, advice.fixes


def _spec_of(module: Any) -> Any:
    """The convshape spec of a torch layer, for the advice's fixes (None if unknown)."""
    if module is None:
        return None
    cls = _torch_layer(module) or ""
    try:
        from convshape.ops import AdaptivePool, Conv, Pool

        if cls.startswith(("Conv", "ConvTranspose")) and cls[-2:] in ("1d", "2d", "3d"):
            padding = module.padding
            return Conv.make(
                int(cls[-2]),
                module.in_channels,
                module.out_channels,
                tuple(module.kernel_size),
                tuple(module.stride),
                padding if isinstance(padding, str) else tuple(padding),
                tuple(module.dilation),
                module.groups,
                module.bias is not None,
                module.padding_mode,
                cls.startswith("ConvTranspose"),
                tuple(module.output_padding),
            )
        if cls.startswith(("MaxPool", "AvgPool")):
            return Pool.make(
                "max" if cls.startswith("Max") else "avg",
                int(cls[-2]),
                module.kernel_size,
                module.stride,
                module.padding,
                getattr(module, "dilation", 1),
                module.ceil_mode,
            )
        if cls.startswith("Adaptive"):
            return AdaptivePool.make(
                "avg" if "Avg" in cls else "max", int(cls[-2]), module.output_size
            )
        from convshape.ops import BatchNorm, Linear

        if cls == "Linear":
            return Linear(module.in_features, module.out_features, module.bias is not None)
        if cls.startswith("BatchNorm"):
            return BatchNorm(
                int(cls[-2]), module.num_features, module.affine, module.track_running_stats
            )
    except (AttributeError, TypeError, ValueError):
        return None
    return None


# -- the shape lock -----------------------------------------------------------------------


def read_lock(path: Path) -> dict[str, Any]:
    """The lock's models table, every entry checked: a hand-edited or corrupt lock is a
    :class:`UsageError` naming what is wrong, never a crash nor a silently skipped model."""
    try:
        data = json.loads(read_text(path))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, RecursionError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        if isinstance(exc, RecursionError):
            reason = "nested too deeply"
        raise UsageError(f"{path}: not a convshape lock file: {reason}") from None
    if not isinstance(data, dict) or data.get("schema") != LOCK_SCHEMA:
        raise UsageError(f"{path}: not a convshape lock file (schema {LOCK_SCHEMA})")
    models = data.get("models")
    if not isinstance(models, dict):
        raise UsageError(f"{path}: not a convshape lock file (no models table)")
    for key, entry in models.items():
        problem = _lock_problem(entry)
        if problem:
            raise UsageError(
                f"{path}: model {key!r}: {problem}; fix it or write the lock again "
                "(lint --models --update-lock)"
            )
    return models


def _is_shapes(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(s, list) and all(type(v) is int for v in s) for s in value
    )


def _lock_problem(entry: Any) -> str | None:
    """What is wrong with one model's lock entry (None: nothing)."""
    if not isinstance(entry, dict):
        return "the entry must be a table with output and layers"
    if entry.get("output") is not None and not _is_shapes(entry["output"]):
        return "output must be a list of shapes (lists of integers)"
    layers = entry.get("layers", {})
    if not isinstance(layers, dict):
        return "layers must be a table of layer name -> {class, output}"
    for name, layer in layers.items():
        if not isinstance(layer, dict):
            return f"layer {name!r} must be a table with class and output"
        if not isinstance(layer.get("class", "?"), str):
            return f"layer {name!r}: class must be a string"
        if not _is_shapes(layer.get("output", [])):
            return f"layer {name!r}: output must be a list of shapes (lists of integers)"
    return None


def write_lock(
    path: Path, reports: Sequence[ModelReport], key: Callable[[ModelReport], str]
) -> None:
    """Write (or update) the lock with every layer's shapes of the models run; atomically
    (a temporary file in the same folder, renamed over the lock)."""
    models = read_lock(path) if path.exists() else {}
    for report in reports:
        if report.analysed and not any(f.severity == "error" for f in report.findings):
            models[key(report)] = report.lock_entry()
    doc = {"schema": LOCK_SCHEMA, "models": dict(sorted(models.items()))}
    write_atomic(path, json.dumps(doc, indent=2, sort_keys=True) + "\n")


def check_lock(report: ModelReport, locked: dict[str, Any] | None) -> None:
    """Compare a run with its locked shapes: each change becomes a CS904 finding (at the
    layer's construction site) and a row of the report's diff table."""
    if not locked or not report.analysed:
        return
    layers = locked.get("layers", {})
    now = {r.key: r for r in report.layers}
    for key, entry in layers.items():
        old = [tuple(s) for s in entry.get("output", [])]
        row = now.get(key)
        cls = entry.get("class", "?")
        if row is None:
            if any(f.code != E.LINT_NOT_ANALYSED.code for f in report.findings):
                continue  # forward failed before reaching it: that finding says why
            new_text, site_text = "(gone)", ""
        elif list(row.outputs) == old:
            continue
        else:
            new_text = " ".join(_text(s) for s in row.outputs) or "-"
            site_text = row.location
            cls = row.cls
        old_text = " ".join(_text(s) for s in old) or "-"
        report.lock_diff.append((key, cls, old_text, new_text))
        message = E.LINT_LOCK_CHANGED.template.format(
            layer=key or "(model)", cls=cls, locked=old_text, now=new_text
        )
        site = _parse_site(site_text) or ("<lock>", 1, 1)
        report.findings.append(_finding(site, E.LINT_LOCK_CHANGED.code, message))


def _parse_site(text: str) -> tuple[str, int, int] | None:
    parts = text.rsplit(":", 2)
    if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
        return None
    return (parts[0], int(parts[1]), int(parts[2]))
