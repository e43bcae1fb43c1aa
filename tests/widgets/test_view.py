"""The shared panes: ``FigurePane`` and ``_blit.BlitPane`` (static layer cached, redrawn in part)."""

import matplotlib

matplotlib.use("Agg")

import io  # noqa: E402

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from sporelab.widgets._blit import BlitPane, encode_png  # noqa: E402
from sporelab.widgets._view import FigurePane  # noqa: E402


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def small_pane(fixed):
    """Two axes side by side, a line in each; regions: fixed rectangles or the axes' extents."""
    pane = BlitPane((4, 2))
    left, right = pane.figure.subplots(1, 2, gridspec_kw={"wspace": 0.6})    # labels inside halves
    lines = [ax.plot([0, 1], [0, 1])[0] for ax in (left, right)]
    for ax, name in ((left, "left"), (right, "right")):
        ax.set_title(name)
    pane.dynamic = lines
    pane.regions = {"left": ((0, 0, 0.5, 1) if fixed else None, [left]),
                    "right": ((0.5, 0, 1, 1) if fixed else None, [right])}
    pane.keys = {name: (lambda ax=ax: (ax.get_ylim(), ax.get_title()))
                 for name, ax in (("left", left), ("right", right))}
    return pane, left, right, lines


@pytest.mark.parametrize("fixed", [False, True], ids=["extent", "rectangle"])
def test_a_partial_redraw_equals_a_full_draw(fixed):
    pane, left, right, lines = small_pane(fixed)
    pane.redraw()
    assert pane.full_draws == 1
    right.set_ylim(-5, 50)                      # new tick labels: the "right" region only
    right.set_title("right, new")
    lines[1].set_ydata([3, 40])
    partial = pane.png()
    assert pane.full_draws == 1
    full = FigurePane.png(pane)                 # savefig: everything drawn from scratch
    np.testing.assert_array_equal(pixels(partial), pixels(full))
    pane._background = None                     # the static layer drawn whole again
    assert pane.png() == partial and pane.full_draws == 2


def test_the_figure_key_forces_a_full_draw_and_save_shows_everything(tmp_path):
    pane, left, _, lines = small_pane(fixed=False)
    state = {"key": 0}
    pane.figure_key = lambda: state["key"]
    pane.redraw(), pane.redraw()
    assert pane.full_draws == 1 and pane.draws == 2
    state["key"] = 1
    pane.redraw()
    assert pane.full_draws == 2
    assert not any(line.get_animated() for line in lines)     # animated only inside png()
    pane.save(tmp_path / "pane.png", dpi=50)
    with_lines = np.asarray(Image.open(tmp_path / "pane.png").convert("RGB"))
    for line in lines:
        line.set_visible(False)
    pane.save(tmp_path / "bare.png", dpi=50)
    assert (with_lines != np.asarray(Image.open(tmp_path / "bare.png").convert("RGB"))).any()


def test_the_png_path_without_ipympl():
    pane, *_ = small_pane(fixed=True)
    assert not pane.interactive and isinstance(pane.widget, widgets.Image)
    pane.redraw()
    shown = pixels(pane.widget.value)
    assert pane.widget.value[:8] == b"\x89PNG\r\n\x1a\n" and shown.shape == (160, 320, 3)
    assert pixels(pane.png(dpi=40)).shape == (80, 160, 3)      # another dpi: a full draw
    np.testing.assert_array_equal(pixels(pane.png()), shown)   # the cached layer still holds


def test_encode_png_is_lossless():
    rgb = np.random.default_rng(0).integers(0, 256, (7, 5, 3), dtype=np.uint8)
    np.testing.assert_array_equal(pixels(encode_png(rgb)), rgb)
