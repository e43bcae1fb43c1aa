"""A strict stand-in for CuPy, so every GPU rule is tested on machines without a GPU.

``StrictArray`` wraps a NumPy array and a device id and behaves like ``cupy.ndarray`` where it
matters for sporelab, only stricter:

* implicit conversion to NumPy raises: ``np.asarray(a)``, ``np.array(a)``, ``a.__array__()``,
  ``np.array2string(a)`` (printing through NumPy) and every NumPy function CuPy does not implement
  raise ``TypeError`` as CuPy's do; ``float(a)`` / ``int(a)`` on more than one element raise;
* moving to the host goes only through ``a.get()`` (what ``sporelab.device.to_host`` calls); ``tolist``
  and ``item`` are refused so the engine cannot copy to the host behind ``to_host``'s back;
* an operation mixing it with a host array (``np.ndarray``, even 0-d) raises ``TypeError``
  ("Unsupported type", as CuPy's kernels do); mixing arrays of two devices raises ``ValueError``;
* ``repr``/``str`` print the values, as CuPy's do (after an explicit ``get``).

``module(n_devices)`` returns a CuPy-like namespace (``ndarray``, ``asarray``, ``zeros``, ufuncs,
``lib.stride_tricks.as_strided``, ``cuda.Device``, ``cuda.is_available``, ``cuda.runtime``), which
the tests plug into ``sporelab.device`` through its one backend seam (``device._use_gpu_backend``).
"""

import ctypes
import hashlib
import os
import shutil
import subprocess
import tempfile
import types

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

_current = [0]          # the current device id (cupy.cuda.Device semantics)

HOST_MESSAGE = ("Implicit conversion to a NumPy array is not allowed. Please use `.get()` to construct "
                "a NumPy array explicitly (in sporelab: sporelab.device.to_host).")


class Device:
    """``cupy.cuda.Device``: a context manager that makes device ``id`` current."""

    def __init__(self, device=None):
        self.id = _current[0] if device is None else int(device)
        self._saved = []

    def use(self):
        _current[0] = self.id

    def __enter__(self):
        self._saved.append(_current[0])
        _current[0] = self.id
        return self

    def __exit__(self, *exc):
        _current[0] = self._saved.pop()

    def synchronize(self):
        pass

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(self.id)

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


def _unwrap(x, devices, what):
    """The NumPy array inside ``x``; collect its device; refuse host arrays."""
    if isinstance(x, StrictArray):
        devices.add(x._device)
        return x._a
    if isinstance(x, np.ndarray):
        raise TypeError(f"Unsupported type {type(x)} in {what}: a host (NumPy) array cannot be mixed with "
                        f"a device array; move it with sporelab.device.to_device first.")
    if isinstance(x, (tuple, list)):
        return type(x)(_unwrap(item, devices, what) for item in x)
    return x


def _one_device(devices, what):
    if len(devices) > 1:
        raise ValueError(f"{what} got arrays on different devices {sorted(devices)}; "
                         f"move them to one device first.")
    return devices.pop() if devices else _current[0]


def _wrap(result, device):
    if isinstance(result, np.ndarray):
        return StrictArray(result, device)
    if isinstance(result, np.generic):              # CuPy reductions return 0-d arrays, never scalars
        return StrictArray(np.asarray(result), device)
    if isinstance(result, tuple):
        return tuple(_wrap(r, device) for r in result)
    if isinstance(result, list):
        return [_wrap(r, device) for r in result]
    return result


def _call(fn, args, kwargs, what):
    devices = set()
    raw_args = _unwrap(tuple(args), devices, what)
    raw_kwargs = {k: _unwrap(v, devices, what) for k, v in kwargs.items()}
    device = _one_device(devices, what)
    return _wrap(fn(*raw_args, **raw_kwargs), device)


# Array methods that stay on the device (the result is wrapped again).
_METHODS = {"reshape", "astype", "sum", "mean", "max", "min", "any", "all", "prod", "std", "var",
            "swapaxes", "transpose", "copy", "ravel", "squeeze", "flatten", "clip", "argmax", "argmin",
            "cumsum", "dot", "view", "take", "repeat", "nonzero", "round", "conj", "diagonal", "trace",
            "sort", "argsort", "fill"}
_ATTRIBUTES = {"shape", "dtype", "ndim", "size", "strides", "itemsize", "nbytes", "flags"}


class StrictArray(NDArrayOperatorsMixin):
    """A device array (see the module docstring); ``.get()`` is its only way to the host."""

    __slots__ = ("_a", "_device")
    __hash__ = None

    def __init__(self, array, device):
        self._a = array
        self._device = device

    # ---- the only door to the host ----
    def get(self, stream=None, order="C", out=None):
        return self._a.copy()

    def __array__(self, dtype=None, copy=None):
        raise TypeError(HOST_MESSAGE)

    def tolist(self):
        raise TypeError("StrictArray.tolist() is a hidden host copy: use sporelab.device.to_host(a).tolist().")

    def item(self):
        raise TypeError("StrictArray.item() is a hidden host copy: use sporelab.device.to_host(a).item().")

    def _scalar(self, kind):
        if self._a.ndim != 0:
            raise TypeError(f"only 0-dimensional device arrays can be converted to Python scalars "
                            f"(got shape {self._a.shape}); use sporelab.device.to_host first.")
        return kind(self._a)

    def __float__(self):
        return self._scalar(float)

    def __int__(self):
        return self._scalar(int)

    def __bool__(self):
        if self._a.size != 1:
            raise ValueError("The truth value of an array with more than one element is ambiguous.")
        return bool(self._a.reshape(()))

    def __index__(self):
        return self._scalar(int)

    # ---- NumPy protocols ----
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        what = f"{ufunc.__name__}.{method}" if method != "__call__" else ufunc.__name__
        operands = inputs[:1] + inputs[2:] if method == "at" else inputs       # at's index may be a tuple
        for x in operands:
            if isinstance(x, (list, tuple)):     # CuPy's kernels take arrays and scalars only
                raise TypeError(f"Unsupported type {type(x)} in {what}")
        devices = set()
        raw = _unwrap(inputs, devices, what)
        out = kwargs.get("out")
        if out is not None:
            kwargs["out"] = _unwrap(tuple(out), devices, what)
        if "where" in kwargs:
            kwargs["where"] = _unwrap(kwargs["where"], devices, what)
        device = _one_device(devices, what)
        result = getattr(ufunc, method)(*raw, **kwargs)
        if method == "at":
            return None
        if out is not None:
            return out[0] if len(out) == 1 else tuple(out)
        return _wrap(result, device)

    def __array_function__(self, func, types_, args, kwargs):
        if func.__name__ not in _FUNCTIONS:          # as CuPy: NumPy then raises TypeError
            return NotImplemented
        return _call(func, args, kwargs, func.__name__)

    # ---- attributes and methods ----
    def __getattr__(self, name):
        if name in _ATTRIBUTES:
            return getattr(self._a, name)
        if name in _METHODS:
            method = getattr(self._a, name)
            return lambda *args, **kwargs: _call(method, args, kwargs, name)
        raise AttributeError(f"StrictArray has no attribute {name!r} (the stand-in GPU offers what "
                             f"sporelab needs of cupy.ndarray)")

    @property
    def device(self):
        return Device(self._device)

    @property
    def base(self):
        return None if self._a.base is None else StrictArray(self._a.base, self._device)

    @property
    def T(self):
        return StrictArray(self._a.T, self._device)

    @property
    def real(self):
        return StrictArray(self._a.real, self._device)

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        return (StrictArray(np.asarray(row), self._device) for row in self._a)

    def __getitem__(self, index):
        devices = {self._device}
        result = self._a[_unwrap(index, devices, "indexing")]
        return _wrap(result, _one_device(devices, "indexing"))

    def __setitem__(self, index, value):
        devices = {self._device}
        raw_index, raw_value = _unwrap(index, devices, "indexing"), _unwrap(value, devices, "assignment")
        _one_device(devices, "assignment")
        self._a[raw_index] = raw_value

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)


# NumPy functions that CuPy implements too; anything else on a StrictArray raises TypeError.
_FUNCTIONS = {
    "zeros_like", "ones_like", "empty_like", "full_like", "broadcast_to", "expand_dims", "squeeze",
    "reshape", "transpose", "swapaxes", "moveaxis", "concatenate", "stack", "split", "where", "clip",
    "sum", "mean", "max", "min", "amax", "amin", "prod", "any", "all", "argmax", "argmin", "std", "var",
    "dot", "tensordot", "einsum", "outer", "pad", "ascontiguousarray", "copyto", "isfinite", "isnan",
    "isinf", "allclose", "array_equal", "count_nonzero", "flip", "roll", "tile", "repeat", "ravel",
    "cumsum", "sort", "argsort", "histogram", "bincount", "diag", "tril", "triu", "linspace", "meshgrid",
    "atleast_1d", "atleast_2d", "nonzero", "unique", "searchsorted", "rot90", "shape", "ndim", "size",
    "result_type", "can_cast", "around", "round", "zeros", "ones", "empty", "full", "arange", "eye",
    "broadcast_arrays", "take", "sign", "power", "interp", "percentile", "quantile", "median", "abs",
}
_CREATORS = {"zeros", "ones", "empty", "full", "arange", "eye", "linspace", "identity"}


def _creator(name):
    fn = getattr(np, name)

    def create(*args, **kwargs):
        return StrictArray(fn(*args, **kwargs), _current[0])
    create.__name__ = name
    return create


def _function(name):
    fn = getattr(np, name)

    def run(*args, **kwargs):
        return _call(fn, args, kwargs, name)
    run.__name__ = name
    return run


def _asarray(a, dtype=None, order=None):
    if isinstance(a, StrictArray):
        return a if dtype is None or np.dtype(dtype) == a.dtype else a.astype(dtype)
    return StrictArray(np.array(a, dtype=dtype), _current[0])      # an explicit host -> device copy


def _array(a, dtype=None, copy=True, order="K", ndmin=0):
    if isinstance(a, StrictArray):
        if not copy and a._device == _current[0] and (dtype is None or np.dtype(dtype) == a.dtype):
            return a
        return StrictArray(np.array(a._a, dtype=dtype, copy=True, ndmin=ndmin), _current[0])
    return StrictArray(np.array(a, dtype=dtype, copy=True, ndmin=ndmin), _current[0])


def _as_strided(x, shape=None, strides=None, **kwargs):
    if not isinstance(x, StrictArray):
        raise TypeError(f"as_strided needs a device array, but got {type(x).__name__}.")
    return StrictArray(np.lib.stride_tricks.as_strided(x._a, shape=shape, strides=strides, **kwargs), x._device)


def _asnumpy(a, stream=None):
    return a.get() if isinstance(a, StrictArray) else np.asarray(a)


# ---- RawModule: the CUDA C source compiled for the host (-DSPORELAB_HOST), launched on StrictArrays ----
_libraries = {}
_SCALARS = {np.int32: ctypes.c_int32, np.int64: ctypes.c_int64, np.float32: ctypes.c_float,
            np.float64: ctypes.c_double}


def host_compiler():
    """The C++ compiler that builds kernel sources for the host, or None."""
    return shutil.which("g++") or shutil.which("c++")


def _host_library(code):
    key = hashlib.sha256(code.encode()).hexdigest()
    if key not in _libraries:
        with tempfile.TemporaryDirectory(prefix="sporelab-kernels-") as directory:
            source, library = os.path.join(directory, "kernels.cpp"), os.path.join(directory, "kernels.so")
            with open(source, "w") as f:
                f.write(code)
            subprocess.run([host_compiler(), "-O2", "-shared", "-fPIC", "-DSPORELAB_HOST", "-Wall", "-Werror",
                            source, "-o", library], check=True, capture_output=True, timeout=120)
            _libraries[key] = ctypes.CDLL(library)      # mapped: the file may go
    return _libraries[key]


class _HostKernel:
    def __init__(self, function, name):
        self._function, self.name = function, name

    def __call__(self, grid, block, args, shared_mem=0, stream=None):
        if min(grid) < 1 or min(block) < 1:
            raise ValueError(f"kernel {self.name}: empty launch grid={grid} block={block}")
        devices, converted = set(), []
        for k, arg in enumerate(args):
            if isinstance(arg, StrictArray):
                if not arg._a.flags.c_contiguous:
                    raise ValueError(f"kernel {self.name}: argument {k} is not C-contiguous; a raw kernel "
                                     f"would read it as if it were")
                devices.add(arg._device)
                converted.append(ctypes.c_void_p(arg._a.ctypes.data))
            elif type(arg) in _SCALARS:
                converted.append(_SCALARS[type(arg)](arg))
            else:
                raise TypeError(f"kernel {self.name}: argument {k} of type {type(arg).__name__} is not a "
                                f"device array or a NumPy scalar of a fixed width")
        _one_device(devices, self.name)
        self._function(*converted)


class RawModule:
    """``cupy.RawModule`` for the stand-in: the same source, compiled as C++ for the host."""

    def __init__(self, code, options=(), **kwargs):
        self._library = _host_library(code)

    def get_function(self, name):
        return _HostKernel(getattr(self._library, name), name)


class _Namespace(types.SimpleNamespace):
    """Falls back to NumPy's ufuncs (they dispatch to StrictArray) and dtypes; refuses the rest."""

    def __getattr__(self, name):
        value = getattr(np, name, None)
        if isinstance(value, np.ufunc) or (isinstance(value, type) and issubclass(value, np.generic)):
            return value
        if name in _FUNCTIONS:
            return _function(name)
        raise AttributeError(f"the stand-in GPU module has no {name!r}")


def module(n_devices=1, kernels=True):
    """A CuPy-like module whose arrays are ``StrictArray`` on ``n_devices`` stand-in GPUs; with
    ``kernels`` and a host C++ compiler it has ``RawModule`` too (the kernels then run on the host)."""
    runtime = types.SimpleNamespace(getDeviceCount=lambda: n_devices)
    cuda = types.SimpleNamespace(Device=Device, is_available=lambda: True, runtime=runtime)
    namespace = _Namespace(
        __name__="strict_gpu", ndarray=StrictArray, cuda=cuda, asarray=_asarray, array=_array,
        asnumpy=_asnumpy, get_array_module=lambda *arrays: namespace,
        lib=types.SimpleNamespace(stride_tricks=types.SimpleNamespace(as_strided=_as_strided)),
        dtype=np.dtype, newaxis=None, pi=np.pi, inf=np.inf, nan=np.nan)
    for name in _CREATORS:
        setattr(namespace, name, _creator(name))
    if kernels and host_compiler():
        namespace.RawModule = RawModule
    return namespace
