"""``nd.random.uniform`` and ``nd.random.normal``, drawn from sporelab's seeded generator.

``mx.random.seed`` is ``sporelab.set_seed`` here: the same seed gives the same draws (not MXNet's
numbers: the generator differs). Signatures follow MXNet 1.9.1 (apache/mxnet, tag 1.9.1,
python/mxnet/ndarray/random.py).

>>> import sporelab as mx
>>> mx.set_seed(0)
>>> x = mx.nd.random.uniform(-1, 1, shape=(2, 3))
>>> x.shape, x.dtype, bool((x.asnumpy() >= -1).all() and (x.asnumpy() < 1).all())
((2, 3), Float32, True)
"""

import numbers

from .. import random as _random
from . import _common
from ._creation import _into

__all__ = ["uniform", "normal"]


def _real(value, argument, func):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"For 'nd.random.{func}', the argument '{argument}' must be a real number, but got "
                        f"{type(value).__name__}.")
    return float(value)


def _draw(func, sample, shape, dtype, ctx, out):
    shape = _common.shape((1,) if shape is None else shape, f"random.{func}")
    dtype = _common.dtype(dtype, f"random.{func}")
    if dtype.kind != "f":
        raise TypeError(f"For 'nd.random.{func}', the argument 'dtype' must be a float dtype, but got {dtype}.")
    ctx = _common.context(ctx, f"random.{func}")
    return _into(out, _common.place(sample(_random.generator(), shape), dtype, ctx), f"random.{func}")


def uniform(low=0, high=1, shape=None, dtype=None, ctx=None, out=None):
    """Samples from the uniform distribution on ``[low, high)`` (float32, shape ``(1,)`` by default)."""
    low, high = _real(low, "low", "uniform"), _real(high, "high", "uniform")
    return _draw("uniform", lambda gen, s: gen.uniform(low, high, s), shape, dtype, ctx, out)


def normal(loc=0, scale=1, shape=None, dtype=None, ctx=None, out=None):
    """Samples from the normal distribution N(``loc``, ``scale``²).

    Raises:
        ValueError: ``scale`` < 0.
    """
    loc, scale = _real(loc, "loc", "normal"), _real(scale, "scale", "normal")
    if scale < 0:
        raise ValueError(f"For 'nd.random.normal', the argument 'scale' must be >= 0, but got {scale}.")
    return _draw("normal", lambda gen, s: gen.normal(loc, scale, s), shape, dtype, ctx, out)
