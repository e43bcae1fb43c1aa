"""2-D convolution (cross-correlation) on NCHW tensors, vectorised as im2col + one batched GEMM.

For an input ``x`` of shape (N, C, H, W) and a weight ``w`` of shape (O, C/G, kh, kw) (G groups)::

    y[n, o, i, j] = sum_{c, p, q} w[o, c, p, q] * x_pad[n, g*C/G + c, i*sh + p*dh, j*sw + q*dw]

where ``g = o // (O/G)`` is the group of output channel ``o``. Each spatial output size is::

    out = floor((size + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1

How the padding is chosen (``pad_mode``, as in MindSpore):

* ``'valid'``: no padding, so ``out = ceil((size - dilation * (kernel - 1)) / stride)``;
* ``'same'``: ``out = ceil(size / stride)``; the total padding
  ``max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)`` is split with the smaller
  half first (top/left) and the extra row or column at the bottom/right;
* ``'pad'``: the explicit ``padding`` (top, bottom, left, right).

The kernel ``conv2d_forward`` is a pure function of backend arrays; ``conv2d`` is the thin
Tensor-level wrapper that checks its arguments and promotes dtypes.

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab import ops
>>> x = ms.Tensor(np.ones((1, 1, 4, 4), np.float32))
>>> w = ms.Tensor(np.ones((1, 1, 3, 3), np.float32))
>>> print(ops.conv2d(x, w, pad_mode='same'))
[[[[4. 6. 6. 4.]
   [6. 9. 9. 6.]
   [6. 9. 9. 6.]
   [4. 6. 6. 4.]]]]
"""

import numpy as np

from .. import dtype as mstype
from .._checks import is_int as _is_int
from .._tape import needs_grad, record_op
from ..device import array_module
from ..tensor import Tensor
from . import conv_cuda

__all__ = ["conv2d", "conv2d_checked", "conv2d_forward", "conv2d_backward", "conv2d_pads", "conv_output_size",
           "same_pads", "check_positive_int", "check_int_pair", "check_padding", "check_pad_mode"]

PAD_MODES = ("same", "valid", "pad")

# The im2col copy is made for a few samples at a time so that it stays in the CPU cache while
# the GEMM reads it; 512 KiB suits a 1-2 MiB L2 and is harmless on a GPU.
CHUNK_BYTES = 1 << 19


# ---- argument checks (shared with nn.Conv2d) --------------------------------------------------
def check_positive_int(value, name, op):
    """``value`` as an int > 0; TypeError for a non-int (bool included), ValueError for <= 0."""
    if not _is_int(value):
        raise TypeError(f"For '{op}', the argument '{name}' must be a positive int, but got "
                        f"{value!r} of type {type(value).__name__}.")
    if value <= 0:
        raise ValueError(f"For '{op}', the argument '{name}' must be a positive int (> 0), but got {value}.")
    return int(value)


def check_int_pair(value, name, op):
    """An int or a 2-tuple of ints, each > 0, as a (height, width) tuple."""
    if _is_int(value):
        value = (value, value)
    if not isinstance(value, tuple) or not all(_is_int(v) for v in value):
        raise TypeError(f"For '{op}', the argument '{name}' must be a positive int or a tuple of two "
                        f"positive ints (height, width), but got {value!r} of type {type(value).__name__}.")
    if len(value) != 2 or min(value) <= 0:
        raise ValueError(f"For '{op}', the argument '{name}' must be a positive int or a tuple of two "
                         f"positive ints (height, width), but got {value!r}.")
    return int(value[0]), int(value[1])


def check_padding(value, op):
    """An int >= 0 or a 4-tuple of ints >= 0, as (top, bottom, left, right)."""
    if _is_int(value):
        value = (value,) * 4
    if not isinstance(value, tuple) or not all(_is_int(v) for v in value):
        raise TypeError(f"For '{op}', the argument 'padding' must be an int >= 0 or a tuple of four "
                        f"ints >= 0 (top, bottom, left, right), but got {value!r} of type "
                        f"{type(value).__name__}.")
    if len(value) != 4 or min(value) < 0:
        raise ValueError(f"For '{op}', the argument 'padding' must be an int >= 0 or a tuple of four "
                         f"ints >= 0 (top, bottom, left, right), but got {value!r}.")
    return tuple(int(v) for v in value)


def check_pad_mode(pad_mode, padding, op):
    """The lower-cased pad mode; non-zero ``padding`` is allowed only with 'pad'."""
    if not isinstance(pad_mode, str):
        raise TypeError(f"For '{op}', the argument 'pad_mode' must be a str, one of {PAD_MODES}, but "
                        f"got {pad_mode!r} of type {type(pad_mode).__name__}.")
    mode = pad_mode.lower()
    if mode not in PAD_MODES:
        raise ValueError(f"For '{op}', the argument 'pad_mode' must be one of {PAD_MODES}, but got {pad_mode!r}.")
    if mode != "pad" and any(padding):
        raise ValueError(f"For '{op}', the argument 'padding' must be 0 when 'pad_mode' is {pad_mode!r}, "
                         f"but got {padding}. Use pad_mode='pad' to give explicit padding.")
    return mode


# ---- shape arithmetic -------------------------------------------------------------------------
def same_pads(size, kernel, stride, dilation):
    """(before, after) padding of 'same' mode: output ceil(size / stride), extra at the end.

    >>> same_pads(16, 3, 1, 1)
    (1, 1)
    >>> same_pads(5, 2, 2, 1)      # total 1: nothing before, one after
    (0, 1)
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return total // 2, total - total // 2


def conv_output_size(size, kernel, stride, dilation, pad_before, pad_after):
    """``floor((size + pad_before + pad_after - dilation*(kernel-1) - 1) / stride) + 1``."""
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


def conv2d_pads(in_hw, kernel, stride, dilation, pad_mode, padding):
    """The (top, bottom, left, right) padding that ``pad_mode`` implies for an (H, W) input."""
    if pad_mode == "pad":
        return tuple(padding)
    if pad_mode == "valid":
        return (0, 0, 0, 0)
    top, bottom = same_pads(in_hw[0], kernel[0], stride[0], dilation[0])
    left, right = same_pads(in_hw[1], kernel[1], stride[1], dilation[1])
    return top, bottom, left, right


# ---- the kernel -------------------------------------------------------------------------------
def _pad(xp, x, pads):
    top, bottom, left, right = pads
    if not (top or bottom or left or right):
        return x
    n, c, h, w = x.shape
    out = xp.zeros((n, c, h + top + bottom, w + left + right), dtype=x.dtype)
    out[:, :, top:top + h, left:left + w] = x
    return out


def _windows(xp, x, groups, kernel, out_hw, stride, dilation):
    """A no-copy view (N, G, C/G, kh, kw, Ho, Wo) of every kernel window of the padded input."""
    n, c = x.shape[:2]
    s_n, s_c, s_h, s_w = x.strides
    shape = (n, groups, c // groups) + tuple(kernel) + tuple(out_hw)
    strides = (s_n, s_c * (c // groups), s_c, s_h * dilation[0], s_w * dilation[1],
               s_h * stride[0], s_w * stride[1])
    return xp.lib.stride_tricks.as_strided(x, shape=shape, strides=strides)


def conv2d_forward(xp, x, w, stride, pads, dilation, groups, chunk_bytes=CHUNK_BYTES):
    """The convolution of backend arrays ``x`` (N, C, H, W) and ``w`` (O, C/G, kh, kw).

    No checking is done here (``conv2d`` does it): both arrays have the same dtype, ``stride`` and
    ``dilation`` are (h, w) pairs, ``pads`` is (top, bottom, left, right) and every output size is
    at least 1. Returns a new (N, O, Ho, Wo) array of that dtype.

    The windows are gathered (im2col) a few samples at a time into a contiguous
    (n, G, C/G*kh*kw, Ho*Wo) block, and one batched matmul with the weight viewed as
    (G, O/G, C/G*kh*kw) writes the NCHW output directly, with no transpose afterwards.
    """
    n = x.shape[0]
    out_channels, _, kh, kw = w.shape
    top, bottom, left, right = pads
    out_hw = (conv_output_size(x.shape[2], kh, stride[0], dilation[0], top, bottom),
              conv_output_size(x.shape[3], kw, stride[1], dilation[1], left, right))
    windows = _windows(xp, _pad(xp, x, pads), groups, (kh, kw), out_hw, stride, dilation)
    depth = w.shape[1] * kh * kw
    pixels = out_hw[0] * out_hw[1]
    weight = w.reshape(groups, out_channels // groups, depth)
    out = xp.empty((n, groups, out_channels // groups, pixels), dtype=x.dtype)
    step = max(1, chunk_bytes // max(1, groups * depth * pixels * x.itemsize))
    for start in range(0, n, step):
        block = xp.ascontiguousarray(windows[start:start + step])
        xp.matmul(weight, block.reshape(block.shape[0], groups, depth, pixels), out=out[start:start + step])
    return out.reshape((n, out_channels) + out_hw)


# ---- the Tensor-level op ----------------------------------------------------------------------
def _check_tensor(value, name, op):
    if not isinstance(value, Tensor):
        hint = " Wrap it first: ms.Tensor(array)." if isinstance(value, np.ndarray) else ""
        raise TypeError(f"For '{op}', the argument '{name}' must be a Tensor, but got "
                        f"{type(value).__name__}.{hint}")


def _check_conv_operands(x, weight, bias, groups):
    for value, name in ((x, "input"), (weight, "weight")):
        _check_tensor(value, name, "conv2d")
        if value.ndim != 4:
            raise ValueError(f"For 'conv2d', the argument '{name}' must be 4-D, but got shape {value.shape}.")
    out_channels, in_per_group = weight.shape[:2]
    if x.shape[1] != in_per_group * groups or out_channels % groups:
        raise ValueError(f"For 'conv2d', 'input' has {x.shape[1]} channels and 'weight' has shape "
                         f"{weight.shape} with groups={groups}: the input needs weight.shape[1] * groups "
                         f"= {in_per_group * groups} channels and weight.shape[0] must divide by groups.")
    if bias is not None:
        _check_tensor(bias, "bias", "conv2d")
        if bias.shape != (out_channels,):
            raise ValueError(f"For 'conv2d', the argument 'bias' must have shape ({out_channels},), "
                             f"but got {bias.shape}.")
    for value, name in ((weight, "weight"), (bias, "bias")):
        if value is not None and value.device != x.device:
            raise ValueError(f"For 'conv2d', 'input' is on {x.device} but '{name}' is on {value.device}; "
                             f"move one with .to(ctx) first.")


def _check_output_size(x_shape, kernel, dilation, pads, out_hw, op):
    if min(out_hw) < 1:
        raise ValueError(f"For '{op}', the input 'x' of shape {x_shape} is too small for kernel_size="
                         f"{kernel} with dilation={dilation} and padding (top, bottom, left, right)="
                         f"{pads}: the output would be {out_hw[0]} x {out_hw[1]}. Use a larger input, a "
                         f"smaller kernel, or more padding (pad_mode='same').")


def conv2d(input, weight, bias=None, stride=1, pad_mode="valid", padding=0, dilation=1, groups=1):
    """2-D convolution of an NCHW Tensor: ``y = w (*) x + b`` (cross-correlation, as in MindSpore).

    Args:
        input (Tensor): (N, C_in, H, W).
        weight (Tensor): (C_out, C_in / groups, kh, kw).
        bias (Tensor): (C_out,) or None.
        stride, dilation: an int or an (h, w) tuple of positive ints.
        pad_mode (str): 'valid' (default), 'same' or 'pad' (see the module docstring).
        padding: with 'pad': an int >= 0 or (top, bottom, left, right); otherwise 0.
        groups (int): channels are split into this many independent groups.

    Returns:
        Tensor (N, C_out, H_out, W_out) of the promoted dtype of input and weight (and bias), with
        ``H_out = floor((H + top + bottom - dilation_h * (kh - 1) - 1) / stride_h) + 1``.

    Raises:
        TypeError: a non-Tensor operand; an argument of the wrong type.
        ValueError: wrong ranks or channel counts; bad stride/dilation/padding/pad_mode; an
            output that would be empty.
    """
    stride = check_int_pair(stride, "stride", "conv2d")
    dilation = check_int_pair(dilation, "dilation", "conv2d")
    padding = check_padding(padding, "conv2d")
    mode = check_pad_mode(pad_mode, padding, "conv2d")
    groups = check_positive_int(groups, "groups", "conv2d")
    _check_conv_operands(input, weight, bias, groups)
    kernel = weight.shape[2:]
    pads = conv2d_pads(input.shape[2:], kernel, stride, dilation, mode, padding)
    out_hw = tuple(conv_output_size(input.shape[2 + i], kernel[i], stride[i], dilation[i],
                                    pads[2 * i], pads[2 * i + 1]) for i in range(2))
    _check_output_size(input.shape, kernel, dilation, pads, out_hw, "conv2d")
    return conv2d_checked(input, weight, bias, stride, pads, dilation, groups)


def conv2d_checked(x, weight, bias, stride, pads, dilation, groups):
    """The Tensor-level convolution once the arguments are known to be valid (``conv2d`` and
    ``nn.Conv2d`` check them): explicit ``pads`` (top, bottom, left, right), dtype promotion,
    the kernel, the bias."""
    dtype = weight.dtype if x.dtype is weight.dtype else mstype.promote(x.dtype, weight.dtype)
    if bias is not None and bias.dtype is not dtype:
        dtype = mstype.promote(dtype, bias.dtype)
    xp = array_module(x.device)
    x_arr = x._array.astype(dtype.nptype, copy=False)
    w_arr = weight._array.astype(dtype.nptype, copy=False)
    b_arr = None if bias is None else bias._array.astype(dtype.nptype, copy=False)
    fused = conv_cuda.available(xp, dtype.nptype)      # a GPU: one fused kernel per pass
    backward = conv_cuda.backward if fused else conv2d_backward
    if fused:
        out_hw = tuple(conv_output_size(x.shape[2 + i], w_arr.shape[2 + i], stride[i], dilation[i],
                                        pads[2 * i], pads[2 * i + 1]) for i in range(2))
        out = conv_cuda.forward(xp, x_arr, w_arr, b_arr, stride, pads, dilation, groups, out_hw)
    else:
        out = conv2d_forward(xp, x_arr, w_arr, stride, pads, dilation, groups)
        if b_arr is not None:
            out += b_arr.reshape(1, -1, 1, 1)
    result = Tensor._wrap(out, dtype, x.device)
    if dtype.kind == "f":
        geometry = (stride, pads, dilation, groups)
        record_op(result, (x, weight, bias),
                  lambda g: backward(xp, g, x_arr, w_arr, *geometry, input_grad=needs_grad(x)), saved=(x, weight))
    return result


def conv2d_backward(xp, g, x, w, stride, pads, dilation, groups, chunk_bytes=CHUNK_BYTES, input_grad=True):
    """Gradients (dx, dw, db) of ``conv2d_forward`` for the output gradient ``g`` (N, O, Ho, Wo);
    dx is None when ``input_grad`` is False (the input is data, as in a first layer).

    With the im2col columns ``X`` (n, G, K, P) and the weight ``W`` (G, O/G, K):
    ``dW = sum_n g X^T``, ``dX = W^T g`` scattered back onto the input windows (col2im), and
    ``db = sum_{n,i,j} g``. Work is done a few samples at a time, as in the forward pass.
    """
    n, out_channels, out_h, out_w = g.shape
    kh, kw = w.shape[2:]
    padded = _pad(xp, x, pads)
    windows = _windows(xp, padded, groups, (kh, kw), (out_h, out_w), stride, dilation)
    depth, pixels = w.shape[1] * kh * kw, out_h * out_w
    weight = w.reshape(groups, out_channels // groups, depth)
    grads = g.reshape(n, groups, out_channels // groups, pixels)
    dw = xp.zeros_like(weight)
    dpad = xp.zeros_like(padded) if input_grad else None
    step = max(1, chunk_bytes // max(1, groups * depth * pixels * x.itemsize))
    for start in range(0, n, step):
        stop = min(n, start + step)
        block = xp.ascontiguousarray(windows[start:stop]).reshape(stop - start, groups, depth, pixels)
        dw += xp.matmul(grads[start:stop], block.swapaxes(-1, -2)).sum(axis=0)
        if input_grad:
            dcols = xp.matmul(weight.swapaxes(-1, -2), grads[start:stop])
            _col2im(dpad[start:stop], dcols, (kh, kw), (out_h, out_w), stride, dilation)
    if not input_grad:
        return None, dw.reshape(w.shape), g.sum(axis=(0, 2, 3))
    top, bottom, left, right = pads
    dx = dpad[:, :, top:dpad.shape[2] - bottom, left:dpad.shape[3] - right]
    return dx, dw.reshape(w.shape), g.sum(axis=(0, 2, 3))


def _col2im(dpad, dcols, kernel, out_hw, stride, dilation):
    """Add the column gradients (n, G, C/G*kh*kw, Ho*Wo) back onto the padded input gradient; one
    strided slice per kernel tap, so there is no loop over pixels or channels."""
    n, c = dpad.shape[:2]
    cols = dcols.reshape((n, c) + tuple(kernel) + tuple(out_hw))
    (sh, sw), (dh, dw) = stride, dilation
    for p in range(kernel[0]):
        for q in range(kernel[1]):
            rows = slice(p * dh, p * dh + sh * (out_hw[0] - 1) + 1, sh)
            columns = slice(q * dw, q * dw + sw * (out_hw[1] - 1) + 1, sw)
            dpad[:, :, rows, columns] += cols[:, :, p, q]
