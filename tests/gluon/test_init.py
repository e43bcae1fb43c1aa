"""sporelab.gluon.init: MXNet's initializers (api-semantics 8.7), registry, create/dumps, statistics."""

import json
import math

import numpy as np
import pytest

import sporelab as ms
from sporelab.gluon import init


def _draw(initializer, shape, dtype=np.float32):
    arr = np.empty(shape, dtype)
    initializer(arr)
    return arr


# ---- registry, create, dumps -----------------------------------------------------------------
@pytest.mark.parametrize("name, klass", [
    ("zero", init.Zero), ("zeros", init.Zero), ("ZEROS", init.Zero), ("one", init.One),
    ("Ones", init.One), ("uniform", init.Uniform), ("Normal", init.Normal), ("XAVIER", init.Xavier),
    ("msraprelu", init.MSRAPrelu), ("MSRAPrelu", init.MSRAPrelu), ("orthogonal", init.Orthogonal),
    ("bilinear", init.Bilinear)])
def test_registry_is_case_insensitive_with_aliases(name, klass):
    assert type(init.create(name)) is klass


def test_create_with_keyword_arguments_and_constant_by_name():
    assert init.create("constant", value=2) == init.Constant(2)
    assert init.create("Uniform", scale=0.1).scale == 0.1


def test_unknown_name_is_a_value_error_that_lists_the_names():
    with pytest.raises(ValueError, match=r"^xyz is not registered\. Please register with .*xavier"):
        init.create("xyz")


@pytest.mark.parametrize("initializer, text", [
    (init.Normal(sigma=0.5), '["normal", {"sigma": 0.5}]'),
    (init.Constant(1), '["constant", {"value": 1}]'),
    (init.Constant(np.array([[1, 2, 3, 4]])), '["constant", {"value": [[1, 2, 3, 4]]}]'),
    (init.Uniform(), '["uniform", {"scale": 0.07}]'),
    (init.Normal(), '["normal", {"sigma": 0.01}]'),
    (init.Zero(), '["zero", {}]'),
    (init.One(), '["one", {}]'),
    (init.Xavier(), '["xavier", {"rnd_type": "uniform", "factor_type": "avg", "magnitude": 3}]'),
    (init.MSRAPrelu(), '["msraprelu", {"factor_type": "avg", "slope": 0.25}]'),
    (init.Orthogonal(), '["orthogonal", {"scale": 1.414, "rand_type": "uniform"}]'),
    (init.Bilinear(), '["bilinear", {}]'),
])
def test_dumps_exact_and_create_round_trip(initializer, text):
    assert initializer.dumps() == text
    again = init.create(text)
    assert type(again) is type(initializer) and again.dumps() == text
    ms.set_seed(4)
    first = _draw(initializer, (1, 1, 4, 4))
    ms.set_seed(4)
    assert np.array_equal(first, _draw(again, (1, 1, 4, 4)))


def test_create_returns_instances_unchanged_and_reprs():
    xavier = init.Xavier(factor_type="in")
    assert init.create(xavier) is xavier
    assert repr(init.Normal(0.5)) == "Normal(sigma=0.5)"
    assert init.Normal(0.5) == init.create('["normal", {"sigma": 0.5}]') != init.Normal(0.4)
    assert len({init.Normal(0.5), init.Normal(0.5)}) == 1


@pytest.mark.parametrize("text", ['[', '["normal"]', '[1, {}]', '["normal", [1]]', '{"sigma": 1}'])
def test_malformed_json_is_a_value_error(text):
    with pytest.raises(ValueError, match="init"):
        init.create(text)


def test_json_with_bad_arguments_names_the_argument():
    with pytest.raises(TypeError, match=r"The argument 'init' .* Normal bad arguments"):
        init.create('["normal", {"foo": 1}]')
    with pytest.raises(ValueError, match="sigma"):
        init.create('["normal", {"sigma": -1}]')


@pytest.mark.parametrize("bad", [1, 0.5, None, ["normal"], init.Normal])
def test_create_rejects_other_types(bad):
    with pytest.raises(TypeError, match="The argument 'init' must be an Initializer"):
        init.create(bad)


def test_register_alias_and_override_warning():
    @init.register
    class Sevens(init.Initializer):
        def _init_weight(self, name, arr):
            arr[...] = 7
    assert np.all(_draw(init.create("SEVENS"), 3) == 7)
    assert init.create("sevens").dumps() == '["sevens", {}]'
    with pytest.warns(UserWarning, match="overriding existing initializer 'sevens'"):
        init.register(type("Sevens", (init.Initializer,), {}))
    with pytest.raises(TypeError, match="subclasses"):
        init.register(dict)


def test_mindspore_initializers_are_accepted():
    ms_init = pytest.importorskip("sporelab.common.initializer")
    one = ms_init.One()
    assert init.create(one) is one


def test_filling_needs_a_numpy_array():
    with pytest.raises(TypeError, match="NumPy array"):
        init.Zero()([1, 2])
    with pytest.raises(NotImplementedError, match="_init_weight"):
        init.Initializer()(np.zeros(2))


# ---- deterministic initializers ----------------------------------------------------------------
def test_zero_one_constant():
    assert np.all(_draw(init.Zero(), (2, 3)) == 0)
    assert np.all(_draw(init.One(), (2, 3), np.int32) == 1)
    assert np.all(_draw(init.Constant(2.5), (2, 3)) == 2.5)
    row = _draw(init.Constant([1, 2, 3]), (2, 3))
    assert np.array_equal(row, [[1, 2, 3], [1, 2, 3]])
    with pytest.raises(ValueError, match=r"Constant value of shape \(3,\) cannot fill .* \(2, 2\)"):
        _draw(init.Constant([1, 2, 3]), (2, 2))
    with pytest.raises(TypeError, match="'value'"):
        init.Constant("a")


def test_bilinear_exact_1x1x4x4():
    side = np.array([0.25, 0.75, 0.75, 0.25])
    np.testing.assert_array_equal(_draw(init.Bilinear(), (1, 1, 4, 4))[0, 0], np.outer(side, side))


def _mxnet_bilinear_loop(shape):
    """MXNet 1.9.1's Bilinear._init_weight, element by element, as the oracle."""
    weight = np.zeros(int(np.prod(shape)), dtype="float32")
    f = np.ceil(shape[3] / 2.)
    c = (2 * f - 1 - f % 2) / (2. * f)
    for i in range(int(np.prod(shape))):
        x = i % shape[3]
        y = (i // shape[3]) % shape[2]
        weight[i] = (1 - abs(x / f - c)) * (1 - abs(y / f - c))
    return weight.reshape(shape)


@pytest.mark.parametrize("shape", [(2, 3, 3, 5), (1, 1, 5, 5), (3, 1, 2, 6)])
def test_bilinear_matches_mxnet_loop(shape):
    np.testing.assert_allclose(_draw(init.Bilinear(), shape), _mxnet_bilinear_loop(shape), rtol=1e-6)


def test_bilinear_needs_4d():
    with pytest.raises(ValueError, match=r"4-D weight .* \(3, 3\)"):
        _draw(init.Bilinear(), (3, 3))


# ---- random initializers: statistics with fixed seeds -----------------------------------------
N = 200_000


def test_uniform_statistics_and_bounds():
    values = _draw(init.Uniform(), N)                  # U(-0.07, 0.07)
    assert values.dtype == np.float32 and np.abs(values).max() <= 0.07
    assert abs(values.mean()) < 5e-4                   # sd of the mean: 0.07/sqrt(3 N) = 9e-5
    assert values.std() == pytest.approx(0.07 / math.sqrt(3), rel=0.01)
    assert np.abs(_draw(init.Uniform(0.5), N)).max() > 0.49


def test_normal_statistics():
    values = _draw(init.Normal(sigma=0.5), N, np.float64)
    assert values.dtype == np.float64
    assert abs(values.mean()) < 0.006                  # 5 sd of the mean
    assert values.std() == pytest.approx(0.5, rel=0.01)
    assert _draw(init.Normal(), N).std() == pytest.approx(0.01, rel=0.01)


def test_random_draws_follow_the_seed():
    ms.set_seed(11)
    a, b = _draw(init.Normal(), 50), _draw(init.Normal(), 50)
    ms.set_seed(11)
    assert np.array_equal(a, _draw(init.Normal(), 50)) and not np.array_equal(a, b)


def test_random_fill_of_non_float_and_strided_arrays():
    ints = _draw(init.Uniform(3.0), 1000, np.int32)
    assert ints.dtype == np.int32 and set(np.unique(ints)) <= {-2, -1, 0, 1, 2}
    half = _draw(init.Normal(1.0), 1000, np.float16)
    assert half.dtype == np.float16 and 0.9 < half.std() < 1.1
    view = np.zeros((4, 4), np.float32)[:, ::2]
    init.Uniform(1.0)(view)
    assert np.all(view != 0)


def _fans(shape):
    hw = math.prod(shape[2:])
    return shape[1] * hw, shape[0] * hw


@pytest.mark.parametrize("factor_type", ["avg", "in", "out"])
def test_xavier_uniform_bound_and_std(factor_type):
    shape = (64, 32, 3, 3)
    fan_in, fan_out = _fans(shape)
    factor = {"avg": (fan_in + fan_out) / 2, "in": fan_in, "out": fan_out}[factor_type]
    bound = math.sqrt(3 / factor)
    values = _draw(init.Xavier(factor_type=factor_type), shape)
    assert np.abs(values).max() <= bound and np.abs(values).max() > 0.99 * bound
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.02)


def test_xavier_default_is_glorot_uniform_and_gaussian_std():
    values = _draw(init.Xavier(), (300, 200))
    assert np.abs(values).max() <= math.sqrt(6 / 500)
    gauss = _draw(init.Xavier(rnd_type="gaussian", factor_type="in", magnitude=2), (300, 200))
    assert gauss.std() == pytest.approx(math.sqrt(2 / 200), rel=0.02)


def test_msraprelu_std():
    values = _draw(init.MSRAPrelu(factor_type="in", slope=0.0), (256, 64, 3, 3))
    assert values.std() == pytest.approx(math.sqrt(2 / (64 * 9)), rel=0.02)
    values = _draw(init.MSRAPrelu(), (400, 300))
    assert values.std() == pytest.approx(math.sqrt(2 / 1.0625 / 350), rel=0.02)


def test_xavier_errors():
    with pytest.raises(ValueError, match=r"Xavier initializer cannot be applied to vector of shape \(5,\)\. "
                                         r"It requires at least 2D"):
        _draw(init.Xavier(), 5)
    with pytest.raises(ValueError, match="Incorrect factor type 'bad'"):
        init.Xavier(factor_type="bad")
    with pytest.raises(ValueError, match="Unknown random type 'bad'"):
        init.Xavier(rnd_type="bad")
    with pytest.raises(ValueError, match="magnitude"):
        init.Xavier(magnitude=0)
    with pytest.raises(TypeError, match="slope"):
        init.MSRAPrelu(slope="0.1")


@pytest.mark.parametrize("shape", [(4, 6), (6, 4), (3, 2, 2, 2), (5,)])
@pytest.mark.parametrize("rand_type", ["uniform", "normal"])
def test_orthogonal_is_orthogonal(shape, rand_type):
    values = _draw(init.Orthogonal(scale=2.0, rand_type=rand_type), shape, np.float64)
    matrix = values.reshape(shape[0], -1)
    gram = matrix @ matrix.T if matrix.shape[0] <= matrix.shape[1] else matrix.T @ matrix
    np.testing.assert_allclose(gram, 4 * np.eye(gram.shape[0]), atol=1e-10)


def test_orthogonal_default_scale_and_errors():
    values = _draw(init.Orthogonal(), (3, 5), np.float64)
    np.testing.assert_allclose(values @ values.T, 1.414 ** 2 * np.eye(3), atol=1e-10)
    with pytest.raises(ValueError, match="Unknown random type"):
        init.Orthogonal(rand_type="gaussian")
    with pytest.raises(ValueError, match="scalar"):
        _draw(init.Orthogonal(), ())


@pytest.mark.parametrize("make, argument", [
    (lambda: init.Uniform("a"), "scale"), (lambda: init.Uniform(-1), "scale"),
    (lambda: init.Uniform(True), "scale"), (lambda: init.Normal(float("nan")), "sigma"),
    (lambda: init.Orthogonal(scale=None), "scale")])
def test_bad_arguments_name_the_argument(make, argument):
    with pytest.raises((TypeError, ValueError), match=f"'{argument}'"):
        make()


def test_dumps_is_valid_json_for_every_registered_class():
    for name in ("zero", "one", "uniform", "normal", "xavier", "msraprelu", "orthogonal", "bilinear"):
        text = init.create(name).dumps()
        assert json.loads(text)[0] == name


@pytest.mark.parametrize("initializer, message", [
    (init.Uniform(1e39), r"uniform bound 1e\+39 needs values up to 2e\+39, beyond the range of float32"),
    (init.Normal(1e38), r"normal N\(0.0, 1e\+38\*\*2\) needs values up to 7e\+38, beyond the range of float32"),
])
def test_values_float32_cannot_hold_are_refused_not_inf(initializer, message):
    import warnings
    arr = np.full((3, 3), 7, np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")             # no "overflow encountered in cast"
        with pytest.raises(ValueError, match=message):
            initializer(arr)
    assert (arr == 7).all()
    assert np.isfinite(_draw(initializer, (3, 3), np.float64)).all()
