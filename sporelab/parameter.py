"""``Parameter`` (a Tensor a network learns) and ``ParameterTuple``, with MindSpore's semantics.

>>> import numpy as np
>>> import sporelab as ms
>>> x = ms.Parameter(ms.Tensor(np.arange(6).reshape((2, 3))), name="x")
>>> print(x)
Parameter (name=x, shape=(2, 3), dtype=Int64, requires_grad=True)
>>> y = x.set_data(ms.Tensor(np.zeros((2, 3), np.int32)))    # Int32 into Int64: cast, allowed
>>> y is x
True
>>> print(ms.ParameterTuple((x,)).clone("copy"))
(Parameter (name=copy.x, shape=(2, 3), dtype=Int64, requires_grad=True),)
"""

import numbers
import re

import numpy as np

from . import device as _device
from ._checks import check_bool
from . import dtype as mstype
from .common import _part
from .common.initializer import initializer
from .errors import ArgumentTypeError
from .parallel import _hooks as _parallel
from .tensor import Tensor

__all__ = ["Parameter", "ParameterTuple", "check_prefix"]

DEFAULT_NAME = "Parameter"
_MAX_NAME_LENGTH = 1024
_PREFIX = re.compile(r"^\w+[0-9a-zA-Z_.]*$", re.ASCII)
_INPUT_TYPES = "['Tensor', 'int', 'float', 'numpy.ndarray', 'list']"


def check_prefix(prefix, argument="prefix"):
    """Validate a name prefix such as ``params_copy`` or ``fc1.`` (MindSpore's rule); return it.

    Raises:
        TypeError: ``prefix`` is not a str.
        ValueError: it does not match ``^\\w+[0-9a-zA-Z_.]*$`` (ASCII letters, digits, '_' and
            '.', not starting with '.').
    """
    if not isinstance(prefix, str):
        raise TypeError(f"The argument '{argument}' must be a str, but got {type(prefix).__name__}.")
    if not _PREFIX.match(prefix):
        raise ValueError(f"The argument '{argument}' {prefix!r} is invalid: it must start with a letter, "
                         f"digit or '_' and contain only ASCII letters, digits, '_' and '.'.")
    return prefix


def _check_bool(value, argument):
    return check_bool(value, f"The argument `{argument}` must be bool type", got="type")


def _check_name(name):
    if name is None:
        return DEFAULT_NAME
    if not isinstance(name, str):
        raise ArgumentTypeError(f"The type of the Parameter's name should be 'string' or 'None', "
                                f"but got {type(name).__name__}.")
    name = name.strip()
    if len(name) > _MAX_NAME_LENGTH:
        raise ValueError(f"The length of the '{name[:20]}...' name should be less than {_MAX_NAME_LENGTH}.")
    return name or DEFAULT_NAME


def _default_tensor(default_input):
    """The Tensor a Parameter starts from (an independent copy; a lazy one is created now, except
    in the parallel modes, see ``_lazy_tensor``)."""
    if isinstance(default_input, (bool, np.bool_)):
        raise ValueError("Parameter data can not be `bool`: a parameter is learned, so it holds numbers.")
    if isinstance(default_input, Tensor):
        if default_input.has_init:
            lazy = _lazy_tensor(default_input)
            return Tensor(default_input).init_data() if lazy is None else lazy
        return Tensor(default_input)
    if isinstance(default_input, (np.ndarray, np.generic, list, tuple)):
        tensor = Tensor(default_input)
        if mstype.is_bool(tensor.dtype):
            raise ValueError("Parameter data can not be `bool`: a parameter is learned, so it holds numbers.")
        return tensor
    if isinstance(default_input, numbers.Integral):
        return Tensor(default_input, mstype.int32)
    if isinstance(default_input, float):
        return Tensor(default_input, mstype.float32)
    raise TypeError(f"The type of the argument 'default_input' must be in {_INPUT_TYPES}. "
                    f"But got type {type(default_input)}.")


def _lazy_tensor(default_input):
    """In semi_auto_parallel and auto_parallel (MindSpore keeps such parameters without data) and
    in hybrid_parallel, a lazy copy whose initializer has taken its seed (``common._part``), so
    ``init_data(layout)`` can create only a block; else (or when it needs the whole) None."""
    if not _parallel.keeps_parameters_lazy():
        return None
    reserved = _part.reserve(default_input.init, default_input.shape, default_input.dtype.nptype)
    if reserved is None:
        return None
    lazy = Tensor(default_input)
    lazy.init = reserved
    return lazy


class Parameter(Tensor):
    """A Tensor that a network learns: it has a name and a ``requires_grad`` switch.

    Args:
        default_input: a Tensor (a lazy one from ``initializer()`` is created at once), an int
            (stored as Int32), a float (Float32), a NumPy array or a list.
        name (str): the name; None or blank gives ``'Parameter'``, which a Cell replaces by the
            attribute path (``fc1.weight``).
        requires_grad (bool): whether gradients are computed for it.
        layerwise_parallel (bool), parallel_optimizer (bool): distributed-training flags, kept
            for compatibility.

    In semi_auto_parallel, auto_parallel and hybrid_parallel, a Parameter built from
    ``initializer(...)`` holds no data until ``init_data()`` (or a first use) creates it, so that
    ``init_data(layout)`` can create only this rank's block; the values are the same either way.

    Raises:
        ValueError: bool data; a name longer than 1024 characters.
        TypeError: data of another type; a flag that is not a bool; a name that is not a str
            (an ``ArgumentTypeError``: also a ValueError, MindSpore's kind).

    >>> print(Parameter(5, name='z', requires_grad=False))
    Parameter (name=z, shape=(), dtype=Int32, requires_grad=False)
    """

    def __init__(self, default_input, name=None, requires_grad=True, layerwise_parallel=False,
                 parallel_optimizer=True):
        name = _check_name(name)
        for value, argument in ((requires_grad, "requires_grad"), (layerwise_parallel, "layerwise_parallel"),
                                (parallel_optimizer, "parallel_optimizer")):
            _check_bool(value, argument)
        tensor = _default_tensor(default_input)       # last: it may take a seed, so check the rest first
        self._adopt(tensor)
        self.is_default_input_init = isinstance(default_input, Tensor) and default_input.has_init
        self.is_in_parallel = _parallel.in_parallel_mode()
        self._name = name
        self._requires_grad = requires_grad
        self._layerwise_parallel = layerwise_parallel
        self._parallel_optimizer = parallel_optimizer
        self.sliced = False
        self.is_init = False
        self.inited_param = None
        self.init_mode = tensor if self.has_init else None       # MindSpore: the initializer tensor
        self.cache_enable = False
        self.requires_aggr = True
        self.is_param_ps = False
        self.init_in_server = False
        self.is_in_shard = False

    def _adopt(self, tensor):
        self._device, self.init, self.const_arg = tensor.device, tensor.init, False
        self._dtype, self._shape, self._data = tensor.dtype, tensor.shape, tensor._data

    # ---- attributes ----------------------------------------------------------------------------
    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = _check_name(value)

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self._requires_grad = _check_bool(value, "requires_grad")

    @property
    def layerwise_parallel(self):
        return self._layerwise_parallel

    @layerwise_parallel.setter
    def layerwise_parallel(self, value):
        self._layerwise_parallel = _check_bool(value, "layerwise_parallel")

    @property
    def parallel_optimizer(self):
        return self._parallel_optimizer

    @parallel_optimizer.setter
    def parallel_optimizer(self, value):
        self._parallel_optimizer = _check_bool(value, "parallel_optimizer")

    @property
    def data(self):
        """The parameter itself (MindSpore's ``x.data`` prints the same Parameter)."""
        return self

    def __repr__(self):
        return (f"Parameter (name={self.name}, shape={self.shape}, dtype={self.dtype}, "
                f"requires_grad={self.requires_grad})")

    __str__ = __repr__

    # ---- methods -------------------------------------------------------------------------------
    def set_data(self, data, slice_shape=False):
        """Replace the value; return the parameter itself. A rejected call changes nothing.

        Data of a dtype ranked no higher than the parameter's (Bool < Int8 < UInt8 < Int16 <
        Int32 < Int64 < Float16 < Float32 < Float64) is cast to the parameter's dtype; a higher
        one is refused. The shape may change only with ``slice_shape=True``.

        Args:
            data: a Tensor (a lazy one from ``initializer()`` is created), an int or a float.
            slice_shape (bool): allow a new shape.

        Raises:
            TypeError: ``data`` of another type (wrap a NumPy array in ``ms.Tensor``); a float into
                an integer parameter; a dtype that cannot be converted implicitly.
            ValueError: a shape change without ``slice_shape=True``.

        >>> x = Parameter(Tensor(np.ones((1, 2)), ms.float32), name="x")
        >>> print(x.set_data(Tensor(np.ones((1, 4)), ms.float32), slice_shape=True))
        Parameter (name=x, shape=(1, 4), dtype=Float32, requires_grad=True)
        """
        _check_bool(slice_shape, "slice_shape")
        return self._assign(data, slice_shape, "set_data()")

    def assign_value(self, value):
        """Copy ``value`` into the parameter, as MindSpore's ``Parameter.assign_value``; return it.

        Args:
            value (Tensor): of the parameter's shape, with a dtype that converts implicitly.

        Raises:
            TypeError: ``value`` is not a Tensor, or its dtype does not convert implicitly.
            ValueError: ``value`` has another shape. A rejected call changes nothing.

        >>> w = Parameter(Tensor(np.zeros(2), ms.float32), name="w")
        >>> w.assign_value(Tensor([1.0, 2.0])).asnumpy()
        array([1., 2.], dtype=float32)
        """
        if not isinstance(value, Tensor):
            raise TypeError(f"For 'assign_value', the argument 'value' must be a Tensor, but got "
                            f"{type(value).__name__}.")
        if value.shape != self.shape:
            raise ValueError(f"For 'assign_value', the argument 'value' must have the shape {self.shape} "
                             f"of Parameter '{self.name}', but got {value.shape}.")
        return self._assign(value, False, "assign_value()")

    def _assign(self, data, slice_shape, by):
        incoming = self._incoming_tensor(data)
        if incoming.shape != self.shape and not slice_shape:
            raise ValueError(f"Can not change the shape of Parameter which has been initialized. Current "
                             f"shape is {self.shape}, and incoming is {incoming.shape}. Pass "
                             f"slice_shape=True to allow a new shape.")
        if not mstype.can_cast_implicitly(incoming.dtype, self.dtype):
            raise TypeError(f"Incoming Parameter dtype can not be converted to current dtype implicitly. "
                            f"Current dtype is {self.dtype}, and incoming is {incoming.dtype}. Use "
                            f".set_dtype(xxx) to change the dtype.")
        array = incoming._array.astype(self.dtype.nptype, copy=incoming is data)   # never alias the caller's tensor
        self._write(_device.to_device(array, self.device), by)
        self._shape = incoming.shape
        self.init = self.init_mode = None
        self.sliced = slice_shape
        return self

    def _incoming_tensor(self, data):
        if isinstance(data, Tensor):
            return Tensor(data).init_data() if data.has_init else data
        if isinstance(data, numbers.Number) and not isinstance(data, complex):
            if isinstance(data, float) and not mstype.is_float(self.dtype):
                raise TypeError(f"Incoming Parameter dtype can not be converted to current dtype implicitly. "
                                f"Current dtype is {self.dtype}, and incoming is Float.")
            return Tensor(data, self.dtype)
        hint = " Wrap it first: ms.Tensor(array)." if isinstance(data, np.ndarray) else ""
        raise TypeError(f"Parameter data must be [`Tensor`, `int`, `float`] or a kind of `Tensor` "
                        f"(like `Tensor`). But with type {type(data)}.{hint}")

    def set_dtype(self, dtype):
        """Convert the data to ``dtype`` in place, explicitly; return the parameter."""
        target = mstype.to_dtype(dtype)
        self._write(self._array.astype(target.nptype), "set_dtype()")
        self._dtype = target
        return self

    def init_data(self, layout=None, set_sliced=False):
        """Create the data if it is still lazy; with a ``layout``, keep only this rank's block.

        The block is exactly that block of the tensor one process creates with the same seed; a
        lazy parameter (see the class) creates only the block where its initializer allows (see
        ``sporelab.common._part``: not for normals' whole chunks, Orthogonal, Sparse, your own).

        Args:
            layout (tuple): MindSpore's ``(dev_mat, tensor_map, slice_shape, field_size,
                uniform_split, opt_shard_group)`` (see ``sporelab.parallel._layout``); the block
                is the one of ``communication.get_rank()``.
            set_sliced (bool): the value ``sliced`` takes.

        Raises:
            RuntimeError: built from ``initializer(...)`` and the parallel mode has since moved in or
                out of semi_auto_parallel/auto_parallel (MindSpore's check); a layout before
                ``communication.init()``.
            TypeError: ``layout`` not a tuple (a list too, as in MindSpore); ``set_sliced`` not a bool.
            ValueError: a layout of fewer than 6 entries or one that does not fit the shape.

        >>> ms.set_auto_parallel_context(parallel_mode="hybrid_parallel")
        >>> from sporelab.common.initializer import initializer
        >>> w = Parameter(initializer("uniform", [4, 6]), name="w")
        >>> w.has_init
        True
        >>> w.init_data().has_init
        False
        >>> ms.reset_auto_parallel_context()
        """
        if self.is_default_input_init and self.is_in_parallel != _parallel.in_parallel_mode():
            raise RuntimeError("Must set or change parallel mode before any initializer Tensor created.")
        _check_bool(set_sliced, "set_sliced")
        if layout is None:
            if self.has_init:
                Tensor.init_data(self)
                self.init_mode = None
            if set_sliced:
                self.sliced = True
            return self
        _parallel.check_layout(layout, self.shape)
        if self.sliced:                  # already this rank's block
            return self
        piece = _parallel.rank_block(self, layout)
        self._data, self._shape = _device.to_device(piece, self.device), piece.shape
        self.init = self.init_mode = None
        self.sliced = set_sliced
        return self

    def set_param_ps(self, init_in_server=False):
        """Train this parameter on the parameter server (MindSpore's PS mode).

        Workers push its gradient to the server, which sums the workers' gradients, divides by
        their number, runs the optimizer and sends back the new weight; ``DistributedGradReducer``
        leaves its gradient alone.

        Args:
            init_in_server (bool): whether the server initialises it (kept; sporelab's server
                starts from the value of rank 0).

        Raises:
            TypeError: ``init_in_server`` not a bool.
            RuntimeError: PS mode not enabled (``set_ps_context(enable_ps=True)``) or no role;
                PyNative mode (as MindSpore: switch to GRAPH_MODE with ``set_context(mode=...)``).
        """
        _check_bool(init_in_server, "init_in_server")
        if not _parallel.ps_role_ready():
            raise RuntimeError("Must complete following two steps before calling set_param_ps: \n"
                               "1. context.set_ps_context(enable_ps=True) \n"
                               "2. export MS_ROLE environment variable \n"
                               "Please refer to the official website for detailed usage.")
        if _device.get_context("mode") == _device.PYNATIVE_MODE:
            raise RuntimeError("Parameter server training is not supported in pynative mode currently."
                               "Please switch to graph mode and retry.")
        self.is_param_ps = True
        self.init_in_server = init_in_server

    def clone(self, init="same"):
        """A new Parameter with the same name, flags and (copied, independent) data.

        Args:
            init: 'same' to copy the values, or anything ``initializer()`` accepts ('zeros',
                ``Normal(0.2)``, a number, a Tensor) to draw new ones of the same shape and dtype.
        """
        clone = Parameter(Tensor(self), name=self.name, requires_grad=self.requires_grad,
                          layerwise_parallel=self.layerwise_parallel,
                          parallel_optimizer=self.parallel_optimizer)
        clone.cache_enable, clone.requires_aggr = self.cache_enable, self.requires_aggr
        clone.is_param_ps, clone.init_in_server = self.is_param_ps, self.init_in_server
        if not (isinstance(init, str) and init == "same"):
            clone.set_data(initializer(init, self.shape, self.dtype))
        return clone

    def copy(self):
        """``clone(init='same')``."""
        return self.clone()

    def value(self):
        """A plain Tensor holding a copy of the current value."""
        return Tensor(self)

    def __deepcopy__(self, memo):
        clone = self.clone()
        memo[id(self)] = clone
        return clone


class ParameterTuple(tuple):
    """A tuple of Parameters with distinct names, and ``clone(prefix)``.

    Raises:
        TypeError: the argument is not an iterable of Parameters.
        ValueError: two different Parameters share a name (the same object twice is fine).

    >>> a, b = Parameter(1.0, name='a'), Parameter(2.0, name='b')
    >>> [p.name for p in ParameterTuple((a, b)).clone('copy')]
    ['copy.a', 'copy.b']
    """

    def __new__(cls, iterable):
        if isinstance(iterable, (Tensor, str, bytes, dict)):
            raise TypeError(f"For ParameterTuple initialization, ParameterTuple input should be "
                            f"'Parameter' collection, but got a {type(iterable).__name__}. Pass a list "
                            f"or tuple of Parameters, e.g. ParameterTuple((x, y)).")
        try:
            items = tuple(iterable)
        except TypeError:
            raise TypeError(f"For ParameterTuple initialization, ParameterTuple input should be "
                            f"'Parameter' collection, but got a {type(iterable).__name__}.") from None
        _check_members(items)
        return tuple.__new__(cls, items)

    def clone(self, prefix, init="same"):
        """A new ParameterTuple of clones renamed ``prefix + '.' + name``."""
        check_prefix(prefix)
        clones = []
        for param in self:
            clone = param.clone(init)
            clone.name = f"{prefix}.{param.name}"
            clones.append(clone)
        return ParameterTuple(clones)


def _check_members(items):
    seen = {}
    for index, item in enumerate(items):
        if not isinstance(item, Parameter):
            raise TypeError(f"For ParameterTuple initialization, ParameterTuple input should be "
                            f"'Parameter' collection, but element {index} is a {type(item).__name__}.")
        other = seen.setdefault(item.name, item)
        if other is not item:
            raise ValueError(f"The value {item} , its name '{item.name}' already exists. Please set a "
                             f"unique name for the parameter.")
