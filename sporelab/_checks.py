"""The argument checks every layer shares: is it an int (not a bool), a bool, a real number, one of
some choices, a shape?

The tests live here once; the messages do not. Each check takes the wording of its caller (a
MindSpore-style "For 'Cell', the argument ..." or an MXNet-style "The argument ...") as a
``prefix`` and only appends how the rejected value is shown, chosen by ``got``:

* ``"value"``: ``"{prefix}, but got {value!r}."``
* ``"type"``:  ``"{prefix}, but got {type name}."``
* ``"both"``:  ``"{prefix}, but got {value!r} of type {type name}."``
* ``None``:    ``prefix`` is the whole message.

>>> import numpy as np
>>> is_int(3), is_int(np.int64(3)), is_int(True), is_int(3.0)
(True, True, False, False)
>>> check_bool(1, "For 'Cell', the argument 'auto_prefix' must be a bool")
Traceback (most recent call last):
    ...
TypeError: For 'Cell', the argument 'auto_prefix' must be a bool, but got 1 of type int.
"""

import numbers
import os

import numpy as np

__all__ = ["is_int", "is_real", "check_bool", "check_real", "check_choice", "check_shape"]


def is_int(value):
    """True for a Python int or a NumPy integer; False for bools (``True`` is an ``int`` in Python,
    but an argument that wants a count or an index never means it).

    >>> import numpy as np
    >>> [is_int(v) for v in (0, -5, np.uint8(7), True, np.bool_(True), 2.0, "3")]
    [True, True, True, False, False, False, False]
    """
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def is_real(value):
    """True for an int or float, Python's or NumPy's (any ``numbers.Real``), but not for a bool.
    NaN and infinities are real numbers here: a caller that refuses them says so.

    >>> import numpy as np
    >>> [is_real(v) for v in (1, 0.5, np.float32(2), float("nan"), True, 1j, "1")]
    [True, True, True, True, False, False, False]
    """
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _message(prefix, value, got):
    if got is None:
        return prefix
    shown = {"value": repr, "type": lambda v: type(v).__name__,
             "both": lambda v: f"{v!r} of type {type(v).__name__}"}
    if got not in shown:
        raise ValueError(f"The argument 'got' must be 'value', 'type', 'both' or None, but got {got!r}.")
    return f"{prefix}, but got {shown[got](value)}."


def check_bool(value, prefix, got="both", error=TypeError):
    """``value`` when it is ``True`` or ``False`` (not 0, 1 or ``np.bool_``), else ``error``.

    >>> check_bool(True, "The argument 'mode' must be a bool")
    True
    >>> check_bool("yes", "The argument 'mode' must be True or False", got="value")
    Traceback (most recent call last):
        ...
    TypeError: The argument 'mode' must be True or False, but got 'yes'.
    """
    if not isinstance(value, bool):
        raise error(_message(prefix, value, got))
    return value


def check_real(value, prefix, got="both", error=TypeError):
    """``value`` when ``is_real(value)``, else ``error``. Ranges (finite, positive, ...) are the
    caller's, in its own words.

    >>> check_real(0.1, "For 'SGD', the argument 'momentum' must be a number")
    0.1
    >>> check_real(False, "For 'SGD', the argument 'momentum' must be a number", got="type")
    Traceback (most recent call last):
        ...
    TypeError: For 'SGD', the argument 'momentum' must be a number, but got bool.
    """
    if not is_real(value):
        raise error(_message(prefix, value, got))
    return value


def check_choice(value, choices, prefix, got="value", lower=False, error=ValueError, type_prefix=None):
    """``value`` (lower-cased when ``lower``) when it is one of ``choices``, else ``error``.

    With ``type_prefix``, a value that is not a string is first refused with a TypeError
    ``"{type_prefix}, but got {value!r} of type {type name}."`` (and ``lower`` needs a string).

    >>> check_choice("FAN_IN", ("fan_in", "fan_out"), "The argument 'mode' must be 'fan_in' or "
    ...              "'fan_out'", lower=True, type_prefix="The argument 'mode' must be a string")
    'fan_in'
    >>> check_choice("avg", ("fan_in", "fan_out"), "The argument 'mode' must be 'fan_in' or 'fan_out'")
    Traceback (most recent call last):
        ...
    ValueError: The argument 'mode' must be 'fan_in' or 'fan_out', but got 'avg'.
    """
    if type_prefix is not None and not isinstance(value, str):
        raise TypeError(_message(type_prefix, value, "both"))
    key = value.lower() if lower and isinstance(value, str) else value
    try:
        known = key in choices
    except TypeError:                  # an unhashable value asked of a set or dict
        known = False
    if not known:
        raise error(_message(prefix, value, got))
    return key


def check_shape(shape, type_prefix, value_prefix, *, allow_unknown=False, allow_zero=False,
                dims_are_types=False, type_error=TypeError, type_got="both", value_suffix=""):
    """``shape`` (an int, or a tuple or list of ints) as a tuple of Python ints, else an error.

    A shape that is neither an int nor a tuple or list raises ``type_error`` (prefix
    ``type_prefix``, shown as ``type_got``). A dimension that is not an int, or too small, raises
    ValueError ``"{value_prefix}, but got {tuple(shape)!r}.{value_suffix}"``; with
    ``dims_are_types`` a dimension that is not an int raises the type error instead. Dimensions
    must be >= 1; ``allow_zero`` admits 0 (an empty axis); ``allow_unknown`` admits 0 and -1
    (a dimension not known yet, as Gluon's deferred shapes write it).

    >>> check_shape([2, np.int64(3)], "The argument 'shape' must be a tuple", "The argument 'shape' "
    ...             "must hold positive ints")
    (2, 3)
    >>> check_shape((0, -1, 4), "", "", allow_unknown=True)
    (0, -1, 4)
    >>> check_shape((2, 0), "The argument 'shape' must be a tuple", "The argument 'shape' must "
    ...             "hold positive ints")
    Traceback (most recent call last):
        ...
    ValueError: The argument 'shape' must hold positive ints, but got (2, 0).
    """
    if is_int(shape):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)) or (dims_are_types and not all(is_int(d) for d in shape)):
        raise type_error(_message(type_prefix, shape, type_got))
    minimum = -1 if allow_unknown else 0 if allow_zero else 1
    if not all(is_int(d) and d >= minimum for d in shape):
        raise ValueError(_message(value_prefix, tuple(shape), "value") + value_suffix)
    return tuple(int(d) for d in shape)


def check_file_name(fname, prefix, argument="fname"):
    """``fname`` (a str or path, not empty, no NUL) as an absolute path, else an error.

    Messages: ``"{prefix}, the argument '{argument}' must be a str or a path, but got <type>."``
    (TypeError) and ``"... must be a file name, but got <repr>."`` (ValueError).

    >>> check_file_name("", "For 'nd.save'")
    Traceback (most recent call last):
        ...
    ValueError: For 'nd.save', the argument 'fname' must be a file name, but got ''.
    """
    if not isinstance(fname, (str, os.PathLike)):
        raise TypeError(f"{prefix}, the argument '{argument}' must be a str or a path, but got "
                        f"{type(fname).__name__}.")
    name = os.fspath(fname)
    if not isinstance(name, str) or not name or "\0" in name:
        raise ValueError(f"{prefix}, the argument '{argument}' must be a file name, but got {name!r}.")
    return os.path.abspath(name)
