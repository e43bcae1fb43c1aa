"""The fonts of the figures: Latin from DejaVu (matplotlib's own), Chinese from a CJK font found on
this machine, so that a Chinese explorer's ``pane.png()`` shows glyphs, not boxes.

matplotlib (3.6 and later) falls back glyph by glyph along the ``font.family`` list, so the list
is DejaVu first (the English figures do not change), then the CJK fonts that are installed, in the
order of ``CJK_FONTS``: Noto Sans CJK SC first (Debian/Ubuntu ``fonts-noto-cjk``: the test
machine, Binder through ``binder/apt.txt``, most Linux desktops), then what Windows, macOS and
other Linux distributions ship. Families that are not installed are left out, so matplotlib never
logs "findfont: Font family ... not found". The browser gets the same chain (``widgets/src/svg.js``).

>>> families("sans-serif")[0], families("monospace")[0]
('DejaVu Sans', 'DejaVu Sans Mono')
"""

import functools

__all__ = ["CJK_FONTS", "families", "rc"]

CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC",
             "Hiragino Sans GB", "Heiti SC", "SimHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Droid Sans Fallback", "Arial Unicode MS")
_LATIN = {"sans-serif": "DejaVu Sans", "monospace": "DejaVu Sans Mono"}


@functools.lru_cache(maxsize=None)
def _installed_cjk():
    from matplotlib import font_manager
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    return tuple(name for name in CJK_FONTS if name in names)


def families(kind="sans-serif"):
    """The fallback chain for ``kind`` ('sans-serif' or 'monospace'): DejaVu, then installed CJK fonts."""
    return [_LATIN.get(kind or "sans-serif", _LATIN["sans-serif"])] + list(_installed_cjk())


def rc():
    """matplotlib rcParams for a figure drawn with the chain (use in ``matplotlib.rc_context``)."""
    return {"font.family": families("sans-serif"), "axes.unicode_minus": True}
