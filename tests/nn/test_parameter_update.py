"""nn.ParameterUpdate: the tutorial's update, the shape and dtype rules, and bad input."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import nn

ARANGE_PRINTED = """[[ 0.  1.  2.]
 [ 3.  4.  5.]
 [ 6.  7.  8.]
 [ 9. 10. 11.]]"""


def test_tutorial_update_of_a_dense_weight():
    network = nn.Dense(3, 4)
    param = network.parameters_dict()["weight"]
    update = nn.ParameterUpdate(param)
    weight = ms.Tensor(np.arange(12).reshape((4, 3)), ms.float32)
    output = update(weight)
    assert output is weight
    assert str(output) == ARANGE_PRINTED
    assert network.weight is param and param.name == "weight"
    np.testing.assert_array_equal(network.weight.asnumpy(), np.arange(12, dtype=np.float32).reshape(4, 3))
    assert list(network.parameters_dict()) == ["weight", "bias"]


def test_update_is_a_copy_not_an_alias():
    param = ms.Parameter(ms.Tensor(np.zeros((2, 2), np.float32)), name="p")
    x = ms.Tensor(np.ones((2, 2), np.float32))
    nn.ParameterUpdate(param)(x)
    x[0, 0] = 7.0
    np.testing.assert_array_equal(param.asnumpy(), np.ones((2, 2)))


def test_cell_bookkeeping():
    param = ms.Parameter(ms.Tensor(np.zeros(3, np.float32)), name="w")
    update = nn.ParameterUpdate(param)
    assert update._auto_prefix is False
    assert list(update.parameters_dict()) == ["w"] and param.name == "w"
    assert repr(update) == "ParameterUpdate<>"


def test_dtype_rule_casts_lower_ranks_and_refuses_higher():
    param = ms.Parameter(ms.Tensor(np.zeros((2,), np.float32)), name="p")
    update = nn.ParameterUpdate(param)
    update(ms.Tensor(np.array([1, 2], np.int32)))
    assert param.dtype == ms.float32
    np.testing.assert_array_equal(param.asnumpy(), [1.0, 2.0])
    with pytest.raises(TypeError, match="'x' has dtype Float64.*Float32.*x.astype\\(ms.float32\\)"):
        update(ms.Tensor(np.array([3.0, 4.0])))
    np.testing.assert_array_equal(param.asnumpy(), [1.0, 2.0])


def test_errors():
    with pytest.raises(TypeError, match="For 'ParameterUpdate', 'param' must be 'Parameter', but got "
                                        "<class 'sporelab.tensor.Tensor'>."):
        nn.ParameterUpdate(ms.Tensor(np.ones(2)))
    update = nn.ParameterUpdate(ms.Parameter(ms.Tensor(np.zeros((4, 3), np.float32)), name="weight"))
    with pytest.raises(ValueError, match=r"'x' must have the shape of the parameter 'weight', \(4, 3\), "
                                         r"but got \(3, 4\)"):
        update(ms.Tensor(np.zeros((3, 4), np.float32)))
    with pytest.raises(TypeError, match="'x' must be a Tensor.*Wrap it first"):
        update(np.zeros((4, 3), np.float32))


@settings(max_examples=50, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.floats(), st.text(max_size=3), st.lists(st.integers(), max_size=3),
                 st.just(nn.Dense(1, 1)), st.just(np.ones(3))))
def test_junk_param_is_a_type_error(param):
    with pytest.raises(TypeError, match="'param'"):
        nn.ParameterUpdate(param)


update_junk = st.one_of(
    st.none(), st.integers(), st.floats(), st.text(max_size=3), st.just(np.zeros((2, 3), np.float32)),
    st.lists(st.integers(1, 4), max_size=3).map(lambda shape: ms.Tensor(np.ones(shape, np.float32))),
    st.sampled_from([np.int8, np.int64, np.float16, np.float32, np.float64, np.complex64]).map(
        lambda t: ms.Tensor(np.full((2, 3), 2, t))))


@settings(max_examples=50, deadline=None)
@given(update_junk)
def test_rejected_update_leaves_the_parameter_unchanged(x):
    param = ms.Parameter(ms.Tensor(np.random.default_rng(0).standard_normal((2, 3)), ms.float32), name="p")
    before = param.asnumpy().copy()
    try:
        out = nn.ParameterUpdate(param)(x)
    except (TypeError, ValueError, RuntimeError) as error:
        assert "'x'" in str(error), str(error)
        assert param.asnumpy().tobytes() == before.tobytes()
        assert param.shape == (2, 3) and param.dtype == ms.float32
    else:
        assert out is x
        np.testing.assert_array_equal(param.asnumpy(), x.asnumpy().astype(np.float32))
