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


def test_seeded_draws_as_set_seed_and_restores_the_sequence():
    from sporelab.random import seeded
    ms.set_seed(3)
    expected_next = np.random.Generator(np.random.PCG64(3)).standard_normal(2)
    with seeded(7):
        inside = generator().standard_normal(2)
        assert ms.get_seed() == 7
    assert ms.get_seed() == 3
    np.testing.assert_array_equal(generator().standard_normal(2), expected_next)
    ms.set_seed(7)
    np.testing.assert_array_equal(generator().standard_normal(2), inside)


def test_seeded_restores_after_an_error_and_checks_its_seed():
    from sporelab.random import seeded
    ms.set_seed(4)
    with pytest.raises(RuntimeError):
        with seeded(1):
            raise RuntimeError("boom")
    assert ms.get_seed() == 4
    with pytest.raises(ValueError, match="'seed'"):
        with seeded(-1):
            pass
    assert ms.get_seed() == 4
