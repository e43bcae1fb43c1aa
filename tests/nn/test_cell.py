"""Cell bookkeeping: attribute routing, names and prefixes, parameter walks, reprs, SequentialCell."""

from collections import OrderedDict

import numpy as np
import pytest

import sporelab as ms
from sporelab import nn


class Net(nn.Cell):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Dense(3, 4)
        self.act = nn.ReLU()
        self.fc2 = nn.Dense(4, 2)
        self.scale = ms.Parameter(ms.Tensor(np.ones(2, np.float32)))

    def construct(self, x):
        return self.fc2(self.act(self.fc1(x))) * self.scale


# ---- names and walks ------------------------------------------------------------------------
def test_child_parameters_get_attribute_prefixes():
    net = Net()
    assert list(net.parameters_dict()) == ["scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    assert [name for name, _ in net.parameters_and_names()] == list(net.parameters_dict())
    assert net.fc1.weight.name == "fc1.weight"
    assert net.scale.name == "scale"                 # renamed from the default 'Parameter'
    assert list(net.parameters_dict(recurse=False)) == ["scale"]
    assert net(ms.Tensor(np.ones((5, 3), np.float32))).shape == (5, 2)


def test_parameters_and_names_with_prefix_and_nesting():
    outer = nn.Cell()
    outer.body = Net()
    assert [n for n, _ in outer.parameters_and_names()] == [
        "body.scale", "body.fc1.weight", "body.fc1.bias", "body.fc2.weight", "body.fc2.bias"]
    assert [p.name for p in outer.get_parameters()][1] == "body.fc1.weight"
    assert [n for n, _ in outer.parameters_and_names(name_prefix="net")][0] == "net.body.scale"
    assert list(outer.parameters_and_names(expand=False)) == []


def test_shared_parameters_are_listed_once():
    net = nn.Cell()
    net.a = nn.Dense(2, 2)
    net.b = nn.Cell()
    net.b.w = net.a.weight                           # the same object under a second path
    names = [n for n, _ in net.parameters_and_names()]
    assert names == ["a.weight", "a.bias"]
    assert len(list(net.get_parameters())) == 2


def test_cells_and_names_and_name_cells():
    net = Net()
    assert [n for n, _ in net.cells_and_names()] == ["", "fc1", "act", "fc2"]
    assert [n for n, _ in net.cells_and_names(name_prefix="net")] == ["net", "net.fc1", "net.act", "net.fc2"]
    assert list(net.name_cells()) == ["fc1", "act", "fc2"]
    assert list(net.cells()) == [net.fc1, net.act, net.fc2]
    seq = nn.SequentialCell([nn.Dense(2, 2)])
    shared = nn.Cell()
    shared.x, shared.y = seq, seq
    assert [n for n, _ in shared.cells_and_names()] == ["", "x", "x.0"]
    assert list(shared.name_cells()) == ["x"]


def test_trainable_and_untrainable():
    net = Net()
    net.fc1.bias.requires_grad = False
    assert [p.name for p in net.trainable_params()] == ["scale", "fc1.weight", "fc2.weight", "fc2.bias"]
    assert [p.name for p in net.untrainable_params()] == ["fc1.bias"]
    assert [p.name for p in net.trainable_params(recurse=False)] == ["scale"]
    assert net.untrainable_params(recurse=False) == []


def test_update_parameters_name():
    net = Net()
    net.update_parameters_name("model.")
    assert list(net.parameters_dict())[:2] == ["model.scale", "model.fc1.weight"]
    net.update_parameters_name("")
    assert list(net.parameters_dict())[:2] == ["scale", "fc1.weight"]
    net.update_parameters_name("x", recurse=False)
    assert net.scale.name == "xscale" and net.fc1.weight.name == "fc1.weight"
    for good in ("12_sf.asdf_", "x12_sf.asdf.", "_x12_sf.asdf"):
        net.update_parameters_name(good)
    for bad in (".12_sf.asdf", "12_sf.a$sdf.", "12+sf.asdf", "né."):
        with pytest.raises(ValueError, match="'prefix'"):
            net.update_parameters_name(bad)
    with pytest.raises(TypeError, match="'prefix'"):
        net.update_parameters_name(3)


def test_check_names_finds_duplicates():
    net = nn.Cell()
    net.a = ms.Parameter(1.0, name="same")
    net.b = ms.Parameter(2.0, name="same")
    assert list(net.parameters_dict()) == ["same"]        # keyed by name: the second wins
    with pytest.raises(ValueError, match="its name 'same' already exists"):
        net.check_names()
    Net().check_names()


# ---- attribute routing ----------------------------------------------------------------------
def test_tensor_assigned_to_a_parameter_attribute_calls_set_data():
    net = nn.Dense(3, 4)
    weight = net.weight
    net.weight = ms.Tensor(np.arange(12).reshape(4, 3), ms.float32)
    assert net.weight is weight and net.weight.name == "weight"
    np.testing.assert_array_equal(weight.asnumpy(), np.arange(12).reshape(4, 3))
    net.weight = ms.Tensor(np.ones((4, 3), np.int32))          # lower rank: cast to Float32
    assert weight.dtype == ms.float32
    before = weight.asnumpy().copy()
    with pytest.raises(ValueError, match="Can not change the shape"):
        net.weight = ms.Tensor(np.ones((3, 4), np.float32))
    with pytest.raises(TypeError, match="can not be converted"):
        net.weight = ms.Tensor(np.ones((4, 3), np.float64))
    with pytest.raises(TypeError, match="'weight' is a Parameter"):
        net.weight = np.ones((4, 3))
    assert weight.asnumpy().tobytes() == before.tobytes()


def test_parameter_replacement_and_none():
    net = nn.Dense(3, 4)
    new = ms.Parameter(ms.Tensor(np.zeros((4,), np.float32)))
    net.bias = new
    assert net.bias is new and new.name == "bias"
    net.bias = None
    assert net.bias is None and list(net.parameters_dict()) == ["weight"]
    net.bias = ms.Parameter(ms.Tensor(np.zeros(4, np.float32)), name="b2")
    assert net.parameters_dict()["b2"] is net.bias


def test_parameter_tuple_attribute():
    cell = nn.Cell()
    a, b = ms.Parameter(1.0, name="a"), ms.Parameter(2.0, name="b.c")
    cell.pair = ms.ParameterTuple((a, b))
    assert list(cell.parameters_dict()) == ["a", "b.c"]
    assert cell.pair == (a, b)
    anon = nn.Cell()
    anon.items = ms.ParameterTuple((ms.Parameter(1.0),))
    anon.more = ms.ParameterTuple((ms.Parameter(2.0),))
    assert list(anon.parameters_dict()) == ["Parameter$1", "Parameter$2"]


def test_routing_errors():
    net = Net()
    with pytest.raises(TypeError, match="'fc1' is a child Cell"):
        net.fc1 = ms.Parameter(1.0)
    with pytest.raises(TypeError, match="'scale' is a Parameter"):
        net.scale = nn.ReLU()
    with pytest.raises(TypeError, match="'act' is a child Cell.*got int"):
        net.act = 3
    net.act = None
    assert net.act is None and list(net.name_cells()) == ["fc1", "fc2"]
    net.plain = 5
    with pytest.raises(TypeError, match="'plain' is already a plain attribute"):
        net.plain = ms.Parameter(1.0)
    child = nn.Dense(1, 1)
    with pytest.raises(ValueError, match="'attribute name'"):
        net.dénse = child                  # names must be ASCII to prefix parameters
    assert child.weight.name == "weight" and "dénse" not in net.name_cells()


def test_insert_param_to_cell_errors():
    cell = nn.Cell()
    p = ms.Parameter(1.0)
    with pytest.raises(KeyError, match="should not be empty"):
        cell.insert_param_to_cell("", p)
    with pytest.raises(KeyError, match="should not contain '.'"):
        cell.insert_param_to_cell("a.b", p)
    cell.insert_param_to_cell("a.b", p, check_name_contain_dot=False)
    assert cell.parameters_dict()["a.b"] is p and p.name == "a.b"
    cell.other = 3
    with pytest.raises(KeyError, match="'other' is already an attribute"):
        cell.insert_param_to_cell("other", ms.Parameter(1.0))
    with pytest.raises(KeyError, match="'training' is already an attribute"):
        cell.insert_param_to_cell("training", ms.Parameter(1.0))
    with pytest.raises(TypeError, match="'param' must be a Parameter"):
        cell.insert_param_to_cell("t", ms.Tensor(1.0))
    with pytest.raises(TypeError, match="'param_name' must be a str"):
        cell.insert_param_to_cell(1, p)


def test_insert_child_to_cell():
    cell = nn.Cell()
    child = nn.Dense(2, 2)
    cell.insert_child_to_cell("head", child)
    assert cell.head is child and child.weight.name == "weight"      # no prefixing here
    with pytest.raises(KeyError):
        cell.insert_child_to_cell("a.b", nn.ReLU())
    with pytest.raises(KeyError):
        cell.insert_child_to_cell("", nn.ReLU())
    with pytest.raises(TypeError, match="'child_cell' must be a Cell"):
        cell.insert_child_to_cell("c", 3)


def test_getattr_delattr_and_dir():
    net = Net()
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nothing'"):
        net.nothing
    del net.fc2
    del net.scale
    assert "fc2" not in net.name_cells() and "scale" not in net.parameters_dict()
    assert "fc1" in dir(net)
    net.x = 1
    del net.x
    assert not hasattr(net, "x")


def test_forgetting_super_init_is_explained():
    class Forgetful(nn.Cell):
        def __init__(self):
            self.fc = nn.Dense(2, 2)

    with pytest.raises(RuntimeError, match="must call super\\(\\).__init__\\(\\)"):
        Forgetful()


def test_construct_must_be_defined():
    with pytest.raises(NotImplementedError, match="Define `def construct\\(self, x\\)"):
        nn.Cell()(1)


def test_auto_prefix_false_keeps_child_names():
    cell = nn.Cell(auto_prefix=False)
    cell.fc = nn.Dense(2, 2)
    assert list(cell.parameters_dict()) == ["weight", "bias"]
    with pytest.raises(TypeError, match="'auto_prefix'"):
        nn.Cell(auto_prefix=1)


def test_set_train_and_init_parameters_data():
    net = Net()
    assert net.training is False
    assert net.set_train() is net
    assert all(cell.training for _, cell in net.cells_and_names())
    net.set_train(False)
    assert not net.fc1.training
    with pytest.raises(TypeError, match="'mode'"):
        net.set_train("yes")
    replaced = net.init_parameters_data()
    assert all(old is new for old, new in replaced.items()) and len(replaced) == 5


# ---- reprs ----------------------------------------------------------------------------------
def test_reprs():
    assert repr(nn.ReLU()) == "ReLU<>"
    seq = nn.SequentialCell([nn.Dense(3, 4), nn.ReLU()])
    assert repr(seq) == ("SequentialCell<\n  (0): Dense<input_channels=3, output_channels=4, has_bias=True>\n"
                         "  (1): ReLU<>\n  >")
    assert repr(Net()) == ("Net<\n  (fc1): Dense<input_channels=3, output_channels=4, has_bias=True>\n"
                           "  (act): ReLU<>\n  (fc2): Dense<input_channels=4, output_channels=2, has_bias=True>\n  >")
    outer = nn.SequentialCell([seq])
    assert repr(outer) == ("SequentialCell<\n  (0): SequentialCell<\n"
                           "    (0): Dense<input_channels=3, output_channels=4, has_bias=True>\n"
                           "    (1): ReLU<>\n    >\n  >")


# ---- SequentialCell -------------------------------------------------------------------------
def test_sequential_cell_names_and_forward():
    seq = nn.SequentialCell([nn.Dense(3, 4), nn.ReLU(), nn.Dense(4, 2)])
    assert list(seq.parameters_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert len(seq) == 3 and isinstance(seq[1], nn.ReLU) and seq[-1] is seq[2]
    assert seq(ms.Tensor(np.ones((5, 3), np.float32))).shape == (5, 2)
    sliced = seq[1:]
    assert len(sliced) == 2 and list(sliced.parameters_dict()) == ["1.weight", "1.bias"]
    seq.append(nn.Sigmoid())
    assert len(seq) == 4 and list(seq.name_cells())[-1] == "3"
    with pytest.raises(IndexError, match="out of range"):
        seq[7]
    with pytest.raises(TypeError, match="int or a slice"):
        seq["0"]


def test_sequential_cell_from_ordered_dict_and_args():
    seq = nn.SequentialCell(OrderedDict([("conv", nn.Conv2d(1, 2, 3)), ("act", nn.ReLU())]))
    assert list(seq.parameters_dict()) == ["conv.weight"]
    assert list(seq.name_cells()) == ["conv", "act"]
    assert list(nn.SequentialCell(nn.Dense(1, 1), nn.ReLU()).name_cells()) == ["0", "1"]
    assert len(nn.SequentialCell()) == 0
    inner = nn.SequentialCell([nn.Dense(1, 1)])
    outer = nn.Cell()
    outer.block = inner
    assert list(outer.parameters_dict()) == ["block.0.weight", "block.0.bias"]


def test_sequential_cell_errors():
    with pytest.raises(TypeError, match="element '1' is int"):
        nn.SequentialCell([nn.ReLU(), 3])
    with pytest.raises(TypeError, match="list of Cells"):
        nn.SequentialCell(3)
    with pytest.raises(TypeError, match="every element must be a Cell"):
        nn.SequentialCell().append("relu")
