"""A wheel built from the repository carries the browser sources of widgets/ (issue 11)."""

import subprocess
import zipfile
from pathlib import Path

import pytest

from tests.widgets import wheel_build

REPO = wheel_build.REPO
STATIC = "sporelab/widgets/static/"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    return wheel_build.build_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.mark.slow
def test_wheel_carries_every_browser_source_unchanged(wheel):
    sources = sorted(p for p in (REPO / "widgets").iterdir() if p.suffix in (".js", ".css"))
    assert "figure.js" in [p.name for p in sources]
    with zipfile.ZipFile(wheel) as archive:
        shipped = sorted(n for n in archive.namelist() if n.startswith(STATIC))
        assert shipped == [STATIC + p.name for p in sources]
        for path in sources:
            assert archive.read(STATIC + path.name) == path.read_bytes(), f"{path.name} differs in the wheel"


@pytest.mark.slow
def test_wheel_installed_sporelab_reads_its_own_copy(wheel, tmp_path):
    python = wheel_build.install_in_fresh_venv(wheel, tmp_path)
    code = ("import sporelab, sporelab.widgets._live as live; print(sporelab.__file__); "
            "print(live.asset('figure.js')); print(str(live.LiveFigure._esm) == live.asset('figure.js').read_text())")
    out = subprocess.run([str(python), "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    module, esm, same = out.stdout.split()
    venv = tmp_path / "venv"
    assert Path(module).is_relative_to(venv), f"sporelab imported from {module}, not from the wheel in {venv}"
    assert Path(esm) == Path(module).parent / "widgets" / "static" / "figure.js"
    assert same == "True"


def test_checkout_has_no_copied_sources():
    """static/ is build output: a stale copy in the checkout would shadow widgets/figure.js."""
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
