"""The four explorers' models compute the same numbers with gpu(0) as the default device."""

import numpy as np
import pytest

import sporelab as ms

from sporelab.widgets.convolution_model import ConvModel
from sporelab.widgets.depth_model import DepthModel
from sporelab.widgets.initializers_model import InitializerModel
from sporelab.widgets.training_model import TrainingModel


def test_convolution_model(both):
    def run():
        out = []
        for settings in ({}, {"stride": 2, "pad_mode": "valid", "dilation": 2}, {"pad_mode": "pad", "padding": 2}):
            model = ConvModel(image="checkerboard", out_channels=4, kernel_size=3)
            model.update(**settings)
            result = model.run()
            out += [result.output, result.weight, result.shape]
        return out
    both.assert_same(both.on_each(run), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", ["HeUniform", "TruncatedNormal", "Orthogonal", "Xavier"])
def test_initializer_model(name, both):
    names = InitializerModel.names()
    chosen = name if name in names else next(n for n in names if n.startswith(name))
    both.assert_same(both.on_each(lambda: InitializerModel(name=chosen, seed=4).sample()), exact=True)


@pytest.mark.parametrize("layer", ["Dense", "Conv2d"])
def test_depth_model(layer, both):
    def run():
        stats = DepthModel(depth=6, width=32, layer=layer, activation="tanh", init="xavier_uniform").stats
        return [stats.mean, stats.std, stats.hist, stats.weight_grad, stats.input_grad, stats.loss]
    cpu, gpu = both.on_each(run)
    np.testing.assert_array_equal(cpu[2], gpu[2]) if layer == "Dense" else None
    both.assert_same((cpu[:2] + cpu[3:], gpu[:2] + gpu[3:]), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("network, optimizer", [("dense", "Adam"), ("conv", "Momentum")])
def test_training_model(network, optimizer, both):
    def run():
        model = TrainingModel(network, init="he_uniform", optimizer=optimizer, learning_rate=0.05)
        losses = model.step(5)
        assert {model._param(n).device for n in model.names} == {ms.current_context()}
        return [np.asarray(losses, np.float64)] + [model.value(n) for n in model.names]
    both.assert_same(both.on_each(run), rtol=1e-4, atol=1e-6)
