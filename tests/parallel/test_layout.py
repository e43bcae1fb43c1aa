"""Parameter.init_data(layout, set_sliced) and MindSpore's layout rules, in one process (rank 0).
The blocks of other ranks and the hybrid-parallel training are tested under mpiexec."""

import numpy as np
import pytest
from tests._requires import require
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
# Near-valid layouts (most of them pass or fail on one rule) and layouts with any part broken.
layouts = st.one_of(
    st.tuples(st.lists(st.integers(1, 3), min_size=1, max_size=2), st.lists(st.sampled_from([-1, 0, 1]), min_size=2,
              max_size=2), st.one_of(st.none(), st.just([]), st.lists(st.integers(1, 6), min_size=1, max_size=3)),
              st.just(3)),
    st.tuples(st.one_of(st.lists(st.integers(-1, 4), max_size=3), junk),                 # dev_mat
              st.one_of(st.lists(st.integers(-2, 2), min_size=2, max_size=2), junk),    # tensor_map
              st.one_of(st.none(), st.lists(st.integers(0, 6), max_size=2), junk),     # slice_shape
              st.integers(0, 4)))                                                        # entries after


def _ints(value):
    return isinstance(value, (list, tuple)) and all(type(v) is int for v in value)


def _block_shape(layout, set_sliced, shape=(4, 6)):
    """Rank 0's block shape if MindSpore's rules accept ``layout``, else None (written from its docs)."""
    if type(set_sliced) is not bool or type(layout) is not tuple or len(layout) < 6:
        return None
    dev_mat, tensor_map, slice_shape = layout[:3]
    if not (_ints(dev_mat) and _ints(tensor_map) and dev_mat and min(dev_mat) >= 1 and len(tensor_map) == 2):
        return None
    if any(m != -1 and not 0 <= m < len(dev_mat) for m in tensor_map):
        return None
    splits = [1 if m == -1 else dev_mat[len(dev_mat) - 1 - m] for m in tensor_map]   # 0 = dev_mat's last axis
    if any(n % s for n, s in zip(shape, splits)):
        return None
    block = tuple(n // s for n, s in zip(shape, splits))
    if slice_shape is not None and not (_ints(slice_shape) and (not slice_shape or tuple(slice_shape) == block)):
        return None
    return block


@settings(max_examples=250, deadline=None)
@given(layouts, junk, st.sampled_from([True, True, True, False]), st.sampled_from([True, False, None]))
def test_bad_layouts_only_raise_clear_errors_and_change_nothing(parts, set_sliced, as_tuple, flag):
    dev_mat, tensor_map, slice_shape, more = parts
    entries = [dev_mat, tensor_map, slice_shape, 0, True, "", None][:3 + more]
    layout = tuple(entries) if as_tuple else entries
    set_sliced = set_sliced if flag is None else flag
    p = _param()
    block = _block_shape(layout, set_sliced)
    try:
        p.init_data(layout, set_sliced)
    except (TypeError, ValueError, RuntimeError) as error:
        assert block is None, f"{layout!r} refused: {error}"
        assert p.shape == (4, 6) and not p.sliced
        assert p.asnumpy().tolist() == np.arange(24, dtype=np.float32).reshape(4, 6).tolist()
    else:
        assert block is not None, f"{layout!r}, set_sliced={set_sliced!r} accepted"
        assert p.shape == block and p.sliced is set_sliced
        assert p.asnumpy().tolist() == np.arange(24, dtype=np.float32).reshape(4, 6)[:block[0], :block[1]].tolist()
