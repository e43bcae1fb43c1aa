"""Communication ops, MindSpore's ``ops.AllReduce``, ``ops.AllGather``, ``ops.Broadcast``, with gradients.

Each is a primitive: build it once, call it on Tensors. Every process of the group must call the
same ops in the same order (launch with ``mpiexec -n P python -m mpi4py script.py``).

* ``AllReduce(op='sum')(x)``: every rank gets the sum (max, min, prod) of the ranks' ``x``.
  Backward of the sum is again an AllReduce sum of the output gradients.
* ``AllGather()(x)``: the ranks' ``x`` concatenated along axis 0, in rank order. Backward: the
  sum over ranks of the output gradient, this rank's block (a ReduceScatter), times ``1/P`` when
  ``gradients_mean`` was set as the op was built (MindSpore's ``mean_flag``): with the same batch
  on every rank (a layer split across ranks), that is exactly the one-process gradient.
* ``Broadcast(root_rank)((x, ...))``: a tuple of the root's tensors on every rank. Backward, as
  MindSpore's: each rank's output gradient passes through to its own input.

A plain one-process run is a group of size 1, where all three return their input.

>>> import sporelab as ms
>>> from sporelab import ops
>>> from sporelab.communication import init
>>> init()
>>> ops.AllReduce()(ms.Tensor([1.0, 2.0]))
Tensor(shape=[2], dtype=Float32, value=
[1., 2.])
"""

from .. import device as _device
from .._checks import is_int
from .._tape import record_op
from ..communication import _collectives, management
from ..tensor import Tensor

__all__ = ["ReduceOp", "AllReduce", "AllGather", "Broadcast"]


class ReduceOp:
    """The reductions of ``AllReduce``: ``ReduceOp.SUM == 'sum'``, MAX, MIN, PROD."""
    SUM = "sum"
    MAX = "max"
    MIN = "min"
    PROD = "prod"


_OPS = (ReduceOp.SUM, ReduceOp.MAX, ReduceOp.MIN, ReduceOp.PROD)


def _check_group(name, group):
    if not isinstance(group, str):
        raise TypeError(f"For '{name}', the argument 'group' must be a str, but got {type(group).__name__}.")
    return group


def _comm(name, group):
    return management._member_comm(name, group)


def _check_tensor(name, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"For '{name}', the input must be a Tensor, but got {type(x).__name__}.")
    if x.has_init:
        x = Tensor(x).init_data()
    return x


def _wrap(array, like):
    return Tensor._wrap(_device.to_device(array, like.device), like.dtype, like.device)


class AllReduce:
    """Reduce ``x`` over the ranks of ``group``; every rank gets the result.

    Args:
        op (str): 'sum' (default), 'max', 'min' or 'prod'.
        group (str): a group name (the world by default).

    Raises:
        TypeError: ``op`` or ``group`` not a str; a non-Tensor input; a Bool tensor with 'sum' or 'prod'.
        ValueError: an unknown ``op``.
        RuntimeError: ``communication.init()`` not called.
    """

    def __init__(self, op=ReduceOp.SUM, group=management.GlobalComm.WORLD_COMM_GROUP):
        if not isinstance(op, str):
            raise TypeError(f"For 'AllReduce', the argument 'op' must be a str, but got {type(op).__name__}.")
        if op not in _OPS:
            raise ValueError(f"For 'AllReduce', the argument 'op' must be one of {list(_OPS)}, but got {op!r}.")
        self.op, self.group = op, _check_group("AllReduce", group)

    def __repr__(self):
        return f"AllReduce(op={self.op!r}, group={self.group!r})"

    def __call__(self, x):
        x = _check_tensor("AllReduce", x)
        if x.dtype.kind == "b" and self.op in (ReduceOp.SUM, ReduceOp.PROD):
            raise TypeError(f"For 'AllReduce', a Bool tensor cannot be reduced with {self.op!r}; cast it first.")
        comm = _comm("AllReduce", self.group)
        xa = x._array
        out = _wrap(_collectives.allreduce(xa, comm, self.op), x)
        record_op(out, (x,), lambda g: (_device.to_device(self._backward(g, xa, out._data, comm), x.device),),
                  saves_output=True)
        return out

    def _backward(self, g, xa, out, comm):
        summed = _collectives.allreduce(g, comm)
        if self.op == ReduceOp.SUM:
            return summed
        xa, out = _device.to_host(xa), _device.to_host(out)
        if self.op == ReduceOp.PROD:
            return summed * out / xa
        return summed * (xa == out)


class AllGather:
    """Concatenate the ranks' ``x`` along axis 0, in rank order (same shape on every rank).

    Raises:
        TypeError: ``group`` not a str; a non-Tensor input.
        ValueError: a 0-d tensor; shapes that differ between ranks.
        RuntimeError: ``communication.init()`` not called.
    """

    def __init__(self, group=management.GlobalComm.WORLD_COMM_GROUP):
        from ..parallel._auto_parallel_context import _get_gradients_mean
        self.group = _check_group("AllGather", group)
        self.mean_flag = _get_gradients_mean()

    def __repr__(self):
        return f"AllGather(group={self.group!r}, mean_flag={self.mean_flag})"

    def __call__(self, x):
        x = _check_tensor("AllGather", x)
        if x.ndim == 0:
            raise ValueError("For 'AllGather', the input must have at least one dimension, but got a 0-d tensor.")
        comm = _comm("AllGather", self.group)
        out = _wrap(_collectives.allgather(x._array, comm), x)
        record_op(out, (x,), lambda g: (_device.to_device(self._backward(g, comm), x.device),), saved=())
        return out

    def _backward(self, g, comm):
        block = _collectives.reduce_scatter(g, comm)
        return block * block.dtype.type(1.0 / comm.Get_size()) if self.mean_flag else block


class Broadcast:
    """Every rank gets ``root_rank``'s tensors: ``Broadcast(0)((x, y))`` returns a tuple.

    Args:
        root_rank (int): the rank (in ``group``) whose values are sent.
        group (str): a group name (the world by default).

    Raises:
        TypeError: ``root_rank`` not an int; the input not a tuple of Tensors.
        ValueError: ``root_rank`` outside the group.
        RuntimeError: ``communication.init()`` not called.
    """

    def __init__(self, root_rank, group=management.GlobalComm.WORLD_COMM_GROUP):
        if not is_int(root_rank):
            raise TypeError(f"For 'Broadcast', the argument 'root_rank' must be an int, but got "
                            f"{type(root_rank).__name__}.")
        if root_rank < 0:
            raise ValueError(f"For 'Broadcast', the argument 'root_rank' must be >= 0, but got {root_rank}.")
        self.root_rank, self.group = int(root_rank), _check_group("Broadcast", group)

    def __repr__(self):
        return f"Broadcast(root_rank={self.root_rank}, group={self.group!r})"

    def __call__(self, inputs):
        if not isinstance(inputs, tuple):
            raise TypeError(f"For 'Broadcast', the input must be a tuple of Tensors, but got {type(inputs).__name__}.")
        inputs = tuple(_check_tensor("Broadcast", x) for x in inputs)
        comm = _comm("Broadcast", self.group)
        if self.root_rank >= comm.Get_size():
            raise ValueError(f"For 'Broadcast', the argument 'root_rank' must be < the group size "
                             f"{comm.Get_size()}, but got {self.root_rank}.")
        arrays = _collectives.bcast_many([x._array for x in inputs], comm, self.root_rank)
        outs = tuple(_wrap(a, x) for a, x in zip(arrays, inputs))
        for x, out in zip(inputs, outs):
            record_op(out, (x,), lambda g: (g,), saved=())
        return outs
