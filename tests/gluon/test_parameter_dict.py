"""sporelab.gluon.ParameterDict (api-semantics 8.5), on cpu(0) and on [cpu(0), cpu(1)]."""

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

import sporelab as ms
from sporelab import Tensor
from sporelab.gluon import Constant, DeferredInitializationError, Parameter, ParameterDict, init
# tests/gluon/test_parameter.py, for its validity rules (one statement of them for both files)
from tests.gluon import test_parameter as _RULES

CPU0, CPU1, CPU2 = ms.cpu(0), ms.cpu(1), ms.cpu(2)
CONTEXTS = [[CPU0], [CPU0, CPU1]]


def _net():
    params = ParameterDict("net1_")
    params.get("dense0_weight", shape=(10, 5))
    params.get("dense0_bias", shape=(10,), init="zeros")
    return params


def test_repr_is_mxnets_multiline_form():
    assert repr(_net()) == ("net1_ (\n"
                            "  Parameter net1_dense0_weight (shape=(10, 5), dtype=float32)\n"
                            "  Parameter net1_dense0_bias (shape=(10,), dtype=float32)\n"
                            ")")
    assert repr(ParameterDict()) == "(\n\n)"
    plain = ParameterDict()
    plain.get_constant("c", [1.0])
    assert str(plain) == "(\n  Constant c (shape=(1,), dtype=float32)\n)"


def test_mapping_interface():
    params = _net()
    assert params.prefix == "net1_"
    assert list(params) == list(params.keys()) == ["net1_dense0_weight", "net1_dense0_bias"]
    assert len(params) == 2 and "net1_dense0_bias" in params and "dense0_bias" not in params
    assert [p.name for p in params.values()] == list(params.keys())
    assert dict(params.items())["net1_dense0_weight"] is params["net1_dense0_weight"]
    with pytest.raises(KeyError, match="net1_dense0_weight"):
        params["nope"]


def test_get_returns_the_same_parameter_and_merges_unknown_dims():
    params = ParameterDict("p_")
    weight = params.get("w", shape=(0, 3), dtype="float32")
    assert isinstance(weight, Parameter) and weight.name == "p_w"
    assert params.get("w") is weight
    assert params.get("w", shape=(2, 3)) is weight and weight.shape == (2, 3)
    assert params.get("w", shape=(-1, 3), dtype=np.float32, grad_req="write", lr_mult=1) is weight
    assert weight.shape == (2, 3)
    params.get("v", shape=(2, 0)).shape
    assert params.get("v", shape=(0, 4)).shape == (2, 4)


def test_get_sets_attributes_stored_as_none():
    params = ParameterDict()
    weight = params.get("w")
    params.get("w", shape=4, init="ones")
    assert weight.shape == (4,) and weight.init == "ones"


def test_get_mismatch_is_a_value_error_and_changes_nothing():
    params = ParameterDict("net_")
    weight = params.get("w0", shape=(10, 10))
    with pytest.raises(ValueError, match=r"^Cannot retrieve Parameter 'net_w0' because desired attribute does not "
                                         r"match with stored for attribute 'shape': desired '\(5, 5\)' vs stored "
                                         r"'\(10, 10\)'\.$"):
        params.get("w0", shape=(5, 5))
    with pytest.raises(ValueError, match="attribute 'dtype'"):
        params.get("w0", dtype="float64")
    with pytest.raises(ValueError, match="attribute 'grad_req'"):
        params.get("w0", lr_mult=1.0, grad_req="null")
    with pytest.raises(TypeError, match="unexpected keyword argument.*'foo'"):
        params.get("w0", foo=1)
    assert (weight.shape, weight.grad_req, weight.dtype) == ((10, 10), "write", np.float32)


def test_shared_dicts_share_parameters():
    shared = ParameterDict("net_")
    weight = shared.get("w", shape=(2,))
    params = ParameterDict("net_", shared=shared)
    assert params.get("w") is weight and "net_w" in params
    assert params.get("b", shape=(1,)) is not None and "net_b" not in shared
    with pytest.raises(TypeError, match="'shared'"):
        ParameterDict(shared={})
    with pytest.raises(TypeError, match="'prefix'"):
        ParameterDict(prefix=1)


def test_get_constant():
    params = ParameterDict("n_")
    const = params.get_constant("c", [[1, 2], [3, 4]])
    assert isinstance(const, Constant) and const.name == "n_c"
    assert params.get_constant("c") is const
    assert params.get_constant("c", np.array([[1, 2], [3, 4]])) is const
    assert params.get_constant("c", Tensor(np.array([[1.0, 2], [3, 4]]))) is const
    with pytest.raises(KeyError, match="No constant named 'n_d'. Please specify value"):
        params.get_constant("d")
    with pytest.raises(ValueError, match="doesn't match new value"):
        params.get_constant("c", [[1, 2], [3, 5]])
    params.get("w", shape=(1,))
    with pytest.raises(ValueError, match="is not a constant"):
        params.get_constant("w", [1])


@pytest.mark.parametrize("ctx", CONTEXTS)
def test_initialize_uses_param_init_before_the_global_one(ctx):
    params = _net()
    params.initialize(init=init.Constant(2), ctx=ctx)
    weight, bias = params["net1_dense0_weight"], params["net1_dense0_bias"]
    assert weight.list_ctx() == ctx == params.list_ctx()
    assert all(np.all(t.asnumpy() == 2) for t in weight.list_data())
    assert all(np.all(t.asnumpy() == 0) for t in bias.list_data())


def test_initialize_default_is_uniform_and_warns_twice():
    params = _net()
    params.initialize()
    assert np.abs(params["net1_dense0_weight"].data().asnumpy()).max() <= 0.07
    with pytest.warns(UserWarning, match="already initialized"):
        params.initialize()
    params.initialize(init="ones", force_reinit=True)
    assert np.all(params["net1_dense0_weight"].data().asnumpy() == 1)


def test_initialize_checks_every_shape_before_initializing_any():
    params = _net()
    params.get("late", shape=(0, 3))
    with pytest.raises(ValueError, match=r"Cannot initialize Parameter 'net1_late' because it has invalid shape"):
        params.initialize()
    with pytest.raises(RuntimeError, match="has not been initialized"):
        params["net1_dense0_weight"].data()
    deferred = ParameterDict()
    deferred.get("w", shape=(0, 3), allow_deferred_init=True)
    deferred.initialize(ctx=[CPU0, CPU1])
    with pytest.raises(DeferredInitializationError):
        deferred["w"].data()
    assert deferred.list_ctx() == [CPU0, CPU1]
    deferred.get("w", shape=(2, 3))                    # the merge completes the shape: initialised now
    assert deferred["w"].data(CPU1).shape == (2, 3)


def test_initialize_verbose_prints(capsys):
    params = _net()
    params.initialize(verbose=True)
    out = capsys.readouterr().out
    assert "Initialized Parameter net1_dense0_weight (shape=(10, 5), dtype=float32) with Uniform(scale=0.07)" in out
    assert "with 'zeros'" in out


def test_zero_grad_reset_ctx_and_list_ctx():
    params = _net()
    params.get_constant("c", [1.0, 2.0])
    params.initialize(ctx=[CPU1, CPU0])
    assert params.list_ctx() == [CPU1, CPU0]
    for grad in params["net1_dense0_weight"].list_grad():
        grad[...] = 3
    params.zero_grad()
    assert all(np.all(g.asnumpy() == 0) for g in params["net1_dense0_weight"].list_grad())
    params["net1_dense0_bias"].data(CPU1)[...] = 4
    params.reset_ctx([CPU2])
    assert params.list_ctx() == [CPU2]
    assert np.all(params["net1_dense0_bias"].data().asnumpy() == 2)
    with pytest.raises(TypeError, match="'ctx'"):
        params.reset_ctx("cpu")


def test_setattr():
    params = _net()
    params.setattr("grad_req", "null")
    params.setattr("lr_mult", 0.5)
    assert all(p.grad_req == "null" and p.lr_mult == 0.5 for p in params.values())
    with pytest.raises(ValueError, match="'name'"):
        params.setattr("foo", 1)
    with pytest.raises(ValueError, match="grad_req"):
        params.setattr("grad_req", "bad")
    assert all(p.grad_req == "null" for p in params.values())


def test_update():
    params, other = _net(), ParameterDict("other_")
    extra = other.get("w", shape=(1,))
    params.update(other)
    assert params["other_w"] is extra
    params.update(other)                                   # same objects: fine
    clash = ParameterDict("other_")
    clash.get("w", shape=(1,))
    with pytest.raises(ValueError, match="different Parameters with the same name 'other_w'"):
        params.update(clash)
    with pytest.raises(TypeError, match="'other'"):
        params.update([1])
    params.update({"x": Parameter("x")})
    assert "x" in params


_JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=6),
                  st.lists(st.integers(-3, 4), max_size=3),
                  st.sampled_from(["write", "null", "float64", "xavier", "csr", (2, 3), (0, 3), (5, 5), (-2,),
                                   np.float32, np.zeros(2), object()]))
_KEYS = ["grad_req", "shape", "dtype", "lr_mult", "wd_mult", "init", "allow_deferred_init", "differentiable",
         "stype", "grad_stype"]


def _valid_for_stored(key, value, weight):
    """Whether ``get`` may return the stored ``weight`` for ``key=value`` (MXNet's ParameterDict.get):
    None is ignored; a valid shape merges with the stored one; a stored None (init) is set; any
    other valid value must equal the stored one."""
    if value is None:
        return True
    if key == "shape":
        return _RULES._valid_shape(value) and len(_RULES._as_shape(value)) == len(weight.shape) and all(
            v == s or -1 <= min(v, s) <= 0 for v, s in zip(_RULES._as_shape(value), weight.shape))
    if key == "init":
        return weight.init is None           # usable: checked on acceptance
    if key == "dtype":
        return _RULES._numpy_dtype(value) == weight.dtype
    return _RULES._VALID[key](value) and value == getattr(weight, key)


def _merged(value, stored):
    return tuple(s if v in (0, -1) else v for v, s in zip(_RULES._as_shape(value), stored))


@settings(max_examples=50, deadline=None)
@given(name=st.sampled_from(["w", "new"]), kwargs=st.dictionaries(st.sampled_from(_KEYS), _JUNK, min_size=1, max_size=3))
@example(name="w", kwargs={"lr_mult": True})              # equal to the stored 1.0, but no number
@example(name="w", kwargs={"differentiable": 1, "dtype": "float32"})
def test_get_accepts_exactly_the_valid_arguments(name, kwargs):
    """Refused: the error names an argument, nothing changes, and some argument was invalid.
    Accepted: every argument was valid, and the Parameter holds what was asked."""
    params = ParameterDict("p_")
    weight = params.get("w", shape=(0, 3), allow_deferred_init=True)
    before = (list(params), weight.shape, weight.grad_req, weight.dtype, weight.lr_mult, weight.init)
    if name == "w":
        valid = all(_valid_for_stored(key, value, weight) for key, value in kwargs.items())
    else:
        valid = all(key == "init" or _RULES._VALID[key](value) for key, value in kwargs.items())
    try:
        got = params.get(name, **kwargs)
    except Exception as error:          # noqa: BLE001 -- the property is about which errors escape
        assert isinstance(error, (TypeError, ValueError, RuntimeError)), repr(error)
        assert any(key in str(error) for key in kwargs), str(error)
        assert (list(params), weight.shape, weight.grad_req, weight.dtype, weight.lr_mult, weight.init) == before
        # an init is valid when it can initialise: only it may be the reason valid-looking arguments fail
        assert not valid or ("init" in kwargs and "init" in str(error)), f"valid arguments refused: {kwargs!r}: {error}"
        return
    assert valid, f"junk accepted: get({name!r}, **{kwargs!r})"
    if name == "w":
        assert got is weight and list(params) == before[0]
        assert weight.shape == (before[1] if kwargs.get("shape") is None else _merged(kwargs["shape"], before[1]))
        assert weight.init is kwargs.get("init")
        if weight.init is not None:
            _RULES._assert_usable_init(weight.init)
        assert (weight.grad_req, weight.dtype, weight.lr_mult) == before[2:5]
    else:
        assert params["p_new"] is got and list(params) == before[0] + ["p_new"]
        for key, value in kwargs.items():
            _RULES._assert_reads_back(got, key, value)
