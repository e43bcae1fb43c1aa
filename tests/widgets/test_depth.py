"""DepthExplorer: the pure model (statistics, verdicts, code) and the headless view."""

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from sporelab.widgets._ticks import short_number
from sporelab.widgets.depth import PRESETS, DepthExplorer
from sporelab.widgets.depth_figure import PANELS, figure_description, log_limits
from sporelab.widgets.depth_model import BINS, DepthModel, flat_fraction, histogram_counts, verdict


# ---- model: the lesson's four classic cases (seed 0, width 128, batch 128) -----------------------
def test_tanh_with_r1x_default_normal_vanishes():
    model = DepthModel(depth=10, activation="tanh", init="normal", sigma=0.01)
    std = model.stats.std
    assert std[9] < 1e-6 * std[0]
    assert np.all(np.diff(std) < 0)
    assert model.verdict_kind == "vanish"
    assert model.verdict.startswith(f"activations vanish: std falls from {short_number(std[0])} to {short_number(std[9])} "
                                    f"over 10 layers; gradients vanish toward the input")


def test_relu_with_he_normal_keeps_the_scale_over_20_layers():
    model = DepthModel(depth=20, activation="relu", init="he_normal")
    std = model.stats.std
    assert std.max() / std.min() < 3
    assert 0.4 < model.stats.flat.mean() < 0.6          # about half of a ReLU's inputs are negative
    assert model.verdict_kind == "healthy"


def test_tanh_with_xavier_stays_healthy():
    model = DepthModel(depth=10, activation="tanh", init="xavier_uniform")
    assert model.stats.std[-1] > model.stats.std[0] / 10
    assert model.stats.flat.max() < 0.05
    assert model.verdict_kind == "healthy"


def test_tanh_with_normal_sigma_one_saturates():
    model = DepthModel(depth=10, activation="tanh", init="normal", sigma=1.0)
    assert model.stats.flat[-1] > 0.5
    assert model.verdict_kind == "saturated"
    assert "tanh saturates" in model.verdict and "|a| > 0.99" in model.verdict


def test_relu_with_xavier_halves_the_variance_per_layer():
    std = DepthModel(depth=10, activation="relu", init="xavier_uniform").stats.std
    ratios = std[1:] / std[:-1]
    assert 0.55 < np.median(ratios) < 0.85            # 1/sqrt(2) = 0.71 in theory


def test_linear_overflow_and_explosion():
    model = DepthModel(depth=24, width=64, activation="linear", init="normal", sigma=10.0)
    assert model.verdict_kind == "overflow"
    assert "overflow float32" in model.verdict
    assert np.all(model.stats.hist.sum(axis=1) + model.stats.nan == model.stats.samples)
    grows = DepthModel(depth=10, activation="linear", init="normal", sigma=0.2)
    assert grows.verdict_kind == "explode"
    assert grows.stats.std[-1] > 100 * grows.stats.std[0]      # 0.2 * sqrt(128) = 2.26 per layer


def test_sigmoid_gradients_vanish_even_when_activations_do_not():
    model = DepthModel(depth=10, activation="sigmoid", init="xavier_uniform")
    assert model.verdict_kind == "gradients vanish"
    assert model.stats.input_grad[0] < model.stats.input_grad[-1] / 1000


def test_conv2d_stack_with_he_is_healthy_and_dirac_keeps_channels():
    model = DepthModel(depth=6, width=8, layer="Conv2d", activation="relu", init="he_normal")
    assert model.input_shape() == (8, 8, 16, 16)
    assert model.stats.samples == 8 * 8 * 16 * 16
    assert model.verdict_kind == "healthy"
    identity = DepthModel(depth=3, width=4, layer="Conv2d", activation="linear", init="dirac")
    np.testing.assert_allclose(identity.stats.std, identity.inputs.asnumpy().std(), rtol=1e-5)


def test_the_figure_module_imports_neither_ipywidgets_nor_matplotlib():
    code = ("import sys; import sporelab.widgets.depth_figure as f; from sporelab.widgets.depth_model import "
            "DepthModel; f.figure_description(DepthModel(depth=2, width=8)); "
            "print(sorted(k for k in ('ipywidgets', 'matplotlib') if k in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_model_imports_neither_ipywidgets_nor_matplotlib():
    code = ("import sys, sporelab.widgets.depth_model as m; m.DepthModel(depth=2, width=8); "
            "print(sorted(k for k in ('ipywidgets', 'matplotlib') if k in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# ---- model: numbers against direct NumPy computations --------------------------------------------
def test_first_layer_statistics_match_numpy():
    model = DepthModel(depth=3, width=32, activation="tanh", init="normal", sigma=0.3, seed=4)
    x = model.inputs.asnumpy().astype(np.float64)
    dense = model.network[0]
    a = np.tanh(x @ dense.weight.asnumpy().T + dense.bias.asnumpy())
    st = model.stats
    assert st.samples == 128 * 32
    np.testing.assert_allclose([st.mean[0], st.std[0]], [a.mean(), a.std()], rtol=1e-5, atol=1e-7)
    assert st.flat[0] == pytest.approx(np.mean(np.abs(a) > 0.99), abs=1e-3)
    counts, _ = np.histogram(np.clip(a, -1, 1), bins=41, range=(-1, 1))
    assert np.abs(st.hist[0] - counts).sum() <= 4        # float32 vs float64 at bin edges
    assert st.hist[0].sum() == st.samples


def test_last_layer_gradients_match_a_hand_written_backward_pass():
    model = DepthModel(depth=2, width=16, activation="tanh", init="xavier_uniform", seed=3, batch=32)
    x = model.inputs.asnumpy().astype(np.float64)
    target = model.target.asnumpy().astype(np.float64)
    w1, w2 = (model.network[i].weight.asnumpy().astype(np.float64) for i in (0, 2))
    h1 = np.tanh(x @ w1.T)
    out = np.tanh(h1 @ w2.T)
    d_out = 2 * (out - target) / out.size                   # MSELoss, mean reduction
    d_z2 = d_out * (1 - out ** 2)
    d_h1 = d_z2 @ w2
    d_x = (d_h1 * (1 - h1 ** 2)) @ w1
    np.testing.assert_allclose(model.stats.weight_grad[1], np.linalg.norm(d_z2.T @ h1), rtol=1e-4)
    np.testing.assert_allclose(model.stats.input_grad, [np.linalg.norm(d_x), np.linalg.norm(d_h1)], rtol=1e-4)
    assert model.stats.loss == pytest.approx(np.mean((out - target) ** 2), rel=1e-5)


def test_histogram_counts_fixed_bins_clipping_and_nan():
    counts, nans = histogram_counts(np.array([-1.0, 0.0, 0.0, 5.0, np.nan]), "tanh")
    assert counts.size == 41 and nans == 1
    assert (counts[0], counts[20], counts[40], counts.sum()) == (1, 2, 1, 4)
    counts, _ = histogram_counts(np.array([0.0, 0.05, 0.1, 3.99, 4.0, np.inf]), "relu")
    assert counts.tolist()[:2] == [2, 1] and counts[39] == 3
    assert BINS["sigmoid"] == (0.0, 1.0, 41)


def test_histogram_counts_sum_to_the_samples_in_every_layer():
    for layer, width in (("Dense", 64), ("Conv2d", 4)):
        model = DepthModel(depth=5, width=width, layer=layer, activation="relu", init="he_uniform")
        assert np.all(model.stats.hist.sum(axis=1) == model.stats.samples)
        assert np.all(model.stats.nan == 0)


def test_flat_fraction_per_activation():
    values = np.array([-1.0, -0.995, 0.0, 0.005, 0.5, 0.995])
    assert flat_fraction(values, "tanh") == pytest.approx(3 / 6)
    assert flat_fraction(values, "sigmoid") == pytest.approx(5 / 6)
    assert flat_fraction(values, "relu") == pytest.approx(1 / 6)
    assert flat_fraction(values, "linear") == 0.0


def test_default_batch_keeps_about_16384_values_per_layer():
    shapes = {(layer, width): DepthModel(depth=1, width=width, layer=layer).input_shape()
              for layer, width in (("Dense", 16), ("Dense", 128), ("Dense", 512), ("Conv2d", 4),
                                   ("Conv2d", 16), ("Conv2d", 64), ("Conv2d", 128))}
    assert shapes == {("Dense", 16): (128, 16), ("Dense", 128): (128, 128), ("Dense", 512): (32, 512),
                      ("Conv2d", 4): (8, 4, 16, 16), ("Conv2d", 16): (4, 16, 16, 16),
                      ("Conv2d", 64): (1, 64, 16, 16), ("Conv2d", 128): (1, 128, 16, 16)}
    assert DepthModel(depth=1, width=512, batch=5).input_shape() == (5, 512)


@pytest.mark.parametrize("changes", [{"activation": "relu"}, {"sigma": 0.3}, {"depth": 4},
                                     {"activation": "linear", "sigma": 2.0, "depth": 2}])
def test_changes_that_keep_the_draws_reuse_them_and_equal_a_fresh_model(changes):
    model = DepthModel(depth=6, width=32, activation="tanh", init="normal", sigma=0.05, seed=2)
    drawn = model._drawn
    model.update(**changes)
    assert model._drawn is drawn                                  # nothing drawn again
    fresh = DepthModel(**{**model.settings, "batch": None})
    for name in ("mean", "std", "flat", "hist", "weight_grad", "input_grad"):
        np.testing.assert_array_equal(getattr(model.stats, name), getattr(fresh.stats, name), err_msg=name)
    for mine, theirs in zip(model.network.get_parameters(), fresh.network.get_parameters()):
        np.testing.assert_array_equal(mine.asnumpy(), theirs.asnumpy())


def test_a_deeper_stack_draws_only_its_new_layers_and_equals_a_fresh_model():
    model = DepthModel(depth=3, width=16, activation="relu", init="he_uniform", seed=4)
    first = model._drawn[3]
    model.update(depth=7)
    assert all(a is b for a, b in zip(model._drawn[3], first)) and len(model._drawn[3]) == 7
    fresh = DepthModel(**model.settings)
    np.testing.assert_array_equal(model.stats.input_grad, fresh.stats.input_grad)
    for mine, theirs in zip(model.network.get_parameters(), fresh.network.get_parameters()):
        np.testing.assert_array_equal(mine.asnumpy(), theirs.asnumpy())


def test_changes_that_need_new_draws_draw_them():
    model = DepthModel(depth=3, width=16, init="he_uniform")
    for changes in ({"seed": 1}, {"init": "xavier_normal"}, {"width": 32}, {"depth": 5}, {"layer": "Conv2d"}):
        drawn = model._drawn
        model.update(**changes)
        assert model._drawn is not drawn, changes
        assert len(model._drawn[3]) == model.settings["depth"]


@pytest.mark.parametrize("activation, init, sigma", [
    ("tanh", "normal", 0.01), ("relu", "he_normal", 1.0), ("sigmoid", "xavier_uniform", 1.0),
    ("linear", "orthogonal", 1.0), ("linear", "normal", 10.0)])     # the last one overflows float32
def test_the_numpy_dense_pass_equals_the_engine_pass(activation, init, sigma):
    model = DepthModel(depth=8, width=48, activation=activation, init=init, sigma=sigma, seed=1)
    s, inputs, target = model.settings, model.inputs, model.target
    weights = [cell.weight.asnumpy() for cell in model.network.cell_list if hasattr(cell, "weight")]
    fast = model._measure(s, inputs, target, weights=weights)
    engine = model._measure(s, inputs, target, network=model.network)
    assert model.stats.std.tolist() == fast.std.tolist() and model.stats.hist.tolist() == fast.hist.tolist()
    for name in ("mean", "std", "flat", "hist", "nan"):
        np.testing.assert_array_equal(getattr(fast, name), getattr(engine, name), err_msg=name)
    for name in ("weight_grad", "input_grad"):
        np.testing.assert_allclose(getattr(fast, name), getattr(engine, name), rtol=1e-5, err_msg=name)
    assert fast.loss == engine.loss or np.isnan(fast.loss) and np.isnan(engine.loss)


# ---- model: verdict strings, formatting, code -------------------------------------------------------
def test_verdict_strings():
    assert verdict("tanh", [0.58, 0.1, 2e-9], [0, 0, 0], [1e-3, 1e-3, 1e-3]) == (
        "vanish", "activations vanish: std falls from 0.58 to 2e-9 over 3 layers; gradients stay within "
                  "a factor of 10 (0.001 at layer 3, 0.001 at layer 1)")
    assert verdict("linear", [1.0, 2e3], [0, 0], [1.0, 100.0]) == (
        "explode", "activations explode: std grows from 1 to 2000 over 2 layers; gradients vanish toward "
                   "the input: ||dL/d input|| falls from 100 at layer 2 to 1 at layer 1")
    assert verdict("tanh", [0.97, 0.96], [0.8, 0.81], [1.2e2, 0.031]) == (
        "saturated", "tanh saturates: 81% of the last layer's values have |a| > 0.99, where its slope is "
                     "almost 0; gradients explode toward the input: ||dL/d input|| grows from 0.031 at "
                     "layer 2 to 120 at layer 1")
    assert verdict("sigmoid", [0.2, 0.1], [0.0, 0.0], [1e-9, 1e-3]) == (
        "gradients vanish", "gradients vanish toward the input: ||dL/d input|| falls from 0.001 at layer 2 "
                            "to 1e-9 at layer 1; activation std stays within a factor of 10 (0.2 to 0.1 "
                            "over 2 layers)")
    assert verdict("relu", [0.8], [0.5], [0.1]) == (
        "healthy", "healthy: activation std stays within a factor of 10 (0.8 to 0.8 over 1 layer)")
    assert verdict("linear", [1.0, np.inf, np.nan], [0, 0, 0], [np.nan] * 3) == (
        "overflow", "activations explode: they overflow float32 (inf/NaN) from layer 2 of 3; gradients "
                    "overflow float32 (inf/NaN) on the way back, at layer 3")
    assert verdict("linear", [1.0, 1.5], [0, 0], [np.inf, 1.0]) == (
        "gradients explode", "gradients overflow float32 (inf/NaN) on the way back, at layer 1; activation "
                             "std stays within a factor of 10 (1 to 1.5 over 2 layers)")


def test_short_number():
    assert [short_number(v) for v in (0.58, 120, 2e-9, 3.37e-10, 8.5e5, 0.0, float("inf"), float("nan"))] == [
        "0.58", "120", "2e-9", "3.4e-10", "8.5e5", "0", "inf", "NaN"]


def test_code_is_exact_and_rebuilds_the_same_network():
    model = DepthModel(depth=2, width=8, activation="relu", init="he_normal", seed=5, batch=4)
    assert model.code() == (
        "import sporelab as ms\n"
        "from sporelab import nn\n"
        "from sporelab.common.initializer import initializer, Normal, HeNormal\n"
        "\n"
        "ms.set_seed(5)\n"
        "x = initializer(Normal(sigma=1.0), (4, 8)).init_data()\n"
        "target = initializer(Normal(sigma=1.0), (4, 8)).init_data()\n"
        "layers = []\n"
        "for _ in range(2):\n"
        "    layers += [nn.Dense(8, 8, weight_init=HeNormal(negative_slope=0, mode='fan_in', "
        "nonlinearity='leaky_relu')), nn.ReLU()]\n"
        "net = nn.SequentialCell(layers)\n"
        "loss = nn.MSELoss()(net(x), target)")
    namespace = {}
    exec(model.code(), namespace)   # noqa: S102 -- our own generated code
    for mine, theirs in zip(model.network.get_parameters(), namespace["net"].get_parameters()):
        np.testing.assert_array_equal(mine.asnumpy(), theirs.asnumpy())
    assert float(namespace["loss"].asnumpy()) == pytest.approx(model.stats.loss, rel=1e-6)


def test_conv_code_line_and_initializer_objects():
    model = DepthModel(depth=1, width=4, layer="Conv2d", activation="linear", init="orthogonal")
    assert model.block_code() == "[nn.Conv2d(4, 4, 3, pad_mode='same', weight_init=Orthogonal(gain=1.0))]"
    assert repr(DepthModel(depth=1, width=4, sigma=0.5).initializer()) == "Normal(sigma=0.5, mean=0.0)"


def test_seed_reproducibility_and_shown_layers():
    a, b = DepthModel(depth=3, width=16, seed=7), DepthModel(depth=3, width=16, seed=7)
    np.testing.assert_array_equal(a.stats.hist, b.stats.hist)
    assert not np.array_equal(a.stats.std, DepthModel(depth=3, width=16, seed=8).stats.std)
    assert DepthModel(depth=30, width=16).shown_layers(10) == [0, 3, 6, 10, 13, 16, 19, 23, 26, 29]
    assert a.shown_layers(10) == [0, 1, 2]


@pytest.mark.parametrize("changes, error, words", [
    ({"depth": 0}, ValueError, "'depth'"), ({"depth": 2.5}, TypeError, "'depth'"),
    ({"width": 5000}, ValueError, "'width'"), ({"layer": "LSTM"}, ValueError, "'layer'"),
    ({"activation": "gelu"}, ValueError, "'activation'"), ({"init": "zeros"}, ValueError, "'init'"),
    ({"sigma": 0}, ValueError, "'sigma'"), ({"sigma": "big"}, TypeError, "'sigma'"),
    ({"seed": -1}, ValueError, "'seed'"), ({"colour": 1}, TypeError, "colour"),
    ({"layer": "Conv2d", "width": 8, "init": "identity"}, ValueError, "'dirac'"),
    ({"init": "dirac"}, ValueError, "'identity'"),
])
def test_bad_arguments_teach_and_change_nothing(changes, error, words):
    model = DepthModel(depth=2, width=8)
    settings, stats = dict(model.settings), model.stats
    with pytest.raises(error, match=words):
        model.update(**changes)
    assert model.settings == settings and model.stats is stats


# ---- figure description -------------------------------------------------------------------------
def _panel(figure, pid):
    return next(p for p in figure["panels"] if p["id"] == pid)


def _marks(panel, kind):
    return [m for m in panel["marks"] if m["type"] == kind]


def _notes(panel):
    return [m["text"] for m in _marks(panel, "text")]


def test_description_numbers_are_the_model_numbers():
    model = DepthModel(depth=30, width=64, activation="relu", init="normal", sigma=0.01)
    figure = figure_description(model)
    stats, shown = model.stats, model.shown_layers(PANELS)
    hists = [p for p in figure["panels"] if p["id"].startswith("hist")]
    assert [p["title"] for p in hists] == [f"layer {k + 1}" for k in shown]
    for panel, layer in zip(hists, shown):
        (stairs,) = _marks(panel, "stairs")
        np.testing.assert_array_equal(stairs["heights"], stats.hist[layer])
        np.testing.assert_allclose(stairs["edges"], stats.edges, rtol=1e-7)
    layers = np.arange(1, 31)
    (std,) = _marks(_panel(figure, "std"), "line")
    (flat,) = _marks(_panel(figure, "flat"), "line")
    weights, inputs = _marks(_panel(figure, "grad"), "line")
    for line, values in ((std, stats.std), (flat, 100 * stats.flat), (weights, stats.weight_grad),
                         (inputs, stats.input_grad)):
        np.testing.assert_array_equal(line["x"], layers)
        np.testing.assert_array_equal(line["y"], np.float32(values))
    assert _marks(_panel(figure, "std"), "rule")[0]["value"] == 1.0       # the input's std, dashed
    first, second = model.verdict.split("; ")
    assert [t["text"] for t in figure["texts"][:2]] == [first, second]
    assert figure["texts"][2]["text"] == ("Activation values after ReLU, 10 of 30 layers, evenly spaced "
                                          "(fixed bins; values beyond [0, 4] counted at the edges)")
    assert model.verdict in figure["alt"] and short_number(stats.std[-1]) in figure["alt"]
    legend = _panel(figure, "grad")["legend"]
    assert legend["loc"] == "above" and [i["label"] for i in legend["items"]] == [
        "weights: ||dL/dW||", "layer inputs: ||dL/dx||"]


def test_relu_spike_at_zero_is_cut_with_a_note():
    model = DepthModel(depth=2, width=128, activation="relu", init="he_normal")
    panel = _panel(figure_description(model), "hist1")
    counts = model.stats.hist[0]
    assert panel["y"]["lim"] == [0.0, pytest.approx(1.1 * counts[1:].max())]
    assert _notes(panel) == [f"\N{BLACK UP-POINTING TRIANGLE}{counts[0] / counts.sum():.0%}"]


def test_exploding_network_keeps_its_non_finite_values_and_marks_nan_layers():
    model = DepthModel(depth=30, width=128, activation="linear", init="normal", sigma=10.0)
    figure = figure_description(model)
    (std,) = _marks(_panel(figure, "std"), "line")
    assert np.isinf(std["y"]).any() or np.isnan(std["y"]).any()     # resolve() marks them
    nan_panels = [p for p in figure["panels"] if p["id"].startswith("hist") and "NaN: 100%" in _notes(p)]
    assert len(nan_panels) >= 3 and all(p["y"]["lim"] == [0.0, 1.0] for p in nan_panels)
    for panel in figure["panels"]:
        assert all(np.isfinite(v) for v in panel["y"]["lim"] + panel["x"]["lim"]), panel["id"]
    assert "overflow" in figure["texts"][0]["text"] and "overflow" in figure["alt"]


def test_underflow_to_zero_is_named_on_the_log_axes():
    model = DepthModel(depth=30, width=128, activation="linear", init="normal", sigma=0.001)
    zeros = np.flatnonzero(model.stats.std == 0)
    assert zeros.size
    figure = figure_description(model)
    assert _notes(_panel(figure, "std")) == [f"std = 0 from layer {zeros[0] + 1} ({zeros.size} layers)"]
    assert any(n.startswith("||dL/dW|| = 0") for n in _notes(_panel(figure, "grad")))
    (stairs,) = _marks(_panel(figure, "hist10"), "stairs")
    assert stairs["heights"][20] == model.stats.samples                  # one spike at 0


def test_log_limits_keep_steady_axes_and_rescale_on_big_changes():
    assert log_limits([[0.5, 2e-4]], -3, 1) == (-6, 1)
    assert log_limits([[0.5, 2e-4]], -3, 1, previous=(-9, 1)) == (-9, 1)
    assert log_limits([[0.5]], -3, 1, previous=(-12, 1)) == (-3, 1)
    assert log_limits([[np.nan, np.inf, 0.0]], -6, 0) == (-6, 0)


def test_layer_axis_ticks_are_integers_within_the_layers():
    for depth in (1, 2, 7, 30):
        x = _panel(figure_description(DepthModel(depth=depth, width=8)), "std")["x"]
        assert x["lim"] == [0.5, depth + 0.5] and 1 <= len(x["ticks"]) <= 6
        assert all(float(t).is_integer() and 1 <= t <= depth for t in x["ticks"])
        assert x["labels"] == [str(t) for t in x["ticks"]]


# ---- view ---------------------------------------------------------------------------------------------
@pytest.fixture
def explorer():
    return DepthExplorer(depth=4, width=32)


def _fingerprint(figure):
    """Every number and text of a description, to tell two figures apart."""
    parts = [figure["alt"]] + [t["text"] for t in figure["texts"]]
    for panel in figure["panels"]:
        parts += [panel["id"], panel["title"], repr(panel["y"]["lim"])]
        for mark in panel["marks"]:
            parts += [repr(np.asarray(mark[key]).tolist()) for key in ("heights", "y", "text") if key in mark]
    return "|".join(parts)


def _set(explorer, control, value):
    """Set ``control``: one new description, no error; returns whether the figure changed."""
    renders, before = explorer.pane.renders, _fingerprint(explorer.pane.description)
    control.value = value
    assert explorer.errors.value == "", explorer.errors.value
    assert explorer.pane.renders == renders + 1, f"{control.description}={value!r}"
    return _fingerprint(explorer.pane.description) != before


def test_view_builds_with_one_render_and_public_controls(explorer):
    assert explorer.pane.renders == 1 and explorer.errors.layout.display == "none"
    assert isinstance(explorer.model, DepthModel)
    assert explorer.pane in explorer.children
    assert explorer.channels.layout.display == "none" and explorer.sigma.layout.display is None
    assert _fingerprint(explorer.pane.description) == _fingerprint(figure_description(explorer.model))


def _three(control):
    if control.__class__.__name__ == "FloatLogSlider":          # its min/max are exponents
        return [10.0 ** control.min, 10.0 ** ((control.min + control.max) / 2), 10.0 ** control.max]
    middle = control.min + (control.max - control.min) // (2 * control.step) * control.step
    return [control.min, middle, control.max]


def test_every_slider_at_min_middle_max_changes_the_figure(explorer):
    for control in (explorer.depth, explorer.width, explorer.seed, explorer.sigma):
        start = control.value
        for value in _three(control):
            if control.value != value:
                assert _set(explorer, control, value), f"{control.description}={value}"
        _set(explorer, control, start)
    _set(explorer, explorer.layer, "Conv2d")
    assert explorer.width.layout.display == "none" and explorer.channels.layout.display is None
    for value in _three(explorer.channels):
        if explorer.channels.value != value:
            assert _set(explorer, explorer.channels, value), f"channels={value}"
    assert explorer.model.settings["width"] == explorer.channels.max
    assert explorer.model.input_shape() == (1, 64, 16, 16)          # VALUES per layer: one 64-channel map


def test_every_dropdown_option_changes_the_figure(explorer):
    for layer in explorer.layer.options:
        if explorer.layer.value != layer:
            assert _set(explorer, explorer.layer, layer)
        for activation in explorer.activation.options:
            if explorer.activation.value != activation:
                assert _set(explorer, explorer.activation, activation)
                assert explorer.model.settings["activation"] == activation
    _set(explorer, explorer.layer, "Dense")
    for _label, init in explorer.init.options:          # Dense: no Dirac offered
        if explorer.init.value != init:
            assert _set(explorer, explorer.init, init), init
            assert explorer.sigma.layout.display == (None if init == "normal" else "none")
            assert explorer.model.settings["init"] == init


def test_a_rejected_setting_shows_in_the_error_box_and_keeps_the_figure(explorer, monkeypatch):
    """No control offers a setting the model rejects (Identity is offered for Dense only, Dirac for
    Conv2d: tests/widgets/test_dropdowns.py); should the model refuse one, the box explains it."""
    _set(explorer, explorer.layer, "Conv2d")
    renders, description, stats = explorer.pane.renders, explorer.pane.description, explorer.model.stats
    update = explorer.model.update

    def refuse(**settings):
        raise ValueError("For 'DepthModel', refused for the test.")
    monkeypatch.setattr(explorer.model, "update", refuse)
    explorer.seed.value = explorer.seed.value + 1
    assert "refused for the test" in explorer.errors.value and explorer.errors.layout.display == "block"
    assert explorer.pane.renders == renders and explorer.pane.description is description
    assert explorer.model.stats is stats
    monkeypatch.setattr(explorer.model, "update", update)
    explorer.seed.value = explorer.seed.value - 1      # a good change clears the message
    assert explorer.errors.layout.display == "none"


def test_preset_buttons_render_once_each_and_change_the_figure(explorer):
    for label, button in explorer.presets.items():
        renders, before = explorer.pane.renders, _fingerprint(explorer.pane.description)
        button.click()
        assert explorer.pane.renders == renders + 1 and explorer.errors.value == ""
        assert _fingerprint(explorer.pane.description) != before, label
        for name, value in PRESETS[label].items():
            assert explorer.model.settings[name] == value
    assert explorer.model.verdict_kind == "healthy"       # the last preset: tanh + Xavier


def test_the_figure_shows_the_model_numbers_and_the_shown_layers(explorer):
    explorer.presets["r1.x default: ReLU + Normal(0.01)"].click()
    figure, stats = explorer.pane.description, explorer.model.stats
    np.testing.assert_array_equal(_marks(_panel(figure, "std"), "line")[0]["y"], np.float32(stats.std))
    flat = _marks(_panel(figure, "flat"), "line")[0]["y"]
    np.testing.assert_array_equal(flat, np.float32(100 * stats.flat))
    np.testing.assert_array_equal(_marks(_panel(figure, "hist1"), "stairs")[0]["heights"], stats.hist[0])
    assert explorer.model.verdict in figure["alt"]
    _set(explorer, explorer.depth, 3)
    panels = [p["id"] for p in explorer.pane.description["panels"]]
    assert panels == ["hist1", "hist2", "hist3", "std", "flat", "grad"]
    assert "nn.SequentialCell(3 x [nn.Dense(32, 32" in explorer.code


def test_log_axes_stay_steady_for_a_new_seed(explorer):
    limits = _panel(explorer.pane.description, "std")["y"]["lim"]
    _set(explorer, explorer.seed, 1)
    assert _panel(explorer.pane.description, "std")["y"]["lim"] == limits


def test_student_extremes_draw_without_errors(explorer):
    for name, value in (("activation", "linear"), ("depth", 30), ("sigma", 10.0), ("sigma", 0.001),
                        ("activation", "relu"), ("sigma", 10.0)):
        _set(explorer, getattr(explorer, name), value)
        assert explorer.pane.png()[:8] == b"\x89PNG\r\n\x1a\n"


def test_png_is_drawn_from_the_description(explorer):
    png = explorer.pane.png()
    image = Image.open(io.BytesIO(png))
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and image.size[0] > 600


def test_constructor_follows_the_sliders_and_rejects_bad_values():
    explorer = DepthExplorer(depth=40, width=100, layer="Conv2d", activation="relu", init="he_normal")
    assert (explorer.depth.value, explorer.channels.value) == (30, 64)
    assert explorer.model.settings["depth"] == 30 and explorer.model.settings["width"] == 64
    with pytest.raises(ValueError, match="'activation'"):
        DepthExplorer(activation="gelu")
