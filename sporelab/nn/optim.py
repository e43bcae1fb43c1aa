"""MindSpore-style optimizers: ``optimizer(grads)`` updates the parameters it was built with.

``grads`` is a tuple aligned with ``optimizer.parameters`` (what ``ms.grad(..., weights=...)``
returns); a None gradient (a frozen parameter) leaves that parameter alone. Parameter groups give
some parameters their own learning rate or weight decay::

    opt = nn.Momentum([{'params': net.conv.trainable_params(), 'weight_decay': 0.01},
                       {'params': net.fc.trainable_params(), 'lr': 0.001}],
                      learning_rate=0.1, momentum=0.9)

>>> import sporelab as ms
>>> from sporelab import nn
>>> w = ms.Parameter(ms.Tensor([1.0, 2.0]), name="w")
>>> opt = nn.SGD([w], learning_rate=0.5)
>>> _ = opt((ms.Tensor([1.0, 1.0]),))
>>> w.asnumpy()
array([0.5, 1.5], dtype=float32)
"""


from .. import device as _device
from .._checks import check_bool, check_real
from ..errors import ArgumentTypeError
from ..ops import updates
from ..parameter import Parameter, ParameterTuple
from ..tensor import Tensor

__all__ = ["Optimizer", "SGD", "Momentum", "Adam"]

_GROUP_KEYS = ("params", "lr", "weight_decay", "order_params")


def _check_number(value, argument, low=0.0, high=None, include_low=True):
    if isinstance(value, Tensor) and value.size == 1:
        value = value.item()
    check_real(value, f"The argument '{argument}' must be a float", got="type")
    too_low = value < low if include_low else value <= low
    if too_low or value != value:
        raise ValueError(f"The argument '{argument}' must be {'>=' if include_low else '>'} {low}, but got {value}.")
    if high is not None and value > high:
        raise ValueError(f"The argument '{argument}' must be <= {high}, but got {value}.")
    return float(value)


def _check_params(params, argument="params"):
    params = list(params) if not isinstance(params, Parameter) else [params]
    for i, p in enumerate(params):
        if not isinstance(p, Parameter):
            raise TypeError(f"The argument '{argument}' must hold Parameters (e.g. net.trainable_params()), "
                            f"but element {i} is a {type(p).__name__}.")
    if not params:
        raise ValueError(f"The argument '{argument}' is empty: give the optimizer the parameters to train.")
    return params


class Optimizer:
    """Base class: holds the parameters, their groups' hyper-parameters and per-parameter state.

    Subclasses implement ``_update(w, g, state, lr, weight_decay, xp) -> (w, state)`` on arrays.

    Raises:
        TypeError: ``parameters`` not Parameters (or dicts of groups); non-numeric hyper-parameters.
        ValueError: an empty parameter list; a negative learning rate or weight decay; an unknown
            group key; a parameter in two groups.
    """

    def __init__(self, learning_rate, parameters, weight_decay=0.0):
        if isinstance(parameters, (str, bytes)) or not hasattr(parameters, "__iter__"):
            # MindSpore v1.5.0 (nn/optim/optimizer.py) raises ValueError for SGD(None): both catch this.
            raise ArgumentTypeError(f"The argument 'params' must be a list of Parameters or of group dicts, "
                            f"but got {type(parameters).__name__}.")
        self.learning_rate = _check_number(learning_rate, "learning_rate")
        self.weight_decay = _check_number(weight_decay, "weight_decay")
        self._groups = self._build_groups(list(parameters))
        self.parameters = ParameterTuple([p for group in self._groups for p in group["params"]])
        self._states = [None] * len(self.parameters)

    def _build_groups(self, items):
        if not items or not all(isinstance(item, dict) for item in items):
            return [{"params": _check_params(items), "lr": self.learning_rate, "weight_decay": self.weight_decay}]
        groups, order = [], None
        for item in items:
            unknown = set(item) - set(_GROUP_KEYS)
            if unknown:
                raise ValueError(f"Unknown key(s) {sorted(unknown)} in a parameter group; "
                                 f"allowed are {list(_GROUP_KEYS)}.")
            if "order_params" in item:
                order = _check_params(item["order_params"], "order_params")
                continue
            groups.append({"params": _check_params(item.get("params", ()), "params"),
                           "lr": _check_number(item.get("lr", self.learning_rate), "lr"),
                           "weight_decay": _check_number(item.get("weight_decay", self.weight_decay), "weight_decay")})
        return self._ordered(groups, order)

    @staticmethod
    def _ordered(groups, order):
        seen = {}
        for group in groups:
            for p in group["params"]:
                if id(p) in seen:
                    raise ValueError(f"Parameter '{p.name}' appears in two parameter groups.")
                seen[id(p)] = group
        if order is None:
            return groups
        return [{**seen[id(p)], "params": [p]} for p in order if id(p) in seen]

    def get_lr(self):
        return self.learning_rate

    def _hyper(self):
        for group in self._groups:
            for _ in group["params"]:
                yield group["lr"], group["weight_decay"]

    def __call__(self, gradients):
        """Apply one update; return True (as MindSpore's optimizers do)."""
        gradients = self._check_gradients(gradients)
        updates_ = []
        for i, (param, g, (lr, wd)) in enumerate(zip(self.parameters, gradients, self._hyper())):
            if g is None:
                continue
            xp = _device.array_module(param.device)
            w, state = self._update(param._array, g._array.astype(param.dtype.nptype, copy=False),
                                    self._states[i], lr, wd, xp)
            updates_.append((i, param, w, state))
        for i, param, w, state in updates_:      # all computed first: a failure changes nothing
            param._write(w.astype(param.dtype.nptype, copy=False), f"{type(self).__name__}'s update step")
            self._states[i] = state
        return True

    construct = __call__

    def _check_gradients(self, gradients):
        if isinstance(gradients, Tensor) or not isinstance(gradients, (list, tuple)):
            raise TypeError(f"The argument 'gradients' must be a tuple of Tensors aligned with "
                            f"optimizer.parameters, but got {type(gradients).__name__}.")
        if len(gradients) != len(self.parameters):
            raise ValueError(f"The argument 'gradients' has {len(gradients)} entries but the optimizer "
                             f"has {len(self.parameters)} parameters.")
        for g, p in zip(gradients, self.parameters):
            if g is not None and (not isinstance(g, Tensor) or g.shape != p.shape):
                got = g.shape if isinstance(g, Tensor) else type(g).__name__
                raise ValueError(f"The gradient for parameter '{p.name}' must be a Tensor of shape {p.shape}, "
                                 f"but got {got}.")
            if g is not None and g.device != p.device:
                raise ValueError(f"The gradient for parameter '{p.name}' is on {g.device} but the parameter is on "
                                 f"{p.device}; compute the gradients where the parameters live.")
        return gradients


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, dampening and Nesterov momentum.

    Args:
        params: Parameters or parameter groups.
        learning_rate (float): :math:`\\eta \\ge 0`. Default 0.1.
        momentum (float): :math:`\\mu \\ge 0`. dampening (float): :math:`\\tau`.
        weight_decay (float): L2 penalty :math:`\\lambda` added to the gradient.
        nesterov (bool): Nesterov momentum (needs momentum > 0 and dampening 0).

    The update is ``ops.updates.sgd`` (identical to ``torch.optim.SGD``).
    """

    def __init__(self, params, learning_rate=0.1, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, loss_scale=1.0):
        super().__init__(learning_rate, params, weight_decay)
        self.momentum = _check_number(momentum, "momentum")
        self.dampening = _check_number(dampening, "dampening")
        check_bool(nesterov, "The argument 'nesterov' must be bool", got="type")
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum needs momentum > 0 and dampening == 0.")
        self.nesterov = nesterov

    def _update(self, w, g, state, lr, weight_decay, xp):
        return updates.sgd(w, g, state, lr, self.momentum, self.dampening, weight_decay, self.nesterov)


class Momentum(SGD):
    """SGD with momentum, MindSpore's ``nn.Momentum(params, learning_rate, momentum, weight_decay=0.0,
    use_nesterov=False)``: :math:`b \\leftarrow \\mu b + g,\\ w \\leftarrow w - \\eta b`."""

    def __init__(self, params, learning_rate, momentum, weight_decay=0.0, loss_scale=1.0, use_nesterov=False):
        super().__init__(params, learning_rate, _check_number(momentum, "momentum"), 0.0, weight_decay,
                         use_nesterov, loss_scale)


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with MindSpore's bias-corrected step size (``ops.updates.adam``).

    Args:
        learning_rate (float): default 1e-3. beta1, beta2 (float): in (0, 1). eps (float): > 0.
        weight_decay (float): L2 penalty added to the gradient.
    """

    def __init__(self, params, learning_rate=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, use_locking=False,
                 use_nesterov=False, weight_decay=0.0, loss_scale=1.0):
        super().__init__(learning_rate, params, weight_decay)
        self.beta1 = _check_number(beta1, "beta1", 0.0, 1.0, include_low=False)
        self.beta2 = _check_number(beta2, "beta2", 0.0, 1.0, include_low=False)
        self.eps = _check_number(eps, "eps", 0.0, include_low=False)
        if self.beta1 == 1.0 or self.beta2 == 1.0:
            raise ValueError("The arguments 'beta1' and 'beta2' must be below 1.")

    def _update(self, w, g, state, lr, weight_decay, xp):
        return updates.adam(w, g, state, lr, self.beta1, self.beta2, self.eps, weight_decay, xp)
