import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import Tensor


@pytest.mark.parametrize("data, dtype", [
    (1, ms.int64), (0.1, ms.float32), (True, ms.bool_), ([1.0, 2.0], ms.float32), ([1, 2], ms.int64),
    ([[True]], ms.bool_), (np.arange(3), ms.int64), (np.zeros(2, np.float64), ms.float64),
    (np.zeros(2, np.uint8), ms.uint8), (np.float16(1), ms.float16), (1 + 2j, ms.complex128),
])
def test_dtype_inference_follows_the_tutorials(data, dtype):
    assert Tensor(data).dtype is dtype


def test_explicit_dtype_casts_and_refuses_numpy_forms():
    for form in (ms.float32, "float32"):
        t = Tensor(np.ones((1, 2)), form)
        assert t.dtype is ms.float32 and t.asnumpy().dtype == np.float32
    # MindSpore refuses a NumPy dtype as a Tensor's dtype (issue 21): the message names ours.
    for form in (np.float32, np.dtype("float32")):
        with pytest.raises(TypeError, match=r"use ms\.float32"):
            Tensor(np.ones((1, 2)), form)


def test_shape_ndim_size():
    t = Tensor(np.zeros((2, 3, 4)))
    assert (t.shape, t.ndim, t.size, t.nbytes) == ((2, 3, 4), 3, 24, 192)
    assert Tensor(5).shape == ()


def test_printing_str_is_numpy_style_and_repr_teaches():
    t = Tensor(np.arange(6).reshape((2, 3)))
    assert str(t) == "[[0 1 2]\n [3 4 5]]"
    assert repr(t) == "Tensor(shape=[2, 3], dtype=Int64, value=\n[[0, 1, 2],\n [3, 4, 5]])"
    assert repr(Tensor(0.1)) == "Tensor(shape=[], dtype=Float32, value= 0.1)"
    assert str(Tensor(np.arange(12).reshape((4, 3)), ms.float32)) == (
        "[[ 0.  1.  2.]\n [ 3.  4.  5.]\n [ 6.  7.  8.]\n [ 9. 10. 11.]]")


def test_copies_are_independent_of_the_source():
    source = np.ones(3, np.float32)
    t = Tensor(source)
    source[0] = 5
    assert t.asnumpy()[0] == 1
    out = t.asnumpy()
    out[1] = 7
    assert t.asnumpy()[1] == 1
    u = Tensor(t)
    u[2] = 9
    assert t.asnumpy()[2] == 1


def test_astype_reshape_transpose():
    t = Tensor(np.arange(6))
    assert t.astype(ms.float16).dtype is ms.float16
    assert t.reshape(2, 3).shape == (2, 3) == t.reshape((2, -1)).shape
    assert t.reshape(2, 3).transpose().shape == (3, 2) == t.reshape(2, 3).T.shape
    assert t.reshape(1, 2, 3).transpose(2, 0, 1).shape == (3, 1, 2)
    with pytest.raises(ValueError, match="'shape'"):
        t.reshape(4, 2)
    with pytest.raises(ValueError, match="'axes'"):
        t.reshape(2, 3).transpose(0, 0)


def test_arithmetic_promotion():
    i32 = Tensor(np.array([1, 2, 3], np.int32))
    assert (i32 + 1).dtype is ms.int32
    assert (i32 * 2.5).dtype is ms.float32
    assert (i32 / 2).dtype is ms.float32
    assert (i32 + Tensor(np.array([1.0, 1, 1], np.float32))).dtype is ms.float32
    assert (Tensor(np.ones(3, np.int64)) + Tensor(np.ones(3, np.float32))).dtype is ms.float32
    assert (Tensor(np.ones(2, np.float16)) + 1).dtype is ms.float16
    assert (Tensor([True, False]) + 1).dtype is ms.int64
    np.testing.assert_array_equal((i32 - 1).asnumpy(), [0, 1, 2])
    np.testing.assert_array_equal((10 - i32).asnumpy(), [9, 8, 7])
    np.testing.assert_array_equal((i32 ** 2).asnumpy(), [1, 4, 9])
    np.testing.assert_array_equal((-i32).asnumpy(), [-1, -2, -3])
    np.testing.assert_allclose((1 / Tensor([1.0, 2.0])).asnumpy(), [1, 0.5])


def test_ndarray_on_the_left_gives_a_tensor():
    out = np.ones(3) + Tensor([1, 2, 3])
    assert isinstance(out, Tensor) and out.dtype is ms.float64


def test_matmul_and_comparisons():
    a = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    np.testing.assert_array_equal((a @ a.T).asnumpy(), np.arange(6).reshape(2, 3) @ np.arange(6).reshape(2, 3).T)
    mask = a > 2
    assert mask.dtype is ms.bool_
    np.testing.assert_array_equal(mask.asnumpy(), [[False, False, False], [True, True, True]])
    assert (a == a).all().item() is True


def test_reductions():
    a = Tensor(np.arange(6, dtype=np.int32).reshape(2, 3))
    assert a.sum().item() == 15 and a.sum().dtype is ms.int32
    assert a.mean().dtype is ms.float32 and a.mean().item() == 2.5
    np.testing.assert_array_equal(a.max(axis=0).asnumpy(), [3, 4, 5])
    np.testing.assert_array_equal(a.min(axis=1, keepdims=True).asnumpy(), [[0], [3]])
    assert Tensor([True, True]).sum().dtype is ms.int64
    with pytest.raises(ValueError, match="'axis'"):
        a.sum(axis=2)


def test_lazy_tensor_holds_no_array_until_asked():
    from sporelab.common.initializer import One
    t = Tensor(dtype=ms.float32, shape=(100000, 100000), init=One())
    assert t.has_init and t._data is None and t.shape == (100000, 100000)
    assert "lazy" in repr(t) and "One" in repr(t)
    small = Tensor(dtype=ms.float32, shape=(2, 3), init=One())
    np.testing.assert_array_equal(small.asnumpy(), np.ones((2, 3), np.float32))
    assert not small.has_init
    with pytest.raises(TypeError, match="init_data"):
        small.init_data()


def test_init_data_returns_self():
    from sporelab.common.initializer import Zero
    t = Tensor(dtype=ms.int32, shape=[2], init=Zero())
    assert t.init_data() is t and t.dtype is ms.int32


@pytest.mark.parametrize("kwargs, error, word", [
    ({}, ValueError, "input_data"),
    ({"input_data": "abc"}, TypeError, "input_data"),
    ({"input_data": {1: 2}}, TypeError, "input_data"),
    ({"input_data": [[1, 2], [3]]}, ValueError, "input_data"),
    ({"input_data": [object()]}, TypeError, "input_data"),
    ({"input_data": 1, "dtype": "nope"}, TypeError, "dtype"),
    ({"input_data": 1, "shape": (1,)}, ValueError, "shape"),
    ({"dtype": ms.float32, "shape": (2,), "init": "normal"}, TypeError, "init"),
    ({"dtype": ms.float32, "shape": (0, 2), "init": None}, ValueError, "input_data"),
    ({"input_data": 2 ** 70}, ValueError, "input_data"),
])
def test_bad_construction(kwargs, error, word):
    with pytest.raises(error, match=word):
        Tensor(**kwargs)


def test_lazy_shape_validation():
    from sporelab.common.initializer import One
    with pytest.raises(ValueError, match="'shape'"):
        Tensor(dtype=ms.float32, shape=(0, 2), init=One())
    with pytest.raises(ValueError, match="'shape'"):
        Tensor(dtype=ms.float32, shape=None, init=One())


def test_truthiness_and_conversion():
    assert bool(Tensor(1)) and float(Tensor(2.5)) == 2.5 and int(Tensor(3)) == 3
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1, 2]))
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1))
    assert [t.item() for t in Tensor([4, 5])] == [4, 5]


def test_to_another_cpu_context_copies():
    t = Tensor([1.0, 2.0])
    moved = t.to(ms.cpu(1))
    assert moved.device == ms.cpu(1) and t.device == ms.cpu(0)
    moved[0] = 9
    assert t.asnumpy()[0] == 1
    with pytest.raises(RuntimeError, match="different devices"):
        t + moved
    with pytest.raises(TypeError, match="'ctx'"):
        t.to("cpu")


junk = st.one_of(st.none(), st.text(max_size=5), st.dictionaries(st.integers(), st.integers(), max_size=2),
                 st.sets(st.integers(), max_size=2), st.builds(object),
                 st.lists(st.one_of(st.text(max_size=2), st.none()), min_size=1, max_size=3))


@settings(max_examples=60, deadline=None)
@given(junk)
def test_operators_reject_junk_operands_with_type_errors(value):
    t = Tensor([1.0, 2.0])
    before = t.asnumpy()
    for op in (lambda: t + value, lambda: t * value, lambda: t @ value, lambda: t < value):
        try:
            op()
        except (TypeError, ValueError) as error:
            assert "'" in str(error)
    np.testing.assert_array_equal(t.asnumpy(), before)


@settings(max_examples=80, deadline=None)
@given(st.one_of(junk, st.integers(), st.floats(allow_nan=False), st.lists(st.integers(), max_size=3)),
       st.one_of(st.none(), st.sampled_from([ms.float32, "float16", np.int8]), junk))
def test_constructor_only_raises_teaching_errors(data, dtype):
    try:
        Tensor(data, dtype)
    except (TypeError, ValueError) as error:
        assert "input_data" in str(error) or "dtype" in str(error)


def test_an_int_too_large_for_a_float_dtype_is_refused_not_made_inf():
    with pytest.raises(ValueError, match="too large for float16"):
        Tensor(70000, ms.float16)
    assert Tensor(60000, ms.float16).item() == 60000
