"""Tensors, Parameter, initializers, layers, activations, losses and autograd on gpu(0) equal cpu(0)."""

import numpy as np
import pytest

import sporelab as ms
from sporelab import Parameter, Tensor, gluon, nn
from sporelab.common._base import _INITIALIZER_ALIAS
from sporelab.common.initializer import initializer

_X = np.random.default_rng(3).standard_normal((2, 3, 9, 11)).astype(np.float32)


def test_tensor_operators_reductions_indexing_and_casts(both):
    def run():
        a = Tensor(np.arange(12, dtype=np.float32).reshape(3, 4))
        b = Tensor(np.linspace(-1, 1, 12, dtype=np.float32).reshape(3, 4))
        return [a + b, a - 1, 2 * a, a / (b + 3), a ** 2, a @ b.T, a % 3, a // 2, -a, abs(b),
                (a > 5), a.sum(), a.mean(axis=0), a.max(axis=1, keepdims=True), a.min(), a.any(),
                a[1], a[:, 1:3], a[Tensor(np.array([2, 0]))], a.reshape(4, 3), a.T, a.flatten(),
                a.astype(ms.int32), b.exp(), (a + 1).log(), a.sqrt(), b.square(), a.expand_dims(0),
                a.squeeze(), a + [1.0, 2.0, 3.0, 4.0], a * np.float32(3)]
    both.assert_same(both.on_each(run))


def test_printing_a_gpu_tensor_prints_its_values(on_gpu):
    t = Tensor(np.arange(6).reshape((2, 3)))
    assert t.device == on_gpu
    assert repr(t) == "Tensor(shape=[2, 3], dtype=Int64, value=\n[[0, 1, 2],\n [3, 4, 5]])"
    assert str(t * 2.5) == "[[ 0.   2.5  5. ]\n [ 7.5 10.  12.5]]"
    assert str(Parameter(Tensor([1.0, 2.0]), name="w")) == "Parameter (name=w, shape=(2,), dtype=Float32, requires_grad=True)"
    assert float(t.sum()) == 15.0 and t[1, 2].item() == 5 and t.tolist() == [[0, 1, 2], [3, 4, 5]]
    assert type(np.asarray(t)) is np.ndarray          # a Tensor converts on purpose, through to_host


def test_tensor_setitem_and_moves_between_devices(on_gpu):
    t = Tensor(np.zeros((2, 2), np.float32))
    t[0] = Tensor([1.0, 2.0])
    t[1, 1] = 5.0
    np.testing.assert_array_equal(t.asnumpy(), [[1, 2], [0, 5]])
    back = t.to(ms.cpu(0))
    assert back.device == ms.cpu(0) and type(back._data) is np.ndarray
    with pytest.raises(RuntimeError, match="different devices"):
        t + back


def test_parameter_set_data_clone_and_lazy_init(both):
    def run():
        p = Parameter(initializer("normal", [3, 4], ms.float32), name="p")
        q = p.clone()
        p.set_data(Tensor(np.ones((3, 4), np.float32)))
        lazy = initializer("ones", [2, 2], ms.float32)
        return [p, q, lazy.init_data(), Parameter(Tensor([1.0, 2.0])) * 3]
    both.assert_same(both.on_each(run), exact=True)


@pytest.mark.parametrize("name", sorted({cls.__name__ for cls in _INITIALIZER_ALIAS.values()}))
def test_every_mindspore_initializer_is_bitwise_the_same_after_the_same_seed(name, both):
    shape = [8, 8, 3, 3] if name != "Identity" else [6, 6]
    init = _INITIALIZER_ALIAS[name.lower()](sparsity=0.5) if name == "Sparse" else name.lower()
    shape = [12, 10] if name == "Sparse" else shape
    both.assert_same(both.on_each(lambda: initializer(init, shape, ms.float32), seed=11), exact=True)


@pytest.mark.parametrize("name", ["zeros", "ones", "uniform", "normal", "xavier", "msraprelu", "orthogonal",
                                  "bilinear"])
def test_every_gluon_initializer_is_bitwise_the_same_after_the_same_seed(name, both):
    def run():
        p = gluon.Parameter("w", shape=(4, 4, 3, 3), init=name)
        p.initialize(ctx=ms.current_context())
        return p.data()
    both.assert_same(both.on_each(run, seed=5), exact=True)


def test_dense_activations_and_losses_forward_and_backward(both):
    def run():
        net = nn.SequentialCell([nn.Dense(6, 5), nn.Tanh(), nn.Dense(5, 4), nn.Sigmoid(), nn.Dense(4, 3),
                                 nn.ReLU()])
        x = Tensor(np.random.default_rng(1).standard_normal((7, 6)).astype(np.float32))
        labels = Tensor(np.array([0, 1, 2, 0, 1, 2, 0], np.int32))
        losses = [nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean"), nn.MSELoss(), nn.L1Loss()]
        out = []
        for loss_fn in losses:
            target = labels if isinstance(loss_fn, nn.SoftmaxCrossEntropyWithLogits) else \
                Tensor(np.ones((7, 3), np.float32))
            value, grads = ms.value_and_grad(lambda x, loss_fn=loss_fn, target=target: loss_fn(net(x), target), 0, net.trainable_params())(x)
            out += [value, *grads[0:1], *grads[1]]
        return out
    both.assert_same(both.on_each(run), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("mode, padding, stride, dilation, group, bias", [
    ("same", 0, 1, 1, 1, False), ("same", 0, 2, 1, 1, True), ("valid", 0, 1, 2, 1, True),
    ("valid", 0, (2, 1), 1, 3, False), ("pad", 1, 1, 1, 1, True), ("pad", (0, 1, 2, 1), 2, (1, 2), 3, True),
    ("same", 0, 3, 2, 3, False)])
def test_conv2d_every_mode_forward_and_gradients(mode, padding, stride, dilation, group, bias, both, gpu_backend):
    from sporelab.ops import conv_cuda
    gpu_xp = ms.device.array_module(ms.gpu(0))
    assert conv_cuda.available(gpu_xp, np.float32) or (gpu_backend == "strict" and not hasattr(gpu_xp, "RawModule"))
    def run():
        conv = nn.Conv2d(3, 6, (3, 2), stride=stride, pad_mode=mode, padding=padding, dilation=dilation,
                         group=group, has_bias=bias, weight_init="he_uniform",
                         bias_init="normal" if bias else "zeros")
        x = Tensor(_X)
        out = conv(x)
        grads = ms.grad(lambda x: (conv(x) ** 2).sum(), 0, conv.trainable_params())(x)
        return [out, grads[0], *grads[1]]
    both.assert_same(both.on_each(run), rtol=1e-5, atol=1e-5)


def test_autograd_record_backward_and_attach_grad(both):
    from sporelab import autograd

    def run():
        w = Tensor(np.array([0.5, -1.5, 2.0], np.float32))
        w.attach_grad()
        with autograd.record():
            y = ((w * w).sum() + (w.exp() * 2).mean()) * Tensor(3.0)
        y.backward()
        acc = Tensor(np.ones(3, np.float32))
        acc.attach_grad("add")
        for _ in range(2):
            with autograd.record():
                z = (acc * w).sum()
            z.backward()
        return [y, w.grad, acc.grad]
    both.assert_same(both.on_each(run), rtol=1e-6)


def test_setitem_moves_host_values_and_other_devices_explicitly(on_gpu):
    t = Tensor(np.zeros((2, 3), np.float32))
    t[0] = np.array([1.0, 2.0, 3.0])
    t[1] = [4.0, 5.0, 6.0]
    t[1, 0] = Tensor(7.0).to(ms.cpu(0))
    np.testing.assert_array_equal(t.asnumpy(), [[1, 2, 3], [7, 5, 6]])
    assert not isinstance(t._array, np.ndarray)


def test_an_optimizer_refuses_gradients_from_another_device(on_gpu):
    net = nn.Dense(2, 1)
    grads = tuple(Tensor(np.ones(p.shape, np.float32)).to(ms.cpu(0)) for p in net.trainable_params())
    before = [p.asnumpy() for p in net.trainable_params()]
    with pytest.raises(ValueError, match="is on cpu\\(0\\) but the parameter is on gpu\\(0\\)"):
        nn.SGD(net.trainable_params(), 0.1)(grads)
    assert all(np.array_equal(b, p.asnumpy()) for b, p in zip(before, net.trainable_params()))


@pytest.mark.parametrize("out_channels, group", [(16, 1), (18, 3)])
def test_conv2d_with_many_output_channels(out_channels, group, both):
    def run():
        conv = nn.Conv2d(3, out_channels, 3, group=group, has_bias=True, weight_init="he_uniform", bias_init="normal")
        x = Tensor(_X)
        grads = ms.grad(lambda x: (conv(x) ** 2).sum(), 0, conv.trainable_params())(x)
        return [conv(x), grads[0], *grads[1]]
    both.assert_same(both.on_each(run), rtol=1e-5, atol=1e-5)
