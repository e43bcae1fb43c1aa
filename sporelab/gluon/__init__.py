"""The MXNet Gluon face of sporelab: ``Parameter``, ``Constant``, ``ParameterDict`` and ``init``.

Gluon tutorials run with ``from sporelab import gluon`` (and ``gluon.init`` for ``mx.init``)::

    >>> import sporelab as ms
    >>> from sporelab import gluon
    >>> w = gluon.Parameter('fc_weight', shape=(64, 100), init=gluon.init.Xavier())
    >>> w.initialize(ctx=ms.cpu(0))
    >>> w.data().shape
    (64, 100)

The Parameter is a thin container over the engine's Tensor, devices, initializers and autograd.
"""

from . import init
from .parameter import Constant, DeferredInitializationError, Parameter
from .parameter_dict import ParameterDict
from .trainer import Trainer

__all__ = ["Parameter", "Constant", "ParameterDict", "DeferredInitializationError", "init", "Trainer"]
