"""Optimizers by MXNet's names for ``kv.set_optimizer`` and the Gluon ``Trainer``: ``SGD`` and ``Adam``.

``mx.optimizer.create('sgd', learning_rate=0.1)`` or ``mx.optimizer.SGD(learning_rate=0.1)`` gives an
object holding the hyper-parameters; the update rules are MXNet 1.9.1's kernels
(apache/mxnet, tag 1.9.1, src/operator/optimizer_op-inl.h), see ``_apply_update``.

>>> import sporelab as mx
>>> opt = mx.optimizer.create('sgd', learning_rate=0.1, momentum=0.9)
>>> opt
SGD(learning_rate=0.1, momentum=0.9, wd=0.0, clip_gradient=None, rescale_grad=1.0)
"""

from ._checks import is_real
from .ops import updates

__all__ = ["Optimizer", "SGD", "Adam", "create"]

_DEFAULTS = {
    "sgd": {"learning_rate": 0.01, "momentum": 0.0, "wd": 0.0, "clip_gradient": None},
    "adam": {"learning_rate": 0.001, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "wd": 0.0,
             "clip_gradient": None},
}


def _hyper_parameters(optimizer, optimizer_params):
    if not isinstance(optimizer, str) or optimizer.lower() not in _DEFAULTS:
        raise ValueError(f"The argument 'optimizer' must be one of {sorted(_DEFAULTS)}, but got {optimizer!r}.")
    name = optimizer.lower()
    given = {} if optimizer_params is None else optimizer_params
    if not isinstance(given, dict):
        raise TypeError(f"The argument 'optimizer_params' must be a dict, but got {type(given).__name__}.")
    unknown = set(given) - set(_DEFAULTS[name])
    if unknown:
        raise ValueError(f"Unknown optimizer_params {sorted(unknown)} for '{name}'; "
                         f"accepted are {sorted(_DEFAULTS[name])}.")
    hyper = {**_DEFAULTS[name], **given}
    for key, value in hyper.items():
        if value is None and key == "clip_gradient":
            continue
        if not is_real(value) or not 0 <= value < float("inf"):
            raise ValueError(f"optimizer_params['{key}'] must be a non-negative number, but got {value!r}.")
    return name, hyper


class Optimizer:
    """An optimizer's name and hyper-parameters (see ``create``).

    Raises:
        ValueError: an unknown optimizer or hyper-parameter, or a negative value.
    """

    def __init__(self, name, rescale_grad=1.0, **hyper):
        if not is_real(rescale_grad) or not 0 < rescale_grad < float("inf"):
            raise ValueError(f"The argument 'rescale_grad' must be a positive number, but got {rescale_grad!r}.")
        self.name, self.hyper = _hyper_parameters(name, hyper)
        self.rescale_grad = float(rescale_grad)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyper.items())
        return f"{type(self).__name__}({args}, rescale_grad={self.rescale_grad!r})"

    @property
    def learning_rate(self):
        return self.hyper["learning_rate"]

    def update(self, weight, grad, state, xp):
        """(new weight, new state) for a host or device array ``weight`` and its gradient."""
        return _apply_update(self.name, self.hyper, weight, grad, state, self.rescale_grad, 1.0, 1.0, xp)


class SGD(Optimizer):
    """MXNet's SGD: ``learning_rate`` 0.01, ``momentum``, ``wd``, ``clip_gradient``, ``rescale_grad``."""

    def __init__(self, **kwargs):
        super().__init__("sgd", **kwargs)


class Adam(Optimizer):
    """MXNet's Adam: ``learning_rate`` 0.001, ``beta1``, ``beta2``, ``epsilon``, ``wd``, ``clip_gradient``."""

    def __init__(self, **kwargs):
        super().__init__("adam", **kwargs)


def create(name, **kwargs):
    """The optimizer ``name`` ('sgd' or 'adam', any case) with ``kwargs`` as hyper-parameters.

    Raises:
        ValueError: an unknown name or hyper-parameter.
    """
    if not isinstance(name, str) or name.lower() not in _DEFAULTS:
        raise ValueError(f"The argument 'name' must be one of {sorted(_DEFAULTS)}, but got {name!r}.")
    return {"sgd": SGD, "adam": Adam}[name.lower()](**kwargs)


def _apply_update(optimizer, hyper, weight, grad, state, rescale, lr_mult, wd_mult, xp):
    """One MXNet update of ``weight`` with the summed gradient ``grad``, on their device, in their dtype.

    MXNet's kernels (``src/operator/optimizer_op-inl.h``): SGD ``w - lr_eff (clip(rescale * grad)
    + wd_eff w)`` (with momentum as a velocity, ``updates.mxnet_sgd``); Adam (``updates.adam``)
    on ``clip(rescale * grad + wd_eff w)``: its weight decay is clipped with the gradient. Here
    ``lr_eff = lr * lr_mult`` and ``wd_eff = wd * wd_mult``. Python-float hyper-parameters keep
    the arrays' dtype (float32 stays float32: no float64 round trip). Returns ``(new weight,
    new state)``.
    """
    hyper = {key: value if value is None else float(value) for key, value in hyper.items()}  # no np.float64
    lr, wd = float(hyper["learning_rate"] * lr_mult), float(hyper["wd"] * wd_mult)
    grad = grad * float(rescale)
    if optimizer == "adam" and wd:
        grad, wd = grad + wd * weight, 0.0
    if hyper["clip_gradient"] is not None:
        grad = xp.clip(grad, -hyper["clip_gradient"], hyper["clip_gradient"])
    if optimizer == "sgd":
        return updates.mxnet_sgd(weight, grad, state, lr, hyper["momentum"], wd)
    return updates.adam(weight, grad, state, lr, hyper["beta1"], hyper["beta2"], hyper["epsilon"], wd, xp)
