"""``DistributedGradReducer``: MindSpore's gradient aggregation for data-parallel training.

For each parameter, in the order given:

* ``layerwise_parallel=True`` (or ``is_in_shard``): the gradient is this rank's own, untouched:
  neither all-reduced nor scaled;
* a parameter-server parameter (``set_param_ps()``): untouched too; the optimizer pushes it to
  the server, which averages over workers;
* every other gradient is summed over the ranks of ``group`` and, with ``mean``, multiplied by
  ``1/degree``: :math:`g \\leftarrow \\frac{1}{d} \\sum_{r=1}^{P} g_r`.

With the loss a mean over the batch and every rank holding ``B/P`` samples, the mean over
``degree = P`` ranks equals the gradient of one process on all ``B`` samples.

Gradients travel in their own dtype (float16 is summed in float32); MindSpore casts every
gradient to float32 for the wire, which would make float64 training lossy. See docs/DESIGN-notes.md.

>>> import sporelab as ms
>>> from sporelab import nn
>>> from sporelab.communication import init
>>> init()
>>> w = ms.Parameter(ms.Tensor([1.0, 2.0]), name="w")
>>> reducer = nn.DistributedGradReducer([w], mean=True, degree=1)
>>> reducer((ms.Tensor([0.5, 0.5]),))
(Tensor(shape=[2], dtype=Float32, value=
[0.5, 0.5]),)
"""

from .. import device as _device
from .._checks import check_bool
from ..communication import _collectives, management
from ..parameter import Parameter
from ..tensor import Tensor
from .cell import Cell

__all__ = ["DistributedGradReducer"]


def _check_parameters(parameters):
    if isinstance(parameters, (Tensor, str, bytes, dict)) or not hasattr(parameters, "__iter__"):
        raise TypeError(f"For 'DistributedGradReducer', the argument 'parameters' must be a list or tuple of "
                        f"Parameters (e.g. net.trainable_params()), but got {type(parameters).__name__}.")
    parameters = tuple(parameters)
    for i, p in enumerate(parameters):
        if not isinstance(p, Parameter):
            raise TypeError(f"For 'DistributedGradReducer', the argument 'parameters' must hold Parameters, "
                            f"but element {i} is a {type(p).__name__}.")
    return parameters


def _check_degree(degree):
    if degree is None:
        return management.get_group_size()
    if isinstance(degree, bool) or not isinstance(degree, int) or degree <= 0:
        raise ValueError(f"For 'DistributedGradReducer', parameter 'degree' in DistributedGradReducer should "
                         f"large than 0 and be int, degree: {degree}.")
    return int(degree)


class DistributedGradReducer(Cell):
    """All-reduce gradients across the ranks of ``group`` (see the module text for the rules).

    Args:
        parameters: the parameters whose gradients will be passed, in that order.
        mean (bool): scale the sum by ``1/degree``. None (default, MindSpore r1.10+) reads
            ``get_auto_parallel_context('gradients_mean')``, which defaults to False.
        degree (int): the divisor of the mean; None means the size of ``group``.
        fusion_type (int): accepted for compatibility (messages are always fused per dtype).
        group (str): the communication group (the world by default).

    Raises:
        TypeError: ``parameters`` not Parameters; ``mean`` not a bool or None; gradients not a
            tuple of Tensors.
        ValueError: ``degree`` not a positive int; a gradient count or shape that does not match.
        RuntimeError: ``communication.init()`` not called.
    """

    def __init__(self, parameters, mean=None, degree=None, fusion_type=1,
                 group=management.GlobalComm.WORLD_COMM_GROUP):
        super().__init__(auto_prefix=False)
        parameters = _check_parameters(parameters)
        if mean is not None:
            check_bool(mean, "For 'DistributedGradReducer', the argument 'mean' must be a bool or None", got="type")
        if not isinstance(group, str):
            raise TypeError(f"For 'DistributedGradReducer', the argument 'group' must be a str, but got "
                            f"{type(group).__name__}.")
        if mean is None:
            from ..parallel._auto_parallel_context import _get_gradients_mean
            mean = _get_gradients_mean()
        self._comm = management._member_comm("DistributedGradReducer", group)
        self.degree = _check_degree(degree)
        self.mean, self.group = mean, group
        self._shapes = tuple(p.shape for p in parameters)
        self._names = tuple(p.name for p in parameters)
        self.allreduce_filter = tuple(not p.layerwise_parallel and not getattr(p, "is_in_shard", False)
                                      for p in parameters)
        self.ps_parameters = tuple(getattr(p, "is_param_ps", False) for p in parameters)

    def extend_repr(self):
        return f"mean={self.mean}, degree={self.degree}, group={self.group}"

    def construct(self, grads):
        grads = self._check_grads(grads)
        chosen = [i for i, g in enumerate(grads)
                  if g is not None and self.allreduce_filter[i] and not self.ps_parameters[i]]
        summed = _collectives.allreduce_many([grads[i]._array for i in chosen], self._comm)
        result = list(grads)
        for i, array in zip(chosen, summed):
            g = grads[i]
            if self.mean:
                array = array * array.dtype.type(1.0 / self.degree)   # the reciprocal in the gradient's dtype
            result[i] = Tensor._wrap(_device.to_device(array, g.device), g.dtype, g.device)
        return tuple(result)

    def _check_grads(self, grads):
        if not isinstance(grads, (tuple, list)):
            raise TypeError(f"For 'DistributedGradReducer', the gradients must be a tuple of Tensors, but got "
                            f"{type(grads).__name__}.")
        if len(grads) != len(self._shapes):
            raise ValueError(f"For 'DistributedGradReducer', got {len(grads)} gradients for {len(self._shapes)} "
                             f"parameters.")
        for g, shape, name in zip(grads, self._shapes, self._names):
            if g is not None and (not isinstance(g, Tensor) or g.shape != shape):
                got = g.shape if isinstance(g, Tensor) else type(g).__name__
                raise ValueError(f"For 'DistributedGradReducer', the gradient of '{name}' must be a Tensor of "
                                 f"shape {shape}, but got {got}.")
        return tuple(grads)
