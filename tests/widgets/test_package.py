"""The widgets package: explorers and models are importable by name; models stay widget-free."""

import subprocess
import sys

import pytest

NAMES = ["InitializerExplorer", "InitializerModel", "ConvExplorer", "ConvModel",
         "TrainingExplorer", "TrainingModel", "DepthExplorer", "DepthModel"]


@pytest.mark.parametrize("name", NAMES)
def test_every_name_is_exported(name):
    import sporelab.widgets as widgets
    assert name in widgets.__all__ and getattr(widgets, name).__name__ == name


def test_models_import_no_widget_or_plotting_library():
    code = ("import sys; from sporelab.widgets import InitializerModel, ConvModel, TrainingModel, DepthModel; "
            "print([m for m in ('ipywidgets', 'matplotlib') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_unknown_name_is_an_attribute_error():
    import sporelab.widgets as widgets
    with pytest.raises(AttributeError, match="NoSuchExplorer"):
        widgets.NoSuchExplorer
