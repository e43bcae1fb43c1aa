"""``sporelab.nd`` and the NDArray attributes of Tensor, against MXNet 1.9.1's behaviour.

Each case cites what it mirrors in apache/mxnet, tag 1.9.1 (tests/python/unittest/test_ndarray.py,
python/mxnet/ndarray/ndarray.py). Gradients are checked against PyTorch (CPU).
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import sporelab as mx
from sporelab import autograd
from tests._requires import require

torch = require("torch")

RNG = np.random.default_rng(0)


def _leaves(*shapes):
    arrays = [RNG.standard_normal(s).astype(np.float32) for s in shapes]
    ours = [mx.nd.array(a) for a in arrays]
    for t in ours:
        t.attach_grad()
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    return ours, theirs


def _check_grads(ours_fn, torch_fn, *shapes, atol=1e-5):
    """Forward values and input gradients of sum(f(x) * weights) agree with torch."""
    ours, theirs = _leaves(*shapes)
    with autograd.record():
        out = ours_fn(*ours)
    expected = torch_fn(*theirs)
    np.testing.assert_allclose(out.asnumpy().reshape(expected.shape), expected.detach().numpy(), atol=atol)
    head = RNG.standard_normal(expected.shape).astype(np.float32)
    out.backward(mx.nd.array(head.reshape(out.shape)))
    expected.backward(torch.tensor(head))
    for mine, ref in zip(ours, theirs):
        np.testing.assert_allclose(mine.grad.asnumpy(), ref.grad.numpy(), atol=atol, rtol=1e-5)


# ---- the Gluon seed, verbatim (python/mxnet/gluon/parameter.py docstring, MXNet 1.9.1) ----------
def test_the_gluon_parameter_example_runs_unchanged():
    ctx = mx.cpu(0)
    x = mx.nd.zeros((16, 100), ctx=ctx)
    w = mx.gluon.Parameter('fc_weight', shape=(64, 100), init=mx.init.Xavier())
    b = mx.gluon.Parameter('fc_bias', shape=(64,), init=mx.init.Zero())
    w.initialize(ctx=ctx)
    b.initialize(ctx=ctx)
    out = mx.nd.FullyConnected(x, w.data(ctx), b.data(ctx), num_hidden=64)
    assert out.shape == (16, 64) and out.context == ctx
    assert np.array_equal(out.asnumpy(), np.zeros((16, 64), np.float32))


def test_init_is_gluon_init():
    import sporelab.init
    assert sporelab.init is mx.gluon.init is mx.init


# ---- creation (test_ndarray.py: test_ndarray_elementwise, test_arange, test_full) ------------------
def test_creation_defaults_are_float32_on_the_current_context():
    for made in (mx.nd.zeros((2, 3)), mx.nd.ones(4), mx.nd.empty((1,)), mx.nd.array([[1, 2]]),
                 mx.nd.array(np.arange(3)), mx.nd.full((2,), 7), mx.nd.arange(3)):
        assert made.dtype == mx.float32 and made.context == mx.cpu(0)
    assert mx.nd.ones(4).shape == (4,)
    assert np.array_equal(mx.nd.full((2, 2), 7, dtype='int32').asnumpy(), np.full((2, 2), 7, np.int32))


def test_array_of_an_ndarray_keeps_its_dtype():
    x = mx.nd.array([1, 2], dtype='int64')
    assert mx.nd.array(x).dtype == mx.int64
    assert mx.nd.array(x, dtype=np.float16).dtype == mx.float16


def test_arange_matches_mxnet():
    # test_ndarray.py::test_arange: start, stop, step and repeat
    assert np.array_equal(mx.nd.arange(2, 8, 2, repeat=2).asnumpy(), np.array([2, 2, 4, 4, 6, 6], np.float32))
    assert np.array_equal(mx.nd.arange(5).asnumpy(), np.arange(5, dtype=np.float32))


def test_like_functions_keep_shape_dtype_and_context():
    x = mx.nd.array([[1, 2, 3]], ctx=mx.cpu(1), dtype='float64')
    for made, value in ((mx.nd.zeros_like(x), 0), (mx.nd.ones_like(x), 1)):
        assert (made.shape, made.dtype, made.context) == ((1, 3), mx.float64, mx.cpu(1))
        assert np.all(made.asnumpy() == value)


def test_random_is_seeded_and_in_range():
    mx.set_seed(3)
    a = mx.nd.random.uniform(-2, 3, shape=(50,))
    mx.set_seed(3)
    b = mx.nd.random.uniform(-2, 3, shape=(50,))
    assert np.array_equal(a.asnumpy(), b.asnumpy())
    assert a.asnumpy().min() >= -2 and a.asnumpy().max() < 3
    n = mx.nd.random.normal(1, 0, shape=(2, 2), ctx=mx.cpu(2))
    assert n.context == mx.cpu(2) and np.all(n.asnumpy() == 1)
    assert mx.nd.random.uniform().shape == (1,)


# ---- NDArray attributes (ndarray.py: context, as_in_context, copyto, asscalar) ---------------------
def test_ndarray_attributes():
    x = mx.nd.array([[1.5]])
    assert x.stype == 'default' and x.context == mx.cpu(0)
    assert x.as_in_context(mx.cpu(0)) is x
    moved = x.as_in_context(mx.cpu(1))
    assert moved.context == mx.cpu(1) and np.array_equal(moved.asnumpy(), x.asnumpy())
    scalar = x.asscalar()
    assert scalar == 1.5 and isinstance(scalar, np.float32)
    assert x.wait_to_read() is None and mx.nd.waitall() is None


def test_copyto_an_array_or_a_context():
    # test_ndarray.py::test_ndarray_copy and ndarray.py::copyto
    src = mx.nd.array([1, 2, 3])
    dst = mx.nd.zeros((3,), dtype='int32')
    assert src.copyto(dst) is dst and np.array_equal(dst.asnumpy(), [1, 2, 3])
    assert dst.dtype == mx.int32
    copy = src.copyto(mx.cpu(1))
    assert copy.context == mx.cpu(1) and copy is not src
    with pytest.raises(ValueError, match="'other' has shape"):
        src.copyto(mx.nd.zeros((4,)))
    with pytest.raises(TypeError, match="'other'"):
        src.copyto("cpu")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert src.copyto(src) is False
    assert "copy an array to itself" in str(caught[0].message)


def test_asscalar_needs_one_element():
    with pytest.raises(ValueError, match="not a scalar"):
        mx.nd.ones((2,)).asscalar()


def test_as_in_context_is_differentiable():
    x = mx.nd.array([1.0, 2.0])
    x.attach_grad()
    with autograd.record():
        y = (x.as_in_context(mx.cpu(1)) * 3).sum()
    y.backward()
    assert np.array_equal(x.grad.asnumpy(), [3, 3])


# ---- operators: values and gradients against torch ---------------------------------------------------
def test_fully_connected():
    # src/operator/nn/fully_connected.cc: y = flatten(x) @ w.T + b
    _check_grads(lambda x, w, b: mx.nd.FullyConnected(x, w, b, num_hidden=4),
                 lambda x, w, b: torch.nn.functional.linear(x.flatten(1), w, b), (3, 2, 5), (4, 10), (4,))
    _check_grads(lambda x, w: mx.nd.FullyConnected(x, w, num_hidden=4, no_bias=True, flatten=False),
                 lambda x, w: x @ w.T, (2, 3, 5), (4, 5))


def test_convolution():
    _check_grads(lambda x, w, b: mx.nd.Convolution(x, w, b, kernel=(3, 3), stride=(2, 1), pad=(1, 0),
                                                   num_filter=4),
                 lambda x, w, b: torch.nn.functional.conv2d(x, w, b, stride=(2, 1), padding=(1, 0)),
                 (2, 3, 7, 6), (4, 3, 3, 3), (4,), atol=1e-4)


def test_dot():
    _check_grads(lambda a, b: mx.nd.dot(a, b), lambda a, b: a @ b, (3, 4), (4, 2))
    _check_grads(lambda a, b: mx.nd.dot(a, b, transpose_a=True, transpose_b=True),
                 lambda a, b: a.T @ b.T, (4, 3), (2, 4))
    _check_grads(lambda a, b: mx.nd.dot(a, b), lambda a, b: torch.tensordot(a, b, dims=1), (2, 3, 4), (4, 5))
    assert mx.nd.dot(mx.nd.ones(3), mx.nd.ones(3)).shape == (1,)


def test_split_concat_stack():
    _check_grads(lambda x: mx.nd.concat(*mx.nd.split(x, 3, axis=1)[::-1], dim=0),
                 lambda x: torch.cat(torch.chunk(x, 3, dim=1)[::-1], dim=0), (2, 6))
    _check_grads(lambda a, b: mx.nd.stack(a, b * 2, axis=1), lambda a, b: torch.stack([a, b * 2], 1),
                 (2, 3), (2, 3))
    parts = mx.nd.split(mx.nd.ones((2, 3)), 3, axis=1, squeeze_axis=True)
    assert [p.shape for p in parts] == [(2,)] * 3
    assert mx.nd.split(mx.nd.ones((2, 3)), 1).shape == (2, 3)


@pytest.mark.parametrize("name, reference", [
    ("exp", torch.exp), ("square", torch.square), ("abs", torch.abs), ("relu", torch.relu),
    ("sigmoid", torch.sigmoid), ("tanh", torch.tanh)])
def test_elementwise(name, reference):
    _check_grads(getattr(mx.nd, name), reference, (3, 4))


@pytest.mark.parametrize("name, reference", [("log", torch.log), ("sqrt", torch.sqrt)])
def test_elementwise_on_positive_input(name, reference):
    _check_grads(lambda x: getattr(mx.nd, name)(mx.nd.abs(x) + 0.5), lambda x: reference(x.abs() + 0.5), (3, 4))


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_reductions(name):
    reference = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax, "min": torch.amin}[name]
    _check_grads(lambda x: getattr(mx.nd, name)(x, axis=1), lambda x: reference(x, dim=1), (3, 4))
    _check_grads(lambda x: getattr(mx.nd, name)(x, axis=1, exclude=True, keepdims=True),
                 lambda x: reference(x, dim=(0, 2), keepdim=True), (2, 3, 4))
    assert getattr(mx.nd, name)(mx.nd.ones((2, 2))).shape == (1,)     # MXNet 1.x: no 0-d results


# ---- save / load (test_ndarray.py::test_ndarray_saveload, in sporelab's format) -------------------
def test_save_load_round_trips_lists_and_dicts(tmp_path):
    arrays = [mx.nd.array(RNG.standard_normal((2, 3))), mx.nd.arange(4, dtype='int32')]
    path = str(tmp_path / "arrays")
    mx.nd.save(path, arrays)
    loaded = mx.nd.load(path)
    assert isinstance(loaded, list)
    for mine, back in zip(arrays, loaded):
        assert back.dtype == mine.dtype and np.array_equal(back.asnumpy(), mine.asnumpy())
    mx.nd.save(path, {"a": arrays[0]})
    assert list(mx.nd.load(path)) == ["a"]
    mx.nd.save(path, arrays[1])
    assert len(mx.nd.load(path, ctx=mx.cpu(1))) == 1 and mx.nd.load(path)[0].dtype == mx.int32


def test_load_refuses_foreign_files(tmp_path):
    pickled = tmp_path / "pickled"
    pickled.write_bytes(b"\x80\x04K\x01.")
    with pytest.raises(ValueError, match="damaged or was not written"):
        mx.nd.load(str(pickled))
    with pytest.raises(ValueError, match="does not exist"):
        mx.nd.load(str(tmp_path / "missing"))


# ---- bad input: a TypeError/ValueError naming the argument, and nothing changed -------------------
_BAD_CALLS = [
    (lambda: mx.nd.zeros((2, -1)), ValueError, "'shape'"),
    (lambda: mx.nd.zeros("3"), TypeError, "'shape'"),
    (lambda: mx.nd.zeros((2,), ctx="gpu"), TypeError, "'ctx'"),
    (lambda: mx.nd.zeros((2,), dtype="float99"), TypeError, "dtype"),
    (lambda: mx.nd.zeros((2,), stype="csr"), ValueError, "'stype'"),
    (lambda: mx.nd.array("abc"), TypeError, "'source_array'"),
    (lambda: mx.nd.full((2,), "x"), TypeError, "'val'"),
    (lambda: mx.nd.arange(0, 3, 0), ValueError, "'step'"),
    (lambda: mx.nd.arange(3, repeat=0), ValueError, "'repeat'"),
    (lambda: mx.nd.random.normal(0, -1), ValueError, "'scale'"),
    (lambda: mx.nd.FullyConnected(np.ones((2, 3)), mx.nd.ones((4, 3)), num_hidden=4), TypeError, "'data'"),
    (lambda: mx.nd.FullyConnected(mx.nd.ones((2, 3)), mx.nd.ones((4, 3)), mx.nd.ones(4)), ValueError, "'num_hidden'"),
    (lambda: mx.nd.FullyConnected(mx.nd.ones((2, 3)), mx.nd.ones((4, 2)), mx.nd.ones(4), num_hidden=4),
     ValueError, "'weight'"),
    (lambda: mx.nd.Convolution(mx.nd.ones((1, 1, 3, 3)), mx.nd.ones((1, 1, 2, 2)), kernel=(2, 2),
                               num_filter=1, layout="NHWC"), ValueError, "'layout'"),
    (lambda: mx.nd.dot(mx.nd.ones((2, 3)), mx.nd.ones((2, 3))), ValueError, "'lhs'"),
    (lambda: mx.nd.split(mx.nd.ones((2, 3)), 2), ValueError, "'num_outputs'"),
    (lambda: mx.nd.concat(mx.nd.ones((2,)), mx.nd.ones((2,), dtype='int32'), dim=0), TypeError, "data\\[1\\]"),
    (lambda: mx.nd.sum(mx.nd.ones((2,)), axis=3), ValueError, "'axis'"),
    (lambda: mx.nd.save(3, []), TypeError, "'fname'"),
    (lambda: mx.nd.save("x", 3), TypeError, "'data'"),
    (lambda: mx.nd.ones(2).as_in_context("cpu"), TypeError, "'context'"),
]


@pytest.mark.parametrize("call, error, argument", _BAD_CALLS)
def test_bad_input_names_the_argument(call, error, argument):
    with pytest.raises(error, match=argument):
        call()


@settings(max_examples=60, deadline=None)
@given(shape=st.one_of(st.integers(-3, 4), st.lists(st.integers(-2, 4), max_size=3), st.text(max_size=2),
                       st.floats(allow_nan=False)),
       value=st.one_of(st.integers(-5, 5), st.floats(-5, 5), st.booleans(), st.none()))
def test_full_accepts_exactly_valid_shapes_and_values(shape, value):
    try:
        made = mx.nd.full(shape, value)
    except (TypeError, ValueError) as error:
        assert "'shape'" in str(error) or "'val'" in str(error)
        dims = [shape] if isinstance(shape, int) else shape
        valid_shape = isinstance(dims, list) and all(isinstance(d, int) and d >= 0 for d in dims)
        valid_value = isinstance(value, (int, float)) and not isinstance(value, bool)
        assert not (valid_shape and valid_value)
    else:
        dims = (shape,) if isinstance(shape, int) else tuple(shape)
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
        assert all(d >= 0 for d in dims) and made.shape == dims
        assert np.all(made.asnumpy() == np.float32(value)) and made.dtype == mx.float32


@settings(max_examples=40, deadline=None)
@given(num=st.integers(-1, 5), axis=st.integers(-3, 3), length=st.integers(1, 6))
def test_split_accepts_exactly_valid_arguments(num, axis, length):
    data = mx.nd.array(np.arange(2 * length, dtype=np.float32).reshape(2, length))
    before = data.asnumpy().copy()
    try:
        parts = mx.nd.split(data, num, axis=axis)
    except ValueError as error:
        assert "'num_outputs'" in str(error) or "'axis'" in str(error)
        assert not (num >= 1 and -2 <= axis < 2 and data.shape[axis % 2] % num == 0)
    else:
        assert num >= 1 and -2 <= axis < 2
        expected = np.split(before, num, axis=axis)
        got = [parts] if num == 1 else parts
        assert [p.asnumpy().tolist() for p in got] == [e.tolist() for e in expected]
    assert np.array_equal(data.asnumpy(), before)
