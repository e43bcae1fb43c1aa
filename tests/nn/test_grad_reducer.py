"""DistributedGradReducer in one process (world of size 1): filters, scaling, checks. The sums over
several ranks are tested under mpiexec in tests/distributed/."""

import numpy as np
import pytest
from tests._requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import nn
from sporelab.communication import init, release

require("mpi")


@pytest.fixture(autouse=True)
def world():
    init()
    ms.reset_auto_parallel_context()
    yield
    ms.reset_auto_parallel_context()
    ms.reset_ps_context()
    ms.set_context(mode=ms.PYNATIVE_MODE)
    release()


def _params():
    a = ms.Parameter(ms.Tensor([1.0, 2.0]), name="a")
    b = ms.Parameter(ms.Tensor(np.ones(3)), name="b")           # float64
    c = ms.Parameter(ms.Tensor([3.0]), name="c", layerwise_parallel=True)
    return a, b, c


def test_mean_scales_by_one_over_degree_in_the_gradients_dtype_and_skips_layerwise():
    a, b, c = _params()
    reducer = nn.DistributedGradReducer((a, b, c), mean=True, degree=3)
    ga, gb, gc = reducer((ms.Tensor([3.0, 6.0]), ms.Tensor(np.full(3, 3.0)), ms.Tensor([9.0])))
    assert ga.dtype == ms.float32 and gb.dtype == ms.float64
    assert np.array_equal(ga.asnumpy(), np.float32([3.0, 6.0]) * np.float32(1 / 3))
    assert np.array_equal(gb.asnumpy(), np.full(3, 3.0) * (1 / 3))
    assert gc.asnumpy().tolist() == [9.0]                      # layerwise: neither reduced nor scaled
    assert repr(reducer) == "DistributedGradReducer<mean=True, degree=3, group=mccl_world_group>"


def test_mean_none_reads_gradients_mean_default_false_and_degree_none_is_the_world():
    a, _, _ = _params()
    assert nn.DistributedGradReducer([a]).mean is False
    ms.set_auto_parallel_context(gradients_mean=True)
    reducer = nn.DistributedGradReducer([a])
    assert reducer.mean is True and reducer.degree == 1


def test_ps_parameters_pass_through_untouched():
    a, b, _ = _params()
    ms.set_ps_context(enable_ps=True)
    ms.set_context(mode=ms.GRAPH_MODE)
    a.set_param_ps()
    g = ms.Tensor([4.0, 8.0])
    out = nn.DistributedGradReducer((a, b), mean=True, degree=4)((g, ms.Tensor(np.ones(3))))
    assert out[0] is g
    assert out[1].asnumpy().tolist() == [0.25] * 3


def test_none_gradients_stay_none():
    a, b, _ = _params()
    assert nn.DistributedGradReducer((a, b), mean=True)((None, ms.Tensor(np.ones(3))))[0] is None


def test_errors():
    a, b, _ = _params()
    for degree in (0, -1, 2.0, "2"):
        with pytest.raises(ValueError, match=f"parameter 'degree' in DistributedGradReducer should large than 0 "
                                             f"and be int, degree: {degree}"):
            nn.DistributedGradReducer([a], degree=degree)
    with pytest.raises(TypeError, match="'parameters' must hold Parameters"):
        nn.DistributedGradReducer([a, 1])
    with pytest.raises(TypeError, match="'mean' must be a bool or None"):
        nn.DistributedGradReducer([a], mean=1)
    reducer = nn.DistributedGradReducer((a, b))
    with pytest.raises(ValueError, match="got 1 gradients for 2 parameters"):
        reducer((ms.Tensor([1.0, 1.0]),))
    with pytest.raises(ValueError, match=r"the gradient of 'b' must be a Tensor of shape \(3,\), but got \(2,\)"):
        reducer((ms.Tensor([1.0, 1.0]), ms.Tensor([1.0, 1.0])))


def test_before_init_is_mindspores_runtime_error():
    release()
    a, _, _ = _params()
    with pytest.raises(RuntimeError, match="Distributed Communication has not been inited"):
        nn.DistributedGradReducer([a])


def test_is_in_shard_parameters_pass_through_untouched():
    a, b, _ = _params()
    b.is_in_shard = True
    ga, gb = ms.Tensor([4.0, 8.0]), ms.Tensor(np.full(3, 2.0))
    out = nn.DistributedGradReducer((a, b), mean=True, degree=4)((ga, gb))
    assert out[1] is gb and gb.asnumpy().tolist() == [2.0] * 3
    assert out[0].asnumpy().tolist() == [1.0, 2.0]


junk = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=4),
                 st.lists(st.one_of(st.none(), st.floats(-1, 1)), max_size=3))


def _valid(mean, degree):
    return (mean is None or type(mean) is bool) and (degree is None or (type(degree) is int and degree > 0))


@settings(max_examples=120, deadline=None)
@given(junk, junk, junk)
def test_bad_input_only_raises_clear_errors(params, mean, degree):
    a, b, _ = _params()
    grads = (ms.Tensor([3.0, 6.0]), None)
    try:
        reducer = nn.DistributedGradReducer([a, b], mean, degree)
    except (TypeError, ValueError) as error:
        assert not _valid(mean, degree), error
    else:
        assert _valid(mean, degree), f"mean={mean!r}, degree={degree!r} accepted"
        scale = 1 / (degree or 1) if mean else 1.0               # mean None: gradients_mean, False by default
        out = reducer(grads)
        assert out[1] is None and out[0].dtype == ms.float32
        assert np.array_equal(out[0].asnumpy(), np.float32([3.0, 6.0]) * np.float32(scale))
    for call in (lambda: nn.DistributedGradReducer(params, mean, degree), lambda: nn.DistributedGradReducer([a, b])(params)):
        try:
            out = call()
        except (TypeError, ValueError, RuntimeError):
            pass
        else:                                                    # only lists of None fit; [] has no Parameter
            assert (params == [] and _valid(mean, degree)) or (
                type(params) is list and len(params) == 2 and all(v is None for v in params) and out == (None, None))
