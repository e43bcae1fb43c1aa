import numpy as np
import pytest
from tests._requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import Tensor, autograd
from sporelab.gradcheck import numerical_grad


def rand(*shape, seed=0, positive=False):
    rng = np.random.default_rng(seed + sum(shape))
    values = rng.standard_normal(shape)
    return Tensor(np.abs(values) + 0.5 if positive else values)


BINARY = {
    "add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "rsub": lambda a, b: 2.0 - a * b,
}
SHAPES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((2, 1, 4), (3, 1)), ((), (2, 3))]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shapes", SHAPES)
def test_binary_ops_match_finite_differences_with_broadcasting(name, shapes):
    a, b = rand(*shapes[0], positive=True), rand(*shapes[1], seed=1, positive=True)
    ga, gb = ms.grad(lambda a, b: BINARY[name](a, b).sum(), grad_position=(0, 1))(a, b)
    assert ga.shape == a.shape and gb.shape == b.shape
    np.testing.assert_allclose(ga.asnumpy(), numerical_grad(BINARY[name], [a, b], 0), rtol=1e-4, atol=1e-7)
    np.testing.assert_allclose(gb.asnumpy(), numerical_grad(BINARY[name], [a, b], 1), rtol=1e-4, atol=1e-7)


UNARY = {
    "neg": lambda x: -x, "abs": abs, "exp": lambda x: x.exp(), "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(), "square": lambda x: x.square(),
    "reshape": lambda x: x.reshape(4, 3) * rand(4, 3, seed=5), "transpose": lambda x: x.T * rand(4, 3, seed=6),
    "getitem": lambda x: x[1:, ::2] * 3.0, "sum_axis": lambda x: x.sum(axis=0) ** 2,
    "mean": lambda x: x.mean(axis=1, keepdims=True) * x, "max": lambda x: x.max(axis=1) * 2.0,
    "min": lambda x: x.min(), "astype": lambda x: x.astype(ms.float64) * 2.0,
    "matmul_vec": lambda x: x @ rand(4, seed=7), "vec_matmul": lambda x: rand(3, seed=8) @ x,
}


@pytest.mark.parametrize("name", UNARY)
def test_unary_and_shape_ops_match_finite_differences(name):
    x = rand(3, 4, positive=name in ("log", "sqrt"))
    g = ms.grad(lambda x: UNARY[name](x).sum())(x)
    np.testing.assert_allclose(g.asnumpy(), numerical_grad(UNARY[name], [x], 0, eps=1e-6), rtol=1e-4, atol=1e-6)


def test_matmul_and_batched_matmul_match_torch():
    torch = require("torch")
    a, b = rand(2, 3, 4), rand(4, 5, seed=3)
    ga, gb = ms.grad(lambda a, b: ((a @ b) ** 2).mean(), grad_position=(0, 1))(a, b)
    ta = torch.tensor(a.asnumpy(), requires_grad=True)
    tb = torch.tensor(b.asnumpy(), requires_grad=True)
    ((ta @ tb) ** 2).mean().backward()
    np.testing.assert_allclose(ga.asnumpy(), ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(gb.asnumpy(), tb.grad.numpy(), rtol=1e-10)


def test_grad_result_forms_follow_mindspore():
    w = ms.Parameter(Tensor([3.0]), name="w")
    frozen = ms.Parameter(Tensor([1.0]), name="frozen", requires_grad=False)
    f = lambda x: (w * x * frozen).sum()
    x = Tensor([2.0])
    assert isinstance(ms.grad(f)(x), Tensor)
    assert len(ms.grad(f, grad_position=(0,))(x)) == 1
    weights_only = ms.grad(f, grad_position=None, weights=[w, frozen])(x)
    assert weights_only[0].asnumpy().tolist() == [2.0] and weights_only[1] is None
    inputs, weights = ms.grad(f, grad_position=0, weights=w)(x)
    assert inputs.asnumpy().tolist() == [3.0] and weights[0].asnumpy().tolist() == [2.0]
    value, g = ms.value_and_grad(f)(x)
    assert value.asnumpy() == 6.0 and g.asnumpy().tolist() == [3.0]


def test_has_aux_differentiates_the_first_output_only():
    f = lambda x: ((x * x).sum(), x * 10.0)
    g, aux = ms.grad(f, has_aux=True)(Tensor([1.0, 2.0]))
    assert g.asnumpy().tolist() == [2.0, 4.0] and aux[0].asnumpy().tolist() == [10.0, 20.0]
    (loss, extra), g2 = ms.value_and_grad(f, has_aux=True)(Tensor([1.0, 2.0]))
    assert loss.asnumpy() == 5.0 and g2.asnumpy().tolist() == [2.0, 4.0]


def test_unused_input_gets_zeros_and_identity_gets_ones():
    assert ms.grad(lambda x, y: (x * 2.0).sum(), grad_position=1)(Tensor([1.0]), Tensor([4.0, 5.0])).asnumpy().tolist() == [0, 0]
    assert ms.grad(lambda x: x)(Tensor([1.0, 2.0])).asnumpy().tolist() == [1, 1]


def test_non_scalar_output_uses_a_head_gradient_of_ones():
    g = ms.grad(lambda x: x * 3.0)(Tensor([1.0, 2.0]))
    assert g.asnumpy().tolist() == [3.0, 3.0]


def test_a_tensor_used_twice_sums_its_gradients():
    g = ms.grad(lambda x: (x * x + x).sum())(Tensor([1.0, 2.0]))
    assert g.asnumpy().tolist() == [3.0, 5.0]


def test_nothing_is_recorded_outside_a_context():
    x = Tensor([1.0])
    y = x * 2.0
    assert y._node is None
    with pytest.raises(RuntimeError, match="record"):
        y.backward()


def test_gluon_record_write_add_null():
    w = Tensor([2.0]).attach_grad("write")
    a = Tensor([1.0]).attach_grad("add")
    n = Tensor([5.0]).attach_grad("null")
    for _ in range(2):
        with autograd.record():
            loss = (w * w + a * 3.0 + n).sum()
        loss.backward()
    assert w.grad.asnumpy().tolist() == [4.0]
    assert a.grad.asnumpy().tolist() == [6.0]
    assert n.grad is None
    assert autograd.is_recording() is False


def test_record_pause_and_training_flags():
    with autograd.record():
        assert autograd.is_recording() and autograd.is_training()
        with autograd.pause():
            assert not autograd.is_recording()
    with autograd.record(train_mode=False):
        assert not autograd.is_training()


def test_backward_with_head_gradient_and_graph_release():
    w = Tensor([1.0, 2.0]).attach_grad()
    with autograd.record():
        y = w * w
    y.backward(Tensor([1.0, 10.0]))
    assert w.grad.asnumpy().tolist() == [2.0, 40.0]
    with pytest.raises(RuntimeError):
        y.backward()
    with autograd.record():
        z = w * 3.0
    with pytest.raises(ValueError, match="'head_grad'"):
        z.backward(Tensor([1.0]))


@pytest.mark.parametrize("kwargs, error, word", [
    ({"fn": 3}, TypeError, "'fn'"),
    ({"grad_position": "0"}, TypeError, "'grad_position'"),
    ({"grad_position": -1}, ValueError, "'grad_position'"),
    ({"grad_position": ()}, ValueError, "'grad_position'"),
    ({"grad_position": None}, ValueError, "cannot both be None"),
    ({"weights": [1.0]}, TypeError, "'weights'"),
    ({"weights": "w"}, TypeError, "'weights'"),
    ({"has_aux": 1}, TypeError, "'has_aux'"),
])
def test_grad_rejects_bad_arguments(kwargs, error, word):
    args = {"fn": lambda x: x.sum(), **kwargs}
    with pytest.raises(error, match=word):
        ms.grad(args.pop("fn"), **args)


def test_grad_rejects_bad_calls():
    with pytest.raises(ValueError, match="out of range"):
        ms.grad(lambda x: x.sum(), grad_position=2)(Tensor([1.0]))
    with pytest.raises(TypeError, match="must be a Tensor"):
        ms.grad(lambda x: x * 2, grad_position=0)(3.0)
    with pytest.raises(TypeError, match="return a Tensor"):
        ms.grad(lambda x: 1.0)(Tensor([1.0]))


@settings(max_examples=50, deadline=None)
@given(st.one_of(st.none(), st.integers(-3, 5), st.text(max_size=2), st.tuples(st.integers(-1, 3)),
                 st.lists(st.integers(0, 2), max_size=2), st.floats(allow_nan=False), st.booleans()),
       st.one_of(st.none(), st.booleans(), st.integers(), st.lists(st.floats(allow_nan=False), max_size=2)))
def test_grad_bad_input_only_teaching_errors(position, weights):
    try:
        ms.grad(lambda x, y: (x * y).sum(), grad_position=position, weights=weights)(Tensor([1.0]), Tensor([2.0]))
    except (TypeError, ValueError) as error:
        assert any(w in str(error) for w in ("grad_position", "weights", "Tensor"))


TORCH_BINARY = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
                "div": lambda a, b: a / b, "pow": lambda a, b: a ** b, "rsub": lambda a, b: 2.0 - a * b}
TORCH_UNARY = {
    "neg": lambda x: -x, "abs": abs, "exp": lambda x: x.exp(), "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(), "square": lambda x: x.square(),
    "sum_axis": lambda x: x.sum(axis=0) ** 2, "mean": lambda x: x.mean(axis=1, keepdims=True) * x,
    "max": lambda x: x.max(axis=1) * 2.0, "min": lambda x: x.min(),
}


@pytest.mark.parametrize("name", TORCH_BINARY)
@pytest.mark.parametrize("shapes", SHAPES)
def test_binary_op_gradients_match_torch(name, shapes):
    torch = require("torch")
    a, b = rand(*shapes[0], positive=True), rand(*shapes[1], seed=1, positive=True)
    ga, gb = ms.grad(lambda a, b: BINARY[name](a, b).sum(), grad_position=(0, 1))(a, b)
    ta = torch.tensor(a.asnumpy(), requires_grad=True)
    tb = torch.tensor(b.asnumpy(), requires_grad=True)
    TORCH_BINARY[name](ta, tb).sum().backward()
    np.testing.assert_allclose(ga.asnumpy(), ta.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(gb.asnumpy(), tb.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("name", TORCH_UNARY)
def test_unary_op_gradients_match_torch(name):
    torch = require("torch")
    x = rand(3, 4, positive=name in ("log", "sqrt"))
    g = ms.grad(lambda x: UNARY[name](x).sum())(x)
    tx = torch.tensor(x.asnumpy(), requires_grad=True)
    torch_fn = {"sum_axis": lambda t: t.sum(dim=0) ** 2, "mean": lambda t: t.mean(dim=1, keepdim=True) * t,
                "max": lambda t: t.amax(dim=1) * 2.0, "min": lambda t: t.amin()}.get(name, TORCH_UNARY[name])
    torch_fn(tx).sum().backward()
    np.testing.assert_allclose(g.asnumpy(), tx.grad.numpy(), rtol=1e-10)


_TIED = np.array([[[3.0, 1.0, 3.0, 3.0], [-2.0, -2.0, 0.5, -2.0], [7.0, 7.0, 7.0, 7.0]],
                  [[1.0, 1.0, 1.0, 1.0], [0.5, 0.5, 0.5, -1.0], [4.0, -3.0, 4.0, -3.0]]])


@pytest.mark.parametrize("name", ["max", "min"])
@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), (2, False), (-1, True),
                                            ((0, 2), False), ((1, 2), True)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_min_gradients_share_ties_equally_as_torch(name, axis, keepdims, dtype):
    """Each tie gets an equal share (1/2, 1/3, 1/4 ...) of its output's gradient, as torch's
    amax/amin and MindSpore's ReduceMax/ReduceMin grads; the upstream gradient is not uniform."""
    torch = require("torch")
    x = Tensor(_TIED.astype(dtype))
    out_shape = getattr(_TIED, name)(axis=axis, keepdims=keepdims).shape
    weights = np.arange(1.0, 1.0 + int(np.prod(out_shape))).reshape(out_shape).astype(dtype)
    g = ms.grad(lambda x: (getattr(x, name)(axis=axis, keepdims=keepdims) * Tensor(weights)).sum())(x)
    tx = torch.tensor(_TIED.astype(dtype), requires_grad=True)
    reduce = torch.amax if name == "max" else torch.amin
    dim = tuple(range(tx.ndim)) if axis is None else axis
    (reduce(tx, dim=dim, keepdim=keepdims) * torch.tensor(weights)).sum().backward()
    assert g.dtype == x.dtype
    np.testing.assert_allclose(g.asnumpy(), tx.grad.numpy(), rtol=1e-6 if dtype == np.float32 else 1e-12)


def test_max_gradient_with_ties_by_hand():
    g = ms.grad(lambda x: x.max() * 6.0)(Tensor(np.array([1.0, 5.0, 5.0, 5.0, 2.0])))
    assert g.asnumpy().tolist() == [0.0, 2.0, 2.0, 2.0, 0.0]
    g = ms.grad(lambda x: x.min(axis=1).sum())(Tensor(np.array([[0.0, 0.0], [1.0, 2.0]])))
    assert g.asnumpy().tolist() == [[0.5, 0.5], [1.0, 0.0]]
