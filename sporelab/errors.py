"""Errors that keep MindSpore code working where sporelab is stricter about kinds.

sporelab says TypeError for an argument of the wrong type. In a few places MindSpore says
ValueError for the same mistake, and tutorials catch that. ``ArgumentTypeError`` is both, as
NumPy's ``AxisError`` is both a ValueError and an IndexError, so either ``except`` catches it.

Raised where MindSpore raises ValueError for a wrong type:

* the Parameter name, in the constructor and the ``name`` setter (not a str or None);
* ``initializer(init, shape)`` with a ``shape`` that is not a tuple, list or int;
* ``set_context(device_target=123)``, ``Tensor()`` and ``Tensor(None)``, where MindSpore says
  TypeError and sporelab said ValueError before (so both kinds keep working);
* a missing or wrongly typed argument where MindSpore says ValueError: ``SGD(None)``,
  ``Optimizer(lr, None)``, ``load_checkpoint(1)``.

``ArgumentAssertionError`` is a ValueError that is also MXNet's AssertionError, for the value checks
MXNet makes with ``assert`` (``ParameterDict.load``'s names, shapes and dtypes). ``CellStateError``
is a RuntimeError (the Cell is not ready) that is also MindSpore's AttributeError, for a Parameter
or Cell assigned before ``super().__init__()``.

>>> import sporelab as ms
>>> try:
...     ms.Parameter(ms.Tensor([1.0]), name=3)
... except ValueError as error:     # MindSpore's kind; `except TypeError` works as well
...     print(type(error).__name__)
ArgumentTypeError
"""

__all__ = ["ArgumentTypeError", "ArgumentAssertionError", "CellStateError"]


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type, where MindSpore raises ValueError: both kinds catch it."""


class ArgumentAssertionError(ValueError, AssertionError):
    """A wrong value where MXNet asserts (``ParameterDict.load``'s missing or extra names, shape
    and dtype checks): Gluon code's ``except AssertionError`` and sporelab's ValueError both catch it."""


class CellStateError(RuntimeError, AttributeError):
    """A Cell used before ``super().__init__()`` ran: sporelab's RuntimeError, MindSpore's AttributeError."""
