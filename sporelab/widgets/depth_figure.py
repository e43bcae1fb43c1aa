"""The figure of ``DepthExplorer`` as a figure description (docs/figure-format.md): plain data that
the browser draws live and matplotlib draws for ``pane.png()``.

One description holds the model's verdict (two lines on top), a caption, a row of per-layer
activation histograms over fixed bins (at most ``PANELS``, evenly spaced layers for a deeper
stack), and three per-layer panels: the activation std (log, dashed line at the input's std 1),
the share of values in the activation's flat region, and the gradient norms (log; weights and
layer inputs, legend above the plot). No matplotlib and no ipywidgets here (a test checks).

>>> from sporelab.widgets.depth_model import DepthModel
>>> figure = figure_description(DepthModel(depth=3, width=16))
>>> [panel["id"] for panel in figure["panels"]]
['hist1', 'hist2', 'hist3', 'std', 'flat', 'grad']
"""

import math

import numpy as np

from ..i18n import N_, _
from ._palette import PALETTE
from ._ticks import short_number
from .depth_model import BINS

__all__ = ["figure_description", "axis_limits", "log_limits", "PANELS", "WIDTH", "HEIGHT"]

PANELS = 10              # histograms shown at most; deeper stacks show evenly spaced layers
WIDTH, HEIGHT = 1100, 520
_LEFT, _RIGHT = 0.06, 0.985
_HIST_BOTTOM, _HIST_HEIGHT = 0.66, 0.15
_LOW_BOTTOM, _LOW_HEIGHT = 0.1, 0.4
_TICKS = {"tanh": [-1, 0, 1], "sigmoid": [0, 0.5, 1], "relu": [0, 2, 4], "linear": [-4, 0, 4]}
_FLAT_TITLE = {"tanh": N_("Saturated: share with |a| > 0.99"), "sigmoid": N_("Saturated: a < 0.01 or a > 0.99"),
               "relu": N_("Dead: share of values with a = 0"), "linear": N_("Flat region: none for linear")}
_ACT_TEXT = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "ReLU", "linear": N_("the layer (no activation)")}
_MINUS = "\N{MINUS SIGN}"


def log_limits(series, floor, ceil, previous=None):
    """Log-axis limits as decade exponents, in steps of 3 decades, covering the finite positive
    values of ``series`` and at least [floor, ceil].

    ``previous`` limits are kept while they hold the data and the data fill at least half of them:
    small moves (another seed, a nearby sigma) leave the axis as it was; a big change rescales.

    >>> log_limits([[0.5, 2e-4]], -3, 1)
    (-6, 1)
    >>> log_limits([[0.5]], -3, 1, previous=(-6, 1)), log_limits([[0.5]], -3, 1, previous=(-12, 1))
    ((-6, 1), (-3, 1))
    """
    values = np.concatenate([np.ravel(np.asarray(s, dtype=float)) for s in series])
    values = values[np.isfinite(values) & (values > 0)]
    low, high = floor, ceil
    if values.size:
        low = min(low, 3 * math.floor(math.log10(values.min()) / 3))
        high = max(high, 3 * math.ceil(math.log10(values.max()) / 3))
    inside = previous is not None and previous[0] <= low and high <= previous[1]
    if inside and 2 * (high - low) >= previous[1] - previous[0]:
        return tuple(previous)
    return low, high


def _plain(value):
    return f"{value:g}".replace("-", _MINUS)


def _log_axis(low, high):
    step = 1 if high - low <= 6 else 3 if high - low <= 15 else 6
    ticks = [10.0 ** e for e in range(low, high + 1) if e % step == 0]
    return {"scale": "log", "lim": [10.0 ** low, 10.0 ** high], "ticks": ticks,
            "labels": [short_number(t).replace("-", _MINUS) for t in ticks]}


def _layer_axis(n):
    """x axis of the per-layer panels: layers 1..n, at most 6 integer ticks."""
    step = next(s for s in (1, 2, 5, 10, 20, 50) if n // s + 1 <= 6)
    ticks = [t for t in range(0, n + 1, step) if t >= 1] or [1]
    return {"scale": "linear", "lim": [0.5, n + 0.5], "ticks": ticks, "labels": [str(t) for t in ticks]}


def _note(text, x=0.5, y=0.5, align="center", valign="middle", size=12):
    return {"type": "text", "text": text, "x": x, "y": y, "coords": "axes", "color": PALETTE["theory"],
            "size": size, "align": align, "valign": valign, "box": True}


def _panel(pid, box, title, xlabel, ylabel, x, y, marks, grid=True, legend=None):
    """A panel; empty labels, no legend, no grid are left out (both renderers default them), which
    keeps the ten histogram panels' share of each update small."""
    panel = {"id": pid, "box": [round(v, 4) for v in box], "title": title, "x": x, "y": y, "marks": marks}
    optional = {"xlabel": xlabel, "ylabel": ylabel, "grid": grid, "legend": legend}
    return {**panel, **{key: value for key, value in optional.items() if value}}


def _hist_panel(stats, layer, slot, act):
    """The histogram of one layer: fixed bins; ReLU's a = 0 bar is cut (with a note) so the rest shows."""
    counts, total = stats.hist[layer], int(stats.samples)
    low, high, _bins = BINS[act]
    margin = 0.05 * (high - low)              # keeps the end bins clear of the frame
    top, marks = float(counts.max()), [{
        "type": "stairs", "edges": stats.edges.astype(np.float32), "heights": counts.astype(np.float32),
        "color": PALETTE["sample"], "alpha": 0.85}]
    if act == "relu" and counts[1:].max() > 0.02 * max(counts.sum(), 1):
        top = float(counts[1:].max())
        if counts[0] > 1.1 * top:
            marks.append(_note(f"\N{BLACK UP-POINTING TRIANGLE}{counts[0] / total:.0%}", x=0.1, y=0.97,
                               align="left", valign="top", size=11))
    nans = int(stats.nan[layer])
    if nans:
        marks.append(_note(f"NaN: {nans / total:.0%}", size=11))
    ticks = _TICKS[act]
    x = {"scale": "linear", "lim": [low - margin, high + margin], "ticks": ticks,
         "labels": [_plain(t) if slot == 0 else "" for t in ticks]}
    y = {"scale": "linear", "lim": [0.0, 1.1 * top if top > 0 else 1.0], "hidden": True, "ticks": [],
         "labels": []}
    box = [_LEFT + slot * 0.09468, _HIST_BOTTOM, 0.07283, _HIST_HEIGHT]
    return _panel(f"hist{slot + 1}", box, _("layer {n}").format(n=layer + 1), "", _("count") if slot == 0 else "", x, y,
                  marks, grid=False)


def _zero_notes(named):
    """Notes for exact zeros (underflow, dead units), which a log axis cannot show; one line each."""
    notes = []
    for name, values in named:
        zeros = np.flatnonzero(np.asarray(values) == 0)
        if zeros.size:
            first = zeros[0] + 1
            where = (_("{name} = 0 at layer {first}") if zeros.size == 1
                     else _("{name} = 0 from layer {first} ({count} layers)"))
            notes.append(_note(where.format(name=name, first=first, count=zeros.size), x=0.03,
                               y=0.03 + 0.09 * len(notes), align="left", valign="bottom", size=11))
    return notes


def _line(x, y, color, marker, dash=None):
    return {"type": "line", "x": x, "y": np.asarray(y, dtype=np.float32), "color": color, "width": 1.5,
            "dash": dash, "marker": marker, "size": 6}


def _lower_panels(model, limits):
    stats, act, n = model.stats, model.settings["activation"], model.settings["depth"]
    layers, x = np.arange(1, n + 1, dtype=np.float32), _layer_axis(n)
    std = _panel("std", [0.075, _LOW_BOTTOM, 0.2486, _LOW_HEIGHT], _("Forward: activation std (dashed: input)"),
                 _("layer"), _("std of the activations"), x, _log_axis(*limits[0]), [
                     {"type": "rule", "axis": "y", "value": 1.0, "color": PALETTE["muted"], "width": 1.2,
                      "dash": "dashed"},
                     _line(layers, stats.std, PALETTE["sample"], "o")] + _zero_notes([("std", stats.std)]))
    flat_y = {"scale": "linear", "lim": [-3.0, 103.0], "ticks": [0, 25, 50, 75, 100],
              "labels": ["0", "25", "50", "75", "100"]}
    flat = _panel("flat", [0.4056, _LOW_BOTTOM, 0.1989, _LOW_HEIGHT], _(_FLAT_TITLE[act]),
                  _("layer (1 = next to the input)"), _("share of values (%)"), x, flat_y,
                  [_line(layers, 100 * stats.flat, PALETTE["sample"], "o")])
    weights = _line(layers, stats.weight_grad, PALETTE["gradient"], "o")
    inputs = _line(layers, stats.input_grad, PALETTE["second"], "s", "dashed")
    labels = (_("weights: ||dL/dW||"), _("layer inputs: ||dL/dx||"))
    legend = {"items": [{"label": label, "color": m["color"], "kind": "line", "dash": m["dash"],
                         "marker": m["marker"]} for label, m in zip(labels, (weights, inputs))],
              "loc": "above", "columns": 2, "size": 11}
    notes = _zero_notes([("||dL/dW||", stats.weight_grad), ("||dL/dx||", stats.input_grad)])
    grad = _panel("grad", [0.6865, _LOW_BOTTOM, 0.2984, _LOW_HEIGHT], _("Backward: gradient norms per layer"),
                  _("layer"), _("gradient norm"), x, _log_axis(*limits[1]), [weights, inputs] + notes,
                  legend=legend)
    return [std, flat, grad]


def axis_limits(stats, previous=(None, None)):
    """(std, gradient) log-axis limits as decade exponents, kept from ``previous`` when they fit."""
    return (log_limits([stats.std, 1.0], -3, 1, previous[0]),
            log_limits([stats.weight_grad, stats.input_grad], -6, 0, previous[1]))


def _texts(model, shown):
    act, n = model.settings["activation"], model.settings["depth"]
    low, high, _bins = BINS[act]
    first, _sep, second = model.verdict.partition(_("; "))
    colour = "#222222" if model.verdict_kind == "healthy" else PALETTE["theory"]
    which = (_("layers 1-{n}") if len(shown) == n else _("{shown} of {n} layers, evenly spaced")).format(
        n=n, shown=len(shown))
    clipped = ("" if act in ("tanh", "sigmoid")
               else _("; values beyond [{low:g}, {high:g}] counted at the edges").format(low=low, high=high))
    text = {"type": "text"}
    return [{**text, "text": first, "x": 0.5, "y": 0.985, "size": 18, "color": colour, "align": "center",
             "valign": "top"},
            {**text, "text": second, "x": 0.5, "y": 0.935, "size": 15, "color": "#222222", "align": "center",
             "valign": "top"},
            {**text, "text": _("Activation values after {act}, {which} (fixed bins{clipped})").format(
                act=_(_ACT_TEXT[act]), which=which, clipped=clipped),
             "x": _LEFT, "y": 0.865, "size": 14, "color": "#222222", "align": "left", "valign": "bottom"}]


def _alt(model):
    s, stats = model.settings, model.stats
    per_layer = ", ".join(short_number(v) for v in stats.std)
    n = s["depth"]
    return _("Depth explorer: {n} x {layer}({width}) with {act}, initializer {init}. Verdict: {verdict}. "
             "Activation std per layer (input 1): {per_layer}. Last layer: {flat:.0%} of its values in the flat "
             "region. Gradient norms: weights {w_top} at layer {n}, {w_bottom} at layer 1; layer inputs {x_top} at "
             "layer {n}, {x_bottom} at layer 1. {samples} activation values per layer.").format(
                 n=n, layer=s["layer"], width=s["width"], act=s["activation"], init=repr(model.initializer()),
                 verdict=model.verdict, per_layer=per_layer, flat=stats.flat[-1],
                 w_top=short_number(stats.weight_grad[-1]), w_bottom=short_number(stats.weight_grad[0]),
                 x_top=short_number(stats.input_grad[-1]), x_bottom=short_number(stats.input_grad[0]),
                 samples=stats.samples)


def figure_description(model, limits=None):
    """The description of ``model``'s figure (a ``DepthModel``, already computed).

    Args:
        model (DepthModel): its ``stats``, ``settings``, ``verdict`` are drawn.
        limits (tuple or None): the (std, gradient) log limits as decade exponents, from
            ``axis_limits``; None computes them from the data alone.

    >>> from sporelab.widgets.depth_model import DepthModel
    >>> figure = figure_description(DepthModel(depth=2, width=8))
    >>> figure["panels"][0]["title"], figure["width"]
    ('layer 1', 1100)
    """
    stats, act = model.stats, model.settings["activation"]
    shown = model.shown_layers(PANELS)
    limits = limits or axis_limits(stats)
    panels = [_hist_panel(stats, layer, slot, act) for slot, layer in enumerate(shown)]
    return {"width": WIDTH, "height": HEIGHT, "alt": _alt(model),
            "panels": panels + _lower_panels(model, limits), "texts": _texts(model, shown), "legend": None}
