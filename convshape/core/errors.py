"""One taxonomy of the shape errors torch raises for the convolution family.

Every message template torch 2.13 prints (on CPU) lives here, once. The engine formats
them to predict an error, ``explain`` turns them into regular expressions to recognise
one, and ``verify`` and ``lint`` report them by code. Nowhere else in convshape is a torch
message written out.

Templates use ``{name}`` fields; every value is pre-formatted text (see :func:`sizes`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import FrozenInstanceError, dataclass, field
from functools import cached_property
from typing import Any

from convshape.core.releases import MODELLED, Release, Span, current, span

__all__ = [
    "KINDS",
    "LEGACY",
    "ErrorKind",
    "Legacy",
    "ShapeError",
    "UsageError",
    "Variant",
    "check_input",
    "define",
    "kind",
    "legacy",
    "py_list",
    "py_tuple",
    "releases_of",
    "sizes",
    "torch_size",
    "worded",
]


def sizes(values: Iterable[int]) -> str:
    """C++ ``IntArrayRef`` formatting: ``[2, 6, 5, 5]``."""
    return "[" + ", ".join(str(v) for v in values) + "]"


def py_list(values: Iterable[int]) -> str:
    """Python list repr: ``[2, 6]``."""
    return repr(list(values))


def py_tuple(values: Iterable[int]) -> str:
    """Python tuple repr: ``(2, 6)`` and ``(2,)``."""
    return repr(tuple(values))


def torch_size(values: Iterable[int]) -> str:
    """``torch.Size`` repr: ``torch.Size([2, 6])``."""
    return f"torch.Size({sizes(values)})"


class UsageError(ValueError):
    """Input convshape cannot understand: one line that names the bad value (exit code 2)."""


@dataclass(frozen=True)
class ErrorKind:
    """One kind of torch error: a stable code, the exception type and torch's template."""

    code: str
    name: str
    exc: str
    template: str
    family: str

    def error(self, *, variants: tuple[Variant, ...] = (), **values: object) -> ShapeError:
        """The error with torch's message, worded as the release being predicted for
        (:func:`convshape.core.releases.current`) words it."""
        text = {k: v if type(v) is str else str(v) for k, v in values.items()}
        return ShapeError(self, self.for_release().template.format_map(text), text, variants)

    def for_release(self, release: Release | None = None) -> ErrorKind:
        """The kind whose template ``release`` (default: the current one) prints for this
        fault: this one, or another release's wording (:func:`worded`)."""
        alternatives = WORDINGS.get(self.code)
        if alternatives:
            release = release or current()
            for releases, kind in alternatives:
                if release in releases:
                    return kind
        return self

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """A regex that matches any message this template can produce."""
        out: list[str] = []
        seen: set[str] = set()
        for literal, name, _spec, _conv in _FORMATTER.parse(self.template):
            out.append(re.escape(literal))
            if name is None:
                continue
            if name in seen:
                out.append(f"(?P={name})")
            else:
                seen.add(name)
                out.append(f"(?P<{name}>.+?)")
        return re.compile("".join(out), re.DOTALL)


_FORMATTER = __import__("string").Formatter()


@dataclass(frozen=True)
class Variant:
    """Another message torch may print instead, and what makes torch choose it."""

    exc: str
    message: str
    condition: str
    code: str = ""


@dataclass(frozen=True)
class ShapeError(Exception):
    """A predicted torch error: its kind, torch's exact message and the values in it.

    ``variants`` lists the other messages torch prints for the same fault when the choice
    depends on things a shape cannot tell (the CPU backend torch picks, the hash seed).
    """

    kind: ErrorKind
    message: str
    values: Mapping[str, str] = field(default_factory=dict)
    variants: tuple[Variant, ...] = ()

    def __str__(self) -> str:
        return f"{self.exc}: {self.message}"

    @property
    def code(self) -> str:
        return self.kind.code

    @property
    def exc(self) -> str:
        return self.kind.exc

    def messages(self) -> list[tuple[str, str]]:
        """Every (exception type, message) torch may raise for this fault."""
        return [(self.exc, self.message)] + [(v.exc, v.message) for v in self.variants]

    def matches(self, exc: str, message: str) -> Variant | bool:
        """True for the primary message, the variant torch chose, or False."""
        if (exc, message) == (self.exc, self.message):
            return True
        for v in self.variants:
            if (exc, message) == (v.exc, v.message):
                return v
        return False

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled by its fields (an exception pickles its ``args``, which a dataclass
        leaves empty): a failed result can come back from a process pool."""
        return (type(self), (self.kind, self.message, dict(self.values), self.variants))


def _frozen_but_notes(self: ShapeError, name: str, value: object) -> None:
    """Fields stay frozen; Python's own exception attributes (``add_note``'s
    ``__notes__``) can be set as on any exception."""
    if name.startswith("__") and name.endswith("__"):
        object.__setattr__(self, name, value)
        return
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


ShapeError.__setattr__ = _frozen_but_notes  # type: ignore[method-assign,assignment]


KINDS: dict[str, ErrorKind] = {}


def define(code: str, name: str, exc: str, family: str, template: str) -> ErrorKind:
    """Add one kind of torch error to the taxonomy: a new stable code, a short name, the
    exception type and torch's exact message with ``{fields}``."""
    if code in KINDS:
        raise ValueError(f"error code {code} is already defined")
    k = ErrorKind(code, name, exc, template, family)
    KINDS[code] = k
    return k


_k = define


def kind(code: str) -> ErrorKind:
    return KINDS[code]


RT, VE, TE, NIE, IE = "RuntimeError", "ValueError", "TypeError", "NotImplementedError", "IndexError"

# ---------------------------------------------------------------------------------------
# The UserWarning texts torch prints for these layers (the engine reports them; they are
# not errors, so they carry no code).
# ---------------------------------------------------------------------------------------
SAME_WARNING = (
    "Using padding='same' with even kernel lengths and odd dilation may require a "
    "zero-padded copy of the input be created"
)
ZERO_ELEMENT_WARNING = "Initializing zero-element tensors is a no-op"
IMPLICIT_DIM_WARNING = (
    "Implicit dimension choice for {name} has been deprecated. Change the call to include "
    "dim=X as an argument."
)
INSTANCENORM_FEATURES_WARNING = (
    "input's size at dim={dim} does not match num_features. You can silence this warning by "
    "not passing in num_features, which is not used because affine=False"
)
DROPOUT_RANK_WARNING = (
    "dropout{n}d: Received a {idim}-D input to dropout{n}d, which is deprecated and will result "
    "in an error in a future release. To retain the behavior and silence this warning, please "
    "use dropout instead. Note that dropout{n}d exists to provide channel-wise dropout on "
    "inputs with {n} spatial dimensions, a channel dimension, and an optional batch dimension "
    "(i.e. {r}D or {r1}D inputs)."
)
DROPOUT2D_3D_WARNING = (
    "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
    "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel "
    "dim. This behavior will change in a future release to interpret the input as one without "
    "a batch dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
    "behavior, please switch to using dropout1d instead."
)

# ---------------------------------------------------------------------------------------
# Convolution (F.convNd / F.conv_transposeNd), CPU check order: Convolution.cpp
# ---------------------------------------------------------------------------------------
CONV = "conv"
INPUT_RANK = _k(
    "CS101",
    "input-rank",
    RT,
    CONV,
    "Expected {unbatched}D (unbatched) or {batched}D (batched) input to {op}, "
    "but got input of size: {input}",
)
WEIGHT_RANK = _k("CS102", "weight-rank", RT, CONV, "weight should have at least three dimensions")
GROUPS_NONPOSITIVE = _k(
    "CS103", "groups-nonpositive", RT, CONV, "non-positive groups is not supported"
)
PARAM_LENGTH = _k(
    "CS104",
    "param-length",
    RT,
    CONV,
    "expected {name} to be a single integer value or a list of {n} values to match the "
    "convolution dimensions, but got {name}={value}",
)
NEGATIVE_PADDING = _k("CS105", "negative-padding", RT, CONV, "negative padding is not supported")
NEGATIVE_OUTPUT_PADDING = _k(
    "CS106", "negative-output-padding", RT, CONV, "negative output_padding is not supported"
)
NONPOSITIVE_STRIDE = _k(
    "CS107", "nonpositive-stride", RT, CONV, "non-positive stride is not supported"
)
NEGATIVE_DILATION = _k(
    "CS108", "negative-dilation", RT, CONV, "dilation should be greater than zero"
)
WEIGHT_INPUT_RANK = _k(
    "CS109",
    "weight-input-rank",
    RT,
    CONV,
    "Expected {wdim}-dimensional input for {wdim}-dimensional weight {weight}, but got "
    "{idim}-dimensional input of size {input} instead",
)
GROUPS_EXCEED_WEIGHT = _k(
    "CS110",
    "groups-exceed-weight",
    RT,
    CONV,
    "Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got "
    "weight of size {weight} instead",
)
GROUPS_DIVIDE_WEIGHT = _k(
    "CS111",
    "groups-divide-weight",
    RT,
    CONV,
    "Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
    "got weight of size [{weight}] instead",
)
CHANNEL_MISMATCH = _k(
    "CS112",
    "channel-mismatch",
    RT,
    CONV,
    "Given groups={groups}, weight of size {weight}, expected input{input} to have "
    "{expected} channels, but got {got} channels instead",
)
BIAS_SHAPE = _k(
    "CS113",
    "bias-shape",
    RT,
    CONV,
    "Given weight of size {weight}, expected bias to be 1-dimensional with {expected} "
    "elements, but got bias of size {bias} instead",
)
PADDING_OVERFLOW = _k(
    "CS114",
    "padding-overflow",
    RT,
    CONV,
    "Given padding={padding} at dimension {dim} , expected padding to be at most {limit}",
)
KERNEL_TOO_BIG = _k(
    "CS115",
    "kernel-too-big",
    RT,
    CONV,
    "Calculated padded input size per channel: ({padded}). Kernel size: ({kernel}). "
    "Kernel size can't be greater than actual input size",
)
EMPTY_INPUT = _k(
    "CS116",
    "empty-input",
    RT,
    CONV,
    "Only zero batch or zero channel inputs are supported, but got input shape: {input}",
)
DILATION_ZERO_MKLDNN = _k(
    "CS117", "dilation-zero", RT, CONV, "non-positive dilation is not supported"
)
DILATION_ZERO_THNN = _k(
    "CS118",
    "dilation-zero-slow",
    RT,
    CONV,
    "dilation should be greater than zero, but got {dilation}",
)
DILATION_ZERO_THNN_TRANSPOSE = _k(
    "CS119",
    "dilation-zero-slow-transpose",
    RT,
    CONV,
    "dilation should be greater than zero, but got {dilation}",
)
ONEDNN_DECONV_DESCRIPTOR = _k(
    "CS120",
    "onednn-deconvolution-descriptor",
    RT,
    CONV,
    "could not create a primitive descriptor for the deconvolution forward propagation "
    "primitive. Run workload with environment variable ONEDNN_VERBOSE=all to get additional "
    "diagnostic information.",
)
ONEDNN_CONV_DESCRIPTOR = _k(
    "CS121",
    "onednn-convolution-descriptor",
    RT,
    CONV,
    "could not create a primitive descriptor for the convolution forward propagation "
    "primitive. Run workload with environment variable ONEDNN_VERBOSE=all to get additional "
    "diagnostic information.",
)
KERNEL_ZERO_SLOW = _k(
    "CS122", "kernel-zero", RT, CONV, "kernel size should be greater than zero, but got {kernel}"
)
KERNEL_ZERO_SLOW_3D = _k(
    "CS129",
    "kernel-zero-3d",
    RT,
    CONV,
    "kernel size should be greater than zero, but got: {kernel} (TxHxW)",
)
DIM_OUT_OF_RANGE = _k(
    "CS130",
    "dim-out-of-range",
    IE,
    CONV,
    "Dimension out of range (expected to be in range of [{low}, {high}], but got {got})",
)
TUPLE_INDEX = _k("CS131", "tuple-index", IE, CONV, "tuple index out of range")
PAD_LENGTH = _k(
    "CS132",
    "pad-length",
    RT,
    CONV,
    "Padding length should be less than or equal to two times the input dimension but got "
    "padding length {pad} and input of dimension {idim}",
)
SAME_STRIDED = _k(
    "CS123",
    "same-strided",
    RT,
    CONV,
    "padding='same' is not supported for strided convolutions",
)
SAME_WEIGHT_INPUT_RANK = _k(
    "CS124",
    "same-weight-input-rank",
    RT,
    CONV,
    "Expected {wdim}-dimensional input for {wdim}-dimensional weight{weight}, but got "
    "{idim}-dimensional input of size {input} instead",
)
SAME_BROADCAST = _k(
    "CS125", "same-broadcast", RT, CONV, "{name} cannot broadcast to {n} dimensions"
)
PADDING_STRING = _k("CS126", "padding-string", RT, CONV, "Invalid padding string: '{padding}'")
NEGATIVE_DIMENSION = _k(
    "CS127",
    "negative-dimension",
    RT,
    CONV,
    "Trying to create tensor with negative dimension {value}: {shape}",
)
INVALID_SHAPE_DIMENSION = _k(
    "CS128",
    "invalid-shape-dimension",
    RT,
    CONV,
    "invalid shape dimension {value} at index {index} of shape {shape}",
)

RESHAPE_AMBIGUOUS = _k(
    "CS134",
    "reshape-ambiguous",
    RT,
    CONV,
    "cannot reshape tensor of 0 elements into shape {shape} because the unspecified "
    "dimension size -1 can be any value and is ambiguous",
)
RESHAPE_INFER_TWICE = _k(
    "CS135", "reshape-infer-twice", RT, CONV, "only one dimension can be inferred"
)
NARROW_NEGATIVE = _k("CS136", "narrow-negative", RT, CONV, "narrow(): length must be non-negative.")
EMPTY_SELECT = _k(
    "CS133",
    "empty-select",
    IE,
    CONV,
    "select(): index 0 out of range for tensor of size [0] at dimension 0",
)

# Transposed convolution.
TRANSPOSED_CHANNEL_MISMATCH = _k(
    "CS201",
    "transposed-channel-mismatch",
    RT,
    CONV,
    "Given transposed=1, weight of size {weight}, expected input{input} to have {expected} "
    "channels, but got {got} channels instead",
)
TRANSPOSED_BIAS_SHAPE = _k(
    "CS202",
    "transposed-bias-shape",
    RT,
    CONV,
    "Given transposed=1, weight of size {weight}, expected bias to be 1-dimensional with "
    "{expected} elements, but got bias of size {bias} instead",
)
TRANSPOSED_OUTPUT_TOO_SMALL = _k(
    "CS203",
    "transposed-output-too-small",
    RT,
    CONV,
    "Given input size per channel: ({input}). Calculated output size per channel: "
    "({output}). Output size is too small",
)
ONEDNN_MEMORY_DESCRIPTOR = _k(
    "CS204",
    "onednn-memory-descriptor",
    RT,
    CONV,
    "could not construct a memory descriptor using a format tag",
)
OUTPUT_PADDING_TOO_BIG = _k(
    "CS205",
    "output-padding-too-big",
    RT,
    CONV,
    "output padding must be smaller than either stride or dilation, but got {values}",
)
SLOW_TRANSPOSE_WEIGHT_2D = _k(
    "CS210",
    "slow-transpose-weight",
    RT,
    CONV,
    "non-empty 2D or 4D weight tensor expected, but got: {weight}",
)
SLOW_TRANSPOSE_WEIGHT_3D = _k(
    "CS211",
    "slow-transpose-weight-3d",
    RT,
    CONV,
    "non-empty 5D (n_output_plane x n_input_plane x kernel_depth x kernel_height x "
    "kernel_width) tensor expected for weight, but got: {weight}",
)
TRANSPOSE_CALL_PADDING_STRING = _k(
    "CS213",
    "transpose-call-padding-string",
    TE,
    CONV,
    "{op}(): argument {argument} must be tuple of ints, not str",
)
ONEDNN_DIMENSIONS_INVALID = _k(
    "CS212", "onednn-dimensions-invalid", RT, CONV, "dimensions are invalid"
)
OUTPUT_SIZE_LENGTH = _k(
    "CS206",
    "output-size-length",
    VE,
    CONV,
    "ConvTranspose{n}D: for {idim}D input, output_size must have {n} or {full} elements "
    "(got {got})",
)
OUTPUT_SIZE_RANGE = _k(
    "CS207",
    "output-size-range",
    VE,
    CONV,
    "requested an output size of {requested}, but valid sizes range from {min} to {max} "
    "(for an input of {input})",
)
TRANSPOSE_PADDING_MODE = _k(
    "CS208",
    "transpose-padding-mode",
    VE,
    CONV,
    'Only "zeros" padding mode is supported for {cls}',
)
TRANSPOSE_PADDING_STRING = _k(
    "CS209",
    "transpose-padding-string",
    TE,
    CONV,
    "{op}(): argument 'padding' (position 5) must be tuple of ints, but found element of "
    "type str at pos 0",
)

# nn.ConvNd constructors (torch/nn/modules/conv.py).
MODULE = "module"
GROUPS_POSITIVE = _k("CS701", "groups-positive", VE, MODULE, "groups must be a positive integer")
IN_CHANNELS_GROUPS = _k(
    "CS702", "in-channels-groups", VE, MODULE, "in_channels must be divisible by groups"
)
OUT_CHANNELS_GROUPS = _k(
    "CS703", "out-channels-groups", VE, MODULE, "out_channels must be divisible by groups"
)
MODULE_PADDING_STRING = _k(
    "CS704",
    "module-padding-string",
    VE,
    MODULE,
    "Invalid padding string {padding}, should be one of {choices}",
)
MODULE_SAME_STRIDED = _k(
    "CS705",
    "module-same-strided",
    VE,
    MODULE,
    "padding='same' is not supported for strided convolutions",
)
MODULE_PADDING_MODE = _k(
    "CS706",
    "module-padding-mode",
    VE,
    MODULE,
    "padding_mode must be one of {choices}, but got padding_mode='{mode}'",
)

# ---------------------------------------------------------------------------------------
# F.pad with reflect / replicate / circular (padding_mode), PadNd.cpp and friends
# ---------------------------------------------------------------------------------------
PAD = "pad"
PAD_RANK = _k(
    "CS601",
    "pad-rank",
    NIE,
    PAD,
    "Padding size {pad} is not supported for {idim}D input tensor.\n"
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)",
)
REFLECT_PAD_TOO_BIG = _k(
    "CS602",
    "reflect-pad-too-big",
    RT,
    PAD,
    "Argument #{arg}: Padding size should be less than the corresponding input dimension, "
    "but got: padding ({left}, {right}) at dimension {dim} of input {input}",
)
PAD_OUTPUT_TOO_SMALL = _k(
    "CS603",
    "pad-output-too-small",
    RT,
    PAD,
    "input ({input}) is too small. Calculated output {output}",
)
PAD_EMPTY_INPUT = _k(
    "CS604",
    "pad-empty-input",
    RT,
    PAD,
    "Expected {r}D or {r1}D (batch mode) tensor with possibly 0 batch size and other "
    "non-zero dimensions for input, but got: {input}",
)
PAD_NUMEL_OVERFLOW = _k(
    "CS607", "pad-numel-overflow", RT, PAD, "numel: integer multiplication overflow"
)
CIRCULAR_WRAP = _k(
    "CS605", "circular-wrap", RT, PAD, "Padding value causes wrapping around more than once."
)
CIRCULAR_NEGATIVE = _k(
    "CS606",
    "circular-negative",
    RT,
    PAD,
    "Negative padding value is resulting in an empty dimension",
)

# ---------------------------------------------------------------------------------------
# Max / average / LP pooling (MaxPooling.cpp, Pooling.cpp, DilatedMaxPool2d/3d.cpp,
# AveragePool2d/3d.cpp, Pool.h; F.lp_poolNd in torch/nn/functional.py)
# ---------------------------------------------------------------------------------------
POOL = "pool"
MAX_POOL1D_INPUT = _k(
    "CS301",
    "max-pool1d-input",
    RT,
    POOL,
    "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
    "input, but got:{input}",
)
MAX_POOL1D_KERNEL_LENGTH = _k(
    "CS302",
    "max-pool1d-kernel-length",
    RT,
    POOL,
    "max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but "
    "got size {n}",
)
MAX_POOL1D_STRIDE_LENGTH = _k(
    "CS303",
    "max-pool1d-stride-length",
    RT,
    POOL,
    "max_pool1d() stride must be None, an int, list of ints, or tuple of ints of size 1 but "
    "got size {n}",
)
MAX_POOL1D_PADDING_LENGTH = _k(
    "CS304",
    "max-pool1d-padding-length",
    RT,
    POOL,
    "max_pool1d() padding must be an int, list of ints, or tuple of ints of size 1 but got "
    "size {n}",
)
MAX_POOL1D_DILATION_LENGTH = _k(
    "CS305",
    "max-pool1d-dilation-length",
    RT,
    POOL,
    "max_pool1d() dilation must be an int, list of ints or tuple of ints of size 1 but got "
    "size {n}",
)
MAX_POOL1D_KERNEL = _k(
    "CS306",
    "max-pool1d-kernel",
    RT,
    POOL,
    "max_pool1d() kernel_size must be greater than zero, but got {kernel}",
)
MAX_POOL1D_STRIDE = _k(
    "CS307",
    "max-pool1d-stride",
    RT,
    POOL,
    "max_pool1d() stride must be greater than zero, but got {stride}",
)
MAX_POOL1D_PADDING = _k(
    "CS308",
    "max-pool1d-padding",
    RT,
    POOL,
    "max_pool1d() padding must be non-negative, but got {padding}",
)
MAX_POOL1D_PADDING_HALF = _k(
    "CS309",
    "max-pool1d-padding-half",
    RT,
    POOL,
    "max_pool1d() padding should be at most half of kernel size, but got padding={padding} "
    "and kernel_size={kernel}",
)
MAX_POOL1D_DILATION = _k(
    "CS310",
    "max-pool1d-dilation",
    RT,
    POOL,
    "max_pool1d() dilation must be greater than zero, but got {dilation}",
)
MAX_POOL1D_OUTPUT = _k(
    "CS311",
    "max-pool1d-output",
    RT,
    POOL,
    "max_pool1d() Invalid computed output size: {output}",
)
DIM_RANGE = _k(
    "CS312",
    "dim-range",
    RT,
    POOL,
    "Expected {low} to {high} dimensions, but got {idim}-dimensional tensor for argument #1 "
    "'self' (while checking arguments for {op})",
)
ONE_INT = _k(
    "CS313",
    "one-int",
    RT,
    POOL,
    "{op}() argument '{name}' should contain one int (got {n})",
)
POOL_KERNEL_LENGTH = _k(
    "CS314",
    "pool-kernel-length",
    RT,
    POOL,
    "{op}: kernel_size must either be a single int, or a tuple of {n} ints",
)
POOL_STRIDE_LENGTH = _k(
    "CS315",
    "pool-stride-length",
    RT,
    POOL,
    "{op}: stride must either be omitted, a single int, or a tuple of {n} ints",
)
POOL_PADDING_LENGTH = _k(
    "CS316",
    "pool-padding-length",
    RT,
    POOL,
    "{op}: padding must either be a single int, or a tuple of {n} ints",
)
POOL_DILATION_LENGTH = _k(
    "CS317",
    "pool-dilation-length",
    RT,
    POOL,
    "{op}: dilation must be either a single int, or a tuple of {n} ints",
)
AVG_POOL3D_KERNEL_LENGTH = _k(
    "CS318",
    "avg-pool3d-kernel-length",
    RT,
    POOL,
    "avg_pool3d: kernel_size must be a single int, or a tuple of three ints",
)
AVG_POOL3D_STRIDE_LENGTH = _k(
    "CS319",
    "avg-pool3d-stride-length",
    RT,
    POOL,
    "avg_pool3d: stride must be omitted, a single int, or a tuple of three ints",
)
AVG_POOL3D_PADDING_LENGTH = _k(
    "CS320",
    "avg-pool3d-padding-length",
    RT,
    POOL,
    "avg_pool3d: padding must be a single int, or a tuple of three ints",
)
DIVISOR_ZERO = _k("CS321", "divisor-zero", RT, POOL, "divisor must be not zero")
POOL_RANK = _k(
    "CS322",
    "pool-rank",
    RT,
    POOL,
    "non-empty {r}D or {r1}D (batch mode) tensor expected for input",
)
DIM_NO_DIMENSIONS = _k(
    "CS323",
    "dim-no-dimensions",
    IE,
    POOL,
    "Dimension specified as {got} but tensor has no dimensions",
)
POOL_STRIDE_ZERO = _k("CS324", "pool-stride-zero", RT, POOL, "stride should not be zero")
POOL_PAD_NEGATIVE = _k(
    "CS325", "pool-pad-negative", RT, POOL, "pad must be non-negative, but got pad: {pad}"
)
POOL_PAD_HALF_EFFECTIVE = _k(
    "CS326",
    "pool-pad-half-effective",
    RT,
    POOL,
    "pad should be at most half of effective kernel size, but got pad={pad}, "
    "kernel_size={kernel} and dilation={dilation}",
)
POOL_STRIDE_NONPOSITIVE = _k(
    "CS327",
    "pool-stride-nonpositive",
    RT,
    POOL,
    "stride should be greater than zero, but got {stride}",
)
POOL2D_INPUT = _k(
    "CS328",
    "pool2d-input",
    RT,
    POOL,
    "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
    "got:{input}",
)
POOL3D_EMPTY = _k(
    "CS329",
    "pool3d-empty",
    RT,
    POOL,
    "{fn}: Expected input's non-batch dimensions to have positive length, but input has a "
    "shape of {input} and non-batch dimension {size} has length zero!",
)
AVG_POOL3D_INPUT_SMALL = _k(
    "CS330",
    "avg-pool3d-input-small",
    RT,
    POOL,
    "input image (T: {T} H: {H} W: {W}) smaller than kernel size (kT: {kT} kH: {kH} kW: {kW})",
)
POOL2D_PAD_HALF = _k(
    "CS331",
    "pool2d-pad-half",
    RT,
    POOL,
    "pad should be smaller than or equal to half of kernel size, but got padW = {padW}, "
    "padH = {padH}, kW = {kW}, kH = {kH}",
)
POOL3D_PAD_HALF = _k(
    "CS332",
    "pool3d-pad-half",
    RT,
    POOL,
    "pad should be smaller than or equal to half of kernel size, but got kT: {kT} kW: {kW} "
    "kH: {kH} padT: {padT} padW: {padW} padH: {padH}",
)
POOL_OUTPUT_TOO_SMALL = _k(
    "CS333",
    "pool-output-too-small",
    RT,
    POOL,
    "Given input size: ({input}). Calculated output size: ({output}). Output size is too small",
)
UNPACK_TOO_FEW = _k(
    "CS334",
    "unpack-too-few",
    VE,
    POOL,
    "not enough values to unpack (expected {expected}, got {got})",
)
UNPACK_TOO_MANY = _k(
    "CS335", "unpack-too-many", VE, POOL, "too many values to unpack (expected {expected})"
)
UNPACK_TOO_MANY_COUNTED = _k(
    "CS336",
    "unpack-too-many-counted",
    VE,
    POOL,
    "too many values to unpack (expected {expected}, got {got})",
)
LP_NORM_ZERO = _k("CS337", "lp-norm-zero", "ZeroDivisionError", POOL, "float division by zero")

# ---------------------------------------------------------------------------------------
# Adaptive pooling (AdaptiveAveragePooling*.cpp, AdaptiveMaxPooling*.cpp, Pooling.cpp;
# _list_with_default in torch/nn/modules/utils.py)
# ---------------------------------------------------------------------------------------
ADAPTIVE = "adaptive"
ADAPTIVE_INPUT_DIMENSION = _k(
    "CS401",
    "adaptive-input-dimension",
    VE,
    ADAPTIVE,
    "Input dimension should be at least {n}",
)
ADAPTIVE_NONE_FIRST = _k(
    "CS402",
    "adaptive-none-first",
    TE,
    ADAPTIVE,
    "{op}(): argument 'output_size' (position 2) must be tuple of ints, but found element of "
    "type NoneType at pos 0",
)
ADAPTIVE_NONE_LATER = _k(
    "CS403",
    "adaptive-none-later",
    TE,
    ADAPTIVE,
    "{op}(): argument 'output_size' failed to unpack the object at pos {pos} with error "
    '"type must be tuple of ints,but got NoneType"',
)
ADAPTIVE_AVG_OUTPUT_LENGTH = _k(
    "CS404",
    "adaptive-avg-output-length",
    RT,
    ADAPTIVE,
    "{op}: output_size must be {n}",
)
ADAPTIVE_AVG_OUTPUT_NEGATIVE = _k(
    "CS405",
    "adaptive-avg-output-negative",
    RT,
    ADAPTIVE,
    "{op}: elements of output_size must be greater than or equal to 0 but received {values}",
)
ADAPTIVE_AVG_RANK = _k(
    "CS406",
    "adaptive-avg-rank",
    RT,
    ADAPTIVE,
    "{op}(): Expected {r}D or {r1}D tensor, but got {input}",
)
ADAPTIVE_MAX_RANK = _k(
    "CS407",
    "adaptive-max-rank",
    RT,
    ADAPTIVE,
    "{op}(): Expected {r}D or {r1}D tensor, but got: {input}",
)
ADAPTIVE_EMPTY = _k(
    "CS408",
    "adaptive-empty",
    RT,
    ADAPTIVE,
    "{op}(): Expected input to have non-zero size for non-batch dimensions, but input has "
    "sizes {input} with dimension {dim} being empty",
)
ADAPTIVE_MAX_OUTPUT_LENGTH = _k(
    "CS409",
    "adaptive-max-output-length",
    RT,
    ADAPTIVE,
    "{op}(): internal error: output_size.size() must be {n}",
)

# ---------------------------------------------------------------------------------------
# nn.Unfold / F.unfold (Im2Col.cpp) and nn.Fold / F.fold (Col2Im.cpp), im2col_shape_check.h
# ---------------------------------------------------------------------------------------
FOLD = "fold"
FOLD_PARAM_LENGTH = _k(
    "CS501",
    "fold-param-length",
    RT,
    FOLD,
    "It is expected {name} equals to 2, but got size {n}",
)
FOLD_PADDING_NEGATIVE = _k(
    "CS502",
    "fold-padding-negative",
    RT,
    FOLD,
    "padding should be non-negative, but got {padding}",
)
UNFOLD_BLOCKS = _k(
    "CS503",
    "unfold-blocks",
    RT,
    FOLD,
    "Given input with spatial size {spatial}, kernel_size={kernel}, dilation={dilation}, "
    "padding={padding}, calculated shape of the array of sliding blocks as {blocks}, but its "
    "components must be at least one.",
)
FOLD_INPUT = _k(
    "CS504",
    "fold-input",
    RT,
    FOLD,
    "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
    "dimensions for input, but got: {input}",
)
FOLD_CHANNELS = _k(
    "CS505",
    "fold-channels",
    RT,
    FOLD,
    "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
    "got input.size(1)={channels} and kernel_size={kernel}.",
)
FOLD_BLOCKS_MISMATCH = _k(
    "CS506",
    "fold-blocks-mismatch",
    RT,
    FOLD,
    "Given output_size={output_size}, kernel_size={kernel}, dilation={dilation}, "
    "padding={padding}, stride={stride}, expected size of input's dimension 2 to match the "
    "calculated number of sliding blocks {bh} * {bw} = {blocks}, but got input.size(2)={length}.",
)
FOLD_BLOCKS_NONPOSITIVE = _k(
    "CS507",
    "fold-blocks-nonpositive",
    RT,
    FOLD,
    "Given output_size={output_size}, kernel_size={kernel}, dilation={dilation}, "
    "padding={padding}, stride={stride}, calculated shape of the array of sliding blocks as "
    "{blocks}, which is too small (non-positive)",
)
FOLD_OUTPUT_NONPOSITIVE = _k(
    "CS508",
    "fold-output-nonpositive",
    RT,
    FOLD,
    "Expected output spatial size to be positive, but got: output_size={output_size}.",
)
INT_OVERFLOW = _k(
    "CS338",
    "int-overflow",
    RT,
    POOL,
    "value cannot be converted to type int without overflow",
)

# ---------------------------------------------------------------------------------------
# Layers that sit between convolutions (nn.Linear, norms, PixelShuffle, ...): the errors a
# stack of layers hits next to the conv family's own.
# ---------------------------------------------------------------------------------------
LAYERS = "layers"
LINEAR_MISMATCH = _k(
    "CS801",
    "linear-mismatch",
    RT,
    LAYERS,
    "mat1 and mat2 shapes cannot be multiplied ({rows}x{got} and {expected}x{out})",
)
BATCHNORM_FEATURES = _k(
    "CS802",
    "batchnorm-features",
    RT,
    LAYERS,
    "running_mean should contain {got} elements not {expected}",
)
# Tensors joined in forward (static lint's rules.tensor_binop and rules._cat check them);
# texts of torch 2.13 on CPU: ``a + b``, ``torch.add``; ``torch.cat``.
BROADCAST_MISMATCH = _k(
    "CS880",
    "broadcast-mismatch",
    RT,
    LAYERS,
    "The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton "
    "dimension {dim}",
)
CAT_SIZES = _k(
    "CS881",
    "cat-sizes",
    RT,
    LAYERS,
    "Sizes of tensors must match except in dimension {dim}. Expected size {expected} but got "
    "size {got} for tensor number {index} in the list.",
)
CAT_RANK = _k(
    "CS882",
    "cat-rank",
    RT,
    LAYERS,
    "Tensors must have same number of dimensions: got {a} and {b}",
)
BATCHNORM_RANK = _k(
    "CS803", "batchnorm-rank", VE, LAYERS, "expected {expected} input (got {got}D input)"
)
BATCHNORM_ONE_VALUE = _k(
    "CS804",
    "batchnorm-one-value",
    VE,
    LAYERS,
    "Expected more than 1 value per channel when training, got input size {input}",
)
GROUPNORM_CHANNELS = _k(
    "CS805",
    "groupnorm-channels",
    RT,
    LAYERS,
    "Expected weight to be a vector of size equal to the number of channels in input, but got "
    "weight of shape {weight} and input of shape {input}",
)
GROUPNORM_GROUPS = _k(
    "CS806",
    "groupnorm-groups",
    VE,
    LAYERS,
    "num_channels ({channels}) must be divisible by num_groups ({groups})",
)
LAYERNORM_SHAPE = _k(
    "CS807",
    "layernorm-shape",
    RT,
    LAYERS,
    "Given normalized_shape={normalized}, expected input with shape [*, {tail}], but got input "
    "of size{input}",
)
INSTANCENORM_FEATURES = _k(
    "CS808",
    "instancenorm-features",
    VE,
    LAYERS,
    "expected input's size at dim={dim} to match num_features ({expected}), but got: {got}.",
)
PIXEL_SHUFFLE_CHANNELS = _k(
    "CS809",
    "pixel-shuffle-channels",
    RT,
    LAYERS,
    "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
    "upscale_factor, but input.size(-3)={channels} is not divisible by {square}",
)

# ---------------------------------------------------------------------------------------
# More of the layers between convolutions (stacks: the LAYERS group), each message checked
# against torch 2.13 on CPU. CS803's text is also what CircularPadNd's rank check prints.
# ---------------------------------------------------------------------------------------
BATCHNORM_WEIGHT_FEATURES = _k(
    "CS810",
    "batchnorm-weight-features",
    RT,
    LAYERS,
    "weight should contain {got} elements not {expected}",
)
LINEAR_SCALAR = _k(
    "CS811",
    "linear-scalar",
    RT,
    LAYERS,
    "both arguments to linear need to be at least 1D, but they are {idim}D and 2D",
)
GROUPNORM_RANK = _k(
    "CS812",
    "groupnorm-rank",
    RT,
    LAYERS,
    "Expected at least 2 dimensions for input tensor but received {idim}",
)
GROUPNORM_INPUT_GROUPS = _k(
    "CS813",
    "groupnorm-input-groups",
    RT,
    LAYERS,
    "Expected number of channels in input to be divisible by num_groups, but got input of "
    "shape {input} and num_groups={groups}",
)
INSTANCENORM_SPATIAL = _k(
    "CS814",
    "instancenorm-spatial",
    VE,
    LAYERS,
    "Expected more than 1 spatial element when training, got input size {input}",
)
LAYERNORM_EMPTY = _k(
    "CS815",
    "layernorm-empty",
    RT,
    LAYERS,
    "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
    "element, but got normalized_shape = {normalized}",
)
PIXEL_SHUFFLE_RANK = _k(
    "CS816",
    "pixel-shuffle-rank",
    RT,
    LAYERS,
    "{op} expects input to have at least 3 dimensions, but got input with {idim} dimension(s)",
)
PIXEL_SHUFFLE_FACTOR = _k(
    "CS817",
    "pixel-shuffle-factor",
    RT,
    LAYERS,
    "{op} expects a positive {name}, but got {factor}",
)
PIXEL_UNSHUFFLE_SPATIAL = _k(
    "CS818",
    "pixel-unshuffle-spatial",
    RT,
    LAYERS,
    "pixel_unshuffle expects {what} to be divisible by downscale_factor, but "
    "input.size({dim})={size} is not divisible by {factor}",
)
FLATTEN_ORDER = _k(
    "CS819",
    "flatten-order",
    RT,
    LAYERS,
    "flatten() has invalid args: start_dim cannot come after end_dim",
)
UNFLATTEN_SIZES = _k(
    "CS820",
    "unflatten-sizes",
    RT,
    LAYERS,
    "unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} ({size}) in "
    "the input tensor",
)
UNFLATTEN_EMPTY = _k("CS821", "unflatten-empty", RT, LAYERS, "unflatten: sizes must be non-empty")
UNFLATTEN_INTERNAL = _k(  # torch appends its C++ stack trace to this text
    "CS822",
    "unflatten-internal",
    RT,
    LAYERS,
    "unflatten got an unexpected error:\n{reason}",
)
GLU_SCALAR = _k(
    "CS823",
    "glu-scalar",
    RT,
    LAYERS,
    "glu does not support scalars because halving size must be even",
)
GLU_ODD = _k(
    "CS824",
    "glu-odd",
    RT,
    LAYERS,
    "Halving dimension must be even, but dimension {dim} is size {size}",
)
PRELU_SCALAR = _k("CS825", "prelu-scalar", RT, LAYERS, "Not allow zero-dim input tensor.")
PRELU_CHANNELS = _k(
    "CS826",
    "prelu-channels",
    RT,
    LAYERS,
    "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
    "{params} and channel size = {channels}.",
)
DROPOUT_PROBABILITY = _k(
    "CS827",
    "dropout-probability",
    VE,
    LAYERS,
    "dropout probability has to be between 0 and 1, but got {p}",
)
DROPOUT1D_RANK = _k(
    "CS828",
    "dropout1d-rank",
    RT,
    LAYERS,
    "dropout1d: Expected 2D or 3D input, but received a {idim}D input. Note that dropout1d "
    "exists to provide channel-wise dropout on inputs with 1 spatial dimension, a channel "
    "dimension, and an optional batch dimension (i.e. 2D or 3D inputs).",
)
FEATURE_DROPOUT_RANK = _k(
    "CS829",
    "feature-dropout-rank",
    RT,
    LAYERS,
    "Feature dropout requires at least 2 dimensions in the input",
)
SOFTMAX2D_RANK = _k(
    "CS830",
    "softmax2d-rank",
    VE,
    LAYERS,
    "Softmax2d: expected input to be 3D or 4D, got {idim}D instead",
)
GELU_APPROXIMATE = _k(
    "CS831",
    "gelu-approximate",
    RT,
    LAYERS,
    "approximate argument must be either none or tanh.",
)
INTERPOLATE_ALIGN_CORNERS = _k(
    "CS832",
    "interpolate-align-corners",
    VE,
    LAYERS,
    "align_corners option can only be set with the interpolating modes: linear | bilinear | "
    "bicubic | trilinear",
)
INTERPOLATE_BOTH = _k(
    "CS833",
    "interpolate-both",
    VE,
    LAYERS,
    "only one of size or scale_factor should be defined",
)
INTERPOLATE_SIZE_LENGTH = _k(
    "CS834",
    "interpolate-size-length",
    VE,
    LAYERS,
    "Input and output must have the same number of spatial dimensions, but got input with "
    "spatial dimensions of {spatial} and output size of {size}. Please provide input tensor "
    "in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.",
)
INTERPOLATE_SCALE_LENGTH = _k(
    "CS835",
    "interpolate-scale-length",
    VE,
    LAYERS,
    "Input and scale_factor must have the same number of spatial dimensions, but got input "
    "with spatial dimensions of {spatial} and scale_factor of shape {scale}. Please provide "
    "input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) "
    "format.",
)
INTERPOLATE_NEITHER = _k(
    "CS836",
    "interpolate-neither",
    VE,
    LAYERS,
    "either size or scale_factor should be defined",
)
INTERPOLATE_RECOMPUTE = _k(
    "CS837",
    "interpolate-recompute",
    VE,
    LAYERS,
    "recompute_scale_factor is not meaningful with an explicit size.",
)
INTERPOLATE_RANK = _k(
    "CS838",
    "interpolate-rank",
    NIE,
    LAYERS,
    "Input Error: Only 3D, 4D and 5D input Tensors supported (got {idim}D) for the modes: "
    "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact "
    "(got {mode})",
)
INTERPOLATE_MODE_RANK = _k(
    "CS839",
    "interpolate-mode-rank",
    NIE,
    LAYERS,
    "Got {idim}D input, but {mode} mode needs {need}D input",
)
INTERPOLATE_SIZES = _k(
    "CS840",
    "interpolate-sizes",
    RT,
    LAYERS,
    "Input and output sizes should be greater than 0, but got input ({input}) output ({output})",
)
INTERPOLATE_SIZES_1D = _k(
    "CS841",
    "interpolate-sizes-1d",
    RT,
    LAYERS,
    "Input and output sizes should be greater than 0, but got input ({input}) and output "
    "({output})",
)
INTERPOLATE_EMPTY = _k(
    "CS842",
    "interpolate-empty",
    RT,
    LAYERS,
    "Non-empty {r}D data tensor expected but got a tensor with sizes {input}",
)
LANCZOS_ANTIALIAS = _k(
    "CS843", "lanczos-antialias", VE, LAYERS, "Lanczos mode requires antialias=True"
)
INTERPOLATE_INT64_OVERFLOW = _k(
    "CS844",
    "interpolate-int64-overflow",
    RT,
    LAYERS,
    "value cannot be converted to type int64_t without overflow",
)
INSTANCENORM_STATS_VIEW = _k(
    "CS845",
    "instancenorm-stats-view",
    RT,
    LAYERS,
    "shape '[{b}, {c}]' is invalid for input of size {size}",
)
INSTANCENORM_STATS_BROADCAST_ONE = _k(
    "CS846",
    "instancenorm-stats-broadcast-one",
    RT,
    LAYERS,
    "output with shape [1] doesn't match the broadcast shape [{c}]",
)
INSTANCENORM_STATS_BROADCAST = _k(
    "CS847",
    "instancenorm-stats-broadcast",
    RT,
    LAYERS,
    "The size of tensor a ({features}) must match the size of tensor b ({c}) at non-singleton "
    "dimension 0",
)

# ---------------------------------------------------------------------------------------
# Older torch's wordings (family ``legacy``): messages torch printed before 2.13 for faults
# that today's torch words differently, or that only a CUDA build prints. explain recognises
# them, says which torch versions printed them and, when the text has the numbers, what
# torch 2.13 prints instead (``today``) with a calc command that prints it. Each wording is
# quoted from torch's source; tests/test_explain_legacy.py cites the file and commit.
# ---------------------------------------------------------------------------------------
LEGACY_FAMILY = "legacy"


@dataclass(frozen=True)
class Legacy:
    """Another release's wording: the versions that print it, where it comes from (torch's
    source, or the recorded fixtures) and the code torch 2.13 prints for the same fault
    (None: no CPU equivalent)."""

    versions: str
    source: str
    today: str | None


LEGACY: dict[str, Legacy] = {}
WORDINGS: dict[str, list[tuple[Span, ErrorKind]]] = {}
"""Per 2.13 code, the other modelled releases' wordings of the same fault (same fields)."""

RECORDED = "recorded from the release (tests/torch_releases)"


def legacy(
    code: str, name: str, exc: str, template: str, *, versions: str, source: str, today: str | None
) -> ErrorKind:
    """Add an older torch's wording to the taxonomy (family ``legacy``)."""
    k = define(code, name, exc, LEGACY_FAMILY, template)
    if source == RECORDED:  # modelled releases: "2.15-" -> "2.15", "1.13-2.1"
        versions = str(span(versions))
    LEGACY[code] = Legacy(versions, source, today)
    return k


def worded(
    code: str, name: str, template: str, *, releases: str, today: ErrorKind, source: str = RECORDED
) -> ErrorKind:
    """Add the wording ``releases`` (modelled ones, e.g. ``"1.13-2.1"``) print for the fault
    torch 2.13 words as ``today``, with the same fields: the engine prints it when it
    predicts for one of those releases, explain recognises it (family ``legacy``)."""
    k = legacy(code, name, today.exc, template, versions=releases, source=source, today=today.code)
    WORDINGS.setdefault(today.code, []).append((span(releases), k))
    return k


def releases_of(code: str) -> str:
    """The releases that print a code's template: its recorded span for another release's
    wording, else the modelled releases no other wording of it covers (``"2.2-2.15"``)."""
    if code in LEGACY:
        return LEGACY[code].versions
    covered = [s for s, _ in WORDINGS.get(code, ())]
    printing = [r for r in MODELLED if not any(r in s for s in covered)]
    if not printing:
        return ""
    runs: list[list[Release]] = []
    for r in printing:
        if runs and MODELLED.index(r) == MODELLED.index(runs[-1][-1]) + 1:
            runs[-1].append(r)
        else:
            runs.append([r])
    return ", ".join(str(Span(run[0], run[-1])) for run in runs)


LEGACY_ADDMM = legacy(
    "CS860",
    "legacy-addmm-size-mismatch",
    RT,
    "size mismatch, m1: [{rows} x {got}], m2: [{expected} x {out}]",
    versions="0.2-1.4",
    source="TH/THC addmm (THTensorMath, THCTensorMathBlas.cu)",
    today="CS801",
)
LEGACY_KERNEL_TOO_BIG = legacy(
    "CS861",
    "legacy-kernel-too-big",
    RT,
    "Calculated input size: ({padded}). Kernel size: ({kernel}). Kernel size can't greater "
    "than actual input size",
    versions="0.4",
    source="THNN SpatialConvolutionMM.c",
    today="CS115",
)
LEGACY_INPUT_RANK = legacy(
    "CS862",
    "legacy-input-rank",
    RT,
    "3D or 4D input tensor expected but got: {input}",
    versions="0.4",
    source="THNN SpatialConvolutionMM.c (and THNN/THCUNN 2-d pooling)",
    today="CS101",
)
LEGACY_WEIGHT_RANK = legacy(
    "CS863",
    "legacy-weight-rank",
    RT,
    "2D or 4D weight tensor expected, but got: {weight}",
    versions="0.1-0.4",
    source="THNN SpatialConvolutionMM.c",
    today="CS109",
)
LEGACY_POOL_PAD_HALF = legacy(
    "CS864",
    "legacy-pool-pad-half",
    RT,
    "pad should be smaller than half of kernel size, but got padW = {padW}, padH = {padH}, "
    "kW = {kW}, kH = {kH}",
    versions="0.3-1.x",
    source="THNN/THCUNN SpatialDilatedMaxPooling, then ATen DilatedMaxPool2d.cpp",
    today="CS331",
)
LEGACY_GROUPNORM = legacy(
    "CS865",
    "legacy-groupnorm-groups",
    VE,
    "num_channels must be divisible by num_groups",
    versions="1.12-2.9",
    source="torch/nn/modules/normalization.py (GroupNorm.__init__)",
    today="CS806",
)
WORDINGS.setdefault("CS806", []).append((span("-2.9"), LEGACY_GROUPNORM))  # modelled 1.13-2.9
CUDNN_BAD_PARAM = legacy(
    "CS866",
    "cudnn-bad-param",
    RT,
    "CUDNN_STATUS_BAD_PARAM",
    versions="CUDA",
    source="cuDNN's status code",
    today=None,
)
LEGACY_WEIGHT_INPUT_RANK = legacy(
    "CS867",
    "legacy-weight-input-rank",
    RT,
    "Expected {wdim}-dimensional input for {wdim}-dimensional weight {weight}, but got input "
    "of size {input} instead",
    versions="0.3",
    source="torch/csrc/autograd/functions/convolution.cpp",
    today="CS109",
)
# torch.cat's sizes check before torch 1.11 (today CS881, which names the joined dimension
# and the tensor's place in the list; these old texts do not always).
LEGACY_CAT_SIZES = legacy(
    "CS855",
    "legacy-cat-sizes",
    RT,
    "Sizes of tensors must match except in dimension {dim}. Got {a} and {b} in dimension {d} "
    "(The offending index is {index})",
    versions="1.5-1.10",
    source="ATen's CPU cat, check_cat_shape_except_dim (aten/src/ATen/native/TensorShape.cpp; "
    "'torch.cat(): ' in front in some releases)",
    today="CS881",
)
LEGACY_CAT_SIZES_CUDA = legacy(
    "CS856",
    "legacy-cat-sizes-cuda",
    RT,
    "Sizes of tensors must match except in dimension {d}. Got {a} and {b} (The offending index "
    "is {index})",
    versions="1.5-1.10 (CUDA)",
    source="ATen's CUDA cat (aten/src/ATen/native/cuda/Shape.cu), which names the dimension "
    "that differs, not the joined one",
    today="CS881",
)
LEGACY_CAT_SIZES_TH = legacy(
    "CS857",
    "legacy-cat-sizes-th",
    RT,
    "invalid argument 0: Sizes of tensors must match except in dimension {dim}. Got {a} and {b} "
    "in dimension {d} at ",
    versions="0.4-1.4",
    source="TH's THTensor_(catArray) (aten/src/TH/generic/THTensor.cpp), THArgCheck",
    today="CS881",
)
LEGACY_CHANNEL_MISMATCH = legacy(
    "CS868",
    "legacy-channel-mismatch",
    RT,
    "Given groups={groups}, weight{weight}, so expected input{input} to have {expected} "
    "channels, but got {got} channels instead",
    versions="0.3-0.4",
    source="torch/csrc/autograd/functions/convolution.cpp",
    today="CS112",
)
LEGACY_TRANSPOSED_CHANNEL_MISMATCH = legacy(
    "CS869",
    "legacy-transposed-channel-mismatch",
    RT,
    "Given transposed={transposed}, weight{weight}, so expected input{input} to have "
    "{expected} channels, but got {got} channels instead",
    versions="0.3-0.4",
    source="torch/csrc/autograd/functions/convolution.cpp",
    today="CS201",
)
LEGACY_WRONG_CHANNELS = legacy(
    "CS870",
    "legacy-wrong-channels",
    RT,
    "Wrong number of input channels! Input has {got} channels, expected {expected}",
    versions="0.1",
    source="torch/lib/THNN/generic/SpatialConvolutionMM.c",
    today="CS112",
)
LEGACY_NEED_INPUT = legacy(
    "CS871",
    "legacy-need-input",
    RT,
    "Need input of dimension {ndim} and input.size[{dim}] == {expected} but got input to be of "
    "shape: {input}",
    versions="0.4-1.0",
    source="THNN/THCUNN shape checks (THNN_CHECK_DIM_SIZE, THCUNN_check_dim_size), e.g. "
    "SpatialConvolutionMM",
    today="CS112",
)
LEGACY_MAT1_DIM = legacy(
    "CS872",
    "legacy-mat1-dim",
    RT,
    "mat1 dim 1 must match mat2 dim 0",
    versions="1.7-1.x (CUDA)",
    source="ATen's CUDA addmm/mm (aten/src/ATen/native/cuda/LinearAlgebra.cu)",
    today="CS801",
)

# ---------------------------------------------------------------------------------------
# Other modelled releases' wordings (recorded: tests/torch_releases, docs/releases.md). A
# worded() kind replaces its 2.13 kind's text for the releases it names; a legacy() kind
# with those releases is a check only they make, raised by the rule it belongs to.
# ---------------------------------------------------------------------------------------
LINEAR_MISMATCH_OP = worded(
    "CS873",
    "linear-mismatch-op",
    "{op}: mat1 and mat2 shapes cannot be multiplied ({rows}x{got} and {expected}x{out})",
    releases="2.15-",
    today=LINEAR_MISMATCH,
)
POOL3D_EMPTY_INDEX = worded(
    "CS874",
    "pool3d-empty-index",
    "{fn}: Expected input to have non-zero size for non-batch dimensions, but input has sizes "
    "{input} with dimension {index} being empty",
    releases="2.15-",
    today=POOL3D_EMPTY,
)
PAD_OUTPUT_EVERY_DIM = legacy(
    "CS875",
    "pad-output-every-dimension",
    RT,
    "Calculated output {output} must be >= 1 in every dimension (input {input})",
    versions="2.14-",
    source=RECORDED,
    today=PAD_OUTPUT_TOO_SMALL.code,
)
GROUPNORM_NO_CHANNELS = legacy(
    "CS876",
    "groupnorm-no-channels",
    RT,
    "Expected number of channels to be greater than 0, got {c}",
    versions="2.14-",
    source=RECORDED,
    today=None,
)
GROUPNORM_NO_SPATIAL = legacy(
    "CS877",
    "groupnorm-no-spatial",
    RT,
    "Expected HxW to be greater than 0, got {hxw}",
    versions="2.14-",
    source=RECORDED,
    today=None,
)
LP_NORM_ZERO_CHECKED = legacy(
    "CS878",
    "lp-norm-zero-checked",
    VE,
    "norm_type must be a non-zero value, but got {norm}",
    versions="2.14-",
    source=RECORDED,
    today=LP_NORM_ZERO.code,
)

POOL_PAD_HALF_KERNEL = worded(
    "CS879",
    "pool-pad-half-kernel",
    "pad should be at most half of kernel size, but got pad={pad} and kernel_size={kernel}",
    releases="-2.2",
    today=POOL_PAD_HALF_EFFECTIVE,
)
NO_ATTRIBUTE = legacy(
    "CS892",
    "op-missing",
    "AttributeError",
    "module '{module}' has no attribute '{name}'",
    versions="-2.1",
    source=RECORDED,
    today=None,
)
AVG_POOL_INTEGER_RANGE = legacy(
    "CS895",
    "avg-pool-integer-range",
    RT,
    "integer out of range",
    versions="2.11-2.12",
    source=RECORDED,
    today=None,
)
PAD_RANK_OLD = worded(
    "CS893",
    "pad-rank-old",
    "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now",
    releases="-2.8",
    today=PAD_RANK,
)
UNFOLD_BLOCKS_HEIGHT = worded(
    "CS894",
    "unfold-blocks-height-twice",
    "Given input with spatial size ({height}, {height}), kernel_size={kernel}, "
    "dilation={dilation}, padding={padding}, calculated shape of the array of sliding blocks "
    "as {blocks}, but its components must be at least one.",
    releases="-2.10",
    today=UNFOLD_BLOCKS,
)
ADAPTIVE_AVG_OUTPUT_NEGATIVE_2D = worded(
    "CS883",
    "adaptive-avg-output-negative-2d",
    "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but "
    "received {values}",
    releases="-2.3",  # recorded: 2.3.1 prints it, 2.7.1 names the 3-d op
    today=ADAPTIVE_AVG_OUTPUT_NEGATIVE,
)
LINEAR_SCALAR_MATMUL = worded(
    "CS884",
    "linear-scalar-matmul",
    "both arguments to matmul need to be at least 1D, but they are {idim}D and 2D",
    releases="-2.1",
    today=LINEAR_SCALAR,
)
LINEAR_SCALAR_ADDMM = legacy(
    "CS885",
    "linear-scalar-addmm",
    RT,
    "ArrayRef: invalid index Index = 18446744073709551615; Length = 0",
    versions="2.1",
    source=RECORDED,
    today=LINEAR_SCALAR.code,
)
INTERPOLATE_RANK_NO_LANCZOS = worded(
    "CS886",
    "interpolate-rank-no-lanczos",
    "Input Error: Only 3D, 4D and 5D input Tensors supported (got {idim}D) for the modes: "
    "nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got {mode})",
    releases="-2.11",  # recorded: 2.11.0 without lanczos, 2.12.1 with it
    today=INTERPOLATE_RANK,
)
ONEDNN_DECONV_DESCRIPTOR_OLD = worded(
    "CS887",
    "onednn-deconvolution-descriptor-old",
    "could not create a primitive descriptor for a deconvolution forward propagation primitive",
    releases="-2.6",
    today=ONEDNN_DECONV_DESCRIPTOR,
)
ONEDNN_CONV_DESCRIPTOR_OLD = worded(
    "CS888",
    "onednn-convolution-descriptor-old",
    "could not create a primitive descriptor for a convolution forward propagation primitive",
    releases="2.1-2.6",
    today=ONEDNN_CONV_DESCRIPTOR,
)

PAD_NEW_DIM = legacy(
    "CS889",
    "pad-new-dimension",
    RT,
    "The input size {size}, plus negative padding {left} and {right} resulted in a negative "
    "output size, which is invalid. Check dimension {dim} of your input.",
    versions="-2.9",
    source=RECORDED,
    today=None,
)

UNEXPECTED_KEYWORD = legacy(
    "CS890",
    "unexpected-keyword",
    TE,
    "{cls}.__init__() got an unexpected keyword argument '{name}'",
    versions="-2.11",
    source=RECORDED,
    today=None,
)

INVALID_SHAPE_DIMENSION_BARE = worded(
    "CS891",
    "invalid-shape-dimension-bare",
    "invalid shape dimension {value}",
    releases="-2.8",  # recorded: 2.7.1 prints it, 2.9.1 adds the index and shape
    today=INVALID_SHAPE_DIMENSION,
)

NARROW_EXCEEDS = legacy(
    "CS896",
    "narrow-exceeds",
    RT,
    "start ({start}) + length ({length}) exceeds dimension size ({size}).",
    versions="-1.13",
    source=RECORDED,
    today=NARROW_NEGATIVE.code,
)

SOFTMAX2D_ASSERT = legacy(
    "CS897",
    "softmax2d-rank-assert",
    "AssertionError",
    "Softmax2d requires a 3D or 4D tensor as input",
    versions="-2.0",
    source=RECORDED,
    today=SOFTMAX2D_RANK.code,
)
REFLECT_PAD_TOO_BIG_RANK = legacy(
    "CS898",
    "reflect-pad-too-big-rank",
    RT,
    "Argument #{arg}: Padding size should be less than the corresponding input dimension, "
    "but got: padding ({left}, {right}) at dimension {dim} of input {idim}",
    versions="-2.0",
    source=RECORDED,
    today=REFLECT_PAD_TOO_BIG.code,
)
ADAPTIVE_NONE_FIRST_OLD = worded(
    "CS899",
    "adaptive-none-first-old",
    "{op}(): argument 'output_size' (position 2) must be tuple of ints, not tuple",
    releases="-1.13",
    today=ADAPTIVE_NONE_FIRST,
)
ADAPTIVE_NONE_LATER_OLD = worded(
    "CS848",
    "adaptive-none-later-old",
    "{op}(): argument 'output_size' must be tuple of ints, but found element of type "
    "NoneType at pos {pos}",
    releases="-2.0",
    today=ADAPTIVE_NONE_LATER,
)
PAD_EMPTY_INPUT_OLD = legacy(
    "CS849",
    "pad-empty-input-old",
    RT,
    "{r}D or {r1}D (batch mode) tensor expected for input, but got: "
    "[ torch.FloatTensor{{{flat}}} ]",
    versions="-2.0",
    source=RECORDED,
    today=PAD_EMPTY_INPUT.code,
)
PAD_LENGTH_OLD = worded(
    "CS608", "pad-length-old", "Padding length too large", releases="-2.0", today=PAD_LENGTH
)
POOL_PADDING_LENGTH_OLD = legacy(
    "CS339",
    "pool-padding-length-old",
    RT,
    "{op}: padding must be either be a single int, or a tuple of {n} ints",
    versions="-2.0",
    source=RECORDED,
    today=POOL_PADDING_LENGTH.code,
)
CIRCULAR_PAD_SIZE = legacy(
    "CS609",
    "circular-pad-size",
    RT,
    "Invalid padding size, expected {expected} but got {got}",
    versions="-2.0",
    source=RECORDED,
    today=None,
)

ONEDNN_CONV_DESCRIPTOR_DILATED = worded(
    "CS853",
    "onednn-dilated-convolution-descriptor",
    "could not create a descriptor for a dilated convolution forward propagation primitive",
    releases="-2.0",
    today=ONEDNN_CONV_DESCRIPTOR,
)
ONEDNN_DECONV_DESCRIPTOR_DILATED = legacy(
    "CS854",
    "onednn-dilated-deconvolution-descriptor",
    RT,
    "could not create a descriptor for a dilated deconvolution forward propagation primitive",
    versions="2.0",
    source=RECORDED,
    today=ONEDNN_DECONV_DESCRIPTOR.code,
)
ONEDNN_PRIMITIVE_DESCRIPTOR = legacy(
    "CS858",
    "onednn-primitive-descriptor",
    RT,
    "could not create a primitive descriptor",
    versions="2.0",
    source=RECORDED,
    today=ONEDNN_DECONV_DESCRIPTOR.code,
)

PAD_OUTPUT_TOO_SMALL_OLD = legacy(
    "CS859",
    "pad-output-too-small-old",
    RT,
    "input ({input})is too small. Calculated output {output}",
    versions="-2.0",
    source=RECORDED,
    today=PAD_OUTPUT_TOO_SMALL.code,
)
TRANSPOSE_PADDING_STRING_OLD = worded(
    "CS214",
    "transpose-padding-string-old",
    "{op}(): argument 'padding' (position 5) must be tuple of ints, not tuple",
    releases="-1.13",
    today=TRANSPOSE_PADDING_STRING,
)

# ---------------------------------------------------------------------------------------
# Lint-only findings (``convshape lint``): not torch errors, so their templates are
# convshape's own words. ``exc`` says which kind of finding it is, not a Python exception.
# ---------------------------------------------------------------------------------------
LINT = "lint"
LINT_SYNTAX = _k("CS900", "unparsable-file", "Lint", LINT, "could not parse the file: {reason}")
LINT_ROWS_DROPPED = _k(
    "CS901",
    "rows-dropped-by-stride",
    "LintWarning",
    LINT,
    "{layer}: stride {stride} never reaches the last {dropped} {unit} of {axis} "
    "(input {size}, output {output}); {fix}",
)
LINT_NOT_ANALYSED = _k(
    "CS902", "could-not-analyse", "LintWarning", LINT, "could not analyse {model}: {reason}"
)
LINT_OUTPUT_SHAPE = _k(
    "CS903",
    "unexpected-output-shape",
    "Lint",
    LINT,
    "{model} returns {got}, but --expect-output is {expected}",
)
LINT_LOCK_CHANGED = _k(
    "CS904",
    "locked-shape-changed",
    "Lint",
    LINT,
    "{layer} ({cls}): locked shape {locked}, now {now}",
)
LINT_MODEL_RAISED = _k("CS905", "model-raised", "Lint", LINT, "{where} raised {exc}: {message}")
LINT_UNREADABLE = _k("CS906", "unreadable-path", "Lint", LINT, "could not read {what}: {reason}")
LINT_DIRECTIVE = _k("CS907", "bad-directive", "Lint", LINT, "{reason}")
LINT_NOT_FOLLOWED = _k(
    "CS908",
    "nothing-followed",
    "LintInfo",
    LINT,
    "no model defined here could be followed ({models}): {reason}; nothing in it was checked",
)


def check_input(shape: Sequence[int]) -> None:
    """The input tensor must exist: ``torch.empty`` of a negative size raises. Each
    family's rules call this where torch's order puts it (after a constructor's checks)."""
    for value in shape:
        if value < 0:
            raise NEGATIVE_DIMENSION.error(value=value, shape=sizes(shape))
