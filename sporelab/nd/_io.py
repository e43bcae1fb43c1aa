"""``nd.save`` / ``nd.load`` in sporelab's checkpoint format, and ``nd.waitall``.

MXNet 1.9.1 (apache/mxnet, tag 1.9.1, python/mxnet/ndarray/utils.py) saves an NDArray, a list of
NDArrays or a dict ``str -> NDArray`` and loads back a list or a dict. sporelab keeps that API
but writes its own safe format (a ``.npz`` archive with a JSON header, see
``sporelab.serialization``): nothing is unpickled on load, and a save replaces the file
atomically. MXNet's binary ``.params`` files cannot be read.

>>> import os, tempfile
>>> import sporelab as mx
>>> path = os.path.join(tempfile.mkdtemp(), "arrays")
>>> mx.nd.save(path, {"w": mx.nd.ones((2,)), "b": mx.nd.zeros((1,))})
>>> {name: value.asnumpy().tolist() for name, value in mx.nd.load(path).items()}
{'w': [1.0, 1.0], 'b': [0.0]}
"""

import json
import os

import numpy as np

from .. import dtype as mstype
from .. import serialization as _ckpt
from .._checks import check_file_name
from ..tensor import Tensor
from . import _common

__all__ = ["save", "load", "waitall"]

_KIND_KEY = "__sporelab_nd__"


def waitall():
    """Wait until all pending computation is done: sporelab computes eagerly, so it returns at once."""


def _fname(fname, func):
    return check_file_name(fname, f"For 'nd.{func}'")


def _entries(data):
    if isinstance(data, Tensor):
        return "list", [(str(0), data)]
    if isinstance(data, dict):
        for key, value in data.items():
            if not isinstance(key, str) or not key or key != key.strip():
                raise TypeError(f"For 'nd.save', the keys of 'data' must be non-empty str names, but got {key!r}.")
            _common.tensor(value, "save", f"data[{key!r}]")
        return "dict", list(data.items())
    if isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            _common.tensor(value, "save", f"data[{i}]")
        return "list", [(str(i), value) for i, value in enumerate(data)]
    raise TypeError(f"For 'nd.save', the argument 'data' must be an NDArray, a list of NDArrays or a dict "
                    f"str -> NDArray, but got {type(data).__name__}.")


def save(fname, data):
    """Save an NDArray, a list of NDArrays or a dict ``str -> NDArray`` to ``fname`` (atomically).

    Raises:
        TypeError: ``fname`` is not a str or path; ``data`` is none of those forms.
    """
    path = _fname(fname, "save")
    kind, entries = _entries(data)
    arrays = _ckpt._encode([(name, _ckpt._host_array(value)) for name, value in entries], [])
    arrays[_KIND_KEY] = np.frombuffer(json.dumps({"kind": kind}).encode("utf-8"), dtype=np.uint8)
    _ckpt._atomic_write(path, arrays)


def load(fname, ctx=None):
    """The arrays saved by ``nd.save``: a list, or a dict if a dict was saved.

    Raises:
        TypeError: bad ``fname`` or ``ctx``.
        ValueError: the file is missing, damaged, or not written by ``nd.save``.
    """
    path = _fname(fname, "load")
    ctx = _common.context(ctx, "load")
    if not os.path.isfile(path):
        raise ValueError(f"For 'nd.load', the file '{path}' does not exist.")
    try:
        with np.load(path, allow_pickle=False) as npz:
            kind = json.loads(npz[_KIND_KEY].tobytes().decode("utf-8"))["kind"]
            arrays = {key: npz[key] for key in npz.files if key != _KIND_KEY}
        specs = _ckpt._read_meta(_Archive(arrays))
        values = [_ckpt._read_array(arrays, i, spec) for i, spec in enumerate(specs)]
    except Exception as error:  # noqa: BLE001 -- any parse failure is a damaged or foreign file; nothing ran
        raise ValueError(f"For 'nd.load', cannot load '{path}': it is damaged or was not written by "
                         f"sporelab's nd.save ({type(error).__name__}: {error}).") from None
    loaded = [_common.place(v, mstype.from_numpy(v.dtype), ctx) for v in values]
    if kind == "dict":
        return {spec["name"]: value for spec, value in zip(specs, loaded)}
    return loaded


class _Archive(dict):
    """The arrays of an opened archive, with ``files`` as ``np.load`` gives it (for the header check)."""

    @property
    def files(self):
        return list(self)
