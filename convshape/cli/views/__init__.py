"""How the commands show results: rich tables for people and ``--json`` documents. Views
render only; the commands in :mod:`convshape.cli.app` decide what to show."""
