"""``BatchNorm2d``: the layer that shows both kinds of Parameter, those that learn and those that don't.

``gamma`` and ``beta`` are trainable (the optimizer updates them from gradients). ``moving_mean``
and ``moving_variance`` are Parameters with ``requires_grad=False``: the layer itself updates them
in training (``set_train(True)``) and uses them after ``set_train(False)``. ``trainable_params()``
lists the first two, ``untrainable_params()`` the other two, ``get_parameters()`` all four.

Arguments, defaults and checks follow kungfu-team/mindspore, tag v1.5.0,
``mindspore/nn/layer/normalization.py`` (``_BatchNorm``, ``BatchNorm2d``)::

    moving = momentum * moving + (1 - momentum) * batch_statistic

(momentum 0.9 here is torch's momentum 0.1); the variance statistic is the unbiased batch variance.

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab import nn
>>> bn = nn.BatchNorm2d(2)
>>> [p.name for p in bn.trainable_params()], [p.name for p in bn.untrainable_params()]
(['gamma', 'beta'], ['moving_mean', 'moving_variance'])
>>> _ = bn.set_train()(ms.Tensor(np.arange(8, dtype=np.float32).reshape(2, 2, 1, 2)))
>>> print(bn.moving_mean.asnumpy().round(2))     # 0.1 * the batch means 2.5 and 4.5
[0.25 0.45]
"""

import numbers

from .._checks import is_int, is_real
from ..common.initializer import initializer
from ..errors import ArgumentTypeError
from ..ops import normalization
from ..parameter import Parameter
from ..tensor import Tensor
from .cell import Cell

__all__ = ["BatchNorm2d"]


def _check_args(num_features, eps, momentum, affine, use_batch_statistics, data_format):
    if not is_int(num_features):
        raise TypeError(f"For 'BatchNorm2d', the argument 'num_features' must be an int, but got "
                        f"{num_features!r} of type {type(num_features).__name__}.")
    if num_features < 1:
        raise ValueError(f"For 'BatchNorm2d', the argument 'num_features' must be at least 1, but got {num_features}.")
    for name, value, low_open in (("eps", eps, True), ("momentum", momentum, False)):
        if not is_real(value):
            raise TypeError(f"For 'BatchNorm2d', the argument '{name}' must be a float, but got "
                            f"{value!r} of type {type(value).__name__}.")
        if not (0 < value <= 1 if low_open else 0 <= value <= 1):
            interval = "(0, 1]" if low_open else "[0, 1]"
            raise ValueError(f"For 'BatchNorm2d', the argument '{name}' must be in {interval}, but got {value}.")
    if not isinstance(affine, bool):
        raise TypeError(f"For 'BatchNorm2d', the argument 'affine' must be a bool, but got {affine!r}.")
    if use_batch_statistics is not None and not isinstance(use_batch_statistics, bool):
        # MindSpore v1.5.0 raises ValueError here; ArgumentTypeError is both kinds.
        raise ArgumentTypeError(f"For 'BatchNorm2d', the argument 'use_batch_statistics' must be a bool or "
                                f"None, but got {use_batch_statistics!r}.")
    if data_format != "NCHW":
        raise ValueError(f"For 'BatchNorm2d', the argument 'data_format' must be 'NCHW' on this engine, "
                         f"but got {data_format!r}.")


def _statistic(init, num_features, name, requires_grad):
    if not isinstance(init, (str, numbers.Number, Tensor)) and not callable(init):
        raise TypeError(f"For 'BatchNorm2d', the argument '{name}_init' must be a str, a number, an "
                        f"Initializer or a Tensor, but got {type(init).__name__}.")
    try:
        return Parameter(initializer(init, [num_features]), name=name, requires_grad=requires_grad)
    except (KeyError, ValueError) as error:
        raise ValueError(f"For 'BatchNorm2d', the argument '{name}_init' is invalid: {error}") from None


class BatchNorm2d(Cell):
    """Batch normalization of (N, C, H, W) input, per channel.

    Args:
        num_features (int): C, the number of channels (>= 1).
        eps (float): added to the variance, in (0, 1]; default 1e-5.
        momentum (float): weight of the old moving statistic, in [0, 1]; default 0.9.
        affine (bool): whether gamma and beta learn (``requires_grad``); default True.
        gamma_init, beta_init, moving_mean_init, moving_var_init: initializers (name, number,
            Initializer or Tensor of shape (C,)); defaults 'ones', 'zeros', 'zeros', 'ones'.
        use_batch_statistics (bool or None): None (default): batch statistics in training,
            moving ones otherwise; True: always batch statistics (and update); False: always the
            moving statistics.
        data_format (str): 'NCHW'.

    Raises:
        TypeError: arguments of the wrong type; input that is not a float Tensor.
        ValueError: out-of-range arguments; input that is not 4-D with C channels.
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.9, affine=True, gamma_init="ones", beta_init="zeros",
                 moving_mean_init="zeros", moving_var_init="ones", use_batch_statistics=None, data_format="NCHW"):
        _check_args(num_features, eps, momentum, affine, use_batch_statistics, data_format)
        super().__init__()
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), float(momentum)
        self.use_batch_statistics, self.format = use_batch_statistics, data_format
        self.moving_mean = _statistic(moving_mean_init, num_features, "moving_mean", False)
        self.moving_variance = _statistic(moving_var_init, num_features, "moving_variance", False)
        self.gamma = _statistic(gamma_init, num_features, "gamma", affine)
        self.beta = _statistic(beta_init, num_features, "beta", affine)

    def extend_repr(self):
        return (f"num_features={self.num_features}, eps={self.eps}, momentum={1.0 - self.momentum}, "
                f"gamma={self.gamma}, beta={self.beta}, moving_mean={self.moving_mean}, "
                f"moving_variance={self.moving_variance}")

    def _check_input(self, x):
        if not isinstance(x, Tensor) or x.dtype.kind != "f":
            what = f"dtype {x.dtype}" if isinstance(x, Tensor) else type(x).__name__
            raise TypeError(f"For 'BatchNorm2d', the input 'x' must be a float Tensor, but got {what}.")
        if x.ndim != 4 or x.shape[1] != self.num_features:
            raise ValueError(f"For 'BatchNorm2d', the input 'x' must have shape (N, {self.num_features}, H, W), "
                             f"but got {x.shape}.")

    def construct(self, x):
        self._check_input(x)
        use_batch = self.training if self.use_batch_statistics is None else self.use_batch_statistics
        if not use_batch:
            return normalization.batch_norm_infer(x, self.gamma, self.beta, self.moving_mean._array,
                                                  self.moving_variance._array, self.eps)
        if x.size == x.shape[1]:
            raise ValueError(f"For 'BatchNorm2d', training needs more than one value per channel, but got "
                             f"input of shape {x.shape}.")
        y, mean, var = normalization.batch_norm_train(x, self.gamma, self.beta, self.eps)
        keep = self.momentum
        for moving, batch in ((self.moving_mean, mean), (self.moving_variance, var)):
            updated = keep * moving._array + (1 - keep) * batch.astype(moving._array.dtype)
            moving._write(updated.astype(moving._array.dtype), "BatchNorm2d's moving statistics update")
        return y
