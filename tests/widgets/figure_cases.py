"""Figure descriptions for the browser tests of the renderer (widgets/src/): every mark and the hard values.

Each case is a plain description (docs/figure-format.md) whose panel ids start with the case's
name, so a test finds its drawing by ``data-panel``. The browser test pastes this file's source
into its notebook, so it needs nothing but NumPy.

>>> sorted(CASES) == sorted(["marks", "nonfinite", "nothing", "equal", "single", "grid64", "log"])
True
>>> [p["id"] for p in CASES["grid64"]["panels"]][:2]
['grid64-0', 'grid64-1']
"""

import numpy as np

_RNG = np.random.default_rng(7)
_BLUE, _RED, _ORANGE, _GREY = "#1f77b4", "#d62728", "#ff7f0e", "#7f7f7f"


def _panel(pid, box, *marks, **options):
    return dict({"id": pid, "box": box, "marks": list(marks), "grid": True}, **options)


def _figure(alt, *panels, width=1100, height=380, **options):
    return dict({"width": width, "height": height, "alt": alt, "panels": list(panels)}, **options)


def _hist(samples, bins=30, **mark):
    heights, edges = np.histogram(samples, bins=bins, density=True)
    return dict({"type": "stairs", "edges": edges, "heights": heights, "color": _BLUE, "alpha": 0.55}, **mark)


def _line(x, y, **mark):
    return dict({"type": "line", "x": np.asarray(x, float), "y": np.asarray(y, float), "color": _RED,
                 "width": 2.0}, **mark)


def marks():
    """Every mark type, every legend placement, a colour bar, figure-level text and legend."""
    x = np.linspace(-3, 3, 121)
    hist = _panel("marks-hist", [0.06, 0.16, 0.36, 0.66],
                  _hist(_RNG.normal(size=4000)), _line(x, np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)),
                  {"type": "rule", "axis": "x", "value": 0.0, "color": _GREY, "width": 1.2, "dash": "dashed"},
                  {"type": "rule", "axis": "y", "value": 0.2, "color": _GREY, "width": 1.0},
                  {"type": "text", "text": "mean 0.00\nstd 1.00", "x": 0.97, "y": 0.95, "coords": "axes",
                   "align": "right", "valign": "top", "box": True, "size": 12},
                  {"type": "text", "text": "peak", "x": 0.0, "y": 0.42, "coords": "data", "color": _RED,
                   "align": "center", "valign": "bottom"},
                  title="stairs, line, rules, texts", xlabel="weight value", ylabel="probability density",
                  legend={"items": [{"label": "sample", "color": _BLUE, "kind": "patch", "alpha": 0.55},
                                    {"label": "theory", "color": _RED, "kind": "line"}], "loc": "upper left"})
    steps = np.arange(1, 21)
    curve = _panel("marks-curve", [0.50, 0.16, 0.20, 0.58],
                   _line(steps, 1 / steps, dash="dashed", marker="o", size=6, label="loss"),
                   _line(steps, 0.5 / steps, color=_ORANGE, dash="dotted", marker="s", label="val"),
                   _line(steps[::4], 0.8 / steps[::4], color=_BLUE, width=0, marker="D", size=7),
                   title="dash and markers", xlabel="step", ylabel="loss",
                   legend={"items": [{"label": "loss", "color": _RED, "kind": "line", "dash": "dashed", "marker": "o"},
                                     {"label": "val", "color": _ORANGE, "kind": "line", "dash": "dotted"},
                                     {"label": "points", "color": _BLUE, "kind": "marker", "marker": "D"}],
                           "loc": "above", "columns": 3, "size": 11})
    image = _panel("marks-image", [0.78, 0.16, 0.12, 0.66],
                   {"type": "image", "values": _RNG.normal(size=(6, 6)), "cmap": "PuOr", "vmin": -2.0, "vmax": 2.0},
                   title="image", grid=False, colorbar={"cmap": "PuOr", "vmin": -2.0, "vmax": 2.0, "label": "weight"})
    return _figure("Every mark: a normal sample's histogram with its density, two curves, a 6 by 6 image",
                   hist, curve, image,
                   texts=[{"text": "verdict: the sample follows its law", "x": 0.5, "y": 0.99, "align": "center",
                           "valign": "top", "size": 13}],
                   legend={"items": [{"label": "figure legend", "color": _GREY, "kind": "patch"}],
                           "x": 0.005, "y": 0.995, "columns": 1})


def nonfinite():
    """NaN and +-inf in a line, a histogram and an image: breaks, empty cells, hatched pixels."""
    y = np.linspace(0.0, 1.0, 40)
    y[[5, 6, 20]] = np.nan
    y[30], y[31] = np.inf, -np.inf
    heights = np.abs(_RNG.normal(size=20))
    heights[[3, 12]] = np.inf, np.nan
    values = _RNG.normal(size=(8, 8))
    values[2, 3], values[5, 5], values[0, 0] = np.nan, np.inf, -np.inf
    return _figure("NaN and infinity: an exploding network; 8 values not drawn",
                   _panel("nonfinite-line", [0.06, 0.15, 0.4, 0.7], _line(np.arange(40), y), title="line with NaN, inf"),
                   _panel("nonfinite-stairs", [0.53, 0.15, 0.2, 0.7],
                          {"type": "stairs", "edges": np.linspace(0, 1, 21), "heights": heights, "color": _BLUE,
                           "alpha": 0.55}, title="stairs with inf, NaN"),
                   _panel("nonfinite-image", [0.79, 0.15, 0.15, 0.7],
                          {"type": "image", "values": values, "cmap": "viridis"}, title="image", grid=False,
                          colorbar={"cmap": "viridis", "vmin": -2.0, "vmax": 2.0}))


def nothing():
    """No finite value at all (a learning rate of 10): an empty frame and a note."""
    return _figure("The loss is not a number: nothing to draw",
                   _panel("nothing-loss", [0.12, 0.15, 0.8, 0.7], _line(np.arange(5), np.full(5, np.nan)),
                          title="loss", xlabel="step"), width=500, height=300)


def equal():
    """All-equal samples: the range is widened around the value and noted."""
    return _figure("All 500 samples equal 0.5",
                   _panel("equal-hist", [0.12, 0.15, 0.8, 0.7], _hist(np.full(500, 0.5), bins=10),
                          title="all-equal sample", xlabel="value"), width=500, height=300)


def single():
    """A single weight: one bin and one point."""
    return _figure("A single weight, 0.3",
                   _panel("single-hist", [0.08, 0.15, 0.4, 0.7],
                          {"type": "stairs", "edges": np.array([0.3, 0.3]), "heights": np.array([1.0]),
                           "color": _BLUE}, title="one weight"),
                   _panel("single-point", [0.58, 0.15, 0.4, 0.7], _line([0.3], [0.3], width=0, marker="o"),
                          title="one point"), width=600, height=300)


def grid64():
    """A 64-channel feature map: 8 x 8 image tiles without frames, one colour bar."""
    panels = []
    for k in range(64):
        row, col = divmod(k, 8)
        tile = _RNG.normal(size=(12, 12))
        if k == 63:
            tile[4:8, 4:8] = np.nan
        panels.append(_panel(f"grid64-{k}", [0.02 + col * 0.105, 0.9 - (row + 1) * 0.11, 0.1, 0.1],
                             {"type": "image", "values": tile, "cmap": "viridis", "vmin": -2.5, "vmax": 2.5},
                             frame=False, grid=False))
    panels[7]["colorbar"] = {"cmap": "viridis", "vmin": -2.5, "vmax": 2.5, "label": "activation"}
    return _figure("64 feature maps of 12 by 12; one has 16 NaN", *panels, width=900, height=900,
                   texts=[{"text": "conv1: 64 channels", "x": 0.02, "y": 0.99, "size": 14}])


def log():
    """Log axes with zeros in the data: the zeros are left out, the rest is drawn."""
    steps = np.arange(0, 50, dtype=float)
    loss = np.exp(-steps / 8)
    loss[[0, 10]] = 0.0
    heights = np.array([0.0, 1e-3, 1e-2, 0.1, 0.0, 1.0, 3.0])
    return _figure("Loss on a log axis, two zeros left out",
                   _panel("log-loss", [0.08, 0.15, 0.4, 0.7], _line(steps, loss, marker="o", size=4),
                          title="log y with zeros", y={"scale": "log"}, xlabel="step"),
                   _panel("log-hist", [0.58, 0.15, 0.38, 0.7],
                          {"type": "stairs", "edges": np.logspace(-3, 4, 8), "heights": heights, "color": _BLUE},
                          title="log x and y", x={"scale": "log"}, y={"scale": "log"}), width=800, height=320)


CASES = {"marks": marks(), "nonfinite": nonfinite(), "nothing": nothing(), "equal": equal(),
         "single": single(), "grid64": grid64(), "log": log()}
