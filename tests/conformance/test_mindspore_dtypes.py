"""dtypes, Tensor additions and the exception classes MindSpore code catches.

Upstream (kungfu-team/mindspore, tag v1.5.0): ``mindspore/common/dtype.py`` (``list_``, ``tuple_``,
``string``, ``type_none``, ``get_py_obj_dtype``), ``mindspore/common/tensor.py`` (``__init__``'s
checks, ``strides``, ``from_numpy``), ``mindspore/ccsrc/pybind_api/ir/tensor_py.cc``
(``set_dtype``), ``mindspore/common/initializer.py`` (``_assignment``),
``mindspore/parallel/_auto_parallel_context.py`` (``communi_parallel_mode``), and the tests
``tests/ut/python/ir/test_tensor.py`` (``test_tensor_type_complex128``, ``test_set_type``,
``test_tensor_input_none``, ``test_tensor_input_empty``), ``tests/ut/python/nn/optim/test_optimizer.py``
(``TestNullParam``), ``tests/ut/python/utils/test_serialize.py`` (``test_load_checkpoint_error_filename``).
"""

import numpy as np
import pytest
from hypothesis import given, strategies as st

import sporelab as ms
from sporelab import nn
from sporelab.common.initializer import _assignment


def test_object_dtypes_and_get_py_obj_dtype():
    # mindspore/common/dtype.py v1.5.0 get_py_obj_dtype and _simple_types
    assert (ms.list_, ms.tuple_, ms.string, ms.type_none) == (ms.dtype.list_, ms.dtype.tuple_,
                                                              ms.dtype.string, ms.dtype.type_none)
    assert [str(t) for t in (ms.list_, ms.tuple_, ms.string, ms.type_none)] == ["List", "Tuple", "String", "TypeNone"]
    get = ms.dtype.get_py_obj_dtype
    assert get([1, 2]) is ms.list_ and get((1,)) is ms.tuple_ and get("a") is ms.string and get(None) is ms.type_none
    assert get(int) is ms.int64 and get(1.0) is ms.float64 and get(True) is ms.bool_ and get(np.float16) is ms.float16
    assert str(get(ms.Tensor([1], ms.int32))) == "Tensor[Int32]" and get(ms.Tensor([1], ms.int32)) is get(ms.Tensor([2], ms.int32))
    assert get(nn.ReLU()) is ms.dtype.function and get(ms.float32) is ms.dtype.type_type
    with pytest.raises(NotImplementedError, match="dict"):
        get({})


def test_object_dtypes_cannot_hold_tensor_data():
    with pytest.raises(TypeError, match="concrete dtype"):
        ms.Tensor([1], ms.string)


def test_python_complex_is_complex128_with_all_digits():
    # test_tensor.py::test_tensor_type_complex128 (py_input = 1 + 2.22222222j)
    value = 0.1 + 0.2j
    t = ms.Tensor(value)
    assert t.dtype is ms.complex128 and t.asnumpy().item() == value
    assert ms.Tensor([value, 1j]).dtype is ms.complex128


@pytest.mark.parametrize("make", [
    lambda: ms.Tensor(1 + 2j, ms.float32), lambda: ms.Tensor([1.0, 1 + 1e-30j], ms.float32), lambda: ms.Tensor([1j], ms.float64),
    lambda: ms.Tensor(np.array([1 + 1j], np.complex64), ms.int32), lambda: ms.Tensor(ms.Tensor(1j), ms.float32),
    lambda: ms.Tensor(1j).astype(ms.float32), lambda: ms.Tensor(1j).set_dtype(ms.float16),
])
def test_complex_into_a_real_dtype_says_take_real(make):
    with pytest.raises(TypeError, match=r"take \.real"):
        make()


def test_complex_real_part_taken_explicitly_works():
    assert ms.Tensor(np.array([1 + 2j]).real, ms.float32).asnumpy().tolist() == [1.0]
    # test_tensor.py::test_tensor_dtype_complex64_to_float32: zero imaginary parts lose nothing
    t = ms.Tensor(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.complex64), ms.float32)
    assert t.dtype is ms.float32 and t.shape == (2, 3)
    assert ms.Tensor(np.array([2 + 0j])).astype(ms.float64).asnumpy().tolist() == [2.0]
    assert ms.Tensor(1j).astype(ms.complex64).dtype is ms.complex64


@given(st.sampled_from([np.float16, np.float32, np.float64, np.int8, np.int32, np.int64, np.uint8, np.bool_,
                        np.complex64]), st.booleans())
def test_numpy_dtype_as_tensor_dtype_names_ours(np_type, as_dtype_object):
    # mindspore/common/tensor.py v1.5.0 Tensor.__init__: validator.check_type_name('dtype', ...)
    given_dtype = np.dtype(np_type) if as_dtype_object else np_type
    ours = ms.dtype.from_numpy(np_type)
    attribute = "bool_" if ours is ms.bool_ else ours.name.lower()
    with pytest.raises(TypeError, match=rf"use ms\.{attribute} "):
        ms.Tensor([1], given_dtype)
    assert getattr(ms, attribute) is ours
    assert ms.Tensor([1], getattr(ms, attribute)).dtype is ours


def test_set_dtype_converts_in_place_and_returns_the_dtype():
    # test_tensor.py::test_set_type; tensor_py.cc set_dtype returns the dtype
    t = ms.Tensor(np.array([1.5, 2.5], np.float32))
    assert t.set_dtype(ms.float64) is ms.float64
    assert t.dtype is ms.float64 and t.asnumpy().dtype == np.float64
    with pytest.raises(TypeError, match="use ms.int32"):
        t.set_dtype(np.int32)
    assert t.dtype is ms.float64


def test_strides_are_row_major_bytes():
    assert ms.Tensor(np.ones((2, 3, 4), np.float32)).strides == (48, 16, 4)
    assert ms.Tensor(np.ones((2, 3), np.float64)).T.strides == (16, 8)
    assert ms.Tensor(1.0).strides == ()
    lazy = ms.Tensor(dtype=ms.int16, shape=(3, 2), init=ms.common.initializer.One())
    assert lazy.strides == (4, 2) and lazy.has_init


def test_from_numpy_shares_memory():
    # mindspore/common/tensor.py v1.5.0 Tensor.from_numpy: "without copy data"
    array = np.arange(4, dtype=np.int32)
    t = ms.Tensor.from_numpy(array)
    assert t.dtype is ms.int32 and t.shape == (4,)
    array[1] = 40
    assert t.asnumpy()[1] == 40
    with pytest.raises(TypeError, match="numpy.ndarray"):
        ms.Tensor.from_numpy([1, 2])


def test_assignment_as_custom_initializers_use_it():
    # mindspore/common/initializer.py v1.5.0 _assignment; 0-d arrays too
    arr = np.zeros((2, 3), np.float32)
    assert _assignment(arr, np.ones((2, 3))) is arr and arr.sum() == 6
    scalar = np.zeros((), np.float32)
    assert _assignment(scalar, 2.5).item() == 2.5
    with pytest.raises(ValueError, match="'num'"):
        _assignment(arr, np.ones(4))
    with pytest.raises(TypeError, match="'arr'"):
        _assignment([0.0], 1.0)

    class Twos(ms.common.initializer.Initializer):
        def _initialize(self, arr):
            _assignment(arr, 2)
    assert ms.common.initializer.initializer(Twos(), [2], ms.float32).asnumpy().tolist() == [2.0, 2.0]


def test_communi_parallel_mode():
    # mindspore/parallel/_auto_parallel_context.py v1.5.0 set_communi_parallel_mode
    assert ms.get_auto_parallel_context("communi_parallel_mode") == "all_group_parallel"
    ms.set_auto_parallel_context(communi_parallel_mode="same_server_group_parallel")
    try:
        assert ms.get_auto_parallel_context("communi_parallel_mode") == "same_server_group_parallel"
        with pytest.raises(ValueError, match="communi_parallel_mode"):
            ms.set_auto_parallel_context(communi_parallel_mode="everything")
        with pytest.raises(TypeError, match="communi_parallel_mode"):
            ms.set_auto_parallel_context(communi_parallel_mode=1)
        assert ms.get_auto_parallel_context("communi_parallel_mode") == "same_server_group_parallel"
    finally:
        ms.reset_auto_parallel_context()


@pytest.mark.parametrize("call", [lambda: nn.SGD(None), lambda: nn.Optimizer(0.1, None),
                                  lambda: ms.load_checkpoint(1)])
def test_mindspores_value_errors_are_caught_as_both(call):
    # test_optimizer.py::TestNullParam; test_serialize.py::test_load_checkpoint_error_filename
    for kind in (ValueError, TypeError):
        with pytest.raises(kind):
            call()


@pytest.mark.parametrize("call", [lambda: ms.Tensor(), lambda: ms.Tensor(None),
                                  lambda: ms.Tensor(None, ms.int64), lambda: ms.set_context(device_target=123)])
def test_mindspores_type_errors_are_caught_as_both(call):
    # test_tensor.py::test_tensor_input_none / test_tensor_input_empty (TypeError)
    for kind in (TypeError, ValueError):
        with pytest.raises(kind):
            call()
