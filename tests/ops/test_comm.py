"""AllReduce / AllGather / Broadcast in one process (a world of size 1): values, gradients, checks.
Across ranks they are tested under mpiexec in tests/distributed/."""

import numpy as np
import pytest
from tests._requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import ops
from sporelab.communication import init, release

require("mpi")


@pytest.fixture(autouse=True)
def world():
    init()
    yield
    release()


def test_identity_in_a_world_of_one_with_gradients():
    x = ms.Tensor([1.0, -2.0, 3.0])
    for op in (ops.AllReduce(), ops.AllReduce("max"), ops.AllReduce(ops.ReduceOp.PROD), ops.AllGather()):
        assert op(x).asnumpy().tolist() == [1.0, -2.0, 3.0]
        g = ms.grad(lambda t, op=op: (op(t) * ms.Tensor([1.0, 2.0, 3.0])).sum())(x)
        assert g.asnumpy().tolist() == [1.0, 2.0, 3.0], op
    (y,) = ops.Broadcast(0)((x,))
    assert y.asnumpy().tolist() == [1.0, -2.0, 3.0]
    assert ms.grad(lambda t: (ops.Broadcast(0)((t,))[0] * 2).sum())(x).asnumpy().tolist() == [2.0] * 3


def test_dtypes_are_kept():
    assert ops.AllReduce()(ms.Tensor(np.arange(3))).dtype == ms.int64
    assert ops.AllReduce()(ms.Tensor(np.ones(2, np.float16))).dtype == ms.float16
    assert ops.AllGather()(ms.Tensor(np.ones((2, 2)))).shape == (2, 2)


def test_a_scalar_stays_a_scalar_and_bools_reduce_with_max_and_min():
    x = ms.Tensor(2.5)
    for op in ("sum", "max", "min", "prod"):
        y = ops.AllReduce(op)(x)
        assert y.shape == () and y.asnumpy().item() == 2.5, op
        assert ms.grad(lambda t, op=op: ops.AllReduce(op)(t) * 3.0)(x).shape == (), op
    flags = ms.Tensor([True, False])
    for op in ("max", "min"):
        y = ops.AllReduce(op)(flags)
        assert y.dtype == ms.bool_ and y.asnumpy().tolist() == [True, False], op


def test_errors():
    with pytest.raises(ValueError, match=r"'op' must be one of \['sum', 'max', 'min', 'prod'\], but got 'mean'"):
        ops.AllReduce("mean")
    with pytest.raises(TypeError, match="'op' must be a str"):
        ops.AllReduce(1)
    with pytest.raises(TypeError, match="input must be a Tensor"):
        ops.AllReduce()([1.0])
    with pytest.raises(TypeError, match="a Bool tensor cannot be reduced with 'sum'"):
        ops.AllReduce()(ms.Tensor([True]))
    with pytest.raises(ValueError, match="at least one dimension"):
        ops.AllGather()(ms.Tensor(1.0))
    with pytest.raises(TypeError, match="must be a tuple of Tensors"):
        ops.Broadcast(0)(ms.Tensor([1.0]))
    with pytest.raises(ValueError, match="'root_rank' must be < the group size 1, but got 1"):
        ops.Broadcast(1)((ms.Tensor([1.0]),))
    with pytest.raises(TypeError, match="'root_rank' must be an int"):
        ops.Broadcast(True)
    release()
    with pytest.raises(RuntimeError, match="Distributed Communication has not been inited"):
        ops.AllReduce()(ms.Tensor([1.0]))


WORLDS = ("mccl_world_group", "nccl_world_group", "hccl_world_group")
tensors = st.one_of(st.lists(st.floats(-1, 1, width=32), max_size=3).map(lambda v: ms.Tensor(np.float32(v))),
                    st.floats(-1, 1, width=32).map(ms.Tensor), st.just(ms.Tensor([True])))
junk = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=4),
                 st.lists(st.floats(-1, 1), max_size=3), st.tuples(st.integers()), st.sampled_from(WORLDS),
                 st.sampled_from(["sum", "max", "min", "prod", "mean"]), tensors, st.tuples(tensors, tensors))


def _tensor(v):
    return isinstance(v, ms.Tensor)


def _tensor_tuple(v):
    return type(v) is tuple and all(_tensor(t) for t in v)


def _same_values(got, want):
    return got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got.asnumpy(), want.asnumpy())


# In a world of one, each op returns its input; what each call accepts, from MindSpore's documentation.
CALLS = [
    ("AllReduce(a)(x)", lambda a, b: ops.AllReduce(a)(ms.Tensor([1.0])),
     lambda a, b: type(a) is str and a in ("sum", "max", "min", "prod"), lambda a, b: ms.Tensor([1.0])),
    ("AllReduce('sum', a)(b)", lambda a, b: ops.AllReduce("sum", a)(b),
     lambda a, b: type(a) is str and a in WORLDS and _tensor(b) and b.dtype != ms.bool_, lambda a, b: b),
    ("AllReduce('max')(b)", lambda a, b: ops.AllReduce("max")(b), lambda a, b: _tensor(b), lambda a, b: b),
    ("AllGather(a)(b)", lambda a, b: ops.AllGather(a)(b), lambda a, b: type(a) is str and a in WORLDS and _tensor(b) and b.ndim >= 1,
     lambda a, b: b),
    ("AllGather()(b)", lambda a, b: ops.AllGather()(b), lambda a, b: _tensor(b) and b.ndim >= 1, lambda a, b: b),
    ("Broadcast(a)(b)", lambda a, b: ops.Broadcast(a)(b), lambda a, b: type(a) is int and a == 0 and _tensor_tuple(b),
     lambda a, b: b),
    ("Broadcast(0)(b)", lambda a, b: ops.Broadcast(0)(b), lambda a, b: _tensor_tuple(b), lambda a, b: b),
]


@settings(max_examples=150, deadline=None)
@given(junk, junk)
def test_bad_input_only_raises_clear_errors(a, b):
    for name, call, accepts, expected in CALLS:
        try:
            got = call(a, b)
        except (TypeError, ValueError, RuntimeError) as error:
            assert not accepts(a, b), f"{name} refused a={a!r}, b={b!r}: {error}"
        else:
            assert accepts(a, b), f"{name} accepted a={a!r}, b={b!r}"
            want = expected(a, b)
            if isinstance(want, tuple):
                assert type(got) is tuple and len(got) == len(want)
                assert all(_same_values(g, w) for g, w in zip(got, want)), name
            else:
                assert _same_values(got, want), name
