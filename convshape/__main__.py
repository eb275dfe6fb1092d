"""``python -m convshape``."""

from .cli import main

main()
