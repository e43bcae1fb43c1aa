"""Property: sporelab's Gluon autograd against ``torch.autograd.backward`` (the oracle).

Random small graphs over two leaves with broadcasting shapes, shared subexpressions, several
heads and head gradients, and then a random sequence of backward calls (subsets of the heads,
``retain_graph`` on or off). After every call, either both agree on the accumulated gradients,
or sporelab raises. sporelab raises exactly when the call needs a node an earlier call freed
(an independent model below tracks that); torch raises only for the freed nodes that saved
tensors, so wherever torch raises, sporelab must raise too (issue 21, section 1).
"""

import numpy as np
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import autograd
from tests._requires import require

torch = require("torch")

SHAPES = [(3,), (2, 3), (1, 3), (2, 1)]
OPS = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b}


@st.composite
def programs(draw):
    shapes = [draw(st.sampled_from(SHAPES)) for _ in range(2)]
    values = [draw(st.lists(st.integers(-3, 3), min_size=int(np.prod(s)), max_size=int(np.prod(s))))
              for s in shapes]
    nodes = []                                   # (op, i, j, scale): inputs index leaves, then nodes
    for k in range(draw(st.integers(1, 6))):
        i, j = draw(st.integers(0, k + 1)), draw(st.integers(0, k + 1))
        nodes.append((draw(st.sampled_from(sorted(OPS))), i, j, draw(st.sampled_from([1.0, 0.5, -2.0]))))
    heads = draw(st.lists(st.integers(2, len(nodes) + 1), min_size=1, max_size=3, unique=True))
    steps = draw(st.lists(st.tuples(st.lists(st.sampled_from(heads), min_size=1, unique=True),
                                    st.booleans(), st.booleans()), min_size=1, max_size=4))
    seed = draw(st.integers(0, 2 ** 16))
    return shapes, values, nodes, heads, steps, seed


def _leaves(shapes, values, make_leaf):
    return [make_leaf(np.array(v, np.float64).reshape(s)) for s, v in zip(shapes, values)]


def _build(leaves, nodes):
    """The leaves followed by one tensor per node: ``op(inputs) * scale``."""
    tensors = list(leaves)
    for op, i, j, scale in nodes:
        tensors.append(OPS[op](tensors[i], tensors[j]) * scale)
    return tensors


def _ancestors(nodes, index):
    """Indices of the computed tensors (2 and up) that a backward from ``index`` walks through."""
    found, stack = set(), [index]
    while stack:
        k = stack.pop()
        if k >= 2 and k not in found:
            found.add(k)
            _, i, j, _ = nodes[k - 2]
            stack += [i, j]
    return found


def _torch_leaf(array):
    return torch.tensor(array, requires_grad=True)


def _sporelab_leaf(array):
    return ms.Tensor(array).attach_grad("add")


@settings(max_examples=150, deadline=None)
@given(programs())
def test_backward_sequences_agree_with_torch_or_raise_where_it_must(program):
    shapes, values, nodes, heads, steps, seed = program
    rng = np.random.default_rng(seed)
    with autograd.record():
        ours = _build(_leaves(shapes, values, _sporelab_leaf), nodes)
    theirs = _build(_leaves(shapes, values, _torch_leaf), nodes)
    freed = set()
    for step_heads, retain, with_grads in steps:
        grads = [rng.integers(-2, 3, ours[h].shape).astype(np.float64) if with_grads else None
                 for h in step_heads]
        reached = set().union(*(_ancestors(nodes, h) for h in step_heads))
        before = [t.grad.asnumpy().copy() for t in ours[:2]]
        try:
            autograd.backward([ours[h] for h in step_heads],
                              None if not with_grads else [ms.Tensor(g) for g in grads], retain_graph=retain)
            raised = False
        except RuntimeError as error:
            assert "retain_graph=True" in str(error)
            raised = True
        assert raised == bool(reached & freed)                     # the independent model
        try:
            torch.autograd.backward([theirs[h] for h in step_heads],           # MXNet's default: ones
                                    [torch.ones_like(theirs[h]) if g is None else torch.tensor(g)
                                     for h, g in zip(step_heads, grads)], retain_graph=retain)
            torch_raised = False
        except RuntimeError as error:
            assert "second time" in str(error)
            torch_raised = True
        if torch_raised:
            assert raised, "torch refused a backward pass that sporelab ran"
        if raised:
            for t, old in zip(ours[:2], before):
                assert np.array_equal(t.grad.asnumpy(), old)             # a refused pass changes nothing
            return                                               # torch's graph state now differs
        if not retain:
            freed |= reached
        for t, oracle in zip(ours[:2], theirs[:2]):
            expected = np.zeros(t.shape) if oracle.grad is None else oracle.grad.numpy()
            np.testing.assert_allclose(t.grad.asnumpy(), expected, rtol=1e-12, atol=1e-12)

