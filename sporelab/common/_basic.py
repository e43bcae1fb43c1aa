"""Initializers that ignore the shape: constants, uniform, normal and truncated normal."""

import math
import numbers

import numpy as np

from .._checks import check_real
from ._base import Initializer, _check_real, _register
from ._sampling import NORMAL_REACH, _pick_sampler, truncated_reach, fill_normal, fill_truncated_normal, fill_uniform

__all__ = ["Zero", "One", "Constant", "Uniform", "Normal", "TruncatedNormal"]


@_register("zeros")
class Zero(Initializer):
    """Fills with 0. The usual choice for biases.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, Zero
        >>> initializer(Zero(), [2, 3], ms.float32).asnumpy().tolist()
        [[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
        >>> b = initializer('zeros', [3], ms.float32)
    """

    _exact = True

    def _initialize(self, arr, part=None):
        arr.fill(0)


@_register("ones")
class One(Initializer):
    """Fills with 1.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, One
        >>> initializer(One(), [3], ms.int32).asnumpy().tolist()
        [1, 1, 1]
        >>> w = initializer('ones', [2, 3], ms.float32)
    """

    _exact = True

    def _initialize(self, arr, part=None):
        arr.fill(1)


class Constant(Initializer):
    """Fills with one value. ``initializer(3, shape)`` builds a ``Constant(3)`` for you.

    The value is written straight into the target dtype (not through float32), so
    ``Constant(2**40 + 1)`` is exact in an Int64 tensor. There is no string alias: ``'constant'``
    cannot carry the value.

    Args:
        value (int, float, bool or complex): the value to fill with.

    Raises:
        TypeError: ``value`` is not a number; or (when filling) a complex value for a real tensor.
        ValueError: (when filling) the value does not fit the dtype, e.g. 300 in an Int8 tensor.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, Constant
        >>> initializer(Constant(3), [2], ms.float32).asnumpy().tolist()
        [3.0, 3.0]
        >>> initializer(3, [2], ms.int32).asnumpy().tolist()
        [3, 3]
    """

    _exact = True

    def __init__(self, value):
        if not isinstance(value, (numbers.Number, np.bool_)):
            raise TypeError(f"For Constant, the argument 'value' must be a number, but got {value!r} "
                            f"of type {type(value).__name__}. To start from given data, pass a Tensor "
                            f"to initializer() instead.")
        super().__init__(value=value)
        self.value = value

    def _initialize(self, arr, part=None):
        if arr.dtype.kind in "fc" and not _fits_float(self.value, arr.dtype):
            raise self._does_not_fit(arr.dtype)          # a finite value too large: refuse, not inf
        try:
            with np.errstate(over="ignore"):
                arr.fill(self.value)
        except TypeError:
            raise TypeError(f"For Constant, the complex value {self.value!r} cannot fill a tensor of "
                            f"the real dtype {arr.dtype}; use a complex dtype or a real value.") from None
        except (OverflowError, ValueError):
            raise self._does_not_fit(arr.dtype) from None

    def _does_not_fit(self, dtype):
        info = np.iinfo(dtype) if dtype.kind in "iu" else np.finfo(dtype)
        return ValueError(f"For Constant, the argument 'value' ({self.value!r}) does not fit the dtype "
                          f"{dtype} of the tensor, whose range is [{info.min:.8g}, {info.max:.8g}]; "
                          f"choose a value in its range or another dtype.")


def _fits_float(value, dtype):
    """False for a finite value that a float/complex ``dtype`` would turn into inf (inf and nan fit)."""
    try:
        parts = np.array([complex(value).real, complex(value).imag])
    except OverflowError:                      # an int beyond every float
        return False
    with np.errstate(over="ignore"):
        cast = parts.astype(np.finfo(dtype).dtype)
    return not (np.isinf(cast) & np.isfinite(parts)).any()


def _normal_extent(mean, std, work_dtype):
    """``(lo, hi, peak)`` of mean + z * std for every z the sampler of ``work_dtype`` can draw."""
    reach = NORMAL_REACH[np.dtype(work_dtype)] * std
    return mean - reach, mean + reach, abs(mean) + reach


@_register()
class Uniform(Initializer):
    r"""Fills with values drawn from :math:`\mathcal{U}(-\text{scale}, \text{scale})`.

    Every value lies in the closed interval ``[-scale, scale]`` (after rounding to float32 or
    float64; in float16 the bound itself may round outwards). The mean is 0 and the standard
    deviation :math:`\text{scale}/\sqrt{3}`.

    Args:
        scale (float): half the width of the interval. Default: 0.07 (MindSpore's and MXNet's).

    Raises:
        TypeError: ``scale`` is not a real number.
        ValueError: ``scale`` is negative or not finite.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, Uniform
        >>> w = initializer(Uniform(scale=0.1), [3, 4], ms.float32)
        >>> bool(abs(w.asnumpy()).max() <= 0.1)
        True
        >>> w = initializer('uniform', [3, 4], ms.float32)
    """

    _random = True

    def __init__(self, scale=0.07):
        scale = _check_real("Uniform", "scale", scale, minimum=0, why=" (it is half the interval's width)")
        super().__init__(scale=scale)
        self.scale = scale

    def _initialize(self, arr, part=None):
        fill_uniform(arr, self.scale, part)

    def _extent(self, shape, work_dtype):
        return -self.scale, self.scale, 2.0 * self.scale, {"scale": self.scale}


@_register()
class Normal(Initializer):
    r"""Fills with values drawn from the normal distribution :math:`\mathcal{N}(\text{mean}, \text{sigma}^2)`.

    The default N(0, 0.01^2) is the ``weight_init='normal'`` of r1.x layers. About 68 % of the
    values lie within one sigma of the mean, 95 % within two, 99.7 % within three.

    Args:
        sigma (float): the standard deviation, >= 0. Default: 0.01.
        mean (float): the mean. Default: 0.0.

    Raises:
        TypeError: ``sigma`` or ``mean`` is not a real number.
        ValueError: ``sigma`` is negative, or either is not finite.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, Normal
        >>> w = initializer(Normal(sigma=0.02, mean=0.0), [64, 3, 3, 3], ms.float32)
        >>> w = initializer('normal', [64, 3, 3, 3], ms.float32)
        >>> w.shape
        (64, 3, 3, 3)
    """

    _random = True

    def __init__(self, sigma=0.01, mean=0.0):
        sigma = _check_real("Normal", "sigma", sigma, minimum=0, why=" (it is a standard deviation)")
        mean = _check_real("Normal", "mean", mean)
        super().__init__(sigma=sigma, mean=mean)
        self.sigma, self.mean = sigma, mean

    def _initialize(self, arr, part=None):
        fill_normal(arr, self.mean, self.sigma, part)

    def _extent(self, shape, work_dtype):
        return (*_normal_extent(float(self.mean), float(self.sigma), work_dtype),
                {"mean": self.mean, "sigma": self.sigma})


def _check_bound(name, value):
    if value is None:
        return None
    check_real(value, f"For TruncatedNormal, the argument '{name}' must be None or a real number (an absolute "
                      f"bound; +-inf allowed)")
    try:
        bound = float(value)
    except OverflowError:          # an int beyond float range is an infinite bound in practice
        bound = math.inf if value > 0 else -math.inf
    if math.isnan(bound):
        raise ValueError(f"For TruncatedNormal, the argument '{name}' must be a number or +-inf, "
                         f"not NaN.")
    return bound


@_register("truncated_normal")
class TruncatedNormal(Initializer):
    r"""Fills with :math:`\mathcal{N}(\text{mean}, \text{sigma}^2)` values truncated to an interval.

    Values outside the interval are redrawn (not clipped), so the histogram is a bell curve with its
    tails cut off. Which interval depends on ``a`` and ``b``:

    * ``a`` and ``b`` unset (default): :math:`[\text{mean} - 2\,\text{sigma}, \text{mean} +
      2\,\text{sigma}]`, two standard deviations either side, as MindSpore r1.x (scipy) and
      TensorFlow do. The standard deviation of the result is about :math:`0.88\,\text{sigma}`.
    * ``a`` and ``b`` given: they are **absolute** bounds :math:`[a, b]`, as in MindSpore r2.x and
      PyTorch's ``trunc_normal_``. Note that with the tiny default sigma, ``a=-2, b=2`` cuts
      nothing: the values rarely leave :math:`\pm 0.05`.

    Sampling is by rejection (Robert 1995), which is exact and much faster than PyTorch's
    inverse-CDF route; it stays efficient even for an interval far in a tail.

    Args:
        sigma (float): the standard deviation before truncation, > 0. Default: 0.01.
        mean (float): the mean before truncation. Default: 0.0.
        a (float): the lower bound (absolute), or None. Default: None.
        b (float): the upper bound (absolute), or None. Default: None.

    Raises:
        TypeError: an argument is not a real number (``a``, ``b`` may also be None or infinite).
        ValueError: ``sigma`` <= 0; only one of ``a``, ``b`` given; ``a`` >= ``b``; an interval so
            far from the mean that no value can be drawn.

    Examples:
        >>> import sporelab as ms
        >>> from sporelab.common.initializer import initializer, TruncatedNormal
        >>> w = initializer(TruncatedNormal(sigma=0.02), [256, 128], ms.float32).asnumpy()
        >>> bool(abs(w).max() <= 0.04)
        True
        >>> w = initializer(TruncatedNormal(sigma=1.0, a=-1.0, b=3.0), [1000], ms.float32).asnumpy()
        >>> bool(w.min() >= -1.0 and w.max() <= 3.0)
        True
        >>> w = initializer('truncated_normal', [256, 128], ms.float32)
    """

    def __init__(self, sigma=0.01, mean=0.0, a=None, b=None):
        sigma = _check_real("TruncatedNormal", "sigma", sigma, minimum=0, strict=True,
                            why=" (it is a standard deviation)")
        mean = _check_real("TruncatedNormal", "mean", mean)
        a, b = _check_bound("a", a), _check_bound("b", b)
        if (a is None) != (b is None):
            raise ValueError("For TruncatedNormal, give both 'a' and 'b' (absolute bounds) or neither "
                             "(mean +- 2 sigma); for a one-sided cut use float('inf'), e.g. "
                             "a=0.0, b=float('inf').")
        if a is not None and not a < b:
            raise ValueError(f"For TruncatedNormal, the argument 'a' must be less than 'b', but got "
                             f"a={a!r}, b={b!r}.")
        super().__init__(sigma=sigma, mean=mean, a=a, b=b)
        self.sigma, self.mean, self.a, self.b = sigma, mean, a, b
        low, high = self._bounds()
        _pick_sampler((low - mean) / sigma, (high - mean) / sigma, np.dtype(np.float64))

    def _bounds(self):
        if self.a is None:
            return self.mean - 2 * self.sigma, self.mean + 2 * self.sigma
        return self.a, self.b

    _random = True

    def _initialize(self, arr, part=None):
        low, high = self._bounds()
        fill_truncated_normal(arr, self.mean, self.sigma, low, high, part)

    def _extent(self, shape, work_dtype):
        low, high = self._bounds()
        mean, sigma = float(self.mean), float(self.sigma)
        alpha, beta = (low - mean) / sigma, (high - mean) / sigma
        z_lo, z_hi = truncated_reach(alpha, beta, work_dtype)
        lo, hi = mean + z_lo * sigma, mean + z_hi * sigma
        arguments = {"mean": self.mean, "sigma": self.sigma}
        if self.a is not None:
            arguments.update(a=self.a, b=self.b)
        return lo, hi, max(abs(mean), sigma, abs(z_lo) * sigma, abs(z_hi) * sigma, abs(lo), abs(hi)), arguments
