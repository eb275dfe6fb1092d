"""What a rule records on its way through torch's checks, and what the backend choice
depends on besides shapes. Shared by the engine and every op module (no imports of either)."""

from __future__ import annotations

from dataclasses import dataclass, field

from convshape.core.arithmetic import Axis
from convshape.core.releases import Release, current

__all__ = ["Env", "Trace"]


@dataclass(frozen=True)
class Env:
    """What torch's behaviour depends on besides shapes: the CPU backend choice (see
    ``ops.conv.uses_onednn``) and the module's mode.

    The defaults describe a stock CPU build on a machine with more than one core, with
    float32 tensors (oneDNN enabled, ``torch.get_num_threads() > 1``), a freshly built
    module, which is in training mode (BatchNorm then needs more than one value per
    channel), and the release whose checks and wording to predict (``torch``).
    """

    num_threads: int = 2
    mkldnn: bool = True
    training: bool = True
    torch: Release = field(default_factory=current)
    """The torch release predicted for: by default the one :func:`~convshape.core.releases.using`
    names around the call, else 2.13 (:mod:`convshape.core.releases`)."""


class Trace:
    """What a rule module records on its way: per-axis arithmetic, warnings, notes.

    ``input`` is the tensor shape torch's later checks see (after an implicit unsqueeze of
    an unbatched input, or F.pad's padding), so messages can print it as torch does.
    """

    __slots__ = ("axes", "notes", "warnings")

    def __init__(self) -> None:
        self.axes: list[Axis] = []
        self.warnings: list[str] = []
        self.notes: list[str] = []
