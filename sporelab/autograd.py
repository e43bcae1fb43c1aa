"""Reverse-mode automatic differentiation: one tape, two faces.

Every operation on tensors calls ``record_op(out, inputs, backward)``. Outside a differentiation
context that costs one flag check. Inside one, the output remembers a node: the inputs and a
function mapping the output's gradient to the inputs' gradients. ``backward`` walks the nodes in
reverse topological order, summing gradients (and undoing broadcasting) on the way.

Which leaves get gradients:

* MindSpore face, ``grad(fn, grad_position, weights)``: the positional inputs named by
  ``grad_position`` and the Parameters in ``weights`` that have ``requires_grad=True``.
* Gluon face, ``with record(): ...; loss.backward()``: every tensor with a gradient buffer
  (``attach_grad``, which a Gluon Parameter calls for each context); its ``grad_req`` decides
  whether the gradient overwrites ('write'), accumulates ('add') or is skipped ('null').

>>> import sporelab as ms
>>> x = ms.Tensor([1.0, 2.0, 3.0])
>>> ms.grad(lambda x: (x * x).sum())(x)
Tensor(shape=[3], dtype=Float32, value=
[2., 4., 6.])
"""

import contextlib

import numpy as np

from . import device as _device

__all__ = ["record_op", "needs_grad", "record", "pause", "is_recording", "is_training", "backward", "grad", "value_and_grad",
           "mark_variables"]


class _Node:
    """One recorded op: its backward, its inputs, and the tensors its backward reads with the
    version each had when recorded (PyTorch's saved-tensor check)."""
    __slots__ = ("backward", "inputs", "saved", "versions")

    def __init__(self, backward, inputs, saved):
        self.backward = backward
        self.inputs = inputs
        self.saved = saved
        self.versions = tuple(_version(t) for t in saved)


class _State:
    recording = False      # Gluon's record() scope
    training = False
    targets = {}           # id -> tensor: the leaves a running grad() differentiates


_state = _State()


def _tracked(tensor):
    """Whether gradients flow into ``tensor``: it was computed on the tape, or is a leaf that wants one."""
    return (getattr(tensor, "_node", None) is not None or tensor.grad_req != "null"
            or id(tensor) in _state.targets)


def needs_grad(value):
    """Whether a backward pass running now must produce a gradient for ``value`` (ops use it to
    skip work, e.g. a convolution's input gradient when the input is data)."""
    return hasattr(value, "_node") and _tracked(value)


def record_op(out, inputs, backward, saved=None, saves_output=False):
    """Attach ``backward`` to ``out`` when a differentiation context is active and an input needs it.

    ``backward(grad_out)`` returns one gradient array (or None) per entry of ``inputs``; the tape
    sums them and reduces broadcast dimensions, so ops need not.

    ``saved``: the inputs whose values ``backward`` reads (None: every Tensor input), and
    ``saves_output``: whether it reads ``out``. Writing into one of them before the backward pass
    (``x[...] = ``, ``set_data``, an optimizer step) makes ``backward``/``grad`` raise, naming it.
    """
    if not (_state.recording or _state.targets):
        return out
    from .tensor import Tensor
    if any(isinstance(t, Tensor) and _tracked(t) for t in inputs):
        saved = [t for t in (inputs if saved is None else saved) if isinstance(t, Tensor)]
        out._node = _Node(backward, tuple(inputs), tuple(saved) + ((out,) if saves_output else ()))
    return out


def _version(tensor):
    """Writes so far into ``tensor``'s memory: views share their base's count, as in PyTorch."""
    return tensor._root()._version


def _check_versions(order):
    """Refuse to differentiate when a tensor some backward reads was written after it was used."""
    for tensor in order:
        node = tensor._node
        for saved, version in zip(node.saved, node.versions) if node is not None else ():
            root = saved._root()
            if root._version != version:
                raise RuntimeError(
                    f"{saved._describe()} was changed in place by {root._written_by} after the recorded "
                    f"computation used it, and the backward pass needs its old value (version {version}, "
                    f"now {root._version}). Compute the result again after changing it (update "
                    f"parameters after backward()/grad, not between the forward pass and the backward "
                    f"pass), or change a copy (x.copy()) instead.")


def _unbroadcast(grad, shape):
    if grad.shape == tuple(shape):
        return grad
    extra = grad.ndim - len(shape)
    if extra > 0:
        grad = grad.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if axes:
        grad = grad.sum(axis=axes, keepdims=True)
    return grad.reshape(shape)


def _topological(root):
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        tensor, expanded = stack.pop()
        if expanded:
            order.append(tensor)
            continue
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        stack.append((tensor, True))
        node = getattr(tensor, "_node", None)
        for parent in (node.inputs if node else ()):
            if hasattr(parent, "_node") and id(parent) not in seen and _tracked(parent):
                stack.append((parent, False))
    return order


def _backprop(root, head, retain_graph=False):
    """{id(leaf): (leaf, gradient array)} for every tracked leaf reached from ``root``."""
    grads, leaves = {id(root): head}, {}
    order = _topological(root)
    _check_versions(order)
    for tensor in reversed(order):
        g = grads.pop(id(tensor), None)
        node = tensor._node
        if g is None:
            continue
        if node is None:
            leaves[id(tensor)] = (tensor, g)
            continue
        for parent, pg in zip(node.inputs, node.backward(g)):
            if pg is None or not hasattr(parent, "_node") or not _tracked(parent):
                continue
            pg = _unbroadcast(pg, parent.shape)
            if pg.dtype != parent.dtype.nptype and parent.dtype.kind in "fc":
                pg = pg.astype(parent.dtype.nptype)
            grads[id(parent)] = grads[id(parent)] + pg if id(parent) in grads else pg
    if not retain_graph:
        for tensor in order:
            tensor._node = None
    return leaves


def _head(output, head_grad):
    xp = _device.array_module(output.device)
    if head_grad is None:
        return xp.ones(output.shape, output.dtype.nptype)
    array = head_grad._array if hasattr(head_grad, "_array") else xp.asarray(head_grad)
    if array.shape != output.shape:
        raise ValueError(f"The argument 'head_grad' must have the output's shape {output.shape}, "
                         f"but got {array.shape}.")
    return array.astype(output.dtype.nptype, copy=False)


# ---- Gluon face ------------------------------------------------------------------------------
@contextlib.contextmanager
def _scope(recording, training):
    saved = (_state.recording, _state.training)
    _state.recording, _state.training = recording, training
    try:
        yield
    finally:
        _state.recording, _state.training = saved


def record(train_mode=True):
    """Context manager: operations inside are recorded so ``loss.backward()`` can follow them.

    >>> w = ms.Tensor([2.0]).attach_grad()
    >>> with ms.autograd.record():
    ...     loss = (w * w).sum()
    >>> loss.backward(); w.grad
    Tensor(shape=[1], dtype=Float32, value=
    [4.])
    """
    return _scope(True, train_mode)


def pause(train_mode=False):
    """Context manager: inside ``record()``, stop recording for a while (e.g. for metrics)."""
    return _scope(False, train_mode)


def is_recording():
    return _state.recording


def is_training():
    return _state.training


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
        _tensor_backward(head, head_grad, retain_graph)


def _tensor_backward(output, head_grad=None, retain_graph=False):
    if getattr(output, "_node", None) is None and output.grad_req == "null":
        raise RuntimeError("Cannot differentiate this tensor: it was not computed inside "
                           "`with autograd.record():` from tensors with gradient buffers. Call "
                           "attach_grad() (a Gluon Parameter does this in initialize()) and compute "
                           "the loss inside record().")
    for leaf, g in _backprop(output, _head(output, head_grad), retain_graph).values():
        _store_grad(leaf, g)


def _store_grad(leaf, g):
    if leaf.grad_req == "null" or leaf.grad is None:
        return
    g = g.astype(leaf.dtype.nptype, copy=False)
    if leaf.grad_req == "add":
        leaf.grad._data = leaf.grad._data + g
    else:
        leaf.grad._data = g.copy() if g.base is not None else g
    leaf._fresh_grad = True


from ._grad import grad, value_and_grad  # noqa: E402  (the MindSpore face lives in its own module)
