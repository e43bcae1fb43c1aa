"""One block of an initialised tensor, exactly as the whole tensor would hold it, without the whole.

A sliced parameter (``Parameter.init_data(layout)``) keeps one block of a tensor. The block must
hold the values the whole tensor would hold with the same seed, and for a large weight only the
block should be built. How much that saves depends on how the initializer draws:

* constants, ``Identity`` and ``Dirac`` compute the block directly;
* uniform draws (``Uniform``, ``XavierUniform``, ``HeUniform``, ``VarianceScaling('uniform')``)
  use a fixed number of random words per value (one 64-bit word per float64, half of one per
  float32), so each contiguous run of the block starts its chunk's stream at the right word with
  ``PCG64.advance``: time and memory follow the block;
* normal and truncated-normal draws use a variable number of words per value (ziggurat,
  rejection), so a stream cannot skip ahead; but every chunk of ``_sampling.CHUNK`` values has its
  own stream, so only the chunks the block touches are drawn, one at a time (memory: the block plus
  one chunk, 4 MiB in float32; time: the chunks touched);
* ``Orthogonal`` (a QR of the whole matrix), ``Sparse`` (a permutation per whole column) and
  initializers written by users need the whole tensor: a Parameter built from them is created whole
  and the block is cut from it.

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab.common.initializer import Uniform
>>> ms.set_seed(0)
>>> whole = np.empty((4, 6), np.float32); Uniform()(whole)
>>> ms.set_seed(0)
>>> lazy = reserve(Uniform(), (4, 6), np.float32)        # takes the seed now, draws nothing
>>> block = np.empty((4, 3), np.float32)
>>> lazy.fill_part(block, Part((4, 6), (0, 3), (4, 3)))
>>> bool(np.array_equal(block, whole[:, 3:]))
True
"""

import math

import numpy as np

from . import _sampling
from ._base import Initializer

__all__ = ["Part", "Reserved", "reserve", "fill_uniform", "fill_chunks"]


class Part:
    """The box ``[starts, starts + block_shape)`` of a tensor of ``shape`` (all tuples of ints)."""

    def __init__(self, shape, starts, block_shape):
        self.shape, self.starts, self.block_shape = tuple(shape), tuple(starts), tuple(block_shape)
        if not len(self.shape) == len(self.starts) == len(self.block_shape) or any(
                b < 1 or s < 0 or s + b > n for n, s, b in zip(self.shape, self.starts, self.block_shape)):
            raise ValueError(f"The block at {self.starts} of shape {self.block_shape} does not lie inside "
                             f"a tensor of shape {self.shape}.")

    def __repr__(self):
        return f"Part(shape={self.shape}, starts={self.starts}, block_shape={self.block_shape})"

    def local(self, indices):
        """The points of ``indices`` (index arrays into the whole tensor, as ``np.nonzero`` gives)
        that lie in this block, as index arrays into the block."""
        inside = np.ones(np.shape(indices[0]), bool)
        for index, start, size in zip(indices, self.starts, self.block_shape):
            inside &= (index >= start) & (index < start + size)
        return tuple(index[inside] - start for index, start in zip(indices, self.starts))

    def runs(self):
        """``(firsts, length)``: where each contiguous run of the block starts in the whole tensor's
        row-major order (an int64 array, in the block's own row-major order) and their common length."""
        split = [d for d, (n, b) in enumerate(zip(self.shape, self.block_shape)) if n != b]
        if not split:
            return np.zeros(1, np.int64), math.prod(self.shape)
        last = split[-1]
        strides = [math.prod(self.shape[d + 1:]) for d in range(len(self.shape))]
        firsts = np.array([sum(s * t for s, t in zip(self.starts, strides))], np.int64)
        for d in range(last):
            firsts = (firsts[:, None] + np.arange(self.block_shape[d], dtype=np.int64) * strides[d]).reshape(-1)
        return firsts, math.prod(self.block_shape[last:])

    def by_chunk(self, chunk):
        """Yield ``(chunk index, [(offset in the chunk, count, offset in the block), ...])`` in order."""
        firsts, length = self.runs()
        current, pieces, dest = None, [], 0
        for first in firsts.tolist():
            position, end = first, first + length
            while position < end:
                index, offset = divmod(position, chunk)
                count = min(end - position, chunk - offset)
                if index != current:
                    if pieces:
                        yield current, pieces
                    current, pieces = index, []
                pieces.append((offset, count, dest))
                position, dest = position + count, dest + count
        if pieces:
            yield current, pieces


def fill_uniform(work, part, seed, finish):
    """Block ``part`` of a uniform fill seeded ``seed`` into ``work``; ``finish`` maps [0, 1) in place.

    NumPy's float64 ``random`` takes one 64-bit word per value, float32 half of one (the low half
    first, the high half kept for the next value); ``advance`` drops a half kept over.
    """
    flat = work.reshape(-1)
    per_word = 2 if work.dtype == np.float32 else 1
    for index, pieces in part.by_chunk(_sampling.CHUNK):
        gen, at = _sampling.stream(seed, index), 0
        for offset, count, dest in pieces:
            word = offset // per_word
            gen.bit_generator.advance(word - at)
            if offset % per_word:
                gen.random(dtype=work.dtype)            # the low half belongs to the value before
            gen.random(dtype=work.dtype, out=flat[dest:dest + count])
            at = (offset + count - 1) // per_word + 1
    finish(flat)


def fill_chunks(work, part, kernel, seed):
    """Block ``part`` of a chunked fill (``kernel(gen, chunk)``, as ``_sampling._run_chunks`` calls it).

    Each chunk the block touches is drawn into a scratch array, up to the last ``BLOCK`` the block
    needs (the kernel works block by block, so a shorter prefix gives the same first values).
    """
    flat = work.reshape(-1)
    total = math.prod(part.shape)
    scratch = np.empty(min(_sampling.CHUNK, total), work.dtype)     # one, reused for every chunk
    for index, pieces in part.by_chunk(_sampling.CHUNK):
        chunk_size = min(_sampling.CHUNK, total - index * _sampling.CHUNK)
        needed = max(offset + count for offset, count, _ in pieces)
        drawn = scratch[:min(chunk_size, -(-needed // _sampling.BLOCK) * _sampling.BLOCK)]
        kernel(_sampling.stream(seed, index), drawn)
        for offset, count, dest in pieces:
            flat[dest:dest + count] = drawn[offset:offset + count]


class Reserved(Initializer):
    """``init`` with its seed already taken: the whole tensor or any block of it, always the same values.

    Its repr is ``init``'s. Made by ``reserve``; a lazy Parameter holds one as its ``init``.
    """

    def __init__(self, init, seed):
        super().__init__(**init._kwargs)
        self.init, self.seed, self._exact = init, seed, init._exact

    def __call__(self, arr):
        with _sampling.reserved_seed(self.seed):
            self.init(arr)

    def fill_part(self, arr, part):
        """Fill ``arr`` (of ``part.block_shape``) with block ``part`` of the whole tensor."""
        with _sampling.reserved_seed(self.seed):
            self.init._fill_part(arr, part)

    def __repr__(self):
        return repr(self.init)


def reserve(init, shape, dtype):
    """A ``Reserved`` for ``init`` on a ``shape``/``dtype`` tensor, or None when it needs the whole.

    A random initializer takes its one draw from ``sporelab.random.generator()`` now, as filling
    the tensor now would, so the sequence of seeds does not depend on when (or whether) the values
    are created. The errors the fill would raise (a bad shape, values outside the dtype's range)
    are raised now, before anything is drawn.
    """
    if isinstance(init, Reserved):
        return init
    if not init._fills_parts():
        return None
    ones = (1,) * len(shape)
    Reserved(init, 0).fill_part(np.empty(ones, dtype), Part(shape, (0,) * len(shape), ones))
    return Reserved(init, _sampling.next_seed() if init._random else None)

