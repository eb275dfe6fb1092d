"""What every command shares: exit codes, the console, the one-line usage error, shape text."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def make_console() -> Console:
    """A rich console, made inside a command so NO_COLOR / FORCE_COLOR and tests apply."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def fail(message: str) -> NoReturn:
    """Bad input: one line on stderr naming the bad value, exit code 2."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def shape_text(shape: Sequence[int] | None) -> str:
    """``(20, 32, 48, 98)``, or ``-`` for no shape."""
    return "-" if shape is None else "(" + ", ".join(map(str, shape)) + ")"
