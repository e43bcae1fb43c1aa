"""set_auto_parallel_context / ParallelMode / set_ps_context: MindSpore's keys, defaults, ranges and
errors, and what the training wrappers do with them (one process)."""

import warnings

import numpy as np
import pytest
from tests._requires import require
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


def test_a_bool_is_refused_where_an_int_is_expected():
    for key, value in (("device_num", True), ("global_rank", False), ("pipeline_stages", True),
                       ("fusion_threshold", False), ("grad_accumulation_step", True)):
        with pytest.raises(TypeError, match=f"'{key}' must be int, but got bool \\({value}\\)"):
            ms.set_auto_parallel_context(**{key: value})
    with pytest.raises(TypeError, match="'all_reduce_fusion_config' must be a list of int, but got an element of "
                                        "type bool"):
        ms.set_auto_parallel_context(all_reduce_fusion_config=[1, True])
    with pytest.raises(TypeError, match="'scheduler_manage_port' must be int, but got bool"):
        ms.set_ps_context(scheduler_manage_port=True)
    assert ms.get_auto_parallel_context("device_num") == 1 and ms.get_auto_parallel_context("global_rank") == 0
    assert ms.get_auto_parallel_context("all_reduce_fusion_config") == []


def test_get_returns_copies_that_change_neither_the_context_nor_the_defaults():
    for key, default, extend in (("all_reduce_fusion_config", [], lambda v: v.append(7)),
                                 ("comm_fusion", {}, lambda v: v.update(a=1)),
                                 ("parallel_optimizer_config", {}, lambda v: v.update(b=2))):
        extend(ms.get_auto_parallel_context(key))                # the default's copy
        assert ms.get_auto_parallel_context(key) == default, key
        value = type(default)()
        ms.set_auto_parallel_context(**{key: value})
        extend(value)                                            # the caller's own object
        extend(ms.get_auto_parallel_context(key))                # the set value's copy
        assert ms.get_auto_parallel_context(key) == default, key
        ms.reset_auto_parallel_context()
        assert ms.get_auto_parallel_context(key) == default, key


class _World:
    def __init__(self, rank, size):
        self.rank, self.size = rank, size

    def Get_rank(self):
        return self.rank

    def Get_size(self):
        return self.size


def test_the_parameter_server_is_world_rank_0_unless_ms_role_says_otherwise(monkeypatch):
    from sporelab.communication import _mpi
    from sporelab.parallel import _ps_context
    monkeypatch.delenv("MS_ROLE", raising=False)
    roles = {}
    for size in (1, 2, 4):
        for rank in range(size):
            monkeypatch.setattr(_mpi, "comm_world", lambda rank=rank, size=size: _World(rank, size))
            roles[size, rank] = _ps_context._get_role()
    assert roles == {(1, 0): "MS_WORKER", (2, 0): "MS_PSERVER", (2, 1): "MS_WORKER", (4, 0): "MS_PSERVER",
                     (4, 1): "MS_WORKER", (4, 2): "MS_WORKER", (4, 3): "MS_WORKER"}
    ms.set_ps_context(enable_ps=True)
    assert _ps_context._is_role_worker() and not _ps_context._is_role_pserver()    # rank 3 of 4
    for role in ("MS_PSERVER", "MS_WORKER", "MS_SCHED"):
        monkeypatch.setenv("MS_ROLE", role)
        assert _ps_context._get_role() == role
    ms.reset_ps_context()
    monkeypatch.setenv("MS_ROLE", "MS_PSERVER")
    assert not _ps_context._is_role_pserver()                  # without enable_ps nobody serves


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


def _int_in(low, high):
    return lambda v: type(v) is int and low <= v <= high


def _of_type(*types):
    return lambda v: type(v) in types


_SEARCH = ("recursive_programming", "dynamic_programming", "sharding_propagation")
# What each key accepts, written out from MindSpore's documentation (independent of pctx._KEYS).
ACCEPTS = {
    "device_num": _int_in(1, 4096), "global_rank": _int_in(0, 4095),
    "gradients_mean": _of_type(bool), "gradient_fp32_sync": _of_type(bool), "loss_repeated_mean": _of_type(bool),
    "parameter_broadcast": _of_type(bool), "full_batch": _of_type(bool),
    "enable_parallel_optimizer": _of_type(bool), "enable_alltoall": _of_type(bool),
    "parallel_mode": lambda v: type(v) is str and v in ms.ParallelMode.MODE_LIST,
    "search_mode": lambda v: type(v) is str and v in _SEARCH,
    "auto_parallel_search_mode": lambda v: type(v) is str and v in _SEARCH,
    "strategy_ckpt_load_file": _of_type(str), "strategy_ckpt_save_file": _of_type(str),
    "dataset_strategy": _of_type(str, tuple),
    "all_reduce_fusion_config": lambda v: type(v) is list and all(type(i) is int for i in v),
    "pipeline_stages": _int_in(1, 2**63), "grad_accumulation_step": _int_in(1, 2**63),
    "parallel_optimizer_config": _of_type(dict), "comm_fusion": _of_type(dict),
    "fusion_threshold": _int_in(0, 2**63),
    "communi_parallel_mode": lambda v: type(v) is str and v in ("all_group_parallel", "same_server_group_parallel",
                                                                "no_group_parallel"),
}
PS_ACCEPTS = {"enable_ps": _of_type(bool), "config_file_path": _of_type(str), "scheduler_manage_port": _of_type(int),
              "enable_ssl": _of_type(bool), "client_password": _of_type(str), "server_password": _of_type(str)}


def test_the_rules_cover_every_key():
    assert sorted(ACCEPTS) == sorted(pctx._KEYS)
    assert sorted(PS_ACCEPTS) == sorted(ms.parallel._ps_context._KEYS)


junk = st.one_of(st.none(), st.booleans(), st.integers(-5, 5000), st.floats(allow_nan=True), st.text(max_size=20),
                 st.lists(st.integers(), max_size=3), st.lists(st.booleans(), min_size=1, max_size=2),
                 st.sampled_from(ms.ParallelMode.MODE_LIST + list(_SEARCH)), st.tuples(st.integers()),
                 st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
keys = st.sampled_from(sorted(ACCEPTS) + ["nope", "enable_ps"])
ps_keys = st.sampled_from(sorted(PS_ACCEPTS) + ["nope", "device_num"])


def _same(a, b):
    return type(a) is type(b) and (a == b or a != a)            # NaN equals itself here


def _settings():
    return {k: ms.get_auto_parallel_context(k) for k in ACCEPTS}, {k: ms.get_ps_context(k) for k in PS_ACCEPTS}


def _set_as_the_rules_say(setter, getter, rules, key, value):
    before = _settings()
    accepted = key in rules and rules[key](value)
    try:
        setter(**{key: value})
    except (TypeError, ValueError) as error:
        assert not accepted and _settings() == before and key in str(error), error
        assert key in rules or (type(error) is ValueError and "is not recognized" in str(error))
    else:
        assert accepted, f"{key}={value!r} was accepted"
        assert _same(getter(key), value)
    try:
        got = getter(value)
    except ValueError as error:
        assert not (isinstance(value, str) and value in rules), error
    else:
        assert isinstance(value, str) and value in rules and _same(got, getter(value))


@settings(max_examples=300, deadline=None)
@given(keys, junk)
def test_bad_input_only_raises_clear_errors_and_a_failed_call_changes_nothing(key, value):
    _set_as_the_rules_say(ms.set_auto_parallel_context, ms.get_auto_parallel_context, ACCEPTS, key, value)
    ms.reset_auto_parallel_context()


@settings(max_examples=300, deadline=None)
@given(ps_keys, junk)
def test_bad_ps_input_only_raises_clear_errors_and_a_failed_call_changes_nothing(key, value):
    _set_as_the_rules_say(ms.set_ps_context, ms.get_ps_context, PS_ACCEPTS, key, value)
    ms.reset_ps_context()
