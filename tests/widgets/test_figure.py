"""The figure description: resolve() decides limits, ticks and notes; to_wire() packs it; matplotlib draws it."""

import io
import re

import numpy as np
import pytest

from sporelab.widgets._figure import colormap_tables, render_png, resolve, to_wire
from sporelab.widgets._ticks import axis_limits, nice_ticks


def _figure(*marks, **panel):
    return {"width": 400, "height": 300, "alt": "test",
            "panels": [dict({"id": "p", "box": [0.1, 0.1, 0.8, 0.8], "marks": list(marks)}, **panel)]}


def _notes(resolved):
    return [m["text"] for m in resolved["panels"][0]["marks"] if m.get("note")]


def _line(x, y, **kw):
    return dict({"type": "line", "x": np.asarray(x, float), "y": np.asarray(y, float)}, **kw)


def test_limits_ticks_and_labels_are_decided_once():
    panel = resolve(_figure(_line([0, 10], [0, 1])))["panels"][0]
    assert panel["x"]["lim"] == pytest.approx([-0.5, 10.5])
    assert panel["x"]["ticks"] == [0.0, 2.5, 5.0, 7.5, 10.0]
    assert panel["x"]["labels"] == ["0", "2.5", "5", "7.5", "10"]
    assert all(panel["y"]["lim"][0] <= t <= panel["y"]["lim"][1] for t in panel["y"]["ticks"])


def test_stairs_start_at_zero_without_margin():
    stairs = {"type": "stairs", "edges": np.array([-1.0, 0.0, 1.0]), "heights": np.array([0.2, 0.8])}
    panel = resolve(_figure(stairs))["panels"][0]
    assert panel["x"]["lim"] == [-1.0, 1.0] and panel["y"]["lim"] == [0.0, 0.8]


def test_given_limits_and_ticks_win():
    panel = resolve(_figure(_line([0, 1], [0, 1]), x={"lim": [-2, 2], "ticks": [-2, 0, 2]}))["panels"][0]
    assert panel["x"]["lim"] == [-2.0, 2.0] and panel["x"]["labels"] == ["-2", "0", "2"]


def test_non_finite_values_are_counted_and_limits_use_finite_ones():
    resolved = resolve(_figure(_line([0, 1, 2, 3], [1.0, np.nan, np.inf, 3.0])))
    assert _notes(resolved) == ["\u25b2 not drawn: 1 NaN, 1 +inf"]
    assert resolved["panels"][0]["y"]["lim"] == pytest.approx([0.9, 3.1])


def test_nothing_finite_draws_an_empty_frame_with_a_note():
    resolved = resolve(_figure(_line([0, 1], [np.nan, np.nan])))
    assert _notes(resolved) == ["\u25b2 not drawn: 2 NaN", "no finite value to draw"]
    assert resolved["panels"][0]["y"]["lim"] == [0.0, 1.0]


def test_all_equal_values_widen_the_range_and_say_so():
    resolved = resolve(_figure(_line([0, 1, 2], [0.5, 0.5, 0.5])))
    assert resolved["panels"][0]["y"]["lim"] == [0.25, 0.75]
    assert _notes(resolved) == ["all y values = 0.5"]
    assert axis_limits([[0.0]], "linear", None, 0.0) == ([-1.0, 1.0], 0.0)
    assert axis_limits([[3.0]], "log", None, 0.0) == ([0.3, 30.0], 3.0)


def test_log_axis_leaves_out_non_positive_values():
    panel = resolve(_figure(_line([1, 2, 3], [0.0, 1e-3, 10.0]), y={"scale": "log"}))["panels"][0]
    assert panel["y"]["lim"][0] > 0
    assert panel["y"]["labels"][:2] == ["10\u207b\u00b3", "10\u207b\u00b2"]


def test_image_values_become_colormap_indices_with_255_for_non_finite():
    image = {"type": "image", "values": np.array([[0.0, 0.5], [1.0, np.nan]]), "cmap": "viridis"}
    wire = to_wire(resolve(_figure(image)))["panels"][0]["marks"][0]
    assert wire["values"]["dtype"] == "uint8" and wire["values"]["shape"] == [2, 2]
    assert list(wire["values"]["buffer"]) == [0, 127, 254, 255]
    assert wire["vmin"] == 0.0 and wire["vmax"] == 1.0


def test_constant_image_widens_its_colour_range():
    resolved = resolve(_figure({"type": "image", "values": np.zeros((3, 3))}))
    mark = resolved["panels"][0]["marks"][0]
    assert (mark["vmin"], mark["vmax"]) == (-1.0, 1.0) and "all values = 0" in _notes(resolved)


def test_wire_arrays_are_float32_buffers_that_keep_nan_and_inf():
    wire = to_wire(resolve(_figure(_line([0, 1], [np.nan, -np.inf]))))
    y = wire["panels"][0]["marks"][0]["y"]
    decoded = np.frombuffer(y["buffer"], np.float32)
    assert y["shape"] == [2] and np.isnan(decoded[0]) and decoded[1] == -np.inf


def test_resolve_does_not_change_its_input():
    figure = _figure(_line([0, 1], [0, 1]))
    resolve(figure)
    assert set(figure["panels"][0]) == {"id", "box", "marks"} and len(figure["panels"][0]["marks"]) == 1


@pytest.mark.parametrize("bad, error, words", [
    ([], TypeError, "must be a dict"),
    ({"width": 0, "height": 10}, ValueError, "'width' must be a positive"),
    (_figure({"type": "pie"}), ValueError, "mark's type"),
    (_figure({"type": "stairs", "edges": np.zeros(3), "heights": np.zeros(3)}), ValueError, "len(edges)"),
    (_figure(_line([0, 1], [0, 1, 2])), ValueError, "one shape"),
    (_figure({"type": "line", "x": ["a"], "y": [0]}), TypeError, "'x' must be numbers"),
    (_figure(_line([0], [0]), x={"scale": "sqrt"}), ValueError, "'linear' or 'log'"),
])
def test_bad_descriptions_are_refused_clearly(bad, error, words):
    with pytest.raises(error, match=re.escape(words)):
        resolve(bad)


def test_nice_ticks_are_round_and_inside():
    for low, high in [(-0.27, 0.27), (0.0, 1.0), (3.0, 1e6), (-1e-7, 3e-7)]:
        ticks, labels = nice_ticks((low, high), "linear", 5)
        assert 3 <= len(ticks) <= 7 and len(labels) == len(ticks)
        assert all(low - 1e-12 <= t <= high + 1e-12 for t in ticks)


def test_colormap_tables_are_255_rgb_triplets():
    tables = colormap_tables()
    assert set(tables) == {"viridis", "cividis", "gray", "PuOr"}
    assert all(len(table) == 255 * 3 for table in tables.values())
    assert tables["gray"][:3] == b"\x00\x00\x00" and tables["gray"][-3:] == b"\xff\xff\xff"


def test_the_stored_colormap_tables_are_matplotlibs():
    from sporelab.widgets._colormaps import tables_from_matplotlib
    stored, computed = colormap_tables(), tables_from_matplotlib()
    assert [name for name in computed if stored[name] != computed[name]] == []


def test_building_an_explorer_does_not_import_matplotlib():
    """Only drawing a PNG (and ConvExplorer's sample photo) needs matplotlib in the kernel."""
    import subprocess
    import sys
    code = ("import sys\nfrom sporelab.widgets import InitializerExplorer, TrainingExplorer, DepthExplorer, "
            "DataParallelExplorer\nfor cls in (InitializerExplorer, TrainingExplorer, DepthExplorer, "
            "DataParallelExplorer): cls()\nprint(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]", out.stdout[-500:]


def test_matplotlib_draws_every_mark_type(tmp_path):
    from PIL import Image
    marks = [{"type": "stairs", "edges": np.linspace(-1, 1, 5), "heights": np.array([1, 2, np.nan, 1.0])},
             _line([-1, 0, 1], [0, 2, np.inf], dash="dashed", marker="o", label="curve"),
             {"type": "rule", "axis": "x", "value": 0.5, "dash": "dotted"},
             {"type": "text", "text": "hello", "x": 0.5, "y": 0.5, "box": True}]
    figure = _figure(*marks, legend={"items": [{"label": "curve", "color": "#d62728"}], "loc": "right"},
                     title="t", xlabel="x", ylabel="y", grid=True)
    figure["panels"].append({"id": "img", "box": [0.6, 0.1, 0.3, 0.3], "frame": False,
                             "marks": [{"type": "image", "values": np.arange(64.0).reshape(8, 8), "cmap": "PuOr"}],
                             "colorbar": {"cmap": "PuOr", "vmin": 0.0, "vmax": 63.0, "label": "w"}})
    figure["texts"] = [{"text": "caption", "x": 0.5, "y": 0.97, "align": "center"}]
    png = render_png(resolve(figure), dpi=100)
    assert Image.open(io.BytesIO(png)).size == (400, 300)


# ---- LiveFigure: what travels to the browser ---------------------------------------------------

def _two_panels(y):
    figure = _figure(_line([0, 1], [0, 1]))
    figure["panels"].append({"id": "q", "box": [0.5, 0.1, 0.4, 0.8], "marks": [_line([0, 1], y)]})
    return figure


def _sent(widget, action):
    import ipywidgets
    messages, original = [], ipywidgets.Widget._send

    def record(self, msg, buffers=None):
        if self is widget:
            messages.append((msg, list(buffers or ())))
        return original(self, msg, buffers)
    ipywidgets.Widget._send = record
    try:
        action()
    finally:
        ipywidgets.Widget._send = original
    return messages


def test_live_figure_sends_only_the_panels_that_changed():
    from sporelab.widgets._live import LiveFigure
    pane = LiveFigure(_two_panels([0, 1]))
    messages = _sent(pane, lambda: pane.show(_two_panels([1, 0])))
    assert len(messages) == 1
    msg, buffers = messages[0]
    assert msg["method"] == "custom" and msg["content"]["type"] == "patch"
    assert list(msg["content"]["panels"]) == ["1"]
    assert len(buffers) == 2 and np.frombuffer(buffers[1], np.float32).tolist() == [1.0, 0.0]
    assert ["panels", "1", "marks", 0, "y", "buffer"] in msg["content"]["buffer_paths"]
    # the traitlet holds the whole current figure (what a reloaded page gets)
    y = pane.figure["panels"][1]["marks"][0]["y"]["buffer"]
    assert np.frombuffer(y, np.float32).tolist() == [1.0, 0.0] and pane.renders == 2


def test_live_figure_sends_the_whole_figure_when_its_panels_change():
    from sporelab.widgets._live import LiveFigure
    pane = LiveFigure(_two_panels([0, 1]))
    messages = _sent(pane, lambda: pane.show(_figure(_line([0, 1], [1, 1]))))
    assert len(messages) == 1 and messages[0][0]["method"] == "update" and "figure" in messages[0][0]["state"]


def test_live_figure_sends_its_caption_in_the_figure_message():
    from sporelab.widgets._live import LiveFigure
    pane = LiveFigure(_two_panels([0, 1]))
    whole = _sent(pane, lambda: pane.show(_figure(_line([0, 1], [1, 1])), caption="<b>mean</b> 0.5"))
    assert len(whole) == 1 and set(whole[0][0]["state"]) == {"figure", "caption"}
    pane.show(_two_panels([0, 1]))
    patch = _sent(pane, lambda: pane.show(_two_panels([1, 0]), caption="<b>mean</b> 0.7"))
    assert len(patch) == 1 and patch[0][0]["content"]["caption"] == "<b>mean</b> 0.7"
    same = _sent(pane, lambda: pane.show(_two_panels([1, 1]), caption="<b>mean</b> 0.7"))
    assert len(same) == 1 and "caption" not in same[0][0]["content"]          # unchanged: not resent
    kept = _sent(pane, lambda: pane.show(_two_panels([0, 0])))                 # None keeps it
    assert len(kept) == 1 and "caption" not in kept[0][0]["content"] and pane.caption == "<b>mean</b> 0.7"
    assert pane.get_state(["caption"]) == {"caption": "<b>mean</b> 0.7"} and pane.renders == 6


def test_live_figure_refuses_a_caption_that_is_not_text():
    from sporelab.widgets._live import LiveFigure
    pane = LiveFigure(_two_panels([0, 1]))
    before = (pane.description, pane.caption, pane.renders)
    with pytest.raises(TypeError, match="caption must be an HTML string or None, got int"):
        pane.show(_two_panels([1, 0]), caption=3)
    assert (pane.description, pane.caption, pane.renders) == before


def test_live_figure_keeps_the_last_figure_when_a_description_is_bad():
    from sporelab.widgets._live import LiveFigure
    pane = LiveFigure(_two_panels([0, 1]))
    before = pane.description
    with pytest.raises(ValueError):
        pane.show(_figure({"type": "pie"}))
    assert pane.description is before and pane.renders == 1


def test_minus_and_plus_infinity_are_counted_and_named_apart_in_both_languages():
    from sporelab import i18n
    figure = _figure(_line([0, 1, 2, 3, 4, 5, 6], [np.nan, -np.inf, np.inf, -np.inf, 1.0, -np.inf, 2.0]))
    assert _notes(resolve(figure)) == ["\u25b2 not drawn: 1 NaN, 1 +inf, 3 \u2212inf"]
    assert _notes(resolve(_figure(_line([0, 1, 2], [-np.inf, 2.0, 3.0])))) == ["\u25b2 not drawn: 1 \u2212inf"]
    with i18n.language("zh_cn"):
        assert _notes(resolve(figure)) == ["\u25b2 未画出：1 NaN，1 +inf，3 \u2212inf"]
