"""The Cell containers: ``SequentialCell`` (a chain run in order) and ``CellList`` (a list of Cells).

Both behave as MindSpore v1.5.0's (kungfu-team/mindspore, tag v1.5.0,
``mindspore/nn/layer/container.py``): children named by position ("0", "1", ...) are renumbered
after a deletion or insertion, and their parameters renamed with them (``1.weight`` becomes
``0.weight``), keeping whatever prefix the container itself carries inside a bigger network.

>>> from sporelab import nn
>>> layers = nn.CellList([nn.Dense(3, 4), nn.ReLU()])
>>> layers.insert(0, nn.Dense(2, 3))
>>> [type(cell).__name__ for cell in layers]
['Dense', 'Dense', 'ReLU']
>>> list(layers.parameters_dict())
['0.weight', '0.bias', '1.weight', '1.bias']
"""

from collections import OrderedDict

from .._checks import is_int
from .cell import Cell

__all__ = ["SequentialCell", "CellList"]


def _valid_index(owner, length, index):
    """``index`` as a position in ``[0, length)``; MindSpore's TypeError / IndexError otherwise."""
    if not is_int(index):
        raise TypeError(f"For '{owner}', the index must be an int or a slice, but got {type(index).__name__}.")
    if not -length <= index < length:
        raise IndexError(f"For '{owner}', the index {index} is out of range for {length} cells "
                         f"(allowed: [{-length}, {length})).")
    return int(index) % length


def _check_cell(owner, cell):
    if not isinstance(cell, Cell):
        raise TypeError(f"For '{owner}', every element must be a Cell, but got {type(cell).__name__}.")


def _container_prefix(container):
    """The prefix the container's parameters carry ('' alone, 'body.' inside a parent named body)."""
    for path, param in container.parameters_and_names():
        if param.name.endswith(path):
            return param.name[:len(param.name) - len(path)]
        return ""
    return ""


class _Positional(Cell):
    """What both containers share: children keyed by position, renumbered when one goes."""

    def _name_child(self, key, cell, prefix):
        self._cells[key] = cell
        if self._auto_prefix:
            cell.update_parameters_name(prefix + key + ".")

    def _rebuild(self, entries, prefix):
        """Re-register ``[(key or None, cell)]`` in order; None keys take their new position."""
        self._cells.clear()
        for position, (key, cell) in enumerate(entries):
            self._name_child(str(position) if key is None else key, cell, prefix)

    def __len__(self):
        return len(self._cells)

    def __iter__(self):
        return iter(self._cells.values())


class SequentialCell(_Positional):
    """A chain of cells run in order: ``SequentialCell([a, b, c])(x) == c(b(a(x)))``.

    Args:
        *args: one list/tuple of Cells (named "0", "1", ...), one OrderedDict/dict
            ``{name: cell}``, or the cells themselves as separate arguments.

    Parameters are named by position (or key): ``0.weight``, ``0.bias``, ``2.weight``.
    ``seq[i] = cell`` replaces a child (``i`` may be negative); ``del seq[i]`` and ``del seq[a:b]``
    remove children and renumber the ones named by position, as MindSpore v1.5.0 does.

    Raises:
        TypeError: an element that is not a Cell; an argument of another type; an index that is
            not an int (a slice for deletion and reading).
        IndexError: an index out of range.

    >>> from sporelab import nn
    >>> seq = nn.SequentialCell([nn.Dense(3, 4), nn.ReLU()])
    >>> print(seq)
    SequentialCell<
      (0): Dense<input_channels=3, output_channels=4, has_bias=True>
      (1): ReLU<>
      >
    >>> seq[-1] = nn.Tanh()
    >>> del seq[0]
    >>> print(seq)
    SequentialCell<
      (0): Tanh<>
      >
    """

    def __init__(self, *args):
        super().__init__()
        if len(args) == 1 and isinstance(args[0], (dict, OrderedDict)):
            items = [(name, cell, False) for name, cell in args[0].items()]
        elif len(args) == 1 and isinstance(args[0], (list, tuple)):
            items = [(str(i), cell, True) for i, cell in enumerate(args[0])]
        elif all(isinstance(a, Cell) for a in args):
            items = [(str(i), cell, True) for i, cell in enumerate(args)]
        else:
            raise TypeError(f"For 'SequentialCell', the argument must be a list of Cells, an OrderedDict "
                            f"{{name: Cell}} or Cells, but got {', '.join(type(a).__name__ for a in args)}.")
        object.__setattr__(self, "_by_position", [])
        for name, cell, by_position in items:
            self._append(name, cell, by_position)

    def _append(self, name, cell, by_position=True):
        if not isinstance(cell, Cell):
            raise TypeError(f"For 'SequentialCell', every element must be a Cell, but element {name!r} is "
                            f"{type(cell).__name__}.")
        self.insert_child_to_cell(str(name), cell)
        cell.update_parameters_name(f"{name}.")
        self._by_position.append(by_position)

    @property
    def cell_list(self):
        return list(self._cells.values())

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(self.cell_list[index])
        return self.cell_list[_valid_index("SequentialCell", len(self), index)]

    def __setitem__(self, index, cell):
        _check_cell("SequentialCell", cell)
        position = _valid_index("SequentialCell", len(self), index)
        prefix = _container_prefix(self)
        self._name_child(list(self._cells)[position], cell, prefix)

    def __delitem__(self, index):
        if isinstance(index, slice):
            gone = set(range(len(self))[index])
        else:
            gone = {_valid_index("SequentialCell", len(self), index)}
        prefix = _container_prefix(self)
        kept = [(None if by_position else key, cell)
                for position, ((key, cell), by_position) in enumerate(zip(self._cells.items(), self._by_position))
                if position not in gone]
        object.__setattr__(self, "_by_position", [key is None for key, _ in kept])
        self._rebuild(kept, prefix)

    def append(self, cell):
        """Add ``cell`` at the end (named by its position); return self."""
        _check_cell("SequentialCell", cell)
        prefix = _container_prefix(self)
        self._name_child(str(len(self)), cell, prefix)
        self._by_position.append(True)
        return self

    def construct(self, x):
        for cell in self._cells.values():
            x = cell(x)
        return x


class CellList(_Positional):
    """Cells held in a list and registered as children: ``append``, ``extend``, ``insert``,
    indexing (negative too), slices, ``del``, ``len``, iteration and ``+=``.

    A CellList has no ``construct``: a network iterates it in its own.

    Args:
        *args: nothing, or one list of Cells.
        auto_prefix (bool): name the children's parameters by position (default True).

    Raises:
        TypeError: ``extend`` of something other than a list; an element that is not a Cell; an
            index that is not an int.
        IndexError: an index out of range.

    >>> from sporelab import nn
    >>> blocks = nn.CellList([nn.Dense(2, 2)])
    >>> blocks += [nn.Dense(2, 2)]
    >>> del blocks[0]
    >>> list(blocks.parameters_dict())
    ['0.weight', '0.bias']
    """

    def __init__(self, *args, auto_prefix=True):
        super().__init__(auto_prefix)
        if len(args) > 1:
            raise TypeError(f"For 'CellList', pass one list of Cells, but got {len(args)} arguments.")
        if args:
            self.extend(args[0])

    def __getitem__(self, index):
        if isinstance(index, slice):
            return type(self)(list(self._cells.values())[index])
        return self._cells[str(_valid_index("CellList", len(self), index))]

    def __setitem__(self, index, cell):
        _check_cell("CellList", cell)
        position = _valid_index("CellList", len(self), index)
        self._name_child(str(position), cell, _container_prefix(self))

    def __delitem__(self, index):
        if isinstance(index, slice):
            gone = set(range(len(self))[index])
        else:
            gone = {_valid_index("CellList", len(self), index)}
        prefix = _container_prefix(self)
        self._rebuild([(None, cell) for position, cell in enumerate(self._cells.values())
                       if position not in gone], prefix)

    def __iadd__(self, cells):
        self.extend(cells)
        return self

    def insert(self, index, cell):
        """Insert ``cell`` before position ``index`` (MindSpore: an index in range)."""
        position = _valid_index("CellList", len(self), index)
        _check_cell("CellList", cell)
        prefix = _container_prefix(self)
        cells = list(self._cells.values())
        cells.insert(position, cell)
        self._rebuild([(None, each) for each in cells], prefix)

    def append(self, cell):
        """Add ``cell`` at the end."""
        _check_cell("CellList", cell)
        self._name_child(str(len(self)), cell, _container_prefix(self))

    def extend(self, cells):
        """Add every Cell of the list ``cells`` at the end; nothing is added if one is not a Cell."""
        if not isinstance(cells, list):
            raise TypeError(f"For 'CellList', the cells to extend with must be a list, "
                            f"but got {type(cells).__name__}.")
        for cell in cells:
            _check_cell("CellList", cell)
        prefix = _container_prefix(self)
        for cell in cells:
            self._name_child(str(len(self)), cell, prefix)

    def construct(self, *inputs, **kwargs):
        raise NotImplementedError("A CellList has no construct: iterate over it in your Cell's construct.")
