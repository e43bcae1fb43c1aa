"""Theoretical laws of initialised weights: mean, std, support, density and exact values.

Each law is derived from the initializer's definition, not read back from the sampler, so a test
that compares it with a large sample checks the engine too. Pure NumPy + math.

>>> law = uniform_theory(0.5)
>>> law.mean, round(law.std, 4), law.low, law.high
(0.0, 0.2887, -0.5, 0.5)
"""

import math
from dataclasses import dataclass

import numpy as np

from ..i18n import _

__all__ = ["Theory", "atoms_theory", "uniform_theory", "normal_theory", "truncated_theory",
           "orthogonal_theory", "sparse_theory", "bilinear_kernel", "truncated_moments"]

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


@dataclass(frozen=True)
class Theory:
    """The law of one weight drawn by an initializer.

    Attributes:
        kind (str): 'continuous' (a density), 'deterministic' (exact values), 'structured' (values
            fixed by a matrix structure: identity, Dirac, orthogonal) or 'mixed' (a density plus
            exact values, e.g. Sparse's zeros).
        law (str): a short description with the numbers, e.g. 'uniform on [-0.4714, 0.4714]'.
        mean, std (float): the theoretical mean and standard deviation of one weight.
        low, high (float): the support's bounds (+-inf when unbounded).
        atoms (tuple): ``(value, share)`` pairs: the fraction of weights exactly equal to value.
        pdf (callable): the density of the continuous part (it integrates to 1 - sum of shares),
            or None.
    """
    kind: str
    law: str
    mean: float
    std: float
    low: float
    high: float
    atoms: tuple = ()
    pdf: object = None

    def curve(self, low, high, points=400):
        """``(x, y)`` of the density over [low, high], with vertical sides at finite bounds."""
        if self.pdf is None:
            return np.empty(0), np.empty(0)
        low, high = float(low), float(high)          # float32 histogram edges would round the grid
        start, stop = max(low, self.low), min(high, self.high)
        if not start < stop:
            return np.empty(0), np.empty(0)
        x = np.linspace(start, stop, points)
        y = self.pdf(x)
        if math.isfinite(self.low) and self.low >= low:
            x, y = np.r_[self.low, x], np.r_[0.0, y]
        if math.isfinite(self.high) and self.high <= high:
            x, y = np.r_[x, self.high], np.r_[y, 0.0]
        return x, y


def atoms_theory(pairs, law, kind="deterministic"):
    """A law made only of exact values: ``pairs`` of (value, share), shares summing to 1."""
    pairs = tuple((float(v), float(p)) for v, p in pairs if p > 0)
    mean = sum(v * p for v, p in pairs)
    std = math.sqrt(max(0.0, sum(p * (v - mean) ** 2 for v, p in pairs)))
    values = [v for v, _ in pairs]
    return Theory(kind, law, mean, std, min(values), max(values), pairs)


def uniform_theory(bound):
    """U(-bound, bound): density 1 / (2 bound), std bound / sqrt(3)."""
    bound = float(bound)
    if bound == 0:
        return atoms_theory(((0.0, 1.0),), _("constant 0 (zero width)"))
    height = 1.0 / (2 * bound)

    def pdf(x):
        return np.where(np.abs(x) <= bound, height, 0.0)
    law = _("uniform on [{low:.4g}, {high:.4g}]").format(low=-bound, high=bound)
    return Theory("continuous", law, 0.0, bound / math.sqrt(3), -bound, bound, (), pdf)


def normal_theory(mean, sigma):
    """N(mean, sigma^2), unbounded."""
    mean, sigma = float(mean), float(sigma)
    if sigma == 0:
        return atoms_theory(((mean, 1.0),), _("constant {value:g} (sigma 0)").format(value=mean))

    def pdf(x):
        z = (x - mean) / sigma
        return np.exp(-0.5 * z * z - _LOG_SQRT_2PI) / sigma
    law = _("normal N({mean:.4g}, {sigma:.4g}\u00b2)").format(mean=mean, sigma=sigma)
    return Theory("continuous", law, mean, sigma,
                  -math.inf, math.inf, (), pdf)


def _log_phi(x):
    return -0.5 * x * x - _LOG_SQRT_2PI


def _log_upper_tail(x):
    """log P(Z > x) for a standard normal Z, accurate far in the tail (x up to thousands)."""
    if x == math.inf:
        return -math.inf
    if x < 30:
        return math.log(0.5 * math.erfc(x / math.sqrt(2)))
    series = 1 - 1 / x ** 2 + 3 / x ** 4 - 15 / x ** 6      # Mills-ratio asymptotic series
    return _log_phi(x) - math.log(x) + math.log(series)


def _log_mass(alpha, beta):
    """log P(alpha <= Z <= beta), stable when the interval lies far in a tail."""
    if alpha >= 0:
        upper_a, upper_b = _log_upper_tail(alpha), _log_upper_tail(beta)
        return upper_a + math.log1p(-math.exp(upper_b - upper_a))
    if beta <= 0:
        return _log_mass(-beta, -alpha)
    return math.log(0.5 * (math.erf(beta / math.sqrt(2)) - math.erf(alpha / math.sqrt(2))))


def _simpson(y, h):
    return h / 3 * (y[0] + y[-1] + 4 * y[1:-1:2].sum() + 2 * y[2:-1:2].sum())


def _far_tail_moments(alpha, beta):
    """Moments for alpha >= 30, where the closed form cancels catastrophically.

    With z = alpha + t the density is proportional to exp(-alpha t - t^2 / 2) on
    [0, beta - alpha]: t lives on the scale 1 / alpha and is integrated numerically (Simpson).
    """
    length = min(beta - alpha, 60.0 / alpha)
    t = np.linspace(0.0, length, 4001)
    h = t[1] - t[0]
    weight = np.exp(-alpha * t - 0.5 * t * t)
    area = _simpson(weight, h)
    mean = _simpson(t * weight, h) / area
    variance = _simpson((t - mean) ** 2 * weight, h) / area
    return alpha + float(mean), math.sqrt(variance), _log_phi(alpha) + math.log(area)


def truncated_moments(alpha, beta):
    """(mean, std, log mass) of a standard normal restricted to [alpha, beta].

    mean = (phi(a) - phi(b)) / Z, var = 1 + (a phi(a) - b phi(b)) / Z - mean^2, with
    Z = Phi(b) - Phi(a); each ratio is formed in log space so tails do not underflow, and an
    interval more than 30 standard deviations out is integrated directly.
    """
    if alpha >= 30:
        return _far_tail_moments(alpha, beta)
    if beta <= -30:
        mean, std, log_mass = _far_tail_moments(-beta, -alpha)
        return -mean, std, log_mass
    log_mass = _log_mass(alpha, beta)
    ratio_a = 0.0 if alpha == -math.inf else math.exp(_log_phi(alpha) - log_mass)
    ratio_b = 0.0 if beta == math.inf else math.exp(_log_phi(beta) - log_mass)
    mean = ratio_a - ratio_b
    edge = (alpha * ratio_a if ratio_a else 0.0) - (beta * ratio_b if ratio_b else 0.0)
    return mean, math.sqrt(max(0.0, 1 + edge - mean * mean)), log_mass


def truncated_theory(mean, sigma, low, high):
    """N(mean, sigma^2) restricted (redrawn, not clipped) to [low, high]."""
    mean, sigma, low, high = float(mean), float(sigma), float(low), float(high)
    z_mean, z_std, log_mass = truncated_moments((low - mean) / sigma, (high - mean) / sigma)

    def pdf(x):
        z = (x - mean) / sigma
        inside = (x >= low) & (x <= high)
        return np.where(inside, np.exp(-0.5 * z * z - _LOG_SQRT_2PI - log_mass) / sigma, 0.0)
    law = _("N({mean:.4g}, {sigma:.4g}\u00b2) cut to [{low:.4g}, {high:.4g}]").format(mean=mean, sigma=sigma, low=low,
                                                                                  high=high)
    return Theory("continuous", law, mean + sigma * z_mean, sigma * z_std, low, high, (), pdf)


def orthogonal_theory(gain, rows, cols, exact=True):
    """gain x a random (semi-)orthogonal (rows, cols) matrix.

    Its longer side has length n = max(rows, cols); every row (rows <= cols) or column is a unit
    vector uniform on the sphere of R^n times gain, so one entry w has E[w] = 0,
    E[w^2] = gain^2 / n exactly, |w| <= gain, and density
    Gamma(n/2) / (sqrt(pi) Gamma((n-1)/2)) (1 - u^2)^((n-3)/2) / gain with u = w / gain.
    ``exact`` False (Gluon's orthogonal from a uniform matrix) marks the density as approximate.
    """
    gain, n = abs(float(gain)), max(rows, cols)
    if gain == 0:
        return atoms_theory(((0.0, 1.0),), _("constant 0 (gain 0)"), "structured")
    if n == 1:
        return atoms_theory(((-gain, 0.5), (gain, 0.5)), _("+-{gain:.4g} (a 1x1 orthogonal matrix)").format(gain=gain),
                            "structured")
    log_c = math.lgamma(n / 2) - math.lgamma((n - 1) / 2) - 0.5 * math.log(math.pi) - math.log(gain)

    def pdf(x):
        u = np.clip(np.abs(np.asarray(x, np.float64)) / gain, 0.0, 1.0 - 1e-9)
        inside = np.abs(x) <= gain
        return np.where(inside, np.exp(log_c + 0.5 * (n - 3) * np.log1p(-u * u)), 0.0)
    law = _("orthogonal, norm {gain:.4g}: {approx}sphere marginal (n={n})").format(
        gain=gain, approx="" if exact else "~", n=n)
    return Theory("structured", law, 0.0, gain / math.sqrt(n), -gain, gain, (), pdf)


def sparse_theory(zero_share, sigma):
    """N(0, sigma^2) with a share ``zero_share`` of the weights set exactly to 0."""
    sigma, zero_share = float(sigma), float(zero_share)
    if sigma == 0 or zero_share >= 1:
        return atoms_theory(((0.0, 1.0),), _("all zero"), "mixed")
    keep = 1.0 - zero_share
    normal = normal_theory(0.0, sigma)

    def pdf(x):
        return keep * normal.pdf(x)
    law = _("N(0, {sigma:.4g}\u00b2) with {share:.0f} % exact zeros").format(sigma=sigma, share=100 * zero_share)
    atoms = ((0.0, zero_share),) if zero_share > 0 else ()
    return Theory("mixed", law, 0.0, sigma * math.sqrt(keep), -math.inf, math.inf, atoms, pdf)


def bilinear_kernel(height, width):
    """The (height, width) bilinear-upsampling kernel of MXNet's Bilinear initializer.

    f = ceil(width / 2), c = (2f - 1 - f % 2) / (2f); entry (y, x) is
    (1 - |x / f - c|) (1 - |y / f - c|).
    """
    f = math.ceil(width / 2.0)
    c = (2 * f - 1 - f % 2) / (2.0 * f)
    return np.outer(1 - np.abs(np.arange(height) / f - c), 1 - np.abs(np.arange(width) / f - c))
