"""Distributions of the random initializers: bounds exactly, moments and CDFs statistically.

Every statistical check allows 5 standard errors of the estimate it tests. With the seed fixed by
conftest the outcome is deterministic; 5 standard errors means a correct sampler would fail a given
check with probability below 1e-6 for any seed, while a wrong scale (even by 1 %) fails at once.

- mean of n values: standard error sigma / sqrt(n);
- standard deviation: sigma * sqrt((kurtosis - 1) / (4 n)) (delta method); kurtosis 3 is used for
  every distribution here (normal 3, uniform 1.8, truncated normal less), which only widens it;
- a CDF value p at a point: sqrt(p (1 - p) / n) (binomial).

Where torch is importable, the same quantities are compared with torch.nn.init (our oracle).
"""

import math

import numpy as np
import pytest
from tests._requires import require

import sporelab as ms
from sporelab.common import _fan
from sporelab.common.initializer import (
    Dirac, HeNormal, HeUniform, Identity, Normal, Orthogonal, Sparse, TruncatedNormal, Uniform,
    VarianceScaling, XavierNormal, XavierUniform, initializer)

N = 10 ** 6
SQRT2 = math.sqrt(2)


def draw(init, shape=(N,), dtype=ms.float32):
    return initializer(init, list(shape), dtype).asnumpy().astype(np.float64).ravel()


def phi(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi) if math.isfinite(x) else 0.0


def cdf(x):
    return 0.5 * math.erfc(-x / SQRT2)


def sf(x):
    return 0.5 * math.erfc(x / SQRT2)


def assert_moments(x, mean, std):
    se_mean, se_std = std / math.sqrt(x.size), std * math.sqrt(2 / (4 * x.size))
    assert abs(x.mean() - mean) <= 5 * se_mean, (x.mean(), mean)
    assert abs(x.std() - std) <= 5 * se_std, (x.std(), std)


def assert_cdf(x, points, cdf_at):
    for point in points:
        p = cdf_at(point)
        tolerance = 5 * math.sqrt(max(p * (1 - p), 1e-12) / x.size) + 1e-7
        assert abs(np.mean(x <= point) - p) <= tolerance, (point, np.mean(x <= point), p)


def truncated(alpha, beta):
    """Mean, standard deviation and CDF of N(0, 1) restricted to [alpha, beta].

    Tail masses use erfc on the near side, so intervals far from 0 keep their precision.
    """
    if alpha >= 0:
        z = sf(alpha) - sf(beta)
        mass_below = lambda x: sf(alpha) - sf(x)
    else:
        z = cdf(beta) - cdf(alpha)
        mass_below = lambda x: cdf(x) - cdf(alpha)
    mean = (phi(alpha) - phi(beta)) / z
    a_term = alpha * phi(alpha) if math.isfinite(alpha) else 0.0
    b_term = beta * phi(beta) if math.isfinite(beta) else 0.0
    var = 1 + (a_term - b_term) / z - mean ** 2
    return mean, math.sqrt(var), lambda x: min(max(mass_below(x) / z, 0.0), 1.0)


# ---- normal and uniform ---------------------------------------------------------------------------

@pytest.mark.parametrize("sigma, mean", [(0.01, 0.0), (2.0, 3.0), (1.0, -0.5)])
def test_normal_moments_and_cdf(sigma, mean):
    x = draw(Normal(sigma=sigma, mean=mean))
    assert_moments(x, mean, sigma)
    assert_cdf(x, [mean + q * sigma for q in (-3, -2, -1, -0.3, 0, 0.7, 1, 2, 3)],
               lambda t: cdf((t - mean) / sigma))


def test_normal_float64_moments():
    assert_moments(draw(Normal(sigma=1.5), dtype=ms.float64), 0.0, 1.5)


def test_normal_with_sigma_zero_is_the_mean():
    assert np.all(draw(Normal(sigma=0, mean=0.25), shape=(10,)) == 0.25)


@pytest.mark.parametrize("scale", [0.07, 0.3, 5.0])
def test_uniform_bounds_moments_and_cdf(scale):
    x = draw(Uniform(scale))
    assert np.abs(x).max() <= scale
    assert x.max() > scale * (1 - 1e-4) and x.min() < -scale * (1 - 1e-4)
    assert_moments(x, 0.0, scale / math.sqrt(3))
    assert_cdf(x, np.linspace(-0.9, 0.9, 7) * scale, lambda t: (t + scale) / (2 * scale))


def test_uniform_bound_holds_in_float64_too():
    x = draw(Uniform(0.1), dtype=ms.float64)
    assert np.abs(x).max() <= 0.1 and x.max() > 0.1 * (1 - 1e-4)


# ---- fan-scaled -----------------------------------------------------------------------------------

def test_xavier_uniform_bound_and_std():
    x = draw(XavierUniform(gain=2.0), shape=(1000, 1000))
    bound = 2.0 * math.sqrt(6 / 2000)
    assert np.abs(x).max() <= bound and np.abs(x).max() > bound * (1 - 1e-4)
    assert_moments(x, 0.0, bound / math.sqrt(3))


def test_xavier_normal_std():
    assert_moments(draw(XavierNormal(gain=1.5), shape=(1000, 10, 10)), 0.0, 1.5 * math.sqrt(2 / 10100))


def test_he_uniform_default_and_pytorch_layer_bound():
    x = draw(HeUniform(), shape=(500, 200, 3, 3))
    bound = math.sqrt(6 / 1800)
    assert np.abs(x).max() <= bound and np.abs(x).max() > bound * (1 - 1e-4)
    y = draw(HeUniform(negative_slope=math.sqrt(5)), shape=(500, 200, 3, 3))
    assert np.abs(y).max() <= 1 / math.sqrt(1800) and np.abs(y).max() > (1 - 1e-4) / math.sqrt(1800)
    assert_moments(y, 0.0, 1 / math.sqrt(1800) / math.sqrt(3))


def test_he_normal_fan_out_relu_std():
    x = draw(HeNormal(mode="FAN_OUT", nonlinearity="relu"), shape=(500, 200, 3, 3))
    assert_moments(x, 0.0, SQRT2 / math.sqrt(4500))


# ---- truncated normal --------------------------------------------------------------------------

def test_truncated_normal_default_cuts_at_two_sigma_around_the_mean():
    sigma, mean = 0.5, 1.0
    x = draw(TruncatedNormal(sigma=sigma, mean=mean))
    assert x.min() >= mean - 2 * sigma and x.max() <= mean + 2 * sigma
    m, s, f = truncated(-2.0, 2.0)
    assert_moments(x, mean + sigma * m, sigma * s)
    assert abs(s - 0.87962566103423978) < 1e-12
    assert_cdf(x, [mean + q * sigma for q in (-1.9, -1, 0, 0.5, 1.5, 1.99)],
               lambda t: f((t - mean) / sigma))


def test_truncated_normal_default_sigma_bound_is_exact():
    x = draw(TruncatedNormal())
    assert np.abs(x).max() <= 0.02 and np.abs(x).max() > 0.0199


@pytest.mark.parametrize("a, b", [
    (-1.0, 3.0),                 # wide: plain normals, redraw the rest
    (-0.05, 0.1),                # narrow around 0: uniform proposal
    (3.0, 4.0),                  # short tail interval
    (2.0, math.inf),             # one-sided tail: exponential proposal
    (-math.inf, -2.5),           # the mirror image
    (8.0, 8.5),                  # far in the tail
])
def test_truncated_normal_absolute_bounds(a, b):
    sigma, mean = 1.0, 0.0
    x = draw(TruncatedNormal(sigma=sigma, mean=mean, a=a, b=b), dtype=ms.float64)
    assert x.min() >= a and x.max() <= b
    m, s, f = truncated(a, b)
    assert_moments(x, m, s)
    lo, hi = max(a, m - 3 * s), min(b, m + 3 * s)
    assert_cdf(x, np.linspace(lo, hi, 6)[1:-1], f)


def test_truncated_normal_absolute_bounds_with_scale_and_shift():
    x = draw(TruncatedNormal(sigma=0.2, mean=0.1, a=0.0, b=0.3))
    assert x.min() >= 0.0 and x.max() <= 0.3
    m, s, _ = truncated(-0.5, 1.0)
    assert_moments(x, 0.1 + 0.2 * m, 0.2 * s)


def test_truncated_normal_r2_default_bounds_barely_cut():
    x = draw(TruncatedNormal(sigma=0.01, a=-2.0, b=2.0))
    assert_moments(x, 0.0, 0.01)


# ---- variance scaling ---------------------------------------------------------------------------

@pytest.mark.parametrize("mode, shape, n", [("fan_in", (1000, 1000), 1000),
                                            ("fan_out", (2000, 500), 2000),
                                            ("fan_avg", (500, 2000), 1250)])
def test_variance_scaling_distributions(mode, shape, n):
    std = math.sqrt(2.0 / n)
    uniform = draw(VarianceScaling(2.0, mode, "uniform"), shape)
    assert np.abs(uniform).max() <= math.sqrt(3) * std
    assert_moments(uniform, 0.0, std)
    normal = draw(VarianceScaling(2.0, mode, "untruncated_normal"), shape)
    assert_moments(normal, 0.0, std)
    assert np.abs(normal).max() > 3 * std
    cut = draw(VarianceScaling(2.0, mode, "truncated_normal"), shape)
    assert np.abs(cut).max() <= 2 * std / 0.87962566103423978
    assert_moments(cut, 0.0, std)        # the 0.8796 correction restores the variance


# ---- sparse -------------------------------------------------------------------------------------

def test_sparse_nonzeros_have_sigma():
    w = draw(Sparse(sparsity=0.25, sigma=0.5), shape=(1000, 1000))
    assert_moments(w[w != 0], 0.0, 0.5)


# ---- PyTorch oracle -------------------------------------------------------------------------------

GAIN_CASES = [("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
              ("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None),
              ("sigmoid", None), ("tanh", None), ("relu", None), ("selu", None),
              ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0), ("leaky_relu", 5),
              ("leaky_relu", math.sqrt(5))]


def test_calculate_gain_matches_torch():
    torch = require("torch")
    for nonlinearity, param in GAIN_CASES:
        expected = torch.nn.init.calculate_gain(nonlinearity, param)
        assert _fan.calculate_gain(nonlinearity, param) == pytest.approx(expected, rel=1e-15)


def test_fans_match_torch():
    torch = require("torch")
    for shape in [(3, 4), (64, 3, 3, 3), (8, 4, 5), (2, 3, 4, 5, 6), (7, 1)]:
        expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
        assert _fan.calculate_fan_in_and_fan_out(shape) == tuple(expected)
    with pytest.raises(ValueError):
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(3))
    with pytest.raises(ValueError):
        _fan.calculate_fan_in_and_fan_out((3,))


def _torch_sample(torch, fill, shape):
    torch.manual_seed(0)
    t = torch.empty(shape)
    fill(t)
    return t.double().numpy().ravel()


@pytest.mark.parametrize("slope, mode, nonlinearity", [(0, "fan_in", "leaky_relu"),
                                                       (math.sqrt(5), "fan_in", "leaky_relu"),
                                                       (0, "fan_out", "relu"), (0, "fan_in", "tanh")])
def test_kaiming_matches_torch(slope, mode, nonlinearity):
    torch = require("torch")
    shape = (500, 200, 3, 3)
    kwargs = dict(mode=mode, nonlinearity=nonlinearity)
    theirs = _torch_sample(torch, lambda t: torch.nn.init.kaiming_normal_(t, a=slope, **kwargs), shape)
    ours = draw(HeNormal(slope, **kwargs), shape)
    # Two independent estimates: the difference has sqrt(2) times one standard error.
    assert abs(ours.std() - theirs.std()) <= 5 * SQRT2 * theirs.std() / math.sqrt(2 * ours.size)
    theirs = _torch_sample(torch, lambda t: torch.nn.init.kaiming_uniform_(t, a=slope, **kwargs), shape)
    ours = draw(HeUniform(slope, **kwargs), shape)
    assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=2e-4)
    assert np.abs(theirs).max() <= np.abs(ours).max() * (1 + 2e-4)


def test_xavier_matches_torch():
    torch = require("torch")
    shape = (300, 400, 3)
    theirs = _torch_sample(torch, lambda t: torch.nn.init.xavier_uniform_(t, gain=1.7), shape)
    ours = draw(XavierUniform(1.7), shape)
    assert np.abs(ours).max() == pytest.approx(np.abs(theirs).max(), rel=2e-4)
    theirs = _torch_sample(torch, lambda t: torch.nn.init.xavier_normal_(t, gain=1.7), shape)
    ours = draw(XavierNormal(1.7), shape)
    assert abs(ours.std() - theirs.std()) <= 5 * SQRT2 * theirs.std() / math.sqrt(2 * ours.size)


@pytest.mark.parametrize("mean, std, a, b", [(0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 4.0),
                                             (0.0, 1.0, 1.0, 3.0), (0.0, 0.01, -2.0, 2.0)])
def test_trunc_normal_matches_torch_with_absolute_bounds(mean, std, a, b):
    torch = require("torch")
    fill = lambda t: torch.nn.init.trunc_normal_(t, mean=mean, std=std, a=a, b=b)
    theirs = _torch_sample(torch, fill, (N,))
    ours = draw(TruncatedNormal(sigma=std, mean=mean, a=a, b=b))
    assert ours.min() >= a and ours.max() <= b
    assert theirs.min() >= a and theirs.max() <= b
    spread = theirs.std()
    assert abs(ours.mean() - theirs.mean()) <= 5 * SQRT2 * spread / math.sqrt(N)
    assert abs(ours.std() - spread) <= 5 * SQRT2 * spread / math.sqrt(2 * N)


@pytest.mark.parametrize("shape, groups", [((6, 4, 3, 3), 2), ((4, 4, 5), 1), ((8, 2, 3, 3, 3), 4)])
def test_dirac_equals_torch(shape, groups):
    torch = require("torch")
    expected = torch.nn.init.dirac_(torch.empty(shape), groups=groups).numpy()
    assert np.array_equal(initializer(Dirac(groups), list(shape)).asnumpy(), expected)


def test_identity_equals_torch_eye():
    torch = require("torch")
    for shape in [(3, 5), (5, 3)]:
        assert np.array_equal(initializer(Identity(), list(shape)).asnumpy(),
                              torch.nn.init.eye_(torch.empty(shape)).numpy())


def test_orthogonal_has_torchs_singular_values():
    torch = require("torch")
    for shape in [(6, 10), (10, 6), (4, 3, 2, 2)]:
        theirs = torch.nn.init.orthogonal_(torch.empty(shape), gain=1.5).double().numpy()
        ours = initializer(Orthogonal(1.5), list(shape), ms.float64).asnumpy()
        np.testing.assert_allclose(np.linalg.svd(ours.reshape(shape[0], -1), compute_uv=False),
                                   np.linalg.svd(theirs.reshape(shape[0], -1), compute_uv=False),
                                   atol=1e-5)


def test_sparse_zero_counts_equal_torch():
    torch = require("torch")
    for sparsity, rows in [(0.1, 30), (0.33, 10), (0.5, 7)]:
        theirs = torch.nn.init.sparse_(torch.empty(rows, 20), sparsity=sparsity).numpy()
        ours = initializer(Sparse(sparsity), [rows, 20]).asnumpy()
        assert np.array_equal((ours == 0).sum(axis=0), (theirs == 0).sum(axis=0))
