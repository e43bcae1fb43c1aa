"""The figure of ``DataParallelExplorer`` as a figure description (docs/figure-format.md): arrows
from the origin in the plane of the two weights: each worker's gradient (grey), what the reducer
makes of them (green) and one process's gradient on the whole batch (red, dashed).

>>> from sporelab.widgets.data_parallel_model import DataParallelModel
>>> figure = figure_description(DataParallelModel(workers=4))
>>> figure['panels'][0]['id'], figure['panels'][0]['x']['lim'] == figure['panels'][0]['y']['lim']
('arrows', True)
"""

import math

import numpy as np

from ..i18n import _
from ._palette import PALETTE

__all__ = ["figure_description"]

WIDTH, HEIGHT = 700, 440
# A square panel (in px), so that arrow heads drawn in data units keep their shape; the legend
# right of it, where it hides no arrow.
_SIDE = 0.76
_BOX = [0.13, 0.11, _SIDE * HEIGHT / WIDTH, _SIDE]
_HEAD, _BARB = 0.07, math.radians(25)     # head length (of the axis' width) and half-angle


def _arrow(vector, span, color, width, dash=None, label=None):
    """An arrow from the origin to ``vector``, with a two-stroke head (none for a zero or
    non-finite vector: nothing to point along). Solid: one polyline, origin -> tip -> barb -> tip
    -> barb; dashed: the shaft, then a solid head."""
    x, y = float(vector[0]), float(vector[1])
    shaft = {"type": "line", "x": np.array([0.0, x]), "y": np.array([0.0, y]), "color": color, "width": width}
    if label:
        shaft["label"] = label
    length = math.hypot(x, y)
    if not (length > 0 and math.isfinite(length)):
        return [dict(shaft, dash=dash) if dash else shaft]
    size, angle = _HEAD * 2 * span, math.atan2(y, x)
    (x1, y1), (x2, y2) = [(x - size * math.cos(angle + s * _BARB), y - size * math.sin(angle + s * _BARB))
                          for s in (1, -1)]
    if dash:
        head = {"type": "line", "x": np.array([x1, x, x2]), "y": np.array([y1, y, y2]), "color": color,
                "width": width}
        return [dict(shaft, dash=dash), head]
    return [dict(shaft, x=np.array([0.0, x, x1, x, x2]), y=np.array([0.0, y, y1, y, y2]))]


def _verdict(model, gap):
    if gap < 1e-5:
        return _("the reduced gradient equals the whole batch's")
    if not model.mean:
        return _("without gradients_mean the reducer sums: {workers} times the whole batch's gradient").format(
            workers=model.workers)
    return _("unequal shards: the mean of the shards' means is not the batch's mean")


def figure_description(model):
    """The explorer's figure for ``model`` (a ``DataParallelModel``).

    Returns:
        dict: one panel 'arrows' with equal x and y limits, a legend, and an ``alt`` naming the
        vectors, the gap and what it means.
    """
    shards, reduced, full = model.shard_gradients(), model.reduced(), model.full()
    gap = float(np.max(np.abs(reduced - full)))
    points = np.array(shards + [reduced, full, [0.0, 0.0]], dtype=np.float64)
    finite = np.abs(points[np.isfinite(points)])
    span = float(finite.max()) * 1.15 if finite.size and finite.max() > 0 else 1.0
    reduced_label = (_("reduced: mean over {workers} worker(s)") if model.mean
                     else _("reduced: sum over {workers} worker(s)")).format(workers=model.workers)
    whole = _("one process, whole batch")
    marks = [{"type": "rule", "axis": axis, "value": 0.0, "color": "#dddddd", "width": 0.8} for axis in "xy"]
    for g in shards:
        marks += _arrow(g, span, PALETTE["muted"], 1.0)
    marks += _arrow(reduced, span, PALETTE["gradient"], 3.0, label=reduced_label)
    marks += _arrow(full, span, PALETTE["theory"], 2.0, "dashed", whole)
    sizes = "/".join(str(size) for size in sorted({len(s) for s in model.shards()}))
    legend = {"loc": "right", "columns": 1, "items": [
        {"label": _("each worker's gradient"), "color": PALETTE["muted"], "kind": "line"},
        {"label": reduced_label, "color": PALETTE["gradient"], "kind": "line"},
        {"label": whole, "color": PALETTE["theory"], "kind": "line", "dash": "dashed"}]}
    panel = {"id": "arrows", "box": _BOX, "xlabel": "dL/dw1", "ylabel": "dL/dw2", "grid": False,
             "title": _("batch {batch} on {workers} worker(s), shard size {sizes}: max |reduced \u2212 whole| = "
                        "{gap:.2g}").format(batch=model.batch, workers=model.workers, sizes=sizes, gap=gap),
             "x": {"scale": "linear", "lim": [-span, span], "nticks": 5},
             "y": {"scale": "linear", "lim": [-span, span], "nticks": 5}, "marks": marks, "legend": legend}
    alt = _("Batch of {batch} split among {workers} worker(s) (shards of {sizes}), gradients_mean {mean}: reduced "
            "gradient ({r0:.3g}, {r1:.3g}), whole batch ({f0:.3g}, {f1:.3g}), max |reduced \u2212 whole| = {gap:.2g}: "
            "{verdict}.").format(batch=model.batch, workers=model.workers, sizes=sizes, mean=model.mean,
                                 r0=reduced[0], r1=reduced[1], f0=full[0], f1=full[1], gap=gap,
                                 verdict=_verdict(model, gap))
    return {"width": WIDTH, "height": HEIGHT, "alt": alt, "panels": [panel], "texts": []}
