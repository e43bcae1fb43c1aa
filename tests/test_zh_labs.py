"""The Chinese labs (notebooks/zh_cn/labs/) are the English labs (notebooks/labs/), cell for cell.

A Chinese lab has the same cells as its English twin in the same order: the same code (so the same
checks and the same explorers), the same cell metadata (tags), and its markdown in Chinese. The one
extra cell is the Chinese lab's first code cell, which switches sporelab's explorers and exercise
checks to Chinese with ``sporelab.widgets.set_language("zh_cn")``. When an English lab's code
changes, this test fails until the Chinese twin gets the same change (and ``make notebooks``).
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EN = ROOT / "notebooks" / "labs"
ZH = ROOT / "notebooks" / "zh_cn" / "labs"
TRANSLATED = ("initializers", "convolution", "training", "depth", "data_parallel")
LANGUAGE_CALL = re.compile(r"""^\s*sporelab\.widgets\.set_language\(\s*["']zh_cn["']\s*\)""", re.MULTILINE)
HAN = re.compile(r"[\u4e00-\u9fff]")


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def _twins(en_cells, zh_cells):
    """Pair the cells, the Chinese language cell left out; raises AssertionError on a mismatch."""
    code = [i for i, c in enumerate(zh_cells) if c["cell_type"] == "code"]
    assert code and LANGUAGE_CALL.search(_source(zh_cells[code[0]])), \
        "the first code cell must call sporelab.widgets.set_language('zh_cn')"
    rest = [c for i, c in enumerate(zh_cells) if i != code[0]]
    assert len(rest) == len(en_cells), f"{len(rest)} cells (language cell aside) against {len(en_cells)}"
    return list(zip(en_cells, rest))


def test_every_translated_lab_has_its_twin_and_no_other():
    assert sorted(p.stem for p in ZH.glob("*.ipynb")) == sorted(TRANSLATED)
    assert all((EN / f"{name}.ipynb").is_file() for name in TRANSLATED)


@pytest.mark.parametrize("name", TRANSLATED)
def test_the_chinese_lab_keeps_the_english_code_cell_for_cell(name):
    pairs = _twins(_cells(EN / f"{name}.ipynb"), _cells(ZH / f"{name}.ipynb"))
    for index, (en, zh) in enumerate(pairs):
        where = f"{name}: cell {index} of the English lab"
        assert zh["cell_type"] == en["cell_type"], where
        assert zh.get("metadata", {}) == en.get("metadata", {}), f"{where}: metadata (tags) differ"
        if en["cell_type"] == "code":
            assert _source(zh) == _source(en), f"{where}: the code differs from the English lab's"
        else:
            assert HAN.search(_source(zh)), f"{where}: the markdown is not in Chinese"
            assert _source(zh) != _source(en), f"{where}: the markdown is the English text"


@pytest.mark.parametrize("name", TRANSLATED)
def test_the_language_cell_is_the_only_extra_code(name):
    en = [_source(c) for c in _cells(EN / f"{name}.ipynb") if c["cell_type"] == "code"]
    zh = [_source(c) for c in _cells(ZH / f"{name}.ipynb") if c["cell_type"] == "code"]
    assert zh[1:] == en and LANGUAGE_CALL.search(zh[0])
    assert "import" in zh[0] and "explorer" not in zh[0].lower().split("#")[0]


def test_the_check_finds_a_changed_code_cell():
    en, zh = _cells(EN / "depth.ipynb"), _cells(ZH / "depth.ipynb")
    changed = json.loads(json.dumps(zh))
    victim = next(c for c in changed if c["cell_type"] == "code" and "seed=0" in _source(c))
    victim["source"] = _source(victim).replace("seed=0", "seed=1", 1)
    pairs = _twins(en, changed)
    assert sum(e["cell_type"] == "code" and _source(e) != _source(z) for e, z in pairs) == 1
    with pytest.raises(AssertionError, match="set_language"):
        _twins(en, [c for c in zh if not LANGUAGE_CALL.search(_source(c))])


@pytest.mark.parametrize("name", TRANSLATED)
def test_the_stored_outputs_hold_no_warning_and_answer_in_chinese(name):
    """A missing CJK font shows as matplotlib's "Glyph ... missing" on stderr; checks answer in Chinese."""
    outputs = [o for c in _cells(ZH / f"{name}.ipynb") if c["cell_type"] == "code" for o in c["outputs"]]
    stderr = ["".join(o["text"])[:200] for o in outputs if o.get("name") == "stderr"]
    assert not stderr, f"{name}: stored stderr output (run `make notebooks` with a CJK font): {stderr}"
    answers = ["".join(o["text"]) for o in outputs if o.get("name") == "stdout" and "None" in "".join(o["text"])]
    assert answers and all(a.startswith("还不对：") for a in answers), answers
