"""Build a sporelab wheel from the checkout and install it, not editable, into a fresh venv.

Used by tests/widgets/test_wheel.py (what the wheel carries) and by the wheel-installed run of
tests/widgets/test_figure_browser.py. The build works on a copy of the files a build reads
(pyproject.toml, setup.py, MANIFEST.in, README.md, sporelab/, widgets/), so it never writes
``build/`` or ``*.egg-info`` into the checkout. No network: ``--no-build-isolation`` uses this venv's
setuptools, and the fresh venv reaches its dependencies (NumPy, Jupyter, anywidget) through a
``.pth`` line naming this venv's site-packages, after its own (so its sporelab is the wheel's).

>>> sorted(BUILD_FILES)
['MANIFEST.in', 'README.md', 'pyproject.toml', 'setup.py', 'sporelab', 'widgets']
"""

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BUILD_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "sporelab", "widgets")
TIMEOUT = 300           # s for a build or an install


def build_wheel(dest):
    """Build the wheel from a copy of the checkout under ``dest``; return the wheel's path."""
    dest = Path(dest)
    source, out = dest / "source", dest / "wheel"
    source.mkdir(parents=True)
    for name in BUILD_FILES:
        path = REPO / name
        if path.is_dir():
            # static/ is git-ignored build output: a stale copy must never reach the wheel;
            # node_modules/ holds the renderer's dev tools (typescript), not part of a build
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__", "static", "*.egg-info", "node_modules"))
        else:
            shutil.copy2(path, source / name)
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "wheel", "--no-deps",
                    "--no-build-isolation", "--quiet", "-w", str(out), str(source)],
                   check=True, timeout=TIMEOUT, capture_output=True, text=True)
    wheels = sorted(out.glob("sporelab-*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one sporelab wheel in {out}, got {[w.name for w in wheels]}")
    return wheels[0]


def install_in_fresh_venv(wheel, dest):
    """A new venv under ``dest`` with ``wheel`` installed (not editable); return its python."""
    venv = Path(dest) / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=TIMEOUT)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, timeout=60, capture_output=True, text=True).stdout.strip()
    # A plain path line: this venv's site-packages is searched after the new venv's own, and the
    # .pth files in it (this checkout's editable install) are not run.
    Path(site, "sporelab_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--disable-pip-version-check", "--python", str(python),
                    "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
                   check=True, timeout=TIMEOUT, capture_output=True, text=True)
    return python
