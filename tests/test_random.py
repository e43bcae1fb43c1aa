import numpy as np
import pytest
from hypothesis import given, strategies as st

import sporelab as ms
from sporelab.random import generator


def test_same_seed_same_sequence():
    ms.set_seed(3)
    first = [generator().standard_normal(4) for _ in range(3)]
    ms.set_seed(3)
    second = [generator().standard_normal(4) for _ in range(3)]
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])


def test_get_seed():
    ms.set_seed(12)
    assert ms.get_seed() == 12
    ms.set_seed(np.int64(13))
    assert ms.get_seed() == 13 and type(ms.get_seed()) is int


@given(st.one_of(st.floats(), st.text(max_size=3), st.booleans(), st.none(), st.integers(max_value=-1)))
def test_bad_seeds_are_rejected_and_change_nothing(seed):
    ms.set_seed(5)
    state = generator().bit_generator.state
    with pytest.raises((TypeError, ValueError), match="'seed'"):
        ms.set_seed(seed)
    assert ms.get_seed() == 5 and generator().bit_generator.state == state
