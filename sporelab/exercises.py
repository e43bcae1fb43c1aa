"""Check functions for the lab notebooks' exercises: each says whether an answer is right and, when
it is not, gives a hint that points at the idea rather than the number.

Every check prints one line starting with "Correct" or "Not yet" and returns True or False, so a
notebook cell can simply call it:

>>> from sporelab import exercises
>>> exercises.he_uniform_bound(0.4714)
Correct: bound = sqrt(6 / fan_in) = sqrt(6 / 27) = 0.4714 for a (64, 3, 3, 3) weight.
True
>>> exercises.conv_output_shape((1, 16, 16, 16))
Not yet: in 'valid' mode nothing is padded: H_out = ceil((H_in - (k - 1)) / stride).
False

A lab notebook stores its exercise cells with ``answer = None``: the check then asks for an answer
instead of giving a hint, so the stored notebook shows what a check looks like without giving
anything away.

>>> exercises.relu_initializer(None)
Not yet: replace None with your answer ('normal', 'xavier' or 'he'), then run the cell again.
False
"""

import functools
import math

from ._checks import check_real
from .i18n import N_, _, language

__all__ = ["he_uniform_bound", "xavier_normal_std", "truncated_normal_cut", "conv_output_shape",
           "all_ones_corner", "conv_parameter_count", "zeros_init_symmetry", "frozen_by_lr_mult",
           "grad_req_add", "vanishing_layer_std", "relu_initializer", "normal_sigma_for_tanh",
           "grouped_weight_shape", "reducer_without_mean", "layerwise_parallel_after_training"]


def _report(correct, right, hint):
    print(_("Correct: {}").format(right) if correct else _("Not yet: {}").format(hint))
    return correct


def _exercise(kind):
    """Decorate a check: an answer left at None (the stored notebooks' placeholder) asks for one,
    naming the ``kind`` of answer expected, instead of being judged. The check speaks the current
    language (``sporelab.i18n.set_language``) or its ``lang=`` argument ('en', 'zh_cn')."""
    def decorate(check):
        @functools.wraps(check)
        def wrapper(answer, lang=None):
            with language(lang):
                if answer is None:
                    return _report(False, "", _("replace None with your answer ({}), then run the cell again.")
                                   .format(_(kind)))
                return check(answer)
        return wrapper
    return decorate


_NUMBER = N_("a number")


def _close(answer, expected, rel=1e-2):
    """|answer - expected| <= rel x |expected|: the tolerance a docstring states ("within 1% of"),
    measured from the expected value so that it is the same above and below it."""
    check_real(answer, f"The answer must be a number, but got {type(answer).__name__} ({answer!r}).", got=None)
    answer = float(answer)
    return math.isfinite(answer) and abs(answer - expected) <= rel * abs(expected) + 1e-12


def _choice(answer, expected, choices):
    if not isinstance(answer, str):
        raise TypeError(f"The answer must be one of {choices} (a str), but got {type(answer).__name__}.")
    if answer.strip().lower() not in choices:
        raise ValueError(f"The answer must be one of {choices}, but got {answer!r}.")
    return answer.strip().lower() == expected


# ---- lab: initializers ---------------------------------------------------------------------------
@_exercise(_NUMBER)
def he_uniform_bound(answer):
    """The bound b of HeUniform() (ReLU gain sqrt(2)) for a Conv2d weight (64, 3, 3, 3): U(-b, b).

    Accepted: within 1% of sqrt(6 / 27).
    """
    expected = math.sqrt(6 / 27)
    return _report(_close(answer, expected),
                   _("bound = sqrt(6 / fan_in) = sqrt(6 / 27) = {:.4f} for a (64, 3, 3, 3) weight.").format(expected),
                   _("fan_in = in_channels x kernel area = 3 x 3 x 3; the bound is gain x sqrt(3 / fan_in) with "
                     "gain sqrt(2) for ReLU."))


@_exercise(_NUMBER)
def xavier_normal_std(answer):
    """The std of XavierNormal() for a Dense(256, 128) weight (shape (128, 256)).

    Accepted: within 1% of sqrt(2 / 384).
    """
    expected = math.sqrt(2 / (256 + 128))
    return _report(_close(answer, expected),
                   _("std = sqrt(2 / (fan_in + fan_out)) = sqrt(2 / 384) = {:.4f}.").format(expected),
                   _("Xavier balances both directions: use fan_in + fan_out = 256 + 128."))


@_exercise(_NUMBER)
def truncated_normal_cut(answer):
    """The largest |value| TruncatedNormal(sigma=0.01) can produce (a and b unset).

    Accepted: within 1% of 0.02.
    """
    return _report(_close(answer, 0.02), _("with a and b unset the cut is at mean +- 2 sigma = 0.02."),
                   _("look at the histogram's edges: the cut is a multiple of sigma."))


# ---- lab: convolution ----------------------------------------------------------------------------
@_exercise(N_("a shape tuple such as (1, 3, 8, 8)"))
def conv_output_shape(answer):
    """Output shape of Conv2d(3, 16, 5, stride=2, pad_mode='valid') on a (1, 3, 32, 32) input."""
    if not isinstance(answer, (tuple, list)):
        raise TypeError(f"The answer must be a shape tuple such as (1, 16, 8, 8), but got {type(answer).__name__}.")
    expected = (1, 16, 14, 14)
    return _report(tuple(answer) == expected, _("ceil((32 - 4) / 2) = 14, so (1, 16, 14, 14)."),
                   _("in 'valid' mode nothing is padded: H_out = ceil((H_in - (k - 1)) / stride)."))


@_exercise(_NUMBER)
def all_ones_corner(answer):
    """The corner value of the tutorial's all-ones Conv2d(3, 64, 3) output (pad_mode 'same').

    Accepted: exactly 12.
    """
    return _report(_close(answer, 12, rel=0), _("a corner window sees 2 x 2 real pixels in each of 3 channels: 12."),
                   _("'same' pads with zeros: count how many of the 3 x 3 x 3 window cells fall on real pixels."))


@_exercise(_NUMBER)
def conv_parameter_count(answer):
    """How many learnable numbers Conv2d(3, 64, 3, has_bias=True) holds.

    Accepted: exactly 1792.
    """
    expected = 64 * 3 * 3 * 3 + 64
    return _report(_close(answer, expected, rel=0), _("64 x 3 x 3 x 3 weights + 64 biases = {}.").format(expected),
                   _("the weight has shape (out, in, k, k); add one bias per output channel."))


@_exercise(N_("a shape tuple such as (1, 2, 3, 4)"))
def grouped_weight_shape(answer):
    """The weight shape of Conv2d(4, 8, 3, group=2)."""
    if not isinstance(answer, (tuple, list)):
        raise TypeError(f"The answer must be a shape tuple such as (1, 2, 3, 4), but got {type(answer).__name__}.")
    expected = (8, 2, 3, 3)
    return _report(tuple(answer) == expected, _("(out, in / group, k, k) = (8, 4 / 2, 3, 3) = (8, 2, 3, 3): each "
                                                "output channel sees only the 2 input channels of its group."),
                   _("with group=2 the inputs are split in two; each output channel sees only its group's inputs."))


# ---- lab: training -------------------------------------------------------------------------------
@_exercise(N_("'same' or 'different'"))
def zeros_init_symmetry(answer):
    """After training a Dense network initialised with 'zeros', are the hidden units 'same' or 'different'?"""
    return _report(_choice(answer, "same", ("same", "different")),
                   _("identical units get identical gradients, so they stay identical: symmetry is never broken."),
                   _("with every weight equal, what differs between two hidden units' gradients?"))


@_exercise(N_("'change' or 'unchanged'"))
def frozen_by_lr_mult(answer):
    """With lr_mult = 0 for a parameter, does a step 'change' it or leave it 'unchanged'?"""
    return _report(_choice(answer, "unchanged", ("change", "unchanged")),
                   _("its learning rate is lr x 0 = 0: the gradient is computed but the step is zero."),
                   _("the update is lr x lr_mult x gradient."))


@_exercise(_NUMBER)
def grad_req_add(answer):
    """With grad_req 'add' and two backward passes on the same batch, the gradient is how many times one pass's?

    Accepted: exactly 2.
    """
    return _report(_close(answer, 2, rel=0),
                   _("'add' accumulates: two passes give twice the gradient, until zero_grad()."),
                   _("'write' overwrites, 'add' sums."))


# ---- lab: depth ----------------------------------------------------------------------------------
@_exercise(N_("'vanish', 'healthy' or 'explode'"))
def vanishing_layer_std(answer):
    """With tanh and Normal(sigma=0.01) weights of width 256, do activations 'vanish', stay 'healthy' or 'explode'?"""
    return _report(_choice(answer, "vanish", ("vanish", "healthy", "explode")),
                   _("each layer multiplies the std by about sigma x sqrt(width) = 0.16: it vanishes geometrically."),
                   _("each layer scales the signal's std by roughly sigma x sqrt(fan_in)."))


@_exercise(N_("'normal', 'xavier' or 'he'"))
def relu_initializer(answer):
    """Which initializer keeps ReLU activations' scale across depth: 'normal', 'xavier' or 'he'?"""
    return _report(_choice(answer, "he", ("normal", "xavier", "he")),
                   _("He's variance 2 / fan_in makes up for ReLU zeroing half of the signal."),
                   _("ReLU drops half the signal's energy; which formula has the factor 2?"))


@_exercise(_NUMBER)
def normal_sigma_for_tanh(answer):
    """The sigma of Normal(sigma) that keeps a tanh stack of width 256 healthy (Xavier's choice, fan_in = fan_out).

    Accepted: within 10% of sqrt(1 / 256) = 0.0625 (the signal then stays within a factor 1.1 per layer).
    """
    expected = math.sqrt(1 / 256)
    return _report(_close(answer, expected, rel=0.1),
                   _("sigma = sqrt(2 / (256 + 256)) = {:.4f} (Xavier).").format(expected),
                   _("the std should be multiplied by about 1 per layer: sigma x sqrt(width) = 1."))


# ---- lab: data parallel (issue 10) -----------------------------------------------------------------
@_exercise(_NUMBER)
def reducer_without_mean(answer):
    """4 workers, gradients_mean=False: the reduced gradient is how many times one process's?

    Accepted: exactly 4.
    """
    return _report(_close(answer, 4, rel=0), _("without the mean the reducer only sums: 4 shard means add up to "
                                               "4 times the batch mean."),
                   _("each worker's gradient is already a mean over its shard; what does summing 4 of them give?"))


@_exercise(N_("'same' or 'different'"))
def layerwise_parallel_after_training(answer):
    """After data-parallel training, is a layerwise_parallel parameter 'same' or 'different' on the workers?

    Accepted: 'different' (any case).
    """
    return _report(_choice(answer, "different", ("same", "different")),
                   _("'different': it is neither broadcast nor averaged, so each worker trains its own copy on its "
                     "own shard."), _("which parameters does DistributedGradReducer leave out?"))
