import math

import pytest

from sporelab import exercises
from sporelab.common.initializer import calculate_fan_in_and_fan_out


def test_right_answers_print_correct(capsys):
    cases = [(exercises.he_uniform_bound, math.sqrt(6 / 27)), (exercises.xavier_normal_std, 0.0722),
             (exercises.truncated_normal_cut, 0.02), (exercises.conv_output_shape, (1, 16, 14, 14)),
             (exercises.all_ones_corner, 12), (exercises.conv_parameter_count, 1792),
             (exercises.zeros_init_symmetry, "Same"), (exercises.frozen_by_lr_mult, "unchanged"),
             (exercises.grad_req_add, 2), (exercises.vanishing_layer_std, "vanish"),
             (exercises.relu_initializer, "he"), (exercises.normal_sigma_for_tanh, 0.0625)]
    for check, answer in cases:
        assert check(answer) is True
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(cases) and all(line.startswith("Correct: ") for line in lines)


def test_wrong_answers_print_a_hint(capsys):
    assert exercises.he_uniform_bound(0.8165) is False
    assert exercises.conv_output_shape([1, 16, 16, 16]) is False
    assert exercises.relu_initializer("xavier") is False
    out = capsys.readouterr().out
    assert out.count("Not yet: ") == 3 and "fan_in" in out


def test_expected_values_agree_with_the_engine():
    from sporelab import nn
    import sporelab as ms
    import numpy as np
    fan_in, _ = calculate_fan_in_and_fan_out((64, 3, 3, 3))
    assert exercises.he_uniform_bound(math.sqrt(6 / fan_in))
    out = nn.Conv2d(3, 16, 5, stride=2, pad_mode="valid")(ms.Tensor(np.zeros((1, 3, 32, 32), np.float32)))
    assert exercises.conv_output_shape(out.shape)
    conv = nn.Conv2d(3, 64, 3, has_bias=True)
    assert exercises.conv_parameter_count(sum(p.size for p in conv.get_parameters()))


@pytest.mark.parametrize("check, bad, error", [
    (exercises.he_uniform_bound, "0.47", TypeError), (exercises.he_uniform_bound, True, TypeError),
    (exercises.conv_output_shape, 14, TypeError), (exercises.relu_initializer, 1, TypeError),
    (exercises.relu_initializer, "kaiming", ValueError)])
def test_answers_of_the_wrong_kind_are_explained(check, bad, error):
    with pytest.raises(error, match="answer"):
        check(bad)


# ---- the stored notebooks' placeholder, and the checks added for the labs ------------------------
ALL_CHECKS = [getattr(exercises, name) for name in exercises.__all__]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda check: check.__name__)
def test_an_answer_left_at_none_asks_for_one(check, capsys):
    assert check(None) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: replace None with your answer (") and out.count("\n") == 1


def test_grouped_weight_shape(capsys):
    assert exercises.grouped_weight_shape((8, 2, 3, 3)) is True
    assert exercises.grouped_weight_shape([8, 4, 3, 3]) is False
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Correct: ") and out[1].startswith("Not yet: ") and "group" in out[1]
    with pytest.raises(TypeError, match="answer"):
        exercises.grouped_weight_shape(8)


def test_grouped_weight_shape_agrees_with_the_engine():
    from sporelab import nn
    assert exercises.grouped_weight_shape(nn.Conv2d(4, 8, 3, group=2).weight.shape)


def test_checks_keep_their_names_and_docstrings():
    for check in ALL_CHECKS:
        assert check.__doc__ and check.__name__ in exercises.__all__
