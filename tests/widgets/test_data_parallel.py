"""DataParallelModel (pure), its figure description and DataParallelExplorer (its view)."""

import json

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import nn
from sporelab.widgets._figure import render_png, resolve
from sporelab.widgets.data_parallel_figure import figure_description
from sporelab.widgets.data_parallel_model import DataParallelModel


def test_equal_shards_with_mean_give_the_whole_batch_gradient():
    for workers in (1, 2, 3, 4, 6, 8):
        m = DataParallelModel(workers=workers, batch=24)
        assert len(m.shard_gradients()) == workers
        assert m.gap() < 1e-6, workers


def test_without_mean_the_sum_is_p_times_and_uneven_shards_differ():
    m = DataParallelModel(workers=4, batch=24, mean=False)
    np.testing.assert_allclose(m.reduced(), 4 * m.full(), rtol=1e-5)
    m.set(workers=5, mean=True)                         # shards of 5,5,5,5,4: mean of means != mean
    assert [len(s) for s in m.shards()] == [5, 5, 5, 5, 4] and not m.even()
    assert m.gap() > 1e-3


def test_gradients_are_the_engines():
    m = DataParallelModel(workers=2, batch=8, seed=3)
    x, y = m.data()
    net = nn.Dense(2, 1, weight_init=ms.Tensor(np.float32([[0.2, 0.4]])), bias_init="zeros")
    g = ms.value_and_grad(nn.WithLossCell(net, nn.MSELoss()), None, [net.weight])(ms.Tensor(x[:4]), ms.Tensor(y[:4]))[1]
    np.testing.assert_array_equal(m.shard_gradients()[0], g[0].asnumpy().ravel())


def test_errors_name_the_argument_and_change_nothing():
    m = DataParallelModel()
    with pytest.raises(ValueError, match=r"'workers' must be in \[1, 8\], but got 9"):
        m.set(workers=9)
    with pytest.raises(ValueError, match="at least one sample per worker"):
        m.set(workers=8, batch=4)
    with pytest.raises(TypeError, match="'mean' must be a bool"):
        m.set(mean=1)
    with pytest.raises(TypeError, match="'seed' must be an int"):
        m.set(seed=1.5)
    assert (m.workers, m.batch, m.mean, m.seed) == (2, 24, True, 0)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.none(), st.booleans(), st.integers(-3, 30), st.floats(allow_nan=True), st.text(max_size=3)),
       st.sampled_from(["workers", "batch", "mean", "seed"]))
def test_bad_input_only_raises_clear_errors(value, key):
    m = DataParallelModel()
    before = (m.workers, m.batch, m.mean, m.seed)
    is_int = type(value) is int
    accepted = value is None or {"workers": is_int and 1 <= value <= 8 and value <= m.batch,
                                 "batch": is_int and value >= m.workers, "mean": type(value) is bool,
                                 "seed": is_int and value >= 0}[key]
    try:
        m.set(**{key: value})
    except (TypeError, ValueError) as error:
        assert not accepted and f"{key}" in str(error) and (m.workers, m.batch, m.mean, m.seed) == before, error
    else:
        assert accepted, f"{key}={value!r} accepted"
        after = dict(zip(("workers", "batch", "mean", "seed"), before), **({} if value is None else {key: value}))
        assert (m.workers, m.batch, m.mean, m.seed) == tuple(after.values())


def test_results_are_computed_once_per_batch_and_follow_every_setting():
    m = DataParallelModel(workers=3, batch=24, seed=2)
    first = m.shard_gradients()
    first[0][:] = 99.0                                   # a caller's copy: the cache is untouched
    assert m.shard_gradients()[0][0] != 99.0
    m.batch = 12                                         # set directly (no set()): still recomputed
    assert len(m.shards()[0]) == 4 and m.gap() < 1e-6
    np.testing.assert_array_equal(m.full(), DataParallelModel(workers=1, batch=12, seed=2).full())


def test_the_description_draws_the_models_vectors():
    m = DataParallelModel(workers=4, batch=24, mean=False)
    figure = resolve(figure_description(m))
    (panel,) = figure["panels"]
    shafts = [mark for mark in panel["marks"] if mark["type"] == "line" and mark["x"][0] == 0.0]
    tips = [(mark["x"][1], mark["y"][1]) for mark in shafts]
    expected = [tuple(g) for g in m.shard_gradients()] + [tuple(m.reduced()), tuple(m.full())]
    np.testing.assert_array_equal(np.array(tips), np.array(expected, dtype=np.float64))
    assert shafts[-1]["dash"] == "dashed" and shafts[-2]["label"] == "reduced: sum over 4 worker(s)"
    assert panel["x"]["lim"] == panel["y"]["lim"] and panel["x"]["lim"][1] >= np.abs(expected).max()
    assert [item["label"] for item in panel["legend"]["items"]][1] == "reduced: sum over 4 worker(s)"
    assert "4 times the whole batch" in figure["alt"] and f"{m.gap():.2g}" in panel["title"]


def test_a_zero_or_non_finite_gradient_is_drawn_without_a_head_and_with_a_note(monkeypatch):
    m = DataParallelModel(workers=2)
    monkeypatch.setattr(m, "shard_gradients", lambda: [np.float32([0.0, 0.0]), np.float32([np.nan, np.inf])])
    figure = resolve(figure_description(m))
    texts = [mark["text"] for mark in figure["panels"][0]["marks"] if mark["type"] == "text"]
    assert any("not drawn" in text for text in texts)


def sent(view):
    return json.dumps(view.pane.figure, default=lambda b: bytes(b).hex(), sort_keys=True)


def test_explorer_controls_change_the_figure_and_errors_show_in_the_box():
    from sporelab.widgets import DataParallelExplorer
    e = DataParallelExplorer()
    for action in (lambda: setattr(e.workers, "value", 8), lambda: setattr(e.workers, "value", 1),
                   lambda: setattr(e.workers, "value", 4), lambda: setattr(e.mean, "value", False),
                   lambda: setattr(e.mean, "value", True), e.new_batch.click):
        renders, before = e.pane.renders, sent(e)
        action()
        assert e.pane.renders == renders + 1 and sent(e) != before and e.errors.value == ""
    assert (e.model.workers, e.model.mean, e.model.seed) == (4, True, 1)
    e.mean.value = False
    assert "sum over 4" in e.pane.description["panels"][0]["legend"]["items"][1]["label"]
    e.model.batch = 4
    renders = e.pane.renders
    e.workers.value = 8                                   # 8 workers for 4 samples: shown, not raised
    assert "at least one sample per worker" in e.errors.value and e.model.workers == 4
    assert e.pane.renders == renders
    assert e.pane.png() == render_png(e.pane.description) and e.pane.png()[:4] == b"\x89PNG"
