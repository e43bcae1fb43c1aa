"""``mindspore.context`` as tutorials import it: ``from sporelab import context``.

>>> from sporelab import context
>>> context.set_auto_parallel_context(parallel_mode=context.ParallelMode.DATA_PARALLEL)
>>> context.get_auto_parallel_context("parallel_mode")
'data_parallel'
>>> context.reset_auto_parallel_context()
"""

from .device import GRAPH_MODE, PYNATIVE_MODE, get_context, set_context
from .parallel import (ParallelMode, get_auto_parallel_context, get_ps_context, reset_auto_parallel_context,
                       reset_ps_context, set_auto_parallel_context, set_ps_context)

__all__ = ["set_context", "get_context", "GRAPH_MODE", "PYNATIVE_MODE", "ParallelMode",
           "set_auto_parallel_context", "get_auto_parallel_context", "reset_auto_parallel_context",
           "set_ps_context", "get_ps_context", "reset_ps_context"]
