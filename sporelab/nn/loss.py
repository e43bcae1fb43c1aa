"""Loss cells: ``MSELoss``, ``L1Loss``, ``SoftmaxCrossEntropyWithLogits``.

>>> import numpy as np, sporelab as ms
>>> from sporelab import nn
>>> loss = nn.MSELoss()
>>> loss(ms.Tensor([1.0, 2.0]), ms.Tensor([0.0, 0.0]))
Tensor(shape=[], dtype=Float32, value= 2.5)
"""

from .._checks import check_bool
from ..ops import losses
from ..tensor import Tensor
from .cell import Cell

__all__ = ["LossBase", "MSELoss", "L1Loss", "SoftmaxCrossEntropyWithLogits"]

_REDUCTIONS = ("mean", "sum", "none")


class LossBase(Cell):
    """Base of the loss cells: ``get_loss(x)`` applies the reduction ('mean', 'sum' or 'none').

    Raises:
        ValueError: another ``reduction``.
    """

    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(f"The argument 'reduction' must be one of {list(_REDUCTIONS)}, but got {reduction!r}.")
        self.reduction = reduction

    def get_loss(self, x):
        if self.reduction == "mean":
            return x.mean()
        return x.sum() if self.reduction == "sum" else x

    def extend_repr(self):
        return f"reduction={self.reduction}"


def _pair(logits, labels, cell):
    for value, argument in ((logits, "logits"), (labels, "labels")):
        if not isinstance(value, Tensor):
            raise TypeError(f"For '{cell}', the argument '{argument}' must be a Tensor, "
                            f"but got {type(value).__name__}.")
    if logits.shape != labels.shape:
        raise ValueError(f"For '{cell}', 'logits' and 'labels' must have the same shape, but got "
                         f"{logits.shape} and {labels.shape}.")


class MSELoss(LossBase):
    """Mean squared error :math:`\\ell = \\mathrm{reduce}((x - y)^2)`."""

    def construct(self, logits, labels):
        _pair(logits, labels, "MSELoss")
        return self.get_loss((logits - labels).square())


class L1Loss(LossBase):
    """Mean absolute error :math:`\\ell = \\mathrm{reduce}(|x - y|)`."""

    def construct(self, logits, labels):
        _pair(logits, labels, "L1Loss")
        return self.get_loss(abs(logits - labels))


class SoftmaxCrossEntropyWithLogits(LossBase):
    """Cross-entropy of ``softmax(logits)`` against labels, per sample, then reduced.

    Args:
        sparse (bool): labels are class indices (N,) instead of probabilities (N, C).
        reduction (str): 'none' (default, as MindSpore), 'mean' or 'sum'.

    >>> ce = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction='mean')
    >>> round(ce(ms.Tensor([[0.0, 0.0]]), ms.Tensor([1], ms.int32)).item(), 4)
    0.6931
    """

    def __init__(self, sparse=False, reduction="none"):
        super().__init__(reduction)
        check_bool(sparse, "The argument 'sparse' must be bool", got="type")
        self.sparse = sparse

    def construct(self, logits, labels):
        if not isinstance(logits, Tensor):
            raise TypeError(f"The argument 'logits' must be a Tensor, but got {type(logits).__name__}.")
        return self.get_loss(losses.softmax_cross_entropy(logits, labels, self.sparse))

    def extend_repr(self):
        return f"sparse={self.sparse}, reduction={self.reduction}"
