"""Small datasets generated in code (nothing is downloaded): for lessons, tests and benchmarks.

Each function takes an explicit ``seed`` and returns NumPy arrays ``(x, y)``, so a lesson sees the
same data on every machine.

>>> x, y = bars(8, size=12, seed=0)
>>> x.shape, y.shape, sorted(set(y.tolist()))
((8, 1, 12, 12), (8,), [0, 1])
>>> x, y = spiral(100, seed=0)
>>> x.shape, y.dtype
((100, 2), dtype('int32'))
"""

import numpy as np

from ._checks import is_int, is_real

__all__ = ["bars", "spiral"]


def _check(count, seed, minimum=1):
    if not is_int(count) or count < minimum:
        raise ValueError(f"The argument 'count' must be an int >= {minimum}, but got {count!r}.")
    if not is_int(seed) or seed < 0:
        raise ValueError(f"The argument 'seed' must be a non-negative int, but got {seed!r}.")


def bars(count, size=12, noise=0.3, seed=0):
    """Images of one bar, horizontal (label 0) or vertical (label 1), on a noisy background.

    Args:
        count (int): number of images. size (int): side in pixels (>= 4).
        noise (float): std of the Gaussian background noise. seed (int): the data's seed.

    Returns:
        x: float32 (count, 1, size, size); y: int32 (count,).

    Raises:
        ValueError: a non-positive count, a size below 4, a negative noise or seed.
    """
    _check(count, seed)
    if not is_int(size) or size < 4:
        raise ValueError(f"The argument 'size' must be an int >= 4, but got {size!r}.")
    if not is_real(noise) or not noise >= 0:
        raise ValueError(f"The argument 'noise' must be a number >= 0, but got {noise!r}.")
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, count).astype(np.int32)
    x = (noise * rng.standard_normal((count, 1, size, size))).astype(np.float32)
    where = rng.integers(1, size - 1, count)
    start = rng.integers(0, size // 2, count)
    for i in range(count):
        line = slice(start[i], start[i] + size // 2)
        if y[i] == 0:
            x[i, 0, where[i], line] += 1.0
        else:
            x[i, 0, line, where[i]] += 1.0
    return x, y


def spiral(count, turns=1.5, noise=0.1, seed=0):
    """Two interleaved spirals in the plane: points (count, 2) float32 and labels (count,) int32.

    Raises:
        ValueError: fewer than 2 points, non-positive turns, a negative noise or seed.
    """
    _check(count, seed, minimum=2)
    if not is_real(turns) or not turns > 0:
        raise ValueError(f"The argument 'turns' must be a positive number, but got {turns!r}.")
    if not is_real(noise) or not noise >= 0:
        raise ValueError(f"The argument 'noise' must be a number >= 0, but got {noise!r}.")
    rng = np.random.default_rng(seed)
    y = np.arange(count) % 2
    radius = rng.uniform(0.1, 1.0, count)
    angle = 2 * np.pi * turns * radius + np.pi * y
    points = np.stack([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    points += noise * rng.standard_normal(points.shape) * radius[:, None]
    return points.astype(np.float32), y.astype(np.int32)
