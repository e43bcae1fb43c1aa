"""Sphinx configuration of the Chinese book (built by ``python -m book.build`` into build/book/zh_cn/,
which runs Sphinx with the repository root on ``PYTHONPATH``: the ``book`` package imports by name).

language zh_CN gives the theme's Chinese navigation strings and Sphinx's Chinese search, whose
index is split into words by jieba (installed with the book extra). jieba's dictionary lacks some
of MindSpore's terms (学习率, 卷积核, 特征图 ...): search_terms.txt adds them, one a line, or a search
for 学习率 would find nothing (the search page looks the query up whole, it does not split it).
"""

from pathlib import Path

from book import book_config

_config = book_config.sphinx_config("zh_CN", path_to_docs="notebooks/zh_cn")
globals().update(_config)
html_title = "sporelab 中文版"
html_search_options = {"dict": str(Path(__file__).resolve().parent / "search_terms.txt")}
_folder = book_config.launch_urls("notebooks")
myst_substitutions = {
    "launch": f"[Binder]({_folder['binder']}) 或 [课堂的 JupyterHub]({_folder['hub']})",
}
# The English book is the folder above this one.
html_context = {**_config["html_context"],
                "sporelab_other_book": {"href": "../index.html", "label": "English", "lang": "en"}}
