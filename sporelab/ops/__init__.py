"""Functional kernels: each op is a pure function of backend arrays plus a thin Tensor wrapper.

The array kernels (``conv2d_forward(xp, ...)``, ``relu_forward(xp, x)``, ...) take the array module
``xp`` from ``sporelab.device.array_module(tensor.device)``, so the same code runs on NumPy and on
CuPy. The wrappers (``conv2d``, ``relu``, ``sigmoid``, ``tanh``) check their arguments, promote
dtypes and return Tensors on the input's device.

>>> import sporelab as ms
>>> from sporelab import ops
>>> print(ops.relu(ms.Tensor([-1.5, 2.0])))
[0. 2.]
"""

from .activations import relu, relu_forward, sigmoid, sigmoid_forward, tanh, tanh_forward
from .conv import conv2d, conv2d_forward, conv2d_pads, conv_output_size, same_pads
from .comm import AllGather, AllReduce, Broadcast, ReduceOp

__all__ = ["conv2d", "conv2d_forward", "conv2d_pads", "conv_output_size", "same_pads",
           "relu", "sigmoid", "tanh", "relu_forward", "sigmoid_forward", "tanh_forward",
           "AllReduce", "AllGather", "Broadcast", "ReduceOp"]
