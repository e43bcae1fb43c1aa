"""``Conv2d``: a 2-D convolution layer on NCHW input, with MindSpore r1.x arguments and defaults.

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab import nn
>>> net = nn.Conv2d(3, 64, 3, weight_init=ms.Tensor(np.ones([64, 3, 3, 3]), ms.float32))
>>> out = net(ms.Tensor(np.ones([1, 3, 16, 50], dtype=np.float32)))
>>> out.shape
(1, 64, 16, 50)
>>> print(out.asnumpy()[0, 0, :2, :3])       # corners see 2x2 ones per channel, edges 2x3, inside 3x3
[[12. 18. 18.]
 [18. 27. 27.]]
"""

import warnings

from ..ops.conv import (check_int_pair, check_pad_mode, check_padding, check_positive_int,
                        conv2d_checked, conv2d_pads, conv_output_size)
from .cell import Cell
from .layers import check_bool, check_input_tensor, make_parameter

__all__ = ["Conv2d"]


def _check_data_format(data_format):
    if not isinstance(data_format, str):
        raise TypeError(f"For 'Conv2d', the argument 'data_format' must be a str ('NCHW'), but got "
                        f"{type(data_format).__name__}.")
    if data_format != "NCHW":
        raise ValueError(f"For 'Conv2d', the argument 'data_format' must be 'NCHW' on this engine, but got "
                         f"{data_format!r} ('NHWC' exists only on MindSpore's GPU backend). Transpose "
                         f"NHWC input with x.transpose(0, 3, 1, 2).")
    return data_format


def _init_text(init):
    """How an init argument shows in ``repr``: a name as is, a Tensor by shape and dtype."""
    if hasattr(init, "shape") and hasattr(init, "dtype"):
        return f"Tensor(shape={init.shape}, dtype={init.dtype})"
    return str(init)


class Conv2d(Cell):
    r"""2-D convolution over an (N, C_in, H, W) input: ``y = w \star x + b``.

    Each output channel is the cross-correlation of its kernel (``C_in / group`` input channels,
    ``kh x kw`` taps) with the input, plus an optional bias. Output height (width alike)::

        'same':  H_out = ceil(H / stride_h)
        'valid': H_out = ceil((H - dilation_h * (kh - 1)) / stride_h)
        'pad':   H_out = floor((H + top + bottom - dilation_h * (kh - 1) - 1) / stride_h) + 1

    With 'same', the total padding ``max((H_out - 1) * stride_h + (kh - 1) * dilation_h + 1 - H, 0)``
    is split evenly, the odd row or column going to the bottom or right.

    Args:
        in_channels (int): C_in.
        out_channels (int): C_out.
        kernel_size: an int or (kh, kw).
        stride: an int or (sh, sw); default 1.
        pad_mode (str): 'same' (default), 'valid' or 'pad'.
        padding: with 'pad', an int or (top, bottom, left, right) of ints >= 0; otherwise 0.
        dilation: an int or (dh, dw); spacing between kernel taps; default 1.
        group (int): split channels into groups; in_channels and out_channels must divide by it.
        has_bias (bool): add a bias per output channel (default False).
        weight_init: 'normal' (default, N(0, 0.01^2)), any initializer name or Initializer, a number,
            or a Tensor of shape (out_channels, in_channels / group, kh, kw).
        bias_init: 'zeros' (default), or as weight_init with shape (out_channels,).
        data_format (str): 'NCHW' only.

    Raises:
        TypeError: an argument of the wrong type; a non-Tensor input.
        ValueError: non-positive sizes; negative padding; an unknown pad_mode; padding without
            pad_mode='pad'; channels not divisible by group; data_format other than 'NCHW'; an
            init Tensor of the wrong shape; an input that is not (N, in_channels, H, W).

    >>> from sporelab import nn
    >>> conv = nn.Conv2d(in_channels=120, out_channels=240, kernel_size=4, has_bias=True)
    >>> conv.weight.shape, conv.bias.shape
    ((240, 120, 4, 4), (240,))
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, pad_mode="same", padding=0,
                 dilation=1, group=1, has_bias=False, weight_init="normal", bias_init="zeros",
                 data_format="NCHW"):
        super().__init__()
        self.in_channels = check_positive_int(in_channels, "in_channels", "Conv2d")
        self.out_channels = check_positive_int(out_channels, "out_channels", "Conv2d")
        self.kernel_size = check_int_pair(kernel_size, "kernel_size", "Conv2d")
        self.stride = check_int_pair(stride, "stride", "Conv2d")
        self.dilation = check_int_pair(dilation, "dilation", "Conv2d")
        self._pads = check_padding(padding, "Conv2d")
        self.padding = padding
        self._mode = check_pad_mode(pad_mode, self._pads, "Conv2d")
        self.pad_mode = pad_mode
        self.group = check_positive_int(group, "group", "Conv2d")
        self._check_group()
        self.has_bias = check_bool(has_bias, "has_bias", "Conv2d")
        self.format = _check_data_format(data_format)
        # object.__setattr__: an init given as a Parameter must not be registered as one.
        object.__setattr__(self, "weight_init", weight_init)
        object.__setattr__(self, "bias_init", bias_init)
        shape = (self.out_channels, self.in_channels // self.group) + self.kernel_size
        self.weight = make_parameter(weight_init, shape, "weight", "Conv2d")
        self.bias = None
        if self.has_bias:
            self.bias = make_parameter(bias_init, (self.out_channels,), "bias", "Conv2d")
        elif not (isinstance(bias_init, str) and bias_init == "zeros"):
            warnings.warn("Value of 'has_bias' is False, value of 'bias_init' will be ignored.",
                          UserWarning, stacklevel=2)

    def _check_group(self):
        for name in ("in_channels", "out_channels"):
            if getattr(self, name) % self.group:
                raise ValueError(f"For 'Conv2d', the argument '{name}' ({getattr(self, name)}) must be "
                                 f"divisible by 'group' ({self.group}): each group sees an equal share "
                                 f"of the channels.")

    def _check_input(self, x):
        check_input_tensor(x, "Conv2d")
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(f"For 'Conv2d', the input 'x' must have shape (N, C, H, W) with C = "
                             f"in_channels = {self.in_channels}, but got shape {x.shape}.")
        pads = conv2d_pads(x.shape[2:], self.kernel_size, self.stride, self.dilation, self._mode, self._pads)
        out_hw = [conv_output_size(x.shape[2 + i], self.kernel_size[i], self.stride[i], self.dilation[i],
                                   pads[2 * i], pads[2 * i + 1]) for i in range(2)]
        if min(out_hw) < 1:
            raise ValueError(f"For 'Conv2d', the input 'x' of shape {x.shape} is too small for kernel_size="
                             f"{self.kernel_size}, dilation={self.dilation} and padding (top, bottom, left, "
                             f"right)={pads}: the output would be {out_hw[0]} x {out_hw[1]}. Use a larger "
                             f"input, a smaller kernel, or pad_mode='same'.")
        return pads

    def construct(self, x):
        pads = self._check_input(x)
        return conv2d_checked(x, self.weight, self.bias, self.stride, pads, self.dilation, self.group)

    def extend_repr(self):
        return (f"input_channels={self.in_channels}, output_channels={self.out_channels}, "
                f"kernel_size={self.kernel_size}, stride={self.stride}, pad_mode={self.pad_mode}, "
                f"padding={self.padding}, dilation={self.dilation}, group={self.group}, "
                f"has_bias={self.has_bias}, weight_init={_init_text(self.weight_init)}, "
                f"bias_init={_init_text(self.bias_init)}, format={self.format}")
