"""InitializerModel (theory against large samples, the reproducing code line), its figure
description (the model's numbers, hard values) and the headless InitializerExplorer (every control
at its minimum, middle and maximum redraws with the model's numbers, errors shown in the widget)."""

import math
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab.common import initializer as msinit
from sporelab.widgets._figure import render_png, resolve, to_wire
from sporelab.widgets._init_theory import truncated_moments
from sporelab.widgets.initializers import InitializerExplorer
from sporelab.widgets.initializers_figure import PALETTE, figure_description
from sporelab.widgets.initializers_model import InitializerModel

BIG = {"out_channels": 64, "in_channels": 64, "kernel_size": 5}        # 102400 weights
DENSE = {"out_channels": 256, "in_channels": 200, "kernel_size": 1}    # 51200 weights, 2-D


# ---- the model: names, arguments, code --------------------------------------------------------

def test_names_cover_both_faces_and_arguments_are_described():
    names = InitializerModel.names()
    for name in ("Zero", "One", "Constant", "Uniform", "Normal", "TruncatedNormal", "XavierUniform",
                 "XavierNormal", "HeUniform", "HeNormal", "VarianceScaling", "Identity", "Dirac",
                 "Orthogonal", "Sparse", "gluon.Xavier", "gluon.MSRAPrelu", "gluon.Uniform",
                 "gluon.Normal", "gluon.Orthogonal", "gluon.Bilinear"):
        assert name in names
    he = {a.name: a for a in InitializerModel.arguments("HeUniform")}
    assert list(he) == ["negative_slope", "mode", "nonlinearity"]
    assert he["mode"].choices == ("fan_in", "fan_out") and he["negative_slope"].default == 0.0
    assert InitializerModel.arguments("Identity") == ()


def test_code_lines_are_exact():
    model = InitializerModel()
    assert model.shape == (64, 3, 3, 3)
    assert model.code() == ("initializer(HeUniform(negative_slope=0.0, mode='fan_in', "
                            "nonlinearity='leaky_relu'), [64, 3, 3, 3], ms.float32)")
    model = InitializerModel("gluon.Xavier", rnd_type="gaussian", magnitude=3, kernel_size=1)
    assert model.code() == ("w = gluon.Parameter('weight', shape=(64, 3), init=gluon.init.Xavier("
                            "rnd_type='gaussian', factor_type='avg', magnitude=3)); w.initialize()")
    model = InitializerModel("TruncatedNormal", sigma=0.02, a=-0.01, b=0.03, kernel_size=1,
                             out_channels=8, in_channels=4, seed=5)
    line = "initializer(TruncatedNormal(sigma=0.02, mean=0.0, a=-0.01, b=0.03), [8, 4], ms.float32)"
    assert model.code() == line
    assert model.snippet().splitlines() == [
        "import sporelab as ms", "from sporelab.common.initializer import *", "ms.set_seed(5)",
        f"w = {line}.asnumpy()"]


# One non-default, valid setting per initializer: (name, kernel_size, args).
SETTINGS = [
    ("Zero", 3, {}), ("One", 1, {}), ("Constant", 3, {"value": -0.25}), ("Uniform", 3, {"scale": 0.2}),
    ("Normal", 3, {"sigma": 0.05, "mean": 0.1}), ("TruncatedNormal", 3, {"sigma": 0.1}),
    ("TruncatedNormal", 1, {"sigma": 0.1, "mean": 0.05, "a": -0.05, "b": 0.25}),
    ("XavierUniform", 3, {"gain": 2.0}), ("XavierNormal", 1, {"gain": 0.5}),
    ("HeUniform", 3, {"negative_slope": 0.2, "mode": "fan_out"}),
    ("HeNormal", 3, {"nonlinearity": "tanh", "mode": "fan_in"}),
    ("VarianceScaling", 3, {"scale": 2.0, "mode": "fan_avg"}),
    ("VarianceScaling", 3, {"distribution": "uniform", "mode": "fan_out"}),
    ("VarianceScaling", 1, {"distribution": "untruncated_normal"}),
    ("Identity", 1, {}), ("Dirac", 3, {"groups": 2}), ("Orthogonal", 3, {"gain": 1.5}),
    ("Orthogonal", 1, {}), ("Sparse", 1, {"sparsity": 0.3, "sigma": 0.05}),
    ("gluon.Zero", 1, {}), ("gluon.One", 3, {}), ("gluon.Constant", 3, {"value": 1.5}),
    ("gluon.Uniform", 3, {"scale": 0.3}), ("gluon.Normal", 3, {"sigma": 0.2}),
    ("gluon.Xavier", 3, {"rnd_type": "gaussian", "factor_type": "in", "magnitude": 2.0}),
    ("gluon.Xavier", 1, {}), ("gluon.MSRAPrelu", 3, {"factor_type": "out", "slope": 0.1}),
    ("gluon.Orthogonal", 3, {"scale": 1.0, "rand_type": "normal"}),
    ("gluon.Orthogonal", 1, {"rand_type": "uniform"}), ("gluon.Bilinear", 4, {}),
]


def _model(name, kernel, args, **shape):
    shape = {"out_channels": 16, "in_channels": 6, "kernel_size": kernel, "seed": 11, **shape}
    return InitializerModel(name, **shape, **args)


@pytest.mark.parametrize("name, kernel, args", SETTINGS)
def test_code_reproduces_the_sample_bitwise(name, kernel, args):
    model = _model(name, kernel, args)
    sample = model.sample()
    assert sample.dtype == np.float32 and sample.shape == model.shape
    namespace = {"ms": ms, "np": np, "gluon": ms.gluon}
    exec("from sporelab.common.initializer import *", namespace)  # noqa: S102 -- the explorer's shown code runs as shown
    ms.set_seed(model.seed)
    if model.is_gluon:
        exec(model.code(), namespace)  # noqa: S102 -- as above
        again = namespace["w"].data().asnumpy()
    else:
        again = eval(model.code(), namespace).asnumpy()
    assert again.dtype == np.float32 and again.tobytes() == sample.tobytes()
    snippet = {}
    exec(model.snippet(), snippet)  # noqa: S102 -- as above
    assert snippet["w"].tobytes() == sample.tobytes()


def test_seed_makes_the_sample_reproducible():
    model = InitializerModel("HeNormal", seed=3)
    first = model.sample()
    ms.set_seed(99)                     # whatever happened before: the model reseeds
    assert model.sample().tobytes() == first.tobytes()
    model.seed = 4
    assert model.sample().tobytes() != first.tobytes()


# ---- the model: theory against large samples --------------------------------------------------

def _bin_masses(theory, edges, per_bin=40):
    """The theoretical probability of each bin: the continuous part integrated, atoms added."""
    grid = np.linspace(edges[0], edges[-1], (edges.size - 1) * per_bin + 1)
    values = theory.pdf(grid) if theory.pdf else np.zeros_like(grid)
    cells = (values[:-1] + values[1:]) / 2 * np.diff(grid)
    masses = cells.reshape(-1, per_bin).sum(axis=1)
    for value, share in theory.atoms:
        index = min(np.searchsorted(edges, value, "right") - 1, masses.size - 1)
        masses[index] += share
    return masses


CONTINUOUS = [
    ("Uniform", BIG, {"scale": 0.2}), ("Normal", BIG, {"sigma": 0.05, "mean": 0.1}),
    ("TruncatedNormal", BIG, {"sigma": 0.1}),
    ("TruncatedNormal", BIG, {"sigma": 0.1, "mean": 0.05, "a": -0.05, "b": 0.25}),
    ("TruncatedNormal", BIG, {"sigma": 0.01, "mean": 0.0, "a": 0.03, "b": 0.06}),   # a far tail
    ("XavierUniform", BIG, {"gain": 2.0}), ("XavierNormal", BIG, {"gain": 0.5}),
    ("HeUniform", BIG, {"negative_slope": 0.2, "mode": "fan_out"}),
    ("HeNormal", BIG, {"nonlinearity": "relu"}), ("VarianceScaling", BIG, {"scale": 2.0}),
    ("VarianceScaling", BIG, {"mode": "fan_avg", "distribution": "uniform"}),
    ("VarianceScaling", BIG, {"mode": "fan_out", "distribution": "untruncated_normal"}),
    ("gluon.Uniform", BIG, {"scale": 0.3}), ("gluon.Normal", BIG, {"sigma": 0.2}),
    ("gluon.Xavier", BIG, {"rnd_type": "gaussian", "factor_type": "in"}),
    ("gluon.Xavier", BIG, {}), ("gluon.MSRAPrelu", BIG, {"slope": 0.1}),
    ("Sparse", DENSE, {"sparsity": 0.3, "sigma": 0.05}),
    ("Orthogonal", BIG, {"gain": 1.5}), ("Orthogonal", DENSE, {}),
    ("gluon.Orthogonal", BIG, {"rand_type": "normal"}), ("gluon.Orthogonal", BIG, {}),
]


@pytest.mark.parametrize("name, shape, args", CONTINUOUS)
def test_theory_matches_a_large_sample(name, shape, args):
    """Mean within 5 standard errors, std within 1.5 %, every value inside the bounds, and the
    histogram within total-variation 0.03 of the theoretical bin probabilities (seed 0)."""
    model = InitializerModel(name, seed=0, **shape, **args)
    result = model.compute()
    theory, n = result.theory, result.sample.size
    assert n >= 5 * 10 ** 4
    assert abs(result.mean - theory.mean) <= 5 * theory.std / math.sqrt(n)
    assert result.std == pytest.approx(theory.std, rel=0.015)
    assert theory.low <= result.min and result.max <= theory.high
    masses = _bin_masses(theory, result.edges)
    assert 0.5 * np.abs(result.counts / n - masses).sum() < 0.03


def test_theory_of_structured_initializers_is_exact():
    identity = InitializerModel("Identity", out_channels=6, in_channels=10, kernel_size=1).compute()
    assert identity.theory.mean == pytest.approx(6 / 60) == identity.mean
    assert identity.theory.std == pytest.approx(math.sqrt(0.1 * 0.9)) == pytest.approx(identity.std)
    assert identity.theory.atoms == ((0.0, 0.9), (1.0, pytest.approx(0.1)))
    dirac = InitializerModel("Dirac", groups=2, out_channels=6, in_channels=4, kernel_size=3).compute()
    assert dirac.theory.mean == pytest.approx(6 / (6 * 4 * 9)) == pytest.approx(dirac.mean)
    assert dirac.theory.std == pytest.approx(dirac.std, rel=1e-6)
    bilinear = InitializerModel("gluon.Bilinear", out_channels=2, in_channels=3, kernel_size=4).compute()
    assert bilinear.theory.mean == pytest.approx(bilinear.mean, rel=1e-6)
    assert bilinear.theory.std == pytest.approx(bilinear.std, rel=1e-6)
    assert (bilinear.theory.low, bilinear.theory.high) == (0.0625, 0.5625)
    assert bilinear.min == 0.0625 and bilinear.max == 0.5625
    constant = InitializerModel("Constant", value=-0.25).compute()
    assert constant.theory.atoms == ((-0.25, 1.0),) and constant.theory.std == 0 == constant.std
    assert InitializerModel("gluon.One").compute().theory.mean == 1.0
    assert InitializerModel("Normal", sigma=0.0, mean=0.3).theory().atoms == ((0.3, 1.0),)


def test_sparse_zero_share_and_orthogonal_norms_are_exact():
    model = InitializerModel("Sparse", sparsity=0.3, sigma=0.05, out_channels=10, in_channels=200,
                             kernel_size=1)
    sample = model.sample()
    assert model.theory().atoms == ((0.0, pytest.approx(0.3)),)   # ceil(0.3 * 10) = 3 of 10 rows
    assert np.all((sample == 0).sum(axis=0) == 3)
    for name, key in (("Orthogonal", "gain"), ("gluon.Orthogonal", "scale")):
        for shape in ({"out_channels": 12, "in_channels": 5, "kernel_size": 3},
                      {"out_channels": 100, "in_channels": 7, "kernel_size": 1}):
            model = InitializerModel(name, **{key: 1.7}, **shape)
            sample, theory = model.sample().astype(np.float64), model.theory()
            assert math.sqrt(np.mean(sample ** 2)) == pytest.approx(theory.std, rel=1e-5)
            assert np.abs(sample).max() <= theory.high + 1e-6
    assert InitializerModel("Orthogonal", out_channels=1, in_channels=1, kernel_size=1,
                            gain=2.0).theory().atoms == ((-2.0, 0.5), (2.0, 0.5))


@pytest.mark.parametrize("alpha, beta", [(-2, 2), (-0.5, 3), (1, 1.5), (-math.inf, 0.3), (40, 41),
                                         (-1e3, -999.5), (3, math.inf)])
def test_truncated_moments_against_numerical_integration(alpha, beta):
    mean, std, _ = truncated_moments(alpha, beta)
    low = alpha if math.isfinite(alpha) else min(beta, 0.0) - 60
    high = beta if math.isfinite(beta) else max(alpha, 0.0) + 60
    centre = min(max(0.0, low), high)          # integrate the density relative to its peak
    z = np.linspace(low, high, 400001)
    weight = np.exp(-0.5 * (z * z - centre * centre))
    area = np.trapezoid(weight, z)
    numeric_mean = np.trapezoid(z * weight, z) / area
    numeric_std = math.sqrt(np.trapezoid((z - numeric_mean) ** 2 * weight, z) / area)
    assert mean == pytest.approx(numeric_mean, rel=1e-6, abs=1e-9)
    assert std == pytest.approx(numeric_std, rel=1e-4)


def test_variance_scaling_truncated_keeps_the_variance():
    model = InitializerModel("VarianceScaling", scale=2.0, mode="fan_in", **BIG)
    assert model.theory().std == pytest.approx(math.sqrt(2.0 / (64 * 25)), rel=1e-9)


def test_fans_and_gain_come_from_the_engine():
    model = InitializerModel("HeUniform")
    assert model.fans() == (27, 576) == msinit.calculate_fan_in_and_fan_out((64, 3, 3, 3))
    assert model.gain() == pytest.approx(math.sqrt(2))
    pytorch_default = InitializerModel("HeUniform", negative_slope=math.sqrt(5))
    assert pytorch_default.gain() == pytest.approx(math.sqrt(1 / 3))
    assert InitializerModel("gluon.Xavier").gain() == pytest.approx(1.0)
    assert InitializerModel("gluon.Xavier", rnd_type="gaussian").gain() == pytest.approx(math.sqrt(3))
    assert InitializerModel("gluon.MSRAPrelu", slope=0.0).gain() == pytest.approx(math.sqrt(2))
    assert InitializerModel("Normal").gain() is None
    he = InitializerModel("HeUniform").theory()
    assert he.high == pytest.approx(math.sqrt(6 / 27)) and he.law == "uniform on [-0.4714, 0.4714]"


# ---- the model: errors ------------------------------------------------------------------------

def test_model_argument_errors_name_the_argument():
    with pytest.raises(ValueError, match="'name'.*HeUniform"):
        InitializerModel("he_uniform")
    with pytest.raises(ValueError, match="HeUniform has no argument 'gain'"):
        InitializerModel("HeUniform", gain=2.0)
    with pytest.raises(ValueError, match="'out_channels' must be in \\[1, 256\\]"):
        InitializerModel(out_channels=0)
    with pytest.raises(TypeError, match="'seed' must be an int"):
        InitializerModel(seed=1.5)
    with pytest.raises(TypeError, match="'kernel_size'"):
        InitializerModel(kernel_size=True)
    with pytest.raises(ValueError, match="'bins'"):
        InitializerModel(bins=1)


@pytest.mark.parametrize("name, kernel, args, message", [
    ("Dirac", 1, {}, "Dirac initializer, only support"), ("Identity", 3, {}, "should be 2, but got 4"),
    ("Sparse", 1, {"sparsity": 1.5}, "'sparsity' must be <= 1"),
    ("Dirac", 3, {"groups": 5}, "divisible by groups"),
    ("TruncatedNormal", 1, {"a": -0.01}, "give both 'a' and 'b'"),
    ("gluon.Bilinear", 1, {}, "needs a 4-D weight"),
])
def test_invalid_combinations_raise_the_engines_error(name, kernel, args, message):
    with pytest.raises(ValueError, match=message):
        _model(name, kernel, args).compute()


@settings(max_examples=30, deadline=None)
@given(st.integers(-5, 300), st.integers(-5, 300), st.integers(-2, 12))
def test_shape_checks_accept_exactly_the_documented_ranges(out, inp, kernel):
    model = InitializerModel()
    valid = 1 <= out <= 256 and 1 <= inp <= 256 and 1 <= kernel <= 9
    if valid:
        model.set_shape(out, inp, kernel)
        assert model.shape[:2] == (out, inp)
    else:
        with pytest.raises(ValueError):
            model.set_shape(out, inp, kernel)
        assert model.shape == (64, 3, 3, 3)        # a rejected shape changes nothing


def test_rebin_and_default_range():
    model = InitializerModel("Uniform", scale=0.5, kernel_size=1)
    result = model.compute()
    assert result.edges[0] < -0.5 and result.edges[-1] > 0.5 and result.counts.sum() == 192
    wide = model.rebin(result, (-2.0, 2.0))
    assert wide.edges[[0, -1]].tolist() == [-2.0, 2.0] and wide.counts.sum() == 192
    assert wide.sample is result.sample
    ortho = InitializerModel("Orthogonal", **BIG)
    low, high = ortho.default_range(ortho.sample(), ortho.theory())
    assert high < 0.2           # +-gain = +-1 is 40 std away: left out of the range


def test_compute_keeps_the_last_result_until_the_state_changes():
    model = InitializerModel("HeNormal", kernel_size=1)
    first = model.compute()
    assert model.compute() is first and not first.density.flags.writeable
    assert not first.sample.flags.writeable
    model.set_arg("gain", 2.0, name="XavierUniform")           # another initializer's argument
    assert model.compute() is first
    model.set_arg("mode", "fan_out")
    second = model.compute()
    assert second is not first and second.theory.std != first.theory.std
    model.seed = 1
    assert not np.array_equal(model.compute().sample, second.sample)
    model.set_arg("mode", "fan_in")
    model.seed = 0
    assert model.compute() is not first and model.compute().sample.tobytes() == first.sample.tobytes()
    wide = model.compute((-5.0, 5.0))
    assert wide.edges[[0, -1]].tolist() == [-5.0, 5.0] and model.compute().edges[0] > -5
    model.name = "Dirac"                                       # an engine error keeps nothing stale
    with pytest.raises(ValueError, match="Dirac"):
        model.compute()
    with pytest.raises(ValueError, match="Dirac"):
        model.compute()


def test_model_imports_neither_ipywidgets_nor_matplotlib():
    code = ("import sys; import sporelab.widgets.initializers_model as m; m.InitializerModel().compute(); "
            "print('ipywidgets' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]



# ---- the figure description -------------------------------------------------------------------

# Samples of a single value: constants, zero width, a single weight (1x1 Dense).
ONE = {"out_channels": 1, "in_channels": 1, "kernel_size": 1}
HARD = [("Constant", {}, {"value": -2.0}), ("Zero", {}, {}), ("gluon.Zero", {}, {}),
        ("Orthogonal", {}, {"gain": 0.0}), ("Sparse", {"kernel_size": 1}, {"sparsity": 1.0}),
        ("HeUniform", ONE, {}), ("Normal", ONE, {"sigma": 1.0}), ("Orthogonal", ONE, {}),
        ("Constant", ONE, {}), ("TruncatedNormal", ONE, {}), ("gluon.Bilinear", {"kernel_size": 1}, {})]


def _marks(description, kind, label=None):
    return [m for m in description["panels"][0]["marks"]
            if m["type"] == kind and (label is None or m.get("label") == label)]


def _histogram_models():
    """Every SETTINGS entry, single weights, the single-value samples and 102400 weights."""
    models = [_model(name, kernel, args) for name, kernel, args in SETTINGS]
    models += [InitializerModel(name, **ONE) for name in ("HeNormal", "Orthogonal")]
    models += [InitializerModel(name, **{**shape, **args}) for name, shape, args in HARD[:-1]]
    return models + [InitializerModel("HeUniform", **BIG)]


def test_histogram_heights_integrate_to_one_and_are_numpys_histogram():
    """The density is a probability density over the drawn edges, exactly NumPy's own histogram
    of the sample on those edges; a wider range (compare mode's common one) keeps both."""
    for model in _histogram_models():
        result = model.compute()
        for rebinned in (result, model.rebin(result, (-3.0, 3.0))):
            edges, density = rebinned.edges, rebinned.density
            assert abs(float(np.sum(density * np.diff(edges))) - 1.0) <= 1e-12, model.name
            counts, numpy_edges = np.histogram(rebinned.sample, bins=edges)
            assert np.array_equal(rebinned.counts, counts) and np.array_equal(numpy_edges, edges)
            expected, _ = np.histogram(rebinned.sample, bins=edges, density=True)
            np.testing.assert_allclose(density, expected, rtol=1e-12, atol=0)
            drawn = _marks(figure_description([("", model.name, rebinned)]), "stairs")[0]
            assert drawn["heights"] is density and drawn["edges"] is edges


def test_description_draws_the_models_numbers():
    result = InitializerModel("Sparse", sparsity=0.05, sigma=0.05, kernel_size=1, in_channels=64).compute()
    figure = figure_description([("", "Sparse", result)])
    panel, width = figure["panels"][0], result.edges[1] - result.edges[0]
    (curve,) = _marks(figure, "line", "theory")
    assert curve["x"] is result.curve_x and curve["y"] is result.curve_y and curve["x"].size <= 202
    (exact,) = _marks(figure, "line", "exact")        # 4 of 64 rows zero: a diamond, not clipped
    assert exact["x"].tolist() == [0.0] and exact["y"][0] == pytest.approx(4 / 64 / width)
    assert exact["marker"] == "D" and exact["width"] == 0
    assert panel["x"]["lim"] == [result.edges[0], result.edges[-1]] and panel["y"]["lim"][0] == 0
    assert panel["y"]["lim"][1] >= exact["y"][0]
    assert [i["label"] for i in panel["legend"]["items"]] == ["sample", "theory", "exact"]
    uniform = InitializerModel("HeUniform").compute()
    rules = _marks(figure_description([("", "HeUniform", uniform)]), "rule")
    assert [r["value"] for r in rules] == [uniform.theory.low, uniform.theory.high]
    assert {r["dash"] for r in rules} == {"dashed"}
    assert "HeUniform: uniform on [-0.4714, 0.4714]" in figure_description([("", "HeUniform", uniform)])["alt"]
    assert "std 0.2722" in figure_description([("", "HeUniform", uniform)])["alt"]


def test_a_spike_of_exact_values_is_clipped_and_noted():
    result = InitializerModel("Sparse", kernel_size=1, in_channels=64).compute()     # 50 % zeros
    figure = figure_description([("", "Sparse", result)])
    (note,) = _marks(figure, "text")
    assert note["text"] == "\u25b2 bar at 0 clipped:\n50 % of the weights are exactly 0"
    assert _marks(figure, "line", "exact") == []            # above the y-limit: no diamond
    assert figure["panels"][0]["y"]["lim"][1] < result.density.max()
    assert "50 % of the weights are exactly 0" in figure["alt"]
    identity = InitializerModel("Identity", kernel_size=1).compute()
    figure = figure_description([("", "Identity", identity)])
    assert _marks(figure, "text") == [] and _marks(figure, "line", "theory")[0]["x"].tolist() == [0.0, 1.0]


def test_compare_overlays_b_in_orange_on_one_x_axis():
    a, b = InitializerModel("HeUniform"), InitializerModel("XavierNormal")
    ra, rb = a.compute(), b.compute()
    span = (min(ra.edges[0], rb.edges[0]), max(ra.edges[-1], rb.edges[-1]))
    ra, rb = a.rebin(ra, span), b.rebin(rb, span)
    figure = figure_description([("A: ", a.name, ra), ("B: ", b.name, rb)])
    a_bars, b_bars = _marks(figure, "stairs")
    assert a_bars["color"] == PALETTE["sample"] and b_bars["color"] == PALETTE["second"] == "#ff7f0e"
    assert np.array_equal(a_bars["edges"], b_bars["edges"]) and b_bars["heights"] is rb.density
    assert _marks(figure, "line", "B theory")[0]["color"] == PALETTE["second"]
    labels = [i["label"] for i in figure["panels"][0]["legend"]["items"]]
    assert labels == ["A sample", "A theory", "A bounds", "B sample", "B theory"]
    assert figure["panels"][0]["title"].splitlines() == [
        "A: HeUniform: uniform on [-0.4714, 0.4714]", "B: XavierNormal: normal N(0, 0.05759\u00b2)"]
    with pytest.raises(ValueError, match="share their histogram edges"):
        figure_description([("A: ", a.name, ra), ("B: ", b.name, b.compute())])
    with pytest.raises(ValueError, match="one or two"):
        figure_description([])


@pytest.mark.parametrize("name, shape, args", HARD)
def test_single_values_get_a_visible_mark_never_an_exception(name, shape, args):
    model = InitializerModel(name, **{"out_channels": 4, "in_channels": 3, "kernel_size": 3, **shape}, **args)
    if name == "gluon.Bilinear":                           # not a single value: a 4-D weight only
        with pytest.raises(ValueError, match="needs a 4-D weight"):
            model.compute()
        return
    result = model.compute()
    if result.min != result.max:
        return                                             # e.g. a 1x1 orthogonal is +-gain
    resolved = resolve(figure_description([("", name, result)]))
    panel = resolved["panels"][0]
    texts = [m["text"] for m in panel["marks"] if m["type"] == "text"]
    expected = (f"all {result.sample.size} weights = {result.min:.4g}" if result.sample.size > 1
                else f"a single weight = {result.min:.4g}")
    assert expected in texts[0].splitlines() and expected in resolved["alt"]
    for axis in ("x", "y"):
        low, high = panel[axis]["lim"]
        assert math.isfinite(low) and math.isfinite(high) and low < high and panel[axis]["ticks"]
    assert low < float(result.density.max()) <= high       # the single bar is on the figure
    assert render_png(resolved)[:4] == b"\x89PNG"


def test_figure_module_imports_neither_ipywidgets_nor_matplotlib():
    code = ("import sys; import sporelab.widgets.initializers_figure as f; "
            "print('ipywidgets' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---- the view ---------------------------------------------------------------------------------

@pytest.fixture
def explorer():
    return InitializerExplorer()


def _same(a, b):
    """Two descriptions hold equal values (arrays compared by value, NaN equal to NaN)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a == b


def _copy(model):
    return InitializerModel(model.name, out_channels=model.out_channels, in_channels=model.in_channels,
                            kernel_size=model.kernel_size, seed=model.seed, bins=model.bins, **model.args)


def _assert_current(explorer):
    """The figure shows the models' current numbers: a fresh sample's density, title, notes."""
    models = [explorer.model] + [explorer.model_b] * explorer.compare.value
    fresh = [_copy(model).compute() for model in models]       # a new model: nothing cached
    if len(fresh) == 2:
        span = (min(r.edges[0] for r in fresh), max(r.edges[-1] for r in fresh))
        fresh = [model.rebin(r, span) for model, r in zip(models, fresh)]
    bars = [m for m in explorer.pane.description["panels"][0]["marks"] if m["type"] == "stairs"]
    assert len(bars) == len(fresh)
    for drawn, result in zip(bars, fresh):
        assert np.array_equal(drawn["heights"], result.density) and np.array_equal(drawn["edges"], result.edges)
    tags = ("A: ", "B: ") if len(fresh) == 2 else ("",)
    expected = figure_description([(t, m.name, r) for t, m, r in zip(tags, models, fresh)])
    assert _same(explorer.pane.description, resolve(expected))


def _values(control):
    """A control's options, both states, or its minimum, middle and maximum."""
    if hasattr(control, "options"):
        return [label if isinstance(label, str) else label[1] for label in control.options]
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    middle = control.min + round((control.max - control.min) / 2 / control.step) * control.step
    if hasattr(control, "base"):        # FloatLogSlider: min and max are exponents
        return [control.base ** e for e in (control.min, middle, control.max)]
    return [control.min, middle, control.max]


def _set(explorer, control, value):
    """Set one control: the figure is redrawn once with the current numbers and returns
    'changed' / 'same'; an invalid combination shows an error, keeps the figure: 'error'."""
    if control.value == value:
        return "same"
    before, renders = explorer.pane.description, explorer.pane.renders
    control.value = value
    if explorer.errors.value:
        assert explorer.pane.renders == renders and explorer.pane.description is before
        return "error"
    assert explorer.pane.renders == renders + 1
    _assert_current(explorer)
    return "same" if _same(explorer.pane.description, before) else "changed"


def test_explorer_opens_with_one_render(explorer):
    assert explorer.pane.renders == 1 and not explorer.errors.value
    assert explorer.pane in explorer.children
    panel = explorer.pane.description["panels"][0]
    assert panel["title"] == "HeUniform: uniform on [-0.4714, 0.4714]"
    assert "fan_in 27" in explorer.stats and "fan_out 576" in explorer.stats
    assert "HeUniform(negative_slope=0.0, mode=&#x27;fan_in&#x27;" in explorer.code
    assert explorer.side_b.box.layout.display == "none" and len(_marks(explorer.pane.description, "stairs")) == 1
    assert "std 0.2722" in explorer.pane.description["alt"]
    _assert_current(explorer)
    wire = explorer.pane.figure["panels"][0]["marks"][0]
    assert wire["heights"]["dtype"] == "float32" and isinstance(wire["heights"]["buffer"], bytes)


@pytest.mark.parametrize("side", ["side_a", "side_b"])
def test_every_control_redraws_with_the_models_numbers(side):
    """Each initializer, and each of its argument controls at its minimum, middle and maximum
    (every option, both states), redraws once with the current numbers, or shows an error."""
    explorer = InitializerExplorer(out_channels=8, in_channels=4, kernel_size=3, compare=side == "side_b")
    panel = getattr(explorer, side)
    for name in panel.model.names():
        assert _set(explorer, panel.name, name) in ("changed", "error")
        if explorer.errors.value:
            continue
        switches = [c for key, c in panel.args[name].items() if key.endswith("_on")]
        for switch in switches:                              # optional arguments: on, then swept
            switch.value = True
        for key, control in panel.args[name].items():
            initial = control.value
            outcomes = {_set(explorer, control, value) for value in _values(control)}
            assert outcomes & {"changed", "error"}, (name, key)
            _set(explorer, control, initial)     # sweep one argument at a time (Sparse: sparsity 1 hides sigma)
    assert explorer.pane.renders > 80


def test_shape_seed_compare_and_new_seed_each_change_the_figure(explorer):
    for control in (explorer.out_channels, explorer.in_channels, explorer.kernel_size, explorer.seed,
                    explorer.compare):
        for value in _values(control):
            assert _set(explorer, control, value) in ("changed", "same")
        assert _set(explorer, control, _values(control)[0]) == "changed"
    explorer.seed.value = explorer.seed.max
    before, renders = explorer.pane.description, explorer.pane.renders
    explorer.new_seed.click()
    assert explorer.seed.value == 0 and explorer.pane.renders == renders + 1
    assert not _same(explorer.pane.description, before)
    _assert_current(explorer)


def test_invalid_combination_shows_the_error_and_keeps_the_figure(explorer):
    explorer.side_a.name.value = "Dirac"                       # drawn on the default 4-D shape
    figure, renders, stats = explorer.pane.description, explorer.pane.renders, explorer.stats
    explorer.kernel_size.value = 1                             # Dirac needs a 3- to 5-D weight
    assert "ValueError" in explorer.errors.value and "Dirac" in explorer.errors.value
    assert explorer.errors.layout.display == "block"
    assert explorer.pane.renders == renders and explorer.pane.description is figure
    assert explorer.stats == stats
    explorer.kernel_size.value = 3                             # fixed: drawn, error gone
    assert explorer.errors.value == "" and explorer.pane.renders == renders + 1
    assert explorer.pane.description["panels"][0]["title"] == "Dirac: Dirac kernel: 0 or 1"


def test_choosing_dirac_on_a_dense_shape_moves_to_a_conv_shape(explorer):
    explorer.kernel_size.value = 1
    renders = explorer.pane.renders
    explorer.side_a.name.value = "Dirac"
    assert explorer.kernel_size.value == 3 and explorer.errors.value == ""
    assert explorer.pane.renders == renders + 1


def test_optional_bounds_of_truncated_normal(explorer):
    explorer.side_a.name.value = "TruncatedNormal"
    args = explorer.side_a.args["TruncatedNormal"]
    assert args["a"].disabled
    args["a_on"].value = True
    assert "give both" in explorer.errors.value and not args["a"].disabled
    args["b_on"].value = True
    assert explorer.errors.value == ""
    assert "a=-0.01, b=0.02" in explorer.code
    args["b"].value = 0.035
    assert "b=0.035" in explorer.code
    assert explorer.model.theory().high == 0.035
    assert [r["value"] for r in _marks(explorer.pane.description, "rule")] == [-0.01, 0.035]


def test_the_figure_follows_the_initializer_and_its_arguments(explorer):
    panel = lambda: explorer.pane.description["panels"][0]
    heights = _marks(explorer.pane.description, "stairs")[0]["heights"]
    explorer.seed.value = 1
    assert not np.array_equal(_marks(explorer.pane.description, "stairs")[0]["heights"], heights)
    explorer.side_a.name.value = "HeNormal"
    assert panel()["title"] == "HeNormal: normal N(0, 0.2722\u00b2)"
    assert _marks(explorer.pane.description, "line", "theory")[0]["x"].size == 200
    assert panel()["y"]["lim"][1] > 1.4 and _marks(explorer.pane.description, "rule") == []
    explorer.side_a.args["HeNormal"]["mode"].value = "fan_out"
    assert "N(0, 0.05893" in panel()["title"] and panel()["y"]["lim"][1] > 6


def test_compare_mode_in_the_explorer(explorer):
    explorer.compare.value = True
    a, b = _marks(explorer.pane.description, "stairs")
    assert explorer.side_b.box.layout.display == "flex" and b["color"] == PALETTE["second"]
    assert np.array_equal(a["edges"], b["edges"])                                 # one x-axis
    labels = [i["label"] for i in explorer.pane.description["panels"][0]["legend"]["items"]]
    assert labels == ["A sample", "A theory", "A bounds", "B sample", "B theory", "B bounds"]
    assert "XavierUniform" in explorer.code and explorer.stats.count("<table") == 2
    explorer.side_b.name.value = "Normal"
    assert "B: Normal: normal N(0, 0.01" in explorer.pane.description["panels"][0]["title"]
    explorer.compare.value = False
    assert len(_marks(explorer.pane.description, "stairs")) == 1 and explorer.stats.count("<table") == 1
    assert explorer.side_b.box.layout.display == "none"


def test_a_single_weight_and_a_constant_in_the_explorer():
    explorer = InitializerExplorer(out_channels=1, in_channels=1, kernel_size=1)
    assert "a single weight = " in _marks(explorer.pane.description, "text")[0]["text"]
    explorer.out_channels.value = 64
    explorer.side_a.name.value = "Zero"
    assert _marks(explorer.pane.description, "text")[0]["text"] == "all 64 weights = 0"
    explorer.compare.value = True
    explorer.side_b.name.value = "Constant"
    assert _marks(explorer.pane.description, "text")[0]["text"].splitlines() == [
        "A: all 64 weights = 0", "B: all 64 weights = 0.5"]
    assert not explorer.errors.value


def test_png_is_drawn_from_the_shown_description(explorer):
    explorer.compare.value = True
    png = explorer.pane.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == render_png(explorer.pane.description)
    wire = to_wire(explorer.pane.description)
    heights = wire["panels"][0]["marks"][0]["heights"]
    assert np.array_equal(np.frombuffer(heights["buffer"], np.float32),
                          explorer.entries[0][2].density.astype(np.float32))


def test_a_constructor_shape_beyond_the_slider_range_is_kept_not_clamped():
    explorer = InitializerExplorer(in_channels=256, kernel_size=9, seed=5000)
    assert explorer.in_channels.value == 256 and explorer.kernel_size.value == 9
    assert explorer.model.shape[1] == 256 and explorer.seed.value == 5000
