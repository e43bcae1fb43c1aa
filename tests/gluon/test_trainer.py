import numpy as np
import pytest
from tests._requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import autograd, gluon


def _param(values, name="w", ctx=None, grad_req="write"):
    p = gluon.Parameter(name, shape=(len(values),), grad_req=grad_req,
                        init=gluon.init.Constant(0.0))
    p.initialize(ctx=ctx)
    p.set_data(np.array(values, np.float32))
    return p


def _backward(params, coefficients):
    """loss = sum_i c_i . w_i summed over every context copy, so grad = c on each copy."""
    with autograd.record():
        terms = [(p.data(ctx) * ms.Tensor(np.asarray(c, np.float32)).to(ctx)).sum()
                 for p, c in zip(params, coefficients) for ctx in p.list_ctx()]
    autograd.backward(terms)           # one loss per context, as with data-parallel batches


def test_sgd_rescales_by_batch_size_and_uses_lr_mult_live():
    w = _param([1.0, 1.0])
    trainer = gluon.Trainer([w], "sgd", {"learning_rate": 0.1})
    _backward([w], [[4.0, 8.0]])
    trainer.step(batch_size=4)                        # g = [1, 2]
    np.testing.assert_allclose(w.data().asnumpy(), [0.9, 0.8], rtol=1e-6)
    w.lr_mult = 10.0                                  # read afresh at the next step
    _backward([w], [[4.0, 8.0]])
    trainer.step(batch_size=4)
    np.testing.assert_allclose(w.data().asnumpy(), [-0.1, -1.2], rtol=1e-5)


def test_weight_decay_uses_wd_mult():
    w = _param([1.0])
    w.wd_mult = 2.0
    trainer = gluon.Trainer([w], "sgd", {"learning_rate": 0.1, "wd": 0.5})
    _backward([w], [[0.0]])
    trainer.step(1)
    np.testing.assert_allclose(w.data().asnumpy(), [1.0 - 0.1 * (0.5 * 2.0 * 1.0)], rtol=1e-6)


def test_sgd_momentum_and_adam_match_torch_over_several_steps():
    torch = require("torch")
    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(5).astype(np.float32)
    grads = [rng.standard_normal(5).astype(np.float32) for _ in range(4)]
    cases = [("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01},
              lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01)),
             ("adam", {"learning_rate": 0.01}, lambda p: torch.optim.Adam(p, lr=0.01))]
    for name, options, make_torch in cases:
        w = _param(w0)
        trainer = gluon.Trainer([w], name, options)
        tw = torch.nn.Parameter(torch.tensor(w0))
        topt = make_torch([tw])
        for g in grads:
            _backward([w], [g * 2])
            trainer.step(2)
            tw.grad = torch.tensor(g)
            topt.step()
        np.testing.assert_allclose(w.data().asnumpy(), tw.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_copies_on_several_contexts_get_the_summed_gradient():
    w = _param([1.0], ctx=[ms.cpu(0), ms.cpu(1)])
    trainer = gluon.Trainer([w], "sgd", {"learning_rate": 0.1})
    _backward([w], [[1.0]])                           # grad 1 on each copy: summed to 2
    trainer.step(1)
    for copy in w.list_data():
        np.testing.assert_allclose(copy.asnumpy(), [0.8], rtol=1e-6)


def test_stale_gradient_raises_unless_ignored_then_is_skipped():
    a, b = _param([1.0], "a"), _param([1.0], "b")
    trainer = gluon.Trainer({"b": b, "a": a}, "sgd", {"learning_rate": 1.0})
    _backward([a, b], [[1.0], [1.0]])
    trainer.step(1)
    _backward([a], [[1.0]])
    with pytest.raises(UserWarning, match="Parameter `b`"):
        trainer.step(1)
    np.testing.assert_allclose(a.data().asnumpy(), [0.0])          # the failed step changed nothing
    trainer.step(1, ignore_stale_grad=True)
    np.testing.assert_allclose(a.data().asnumpy(), [-1.0])
    np.testing.assert_allclose(b.data().asnumpy(), [0.0])


def test_null_grad_req_is_skipped_and_add_accumulates():
    frozen = _param([1.0], "frozen", grad_req="null")
    acc = _param([1.0], "acc", grad_req="add")
    trainer = gluon.Trainer([frozen, acc], "sgd", {"learning_rate": 0.1})
    _backward([acc], [[1.0]])
    _backward([acc], [[1.0]])
    trainer.step(1)
    np.testing.assert_allclose(frozen.data().asnumpy(), [1.0])
    np.testing.assert_allclose(acc.data().asnumpy(), [0.8], rtol=1e-6)


def test_learning_rate_property():
    trainer = gluon.Trainer([_param([1.0])], "Adam")
    assert trainer.learning_rate == 0.001
    trainer.set_learning_rate(0.5)
    assert trainer.learning_rate == 0.5


@pytest.mark.parametrize("call, error, word", [
    (lambda w: gluon.Trainer(w, "sgd"), ValueError, "list or dict of Parameters"),
    (lambda w: gluon.Trainer([w, 3], "sgd"), ValueError, "list or dict of Parameters"),
    (lambda w: gluon.Trainer([w], "rmsprop"), ValueError, "'optimizer'"),
    (lambda w: gluon.Trainer([w], "sgd", {"lr": 0.1}), ValueError, "optimizer_params"),
    (lambda w: gluon.Trainer([w], "sgd", {"learning_rate": -1}), ValueError, "learning_rate"),
    (lambda w: gluon.Trainer([w], "sgd", [0.1]), TypeError, "'optimizer_params'"),
    (lambda w: gluon.Trainer([w], "sgd").step(0), ValueError, "'batch_size'"),
    (lambda w: gluon.Trainer([w], "sgd").set_learning_rate("x"), ValueError, "'lr'"),
])
def test_bad_input(call, error, word):
    with pytest.raises(error, match=word):
        call(_param([1.0]))


def test_parameters_on_different_contexts_are_refused():
    a, b = _param([1.0], "a"), _param([1.0], "b", ctx=ms.cpu(1))
    _backward([a, b], [[1.0], [1.0]])
    with pytest.raises(ValueError, match="same contexts"):
        gluon.Trainer([a, b], "sgd").step(1)


@settings(max_examples=40, deadline=None)
@given(st.one_of(st.none(), st.integers(-2, 0), st.floats(max_value=0.0), st.sampled_from([float("nan"), float("inf")]),
                 st.text(max_size=2), st.booleans()))
def test_bad_batch_sizes_change_nothing(batch_size):
    w = _param([1.0])
    trainer = gluon.Trainer([w], "sgd", {"learning_rate": 0.1})
    _backward([w], [[1.0]])
    with pytest.raises(ValueError, match="batch_size"):      # every value drawn is invalid
        trainer.step(batch_size)
    np.testing.assert_array_equal(w.data().asnumpy(), [1.0])


def _mxnet_updates(name, hyper, w0, grads, batch_size, lr_mult, wd_mult):
    """MXNet's update kernels (src/operator/optimizer_op-inl.h), in float64, for the weights after
    each step; ``grads`` holds each step's summed gradient. The gradient is rescaled by
    1/batch_size *before* it is clipped; SGD adds weight decay outside the clip, Adam inside it:
        sgd_update      w = (1 - lr wd) w - lr clip(g / batch_size)
        sgd_mom_update  m = mu m - lr wd w - lr clip(g / batch_size); w = w + m
        adam_update     g' = clip(g / batch_size + wd w); m = b1 m + (1 - b1) g';
                        v = b2 v + (1 - b2) g'^2; w = w - lr_t m / (sqrt(v) + eps),
                        lr_t = lr sqrt(1 - b2^t) / (1 - b1^t) (Adam.update)."""
    lr, wd, clip = hyper["learning_rate"] * lr_mult, hyper.get("wd", 0.0) * wd_mult, hyper["clip_gradient"]
    w, m, v = w0.astype(np.float64), np.zeros(w0.shape), np.zeros(w0.shape)
    for t, g in enumerate(grads, start=1):
        g = g.astype(np.float64) / batch_size
        if name == "sgd":
            m = hyper.get("momentum", 0.0) * m - lr * wd * w - lr * np.clip(g, -clip, clip)
            w = w + m
        else:
            g = np.clip(g + wd * w, -clip, clip)
            m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
            w = w - lr * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t) * m / (np.sqrt(v) + 1e-8)
    return w


@pytest.mark.parametrize("name, hyper", [
    ("sgd", {"learning_rate": 0.1, "clip_gradient": 0.5}),
    ("sgd", {"learning_rate": 0.1, "wd": 0.05, "clip_gradient": 0.5}),
    ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.05, "clip_gradient": 0.5}),
    ("adam", {"learning_rate": 0.01, "clip_gradient": 0.5}),
    ("adam", {"learning_rate": 0.01, "wd": 0.2, "clip_gradient": 0.5}),
])
@pytest.mark.parametrize("contexts", [[ms.cpu(0)], [ms.cpu(0), ms.cpu(1)]], ids=["cpu0", "cpu0+cpu1"])
def test_clip_gradient_follows_mxnet_clipping_after_the_batch_size_rescale(name, hyper, contexts):
    """Summed gradients of about +-8 per element over a batch of 8: clipped at 0.5 after the
    rescale, some elements are cut and some not; clipped before it, all would be cut."""
    rng = np.random.default_rng(5)
    w0 = (2.0 * rng.standard_normal(12)).astype(np.float32)
    per_copy = [[(8.0 / len(contexts) * rng.standard_normal(12)).astype(np.float32) for _ in contexts]
                for _ in range(5)]
    w = _param(w0, ctx=contexts)
    w.lr_mult, w.wd_mult = 0.5, 2.0
    trainer = gluon.Trainer([w], name, hyper)
    for step, copies in enumerate(per_copy):
        with autograd.record():
            terms = [(w.data(c) * ms.Tensor(k).to(c)).sum() for c, k in zip(contexts, copies)]
        autograd.backward(terms)
        trainer.step(batch_size=8)
        summed = [sum(np.asarray(k, np.float64) for k in step_copies) for step_copies in per_copy[:step + 1]]
        expected = _mxnet_updates(name, hyper, w0, summed, 8, 0.5, 2.0)
        for copy in w.list_data():
            np.testing.assert_allclose(copy.asnumpy(), expected, rtol=1e-5, atol=1e-6)
