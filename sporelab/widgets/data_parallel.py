"""``DataParallelExplorer``: split a batch among workers and compare their averaged gradient with
the gradient of the whole batch (the view of ``DataParallelModel``).

Arrows from the origin, in the plane of the two weights: each worker's gradient (grey), what the
``DistributedGradReducer`` makes of them (green), and one process's gradient on the whole batch
(red, dashed). Controls: the number of workers, ``gradients_mean``, and a button for a new batch.
The figure is a description (``data_parallel_figure``) drawn by the browser (``LiveFigure``).

>>> from sporelab.widgets import DataParallelExplorer      # doctest: +SKIP
>>> DataParallelExplorer(workers=4)                       # doctest: +SKIP
"""

import ipywidgets as widgets

from ..i18n import _
from ._live import LiveFigure
from ._view import ErrorBox, guarded, localized, slider, without_echo
from .data_parallel_figure import figure_description
from .data_parallel_model import MAX_WORKERS, DataParallelModel

__all__ = ["DataParallelExplorer"]


class DataParallelExplorer(widgets.VBox):
    """Workers slider, ``gradients_mean`` checkbox, *New batch* button, and the arrow figure.

    Args: as ``DataParallelModel`` (workers, batch, mean, seed); ``lang`` ('en' or 'zh_cn'): the
    explorer's language (default: ``sporelab.widgets.set_language``).
    """

    @localized
    def __init__(self, workers=2, batch=24, mean=True, seed=0):
        self.model = DataParallelModel(workers, batch, mean, seed)
        self.pane = LiveFigure()
        self.errors = ErrorBox()
        self.workers = slider(_("workers P"), self.model.workers, 1, MAX_WORKERS, 1, kind="int")
        self.mean = widgets.Checkbox(value=self.model.mean, description="gradients_mean")
        self.new_batch = widgets.Button(description=_("New batch"), icon="refresh")
        self.workers.observe(lambda change: self._on_settings(), names="value")
        self.mean.observe(lambda change: self._on_settings(), names="value")
        self.new_batch.on_click(lambda button: self._on_new_batch())
        super().__init__([widgets.HBox([self.workers, self.mean, self.new_batch]), self.errors, self.pane])
        self._draw()
        without_echo(self)

    @guarded
    def _on_settings(self):
        self.model.set(workers=self.workers.value, mean=self.mean.value)
        self._draw()

    @guarded
    def _on_new_batch(self):
        self.model.set(seed=self.model.seed + 1)
        self._draw()

    def _draw(self):
        self.pane.show(figure_description(self.model))
