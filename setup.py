"""Build hook: the browser sources in the top-level ``widgets/`` folder ship inside the package.

``widgets/*.js`` and ``widgets/*.css`` (the live figure's anywidget module, issue 11) are copied
into ``sporelab/widgets/static/`` of the build, so every wheel built from the repository (or from
its sdist, which carries ``widgets/`` through MANIFEST.in) holds them. The copy goes into the build
directory only, never into the source tree: an editable install (``pip install -e``) has no copy
and ``sporelab/widgets/_live.py`` reads the top-level file, so an edit there is seen at once.

Everything else about the package is in pyproject.toml.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SOURCES = Path(__file__).resolve().parent / "widgets"
STATIC = Path("sporelab", "widgets", "static")
PATTERNS = ("*.js", "*.css")


def browser_sources():
    """The files of ``widgets/`` that the package carries, sorted."""
    return sorted(path for pattern in PATTERNS for path in SOURCES.glob(pattern))


class build_py_with_browser_sources(build_py):
    """setuptools' build_py, then ``widgets/*.js|css`` -> ``<build_lib>/sporelab/widgets/static/``."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return                      # editable: _live.py reads widgets/ in the checkout itself
        sources = browser_sources()
        if not sources:
            raise RuntimeError(f"no browser sources ({', '.join(PATTERNS)}) in {SOURCES}: a sporelab "
                               "wheel without widgets/figure.js could not draw its explorers")
        target = Path(self.build_lib) / STATIC
        target.mkdir(parents=True, exist_ok=True)
        for source in sources:
            shutil.copyfile(source, target / source.name)

    def get_outputs(self, include_bytecode=True):
        outputs = super().get_outputs(include_bytecode)
        if getattr(self, "editable_mode", False):
            return outputs
        return outputs + [str(Path(self.build_lib) / STATIC / s.name) for s in browser_sources()]


setup(cmdclass={"build_py": build_py_with_browser_sources})
