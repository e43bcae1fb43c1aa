"""Reverse-mode automatic differentiation, Gluon's face: ``record``, ``pause``, ``backward``,
``mark_variables``, ``Function``, ``train_mode``/``predict_mode`` (MXNet 1.9.1's
``python/mxnet/autograd.py``, apache/mxnet tag 1.9.1).

The tape itself (nodes, backprop, version checks) is ``_tape.py``; MindSpore's face, ``grad`` and
``value_and_grad``, is ``_grad.py`` and is re-exported here, as before. A custom op is
``_function.py``.

* Gluon face, ``with record(): ...; loss.backward()``: every tensor with a gradient buffer
  (``attach_grad``, which a Gluon Parameter calls for each context); its ``grad_req`` decides
  whether the gradient overwrites ('write'), accumulates ('add') or is skipped ('null').
* MindSpore face, ``grad(fn, grad_position, weights)``: the positional inputs named by
  ``grad_position`` and the Parameters in ``weights`` that have ``requires_grad=True``.

A backward pass frees the graph it walked unless ``retain_graph=True``; a later pass that needs a
freed part raises a RuntimeError (as MXNet and PyTorch do), it never contributes nothing.

>>> import sporelab as ms
>>> x = ms.Tensor([1.0, 2.0, 3.0])
>>> ms.grad(lambda x: (x * x).sum())(x)
Tensor(shape=[3], dtype=Float32, value=
[2., 4., 6.])
"""

from . import _tape
from ._checks import check_bool, check_choice
from ._function import Function
from ._grad import grad, value_and_grad
from ._tape import is_recording, is_training, needs_grad, record_op

__all__ = ["record_op", "needs_grad", "record", "pause", "train_mode", "predict_mode", "is_recording",
           "is_training", "backward", "grad", "value_and_grad", "mark_variables", "Function"]

_GRAD_REQS = ("write", "add", "null")


def record(train_mode=True):
    """Context manager: operations inside are recorded so ``loss.backward()`` can follow them.

    >>> w = ms.Tensor([2.0]).attach_grad()
    >>> with ms.autograd.record():
    ...     loss = (w * w).sum()
    >>> loss.backward(); w.grad
    Tensor(shape=[1], dtype=Float32, value=
    [4.])
    """
    return _tape.recording(True, train_mode)


def pause(train_mode=False):
    """Context manager: inside ``record()``, stop recording for a while (e.g. for metrics)."""
    return _tape.recording(False, train_mode)


def train_mode():
    """Context manager: ``is_training()`` is True inside, recording unchanged (MXNet's ``train_mode``).

    >>> with ms.autograd.train_mode():
    ...     ms.autograd.is_training(), ms.autograd.is_recording()
    (True, False)
    """
    return _tape.training(True)


def predict_mode():
    """Context manager: ``is_training()`` is False inside, recording unchanged (MXNet's ``predict_mode``).

    >>> with ms.autograd.record(), ms.autograd.predict_mode():
    ...     ms.autograd.is_training(), ms.autograd.is_recording()
    (False, True)
    """
    return _tape.training(False)


def _as_list(value, name):
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "attach_grad"):
        return [value]
    raise TypeError(f"The argument '{name}' must be a Tensor or a list of Tensors, but got "
                    f"{type(value).__name__}.")


def mark_variables(variables, gradients, grad_reqs="write"):
    """Use ``gradients`` as the gradient buffers of ``variables`` (MXNet's ``autograd.mark_variables``,
    python/mxnet/autograd.py at apache/mxnet tag 1.9.1): a backward pass writes into them.

    >>> x, dx = ms.Tensor([1.0, 2.0]), ms.Tensor([0.0, 0.0])
    >>> ms.autograd.mark_variables(x, dx)
    >>> with ms.autograd.record():
    ...     y = (x * x).sum()
    >>> y.backward(); dx
    Tensor(shape=[2], dtype=Float32, value=
    [2., 4.])
    """
    variables, gradients = _as_list(variables, "variables"), _as_list(gradients, "gradients")
    reqs = [grad_reqs] * len(variables) if isinstance(grad_reqs, str) else _as_list(grad_reqs, "grad_reqs")
    if not len(variables) == len(gradients) == len(reqs):
        raise ValueError(f"The arguments 'variables', 'gradients' and 'grad_reqs' must have the same "
                         f"length, but got {len(variables)}, {len(gradients)} and {len(reqs)}.")
    for i, (variable, gradient, req) in enumerate(zip(variables, gradients, reqs)):
        for name, value in (("variables", variable), ("gradients", gradient)):
            if not hasattr(value, "attach_grad"):
                raise TypeError(f"The argument '{name}' must hold Tensors, but item {i} is "
                                f"{type(value).__name__}.")
        check_choice(req, _GRAD_REQS, f"The argument 'grad_reqs' must hold 'write', 'add' or 'null'; "
                     f"item {i}", type_prefix=f"The argument 'grad_reqs' must hold strings; item {i}")
        if gradient.shape != variable.shape:
            raise ValueError(f"The argument 'gradients' must match the variables' shapes, but item {i} "
                             f"has shape {gradient.shape} for a variable of shape {variable.shape}.")
    for variable, gradient, req in zip(variables, gradients, reqs):
        variable.attach_grad(req)
        if req != "null":
            variable.grad = gradient
        variable._fresh_grad = False


def backward(heads, head_grads=None, retain_graph=False, train_mode=True):
    """Fill the gradient buffers of the leaves ``heads`` depend on with the gradient of all heads
    together, in one pass, as MXNet's ``autograd.backward`` does (apache/mxnet tag 1.9.1,
    python/mxnet/autograd.py): heads that share a subexpression are walked through it once.

    Args:
        heads: a Tensor or a list of Tensors computed inside ``record()``.
        head_grads: None (ones), or one Tensor/array/None per head.
        retain_graph: keep the graph for another backward pass.
        train_mode: ``is_training()`` during the pass.

    >>> x = ms.Tensor([1.0]).attach_grad()
    >>> with ms.autograd.record():
    ...     y = x * 2
    ...     a, b = y + 1, y * 3
    >>> ms.autograd.backward([a, b]); x.grad
    Tensor(shape=[1], dtype=Float32, value=
    [8.])
    """
    heads = _as_list(heads, "heads")
    if head_grads is not None:
        head_grads = list(head_grads) if isinstance(head_grads, (list, tuple)) else [head_grads]
        if len(head_grads) != len(heads):
            raise ValueError(f"The argument 'head_grads' must have one entry per head ({len(heads)}), "
                             f"but got {len(head_grads)}.")
    check_bool(retain_graph, "The argument 'retain_graph' must be True or False")
    check_bool(train_mode, "The argument 'train_mode' must be True or False")
    with _tape.training(train_mode):
        _tape.fill_grad_buffers(heads, head_grads, retain_graph)
