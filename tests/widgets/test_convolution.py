"""ConvModel (pure) and ConvExplorer (headless view): values, formulas against the engine, the
tutorial's 12/18/27, every control at its extremes, errors shown in the widget, one redraw per
change, and the fast renderer's output against a plain matplotlib render."""

import matplotlib

matplotlib.use("Agg")

import html  # noqa: E402
import io  # noqa: E402
import itertools  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from PIL import Image  # noqa: E402

import sporelab as ms  # noqa: E402
from sporelab import nn  # noqa: E402
from sporelab.common.initializer import HeUniform, Normal  # noqa: E402
from sporelab.widgets import ConvExplorer, ConvModel  # noqa: E402
from sporelab.widgets._fastdraw import GridText, StampedText, encode_png  # noqa: E402
from sporelab.widgets._view import FigurePane  # noqa: E402
from sporelab.widgets.convolution_model import (  # noqa: E402
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
    for model in (model, random):
        scope = {"x": ms.Tensor(model.input_array()[None])}
        exec(model.code(), scope)  # noqa: S102 -- the point: the shown code runs as shown
        np.testing.assert_allclose(scope["y"].asnumpy()[0], model.run().output, rtol=1e-6)


# ---- the fast renderer -----------------------------------------------------------------------
def test_encode_png_round_trip():
    rgb = np.random.default_rng(3).integers(0, 256, (7, 9, 3), dtype=np.uint8)
    np.testing.assert_array_equal(pixels(encode_png(rgb)), rgb)


@pytest.mark.parametrize("string, ha", [("H_out = 32", "center"), ("= ceil((64 - 2*(3 - 1)) / 2) = 30", "left"),
                                        ("(1, 64, 16, 50)", "right")])
def test_stamped_and_grid_text_match_plain_text(string, ha):
    def render(cls):
        fig = Figure(figsize=(4, 1), dpi=100)           # the anchor falls on a whole pixel
        FigureCanvasAgg(fig)
        text = cls(0.5, 0.5, string, fontsize=11, ha=ha, family="monospace")
        fig.add_artist(text)
        fig.canvas.draw()
        fig.canvas.draw()                        # the second draw uses the stamps
        return np.asarray(fig.canvas.buffer_rgba()).copy()
    plain = render(Text)
    np.testing.assert_array_equal(render(StampedText), plain)
    np.testing.assert_array_equal(render(GridText), plain)


# ---- the view --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def explorer():
    return ConvExplorer()


def change(explorer, control, value):
    """Set a control; assert one redraw and a changed figure, or an error shown with the figure
    and the redraw count as they were. Returns whether the change was accepted."""
    shown_png = explorer.pane.widget.value            # the PNG the notebook shows
    before_draws, was_error = explorer.pane.draws, explorer.errors.value
    assert control.value != value
    control.value = value
    if explorer.errors.value:
        assert explorer.pane.draws == before_draws
        assert explorer.pane.widget.value == shown_png
        return False
    assert explorer.pane.draws == before_draws + 1
    # the figure shows the new state, unless that is the one drawn before an error, or a seed
    # change with a hand-made kernel (no random draw to change)
    if not was_error and (control is not explorer.seed or explorer.weight_init.value not in HAND_MADE):
        assert explorer.pane.widget.value != shown_png, (control.description, value)
    return True


def test_opens_on_the_photo_with_edge_kernels():
    explorer = ConvExplorer()
    assert explorer.errors.value == "" and explorer.pane.draws == 1
    assert explorer.source.value.startswith("photo") and explorer.weight_init.value == "edge"
    assert explorer.model.image.shape == (3, 64, 64)              # Grace Hopper, shrunk
    assert explorer.drawing._titles[2][1].get_text() == "shape (1, 4, 64, 64)"
    assert [axes.get_visible() for axes, _ in explorer.drawing.kernels] == [True] * 4 + [False] * 4


def test_every_control_at_its_extremes(explorer):
    explorer.reset_button.click()
    sliders = [explorer.seed, explorer.out_channels, explorer.kernel_size, explorer.stride,
               explorer.dilation, explorer.padding, explorer.group, explorer.bias]
    explorer.has_bias.value = True
    for control in sliders:
        for value in (control.max, control.min):
            change(explorer, control, value)
        explorer.reset_button.click()
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
    assert not change(explorer, explorer.weight_init, "identity")
    assert "Identity" in shown(explorer)


def test_buttons_one_redraw_each_and_the_tutorial(explorer):
    explorer.reset_button.click()
    draws = explorer.pane.draws
    explorer.tutorial_button.click()
    assert explorer.pane.draws == draws + 1 and explorer.errors.value == ""
    marks = [mark.get_text() for mark in explorer.drawing._marks if mark.get_visible()]
    assert marks == ["12", "18", "27"]
    image = explorer.drawing.outputs[0][1].get_array()
    assert image.shape == (16, 50) and image[0, 0] == 12 and image[8, 25] == 27
    assert [axes.get_visible() for axes, _ in explorer.drawing.kernels] == [True] * 8
    explorer.reset_button.click()
    assert explorer.pane.draws == draws + 2
    assert explorer.kernel_size.value == 3 and explorer.source.value == explorer.source.options[0][1]
    assert not any(mark.get_visible() for mark in explorer.drawing._marks)


def test_figure_follows_the_model(explorer):
    explorer.reset_button.click()
    explorer.out_channels.value = 3
    visible = [axes.get_visible() for axes, _ in explorer.drawing.outputs]
    assert visible == [True] * 3 + [False] * 5
    explorer.stride.value = 2
    result = explorer.model.run()
    for o in range(3):
        np.testing.assert_array_equal(explorer.drawing.outputs[o][1].get_array(), result.output[o])
    formula = " ".join(t.get_text() for row in explorer.drawing._formula for t in row)
    assert "ceil(64 / 2) = 32" in formula
    assert "nn.Conv2d(1, 3, 3, stride=2, weight_init=weight)" in explorer.code.value


def test_fast_redraw_equals_a_full_render(explorer):
    explorer.reset_button.click()
    for name, value in (("out_channels", 8), ("kernel_size", 5), ("source", "ones"), ("stride", 2)):
        getattr(explorer, name).value = value
        fast = pixels(explorer.pane.png())
        with explorer.pane._everything():
            full = pixels(FigurePane.png(explorer.pane))
        assert (np.abs(fast - full).max(axis=2) > 0).sum() <= 4      # antialiased frame corners


def test_user_image_and_initializer():
    explorer = ConvExplorer(image=np.random.default_rng(4).random((30, 40, 3)), weight_init=Normal(0.3))
    assert explorer.source.value == "your image" and explorer.channels.value == 3
    assert explorer.errors.value == "" and explorer.model.run().weight.shape == (4, 3, 3, 3)
    assert "Normal(" in explorer.code.value
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


def test_save_draws_everything(tmp_path, explorer):
    explorer.reset_button.click()
    explorer.pane.save(tmp_path / "conv.png", dpi=50)
    saved = np.asarray(Image.open(tmp_path / "conv.png").convert("RGB"))
    assert saved.shape == (280, 700, 3)
    assert len(np.unique(saved.reshape(-1, 3), axis=0)) > 50      # the photo and the maps are there


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
