"""``sporelab.nd``, Gluon persistence and the local kvstores on ``gpu(0)`` (real CuPy or the strict stand-in)."""

import numpy as np

import sporelab as mx
from sporelab import autograd, gluon


def test_the_gluon_seed_runs_on_gpu():
    ctx = mx.gpu(0)
    x = mx.nd.zeros((16, 100), ctx=ctx)
    w = mx.gluon.Parameter('fc_weight', shape=(64, 100), init=mx.init.Xavier())
    b = mx.gluon.Parameter('fc_bias', shape=(64,), init=mx.init.Zero())
    w.initialize(ctx=ctx)
    b.initialize(ctx=ctx)
    out = mx.nd.FullyConnected(x, w.data(ctx), b.data(ctx), num_hidden=64)
    assert out.context == ctx and out.shape == (16, 64)
    assert np.array_equal(out.asnumpy(), np.zeros((16, 64), np.float32))


def test_ops_match_the_cpu_and_differentiate_on_gpu(both):
    def run():
        x = mx.nd.random.normal(shape=(2, 3, 5, 5), ctx=mx.current_context())
        w = mx.nd.random.normal(shape=(4, 3, 3, 3), ctx=mx.current_context())
        for t in (x, w):
            t.attach_grad()
        with autograd.record():
            y = mx.nd.Convolution(x, w, kernel=(3, 3), num_filter=4, no_bias=True, pad=(1, 1))
            z = mx.nd.sum(mx.nd.concat(*mx.nd.split(mx.nd.tanh(y), 2, axis=1), dim=0) ** 2)
        z.backward()
        return [z, x.grad, w.grad]
    on_cpu, on_gpu = both.on_each(run)
    for a, b in zip(on_cpu, on_gpu):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_as_in_context_moves_the_value_and_the_gradient_back():
    x = mx.nd.array([1.0, 2.0], ctx=mx.gpu(0))
    x.attach_grad()
    with autograd.record():
        y = (x.as_in_context(mx.cpu(0)) * 2).sum()
    y.backward()
    assert x.grad.context == mx.gpu(0) and np.array_equal(x.grad.asnumpy(), [2, 2])
    assert x.copyto(mx.cpu(0)).context == mx.cpu(0)


def test_parameter_dict_save_load_across_devices(tmp_path):
    params = gluon.ParameterDict("p_")
    params.get("w", shape=(2, 3), init="normal")
    params.initialize(ctx=mx.gpu(0))
    path = str(tmp_path / "p")
    params.save(path)
    fresh = gluon.ParameterDict("p_")
    fresh.get("w", shape=(2, 3))
    fresh.load(path, ctx=mx.gpu(0))
    assert fresh["p_w"].data().context == mx.gpu(0)
    assert np.array_equal(fresh["p_w"].data().asnumpy(), params["p_w"].data().asnumpy())


def test_local_allreduce_device_sums_gpu_values():
    kv = mx.kv.create("local_allreduce_device")
    kv.init(0, mx.nd.zeros((3,), ctx=mx.gpu(0)))
    kv.push(0, [mx.nd.ones((3,), ctx=mx.gpu(0)), mx.nd.ones((3,), ctx=mx.gpu(1))])
    out = mx.nd.empty((3,), ctx=mx.gpu(1))
    kv.pull(0, out=out)
    assert out.context == mx.gpu(1) and np.array_equal(out.asnumpy(), [2, 2, 2])
