"""Chinese figures drawn by matplotlib (``pane.png()``) show glyphs, not boxes, with the font sporelab
ships (``sporelab/widgets/fonts/``, an OFL subset of Noto Sans CJK SC): no "Glyph ... missing"
warning while every explorer is drawn in Chinese, here and in a subprocess whose matplotlib knows
no CJK font at all; the subset holds every character of the catalogue and the Chinese notebooks."""

import base64
import copy
import json
import os
import pathlib
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from fontTools.ttLib import TTFont  # matplotlib depends on fontTools
from matplotlib import font_manager

from sporelab.widgets import (
    ConvExplorer,
    DataParallelExplorer,
    DepthExplorer,
    InitializerExplorer,
    TrainingExplorer,
    _fonts,
)
from tools import font_subset

REPO = pathlib.Path(__file__).resolve().parents[2]

EXPLORERS = {
    "initializers": lambda: InitializerExplorer(lang="zh_cn", compare=True, name="Sparse", kernel_size=1),
    "convolution": lambda: ConvExplorer(lang="zh_cn"),
    "depth": lambda: DepthExplorer(depth=4, width=32, activation="relu", lang="zh_cn"),
    "training": lambda: TrainingExplorer(lang="zh_cn"),
    "data_parallel": lambda: DataParallelExplorer(lang="zh_cn"),
}


def _missing_glyphs(explorer):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = explorer.pane.png(dpi=50)
    assert png[:4] == b"\x89PNG"
    return sorted({str(w.message) for w in caught if "missing from" in str(w.message)})


def test_the_shipped_font_comes_right_after_dejavu():
    assert _fonts.families()[:2] == ["DejaVu Sans", "Sporelab Sans SC"]
    assert font_manager.findfont(font_manager.FontProperties(family=_fonts.FAMILY),
                                 fallback_to_default=False) == str(_fonts.FONT_FILE)


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_every_explorer_draws_chinese_without_missing_glyphs(name):
    explorer = EXPLORERS[name]()
    if name == "training":
        explorer.step_button.click()              # the gradient panels and their notes
    assert _missing_glyphs(explorer) == []


def test_without_the_cjk_fallback_the_glyphs_are_reported_missing(monkeypatch):
    """The check above can fail: DejaVu alone has no Chinese glyphs."""
    monkeypatch.setattr(_fonts, "_chain", lambda: ())
    missing = _missing_glyphs(DataParallelExplorer(lang="zh_cn"))
    assert missing and all("DejaVu Sans" in message for message in missing)


def test_english_figures_keep_dejavu_first():
    assert _fonts.families()[0] == "DejaVu Sans" and _fonts.families("monospace")[0] == "DejaVu Sans Mono"
    assert _missing_glyphs(DepthExplorer(depth=2, width=16, lang="en")) == []
    np.testing.assert_equal(_fonts.rc()["font.family"], _fonts.families())


def test_the_browser_chain_names_the_shipped_font_then_the_system_ones():
    assert _fonts.CJK_FONTS[0] == "Noto Sans CJK SC"          # what Debian's fonts-noto-cjk installs
    from sporelab.widgets._live import browser_module
    assert "const CJK = `'${CJK_FAMILY}', 'Noto Sans CJK SC', `" in browser_module()
    assert f'const CJK_FAMILY = "{_fonts.FAMILY}";' in browser_module()


@pytest.fixture(scope="module")
def subset():
    return TTFont(_fonts.FONT_FILE)


def test_the_sources_are_the_catalogue_and_every_chinese_notebook():
    names = {path.relative_to(REPO).as_posix() for path in font_subset.sources()}
    assert "sporelab/locale/zh_CN/LC_MESSAGES/sporelab.po" in names
    assert "notebooks/zh_cn/labs/data_parallel.ipynb" in names
    assert names >= {p.relative_to(REPO).as_posix() for p in (REPO / "notebooks" / "zh_cn").rglob("*.ipynb")}


def test_every_character_of_the_catalogue_and_the_chinese_notebooks_is_in_the_subset(subset):
    chars = font_subset.characters()
    assert "初" in chars and "，" in chars and "数据并行"[0] in chars     # it does read the Chinese text
    cmap = subset.getBestCmap()
    missing = sorted(ch for ch in chars if ord(ch) not in cmap)
    assert not missing, (f"{len(missing)} characters are not in {_fonts.FONT_FILE.name}: {''.join(missing)!r}; "
                         "run python -m tools.font_subset and commit the font")


def test_notebook_text_reads_sources_and_text_outputs_not_images(tmp_path):
    notebook = {"cells": [{"cell_type": "markdown", "source": ["标题\n", "正文"]},
                          {"cell_type": "code", "source": "print('输出')", "outputs": [
                              {"output_type": "stream", "text": ["输出\n"]},
                              {"output_type": "display_data", "data": {"text/plain": "图", "image/png": "iVBOR"}}]}]}
    (tmp_path / "n.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    assert font_subset.notebook_text(tmp_path / "n.ipynb") == "标题\n正文print('输出')输出\n图"


def test_the_subset_is_renamed_small_and_carries_its_licence(subset):
    assert subset["name"].getDebugName(1) == _fonts.FAMILY == "Sporelab Sans SC"
    assert "Open Font License" in subset["name"].getDebugName(13)
    licence = (_fonts.FONT_FILE.parent / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE" in licence and "Version 1.1" in licence and "Noto Sans CJK SC" in licence
    assert _fonts.FONT_FILE.stat().st_size < 400_000


def test_the_wheel_and_the_book_carry_the_font():
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert '"fonts/SporelabSansSC-Regular.otf", "fonts/OFL.txt"' in pyproject
    css = (REPO / "book" / "_static" / "sporelab-book.css").read_text(encoding="utf-8")
    assert 'font-family: "Sporelab Sans SC"' in css and 'url("SporelabSansSC-Regular.otf")' in css
    from book.book_config import sphinx_config
    static = sphinx_config("zh_CN", "notebooks/zh_cn")["html_static_path"]
    assert any(pathlib.Path(path, _fonts.FONT_FILE.name).is_file() for path in static), static


def test_the_widget_css_declares_the_shipped_file():
    css = _fonts.font_face_css()
    data = css.split("base64,", 1)[1].split(")", 1)[0]
    assert base64.b64decode(data) == _fonts.FONT_FILE.read_bytes()
    from sporelab.widgets._live import LiveFigure
    assert LiveFigure()._css == css


def test_a_missing_font_file_says_how_to_restore_it(monkeypatch, tmp_path):
    monkeypatch.setattr(_fonts, "FONT_FILE", tmp_path / "gone.otf")
    with pytest.raises(RuntimeError, match="gone.otf is missing: reinstall sporelab"):
        _fonts._font_file()


EXPLORER_CLASSES = {"InitializerExplorer", "ConvExplorer", "TrainingExplorer", "DepthExplorer",
                    "DataParallelExplorer"}
DRAW_EVERY_CHINESE_FIGURE = textwrap.dedent(f"""
    import warnings
    from matplotlib import font_manager
    from sporelab.widgets import _fonts
    known = {{entry.name for entry in font_manager.fontManager.ttflist}}
    assert not known & set(_fonts.CJK_FONTS), known          # this matplotlib knows no CJK font
    import sporelab.widgets as widgets
    widgets.set_language("zh_cn")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for name in {sorted(EXPLORER_CLASSES)!r}:
            explorer = getattr(widgets, name)()
            if name == "TrainingExplorer":
                explorer.step_button.click()              # the gradient panels and their notes
            assert explorer.pane.png()[:4] == b"\\x89PNG", name
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert not glyphs, glyphs[:3]
    assert _fonts.families()[1:] == ["{_fonts.FAMILY}"], _fonts.families()
    print("drawn", {len(EXPLORER_CLASSES)})
""")


def _stale_cache_without_cjk(config_dir):
    """An MPLCONFIGDIR whose font cache lists only DejaVu: matplotlib on a machine with no CJK font,
    and a cache that a later system font install would leave stale."""
    manager = copy.copy(font_manager.fontManager)
    manager.ttflist = [entry for entry in manager.ttflist if entry.name.startswith("DejaVu")]
    manager.afmlist = []
    font_manager.json_dump(manager, config_dir / f"fontlist-v{font_manager.FontManager.__version__}.json")


def test_every_chinese_figure_draws_without_a_system_cjk_font(tmp_path):
    _stale_cache_without_cjk(tmp_path)
    env = dict(os.environ, MPLCONFIGDIR=str(tmp_path), MPLBACKEND="Agg", PYTHONPATH=str(REPO),
               FONTCONFIG_FILE=str(tmp_path / "none.conf"))
    (tmp_path / "none.conf").write_text("<?xml version='1.0'?><fontconfig><dir>/nonexistent</dir></fontconfig>")
    done = subprocess.run([sys.executable, "-c", DRAW_EVERY_CHINESE_FIGURE], env=env, cwd=tmp_path, check=False,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == f"drawn {len(EXPLORER_CLASSES)}"
    assert "Glyph" not in done.stderr and "findfont" not in done.stderr, done.stderr[-3000:]
