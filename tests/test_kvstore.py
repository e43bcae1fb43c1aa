"""sporelab.kvstore and the Gluon Trainer's kvstore table, in one process. Across workers
('dist_sync' under mpiexec) they are tested in tests/distributed/."""

import numpy as np
import pytest
from tests._requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import autograd, gluon, kvstore
from sporelab.gluon import _kvstore


def test_local_store_sums_contexts():
    kv = kvstore.create("device")
    kv.init("w", ms.Tensor([0.0, 0.0]))
    a, b = ms.Tensor([1.0, 2.0]).to(ms.cpu(0)), ms.Tensor([3.0, 4.0]).to(ms.cpu(1))
    kv.push("w", [a, b])
    out = ms.Tensor([0.0, 0.0])
    kv.pull("w", out)
    assert out.asnumpy().tolist() == [4.0, 6.0] and a.asnumpy().tolist() == [1.0, 2.0]
    kv.init([1, 2], [ms.Tensor([1.0]), ms.Tensor([2.0])])
    outs = [ms.Tensor([0.0]), ms.Tensor([0.0])]
    kv.pull([1, 2], outs)
    assert [o.item() for o in outs] == [1.0, 2.0]
    assert repr(kv) == "KVStore(type='device', rank=0, num_workers=1)"


def test_errors():
    kv = kvstore.create("local")
    with pytest.raises(ValueError, match="Unknown KVStore type 'nccl2'"):
        kvstore.create("nccl2")
    with pytest.raises(RuntimeError, match="'nccl' needs NVIDIA GPUs"):     # MXNetError is a RuntimeError
        kvstore.create("nccl")
    with pytest.raises(ValueError, match="'dist_async' is not supported"):
        kvstore.create("dist_async")
    with pytest.raises(TypeError, match="name must be a string"):
        kvstore.create(3)
    with pytest.raises(ValueError, match="Key 'x' has not been initialized"):
        kv.push("x", ms.Tensor([1.0]))
    kv.init("x", ms.Tensor([1.0]))
    with pytest.raises(ValueError, match="already initialized"):
        kv.init("x", ms.Tensor([1.0]))
    with pytest.raises(ValueError, match=r"holds shape \(1,\), but a value of shape \(2,\) was pushed"):
        kv.push("x", ms.Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="A key must be an int or a str"):
        kv.push(1.5, ms.Tensor([1.0]))
    with pytest.raises(TypeError, match="must be a Tensor or a non-empty list of Tensors"):
        kv.push("x", [1.0])


def _params(n_ctx=1):
    w = gluon.Parameter("w", shape=(2,), init=gluon.init.One())
    w.initialize(ctx=[ms.cpu(i) for i in range(n_ctx)])
    return [w]


def test_mxnet_decision_table(monkeypatch):
    one, two = _params(1), _params(2)
    assert _kvstore.decide("device", None, 1, one) == (None, False)        # one device: no store
    store, update = _kvstore.decide("device", None, 2, two)
    assert store.type == "device" and update is True
    assert _kvstore.decide(None, None, 2, two) == (None, False)
    assert _kvstore.decide("local", False, 2, two)[1] is False
    with pytest.raises(ValueError, match="update_on_kvstore=True needs a kvstore"):
        _kvstore.decide(None, True, 1, one)
    monkeypatch.setenv("MXNET_UPDATE_ON_KVSTORE", "0")
    assert _kvstore.decide("device", None, 2, two)[1] is False
    big = [gluon.Parameter("big", shape=(4097, 4097))]
    big[0].initialize()
    monkeypatch.setenv("MXNET_UPDATE_ON_KVSTORE", "1")
    assert _kvstore.decide("local", None, 2, big)[1] is False               # > 16M elements


def test_trainer_arguments_and_first_step_broadcast_across_contexts():
    with pytest.raises(TypeError, match="kvstore must be KVStore, str or None"):
        gluon.Trainer(_params(), "sgd", kvstore=3)
    with pytest.raises(ValueError, match="Unknown KVStore type 'gpu'"):
        gluon.Trainer(_params(), "sgd", kvstore="gpu")
    with pytest.raises(TypeError, match="update_on_kvstore must be a bool or None"):
        gluon.Trainer(_params(), "sgd", update_on_kvstore=1)
    (w,) = _params(2)
    w.data(ms.cpu(1))._data = np.float32([5.0, 5.0])        # copies that drifted apart
    trainer = gluon.Trainer([w], "sgd", {"learning_rate": 0.0}, kvstore="device")
    with autograd.record():
        losses = [w.data(ctx).sum() for ctx in w.list_ctx()]
    autograd.backward(losses)
    trainer.step(1)
    assert w.data(ms.cpu(1)).asnumpy().tolist() == [1.0, 1.0]      # context 0's weights everywhere
    assert trainer._kvstore.type == "device" and trainer._update_on_kvstore is True


junk = st.one_of(st.none(), st.booleans(), st.integers(-2, 3), st.floats(allow_nan=True), st.text(max_size=4),
                 st.lists(st.floats(-1, 1), max_size=2))


@settings(max_examples=80, deadline=None)
@given(junk, junk, junk)
def test_bad_input_only_raises_clear_errors(a, b, c):
    kv = kvstore.create("local")
    kv.init(0, ms.Tensor([1.0]))
    for call in (lambda: kvstore.create(a), lambda: kv.init(a, b), lambda: kv.push(a, b), lambda: kv.pull(a, b),
                 lambda: kv.pushpull(0, b, c), lambda: kv.broadcast(a, b, c), lambda: kv.is_capable(a),
                 lambda: gluon.Trainer(_params(), "sgd", kvstore=a, update_on_kvstore=b)):
        try:
            call()
        except (TypeError, ValueError, RuntimeError):
            pass
    out = ms.Tensor([0.0])
    kv.pull(0, out)
    assert out.item() == 1.0            # no junk reached the store


BATCH_WARNING = ("Possible change in the `batch_size` from previous `step` detected. Optimizer gradient "
                 "normalizing factor will not change w.r.t new batch_size when update_on_kvstore=True and "
                 "when distributed kvstore is used.")


def _one_step(trainer, w, batch_size):
    with autograd.record():
        loss = (w.data() * w.data()).sum()
    loss.backward()
    trainer.step(batch_size)


@pytest.mark.parametrize("update_on_kvstore, kvstore, warns", [
    (None, "dist_sync", True), (True, "dist_sync", True), (False, "dist_sync", False), (None, "device", False)])
def test_a_changed_batch_size_is_mxnets_user_warning_with_update_on_a_dist_store(update_on_kvstore, kvstore, warns):
    require("mpi")
    (w,) = _params()
    trainer = gluon.Trainer([w], "sgd", {"learning_rate": 0.1}, kvstore=kvstore, update_on_kvstore=update_on_kvstore)
    _one_step(trainer, w, 4)                 # the first step sets the scale, whatever it was
    _one_step(trainer, w, 4)
    before = w.data().asnumpy()
    assert before.tolist() == pytest.approx([0.9025, 0.9025])     # (1 - 0.1 * 2 / 4) ** 2
    with autograd.record():
        loss = (w.data() * w.data()).sum()
    loss.backward()
    if warns:
        with pytest.raises(UserWarning) as info:
            trainer.step(8)
        assert str(info.value) == BATCH_WARNING
        assert np.array_equal(w.data().asnumpy(), before)     # nothing changed: step again with 4
        trainer.step(4)
        assert w.data().asnumpy().tolist() == pytest.approx([0.9025 * 0.95] * 2)
    else:
        trainer.step(8)
        assert w.data().asnumpy().tolist() == pytest.approx([0.9025 * 0.975] * 2)
    assert trainer._distributed is ("dist" in kvstore)
