"""ConvModel (pure), its figure description and ConvExplorer (headless view): values, formulas
against the engine, the tutorial's 12/18/27, the figure's numbers against the model's, values a
student can produce (NaN, infinity, all-zero kernels, 64 channels), every control at its
extremes, errors shown in the widget with the last good figure kept, one new figure per change."""

import html
import io
import itertools
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from PIL import Image

import sporelab as ms
from sporelab.common.initializer import HeUniform, Normal
from sporelab.widgets import ConvExplorer, ConvModel
from sporelab.widgets._figure import resolve, to_wire
from sporelab.widgets.convolution_figure import (
    MAP_CELLS, PANELS, figure_description, map_factor, shrink, tiles, value_range)
from sporelab.widgets.convolution_model import (
    HAND_MADE, PATTERNS, as_image, hand_made_kernel, kernel_weight, output_size, pattern)


def shown(explorer):
    """The text of the explorer's error box."""
    return html.unescape(explorer.errors.value)


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


# ---- model: inputs ---------------------------------------------------------------------------
def test_patterns_exact():
    board = pattern("checkerboard", 16, 16)
    assert board[0, 0] == 0 and board[0, 8] == 1 and board[8, 8] == 0 and board[8, 0] == 1
    assert pattern("stripes", 2, 24)[1].tolist() == [0.0] * 8 + [1.0] * 8 + [0.0] * 8
    disc = pattern("disc", 64, 64)
    assert disc[32, 32] == 1 and disc[0, 0] == 0 and disc.dtype == np.float32
    ramp = pattern("ramp", 3, 5)
    assert ramp[2].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert pattern("ones", 16, 50).shape == (16, 50) and pattern("ones").min() == 1
    with pytest.raises(ValueError, match="'name'"):
        pattern("circle")


def test_as_image_layouts_and_scaling():
    grey = np.arange(12.0).reshape(3, 4)
    assert as_image(grey).tolist() == [grey.tolist()]
    hwc = np.zeros((4, 5, 3), np.uint8)
    hwc[..., 1] = 255
    out = as_image(hwc)
    assert out.shape == (3, 4, 5) and out[1].min() == 1.0 and out[0].max() == 0.0
    chw = np.random.default_rng(0).random((3, 10, 12))
    np.testing.assert_array_equal(as_image(chw), chw.astype(np.float32))
    assert as_image(np.ones((6, 7, 4))).shape == (3, 6, 7)           # RGBA loses its alpha
    big = np.arange(128 * 128, dtype=np.float64).reshape(128, 128)
    small = as_image(big)                                              # 2 x 2 block means
    assert small.shape == (1, 64, 64)
    assert small[0, 0, 0] == pytest.approx((0 + 1 + 128 + 129) / 4)


@pytest.mark.parametrize("bad, error", [
    ("photo", TypeError), (np.array(["a", "b"]), TypeError), (np.zeros(5), ValueError),
    (np.zeros((0, 4)), ValueError), (np.full((4, 4), np.nan), ValueError),
    (np.zeros((2, 2, 2, 2)), ValueError), (np.zeros((100, 8, 200)), ValueError)])
def test_as_image_rejects(bad, error):
    with pytest.raises(error, match="'image'"):
        as_image(bad)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 40), st.integers(1, 40), st.sampled_from([None, 1, 3, 4]), st.floats(-5, 5))
def test_as_image_any_valid_array(h, w, c, offset):
    shape = (h, w) if c is None else (h, w, c)
    array = np.random.default_rng(h * w).random(shape) + offset
    out = as_image(array, max_size=16)
    # the smaller outer axis holds the channels (ties: the last); RGBA loses its alpha
    channels = 1 if c is None else (3 if c == 4 else c) if c <= h else h
    assert out.ndim == 3 and out.shape[0] == channels and max(out.shape[1:]) <= 16
    assert np.isfinite(out).all() and out.min() >= array.min() - 1e-5 and out.max() <= array.max() + 1e-5


@settings(max_examples=25, deadline=None)
@given(st.one_of(st.text().filter(lambda s: s not in PATTERNS), st.none(),
                 st.lists(st.text(min_size=1), min_size=1), st.complex_numbers()))
def test_model_rejects_non_images(bad):
    with pytest.raises((TypeError, ValueError), match="image"):
        ConvModel(image=bad)


def test_channels_conversion():
    rgb = np.random.default_rng(1).random((8, 8, 3))
    model = ConvModel(image=rgb, channels=1)
    np.testing.assert_allclose(model.input_array()[0], rgb.mean(axis=2), rtol=1e-6)
    assert ConvModel(image="disc", channels=3).input_array().shape == (3, 64, 64)
    with pytest.raises(ValueError, match="'channels'"):
        ConvModel(image=rgb, channels=2).input_array()
    with pytest.raises(ValueError, match="'channels'"):
        ConvModel(channels=0)
    with pytest.raises(TypeError, match="'seed'"):
        ConvModel(seed=True)
    with pytest.raises(TypeError, match="unknown setting"):
        ConvModel().update(kernel=3)
    assert ConvModel().update(seed=3).seed == 3 and ConvModel().update(out_channels=2).channels is None
    with pytest.raises(TypeError, match="'weight_init'"):
        ConvModel(weight_init=[1, 2])
    with pytest.raises(ValueError, match="'weight_init'"):
        ConvModel(weight_init=np.zeros(3))


# ---- model: kernels --------------------------------------------------------------------------
def test_hand_made_kernels_exact():
    assert hand_made_kernel("edge", 3).tolist() == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    assert hand_made_kernel("laplacian", 3).tolist() == [[1, 1, 1], [1, -8, 1], [1, 1, 1]]
    np.testing.assert_allclose(hand_made_kernel("blur", 3), np.full((3, 3), 1 / 9))
    np.testing.assert_allclose(hand_made_kernel("gaussian", 3), np.outer([1, 2, 1], [1, 2, 1]) / 16)
    sharpen = hand_made_kernel("sharpen", 3)
    assert sharpen[1, 1] == pytest.approx(2 - 1 / 9) and sharpen[0, 0] == pytest.approx(-1 / 9)
    assert hand_made_kernel("all-ones", (2, 4)).tolist() == [[1.0] * 4] * 2
    for size in (1, 2, 5, 9):
        assert hand_made_kernel("blur", size).sum() == pytest.approx(1)
        assert hand_made_kernel("gaussian", size).sum() == pytest.approx(1)
        assert hand_made_kernel("sharpen", size).sum() == pytest.approx(1)
        assert hand_made_kernel("laplacian", size).sum() == pytest.approx(0, abs=1e-5)
        assert hand_made_kernel("edge", size).sum() == pytest.approx(0, abs=1e-5)
    with pytest.raises(ValueError, match="'name'"):
        hand_made_kernel("emboss", 3)


def test_kernel_weight_broadcast_and_turns():
    weight = kernel_weight("edge", (5, 2, 3, 3))
    sobel = hand_made_kernel("edge", 3)
    assert weight.shape == (5, 2, 3, 3)
    for o in range(5):
        for c in range(2):
            np.testing.assert_array_equal(weight[o, c], np.rot90(sobel, o))
    assert kernel_weight("all-ones", (64, 3, 3, 3)).sum() == 64 * 27
    assert kernel_weight(np.eye(2), (1, 1, 2, 2)).tolist() == [[[[1, 0], [0, 1]]]]
    with pytest.raises(ValueError, match="kernel_size"):
        kernel_weight(np.eye(2), (1, 1, 3, 3))
    mine = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
    out = ConvModel(image="ones", weight_init=mine, out_channels=1, pad_mode="valid").run().output
    np.testing.assert_allclose(out, 1.0)                 # this sharpen sums to 1


# ---- model: shapes and formulas --------------------------------------------------------------
def test_formula_texts_exact():
    assert output_size("H", 64, 3, 2, 1, "same") == (32, "H_out = ceil(H_in / stride) = ceil(64 / 2) = 32")
    assert output_size("W", 50, 5, 2, 2, "valid") == (
        21, "W_out = ceil((W_in - dilation*(k - 1)) / stride) = ceil((50 - 2*(5 - 1)) / 2) = 21")
    assert output_size("H", 16, 3, 1, 1, "pad", (2, 1)) == (
        17, "H_out = floor((H_in + top + bottom - dilation*(k - 1) - 1) / stride) + 1 = "
            "floor((16 + 2 + 1 - 1*(3 - 1) - 1) / 1) + 1 = 17")


def test_formula_agrees_with_the_engine_over_a_grid():
    image = np.random.default_rng(2).random((11, 14))
    checked = 0
    for kernel, stride, dilation, mode, pad in itertools.product(
            (1, 2, 3, 4), (1, 2, 3), (1, 2), ("same", "valid", "pad"), (0, 1, 3)):
        if mode != "pad" and pad:
            continue                            # padding needs pad_mode='pad' (tested below)
        model = ConvModel(image=image, out_channels=1, kernel_size=kernel, stride=stride,
                          dilation=dilation, pad_mode=mode, padding=pad, weight_init="normal")
        result = model.run()
        for i, text in enumerate(result.formulas):
            assert int(text.rsplit(" = ", 1)[1]) == result.shape[2 + i], (text, result.shape)
        checked += 1
    assert checked == 4 * 3 * 2 * 5


def test_tutorial_pattern_12_18_27():
    result = ConvModel().tutorial().run()
    assert result.shape == (1, 64, 16, 50) and result.weight.shape == (64, 3, 3, 3)
    rows = np.full(16, 3.0)
    rows[[0, -1]] = 2.0
    cols = np.full(50, 3.0)
    cols[[0, -1]] = 2.0
    np.testing.assert_array_equal(result.output, np.broadcast_to(3.0 * np.outer(rows, cols), (64, 16, 50)))
    assert result.output[0, 0, 0] == 12 and result.output[0, 0, 1] == 18 and result.output[0, 5, 5] == 27


def test_initializers_seeded_and_distributed():
    first = ConvModel(image="disc", out_channels=64, weight_init="he_uniform", seed=3).run().weight
    again = ConvModel(image="disc", out_channels=64, weight_init="he_uniform", seed=3).run().weight
    other = ConvModel(image="disc", out_channels=64, weight_init="he_uniform", seed=4).run().weight
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    bound = np.sqrt(6 / 9)                      # gain sqrt(2) * sqrt(3 / fan_in), fan_in = 1 * 3 * 3
    assert np.abs(first).max() <= bound
    assert first.std() == pytest.approx(bound / np.sqrt(3), rel=0.1)    # 576 draws: SE about 3 %
    obj = ConvModel(image="disc", out_channels=64, weight_init=HeUniform(), seed=3).run().weight
    np.testing.assert_array_equal(first, obj)
    normal = ConvModel(image="disc", out_channels=64, weight_init=Normal(0.2), seed=0).run().weight
    assert normal.std() == pytest.approx(0.2, rel=0.1)


def test_hand_made_effects_and_bias():
    blurred = ConvModel(image="ones", weight_init="blur", kernel_size=3, out_channels=1).run().output[0]
    assert blurred[5, 5] == pytest.approx(1) and blurred[0, 0] == pytest.approx(4 / 9)
    ramp = ConvModel(image="ramp", weight_init="edge", out_channels=2, pad_mode="valid").run().output
    step = 1 / 63
    np.testing.assert_allclose(ramp[0], 8 * step, rtol=1e-4)          # left-to-right Sobel
    np.testing.assert_allclose(ramp[1], 0, atol=1e-5)                  # its quarter turn sees none
    biased = ConvModel(image="ones", weight_init="zeros", has_bias=True, bias_init=0.5).run()
    assert biased.bias.tolist() == [0.5] * 4 and np.all(biased.output == 0.5)


@pytest.mark.parametrize("settings_, message", [
    ({"group": 2}, "divisible by 'group'"),
    ({"padding": 2}, "'padding' must be 0"),
    ({"pad_mode": "valid", "kernel_size": 9, "dilation": 4}, "too small"),
    ({"weight_init": "identity"}, "Identity"),
    ({"weight_init": "no_such"}, "weight_init")])
def test_engine_errors_reach_the_caller(settings_, message):
    with pytest.raises(ValueError, match=message):
        ConvModel(image="ones", **settings_).run()


def test_generated_code_exact_and_runnable():
    model = ConvModel(image="ones", channels=3, out_channels=64).tutorial()
    assert model.code() == (
        "import sporelab as ms\nfrom sporelab import nn\n"
        "from sporelab.widgets.convolution_model import kernel_weight\n\n"
        "weight = ms.Tensor(kernel_weight('all-ones', (64, 3, 3, 3)))\n"
        "net = nn.Conv2d(3, 64, 3, weight_init=weight)\n"
        "y = net(x)  # x: a Tensor of shape (1, 3, 16, 50)")
    random = ConvModel(image="disc", weight_init=HeUniform(), stride=2, pad_mode="pad", padding=1,
                       has_bias=True, bias_init=0.5, seed=7)
    assert random.code() == (
        "import sporelab as ms\nfrom sporelab import nn\n"
        "from sporelab.common.initializer import HeUniform\n\n"
        "ms.set_seed(7)\n"
        "net = nn.Conv2d(1, 4, 3, stride=2, pad_mode='pad', padding=1, has_bias=True, bias_init=0.5, "
        "weight_init=HeUniform(negative_slope=0, mode='fan_in', nonlinearity='leaky_relu'))\n"
        "y = net(x)  # x: a Tensor of shape (1, 1, 64, 64)")
    for shown in (model, random):
        scope = {"x": ms.Tensor(shown.input_array()[None])}
        exec(shown.code(), scope)  # noqa: S102 -- the point: the shown code runs as shown
        np.testing.assert_allclose(scope["y"].asnumpy()[0], shown.run().output, rtol=1e-6)


# ---- the figure description ------------------------------------------------------------------
def panels(figure):
    return {panel["id"]: panel for panel in figure["panels"]}


def image(panel):
    return next(mark for mark in panel["marks"] if mark["type"] == "image")


def grid(figure, name):
    """{o: values} of the grid ``name`` ('kernels' or 'maps'), over its row panels."""
    found = {}
    for panel in figure["panels"]:
        if panel["id"].startswith(name) and panel["id"] != name:
            found.update(tiles(panel))
    return found


def texts(figure):
    """Every text of a figure: figure-level texts and text marks."""
    found = [text["text"] for text in figure["texts"]]
    return found + [mark["text"] for panel in figure["panels"] for mark in panel["marks"] if mark["type"] == "text"]


def digest(figure):
    """The figure as a string, arrays by their bytes: equal strings, equal figures."""
    def encode(value):
        if isinstance(value, np.ndarray):
            return f"{value.dtype}{value.shape}{value.tobytes().hex()}"
        if isinstance(value, np.generic):
            return value.item()
        return repr(value)
    return json.dumps(figure, default=encode, sort_keys=True)


def test_figure_numbers_are_the_models():
    result = ConvModel(image="disc", weight_init="he_uniform", out_channels=5, stride=2, seed=1).run()
    figure = figure_description(result, "disc")
    found = panels(figure)
    np.testing.assert_array_equal(image(found["input"])["values"], result.image[0])
    low, high, note = value_range(result.weight[:, 0], symmetric=True)
    assert note == "" and low == -high == -np.abs(result.weight[:, 0]).max()
    kernels, maps = grid(figure, "kernels"), grid(figure, "maps")
    assert sorted(kernels) == sorted(maps) == list(range(5))
    for o in range(5):
        np.testing.assert_array_equal(kernels[o], result.weight[o, 0])
        assert maps[o].shape == (32, 32)                                     # 32 x 32 maps: as they are
        np.testing.assert_array_equal(maps[o], result.output[o])
    for row in ("kernels0", "kernels1"):
        assert (image(found[row])["cmap"], image(found[row])["vmin"], image(found[row])["vmax"]) == ("PuOr", low, high)
    assert found["kernel_scale"]["colorbar"] == {"cmap": "PuOr", "vmin": low, "vmax": high, "label": ""}
    low, high, _ = value_range(result.output, symmetric=False)
    assert image(found["maps1"])["vmin"] == low and found["map_scale"]["colorbar"]["vmax"] == high
    assert image(found["maps0"])["cmap"] == found["map_scale"]["colorbar"]["cmap"] == ("gray" if low < 0 else "viridis")
    assert [m["value"] for m in found["maps0"]["marks"] if m["type"] == "rule"] == [33, 67, 101]   # the gaps
    assert [panel["title"] for panel in figure["panels"] if panel["title"]] == [
        "o = 0 to 3", "o = 4"] * 2
    assert "= ceil(64 / 2) = 32" in texts(figure) and "shape (1, 5, 32, 32)" in texts(figure)
    assert "shape (1, 5, 32, 32)" in figure["alt"]
    assert "H_out = ceil(H_in / stride) = ceil(64 / 2) = 32" in figure["alt"]


def test_large_maps_are_block_averaged():
    result = ConvModel(image="ramp", weight_init="blur", out_channels=2).run()      # 64 x 64 maps
    shown = grid(figure_description(result, "ramp"), "maps")[1]
    assert map_factor((64, 64)) == 2 and shown.shape == (32, 32) and shown.size <= MAP_CELLS
    np.testing.assert_allclose(shown, result.output[1].reshape(32, 2, 32, 2).mean(axis=(1, 3)), rtol=1e-6)
    assert shrink(np.arange(16.0).reshape(4, 4), 2).tolist() == [[2.5, 4.5], [10.5, 12.5]]
    odd = shrink(np.arange(9.0).reshape(3, 3), 2)                 # the last block repeats the edge
    assert odd.tolist() == [[2.0, 3.5], [6.5, 8.0]]
    spot = np.zeros((6, 6))
    spot[0, 0] = np.nan
    assert np.isnan(shrink(spot, 2)).sum() == 1                   # a NaN stays in its block


def test_value_range_cases():
    assert value_range(np.zeros(5), True) == (-1.0, 1.0, "all values = 0")
    assert value_range(np.full(3, 3.0), False) == (2.5, 3.5, "all values = 3")
    assert value_range(np.array([-1.0, 3.0]), False) == (-3.0, 3.0, "")
    assert value_range(np.array([1.0, np.inf, np.nan, 2.0]), False) == (1.0, 2.0, "")
    assert value_range(np.array([np.nan, np.inf]), True) == (-1.0, 1.0, "no finite value to draw")


def test_tutorial_figure_12_18_27_and_64_channels():
    result = ConvModel().tutorial().run()
    figure = figure_description(result, "all-ones 16 x 50", annotate=True)
    found = panels(figure)
    assert sorted(grid(figure, "maps")) == sorted(grid(figure, "kernels")) == list(range(PANELS))
    np.testing.assert_array_equal(grid(figure, "maps")[0], result.output[0])     # 16 x 50: as it is
    assert "corner 12, edge 18, inside 27" in texts(figure)
    points = next(m for m in found["maps0"]["marks"] if m["type"] == "line")
    assert points["x"].tolist() == [0.5, 25.5, 25.5] and points["y"].tolist() == [15.5, 15.5, 7.5]
    assert "the first 8 of 64 shown, 56 hidden" in texts(figure)
    assert "The first 8 of 64 channels are drawn." in figure["alt"] and "inside 27" in figure["alt"]
    assert [m["text"] for m in found["kernels0"]["marks"] if m["type"] == "text"] == ["1"] * 9


def test_input_overlays_follow_padding_and_dilation():
    result = ConvModel(image="ones", pad_mode="pad", padding=2, dilation=3, kernel_size=3).run()
    found = panels(figure_description(result, "ones"))["input"]
    assert found["x"]["lim"] == [-2, 52] and found["y"]["lim"] == [-2, 18]
    pad, window, taps = [m for m in found["marks"] if m["type"] == "line"]
    assert pad["dash"] == "dashed" and pad["x"].tolist() == [-2, 52, 52, -2, -2]
    assert window["x"].tolist() == [-2, 5, 5, -2, -2] and window["y"].tolist() == [11, 11, 18, 18, 11]
    assert taps["x"].tolist() == [-1.5, 1.5, 4.5] * 3 and taps["y"].tolist() == [17.5] * 3 + [14.5] * 3 + [11.5] * 3
    assert found["x"]["labels"] == ["0", "20", "40"] and found["x"]["ticks"] == [0.5, 20.5, 40.5]
    assert found["y"]["labels"] == ["15", "10", "5", "0"] and found["y"]["ticks"] == [0.5, 5.5, 10.5, 15.5]


def test_formula_lines():
    same = figure_description(ConvModel(image="ones").run(), "ones")
    assert [t for t in texts(same) if "_out" in t or t.startswith("= ")] == [
        "H_out = ceil(H_in / stride)", "= ceil(16 / 1) = 16", "W_out = ceil(W_in / stride)", "= ceil(50 / 1) = 50"]
    square = figure_description(ConvModel().run(), "checkerboard")
    assert "W_out = 64" in texts(square) and "(the same formula along W)" in texts(square)


def resolved_notes(figure):
    """The texts resolve() adds: what the renderers show for non-finite or constant data."""
    before = set(texts(figure))
    return [text for text in texts(resolve(figure)) if text not in before]


@pytest.mark.parametrize("init, expect", [
    (np.full((3, 3), np.nan), "no finite"),                        # a kernel of NaN
    (np.array([[np.inf, 0, 1], [0, 1, 0], [1, 0, -np.inf]]), "inf"),
    (np.full((3, 3), 3e38), "inf")])                               # the outputs overflow float32
def test_non_finite_values_give_marks_not_exceptions(init, expect):
    result = ConvModel(image="checkerboard", weight_init=init).run()
    figure = figure_description(result, "checkerboard")
    marks = " ".join(texts(figure) + resolved_notes(figure))
    assert expect in marks.lower() or "nan" in marks.lower(), marks
    wire = to_wire(resolve(figure))
    assert wire is not None


def test_all_zero_kernels_are_named():
    figure = figure_description(ConvModel(weight_init="zeros", out_channels=2).run(), "checkerboard")
    notes = [t for t in texts(figure) if t.startswith("all")]
    assert notes == ["all weights = 0", "all outputs = 0"]
    found = panels(figure)
    assert (image(found["kernels0"])["vmin"], image(found["kernels0"])["vmax"]) == (-1.0, 1.0)
    assert not resolved_notes(figure)                   # widened here: resolve() has nothing to add


def test_image_cells_stay_small():
    """What goes on the wire as images: the input and at most PANELS maps of MAP_CELLS cells."""
    for result in (ConvModel(out_channels=64).run(), ConvModel().tutorial().run(),
                   ConvModel(image=np.random.default_rng(0).random((64, 64)), out_channels=64, kernel_size=1).run()):
        figure = figure_description(result, "x", annotate=True)
        maps = grid(figure, "maps")
        assert len(maps) <= PANELS and max(values.size for values in maps.values()) <= MAP_CELLS
        assert len(figure["panels"]) <= 7                          # input, 2 + 2 rows, 2 colour bars


def test_colour_maps_are_the_accessible_ones():
    """Kernels: diverging PuOr around 0; maps: gray (signed) or viridis; the input: gray."""
    for model, maps in ((ConvModel(weight_init="edge"), "gray"), (ConvModel(weight_init="blur"), "viridis"),
                        (ConvModel(weight_init="he_normal", out_channels=64), "gray")):
        figure = figure_description(model.run(), "x")
        found = panels(figure)
        assert image(found["input"])["cmap"] == "gray"
        assert {image(p)["cmap"] for key, p in found.items() if key.startswith("kernels")} == {"PuOr"}
        assert {image(p)["cmap"] for key, p in found.items() if key.startswith("maps")} == {maps}
        assert image(found["kernels0"])["vmin"] == -image(found["kernels0"])["vmax"]


# ---- the view --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def explorer():
    return ConvExplorer()


def change(explorer, control, value):
    """Set a control; assert one new figure that differs from the last, or an error shown with
    the figure and the render count as they were. Returns whether the change was accepted."""
    before, renders, was_error = digest(explorer.pane.description), explorer.pane.renders, explorer.errors.value
    assert control.value != value
    control.value = value
    if explorer.errors.value:
        assert explorer.pane.renders == renders and digest(explorer.pane.description) == before
        return False
    assert explorer.pane.renders == renders + 1
    # the figure shows the new state, unless that is the one drawn before an error, or a seed
    # change with a hand-made kernel (no random draw to change)
    if not was_error and (control is not explorer.seed or explorer.weight_init.value not in HAND_MADE):
        assert digest(explorer.pane.description) != before, (control.description, value)
    return True


def test_opens_on_the_photo_with_edge_kernels():
    explorer = ConvExplorer()
    assert explorer.errors.value == "" and explorer.pane.renders == 1
    assert explorer.source.value.startswith("photo") and explorer.weight_init.value == "edge"
    assert explorer.model.image.shape == (3, 64, 64)              # Grace Hopper, shrunk
    figure = explorer.pane.description
    assert "shape (1, 4, 64, 64)" in texts(figure) and "Grace Hopper" in figure["alt"]
    assert list(panels(figure)) == ["input", "kernels0", "kernel_scale", "maps0", "map_scale"]
    assert sorted(grid(figure, "kernels")) == [0, 1, 2, 3]


def test_every_control_at_min_middle_max(explorer):
    explorer.reset_button.click()
    sliders = [explorer.seed, explorer.out_channels, explorer.kernel_size, explorer.stride,
               explorer.dilation, explorer.padding, explorer.group, explorer.bias]
    explorer.weight_init.value = "he_uniform"                     # the seed draws something
    explorer.has_bias.value = True
    for control in sliders:
        middle = control.min + round((control.max - control.min) / 2 / control.step) * control.step
        for value in (control.max, middle, control.min):
            if value != control.value:
                change(explorer, control, value)
        explorer.reset_button.click()
        explorer.weight_init.value = "he_uniform"
        explorer.has_bias.value = True
    dropdowns = [explorer.source, explorer.channels, explorer.pad_mode, explorer.weight_init]
    for control in dropdowns:
        values = [option[1] if isinstance(option, tuple) else option for option in control.options]
        for value in values[1:] + values[:1]:
            change(explorer, control, value)
    for value in (False, True, False):
        change(explorer, explorer.has_bias, value)
    assert explorer.bias.disabled


def test_bad_combinations_are_shown_not_raised(explorer):
    explorer.reset_button.click()
    png = explorer.pane.png()
    assert not change(explorer, explorer.group, 2)
    assert "divisible by 'group'" in shown(explorer) and explorer.errors.layout.display == "block"
    assert change(explorer, explorer.group, 1) and explorer.errors.value == ""
    assert not change(explorer, explorer.padding, 3)
    assert "pad_mode" in shown(explorer)
    assert change(explorer, explorer.pad_mode, "pad")
    assert explorer.pane.png() != png
    explorer.tutorial_button.click()
    assert change(explorer, explorer.pad_mode, "valid")
    assert change(explorer, explorer.dilation, 4)          # 1 + 4 * (3 - 1) = 9 rows <= 16: fine
    assert not change(explorer, explorer.kernel_size, 9)   # 1 + 4 * (9 - 1) = 33 rows > 16
    assert "too small" in shown(explorer)
    assert "identity" not in [value for _, value in explorer.weight_init.options]   # 2-D only: not offered


def test_buttons_one_figure_each_and_the_tutorial(explorer):
    explorer.reset_button.click()
    renders = explorer.pane.renders
    explorer.tutorial_button.click()
    assert explorer.pane.renders == renders + 1 and explorer.errors.value == ""
    figure = explorer.pane.description
    assert "corner 12, edge 18, inside 27" in texts(figure)
    values = grid(figure, "maps")[0]
    assert values.shape == (16, 50) and values[0, 0] == 12 and values[8, 25] == 27
    assert len(grid(figure, "kernels")) == PANELS
    explorer.reset_button.click()
    assert explorer.pane.renders == renders + 2
    assert explorer.kernel_size.value == 3 and explorer.source.value == explorer.source.options[0][1]
    assert not any("corner" in text for text in texts(explorer.pane.description))


def test_figure_follows_the_model(explorer):
    explorer.reset_button.click()
    explorer.out_channels.value = 3
    explorer.stride.value = 2
    result = explorer.model.run()
    maps = grid(explorer.pane.description, "maps")
    assert sorted(maps) == [0, 1, 2]
    for o in range(3):
        np.testing.assert_array_equal(maps[o], result.output[o])
    assert "= ceil(64 / 2) = 32" in texts(explorer.pane.description)
    assert "nn.Conv2d(1, 3, 3, stride=2, weight_init=weight)" in explorer.code


def test_png_is_drawn_from_the_description(explorer):
    explorer.reset_button.click()
    png = explorer.pane.png()
    saved = pixels(png)
    assert png.startswith(b"\x89PNG") and saved.shape[1] > 600
    assert len(np.unique(saved.reshape(-1, 3), axis=0)) > 50      # the photo and the maps are there
    explorer.stride.value = 2
    assert explorer.pane.png() != png


def test_an_exploding_kernel_shows_marks(explorer):
    mine = ConvExplorer(weight_init=np.full((3, 3), 3e38))
    assert mine.errors.value == "" and mine.pane.renders == 1
    assert np.isinf(mine.model.run().output).any()
    assert mine.pane.png().startswith(b"\x89PNG")
    assert any("inf" in text.lower() or "finite" in text.lower() for text in texts(mine.pane.description))


def test_user_image_and_initializer():
    explorer = ConvExplorer(image=np.random.default_rng(4).random((30, 40, 3)), weight_init=Normal(0.3))
    assert explorer.source.value == "your image" and explorer.channels.value == 3
    assert explorer.errors.value == "" and explorer.model.run().weight.shape == (4, 3, 3, 3)
    assert "Normal(" in explorer.code
    explorer.reset_button.click()
    assert explorer.source.value.startswith("photo") and explorer.errors.value == ""
    with pytest.raises(ValueError, match="'image'"):
        ConvExplorer(image=np.zeros(4))
    with pytest.raises(TypeError, match="'weight_init'"):
        ConvExplorer(weight_init=[1, 2])


def test_user_kernel():
    explorer = ConvExplorer(weight_init=np.ones((5, 5)) / 25)
    assert explorer.weight_init.label == "yours: 5 x 5 kernel" and explorer.kernel_size.value == 5
    assert explorer.errors.value == "" and explorer.model.run().weight[0, 0, 2, 2] == pytest.approx(0.04)
    assert not change(explorer, explorer.kernel_size, 3)
    assert "Set kernel_size to 5" in shown(explorer)


def test_model_needs_neither_ipywidgets_nor_matplotlib():
    code = ("import sys\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in ('ipywidgets', 'matplotlib'):\n"
            "            raise ImportError(name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "from sporelab.widgets.convolution_model import ConvModel\n"
            "print(ConvModel().tutorial().run().output[0, 0, :2].tolist())\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[12.0, 18.0]"


def test_the_seed_slider_is_disabled_when_nothing_is_random():
    explorer = ConvExplorer()
    assert explorer.weight_init.value == "edge" and explorer.seed.disabled
    explorer.weight_init.value = "he_uniform"
    assert not explorer.seed.disabled
