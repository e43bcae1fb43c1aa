"""Autograd as MXNet does it: joint backward of several heads, freed graphs, mark_variables,
custom Functions and the train/predict scopes.

Sources mirrored: apache/mxnet tag 1.9.1, python/mxnet/autograd.py and
tests/python/unittest/test_autograd.py (test names cited per case).
"""

import numpy as np
import pytest

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
