"""Basic layers: ``Dense``, ``Flatten`` and the activation cells ``ReLU``, ``Sigmoid``, ``Tanh``.

>>> import numpy as np
>>> import sporelab as ms
>>> from sporelab import nn
>>> net = nn.Dense(3, 4, weight_init='ones')
>>> net
Dense<input_channels=3, output_channels=4, has_bias=True>
>>> print(net(ms.Tensor(np.ones((2, 3), np.float32))))
[[3. 3. 3. 3.]
 [3. 3. 3. 3.]]
"""


from .. import ops
from .._checks import check_bool as _check_bool, is_real
from ..common.initializer import Initializer, initializer
from ..ops.conv import check_positive_int
from ..parameter import Parameter
from ..tensor import Tensor
from .cell import Cell

__all__ = ["Dense", "Flatten", "ReLU", "Sigmoid", "Tanh", "get_activation"]


def check_bool(value, name, op):
    return _check_bool(value, f"For '{op}', the argument '{name}' must be a bool (True or False)")


def _wrap_hint(value):
    return " Wrap it first: ms.Tensor(array)." if type(value).__module__ == "numpy" else ""


def check_input_tensor(x, op):
    """Raise a teaching TypeError unless ``x`` is a Tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"For '{op}', the input 'x' must be a Tensor, but got "
                        f"{type(x).__name__}.{_wrap_hint(x)}")


def make_parameter(init, shape, name, op):
    """``Parameter(initializer(init, shape), name=name)`` with the checks and messages of a layer.

    A Tensor ``init`` must already have ``shape`` (its dtype is kept); a string, an Initializer
    or a number is drawn as Float32.

    Raises:
        TypeError: ``init`` is none of Tensor, str, Initializer, number.
        ValueError: a Tensor of another shape; an unknown initializer name.
    """
    arg = "weight_init" if name == "weight" else "bias_init"
    if isinstance(init, Tensor):
        if init.shape != tuple(shape):
            raise ValueError(f"For '{op}', {name} init shape error. The shape of '{arg}' must be "
                             f"{tuple(shape)}, but got {init.shape}.")
    elif not (is_real(init) or isinstance(init, (str, Initializer))):
        raise TypeError(f"For '{op}', the argument '{arg}' must be a str such as 'normal', an Initializer "
                        f"such as Normal(0.2), a number or a Tensor of shape {tuple(shape)}, but got "
                        f"{type(init).__name__}.{_wrap_hint(init)}")
    try:
        return Parameter(initializer(init, list(shape)), name=name)
    except (KeyError, ValueError) as error:
        raise ValueError(f"For '{op}', the argument '{arg}' is invalid: {error}") from None
    except TypeError as error:
        raise TypeError(f"For '{op}', the argument '{arg}' is invalid: {error}") from None


class ReLU(Cell):
    """``max(x, 0)`` element-wise.

    >>> import sporelab as ms
    >>> print(ReLU()(ms.Tensor([-1.0, 2.0])))
    [0. 2.]
    """

    def construct(self, x):
        check_input_tensor(x, "ReLU")
        return ops.relu(x)


class Sigmoid(Cell):
    """``1 / (1 + exp(-x))`` element-wise (integers give Float32).

    >>> import sporelab as ms
    >>> print(Sigmoid()(ms.Tensor([0.0])))
    [0.5]
    """

    def construct(self, x):
        check_input_tensor(x, "Sigmoid")
        return ops.sigmoid(x)


class Tanh(Cell):
    """``tanh(x)`` element-wise (integers give Float32).

    >>> import sporelab as ms
    >>> print(Tanh()(ms.Tensor([0.0])))
    [0.]
    """

    def construct(self, x):
        check_input_tensor(x, "Tanh")
        return ops.tanh(x)


_ACTIVATIONS = {"relu": ReLU, "sigmoid": Sigmoid, "tanh": Tanh}


def get_activation(name):
    """A new activation Cell for ``name`` ('relu', 'sigmoid', 'tanh'; any case); None for None.

    Raises:
        TypeError: ``name`` is not a str or None.
        ValueError: an unknown name (the message lists the known ones).

    >>> get_activation('relu')
    ReLU<>
    """
    if name is None:
        return None
    if not isinstance(name, str):
        raise TypeError(f"For 'get_activation', the argument 'name' must be a str such as 'relu', but got "
                        f"{type(name).__name__}.")
    try:
        return _ACTIVATIONS[name.lower()]()
    except KeyError:
        raise ValueError(f"For 'get_activation', the activation {name!r} is unknown; known are "
                         f"{sorted(_ACTIVATIONS)}.") from None


class Flatten(Cell):
    """Flatten all but the first (batch) axis: (N, d1, d2, ...) -> (N, d1*d2*...).

    Raises:
        TypeError: ``x`` is not a Tensor.
        ValueError: ``x`` is a scalar (it has no batch axis).

    >>> import numpy as np, sporelab as ms
    >>> Flatten()(ms.Tensor(np.zeros((2, 3, 4)))).shape
    (2, 12)
    """

    def construct(self, x):
        check_input_tensor(x, "Flatten")
        if x.ndim < 1:
            raise ValueError("For 'Flatten', the input 'x' must have at least 1 dimension (the batch), "
                             "but got a scalar.")
        batch = x.shape[0]
        rest = 1
        for size in x.shape[1:]:
            rest *= size
        return x.reshape(batch, rest)


class Dense(Cell):
    """Fully connected layer: ``y = activation(x W^T + b)``.

    Args:
        in_channels (int): the size of the last axis of the input.
        out_channels (int): the size of the last axis of the output.
        weight_init: 'normal' (default, N(0, 0.01^2)), any initializer name or Initializer, a
            number, or a Tensor of shape (out_channels, in_channels).
        bias_init: 'zeros' (default), or as ``weight_init`` with shape (out_channels,).
        has_bias (bool): add the bias ``b``.
        activation: None, a name ('relu', 'sigmoid', 'tanh') or a Cell applied to the output.

    Parameters: ``weight`` (out_channels, in_channels) and, with ``has_bias``, ``bias``
    (out_channels,); ``self.bias`` is None otherwise.

    Input (*, in_channels) with at least 2 dimensions; output (*, out_channels). Inputs with more
    than 2 dimensions are treated as a batch of rows.

    Raises:
        TypeError: channels not ints; ``has_bias`` not a bool; an init or activation of the wrong
            type; a non-Tensor input.
        ValueError: channels <= 0; an init Tensor of the wrong shape; an unknown init or
            activation name; an input whose last axis is not ``in_channels``.

    >>> net = Dense(3, 4)
    >>> [(p.name, p.shape) for p in net.get_parameters()]
    [('weight', (4, 3)), ('bias', (4,))]
    """

    def __init__(self, in_channels, out_channels, weight_init="normal", bias_init="zeros",
                 has_bias=True, activation=None):
        super().__init__()
        self.in_channels = check_positive_int(in_channels, "in_channels", "Dense")
        self.out_channels = check_positive_int(out_channels, "out_channels", "Dense")
        self.has_bias = check_bool(has_bias, "has_bias", "Dense")
        if activation is not None and not isinstance(activation, (str, Cell)):
            raise TypeError(f"For 'Dense', the argument 'activation' must be a str such as 'relu', a Cell "
                            f"or None, but got {type(activation).__name__}.")
        act = activation
        if isinstance(activation, str):
            try:
                act = get_activation(activation)
            except ValueError as error:
                raise ValueError(f"For 'Dense', the argument 'activation' is invalid: {error}") from None
        self.weight = make_parameter(weight_init, (self.out_channels, self.in_channels), "weight", "Dense")
        self.bias = None
        if self.has_bias:
            self.bias = make_parameter(bias_init, (self.out_channels,), "bias", "Dense")
        self.activation = act
        self.activation_flag = act is not None

    def construct(self, x):
        check_input_tensor(x, "Dense")
        if x.ndim < 2 or x.shape[-1] != self.in_channels:
            raise ValueError(f"For 'Dense', the input 'x' must have shape (batch, ..., in_channels="
                             f"{self.in_channels}) with at least 2 dimensions, but got shape {x.shape} "
                             f"(last axis {x.shape[-1] if x.ndim else 'missing'}, expected "
                             f"{self.in_channels}). Add a batch axis with x.reshape((1, -1)) for one sample.")
        rows = x if x.ndim == 2 else x.reshape(-1, self.in_channels)
        y = rows @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        if self.activation is not None:
            y = self.activation(y)
        return y if x.ndim == 2 else y.reshape(x.shape[:-1] + (self.out_channels,))

    def extend_repr(self):
        text = f"input_channels={self.in_channels}, output_channels={self.out_channels}"
        if self.has_bias:
            text += f", has_bias={self.has_bias}"
        if self.activation_flag:
            text += f", activation={self.activation}"
        return text
