"""Gluon's ``Trainer``: applies an optimizer to a set of Gluon Parameters after ``backward()``.

The rules are MXNet's (api-semantics 8.6): gradients are scaled by ``1/batch_size``; the learning
rate and weight decay of each parameter are multiplied by its ``lr_mult`` and ``wd_mult``, read
afresh at every step; gradients of the copies on several contexts are summed (kvstore 'device')
and every copy receives the same update; a parameter whose gradient was not refreshed by a
``backward()`` since the last step is an error unless ``ignore_stale_grad=True`` (then it is
skipped).

>>> import sporelab as ms
>>> from sporelab import autograd, gluon
>>> w = gluon.Parameter('w', shape=(2,), init=gluon.init.One())
>>> w.initialize()
>>> trainer = gluon.Trainer([w], 'sgd', {'learning_rate': 0.5})
>>> with autograd.record():
...     loss = (w.data() * w.data()).sum()
>>> loss.backward()
>>> trainer.step(batch_size=1)
>>> w.data()
Tensor(shape=[2], dtype=Float32, value=
[0., 0.])
"""

import numpy as np

from .. import device as _device
from .._checks import is_real
from ..optimizer import _apply_update, _hyper_parameters
from ..errors import ArgumentAssertionError
from . import _kvstore, _trainer_states
from .parameter import Parameter
from .parameter_dict import ParameterDict

__all__ = ["Trainer"]

def _as_params(params):
    if isinstance(params, ParameterDict):
        params = list(params.values())
    elif isinstance(params, dict):
        params = [params[key] for key in sorted(params)]
    elif not isinstance(params, (list, tuple)):
        raise ValueError(f"First argument must be a list or dict of Parameters, got {type(params).__name__}.")
    for i, param in enumerate(params):
        if not isinstance(param, Parameter):
            raise ValueError(f"First argument must be a list or dict of Parameters, got list of "
                             f"{type(param).__name__} (element {i}).")
    return list(params)


class Trainer:
    """Apply ``optimizer`` ('sgd' or 'adam') to ``params`` at each ``step(batch_size)``.

    Args:
        params: a list of Gluon Parameters, a dict of them (taken in sorted key order) or a
            ParameterDict.
        optimizer (str): 'sgd' (``learning_rate`` 0.01, ``momentum``, ``wd``, ``clip_gradient``)
            or 'adam' (``learning_rate`` 0.001, ``beta1``, ``beta2``, ``epsilon``, ``wd``,
            ``clip_gradient``). ``clip_gradient`` clips after the 1/batch_size rescale, as MXNet.
        optimizer_params (dict): the hyper-parameters above.
        kvstore: 'device' (default), 'local', 'dist_sync', 'dist_device_sync', a
            ``kvstore.KVStore`` or None. Gradients of several contexts are summed on the first
            context and the update is broadcast, on the parameters' own devices. With a 'dist'
            store (under mpiexec) the gradients are summed over the workers too, and rank 0's
            initial weights are broadcast at the first step: pass the **global** batch size to
            ``step`` for a global mean (MXNet's rule).
        update_on_kvstore (bool): None decides by MXNet's table (``gluon._kvstore``).
        compression_params: accepted for compatibility.

    Raises:
        ValueError: ``params`` is not a list/dict of Parameters; an unknown optimizer or
            hyper-parameter; a negative hyper-parameter.
        TypeError: ``optimizer_params`` is not a dict.
    """

    def __init__(self, params, optimizer, optimizer_params=None, kvstore="device",
                 compression_params=None, update_on_kvstore=None):
        self._params = _as_params(params)
        self._optimizer, self._hyper = _hyper_parameters(optimizer, optimizer_params)
        self._states = [None] * len(self._params)
        _kvstore.check_arguments(kvstore, update_on_kvstore)
        self._kvstore_params = {"kvstore": kvstore, "update_on_kvstore": update_on_kvstore}
        self._kv_initialized = False
        self._kvstore, self._update_on_kvstore, self._distributed = None, None, None
        self._scale = 1.0                   # MXNet: the optimizer's rescale_grad when the Trainer is made
        self._rescale_grad = self._scale    # MXNet: optimizer.rescale_grad, set at every step

    def _init_kvstore(self):
        """At the first step: the store by MXNet's table, and the initial-weight broadcast."""
        contexts = {ctx for p in self._params for ctx in p.list_ctx()}
        self._kvstore, self._update_on_kvstore = _kvstore.decide(
            self._kvstore_params["kvstore"], self._kvstore_params["update_on_kvstore"], len(contexts), self._params)
        self._distributed = self._kvstore is not None and "dist" in self._kvstore.type
        if self._kvstore is not None:
            _kvstore.broadcast_initial_weights(self._kvstore, self._params)
        self._kv_initialized = True

    @property
    def learning_rate(self):
        return self._hyper["learning_rate"]

    def set_learning_rate(self, lr):
        """Change the base learning rate for the following steps."""
        if not is_real(lr) or not 0 <= lr < float("inf"):
            raise ValueError(f"The argument 'lr' must be a non-negative number, but got {lr!r}.")
        self._hyper["learning_rate"] = float(lr)

    def step(self, batch_size, ignore_stale_grad=False):
        """One update of every parameter with gradients, using gradients scaled by 1/batch_size.

        Raises:
            ValueError: ``batch_size`` not a positive number; parameters on different contexts.
            RuntimeError: a parameter not initialised.
            UserWarning (raised, as MXNet does): a stale gradient, unless ``ignore_stale_grad``; a
                ``batch_size`` other than the previous step's when the update runs on a 'dist'
                kvstore (``update_on_kvstore``), where MXNet's server keeps the first scale. Nothing
                changes then: step again with the previous batch size.
        """
        _check_batch_size(batch_size)
        self._check_and_rescale_grad(self._scale / batch_size)
        if not self._kv_initialized:
            self._init_kvstore()
        _kvstore.allreduce_grads(self._kvstore, self._params)
        self._apply_updates(ignore_stale_grad, _reduce_gradients)

    def _apply_updates(self, ignore_stale_grad, gradient_of):
        chosen = self._fresh_parameters(ignore_stale_grad)
        results = [(i, *self._update(i, self._rescale_grad, gradient_of)) for i in chosen]
        for i, new_weight, state in results:           # all computed first: a failure changes nothing
            _broadcast(new_weight, self._params[i].list_data())
            self._states[i] = state

    # ---- MXNet's split of step: allreduce_grads() then update(batch_size) ------------------------
    def allreduce_grads(self):
        """Sum the gradients over the contexts (and workers): afterwards every copy holds the sum.

        With ``update(batch_size)`` this is ``step`` in two halves, so gradients can be changed in
        between (clipping by global norm, as MXNet's tutorials do).

        Raises:
            ArgumentAssertionError (ValueError and AssertionError): the update runs on the kvstore
                (``update_on_kvstore``), as in MXNet: create the Trainer with ``update_on_kvstore=False``.
        """
        self._check_split("allreduce_grads")
        _kvstore.allreduce_grads(self._kvstore, self._params)
        for param in self._params:
            if param.grad_req != "null" and len(param.list_grad()) > 1:
                total = _reduce_gradients(param.list_grad())
                for g in param.list_grad():
                    g._data = _device.to_device(total, g.device, copy=True)

    def update(self, batch_size, ignore_stale_grad=False):
        """Apply the optimizer with gradients scaled by ``1/batch_size``, after ``allreduce_grads()``.

        Raises:
            ValueError: ``batch_size`` not a positive number.
            ArgumentAssertionError: ``update_on_kvstore`` (see ``allreduce_grads``).
            RuntimeError: a parameter whose gradient copies differ (not summed by
                ``allreduce_grads()``): MXNet would update each copy with its own gradient and let the
                copies drift apart; sporelab keeps one value per parameter.
        """
        _check_batch_size(batch_size)
        self._check_split("update")
        self._check_copies_agree()
        self._check_and_rescale_grad(self._scale / batch_size)
        self._apply_updates(ignore_stale_grad, lambda grads: grads[0]._array.copy())

    def _check_copies_agree(self):
        for param in self._params:
            grads = param.list_grad() if param.grad_req != "null" else []
            first = grads[0].asnumpy() if grads else None
            if any(not np.array_equal(first, g.asnumpy()) for g in grads[1:]):
                raise RuntimeError(f"Trainer.update(): the gradients of Parameter '{param.name}' differ between "
                                   f"its contexts {param.list_ctx()}; call trainer.allreduce_grads() before "
                                   f"update(batch_size) so that every copy holds their sum.")

    def _check_split(self, name):
        if not self._kv_initialized:
            self._init_kvstore()
        if self._kvstore is not None and self._update_on_kvstore:
            raise ArgumentAssertionError(f"{name}() when parameters are updated on kvstore is not supported. Try "
                                         f"setting `update_on_kvstore` to False when creating trainer.")

    # ---- optimizer states (sporelab's safe format; see _trainer_states.py) ----------------------
    def save_states(self, fname):
        """Save the optimizer's states (momentum, Adam's moments and step count) to ``fname``.

        Raises:
            TypeError: ``fname`` is not a str or path.
        """
        _trainer_states.save(fname, self._optimizer, self._states)

    def load_states(self, fname):
        """Load states saved by ``save_states``: training then continues bitwise as if never stopped.

        Raises:
            ValueError: a missing, damaged or foreign file; another optimizer or parameter set.
        """
        self._states = _trainer_states.load(fname, self._optimizer, self._params)

    def _check_and_rescale_grad(self, scale):
        """MXNet's ``Trainer._check_and_rescale_grad``, with its condition and message."""
        if self._update_on_kvstore and self._distributed and self._kv_initialized:
            if self._rescale_grad != scale:
                raise UserWarning("Possible change in the `batch_size` from previous `step` detected. "
                                  "Optimizer gradient normalizing factor will not change w.r.t new "
                                  "batch_size when update_on_kvstore=True and when distributed kvstore "
                                  "is used.")
        self._rescale_grad = scale

    def _fresh_parameters(self, ignore_stale_grad):
        contexts = None
        chosen = []
        for i, param in enumerate(self._params):
            if param.grad_req == "null":
                continue
            data = param.list_data()
            ctx = [t.device for t in data]
            if contexts is not None and ctx != contexts:
                raise ValueError(f"All Parameters of a Trainer must be on the same contexts: '{param.name}' is "
                                 f"on {ctx}, others on {contexts}. Use reset_ctx to move it.")
            contexts = ctx
            stale = [t.device for t in data if not getattr(t, "_fresh_grad", False)]
            if stale and not ignore_stale_grad:
                raise UserWarning(
                    f"Gradient of Parameter `{param.name}` on context {stale[0]} has not been updated by "
                    f"backward since last `step`. This could mean a bug in your model that made it only use "
                    f"a subset of the Parameters for this iteration. If you are intentionally only using a "
                    f"subset, call step with ignore_stale_grad=True to suppress this warning and skip "
                    f"updating of Parameters with stale gradient.")
            if not stale:
                chosen.append(i)
        return chosen

    def _update(self, index, rescale, gradient_of):
        """(new weight, new state) of parameter ``index``, computed on its first context in its dtype."""
        param = self._params[index]
        first = param.list_data()[0]
        grad = gradient_of(param.list_grad())
        new, state = _apply_update(self._optimizer, self._hyper, first._array, grad, self._states[index],
                                  rescale, param.lr_mult, param.wd_mult, _device.array_module(first.device))
        return new.astype(first.dtype.nptype, copy=False), state


def _check_batch_size(batch_size):
    if not is_real(batch_size) or not 0 < batch_size < float("inf"):
        raise ValueError(f"The argument 'batch_size' must be a positive number, but got {batch_size!r}.")


def _reduce_gradients(grads):
    """The sum of the gradient copies, on the first copy's device (MXNet's 'device' kvstore).

    Every other copy is moved to the first one's device (``to_device``: a device-to-device copy on
    GPUs, nothing on the host for GPU parameters) and added there; nothing is modified in place.

    >>> import numpy as np
    >>> from sporelab import Tensor
    >>> _reduce_gradients([Tensor(np.ones(2, np.float32)), Tensor(np.full(2, 2.0, np.float32)).to(ms.cpu(1))])
    array([3., 3.], dtype=float32)
    """
    first = grads[0]
    total = first._array
    for g in grads[1:]:
        total = total + _device.to_device(g._array, first.device)
    return total.copy() if total is first._array else total


def _broadcast(weight, tensors):
    """Give every copy in ``tensors`` the new ``weight`` (an array on the first copy's device).

    The first copy takes ``weight`` itself; every other copy gets its own array on its device, so
    copies never share memory (writing into one never changes another)."""
    for k, tensor in enumerate(tensors):
        tensor._write(weight if k == 0 else _device.to_device(weight, tensor.device, copy=True),
                      "gluon.Trainer's update step")
        tensor._fresh_grad = False
