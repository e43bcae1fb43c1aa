"""sporelab/widgets/_bundle.py: the renderer's modules joined into one ES module, or a clear error."""

import pytest

from sporelab.widgets._bundle import bundle


def _sources(tmp_path, **modules):
    for name, text in modules.items():
        (tmp_path / f"{name}.js").write_text(text, encoding="utf-8")
    return tmp_path


def _body(text):
    """The bundle without its two header lines."""
    return text.split("\n", 2)[2]


def test_modules_come_after_what_they_import_with_imports_and_export_keywords_dropped(tmp_path):
    src = _sources(tmp_path,
                   index='import { b } from "./b.js";\nimport { a, A } from "./a.js";\nexport default { render: b };\n',
                   b='import { a } from "./a.js";\n\nexport function b() { return a(); }\n',
                   a='// a\nexport const A = 1;\nexport function a() { return A; }\nlet hidden = 0;\n',
                   unused="export const NEVER = 1;\n")
    text = bundle(src)
    assert text.startswith("// sporelab's live figure: one ES module bundled from widgets/src/ (a.js, b.js, index.js) by\n")
    assert _body(text) == ("\n// ---- a.js ----\n// a\nconst A = 1;\nfunction a() { return A; }\nlet hidden = 0;\n"
                           "\n// ---- b.js ----\nfunction b() { return a(); }\n"
                           "\n// ---- index.js ----\nexport default { render: b };\n")
    assert bundle(src) == text


@pytest.mark.parametrize("line, why", [
    ('import b from "./b.js";', "an import this bundler does not understand"),
    ('import { b as c } from "./b.js";', "an import this bundler does not understand"),
    ('import { b } from "b";', "an import this bundler does not understand"),
    ('import * as b from "./b.js";', "an import this bundler does not understand"),
    ("export { b };", "an export this bundler does not understand"),
    ("export default b;", "export default belongs to the entry module (index.js) only"),
    ("const { x, y } = b;", "a top-level destructuring this bundler does not understand"),
])
def test_what_it_does_not_understand_is_an_error_naming_file_and_line(tmp_path, line, why):
    src = _sources(tmp_path, index='import { b } from "./b.js";\nexport default { b };\n',
                   b=f"export const b = 1;\n{line}\n")
    with pytest.raises(ValueError) as caught:
        bundle(src)
    assert str(caught.value).startswith(f"b.js:2: {why}: {line!r}")


def test_a_name_not_exported_is_an_error(tmp_path):
    src = _sources(tmp_path, index='import { b, c, d } from "./b.js";\nexport default { b };\n',
                   b="export const b = 1;\nconst c = 2;\n")
    with pytest.raises(ValueError, match=r"^index\.js: imports c, d from b\.js, which does not export them$"):
        bundle(src)


def test_a_missing_module_is_an_error(tmp_path):
    src = _sources(tmp_path, index='import { b } from "./b.js";\nexport default { b };\n')
    with pytest.raises(ValueError, match=r"^b\.js: no such module in "):
        bundle(src)
    with pytest.raises(ValueError, match=r"^index\.js: no such module in "):
        bundle(tmp_path / "nowhere")


def test_an_import_cycle_is_an_error(tmp_path):
    src = _sources(tmp_path, index='import { a } from "./a.js";\nexport default { a };\n',
                   a='import { b } from "./b.js";\nexport const a = 1;\n',
                   b='import { a } from "./a.js";\nexport const b = 1;\n')
    with pytest.raises(ValueError, match=r"an import cycle \(a\.js -> b\.js -> a\.js\)"):
        bundle(src)


def test_one_top_level_name_in_two_modules_is_an_error(tmp_path):
    src = _sources(tmp_path, index='import { a } from "./a.js";\nimport { b } from "./b.js";\nexport default { a, b };\n',
                   a="const size = 1;\nexport const a = size;\n", b="function size() {}\nexport const b = 2;\n")
    with pytest.raises(ValueError, match=r"^b\.js:1: 'size' is also declared in a\.js; the bundle has one scope"):
        bundle(src)
