"""nn.Conv2d: the tutorials' results, PyTorch as an oracle, argument checks, bad input."""

import math
import warnings

import numpy as np
import pytest
from tests._requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
from sporelab import nn
from sporelab.common.initializer import Normal

# The tutorial (seed 001) prints the first output channel of the all-ones convolution.
SEED_ONES_BLOCK = """[[[[12. 18. 18. ... 18. 18. 12.]
   [18. 27. 27. ... 27. 27. 18.]
   [18. 27. 27. ... 27. 27. 18.]
   ...
   [18. 27. 27. ... 27. 27. 18.]
   [18. 27. 27. ... 27. 27. 18.]
   [12. 18. 18. ... 18. 18. 12.]]]]"""


def ones_pattern(channels, h=16, w=50):
    """9 taps x 3 channels inside, 6 taps on edges, 4 in corners: 27 / 18 / 12."""
    rows = np.full(h, 3.0)
    rows[[0, -1]] = 2.0
    cols = np.full(w, 3.0)
    cols[[0, -1]] = 2.0
    return np.broadcast_to(3.0 * np.outer(rows, cols), (1, channels, h, w)).astype(np.float32)


# ---- the tutorials --------------------------------------------------------------------------
def test_tutorial_conv_net_parameter_shapes():
    conv_net = nn.Conv2d(in_channels=120, out_channels=240, kernel_size=4, has_bias=True, weight_init="normal")
    assert conv_net.weight.shape == (240, 120, 4, 4)
    assert conv_net.bias.shape == (240,)
    assert [p.name for p in conv_net.get_parameters()] == ["weight", "bias"]


def test_tutorial_all_ones_convolution():
    weight = ms.Tensor(np.ones([64, 3, 3, 3]), dtype=ms.float32)
    input_data = ms.Tensor(np.ones([1, 3, 16, 50], dtype=np.float32))
    net = nn.Conv2d(3, 64, 3, weight_init=weight)
    output = net(input_data)
    assert output.shape == (1, 64, 16, 50) and output.dtype == ms.float32
    np.testing.assert_array_equal(output.asnumpy(), ones_pattern(64))
    assert str(output) == str(ones_pattern(64))
    # The tutorial shows only the first channel: the same lines, closed after it.
    assert str(output).split("\n\n")[0] + "]]" == SEED_ONES_BLOCK


@pytest.mark.parametrize("weight_init", [Normal(0.2), "Normal"])
def test_tutorial_seeded_normal_convolution(weight_init):
    ms.set_seed(1)
    input_data = ms.Tensor(np.ones([1, 3, 16, 50], dtype=np.float32))
    net = nn.Conv2d(3, 64, 3, weight_init=weight_init)
    output = net(input_data)
    assert output.shape == (1, 64, 16, 50) and output.dtype == ms.float32
    ms.set_seed(1)
    again = nn.Conv2d(3, 64, 3, weight_init=weight_init)(input_data)
    np.testing.assert_array_equal(output.asnumpy(), again.asnumpy())
    # Interior pixels see all 27 weights of a channel, so they equal the weight sums.
    sums = net.weight.asnumpy().sum(axis=(1, 2, 3))
    np.testing.assert_allclose(output.asnumpy()[0, :, 5, 5], sums, rtol=1e-5, atol=1e-6)


# ---- PyTorch as the oracle ------------------------------------------------------------------
def mindspore_pads(h, w, kernel, stride, dilation, pad_mode, padding):
    """(top, bottom, left, right), computed from the rule in api-semantics 4.2, independently."""
    if pad_mode == "valid":
        return (0, 0, 0, 0)
    if pad_mode == "pad":
        return (padding,) * 4 if isinstance(padding, int) else padding
    pads = []
    for size, k, s, d in ((h, kernel[0], stride[0], dilation[0]), (w, kernel[1], stride[1], dilation[1])):
        total = max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
        pads += [total // 2, total - total // 2]
    return tuple(pads)


CASES = [  # (in, out, kernel, stride, pad_mode, padding, dilation, group, has_bias, (H, W))
    (3, 4, 3, 1, "same", 0, 1, 1, False, (9, 11)),
    (3, 4, 3, 2, "same", 0, 1, 1, True, (9, 11)),
    (3, 4, (2, 4), 3, "same", 0, 1, 1, True, (10, 7)),
    (2, 6, 4, (2, 3), "same", 0, 2, 2, False, (12, 13)),
    (4, 4, 3, 1, "same", 0, (2, 1), 4, True, (8, 8)),         # depthwise
    (3, 5, 3, 1, "valid", 0, 1, 1, False, (9, 11)),
    (4, 8, (3, 2), 2, "valid", 0, 2, 2, True, (11, 9)),
    (8, 4, 1, 3, "valid", 0, 1, 4, True, (7, 8)),
    (3, 4, 3, 1, "pad", 2, 1, 1, True, (6, 7)),
    (4, 6, (3, 5), 2, "pad", (1, 0, 3, 2), 1, 2, False, (9, 10)),
    (6, 6, 2, 3, "pad", (0, 2, 1, 0), 2, 6, True, (10, 8)),
    (2, 3, 3, 1, "pad", 0, 1, 1, False, (5, 5)),
]


@pytest.mark.parametrize("case", CASES)
def test_conv2d_matches_torch(case):
    torch = require("torch")
    cin, cout, kernel, stride, pad_mode, padding, dilation, group, has_bias, (h, w) = case
    rng = np.random.default_rng(sum(map(hash, map(str, case))) % 2**32)
    x = rng.standard_normal((2, cin, h, w))
    k2 = (kernel, kernel) if isinstance(kernel, int) else kernel
    weight = rng.standard_normal((cout, cin // group) + k2)
    bias = rng.standard_normal(cout)
    net = nn.Conv2d(cin, cout, kernel, stride=stride, pad_mode=pad_mode, padding=padding, dilation=dilation,
                    group=group, has_bias=has_bias, weight_init=ms.Tensor(weight),
                    bias_init=ms.Tensor(bias) if has_bias else "zeros")
    got = net(ms.Tensor(x))
    s2 = (stride, stride) if isinstance(stride, int) else stride
    d2 = (dilation, dilation) if isinstance(dilation, int) else dilation
    top, bottom, left, right = mindspore_pads(h, w, k2, s2, d2, pad_mode, padding)
    padded = torch.nn.functional.pad(torch.from_numpy(x), (left, right, top, bottom))
    want = torch.nn.functional.conv2d(padded, torch.from_numpy(weight),
                                      torch.from_numpy(bias) if has_bias else None,
                                      stride=s2, dilation=d2, groups=group).numpy()
    assert got.dtype == ms.float64 and got.shape == want.shape
    np.testing.assert_allclose(got.asnumpy(), want, rtol=1e-5, atol=1e-9)


def test_conv2d_float32_against_torch_float64():
    torch = require("torch")
    rng = np.random.default_rng(5)
    x, weight = rng.standard_normal((2, 8, 12, 12)), rng.standard_normal((16, 8, 3, 3))
    net = nn.Conv2d(8, 16, 3, stride=2, weight_init=ms.Tensor(weight, ms.float32))
    got = net(ms.Tensor(x, ms.float32)).asnumpy()
    want = torch.nn.functional.conv2d(torch.nn.functional.pad(torch.from_numpy(x), (0, 1, 0, 1)),
                                      torch.from_numpy(weight), stride=2).numpy()
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5 * np.abs(want).max())


# ---- output shapes --------------------------------------------------------------------------
@pytest.mark.parametrize("pad_mode", ["same", "valid", "pad"])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("dilation", [1, 2])
def test_output_shape_formulas(pad_mode, stride, dilation):
    kernel, padding = (3, 2), ((1, 2, 0, 3) if pad_mode == "pad" else 0)
    net = nn.Conv2d(1, 2, kernel, stride=stride, pad_mode=pad_mode, padding=padding, dilation=dilation)
    for h, w in ((5, 5), (7, 4), (10, 13), (16, 50)):
        out = net(ms.Tensor(np.zeros((1, 1, h, w), np.float32))).shape
        if pad_mode == "same":
            want = (math.ceil(h / stride), math.ceil(w / stride))
        elif pad_mode == "valid":
            want = (math.ceil((h - dilation * (kernel[0] - 1)) / stride),
                    math.ceil((w - dilation * (kernel[1] - 1)) / stride))
        else:
            want = (math.floor((h + 1 + 2 - (kernel[0] - 1) * dilation - 1) / stride + 1),
                    math.floor((w + 0 + 3 - (kernel[1] - 1) * dilation - 1) / stride + 1))
        assert out == (1, 2) + want


# ---- construction ---------------------------------------------------------------------------
def test_defaults_and_repr():
    net = nn.Conv2d(3, 64, 3)
    assert repr(net) == ("Conv2d<input_channels=3, output_channels=64, kernel_size=(3, 3), stride=(1, 1), "
                         "pad_mode=same, padding=0, dilation=(1, 1), group=1, has_bias=False, "
                         "weight_init=normal, bias_init=zeros, format=NCHW>")
    assert net.bias is None and net.weight.dtype == ms.float32
    assert list(net.parameters_dict()) == ["weight"]
    assert 0 < net.weight.asnumpy().std() < 0.02            # N(0, 0.01^2)
    padded = nn.Conv2d(4, 8, (3, 5), stride=(1, 2), pad_mode="pad", padding=(1, 1, 2, 2), dilation=2, group=2)
    assert "kernel_size=(3, 5), stride=(1, 2), pad_mode=pad, padding=(1, 1, 2, 2), dilation=(2, 2), group=2" \
        in repr(padded)
    assert padded.weight.shape == (8, 2, 3, 5)


def test_repr_of_a_tensor_init_shows_shape_and_dtype():
    net = nn.Conv2d(1, 2, 1, weight_init=ms.Tensor(np.ones((2, 1, 1, 1)), ms.float32))
    assert "weight_init=Tensor(shape=(2, 1, 1, 1), dtype=Float32)" in repr(net)


def test_bias_init_ignored_without_bias_warns():
    with pytest.warns(UserWarning, match="'has_bias' is False, value of 'bias_init' will be ignored"):
        net = nn.Conv2d(1, 2, 3, bias_init="ones")
    assert net.bias is None
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.Conv2d(1, 2, 3)


def test_tensor_init_keeps_dtype_and_is_copied():
    init = ms.Tensor(np.ones((2, 1, 1, 1)))
    net = nn.Conv2d(1, 2, 1, weight_init=init)
    assert net.weight.dtype == ms.float64
    init[0] = 5.0
    assert net.weight.asnumpy()[0, 0, 0, 0] == 1.0


@pytest.mark.parametrize("kwargs, error, word", [
    ({"in_channels": 0}, ValueError, "'in_channels'"),
    ({"in_channels": 2.0}, TypeError, "'in_channels'"),
    ({"out_channels": True}, TypeError, "'out_channels'"),
    ({"kernel_size": (3,)}, ValueError, "'kernel_size'"),
    ({"kernel_size": [3, 3]}, TypeError, "'kernel_size'"),
    ({"kernel_size": (3, 0)}, ValueError, "'kernel_size'"),
    ({"stride": -1}, ValueError, "'stride'"),
    ({"dilation": "1"}, TypeError, "'dilation'"),
    ({"pad_mode": "SAME_UPPER"}, ValueError, "'pad_mode'"),
    ({"pad_mode": None}, TypeError, "'pad_mode'"),
    ({"padding": 1}, ValueError, "'padding' must be 0 when 'pad_mode' is 'same'"),
    ({"pad_mode": "valid", "padding": (0, 1, 0, 0)}, ValueError, "'padding'"),
    ({"pad_mode": "pad", "padding": (1, 1)}, ValueError, "'padding'"),
    ({"pad_mode": "pad", "padding": -2}, ValueError, "'padding'"),
    ({"pad_mode": "pad", "padding": 1.0}, TypeError, "'padding'"),
    ({"group": 3}, ValueError, "divisible by 'group'"),
    ({"group": 0}, ValueError, "'group'"),
    ({"has_bias": 1}, TypeError, "'has_bias'"),
    ({"data_format": "NHWC"}, ValueError, "only on MindSpore's GPU"),
    ({"data_format": "nchw"}, ValueError, "'data_format'"),
    ({"weight_init": ms.Tensor(np.ones((4, 1, 3, 3)))}, ValueError, r"weight init shape error.*\(4, 2, 3, 3\)"),
    ({"weight_init": "no_such_init"}, ValueError, "'weight_init'"),
    ({"weight_init": [1, 2]}, TypeError, "'weight_init'"),
    ({"has_bias": True, "bias_init": ms.Tensor(np.ones(3))}, ValueError, "bias init shape error"),
])
def test_constructor_errors(kwargs, error, word):
    args = dict(in_channels=2, out_channels=4, kernel_size=3)
    args.update(kwargs)
    with pytest.raises(error, match=word):
        nn.Conv2d(**args)


def test_pad_mode_is_case_insensitive_and_printed_as_given():
    net = nn.Conv2d(1, 1, 3, pad_mode="VALID")
    assert net(ms.Tensor(np.zeros((1, 1, 5, 5), np.float32))).shape == (1, 1, 3, 3)
    assert "pad_mode=VALID" in repr(net)


# ---- bad input ------------------------------------------------------------------------------
def test_forward_input_errors():
    net = nn.Conv2d(3, 4, 3, pad_mode="valid")
    with pytest.raises(TypeError, match="'x' must be a Tensor.*Wrap it first"):
        net(np.ones((1, 3, 5, 5)))
    with pytest.raises(ValueError, match=r"'x'.*C = in_channels = 3, but got shape \(1, 2, 5, 5\)"):
        net(ms.Tensor(np.ones((1, 2, 5, 5), np.float32)))
    with pytest.raises(ValueError, match=r"'x'.*\(3, 5, 5\)"):
        net(ms.Tensor(np.ones((3, 5, 5), np.float32)))
    with pytest.raises(ValueError, match="'x' of shape \\(1, 3, 2, 5\\) is too small"):
        net(ms.Tensor(np.ones((1, 3, 2, 5), np.float32)))


VALID = dict(in_channels=2, out_channels=4, kernel_size=3, stride=1, pad_mode="same", padding=0, dilation=1,
             group=2, has_bias=True, weight_init="normal", bias_init="zeros", data_format="NCHW")

junk = st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.integers(-3, 0),
                 st.text(max_size=6), st.lists(st.integers(-2, 3), max_size=4).map(tuple),
                 st.lists(st.integers(1, 3), max_size=3), st.complex_numbers(), st.just(object()),
                 st.just(ms.Tensor(np.ones((2, 2)), ms.float32)))


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(VALID)), junk)
def test_junk_constructor_arguments_raise_teaching_errors(argument, value):
    kwargs = dict(VALID, **{argument: value})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nn.Conv2d(**kwargs)
    except (TypeError, ValueError, RuntimeError) as error:
        named = {"group": ("group",), "in_channels": ("in_channels", "group"),
                 "out_channels": ("out_channels", "group")}.get(argument, (argument,))
        assert any(f"'{name}'" in str(error) or f"{name} init" in str(error) for name in named), str(error)


forward_junk = st.one_of(
    st.none(), st.integers(), st.text(max_size=4), st.lists(st.floats(), max_size=3),
    st.just(np.ones((1, 2, 5, 5), np.float32)),
    st.lists(st.integers(0, 4), min_size=0, max_size=5).map(
        lambda shape: ms.Tensor(np.ones(shape, np.float32))),
    st.sampled_from([np.bool_, np.int32, np.float16, np.float64]).map(
        lambda t: ms.Tensor(np.ones((1, 2, 3, 3), t))))


@settings(max_examples=60, deadline=None)
@given(forward_junk)
def test_junk_forward_input_leaves_parameters_unchanged(x):
    net = nn.Conv2d(2, 4, 3, pad_mode="valid", has_bias=True, bias_init="normal")
    before = [p.asnumpy().copy() for p in net.get_parameters()]
    try:
        out = net(x)
    except (TypeError, ValueError, RuntimeError) as error:
        assert "'x'" in str(error), str(error)
    else:
        assert out.shape[:2] == (x.shape[0], 4)
    for old, param in zip(before, net.get_parameters()):
        assert old.tobytes() == param.asnumpy().tobytes()
