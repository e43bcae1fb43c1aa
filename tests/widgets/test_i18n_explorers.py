"""Every explorer in Chinese: every control driven, no English word left in what a student reads.

What a student reads: the controls' descriptions and tooltips, the dropdowns' option labels, the
HTML panes (the code inside <pre>/<code> excepted), the error box's framing (the engine's own
message after it stays in the engine's words, as MindSpore's do), and in the figure its alt text,
titles, axis labels, legend entries, colour-bar labels and text marks (resolve()'s notes included).

The rule for an English word, precisely: a token is a run of ASCII letters, digits, '_', '.' and
'-' holding a letter (ends stripped of '.' and '-'); it is English unless it is
  * an identifier by its shape: it holds a digit, '_' or '.' (fan_in, Conv2d, 0.weight, ms.float32),
    or a capital after its first letter (HeUniform, ReLU, NaN, SequentialCell);
  * code by its place: followed by '(' or '[' (a call or an index: weight[o, 0], Normal(sigma));
  * a single letter (the formulas' x, y, o, a, k, H, W, P, N);
  * a code value of this explorer: a dropdown option's value (a string the engine takes:
    'same', 'tanh', 'dense', 'write', 'all-ones' ...; an option whose label is its value is such a
    code value), a name sporelab exports from ``nn`` or ``common.initializer`` (Dense, Dirac), or
    a keyword argument of one of those (Conv2d's group, an initializer's mode: the controls that
    set one carry its name, as the code line does); a token followed by '=' is such a keyword;
  * in ``NOTATION``: the formulas' functions and argument names, Python's True/False, and the
    initializers named after people, which MindSpore's Chinese docs keep (He 初始化, Xavier).
"""

import html
import inspect
import re

import ipywidgets as widgets
import pytest

from sporelab import gluon, i18n, nn
from sporelab.common import initializer
from sporelab.widgets import (ConvExplorer, DataParallelExplorer, DepthExplorer, InitializerExplorer,
                              TrainingExplorer)

NOTATION = {"sqrt", "ceil", "floor", "stride", "dilation", "inf", "gain", "sigma", "dx", "True", "False", "He",
            "Xavier"}


def _api_names():
    """The classes sporelab.nn, common.initializer and gluon.init export, and their keyword arguments."""
    names = set()
    for module in (nn, initializer, gluon.init):
        for name in getattr(module, "__all__", dir(module)):
            value = getattr(module, name, None)
            if isinstance(value, type):
                names.add(name)
                try:
                    names.update(inspect.signature(value).parameters)
                except (TypeError, ValueError):
                    pass
    # Ordinary words the figures use in sentences stay checked (Normal(mean=0.0) passes by its '=').
    return names - {"args", "kwargs", "activation", "network", "optimizer", "mean", "value", "param", "params",
                    "parameters"}


EXPORTS = _api_names()
_TOKEN = re.compile(r"[A-Za-z0-9_.\-]*[A-Za-z][A-Za-z0-9_.\-]*")
_CODE = re.compile(r"<(pre|code)\b.*?</\1>", re.S)


def english_words(text, vocabulary):
    """The tokens of ``text`` that the rule above calls English."""
    words = []
    for match in _TOKEN.finditer(text):
        token = match.group().strip(".-")
        identifier = any(c.isdigit() or c in "_." for c in token) or any(c.isupper() for c in token[1:])
        called = text[match.end():match.end() + 1] in ("(", "[", "=")
        if not (identifier or called or len(token) == 1 or token in vocabulary | NOTATION | EXPORTS):
            words.append(token)
    return words


def test_the_rule_flags_words_and_lets_code_through():
    assert english_words("权重 weight value = 0.5。hand-made all", set()) == ["weight", "value", "hand-made", "all"]
    assert english_words("HeUniform fan_in 0.bias ms.float32 x sqrt NaN same all-ones weight[o] Dense.",
                         {"same", "all-ones"}) == []


def _widgets(root):
    yield root
    for child in getattr(root, "children", ()):
        yield from _widgets(child)


def _control_texts(explorer):
    """(where, text, vocabulary) of the controls; the vocabulary: the dropdowns' code values."""
    texts, values = [], set()
    for widget in _widgets(explorer):
        for attribute in ("description", "tooltip"):
            value = getattr(widget, attribute, None)
            if isinstance(value, str) and value:
                texts.append((f"{type(widget).__name__}.{attribute}", value))
        if isinstance(widget, widgets.Dropdown):
            for label, value in zip(widget._options_labels, widget._options_values):
                values.add(str(value))
                if label != str(value):
                    texts.append(("option", label))
        if isinstance(widget, widgets.HTML) and widget is not explorer.errors:
            texts.append(("html", html.unescape(re.sub(r"<[^>]+>", " ", _CODE.sub(" ", widget.value)))))
    frame = explorer.errors.value.split("<br>")[0]
    texts.append(("error box", html.unescape(re.sub(r"<[^>]+>", " ", frame))))
    return texts, values


def _figure_texts(description):
    texts = [("alt", description.get("alt", ""))]
    legends = [description.get("legend")]
    for text in description.get("texts") or ():
        texts.append(("figure text", text["text"]))
    for panel in description["panels"]:
        for key in ("title", "xlabel", "ylabel"):
            texts.append((f"{panel['id']} {key}", panel.get(key) or ""))
        for mark in panel["marks"]:
            texts.append((f"{panel['id']} mark", mark.get("text") or mark.get("label") or ""))
        texts.append((f"{panel['id']} colorbar", (panel.get("colorbar") or {}).get("label") or ""))
        legends.append(panel.get("legend"))
    for legend in filter(None, legends):
        texts += [("legend", item["label"]) for item in legend["items"]]
    return texts


def _check(explorer, found, step, keywords=frozenset()):
    texts, values = _control_texts(explorer)
    values |= keywords
    texts += _figure_texts(explorer.pane.description)
    for where, text in texts:
        for word in english_words(text, values):
            found.setdefault(word, f"{step}: {where}: {text[:120]!r}")


def _listing(found):
    return "English words left:\n" + "\n".join(f"  {word!r} at {where}" for word, where in sorted(found.items()))


def _drive(explorer, controls, buttons, found, keywords=frozenset()):
    """Every dropdown option, each checkbox both ways, each slider at its ends, each button once;
    the figure and controls are read after every change."""
    _check(explorer, found, "start", keywords)
    for name in controls:
        control = getattr(explorer, name)
        start = control.value
        if isinstance(control, widgets.Dropdown):
            choices = list(control._options_values)
        elif isinstance(control, widgets.Checkbox):
            choices = [not start]
        else:
            choices = [control.min, control.max] if not isinstance(control, widgets.FloatLogSlider) else [
                10 ** control.min, 10 ** control.max]
        for value in choices:
            control.value = value
            _check(explorer, found, f"{name}={value!r}", keywords)
        control.value = start
    for name in buttons:
        getattr(explorer, name).click()
        _check(explorer, found, f"{name} clicked", keywords)


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


def test_initializer_explorer_in_chinese():
    explorer, found = InitializerExplorer(lang="zh_cn", compare=True), {}
    keywords = {arg.name for name in explorer.model.names() for arg in explorer.model.arguments(name)}
    for side in (explorer.side_a, explorer.side_b):
        for name in list(side.name.options):
            side.name.value = name
            _check(explorer, found, f"initializer={name}", keywords)
            for key, control in side.args[name].items():
                if isinstance(control, widgets.Checkbox):
                    control.value = True
                elif isinstance(control, widgets.Dropdown):
                    for value in control.options:
                        control.value = value
                _check(explorer, found, f"{name}.{key}", keywords)
    explorer.side_a.name.value = "HeUniform"
    _drive(explorer, ["compare", "kernel_size", "out_channels", "in_channels", "seed"], ["new_seed"], found, keywords)
    assert not found, _listing(found)


def test_conv_explorer_in_chinese():
    import numpy as np
    explorer, found = ConvExplorer(image=np.random.default_rng(0).random((20, 20, 5)), lang="zh_cn"), {}
    _drive(explorer, ["source", "channels", "weight_init", "pad_mode", "has_bias", "bias", "out_channels",
                      "kernel_size", "stride", "dilation", "padding", "group", "seed"],
           ["tutorial_button", "reset_button"], found)
    explorer.source.value, explorer.channels.value = "ones", 1     # a constant input: resolve()'s notes
    _check(explorer, found, "constant input")
    assert not found, _listing(found)


def test_depth_explorer_in_chinese():
    explorer, found = DepthExplorer(depth=4, width=32, lang="zh_cn"), {}
    _drive(explorer, ["layer", "activation", "init", "sigma", "depth", "width", "channels", "seed"], [], found)
    for button in explorer.presets.values():
        button.click()
        _check(explorer, found, f"preset {button.description}")
    explorer.sigma.value = 10.0                     # overflow: the red notes
    _check(explorer, found, "sigma=10")
    assert not found, _listing(found)


def test_training_explorer_in_chinese():
    explorer, found = TrainingExplorer(lang="zh_cn"), {}
    _drive(explorer, ["network", "init", "optimizer", "grad_req", "requires_grad", "parameter", "lr_mult",
                      "learning_rate", "seed", "steps"],
           ["step_button", "zero_button", "apply_button", "reset_button"], found)
    explorer.grad_req.value = "add"
    explorer.step_button.click()
    explorer.value.value = 1e30
    explorer.apply_button.click()
    _check(explorer, found, "add + huge edit")
    explorer.index.value = "99, 99"                 # a bad index: the error box's frame
    _check(explorer, found, "bad index")
    assert not found, _listing(found)


def test_data_parallel_explorer_in_chinese():
    explorer, found = DataParallelExplorer(lang="zh_cn"), {}
    _drive(explorer, ["workers", "mean"], ["new_batch"], found)
    assert not found, _listing(found)


def test_the_module_wide_language_reaches_an_explorer_and_lang_overrides_it():
    i18n.set_language("zh_cn")
    chinese, english = DataParallelExplorer(), DataParallelExplorer(lang="en")
    assert chinese.lang == "zh_cn" and chinese.new_batch.description == "新批次"
    assert english.lang == "en" and english.new_batch.description == "New batch"
    english.workers.value = 3                       # a callback speaks the explorer's own language
    assert english.pane.description["panels"][0]["title"].startswith("batch 24 on 3 worker(s)")
    assert i18n.get_language() == "zh_cn"


@pytest.mark.parametrize("lang, error", [("fr", ValueError), (3, TypeError)])
def test_an_explorer_refuses_a_bad_lang(lang, error):
    with pytest.raises(error, match="'lang'"):
        DataParallelExplorer(lang=lang)
