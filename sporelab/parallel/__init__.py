"""Parallel-training contexts, where MindSpore keeps them: ``set_auto_parallel_context``,
``ParallelMode`` and the parameter-server ``set_ps_context`` (also exported from ``sporelab``
and ``sporelab.context``).
"""

from ._auto_parallel_context import (ParallelMode, get_auto_parallel_context, reset_auto_parallel_context,
                                     set_auto_parallel_context)
from ._ps_context import get_ps_context, reset_ps_context, set_ps_context

__all__ = ["ParallelMode", "set_auto_parallel_context", "get_auto_parallel_context",
           "reset_auto_parallel_context", "set_ps_context", "get_ps_context", "reset_ps_context"]
