"""What the views share: the error box, the callback guard, the slider and dropdown factories."""

import ipywidgets as widgets
import pytest

from sporelab.widgets._view import ErrorBox, dropdown, guarded, slider, without_echo


class _View:
    def __init__(self):
        self.errors, self.calls = ErrorBox(), 0

    @guarded
    def change(self, value):
        self.calls += 1
        if value < 0:
            raise ValueError(f"value must be >= 0, got {value}")
        return value * 2


def test_error_box_shows_the_error_escaped_and_hides_when_cleared():
    box = ErrorBox()
    assert box.layout.display == "none" and box.value == ""
    box.show(ValueError("shape <3> is wrong"))
    assert box.layout.display == "block"
    assert "ValueError: shape &lt;3&gt; is wrong" in box.value
    box.clear()
    assert box.layout.display == "none" and box.value == ""


def test_guarded_sends_errors_to_the_box_and_clears_it_on_success():
    view = _View()
    assert view.change(-1) is None and "value must be &gt;= 0, got -1" in view.errors.value
    assert view.change(2) == 4 and view.errors.value == "" and view.calls == 2


@pytest.mark.parametrize("kind, cls", [("float", widgets.FloatSlider), ("int", widgets.IntSlider)])
def test_slider_fires_once_per_release(kind, cls):
    control = slider("seed", 3, 0, 10, 1, kind=kind)
    assert isinstance(control, cls) and control.continuous_update is False
    assert (control.value, control.min, control.max, control.description) == (3, 0, 10, "seed")


def test_dropdown_defaults_to_its_first_option():
    assert dropdown("law", ["a", "b"]).value == "a" and dropdown("law", ["a", "b"], "b").value == "b"


def _sent_by_browser_change(control, state):
    """What the kernel sends when a browser sets ``state`` on ``control`` (ipywidgets' set_state)."""
    sent = []
    control._send = lambda msg, buffers=None: sent.append(msg["method"])
    try:
        control.set_state(state)
    finally:
        del control._send
    return sent


def test_without_echo_stops_the_echo_and_keeps_the_change():
    echoed, quiet = widgets.IntSlider(), widgets.IntSlider()
    box = without_echo(widgets.VBox([widgets.HBox([quiet, widgets.Dropdown(options=["a", "b"])])]))
    assert box.children[0].children[0] is quiet
    assert _sent_by_browser_change(echoed, {"value": 5}) == ["echo_update"]
    assert _sent_by_browser_change(quiet, {"value": 5}) == [] and quiet.value == 5
    dropdown_ = box.children[0].children[1]
    assert _sent_by_browser_change(dropdown_, {"index": 1}) == [] and dropdown_.value == "b"
    quiet.value = 7                         # what the kernel sets still travels
    assert quiet.get_state(["value"]) == {"value": 7}


def _controls(root):
    stack, found = [root], []
    while stack:
        widget = stack.pop()
        stack.extend(getattr(widget, "children", ()))
        found += [(widget, name) for name in ("value", "index")
                  if widget.has_trait(name) and widget.trait_metadata(name, "sync")]
    return found


@pytest.mark.parametrize("explorer", ["InitializerExplorer", "ConvExplorer", "TrainingExplorer",
                                      "DepthExplorer", "DataParallelExplorer"])
def test_no_explorer_control_is_echoed(explorer):
    import sporelab.widgets as sw
    controls = _controls(getattr(sw, explorer)())
    assert len(controls) >= 3
    assert [(type(w).__name__, n) for w, n in controls if w.trait_metadata(n, "echo_update", True)] == []
