"""What every command shares: exit codes, the console, JSON output, the one-line usage
error, shape text."""

from __future__ import annotations

import sys
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


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


def write_atomic(path: str, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file in the same folder and a rename:
    a reader never sees half a file, and a failed write leaves the old one."""
    import contextlib
    import os
    import tempfile

    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".convshape-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def finish(ok: bool) -> NoReturn:
    """Exit 0 when ``ok``, else 1 (torch would raise, or verify disagrees, ...)."""
    sys.exit(EXIT_OK if ok else EXIT_FAIL)


def one_line(message: str) -> str:
    """``message`` on one line: its lines joined with '; ', blank ones dropped."""
    return "; ".join(line.strip() for line in message.splitlines() if line.strip())


def fail(message: str) -> NoReturn:
    """Bad input: one line on stderr naming the bad value, exit code 2."""
    click.echo(f"Error: {one_line(message)}", err=True)
    sys.exit(EXIT_USAGE)


def interrupted(done: str = "") -> NoReturn:
    """Ctrl-C: one line saying what was done, exit code 130 (as shells report SIGINT)."""
    click.echo(f"Error: interrupted{'; ' + done if done else ''}", err=True)
    sys.exit(EXIT_INTERRUPTED)


def _tolerant_streams() -> None:
    """stdout and stderr that cannot encode a character (``PYTHONIOENCODING=ascii``, an
    ASCII locale) write it as an escape instead of raising UnicodeEncodeError."""
    import codecs
    import contextlib

    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            utf = codecs.lookup(encoding).name.startswith("utf")
        except LookupError:
            utf = False
        reconfigure = getattr(stream, "reconfigure", None)
        if not utf and reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or odd stream
                reconfigure(errors="backslashreplace")


class Group(click.Group):
    """The ``convshape`` group: click's own errors (a missing option, a bad choice, an
    unknown option) print one line and exit 2 as convshape's do; Ctrl-C exits 130; an
    input too large or too deeply nested for Python is one line and exit 2, never a
    traceback."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        _tolerant_streams()
        try:
            rv = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            fail(exc.format_message())
        except (click.Abort, KeyboardInterrupt, EOFError):
            interrupted()
        except MemoryError:
            fail("out of memory: the input is too large")
        except RecursionError:
            fail("the input is nested too deeply")
        except OSError as exc:
            import errno

            if exc.errno != errno.EPIPE:
                raise
            sys.exit(EXIT_FAIL)
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)
