"""``ParameterUpdate``: a Cell that writes its input into one Parameter and returns the input.

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab import nn
>>> network = nn.Dense(3, 4)
>>> param = network.parameters_dict()['weight']
>>> update = nn.ParameterUpdate(param)
>>> print(update(ms.Tensor(np.arange(12).reshape((4, 3)), ms.float32)))
[[ 0.  1.  2.]
 [ 3.  4.  5.]
 [ 6.  7.  8.]
 [ 9. 10. 11.]]
>>> print(network.weight.asnumpy()[3])
[ 9. 10. 11.]
"""

from .. import dtype as mstype
from ..parameter import Parameter
from ..tensor import Tensor
from .cell import Cell

__all__ = ["ParameterUpdate"]


class ParameterUpdate(Cell):
    """Assign a new value to ``param`` each time the cell is called.

    Args:
        param (Parameter): the parameter to update (for example a network's weight).

    Calling ``update(x)`` copies the value of ``x`` into ``param`` and returns ``x``. ``x`` must be a
    Tensor of the parameter's shape; its dtype must convert implicitly into the parameter's
    (Bool < Int8 < UInt8 < Int16 < Int32 < Int64 < Float16 < Float32 < Float64), as in
    ``Parameter.set_data``. A rejected call leaves the parameter unchanged.

    Raises:
        TypeError: ``param`` is not a Parameter; ``x`` is not a Tensor or has a dtype ranked above
            the parameter's.
        ValueError: ``x`` has another shape.
    """

    def __init__(self, param):
        super().__init__(auto_prefix=False)
        if not isinstance(param, Parameter):
            raise TypeError(f"For 'ParameterUpdate', 'param' must be 'Parameter', but got {type(param)}.")
        self._param = param

    def construct(self, x):
        if not isinstance(x, Tensor):
            hint = " Wrap it first: ms.Tensor(array)." if type(x).__module__ == "numpy" else ""
            raise TypeError(f"For 'ParameterUpdate', the input 'x' must be a Tensor, but got "
                            f"{type(x).__name__}.{hint}")
        if x.shape != self._param.shape:
            raise ValueError(f"For 'ParameterUpdate', the input 'x' must have the shape of the parameter "
                             f"'{self._param.name}', {self._param.shape}, but got {x.shape}.")
        if not mstype.can_cast_implicitly(x.dtype, self._param.dtype):
            raise TypeError(f"For 'ParameterUpdate', the input 'x' has dtype {x.dtype}, which cannot be "
                            f"converted implicitly into the dtype {self._param.dtype} of the parameter "
                            f"'{self._param.name}' (it would lose precision). Cast it first: "
                            f"x.astype(ms.{self._param.dtype.name.lower()}).")
        # A copy, so that later changes to x do not reach the parameter (an assignment, not an alias).
        self._param.set_data(Tensor(x))
        return x
