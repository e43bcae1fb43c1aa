"""Sphinx extension of the sporelab book: explorer cells shown as stills, MathJax from the site itself.

What the stock myst-nb + sphinx-book-theme setup does not do:

- **Explorer cells.** A lab's explorer cell (tagged ``nbval-ignore-output`` and calling a
  ``...Explorer(``, as tests/test_browser.py finds them) stores no output: its
  live widget needs a kernel. In the book it gets, in place of the widget, a note saying the
  explorer is live in JupyterLab, the two launch links of its notebook (Binder, the class's
  JupyterHub through nbgitpuller) and a copy of the lab's static figure (the first figure a later
  cell of the notebook draws). A lab with an explorer cell but no static figure after it is a
  build warning, so ``-W`` fails it. An explorer that ``book/live_states.py`` serves gets a live
  explorer beside the still (hidden until its script draws, so with scripts off the still stays):
  state pickers, its kernel-only controls disabled, the launch links, the figure pane; after the
  build ``_static/sporelab-live.js`` (renderer + ``book/live_driver.js``) and
  ``_static/live/<Explorer>.js`` (its states, computed then) are written.
- **Toctrees that pick up new labs.** A toctree line such as ``labs/*`` after the labs listed in
  reading order adds any lab not listed yet, so a new notebook in notebooks/labs/ appears in the
  book by itself (and one line in book/en/index.md puts it in its place). When every lab is listed
  that line would match nothing, which Sphinx warns about: it is then dropped.
- **Chinese search on Sphinx 9.0.** Its ``language_data.js`` for zh ends with
  ``window.Stemmer = ChineseStemmer;`` while the code above it defines ``EnglishStemmer`` (the zh
  search stems Latin words in English), so the search page stops on a ReferenceError
  (sphinx-doc/sphinx#14229, fixed upstream by #14416 in a release that needs Python >= 3.12).
  After the build the line names the stemmer the file does define; a fixed Sphinx is left alone.
- **MathJax.** ``mathjax_path`` points at ``_static/mathjax/tex-chtml.js``; this extension copies
  MathJax 3 there from the ``sphinx-mathjax-offline`` package (PyPI) when the build finishes, only
  the parts that page needs (the combined TeX→CHTML component, its fonts and its lazily loaded
  extensions: about 3 MB of the package's 24 MB). No page loads anything from a CDN.
"""

import copy
import html
import re
import shutil
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx.errors import ExtensionError
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from book import book_config, live_states

logger = logging.getLogger(__name__)

LIVE_TAG = "nbval-ignore-output"
EXPLORER_CALL = re.compile(r"^(?!\s*(?:class|def)\s).*?\b[A-Z]\w*Explorer\s*\(", re.MULTILINE)  # a call
MATHJAX_DIST = "sphinx-mathjax-offline"
MATHJAX_PARTS = ["tex-chtml.js", "output/chtml", "input/tex/extensions", "ui", "a11y"]

NOTE = {
    "en": ("Live in JupyterLab: ",
           "this explorer is a widget that needs a running Python kernel, so this page cannot "
           "move it. Open this notebook on ", " or on ", " (the rocket menu at the top of "
           "the page does the same) to drive its sliders and buttons. Here is its static figure, "
           "which a cell further down draws:"),
    "zh": ("在 JupyterLab 中可交互：",
           "这个探索器是一个需要运行中的 Python 内核的小部件，本页面无法操作它。请在 ", " 或 ",
           "（页面顶部的火箭菜单也可以）中打开这个 notebook，拖动滑块、点击按钮。下面是它的静态图，"
           "由后面的一个单元格绘制："),
}
HUB_LABEL = {"en": "your class's JupyterHub", "zh": "课堂的 JupyterHub"}


def _is_cell(node):
    return isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"


class ExplorerStills(SphinxTransform):
    """Give every explorer cell the live-in-JupyterLab note, the launch links and the static figure."""

    default_priority = 500

    def apply(self, **kwargs):
        cells = [n for n in self.document.findall(nodes.container) if _is_cell(n)]
        for index, cell in enumerate(cells):
            if LIVE_TAG not in cell.get("cell_metadata", {}).get("tags", []) \
                    or not EXPLORER_CALL.search(cell.astext()):
                continue
            figure = next((img for later in cells[index + 1:] for img in later.findall(nodes.image)),
                          None)
            if figure is None:
                logger.warning("explorer cell %s (tagged %s) has no static figure after it: a lab "
                               "must show one for readers without a kernel",
                               cell.get("cell_index"), LIVE_TAG, location=cell)
                continue
            cell += self._note(copy.deepcopy(figure), EXPLORER_CALL.search(cell.astext()))

    def _note(self, figure, call):
        lang = "zh" if (self.config.language or "en").startswith("zh") else "en"
        strong, text, between, after = NOTE[lang]
        docs = self.config.html_theme_options.get("path_to_docs", "").strip("/")
        repo_path = "/".join(p for p in (docs, self.env.docname + ".ipynb") if p)
        urls = book_config.launch_urls(repo_path)
        para = nodes.paragraph()
        para += nodes.strong(text=strong)
        para += nodes.Text(text)
        para += nodes.reference("", "Binder", refuri=urls["binder"], classes=["sporelab-launch"])
        para += nodes.Text(between)
        para += nodes.reference("", HUB_LABEL[lang], refuri=urls["hub"], classes=["sporelab-launch"])
        para += nodes.Text(after)
        figure["alt"] = "static figure of the explorer" if lang == "en" else "探索器的静态图"
        box = nodes.container(classes=["cell_output", "sporelab-live"])
        box += para
        box += figure
        name = re.search(r"\b([A-Z]\w*Explorer)\s*\($", call.group(0)).group(1)
        if name in live_states.LIVE_CONTROLS:
            self.env.sporelab_live = sorted(set(getattr(self.env, "sporelab_live", [])) | {name})
            box += nodes.raw("", live_html(name, lang, self.env.docname, urls), format="html")
        return box


LIVE_TEXT = {
    "en": ("Live here: these controls redraw figures that sporelab computed when the book was built. "
           "The greyed-out ones need a kernel: open the notebook on ", " or on ", ".",
           "The explorer's precomputed states could not be loaded: the static figure stays."),
    "zh": ("在本页可交互：这些控件重绘构建本书时 sporelab 预先计算的图。灰色的控件需要 Python 内核：请在 ",
           " 或 ", " 中打开这个 notebook。", "无法加载探索器的预计算状态：保留静态图。"),
}
LIVE_SCRIPT = "sporelab-live.js"


def live_html(name, lang, docname, urls):
    """The live explorer of one cell: its controls (state pickers, then the kernel-only ones
    disabled), the launch links, a note for failures, the figure pane, and its two scripts."""
    root = "../" * docname.count("/")
    text, between, after, missing = LIVE_TEXT[lang]
    spec = live_states.control_labels(name, "zh_cn" if lang == "zh" else "en")
    esc = html.escape
    pickers = "".join(
        f'<label>{esc(c["label"])} <select data-control="{esc(c["name"])}">'
        + "".join(f"<option>{esc(label)}</option>" for label in c["labels"]) + "</select></label>"
        for c in spec["controls"])
    disabled = "".join(f'<label>{esc(d["label"])} <select disabled aria-disabled="true">'
                       f'<option>{esc(LIVE_KERNEL_ONLY[lang])}</option></select></label>'
                       for d in spec["disabled"])
    links = (f'<a class="sporelab-launch" href="{esc(urls["binder"])}">Binder</a>{esc(between)}'
             f'<a class="sporelab-launch" href="{esc(urls["hub"])}">{esc(HUB_LABEL[lang])}</a>')
    return (f'<div class="sporelab-live-explorer" data-explorer="{name}" data-missing="{esc(missing)}" hidden>'
            f'<p class="sporelab-live-note" hidden></p>'
            f'<div class="sporelab-live-controls">{pickers}{disabled}</div>'
            f'<p>{esc(text)}{links}{esc(after)}</p>'
            f'<div class="sporelab-live-figure" aria-live="polite"></div></div>'
            f'<script src="{root}_static/live/{name}.js"></script>'
            f'<script src="{root}_static/{LIVE_SCRIPT}"></script>')


LIVE_KERNEL_ONLY = {"en": "(needs a kernel)", "zh": "（需要内核）"}


def write_live_assets(app, exception):
    """After a good HTML build: the renderer + page driver as one classic script, and the states
    of every explorer a page shows (computed by sporelab itself, see book/live_states.py)."""
    if exception is not None or app.builder.format != "html":
        return
    static = Path(app.outdir, "_static")
    (static / LIVE_SCRIPT).write_text(live_states.page_script(), encoding="utf-8")
    lang = "zh_cn" if (app.config.language or "en").startswith("zh") else "en"
    (static / "live").mkdir(exist_ok=True)
    for name in getattr(app.env, "sporelab_live", []):
        (static / "live" / f"{name}.js").write_text(live_states.states_script(name, lang), encoding="utf-8")


def merge_live(app, env, docnames, other):
    env.sporelab_live = sorted(set(getattr(env, "sporelab_live", [])) | set(getattr(other, "sporelab_live", [])))


GLOB_LINE = re.compile(r"^((?:[\w./-]+/)?)\*[ \t]*$", re.MULTILINE)


def drop_spent_globs(app, docname, source):
    """Drop a toctree line ``folder/*`` of ``docname`` when every page in folder/ is listed by name.

    Sphinx's ``*`` stops at ``/``: the Chinese book's ``*`` (its tutorials) matches no lab, so a lab
    not listed by name must not keep that line alive.
    """
    text = source[0]
    listed = set(re.findall(r"^([\w./-]+)[ \t]*$", text, re.MULTILINE))

    def spent(match):
        folder = match.group(1)
        rest = [d for d in app.env.found_docs
                if d.startswith(folder) and "/" not in d[len(folder):] and d != docname and d not in listed]
        return match.group(0) if rest else ""

    source[0] = GLOB_LINE.sub(spent, text)


def mathjax_source():
    """The folder of MathJax 3 inside the installed ``sphinx-mathjax-offline`` distribution."""
    try:
        dist = metadata.distribution(MATHJAX_DIST)
    except metadata.PackageNotFoundError:
        raise ExtensionError(f"the book serves MathJax itself, from the PyPI package {MATHJAX_DIST}, "
                             f"which is not installed: pip install -e '.[book]'") from None
    folder = Path(dist.locate_file(f"{MATHJAX_DIST}/static/mathjax"))
    if not (folder / "tex-chtml.js").is_file():
        raise ExtensionError(f"{MATHJAX_DIST} is installed but {folder}/tex-chtml.js is missing")
    return folder


def copy_mathjax(app, exception):
    """Copy the parts of MathJax the pages load into ``_static/mathjax`` (after a good HTML build)."""
    if exception is not None or app.builder.format != "html":
        return
    source = mathjax_source()
    target = Path(app.outdir, "_static", "mathjax")
    for part in MATHJAX_PARTS:
        src, dst = source / part, target / part
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)


STEMMER_LINE = re.compile(r"^window\.Stemmer = (\w+);$", re.MULTILINE)


def fix_stemmer(app, exception):
    """Point ``window.Stemmer`` at the stemmer ``language_data.js`` defines (sphinx-doc/sphinx#14229)."""
    path = Path(app.outdir, "_static", "language_data.js")
    if exception is not None or not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    named = STEMMER_LINE.search(text)
    defined = re.findall(r"\bvar (\w+Stemmer)\s*=", text)
    if named and named.group(1) not in defined and len(defined) == 1:
        path.write_text(STEMMER_LINE.sub(f"window.Stemmer = {defined[0]};", text), encoding="utf-8")


def setup(app):
    mathjax_source()                     # fail at once, not after the whole build
    app.add_transform(ExplorerStills)
    app.connect("source-read", drop_spent_globs)
    app.connect("build-finished", copy_mathjax)
    app.connect("build-finished", fix_stemmer)
    app.connect("build-finished", write_live_assets)
    app.connect("env-merge-info", merge_live)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
