"""Code and text from where the user put it: a file, stdin ('-'), or the text itself;
and whether a piece of code is a stack rather than one conv-family layer."""

from __future__ import annotations

import ast
import contextlib
import sys
import warnings
from pathlib import Path

from convshape.core.errors import UsageError

__all__ = [
    "MAX_BYTES",
    "TooLarge",
    "is_stack",
    "read_bytes",
    "read_source",
    "read_text",
    "write_atomic",
]

MAX_BYTES = 16 * 1024 * 1024  # the most convshape reads from one file or stdin


class TooLarge(OSError):
    """A file longer than the limit (``/dev/zero`` is one)."""


def _size(limit: int) -> str:
    mib = 1024 * 1024
    return f"{limit // mib} MiB" if limit % mib == 0 else f"{limit} bytes"


def read_bytes(path: Path | str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of the file at ``path``, at most ``limit`` of them: :class:`TooLarge`
    (an OSError) beyond that, so an endless file costs ``limit`` bytes, not all memory."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(0, f"longer than {_size(limit)}", str(path))
    return data


def read_text(path: Path | str, limit: int = MAX_BYTES) -> str:
    """:func:`read_bytes` decoded as UTF-8 (UnicodeDecodeError otherwise)."""
    return read_bytes(path, limit).decode("utf-8")


def read_source(path: str, limit: int = MAX_BYTES) -> str:
    """The text of the file at ``path``; ``'-'`` reads stdin. At most ``limit`` bytes
    (characters for stdin). Raises UsageError naming the file when it cannot be read."""
    if path == "-":
        text = sys.stdin.read(limit + 1)
        if len(text) > limit:
            raise UsageError(f"stdin is longer than {_size(limit)}")
        return text
    try:
        return read_text(path, limit)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise UsageError(f"cannot read {path!r}: {reason}") from None


def write_atomic(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` all or nothing: into a temporary file in the same folder,
    then renamed over ``path`` (a reader sees the old file or the new one, never half of
    one; an interrupted write leaves the old file). A path that is not a regular file
    (``/dev/stdout``, a FIFO) is written directly. UsageError when it cannot be written."""
    import os
    import stat
    import tempfile

    target = Path(path)
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UsageError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UsageError(f"cannot write {str(path)!r}: it is a folder")
    try:
        if mode is not None and not stat.S_ISREG(mode):
            with open(target, "w", encoding="utf-8") as handle:
                handle.write(text)
            return
        folder = target.parent
        if not folder.is_dir():
            raise UsageError(f"cannot write {str(path)!r}: no folder {str(folder)!r}")
        fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            if mode is not None:
                os.chmod(temp, stat.S_IMODE(mode))
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temp, 0o666 & ~umask)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError as exc:
        raise UsageError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None


def is_stack(text: str) -> bool:
    """Whether a layer's text is a stack rather than one conv-family layer: an
    nn.Sequential, several layers, or one layer of the non-conv kinds (nn.Linear ...)."""
    from convshape.core.signature import dotted
    from convshape.readers.parse import lookup, module_signature

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "\n" in text.strip()  # a multi-line paste: let the stack reader name the error
    if len(tree.body) != 1:
        return True
    stmt = tree.body[0]
    value = getattr(stmt, "value", None)
    if isinstance(value, ast.Tuple | ast.List):
        return len(value.elts) != 1
    if not isinstance(value, ast.Call):
        return False
    parts = dotted(value.func)
    if parts is None:
        return False
    if parts[-1] == "Sequential":
        return True
    if lookup(parts) is not None:
        return False  # a conv-family layer: the single-layer path
    return module_signature(parts) is not None
