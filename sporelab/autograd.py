"""Reverse-mode automatic differentiation, Gluon's face: ``record``, ``pause``, ``backward``.

The tape itself (nodes, backprop, version checks) is ``_tape.py``; MindSpore's face, ``grad`` and
``value_and_grad``, is ``_grad.py`` and is re-exported here, as before.

* Gluon face, ``with record(): ...; loss.backward()``: every tensor with a gradient buffer
  (``attach_grad``, which a Gluon Parameter calls for each context); its ``grad_req`` decides
  whether the gradient overwrites ('write'), accumulates ('add') or is skipped ('null').
* MindSpore face, ``grad(fn, grad_position, weights)``: the positional inputs named by
  ``grad_position`` and the Parameters in ``weights`` that have ``requires_grad=True``.

>>> import sporelab as ms
>>> x = ms.Tensor([1.0, 2.0, 3.0])
>>> ms.grad(lambda x: (x * x).sum())(x)
Tensor(shape=[3], dtype=Float32, value=
[2., 4., 6.])
"""

from . import _tape
from ._grad import grad, value_and_grad
from ._tape import is_recording, is_training, needs_grad, record_op

__all__ = ["record_op", "needs_grad", "record", "pause", "is_recording", "is_training", "backward", "grad",
           "value_and_grad",
           "mark_variables"]


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


def mark_variables(variables, grad_reqs="write"):
    """Attach gradient buffers to ``variables`` (MXNet's ``autograd.mark_variables``)."""
    reqs = [grad_reqs] * len(variables) if isinstance(grad_reqs, str) else list(grad_reqs)
    for variable, req in zip(variables, reqs):
        variable.attach_grad(req)


def backward(heads, head_grads=None, retain_graph=False):
    """Fill the gradient buffers of the leaves ``heads`` depend on (see ``Tensor.backward``)."""
    heads = heads if isinstance(heads, (list, tuple)) else [heads]
    head_grads = head_grads if isinstance(head_grads, (list, tuple)) else [head_grads] * len(heads)
    for head, head_grad in zip(heads, head_grads):
        _tape.fill_grad_buffers(head, head_grad, retain_graph)
