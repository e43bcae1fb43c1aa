"""The figure of ``TrainingExplorer`` as a figure description (docs/figure-format.md): plain data
built from a ``TrainingModel``, drawn by the browser (``LiveFigure``) and by matplotlib (``png()``).

Top: the loss per step (log scale) with the loss after a weight edit, and the chosen parameter
before and after the last step and the gradient that step used; bottom: histograms of each
layer's weights and gradients, and what the last step changed. Signed values use the diverging
colour map PuOr, centred on zero.

The axes and colour scales are kept steady (``steady_limit``): they move to the next "nice"
value only when the data leaves them or shrinks well inside them, so a student sees the data
change rather than the axes. That memory is the ``limits`` dict the view passes in.

>>> from sporelab.widgets.training_model import TrainingModel
>>> model = TrainingModel('dense', seed=0)
>>> _ = model.step(3)
>>> figure = figure_description(model, '0.weight')
>>> [panel['id'] for panel in figure['panels']][:3]
['loss', 'before', 'after']
"""

import math

import numpy as np

from ..i18n import _
from ._palette import NOTE_COLOR, PALETTE
from .training_model import as_2d, histogram

__all__ = ["figure_description", "nice_ceiling", "steady_limit", "BINS", "MAX_POINTS"]

BINS = 31                  # odd: zero sits in the middle of a bin
MAX_POINTS = 150           # the loss curve sent: at most this many points (2 px apart: a long Play stays small)
CMAP = "PuOr"              # signed values: diverging, readable with colour-vision deficiency
WIDTH, HEIGHT = 1120, 580  # CSS px: fills a 1280-px notebook

# A 2 x 5 grid: left 0.055, right 0.93 (room for the last colour bar's labels), top 0.85, bottom
# 0.09; gaps of half a cell, and 60 px more between columns 3 and 4 for the colour bar of the
# "after" heat map.
_BAR_GAP = 60 / WIDTH
_CELL_W, _CELL_H = (0.875 - _BAR_GAP) / 7, 0.76 / 2.5


def _box(row, col, span=1):
    left = 0.055 + 1.5 * _CELL_W * col + (_BAR_GAP if col == 4 else 0.0)
    bottom = 0.09 if row == 1 else 0.85 - _CELL_H
    return [round(v, 4) for v in (left, bottom, _CELL_W * (1.5 * span - 0.5), _CELL_H)]


def nice_ceiling(x):
    """The smallest of 1, 2, 2.5, 5 (times a power of ten) that is >= x; 1 for x <= 0.

    >>> nice_ceiling(0.37), nice_ceiling(7), nice_ceiling(0)
    (0.5, 10.0, 1.0)
    """
    if not x > 0 or not math.isfinite(x):
        return 1.0
    power = 10.0 ** math.floor(math.log10(x))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= x * (1 - 1e-12))


def steady_limit(current, needed, shrink=0.1, headroom=1.5):
    """Keep the axis limit ``current`` while ``needed`` fits and fills more than ``shrink`` of it;
    otherwise move to ``nice_ceiling(headroom * needed)``.

    >>> steady_limit(1.0, 0.5), steady_limit(1.0, 1.2), steady_limit(1.0, 0.05)
    (1.0, 2.0, 0.1)
    """
    needed = float(needed)
    if current is not None and shrink * current < needed <= current:
        return current
    return nice_ceiling(headroom * needed) if needed > 0 else (current or 1.0)


def _plain(value):
    """Two significant digits, a true minus sign, a short exponent: '0.25', '\u22125e37', '1e\u22125'.

    >>> _plain(-0.25), _plain(5e37), _plain(1e-5)
    ('\u22120.25', '5e37', '1e\u22125')
    """
    text = f"{value:.2g}"
    if float(text) == 0:
        return "0"
    mantissa, _, exponent = text.partition("e")
    text = mantissa + (f"e{int(exponent)}" if exponent else "")
    return text.replace("-", "\u2212")


def _abs_max(*arrays):
    """The largest finite |value| of ``arrays`` (0 when none is finite)."""
    finite = [np.abs(a[np.isfinite(a)]) for a in arrays if a is not None]
    return max((float(a.max()) for a in finite if a.size), default=0.0)


def _text(text, x, y, color=PALETTE["muted"], size=14, coords="axes", **extra):
    return dict({"type": "text", "text": text, "x": x, "y": y, "coords": coords, "color": color,
                 "size": size, "align": "center", "valign": "middle", "box": False}, **extra)


def _steady(limits, key, needed, headroom=1.5):
    limits[key] = steady_limit(limits.get(key), needed, headroom=headroom)
    return limits[key]


# ---- the loss curve ---------------------------------------------------------------------------

def _log_ticks(low, high):
    """Powers of ten, and 2, 3, 5 (... 4, 6, 8 on a short span) between them, inside [low, high]."""
    span = math.log10(high / low)
    shown = (1, 2, 3, 4, 5, 6, 8) if span < 0.6 else (1, 2, 3, 5) if span <= 2.01 else (1,)
    ticks = [m * 10.0 ** e for e in range(math.floor(math.log10(low)) - 1, math.ceil(math.log10(high)) + 1)
             for m in shown]
    ticks = [float(f"{t:.6g}") for t in ticks if low * (1 - 1e-9) <= t <= high * (1 + 1e-9)]
    return ticks, [_plain(t) for t in ticks]


def _loss_limits(limits, values):
    """The log axis' [floor, ceiling]: half decades around the data; the floor is kept while the
    data stays within 1.5 decades above it, so a falling loss moves it once per half decade."""
    values = values[np.isfinite(values) & (values > 0)]
    low, high = (float(values.min()), float(values.max())) if values.size else (0.5, 1.0)
    floor = limits.get("loss floor")
    if floor is None or low < floor * 1.1 or low > floor * 10 ** 1.5:
        floor = 10 ** (math.floor(2 * math.log10(low / 1.1)) / 2)
    limits["loss floor"] = floor
    ceiling = max(10 ** (math.ceil(2 * math.log10(high * 1.1)) / 2), floor * 10 ** 0.5)
    return [float(f"{floor:.6g}"), float(f"{ceiling:.6g}")]                # 6 digits: short on the wire


def _thinned(history):
    """(steps, losses): every step of a short history, MAX_POINTS spread evenly over a long one
    (the first and the last always; a non-finite loss, the last one, always shows its gap)."""
    steps = np.arange(history.size)
    if history.size > MAX_POINTS:
        steps = np.unique(np.rint(np.linspace(0, history.size - 1, MAX_POINTS)).astype(np.int64))
    return steps.astype(np.float64), history[steps]


def _edit_marks(edited, history, lim):
    """The orange dot of the loss after a weight edit, and its label on the side away from the
    curve's end (a twelfth of the axis' height away, in log units)."""
    if edited is None:
        return []
    dot = {"type": "line", "x": np.array([float(history.size)]), "y": np.array([edited]),
           "color": PALETTE["second"], "width": 0.0, "marker": "o", "size": 12, "dash": None,
           "label": _("loss after your edit")}
    if not (math.isfinite(edited) and edited > 0):
        return [dot, _text(_("loss after your edit: {loss:.4g}").format(loss=edited), 0.5, 0.85, NOTE_COLOR, box=True)]
    above = not history.size or not np.isfinite(history[-1]) or edited >= history[-1]
    shift = (lim[1] / lim[0]) ** (1 / 12)
    label = _text(_("loss after your edit"), float(history.size), edited * shift if above else edited / shift,
                  PALETTE["second"], 13, coords="data", box=True, valign="bottom" if above else "top")
    return [dot, label]


def _loss_note(model, history):
    """A red note when the last loss is not a positive number (what broke, what to do)."""
    if not history.size or (math.isfinite(history[-1]) and history[-1] > 0):
        return []
    if history[-1] == 0:
        text = _("loss 0 at step {step}: below a log axis (no error left to show)").format(step=history.size - 1)
    else:
        text = _("loss {loss:.4g} at step {step}: the weights diverged.\nPress Reset and lower the learning "
                 "rate.").format(loss=history[-1], step=history.size - 1)
    return [_text(text, 0.5, 0.5, NOTE_COLOR, 14, box=True)]


def _loss_panel(model, limits):
    history = np.asarray(model.history, dtype=np.float64)
    edited = model.edited_loss
    lim = _loss_limits(limits, np.append(history, [] if edited is None else [edited]))
    right = 20
    while right < history.size + 1:
        right *= 2                                  # doubling: the axis moves rarely
    steps, losses = _thinned(history)
    ticks, labels = _log_ticks(*lim)
    few = history.size <= 20                        # a dot per step: the first steps (and a lone one) show
    curve = {"type": "line", "x": steps, "y": losses, "color": PALETTE["sample"], "width": 2.0,
             "marker": "o" if few else None, "size": 5 if few else None, "label": _("training loss")}
    marks = [curve] if history.size else []
    marks += _edit_marks(edited, history, lim) + _loss_note(model, history)
    if not history.size and edited is None:
        marks.append(_text(_("no step yet"), 0.5, 0.5))
    return {"id": "loss", "box": _box(0, 0, span=2), "title": _("loss per step (log scale)"), "xlabel": _("step"),
            "ylabel": _("cross-entropy loss (nats)"), "x": {"scale": "linear", "lim": [0.0, float(right)], "nticks": 5},
            "y": {"scale": "log", "lim": lim, "ticks": ticks, "labels": labels}, "grid": True, "frame": True,
            "marks": marks, "legend": None, "colorbar": None}


# ---- the heat maps ----------------------------------------------------------------------------

def _index_axis(count, along_rows):
    """Ticks at the centres of about 5 cells (3 from 100 cells on: wide labels), steps of 1, 2, 5,
    10 ..., labelled with the cell's index; rows count from the top (row 0 is drawn at the top)."""
    step, factors, most = 1, iter((2, 2.5, 2) * 20), 3 if count >= 100 else 5
    while count > most * step:
        step = int(step * next(factors))
    indices = range(0, count, step)
    ticks = [(count - i - 0.5 if along_rows else i + 0.5, str(i)) for i in indices]
    ticks.sort()
    return {"scale": "linear", "lim": [0.0, float(count)], "ticks": [float(t) for t, _ in ticks],
            "labels": [label for _, label in ticks]}


def _outline(shape, flat):
    """The black square around the entry the weight editor points at (None: no valid entry)."""
    rows, cols = shape
    if flat is None or not 0 <= flat < rows * cols:
        return []
    row, col = divmod(flat, cols)
    top = rows - row
    x = np.array([col, col + 1, col + 1, col, col], dtype=np.float64)
    y = np.array([top, top, top - 1, top - 1, top], dtype=np.float64)
    return [{"type": "line", "x": x, "y": y, "color": color, "width": width}     # white under black:
            for color, width in (("#ffffff", 4.0), ("#000000", 2.0))]          # seen on any colour


def _heat_note(values, stepped):
    if values is None:
        return _("frozen: no gradient") if stepped else _("no step yet")
    return _("all zeros") if not np.any(values) else ""


def _heat_panel(key, box, title, values, limit, stepped, bar=False, shape=None):
    """One heat map: ``values`` (2-D, or None: an empty frame with a note) on PuOr in [-limit, limit],
    with a colour bar when ``bar``."""
    rows, cols = values.shape if values is not None else shape
    marks = [] if values is None else [{"type": "image", "values": values, "cmap": CMAP,
                                        "vmin": -limit, "vmax": limit}]
    note = _heat_note(values, stepped)
    if note:
        marks.append(_text(note, 0.5, 0.5, size=13, box=True))
    return {"id": key, "box": box, "title": title, "xlabel": _("column"),
            "ylabel": _("row") if key == "before" else None,
            "x": _index_axis(cols, False), "y": _index_axis(rows, True), "grid": False, "frame": True,
            "marks": marks, "legend": None,
            "colorbar": {"cmap": CMAP, "vmin": -limit, "vmax": limit, "label": None} if bar else None}


def _heat_panels(model, name, flat, limits):
    before, after = as_2d(model.before(name)).astype(np.float64), as_2d(model.value(name)).astype(np.float64)
    gradient = model.gradient(name)
    gradient = None if gradient is None else as_2d(gradient).astype(np.float64)
    change = as_2d(model.change(name)).astype(np.float64)
    shared = _steady(limits, "values", _abs_max(before, after))
    stepped = bool(model.history)
    panels = [
        _heat_panel("before", _box(0, 2), (_("{name} before the last step") if stepped else _("{name} at the start"))
                    .format(name=name), before, shared, stepped),
        _heat_panel("after", _box(0, 3), _("after it (same colours)") if stepped else _("now (same colours)"),
                    after, shared, stepped, bar=True),
        _heat_panel("gradient", _box(0, 4), _("its gradient in that step"), gradient,
                    _steady(limits, "gradient", _abs_max(gradient)), stepped, True, before.shape),
        _heat_panel("change", _box(1, 4), _("change = after \u2212 before"), change,
                    _steady(limits, "change", _abs_max(change)), stepped, bar=True)]
    panels[1]["marks"] += _outline(after.shape, flat)
    return panels


# ---- the histograms ---------------------------------------------------------------------------

def _hist_notes(values, empty):
    """What the bars cannot show: no values at all, non-finite values, a single repeated value."""
    if values is None:
        return [_text(empty, 0.5, 0.5, size=13)]
    bad = int(values.size - np.isfinite(values).sum())
    if bad:
        return [_text(_("\u25b2 {bad} of {count} not finite").format(bad=bad, count=values.size), 0.02, 0.96,
                      NOTE_COLOR, 12, align="left", valign="top", box=True)]
    if values.size > 1 and np.all(values == values.flat[0]):
        return [_text(_("all {count} values = {value}").format(count=values.size, value=_plain(float(values.flat[0]))),
                      0.5, 0.9, size=13)]
    return []


def _hist_panel(index, limits, values, title, xlabel, color, empty=""):
    data = np.zeros(0) if values is None else np.asarray(values, dtype=np.float64)
    limit = _steady(limits, ("hx", index), _abs_max(data))
    counts, edges = histogram(data, BINS, limit)
    top = _steady(limits, ("hy", index), 1.05 * max(1, counts.max()), headroom=1.2)
    return {"id": f"hist {index}", "box": _box(1, index), "title": title, "xlabel": xlabel, "ylabel": _("count"),
            "x": {"scale": "linear", "lim": [-limit, limit], "ticks": [-limit, 0.0, limit],
                  "labels": [_plain(-limit), "0", _plain(limit)]},
            "y": {"scale": "linear", "lim": [0.0, top], "ticks": [0.0, top / 2, top] if top % 2 == 0 else [0.0, top],
                  "labels": None},
            "grid": False, "frame": True, "legend": None, "colorbar": None,
            "marks": [{"type": "stairs", "edges": edges.astype(np.float64), "heights": counts.astype(np.float64),
                       "color": color, "alpha": 0.8}] + _hist_notes(values, empty)}


def _hist_panels(model, limits):
    panels, why = [], _("no step yet") if not model.history else _("frozen: no gradient")
    for i, (layer, label) in enumerate(model.layers):
        weight = f"{layer}.weight"
        panels.append(_hist_panel(i, limits, model.value(weight), _("{layer}: weights").format(layer=label),
                                  _("{weight} value").format(weight=weight), PALETTE["sample"]))
    for i, (layer, label) in enumerate(model.layers):
        weight = f"{layer}.weight"
        panels.append(_hist_panel(2 + i, limits, model.gradient(weight), _("{layer}: gradients").format(layer=label),
                                  _("{weight} gradient").format(weight=weight), PALETTE["gradient"], why))
    return panels


# ---- the whole figure -------------------------------------------------------------------------

def _settings_text(model, name):
    """The chosen parameter's settings, e.g. '0.weight: lr_mult 1, requires_grad True, grad_req add
    (the buffer sums 3 gradients)'."""
    settings = model.settings(name)
    text = (f"{name}: lr_mult {settings['lr_mult']:g}, requires_grad {settings['requires_grad']}, "
            f"grad_req {settings['grad_req']}")
    if settings["grad_req"] == "add" and settings["requires_grad"]:
        count = model.accumulated(name)
        text += ((_(" (the buffer sums {count} gradients)") if count != 1 else _(" (the buffer sums {count} gradient)"))
                 .format(count=count) if count else _(" (the buffer is empty)"))
    return text


def _texts(model, name, steps):
    data = _("200 spiral points") if model.network == "dense" else _("64 bar images 12\u00d712")
    per_click = (_("{steps} steps per click") if steps > 1 else _("{steps} step per click")).format(steps=steps)
    title = _("{network} network on {data}  \u00b7  init {init}  \u00b7  {optimizer}, lr {lr:.3g}  \u00b7  "
              "{per_click}").format(
        network=model.network, data=data, init=model.init, optimizer=model.optimizer, lr=model.learning_rate,
        per_click=per_click)
    if model.history:
        progress = _("step {step}:  loss {loss:.4g},  accuracy {accuracy:.0f} %").format(
            step=len(model.history), loss=model.history[-1], accuracy=100 * model.accuracy[-1])
    else:
        progress = _("step 0: press Step or \u25b6 to train")
    progress += "   \u00b7   " + _settings_text(model, name)
    return [dict(_text(title, 0.5, 0.985, "#000000", 17, coords="figure"), valign="top"),
            _text(progress, 0.5, 0.925, "#000000", 15, coords="figure")]


def _alt(model, name, flat):
    """The text alternative: what a screen reader needs to follow training."""
    parts = [_("Training the {network} network, init {init}, {optimizer} with learning rate {lr:.3g}; "
               "{settings}.").format(
        network=model.network, init=model.init, optimizer=model.optimizer, lr=model.learning_rate,
        settings=_settings_text(model, name))]
    if model.history:
        parts.append(_("Step {step}: loss {loss:.4g} (step 0: {first:.4g}), accuracy {accuracy:.0f} %.").format(
            step=len(model.history), loss=model.history[-1], first=model.history[0],
            accuracy=100 * model.accuracy[-1]))
    else:
        parts.append(_("No step yet."))
    if model.edited_loss is not None:
        parts.append(_("Loss after your edit: {loss:.4g}.").format(loss=model.edited_loss))
    value, gradient = model.value(name), model.gradient(name)
    finite = value[np.isfinite(value)]
    spread = (_("values from {low:.3g} to {high:.3g}").format(low=finite.min(), high=finite.max()) if finite.size
              else _("no finite value"))
    parts.append(_("Parameter {name}, shape {shape}: {spread}; ").format(name=name, shape=tuple(value.shape),
                                                                         spread=spread)
                 + (_("no gradient.") if gradient is None else
                    _("largest gradient |g| {grad:.3g}; largest change |\u0394| {change:.3g}.").format(
                        grad=_abs_max(gradient), change=_abs_max(model.change(name)))))
    if flat is not None and flat < value.size:
        parts.append(_("Entry {flat} of {name} = {value:.4g}.").format(flat=flat, name=name,
                                                                       value=float(value.flat[flat])))
    return " ".join(parts)


def figure_description(model, name, flat=None, steps=1, limits=None):
    """The explorer's figure for ``model`` with parameter ``name`` in the heat maps.

    Args:
        model (TrainingModel): what to show.
        name (str): the parameter of the heat maps, one of ``model.names``.
        flat (int or None): the flat position the weight editor points at (outlined), or None.
        steps (int): steps per click, shown in the title.
        limits (dict or None): the steady axis limits, kept between calls (the view's memory;
            an empty dict after a reset). None: fresh limits.

    Returns:
        dict: the description (docs/figure-format.md) with the panels 'loss', 'before', 'after',
        'gradient', 'change' and 'hist 0' .. 'hist 3'.

    >>> from sporelab.widgets.training_model import TrainingModel
    >>> figure = figure_description(TrainingModel('conv', seed=1), '3.weight')
    >>> figure['panels'][2]['marks'][0]['values'].shape
    (2, 576)
    """
    limits = {} if limits is None else limits
    panels = [_loss_panel(model, limits)] + _heat_panels(model, name, flat, limits) + _hist_panels(model, limits)
    return {"width": WIDTH, "height": HEIGHT, "alt": _alt(model, name, flat), "panels": [_compact(p) for p in panels],
            "texts": _texts(model, name, steps)}


_DEFAULTS = {"grid": False, "frame": True}


def _compact(panel):
    """The panel without None entries and the format's defaults: fewer bytes on every change."""
    marks = [{k: v for k, v in mark.items() if v is not None} for mark in panel["marks"]]
    kept = {k: v for k, v in panel.items() if v is not None and not (k in _DEFAULTS and _DEFAULTS[k] == v)}
    return dict(kept, marks=marks)
