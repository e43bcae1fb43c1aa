"""Initializers scaled by the weight's fans: Xavier (Glorot), He (Kaiming) and VarianceScaling.

Their spread is computed from the shape when the tensor is created, so the same object gives a
narrower distribution to a wider layer. They need a weight of at least 2 dimensions.
"""

import math

from ._base import Initializer, _check_choice, _check_real, _register, _whole_shape
from ._fan import _NONLINEARITIES, _calculate_correct_fan, _calculate_fan_in_and_fan_out, calculate_gain
from ._basic import _normal_extent
from ._sampling import fill_normal, fill_truncated_normal, fill_uniform

__all__ = ["XavierUniform", "XavierNormal", "HeUniform", "HeNormal", "VarianceScaling"]

# Standard deviation of N(0, 1) truncated to [-2, 2]: dividing by it restores the wanted variance.
_TRUNCATED_STD = 0.87962566103423978


class _XavierBase(Initializer):
    """The ``gain`` argument both Xavier initializers take (validated once, here)."""

    _random = True

    def __init__(self, gain=1):
        gain = _check_real(type(self).__name__, "gain", gain, minimum=0)
        super().__init__(gain=gain)
        self.gain = gain


@_register("xavier_uniform")
class XavierUniform(_XavierBase):
    r"""Fills with :math:`\mathcal{U}(-\text{bound}, \text{bound})`, Glorot & Bengio (2010).

    .. math::
        \text{bound} = \text{gain} \times \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}}

    Glorot and Bengio ("Understanding the difficulty of training deep feedforward neural networks",
    AISTATS 2010) chose the variance :math:`2 / (\text{fan\_in} + \text{fan\_out})` as a compromise
    between keeping the forward signal and the backward gradients at a constant scale, for
    symmetric activations such as tanh. Same as ``torch.nn.init.xavier_uniform_``.

    Args:
        gain (float): a scaling factor, >= 0 (see ``calculate_gain``). Default: 1.

    Raises:
        TypeError: ``gain`` is not a real number.
        ValueError: ``gain`` is negative; (when creating the data) fewer than 2 dimensions.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, XavierUniform
        >>> w = initializer(XavierUniform(), [64, 3, 3, 3], ms.float32)
        >>> w = initializer('xavier_uniform', [64, 3, 3, 3], ms.float32)
    """

    def _initialize(self, arr, part=None):
        fill_uniform(arr, self._bound(_whole_shape(arr, part)), part)

    def _bound(self, shape):
        fan_in, fan_out = _calculate_fan_in_and_fan_out(shape)
        return self.gain * math.sqrt(6.0 / (fan_in + fan_out))

    def _extent(self, shape, work_dtype):
        bound = self._bound(shape)
        return -bound, bound, 2.0 * bound, {"gain": self.gain}


@_register("xavier_normal")
class XavierNormal(_XavierBase):
    r"""Fills with :math:`\mathcal{N}(0, \text{std}^2)`, Glorot & Bengio (2010).

    .. math::
        \text{std} = \text{gain} \times \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}

    The normal twin of ``XavierUniform``: the same variance. Same as
    ``torch.nn.init.xavier_normal_``.

    Args:
        gain (float): a scaling factor, >= 0. Default: 1.

    Raises:
        TypeError: ``gain`` is not a real number.
        ValueError: ``gain`` is negative; (when creating the data) fewer than 2 dimensions.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, XavierNormal
        >>> w = initializer(XavierNormal(), [64, 3, 3, 3], ms.float32)
        >>> w = initializer('xavier_normal', [64, 3, 3, 3], ms.float32)
    """

    def _initialize(self, arr, part=None):
        fill_normal(arr, 0.0, self._std(_whole_shape(arr, part)), part)

    def _std(self, shape):
        fan_in, fan_out = _calculate_fan_in_and_fan_out(shape)
        return self.gain * math.sqrt(2.0 / (fan_in + fan_out))

    def _extent(self, shape, work_dtype):
        return (*_normal_extent(0.0, self._std(shape), work_dtype), {"gain": self.gain})


class _HeBase(Initializer):
    _random = True

    def __init__(self, negative_slope=0, mode="fan_in", nonlinearity="leaky_relu"):
        owner = type(self).__name__
        negative_slope = _check_real(owner, "negative_slope", negative_slope)
        mode = _check_choice(owner, "mode", mode, ("fan_in", "fan_out"), lower=True)
        nonlinearity = _check_choice(owner, "nonlinearity", nonlinearity, _NONLINEARITIES)
        super().__init__(negative_slope=negative_slope, mode=mode, nonlinearity=nonlinearity)
        self.negative_slope, self.mode, self.nonlinearity = negative_slope, mode, nonlinearity

    def _std(self, shape):
        fan = _calculate_correct_fan(shape, self.mode)
        return calculate_gain(self.nonlinearity, self.negative_slope) / math.sqrt(fan)


@_register("he_uniform")
class HeUniform(_HeBase):
    r"""Fills with :math:`\mathcal{U}(-\text{bound}, \text{bound})`, He et al. (2015).

    .. math::
        \text{bound} = \sqrt{3} \times \frac{\text{gain}}{\sqrt{\text{fan\_mode}}},
        \qquad \text{gain} = \text{calculate\_gain}(\text{nonlinearity}, \text{negative\_slope})

    He, Zhang, Ren and Sun ("Delving Deep into Rectifiers", ICCV 2015) showed that a ReLU halves
    the variance, so the weights need variance :math:`2 / \text{fan\_in}` to keep the signal's
    scale through a deep rectifier network. With the defaults (leaky_relu of slope 0, that is
    ReLU) the bound is :math:`\sqrt{6 / \text{fan\_in}}`. ``HeUniform(math.sqrt(5))`` gives
    :math:`1/\sqrt{\text{fan\_in}}`, the default of PyTorch's and MindSpore r2.1+'s Dense and Conv.
    Same as ``torch.nn.init.kaiming_uniform_`` (its ``a`` is our ``negative_slope``).

    Args:
        negative_slope (float): the slope of the leaky ReLU after this layer (used only with
            'leaky_relu'). Default: 0.
        mode (str): 'fan_in' keeps the forward signal's variance, 'fan_out' the backward
            gradients'. Case-insensitive. Default: 'fan_in'.
        nonlinearity (str): the activation after this layer, one of ``calculate_gain``'s names;
            'relu' or 'leaky_relu' are what He was designed for. Default: 'leaky_relu'.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: an unknown ``mode`` or ``nonlinearity``; (when creating the data) fewer than
            2 dimensions.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, HeUniform
        >>> w = initializer(HeUniform(), [64, 3, 3, 3], ms.float32)
        >>> bool(abs(w.asnumpy()).max() <= (6 / 27) ** 0.5)
        True
        >>> w = initializer('he_uniform', [64, 3, 3, 3], ms.float32)
    """

    def _initialize(self, arr, part=None):
        fill_uniform(arr, math.sqrt(3.0) * self._std(_whole_shape(arr, part)), part)

    def _extent(self, shape, work_dtype):
        bound = math.sqrt(3.0) * self._std(shape)
        return -bound, bound, 2.0 * bound, {"negative_slope": self.negative_slope}


@_register("he_normal")
class HeNormal(_HeBase):
    r"""Fills with :math:`\mathcal{N}(0, \text{std}^2)`, He et al. (2015).

    .. math::
        \text{std} = \frac{\text{gain}}{\sqrt{\text{fan\_mode}}},
        \qquad \text{gain} = \text{calculate\_gain}(\text{nonlinearity}, \text{negative\_slope})

    The normal twin of ``HeUniform`` (same variance; see there for the reasoning). With the
    defaults :math:`\text{std} = \sqrt{2 / \text{fan\_in}}`. Same as
    ``torch.nn.init.kaiming_normal_``.

    Args:
        negative_slope (float): the slope of the leaky ReLU after this layer. Default: 0.
        mode (str): 'fan_in' or 'fan_out' (case-insensitive). Default: 'fan_in'.
        nonlinearity (str): the activation after this layer. Default: 'leaky_relu'.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: an unknown ``mode`` or ``nonlinearity``; (when creating the data) fewer than
            2 dimensions.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, HeNormal
        >>> w = initializer(HeNormal(mode='fan_out', nonlinearity='relu'), [64, 3, 3, 3], ms.float32)
        >>> w = initializer('he_normal', [64, 3, 3, 3], ms.float32)
    """

    def _initialize(self, arr, part=None):
        fill_normal(arr, 0.0, self._std(_whole_shape(arr, part)), part)

    def _extent(self, shape, work_dtype):
        return (*_normal_extent(0.0, self._std(shape), work_dtype), {"negative_slope": self.negative_slope})


@_register("variance_scaling")
class VarianceScaling(Initializer):
    r"""Fills with a zero-mean distribution of variance :math:`\text{scale} / n` (TensorFlow's family).

    :math:`n` is ``fan_in``, ``fan_out`` or their average (``mode``); the distribution is

    * ``'truncated_normal'``: a normal truncated at two of its standard deviations, with the
      standard deviation :math:`\sqrt{\text{scale}/n} / 0.8796` so that the variance *after*
      truncation is :math:`\text{scale}/n` (TensorFlow/Keras do the same). MindSpore's snapshot
      falls through to the uniform branch here (it tests for ``'truncated_norm'``); that is a bug
      sporelab does not copy.
    * ``'untruncated_normal'``: :math:`\mathcal{N}(0, \text{scale}/n)`.
    * ``'uniform'``: :math:`\mathcal{U}(\pm\sqrt{3\,\text{scale}/n})`.

    It contains the others: scale 1, 'fan_avg', 'uniform' is Glorot's uniform; scale 2, 'fan_in',
    'untruncated_normal' is He's normal.

    Args:
        scale (float): the variance factor, > 0. Default: 1.0.
        mode (str): 'fan_in', 'fan_out' or 'fan_avg' (case-insensitive). Default: 'fan_in'.
        distribution (str): 'truncated_normal', 'untruncated_normal' or 'uniform'
            (case-insensitive). Default: 'truncated_normal'.

    Raises:
        TypeError: an argument of the wrong type.
        ValueError: ``scale`` <= 0; an unknown ``mode`` or ``distribution``; (when creating the
            data) fewer than 2 dimensions.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, VarianceScaling
        >>> w = initializer(VarianceScaling(scale=2.0, mode='fan_in', distribution='untruncated_normal'),
        ...                 [64, 3, 3, 3], ms.float32)
        >>> w = initializer('variance_scaling', [64, 3, 3, 3], ms.float32)
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal"):
        owner = "VarianceScaling"
        scale = _check_real(owner, "scale", scale, minimum=0, strict=True)
        mode = _check_choice(owner, "mode", mode, ("fan_in", "fan_out", "fan_avg"), lower=True)
        distribution = _check_choice(owner, "distribution", distribution,
                                     ("truncated_normal", "untruncated_normal", "uniform"), lower=True)
        super().__init__(scale=scale, mode=mode, distribution=distribution)
        self.scale, self.mode, self.distribution = scale, mode, distribution

    _random = True

    def _initialize(self, arr, part=None):
        spread = self._spread(_whole_shape(arr, part))
        if self.distribution == "uniform":
            fill_uniform(arr, spread, part)
        elif self.distribution == "untruncated_normal":
            fill_normal(arr, 0.0, spread, part)
        else:
            fill_truncated_normal(arr, 0.0, spread, -2 * spread, 2 * spread, part)

    def _spread(self, shape):
        """The uniform bound, or the standard deviation of the (truncated) normal."""
        fan_in, fan_out = _calculate_fan_in_and_fan_out(shape)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[self.mode]
        variance = self.scale / max(1.0, n)
        if self.distribution == "uniform":
            return math.sqrt(3.0 * variance)
        if self.distribution == "untruncated_normal":
            return math.sqrt(variance)
        return math.sqrt(variance) / _TRUNCATED_STD

    def _extent(self, shape, work_dtype):
        spread = self._spread(shape)
        if self.distribution == "untruncated_normal":
            return (*_normal_extent(0.0, spread, work_dtype), {"scale": self.scale})
        bound = spread if self.distribution == "uniform" else 2 * spread
        return -bound, bound, 2.0 * bound, {"scale": self.scale}
