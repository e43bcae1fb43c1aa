"""A wheel built from the repository carries the renderer bundled from widgets/src/ (issues 11, 20)."""

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from sporelab.widgets import _live
from sporelab.widgets._bundle import bundle
from tests.widgets import wheel_build

REPO = wheel_build.REPO
STATIC = "sporelab/widgets/static/"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return wheel_build.build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.mark.slow
def test_wheel_carries_the_bundle_the_editable_checkout_builds(wheel):
    """One renderer, whichever way sporelab is installed: the wheel's static/figure.js is, byte for
    byte, what _live.browser_module() bundles from widgets/src/ in this (editable) checkout."""
    with zipfile.ZipFile(wheel) as archive:
        assert sorted(n for n in archive.namelist() if n.startswith(STATIC)) == [STATIC + "figure.js"]
        shipped = archive.read(STATIC + "figure.js").decode("utf-8")
    assert shipped == _live.browser_module() == bundle(REPO / "widgets" / "src")
    assert "export default { render };" in shipped and "\nimport " not in shipped


@pytest.mark.slow
def test_wheel_carries_the_chinese_font_and_its_licence(wheel):
    fonts = REPO / "sporelab" / "widgets" / "fonts"
    with zipfile.ZipFile(wheel) as archive:
        shipped = sorted(n for n in archive.namelist() if n.startswith("sporelab/widgets/fonts/"))
        assert shipped == ["sporelab/widgets/fonts/OFL.txt", "sporelab/widgets/fonts/SporelabSansSC-Regular.otf"]
        assert all(archive.read(name) == (REPO / name).read_bytes() for name in shipped)
    assert sorted(path.name for path in fonts.iterdir()) == ["OFL.txt", "SporelabSansSC-Regular.otf"]


def test_the_bundle_parses_as_an_es_module(tmp_path):
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI"):
            pytest.fail("node is missing: make js-check installs it (Debian nodejs)")
        pytest.skip("node is not installed here (make js-check installs it)")
    module = tmp_path / "figure.mjs"
    module.write_text(_live.browser_module(), encoding="utf-8")
    out = subprocess.run([node, "--check", str(module)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


@pytest.mark.slow
def test_wheel_installed_sporelab_reads_its_own_copy(wheel, tmp_path):
    python = wheel_build.install_in_fresh_venv(wheel, tmp_path)
    code = ("import sporelab, sporelab.widgets._live as live; print(sporelab.__file__); "
            "print(live.asset('figure.js')); print(live.LiveFigure()._esm == live.asset('figure.js').read_text())")
    out = subprocess.run([str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    module, esm, same = out.stdout.split()
    venv = tmp_path / "venv"
    assert Path(module).is_relative_to(venv), f"sporelab imported from {module}, not from the wheel in {venv}"
    assert Path(esm) == Path(module).parent / "widgets" / "static" / "figure.js"
    assert same == "True"


def test_checkout_has_no_copied_sources():
    """static/ is build output: a stale copy in the checkout would shadow widgets/src/."""
    assert not (REPO / "sporelab" / "widgets" / "static").exists()
    ignored = subprocess.run(["git", "check-ignore", "-q", "sporelab/widgets/static/figure.js"], cwd=REPO)
    assert ignored.returncode == 0, "sporelab/widgets/static/ must be git-ignored"


@pytest.mark.slow
def test_wheel_carries_the_translations_unchanged(wheel):
    """sporelab/i18n.py compiles the committed .po at import: the wheel must ship it (pyproject's package-data)."""
    sources = sorted((REPO / "sporelab" / "locale").rglob("*.po"))
    assert sources, "no .po under sporelab/locale"
    with zipfile.ZipFile(wheel) as archive:
        for path in sources:
            name = path.relative_to(REPO).as_posix()
            assert archive.read(name) == path.read_bytes(), f"{name} missing or different in the wheel"
