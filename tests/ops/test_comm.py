"""AllReduce / AllGather / Broadcast in one process (a world of size 1): values, gradients, checks.
Across ranks they are tested under mpiexec in tests/distributed/."""

import numpy as np
import pytest
from _requires import require
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
        g = ms.grad(lambda t: (op(t) * ms.Tensor([1.0, 2.0, 3.0])).sum())(x)
        assert g.asnumpy().tolist() == [1.0, 2.0, 3.0], op
    (y,) = ops.Broadcast(0)((x,))
    assert y.asnumpy().tolist() == [1.0, -2.0, 3.0]
    assert ms.grad(lambda t: (ops.Broadcast(0)((t,))[0] * 2).sum())(x).asnumpy().tolist() == [2.0] * 3


def test_dtypes_are_kept():
    assert ops.AllReduce()(ms.Tensor(np.arange(3))).dtype == ms.int64
    assert ops.AllReduce()(ms.Tensor(np.ones(2, np.float16))).dtype == ms.float16
    assert ops.AllGather()(ms.Tensor(np.ones((2, 2)))).shape == (2, 2)


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


junk = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=4),
                 st.lists(st.floats(-1, 1), max_size=3), st.tuples(st.integers()))


@settings(max_examples=80, deadline=None)
@given(junk, junk)
def test_bad_input_only_raises_clear_errors(a, b):
    for call in (lambda: ops.AllReduce(a)(ms.Tensor([1.0])), lambda: ops.AllReduce("sum", a)(b),
                 lambda: ops.AllGather(a)(b), lambda: ops.AllGather()(b), lambda: ops.Broadcast(a)(b),
                 lambda: ops.Broadcast(0)(b)):
        try:
            call()
        except (TypeError, ValueError, RuntimeError):
            pass
