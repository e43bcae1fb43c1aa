"""Collectives on NumPy arrays over an mpi4py communicator: the engine's only wire format.

Arrays travel in their own dtype (float64 stays float64, so data parallel in float64 equals one
process to 1e-12); float16 is summed in float32, as MindSpore does for every gradient; bool travels
as bytes (MPI reduces C bool with neither MAX nor MIN). Several arrays of one dtype are packed into
one flat buffer so a step costs one message per dtype (MindSpore's "fusion").
"""

import numpy as np

from .. import device as _device

__all__ = ["allreduce", "allreduce_many", "bcast_many", "allgather", "reduce_scatter"]


def _mpi_op(op):
    from ._mpi import mpi
    MPI = mpi()
    return {"sum": MPI.SUM, "max": MPI.MAX, "min": MPI.MIN, "prod": MPI.PROD}[op]


def _wire(array):
    host = np.ascontiguousarray(_device.to_host(array)).reshape(array.shape)   # a 0-d array stays 0-d
    if host.dtype == np.bool_:
        return host.view(np.uint8)           # MPI defines no MAX/MIN on C bool; on 0/1 bytes they are OR/AND
    return host.astype(np.float32) if host.dtype == np.float16 else host


def allreduce(array, comm, op="sum"):
    """``op`` over ranks of ``array`` (same shape and dtype on every rank); a new host array."""
    send = _wire(array)
    out = np.empty_like(send)
    comm.Allreduce(send, out, op=_mpi_op(op))
    return out.astype(array.dtype, copy=False)


def _packs(arrays):
    """{wire dtype: [indices]} for the non-None arrays, in a fixed order on every rank."""
    packs = {}
    for i, a in enumerate(arrays):
        if a is not None:
            packs.setdefault(np.dtype(np.float32 if a.dtype == np.float16 else a.dtype).str, []).append(i)
    return packs


def allreduce_many(arrays, comm):
    """The sum over ranks of each array (None stays None), one message per dtype."""
    result = list(arrays)
    for _, indices in sorted(_packs(arrays).items()):
        flat = np.concatenate([_wire(arrays[i]).ravel() for i in indices])
        out = np.empty_like(flat)
        comm.Allreduce(flat, out)
        _unpack(out, arrays, indices, result)
    return result


def bcast_many(arrays, comm, root=0):
    """Each array as it is on ``root``, one message per dtype; new host arrays."""
    result = list(arrays)
    for _, indices in sorted(_packs(arrays).items()):
        flat = np.concatenate([_wire(arrays[i]).ravel() for i in indices])
        comm.Bcast(flat, root=root)
        _unpack(flat, arrays, indices, result)
    return result


def _unpack(flat, arrays, indices, result):
    """Cut the fused message ``flat`` back into ``result[i]`` (shape and dtype of ``arrays[i]``)."""
    offset = 0
    for i in indices:
        n = arrays[i].size
        result[i] = flat[offset:offset + n].reshape(arrays[i].shape).astype(arrays[i].dtype, copy=False)
        offset += n


def allgather(array, comm):
    """The arrays of all ranks concatenated along axis 0 (rank order); shapes must agree."""
    send = _wire(array)
    shapes = comm.allgather(send.shape)
    if any(s != send.shape for s in shapes):
        raise ValueError(f"AllGather needs the same shape on every rank, but the ranks have {shapes}.")
    out = np.empty((comm.Get_size(),) + send.shape, send.dtype)
    comm.Allgather(send, out)
    out = out.reshape((-1,) + send.shape[1:]) if send.ndim else out
    return out.astype(array.dtype, copy=False)


def reduce_scatter(array, comm):
    """The sum over ranks of ``array``, split along axis 0 into size blocks; this rank's block."""
    size = comm.Get_size()
    total = allreduce(array, comm)
    block = total.shape[0] // size
    rank = comm.Get_rank()
    return np.ascontiguousarray(total[rank * block:(rank + 1) * block])
