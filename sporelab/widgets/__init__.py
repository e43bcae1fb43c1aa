"""Interactive explorers for JupyterLab: each a pure model (state and computation, usable from
plain Python) plus a thin ipywidgets view.

>>> from sporelab.widgets import InitializerExplorer      # doctest: +SKIP
>>> InitializerExplorer()                                 # doctest: +SKIP

Importing ``sporelab`` never imports this package (nor ipywidgets or matplotlib); each explorer
is imported on first use.

The explorers speak English unless told otherwise: ``set_language('zh_cn')`` switches every
explorer built afterwards (and the exercise checks) to Chinese; an explorer's ``lang=`` argument
overrides it for that explorer.

>>> from sporelab.widgets import set_language
>>> set_language('zh_cn')                                 # doctest: +SKIP
"""

import importlib

from ..i18n import get_language, set_language

# The models live in modules of their own, so importing one pulls in neither ipywidgets nor matplotlib.
_EXPLORERS = {
    "InitializerExplorer": "initializers", "InitializerModel": "initializers_model",
    "ConvExplorer": "convolution", "ConvModel": "convolution_model",
    "TrainingExplorer": "training", "TrainingModel": "training_model",
    "DepthExplorer": "depth", "DepthModel": "depth_model",
    "DataParallelExplorer": "data_parallel", "DataParallelModel": "data_parallel_model",
}

__all__ = sorted(_EXPLORERS) + ["get_language", "set_language"]


def __getattr__(name):
    if name in _EXPLORERS:
        module = importlib.import_module(f".{_EXPLORERS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'sporelab.widgets' has no attribute {name!r}")
