"""Chinese figures drawn by matplotlib (``pane.png()``) show glyphs, not boxes: no "Glyph ... missing"
warning while every explorer is drawn in Chinese. The test machine has Debian's fonts-noto-cjk (the
Makefile's chromium target installs it; Binder's binder/apt.txt too): without it this fails."""

import warnings

import numpy as np
import pytest

from sporelab.widgets import (ConvExplorer, DataParallelExplorer, DepthExplorer, InitializerExplorer,
                              TrainingExplorer, _fonts)

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


def test_a_cjk_font_is_installed():
    assert _fonts.families()[1:], (f"no CJK font among {_fonts.CJK_FONTS}: install fonts-noto-cjk "
                                   "(Debian/Ubuntu) so that Chinese figures show glyphs")


@pytest.mark.parametrize("name", sorted(EXPLORERS))
def test_every_explorer_draws_chinese_without_missing_glyphs(name):
    explorer = EXPLORERS[name]()
    if name == "training":
        explorer.step_button.click()              # the gradient panels and their notes
    assert _missing_glyphs(explorer) == []


def test_without_the_cjk_fallback_the_glyphs_are_reported_missing(monkeypatch):
    """The check above can fail: DejaVu alone has no Chinese glyphs."""
    monkeypatch.setattr(_fonts, "_installed_cjk", lambda: ())
    missing = _missing_glyphs(DataParallelExplorer(lang="zh_cn"))
    assert missing and all("DejaVu Sans" in message for message in missing)


def test_english_figures_keep_dejavu_first():
    assert _fonts.families()[0] == "DejaVu Sans" and _fonts.families("monospace")[0] == "DejaVu Sans Mono"
    assert _missing_glyphs(DepthExplorer(depth=2, width=16, lang="en")) == []
    np.testing.assert_equal(_fonts.rc()["font.family"], _fonts.families())


def test_binder_and_the_makefile_install_the_font_the_chain_starts_with():
    from pathlib import Path
    repo = Path(__file__).resolve().parents[2]
    packages = [line.partition("#")[0].strip() for line in (repo / "binder" / "apt.txt").read_text().splitlines()]
    assert "fonts-noto-cjk" in packages and "fonts-noto-cjk" in (repo / "Makefile").read_text()
    assert _fonts.CJK_FONTS[0] == "Noto Sans CJK SC"          # what fonts-noto-cjk installs
    from sporelab.widgets._live import browser_module
    assert "'Noto Sans CJK SC'" in browser_module()                                  # the browser's chain
