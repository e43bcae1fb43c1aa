"""Synchronous parameter-server training over MPI, with MindSpore's arithmetic.

Roles (``_ps_context._get_role``): one server (world rank 0, or ``MS_ROLE=MS_PSERVER``) and
workers (the other ranks). For the parameters marked ``set_param_ps()``, one step is:

1. every worker computes its gradients on its shard and **pushes** the PS ones to the server
   (an MPI Reduce with SUM onto the server, which contributes zeros);
2. the server divides the sum by the number of workers (MindSpore's ``ComputeMean``), so a PS
   parameter always sees the mean over workers whatever ``gradients_mean`` says, and runs the
   optimizer on its own copy of the weight and the optimizer state;
3. every worker **pulls** the new weight (an MPI Bcast from the server).

The other parameters are trained by the workers as in data parallel, among the workers only
(a worker sub-communicator). The server's ``TrainOneStepCell`` call takes no data: it serves one
step and returns the workers' mean loss. At the first step the server's PS weights are sent to
every worker, so all start from the same values.
"""

import numpy as np

from .. import device as _device
from ..communication import _mpi, management
from ..tensor import Tensor
from . import _ps_context

__all__ = ["ParameterServerStep", "worker_group"]

WORKER_GROUP = "ps_worker_group"


def _layout():
    """(world comm, server's world rank, number of workers, whether this process is the server)."""
    world = _mpi.comm_world()
    roles = world.allgather(_ps_context._get_role())
    servers = [r for r, role in enumerate(roles) if role == "MS_PSERVER"]
    if len(servers) != 1 or world.Get_size() < 2:
        raise RuntimeError(f"Parameter-server training needs exactly one server and at least one worker, but "
                           f"the {world.Get_size()} process(es) have roles {roles}. Launch with "
                           f"mpiexec -n 1+W (rank 0 serves) or set MS_ROLE on each process.")
    return world, servers[0], sum(role == "MS_WORKER" for role in roles), world.Get_rank() == servers[0]


def worker_group():
    """The name of the workers' group (created on first use; every process must call this)."""
    if not management.GlobalComm.INITED:
        management.init()
    if WORKER_GROUP not in management._groups:
        world, server, _, is_server = _layout()
        sub = world.Split(1 if is_server else 0, world.Get_rank())
        ranks = [r for r in range(world.Get_size()) if r != server]
        management._groups[WORKER_GROUP] = (ranks, None if is_server else sub)
        if is_server:
            sub.Free()
    return WORKER_GROUP


def ps_active(weights):
    """PS mode, a PS parameter among ``weights`` and more than one process (a single process is a
    worker with no server: ordinary training, which equals the mean over one worker)."""
    return (_ps_context._is_ps_mode() and any(p.is_param_ps for p in weights)
            and _mpi.comm_world().Get_size() > 1)


class ParameterServerStep:
    """One synchronous PS step for a ``TrainOneStepCell`` (see the module text)."""

    def __init__(self, weights, optimizer):
        self.world, self.server, self.workers, self.is_server = _layout()
        self.weights, self.optimizer = weights, optimizer
        self.ps_index = [i for i, p in enumerate(weights) if p.is_param_ps]
        self.started = False

    def _pull(self):
        arrays = [self.weights[i]._array for i in self.ps_index]
        from ..communication import _collectives
        for i, array in zip(self.ps_index, _collectives.bcast_many(arrays, self.world, self.server)):
            self.weights[i]._write(_device.to_device(array, self.weights[i].device), "the parameter server's pull")

    def _push(self, grads, loss):
        """The sums over workers of the PS gradients and of the loss (meaningful on the server)."""
        parts = [np.ravel(_device.to_host(grads[i]._array)).astype(np.float64) for i in self.ps_index]
        send = np.concatenate(parts + [np.array([loss], np.float64)])
        out = np.zeros_like(send)
        self.world.Reduce(send, out, root=self.server)
        return out

    def server_step(self):
        if not self.started:
            self._pull()
            self.started = True
        zeros = [Tensor._wrap(np.zeros(p.shape, p.dtype.nptype), p.dtype, p.device) for p in self.weights]
        total = self._push(zeros, 0.0)
        grads, offset = [None] * len(self.weights), 0
        for i in self.ps_index:
            p = self.weights[i]
            mean = total[offset:offset + p.size].reshape(p.shape).astype(p.dtype.nptype) / p.dtype.nptype(self.workers)
            grads[i] = Tensor._wrap(_device.to_device(mean, p.device), p.dtype, p.device)
            offset += p.size
        self.optimizer(tuple(grads))
        self._pull()
        return Tensor(total[-1] / self.workers, self.weights[0].dtype if self.weights else None)

    def worker_step(self, loss, grads):
        if not self.started:
            self._pull()
            self.started = True
        self._push(grads, float(loss.asnumpy()))
        local = tuple(None if i in self.ps_index else g for i, g in enumerate(grads))
        self.optimizer(local)
        self._pull()
