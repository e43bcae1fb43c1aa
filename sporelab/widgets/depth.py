"""``DepthExplorer``: activations and gradients across a deep stack, the "why initialisation matters"
lesson.

The student picks a depth, a layer type (Dense or Conv2d), an activation and an initializer; the
figure shows, for the same fixed batch, a row of per-layer activation histograms (fixed bins, so a
vanishing signal collapses to a spike at 0 and a saturated tanh piles up at +-1), the activation
standard deviation per layer and the gradient norms per layer (log scales), under the model's
verdict ("activations vanish: std falls from 0.11 to 3.4e-10 over 10 layers").

>>> from sporelab.widgets import DepthExplorer       # doctest: +SKIP
>>> DepthExplorer()                                   # doctest: +SKIP

The computation lives in ``depth_model.DepthModel`` (no ipywidgets, no matplotlib); this module only
draws its numbers, updating the artists built once in ``__init__``.
"""

import functools
import html
import math

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullLocator

from ._blit import BlitPane
from ._view import PALETTE, ErrorBox, dropdown, guarded, slider
from .depth_model import ACTIVATIONS, BINS, DepthModel, _fmt

__all__ = ["DepthExplorer", "DepthModel"]

PANELS = 10            # histograms shown at most; deeper stacks show evenly spaced layers
_INIT_OPTIONS = [("Normal(sigma)", "normal"), ("XavierUniform", "xavier_uniform"),
                 ("XavierNormal", "xavier_normal"), ("HeNormal", "he_normal"),
                 ("HeUniform", "he_uniform"), ("Orthogonal", "orthogonal"),
                 ("Identity (Dense)", "identity"), ("Dirac (Conv2d)", "dirac")]
PRESETS = {
    "r1.x default: ReLU + Normal(0.01)": {"activation": "relu", "init": "normal", "sigma": 0.01},
    "He for ReLU: ReLU + HeNormal": {"activation": "relu", "init": "he_normal"},
    "Xavier for tanh: tanh + XavierUniform": {"activation": "tanh", "init": "xavier_uniform"},
}
_TICKS = {"tanh": [-1, 0, 1], "sigmoid": [0, 0.5, 1], "relu": [0, 2, 4], "linear": [-4, 0, 4]}
_FLAT_TITLE = {"tanh": "Saturated: share with |a| > 0.99", "sigmoid": "Saturated: a < 0.01 or a > 0.99",
               "relu": "Dead: share of values with a = 0", "linear": "Flat region: none for linear"}
_PLAIN = FuncFormatter(lambda value, _pos: f"{value:g}".replace("-", "\N{MINUS SIGN}"))
_ACT_TEXT = {"tanh": "tanh", "sigmoid": "sigmoid", "relu": "ReLU", "linear": "the layer (no activation)"}


def _log_limits(series, floor, ceil, previous=None):
    """Log-axis limits (decade exponents) in steps of 3 decades covering the finite positive values
    of ``series`` and at least [floor, ceil].

    ``previous`` limits are kept while they hold the data and the data fill at least half of them:
    small moves (another seed, a nearby sigma) then leave the axes, and the cached background with
    their tick labels, as they were; a big change rescales.
    """
    values = np.concatenate([np.ravel(s) for s in series])
    values = values[np.isfinite(values) & (values > 0)]
    low, high = floor, ceil
    if values.size:
        low = min(low, 3 * math.floor(math.log10(values.min()) / 3))
        high = max(high, 3 * math.ceil(math.log10(values.max()) / 3))
    inside = previous is not None and previous[0] <= low and high <= previous[1]
    if inside and 2 * (high - low) >= previous[1] - previous[0]:
        return previous
    return low, high


def _positive(values):
    """``values`` with zeros, negatives and non-finite entries as NaN (gaps on a log axis)."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


class DepthExplorer(widgets.VBox):
    """Explore vanishing and exploding signals in a stack of layers; see the module docstring.

    Args: the starting values of ``DepthModel`` (depth, width, layer, activation, init, sigma,
    seed). ``width`` is the Dense width, or the channels when ``layer='Conv2d'``; values beyond a
    slider's range are clamped to it.

    Controls (public, so notebooks and tests can set them): ``depth`` (1-30), ``layer``,
    ``width`` (16-512, Dense), ``channels`` (4-64, Conv2d), ``activation``, ``init``, ``sigma``
    (log slider 0.001-10, shown only for Normal), ``seed`` (0-99), and the preset buttons in
    ``presets`` (a dict label -> Button). ``model`` is the DepthModel, ``pane`` the FigurePane (a
    ``_blit.BlitPane`` with fixed regions), ``errors`` the ErrorBox, ``verdict`` an HTML banner with
    the model's verdict (above the figure), ``code`` an HTML line with the layer's engine code
    (``model.code()`` gives a full script).
    Every control change recomputes the stack and redraws once; a rejected combination (Identity
    for Conv2d, Dirac for Dense) is explained in ``errors`` and leaves the figure as it was.

    Raises:
        TypeError, ValueError: starting values that ``DepthModel`` rejects.
    """

    def __init__(self, depth=10, width=128, layer="Dense", activation="tanh", init="normal",
                 sigma=0.01, seed=0):
        super().__init__()
        channels = width if layer == "Conv2d" else 16
        self.model = DepthModel(depth=depth, width=width, layer=layer, activation=activation,
                                init=init, sigma=sigma, seed=seed)
        self.pane, self.errors = BlitPane(figsize=(14, 5.9)), ErrorBox()
        self._make_controls(depth, width if layer == "Dense" else 128, channels, sigma, seed)
        wanted = self._settings()        # the sliders clamp values beyond their ranges: follow them
        if any(self.model.settings[key] != value for key, value in wanted.items()):
            self.model.update(**wanted)
        self._syncing, self._limits = False, (None, None)
        self._build_figure()
        self._show_controls()
        self._draw()
        self.children = [
            widgets.HBox([self.layer, self.depth, self.width, self.channels]),
            widgets.HBox([self.activation, self.init, self.sigma, self.seed]),
            widgets.HBox(list(self.presets.values())), self.errors, self.verdict, self.pane.widget, self.code]

    # ---- controls --------------------------------------------------------------------------------
    def _make_controls(self, depth, width, channels, sigma, seed):
        s = self.model.settings
        self.layer = dropdown("layer", ["Dense", "Conv2d"], s["layer"])
        self.depth = slider("depth (layers)", depth, 1, 30, 1, kind="int")
        self.width = slider("width (units)", min(max(width, 16), 512), 16, 512, 16, kind="int")
        self.channels = slider("channels (16x16 maps)", min(max(channels, 4), 64), 4, 64, 4, kind="int")
        self.activation = dropdown("activation", list(ACTIVATIONS), s["activation"])
        self.init = dropdown("weight_init", _INIT_OPTIONS, s["init"])
        self.sigma = widgets.FloatLogSlider(value=sigma, base=10, min=-3, max=1, step=0.1,
                                            description="sigma", readout_format=".3g",
                                            continuous_update=False)
        self.seed = slider("seed", seed, 0, 99, 1, kind="int")
        self.presets = {label: widgets.Button(description=label, layout=widgets.Layout(width="auto"))
                        for label in PRESETS}
        self.code, self.verdict = widgets.HTML(), widgets.HTML()
        for control in (self.layer, self.depth, self.width, self.channels, self.activation, self.init,
                        self.sigma, self.seed):
            control.observe(self._on_change, names="value")
        for label, button in self.presets.items():
            button.on_click(functools.partial(self._on_preset, label))

    def _show_controls(self):
        """Show the width slider for Dense, channels for Conv2d, sigma only for Normal."""
        conv = self.layer.value == "Conv2d"
        self.width.layout.display = "none" if conv else None
        self.channels.layout.display = None if conv else "none"
        self.sigma.layout.display = None if self.init.value == "normal" else "none"

    def _settings(self):
        conv = self.layer.value == "Conv2d"
        return dict(depth=self.depth.value, layer=self.layer.value,
                    width=self.channels.value if conv else self.width.value,
                    activation=self.activation.value, init=self.init.value,
                    sigma=float(self.sigma.value), seed=self.seed.value)

    @guarded
    def _on_change(self, _change=None):
        if not self._syncing:
            self._refresh()

    @guarded
    def _on_preset(self, label, _button=None):
        self._syncing = True          # one recomputation and one redraw for the whole preset
        try:
            for name, value in PRESETS[label].items():
                getattr(self, name).value = value
        finally:
            self._syncing, self._limits = False, (None, None)     # a preset starts on fresh axes
        self._refresh()

    def _refresh(self):
        self._show_controls()
        self.model.update(**self._settings())
        self._draw()

    # ---- figure ----------------------------------------------------------------------------------
    def _build_figure(self):
        fig = self.pane.figure
        grid = fig.add_gridspec(2, 1, height_ratios=[1, 1.5], left=0.06, right=0.985, top=0.865,
                                bottom=0.1, hspace=0.56)
        row = grid[0].subgridspec(1, PANELS, wspace=0.3)
        self._hists = [self._hist_panel(fig.add_subplot(row[0, i]), i == 0) for i in range(PANELS)]
        self._hists[0][0].set_ylabel("values\nper bin", fontsize=11)
        bottom = grid[1].subgridspec(1, 3, wspace=0.33, width_ratios=[1, 0.8, 1.2])
        self._ax_std, self._ax_flat, self._ax_grad = (fig.add_subplot(bottom[0, i]) for i in range(3))
        self._build_lines()
        self._caption = fig.text(0.06, 0.95, "", ha="left", va="bottom", fontsize=12)
        self.pane.dynamic = ([patch for _, patch, _ in self._hists]
                             + [self._std_line, self._flat_line, self._wgrad_line, self._igrad_line])
        self.pane.regions = self._regions()

    def _regions(self):
        """Rectangles (figure fractions) that hold each part's ticks, labels and titles; a test
        checks that every static artist stays inside its own."""
        split = self._hists[0][0].get_position().y0 - 0.05          # under the histograms' tick labels
        cuts = [ax.get_position().x1 + 0.016 for ax in (self._ax_std, self._ax_flat)]
        return {"top": ((0, split, 1, 1), [ax for ax, _, _ in self._hists] + [self._caption]),
                "std": ((0, 0, cuts[0], split), [self._ax_std]),
                "flat": ((cuts[0], 0, cuts[1], split), [self._ax_flat]),
                "grad": ((cuts[1], 0, 1, split), [self._ax_grad])}

    @staticmethod
    def _hist_panel(ax, labelled):
        patch = ax.stairs(np.zeros(1), [0.0, 1.0], fill=True, facecolor=PALETTE["sample"], alpha=0.85,
                          edgecolor=PALETTE["sample"], linewidth=1.0)     # a one-bin spike stays visible
        ax.yaxis.set_major_locator(NullLocator())
        # Small multiples share their x axis: tick labels under the first panel only (less to read,
        # and text is what costs most in a redraw). A plain formatter and a text for the title skip
        # ScalarFormatter's offsets and the title-placement pass: this row is redrawn as a whole.
        ax.xaxis.set_major_formatter(_PLAIN)
        ax.tick_params(labelsize=10, labelbottom=labelled)
        title = ax.text(0.5, 1.03, "", transform=ax.transAxes, ha="center", va="bottom", fontsize=11)
        return ax, patch, title

    def _build_lines(self):
        # Few ticks on purpose: every label is text, the slowest thing to draw (see _blit.BlitPane).
        axes = ((self._ax_std, "layer", "std of the activations"),
                (self._ax_flat, "layer (1 = next to the input)", "share of values (%)"),
                (self._ax_grad, "layer", "gradient norm"))
        for ax, xlabel, ylabel in axes:
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
            ax.xaxis.set_major_formatter(_PLAIN)
            ax.set_xlabel(xlabel, fontsize=11)
            ax.set_ylabel(ylabel, fontsize=11)
            ax.tick_params(labelsize=10)
            ax.grid(True, alpha=0.3)
        for ax in (self._ax_std, self._ax_grad):
            ax.set_yscale("log")
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: _fmt(value)))
            ax.yaxis.set_minor_locator(NullLocator())
        self._ax_flat.set_yticks([0, 25, 50, 75, 100])
        self._ax_flat.yaxis.set_major_formatter(_PLAIN)
        self._ax_flat.set_ylim(-3, 103)
        self._ax_std.set_title("Forward: activation std (dashed: input)", fontsize=12)
        (self._std_line,) = self._ax_std.plot([], [], "o-", color=PALETTE["sample"], ms=4)
        self._ax_std.axhline(1.0, ls="--", color=PALETTE["muted"], lw=1.2)
        (self._flat_line,) = self._ax_flat.plot([], [], "o-", color=PALETTE["sample"], ms=4)
        (self._wgrad_line,) = self._ax_grad.plot([], [], "o-", color=PALETTE["gradient"], ms=4,
                                                 label="weights: ||dL/dW||")
        (self._igrad_line,) = self._ax_grad.plot([], [], "s--", color=PALETTE["second"], ms=4,
                                                 label="layer inputs: ||dL/dx||")
        # The legend sits above the plot (as its title), so no data can hide behind it.
        self._ax_grad.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, fontsize=10,
                             frameon=False, handlelength=2.2, columnspacing=1.0, borderaxespad=0.1,
                             title="Backward: gradient norms per layer", title_fontsize=12)

    def _draw(self):
        model, stats = self.model, self.model.stats
        act, n = model.settings["activation"], model.settings["depth"]
        shown = model.shown_layers(PANELS)
        if self.pane.keys.get("top") != (act, n):
            self._draw_frames(act, n, shown)
        for (ax, patch, _), layer in zip(self._hists, shown):
            self._draw_hist(ax, patch, layer, act)
        limits = self._draw_lines(stats, n)
        self._show_verdict()
        self.code.value = (f"<code>net = nn.SequentialCell({n} x {model.block_code()})</code> "
                           f"&nbsp; {stats.samples} activation values per layer; "
                           f"loss = MSE to a random target")
        self.pane.keys = {"top": (act, n), "std": (n, limits[0]), "flat": (n, act), "grad": (n, limits[1])}
        self.pane.redraw()

    def _draw_frames(self, act, n, shown):
        """What changes with the activation and depth only: panels shown, x ranges, titles, captions."""
        low, high, _ = BINS[act]
        margin = 0.05 * (high - low)      # keeps the end bins clear of the frame
        for slot, (ax, _patch, title) in enumerate(self._hists):
            ax.set_visible(slot < len(shown))
            ax.set_xlim(low - margin, high + margin)
            ax.set_xticks(_TICKS[act])
            if slot < len(shown):
                title.set_text(f"layer {shown[slot] + 1}")
        which = f"layers 1-{n}" if len(shown) == n else f"{len(shown)} of {n} layers, evenly spaced"
        clipped = ("" if act in ("tanh", "sigmoid")
                   else f"; values beyond [{low:g}, {high:g}] counted at the edges")
        self._caption.set_text(f"Activation values after {_ACT_TEXT[act]}, {which} (fixed bins{clipped})")
        self._ax_flat.set_title(_FLAT_TITLE[act], fontsize=12)
        for ax in (self._ax_std, self._ax_flat, self._ax_grad):
            ax.set_xlim(0.5, n + 0.5)

    def _show_verdict(self):
        """The verdict as HTML above the figure: crisp on a projector, and free to update (Agg text
        costs about 0.1 ms per glyph, as much as the rest of a redraw for two lines)."""
        lines = [html.escape(line) for line in self.model.verdict.split("; ", 1)] + [""]
        colour = "#222" if self.model.verdict_kind == "healthy" else PALETTE["theory"]
        self.verdict.value = (f"<div style='text-align:center;line-height:1.35'><span style='font-size:19px;"
                              f"font-weight:bold;color:{colour}'>{lines[0]}</span><br><span style='font-size:"
                              f"16px'>{lines[1]}</span></div>")

    def _draw_hist(self, ax, patch, layer, act):
        counts = self.model.stats.hist[layer]
        patch.set_data(counts, self.model.stats.edges)
        top = counts.max()
        if act == "relu" and counts[1:].max() > 0.02 * max(counts.sum(), 1):
            top = counts[1:].max()      # cut the a=0 bar (half of ReLU's values) so the rest shows
        ax.set_ylim(0, 1.1 * top if top > 0 else 1)

    def _draw_lines(self, stats, n):
        """Update the three per-layer plots; return their y-limits (part of the static key)."""
        layers = np.arange(1, n + 1)
        self._std_line.set_data(layers, _positive(stats.std))
        self._flat_line.set_data(layers, 100 * stats.flat)
        self._wgrad_line.set_data(layers, _positive(stats.weight_grad))
        self._igrad_line.set_data(layers, _positive(stats.input_grad))
        self._limits = (_log_limits([stats.std, 1.0], -3, 1, self._limits[0]),
                        _log_limits([stats.weight_grad, stats.input_grad], -6, 0, self._limits[1]))
        for ax, (low, high) in zip((self._ax_std, self._ax_grad), self._limits):
            ax.set_ylim(10.0 ** low, 10.0 ** high)
            step = 1 if high - low <= 6 else 3 if high - low <= 15 else 6
            ax.set_yticks([10.0 ** e for e in range(low, high + 1) if e % step == 0])
        return self._limits
