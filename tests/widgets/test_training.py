"""TrainingModel (learning, per-parameter lr_mult / requires_grad / grad_req, weight edits,
reproducibility, symmetry of a zeros init, divergence), its figure description, and the headless
TrainingExplorer (every control at its extremes changes the figure once, every button, errors
shown in the widget, non-finite values drawn with a mark)."""

import json
import time

import numpy as np
import pytest

import sporelab as ms
from sporelab import nn
from sporelab.widgets._figure import resolve, to_wire
from sporelab.widgets.training import TrainingExplorer, _parse_index
from sporelab.widgets.training_figure import MAX_POINTS, figure_description, nice_ceiling, steady_limit
from sporelab.widgets.training_model import GRAD_REQS, INITS, NETWORKS, OPTIMIZERS, TrainingModel, as_2d, histogram


def fresh_gradient(model, name):
    """The gradient of the loss for ``name`` at the model's current weights, computed apart."""
    param = model.params[name]
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    (grad,) = ms.grad(lambda x, y: loss_fn(model.net(x), y), None, [param])(model.x, model.y)
    return grad.asnumpy()


def fresh_loss(model):
    loss_fn = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    return loss_fn(model.net(model.x), model.y).item()


# ---- the model: learning, reproducibility --------------------------------------------------------

def test_dense_network_learns_the_spiral_with_seed_0():
    """Seed 0, xavier_uniform, Adam lr 0.05, 100 full-batch steps: the loss falls from about 0.70
    to below a third of it and accuracy reaches 85 % (measured: 0.703 -> 0.167, 94 %)."""
    model = TrainingModel("dense", "xavier_uniform", "Adam", 0.05, seed=0)
    losses = model.step(100)
    assert len(losses) == len(model.history) == 100
    assert losses[-1] < losses[0] / 3
    assert model.accuracy[-1] >= 0.85


def test_conv_network_learns_the_bars_with_seed_0():
    """Seed 0, he_uniform, SGD lr 0.1, 30 steps: the loss halves (measured 0.71 -> about 0.2)."""
    model = TrainingModel("conv", "he_uniform", "SGD", 0.1, seed=0)
    losses = model.step(30)
    assert losses[-1] < losses[0] / 2


def test_reset_and_a_new_model_with_the_same_seed_reproduce_the_history_bitwise():
    model = TrainingModel("conv", "xavier_uniform", "Momentum", 0.05, seed=3)
    first = model.step(8)
    weights = model.value("3.weight")
    model.reset()
    assert model.history == [] and model.gradient("0.weight") is None
    assert model.step(8) == first
    np.testing.assert_array_equal(model.value("3.weight"), weights)
    other = TrainingModel("conv", "xavier_uniform", "Momentum", 0.05, seed=3)
    assert other.step(8) == first
    assert TrainingModel("conv", "xavier_uniform", "Momentum", 0.05, seed=4).step(8) != first


@pytest.mark.parametrize("optimizer, reference", [
    ("SGD", lambda p, lr: nn.SGD(p, lr)), ("Momentum", lambda p, lr: nn.Momentum(p, lr, 0.9)),
    ("Adam", lambda p, lr: nn.Adam(p, lr))])
def test_updates_equal_the_engine_optimizers_bitwise(optimizer, reference):
    model = TrainingModel("dense", "he_uniform", optimizer, 0.05, seed=2)
    twin = TrainingModel("dense", "he_uniform", optimizer, 0.05, seed=2)
    params = list(twin.net.get_parameters())
    step = nn.TrainOneStepCell(nn.WithLossCell(twin.net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")),
                               reference(params, 0.05))
    ours = model.step(5)
    theirs = [step(twin.x, twin.y).item() for _ in range(5)]
    assert ours == theirs
    for name in model.names:
        np.testing.assert_array_equal(model.value(name), twin.value(name))


# ---- per-parameter settings ------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_lr_mult_zero_freezes_a_parameter_bitwise_but_it_still_has_a_gradient(optimizer):
    model = TrainingModel("dense", "xavier_uniform", optimizer, 0.1, seed=0)
    start = {name: model.value(name) for name in model.names}
    model.configure("0.weight", lr_mult=0.0)
    model.step(5)
    np.testing.assert_array_equal(model.value("0.weight"), start["0.weight"])
    assert model.gradient("0.weight") is not None and np.any(model.gradient("0.weight"))
    assert not np.array_equal(model.value("2.weight"), start["2.weight"])


def test_lr_mult_scales_the_sgd_step_exactly():
    model = TrainingModel("dense", "xavier_uniform", "SGD", 0.1, seed=0)
    model.configure("2.weight", lr_mult=0.5)
    model.step()
    expected = model.before("2.weight") - 0.05 * model.gradient("2.weight")
    np.testing.assert_array_equal(model.value("2.weight"), expected)
    np.testing.assert_array_equal(model.change("2.weight"), model.value("2.weight") - model.before("2.weight"))


def test_requires_grad_false_freezes_a_parameter_and_its_gradient_is_absent():
    model = TrainingModel("conv", "he_uniform", "Adam", 0.05, seed=1)
    start = model.value("0.weight")
    model.configure("0.weight", requires_grad=False)
    assert model.params["0.weight"].requires_grad is False and not model.trains("0.weight")
    model.step(4)
    np.testing.assert_array_equal(model.value("0.weight"), start)
    assert model.gradient("0.weight") is None
    assert model.gradient("3.weight") is not None


def test_grad_req_null_is_equivalent_to_requires_grad_false():
    null = TrainingModel("dense", "he_uniform", "Momentum", 0.1, seed=5)
    frozen = TrainingModel("dense", "he_uniform", "Momentum", 0.1, seed=5)
    null.configure("2.weight", grad_req="null")
    frozen.configure("2.weight", requires_grad=False)
    assert null.step(6) == frozen.step(6)
    for name in null.names:
        np.testing.assert_array_equal(null.value(name), frozen.value(name))
    assert null.gradient("2.weight") is None and frozen.gradient("2.weight") is None


def test_grad_req_add_on_a_fixed_batch_and_weights_gives_twice_the_single_gradient():
    """With every lr_mult 0 the weights stay put, so each fresh gradient is the same g: after
    two steps the 'add' buffer is exactly g + g = 2 g; zero_grad starts again from g."""
    model = TrainingModel("dense", "xavier_uniform", "SGD", 0.1, seed=0)
    for name in model.names:
        model.configure(name, lr_mult=0.0)
    model.configure("0.weight", grad_req="add")
    model.step()
    single = model.gradient("0.weight").copy()
    model.step()
    np.testing.assert_array_equal(model.gradient("0.weight"), 2 * single)
    np.testing.assert_array_equal(model.gradient("2.weight"), fresh_gradient(model, "2.weight"))
    model.zero_grad()
    model.step()
    np.testing.assert_array_equal(model.gradient("0.weight"), single)


def test_grad_req_add_updates_with_the_sum_of_the_fresh_gradients():
    """The rule: after k steps the buffer is the sum of the k fresh gradients, each taken at the
    weights of its own step, and SGD steps with that sum."""
    model = TrainingModel("dense", "he_uniform", "SGD", 0.2, seed=1)
    model.configure("2.weight", grad_req="add")
    g1 = fresh_gradient(model, "2.weight")
    model.step()
    g2 = fresh_gradient(model, "2.weight")
    model.step()
    np.testing.assert_array_equal(model.gradient("2.weight"), g1 + g2)
    np.testing.assert_array_equal(model.value("2.weight"), model.before("2.weight") - 0.2 * (g1 + g2))
    model.configure("2.weight", grad_req="write")            # a change of grad_req empties the buffer
    g3 = fresh_gradient(model, "2.weight")
    model.step()
    np.testing.assert_array_equal(model.gradient("2.weight"), g3)


@pytest.mark.parametrize("network", NETWORKS)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_a_zeros_init_keeps_the_hidden_units_symmetric(network, optimizer):
    model = TrainingModel(network, "zeros", optimizer, 0.5, seed=0)
    model.step(10)
    first, last = model.layers[0][0], model.layers[1][0]
    w1 = as_2d(model.value(f"{first}.weight"))
    assert np.all(w1 == w1[0])                                  # every hidden unit / filter alike
    assert np.all(model.value(f"{first}.bias") == model.value(f"{first}.bias")[0])
    if network == "dense":
        w2 = model.value(f"{last}.weight")
        assert np.all(w2 == w2[:, :1])                           # every unit weighted alike
    assert model.history[-1] == pytest.approx(model.history[0], abs=0.05)


# ---- editing, inspecting, errors --------------------------------------------------------------------

def test_set_weight_changes_the_loss_to_exactly_a_fresh_forward_pass():
    model = TrainingModel("dense", "xavier_uniform", "Adam", 0.05, seed=0)
    model.step(3)
    before = model.loss()
    new = model.set_weight("0.weight", (3, 1), 2.5)
    assert new == fresh_loss(model) == model.loss() == model.edited_loss
    assert new != before
    assert model.value("0.weight")[3, 1] == np.float32(2.5)
    assert model.set_weight("0.weight", 7, -1.0) == fresh_loss(model)    # flat 7 = row 3, col 1
    assert model.value("0.weight")[3, 1] == np.float32(-1.0)
    model.step()
    assert model.edited_loss is None


def test_flat_index_accepts_flat_parameter_and_heatmap_positions():
    model = TrainingModel("conv", seed=0)
    assert model.flat_index("0.weight", 10) == 10
    assert model.flat_index("0.weight", (1, 0, 0, 1)) == 10
    assert model.flat_index("0.weight", (1, 1)) == 10                   # heatmap (4, 9)
    assert model.flat_index("0.bias", (0, 3)) == model.flat_index("0.bias", 3) == 3
    with pytest.raises(ValueError, match="out of range"):
        model.flat_index("0.weight", (4, 0))
    with pytest.raises(ValueError, match="1, 4 or 2 entries"):
        model.flat_index("0.weight", (0, 0, 0))
    with pytest.raises(TypeError, match="index"):
        model.flat_index("0.weight", 1.5)


@pytest.mark.parametrize("call, error, word", [
    (lambda: TrainingModel(network="rnn"), ValueError, "network"),
    (lambda: TrainingModel(init=3), TypeError, "init"),
    (lambda: TrainingModel(optimizer="adam"), ValueError, "optimizer"),
    (lambda: TrainingModel(learning_rate=0.0), ValueError, "learning_rate"),
    (lambda: TrainingModel(learning_rate="fast"), TypeError, "learning_rate"),
    (lambda: TrainingModel(seed=-1), ValueError, "seed"),
    (lambda: TrainingModel().configure("9.weight", lr_mult=1.0), ValueError, "name"),
    (lambda: TrainingModel().configure("0.weight", lr_mult=-1.0), ValueError, "lr_mult"),
    (lambda: TrainingModel().configure("0.weight", requires_grad=1), TypeError, "requires_grad"),
    (lambda: TrainingModel().configure("0.weight", grad_req="sum"), ValueError, "grad_req"),
    (lambda: TrainingModel().set_weight("0.weight", (0, 0), float("nan")), ValueError, "value"),
    (lambda: TrainingModel().set_weight("0.weight", (0, 0), "1"), TypeError, "value"),
    (lambda: TrainingModel().set_weight("0.weight", (0, 0), 1e39), ValueError, "Float32"),
    (lambda: TrainingModel().step(0), ValueError, "'n'"),
])
def test_bad_arguments_name_the_argument(call, error, word):
    with pytest.raises(error, match=word):
        call()


def test_a_rejected_setting_or_edit_changes_nothing():
    model = TrainingModel()
    settings, weights = model.settings("0.weight"), model.value("0.weight")
    with pytest.raises(ValueError):
        model.configure("0.weight", lr_mult=0.5, grad_req="bogus")
    with pytest.raises(ValueError):
        model.set_weight("0.weight", (99, 0), 1.0)
    assert model.settings("0.weight") == settings
    np.testing.assert_array_equal(model.value("0.weight"), weights)


def test_a_diverged_loss_is_recorded_moves_no_weight_and_stops_training():
    model = TrainingModel("dense", "xavier_uniform", "SGD", 0.1, seed=0)
    model.set_weight("2.bias", 0, 3e38)
    model.set_weight("2.bias", 1, -3e38)
    assert not np.isfinite(model.edited_loss) and model.diverged
    with pytest.raises(RuntimeError, match="Reset and lower the learning rate"):
        model.step()
    assert model.history == []
    model = TrainingModel("dense", "xavier_uniform", "SGD", 10.0, seed=0)
    model.set_weight("2.weight", (0, 0), 1e37)        # a finite loss, then an update that overflows
    losses = model.step(5)                             # stops at the first non-finite loss
    assert len(losses) == len(model.history) == 2 and np.isfinite(losses[0]) and losses[1] == np.inf
    assert model.diverged and model.gradient("0.weight") is not None
    for name in model.names:
        np.testing.assert_array_equal(model.value(name), model.before(name))      # no weight moved
    with pytest.raises(RuntimeError, match="diverged"):
        model.step()
    model.reset()
    assert not model.diverged and len(model.step(2)) == 2


def test_configuration_setters_rebuild_or_keep_as_documented():
    model = TrainingModel("dense", seed=0)
    model.configure("0.weight", lr_mult=0.5)
    model.step(2)
    model.learning_rate = 0.01                       # applies from the next step, history kept
    model.optimizer = "SGD"                          # fresh optimizer state, weights kept
    assert len(model.history) == 2
    model.network = "conv"
    assert model.names == ["0.weight", "0.bias", "3.weight", "3.bias"] and model.history == []
    assert model.settings("0.weight")["lr_mult"] == 0.5             # kept: the name still exists
    model.init, model.seed = "zeros", 2
    assert not np.any(model.value("3.weight"))


def test_add_buffers_count_their_gradients():
    model = TrainingModel("dense", seed=0)
    model.configure("0.weight", grad_req="add")
    model.step(3)
    assert model.accumulated("0.weight") == 3 and model.accumulated("2.weight") == 0
    model.zero_grad()
    assert model.accumulated("0.weight") == 0


def test_histogram_counts_equal_numpys_even_on_the_edges():
    rng = np.random.default_rng(0)
    for limit in (1e-3, 0.5, 2.5, 5e37):
        edges = np.linspace(-limit, limit, 32)
        values = np.concatenate([rng.standard_normal(300) * limit * 0.6, edges, [-2 * limit, 2 * limit]])
        values = values.astype(np.float32).astype(np.float64)
        for ours, numpys in zip(histogram(values, 31, limit), np.histogram(values, bins=31, range=(-limit, limit))):
            np.testing.assert_array_equal(ours, numpys)
        for ours, numpys in zip(histogram(values[:40], 7), np.histogram(values[:40], bins=7)):
            np.testing.assert_array_equal(ours, numpys)


def test_histogram_and_2d_view_helpers():
    counts, edges = histogram(np.array([0.0, 0.1, -0.1, 5.0, np.nan]), bins=4, limit=1.0)
    assert counts.tolist() == [0, 1, 2, 0] and edges.tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    counts, edges = histogram(np.zeros(5), bins=3)
    assert counts.sum() == 5 and edges[0] < 0 < edges[-1]
    assert as_2d(np.zeros((2, 576))).shape == (2, 576) and as_2d(np.zeros(4)).shape == (1, 4)
    assert nice_ceiling(0.011) == 0.02 and nice_ceiling(2.4) == 2.5
    assert steady_limit(1.0, 0.9) == 1.0 and steady_limit(1.0, 0.1) == 0.2 and steady_limit(None, 0) == 1.0
    assert _parse_index(" 3, 1 ") == (3, 1) and _parse_index("7") == 7
    with pytest.raises(ValueError, match="index"):
        _parse_index("a, b")


# ---- the figure description ---------------------------------------------------------------------

def panel(figure, name):
    return next(p for p in figure["panels"] if p["id"] == name)


def marks(figure, name, kind):
    return [m for m in panel(figure, name)["marks"] if m["type"] == kind]


def notes(figure, name):
    return [m["text"] for m in marks(figure, name, "text")]


def wire_bytes(figure):
    """(JSON bytes without the buffers, buffer bytes) of what LiveFigure sends for ``figure``."""
    buffers = []
    text = json.dumps(to_wire(figure), default=lambda b: buffers.append(len(b)))
    return len(text), sum(buffers)


def test_the_description_shows_the_models_numbers():
    model = TrainingModel("dense", seed=0)
    model.step(12)
    model.set_weight("0.weight", (2, 1), 1.5)
    figure = resolve(figure_description(model, "0.weight", flat=5, steps=3))
    (line,) = [m for m in marks(figure, "loss", "line") if m.get("label") == "training loss"]
    np.testing.assert_array_equal(line["y"], model.history)
    np.testing.assert_array_equal(line["x"], np.arange(12))
    (dot,) = [m for m in marks(figure, "loss", "line") if m.get("label") == "loss after your edit"]
    assert dot["y"].tolist() == [model.edited_loss] and dot["x"].tolist() == [12.0]
    (after,) = marks(figure, "after", "image")
    np.testing.assert_array_equal(after["values"], model.value("0.weight"))
    np.testing.assert_array_equal(marks(figure, "before", "image")[0]["values"], model.before("0.weight"))
    np.testing.assert_array_equal(marks(figure, "gradient", "image")[0]["values"], model.gradient("0.weight"))
    np.testing.assert_array_equal(marks(figure, "change", "image")[0]["values"], model.change("0.weight"))
    assert after["cmap"] == "PuOr" and after["vmin"] == -after["vmax"] and panel(figure, "after")["colorbar"]
    halo, outline = marks(figure, "after", "line")                     # flat 5 = row 2, column 1, rows from the top
    assert outline["x"].tolist() == [1, 2, 2, 1, 1] and outline["y"].tolist() == [14, 14, 13, 13, 14]
    assert outline["color"] == "#000000" and halo["color"] == "#ffffff" and halo["width"] > outline["width"]
    shown = [(name, get(name)) for get in (model.value, model.gradient) for name in ("0.weight", "2.weight")]
    for index, (name, values) in enumerate(shown):
        hist = panel(figure, f"hist {index}")
        (stairs,) = marks(figure, f"hist {index}", "stairs")
        counts, edges = histogram(values, 31, hist["x"]["lim"][1])
        np.testing.assert_array_equal(stairs["heights"], counts)
        np.testing.assert_array_equal(stairs["edges"], edges)
        assert name in hist["xlabel"]
    texts = " ".join(t["text"] for t in figure["texts"])
    assert "step 12" in texts and "3 steps per click" in texts and "lr_mult 1" in texts
    assert f"{model.history[-1]:.4g}" in figure["alt"] and "accuracy" in figure["alt"]


def test_a_long_history_is_thinned_and_a_change_stays_small():
    model = TrainingModel("dense", seed=0)
    model.step(450)
    limits = {}
    figure = resolve(figure_description(model, "0.weight", flat=0, limits=limits))
    (line,) = marks(figure, "loss", "line")
    assert line["y"].size == MAX_POINTS and line["x"][[0, -1]].tolist() == [0, 449]
    assert line["y"][-1] == model.history[-1] and panel(figure, "loss")["x"]["lim"] == [0.0, 640.0]
    text, buffers = wire_bytes(figure)
    assert text + buffers < 9000, (text, buffers)


def test_steady_limits_hold_while_the_data_fits():
    model = TrainingModel("dense", seed=0)
    limits = {}
    model.step()
    first = resolve(figure_description(model, "0.weight", limits=limits))
    model.step()
    second = resolve(figure_description(model, "0.weight", limits=limits))
    for name in ("loss", "after", "hist 0"):
        assert panel(first, name)["y"]["lim"] == panel(second, name)["y"]["lim"]
    assert panel(first, "after")["colorbar"]["vmax"] == panel(second, "after")["colorbar"]["vmax"]


def test_an_exploding_network_is_drawn_with_marks_never_an_exception():
    """SGD with a learning rate of 10 from a huge edited weight: the loss overflows to inf."""
    model = TrainingModel("dense", "xavier_uniform", "SGD", 10.0, seed=0)
    model.set_weight("2.weight", (0, 0), 1e37)
    model.step(3)
    figure = resolve(figure_description(model, "2.weight", flat=0))
    assert any("diverged" in text for text in notes(figure, "loss"))
    assert any("not drawn" in text and "inf" in text for text in notes(figure, "loss"))
    weights = model.params["0.weight"].asnumpy().copy()           # weights that overflowed
    weights[0, 0], weights[1, 1], weights[2] = np.nan, np.inf, -np.inf
    model.params["0.weight"].set_data(ms.Tensor(weights))
    figure = resolve(figure_description(model, "0.weight", flat=0))
    assert any("not drawn" in text for text in notes(figure, "after"))
    assert "\u25b2 4 of 32 not finite" in notes(figure, "hist 0")
    assert to_wire(figure)["panels"][2]["marks"][0]["values"]["dtype"] == "uint8"


def test_odd_values_a_single_weight_zeros_and_a_zero_loss_get_a_note():
    single = TrainingModel("dense", seed=0, hidden=1)
    single.step()
    figure = resolve(figure_description(single, "0.bias", flat=0))
    assert marks(figure, "after", "image")[0]["values"].shape == (1, 1)
    assert panel(figure, "after")["y"]["ticks"] == [0.5] and panel(figure, "after")["y"]["labels"] == ["0"]
    zeros = TrainingModel("dense", "zeros", seed=0)
    figure = resolve(figure_description(zeros, "0.weight"))
    assert "all zeros" in notes(figure, "after") and "all 32 values = 0" in notes(figure, "hist 0")
    assert "no step yet" in notes(figure, "loss") and "no step yet" in notes(figure, "gradient")
    zeros.history, zeros.accuracy = [0.7, 0.0], [0.5, 1.0]       # what conv + Adam at lr 10 reaches
    assert any(text.startswith("loss 0 at step 1") for text in notes(resolve(figure_description(zeros, "0.weight")),
                                                                      "loss"))


# ---- the view ----------------------------------------------------------------------------------------

@pytest.fixture
def explorer():
    view = TrainingExplorer()
    view.tick_guard_s = 0.0            # headless ticks come back to back; the guard is tested apart
    return view


def sent(view):
    """What the browser last received (the wire form, buffers as hex): changes iff the figure did."""
    return json.dumps(view.pane.figure, default=lambda b: bytes(b).hex(), sort_keys=True)


def changes_once(view, action):
    """Run ``action``; assert it showed a new figure exactly once and no error; return the description."""
    renders, before = view.pane.renders, sent(view)
    action()
    assert view.errors.value == "", view.errors.value
    assert view.pane.renders == renders + 1
    assert sent(view) != before, "the figure did not change"
    return view.pane.description


def slider_values(control):
    """Max, min and middle (log sliders: of the exponent), leaving out the current value first."""
    low, high = control.min, control.max
    middle = (low + high) / 2 if isinstance(control.value, float) else (low + high) // 2
    values = [high, low, middle]
    if hasattr(control, "base"):
        values = [control.base ** v for v in values]
    return values


def test_every_control_at_min_middle_max_changes_the_figure(explorer):
    view = explorer
    for control in (view.learning_rate, view.seed, view.steps, view.lr_mult):
        for value in slider_values(control):
            changes_once(view, lambda c=control, v=value: setattr(c, "value", v))
    assert view.model.learning_rate == pytest.approx(10 ** -1.5) and view.model.seed == 10
    assert view.model.settings("0.weight")["lr_mult"] == 1.0
    for control in (view.optimizer, view.grad_req, view.init, view.network):
        start = control.value
        for option in [o for o in control.options if o != start] + [start]:
            changes_once(view, lambda c=control, o=option: setattr(c, "value", o))
    for option in view.parameter.options[1:] + view.parameter.options[:1]:
        changes_once(view, lambda o=option: setattr(view.parameter, "value", o))
    for state in (False, True):
        changes_once(view, lambda s=state: setattr(view.requires_grad, "value", s))
    view.grad_req.value = "add"
    for button in (view.step_button, view.zero_button, view.apply_button, view.reset_button):
        changes_once(view, button.click)
    changes_once(view, lambda: setattr(view.play, "value", 1))
    changes_once(view, lambda: setattr(view.index, "value", "0, 1"))
    changes_once(view, lambda: setattr(view.value, "value", 0.25))


def test_step_play_and_reset_change_the_figure(explorer):
    view = explorer
    start = sent(view)
    figure = changes_once(view, view.step_button.click)
    assert len(view.model.history) == 1 and marks(figure, "loss", "line")[0]["y"].size == 1
    changes_once(view, lambda: setattr(view.steps, "value", 3))
    changes_once(view, lambda: setattr(view.play, "value", 1))
    figure = changes_once(view, lambda: setattr(view.play, "value", 2))
    assert len(view.model.history) == 7 and marks(figure, "loss", "line")[0]["y"].size == 7
    assert "step 7" in figure["texts"][1]["text"]
    changes_once(view, lambda: setattr(view.steps, "value", 1))
    view.play.playing = True
    changes_once(view, view.reset_button.click)
    assert view.model.history == [] and view.play.value == 0 and view.play.playing is False
    assert sent(view) == start


def test_heatmaps_follow_the_chosen_parameter_and_settings_reach_the_model(explorer):
    view = explorer
    changes_once(view, lambda: setattr(view.network, "value", "conv"))
    assert list(view.parameter.options) == ["0.weight", "0.bias", "3.weight", "3.bias"]
    figure = changes_once(view, lambda: setattr(view.parameter, "value", "3.weight"))
    assert marks(figure, "after", "image")[0]["values"].shape == (2, 576)
    figure = changes_once(view, lambda: setattr(view.parameter, "value", "0.weight"))
    assert marks(figure, "after", "image")[0]["values"].shape == (4, 9)
    changes_once(view, lambda: setattr(view.grad_req, "value", "null"))
    changes_once(view, lambda: setattr(view.lr_mult, "value", 0.0))
    assert view.model.settings("0.weight") == {"lr_mult": 0.0, "grad_req": "null", "requires_grad": True}
    figure = changes_once(view, view.step_button.click)
    assert "frozen: no gradient" in notes(figure, "gradient") and not marks(figure, "gradient", "image")
    assert "frozen: no gradient" in notes(figure, "hist 2")
    assert "grad_req null" in figure["texts"][1]["text"]
    changes_once(view, lambda: setattr(view.parameter, "value", "3.bias"))     # controls follow
    assert (view.lr_mult.value, view.grad_req.value) == (1.0, "write")


def test_the_weight_editor_applies_through_set_data_and_shows_the_new_loss(explorer):
    view = explorer
    changes_once(view, view.step_button.click)
    figure = changes_once(view, lambda: setattr(view.index, "value", "2, 1"))
    assert view.value.value == pytest.approx(float(view.model.value("0.weight")[2, 1]))
    assert marks(figure, "after", "line")[0]["x"][0] == 1 and marks(figure, "after", "line")[0]["y"][0] == 14
    figure = changes_once(view, lambda: setattr(view.value, "value", 4.0))       # Enter applies
    assert view.model.value("0.weight")[2, 1] == np.float32(4.0)
    assert view.model.edited_loss == fresh_loss(view.model)
    assert f"{view.model.edited_loss:.4g}" in view.status.value
    (dot,) = [m for m in marks(figure, "loss", "line") if m.get("label") == "loss after your edit"]
    assert dot["x"].tolist() == [1.0] and dot["y"].tolist() == [view.model.edited_loss]
    with view._silently():
        view.value.value = -4.0                                          # typed, not yet applied
    changes_once(view, view.apply_button.click)
    assert view.model.value("0.weight")[2, 1] == np.float32(-4.0)


def test_a_bad_index_is_shown_in_the_widget_not_raised(explorer):
    view = explorer
    for row, index in enumerate(("9, 9", "a, b", "1, 2, 3", "")):
        renders, weights = view.pane.renders, view.model.value("0.weight")
        view.index.value = index
        assert "index" in view.errors.value and view.errors.layout.display == "block"
        view.apply_button.click()
        assert "index" in view.errors.value
        assert view.pane.renders == renders
        np.testing.assert_array_equal(view.model.value("0.weight"), weights)
        changes_once(view, lambda row=row: setattr(view.index, "value", f"{row + 1}, 0"))     # a good one clears it
        assert view.errors.layout.display == "none"


def test_a_learning_rate_of_10_diverges_on_the_curve_and_stops_play(explorer):
    view = explorer
    view.optimizer.value = "SGD"
    view.learning_rate.value = 10.0
    assert view.model.learning_rate == 10.0
    view.parameter.value = "2.weight"
    view.value.value = 1e37                                    # Enter applies to [0, 0]
    view.play.playing = True
    changes_once(view, lambda: setattr(view.play, "value", 1))
    figure = changes_once(view, lambda: setattr(view.play, "value", 2))
    assert view.model.diverged and view.play.playing is False
    assert any("diverged" in text for text in notes(figure, "loss"))
    renders, last = view.pane.renders, sent(view)
    view.step_button.click()                                   # refused: said in the box, figure kept
    assert "Reset and lower the learning rate" in view.errors.value
    assert view.pane.renders == renders and sent(view) == last
    changes_once(view, view.reset_button.click)
    changes_once(view, view.step_button.click)


def test_a_diverged_edit_is_marked_and_stepping_is_refused(explorer):
    view = explorer
    view.parameter.value = "2.bias"
    for index, value in (("0", 3e38), ("1", -3e38)):
        view.index.value = index
        view.value.value = value
    assert "loss after your edit: nan" in notes(view.pane.description, "loss")
    view.play.playing = True
    renders = view.pane.renders
    view.play.value = 1
    assert "Reset and lower the learning rate" in view.errors.value
    assert view.play.playing is False and view.pane.renders == renders


def test_ticks_queued_while_the_kernel_was_busy_are_dropped(explorer):
    view = explorer
    view.tick_guard_s = 0.5 * view.play.interval / 1000          # the explorer's default
    view.play.value = 1
    renders = view.pane.renders
    view.play.value = 2                # arrives at once after the last tick finished: dropped
    assert view.pane.renders == renders and len(view.model.history) == 1
    time.sleep(view.tick_guard_s)
    changes_once(view, lambda: setattr(view.play, "value", 3))
    assert len(view.model.history) == 2


def test_the_png_is_drawn_from_the_shown_description(explorer):
    from sporelab.widgets._figure import render_png
    explorer.step_button.click()
    png = explorer.pane.png()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and png == render_png(explorer.pane.description)


def test_explorer_constructor_checks_its_arguments_and_offers_every_choice(explorer):
    with pytest.raises(ValueError, match="network"):
        TrainingExplorer(network="mlp")
    assert explorer.init.options == INITS and explorer.optimizer.options == OPTIMIZERS
    assert explorer.network.options == NETWORKS and explorer.grad_req.options == GRAD_REQS
