"""MXNet Gluon 1.x's ``ParameterDict``: Parameters by name, created on first ``get`` and shared by prefix.

>>> import sporelab as ms
>>> from sporelab import gluon
>>> params = gluon.ParameterDict('net1_')
>>> w = params.get('dense0_weight', shape=(10, 5))
>>> params.get('dense0_weight', shape=(0, 5)) is w       # unknown dims merge with the stored shape
True
>>> print(params)
net1_ (
  Parameter net1_dense0_weight (shape=(10, 5), dtype=float32)
)
>>> params.initialize(ctx=ms.cpu(0))
>>> params.list_ctx()
[cpu(0)]
"""

from collections import OrderedDict

import numpy as np

from . import _persistence
from . import init as _init
from ._checks import (_check_bool, _check_contexts, _check_grad_req, _check_mult, _check_shape, _check_stype,
                      _np_dtype, _shape_is_known)
from .parameter import Constant, Parameter

__all__ = ["ParameterDict"]

_GET_KEYWORDS = ("grad_req", "shape", "dtype", "lr_mult", "wd_mult", "init", "allow_deferred_init",
                 "differentiable", "stype", "grad_stype")
_SETTABLE = ("grad_req", "lr_mult", "wd_mult", "dtype", "init")
_VALIDATORS = {"grad_req": lambda value, _: _check_grad_req(value), "lr_mult": _check_mult,
               "wd_mult": _check_mult, "allow_deferred_init": _check_bool, "differentiable": _check_bool,
               "stype": _check_stype, "grad_stype": _check_stype}


def _merged_shape(desired, stored):
    """The shape agreeing with both (unknown dims 0/-1 take the other's), or None if they clash."""
    if len(desired) != len(stored):
        return None
    merged = []
    for want, have in zip(desired, stored):
        if want == have or want in (0, -1):
            merged.append(have)
        elif have in (0, -1):
            merged.append(want)
        else:
            return None
    return tuple(merged)


def _same(desired, stored):
    try:
        same = desired == stored
    except Exception:  # noqa: BLE001 -- an exotic object's __eq__: treat as a mismatch, reported below
        return False
    return same is True or (isinstance(same, (bool, np.bool_)) and bool(same))


class ParameterDict:
    """An ordered dict of Parameters whose names all start with ``prefix``.

    Args:
        prefix (str): prepended to every name given to ``get`` / ``get_constant``.
        shared (ParameterDict): where ``get`` looks before creating a Parameter (weight sharing).

    Raises:
        TypeError: ``prefix`` not a str, ``shared`` not a ParameterDict.
    """

    def __init__(self, prefix="", shared=None):
        if not isinstance(prefix, str):
            raise TypeError(f"The argument 'prefix' must be a str, but got {type(prefix).__name__}.")
        if shared is not None and not isinstance(shared, ParameterDict):
            raise TypeError(f"The argument 'shared' must be a ParameterDict or None, but got "
                            f"{type(shared).__name__}.")
        self._prefix = prefix
        self._params = OrderedDict()
        self._shared = shared

    def __repr__(self):
        name = self._prefix + " " if self._prefix else ""
        content = "\n".join(f"  {param!r}" for param in self._params.values())
        return f"{name}(\n{content}\n)"

    @property
    def prefix(self):
        return self._prefix

    def __getitem__(self, key):
        try:
            return self._params[key]
        except KeyError:
            raise KeyError(f"No Parameter named {key!r}; the names are {list(self._params)}.") from None

    def __iter__(self):
        return iter(self._params)

    def __len__(self):
        return len(self._params)

    def __contains__(self, key):
        return key in self._params

    def keys(self):
        return self._params.keys()

    def values(self):
        return self._params.values()

    def items(self):
        return self._params.items()

    def _get_impl(self, name):
        if name in self._params:
            return self._params[name]
        if self._shared is not None and name in self._shared._params:
            self._params[name] = self._shared._params[name]
            return self._params[name]
        return None

    def get(self, name, **kwargs):
        """The Parameter ``prefix + name``, from here or ``shared``, else a new one made with ``kwargs``.

        For an existing Parameter every given attribute must match the stored one; unknown shape
        dimensions (0 or -1) on either side merge, so (0, 3) and (2, 3) give (2, 3). An attribute
        stored as None (shape, init) is set.

        Raises:
            ValueError: an attribute does not match the stored one.
            TypeError: an unknown keyword, or (for a new Parameter) a badly typed one.

        >>> d = ParameterDict('net_'); d.get('w', shape=(0, 3)).shape
        (0, 3)
        >>> d.get('w', shape=(2, 3)).shape
        (2, 3)
        """
        if not isinstance(name, str):
            raise TypeError(f"The argument 'name' must be a str, but got {type(name).__name__}.")
        unknown = sorted(set(kwargs) - set(_GET_KEYWORDS))
        if unknown:
            raise TypeError(f"get() got unexpected keyword argument(s) {unknown}; a Parameter takes "
                            f"{', '.join(_GET_KEYWORDS)}.")
        name = self._prefix + name
        param = self._get_impl(name)
        if param is None:
            param = Parameter(name, **kwargs)
            self._params[name] = param
            return param
        updates = [(key, self._reconcile(param, key, value)) for key, value in kwargs.items()]
        updates.sort(key=lambda item: item[0] == "shape")   # shape last: it may finish a deferred init
        for key, value in updates:               # all checked first: a mismatch changes nothing
            if value is not None and key in ("shape", "init"):
                setattr(param, key, value)
        return param

    @staticmethod
    def _reconcile(param, key, desired):
        """The value to store for ``key`` (None: nothing to change), or ValueError on a mismatch."""
        stored = getattr(param, key)
        if desired is None:
            return None
        if key in _VALIDATORS:           # a badly typed value is refused even when it compares equal
            _VALIDATORS[key](desired, key)
        if key == "shape":
            desired = _check_shape(desired)
            if stored is None:
                return desired
            merged = _merged_shape(desired, stored)
            if merged is not None:
                return merged if merged != stored else None
        elif key == "init" and stored is None:
            _init.create(desired)
            return desired
        elif key == "dtype" and _np_dtype(desired) == stored:
            return None
        elif key not in ("shape", "dtype") and _same(desired, stored):
            return None
        raise ValueError(f"Cannot retrieve Parameter '{param.name}' because desired attribute does not match "
                         f"with stored for attribute '{key}': desired '{desired}' vs stored '{stored}'.")

    def get_constant(self, name, value=None):
        """The Constant ``prefix + name``; created from ``value`` when missing.

        Raises:
            KeyError: it is missing and no ``value`` is given.
            ValueError: it exists but is not a Constant, or holds another value.

        >>> d = ParameterDict(); d.get_constant('c', [1, 2])
        Constant c (shape=(2,), dtype=float32)
        """
        if not isinstance(name, str):
            raise TypeError(f"The argument 'name' must be a str, but got {type(name).__name__}.")
        name = self._prefix + name
        param = self._get_impl(name)
        if param is None:
            if value is None:
                raise KeyError(f"No constant named '{name}'. Please specify value if you want to create a "
                               f"new constant.")
            param = Constant(name, value)
            self._params[name] = param
        elif value is not None:
            if not isinstance(param, Constant):
                raise ValueError(f"Parameter '{name}' already exists but it is not a constant.")
            given = np.asarray(value.asnumpy() if hasattr(value, "asnumpy") else value)
            stored = param.value.asnumpy()
            if given.shape != stored.shape or not (given == stored).all():
                raise ValueError(f"Constant '{name}' already exists but its value doesn't match new value.")
        return param

    def update(self, other):
        """Add the Parameters of ``other`` (a ParameterDict or dict), sharing them, not copying.

        Raises:
            ValueError: a name is already here with a different Parameter object.
            TypeError: ``other`` is not a mapping of Parameters.
        """
        if not hasattr(other, "items") or not all(isinstance(v, Parameter) for v in other.values()):
            raise TypeError(f"The argument 'other' must be a ParameterDict or a dict of Parameters, but got "
                            f"{type(other).__name__}.")
        for key, param in other.items():
            if key in self._params and self._params[key] is not param:
                raise ValueError(f"Cannot update self with other because they have different Parameters with "
                                 f"the same name '{key}'.")
        self._params.update(other.items())

    # MXNet 1.9.1's signature, default instance included (initializers are stateless, so sharing is safe).
    def initialize(self, init=_init.Uniform(), ctx=None, verbose=False, force_reinit=False):  # noqa: B008
        """Initialise every Parameter; ``init`` is the default for those without their own ``init``.

        Args:
            init: the global initializer (default ``init.Uniform()``), name or JSON string.
            ctx: a Context or a list of them (default: the current context).
            verbose (bool): print which initializer each Parameter got.
            force_reinit (bool): re-initialise Parameters that already are.

        Raises:
            ValueError: a Parameter has an unknown shape and no ``allow_deferred_init``; checked
                for all Parameters before any is initialised.
        """
        default = _init.create(init)
        _check_contexts(ctx)
        _check_bool(verbose, "verbose")
        _check_bool(force_reinit, "force_reinit")
        for param in self._params.values():
            if param._data is None and not param.allow_deferred_init and not _shape_is_known(param.shape):
                raise ValueError(f"Cannot initialize Parameter '{param.name}' because it has invalid shape: "
                                 f"{param.shape}. Give it a full shape, or allow_deferred_init=True.")
        for param in self._params.values():
            param.initialize(None, ctx, default, force_reinit=force_reinit)
            if verbose:
                used = param.init if param.init is not None else default
                print(f"Initialized {param!r} with {used!r}")

    def zero_grad(self):
        """Set every gradient of every Parameter to 0."""
        for param in self._params.values():
            param.zero_grad()

    def reset_ctx(self, ctx):
        """Move every Parameter to the contexts ``ctx`` (see ``Parameter.reset_ctx``)."""
        _check_contexts(ctx)
        for param in self._params.values():
            param.reset_ctx(ctx)

    def list_ctx(self):
        """The contexts used by any Parameter, each once, in order of first appearance."""
        contexts = []
        for param in self._params.values():
            contexts.extend(c for c in param.list_ctx() if c not in contexts)
        return contexts

    # ---- persistence (MXNet 1.9.1's ParameterDict.save/load/load_dict; see _persistence.py) ------
    def save(self, filename, strip_prefix=''):
        """Save every Parameter (averaged over its contexts) to ``filename``, named without ``strip_prefix``.

        The file is sporelab's safe format (written atomically, never unpickled), not MXNet's.

        Raises:
            ValueError: a Parameter's name does not start with ``strip_prefix``.
            RuntimeError: a Parameter is not initialised.
            TypeError: ``filename`` or ``strip_prefix`` is not a str.
        """
        _persistence.save(self, filename, strip_prefix)

    def load(self, filename, ctx=None, allow_missing=False, ignore_extra=False, restore_prefix='',
             cast_dtype=False, dtype_source='current'):
        """Load the values saved by ``save`` into these Parameters (names get ``restore_prefix``).

        Uninitialised Parameters are initialised on ``ctx`` (default ``cpu()``) with the loaded
        values; initialised ones get ``set_data``. All checks run before anything changes.

        Args:
            allow_missing (bool): Parameters absent from the file keep their values.
            ignore_extra (bool): names in the file without a Parameter are skipped.
            cast_dtype (bool): cast where dtypes differ, to this Parameter's dtype
                (``dtype_source='current'``) or to the saved one (``'saved'``).

        Raises:
            ArgumentAssertionError (ValueError and AssertionError): a missing or extra name, a
                name without ``restore_prefix``, an incompatible shape or dtype, another ``ctx``
                than the Parameter's.
            ValueError: the file is missing or damaged, or ``dtype_source`` is unknown.
        """
        _persistence.load(self, filename, ctx, allow_missing, ignore_extra, restore_prefix, cast_dtype,
                          dtype_source)

    def load_dict(self, param_dict, ctx=None, allow_missing=False, ignore_extra=False, restore_prefix='',
                  filename=None, cast_dtype=False, dtype_source='current'):
        """Load ``{name: NDArray}`` as ``load`` loads a file (MXNet's ``arg:``/``aux:`` prefixes dropped)."""
        _persistence.load_dict(self, param_dict, ctx, allow_missing, ignore_extra, restore_prefix, filename,
                               cast_dtype, dtype_source)

    def setattr(self, name, value):
        """Set attribute ``name`` (e.g. 'grad_req', 'lr_mult') of every Parameter to ``value``.

        Raises:
            ValueError: ``name`` is not one of grad_req, lr_mult, wd_mult, dtype, init; or as the
                Parameter's own setter.

        >>> d = ParameterDict(); _ = d.get('w', shape=(2,)); d.setattr('lr_mult', 0.5); d['w'].lr_mult
        0.5
        """
        if name not in _SETTABLE:
            raise ValueError(f"The argument 'name' must be one of {', '.join(_SETTABLE)}, but got {name!r}.")
        for param in self._params.values():
            setattr(param, name, value)
