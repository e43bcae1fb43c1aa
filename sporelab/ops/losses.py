"""Loss kernels. MSE and L1 are compositions of tensor ops (their gradients come from the tape);
softmax cross-entropy is one fused op, for numerical stability and a simple gradient.
"""

from .. import device as _device
from .. import dtype as mstype
from .._tape import record_op
from ..tensor import Tensor

__all__ = ["softmax_cross_entropy", "log_softmax"]


def _log_softmax(xp, z):
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=-1, keepdims=True))


def log_softmax(logits):
    """``log(softmax(logits))`` along the last axis, computed stably; differentiable."""
    xp = _device.array_module(logits.device)
    z = logits._array
    out = Tensor._wrap(_log_softmax(xp, z), logits.dtype, logits.device)
    probs = xp.exp(out._data)
    return record_op(out, (logits,), lambda g: (g - probs * g.sum(axis=-1, keepdims=True),), saved=())


def softmax_cross_entropy(logits, labels, sparse=False):
    """Per-sample cross-entropy :math:`\\ell_i = -\\sum_c y_{ic} \\log \\mathrm{softmax}(z_i)_c`.

    Args:
        logits (Tensor): (N, C) float scores.
        labels (Tensor): (N,) integer classes when ``sparse``, else (N, C) probabilities.

    Returns a Tensor of shape (N,). The gradient with respect to the logits is
    :math:`(\\mathrm{softmax}(z) - y)\\,g`.

    Raises:
        ValueError: shapes that do not fit; a class index outside [0, C).
        TypeError: integer labels expected for ``sparse=True``.
    """
    xp = _device.array_module(logits.device)
    if logits.ndim != 2 or not mstype.is_float(logits.dtype):
        raise ValueError(f"The argument 'logits' must be a 2-D float tensor (N, C), but got shape "
                         f"{logits.shape} and dtype {logits.dtype}.")
    n, classes = logits.shape
    targets = _targets(xp, labels, n, classes, sparse, logits.dtype)
    log_probs = _log_softmax(xp, logits._array)
    out = Tensor._wrap(-(targets * log_probs).sum(axis=-1), logits.dtype, logits.device)
    probs = xp.exp(log_probs)
    return record_op(out, (logits,), lambda g: ((probs - targets) * g[:, None],), saved=())


def _targets(xp, labels, n, classes, sparse, dtype):
    if not isinstance(labels, Tensor):
        raise TypeError(f"The argument 'labels' must be a Tensor, but got {type(labels).__name__}.")
    if not sparse:
        if labels.shape != (n, classes):
            raise ValueError(f"The argument 'labels' must have the logits' shape {(n, classes)} "
                             f"(one probability per class; or use sparse=True for class indices), "
                             f"but got {labels.shape}.")
        return labels._array.astype(dtype.nptype, copy=False)
    if not mstype.is_int(labels.dtype) or labels.shape != (n,):
        raise TypeError(f"With sparse=True the argument 'labels' must be {n} integer class indices of shape "
                        f"({n},), but got shape {labels.shape} and dtype {labels.dtype}.")
    index = labels._array
    if n and (int(index.min()) < 0 or int(index.max()) >= classes):
        raise ValueError(f"The argument 'labels' holds a class index outside [0, {classes}).")
    targets = xp.zeros((n, classes), dtype.nptype)
    targets[xp.arange(n), index] = 1
    return targets
