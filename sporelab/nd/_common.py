"""What every ``sporelab.nd`` function shares: the context, dtype and operand checks."""

import numpy as np

from .. import device as _device
from .. import dtype as mstype
from ..tensor import Tensor

DEFAULT_DTYPE = mstype.float32      # MXNet's mx_real_t


def context(ctx, func):
    """``ctx`` or, when None, the current context; a TypeError naming ``ctx`` otherwise."""
    if ctx is None:
        return _device.current_context()
    if not isinstance(ctx, _device.Context):
        raise TypeError(f"For 'nd.{func}', the argument 'ctx' must be a Context such as mx.cpu(0) or "
                        f"mx.gpu(0), but got {type(ctx).__name__}.")
    return ctx


def dtype(value, func, default=DEFAULT_DTYPE):
    """A sporelab dtype from ``'float32'``, ``numpy.float32`` or ``mx.float32`` (None: ``default``)."""
    if value is None:
        return default
    try:
        return mstype.to_dtype(value, "dtype")
    except TypeError as error:
        raise TypeError(f"For 'nd.{func}', {error}") from None


def shape(value, func, argument="shape"):
    """An int or a tuple/list of non-negative ints, as a tuple (MXNet accepts ``zeros(3)``)."""
    dims = (value,) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else value
    if not isinstance(dims, (tuple, list)) or not all(
            isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in dims):
        raise TypeError(f"For 'nd.{func}', the argument '{argument}' must be an int or a tuple of ints, "
                        f"but got {value!r}.")
    if any(d < 0 for d in dims):
        raise ValueError(f"For 'nd.{func}', the argument '{argument}' must hold non-negative ints, but got "
                         f"{tuple(dims)}.")
    return tuple(int(d) for d in dims)


def tensor(value, func, argument="data"):
    """``value`` if it is an NDArray (a sporelab Tensor); a TypeError naming ``argument`` otherwise."""
    if not isinstance(value, Tensor):
        raise TypeError(f"For 'nd.{func}', the argument '{argument}' must be an NDArray (a sporelab "
                        f"Tensor), but got {type(value).__name__}; wrap data with mx.nd.array(...).")
    return value


def place(array, dtype_, ctx):
    """A Tensor holding the host array ``array`` as ``dtype_`` on ``ctx``."""
    host = np.asarray(array).astype(dtype_.nptype, copy=False)
    return Tensor._wrap(_device.to_device(host, ctx), dtype_, ctx)
