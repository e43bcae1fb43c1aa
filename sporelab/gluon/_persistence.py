"""``ParameterDict.save`` / ``load`` / ``load_dict``: MXNet 1.9.1's semantics in sporelab's format.

Mirrors apache/mxnet, tag 1.9.1, python/mxnet/gluon/parameter.py (``ParameterDict.save``,
``load``, ``load_dict`` and ``Parameter._load_init``). The file is written by ``sporelab.nd.save``
(a ``.npz`` archive with a JSON header, replaced atomically, never unpickled). Where MXNet asserts,
sporelab raises ``ArgumentAssertionError`` (a ValueError and an AssertionError) with MXNet's
message. Unlike MXNet, ``load`` checks every Parameter before it changes any, so a failed load
leaves the dict as it was.
"""

import numpy as np

from .. import device as _device
from .. import dtype as mstype
from ..errors import ArgumentAssertionError
from ..nd import _io as _nd_io
from ..tensor import Tensor
from ._checks import _check_bool, _check_contexts

_DTYPE_SOURCES = ("current", "saved")


def _check_str(value, argument):
    if not isinstance(value, str):
        raise TypeError(f"The argument '{argument}' must be a str, but got {type(value).__name__}.")
    return value


def _reduced(param):
    """The average of the copies on all contexts, on the host (MXNet's ``Parameter._reduce``)."""
    copies = [tensor.asnumpy() for tensor in param.list_data()]
    if len(copies) == 1:
        return copies[0]
    return np.mean(np.stack(copies), axis=0, dtype=np.result_type(copies[0].dtype, np.float64)).astype(
        copies[0].dtype)


def save(params, filename, strip_prefix=""):
    """Save every Parameter's value under its name less ``strip_prefix`` (see ParameterDict.save)."""
    _check_str(strip_prefix, "strip_prefix")
    arrays = {}
    for param in params.values():
        if not param.name.startswith(strip_prefix):
            raise ValueError(f"Prefix '{strip_prefix}' is to be striped before saving, but Parameter's name "
                             f"'{param.name}' does not start with '{strip_prefix}'. this may be due to your "
                             f"Block shares parameters from other Blocks or you forgot to use 'with "
                             f"name_scope()' when creating child blocks.")
        host = _reduced(param)
        arrays[param.name[len(strip_prefix):]] = Tensor._wrap(host, mstype.from_numpy(host.dtype), _device.cpu())
    _nd_io.save(filename, arrays)


def load(params, filename, ctx=None, allow_missing=False, ignore_extra=False, restore_prefix="",
         cast_dtype=False, dtype_source="current"):
    """Load a file written by ``save`` (see ParameterDict.load)."""
    _check_str(restore_prefix, "restore_prefix")
    if restore_prefix:
        for name in params.keys():
            if not name.startswith(restore_prefix):
                raise ArgumentAssertionError(f"restore_prefix is '{restore_prefix}' but Parameters name "
                                             f"'{name}' does not start with '{restore_prefix}'")
    loaded = _nd_io.load(filename)
    if not isinstance(loaded, dict):
        raise ValueError(f"The file '{filename}' holds a list of arrays, not named Parameters; write it with "
                         f"ParameterDict.save or nd.save of a dict.")
    load_dict(params, loaded, ctx, allow_missing, ignore_extra, restore_prefix, filename, cast_dtype,
              dtype_source)


def load_dict(params, param_dict, ctx=None, allow_missing=False, ignore_extra=False, restore_prefix="",
              filename=None, cast_dtype=False, dtype_source="current"):
    """Load ``{name: NDArray}`` (names may carry MXNet's ``arg:``/``aux:``) into the Parameters."""
    for value, argument in ((allow_missing, "allow_missing"), (ignore_extra, "ignore_extra"),
                            (cast_dtype, "cast_dtype")):
        _check_bool(value, argument)
    if dtype_source not in _DTYPE_SOURCES:
        raise ValueError(f"The argument 'dtype_source' must be 'current' or 'saved', but got {dtype_source!r}.")
    ctx_list = None if ctx is None else _check_contexts(ctx)
    if not isinstance(param_dict, dict):
        raise TypeError(f"The argument 'param_dict' must be a dict of name -> NDArray, but got "
                        f"{type(param_dict).__name__}.")
    arrays = {restore_prefix + (k[4:] if k.startswith(("arg:", "aux:")) else k): v for k, v in param_dict.items()}
    _check_names(params, arrays, allow_missing, ignore_extra, restore_prefix, filename)
    plans = [_plan(params[name], _host(value, name), ctx_list, cast_dtype, dtype_source)
             for name, value in arrays.items() if name in params]
    for apply in plans:               # every check passed: now change the Parameters
        apply()


def _host(value, name):
    if not isinstance(value, Tensor):
        raise TypeError(f"The value for '{name}' in 'param_dict' must be an NDArray, but got {type(value).__name__}.")
    return value.asnumpy()


def _check_names(params, arrays, allow_missing, ignore_extra, prefix, filename):
    where = f"file: {filename}" if filename else "param_dict"
    if not allow_missing:
        for name in params.keys():
            if name not in arrays:
                raise ArgumentAssertionError(
                    f"Parameter '{name[len(prefix):]}' is missing in {where}, which contains parameters: "
                    f"{_brief(arrays)}. Please make sure source and target networks have the same prefix.")
    if not ignore_extra:
        for name in arrays:
            if name not in params:
                raise ArgumentAssertionError(
                    f"Parameter '{name[len(prefix):]}' loaded from {where} is not present in ParameterDict, "
                    f"choices are: {_brief(params.keys())}. Set ignore_extra to True to ignore. Please make "
                    f"sure source and target networks have the same prefix.")


def _brief(names):
    names = list(names)
    shown = names if len(names) <= 6 else names[:3] + ["..."] + names[-3:]
    return ", ".join(f"'{n}'" if n != "..." else n for n in shown)


def _plan(param, data, ctx_list, cast_dtype, dtype_source):
    """Check ``data`` against ``param`` (MXNet's ``_load_init``); return the change to make."""
    if param.shape:
        if len(param.shape) != data.ndim or any(s not in (0, -1, d) for s, d in zip(param.shape, data.shape)):
            raise ArgumentAssertionError(f"Failed loading Parameter '{param.name}' from saved params: shape "
                                         f"incompatible expected {param.shape} vs saved {data.shape}")
    if data.dtype != param.dtype:
        if not cast_dtype:
            raise ArgumentAssertionError(
                f"Failed loading Parameter '{param.name}' from saved params: dtype incompatible expected "
                f"{param.dtype.name} vs saved {data.dtype.name}. Set cast_dtype=True to cast the dtype of "
                f"saved params.")
    target_dtype = data.dtype if cast_dtype and dtype_source == "saved" else param.dtype
    current = param._ctx_list if param._data is not None else (
        param._deferred_init[1] if param._deferred_init else None)
    if ctx_list is not None and current is not None and set(ctx_list) != set(current):
        raise ArgumentAssertionError(f"Failed to load Parameter '{param.name}' on {ctx_list} because it was "
                                     f"previous initialized on {list(current)}.")
    return lambda: _apply(param, data, ctx_list, target_dtype)


def _apply(param, data, ctx_list, target_dtype):
    if target_dtype != param.dtype:
        param.cast(target_dtype)
    host = data.astype(param.dtype)
    if param._data is not None:
        param.set_data(host)
        return
    contexts = param._deferred_init[1] if param._deferred_init else (ctx_list or [_device.cpu()])
    param._shape = tuple(data.shape)
    param._commit(param._build(None, host, contexts, param._shape), contexts)
