"""How much memory a stack or a model needs, as torchinfo's summary estimates it.

Definitions (docs/network.md), for one dtype that every tensor is taken to have:

* **parameters**: ``sum(p.numel() * p.element_size() for p in model.parameters())``
  (buffers such as BatchNorm's running statistics are not parameters);
* **forward activations**: the output tensors of every leaf module call, as forward hooks
  see them, ``numel() * element_size()`` each (indices a max pool returns are int64);
* **input**: the input tensors' ``numel() * element_size()``;
* **estimated total**: the three added up.

Sizes are bytes; MB is 10**6 bytes, as torchinfo prints them.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Final

from convshape.core.errors import UsageError

__all__ = [
    "DTYPES",
    "INDEX_BYTES",
    "MB",
    "Memory",
    "element_size",
    "megabytes",
    "memory_table",
    "summary_rows",
    "tensor_bytes",
]

DTYPES: Final = {"float32": 4, "float16": 2, "bfloat16": 2, "float64": 8, "int8": 1}
INDEX_BYTES: Final = 8  # torch.int64, the indices of max pooling
MB: Final = 10**6


def element_size(dtype: str) -> int:
    """Bytes per element: ``float32`` -> 4 (``torch.float16`` is read as ``float16``)."""
    name = dtype.strip().lower().removeprefix("torch.")
    if name not in DTYPES:
        raise UsageError(f"unknown dtype {dtype!r}; use one of: {', '.join(DTYPES)}")
    return DTYPES[name]


def tensor_bytes(shape: Iterable[int], dtype: str) -> int:
    """``numel() * element_size()`` of a tensor of ``shape``."""
    return math.prod(shape) * element_size(dtype)


def megabytes(n: int) -> float:
    """Bytes as MB (10**6 bytes), to two decimals."""
    return round(n / MB, 2)


@dataclass(frozen=True)
class Memory:
    """A stack's or a model's memory, in bytes, for ``dtype``."""

    dtype: str
    params: int
    activations: int
    input: int

    @property
    def total(self) -> int:
        return self.params + self.activations + self.input

    def to_json(self) -> dict[str, object]:
        """The ``memory`` object of the stack and lint documents (docs/network.md)."""
        return {
            "dtype": self.dtype,
            "params_bytes": self.params,
            "activations_bytes": self.activations,
            "input_bytes": self.input,
            "total_bytes": self.total,
            "params_mb": megabytes(self.params),
            "activations_mb": megabytes(self.activations),
            "input_mb": megabytes(self.input),
            "total_mb": megabytes(self.total),
        }


def summary_rows(memory: Memory) -> list[tuple[str, str]]:
    """The estimate as (label, MB) rows, the way the stack and model tables end."""
    return [
        ("parameters", f"{memory.params / MB:,.2f}"),
        ("forward activations", f"{memory.activations / MB:,.2f}"),
        ("input", f"{memory.input / MB:,.2f}"),
        ("estimated total", f"{memory.total / MB:,.2f}"),
    ]


def memory_table(memory: Memory) -> Any:
    """The estimate as the rich table that ends a stack's or a model's table."""
    from rich.table import Table

    table = Table(
        title=f"memory, {memory.dtype} (MB)",
        title_justify="left",
        title_style="bold",
        show_header=False,
        box=None,
        pad_edge=False,
    )
    table.add_column("what")
    table.add_column("MB", justify="right")
    rows = summary_rows(memory)
    for what, mb in rows[:-1]:
        table.add_row(what, mb)
    table.add_row(*rows[-1], style="bold")
    return table
