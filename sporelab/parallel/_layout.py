"""MindSpore's tensor layouts: which block of a parameter a rank holds in hybrid parallel.

A layout is the tuple ``(dev_mat, tensor_map, slice_shape, field_size, uniform_split,
opt_shard_group)``. ``dev_mat`` arranges the ranks in a grid (row-major, the last axis fastest);
``tensor_map[i]`` says which grid axis splits tensor dimension ``i``, counted from the **right**
of ``dev_mat`` (``0`` is its last axis), or ``-1`` for "not split". The tensor is cut into equal
blocks along the split dimensions; a rank holds the block at its grid coordinates.

>>> from sporelab.parallel._layout import tensor_strategy, slice_index
>>> tensor_strategy([2], [0, -1])            # 2 ranks split the rows of a matrix
[2, 1]
>>> [slice_index([2], [0, -1], rank) for rank in (0, 1)]
[0, 1]
"""

import numpy as np

from .. import device as _device
from .._checks import is_int
from ..common._part import Part

__all__ = ["check_layout", "tensor_strategy", "slice_index", "rank_block", "region", "block"]


def _int_list(value, argument):
    if not isinstance(value, (list, tuple)) or not all(is_int(v) for v in value):
        raise TypeError(f"The layout's '{argument}' must be a list of int, but got {value!r}.")
    return [int(v) for v in value]


def check_layout(layout, shape):
    """Validate ``layout`` for a tensor of ``shape``; return ``(dev_mat, tensor_map, slice_shape)``.

    Raises:
        TypeError: ``layout`` not a tuple (a list is refused, as MindSpore refuses it); entries
            that are not lists of ints.
        ValueError: fewer than 6 entries; a tensor_map of the wrong length or naming a missing
            grid axis; a dimension not divisible by its number of blocks; a slice_shape that is
            not the block's shape.
    """
    if not isinstance(layout, tuple):
        raise TypeError(f"The argument 'layout' should be tuple, but got {type(layout)}.")
    if len(layout) < 6:
        raise ValueError(f"The length of 'layout' must be larger than 5, but got {len(layout)}.")
    dev_mat, tensor_map = _int_list(layout[0], "dev_mat"), _int_list(layout[1], "tensor_map")
    if not dev_mat or any(d < 1 for d in dev_mat):
        raise ValueError(f"The layout's 'dev_mat' must be a non-empty list of positive ints, but got {dev_mat}.")
    if len(tensor_map) != len(shape):
        raise ValueError(f"The layout's 'tensor_map' {tensor_map} must have one entry per dimension of the "
                         f"parameter's shape {tuple(shape)}.")
    for m in tensor_map:
        if m != -1 and not 0 <= m < len(dev_mat):
            raise ValueError(f"The layout's 'tensor_map' entries must be -1 or in [0, {len(dev_mat)}), but got {m}.")
    strategy = tensor_strategy(dev_mat, tensor_map)
    for n, s in zip(shape, strategy):
        if n % s:
            raise ValueError(f"The parameter's shape {tuple(shape)} cannot be split into {strategy} equal blocks.")
    block_shape = [n // s for n, s in zip(shape, strategy)]
    slice_shape = _int_list(layout[2], "slice_shape") if layout[2] is not None else []
    if slice_shape and slice_shape != block_shape:
        raise ValueError(f"The layout's 'slice_shape' {slice_shape} is not the block shape {block_shape}.")
    return dev_mat, tensor_map, block_shape


def tensor_strategy(dev_mat, tensor_map):
    """The number of blocks along each tensor dimension."""
    return [1 if m == -1 else dev_mat[-m - 1] for m in tensor_map]


def slice_index(dev_mat, tensor_map, rank):
    """The row-major index of the block that ``rank`` holds (MindSpore's ``_get_slice_index``)."""
    coordinate, rest = [], rank
    for d in reversed(dev_mat):                 # rank -> grid coordinates, last axis fastest
        coordinate.insert(0, rest % d)
        rest //= d
    strategy = tensor_strategy(dev_mat, tensor_map)
    index = 0
    for m, s in zip(tensor_map, strategy):
        index = index * s + (0 if m == -1 else coordinate[len(dev_mat) - 1 - m])
    return index


def rank_block(tensor, layout, rank):
    """The block of ``tensor`` that ``rank`` holds under the (checked) ``layout``: a host array.

    A lazy tensor whose initializer can fill blocks (``common._part.Reserved``) creates only the
    block; any other tensor is cut.
    """
    dev_mat, tensor_map = [int(d) for d in layout[0]], [int(m) for m in layout[1]]
    strategy = tensor_strategy(dev_mat, tensor_map)
    index = slice_index(dev_mat, tensor_map, rank)
    if not tensor.has_init:
        return block(_device.to_host(tensor._array), strategy, index)
    starts, block_shape = region(tensor.shape, strategy, index)
    piece = np.empty(block_shape, tensor.dtype.nptype)
    tensor.init.fill_part(piece, Part(tensor.shape, starts, block_shape))
    return piece


def region(shape, strategy, index):
    """``(starts, block_shape)`` of block ``index`` (row-major over ``strategy``) of a ``shape`` tensor.

    >>> region((4, 6), [2, 1], 1)
    ((2, 0), (2, 6))
    """
    coordinate, rest = [], index
    for s in reversed(strategy):
        coordinate.insert(0, rest % s)
        rest //= s
    block_shape = tuple(n // s for n, s in zip(shape, strategy))
    return tuple(c * b for c, b in zip(coordinate, block_shape)), block_shape


def block(array, strategy, index):
    """Block ``index`` (row-major over ``strategy``) of ``array`` cut into equal blocks: a copy."""
    starts, block_shape = region(array.shape, strategy, index)
    return array[tuple(slice(s, s + b) for s, b in zip(starts, block_shape))].copy()
