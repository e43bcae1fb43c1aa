"""MXNet's key-value store (``mx.kv``) for Gluon: aggregate values across contexts and, for the
``dist_*`` types, across the MPI processes of ``mpiexec -n P python -m mpi4py train.py``.

* ``create(name)``: 'local', 'device', 'local_allreduce_cpu' and 'local_allreduce_device' (sum
  over the contexts of this process: on the host for the first and third, on the first value's
  device for 'device' and 'local_allreduce_device', as MXNet 1.9.1's KVStoreLocal with and without
  device comm; the sums are the same), 'dist_sync' and 'dist_device_sync' (also summed over every
  worker, synchronously). 'dist_async' is refused: sporelab's workers always step together.
  'nccl' is refused with a RuntimeError: it needs NVIDIA GPUs and NCCL, which sporelab does not use.
* ``set_optimizer(optimizer)``: from then on ``push`` applies ``optimizer`` to the stored value
  with the summed gradient (MXNet's local updater) instead of storing the sum.
* ``init(key, value)``: store a value; with ``dist_*`` rank 0's value wins, as in MXNet.
* ``push(key, value)``: store the sum of ``value`` (one Tensor or a list, one per context) over the
  contexts and, in dist mode, over the workers. ``pull(key, out)`` copies the stored value into
  ``out``. ``pushpull(key, value, out=None)`` is both (``out`` defaults to ``value``, in place).
* ``broadcast(key, value, out)``: ``init`` then ``pull``: rank 0's value everywhere.
* ``rank``, ``num_workers``, ``type``.

>>> import sporelab as ms
>>> kv = ms.kvstore.create('local')
>>> kv.init(3, ms.Tensor([1.0, 1.0]))
>>> a, b = ms.Tensor([1.0, 2.0]), ms.Tensor([3.0, 4.0])
>>> kv.pushpull(3, [a, b])
>>> a, b
(Tensor(shape=[2], dtype=Float32, value=
[4., 6.]), Tensor(shape=[2], dtype=Float32, value=
[4., 6.]))
>>> kv.rank, kv.num_workers
(0, 1)
"""

import numpy as np

from . import device as _device
from ._checks import is_int
from .optimizer import Optimizer
from .tensor import Tensor

__all__ = ["create", "KVStore"]

_TYPES = ("local", "device", "local_allreduce_cpu", "local_allreduce_device", "dist_sync", "dist_device_sync",
          "dist_async", "dist_device_async", "dist", "nccl")
_OFFERED = ["local", "device", "local_allreduce_cpu", "local_allreduce_device", "dist_sync", "dist_device_sync"]


def create(name="local"):
    """A new KVStore of type ``name`` (see the module text).

    Raises:
        TypeError: ``name`` not a str.
        ValueError: an unknown type, or an asynchronous one (not supported).
        RuntimeError: a ``dist_*`` type without mpi4py/MPI (``pip install sporelab[dist]``).
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, but got {type(name).__name__}.")
    if name not in _TYPES:
        raise ValueError(f"Unknown KVStore type {name!r}; sporelab has {_OFFERED}.")
    if name == "nccl":
        raise RuntimeError("KVStore type 'nccl' needs NVIDIA GPUs and MXNet built with NCCL; sporelab does not "
                           "use NCCL. Use 'device' (or 'local_allreduce_device'), which sums on the GPU when "
                           "the values are there.")
    if "async" in name:
        raise ValueError(f"KVStore type {name!r} is not supported: sporelab's workers update synchronously; "
                         f"use 'dist_sync'.")
    return KVStore("dist_sync" if name == "dist" else name)


class KVStore:
    """A store of one value per key; see ``create``."""

    def __init__(self, kv_type):
        self._type = kv_type
        self._store = {}
        self._comm = None
        self._optimizer, self._states = None, {}
        if "dist" in kv_type:
            from .communication import _mpi
            self._comm = _mpi.comm_world()

    def __repr__(self):
        return f"KVStore(type={self._type!r}, rank={self.rank}, num_workers={self.num_workers})"

    @property
    def type(self):
        return self._type

    @property
    def rank(self):
        """This worker's rank (0 .. num_workers-1); 0 for a local store."""
        return self._comm.Get_rank() if self._comm is not None else 0

    @property
    def num_workers(self):
        """The number of workers (the MPI world's size for ``dist_*``; 1 for a local store)."""
        return self._comm.Get_size() if self._comm is not None else 1

    def is_capable(self, capability):
        """Whether the store can run an optimizer ('optimizer'): yes, for every sporelab store."""
        if not isinstance(capability, str):
            raise TypeError(f"capability must be a string, but got {type(capability).__name__}.")
        return capability.lower() == "optimizer"

    def set_optimizer(self, optimizer):
        """Run ``optimizer`` in the store: each ``push`` then updates the stored value with the sum.

        Raises:
            TypeError: ``optimizer`` is not an ``sporelab.optimizer.Optimizer``.
        """
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"The argument 'optimizer' must be an Optimizer such as mx.optimizer.SGD(), but got "
                            f"{type(optimizer).__name__}.")
        self._optimizer, self._states = optimizer, {}

    # ---- keys and values ----------------------------------------------------------------------
    @staticmethod
    def _keys_values(key, value, argument="value"):
        keys = key if isinstance(key, (list, tuple)) else [key]
        for k in keys:
            if not (is_int(k) or isinstance(k, str)):
                raise TypeError(f"A key must be an int or a str, but got {type(k).__name__}.")
        if not isinstance(key, (list, tuple)):
            values = [value]
        else:
            values = list(value) if isinstance(value, (list, tuple)) else None
        if values is None or len(values) != len(keys):
            raise ValueError(f"The number of keys ({len(keys)}) and of {argument}s must match.")
        groups = []
        for v in values:
            group = v if isinstance(v, (list, tuple)) else [v]
            if not group or not all(isinstance(t, Tensor) for t in group):
                raise TypeError(f"Each {argument} must be a Tensor or a non-empty list of Tensors (one per context), "
                                f"but got {type(v).__name__}.")
            shapes = {t.shape for t in group}
            if len(shapes) != 1:
                raise ValueError(f"The {argument}s of one key must have one shape, but got {sorted(shapes)}.")
            groups.append(list(group))
        return keys, groups

    def _known(self, k):
        if k not in self._store:
            raise ValueError(f"Key {k!r} has not been initialized in the KVStore; call init(key, value) first.")
        return self._store[k]

    def init(self, key, value):
        """Store ``value`` under ``key`` (rank 0's, in dist mode). Raises ValueError if ``key`` exists."""
        keys, groups = self._keys_values(key, value)
        for k in keys:
            if k in self._store:
                raise ValueError(f"Key {k!r} is already initialized in the KVStore.")
        arrays = [_device.to_host(g[0]._array).copy() for g in groups]
        if self._comm is not None:
            from .communication import _collectives
            arrays = _collectives.bcast_many(arrays, self._comm, 0)
        for k, a in zip(keys, arrays):
            self._store[k] = a

    def push(self, key, value, priority=0):
        """Store the sum of ``value`` over contexts (and workers, in dist mode) under ``key``."""
        keys, groups = self._keys_values(key, value)
        for k, g in zip(keys, groups):
            stored = self._known(k)
            if g[0].shape != stored.shape:
                raise ValueError(f"Key {k!r} holds shape {stored.shape}, but a value of shape {g[0].shape} was pushed.")
        sums = [self._sum(g) for g in groups]
        if self._comm is not None:
            from .communication import _collectives
            sums = _collectives.allreduce_many(sums, self._comm)
        for k, s in zip(keys, sums):
            merged = np.asarray(s).astype(self._store[k].dtype, copy=False)
            if self._optimizer is None:
                self._store[k] = merged
            else:                   # MXNet's KVStoreLocal: updater(key, merged, &stored)
                new, self._states[k] = self._optimizer.update(self._store[k], merged, self._states.get(k), np)
                self._store[k] = new.astype(merged.dtype, copy=False)

    def _sum(self, group):
        """The sum of one key's values: on the host, or on the first value's device for 'device' types."""
        if len(group) == 1:
            return _device.to_host(group[0]._array).copy()
        if "device" in self._type:
            first = group[0]
            return _device.to_host(sum(_device.to_device(t._array, first.device) for t in group[1:]) + first._array)
        return sum(_device.to_host(t._array) for t in group[1:]) + _device.to_host(group[0]._array)

    def pull(self, key, out=None, priority=0, ignore_sparse=True):
        """Copy the value stored under ``key`` into ``out`` (a Tensor or a list of them)."""
        if out is None:
            raise ValueError("pull needs 'out': the Tensor(s) to copy the stored value into.")
        keys, groups = self._keys_values(key, out, "out")
        for k, g in zip(keys, groups):
            stored = self._known(k)
            for t in g:
                if t.shape != stored.shape:
                    raise ValueError(f"Key {k!r} holds shape {stored.shape}, but 'out' has shape {t.shape}.")
        for k, g in zip(keys, groups):
            for t in g:
                t._write(_device.to_device(self._store[k].astype(t.dtype.nptype), t.device, copy=True),
                         "KVStore.pull()")

    def pushpull(self, key, value, out=None, priority=0):
        """``push(key, value)`` then ``pull(key, out)``; ``out`` defaults to ``value`` (in place)."""
        self.push(key, value, priority)
        self.pull(key, value if out is None else out, priority)

    def broadcast(self, key, value, out, priority=0):
        """``init(key, value)`` (rank 0's value) then ``pull(key, out)``."""
        self.init(key, value)
        self.pull(key, out, priority)
