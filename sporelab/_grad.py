"""The MindSpore face of autograd: ``grad`` and ``value_and_grad`` (MindSpore 2.x functional style).

>>> import sporelab as ms
>>> w = ms.Parameter(ms.Tensor([3.0]), name="w")
>>> f = lambda x: (w * x).sum()
>>> ms.grad(f, grad_position=None, weights=[w])(ms.Tensor([2.0]))
(Tensor(shape=[1], dtype=Float32, value=
[2.]),)
"""

from . import _tape
from . import device as _device
from ._checks import check_bool, is_int
from .parameter import Parameter
from .tensor import Tensor


def _check_positions(grad_position):
    if grad_position is None:
        return None
    positions = grad_position if isinstance(grad_position, tuple) else (grad_position,)
    for p in positions:
        if not is_int(p):
            raise TypeError(f"The argument 'grad_position' must be an int, a tuple of ints or None, "
                            f"but got {grad_position!r}.")
        if p < 0:
            raise ValueError(f"The argument 'grad_position' must hold non-negative ints, but got {grad_position!r}.")
    if not positions:
        raise ValueError("The argument 'grad_position' must not be an empty tuple.")
    return positions


def _check_weights(weights):
    if weights is None:
        return None
    items = (weights,) if isinstance(weights, Parameter) else weights
    if hasattr(items, "__iter__") and not isinstance(items, (str, bytes, dict, Tensor)):
        items = tuple(items)          # net.get_parameters() is a generator
    if not isinstance(items, tuple):
        raise TypeError(f"The argument 'weights' must be a Parameter, a list/tuple/ParameterTuple of "
                        f"Parameters (e.g. net.trainable_params()) or None, but got {type(weights).__name__}.")
    for i, item in enumerate(items):
        if not isinstance(item, Parameter):
            raise TypeError(f"The argument 'weights' must hold Parameters, but element {i} is a {type(item).__name__}.")
    return tuple(items)


def _check(fn, grad_position, weights, has_aux):
    if not callable(fn):
        raise TypeError(f"The argument 'fn' must be callable, but got {type(fn).__name__}.")
    check_bool(has_aux, "The argument 'has_aux' must be bool", got="type")
    positions, params = _check_positions(grad_position), _check_weights(weights)
    if positions is None and params is None:
        raise ValueError("'grad_position' and 'weights' cannot both be None: say what to differentiate.")
    return positions, params


def _inputs_at(args, positions):
    for p in positions or ():
        if p >= len(args):
            raise ValueError(f"The argument 'grad_position' {p} is out of range: "
                             f"the function got {len(args)} input(s).")
        if not isinstance(args[p], Tensor):
            raise TypeError(f"Input {p} (named by 'grad_position') must be a Tensor to be differentiated, "
                            f"but got {type(args[p]).__name__}.")
    return [args[p] for p in positions or ()]


def _run(fn, args, kwargs, positions, params, has_aux):
    inputs = _inputs_at(args, positions)
    active = [p for p in params or () if p.requires_grad]
    with _tape.differentiating(inputs + active):
        result = fn(*args, **kwargs)
        output = result[0] if has_aux else result
        if not isinstance(output, Tensor):
            which = " (first of a tuple, has_aux=True)" if has_aux else ""
            raise TypeError(f"The function passed to grad must return a Tensor{which}, "
                            f"but it returned {type(output).__name__}.")
        found = _tape.leaf_gradients(output)
    return result, _collect(inputs, params, found)


def _zeros_like(tensor):
    xp = _device.array_module(tensor.device)
    return Tensor._wrap(xp.zeros(tensor.shape, tensor.dtype.nptype), tensor.dtype, tensor.device)


def _as_grad(tensor, found):
    if id(tensor) not in found:
        return _zeros_like(tensor)
    return Tensor._wrap(found[id(tensor)][1], tensor.dtype, tensor.device)


def _collect(inputs, params, found):
    input_grads = tuple(_as_grad(t, found) for t in inputs)
    weight_grads = None if params is None else tuple(
        _as_grad(p, found) if p.requires_grad else None for p in params)
    return input_grads, weight_grads


def _shape_result(input_grads, weight_grads, grad_position):
    if grad_position is not None and not isinstance(grad_position, tuple):
        input_grads = input_grads[0]
    if weight_grads is None:
        return input_grads
    if grad_position is None:
        return weight_grads
    return input_grads, weight_grads


def value_and_grad(fn, grad_position=0, weights=None, has_aux=False):
    """A function returning ``(fn(*args), gradients)``.

    Gradients are of ``fn``'s output (summed over its elements when it is not a scalar, i.e. with
    a head gradient of ones) with respect to the inputs at ``grad_position`` and the ``weights``.
    With ``grad_position=None`` only the weights' gradients are returned; a weight with
    ``requires_grad=False`` gets None. With ``has_aux=True``, ``fn`` returns ``(loss, *aux)`` and
    only ``loss`` is differentiated.

    Raises:
        TypeError: ``fn`` not callable; a bad ``grad_position`` or ``weights``; a non-Tensor input
            at a differentiated position; ``fn`` not returning a Tensor.
        ValueError: both ``grad_position`` and ``weights`` None; a position out of range.
    """
    positions, params = _check(fn, grad_position, weights, has_aux)

    def wrapper(*args, **kwargs):
        result, (input_grads, weight_grads) = _run(fn, args, kwargs, positions, params, has_aux)
        return result, _shape_result(input_grads, weight_grads, grad_position)
    return wrapper


def grad(fn, grad_position=0, weights=None, has_aux=False):
    """A function returning the gradients of ``fn`` (see ``value_and_grad``); with ``has_aux``,
    ``(gradients, aux)``.

    >>> import sporelab as ms
    >>> ms.grad(lambda x, y: (x * y).sum(), grad_position=(0, 1))(ms.Tensor([1.0]), ms.Tensor([5.0]))
    (Tensor(shape=[1], dtype=Float32, value=
    [5.]), Tensor(shape=[1], dtype=Float32, value=
    [1.]))
    """
    value_grad = value_and_grad(fn, grad_position, weights, has_aux)

    def wrapper(*args, **kwargs):
        result, gradients = value_grad(*args, **kwargs)
        return (gradients, tuple(result[1:])) if has_aux else gradients
    return wrapper
