"""The pure model behind ``TrainingExplorer``: a small network training on a generated dataset,
one step at a time, with per-parameter learning-rate multipliers, ``requires_grad`` and
``grad_req`` (no ipywidgets, no matplotlib: usable and testable from plain Python).

Two networks, both built from engine pieces and trained full-batch with
``SoftmaxCrossEntropyWithLogits(sparse=True, reduction='mean')``:

* ``'dense'``: ``Dense(2, hidden) + Tanh + Dense(hidden, 2)`` on 200 points of two spirals
  (``datasets.spiral``); parameters ``0.weight``, ``0.bias``, ``2.weight``, ``2.bias``.
* ``'conv'``: ``Conv2d(1, 4, 3, has_bias=True) + ReLU + Flatten + Dense(576, 2)`` on 64 bar
  images of 12 x 12 pixels (``datasets.bars``); parameters ``0.weight``, ``0.bias``,
  ``3.weight``, ``3.bias``.

Which parameters get a gradient, and what the update uses (the rule this model implements):

* A parameter gets a gradient only when ``requires_grad`` is True **and** ``grad_req`` is not
  'null'. ``grad_req='null'`` is therefore equivalent to ``requires_grad=False``: no gradient is
  computed, ``gradient(name)`` is None, the parameter is not updated and its optimizer state is
  left as it was.
* ``grad_req='write'``: the gradient of each step is the fresh gradient at that step's weights.
* ``grad_req='add'`` (MXNet Gluon): fresh gradients are added into a buffer and the update uses
  the buffer, so after k steps it holds the sum of the k fresh gradients (each taken at the
  weights of its step). The buffer starts at zero when 'add' is chosen, and is emptied by
  ``zero_grad()``, by ``reset()`` and by any change of ``requires_grad`` or ``grad_req``.
* ``lr_mult`` multiplies that parameter's learning rate; ``lr_mult=0`` leaves it bitwise unchanged.

The update rules are the engine's (``sporelab.ops.updates``, which ``nn.SGD``, ``nn.Momentum`` and
``nn.Adam`` call), applied per parameter so that each can have its own learning rate: 'SGD' is
``nn.SGD(momentum=0)``, 'Momentum' is ``nn.Momentum(momentum=0.9)``, 'Adam' is ``nn.Adam`` with its
defaults. With every ``lr_mult`` at 1 the weights equal those the engine's optimizers produce.

>>> model = TrainingModel('dense', init='xavier_uniform', optimizer='Adam', learning_rate=0.05)
>>> losses = model.step(20)
>>> losses[-1] < losses[0]
True
>>> model.names
['0.weight', '0.bias', '2.weight', '2.bias']
"""

import numpy as np

import sporelab as ms
from sporelab import Tensor, datasets, nn
from sporelab._checks import check_bool, check_real, is_int
from sporelab.ops import updates

__all__ = ["TrainingModel", "NETWORKS", "INITS", "OPTIMIZERS", "GRAD_REQS", "as_2d", "histogram"]

NETWORKS = ("dense", "conv")
INITS = ("normal", "xavier_uniform", "he_uniform", "zeros")
OPTIMIZERS = ("SGD", "Momentum", "Adam")
GRAD_REQS = ("write", "add", "null")
MOMENTUM = 0.9


def _choice(value, options, argument):
    if not isinstance(value, str):
        raise TypeError(f"The argument '{argument}' must be a str, one of {list(options)}, "
                        f"but got {type(value).__name__}.")
    if value not in options:
        raise ValueError(f"The argument '{argument}' must be one of {list(options)}, but got {value!r}.")
    return value


def _number(value, argument, low=0.0, strict=False):
    check_real(value, f"The argument '{argument}' must be a number", got="type")
    value = float(value)
    if not np.isfinite(value) or value < low or (strict and value == low):
        raise ValueError(f"The argument '{argument}' must be a finite number {'>' if strict else '>='} "
                         f"{low}, but got {value}.")
    return value


def _int(value, argument, low):
    if not is_int(value) or value < low:
        raise ValueError(f"The argument '{argument}' must be an int >= {low}, but got {value!r}.")
    return int(value)


def as_2d(array):
    """The 2-D view a heatmap shows: a matrix as is, a vector as one row, a conv kernel
    (out, in, kh, kw) as (out, in * kh * kw). A C-order reshape, so the flat index is unchanged.

    >>> as_2d(np.zeros((4, 1, 3, 3))).shape
    (4, 9)
    """
    array = np.asarray(array)
    if array.ndim == 2:
        return array
    if array.ndim < 2:
        return array.reshape(1, -1)
    return array.reshape(array.shape[0], -1)


def histogram(values, bins=30, limit=None):
    """Counts and edges of ``values`` over ``bins`` equal bins: over [-limit, limit] when ``limit``
    is given (a view keeps its axis steady that way), else over the values' own range (widened a
    little when all values are equal, e.g. after a 'zeros' init). Non-finite values are ignored.

    >>> counts, edges = histogram(np.array([0.0, 0.0, 1.0]), bins=2)
    >>> counts.tolist(), edges.tolist()
    ([2, 1], [0.0, 0.5, 1.0])
    >>> histogram(np.array([-0.5, 0.2, 0.3]), bins=2, limit=1.0)[0].tolist()
    [1, 2]
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if limit is not None:
        return _counts(values, bins, -float(limit), float(limit))
    if values.size == 0:
        return np.zeros(bins, np.int64), np.linspace(-1.0, 1.0, bins + 1)
    low, high = float(values.min()), float(values.max())
    if high - low <= 1e-12 * max(1.0, abs(low)):
        half = max(0.1 * abs(low), 0.01)
        low, high = low - half, high + half
    return _counts(values, bins, low, high)


def _counts(values, bins, low, high):
    """``np.histogram(values, bins, range=(low, high))`` (the same edges, bins [e_i, e_i+1), the
    last one closed), a quarter of its cost: the explorer histograms four arrays per frame."""
    edges = np.linspace(low, high, bins + 1)
    index = np.searchsorted(edges, values[(values >= low) & (values <= high)], side="right") - 1
    index[index == bins] = bins - 1
    return np.bincount(index, minlength=bins), edges


class TrainingModel:
    """A network, its data, and a training loop with per-parameter controls.

    Args:
        network (str): 'dense' (spiral data) or 'conv' (bar images).
        init (str): the weights' initializer: 'normal' (N(0, 0.01^2)), 'xavier_uniform',
            'he_uniform' or 'zeros' (biases always start at zero).
        optimizer (str): 'SGD', 'Momentum' (momentum 0.9) or 'Adam'.
        learning_rate (float): > 0.
        seed (int): ``ms.set_seed(seed)`` before the weights are drawn (the data has its own
            fixed seed, ``data_seed``, so changing the seed changes only the initial weights).
        hidden (int): hidden units of the 'dense' network.
        data_seed (int): seed of the generated dataset.

    Setting ``network``, ``init`` or ``seed`` (or calling ``rebuild``) rebuilds the network (a reset); setting
    ``optimizer`` keeps the weights and starts the optimizer's state afresh; setting
    ``learning_rate`` applies from the next step (momentum and Adam's moments are kept).
    ``reset()`` keeps the per-parameter settings of parameters whose names still exist.

    Attributes: ``net`` (the SequentialCell), ``x``, ``y`` (the data, Tensors), ``params``
    (name -> Parameter), ``names`` (parameter names in network order), ``layers`` ((prefix,
    label) per layer with weights, e.g. ('0', 'Dense 2→16')), ``history`` / ``accuracy`` (per step,
    before its update), ``edited_loss`` (the loss after the last ``set_weight``, None after a step).

    Raises:
        TypeError: a non-str choice, a non-numeric learning rate.
        ValueError: an unknown choice, a learning rate <= 0, a negative seed, hidden < 1.

    >>> model = TrainingModel('conv', seed=1)
    >>> [model.shape(n) for n in model.names]
    [(4, 1, 3, 3), (4,), (2, 576), (2,)]
    """

    def __init__(self, network="dense", init="xavier_uniform", optimizer="Adam", learning_rate=0.05,
                 seed=0, hidden=16, data_seed=0):
        self._network = _choice(network, NETWORKS, "network")
        self._init = _choice(init, INITS, "init")
        self._optimizer = _choice(optimizer, OPTIMIZERS, "optimizer")
        self._lr = _number(learning_rate, "learning_rate", strict=True)
        self._seed = _int(seed, "seed", 0)
        self.hidden = _int(hidden, "hidden", 1)
        self.data_seed = _int(data_seed, "data_seed", 0)
        self._settings = {}
        self.reset()

    # ---- configuration -------------------------------------------------------------------------
    @property
    def network(self):
        return self._network

    @network.setter
    def network(self, value):
        self.rebuild(network=value)

    @property
    def init(self):
        return self._init

    @init.setter
    def init(self, value):
        self.rebuild(init=value)

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, value):
        self.rebuild(seed=value)

    def rebuild(self, network=None, init=None, seed=None):
        """Change any of network, init and seed (None keeps it), then ``reset()`` once.

        Raises:
            TypeError / ValueError: as the constructor; nothing changes then.
        """
        network = self._network if network is None else _choice(network, NETWORKS, "network")
        init = self._init if init is None else _choice(init, INITS, "init")
        seed = self._seed if seed is None else _int(seed, "seed", 0)
        self._network, self._init, self._seed = network, init, seed
        self.reset()

    @property
    def optimizer(self):
        return self._optimizer

    @optimizer.setter
    def optimizer(self, value):
        self._optimizer = _choice(value, OPTIMIZERS, "optimizer")
        self._states = {name: None for name in self.names}

    @property
    def learning_rate(self):
        return self._lr

    @learning_rate.setter
    def learning_rate(self, value):
        self._lr = _number(value, "learning_rate", strict=True)

    # ---- building ------------------------------------------------------------------------------
    def _build(self):
        init = self._init
        with ms.random.seeded(self._seed):       # as after ms.set_seed(seed); the notebook's sequence is kept
            if self._network == "dense":
                x, y = datasets.spiral(200, turns=1.0, seed=self.data_seed)
                self.net = nn.SequentialCell([nn.Dense(2, self.hidden, weight_init=init), nn.Tanh(),
                                              nn.Dense(self.hidden, 2, weight_init=init)])
                self.layers = [("0", f"Dense 2→{self.hidden}"), ("2", f"Dense {self.hidden}→2")]
            else:
                x, y = datasets.bars(64, size=12, seed=self.data_seed)
                self.net = nn.SequentialCell([nn.Conv2d(1, 4, 3, has_bias=True, weight_init=init), nn.ReLU(),
                                              nn.Flatten(), nn.Dense(4 * 12 * 12, 2, weight_init=init)])
                self.layers = [("0", "Conv2d 1→4"), ("3", "Dense 576→2")]
        self.x, self.y = Tensor(x), Tensor(y)
        self.params = self.net.parameters_dict()

    def reset(self):
        """Rebuild the network from the seed; clear the history, gradients and optimizer state."""
        self._build()
        self.names = list(self.params)
        self._settings = {name: self._settings.get(name, {"lr_mult": 1.0, "grad_req": "write",
                                                         "requires_grad": True}) for name in self.names}
        for name in self.names:
            self.params[name].requires_grad = self._settings[name]["requires_grad"]
        self._states = {name: None for name in self.names}
        self._grads = {name: None for name in self.names}
        self._buffers = {}
        self._before = {name: self.value(name) for name in self.names}
        self.history, self.accuracy = [], []
        self.edited_loss = None
        self._loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")

    # ---- per-parameter settings ----------------------------------------------------------------
    def _param(self, name):
        if not isinstance(name, str):
            raise TypeError(f"The argument 'name' must be a parameter name (str), but got {type(name).__name__}.")
        if name not in self.params:
            raise ValueError(f"The argument 'name' must be one of {self.names}, but got {name!r}.")
        return self.params[name]

    def settings(self, name):
        """``{'lr_mult': float, 'requires_grad': bool, 'grad_req': str}`` of parameter ``name``."""
        self._param(name)
        return dict(self._settings[name])

    def configure(self, name, lr_mult=None, requires_grad=None, grad_req=None):
        """Change the settings of parameter ``name`` (None leaves a setting as it is).

        Raises:
            TypeError / ValueError: an unknown name; lr_mult not a number >= 0; requires_grad not a
                bool; grad_req not 'write', 'add' or 'null'.

        >>> model = TrainingModel()
        >>> model.configure('0.weight', lr_mult=0.0, grad_req='add')
        >>> model.settings('0.weight')
        {'lr_mult': 0.0, 'grad_req': 'add', 'requires_grad': True}
        """
        param = self._param(name)
        new = dict(self._settings[name])
        if lr_mult is not None:
            new["lr_mult"] = _number(lr_mult, "lr_mult")
        if requires_grad is not None:
            check_bool(requires_grad, "The argument 'requires_grad' must be bool", got="type")
            new["requires_grad"] = requires_grad
        if grad_req is not None:
            new["grad_req"] = _choice(grad_req, GRAD_REQS, "grad_req")
        old = self._settings[name]
        if (new["requires_grad"], new["grad_req"]) != (old["requires_grad"], old["grad_req"]):
            self._buffers.pop(name, None)
            if not self.trains(name, new):
                self._grads[name] = None
        param.requires_grad = new["requires_grad"]
        self._settings[name] = new

    def trains(self, name, settings=None):
        """Whether parameter ``name`` gets a gradient: requires_grad and grad_req != 'null'."""
        settings = settings or self._settings[name]
        return settings["requires_grad"] and settings["grad_req"] != "null"

    def zero_grad(self):
        """Empty the 'add' buffers (the next step starts accumulating from zero)."""
        self._buffers = {}

    def accumulated(self, name):
        """How many fresh gradients the 'add' buffer of ``name`` sums now (0: empty, or not 'add')."""
        self._param(name)
        return self._buffers.get(name, (None, 0))[1]

    # ---- training ------------------------------------------------------------------------------
    def _forward(self, x, y):
        logits = self.net(x)
        return self._loss_fn(logits, y), logits

    def _gradients(self):
        """(loss, accuracy, {name: gradient array}) at the current weights, nothing changed."""
        active = [self.params[n] for n in self.names if self.trains(n)]
        with np.errstate(all="ignore"):
            (loss, logits), grads = ms.value_and_grad(self._forward, None, active, has_aux=True)(self.x, self.y)
        accuracy = float((logits.asnumpy().argmax(axis=1) == self.y.asnumpy()).mean())
        return loss.item(), accuracy, {p.name: g.asnumpy() for p, g in zip(active, grads)}

    def _update(self, name, w, g):
        lr = self._lr * self._settings[name]["lr_mult"]
        state = self._states[name]
        momentum = MOMENTUM if self._optimizer == "Momentum" else 0.0
        with np.errstate(all="ignore"):          # an overflow shows as inf weights, then an inf loss
            if self._optimizer == "Adam":
                return updates.adam(w, g, state, lr, xp=np)
            return updates.sgd(w, g, state, lr, momentum)

    def _record(self, loss, accuracy, grads):
        self._grads = {name: grads.get(name) for name in self.names}
        self.history.append(loss)
        self.accuracy.append(accuracy)
        self.edited_loss = None

    def _one_step(self):
        loss, accuracy, fresh = self._gradients()
        if not np.isfinite(loss):                    # recorded for the curve; no weight moves
            self._before = {name: self.value(name) for name in self.names}
            self._record(loss, accuracy, fresh)
            return loss
        grads, new, buffers = {}, {}, dict(self._buffers)
        for name, g in fresh.items():
            if self._settings[name]["grad_req"] == "add":
                total, count = buffers.get(name, (None, 0))
                g = total + g if count else g
                buffers[name] = (g, count + 1)
            grads[name] = g
            new[name] = self._update(name, self.params[name].asnumpy(), g)
        # Everything computed before anything is written: a failed step changes nothing.
        self._buffers = buffers
        self._before = {name: self.value(name) for name in self.names}
        for name, (w, state) in new.items():
            self.params[name].set_data(Tensor(w.astype(np.float32, copy=False)))
            self._states[name] = state
        self._record(loss, accuracy, grads)
        return loss

    @property
    def diverged(self):
        """True when the loss at the current weights is not finite (the last step's, or the
        edited one's): training cannot go on from there."""
        last = self.edited_loss if self.edited_loss is not None else (self.history[-1] if self.history else 0.0)
        return not np.isfinite(last)

    def step(self, n=1):
        """Train ``n`` full-batch steps; return their losses (each taken before its update).

        ``before(name)`` / ``gradient(name)`` then describe the last of these steps. A step whose
        loss is not finite (the weights diverged: too large a learning rate, a huge edited weight)
        is recorded in ``history`` with its gradients, moves no weight, and ends the run
        (``diverged`` is then True).

        Raises:
            ValueError: ``n`` not an int >= 1.
            RuntimeError: the model had already diverged; nothing changes (reset, or edit the
                weights back).
        """
        n = _int(n, "n", 1)
        if self.diverged:
            last = self.edited_loss if self.edited_loss is not None else self.history[-1]
            raise RuntimeError(f"The loss is {last}: the weights have diverged (a learning rate of {self._lr:g} "
                               f"too large for {self._optimizer}, or a huge edited weight). Press Reset and "
                               f"lower the learning rate.")
        losses = []
        for _ in range(n):
            losses.append(self._one_step())
            if self.diverged:
                break
        return losses

    # ---- inspection and editing ----------------------------------------------------------------
    def shape(self, name):
        return self._param(name).shape

    def value(self, name):
        """A copy of the current value of parameter ``name`` (NumPy)."""
        return self._param(name).asnumpy().copy()

    def before(self, name):
        """The value of ``name`` before the last step (the initial value before any step)."""
        self._param(name)
        return self._before[name]

    def change(self, name):
        """``value(name) - before(name)``: what the last step (and any edit since) changed."""
        return self.value(name) - self.before(name)

    def gradient(self, name):
        """The gradient the last step used for ``name`` (the 'add' buffer's sum), or None when it
        got none (frozen, grad_req 'null', or no step yet)."""
        self._param(name)
        return self._grads[name]

    def loss(self):
        """The loss at the current weights (a fresh forward pass, no gradient)."""
        with np.errstate(all="ignore"):
            return self._forward(self.x, self.y)[0].item()

    def flat_index(self, name, index):
        """The flat (C-order) position of ``index`` in parameter ``name``: an int, a tuple with one
        entry per axis of the parameter, or a (row, column) pair in its 2-D heatmap view.

        Raises:
            TypeError: not an int or a tuple of ints. ValueError: out of range.
        """
        shape = self.shape(name)
        view = as_2d(np.empty(shape, np.int8)).shape
        parts = (index,) if is_int(index) else index
        if not isinstance(parts, tuple) or not all(is_int(i) for i in parts):
            raise TypeError(f"The argument 'index' must be an int or a tuple of ints such as (0, 1), "
                            f"but got {index!r}.")
        size = int(np.prod(shape))
        for dims in ((size,), tuple(shape), view):
            if len(parts) == len(dims):
                if all(0 <= i < d for i, d in zip(parts, dims)):
                    return int(np.ravel_multi_index(parts, dims))
                raise ValueError(f"The argument 'index' {index!r} is out of range for '{name}' "
                                 f"(shape {shape}, heatmap {view[0]} rows × {view[1]} columns): each "
                                 f"entry must be >= 0 and below {dims}.")
        raise ValueError(f"The argument 'index' must have 1, {len(shape)} or 2 entries for '{name}' "
                         f"(shape {shape}), but got {index!r}.")

    def set_weight(self, name, index, value):
        """Set one entry of parameter ``name`` through ``Parameter.set_data``; return the new loss.

        Args:
            name (str): e.g. '0.weight'. index: see ``flat_index``. value (float): finite.

        Raises:
            TypeError / ValueError: an unknown name, a bad index, a value that is not a finite
                number of the parameter's dtype (Float32).

        >>> model = TrainingModel()
        >>> model.set_weight('0.weight', (0, 1), 3.0) == model.loss()
        True
        """
        param = self._param(name)
        position = self.flat_index(name, index)
        check_real(value, "The argument 'value' must be a number", got="type")
        largest = float(np.finfo(param.dtype.nptype).max)
        if not abs(value) <= largest:
            raise ValueError(f"The argument 'value' must be a finite number within +-{largest:.3g} (the "
                             f"range of {param.dtype}), but got {value!r}.")
        array = param.asnumpy().copy()
        array.flat[position] = value
        param.set_data(Tensor(array))
        self.edited_loss = self.loss()
        return self.edited_loss
