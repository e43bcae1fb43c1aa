"""``InitializerExplorer``: the histogram of initialised weights against their theoretical law.

Pick any initializer (MindSpore's or Gluon's) and its arguments, a weight shape and a seed; the
explorer draws the weights through the engine, shows their histogram with the theoretical density
(or bounds, or exact values) on top, a table of empirical against theoretical statistics with
fan_in, fan_out and gain, and the code that reproduces the sample. Tick *compare with* to overlay
a second initializer (orange) on the first (blue), on one x-axis.

>>> from sporelab.widgets import InitializerExplorer      # doctest: +SKIP
>>> InitializerExplorer()                                 # doctest: +SKIP

The computation lives in ``InitializerModel`` (``initializers_model.py``, no ipywidgets), the
figure's description in ``initializers_figure.py``; this module only builds the controls and hands
each new description to the ``LiveFigure`` (drawn in the browser; ``pane.png()`` draws it with
matplotlib).
"""

import html
import math

import ipywidgets as widgets

from ..i18n import N_, _
from ._live import LiveFigure
from ._view import ErrorBox, dropdown, guarded, localized, slider, without_echo
from .initializers_figure import figure_description
from .initializers_model import InitializerModel

__all__ = ["InitializerExplorer", "InitializerModel"]

_STYLE = {"description_width": "initial"}


def _tidy(arg, value):
    """A slider's float as the student reads it (no 0.35000000000000003 in the code line)."""
    if arg.kind == "log":
        return float(f"{value:.3g}")
    if arg.kind in ("float", "optional"):
        return round(float(value), max(0, -math.floor(math.log10(arg.step))) + 1)
    return value


def _arg_control(arg):
    """The control(s) of one argument: {key: widget}; an optional one adds a '<name>_on' checkbox."""
    if arg.kind == "log":
        control = widgets.FloatLogSlider(value=arg.default, base=10, min=math.log10(arg.low),
                                         max=math.log10(arg.high), step=arg.step, readout_format=".3g",
                                         description=arg.name, continuous_update=False, style=_STYLE)
    elif arg.kind == "choice":
        control = dropdown(arg.name, list(arg.choices), arg.default)
    elif arg.kind == "optional":
        control = slider(arg.name, arg.on, arg.low, arg.high, arg.step, disabled=True, readout_format=".3f")
        switch = widgets.Checkbox(value=False, description=_("set {name}").format(name=arg.name), indent=False,
                                  layout=widgets.Layout(width="70px"))
        control.layout = widgets.Layout(width="260px")
        return {f"{arg.name}_on": switch, arg.name: control}
    else:
        control = slider(arg.name, arg.default, arg.low, arg.high, arg.step, kind=arg.kind)
    control.layout = widgets.Layout(width="300px")
    return {arg.name: control}


class _Side:
    """The controls of one initializer choice: a dropdown and every initializer's argument row."""

    def __init__(self, label, model, on_change):
        self.model = model
        self.name = dropdown(label, list(model.names()), model.name, layout=widgets.Layout(width="250px"))
        self.args, self.rows = {}, {}
        for name in model.names():
            controls = {}
            for arg in model.arguments(name):
                controls.update(_arg_control(arg))
            self.args[name] = controls
            self.rows[name] = widgets.HBox(list(controls.values()),
                                           layout=widgets.Layout(flex_flow="row wrap"))
        self._show_row()
        self.box = widgets.HBox([self.name] + list(self.rows.values()))
        self.name.observe(lambda change: on_change(self._on_name, change), "value")
        for name, controls in self.args.items():
            for key, control in controls.items():
                control.observe(lambda change, n=name, k=key: on_change(self._on_arg, change, n, k), "value")

    def _show_row(self):
        for name, row in self.rows.items():
            row.layout.display = "flex" if name == self.model.name else "none"

    def _on_name(self, change):
        self.model.name = change["new"]
        self._show_row()
        self.on_name(change["new"])

    def on_name(self, name):
        """Called after the name changed (the explorer fits the shape to it)."""

    def _on_arg(self, change, name, key):
        arg_name = key[:-3] if key.endswith("_on") else key
        arg = next(a for a in self.model.arguments(name) if a.name == arg_name)
        if arg.kind == "optional":
            switch, control = self.args[name][f"{arg_name}_on"], self.args[name][arg_name]
            control.disabled = not switch.value
            value = _tidy(arg, control.value) if switch.value else None
        else:
            value = _tidy(arg, change["new"])
        self.model.set_arg(arg_name, value, name=name)


# Initializers that need a weight of one kind, and the kernel size that gives it (1: Dense 2-D,
# 3: Conv2d 4-D). Choosing one on a shape it cannot fill moves the kernel slider there, so every
# option draws; moving the slider back then shows the rule in the error box.
_KERNEL_FOR = {"Identity": 1, "Sparse": 1, "Dirac": 3, "gluon.Bilinear": 3}


class InitializerExplorer(widgets.VBox):
    """Histogram of initialised weights, with the theoretical law, statistics and the code line.

    Args:
        name (str): the first initializer (see ``InitializerModel.names()``). Default 'HeUniform'.
        name_b (str): the second one, for compare mode. Default 'XavierUniform'.
        out_channels, in_channels, kernel_size (int): the weight shape (kernel 1: Dense (out, in);
            else Conv2d (out, in, k, k)). seed (int): 0 to 999.
        compare (bool): overlay the second initializer (orange) on the first (blue).

    Attributes:
        model, model_b: the two ``InitializerModel``s. pane: the ``LiveFigure`` (its
        ``description`` is the figure drawn); errors: the ``ErrorBox``; entries: what the figure
        shows, ``[(tag, model, result)]`` (one, or two in compare mode). Controls:
        ``side_a.name`` / ``side_b.name`` (dropdowns), ``side_a.args[name][arg]`` (argument
        controls, plus ``'<arg>_on'`` checkboxes for optional ones), ``out_channels``,
        ``in_channels``, ``kernel_size``, ``seed``, ``new_seed`` (button), ``compare``; ``stats``
        and ``code``: the HTML of the table and the code line, drawn under the figure (its caption).

    A valid change redraws once; an invalid combination (Dirac on a 2-D shape ...) shows the
    engine's error in ``errors`` and leaves the figure, table and code as they were. Choosing an
    initializer that needs one kind of weight (Identity, Sparse: 2-D; Dirac, Bilinear: 4-D) moves
    the kernel size to one that gives it, so every choice draws.

    lang ('en' or 'zh_cn'): the explorer's language (default: ``sporelab.widgets.set_language``).

    Raises:
        ValueError/TypeError: invalid constructor arguments (the model's errors).
    """

    @localized
    def __init__(self, name="HeUniform", name_b="XavierUniform", out_channels=64, in_channels=3,
                 kernel_size=3, seed=0, compare=False):
        shape = {"out_channels": out_channels, "in_channels": in_channels, "kernel_size": kernel_size}
        self.model = InitializerModel(name, seed=seed, **shape)
        self.model_b = InitializerModel(name_b, seed=seed, **shape)
        self.errors, self.pane = ErrorBox(), LiveFigure()
        self.entries = []
        self.side_a = _Side(_("initializer"), self.model, self._changed)
        self.side_b = _Side(_("B (orange):"), self.model_b, self._changed)
        self.side_a.on_name = self.side_b.on_name = self._fit_kernel
        self._fitting = False
        # The sliders reach 128; a larger shape given to the constructor widens them instead of being clamped.
        self.out_channels = slider("out_channels", out_channels, 1, max(128, out_channels), 1, kind="int")
        self.in_channels = slider("in_channels", in_channels, 1, max(128, in_channels), 1, kind="int")
        self.kernel_size = slider(_("kernel size (1: Dense)"), kernel_size, 1, max(7, kernel_size), 1, kind="int")
        self.seed = slider(_("seed"), seed, 0, max(999, seed), 1, kind="int")
        self.new_seed = widgets.Button(description=_("new seed"), icon="refresh",
                                       layout=widgets.Layout(width="110px"))
        self.compare = widgets.Checkbox(value=compare, description=_("compare with"), indent=False,
                                        layout=widgets.Layout(width="120px"))
        self.stats = self.code = ""
        for control in (self.out_channels, self.in_channels, self.kernel_size, self.seed, self.compare):
            control.observe(lambda change: self._fitting or self._changed(self._on_setting, change), "value")
        self.new_seed.on_click(self._on_new_seed)
        super().__init__([
            self.side_a.box, widgets.HBox([self.compare, self.side_b.box]),
            widgets.HBox([self.out_channels, self.in_channels, self.kernel_size, self.seed, self.new_seed],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.errors, self.pane])
        self._changed(self._on_setting, None)
        without_echo(self)

    @guarded
    def _changed(self, apply, *args):
        """Apply one control change to the models, then compute and draw (one redraw)."""
        apply(*args)
        self._refresh()

    def _on_setting(self, change):
        for model in (self.model, self.model_b):
            model.set_shape(self.out_channels.value, self.in_channels.value, self.kernel_size.value)
            model.seed = self.seed.value
        self.side_b.box.layout.display = "flex" if self.compare.value else "none"

    def _fit_kernel(self, name):
        """Give ``name`` a shape it can fill (Identity: Dense, Dirac: Conv2d), without a second redraw."""
        wanted = _KERNEL_FOR.get(name)
        if wanted is None or (wanted == 1) == (self.kernel_size.value == 1):
            return
        self._fitting = True
        try:
            self.kernel_size.value = wanted
        finally:
            self._fitting = False
        self._on_setting(None)

    def _on_new_seed(self, _button):
        self.seed.value = (self.seed.value + 1) % (self.seed.max + 1)      # the observer redraws

    def _refresh(self):
        entries = [("A: " if self.compare.value else "", self.model, self.model.compute())]
        if self.compare.value:      # both computed before anything is drawn: an error changes nothing
            entries.append(("B: ", self.model_b, self.model_b.compute()))
            low = min(result.edges[0] for _, _, result in entries)
            high = max(result.edges[-1] for _, _, result in entries)
            entries = [(tag, model, result if (result.edges[0], result.edges[-1]) == (low, high)
                        else model.rebin(result, (low, high))) for tag, model, result in entries]
        description = figure_description([(tag, model.name, result) for tag, model, result in entries])
        stats = ("<div style='display:flex;flex-wrap:wrap'>"
                 + "".join(_stats_html(tag, model, result) for tag, model, result in entries) + "</div>")
        code = _code_html(entries)
        self.pane.show(description, caption=stats + code)
        self.entries, self.stats, self.code = entries, stats, code


# Theory.kind, as the stats line names it.
_KINDS = {"continuous": N_("continuous"), "deterministic": N_("deterministic"), "structured": N_("structured"),
          "mixed": N_("mixed")}


def _fmt(value):
    if value is None:
        return "\u2014"
    if isinstance(value, float) and math.isinf(value):
        return "+\u221e" if value > 0 else "\u2212\u221e"
    return f"{value:.4g}"


def _stats_html(tag, model, result):
    """A small table: empirical against theoretical mean, std, min/max (bounds), fans and gain."""
    theory = result.theory
    rows = [(_("mean"), result.mean, theory.mean), (_("std"), result.std, theory.std),
            (_("min / lower bound"), result.min, theory.low), (_("max / upper bound"), result.max, theory.high)]
    body = "".join(f"<tr><td>{label}</td><td>{_fmt(emp)}</td><td>{_fmt(th)}</td></tr>"
                   for label, emp, th in rows)
    extra = _("fan_in {fan_in} \u00b7 fan_out {fan_out} \u00b7 gain {gain} \u00b7 {count} weights \u00b7 "
              "{kind}").format(
        fan_in=result.fan_in, fan_out=result.fan_out, gain=_fmt(result.gain), count=result.sample.size,
        kind=_(_KINDS[theory.kind]))
    return (f"<div style='margin-right:28px;font-size:14px'><b>{tag}{html.escape(model.name)}</b>"
            f"<table style='border-collapse:collapse;font-family:monospace;font-size:14px'>"
            f"<tr><th style='text-align:left;padding-right:14px'></th><th style='padding-right:14px'>"
            f"{_('sample')}</th><th>{_('theory')}</th></tr>{body}</table>{extra}</div>").replace(
                "<td>", "<td style='padding-right:14px'>")


def _code_html(entries):
    snippets = "\n\n".join(model.snippet() for _tag, model, _result in entries)
    return (f"<div style='font-size:13px;margin-top:8px'>{_('Code that reproduces the sample:')}"
            f"<pre style='background:#f6f6f6;padding:6px;white-space:pre-wrap'>{html.escape(snippets)}</pre></div>")
