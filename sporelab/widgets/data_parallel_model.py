"""The model behind ``DataParallelExplorer``: one batch split among P workers, in one process.

A linear regression ``y = w . x + b`` (``nn.Dense(2, 1)``, mean-squared error) on a batch of B
samples. The batch is cut into P shards (``numpy.array_split``: equal when P divides B); each
"worker" computes the gradient of the mean loss on its shard with the engine, and the shards'
gradients are combined as ``DistributedGradReducer`` does: summed, then with ``mean`` scaled by
1/P. With equal shards and ``mean``, the result is the gradient of the whole batch; without
``mean`` it is P times that; with unequal shards the mean of the shards' means is not the batch's
mean.

>>> m = DataParallelModel(workers=4, batch=24)
>>> bool(m.gap() < 1e-6)
True
>>> m.set(mean=False)
>>> round(float(m.reduced()[0] / m.full()[0]), 3)
4.0
"""


import numpy as np

import sporelab as ms
from sporelab import nn
from sporelab._checks import check_bool, is_int

__all__ = ["DataParallelModel"]

MAX_WORKERS = 8


class DataParallelModel:
    """Per-worker gradients of one batch, and what the reducer makes of them.

    Args:
        workers (int): P, in [1, 8]. batch (int): B >= P. mean (bool): scale the sum by 1/P.
        seed (int): the batch's seed (a new batch: ``set(seed=seed + 1)``).

    Raises:
        TypeError: a non-int ``workers``/``batch``/``seed``, a non-bool ``mean``.
        ValueError: ``workers`` outside [1, 8]; ``batch`` below ``workers``; a negative seed.
    """

    def __init__(self, workers=2, batch=24, mean=True, seed=0):
        self.workers, self.batch, self.mean, self.seed = 2, 24, True, 0
        self._engine, self._cache = None, (None, None)
        self.set(workers=workers, batch=batch, mean=mean, seed=seed)

    def set(self, workers=None, batch=None, mean=None, seed=None):
        """Change any of the settings (a failed call changes nothing)."""
        new = {"workers": self.workers if workers is None else workers, "batch": self.batch if batch is None else batch,
               "mean": self.mean if mean is None else mean, "seed": self.seed if seed is None else seed}
        for key in ("workers", "batch", "seed"):
            if not is_int(new[key]):
                raise TypeError(f"The argument '{key}' must be an int, but got {type(new[key]).__name__}.")
        check_bool(new["mean"], "The argument 'mean' must be a bool", got="type")
        if not 1 <= new["workers"] <= MAX_WORKERS:
            raise ValueError(f"The argument 'workers' must be in [1, {MAX_WORKERS}], but got {new['workers']}.")
        if new["batch"] < new["workers"]:
            raise ValueError(f"The batch ({new['batch']}) must have at least one sample per worker ({new['workers']}).")
        if new["seed"] < 0:
            raise ValueError(f"The argument 'seed' must be >= 0, but got {new['seed']}.")
        self.workers, self.batch, self.mean, self.seed = (int(new["workers"]), int(new["batch"]), new["mean"],
                                                          int(new["seed"]))

    def data(self):
        rng = np.random.default_rng(self.seed)
        x = rng.standard_normal((self.batch, 2)).astype(np.float32)
        y = (x @ np.float32([[1.5], [-2.0]]) + 0.5 + 0.3 * rng.standard_normal((self.batch, 1))).astype(np.float32)
        return x, y

    def _gradient(self, x, y):
        if self._engine is None:                 # one network for every call: it is never updated
            net = nn.Dense(2, 1, weight_init=ms.Tensor(np.float32([[0.2, 0.4]])), bias_init="zeros")
            self._engine = ms.value_and_grad(nn.WithLossCell(net, nn.MSELoss()), None, [net.weight])
        grads = self._engine(ms.Tensor(x), ms.Tensor(y))[1]
        return grads[0].asnumpy().ravel()

    def _computed(self):
        """(each shard's gradient, the whole batch's), computed once per batch and split."""
        key = (self.workers, self.batch, self.seed)
        if self._cache[0] != key:
            x, y = self.data()
            shards = [self._gradient(x[idx], y[idx]) for idx in self.shards()]
            self._cache = (key, (shards, self._gradient(x, y)))
        return self._cache[1]

    def shards(self):
        """The sample indices of each worker."""
        return np.array_split(np.arange(self.batch), self.workers)

    def shard_gradients(self):
        """Each worker's gradient of its mean loss with respect to the two weights."""
        return [g.copy() for g in self._computed()[0]]

    def reduced(self):
        """The reducer's result: the sum over workers, times 1/P with ``mean``."""
        total = np.sum(self._computed()[0], axis=0)
        return total * np.float32(1.0 / self.workers) if self.mean else total

    def full(self):
        """The gradient of one process on the whole batch."""
        return self._computed()[1].copy()

    def gap(self):
        """max |reduced - full|."""
        return float(np.max(np.abs(self.reduced() - self.full())))

    def even(self):
        return self.batch % self.workers == 0
