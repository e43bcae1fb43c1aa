"""Parameter.init_data(layout, set_sliced) and MindSpore's layout rules, in one process (rank 0).
The blocks of other ranks and the hybrid-parallel training are tested under mpiexec."""

import numpy as np
import pytest
from _requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab.communication import init, release
from sporelab.parallel._layout import block, slice_index, tensor_strategy

require("mpi")


@pytest.fixture(autouse=True)
def world():
    init()
    yield
    release()


def _param():
    return ms.Parameter(ms.Tensor(np.arange(24, dtype=np.float32).reshape(4, 6)), name="w")


def test_rank0_keeps_its_block_and_sliced_is_set():
    p = _param()
    assert p.init_data(((2,), [0, -1], [2, 6], 0, True, ""), set_sliced=True) is p
    assert p.sliced and p.shape == (2, 6)
    assert p.asnumpy().tolist() == np.arange(12, dtype=np.float32).reshape(2, 6).tolist()
    assert p.init_data(((2,), [0, -1], [], 0, True, ""), set_sliced=True).shape == (2, 6)   # once sliced: kept


def test_mindspore_slice_index_rules():
    assert tensor_strategy([2, 4], [1, 0]) == [2, 4]
    assert tensor_strategy([2, 4], [0, -1]) == [4, 1]
    # rank 5 in a (2, 4) grid is at (1, 1): tensor dim 0 uses grid axis 1 (from the right: 0 -> last)
    assert slice_index([2, 4], [1, 0], 5) == 1 * 4 + 1
    assert slice_index([2, 4], [0, -1], 6) == 2
    a = np.arange(16).reshape(4, 4)
    assert block(a, [2, 2], 3).tolist() == [[10, 11], [14, 15]]


def test_layout_errors_as_mindspore():
    p = _param()
    with pytest.raises(TypeError, match="The argument 'layout' should be tuple, but got <class 'list'>."):
        p.init_data([[2], [0, -1], [], 0, True, ""])
    with pytest.raises(ValueError, match="The length of 'layout' must be larger than 5, but got 3."):
        p.init_data(((2,), [0, -1], []))
    with pytest.raises(ValueError, match="one entry per dimension"):
        p.init_data(((2,), [0], [], 0, True, ""))
    with pytest.raises(ValueError, match="cannot be split"):
        p.init_data(((4,), [-1, 0], [], 0, True, ""))
    with pytest.raises(ValueError, match="is not the block shape"):
        p.init_data(((2,), [0, -1], [4, 6], 0, True, ""))
    assert p.shape == (4, 6) and not p.sliced
    release()
    with pytest.raises(RuntimeError, match="Distributed Communication has not been inited"):
        p.init_data(((2,), [0, -1], [], 0, True, ""))


junk = st.one_of(st.none(), st.booleans(), st.integers(-2, 3), st.text(max_size=3),
                 st.lists(st.integers(-2, 3), max_size=3), st.tuples(st.integers(-2, 3)))


@settings(max_examples=100, deadline=None)
@given(st.lists(junk, max_size=7), junk, st.booleans())
def test_bad_layouts_only_raise_clear_errors_and_change_nothing(entries, set_sliced, as_tuple):
    p = _param()
    layout = tuple(entries) if as_tuple else entries
    try:
        p.init_data(layout, set_sliced)
    except (TypeError, ValueError, RuntimeError):
        assert p.shape == (4, 6) and not p.sliced
