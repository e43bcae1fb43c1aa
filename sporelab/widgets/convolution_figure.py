"""The convolution explorer's figure as a description (docs/figure-format.md): plain dicts and
NumPy arrays built from a ``ConvResult``, drawn live in the browser and by matplotlib for
``pane.png()``. No ipywidgets, no matplotlib.

The figure: the input with its zero padding, the first window and the kernel taps; up to 2 rows of
4 kernels ``weight[o, 0]`` (diverging PuOr, 0 white) and of output maps ``y[0, o]`` (grey with 0
mid-grey when signed, viridis otherwise), each grid with a colour bar of its value range; the
output-size formula with its numbers; the tutorial's 12/18/27 marked on the first map.

The whole description is sent on every change, so it stays small: at most ``PANELS`` channels are
drawn, the others counted ("the first 8 of 64 shown, 56 hidden"); a row of tiles is one panel
(one image, the maps side by side); output maps are block-averaged (``shrink``) to at most
``MAP_CELLS`` cells each, 32 x 32 for a 64 x 64 map (the colour range and the numbers in the
text stay the layer's own).

>>> from sporelab.widgets.convolution_model import ConvModel
>>> figure = figure_description(ConvModel(image="ones", out_channels=6).run(), "ones")
>>> [panel["id"] for panel in figure["panels"]]
['input', 'kernels0', 'kernels1', 'kernel_scale', 'maps0', 'maps1', 'map_scale']
>>> sorted(tiles(figure["panels"][5]))          # the second row of maps: channels 4 and 5
[4, 5]
"""

import numpy as np

from ..i18n import N_, _
from ._palette import PALETTE

__all__ = ["figure_description", "tiles", "shrink", "value_range", "map_factor", "PANELS", "MAP_CELLS", "WIDTH",
           "HEIGHT"]

PANELS = 8                  # kernels and output maps drawn; the others are counted in a note
MAP_CELLS = 1024            # an output map is drawn with at most this many cells (1 byte each on the wire)
WIDTH, HEIGHT = 1120, 448   # CSS px: the old 14 x 5.6 inch figure at 80 px per inch
KERNEL_MAP = "PuOr"         # signed weights: purple -, orange +, white 0
_GREY_TEXT = "#333333"
_MONO = 0.602               # the advance of a monospace character, in font sizes (DejaVu Sans Mono)


def _box(left, bottom, width, height):
    """A panel box in figure fractions from CSS px measured from the bottom-left corner."""
    return [round(left / WIDTH, 4), round(bottom / HEIGHT, 4), round(width / WIDTH, 4), round(height / HEIGHT, 4)]


def _fit(rows, cols, size):
    """(width, height) in px of a rows x cols picture with square cells inside size x size."""
    scale = size / max(rows, cols)
    return cols * scale, rows * scale


def _text(text, x, y, coords="figure", **style):
    mark = {"type": "text", "text": text, "x": round(x, 4), "y": round(y, 4), "coords": coords}
    mark.update(style)
    return mark


def _axis(lim=None, ticks=None, labels=None, hidden=False):
    return {"scale": "linear", "lim": lim, "ticks": ticks, "labels": labels, "nticks": 5, "hidden": hidden}


def shrink(values, factor):
    """``values`` (..., rows, cols) averaged over ``factor`` x ``factor`` blocks of the last two
    axes (edge rows and columns are repeated to fill the last block), as float32.

    >>> shrink(np.arange(16.0).reshape(4, 4), 2).tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    if factor <= 1:
        return np.asarray(values, np.float32)
    *lead, rows, cols = values.shape
    high, wide = -(-rows // factor), -(-cols // factor)
    padded = np.pad(values, [(0, 0)] * len(lead) + [(0, high * factor - rows), (0, wide * factor - cols)],
                    mode="edge")
    blocks = padded.reshape(*lead, high, factor, wide, factor)
    with np.errstate(invalid="ignore", over="ignore"):
        return blocks.mean(axis=(-3, -1), dtype=np.float64).astype(np.float32)


def value_range(values, symmetric):
    """(low, high, note) of the finite ``values`` for a colour scale: symmetric around 0 when asked
    or when the values have both signs; a constant is widened and named in ``note``.

    >>> value_range(np.zeros(4), True)
    (-1.0, 1.0, 'all values = 0')
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return -1.0, 1.0, _("no finite value to draw")
    low, high = float(finite.min()), float(finite.max())
    note = _("all values = {value:.4g}").format(value=low) if low == high else ""
    if symmetric or low < 0 < high:
        high = max(abs(low), abs(high)) or 1.0
        return -high, high, note
    if high - low < 1e-6 * max(1.0, abs(high)):
        return low - 0.5, high + 0.5, note
    return low, high, note


def _pixel_ticks(size, flip=False):
    """Integer pixel indices 0 .. size - 1 at a step of 1, 2 or 5 (times 10^k), at most 5 of them,
    placed at the pixel centres; ``flip``: row indices on a y axis that grows upwards."""
    raw = max(size - 1, 1) / 4
    step = min(s * 10 ** e for e in range(0, 6) for s in (1, 2, 5) if s * 10 ** e >= raw)
    values = list(range(0, size, step))
    positions = [size - v - 0.5 if flip else v + 0.5 for v in values]
    order = np.argsort(positions)
    return [positions[i] for i in order], [str(values[i]) for i in order]


def _input_panel(result):
    """The input (grey; several channels are drawn as their mean) with its zero padding, the first
    window and the kernel taps, in data units of pixels: x = column, y = rows counted from below."""
    channels, height, width = result.image.shape
    (top, bottom, left, right), (kh, kw), (dh, dw) = result.pads, result.weight.shape[2:], result.dilation
    shown = result.image[0] if channels == 1 else result.image.mean(axis=0)
    low, high = float(shown.min()), float(shown.max())     # drawn as it is (not around 0); finite
    if high - low < 1e-6 * max(1.0, abs(high)):
        low, high = low - 0.5, high + 0.5
    w, h = _fit(height + top + bottom, width + left + right, 264)
    x_ticks, x_labels = _pixel_ticks(width)
    y_ticks, y_labels = _pixel_ticks(height, flip=True)
    x0, y0, x1, y1 = -left, -bottom, width + right, height + top
    span_w, span_h = dw * (kw - 1) + 1, dh * (kh - 1) + 1
    rows, cols = np.mgrid[0:kh, 0:kw]
    marks = [{"type": "image", "values": shown, "cmap": "gray", "vmin": low, "vmax": high}]
    if any(result.pads):
        marks.append(_outline((x0, y0, x1, y1), PALETTE["theory"], "dashed"))
    marks += [_outline((x0, y1 - span_h, x0 + span_w, y1), PALETTE["second"], None),
              {"type": "line", "x": (cols * dw - left + 0.5).ravel().astype(np.float32),
               "y": (height + top - rows * dh - 0.5).ravel().astype(np.float32), "color": PALETTE["second"],
               "width": 0.0, "dash": None, "marker": "o", "size": 3, "label": _("kernel taps")}]
    return {"id": "input", "box": _box(52 + (264 - w) / 2, 380 - h, w, h), "title": "",
            "xlabel": _("W (pixels)"), "ylabel": _("H (pixels)"), "grid": False, "frame": True,
            "x": _axis([x0, x1], x_ticks, x_labels), "y": _axis([y0, y1], y_ticks, y_labels),
            "marks": marks, "legend": None, "colorbar": None}


def _outline(corners, color, dash):
    x0, y0, x1, y1 = corners
    return {"type": "line", "x": np.array([x0, x1, x1, x0, x0], np.float32),
            "y": np.array([y0, y0, y1, y1, y0], np.float32), "color": color, "width": 1.5, "dash": dash,
            "marker": None, "size": 0, "label": None}


def _grid(prefix, maps, x0, size, cmap, low, high, factor=1, framed=False):
    """The maps as tiles of at most ``size`` px, 4 to a row. One panel per row, titled with its
    channels o: its image is the row's maps side by side, with gap columns under white rules (a
    panel and a label per map would double the bytes sent); ``framed`` outlines each tile (a
    kernel's edge is often 0, white). Returns the panels."""
    shown = shrink(maps, factor)
    rows, cols = shown.shape[1:]
    gap = max(1, round(6 * max(rows, cols) / size))        # gap columns: about 6 px
    cell = min(size / max(rows, cols), (4 * size + 24) / (4 * cols + 3 * gap))    # px per cell: 4 fit
    pad = round(1.0 / cell, 4)                             # 1 px around the image, for the outlines
    light = (low + high) / 2 if cmap == KERNEL_MAP else high    # PuOr's white middle, gray's white end
    panels = []
    for row, first in enumerate(range(0, len(shown), 4)):
        count = min(4, len(shown) - first)
        width = count * cols + (count - 1) * gap
        mosaic = np.full((rows, width), light, np.float32)     # the gaps, should a sliver show
        for index in range(count):
            mosaic[:, index * (cols + gap):index * (cols + gap) + cols] = shown[first + index]
        marks = [{"type": "image", "values": mosaic, "cmap": cmap, "vmin": low, "vmax": high}]
        marks += [_outlines(count, rows, cols, gap)] if framed else []
        marks += [{"type": "rule", "axis": "x", "value": index * (cols + gap) - gap / 2, "color": "#ffffff",
                   "width": round(gap * cell + (-2 if framed else 1), 2), "dash": None} for index in range(1, count)]
        last = first + count - 1
        title = "o = " + (_("{first} to {last}").format(first=first, last=last) if count > 2 else ", ".join(
            str(first + index) for index in range(count)))
        bottom = 276 - 128 * row + (96 - rows * cell) / 2
        panels.append({"id": f"{prefix}{row}", "box": _box(x0 - 1, bottom - 1, width * cell + 2, rows * cell + 2),
                       "title": title, "xlabel": "", "ylabel": "", "grid": False, "frame": False,
                       "x": _axis([-pad, width + pad], hidden=True), "y": _axis([-pad, rows + pad], hidden=True),
                       "marks": marks, "legend": None, "colorbar": None,
                       "tiles": {"first": first, "count": count, "cols": cols, "gap": gap}})
    return panels


def _outlines(count, rows, cols, gap):
    """One line around each of ``count`` tiles: up, across, down each tile, then back along the
    bottom (the stretches over the gaps lie under the gaps' white rules)."""
    x, y = [], []
    for index in range(count):
        left = index * (cols + gap)
        x += [left, left, left + cols, left + cols]
        y += [0, rows, rows, 0]
    return {"type": "line", "x": np.array(x + [0], np.float32), "y": np.array(y + [0], np.float32),
            "color": "#000000", "width": 1.0, "dash": None, "marker": None, "size": 0, "label": None}


def tiles(panel):
    """``{o: values}``: the maps (or kernels) drawn in a grid row panel of ``figure_description``."""
    layout, mosaic = panel["tiles"], next(m for m in panel["marks"] if m["type"] == "image")["values"]
    step = layout["cols"] + layout["gap"]
    return {layout["first"] + index: mosaic[:, index * step:index * step + layout["cols"]]
            for index in range(layout["count"])}


def _scale(panel_id, x, cmap, low, high):
    """An empty panel at ``x`` px whose colour bar, right of it, shows a grid's range."""
    return {"id": panel_id, "box": _box(x, 148, 1, 224), "title": "", "xlabel": "", "ylabel": "",
            "grid": False, "frame": False, "x": _axis([0, 1], hidden=True), "y": _axis([0, 1], hidden=True),
            "marks": [], "legend": None, "colorbar": {"cmap": cmap, "vmin": low, "vmax": high, "label": ""}}


def _kernel_values(kernel, low, high):
    """Numbers on the first kernel when it is at most 3 x 3 and they are short."""
    labels = [f"{v:.2g}".replace("0.", ".") for v in kernel.ravel()]
    if kernel.size > 9 or max(len(s) for s in labels) > 4:
        return []
    vmax = max(abs(low), abs(high))
    rows, cols = kernel.shape
    return [_text(labels[i], i % cols + 0.5, rows - i // cols - 0.5, "data", size=10, align="center",
                  valign="middle", color="#ffffff" if abs(kernel.flat[i]) > 0.6 * vmax else "#000000")
            for i in range(kernel.size)]


def _tutorial_points(first, factor):
    """The corner, edge and inside pixels of the first map (``factor``: its shrink), as points."""
    rows, cols = first.shape
    padded = -(-rows // factor) * factor
    return {"type": "line", "x": np.array([(c + 0.5) / factor for _, c in _spots(first)], np.float32),
            "y": np.array([(padded - r - 0.5) / factor for r, _ in _spots(first)], np.float32),
            "color": PALETTE["theory"], "width": 0.0, "dash": None, "marker": "o", "size": 5, "label": None}


def _spots(first):
    rows, cols = first.shape
    return (0, 0), (0, cols // 2), (rows // 2, cols // 2)


def _tutorial_text(first, box):
    """The values at those points (the tutorial's 12/18/27), under the first map."""
    values = [f"{float(first[r, c]):.3g}" for r, c in _spots(first)]
    return _text(_("corner {}, edge {}, inside {}").format(*values), box[0], box[1] - 4 / HEIGHT, size=12,
                 align="left", valign="top", color=PALETTE["theory"])


def _formula_texts(formulas):
    """Per axis the symbolic formula, then its numbers on the next line from under the '='; W
    shares one line when only the letters differ. Monospace, so the columns line up."""
    size, lines = 11.5, []           # per line: (column, text) pieces
    twin = formulas[0].replace("H_", "W_").replace(_("top + bottom"), _("left + right"))
    for axis, formula in zip("HW", formulas):
        lhs, symbolic, numbers, value = formula.split(" = ")
        if axis == "W" and twin == formula:
            lines.append([(0, f"{lhs} = {value}"), (16, _("(the same formula along W)"))])
            break
        lines += [[(0, f"{lhs} = {symbolic}")], [(len(lhs) + 1, f"= {numbers} = {value}")]]
    return [_text(text, (356 + column * _MONO * size) / WIDTH, (104 - 19 * index) / HEIGHT, size=size,
                  family="monospace", align="left", valign="middle", color="#000000")
            for index, pieces in enumerate(lines) for column, text in pieces]


def map_factor(shape, cells=MAP_CELLS):
    """The smallest block size f such that a map of ``shape`` shrunk f-fold holds at most
    ``cells`` cells (1: drawn as it is).

    >>> map_factor((64, 64)), map_factor((16, 50)), map_factor((64, 63))
    (2, 1, 2)
    """
    rows, cols = shape
    factor = 1
    while -(-rows // factor) * -(-cols // factor) > cells:
        factor += 1
    return factor


def _titles(result, source, notes):
    """The three titles with their shapes, and under each grid what it leaves out (grey) and a
    constant or non-finite range (red)."""
    channels, height, width = result.image.shape
    details = (f"{source}: (1, {channels}, {height}, {width})", _("shape {shape}").format(shape=result.weight.shape),
               _("shape {shape}").format(shape=result.shape))
    texts = []
    titles = (_("input x"), _("kernels weight[o, 0]"), _("output maps y[0, o]"))
    for x, title, detail in zip((52, 356, 660), titles, details):
        texts += [_text(title, x / WIDTH, 426 / HEIGHT, size=14, align="left", valign="bottom", color="#000000"),
                  _text(detail, x / WIDTH, 406 / HEIGHT, size=11, family="monospace", align="left",
                        valign="bottom", color=_GREY_TEXT)]
    low, high = float(result.image.min()), float(result.image.max())
    drawn = ([_("drawn: the mean of its {count} channels").format(count=channels)] * (channels > 1)
             + [_("all values = {value:.4g}").format(value=low)] * (low == high))
    if drawn:
        texts.append(_text(_("; ").join(drawn), 52 / WIDTH, 390 / HEIGHT, size=10, align="left", valign="bottom",
                           color=_GREY_TEXT))
    for x, (hidden, note) in zip((588, 1036), notes):
        texts += [_text(text, x / WIDTH, y / HEIGHT, size=11, align="right", valign="middle", color=color)
                  for text, y, color in ((hidden, 121, _GREY_TEXT), (note, 140, PALETTE["theory"])) if text]
    return texts


def _notes(count, ranges):
    """Per grid: (how many channels are hidden, what is odd about its range), or empty strings."""
    hidden = (_("the first {shown} of {count} shown, {hidden} hidden").format(shown=PANELS, count=count,
                                                                              hidden=count - PANELS)
              if count > PANELS else "")
    return [(hidden, note.replace(_("all values"), _(what))) for what, (_low, _high, note)
            in zip((N_("all weights"), N_("all outputs")), ranges)]


LEGEND = {"items": [{"label": N_("zero padding ('same', 'pad')"), "color": PALETTE["theory"], "kind": "line",
                     "dash": "dashed", "marker": None, "alpha": 1.0},
                    {"label": N_("first window (output pixel 0, 0)"), "color": PALETTE["second"], "kind": "line",
                     "dash": None, "marker": None, "alpha": 1.0},
                    {"label": N_("kernel taps (dilation spreads them)"), "color": PALETTE["second"], "kind": "marker",
                     "dash": None, "marker": "o", "alpha": 1.0}],
          "loc": "upper left", "x": round(48 / WIDTH, 4), "y": round(80 / HEIGHT, 4), "columns": 1}


def _legend():
    """``LEGEND`` in the current language."""
    return {**LEGEND, "items": [{**item, "label": _(item["label"])} for item in LEGEND["items"]]}


def _alt(result, source, ranges, annotate):
    """The text alternative: shapes, value ranges, the formulas, what is hidden."""
    (k_low, k_high, _note), _maps = ranges
    parts = [_("Convolution of the input {source}, shape {image}, with kernels of shape {weight} (colour scale "
               "{low:.3g} to {high:.3g}) gives output maps of shape {shape}, values {span}.").format(
                   source=source, image=(1,) + tuple(result.image.shape), weight=result.weight.shape,
                   low=k_low, high=k_high, shape=result.shape, span=_span(result.output)),
             *(f + _(".") for f in result.formulas)]
    if result.shape[1] > PANELS:
        parts.append(_("The first {shown} of {count} channels are drawn.").format(shown=PANELS, count=result.shape[1]))
    if annotate:
        first = result.output[0]
        parts.append(_("First map: corner {:.3g}, edge {:.3g}, inside {:.3g}.").format(
            first[0, 0], first[0, first.shape[1] // 2], first[first.shape[0] // 2, first.shape[1] // 2]))
    return " ".join(parts)


def _span(values):
    """'from a to b, mean m' of the finite values, and how many are not finite."""
    low, high = values.min(), values.max()
    finite = values if np.isfinite(low) and np.isfinite(high) else values[np.isfinite(values)]
    if finite.size == 0:
        return _("all not finite")
    bad = values.size - finite.size
    text = _("from {low:.4g} to {high:.4g}, mean {mean:.4g}").format(low=finite.min(), high=finite.max(),
                                                                     mean=finite.mean(dtype=np.float64))
    return text + (_(" ({count} not finite)").format(count=bad) if bad else "")


def figure_description(result, source, annotate=False):
    """The explorer's figure for ``result`` (a ConvResult); ``source`` names the input;
    ``annotate`` marks the corner, edge and inside values of the first map (the 12/18/27).

    Returns:
        dict: a figure description (docs/figure-format.md), not yet resolved.
    """
    kernels, maps = result.weight[:PANELS, 0], result.output[:PANELS]
    ranges = (value_range(kernels, symmetric=True), value_range(maps, symmetric=False))
    (k_low, k_high, _), (y_low, y_high, _) = ranges
    map_cmap = "gray" if y_low < 0 else "viridis"
    factor = map_factor(maps.shape[1:])
    kernel_rows = _grid("kernels", kernels, 356, 52, KERNEL_MAP, k_low, k_high, framed=True)
    kernel_rows[0]["marks"] += _kernel_values(kernels[0], k_low, k_high)
    map_rows = _grid("maps", maps, 660, 88, map_cmap, y_low, y_high, factor)
    texts = _titles(result, source, _notes(result.shape[1], ranges)) + _formula_texts(result.formulas)
    if annotate:
        map_rows[0]["marks"].append(_tutorial_points(maps[0], factor))
        texts.append(_tutorial_text(maps[0], map_rows[0]["box"]))
    panels = ([_input_panel(result)] + kernel_rows + [_scale("kernel_scale", 587, KERNEL_MAP, k_low, k_high)]
              + map_rows + [_scale("map_scale", 1035, map_cmap, y_low, y_high)])
    return {"width": WIDTH, "height": HEIGHT, "alt": _alt(result, source, ranges, annotate), "panels": panels,
            "texts": texts, "legend": _legend()}
