"""``Trainer.save_states`` / ``load_states`` and MXNet's ``allreduce_grads()`` + ``update(batch_size)``.

Mirrors apache/mxnet, tag 1.9.1: python/mxnet/gluon/trainer.py (``save_states``, ``load_states``,
``allreduce_grads``, ``update``) and tests/python/unittest/test_gluon_trainer.py
(``test_trainer_save_load``, ``test_trainer_allreduce_grads``-style cases), in sporelab's words.
"""

import numpy as np
import pytest

import sporelab as mx
from sporelab import autograd, gluon

OPTIMIZERS = [("sgd", {"learning_rate": 0.1}), ("sgd", {"learning_rate": 0.1, "momentum": 0.9, "wd": 0.01}),
              ("adam", {"learning_rate": 0.01})]
TARGET = np.random.default_rng(5).standard_normal((3, 4)).astype(np.float32)


def _params(ctx=None):
    ctx = mx.cpu(0) if ctx is None else ctx
    params = gluon.ParameterDict("m_")
    params.get("w", shape=(3, 4), init=gluon.init.Constant(0.5))
    params.get("b", shape=(4,), init=gluon.init.Zero())
    params.initialize(ctx=ctx)
    return params


def _train(params, trainer, steps, split=False):
    for _ in range(steps):
        with autograd.record():
            losses = [((p_w - mx.nd.array(TARGET, ctx=p_w.context)) ** 2).sum() + (p_b * p_b).sum()
                      for p_w, p_b in zip(params["m_w"].list_data(), params["m_b"].list_data())]
        autograd.backward(losses)
        if split:
            trainer.allreduce_grads()
            trainer.update(2)
        else:
            trainer.step(2)


@pytest.mark.parametrize("name, hyper", OPTIMIZERS)
def test_a_resumed_run_equals_an_uninterrupted_one_bitwise(tmp_path, name, hyper):
    # test_gluon_trainer.py::test_trainer_save_load, made exact
    straight = _params()
    _train(straight, gluon.Trainer(straight, name, dict(hyper)), 6)

    first = _params()
    trainer = gluon.Trainer(first, name, dict(hyper))
    _train(first, trainer, 3)
    first.save(str(tmp_path / "weights"))
    trainer.save_states(str(tmp_path / "states"))

    resumed = _params()
    resumed.load(str(tmp_path / "weights"))
    trainer = gluon.Trainer(resumed, name, dict(hyper))
    trainer.load_states(str(tmp_path / "states"))
    _train(resumed, trainer, 3)
    for key in ("m_w", "m_b"):
        assert resumed[key].data().asnumpy().tobytes() == straight[key].data().asnumpy().tobytes()


def test_without_the_states_a_resumed_momentum_run_differs(tmp_path):
    # the check above can fail: dropping the momentum changes the result
    straight = _params()
    _train(straight, gluon.Trainer(straight, "sgd", {"learning_rate": 0.1, "momentum": 0.9}), 4)
    first = _params()
    _train(first, gluon.Trainer(first, "sgd", {"learning_rate": 0.1, "momentum": 0.9}), 2)
    first.save(str(tmp_path / "w"))
    resumed = _params()
    resumed.load(str(tmp_path / "w"))
    _train(resumed, gluon.Trainer(resumed, "sgd", {"learning_rate": 0.1, "momentum": 0.9}), 2)
    assert not np.array_equal(resumed["m_w"].data().asnumpy(), straight["m_w"].data().asnumpy())


def test_load_states_refuses_another_optimizer_or_parameter_set(tmp_path):
    params = _params()
    trainer = gluon.Trainer(params, "adam")
    _train(params, trainer, 1)
    path = str(tmp_path / "states")
    trainer.save_states(path)
    with pytest.raises(ValueError, match="holds 'adam' states, but this Trainer uses 'sgd'"):
        gluon.Trainer(_params(), "sgd").load_states(path)
    with pytest.raises(ValueError, match="states for 2 parameters, but this Trainer has 1"):
        gluon.Trainer([_params()["m_w"]], "adam").load_states(path)
    (tmp_path / "pickle").write_bytes(b"\x80\x04N.")
    with pytest.raises(ValueError, match="damaged or was not written by Trainer.save_states"):
        trainer.load_states(str(tmp_path / "pickle"))
    with pytest.raises(TypeError, match="'fname'"):
        trainer.save_states(None)


@pytest.mark.parametrize("name, hyper", OPTIMIZERS)
def test_allreduce_grads_then_update_equals_step(name, hyper):
    contexts = [mx.cpu(0), mx.cpu(1)]
    stepped, split = _params(contexts), _params(contexts)
    _train(stepped, gluon.Trainer(stepped, name, dict(hyper), update_on_kvstore=False), 3)
    _train(split, gluon.Trainer(split, name, dict(hyper), update_on_kvstore=False), 3, split=True)
    for key in ("m_w", "m_b"):
        for a, b in zip(stepped[key].list_data(), split[key].list_data()):
            assert a.asnumpy().tobytes() == b.asnumpy().tobytes()


def test_allreduce_grads_leaves_the_sum_on_every_context():
    params = _params([mx.cpu(0), mx.cpu(1)])
    trainer = gluon.Trainer(params, "sgd", update_on_kvstore=False)
    with autograd.record():
        losses = [(w * (k + 1)).sum() for k, w in enumerate(params["m_w"].list_data())]
    autograd.backward(losses)
    trainer.allreduce_grads()
    for g in params["m_w"].list_grad():
        assert np.array_equal(g.asnumpy(), np.full((3, 4), 3.0, np.float32))


def test_update_without_allreduce_uses_each_copys_own_equal_gradient():
    # MXNet updates every copy with its own gradient: with equal gradients that is one update
    params = _params([mx.cpu(0), mx.cpu(1)])
    trainer = gluon.Trainer(params, "sgd", {"learning_rate": 1.0}, update_on_kvstore=False)
    with autograd.record():
        losses = [w.sum() + b.sum() for w, b in zip(params["m_w"].list_data(), params["m_b"].list_data())]
    autograd.backward(losses)
    trainer.update(1)
    for copy in params["m_w"].list_data():
        assert np.array_equal(copy.asnumpy(), np.full((3, 4), -0.5, np.float32))


def test_update_needs_summed_gradients_and_no_update_on_kvstore():
    params = _params([mx.cpu(0), mx.cpu(1)])
    trainer = gluon.Trainer(params, "sgd", update_on_kvstore=False)
    with autograd.record():
        losses = [(w * (k + 1)).sum() for k, w in enumerate(params["m_w"].list_data())]
        losses += [b.sum() for b in params["m_b"].list_data()]
    autograd.backward(losses)
    before = params["m_w"].data(mx.cpu(0)).asnumpy()
    with pytest.raises(RuntimeError, match="'m_w' differ between its contexts .* call trainer.allreduce_grads"):
        trainer.update(1)
    assert np.array_equal(params["m_w"].data(mx.cpu(0)).asnumpy(), before)
    trainer.allreduce_grads()
    trainer.update(1)
    assert np.array_equal(params["m_w"].data(mx.cpu(1)).asnumpy(), before - 0.01 * 3)
    on_store = gluon.Trainer(_params([mx.cpu(0), mx.cpu(1)]), "sgd", update_on_kvstore=True)
    with pytest.raises(AssertionError, match="allreduce_grads\\(\\) when parameters are updated on kvstore"):
        on_store.allreduce_grads()
    with pytest.raises(ValueError, match="'batch_size'"):
        trainer.update(0)
