"""MXNet Gluon's initializers (``mxnet.initializer``, ``mx.init``): how a Parameter's values are drawn.

An initializer fills a host NumPy array in place: ``init(arr)``. Random ones draw from the one
seeded generator (``sporelab.set_seed``), so the same seed gives the same values on every device.
Names are registered case-insensitively (``'xavier'``, ``'Zeros'``), and ``create`` builds an
initializer from a name, a JSON string or an instance; ``dumps()`` writes that JSON back.

>>> import numpy as np
>>> from sporelab.gluon import init
>>> init.Normal(sigma=0.5).dumps()
'["normal", {"sigma": 0.5}]'
>>> init.create('["normal", {"sigma": 0.5}]')
Normal(sigma=0.5)
>>> arr = np.empty((2, 2), np.float32)
>>> init.create('ones')(arr)
>>> arr
array([[1., 1.],
       [1., 1.]], dtype=float32)

Differences from MXNet, by design: an unknown name raises ``ValueError`` (MXNet asserts), and
invalid arguments (``Xavier(rnd_type='foo')``) are rejected when the initializer is built, not
when it is first used. The legacy ``init(name, arr)`` call with its name-suffix dispatch is not
provided: Gluon's ``Parameter.initialize`` never uses it.
"""

import json
import math
import warnings

import numpy as np

from .._checks import check_choice, check_real
from ..common._sampling import fill_normal, fill_uniform
from ..common._fan import calculate_fan_in_and_fan_out

__all__ = ["Initializer", "register", "alias", "create", "Zero", "One", "Constant", "Uniform",
           "Normal", "Xavier", "MSRAPrelu", "Orthogonal", "Bilinear"]

_REGISTRY = {}


def register(klass):
    """Class decorator: register an Initializer subclass under its lower-cased class name.

    Raises:
        TypeError: ``klass`` is not a subclass of ``Initializer``.

    >>> @register
    ... class Twos(Initializer):
    ...     def _init_weight(self, name, arr):
    ...         arr[...] = 2
    >>> create('TWOS')
    Twos()
    """
    return alias(klass.__name__ if isinstance(klass, type) else "")(klass)


def alias(*aliases):
    """Class decorator: register an Initializer subclass under each of ``aliases`` (lower-cased)."""
    def reg(klass):
        if not (isinstance(klass, type) and issubclass(klass, Initializer)):
            raise TypeError(f"Only subclasses of sporelab.gluon.init.Initializer can be registered, "
                            f"but got {klass!r}.")
        for name in aliases:
            key = name.lower()
            if _REGISTRY.get(key, klass) is not klass:
                warnings.warn(f"New initializer {klass.__module__}.{klass.__name__} is overriding existing "
                              f"initializer {key!r}.", stacklevel=2)
            _REGISTRY[key] = klass
        return klass
    return reg


def _mindspore_initializer_class():
    """MindSpore's Initializer base class, when sporelab.common.initializer is available."""
    try:
        from ..common.initializer import Initializer as MindSporeInitializer
    except ImportError:
        return None
    return MindSporeInitializer


def create(init, **kwargs):
    """An initializer from a registered name, a JSON string, or an instance (returned as is).

    Args:
        init: ``'xavier'`` (any case), ``'["normal", {"sigma": 0.5}]'`` (what ``dumps()`` writes),
            an ``Initializer`` of this module, or a MindSpore initializer
            (``sporelab.common.initializer``): one engine, two faces.
        **kwargs: arguments for the class, only with a plain name: ``create('normal', sigma=0.5)``.

    Raises:
        ValueError: an unregistered name, or a JSON string that is not ``[name, {arguments}]``.
        TypeError: ``init`` of another type; arguments the class does not take.

    >>> create('Uniform', scale=0.1)
    Uniform(scale=0.1)
    """
    return _create(init, "init", **kwargs)


def _create(init, argument, **kwargs):
    """``create`` with error messages naming ``argument`` (e.g. 'default_init')."""
    if isinstance(init, Initializer) or _is_mindspore_initializer(init):
        if kwargs:
            raise TypeError(f"create() takes keyword arguments only with a name, but got an "
                            f"initializer instance and {sorted(kwargs)}.")
        return init
    if not isinstance(init, str):
        raise TypeError(f"The argument '{argument}' must be an Initializer (e.g. init.Xavier()), a "
                        f"registered name such as 'xavier', or a JSON string such as "
                        f"'[\"normal\", {{\"sigma\": 0.5}}]', but got {init!r} of type {type(init).__name__}.")
    name, params = _parse(init, argument)
    if kwargs and init.lstrip().startswith("["):
        raise TypeError("create() takes no keyword arguments with a JSON string: put them in the JSON.")
    klass = _REGISTRY.get(name.lower())
    if klass is None:
        raise ValueError(f"{name} is not registered. Please register with sporelab.gluon.init.register "
                         f"first, or give the argument '{argument}' one of: {', '.join(sorted(_REGISTRY))}.")
    try:
        return klass(**params, **kwargs)
    except (TypeError, ValueError) as error:
        raise type(error)(f"The argument '{argument}' ({init!r}) gives {klass.__name__} bad arguments: "
                          f"{error}") from None


def _is_mindspore_initializer(init):
    base = _mindspore_initializer_class()
    return base is not None and isinstance(init, base)


def _parse(text, argument):
    """(name, kwargs) from a name or from the JSON form ``[name, {kwargs}]``."""
    if not text.lstrip().startswith("["):
        return text.strip(), {}
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"The argument '{argument}' {text!r} starts with '[' but is not valid JSON ({error}); "
                         f"write it as '[\"normal\", {{\"sigma\": 0.5}}]'.") from None
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], str)
            or not isinstance(value[1], dict)):
        raise ValueError(f"The argument '{argument}' {text!r} must be a JSON list [name, {{arguments}}], "
                         f"e.g. '[\"normal\", {{\"sigma\": 0.5}}]'.")
    return value[0], value[1]


def _check_number(value, argument, positive=False, non_negative=False):
    check_real(value, f"The argument '{argument}' must be a number")
    if not math.isfinite(value) or (positive and value <= 0) or (non_negative and value < 0):
        need = "a positive" if positive else "a non-negative" if non_negative else "a finite"
        raise ValueError(f"The argument '{argument}' must be {need} number, but got {value!r}.")
    return value


def _check_choice(value, argument, choices, prefix):
    return check_choice(value, choices, f"{prefix} {value!r}: the argument '{argument}' must be one of "
                                        f"{', '.join(repr(c) for c in choices)}.", got=None)


def _random_fill(arr, filler):
    """Run ``filler(work)`` on float32 (float64 for a float64 ``arr``) values, then store into ``arr``."""
    if arr.dtype in (np.float32, np.float64) and arr.flags.c_contiguous:
        filler(arr)
        return
    work = np.empty(arr.shape, np.float64 if arr.dtype == np.float64 else np.float32)
    filler(work)
    arr[...] = work


class Initializer:
    """Base class: ``init(arr)`` fills the NumPy array ``arr`` in place.

    A subclass stores its arguments with ``super().__init__(**kwargs)`` (they make ``dumps()`` and
    ``repr``) and implements ``_init_weight(self, name, arr)``, as in MXNet; ``name`` is the
    Parameter's name when a Parameter is being initialised, else ''.

    Raises (from ``init(arr)``):
        TypeError: ``arr`` is not a NumPy array.

    >>> class Twos(Initializer):
    ...     def _init_weight(self, name, arr):
    ...         arr[...] = 2
    >>> arr = np.zeros(3, np.float32); Twos()(arr); arr
    array([2., 2., 2.], dtype=float32)
    """

    def __init__(self, **kwargs):
        self._kwargs = kwargs

    def __call__(self, arr):
        self._fill(arr, "")

    def _fill(self, arr, name):
        if not isinstance(arr, np.ndarray):
            raise TypeError(f"An initializer fills a NumPy array in place, but got {type(arr).__name__}; "
                            f"to initialise a Parameter use param.initialize(init=...).")
        self._init_weight(name, arr)

    def _init_weight(self, name, arr):
        raise NotImplementedError(f"{type(self).__name__} must implement _init_weight(self, name, arr).")

    def dumps(self):
        """The JSON string ``[classname.lower(), kwargs]`` that ``create`` turns back into this."""
        return json.dumps([type(self).__name__.lower(), self._kwargs])

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self._kwargs.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other):
        return type(other) is type(self) and other.dumps() == self.dumps()

    def __hash__(self):
        return hash(self.dumps())


@register
@alias("zeros")
class Zero(Initializer):
    """Fills with 0 (aliases 'zero', 'zeros').

    >>> a = np.ones(2, np.float32); Zero()(a); a
    array([0., 0.], dtype=float32)
    """

    def _init_weight(self, name, arr):
        arr[...] = 0


@register
@alias("ones")
class One(Initializer):
    """Fills with 1 (aliases 'one', 'ones').

    >>> a = np.zeros(2, np.float32); One()(a); a
    array([1., 1.], dtype=float32)
    """

    def _init_weight(self, name, arr):
        arr[...] = 1


@register
class Constant(Initializer):
    """Fills with ``value``: a number, or an array broadcast to the array's shape.

    Args:
        value: a number, or a NumPy array / nested list that broadcasts to the filled shape.

    Raises:
        TypeError: ``value`` is not numeric.
        ValueError: (when filling) ``value`` does not broadcast to the array's shape.

    >>> Constant(1).dumps()
    '["constant", {"value": 1}]'
    """

    def __init__(self, value):
        array = np.asarray(getattr(value, "asnumpy", lambda: value)())
        if array.dtype.kind not in "biuf":
            raise TypeError(f"The argument 'value' must be a number or an array of numbers, but got "
                            f"{value!r} of type {type(value).__name__}.")
        super().__init__(value=value)
        self._value = array

    def _init_weight(self, name, arr):
        try:
            arr[...] = self._value
        except ValueError:
            raise ValueError(f"Constant value of shape {self._value.shape} cannot fill an array of shape "
                             f"{arr.shape}: give a scalar or an array that broadcasts to it.") from None

    def dumps(self):
        value = self._value.item() if self._value.ndim == 0 else self._value.tolist()
        return json.dumps(["constant", {"value": value}])


@register
class Uniform(Initializer):
    """Draws from the uniform distribution U(-scale, scale).

    Args:
        scale (float): the bound, >= 0. Default 0.07 (MXNet's global default initializer).

    Raises:
        TypeError / ValueError: ``scale`` not a number / negative or not finite.

    >>> import sporelab; sporelab.set_seed(0)
    >>> a = np.empty(1000, np.float32); Uniform(0.1)(a); bool(abs(a).max() <= 0.1)
    True
    """

    def __init__(self, scale=0.07):
        super().__init__(scale=_check_number(scale, "scale", non_negative=True))
        self.scale = scale

    def _init_weight(self, name, arr):
        _random_fill(arr, lambda work: fill_uniform(work, self.scale))


@register
class Normal(Initializer):
    """Draws from the normal distribution N(0, sigma^2).

    Args:
        sigma (float): the standard deviation, >= 0. Default 0.01.

    Raises:
        TypeError / ValueError: ``sigma`` not a number / negative or not finite.

    >>> Normal(sigma=0.5).dumps()
    '["normal", {"sigma": 0.5}]'
    """

    def __init__(self, sigma=0.01):
        super().__init__(sigma=_check_number(sigma, "sigma", non_negative=True))
        self.sigma = sigma

    def _init_weight(self, name, arr):
        _random_fill(arr, lambda work: fill_normal(work, 0.0, self.sigma))


def _fans(name, arr, what):
    """(fan_in, fan_out) of a weight (out, in, *kernel): in * prod(kernel), out * prod(kernel)."""
    if arr.ndim < 2:
        label = f"vector {name}" if name else "vector"
        raise ValueError(f"{what} initializer cannot be applied to {label} of shape {arr.shape}. It requires "
                         f"at least 2D (a weight of shape (out, in, ...)); initialise biases with Zero() "
                         f"or Uniform() instead.")
    return calculate_fan_in_and_fan_out(arr.shape)


@register
class Xavier(Initializer):
    r"""Xavier/Glorot: keeps the signal's variance across layers by scaling with the fans.

    With ``hw = prod(shape[2:])``, ``fan_in = shape[1] * hw`` and ``fan_out = shape[0] * hw``,
    ``factor`` is ``(fan_in + fan_out) / 2`` ('avg'), ``fan_in`` ('in') or ``fan_out`` ('out'), and
    :math:`s = \sqrt{magnitude / factor}`. 'uniform' draws U(-s, s), 'gaussian' draws N(0, s^2).
    The defaults give Glorot-uniform, U(+-sqrt(6 / (fan_in + fan_out))).
    Paper: Glorot & Bengio (2010), "Understanding the difficulty of training deep feedforward
    neural networks".

    Args:
        rnd_type (str): 'uniform' (default) or 'gaussian'.
        factor_type (str): 'avg' (default), 'in' or 'out'.
        magnitude (float): > 0, default 3.

    Raises:
        ValueError: "Unknown random type" / "Incorrect factor type" / a non-positive magnitude
            (when built); an array with fewer than 2 dims (when filling).
        TypeError: ``magnitude`` not a number.

    >>> import sporelab; sporelab.set_seed(0)
    >>> w = np.empty((64, 32), np.float32); Xavier()(w)
    >>> bool(abs(w).max() <= np.sqrt(6 / (64 + 32)))
    True
    """

    def __init__(self, rnd_type="uniform", factor_type="avg", magnitude=3):
        _check_choice(rnd_type, "rnd_type", ("uniform", "gaussian"), "Unknown random type")
        _check_choice(factor_type, "factor_type", ("avg", "in", "out"), "Incorrect factor type")
        _check_number(magnitude, "magnitude", positive=True)
        super().__init__(rnd_type=rnd_type, factor_type=factor_type, magnitude=magnitude)
        self.rnd_type, self.factor_type, self.magnitude = rnd_type, factor_type, float(magnitude)

    def _init_weight(self, name, arr):
        fan_in, fan_out = _fans(name, arr, type(self).__name__)
        factor = {"avg": (fan_in + fan_out) / 2.0, "in": fan_in, "out": fan_out}[self.factor_type]
        if factor == 0:                 # an empty array: nothing to fill
            return
        scale = math.sqrt(self.magnitude / factor)
        if self.rnd_type == "uniform":
            _random_fill(arr, lambda work: fill_uniform(work, scale))
        else:
            _random_fill(arr, lambda work: fill_normal(work, 0.0, scale))


@register
class MSRAPrelu(Xavier):
    r"""He/Kaiming (MSRA) for PReLU networks: Xavier('gaussian', factor_type, 2 / (1 + slope^2)).

    So the values are N(0, s^2) with :math:`s = \sqrt{2 / ((1 + slope^2) \cdot factor)}`; slope 0
    is the ReLU case. Paper: He et al. (2015), "Delving Deep into Rectifiers".

    Args:
        factor_type (str): 'avg' (default), 'in' or 'out'.
        slope (float): the negative slope of the PReLU, default 0.25.

    Raises:
        ValueError: "Incorrect factor type"; fewer than 2 dims when filling.
        TypeError: ``slope`` not a number.

    >>> MSRAPrelu().dumps()
    '["msraprelu", {"factor_type": "avg", "slope": 0.25}]'
    """

    def __init__(self, factor_type="avg", slope=0.25):
        _check_number(slope, "slope")
        super().__init__("gaussian", factor_type, 2.0 / (1 + slope ** 2))
        self._kwargs = {"factor_type": factor_type, "slope": slope}


@register
class Orthogonal(Initializer):
    """An orthogonal matrix times ``scale``, from the SVD of a random (out, prod(rest)) matrix.

    The random matrix is U(-1, 1) ('uniform') or N(0, 1) ('normal'); of its SVD ``u, s, v`` the
    factor of the matrix's own shape is kept, so the rows (or columns, whichever are fewer) of the
    reshaped result are orthogonal with norm ``scale``.
    Paper: Saxe et al. (2013), "Exact solutions to the nonlinear dynamics of learning in deep
    linear neural networks".

    Args:
        scale (float): default 1.414 (about sqrt(2), for ReLU).
        rand_type (str): 'uniform' (default) or 'normal'.

    Raises:
        ValueError: an unknown ``rand_type``; a 0-d array when filling.
        TypeError: ``scale`` not a number.

    >>> import sporelab; sporelab.set_seed(0)
    >>> w = np.empty((3, 5)); Orthogonal(scale=1.0)(w)
    >>> np.allclose(w @ w.T, np.eye(3))
    True
    """

    def __init__(self, scale=1.414, rand_type="uniform"):
        _check_number(scale, "scale")
        _check_choice(rand_type, "rand_type", ("uniform", "normal"), "Unknown random type")
        super().__init__(scale=scale, rand_type=rand_type)
        self.scale, self.rand_type = scale, rand_type

    def _init_weight(self, name, arr):
        if arr.ndim == 0:
            label = f"scalar {name}" if name else "scalar"
            raise ValueError(f"Orthogonal initializer cannot be applied to the {label}: it needs at "
                             f"least 1 dimension.")
        if arr.size == 0:
            return
        rows, cols = arr.shape[0], math.prod(arr.shape[1:])
        tmp = np.empty((rows, cols), np.float64)
        if self.rand_type == "uniform":
            fill_uniform(tmp, 1.0)
        else:
            fill_normal(tmp, 0.0, 1.0)
        u, _, v = np.linalg.svd(tmp, full_matrices=False)
        result = u if u.shape == tmp.shape else v
        arr[...] = self.scale * result.reshape(arr.shape)


@register
class Bilinear(Initializer):
    """The bilinear-upsampling kernel, for a transposed convolution that upsamples.

    For a weight (out, in, height, width), with ``f = ceil(width / 2)`` and
    ``c = (2f - 1 - f % 2) / (2f)``, element (y, x) of every kernel is
    ``(1 - |x / f - c|) * (1 - |y / f - c|)``. A 1x1x4x4 kernel is the outer product of
    ``[0.25, 0.75, 0.75, 0.25]`` with itself.

    Raises:
        ValueError: (when filling) an array that is not 4-D.

    >>> w = np.empty((1, 1, 4, 4), np.float32); Bilinear()(w); w[0, 0, 0]
    array([0.0625, 0.1875, 0.1875, 0.0625], dtype=float32)
    """

    def _init_weight(self, name, arr):
        if arr.ndim != 4:
            raise ValueError(f"Bilinear initializer needs a 4-D weight (out, in, height, width), but "
                             f"got shape {arr.shape}.")
        height, width = arr.shape[2], arr.shape[3]
        f = math.ceil(width / 2.0)
        c = (2 * f - 1 - f % 2) / (2.0 * f)
        wx = 1 - np.abs(np.arange(width) / f - c)
        wy = 1 - np.abs(np.arange(height) / f - c)
        arr[...] = np.outer(wy, wx)
