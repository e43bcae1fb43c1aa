"""Fast, reproducible random fills: uniform, normal and truncated normal, in float32 or float64.

Every fill takes ONE draw (a 63-bit seed) from ``sporelab.random.generator()``; from it, chunk
``i`` of the array (``CHUNK`` elements) gets its own stream ``SeedSequence(seed, spawn_key=(i,))``.
The chunks are filled on a small thread pool (NumPy releases the GIL while it fills), and because
a chunk's values depend only on the seed and its index, the result is bitwise the same whatever
the number of threads, and replays exactly after ``set_seed``.

Normals in float32 come from the Box-Muller transform in its exponential form:
``r = sqrt(2 E)`` with ``E ~ Exp(1)``, ``z = (r cos 2 pi u, r sin 2 pi u)``: about twice as fast
as NumPy's float32 ziggurat on one core, and it parallelises. The operations are chosen so that a
laptop and a server print the same numbers, not only for speed: ``E`` comes from NumPy's
table-based exponential ziggurat, ``sqrt`` and the arithmetic are correctly rounded everywhere,
and NumPy's float32 ``sin``/``cos`` give the same bits under AVX2 and AVX-512 (tested; x86 CPUs
without AVX2, from before 2013, may differ in the last bit). NumPy's SIMD ``log`` does not, which
is why the textbook ``sqrt(-2 ln u1)`` is not used. ``E`` is not limited by the bits of a uniform,
so the tails are not cut short. Float64 normals use NumPy's own (table-based) ziggurat.

A fill can also produce one block of the tensor only (``part=``, see ``_part.py``), bitwise equal
to that block of the whole fill with the same seed: uniforms skip ahead in their stream
(``PCG64.advance``), normals draw only the chunks the block touches.

Truncated normals are drawn by rejection, choosing the proposal by where the interval lies
(Robert 1995, "Simulation of truncated normal variables"): plain normals when the interval holds
a fair share of the mass (the usual ``[-2, 2]`` case: only 4.6 % are redrawn), a uniform proposal
for a narrow interval, a shifted exponential for an interval far in a tail.
"""

import contextlib
import math
import os

import numpy as np

from ..random import generator

__all__ = ["fill_uniform", "fill_normal", "fill_truncated_normal", "next_seed", "reserved_seed", "stream",
           "NORMAL_REACH"]

CHUNK = 1 << 20    # elements per independent stream: fixes the values whatever the thread count
BLOCK = 1 << 16    # elements per step inside a chunk: the scratch arrays stay in the L2 cache
_MIN_MASS_FOR_NORMAL_PROPOSAL = 0.3
# The largest |z| the standard normal samplers can return (so |mean| + reach * std bounds every
# value). float32, Box-Muller: sqrt(2 E) with NumPy's float32 exponential E <= 7.697 - ln(2^-24)
# = 24.33, so |z| <= 6.98. float64, NumPy's ziggurat: its tail is r - ln(1 - U) / r with
# r = 3.654 and 1 - U >= 2^-53, so |z| <= 13.71.
NORMAL_REACH = {np.dtype(np.float32): 7.0, np.dtype(np.float64): 14.0}

_pool = None
_reserved = None      # a seed handed to the next fill instead of a fresh draw (see reserved_seed)


def _workers():
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:            # macOS, Windows
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def _get_pool():
    global _pool
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor     # deferred: keeps `import sporelab` quick
        _pool = ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="sporelab-init")
    return _pool


def _forget_pool():
    global _pool
    _pool = None       # a forked child inherits the pool object but not its threads


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def next_seed():
    """The seed of the next fill: one draw from ``sporelab.random.generator()`` (or the reserved one)."""
    global _reserved
    if _reserved is not None:
        seed, _reserved = _reserved, None
        return seed
    return int(generator().integers(2 ** 63))


@contextlib.contextmanager
def reserved_seed(seed):
    """Inside the block, the next fill uses ``seed`` (from an earlier ``next_seed()``) and draws nothing.

    This is how a lazy Parameter fills itself, whole or block by block, long after it took its seed.
    """
    global _reserved
    saved, _reserved = _reserved, seed
    try:
        yield
    finally:
        _reserved = saved


def stream(seed, index):
    """The generator of chunk ``index`` of the fill seeded ``seed``."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index,))))


def _run_chunks(flat, kernel):
    """Call ``kernel(gen, chunk)`` on every chunk of the 1-D array ``flat``, each with its own stream."""
    n_chunks = -(-flat.size // CHUNK)
    if n_chunks == 0:
        return
    seed = next_seed()

    def job(i):
        kernel(stream(seed, i), flat[i * CHUNK:(i + 1) * CHUNK])

    if n_chunks == 1 or _workers() == 1:
        for i in range(n_chunks):
            job(i)
    else:
        list(_get_pool().map(job, range(n_chunks)))


def _blocks(chunk):
    for start in range(0, chunk.size, BLOCK):
        yield chunk[start:start + BLOCK]


def _fill_standard_normal(gen, out, scratch):
    """Fill ``out`` with N(0, 1); ``scratch`` (float32) has room for ``out.size + 1`` values."""
    if out.dtype != np.float32:
        gen.standard_normal(dtype=out.dtype, out=out)
        return
    n = out.size
    half = (n + 1) // 2
    radius, angle = scratch[:half], scratch[half:2 * half]
    gen.standard_exponential(dtype=np.float32, out=radius)
    gen.random(dtype=np.float32, out=angle)
    radius *= 2
    np.sqrt(radius, out=radius)
    angle *= np.float32(2 * np.pi)
    rest = n - half
    np.cos(angle, out=out[:half])
    out[:half] *= radius
    np.sin(angle[:rest], out=out[half:])
    out[half:] *= radius[:rest]


def _scratch(n, dtype):
    return np.empty(n + 1, np.float32) if dtype == np.float32 else None


def _standard_normals(gen, n, dtype):
    out = np.empty(n, dtype)
    _fill_standard_normal(gen, out, _scratch(n, dtype))
    return out


def _inward_bounds(low, high, dtype):
    """The outermost values of ``dtype`` inside ``[low, high]``, so clipped values never leave it."""
    dtype = np.dtype(dtype)
    with np.errstate(over="ignore"):
        lo, hi = dtype.type(low), dtype.type(high)
    # Compare as Python floats: NumPy would round the Python bound to float32 first (NEP 50).
    if float(lo) < low:
        lo = np.nextafter(lo, dtype.type(np.inf))
    if float(hi) > high:
        hi = np.nextafter(hi, dtype.type(-np.inf))
    if lo > hi:
        raise ValueError(f"No {dtype.name} value lies inside [{low!r}, {high!r}]: widen the interval "
                         f"or use a float64 tensor.")
    return lo, hi


def _check_fits(dtype, peak, what):
    """The fills' own guard (initializers check their arguments first, by name): never inf."""
    top = float(np.finfo(dtype).max)
    if not peak <= top:
        raise ValueError(f"The {what} needs values up to {peak:.6g}, beyond the range of {np.dtype(dtype).name} "
                         f"[{-top:.8g}, {top:.8g}]. Choose a smaller value or a wider dtype.")


def _fill(work, kernel, part):
    if part is None:
        _run_chunks(work.reshape(-1), kernel)
    else:
        from . import _part      # deferred: _part imports this module
        _part.fill_chunks(work, part, kernel, next_seed())


def fill_uniform(work, bound, part=None):
    """Fill the float32/float64 C-contiguous array ``work`` with U[-bound, bound].

    With ``part`` (a ``_part.Part``), ``work`` is that block of the whole tensor: only its values
    are drawn (the stream skips the others), equal to the whole fill's bit for bit.
    """
    _check_fits(work.dtype, 2.0 * bound, f"uniform bound {bound!r}")
    lo, hi = _inward_bounds(-bound, bound, work.dtype)
    width = work.dtype.type(2 * bound)

    def finish(block):
        block -= 0.5
        block *= width
        np.clip(block, lo, hi, out=block)

    if part is not None:
        from . import _part
        _part.fill_uniform(work, part, next_seed(), finish)
        return

    def kernel(gen, chunk):
        for block in _blocks(chunk):
            gen.random(dtype=block.dtype, out=block)
            finish(block)

    _run_chunks(work.reshape(-1), kernel)


def fill_normal(work, mean, std, part=None):
    """Fill the float32/float64 C-contiguous array ``work`` with N(mean, std**2) (or block ``part`` of it)."""
    _check_fits(work.dtype, abs(mean) + NORMAL_REACH[work.dtype] * std, f"normal N({mean!r}, {std!r}**2)")
    mean, std = work.dtype.type(mean), work.dtype.type(std)

    def kernel(gen, chunk):
        scratch = _scratch(min(chunk.size, BLOCK), chunk.dtype)
        for block in _blocks(chunk):
            _fill_standard_normal(gen, block, scratch)
            if std != 1:
                block *= std
            if mean != 0:
                block += mean

    _fill(work, kernel, part)


def fill_truncated_normal(work, mean, std, low, high, part=None):
    """Fill ``work`` with N(mean, std**2) restricted to the absolute bounds ``[low, high]``.

    ``low``/``high`` may be infinite; ``std`` must be positive and ``low < high``. ``part``: as
    ``fill_uniform``, but the chunks the block touches are drawn (rejection uses a variable number
    of random words per value, so a stream cannot skip ahead).
    """
    alpha, beta = (low - mean) / std, (high - mean) / std
    lo, hi = _inward_bounds(low, high, work.dtype)
    sampler = _pick_sampler(alpha, beta, work.dtype)
    mean_, std_ = work.dtype.type(mean), work.dtype.type(std)

    def kernel(gen, chunk):
        for block in _blocks(chunk):
            sampler(gen, block)
            block *= std_
            block += mean_
            np.clip(block, lo, hi, out=block)

    _fill(work, kernel, part)


def _normal_mass(alpha, beta):
    """P(alpha <= Z <= beta) for a standard normal Z, accurate in the tails."""
    if alpha >= 0:
        return 0.5 * (math.erfc(alpha / math.sqrt(2)) - math.erfc(beta / math.sqrt(2)))
    if beta <= 0:
        return _normal_mass(-beta, -alpha)
    return 0.5 * (math.erf(beta / math.sqrt(2)) - math.erf(alpha / math.sqrt(2)))


def _pick_sampler(alpha, beta, dtype):
    """A function ``(gen, block)`` filling ``block`` with standard normals inside [alpha, beta]."""
    if not alpha < beta or alpha == math.inf or beta == -math.inf:
        raise ValueError(f"For TruncatedNormal, the interval is empty once measured in standard "
                         f"deviations ([{alpha}, {beta}]): 'sigma' is too small next to the bounds.")
    if _normal_mass(alpha, beta) >= _MIN_MASS_FOR_NORMAL_PROPOSAL:
        with np.errstate(over="ignore"):       # a limit beyond the dtype's range is no limit: +-inf
            low, high = dtype.type(alpha), dtype.type(beta)
        return lambda gen, block: _reject_normal(gen, block, low, high)
    if alpha < 0 < beta:
        return lambda gen, block: _reject_loop(gen, block, _uniform_proposal(alpha, beta, 0.0))
    sign, a, b = (1, alpha, beta) if alpha >= 0 else (-1, -beta, -alpha)
    rate2 = a + math.hypot(a, 2)         # twice Robert's optimal exponential rate
    # Robert (1995): the exponential proposal wins unless the interval is short next to 1/a.
    # (a*a - a*sqrt(a*a + 4)) / 4 is rewritten as -a / rate2 so it cannot overflow.
    if b - a > 2 * math.sqrt(math.e) / rate2 * math.exp(-a / rate2):
        propose = _exponential_proposal(a, b, rate2 / 2)
    else:
        propose = _uniform_proposal(a, b, a)
    return lambda gen, block: _reject_loop(gen, block, propose, sign)


def truncated_reach(alpha, beta, dtype):
    """``(z_lo, z_hi)``: the standard values ``_pick_sampler(alpha, beta, dtype)`` can return.

    With the normal proposal, NumPy's normals stop at ``NORMAL_REACH``; with the others the values
    lie in [alpha, beta], and on an infinite side within 45 of the finite end (the float64
    exponential proposal's tail is below 7.7 + 36.8).
    """
    if _normal_mass(alpha, beta) >= _MIN_MASS_FOR_NORMAL_PROPOSAL:
        reach = NORMAL_REACH[np.dtype(dtype)]
        return max(alpha, -reach), min(beta, reach)
    cap = min(abs(alpha), abs(beta)) + 45.0
    return max(alpha, -cap), min(beta, cap)


def _reject_normal(gen, block, alpha, beta):
    _fill_standard_normal(gen, block, _scratch(block.size, block.dtype))
    redo = np.flatnonzero((block < alpha) | (block > beta))
    while redo.size:
        fresh = _standard_normals(gen, redo.size, block.dtype)
        block[redo] = fresh
        redo = redo[(fresh < alpha) | (fresh > beta)]


def _uniform_proposal(a, b, nearest_to_zero):
    p = nearest_to_zero

    def propose(gen, n):
        x = gen.uniform(a, b, n)
        return x[gen.random(n) <= np.exp((p - x) * (p + x) / 2)]      # exp((p^2 - x^2) / 2)
    return propose


def _exponential_proposal(a, b, rate):
    def propose(gen, n):
        x = a + gen.standard_exponential(n) / rate
        keep = (gen.random(n) <= np.exp(-0.5 * (x - rate) ** 2)) & (x <= b)
        return x[keep]
    return propose


def _reject_loop(gen, block, propose, sign=1):
    filled, rounds = 0, 0
    while filled < block.size:
        need = block.size - filled
        accepted = propose(gen, need + need // 2 + 16)[:need]
        block[filled:filled + accepted.size] = sign * accepted
        filled += accepted.size
        rounds += 1
        if rounds > 1000:
            raise ValueError("For TruncatedNormal, the interval holds too little probability to "
                             "sample from: check that 'a' < 'b' lie within a few sigma of 'mean'.")
