import numpy as np
import pytest
from tests._requires import require

import sporelab as ms
from sporelab import Tensor
from sporelab.gradcheck import numerical_grad
from sporelab.nn.loss import L1Loss, MSELoss, SoftmaxCrossEntropyWithLogits

torch = require("torch")
F = torch.nn.functional


def _logits(n=4, c=5, seed=0):
    return np.random.default_rng(seed).standard_normal((n, c))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_and_l1_match_torch_values_and_gradients(reduction):
    x, y = _logits(), _logits(seed=1)
    for ours, theirs in ((MSELoss(reduction), F.mse_loss), (L1Loss(reduction), F.l1_loss)):
        value, g = ms.value_and_grad(lambda a, ours=ours: ours(a, Tensor(y)))(Tensor(x))
        tx = torch.tensor(x, requires_grad=True)
        expected = theirs(tx, torch.tensor(y), reduction=reduction)
        expected.sum().backward()
        np.testing.assert_allclose(value.asnumpy(), expected.detach().numpy(), rtol=1e-10)
        np.testing.assert_allclose(g.asnumpy(), tx.grad.numpy(), rtol=1e-10)


@pytest.mark.parametrize("sparse", [True, False])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_softmax_cross_entropy_matches_torch(sparse, reduction):
    x = _logits()
    classes = np.array([0, 4, 2, 2])
    labels = Tensor(classes.astype(np.int32)) if sparse else Tensor(np.eye(5)[classes])
    loss = SoftmaxCrossEntropyWithLogits(sparse=sparse, reduction=reduction)
    value, g = ms.value_and_grad(lambda a: loss(a, labels))(Tensor(x))
    tx = torch.tensor(x, requires_grad=True)
    expected = F.cross_entropy(tx, torch.tensor(classes), reduction=reduction)
    expected.sum().backward()
    np.testing.assert_allclose(value.asnumpy(), expected.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(g.asnumpy(), tx.grad.numpy(), rtol=1e-10)


def test_soft_labels_gradient_against_finite_differences():
    x, y = Tensor(_logits(2, 3)), Tensor(np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]]))
    loss = SoftmaxCrossEntropyWithLogits(reduction="sum")
    g = ms.grad(lambda a: loss(a, y))(x)
    np.testing.assert_allclose(g.asnumpy(), numerical_grad(lambda a: loss(a, y), [x], 0), rtol=1e-5)


def test_large_logits_are_stable():
    out = SoftmaxCrossEntropyWithLogits(sparse=True)(Tensor(np.array([[1000.0, 0.0]], np.float32)), Tensor([1], ms.int32))
    assert np.isfinite(out.asnumpy()).all() and abs(out.item() - 1000.0) < 1e-3


@pytest.mark.parametrize("call, error, word", [
    (lambda: MSELoss("avg"), ValueError, "'reduction'"),
    (lambda: SoftmaxCrossEntropyWithLogits(sparse=1), TypeError, "'sparse'"),
    (lambda: MSELoss()(Tensor([1.0]), Tensor([1.0, 2.0])), ValueError, "same shape"),
    (lambda: MSELoss()([1.0], Tensor([1.0])), TypeError, "'logits'"),
    (lambda: SoftmaxCrossEntropyWithLogits(sparse=True)(Tensor(np.zeros((2, 3))), Tensor([0, 3])), ValueError, "class index"),
    (lambda: SoftmaxCrossEntropyWithLogits(sparse=True)(Tensor(np.zeros((2, 3))), Tensor([0.0, 1.0])), TypeError, "'labels'"),
    (lambda: SoftmaxCrossEntropyWithLogits()(Tensor(np.zeros((2, 3))), Tensor(np.zeros((2, 2)))), ValueError, "'labels'"),
    (lambda: SoftmaxCrossEntropyWithLogits()(Tensor(np.zeros(3)), Tensor(np.zeros(3))), ValueError, "'logits'"),
])
def test_bad_input(call, error, word):
    with pytest.raises(error, match=word):
        call()


def test_repr():
    assert repr(SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")) == \
        "SoftmaxCrossEntropyWithLogits<sparse=True, reduction=mean>"
