"""The ``Initializer`` base class, the registry of string names, and argument checks.

An initializer is a recipe: constructing one (``Normal(sigma=0.02)``) only records its arguments;
calling it on a NumPy array fills the array in place. ``initializer(...)`` attaches a recipe to a
lazy Tensor, which calls it when the values are first needed.
"""

import functools
import inspect
import math
import numbers

import numpy as np

from .._checks import check_choice, check_real

__all__ = ["Initializer", "_register", "_INITIALIZER_ALIAS", "_resolve_name"]

_INITIALIZER_ALIAS = {}
_DIRECT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


class Initializer:
    """The base of every initializer: records its arguments, fills NumPy arrays in place.

    To write your own, subclass it and define ``_initialize(self, arr)``, which fills the float
    array ``arr`` in place (``arr[...] = ...``)::

        class Halves(Initializer):
            def _initialize(self, arr):
                arr.fill(0.5)

        initializer(Halves(), [2, 3], ms.float32)

    The built-in initializers define ``_initialize(self, arr, part=None)``: with a ``part`` (a
    ``_part.Part``), ``arr`` is that block of a tensor of ``part.shape`` and must receive exactly
    the values a whole fill would put there (a sliced Parameter keeps one block of its tensor, see
    ``_part``). They take the whole shape from ``_whole_shape(arr, part)`` and hand ``part`` on to
    the fills of ``_sampling``, which do the block work. An ``_initialize`` without ``part`` (as
    above) fills whole tensors only, and a sliced Parameter built from it is cut from the whole.

    Calling ``init(arr)`` fills ``arr`` and returns None. A float32 or float64 array is filled
    directly. Any other dtype (float16, ints, bool, complex) is filled through a float32 scratch
    array and then cast, as MindSpore does, so an int32 weight from ``Uniform(3.0)`` holds the
    float values truncated towards zero. An array with no elements is left alone.

    Args:
        **kwargs: the constructor's arguments, kept in ``_kwargs`` and shown by ``repr``.
    """

    _exact = False     # True: _initialize fills any dtype itself, exactly (constants, eye, dirac)
    _random = False    # True: the fill takes one seed from sporelab.random (see _sampling.next_seed)

    def __init__(self, **kwargs):
        self._kwargs = kwargs

    def __call__(self, arr):
        if not isinstance(arr, np.ndarray):
            raise TypeError(
                f"{type(self).__name__}(...) fills a NumPy array in place, so its argument 'arr' "
                f"must be a numpy.ndarray, but got {type(arr).__name__}. To get a Tensor instead, "
                f"use initializer({self!r}, shape, dtype).")
        if not arr.flags.writeable:
            raise ValueError(f"The argument 'arr' is read-only; {type(self).__name__} fills arrays "
                             f"in place. Pass a writeable array (e.g. arr.copy()).")
        if arr.size == 0:
            return None
        self._fill(arr, arr.shape, self._initialize)
        return None

    def _fill_part(self, arr, part):
        """Fill ``arr`` with block ``part`` (a ``_part.Part``) of what a whole fill would give.

        Only for initializers whose ``_fills_parts()`` is True.
        """
        self._fill(arr, part.shape, lambda target: self._initialize(target, part))

    def _fill(self, arr, shape, initialize):
        direct = self._exact or (arr.dtype in _DIRECT_DTYPES and arr.flags.c_contiguous)
        self._check_extent(shape, arr.dtype, arr.dtype if direct else np.dtype(np.float32))
        if direct:
            initialize(arr)
            return
        work = np.empty(arr.shape, np.float32)
        initialize(work)
        with np.errstate(invalid="ignore", over="ignore"):
            arr[...] = work

    def _initialize(self, arr, part=None):
        raise NotImplementedError(
            f"{type(self).__name__} must define _initialize(self, arr), which fills the NumPy "
            f"array 'arr' in place (for example arr.fill(0.5)).")

    def _fills_parts(self):
        """True when the nearest ``_initialize`` takes ``part`` (a subclass that redefines it as
        ``_initialize(self, arr)`` must not inherit a block fill that ignores its own)."""
        for klass in type(self).__mro__:
            if "_initialize" in vars(klass):
                return _takes_part(vars(klass)["_initialize"])
        return False

    def _extent(self, shape, work_dtype):
        """``(lo, hi, peak, arguments)``: every value lies in [lo, hi], no intermediate exceeds
        ``peak`` in magnitude while drawing in ``work_dtype``, and ``arguments`` ({name: value})
        decide them; None when unknown (user initializers)."""
        return None

    def _check_extent(self, shape, dtype, work_dtype):
        """Refuse, before anything is drawn, arguments whose values ``dtype`` cannot hold (no inf)."""
        extent = self._extent(shape, work_dtype)
        if extent is None:
            return
        lo, hi, peak, arguments = extent
        top = float(np.finfo(work_dtype).max)
        if not max(abs(lo), abs(hi)) <= top:
            raise _range_error(self, arguments, f"give values in [{lo:.6g}, {hi:.6g}]", work_dtype)
        if not peak <= top:
            raise _range_error(self, arguments, f"need intermediate values up to {peak:.6g}", work_dtype)
        if dtype.kind in "fc" and not max(abs(lo), abs(hi)) <= float(np.finfo(dtype).max):
            raise _range_error(self, arguments, f"give values in [{lo:.6g}, {hi:.6g}]", dtype)
        if dtype.kind in "iu" and not np.iinfo(dtype).min - 1 < lo <= hi < np.iinfo(dtype).max + 1:
            raise _range_error(self, arguments, f"give values in [{lo:.6g}, {hi:.6g}]", dtype,
                               " (they are truncated towards zero)")

    def __repr__(self):
        kwargs = getattr(self, "_kwargs", {})
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in kwargs.items())})"


def _whole_shape(arr, part):
    """The shape of the whole tensor being filled: ``arr``'s own, or ``part.shape`` when ``arr``
    is one block of it."""
    return arr.shape if part is None else part.shape


@functools.lru_cache(maxsize=None)
def _takes_part(initialize):
    return "part" in inspect.signature(initialize).parameters


def _dtype_range(dtype):
    info = np.iinfo(dtype) if dtype.kind in "iu" else np.finfo(dtype)
    return f"[{info.min:.8g}, {info.max:.8g}]"


def _range_error(init, arguments, what, dtype, note=""):
    names = " and ".join(f"'{name}' ({value!r})" for name, value in arguments.items())
    plural = "s" if len(arguments) > 1 else ""
    return ValueError(f"For {type(init).__name__}, the argument{plural} {names} {what}, beyond the range "
                      f"of {dtype.name} {_dtype_range(dtype)}{note}. Choose smaller values or a wider "
                      f"dtype.")


def _register(*aliases):
    """Class decorator: make an Initializer subclass reachable by name in ``initializer()``.

    The class name in lower case is always registered, plus every alias given; lookups are
    case-insensitive. ``@_register('he_uniform')`` on ``HeUniform`` makes ``'heuniform'``,
    ``'he_uniform'`` and ``'HE_UNIFORM'`` all work. A name already taken by a different class
    raises ValueError (re-running the cell that defines the same class is fine).
    """
    for alias in aliases:
        if not isinstance(alias, str):
            raise TypeError(f"Initializer aliases must be strings, but got {alias!r}.")

    def register(cls):
        if not (isinstance(cls, type) and issubclass(cls, Initializer)):
            raise TypeError(f"@_register(...) decorates Initializer subclasses, but got {cls!r}.")
        names = (cls.__name__.lower(),) + tuple(alias.lower() for alias in aliases)
        for name in names:
            old = _INITIALIZER_ALIAS.get(name)
            if old is not None and (old.__module__, old.__qualname__) != (cls.__module__, cls.__qualname__):
                raise ValueError(f"The initializer name {name!r} is already registered for "
                                 f"{old.__module__}.{old.__qualname__}; choose another alias.")
        for name in names:
            _INITIALIZER_ALIAS[name] = cls
        return cls
    return register


def _resolve_name(name):
    """The Initializer instance named by a string (case-insensitive), or a teaching error."""
    cls = _INITIALIZER_ALIAS.get(name.lower())
    if cls is None:
        raise ValueError(f"For 'initializer', the class corresponding to '{name}' was not found. "
                         + _name_hint(name))
    required = [p.name for p in inspect.signature(cls).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    if required:
        example = ", ".join(f"{p}=..." for p in required)
        raise TypeError(f"For 'initializer', the 'init' name {name!r} means {cls.__name__}, which "
                        f"needs the argument(s) {', '.join(repr(p) for p in required)} that a string "
                        f"cannot carry: pass the object instead, e.g. "
                        f"initializer({cls.__name__}({example}), shape, dtype).")
    return cls()


def _name_hint(name):
    if name.lower() == "constant":
        return ("'constant' is not a name: pass the number itself as 'init' "
                "(initializer(0.5, shape)) or Constant(0.5).")
    import difflib      # only on this error path: keeps `import sporelab` quick
    close = difflib.get_close_matches(name.lower(), _INITIALIZER_ALIAS, n=1)
    guess = f"Did you mean {close[0]!r}? " if close else ""
    return (f"{guess}Valid names for the argument 'init' (case-insensitive): "
            f"{', '.join(sorted(_INITIALIZER_ALIAS))}; or pass an Initializer object, a number or "
            f"a Tensor.")


# ---- argument checks shared by the constructors ---------------------------------------------

def _check_real(owner, name, value, minimum=None, strict=False, why=""):
    """``value`` as an int or float, or a TypeError/ValueError naming ``owner`` and ``name``.

    Rejects bools, non-numbers, NaN and infinities; with ``minimum``, values below it (or equal,
    when ``strict``).
    """
    check_real(value, f"For {owner}, the argument '{name}' must be a real number (int or float)")
    try:
        as_float = float(value)
    except OverflowError:
        as_float = math.inf
    if not math.isfinite(as_float):
        raise ValueError(f"For {owner}, the argument '{name}' must be a finite number, but got {value!r}.")
    if minimum is not None and (as_float < minimum or (strict and as_float == minimum)):
        bound = f"> {minimum}" if strict else f">= {minimum}"
        raise ValueError(f"For {owner}, the argument '{name}' must be {bound}{why}, but got {value!r}.")
    return int(value) if isinstance(value, numbers.Integral) else as_float


def _check_choice(owner, name, value, choices, lower=False):
    """``value`` (lower-cased if ``lower``) when it is one of ``choices``, else a teaching error."""
    listed = ", ".join(map(repr, choices))
    return check_choice(value, choices, f"For {owner}, the argument '{name}' must be one of {listed}", lower=lower,
                        type_prefix=f"For {owner}, the argument '{name}' must be a string, one of {listed}")
