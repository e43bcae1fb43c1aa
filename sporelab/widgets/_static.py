"""matplotlib's drawing of a resolved figure description (the static twin of the renderer in widgets/src/).

Used for ``explorer.pane.png()``: the labs' stored figures, the README images, readers without a
kernel (GitHub, nbviewer). It draws only what ``_figure.resolve`` decided: the same limits, ticks,
labels and notes as the browser.
"""

import io
import warnings

import numpy as np

from ._palette import NOTE_COLOR
from ._fonts import families, rc

__all__ = ["draw_png"]

_PX_PER_INCH = 100          # the figure is width/100 x height/100 inches: one CSS px a dot at dpi 100
_DASHES = {None: "-", "dashed": "--", "dotted": ":"}
_LEGEND_LOC = {"upper right": "upper right", "upper left": "upper left", "lower right": "lower right",
               "lower left": "lower left"}


def _points(px):
    return px * 72.0 / _PX_PER_INCH


def _axis(ax, axis, spec):
    from matplotlib.ticker import NullLocator
    set_scale, set_lim = getattr(ax, f"set_{axis}scale"), getattr(ax, f"set_{axis}lim")
    with warnings.catch_warnings():     # a log panel with nothing positive: resolve() wrote its note
        warnings.filterwarnings("ignore", "Data has no positive values", UserWarning)
        set_scale(spec["scale"])
    set_lim(*spec["lim"])
    if spec.get("hidden"):
        getattr(ax, f"set_{axis}ticks")([])
        return
    getattr(ax, f"set_{axis}ticks")(spec["ticks"], spec["labels"])
    getattr(ax, f"{axis}axis").set_minor_locator(NullLocator())     # a log axis would add its own


def _stairs(ax, mark):
    heights = np.where(np.isfinite(mark["heights"]), mark["heights"], 0.0)
    ax.stairs(heights, mark["edges"], fill=True, color=mark.get("color", "#1f77b4"),
              alpha=mark.get("alpha", 1.0), label=mark.get("label"))


def _line(ax, mark):
    x, y = mark["x"].copy(), mark["y"].copy()
    bad = ~(np.isfinite(x) & np.isfinite(y))
    x[bad], y[bad] = np.nan, np.nan
    width = mark.get("width", 2.0)
    ax.plot(x, y, color=mark.get("color", "#1f77b4"), lw=_points(width) if width else 0,
            ls=_DASHES.get(mark.get("dash"), "-") if width else "none",
            marker=mark.get("marker") or "", ms=_points(mark.get("size", 6)), mec="black", mew=0.5,
            label=mark.get("label"))


def _rule(ax, mark):
    draw = ax.axvline if mark["axis"] == "x" else ax.axhline
    draw(mark["value"], color=mark.get("color", "#7f7f7f"), lw=_points(mark.get("width", 1.2)),
         ls=_DASHES.get(mark.get("dash"), "-"))


def _image(ax, mark):
    import matplotlib
    from matplotlib.collections import PatchCollection
    from matplotlib.patches import Rectangle
    values = np.ma.masked_invalid(mark["values"])
    cmap = matplotlib.colormaps[mark.get("cmap", "viridis")].with_extremes(bad="#ffffff")
    rows, cols = values.shape
    ax.imshow(values, cmap=cmap, vmin=mark["vmin"], vmax=mark["vmax"], interpolation="nearest",
              extent=(0, cols, 0, rows), aspect="auto", origin="upper")
    bad = np.argwhere(np.ma.getmaskarray(values))
    if bad.size:        # hatched like figure.js draws a non-finite pixel
        cells = [Rectangle((c, rows - r - 1), 1, 1) for r, c in bad]
        ax.add_collection(PatchCollection(cells, facecolor="none", edgecolor=NOTE_COLOR, hatch="////",
                                          linewidth=0))


def _text(ax, mark):
    transform = ax.transAxes if mark.get("coords", "axes") == "axes" else ax.transData
    box = dict(boxstyle="round,pad=0.3", facecolor="white", edgecolor=mark.get("color", "#222"),
               alpha=0.9) if mark.get("box") else None
    ax.text(mark["x"], mark["y"], mark["text"], transform=transform, color=mark.get("color", "#222"),
            fontsize=_points(mark.get("size", 12)), ha=mark.get("align", "left"),
            va={"middle": "center"}.get(mark.get("valign", "top"), mark.get("valign", "top")), bbox=box,
            zorder=5, fontfamily=families(mark.get("family", "sans-serif")))


_DRAW = {"stairs": _stairs, "line": _line, "rule": _rule, "image": _image, "text": _text}


def _legend(target, legend, figure=None):
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = []
    for item in legend["items"]:
        if item.get("kind", "line") == "patch":
            handles.append(Patch(color=item["color"], alpha=item.get("alpha", 1.0), label=item["label"]))
        else:
            marker = item.get("marker") or ("o" if item.get("kind") == "marker" else "")
            handles.append(Line2D([], [], color=item["color"], ls="none" if item.get("kind") == "marker"
                                  else _DASHES.get(item.get("dash"), "-"), marker=marker, mec="black",
                                  mew=0.5, label=item["label"]))
    loc = legend.get("loc", "upper right")
    options = dict(handles=handles, fontsize=_points(legend.get("size", 12)), ncol=legend.get("columns", 1),
                   frameon=False)
    if figure is not None:
        target.legend(loc="upper left", bbox_to_anchor=(legend.get("x", 0.8), legend.get("y", 0.9)), **options)
    elif loc == "right":
        target.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), **options)
    elif loc == "above":
        target.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), **options)
    else:
        target.legend(loc=_LEGEND_LOC.get(loc, "upper right"), **options)


def _legend_above(legend):
    """Points a legend placed "above" takes between the box and the title (figure.js's rows)."""
    if not legend or legend.get("loc") != "above" or not legend.get("items"):
        return 0.0
    rows = -(-len(legend["items"]) // legend.get("columns", 1))
    return _points(rows * 1.5 * legend.get("size", 12) + 4)


def _panel(figure, panel):
    ax = figure.add_axes(panel["box"])
    for mark in panel["marks"]:
        _DRAW[mark["type"]](ax, mark)
    _axis(ax, "x", panel["x"])
    _axis(ax, "y", panel["y"])
    if not panel.get("frame", True):
        ax.set_axis_off()
    if panel.get("grid"):
        ax.grid(True, alpha=0.25)
    ax.tick_params(labelsize=_points(11))
    ax.set_title(panel.get("title", ""), fontsize=_points(13), pad=6 + _legend_above(panel.get("legend")))
    ax.set_xlabel(panel.get("xlabel", ""), fontsize=_points(12))
    ax.set_ylabel(panel.get("ylabel", ""), fontsize=_points(12))
    if panel.get("legend"):
        _legend(ax, panel["legend"])
    if panel.get("colorbar"):
        _colorbar(figure, ax, panel["colorbar"])


def _colorbar(figure, ax, bar):
    """A colour bar right of the panel (8 px gap, 12 px wide, the panel's height), not inside it."""
    import matplotlib
    from matplotlib.cm import ScalarMappable
    left, bottom, width, height = ax.get_position().bounds
    pixels_wide = figure.get_figwidth() * _PX_PER_INCH
    cax = figure.add_axes((left + width + 8 / pixels_wide, bottom, 12 / pixels_wide, height))
    mappable = ScalarMappable(norm=matplotlib.colors.Normalize(bar["vmin"], bar["vmax"]),
                              cmap=matplotlib.colormaps[bar.get("cmap", "viridis")])
    colorbar = figure.colorbar(mappable, cax=cax)
    colorbar.set_ticks(bar["ticks"], labels=bar["labels"])
    colorbar.ax.tick_params(labelsize=_points(10))
    if bar.get("label"):
        colorbar.set_label(bar["label"], fontsize=_points(11))


def draw_png(resolved, dpi=80):
    """PNG bytes of ``resolved`` (see ``_figure.render_png``), its text in DejaVu with a CJK fallback."""
    import matplotlib
    with matplotlib.rc_context(rc()):
        return _draw(resolved, dpi)


def _draw(resolved, dpi):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    figure = Figure(figsize=(resolved["width"] / _PX_PER_INCH, resolved["height"] / _PX_PER_INCH),
                    dpi=_PX_PER_INCH)
    FigureCanvasAgg(figure)
    for panel in resolved["panels"]:
        _panel(figure, panel)
    for text in resolved.get("texts", ()):
        figure.text(text["x"], text["y"], text["text"], color=text.get("color", "#222"),
                    fontsize=_points(text.get("size", 12)), ha=text.get("align", "left"),
                    va={"middle": "center"}.get(text.get("valign", "top"), text.get("valign", "top")))
    if resolved.get("legend"):
        _legend(figure, resolved["legend"], figure=figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, facecolor="white", pil_kwargs={"compress_level": 1})
    return buffer.getvalue()
