"""sporelab.gluon.Parameter and Constant: api-semantics 8.1-8.4, on cpu(0) and on [cpu(0), cpu(1)]."""

import math
import numbers
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

import sporelab as ms
from sporelab import Tensor, gluon
from sporelab.gluon import Constant, DeferredInitializationError, Parameter, init

CPU0, CPU1, CPU2 = ms.cpu(0), ms.cpu(1), ms.cpu(2)
CONTEXTS = [[CPU0], [CPU0, CPU1]]


def _values(tensor):
    return tensor.asnumpy()


def _initialised(ctx, shape=(2, 3), **kwargs):
    param = Parameter("w", shape=shape, **kwargs)
    param.initialize(ctx=ctx)
    return param


# ---- 8.1 constructor, repr, simple properties -------------------------------------------------
def test_repr_and_defaults():
    assert repr(Parameter()) == "Parameter weight (shape=None, dtype=float32)"
    param = Parameter("weight", shape=(10, 10))
    assert repr(param) == str(param) == "Parameter weight (shape=(10, 10), dtype=float32)"
    assert (param.name, param.grad_req, param.lr_mult, param.wd_mult, param.init) == ("weight", "write", 1.0, 1.0, None)
    assert (param.stype, param.grad_stype, param.allow_deferred_init, param.differentiable) == (
        "default", "default", False, True)


def test_int_shape_and_dtype_forms():
    assert Parameter("b", shape=4).shape == (4,)
    for dtype in ("float64", np.float64, np.dtype("float64"), ms.float64):
        param = Parameter("w", shape=(2,), dtype=dtype)
        assert param.dtype == np.float64 and param.dtype == "float64"
        assert repr(param) == "Parameter w (shape=(2,), dtype=float64)"
    assert Parameter("w").dtype == np.float32 and Parameter("w").dtype == "float32"


@pytest.mark.parametrize("argument", ["stype", "grad_stype"])
def test_storage_types_are_validated(argument):
    assert getattr(Parameter("w", **{argument: "row_sparse"}), argument) == "row_sparse"
    with pytest.raises(ValueError, match=f"The argument '{argument}' must be one of 'default', 'row_sparse' or 'csr', but got 'dense'"):
        Parameter("w", **{argument: "dense"})


def test_shape_setter_fills_unknown_dims():
    param = Parameter("w", shape=(0, 3))
    param.shape = (2, 3)
    assert param.shape == (2, 3)
    param = Parameter("w", shape=(-1, 3))
    param.shape = [4, 3]
    assert param.shape == (4, 3)
    unset = Parameter("w")
    unset.shape = 5
    assert unset.shape == (5,)


def test_incompatible_shape_message():
    param = Parameter("weight", shape=(4, 3))
    with pytest.raises(ValueError, match=r"^Expected shape \(4, 3\) is incompatible with given shape \(2, 3\) "
                                         r"for Parameter weight\. "):
        param.shape = (2, 3)
    with pytest.raises(ValueError, match="incompatible"):
        param.shape = (4, 3, 1)
    assert param.shape == (4, 3)


def test_lr_and_wd_mult():
    param = Parameter("w", lr_mult=2, wd_mult=0.0)
    assert (param.lr_mult, param.wd_mult) == (2, 0.0)
    param.lr_mult = 0.5
    assert param.lr_mult == 0.5
    for bad in ("1", None, True, [1]):
        with pytest.raises(TypeError, match="'lr_mult'"):
            param.lr_mult = bad
        with pytest.raises(TypeError, match="'wd_mult'"):
            Parameter("w", wd_mult=bad)
    assert param.lr_mult == 0.5


# ---- 8.2 grad_req -----------------------------------------------------------------------------
def test_bad_grad_req_is_a_value_error():
    with pytest.raises(ValueError, match=r"^grad_req must be one of 'write', 'add', or 'null', but got 'foo'"):
        Parameter("w", grad_req="foo")
    param = Parameter("w")
    with pytest.raises(ValueError, match="grad_req"):
        param.grad_req = None
    assert param.grad_req == "write"


@pytest.mark.parametrize("ctx", CONTEXTS)
def test_grad_req_null_frees_and_write_allocates_zero_grads(ctx):
    param = _initialised(ctx, init="ones")
    for c in ctx:
        param.grad(c)[...] = 5
    param.grad_req = "null"
    assert all(t.grad is None and t.grad_req == "null" for t in param.list_data())
    with pytest.raises(RuntimeError, match=r"^Cannot get gradient array for Parameter 'w' because grad_req='null'"):
        param.grad()
    with pytest.raises(RuntimeError, match="grad_req='null'"):
        param.list_grad()
    param.grad_req = "add"
    assert [g.device for g in param.list_grad()] == ctx
    assert all(np.all(_values(g) == 0) and g.shape == (2, 3) for g in param.list_grad())
    assert all(t.grad_req == "add" for t in param.list_data())


def test_differentiable_false_forces_null():
    param = Parameter("w", shape=(2,), differentiable=False)
    assert param.grad_req == "null"
    param.grad_req = "write"
    assert param.grad_req == "null"


def test_grad_is_the_grad_of_the_data_tensor_and_autograd_fills_it():
    param = _initialised([CPU0, CPU1], init="ones")
    assert param.grad(CPU1) is param.data(CPU1).grad
    with ms.autograd.record():
        loss = (param.data(CPU1) * 3).sum()
    loss.backward()
    assert np.all(_values(param.grad(CPU1)) == 3) and np.all(_values(param.grad(CPU0)) == 0)


def test_grad_req_add_accumulates_until_zero_grad():
    param = _initialised(CPU0, grad_req="add", init="ones")
    for _ in range(2):
        with ms.autograd.record():
            loss = (param.data() * 3).sum()
        loss.backward()
    assert np.all(_values(param.grad()) == 6)
    param.zero_grad()
    assert np.all(_values(param.grad()) == 0)


def test_zero_grad_on_every_context_and_no_op_without_grads():
    param = _initialised([CPU0, CPU1])
    for grad in param.list_grad():
        grad[...] = 1
    param.zero_grad()
    assert all(np.all(_values(g) == 0) for g in param.list_grad())
    Parameter("u", shape=(2,)).zero_grad()                     # uninitialised: nothing to do
    _initialised(CPU0, grad_req="null").zero_grad()            # no gradients: nothing to do


# ---- 8.3 initialize ------------------------------------------------------------------------------
@pytest.mark.parametrize("ctx", CONTEXTS)
def test_initialize_gives_identical_copies_per_context(ctx):
    param = _initialised(ctx, init=init.Normal(1.0))
    assert param.list_ctx() == ctx
    assert [t.device for t in param.list_data()] == ctx
    first = _values(param.list_data()[0])
    assert first.dtype == np.float32 and first.std() > 0.1
    assert all(np.array_equal(first, _values(t)) for t in param.list_data())
    assert all(t.dtype is ms.float32 for t in param.list_data())


def test_default_ctx_is_the_current_context_and_order_is_kept():
    param = Parameter("w", shape=(2,))
    param.initialize()
    assert param.list_ctx() == [CPU0]
    param = _initialised([CPU1, CPU0])
    assert param.list_ctx() == [CPU1, CPU0]
    assert [t.device for t in param.list_data()] == [CPU1, CPU0]


def test_same_seed_same_values_on_any_context():
    ms.set_seed(7)
    on0 = _values(_initialised(CPU0, init="xavier").data())
    ms.set_seed(7)
    on1 = _values(_initialised(CPU1, init="xavier").data())
    assert np.array_equal(on0, on1)


def test_default_init_is_uniform_007():
    values = _values(_initialised(CPU0, shape=(100, 100)).data())
    assert np.abs(values).max() <= 0.07 and values.std() > 0.03


def test_second_initialize_warns_and_force_reinit_redraws():
    param = _initialised(CPU0)
    before = _values(param.data())
    with pytest.warns(UserWarning, match=r"^Parameter 'w' is already initialized, ignoring\. Set "
                                         r"force_reinit=True to re-initialize\.$"):
        param.initialize(init="ones")
    assert np.array_equal(_values(param.data()), before)
    param.initialize(init="ones", ctx=[CPU0, CPU1], force_reinit=True)
    assert param.list_ctx() == [CPU0, CPU1] and np.all(_values(param.data(CPU1)) == 1)


def test_init_priority_argument_then_param_init_then_default():
    param = Parameter("w", shape=(2,), init=init.Constant(2))
    param.initialize(init=init.Constant(1), default_init=init.Constant(3))
    assert np.all(_values(param.data()) == 1)
    param.initialize(default_init=init.Constant(3), force_reinit=True)
    assert np.all(_values(param.data()) == 2)
    bare = Parameter("b", shape=(2,))
    bare.initialize(default_init=init.Constant(3))
    assert np.all(_values(bare.data()) == 3)


def test_init_by_name_json_and_mindspore_initializer():
    param = Parameter("w", shape=(2, 2), init="ones")
    param.initialize()
    assert np.all(_values(param.data()) == 1)
    param.initialize(init='["constant", {"value": 4}]', force_reinit=True)
    assert np.all(_values(param.data()) == 4)
    ms_init = pytest.importorskip("sporelab.common.initializer")
    param.initialize(init=ms_init.One(), force_reinit=True, ctx=[CPU0, CPU1])
    assert np.all(_values(param.data(CPU1)) == 1)


def test_invalid_shape_without_deferral():
    for shape, shown in (((0, 3), r"\(0, 3\)"), (None, "None"), ((-1,), r"\(-1,\)")):
        with pytest.raises(ValueError, match=rf"^Cannot initialize Parameter 'w' because it has invalid shape: {shown}\."):
            Parameter("w", shape=shape).initialize()


def test_initialize_errors_are_named_and_change_nothing():
    param = _initialised(CPU0)
    before = _values(param.data())
    with pytest.raises(ValueError, match="Xavier initializer cannot be applied to vector b"):
        Parameter("b", shape=(3,)).initialize(init="xavier")
    with pytest.raises(TypeError, match="'ctx'"):
        param.initialize(ctx="cpu", force_reinit=True)
    with pytest.raises(ValueError, match="'ctx'"):
        param.initialize(ctx=[CPU0, CPU0], force_reinit=True)
    with pytest.raises(ValueError, match="is not registered"):
        param.initialize(default_init="nope", force_reinit=True)
    assert np.array_equal(_values(param.data()), before) and param.list_ctx() == [CPU0]


# ---- deferred initialisation ----------------------------------------------------------------------
def _deferred(ctx=(CPU0, CPU1), shape=(0, 3), init_=None):
    param = Parameter("w", shape=shape, allow_deferred_init=True, init=init_)
    param.initialize(ctx=list(ctx))
    return param


def test_deferred_access_raises_deferred_initialization_error():
    param = _deferred()
    assert param.list_ctx() == [CPU0, CPU1]
    with pytest.raises(DeferredInitializationError, match=r"^Parameter 'w' has not been initialized yet because "
                                                          r"initialization was deferred\. .*param\.shape = "):
        param.data()
    assert issubclass(DeferredInitializationError, RuntimeError)
    for call in (param.list_data, param.grad, param.list_grad):
        with pytest.raises(DeferredInitializationError):
            call()


def test_deferred_init_finishes_when_the_shape_becomes_known():
    ms.set_seed(3)
    param = _deferred(init_="ones")
    param.shape = (2, 3)
    assert param.list_ctx() == [CPU0, CPU1]
    assert all(np.all(_values(t) == 1) and t.shape == (2, 3) for t in param.list_data())
    assert all(np.all(_values(g) == 0) for g in param.list_grad())


def test_deferred_init_finishes_with_set_data():
    param = _deferred(shape=None)
    param.set_data(np.arange(6).reshape(2, 3))
    assert param.shape == (2, 3)
    assert np.array_equal(_values(param.data(CPU1)), np.arange(6).reshape(2, 3))
    assert param.data(CPU1).dtype is ms.float32


def test_deferred_reset_ctx_replaces_the_pending_contexts():
    param = _deferred()
    param.reset_ctx(CPU1)
    assert param.list_ctx() == [CPU1]
    param.shape = (1, 3)
    assert param.list_ctx() == [CPU1]


def test_finish_deferred_init_needs_a_known_shape():
    param = _deferred()
    with pytest.raises(ValueError, match=r"because it has invalid shape: \(0, 3\)\. Please specify in_units"):
        param._finish_deferred_init()
    param._shape = (2, 3)                         # what a Block's shape inference does
    param._finish_deferred_init()
    assert param.data(CPU0).shape == (2, 3)


def test_failed_deferred_finish_changes_nothing():
    param = _deferred(shape=(0,), init_="xavier")
    with pytest.raises(ValueError, match="Xavier"):
        param.shape = (4,)
    assert param.shape == (0,)
    with pytest.raises(DeferredInitializationError):
        param.data()


# ---- 8.4 access -------------------------------------------------------------------------------
def test_access_before_initialize():
    param = Parameter("w", shape=(2,))
    message = r"^Parameter 'w' has not been initialized\. "
    for call in (param.data, param.list_data, param.grad, param.list_grad, param.list_ctx):
        with pytest.raises(RuntimeError, match=message):
            call()
    with pytest.raises(RuntimeError, match=r"initialize\(ctx=\.\.\.\) first"):
        param.data()


def test_data_on_another_context_lists_the_contexts():
    param = _initialised([CPU0, CPU1])
    with pytest.raises(RuntimeError, match=r"^Parameter 'w' was not initialized on context cpu\(2\)\. It was only "
                                           r"initialized on \[cpu\(0\), cpu\(1\)\]\.$"):
        param.data(CPU2)
    with pytest.raises(TypeError, match="'ctx'"):
        param.data("cpu(0)")
    assert param.data() is param.data(CPU0)            # several contexts: the current one
    ms.set_context(device_target="CPU")
    single = _initialised(CPU1)
    assert single.data() is single.data(CPU1)          # one context: that one


def test_data_is_live():
    param = _initialised([CPU0, CPU1])
    param.data(CPU1)[0, 0] = 42
    assert _values(param.data(CPU1))[0, 0] == 42 and _values(param.data(CPU0))[0, 0] != 42


@pytest.mark.parametrize("ctx", CONTEXTS)
def test_reset_ctx_averages_the_copies(ctx):
    param = _initialised(ctx, init="zeros")
    for i, c in enumerate(ctx):
        param.data(c)[...] = 2.0 * (i + 1)
    expected = np.mean([2.0 * (i + 1) for i in range(len(ctx))])
    param.reset_ctx([CPU2, CPU1])
    assert param.list_ctx() == [CPU2, CPU1]
    assert all(t.device == c for t, c in zip(param.list_data(), [CPU2, CPU1]))
    assert all(np.all(_values(t) == expected) for t in param.list_data())
    assert all(np.all(_values(g) == 0) for g in param.list_grad())


def test_reset_ctx_keeps_identical_copies_identical_and_errors():
    param = _initialised([CPU0, CPU1], init=init.Normal(1.0))
    before = _values(param.data(CPU0))
    param.reset_ctx(CPU2)
    assert np.array_equal(_values(param.data()), before)
    with pytest.raises(ValueError, match=r"^Cannot reset context for Parameter 'u' because it has not been initialized\."):
        Parameter("u", shape=(2,)).reset_ctx(CPU0)


@pytest.mark.parametrize("ctx", CONTEXTS)
@pytest.mark.parametrize("make", [lambda a: Tensor(a), lambda a: a, lambda a: a.tolist()])
def test_set_data_copies_to_every_context_in_place(ctx, make):
    param = _initialised(ctx)
    tensors = param.list_data()
    value = np.arange(6, dtype=np.float64).reshape(2, 3)
    param.set_data(make(value))
    assert param.list_data() == tensors or all(a is b for a, b in zip(param.list_data(), tensors))
    assert all(np.array_equal(_values(t), value) and t.dtype is ms.float32 for t in param.list_data())


def test_set_data_fills_unknown_dims_and_rejects():
    param = _initialised(CPU0)
    before = _values(param.data())
    with pytest.raises(ValueError, match=r"Expected shape \(2, 3\) is incompatible with given shape \(3, 2\) .*'data'"):
        param.set_data(np.zeros((3, 2)))
    with pytest.raises(TypeError, match="'data'"):
        param.set_data("abc")
    with pytest.raises(TypeError, match="complex"):
        param.set_data(np.ones((2, 3), np.complex64))
    assert np.array_equal(_values(param.data()), before)
    unset = Parameter("u", shape=(0, 3))
    with pytest.raises(RuntimeError, match=r"^Parameter 'u' has not been initialized"):
        unset.set_data(np.zeros((2, 3)))
    assert unset.shape == (0, 3)
    with pytest.raises(ValueError, match="zero-size"):
        _deferred().set_data(np.zeros((0, 3)))


@pytest.mark.parametrize("ctx", CONTEXTS)
def test_cast_converts_data_and_grads(ctx):
    param = _initialised(ctx, init="ones")
    for grad in param.list_grad():
        grad[...] = 0.5
    param.cast("float64")
    assert param.dtype == np.float64 and repr(param) == "Parameter w (shape=(2, 3), dtype=float64)"
    assert all(t.dtype is ms.float64 and t.device == c for t, c in zip(param.list_data(), ctx))
    assert all(g.dtype is ms.float64 and np.all(_values(g) == 0.5) for g in param.list_grad())
    param.dtype = ms.float16
    assert param.data().dtype is ms.float16 and np.all(_values(param.data()) == 1)
    with pytest.raises(TypeError, match="'dtype'"):
        param.cast("float99")
    uninitialised = Parameter("u")
    uninitialised.cast(np.int32)
    assert uninitialised.dtype == np.int32


def test_cast_to_null_grad_param():
    param = _initialised(CPU0, grad_req="null")
    param.cast("float64")
    assert param.data().grad is None and param.data().dtype is ms.float64


# ---- row_sparse ---------------------------------------------------------------------------------
def _row_sparse(ctx):
    param = Parameter("emb", shape=(5, 2), stype="row_sparse")
    param.initialize(init=init.Constant(np.arange(10).reshape(5, 2)), ctx=ctx)
    return param


def test_row_sparse_data_rows_on_row_id_context():
    param = _row_sparse([CPU0, CPU1])
    rows = param.row_sparse_data(Tensor(np.array([3, 1])).to(CPU1))
    assert rows.device == CPU1 and np.array_equal(_values(rows), [[6, 7], [2, 3]])
    every = param.list_row_sparse_data(Tensor(np.array([4])))
    assert [r.device for r in every] == [CPU0, CPU1]
    assert all(np.array_equal(_values(r), [[8, 9]]) for r in every)


def test_row_sparse_errors():
    param = _row_sparse([CPU0])
    with pytest.raises(RuntimeError, match=r"^Cannot return a copy of Parameter 'emb' on ctx cpu\(0\) via data\(\) "
                                           r"because its storage type is row_sparse\. Please use row_sparse_data\(\) instead\."):
        param.data()
    with pytest.raises(RuntimeError, match="via list_data"):
        param.list_data()
    with pytest.raises(TypeError, match="row_id must have Tensor type"):
        param.row_sparse_data([1])
    with pytest.raises(TypeError, match="integer"):
        param.row_sparse_data(Tensor([1.0]))
    with pytest.raises(ValueError, match="outside"):
        param.row_sparse_data(Tensor(np.array([5])))
    with pytest.raises(RuntimeError, match="was not initialized on context cpu"):
        param.row_sparse_data(Tensor(np.array([0])).to(CPU1))
    with pytest.raises(RuntimeError, match=r"^Cannot return a copy of Parameter w via row_sparse_data\(\) because "
                                           r"its storage type is default\. Please use data\(\) instead\."):
        _initialised(CPU0).row_sparse_data(Tensor(np.array([0])))


# ---- Constant -------------------------------------------------------------------------------------
def test_constant():
    const = Constant("c", [[1, 2], [3, 4]])
    assert repr(const) == "Constant c (shape=(2, 2), dtype=float32)"
    assert const.grad_req == "null"
    const.initialize(ctx=[CPU0, CPU1])
    assert all(np.array_equal(_values(t), [[1, 2], [3, 4]]) for t in const.list_data())
    with pytest.raises(RuntimeError, match="grad_req='null'"):
        const.grad()
    with pytest.warns(UserWarning, match=r'^Constant parameter "c" does not support grad_req other than "null", '
                                         r'and new value "write" is ignored\.$'):
        const.grad_req = "write"
    assert const.grad_req == "null" and const.data().grad is None


def test_constant_dtype_and_init_argument():
    assert Constant("i", np.arange(3)).dtype == np.int64
    assert Constant("t", Tensor(np.ones(2, np.float64))).dtype == np.float64
    assert Constant("s", 2.5).shape == ()
    const = Constant("c", [1.0, 2.0])
    with pytest.warns(UserWarning, match="always initialized with its value"):
        const.initialize(init="zeros")
    assert np.array_equal(_values(const.data()), [1, 2])
    with pytest.raises(TypeError, match="'value'"):
        Constant("c", "abc")


# ---- properties of input: junk refused (Type/Value/RuntimeError naming the argument, nothing changed),
# valid values accepted and held as given
_JUNK = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True),
                  st.text(max_size=6), st.binary(max_size=3), st.lists(st.integers(-3, 4), max_size=3),
                  st.tuples(st.floats(-2, 2)), st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
                  st.sampled_from(["write", "add", "null", "float32", "float64", ms.int32, np.dtype("float16"),
                                   "row_sparse", "xavier", "[", "['x']",
                                   '["normal", {"sigma": "x"}]', (2, 3), (0, 3), (-2, 3), (2.0, 3), np.float32,
                                   np.zeros((2, 3)), Tensor([1.0]), ms.cpu(0), object()]))
_ARGUMENTS = ["name", "grad_req", "shape", "dtype", "lr_mult", "wd_mult", "init", "allow_deferred_init",
              "differentiable", "stype", "grad_stype"]
_SETTINGS = settings(max_examples=50, deadline=None)


def _expect_named(error, *names):
    assert isinstance(error, (TypeError, ValueError, RuntimeError)), repr(error)
    assert any(name in str(error) for name in names), str(error)


# What is valid, written from api-semantics 8.1-8.5 and the Parameter's docstring, independently of
# sporelab's checks: each property test asserts that a refused value is invalid and that an accepted
# one is valid and reads back as given (junk silently accepted fails, not only junk badly refused).
_NUMPY_DTYPES = {np.dtype(t.nptype) for t in ms.dtype.all_types}


def _is_int(value):
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _valid_shape(value):
    """An int or a tuple/list of ints, each >= 1 or 0 / -1 (unknown)."""
    dims = (value,) if _is_int(value) else value
    return isinstance(dims, (tuple, list)) and all(_is_int(d) and d >= -1 for d in dims)


def _as_shape(value):
    return (int(value),) if _is_int(value) else tuple(int(d) for d in value)


def _fits(shape, old):
    """``shape`` only fills in the unknown (0 / -1) dimensions of ``old``."""
    return old is None or (len(shape) == len(old) and all(o in (0, -1) or o == n for n, o in zip(shape, old)))


def _numpy_dtype(value):
    """The numpy.dtype a dtype argument names, None when it names none sporelab has."""
    if isinstance(value, ms.dtype.Type):
        return np.dtype(value.nptype) if value.nptype is not None else None
    if not (isinstance(value, (str, np.dtype)) or (isinstance(value, type) and issubclass(value, np.generic))):
        return None                          # np.dtype(None) would be float64: None is no dtype
    try:
        dtype = np.dtype(value)
    except Exception:                        # noqa: BLE001 -- NumPy raises several kinds on odd strings
        return None
    return dtype if dtype in _NUMPY_DTYPES else None


def _valid_mult(value):
    return (isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
            and math.isfinite(value) and value >= 0)


def _one_of(*choices):
    return lambda value: isinstance(value, str) and value in choices


_VALID = {"name": lambda value: isinstance(value, str), "grad_req": _one_of("write", "add", "null"),
          "shape": lambda value: value is None or _valid_shape(value),
          "dtype": lambda value: _numpy_dtype(value) is not None, "lr_mult": _valid_mult, "wd_mult": _valid_mult,
          "allow_deferred_init": lambda value: isinstance(value, bool),
          "differentiable": lambda value: isinstance(value, bool),
          "stype": _one_of("default", "row_sparse", "csr"), "grad_stype": _one_of("default", "row_sparse", "csr")}


def _assert_usable_init(value):
    """An accepted initializer initialises a (2, 3) float32 Parameter to finite values."""
    param = Parameter("w", shape=(2, 3), init=value)
    param.initialize(ctx=CPU0)
    assert np.isfinite(_values(param.data())).all(), value


def _assert_reads_back(param, argument, value):
    """The accepted ``value`` of ``argument`` is what the Parameter now holds."""
    if argument == "init":
        assert param.init is value
        if value is not None:
            _assert_usable_init(value)
    elif argument == "shape":
        assert param.shape == (None if value is None else _as_shape(value))
    elif argument == "dtype":
        assert param.dtype == _numpy_dtype(value)
    elif argument == "grad_req" and not param.differentiable:
        assert param.grad_req == "null"
    else:
        assert getattr(param, argument) == value and type(getattr(param, argument)) is type(value)


def _check_verdict(accepted, argument, value, valid, error=None):
    if accepted:
        assert valid, f"junk accepted: {argument}={value!r}"
    else:
        _expect_named(error, argument)
        assert not valid, f"valid value refused: {argument}={value!r}: {error}"


@pytest.mark.parametrize("argument", _ARGUMENTS)
@_SETTINGS
@given(value=_JUNK)
@example(value="float64")
@example(value=ms.int32)
@example(value=-1.0)
@example(value=float("nan"))
@example(value=(-2, 3))
def test_constructor_accepts_exactly_the_valid_values(argument, value):
    try:
        param = Parameter(**{"name": "w", argument: value})
    except Exception as error:            # noqa: BLE001 -- the property is about which errors escape
        # init: its validity is that it can initialise, checked on acceptance below
        _check_verdict(False, argument, value, argument != "init" and _VALID[argument](value), error)
        return
    _check_verdict(True, argument, value, argument == "init" or _VALID[argument](value))
    _assert_reads_back(param, argument, value)


def _snapshot(param):
    data = None if param._data is None else [(_values(t), t.device, None if t.grad is None else _values(t.grad))
                                             for t in param._data]
    return param.shape, param.grad_req, param.dtype, param._deferred_init, data


def _same_state(a, b):
    assert a[:4] == b[:4]
    if a[4] is None or b[4] is None:
        assert a[4] is b[4]
        return
    for (va, ca, ga), (vb, cb, gb) in zip(a[4], b[4]):
        assert np.array_equal(va, vb, equal_nan=True) and ca == cb
        assert (ga is None and gb is None) or np.array_equal(ga, gb)


def _params():
    return [_initialised([CPU0, CPU1]), Parameter("w", shape=(0, 3)), _deferred()]


def _assert_initialised(param, shape, contexts, values=None):
    assert param.list_ctx() == contexts and not param._deferred_init
    copies = [_values(t) for t in param.list_data()]
    assert all(c.shape == shape and c.dtype == param.dtype and np.isfinite(c).all() for c in copies)
    assert all(np.array_equal(c, copies[0] if values is None else values) for c in copies)
    assert all(t.grad is not None and not t.grad.asnumpy().any() for t in param.list_data())


@_SETTINGS
@given(value=_JUNK)
def test_shape_setter_accepts_exactly_the_valid_shapes(value):
    for param in _params():
        before, deferred = _snapshot(param), bool(param._deferred_init)
        try:
            param.shape = value
        except Exception as error:       # noqa: BLE001
            _check_verdict(False, "shape", value, _valid_shape(value) and _fits(_as_shape(value), before[0]), error)
            _same_state(before, _snapshot(param))
            continue
        _check_verdict(True, "shape", value, _valid_shape(value) and _fits(_as_shape(value), before[0]))
        shape = _as_shape(value)
        assert param.shape == shape and param.grad_req == before[1] and param.dtype == before[2]
        if deferred and all(d > 0 for d in shape):          # the shape is known: initialised now
            _assert_initialised(param, shape, [CPU0, CPU1])
        else:
            _same_state((shape,) + before[1:], _snapshot(param))


@_SETTINGS
@given(value=_JUNK)
def test_grad_req_setter_accepts_exactly_the_valid_values(value):
    for param in _params():
        before = _snapshot(param)
        try:
            param.grad_req = value
        except Exception as error:       # noqa: BLE001
            _check_verdict(False, "grad_req", value, _VALID["grad_req"](value), error)
            _same_state(before, _snapshot(param))
            continue
        _check_verdict(True, "grad_req", value, _VALID["grad_req"](value))
        assert param.grad_req == value and _snapshot(param)[0] == before[0]
        for tensor, (data, _, _) in zip(param._data or (), before[4] or ()):
            assert np.array_equal(_values(tensor), data) and (tensor.grad is None) == (value == "null")


def _valid_ctx(value):
    contexts = [value] if isinstance(value, ms.Context) else value
    return value is None or (isinstance(contexts, (list, tuple)) and len(contexts) > 0
                             and all(isinstance(c, ms.Context) for c in contexts) and len(set(contexts)) == len(contexts))


def _contexts(value):
    return [ms.current_context()] if value is None else [value] if isinstance(value, ms.Context) else list(value)


@pytest.mark.parametrize("argument", ["init", "ctx", "default_init", "force_reinit"])
@_SETTINGS
@given(value=_JUNK)
def test_initialize_accepts_exactly_the_valid_values(argument, value):
    valid = {"ctx": _valid_ctx, "force_reinit": lambda v: isinstance(v, bool)}.get(argument)
    for param in [_initialised([CPU0, CPU1]), Parameter("w", shape=(2, 3))]:
        before = _snapshot(param)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                param.initialize(**{argument: value})
        except Exception as error:       # noqa: BLE001
            _check_verdict(False, argument, value, valid is not None and valid(value), error)
            _same_state(before, _snapshot(param))
            continue
        _check_verdict(True, argument, value, valid is None or valid(value))
        if before[4] is not None and not (argument == "force_reinit" and value):
            assert any("already initialized" in str(w.message) for w in caught)
            _same_state(before, _snapshot(param))          # initialised already: a warning, no change
        else:
            _assert_initialised(param, (2, 3), _contexts(value) if argument == "ctx" else [ms.current_context()])
        if argument in ("init", "default_init"):
            _assert_usable_init(value)


def _numbers(value):
    """The array a set_data value stands for, None when it is not numbers (or is complex)."""
    if isinstance(value, Tensor):
        return value.asnumpy()
    if value is None or isinstance(value, (str, bytes)):
        return None
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        return None
    return array if array.dtype.kind in "biuf" else None


@_SETTINGS
@given(value=st.one_of(_JUNK, st.lists(st.lists(st.one_of(st.floats(-1e3, 1e3), st.none(), st.text(max_size=1)),
                                                  min_size=0, max_size=4), max_size=3),
                       st.lists(st.lists(st.floats(-1e3, 1e3), min_size=3, max_size=3), min_size=1, max_size=2)))
def test_set_data_accepts_exactly_the_valid_values(value):
    array = _numbers(value)
    for param in _params():
        before = _snapshot(param)
        valid = (array is not None and 0 not in array.shape and _fits(array.shape, before[0])
                 and (before[4] is not None or bool(before[3])))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                param.set_data(value)
        except Exception as error:       # noqa: BLE001
            _check_verdict(False, "data", value, valid, error if not isinstance(error, RuntimeError) else
                           RuntimeError(f"data: {error}") if "not been initialized" in str(error) else error)
            _same_state(before, _snapshot(param))
            continue
        _check_verdict(True, "data", value, valid)
        expected = array.astype(np.float32)
        assert param.shape == array.shape
        assert [t.device for t in param.list_data()] == [CPU0, CPU1]
        assert all(np.array_equal(_values(t), expected) for t in param.list_data())


def test_gluon_exports():
    assert set(gluon.__all__) == {"Parameter", "Constant", "ParameterDict", "DeferredInitializationError", "init",
                                  "Trainer"}
