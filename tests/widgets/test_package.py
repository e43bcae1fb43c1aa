"""The widgets package: explorers and models are importable by name; models stay widget-free."""

import subprocess
import sys

import pytest

NAMES = ["InitializerExplorer", "InitializerModel", "ConvExplorer", "ConvModel",
         "TrainingExplorer", "TrainingModel", "DepthExplorer", "DepthModel", "DataParallelExplorer",
         "DataParallelModel"]


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
