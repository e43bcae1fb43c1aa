"""``sporelab.nd``: the part of MXNet's NDArray namespace that Gluon's tutorials and tests use.

An NDArray here *is* a sporelab ``Tensor``: it has NDArray's attributes (``.context``,
``.as_in_context``, ``.copyto``, ``.asscalar``, ``.wait_to_read``, ``.stype``), and every op below
records on the tape, so ``autograd.record()`` differentiates through it. ``ctx=`` is accepted where
MXNet 1.9.1 takes it. The Gluon Parameter tutorial runs unchanged::

    >>> import sporelab as mx
    >>> ctx = mx.cpu(0)
    >>> x = mx.nd.zeros((16, 100), ctx=ctx)
    >>> w = mx.gluon.Parameter('fc_weight', shape=(64, 100), init=mx.init.Xavier())
    >>> b = mx.gluon.Parameter('fc_bias', shape=(64,), init=mx.init.Zero())
    >>> w.initialize(ctx=ctx)
    >>> b.initialize(ctx=ctx)
    >>> out = mx.nd.FullyConnected(x, w.data(ctx), b.data(ctx), num_hidden=64)
    >>> out.shape, out.context
    ((16, 64), cpu(0))

Not provided: sparse storage (``row_sparse``, ``csr``), the symbol API, MXNet's binary file format.
"""

from . import random
from ._creation import arange, array, empty, full, ones, ones_like, zeros, zeros_like
from ._io import load, save, waitall
from ._ops import (Convolution, FullyConnected, abs, concat, dot, exp, log, max, mean, min, relu, sigmoid,
                   split, sqrt, square, stack, sum, tanh)
from ..tensor import Tensor as NDArray

__all__ = ["NDArray", "array", "zeros", "ones", "empty", "full", "arange", "zeros_like", "ones_like",
           "random", "FullyConnected", "Convolution", "dot", "split", "concat", "stack", "exp", "log",
           "sqrt", "square", "abs", "relu", "sigmoid", "tanh", "sum", "mean", "max", "min", "waitall",
           "save", "load"]
