"""The figure description of ``InitializerExplorer`` (docs/figure-format.md), built from ``Result``s.

One panel: the histogram of the weights as a probability density (``Result.density``), the
theoretical density on top, the support's bounds (dashed), the exact values (diamonds) and, where
a spike of exact values (Sparse's zeros) would squash the histogram, a note saying which bar the
y-axis clips. In compare mode a second initializer is drawn in orange over the first (blue) on the
same x-axis. NumPy only: no ipywidgets, no matplotlib.

>>> from sporelab.widgets.initializers_model import InitializerModel
>>> model = InitializerModel('Constant', value=0.5, out_channels=4, in_channels=2, kernel_size=1)
>>> figure = figure_description([("", model.name, model.compute())])
>>> figure["panels"][0]["title"], figure["panels"][0]["marks"][-1]["text"]
('Constant: constant 0.5', 'all 8 weights = 0.5')
"""

import math

import numpy as np

from ..i18n import _

__all__ = ["figure_description", "PALETTE", "WIDTH", "HEIGHT"]

from ._palette import PALETTE
WIDTH, HEIGHT = 1100, 380                 # CSS px: the old 11.5 x 4 inch figure
_BOX = [0.065, 0.15, 0.715, 0.7]          # the axes, left of the legend
_NOTE_SIZE = 14
# (histogram fill, theory colour, histogram alpha) of A (blue, red theory) and B (orange).
_STYLES = ((PALETTE["sample"], PALETTE["theory"], 0.55), (PALETTE["second"], PALETTE["second"], 0.4))


def _atoms_inside(result):
    """``(value, share)`` of the exact values inside the histogram's range."""
    edges = result.edges
    return [(v, p) for v, p in result.theory.atoms if edges[0] <= v <= edges[-1]]


def _peak(result):
    """The height the y-axis must show: the density's, not a spike of exact values above it."""
    density, edges = result.density, result.edges
    width = edges[1] - edges[0]
    atoms = _atoms_inside(result)
    if not result.theory.pdf:
        return max([float(density.max())] + [p / width for _, p in atoms])
    spikes = np.zeros(density.size, bool)
    for value, _weight in atoms:
        spikes[min(np.searchsorted(edges, value, "right") - 1, density.size - 1)] = True
    rest = float(density[~spikes].max()) if (~spikes).any() else 0.0
    curve = float(result.curve_y.max()) if result.curve_y.size else 0.0
    return max(rest, min(curve, 3 * rest) if rest else curve)        # an arcsine's infinite edge


def _bounds(result):
    """The finite bounds worth a dashed line: inside the range, not an orthogonal's far +-gain."""
    theory, edges = result.theory, result.edges
    return [b for b in (theory.low, theory.high) if theory.pdf and math.isfinite(b)
            and abs(b - theory.mean) <= 6 * theory.std and edges[0] <= b <= edges[-1]]


def _layer(tag, result, style, top):
    """The marks and legend items of one initializer, and the exact values ``top`` clips."""
    fill, line, alpha = style
    theory, edges = result.theory, result.edges
    width = edges[1] - edges[0]
    label = tag.replace(":", "")
    marks = [{"type": "stairs", "edges": edges, "heights": result.density, "color": fill,
              "alpha": alpha, "label": label + _("sample")}]
    items = [{"label": label + _("sample"), "color": fill, "kind": "patch", "alpha": alpha}]
    if theory.pdf:
        marks.append({"type": "line", "x": result.curve_x, "y": result.curve_y, "color": line,
                      "width": 3.5, "dash": None, "marker": None, "label": label + _("theory")})
        items.append({"label": label + _("theory"), "color": line, "kind": "line", "dash": None})
    inside = [(v, p / width) for v, p in _atoms_inside(result)]
    shown = [(v, h) for v, h in inside if h <= top]
    if shown:
        name = label + (_("exact") if theory.pdf else _("theory"))
        marks.append({"type": "line", "x": np.array([v for v, _h in shown]),
                      "y": np.array([h for _v, h in shown]), "color": line, "width": 0, "dash": None,
                      "marker": "D", "size": 12, "label": name})
        items.append({"label": name, "color": line, "kind": "marker", "marker": "D"})
    bounds = _bounds(result)
    marks += [{"type": "rule", "axis": "x", "value": float(b), "color": line, "width": 2.4,
               "dash": "dashed"} for b in bounds]
    if bounds:
        items.append({"label": label + _("bounds"), "color": line, "kind": "line", "dash": "dashed"})
    clipped = [(v, h * width) for v, h in inside if h > top]
    return marks, items, clipped


def _notes(entries, clipped):
    """What the student must read on the figure: clipped bars and samples of a single value."""
    clip = _("bar at {value:g} clipped:\n{share:.0f} % of the weights are exactly {value:g}")
    lines = ["\u25b2 " + tag + clip.format(value=v, share=100 * p) for tag, v, p in clipped]
    for tag, _name, result in entries:
        if result.min == result.max:
            count = result.sample.size
            lines.append(tag + (_("all {count} weights = {value:.4g}") if count > 1
                                else _("a single weight = {value:.4g}")).format(count=count, value=result.min))
    return lines


def _alt(entries, notes):
    parts = [_("Histogram of the initialised weights (probability density) against their theoretical law.")]
    for tag, name, result in entries:
        theory = result.theory
        parts.append(f"{tag}{name}: {theory.law}; " + _(
            "theory mean {t_mean:.4g}, std {t_std:.4g}; sample of {count} weights: mean {mean:.4g}, std {std:.4g}, "
            "min {low:.4g}, max {high:.4g}.").format(t_mean=theory.mean, t_std=theory.std, count=result.sample.size,
                                                     mean=result.mean, std=result.std, low=result.min,
                                                     high=result.max))
    return " ".join(parts + [note.replace("\n", " ") + _(".") for note in notes])


def figure_description(entries):
    """The description of one or two initializers' histograms on one x-axis.

    Args:
        entries (list): one or two ``(tag, name, result)``: ``tag`` prefixes the labels ('' alone,
            'A: ' / 'B: ' in compare mode), ``name`` is the initializer's, ``result`` the model's
            ``Result``. Two results must share their histogram edges (``InitializerModel.rebin``);
            the second is drawn in orange.

    Returns:
        dict: the figure description (docs/figure-format.md), panel id 'hist'.

    Raises:
        ValueError: no entry, more than two, or two with different edges.
    """
    if not 1 <= len(entries) <= 2:
        raise ValueError(f"The argument 'entries' must hold one or two (tag, name, result), got {len(entries)}.")
    edges = entries[0][2].edges
    if len(entries) == 2 and not np.array_equal(edges, entries[1][2].edges):
        raise ValueError("The argument 'entries': both results must share their histogram edges (rebin them).")
    top = 1.3 * max(_peak(result) for _tag, _name, result in entries) or 1.0
    marks, items, clipped = [], [], []
    for (tag, _name, result), style in zip(entries, _STYLES):
        layer_marks, layer_items, layer_clipped = _layer(tag, result, style, top)
        marks += layer_marks
        items += layer_items
        clipped += [(tag, v, p) for v, p in layer_clipped]
    notes = _notes(entries, clipped)
    if notes:
        marks.append({"type": "text", "text": "\n".join(notes), "x": 0.015, "y": 0.965, "coords": "axes",
                      "color": PALETTE["theory"], "size": _NOTE_SIZE, "align": "left", "valign": "top",
                      "box": False})
    panel = {"id": "hist", "box": list(_BOX),
             "title": "\n".join(f"{tag}{name}: {result.theory.law}" for tag, name, result in entries),
             "xlabel": _("weight value"), "ylabel": _("probability density"),
             "x": {"scale": "linear", "lim": [float(edges[0]), float(edges[-1])], "nticks": 6},
             "y": {"scale": "linear", "lim": [0.0, float(top)], "nticks": 4},
             "grid": True, "frame": True, "marks": marks,
             "legend": {"items": items, "loc": "right", "columns": 1}, "colorbar": None}
    return {"width": WIDTH, "height": HEIGHT, "alt": _alt(entries, notes), "panels": [panel],
            "texts": [], "legend": None}
