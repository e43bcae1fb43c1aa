"""Every dropdown of every explorer offers only options that work: from the explorer's default
state, choosing any option draws a new figure and leaves the error box empty (an option that
always fails, like Identity for a convolution's 4-D weight, is not offered)."""

import pytest

pytest.importorskip("ipywidgets")
pytest.importorskip("matplotlib")

import ipywidgets as widgets

from sporelab.widgets import (ConvExplorer, DataParallelExplorer, DepthExplorer,
                              InitializerExplorer, TrainingExplorer)

EXPLORERS = [InitializerExplorer, ConvExplorer, DepthExplorer, TrainingExplorer, DataParallelExplorer,
             lambda: InitializerExplorer(compare=True)]      # side B's dropdown shows in compare mode


def _dropdowns(widget):
    """The visible dropdowns under ``widget``, in display order."""
    if isinstance(widget, widgets.Dropdown):
        return [widget] if widget.layout.display != "none" else []
    found = []
    for child in getattr(widget, "children", ()):
        if getattr(child, "layout", None) is None or child.layout.display != "none":
            found += _dropdowns(child)
    return found


def _options(dropdown):
    return [option[1] if isinstance(option, tuple) else option for option in dropdown.options]


def _choose_each(explorer, dropdown):
    """{option: problem} for the options of ``dropdown`` that fail from the current state."""
    problems, default = {}, dropdown.value
    for value in _options(dropdown):
        if value == default:
            continue
        renders = explorer.pane.renders
        dropdown.value = value
        if explorer.errors.value or explorer.pane.renders != renders + 1:
            problems[value] = explorer.errors.value or "no new figure"
        dropdown.value = default
    return problems


@pytest.mark.parametrize("cls", EXPLORERS, ids=lambda cls: getattr(cls, "__name__", "compare"))
def test_every_option_of_every_dropdown_gives_a_figure(cls):
    explorer = cls()
    checked = {}
    for dropdown in _dropdowns(explorer):
        checked[dropdown.description] = _choose_each(explorer, dropdown)
        assert not explorer.errors.value
    assert {name: problems for name, problems in checked.items() if problems} == {}
    if not isinstance(explorer, DataParallelExplorer):          # it has buttons and sliders only
        assert checked, "no dropdown found"


def test_conv_explorer_offers_dirac_not_identity():
    options = _options(ConvExplorer().weight_init)
    assert "dirac" in options and "identity" not in options


def test_depth_explorer_offers_the_identity_that_fits_the_layer():
    explorer = DepthExplorer(init="identity")
    assert "dirac" not in _options(explorer.init)
    explorer.layer.value = "Conv2d"
    assert explorer.init.value == explorer.model.settings["init"] == "dirac"
    assert "identity" not in _options(explorer.init) and not explorer.errors.value
    explorer.layer.value = "Dense"
    assert explorer.init.value == explorer.model.settings["init"] == "identity"


def test_depth_explorer_every_conv2d_option_gives_a_figure():
    explorer = DepthExplorer(layer="Conv2d", width=8)
    assert _choose_each(explorer, explorer.init) == {}


@pytest.mark.parametrize("name, kernel", [("Identity", 1), ("Sparse", 1), ("Dirac", 3), ("gluon.Bilinear", 3)])
def test_initializer_explorer_fits_the_kernel_to_a_shape_bound_initializer(name, kernel):
    explorer = InitializerExplorer(kernel_size=1 if kernel == 3 else 3)
    renders = explorer.pane.renders
    explorer.side_a.name.value = name
    assert explorer.kernel_size.value == kernel and explorer.model.kernel_size == kernel
    assert explorer.pane.renders == renders + 1 and not explorer.errors.value
    explorer.kernel_size.value = 3 if kernel == 1 else 1        # the rule still shows when broken
    assert explorer.errors.layout.display == "block" and explorer.pane.renders == renders + 1
    assert name.split(".")[-1] in explorer.errors.value      # the engine names the initializer
