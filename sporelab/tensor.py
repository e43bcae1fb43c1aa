"""``Tensor``: an array, a dtype and a device; or, when lazy, only a shape, a dtype and an initializer.

>>> import numpy as np
>>> import sporelab as ms
>>> x = ms.Tensor(np.arange(6).reshape((2, 3)))
>>> x
Tensor(shape=[2, 3], dtype=Int64, value=
[[0, 1, 2],
 [3, 4, 5]])
>>> print(x * 2.5)
[[ 0.   2.5  5. ]
 [ 7.5 10.  12.5]]

dtype inference follows the tutorials: ``Tensor(1)`` is Int64, ``Tensor(0.1)`` and
``Tensor([1.0, 2.0])`` are Float32, ``Tensor(True)`` is Bool, a NumPy array keeps its dtype.

A *lazy* tensor (``Tensor(dtype=ms.float32, shape=(2, 3), init=Normal())``, which is what
``initializer(...)`` returns) holds no array until ``init_data()`` or ``asnumpy()`` fills it, so
declaring a huge one costs no memory.
"""

import math
import numbers
import warnings

import numpy as np

from . import _tape
from . import dtype as mstype
from . import device as _device
from ._checks import check_shape
from ._tensor_ops import TensorOps
from .common import initializer as _initializers
from .common._base import Initializer
from .errors import ArgumentTypeError

__all__ = ["Tensor"]

_DATA_TYPES = "Tensor, int, float, bool, complex, list, tuple, numpy.ndarray or a NumPy scalar"


def _infer_array(data, explicit_dtype=False):
    """A NumPy array for Python/NumPy input, with the tutorials' dtype inference.

    With an explicit dtype the data is kept at full precision here and cast once by the caller."""
    if isinstance(data, (bool, np.bool_)):
        return np.array(data, dtype=np.bool_)
    if isinstance(data, (np.ndarray, np.generic)):
        return np.array(data)
    if isinstance(data, numbers.Integral):
        try:
            return np.array(data, dtype=np.int64)
        except OverflowError:
            raise ValueError(f"The argument 'input_data' ({data}) does not fit in Int64.") from None
    if isinstance(data, float):
        return np.array(data) if explicit_dtype else _narrow(np.array(data, dtype=np.float64), np.float32)
    if isinstance(data, complex):
        return np.array(data, dtype=np.complex128)      # Complex128, as MindSpore: all its digits
    try:
        array = np.array(data)
    except (ValueError, OverflowError) as error:
        raise ValueError(f"The argument 'input_data' cannot be turned into a tensor: {error}. "
                         f"Nested lists must be rectangular and hold numbers.") from None
    if explicit_dtype:
        return array
    if array.dtype == np.float64:
        array = _narrow(array, np.float32)     # Tensor([1.0, 2.0]) is Float32, as in MindSpore
    return array


def _narrow(array, nptype):
    """Python floats become 32-bit, as in MindSpore; refuse values that would silently become inf."""
    with np.errstate(over="ignore"):
        narrowed = array.astype(nptype)
    if np.any(np.isinf(narrowed) & np.isfinite(array)):
        raise ValueError(f"The argument 'input_data' holds values too large for {np.dtype(nptype).name}; "
                         f"pass dtype=ms.float64 to keep them.")
    return narrowed


def _cast_checked(array, nptype):
    """``array`` as ``nptype``, refusing values the target cannot represent (no silent inf or wrap)."""
    target = np.dtype(nptype)
    if target == array.dtype:
        return array
    if target.kind in "fc" and array.dtype.kind in "iufc":
        return _narrow(array, nptype)
    if target.kind in "iu" and array.dtype.kind in "iuf" and array.size:
        info = np.iinfo(target)
        finite = array[np.isfinite(array)] if array.dtype.kind == "f" else array
        if finite.size != array.size or (finite.size and (finite.min() < info.min or finite.max() > info.max)):
            raise ValueError(f"The argument 'input_data' holds values outside the range of {target.name} "
                             f"[{info.min}, {info.max}]; choose a wider dtype.")
    return array.astype(nptype)


def _check_shape(shape, argument="shape"):
    shape = check_shape(shape, f"The argument '{argument}' must be a tuple or list of positive ints",
                        f"The argument '{argument}' must hold positive ints")
    if math.prod(shape) > np.iinfo(np.intp).max:
        raise ValueError(f"The argument '{argument}' {shape} has more elements than an array can index.")
    return shape


class Tensor(TensorOps):
    """A multi-dimensional array with a sporelab dtype, living on one device.

    Args:
        input_data: a Tensor, Python number or bool, (nested) list or tuple, NumPy array or scalar.
        dtype: the dtype to store (``ms.float32`` or ``'float32'``; a NumPy dtype is a TypeError, as in
            MindSpore); inferred if None. Complex data into a real dtype is a TypeError (take ``.real``).
        shape: only with ``init``: the shape of a lazy tensor.
        init: an ``Initializer``; makes the tensor lazy (no ``input_data`` then).

    Raises:
        TypeError: ``input_data`` of an unsupported type; ``dtype`` not a dtype; ``init`` not an
            Initializer.
        ValueError: both or neither of ``input_data`` and ``init``; a ragged list; a lazy tensor
            without a valid ``shape`` or ``dtype``.

    >>> Tensor(np.ones((2, 2)), ms.float32).dtype
    Float32
    """

    __array_priority__ = 1000      # NumPy defers to our reflected operators: ndarray + Tensor -> Tensor
    __hash__ = object.__hash__     # == is elementwise, so hash by identity, as MindSpore does

    def __init__(self, input_data=None, dtype=None, shape=None, init=None, const_arg=False):
        self._device = _device.current_context()
        self.init = None
        self.const_arg = const_arg
        if init is not None:
            self._init_lazy(input_data, dtype, shape, init)
            return
        if input_data is None:     # MindSpore's TypeError, sporelab's ValueError: both catch it
            raise ArgumentTypeError("Tensor needs 'input_data', or 'init' with 'shape' and 'dtype' for a "
                                    "lazy tensor (e.g. Tensor(dtype=ms.float32, shape=(2, 3), init=One())).")
        if shape is not None:
            raise ValueError("The argument 'shape' is only for lazy tensors (with 'init'); to change the "
                             "shape of data, use .reshape().")
        target = None if dtype is None else mstype.tensor_dtype(dtype)
        if isinstance(input_data, Tensor):
            self._copy_from(input_data, target)
            return
        if isinstance(input_data, (str, bytes, dict, set)) or not isinstance(
                input_data, (numbers.Number, np.ndarray, np.generic, list, tuple, np.bool_)):
            raise TypeError(f"The argument 'input_data' must be {_DATA_TYPES}, but got "
                            f"{type(input_data).__name__}.")
        array = _infer_array(input_data, explicit_dtype=target is not None)
        if array.dtype.kind not in "biufc":
            raise TypeError(f"The argument 'input_data' holds {array.dtype.name} values that are not "
                            f"numbers; a tensor holds numbers or bools only.")
        self._dtype = mstype.from_numpy(array.dtype) if target is None else target
        array = mstype.check_complex_to_real(mstype.from_numpy(array.dtype), self._dtype, values=array)
        self._shape = array.shape
        self._data = _device.to_device(_cast_checked(array, self._dtype.nptype), self._device)

    def _init_lazy(self, input_data, dtype, shape, init):
        if input_data is not None:
            raise ValueError("Give either 'input_data' or 'init', not both: 'init' describes data to "
                             "be created later.")
        if not isinstance(init, Initializer):
            raise TypeError(f"The argument 'init' must be an Initializer such as Normal(), but got "
                            f"{type(init).__name__}. Use initializer(init, shape, dtype) to accept "
                            f"strings and numbers.")
        if dtype is None or shape is None:
            raise ValueError("A lazy tensor needs both 'shape' and 'dtype' next to 'init'.")
        self._dtype = mstype.tensor_dtype(dtype)
        self._shape = _check_shape(shape)
        self._data = None
        self.init = init

    def _copy_from(self, other, target):
        self._device = other._device
        if other._data is None:
            self._dtype = target or other._dtype
            self._shape, self._data, self.init = other._shape, None, other.init
            return
        self._dtype = target or other._dtype
        source = mstype.check_complex_to_real(other._dtype, self._dtype, values=other._data)
        self._shape = other._shape
        self._data = source.astype(self._dtype.nptype, copy=True)

    @staticmethod
    def _wrap(array, dtype=None, device=None):
        """A plain Tensor around a backend array, without copying (for kernels; not for users;
        a Parameter's operators give Tensors too)."""
        tensor = Tensor.__new__(Tensor)
        tensor._device = device or _device.current_context()
        tensor.init = None
        tensor.const_arg = False
        if isinstance(array, np.generic):       # NumPy reductions give scalars, not 0-d arrays
            array = np.asarray(array)
        tensor._dtype = mstype.from_numpy(array.dtype) if dtype is None else dtype
        if array.dtype != tensor._dtype.nptype:
            array = array.astype(tensor._dtype.nptype)
        tensor._data = array
        tensor._shape = tuple(array.shape)
        return tensor

    # ---- state -------------------------------------------------------------------------------
    @property
    def shape(self):
        """The shape as a tuple of ints (``()`` for a scalar)."""
        return self._shape

    @property
    def dtype(self):
        return self._dtype

    @property
    def device(self):
        """The ``Context`` this tensor lives on, e.g. ``cpu(0)``."""
        return self._device

    @property
    def ndim(self):
        return len(self._shape)

    @property
    def size(self):
        return math.prod(self._shape)

    @property
    def itemsize(self):
        return self._dtype.itemsize

    @property
    def nbytes(self):
        return self.size * self.itemsize

    @property
    def has_init(self):
        """True while the tensor is lazy: it has an initializer and no data yet."""
        return self.init is not None and self._data is None

    @property
    def _array(self):
        """The backend array, created from the initializer first if the tensor is lazy."""
        if self._data is None:
            self.init_data()
        return self._data

    def init_data(self, slice_index=None, shape=None, opt_shard_group=None):
        """Create the data of a lazy tensor with its initializer; return the tensor itself.

        Raises:
            TypeError: the tensor has no initializer (it already holds data).
        """
        if self.init is None or self._data is not None:
            raise TypeError("init_data() needs a lazy tensor (one made by initializer(...) or with "
                            "init=...); this tensor already holds its data, so there is nothing to create.")
        array = np.empty(self._shape, dtype=self._dtype.nptype)
        self.init(array)
        self._data = _device.to_device(array, self._device)
        self.init = None
        return self

    def asnumpy(self):
        """The value as a new host NumPy array (changing it does not change the tensor)."""
        data = self._array
        host = _device.to_host(data)
        return host.copy() if host is data else host

    # ---- MindSpore's in-place dtype change and zero-copy NumPy view -----------------------------
    @property
    def strides(self):
        """Bytes to step along each axis of the tensor's row-major layout, MindSpore's ``strides``
        (a tuple; ``()`` for a scalar). Views report the layout of their own shape, as there.

        >>> Tensor(np.ones((2, 3), np.float32)).strides
        (12, 4)
        """
        steps, step = [], self.itemsize
        for length in reversed(self._shape):
            steps.append(step)
            step *= length
        return tuple(reversed(steps))

    def set_dtype(self, dtype):
        """Convert the tensor's values to ``dtype`` in place and return ``dtype`` (MindSpore v1.5.0
        ``Tensor.set_dtype``, kungfu-team/mindspore mindspore/ccsrc/pybind_api/ir/tensor_py.cc).

        >>> t = Tensor(np.array([1.7, -2.2], np.float32))
        >>> t.set_dtype(ms.int32)
        Int32
        >>> t.asnumpy().tolist()
        [1, -2]

        Raises:
            TypeError: ``dtype`` is not a sporelab dtype; complex values into a real dtype.
        """
        target = mstype.tensor_dtype(dtype)
        source = mstype.check_complex_to_real(self._dtype, target, "self", values=self._data)
        if self._data is not None and target is not self._dtype:
            self._write(source.astype(target.nptype), "set_dtype")
        self._dtype = target
        return target

    @staticmethod
    def from_numpy(array):
        """A CPU Tensor over ``array``'s own memory, without a copy (MindSpore's ``from_numpy``):
        writing into one shows in the other.

        >>> a = np.zeros(3, np.float32)
        >>> t = Tensor.from_numpy(a)
        >>> a[0] = 5.0
        >>> t.asnumpy().tolist()
        [5.0, 0.0, 0.0]

        Raises:
            TypeError: ``array`` is not a NumPy array, or its dtype has no sporelab dtype.
        """
        if not isinstance(array, np.ndarray):
            raise TypeError(f"For 'Tensor.from_numpy', the argument 'array' must be a numpy.ndarray, "
                            f"but got {type(array).__name__}.")
        return Tensor._wrap(array, mstype.from_numpy(array.dtype), _device.cpu(0))

    def __array__(self, dtype=None, copy=None):
        host = _device.to_host(self._array)
        return host if dtype is None else host.astype(dtype, copy=False)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self.size != 1:
            raise ValueError(f"item() needs a tensor with one element, but this one has shape {self.shape}.")
        return self.asnumpy().item()

    def tolist(self):
        return self.asnumpy().tolist()

    def copy(self):
        return Tensor(self)

    @staticmethod
    def _from_data(data):
        """A plain Tensor from a list or NumPy array (the other side of an operator)."""
        return Tensor(data)

    # ---- printing ------------------------------------------------------------------------------
    def __str__(self):
        if self.has_init:
            return self._lazy_repr()
        return str(self.asnumpy())

    def __repr__(self):
        if self.has_init:
            return self._lazy_repr()
        value = self.asnumpy()
        text = (" " + str(value)) if value.ndim == 0 else "\n" + np.array2string(value, separator=", ")
        return f"Tensor(shape={list(self.shape)}, dtype={self.dtype}, value={text})"

    def _lazy_repr(self):
        return (f"Tensor(shape={list(self.shape)}, dtype={self.dtype}, init={self.init!r}) "
                f"# lazy: call init_data() or asnumpy() to create the values")

    # ---- conversions ---------------------------------------------------------------------------
    def to(self, ctx):
        """A copy of this tensor on the device ``ctx`` (``ms.cpu(1)``, ``ms.gpu(0)``)."""
        if not isinstance(ctx, _device.Context):
            raise TypeError(f"The argument 'ctx' must be a Context such as ms.cpu(0), but got {type(ctx).__name__}.")
        return Tensor._wrap(_device.to_device(self._array, ctx, copy=True), self._dtype, ctx)

    # ---- MXNet NDArray attributes (sporelab.nd's arrays are Tensors) ----------------------------
    # As in MXNet 1.9.1 (apache/mxnet, tag 1.9.1, python/mxnet/ndarray/ndarray.py).
    stype = "default"      # sparse storage ('row_sparse', 'csr') is not provided

    @property
    def context(self):
        """MXNet's name for ``device``: the ``Context`` this array lives on."""
        return self._device

    def as_in_context(self, context):
        """This array on ``context``: itself if it is already there, else a copy (differentiable)."""
        if not isinstance(context, _device.Context):
            raise TypeError(f"The argument 'context' must be a Context such as mx.cpu(0), but got "
                            f"{type(context).__name__}.")
        if context == self._device:
            return self
        out = self.to(context)
        if self._dtype.kind in "fc":
            source = self._device
            _tape.record_op(out, (self,), lambda g: (_device.to_device(g, source),), saved=())
        return out

    def copyto(self, other):
        """Copy into the array ``other`` (same shape; returns it) or onto the Context ``other``.

        Raises:
            TypeError: ``other`` is neither a Tensor nor a Context.
            ValueError: ``other`` is an array of another shape.
        """
        if isinstance(other, _device.Context):
            return self.to(other)
        if not isinstance(other, Tensor):
            raise TypeError(f"The argument 'other' must be an NDArray or a Context, but got {type(other).__name__}.")
        if other is self:
            warnings.warn("You are attempting to copy an array to itself", stacklevel=2)
            return False
        if other.shape != self.shape:
            raise ValueError(f"copyto: the argument 'other' has shape {other.shape}, but this array has "
                             f"shape {self.shape}; they must be equal.")
        other[...] = self.astype(other.dtype)
        return other

    def asscalar(self):
        """The value of a one-element array as a NumPy scalar of its dtype.

        Raises:
            ValueError: the array does not hold exactly one element.
        """
        if self.size != 1:
            raise ValueError(f"The current array is not a scalar: asscalar() needs one element, but the "
                             f"shape is {self.shape}.")
        return self.asnumpy().reshape(-1)[0]

    def wait_to_read(self):
        """Wait until the value is computed: sporelab computes eagerly, so this returns at once."""

    def __len__(self):
        if not self._shape:
            raise TypeError("len() of a 0-d tensor: it has no first dimension.")
        return self._shape[0]

    def __iter__(self):
        if not self._shape:
            raise TypeError("Iteration over a 0-d tensor: it has no first dimension.")
        return (self[i] for i in range(self._shape[0]))

    def __bool__(self):
        if self.size != 1:
            raise ValueError(f"The truth value of a tensor with {self.size} elements is ambiguous; "
                             f"use .any() or .all().")
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if not mstype.is_int(self._dtype) or self.size != 1:
            raise TypeError("Only a one-element integer tensor can be used as an index.")
        return int(self.item())

    def __setitem__(self, index, value):
        if isinstance(index, Tensor):
            index = index._array
        if isinstance(value, Tensor):
            source = value._array if value._device == self._device else _device.to_device(value._array, self._device)
        elif isinstance(value, (np.ndarray, list, tuple)):     # host values are moved explicitly
            source = _device.to_device(np.asarray(value, dtype=self._dtype.nptype), self._device)
        else:
            source = value
        self._array[index] = source
        self._bump("an assignment x[...] = ...")

    # ---- gradient buffer (MXNet's NDArray.attach_grad) -----------------------------------------
    _GRAD_REQS = ("write", "add", "null")

    def attach_grad(self, grad_req="write"):
        """Give this tensor a gradient buffer ``.grad`` (zeros) filled by ``backward()``.

        Args:
            grad_req: 'write' (each backward overwrites), 'add' (backward accumulates until
                zeroed) or 'null' (no gradient: ``.grad`` becomes None).

        Raises:
            ValueError: another ``grad_req``.
        """
        if grad_req not in self._GRAD_REQS:
            raise ValueError(f"grad_req must be one of 'write', 'add', or 'null', but got {grad_req!r}.")
        self.grad_req = grad_req
        xp = _device.array_module(self._device)
        self.grad = None if grad_req == "null" else Tensor._wrap(
            xp.zeros(self._shape, self._dtype.nptype), self._dtype, self._device)
        return self

    grad = None
    grad_req = "null"
    _node = None           # set by the tape (_tape.record_op) when this tensor was computed on the tape

    # ---- writes, counted so that backward can tell stale saved values (_tape._check_versions)
    _version = 0           # writes into this tensor's memory (on the root of a view)
    _base = None           # the tensor whose memory this one views (reshape, slice, detach)
    _written_by = None     # what wrote last, for the error message

    def _root(self):
        tensor = self
        while tensor._base is not None:
            tensor = tensor._base
        return tensor

    def _bump(self, by):
        """Count a write into this tensor's memory (or its base's); ``by`` says who wrote."""
        root = self._root()
        root._version += 1
        root._written_by = by

    def _write(self, array, by):
        """Replace the data by ``array`` and count the write (optimizer steps, set_data, ...)."""
        self._data = array
        self._bump(by)

    def _describe(self):
        """How an error names this tensor: "Parameter 'w' of shape ...", or a view of one."""
        def noun(tensor):
            name = getattr(tensor, "name", None)
            what = f"Parameter '{name}'" if isinstance(name, str) else "a tensor"
            return f"{what} of shape {tensor.shape} and dtype {tensor.dtype}"
        root = self._root()
        text = noun(self) if root is self else f"{noun(self)} (a view of {noun(root)})"
        return text[0].upper() + text[1:]

    def backward(self, out_grad=None, retain_graph=False, train_mode=True):
        """Gluon style: fill ``.grad`` of every leaf this tensor depends on (inside ``record()``).

        A non-scalar tensor gets a head gradient of ones (as MXNet does) unless ``out_grad`` is given.
        The pass frees the graph unless ``retain_graph``; ``train_mode`` is ``is_training()`` during it.

        Raises:
            RuntimeError: the tensor was not computed inside ``autograd.record()`` from tensors with
                gradient buffers, or an earlier backward pass freed a part of its graph this one needs.
        """
        with _tape.training(train_mode):
            _tape.fill_grad_buffers(self, out_grad, retain_graph)

    def detach(self):
        """The same values, cut from the gradient tape (shares memory, and so its write count)."""
        out = Tensor._wrap(self._array, self._dtype, self._device)
        out._base = self
        return out

    def __deepcopy__(self, memo):
        clone = Tensor._wrap(self._data.copy(), self._dtype, self._device) if self._data is not None \
            else Tensor(dtype=self._dtype, shape=self._shape, init=self.init)
        memo[id(self)] = clone
        return clone


_initializers._register_tensor_class(Tensor)
