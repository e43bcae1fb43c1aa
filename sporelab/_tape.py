"""The gradient tape: recorded nodes, backprop, saved-value version checks.

Every operation on tensors calls ``record_op(out, inputs, backward)``. Outside a differentiation
context that costs one flag check. Inside one, the output remembers a node: the inputs and a
function mapping the output's gradient to the inputs' gradients. ``backprop`` walks the nodes in
reverse topological order, summing gradients (and undoing broadcasting) on the way.

Two faces sit on this tape and set its contexts: Gluon's ``autograd.record()`` (``recording``)
and MindSpore's ``grad``/``value_and_grad`` in ``_grad.py`` (``differentiating``). The tape knows
tensors only by what it reads of them (``_node``, ``grad_req``, ``shape``, ``dtype``, ``_root()``),
so it imports no tensor module and sits below ``tensor.py``.

Which leaves get gradients:

* inside ``differentiating(leaves)``: those leaves (MindSpore's inputs at ``grad_position`` and
  the weights with ``requires_grad=True``);
* always: every tensor with a gradient buffer (``attach_grad``); ``fill_grad_buffers`` writes
  ('write'), accumulates ('add') or skips ('null') according to its ``grad_req``.

>>> import sporelab as ms
>>> from sporelab import _tape
>>> w = ms.Tensor([3.0])
>>> with _tape.differentiating([w]):
...     loss = (w * w).sum()
...     found = _tape.leaf_gradients(loss)
>>> found[id(w)][1]
array([6.], dtype=float32)
"""

import contextlib

from . import device as _device

__all__ = ["record_op", "needs_grad", "recording", "training", "suspended", "is_recording", "is_training",
           "differentiating",
           "leaf_gradients", "fill_grad_buffers"]


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
    if any(hasattr(t, "_node") and _tracked(t) for t in inputs):          # a tensor, not a number
        saved = [t for t in (inputs if saved is None else saved) if hasattr(t, "_node")]
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


def _topological(roots):
    order, seen, stack = [], set(), [(root, False) for root in reversed(roots)]
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


class _Freed:
    """What a computed tensor's ``_node`` becomes once a backward pass without ``retain_graph``
    freed its subgraph: no backward, no saved values, only the leaves that subgraph reached, so a
    later pass can tell whether it needed them (MXNet and PyTorch raise; silence would be wrong)."""
    __slots__ = ("leaves",)
    inputs = saved = versions = ()

    def __init__(self, leaves):
        self.leaves = leaves


def _refuse_freed(tensor, wanted):
    """Raise when a gradient reaching the freed ``tensor`` would have to flow on to a wanted leaf."""
    if any(wanted(leaf) for leaf in tensor._node.leaves):
        raise RuntimeError(
            f"{tensor._describe()} was computed on a graph that an earlier backward pass freed, and "
            f"this backward pass needs it. Pass retain_graph=True to the first backward() (or "
            f"autograd.backward([...]) with all heads at once), or compute it again inside record().")


def _backprop(heads, retain_graph=False, wanted=_tracked):
    """{id(leaf): (leaf, gradient array)} for every tracked leaf reached from ``heads``, a list of
    (tensor, head gradient array): one joint pass, so shared subexpressions are walked once.
    ``wanted(leaf)``: whether the caller needs ``leaf``'s gradient (a freed path to it raises)."""
    grads, leaves = {}, {}
    for root, head in heads:
        grads[id(root)] = grads[id(root)] + head if id(root) in grads else head
    order = _topological([root for root, _ in heads])
    _check_versions(order)
    for tensor in reversed(order):
        g = grads.pop(id(tensor), None)
        node = tensor._node
        if g is None:
            continue
        if type(node) is _Freed:
            _refuse_freed(tensor, wanted)
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
        _free(order)
    return leaves


def _free(order):
    freed = _Freed(tuple(t for t in order if t._node is None))
    for tensor in order:
        if tensor._node is not None and type(tensor._node) is not _Freed:     # keep what it reached
            tensor._node = freed


def _head(output, head_grad):
    xp = _device.array_module(output.device)
    if head_grad is None:
        return xp.ones(output.shape, output.dtype.nptype)
    array = head_grad._array if hasattr(head_grad, "_array") else xp.asarray(head_grad)
    if array.shape != output.shape:
        raise ValueError(f"The argument 'head_grad' must have the output's shape {output.shape}, "
                         f"but got {array.shape}.")
    return array.astype(output.dtype.nptype, copy=False)


# ---- contexts the two faces open ----------------------------------------------------------------
@contextlib.contextmanager
def recording(is_recording, train_mode):
    """Record (or, with False, pause recording) inside the block; ``train_mode`` for ``is_training``."""
    saved = (_state.recording, _state.training)
    _state.recording, _state.training = is_recording, train_mode
    try:
        yield
    finally:
        _state.recording, _state.training = saved


@contextlib.contextmanager
def training(train_mode):
    """``is_training()`` is ``train_mode`` inside the block; recording is left as it is."""
    saved = _state.training
    _state.training = train_mode
    try:
        yield
    finally:
        _state.training = saved


@contextlib.contextmanager
def suspended():
    """Nothing is recorded inside the block, by either face (a custom Function's forward)."""
    saved = (_state.recording, _state.targets)
    _state.recording, _state.targets = False, {}
    try:
        yield
    finally:
        _state.recording, _state.targets = saved


@contextlib.contextmanager
def differentiating(leaves):
    """Inside the block, record every op that ``leaves`` (tensors) flow into, whether or not they
    have gradient buffers; blocks nest, and the leaves of outer blocks stay tracked."""
    saved = _state.targets
    _state.targets = {**saved, **{id(t): t for t in leaves}}
    try:
        yield
    finally:
        _state.targets = saved


def is_recording():
    return _state.recording


def is_training():
    return _state.training


# ---- what the faces ask once the forward pass is recorded --------------------------------------
def leaf_gradients(output):
    """``{id(leaf): (leaf, gradient array)}`` of ``output`` (a head gradient of ones) for the
    tracked leaves it depends on; empty when nothing tracked reaches it."""
    if not _tracked(output):
        return {}
    return _backprop([(output, _head(output, None))], wanted=_is_target)


def _is_target(leaf):
    return id(leaf) in _state.targets


def fill_grad_buffers(outputs, head_grads=None, retain_graph=False):
    """Fill the gradient buffers of the leaves ``outputs`` (a tensor or a list) depend on, in one
    joint pass (``Tensor.backward``, ``autograd.backward``); ``head_grads``: one per output, None
    for ones."""
    outputs = list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]
    head_grads = list(head_grads) if isinstance(head_grads, (list, tuple)) else [head_grads] * len(outputs)
    for output in outputs:
        if getattr(output, "_node", None) is None and output.grad_req == "null":
            raise RuntimeError("Cannot differentiate this tensor: it was not computed inside "
                               "`with autograd.record():` from tensors with gradient buffers. Call "
                               "attach_grad() (a Gluon Parameter does this in initialize()) and compute "
                               "the loss inside record().")
    heads = [(output, _head(output, head_grad)) for output, head_grad in zip(outputs, head_grads)]
    for leaf, g in _backprop(heads, retain_graph).values():
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
