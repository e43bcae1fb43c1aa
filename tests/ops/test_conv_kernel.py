"""The functional conv2d kernel and activations: against a direct loop, PyTorch and the formulas."""

import math

import numpy as np
import pytest
from tests._requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import ops
from sporelab.ops.conv import conv2d_forward, conv2d_pads, conv_output_size, same_pads


def reference_conv(x, w, stride, pads, dilation, groups):
    """A direct, loop-per-tap convolution in float64: the definition, not an optimisation."""
    top, bottom, left, right = pads
    xpad = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (top, bottom), (left, right)))
    n, _, h, wid = xpad.shape
    o, cg, kh, kw = w.shape
    (sh, sw), (dh, dw) = stride, dilation
    ho, wo = (h - dh * (kh - 1) - 1) // sh + 1, (wid - dw * (kw - 1) - 1) // sw + 1
    out = np.zeros((n, o, ho, wo))
    per_group = o // groups
    for oc in range(o):
        g = oc // per_group
        for p in range(kh):
            for q in range(kw):
                patch = xpad[:, g * cg:(g + 1) * cg, p * dh:p * dh + sh * (ho - 1) + 1:sh,
                             q * dw:q * dw + sw * (wo - 1) + 1:sw]
                out[:, oc] += np.einsum("nchw,c->nhw", patch, w[oc, :, p, q])
    return out


@st.composite
def conv_cases(draw):
    groups = draw(st.sampled_from([1, 2, 3]))
    cg, og = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    kh, kw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    pads = tuple(draw(st.integers(0, 3)) for _ in range(4))
    h = draw(st.integers(max(1, dilation[0] * (kh - 1) + 1 - pads[0] - pads[1]), 9))
    w = draw(st.integers(max(1, dilation[1] * (kw - 1) + 1 - pads[2] - pads[3]), 9))
    n = draw(st.integers(0, 3))
    return n, groups * cg, groups * og, (kh, kw), stride, dilation, pads, groups, (h, w)


@settings(max_examples=50, deadline=None)
@given(conv_cases(), st.integers(0, 2**32 - 1))
def test_kernel_matches_direct_loop(case, seed):
    n, c, o, kernel, stride, dilation, pads, groups, (h, w) = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w))
    weight = rng.standard_normal((o, c // groups) + kernel)
    got = conv2d_forward(np, x, weight, stride, pads, dilation, groups, chunk_bytes=256)
    np.testing.assert_allclose(got, reference_conv(x, weight, stride, pads, dilation, groups),
                               rtol=1e-12, atol=1e-12)


def test_chunking_does_not_change_the_result():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((7, 4, 6, 5)).astype(np.float32)
    w = rng.standard_normal((6, 2, 3, 3)).astype(np.float32)
    args = ((1, 1), (1, 1, 1, 1), (1, 1), 2)
    whole = conv2d_forward(np, x, w, *args, chunk_bytes=1 << 40)
    for chunk in (1, 1000, 5000):
        np.testing.assert_array_equal(conv2d_forward(np, x, w, *args, chunk_bytes=chunk), whole)
    assert whole.dtype == np.float32 and whole.flags["C_CONTIGUOUS"]


def test_non_contiguous_input_view():
    rng = np.random.default_rng(2)
    base = rng.standard_normal((3, 5, 8, 2))
    x = base.transpose(0, 3, 2, 1)[:, :, ::-1, ::2]         # (3, 2, 8, 3), negative and gapped strides
    w = rng.standard_normal((4, 2, 2, 2))
    got = conv2d_forward(np, x, w, (1, 1), (0, 1, 1, 0), (1, 1), 1)
    np.testing.assert_allclose(got, reference_conv(np.ascontiguousarray(x), w, (1, 1), (0, 1, 1, 0),
                                                   (1, 1), 1), rtol=1e-12, atol=1e-13)


# ---- shape arithmetic ---------------------------------------------------------------------------
@pytest.mark.parametrize("size", range(1, 13))
@pytest.mark.parametrize("kernel", [1, 2, 3, 5])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2])
def test_output_sizes_follow_the_mindspore_formulas(size, kernel, stride, dilation):
    before, after = same_pads(size, kernel, stride, dilation)
    assert conv_output_size(size, kernel, stride, dilation, before, after) == math.ceil(size / stride)
    assert after - before in (0, 1)                      # the odd pixel goes to the bottom / right
    span = dilation * (kernel - 1)
    if size > span:
        assert conv_output_size(size, kernel, stride, dilation, 0, 0) == math.ceil((size - span) / stride)
    for top, bottom in ((0, 0), (1, 2), (3, 0)):
        expected = math.floor((size + top + bottom - span - 1) / stride + 1)
        assert conv_output_size(size, kernel, stride, dilation, top, bottom) == expected


def test_same_pads_examples():
    assert same_pads(16, 3, 1, 1) == (1, 1)
    assert same_pads(5, 2, 2, 1) == (0, 1)
    assert same_pads(4, 4, 1, 1) == (1, 2)
    assert same_pads(7, 3, 3, 1) == (1, 1)
    assert same_pads(9, 1, 2, 1) == (0, 0)
    assert conv2d_pads((16, 50), (3, 3), (1, 1), (1, 1), "same", (0,) * 4) == (1, 1, 1, 1)
    assert conv2d_pads((16, 50), (3, 3), (1, 1), (1, 1), "valid", (0,) * 4) == (0, 0, 0, 0)
    assert conv2d_pads((16, 50), (3, 3), (1, 1), (1, 1), "pad", (1, 2, 3, 4)) == (1, 2, 3, 4)


# ---- the Tensor-level op ------------------------------------------------------------------------
def test_functional_conv2d_docstring_example():
    x = ms.Tensor(np.ones((1, 1, 4, 4), np.float32))
    w = ms.Tensor(np.ones((1, 1, 3, 3), np.float32))
    out = ops.conv2d(x, w, pad_mode="same")
    assert out.dtype == ms.float32 and out.device == x.device
    np.testing.assert_array_equal(out.asnumpy()[0, 0], [[4, 6, 6, 4], [6, 9, 9, 6], [6, 9, 9, 6], [4, 6, 6, 4]])


def test_functional_conv2d_against_torch_with_bias_and_groups():
    torch = require("torch")
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((6, 2, 3, 2)), rng.standard_normal(6)
    got = ops.conv2d(ms.Tensor(x), ms.Tensor(w), ms.Tensor(b), stride=(2, 1), pad_mode="pad",
                     padding=(1, 0, 2, 1), dilation=(1, 2), groups=2)
    padded = torch.nn.functional.pad(torch.from_numpy(x), (2, 1, 1, 0))
    want = torch.nn.functional.conv2d(padded, torch.from_numpy(w), torch.from_numpy(b), stride=(2, 1),
                                      dilation=(1, 2), groups=2).numpy()
    assert got.dtype == ms.float64
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-10, atol=1e-12)


def test_functional_conv2d_promotes_dtypes():
    x = ms.Tensor(np.ones((1, 1, 3, 3), np.int64))
    w = ms.Tensor(np.ones((1, 1, 3, 3), np.float32))
    out = ops.conv2d(x, w)
    assert out.dtype == ms.float32 and out.shape == (1, 1, 1, 1) and out.asnumpy().item() == 9.0


@pytest.mark.parametrize("kwargs, error, word", [
    ({"stride": 0}, ValueError, "'stride'"),
    ({"stride": 1.5}, TypeError, "'stride'"),
    ({"dilation": (1, 2, 3)}, ValueError, "'dilation'"),
    ({"padding": -1, "pad_mode": "pad"}, ValueError, "'padding'"),
    ({"padding": 1}, ValueError, "'padding'"),
    ({"pad_mode": "full"}, ValueError, "'pad_mode'"),
    ({"pad_mode": 3}, TypeError, "'pad_mode'"),
    ({"groups": 3}, ValueError, "groups"),
    ({"groups": True}, TypeError, "'groups'"),
])
def test_functional_conv2d_argument_errors(kwargs, error, word):
    x, w = ms.Tensor(np.ones((1, 2, 5, 5), np.float32)), ms.Tensor(np.ones((2, 2, 3, 3), np.float32))
    with pytest.raises(error, match=word):
        ops.conv2d(x, w, **kwargs)


def test_functional_conv2d_operand_errors():
    x, w = ms.Tensor(np.ones((1, 2, 5, 5), np.float32)), ms.Tensor(np.ones((2, 2, 3, 3), np.float32))
    with pytest.raises(TypeError, match="'input'.*Wrap it"):
        ops.conv2d(np.ones((1, 2, 5, 5)), w)
    with pytest.raises(ValueError, match="'weight' must be 4-D"):
        ops.conv2d(x, ms.Tensor(np.ones((2, 2, 3)), ms.float32))
    with pytest.raises(ValueError, match="'bias' must have shape \\(2,\\)"):
        ops.conv2d(x, w, ms.Tensor(np.ones(3), ms.float32))
    with pytest.raises(ValueError, match="too small"):
        ops.conv2d(x, w, dilation=3)
    with pytest.raises(ValueError, match="on cpu\\(1\\)"):
        ops.conv2d(x, w.to(ms.cpu(1)))


# ---- activations --------------------------------------------------------------------------------
@pytest.mark.parametrize("name, fn", [("relu", lambda a: np.maximum(a, 0)),
                                      ("sigmoid", lambda a: 1 / (1 + np.exp(-a))),
                                      ("tanh", np.tanh)])
def test_activations_on_tensors_and_arrays(name, fn):
    values = np.array([-30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0], np.float32)
    op = getattr(ops, name)
    out = op(ms.Tensor(values))
    assert isinstance(out, ms.Tensor) and out.dtype == ms.float32
    np.testing.assert_allclose(out.asnumpy(), fn(values.astype(np.float64)), rtol=2e-6, atol=1e-7)
    on_array = op(values.astype(np.float64))
    assert isinstance(on_array, np.ndarray) and on_array.dtype == np.float64
    np.testing.assert_allclose(on_array, fn(values.astype(np.float64)), rtol=1e-12, atol=1e-15)


def test_activation_dtypes_and_extremes():
    assert ops.relu(ms.Tensor(np.array([-3, 4], np.int32))).dtype == ms.int32
    assert ops.sigmoid(ms.Tensor(np.array([0, 1]))).dtype == ms.float32
    assert ops.tanh(ms.Tensor(np.array([0], np.float16))).dtype == ms.float16
    with np.errstate(all="raise"):                      # no overflow for large |x|
        extremes = ops.sigmoid(np.array([-1e4, 1e4], np.float32))
    np.testing.assert_array_equal(extremes, [0.0, 1.0])
    assert np.isnan(ops.relu(np.array([np.nan]))[0])


@pytest.mark.parametrize("junk", [None, "abc", {"a": 1}, object(), np.array(["x"])])
def test_activations_reject_non_numbers(junk):
    for op in (ops.relu, ops.sigmoid, ops.tanh):
        with pytest.raises(TypeError, match="'x'"):
            op(junk)


def test_activations_against_torch():
    torch = require("torch")
    values = np.random.default_rng(4).standard_normal(100) * 5
    t = torch.from_numpy(values)
    np.testing.assert_allclose(ops.relu(values), torch.relu(t).numpy(), rtol=0)
    np.testing.assert_allclose(ops.sigmoid(values), torch.sigmoid(t).numpy(), rtol=1e-12)
    np.testing.assert_allclose(ops.tanh(values), torch.tanh(t).numpy(), rtol=1e-12)
