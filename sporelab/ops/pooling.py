"""2-D max and average pooling on NCHW input, with MindSpore's ``pad_mode`` and their backward.

Output height (width alike), as MindSpore v1.5.0 computes it (kungfu-team/mindspore, tag v1.5.0,
``mindspore/ops/operations/nn_ops.py``, ``_Pool.infer_shape``)::

    'valid': H_out = ceil((H - kh + 1) / sh)
    'same':  H_out = ceil(H / sh), padding max((H_out - 1) * sh + kh - H, 0) split as conv2d's

Padded cells never win a max and are not counted in an average (MindSpore's CPU and GPU kernels
average over the cells inside the input only, as ``torch.nn.AvgPool2d(count_include_pad=False)``).

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab.ops import pooling
>>> x = ms.Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
>>> print(pooling.max_pool2d(x, 2, 2, "valid").asnumpy()[0, 0])
[[ 5.  7.]
 [13. 15.]]
>>> print(pooling.avg_pool2d(x, 3, 2, "same").asnumpy()[0, 0])
[[ 5.   6.5]
 [11.  12.5]]
"""

from .._tape import record_op
from ..device import array_module
from ..tensor import Tensor
from .conv import check_int_pair, same_pads

__all__ = ["check_pool_pad_mode", "pool_output_size", "pool_pads", "max_pool2d", "avg_pool2d"]

POOL_PAD_MODES = ("same", "valid")


def check_pool_pad_mode(pad_mode, op):
    """'same' or 'valid' (any case), lower-cased; TypeError for a non-str, ValueError otherwise."""
    if not isinstance(pad_mode, str):
        raise TypeError(f"For '{op}', the argument 'pad_mode' must be a str, 'same' or 'valid', but got "
                        f"{pad_mode!r} of type {type(pad_mode).__name__}.")
    if pad_mode.lower() not in POOL_PAD_MODES:
        raise ValueError(f"For '{op}', the argument 'pad_mode' must be 'same' or 'valid', but got {pad_mode!r}.")
    return pad_mode.lower()


def pool_output_size(size, kernel, stride, pad_mode):
    """One output dimension: ``ceil(size / stride)`` ('same') or ``ceil((size - kernel + 1) / stride)``."""
    if pad_mode == "same":
        return -(-size // stride)
    return -(-(size - kernel + 1) // stride)


def pool_pads(in_hw, kernel, stride, pad_mode):
    """(top, bottom, left, right) padding for ``pad_mode``."""
    if pad_mode == "valid":
        return (0, 0, 0, 0)
    return same_pads(in_hw[0], kernel[0], stride[0], 1) + same_pads(in_hw[1], kernel[1], stride[1], 1)


def _geometry(x, kernel_size, stride, pad_mode, op):
    if not isinstance(x, Tensor):
        raise TypeError(f"For '{op}', the input 'x' must be a Tensor, but got {type(x).__name__}.")
    if x.ndim != 4:
        raise ValueError(f"For '{op}', the input 'x' must be 4-D (N, C, H, W), but got shape {x.shape}.")
    if x.dtype.kind != "f":
        raise TypeError(f"For '{op}', the input 'x' must be a float tensor, but got dtype {x.dtype}.")
    kernel = check_int_pair(kernel_size, "kernel_size", op)
    stride = check_int_pair(stride, "stride", op)
    mode = check_pool_pad_mode(pad_mode, op)
    out_hw = tuple(pool_output_size(x.shape[2 + i], kernel[i], stride[i], mode) for i in range(2))
    if min(out_hw) <= 0:
        raise ValueError(f"For '{op}', the kernel {kernel} is larger than the input {x.shape[2:]} with "
                         f"pad_mode='valid': the output would be empty.")
    return kernel, stride, pool_pads(x.shape[2:], kernel, stride, mode), out_hw


def _offsets(kernel, stride, out_hw):
    """Each kernel tap (i, j) and the slices of the padded input it sees across the output grid."""
    for i in range(kernel[0]):
        for j in range(kernel[1]):
            yield (slice(None), slice(None), slice(i, i + stride[0] * (out_hw[0] - 1) + 1, stride[0]),
                   slice(j, j + stride[1] * (out_hw[1] - 1) + 1, stride[1]))


def _padded(xp, x, pads, value):
    top, bottom, left, right = pads
    n, c, h, w = x.shape
    out = xp.full((n, c, h + top + bottom, w + left + right), value, dtype=x.dtype)
    out[:, :, top:top + h, left:left + w] = x
    return out


def _unpad(padded, pads):
    top, bottom, left, right = pads
    return padded[:, :, top:padded.shape[2] - bottom, left:padded.shape[3] - right]


def max_pool2d(x, kernel_size=1, stride=1, pad_mode="valid"):
    """The maximum of each window; the gradient goes to the first maximum of its window (as torch)."""
    kernel, stride, pads, out_hw = _geometry(x, kernel_size, stride, pad_mode, "MaxPool2d")
    xp = array_module(x.device)
    padded = _padded(xp, x._array, pads, -xp.inf)
    taps = list(_offsets(kernel, stride, out_hw))
    out = padded[taps[0]].copy()
    for tap in taps[1:]:
        xp.maximum(out, padded[tap], out=out)

    def backward(g):
        grad, taken = xp.zeros_like(padded), xp.zeros(out.shape, dtype=bool)
        for tap in taps:
            first = (padded[tap] == out) & ~taken
            grad[tap] += g * first
            taken |= first
        return (_unpad(grad, pads),)
    return record_op(Tensor._wrap(out, x.dtype, x.device), (x,), backward, saved=(x,))


def avg_pool2d(x, kernel_size=1, stride=1, pad_mode="valid"):
    """The mean of each window over its cells inside the input (padding is not counted)."""
    kernel, stride, pads, out_hw = _geometry(x, kernel_size, stride, pad_mode, "AvgPool2d")
    xp = array_module(x.device)
    padded = _padded(xp, x._array, pads, 0)
    inside = _padded(xp, xp.ones(x.shape[2:], dtype=x._array.dtype)[None, None], pads, 0)
    taps = list(_offsets(kernel, stride, out_hw))
    total, count = xp.zeros_like(padded[taps[0]]), xp.zeros_like(inside[taps[0]])
    for tap in taps:
        total += padded[tap]
        count += inside[tap]
    out = total / count

    def backward(g):
        grad, share = xp.zeros_like(padded), g / count
        for tap in taps:
            grad[tap] += share
        return (_unpad(grad, pads),)
    return record_op(Tensor._wrap(out, x.dtype, x.device), (x,), backward, saved=())
