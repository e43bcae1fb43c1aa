"""sporelab._checks: the shared argument checks, with the exact messages their callers pin."""

import numbers

import numpy as np
import pytest
from hypothesis import given, strategies as st

from sporelab._checks import check_bool, check_choice, check_real, check_shape, is_int, is_real
from sporelab.errors import ArgumentTypeError

NUMPY_INTS = [np.int8(-3), np.int16(4), np.int32(0), np.int64(2**40), np.uint8(255), np.uint64(7)]
NOT_INTS = [True, False, np.bool_(True), np.bool_(False), 2.0, np.float32(1.0), 1 + 0j, "3", None, [1], (1,)]


@pytest.mark.parametrize("value", [0, 1, -1, 2**70] + NUMPY_INTS)
def test_is_int_accepts_python_and_numpy_ints(value):
    assert is_int(value) is True


@pytest.mark.parametrize("value", NOT_INTS)
def test_is_int_refuses_bools_floats_and_the_rest(value):
    assert is_int(value) is False


@given(st.integers())
def test_is_int_for_every_python_int(value):
    assert is_int(value) and is_int(np.int64(value) if -2**63 <= value < 2**63 else value)


@pytest.mark.parametrize("value", [0, -1, 0.5, float("nan"), float("inf"), np.float16(1), np.float64(2), np.int8(1)])
def test_is_real_accepts_ints_and_floats_including_nan(value):
    assert is_real(value) is True


@pytest.mark.parametrize("value", [True, np.bool_(False), 1j, np.complex64(1), "1.0", None, [0.5]])
def test_is_real_refuses_bools_complex_and_the_rest(value):
    assert is_real(value) is False


@given(st.one_of(st.booleans(), st.integers(), st.floats(), st.complex_numbers(), st.text(max_size=3), st.none()))
def test_is_real_is_real_numbers_minus_bool(value):
    assert is_real(value) == (isinstance(value, numbers.Real) and not isinstance(value, bool))


def test_check_bool_returns_the_bool():
    assert check_bool(True, "unused") is True
    assert check_bool(False, "unused") is False


@pytest.mark.parametrize("got, message", [
    ("both", "For 'Cell', the argument 'auto_prefix' must be a bool, but got 1 of type int."),
    ("value", "For 'Cell', the argument 'auto_prefix' must be a bool, but got 1."),
    ("type", "For 'Cell', the argument 'auto_prefix' must be a bool, but got int."),
])
def test_check_bool_message_shows_the_value_as_asked(got, message):
    with pytest.raises(TypeError) as caught:
        check_bool(1, "For 'Cell', the argument 'auto_prefix' must be a bool", got=got)
    assert str(caught.value) == message


@pytest.mark.parametrize("value", [1, 0, np.bool_(True), "True", None, 1.0])
def test_check_bool_refuses_near_misses(value):
    with pytest.raises(TypeError, match="^p, but got "):
        check_bool(value, "p")


def test_check_bool_whole_message_and_error_class():
    with pytest.raises(ValueError) as caught:
        check_bool("no", "The whole message.", got=None, error=ValueError)
    assert str(caught.value) == "The whole message."


def test_an_unknown_got_is_refused():
    with pytest.raises(ValueError) as caught:
        check_bool(1, "p", got="repr")
    assert str(caught.value) == "The argument 'got' must be 'value', 'type', 'both' or None, but got 'repr'."


def test_check_real_returns_the_value_unchanged():
    assert check_real(np.float32(0.5), "p") == np.float32(0.5)
    assert check_real(3, "p") == 3 and type(check_real(3, "p")) is int


@pytest.mark.parametrize("value, message", [
    (True, "For 'SGD', the argument 'lr' must be a float, but got True of type bool."),
    ("0.1", "For 'SGD', the argument 'lr' must be a float, but got '0.1' of type str."),
    (1j, "For 'SGD', the argument 'lr' must be a float, but got 1j of type complex."),
])
def test_check_real_refuses_bools_strings_complex(value, message):
    with pytest.raises(TypeError) as caught:
        check_real(value, "For 'SGD', the argument 'lr' must be a float")
    assert str(caught.value) == message


def test_check_choice_returns_the_value_or_its_lower_case():
    assert check_choice("in", ("in", "out"), "p") == "in"
    assert check_choice("FAN_OUT", ("fan_in", "fan_out"), "p", lower=True) == "fan_out"


def test_check_choice_is_case_sensitive_unless_lower():
    with pytest.raises(ValueError) as caught:
        check_choice("IN", ("in", "out"), "The argument 'mode' must be one of 'in', 'out'")
    assert str(caught.value) == "The argument 'mode' must be one of 'in', 'out', but got 'IN'."


def test_check_choice_type_prefix_refuses_non_strings_first():
    with pytest.raises(TypeError) as caught:
        check_choice(1, ("in", "out"), "one of", lower=True, type_prefix="For X, the argument 'mode' must be a string")
    assert str(caught.value) == "For X, the argument 'mode' must be a string, but got 1 of type int."


def test_check_choice_without_type_prefix_gives_the_value_error_for_anything():
    with pytest.raises(ValueError) as caught:
        check_choice(["in"], {"in", "out"}, "Unknown mode ['in']: pick 'in' or 'out'.", got=None)
    assert str(caught.value) == "Unknown mode ['in']: pick 'in' or 'out'."


@pytest.mark.parametrize("value", [True, 1, None, "in "])
def test_check_choice_near_misses(value):
    with pytest.raises(ValueError):
        check_choice(value, ("in", "out", 0), "p")


SHAPE_TYPE = "The argument 'shape' must be a tuple or list of positive ints"
SHAPE_VALUE = "The argument 'shape' must hold positive ints"


@pytest.mark.parametrize("shape, expected", [
    (3, (3,)), (np.int64(3), (3,)), ([2, 3], (2, 3)), ((np.uint8(2), 4), (2, 4)), ((), ()), ([], ())])
def test_check_shape_normalises_to_a_tuple_of_python_ints(shape, expected):
    result = check_shape(shape, SHAPE_TYPE, SHAPE_VALUE)
    assert result == expected and all(type(d) is int for d in result)


@pytest.mark.parametrize("shape", ["3", None, 2.0, {2: 3}, np.array([2, 3]), True])
def test_check_shape_refuses_what_is_no_shape_with_the_type_error(shape):
    with pytest.raises(TypeError) as caught:
        check_shape(shape, SHAPE_TYPE, SHAPE_VALUE)
    assert str(caught.value) == f"{SHAPE_TYPE}, but got {shape!r} of type {type(shape).__name__}."


@pytest.mark.parametrize("shape", [(2, 0), [2, -1], (2, True), (2, 2.0), (np.bool_(True),)])
def test_check_shape_refuses_bad_dimensions_with_the_value_error(shape):
    with pytest.raises(ValueError) as caught:
        check_shape(shape, SHAPE_TYPE, SHAPE_VALUE, value_suffix=" Every dimension must be an int >= 1.")
    assert str(caught.value) == f"{SHAPE_VALUE}, but got {tuple(shape)!r}. Every dimension must be an int >= 1."


def test_check_shape_zero_and_unknown_dimensions():
    assert check_shape((0, 2), "", "", allow_zero=True) == (0, 2)
    assert check_shape((0, -1), "", "", allow_unknown=True) == (0, -1)
    with pytest.raises(ValueError):
        check_shape((-1,), "", "", allow_zero=True)
    with pytest.raises(ValueError):
        check_shape((-2,), "", "", allow_unknown=True)


def test_check_shape_dims_are_types_and_the_error_class():
    with pytest.raises(ArgumentTypeError) as caught:
        check_shape((2, "3"), "Give ints", "unused", dims_are_types=True, type_error=ArgumentTypeError,
                    type_got="value")
    assert str(caught.value) == "Give ints, but got (2, '3')."


@given(st.lists(st.integers(min_value=-3, max_value=5), max_size=4))
def test_check_shape_accepts_exactly_the_dimensions_at_or_above_the_minimum(dims):
    for minimum, options in ((1, {}), (0, {"allow_zero": True}), (-1, {"allow_unknown": True})):
        if all(d >= minimum for d in dims):
            assert check_shape(dims, "t", "v", **options) == tuple(dims)
        else:
            with pytest.raises(ValueError):
                check_shape(dims, "t", "v", **options)


def test_check_shape_with_types_checked_first_takes_int_dimensions():
    # make mutate survivor: with dims_are_types, good int dimensions must still pass.
    assert check_shape((2, np.int32(3)), "T", "V", dims_are_types=True) == (2, 3)
    with pytest.raises(TypeError, match=r"^T, but got \(2, 3.0\) of type tuple\.$"):
        check_shape((2, 3.0), "T", "V", dims_are_types=True)


def test_check_shape_value_message_has_no_suffix_by_default():
    # make mutate survivor: the default suffix is empty, so the message ends at the shape.
    with pytest.raises(ValueError) as caught:
        check_shape((2, 0), "T", "V")
    assert str(caught.value) == "V, but got (2, 0)."
