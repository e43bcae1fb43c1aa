"""ConvExplorer: an image, a real ``sporelab.nn.Conv2d``, its kernels and its output maps.

The student picks an input (the photograph that ships with matplotlib, a pattern drawn in code,
or their own array), the layer's settings and its weight_init (an initializer name or a
hand-made kernel), and sees the kernels, the first eight output feature maps, and the output
shape with the formula of the current pad_mode. "Tutorial" sets up the tutorial's all-ones
Conv2d(3, 64, 3), whose first map is 12 in the corners, 18 on the edges and 27 inside.

>>> from sporelab.widgets import ConvExplorer      # doctest: +SKIP
>>> ConvExplorer()                                  # doctest: +SKIP

The pure model is ``ConvModel`` (convolution_model.py), the figure a description built by
``convolution_figure.figure_description`` and drawn in the browser by a ``LiveFigure``; this
module only wires the controls to them.
"""

import functools
import html

import ipywidgets as widgets
import numpy as np

from ..i18n import N_, _
from ._live import LiveFigure
from ._view import ErrorBox, dropdown, guarded, localized, slider, without_echo
from .convolution_figure import figure_description
from .convolution_model import HAND_MADE, ConvModel, as_image

__all__ = ["ConvExplorer", "ConvModel"]

PHOTO = "photo (Grace Hopper)"
# (label, value): the labels are translated when a view is built (``_options``).
SOURCES = [(N_("photo (Grace Hopper)"), PHOTO), (N_("checkerboard"), "checkerboard"), (N_("stripes"), "stripes"),
           (N_("disc"), "disc"), (N_("ramp"), "ramp"), (N_("all-ones 16 x 50"), "ones")]
INITS = [(N_("hand-made: {name}"), name) for name in HAND_MADE] + [
    (name, name) for name in ("normal", "uniform", "truncated_normal", "xavier_uniform",
                              "xavier_normal", "he_uniform", "he_normal", "orthogonal", "dirac",
                              "zeros", "ones")]     # no Identity: it is 2-D only; Dirac is the conv identity
DEFAULTS = {"source": PHOTO, "channels": 1, "weight_init": "edge", "seed": 0, "out_channels": 4,
            "kernel_size": 3, "stride": 1, "dilation": 1, "pad_mode": "same", "padding": 0,
            "group": 1, "has_bias": False, "bias": 0.5}


def _describe(init):
    shape = np.shape(init)
    return _("{size} kernel").format(size=" x ".join(map(str, shape))) if len(shape) == 2 else type(init).__name__


def _options(pairs):
    """(label, value) pairs with the labels in the current language ('{name}' filled with the value)."""
    return [(_(label).format(name=value), value) for label, value in pairs]


@functools.lru_cache(maxsize=1)
def sample_photo():
    """Grace Hopper's portrait from matplotlib's sample data, cropped square, (512, 512, 3) in [0, 1].

    Returns None when this matplotlib ships without its sample data (the choice is then left out).
    """
    import matplotlib.cbook
    import matplotlib.image
    try:
        path = matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)
        photo = matplotlib.image.imread(path)
    except (OSError, ValueError):
        return None
    return photo[:512, :512].astype(np.float32) / 255.0


class ConvExplorer(widgets.VBox):
    """Input image, Conv2d settings and weight_init in; kernels, output maps and shape formula out.

    Args:
        image (array_like): optional; your own (H, W), (H, W, C) or (C, H, W) picture, added as
            the input choice "your image" and selected (images over 64 pixels are shrunk).
        weight_init: optional; an Initializer (e.g. ``Normal(sigma=0.2)``) or a 2-D kernel array,
            added as the weight_init choice "yours" and selected.

    Raises:
        TypeError, ValueError: a bad ``image`` (see ``convolution_model.as_image``).

    Controls (public attributes): source, channels, weight_init, seed, out_channels, kernel_size,
    stride, dilation, pad_mode, padding, group, has_bias, bias (Dropdown / IntSlider / Checkbox /
    FloatSlider) and the buttons tutorial_button, reset_button. ``model`` is the ConvModel,
    ``pane`` the LiveFigure (``pane.description``: the figure shown; ``pane.png()``: it drawn by
    matplotlib), ``errors`` the ErrorBox, ``code`` the HTML with the pasteable sporelab code of
    the current layer. Every control change runs the real layer and shows one new figure; an
    engine error (say, group=2 with one input channel) is shown in ``errors`` and the figure
    keeps its last good state.

    >>> explorer = ConvExplorer(image=np.eye(32), weight_init=np.ones((3, 3)))   # doctest: +SKIP
    >>> explorer.pad_mode.value = "valid"                                        # doctest: +SKIP

    ``lang`` ('en' or 'zh_cn'): the explorer's language (default: ``sporelab.widgets.set_language``).
    """

    @localized
    def __init__(self, image=None, weight_init=None):
        self.model = ConvModel(image=image if image is not None else "checkerboard")
        if weight_init is not None:
            self.model.update(weight_init=weight_init)     # a bad one is a TypeError/ValueError here
        self._user_init = weight_init
        photo = sample_photo()
        self._images = {PHOTO: as_image(photo)} if photo is not None else {}
        if image is not None:
            self._images["your image"] = self.model.image
        self._muted = False
        self.errors = ErrorBox()
        self.pane = LiveFigure()
        self._build_controls(image is not None, weight_init)
        super().__init__([self._controls_box(), self.errors, self.pane])
        guarded(ConvExplorer._update)(self)
        without_echo(self)

    # ---- controls --------------------------------------------------------------------------
    def _build_controls(self, has_image, weight_init):
        sources = [s for s in _options(SOURCES) if s[1] != PHOTO or PHOTO in self._images]
        sources += [(_("your image"), "your image")] if has_image else []
        own, size = self.model.image.shape[0], np.shape(weight_init)
        self._defaults = dict(DEFAULTS, source=sources[0][1], channels=own if has_image else 1)
        if len(size) == 2 and size[0] == size[1] and 1 <= size[0] <= 9:
            self._defaults["kernel_size"] = size[0]        # your kernel fits as it comes
        inits = _options(INITS) + ([(_("yours: {what}").format(what=_describe(weight_init)), "yours")]
                                   if weight_init is not None else [])
        self.source = dropdown(_("input"), sources, value=sources[-1 if has_image else 0][1])
        self.channels = dropdown(_("channels"), [(_("grey: 1"), 1), (_("colour: 3"), 3)]
                                 + ([(_("yours: {what}").format(what=own), own)] if own not in (1, 3) else []),
                                 value=self._defaults["channels"])
        self.weight_init = dropdown("weight_init", inits, value="yours" if weight_init is not None else "edge")
        self.seed = slider(_("seed"), 0, 0, 20, 1, kind="int")
        self.out_channels = slider("out_channels", 4, 1, 64, 1, kind="int")
        self.kernel_size = slider("kernel_size", self._defaults["kernel_size"], 1, 9, 1, kind="int")
        self.stride = slider("stride", 1, 1, 4, 1, kind="int")
        self.dilation = slider("dilation", 1, 1, 4, 1, kind="int")
        self.pad_mode = dropdown("pad_mode", ["same", "valid", "pad"])
        self.padding = slider("padding", 0, 0, 4, 1, kind="int")
        self.group = slider("group", 1, 1, 4, 1, kind="int")
        self.has_bias = widgets.Checkbox(value=False, description="has_bias", indent=False)
        self.bias = slider("bias_init", 0.5, -1.0, 1.0, 0.1, disabled=True)
        self.tutorial_button = widgets.Button(description=_("Tutorial: 12/18/27"), button_style="info",
                                              tooltip=_("all-ones (1, 3, 16, 50) input, Conv2d(3, 64, 3), "
                                                        "all-ones weight"))
        self.reset_button = widgets.Button(description=_("Reset"))
        for control in self._value_controls():
            control.observe(self._on_change, names="value")
        self.tutorial_button.on_click(self._on_tutorial)
        self.reset_button.on_click(self._on_reset)

    def _value_controls(self):
        return [getattr(self, name) for name in DEFAULTS]

    def _controls_box(self):
        row = functools.partial(widgets.HBox, layout=widgets.Layout(flex_flow="row wrap"))
        for control in self._value_controls():
            if not isinstance(control, widgets.Checkbox):
                control.layout.width = "260px"
        return widgets.VBox([
            row([self.source, self.channels, self.weight_init, self.seed]),
            row([self.out_channels, self.kernel_size, self.stride, self.dilation]),
            row([self.pad_mode, self.padding, self.group, self.has_bias, self.bias]),
            row([self.tutorial_button, self.reset_button])])

    def _set_controls(self, values):
        """Set many controls with one update and one new figure."""
        self._muted = True
        try:
            for name, value in values.items():
                getattr(self, name).value = value
        finally:
            self._muted = False
        self._update()

    @guarded
    def _on_tutorial(self, _button=None):
        """Set the tutorial's configuration (all controls at once, one new figure)."""
        self._set_controls({"source": "ones", "channels": 3, "weight_init": "all-ones", "out_channels": 64,
                            "kernel_size": 3, "stride": 1, "dilation": 1, "pad_mode": "same",
                            "padding": 0, "group": 1, "has_bias": False})

    @guarded
    def _on_reset(self, _button=None):
        self._set_controls(self._defaults)

    @guarded
    def _on_change(self, _change=None):
        if not self._muted:
            self._update()

    # ---- model -----------------------------------------------------------------------------
    def _push_settings(self):
        source = self.source.value
        if source != self.model.source:
            self.model.set_image(self._images.get(source, source), name=source)
        self.bias.disabled = not self.has_bias.value
        init = self._user_init if self.weight_init.value == "yours" else self.weight_init.value
        self.seed.disabled = self.weight_init.value in HAND_MADE + ("yours",)    # nothing random to seed
        self.model.update(channels=self.channels.value, weight_init=init,
                          seed=self.seed.value, out_channels=self.out_channels.value,
                          kernel_size=self.kernel_size.value, stride=self.stride.value,
                          dilation=self.dilation.value, pad_mode=self.pad_mode.value,
                          padding=self.padding.value, group=self.group.value,
                          has_bias=self.has_bias.value, bias_init=float(round(self.bias.value, 2)))

    def _update(self):
        """Controls -> model -> one figure description shown; on an error the figure keeps its last state."""
        self._push_settings()
        code = f"<pre style='font-size:12px;margin:4px 0'>{html.escape(self.model.code())}</pre>"
        result = self.model.run()
        self.pane.show(figure_description(result, self.source.label, annotate=self.model.source == "ones"),
                       caption=code)

    @property
    def code(self):
        """The code line under the figure (HTML): the nn.Conv2d call that gives what is drawn."""
        return self.pane.caption

