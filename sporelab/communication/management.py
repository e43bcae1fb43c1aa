"""MindSpore's ``mindspore.communication.management`` over MPI: ``init``, ranks, sizes, groups.

Launch a script with ``mpiexec -n 4 python -m mpi4py train.py``; every process then calls
``init()`` and asks ``get_rank()`` / ``get_group_size()``. A plain ``python train.py`` is a world
of size 1, so the same script runs on one process too.

The backend names are MindSpore's: ``init()`` picks ``'mccl'`` (sporelab runs on the CPU) and the
world group ``'mccl_world_group'``; ``'hccl'`` and ``'nccl'`` are accepted as names for the same
MPI world, so scripts written for Ascend or GPU run unchanged.

>>> from sporelab.communication import management as comm
>>> comm.init()
>>> comm.get_rank(), comm.get_group_size()
(0, 1)
>>> comm.release()
"""

import os

from . import _mpi
from .._checks import is_int

__all__ = ["init", "release", "get_rank", "get_local_rank", "get_group_size", "get_local_rank_size",
           "get_world_rank_from_group_rank", "get_group_rank_from_world_rank", "create_group",
           "destroy_group", "GlobalComm", "HCCL_WORLD_COMM_GROUP", "NCCL_WORLD_COMM_GROUP",
           "MCCL_WORLD_COMM_GROUP"]

HCCL_WORLD_COMM_GROUP = "hccl_world_group"
NCCL_WORLD_COMM_GROUP = "nccl_world_group"
MCCL_WORLD_COMM_GROUP = "mccl_world_group"
_WORLD_GROUPS = {"hccl": HCCL_WORLD_COMM_GROUP, "nccl": NCCL_WORLD_COMM_GROUP, "mccl": MCCL_WORLD_COMM_GROUP}


class GlobalComm:
    """Module state, as MindSpore names it: the backend, the world group's name, whether inited."""
    BACKEND = "mccl"
    WORLD_COMM_GROUP = MCCL_WORLD_COMM_GROUP
    INITED = False


_groups = {}        # name -> (rank_ids, communicator or None on ranks outside the group)


def init(backend_name=None):
    """Join the MPI world. Call once per process before any other function here.

    Args:
        backend_name (str): 'mccl' (CPU, the default), 'nccl' or 'hccl' (MindSpore's names; all
            run over MPI here). None picks from ``device_target``: 'CPU' -> 'mccl', 'GPU' -> 'nccl'.

    Raises:
        TypeError: ``backend_name`` not a str.
        ValueError: an unknown backend name.
        RuntimeError: mpi4py / MPI missing (``pip install sporelab[dist]``).
    """
    if backend_name is None:
        from ..device import get_context
        backend_name = "nccl" if str(get_context("device_target")).upper() == "GPU" else "mccl"
    if not isinstance(backend_name, str):
        raise TypeError(f"For 'init', the argument 'backend_name' must be a string, but got the type : "
                        f"{type(backend_name)}")
    if backend_name not in _WORLD_GROUPS:
        raise ValueError(f"For 'init', the argument 'backend_name' must be one of {sorted(_WORLD_GROUPS)}, "
                         f"but got {backend_name!r}.")
    world = _mpi.comm_world()
    _groups.clear()
    _groups[_WORLD_GROUPS[backend_name]] = (list(range(world.Get_size())), world)
    GlobalComm.BACKEND, GlobalComm.WORLD_COMM_GROUP = backend_name, _WORLD_GROUPS[backend_name]
    GlobalComm.INITED = True


def release():
    """Leave the distributed world: free the groups; getters raise again until ``init()``."""
    for name, (_, comm) in list(_groups.items()):
        if comm is not None and name != GlobalComm.WORLD_COMM_GROUP:
            comm.Free()
    _groups.clear()
    GlobalComm.INITED = False


def _check(name, group):
    if not GlobalComm.INITED:
        raise RuntimeError("Distributed Communication has not been inited")
    if not isinstance(group, str):
        raise TypeError(f"For '{name}', the argument 'group' must be type of string, but got 'group' "
                        f"type : {type(group)}.")
    if group == GlobalComm.WORLD_COMM_GROUP or group in _WORLD_GROUPS.values():
        group = GlobalComm.WORLD_COMM_GROUP
    if group not in _groups:
        raise ValueError(f"For '{name}', the group {group!r} does not exist; create it with "
                         f"create_group first (known: {sorted(_groups)}).")
    return _groups[group]


def communicator(group=None):
    """The mpi4py communicator of ``group`` (the world by default); None on ranks outside it."""
    return _check("communicator", GlobalComm.WORLD_COMM_GROUP if group is None else group)[1]


def _member_comm(name, group):
    ranks, comm = _check(name, group)
    if comm is None:
        raise ValueError(f"For '{name}', this process (world rank {_mpi.comm_world().Get_rank()}) is not "
                         f"in group {group!r}, whose ranks are {ranks}.")
    return comm


def get_rank(group=GlobalComm.WORLD_COMM_GROUP):
    """This process's rank in ``group`` (0 .. size-1).

    Raises:
        RuntimeError: ``init()`` not called. TypeError: ``group`` not a str.
        ValueError: an unknown group, or one this process is not in.
    """
    return _member_comm("get_rank", group).Get_rank()


def get_group_size(group=GlobalComm.WORLD_COMM_GROUP):
    """The number of processes in ``group`` (the world: as many as ``mpiexec -n``)."""
    return len(_check("get_group_size", group)[0])


def get_local_rank(group=GlobalComm.WORLD_COMM_GROUP):
    """This process's rank among the processes on the same machine (world group only)."""
    _check_world("get_local_rank", group)
    local = os.environ.get("MPI_LOCALRANKID") or os.environ.get("OMPI_COMM_WORLD_LOCAL_RANK")
    return int(local) if local is not None else 0


def get_local_rank_size(group=GlobalComm.WORLD_COMM_GROUP):
    """The number of processes on this machine (world group only)."""
    _check_world("get_local_rank_size", group)
    local = os.environ.get("MPI_LOCALNRANKS") or os.environ.get("OMPI_COMM_WORLD_LOCAL_SIZE")
    return int(local) if local is not None else _mpi.comm_world().Get_size()


def _check_world(name, group):
    _check(name, group)
    if group not in _WORLD_GROUPS.values():
        raise ValueError(f"For '{name}', only the world group is supported, but got {group!r}.")


def get_world_rank_from_group_rank(group, group_rank_id):
    """The world rank of rank ``group_rank_id`` of ``group``.

    Raises:
        TypeError: ``group_rank_id`` not an int. ValueError: the world group, or a rank outside it.
    """
    ranks, _ = _check("get_world_rank_from_group_rank", group)
    _check_rank_id("get_world_rank_from_group_rank", "group_rank_id", group_rank_id, len(ranks))
    if group in _WORLD_GROUPS.values():
        raise ValueError("For 'get_world_rank_from_group_rank', the group can not be the world group.")
    return ranks[group_rank_id]


def get_group_rank_from_world_rank(world_rank_id, group):
    """The rank in ``group`` of world rank ``world_rank_id``."""
    ranks, _ = _check("get_group_rank_from_world_rank", group)
    _check_rank_id("get_group_rank_from_world_rank", "world_rank_id", world_rank_id,
                   _mpi.comm_world().Get_size())
    if group in _WORLD_GROUPS.values():
        raise ValueError("For 'get_group_rank_from_world_rank', the group can not be the world group.")
    if world_rank_id not in ranks:
        raise ValueError(f"World rank {world_rank_id} is not in group {group!r}, whose ranks are {ranks}.")
    return ranks.index(world_rank_id)


def _check_rank_id(name, argument, value, size):
    if not is_int(value):
        raise TypeError(f"For '{name}', the argument '{argument}' must be type of int, but got "
                        f"'{argument}' type : {type(value)}.")
    if not 0 <= value < size:
        raise ValueError(f"For '{name}', the argument '{argument}' must be in [0, {size}), but got {value}.")


def create_group(group, rank_ids):
    """Create a group of the world ranks ``rank_ids`` (every process of the world must call it).

    Args:
        group (str): its name (not a world group's). rank_ids (list[int]): distinct world ranks.

    Raises:
        TypeError: ``group`` not a str; ``rank_ids`` not a list of ints.
        ValueError: empty or duplicate ``rank_ids``; ranks outside the world; the name exists with
            other ranks; a world group's name.
        RuntimeError: ``init()`` not called.
    """
    _check("create_group", GlobalComm.WORLD_COMM_GROUP)
    if not isinstance(group, str):
        raise TypeError(f"For 'create_group', the argument 'group' must be type of string, but got "
                        f"'group' type : {type(group)}.")
    if not isinstance(rank_ids, list):
        raise TypeError(f"For 'create_group', the argument 'rank_ids' must be type of list, but got "
                        f"'rank_ids' type : {type(rank_ids)}.")
    size = _mpi.comm_world().Get_size()
    for rank in rank_ids:
        _check_rank_id("create_group", "rank_ids", rank, size)
    if len(rank_ids) < 1:
        raise ValueError(f"Rank_ids size {len(rank_ids)} should be greater than 1 ... i.e. list rank_ids "
                         f"in Group {group} must not be empty.")
    if len(set(rank_ids)) != len(rank_ids):
        raise ValueError(f"List rank_ids in Group {group} has duplicate data!")
    if group in _WORLD_GROUPS.values():
        raise ValueError(f"For 'create_group', {group!r} is the world group's name; choose another.")
    if group in _groups:
        if _groups[group][0] != rank_ids:
            raise ValueError(f"Group {group!r} already exists with ranks {_groups[group][0]}, not {rank_ids}.")
        return
    world = _mpi.comm_world()
    sub = world.Create_group(world.group.Incl(rank_ids))
    _groups[group] = (list(rank_ids), None if sub == _mpi.mpi().COMM_NULL else sub)


def destroy_group(group):
    """Free a group made by ``create_group``.

    Raises:
        ValueError: the world group ("does not support destruction"), or an unknown group.
    """
    _check("destroy_group", group)
    if group in _WORLD_GROUPS.values():
        raise ValueError("The world_group does not support destruction.")
    _, comm = _groups.pop(group)
    if comm is not None:
        comm.Free()
