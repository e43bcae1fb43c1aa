"""The convolution explorer's figure as a description (docs/figure-format.md): plain dicts and
NumPy arrays built from a ``ConvResult``, drawn live in the browser and by matplotlib for
``pane.png()``. No ipywidgets, no matplotlib.

The figure: the input with its zero padding, the first window and the kernel taps; a 2 x 4 grid of
kernels ``weight[o, 0]`` (diverging PuOr, 0 white) and of output maps ``y[0, o]`` (grey with 0
mid-grey when signed, viridis otherwise), each grid with a colour strip of its value range; the
output-size formula with its numbers; the tutorial's 12/18/27 marked on the first map.

Sizes stay small on the wire (the whole description is sent on every change): at most ``PANELS``
channels are drawn, the others are counted ("the first 8 of 64 shown, 56 hidden"), and output
maps are shown block-averaged (``shrink``) to at most ``MAP_CELLS`` cells each, 32 x 32 for a
64 x 64 map (the colour range and the numbers in the text stay the layer's own).

>>> from sporelab.widgets.convolution_model import ConvModel
>>> figure = figure_description(ConvModel(image="ones", out_channels=2).run(), "ones")
>>> [panel["id"] for panel in figure["panels"]][:4]
['input', 'kernel0', 'kernel1', 'kernel_scale']
"""

import math

import numpy as np

from ._view import PALETTE

__all__ = ["figure_description", "shrink", "value_range", "map_factor", "PANELS", "MAP_CELLS", "WIDTH", "HEIGHT"]

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


def _tile(panel_id, box, marks):
    """A frameless panel without axes (an image tile)."""
    return {"id": panel_id, "box": box, "title": "", "xlabel": "", "ylabel": "", "grid": False, "frame": False,
            "x": _axis(hidden=True), "y": _axis(hidden=True), "marks": marks, "legend": None, "colorbar": None}


def shrink(values, factor):
    """``values`` (rows, cols) averaged over ``factor`` x ``factor`` blocks (edge rows and columns
    are repeated to fill the last block), as float32.

    >>> shrink(np.arange(16.0).reshape(4, 4), 2).tolist()
    [[2.5, 4.5], [10.5, 12.5]]
    """
    if factor <= 1:
        return np.asarray(values, np.float32)
    rows, cols = (-(-n // factor) * factor for n in values.shape)
    padded = np.pad(values, ((0, rows - values.shape[0]), (0, cols - values.shape[1])), mode="edge")
    blocks = padded.reshape(rows // factor, factor, cols // factor, factor)
    with np.errstate(invalid="ignore", over="ignore"):
        return blocks.mean(axis=(1, 3), dtype=np.float64).astype(np.float32)


def value_range(values, symmetric):
    """(low, high, note) of the finite ``values`` for a colour scale: symmetric around 0 when asked
    or when the values have both signs; a constant is widened and named in ``note``.

    >>> value_range(np.zeros(4), True)
    (-1.0, 1.0, 'all values = 0')
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return -1.0, 1.0, "no finite value to draw"
    low, high = float(finite.min()), float(finite.max())
    note = f"all values = {low:.4g}" if low == high else ""
    if symmetric or low < 0 < high:
        high = max(abs(low), abs(high)) or 1.0
        return -high, high, note
    if high - low < 1e-6 * max(1.0, abs(high)):
        return low - 0.5, high + 0.5, note
    return low, high, note


def _range_labels(low, high):
    middle = (low + high) / 2
    return [f"{v:.3g}" if abs(v) > 1e-12 * max(abs(low), abs(high), 1.0) else "0" for v in (high, middle, low)]


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
    low, high, _ = value_range(shown, symmetric=False)
    if low < 0 < high:                      # an input is drawn as it is, not around 0
        low, high = float(shown.min()), float(shown.max())
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
               "width": 0.0, "dash": None, "marker": "o", "size": 3, "label": "kernel taps"}]
    return {"id": "input", "box": _box(52 + (264 - w) / 2, 380 - h, w, h), "title": "",
            "xlabel": "W (pixels)", "ylabel": "H (pixels)", "grid": False, "frame": True,
            "x": _axis([x0, x1], x_ticks, x_labels), "y": _axis([y0, y1], y_ticks, y_labels),
            "marks": marks, "legend": None, "colorbar": None}


def _outline(corners, color, dash):
    x0, y0, x1, y1 = corners
    return {"type": "line", "x": np.array([x0, x1, x1, x0, x0], np.float32),
            "y": np.array([y0, y0, y1, y1, y0], np.float32), "color": color, "width": 1.5, "dash": dash,
            "marker": None, "size": 0, "label": None}


def _grid(prefix, maps, x0, size, cmap, low, high, factor=1):
    """One frameless tile per map, 4 to a row, titled with its channel o, shrunk ``factor``-fold."""
    tiles = []
    for index, values in enumerate(maps):
        row, col = divmod(index, 4)
        w, h = _fit(*values.shape, size)
        box = _box(x0 + col * (size + 8) + (size - w) / 2, 276 - 128 * row + (96 - h) / 2, w, h)
        shown = shrink(values, factor)
        tile = _tile(f"{prefix}{index}", box, [{"type": "image", "values": shown, "cmap": cmap, "vmin": low,
                                               "vmax": high}])
        tile["title"] = f"o = {index}"
        tiles.append(tile)
    return tiles


def _strip(panel_id, x, cmap, low, high):
    """A colour strip with its top, middle and bottom values: the range of its grid."""
    ramp = np.linspace(high, low, 64).astype(np.float32)[:, None]     # float64 steps: no overflow at 3e38
    marks = [{"type": "image", "values": ramp, "cmap": cmap, "vmin": low, "vmax": high}]
    marks += [_text(label, 1.6, y, "axes", size=10, align="left", valign="middle", color=_GREY_TEXT)
              for label, y in zip(_range_labels(low, high), (1.0, 0.5, 0.0))]
    panel = _tile(panel_id, _box(x, 148, 10, 224), marks)
    panel["frame"] = True
    return panel


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


def _tutorial_marks(first, factor):
    """The corner, edge and inside values of the first map (the tutorial's 12/18/27): points on
    the map (``factor``: its shrink) and their values under it."""
    rows, cols = first.shape
    spots = ((0, 0), (0, cols // 2), (rows // 2, cols // 2))
    padded = -(-rows // factor) * factor
    values = [f"{float(first[r, c]):.3g}" for r, c in spots]
    return [{"type": "line", "x": np.array([(c + 0.5) / factor for _, c in spots], np.float32),
             "y": np.array([(padded - r - 0.5) / factor for r, _ in spots], np.float32),
             "color": PALETTE["theory"], "width": 0.0, "dash": None, "marker": "o", "size": 5, "label": None},
            _text("corner {}, edge {}, inside {}".format(*values), 0.0, -0.08, "axes", size=11, align="left",
                  valign="top", color=PALETTE["theory"])]


def _formula_texts(formulas):
    """Per axis the symbolic formula, then its numbers on the next line from under the '='; W
    shares one line when only the letters differ. Monospace, so the columns line up."""
    size, lines = 11.5, []           # per line: (column, text) pieces
    twin = formulas[0].replace("H_", "W_").replace("top + bottom", "left + right")
    for axis, formula in zip("HW", formulas):
        lhs, symbolic, numbers, value = formula.split(" = ")
        if axis == "W" and twin == formula:
            lines.append([(0, f"{lhs} = {value}"), (16, "(the same formula along W)")])
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
    details = (f"{source}: (1, {channels}, {height}, {width})", f"shape {result.weight.shape}",
               f"shape {result.shape}")
    texts = []
    for x, title, detail in zip((52, 356, 668), ("input x", "kernels weight[o, 0]", "output maps y[0, o]"), details):
        texts += [_text(title, x / WIDTH, 426 / HEIGHT, size=14, align="left", valign="bottom", color="#000000"),
                  _text(detail, x / WIDTH, 406 / HEIGHT, size=11, family="monospace", align="left",
                        valign="bottom", color=_GREY_TEXT)]
    if channels > 1:
        texts.append(_text(f"drawn: the mean of its {channels} channels", 52 / WIDTH, 390 / HEIGHT, size=10,
                           align="left", valign="bottom", color=_GREY_TEXT))
    for x, (hidden, note) in zip((588, 1060), notes):
        texts += [_text(text, x / WIDTH, y / HEIGHT, size=11, align="right", valign="middle", color=color)
                  for text, y, color in ((hidden, 121, _GREY_TEXT), (note, 140, PALETTE["theory"])) if text]
    return texts


def _notes(count, ranges):
    """Per grid: (how many channels are hidden, what is odd about its range), or empty strings."""
    hidden = f"the first {PANELS} of {count} shown, {count - PANELS} hidden" if count > PANELS else ""
    return [(hidden, note.replace("values", what)) for what, (_, _, note) in zip(("weights", "outputs"), ranges)]


LEGEND = {"items": [{"label": "zero padding ('same', 'pad')", "color": PALETTE["theory"], "kind": "line",
                     "dash": "dashed", "marker": None, "alpha": 1.0},
                    {"label": "first window (output pixel 0, 0)", "color": PALETTE["second"], "kind": "line",
                     "dash": None, "marker": None, "alpha": 1.0},
                    {"label": "kernel taps (dilation spreads them)", "color": PALETTE["second"], "kind": "marker",
                     "dash": None, "marker": "o", "alpha": 1.0}],
          "loc": "upper left", "x": round(48 / WIDTH, 4), "y": round(80 / HEIGHT, 4), "columns": 1}


def _alt(result, source, ranges, annotate):
    """The text alternative: shapes, value ranges, the formulas, what is hidden."""
    (k_low, k_high, _), _ = ranges
    parts = [f"Convolution of the input {source}, shape (1, {', '.join(map(str, result.image.shape))}),",
             f"with kernels of shape {result.weight.shape} (colour scale {k_low:.3g} to {k_high:.3g})",
             f"gives output maps of shape {result.shape}, values {_span(result.output)}.",
             *(f + "." for f in result.formulas)]
    if result.shape[1] > PANELS:
        parts.append(f"The first {PANELS} of {result.shape[1]} channels are drawn.")
    if annotate:
        first = result.output[0]
        parts.append(f"First map: corner {first[0, 0]:.3g}, edge {first[0, first.shape[1] // 2]:.3g}, "
                     f"inside {first[first.shape[0] // 2, first.shape[1] // 2]:.3g}.")
    return " ".join(parts)


def _span(values):
    """'from a to b, mean m' of the finite values, and how many are not finite."""
    low, high = values.min(), values.max()
    finite = values if np.isfinite(low) and np.isfinite(high) else values[np.isfinite(values)]
    if finite.size == 0:
        return "all not finite"
    bad = values.size - finite.size
    text = f"from {finite.min():.4g} to {finite.max():.4g}, mean {finite.mean(dtype=np.float64):.4g}"
    return text + (f" ({bad} not finite)" if bad else "")


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
    kernel_tiles = _grid("kernel", kernels, 356, 52, KERNEL_MAP, k_low, k_high)
    kernel_tiles[0]["marks"] += _kernel_values(kernels[0], k_low, k_high)
    map_tiles = _grid("map", maps, 668, 92, map_cmap, y_low, y_high, factor)
    if annotate:
        map_tiles[0]["marks"] += _tutorial_marks(maps[0], factor)
    panels = ([_input_panel(result)] + kernel_tiles + [_strip("kernel_scale", 596, KERNEL_MAP, k_low, k_high)]
              + map_tiles + [_strip("map_scale", 1066, map_cmap, y_low, y_high)])
    texts = _titles(result, source, _notes(result.shape[1], ranges)) + _formula_texts(result.formulas)
    return {"width": WIDTH, "height": HEIGHT, "alt": _alt(result, source, ranges, annotate), "panels": panels,
            "texts": texts, "legend": LEGEND}
