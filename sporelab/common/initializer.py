"""Initializers: how a network's weights get their first values (``mindspore.common.initializer``).

An initializer is a *recipe*, such as "normal with sigma 0.01" or "He uniform". ``initializer(init,
shape, dtype)`` attaches a recipe to a *lazy* Tensor: it knows its shape and dtype but holds no
memory until ``init_data()`` or ``asnumpy()`` creates the values, so declaring a huge weight is
free::

    >>> import sporelab as ms
    >>> from sporelab.common.initializer import initializer, Normal, HeUniform
    >>> ms.set_seed(1)
    >>> w = initializer(HeUniform(), [64, 3, 3, 3], ms.float32)     # an object ...
    >>> w = initializer('he_uniform', [64, 3, 3, 3], ms.float32)    # ... or its name
    >>> w.has_init
    True
    >>> w = w.init_data()                                           # the values exist from now on
    >>> w.has_init
    False

Names are case-insensitive: 'zeros', 'ones', 'normal', 'truncated_normal', 'uniform',
'xavier_uniform', 'xavier_normal', 'he_uniform', 'he_normal', 'identity', 'dirac', 'orthogonal',
'variance_scaling' (and their forms without underscores, e.g. 'XavierUniform'). A number gives a
``Constant``. Every random draw goes through ``sporelab.random``, so after ``ms.set_seed(s)`` the
same sequence of initialisations gives the same values.

Overview (``n_in``/``n_out`` = fan-in/fan-out of the weight, see ``calculate_fan_in_and_fan_out``):

=================== =================================================== ========================
initializer         values                                              paper
=================== =================================================== ========================
Zero / One          0 / 1
Constant(v)         v
Uniform(scale)      U(-scale, scale)
Normal(sigma, mean) N(mean, sigma^2)
TruncatedNormal     N(mean, sigma^2) cut at mean +- 2 sigma, or [a, b]
XavierUniform(gain) U(+-gain sqrt(6 / (n_in + n_out)))                  Glorot & Bengio 2010
XavierNormal(gain)  N(0, gain^2 2 / (n_in + n_out))                     Glorot & Bengio 2010
HeUniform           U(+-gain sqrt(3 / n_mode))                          He et al. 2015
HeNormal            N(0, gain^2 / n_mode)                               He et al. 2015
VarianceScaling     variance scale / n (three distributions)
Identity            eye(rows, cols)
Dirac(groups)       identity convolution                                Zagoruyko & Komodakis 2017
Orthogonal(gain)    gain x a random orthogonal matrix                   Saxe et al. 2014
Sparse(sparsity)    N(0, sigma^2) with a fraction of each column zeroed Martens 2010
=================== =================================================== ========================
"""

import math
import numbers

import numpy as np

from .. import dtype as _mstype
from .._checks import check_shape
from ..errors import ArgumentTypeError
# MindSpore's private names, which custom initializers written for it import from this module.
from ._base import _INITIALIZER_ALIAS, Initializer, _register, _resolve_name  # noqa: F401
from ._basic import Constant, Normal, One, TruncatedNormal, Uniform, Zero
from ._fan import (_calculate_correct_fan, _calculate_fan_in_and_fan_out,  # noqa: F401 (as above)
                   calculate_fan_in_and_fan_out, calculate_gain)
from ._scaled import HeNormal, HeUniform, VarianceScaling, XavierNormal, XavierUniform
from ._structured import Dirac, Identity, Orthogonal, Sparse

_calculate_gain = calculate_gain        # MindSpore's private name for the same table

__all__ = [
    "Initializer", "initializer", "Zero", "One", "Constant", "Uniform", "Normal", "TruncatedNormal",
    "XavierUniform", "XavierNormal", "HeUniform", "HeNormal", "VarianceScaling", "Identity",
    "Sparse", "Dirac", "Orthogonal", "calculate_gain", "calculate_fan_in_and_fan_out",
]

_INIT_TYPES = "'Tensor', 'number', 'string' or 'initializer'"

# The class initializer() builds lazy tensors of: sporelab.tensor.Tensor, which hands itself down
# when it is imported (_register_tensor_class), because common/ sits below the tensor layer and
# imports none of it.
_tensor_class = None


def _register_tensor_class(cls):
    """Make ``initializer()`` accept and build tensors of ``cls`` (``tensor.py`` calls it once)."""
    global _tensor_class
    _tensor_class = cls


def _assignment(arr, num):
    """Write ``num`` (a number or an array that broadcasts) into the NumPy array ``arr`` in place and
    return ``arr``; a 0-d ``arr`` too. MindSpore's examples call it from custom initializers'
    ``_initialize(self, arr)`` (kungfu-team/mindspore v1.5.0 mindspore/common/initializer.py).

    >>> import numpy as np
    >>> arr = np.zeros((2, 2), np.float32)
    >>> _assignment(arr, 3.0).tolist()
    [[3.0, 3.0], [3.0, 3.0]]

    Raises:
        TypeError: ``arr`` is not a NumPy array.
        ValueError: ``num`` does not broadcast to ``arr``'s shape.
    """
    if not isinstance(arr, np.ndarray):
        raise TypeError(f"For '_assignment', the argument 'arr' must be a numpy.ndarray, but got "
                        f"{type(arr).__name__}.")
    try:
        arr[...] = num
    except ValueError as error:
        raise ValueError(f"For '_assignment', the argument 'num' does not fit 'arr' of shape {arr.shape}: "
                         f"{error}.") from None
    return arr


def _normalise_shape(shape):
    """``shape`` as a tuple of positive ints (an int n gives (n,)), or a teaching error."""
    shape = check_shape(shape, "For 'initializer', the argument 'shape' must be a tuple or list of positive "
                               "ints (or one int), such as [64, 3, 3, 3]",
                        "For 'initializer', the argument 'shape' is invalid, the value of 'shape' must be "
                        "positive integer", value_suffix=" Every dimension must be an int >= 1.",
                        type_error=ArgumentTypeError)
    if math.prod(shape) > np.iinfo(np.intp).max:
        raise ValueError(f"For 'initializer', the argument 'shape' {shape} has more than "
                         f"{np.iinfo(np.intp).max} elements, more than any array can index; check "
                         f"the dimensions.")
    return shape


def initializer(init, shape=None, dtype=_mstype.float32):
    """A lazy Tensor of ``shape`` and ``dtype`` that ``init`` will fill when its data is needed.

    No memory is used until ``init_data()`` or ``asnumpy()`` (or a Parameter built from it)
    creates the values, so ``initializer('normal', [100000, 100000])`` is instant.

    Args:
        init (Union[str, Initializer, numbers.Number, Tensor]): the recipe.

            - a name such as ``'normal'`` or ``'HeUniform'`` (case-insensitive), which builds that
              initializer with its default arguments;
            - an ``Initializer`` object such as ``Normal(sigma=0.02)``;
            - a number, which builds ``Constant(number)``;
            - a Tensor, which is returned unchanged (its shape must equal ``shape`` unless
              ``shape`` is None; ``dtype`` is ignored, as in MindSpore).
        shape (Union[tuple, list, int]): the shape; an int ``n`` means ``(n,)``. Required unless
            ``init`` is a Tensor. (MindSpore rejects ``shape=None`` with a Tensor; we accept it.)
        dtype: the dtype of the tensor (``ms.float32``, ``np.float32`` or ``'float32'``). Random
            values are drawn in float32 and then cast for non-float dtypes. Default: ``ms.float32``.

    Returns:
        Tensor: lazy (``has_init`` is True) unless ``init`` was a Tensor.

    Raises:
        TypeError: ``init`` of another type; ``shape`` not a tuple/list/int (an
            ``ArgumentTypeError``: also a ValueError, MindSpore's kind); ``dtype`` not a dtype;
            a name whose initializer needs arguments (``'sparse'``).
        ValueError: an unknown name; a non-positive dimension; ``shape`` missing; a Tensor whose
            shape differs from ``shape``.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, One
        >>> initializer(One(), [1, 2, 3], ms.float32).shape
        (1, 2, 3)
        >>> initializer('ones', [1, 2, 3], ms.float32).asnumpy().tolist()
        [[[1.0, 1.0, 1.0], [1.0, 1.0, 1.0]]]
        >>> initializer(0.5, 2, ms.float32).asnumpy().tolist()
        [0.5, 0.5]
    """
    Tensor = _tensor_class
    if not isinstance(init, (Tensor, numbers.Number, str, Initializer)):
        hint = "Pass e.g. 'normal', Normal(sigma=0.01), 0.0 or a Tensor."
        if isinstance(init, type) and issubclass(init, Initializer):
            hint = f"You passed the class itself: call it to make an object, {init.__name__}()."
        raise TypeError(f"For 'initializer', the type of the 'init' argument should be {_INIT_TYPES}, "
                        f"but got {type(init)}. {hint}")
    dtype = _mstype.to_dtype(dtype, "dtype")
    if isinstance(init, Tensor):
        if shape is not None and init.shape != _normalise_shape(shape):
            raise ValueError(f"For 'initializer', the shape of the 'init' argument should be same as "
                             f"the argument 'shape', but got the 'init' shape {list(init.shape)} and "
                             f"the 'shape' {list(_normalise_shape(shape))}.")
        return init
    if shape is None:
        raise ValueError(f"For 'initializer', the argument 'shape' is required when 'init' is "
                         f"{init!r}: pass the shape of the tensor to create, e.g. "
                         f"initializer({init!r}, [64, 3, 3, 3]).")
    shape = _normalise_shape(shape)
    if isinstance(init, str):
        init = _resolve_name(init)
    elif isinstance(init, numbers.Number):
        init = Constant(init)
    return Tensor(dtype=dtype, shape=shape, init=init)
