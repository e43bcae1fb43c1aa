"""kvstore types 'local_allreduce_cpu' and 'local_allreduce_device', 'nccl', and ``set_optimizer``.

Mirrors apache/mxnet, tag 1.9.1: src/kvstore/kvstore.cc (``KVStore::Create``: the local types are
KVStoreLocal with and without device comm), src/kvstore/kvstore_local.h (``PushImpl``: with an
updater the stored value is updated with the merged gradient, else replaced by it) and
tests/python/unittest/test_kvstore.py (``test_single_kv_pair``, ``test_list_kv_pair``,
``test_updater``), in sporelab's words.
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sporelab as mx

SHAPE = (4, 4)
LOCAL_TYPES = ["local", "device", "local_allreduce_cpu", "local_allreduce_device"]


@pytest.mark.parametrize("kv_type", LOCAL_TYPES)
def test_single_kv_pair(kv_type):
    kv = mx.kv.create(kv_type)
    assert kv.type == kv_type and kv.rank == 0 and kv.num_workers == 1
    kv.init(3, mx.nd.zeros(SHAPE))
    kv.push(3, mx.nd.ones(SHAPE))
    out = mx.nd.empty(SHAPE)
    kv.pull(3, out=out)
    assert np.array_equal(out.asnumpy(), np.ones(SHAPE, np.float32))


@pytest.mark.parametrize("kv_type", LOCAL_TYPES)
def test_list_kv_pair_sums_over_contexts(kv_type):
    kv = mx.kv.create(kv_type)
    keys = [5, 7, 11]
    kv.init(keys, [mx.nd.zeros(SHAPE)] * 3)
    values = [[mx.nd.ones(SHAPE, ctx=mx.cpu(c)) * (c + 1) for c in range(4)] for _ in keys]
    kv.push(keys, values)
    outs = [[mx.nd.empty(SHAPE, ctx=mx.cpu(c)) for c in range(4)] for _ in keys]
    kv.pull(keys, out=outs)
    for group in outs:
        for out in group:
            assert np.array_equal(out.asnumpy(), np.full(SHAPE, 10.0, np.float32))


@pytest.mark.parametrize("kv_type", LOCAL_TYPES)
def test_set_optimizer_updates_the_stored_weight(kv_type):
    # test_kvstore.py::test_updater, with an SGD optimizer run by the store
    kv = mx.kv.create(kv_type)
    kv.set_optimizer(mx.optimizer.SGD(learning_rate=0.1, momentum=0.9))
    kv.init("w", mx.nd.ones(SHAPE))
    grads = [mx.nd.ones(SHAPE, ctx=mx.cpu(c)) for c in range(2)]
    weight, velocity = np.ones(SHAPE, np.float32), np.zeros(SHAPE, np.float32)
    for _ in range(3):
        kv.push("w", grads)
        velocity = np.float32(0.9) * velocity - np.float32(0.1) * np.full(SHAPE, 2.0, np.float32)
        weight = weight + velocity
    out = mx.nd.empty(SHAPE)
    kv.pull("w", out=out)
    np.testing.assert_allclose(out.asnumpy(), weight, rtol=1e-6)


def test_set_optimizer_adam_matches_the_trainer_rule():
    kv = mx.kv.create("local_allreduce_cpu")
    kv.set_optimizer(mx.optimizer.create("adam", learning_rate=0.01))
    kv.init(0, mx.nd.ones((3,)))
    kv.push(0, mx.nd.array([1.0, -2.0, 0.5]))
    out = mx.nd.empty((3,))
    kv.pull(0, out=out)
    expected = np.ones(3) - 0.01 * np.sign([1.0, -2.0, 0.5])      # Adam's first step moves by ~lr
    np.testing.assert_allclose(out.asnumpy(), expected, atol=1e-6)


def test_nccl_says_it_needs_nvidia_gpus():
    with pytest.raises(RuntimeError, match="'nccl' needs NVIDIA GPUs"):
        mx.kv.create("nccl")


def test_set_optimizer_needs_an_optimizer():
    kv = mx.kv.create("local")
    with pytest.raises(TypeError, match="'optimizer'"):
        kv.set_optimizer("sgd")
    kv.init(0, mx.nd.zeros((2,)))
    kv.push(0, mx.nd.ones((2,)))                  # still storing sums: nothing changed
    out = mx.nd.empty((2,))
    kv.pull(0, out=out)
    assert np.array_equal(out.asnumpy(), [1, 1])


def test_trainer_accepts_the_new_types():
    w = mx.gluon.Parameter("w", shape=(2,), init="ones")
    w.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    trainer = mx.gluon.Trainer([w], "sgd", {"learning_rate": 0.5}, kvstore="local_allreduce_device")
    with mx.autograd.record():
        losses = [d.sum() for d in w.list_data()]
    mx.autograd.backward(losses)
    trainer.step(1)
    for copy in w.list_data():
        assert np.array_equal(copy.asnumpy(), [0.0, 0.0])


@settings(max_examples=40, deadline=None)
@given(name=st.one_of(st.sampled_from(LOCAL_TYPES + ["nccl", "dist_async", "locale", ""]), st.integers()))
def test_create_accepts_exactly_the_offered_local_types(name):
    try:
        kv = mx.kv.create(name)
    except (TypeError, ValueError, RuntimeError) as error:
        assert name not in LOCAL_TYPES
        assert isinstance(error, TypeError) == (not isinstance(name, str))
    else:
        assert name in LOCAL_TYPES and kv.type == name
