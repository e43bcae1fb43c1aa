"""``TrainingExplorer``: watch a small network train, step by step, and poke at its parameters.

The model (``TrainingModel``, in ``training_model.py``) owns the network, the data and the
training loop; ``training_figure.figure_description`` turns its state into a figure description
that the browser draws (``LiveFigure``): the kernel only trains and sends numbers (a few KB).

Play: an ``ipywidgets.Play`` ticks every 150 ms; each tick trains ``steps`` steps (1 by default)
and shows the figure once. A tick that arrives less than half an interval after the previous one
finished was queued by the browser while the kernel was busy; it is dropped, so the kernel never
builds up a backlog and Pause stops training at once. One played step costs some 2-5 ms of
kernel CPU (benchmarks/bench_widget_training.py). Play stops by itself when the loss stops being
finite (the weights diverged): the curve ends there with a red note.

>>> from sporelab.widgets import TrainingExplorer     # doctest: +SKIP
>>> TrainingExplorer(network='conv')                   # doctest: +SKIP
"""

import contextlib
import html
import re
import time

import ipywidgets as widgets
import numpy as np

from ..i18n import _
from ._live import LiveFigure
from ._view import ErrorBox, dropdown, guarded, localized, slider, without_echo
from .training_figure import figure_description
from .training_model import GRAD_REQS, INITS, NETWORKS, OPTIMIZERS, TrainingModel

__all__ = ["TrainingExplorer", "TrainingModel"]

PLAY_INTERVAL_MS = 150


def _parse_index(text):
    """'3, 1' -> (3, 1); '7' -> 7. Raises ValueError naming the field."""
    parts = [p for p in re.split(r"[\s,()\[\]]+", text.strip()) if p]
    if not parts or not all(re.fullmatch(r"\d+", p) for p in parts):
        raise ValueError(f"The field 'index' must be a row and a column such as '3, 1' (or one flat "
                         f"position such as '7'), but got {text!r}.")
    numbers_ = tuple(int(p) for p in parts)
    return numbers_[0] if len(numbers_) == 1 else numbers_


class TrainingExplorer(widgets.VBox):
    """Train a small network with Step / Play / Reset and watch its parameters change.

    Args:
        network, init, optimizer, learning_rate, seed: as ``TrainingModel`` (the starting values
            of the controls).

    Controls (public attributes): ``network``, ``init``, ``optimizer``, ``learning_rate`` (log
    slider), ``seed``; ``step_button``, ``play`` (ipywidgets.Play), ``steps`` (steps per click or
    tick), ``reset_button``, ``zero_button`` (empties the 'add' gradient buffers); for the chosen
    ``parameter``: ``lr_mult``, ``requires_grad``, ``grad_req``; the weight editor ``index``
    ('row, col' in the heatmap, or a flat position), ``value`` (Enter applies) and
    ``apply_button``; ``status`` reports the last edit. Every control change shows the figure
    once (``pane``, a ``LiveFigure``; ``pane.png()`` draws it with matplotlib).

    ``lang`` ('en' or 'zh_cn'): the explorer's language (default: ``sporelab.widgets.set_language``).

    Raises:
        TypeError / ValueError: bad starting values (from ``TrainingModel``).
    """

    @localized
    def __init__(self, network="dense", init="xavier_uniform", optimizer="Adam", learning_rate=0.05,
                 seed=0):
        self.model = TrainingModel(network, init, optimizer, learning_rate, seed)
        self.pane = LiveFigure()
        self.errors = ErrorBox()
        self._limits = {}                    # the figure's steady axes (training_figure.steady_limit)
        self._quiet = False
        self._last_tick = -np.inf
        self.tick_guard_s = 0.5 * PLAY_INTERVAL_MS / 1000
        self._build_controls()
        super().__init__([self._training_row(), self._setup_row(), self._parameter_row(), self._editor_row(),
                          self.errors, self.pane])
        self._observe()
        self._sync_parameter_controls()
        self._draw()
        without_echo(self)

    # ---- controls ------------------------------------------------------------------------------
    def _build_controls(self):
        model, narrow = self.model, widgets.Layout(width="185px")
        self.network = dropdown(_("network"), list(NETWORKS), model.network, layout=narrow)
        self.init = dropdown(_("init"), list(INITS), model.init, layout=narrow)
        self.optimizer = dropdown(_("optimizer"), list(OPTIMIZERS), model.optimizer, layout=narrow)
        self.learning_rate = widgets.FloatLogSlider(
            value=model.learning_rate, base=10, min=-4, max=1, step=0.25, description=_("learning rate"),
            readout_format=".2g", continuous_update=False, style={"description_width": "initial"},
            layout=widgets.Layout(width="270px"))
        self.seed = slider(_("seed"), model.seed, 0, 20, 1, kind="int", layout=widgets.Layout(width="220px"))
        self.step_button = widgets.Button(description=_("Step"), icon="step-forward", button_style="primary")
        self.play = widgets.Play(value=0, min=0, max=10 ** 6, step=1, interval=PLAY_INTERVAL_MS,
                                 description=_("play"), show_repeat=False)
        self.steps = slider(_("steps per click"), 1, 1, 10, 1, kind="int")
        self.reset_button = widgets.Button(description=_("Reset"), icon="undo")
        self.zero_button = widgets.Button(description=_("Zero grads"), tooltip=_("empty the grad_req='add' buffers"))
        self.parameter = dropdown(_("parameter"), model.names, model.names[0], layout=narrow)
        self.lr_mult = slider("lr_mult", 1.0, 0.0, 2.0, 0.1)
        self.requires_grad = widgets.Checkbox(value=True, description="requires_grad", indent=False,
                                              layout=widgets.Layout(width="130px"))
        self.grad_req = dropdown("grad_req", list(GRAD_REQS), "write", layout=widgets.Layout(width="150px"))
        self.index = widgets.Text(value="0, 0", description=_("edit weight [row, col]"), continuous_update=False,
                                  style={"description_width": "initial"}, layout=widgets.Layout(width="230px"))
        self.value = widgets.FloatText(value=0.0, description="=", layout=widgets.Layout(width="150px"),
                                       style={"description_width": "initial"})
        self.apply_button = widgets.Button(description=_("Apply"), tooltip=_("set the weight (Parameter.set_data)"))
        self.status = widgets.HTML("")

    @staticmethod
    def _row(title, children):
        label = widgets.HTML(f"<b>{title}</b>", layout=widgets.Layout(width="100px"))
        return widgets.HBox([label] + children, layout=widgets.Layout(flex_flow="row wrap"))

    def _training_row(self):
        return self._row(_("train"), [self.step_button, self.play, self.steps, self.reset_button, self.zero_button])

    def _setup_row(self):
        return self._row(_("setup"), [self.network, self.init, self.optimizer, self.learning_rate, self.seed])

    def _parameter_row(self):
        return self._row(_("one parameter"), [self.parameter, self.lr_mult, self.requires_grad, self.grad_req])

    def _editor_row(self):
        return self._row(_("edit a weight"), [self.index, self.value, self.apply_button, self.status])

    def _observe(self):
        handlers = {self.network: self._on_rebuild, self.init: self._on_rebuild, self.seed: self._on_rebuild,
                    self.optimizer: self._on_optimizer, self.learning_rate: self._on_optimizer,
                    self.steps: self._on_steps, self.play: self._on_tick, self.parameter: self._on_parameter,
                    self.lr_mult: self._on_settings, self.requires_grad: self._on_settings,
                    self.grad_req: self._on_settings, self.index: self._on_index, self.value: self._on_apply}
        for control, handler in handlers.items():
            control.observe(self._unless_quiet(handler), names="value")
        self.step_button.on_click(lambda _: self._on_step())
        self.reset_button.on_click(lambda _: self._on_reset())
        self.zero_button.on_click(lambda _: self._on_zero())
        self.apply_button.on_click(lambda _: self._on_apply())

    def _unless_quiet(self, handler):
        return lambda change: None if self._quiet else handler()

    @contextlib.contextmanager
    def _silently(self):
        """Set controls from the model without their observers firing."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _sync_parameter_controls(self):
        with self._silently():
            names = self.model.names
            if list(self.parameter.options) != names:
                previous = self.parameter.value
                self.parameter.options = names
                self.parameter.value = previous if previous in names else names[0]
            settings = self.model.settings(self.parameter.value)
            self.lr_mult.value = settings["lr_mult"]
            self.requires_grad.value = settings["requires_grad"]
            self.grad_req.value = settings["grad_req"]
            self._sync_value_field()

    def _sync_value_field(self):
        with contextlib.suppress(ValueError, TypeError):
            flat = self._flat_index()
            self.value.value = float(self.model.value(self.parameter.value).flat[flat])

    def _flat_index(self):
        return self.model.flat_index(self.parameter.value, _parse_index(self.index.value))

    def _draw(self):
        try:
            flat = self._flat_index()
        except (ValueError, TypeError):
            flat = None
        self.pane.show(figure_description(self.model, self.parameter.value, flat, self.steps.value, self._limits))

    # ---- handlers --------------------------------------------------------------------------------
    @guarded
    def _on_rebuild(self):
        self.model.rebuild(self.network.value, self.init.value, self.seed.value)
        self._after_reset()

    @guarded
    def _on_reset(self):
        self.model.reset()
        self._after_reset()

    def _after_reset(self):
        with self._silently():
            self.play.playing = False
            self.play.value = 0
        self.status.value = ""
        self._limits.clear()
        self._sync_parameter_controls()
        self._draw()

    @guarded
    def _on_optimizer(self):
        if self.optimizer.value != self.model.optimizer:
            self.model.optimizer = self.optimizer.value
        self.model.learning_rate = self.learning_rate.value
        self._draw()

    @guarded
    def _on_steps(self):
        self._draw()

    @guarded
    def _on_step(self):
        self.model.step(self.steps.value)
        self._sync_value_field_quietly()
        self._draw()

    def _sync_value_field_quietly(self):
        with self._silently():
            self._sync_value_field()

    @guarded
    def _on_tick(self):
        if time.perf_counter() - self._last_tick < self.tick_guard_s:
            return                                   # queued while the kernel was busy: drop it
        try:
            self.model.step(self.steps.value)
            if self.model.diverged:
                self.play.playing = False            # the curve ends here; the figure says why
            self._sync_value_field_quietly()
            self._draw()
        except Exception:
            self.play.playing = False                # stop ticking into the same error
            raise
        finally:
            self._last_tick = time.perf_counter()

    @guarded
    def _on_zero(self):
        self.model.zero_grad()
        emptied = _("'add' buffers emptied: the next step starts from a fresh gradient")
        self.status.value = f"<i>{html.escape(emptied)}</i>"
        self._draw()

    @guarded
    def _on_parameter(self):
        self._sync_parameter_controls()
        self._draw()

    @guarded
    def _on_settings(self):
        self.model.configure(self.parameter.value, lr_mult=self.lr_mult.value,
                             requires_grad=self.requires_grad.value, grad_req=self.grad_req.value)
        self._draw()

    @guarded
    def _on_index(self):
        self._flat_index()                           # a bad index is reported, nothing moves
        self._sync_value_field_quietly()
        self._draw()

    @guarded
    def _on_apply(self):
        name, index = self.parameter.value, _parse_index(self.index.value)
        old_weight = float(self.model.value(name).flat[self.model.flat_index(name, index)])
        old_loss = self.model.edited_loss if self.model.edited_loss is not None else self.model.loss()
        new_loss = self.model.set_weight(name, index, self.value.value)
        self.status.value = html.escape(
            f"{name}[{self.index.value.strip()}]: {old_weight:.4g} → {self.value.value:.4g}; "
            + _("loss {old:.4g} → {new:.4g}").format(old=old_loss, new=new_loss))
        self._draw()
