"""set_auto_parallel_context / ParallelMode / set_ps_context: MindSpore's keys, defaults, ranges and
errors, and what the training wrappers do with them (one process)."""

import warnings

import numpy as np
import pytest
from _requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import context, nn
from sporelab.parallel import _auto_parallel_context as pctx

require("mpi")


@pytest.fixture(autouse=True)
def fresh():
    ms.reset_auto_parallel_context()
    ms.reset_ps_context()
    yield
    ms.reset_auto_parallel_context()
    ms.reset_ps_context()
    ms.set_context(mode=ms.PYNATIVE_MODE)


def test_defaults():
    assert [ms.get_auto_parallel_context(k) for k in
            ("device_num", "global_rank", "gradients_mean", "gradient_fp32_sync", "parallel_mode",
             "parameter_broadcast", "full_batch", "enable_parallel_optimizer", "pipeline_stages",
             "fusion_threshold")] == [1, 0, False, True, "stand_alone", False, False, False, 1, 64]
    assert ms.ParallelMode.MODE_LIST == ["stand_alone", "data_parallel", "hybrid_parallel",
                                         "semi_auto_parallel", "auto_parallel"]
    assert context.ParallelMode is ms.ParallelMode and context.set_auto_parallel_context is ms.set_auto_parallel_context


def test_set_get_reset():
    ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.HYBRID_PARALLEL, device_num=8, gradients_mean=True,
                                 all_reduce_fusion_config=[2, 4])
    assert ms.get_auto_parallel_context("parallel_mode") == "hybrid_parallel"
    assert ms.get_auto_parallel_context("device_num") == 8
    assert ms.get_auto_parallel_context("all_reduce_fusion_config") == [2, 4]
    ms.reset_auto_parallel_context()
    assert ms.get_auto_parallel_context("device_num") == 1 and ms.get_auto_parallel_context("gradients_mean") is False


def test_errors_name_the_key_and_change_nothing():
    with pytest.raises(ValueError, match=r"'device_num' must be in \[1, 4096\], but got the value of device_num : 0"):
        ms.set_auto_parallel_context(gradients_mean=True, device_num=0)
    assert ms.get_auto_parallel_context("gradients_mean") is False
    with pytest.raises(ValueError, match=r"'global_rank' must be in \[0, 4095\]"):
        ms.set_auto_parallel_context(global_rank=4096)
    with pytest.raises(ValueError, match="only support 'stand_alone', 'data_parallel', 'hybrid_parallel', "
                                         "'semi_auto_parallel' and 'auto_parallel', but got the value : dp"):
        ms.set_auto_parallel_context(parallel_mode="dp")
    with pytest.raises(ValueError, match="Set context keyword batch is not recognized!"):
        ms.set_auto_parallel_context(batch=2)
    with pytest.raises(TypeError, match="'gradients_mean' must be bool, but got int"):
        ms.set_auto_parallel_context(gradients_mean=1)
    with pytest.raises(TypeError, match="'device_num' must be int, but got float"):
        ms.set_auto_parallel_context(device_num=2.0)
    with pytest.raises(ValueError, match="Get context keyword nope is not recognized!"):
        ms.get_auto_parallel_context("nope")


def test_ps_context():
    assert ms.get_ps_context("enable_ps") is False
    ms.set_ps_context(enable_ps=True)
    assert ms.get_ps_context("enable_ps") is True
    with pytest.raises(ValueError, match="Set PS context keyword enable is not recognized!"):
        ms.set_ps_context(enable=True)
    with pytest.raises(TypeError, match="'enable_ps' must be bool"):
        ms.set_ps_context(enable_ps=1)
    ms.reset_ps_context()
    assert ms.get_ps_context("enable_ps") is False


def test_set_param_ps_needs_ps_mode_and_graph_mode(monkeypatch):
    w = ms.Parameter(ms.Tensor([1.0]), name="w")
    with pytest.raises(RuntimeError, match="Must complete following two steps before calling set_param_ps"):
        w.set_param_ps()
    ms.set_ps_context(enable_ps=True)
    with pytest.raises(RuntimeError, match="not supported in pynative mode"):
        w.set_param_ps()
    assert w.is_param_ps is False
    ms.set_context(mode=ms.GRAPH_MODE)
    with pytest.raises(TypeError, match="init_in_server"):
        w.set_param_ps(init_in_server=1)
    w.set_param_ps(init_in_server=True)
    assert w.is_param_ps is True and w.init_in_server is True
    assert w.clone().is_param_ps is True
    monkeypatch.setenv("MS_ROLE", "MS_BOSS")
    with pytest.raises(ValueError, match="MS_ROLE must be one of"):
        ms.Parameter(1.0).set_param_ps()


def _step(net):
    return nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), nn.SGD(net.trainable_params(), 0.1))


def test_auto_modes_are_accepted_but_refused_when_training_starts():
    for mode in ("semi_auto_parallel", "auto_parallel"):
        ms.set_auto_parallel_context(parallel_mode=mode)
        with pytest.raises(NotImplementedError, match=f"parallel_mode '{mode}' is accepted .* cannot shard"):
            _step(nn.Dense(2, 1))


def test_broadcast_in_stand_alone_is_refused():
    ms.set_auto_parallel_context(parameter_broadcast=True)
    with pytest.raises(ValueError, match="stand_alone, semi_auto_parallel and auto_parallel do not support parameter broadcast"):
        _step(nn.Dense(2, 1))


def test_data_parallel_in_one_process_inserts_the_reducer_and_trains_as_before():
    ms.set_seed(3)
    ref = nn.Dense(2, 1)
    ms.set_seed(3)
    net = nn.Dense(2, 1)
    x, y = ms.Tensor(np.ones((4, 2), np.float32)), ms.Tensor(np.zeros((4, 1), np.float32))
    plain = _step(ref)
    assert plain.grad_reducer is None
    ms.set_auto_parallel_context(parallel_mode="data_parallel", gradients_mean=True, parameter_broadcast=True)
    dp = _step(net)
    assert isinstance(dp.grad_reducer, nn.DistributedGradReducer) and dp.grad_reducer.degree == 1
    for _ in range(3):
        plain(x, y), dp(x, y)
    assert np.array_equal(ref.weight.asnumpy(), net.weight.asnumpy())


def test_data_parallel_without_broadcast_or_seed_warns(monkeypatch):
    import sporelab.random as rnd
    monkeypatch.setattr(rnd, "_seed", None)
    ms.set_auto_parallel_context(parallel_mode="data_parallel")
    step = _step(nn.Dense(2, 1))
    with pytest.warns(UserWarning, match=r"You are suggested to use mindspore.context.set_auto_parallel_context"
                                         r"\(parameter_broadcast=True\) or mindspore.common.set_seed\(\)"):
        step(ms.Tensor(np.ones((2, 2), np.float32)), ms.Tensor(np.ones((2, 1), np.float32)))
    ms.set_seed(1)
    step = _step(nn.Dense(2, 1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        step(ms.Tensor(np.ones((2, 2), np.float32)), ms.Tensor(np.ones((2, 1), np.float32)))


def test_parameters_broadcast_dict_leaves_out_layerwise_parallel():
    net = nn.Dense(2, 1)
    net.bias.layerwise_parallel = True
    assert list(net.parameters_broadcast_dict()) == ["weight"]
    net.weight.layerwise_parallel = True
    assert net.parameters_broadcast_dict() is None


junk = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.floats(allow_nan=True), st.text(max_size=20),
                 st.lists(st.integers(), max_size=3), st.sampled_from(ms.ParallelMode.MODE_LIST))
keys = st.sampled_from(sorted(pctx._KEYS) + ["nope", "enable_ps"])


@settings(max_examples=150, deadline=None)
@given(keys, junk)
def test_bad_input_only_raises_clear_errors_and_a_failed_call_changes_nothing(key, value):
    before = {k: ms.get_auto_parallel_context(k) for k in pctx._KEYS}
    try:
        ms.set_auto_parallel_context(**{key: value})
    except (TypeError, ValueError):
        assert {k: ms.get_auto_parallel_context(k) for k in pctx._KEYS} == before
    for call in (lambda: ms.get_auto_parallel_context(value), lambda: ms.set_ps_context(**{key: value}),
                 lambda: ms.get_ps_context(value)):
        try:
            call()
        except (TypeError, ValueError):
            pass
    ms.reset_auto_parallel_context()
    ms.reset_ps_context()
