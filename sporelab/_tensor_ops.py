"""``TensorOps``, the operators ``Tensor`` inherits: arithmetic with MindSpore's dtype promotion,
comparisons, shape ops, reductions, each with its gradient.

Kept apart from ``tensor.py`` so the Tensor class stays about state; ``class Tensor(TensorOps)``.
Every method is generated from a row of a table (``_BINARY``, ``_UNARY``, ...) and assigned by name
in the class body (``__add__ = _binary("add")``), so ``help(Tensor)`` lists them. Every
differentiable operator computes on backend arrays and hands ``_tape.record_op`` a backward
function, in the style of micrograd: a few lines per op.

``TensorOps`` needs two things of the class that mixes it in (it cannot import ``tensor.py``,
which imports it): ``_wrap(array, dtype, device)``, a plain Tensor around a backend array, and
``_from_data(data)``, a plain Tensor from a list or a NumPy array.

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
from ._tape import needs_grad, record_op

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
    if isinstance(other, TensorOps):
        if other.device != tensor.device:
            raise RuntimeError(f"Operator '{name}' got tensors on different devices ({tensor.device} "
                               f"and {other.device}); move one with .to(ctx) first.")
        return other, mstype.promote(tensor.dtype, other.dtype)
    if isinstance(other, (numbers.Number, np.bool_)) and not isinstance(other, np.generic):
        return other, _scalar_dtype(tensor.dtype, other)
    if isinstance(other, (list, tuple, np.ndarray, np.generic)):
        converted = tensor._from_data(other)
        if converted.device != tensor.device:
            converted = converted.to(tensor.device)
        return converted, mstype.promote(tensor.dtype, converted.dtype)
    raise TypeError(f"Operator '{name}' needs {_OPERAND_TYPES} on the other side of a Tensor, "
                    f"but got {type(other).__name__}.")


def _value(operand, dtype):
    if isinstance(operand, TensorOps):
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


# name: (forward, backward(g, a, b, out, xp) -> (ga, gb), saves(left_tracked, right_tracked) ->
# which of (left, right, output) the backward reads: as PyTorch saves them, for w * x with x data
# only x). No backward: the op is not differentiable.
_BINARY = {
    "add": (operator.add, lambda g, a, b, out, xp: (g, g),
            lambda lt, rt: (False, False, False)),
    "sub": (operator.sub, lambda g, a, b, out, xp: (g, -g),
            lambda lt, rt: (False, False, False)),
    "mul": (operator.mul, lambda g, a, b, out, xp: (g * b, g * a),
            lambda lt, rt: (rt, lt, False)),
    "truediv": (operator.truediv, lambda g, a, b, out, xp: (g / b, -g * a / (b * b)),
                lambda lt, rt: (rt, True, False)),
    "pow": (operator.pow, lambda g, a, b, out, xp: (
        g * b * a ** (b - 1), g * out * _log_where_positive(xp, a) if hasattr(b, "shape") else None),
            lambda lt, rt: (True, True, rt)),
    "matmul": (operator.matmul, lambda g, a, b, out, xp: _matmul_grads(g, a, b),
               lambda lt, rt: (rt, lt, False)),
    "floordiv": (operator.floordiv, None, None),
    "mod": (operator.mod, lambda g, a, b, out, xp: (g, -g * xp.floor_divide(a, b)),
            lambda lt, rt: (rt, rt, False)),
}


def _record_binary(left, right, out, backward, saves, a, b):
    tracked = [isinstance(t, TensorOps) and needs_grad(t) for t in (left, right)]
    keep_left, keep_right, keep_out = saves(*tracked)
    saved = [t for t, keep in ((left, keep_left), (right, keep_right)) if keep]
    xp = _device.array_module(out.device)
    record_op(out, (left, right), lambda g: backward(g, a, b, out._data, xp), saved=saved,
              saves_output=keep_out)


def _binary(name, reflected=False):
    """``__name__`` (or, reflected, ``__rname__``: ``2 - x`` is ``x.__rsub__(2)``) from its row."""
    forward, backward, saves = _BINARY[name]
    true_divide = name == "truediv"

    def method(self, other):
        other, result = _as_operand(self, other, name)
        if true_divide and result.kind not in "fc":
            result = mstype.float32
        left, right = (other, self) if reflected else (self, other)
        _check_shapes(name, left, right)
        a, b = _value(left, result), _value(right, result)
        out = self._wrap(forward(a, b), result, self.device)
        if backward is not None and result.kind in "fc":
            _record_binary(left, right, out, backward, saves, a, b)
        return out
    method.__name__ = f"__r{name}__" if reflected else f"__{name}__"
    return method


def _comparison(name):
    fn = getattr(operator, name)

    def method(self, other):
        other, result = _as_operand(self, other, name)
        _check_shapes(name, self, other)
        return self._wrap(fn(_value(self, result), _value(other, result)), mstype.bool_, self.device)
    method.__name__ = f"__{name}__"
    return method


# ---- elementwise unary ---------------------------------------------------------------------------
def unary(self, name, forward, backward, float_only=False, reads=("x",)):
    """Apply an elementwise function with its derivative ``backward(g, x, out, xp)``."""
    if mstype.is_bool(self.dtype):
        raise TypeError(f"'{name}' is not defined for Bool tensors; cast with .astype(ms.float32) first.")
    dtype = mstype.float32 if float_only and self.dtype.kind not in "fc" else self.dtype
    xp = _device.array_module(self.device)
    x = self._array.astype(dtype.nptype, copy=False)
    out = self._wrap(forward(xp, x), dtype, self.device)
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
    out = self._wrap(array, self.dtype, self.device)
    if _shares_memory(_device.array_module(self.device), array, self._array):
        out._base = self         # a write into either is a write into both (autograd's version check)
    if self.dtype.kind in "fc":
        record_op(out, (self,), lambda g: (backward(g),), saved=())
    return out


def reshape(self, *shape):
    """A tensor with the same data and a new shape; one dimension may be -1 (inferred).

    >>> import sporelab as ms
    >>> ms.Tensor(np.arange(6)).reshape(2, 3).shape
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
    if isinstance(index, TensorOps):
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
    source = mstype.check_complex_to_real(self.dtype, target, "self", values=self._array)
    out = self._wrap(source.astype(target.nptype), target, self.device)
    if target.kind in "fc" and self.dtype.kind in "fc":
        record_op(out, (self,), lambda g: (g.astype(self.dtype.nptype),), saved=())
    return out


def flatten(self):
    """The tensor as one dimension (a view where the memory allows)."""
    return reshape(self, -1)


def squeeze(self, axis=None):
    """The tensor without its length-1 axes (only ``axis`` when given)."""
    return reshape(self, self._array.squeeze(axis).shape)


def expand_dims(self, axis):
    """The tensor with a new length-1 axis at ``axis``."""
    return reshape(self, _device.array_module(self.device).expand_dims(self._array, axis).shape)


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
        out = self._wrap(getattr(x, name)(axis=axis, keepdims=keepdims), dtype, self.device)
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


class TensorOps:
    """The operators of ``Tensor``, each generated from its row above (see the module docstring
    for what the subclass provides)."""

    __slots__ = ()

    __add__ = _binary("add")
    __radd__ = _binary("add", reflected=True)
    __sub__ = _binary("sub")
    __rsub__ = _binary("sub", reflected=True)
    __mul__ = _binary("mul")
    __rmul__ = _binary("mul", reflected=True)
    __truediv__ = _binary("truediv")
    __rtruediv__ = _binary("truediv", reflected=True)
    __pow__ = _binary("pow")
    __rpow__ = _binary("pow", reflected=True)
    __matmul__ = _binary("matmul")
    __rmatmul__ = _binary("matmul", reflected=True)
    __floordiv__ = _binary("floordiv")
    __rfloordiv__ = _binary("floordiv", reflected=True)
    __mod__ = _binary("mod")
    __rmod__ = _binary("mod", reflected=True)

    __eq__ = _comparison("eq")
    __ne__ = _comparison("ne")
    __lt__ = _comparison("lt")
    __le__ = _comparison("le")
    __gt__ = _comparison("gt")
    __ge__ = _comparison("ge")

    neg = __neg__ = _unary_method("neg")
    abs = __abs__ = _unary_method("abs")
    exp = _unary_method("exp")
    log = _unary_method("log")
    sqrt = _unary_method("sqrt")
    square = _unary_method("square")

    def __pos__(self):
        return self

    reshape = reshape
    transpose = transpose
    T = property(transpose, doc="The tensor with its axes reversed.")
    flatten = flatten
    squeeze = squeeze
    expand_dims = expand_dims
    __getitem__ = getitem
    astype = astype

    sum = _reduce("sum", _summed)
    mean = _reduce("mean", _averaged)
    max = _reduce("max", lambda dtype: dtype)
    min = _reduce("min", lambda dtype: dtype)
    any = _reduce("any", lambda dtype: mstype.bool_)
    all = _reduce("all", lambda dtype: mstype.bool_)
