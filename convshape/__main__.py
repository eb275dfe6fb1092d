"""``python -m convshape``."""

from convshape.cli.app import main

main()
