"""``DepthExplorer``: activations and gradients across a deep stack, the "why initialisation matters"
lesson.

The student picks a depth, a layer type (Dense or Conv2d), an activation and an initializer; the
figure shows, for the same fixed batch, a row of per-layer activation histograms (fixed bins, so a
vanishing signal collapses to a spike at 0 and a saturated tanh piles up at +-1), the activation
standard deviation per layer and the gradient norms per layer (log scales), under the model's
verdict ("activations vanish: std falls from 0.11 to 3.4e-10 over 10 layers"), drawn in the student's
browser from a figure description (``depth_figure``) and by matplotlib for ``pane.png()``.

>>> from sporelab.widgets import DepthExplorer       # doctest: +SKIP
>>> DepthExplorer()                                   # doctest: +SKIP

The computation lives in ``depth_model.DepthModel`` (no ipywidgets, no matplotlib); the figure's
data in ``depth_figure`` (plain dicts and arrays); this module only wires the controls to them.
"""

import functools
import html

import ipywidgets as widgets

from ..i18n import N_, _
from ._live import LiveFigure
from ._view import ErrorBox, dropdown, guarded, localized, slider, without_echo
from .depth_figure import axis_limits, figure_description
from .depth_model import ACTIVATIONS, DepthModel

__all__ = ["DepthExplorer", "DepthModel"]

_INIT_OPTIONS = [("Normal(sigma)", "normal"), ("XavierUniform", "xavier_uniform"),
                 ("XavierNormal", "xavier_normal"), ("HeNormal", "he_normal"),
                 ("HeUniform", "he_uniform"), ("Orthogonal", "orthogonal"),
                 ("Identity (Dense)", "identity"), ("Dirac (Conv2d)", "dirac")]
_SWAP = {"identity": "dirac", "dirac": "identity"}    # the identity of a Dense layer and of a Conv2d


def _init_options(layer):
    """The initializers that apply to ``layer``'s weight: Identity is 2-D only, Dirac 3-D to 5-D."""
    return [option for option in _INIT_OPTIONS if option[1] != ("identity" if layer == "Conv2d" else "dirac")]


# The keys are the buttons' labels (translated when a view is built); ``presets`` is keyed by them.
PRESETS = {
    N_("r1.x default: ReLU + Normal(0.01)"): {"activation": "relu", "init": "normal", "sigma": 0.01},
    N_("He for ReLU: ReLU + HeNormal"): {"activation": "relu", "init": "he_normal"},
    N_("Xavier for tanh: tanh + XavierUniform"): {"activation": "tanh", "init": "xavier_uniform"},
}


class DepthExplorer(widgets.VBox):
    """Explore vanishing and exploding signals in a stack of layers; see the module docstring.

    Args: the starting values of ``DepthModel`` (depth, width, layer, activation, init, sigma,
    seed). ``width`` is the Dense width, or the channels when ``layer='Conv2d'``; values beyond a
    slider's range are clamped to it.

    Controls (public, so notebooks and tests can set them): ``depth`` (1-30), ``layer``,
    ``width`` (16-512, Dense), ``channels`` (4-64, Conv2d), ``activation``, ``init``, ``sigma``
    (log slider 0.001-10, shown only for Normal), ``seed`` (0-99), and the preset buttons in
    ``presets`` (a dict label -> Button). ``model`` is the DepthModel, ``pane`` the ``LiveFigure``
    (``pane.description`` is the figure drawn, verdict included; ``pane.png()`` its static PNG),
    ``errors`` the ErrorBox, ``code`` an HTML line with the layer's engine code (``model.code()``
    gives a full script).
    Every control change recomputes the stack and shows one new description. ``init`` offers
    Identity for Dense and Dirac (the identity of a convolution) for Conv2d; switching the layer
    carries one to the other. A rejected setting is explained in ``errors`` and leaves the figure
    as it was.

    ``lang`` ('en' or 'zh_cn'): the explorer's language (default: ``sporelab.widgets.set_language``);
    ``presets`` stays keyed by the English labels of ``PRESETS``.

    Raises:
        TypeError, ValueError: starting values that ``DepthModel`` rejects.
    """

    @localized
    def __init__(self, depth=10, width=128, layer="Dense", activation="tanh", init="normal",
                 sigma=0.01, seed=0):
        super().__init__()
        channels = width if layer == "Conv2d" else 16
        self.model = DepthModel(depth=depth, width=width, layer=layer, activation=activation,
                                init=init, sigma=sigma, seed=seed)
        self.pane, self.errors = LiveFigure(), ErrorBox()
        self._make_controls(depth, width if layer == "Dense" else 128, channels, sigma, seed)
        wanted = self._settings()        # the sliders clamp values beyond their ranges: follow them
        if any(self.model.settings[key] != value for key, value in wanted.items()):
            self.model.update(**wanted)
        self._syncing, self._limits = False, (None, None)
        self._show_controls()
        self._draw()
        self.children = [
            widgets.HBox([self.layer, self.depth, self.width, self.channels]),
            widgets.HBox([self.activation, self.init, self.sigma, self.seed]),
            widgets.HBox(list(self.presets.values())), self.errors, self.pane]
        without_echo(self)

    # ---- controls --------------------------------------------------------------------------------
    def _make_controls(self, depth, width, channels, sigma, seed):
        s = self.model.settings
        self.layer = dropdown(_("layer"), ["Dense", "Conv2d"], s["layer"])
        self.depth = slider(_("depth (layers)"), depth, 1, 30, 1, kind="int")
        self.width = slider(_("width (units)"), min(max(width, 16), 512), 16, 512, 16, kind="int")
        self.channels = slider(_("channels (16x16 maps)"), min(max(channels, 4), 64), 4, 64, 4, kind="int")
        self.activation = dropdown(_("activation"), list(ACTIVATIONS), s["activation"])
        self.init = dropdown("weight_init", _init_options(s["layer"]), s["init"])
        self.sigma = widgets.FloatLogSlider(value=sigma, base=10, min=-3, max=1, step=0.1,
                                            description="sigma", readout_format=".3g",
                                            continuous_update=False)
        self.seed = slider(_("seed"), seed, 0, 99, 1, kind="int")
        self.presets = {label: widgets.Button(description=_(label), layout=widgets.Layout(width="auto"))
                        for label in PRESETS}
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

    def _offer_inits_for_the_layer(self):
        """Switching the layer carries Identity <-> Dirac across and offers only what applies."""
        options = _init_options(self.layer.value)
        if list(self.init.options) != options:
            value = _SWAP.get(self.init.value, self.init.value)
            syncing, self._syncing = self._syncing, True
            try:
                self.init.options, self.init.value = options, value
            finally:
                self._syncing = syncing

    def _refresh(self):
        self._offer_inits_for_the_layer()
        self._show_controls()
        self.model.update(**self._settings())
        self._draw()

    # ---- figure ----------------------------------------------------------------------------------
    def _draw(self):
        model, stats = self.model, self.model.stats
        self._limits = axis_limits(stats, self._limits)
        block = html.escape(model.block_code(), quote=False)
        code = (f"<code>net = nn.SequentialCell({model.settings['depth']} x {block})</code> &nbsp; "
                + html.escape(_("{count} activation values per layer; loss = MSE to a random target")
                              .format(count=stats.samples)))
        self.pane.show(figure_description(model, self._limits), caption=code)

    @property
    def code(self):
        """The line under the figure (HTML): the network's code and how many values a layer has."""
        return self.pane.caption
