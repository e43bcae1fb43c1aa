"""Autograd as MXNet does it: joint backward of several heads, freed graphs, mark_variables,
custom Functions and the train/predict scopes.

Sources mirrored: apache/mxnet tag 1.9.1, python/mxnet/autograd.py and
tests/python/unittest/test_autograd.py (test names cited per case).
"""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import autograd


def _ones_with_grad():
    x = ms.Tensor(np.ones(3, np.float32))
    x.attach_grad()
    return x


def test_backward_of_independent_heads_sums_their_gradients():
    # issue 21, finding 1; MXNet: autograd.backward([a, b]) gives d(a+b)/dx = 2 + 3.
    x = _ones_with_grad()
    with autograd.record():
        a = x * 2
        b = x * 3
    autograd.backward([a, b])
    assert x.grad.asnumpy().tolist() == [5.0, 5.0, 5.0]


def test_backward_of_heads_sharing_a_subexpression_is_joint():
    # issue 21, finding 2; MXNet: a = y + 1, b = 3y, y = 2x -> 2 + 6 = 8.
    x = _ones_with_grad()
    with autograd.record():
        y = x * 2
        a = y + 1
        b = y * 3
    autograd.backward([a, b])
    assert x.grad.asnumpy().tolist() == [8.0, 8.0, 8.0]


def test_second_backward_through_a_freed_subgraph_raises():
    # issue 21, finding 3; MXNet and PyTorch refuse a second pass through a freed graph.
    x = _ones_with_grad()
    with autograd.record():
        y = x * 2
        a = y + 1
        b = y * 3
    a.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        b.backward()
    assert x.grad.asnumpy().tolist() == [2.0, 2.0, 2.0]      # the refused pass changed nothing


def test_retain_graph_allows_a_second_backward():
    x = _ones_with_grad()
    with autograd.record():
        y = x * 2
        a = y + 1
        b = y * 3
    a.backward(retain_graph=True)
    b.backward()
    assert x.grad.asnumpy().tolist() == [6.0, 6.0, 6.0]


# ---- mirrors of apache/mxnet tests/python/unittest/test_autograd.py (read at commit 04c7b08) ----
def test_retain_grad_add_and_a_second_pass():
    # test_retain_grad
    x, dx = ms.Tensor(np.ones((2, 2), np.float32)), ms.Tensor(np.zeros((2, 2), np.float32))
    autograd.mark_variables([x], [dx], grad_reqs="add")
    with autograd.record():
        y = x + 1
        y.backward(retain_graph=False)
    assert (dx.asnumpy() == 1).all()
    dx[:] = 0
    with autograd.record():
        y = x + 1
        y.backward(retain_graph=True)
        y.backward(retain_graph=False)
    assert (dx.asnumpy() == 2).all()
    with autograd.record():
        y = x + 1
        y.backward()
        with pytest.raises(RuntimeError, match="retain_graph=True"):
            y.backward()
    assert (dx.asnumpy() == 3).all()


def test_out_grads_one_per_head():
    # test_out_grads (nd.split written as rows)
    x = ms.Tensor(np.ones((3, 5), np.float32))
    dx = ms.Tensor(np.zeros((3, 5), np.float32))
    autograd.mark_variables([x], [dx])
    db = ms.Tensor(np.array([1, 2, 3, 4, 5], np.float32))
    dc = ms.Tensor(np.array([5, 4, 3, 2, 1], np.float32))
    with autograd.record():
        a, b, c = x[0], x[1], x[2]
        autograd.backward([a, b, c], [None, db, dc])
    assert dx.asnumpy().tolist() == [[1] * 5, [1, 2, 3, 4, 5], [5, 4, 3, 2, 1]]


def test_detach_updated_grad():
    # test_detach_updated_grad
    x, y = ms.Tensor(np.ones((2, 2), np.float32)), ms.Tensor(np.ones((2, 2), np.float32))
    dx, dy = ms.Tensor(np.zeros((2, 2), np.float32)), ms.Tensor(np.zeros((2, 2), np.float32))
    autograd.mark_variables([x, y], [dx, dy])
    assert x._fresh_grad is False and y._fresh_grad is False
    with autograd.record():
        (x + 2 + y).backward()
    assert (dx.asnumpy() == 1).all() and x._fresh_grad and y._fresh_grad
    dx[:] = 0
    x._fresh_grad = y._fresh_grad = False
    with autograd.record():
        ((x + 2).detach() + y).backward()
    assert (dx.asnumpy() == 0).all()
    assert y._fresh_grad is True and x._fresh_grad is False


def test_is_train_scopes():
    # test_is_train (the scopes; Dropout's use of them is Gluon's)
    assert not autograd.is_recording() and not autograd.is_training()
    with autograd.record(train_mode=True):
        assert autograd.is_recording() and autograd.is_training()
        with autograd.predict_mode():
            assert autograd.is_recording() and not autograd.is_training()
    with autograd.record(train_mode=False):
        assert autograd.is_recording() and not autograd.is_training()
        with autograd.train_mode():
            assert autograd.is_recording() and autograd.is_training()
    with autograd.train_mode():
        assert not autograd.is_recording() and autograd.is_training()
    assert not autograd.is_recording() and not autograd.is_training()


def test_backward_train_mode_is_seen_during_the_pass():
    seen = []

    class Spy(autograd.Function):
        def forward(self, x):
            return x * 1

        def backward(self, dy):
            seen.append(autograd.is_training())
            return dy

    x = _ones_with_grad()
    for mode in (True, False):
        with autograd.record():
            y = Spy()(x)
        autograd.backward(y, train_mode=mode)
    with autograd.record():
        y = Spy()(x)
    y.backward(train_mode=False)
    assert seen == [True, False, False]


def test_function_with_two_outputs_matches_the_plain_graph():
    # test_function
    class DivMul(autograd.Function):
        def forward(self, x, y):
            self.save_for_backward(x, y)
            return x / y, x * y

        def backward(self, dm, dn):
            x, y = self.saved_tensors
            return dm / y + dn * y, dn * x - dm * x / y / y

    rng = np.random.default_rng(0)
    x = ms.Tensor(rng.uniform(0.5, 1, 10).astype(np.float32)).attach_grad()
    y = ms.Tensor(rng.uniform(0.5, 1, 10).astype(np.float32)).attach_grad()
    with autograd.record():
        m, n = DivMul()(x, y)
        assert m._node is not None
        autograd.backward([m, n])
    dx1, dy1 = x.grad.asnumpy().copy(), y.grad.asnumpy().copy()
    with autograd.record():
        autograd.backward([x / y, x * y])
    np.testing.assert_allclose(x.grad.asnumpy(), dx1, rtol=1e-6)
    np.testing.assert_allclose(y.grad.asnumpy(), dy1, rtol=1e-6)


def test_function_outside_record_is_not_recorded_and_runs_once():
    class Double(autograd.Function):
        def forward(self, x):
            assert not autograd.is_recording()
            return x * 2

        def backward(self, dy):
            return dy * 2

    f, x = Double(), _ones_with_grad()
    y = f(x)
    assert y._node is None and y.asnumpy().tolist() == [2.0, 2.0, 2.0]
    with pytest.raises(RuntimeError, match="only be called once"):
        f(x)
    with autograd.record():
        y = Double()(x)
        assert y._node is not None
    y.backward()
    assert x.grad.asnumpy().tolist() == [2.0, 2.0, 2.0]


def test_function_works_under_ms_grad():
    class Cube(autograd.Function):
        def forward(self, x):
            self.save_for_backward(x)
            return x * x * x

        def backward(self, dy):
            x, = self.saved_tensors
            return dy * 3 * x * x

    g = ms.grad(lambda x: Cube()(x).sum())(ms.Tensor([1.0, 2.0]))
    assert g.asnumpy().tolist() == [3.0, 12.0]


def test_function_backward_returning_the_wrong_count_is_a_value_error():
    class Bad(autograd.Function):
        def forward(self, x, y):
            return x + y

        def backward(self, dz):
            return dz

    x, y = _ones_with_grad(), _ones_with_grad()
    with autograd.record():
        z = Bad()(x, y)
    with pytest.raises(ValueError, match="one gradient per input"):
        z.backward()
    assert x.grad.asnumpy().tolist() == [0.0, 0.0, 0.0]


def test_function_input_that_is_not_a_tensor_is_a_type_error():
    class Id(autograd.Function):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="input 0 is list"):
        Id()([1.0])


def test_ms_grad_through_a_freed_graph_raises_only_when_it_needs_it():
    # PyTorch: "Trying to backward through the graph a second time"; MindSpore records anew per call.
    w = ms.Parameter(ms.Tensor(np.ones(3, np.float32)), name="w").attach_grad()
    with autograd.record():
        h = w * 2
        loss = (h * h).sum()
    loss.backward()
    g = ms.grad(lambda x: (h * x).sum())(ms.Tensor([1.0, 1.0, 1.0]))
    assert g.asnumpy().tolist() == [2.0, 2.0, 2.0]                  # w's freed graph is not needed
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        ms.grad(lambda x: (h * x).sum(), grad_position=None, weights=[w])(ms.Tensor([1.0, 1.0, 1.0]))


# ---- bad input raises, naming the argument, and changes nothing --------------------------------
ANY = st.one_of(st.sampled_from(["write", "add", "null"]), st.text(max_size=5), st.integers(), st.none(),
                st.booleans(), st.floats(allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(req=ANY, grad_shape=st.sampled_from([(3,), (2,), (3, 1), ()]))
def test_mark_variables_checks_its_arguments(req, grad_shape):
    x = ms.Tensor(np.ones(3, np.float32))
    gradient = ms.Tensor(np.zeros(grad_shape, np.float32))
    valid = isinstance(req, str) and req in ("write", "add", "null") and grad_shape == (3,)
    try:
        autograd.mark_variables([x], [gradient], grad_reqs=req)
    except (TypeError, ValueError) as error:
        assert not valid and ("'grad_reqs'" in str(error) or "'gradients'" in str(error))
        assert x.grad is None and x.grad_req == "null"
    else:
        assert valid and x.grad_req == req
        assert x.grad is (None if req == "null" else gradient)


@pytest.mark.parametrize("variables, gradients, message", [
    ([np.ones(3)], None, "'variables' must hold Tensors"),
    ([], [], None),
    ("x", "dx", "'variables' must be a Tensor or a list"),
])
def test_mark_variables_refuses_what_is_not_a_tensor(variables, gradients, message):
    gradients = [ms.Tensor(np.zeros(3, np.float32))] if gradients is None else gradients
    if message is None:
        autograd.mark_variables(variables, gradients)           # nothing to mark: nothing happens
        return
    with pytest.raises(TypeError, match=message):
        autograd.mark_variables(variables, gradients)


def test_mark_variables_lengths_must_match():
    x, y = ms.Tensor([1.0]), ms.Tensor([2.0])
    with pytest.raises(ValueError, match="same length, but got 2, 1 and 2"):
        autograd.mark_variables([x, y], [ms.Tensor([0.0])], grad_reqs=["write", "add"])
    assert x.grad is None and y.grad is None


@settings(max_examples=60, deadline=None)
@given(retain=ANY, train=ANY, n_grads=st.sampled_from([None, 1, 2, 3]))
def test_backward_checks_its_arguments(retain, train, n_grads):
    x = _ones_with_grad()
    with autograd.record():
        a, b = x * 2, x * 3
    head_grads = None if n_grads is None else [None] * n_grads
    valid = isinstance(retain, bool) and isinstance(train, bool) and n_grads in (None, 2)
    try:
        autograd.backward([a, b], head_grads, retain_graph=retain, train_mode=train)
    except (TypeError, ValueError) as error:
        assert not valid
        assert any(f"'{name}'" in str(error) for name in ("retain_graph", "train_mode", "head_grads"))
        assert x.grad.asnumpy().tolist() == [0.0, 0.0, 0.0]
        autograd.backward([a, b])                                   # the graph is still whole
    else:
        assert valid
    assert x.grad.asnumpy().tolist() == [5.0, 5.0, 5.0]
