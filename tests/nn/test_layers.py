"""nn.Dense, Flatten and the activation cells: shapes, values, reprs, checks and bad input."""

import numpy as np
import pytest
from tests._requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import nn
from sporelab.common.initializer import Normal


# ---- Dense ----------------------------------------------------------------------------------
def test_tutorial_dense_parameters():
    network = nn.Dense(3, 4)
    params = network.parameters_dict()
    assert list(params) == ["weight", "bias"]
    assert params["weight"].shape == (4, 3) and params["bias"].shape == (4,)
    assert params["weight"].dtype == ms.float32
    np.testing.assert_array_equal(params["bias"].asnumpy(), np.zeros(4, np.float32))
    assert 0 < params["weight"].asnumpy().std() < 0.03          # 'normal': N(0, 0.01^2)
    assert repr(network) == "Dense<input_channels=3, output_channels=4, has_bias=True>"


def test_dense_forward_is_x_w_transpose_plus_b():
    rng = np.random.default_rng(0)
    w, b, x = rng.standard_normal((4, 3)), rng.standard_normal(4), rng.standard_normal((5, 3))
    net = nn.Dense(3, 4, weight_init=ms.Tensor(w), bias_init=ms.Tensor(b))
    out = net(ms.Tensor(x))
    assert out.dtype == ms.float64 and out.shape == (5, 4)
    np.testing.assert_allclose(out.asnumpy(), x @ w.T + b, rtol=1e-12)


def test_dense_against_torch_linear():
    torch = require("torch")
    rng = np.random.default_rng(1)
    w, b, x = rng.standard_normal((6, 5)), rng.standard_normal(6), rng.standard_normal((2, 3, 5))
    got = nn.Dense(5, 6, weight_init=ms.Tensor(w), bias_init=ms.Tensor(b))(ms.Tensor(x)).asnumpy()
    want = torch.nn.functional.linear(torch.from_numpy(x), torch.from_numpy(w), torch.from_numpy(b)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-12)


def test_dense_reshapes_higher_rank_input_and_back():
    net = nn.Dense(3, 2, weight_init="ones", has_bias=False)
    out = net(ms.Tensor(np.ones((4, 5, 3), np.float32)))
    assert out.shape == (4, 5, 2)
    np.testing.assert_array_equal(out.asnumpy(), np.full((4, 5, 2), 3.0, np.float32))


def test_dense_without_bias_and_with_activation():
    net = nn.Dense(2, 3, weight_init=ms.Tensor(-np.ones((3, 2)), ms.float32), has_bias=False,
                   activation="relu")
    assert net.bias is None and list(net.parameters_dict()) == ["weight"]
    np.testing.assert_array_equal(net(ms.Tensor(np.ones((1, 2), np.float32))).asnumpy(), np.zeros((1, 3)))
    assert repr(nn.Dense(3, 4, has_bias=False)) == "Dense<input_channels=3, output_channels=4>"
    # As in MindSpore, the activation is a child Cell, so the repr takes the multi-line form.
    assert repr(net) == ("Dense<\n  input_channels=2, output_channels=3, activation=ReLU<>\n"
                         "  (activation): ReLU<>\n  >")
    sig = nn.Dense(2, 2, activation=nn.Sigmoid(), weight_init="zeros")
    np.testing.assert_allclose(sig(ms.Tensor(np.ones((1, 2), np.float32))).asnumpy(), 0.5)


def test_dense_initializer_objects_and_seeds():
    ms.set_seed(3)
    a = nn.Dense(10, 20, weight_init=Normal(0.2)).weight.asnumpy()
    ms.set_seed(3)
    b = nn.Dense(10, 20, weight_init=Normal(0.2)).weight.asnumpy()
    np.testing.assert_array_equal(a, b)
    assert 0.1 < a.std() < 0.3
    np.testing.assert_array_equal(nn.Dense(2, 2, weight_init=0.5).weight.asnumpy(), np.full((2, 2), 0.5))


@pytest.mark.parametrize("kwargs, error, word", [
    ({"in_channels": 0}, ValueError, "'in_channels'"),
    ({"in_channels": 3.0}, TypeError, "'in_channels'"),
    ({"out_channels": -1}, ValueError, "'out_channels'"),
    ({"out_channels": True}, TypeError, "'out_channels'"),
    ({"has_bias": "yes"}, TypeError, "'has_bias'"),
    ({"activation": "swish"}, ValueError, "'activation'.*relu"),
    ({"activation": 3}, TypeError, "'activation'"),
    ({"weight_init": ms.Tensor(np.ones((3, 4)))}, ValueError, r"weight init shape error.*\(4, 3\)"),
    ({"bias_init": ms.Tensor(np.ones((4, 1)))}, ValueError, "bias init shape error"),
    ({"weight_init": None}, TypeError, "'weight_init'"),
    ({"bias_init": "nope"}, ValueError, "'bias_init'"),
])
def test_dense_constructor_errors(kwargs, error, word):
    args = dict(in_channels=3, out_channels=4)
    args.update(kwargs)
    with pytest.raises(error, match=word):
        nn.Dense(**args)


def test_dense_input_errors():
    net = nn.Dense(3, 4)
    with pytest.raises(ValueError, match=r"'x'.*in_channels=3.*\(2, 5\).*last axis 5, expected 3"):
        net(ms.Tensor(np.ones((2, 5), np.float32)))
    with pytest.raises(ValueError, match=r"'x'.*at least 2 dimensions.*reshape"):
        net(ms.Tensor(np.ones(3, np.float32)))
    with pytest.raises(TypeError, match="'x' must be a Tensor.*Wrap it first"):
        net(np.ones((2, 3), np.float32))


DENSE_VALID = dict(in_channels=3, out_channels=4, weight_init="normal", bias_init="zeros", has_bias=True,
                   activation=None)
junk = st.one_of(st.none(), st.booleans(), st.floats(), st.integers(-3, 0), st.text(max_size=6),
                 st.lists(st.integers(-1, 3), max_size=3).map(tuple), st.complex_numbers(),
                 st.just(object()), st.just(ms.Tensor(np.ones((2, 2)), ms.float32)), st.just(nn.ReLU()))


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(sorted(DENSE_VALID)), junk)
def test_dense_junk_arguments_raise_teaching_errors(argument, value):
    try:
        nn.Dense(**dict(DENSE_VALID, **{argument: value}))
    except (TypeError, ValueError, RuntimeError) as error:
        name = {"weight_init": "weight", "bias_init": "bias"}.get(argument)
        assert f"'{argument}'" in str(error) or f"{name} init shape" in str(error), str(error)


forward_junk = st.one_of(
    st.none(), st.integers(), st.text(max_size=4), st.lists(st.floats(), max_size=3),
    st.just(np.ones((2, 3), np.float32)),
    st.lists(st.integers(0, 4), max_size=4).map(lambda shape: ms.Tensor(np.ones(shape, np.float32))),
    st.sampled_from([np.bool_, np.int8, np.float16, np.float64]).map(lambda t: ms.Tensor(np.ones((2, 3), t))))


@settings(max_examples=50, deadline=None)
@given(forward_junk)
def test_dense_junk_input_leaves_parameters_unchanged(x):
    net = nn.Dense(3, 4, bias_init="normal")
    before = [p.asnumpy().copy() for p in net.get_parameters()]
    try:
        out = net(x)
    except (TypeError, ValueError, RuntimeError) as error:
        assert "'x'" in str(error), str(error)
    else:
        assert out.shape == x.shape[:-1] + (4,)
    for old, param in zip(before, net.get_parameters()):
        assert old.tobytes() == param.asnumpy().tobytes()


# ---- Flatten and activations ----------------------------------------------------------------
def test_flatten():
    out = nn.Flatten()(ms.Tensor(np.arange(24).reshape(2, 3, 4)))
    assert out.shape == (2, 12) and out.dtype == ms.int64
    np.testing.assert_array_equal(out.asnumpy(), np.arange(24).reshape(2, 12))
    assert nn.Flatten()(ms.Tensor(np.ones(5, np.float32))).shape == (5, 1)
    assert nn.Flatten()(ms.Tensor(np.ones((0, 3, 2), np.float32))).shape == (0, 6)
    with pytest.raises(ValueError, match="'x'.*scalar"):
        nn.Flatten()(ms.Tensor(1.0))
    with pytest.raises(TypeError, match="'x'"):
        nn.Flatten()([1, 2])
    assert repr(nn.Flatten()) == "Flatten<>"


@pytest.mark.parametrize("cell, fn", [(nn.ReLU, lambda a: np.maximum(a, 0)),
                                      (nn.Sigmoid, lambda a: 1 / (1 + np.exp(-a))),
                                      (nn.Tanh, np.tanh)])
def test_activation_cells(cell, fn):
    values = np.linspace(-4, 4, 9)
    out = cell()(ms.Tensor(values))
    assert out.dtype == ms.float64
    np.testing.assert_allclose(out.asnumpy(), fn(values), rtol=1e-12)
    assert repr(cell()) == f"{cell.__name__}<>"
    assert list(cell().parameters_dict()) == []
    with pytest.raises(TypeError, match="'x' must be a Tensor"):
        cell()(values)


def test_get_activation():
    assert isinstance(nn.get_activation("relu"), nn.ReLU)
    assert isinstance(nn.get_activation("Sigmoid"), nn.Sigmoid)
    assert isinstance(nn.get_activation("tanh"), nn.Tanh)
    assert nn.get_activation(None) is None
    assert nn.get_activation("relu") is not nn.get_activation("relu")
    with pytest.raises(ValueError, match="'gelu' is unknown; known are \\['relu', 'sigmoid', 'tanh'\\]"):
        nn.get_activation("gelu")
    with pytest.raises(TypeError, match="'name'"):
        nn.get_activation(nn.ReLU)
