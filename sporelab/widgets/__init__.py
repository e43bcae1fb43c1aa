"""Interactive explorers for JupyterLab: each a pure model (state and computation, usable from
plain Python) plus a thin ipywidgets view.

>>> from sporelab.widgets import InitializerExplorer      # doctest: +SKIP
>>> InitializerExplorer()                                 # doctest: +SKIP

Importing ``sporelab`` never imports this package (nor ipywidgets or matplotlib); each explorer
is imported on first use.
"""

import importlib

_EXPLORERS = {
    "InitializerExplorer": "initializers", "InitializerModel": "initializers",
    "ConvExplorer": "convolution", "ConvModel": "convolution",
    "TrainingExplorer": "training", "TrainingModel": "training",
    "DepthExplorer": "depth", "DepthModel": "depth",
}

__all__ = sorted(_EXPLORERS)


def __getattr__(name):
    if name in _EXPLORERS:
        module = importlib.import_module(f".{_EXPLORERS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'sporelab.widgets' has no attribute {name!r}")
