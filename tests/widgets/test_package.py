"""The widgets package: explorers and models are importable by name; models stay widget-free."""

import subprocess
import sys
from pathlib import Path

import pytest

NAMES = ["InitializerExplorer", "InitializerModel", "ConvExplorer", "ConvModel",
         "TrainingExplorer", "TrainingModel", "DepthExplorer", "DepthModel", "DataParallelExplorer",
         "DataParallelModel"]


@pytest.mark.parametrize("name", NAMES)
def test_every_name_is_exported(name):
    import sporelab.widgets as widgets
    assert name in widgets.__all__ and getattr(widgets, name).__name__ == name


# Run in a fresh interpreter where these packages cannot be imported at all: a module that needs
# one fails here even when it is installed (and even when another import already loaded it).
BLOCKED = ("ipywidgets", "matplotlib", "anywidget")
_BLOCKER = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError(f"{{name}} is blocked: this module must be NumPy-only")
sys.meta_path.insert(0, Block())
import importlib
importlib.import_module({module!r})
print(sorted(m for m in sys.modules if m.split(".")[0] in {blocked!r}))
"""
WIDGETS = Path(__file__).resolve().parents[2] / "sporelab" / "widgets"
NUMPY_ONLY = sorted(path.stem for pattern in ("*_model.py", "*_figure.py") for path in WIDGETS.glob(pattern))


def test_every_explorer_has_its_numpy_only_modules_checked():
    from sporelab.widgets import _EXPLORERS
    models = sorted(module for module in _EXPLORERS.values() if module.endswith("_model"))
    expected = ["_figure"] + sorted(models + [module.replace("_model", "_figure") for module in models])
    assert NUMPY_ONLY == expected


@pytest.mark.parametrize("module", NUMPY_ONLY)
def test_models_and_figures_import_no_widget_or_plotting_library(module):
    code = _BLOCKER.format(blocked=BLOCKED, module=f"sporelab.widgets.{module}")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def test_unknown_name_is_an_attribute_error():
    import sporelab.widgets as widgets
    with pytest.raises(AttributeError, match="NoSuchExplorer"):
        widgets.NoSuchExplorer


def test_models_leave_the_notebooks_random_sequence_alone():
    import numpy as np
    import sporelab as ms
    from sporelab.random import generator
    from sporelab.widgets import ConvModel, DepthModel, InitializerModel, TrainingModel
    ms.set_seed(11)
    expected = np.random.Generator(np.random.PCG64(11)).standard_normal(3)
    InitializerModel(seed=5).sample()
    ConvModel(weight_init="he_uniform", seed=5).run()
    DepthModel(depth=2, width=16, seed=5).stats
    TrainingModel(seed=5).step(1)
    assert ms.get_seed() == 11
    np.testing.assert_array_equal(generator().standard_normal(3), expected)
