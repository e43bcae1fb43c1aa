"""The engine on gpu(0): real CuPy on a GPU machine (`pytest -m gpu`), the strict stand-in elsewhere."""

import numpy as np
import pytest

import sporelab as ms
from sporelab import Tensor, nn
from sporelab.common.initializer import initializer

pytestmark = pytest.mark.gpu


def test_tensors_live_on_the_gpu_and_come_back_as_numpy(on_gpu):
    t = Tensor(np.arange(6, dtype=np.float32).reshape(2, 3))
    assert t.device == on_gpu
    out = (t * 2 + 1) @ t.T
    assert type(out.asnumpy()) is np.ndarray
    np.testing.assert_allclose(out.asnumpy(), (np.arange(6).reshape(2, 3) * 2 + 1) @ np.arange(6).reshape(2, 3).T)


def test_same_seed_gives_bitwise_identical_values_on_cpu_and_gpu(on_gpu):
    names = ["normal", "truncatednormal", "he_uniform", "xavier_normal", "orthogonal"]
    ms.set_seed(11)
    gpu_values = [initializer(n, [16, 8, 3, 3], ms.float32).asnumpy() for n in names]
    ms.set_context(device_target="CPU")
    ms.set_seed(11)
    cpu_values = [initializer(n, [16, 8, 3, 3], ms.float32).asnumpy() for n in names]
    for a, b in zip(gpu_values, cpu_values):
        assert np.array_equal(a, b)


def test_dense_and_conv2d_match_the_cpu(on_gpu):
    ms.set_seed(2)
    x = np.random.default_rng(0).standard_normal((2, 3, 16, 50)).astype(np.float32)
    net = nn.SequentialCell([nn.Conv2d(3, 8, 3, has_bias=True), nn.ReLU(), nn.Flatten(), nn.Dense(8 * 16 * 50, 4)])
    gpu_out = net(Tensor(x)).asnumpy()
    ms.set_context(device_target="CPU")
    ms.set_seed(2)
    net_cpu = nn.SequentialCell([nn.Conv2d(3, 8, 3, has_bias=True), nn.ReLU(), nn.Flatten(), nn.Dense(8 * 16 * 50, 4)])
    np.testing.assert_allclose(gpu_out, net_cpu(Tensor(x)).asnumpy(), rtol=1e-4, atol=1e-5)


def test_gradients_and_an_optimizer_step_on_the_gpu(on_gpu):
    net = nn.Dense(4, 2)
    x = Tensor(np.ones((3, 4), np.float32))
    grads = ms.grad(lambda x: (net(x) ** 2).sum(), grad_position=None, weights=net.trainable_params())(x)
    assert all(g.device == on_gpu for g in grads)
    before = net.weight.asnumpy()
    nn.SGD(net.trainable_params(), 0.1)(grads)
    assert not np.array_equal(before, net.weight.asnumpy())


def test_moving_between_cpu_and_gpu():
    t = Tensor([1.0, 2.0])
    g = t.to(ms.gpu(0))
    assert g.device == ms.gpu(0) and g.to(ms.cpu(1)).device == ms.cpu(1)
    np.testing.assert_array_equal(g.asnumpy(), [1.0, 2.0])
