"""Tensor operators: arithmetic with MindSpore's dtype promotion, comparisons, shape ops, reductions.

Kept apart from ``tensor.py`` so the Tensor class stays about state. Every operator goes through
``_binary`` / ``_unary`` / ``_reduce``, the one place a gradient tape can later hook into.

Promotion: tensor with tensor takes the higher-ranked dtype (Int64 + Float32 -> Float32). A Python
scalar is "weak": it keeps the tensor's dtype unless its kind is wider (Int32 tensor * 2.5 ->
Float32; Float16 tensor + 1 -> Float16). True division of integers gives Float32.
"""

import numbers
import operator

import numpy as np

from . import device as _device
from . import dtype as mstype
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
    """(other as a backend array or Python scalar, result dtype) for ``tensor (op) other``."""
    if isinstance(other, Tensor):
        if other.device != tensor.device:
            raise RuntimeError(f"Operator '{name}' got tensors on different devices ({tensor.device} "
                               f"and {other.device}); move one with .to(ctx) first.")
        return other._array, mstype.promote(tensor.dtype, other.dtype)
    if isinstance(other, (numbers.Number, np.bool_)) and not isinstance(other, np.generic):
        return other, _scalar_dtype(tensor.dtype, other)
    if isinstance(other, (list, tuple, np.ndarray, np.generic)):
        converted = Tensor(other)
        array = _device.to_device(converted._array, tensor.device)
        return array, mstype.promote(tensor.dtype, converted.dtype)
    raise TypeError(f"Operator '{name}' needs {_OPERAND_TYPES} on the other side of a Tensor, "
                    f"but got {type(other).__name__}.")


def _cast(value, dtype):
    return value.astype(dtype.nptype, copy=False) if hasattr(value, "astype") else value


def _binary(fn, name, *, true_divide=False, boolean=False):
    def method(self, other):
        other_array, result = _as_operand(self, other, name)
        if true_divide and not result.kind in "fc":
            result = mstype.float32
        out = fn(_cast(self._array, result), _cast(other_array, result))
        return Tensor._wrap(out, mstype.bool_ if boolean else result, self.device)

    def reflected(self, other):
        other_array, result = _as_operand(self, other, name)
        if true_divide and not result.kind in "fc":
            result = mstype.float32
        out = fn(_cast(other_array, result), _cast(self._array, result))
        return Tensor._wrap(out, mstype.bool_ if boolean else result, self.device)

    method.__name__ = name
    return method, reflected


def _install_binary():
    table = {
        "add": (operator.add, {}), "sub": (operator.sub, {}), "mul": (operator.mul, {}),
        "truediv": (operator.truediv, {"true_divide": True}), "floordiv": (operator.floordiv, {}),
        "mod": (operator.mod, {}), "pow": (operator.pow, {}), "matmul": (operator.matmul, {}),
    }
    for name, (fn, options) in table.items():
        method, reflected = _binary(fn, name, **options)
        setattr(Tensor, f"__{name}__", method)
        setattr(Tensor, f"__r{name}__", reflected)
    for name in ("eq", "ne", "lt", "le", "gt", "ge"):
        method, _ = _binary(getattr(operator, name), name, boolean=True)
        setattr(Tensor, f"__{name}__", method)


def _unary(fn, name):
    def method(self):
        if mstype.is_bool(self.dtype) and name in ("neg", "abs"):
            raise TypeError(f"Operator '{name}' is not defined for Bool tensors; cast with .astype(ms.int32) first.")
        return Tensor._wrap(fn(self._array), self.dtype, self.device)
    method.__name__ = name
    return method


Tensor.__neg__ = _unary(operator.neg, "neg")
Tensor.__pos__ = lambda self: self
Tensor.__abs__ = _unary(operator.abs, "abs")
Tensor.abs = Tensor.__abs__
_install_binary()


# ---- shape ---------------------------------------------------------------------------------------
def _shape_args(args, name):
    shape = args[0] if len(args) == 1 and isinstance(args[0], (tuple, list)) else args
    if not all(isinstance(d, (int, np.integer)) and not isinstance(d, bool) for d in shape):
        raise TypeError(f"The argument '{name}' of must be ints or one tuple of ints, but got {args!r}.")
    return tuple(int(d) for d in shape)


def reshape(self, *shape):
    """A tensor with the same data and a new shape; one dimension may be -1 (inferred).

    >>> Tensor(np.arange(6)).reshape(2, 3).shape
    (2, 3)
    """
    shape = _shape_args(shape, "shape")
    try:
        out = self._array.reshape(shape)
    except ValueError:
        raise ValueError(f"The argument 'shape' {shape} does not fit a tensor of shape {self.shape} "
                         f"({self.size} elements).") from None
    return Tensor._wrap(out, self.dtype, self.device)


def transpose(self, *axes):
    """The tensor with its axes permuted (reversed when no axes are given)."""
    axes = _shape_args(axes, "axes") if axes else None
    if axes is not None and sorted(a % max(self.ndim, 1) for a in axes) != list(range(self.ndim)):
        raise ValueError(f"The argument 'axes' must be a permutation of 0..{self.ndim - 1}, but got {axes}.")
    return Tensor._wrap(self._array.transpose(axes), self.dtype, self.device)


def flatten(self):
    return reshape(self, -1)


def squeeze(self, axis=None):
    return Tensor._wrap(self._array.squeeze(axis), self.dtype, self.device)


def expand_dims(self, axis):
    xp = _device.array_module(self.device)
    return Tensor._wrap(xp.expand_dims(self._array, axis), self.dtype, self.device)


Tensor.reshape = reshape
Tensor.transpose = transpose
Tensor.T = property(lambda self: transpose(self))
Tensor.flatten = flatten
Tensor.squeeze = squeeze
Tensor.expand_dims = expand_dims


# ---- reductions ----------------------------------------------------------------------------------
def _axis(axis, ndim):
    if axis is None:
        return None
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"The argument 'axis' must be an int or a tuple of ints, but got {axis!r}.")
        if not -max(ndim, 1) <= a < max(ndim, 1):
            raise ValueError(f"The argument 'axis' {a} is out of range for a tensor with {ndim} dimension(s).")
    return tuple(int(a) for a in axes)


def _reduce(name, result_dtype):
    def method(self, axis=None, keepdims=False):
        axis = _axis(axis, self.ndim)
        if self.size == 0 and name in ("max", "min"):
            raise ValueError(f"{name}() of an empty tensor has no value.")
        dtype = result_dtype(self.dtype)
        array = self._array.astype(dtype.nptype, copy=False) if name in ("sum", "mean") else self._array
        out = getattr(array, name)(axis=axis, keepdims=keepdims)
        return Tensor._wrap(out, dtype, self.device)
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
