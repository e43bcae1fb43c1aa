import contextlib
import io
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


# ---- checks that grade: the right answer passes, every typical wrong one and every near miss fails --
# For each check: its exact answer, its stated relative tolerance (0 = exact; sporelab/exercises.py
# states it in each docstring), the right answers in the forms students write them, and the typical
# wrong answers: for a choice every other choice, for a number the usual slips.
GRADING = {
    "he_uniform_bound": (math.sqrt(6 / 27), 0.01, [0.4714, 0.471, math.sqrt(2) * math.sqrt(3 / 27)], [
        math.sqrt(6 / 576),            # fan_out (64 x 3 x 3) for fan_in
        math.sqrt(2 / 27),             # the std, not the bound
        math.sqrt(3 / 27),             # ReLU gain forgotten
        math.sqrt(6 / (27 + 576)),     # Xavier's fan_in + fan_out
        math.sqrt(6 / 3),              # kernel area forgotten: fan_in = in_channels
        6 / 27,                        # the variance-like ratio without the root
    ]),
    "xavier_normal_std": (math.sqrt(2 / 384), 0.01, [0.0722, 0.07217], [
        math.sqrt(1 / 256),            # fan_in only (LeCun)
        math.sqrt(1 / 128),            # fan_out only
        math.sqrt(2 / 256),            # He with fan_in
        2 / 384,                       # the variance, not the std
        math.sqrt(6 / 384),            # XavierUniform's bound
    ]),
    "truncated_normal_cut": (0.02, 0.01, [0.02, 2e-2], [
        0.01,                          # sigma itself
        0.03,                          # 3 sigma
        2,                             # the multiple, not the value
        0.04,                          # 2 x the range's width
    ]),
    "all_ones_corner": (12, 0, [12, 12.0], [27, 18, 4, 9, 8, 3]),   # centre, edge, one channel, ...
    "conv_parameter_count": (1792, 0, [1792, 1792.0], [
        1728,                          # the bias forgotten
        1731,                          # a bias per input channel
        1856,                          # a bias per kernel cell of one channel too many
        192,                           # 64 x 3: the kernel area forgotten
        64 * 3 * 3 + 64,               # in_channels forgotten
    ]),
    "grad_req_add": (2, 0, [2, 2.0], [
        1,                             # the 'write' answer: the last pass overwrites
        0,                             # 'null'
        4,                             # squared
        0.5,
    ]),
    "normal_sigma_for_tanh": (1 / 16, 0.1, [0.0625, 1 / math.sqrt(256), math.sqrt(2 / 512)], [
        0.01,                          # r1.x's default sigma
        math.sqrt(2 / 256),            # He's std, for ReLU
        1 / 256,                       # the variance, not the std
        0.16,                          # the per-layer factor sigma x sqrt(width) at sigma 0.01
        1.0,                           # the factor itself
    ]),
    "conv_output_shape": (None, None, [(1, 16, 14, 14), [1, 16, 14, 14]], [
        (1, 16, 16, 16),               # 'same' padding
        (1, 16, 28, 28),               # the stride forgotten
        (1, 16, 13, 13),               # off by one: floor((32 - 5) / 2)
        (1, 16, 15, 15),               # off by one the other way
        (1, 3, 14, 14),                # channels unchanged
        (16, 14, 14),                  # the batch dropped
        (1, 14, 14, 16),               # channels last
    ]),
    "grouped_weight_shape": (None, None, [(8, 2, 3, 3), [8, 2, 3, 3]], [
        (8, 4, 3, 3),                  # group ignored
        (4, 2, 3, 3),                  # out_channels divided by group instead
        (4, 4, 3, 3),                  # both
        (2, 8, 3, 3),                  # (in, out) order
        (8, 2, 3),                     # a dimension missing
        (8, 8, 3, 3),                  # in x group
    ]),
    "zeros_init_symmetry": (None, None, ["same", "Same", " SAME "], ["different"]),
    "frozen_by_lr_mult": (None, None, ["unchanged", "Unchanged"], ["change"]),
    "vanishing_layer_std": (None, None, ["vanish", "Vanish"], ["healthy", "explode"]),
    "relu_initializer": (None, None, ["he", "He", "HE "], ["normal", "xavier"]),
    "reducer_without_mean": (4, 0, [4, 4.0], [
        1,                             # the mean's answer: gradients_mean=True
        0.25,                          # 1/P: the mean taken twice
        2,                             # the number of layers, not of workers
        8,
    ]),
    "layerwise_parallel_after_training": (None, None, ["different", "Different"], ["same"]),
}
CHOICES = {"zeros_init_symmetry": ("same", "different"), "frozen_by_lr_mult": ("change", "unchanged"),
           "vanishing_layer_std": ("vanish", "healthy", "explode"), "relu_initializer": ("normal", "xavier", "he"),
           "layerwise_parallel_after_training": ("same", "different")}


def _near(name):
    """Answers just outside the stated tolerance (misses) and just inside it (hits)."""
    expected, rel, _, _ = GRADING[name]
    if rel is None:
        return [], []
    if rel == 0:
        return [expected + 1e-6, expected - 1e-6, expected + 0.5], []
    return ([expected * (1 + 1.1 * rel), expected * (1 - 1.1 * rel)],
            [expected * (1 + 0.9 * rel), expected * (1 - 0.9 * rel)])


def _grading_cases(kind):
    for name, (_, _, right, wrong) in GRADING.items():
        misses, hits = _near(name)
        answers = {"right": right + hits, "wrong": wrong + misses}[kind]
        for answer in answers:
            yield pytest.param(name, answer, id=f"{name}-{answer!r}")


def test_every_check_has_a_grading_table():
    assert sorted(GRADING) == sorted(exercises.__all__)


@pytest.mark.parametrize("name, answer", list(_grading_cases("right")))
def test_checks_accept_right_answers(name, answer, capsys):
    assert getattr(exercises, name)(answer) is True
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("name, answer", list(_grading_cases("wrong")))
def test_checks_refuse_wrong_answers_and_near_misses(name, answer, capsys):
    assert getattr(exercises, name)(answer) is False
    out = capsys.readouterr().out
    assert out.startswith("Not yet: ") and out.count("\n") == 1
    assert "replace None" not in out                   # a hint about the idea, not the placeholder prompt


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_choice_checks_accept_exactly_one_choice(name, capsys):
    accepted = [choice for choice in CHOICES[name] if getattr(exercises, name)(choice)]
    assert len(accepted) == 1 and accepted[0] in [a.strip().lower() for a in GRADING[name][2]]
    with pytest.raises(ValueError, match="must be one of"):
        getattr(exercises, name)("none of them")


@pytest.mark.parametrize("name", [n for n, row in GRADING.items() if row[1] is not None])
def test_numeric_checks_state_their_tolerance(name):
    """The docstring states the tolerance the table above tests."""
    rel = GRADING[name][1]
    doc = getattr(exercises, name).__doc__
    assert (f"within {rel:.0%}" in doc) if rel else ("exactly" in doc), doc


def test_a_right_answer_for_one_check_is_wrong_for_every_other():
    """Exercises share the name ``answer``: one left over from another exercise can never score."""
    for name, (_, _, right, _) in GRADING.items():
        for other in GRADING:
            if other == name:
                continue
            try:
                result = getattr(exercises, other)(right[0])
            except (TypeError, ValueError):
                continue
            assert result is False, (name, other)


# ---- properties: a numeric check accepts exactly its stated interval; anything else is refused ------
from hypothesis import given, settings, strategies as st  # noqa: E402

NUMERIC = sorted(name for name, row in GRADING.items() if row[1] is not None)


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(NUMERIC), x=st.floats(allow_nan=True, allow_infinity=True))
def test_numeric_checks_accept_exactly_their_interval(name, x):
    expected, rel, _, _ = GRADING[name]
    inside = math.isfinite(x) and abs(x - expected) <= rel * abs(expected) + 1e-12
    with contextlib.redirect_stdout(io.StringIO()):
        assert getattr(exercises, name)(x) is inside


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(NUMERIC), scale=st.floats(min_value=-1, max_value=1))
def test_numeric_checks_near_their_answer(name, scale):
    """Near the answer, acceptance switches exactly at the stated tolerance."""
    expected, rel, _, _ = GRADING[name]
    x = expected * (1 + 2 * rel * scale) if rel else expected + scale
    with contextlib.redirect_stdout(io.StringIO()):
        assert getattr(exercises, name)(x) is (abs(x - expected) <= rel * abs(expected) + 1e-12)


@settings(max_examples=100, deadline=None)
@given(name=st.sampled_from(sorted(GRADING)),
       bad=st.one_of(st.booleans(), st.binary(), st.dictionaries(st.text(), st.integers()), st.sets(st.integers())))
def test_checks_refuse_answers_of_the_wrong_kind_with_an_error_naming_the_answer(name, bad):
    with pytest.raises((TypeError, ValueError), match="answer"):
        getattr(exercises, name)(bad)
