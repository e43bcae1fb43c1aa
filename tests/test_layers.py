"""The engine's files follow its layers, and this test keeps them so (issue 20).

It reads every module of ``sporelab/`` with ``ast`` (nothing is imported) and builds the graph of
the imports that run when a module is imported: top-level ones, including those in class bodies,
``if`` and ``try`` blocks. Then:

* the graph has no cycle (a cycle is printed, module by module, with the importing lines);
* the leaves (``LEAVES``) import only one another, and the initializer fills (``common/``) import
  only one another and the leaves, not at import time and not inside functions either;
* the engine core (``CORE``) imports sporelab modules at the top only, save the few in
  ``DEFERRED_IMPORTS_ALLOWED``, each with its reason.
"""

import ast
import pathlib

import pytest

PACKAGE = "sporelab"
PACKAGE_DIR = pathlib.Path(__file__).resolve().parents[1] / PACKAGE

# The bottom layer: they import nothing of sporelab but one another (device and random check their
# arguments with _checks; device keeps MindSpore's other context options in _context_options).
LEAVES = {"sporelab.dtype", "sporelab.device", "sporelab.random", "sporelab.errors", "sporelab._checks",
          "sporelab._context_options"}
# The initializer fills sit right above the leaves: common/ may import common/ and the leaves.
FILLS = "sporelab.common"
FILLS_MAY_IMPORT = LEAVES
# The engine core: the tape, the tensor and its operators, the parameter, the two autograd faces,
# the custom Function, Cell.
CORE = {"sporelab._tape", "sporelab._tensor_ops", "sporelab.tensor", "sporelab.parameter",
        "sporelab.autograd", "sporelab._grad", "sporelab._function", "sporelab.nn.cell"}
# (importing module, imported module): function-level imports the core keeps, with the reason.
# Empty: every core module imports what it needs at the top.
DEFERRED_IMPORTS_ALLOWED = {}
# (module, module) pairs allowed to import each other at import time. Empty: the graph is acyclic.
CYCLES_ALLOWED = set()


def module_name(path, package_dir=PACKAGE_DIR):
    parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules(package_dir=PACKAGE_DIR):
    """``{module name: path}`` of every module under ``package_dir``."""
    return {module_name(path, package_dir): path for path in sorted(package_dir.rglob("*.py"))}


def _imported(node, importer, is_package, modules):
    """The sporelab modules one import statement names (``from . import x`` names module ``x``)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE]
    if node.level:
        base = importer.split(".") if is_package else importer.split(".")[:-1]
        base = base[:len(base) - (node.level - 1)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    if source.split(".")[0] != PACKAGE:
        return []
    return [f"{source}.{alias.name}" if f"{source}.{alias.name}" in modules else source
            for alias in node.names]


def imports_of(name, source, modules, is_package=False):
    """``[(imported module, line, at_import_time)]`` for the module ``name`` with text ``source``."""
    found = []

    def visit(node, at_import_time):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.extend((target, child.lineno, at_import_time)
                             for target in _imported(child, name, is_package, modules))
            inner = at_import_time and not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            visit(child, inner)
    visit(ast.parse(source), True)
    return found


def _parents_entered(importer, imported):
    """The subpackages whose ``__init__`` importing ``imported`` runs first (not the root
    package, which every module is inside, and not the importer's own packages)."""
    parts = imported.split(".")
    parents = [".".join(parts[:i]) for i in range(2, len(parts))]
    return [p for p in parents if not (importer == p or importer.startswith(p + "."))]


def import_graph(modules):
    """``{module: {imported module: line}}`` of the imports that run at import time."""
    graph = {}
    for name, path in modules.items():
        edges = graph.setdefault(name, {})
        is_package = path.name == "__init__.py"
        for target, line, at_import_time in imports_of(name, path.read_text(), modules, is_package):
            if not at_import_time:
                continue
            for reached in [target] + _parents_entered(name, target):
                if reached in modules and reached != name and reached != PACKAGE:
                    edges.setdefault(reached, line)
    return graph


def find_cycles(graph):
    """One cycle ``[a, b, ..., a]`` per strongly connected component of more than one module."""
    index, low, stack, on_stack, components = {}, {}, [], set(), []

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = set()
            while not component or w != v:
                w = stack.pop()
                on_stack.discard(w)
                component.add(w)
            if len(component) > 1:
                components.append(component)

    for v in sorted(graph):
        if v not in index:
            connect(v)
    return [_cycle_in(graph, component) for component in components]


def _cycle_in(graph, component):
    start = min(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:                   # breadth first: the shortest way back to the start
        nxt = []
        for v in frontier:
            for w in sorted(graph[v]):
                if w == start:
                    return paths[v] + [start]
                if w in component and w not in paths:
                    paths[w] = paths[v] + [w]
                    nxt.append(w)
        frontier = nxt
    raise AssertionError(f"no cycle through {start} in {sorted(component)}")


def describe(graph, cycle):
    return "\n".join(f"  {a} (line {graph[a][b]}) imports {b}" for a, b in zip(cycle, cycle[1:]))


@pytest.fixture(scope="module")
def modules():
    return all_modules()


@pytest.fixture(scope="module")
def graph(modules):
    return import_graph(modules)


def test_the_package_has_no_import_cycle(graph):
    cycles = [c for c in find_cycles(graph) if not set(zip(c, c[1:])) <= CYCLES_ALLOWED]
    assert not cycles, "Import cycles (break them; see docs/ARCHITECTURE.md for the layers):\n" + \
        "\n\n".join(describe(graph, c) for c in cycles)


def _in_fills(name):
    return name == FILLS or name.startswith(FILLS + ".")


def test_leaves_and_fills_import_nothing_above_them(modules):
    wrong = []
    for name, path in modules.items():
        if name not in LEAVES and not _in_fills(name):
            continue
        for target, line, _ in imports_of(name, path.read_text(), modules, path.name == "__init__.py"):
            allowed = target in LEAVES if name in LEAVES else (_in_fills(target) or target in FILLS_MAY_IMPORT)
            if not allowed:
                wrong.append(f"  {name} (line {line}) imports {target}")
    assert not wrong, "A leaf or an initializer fill imports a layer above it:\n" + "\n".join(wrong)


def test_the_core_imports_at_the_top(modules):
    wrong = []
    for name in sorted(CORE):
        path = modules[name]
        for target, line, at_import_time in imports_of(name, path.read_text(), modules, path.name == "__init__.py"):
            if not at_import_time and (name, target) not in DEFERRED_IMPORTS_ALLOWED:
                wrong.append(f"  {name} (line {line}) imports {target} inside a function")
    assert not wrong, ("The engine core imports sporelab modules inside functions (import them at the "
                       "top, or list them in DEFERRED_IMPORTS_ALLOWED with the reason):\n" + "\n".join(wrong))


def test_the_lists_name_modules_that_exist(modules):
    assert LEAVES | CORE <= set(modules)
    assert FILLS in modules
    assert {a for a, _ in DEFERRED_IMPORTS_ALLOWED} <= CORE


# ---- the reader itself, on a package made up here ---------------------------------------------
def _write(root, files):
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return all_modules(root / PACKAGE)


def test_every_import_form_is_read(tmp_path):
    modules = _write(tmp_path, {
        "sporelab/__init__.py": "from . import a\n",
        "sporelab/a.py": "import numpy\nfrom . import b\nfrom .sub.c import name\n",
        "sporelab/b.py": "import sporelab.sub.c\n\ndef f():\n    from .a import x\n",
        "sporelab/sub/__init__.py": "from .c import name\n",
        "sporelab/sub/c.py": "from .. import b as _b\nclass K:\n    from ..a import y\n",
    })
    graph = import_graph(modules)
    assert graph["sporelab"] == {"sporelab.a": 1}
    assert graph["sporelab.a"] == {"sporelab.b": 2, "sporelab.sub.c": 3, "sporelab.sub": 3}
    assert graph["sporelab.b"] == {"sporelab.sub.c": 1, "sporelab.sub": 1}     # f's import is not at import time
    assert graph["sporelab.sub"] == {"sporelab.sub.c": 1}
    assert graph["sporelab.sub.c"] == {"sporelab.b": 1, "sporelab.a": 3}       # a class body runs at import
    assert imports_of("sporelab.b", (tmp_path / "sporelab/b.py").read_text(), modules)[-1] == ("sporelab.a", 4, False)


def test_a_cycle_is_found_and_printed(tmp_path):
    graph = import_graph(_write(tmp_path, {
        "sporelab/__init__.py": "",
        "sporelab/a.py": "from .b import x\n",
        "sporelab/b.py": "\nfrom . import c\n",
        "sporelab/c.py": "from .a import y\n",
        "sporelab/d.py": "from . import a\n",
    }))
    cycles = find_cycles(graph)
    assert cycles == [["sporelab.a", "sporelab.b", "sporelab.c", "sporelab.a"]]
    assert describe(graph, cycles[0]) == ("  sporelab.a (line 1) imports sporelab.b\n"
                                          "  sporelab.b (line 2) imports sporelab.c\n"
                                          "  sporelab.c (line 1) imports sporelab.a")
    graph["sporelab.c"].pop("sporelab.a")
    assert find_cycles(graph) == []
