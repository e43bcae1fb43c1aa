"""Sphinx configuration of the English book (built by ``python -m book.build`` into build/book/,
which runs Sphinx with the repository root on ``PYTHONPATH``: the ``book`` package imports by name).
"""

from book import book_config

_config = book_config.sphinx_config("en", path_to_docs="notebooks")
globals().update(_config)
_folder = book_config.launch_urls("notebooks")
myst_substitutions = {
    "launch": f"[Binder]({_folder['binder']}) or [your class's JupyterHub]({_folder['hub']})",
}
# The Chinese book is built into zh_cn/ below this one.
html_context = {**_config["html_context"],
                "sporelab_other_book": {"href": "zh_cn/index.html", "label": "中文版", "lang": "zh-CN"}}
