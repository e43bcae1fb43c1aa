"""How many threads the BLAS under NumPy uses, set once for the whole engine.

Teaching-sized matrix products (a 128 x 128 Dense layer, a 64-map convolution) take a millisecond
or less. On a shared 2-core server, or a Binder pod that sees many cores under a small CPU quota,
a multithreaded OpenBLAS makes its threads wait for each other and such a product takes 3-10x
longer than on one thread; alone on the machine one thread is as fast as two. So sporelab runs
BLAS on **one thread by default**, applied when sporelab is imported.

One setting, in two spellings:

* the environment variable ``SPORELAB_BLAS_THREADS`` read at import: a positive int, or
  ``default`` to leave the BLAS library's own choice (usually one thread per core);
* ``sporelab.set_blas_threads(n)`` at any time: a positive int, or None for the library's default.

The limit covers every BLAS that is loaded in the process (NumPy's OpenBLAS, MKL, ...), through
threadpoolctl; where threadpoolctl is missing, the setting is recorded and nothing else happens.

>>> import sporelab as ms
>>> ms.set_blas_threads(2)
>>> ms.get_blas_threads()
2
>>> ms.set_blas_threads(1)
"""

import os

from ._checks import is_int

__all__ = ["set_blas_threads", "get_blas_threads", "ENV_VAR", "DEFAULT_THREADS"]

ENV_VAR = "SPORELAB_BLAS_THREADS"
DEFAULT_THREADS = 1


class _State:
    requested = None     # what set_blas_threads was given last (None: the library's default)
    original = None      # {filepath: num_threads} before sporelab changed anything


_state = _State()


def _controller():
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController().select(user_api="blas")


def _check(n, argument):
    if n is None:
        return None
    if not is_int(n):
        raise TypeError(f"The argument '{argument}' must be a positive int or None, "
                        f"but got {n!r} of type {type(n).__name__}.")
    if n < 1:
        raise ValueError(f"The argument '{argument}' must be a positive int or None, but got {n}.")
    return int(n)


def set_blas_threads(n):
    """Run BLAS (matrix products, convolutions as GEMMs) on ``n`` threads from now on.

    Args:
        n: a positive int, or None to give back the BLAS library's own default.

    Raises:
        TypeError: ``n`` is not an int or None. ValueError: ``n`` < 1. Nothing changes then.

    >>> ms.set_blas_threads(None)    # the library's default again
    >>> ms.set_blas_threads(1)       # sporelab's default
    """
    n = _check(n, "n")
    controller = _controller()
    if controller is not None:
        if _state.original is None:
            _state.original = {lib["filepath"]: lib["num_threads"] for lib in controller.info()}
        if n is None:
            for lib in controller.lib_controllers:
                lib.set_num_threads(_state.original.get(lib.filepath, lib.num_threads))
        else:
            controller.limit(limits=n)
    _state.requested = n


def get_blas_threads():
    """The thread count BLAS uses now: the largest over the loaded BLAS libraries, or the last
    ``set_blas_threads`` value where threadpoolctl is missing (None: the library's default)."""
    controller = _controller()
    if controller is None or not controller.lib_controllers:
        return _state.requested
    return max(lib.num_threads for lib in controller.lib_controllers)


def _from_environment():
    """The setting ``SPORELAB_BLAS_THREADS`` asks for (``DEFAULT_THREADS`` when unset)."""
    text = os.environ.get(ENV_VAR, "").strip()
    if not text:
        return DEFAULT_THREADS
    if text.lower() == "default":
        return None
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"The environment variable {ENV_VAR} must be a positive int or 'default', "
                         f"but got {text!r}.")
    return int(text)


def apply_environment():
    """Apply ``SPORELAB_BLAS_THREADS`` (sporelab calls this once, at import)."""
    n = _from_environment()
    if n is not None:
        set_blas_threads(n)
