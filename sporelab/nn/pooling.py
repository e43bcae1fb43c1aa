"""``MaxPool2d`` and ``AvgPool2d``: pooling layers with MindSpore r1.x arguments; no parameters.

A teacher shows them next to Dense and Conv2d: they change the shape of what flows through the
network, but nothing in them learns (``trainable_params()`` is empty). Arguments, defaults, checks
and output shapes follow kungfu-team/mindspore, tag v1.5.0, ``mindspore/nn/layer/pooling.py``.

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab import nn
>>> pool = nn.MaxPool2d(kernel_size=3, stride=1)
>>> pool(ms.Tensor(np.ones((1, 2, 4, 4), np.float32))).shape
(1, 2, 2, 2)
>>> pool.trainable_params()
[]
"""

from ..ops import pooling
from ..ops.conv import check_int_pair
from .cell import Cell

__all__ = ["MaxPool2d", "AvgPool2d"]


def _check_data_format(data_format, op):
    if not isinstance(data_format, str):
        raise TypeError(f"For '{op}', the argument 'data_format' must be a str ('NCHW'), but got "
                        f"{type(data_format).__name__}.")
    if data_format != "NCHW":
        raise ValueError(f"For '{op}', the argument 'data_format' must be 'NCHW' on this engine, but got "
                         f"{data_format!r} ('NHWC' exists only on MindSpore's GPU backend).")


class _Pool2d(Cell):
    """What both pools share: the checked geometry and MindSpore's repr."""

    _kernel = None

    def __init__(self, kernel_size=1, stride=1, pad_mode="valid", data_format="NCHW"):
        op = type(self).__name__
        check_int_pair(kernel_size, "kernel_size", op)
        check_int_pair(stride, "stride", op)
        mode = pooling.check_pool_pad_mode(pad_mode, op)
        _check_data_format(data_format, op)
        super().__init__()
        self.kernel_size, self.stride, self.pad_mode, self.format = kernel_size, stride, mode.upper(), data_format

    def extend_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode={self.pad_mode}"

    def construct(self, x):
        return type(self)._kernel(x, self.kernel_size, self.stride, self.pad_mode)


class MaxPool2d(_Pool2d):
    """The maximum of each ``kernel_size`` window, moved by ``stride``, over (N, C, H, W) input.

    Args:
        kernel_size: an int or (kh, kw), each > 0; default 1.
        stride: an int or (sh, sw), each > 0; default 1.
        pad_mode (str): 'valid' (no padding; ``H_out = ceil((H - kh + 1) / sh)``) or 'same'
            (``H_out = ceil(H / sh)``, padded cells never win); any case; default 'valid'.
        data_format (str): 'NCHW'.

    Raises:
        TypeError: a non-int size or stride; a non-str pad_mode; input that is not a float Tensor.
        ValueError: a size or stride <= 0; another pad_mode; input that is not 4-D or too small.

    >>> import numpy as np
    >>> import sporelab as ms
    >>> from sporelab import nn
    >>> x = ms.Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
    >>> print(nn.MaxPool2d(2, 2)(x))
    [[[[ 5.  7.]
       [13. 15.]]]]
    """

    _kernel = staticmethod(pooling.max_pool2d)


class AvgPool2d(_Pool2d):
    """The mean of each ``kernel_size`` window, moved by ``stride``, over (N, C, H, W) input.

    Arguments and errors as ``MaxPool2d``; with 'same', padded cells are not counted in the mean.

    >>> import numpy as np
    >>> import sporelab as ms
    >>> from sporelab import nn
    >>> x = ms.Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
    >>> print(nn.AvgPool2d(kernel_size=2, stride=2, pad_mode="same")(x))
    [[[[ 2.5  4.5]
       [10.5 12.5]]]]
    """

    _kernel = staticmethod(pooling.avg_pool2d)
