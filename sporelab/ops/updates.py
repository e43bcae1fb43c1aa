"""Parameter update rules, as pure functions of arrays; the MindSpore optimizers (``nn.SGD``,
``nn.Momentum``, ``nn.Adam``) and Gluon's ``Trainer`` both call these.

Each returns the new weight and the new state; nothing is modified in place, so a rejected or
failed step leaves the parameter as it was.
"""

__all__ = ["sgd", "mxnet_sgd", "adam"]


def sgd(w, g, state, lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """One step of SGD with momentum (MindSpore's ``nn.SGD``, identical to ``torch.optim.SGD``).

    .. math::
        g \\leftarrow g + \\lambda w;\\quad
        b \\leftarrow \\begin{cases} g & t = 1 \\\\ \\mu b + (1 - \\tau) g & t > 1 \\end{cases};\\quad
        w \\leftarrow w - \\eta\\,(g + \\mu b \\text{ if nesterov else } b)

    ``state`` is the momentum buffer ``b`` (None before the first step). Returns ``(w, state)``.
    Without momentum the buffer stays None and the step is ``w - lr * g``.
    """
    if weight_decay:
        g = g + weight_decay * w
    if momentum:
        state = g if state is None else momentum * state + (1.0 - dampening) * g
        g = g + momentum * state if nesterov else state
    return w - lr * g, state


def mxnet_sgd(w, g, state, lr, momentum=0.0, weight_decay=0.0, rescale_grad=1.0):
    """One step of MXNet's SGD (api-semantics 8.6), momentum kept as a velocity:

    .. math::
        g \\leftarrow r\\,g + \\lambda w;\\quad m \\leftarrow \\mu m - \\eta g;\\quad w \\leftarrow w + m

    Returns ``(w, state)`` with ``state`` the velocity ``m`` (None without momentum).
    """
    g = rescale_grad * g + weight_decay * w
    if not momentum:
        return w - lr * g, None
    state = -lr * g if state is None else momentum * state - lr * g
    return w + state, state


def adam(w, g, state, lr, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, xp=None):
    """One step of Adam (Kingma & Ba, 2015), in MindSpore's and MXNet's form:

    .. math::
        m \\leftarrow \\beta_1 m + (1-\\beta_1) g;\\quad v \\leftarrow \\beta_2 v + (1-\\beta_2) g^2;\\quad
        w \\leftarrow w - \\eta\\,\\frac{\\sqrt{1-\\beta_2^t}}{1-\\beta_1^t}\\,\\frac{m}{\\sqrt{v}+\\epsilon}

    ``state`` is ``(m, v, t)`` (None before the first step); ``xp`` the array module.
    """
    if weight_decay:
        g = g + weight_decay * w
    m, v, t = (xp.zeros_like(w), xp.zeros_like(w), 0) if state is None else state
    t += 1
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    lr_t = lr * (1.0 - beta2 ** t) ** 0.5 / (1.0 - beta1 ** t)
    return w - lr_t * m / (xp.sqrt(v) + eps), (m, v, t)
