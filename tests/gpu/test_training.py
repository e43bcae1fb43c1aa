"""Training on gpu(0) equals cpu(0): the optimizers, TrainOneStepCell, Gluon Parameter and Trainer on
[cpu(0), gpu(0)], checkpoints saved from a GPU network loaded into a CPU one; and no step copies
to the host."""

import contextlib

import numpy as np
import pytest

import sporelab as ms
from sporelab import Tensor, autograd, device, gluon, nn

_X = np.random.default_rng(7).standard_normal((16, 1, 12, 12)).astype(np.float32)
_Y = np.random.default_rng(8).integers(0, 2, 16).astype(np.int32)


@contextlib.contextmanager
def no_host_copies(monkeypatch):
    """Inside: any device -> host transfer of a GPU array fails the test."""
    real = device.to_host

    def refuse(array):
        if not isinstance(array, (np.ndarray, np.generic)):
            raise AssertionError("a training step copied a GPU array to the host")
        return real(array)
    with monkeypatch.context() as patch:
        patch.setattr(device, "to_host", refuse)
        yield


def _bars_net():
    return nn.SequentialCell([nn.Conv2d(1, 4, 3, has_bias=True, weight_init="he_uniform"), nn.ReLU(),
                              nn.Flatten(), nn.Dense(576, 2)])


@pytest.mark.parametrize("make_optimizer", [
    lambda p: nn.SGD(p, 0.1), lambda p: nn.SGD(p, 0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda p: nn.Momentum(p, 0.05, 0.9), lambda p: nn.Adam(p, 0.01, weight_decay=0.001)])
def test_optimizers_and_train_one_step_cell_on_the_gpu(make_optimizer, both, monkeypatch):
    def run():
        net = _bars_net()
        loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
        step = nn.TrainOneStepCell(nn.WithLossCell(net, loss), make_optimizer(net.trainable_params()))
        x, y = Tensor(_X), Tensor(_Y)
        gpu = ms.get_context("device_target") == "GPU"
        with no_host_copies(monkeypatch) if gpu else contextlib.nullcontext():
            losses = [step(x, y) for _ in range(4)]
        return losses + list(net.trainable_params())
    both.assert_same(both.on_each(run), rtol=2e-5, atol=1e-6)


def _host_reference(w0, grads_per_step, name, hyper, batch_size):
    """The Trainer's former update, in float64 on the host: the oracle for the on-device one."""
    from sporelab.ops import updates
    w, state = w0.astype(np.float64), None
    for grads in grads_per_step:
        g = sum(np.asarray(g, np.float64) for g in grads) / batch_size
        if hyper.get("clip_gradient") is not None:
            g = np.clip(g, -hyper["clip_gradient"], hyper["clip_gradient"])
        if name == "sgd":
            w, state = updates.mxnet_sgd(w, g, state, hyper["learning_rate"], hyper.get("momentum", 0.0),
                                         hyper.get("wd", 0.0))
        else:
            w, state = updates.adam(w, g, state, hyper["learning_rate"], 0.9, 0.999, 1e-8, hyper.get("wd", 0.0), np)
    return w.astype(np.float32)


@pytest.mark.parametrize("contexts", ["gpu0", "cpu0+cpu1", "cpu0+gpu0", "gpu0+cpu0"])
@pytest.mark.parametrize("name, hyper", [
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01, "clip_gradient": 0.8}),
    ("adam", {"learning_rate": 0.01, "wd": 0.001})])
def test_trainer_updates_on_the_device_equal_the_host_computed_ones(contexts, name, hyper, monkeypatch):
    ctx = {"gpu0": [ms.gpu(0)], "cpu0+cpu1": [ms.cpu(0), ms.cpu(1)], "cpu0+gpu0": [ms.cpu(0), ms.gpu(0)],
           "gpu0+cpu0": [ms.gpu(0), ms.cpu(0)]}[contexts]
    rng = np.random.default_rng(4)
    w0 = rng.standard_normal((3, 5)).astype(np.float32)
    coefficients = [[rng.standard_normal((3, 5)).astype(np.float32) for _ in ctx] for _ in range(5)]
    w = gluon.Parameter("w", shape=(3, 5), init=gluon.init.Zero())
    w.initialize(ctx=ctx)
    w.set_data(w0)
    trainer = gluon.Trainer([w], name, hyper)
    for step_coefficients in coefficients:
        with autograd.record():
            losses = [(w.data(c) * Tensor(k).to(c)).sum() for c, k in zip(ctx, step_coefficients)]
        autograd.backward(losses)
        with no_host_copies(monkeypatch) if ctx[0].is_gpu and len(ctx) == 1 else contextlib.nullcontext():
            trainer.step(batch_size=4)
    expected = _host_reference(w0, coefficients, name, hyper, 4)
    copies = [t.asnumpy() for t in w.list_data()]
    for c, copy, tensor in zip(ctx, copies, w.list_data()):
        assert tensor.device == c and copy.dtype == np.float32
        np.testing.assert_allclose(copy, expected, rtol=1e-5, atol=1e-6)
        assert np.array_equal(copy, copies[0])                 # every copy got the same update
    assert len({id(t._data) for t in w.list_data()}) == len(ctx)   # copies never share memory


def test_gluon_parameter_on_cpu_and_gpu(monkeypatch):
    ms.set_seed(3)
    p = gluon.Parameter("weight", shape=(2, 3), init=gluon.init.Normal(0.5))
    p.initialize(ctx=[ms.cpu(0), ms.gpu(0)])
    assert p.list_ctx() == [ms.cpu(0), ms.gpu(0)]
    cpu_copy, gpu_copy = p.list_data()
    assert gpu_copy.device == ms.gpu(0) and not isinstance(gpu_copy._array, np.ndarray)
    np.testing.assert_array_equal(cpu_copy.asnumpy(), gpu_copy.asnumpy())
    ms.set_seed(3)
    alone = gluon.Parameter("weight", shape=(2, 3), init=gluon.init.Normal(0.5))
    alone.initialize(ctx=ms.cpu(0))
    np.testing.assert_array_equal(alone.data().asnumpy(), gpu_copy.asnumpy())
    p.set_data(np.ones((2, 3), np.float32))
    assert all(np.array_equal(d.asnumpy(), np.ones((2, 3))) for d in p.list_data())
    assert p.list_grad()[1].device == ms.gpu(0)
    p.zero_grad()
    p.reset_ctx(ms.gpu(0))
    assert p.list_ctx() == [ms.gpu(0)] and p.data().device == ms.gpu(0)
    np.testing.assert_array_equal(p.data().asnumpy(), np.ones((2, 3)))


def test_checkpoint_saved_from_a_gpu_network_loads_into_a_cpu_one(on_gpu, tmp_path):
    ms.set_seed(9)
    gpu_net = _bars_net()
    step = nn.TrainOneStepCell(nn.WithLossCell(gpu_net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")),
                               nn.Adam(gpu_net.trainable_params(), 0.01))
    step(Tensor(_X), Tensor(_Y))
    assert gpu_net.trainable_params()[0].device == on_gpu
    path = str(tmp_path / "net.ckpt")
    ms.save_checkpoint(gpu_net, path)
    ms.set_context(device_target="CPU")
    cpu_net = _bars_net()
    not_loaded, _ = ms.load_param_into_net(cpu_net, ms.load_checkpoint(path))
    assert not_loaded == []
    for g, c in zip(gpu_net.trainable_params(), cpu_net.trainable_params()):
        assert c.device == ms.cpu(0)
        np.testing.assert_array_equal(g.asnumpy(), c.asnumpy())
    x = Tensor(_X[:2])
    np.testing.assert_allclose(cpu_net(x).asnumpy(), gpu_net(x.to(on_gpu)).asnumpy(), rtol=1e-5, atol=1e-6)


def test_gluon_parameter_copies_written_apart_then_reset_ctx_averages_them():
    gpu0, cpu0 = ms.gpu(0), ms.cpu(0)
    param = gluon.Parameter("w", shape=(3, 4), init=gluon.init.Xavier())
    param.initialize(ctx=[cpu0, gpu0])
    assert param.data(gpu0).device == gpu0
    assert np.array_equal(param.data(cpu0).asnumpy(), param.data(gpu0).asnumpy())
    param.data(gpu0)[...] = 1.0
    param.data(cpu0)[...] = 3.0
    param.reset_ctx([gpu0])
    assert np.all(param.data(gpu0).asnumpy() == 2.0)
    param.set_data(np.zeros((3, 4)))
    assert np.all(param.data(gpu0).asnumpy() == 0) and np.all(param.grad(gpu0).asnumpy() == 0)


def test_gluon_set_data_from_a_gpu_tensor_stays_on_the_device(on_gpu, monkeypatch):
    p = gluon.Parameter("w", shape=(2, 3), init=gluon.init.Zero())
    p.initialize(ctx=[on_gpu])
    value = Tensor(np.arange(6, dtype=np.float64).reshape(2, 3))
    with no_host_copies(monkeypatch):
        p.set_data(value)
    assert p.data().dtype == ms.float32 and p.data().device == on_gpu
    np.testing.assert_array_equal(p.data().asnumpy(), np.arange(6).reshape(2, 3))
    value[0, 0] = 9.0                                # the parameter holds its own copy
    assert p.data().asnumpy()[0, 0] == 0.0
    mixed = gluon.Parameter("m", shape=(2, 3), init=gluon.init.Zero())
    mixed.initialize(ctx=[ms.cpu(0), on_gpu])
    mixed.set_data(value)                            # the cpu(0) copy goes through to_host, on purpose
    assert all(np.array_equal(d.asnumpy(), value.asnumpy().astype(np.float32)) for d in mixed.list_data())


@pytest.mark.parametrize("name", ["sgd", "adam"])
def test_numpy_scalars_as_batch_size_or_hyper_parameters_keep_float32(name, on_gpu):
    w = gluon.Parameter("w", shape=(3,), init=gluon.init.One())
    w.initialize(ctx=[on_gpu])
    options = {"learning_rate": np.float64(0.1), "wd": np.float64(0.01)}
    if name == "sgd":
        options["momentum"] = np.float64(0.9)
    trainer = gluon.Trainer([w], name, options)
    for _ in range(2):
        with autograd.record():
            loss = (w.data() * w.data()).sum()
        loss.backward()
        trainer.step(np.int64(2))
    assert w.data()._array.dtype == np.float32
    state = trainer._states[0]
    assert all(s.dtype == np.float32 for s in (state if isinstance(state, tuple) else (state,)) if hasattr(s, "dtype"))
