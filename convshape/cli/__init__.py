"""The command-line shell: ``convshape`` and every command (:mod:`.app`), the shared click
options (:mod:`.options`), option values to library arguments (:mod:`.args`), solve's
modes (:mod:`.run`) and the views that print results (:mod:`.views`)."""

from convshape.cli.app import cli, main

__all__ = ["cli", "main"]
