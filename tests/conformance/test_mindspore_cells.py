"""SequentialCell / CellList, BatchNorm2d, MaxPool2d / AvgPool2d, as MindSpore v1.5.0 has them.

Upstream (kungfu-team/mindspore, tag v1.5.0): ``mindspore/nn/layer/container.py``,
``mindspore/nn/layer/normalization.py``, ``mindspore/nn/layer/pooling.py``,
``mindspore/ops/operations/nn_ops.py`` (``_Pool.infer_shape``) and the tests
``tests/ut/python/nn/test_container.py``, ``tests/ut/python/nn/test_batchnorm.py``. Gradients are checked against torch (CPU).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import nn


# ---- containers ----------------------------------------------------------------------------------
def _dense_names(cell):
    return list(cell.parameters_dict())


def test_sequential_setitem_negative_index_renames():
    # test_container.py::TestSequentialCell::test_setitem1 / test_setitem2
    seq = nn.SequentialCell([nn.Dense(2, 2), nn.ReLU(), nn.Dense(2, 2)])
    new = nn.Dense(2, 3)
    seq[-1] = new
    assert seq[2] is new and new.weight.name == "2.weight"
    seq[0] = nn.Tanh()
    assert _dense_names(seq) == ["2.weight", "2.bias"]


def test_sequential_delitem_index_and_slice_renumber():
    # test_container.py::TestSequentialCell::test_delitem1 / test_delitem2
    a, b, c = nn.Dense(1, 1), nn.Dense(1, 1), nn.Dense(1, 1)
    seq = nn.SequentialCell([a, nn.ReLU(), b, c])
    del seq[1]
    assert list(seq.name_cells()) == ["0", "1", "2"] and b.weight.name == "1.weight"
    del seq[-2:]
    assert len(seq) == 1 and seq[0] is a and _dense_names(seq) == ["0.weight", "0.bias"]


def test_sequential_delitem_keeps_ordered_dict_names_and_outer_prefix():
    from collections import OrderedDict

    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.body = nn.SequentialCell([nn.Dense(1, 1), nn.Dense(1, 1), nn.Dense(1, 1)])
    net = Net()
    del net.body[0]
    assert list(net.parameters_dict()) == ["body.0.weight", "body.0.bias", "body.1.weight", "body.1.bias"]
    named = nn.SequentialCell(OrderedDict([("conv", nn.Conv2d(1, 1, 1)), ("act", nn.ReLU())]))
    del named[1]
    assert list(named.name_cells()) == ["conv"]


def test_sequential_bad_index_and_cell_change_nothing():
    seq = nn.SequentialCell([nn.Dense(1, 1)])
    with pytest.raises(TypeError, match="'SequentialCell'"):
        seq[0] = 3
    with pytest.raises(IndexError, match="out of range"):
        seq[1] = nn.ReLU()
    with pytest.raises(TypeError, match="'SequentialCell'"):
        del seq["0"]
    assert len(seq) == 1 and isinstance(seq[0], nn.Dense)


def test_cell_list_append_extend_insert_iterate():
    # test_container.py::TestCellList::test_init1 / test_insert / test_append / test_extend / test_add / test_iter
    first, second, third = nn.Dense(1, 2), nn.Dense(2, 3), nn.ReLU()
    cells = nn.CellList([first])
    cells.append(third)
    cells.insert(1, second)
    assert list(cells) == [first, second, third] and len(cells) == 3
    assert _dense_names(cells) == ["0.weight", "0.bias", "1.weight", "1.bias"]
    cells += [nn.Dense(3, 1)]
    cells.extend([nn.Tanh()])
    assert [type(c).__name__ for c in cells] == ["Dense", "Dense", "ReLU", "Dense", "Tanh"]
    assert cells[-2].weight.name == "3.weight"
    del cells[0]
    assert cells[0] is second and second.weight.name == "0.weight"
    assert isinstance(cells[1:], nn.CellList) and len(cells[1:]) == 3


def test_cell_list_in_a_network_trains_its_parameters():
    class Net(nn.Cell):
        def __init__(self):
            super().__init__()
            self.layers = nn.CellList([nn.Dense(2, 2), nn.Dense(2, 1)])

        def construct(self, x):
            for layer in self.layers:
                x = layer(x)
            return x
    net = Net()
    assert list(net.parameters_dict()) == ["layers.0.weight", "layers.0.bias", "layers.1.weight", "layers.1.bias"]
    assert net(ms.Tensor(np.ones((3, 2), np.float32))).shape == (3, 1)


def test_cell_list_rejects_bad_input_and_changes_nothing():
    cells = nn.CellList([nn.ReLU()])
    with pytest.raises(TypeError, match="must be a list"):
        cells.extend(nn.ReLU())
    with pytest.raises(TypeError, match="must be a Cell"):
        cells.extend([nn.ReLU(), 5])
    with pytest.raises(IndexError):
        cells.insert(3, nn.ReLU())
    with pytest.raises(NotImplementedError):
        cells(ms.Tensor([1.0]))
    assert len(cells) == 1


@given(st.lists(st.integers(0, 3), min_size=1, max_size=4), st.one_of(st.integers(-6, 6), st.text(max_size=1),
                                                                     st.none(), st.floats(allow_nan=False)))
@settings(max_examples=40, deadline=None)
def test_cell_list_delitem_property(widths, index):
    cells = nn.CellList([nn.Dense(1, 1) if w else nn.ReLU() for w in widths])
    before = list(cells)
    if not (isinstance(index, int) and not isinstance(index, bool)):
        with pytest.raises(TypeError, match="'CellList'"):
            del cells[index]
        assert list(cells) == before
    elif not -len(before) <= index < len(before):
        with pytest.raises(IndexError):
            del cells[index]
        assert list(cells) == before
    else:
        del cells[index]
        expected = before[:index % len(before)] + before[index % len(before) + 1:]
        assert list(cells) == expected
        dense = [(i, c) for i, c in enumerate(expected) if isinstance(c, nn.Dense)]
        assert [c.weight.name for _, c in dense] == [f"{i}.weight" for i, _ in dense]


def test_assigning_before_super_init_is_an_attribute_error():
    # mindspore/nn/cell.py v1.5.0 __setattr__: "Can not assign params before Cell.__init__() call."
    class Early(nn.Cell):
        def __init__(self):
            self.w = ms.Parameter(ms.Tensor([1.0]), name="w")
            super().__init__()

    class EarlyCell(nn.Cell):
        def __init__(self):
            self.fc = nn.Dense(1, 1)
            super().__init__()
    for cls in (Early, EarlyCell):
        for kind in (AttributeError, RuntimeError):
            with pytest.raises(kind, match="super\\(\\).__init__\\(\\)"):
                cls()


# ---- BatchNorm2d ---------------------------------------------------------------------------------
def test_batchnorm_parameters_tell_the_two_kinds_apart():
    # test_batchnorm.py::test_bn_init; normalization.py _BatchNorm.__init__
    bn = nn.BatchNorm2d(3)
    assert [p.name for p in bn.get_parameters()] == ["moving_mean", "moving_variance", "gamma", "beta"]
    assert [p.name for p in bn.trainable_params()] == ["gamma", "beta"]
    assert not bn.moving_mean.requires_grad and not bn.moving_variance.requires_grad
    np.testing.assert_array_equal(bn.moving_variance.asnumpy(), np.ones(3, np.float32))
    frozen = nn.BatchNorm2d(3, affine=False)
    assert frozen.trainable_params() == []


def _torch_bn(x, bn, training):
    tbn = torch.nn.BatchNorm2d(bn.num_features, eps=bn.eps, momentum=1 - bn.momentum)
    with torch.no_grad():
        tbn.weight.copy_(torch.tensor(bn.gamma.asnumpy()))
        tbn.bias.copy_(torch.tensor(bn.beta.asnumpy()))
        tbn.running_mean.copy_(torch.tensor(bn.moving_mean.asnumpy()))
        tbn.running_var.copy_(torch.tensor(bn.moving_variance.asnumpy()))
    tbn.train(training)
    tx = torch.tensor(x, dtype=torch.float64 if x.dtype == np.float64 else torch.float32, requires_grad=True)
    return tbn, tx


@pytest.mark.parametrize("training", [True, False])
def test_batchnorm_forward_statistics_and_gradients_match_torch(training):
    rng = np.random.default_rng(0)
    x = rng.normal(2.0, 3.0, (4, 3, 5, 2))
    bn = nn.BatchNorm2d(3, momentum=0.8, gamma_init=ms.Tensor(rng.normal(size=3)), beta_init=ms.Tensor(rng.normal(size=3)),
                        moving_mean_init=ms.Tensor(rng.normal(size=3)), moving_var_init=ms.Tensor(rng.uniform(1, 2, 3)))
    bn.set_train(training)
    head = rng.normal(size=x.shape)
    tbn, tx = _torch_bn(x, bn, training)
    tout = tbn(tx.float())
    torch_loss = (tout * torch.tensor(head, dtype=torch.float32)).sum()
    torch_loss.backward()
    xs = ms.Tensor(x, ms.float32)
    loss, grads = ms.value_and_grad(lambda t: (bn(t) * ms.Tensor(head, ms.float32)).sum(), grad_position=0,
                                    weights=bn.trainable_params())(xs)
    np.testing.assert_allclose(loss.asnumpy(), torch_loss.detach().numpy(), rtol=1e-4)
    dx, (dgamma, dbeta) = grads
    np.testing.assert_allclose(dx.asnumpy(), tx.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dgamma.asnumpy(), tbn.weight.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(dbeta.asnumpy(), tbn.bias.grad.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.moving_mean.asnumpy(), tbn.running_mean.numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.asnumpy(), tbn.running_var.numpy(), rtol=1e-5, atol=1e-5)


def test_batchnorm_moving_statistics_used_after_set_train_false():
    bn = nn.BatchNorm2d(1).set_train(True)
    x = ms.Tensor(np.array([0.0, 2.0, 4.0, 6.0], np.float32).reshape(4, 1, 1, 1))
    bn(x)
    mean, var = bn.moving_mean.asnumpy(), bn.moving_variance.asnumpy()
    np.testing.assert_allclose(mean, [0.3], rtol=1e-6)                 # 0.1 * 3
    np.testing.assert_allclose(var, [0.9 + 0.1 * 20 / 3], rtol=1e-6)  # unbiased batch variance 20/3
    bn.set_train(False)
    out = bn(x).asnumpy().ravel()
    np.testing.assert_allclose(out, (x.asnumpy().ravel() - mean) / np.sqrt(var + 1e-5), rtol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.asnumpy(), mean)     # evaluation changes nothing


@pytest.mark.parametrize("kwargs, kind", [
    ({"num_features": 0}, ValueError), ({"num_features": 2.0}, TypeError), ({"num_features": True}, TypeError),
    ({"num_features": 2, "momentum": 1.5}, ValueError), ({"num_features": 3, "momentum": -0.1}, ValueError), ({"num_features": 2, "momentum": "0.9"}, TypeError),
    ({"num_features": 2, "eps": 0}, ValueError), ({"num_features": 2, "use_batch_statistics": 1}, ValueError),
    ({"num_features": 2, "use_batch_statistics": 1}, TypeError), ({"num_features": 2, "affine": 1}, TypeError),
    ({"num_features": 2, "data_format": "NHWC"}, ValueError), ({"num_features": 2, "gamma_init": "nope"}, ValueError),
])
def test_batchnorm_bad_arguments(kwargs, kind):
    # test_batchnorm.py::test_bn_pars_valid1 / test_bn_pars_valid2; normalization.py _BatchNorm checks
    with pytest.raises(kind, match="BatchNorm2d"):
        nn.BatchNorm2d(**kwargs)


def test_batchnorm_bad_input():
    bn = nn.BatchNorm2d(2)
    with pytest.raises(ValueError, match=r"\(N, 2, H, W\)"):
        bn(ms.Tensor(np.ones((1, 3, 2, 2), np.float32)))
    with pytest.raises(TypeError, match="float Tensor"):
        bn(ms.Tensor(np.ones((1, 2, 2, 2), np.int32)))


# ---- pooling -------------------------------------------------------------------------------------
def _torch_pool(x, kernel, stride, pad_mode, kind):
    """torch's pooling with MindSpore's 'same' padding (possibly uneven) done by hand."""
    from sporelab.ops.pooling import pool_pads
    top, bottom, left, right = pool_pads(x.shape[2:], kernel, stride, pad_mode)
    if kind == "max":
        padded = F.pad(x, (left, right, top, bottom), value=-float("inf"))
        return F.max_pool2d(padded, kernel, stride)
    total = F.avg_pool2d(F.pad(x, (left, right, top, bottom)), kernel, stride, divisor_override=1)
    inside = F.pad(torch.ones_like(x[:1, :1]), (left, right, top, bottom))
    return total / F.avg_pool2d(inside, kernel, stride, divisor_override=1)


@given(h=st.integers(3, 7), w=st.integers(3, 7), kh=st.integers(1, 3), kw=st.integers(1, 3),
       sh=st.integers(1, 3), sw=st.integers(1, 3), pad_mode=st.sampled_from(["same", "valid", "SAME", "Valid"]),
       kind=st.sampled_from(["max", "avg"]), seed=st.integers(0, 1000))
@settings(max_examples=60, deadline=None)
def test_pool_shapes_values_and_gradients_match_torch(h, w, kh, kw, sh, sw, pad_mode, kind, seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, 3, h, w)).astype(np.float32)
    head = None
    layer = (nn.MaxPool2d if kind == "max" else nn.AvgPool2d)(kernel_size=(kh, kw), stride=(sh, sw), pad_mode=pad_mode)
    mode = pad_mode.lower()
    expected_hw = tuple(-(-s // st_) if mode == "same" else -(-(s - k + 1) // st_)
                        for s, k, st_ in ((h, kh, sh), (w, kw, sw)))
    out = layer(ms.Tensor(x))
    assert out.shape == (2, 3) + expected_hw
    tx = torch.tensor(x, requires_grad=True)
    tout = _torch_pool(tx, (kh, kw), (sh, sw), mode, kind)
    np.testing.assert_allclose(out.asnumpy(), tout.detach().numpy(), rtol=1e-5, atol=1e-6)
    head = rng.normal(size=out.shape).astype(np.float32)
    (tout * torch.tensor(head)).sum().backward()
    grad = ms.grad(lambda t: (layer(t) * ms.Tensor(head)).sum())(ms.Tensor(x))
    np.testing.assert_allclose(grad.asnumpy(), tx.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_pools_have_no_parameters_and_mindspores_repr():
    pool = nn.MaxPool2d(kernel_size=3, stride=2, pad_mode="same")
    assert pool.trainable_params() == [] and list(pool.get_parameters()) == []
    assert repr(pool) == "MaxPool2d<kernel_size=3, stride=2, pad_mode=SAME>"


@pytest.mark.parametrize("kwargs, kind", [
    ({"kernel_size": 0}, ValueError), ({"kernel_size": 2.0}, TypeError), ({"kernel_size": (1, 2, 3)}, ValueError),
    ({"stride": -1}, ValueError), ({"pad_mode": "pad"}, ValueError), ({"pad_mode": 1}, TypeError),
    ({"data_format": "NHWC"}, ValueError),
])
@pytest.mark.parametrize("cls", [nn.MaxPool2d, nn.AvgPool2d])
def test_pool_bad_arguments(cls, kwargs, kind):
    # pooling.py v1.5.0 _PoolNd._check_int_or_tuple (test_pooling.py::test_compile_max builds these)
    with pytest.raises(kind, match=cls.__name__):
        cls(**kwargs)


def test_pool_bad_input():
    with pytest.raises(ValueError, match="4-D"):
        nn.MaxPool2d(2)(ms.Tensor(np.ones((2, 2), np.float32)))
    with pytest.raises(ValueError, match="empty"):
        nn.AvgPool2d(5)(ms.Tensor(np.ones((1, 1, 3, 3), np.float32)))
