"""ArgumentTypeError: where MindSpore raises ValueError for a wrong type, both excepts catch it."""

import pytest
from hypothesis import given, strategies as st

import sporelab as ms
from sporelab.common.initializer import initializer
from sporelab.errors import ArgumentTypeError

_NOT_A_NAME = st.one_of(st.integers(), st.floats(allow_nan=False), st.booleans(), st.binary(max_size=4),
                        st.lists(st.text(max_size=2), max_size=2))
_NOT_A_SHAPE = st.one_of(st.floats(allow_nan=False), st.text(max_size=3), st.dictionaries(st.integers(), st.integers(), max_size=1),
                         st.sets(st.integers(1, 4), max_size=2))


def _catch_both(make, match):
    """``make()`` raises an error that `except TypeError` and `except ValueError` both catch."""
    for kind in (TypeError, ValueError):
        try:
            make()
        except kind as error:
            assert isinstance(error, ArgumentTypeError)
            assert match in str(error)
        else:
            pytest.fail(f"{make} raised nothing")


def test_is_both_kinds():
    assert issubclass(ArgumentTypeError, TypeError) and issubclass(ArgumentTypeError, ValueError)


@given(_NOT_A_NAME)
def test_parameter_constructor_name(name):
    _catch_both(lambda: ms.Parameter(ms.Tensor([1.0]), name=name), "Parameter's name should be 'string' or 'None'")


@given(_NOT_A_NAME)
def test_parameter_name_setter_changes_nothing(name):
    p = ms.Parameter(ms.Tensor([1.0]), name="w")

    def rename():
        p.name = name
    _catch_both(rename, "Parameter's name should be 'string' or 'None'")
    assert p.name == "w"


@given(_NOT_A_SHAPE)
def test_initializer_shape_of_another_type(shape):
    _catch_both(lambda: initializer("normal", shape, ms.float32), "the argument 'shape' must be a tuple or list")


def test_mindspore_tutorial_pattern_still_works():
    """The tutorial catches ValueError around a bad name; the message is MindSpore's."""
    with pytest.raises(ValueError, match="but got int"):
        ms.Parameter(ms.Tensor([1.0]), name=1)
