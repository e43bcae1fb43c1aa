"""``LiveFigure``: a figure description drawn in the student's browser (anywidget).

The kernel only computes numbers: ``show(description)`` resolves the description
(``_figure.resolve``: limits, ticks, notes), keeps it for tests and for ``png()``, and sends it as
one traitlet whose arrays travel as binary buffers, in one message with the explorer's caption (the
HTML under the figure: statistics, the code line). The browser draws it as SVG with the ES
modules of ``widgets/src/`` at the top of the repository, bundled into one module
(``_bundle.py``): a built sporelab carries the bundle as ``static/figure.js`` (setup.py writes
it), and an editable checkout bundles its sources once per process (``browser_module``).

>>> import numpy as np
>>> pane = LiveFigure()
>>> pane.show({"width": 300, "height": 200, "alt": "one bar", "panels": [{"id": "p",
...     "box": [0.15, 0.15, 0.8, 0.75], "marks": [{"type": "stairs", "edges": np.array([0.0, 1.0]),
...     "heights": np.array([2.0])}]}]})
>>> pane.description["panels"][0]["y"]["lim"], pane.renders
([0.0, 2.0], 1)
>>> pane.show(pane.description, caption="<b>mean</b> 1.0"); pane.caption, pane.renders
('<b>mean</b> 1.0', 2)
>>> pane.png()[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
"""

import functools
import pathlib

import anywidget
import traitlets
from ipywidgets.widgets.widget import _remove_buffers

from ._bundle import ENTRY, bundle
from ._figure import colormap_tables, render_png, resolve, to_wire
from ._fonts import font_face_css

__all__ = ["LiveFigure", "asset", "browser_module"]

_PACKAGE = pathlib.Path(__file__).parent
_STATIC = _PACKAGE / "static"                          # a built sporelab's assets (setup.py)
_SOURCES = _PACKAGE.parent.parent / "widgets" / "src"  # a checkout's renderer modules
MODULE = "figure.js"                                   # the bundled renderer, as the wheel names it


def asset(name):
    """The path of a browser asset that a built sporelab carries (``static/<name>``).

    Raises:
        RuntimeError: there is no such file (an editable checkout has none: see ``browser_module``).
    """
    if (_STATIC / name).is_file():
        return _STATIC / name
    raise RuntimeError(f"sporelab's browser asset {name!r} is missing from {_STATIC}: reinstall sporelab "
                       "(pip install --force-reinstall sporelab), whose build writes it")


@functools.cache
def browser_module():
    """The live figure's ES module as anywidget loads it (str): the built ``static/figure.js``, else,
    in an editable checkout, ``widgets/src/`` bundled (once per process: restart the kernel to see
    an edit there).

    Raises:
        RuntimeError: neither exists, so no explorer could draw its figure.
    """
    if (_STATIC / MODULE).is_file():
        return (_STATIC / MODULE).read_text(encoding="utf-8")
    if (_SOURCES / ENTRY).is_file():
        return bundle(_SOURCES)
    raise RuntimeError(
        f"sporelab's figure renderer is missing: neither {_STATIC / MODULE} (written when sporelab is "
        f"built) nor {_SOURCES / ENTRY} (a checkout's sources) exists, so the explorers cannot draw. "
        "Reinstall sporelab (pip install --force-reinstall sporelab), or in a checkout restore "
        "widgets/src/ (git checkout -- widgets/src) and run pip install -e . again")


class LiveFigure(anywidget.AnyWidget):
    """One explorer figure, drawn by the browser from the numbers the kernel sends.

    Attributes:
        description (dict): the last resolved description (NumPy arrays), what tests read.
        renders (int): how many descriptions have been shown.
        figure (dict, synced): the wire form of ``description`` (``_figure.to_wire``).
        caption (str, synced): HTML drawn under the figure (``show(..., caption=)``).
        colormaps (dict, synced once): name -> 255 RGB triplets.
        _esm (str, synced once): the renderer, ``browser_module()``, read when a figure is built.
        _css (str, synced once): ``_fonts.font_face_css()``, the ``@font-face`` of sporelab's Chinese
            font, so the browser draws Chinese text without a system font.
    """

    figure = traitlets.Dict().tag(sync=True)
    caption = traitlets.Unicode("").tag(sync=True)
    colormaps = traitlets.Dict().tag(sync=True)

    def __init__(self, description=None, **kwargs):
        # Read here, not at import: importing the widgets (and the engine) works without the
        # asset, and a figure that would be blank is an error that says what to do.
        LiveFigure._esm = browser_module()
        LiveFigure._css = font_face_css()
        super().__init__(colormaps=colormap_tables(), **kwargs)
        self.description, self.renders, self._quiet = None, 0, False
        if description is not None:
            self.show(description)

    def show(self, description, caption=None):
        """Resolve ``description`` and send it to the browser, with ``caption``, in one message.

        Args:
            description (dict): a figure description (docs/figure-format.md).
            caption (str or None): HTML shown under the figure (an explorer's statistics table,
                its code line); it travels in the figure's message, so a control change costs
                one message, not one per widget. None keeps the caption shown.

        When the figure keeps its panels, only the panels that changed travel, in a custom
        message ``{"type": "patch", ...}`` that figure.js merges into the figure it holds; the
        ``figure`` and ``caption`` traitlets are still updated (without a message), so a reloaded
        page or a new view gets the whole current figure from the kernel.

        Raises:
            TypeError: ``caption`` is not a string (nothing is sent); ``resolve``'s errors for a
            bad description. Errors change nothing.
        """
        if caption is not None and not isinstance(caption, str):
            raise TypeError(f"LiveFigure.show(): caption must be an HTML string or None, "
                            f"got {type(caption).__name__}")
        resolved = resolve(description)
        wire = to_wire(resolved)
        patch = self._patch(wire)
        caption = self.caption if caption is None else caption
        self.description = resolved
        if patch is None:
            with self.hold_sync():
                self.figure, self.caption = wire, caption
        else:
            if caption != self.caption:
                patch["caption"] = caption
            self._quiet = True
            try:
                self.figure, self.caption = wire, caption
            finally:
                self._quiet = False
            content, buffer_paths, buffers = _remove_buffers(patch)
            self.send(dict(content, buffer_paths=buffer_paths), buffers)
        self.renders += 1

    def _patch(self, wire):
        """The message carrying what changed since the shown figure, or None to send it whole."""
        old = self.figure.get("panels") if self.figure else None
        new = wire["panels"]
        if not old or [p.get("id") for p in old] != [p.get("id") for p in new]:
            return None
        changed = {str(i): panel for i, (before, panel) in enumerate(zip(old, new)) if before != panel}
        if len(changed) == len(new):
            return None
        return {"type": "patch", "top": {k: v for k, v in wire.items() if k != "panels"}, "panels": changed}

    def _should_send_property(self, key, value):
        if key in ("figure", "caption") and self._quiet:
            return False
        return super()._should_send_property(key, value)

    def png(self, dpi=80):
        """The shown figure drawn by matplotlib, as PNG bytes (the labs' static figures)."""
        if self.description is None:
            raise RuntimeError("LiveFigure.png(): nothing has been shown yet; call show(description) first")
        return render_png(self.description, dpi)

    def save(self, path, dpi=100):
        """Write the shown figure to ``path`` as PNG (docs, README images)."""
        pathlib.Path(path).write_bytes(self.png(dpi))
