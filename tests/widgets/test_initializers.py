"""InitializerModel (theory against large samples, the reproducing code line) and the headless
InitializerExplorer (every control at its extremes, errors shown in the widget, one redraw per
change)."""

import matplotlib

matplotlib.use("Agg")

import math  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402

import sporelab as ms  # noqa: E402
from sporelab.common import initializer as msinit  # noqa: E402
from sporelab.widgets._init_theory import truncated_moments  # noqa: E402
from sporelab.widgets.initializers import InitializerExplorer  # noqa: E402
from sporelab.widgets.initializers_model import InitializerModel  # noqa: E402

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
    exec("from sporelab.common.initializer import *", namespace)
    ms.set_seed(model.seed)
    if model.is_gluon:
        exec(model.code(), namespace)
        again = namespace["w"].data().asnumpy()
    else:
        again = eval(model.code(), namespace).asnumpy()
    assert again.dtype == np.float32 and again.tobytes() == sample.tobytes()
    snippet = {}
    exec(model.snippet(), snippet)
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


def test_model_imports_neither_ipywidgets_nor_matplotlib():
    code = ("import sys; import sporelab.widgets.initializers_model as m; m.InitializerModel().compute(); "
            "print('ipywidgets' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ---- the view ---------------------------------------------------------------------------------

@pytest.fixture
def explorer():
    return InitializerExplorer()


def _cheap_png(explorer):
    """Run every artist's draw without rasterising or encoding: the sweeps stay fast, and a draw
    that fails still fails. (The other view tests render real PNGs.)"""
    def png(dpi=80):
        explorer.pane.figure.draw_without_rendering()
        return b"\x89PNG-draws-%d" % explorer.pane.draws
    explorer.pane.png = png


def _set(explorer, control, value):
    """Set one control; assert one redraw, or (for an invalid combination) an error and none."""
    if control.value == value:
        return True                     # no change, no event
    before, image = explorer.pane.draws, bytes(explorer.pane.widget.value)
    control.value = value
    if explorer.errors.value:
        assert explorer.pane.draws == before and bytes(explorer.pane.widget.value) == image
        return False
    assert explorer.pane.draws == before + 1
    return True


def _extremes(control):
    if hasattr(control, "options"):
        return [label if isinstance(label, str) else label[1] for label in control.options]
    if isinstance(control.value, bool):
        return [not control.value, control.value]
    if hasattr(control, "base"):        # FloatLogSlider: min and max are exponents
        return [control.base ** control.min, control.base ** control.max]
    return [control.min, control.max]


def test_explorer_opens_with_one_draw(explorer):
    assert explorer.pane.draws == 1 and not explorer.errors.value
    assert bytes(explorer.pane.widget.value).startswith(b"\x89PNG")
    assert "fan_in 27" in explorer.stats.value and "fan_out 576" in explorer.stats.value
    assert "HeUniform(negative_slope=0.0, mode=&#x27;fan_in&#x27;" in explorer.code.value
    assert explorer.side_b.box.layout.display == "none" and not explorer.plot.layers[1].hist.get_visible()
    assert len(explorer.pane.figure.axes) == 1            # built once, never re-created


@pytest.mark.parametrize("side", ["side_a", "side_b"])
def test_every_control_at_its_extremes(explorer, side):
    _cheap_png(explorer)
    explorer.kernel_size.value = 3
    explorer.in_channels.value = 4
    explorer.out_channels.value = 8
    explorer.compare.value = side == "side_b"
    panel = getattr(explorer, side)
    for name in panel.model.names():
        _set(explorer, panel.name, name)
        for key, control in panel.args[name].items():
            for value in _extremes(control):
                _set(explorer, control, value)
    assert explorer.pane.draws > 50


def test_shape_seed_and_mode_controls_at_their_extremes(explorer):
    _cheap_png(explorer)
    for control in (explorer.out_channels, explorer.in_channels, explorer.kernel_size, explorer.seed,
                    explorer.compare):
        for value in _extremes(control):
            assert _set(explorer, control, value)
    explorer.seed.value = explorer.seed.max
    before = explorer.pane.draws
    explorer.new_seed.click()
    assert explorer.seed.value == 0 and explorer.pane.draws == before + 1


def test_invalid_combination_shows_the_error_and_keeps_the_figure(explorer):
    explorer.kernel_size.value = 1
    image, draws = bytes(explorer.pane.widget.value), explorer.pane.draws
    explorer.side_a.name.value = "Dirac"                       # Dirac needs a 3- to 5-D weight
    assert "ValueError" in explorer.errors.value and "Dirac" in explorer.errors.value
    assert explorer.errors.layout.display == "block"
    assert explorer.pane.draws == draws and bytes(explorer.pane.widget.value) == image
    explorer.kernel_size.value = 3                             # fixed: drawn, error gone
    assert explorer.errors.value == "" and explorer.pane.draws == draws + 1
    assert "Dirac" in explorer.plot.title.get_text()


def test_optional_bounds_of_truncated_normal(explorer):
    explorer.side_a.name.value = "TruncatedNormal"
    args = explorer.side_a.args["TruncatedNormal"]
    assert args["a"].disabled
    args["a_on"].value = True
    assert "give both" in explorer.errors.value and not args["a"].disabled
    args["b_on"].value = True
    assert explorer.errors.value == ""
    assert "a=-0.01, b=0.02" in explorer.code.value
    args["b"].value = 0.035
    assert "b=0.035" in explorer.code.value
    assert explorer.model.theory().high == 0.035


def test_the_figure_really_changes(explorer):
    layer, title = explorer.plot.layers[0], explorer.plot.title
    image, heights = bytes(explorer.pane.widget.value), layer.hist.get_data().values.copy()
    explorer.seed.value = 1
    assert bytes(explorer.pane.widget.value) != image
    assert not np.array_equal(layer.hist.get_data().values, heights)
    assert title.get_text() == "HeUniform: uniform on [-0.4714, 0.4714]"
    explorer.side_a.name.value = "HeNormal"
    assert title.get_text() == "HeNormal: normal N(0, 0.2722\u00b2)"
    assert layer.curve.get_xdata().size > 100 and explorer.plot.ax.get_ylim()[1] > 1.4
    explorer.side_a.args["HeNormal"]["mode"].value = "fan_out"
    assert "N(0, 0.05893" in title.get_text() and explorer.plot.ax.get_ylim()[1] > 6


def test_compare_mode_overlays_a_second_initializer(explorer):
    explorer.compare.value = True
    a, b = explorer.plot.layers
    assert b.hist.get_visible() and explorer.side_b.box.layout.display == "flex"
    assert a.hist.get_data().edges.tolist() == b.hist.get_data().edges.tolist()    # one x-axis
    assert explorer.plot.title.get_text().splitlines() == [
        "A: HeUniform: uniform on [-0.4714, 0.4714]", "B: XavierUniform: uniform on [-0.09975, 0.09975]"]
    labels = [text.get_text() for _, _, text in explorer.plot.key.rows if text.get_text()]
    assert labels == ["A sample", "A theory", "A bounds", "B sample", "B theory", "B bounds"]
    assert "XavierUniform" in explorer.code.value and explorer.stats.value.count("<table") == 2
    explorer.side_b.name.value = "Normal"
    assert "B: Normal: normal N(0, 0.01" in explorer.plot.title.get_text()
    explorer.compare.value = False
    assert not b.hist.get_visible() and explorer.stats.value.count("<table") == 1
    assert explorer.side_b.box.layout.display == "none"


def test_sparse_spike_is_clipped_and_labelled(explorer):
    explorer.kernel_size.value = 1
    explorer.in_channels.value = 64
    explorer.side_a.name.value = "Sparse"
    note = explorer.plot.note.get_text()
    assert note == "\u25b2 bar at 0 clipped:\n50 % of the weights are exactly 0"
    explorer.side_a.name.value = "Identity"
    assert explorer.plot.note.get_text() == ""
    assert np.asarray(explorer.plot.layers[0].atoms.get_xdata()).tolist() == [0.0, 1.0]


def test_a_constructor_shape_beyond_the_slider_range_is_kept_not_clamped():
    explorer = InitializerExplorer(in_channels=256, kernel_size=9, seed=5000)
    assert explorer.in_channels.value == 256 and explorer.kernel_size.value == 9
    assert explorer.model.shape[1] == 256 and explorer.seed.value == 5000
