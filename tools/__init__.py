"""The repository's tools, run as modules from its root: ``python -m tools.notebooks run``."""
