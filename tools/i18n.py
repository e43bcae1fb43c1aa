"""The catalogue of sporelab's user-visible strings: find them in the source, keep the .po in step.

Every string a student reads is marked in the source as ``_("...")`` (translated where it is used)
or ``N_("...")`` (a module-level constant, translated later). ``messages()`` finds them with
``ast`` (implicit concatenations of literals are one message); ``update`` rewrites each
language's ``.po`` with every message, keeping the translations it has and leaving new ones
empty for a translator (tests/test_i18n.py fails while one is empty).

    python -m tools.i18n check     # exit 1 and list what is missing or stale
    python -m tools.i18n update    # add new messages (empty), drop stale ones
"""

import ast
import pathlib
import sys

from sporelab.i18n import LANGUAGES, catalogue_path, read_po

REPO = pathlib.Path(__file__).resolve().parents[1]

_MARKERS = {"_", "_t", "N_", "gettext_"}
_HEADER = ('msgid ""\nmsgstr ""\n"Project-Id-Version: sporelab\\n"\n'
           '"Language: {folder}\\n"\n"MIME-Version: 1.0\\n"\n'
           '"Content-Type: text/plain; charset=UTF-8\\n"\n"Content-Transfer-Encoding: 8bit\\n"\n')


def messages(root=REPO / "sporelab"):
    """``{message: [file:line, ...]}`` of every ``_("...")`` / ``N_("...")`` literal under ``root``."""
    found, root = {}, pathlib.Path(root)
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _MARKERS
                    and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                where = f"{path.relative_to(root.parent)}:{node.lineno}"
                found.setdefault(node.args[0].value, []).append(where)
    return found


def _quote(text):
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t")
    lines = escaped.split("\n")
    if len(lines) == 1:
        return f'"{escaped}"'
    parts = [line + "\\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
    return '""\n' + "\n".join(f'"{part}"' for part in parts)


def write_po(path, lang, found, translations):
    """Write ``path``: the header, then every message of ``found`` (sorted by first use)."""
    blocks = [_HEADER.format(folder=path.parent.parent.name)]
    def first_use(item):
        file, _colon, line = item[1][0].rpartition(":")
        return file, int(line)

    for message, places in sorted(found.items(), key=first_use):
        blocks.append(f"#: {' '.join(places[:3])}\nmsgid {_quote(message)}\n"
                      f"msgstr {_quote(translations.get(message, ''))}\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(blocks), encoding="utf-8")


def problems(lang, found=None):
    """(untranslated, stale): messages of the source without a translation, entries no source uses."""
    found = messages() if found is None else found
    path = catalogue_path(lang)
    have = read_po(path) if path.is_file() else {}
    have.pop("", None)
    return sorted(m for m in found if not have.get(m)), sorted(m for m in have if m not in found)


def main(argv):
    if argv not in (["check"], ["update"]):
        print(__doc__)
        return 2
    found, status = messages(), 0
    for lang in LANGUAGES[1:]:
        path = catalogue_path(lang)
        if argv == ["update"]:
            write_po(path, lang, found, read_po(path) if path.is_file() else {})
        missing, stale = problems(lang, found)
        for message in missing:
            print(f"{lang}: no translation: {message!r} ({found[message][0]})")
        for message in stale:
            print(f"{lang}: stale: {message!r}")
        status |= bool(missing or stale)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
