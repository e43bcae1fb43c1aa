"""The pure model behind ``InitializerExplorer``: one initializer, one weight shape, one seed.

It knows every initializer of ``sporelab.common.initializer`` (MindSpore's) and of
``sporelab.gluon.init`` (Gluon's, named ``'gluon.Xavier'`` ...), with each one's arguments
(default, range or choices), draws the sample through the engine after ``ms.set_seed(seed)``,
works out the theoretical law (mean, std, bounds, density, exact values), the histogram counts
and the line of code that reproduces the sample. No ipywidgets, no matplotlib: NumPy only.

>>> from sporelab.widgets.initializers_model import InitializerModel
>>> model = InitializerModel('XavierUniform', out_channels=64, in_channels=3, kernel_size=3)
>>> model.code()
'initializer(XavierUniform(gain=1.0), [64, 3, 3, 3], ms.float32)'
>>> model.theory().law, model.fans()
('uniform on [-0.09975, 0.09975]', (27, 576))
"""

import math
from dataclasses import dataclass, replace

import numpy as np

import sporelab as ms
from sporelab import gluon
from sporelab._checks import is_int
from sporelab.common import initializer as msinit

from ..i18n import _

from ._init_theory import (Theory, atoms_theory, bilinear_kernel, normal_theory, orthogonal_theory,
                           sparse_theory, truncated_theory, uniform_theory)

__all__ = ["InitializerModel", "Arg", "Result", "INITIALIZER_NAMES"]

_CURVE_POINTS = 200        # the theoretical density's samples: smooth at 1100 px, 1.6 KB on the wire
_NONLINEARITIES = ("leaky_relu", "relu", "linear", "sigmoid", "tanh", "selu", "conv1d", "conv2d",
                   "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


@dataclass(frozen=True)
class Arg:
    """One argument of an initializer, as a control would offer it.

    ``kind`` is 'float' (linear slider), 'log' (log slider; ``low``/``high`` are the values, not
    exponents), 'int', 'choice' (``choices``) or 'optional' (None, or a float in [low, high];
    ``on`` is the value offered when the student switches it on).
    """
    name: str
    default: object
    kind: str = "float"
    low: float = 0.0
    high: float = 1.0
    step: float = 0.01
    choices: tuple = ()
    on: float = 0.0


def _f(name, default, low, high, step):
    return Arg(name, default, "float", low, high, step)


def _log(name, default, low=1e-3, high=1.0):
    return Arg(name, default, "log", low, high, 0.1)


def _c(name, default, choices):
    return Arg(name, default, "choice", choices=tuple(choices))


_SIGMA, _SCALE = _log("sigma", 0.01), _log("scale", 0.07)
_VALUE, _MEAN = _f("value", 0.5, -2.0, 2.0, 0.01), _f("mean", 0.0, -1.0, 1.0, 0.01)
_GAIN = _f("gain", 1.0, 0.0, 3.0, 0.05)
_HE = (_f("negative_slope", 0.0, 0.0, 3.0, 0.01), _c("mode", "fan_in", ("fan_in", "fan_out")),
       _c("nonlinearity", "leaky_relu", _NONLINEARITIES))
_FACTOR = _c("factor_type", "avg", ("avg", "in", "out"))

# name -> (engine class, its arguments); 'gluon.' names are Gluon's initializers.
_CATALOGUE = {
    "Zero": (msinit.Zero, ()), "One": (msinit.One, ()), "Constant": (msinit.Constant, (_VALUE,)),
    "Uniform": (msinit.Uniform, (_SCALE,)), "Normal": (msinit.Normal, (_SIGMA, _MEAN)),
    "TruncatedNormal": (msinit.TruncatedNormal, (
        _SIGMA, _MEAN, Arg("a", None, "optional", -0.5, 0.5, 0.005, on=-0.01),
        Arg("b", None, "optional", -0.5, 0.5, 0.005, on=0.02))),
    "XavierUniform": (msinit.XavierUniform, (_GAIN,)), "XavierNormal": (msinit.XavierNormal, (_GAIN,)),
    "HeUniform": (msinit.HeUniform, _HE), "HeNormal": (msinit.HeNormal, _HE),
    "VarianceScaling": (msinit.VarianceScaling, (
        _f("scale", 1.0, 0.1, 4.0, 0.1), _c("mode", "fan_in", ("fan_in", "fan_out", "fan_avg")),
        _c("distribution", "truncated_normal", ("truncated_normal", "untruncated_normal", "uniform")))),
    "Identity": (msinit.Identity, ()),
    "Dirac": (msinit.Dirac, (Arg("groups", 1, "int", 1, 8, 1),)),
    "Orthogonal": (msinit.Orthogonal, (_GAIN,)),
    "Sparse": (msinit.Sparse, (_f("sparsity", 0.5, 0.0, 1.0, 0.05), _SIGMA)),
    "gluon.Zero": (gluon.init.Zero, ()), "gluon.One": (gluon.init.One, ()),
    "gluon.Constant": (gluon.init.Constant, (_VALUE,)),
    "gluon.Uniform": (gluon.init.Uniform, (_SCALE,)), "gluon.Normal": (gluon.init.Normal, (_SIGMA,)),
    "gluon.Xavier": (gluon.init.Xavier, (_c("rnd_type", "uniform", ("uniform", "gaussian")), _FACTOR,
                                         _f("magnitude", 3.0, 0.1, 6.0, 0.1))),
    "gluon.MSRAPrelu": (gluon.init.MSRAPrelu, (_FACTOR, _f("slope", 0.25, 0.0, 1.0, 0.05))),
    "gluon.Orthogonal": (gluon.init.Orthogonal, (_f("scale", 1.414, 0.0, 3.0, 0.01),
                                                 _c("rand_type", "uniform", ("uniform", "normal")))),
    "gluon.Bilinear": (gluon.init.Bilinear, ()),
}
INITIALIZER_NAMES = tuple(_CATALOGUE)


@dataclass(frozen=True)
class Result:
    """Everything the view draws for one state (arrays are NumPy, numbers are floats).

    ``density`` is the histogram as a probability density (``counts / (n * bin width)``), so it is
    comparable with ``theory.pdf``; ``curve_x``/``curve_y`` is that pdf (the continuous part only,
    with vertical sides at finite bounds), empty when there is none.
    """
    sample: np.ndarray
    counts: np.ndarray
    edges: np.ndarray
    density: np.ndarray
    curve_x: np.ndarray
    curve_y: np.ndarray
    theory: Theory
    mean: float
    std: float
    min: float
    max: float
    fan_in: int
    fan_out: int
    gain: object
    code: str


def _check_int(name, value, low, high):
    if not is_int(value):
        raise TypeError(f"The argument '{name}' must be an int in [{low}, {high}], but got {value!r} "
                        f"of type {type(value).__name__}.")
    if not low <= value <= high:
        raise ValueError(f"The argument '{name}' must be in [{low}, {high}], but got {value}.")
    return int(value)


class InitializerModel:
    """One initializer, with its arguments, applied to a weight of a chosen shape after a seed.

    The shape is ``(out_channels, in_channels)`` (a Dense weight) when ``kernel_size`` is 1, else
    ``(out_channels, in_channels, kernel_size, kernel_size)`` (a Conv2d weight). The model keeps
    the arguments of every initializer, so switching away and back restores them.

    Args:
        name (str): one of ``InitializerModel.names()``, e.g. 'HeUniform' or 'gluon.Xavier'.
        out_channels, in_channels (int): 1 to 256. kernel_size (int): 1 to 9.
        seed (int): >= 0; the sample is drawn right after ``ms.set_seed(seed)``.
        bins (int): histogram bins, 5 to 200.
        **args: arguments of ``name``'s initializer (see ``arguments(name)``).

    Raises:
        ValueError / TypeError: an unknown name or argument, an out-of-range shape, seed or bins.
        (Invalid argument *combinations*, e.g. Dirac on a 2-D shape, raise the engine's error from
        ``sample()`` / ``compute()``.)

    >>> m = InitializerModel('Normal', sigma=0.02, out_channels=8, in_channels=4, kernel_size=1)
    >>> m.shape, m.code()
    ((8, 4), 'initializer(Normal(sigma=0.02, mean=0.0), [8, 4], ms.float32)')
    """

    def __init__(self, name="HeUniform", out_channels=64, in_channels=3, kernel_size=3, seed=0,
                 bins=60, **args):
        self._args = {key: {a.name: a.default for a in spec[1]} for key, spec in _CATALOGUE.items()}
        self._last = None                  # (state, Result) of the last compute()
        self.name = name
        self.set_shape(out_channels, in_channels, kernel_size)
        self.seed, self.bins = seed, bins
        for key, value in args.items():
            self.set_arg(key, value)

    # ---- state ---------------------------------------------------------------------------------
    @staticmethod
    def names():
        """Every initializer name the model knows, MindSpore's first, then Gluon's."""
        return INITIALIZER_NAMES

    @staticmethod
    def arguments(name):
        """The ``Arg`` descriptions of ``name``'s arguments (empty for Zero, Identity ...)."""
        return _CATALOGUE[InitializerModel._check_name(name)][1]

    @staticmethod
    def _check_name(name):
        if name not in _CATALOGUE:
            raise ValueError(f"The argument 'name' must be one of {', '.join(INITIALIZER_NAMES)}, "
                             f"but got {name!r}.")
        return name

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, value):
        self._name = self._check_name(value)

    @property
    def args(self):
        """The current initializer's arguments (a copy)."""
        return dict(self._args[self._name])

    def set_arg(self, key, value, name=None):
        """Set argument ``key`` of initializer ``name`` (default: the current one).

        Raises:
            ValueError: ``key`` is not an argument of that initializer.
        """
        name = self._check_name(name or self._name)
        if key not in self._args[name]:
            known = ", ".join(self._args[name]) or "none"
            raise ValueError(f"{name} has no argument {key!r}; its arguments are: {known}.")
        self._args[name][key] = value

    def set_shape(self, out_channels, in_channels, kernel_size):
        """Set the weight shape; ``kernel_size`` 1 gives a 2-D (Dense) shape."""
        checked = (_check_int("out_channels", out_channels, 1, 256),
                   _check_int("in_channels", in_channels, 1, 256),
                   _check_int("kernel_size", kernel_size, 1, 9))
        self.out_channels, self.in_channels, self.kernel_size = checked      # all or nothing

    @property
    def seed(self):
        return self._seed

    @seed.setter
    def seed(self, value):
        self._seed = _check_int("seed", value, 0, 2 ** 32 - 1)

    @property
    def bins(self):
        return self._bins

    @bins.setter
    def bins(self, value):
        self._bins = _check_int("bins", value, 5, 200)

    @property
    def shape(self):
        out, inp, k = self.out_channels, self.in_channels, self.kernel_size
        return (out, inp) if k == 1 else (out, inp, k, k)

    @property
    def is_gluon(self):
        return self._name.startswith("gluon.")

    # ---- the engine ----------------------------------------------------------------------------
    def build(self):
        """The engine's initializer object for the current name and arguments (engine errors pass)."""
        return _CATALOGUE[self._name][0](**self._args[self._name])

    def sample(self):
        """The weights, float32, drawn right after ``ms.set_seed(seed)`` exactly as ``code()`` does."""
        init = self.build()
        with ms.random.seeded(self._seed):       # as after ms.set_seed(seed); the notebook's sequence is kept
            if self.is_gluon:
                values = np.zeros(self.shape, np.float32)      # what gluon.Parameter.initialize fills
                init(values)
                return values
            return msinit.initializer(init, list(self.shape), ms.float32).asnumpy()

    def code(self):
        """The line of Python that reproduces ``sample()`` after ``ms.set_seed(seed)``.

        MindSpore's: an expression (needs ``import sporelab as ms`` and
        ``from sporelab.common.initializer import *``); its ``.asnumpy()`` is the sample. Gluon's:
        two statements (needs ``from sporelab import gluon``) after which ``w.data().asnumpy()``
        is the sample.
        """
        init, shape = self.build(), self.shape
        if self.is_gluon:
            return (f"w = gluon.Parameter('weight', shape={shape}, init=gluon.init.{init!r}); "
                    f"w.initialize()")
        return f"initializer({init!r}, {list(shape)}, ms.float32)"

    def snippet(self):
        """A complete, pasteable cell: imports, ``ms.set_seed``, ``code()`` and ``w`` as NumPy."""
        if self.is_gluon:
            head, tail = "from sporelab import gluon", "w = w.data().asnumpy()"
            line = self.code()
        else:
            head, tail = "from sporelab.common.initializer import *", None
            line = f"w = {self.code()}.asnumpy()"
        lines = ["import sporelab as ms", head, f"ms.set_seed({self._seed})", line, tail]
        return "\n".join(line for line in lines if line)

    # ---- theory --------------------------------------------------------------------------------
    def fans(self):
        """``(fan_in, fan_out)`` of the shape, from the engine's ``calculate_fan_in_and_fan_out``."""
        return msinit.calculate_fan_in_and_fan_out(self.shape)

    def gain(self):
        """The gain ``g`` in ``std = g / sqrt(fan)`` (fan: the one the initializer uses), or the
        orthogonal gain/scale; None where the initializer has none (Normal, Zero, ...)."""
        name, a = self._name, self._args[self._name]
        if name in ("XavierUniform", "XavierNormal", "Orthogonal"):
            return float(a["gain"])
        if name in ("HeUniform", "HeNormal"):
            return float(msinit.calculate_gain(a["nonlinearity"], a["negative_slope"]))
        if name == "VarianceScaling":
            return math.sqrt(a["scale"])
        if name == "gluon.Xavier":
            return math.sqrt(a["magnitude"] / (3.0 if a["rnd_type"] == "uniform" else 1.0))
        if name == "gluon.MSRAPrelu":
            return math.sqrt(2.0 / (1 + a["slope"] ** 2))
        if name == "gluon.Orthogonal":
            return abs(float(a["scale"]))
        return None

    def theory(self):
        """The theoretical law of the current sample (see ``Theory``), derived from the formulas.

        Raises:
            TypeError/ValueError: the engine's, for invalid arguments. (A shape the initializer
            cannot fill, e.g. Dirac on 2-D, is reported by ``sample()``, not here.)
        """
        self.build()                  # the engine validates the arguments and words the error
        name, a, shape = self._name, self._args[self._name], self.shape
        constant = {"Zero": 0.0, "One": 1.0, "gluon.Zero": 0.0, "gluon.One": 1.0}
        if name in constant:
            return atoms_theory(((constant[name], 1.0),), _("constant {value:g}").format(value=constant[name]))
        if name in ("Constant", "gluon.Constant"):
            return atoms_theory(((float(a["value"]), 1.0),), _("constant {value:g}").format(value=a["value"]))
        if name in ("Uniform", "gluon.Uniform"):
            return uniform_theory(a["scale"])
        if name in ("Normal", "gluon.Normal"):
            return normal_theory(a.get("mean", 0.0), a["sigma"])
        if name == "TruncatedNormal":
            mean, sigma = a["mean"], a["sigma"]
            low, high = (mean - 2 * sigma, mean + 2 * sigma) if a["a"] is None else (a["a"], a["b"])
            return truncated_theory(mean, sigma, low, high)
        return self._shaped_theory(name, a, shape)

    def _fan(self, mode):
        fan_in, fan_out = self.fans()
        return {"fan_in": fan_in, "in": fan_in, "fan_out": fan_out, "out": fan_out,
                "fan_avg": (fan_in + fan_out) / 2, "avg": (fan_in + fan_out) / 2}[mode]

    def _shaped_theory(self, name, a, shape):
        gain = self.gain()
        if name in ("XavierUniform", "HeUniform"):
            fan = self._fan("avg" if name == "XavierUniform" else a["mode"])
            return uniform_theory(gain * math.sqrt(3.0 / fan))
        if name in ("XavierNormal", "HeNormal"):
            fan = self._fan("avg" if name == "XavierNormal" else a["mode"])
            return normal_theory(0.0, gain / math.sqrt(fan))
        if name == "VarianceScaling":
            std = math.sqrt(a["scale"] / max(1.0, self._fan(a["mode"])))
            if a["distribution"] == "uniform":
                return uniform_theory(math.sqrt(3.0) * std)
            if a["distribution"] == "untruncated_normal":
                return normal_theory(0.0, std)
            sigma = std / 0.87962566103423978        # the constant the definition (TensorFlow's) uses
            return truncated_theory(0.0, sigma, -2 * sigma, 2 * sigma)
        if name in ("gluon.Xavier", "gluon.MSRAPrelu"):
            std = gain / math.sqrt(self._fan(a["factor_type"]))
            if name == "gluon.Xavier" and a["rnd_type"] == "uniform":
                return uniform_theory(math.sqrt(3.0) * std)
            return normal_theory(0.0, std)
        return self._structured_theory(name, a, shape)

    def _structured_theory(self, name, a, shape):
        size = math.prod(shape)
        if name == "Identity":
            ones = min(shape[0], shape[1]) / size if len(shape) == 2 else 0.0
            return atoms_theory(((0.0, 1 - ones), (1.0, ones)), _("identity matrix: 0 or 1"), "structured")
        if name == "Dirac":
            groups = a["groups"]
            ones = groups * min(shape[0] // groups, shape[1]) / size
            return atoms_theory(((0.0, 1 - ones), (1.0, ones)), _("Dirac kernel: 0 or 1"), "structured")
        if name in ("Orthogonal", "gluon.Orthogonal"):
            exact = name == "Orthogonal" or a["rand_type"] == "normal"
            return orthogonal_theory(self.gain(), shape[0], size // shape[0], exact)
        if name == "Sparse":
            zeros = math.ceil(a["sparsity"] * shape[0]) / shape[0]     # the engine's own count
            return sparse_theory(zeros, a["sigma"])
        if name == "gluon.Bilinear":
            kernel = bilinear_kernel(shape[2], shape[3]) if len(shape) == 4 else np.zeros((1, 1))
            values, counts = np.unique(kernel, return_counts=True)
            pairs = tuple(zip(values.tolist(), (counts / kernel.size).tolist()))
            return atoms_theory(pairs, _("bilinear upsampling kernel"), "deterministic")
        raise ValueError(f"No theory for {name!r}.")     # unreachable: every name is handled above

    # ---- everything at once --------------------------------------------------------------------
    def default_range(self, values, theory):
        """The x-range a histogram of ``values`` needs: sample and theoretical bounds, padded.

        Finite bounds fall on bin edges (3 bins of margin), exact values at bin centres. Bounds
        farther than 5 std from the mean (an orthogonal matrix's +-gain, a truncation far in the
        tails) are left out: they would squash the histogram into a few bins.
        """
        bins = self._bins
        low, high = float(values.min()), float(values.max())
        if theory.pdf is None:                            # exact values only
            if high == low:
                width = max(abs(low), 1.0) / bins
                return low - (bins // 2 + 0.5) * width, low + (bins - bins // 2 - 0.5) * width
            width = (high - low) / (bins - 7)
            return low - 3.5 * width, high + 3.5 * width
        near = max(theory.high - theory.mean, theory.mean - theory.low) <= 5 * theory.std
        if math.isfinite(theory.low) and math.isfinite(theory.high) and near:
            low, high = min(low, theory.low), max(high, theory.high)
            width = (high - low) / (bins - 6)
            return low - 3 * width, high + 3 * width
        low = min(low, theory.mean - 4.5 * theory.std)
        high = max(high, theory.mean + 4.5 * theory.std)
        pad = 0.06 * (high - low)
        return low - pad, high + pad

    def compute(self, x_range=None):
        """Sample, histogram, theory, statistics and code of the current state, as a ``Result``.

        The last state's result is kept: asking again for an unchanged state (compare mode's other
        side) costs no new draw. Its arrays are read-only.

        Args:
            x_range (tuple): (low, high) of the histogram; default ``default_range`` (the view
                passes a common range to compare two initializers on one x-axis).

        Raises:
            the engine's TypeError/ValueError for an invalid combination (e.g. Dirac on 2-D).
        """
        key = (self._name, tuple(sorted(self._args[self._name].items())), self.shape, self._seed, self._bins)
        if self._last is None or self._last[0] != key:
            self._last = None                     # an engine error below leaves nothing stale
            self._last = (key, self._fresh_result())
        result = self._last[1]
        return result if x_range is None else self.rebin(result, x_range)

    def _fresh_result(self):
        values = self.sample()
        theory = self.theory()
        fan_in, fan_out = self.fans()
        empty = np.empty(0)
        result = Result(values, empty, empty, empty, empty, empty, theory,
                        float(values.mean(dtype=np.float64)), float(values.std(dtype=np.float64)),
                        float(values.min()), float(values.max()), fan_in, fan_out, self.gain(), self.code())
        result = self.rebin(result, self.default_range(values, theory))
        for array in (result.sample, result.counts, result.edges, result.density, result.curve_x,
                      result.curve_y):
            array.flags.writeable = False
        return result

    def rebin(self, result, x_range):
        """``result`` with its histogram and density curve recomputed over ``x_range`` (no new draw).

        >>> m = InitializerModel('Uniform', scale=0.5, kernel_size=1)
        >>> m.rebin(m.compute(), (-1.0, 1.0)).edges[[0, -1]].tolist()
        [-1.0, 1.0]
        """
        low, high = float(x_range[0]), float(x_range[1])
        # In float64, NumPy's edges are exactly ``edges`` below (a float32 sample would give float32
        # edges), so the counts are those of the edges the figure draws.
        counts, edges = np.histogram(result.sample.astype(np.float64), bins=self._bins, range=(low, high))
        density = counts / (result.sample.size * (edges[1] - edges[0]))
        curve_x, curve_y = result.theory.curve(low, high, _CURVE_POINTS)
        return replace(result, counts=counts, edges=edges, density=density, curve_x=curve_x,
                       curve_y=curve_y)
