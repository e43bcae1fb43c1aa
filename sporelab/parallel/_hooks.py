"""The one seam between the engine core and the distributed layer.

``Parameter`` and ``Cell`` import this module at the top and ask it everything they need of the
parallel context and of communication; nothing else in the core reaches ``parallel/`` or
``communication/``. Importing it loads no MPI: mpi4py comes in only when a function here
communicates (``communication/_mpi.py``).

>>> import sporelab as ms
>>> from sporelab.parallel import _hooks
>>> _hooks.context_is_set(), _hooks.keeps_parameters_lazy()
(False, False)
>>> ms.set_auto_parallel_context(parallel_mode="hybrid_parallel")
>>> _hooks.context_is_set(), _hooks.keeps_parameters_lazy(), _hooks.in_parallel_mode()
(True, True, False)
>>> ms.reset_auto_parallel_context()
"""

from ..communication import _collectives, management
from . import _auto_parallel_context as _context
from . import _layout
from . import _ps_context

__all__ = ["context_is_set", "in_parallel_mode", "keeps_parameters_lazy", "needs_broadcast",
           "broadcast_from_root", "check_layout", "rank_block", "ps_role_ready"]

_PS_ROLES = ("MS_WORKER", "MS_PSERVER", "MS_SCHED")


def context_is_set():
    """Whether any auto-parallel attribute was set (``Cell.__call__`` asks on every call: keep it cheap)."""
    return bool(_context._state)


def in_parallel_mode():
    """semi_auto_parallel or auto_parallel (MindSpore's ``_is_in_parallel_mode``)."""
    return _context._is_in_parallel_mode()


def keeps_parameters_lazy():
    """Whether a Parameter built from ``initializer(...)`` waits for ``init_data`` to create its data."""
    return _context._keeps_parameters_lazy()


def needs_broadcast():
    """Whether rank 0's parameters are broadcast at a network's first call (warns, as MindSpore
    does, in data/hybrid parallel with neither a broadcast nor a seed)."""
    return _context._get_parameter_broadcast()


def broadcast_from_root(arrays):
    """Rank 0's values of ``arrays`` (host or device arrays), on every rank; starts MPI if needed."""
    if not management.GlobalComm.INITED:
        management.init()
    return _collectives.bcast_many(arrays, management.communicator())


def check_layout(layout, shape):
    """Refuse a MindSpore layout tuple that does not fit ``shape`` (see ``_layout.check_layout``)."""
    _layout.check_layout(layout, shape)


def rank_block(tensor, layout):
    """The block of ``tensor`` this process's rank holds under the checked ``layout`` (a host array)."""
    return _layout.rank_block(tensor, layout, management.get_rank())


def ps_role_ready():
    """Whether the parameter-server mode is on and this process has a role (``MS_ROLE``)."""
    return _ps_context._is_ps_mode() and _ps_context._get_role() in _PS_ROLES
