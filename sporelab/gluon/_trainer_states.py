"""``Trainer.save_states`` / ``load_states`` in sporelab's safe format.

MXNet 1.9.1 (apache/mxnet, tag 1.9.1, python/mxnet/gluon/trainer.py, ``save_states``) pickles
the updater's states; sporelab writes them as a ``.npz`` archive with a JSON header (read with
``allow_pickle=False``, replaced atomically), so loading can never run code. A state is None
(plain SGD before a step), SGD's velocity array, or Adam's ``(m, v, t)``; the arrays keep their
exact bits, so a resumed run equals an uninterrupted one bitwise.
"""

import json
import os

import numpy as np

from .. import device as _device
from .. import serialization as _ckpt
from .._checks import check_file_name

FORMAT_NAME = "sporelab-trainer-states"
FORMAT_VERSION = 1
_META = "__sporelab_trainer_states__"


def _path(fname, func):
    return check_file_name(fname, f"For 'Trainer.{func}'")


def save(fname, optimizer, states):
    """Write ``states`` (one per parameter) for ``optimizer`` to ``fname``."""
    path = _path(fname, "save_states")
    arrays, described = {}, []
    for i, state in enumerate(states):
        if state is None:
            described.append(None)
        elif isinstance(state, tuple):
            m, v, t = state
            arrays[f"s{i}_m"], arrays[f"s{i}_v"] = _device.to_host(m), _device.to_host(v)
            described.append({"kind": "adam", "t": int(t)})
        else:
            arrays[f"s{i}_velocity"] = _device.to_host(state)
            described.append({"kind": "velocity"})
    meta = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "optimizer": optimizer, "states": described}
    arrays[_META] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    _ckpt._atomic_write(path, arrays)


def load(fname, optimizer, params):
    """The states in ``fname``, checked against ``optimizer`` and ``params``, on each one's first context.

    Raises:
        ValueError: no such file, a damaged or foreign file, another optimizer, another number of
            parameters or a state shape that does not match its parameter.
    """
    path = _path(fname, "load_states")
    if not os.path.isfile(path):
        raise ValueError(f"For 'Trainer.load_states', the file '{path}' does not exist.")
    try:
        with np.load(path, allow_pickle=False) as npz:
            meta = json.loads(npz[_META].tobytes().decode("utf-8"))
            arrays = {key: npz[key] for key in npz.files if key != _META}
        if meta.get("format") != FORMAT_NAME or meta.get("version") != FORMAT_VERSION:
            raise ValueError("its header is not a sporelab trainer-states header")
        described = meta["states"]
    except Exception as error:  # noqa: BLE001 -- nothing was executed: the file is damaged or foreign
        raise ValueError(f"For 'Trainer.load_states', cannot load '{path}': it is damaged or was not written by "
                         f"Trainer.save_states ({type(error).__name__}: {error}).") from None
    if meta["optimizer"] != optimizer:
        raise ValueError(f"For 'Trainer.load_states', '{path}' holds '{meta['optimizer']}' states, but this "
                         f"Trainer uses '{optimizer}'.")
    if len(described) != len(params):
        raise ValueError(f"For 'Trainer.load_states', '{path}' holds states for {len(described)} parameters, "
                         f"but this Trainer has {len(params)}.")
    return [_state(i, d, arrays, params[i], path) for i, d in enumerate(described)]


def _state(i, described, arrays, param, path):
    if described is None:
        return None
    keys = [f"s{i}_m", f"s{i}_v"] if described["kind"] == "adam" else [f"s{i}_velocity"]
    first = param.list_data()[0]
    values = []
    for key in keys:
        array = arrays.get(key)
        if array is None or array.shape != first.shape or array.dtype != first.dtype.nptype:
            raise ValueError(f"For 'Trainer.load_states', the state of parameter {i} ('{param.name}') in '{path}' "
                             f"does not match its shape {first.shape} and dtype {first.dtype}.")
        values.append(_device.to_device(array, first.device, copy=True))
    return (values[0], values[1], int(described["t"])) if described["kind"] == "adam" else values[0]
