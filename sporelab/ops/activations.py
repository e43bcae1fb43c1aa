"""Element-wise activations: ``relu``, ``sigmoid``, ``tanh``.

Each has a kernel on backend arrays (``relu_forward(xp, x)``, ...) and a wrapper that takes a
Tensor (and returns a Tensor on the same device) or a NumPy array / Python number (and returns a
NumPy array)::

    relu(x)    = max(x, 0)
    sigmoid(x) = 1 / (1 + exp(-x)) = (tanh(x / 2) + 1) / 2
    tanh(x)    = (exp(x) - exp(-x)) / (exp(x) + exp(-x))

``relu`` keeps the dtype; ``sigmoid`` and ``tanh`` keep a float dtype and turn integer or bool
input into Float32 (their values are fractions).

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab import ops
>>> print(ops.relu(ms.Tensor([-1.0, 0.0, 2.0])))
[0. 0. 2.]
>>> ops.sigmoid(np.array([0.0]))
array([0.5])
"""

import numpy as np

from .. import dtype as mstype
from .._tape import record_op
from ..device import array_module
from ..tensor import Tensor

__all__ = ["relu", "sigmoid", "tanh", "relu_forward", "sigmoid_forward", "tanh_forward"]


def relu_forward(xp, x):
    """``max(x, 0)`` element-wise, in x's dtype (NaN stays NaN)."""
    return xp.maximum(x, xp.zeros((), dtype=x.dtype))


def sigmoid_forward(xp, x):
    """``1 / (1 + exp(-x))``, written with tanh so that no exp overflows for large ``|x|``."""
    half = x.dtype.type(0.5)
    return half * (xp.tanh(half * x) + 1)


def tanh_forward(xp, x):
    """``tanh(x)`` element-wise."""
    return xp.tanh(x)


# d/dx of each activation, written with its output (so the backward keeps only the output, as PyTorch).
_DERIVATIVES = {
    "relu": lambda x, out: out > 0,         # a mask: g * mask keeps g's dtype
    "sigmoid": lambda x, out: out * (1 - out),
    "tanh": lambda x, out: 1 - out * out,
}


def _apply(kernel, x, name, floating):
    """Run ``kernel`` on a Tensor (-> Tensor, differentiable) or on NumPy input (-> NumPy array)."""
    if isinstance(x, Tensor):
        xp, array, device = array_module(x.device), x._array, x.device
    elif isinstance(x, (np.ndarray, np.generic, int, float, list, tuple)):
        xp, array, device = np, np.asarray(x), None
    else:
        raise TypeError(f"For '{name}', the argument 'x' must be a Tensor, a NumPy array or a number, "
                        f"but got {type(x).__name__}.")
    if array.dtype.kind not in "biufc":
        raise TypeError(f"For '{name}', the argument 'x' must hold numbers, but got dtype {array.dtype}.")
    if floating and array.dtype.kind in "biu":
        array = array.astype(np.float32)
    out = kernel(xp, array)
    if device is None:
        return out
    result = Tensor._wrap(out, mstype.from_numpy(out.dtype), device)
    if out.dtype.kind == "f":
        derivative = _DERIVATIVES[name]
        record_op(result, (x,), lambda g: (g * derivative(None, out),), saved=(), saves_output=True)
    return result


def relu(x):
    """Rectified linear unit ``max(x, 0)``; the dtype is kept.

    Raises:
        TypeError: ``x`` is not a Tensor, array or number, or holds no numbers.
    """
    return _apply(relu_forward, x, "relu", floating=False)


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, in (0, 1); integers give Float32.

    Raises:
        TypeError: ``x`` is not a Tensor, array or number, or holds no numbers.
    """
    return _apply(sigmoid_forward, x, "sigmoid", floating=True)


def tanh(x):
    """Hyperbolic tangent, in (-1, 1); integers give Float32.

    Raises:
        TypeError: ``x`` is not a Tensor, array or number, or holds no numbers.
    """
    return _apply(tanh_forward, x, "tanh", floating=True)
