"""Tensor operators: arithmetic with MindSpore's dtype promotion, comparisons, shape ops, reductions,
each with its gradient.

Kept apart from ``tensor.py`` so the Tensor class stays about state. Every differentiable operator
computes on backend arrays and hands ``autograd.record_op`` a backward function, in the style of
micrograd: a few lines per op.

Promotion: tensor with tensor takes the higher-ranked dtype (Int64 + Float32 -> Float32). A Python
scalar is "weak": it keeps the tensor's dtype unless its kind is wider (Int32 tensor * 2.5 ->
Float32; Float16 tensor + 1 -> Float16). True division of integers gives Float32.
"""

import numbers
import operator

import numpy as np

from . import device as _device
from . import dtype as mstype
from ._checks import is_int
from ._shape_errors import check_shapes as _check_shapes
from .autograd import needs_grad, record_op
from .tensor import Tensor

_OPERAND_TYPES = "a Tensor, a Python number, a list or a NumPy array"


def _scalar_dtype(tensor_dtype, value):
    """Result dtype of tensor (op) Python scalar: the scalar is weak."""
    if isinstance(value, (bool, np.bool_)):
        return tensor_dtype
    if isinstance(value, numbers.Integral):
        return mstype.int64 if mstype.is_bool(tensor_dtype) else tensor_dtype
    if isinstance(value, numbers.Real):
        return tensor_dtype if tensor_dtype.kind in "fc" else mstype.float32
    return tensor_dtype if mstype.is_complex(tensor_dtype) else mstype.complex64


def _as_operand(tensor, other, name):
    """(other as a Tensor or Python scalar, result dtype) for ``tensor (op) other``."""
    if isinstance(other, Tensor):
        if other.device != tensor.device:
            raise RuntimeError(f"Operator '{name}' got tensors on different devices ({tensor.device} "
                               f"and {other.device}); move one with .to(ctx) first.")
        return other, mstype.promote(tensor.dtype, other.dtype)
    if isinstance(other, (numbers.Number, np.bool_)) and not isinstance(other, np.generic):
        return other, _scalar_dtype(tensor.dtype, other)
    if isinstance(other, (list, tuple, np.ndarray, np.generic)):
        converted = Tensor(other)
        if converted.device != tensor.device:
            converted = converted.to(tensor.device)
        return converted, mstype.promote(tensor.dtype, converted.dtype)
    raise TypeError(f"Operator '{name}' needs {_OPERAND_TYPES} on the other side of a Tensor, "
                    f"but got {type(other).__name__}.")


def _value(operand, dtype):
    if isinstance(operand, Tensor):
        return operand._array.astype(dtype.nptype, copy=False)
    return operand


def _swap(m):
    return m.swapaxes(-1, -2)


def _matmul_grads(g, a, b):
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = g.reshape(g.shape + (1,)) if b.ndim == 1 else g
    g2 = g2[..., None, :] if a.ndim == 1 else g2
    ga, gb = g2 @ _swap(b2), _swap(a2) @ g2
    ga = ga.reshape(ga.shape[:-2] + (a.shape[-1],)) if a.ndim == 1 else ga
    gb = gb.reshape(gb.shape[:-2] + (b.shape[0],)) if b.ndim == 1 else gb
    return ga, gb


def _log_where_positive(xp, a):
    return xp.log(xp.where(a > 0, a, 1))


# name: (forward, backward(g, a, b, out, xp) -> (ga, gb))
_BINARY = {
    "add": (operator.add, lambda g, a, b, out, xp: (g, g)),
    "sub": (operator.sub, lambda g, a, b, out, xp: (g, -g)),
    "mul": (operator.mul, lambda g, a, b, out, xp: (g * b, g * a)),
    "truediv": (operator.truediv, lambda g, a, b, out, xp: (g / b, -g * a / (b * b))),
    "pow": (operator.pow, lambda g, a, b, out, xp: (
        g * b * a ** (b - 1), g * out * _log_where_positive(xp, a) if hasattr(b, "shape") else None)),
    "matmul": (operator.matmul, lambda g, a, b, out, xp: _matmul_grads(g, a, b)),
    "floordiv": (operator.floordiv, None),
    "mod": (operator.mod, lambda g, a, b, out, xp: (g, -g * xp.floor_divide(a, b))),
}


# name: (left, right, output) read by the backward, given which of left and right need gradients
# (as PyTorch saves them: for w * x with x data, only x).
_SAVED = {
    "add": lambda lt, rt: (False, False, False),
    "sub": lambda lt, rt: (False, False, False),
    "mul": lambda lt, rt: (rt, lt, False),
    "matmul": lambda lt, rt: (rt, lt, False),
    "truediv": lambda lt, rt: (rt, True, False),
    "pow": lambda lt, rt: (True, True, rt),
    "mod": lambda lt, rt: (rt, rt, False),
}


def _record_binary(name, left, right, out, backward, a, b):
    tracked = [isinstance(t, Tensor) and needs_grad(t) for t in (left, right)]
    keep_left, keep_right, keep_out = _SAVED[name](*tracked)
    saved = [t for t, keep in ((left, keep_left), (right, keep_right)) if keep]
    xp = _device.array_module(out.device)
    record_op(out, (left, right), lambda g: backward(g, a, b, out._data, xp), saved=saved,
              saves_output=keep_out)


def _apply_binary(name, left, right, result):
    forward, backward = _BINARY[name]
    _check_shapes(name, left, right)
    a, b = _value(left, result), _value(right, result)
    out = Tensor._wrap(forward(a, b), result, (left if isinstance(left, Tensor) else right).device)
    if backward is not None and result.kind in "fc":
        _record_binary(name, left, right, out, backward, a, b)
    return out


def _binary(name):
    true_divide = name == "truediv"

    def operands(self, other):
        other, result = _as_operand(self, other, name)
        if true_divide and result.kind not in "fc":
            result = mstype.float32
        return other, result

    def method(self, other):
        other, result = operands(self, other)
        return _apply_binary(name, self, other, result)

    def reflected(self, other):
        other, result = operands(self, other)
        return _apply_binary(name, other, self, result)
    return method, reflected


def _comparison(fn, name):
    def method(self, other):
        other, result = _as_operand(self, other, name)
        _check_shapes(name, self, other)
        return Tensor._wrap(fn(_value(self, result), _value(other, result)), mstype.bool_, self.device)
    return method


for _name in _BINARY:
    _method, _reflected = _binary(_name)
    setattr(Tensor, f"__{_name}__", _method)
    setattr(Tensor, f"__r{_name}__", _reflected)
for _name in ("eq", "ne", "lt", "le", "gt", "ge"):
    setattr(Tensor, f"__{_name}__", _comparison(getattr(operator, _name), _name))


# ---- elementwise unary ---------------------------------------------------------------------------
def unary(self, name, forward, backward, float_only=False, reads=("x",)):
    """Apply an elementwise function with its derivative ``backward(g, x, out, xp)``."""
    if mstype.is_bool(self.dtype):
        raise TypeError(f"'{name}' is not defined for Bool tensors; cast with .astype(ms.float32) first.")
    dtype = mstype.float32 if float_only and self.dtype.kind not in "fc" else self.dtype
    xp = _device.array_module(self.device)
    x = self._array.astype(dtype.nptype, copy=False)
    out = Tensor._wrap(forward(xp, x), dtype, self.device)
    if dtype.kind in "fc":
        record_op(out, (self,), lambda g: (backward(g, x, out._data, xp),),
                  saved=(self,) if "x" in reads else (), saves_output="out" in reads)
    return out


# name: (float only, forward, backward, what the backward reads)
_UNARY = {
    "neg": (False, lambda xp, x: -x, lambda g, x, out, xp: -g, ()),
    "abs": (False, lambda xp, x: xp.abs(x), lambda g, x, out, xp: g * xp.sign(x), ("x",)),
    "exp": (True, lambda xp, x: xp.exp(x), lambda g, x, out, xp: g * out, ("out",)),
    "log": (True, lambda xp, x: xp.log(x), lambda g, x, out, xp: g / x, ("x",)),
    "sqrt": (True, lambda xp, x: xp.sqrt(x), lambda g, x, out, xp: g * 0.5 / out, ("out",)),
    "square": (False, lambda xp, x: x * x, lambda g, x, out, xp: 2 * g * x, ("x",)),
}


def _unary_method(name):
    float_only, forward, backward, reads = _UNARY[name]

    def method(self):
        return unary(self, name, forward, backward, float_only, reads)
    method.__name__ = name
    return method


for _name in _UNARY:
    setattr(Tensor, _name, _unary_method(_name))
Tensor.__neg__ = Tensor.neg
Tensor.__abs__ = Tensor.abs
Tensor.__pos__ = lambda self: self


# ---- shape ---------------------------------------------------------------------------------------
def _shape_args(args, name):
    shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    if not all(is_int(d) for d in shape):
        raise TypeError(f"The argument '{name}' must be ints or one tuple of ints, but got {args!r}.")
    return tuple(int(d) for d in shape)


def _shares_memory(xp, array, base):
    """Whether ``array`` may view ``base``'s memory (True where the backend cannot tell)."""
    check = getattr(xp, "may_share_memory", None)
    return True if check is None else bool(check(array, base))


def _view(self, array, backward):
    out = Tensor._wrap(array, self.dtype, self.device)
    if _shares_memory(_device.array_module(self.device), array, self._array):
        out._base = self         # a write into either is a write into both (autograd's version check)
    if self.dtype.kind in "fc":
        record_op(out, (self,), lambda g: (backward(g),), saved=())
    return out


def reshape(self, *shape):
    """A tensor with the same data and a new shape; one dimension may be -1 (inferred).

    >>> Tensor(np.arange(6)).reshape(2, 3).shape
    (2, 3)
    """
    shape = _shape_args(shape, "shape")
    try:
        out = self._array.reshape(shape)
    except ValueError:
        raise ValueError(f"reshape cannot turn shape {self.shape} into {shape} (the argument 'shape'): "
                         f"the new shape must hold the same number of elements ({self.size}), with at "
                         f"most one -1 standing for the dimension that makes it so.") from None
    return _view(self, out, lambda g: g.reshape(self.shape))


def transpose(self, *axes):
    """The tensor with its axes permuted (reversed when no axes are given)."""
    axes = _shape_args(axes, "axes") if axes else tuple(reversed(range(self.ndim)))
    if sorted(a % max(self.ndim, 1) for a in axes) != list(range(self.ndim)):
        raise ValueError(f"The argument 'axes' must be a permutation of 0..{self.ndim - 1}, but got {axes}.")
    inverse = tuple(int(i) for i in np.argsort([a % max(self.ndim, 1) for a in axes]))
    return _view(self, self._array.transpose(axes), lambda g: g.transpose(inverse))


def getitem(self, index):
    if isinstance(index, Tensor):
        index = index._array
    xp = _device.array_module(self.device)

    def backward(g):
        full = xp.zeros(self.shape, g.dtype)
        xp.add.at(full, index, g)
        return full
    return _view(self, self._array[index], backward)


def astype(self, dtype):
    """A copy converted to ``dtype`` (``ms.float32``, ``np.float32`` or ``'float32'``)."""
    target = mstype.to_dtype(dtype)
    out = Tensor._wrap(self._array.astype(target.nptype), target, self.device)
    if target.kind in "fc" and self.dtype.kind in "fc":
        record_op(out, (self,), lambda g: (g.astype(self.dtype.nptype),), saved=())
    return out


Tensor.reshape = reshape
Tensor.transpose = transpose
Tensor.T = property(lambda self: transpose(self))
Tensor.flatten = lambda self: reshape(self, -1)
Tensor.squeeze = lambda self, axis=None: reshape(self, self._array.squeeze(axis).shape)
Tensor.expand_dims = lambda self, axis: reshape(
    self, _device.array_module(self.device).expand_dims(self._array, axis).shape)
Tensor.__getitem__ = getitem
Tensor.astype = astype


# ---- reductions ----------------------------------------------------------------------------------
def _axis(axis, ndim):
    if axis is None:
        return None
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    for a in axes:
        if not is_int(a):
            raise TypeError(f"The argument 'axis' must be an int or a tuple of ints, but got {axis!r}.")
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"The argument 'axis' {a} is out of range for a tensor with {ndim} dimension(s).")
    return tuple(int(a) % max(ndim, 1) for a in axes)


def _expand(g, axis, keepdims, shape):
    """The gradient of a reduction, broadcast back to the input's shape."""
    if not keepdims:
        for a in sorted(range(len(shape)) if axis is None else axis):
            g = g.reshape(g.shape[:a] + (1,) + g.shape[a:])
    return g


def _reduction_backward(name, self, x, out, axis, keepdims, xp):
    def backward(g):
        g = _expand(g, axis, keepdims, self.shape)
        if name == "sum":
            return xp.broadcast_to(g, self.shape)
        if name == "mean":
            return xp.broadcast_to(g, self.shape) * (out.size / x.size if x.size else 0)
        picked = x == _expand(out, axis, keepdims, self.shape)     # max/min: ties share the gradient
        return g * picked / picked.sum(axis=axis, keepdims=True)
    return backward


def _reduce(name, result_dtype):
    def method(self, axis=None, keepdims=False):
        axis = _axis(axis, self.ndim)
        if self.size == 0 and name in ("max", "min"):
            raise ValueError(f"{name}() of an empty tensor has no value.")
        dtype = result_dtype(self.dtype)
        x = self._array.astype(dtype.nptype, copy=False) if name in ("sum", "mean") else self._array
        out = Tensor._wrap(getattr(x, name)(axis=axis, keepdims=keepdims), dtype, self.device)
        if name in ("sum", "mean", "max", "min") and dtype.kind in "fc":
            xp = _device.array_module(self.device)
            picks = name in ("max", "min")      # they read the input and the result; sum and mean neither
            record_op(out, (self,), lambda g: (_reduction_backward(name, self, x, out._data, axis, keepdims, xp)(g),),
                      saved=(self,) if picks else (), saves_output=picks)
        return out
    method.__name__ = name
    method.__doc__ = f"The {name} over ``axis`` (all elements when None); ``keepdims`` keeps reduced axes as 1."
    return method


def _summed(dtype):
    return mstype.int64 if mstype.is_bool(dtype) else dtype


def _averaged(dtype):
    return dtype if dtype.kind in "fc" else mstype.float32


Tensor.sum = _reduce("sum", _summed)
Tensor.mean = _reduce("mean", _averaged)
Tensor.max = _reduce("max", lambda dtype: dtype)
Tensor.min = _reduce("min", lambda dtype: dtype)
Tensor.any = _reduce("any", lambda dtype: mstype.bool_)
Tensor.all = _reduce("all", lambda dtype: mstype.bool_)
