"""The command-line shell: ``convshape`` and its commands (:mod:`.app`), their options
and the views that print results (:mod:`.views`)."""

from convshape.cli.app import cli, main

__all__ = ["cli", "main"]
