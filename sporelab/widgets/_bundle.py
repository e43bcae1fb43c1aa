"""The live figure's ES modules (``widgets/src/``) joined into the one module anywidget loads.

anywidget's ``_esm`` is one module string, while the renderer is written as small modules of one
job each. This bundler joins them with the Python standard library only, so building sporelab
(setup.py, Binder's ``pip install .``) never needs node, and an editable checkout builds the same
text at run time (``_live.browser_module``).

It understands a deliberately small dialect and refuses anything else, naming the file and line:

* ``import { a, b } from "./x.js";`` on one line: ``x.js`` (a sibling) goes into the bundle before
  the importing module, and the line is dropped; every name must be exported by ``x.js``;
* ``export function|const|let|class name``: the ``export`` keyword is dropped;
* ``export default ...`` in the entry module only, kept as the bundle's own export.

All modules then share one scope, so a top-level name declared by two modules is an error. The
order is depth first from the entry, following import lines in their order: the output depends on
the sources only.

>>> import tempfile, pathlib
>>> src = pathlib.Path(tempfile.mkdtemp())
>>> _ = (src / "a.js").write_text('export const A = 1;\\n')
>>> _ = (src / "index.js").write_text('import { A } from "./a.js";\\nexport default { A };\\n')
>>> print(bundle(src))  # doctest: +NORMALIZE_WHITESPACE
// sporelab's live figure: one ES module bundled from widgets/src/ (a.js, index.js) by
// sporelab/widgets/_bundle.py. Do not edit: edit the modules.
<BLANKLINE>
// ---- a.js ----
const A = 1;
<BLANKLINE>
// ---- index.js ----
export default { A };
"""

import re
from pathlib import Path

__all__ = ["bundle", "ENTRY"]

ENTRY = "index.js"
_IDENT = r"[A-Za-z_$][\w$]*"
_IMPORT = re.compile(rf'import \{{\s*({_IDENT}(?:\s*,\s*{_IDENT})*)\s*,?\s*\}} from "\./([\w.-]+\.js)";?\s*$')
_DECLARATION = re.compile(rf"(export )?(?:async )?(?:function\*?|const|let|class) ({_IDENT})\b")
_DEFAULT = "export default "


def _fail(path, number, line, why):
    raise ValueError(f"{path.name}:{number}: {why}: {line.strip()!r} (widgets/src/ may only use "
                     'import { a, b } from "./x.js"; and export function|const|let|class)')


def _parse(path, is_entry):
    """``(imports, exports, declared, body)`` of one module; ``imports`` as ``[(file, names)]``."""
    if not path.is_file():
        raise ValueError(f"{path.name}: no such module in {path.parent} (imported, or the entry)")
    imports, exports, declared, body = [], set(), {}, []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("import"):
            found = _IMPORT.match(line) or _fail(path, number, line, "an import this bundler does not understand")
            imports.append((found.group(2), [name.strip() for name in found.group(1).split(",")]))
            continue
        if line.startswith(_DEFAULT):
            if not is_entry:
                _fail(path, number, line, f"export default belongs to the entry module ({ENTRY}) only")
        elif line.startswith("export") and not _DECLARATION.match(line):
            _fail(path, number, line, "an export this bundler does not understand")
        declaration = _DECLARATION.match(line)
        if declaration:
            name = declaration.group(2)
            if name in declared:
                _fail(path, number, line, f"{name!r} is declared twice")
            declared[name] = number
            if declaration.group(1):
                exports.add(name)
                line = line[len("export "):]
        elif re.match(r"(const|let|var) [\[{]", line):
            _fail(path, number, line, "a top-level destructuring this bundler does not understand")
        body.append(line)
    return imports, exports, declared, "\n".join(body).strip("\n")


def _order(source, entry):
    """The modules reachable from ``entry``, each after the modules it imports, parsed."""
    parsed, order, visiting = {}, [], []

    def visit(name):
        if name in visiting:
            cycle = " -> ".join(visiting[visiting.index(name):] + [name])
            raise ValueError(f"widgets/src/: an import cycle ({cycle}); one scope needs an order")
        if name in parsed:
            return
        visiting.append(name)
        parsed[name] = _parse(source / name, name == entry)
        for target, names in parsed[name][0]:
            visit(target)
            missing = sorted(set(names) - parsed[target][1])
            if missing:
                raise ValueError(f"{name}: imports {', '.join(missing)} from {target}, which does not export "
                                 f"{'it' if len(missing) == 1 else 'them'}")
        visiting.pop()
        order.append(name)

    visit(entry)
    return [(name, parsed[name]) for name in order]


def bundle(source, entry=ENTRY):
    """The modules under ``source`` reachable from ``entry`` as one ES module (str).

    Raises:
        ValueError: a missing module, an import or export outside the dialect above, a name
            imported but not exported, a top-level name declared twice, an import cycle.
    """
    source = Path(source)
    modules = _order(source, entry)
    owners = {}
    for name, (_imports, _exports, declared, _body) in modules:
        for top in declared:
            if top in owners:
                raise ValueError(f"{name}:{declared[top]}: {top!r} is also declared in {owners[top]}; "
                                 "the bundle has one scope, so top-level names must differ")
            owners[top] = name
    names = ", ".join(name for name, _parsed in modules)
    head = (f"// sporelab's live figure: one ES module bundled from widgets/src/ ({names}) by\n"
            "// sporelab/widgets/_bundle.py. Do not edit: edit the modules.\n")
    return head + "".join(f"\n// ---- {name} ----\n{body}\n" for name, (*_parsed, body) in modules)
