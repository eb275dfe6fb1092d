"""``convshape lint``'s report, in the chosen format, on stdout or in ``--output-file``.
The formats themselves are :mod:`convshape.features.lint.output`'s."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from convshape.cli.common import make_console
from convshape.readers.source import write_atomic

if TYPE_CHECKING:
    from convshape.features.lint.model import ModelReport
    from convshape.features.lint.static import Followed
    from convshape.features.lint.values import Finding

__all__ = ["write_report"]


def write_report(
    fmt: str,
    output_file: str | None,
    findings: list[Finding],
    files: int,
    reports: list[ModelReport],
    show_fixes: bool,
    dtype: str = "float32",
    followed: Sequence[Followed] = (),
) -> None:
    """Print the report (``fmt``: text, json, github or sarif), or write it to ``output_file``."""
    from convshape.features.lint import output

    if fmt == "text":
        import io

        buffer = io.StringIO() if output_file else None
        if buffer is None:
            console = make_console(soft_wrap=True)
        else:
            console = make_console(file=buffer, soft_wrap=True, no_color=True)
        output.show_text(
            console,
            findings,
            files,
            reports,
            show_fixes=show_fixes,
            dtype=dtype,
            followed=followed,
        )
        if output_file and buffer is not None:
            write_atomic(output_file, buffer.getvalue())
        return
    root_uri = Path.cwd().as_uri() + "/" if fmt == "sarif" else None
    text = output.render(fmt, findings, files, reports, root_uri, dtype, followed)
    if output_file:
        write_atomic(output_file, text + ("\n" if text else ""))
    elif text:
        click.echo(text)
