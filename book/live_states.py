"""The book's live explorers: each lab explorer's figures for a grid of control states, computed at
``make book`` time by the explorer itself, for the page to draw with sporelab's own renderer.

A lab page has no kernel, so its explorer cannot compute. What it can do is look a figure up: for
the controls a lab's text asks the reader to move (``LIVE_CONTROLS``), every combination of a few
values is set on a real explorer (``sporelab.widgets``), and what its ``LiveFigure`` would send to
JupyterLab (the wire figure, its caption with the statistics and code line, the alt text) is
stored. So a state in the book is sporelab's output, number for number, drawn by the same
``widgets/src/`` renderer (bundled by ``sporelab/widgets/_bundle.py``).

Every other control of the explorer is shown disabled on the page, with the launch links.

>>> states = explorer_states("DataParallelExplorer", "en")
>>> [control["name"] for control in states["controls"]], len(states["states"])
(['workers', 'mean'], 8)
"""

import base64
import itertools
import json

from sporelab import widgets as explorers
from sporelab.widgets._figure import colormap_tables

# explorer class -> [(control path on the explorer, values offered in the book)]; the special path
# "steps" presses the explorer's step button that many times (the training lab's main action).
LIVE_CONTROLS = {
    "DepthExplorer": [("activation", ["tanh", "relu", "sigmoid", "linear"]), ("depth", [1, 5, 10, 20, 30])],
    "ConvExplorer": [("kernel_size", [1, 3, 5, 7, 9]), ("stride", [1, 2, 3, 4])],
    "DataParallelExplorer": [("workers", [1, 2, 4, 8]), ("mean", [True, False])],
    "InitializerExplorer": [("side_a.name", None), ("kernel_size", [1, 3])],
    "TrainingExplorer": [("optimizer", ["SGD", "Momentum", "Adam"]), ("steps", [0, 1, 2, 5, 10, 20, 50])],
}
# Explorers whose figure depends on the current settings only, not on the ones before.
REUSABLE = {"ConvExplorer", "DataParallelExplorer", "InitializerExplorer"}
# Controls the page shows but cannot serve (typed values, weight edits, free numbers off the grid).
KERNEL_ONLY = {
    "DepthExplorer": ["layer", "width", "init", "sigma", "seed"],
    "ConvExplorer": ["source", "channels", "weight_init", "seed", "out_channels", "dilation", "pad_mode",
                     "padding", "group", "has_bias"],
    "DataParallelExplorer": ["new_batch"],
    "InitializerExplorer": ["compare", "out_channels", "in_channels", "seed", "new_seed"],
    "TrainingExplorer": ["network", "init", "learning_rate", "seed", "lr_mult", "grad_req", "index", "value"],
}


def _control(explorer, path):
    target = explorer
    for part in path.split("."):
        target = getattr(target, part)
    return target


def _labels(control, values):
    """The labels the explorer's own widget shows for ``values`` (localized options), else str()."""
    pairs = dict(zip(getattr(control, "_options_values", ()), getattr(control, "_options_labels", ())))
    return [pairs.get(value, str(value)) for value in values]


def _packed(value):
    """bytes -> {"b64": ...} (JSON), walking dicts and lists."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {key: _packed(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_packed(item) for item in value]
    return value


def _apply(explorer, path, value):
    if path == "steps":
        for _ in range(value):
            explorer.step_button.click()
    else:
        _control(explorer, path).value = value


def _snapshot(explorer):
    pane = explorer.pane
    return {"figure": _packed(pane.figure), "caption": pane.caption,
            "alt": str(pane.description.get("alt", ""))}


def explorer_states(name, lang):
    """``{"controls", "disabled", "states", "initial", "colormaps"}`` for explorer class ``name``.

    A state's key is the control values' indices joined by ``-`` ("2-0"); each state is what an
    explorer built as the lab builds it (``Explorer()``) shows once its controls are set to those
    values (``fresh_state``; computed faster by ``_walk``). ``initial`` is the lab's starting state.

    Raises:
        ValueError: ``name`` is not an explorer the book serves live.
    """
    if name not in LIVE_CONTROLS:
        raise ValueError(f"explorer_states(): name must be one of {sorted(LIVE_CONTROLS)}, got {name!r}")
    cls = getattr(explorers, name)
    probe = cls(lang=lang)
    grid = _grid(name, probe)
    controls = []
    for path, values in grid:
        widget = probe.step_button if path == "steps" else _control(probe, path)
        label = _STEPS[lang] if path == "steps" else widget.description
        controls.append({"name": path, "label": label, "values": [_json_value(v) for v in values],
                         "labels": [str(v) for v in values] if path == "steps" else _labels(widget, values)})
    states = {}
    for key, explorer in _walk(cls, lang, grid, reuse=name in REUSABLE):
        states[key] = _snapshot(explorer)
    initial = "-".join(str(_start_index(probe, path, values)) for path, values in grid)
    disabled = [{"name": path, "label": getattr(_control(probe, path), "description", path) or path}
                for path in KERNEL_ONLY[name]]
    return {"controls": controls, "disabled": disabled, "states": states, "initial": initial,
            "colormaps": _packed(colormap_tables())}


def _walk(cls, lang, grid, reuse):
    """``(key, explorer)`` for every state of ``grid``, the explorer showing that state.

    Building an explorer costs far more than one update (its widgets), so an explorer whose figure
    depends on its settings only (``REUSABLE``; tests/test_book_live.py checks this against fresh
    ones) is built once; a grid ending in ``steps`` gets one explorer per setting of the others,
    pressed on from the previous number of steps; any other explorer is built afresh per state.
    """
    explorer, prefix, done = None, None, 0
    stepping = grid[-1][0] == "steps"
    for indices in itertools.product(*(range(len(values)) for _path, values in grid)):
        head = indices[:-1] if stepping else indices
        if explorer is None or (not reuse and head != prefix):
            explorer, prefix, done = cls(lang=lang), head, 0
        for (path, values), index in zip(grid, indices):
            if path == "steps":
                _apply(explorer, path, values[index] - done)
                done = values[index]
            else:
                _apply(explorer, path, values[index])
        yield "-".join(map(str, indices)), explorer


def fresh_state(name, lang, key):
    """State ``key`` of explorer ``name`` computed directly: a new explorer, its controls set to
    the key's values, its step button pressed; what a test compares the book's states with."""
    explorer = getattr(explorers, name)(lang=lang)
    for (path, values), index in zip(_grid(name, explorer), map(int, key.split("-"))):
        _apply(explorer, path, values[index])
    return _snapshot(explorer)


def _grid(name, probe):
    return [(path, list(values if values is not None else _control(probe, path)._options_values))
            for path, values in LIVE_CONTROLS[name]]


def _json_value(value):
    return value if isinstance(value, (bool, int, float, str)) else str(value)


def _start_index(explorer, path, values):
    current = 0 if path == "steps" else _control(explorer, path).value
    return values.index(current) if current in values else 0


def states_script(name, lang):
    """The states of ``name`` as a classic script (works from file://, where fetch() does not):
    one JSON string, parsed by the page inside a try, so a corrupt file leaves the still and a note."""
    text = json.dumps(explorer_states(name, lang), separators=(",", ":"), ensure_ascii=False)
    return (f"(window.sporelabLiveStates = window.sporelabLiveStates || {{}})[{json.dumps(name)}] = "
            f"{json.dumps(text, ensure_ascii=False)};\n")


def control_labels(name, lang):
    """``{"controls": [{name, label, labels}], "disabled": [{name, label}]}`` of explorer ``name``:
    what the page's controls show, from one explorer (cheap next to ``explorer_states``)."""
    probe = getattr(explorers, name)(lang=lang)
    controls = []
    for path, values in LIVE_CONTROLS[name]:
        if path == "steps":
            controls.append({"name": path, "label": _STEPS[lang], "labels": [str(v) for v in values]})
            continue
        widget = _control(probe, path)
        values = list(values if values is not None else widget._options_values)
        controls.append({"name": path, "label": widget.description, "labels": _labels(widget, values)})
    disabled = [{"name": path, "label": getattr(_control(probe, path), "description", "") or path}
                for path in KERNEL_ONLY[name]]
    return {"controls": controls, "disabled": disabled}


_STEPS = {"en": "steps taken", "zh_cn": "已走步数"}


def page_script():
    """sporelab's renderer (widgets/src/, bundled by ``_bundle.py``: the one JupyterLab loads) and the
    book's page driver (book/live_driver.js), as one classic script: no module, so file:// works."""
    from pathlib import Path
    from sporelab.widgets._live import browser_module
    renderer = browser_module().replace("\nexport default { render };", "")
    driver = (Path(__file__).with_name("live_driver.js")).read_text(encoding="utf-8")
    return f"(function () {{\n\"use strict\";\n{renderer}\n{driver}\n}})();\n"
