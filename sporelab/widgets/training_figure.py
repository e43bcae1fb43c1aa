"""The figure of ``TrainingExplorer``: its artists, built once and moved in place, and a pane that
redraws only what moved.

Why a pane of its own: a full Agg draw of this figure (nine axes, some 170 tick labels and titles)
costs about 200 ms, most of it rendering text, while a training step costs 1-2 ms. The axes
limits and colour scales are therefore kept steady (they move to the next "nice" value only when
the data leaves them or shrinks well inside them), and the pane (``_blit.BlitPane``) keeps the
static layer as a bitmap: a frame restores it and draws only the moving artists (lines, images, histogram outlines,
a few texts), about 30 ms with the PNG encoding; a panel whose limits moved is redrawn alone
(10-50 ms more).
"""

import math

import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ._view import PALETTE
from .training_model import as_2d, histogram

__all__ = ["TrainingFigure", "nice_ceiling", "steady_limit"]

BINS = 31                  # odd: zero sits in the middle of a bin
_VALUE_MAP, _DELTA_MAP = "RdBu_r", "PRGn"


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
    otherwise move to ``nice_ceiling(headroom * needed)``: steady axes, so a student sees the
    data change rather than the axes, and the figure's static layer is rarely redrawn.

    >>> steady_limit(1.0, 0.5), steady_limit(1.0, 1.2), steady_limit(1.0, 0.05)
    (1.0, 2.0, 0.1)
    """
    needed = float(needed)
    if current is not None and shrink * current < needed <= current:
        return current
    return nice_ceiling(headroom * needed) if needed > 0 else (current or 1.0)


def _plain(value, _position=None):
    return f"{value:.2g}"


def _minor_label(value, limits):
    """Which minor ticks of a log axis get a label, so that they never crowd: 2, 3, 4, 5, 6, 8
    (times a power of ten) on a span under 0.6 decades, 2, 3, 5 up to 2 decades, none beyond."""
    span = math.log10(limits[1] / limits[0])
    leading = round(value / 10 ** math.floor(math.log10(value) + 1e-9))
    shown = (2, 3, 4, 5, 6, 8) if span < 0.6 else (2, 3, 5) if span <= 2.01 else ()
    return _plain(value) if leading in shown else ""


class TrainingFigure:
    """The explorer's artists: the loss curve, four heatmaps of the chosen parameter (before,
    after, its gradient, the change) and histograms of each layer's weights and gradients.

    Args:
        pane (BlitPane): the pane whose figure is drawn into; its ``dynamic``, ``regions`` and
            ``keys`` are set here.
    """

    def __init__(self, pane):
        figure = self.figure = pane.figure
        grid = figure.add_gridspec(2, 5, left=0.055, right=0.955, top=0.85, bottom=0.09, wspace=0.5, hspace=0.5)
        self.title = figure.suptitle("", fontsize=13, y=0.985)
        self.progress = figure.text(0.5, 0.925, "", ha="center", va="center", fontsize=12)
        self._limits = {}
        self._build_loss(figure.add_subplot(grid[0, 0:2]))
        self.heat = {key: self._build_heatmap(figure.add_subplot(grid[row, col]), cmap, bar)
                     for key, row, col, cmap, bar in
                     (("before", 0, 2, _VALUE_MAP, False), ("after", 0, 3, _VALUE_MAP, True),
                      ("gradient", 0, 4, _DELTA_MAP, True), ("change", 1, 4, _DELTA_MAP, True))}
        self.marker = Rectangle((0, 0), 1, 1, fill=False, lw=2, ec="black", visible=False)
        self.heat["after"][0].add_patch(self.marker)
        self.hists = [self._build_hist(figure.add_subplot(grid[1, col]), colour)
                      for col, colour in ((0, PALETTE["sample"]), (1, PALETTE["sample"]),
                                          (2, PALETTE["gradient"]), (3, PALETTE["gradient"]))]
        self._wire(pane)

    def _wire(self, pane):
        """Tell the pane what moves every frame and what each static panel depends on."""
        pane.dynamic = ([self.loss_line, self.edit_dot, self.edit_label, self.loss_note, self.progress]
                        + [a for _, image, note, _ in self.heat.values() for a in (image, note)] + [self.marker]
                        + [a for _, patch, note in self.hists for a in (patch, note)])
        panels = {"title": (self.title,), "loss": (self.loss_ax,)}
        panels.update({name: (ax, bar) if bar else (ax,) for name, (ax, _, _, bar) in self.heat.items()})
        panels.update({f"hist {i}": (ax,) for i, (ax, _, _) in enumerate(self.hists)})
        pane.regions = {name: (None, artists) for name, artists in panels.items()}   # area: their extent
        pane.keys = {name: self._key(artists, self.heat[name][1] if name in self.heat else None)
                     for name, artists in panels.items() if name != "title"}
        pane.keys["title"] = self.title.get_text

    @staticmethod
    def _key(axes, image=None):
        """What a panel's static look depends on: its limits, labels and colour scale."""
        return lambda: (tuple((ax.get_xlim(), ax.get_ylim(), ax.get_title(), ax.get_xlabel(), ax.get_ylabel())
                              for ax in axes), image.get_clim() if image is not None else None)

    # ---- building --------------------------------------------------------------------------------
    def _build_loss(self, ax):
        ax.set_yscale("log")
        # Plain decimals (0.6, not 6x10^-1), and minor labels only where they do not crowd.
        ax.yaxis.set_major_formatter(FuncFormatter(_plain))
        ax.yaxis.set_minor_formatter(FuncFormatter(lambda v, _: _minor_label(v, ax.get_ylim())))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("step")
        ax.set_ylabel("cross-entropy loss (nats)")
        ax.set_title("loss per step (log scale)", fontsize=11)
        ax.grid(True, which="major", alpha=0.3)
        (self.loss_line,) = ax.plot([], [], color=PALETTE["sample"], lw=2, label="training loss")
        (self.edit_dot,) = ax.plot([], [], "o", color=PALETTE["second"], ms=9)
        self.edit_label = ax.annotate("", (0, 1), xytext=(0, 16), textcoords="offset points", ha="center",
                                      va="center", color=PALETTE["second"], fontsize=10, annotation_clip=False,
                                      bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.85})
        self.loss_note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                                 color=PALETTE["muted"], fontsize=11)
        self.loss_ax = ax

    @staticmethod
    def _build_heatmap(ax, cmap, colourbar):
        image = ax.imshow(np.zeros((1, 1)), cmap=cmap, aspect="auto", interpolation="nearest", vmin=-1, vmax=1)
        bar = None
        if colourbar:
            colourbar = ax.figure.colorbar(image, ax=ax, fraction=0.1, pad=0.04)
            colourbar.locator = MaxNLocator(nbins=4, symmetric=True)   # the colour bar keeps these
            colourbar.formatter = FuncFormatter(_plain)                 # no offset text
            bar = colourbar.ax
            bar.tick_params(labelsize=8)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        ax.set_xlabel("column")
        ax.tick_params(labelsize=8)
        note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                       color=PALETTE["muted"], fontsize=10)
        return ax, image, note, bar

    @staticmethod
    def _build_hist(ax, colour):
        patch = ax.stairs(np.zeros(BINS), np.linspace(-1, 1, BINS + 1), fill=True, color=colour, alpha=0.8)
        ax.set_ylabel("count")
        ax.xaxis.set_major_formatter(FuncFormatter(_plain))     # ticks at -limit, 0, limit: no offset text
        ax.tick_params(labelsize=8)
        note = ax.text(0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center",
                       color=PALETTE["muted"], fontsize=10)
        return ax, patch, note

    def forget_limits(self):
        """Let every axis find its limits afresh (after a reset or a new network)."""
        self._limits = {}

    def _steady(self, key, needed, headroom=1.5):
        self._limits[key] = steady_limit(self._limits.get(key), needed, headroom=headroom)
        return self._limits[key]

    # ---- updates ---------------------------------------------------------------------------------
    def update(self, model, name, flat=None, steps=1):
        """Show ``model``'s state with parameter ``name`` in the heatmaps (``flat``: the entry the
        weight editor points at, outlined; ``steps``: steps per click, shown in the title)."""
        self._update_title(model, steps)
        self._update_loss(model)
        self._update_heatmaps(model, name, flat)
        for i, (layer, label) in enumerate(model.layers):
            weight = f"{layer}.weight"
            self._update_hist(i, model.value(weight), f"{label}: weights", f"{weight} value")
            why = "no step yet" if not model.history else "frozen: no gradient"
            self._update_hist(2 + i, model.gradient(weight), f"{label}: gradients", f"{weight} gradient", why)

    def _update_title(self, model, steps):
        data = "200 spiral points" if model.network == "dense" else "64 bar images 12×12"
        self.title.set_text(f"{model.network} network on {data}  ·  init {model.init}  ·  {model.optimizer}, "
                            f"lr {model.learning_rate:.3g}  ·  {steps} step{'s' if steps > 1 else ''} per click")
        if model.history:
            self.progress.set_text(f"step {len(model.history)}:  loss {model.history[-1]:.4g},  "
                                   f"accuracy {100 * model.accuracy[-1]:.0f} %")
        else:
            self.progress.set_text("step 0: press Step or ▶ to train")

    def _update_loss(self, model):
        ax, history = self.loss_ax, np.asarray(model.history)
        self.loss_line.set_data(np.arange(history.size), history)
        edited = [] if model.edited_loss is None else [model.edited_loss]
        self.edit_dot.set_data([history.size] * len(edited), edited)
        self.edit_label.set_text("loss after your edit" if edited else "")
        if edited:                      # the label on the side of the dot away from the curve's end
            self.edit_label.xy = (history.size, edited[0])
            above = not history.size or edited[0] >= history[-1]
            self.edit_label.set_position((0, 16 if above else -16))
        values = np.concatenate([history, edited])
        values = values[values > 0] if (values > 0).any() else np.array([0.5, 1.0])
        right = 20
        while right < history.size + 1:
            right *= 2                                  # doubling: the axis moves rarely
        ax.set_xlim(0, right)
        ax.set_ylim(self._loss_floor(values.min()), 10 ** (math.ceil(2 * math.log10(values.max() * 1.1)) / 2))
        self.loss_note.set_text("" if history.size or edited else "no step yet")

    def _loss_floor(self, smallest):
        """The log axis' floor, in half decades below the data; kept while the data stays within
        1.5 decades above it, so a falling loss moves it once per half decade at most."""
        floor = self._limits.get("loss floor")
        if floor is None or smallest < floor * 1.1 or smallest > floor * 10 ** 1.5:
            floor = 10 ** (math.floor(2 * math.log10(smallest / 1.1)) / 2)
        self._limits["loss floor"] = floor
        return floor

    def _update_heatmaps(self, model, name, flat):
        before, after = as_2d(model.before(name)), as_2d(model.value(name))
        gradient = model.gradient(name)
        values = {"before": before, "after": after, "change": after - before,
                  "gradient": None if gradient is None else as_2d(gradient)}
        shared = self._steady("values", max(np.abs(before).max(), np.abs(after).max()))
        titles = {"before": f"{name} before the last step" if model.history else f"{name} at the start",
                  "after": "after it (same colours)" if model.history else "now (same colours)",
                  "gradient": "its gradient in that step", "change": "change = after − before"}
        for key, (ax, image, note, _) in self.heat.items():
            data = values[key] if values[key] is not None else np.zeros_like(before)
            rows, cols = data.shape
            image.set_data(data)
            image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
            ax.set_xlim(-0.5, cols - 0.5)
            ax.set_ylim(rows - 0.5, -0.5)
            limit = shared if key in ("before", "after") else self._steady(key, float(np.abs(data).max()))
            image.set_clim(-limit, limit)
            ax.set_title(titles[key], fontsize=10)
            note.set_text(self._heatmap_note(values[key], bool(model.history)))
        self.heat["before"][0].set_ylabel("row")
        self._place_marker(after.shape, flat)

    @staticmethod
    def _heatmap_note(data, stepped):
        if data is None:
            return "frozen: no gradient" if stepped else "no step yet"
        return "" if np.any(data) else "all zeros"

    def _place_marker(self, shape, flat):
        if flat is None or flat >= shape[0] * shape[1]:
            self.marker.set_visible(False)
            return
        row, col = divmod(flat, shape[1])
        self.marker.set_xy((col - 0.5, row - 0.5))
        self.marker.set_visible(True)

    def _update_hist(self, i, values, title, xlabel, empty=""):
        ax, patch, note = self.hists[i]
        data = np.zeros(0) if values is None else values
        limit = self._steady(("hx", i), float(np.abs(data).max()) if data.size else 0.0)
        counts, edges = histogram(data, BINS, limit)
        patch.set_data(counts, edges)
        ax.set_xlim(-limit, limit)
        ax.set_xticks([-limit, 0.0, limit])
        top = self._steady(("hy", i), 1.05 * max(1, counts.max()), headroom=1.2)
        ax.set_ylim(0, top)
        ax.set_yticks([0, top / 2, top] if top % 2 == 0 else [0, top])
        note.set_text("" if values is not None else empty)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel(xlabel)
