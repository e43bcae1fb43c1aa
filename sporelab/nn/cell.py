"""``Cell``, the base of every layer and network (its containers are in ``nn/container.py``).

A Cell keeps the Parameters and sub-Cells assigned to its attributes in two ordered registries,
so that a network can list, name and update its parameters::

    class Net(nn.Cell):
        def __init__(self):
            super().__init__()            # creates the registries: call it first
            self.fc1 = nn.Dense(3, 4)     # a child Cell: its parameters become fc1.weight, fc1.bias
            self.scale = ms.Parameter(1.0)    # a Parameter: renamed from 'Parameter' to 'scale'

        def construct(self, x):           # the forward computation; net(x) calls it
            return self.fc1(x) * self.scale

Names are attribute paths (``fc1.weight``), given when a child is assigned (the parent's
``auto_prefix``); ``parameters_dict()`` is keyed by those names.
"""

from collections import OrderedDict

from .. import device as _device
from .._checks import check_bool
from ..errors import CellStateError
from ..parallel import _hooks as _parallel
from ..parameter import DEFAULT_NAME, Parameter, ParameterTuple, check_prefix
from ..tensor import Tensor

__all__ = ["Cell"]


class Cell:
    """The base class of layers and networks: parameter bookkeeping plus ``construct``.

    Args:
        auto_prefix (bool): when True (default), a child Cell assigned to an attribute ``attr``
            gets its parameters renamed ``attr.<path>``.
        flags (dict): extra attributes to set on the cell (kept for MindSpore compatibility).

    Assigning an attribute routes the value: a ``Parameter`` is registered (renamed to the
    attribute name if still named ``'Parameter'``); a ``ParameterTuple``'s members are registered
    under their own names; a ``Cell`` becomes a child; a ``Tensor`` assigned to an existing
    parameter attribute replaces its value via ``set_data`` (same shape, dtype promotion rule).

    Raises:
        RuntimeError: a Parameter or Cell assigned before ``super().__init__()`` ran.
        TypeError: replacing a parameter or child by a value of another kind.
        KeyError: a parameter name that is empty, contains '.', or clashes with an attribute.
    """

    def __init__(self, auto_prefix=True, flags=None):
        check_bool(auto_prefix, "For 'Cell', the argument 'auto_prefix' must be a bool", got="type")
        object.__setattr__(self, "_params", OrderedDict())
        object.__setattr__(self, "_cells", OrderedDict())
        object.__setattr__(self, "_auto_prefix", auto_prefix)
        object.__setattr__(self, "_tuple_counter", 0)
        object.__setattr__(self, "training", False)
        for key, value in (flags or {}).items():
            object.__setattr__(self, key, value)

    @property
    def cls_name(self):
        return type(self).__name__

    # ---- attribute routing -------------------------------------------------------------------
    def _registry(self, key):
        registry = self.__dict__.get(key)
        if registry is None:
            raise CellStateError(f"{self.cls_name}.__init__ must call super().__init__() before it assigns "
                               f"Parameters or Cells to attributes; the Cell registries do not exist yet.")
        return registry

    def __setattr__(self, name, value):
        params, cells = self.__dict__.get("_params"), self.__dict__.get("_cells")
        if isinstance(value, Parameter):
            self._set_parameter(name, value)
        elif isinstance(value, ParameterTuple):
            self._set_parameter_tuple(name, value)
        elif isinstance(value, Cell):
            self._set_cell(name, value)
        elif params and name in params:
            self._assign_to_parameter(name, value)
        elif cells and name in cells:
            if value is not None:
                raise TypeError(f"'{name}' is a child Cell of {self.cls_name}; it can be replaced by a "
                                f"Cell or None, but got {type(value).__name__}.")
            cells[name] = None
        else:
            object.__setattr__(self, name, value)

    def _set_parameter(self, name, value):
        self._registry("_params")
        if name in self.__dict__:
            if self.__dict__[name] is not None:
                raise TypeError(f"'{name}' is already a plain attribute of {self.cls_name} "
                                f"({type(self.__dict__[name]).__name__}); delete it before assigning a Parameter.")
            del self.__dict__[name]
        if name in self._cells:
            raise TypeError(f"'{name}' is a child Cell of {self.cls_name}; it cannot become a Parameter.")
        self.insert_param_to_cell(name, value)

    def _set_parameter_tuple(self, name, value):
        self._registry("_params")
        seen = set()
        for param in value:
            if id(param) in seen:
                continue
            seen.add(id(param))
            if param.name == DEFAULT_NAME:
                object.__setattr__(self, "_tuple_counter", self._tuple_counter + 1)
                param.name = f"{DEFAULT_NAME}${self._tuple_counter}"
            self.insert_param_to_cell(param.name, param, check_name_contain_dot=False)
        object.__setattr__(self, name, value)

    def _set_cell(self, name, value):
        self._registry("_cells")
        if name in self._params:
            raise TypeError(f"'{name}' is a Parameter of {self.cls_name}; it cannot become a child Cell.")
        if self._auto_prefix:
            check_prefix(name + ".", "attribute name")     # fail before anything changes
        if name in self.__dict__:
            del self.__dict__[name]
        self.insert_child_to_cell(name, value)
        if self._auto_prefix:
            value.update_parameters_name(name + ".")

    def _assign_to_parameter(self, name, value):
        param = self._params[name]
        if isinstance(value, Tensor) and param is not None:
            param.set_data(value)
        elif value is None:
            self._params[name] = None
        else:
            raise TypeError(f"'{name}' is a Parameter of {self.cls_name}: assign a Parameter, or a Tensor "
                            f"to replace its value (same shape), but got {type(value).__name__}.")

    def __getattr__(self, name):
        # Only called when normal lookup fails, i.e. for registered parameters and cells.
        for key in ("_params", "_cells"):
            registry = self.__dict__.get(key)
            if registry is not None and name in registry:
                return registry[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'.")

    def __delattr__(self, name):
        if name in self.__dict__.get("_params", ()):
            del self._params[name]
        elif name in self.__dict__.get("_cells", ()):
            del self._cells[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self):  # tab completion shows parameters and children
        return sorted(set(super().__dir__()) | set(self._params) | set(self._cells))

    # ---- registration ------------------------------------------------------------------------
    def insert_param_to_cell(self, param_name, param, check_name_contain_dot=True):
        """Register ``param`` (a Parameter or None) under ``param_name``.

        A Parameter still named ``'Parameter'`` takes the name ``param_name``.

        Raises:
            KeyError: ``param_name`` is empty, contains '.' (when checked), or is already a
                non-parameter attribute.
            TypeError: ``param_name`` is not a str, or ``param`` is not a Parameter.
            RuntimeError: ``Cell.__init__`` has not run.
        """
        if not isinstance(param_name, str):
            raise TypeError(f"For 'insert_param_to_cell', the argument 'param_name' must be a str, "
                            f"but got {type(param_name).__name__}.")
        if not param_name:
            raise KeyError("For 'insert_param_to_cell', the argument 'param_name' should not be empty.")
        if check_name_contain_dot and "." in param_name:
            raise KeyError(f"For 'insert_param_to_cell', the argument 'param_name' should not contain '.', "
                           f"but got '{param_name}'; dots separate the levels of a parameter path.")
        params = self._registry("_params")
        if param_name not in params and hasattr(self, param_name):
            raise KeyError(f"For 'insert_param_to_cell', '{param_name}' is already an attribute of "
                           f"{self.cls_name}; choose another name for the parameter.")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"For 'insert_param_to_cell', the argument 'param' must be a Parameter, but got "
                            f"{type(param).__name__}. Wrap a Tensor: ms.Parameter(tensor, name=...).")
        if param is not None and param.name == DEFAULT_NAME:
            param.name = param_name
        params[param_name] = param

    def insert_child_to_cell(self, child_name, child_cell):
        """Register ``child_cell`` (a Cell or None) as the child ``child_name`` (no renaming).

        Raises KeyError for an empty, dotted or already used name; TypeError for wrong types.
        """
        if not isinstance(child_name, str):
            raise TypeError(f"For 'insert_child_to_cell', the argument 'child_name' must be a str, but got "
                            f"{type(child_name).__name__}.")
        if not child_name or "." in child_name:
            raise KeyError(f"For 'insert_child_to_cell', the argument 'child_name' must be non-empty and "
                           f"contain no '.', but got '{child_name}'.")
        cells = self._registry("_cells")
        if child_name not in cells and hasattr(self, child_name):
            raise KeyError(f"For 'insert_child_to_cell', '{child_name}' is already an attribute of "
                           f"{self.cls_name}; choose another name for the child.")
        if child_cell is not None and not isinstance(child_cell, Cell):
            raise TypeError(f"For 'insert_child_to_cell', the argument 'child_cell' must be a Cell, but got "
                            f"{type(child_cell).__name__}.")
        cells[child_name] = child_cell

    # ---- walking -----------------------------------------------------------------------------
    def cells_and_names(self, cells=None, name_prefix=""):
        """Yield ``(path, cell)`` for this cell and every descendant, depth first, each once.

        The cell itself comes first with path ``name_prefix`` ('' by default).
        """
        seen = cells if cells else set()
        if self in seen:
            return
        seen.add(self)
        yield name_prefix, self
        for name, cell in self._cells.items():
            if cell is not None:
                path = f"{name_prefix}.{name}" if name_prefix else name
                yield from cell.cells_and_names(seen, path)

    def parameters_and_names(self, name_prefix="", expand=True):
        """Yield ``(path, parameter)``: this cell's own parameters first, then each child's, depth
        first; a parameter shared by several cells is yielded once, under its first path.

        Args:
            name_prefix (str): prepended to every path.
            expand (bool): include the parameters of child cells.
        """
        cells = self.cells_and_names(name_prefix=name_prefix) if expand else [(name_prefix, self)]
        seen = set()
        for cell_path, cell in cells:
            for name, param in cell._params.items():
                if param is None or id(param) in seen:
                    continue
                seen.add(id(param))
                yield (f"{cell_path}.{name}" if cell_path else name), param

    def get_parameters(self, expand=True):
        """Yield the parameters in ``parameters_and_names`` order."""
        for _, param in self.parameters_and_names(expand=expand):
            yield param

    def trainable_params(self, recurse=True):
        """The list of parameters with ``requires_grad=True``."""
        return [p for p in self.get_parameters(expand=recurse) if p.requires_grad]

    def untrainable_params(self, recurse=True):
        """The list of parameters with ``requires_grad=False``."""
        return [p for p in self.get_parameters(expand=recurse) if not p.requires_grad]

    def parameters_dict(self, recurse=True):
        """An OrderedDict ``{param.name: param}`` (names are the paths given by prefixing).

        >>> from sporelab import nn
        >>> nn.Dense(3, 4).parameters_dict()['weight'].shape
        (4, 3)
        """
        return OrderedDict((p.name, p) for p in self.get_parameters(expand=recurse))

    def name_cells(self):
        """An OrderedDict of the direct children ``{attribute name: cell}`` (each once)."""
        seen, result = set(), OrderedDict()
        for name, cell in self._cells.items():
            if cell is not None and cell not in seen:
                seen.add(cell)
                result[name] = cell
        return result

    def cells(self):
        return self.name_cells().values()

    # ---- names and state ---------------------------------------------------------------------
    def update_parameters_name(self, prefix="", recurse=True):
        """Rename every parameter to ``prefix + <its path in this cell>`` (e.g. ``fc1.weight``).

        Args:
            prefix (str): '' or a string matching ``^\\w+[0-9a-zA-Z_.]*$`` (ASCII), e.g. 'fc1.'.
            recurse (bool): include the parameters of child cells.

        Raises:
            TypeError: ``prefix`` is not a str.
            ValueError: ``prefix`` does not match the pattern.
        """
        if prefix != "":
            check_prefix(prefix)
        for path, param in self.parameters_and_names(expand=recurse):
            param.name = prefix + path

    def check_names(self):
        """Raise ValueError if two different parameters of this network share a name."""
        names = set()
        for path, param in self.parameters_and_names():
            if param.name in names:
                raise ValueError(f"The value of {path} is {param}, its name '{param.name}' already exists. "
                                 f"Please set a unique name for the parameter.")
            names.add(param.name)

    def init_parameters_data(self, auto_parallel_mode=False):
        """Create the data of every parameter that is still lazy; return ``{old: new}``.

        Each maps to itself: parameters hold their data from construction, except those built from
        ``initializer(...)`` in the parallel modes, which are created here (``Parameter.init_data``;
        its RuntimeError if the parallel mode changed since).
        """
        replace = {}
        for param in list(self.get_parameters()):
            new = param.init_data()
            replace[param] = new
            if new is not param:
                for _, cell in self.cells_and_names():
                    for key, value in cell._params.items():
                        if value is param:
                            cell._params[key] = new
        return replace

    def set_train(self, mode=True):
        """Put this cell and all its descendants in training (True) or inference (False) mode.

        Returns the cell, so ``net.set_train()`` can be chained.
        """
        check_bool(mode, "For 'set_train', the argument 'mode' must be a bool", got="type")
        for _, cell in self.cells_and_names():
            object.__setattr__(cell, "training", mode)
        return self

    # ---- running and printing ----------------------------------------------------------------
    def construct(self, *inputs, **kwargs):
        """The forward computation; every Cell subclass that is called must define it."""
        raise NotImplementedError(
            f"{self.cls_name} has no construct method, so it cannot be called. Define "
            f"`def construct(self, x): ...` in your Cell subclass to compute its output from its inputs "
            f"(e.g. `return self.fc1(x)`); `net(x)` then runs it.")

    def __call__(self, *inputs, **kwargs):
        if "_broadcast_checked" not in self.__dict__ and _parallel.context_is_set():
            self._broadcast_parameters()
        return self.construct(*inputs, **kwargs)

    def parameters_broadcast_dict(self, recurse=True):
        """``{name: parameter}`` of the parameters that rank 0 broadcasts: all but the
        ``layerwise_parallel`` ones; None when there is none (as MindSpore returns)."""
        params = OrderedDict((p.name, p) for p in self.get_parameters(expand=recurse) if not p.layerwise_parallel)
        return params or None

    def _broadcast_parameters(self):
        """At the first call in data/hybrid parallel with ``parameter_broadcast=True``: every
        rank takes rank 0's values of ``parameters_broadcast_dict()`` (in their own dtype)."""
        cells = [cell for _, cell in self.cells_and_names()]
        if _parallel.needs_broadcast():
            params = list((self.parameters_broadcast_dict() or {}).values())
            arrays = _parallel.broadcast_from_root([p._array for p in params])
            for param, array in zip(params, arrays):
                param._write(_device.to_device(array, param.device), "the parameter broadcast")
        for cell in cells:
            object.__setattr__(cell, "_broadcast_checked", True)

    def extend_repr(self):
        """Extra text shown inside ``<...>`` by ``repr``; layers override it."""
        return ""

    def __repr__(self):
        extra = self.extend_repr()
        children = self.name_cells()
        if not children:
            return f"{self.cls_name}<{extra}>"
        body = "\n" + (f"{extra}\n" if extra else "")
        for name, cell in children.items():
            body += f"({name}): {cell!r}\n"
        return f"{self.cls_name}<" + body.replace("\n", "\n  ") + ">"
