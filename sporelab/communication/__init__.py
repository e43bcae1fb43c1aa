"""MindSpore's ``mindspore.communication``: the processes of a distributed run, over MPI.

mpi4py is imported only when ``init()`` (or an op that communicates) runs, so importing sporelab
stays fast; without it one error says ``pip install sporelab[dist]``.

>>> from sporelab.communication import init, get_rank, get_group_size, release
>>> init()
>>> get_rank(), get_group_size()     # a plain python process is a world of size 1
(0, 1)
>>> release()
"""

from .management import (GlobalComm, HCCL_WORLD_COMM_GROUP, MCCL_WORLD_COMM_GROUP, NCCL_WORLD_COMM_GROUP,
                         create_group, destroy_group, get_group_rank_from_world_rank, get_group_size,
                         get_local_rank, get_local_rank_size, get_rank, get_world_rank_from_group_rank,
                         init, release)
from . import management

__all__ = ["init", "release", "get_rank", "get_local_rank", "get_group_size", "get_local_rank_size",
           "get_world_rank_from_group_rank", "get_group_rank_from_world_rank", "create_group",
           "destroy_group", "GlobalComm", "HCCL_WORLD_COMM_GROUP", "NCCL_WORLD_COMM_GROUP",
           "MCCL_WORLD_COMM_GROUP", "management"]
