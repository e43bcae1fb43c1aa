import numpy as np
import pytest
from tests._requires import require
from hypothesis import given, settings, strategies as st

from sporelab import Parameter, Tensor
from sporelab.nn.optim import SGD, Adam, Momentum

torch = require("torch")


def _pair(seed=0, shape=(3, 4)):
    rng = np.random.default_rng(seed)
    w0 = rng.standard_normal(shape).astype(np.float32)
    grads = [rng.standard_normal(shape).astype(np.float32) for _ in range(5)]
    return w0, grads


def _run_ours(make, w0, grads):
    w = Parameter(Tensor(w0.copy()), name="w")
    opt = make([w])
    for g in grads:
        opt((Tensor(g),))
    return w.asnumpy()


def _run_torch(make, w0, grads):
    w = torch.nn.Parameter(torch.tensor(w0.copy()))
    opt = make([w])
    for g in grads:
        w.grad = torch.tensor(g)
        opt.step()
    return w.detach().numpy()


@pytest.mark.parametrize("ours, theirs", [
    (lambda p: SGD(p, 0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    (lambda p: SGD(p, 0.1, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    (lambda p: SGD(p, 0.05, momentum=0.9, dampening=0.1, weight_decay=0.01),
     lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    (lambda p: SGD(p, 0.1, momentum=0.8, nesterov=True), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.8, nesterov=True)),
    (lambda p: Momentum(p, 0.1, 0.9), lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)),
    (lambda p: Momentum(p, 0.1, 0.9, weight_decay=0.001, use_nesterov=True),
     lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.001, nesterov=True)),
    (lambda p: Adam(p, 0.01), lambda p: torch.optim.Adam(p, lr=0.01)),
    (lambda p: Adam(p, 0.01, beta1=0.8, beta2=0.99, weight_decay=0.01),
     lambda p: torch.optim.Adam(p, lr=0.01, betas=(0.8, 0.99), weight_decay=0.01)),
])
def test_steps_match_torch_optim(ours, theirs):
    w0, grads = _pair()
    np.testing.assert_allclose(_run_ours(ours, w0, grads), _run_torch(theirs, w0, grads), rtol=1e-5, atol=1e-6)


def test_parameter_groups_have_their_own_lr_and_weight_decay():
    a, b = Parameter(Tensor([1.0]), name="a"), Parameter(Tensor([1.0]), name="b")
    opt = SGD([{"params": [a], "lr": 0.5}, {"params": [b], "weight_decay": 1.0}], learning_rate=0.1)
    opt((Tensor([1.0]), Tensor([1.0])))
    assert a.asnumpy().tolist() == [0.5]
    np.testing.assert_allclose(b.asnumpy(), [1.0 - 0.1 * 2.0])
    assert [p.name for p in opt.parameters] == ["a", "b"]


def test_order_params_reorders():
    a, b = Parameter(Tensor([1.0]), name="a"), Parameter(Tensor([1.0]), name="b")
    opt = SGD([{"params": [a]}, {"params": [b], "lr": 1.0}, {"order_params": [b, a]}], learning_rate=0.1)
    assert [p.name for p in opt.parameters] == ["b", "a"]
    opt((Tensor([1.0]), Tensor([1.0])))
    assert b.asnumpy().tolist() == [0.0]


def test_none_gradient_leaves_a_parameter_alone():
    a, b = Parameter(Tensor([1.0]), name="a"), Parameter(Tensor([1.0]), name="b")
    SGD([a, b], 0.1)((None, Tensor([1.0])))
    assert a.asnumpy().tolist() == [1.0]


@pytest.mark.parametrize("call, error, word", [
    (lambda: SGD([], 0.1), ValueError, "'params'"),
    (lambda: SGD([1.0], 0.1), TypeError, "'params'"),
    (lambda: SGD("w", 0.1), TypeError, "'params'"),
    (lambda: SGD([Parameter(1.0)], -0.1), ValueError, "'learning_rate'"),
    (lambda: SGD([Parameter(1.0)], "0.1"), TypeError, "'learning_rate'"),
    (lambda: SGD([Parameter(1.0)], 0.1, nesterov=True), ValueError, "momentum"),
    (lambda: SGD([{"params": [Parameter(1.0)], "lr": 0.1, "betas": 1}], 0.1), ValueError, "betas"),
    (lambda: Adam([Parameter(1.0)], beta1=1.0), ValueError, "'beta1'"),
    (lambda: Adam([Parameter(1.0)], eps=0.0), ValueError, "'eps'"),
])
def test_bad_construction(call, error, word):
    with pytest.raises(error, match=word):
        call()


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.text(max_size=2), st.lists(st.one_of(st.none(), st.floats(allow_nan=False)), max_size=3),
                 st.tuples(st.builds(lambda n: Tensor(np.ones(n, np.float32)), st.integers(1, 3)))))
def test_bad_gradients_change_nothing(grads):
    w = Parameter(Tensor(np.ones(2, np.float32)), name="w")
    opt = Adam([w], 0.1)
    try:
        opt(grads)
    except (TypeError, ValueError) as error:
        assert "gradient" in str(error)
        assert w.asnumpy().tolist() == [1.0, 1.0] and opt._states == [None]


def _run_torch_adam_mindspore_form(w0, grads, lr, betas, eps, weight_decay):
    """torch.optim.Adam with MindSpore's (and MXNet's) epsilon: torch adds eps to
    sqrt(v) / sqrt(1 - beta2^t), MindSpore adds it to sqrt(v); torch's eps set to
    eps / sqrt(1 - beta2^t) before step t makes the two rules one."""
    w = torch.nn.Parameter(torch.tensor(w0.copy()))
    opt = torch.optim.Adam([w], lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
    for t, g in enumerate(grads, start=1):
        opt.param_groups[0]["eps"] = eps / (1.0 - betas[1] ** t) ** 0.5
        w.grad = torch.tensor(g)
        opt.step()
    return w.detach().numpy()


@pytest.mark.parametrize("scale", [1e-8, 1e-6, 1e-4, 1e-2, 1.0, 1e2, 1e3])
@pytest.mark.parametrize("eps, weight_decay", [(1e-8, 0.0), (1e-6, 0.0), (1e-8, 1e-3)])
def test_adam_matches_torch_for_gradients_from_1e_8_to_1e3(scale, eps, weight_decay):
    """Where epsilon sits matters only when sqrt(v) is near it: gradients of 1e-8 show it."""
    rng = np.random.default_rng(int(-np.log10(scale) * 10) + 100)
    w0 = rng.standard_normal((3, 4)).astype(np.float32)
    grads = [(scale * rng.standard_normal((3, 4))).astype(np.float32) for _ in range(6)]
    ours = _run_ours(lambda p: Adam(p, 0.01, eps=eps, weight_decay=weight_decay), w0, grads)
    theirs = _run_torch_adam_mindspore_form(w0, grads, 0.01, (0.9, 0.999), eps, weight_decay)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)


def test_adam_matches_torch_when_one_tensor_mixes_gradient_scales():
    rng = np.random.default_rng(7)
    w0 = rng.standard_normal((8, 8)).astype(np.float32)
    scales = 10.0 ** rng.integers(-8, 4, size=(8, 8))
    grads = [(scales * rng.standard_normal((8, 8))).astype(np.float32) for _ in range(6)]
    ours = _run_ours(lambda p: Adam(p, 0.01), w0, grads)
    theirs = _run_torch_adam_mindspore_form(w0, grads, 0.01, (0.9, 0.999), 1e-8, 0.0)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)
