"""What every command shares: exit codes, the console, JSON output, the one-line usage
error, shape text."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def make_console(
    *, file: IO[str] | None = None, soft_wrap: bool = False, no_color: bool | None = None
) -> Console:
    """A rich console, made inside a command so NO_COLOR / FORCE_COLOR and tests apply."""
    from rich.console import Console

    return Console(file=file, highlight=False, soft_wrap=soft_wrap, no_color=no_color)


def echo_json(doc: Any, *, ensure_ascii: bool = True) -> None:
    """A JSON document on stdout, indented by 2."""
    import json

    click.echo(json.dumps(doc, indent=2, ensure_ascii=ensure_ascii))


def finish(ok: bool) -> NoReturn:
    """Exit 0 when ``ok``, else 1 (torch would raise, or verify disagrees, ...)."""
    sys.exit(EXIT_OK if ok else EXIT_FAIL)


def fail(message: str) -> NoReturn:
    """Bad input: one line on stderr naming the bad value, exit code 2."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(EXIT_USAGE)
