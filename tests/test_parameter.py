import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import Parameter, ParameterTuple, Tensor
from sporelab.common.initializer import initializer


def _tutorial_x():
    return Parameter(default_input=Tensor(np.arange(2 * 3).reshape((2, 3))), name="x")


def test_construction_from_numbers_prints_as_the_tutorial(capsys):
    x = Parameter(default_input=2.0, name='x')
    y = Parameter(default_input=5.0, name='y')
    z = Parameter(default_input=5, name='z', requires_grad=False)
    print(x, "value:", x.asnumpy())
    print(y, "value:", y.asnumpy())
    print(z, "value:", z.asnumpy())
    assert capsys.readouterr().out == (
        "Parameter (name=x, shape=(), dtype=Float32, requires_grad=True) value: 2.0\n"
        "Parameter (name=y, shape=(), dtype=Float32, requires_grad=True) value: 5.0\n"
        "Parameter (name=z, shape=(), dtype=Int32, requires_grad=False) value: 5\n")


def test_construction_from_tensor_initializer_ndarray_list():
    assert str(_tutorial_x()) == "Parameter (name=x, shape=(2, 3), dtype=Int64, requires_grad=True)"
    p = Parameter(default_input=initializer('ones', [1, 2, 3], ms.float32), name='x')
    assert str(p) == "Parameter (name=x, shape=(1, 2, 3), dtype=Float32, requires_grad=True)"
    assert not p.has_init and p.asnumpy().sum() == 6
    assert Parameter(np.zeros(2, np.float16)).dtype is ms.float16
    assert Parameter([1.0, 2.0]).dtype is ms.float32
    assert isinstance(p, Tensor) and isinstance(p, Parameter)


def test_lazy_source_is_left_untouched():
    lazy = initializer('ones', [2], ms.float32)
    Parameter(lazy)
    assert lazy.has_init


def test_data_is_copied_from_the_source_tensor():
    t = Tensor(np.zeros(3, np.float32))
    p = Parameter(t)
    t[0] = 1
    assert p.asnumpy()[0] == 0


def test_attributes_as_the_r13_tutorial(capsys):
    x = Parameter(default_input=Tensor(np.arange(2 * 3).reshape((2, 3))))
    print("name: ", x.name, "\n", "sliced: ", x.sliced, "\n", "is_init: ", x.is_init, "\n",
          "inited_param: ", x.inited_param, "\n", "requires_grad: ", x.requires_grad, "\n",
          "layerwise_parallel: ", x.layerwise_parallel, "\n", "data: ", x.data)
    assert capsys.readouterr().out == (
        "name:  Parameter \n sliced:  False \n is_init:  False \n inited_param:  None \n "
        "requires_grad:  True \n layerwise_parallel:  False \n "
        "data:  Parameter (name=Parameter, shape=(2, 3), dtype=Int64, requires_grad=True)\n")
    assert x.data is x and x.parallel_optimizer is True


def test_name_rules():
    p = Parameter(1.0, name="  w  ")
    assert p.name == "w"
    p.name = None
    assert p.name == "Parameter"
    p.name = "   "
    assert p.name == "Parameter"
    with pytest.raises(ValueError, match="1024"):
        p.name = "a" * 1025
    for bad in (1, True, ["a"], np.array("a"), Tensor(1)):
        with pytest.raises(TypeError, match="name"):
            p.name = bad
    assert p.name == "Parameter"


@pytest.mark.parametrize("flag", ["requires_grad", "layerwise_parallel", "parallel_optimizer"])
def test_flags_must_be_bool(flag):
    with pytest.raises(TypeError, match=flag):
        Parameter(1.0, **{flag: 1})
    p = Parameter(1.0)
    with pytest.raises(TypeError, match=flag):
        setattr(p, flag, "yes")
    setattr(p, flag, False)
    assert getattr(p, flag) is False


def test_bad_default_input():
    with pytest.raises(ValueError, match="bool"):
        Parameter(True)
    with pytest.raises(ValueError, match="bool"):
        Parameter(np.array([True, False]))
    with pytest.raises(TypeError, match="default_input"):
        Parameter("1.0")
    with pytest.raises(TypeError, match="default_input"):
        Parameter(None)


def test_clone_keeps_name_and_is_independent(capsys):
    x = Parameter(default_input=initializer('ones', [1, 2, 3], ms.float32))
    x_clone = x.clone()
    x_clone.name = "x_clone"
    print(x)
    print(x_clone)
    assert capsys.readouterr().out == (
        "Parameter (name=Parameter, shape=(1, 2, 3), dtype=Float32, requires_grad=True)\n"
        "Parameter (name=x_clone, shape=(1, 2, 3), dtype=Float32, requires_grad=True)\n")
    x_clone.set_data(Tensor(np.zeros((1, 2, 3)), ms.float32))
    assert x.asnumpy().sum() == 6 and x_clone.is_init is False
    assert x.copy() is not x and x.copy().name == x.name


def test_clone_with_a_new_initializer():
    x = Parameter(Tensor(np.ones((2, 2)), ms.float32), name="w", requires_grad=False)
    zero = x.clone(init="zeros")
    assert zero.name == "w" and zero.requires_grad is False and zero.asnumpy().sum() == 0
    assert x.clone(init=3).asnumpy().tolist() == [[3, 3], [3, 3]]


def test_set_data_as_the_tutorial(capsys):
    x = Parameter(Tensor(np.ones((1, 2)), ms.float32), name="x", requires_grad=True)
    print(x, x.asnumpy())
    y = x.set_data(Tensor(np.zeros((1, 2)), ms.float32))
    print(y, y.asnumpy())
    z = x.set_data(Tensor(np.ones((1, 4)), ms.float32), slice_shape=True)
    print(z, z.asnumpy())
    print(x.init_data(), x.init_data().asnumpy())
    assert capsys.readouterr().out == (
        "Parameter (name=x, shape=(1, 2), dtype=Float32, requires_grad=True) [[1. 1.]]\n"
        "Parameter (name=x, shape=(1, 2), dtype=Float32, requires_grad=True) [[0. 0.]]\n"
        "Parameter (name=x, shape=(1, 4), dtype=Float32, requires_grad=True) [[1. 1. 1. 1.]]\n"
        "Parameter (name=x, shape=(1, 4), dtype=Float32, requires_grad=True) [[1. 1. 1. 1.]]\n")
    assert y is x and z is x and x.sliced is True


def test_set_data_r13_tutorial_casts_int64_into_float32():
    x = Parameter(default_input=initializer('ones', [1, 2, 3], ms.float32))
    out = x.set_data(data=Tensor(np.arange(2 * 3).reshape((1, 2, 3))))
    assert str(out) == "Parameter (name=Parameter, shape=(1, 2, 3), dtype=Float32, requires_grad=True)"
    np.testing.assert_array_equal(x.asnumpy(), np.arange(6, dtype=np.float32).reshape(1, 2, 3))


def test_set_data_promotion_rule():
    p = Parameter(Tensor(np.zeros(2, np.float16)))
    with pytest.raises(TypeError, match="Current dtype is Float16, and incoming is Float32"):
        p.set_data(Tensor(np.ones(2, np.float32)))
    q = Parameter(Tensor(np.zeros((), np.int32)))
    with pytest.raises(TypeError, match="incoming is Float"):
        q.set_data(2.5)
    assert q.set_data(2).asnumpy() == np.array(2, np.int32) and q.dtype is ms.int32
    assert Parameter(1.0).set_data(3).asnumpy() == 3.0
    with pytest.raises(TypeError, match="Wrap it"):
        p.set_data(np.ones(2))
    with pytest.raises(ValueError, match="slice_shape=True"):
        p.set_data(Tensor(np.ones(3, np.float16)))
    p.set_data(initializer("ones", [2], ms.float16))
    assert p.asnumpy().tolist() == [1, 1]


def test_set_data_copies_the_incoming_tensor():
    p = Parameter(Tensor(np.zeros(2, np.float32)))
    t = Tensor(np.ones(2, np.float32))
    p.set_data(t)
    t[0] = 5
    assert p.asnumpy().tolist() == [1, 1]


def test_set_dtype_and_value():
    p = Parameter(Tensor(np.ones(2, np.float32)))
    assert p.set_dtype(ms.float16) is p and p.dtype is ms.float16
    v = p.value()
    assert type(v) is Tensor and v.dtype is ms.float16


def test_parameter_tuple_and_clone_as_the_tutorial():
    x = _tutorial_x()
    y = Parameter(default_input=initializer('ones', [1, 2, 3], ms.float32), name='y')
    z = Parameter(default_input=2.0, name='z')
    params = ParameterTuple((x, y, z))
    params_copy = params.clone("params_copy")
    assert str(params) == (
        "(Parameter (name=x, shape=(2, 3), dtype=Int64, requires_grad=True), "
        "Parameter (name=y, shape=(1, 2, 3), dtype=Float32, requires_grad=True), "
        "Parameter (name=z, shape=(), dtype=Float32, requires_grad=True))")
    assert str(params_copy) == (
        "(Parameter (name=params_copy.x, shape=(2, 3), dtype=Int64, requires_grad=True), "
        "Parameter (name=params_copy.y, shape=(1, 2, 3), dtype=Float32, requires_grad=True), "
        "Parameter (name=params_copy.z, shape=(), dtype=Float32, requires_grad=True))")
    assert isinstance(params_copy, ParameterTuple) and isinstance(params, tuple)
    assert [p.name for p in params] == ["x", "y", "z"]


def test_parameter_tuple_validation():
    a, b = Parameter(1.0, name="a"), Parameter(2.0, name="a")
    assert len(ParameterTuple([a, a])) == 2
    with pytest.raises(ValueError, match="its name 'a' already exists"):
        ParameterTuple([a, b])
    for bad in (3, "[2,3]", a, [a, 1.0], None):
        with pytest.raises(TypeError, match="ParameterTuple"):
            ParameterTuple(bad)
    assert ParameterTuple(p for p in [a]) == (a,)


@pytest.mark.parametrize("prefix", ["12_sf.asdf_", "x12_sf.asdf.", "_x12_sf.asdf"])
def test_clone_prefix_accepted(prefix):
    assert ParameterTuple([Parameter(1.0, name="w")]).clone(prefix)[0].name == f"{prefix}.w"


@pytest.mark.parametrize("prefix", [".12_sf.asdf", "12_sf.a$sdf.", "12+sf.asdf", "", "é"])
def test_clone_prefix_rejected(prefix):
    with pytest.raises(ValueError, match="'prefix'"):
        ParameterTuple([Parameter(1.0, name="w")]).clone(prefix)


def test_clone_prefix_type():
    with pytest.raises(TypeError, match="'prefix'"):
        ParameterTuple([]).clone(3)


junk = st.one_of(st.none(), st.booleans(), st.text(max_size=4), st.complex_numbers(allow_nan=False),
                 st.lists(st.text(max_size=2), min_size=1, max_size=2), st.builds(object),
                 st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
                 st.floats(allow_nan=False, allow_infinity=False), st.integers(-5, 5),
                 st.builds(lambda s: Tensor(np.ones(s, np.float64)), st.integers(1, 3)))


@settings(max_examples=120, deadline=None)
@given(junk, st.one_of(st.booleans(), junk))
def test_set_data_rejects_cleanly_and_changes_nothing(data, slice_shape):
    p = Parameter(Tensor(np.arange(3, dtype=np.int32)), name="w")
    before = (p.asnumpy().copy(), p.shape, p.dtype, p.sliced, p.name)
    try:
        p.set_data(data, slice_shape=slice_shape)
    except (TypeError, ValueError) as error:
        assert any(w in str(error) for w in ("data", "dtype", "shape", "slice_shape"))
        after = (p.asnumpy(), p.shape, p.dtype, p.sliced, p.name)
        np.testing.assert_array_equal(after[0], before[0])
        assert after[1:] == before[1:]


@settings(max_examples=120, deadline=None)
@given(junk, st.one_of(st.none(), junk), st.one_of(st.just(True), junk))
def test_constructor_raises_only_teaching_errors(data, name, requires_grad):
    try:
        Parameter(data, name=name, requires_grad=requires_grad)
    except (TypeError, ValueError) as error:
        assert any(w in str(error) for w in ("default_input", "bool", "name", "requires_grad", "input_data"))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(junk, st.builds(lambda n: Parameter(1.0, name=n), st.sampled_from("ab"))), max_size=4))
def test_parameter_tuple_raises_only_teaching_errors(items):
    try:
        ParameterTuple(items)
    except (TypeError, ValueError) as error:
        assert "ParameterTuple" in str(error) or "already exists" in str(error)
