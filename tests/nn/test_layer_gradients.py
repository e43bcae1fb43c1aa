"""Every layer's gradient against finite differences and against PyTorch (same inputs and weights),
to 1e-4 relative (float64, so the finite differences are accurate)."""

import numpy as np
import pytest
from tests._requires import require

import sporelab as ms
from sporelab import Tensor, nn
from sporelab.gradcheck import numerical_grad
from sporelab.ops.conv import conv2d_pads

torch = require("torch")


def _rand(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape)


def _set(param, array):
    param.set_dtype(ms.float64).set_data(Tensor(array))


def _check(net, x, reference):
    """Gradients of sum(net(x)**2) for the input and every parameter, against torch and FD."""
    params = net.trainable_params()
    loss = lambda inp: (net(inp) ** 2).sum()
    (gx,), gw = ms.grad(loss, grad_position=(0,), weights=params)(Tensor(x))
    tx = torch.tensor(x, requires_grad=True)
    tparams = [torch.tensor(p.asnumpy(), requires_grad=True) for p in params]
    (reference(tx, *tparams) ** 2).sum().backward()
    np.testing.assert_allclose(gx.asnumpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-8)
    for ours, theirs in zip(gw, tparams):
        np.testing.assert_allclose(ours.asnumpy(), theirs.grad.numpy(), rtol=1e-4, atol=1e-8)
    np.testing.assert_allclose(gx.asnumpy(), numerical_grad(loss, [Tensor(x)], 0), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("activation, torch_fn", [(None, lambda t: t), ("relu", torch.relu),
                                                  ("sigmoid", torch.sigmoid), ("tanh", torch.tanh)])
def test_dense_with_each_activation(activation, torch_fn):
    net = nn.Dense(5, 3, activation=activation)
    _set(net.weight, _rand((3, 5), 1))
    _set(net.bias, _rand((3,), 2))
    _check(net, _rand((4, 5), 3), lambda x, w, b: torch_fn(x @ w.T + b))


CONV_CASES = [
    dict(pad_mode="same", stride=1, dilation=1, group=1, kernel_size=3),
    dict(pad_mode="same", stride=2, dilation=1, group=2, kernel_size=(3, 2)),
    dict(pad_mode="valid", stride=(2, 1), dilation=2, group=1, kernel_size=3),
    dict(pad_mode="pad", padding=1, stride=1, dilation=1, group=4, kernel_size=3),
    dict(pad_mode="pad", padding=(0, 2, 1, 3), stride=3, dilation=(1, 2), group=2, kernel_size=2),
    dict(pad_mode="same", stride=1, dilation=1, group=4, kernel_size=3),    # depthwise
]


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
@pytest.mark.parametrize("has_bias", [False, True])
def test_conv2d_every_mode(case, has_bias):
    net = nn.Conv2d(4, 4, has_bias=has_bias, **case)
    _set(net.weight, _rand(net.weight.shape, 4))
    if has_bias:
        _set(net.bias, _rand((4,), 5))
    x = _rand((2, 4, 7, 6), 6)
    padding = net.padding if isinstance(net.padding, tuple) else (net.padding,) * 4
    pads = conv2d_pads(x.shape[2:], net.kernel_size, net.stride, net.dilation, net.pad_mode, padding)

    def reference(tx, tw, tb=None):
        padded = torch.nn.functional.pad(tx, (pads[2], pads[3], pads[0], pads[1]))
        return torch.nn.functional.conv2d(padded, tw, tb, stride=net.stride, dilation=net.dilation, groups=net.group)
    _check(net, x, reference)


def test_sequential_conv_flatten_dense():
    net = nn.SequentialCell([nn.Conv2d(1, 2, 3, has_bias=True), nn.ReLU(), nn.Flatten(), nn.Dense(2 * 5 * 5, 3), nn.Tanh()])
    for i, p in enumerate(net.trainable_params()):
        _set(p, _rand(p.shape, 10 + i))
    w1, b1, w2, b2 = (p for p in net.trainable_params())
    reference = lambda x, w1, b1, w2, b2: torch.tanh(
        torch.relu(torch.nn.functional.conv2d(torch.nn.functional.pad(x, (1, 1, 1, 1)), w1, b1)).flatten(1) @ w2.T + b2)
    _check(net, _rand((2, 1, 5, 5), 20), reference)


def test_frozen_parameters_get_no_gradient_and_stop_nothing():
    net = nn.Dense(2, 2)
    net.weight.requires_grad = False
    gw = ms.grad(lambda x: net(x).sum(), grad_position=None, weights=net.get_parameters())(Tensor(np.ones((1, 2), np.float32)))
    assert gw[0] is None and gw[1].asnumpy().tolist() == [1.0, 1.0]
