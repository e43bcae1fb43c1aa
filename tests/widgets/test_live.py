"""LiveFigure's renderer: read from a built sporelab, bundled in a checkout, an error when missing (issue 20)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from sporelab.widgets import _live
from sporelab.widgets._bundle import bundle

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_renderer(tmp_path, monkeypatch):
    """A sporelab with neither a built static/figure.js nor a checkout's widgets/src/."""
    monkeypatch.setattr(_live, "_STATIC", tmp_path / "static")
    monkeypatch.setattr(_live, "_SOURCES", tmp_path / "widgets" / "src")
    _live.browser_module.cache_clear()
    yield tmp_path
    _live.browser_module.cache_clear()


def test_a_checkout_bundles_its_sources_once():
    _live.browser_module.cache_clear()
    first = _live.browser_module()
    assert first == bundle(REPO / "widgets" / "src")
    assert _live.browser_module() is first                      # cached: built once per process
    assert _live.LiveFigure()._esm == first


def test_a_missing_renderer_is_an_error_when_a_figure_is_built(no_renderer):
    with pytest.raises(RuntimeError) as caught:
        _live.LiveFigure()
    message = str(caught.value)
    assert str(no_renderer / "static" / "figure.js") in message
    assert str(no_renderer / "widgets" / "src" / "index.js") in message
    assert "pip install --force-reinstall sporelab" in message and "git checkout -- widgets/src" in message


def test_a_missing_renderer_stops_an_explorer_too(no_renderer):
    from sporelab.widgets import InitializerExplorer
    with pytest.raises(RuntimeError, match="figure renderer is missing"):
        InitializerExplorer()


def test_a_built_renderer_wins_over_the_sources(no_renderer):
    static = no_renderer / "static"
    static.mkdir()
    (static / "figure.js").write_text("export default { render() {} };\n", encoding="utf-8")
    assert _live.browser_module() == "export default { render() {} };\n"
    assert _live.asset("figure.js") == static / "figure.js"


def test_asset_names_what_is_missing(no_renderer):
    with pytest.raises(RuntimeError, match=r"'figure\.js' is missing from .*static: reinstall sporelab"):
        _live.asset("figure.js")


def test_an_install_without_the_renderer_still_imports(tmp_path):
    """The engine and the widget modules import without the asset; only building a figure fails."""
    shutil.copytree(REPO / "sporelab", tmp_path / "sporelab", ignore=shutil.ignore_patterns("__pycache__", "static"))
    code = ("import sporelab, sporelab.widgets._live, sporelab.widgets.initializers as view\n"
            "try:\n    view.InitializerExplorer()\nexcept RuntimeError as error:\n    print(type(error).__name__, error)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("RuntimeError sporelab's figure renderer is missing: neither "
                                 f"{tmp_path / 'sporelab' / 'widgets' / 'static' / 'figure.js'}")
