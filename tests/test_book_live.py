"""book/live_states.py: the book's precomputed explorer states are the explorers' own output.

A state walked on a reused explorer (``REUSABLE``, or steps pressed on from the previous count)
must equal the same settings on a fresh explorer: compared here, number for number, for the
first, a middle and the last state of every explorer, in English and Chinese.
"""

import json

import pytest

from book import live_states
from book.live_states import LIVE_CONTROLS, explorer_states, states_script


WITHOUT_CAPTION = {"TrainingExplorer", "DataParallelExplorer"}


@pytest.mark.parametrize("lang", ["en", "zh_cn"])
@pytest.mark.parametrize("name", sorted(LIVE_CONTROLS))
def test_states_equal_a_fresh_explorer_set_the_same_way(name, lang):
    states = explorer_states(name, lang)
    keys = list(states["states"])
    sizes = [len(c["labels"]) for c in states["controls"]]
    assert len(keys) == __import__("math").prod(sizes)
    for key in {keys[0], keys[len(keys) // 2], keys[-1]}:
        assert states["states"][key] == live_states.fresh_state(name, lang, key), (name, lang, key)
        assert states["states"][key]["alt"]
        # Training and data parallel draw their statistics and code into the figure itself.
        assert bool(states["states"][key]["caption"]) == (name not in WITHOUT_CAPTION)
    assert states["initial"] in states["states"]


def test_the_controls_carry_the_explorer_labels_in_each_language():
    en, zh = (live_states.control_labels("DepthExplorer", lang) for lang in ("en", "zh_cn"))
    assert [c["name"] for c in en["controls"]] == ["activation", "depth"]
    assert en["controls"][1]["labels"] == ["1", "5", "10", "20", "30"]
    assert en["controls"][1]["label"] == "depth (layers)" and zh["controls"][1]["label"] != "depth (layers)"
    assert [d["name"] for d in en["disabled"]] == ["layer", "width", "init", "sigma", "seed"]


def test_the_states_script_is_one_json_string_the_page_parses():
    text = states_script("DataParallelExplorer", "en")
    prefix = '(window.sporelabLiveStates = window.sporelabLiveStates || {})["DataParallelExplorer"] = '
    assert text.startswith(prefix) and text.endswith(";\n")
    data = json.loads(json.loads(text[len(prefix):-2]))
    assert data == json.loads(json.dumps(explorer_states("DataParallelExplorer", "en")))
    assert set(data["states"]) == {f"{w}-{m}" for w in range(4) for m in range(2)}


def test_an_unknown_explorer_is_refused_by_name():
    with pytest.raises(ValueError, match=r"explorer_states\(\): name must be one of .*got 'NoExplorer'"):
        explorer_states("NoExplorer", "en")


def test_the_page_script_is_the_renderer_bundle_without_its_module_export():
    from sporelab.widgets._live import browser_module
    script = live_states.page_script()
    renderer = browser_module()
    assert "export " not in script.replace("// sporelab's live figure: one ES module", "")
    assert renderer.replace("\nexport default { render };", "") in script
    assert "function startLive(box)" in script
