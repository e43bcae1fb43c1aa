"""Build hook: the live figure's renderer ships inside the package, built, with no node needed.

The renderer is written as ES modules in the top-level ``widgets/src/`` (a small JS package with its
own type check and node tests). anywidget loads one module, so build_py joins them with
``sporelab/widgets/_bundle.py`` (Python's standard library only: Binder's ``pip install .`` may have
no node) into ``<build_lib>/sporelab/widgets/static/figure.js``. Every wheel built from the
repository, or from its sdist (which carries ``widgets/`` through MANIFEST.in), holds it. Nothing is
written into the source tree: an editable install (``pip install -e``) has no copy, and
``sporelab/widgets/_live.py`` bundles the checkout's ``widgets/src/`` itself, the same way.

Everything else about the package is in pyproject.toml.
"""

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SOURCES = ROOT / "widgets" / "src"
BUILT = Path("sporelab", "widgets", "static", "figure.js")


def _bundler():
    """sporelab/widgets/_bundle.py, loaded by path: importing sporelab would need NumPy here."""
    spec = importlib.util.spec_from_file_location("_sporelab_bundle", ROOT / "sporelab" / "widgets" / "_bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class build_py_with_figure_module(build_py):
    """setuptools' build_py, then ``widgets/src/*.js`` bundled -> ``<build_lib>/sporelab/widgets/static/figure.js``."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return                      # editable: _live.py bundles widgets/src/ in the checkout itself
        bundler = _bundler()
        if not (SOURCES / bundler.ENTRY).is_file():
            raise RuntimeError(f"no {bundler.ENTRY} in {SOURCES}: a sporelab wheel without the figure "
                               "renderer could not draw its explorers")
        target = Path(self.build_lib) / BUILT
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(bundler.bundle(SOURCES), encoding="utf-8")

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [str(Path(self.build_lib) / BUILT)]


setup(cmdclass={"build_py": build_py_with_figure_module})
