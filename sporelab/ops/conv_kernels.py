"""CUDA C source of the direct 2-D convolution kernels that ``conv_cuda`` launches through CuPy.

One fused kernel per pass, each a grid-stride loop with one thread per output value (no im2col
copy, no GEMM, no reshapes), for ``float`` and ``double``:

* ``conv2d_forward_<t>``: thread per ``y[n, o, i, j]``::

      y = b[o] + sum_{c < C/G, p, q} w[o, c, p, q] * x[n, g*C/G + c, i*sh - pt + p*dh, j*sw - pl + q*dw]

  (taps outside the input are the zero padding, so any (top, left) padding and, through the
  output size, any (bottom, right) padding is covered: every pad mode);
  ``conv2d_forward_tiled_<t>`` computes the same with ``TILE_PIXELS`` consecutive output pixels
  times ``TILE_CHANNELS`` output channels per thread (each input value loaded once serves
  ``TILE_CHANNELS`` products, the threads of a warp read the same weights), for groups with at
  least ``TILE_CHANNELS`` output channels;
* ``conv2d_backward_data_<t>``: thread per ``dx[n, c, u, v]``, summing ``gy[n, o, i, j] *
  w[o, c', p, q]`` over the taps with ``u = i*sh - pt + p*dh`` (``u + pt - p*dh`` divisible by ``sh``
  and ``0 <= i < OH``), for the output channels ``o`` of the group of ``c``;
* ``conv2d_backward_weight_<t>``: thread per (split ``s``, ``dw[o, c, p, q]``), summing ``gy * x``
  over the samples ``n`` of split ``s`` and every output pixel, in double precision; the caller sums
  the ``S`` splits (``S = 1`` when the weight alone gives enough threads).

Every sum runs in a fixed order, so results are deterministic run to run (no atomics).

The same source compiles as plain C++ on the host (``-DSPORELAB_HOST``: the grid-stride loop becomes
a serial loop), which is how the tests check the kernels' index arithmetic on machines without a GPU;
``nvcc`` or NVRTC compile-check it as CUDA where available.

>>> 'conv2d_forward_float' in KERNEL_NAMES and SOURCE.count('SPORELAB_KERNEL void') == len(KERNEL_NAMES) == 8
True
"""

__all__ = ["SOURCE", "KERNEL_NAMES", "kernel_name"]

_TYPES = {"float32": "float", "float64": "double"}

_HEAD = r"""
#define TILE_PIXELS {tile_pixels}
#define TILE_CHANNELS {tile_channels}
#ifdef SPORELAB_HOST
#define SPORELAB_KERNEL extern "C"
#define SPORELAB_DEVICE static inline
#define SPORELAB_FOR_EACH(i, n) for (long long i = 0; i < (n); ++i)
#else
#define SPORELAB_KERNEL extern "C" __global__
#define SPORELAB_DEVICE __device__ __forceinline__
#define SPORELAB_FOR_EACH(i, n) \
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < (n); \
         i += (long long)blockDim.x * gridDim.x)
#endif

template <typename T, int TP, int TO>
SPORELAB_DEVICE void conv2d_forward(const T* __restrict__ x, const T* __restrict__ w,
        const T* __restrict__ b, int has_bias, T* __restrict__ y,
        long long total, int C, int H, int W, int O, int KH, int KW, int OH, int OW,
        int sh, int sw, int dh, int dw, int pt, int pl, int G) {
    // One thread: TP consecutive output pixels (row-major over OH x OW) times TO consecutive output
    // channels of one group. Pixel tiles vary fastest, so the threads of a warp share their output
    // channels and read the same weights (a broadcast); each loaded input value serves TO channels.
    const int cg = C / G, og = O / G;
    const int pixels = OH * OW, ptiles = (pixels + TP - 1) / TP, otiles = (og + TO - 1) / TO;
    SPORELAB_FOR_EACH(i, total) {
        const int pt_ = (int)(i % ptiles);
        long long t = i / ptiles;
        const int ot = (int)(t % ((long long)otiles * G));
        const long long n = t / ((long long)otiles * G);
        const int g = ot / otiles, o0 = g * og + (ot % otiles) * TO;
        const int on = (og - (ot % otiles) * TO) < TO ? (og - (ot % otiles) * TO) : TO;
        int iy0[TP], ix0[TP];
        bool live[TP];
        for (int p = 0; p < TP; ++p) {
            const int q = pt_ * TP + p;
            live[p] = q < pixels;
            iy0[p] = (q / OW) * sh - pt;
            ix0[p] = (q % OW) * sw - pl;
        }
        T acc[TP][TO];
        for (int p = 0; p < TP; ++p)
            for (int k = 0; k < TO; ++k) acc[p][k] = 0;
        const T* xg = x + (n * C + (long long)g * cg) * H * W;
        for (int c = 0; c < cg; ++c) {
            const T* xc = xg + (long long)c * H * W;
            for (int ky = 0; ky < KH; ++ky) {
                for (int kx = 0; kx < KW; ++kx) {
                    T v[TP];
                    for (int p = 0; p < TP; ++p) {
                        const int iy = iy0[p] + ky * dh, ix = ix0[p] + kx * dw;
                        v[p] = (live[p] && iy >= 0 && iy < H && ix >= 0 && ix < W) ? xc[(long long)iy * W + ix] : (T)0;
                    }
                    const T* wt = w + (((long long)o0 * cg + c) * KH + ky) * KW + kx;
                    for (int k = 0; k < TO; ++k) {
                        const T wk = k < on ? wt[(long long)k * cg * KH * KW] : (T)0;
                        for (int p = 0; p < TP; ++p) acc[p][k] += v[p] * wk;
                    }
                }
            }
        }
        for (int k = 0; k < on; ++k) {
            T* yo = y + (n * O + o0 + k) * (long long)pixels;
            const T bias = has_bias ? b[o0 + k] : (T)0;
            for (int p = 0; p < TP; ++p)
                if (live[p]) yo[pt_ * TP + p] = acc[p][k] + bias;
        }
    }
}

template <typename T>
SPORELAB_DEVICE void conv2d_backward_data(const T* gy, const T* w, T* dx,
        long long total, int C, int H, int W, int O, int KH, int KW, int OH, int OW,
        int sh, int sw, int dh, int dw, int pt, int pl, int G) {
    const int cg = C / G, og = O / G;
    SPORELAB_FOR_EACH(i, total) {
        const int ix = (int)(i % W);
        long long t = i / W;
        const int iy = (int)(t % H);
        t /= H;
        const int ci = (int)(t % C);
        const long long n = t / C;
        const int g = ci / cg, c = ci % cg;
        T acc = 0;
        for (int ky = 0; ky < KH; ++ky) {
            const int ty = iy + pt - ky * dh;
            if (ty < 0 || ty % sh != 0 || ty / sh >= OH) continue;
            const int oy = ty / sh;
            for (int kx = 0; kx < KW; ++kx) {
                const int tx = ix + pl - kx * dw;
                if (tx < 0 || tx % sw != 0 || tx / sw >= OW) continue;
                const int ox = tx / sw;
                for (int o = g * og; o < (g + 1) * og; ++o) {
                    acc += gy[((n * O + o) * OH + oy) * OW + ox] * w[(((long long)o * cg + c) * KH + ky) * KW + kx];
                }
            }
        }
        dx[i] = acc;
    }
}

template <typename T>
SPORELAB_DEVICE void conv2d_backward_weight(const T* gy, const T* x, T* dwp, long long total, int S,
        int N, int C, int H, int W, int O, int KH, int KW, int OH, int OW,
        int sh, int sw, int dh, int dw, int pt, int pl, int G) {
    const int cg = C / G, og = O / G;
    const long long nw = (long long)O * cg * KH * KW;
    SPORELAB_FOR_EACH(i, total) {
        const long long wi = i % nw;
        const int s = (int)(i / nw);
        const int kx = (int)(wi % KW);
        long long t = wi / KW;
        const int ky = (int)(t % KH);
        t /= KH;
        const int c = (int)(t % cg);
        const int o = (int)(t / cg);
        const int ci = (o / og) * cg + c;
        const long long n0 = (long long)N * s / S, n1 = (long long)N * (s + 1) / S;
        double acc = 0;
        for (long long n = n0; n < n1; ++n) {
            const T* g = gy + (n * O + o) * OH * OW;
            const T* xc = x + (n * C + ci) * H * W;
            for (int oy = 0; oy < OH; ++oy) {
                const int iy = oy * sh - pt + ky * dh;
                if (iy < 0 || iy >= H) continue;
                for (int ox = 0; ox < OW; ++ox) {
                    const int ix = ox * sw - pl + kx * dw;
                    if (ix < 0 || ix >= W) continue;
                    acc += (double)g[oy * OW + ox] * (double)xc[(long long)iy * W + ix];
                }
            }
        }
        dwp[i] = (T)acc;
    }
}
"""

_GEOMETRY = "int sh, int sw, int dh, int dw, int pt, int pl, int G"
_PASS = "sh, sw, dh, dw, pt, pl, G"
_SHAPES = "int C, int H, int W, int O, int KH, int KW, int OH, int OW"
_SHAPE_ARGS = "C, H, W, O, KH, KW, OH, OW"

_ENTRY = r"""
SPORELAB_KERNEL void conv2d_forward_{t}(const {t}* x, const {t}* w, const {t}* b, int has_bias, {t}* y,
        long long total, {shapes}, {geometry}) {{
    conv2d_forward<{t}, 1, 1>(x, w, b, has_bias, y, total, {shape_args}, {args});
}}

SPORELAB_KERNEL void conv2d_forward_tiled_{t}(const {t}* x, const {t}* w, const {t}* b, int has_bias, {t}* y,
        long long total, {shapes}, {geometry}) {{
    conv2d_forward<{t}, TILE_PIXELS, TILE_CHANNELS>(x, w, b, has_bias, y, total, {shape_args}, {args});
}}

SPORELAB_KERNEL void conv2d_backward_data_{t}(const {t}* gy, const {t}* w, {t}* dx,
        long long total, {shapes}, {geometry}) {{
    conv2d_backward_data<{t}>(gy, w, dx, total, {shape_args}, {args});
}}

SPORELAB_KERNEL void conv2d_backward_weight_{t}(const {t}* gy, const {t}* x, {t}* dwp, long long total,
        int S, int N, {shapes}, {geometry}) {{
    conv2d_backward_weight<{t}>(gy, x, dwp, total, S, N, {shape_args}, {args});
}}
"""

TILE_PIXELS, TILE_CHANNELS = 4, 8
SOURCE = _HEAD.replace("{tile_pixels}", str(TILE_PIXELS)).replace("{tile_channels}", str(TILE_CHANNELS)) + "".join(
    _ENTRY.format(t=t, shapes=_SHAPES, geometry=_GEOMETRY, shape_args=_SHAPE_ARGS, args=_PASS)
    for t in _TYPES.values())

KERNEL_NAMES = tuple(f"conv2d_{kind}_{t}" for t in _TYPES.values()
                     for kind in ("forward", "forward_tiled", "backward_data", "backward_weight"))


def kernel_name(kind, dtype):
    """``conv2d_<kind>_<float|double>`` for a NumPy dtype name; None when no kernel exists for it.

    >>> kernel_name('forward', 'float32'), kernel_name('forward', 'float16')
    ('conv2d_forward_float', None)
    """
    t = _TYPES.get(str(dtype))
    return None if t is None else f"conv2d_{kind}_{t}"
