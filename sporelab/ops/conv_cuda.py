"""Conv2d on a GPU: the fused direct-convolution kernels of ``conv_kernels``, launched through CuPy.

At the small shapes of teaching networks a convolution is launch-bound: im2col + GEMM + reshapes
cost several launches and copies each. Here each pass is one launch of one kernel (forward with the
bias fused in, backward to the data, backward to the weight; the weight pass adds one reduction over
its sample splits when it needs more threads than the weight has values, and the bias gradient is
one reduction). CuPy 14 ships no cuDNN binding, so this is the path on every CuPy GPU.

``available(xp, dtype)`` says whether the kernels serve an array module and dtype: a CuPy-like
module with ``RawModule`` (real CuPy; the tests' stand-in GPU provides a host-compiled one) and
float32 or float64 data. Anything else takes the generic im2col path in ``ops.conv``.
"""

import numpy as np

from . import conv_kernels

__all__ = ["available", "forward", "backward"]

THREADS = 256
MAX_BLOCKS = 1 << 20            # a grid-stride loop covers any larger total
WEIGHT_THREADS = 1 << 17        # split the weight pass over samples until about this many threads
_modules = {}
_functions = {}


def available(xp, dtype):
    """True when ``xp`` can launch the fused kernels for ``dtype`` (a NumPy dtype)."""
    return hasattr(xp, "RawModule") and conv_kernels.kernel_name("forward", np.dtype(dtype).name) is not None


def _kernel(xp, kind, dtype):
    """The compiled kernel on the current device (compiled once per process, loaded once per device;
    CuPy also caches the compiled binary on disk)."""
    key = (id(xp), xp.cuda.Device().id, kind, dtype)
    function = _functions.get(key)
    if function is None:
        module = _modules.get(id(xp))
        if module is None:
            module = _modules[id(xp)] = (xp, xp.RawModule(code=conv_kernels.SOURCE, options=("--std=c++14",)))
        function = _functions[key] = module[1].get_function(conv_kernels.kernel_name(kind, np.dtype(dtype).name))
    return function


def _contiguous(xp, a):
    return a if a.flags.c_contiguous else xp.ascontiguousarray(a)


def _launch(xp, kind, dtype, total, args):
    blocks = max(1, min(-(-total // THREADS), MAX_BLOCKS))
    _kernel(xp, kind, dtype)((blocks,), (THREADS,), args)


def _geometry(x_shape, w_shape, out_hw, stride, pads, dilation, groups):
    (_, c, h, w), (o, _, kh, kw) = x_shape, w_shape
    return tuple(np.int32(v) for v in (c, h, w, o, kh, kw, *out_hw, *stride, *dilation, pads[0], pads[2], groups))


def forward(xp, x, w, bias, stride, pads, dilation, groups, out_hw):
    """``y`` (N, O, OH, OW) of the convolution of ``x`` (N, C, H, W) with ``w`` (O, C/G, KH, KW),
    plus ``bias`` (O,) when given; ``pads`` is (top, bottom, left, right). One launch."""
    x, w = _contiguous(xp, x), _contiguous(xp, w)
    n, o = x.shape[0], w.shape[0]
    y = xp.empty((n, o) + tuple(out_hw), dtype=x.dtype)
    b = w if bias is None else _contiguous(xp, bias)
    geometry = _geometry(x.shape, w.shape, out_hw, stride, pads, dilation, groups)
    kind, total = _forward_tiling(n, o // groups, groups, out_hw[0] * out_hw[1])
    _launch(xp, kind, x.dtype, total, (x, w, b, np.int32(bias is not None), y, np.int64(total)) + geometry)
    return y


def _forward_tiling(n, per_group, groups, pixels):
    """(kernel kind, number of threads): the register-tiled kernel (TILE_PIXELS pixels x
    TILE_CHANNELS channels per thread) when a group has at least TILE_CHANNELS output channels,
    else one output value per thread.

    >>> _forward_tiling(64, 128, 1, 1024), _forward_tiling(2, 4, 1, 100)
    (('forward_tiled', 262144), ('forward', 800))
    """
    if per_group < conv_kernels.TILE_CHANNELS:
        return "forward", n * per_group * groups * pixels
    pixel_tiles = -(-pixels // conv_kernels.TILE_PIXELS)
    channel_tiles = -(-per_group // conv_kernels.TILE_CHANNELS)
    return "forward_tiled", n * groups * channel_tiles * pixel_tiles


def backward(xp, g, x, w, stride, pads, dilation, groups, input_grad=True):
    """``(dx, dw, db)`` for the output gradient ``g``; ``dx`` is None unless ``input_grad``."""
    g, x, w = _contiguous(xp, g), _contiguous(xp, x), _contiguous(xp, w)
    out_hw = g.shape[2:]
    geometry = _geometry(x.shape, w.shape, out_hw, stride, pads, dilation, groups)
    dx = None
    if input_grad:
        dx = xp.empty(x.shape, dtype=x.dtype)
        _launch(xp, "backward_data", x.dtype, dx.size, (g, w, dx, np.int64(dx.size)) + geometry)
    n, splits = x.shape[0], max(1, min(x.shape[0], -(-WEIGHT_THREADS // w.size)))
    partial = xp.empty((splits,) + w.shape, dtype=w.dtype)
    _launch(xp, "backward_weight", w.dtype, partial.size,
            (g, x, partial, np.int64(partial.size), np.int32(splits), np.int32(n)) + geometry)
    dw = partial[0] if splits == 1 else partial.sum(axis=0)
    return dx, dw, g.sum(axis=(0, 2, 3))
