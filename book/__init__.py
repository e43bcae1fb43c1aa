"""The notebooks as a website (``make book``: ``python -m book.build``); Sphinx loads
``book.sporelab_book`` as an extension and each book's ``conf.py`` by its path."""
