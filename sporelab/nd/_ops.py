"""NDArray operators over sporelab Tensors, each differentiable where MXNet's is.

Names, arguments and defaults follow MXNet 1.9.1 (apache/mxnet, tag 1.9.1: src/operator/nn/
fully_connected.cc, convolution.cc, src/operator/tensor/dot.cc, matrix_op.cc, slice_channel.cc,
broadcast_reduce_op_value.cc). They are built from the engine's recorded ops (matmul, reshape,
slicing, the unary rows, ``ops.conv2d``), so ``autograd.record()`` sees them; ``concat`` and
``stack`` record their own backward.

>>> import sporelab as mx
>>> x = mx.nd.ones((2, 3))
>>> w, b = mx.nd.ones((4, 3)), mx.nd.zeros((4,))
>>> mx.nd.FullyConnected(x, w, b, num_hidden=4).asnumpy()
array([[3., 3., 3., 3.],
       [3., 3., 3., 3.]], dtype=float32)
"""

import numpy as np

from .. import device as _device
from .. import ops as _ops
from .._tape import record_op
from ..tensor import Tensor
from . import _common

__all__ = ["FullyConnected", "Convolution", "dot", "split", "concat", "stack", "exp", "log", "sqrt",
           "square", "abs", "relu", "sigmoid", "tanh", "sum", "mean", "max", "min"]


def _positive_int(value, argument, func):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 1:
        raise ValueError(f"For 'nd.{func}', the argument '{argument}' must be a positive int, but got {value!r}.")
    return int(value)


def FullyConnected(data, weight, bias=None, num_hidden=None, no_bias=False, flatten=True):
    """``data @ weight.T + bias``; ``weight`` is ``(num_hidden, in_units)``.

    With ``flatten=True`` (the default) ``data`` is flattened to ``(batch, -1)`` first; otherwise
    the product runs over its last axis.

    Raises:
        TypeError: an operand is not an NDArray.
        ValueError: ``num_hidden`` missing or not ``weight.shape[0]``; shapes that do not agree.
    """
    data, weight = _common.tensor(data, "FullyConnected"), _common.tensor(weight, "FullyConnected", "weight")
    num_hidden = _positive_int(num_hidden, "num_hidden", "FullyConnected")
    x = data.reshape(data.shape[0], -1) if flatten and data.ndim != 2 else data
    if weight.shape != (num_hidden, x.shape[-1]):
        raise ValueError(f"For 'nd.FullyConnected', the argument 'weight' must have shape "
                         f"{(num_hidden, x.shape[-1])} (num_hidden, input units), but got {weight.shape}.")
    out = x @ weight.T
    if no_bias:
        return out
    bias = _common.tensor(bias, "FullyConnected", "bias")
    if bias.shape != (num_hidden,):
        raise ValueError(f"For 'nd.FullyConnected', the argument 'bias' must have shape ({num_hidden},), "
                         f"but got {bias.shape}; pass no_bias=True to leave it out.")
    return out + bias


def _pair(value, argument, default):
    value = default if value in (None, ()) else value
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"For 'nd.Convolution', the argument '{argument}' must be a pair of ints for a 2-D "
                         f"convolution, but got {value!r}.")
    return tuple(int(v) for v in pair)


def Convolution(data, weight, bias=None, kernel=None, stride=(), dilate=(), pad=(), num_filter=None,
                num_group=1, no_bias=False, layout=None):
    """2-D convolution of NCHW ``data`` with ``weight`` ``(num_filter, C / num_group, kh, kw)``.

    Raises:
        TypeError: an operand is not an NDArray.
        ValueError: a 1-D/3-D kernel or a layout other than NCHW (only 2-D NCHW is provided);
            ``kernel`` or ``num_filter`` disagreeing with ``weight``.
    """
    data, weight = _common.tensor(data, "Convolution"), _common.tensor(weight, "Convolution", "weight")
    if layout not in (None, "NCHW"):
        raise ValueError(f"For 'nd.Convolution', the argument 'layout' must be 'NCHW' (sporelab provides "
                         f"2-D NCHW convolution only), but got {layout!r}.")
    kernel = _pair(kernel, "kernel", None)
    num_filter = _positive_int(num_filter, "num_filter", "Convolution")
    if weight.ndim != 4 or weight.shape[0] != num_filter or weight.shape[2:] != kernel:
        raise ValueError(f"For 'nd.Convolution', the argument 'weight' must have shape ({num_filter}, "
                         f"C/num_group, {kernel[0]}, {kernel[1]}), but got {weight.shape}.")
    pad = _pair(pad, "pad", 0)
    bias = None if no_bias else _common.tensor(bias, "Convolution", "bias")
    return _ops.conv2d(data, weight, bias, stride=_pair(stride, "stride", 1), pad_mode="pad",
                       padding=(pad[0], pad[0], pad[1], pad[1]), dilation=_pair(dilate, "dilate", 1),
                       groups=_positive_int(num_group, "num_group", "Convolution"))


def dot(lhs, rhs, transpose_a=False, transpose_b=False):
    """MXNet's ``dot``: the sum over the last axis of ``lhs`` and the first axis of ``rhs``.

    For 2-D operands it is the matrix product; two 1-D vectors give shape ``(1,)``, as in MXNet.
    """
    lhs, rhs = _common.tensor(lhs, "dot", "lhs"), _common.tensor(rhs, "dot", "rhs")
    if transpose_a:
        lhs = lhs.transpose(tuple(range(1, lhs.ndim)) + (0,)) if lhs.ndim > 1 else lhs
    if transpose_b:
        rhs = rhs.transpose((rhs.ndim - 1,) + tuple(range(rhs.ndim - 1))) if rhs.ndim > 1 else rhs
    if lhs.shape[-1:] != rhs.shape[:1]:
        raise ValueError(f"For 'nd.dot', the last axis of 'lhs' {lhs.shape} must match the first axis of "
                         f"'rhs' {rhs.shape}.")
    out_shape = lhs.shape[:-1] + rhs.shape[1:]
    product = lhs.reshape(-1, lhs.shape[-1]) @ rhs.reshape(rhs.shape[0], -1)
    return product.reshape(out_shape or (1,))


def _axis(axis, ndim, func, extra=0):
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool) or not -ndim - extra <= axis < ndim + extra:
        raise ValueError(f"For 'nd.{func}', the argument 'axis' must be an int in [{-ndim - extra}, "
                         f"{ndim + extra}), but got {axis!r}.")
    return int(axis) % (ndim + extra)


def split(data, num_outputs, axis=1, squeeze_axis=False):
    """``data`` cut into ``num_outputs`` equal parts along ``axis`` (a list; one part alone if 1)."""
    data = _common.tensor(data, "split")
    num_outputs = _positive_int(num_outputs, "num_outputs", "split")
    axis = _axis(axis, data.ndim, "split")
    if data.shape[axis] % num_outputs:
        raise ValueError(f"For 'nd.split', the axis {axis} of length {data.shape[axis]} cannot be split into "
                         f"{num_outputs} equal parts (the argument 'num_outputs').")
    step = data.shape[axis] // num_outputs
    if squeeze_axis and step != 1:
        raise ValueError(f"For 'nd.split', squeeze_axis=True needs parts of length 1, but they have {step}.")
    before = (slice(None),) * axis
    parts = [data[before + (slice(i * step, (i + 1) * step),)] for i in range(num_outputs)]
    if squeeze_axis:
        parts = [part.squeeze(axis) for part in parts]
    return parts[0] if num_outputs == 1 else parts


def _joined(func, arrays, axis, join):
    """Record ``join`` of the arrays (same dtype and context) with the gradient cut back apart."""
    if not arrays:
        raise ValueError(f"For 'nd.{func}', at least one NDArray is needed.")
    arrays = [_common.tensor(a, func, f"data[{i}]") for i, a in enumerate(arrays)]
    first = arrays[0]
    for i, a in enumerate(arrays[1:], 1):
        if a.dtype != first.dtype or a.context != first.context:
            raise TypeError(f"For 'nd.{func}', data[{i}] is {a.dtype} on {a.context}, but data[0] is "
                            f"{first.dtype} on {first.context}; they must agree.")
    xp = _device.array_module(first.context)
    try:
        out_array, cut = join(xp, [a._array for a in arrays])
    except ValueError as error:
        raise ValueError(f"For 'nd.{func}', the shapes {[a.shape for a in arrays]} do not agree: {error}.") from None
    out = Tensor._wrap(out_array, first.dtype, first.context)
    if first.dtype.kind in "fc":
        record_op(out, tuple(arrays), cut, saved=())
    return out


def concat(*data, dim=1, num_args=None):
    """The arrays joined along the existing axis ``dim``."""
    ndim = data[0].ndim if data and isinstance(data[0], Tensor) else 1
    dim = _axis(dim, ndim, "concat")

    def join(xp, arrays):
        bounds = [int(b) for b in np.cumsum([a.shape[dim] for a in arrays])[:-1]]   # ints: CuPy takes no host array
        return xp.concatenate(arrays, axis=dim), lambda g: tuple(xp.split(g, bounds, axis=dim))
    return _joined("concat", data, dim, join)


def stack(*data, axis=0, num_args=None):
    """The arrays (same shape) stacked along a new axis ``axis``."""
    ndim = data[0].ndim if data and isinstance(data[0], Tensor) else 0
    axis = _axis(axis, ndim, "stack", extra=1)

    def join(xp, arrays):
        return xp.stack(arrays, axis=axis), lambda g: tuple(xp.moveaxis(g, axis, 0))
    return _joined("stack", data, axis, join)


def _unary(name, method):
    def op(data):
        return method(_common.tensor(data, name))
    op.__name__ = name
    op.__doc__ = f"Elementwise {name} of an NDArray (differentiable)."
    return op


exp = _unary("exp", Tensor.exp)
log = _unary("log", Tensor.log)
sqrt = _unary("sqrt", Tensor.sqrt)
square = _unary("square", Tensor.square)
abs = _unary("abs", Tensor.abs)
relu = _unary("relu", _ops.relu)
sigmoid = _unary("sigmoid", _ops.sigmoid)
tanh = _unary("tanh", _ops.tanh)


def _reduction(name):
    def op(data, axis=None, keepdims=False, exclude=False):
        data = _common.tensor(data, name)
        axes = None if axis is None else tuple(
            _axis(a, data.ndim, name) for a in ((axis,) if not isinstance(axis, (tuple, list)) else axis))
        if exclude:
            axes = tuple(a for a in range(data.ndim) if axes is None or a not in axes)
        out = getattr(data, name)(axis=axes, keepdims=keepdims)
        return out.reshape(1) if out.ndim == 0 else out      # MXNet 1.x has no 0-d arrays: (1,)
    op.__name__ = name
    op.__doc__ = (f"The {name} over ``axis`` (all axes if None; the other axes with ``exclude=True``), "
                  f"differentiable.")
    return op


sum = _reduction("sum")
mean = _reduction("mean")
max = _reduction("max")
min = _reduction("min")
