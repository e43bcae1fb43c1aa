"""The pure model of the depth explorer: why initialisation matters in a deep stack.

``DepthModel`` builds a real engine network, a ``SequentialCell`` of ``depth`` layers (``Dense(width,
width)`` or ``Conv2d(width, width, 3, pad_mode='same')`` on 16 x 16 maps), each followed by the
activation, with every weight drawn by one initializer after ``ms.set_seed(seed)``. It feeds a
fixed batch of N(0, 1) inputs and records, per layer:

* forward: the activation values' mean, standard deviation, flat-region fraction (tanh
  ``|a| > 0.99``, sigmoid ``a < 0.01`` or ``a > 0.99``, ReLU ``a == 0``) and histogram counts over
  fixed bins per activation (the bins do not follow the data, so a vanishing signal is a spike at
  0 and a saturated one sits at the edges);
* backward, with ``ms.grad``: the norm of each layer's weight gradient and of the gradient with
  respect to each layer's input (the backward signal arriving there). A Dense stack on the CPU
  runs the same float32 pass written out in NumPy on the network's weights (twice as fast, no
  autograd tape; a test checks it against ``ms.grad``).

The loss is an MSE against a fixed random N(0, 1) target (``nn.MSELoss``), not ``mean(out**2)``:
the gradient arriving at the top, ``2 (out - target) / n``, does not shrink with a vanishing
output, so the gradient curve shows what the backward pass does to the signal rather than
repeating the forward pass's scale.

No ipywidgets or matplotlib here: the view (``depth.py``) only draws these numbers.

>>> from sporelab.widgets.depth_model import DepthModel
>>> model = DepthModel(depth=10, activation='tanh', init='normal', sigma=0.01)
>>> model.verdict_kind
'vanish'
"""

import numpy as np

import sporelab as ms
from sporelab import nn
from sporelab._checks import check_choice, check_real, is_int
from sporelab.common import initializer as _init
from sporelab.i18n import _ as _t
from sporelab.widgets._ticks import short_number

__all__ = ["DepthModel", "DepthStats", "histogram_counts", "flat_fraction", "verdict", "BINS", "FACTOR",
           "SATURATED"]

LAYERS = ("Dense", "Conv2d")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")
INITS = ("normal", "xavier_uniform", "xavier_normal", "he_normal", "he_uniform", "orthogonal",
         "identity", "dirac")
# Fixed histogram bins per activation: (low, high, count). An odd count over a symmetric range puts
# 0 (tanh, linear) or 0.5 (sigmoid) at a bin centre, so a collapsed signal is one spike.
BINS = {"tanh": (-1.0, 1.0, 41), "sigmoid": (0.0, 1.0, 41), "relu": (0.0, 4.0, 40),
        "linear": (-4.0, 4.0, 41)}
FACTOR = 10.0          # std (or gradient norm) changing more than this over the stack: vanish/explode
SATURATED = 0.5        # more than this fraction of the last layer's values in a flat region: saturated
MAP_SIZE = 16          # Conv2d feature maps are MAP_SIZE x MAP_SIZE
_LIMITS = {"depth": 100, "Dense": 2048, "Conv2d": 128, "batch": 4096}
_DEFAULT_BATCH = {"Dense": 128, "Conv2d": 8}     # at most; fewer for wide layers (VALUES)
VALUES = 16384         # activation values per layer a default batch aims at (128 x 128, 8 x 8 x 256)
_KEYS = ("depth", "width", "layer", "activation", "init", "sigma", "seed", "batch")
_ACT_CELLS = {"tanh": "Tanh", "relu": "ReLU", "sigmoid": "Sigmoid", "linear": None}
# (activation, its slope written with its output) in float32, as the engine's ops compute them.
_HALF = np.float32(0.5)
_NUMPY_ACTIVATIONS = {
    "tanh": (np.tanh, lambda out: 1 - out * out),
    "relu": (lambda z: np.maximum(z, np.float32(0)), lambda out: out > 0),
    "sigmoid": (lambda z: _HALF * (np.tanh(_HALF * z) + 1), lambda out: out * (1 - out)),
    "linear": (lambda z: z, None),
}


class DepthStats:
    """Per-layer numbers of one run (arrays indexed by layer, 0 = the first layer).

    Attributes: ``mean``, ``std``, ``flat`` (fraction in the activation's flat region), ``hist``
    (layers x bins counts), ``edges`` (bins + 1), ``nan`` (NaN values per layer, not in ``hist``),
    ``weight_grad`` (``||dL/dW_l||``), ``input_grad`` (``||dL/d input_l||``), ``loss``, ``samples``
    (values per layer).
    """

    def __init__(self, **fields):
        self.__dict__.update(fields)


def histogram_counts(values, activation):
    """Counts of ``values`` over the fixed bins of ``activation`` and the number of NaNs.

    Values beyond the range (ReLU and linear are unbounded, +-inf included) are counted in the end
    bins, so ``counts.sum() + nans == values.size``.

    Args:
        values (numpy.ndarray): any shape.
        activation (str): one of 'tanh', 'relu', 'sigmoid', 'linear'.

    Returns:
        (numpy.ndarray of int64, int): counts per bin, NaN count.

    >>> histogram_counts(np.array([-1.0, 0.0, 0.0, 5.0]), 'tanh')[0][[0, 20, 40]].tolist()
    [1, 2, 1]
    """
    low, high, bins = BINS[activation]
    flat = np.ravel(values)
    finite = flat[~np.isnan(flat)]
    scaled = (np.clip(finite, low, high) - low) * (bins / (high - low))
    index = np.minimum(scaled.astype(np.int64), bins - 1)
    return np.bincount(index, minlength=bins), int(flat.size - finite.size)


def flat_fraction(values, activation):
    """Fraction of ``values`` in the activation's flat region (0 for 'linear', which has none)."""
    if activation == "tanh":
        return float(np.mean(np.abs(values) > 0.99))
    if activation == "sigmoid":
        return float(np.mean((values < 0.01) | (values > 0.99)))
    if activation == "relu":
        return float(np.mean(values == 0))
    return 0.0


def verdict(activation, std, flat, input_grad):
    """The diagnosis of one run: ``(kind, text)``, computed from per-layer numbers.

    Rules, in order (``FACTOR`` = 10, ``SATURATED`` = 0.5):

    * a non-finite std: 'overflow' (float32 overflowed, from the first such layer on);
    * last std < first / FACTOR: 'vanish'; last std > first x FACTOR: 'explode';
    * tanh/sigmoid with more than SATURATED of the last layer in the flat region: 'saturated';
    * otherwise the backward signal decides: ``||dL/d input||`` at layer 1 below (above) its value
      at the last layer / FACTOR (x FACTOR): 'gradients vanish' ('gradients explode'); else 'healthy'.

    A forward problem comes first and the gradient sentence follows after '; '.

    Args:
        activation (str): 'tanh', 'relu', 'sigmoid' or 'linear'.
        std, flat, input_grad (sequences of float): per layer, the activation std, the flat-region
            fraction and the norm of the gradient with respect to the layer's input.

    >>> print(verdict('tanh', [0.58, 2e-9], [0.0, 0.0], [0.01, 0.01])[1].split('; ')[0])
    activations vanish: std falls from 0.58 to 2e-9 over 2 layers
    """
    std = np.asarray(std, dtype=float)
    n = std.size
    layers = (_t("{n} layers") if n > 1 else _t("{n} layer")).format(n=n)
    bad = np.flatnonzero(~np.isfinite(std))
    if bad.size:
        kind = "overflow"
        text = _t("activations explode: they overflow float32 (inf/NaN) from layer {first} of {n}").format(
            first=bad[0] + 1, n=n)
    else:
        kind, text = _forward_verdict(activation, std[0], std[-1], flat[-1], layers)
    grad_kind, grad_text = _gradient_verdict(input_grad)
    if kind == "healthy" and grad_kind != "healthy":
        return f"gradients {grad_kind}", grad_text + _t("; ") + _healthy_forward(std[0], std[-1], layers, lead=False)
    return kind, text + (_t("; ") + grad_text if grad_text else "")


def _healthy_forward(first, last, layers, lead=True):
    """The healthy forward sentence; ``lead`` starts it with 'healthy:' (not after a gradient problem)."""
    text = _t("activation std stays within a factor of {factor:g} ({first} to {last} over {layers})").format(
        factor=FACTOR, first=short_number(first), last=short_number(last), layers=layers)
    return _t("healthy: {text}").format(text=text) if lead else text


def _forward_verdict(activation, first, last, flat_last, layers):
    numbers = {"first": short_number(first), "last": short_number(last), "layers": layers}
    if last < first / FACTOR:
        return "vanish", _t("activations vanish: std falls from {first} to {last} over {layers}").format(**numbers)
    if last > first * FACTOR:
        return "explode", _t("activations explode: std grows from {first} to {last} over {layers}").format(**numbers)
    if activation in ("tanh", "sigmoid") and flat_last > SATURATED:
        where = "|a| > 0.99" if activation == "tanh" else _t("a < 0.01 or a > 0.99")
        return "saturated", _t("{activation} saturates: {share:.0%} of the last layer's values have {where}, where "
                               "its slope is almost 0").format(activation=activation, share=flat_last, where=where)
    return "healthy", _healthy_forward(first, last, layers)


def _gradient_verdict(input_grad):
    """('vanish' | 'explode' | 'healthy', text) from ||dL/d input|| at the top and at layer 1."""
    n, top, bottom = len(input_grad), float(input_grad[-1]), float(input_grad[0])
    bad = np.flatnonzero(~np.isfinite(np.asarray(input_grad, dtype=float)))
    if bad.size:
        return "explode", _t("gradients overflow float32 (inf/NaN) on the way back, at layer {layer}").format(
            layer=bad[-1] + 1)
    if n < 2:
        return "healthy", ""
    numbers = {"top": short_number(top), "bottom": short_number(bottom), "n": n, "factor": FACTOR}
    if bottom < top / FACTOR:
        return "vanish", _t("gradients vanish toward the input: ||dL/d input|| falls from {top} at layer {n} to "
                            "{bottom} at layer 1").format(**numbers)
    if bottom > top * FACTOR:
        return "explode", _t("gradients explode toward the input: ||dL/d input|| grows from {top} at layer {n} to "
                             "{bottom} at layer 1").format(**numbers)
    return "healthy", _t("gradients stay within a factor of {factor:g} ({top} at layer {n}, {bottom} at "
                         "layer 1)").format(**numbers)


def _check_int(name, value, low, high):
    if not is_int(value):
        raise TypeError(f"DepthModel: the argument '{name}' must be an int, but got {value!r} of type "
                        f"{type(value).__name__}.")
    if not low <= value <= high:
        raise ValueError(f"DepthModel: the argument '{name}' must be between {low} and {high}, but got "
                         f"{value}.")
    return int(value)


def _check_choice(name, value, choices):
    return check_choice(value, choices, f"DepthModel: the argument '{name}' must be one of {list(choices)}")


def _check_sigma(sigma):
    check_real(sigma, "DepthModel: the argument 'sigma' must be a positive number (the standard deviation "
                      "of Normal)", got="type")
    if not 0 < sigma <= 100:
        raise ValueError(f"DepthModel: the argument 'sigma' must be in (0, 100], but got {sigma!r}; "
                         f"try 0.01 (the r1.x default) or 1.0.")
    return float(sigma)


def _validate(settings):
    """The checked copy of ``settings`` (a dict of every DepthModel argument)."""
    s = dict(settings)
    s["layer"] = _check_choice("layer", s["layer"], LAYERS)
    s["activation"] = _check_choice("activation", s["activation"], ACTIVATIONS)
    s["init"] = _check_choice("init", s["init"], INITS)
    s["depth"] = _check_int("depth", s["depth"], 1, _LIMITS["depth"])
    s["width"] = _check_int("width", s["width"], 1, _LIMITS[s["layer"]])
    s["sigma"] = _check_sigma(s["sigma"])
    s["seed"] = _check_int("seed", s["seed"], 0, 2 ** 32 - 1)
    if s["batch"] is not None:
        s["batch"] = _check_int("batch", s["batch"], 1, _LIMITS["batch"])
    if s["init"] == "identity" and s["layer"] == "Conv2d":
        raise ValueError("DepthModel: init='identity' fills a 2-D matrix, so it suits Dense layers only; "
                         "for Conv2d choose 'dirac', the identity convolution.")
    if s["init"] == "dirac" and s["layer"] == "Dense":
        raise ValueError("DepthModel: init='dirac' fills convolution kernels (out, in, kh, kw), so it "
                         "suits Conv2d layers only; for Dense choose 'identity'.")
    return s


class DepthModel:
    """A stack of ``depth`` layers, its per-layer activation and gradient statistics, and a verdict.

    Args:
        depth (int): number of layers, 1-100.
        width (int): units of each Dense layer (1-2048) or channels of each Conv2d layer (1-128).
        layer (str): 'Dense' or 'Conv2d' (3 x 3, pad_mode='same', on 16 x 16 maps).
        activation (str): 'tanh', 'relu', 'sigmoid' or 'linear' (no activation cell).
        init (str): 'normal' (``Normal(sigma)``; sigma 0.01 is the r1.x default), 'xavier_uniform',
            'xavier_normal', 'he_normal', 'he_uniform' (He for ReLU: gain sqrt(2)), 'orthogonal',
            'identity' (Dense only) or 'dirac' (Conv2d only).
        sigma (float): the standard deviation of 'normal', in (0, 100].
        seed (int): passed to ``ms.set_seed`` before the inputs, target and weights are drawn.
        batch (int or None): input samples; None gives 128 rows (Dense) or 8 maps (Conv2d), fewer
            for wider layers so that a layer holds about ``VALUES`` (16384) activation values
            (Dense(512): 32 rows; Conv2d with 64 channels: 1 map): enough for smooth histograms
            and stable statistics, and the cost of a wide stack stays near a default one's.

    Attributes: ``settings`` (dict of the arguments), ``network`` (the engine ``SequentialCell``,
    built on first use),
    ``inputs`` and ``target`` (Tensors), ``stats`` (a ``DepthStats``), ``verdict_kind`` and
    ``verdict`` (see ``verdict``). Building draws as after ``ms.set_seed(seed)`` (inside
    ``ms.random.seeded``, so the notebook's own random sequence is left as it was).
    The drawn arrays are kept for the last (layer, width, initializer, seed, batch), so a change of
    the activation, of sigma (Normal's weights are ``sigma`` times the standard normal draws,
    exactly as ``Normal(sigma)`` computes them) or to a smaller depth draws nothing again, and a
    larger depth draws only the new layers.

    Raises:
        TypeError: an argument of the wrong type (or an unknown keyword in ``update``).
        ValueError: a value out of range, an unknown name, or 'identity' with Conv2d / 'dirac'
            with Dense.

    >>> DepthModel(depth=20, activation='relu', init='he_normal').verdict_kind
    'healthy'
    """

    def __init__(self, depth=10, width=128, layer="Dense", activation="tanh", init="normal",
                 sigma=0.01, seed=0, batch=None):
        self.settings, self._drawn, self._network = {}, None, None
        self.update(depth=depth, width=width, layer=layer, activation=activation, init=init,
                    sigma=sigma, seed=seed, batch=batch)

    def update(self, **changes):
        """Change some settings (same names as the constructor's) and recompute; returns self.

        A rejected change (TypeError/ValueError) leaves the model exactly as it was.

        >>> DepthModel().update(activation='relu', init='he_normal').settings['init']
        'he_normal'
        """
        unknown = sorted(set(changes) - set(_KEYS))
        if unknown:
            raise TypeError(f"DepthModel.update got unknown argument(s) {unknown}; the settings are "
                            f"depth, width, layer, activation, init, sigma, seed, batch.")
        settings = _validate({**self.settings, **changes})
        drawn = self._draw(settings)
        weights, (inputs, target) = self._weights(settings, drawn), drawn[1:3]
        if settings["layer"] == "Dense" and inputs.device.device_type == "cpu":
            network, stats = None, self._measure(settings, inputs, target, weights=weights)
        else:
            network = self._build(settings, weights)
            stats = self._measure(settings, inputs, target, network=network)
        self.settings, self._network, self.inputs, self.target, self.stats, self._drawn = (
            settings, network, inputs, target, stats, drawn)
        self.verdict_kind, self.verdict = verdict(activation=settings["activation"], std=stats.std,
                                                  flat=stats.flat, input_grad=stats.input_grad)
        return self

    # ---- building --------------------------------------------------------------------------------
    def initializer(self, settings=None):
        """The Initializer object the weights are drawn with, e.g. ``Normal(sigma=0.01, mean=0.0)``."""
        s = settings or self.settings
        makers = {"normal": lambda: _init.Normal(sigma=s["sigma"]), "xavier_uniform": _init.XavierUniform,
                  "xavier_normal": _init.XavierNormal, "he_normal": _init.HeNormal,
                  "he_uniform": _init.HeUniform, "orthogonal": _init.Orthogonal,
                  "identity": _init.Identity, "dirac": _init.Dirac}
        return makers[s["init"]]()

    def input_shape(self, settings=None):
        """The shape of the input batch: (batch, width) or (batch, width, 16, 16)."""
        s = settings or self.settings
        per_sample = s["width"] * (1 if s["layer"] == "Dense" else MAP_SIZE * MAP_SIZE)
        batch = s["batch"] or max(1, min(_DEFAULT_BATCH[s["layer"]], VALUES // per_sample))
        return (batch, s["width"]) if s["layer"] == "Dense" else (batch, s["width"], MAP_SIZE, MAP_SIZE)

    def _layer(self, s, init):
        if s["layer"] == "Dense":
            return nn.Dense(s["width"], s["width"], weight_init=init)
        return nn.Conv2d(s["width"], s["width"], 3, pad_mode="same", weight_init=init)

    def _draw(self, s):
        """(key, inputs, target, weight arrays, generator state) as ``code()`` draws them after
        ``set_seed``: inputs, target, then each layer's weight (biases are zeros). Normal's arrays
        are its N(0, 1) draws: ``Normal(sigma)`` multiplies them by float32(sigma) (``_weights``).
        A deeper stack of the same key draws only its new layers, from the kept generator state."""
        shape = self.input_shape(s)
        init = _init.Normal(sigma=1.0) if s["init"] == "normal" else self.initializer(s)
        key = (s["layer"], s["width"], repr(init), s["seed"], shape, ms.current_context())
        kept = self._drawn if self._drawn is not None and self._drawn[0] == key else None
        if kept is not None and len(kept[3]) >= s["depth"]:
            return kept
        weight = (s["width"], s["width"]) + ((3, 3) if s["layer"] == "Conv2d" else ())
        with ms.random.seeded(s["seed"]):        # as after ms.set_seed(seed); the notebook's sequence is kept
            if kept is None:
                inputs = _init.initializer(_init.Normal(sigma=1.0), shape).init_data()
                target = _init.initializer(_init.Normal(sigma=1.0), shape).init_data()
                weights = []
            else:
                _, inputs, target, weights, state = kept
                ms.random.generator().bit_generator.state = state
            weights = weights + [_init.initializer(init, weight).init_data().asnumpy()
                                 for _ in range(s["depth"] - len(weights))]
            return key, inputs, target, weights, ms.random.generator().bit_generator.state

    @staticmethod
    def _weights(s, drawn):
        """The ``depth`` weight arrays of settings ``s`` from ``drawn`` (new arrays, never the kept ones)."""
        scale = np.float32(s["sigma"]) if s["init"] == "normal" else None
        return [array * scale if scale is not None else array.copy() for array in drawn[3][:s["depth"]]]

    def _build(self, s, weights):
        """The engine network of settings ``s`` with these weights (biases zeros, as drawn)."""
        act, cells = _ACT_CELLS[s["activation"]], []
        for weight in weights:
            cells += [self._layer(s, ms.Tensor(weight))] + ([getattr(nn, act)()] if act else [])
        return nn.SequentialCell(cells)

    @property
    def network(self):
        """The engine ``SequentialCell`` (built on first use: a Dense stack on the CPU is measured
        without it)."""
        if self._network is None:
            self._network = self._build(self.settings, self._weights(self.settings, self._drawn))
        return self._network

    # ---- measuring -------------------------------------------------------------------------------
    def _measure(self, s, inputs, target, weights=None, network=None):
        """Per-layer statistics of one forward and backward pass: through the engine ``network``
        with ``ms.grad`` (``_engine_pass``) or, for a Dense stack given as its ``weights``, the
        same float32 pass written out in NumPy (``_dense_pass``), without the autograd tape that
        costs as much as the arithmetic for 10 x Dense(128). A test checks both give the same numbers.
        """
        with np.errstate(all="ignore"):
            if network is not None:
                outputs, input_grads, weight_grads = self._engine_pass(s, network, inputs, target)
            else:
                outputs, input_grads, weight_grads = self._dense_pass(s, weights, inputs, target)
            loss = np.mean((outputs[-1].astype(np.float64) - target.asnumpy()) ** 2)
            return self._summarise(s, outputs, input_grads, weight_grads, loss)

    @staticmethod
    def _engine_pass(s, network, inputs, target):
        step = 2 if _ACT_CELLS[s["activation"]] else 1
        cells = network.cell_list
        loss_cell = nn.MSELoss()

        def forward(x, *probes):
            # h + probe (probe = 0) leaves the values alone; dL/dprobe is dL/d(layer input).
            outputs = []
            for i, probe in enumerate(probes):
                x = cells[i * step](x + probe)
                x = cells[i * step + 1](x) if step == 2 else x
                outputs.append(x)
            return (loss_cell(x, target), *outputs)

        probes = [ms.Tensor(np.zeros(inputs.shape, np.float32)) for _ in range(s["depth"])]
        weights = [cells[i * step].weight for i in range(s["depth"])]
        gradients = ms.grad(forward, tuple(range(1, s["depth"] + 1)), weights, has_aux=True)
        (input_grads, weight_grads), outputs = gradients(inputs, *probes)
        return ([o.asnumpy() for o in outputs], [g.asnumpy() for g in input_grads],
                [g.asnumpy() for g in weight_grads])

    @staticmethod
    def _dense_pass(s, weights, inputs, target):
        """Dense layers h = act(x W^T) (biases are zeros) and MSELoss, forward then backward, in
        NumPy float32."""
        act, slope = _NUMPY_ACTIVATIONS[s["activation"]]
        x, outputs = inputs.asnumpy(), []
        for weight in weights:
            outputs.append(act(x @ weight.T))
            x = outputs[-1]
        grad = (x - target.asnumpy()) * np.float32(2 / x.size)       # d mean((out - target)^2) / d out
        input_grads, weight_grads = [None] * len(weights), [None] * len(weights)
        for i in range(len(weights) - 1, -1, -1):
            grad = grad * slope(outputs[i]) if slope else grad
            weight_grads[i] = grad.T @ (outputs[i - 1] if i else inputs.asnumpy())
            grad = input_grads[i] = grad @ weights[i]
        return outputs, input_grads, weight_grads

    @staticmethod
    def _summarise(s, outputs, input_grads, weight_grads, loss):
        act = s["activation"]
        counts = [histogram_counts(a, act) for a in outputs]
        low, high, bins = BINS[act]

        def norm(array):
            return float(np.linalg.norm(array.astype(np.float64).ravel()))

        return DepthStats(
            mean=np.array([a.mean(dtype=np.float64) for a in outputs]),
            std=np.array([a.std(dtype=np.float64) for a in outputs]),
            flat=np.array([flat_fraction(a, act) for a in outputs]),
            hist=np.array([c for c, _ in counts]), nan=np.array([n for _, n in counts]),
            edges=np.linspace(low, high, bins + 1),
            weight_grad=np.array([norm(g) for g in weight_grads]),
            input_grad=np.array([norm(g) for g in input_grads]),
            loss=float(loss), samples=int(outputs[0].size))

    # ---- reading ---------------------------------------------------------------------------------
    def shown_layers(self, limit=10):
        """0-based indices of at most ``limit`` evenly spaced layers, first and last included.

        >>> DepthModel(depth=30).shown_layers(10)
        [0, 3, 6, 10, 13, 16, 19, 23, 26, 29]
        """
        depth = self.settings["depth"]
        if depth <= limit:
            return list(range(depth))
        return sorted({int(round(i)) for i in np.linspace(0, depth - 1, limit)})

    def block_code(self):
        """One layer and its activation as engine code: ``[nn.Dense(128, 128, weight_init=...), nn.Tanh()]``."""
        s = self.settings
        init, act = self.initializer(), _ACT_CELLS[s["activation"]]
        if s["layer"] == "Dense":
            layer = f"nn.Dense({s['width']}, {s['width']}, weight_init={init!r})"
        else:
            layer = f"nn.Conv2d({s['width']}, {s['width']}, 3, pad_mode='same', weight_init={init!r})"
        return f"[{layer}, nn.{act}()]" if act else f"[{layer}]"

    def code(self):
        """Python that rebuilds this exact network and batch with the engine (pasteable).

        >>> print(DepthModel(depth=2, width=8, activation='relu', init='he_normal').code().splitlines()[-2])
        net = nn.SequentialCell(layers)
        """
        s = self.settings
        names = ", ".join(dict.fromkeys(["initializer", "Normal", type(self.initializer()).__name__]))
        return "\n".join([
            "import sporelab as ms", "from sporelab import nn",
            f"from sporelab.common.initializer import {names}", "",
            f"ms.set_seed({s['seed']})",
            f"x = initializer(Normal(sigma=1.0), {self.input_shape()}).init_data()",
            f"target = initializer(Normal(sigma=1.0), {self.input_shape()}).init_data()",
            "layers = []", f"for _ in range({s['depth']}):", f"    layers += {self.block_code()}",
            "net = nn.SequentialCell(layers)", "loss = nn.MSELoss()(net(x), target)"])
