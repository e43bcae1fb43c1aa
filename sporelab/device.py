"""Devices: the ONE place that picks the array module (NumPy or CuPy) and moves arrays.

A ``Context`` names a device: ``cpu(0)``, ``cpu(1)``, ``gpu(0)``. Several CPU contexts are distinct
devices, as in MXNet, so the multi-device logic runs (and is tested) on machines without a GPU;
their arrays all live in host memory. Kernels never test for CuPy themselves: they ask
``array_module(ctx)`` and use what it returns.

CuPy is imported only when a GPU context is first used, so ``import sporelab`` stays fast and
works without it. A missing CuPy or an unusable GPU is reported only when a GPU is asked for.

>>> import sporelab as ms
>>> ms.cpu(1)
cpu(1)
>>> ms.cpu(0) == ms.cpu()
True
"""

import numpy as np

from . import _context_options
from ._checks import is_int

__all__ = ["Context", "cpu", "gpu", "num_gpus", "current_context", "set_context", "get_context",
           "GRAPH_MODE", "PYNATIVE_MODE",
           "array_module", "to_host", "to_device"]

_DEVICE_TYPES = ("cpu", "gpu")


class Context:
    """A device: ``Context('cpu', 0)`` prints ``cpu(0)``; equal when type and id are equal.

    Args:
        device_type (str): 'cpu' or 'gpu'.
        device_id (int): a non-negative index.

    Raises:
        ValueError: an unknown device type or a negative id.
        TypeError: a non-int id.
    """

    __slots__ = ("device_type", "device_id")

    def __init__(self, device_type, device_id=0):
        if device_type not in _DEVICE_TYPES:
            raise ValueError(f"The argument 'device_type' must be 'cpu' or 'gpu', but got {device_type!r}.")
        if not is_int(device_id):
            raise TypeError(f"The argument 'device_id' must be an int, but got {type(device_id).__name__}.")
        if device_id < 0:
            raise ValueError(f"The argument 'device_id' must be >= 0, but got {device_id}.")
        self.device_type = device_type
        self.device_id = int(device_id)

    def __repr__(self):
        return f"{self.device_type}({self.device_id})"

    def __eq__(self, other):
        return (isinstance(other, Context) and other.device_type == self.device_type
                and other.device_id == self.device_id)

    def __hash__(self):
        return hash((self.device_type, self.device_id))

    @property
    def is_gpu(self):
        return self.device_type == "gpu"


def cpu(device_id=0):
    """The CPU context ``cpu(device_id)``; distinct ids are distinct (host-memory) devices."""
    return Context("cpu", device_id)


def _cupy_status():
    """(cupy module or None, number of usable GPUs, reason when none)."""
    try:
        import cupy
    except ImportError:
        return None, 0, "CuPy is not installed"
    try:
        if not cupy.cuda.is_available():
            return cupy, 0, "CuPy is installed but no usable NVIDIA GPU was found"
        return cupy, cupy.cuda.runtime.getDeviceCount(), None
    except Exception as error:  # noqa: BLE001 -- a broken driver or runtime is "no GPU", never an import failure
        return cupy, 0, f"CuPy could not reach a GPU ({error})"


_status_cache = None


def _status():
    global _status_cache
    if _status_cache is None:
        _status_cache = _cupy_status()
    return _status_cache


def _use_gpu_backend(module):
    """Make ``module`` (a CuPy-like namespace) the GPU array module; return the previous state.

    The one seam through which the tests plug in their strict stand-in GPU (tests/_strict_gpu.py);
    ``_restore_gpu_backend(previous)`` undoes it. Not for users: a real GPU is found by itself.
    """
    global _status_cache
    previous = _status_cache
    _status_cache = (module, module.cuda.runtime.getDeviceCount(), None)
    return previous


def _restore_gpu_backend(previous):
    global _status_cache
    _status_cache = previous


def num_gpus():
    """How many usable NVIDIA GPUs CuPy sees; 0 without CuPy or without a GPU."""
    return _status()[1]


def gpu(device_id=0):
    """The GPU context ``gpu(device_id)``.

    Raises:
        RuntimeError: CuPy is missing or no such GPU is usable; the message says which and what to
            do (``pip install sporelab[gpu]``, or use ``ms.cpu()``).
    """
    ctx = Context("gpu", device_id)
    _require_gpu(ctx)
    return ctx


def _require_gpu(ctx):
    cupy, count, reason = _status()
    if count == 0:
        raise RuntimeError(
            f"Cannot use {ctx}: {reason}. Install the GPU extra with `pip install sporelab[gpu]` on "
            f"a machine with an NVIDIA GPU, or use ms.cpu() (ms.num_gpus() tells how many GPUs there are).")
    if ctx.device_id >= count:
        raise RuntimeError(f"Cannot use {ctx}: only {count} GPU(s) are visible (ids 0..{count - 1}).")
    return cupy


_context = {"device_target": "CPU", "device_id": 0, "mode": 1, **_context_options.defaults()}


def current_context():
    """The default device for new tensors: ``cpu(0)`` unless ``set_context`` chose the GPU."""
    if _context["device_target"] == "GPU":
        return Context("gpu", _context["device_id"])
    return Context("cpu", 0)


GRAPH_MODE, PYNATIVE_MODE = 0, 1


def set_context(device_target=None, device_id=None, mode=None, **kwargs):
    """Choose the default device, MindSpore style: ``set_context(device_target='GPU', device_id=0)``.

    ``mode`` (GRAPH_MODE or PYNATIVE_MODE) is accepted so MindSpore scripts run unchanged; sporelab
    always executes eagerly, which is what PYNATIVE_MODE means. Every other option MindSpore r1.x
    documents (``save_graphs``, ``max_device_memory``, ``max_call_depth``, ...) is checked as there
    and kept for ``get_context``; it changes nothing here (the table is in ``_context_options``).
    All arguments are checked before anything changes.

    >>> import sporelab as ms
    >>> ms.set_context(save_graphs=True, max_device_memory="3.5GB")
    >>> ms.get_context("max_device_memory")
    '3.5GB'
    >>> ms.set_context(save_graphs=False, max_device_memory="1024GB")

    Raises:
        TypeError: an option of the wrong type (``device_target=123``: also a ValueError).
        ValueError: ``device_target`` is not 'CPU' or 'GPU'; an unknown mode, value or keyword.
        RuntimeError: 'GPU' on a machine without a usable GPU (nothing is changed then).
    """
    for key, value in kwargs.items():
        _context_options.check_option(key, value)
    if mode is not None and (isinstance(mode, bool) or mode not in (GRAPH_MODE, PYNATIVE_MODE)):
        raise ValueError(f"The argument 'mode' must be ms.GRAPH_MODE (0) or ms.PYNATIVE_MODE (1), but got {mode!r}.")
    if device_target is not None:
        _context_options.check_device_target_type(device_target)
    target = _context["device_target"] if device_target is None else device_target
    if target not in ("CPU", "GPU"):
        raise ValueError(f"The argument 'device_target' must be 'CPU' or 'GPU', but got {device_target!r}.")
    new_id = _context["device_id"] if device_id is None else device_id
    ctx = Context(target.lower(), new_id)
    if ctx.is_gpu:
        _require_gpu(ctx)
    _context.update(device_target=target, device_id=ctx.device_id, **kwargs)
    if mode is not None:
        _context["mode"] = mode


def get_context(attr_key):
    """Read a context setting: 'device_target', 'device_id', 'mode' or any other option
    ``set_context`` takes (MindSpore's default until it is set).

    >>> import sporelab as ms
    >>> ms.get_context("max_call_depth")
    1000
    """
    if attr_key not in _context:
        raise ValueError(f"The argument 'attr_key' must be one of {sorted(_context)}, but got {attr_key!r}.")
    return _context[attr_key]


def array_module(ctx):
    """NumPy for a CPU context, CuPy for a GPU one (imported on first use).

    For a GPU context the GPU becomes CuPy's current device, so arrays the kernel creates land on the
    tensor's own device."""
    if ctx.is_gpu:
        cupy = _require_gpu(ctx)
        cupy.cuda.Device(ctx.device_id).use()
        return cupy
    return np


def to_host(array):
    """A NumPy array with the contents of ``array`` (a NumPy array is returned as is).

    The one door from a device to the host: printing, ``asnumpy()``, checkpoints and widgets go
    through it; nothing else in the engine may turn a device array into a NumPy one."""
    if isinstance(array, np.ndarray):
        return array
    if isinstance(array, np.generic):
        return np.asarray(array)
    return array.get()


def to_device(array, ctx, copy=False):
    """``array`` placed on ``ctx``: a NumPy array for CPU contexts, a CuPy array on that GPU."""
    if not ctx.is_gpu:
        host = to_host(array)
        return host.copy() if copy and host is array else host
    cupy = _require_gpu(ctx)
    with cupy.cuda.Device(ctx.device_id):
        return cupy.array(array, copy=copy) if isinstance(array, cupy.ndarray) else cupy.asarray(array)
