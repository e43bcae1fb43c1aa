"""``DataParallelExplorer``: split a batch among workers and compare their averaged gradient with
the gradient of the whole batch (the view of ``DataParallelModel``).

Arrows from the origin, in the plane of the two weights: each worker's gradient (grey), what the
``DistributedGradReducer`` makes of them (green), and one process's gradient on the whole batch
(red, dashed). Controls: the number of workers, ``gradients_mean``, and a button for a new batch.

>>> from sporelab.widgets import DataParallelExplorer      # doctest: +SKIP
>>> DataParallelExplorer(workers=4)                       # doctest: +SKIP
"""

import ipywidgets as widgets

from ._view import PALETTE, ErrorBox, FigurePane, guarded, slider
from .data_parallel_model import MAX_WORKERS, DataParallelModel

__all__ = ["DataParallelExplorer"]


class DataParallelExplorer(widgets.VBox):
    """Workers slider, ``gradients_mean`` checkbox, *New batch* button, and the arrow figure.

    Args: as ``DataParallelModel`` (workers, batch, mean, seed); figsize (inches).
    """

    def __init__(self, workers=2, batch=24, mean=True, seed=0, figsize=(7, 5)):
        self.model = DataParallelModel(workers, batch, mean, seed)
        self.pane = FigurePane(figsize)
        self.axes = self.pane.figure.add_subplot(1, 1, 1)
        self.errors = ErrorBox()
        self.workers = slider("workers P", self.model.workers, 1, MAX_WORKERS, 1, kind="int")
        self.mean = widgets.Checkbox(value=self.model.mean, description="gradients_mean")
        self.new_batch = widgets.Button(description="New batch", icon="refresh")
        self.workers.observe(lambda change: self._on_settings(), names="value")
        self.mean.observe(lambda change: self._on_settings(), names="value")
        self.new_batch.on_click(lambda button: self._on_new_batch())
        super().__init__([widgets.HBox([self.workers, self.mean, self.new_batch]), self.errors, self.pane.widget])
        self._draw()

    @guarded
    def _on_settings(self):
        self.model.set(workers=self.workers.value, mean=self.mean.value)
        self._draw()

    @guarded
    def _on_new_batch(self):
        self.model.set(seed=self.model.seed + 1)
        self._draw()

    def _arrow(self, vector, color, width, style="-", label=None):
        self.axes.annotate("", xy=(float(vector[0]), float(vector[1])), xytext=(0.0, 0.0),
                           arrowprops={"arrowstyle": "-|>", "color": color, "lw": width, "linestyle": style})
        if label:
            self.axes.plot([], [], color=color, lw=width, linestyle=style, label=label)

    def _draw(self):
        m, ax = self.model, self.axes
        ax.clear()
        shards, reduced, full = m.shard_gradients(), m.reduced(), m.full()
        for i, g in enumerate(shards):
            self._arrow(g, PALETTE["muted"], 1.0, label="each worker's gradient" if i == 0 else None)
        self._arrow(reduced, PALETTE["gradient"], 3.0,
                    label=f"reduced: {'mean' if m.mean else 'sum'} over {m.workers} worker(s)")
        self._arrow(full, PALETTE["theory"], 2.0, "--", label="one process, whole batch")
        points = shards + [reduced, full, [0.0, 0.0]]
        span = max(abs(v) for p in points for v in p) * 1.15 or 1.0
        ax.set_xlim(-span, span)
        ax.set_ylim(-span, span)
        ax.set_aspect("equal")
        ax.axhline(0, color="#ddd", lw=0.8)
        ax.axvline(0, color="#ddd", lw=0.8)
        ax.set_xlabel("dL/dw1")
        ax.set_ylabel("dL/dw2")
        sizes = sorted({len(s) for s in m.shards()})
        ax.set_title(f"batch {m.batch} on {m.workers} worker(s), shard size {'/'.join(map(str, sizes))}: "
                     f"max |reduced - whole| = {m.gap():.2g}", fontsize=10)
        ax.legend(loc="upper left", fontsize=8)
        self.pane.redraw()
