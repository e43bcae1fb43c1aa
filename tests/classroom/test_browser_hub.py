"""A logged-out student clicks the teacher's nbgitpuller link in a real browser (Playwright driving
Debian's Chromium, as tests/test_browser.py does), logs in, lands in the lab notebook, runs it and
moves an explorer's slider: the figure changes. Screenshots go to test-artifacts/classroom/.
"""

import time
from pathlib import Path

import pytest
from tests._requires import require, unavailable

from classroom.serve import lab_links

CLASS_PASSWORD = "spores-in-class"          # as in conftest.py
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--no-proxy-server", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "classroom"
EXPLORER = ".jp-Cell-outputArea .jupyter-widgets:has(.widget-slider):has(.sporelab-figure)"


@pytest.fixture(scope="module")
def browser():
    path = require("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("playwright is missing: `make test` installs it (pip install -e '.[test]')")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True,
                                     timeout=60_000)
        try:
            yield chromium
        finally:
            chromium.close()


def _figure(explorer):
    """The explorer's figure as drawn in the browser (widgets/figure.js): render count and SVG."""
    return explorer.locator(".sporelab-figure").first.evaluate(
        "el => el.dataset.renders && el.dataset.problems === '0' ? "
        "el.dataset.renders + ':' + el.querySelector(':scope > svg').outerHTML : ''")


def test_a_logged_out_student_follows_the_link_runs_the_lab_and_moves_a_slider(classroom, browser):
    room, _ = classroom
    link = lab_links(room.url, room.repo, "main", labs_subdir="labs", labs=["initializers"])["initializers"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    try:
        page.goto(link)
        page.fill("#username_input", "dee")
        page.fill("#password_input", CLASS_PASSWORD)
        page.click("#login_submit")
        page.wait_for_url("**/user/dee/lab/tree/sporelab-notebooks/labs/initializers.ipynb*",
                          timeout=240_000)
        page.locator(".jp-Notebook .jp-Cell").nth(10).wait_for(timeout=120_000)
        page.get_by_text("| Idle").first.wait_for(timeout=120_000)      # the kernel, in the status bar
        page.screenshot(path=str(SHOTS / "opened.png"))
        page.locator(".jp-Notebook .jp-Cell").first.click()
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()
        explorer = page.locator(EXPLORER).first
        explorer.wait_for(state="visible", timeout=180_000)
        page.get_by_text("| Idle").first.wait_for(timeout=180_000)
        explorer.scroll_into_view_if_needed()
        before = _figure(explorer)
        seed = explorer.locator(".widget-slider", has_text="seed").first
        readout = seed.locator(".widget-readout").first
        old_value = readout.inner_text().strip()
        seed.locator("[role=slider]").first.focus()
        seed.locator("[role=slider]").first.press("ArrowRight")
        deadline = time.monotonic() + 30
        while _figure(explorer) == before and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        after = _figure(explorer)
        page.screenshot(path=str(SHOTS / "after-slider.png"))
        errors = page.locator("[data-mime-type='application/vnd.jupyter.error']").count()
        news = page.get_by_text("notified about official Jupyter news").count()
    finally:
        page.close()
    assert before, "the explorer's figure was not drawn (no render, or figure.js reported problems)"
    assert after != before, f"the figure did not change within 30 s after moving seed from {old_value}"
    assert errors == 0
    assert news == 0, "the Jupyter news prompt was shown to a student"
