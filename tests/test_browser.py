"""The browser layer: every notebook run in a real JupyterLab, every lab explorer moved.

JupyterLab is started privately on 127.0.0.1 (free port, random token, private config, data,
runtime, settings and workspace dirs, autosave off; no news pop-up thanks to the venv's
binder/overrides.json, as for a student) over a temporary COPY of the
notebooks, so a run never writes into the repository. Playwright drives Debian's Chromium through
``executable_path`` (Playwright never downloads a browser). Per notebook: open it with the
``python3`` kernel (this venv), clear the stored outputs, restart the kernel and run all, wait for
the kernel to be idle with every code cell executed (bounded), then assert: no error output (except
in cells tagged ``raises-exception``) and no "Error displaying widget".

Lab notebooks (under ``labs/`` or ``zh_cn/labs/``, or any notebook calling ``SomethingExplorer(``) are
also driven:
every top-level widget in a cell output that holds a ``LiveFigure`` (``.sporelab-figure``, an SVG
drawn by widgets/figure.js) is an explorer; its figure must have rendered with no problem reported
(``data-problems="0"``); each explorer must hold a slider and a button, moving one of its sliders
must change the figure (its render count or its SVG) and clicking one of its buttons must change it
again. Every cell that calls ``...Explorer(`` must show at least one explorer.

A second private JupyterLab, with autosave on every second as a student has it (every two minutes
by default), opens every notebook as a student does and finds it unmodified: no dirty mark once its
kernel is connected, and the file on disk untouched (same bytes, same mtime) after several autosave
intervals; nor does any page show the Jupyter news prompt.

Screenshots go to ``test-artifacts/browser/`` and the server log to
``test-artifacts/jupyterlab.log`` (git-ignored).

Knobs (environment): ``SPORELAB_NOTEBOOKS_DIR`` (default ``<repo>/notebooks``),
``SPORELAB_CHROMIUM`` (default ``/usr/bin/chromium``), ``SPORELAB_NOTEBOOK_TIMEOUT`` (seconds per
notebook run, default 120). Under `make test` (``SPORELAB_REQUIRE_ALL=1``) or with ``CI`` set, a
missing Chromium or Playwright FAILS the test; elsewhere it skips with the reason (tests/_requires.py).
"""

import contextlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests import _requires

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = Path(os.environ.get("SPORELAB_NOTEBOOKS_DIR") or REPO / "notebooks").resolve()
ARTIFACTS = REPO / "test-artifacts"
SHOTS = ARTIFACTS / "browser"
CHROMIUM = _requires.CHROMIUM
STUDENT_CONFIG = REPO / "classroom" / "nbgrader" / "student"   # what the classroom gives a student
RUN_TIMEOUT = float(os.environ.get("SPORELAB_NOTEBOOK_TIMEOUT") or 120)
SERVER_START_TIMEOUT = 60.0     # s until /api/status answers
UI_TIMEOUT_MS = 30_000          # any single Playwright action / JupyterLab command
FIGURE_TIMEOUT = 10.0           # s for the figure to change after one slider move / button click
SETTLE_TIMEOUT = 15.0           # s for the kernel to go idle and the figure to stop changing
EXPLORER_CALL = re.compile(r"^(?!\s*(?:class|def)\s).*?\b[A-Z]\w*Explorer\s*\(", re.MULTILINE)  # a call, not a definition

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-proxy-server",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]

# User settings written into the private JUPYTERLAB_SETTINGS_DIR.
# No news pop-up: not set here but by binder/overrides.json, which `make venv-lab` / `make venv-test`
# install into the venv's share/jupyter/lab/settings as Binder's postBuild does (the test of that:
# test_notebooks_open_unmodified_and_no_news_prompt).
LAB_SETTINGS = {
    # Restart & run all without the confirmation dialog.
    "@jupyterlab/apputils-extension/sessionDialogs.jupyterlab-settings":
        {"skipKernelRestartDialog": True},
    # Never write a notebook back (the copy is temporary anyway).
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings":
        {"autosave": False},
    # Keep every cell in the DOM so that every output can be inspected.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
        {"windowingMode": "none"},
}


def _unavailable(reason):
    """Under `make test` or in CI a missing piece is a failure (make test installs it); elsewhere a skip."""
    _requires.unavailable(reason)


def _find_notebooks():
    if not NOTEBOOKS.is_dir():
        return []
    found = (p.relative_to(NOTEBOOKS) for p in NOTEBOOKS.rglob("*.ipynb"))
    # Hidden folders (.ipynb_checkpoints, ...) hold no notebook of the project.
    return sorted(rel.as_posix() for rel in found if not any(part.startswith(".") for part in rel.parts))


def _notebook_params():
    found = _find_notebooks()
    if not found:
        return [pytest.param(None, id="no-notebooks",
                             marks=pytest.mark.skip(reason=f"no notebooks under {NOTEBOOKS}"))]
    return [pytest.param(rel, id=rel) for rel in found]


def _slug(rel):
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", rel.removesuffix(".ipynb"))


def _api(url, token, path, method="GET", timeout=10):
    request = urllib.request.Request(f"{url}{path}", method=method,
                                     headers={"Authorization": f"token {token}"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # never via a proxy
    with opener.open(request, timeout=timeout) as reply:
        body = reply.read()
    return json.loads(body) if body else None


def _shutdown_kernels(url, token):
    """Stop every session and kernel of this private server (one notebook's kernel at a time)."""
    try:
        for session in _api(url, token, "/api/sessions") or []:
            _api(url, token, f"/api/sessions/{session['id']}", method="DELETE")
        for kernel in _api(url, token, "/api/kernels") or []:
            _api(url, token, f"/api/kernels/{kernel['id']}", method="DELETE")
    except (urllib.error.URLError, OSError, ValueError):
        pass                                     # the server going away stops them anyway


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _log_tail(path, n=40):
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


# --------------------------------------------------------------------------------------------
# Fixtures: one JupyterLab server and one Chromium for the whole module.
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def chromium_path():
    return _requires.require("chromium")


def _needs_lab():
    for module in ("jupyterlab", "ipywidgets", "ipykernel"):
        try:
            __import__(module)
        except ImportError:
            _unavailable(f"{module} is not installed in {sys.prefix} (pip install -e '.[lab,test]')")


@contextlib.contextmanager
def _lab_server(base, root, settings, log_name):
    """JupyterLab on 127.0.0.1 serving ``root``, private dirs under ``base``, the user settings
    ``settings``; yields (base_url, token) and stops the server (and its kernels) afterwards."""
    settings_dir = base / "settings"
    for rel, value in settings.items():
        target = settings_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value, indent=2))
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(base / "config"),         # user config only; the venv's etc/jupyter stays
        JUPYTER_DATA_DIR=str(base / "data"),             # user data only; the venv's share/jupyter stays
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        IPYTHONDIR=str(base / "ipython"),               # no user startup files in the kernel
        PYTHONUNBUFFERED="1",
        JUPYTER_CONFIG_PATH=str(STUDENT_CONFIG),        # a student's Lab: nbgrader's Validate, no formgrader
    )
    env.pop("MPLBACKEND", None)                         # the kernel's own default, as a student gets
    env.pop("JUPYTER_PATH", None)
    for d in ("config", "data", "runtime", "workspaces", "ipython"):
        (base / d).mkdir(exist_ok=True)
    port = _free_port()
    token = secrets.token_hex(24)
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--ServerApp.token={token}",
           f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / log_name
    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))   # never via a proxy
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(f"JupyterLab exited with {proc.returncode} while starting; "
                            f"log {log_path}:\n{_log_tail(log_path)}", pytrace=False)
            try:
                with opener.open(f"{url}/api/status?token={token}", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer /api/status within {SERVER_START_TIMEOUT:.0f} s; "
                            f"log {log_path}:\n{_log_tail(log_path)}", pytrace=False)
            time.sleep(0.25)
        yield url, token
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory):
    """JupyterLab on 127.0.0.1 over a temporary copy of the notebooks; yields (base_url, token)."""
    _needs_lab()
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    with _lab_server(base, root, LAB_SETTINGS, "jupyterlab.log") as server:
        yield server


@pytest.fixture(scope="module")
def browser(chromium_path):
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]'; never `playwright install`)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS,
                                     headless=True, timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def timings():
    times = {}
    yield times
    if times:
        SHOTS.mkdir(parents=True, exist_ok=True)
        lines = [f"{secs:7.1f} s  {rel}" for rel, secs in times.items()]
        (SHOTS / "timings.txt").write_text("\n".join(lines) + "\n")


# --------------------------------------------------------------------------------------------
# JavaScript run in the JupyterLab page (window.jupyterapp is there thanks to expose_app_in_browser).
# Every promise is raced against a timeout: page.evaluate itself has none.
# --------------------------------------------------------------------------------------------

JS_WITH_TIMEOUT = """
const withTimeout = (promise, ms, what) => Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)),
]);
"""

JS_OPEN = JS_WITH_TIMEOUT + """
async ({path, ms}) => {
    const app = window.jupyterapp;
    await withTimeout(app.restored, ms, 'JupyterLab restoring its layout');
    const panel = await withTimeout(
        app.commands.execute('docmanager:open', {path, factory: 'Notebook', kernel: {name: 'python3'}}),
        ms, 'opening ' + path);
    window.__sporelabPanel = panel;
    await withTimeout(panel.context.ready, ms, 'reading ' + path);
    await withTimeout(panel.sessionContext.ready, ms, 'starting the kernel of ' + path);
    // The session is ready before the kernel process is: wait for its info reply, so that the
    // restart below never kills a half-started kernel (jupyter_server then can lose the channel).
    const kernel = panel.sessionContext.session?.kernel;
    if (kernel) await withTimeout(kernel.info, ms, 'the first reply of the kernel of ' + path);
    app.shell.activateById(panel.id);
    app.shell.collapseLeft();                      // the whole 1280 px for the notebook
    // Clear the stored outputs so that only what this run produces is checked.
    await withTimeout(app.commands.execute('notebook:clear-all-cell-outputs'), ms, 'clearing outputs');
    return {kernel: panel.sessionContext.session?.kernel?.name ?? null,
            cells: panel.content.widgets.length};
}
"""

# Start Restart & Run All (no dialog: skipKernelRestartDialog). In JupyterLab 4.6 the command's
# promise resolves when every cell has run (false if one failed, undefined if no restart), which can
# take longer than any single evaluate should: keep it on window and poll.
JS_RESTART_RUN_ALL = """
() => {
    const app = window.jupyterapp;
    app.shell.activateById(window.__sporelabPanel.id);
    window.__sporelabRun = {settled: false, result: null, error: null};
    app.commands.execute('notebook:restart-run-all').then(
        r => Object.assign(window.__sporelabRun, {settled: true, result: r === undefined ? 'undefined' : r}),
        e => Object.assign(window.__sporelabRun, {settled: true, error: String(e)}));
}
"""

# The state of the run: cells still pending, error outputs, kernel status.
JS_RUN_STATE = """
() => {
    const panel = window.__sporelabPanel;
    let pending = 0, executed = 0;
    const errors = [];
    panel.content.widgets.forEach((cell, index) => {
        if (cell.model.type !== 'code') return;
        const tags = cell.model.getMetadata('tags') || [];
        for (const out of cell.model.outputs.toJSON()) {
            if (out.output_type === 'error') {
                errors.push({index, ename: out.ename, evalue: out.evalue,
                             allowed: tags.includes('raises-exception'),
                             traceback: (out.traceback || []).join('\\n').replace(/\\x1b\\[[0-9;]*m/g, '')});
            }
        }
        if (!cell.model.sharedModel.getSource().trim()) return;   // an empty cell never gets a count
        const prompt = cell.node.querySelector('.jp-InputPrompt');
        const busy = prompt && prompt.textContent.includes('*');
        if (cell.model.executionCount === null || busy) pending += 1; else executed += 1;
    });
    return {pending, executed, errors, status: panel.sessionContext.kernelDisplayStatus,
            run: window.__sporelabRun || null};
}
"""

# The widget views of each cell's own output area (an Output widget nests more output areas).
# JupyterLab renders a widget view as a .jp-OutputArea-output whose child is a .jupyter-widgets node.
JS_VIEWS = """
const WIDGET_MIME = 'application/vnd.jupyter.widget-view+json';
const cellViews = (cell) => {
    const area = cell.node.querySelector('.jp-Cell-outputArea');
    if (!area) return [];
    return Array.from(area.querySelectorAll('.jp-OutputArea-output'))
        .filter(o => o.parentElement.closest('.jp-OutputArea') === area)
        .filter(o => o.querySelector(':scope > .jupyter-widgets') || o.textContent.includes('Error displaying widget'));
};
const expectedViews = (cell) => cell.model.outputs.toJSON()
    .filter(o => o.data && o.data[WIDGET_MIME]).length;
"""

# Widget views still loading, and widget views that failed.
JS_WIDGET_STATE = "() => {" + JS_VIEWS + """
    const panel = window.__sporelabPanel;
    let views = 0, loading = 0;
    const failed = [];
    panel.content.widgets.forEach((cell, index) => {
        if (cell.model.type !== 'code') return;
        const shown = cellViews(cell);
        views += shown.length;
        loading += Math.max(0, expectedViews(cell) - shown.length);
        const text = cell.node.innerText;
        let at = text.indexOf('Error displaying widget');
        while (at >= 0) {
            failed.push(`cell ${index}: ` + text.slice(at, at + 160).split('\\n')[0]);
            at = text.indexOf('Error displaying widget', at + 1);
        }
    });
    return {views, loading, failed};
}
"""

# Find the explorers: top-level widget views in a cell's own output area that hold a figure.
# Each is tagged data-sporelab-explorer=<k> so that Playwright locators can address it.
# A figure: a LiveFigure (.sporelab-figure), the SVG that widgets/figure.js draws.
JS_FIND_EXPLORERS = "() => {" + JS_VIEWS + """
    const panel = window.__sporelabPanel;
    const found = [];
    panel.content.widgets.forEach((cell, index) => {
        if (cell.model.type !== 'code') return;
        for (const view of cellViews(cell)) {
            const figures = view.querySelectorAll('.sporelab-figure');
            if (!figures.length) continue;
            const k = found.length;
            view.setAttribute('data-sporelab-explorer', String(k));
            const play = el => !!el.closest('.widget-play');
            found.push({
                k, cell: index,
                sliders: Array.from(view.querySelectorAll('.widget-slider')).filter(s => !play(s)).length,
                buttons: Array.from(view.querySelectorAll('button.widget-button')).filter(b => !play(b)).length,
                figures: figures.length,
                kind: figures.length === 1 ? 'LiveFigure' : `${figures.length} LiveFigures`,
            });
        }
    });
    return found;
}
"""

# The figure(s) of one explorer (LiveFigure, drawn by widgets/figure.js) as comparable strings:
# 'svg:' when drawn with no problem reported, 'problems:' when figure.js listed what it could not
# draw, 'loading:' before the first render; then the render count and the SVG itself.
JS_FIGURE = """
(view) => Array.from(view.querySelectorAll('.sporelab-figure')).map(el => {
    const svg = el.querySelector(':scope > svg');
    if (!svg || !el.dataset.renders) return 'loading:';
    return (el.dataset.problems === '0' ? 'svg:' : `problems:${el.dataset.problems}:`) + el.dataset.renders + ':' + svg.outerHTML;
})
"""

# Errors raised in the kernel by widget callbacks (a slider's observer, a button's handler) do not
# reach any cell: JupyterLab's widget manager sends them to the notebook's Log Console.
JS_OPEN_LOG = JS_WITH_TIMEOUT + """
async ({ms}) => {
    if (!document.querySelector('.jp-LogConsolePanel')) {    // the command toggles: open only once
        await withTimeout(window.jupyterapp.commands.execute('logconsole:open',
            {source: window.__sporelabPanel.context.path}), ms, 'opening the log console');
    }
}
"""

JS_LOGGED_ERRORS = """
() => Array.from(document.querySelectorAll(
        '.jp-LogConsolePanel .jp-OutputArea-prompt[data-log-level="error"], ' +
        '.jp-LogConsolePanel .jp-OutputArea-prompt[data-log-level="critical"]'))
    .map(prompt => prompt.parentElement.innerText)
"""

JS_SLIDER_DISABLED = """
(slider) => !!slider.querySelector('.noUi-target[disabled]') ||
            slider.querySelector('.widget-readout')?.contentEditable === 'false'
"""

JS_KERNEL_STATUS = "() => window.__sporelabPanel.sessionContext.kernelDisplayStatus"


# --------------------------------------------------------------------------------------------
# Helpers driving one page.
# --------------------------------------------------------------------------------------------

def _poll(check, timeout, interval=0.2):
    """Call ``check()`` until it returns a truthy value or ``timeout`` s pass; return the last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def _run_all(page, rel):
    opened = page.evaluate(JS_OPEN, {"path": rel, "ms": UI_TIMEOUT_MS * 2})
    assert opened["kernel"] == "python3", f"{rel}: kernel {opened['kernel']!r}, expected python3"
    idle = _poll(lambda: page.evaluate(JS_KERNEL_STATUS) == "idle", UI_TIMEOUT_MS / 1000)
    assert idle, f"{rel}: the kernel is not idle {UI_TIMEOUT_MS / 1000:.0f} s after it started"
    page.evaluate(JS_RESTART_RUN_ALL)
    state = {}

    def done():
        state.update(page.evaluate(JS_RUN_STATE))
        if any(not e["allowed"] for e in state["errors"]):
            return True                 # an unexpected error stops the run: report it at once
        run = state["run"] or {}
        return run.get("settled") and state["status"] == "idle"

    if not _poll(done, RUN_TIMEOUT, interval=0.3):
        pytest.fail(f"{rel}: Restart & Run All not finished after {RUN_TIMEOUT:.0f} s: "
                    f"{state.get('pending')} code cells pending, kernel {state.get('status')!r}",
                    pytrace=False)
    run = state["run"] or {}
    if run.get("error"):
        pytest.fail(f"{rel}: Restart & Run All failed in JupyterLab: {run['error']}", pytrace=False)
    if state["pending"] and not any(not e["allowed"] for e in state["errors"]):
        # The command has settled and the kernel is idle; let the last prompts update, then judge.
        _poll(lambda: state.update(page.evaluate(JS_RUN_STATE)) or state["pending"] == 0, 5)
        assert state["pending"] == 0, (f"{rel}: Restart & Run All ended (result {run.get('result')!r}) "
                                       f"with {state['pending']} code cell(s) not executed")
    return state


def _check_errors(rel, state):
    bad = [e for e in state["errors"] if not e["allowed"]]
    if bad:
        text = "\n\n".join(f"cell {e['index']}: {e['ename']}: {e['evalue']}\n{e['traceback'][-2000:]}"
                           for e in bad)
        pytest.fail(f"{rel}: error output in {len(bad)} cell(s) (tag a cell `raises-exception` "
                    f"only when the error is the lesson):\n{text}", pytrace=False)


def _check_widgets(page, rel):
    widgets = {}

    def settled():
        widgets.update(page.evaluate(JS_WIDGET_STATE))
        return widgets["loading"] == 0

    _poll(settled, 30)
    assert not widgets["failed"], f"{rel}: widget(s) failed to display: {widgets['failed']}"
    assert widgets["loading"] == 0, f"{rel}: {widgets['loading']} widget view(s) still not rendered after 30 s"
    return widgets


def _figure(page, k):
    return page.locator(f'[data-sporelab-explorer="{k}"]').evaluate(JS_FIGURE)


def _settle(page, k, timeout=SETTLE_TIMEOUT):
    """Wait for the kernel to be idle and the figure to stay the same for half a second."""
    last = [None, time.monotonic()]

    def stable():
        if page.evaluate(JS_KERNEL_STATUS) != "idle":
            last[0] = None
            return False
        fig = _figure(page, k)
        if any(f.startswith("loading:") for f in fig) or fig != last[0]:
            last[:] = [fig, time.monotonic()]
            return False
        return time.monotonic() - last[1] >= 0.5

    _poll(stable, timeout, interval=0.1)
    return _figure(page, k)


def _changed(page, k, before, timeout=FIGURE_TIMEOUT):
    """Whether the figure shows something new (and still renders) within ``timeout`` s."""
    def new_and_rendered():
        figure = _figure(page, k)
        return figure != before and all(f.startswith("svg:") for f in figure)
    return bool(_poll(new_and_rendered, timeout, interval=0.1))


def _logged_errors(page):
    """Errors from widget callbacks, read from the notebook's Log Console (opened on demand)."""
    try:
        page.evaluate(JS_OPEN_LOG, {"ms": UI_TIMEOUT_MS})
        page.locator(".jp-LogConsolePanel").first.wait_for(state="visible", timeout=10_000)
        page.wait_for_timeout(300)
        return page.evaluate(JS_LOGGED_ERRORS)
    except Exception as error:  # noqa: BLE001 -- only a diagnostic; never mask the real failure
        return [f"(could not read the log console: {error})"]


def _explain(page, view):
    """What a failure message shows: the explorer's own text and the callback errors."""
    text = view.inner_text(timeout=5000)[:1500]
    errors = _logged_errors(page)
    logged = ("\nErrors from widget callbacks (Log Console):\n" + "\n".join(e[-1500:] for e in errors)
              if errors else "\nNo error in the Log Console.")
    return f"\nExplorer text:\n{text}{logged}"


def _move_slider(slider):
    """Move a slider by one step with the keyboard (one committed change); return (label, old, new)."""
    handle = slider.locator("[role=slider]").first
    label = (slider.locator(".widget-label").first.inner_text(timeout=2000) or "?").strip()
    readout = slider.locator(".widget-readout").first
    old = readout.inner_text(timeout=2000).strip() if readout.count() else handle.get_attribute("aria-valuenow")
    at_max = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    handle.focus()
    handle.press("ArrowLeft" if at_max else "ArrowRight")
    new = readout.inner_text(timeout=2000).strip() if readout.count() else handle.get_attribute("aria-valuenow")
    return label, old, new


def _drive_explorer(page, rel, info, slug):
    k = info["k"]
    view = page.locator(f'[data-sporelab-explorer="{k}"]')
    name = f"{rel} explorer #{k + 1} (cell {info['cell']}, {info['kind']})"
    view.scroll_into_view_if_needed()
    before = _settle(page, k)
    if not before or not all(f.startswith("svg:") for f in before):
        pytest.fail(f"{name}: its figure did not render cleanly ({', '.join(f.split(':')[0] for f in before) or 'none'}; "
                    f"'problems' = figure.js reported what it could not draw).{_explain(page, view)}", pytrace=False)
    _element_screenshot(page, view, SHOTS / f"{slug}-explorer{k + 1}-before.png")
    assert info["sliders"] >= 1, f"{name}: no slider (.widget-slider) in the explorer"
    assert info["buttons"] >= 1, f"{name}: no button (.widget-button, Play excluded) in the explorer"

    sliders = [s for s in view.locator(".widget-slider").all() if not s.evaluate("e => !!e.closest('.widget-play')")]
    tried = []
    moved = None
    for slider in sliders:
        if not slider.is_visible() or slider.evaluate(JS_SLIDER_DISABLED):
            continue
        label, old, new = _move_slider(slider)
        tried.append(f"{label} {old}->{new}")
        if old == new:
            continue
        if _changed(page, k, before):
            moved = tried[-1]
            break
    assert moved, (f"{name}: moving its sliders ({'; '.join(tried) or 'none visible'}) did not change "
                   f"the figure within {FIGURE_TIMEOUT:.0f} s each.{_explain(page, view)}")
    after_slider = _settle(page, k)

    buttons = [b for b in view.locator("button.widget-button").all()
               if not b.evaluate("e => !!e.closest('.widget-play')")]
    clicked = []
    pressed = None
    for button in buttons:
        if not button.is_visible() or not button.is_enabled():
            continue
        label = (button.inner_text() or button.get_attribute("title") or "?").strip()
        button.click()
        clicked.append(label)
        if _changed(page, k, after_slider):
            pressed = label
            break
        after_slider = _settle(page, k, timeout=3)
    assert pressed, (f"{name}: clicking its buttons ({', '.join(clicked) or 'none visible'}) did not change "
                     f"the figure within {FIGURE_TIMEOUT:.0f} s each.{_explain(page, view)}")
    _settle(page, k)
    _element_screenshot(page, view, SHOTS / f"{slug}-explorer{k + 1}-after.png")
    skipped = [t for t in tried if t != moved] + [c for c in clicked if c != pressed]
    return (f"explorer #{k + 1} ({info['kind']}): slider {moved}, button {pressed!r}"
            + (f" (no figure change: {', '.join(skipped)})" if skipped else ""))


def _element_screenshot(page, locator, path, max_height=6_000):
    """A picture of one element, whole: grow the viewport when the element is taller than it."""
    viewport = page.viewport_size
    box = locator.bounding_box() or {"height": 0}
    grow = box["height"] + 260 > viewport["height"]
    if grow:
        page.set_viewport_size({"width": viewport["width"],
                                "height": int(min(max_height, box["height"] + 260))})
    try:
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(path))
    finally:
        if grow:
            page.set_viewport_size(viewport)


def _full_screenshot(page, path, max_height=12_000):
    """The whole notebook in one picture: grow the viewport to the notebook's height (width kept)."""
    scroller = "(window.__sporelabPanel.content.node.querySelector('.jp-WindowedPanel-outer') " \
               "|| window.__sporelabPanel.content.node)"
    height = page.evaluate(f"() => {scroller}.scrollHeight")
    viewport = page.viewport_size
    # The notebook's scroller is the viewport minus about 120 px of menus, tabs and status bar.
    page.set_viewport_size({"width": viewport["width"], "height": min(max_height, height + 160)})
    try:
        page.evaluate(f"() => {scroller}.scrollTo(0, 0)")
        page.wait_for_timeout(300)
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(viewport)


def _expected_explorers(rel):
    """Code cells whose source calls an Explorer constructor: each must show an explorer."""
    nb = json.loads((NOTEBOOKS / rel).read_text(encoding="utf-8"))
    cells = []
    for index, cell in enumerate(nb.get("cells", [])):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        if cell.get("cell_type") == "code" and EXPLORER_CALL.search(source):
            cells.append(index)
    return cells


# --------------------------------------------------------------------------------------------
# The test.
# --------------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("rel", _notebook_params())
def test_notebook_in_jupyterlab(rel, browser, jupyter_server, timings, capsys):
    url, token = jupyter_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    slug = _slug(rel)
    explorer_cells = _expected_explorers(rel)
    is_lab = "labs" in rel.split("/")[:-1] or bool(explorer_cells)     # labs/ and zh_cn/labs/
    start = time.monotonic()
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(UI_TIMEOUT_MS)
    context.set_default_navigation_timeout(2 * UI_TIMEOUT_MS)
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(f"[{m.type}] {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"[pageerror] {e}"))
    notes = []
    run_secs = None
    try:
        page.goto(f"{url}/lab?reset&token={token}", wait_until="domcontentloaded")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=2 * UI_TIMEOUT_MS)
        state = _run_all(page, rel)
        run_secs = time.monotonic() - start
        page.screenshot(path=str(SHOTS / f"{slug}-run.png"))
        _check_errors(rel, state)
        widgets = _check_widgets(page, rel)
        notes.append(f"{state['executed']} cells run, {widgets['views']} widget view(s)")
        if is_lab:
            explorers = page.evaluate(JS_FIND_EXPLORERS)
            assert explorers, (f"{rel}: a lab notebook shows no explorer (a widget output holding a "
                               f"LiveFigure, .sporelab-figure); cells calling an "
                               f"Explorer: {explorer_cells or 'none'}")
            shown_in = {e["cell"] for e in explorers}
            missing = [c for c in explorer_cells if c not in shown_in]
            assert not missing, (f"{rel}: cell(s) {missing} call an Explorer but show none as output "
                                 f"(end the cell with the explorer, or display() it)")
            for info in explorers:
                notes.append(_drive_explorer(page, rel, info, slug))
            # The interactions must not have left an error anywhere in the notebook.
            _check_errors(rel, page.evaluate(JS_RUN_STATE))
            _check_widgets(page, rel)
        _full_screenshot(page, SHOTS / f"{slug}-notebook.png")
        logged = _logged_errors(page)
        assert not logged, (f"{rel}: errors from widget callbacks in the Log Console:\n"
                            + "\n".join(e[-2500:] for e in logged))
    except BaseException:
        try:
            page.screenshot(path=str(SHOTS / f"{slug}-failed.png"), timeout=10_000)
        except Exception:  # noqa: BLE001 -- the page may be gone; the failure itself matters
            pass
        raise
    finally:
        if console:
            (SHOTS / f"{slug}-console.log").write_text("\n".join(console) + "\n")
        context.close()
        _shutdown_kernels(url, token)
        elapsed = time.monotonic() - start
        timings[rel] = elapsed
        with capsys.disabled():
            print(f"\n[browser] {rel}: {elapsed:.1f} s" + (f" (open + run all {run_secs:.1f} s)" if run_secs else "")
                  + ("; " + "; ".join(notes) if notes else ""))



# --------------------------------------------------------------------------------------------
# Opening a notebook changes nothing (issue 9: autosave and nbgitpuller would commit it).
# --------------------------------------------------------------------------------------------

AUTOSAVE_SECONDS = 1
PRISTINE_SETTINGS = {
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings":
        {"autosave": True, "autosaveInterval": AUTOSAVE_SECONDS},
}
NEWS_PROMPT = "official Jupyter news"

# Open a notebook as a student does (double click = docmanager:open with the default factory and
# the kernel named by the notebook), wait until the kernel's info reply has reached the model
# (JupyterLab then writes kernelspec and language_info), then report the model's state.
JS_OPEN_PRISTINE = JS_WITH_TIMEOUT + """
async ({path, ms}) => {
    const app = window.jupyterapp;
    await withTimeout(app.restored, ms, 'JupyterLab restoring its layout');
    const panel = await withTimeout(app.commands.execute('docmanager:open', {path}), ms, 'opening ' + path);
    window.__sporelabPanel = panel;
    await withTimeout(panel.context.ready, ms, 'reading ' + path);
    await withTimeout(panel.sessionContext.ready, ms, 'starting the kernel of ' + path);
    const kernel = panel.sessionContext.session?.kernel;
    if (kernel) {
        await withTimeout(kernel.info, ms, 'the first reply of the kernel of ' + path);
        await withTimeout(kernel.spec, ms, 'the kernel spec of ' + path);
    }
    return {kernel: kernel?.name ?? null};
}
"""

JS_MODEL_STATE = """
() => {
    const panel = window.__sporelabPanel;
    const tab = Array.from(document.querySelectorAll('.lm-TabBar-tab'))
        .find(t => t.getAttribute('data-id') === panel.id);
    const app = window.jupyterapp;
    return {dirty: panel.context.model.dirty,
            validateButton: Array.from(panel.toolbar.node.querySelectorAll('.validate-button'))
                .some(b => b.textContent.trim() === 'Validate' && b.offsetWidth > 0),
            plugins: Object.fromEntries(['validate-assignment', 'formgrader', 'course-list', 'create-assignment']
                .map(id => [id, app.hasPlugin('@jupyter/nbgrader:' + id) && app.isPluginActivated('@jupyter/nbgrader:' + id)])),
            tabDirty: !!(tab && tab.classList.contains('jp-mod-dirty')),
            metadata: panel.context.model.toJSON().metadata,
            nbformat_minor: panel.context.model.toJSON().nbformat_minor};
}
"""

JS_CLOSE = JS_WITH_TIMEOUT + """
async ({ms}) => {
    const panel = window.__sporelabPanel;
    await withTimeout(panel.sessionContext.shutdown(), ms, 'shutting down the kernel');
    panel.dispose();
}
"""


@pytest.fixture(scope="module")
def pristine_server(tmp_path_factory):
    """A private JupyterLab with autosave every second over a copy of the notebooks."""
    _needs_lab()
    base = tmp_path_factory.mktemp("jupyterlab-pristine")
    root = base / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    with _lab_server(base, root, PRISTINE_SETTINGS, "jupyterlab-pristine.log") as (url, token):
        yield url, token, root


def _metadata_diff(stored, opened):
    keys = sorted(set(stored) | set(opened))
    return {k: {"stored": stored.get(k), "in JupyterLab": opened.get(k)}
            for k in keys if stored.get(k) != opened.get(k)}


@pytest.mark.slow
def test_notebooks_open_unmodified_and_no_news_prompt(browser, pristine_server, capsys):
    url, token, root = pristine_server
    reply = _api(url, token, "/lab/api/settings/@jupyterlab/apputils-extension:notification")
    # overrides.json replaces the schema's defaults; a user's own setting would come on top
    fetch_news = reply["settings"].get("fetchNews", reply["schema"]["properties"]["fetchNews"]["default"])
    overrides = json.loads((REPO / "binder" / "overrides.json").read_text())
    assert fetch_news == "false", (
        f"JupyterLab in {sys.prefix} would ask every new user about Jupyter news: binder/overrides.json is "
        f"not installed in {sys.prefix}/share/jupyter/lab/settings (`make venv-test` / `make lab` install "
        f"it); the news setting is {fetch_news!r}")
    assert overrides["@jupyterlab/apputils-extension:notification"]["fetchNews"] == "false"
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(UI_TIMEOUT_MS)
    page = context.new_page()
    changed, roles = [], []
    try:
        page.goto(f"{url}/lab?reset&token={token}", wait_until="domcontentloaded")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=2 * UI_TIMEOUT_MS)
        for rel in _find_notebooks():
            path = root / rel
            before = (path.read_bytes(), path.stat().st_mtime_ns)
            page.evaluate(JS_OPEN_PRISTINE, {"path": rel, "ms": UI_TIMEOUT_MS})
            page.wait_for_timeout(3_000 * AUTOSAVE_SECONDS)        # three autosave intervals
            state = page.evaluate(JS_MODEL_STATE)
            after = (path.read_bytes(), path.stat().st_mtime_ns)
            stored = json.loads(before[0])
            if state["dirty"] or state["tabDirty"] or after != before:
                diff = _metadata_diff(stored["metadata"], state["metadata"])
                changed.append(f"{rel}: dirty={state['dirty']}, tab marked={state['tabDirty']}, "
                               f"file rewritten={after != before}, metadata changed by JupyterLab: {diff}, "
                               f"nbformat_minor {stored['nbformat_minor']} -> {state['nbformat_minor']}")
            roles.append((state["validateButton"], state["plugins"]))
            page.evaluate(JS_CLOSE, {"ms": UI_TIMEOUT_MS})
        page.wait_for_timeout(1_000)
        news = page.get_by_text(NEWS_PROMPT).count()
        page.screenshot(path=str(SHOTS / "pristine-last.png"))
    finally:
        context.close()
        _shutdown_kernels(url, token)
    assert not changed, ("opening these notebooks in JupyterLab modified them (run `make notebooks`, "
                         "tools/notebooks.py stores what JupyterLab writes):\n" + "\n".join(changed))
    assert news == 0, f"JupyterLab showed the '{NEWS_PROMPT}' prompt"
    if importlib.util.find_spec("nbgrader"):              # the classroom extra: a student's nbgrader
        student = (True, {"validate-assignment": True, "formgrader": False, "course-list": False,
                          "create-assignment": False})
        assert all(role == student for role in roles), f"a student's Lab: (Validate button, nbgrader plugins) {roles}"
    with capsys.disabled():
        print(f"\n[browser] {len(_find_notebooks())} notebooks opened unmodified; no news prompt")
