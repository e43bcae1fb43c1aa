"""One figure description, two renderers: what every explorer draws (docs/figure-format.md).

An explorer's view describes its figure as plain data (panels, marks, legends: dicts, str, floats
and NumPy arrays). ``resolve`` settles everything a renderer would otherwise decide for itself
(axis limits, tick positions and labels, what to say about NaN, infinity or an empty range), so
the browser (``widgets/src/``, bundled by ``_live``) and matplotlib (``render_png``) draw exactly the same numbers.
``to_wire`` packs the resolved description for the browser: arrays travel as binary buffers
(float32, images as uint8 colour-map indices), so NaN and infinity arrive intact and a change
costs a few kilobytes.

>>> import numpy as np
>>> panel = {"id": "p", "box": [0.1, 0.1, 0.8, 0.8],
...          "marks": [{"type": "line", "x": np.arange(3.0), "y": np.array([1.0, np.nan, 3.0])}]}
>>> resolved = resolve({"width": 400, "height": 300, "alt": "a line", "panels": [panel]})
>>> resolved["panels"][0]["y"]["labels"]
['1', '1.5', '2', '2.5', '3']
>>> [mark["text"] for mark in resolved["panels"][0]["marks"] if mark["type"] == "text"]
['▲ not drawn: 1 NaN']
"""

import math

import numpy as np

from ..i18n import _
from ._colormaps import LEVELS as _IMAGE_LEVELS, TABLES
from ._palette import NOTE_COLOR
from ._ticks import axis_limits, nice_ticks

__all__ = ["resolve", "to_wire", "render_png", "colormap_tables", "COLORMAPS", "NOTE_COLOR"]

COLORMAPS = ("viridis", "cividis", "gray", "PuOr")
_MARGIN = 0.05                  # of the data range, around lines and points
_ARRAYS = {"stairs": ("edges", "heights"), "line": ("x", "y"), "image": ("values",)}


def _array(value, name):
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(f"figure description: '{name}' must be numbers, got {type(value).__name__}") from error
    return array


def _extent(panel, axis):
    """The arrays whose values set ``axis`` ('x' or 'y'), and whether a margin belongs around them."""
    arrays, margin = [], False
    for mark in panel.get("marks", ()):
        kind = mark["type"]
        if kind == "stairs":
            arrays.append(mark["edges"] if axis == "x" else np.append(mark["heights"], 0.0))
        elif kind == "line":
            arrays.append(mark[axis])
            margin = True
        elif kind == "rule" and mark["axis"] == axis:
            arrays.append([mark["value"]])
        elif kind == "image":
            rows, cols = np.shape(mark["values"])
            arrays.append([0.0, float(cols if axis == "x" else rows)])
    return arrays, margin


def _finite_count(panel):
    """How many NaN, +inf and -inf the panel's marks hold (they are not drawn)."""
    counts = {"NaN": 0, "+inf": 0, "\u2212inf": 0}
    for mark in panel.get("marks", ()):
        for key in ("x", "y", "heights", "edges", "values"):
            if key in mark:
                values = mark[key]
                counts["NaN"] += int(np.isnan(values).sum())
                counts["+inf"] += int(np.isposinf(values).sum())
                counts["\u2212inf"] += int(np.isneginf(values).sum())
    return counts


def _note(text, index):
    return {"type": "text", "text": text, "x": 0.02, "y": 0.96 - 0.1 * index, "coords": "axes",
            "color": NOTE_COLOR, "size": 12, "align": "left", "valign": "top", "box": True, "note": True}


def _resolve_axis(panel, axis, notes):
    spec = dict(panel.get(axis) or {})
    scale = spec.get("scale", "linear")
    if scale not in ("linear", "log"):
        raise ValueError(f"figure description: panel '{panel.get('id')}' {axis} scale must be 'linear' or "
                         f"'log', got {scale!r}")
    arrays, margin = _extent(panel, axis)
    lim, degenerate = axis_limits(arrays, scale, spec.get("lim"), margin * _MARGIN)
    if degenerate is not None and not spec.get("hidden"):
        notes.append(_("all {axis} values = {value:.4g}").format(axis=axis, value=degenerate))
    if spec.get("hidden"):
        spec["ticks"], spec["labels"] = [], []
    elif spec.get("ticks") is None:
        spec["ticks"], spec["labels"] = nice_ticks(lim, scale, spec.get("nticks", 5))
    elif spec.get("labels") is None:
        spec["labels"] = [f"{tick:g}" for tick in spec["ticks"]]
    spec.update(scale=scale, lim=[float(lim[0]), float(lim[1])])
    return spec


def _resolve_image(mark, notes):
    values = mark["values"]
    finite = values[np.isfinite(values)]
    low, high = mark.get("vmin"), mark.get("vmax")
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if high <= low:
        notes.append(_("all values = {value:.4g}").format(value=low))
        low, high = (low - 1.0, low + 1.0) if low == 0 else (low - abs(low) / 2, low + abs(low) / 2)
    return dict(mark, vmin=float(low), vmax=float(high))


def _resolve_mark(mark):
    """A copy of ``mark`` with its arrays as float64 NumPy arrays (validated)."""
    kind = mark.get("type")
    if kind not in ("stairs", "line", "rule", "image", "text"):
        raise ValueError(f"figure description: a mark's type must be one of stairs, line, rule, image, text; "
                         f"got {kind!r}")
    resolved = dict(mark)
    for key in _ARRAYS.get(kind, ()):
        if key in mark:
            resolved[key] = _array(mark[key], key)
    if kind == "stairs" and resolved["edges"].size != resolved["heights"].size + 1:
        raise ValueError(f"figure description: stairs need len(edges) == len(heights) + 1, got "
                         f"{resolved['edges'].size} edges and {resolved['heights'].size} heights")
    if kind == "line" and resolved["x"].shape != resolved["y"].shape:
        raise ValueError(f"figure description: a line's x and y must have one shape, got "
                         f"{resolved['x'].shape} and {resolved['y'].shape}")
    if kind == "image" and resolved["values"].ndim != 2:
        raise ValueError(f"figure description: an image's values must be 2-D, got shape {resolved['values'].shape}")
    return resolved


def _resolve_panel(panel):
    if not isinstance(panel, dict) or "box" not in panel:
        raise TypeError(f"figure description: a panel must be a dict with a 'box', got {panel!r:.80}")
    resolved = dict(panel, marks=[_resolve_mark(mark) for mark in panel.get("marks", ())])
    notes = []
    resolved["marks"] = [_resolve_image(m, notes) if m["type"] == "image" else m for m in resolved["marks"]]
    counts = _finite_count(resolved)
    hidden = sum(counts.values())
    if hidden:
        kinds = _(", ").join(f"{n} {kind}" for kind, n in counts.items() if n)
        notes.append(_("\u25b2 not drawn: {kinds}").format(kinds=kinds))      # short: it must fit a 130-px heat map
    drawable = [m for m in resolved["marks"] if m["type"] != "text"]
    if drawable and all(not np.isfinite(m.get("y", m.get("heights", m.get("values", [m.get("value", 0.0)])))).any()
                        for m in drawable):
        notes.append(_("no finite value to draw"))
    resolved["x"] = _resolve_axis(resolved, "x", notes)
    resolved["y"] = _resolve_axis(resolved, "y", notes)
    if resolved.get("colorbar"):
        bar = dict(resolved["colorbar"])
        bar["ticks"], bar["labels"] = nice_ticks((bar["vmin"], bar["vmax"]), "linear", bar.get("nticks", 5))
        resolved["colorbar"] = bar
    resolved["marks"] += [_note(text, i) for i, text in enumerate(dict.fromkeys(notes))]
    return resolved


def resolve(description):
    """The description with every limit, tick and label decided and every odd value noted.

    Args:
        description (dict): ``{"width", "height", "alt", "panels": [...], "texts": [...],
            "legend": ...}`` as in docs/figure-format.md.

    Returns:
        dict: a new description (the input is not changed) whose arrays are float64 NumPy arrays,
        whose axes all carry finite ``lim``, ``ticks`` and ``labels``, and whose panels end with a
        red text mark for each thing a student must see: values not drawn (NaN, infinity), an
        empty range ("all values = 0.5"), nothing finite at all.

    Raises:
        TypeError: a panel is not a dict with a 'box', or an array holds non-numbers.
        ValueError: an unknown mark type or scale, or arrays of mismatched lengths.
    """
    if not isinstance(description, dict):
        raise TypeError(f"figure description must be a dict, got {type(description).__name__}")
    for key in ("width", "height"):
        if not isinstance(description.get(key), (int, float)) or description[key] <= 0:
            raise ValueError(f"figure description: '{key}' must be a positive number of CSS px, "
                             f"got {description.get(key)!r}")
    return dict(description, alt=str(description.get("alt", "")),
                panels=[_resolve_panel(panel) for panel in description.get("panels", ())],
                texts=list(description.get("texts", ())), legend=description.get("legend"))


def _packed(array, dtype="float32"):
    data = np.ascontiguousarray(array, dtype=dtype)
    return {"dtype": dtype, "shape": list(data.shape), "buffer": data.tobytes()}


def _image_indices(mark):
    values, low, high = mark["values"], mark["vmin"], mark["vmax"]
    finite = np.isfinite(values)
    scaled = np.clip((np.where(finite, values, low) - low) / (high - low), 0.0, 1.0)
    indices = np.rint(scaled * (_IMAGE_LEVELS - 1)).astype(np.uint8)
    indices[~finite] = _IMAGE_LEVELS
    return indices


def _short(value):
    """Floats with 7 significant digits (float32's), lists and dicts walked: smaller JSON."""
    if isinstance(value, float):
        return float(f"{value:.7g}") if math.isfinite(value) else value
    if isinstance(value, (list, tuple)):
        return [_short(item) for item in value]
    if isinstance(value, dict):
        return {key: _short(item) for key, item in value.items()}
    return value


def _wire_mark(mark):
    wired = {}
    for key, value in mark.items():
        if key == "values":
            wired[key] = _packed(_image_indices(mark), "uint8")
        elif isinstance(value, np.ndarray):
            wired[key] = _packed(value)
        else:
            wired[key] = _short(value)
    return wired


def to_wire(resolved):
    """The resolved description as the browser receives it: arrays become binary buffers.

    Every NumPy array becomes ``{"dtype": "float32", "shape": [...], "buffer": bytes}``; an
    image's values become uint8 indices into its colour map (0..254 from vmin to vmax, 255 for a
    non-finite pixel). ipywidgets sends ``bytes`` as binary websocket buffers, not JSON.
    """
    panels = [dict(_short({k: v for k, v in panel.items() if k != "marks"}),
                   marks=[_wire_mark(mark) for mark in panel["marks"]]) for panel in resolved["panels"]]
    return dict(_short({k: v for k, v in resolved.items() if k != "panels"}), panels=panels)


def colormap_tables():
    """``{name: bytes}``: each colour map of ``COLORMAPS`` as 255 RGB triplets (uint8), as stored in
    ``_colormaps.TABLES`` (matplotlib's maps, without importing matplotlib)."""
    return {name: TABLES[name] for name in COLORMAPS}


def render_png(resolved, dpi=80):
    """Draw a resolved description with matplotlib (Agg) and return PNG bytes.

    The static twin of the browser's drawing: the labs' stored figures, ``explorer.pane.png()``
    and the README images. ``dpi`` 100 gives one pixel per CSS px; 80 (the default) a smaller file.
    """
    from ._static import draw_png
    return draw_png(resolved, dpi)
