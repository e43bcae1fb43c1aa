"""MXNet Gluon's ``Parameter`` and ``Constant``: one copy of a weight per context, plus its gradient.

A Gluon Parameter is a thin container over the engine's Tensor: after ``initialize(ctx=...)`` it
holds one ``Tensor`` per context (``data(ctx)``), and, unless ``grad_req='null'``, that tensor's
gradient buffer (``grad(ctx)``, the tensor's ``.grad`` from ``attach_grad``), which
``autograd.record()`` / ``backward()`` fill. Values are drawn once on the host from the seeded
generator and copied to every context, so all copies are identical and a seed gives the same
numbers on any device.

>>> import sporelab as ms
>>> from sporelab import gluon
>>> ms.set_seed(0)
>>> w = gluon.Parameter('fc_weight', shape=(2, 3), init=gluon.init.Xavier())
>>> w
Parameter fc_weight (shape=(2, 3), dtype=float32)
>>> w.initialize(ctx=[ms.cpu(0), ms.cpu(1)])
>>> w.list_ctx()
[cpu(0), cpu(1)]
>>> bool((w.data(ms.cpu(0)).asnumpy() == w.data(ms.cpu(1)).asnumpy()).all())
True

Decisions (docs/coming-from.md lists every difference from MXNet):

* ``dtype`` is returned as a ``numpy.dtype`` (it compares equal to ``'float32'`` and to
  ``numpy.float32``) and printed by its name: ``dtype=float32``, the form MXNet prints for a
  string dtype. sporelab dtypes (``ms.float32``) are accepted too.
* Unknown dimensions are 0 or -1. The scalar shape ``()`` is a known shape (NumPy semantics).
* Misuse MXNet reports with ``AssertionError`` raises ``ValueError`` (bad ``grad_req``,
  incompatible shape); access errors are MXNet's ``RuntimeError`` texts.
* A deferred initialisation finishes as soon as the shape becomes fully known, through the shape
  setter or ``set_data`` (there are no Blocks here to finish it on the first forward pass);
  ``_finish_deferred_init()`` is what a Block would call.
* ``row_sparse_data`` needs no Trainer: every context holds the full rows, so the rows asked for
  are read directly.
* A rejected call changes nothing.
"""

import warnings

import numpy as np

from .. import device as _device
from .. import dtype as mstype
from ..tensor import Tensor
from . import init as _init
from ._checks import (_as_host_array, _check_bool, _check_contexts, _check_grad_req, _check_mult,
                      _check_shape, _check_stype, _np_dtype, _shape_is_known)

__all__ = ["Parameter", "Constant", "DeferredInitializationError"]


class DeferredInitializationError(RuntimeError):
    """The Parameter's initialisation was deferred until its shape is known; it holds no data yet."""


class Parameter:
    """A container for one weight of a network, with a copy (and a gradient) on each context.

    Args:
        name (str): the name, printed and used as a key. Default 'weight'.
        grad_req (str): 'write' (each backward overwrites the gradient), 'add' (backward
            accumulates until ``zero_grad()``) or 'null' (no gradient buffers). Default 'write'.
        shape (int or tuple of int): the shape; 0 or -1 mark dimensions not known yet.
        dtype: 'float32' (default), ``numpy.float32`` or ``ms.float32``.
        lr_mult, wd_mult (float): multipliers of the learning rate and weight decay. Default 1.0.
        init: this Parameter's initializer (see ``initialize``): an ``init.Initializer``, a name
            such as 'xavier', a JSON string, or a MindSpore initializer.
        allow_deferred_init (bool): whether ``initialize`` may wait for an unknown shape.
        differentiable (bool): False forces ``grad_req='null'``.
        stype, grad_stype (str): storage types, 'default', 'row_sparse' or 'csr'.

    Raises:
        TypeError: an argument of the wrong type (a non-str name, a non-numeric lr_mult, ...).
        ValueError: a bad ``grad_req``, ``stype`` or ``shape``, an unregistered ``init`` name.

    >>> Parameter('w', shape=4)
    Parameter w (shape=(4,), dtype=float32)
    """

    def __init__(self, name="weight", grad_req="write", shape=None, dtype="float32", lr_mult=1.0,
                 wd_mult=1.0, init=None, allow_deferred_init=False, differentiable=True,
                 stype="default", grad_stype="default"):
        if not isinstance(name, str):
            raise TypeError(f"The argument 'name' must be a str, but got {type(name).__name__}.")
        self._name = name
        self._allow_deferred_init = _check_bool(allow_deferred_init, "allow_deferred_init")
        self._differentiable = _check_bool(differentiable, "differentiable")
        self._stype = _check_stype(stype, "stype")
        self._grad_stype = _check_stype(grad_stype, "grad_stype")
        self._shape = None if shape is None else _check_shape(shape)
        self._dtype = _np_dtype(dtype)
        self.lr_mult, self.wd_mult, self.init = lr_mult, wd_mult, init
        self._data = None             # one Tensor per context, in the order of self._ctx_list
        self._ctx_list = None
        self._deferred_init = ()      # (initializer, ctx list) while waiting for the shape
        self._grad_req = "null"
        self.grad_req = grad_req

    def __repr__(self):
        return f"{type(self).__name__} {self._name} (shape={self._shape}, dtype={self._dtype.name})"

    # ---- attributes ----------------------------------------------------------------------------
    name = property(lambda self: self._name, doc="The name (read-only).")
    allow_deferred_init = property(lambda self: self._allow_deferred_init)
    differentiable = property(lambda self: self._differentiable)
    stype = property(lambda self: self._stype)
    grad_stype = property(lambda self: self._grad_stype)

    @property
    def grad_req(self):
        """'write', 'add' or 'null'. Setting 'null' frees the gradients; setting 'write' or 'add' on
        an initialised Parameter gives fresh zero gradients on every context."""
        return self._grad_req

    @grad_req.setter
    def grad_req(self, req):
        req = _check_grad_req(req)
        if not self._differentiable:
            req = "null"
        if req == self._grad_req:
            return
        self._grad_req = req
        for tensor in self._data or ():
            tensor.attach_grad(req)

    @property
    def lr_mult(self):
        """Learning-rate multiplier: the optimizer uses ``learning_rate * lr_mult``."""
        return self._lr_mult

    @lr_mult.setter
    def lr_mult(self, value):
        self._lr_mult = _check_mult(value, "lr_mult")

    @property
    def wd_mult(self):
        """Weight-decay multiplier: the optimizer uses ``wd * wd_mult``."""
        return self._wd_mult

    @wd_mult.setter
    def wd_mult(self, value):
        self._wd_mult = _check_mult(value, "wd_mult")

    @property
    def init(self):
        """The initializer given to this Parameter (None: the one passed to ``initialize``)."""
        return self._init

    @init.setter
    def init(self, value):
        if value is not None:
            _init.create(value)          # reject an unknown name or type now, not at initialize()
        self._init = value

    @property
    def dtype(self):
        """The dtype as a ``numpy.dtype``; setting it casts the data and gradients (``cast``)."""
        return self._dtype

    @dtype.setter
    def dtype(self, dtype):
        self.cast(dtype)

    @property
    def shape(self):
        """The shape, None when unset; 0 or -1 mark unknown dimensions.

        Setting it may only fill in unknown dimensions (ValueError otherwise); when that makes the
        shape known and the initialisation was deferred, the Parameter is initialised now.
        """
        return self._shape

    @shape.setter
    def shape(self, new_shape):
        self._set_shape(self._compatible_shape(_check_shape(new_shape)))

    def _compatible_shape(self, new_shape, argument="shape"):
        old = self._shape
        if old is not None and (len(old) != len(new_shape) or any(
                i not in (0, -1) and i != j for i, j in zip(old, new_shape))):
            hint = ("The argument 'data' must have that shape" if argument == "data" else
                    "Only unknown dimensions (0 or -1) can be filled in; create a new Parameter for "
                    "another shape")
            raise ValueError(f"Expected shape {old} is incompatible with given shape {new_shape} for "
                             f"Parameter {self._name}. {hint}.")
        return new_shape

    def _set_shape(self, new_shape, host=None):
        """Store a checked shape; finish a pending deferred initialisation when it is now known."""
        if self._data is None and self._deferred_init and _shape_is_known(new_shape):
            init, ctx_list = self._deferred_init
            tensors = self._build(init, host, ctx_list, new_shape)     # may raise: nothing changed
            self._shape = new_shape
            self._commit(tensors, ctx_list)
        else:
            self._shape = new_shape

    # ---- initialisation ------------------------------------------------------------------------
    # MXNet 1.9.1's signature, default instance included (initializers are stateless, so sharing is safe).
    def initialize(self, init=None, ctx=None, default_init=_init.Uniform(), force_reinit=False):  # noqa: B008
        """Create the data (and zero gradients) on each context.

        The initializer is ``init`` if given, else this Parameter's ``init``, else
        ``default_init``. Values are drawn once on the host and copied to every context.

        Args:
            init: an ``init.Initializer``, registered name, JSON string or MindSpore initializer.
            ctx: a Context or a list of them; default ``[current_context()]``.
            default_init: the fallback initializer, ``init.Uniform()`` (U(-0.07, 0.07)).
            force_reinit (bool): re-initialise an initialised Parameter (else it warns and returns).

        Raises:
            ValueError: the shape is unknown and ``allow_deferred_init`` is False.
            TypeError: a bad ``ctx``, ``init`` or ``force_reinit``.
            RuntimeError: a GPU context on a machine without a usable GPU.

        >>> p = Parameter('b', shape=(2,)); p.initialize(init='ones'); p.data()
        Tensor(shape=[2], dtype=Float32, value=
        [1., 1.])
        """
        ctx_list = _check_contexts(ctx)
        _check_bool(force_reinit, "force_reinit")
        chosen = self._choose_init(init, default_init)
        if self._data is not None and not force_reinit:
            warnings.warn(f"Parameter '{self._name}' is already initialized, ignoring. Set "
                          f"force_reinit=True to re-initialize.", stacklevel=2)
            return
        if not _shape_is_known(self._shape):
            if not self._allow_deferred_init:
                raise ValueError(f"Cannot initialize Parameter '{self._name}' because it has invalid "
                                 f"shape: {self._shape}. Give it a full shape (no 0 or -1), or create it "
                                 f"with allow_deferred_init=True.")
            self._data = self._ctx_list = None
            self._deferred_init = (chosen, ctx_list)
            return
        self._commit(self._build(chosen, None, ctx_list, self._shape), ctx_list)

    def _choose_init(self, init, default_init):
        default = _init._create(default_init, "default_init")
        if init is not None:
            return _init._create(init, "init")
        return _init.create(self._init) if self._init is not None else default

    def _finish_deferred_init(self):
        """Initialise now with the pending initializer and contexts (what a Block's forward calls).

        Raises:
            ValueError: the shape is still not fully known.
        """
        if not self._deferred_init:
            return
        if not _shape_is_known(self._shape):
            raise ValueError(f"Cannot initialize Parameter '{self._name}' because it has invalid shape: "
                             f"{self._shape}. Please specify in_units, in_channels, etc for `Block`s, or "
                             f"set the full shape with param.shape = (...).")
        init, ctx_list = self._deferred_init
        self._commit(self._build(init, None, ctx_list, self._shape), ctx_list)

    def _build(self, init, host, ctx_list, shape):
        """One Tensor (with its gradient buffer) per context holding ``host``, or fresh values."""
        if host is None:
            host = np.zeros(shape, self._dtype)
            if isinstance(init, _init.Initializer):
                init._fill(host, self._name)
            else:
                init(host)
        dtype = mstype.from_numpy(self._dtype)
        tensors = [Tensor._wrap(_device.to_device(host, ctx, copy=True), dtype, ctx) for ctx in ctx_list]
        for tensor in tensors:
            tensor.attach_grad(self._grad_req)
        return tensors

    def _commit(self, tensors, ctx_list):
        self._data, self._ctx_list, self._deferred_init = tensors, list(ctx_list), ()

    # ---- access --------------------------------------------------------------------------------
    def _not_initialized(self):
        if self._deferred_init:
            return DeferredInitializationError(
                f"Parameter '{self._name}' has not been initialized yet because initialization was deferred. "
                f"Actual initialization happens during the first forward pass. Please pass one batch of data "
                f"through the network before accessing Parameters. You can also avoid deferred "
                f"initialization by specifying in_units, num_features, etc., for network layers. For a "
                f"Parameter on its own, complete its shape {self._shape}: param.shape = (...) or "
                f"param.set_data(...).")
        return RuntimeError(
            f"Parameter '{self._name}' has not been initialized. Call its initialize(ctx=...) first, "
            f"e.g. param.initialize(ctx=ms.cpu(0)), or initialize a ParameterDict holding it.")

    def _check_and_get(self, ctx):
        """The data Tensor on ``ctx`` (None: the only context, or ``current_context()``)."""
        if self._data is None:
            raise self._not_initialized()
        if ctx is None:
            if len(self._data) == 1:
                return self._data[0]
            ctx = _device.current_context()
        if not isinstance(ctx, _device.Context):
            raise TypeError(f"The argument 'ctx' must be a Context such as ms.cpu(0), but got {ctx!r}.")
        if ctx not in self._ctx_list:
            raise RuntimeError(f"Parameter '{self._name}' was not initialized on context {ctx}. It was only "
                               f"initialized on {self._ctx_list}.")
        return self._data[self._ctx_list.index(ctx)]

    def _check_dense(self, what, where):
        if self._stype != "default":
            hint = ("Please use row_sparse_data() instead." if self._stype == "row_sparse"
                    else "sporelab cannot read csr Parameters; create it with stype='default'.")
            raise RuntimeError(f"Cannot return {what} of Parameter '{self._name}' {where} because its "
                               f"storage type is {self._stype}. {hint}")

    def data(self, ctx=None):
        """The Tensor of this Parameter on ``ctx`` (the live copy, not a snapshot).

        Raises:
            RuntimeError: not initialised, not initialised on ``ctx``, or a non-default ``stype``.
            DeferredInitializationError: the initialisation waits for the shape.
        """
        shown = ctx if ctx is not None else _device.current_context()
        self._check_dense("a copy", f"on ctx {shown} via data()")
        return self._check_and_get(ctx)

    def list_data(self):
        """The Tensors on all contexts, in the order of ``list_ctx()``."""
        self._check_dense("copies", "on all contexts via list_data()")
        if self._data is None:
            raise self._not_initialized()
        return list(self._data)

    def grad(self, ctx=None):
        """The gradient buffer on ``ctx`` (``data(ctx).grad``).

        Raises:
            RuntimeError: ``grad_req`` is 'null', or as ``data``.
        """
        self._check_has_grad()
        return self._check_and_get(ctx).grad

    def list_grad(self):
        """The gradient buffers on all contexts, in the order of ``list_ctx()``."""
        self._check_has_grad()
        if self._data is None:
            raise self._not_initialized()
        return [tensor.grad for tensor in self._data]

    def _check_has_grad(self):
        if self._data is not None and self._grad_req == "null":
            raise RuntimeError(f"Cannot get gradient array for Parameter '{self._name}' because "
                               f"grad_req='null'. Set param.grad_req = 'write' to get gradients.")

    def zero_grad(self):
        """Set every gradient buffer to 0 (nothing to do without gradients)."""
        for tensor in self._data or ():
            if tensor.grad is not None:
                tensor.grad[...] = 0

    def list_ctx(self):
        """The contexts (pending ones while deferred).

        Raises:
            RuntimeError: not initialised.
        """
        if self._data is None:
            if self._deferred_init:
                return list(self._deferred_init[1])
            raise RuntimeError(f"Parameter '{self._name}' has not been initialized. Call its "
                               f"initialize(ctx=...) first.")
        return list(self._ctx_list)

    def reset_ctx(self, ctx):
        """Move to other contexts: the copies are averaged on the host and copied to each of ``ctx``.

        Gradients restart at zero. While deferred, the pending contexts are replaced.

        Raises:
            ValueError: not initialised (nor deferred).
            TypeError: a bad ``ctx``.
        """
        ctx_list = _check_contexts(ctx)
        if self._data is not None:
            stacked = np.stack([tensor.asnumpy() for tensor in self._data])
            mean = stacked.mean(axis=0, dtype=np.result_type(self._dtype, np.float64))
            self._commit(self._build(None, mean.astype(self._dtype), ctx_list, self._shape), ctx_list)
        elif self._deferred_init:
            self._deferred_init = (self._deferred_init[0], ctx_list)
        else:
            raise ValueError(f"Cannot reset context for Parameter '{self._name}' because it has not been "
                             f"initialized. Call its initialize(ctx=...) instead.")

    def set_data(self, data):
        """Set the value on every context; fills in unknown dimensions of the shape first.

        On a deferred Parameter the data completes the shape and becomes its value.

        Args:
            data: a Tensor, NumPy array, number or nested list, cast to this Parameter's dtype.

        Raises:
            TypeError: ``data`` is not numeric (or complex into a real Parameter).
            ValueError: its shape is incompatible, or has a zero-size dimension.
            RuntimeError: the Parameter is neither initialised nor deferred.
        """
        # A Tensor's own array (on its device) is used as it is: a GPU value reaches GPU copies
        # device to device, never through the host.
        host = data._array if isinstance(data, Tensor) else _as_host_array(data)
        if host.dtype.kind == "c" and self._dtype.kind != "c":
            raise TypeError(f"The argument 'data' is complex but Parameter '{self._name}' is {self._dtype.name}.")
        if 0 in host.shape:
            raise ValueError(f"The argument 'data' has shape {host.shape} with a zero-size dimension; every "
                             f"dimension of a Parameter's data must be >= 1.")
        new_shape = self._compatible_shape(host.shape, "data")
        host = host.astype(self._dtype)
        if self._data is None:
            if not self._deferred_init:
                raise RuntimeError(f"Parameter '{self._name}' has not been initialized: set_data() writes "
                                   f"into existing copies. Call initialize(ctx=...) first, or create it "
                                   f"with allow_deferred_init=True.")
            self._set_shape(new_shape, host)
            return
        for tensor in self._data:
            tensor[...] = _device.to_device(host, tensor.device)
            tensor._bump(f"Parameter '{self._name}'.set_data()")

    def cast(self, dtype):
        """Convert the data and gradients to ``dtype`` (new Tensors; gradients keep their values).

        Raises:
            TypeError: ``dtype`` is not a dtype.
        """
        new = _np_dtype(dtype)
        if self._data is not None:
            target = mstype.from_numpy(new)
            tensors = []
            for old in self._data:
                tensor = old.detach().astype(target).attach_grad(self._grad_req)
                if old.grad is not None:
                    tensor.grad[...] = old.grad.detach().astype(target)
                tensors.append(tensor)
            self._data = tensors
        self._dtype = new

    # ---- row_sparse ------------------------------------------------------------------------------
    def _check_row_sparse(self, row_id):
        if self._stype != "row_sparse":
            raise RuntimeError(f"Cannot return a copy of Parameter {self._name} via row_sparse_data() because "
                               f"its storage type is {self._stype}. Please use data() instead.")
        if not isinstance(row_id, Tensor):
            raise TypeError(f"row_id must have Tensor type, but {type(row_id)} is given.")
        ids = row_id.asnumpy()
        if ids.dtype.kind not in "iu" or ids.ndim != 1:
            raise TypeError(f"row_id must be a 1-D integer Tensor, but got dtype {row_id.dtype} and shape "
                            f"{row_id.shape}.")
        if self._data is not None and ids.size and (ids.min() < 0 or ids.max() >= self._shape[0]):
            raise ValueError(f"row_id holds rows outside 0..{self._shape[0] - 1} of Parameter '{self._name}'.")

    def row_sparse_data(self, row_id):
        """The rows ``row_id`` of the copy on ``row_id``'s context (stype 'row_sparse' only).

        sporelab keeps every row on every context, so no Trainer is needed to pull them (MXNet
        requires one). The rows come back in the order of ``row_id``, shape (len(row_id), ...).

        Raises:
            RuntimeError: stype is not 'row_sparse'; not initialised on ``row_id``'s context.
            TypeError: ``row_id`` is not a 1-D integer Tensor. ValueError: a row out of range.
        """
        self._check_row_sparse(row_id)
        return self._check_and_get(row_id.device)[row_id]

    def list_row_sparse_data(self, row_id):
        """The rows ``row_id`` on every context, in the order of ``list_ctx()``."""
        self._check_row_sparse(row_id)
        if self._data is None:
            raise self._not_initialized()
        return [tensor[row_id.to(tensor.device)] for tensor in self._data]


class Constant(Parameter):
    """A Parameter that never gets a gradient, initialised from ``value``.

    Args:
        name (str): the name.
        value: a Tensor or NumPy array (its dtype is kept), a number or a nested list (float32).

    Raises:
        TypeError: ``value`` is not numeric.

    >>> c = Constant('c', [[1, 2], [3, 4]]); c
    Constant c (shape=(2, 2), dtype=float32)
    >>> c.grad_req
    'null'
    """

    def __init__(self, name, value):
        if isinstance(value, (Tensor, np.ndarray)):
            host = _as_host_array(value, "value").copy()
        else:
            host = _as_host_array(value, "value").astype(np.float32)
        self.value = Tensor(host.copy())
        super().__init__(name, grad_req="null", shape=host.shape, dtype=host.dtype,
                         init=_init.Constant(host))

    @property
    def grad_req(self):
        return "null"

    @grad_req.setter
    def grad_req(self, req):
        if _check_grad_req(req) != "null":
            warnings.warn(f'Constant parameter "{self._name}" does not support grad_req other than "null", '
                          f'and new value "{req}" is ignored.', stacklevel=2)

    def _choose_init(self, init, default_init):
        _init._create(default_init, "default_init")
        if init is not None:
            _init._create(init, "init")
            warnings.warn(f"Constant '{self._name}' is always initialized with its value; the argument "
                          f"'init' is ignored.", stacklevel=3)
        return self._init
