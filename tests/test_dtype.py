import numpy as np
import pytest
from hypothesis import given, strategies as st

import sporelab as ms
from sporelab import dtype as mstype


def test_tutorial_conversions_print_as_mindspore():
    assert str(ms.int32) == "Int32"
    assert ms.dtype_to_nptype(ms.int32) is np.int32
    assert str(ms.pytype_to_dtype(int)) == "Int64"
    assert ms.dtype_to_pytype(ms.float64) is float


@pytest.mark.parametrize("dtype, name", [
    (ms.bool_, "Bool"), (ms.int8, "Int8"), (ms.int16, "Int16"), (ms.int32, "Int32"), (ms.int64, "Int64"),
    (ms.uint8, "UInt8"), (ms.uint16, "UInt16"), (ms.uint32, "UInt32"), (ms.uint64, "UInt64"),
    (ms.float16, "Float16"), (ms.float32, "Float32"), (ms.float64, "Float64"),
    (ms.complex64, "Complex64"), (ms.complex128, "Complex128"),
    (mstype.float_, "Float"), (mstype.int_, "Int"),
])
def test_printed_names(dtype, name):
    assert str(dtype) == name and repr(dtype) == name


def test_module_import_style_and_aliases():
    from sporelab import dtype as mstype_module
    assert mstype_module.float32 is ms.float32
    assert mstype.half is ms.float16 and mstype.double is ms.float64 and mstype.intc is ms.int32


@pytest.mark.parametrize("pytype, expected", [
    (int, ms.int64), (float, ms.float64), (bool, ms.bool_), (complex, ms.complex128),
    (np.float32, ms.float32), (np.uint8, ms.uint8), (np.dtype("int16"), ms.int16), (ms.int8, ms.int8),
])
def test_pytype_to_dtype(pytype, expected):
    assert ms.pytype_to_dtype(pytype) is expected


def test_pytype_to_dtype_rejects():
    with pytest.raises(TypeError, match="'obj'"):
        ms.pytype_to_dtype(3)
    with pytest.raises(NotImplementedError, match="dict"):
        ms.pytype_to_dtype(dict)    # str is String since the object types were added (MindSpore 1.5)


@pytest.mark.parametrize("dtype, pytype", [
    (ms.bool_, bool), (ms.int8, int), (ms.uint64, int), (ms.float16, float), (mstype.float_, float),
    (ms.complex64, complex)])
def test_dtype_to_pytype(dtype, pytype):
    assert ms.dtype_to_pytype(dtype) is pytype


def test_every_concrete_dtype_maps_to_numpy_and_back():
    for dtype in mstype.all_types:
        assert mstype.from_numpy(ms.dtype_to_nptype(dtype)) is dtype
        assert mstype.to_dtype(np.dtype(dtype.nptype).name) is dtype


def test_promotion_order_is_mindsporess():
    order = [ms.bool_, ms.int8, ms.uint8, ms.int16, ms.int32, ms.int64, ms.float16, ms.float32,
             ms.float64, ms.complex64, ms.complex128]
    for low, high in zip(order, order[1:]):
        assert mstype.can_cast_implicitly(low, high)
        assert not mstype.can_cast_implicitly(high, low)
    assert mstype.can_cast_implicitly(ms.uint16, ms.int32)
    assert not mstype.can_cast_implicitly(ms.uint64, ms.int64)


def test_binary_promotion():
    assert mstype.promote(ms.int64, ms.float32) is ms.float32      # NumPy would say Float64
    assert mstype.promote(ms.int32, ms.int64) is ms.int64
    assert mstype.promote(ms.bool_, ms.int8) is ms.int8
    assert mstype.promote(ms.int8, ms.uint8) is ms.int16


def test_dtype_to_nptype_rejects_non_dtypes():
    with pytest.raises(TypeError, match="'type_'"):
        ms.dtype_to_nptype("int32x")
    with pytest.raises(TypeError, match="abstract"):
        ms.dtype_to_nptype(mstype.float_)


@given(st.one_of(st.integers(), st.floats(), st.text(max_size=8), st.none(), st.lists(st.integers(), max_size=2)))
def test_to_dtype_bad_input_is_a_type_error_naming_the_argument(value):
    try:
        mstype.to_dtype(value, "dtype")
    except TypeError as error:
        assert "'dtype'" in str(error)
