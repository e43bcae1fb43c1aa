"""Batch normalization over the channel axis of NCHW input, and its backward.

For each channel c, over the N*H*W values of a batch::

    training:   y = gamma * (x - mean_B) / sqrt(var_B + eps) + beta     (var_B: biased batch variance)
    inference:  y = gamma * (x - moving_mean) / sqrt(moving_variance + eps) + beta

``batch_norm_train`` also returns the batch mean and the *unbiased* batch variance, which is what
the moving statistics are updated with (MindSpore's CPU/GPU BatchNorm kernels, cuDNN, and torch).

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab.ops import normalization
>>> x = ms.Tensor(np.array([1.0, 3.0], np.float32).reshape(2, 1, 1, 1))
>>> one, zero = ms.Tensor(np.ones(1, np.float32)), ms.Tensor(np.zeros(1, np.float32))
>>> y, mean, var = normalization.batch_norm_train(x, one, zero, 0.0)
>>> y.asnumpy().ravel().tolist(), mean.tolist(), var.tolist()
([-1.0, 1.0], [2.0], [2.0])
"""

from .._tape import record_op
from ..device import array_module
from ..tensor import Tensor

__all__ = ["batch_norm_train", "batch_norm_infer"]

_AXES = (0, 2, 3)


def _channel(v):
    return v.reshape(1, -1, 1, 1)


def batch_norm_train(x, gamma, beta, eps):
    """``(y, batch_mean, unbiased_batch_var)``: y a Tensor differentiable in x, gamma and beta;
    the statistics as backend arrays of shape (C,)."""
    xp = array_module(x.device)
    data, g_arr, b_arr = x._array, gamma._array, beta._array
    count = data.size // data.shape[1]
    mean = data.mean(axis=_AXES)
    centred = data - _channel(mean)
    var = (centred * centred).mean(axis=_AXES)
    inv_std = 1 / xp.sqrt(var + data.dtype.type(eps))
    normed = centred * _channel(inv_std)
    out = normed * _channel(g_arr) + _channel(b_arr)

    def backward(g):
        d_beta = g.sum(axis=_AXES)
        d_gamma = (g * normed).sum(axis=_AXES)
        d_x = _channel(g_arr * inv_std / count) * (count * g - _channel(d_beta) - normed * _channel(d_gamma))
        return d_x, d_gamma, d_beta
    result = record_op(Tensor._wrap(out, x.dtype, x.device), (x, gamma, beta), backward, saved=(x, gamma))
    unbiased = var * (count / (count - 1)) if count > 1 else var
    return result, mean, unbiased


def batch_norm_infer(x, gamma, beta, mean, var, eps):
    """y with the given statistics (backend arrays of shape (C,)), differentiable in x, gamma, beta."""
    xp = array_module(x.device)
    data, g_arr = x._array, gamma._array
    inv_std = 1 / xp.sqrt(var + data.dtype.type(eps))
    normed = (data - _channel(mean)) * _channel(inv_std)
    out = normed * _channel(g_arr) + _channel(beta._array)

    def backward(g):
        return g * _channel(g_arr * inv_std), (g * normed).sum(axis=_AXES), g.sum(axis=_AXES)
    return record_op(Tensor._wrap(out, x.dtype, x.device), (x, gamma, beta), backward, saved=(x, gamma))
