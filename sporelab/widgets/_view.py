"""What every explorer's view shares: a figure pane that draws with ipympl when the ``widget``
backend is active and as an inline PNG otherwise, an error box, a callback guard, one palette.

A view is thin: it builds controls, forwards their values to its pure model, and redraws by
updating existing matplotlib artists (``set_height``, ``set_data``) followed by ``pane.redraw()``.
Errors raised by the model while the student moves a control are shown in the widget's error box,
never as a traceback.
"""

import functools
import io

import ipywidgets as widgets
import matplotlib

from ._palette import PALETTE

__all__ = ["FigurePane", "ErrorBox", "guarded", "PALETTE", "uses_ipympl", "slider", "dropdown"]


_PNG_DPI = 80          # fits a 1280-px-wide notebook with a 14-inch-wide figure and renders fast


def uses_ipympl():
    """True when ``%matplotlib widget`` (ipympl) is the active backend."""
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend == "widget"


class FigurePane:
    """A matplotlib figure inside an ipywidgets layout.

    With ipympl the figure's canvas is itself a widget and ``redraw()`` calls ``draw_idle()``;
    otherwise the figure is rendered with Agg into an ``ipywidgets.Image`` (PNG), so the same
    explorer works in classic inline mode, in Voila and in headless tests.

    Args:
        figsize (tuple): inches (width, height); 14 inches at 80 dpi fill a 1280-px notebook.
    """

    def __init__(self, figsize=(12, 4)):
        self.interactive = uses_ipympl()
        if self.interactive:
            import matplotlib.pyplot as plt
            with plt.ioff():
                self.figure = plt.figure(figsize=figsize)
            canvas = self.figure.canvas
            canvas.header_visible = False
            canvas.footer_visible = False
            canvas.toolbar_visible = False
            canvas.resizable = False
            self.widget = canvas
        else:
            from matplotlib.backends.backend_agg import FigureCanvasAgg
            from matplotlib.figure import Figure
            self.figure = Figure(figsize=figsize, dpi=_PNG_DPI)
            FigureCanvasAgg(self.figure)
            self.widget = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.draws = 0

    def redraw(self):
        """Show the current state of the figure (one draw)."""
        self.draws += 1
        if self.interactive:
            self.figure.canvas.draw_idle()
            return
        self.widget.value = self.png()

    def png(self, dpi=_PNG_DPI):
        """The figure as PNG bytes (also what a lab notebook stores as its static figure)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
        return buffer.getvalue()

    def save(self, path, dpi=100):
        """Write the figure to ``path`` (PNG), e.g. for docs or a static notebook figure."""
        self.figure.savefig(path, dpi=dpi)


class ErrorBox(widgets.HTML):
    """A red box showing the last error (what went wrong and what to do), hidden when empty."""

    def __init__(self):
        super().__init__(value="", layout=widgets.Layout(display="none"))

    def show(self, error):
        import html
        text = html.escape(f"{type(error).__name__}: {error}")
        self.value = (f"<div style='color:#a00;background:#fee;border:1px solid #d88;padding:6px;"
                      f"border-radius:4px'>{text}</div>")
        self.layout.display = "block"

    def clear(self):
        self.value = ""
        self.layout.display = "none"


def guarded(method):
    """Decorate a view callback: errors go to ``self.errors`` (an ErrorBox), not to the console."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            result = method(self, *args, **kwargs)
        except Exception as error:  # noqa: BLE001 -- a widget must never die on a student's input
            self.errors.show(error)
            return None
        self.errors.clear()
        return result
    return wrapper


def slider(description, value, low, high, step, kind="float", **kwargs):
    """A slider that fires once per release (``continuous_update=False``): no queued redraws."""
    cls = widgets.FloatSlider if kind == "float" else widgets.IntSlider
    return cls(value=value, min=low, max=high, step=step, description=description,
               continuous_update=False, style={"description_width": "initial"}, **kwargs)


def dropdown(description, options, value=None, **kwargs):
    return widgets.Dropdown(options=options, value=value if value is not None else options[0],
                            description=description, style={"description_width": "initial"}, **kwargs)
