"""MindSpore's parameter-server context: ``set_ps_context(enable_ps=True)`` and the process roles.

Roles come from MindSpore's variables when they are set (``MS_ROLE`` in {'MS_SCHED', 'MS_WORKER',
'MS_PSERVER'}), otherwise from the MPI rank: rank 0 is the server (and scheduler), the other ranks
are workers. A plain one-process run is a worker with no server, i.e. ordinary training.

>>> import sporelab as ms
>>> ms.set_ps_context(enable_ps=True)
>>> ms.get_ps_context("enable_ps")
True
>>> ms.reset_ps_context()
"""

import os

from ..communication import _mpi

__all__ = ["set_ps_context", "get_ps_context", "reset_ps_context"]

_KEYS = {"enable_ps": (False, bool), "config_file_path": ("", str), "scheduler_manage_port": (11202, int),
         "enable_ssl": (False, bool), "client_password": ("", str), "server_password": ("", str)}
_ROLES = ("MS_SCHED", "MS_WORKER", "MS_PSERVER")
_state = {}


def set_ps_context(**kwargs):
    """Set parameter-server attributes: ``enable_ps`` (bool, default False) and, accepted for
    compatibility, ``config_file_path``, ``scheduler_manage_port``, ``enable_ssl``,
    ``client_password``, ``server_password``. A failed call changes nothing.

    Raises:
        ValueError: an unknown key ("Set PS context keyword ... is not recognized!").
        TypeError: a value of the wrong type.
    """
    for key, value in kwargs.items():
        if key not in _KEYS:
            raise ValueError(f"Set PS context keyword {key} is not recognized! Known keys: {sorted(_KEYS)}.")
        kind = _KEYS[key][1]
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            raise TypeError(f"The PS context parameter '{key}' must be {kind.__name__}, but got "
                            f"{type(value).__name__} ({value!r}).")
    _state.update(kwargs)


def get_ps_context(attr_key):
    """The value of one PS attribute. Raises ValueError for an unknown key."""
    if not isinstance(attr_key, str) or attr_key not in _KEYS:
        raise ValueError(f"Get PS context keyword {attr_key} is not recognized! Known keys: {sorted(_KEYS)}.")
    return _state.get(attr_key, _KEYS[attr_key][0])


def reset_ps_context():
    """Every PS attribute back to its default (enable_ps False)."""
    _state.clear()


def _is_ps_mode():
    return _state.get("enable_ps", False)


def _get_role():
    """'MS_WORKER', 'MS_PSERVER' or 'MS_SCHED': from MS_ROLE, else rank 0 server, others workers.

    Raises:
        ValueError: MS_ROLE set to something else.
    """
    role = os.environ.get("MS_ROLE")
    if role is not None:
        if role not in _ROLES:
            raise ValueError(f"The environment variable MS_ROLE must be one of {list(_ROLES)}, but got {role!r}.")
        return role
    world = _mpi.comm_world()
    if world.Get_size() == 1:
        return "MS_WORKER"
    return "MS_PSERVER" if world.Get_rank() == 0 else "MS_WORKER"


def _is_role_worker():
    return _is_ps_mode() and _get_role() == "MS_WORKER"


def _is_role_pserver():
    return _is_ps_mode() and _get_role() == "MS_PSERVER"
