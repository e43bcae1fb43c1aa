"""What every explorer's view shares besides its ``LiveFigure``: an error box, a callback guard,
slider and dropdown factories, one palette.

A view is thin: it builds controls, forwards their values to its pure model, builds the figure
description from the model's results (``<explorer>_figure.py``) and shows it
(``pane.show(description)``). Errors raised by the model while the student moves a control are
shown in the widget's error box, never as a traceback, and the last good figure stays.
"""

import functools
import html

import ipywidgets as widgets

from ._palette import PALETTE

__all__ = ["ErrorBox", "guarded", "PALETTE", "slider", "dropdown"]


class ErrorBox(widgets.HTML):
    """A red box showing the last error (what went wrong and what to do), hidden when empty."""

    def __init__(self):
        super().__init__(value="", layout=widgets.Layout(display="none"))

    def show(self, error):
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
