"""Data types, printed and converted as MindSpore does.

Every dtype is a singleton ``Type`` that prints in CamelCase (``Int32``, ``Float32``, ``Bool``,
``UInt8``) and maps to one NumPy scalar type. Tensors and Parameters carry one.

>>> import sporelab as ms
>>> print(ms.int32)
Int32
>>> ms.dtype_to_nptype(ms.int32)
<class 'numpy.int32'>
>>> print(ms.pytype_to_dtype(int))
Int64
>>> ms.dtype_to_pytype(ms.float64)
<class 'float'>

The *promotion rank* is MindSpore's implicit-conversion order, used by ``Parameter.set_data``:
``Bool < Int8 < UInt8 < Int16 < Int32 < Int64 < Float16 < Float32 < Float64 < Complex64 <
Complex128``. MindSpore leaves UInt16/32/64 out of it; here they are placed where NumPy's safe
casting puts them, so a conversion involving them is decided instead of failing with a KeyError.
"""

import numpy as np

__all__ = [
    "Type", "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "float16", "float32", "float64", "complex64", "complex128",
    "byte", "short", "intc", "intp", "ubyte", "ushort", "uintc", "uintp", "half", "single",
    "double", "int_", "uint", "float_", "complex_", "number",
    "dtype_to_nptype", "pytype_to_dtype", "dtype_to_pytype", "from_numpy", "to_dtype",
    "rank", "can_cast_implicitly", "promote", "is_float", "is_int", "is_bool", "is_complex",
    "int_type", "uint_type", "float_type", "number_type", "all_types",
    "tensor_dtype", "check_complex_to_real", "list_", "tuple_", "string", "type_none", "function", "type_type",
    "tensor_type", "get_py_obj_dtype",
]


class Type:
    """A MindSpore dtype: a printed name, a NumPy scalar type (None for abstract types), a kind.

    Instances are singletons compared by identity; use the module's objects (``ms.float32``),
    never construct new ones.
    """

    __slots__ = ("name", "nptype", "kind", "pytype")

    def __init__(self, name, nptype, kind, pytype):
        self.name = name
        self.nptype = nptype
        self.kind = kind          # 'b' bool, 'i' signed int, 'u' unsigned, 'f' float, 'c' complex
        self.pytype = pytype

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __reduce__(self):
        return (_by_name, (self.name,))

    @property
    def itemsize(self):
        """Bytes per element (``ms.float32.itemsize == 4``)."""
        if self.nptype is None:
            raise TypeError(f"{self.name} is an abstract dtype and has no item size.")
        return np.dtype(self.nptype).itemsize


bool_ = Type("Bool", np.bool_, "b", bool)
int8 = Type("Int8", np.int8, "i", int)
int16 = Type("Int16", np.int16, "i", int)
int32 = Type("Int32", np.int32, "i", int)
int64 = Type("Int64", np.int64, "i", int)
uint8 = Type("UInt8", np.uint8, "u", int)
uint16 = Type("UInt16", np.uint16, "u", int)
uint32 = Type("UInt32", np.uint32, "u", int)
uint64 = Type("UInt64", np.uint64, "u", int)
float16 = Type("Float16", np.float16, "f", float)
float32 = Type("Float32", np.float32, "f", float)
float64 = Type("Float64", np.float64, "f", float)
complex64 = Type("Complex64", np.complex64, "c", complex)
complex128 = Type("Complex128", np.complex128, "c", complex)

# MindSpore's aliases of the concrete types.
byte, short, intc, intp = int8, int16, int32, int64
ubyte, ushort, uintc, uintp = uint8, uint16, uint32, uint64
half, single, double = float16, float32, float64

# Abstract types: printable and usable with dtype_to_pytype, but they hold no data.
int_ = Type("Int", None, "i", int)
uint = Type("UInt", None, "u", int)
float_ = Type("Float", None, "f", float)
complex_ = Type("Complex", None, "c", complex)
number = Type("Number", None, "n", None)

# The types of Python values that are not numbers (MindSpore v1.5.0 mindspore/common/dtype.py:
# list_, tuple_, string, type_none; function and type_type for Cells and dtypes themselves).
list_ = Type("List", None, "L", list)
tuple_ = Type("Tuple", None, "T", tuple)
string = Type("String", None, "s", str)
type_none = Type("TypeNone", None, "N", type(None))
function = Type("Function", None, "F", None)
type_type = Type("TypeType", None, "Y", None)

int_type = (int8, int16, int32, int64)
uint_type = (uint8, uint16, uint32, uint64)
float_type = (float16, float32, float64)
complex_type = (complex64, complex128)
number_type = int_type + uint_type + float_type + complex_type
all_types = (bool_,) + number_type

_FROM_NUMPY = {np.dtype(t.nptype): t for t in all_types}
_OBJECT_TYPES = (list_, tuple_, string, type_none, function, type_type)
_BY_NAME = {t.name: t for t in all_types + (int_, uint, float_, complex_, number) + _OBJECT_TYPES}

# MindSpore's implicit conversion sequence; unsigned 16/32/64 are slotted in by NumPy safe casting.
_RANK = {t: i for i, t in enumerate(
    (bool_, int8, uint8, int16, uint16, int32, uint32, int64, uint64,
     float16, float32, float64, complex64, complex128))}


def _by_name(name):
    return _BY_NAME[name]


def _expect_dtype(value, argument="dtype"):
    if not isinstance(value, Type):
        raise TypeError(
            f"The argument '{argument}' must be a sporelab dtype such as ms.float32, "
            f"but got {value!r} of type {type(value).__name__}.")
    return value


def from_numpy(np_dtype):
    """The sporelab dtype of a NumPy dtype (``np.dtype('float32')`` -> ``Float32``).

    Raises:
        TypeError: the NumPy dtype has no sporelab counterpart (strings, objects, datetimes).
    """
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except Exception:  # noqa: BLE001 -- np.dtype raises TypeError, KeyError, even SyntaxError on odd input
        raise TypeError(
            f"NumPy dtype {np_dtype!r} has no sporelab dtype; supported are "
            f"{', '.join(t.name for t in all_types)}.") from None


def to_dtype(value, argument="dtype"):
    """Accept a sporelab dtype, a NumPy dtype or scalar type, or a dtype name; return a Type.

    ``to_dtype('float32')``, ``to_dtype(np.float32)`` and ``to_dtype(ms.float32)`` all give
    ``Float32``. Used wherever a user passes a dtype, so every entry point accepts the same forms.

    Raises:
        TypeError: the value is none of those forms, or names a dtype sporelab does not have.
    """
    if isinstance(value, Type):
        if value.nptype is None:
            raise TypeError(
                f"The argument '{argument}' must be a concrete dtype such as ms.float32, "
                f"but got the abstract dtype {value}.")
        return value
    if isinstance(value, str) and value in _BY_NAME:
        return to_dtype(_BY_NAME[value], argument)
    if isinstance(value, (str, np.dtype)) or (isinstance(value, type) and issubclass(value, np.generic)):
        try:
            return _FROM_NUMPY[np.dtype(value)]
        except Exception:  # noqa: BLE001 -- np.dtype raises TypeError, KeyError, even SyntaxError on odd strings
            pass
    raise TypeError(
        f"The argument '{argument}' must be a sporelab dtype such as ms.float32 (or a NumPy "
        f"dtype or name such as 'float32'), but got {value!r} of type {type(value).__name__}.")


def dtype_to_nptype(type_):
    """The NumPy scalar type of a sporelab dtype: ``dtype_to_nptype(ms.int32)`` is ``numpy.int32``.

    Raises:
        TypeError: ``type_`` is not a concrete sporelab dtype.
    """
    return to_dtype(_expect_dtype(type_, "type_"), "type_").nptype


def dtype_to_pytype(type_):
    """The Python built-in type of a sporelab dtype: ``dtype_to_pytype(ms.float64)`` is ``float``.

    Bool gives ``bool``; every integer dtype ``int``; every float ``float``; complex ``complex``.

    Raises:
        TypeError: ``type_`` is not a sporelab dtype.
    """
    _expect_dtype(type_, "type_")
    if type_.pytype is None:
        raise TypeError(f"The abstract dtype {type_} has no single Python type.")
    return type_.pytype


_PYTYPES = {bool: bool_, int: int64, float: float64, complex: complex128,
            list: list_, tuple: tuple_, str: string, type(None): type_none}


def pytype_to_dtype(obj):
    """The sporelab dtype of a Python or NumPy type: ``int`` -> Int64, ``float`` -> Float64.

    Note that ``Tensor(0.1)`` is Float32 all the same: this function answers "which dtype holds
    any value of this Python type exactly", tensor creation answers "what a user usually wants".

    Args:
        obj: a Python type (``int``, ``float``, ``bool``, ``complex``), a NumPy scalar type or
            ``np.dtype``, or a sporelab dtype (returned unchanged).

    Raises:
        TypeError: ``obj`` is not a type.
        NotImplementedError: a type with no sporelab dtype (as MindSpore does), e.g. ``dict``.
    """
    if isinstance(obj, Type):
        return obj
    if isinstance(obj, np.dtype):
        return from_numpy(obj)
    if not isinstance(obj, type):
        raise TypeError(
            f"The argument 'obj' must be a type such as int or numpy.float32, but got {obj!r} "
            f"of type {type(obj).__name__}.")
    if obj in _PYTYPES:
        return _PYTYPES[obj]
    if issubclass(obj, np.generic) and np.dtype(obj) in _FROM_NUMPY:
        return _FROM_NUMPY[np.dtype(obj)]
    raise NotImplementedError(f"The python type {obj.__name__} cannot be converted to a sporelab dtype.")


def rank(type_):
    """Position of a dtype in the implicit-conversion order (higher holds more)."""
    return _RANK[to_dtype(type_, "type_")]


def can_cast_implicitly(source, target):
    """Whether data of dtype ``source`` may be stored into ``target`` without an explicit cast.

    MindSpore's rule: allowed when the source ranks no higher than the target. For the unsigned
    types MindSpore leaves out of its order (UInt16/32/64), NumPy's safe casting decides.
    """
    source, target = to_dtype(source, "source"), to_dtype(target, "target")
    if source in (uint16, uint32, uint64) or target in (uint16, uint32, uint64):
        return bool(np.can_cast(source.nptype, target.nptype, "safe"))
    return _RANK[source] <= _RANK[target]


def promote(a, b):
    """The result dtype of a binary operation between two tensors (MindSpore's rule).

    The higher-ranked dtype wins (Int64 + Float32 -> Float32, unlike NumPy's Float64); a mixed
    signed/unsigned pair of equal width that neither holds goes to NumPy's choice.
    """
    a, b = to_dtype(a, "a"), to_dtype(b, "b")
    if a is b:
        return a
    high, low = (a, b) if _RANK[a] >= _RANK[b] else (b, a)
    if high.kind in "fc" or np.can_cast(low.nptype, high.nptype, "safe"):
        return high
    return from_numpy(np.result_type(a.nptype, b.nptype))


def is_float(type_):
    return type_.kind == "f"


def is_int(type_):
    return type_.kind in "iu"


def is_bool(type_):
    return type_.kind == "b"


def is_complex(type_):
    return type_.kind == "c"


_TENSOR_TYPES = {}


def tensor_type(element):
    """The type of a Tensor holding ``element`` values: ``tensor_type(ms.float32)`` prints
    ``Tensor[Float32]`` (MindSpore's ``TensorType``). One object per element dtype."""
    element = to_dtype(element, "element")
    if element not in _TENSOR_TYPES:
        _TENSOR_TYPES[element] = Type(f"Tensor[{element.name}]", None, "t", None)
    return _TENSOR_TYPES[element]


def get_py_obj_dtype(obj):
    """The sporelab type of a Python object or type, as MindSpore v1.5.0's ``get_py_obj_dtype``
    (mindspore/common/dtype.py): a Tensor gives ``Tensor[<its dtype>]``, a Cell ``Function``, a
    dtype ``TypeType``, a type its dtype (``pytype_to_dtype``), any other value the dtype of its type.

    >>> import sporelab as ms
    >>> ms.dtype.get_py_obj_dtype(3), ms.dtype.get_py_obj_dtype([1]), ms.dtype.get_py_obj_dtype(None)
    (Int64, List, TypeNone)
    >>> ms.dtype.get_py_obj_dtype(ms.Tensor([1.0]))
    Tensor[Float32]

    Raises:
        NotImplementedError: a type with no sporelab dtype, e.g. ``dict``.
    """
    if isinstance(getattr(obj, "dtype", None), Type) and hasattr(obj, "shape"):
        return tensor_type(obj.dtype)
    if hasattr(obj, "construct"):
        return function
    if isinstance(obj, Type):
        return type_type
    if isinstance(obj, type):
        return pytype_to_dtype(obj)
    return pytype_to_dtype(type(obj))


def tensor_dtype(value, argument="dtype"):
    """The dtype a Tensor is created with: a sporelab dtype (or its name), never a NumPy one.

    MindSpore's ``Tensor(data, np.float32)`` is a TypeError (v1.5.0 mindspore/common/tensor.py:
    ``validator.check_type_name('dtype', ...)``), so a student's code must not work here and fail
    there. The message names the sporelab dtype to use.

    >>> import numpy as np
    >>> tensor_dtype(np.float32)
    Traceback (most recent call last):
        ...
    TypeError: The argument 'dtype' must be a sporelab dtype, but got the NumPy dtype float32; use ms.float32 (ms.dtype.float32).
    """  # noqa: E501 -- a doctest's expected error is one line
    numpy_given = isinstance(value, np.dtype) or (isinstance(value, type) and issubclass(value, np.generic))
    if numpy_given:
        own = from_numpy(value)
        attribute = {bool_: "bool_"}.get(own, own.name.lower())
        raise TypeError(f"The argument '{argument}' must be a sporelab dtype, but got the NumPy dtype "
                        f"{np.dtype(value).name}; use ms.{attribute} (ms.dtype.{attribute}).")
    return to_dtype(value, argument)


def check_complex_to_real(source, target, argument="input_data", values=None):
    """Refuse complex data going into a real dtype: the imaginary part would be lost in silence.

    With ``values`` (the array about to be converted), complex data whose imaginary parts are all
    zero converts: nothing is lost, and MindSpore v1.5.0's own test
    ``tests/ut/python/ir/test_tensor.py::test_tensor_dtype_complex64_to_float32`` does exactly that.
    Returns ``values`` ready to cast (their real part in that case).

    >>> check_complex_to_real(complex64, float32)
    Traceback (most recent call last):
        ...
    TypeError: The argument 'input_data' is complex (Complex64) and the dtype Float32 is real; take .real (or .imag) first if the imaginary part is not wanted.
    """  # noqa: E501 -- a doctest's expected error is one line
    if source.kind == "c" and target.kind != "c":
        if values is not None and not bool(values.imag.any()):
            return values.real
        raise TypeError(f"The argument '{argument}' is complex ({source}) and the dtype {target} is real; "
                        f"take .real (or .imag) first if the imaginary part is not wanted.")
    return values
