"""NDArray creation: ``array``, ``zeros``, ``ones``, ``empty``, ``full``, ``arange``, ``*_like``.

Signatures and defaults follow MXNet 1.9.1 (apache/mxnet, tag 1.9.1,
python/mxnet/ndarray/ndarray.py and utils.py): the dtype is float32 unless given, except that
``array`` of an NDArray keeps its dtype, and ``*_like`` keep their input's dtype and context.
"""

import numbers

import numpy as np

from ..tensor import Tensor
from . import _common

__all__ = ["array", "zeros", "ones", "empty", "full", "arange", "zeros_like", "ones_like"]


def array(source_array, ctx=None, dtype=None):
    """An NDArray copied from an array-like (a list, a NumPy array, an NDArray).

    >>> import sporelab as mx
    >>> x = mx.nd.array([[1, 2], [3, 4]])
    >>> x.dtype, x.context                       # float32 by default, as in MXNet
    (Float32, cpu(0))

    Raises:
        TypeError: ``source_array`` is not array-like; a bad ``ctx`` or ``dtype``.
    """
    ctx = _common.context(ctx, "array")
    if isinstance(source_array, Tensor):
        return _common.place(source_array.asnumpy(), _common.dtype(dtype, "array", source_array.dtype), ctx)
    target = _common.dtype(dtype, "array")
    if isinstance(source_array, (str, bytes, dict, set)) or source_array is None:
        raise TypeError(f"For 'nd.array', the argument 'source_array' must be array-like (a list, tuple, "
                        f"number, NumPy array or NDArray), but got {type(source_array).__name__}.")
    try:
        host = np.array(source_array)
    except (ValueError, TypeError) as error:
        raise TypeError(f"For 'nd.array', the argument 'source_array' must be array-like: {error}.") from None
    if host.dtype.kind not in "biufc":
        raise TypeError(f"For 'nd.array', the argument 'source_array' must hold numbers, but got "
                        f"{host.dtype} values.")
    return _common.place(host, target, ctx)


def _filled(func, shape, ctx, dtype, value):
    shape = _common.shape(shape, func)
    dtype = _common.dtype(dtype, func)
    ctx = _common.context(ctx, func)
    return _common.place(np.full(shape, value, dtype=dtype.nptype), dtype, ctx)


def zeros(shape, ctx=None, dtype=None, **kwargs):
    """An NDArray of zeros: ``mx.nd.zeros((16, 100), ctx=mx.cpu())`` (float32 unless ``dtype``)."""
    _no_sparse("zeros", kwargs)
    return _filled("zeros", shape, ctx, dtype, 0)


def ones(shape, ctx=None, dtype=None, **kwargs):
    """An NDArray of ones."""
    _no_sparse("ones", kwargs)
    return _filled("ones", shape, ctx, dtype, 1)


def empty(shape, ctx=None, dtype=None):
    """An NDArray whose values are not to be relied on (zeros here, so runs are reproducible)."""
    return _filled("empty", shape, ctx, dtype, 0)


def full(shape, val, ctx=None, dtype=None, out=None):
    """An NDArray filled with ``val``; with ``out``, ``out`` is filled and returned.

    Raises:
        TypeError: ``val`` is not a real number.
    """
    if not isinstance(val, numbers.Real) or isinstance(val, bool):
        raise TypeError(f"For 'nd.full', the argument 'val' must be a real number, but got {type(val).__name__}.")
    result = _filled("full", shape, ctx, dtype, val)
    return _into(out, result, "full")


def arange(start, stop=None, step=1.0, repeat=1, infer_range=None, ctx=None, dtype=None):
    """Evenly spaced values in ``[start, stop)``, each repeated ``repeat`` times (float32 by default).

    >>> import sporelab as mx
    >>> mx.nd.arange(3, repeat=2).asnumpy()
    array([0., 0., 1., 1., 2., 2.], dtype=float32)

    Raises:
        TypeError: non-real ``start``, ``stop`` or ``step``; ``repeat`` not an int.
        ValueError: ``step`` is 0; ``repeat`` < 1.
    """
    for name, value in (("start", start), ("stop", stop), ("step", step)):
        if value is not None and (not isinstance(value, numbers.Real) or isinstance(value, bool)):
            raise TypeError(f"For 'nd.arange', the argument '{name}' must be a real number, but got "
                            f"{type(value).__name__}.")
    if step == 0:
        raise ValueError("For 'nd.arange', the argument 'step' must not be 0.")
    if not isinstance(repeat, int) or isinstance(repeat, bool) or repeat < 1:
        raise ValueError(f"For 'nd.arange', the argument 'repeat' must be a positive int, but got {repeat!r}.")
    dtype = _common.dtype(dtype, "arange")
    ctx = _common.context(ctx, "arange")
    start, stop = (0, start) if stop is None else (start, stop)
    values = np.repeat(np.arange(start, stop, step, dtype=np.float64), repeat)
    return _common.place(values, dtype, ctx)


def zeros_like(data):
    """Zeros with the shape, dtype and context of ``data``."""
    data = _common.tensor(data, "zeros_like")
    return _common.place(np.zeros(data.shape), data.dtype, data.context)


def ones_like(data):
    """Ones with the shape, dtype and context of ``data``."""
    data = _common.tensor(data, "ones_like")
    return _common.place(np.ones(data.shape), data.dtype, data.context)


def _no_sparse(func, kwargs):
    stype = kwargs.pop("stype", None)
    if kwargs:
        raise TypeError(f"nd.{func}() got an unexpected keyword argument '{next(iter(kwargs))}'.")
    if stype not in (None, "default"):
        raise ValueError(f"For 'nd.{func}', the argument 'stype' must be 'default': sporelab has no sparse "
                         f"storage ('row_sparse', 'csr'), but got {stype!r}.")


def _into(out, result, func):
    """MXNet's ``out=``: write ``result`` into ``out`` (same shape) and return ``out``."""
    if out is None:
        return result
    out = _common.tensor(out, func, "out")
    if out.shape != result.shape:
        raise ValueError(f"For 'nd.{func}', the argument 'out' has shape {out.shape}, but the result has "
                         f"shape {result.shape}.")
    out[...] = result.astype(out.dtype)
    return out
