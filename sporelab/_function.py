"""``autograd.Function``: an op with a hand-written backward, MXNet's custom-function API
(apache/mxnet tag 1.9.1, python/mxnet/autograd.py ``class Function``).

>>> import numpy as np, sporelab as ms
>>> class Sigmoid(ms.autograd.Function):
...     def forward(self, x):
...         y = 1 / (1 + (-x).exp())
...         self.save_for_backward(y)
...         return y
...     def backward(self, dy):
...         y, = self.saved_tensors
...         return dy * y * (1 - y)
>>> x = ms.Tensor([0.0, 1.0]).attach_grad()
>>> with ms.autograd.record():
...     y = Sigmoid()(x)
>>> y.backward(); np.round(x.grad.asnumpy(), 4)
array([0.25  , 0.1966], dtype=float32)
"""

from . import _tape
from . import device as _device
from .tensor import Tensor

__all__ = ["Function"]


class Function:
    """Subclass it with ``forward(self, *inputs)`` and ``backward(self, *output_grads)``; call an
    instance once. As in MXNet: ``forward`` runs unrecorded; when recording, the outputs are recorded
    and ``backward`` gets one gradient per output and returns one gradient per input (a Tensor or a
    tuple). With several outputs, sporelab calls ``backward`` once per output that gradient reaches
    (zeros for the others) and sums: the same result for a backward linear in its output gradients.
    """

    def __init__(self):
        self._used = False
        self.saved_tensors = ()

    def save_for_backward(self, *args):
        """Keep ``args`` for ``backward`` as ``self.saved_tensors``."""
        self.saved_tensors = args

    def forward(self, *inputs):
        raise NotImplementedError(f"{type(self).__name__} must define forward(self, *inputs).")

    def backward(self, *output_grads):
        raise NotImplementedError(f"{type(self).__name__} must define backward(self, *output_grads).")

    def __call__(self, *inputs):
        if self._used:
            raise RuntimeError("Each Function instance can only be called once. Please create another "
                               "instance.")
        self._used = True
        for i, value in enumerate(inputs):
            if not isinstance(value, Tensor):
                raise TypeError(f"The inputs of {type(self).__name__} must be Tensors, but input {i} is "
                                f"{type(value).__name__}.")
        with _tape.suspended():
            outputs = self.forward(*inputs)
        single = isinstance(outputs, Tensor)
        outputs = (outputs,) if single else tuple(outputs)
        for i, output in enumerate(outputs):
            if not isinstance(output, Tensor):
                raise TypeError(f"{type(self).__name__}.forward must return Tensors, but output {i} is "
                                f"{type(output).__name__}.")
        for i, output in enumerate(outputs):
            _tape.record_op(output, inputs, self._backward_of(i, outputs, inputs), saved=())
        return outputs[0] if single else outputs

    def _backward_of(self, index, outputs, inputs):
        def backward(grad):
            grads = [Tensor._wrap(grad, o.dtype, o.device) if j == index else
                     Tensor._wrap(_device.array_module(o.device).zeros(o.shape, o.dtype.nptype),
                                  o.dtype, o.device) for j, o in enumerate(outputs)]
            result = self.backward(*grads)
            result = (result,) if isinstance(result, Tensor) else tuple(result)
            if len(result) != len(inputs):
                raise ValueError(f"{type(self).__name__}.backward must return one gradient per input "
                                 f"({len(inputs)}), but returned {len(result)}.")
            return [None if g is None else g._array if isinstance(g, Tensor) else g for g in result]
        return backward
