"""The Trainer's kvstore rules (MXNet's ``model._create_kvstore`` and ``Trainer._init_kvstore``),
kept apart from trainer.py so the update code can change independently.

Decision table, at the first ``step``:

* ``kvstore=None``: no store. A str with one context and no 'dist' in it: no store either
  (MXNet: a single device needs no aggregation). Otherwise ``kvstore.create(name)``.
* ``update_on_kvstore``: from ``MXNET_UPDATE_ON_KVSTORE`` (default "1"); False for 'local' when a
  parameter has more than 16M elements; False without a store. An explicit value wins, except that
  True without a store is a ValueError.
* With a store, the initial weights of context 0 on rank 0 are broadcast to every context of every
  worker; at each step the gradients are summed over the workers (dist types) before the update.
  ``update_on_kvstore=True`` is emulated as "every worker applies the same update to the summed
  gradient", which is what a synchronous server would compute.
"""

import os

import numpy as np

from .. import kvstore as _kv
from .._checks import check_bool

__all__ = ["check_arguments", "decide", "broadcast_initial_weights", "allreduce_grads"]


def check_arguments(kvstore, update_on_kvstore):
    """Raise TypeError for a kvstore that is not a str, a KVStore or None, or a non-bool switch."""
    if kvstore is not None and not isinstance(kvstore, (str, _kv.KVStore)):
        raise TypeError(f"kvstore must be KVStore, str or None, but got {type(kvstore).__name__}.")
    if update_on_kvstore is not None:
        check_bool(update_on_kvstore, "update_on_kvstore must be a bool or None", got="type")
    if isinstance(kvstore, str) and kvstore not in _kv._TYPES:
        raise ValueError(f"Unknown KVStore type {kvstore!r}; sporelab has {_kv._OFFERED}.")


def decide(kvstore, update_on_kvstore, num_device, params):
    """``(store or None, update_on_kvstore)`` by MXNet's table (see the module text)."""
    update = bool(int(os.environ.get("MXNET_UPDATE_ON_KVSTORE", "1")))
    if kvstore is None:
        store = None
    elif isinstance(kvstore, _kv.KVStore):
        store = kvstore
    elif num_device == 1 and "dist" not in kvstore:
        store = None
    else:
        store = _kv.create(kvstore)
        if kvstore == "local" and max(int(np.prod(p.shape)) for p in params) > 1024 * 1024 * 16:
            update = False
    update = False if store is None else update and store.is_capable("optimizer")
    if update_on_kvstore is not None:
        if update_on_kvstore and store is None:
            raise ValueError("update_on_kvstore=True needs a kvstore, but none is used (kvstore=None, or a "
                             "single context without 'dist').")
        update = update_on_kvstore
    return store, update


def broadcast_initial_weights(store, params):
    """Context 0 of rank 0 to every context of every worker (MXNet's ``_init_params``)."""
    for index, param in enumerate(params):
        data = param.list_data()
        store.broadcast(index, data[0], data)


def allreduce_grads(store, params):
    """Sum every context's gradient over the workers, in place (one message per dtype)."""
    if store is None or store.num_workers == 1:
        return
    from ..communication import _collectives
    grads = [g for p in params if p.grad_req != "null" for g in p.list_grad()]
    summed = _collectives.allreduce_many([g._array for g in grads], store._comm)
    from .. import device as _device
    for g, array in zip(grads, summed):
        g._data = _device.to_device(array, g.device)
