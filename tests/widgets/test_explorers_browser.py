"""The five explorers in a real browser, in JupyterLab 4 and Notebook 7 (issue 11).

A generated notebook builds each explorer (Initializer, Conv, Training, Depth, DataParallel) and
four more that a student drives into hard values. Per app (one private server each, started by
tests/widgets/test_figure_browser.py's ``_server``; every wait bounded), for each explorer: its
LiveFigure has rendered with no problem reported; a slider moved with the keyboard redraws it (key
press -> redrawn figure measured with ``performance.now()`` and ``window.__sporelabRenders``; the
median is printed per app, never asserted); a button click changes it; axe-core over its output
area finds no serious or critical violation. Hard values, reached with the controls as a student
does: a learning rate of 10 stepped until the loss overflows, a Constant and a Zero initializer on a
single weight, 64 all-zero kernels, a 30-layer linear network with sigma 10; each is drawn with its
note in the SVG, no problem reported, no NaN/Infinity in an attribute. The console stays clean.

Screenshots (1280 px viewport, file browser collapsed) and the console log go to
``test-artifacts/explorers-browser/``; ``lab-<name>.png`` are the README's images: with
``SPORELAB_DOC_IMAGES=1`` they are also written to ``docs/img/<name>-lab.png``.
"""

import os
import re
import shutil
import statistics
import time
from pathlib import Path

import pytest

from tests.widgets import test_figure_browser as fb    # servers, page JS, console

REPO = Path(__file__).resolve().parents[2]
tb, axe = fb.tb, fb.axe
browser = fb.browser                                   # the module's Chromium (a fixture)

SHOTS = tb.ARTIFACTS / "explorers-browser"
NOTEBOOK = "explorers.ipynb"
RUN_TIMEOUT = 120.0                 # s for the notebook to run and every explorer to draw
CHANGE_TIMEOUT = 10.0               # s for one control change to reach the SVG
DOC_IMAGES = os.environ.get("SPORELAB_DOC_IMAGES", "").strip() not in ("", "0")

# name -> (the cell that builds it, the slider moved, the button clicked, the docs/img name)
EXPLORERS = {
    "initializers": ("InitializerExplorer()", "seed", "new seed", "initializers"),
    "convolution": ("ConvExplorer()", "out_channels", "Tutorial: 12/18/27", "convolution"),
    "training": ("TrainingExplorer()", "seed", "Step", "training"),
    "depth": ("DepthExplorer()", "depth (layers)", "He for ReLU: ReLU + HeNormal", "depth"),
    "data_parallel": ("DataParallelExplorer()", "workers P", "New batch", "data-parallel"),
}
# Explorers a student drives into hard values (the tests below move their controls).
HARD = {
    "single": "InitializerExplorer(out_channels=1, in_channels=1, kernel_size=1)",
    "zero64": "ConvExplorer()",
    "diverge": "TrainingExplorer()",
    "overflow": "DepthExplorer()",
}
# Before its button is clicked: a slider moved to its maximum and the clicks (a loss curve to show).
SHOWCASE = {"training": ("steps per click", 10)}
# What each explorer's caption (statistics, code line: under the figure, in its message) always holds.
CAPTIONS = {"initializers": "fan_in", "convolution": "nn.Conv2d(", "depth": "nn.SequentialCell("}
KEY_PRESSES = 6                      # per explorer: right, left, right, ...
LATENCIES = {}                       # app -> key press -> redrawn figure (ms), printed at the end
RENDERS = {}                         # app -> figure.js's own render time (ms) in those redraws


def _notebook():
    code = lambda source: {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                           "source": source}
    cells = [code("import numpy as np\nfrom sporelab.widgets import (InitializerExplorer, ConvExplorer, "
                  "TrainingExplorer, DepthExplorer, DataParallelExplorer)\nexplorers = {}")]
    # A class on each explorer's root element addresses it from the page.
    for name, build in [(n, e[0]) for n, e in EXPLORERS.items()] + list(HARD.items()):
        cells.append(code(f"explorers[{name!r}] = {build}\n"
                          f"explorers[{name!r}].add_class('sporelab-test-{name}')\nexplorers[{name!r}]"))
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}


# --------------------------------------------------------------------------------------------
# The page: one server, page and run notebook per app.
# --------------------------------------------------------------------------------------------

# Every text of the SVG with its colour (its own fill or the nearest ancestor's).
JS_TEXT_FILLS = """
(el) => Array.from(el.querySelectorAll(':scope > svg text'))
    .map(t => [t.textContent, (t.closest('[fill]')?.getAttribute('fill') || '').toLowerCase()])
"""


def _red(fill):
    """Whether an SVG fill is a red: the notes' #b00020, the theory's red (#rrggbb only)."""
    if not re.fullmatch(r"#[0-9a-f]{6}", fill):
        return False
    r, g, b = (int(fill[i:i + 2], 16) for i in (1, 3, 5))
    return r >= 0xa0 and g <= 0x60 and b <= 0x60


class Page:
    """One app's page with the notebook run: explorers addressed by name."""

    def __init__(self, app, page, console, run_secs):
        self.app, self.page, self.console, self.run_secs = app, page, console, run_secs

    def view(self, name):
        return self.page.locator(f".sporelab-test-{name}")

    def output(self, name):
        return self.page.locator(f".jp-OutputArea-output:has(> .sporelab-test-{name})")

    def figure(self, name):
        """fb.JS_FIGURE's dict of the explorer's LiveFigure, plus its red texts; None before it draws."""
        figures = self.view(name).locator(".sporelab-figure")
        if figures.count() != 1:
            return None
        figure = figures.evaluate(fb.JS_FIGURE)
        if figure is not None:
            figure["red"] = [text for text, fill in figures.evaluate(JS_TEXT_FILLS) if _red(fill)]
        return figure

    def caption(self, name):
        """The text of the HTML under the explorer's figure (LiveFigure's caption), '' if none."""
        return self.view(name).locator(".sporelab-figure").evaluate(
            "el => el.querySelector(':scope > .sporelab-caption')?.innerText ?? ''")

    def wait(self, name, check, what, timeout=CHANGE_TIMEOUT):
        state = {}

        def ok():
            state["figure"] = self.figure(name)
            return state["figure"] is not None and check(state["figure"])
        assert tb._poll(ok, timeout, interval=0.05), (
            f"{self.app} {name}: {what}; the figure: {_brief(state.get('figure'))}; "
            f"error box: {self.errors(name)!r}; console: {self.console[-5:]}")
        return state["figure"]

    def errors(self, name):
        """The text of the explorer's ErrorBox (empty when hidden)."""
        return self.view(name).evaluate(
            "v => Array.from(v.querySelectorAll('.widget-html')).filter(h => h.offsetParent && "
            "h.innerText.match(/Error:/)).map(h => h.innerText).join(' | ')")

    def slider(self, name, label):
        sliders = self.view(name).locator(".widget-slider").filter(
            has=self.page.locator(".widget-label", has_text=re.compile(f"^{re.escape(label)}$")))
        visible = [s for s in sliders.all() if s.is_visible()]
        assert visible, f"{self.app} {name}: no visible slider {label!r}"
        return visible[0].locator("[role=slider]").first

    def select(self, name, option):
        """Choose ``option`` in the first visible dropdown of the explorer that offers it."""
        for select in self.view(name).locator(".widget-dropdown select").all():
            if select.is_visible() and option in select.evaluate("s => Array.from(s.options).map(o => o.label)"):
                select.select_option(label=option)
                return
        pytest.fail(f"{self.app} {name}: no dropdown offers {option!r}", pytrace=False)

    def button(self, name, label):
        return self.view(name).locator("button.widget-button", has_text=re.compile(f"^\\s*{re.escape(label)}\\s*$"))


def _brief(figure):
    if not figure:
        return figure
    return {k: figure[k] for k in ("panels", "problems", "renders", "badAttributes", "red")} | {
        "text": figure["text"][:300]}


def _open(browser, url, token, app):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(tb.UI_TIMEOUT_MS)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(f"[{m.type}] {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    start = time.monotonic()
    page.goto(url + fb.APPS[app][2].format(path=NOTEBOOK, token=token), wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=2 * tb.UI_TIMEOUT_MS)
    opened = page.evaluate(fb.JS_OPEN, {"path": NOTEBOOK, "ms": 2 * tb.UI_TIMEOUT_MS})
    assert opened["kernel"] == "python3", opened
    session = Page(app, page, console, 0.0)
    names = list(EXPLORERS) + list(HARD)

    def drawn():
        return all((f := session.figure(n)) and f["renders"] >= 1 for n in names)
    assert tb._poll(drawn, RUN_TIMEOUT, interval=0.5), (
        f"{app}: not every explorer drew its figure within {RUN_TIMEOUT:.0f} s: "
        f"{ {n: _brief(session.figure(n)) for n in names} }; console: {console[-10:]}")
    session.run_secs = time.monotonic() - start
    return context, session


@pytest.fixture(scope="module", params=sorted(fb.APPS))
def session(request, browser, tmp_path_factory):
    tb._needs_lab()
    app = request.param
    base = tmp_path_factory.mktemp(f"explorers-{app}")
    with fb._server(base, app, notebooks={NOTEBOOK: _notebook()}) as (url, token):
        context, session = _open(browser, url, token, app)
        try:
            yield session
        finally:
            SHOTS.mkdir(parents=True, exist_ok=True)
            (SHOTS / f"{app}-console.log").write_text("\n".join(session.console) + "\n")
            context.close()


def _clean(figure):
    return figure["problems"] == 0 and figure["badAttributes"] == [] and figure["panels"]


# --------------------------------------------------------------------------------------------
# Every explorer: drawn, a slider, a button, axe.
# --------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", list(EXPLORERS))
def test_a_slider_moved_with_the_keyboard_redraws_the_figure(session, name, capsys):
    figure = session.figure(name)
    assert figure and _clean(figure), f"{session.app} {name}: not drawn cleanly: {_brief(figure)}"
    assert (figure["role"], figure["label"]) == ("img", figure["title"]) and figure["label"]
    page, since = session.page, len(session.console)
    page.evaluate(fb.JS_KEY_LISTENER)
    handle = session.slider(name, EXPLORERS[name][1])
    latencies, renders = [], []
    captions = [session.caption(name)]
    for press in range(KEY_PRESSES):
        before = session.figure(name)
        at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
        old = handle.get_attribute("aria-valuenow")
        handle.focus()
        handle.press("ArrowLeft" if press % 2 or at_max else "ArrowRight")
        after = session.wait(name, lambda f, before=before: f["renders"] > before["renders"],
                             f"key press {press + 1} on {EXPLORERS[name][1]!r} did not redraw")
        assert handle.get_attribute("aria-valuenow") != old and _clean(after), _brief(after)
        timing = tb._poll(lambda: page.evaluate(fb.JS_LATENCY), CHANGE_TIMEOUT, interval=0.02)
        assert timing, f"{session.app} {name}: no render logged after key press {press + 1}"
        latencies.append(timing["latency"])
        renders.append(timing["render"])
        captions.append(session.caption(name))
    if name in CAPTIONS:        # the caption under the figure came in the figure's message, and follows it
        assert all(CAPTIONS[name] in c for c in captions) and len(set(captions)) > 1, captions
    LATENCIES.setdefault(session.app, []).extend(latencies)
    RENDERS.setdefault(session.app, []).extend(renders)
    with capsys.disabled():
        print(f"\n[explorers] {session.app} {name}: key press on {EXPLORERS[name][1]!r} -> redrawn figure, "
              f"median {statistics.median(latencies):.1f} ms (max {max(latencies):.1f}, n={len(latencies)}); "
              f"figure.js render median {statistics.median(renders):.1f} ms")
    fb._no_console_errors(session, since)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EXPLORERS))
def test_a_button_click_changes_the_figure(session, name):
    since = len(session.console)
    slider, clicks = SHOWCASE.get(name, (None, 1))
    if slider:
        _to_max(session, name, slider)
        _settled(session, name, lambda f: True, f"moving {slider!r}")
    for _ in range(clicks):
        before = session.figure(name)
        session.button(name, EXPLORERS[name][2]).click()
        after = session.wait(name, lambda f, b=before: f["renders"] > b["renders"] and f["text"] != b["text"],
                             f"clicking {EXPLORERS[name][2]!r} did not change the figure")
        assert _clean(after), _brief(after)
    assert session.errors(name) == ""
    fb._no_console_errors(session, since)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{session.app}-{name}.png"
    session.page.wait_for_timeout(300)          # the last slider readout and button focus ring settle
    tb._element_screenshot(session.page, session.output(name), shot)
    if DOC_IMAGES and session.app == "lab":
        shutil.copyfile(shot, REPO / "docs" / "img" / f"{EXPLORERS[name][3]}-lab.png")


@pytest.mark.slow
@pytest.mark.parametrize("name", list(EXPLORERS))
def test_axe_finds_no_serious_violation_in_an_explorer(session, name, capsys):
    found = axe.check(session.page, f".jp-OutputArea-output:has(> .sporelab-test-{name})", f"{session.app}: {name}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{session.app}-axe-{name}.txt").write_text(axe.describe(found) + "\n")
    with capsys.disabled():
        print(f"\n[axe] {session.app} {name}: "
              + (", ".join(f"{v['id']} ({v['impact']}) x{len(v['nodes'])}" for v in found) or "no violation"))


# --------------------------------------------------------------------------------------------
# Hard values a student will produce, reached with the controls.
# --------------------------------------------------------------------------------------------

def _to_max(session, name, label):
    handle = session.slider(name, label)
    handle.focus()
    handle.press("End")
    assert tb._poll(lambda: handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax"), 5), (
        f"{session.app} {name}: End did not move {label!r} to its maximum")


def _settled(session, name, check, what):
    """Wait for ``check`` then for the figure to stop changing (the kernel may still be drawing)."""
    figure = session.wait(name, check, what)
    last = [figure["renders"], time.monotonic()]

    def still():
        renders = session.figure(name)["renders"]
        if renders != last[0]:
            last[:] = [renders, time.monotonic()]
        return time.monotonic() - last[1] > 1.0
    tb._poll(still, CHANGE_TIMEOUT, interval=0.1)
    return session.wait(name, check, what)


def _shot(session, name, figure, capsys):
    with capsys.disabled():
        print(f"\n[explorers] {session.app} {name}: red notes {figure['red']}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    tb._element_screenshot(session.page, session.output(name), SHOTS / f"{session.app}-hard-{name}.png")


@pytest.mark.slow
def test_a_learning_rate_of_10_overflows_the_loss_with_a_note(session, capsys):
    name, since = "diverge", len(session.console)
    session.select(name, "SGD")
    _to_max(session, name, "learning rate")                        # 10
    session.select(name, "2.weight")
    field = session.view(name).locator(".widget-text", has=session.page.locator(".widget-label", has_text="="))
    field.locator("input").fill("1e37")                            # a huge weight at [0, 0]: Enter applies it
    field.locator("input").press("Enter")
    session.wait(name, lambda f: "Entry 0 of 2.weight = 1e+37" in f["text"], "the edited weight was not drawn")
    for _ in range(5):
        if "diverged" in " ".join(session.figure(name)["red"]):
            break
        before = session.figure(name)["renders"]
        session.button(name, "Step").click()
        session.wait(name, lambda f, b=before: f["renders"] > b, "Step did not redraw")
    figure = _settled(session, name, lambda f: any("diverged" in t for t in f["red"]),
                      "the loss did not diverge within 5 steps at a learning rate of 10")
    assert _clean(figure), _brief(figure)
    assert any("inf" in t for t in figure["red"]), figure["red"]
    _shot(session, name, figure, capsys)
    fb._no_console_errors(session, since)


@pytest.mark.slow
def test_a_constant_and_a_zero_on_a_single_weight_have_a_note(session, capsys):
    name, since = "single", len(session.console)
    for option, value in (("Constant", "0.5"), ("Zero", "0")):
        session.select(name, option)
        figure = _settled(session, name, lambda f, v=value: f"a single weight = {v}" in f["red"],
                          f"{option} on a single weight is not named in red")
        assert _clean(figure), _brief(figure)
        assert session.errors(name) == ""
    _shot(session, name, figure, capsys)
    fb._no_console_errors(session, since)


@pytest.mark.slow
def test_64_all_zero_kernels_are_named(session, capsys):
    name, since = "zero64", len(session.console)
    session.select(name, "zeros")
    _to_max(session, name, "out_channels")                          # 64
    figure = _settled(session, name, lambda f: "the first 8 of 64 shown, 56 hidden" in f["text"],
                      "64 channels are not named")
    assert _clean(figure), _brief(figure)
    assert {"all weights = 0", "all outputs = 0"} <= set(figure["red"]), figure["red"]
    assert figure["images"] == 7          # the input, two rows of kernels and of maps, two colour bars
    _shot(session, name, figure, capsys)
    fb._no_console_errors(session, since)


@pytest.mark.slow
def test_a_30_layer_linear_network_with_sigma_10_overflows_with_notes(session, capsys):
    name, since = "overflow", len(session.console)
    session.select(name, "linear")
    session.select(name, "Normal(sigma)")
    _to_max(session, name, "depth (layers)")                        # 30
    _to_max(session, name, "sigma")                                 # 10
    figure = _settled(session, name, lambda f: any("overflow float32" in t for t in f["red"])
                      and f["red"].count("NaN: 100%") >= 3, "the overflow is not named in red")
    assert _clean(figure), _brief(figure)
    _shot(session, name, figure, capsys)
    fb._no_console_errors(session, since)


@pytest.mark.slow
def test_the_widget_css_gives_the_page_the_shipped_chinese_font(session):
    """The figures' CJK family comes with the widget (``_fonts.font_face_css``), not from the system."""
    faces = session.page.evaluate("""async () => {
        const loaded = await document.fonts.load('16px "Sporelab Sans SC"', '初始化');
        return loaded.map(face => [face.family.replaceAll('"', ''), face.status]);
    }""")
    assert faces == [["Sporelab Sans SC", "loaded"]], faces


def test_a_clean_console_and_the_latency_medians(session, capsys):
    latencies, renders = LATENCIES.get(session.app, []), RENDERS.get(session.app, [])
    with capsys.disabled():
        print(f"\n[explorers] {session.app}: key press -> redrawn figure over the five explorers, median "
              + (f"{statistics.median(latencies):.1f} ms (max {max(latencies):.1f}, n={len(latencies)}), of "
                 f"which figure.js renders {statistics.median(renders):.1f} ms"
                 if latencies else "not measured") + f"; notebook open + run {session.run_secs:.1f} s")
    fb._no_console_errors(session)
