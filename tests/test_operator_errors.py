"""Shape errors of '@', broadcasting operators and reshape, in sporelab's words (no NumPy gufunc text)."""

import re

import numpy as np
import pytest
from hypothesis import given, strategies as st

import sporelab as ms

_OPS = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b, "/": lambda a, b: a / b,
        "**": lambda a, b: a ** b, "//": lambda a, b: a // b, "%": lambda a, b: a % b, "<": lambda a, b: a < b,
        "==": lambda a, b: a == b}
_shapes = st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple)


def _t(shape):
    return ms.Tensor(np.ones(shape, np.float32))


def test_matmul_names_operation_shapes_and_rule():
    with pytest.raises(ValueError) as info:
        _t((2, 3)) @ _t((4, 5))
    text = str(info.value)
    assert text == ("Operator '@' (matmul) cannot combine shapes (2, 3) and (4, 5): the left's last dimension "
                    "(3) must equal the right's second-to-last dimension (4): (n, k) @ (k, m) -> (n, m).")
    assert "gufunc" not in text


@pytest.mark.parametrize("left, right, part", [
    ((2, 3), (2,), "the right's only dimension (2)"),
    ((), (2,), "at least one dimension"),
    ((2, 2, 3), (3, 3, 1), "the batch dimensions (all but the last two) must broadcast"),
])
def test_matmul_other_rules(left, right, part):
    with pytest.raises(ValueError, match=r"Operator '@' \(matmul\) cannot combine shapes") as info:
        _t(left) @ _t(right)
    assert f"{left} and {right}" in str(info.value) and part in str(info.value)


@pytest.mark.parametrize("symbol", sorted(_OPS))
def test_broadcasting_operators_name_both_shapes(symbol):
    with pytest.raises(ValueError) as info:
        _OPS[symbol](_t((2, 3)), _t((4,)))
    assert str(info.value).startswith(f"Operator '{symbol}' (")
    assert "shapes (2, 3) and (4,): the shapes must broadcast: compared from the right, each pair of " \
           "dimensions must be equal or one of them 1, but dimension -1 is 3 against 4." in str(info.value)


def test_reflected_operator_keeps_the_users_order():
    with pytest.raises(ValueError, match=r"shapes \(4,\) and \(2, 3\)"):
        np.ones(4, np.float32) * _t((2, 3))


def test_reshape_names_both_shapes_and_the_rule():
    with pytest.raises(ValueError, match=r"reshape cannot turn shape \(6,\) into \(4, 2\) \(the argument 'shape'\): the new shape must "
                                         r"hold the same number of elements \(6\), with at most one -1"):
        _t((6,)).reshape(4, 2)


@given(_shapes, _shapes, st.sampled_from(sorted(_OPS) + ["@"]))
def test_error_exactly_when_numpy_refuses(left, right, symbol):
    """Any pair of shapes: sporelab refuses exactly what NumPy refuses, in its own words, and
    otherwise gives NumPy's result shape."""
    fn = (lambda a, b: a @ b) if symbol == "@" else _OPS[symbol]
    try:
        expected = fn(np.ones(left, np.float32), np.ones(right, np.float32)).shape
    except ValueError:
        with pytest.raises(ValueError, match=rf"^Operator '{re.escape(symbol)}' \(\w+\) cannot combine shapes"):
            fn(_t(left), _t(right))
    else:
        assert fn(_t(left), _t(right)).shape == expected


@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), st.lists(st.integers(-1, 6), min_size=1, max_size=3))
def test_reshape_error_exactly_when_numpy_refuses(shape, target):
    try:
        expected = np.ones(shape).reshape(target).shape
    except ValueError:
        with pytest.raises(ValueError, match=r"^reshape cannot turn shape"):
            _t(tuple(shape)).reshape(tuple(target))
    else:
        assert _t(tuple(shape)).reshape(tuple(target)).shape == expected
