"""Regenerate the Chinese font sporelab ships: an OFL subset of Noto Sans CJK SC.

The figures' Chinese text (the ``.po`` catalogue) and the Chinese notebooks are drawn with
``sporelab/widgets/fonts/SporelabSansSC-Regular.otf``: the Simplified Chinese face of Noto Sans CJK
(SIL Open Font License 1.1, its text beside the font as ``OFL.txt``), cut with fontTools to the
characters those sources use plus ``PUNCTUATION``. The subset is a committed source asset, not a
build output: run this after a translation or a Chinese notebook adds a character (the test
``tests/test_fonts.py`` says when), and commit the file.

    python -m tools.font_subset                       # from Debian's fonts-noto-cjk
    python -m tools.font_subset --source NotoSansCJKsc-Regular.otf

fontTools is in the ``font`` extra (``pip install -e '.[font]'``). The subset is renamed
(``FAMILY``) as the OFL asks of a modified font, so it never masks a system's full Noto.
"""

import argparse
import json
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[1]
FONT_DIR = REPO / "sporelab" / "widgets" / "fonts"
FONT_FILE = FONT_DIR / "SporelabSansSC-Regular.otf"
FAMILY = "Sporelab Sans SC"
DEFAULT_SOURCE = pathlib.Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC_NAME = "Noto Sans CJK SC"
# Chinese and full-width punctuation a translator may add without a new subset.
PUNCTUATION = "，。、；：？！“”‘’（）《》〈〉【】「」『』〔〕…—～·￥％＋－＝／＜＞"
_TEXT_OUTPUTS = ("text/plain", "text/markdown", "text/html", "text/latex")


def notebook_text(path):
    """The text a reader sees in a notebook: its cells' sources and text outputs (not images)."""
    parts = []
    for cell in json.loads(pathlib.Path(path).read_text(encoding="utf-8"))["cells"]:
        parts.append("".join(cell.get("source", "")))
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            parts.extend("".join(output.get("data", {}).get(kind, "")) for kind in _TEXT_OUTPUTS)
    return "".join(parts)


def catalogue_text(path):
    """Every translated string of a ``.po`` file (its ``msgstr`` entries), joined."""
    from sporelab.i18n import read_po
    return "".join(read_po(path).values())


def sources(repo=REPO):
    """The files whose characters the subset must hold: the Chinese catalogue and notebooks."""
    return ([repo / "sporelab" / "locale" / "zh_CN" / "LC_MESSAGES" / "sporelab.po"]
            + sorted((repo / "notebooks" / "zh_cn").rglob("*.ipynb")))


def characters(repo=REPO):
    """The set of characters the subset must cover (every character of ``sources``, ``PUNCTUATION``)."""
    text = PUNCTUATION
    for path in sources(repo):
        text += catalogue_text(path) if path.suffix == ".po" else notebook_text(path)
    return {ch for ch in text if ch.isprintable() and not ch.isspace()}


def _sc_face(source):
    """The Simplified Chinese face of ``source`` (a .ttc collection or a single .otf)."""
    from fontTools.ttLib import TTCollection, TTFont
    if source.suffix.lower() not in (".ttc", ".otc"):
        return TTFont(source)
    for face in TTCollection(source).fonts:
        if face["name"].getDebugName(1) == SC_NAME:
            return face
    raise ValueError(f"--source {source}: no face named {SC_NAME!r} in the collection")


def subset(source, chars, out=FONT_FILE):
    """Write the subset of ``source``'s SC face holding ``chars`` to ``out``; return the characters
    the source font lacks (the figures draw those with DejaVu)."""
    from fontTools import subset as fts
    font = _sc_face(pathlib.Path(source))
    cmap = font.getBestCmap()
    lacking = sorted(ch for ch in chars if ord(ch) not in cmap)
    options = fts.Options()
    options.hinting = False            # the browsers and FreeType autohint CJK well; 344 -> 258 KB
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = fts.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(ch) for ch in chars if ord(ch) in cmap))
    subsetter.subset(font)
    _rename(font)
    font.save(out)
    return lacking


def _rename(font):
    """Give the subset its own family name (OFL: a modified version), keeping the copyright."""
    postscript = FAMILY.replace(" ", "") + "-Regular"
    names = {1: FAMILY, 2: "Regular", 3: f"{postscript};sporelab subset of Noto Sans CJK SC",
             4: f"{FAMILY} Regular", 6: postscript, 16: FAMILY, 17: "Regular"}
    table = font["name"]
    for record in list(table.names):
        if record.nameID in names or record.nameID in (21, 22):
            table.removeNames(nameID=record.nameID)
    for name_id, value in names.items():
        table.setName(value, name_id, 3, 1, 0x409)
        table.setName(value, name_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{FAMILY} Regular", FAMILY


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.font_subset", description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=pathlib.Path, default=DEFAULT_SOURCE,
                        help=f"Noto Sans CJK: the .ttc collection or the SC .otf (default {DEFAULT_SOURCE})")
    parser.add_argument("--out", type=pathlib.Path, default=FONT_FILE)
    args = parser.parse_args(argv)
    if not args.source.is_file():
        parser.error(f"--source {args.source}: no such file (install fonts-noto-cjk, or download "
                     "NotoSansCJKsc-Regular.otf from github.com/notofonts/noto-cjk and pass its path)")
    chars = characters()
    lacking = subset(args.source, chars, args.out)
    print(f"{args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}: "
          f"{len(chars) - len(lacking)} characters, {args.out.stat().st_size} bytes"
          + (f"; not in the source font (DejaVu draws them): {''.join(lacking)}" if lacking else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
