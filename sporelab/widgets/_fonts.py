"""The fonts of the figures: Latin from DejaVu (matplotlib's own), Chinese from the font sporelab
ships, so that a Chinese explorer's ``pane.png()`` shows glyphs, not boxes, on any machine.

matplotlib (3.6 and later) falls back glyph by glyph along the ``font.family`` list, so the list
is DejaVu first (the English figures do not change), then ``FAMILY``: the subset of Noto Sans CJK
SC in ``fonts/`` (OFL 1.1, ``tools/font_subset.py``), registered from its file with
``font_manager.addfont``, so neither the system's fonts nor matplotlib's font cache matter. The
CJK fonts of ``CJK_FONTS`` that are installed follow, for a character the subset lacks (text a
student types); families that are not installed are left out, so matplotlib never logs
"findfont: Font family ... not found". The browser gets the same chain (``widgets/src/svg.js``)
and the same file (``font_face_css``).

>>> families("sans-serif")[:2], families("monospace")[0]
(['DejaVu Sans', 'Sporelab Sans SC'], 'DejaVu Sans Mono')
"""

import base64
import functools
import pathlib

__all__ = ["CJK_FONTS", "FAMILY", "FONT_FILE", "families", "font_face_css", "rc"]

FAMILY = "Sporelab Sans SC"
FONT_FILE = pathlib.Path(__file__).parent / "fonts" / "SporelabSansSC-Regular.otf"
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC",
             "Hiragino Sans GB", "Heiti SC", "SimHei", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "Droid Sans Fallback", "Arial Unicode MS")
_LATIN = {"sans-serif": "DejaVu Sans", "monospace": "DejaVu Sans Mono"}


def _font_file():
    if not FONT_FILE.is_file():
        raise RuntimeError(f"sporelab's Chinese font {FONT_FILE} is missing: reinstall sporelab (pip install "
                           "--force-reinstall sporelab), or in a checkout run git checkout -- sporelab/widgets/fonts")
    return FONT_FILE


@functools.cache
def _chain():
    from matplotlib import font_manager
    font_manager.fontManager.addfont(str(_font_file()))
    names = {entry.name for entry in font_manager.fontManager.ttflist}
    return (FAMILY,) + tuple(name for name in CJK_FONTS if name in names)


def families(kind="sans-serif"):
    """The fallback chain for ``kind`` ('sans-serif' or 'monospace'): DejaVu, sporelab's Chinese font,
    then installed CJK fonts.

    Raises:
        RuntimeError: the shipped font file is missing (the message says how to restore it).
    """
    return [_LATIN.get(kind or "sans-serif", _LATIN["sans-serif"])] + list(_chain())


def rc():
    """matplotlib rcParams for a figure drawn with the chain (use in ``matplotlib.rc_context``)."""
    return {"font.family": families("sans-serif"), "axes.unicode_minus": True}


@functools.cache
def font_face_css():
    """The ``@font-face`` rule that gives a browser ``FAMILY`` from the shipped file, inlined as a
    ``data:`` URL: a widget's CSS then needs no server route (JupyterLab, VS Code, Colab, a wheel).

    >>> font_face_css().startswith("@font-face{font-family:'Sporelab Sans SC';")
    True
    """
    data = base64.b64encode(_font_file().read_bytes()).decode("ascii")
    return (f"@font-face{{font-family:'{FAMILY}';font-style:normal;font-weight:400;font-display:block;"
            f"src:url(data:font/otf;base64,{data}) format('opentype');}}")
