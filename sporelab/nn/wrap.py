"""Training wrappers: ``WithLossCell`` (network + loss) and ``TrainOneStepCell`` (+ gradients and
an optimizer step), as in MindSpore.

>>> import numpy as np, sporelab as ms
>>> from sporelab import nn
>>> net = nn.Dense(2, 1)
>>> step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), nn.SGD(net.trainable_params(), 0.1))
>>> x, y = ms.Tensor(np.ones((4, 2), np.float32)), ms.Tensor(np.ones((4, 1), np.float32))
>>> first = step(x, y).item(); later = [step(x, y).item() for _ in range(20)][-1]
>>> later < first
True
"""

from .._grad import value_and_grad
from .._checks import is_real
from .cell import Cell
from .optim import Optimizer

__all__ = ["WithLossCell", "TrainOneStepCell"]


class WithLossCell(Cell):
    """``loss_fn(backbone(data), label)``.

    Raises:
        TypeError: ``backbone`` or ``loss_fn`` is not a Cell.
    """

    def __init__(self, backbone, loss_fn):
        super().__init__(auto_prefix=False)
        for value, argument in ((backbone, "backbone"), (loss_fn, "loss_fn")):
            if not isinstance(value, Cell):
                raise TypeError(f"The argument '{argument}' must be a Cell, but got {type(value).__name__}.")
        self._backbone = backbone
        self._loss_fn = loss_fn

    def construct(self, data, label):
        return self._loss_fn(self._backbone(data), label)

    @property
    def backbone_network(self):
        return self._backbone


def _grad_reducer(weights, ps_step):
    """MindSpore's wiring: a DistributedGradReducer in data_parallel and hybrid_parallel, else none.
    In parameter-server training it reduces among the workers only; the server has none."""
    from ..parallel import _auto_parallel_context as pctx
    pctx._check_trainable_mode()
    if not pctx._is_distributed() or (ps_step is not None and ps_step.is_server):
        return None
    from .grad_reducer import DistributedGradReducer
    if ps_step is not None:
        from ..parallel import _ps
        group = _ps.worker_group()
        degree = pctx._state["device_num"] if "device_num" in pctx._explicit else ps_step.workers
        return DistributedGradReducer(weights, pctx._get_gradients_mean(), degree, group=group)
    return DistributedGradReducer(weights, pctx._get_gradients_mean(), pctx._get_device_num())


def _ps_step(weights, optimizer):
    from ..parallel import _ps
    return _ps.ParameterServerStep(weights, optimizer) if _ps.ps_active(weights) else None


class TrainOneStepCell(Cell):
    """One training step: the loss, its gradients for ``optimizer.parameters``, the update.

    Calling it returns the loss before the update. In ``data_parallel`` and ``hybrid_parallel``
    (``set_auto_parallel_context``) the gradients pass through a ``DistributedGradReducer`` built
    with the context's ``gradients_mean`` and device number, as MindSpore wires it. With
    ``set_ps_context(enable_ps=True)`` and parameters marked ``set_param_ps()``, one call is one
    synchronous parameter-server step (``sporelab.parallel._ps``); on the server it takes no data
    and returns the workers' mean loss.

    Args:
        network (Cell): returns a scalar loss (typically a ``WithLossCell``).
        optimizer (Optimizer): built with the parameters to train.
        sens (float): scale of the head gradient (MindSpore's loss-scaling hook).

    Raises:
        TypeError: ``network`` not a Cell, ``optimizer`` not an Optimizer, ``sens`` not a number.
        NotImplementedError: parallel_mode 'semi_auto_parallel' or 'auto_parallel'.
        ValueError: ``parameter_broadcast=True`` in stand_alone mode.
    """

    def __init__(self, network, optimizer, sens=1.0):
        super().__init__(auto_prefix=False)
        if not isinstance(network, Cell):
            raise TypeError(f"The argument 'network' must be a Cell, but got {type(network).__name__}.")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"The argument 'optimizer' must be an nn Optimizer such as nn.SGD, "
                            f"but got {type(optimizer).__name__}.")
        if not is_real(sens):
            raise TypeError(f"The argument 'sens' must be a float, but got {type(sens).__name__}.")
        self.network = network
        self.optimizer = optimizer
        self.sens = float(sens)
        self.weights = tuple(optimizer.parameters)   # a plain tuple: the network already registers them
        self._value_and_grad = value_and_grad(lambda *a: network(*a) * self.sens, None, self.weights)
        self._ps = _ps_step(self.weights, optimizer)
        if self._ps is not None:
            from ..parallel import _ps
            _ps.worker_group()
        self.grad_reducer = _grad_reducer(self.weights, self._ps)

    def construct(self, *inputs):
        if self._ps is not None and self._ps.is_server:
            return self._ps.server_step()          # the server takes no data: it serves one step
        loss, grads = self._value_and_grad(*inputs)
        if self.grad_reducer is not None:
            grads = self.grad_reducer(grads)
        if self._ps is not None:
            self._ps.worker_step(loss, grads)
            return loss if self.sens == 1.0 else loss / self.sens
        self.optimizer(grads)
        return loss if self.sens == 1.0 else loss / self.sens
