"""Check a gradient against finite differences: the test every new operation must pass.

``numerical_grad(fn, inputs, i)`` differentiates a scalar-valued ``fn`` by central differences,
``(f(x + h) - f(x - h)) / 2h`` for each element of input ``i``; ``gradcheck`` compares that with
``grad``. Use float64 inputs: with float32 the rounding error of the differences swamps the check.

>>> import numpy as np, sporelab as ms
>>> x = ms.Tensor(np.array([0.5, -1.0]))
>>> gradcheck(lambda x: (x * x * x).sum(), [x])
True
"""

import numpy as np

from ._grad import grad
from .tensor import Tensor

__all__ = ["numerical_grad", "gradcheck"]


def numerical_grad(fn, inputs, index, eps=1e-6):
    """Central-difference gradient of ``fn(*inputs).sum()`` with respect to ``inputs[index]``."""
    base = [t.asnumpy() for t in inputs]
    x = base[index]
    result = np.zeros_like(x, dtype=np.float64)
    for position in np.ndindex(x.shape):
        values = []
        for step in (eps, -eps):
            shifted = x.copy()
            shifted[position] += step
            args = [Tensor(shifted) if i == index else Tensor(b) for i, b in enumerate(base)]
            values.append(float(fn(*args).sum().asnumpy()))
        result[position] = (values[0] - values[1]) / (2 * eps)
    return result


def gradcheck(fn, inputs, rtol=1e-4, atol=1e-6, eps=1e-6):
    """True when ``grad`` of ``fn(*inputs).sum()`` matches finite differences for every input.

    Raises:
        AssertionError-free: returns False and does not raise, so it can be used in teaching cells;
        tests should ``assert gradcheck(...)`` or compare arrays themselves for a readable diff.
    """
    positions = tuple(range(len(inputs)))
    analytic = grad(lambda *args: fn(*args).sum(), grad_position=positions)(*inputs)
    for i, g in enumerate(analytic):
        if not np.allclose(g.asnumpy(), numerical_grad(fn, inputs, i, eps), rtol=rtol, atol=atol):
            return False
    return True
