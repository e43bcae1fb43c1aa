"""What every explorer's view shares besides its ``LiveFigure``: an error box, a callback guard,
slider and dropdown factories, one palette.

A view is thin: it builds controls, forwards their values to its pure model, builds the figure
description from the model's results (``<explorer>_figure.py``) and shows it
(``pane.show(description)``). Errors raised by the model while the student moves a control are
shown in the widget's error box, never as a traceback, and the last good figure stays.

Every explorer speaks one language ('en' or 'zh_cn', ``sporelab.i18n``): ``localized`` gives its
constructor a ``lang=`` argument (default: ``set_language``'s), kept as ``self.lang`` and spoken
while the explorer builds and in every ``guarded`` callback.
"""

import functools
import html

import ipywidgets as widgets

from ..i18n import _, check_language, get_language, language
from ._palette import PALETTE

__all__ = ["ErrorBox", "guarded", "localized", "PALETTE", "slider", "dropdown", "without_echo"]


class ErrorBox(widgets.HTML):
    """A red box showing the last error (what went wrong and what to do), hidden when empty."""

    def __init__(self):
        super().__init__(value="", layout=widgets.Layout(display="none"))

    def show(self, error):
        frame = html.escape(_("This setting cannot be used; the figure keeps its last state. The engine says:"))
        text = html.escape(f"{type(error).__name__}: {error}")
        self.value = (f"<div style='color:#a00;background:#fee;border:1px solid #d88;padding:6px;"
                      f"border-radius:4px'>{frame}<br>{text}</div>")
        self.layout.display = "block"

    def clear(self):
        self.value = ""
        self.layout.display = "none"


def guarded(method):
    """Decorate a view callback: errors go to ``self.errors`` (an ErrorBox), not to the console;
    it speaks the explorer's language (``self.lang``)."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with language(getattr(self, "lang", None)):
            try:
                result = method(self, *args, **kwargs)
            except Exception as error:  # noqa: BLE001 -- a widget must never die on a student's input
                self.errors.show(error)
                return None
            self.errors.clear()
            return result
    return wrapper


def localized(init):
    """Decorate an explorer's ``__init__`` with a keyword ``lang`` ('en', 'zh_cn'; default: the
    module-wide ``sporelab.widgets.set_language``): kept as ``self.lang``, spoken while building.

    Raises:
        TypeError, ValueError: a ``lang`` that is not one of ``sporelab.i18n.LANGUAGES``.
    """
    @functools.wraps(init)
    def wrapper(self, *args, lang=None, **kwargs):
        self.lang = get_language() if lang is None else check_language(lang)
        with language(self.lang):
            init(self, *args, **kwargs)
    return wrapper


def slider(description, value, low, high, step, kind="float", **kwargs):
    """A slider that fires once per release (``continuous_update=False``): no queued redraws."""
    cls = widgets.FloatSlider if kind == "float" else widgets.IntSlider
    return cls(value=value, min=low, max=high, step=step, description=description,
               continuous_update=False, style={"description_width": "initial"}, **kwargs)


def dropdown(description, options, value=None, **kwargs):
    return widgets.Dropdown(options=options, value=value if value is not None else options[0],
                            description=description, style={"description_width": "initial"}, **kwargs)


# The traits a browser sets when a student uses a control (Dropdown and ToggleButtons sync ``index``).
_STUDENT_SET = ("value", "index")


def without_echo(root):
    """Stop the kernel echoing back what the student's controls under ``root`` send; returns ``root``.

    ipywidgets 8 answers every change a browser sends with an ``echo_update`` message carrying the
    same value, so that other browser windows on the same kernel follow. An explorer has one view,
    and the echo is a whole extra message on every slider move, before the figure's: through
    ipykernel and the server it costs each move about 1 ms of CPU, which a class moving sliders
    together pays on one server. The echo is switched off per control (ipywidgets reads the trait's
    ``echo_update`` metadata, here set on the instance); values the kernel sets still reach the
    browser, and a second window still gets every figure.

    >>> import ipywidgets as widgets
    >>> box = without_echo(widgets.VBox([widgets.IntSlider(), widgets.Dropdown(options=["a", "b"])]))
    >>> [child.trait_metadata(name, "echo_update") for child, name in zip(box.children, _STUDENT_SET)]
    [False, False]
    >>> widgets.IntSlider().trait_metadata("value", "echo_update", True)    # other sliders keep it
    True
    """
    stack = [root]
    while stack:
        widget = stack.pop()
        stack.extend(child for child in getattr(widget, "children", ()) if isinstance(child, widgets.Widget))
        for name in _STUDENT_SET:
            if widget.has_trait(name) and widget.trait_metadata(name, "sync"):
                # traitlets reads per-instance metadata from ``_<trait>_metadata``.
                setattr(widget, f"_{name}_metadata", {"echo_update": False})
    return root
