"""``convshape verify``: the engine's prediction next to what the installed torch does.

:func:`verify` runs the engine and then the real torch op (through :mod:`convshape.oracle`,
the only module that imports torch) and compares them with :func:`compare`;
:func:`run_fuzz` does that for random configurations and tallies the verdicts per op.
Nothing here prints: :mod:`convshape.render` shows a :class:`Check` or a
:class:`FuzzReport`.

Devices (docs/verify.md has the details):

* ``cpu`` - the reference; the engine predicts torch's CPU behaviour, so text must match
  exactly (or be one of the engine's documented backend variants).
* ``meta`` - no data, no kernels: fast, but it skips many of CPU's checks and words errors
  its own way. A meta run agrees when it shows the same shape, raises where the engine
  predicts an error (the text is compared only after undoing meta's formatting), or accepts
  a layer whose predicted CPU error is one meta is known not to check (reported as "meta did
  not check: ...").
* ``cuda`` - compared like CPU, except that CPU's backend-kernel errors (oneDNN / THNN) may
  read differently or not happen on CUDA's kernels.

Cost on CPU: a real CPU call computes the whole op, which for a large input takes seconds.
When a configuration would cost more than :data:`BUDGET` multiply-adds, torch runs on a
*twin* - the same layer on an input whose batch is 1 and whose large spatial sizes are cut
down - and meta supplies the shape for the real input. Only when the twin is accepted is
that result used; any error, from the twin or meta, sends verify back to the real call, so
every error verify reports is torch's own for the input given (docs/verify.md, "Cost").
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from typing import NamedTuple

from convshape import oracle
from convshape.core.engine import Env, Result, infer_spec
from convshape.core.errors import KINDS, UsageError, Variant
from convshape.core.registry import CONV, MetaReleases, families, family_of
from convshape.core.releases import Resolved, Span, current, resolve
from convshape.core.shapes import Shape
from convshape.features.fuzz import OPS, generate
from convshape.features.memory import INDEX_BYTES, element_size, tensor_bytes
from convshape.features.network import StackLayer, StackResult, StackRow, infer_stack
from convshape.ops import AnySpec

__all__ = [
    "BUDGET",
    "DEVICES",
    "DTYPE",
    "INSTALL",
    "Check",
    "FuzzReport",
    "LayerCheck",
    "StackCheck",
    "Tally",
    "compare",
    "compare_stack",
    "resolve_ops",
    "run_fuzz",
    "run_torch",
    "twin_shape",
    "verify",
    "verify_stack",
    "work",
    "work_bound",
]

DEVICES = ("cpu", "meta", "cuda")
DTYPE = "float32"
INSTALL = 'pip install "convshape[torch]"'

FUZZ_CHUNK = 64  # configurations predicted, then run, together
BUDGET = 1 << 24
"""Multiply-adds (or element visits) above which a CPU check runs on a twin (~20 ms here)."""

TWIN_MIN = 16
"""The smallest spatial size a twin cuts an axis down to."""

TWIN_FACTOR = 2
"""A twin keeps each axis at least this many times the reach of the layer's parameters."""

# How an engine prediction and a torch outcome agree ...
SHAPE = "shape"  # the same output shape
EXACT = "exact"  # the same exception type and message
VARIANT = "variant"  # a documented alternative message (torch's backend chose it)
META_FORMAT = "meta-format"  # meta's message, once its formatting is undone
META_WORDING = "meta-wording"  # both raise; meta words the error its own way
META_UNCHECKED = "meta-unchecked"  # meta accepts; the predicted CPU check is one meta skips
META_EMPTY = "meta-empty"  # meta rejects a zero-size output that CPU returns
META_CHECKED = "meta-checked"  # meta makes a check CPU skips for this input (that release)
META_CANNOT_RUN = "meta-cannot-run"  # meta has no kernel for the layer (that release)
CUDA_BACKEND = "cuda-backend"  # a CPU backend-kernel error that CUDA's kernels word or skip
# ... or why they do not.
SHAPE_MISMATCH = "shape-mismatch"
TORCH_RAISED = "torch-raised"  # the engine predicted a shape, torch raised
TORCH_ACCEPTED = "torch-accepted"  # the engine predicted an error, torch returned a shape
MESSAGE_MISMATCH = "message-mismatch"
ENGINE_CRASHED = "engine-crashed"

# The errors raised inside CPU's backend kernels (oneDNN / THNN), not in shared ATen code.
BACKEND_CODES = frozenset(
    {"CS117", "CS118", "CS119", "CS120", "CS121", "CS122", "CS129", "CS854", "CS858"}
    | {"CS203", "CS204", "CS205", "CS210", "CS211", "CS212"}
)


class Check(NamedTuple):
    """One configuration verified: the engine's result, torch's outcome and the verdict.

    ``match`` says how they agree (``shape``, ``exact``, ``variant``, ``meta-...``) or why
    they do not (``shape-mismatch``, ``torch-raised``, ``torch-accepted``,
    ``message-mismatch``, ``engine-crashed``). ``variant`` is the documented alternative
    message torch chose. ``method`` is how torch was run: ``run`` (the real call) or
    ``twin`` (see the module docstring).
    """

    result: Result
    outcome: oracle.Outcome
    device: str
    agree: bool
    match: str
    variant: Variant | None = None
    notes: tuple[str, ...] = ()
    method: str = "run"
    torch_version: str | None = None
    dtype: str = DTYPE
    crash: str | None = None

    @property
    def spec(self) -> AnySpec:
        return self.result.spec

    @property
    def input(self) -> Shape:
        return self.result.input

    @property
    def verdict(self) -> str:
        return "agree" if self.agree else "disagree"


_TORCH_SIZE = re.compile(r"torch\.Size\(\[([^\]]*)\]\)")
_LABELLED = re.compile(r"(\b\w+: -?\d+), (?=\w+: -?\d)")


def _meta_text(message: str) -> str:
    """Undo meta's formatting: ``torch.Size([1, 2])`` -> ``[1, 2]``, ``kH: 0, kW: 0``."""
    text = _TORCH_SIZE.sub(r"[\1]", message)
    text = _LABELLED.sub(r"\1 ", text)
    return re.sub(r":\s*", ": ", text)


# Checks meta's kernels for the layers between convolutions skip: softmax's dim, the
# upsample kernels' sizes, pixel_unshuffle's divisibility.
META_LAYER_UNCHECKED_CODES = frozenset({"CS130", "CS818", "CS840", "CS841"})


def _meta_releases() -> MetaReleases:
    """What meta does differently in some releases, gathered from every family (each
    holds its own rules' differences: ``OpFamily.meta``)."""
    merged: dict[str, dict[str, Span]] = {
        part: {} for part in ("skips", "checks", "missing", "unrunnable")
    }
    for family in families():
        for part, spans in merged.items():
            spans.update(getattr(family.meta, part))
    return MetaReleases(**merged)


def _meta_skips(code: str) -> bool:
    """Whether meta, in the release predicted for, skips the check of ``code`` (on meta
    the layer returns a shape, so a predicted error of that kind cannot be confirmed)."""
    skips = _meta_releases().skips
    return code in skips and current() in skips[code]


def _meta_checks(message: str) -> str | None:
    """The code of a check meta makes, in the release predicted for, where CPU does not."""
    release = current()
    for code, releases in _meta_releases().checks.items():
        if release in releases and KINDS[code].for_release(release).pattern.fullmatch(message):
            return code
    return None


_NO_META_KERNEL = re.compile(r"Could not run '([\w:.]+)' with arguments from the 'Meta' backend")
_NONE = Span((0, 0), (0, 0))  # no release


def _meta_cannot_run(result: Result, outcome: oracle.Outcome) -> str | None:
    """Why meta, in the release predicted for, cannot run this layer at all (no meta
    kernel for an operator it calls, a module it cannot run), or None."""
    data = _meta_releases()
    call = family_of(result.spec).torch(result.spec)
    if current() in data.unrunnable.get(call.name, _NONE):
        where = "torch.nn" if call.module else "torch.nn.functional"
        return f"{where}.{call.name} cannot run on meta in this release"
    m = _NO_META_KERNEL.match(outcome.message or "")
    if outcome.exc == "NotImplementedError" and m and current() in data.missing.get(m[1], _NONE):
        return f"{m[1]} has no meta kernel in this release"
    return None


def compare(
    result: Result,
    outcome: oracle.Outcome,
    device: str = "cpu",
    *,
    method: str = "run",
    notes: tuple[str, ...] = (),
    torch_version: str | None = None,
) -> Check:
    """The verdict for one engine result against one torch outcome on ``device``.

    ``method``, ``notes`` and ``torch_version`` describe how torch was run; they are
    carried into the :class:`Check`.
    """
    verdict = _compare(
        result, outcome, device, method=method, notes=notes, torch_version=torch_version
    )
    if verdict.agree or device != "meta":
        return verdict
    if why := _meta_cannot_run(result, outcome):
        return Check(
            result,
            outcome,
            device,
            True,
            META_CANNOT_RUN,
            None,
            (why, *notes),
            method,
            torch_version,
        )
    if family_of(result.spec).group == CONV:
        return verdict
    err = result.error
    if 0 in result.input:
        note = "meta's kernels for this layer differ from CPU's on empty tensors"
    elif outcome.ok and err is not None and err.code in META_LAYER_UNCHECKED_CODES:
        note = f"meta did not check: {err.code} {err.kind.name} (CPU raises {err.exc})"
    else:
        return verdict
    return Check(
        result, outcome, device, True, META_UNCHECKED, None, (note, *notes), method, torch_version
    )


def _compare(
    result: Result,
    outcome: oracle.Outcome,
    device: str = "cpu",
    *,
    method: str = "run",
    notes: tuple[str, ...] = (),
    torch_version: str | None = None,
) -> Check:
    """:func:`compare`'s verdict before the meta device's allowances for layers."""

    def check(agree: bool, match: str, *more: str, variant: Variant | None = None) -> Check:
        return Check(
            result, outcome, device, agree, match, variant, more + notes, method, torch_version
        )

    err = result.error
    if outcome.ok:
        if err is None:
            if result.output == outcome.shape:
                return check(True, SHAPE)
            return check(False, SHAPE_MISMATCH)
        if device == "meta" and _meta_skips(err.code):
            note = f"meta did not check: {err.code} {err.kind.name} (CPU raises {err.exc})"
            return check(True, META_UNCHECKED, note)
        if device == "cuda" and err.code in BACKEND_CODES:
            return check(True, CUDA_BACKEND, f"{err.code} is CPU's backend check; CUDA skips it")
        return check(False, TORCH_ACCEPTED)
    exc, message = outcome.exc or "", outcome.message or ""
    if err is None:
        dims = family_of(result.spec).spatial_rank(result.spec) or 0
        zero = result.output is not None and dims > 0 and 0 in result.output[-dims:]
        if device == "meta" and zero and "Output size is too small" in message:
            note = "meta rejects the zero-size output that CPU's oneDNN kernel returns"
            return check(True, META_EMPTY, note)
        if device == "meta" and (code := _meta_checks(message)):
            note = f"meta checks {code} {KINDS[code].name} here; CPU returns a shape"
            return check(True, META_CHECKED, note)
        return check(False, TORCH_RAISED)
    matched = err.matches(exc, message)
    if matched is True:
        return check(True, EXACT)
    if isinstance(matched, Variant):
        note = f"torch chose the variant for: {matched.condition}"
        return check(True, VARIANT, note, variant=matched)
    if device == "meta":
        text = _meta_text(message)
        if any(exc == e and text == _meta_text(m) for e, m in err.messages()):
            return check(True, META_FORMAT, "meta formats the values its own way")
        note = f"meta words it differently; the engine's text is CPU's {err.code} {err.kind.name}"
        return check(True, META_WORDING, note)
    if device == "cuda" and err.code in BACKEND_CODES:
        note = f"{err.code} is CPU's backend check; CUDA's kernel words it its own way"
        return check(True, CUDA_BACKEND, note)
    return check(False, MESSAGE_MISMATCH)


# ---------------------------------------------------------------------------------------
# Cost: what a CPU call computes, and the twin that stands in for an expensive one
# ---------------------------------------------------------------------------------------


def work_bound(spec: AnySpec, shape: Shape) -> int:
    """An upper bound on :func:`work`, from the layer and the input alone (no torch)."""
    return family_of(spec).work_bound(spec, tuple(shape))


def work(spec: AnySpec, shape: Shape, output: Shape) -> int:
    """What the CPU call computes: multiply-adds for convs, element visits otherwise."""
    return family_of(spec).work(spec, tuple(shape), tuple(output))


def twin_shape(spec: AnySpec, shape: Shape) -> Shape | None:
    """A smaller input for the same layer: batch 1, large spatial axes cut down.

    Returns None where no twin applies: a layer whose family gives no reach (fold, whose
    input length must equal the block count of ``output_size``; ConvTranspose with
    ``output_size=``, valid only for one input size), an input of the wrong rank, or
    nothing to cut.
    """
    family = family_of(spec)
    n = family.spatial_rank(spec) or 0
    if not n or len(shape) not in (n + 1, n + 2):
        return None
    lead, spatial = list(shape[:-n]), list(shape[-n:])
    if len(lead) == 2 and lead[0] > 1:
        lead[0] = 1
    for i, size in enumerate(spatial):
        reach = family.reach(spec, i)
        if reach is None:
            return None
        cut = max(TWIN_FACTOR * reach + 2, TWIN_MIN)
        if size > cut:
            spatial[i] = cut
    twin = (*lead, *spatial)
    return None if twin == tuple(shape) else twin


MAX_MEMORY = 2 * 10**9  # bytes torch may allocate for one verify (--max-memory)


def allocation(spec: AnySpec, shape: Shape) -> int:
    """About how many bytes torch allocates to run ``spec`` on ``shape`` (float32): the
    input, the module's parameters (unless its constructor refuses first), a functional
    call's weight and bias, and the output the engine predicts (none where torch raises
    first; int64 indices too for ``return_indices``). From the spec alone, before torch
    runs; working buffers come on top."""
    family = family_of(spec)
    shape = tuple(shape)
    elements = math.prod(shape)
    if family.construct_error(spec) is None:
        elements += family.params(spec, shape)
    call = family.torch(spec)
    elements += sum(math.prod(t) for t in call.tensors if t is not None)
    output = infer_spec(spec, shape).output
    total = elements * element_size("float32")
    if output is not None:
        total += tensor_bytes(output, "float32")
        if getattr(spec, "return_indices", False):
            total += math.prod(output) * INDEX_BYTES
    return total


def _bytes(n: int) -> str:
    for unit, size in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} bytes"


def _check_memory(need: int, limit: int, device: str, what: str) -> None:
    if need > limit:
        raise UsageError(
            f"torch would allocate about {_bytes(need)} for {what} on {device}, more than "
            f"--max-memory {_bytes(limit)}; raise --max-memory, or --device meta checks it "
            "without allocating"
        )


def run_torch(
    spec: AnySpec,
    shape: Shape,
    device: str = "cpu",
    budget: int = BUDGET,
    max_memory: int = MAX_MEMORY,
) -> tuple[oracle.Outcome, str, tuple[str, ...]]:
    """Torch's outcome for ``spec`` on ``shape``: (outcome, method, notes).

    On CPU a configuration that costs more than ``budget`` runs on its twin; the result is
    used only when both the twin (on CPU) and the real input (on meta) are accepted.
    Otherwise - and on every other device - the real call runs. A real call on CPU or
    CUDA that would allocate more than ``max_memory`` bytes (:func:`allocation`) is a
    :class:`UsageError` before torch runs.
    """
    shape = tuple(shape)
    if device != "cpu" or work_bound(spec, shape) <= budget:
        return _real(spec, shape, device, max_memory), "run", ()
    meta = oracle.run(spec, shape, "meta")
    if not meta.ok or meta.shape is None or work(spec, shape, meta.shape) <= budget:
        return _real(spec, shape, "cpu", max_memory), "run", ()
    twin = twin_shape(spec, shape)
    if twin is None:
        return _real(spec, shape, "cpu", max_memory), "run", ()
    probe = oracle.run(spec, twin, "cpu")
    if not probe.ok:  # errors are only ever reported from the real input
        return _real(spec, shape, "cpu", max_memory), "run", ()
    note = (
        f"CPU torch accepted the twin input {_text(twin)} and meta gave the shape for "
        f"{_text(shape)}; the full computation (~{work(spec, shape, meta.shape):.2g} "
        "operations) was skipped (docs/verify.md)"
    )
    return oracle.Outcome(meta.shape), "twin", (note,)


_OUT_OF_MEMORY = ("can't allocate memory", "out of memory")


def _real(spec: AnySpec, shape: Shape, device: str, max_memory: int = MAX_MEMORY) -> oracle.Outcome:
    """The real call; running out of memory is no answer about shapes (a usage error)."""
    if device != "meta":
        _check_memory(allocation(spec, shape), max_memory, device, "this layer")
    outcome = oracle.run(spec, shape, device)
    _no_memory(outcome.exc, outcome.message, device, "this layer")
    return outcome


def _no_memory(exc: str | None, message: str | None, device: str, what: str) -> None:
    if message and any(text in message for text in _OUT_OF_MEMORY):
        raise UsageError(
            f"torch could not allocate the tensors for {what} on {device} "
            f"({exc}: {message.splitlines()[0][:160]}); --device meta checks it "
            "without allocating"
        )


def _text(shape: Shape) -> str:
    return "(" + ", ".join(map(str, shape)) + ")"


# ---------------------------------------------------------------------------------------
# verify and fuzz
# ---------------------------------------------------------------------------------------


def _require(device: str) -> None:
    if device not in DEVICES:
        raise UsageError(f"unknown device {device!r}; use one of: {', '.join(DEVICES)}")
    if not oracle.available():
        raise oracle.TorchMissing(f"torch is not installed; install it with: {INSTALL}")
    if not oracle.device_available(device):
        raise UsageError(f"device {device!r} is not available to torch {oracle.torch_version()}")


@cache
def _ready(device: str) -> None:
    """:func:`_require`, once per device and process (a failure is not cached)."""
    _require(device)


@cache
def _default_env() -> Env:
    return default_env()


@cache
def _torch_version() -> str | None:
    return oracle.torch_version()


def release_mismatch(target: Resolved) -> str | None:
    """Why ``verify --torch`` cannot check ``target`` here, or None: verify runs the
    installed torch, so a ``--torch`` naming another release would compare that release's
    predictions with the installed release's outcomes (docs/releases.md)."""
    if target.origin != "--torch":
        return None
    installed = oracle.torch_version()
    if installed is None:
        return None
    try:
        runs = resolve(installed)
    except ValueError:  # a build whose version is not a release number
        return None
    if runs.release == target.release:
        return None
    return (
        f"--torch {target.requested}: verify runs the installed torch {installed} "
        f"(predicted as torch {runs.name}); drop --torch, or use calc --torch "
        f"{target.requested} to predict that release without running it"
    )


def default_env() -> Env:
    """The engine environment that matches this machine's torch (thread count)."""
    return Env(num_threads=oracle.num_threads())


def _engine(spec: AnySpec, shape: Shape, env: Env) -> tuple[Result, str | None]:
    try:
        return infer_spec(spec, shape, env), None
    except Exception as exc:  # an engine bug is a finding, not a crash of verify
        crash = f"{type(exc).__name__}: {exc}"
        return Result(spec, tuple(shape), None, notes=(f"engine crashed: {crash}",)), crash


def _verify(
    spec: AnySpec,
    shape: Shape,
    device: str,
    env: Env,
    budget: int,
    version: str | None,
    max_memory: int = MAX_MEMORY,
) -> Check:
    predicted = _engine(spec, shape, env)
    measured = run_torch(spec, shape, device, budget, max_memory)
    return _judge(predicted, measured, device, version)


Predicted = tuple[Result, str | None]
Measured = tuple[oracle.Outcome, str, tuple[str, ...]]


def _judge(predicted: Predicted, measured: Measured, device: str, version: str | None) -> Check:
    (result, crash), (outcome, method, notes) = predicted, measured
    if crash is not None:
        match = ENGINE_CRASHED
        return Check(
            result, outcome, device, False, match, None, notes, method, version, crash=crash
        )
    return compare(result, outcome, device, method=method, notes=notes, torch_version=version)


def verify(
    spec: AnySpec,
    shape: Shape,
    device: str = "cpu",
    *,
    env: Env | None = None,
    budget: int = BUDGET,
    max_memory: int = MAX_MEMORY,
) -> Check:
    """Run the engine and torch on ``spec`` and ``shape`` and compare them.

    Raises :class:`UsageError` for an unknown or unavailable device, for a call that
    would allocate more than ``max_memory`` bytes, and :class:`oracle.TorchMissing` when
    torch is not installed.
    """
    _ready(device)
    env = env or _default_env()
    return _verify(spec, tuple(shape), device, env, budget, _torch_version(), max_memory)


@dataclass
class Tally:
    agree: int = 0
    disagree: int = 0


@dataclass
class FuzzReport:
    """The summary of a fuzz run: verdicts per op, how they agreed, every disagreement."""

    count: int
    seed: int
    ops: tuple[str, ...]
    device: str
    torch_version: str | None
    dtype: str = DTYPE
    tallies: dict[str, Tally] = field(default_factory=dict)
    matches: Counter[str] = field(default_factory=Counter)
    methods: Counter[str] = field(default_factory=Counter)
    disagreements: list[Check] = field(default_factory=list)
    seconds: float = 0.0
    interrupted: bool = False  # Ctrl-C stopped the run: the tallies are what it checked

    @property
    def checked(self) -> int:
        return self.agree + self.disagree

    @property
    def agree(self) -> int:
        return sum(t.agree for t in self.tallies.values())

    @property
    def disagree(self) -> int:
        return sum(t.disagree for t in self.tallies.values())


def resolve_ops(text: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"conv2d,max_pool2d"`` -> the op names, checked against the fuzzer's; None -> all."""
    if text is None:
        return tuple(OPS)
    names = text.split(",") if isinstance(text, str) else list(text)
    ops = tuple(n.strip() for n in names if n.strip())
    unknown = [n for n in ops if n not in OPS]
    if unknown or not ops:
        bad = f"unknown op {unknown[0]!r}" if unknown else "no ops given"
        raise UsageError(f"{bad}; choose from: {', '.join(OPS)}")
    return ops


def verify_many(
    configs: Iterable[tuple[AnySpec, Shape]],
    device: str = "cpu",
    *,
    env: Env | None = None,
    budget: int = BUDGET,
) -> Iterator[Check]:
    """:func:`verify` for many configurations, a chunk at a time: the engine's predictions
    for a chunk first, then torch's calls, so each phase keeps its code and data warm in the
    CPU's caches (interleaving them one by one costs about a fifth more)."""
    _ready(device)
    env = env or _default_env()
    version = _torch_version()
    configs = iter(configs)
    while chunk := list(islice(configs, FUZZ_CHUNK)):
        predicted = [_engine(spec, tuple(shape), env) for spec, shape in chunk]
        measured = [run_torch(spec, shape, device, budget) for spec, shape in chunk]
        for p, m in zip(predicted, measured, strict=True):
            yield _judge(p, m, device, version)


def run_fuzz(
    count: int,
    seed: int,
    ops: Sequence[str] | None = None,
    device: str = "cpu",
    *,
    env: Env | None = None,
    budget: int = BUDGET,
    progress: Callable[[int], None] | None = None,
) -> FuzzReport:
    """Verify ``count`` random configurations (``convshape.fuzz``); one seed, one run.

    ``progress`` is called with 1 after each configuration. Ctrl-C (KeyboardInterrupt)
    ends the run early: the report holds what was checked, with ``interrupted`` set.
    """
    _require(device)
    if count < 0:
        raise UsageError(f"--fuzz must be at least 0, got {count}")
    names = resolve_ops(ops)
    env = env or default_env()
    report = FuzzReport(count, seed, names, device, _torch_version())
    report.tallies = {name: Tally() for name in names}
    start = time.perf_counter()
    checks = verify_many(generate(count, seed, names), device, env=env, budget=budget)
    try:
        for i, check in enumerate(checks):  # generate cycles through the names in order
            tally = report.tallies[names[i % len(names)]]
            report.matches[check.match] += 1
            report.methods[check.method] += 1
            if check.agree:
                tally.agree += 1
            else:
                tally.disagree += 1
                report.disagreements.append(check)
            if progress is not None:
                progress(1)
    except KeyboardInterrupt:
        report.interrupted = True
    report.seconds = time.perf_counter() - start
    return report


# ---------------------------------------------------------------------------------------
# Stacks: every layer's shape, then the first failure
# ---------------------------------------------------------------------------------------

STACK_DEVICES = ("cpu", "meta")
SKIPPED = "skipped"  # a layer one side did not run: an earlier row decides (not a verdict)


class LayerCheck(NamedTuple):
    """One layer of a stack compared: the engine's row, torch's shape or error (None where
    torch did not run it), ``match`` as for :class:`Check` or ``skipped``."""

    row: StackRow
    shape: Shape | None
    exc: str | None
    message: str | None
    agree: bool
    match: str
    notes: tuple[str, ...] = ()


class StackCheck(NamedTuple):
    """A stack verified: the engine's :class:`StackResult`, torch's outcome, one
    :class:`LayerCheck` per layer and the verdict."""

    result: StackResult
    outcome: oracle.StackOutcome
    device: str
    layers: tuple[LayerCheck, ...]
    torch_version: str | None = None
    dtype: str = DTYPE
    crash: str | None = None

    @property
    def agree(self) -> bool:
        return self.crash is None and all(c.agree for c in self.layers)

    @property
    def verdict(self) -> str:
        return "agree" if self.agree else "disagree"

    @property
    def match(self) -> str:
        """The first disagreeing layer's match, else the failing layer's, else ``shape``."""
        if self.crash is not None:
            return ENGINE_CRASHED
        decided = [c for c in self.layers if c.match != SKIPPED]
        bad = next((c for c in decided if not c.agree), None)
        if bad is not None:
            return bad.match
        return decided[-1].match if decided else SHAPE


def _torch_side(outcome: oracle.StackOutcome, i: int) -> tuple[str, Shape | None]:
    """('shape', shape), ('raised', None) or ('idle', None) for layer ``i``."""
    if i < len(outcome.shapes) and (outcome.failed is None or i < outcome.failed):
        return "shape", outcome.shapes[i]
    if outcome.failed == i:
        return "raised", None
    return "idle", None


def _layer_check(
    row: StackRow, failed: StackRow | None, outcome: oracle.StackOutcome, device: str
) -> LayerCheck:
    side, shape = _torch_side(outcome, row.index)
    exc, message = (outcome.exc, outcome.message) if side == "raised" else (None, None)

    def check(agree: bool, match: str, *notes: str) -> LayerCheck:
        return LayerCheck(row, shape, exc, message, agree, match, notes)

    err = row.error
    built = failed is not None and failed.input is None  # the engine: a constructor raises
    if err is not None:
        if side == "raised":
            matched = err.matches(exc or "", message or "")
            if matched is True:
                return check(True, EXACT)
            if isinstance(matched, Variant):
                return check(True, VARIANT, f"torch chose the variant for: {matched.condition}")
            if device == "meta":
                text = _meta_text(message or "")
                if any(exc == e and text == _meta_text(m) for e, m in err.messages()):
                    return check(True, META_FORMAT, "meta formats the values its own way")
                note = f"meta words it differently; the engine's text is CPU's {err.code}"
                return check(True, META_WORDING, note)
            return check(False, MESSAGE_MISMATCH)
        if side == "shape" and device == "meta" and _meta_skips(err.code):
            note = f"meta did not check: {err.code} {err.kind.name} (CPU raises {err.exc})"
            return check(True, META_UNCHECKED, note)
        earlier = outcome.failed is not None and outcome.failed < row.index
        if side == "idle" and earlier and (outcome.stage == "build" or not built):
            return check(True, SKIPPED)  # torch stopped earlier: that row disagrees
        return check(False, TORCH_ACCEPTED)
    if row.output is not None:  # the engine ran the layer and predicts a shape
        if side == "shape":
            return check(True, SHAPE) if shape == row.output else check(False, SHAPE_MISMATCH)
        if side == "raised":
            return check(False, TORCH_RAISED)
        return check(True, SKIPPED)
    # the engine did not run this layer: after its failure, or a constructor error elsewhere
    before = failed is not None and row.index < failed.index
    if side == "raised" and built and outcome.stage == "build" and before:
        return check(False, TORCH_RAISED)
    return check(True, SKIPPED)


def compare_stack(
    result: StackResult,
    outcome: oracle.StackOutcome,
    device: str = "cpu",
    *,
    torch_version: str | None = None,
) -> StackCheck:
    """The verdict for a stack: each layer's shape up to the first failure, then the
    failing layer's index and exception (docs/verify.md, "Stacks")."""
    failed = result.failed
    checks = tuple(_layer_check(row, failed, outcome, device) for row in result.rows)
    return StackCheck(result, outcome, device, checks, torch_version)


def verify_stack(
    layers: Sequence[StackLayer],
    shape: Shape,
    device: str = "cpu",
    *,
    training: bool = True,
    max_memory: int = MAX_MEMORY,
) -> StackCheck:
    """Run the engine's :func:`~convshape.features.network.infer_stack` and the same
    nn.Sequential in torch (built from the parsed layers) on ``shape``, and compare them
    layer by layer.

    Stacks verify on ``cpu`` and ``meta``; other devices raise :class:`UsageError`, as
    does a stack that would allocate more than ``max_memory`` bytes on CPU (its
    parameters and the largest input and output of one layer, float32) or that torch
    cannot allocate.
    """
    if device in DEVICES and device not in STACK_DEVICES:
        raise UsageError(f"a stack verifies on {' or '.join(STACK_DEVICES)}, not {device!r}")
    _ready(device)
    shape = tuple(shape)
    version = _torch_version()
    try:
        result = infer_stack(list(layers), shape, training=training)
    except Exception as exc:  # an engine bug is a finding, not a crash of verify
        outcome = oracle.run_stack([layer.spec for layer in layers], shape, device, training)
        crash = f"{type(exc).__name__}: {exc}"
        return StackCheck(StackResult(shape, ()), outcome, device, (), version, crash=crash)
    if device != "meta":
        _check_memory(stack_allocation(result), max_memory, device, "this stack")
    outcome = oracle.run_stack([layer.spec for layer in layers], shape, device, training)
    _no_memory(outcome.exc, outcome.message, device, "this stack")
    return compare_stack(result, outcome, device, torch_version=version)


def stack_allocation(result: StackResult) -> int:
    """About how many bytes torch allocates to run a stack (float32): every parameter,
    and at the peak the largest input and output of one layer (nn.Sequential frees each
    input once the next layer has its output)."""
    peak = tensor_bytes(result.input, "float32")
    before = peak
    for row in result.rows:
        after = row.output_bytes()
        peak = max(peak, before + after)
        before = after
    return result.params * element_size("float32") + peak
