"""Fans and gains: the two numbers that scale the Xavier, He and VarianceScaling initializers.

A weight of shape ``(out_channels, in_channels, *kernel)`` connects each output unit to
``fan_in = in_channels * prod(kernel)`` inputs and each input unit to
``fan_out = out_channels * prod(kernel)`` outputs. A dense layer's ``(out, in)`` weight is the case
of an empty kernel. Scaling the initial weights by ``1 / sqrt(fan)`` keeps the variance of the
signal roughly constant from layer to layer, which is the whole idea behind Xavier and He.

The *gain* corrects that scale for the non-linearity that follows: a ReLU zeroes half of its input,
so He et al. multiply the standard deviation by ``sqrt(2)`` to keep the variance. The table is
PyTorch's ``torch.nn.init.calculate_gain`` (MindSpore's copy lacks only ``selu``).
"""

import math

from .._checks import check_shape, is_real

__all__ = ["calculate_fan_in_and_fan_out", "_calculate_fan_in_and_fan_out",
           "_calculate_correct_fan", "calculate_gain"]

_LINEAR_LIKE = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
                "conv_transpose3d", "sigmoid")
_NONLINEARITIES = _LINEAR_LIKE + ("tanh", "relu", "leaky_relu", "selu")
_MODES = ("fan_in", "fan_out")


def _as_shape(shape):
    """A tuple of non-negative ints from a shape, or from anything with a ``.shape``."""
    return check_shape(getattr(shape, "shape", shape),
                       "The argument 'shape' must be a tuple or list of ints (or an array with a .shape)",
                       "The argument 'shape' must hold non-negative ints", allow_zero=True)


def _calculate_fan_in_and_fan_out(shape):
    """``(fan_in, fan_out)`` of a weight shape ``(out, in, *kernel)``.

    ``fan_in = in * prod(kernel)`` and ``fan_out = out * prod(kernel)``, as in MindSpore and
    PyTorch. A Conv2d weight ``(64, 3, 3, 3)`` has fan_in 27 and fan_out 576.

    Args:
        shape: a tuple or list of ints, or an array/Tensor (its ``.shape`` is used).

    Raises:
        ValueError: fewer than 2 dimensions (a bias or a scalar has no fan-in/fan-out).
        TypeError: ``shape`` is not a shape.

    >>> _calculate_fan_in_and_fan_out((64, 3, 3, 3))
    (27, 576)
    """
    shape = _as_shape(shape)
    if len(shape) < 2:
        raise ValueError(
            f"'fan_in' and 'fan_out' can not be computed for tensor with fewer than 2 dimensions, "
            f"but got dimensions {len(shape)}. Fan-based initializers (XavierUniform, HeUniform, "
            f"VarianceScaling, ...) are for weights of shape (out, in, *kernel); initialise a bias "
            f"with 'zeros' or Uniform() instead.")
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


calculate_fan_in_and_fan_out = _calculate_fan_in_and_fan_out


def _check_mode(mode):
    """The lower-cased ``mode`` ('fan_in' or 'fan_out'), or a ValueError/TypeError that teaches."""
    if not isinstance(mode, str):
        raise TypeError(f"The argument 'mode' must be a string, 'fan_in' or 'fan_out', but got "
                        f"{mode!r} of type {type(mode).__name__}.")
    if mode.lower() not in _MODES:
        raise ValueError(f"The argument 'mode' must be 'fan_in' (keeps the variance of the forward "
                         f"signal) or 'fan_out' (keeps the variance of the backward gradients), "
                         f"but got {mode!r}.")
    return mode.lower()


def _calculate_correct_fan(shape, mode):
    """``fan_in`` or ``fan_out`` of ``shape``, chosen by ``mode`` (case-insensitive).

    Raises:
        ValueError: ``mode`` is neither 'fan_in' nor 'fan_out'; ``shape`` has fewer than 2 dims.
    """
    mode = _check_mode(mode)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(shape)
    return fan_in if mode == "fan_in" else fan_out


def _leaky_slope(param):
    """The negative slope of leaky_relu from ``param`` (None means 0.01), or a ValueError."""
    if param is None:
        return 0.01
    if is_real(param):
        try:
            slope = float(param)
        except OverflowError:          # an int beyond float range: the gain tends to 0
            slope = math.inf
        if not math.isnan(slope):
            return slope
    raise ValueError(f"negative_slope {param!r} not a valid number: the argument 'param' of "
                     f"leaky_relu must be an int or a float (not a bool, not NaN).")


def calculate_gain(nonlinearity, param=None):
    r"""The recommended gain for a non-linearity (PyTorch's table).

    ================= ====================================================
    nonlinearity      gain
    ================= ====================================================
    linear / conv*    :math:`1`
    sigmoid           :math:`1`
    tanh              :math:`\frac{5}{3}`
    relu              :math:`\sqrt{2}`
    leaky_relu        :math:`\sqrt{\frac{2}{1 + \text{negative\_slope}^2}}`
    selu              :math:`\frac{3}{4}`
    ================= ====================================================

    Args:
        nonlinearity (str): one of ``linear``, ``conv1d``, ``conv2d``, ``conv3d``,
            ``conv_transpose1d``, ``conv_transpose2d``, ``conv_transpose3d``, ``sigmoid``, ``tanh``,
            ``relu``, ``leaky_relu``, ``selu``.
        param (int or float): the negative slope of ``leaky_relu`` (default 0.01); ignored otherwise.

    Raises:
        TypeError: ``nonlinearity`` is not a string.
        ValueError: an unknown non-linearity, or a ``param`` that is not an int or float (bool too).

    >>> round(calculate_gain('relu'), 4)
    1.4142
    >>> round(calculate_gain('leaky_relu', 0.2), 4)
    1.3868
    """
    if not isinstance(nonlinearity, str):
        raise TypeError(f"The argument 'nonlinearity' must be a string such as 'relu', but got "
                        f"{nonlinearity!r} of type {type(nonlinearity).__name__}.")
    if nonlinearity in _LINEAR_LIKE:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "selu":
        return 3.0 / 4     # PyTorch's choice: keeps the gradients' scale of self-normalising nets
    if nonlinearity == "leaky_relu":
        slope = _leaky_slope(param)
        return math.sqrt(2.0 / (1 + slope * slope))
    raise ValueError(f"Unsupported nonlinearity {nonlinearity!r}: the argument 'nonlinearity' must "
                     f"be one of {', '.join(_NONLINEARITIES)}.")
