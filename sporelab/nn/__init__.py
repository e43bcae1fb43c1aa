"""Neural-network building blocks: ``Cell`` and its parameter bookkeeping, layers, ``ParameterUpdate``.

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab import nn
>>> net = nn.SequentialCell([nn.Dense(3, 4), nn.ReLU(), nn.Dense(4, 2)])
>>> list(net.parameters_dict())
['0.weight', '0.bias', '2.weight', '2.bias']
>>> net(ms.Tensor(np.ones((5, 3), np.float32))).shape
(5, 2)
"""

from .cell import Cell
from .container import CellList, SequentialCell
from .conv import Conv2d
from .normalization import BatchNorm2d
from .pooling import AvgPool2d, MaxPool2d
from .layers import Dense, Flatten, ReLU, Sigmoid, Tanh, get_activation
from .parameter_update import ParameterUpdate
from .loss import LossBase, MSELoss, L1Loss, SoftmaxCrossEntropyWithLogits
from .optim import Optimizer, SGD, Momentum, Adam
from .wrap import WithLossCell, TrainOneStepCell
from .grad_reducer import DistributedGradReducer

__all__ = ["Cell", "SequentialCell", "CellList", "Dense", "Flatten", "ReLU", "Sigmoid", "Tanh", "get_activation",
           "Conv2d", "BatchNorm2d", "MaxPool2d", "AvgPool2d", "ParameterUpdate", "LossBase", "MSELoss", "L1Loss",
           "SoftmaxCrossEntropyWithLogits",
           "Optimizer", "SGD", "Momentum", "Adam", "WithLossCell", "TrainOneStepCell",
           "DistributedGradReducer"]
