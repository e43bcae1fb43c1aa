"""``sporelab.common``: the MindSpore ``common`` namespace; here, the ``initializer`` module."""

from . import initializer

__all__ = ["initializer"]
