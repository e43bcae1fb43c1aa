"""Bad input to initializer(), the initializer constructors and the helpers: only TypeError or
ValueError may escape (never AttributeError, KeyError, IndexError, ZeroDivisionError, OverflowError,
AssertionError...), and the message names the argument at fault."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sporelab as ms
from sporelab.common import _fan
from sporelab.common.initializer import (
    Constant, Dirac, HeNormal, HeUniform, Identity, Initializer, Normal, One, Orthogonal, Sparse,
    TruncatedNormal, Uniform, VarianceScaling, XavierNormal, XavierUniform, Zero, initializer)

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

junk = st.one_of(
    st.none(), st.booleans(), st.integers(-10 ** 30, 10 ** 30), st.integers(-3, 5),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(-3, 3), st.text(max_size=8),
    st.sampled_from(["fan_in", "fan_out", "fan_avg", "FAN_IN", "relu", "leaky_relu", "tanh", "selu",
                     "uniform", "truncated_normal", "untruncated_normal", "gelu"]),
    st.lists(st.integers(-2, 4), max_size=3), st.tuples(st.integers(1, 3)), st.complex_numbers(),
    st.just(np.float32(0.5)), st.just(np.int64(2)), st.just(np.bool_(True)), st.just(np.ones(2)),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1), st.just(object()),
    st.just(10 ** 400), st.just(-(10 ** 400)),
)

CONSTRUCTORS = {
    Normal: ("sigma", "mean"), Uniform: ("scale",), Constant: ("value",),
    TruncatedNormal: ("sigma", "mean", "a", "b"), XavierUniform: ("gain",), XavierNormal: ("gain",),
    HeUniform: ("negative_slope", "mode", "nonlinearity"),
    HeNormal: ("negative_slope", "mode", "nonlinearity"), Sparse: ("sparsity", "sigma"),
    Dirac: ("groups",), Orthogonal: ("gain",),
    VarianceScaling: ("scale", "mode", "distribution"), Identity: (), Zero: (), One: (),
}

small_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=5)
dtypes = st.sampled_from([ms.float32, ms.float64, ms.float16, ms.int32, ms.int8, ms.uint8,
                          ms.bool_, ms.complex64])


def mentions_one_of(error, names):
    text = str(error)
    return any(f"'{name}'" in text for name in names)


@st.composite
def constructor_calls(draw):
    cls = draw(st.sampled_from(sorted(CONSTRUCTORS, key=lambda c: c.__name__)))
    names = CONSTRUCTORS[cls]
    chosen = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
    return cls, {name: draw(junk) for name in chosen}


@FUZZ
@given(call=constructor_calls(), shape=small_shapes, dtype=dtypes)
def test_constructors_raise_only_type_or_value_errors_naming_the_argument(call, shape, dtype):
    cls, kwargs = call
    try:
        init = cls(**kwargs)
    except (TypeError, ValueError) as error:
        assert mentions_one_of(error, CONSTRUCTORS[cls]), str(error)
        return
    assert repr(init).startswith(cls.__name__ + "(")
    tensor = initializer(init, shape, dtype)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")          # no "overflow encountered in cast"
            values = tensor.asnumpy()
    except (TypeError, ValueError):
        assert tensor.has_init            # a failed creation leaves the tensor as it was
        return
    assert values.shape == tuple(shape) and values.dtype == dtype.nptype
    asked_for_non_finite = cls is Constant and not np.isfinite(complex(init.value))
    assert asked_for_non_finite or np.isfinite(values).all(), values


@FUZZ
@given(init=st.one_of(junk, st.sampled_from(["normal", "ones", "XavierUniform", "he_normal", "sparse",
                                             "identity", "dirac", "orthogonal", "nope"]),
                      st.builds(Normal), st.builds(Identity)),
       shape=st.one_of(junk, small_shapes, st.lists(st.integers(-1, 3), max_size=4)),
       dtype=st.one_of(dtypes, junk, st.sampled_from(["float32", "int64", "floaty", np.float64])))
def test_initializer_raises_only_type_or_value_errors_naming_the_argument(init, shape, dtype):
    try:
        tensor = initializer(init, shape, dtype)
    except (TypeError, ValueError) as error:
        assert mentions_one_of(error, ("init", "shape", "dtype")), str(error)
        return
    if tensor.size <= 4096:
        try:
            tensor.asnumpy()
        except (TypeError, ValueError):
            assert tensor.has_init


@FUZZ
@given(nonlinearity=junk, param=junk)
def test_calculate_gain_raises_only_type_or_value_errors(nonlinearity, param):
    try:
        gain = _fan.calculate_gain(nonlinearity, param)
    except (TypeError, ValueError) as error:
        assert "nonlinearity" in str(error) or "negative_slope" in str(error) or "'param'" in str(error)
        return
    assert isinstance(gain, (int, float)) and not math.isnan(gain)


@FUZZ
@given(shape=st.one_of(junk, st.lists(st.integers(-2, 5), max_size=5)), mode=junk)
def test_fan_helpers_raise_only_type_or_value_errors(shape, mode):
    try:
        fan = _fan._calculate_correct_fan(shape, mode)
    except (TypeError, ValueError) as error:
        assert mentions_one_of(error, ("shape", "mode", "fan_in")), str(error)
        return
    assert isinstance(fan, int) and fan >= 0


@FUZZ
@given(arr=st.one_of(junk, st.just([1.0, 2.0])).filter(lambda a: not isinstance(a, np.ndarray)),
       cls=st.sampled_from([Normal, HeUniform, Identity, Zero]))
def test_calling_an_initializer_on_a_non_array_is_a_type_error(arr, cls):
    with pytest.raises(TypeError, match="'arr'"):
        cls()(arr)


@pytest.mark.parametrize("call, argument", [
    (lambda: Normal(sigma=-1), "sigma"), (lambda: Normal(sigma="1"), "sigma"),
    (lambda: Normal(mean=float("nan")), "mean"), (lambda: Uniform(scale=-0.1), "scale"),
    (lambda: Uniform(scale=True), "scale"), (lambda: TruncatedNormal(sigma=0), "sigma"),
    (lambda: TruncatedNormal(a=-1.0), "'a' and 'b'"), (lambda: TruncatedNormal(a=1.0, b=0.0), "'a'"),
    (lambda: TruncatedNormal(sigma=1e-300, a=1e10, b=2e10), "'sigma'"),
    (lambda: XavierUniform(gain=-1), "gain"), (lambda: HeUniform(mode="fan_sideways"), "mode"),
    (lambda: HeNormal(nonlinearity="gelu"), "nonlinearity"),
    (lambda: HeUniform(negative_slope=None), "negative_slope"),
    (lambda: Sparse(sparsity=1.5), "sparsity"), (lambda: Sparse(0.1, sigma=-1), "sigma"),
    (lambda: Dirac(groups=0), "groups"), (lambda: Dirac(groups=2.0), "groups"),
    (lambda: Orthogonal(gain="big"), "gain"), (lambda: VarianceScaling(scale=0), "scale"),
    (lambda: VarianceScaling(mode="fan"), "mode"),
    (lambda: VarianceScaling(distribution="normal"), "distribution"),
])
def test_constructor_errors_name_the_argument(call, argument):
    with pytest.raises((TypeError, ValueError)) as info:
        call()
    assert argument in str(info.value)


def test_constructor_error_types():
    with pytest.raises(TypeError):
        Normal(sigma="0.1")
    with pytest.raises(TypeError):
        HeUniform(mode=3)
    with pytest.raises(ValueError):
        Normal(sigma=-0.1)
    with pytest.raises(ValueError):
        VarianceScaling(scale=-1.0)
    with pytest.raises(TypeError):
        Sparse()                       # sparsity is required


def test_custom_initializer_base_is_usable_without_arguments():
    assert repr(Initializer()) == "Initializer()"
    with pytest.raises(NotImplementedError):
        Initializer()(np.empty(2, np.float32))


F32 = r"\[-3.4028235e\+38, 3.4028235e\+38\]"


@pytest.mark.parametrize("init, dtype, message", [
    (Normal(mean=1e39), ms.float32, r"For Normal, the arguments 'mean' \(1e\+39\) and 'sigma' \(0.01\) give values "
                                    r"in \[1e\+39, 1e\+39\], beyond the range of float32 " + F32),
    (Normal(sigma=1e38), ms.float32, r"'sigma' \(1e\+38\) give values in \[-7e\+38, 7e\+38\].*float32 " + F32),
    (Normal(mean=7e4), ms.float16, r"'mean' \(70000.0\).*beyond the range of float16 \[-65504, 65504\]"),
    (Normal(mean=1000.0), ms.int8, r"'mean' \(1000.0\).*range of int8 \[-128, 127\] \(they are truncated"),
    (Uniform(scale=2e38), ms.float32, r"For Uniform, the argument 'scale' \(2e\+38\) need intermediate values up "
                                      r"to 4e\+38, beyond the range of float32 " + F32),
    (XavierUniform(gain=1.5e308), ms.float64, r"'gain' \(1.5e\+308\) need intermediate values.*float64"),
    (TruncatedNormal(sigma=1e37, mean=1e39), ms.float32, r"For TruncatedNormal, the arguments 'mean' \(1e\+39\)"),
    (VarianceScaling(scale=1e300, distribution="uniform"), ms.float32, r"'scale' \(1e\+300\).*float32"),
    (Orthogonal(gain=1e39), ms.float32, r"For Orthogonal, the argument 'gain' \(1e\+39\).*float32 " + F32),
    (Sparse(0.5, sigma=1e38), ms.float32, r"For Sparse, the argument 'sigma' \(1e\+38\)"),
    (Constant(1e39), ms.float32, r"For Constant, the argument 'value' \(1e\+39\) does not fit the dtype float32 "
                                 r"of the tensor, whose range is " + F32),
    (Constant(1e5), ms.float16, r"'value' \(100000.0\) does not fit the dtype float16.*\[-65504, 65504\]"),
])
def test_values_a_dtype_cannot_hold_are_refused_before_anything_is_drawn(init, dtype, message):
    shape = [4, 4]
    tensor = initializer(init, shape, dtype)
    state = ms.random.generator().bit_generator.state
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match=message):
            tensor.init_data()
        arr = np.full(shape, 7, dtype.nptype)
        with pytest.raises(ValueError, match=message):
            init(arr)
    assert tensor.has_init and (arr == 7).all()                    # nothing changed
    assert ms.random.generator().bit_generator.state == state


def test_values_near_the_limits_are_accepted_and_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cases = [(Normal(mean=1e39), ms.float64), (Normal(mean=3e38, sigma=1e36), ms.float32),
                 (Uniform(scale=1.7e38), ms.float32), (TruncatedNormal(sigma=1.0, a=-1e39, b=1e39), ms.float32),
                 (TruncatedNormal(sigma=1e38, mean=0.0, a=-3e38, b=3e38), ms.float32),
                 (Normal(sigma=18.0), ms.int8), (Uniform(scale=3.0), ms.int32), (Constant(float("inf")), ms.float32)]
        for init, dtype in cases:
            values = initializer(init, [64, 64], dtype).asnumpy()
            assert values.dtype == dtype.nptype
            assert np.isfinite(values).all() or isinstance(init, Constant), init
