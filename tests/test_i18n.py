"""sporelab.i18n: the catalogue is complete, the API refuses bad input, the exercise checks speak
the chosen language."""

import gettext
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sporelab import exercises, i18n
from tools import i18n as i18n_tool


@pytest.fixture(autouse=True)
def _english_after():
    yield
    i18n.set_language("en")


@pytest.mark.parametrize("lang", i18n.LANGUAGES[1:])
def test_every_marked_string_has_a_translation_and_none_is_stale(lang):
    missing, stale = i18n_tool.problems(lang)
    assert missing == [], f"{len(missing)} strings without a {lang} translation (python -m tools.i18n update)"
    assert stale == [], f"{len(stale)} {lang} entries no source uses any more (python -m tools.i18n update)"


@pytest.mark.parametrize("lang", i18n.LANGUAGES[1:])
def test_translations_keep_the_placeholders(lang):
    """A translation must fill the same ``{...}`` fields, or ``.format`` fails for the student."""
    import string
    for message, translation in i18n.read_po(i18n.catalogue_path(lang)).items():
        fields = sorted(f for _, f, _, _ in string.Formatter().parse(message) if f is not None)
        assert sorted(f for _, f, _, _ in string.Formatter().parse(translation) if f is not None) == fields, message


def test_the_catalogue_finds_marked_strings_and_concatenations(tmp_path):
    (tmp_path / "m.py").write_text('x = _("a " "b")\ny = N_("c")\nz = f("d")\n')
    assert sorted(i18n_tool.messages(tmp_path)) == ["a b", "c"]


def test_an_untranslated_entry_is_reported(tmp_path, monkeypatch):
    po = tmp_path / "zh_CN" / "LC_MESSAGES" / "sporelab.po"
    tool = i18n_tool
    tool.write_po(po, "zh_cn", {"one": ["x.py:1"], "two": ["x.py:2"]}, {"one": "一"})
    monkeypatch.setattr(tool, "catalogue_path", lambda lang: po)
    assert tool.problems("zh_cn", {"one": ["x.py:1"], "two": ["x.py:2"], "three": ["x.py:3"]}) == (["three", "two"], [])


def test_mo_bytes_read_by_gettext_round_trip():
    entries = {"": "Content-Type: text/plain; charset=UTF-8\n", "a\n\"b\"": "甲\n“乙”", "empty": ""}
    translations = gettext.GNUTranslations(io.BytesIO(i18n.compile_mo(entries)))
    assert translations.gettext('a\n"b"') == "甲\n“乙”"
    assert translations.gettext("empty") == "empty"                 # untranslated: English


def test_po_reader_refuses_junk(tmp_path):
    path = tmp_path / "bad.po"
    path.write_text('msgid "a"\nmsgctx "b"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="bad.po:2"):
        i18n.read_po(path)


@pytest.mark.parametrize("value, error", [(None, TypeError), (1, TypeError), ("fr", ValueError), ("zh", ValueError)])
def test_set_language_refuses_bad_input_and_changes_nothing(value, error):
    i18n.set_language("zh_cn")
    with pytest.raises(error, match="'lang'"):
        i18n.set_language(value)
    assert i18n.get_language() == "zh_cn"


@pytest.mark.parametrize("spelling", ["zh_cn", "zh_CN", "zh-CN", " ZH_CN "])
def test_set_language_accepts_the_usual_spellings(spelling):
    i18n.set_language(spelling)
    assert i18n.get_language() == "zh_cn"


def test_language_block_restores_the_previous_language_even_on_error():
    i18n.set_language("zh_cn")
    with pytest.raises(RuntimeError):
        with i18n.language("en"):
            assert i18n.get_language() == "en"
            raise RuntimeError
    assert i18n.get_language() == "zh_cn"


def test_widgets_exports_set_language():
    from sporelab import widgets
    assert widgets.set_language is i18n.set_language


def test_exercise_checks_answer_in_chinese(capsys):
    i18n.set_language("zh_cn")
    assert exercises.conv_parameter_count(1792) is True
    assert exercises.conv_parameter_count(1728) is False
    assert exercises.relu_initializer(None) is False
    assert capsys.readouterr().out.splitlines() == [
        "正确：64 x 3 x 3 x 3 个权重 + 64 个偏置 = 1792。",
        "还不对：权重的形状是 (out, in, k, k)；每个输出通道再加一个偏置。",
        "还不对：把 None 换成你的答案（'normal'、'xavier' 或 'he'），再运行这个单元格。"]


def test_exercise_lang_argument_wins_and_leaves_the_default(capsys):
    assert exercises.grad_req_add(2, lang="zh_cn") is True
    assert exercises.grad_req_add(2) is True
    assert capsys.readouterr().out.splitlines() == [
        "正确：'add' 会累加：两次反向传播得到两倍的梯度，直到调用 zero_grad()。",
        "Correct: 'add' accumulates: two passes give twice the gradient, until zero_grad()."]
    with pytest.raises(ValueError, match="'lang'"):
        exercises.grad_req_add(2, lang="de")


@given(st.one_of(st.text(max_size=12), st.integers(), st.none(), st.binary(max_size=4), st.lists(st.text(max_size=3))))
def test_set_language_takes_only_a_known_language_and_otherwise_changes_nothing(value):
    i18n.set_language("en")
    known = isinstance(value, str) and value.strip().lower().replace("-", "_") in i18n.LANGUAGES
    try:
        i18n.set_language(value)
    except (TypeError, ValueError) as error:
        assert not known and "'lang'" in str(error) and i18n.get_language() == "en"
        assert isinstance(error, TypeError) == (not isinstance(value, str))
    else:
        assert known and i18n.get_language() == value.strip().lower().replace("-", "_")
    i18n.set_language("en")


def test_gettext_honours_lang_whatever_the_current_language():
    message = "\u25b2 not drawn: {kinds}"
    with i18n.language("en"):
        assert i18n.gettext_(message, lang="zh_cn") == "\u25b2 未画出：{kinds}"
        assert i18n.gettext_(message, lang="zh-CN") == "\u25b2 未画出：{kinds}"
        assert i18n.gettext_(message) == message
    with i18n.language("zh_cn"):
        assert i18n.gettext_(message, lang="en") == message
        assert i18n.gettext_(message) == "\u25b2 未画出：{kinds}"
    with pytest.raises(ValueError, match="'lang' must be one of"):
        i18n.gettext_(message, lang="de")
