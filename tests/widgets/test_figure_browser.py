"""The live figure renderer (widgets/src/, bundled) in a real browser: LiveFigure drawn in JupyterLab 4 and Notebook 7 (issue 11).

A generated notebook shows one ``LiveFigure`` per case of tests/widgets/figure_cases.py (every
mark type, legends, colour bars; NaN, +-inf, all-equal samples, a single weight, a 64-channel
image grid, log axes with zeros), a live figure driven by a slider, and the ipywidgets controls
the explorers use. Per app (Lab and Notebook, one private server each, the way
tests/test_browser.py starts them): every case draws the panels it names with no problem
reported; a change made in the kernel redraws the SVG; a malformed description draws what it can
and says what it could not; no console error or warning; axe-core finds no serious or critical
violation. Once more against a wheel installed (not editable) into a fresh venv.

Screenshots and the console log go to ``test-artifacts/figure-browser/``; the render times
(``performance.now()`` around each render, and slider key press -> redrawn figure) are printed.
"""

import contextlib
import json
import os
import re
import statistics
import sys
import time
from pathlib import Path

import pytest
from tests._requires import require

from sporelab.widgets._figure import resolve
from tests import test_browser as tb                 # server and browser helpers
from tests.browser import axe
from tests.widgets import wheel_build
from tests.widgets.figure_cases import CASES

HERE = Path(__file__).resolve().parent

SHOTS = tb.ARTIFACTS / "figure-browser"
RUN_TIMEOUT = 90.0                  # s for the notebook to run
CHANGE_TIMEOUT = 10.0               # s for one kernel change to reach the SVG
CASE_NAMES = list(CASES)
PANELS = {name: [p["id"] for p in case["panels"]] for name, case in CASES.items()}
APPS = {"lab": ("jupyterlab", "LabApp", "/lab/tree/{path}?reset&token={token}"),
        "notebook": ("notebook", "JupyterNotebookApp", "/notebooks/{path}?token={token}")}
NOTEBOOK = "live_figure.ipynb"

# The cells of the generated notebook. figure_cases.py is pasted in whole (the kernel cannot
# import from tests/).
SETUP = """\
import ipywidgets as widgets
from sporelab.widgets._live import LiveFigure
figs = {name: LiveFigure(description) for name, description in CASES.items()}
names = list(CASES)
live = LiveFigure(CASES["marks"])
pick = widgets.IntSlider(description="case", min=0, max=len(names) - 1, value=0, continuous_update=False)
pick.observe(lambda change: live.show(CASES[names[change["new"]]]), names="value")
"""
CONTROLS = """\
make_controls = lambda: widgets.VBox([
    widgets.IntSlider(description="width", min=1, max=64, value=16),
    widgets.FloatSlider(description="learning rate", min=0.0, max=1.0, value=0.1),
    widgets.FloatLogSlider(description="scale", min=-3, max=1, value=0.1),
    widgets.Dropdown(description="initializer", options=["HeUniform", "XavierNormal"]),
    widgets.Checkbox(description="compare two"),
    widgets.Button(description="Reset", tooltip="Reset the weights"),
    widgets.FloatText(description="weight", value=0.5),
    widgets.Text(description="code"),
    widgets.Play(description="play", min=0, max=10),
])
make_controls()
"""
CONTROLS_WITH_FIGURE = 'widgets.VBox([make_controls(), LiveFigure(CASES["equal"])])'



def _notebook():
    code = lambda source: {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                           "source": source}
    cells = [{"cell_type": "markdown", "metadata": {}, "source": "# LiveFigure: every case"},
             code((HERE / "figure_cases.py").read_text()), code(SETUP)]
    cells += [code(f"figs[{name!r}]") for name in CASE_NAMES]
    cells += [code("widgets.VBox([pick, live])"), code(CONTROLS), code(CONTROLS_WITH_FIGURE)]
    return {"cells": cells, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}}


@contextlib.contextmanager
def _server(base, app, python=sys.executable, jupyter_path=None, notebooks=None):
    """A private Lab or Notebook server over ``base/root`` holding ``notebooks`` (name -> notebook
    dict; default: this module's generated notebook), with the settings, env and start-up wait of
    tests/test_browser.py's ``_lab_server``. tests/widgets/test_explorers_browser.py reuses it."""
    module, app_class, _ = APPS[app]
    root = base / "root"
    root.mkdir()
    for name, notebook in (notebooks or {NOTEBOOK: _notebook()}).items():
        (root / name).write_text(json.dumps(notebook))
    for rel, value in (tb.LAB_SETTINGS if app == "lab" else {}).items():
        target = base / "settings" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_DATA_DIR=str(base / "data"),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(base / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"), IPYTHONDIR=str(base / "ipython"),
               PYTHONUNBUFFERED="1")
    env.pop("JUPYTER_PATH", None)
    if jupyter_path:            # a fresh venv: the lab extensions and server config of this one
        env["JUPYTER_PATH"] = jupyter_path
        env["JUPYTER_CONFIG_PATH"] = str(Path(sys.prefix) / "etc" / "jupyter")
        env.pop("PYTHONPATH", None)
    port, token = tb._free_port(), os.urandom(24).hex()
    cmd = [str(python), "-m", module, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
           f"--{app_class}.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    SHOTS.mkdir(parents=True, exist_ok=True)
    log_path = SHOTS / f"{base.name}.log"
    with open(log_path, "w") as log:
        proc = tb.subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=tb.subprocess.STDOUT,
                                   stdin=tb.subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_for_server(proc, url, token, log_path)
            yield url, token
        finally:
            tb._shutdown_kernels(url, token)
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except tb.subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _wait_for_server(proc, url, token, log_path):
    def up():
        if proc.poll() is not None:
            pytest.fail(f"the server exited with {proc.returncode}; log {log_path}:\n{tb._log_tail(log_path)}",
                        pytrace=False)
        try:
            return tb._api(url, token, "/api/status", timeout=2) is not None
        except (tb.urllib.error.URLError, OSError, ValueError):
            return False
    if not tb._poll(up, tb.SERVER_START_TIMEOUT, interval=0.25):
        pytest.fail(f"no answer from {url} within {tb.SERVER_START_TIMEOUT:.0f} s; log {log_path}:\n"
                    f"{tb._log_tail(log_path)}", pytrace=False)


# --------------------------------------------------------------------------------------------
# JavaScript run in the page (window.jupyterapp: expose_app_in_browser, in Lab and Notebook 7).
# --------------------------------------------------------------------------------------------

JS_OPEN = tb.JS_WITH_TIMEOUT + """
async ({path, ms}) => {
    const app = window.jupyterapp;
    await withTimeout(app.restored, ms, 'the app restoring its layout');
    const isNotebook = (w) => w && w.content && w.sessionContext && w.context && w.context.path === path;
    const start = Date.now();
    let panel = null;
    while (!panel && Date.now() - start < ms) {
        panel = [app.shell.currentWidget, ...Array.from(app.shell.widgets ? app.shell.widgets('main') : [])]
            .find(isNotebook) || null;
        if (!panel) await new Promise(r => setTimeout(r, 100));
    }
    if (!panel) throw new Error('no notebook panel for ' + path);
    window.__sporelabPanel = panel;
    if (app.shell.collapseLeft) app.shell.collapseLeft();          // the whole width for the notebook
    await withTimeout(panel.context.ready, ms, 'reading ' + path);
    await withTimeout(panel.sessionContext.ready, ms, 'starting the kernel');
    const kernel = panel.sessionContext.session?.kernel;
    if (kernel) await withTimeout(kernel.info, ms, 'the first reply of the kernel');
    await withTimeout(app.commands.execute('notebook:run-all-cells'), ms, 'run all');
    return {kernel: kernel?.name ?? null, cells: panel.content.widgets.length};
}
"""

JS_EXECUTE = tb.JS_WITH_TIMEOUT + """
async ({code, ms}) => {
    const kernel = window.__sporelabPanel.sessionContext.session.kernel;
    const reply = await withTimeout(kernel.requestExecute({code, store_history: false}).done, ms, 'executing ' + code);
    return reply.content.status === 'ok' ? 'ok' : `${reply.content.ename}: ${reply.content.evalue}`;
}
"""

# Everything a test checks about one drawn figure.
JS_FIGURE = """
(el) => {
    const svg = el.querySelector(':scope > svg');
    if (!svg) return null;
    const bad = [];
    for (const node of svg.querySelectorAll('*')) {
        for (const a of node.attributes) if (/NaN|Infinity|undefined/.test(a.value) && a.name !== 'href') bad.push(`${node.tagName}.${a.name}=${a.value.slice(0, 40)}`);
    }
    return {panels: Array.from(svg.querySelectorAll('g[data-panel]')).map(g => g.getAttribute('data-panel')),
            role: svg.getAttribute('role'), label: svg.getAttribute('aria-label'),
            title: svg.querySelector(':scope > title')?.textContent ?? null,
            problems: Number(el.dataset.problems), renders: Number(el.dataset.renders), renderMs: Number(el.dataset.renderMs),
            text: svg.textContent, images: svg.querySelectorAll('image').length,
            hatched: svg.querySelectorAll('rect[fill*="hatch"]').length,
            width: svg.getBoundingClientRect().width, height: svg.getBoundingClientRect().height,
            badAttributes: bad.slice(0, 5), html: svg.outerHTML.length};
}
"""


# --------------------------------------------------------------------------------------------
# Fixtures: a page per app (one server per app and module), the console of that page.
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    path = require("chromium")
    if axe.missing_reason():
        tb._unavailable(axe.missing_reason())
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        tb._unavailable("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=tb.CHROMIUM_ARGS, headless=True, timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


class Session:
    """One app's server, page and console, with the notebook run."""

    def __init__(self, app, page, console, run_secs):
        self.app, self.page, self.console, self.run_secs = app, page, console, run_secs

    def execute(self, code):
        status = self.page.evaluate(JS_EXECUTE, {"code": code, "ms": tb.UI_TIMEOUT_MS})
        assert status == "ok", f"{self.app}: the kernel failed on {code!r}: {status}"

    def figure(self, panel):
        """The drawn figure (JS_FIGURE's dict) holding the panel ``panel``, or None."""
        locator = self.locator(panel)
        return locator.evaluate(JS_FIGURE) if locator.count() else None

    def locator(self, panel):
        return self.page.locator(f'.sporelab-figure:not(.widget-vbox *):has(> svg g[data-panel="{panel}"])')


def _open_session(browser, url, token, app):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(tb.UI_TIMEOUT_MS)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(f"[{m.type}] {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    start = time.monotonic()
    page.goto(url + APPS[app][2].format(path=NOTEBOOK, token=token), wait_until="domcontentloaded")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=2 * tb.UI_TIMEOUT_MS)
    opened = page.evaluate(JS_OPEN, {"path": NOTEBOOK, "ms": 2 * tb.UI_TIMEOUT_MS})
    assert opened["kernel"] == "python3", opened
    session = Session(app, page, console, 0.0)

    def every_case_drawn():
        return (page.locator(".sporelab-figure > svg").count() >= len(CASES) + 1
                and all(session.locator(ids[0]).count() for ids in PANELS.values()))

    assert tb._poll(every_case_drawn, RUN_TIMEOUT), (
        f"{app}: not every figure was drawn within {RUN_TIMEOUT:.0f} s: {page.locator('.sporelab-figure > svg').count()} "
        f"of {len(CASES) + 1} SVGs; console: {console[-10:]}")
    session.run_secs = time.monotonic() - start
    return context, session


@pytest.fixture(scope="module", params=sorted(APPS))
def session(request, browser, tmp_path_factory):
    tb._needs_lab()
    app = request.param
    with _server(tmp_path_factory.mktemp(f"figure-{app}"), app) as (url, token):
        context, session = _open_session(browser, url, token, app)
        try:
            yield session
        finally:
            SHOTS.mkdir(parents=True, exist_ok=True)
            (SHOTS / f"{app}-console.log").write_text("\n".join(session.console) + "\n")
            context.close()


# Notebook 7.6.5's own messages, not a widget's: warnings from its menus and shared notebook
# model, and an error its settings loader throws on opening any notebook, even an empty one
# without widgets (in this venv, with its lab extensions).
# Both apps warn when a plugin is slow to start (a loaded machine: other tests, a class of students).
SLOW_PLUGIN = (r"\[warning\] Plugin [@\w/:.-]+ (?:(?:\(with \d+ dependants?\) )?took [\d.]+ms to activate|"
               r"is taking too long to activate)\.")
APP_NOISE = {"lab": re.compile(SLOW_PLUGIN),
             "notebook": re.compile(r"\[warning\] Menu entry for command '[\w:-]+' is duplicated\.|"
                                    r"\[warning\] \[yjs#509\] Not same Y\.Doc|"
                                    r"\[pageerror\] Cannot read properties of undefined \(reading 'schema'\)|"
                                    + SLOW_PLUGIN)}


def _no_console_errors(session, since=0):
    bad = [line for line in session.console[since:] if not APP_NOISE[session.app].fullmatch(line)]
    assert not bad, f"{session.app}: console errors/warnings:\n" + "\n".join(bad[:20])


LIVE_BOX = ".widget-vbox:not(:has(.widget-play)):has(.sporelab-figure)"
LIVE = f"{LIVE_BOX} .sporelab-figure"           # the slider-driven figure (the cases stand alone)
CONTROLS_ALONE = ".jp-OutputArea-output:has(.widget-play):not(:has(.sporelab-figure))"
CONTROLS_BESIDE_FIGURE = ".jp-OutputArea-output:has(.widget-play):has(.sporelab-figure)"
# What axe-core 4.14 says about ipywidgets 8.1's own controls (the description labels are not tied
# to a slider's handle; Play's buttons are icon-only); figure.js names them inside its output area.
IPYWIDGETS_GAPS = {"aria-input-field-name": 3, "button-name": 3}

# Sent straight to the `figure` trait, past resolve(): the renderer must draw what it can.
MALFORMED = """\
live.figure = {"width": 420, "height": 220, "alt": "a broken figure", "panels": [
    {"id": "broken", "box": [0.1, 0.15, 0.8, 0.7], "x": {"lim": [0, 1], "ticks": [0, 1], "labels": ["0", "1"]},
     "y": {"lim": [0, 1]},
     "marks": [{"type": "line", "x": [0, 0.5, 1], "y": [0, 1]}, {"type": "bogus"},
               {"type": "stairs", "edges": [0, 1], "heights": []},
               {"type": "image", "values": {"dtype": "uint8", "shape": [2, 2], "buffer": b"abc"}, "cmap": "viridis"},
               {"type": "text", "text": "still drawn", "x": 0.5, "y": 0.5}]},
    {"id": "no box"}]}
"""


def _live(session):
    locator = session.page.locator(LIVE)
    return locator.evaluate(JS_FIGURE) if locator.count() == 1 else None


def _wait_live(session, check, what):
    state = {}

    def ok():
        state["figure"] = _live(session)
        return state["figure"] is not None and check(state["figure"])
    assert tb._poll(ok, CHANGE_TIMEOUT, interval=0.05), f"{session.app}: {what}; the live figure: {state.get('figure')}"
    return state["figure"]


@pytest.mark.slow
@pytest.mark.parametrize("name", CASE_NAMES)
def test_every_case_draws_its_panels(session, name):
    figure = session.figure(PANELS[name][0])
    assert figure is not None, f"{session.app}: case {name!r} was not drawn"
    alt = CASES[name]["alt"]
    assert figure["panels"] == PANELS[name]
    assert (figure["role"], figure["label"], figure["title"]) == ("img", alt, alt)
    assert figure["problems"] == 0, f"{session.app} {name}: the renderer reports problems: {figure['text'][-300:]}"
    assert figure["badAttributes"] == [], f"{session.app} {name}: non-numbers in SVG attributes"
    # max-width 100 %: a figure wider than the output area shrinks whole (never clipped)
    width, height = CASES[name]["width"], CASES[name]["height"]
    assert 0 < figure["width"] <= width + 0.5
    assert figure["height"] == pytest.approx(figure["width"] * height / width, abs=1.5)
    # every note resolve() made (NaN, inf, empty ranges, nothing finite), and texts of the case
    notes = [m["text"] for p in resolve(CASES[name])["panels"] for m in p["marks"] if m.get("note")]
    assert bool(notes) == (name in ("nonfinite", "nothing", "single", "grid64"))
    expected_text = notes + {"marks": ["verdict: the sample follows its law", "figure legend", "sample", "theory",
                                       "weight", "peak"],
                             "grid64": ["conv1: 64 channels"], "log": ["10\u207b\u00b2", "10\u00b3"],
                             "equal": ["all-equal sample"]}.get(name, [])
    for text in expected_text:
        assert text in figure["text"], f"{session.app} {name}: {text!r} is not drawn"
    images = {"marks": 2, "nonfinite": 2, "grid64": 65}.get(name, 0)         # colour bars are images too
    assert figure["images"] == images
    assert figure["hatched"] == {"nonfinite": 1, "grid64": 1}.get(name, 0)    # non-finite pixels
    tb._element_screenshot(session.page, session.locator(PANELS[name][0]), SHOTS / f"{session.app}-{name}.png")


@pytest.mark.slow
def test_kernel_changes_redraw_and_bad_figures_draw_what_they_can(session):
    before = _live(session)
    assert before and before["panels"] == PANELS["marks"]
    session.execute('live.show(CASES["nonfinite"])')
    after = _wait_live(session, lambda f: f["panels"] == PANELS["nonfinite"], "show() did not redraw")
    assert after["renders"] == before["renders"] + 1 and after["problems"] == 0
    # the same panels, one changed: LiveFigure sends a patch message, not the whole figure
    session.execute('import copy; patched = copy.deepcopy(CASES["nonfinite"]); '
                    'patched["panels"][1]["title"] = "patched title"; live.show(patched)')
    patched = _wait_live(session, lambda f: "patched title" in f["text"], "a patch message did not redraw")
    assert patched["panels"] == PANELS["nonfinite"] and patched["problems"] == 0
    assert patched["renders"] == after["renders"] + 1 and "line with NaN, inf" in patched["text"]
    session.execute(MALFORMED)
    broken = _wait_live(session, lambda f: f["panels"] == ["broken"], "a malformed figure was not drawn")
    assert broken["problems"] == 5 and broken["badAttributes"] == []
    assert "still drawn" in broken["text"] and "\u26a0 not drawn:" in broken["text"]
    tb._element_screenshot(session.page, session.page.locator(LIVE), SHOTS / f"{session.app}-malformed.png")
    session.execute("live.figure = {}")
    empty = _wait_live(session, lambda f: f["panels"] == [], "an empty figure was not drawn")
    assert "no figure to draw yet" in empty["text"] and empty["problems"] == 1
    session.execute('live.show(CASES["marks"]); pick.value = 0')
    _wait_live(session, lambda f: f["panels"] == PANELS["marks"], "show() after a bad figure did not redraw")


JS_KEY_LISTENER = """
() => { if (!window.__sporelabKeys) { window.__sporelabKeys = [];
        document.addEventListener('keydown', () => window.__sporelabKeys.push(performance.now()), true); } }
"""
JS_LATENCY = """
() => { const key = window.__sporelabKeys.at(-1); const r = (window.__sporelabRenders || []).find(r => r.at > key);
        return r ? {latency: r.at - key, render: r.ms} : null; }
"""


@pytest.mark.slow
def test_slider_key_press_redraws_the_figure(session, capsys):
    """Each key press on the slider redraws the live figure with the chosen case (latency printed)."""
    page = session.page
    page.evaluate(JS_KEY_LISTENER)
    handle = page.locator(f"{LIVE_BOX} [role=slider]")
    latencies, renders = [], []
    for press in range(2 * len(CASE_NAMES)):
        value = round(float(handle.get_attribute("aria-valuenow")))
        key, new = ("ArrowRight", value + 1) if value < len(CASE_NAMES) - 1 else ("ArrowLeft", value - 1)
        handle.focus()
        handle.press(key)
        timing = tb._poll(lambda: page.evaluate(JS_LATENCY), CHANGE_TIMEOUT, interval=0.02)
        assert timing, f"{session.app}: key press {press + 1} ({key}) did not redraw the figure"
        _wait_live(session, lambda f, new=new: f["panels"] == PANELS[CASE_NAMES[new]], f"the slider did not show case {new}")
        latencies.append(timing["latency"])
        renders.append(timing["render"])
    with capsys.disabled():
        print(f"\n[figure.js] {session.app}: key press -> redrawn figure, median {statistics.median(latencies):.1f} ms "
              f"(max {max(latencies):.1f}, n={len(latencies)}); render median {statistics.median(renders):.1f} ms")


@pytest.mark.slow
def test_axe_finds_no_serious_violation_in_the_figures(session):
    axe.check(session.page, ".jp-OutputArea-output:has(.sporelab-figure)", f"{session.app}: the live figures")


@pytest.mark.slow
def test_axe_names_the_controls_beside_a_figure(session, capsys):
    """ipywidgets alone leaves slider handles and Play's buttons unnamed; beside a LiveFigure they
    are named (figure.js), and axe finds nothing serious."""
    alone = axe.violations(session.page, CONTROLS_ALONE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"{session.app}-axe-ipywidgets-alone.txt").write_text(axe.describe(alone) + "\n")
    with capsys.disabled():
        print(f"\n[axe] {session.app}, ipywidgets 8 controls alone: "
              + (", ".join(f"{v['id']} ({v['impact']}) x{len(v['nodes'])}" for v in alone) or "no violation"))
    assert {v["id"]: len(v["nodes"]) for v in axe.blocking(alone)} == IPYWIDGETS_GAPS, (
        "ipywidgets' own accessibility gaps changed: revisit labelControls() in widgets/src/controls.js\n" + axe.describe(alone))
    axe.check(session.page, CONTROLS_BESIDE_FIGURE, f"{session.app}: ipywidgets controls beside a LiveFigure")
    names = session.page.locator(CONTROLS_BESIDE_FIGURE).evaluate(
        "o => [...o.querySelectorAll('[role=slider]')].map(h => h.getAttribute('aria-labelledby') && "
        "document.getElementById(h.getAttribute('aria-labelledby')).textContent)"
        ".concat([...o.querySelectorAll('.widget-play button')].map(b => b.getAttribute('aria-label')))")
    assert names == ["width", "learning rate", "scale", "Play", "Stop", "Repeat"]


@pytest.mark.slow
def test_render_times_and_a_clean_console(session, capsys):
    renders = session.page.evaluate("() => window.__sporelabRenders || []")
    assert len(renders) >= len(CASES) + 1
    times = sorted(r["ms"] for r in renders)
    with capsys.disabled():
        print(f"\n[figure.js] {session.app}: {len(times)} renders, median {statistics.median(times):.1f} ms, "
              f"90th percentile {times[int(0.9 * (len(times) - 1))]:.1f} ms, max {times[-1]:.1f} ms; "
              f"notebook open + run {session.run_secs:.1f} s")
    _no_console_errors(session)


# --------------------------------------------------------------------------------------------
# Once against a wheel: built from the checkout, installed (not editable) into a fresh venv.
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wheel_python(tmp_path_factory):
    tb._needs_lab()
    base = tmp_path_factory.mktemp("wheel-install")
    return wheel_build.install_in_fresh_venv(wheel_build.build_wheel(base), base)


@pytest.mark.slow
def test_a_wheel_install_draws_in_the_browser(browser, wheel_python, tmp_path_factory, capsys):
    venv = wheel_python.parent.parent
    base = tmp_path_factory.mktemp("figure-lab-wheel")
    jupyter_path = str(Path(sys.prefix) / "share" / "jupyter")     # the lab extensions of this venv
    with _server(base, "lab", python=wheel_python, jupyter_path=jupyter_path) as (url, token):
        context, session = _open_session(browser, url, token, "lab")
        try:
            session.execute(
                "import sporelab, pathlib, sporelab.widgets._live as _live\n"
                f"assert pathlib.Path(sporelab.__file__).is_relative_to({str(venv)!r}), sporelab.__file__\n"
                "assert _live.asset('figure.js') == pathlib.Path(sporelab.__file__).parent / 'widgets/static/figure.js'\n"
                "assert live._esm == _live.browser_module() == _live.asset('figure.js').read_text()")
            for name in CASE_NAMES:
                figure = session.figure(PANELS[name][0])
                assert figure and figure["panels"] == PANELS[name] and figure["problems"] == 0, (name, figure)
            session.execute('live.show(CASES["grid64"])')
            _wait_live(session, lambda f: f["panels"] == PANELS["grid64"], "the wheel's figure.js did not redraw")
            _no_console_errors(session)
        finally:
            context.close()
    with capsys.disabled():
        print(f"\n[figure.js] a wheel installed in {venv}: every case drawn in JupyterLab "
              f"(open + run {session.run_secs:.1f} s)")
