"""The language sporelab speaks to a student: English (default) or Chinese (``'zh_cn'``).

Every user-visible string of the explorers and the exercise checks goes through ``gettext``
(marked ``_("...")`` in the source, placeholders ``{name}`` filled with ``str.format`` after the
translation). The catalogue of a language is the committed ``.po`` file
``sporelab/locale/<LANG>/LC_MESSAGES/sporelab.po``; it is compiled to ``.mo`` bytes in memory by
a small pure-Python msgfmt the first time the language is used (nothing to build, nothing fetched)
and handed to Python's ``gettext.GNUTranslations``.

>>> set_language('zh_cn')
>>> _("Correct: {}").format("12")
'正确：12'
>>> with language('en'):
...     _("Correct: {}").format("12")
'Correct: 12'
>>> set_language('en')
>>> get_language()
'en'
"""

import ast
import contextlib
import functools
import gettext
import io
import pathlib
import struct

__all__ = ["LANGUAGES", "set_language", "get_language", "language", "check_language", "gettext_", "_",
           "N_", "catalogue_path", "read_po", "compile_mo"]

LANGUAGES = ("en", "zh_cn")
_LOCALE = pathlib.Path(__file__).parent / "locale"
_FOLDERS = {"zh_cn": "zh_CN"}
_active = "en"


def check_language(lang, name="lang"):
    """``lang`` as one of ``LANGUAGES`` ('zh_CN', 'zh-cn' accepted), or a TypeError/ValueError."""
    if not isinstance(lang, str):
        raise TypeError(f"The argument '{name}' must be a str, one of {LANGUAGES}, but got {type(lang).__name__}.")
    key = lang.strip().lower().replace("-", "_")
    if key not in LANGUAGES:
        raise ValueError(f"The argument '{name}' must be one of {LANGUAGES}, but got {lang!r}.")
    return key


def set_language(lang):
    """Make ``lang`` ('en' or 'zh_cn') the language of every explorer and exercise check built or
    run from now on (an explorer keeps the language it was built with; its ``lang=`` wins).

    >>> set_language('zh_cn'); get_language()
    'zh_cn'
    >>> set_language('en')
    """
    global _active
    _active = check_language(lang)


def get_language():
    """The module-wide language ('en' unless ``set_language`` said otherwise)."""
    return _active


@contextlib.contextmanager
def language(lang):
    """Speak ``lang`` inside the ``with`` block (None: keep the current language)."""
    global _active
    previous = _active
    if lang is not None:
        _active = check_language(lang)
    try:
        yield _active
    finally:
        _active = previous


def catalogue_path(lang):
    """The ``.po`` source of ``lang``'s catalogue."""
    return _LOCALE / _FOLDERS[check_language(lang)] / "LC_MESSAGES" / "sporelab.po"


def _unquote(chunk, path, number):
    chunk = chunk.strip()
    if len(chunk) < 2 or chunk[0] != '"' or chunk[-1] != '"':
        raise ValueError(f"{path}:{number}: expected a quoted string, got {chunk!r}")
    return ast.literal_eval(chunk)


def read_po(path):
    """The ``{msgid: msgstr}`` of a ``.po`` file (header under ''; comments and fuzzy flags ignored).

    Raises:
        ValueError: a line that is neither a comment, a keyword nor a quoted continuation.
    """
    entries, key, fields = {}, None, {}

    def flush():
        if "msgid" in fields:
            entries[fields["msgid"]] = fields.get("msgstr", "")
        fields.clear()

    for number, line in enumerate(pathlib.Path(path).read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            if key is None:
                raise ValueError(f"{path}:{number}: a string continues no keyword")
            fields[key] += _unquote(line, path, number)
            continue
        word, _space, rest = line.partition(" ")
        if word not in ("msgid", "msgstr"):
            raise ValueError(f"{path}:{number}: unknown keyword {word!r} (only msgid and msgstr are used)")
        if word == "msgid":
            flush()
        key, fields[word] = word, _unquote(rest, path, number)
    flush()
    return entries


def compile_mo(entries):
    """``.mo`` bytes (GNU format, little-endian) of ``{msgid: msgstr}``; untranslated entries left out."""
    pairs = sorted((k.encode("utf-8"), v.encode("utf-8")) for k, v in entries.items() if v)
    ids, strs, offsets = b"", b"", []
    for msgid, msgstr in pairs:
        offsets.append((len(ids), len(msgid), len(strs), len(msgstr)))
        ids += msgid + b"\0"
        strs += msgstr + b"\0"
    start = 7 * 4 + 16 * len(pairs)
    table = [(length, start + offset) for offset, length, _, _ in offsets]
    table += [(length, start + len(ids) + offset) for _, _, offset, length in offsets]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, len(pairs), 7 * 4, 7 * 4 + 8 * len(pairs), 0, 0)
    return header + b"".join(struct.pack("ii", *entry) for entry in table) + ids + strs


@functools.lru_cache(maxsize=None)
def _translations(lang):
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.GNUTranslations(io.BytesIO(compile_mo(read_po(catalogue_path(lang)))))


def gettext_(message, lang=None):
    """``message`` in ``lang`` (default: the current language); English when it has no translation."""
    return _translations(_active if lang is None else check_language(lang)).gettext(message)


_ = gettext_


def N_(message):
    """Mark ``message`` for the catalogue without translating it yet (module-level constants)."""
    return message
