"""Argument checks shared by the Gluon Parameter and ParameterDict: each names the argument it rejects."""

import numpy as np

from .. import device as _device
from .. import dtype as mstype
from .._checks import check_bool, check_real, check_shape
from ..tensor import Tensor

_GRAD_REQS = ("write", "add", "null")
_STYPES = ("default", "row_sparse", "csr")


def _check_bool(value, argument):
    return check_bool(value, f"The argument '{argument}' must be True or False", got="value")


def _check_shape(shape):
    """A tuple of ints >= -1 from an int or a tuple/list; 0 and -1 mark unknown dimensions."""
    return check_shape(shape, "The argument 'shape' must be an int or a tuple of ints (0 or -1 for an unknown "
                              "dimension)",
                       "The argument 'shape' must hold dimensions >= 1, or 0 / -1 for unknown ones",
                       allow_unknown=True, dims_are_types=True, type_got="value")


def _shape_is_known(shape):
    return shape is not None and all(d > 0 for d in shape)


def _check_grad_req(req):
    if not isinstance(req, str) or req not in _GRAD_REQS:
        raise ValueError(f"grad_req must be one of 'write', 'add', or 'null', but got {req!r}.")
    return req


def _check_stype(stype, argument):
    if not isinstance(stype, str) or stype not in _STYPES:
        raise ValueError(f"The argument '{argument}' must be one of 'default', 'row_sparse' or 'csr', "
                         f"but got {stype!r}.")
    return stype


def _np_dtype(dtype):
    """numpy.dtype of 'float32', numpy.float32, numpy.dtype or ms.float32 (TypeError otherwise)."""
    return np.dtype(mstype.to_dtype(dtype, "dtype").nptype)


def _check_contexts(ctx):
    """A list of distinct Contexts from None (the current one), a Context or a list of them."""
    if ctx is None:
        return [_device.current_context()]
    contexts = [ctx] if isinstance(ctx, _device.Context) else ctx
    if not isinstance(contexts, (list, tuple)) or not all(isinstance(c, _device.Context) for c in contexts):
        raise TypeError(f"The argument 'ctx' must be a Context such as ms.cpu(0) or a list of them, "
                        f"but got {ctx!r}.")
    if not contexts or len(set(contexts)) != len(contexts):
        raise ValueError(f"The argument 'ctx' must list at least one context, each once, but got {ctx!r}.")
    for context in contexts:
        _device.array_module(context)        # a GPU that cannot be used fails here, before any change
    return list(contexts)


def _as_host_array(data, argument="data"):
    """A NumPy array of numbers from a Tensor, a NumPy array, a number or a nested list."""
    if isinstance(data, Tensor):
        return data.asnumpy()
    if isinstance(data, (str, bytes)) or data is None:
        raise TypeError(f"The argument '{argument}' must be a Tensor, NumPy array, number or list of "
                        f"numbers, but got {type(data).__name__}.")
    try:
        array = np.asarray(data)
    except (ValueError, TypeError) as error:
        raise ValueError(f"The argument '{argument}' cannot be made into an array ({error}); nested "
                         f"lists must be rectangular.") from None
    if array.dtype.kind not in "biufc":
        raise TypeError(f"The argument '{argument}' must hold numbers, but got {type(data).__name__} "
                        f"with dtype {array.dtype}.")
    return array


def _check_mult(value, argument):
    """A finite multiplier >= 0 (0 freezes a weight); NaN, inf or a negative one would silently
    spoil or reverse training, so they are refused like the Trainer's hyper-parameters."""
    check_real(value, f"The argument '{argument}' must be a number such as 1.0", got="value")
    if not 0 <= value < float("inf"):
        raise ValueError(f"The argument '{argument}' must be a finite number >= 0 such as 1.0 "
                         f"(0 freezes the weight), but got {value!r}.")
    return value
