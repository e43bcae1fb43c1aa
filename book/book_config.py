"""The book's settings shared by both languages: where the launch buttons point, and Sphinx options.

The launch buttons are set here and only here, each overridable from the environment (the
Makefile passes ``make book BOOK_HUB_URL=...`` through; the GitHub Pages workflow sets the
repository from its own context):

- ``BOOK_REPO_URL``: the repository readers launch from (default
  ``https://github.com/OWNER/sporelab``, the placeholder the README uses);
- ``BOOK_BRANCH``: its branch (default ``main``);
- ``BOOK_HUB_URL``: the class's JupyterHub that nbgitpuller pulls the notebooks into (default
  ``https://hub.example.org``, a reserved example domain: set your hub's address);
- ``BOOK_BINDER_URL``: the BinderHub (default ``https://mybinder.org``).
"""

import os
import re
from urllib.parse import urlencode

DEFAULT_REPO_URL = "https://github.com/OWNER/sporelab"
DEFAULT_BRANCH = "main"
DEFAULT_HUB_URL = "https://hub.example.org"
DEFAULT_BINDER_URL = "https://mybinder.org"


def setting(name, default):
    """The environment's ``name`` when it is set and not blank, else ``default``, without a trailing /."""
    value = (os.environ.get(name) or "").strip() or default
    return value.rstrip("/")


REPO_URL = setting("BOOK_REPO_URL", DEFAULT_REPO_URL)
BRANCH = setting("BOOK_BRANCH", DEFAULT_BRANCH)
HUB_URL = setting("BOOK_HUB_URL", DEFAULT_HUB_URL)
BINDER_URL = setting("BOOK_BINDER_URL", DEFAULT_BINDER_URL)


def launch_urls(repo_path, repo_url=REPO_URL, branch=BRANCH, hub_url=HUB_URL, binder_url=BINDER_URL):
    """The Binder and JupyterHub (nbgitpuller) links that open ``repo_path`` in JupyterLab.

    ``repo_path`` is a file or folder relative to the repository root, e.g.
    ``notebooks/labs/convolution.ipynb``. Raises ValueError naming the setting when the repository
    is not https://github.com/<owner>/<repo>, an address is not http(s), or the branch is no name.
    The forms are those sphinx-book-theme writes into every page's launch menu (a test checks that
    both agree), so the note of an explorer cell and the menu at the top of its page open the same
    thing.

    >>> urls = launch_urls("notebooks/labs", repo_url="https://github.com/ORG/sporelab",
    ...                    branch="main", hub_url="https://hub.example.org")
    >>> urls["binder"]
    'https://mybinder.org/v2/gh/ORG/sporelab/main?urlpath=lab/tree/notebooks/labs'
    >>> urls["hub"]
    'https://hub.example.org/hub/user-redirect/git-pull?repo=https%3A//github.com/ORG/sporelab&urlpath=lab/tree/sporelab/notebooks/labs&branch=main'
    """
    if not re.fullmatch(r"https://github\.com/[^/\s]+/[^/\s]+", repo_url):
        raise ValueError(f"BOOK_REPO_URL must be https://github.com/<owner>/<repo>, got {repo_url!r}")
    for name, value in (("BOOK_HUB_URL", hub_url), ("BOOK_BINDER_URL", binder_url)):
        if not re.fullmatch(r"https?://[^/\s?#]+(/[^\s?#]*)?", value):
            raise ValueError(f"{name} must be an http(s) address such as https://hub.school.edu, got {value!r}")
    if not re.fullmatch(r"[^\s?&#]+", branch):
        raise ValueError(f"BOOK_BRANCH must be a branch name (no spaces, ?, & or #), got {branch!r}")
    owner, repo = repo_url.split("/")[3:5]
    binder = f"{binder_url}/v2/gh/{owner}/{repo}/{branch}?urlpath=lab/tree/{repo_path}"
    query = urlencode({"repo": repo_url, "urlpath": f"lab/tree/{repo}/{repo_path}", "branch": branch},
                      safe="/")
    return {"binder": binder, "hub": f"{hub_url}/hub/user-redirect/git-pull?{query}"}


def sphinx_config(language, path_to_docs):
    """The Sphinx configuration of one book (``language`` 'en' or 'zh_CN'), as a dict for conf.py.

    ``path_to_docs`` is where the book's source root lies in the repository (``notebooks`` for the
    English book, ``notebooks/zh_cn`` for the Chinese one): the launch buttons join it with the
    page's name to find its notebook.
    """
    here = os.path.dirname(os.path.abspath(__file__))
    return dict(
        project="sporelab",
        author="the sporelab authors",
        copyright="the sporelab authors",
        language=language,
        extensions=["myst_nb", "book.sporelab_book"],
        root_doc="index",
        exclude_patterns=["**/.ipynb_checkpoints", "_build"],
        templates_path=[os.path.join(here, "_templates")],
        # The committed notebooks' stored outputs, never a kernel.
        nb_execution_mode="off",
        # No widget state is stored (tools/notebooks.py strips it); never a CDN script for widgets.
        nb_ipywidgets_js={},
        # Without these, $...$ in the labs would stay literal text.
        myst_enable_extensions=["dollarmath", "amsmath", "substitution"],
        myst_heading_anchors=3,
        # MathJax from the site itself (sporelab_book vendors it into _static/mathjax).
        mathjax_path="mathjax/tex-chtml.js",
        html_theme="sphinx_book_theme",
        html_title="sporelab",
        # sporelab's Chinese font and its licence (sporelab/widgets/fonts/) land in _static/ beside
        # sporelab-book.css, whose @font-face serves it: no page needs a system CJK font.
        html_static_path=[os.path.join(here, "_static"),
                          os.path.join(os.path.dirname(here), "sporelab", "widgets", "fonts")],
        html_css_files=["sporelab-book.css"],
        html_last_updated_fmt=None,
        # pydata-sphinx-theme reads its mode from here; left empty it logs "Got invalid theme mode"
        # as a console error on every page (the book's browser tests allow none).
        html_context={"default_mode": "auto"},
        html_sidebars={"**": ["navbar-logo.html", "lang-switch.html", "search-button-field.html",
                              "sbt-sidebar-nav.html"]},
        html_theme_options={
            "repository_url": REPO_URL,
            "repository_branch": BRANCH,
            "path_to_docs": path_to_docs,
            "use_repository_button": True,
            "use_download_button": True,
            "use_fullscreen_button": False,
            # The sidebar has the search field; pydata 0.20 would put a second one in a header bar.
            "navbar_start": [], "navbar_center": [], "navbar_end": [], "navbar_persistent": [],
            "launch_buttons": {
                "binderhub_url": BINDER_URL,
                "jupyterhub_url": HUB_URL,
                "notebook_interface": "jupyterlab",
            },
        },
        myst_substitutions={},            # conf.py adds {{ launch }}: the links to the notebooks folder
    )
