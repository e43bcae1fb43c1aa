"""Sphinx configuration of the English book (built by book/build.py into build/book/)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))    # book/: book_config, sporelab_book

import book_config  # noqa: E402

globals().update(book_config.sphinx_config("en", path_to_docs="notebooks"))
_folder = book_config.launch_urls("notebooks")
myst_substitutions = {
    "launch": f"[Binder]({_folder['binder']}) or [your class's JupyterHub]({_folder['hub']})",
}
# The Chinese book is built into zh_cn/ below this one.
html_context = {"sporelab_other_book": {"href": "zh_cn/index.html", "label": "中文版", "lang": "zh-CN"}}
