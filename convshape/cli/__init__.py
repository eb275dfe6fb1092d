"""The command-line shell: ``convshape`` and every command (:mod:`.app`), the shared click
options (:mod:`.options`), option values to library arguments (:mod:`.args`), the
library calls of more than one step (:mod:`.run`) and the views that print results
(:mod:`.views`)."""

from convshape.cli.app import cli, main

__all__ = ["cli", "main"]
