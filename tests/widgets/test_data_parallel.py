"""DataParallelModel (pure) and DataParallelExplorer (its view)."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import nn
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
    try:
        m.set(**{key: value})
    except (TypeError, ValueError):
        assert (m.workers, m.batch, m.mean, m.seed) == before


def test_explorer_controls_redraw_and_errors_show_in_the_box():
    pytest.importorskip("ipywidgets")
    from sporelab.widgets import DataParallelExplorer
    e = DataParallelExplorer()
    draws = e.pane.draws
    e.workers.value = 4
    assert e.model.workers == 4 and e.pane.draws == draws + 1
    e.mean.value = False
    assert e.model.mean is False and "sum over 4" in e.axes.get_legend().get_texts()[1].get_text()
    e.new_batch.click()
    assert e.model.seed == 1 and e.pane.draws == draws + 3
    e.model.batch = 4
    e.workers.value = 8                                   # 8 workers for 4 samples: shown, not raised
    assert "at least one sample per worker" in e.errors.value and e.model.workers == 4
    assert e.pane.png()[:4] == b"\x89PNG"
