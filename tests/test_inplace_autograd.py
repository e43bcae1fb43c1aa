"""Writes into a tensor that a recorded computation still needs: detected at backward/grad by a
version counter per tensor, as PyTorch does; each case is run in both and must agree."""

import numpy as np
import pytest
from tests._requires import require
from hypothesis import given, strategies as st

import sporelab as ms
from sporelab import autograd, gluon, nn

torch = require("torch")

W0 = np.array([[0.5, -1.0], [2.0, 0.25]], np.float32)
X0 = np.array([[1.0, 2.0], [-3.0, 0.5]], np.float32)
NEW = np.full((2, 2), 7.0, np.float32)


def _ms_w(name="w"):
    w = ms.Parameter(ms.Tensor(W0.copy()), name=name)
    w.attach_grad()
    return w


def _t_w():
    return torch.tensor(W0.copy(), requires_grad=True)


def _t_write(t, value=NEW):
    with torch.no_grad():
        t.copy_(torch.as_tensor(value))


# Each case: (sporelab version, torch version); each returns the gradient of w as a NumPy array.
def ms_mul_write_data_operand():
    w, x = _ms_w(), ms.Tensor(X0.copy())
    with autograd.record():
        loss = (w * x).sum()
    x[0, 0] = 10.0
    loss.backward()
    return w.grad.asnumpy()


def t_mul_write_data_operand():
    w, x = _t_w(), torch.tensor(X0.copy())
    loss = (w * x).sum()
    x[0, 0] = 10.0
    loss.backward()
    return w.grad.numpy()


def ms_mul_write_the_weight():      # w * x keeps only x: writing w is harmless, as in torch
    w, x = _ms_w(), ms.Tensor(X0.copy())
    with autograd.record():
        loss = (w * x).sum()
    w.set_data(ms.Tensor(NEW))
    loss.backward()
    return w.grad.asnumpy()


def t_mul_write_the_weight():
    w, x = _t_w(), torch.tensor(X0.copy())
    loss = (w * x).sum()
    _t_write(w)
    loss.backward()
    return w.grad.numpy()


def ms_square_set_data():
    w = _ms_w()
    with autograd.record():
        loss = (w * w).sum()
    w.set_data(ms.Tensor(NEW))
    loss.backward()
    return w.grad.asnumpy()


def t_square_set_data():
    w = _t_w()
    loss = (w * w).sum()
    _t_write(w)
    loss.backward()
    return w.grad.numpy()


def ms_square_assign_value():
    w = _ms_w()
    with autograd.record():
        loss = (w * w).sum()
    w.assign_value(ms.Tensor(NEW))
    loss.backward()
    return w.grad.asnumpy()


def ms_square_parameter_update():
    w = _ms_w()
    with autograd.record():
        loss = (w * w).sum()
    nn.ParameterUpdate(w)(ms.Tensor(NEW))
    loss.backward()
    return w.grad.asnumpy()


def ms_square_setitem():
    w = _ms_w()
    with autograd.record():
        loss = (w * w).sum()
    w[1, 1] = 7.0
    loss.backward()
    return w.grad.asnumpy()


def t_square_setitem():
    w = _t_w()
    loss = (w * w).sum()
    with torch.no_grad():
        w[1, 1] = 7.0
    loss.backward()
    return w.grad.numpy()


def ms_add_then_write():            # w + 1 keeps nothing: a later write does not matter
    w = _ms_w()
    with autograd.record():
        loss = (w + 1.0).sum()
    w.set_data(ms.Tensor(NEW))
    loss.backward()
    return w.grad.asnumpy()


def t_add_then_write():
    w = _t_w()
    loss = (w + 1.0).sum()
    _t_write(w)
    loss.backward()
    return w.grad.numpy()


def ms_exp_write_output():
    w = _ms_w()
    with autograd.record():
        y = w.exp()
        loss = y.sum()
    y[0, 0] = 0.0
    loss.backward()
    return w.grad.asnumpy()


def t_exp_write_output():
    w = _t_w()
    y = w.exp()
    loss = y.sum()
    with torch.no_grad():
        y[0, 0] = 0.0
    loss.backward()
    return w.grad.numpy()


def ms_tanh_write_input():          # tanh keeps its output only
    w = _ms_w()
    with autograd.record():
        h = w * 1.0
        loss = nn.Tanh()(h).sum()
    h[0, 0] = 5.0
    loss.backward()
    return w.grad.asnumpy()


def t_tanh_write_input():
    w = _t_w()
    h = w * 1.0
    loss = torch.tanh(h).sum()
    with torch.no_grad():
        h[0, 0] = 5.0
    loss.backward()
    return w.grad.numpy()


def ms_relu_write_output():
    w = _ms_w()
    with autograd.record():
        r = nn.ReLU()(w * 1.0)
        loss = (r * 3.0).sum()
    r[...] = 0.0
    loss.backward()
    return w.grad.asnumpy()


def t_relu_write_output():
    w = _t_w()
    r = torch.relu(w * 1.0)
    loss = (r * 3.0).sum()
    with torch.no_grad():
        r[...] = 0.0
    loss.backward()
    return w.grad.numpy()


def ms_write_through_base_of_a_view():
    w = _ms_w()
    with autograd.record():
        v = w[0:1]
        loss = (v * v).sum()
    w[0, 1] = 3.0
    loss.backward()
    return w.grad.asnumpy()


def t_write_through_base_of_a_view():
    w = _t_w()
    v = w[0:1]
    loss = (v * v).sum()
    with torch.no_grad():
        w[0, 1] = 3.0
    loss.backward()
    return w.grad.numpy()


def ms_write_through_detach():
    w = _ms_w()
    with autograd.record():
        loss = (w * w).sum()
    w.detach()[0, 0] = 3.0
    loss.backward()
    return w.grad.asnumpy()


def t_write_through_detach():
    w = _t_w()
    loss = (w * w).sum()
    w.detach()[0, 0] = 3.0
    loss.backward()
    return w.grad.numpy()


def ms_write_into_an_indexed_copy():     # advanced indexing copies: its writes are its own
    w = _ms_w()
    with autograd.record():
        loss = (w * w).sum()
    w.detach()[[0, 1]][0, 0] = 3.0
    loss.backward()
    return w.grad.asnumpy()


def t_write_into_an_indexed_copy():
    w = _t_w()
    loss = (w * w).sum()
    w.detach()[[0, 1]][0, 0] = 3.0
    loss.backward()
    return w.grad.numpy()


def ms_two_layers_optimizer_step():
    w1, w2, x = _ms_w("w1"), _ms_w("w2"), ms.Tensor(X0.copy())
    with autograd.record():
        loss = (nn.ReLU()(x @ w1) @ w2).sum()
    nn.SGD([w1, w2], learning_rate=0.1)((ms.Tensor(np.ones((2, 2), np.float32)),) * 2)
    loss.backward()
    return w1.grad.asnumpy()


def t_two_layers_optimizer_step():
    w1, w2, x = _t_w(), _t_w(), torch.tensor(X0.copy())
    loss = (torch.relu(x @ w1) @ w2).sum()
    w1.grad, w2.grad = torch.ones(2, 2), torch.ones(2, 2)
    torch.optim.SGD([w1, w2], lr=0.1).step()
    w1.grad = None
    loss.backward()
    return w1.grad.numpy()


def ms_step_after_backward_then_forward():
    w, x = _ms_w(), ms.Tensor(X0.copy())
    opt = nn.SGD([w], learning_rate=0.1)
    for _ in range(2):
        with autograd.record():
            loss = ((x @ w) * (x @ w)).sum()
        loss.backward()
        opt((w.grad,))
    return w.grad.asnumpy()


def t_step_after_backward_then_forward():
    w, x = _t_w(), torch.tensor(X0.copy())
    opt = torch.optim.SGD([w], lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        loss = ((x @ w) * (x @ w)).sum()
        loss.backward()
        opt.step()
    return w.grad.numpy()


def ms_trainer_step_then_backward_again():
    p = gluon.Parameter("w", shape=(2, 2))
    p.initialize(ctx=ms.cpu(0))
    p.set_data(W0.copy())
    trainer = gluon.Trainer([p], "sgd", {"learning_rate": 0.1})
    with autograd.record():
        loss = (p.data() * p.data()).sum()
    loss.backward(retain_graph=True)
    trainer.step(1)
    loss.backward()
    return p.grad().asnumpy()


def t_trainer_step_then_backward_again():
    w = _t_w()
    opt = torch.optim.SGD([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward(retain_graph=True)
    opt.step()
    w.grad = None
    loss.backward()
    return w.grad.numpy()


PAIRS = [
    ("mul_write_data_operand", ms_mul_write_data_operand, t_mul_write_data_operand),
    ("mul_write_the_weight", ms_mul_write_the_weight, t_mul_write_the_weight),
    ("square_set_data", ms_square_set_data, t_square_set_data),
    ("square_assign_value", ms_square_assign_value, t_square_set_data),
    ("square_parameter_update", ms_square_parameter_update, t_square_set_data),
    ("square_setitem", ms_square_setitem, t_square_setitem),
    ("add_then_write", ms_add_then_write, t_add_then_write),
    ("exp_write_output", ms_exp_write_output, t_exp_write_output),
    ("tanh_write_input", ms_tanh_write_input, t_tanh_write_input),
    ("relu_write_output", ms_relu_write_output, t_relu_write_output),
    ("write_through_base_of_a_view", ms_write_through_base_of_a_view, t_write_through_base_of_a_view),
    ("write_through_detach", ms_write_through_detach, t_write_through_detach),
    ("write_into_an_indexed_copy", ms_write_into_an_indexed_copy, t_write_into_an_indexed_copy),
    ("two_layers_optimizer_step", ms_two_layers_optimizer_step, t_two_layers_optimizer_step),
    ("step_after_backward_then_forward", ms_step_after_backward_then_forward, t_step_after_backward_then_forward),
    ("trainer_step_then_backward_again", ms_trainer_step_then_backward_again, t_trainer_step_then_backward_again),
]


def _outcome(case):
    try:
        return "ok", case()
    except RuntimeError as error:
        return "error", str(error)


@pytest.mark.parametrize("name, ms_case, torch_case", PAIRS, ids=[p[0] for p in PAIRS])
def test_same_outcome_as_pytorch(name, ms_case, torch_case):
    (ms_kind, ms_value), (t_kind, t_value) = _outcome(ms_case), _outcome(torch_case)
    assert ms_kind == t_kind, (ms_value, t_value)
    if ms_kind == "ok":
        np.testing.assert_allclose(ms_value, t_value, rtol=1e-6)
    else:
        assert "modified by an inplace operation" in t_value
        assert "was changed in place by" in ms_value and "Compute the result again" in ms_value


def test_both_outcomes_occur():
    """The table holds cases of both kinds, so agreeing is not trivial."""
    kinds = {_outcome(ms_case)[0] for _, ms_case, _ in PAIRS}
    assert kinds == {"ok", "error"}


@pytest.mark.parametrize("write, by", [
    (lambda w: w.set_data(ms.Tensor(NEW)), "set_data()"),
    (lambda w: w.assign_value(ms.Tensor(NEW)), "assign_value()"),
    (lambda w: nn.ParameterUpdate(w)(ms.Tensor(NEW)), "set_data()"),
    (lambda w: w.__setitem__(0, 1.0), "an assignment x[...] = ..."),
    (lambda w: nn.Momentum([w], 0.1, 0.9)((ms.Tensor(NEW),)), "Momentum's update step"),
])
def test_message_names_the_tensor_the_writer_and_the_remedy(write, by):
    w = _ms_w()
    with autograd.record():
        loss = (w * w).sum()
    write(w)
    with pytest.raises(RuntimeError) as info:
        loss.backward()
    text = str(info.value)
    assert text.startswith(f"Parameter 'w' of shape (2, 2) and dtype Float32 was changed in place by {by} after")
    assert "update parameters after backward()/grad" in text and "x.copy()" in text
    assert np.all(w.grad.asnumpy() == 0)        # refused before any gradient was written


def test_mindspore_face_grad_detects_a_write_inside_the_function():
    w = ms.Parameter(ms.Tensor(W0.copy()), name="w")

    def loss_fn(x):
        loss = (w * w * x).sum()
        w.assign_value(ms.Tensor(NEW))
        return loss
    with pytest.raises(RuntimeError, match="Parameter 'w' .* changed in place by assign_value()"):
        ms.grad(loss_fn, grad_position=None, weights=[w])(ms.Tensor(X0.copy()))


def test_writes_outside_any_recording_change_nothing_else():
    w = _ms_w()
    w.set_data(ms.Tensor(NEW))
    w[0, 0] = 1.0
    g = ms.grad(lambda w: (w * w).sum())(w)
    np.testing.assert_allclose(g.asnumpy(), 2 * w.asnumpy())


def test_assign_value_copies_and_casts():
    w = ms.Parameter(ms.Tensor(W0.copy()), name="w")
    value = ms.Tensor(NEW.astype(np.int32))
    assert w.assign_value(value) is w
    assert w.dtype == ms.float32 and np.array_equal(w.asnumpy(), NEW)
    value[0, 0] = 1                                    # a copy, not an alias
    assert w.asnumpy()[0, 0] == 7.0



@given(st.one_of(st.none(), st.floats(), st.integers(), st.text(max_size=3), st.lists(st.floats(), max_size=4),
                 st.tuples(st.integers(1, 3), st.integers(1, 3)).map(lambda s: ms.Tensor(np.ones(s, np.float32))),
                 st.just(ms.Tensor(np.ones((2, 2), np.float64)))))
def test_assign_value_refuses_bad_input_and_changes_nothing(value):
    w = ms.Parameter(ms.Tensor(W0.copy()), name="w")
    fits = isinstance(value, ms.Tensor) and value.shape == (2, 2) and value.dtype != ms.float64
    if fits:
        w.assign_value(value)
        assert np.array_equal(w.asnumpy(), value.asnumpy())
        return
    with pytest.raises((TypeError, ValueError), match="assign_value|dtype can not be converted") as info:
        w.assign_value(value)
    assert np.array_equal(w.asnumpy(), W0) and w._version == 0
    if not isinstance(value, ms.Tensor):
        assert info.type is TypeError and "'value' must be a Tensor" in str(info.value)


def test_a_view_is_named_with_the_parameter_it_views():
    kind, text = _outcome(ms_write_through_base_of_a_view)
    assert kind == "error"
    assert text.startswith("A tensor of shape (1, 2) and dtype Float32 (a view of Parameter 'w' of shape (2, 2) "
                           "and dtype Float32) was changed in place by an assignment x[...] = ...")
