"""The system-test table (tests/_system.py) is complete and marks what `make check` leaves out."""

import ast
from pathlib import Path

import pytest

from tests._system import KINDS, SYSTEM_TESTS, kinds_of

TESTS = Path(__file__).resolve().parent
# What a module's code (docstrings aside) uses when it starts a system of that kind.
SIGNS = {
    "browser": ("sync_playwright", "async_playwright"),
    "mpi": ("mpiexec",),
    "notebooks": ("--nbval", "nbclient", "NotebookClient"),
    "book": ("sphinx-build", "book.build"),
    "hub": ("jupyterhub.app", "classroom.serve"),
}

# Modules whose code names such a thing without starting it, with the reason.
NAMES_ONLY = {"test_requires.py": "checks how a missing mpiexec or chromium is reported; starts neither",
              "classroom/test_roster.py": "runs classroom.serve on bad rosters, which it refuses before starting"}
# tests/classroom/conftest.py's fixtures that start a real hub: a test asking for one is a hub test.
HUB_FIXTURES = {"classroom", "roster_classroom"}


def _code_words(source):
    """Names, attributes and string constants of a module, its docstrings left out."""
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            yield node.id
        elif isinstance(node, ast.Attribute):
            yield node.attr
        elif isinstance(node, ast.alias):
            yield node.name
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def _signs_in(path):
    source = path.read_text(encoding="utf-8")
    words = list(_code_words(source))
    kinds = {kind for kind, signs in SIGNS.items() if any(sign in word for sign in signs for word in words)}
    tests = [node for node in ast.walk(ast.parse(source))
             if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_")]
    if any(arg.arg in HUB_FIXTURES for test in tests for arg in test.args.args):
        kinds.add("hub")
    return kinds


def _test_modules():
    return sorted(p for p in TESTS.rglob("test_*.py")
                  if "node_modules" not in p.parts and p.name != Path(__file__).name)


def test_every_listed_module_exists():
    for key in [*SYSTEM_TESTS, *NAMES_ONLY]:
        assert (TESTS / key).exists(), f"tests/_system.py lists {key}, which does not exist"


def test_the_kinds_are_the_registered_markers(pytestconfig):
    registered = {line.split(":")[0] for line in pytestconfig.getini("markers")}
    assert set(KINDS) | {"system"} <= registered
    assert {kind for kinds in SYSTEM_TESTS.values() for kind in kinds} <= set(KINDS)


@pytest.mark.parametrize("path", _test_modules(), ids=lambda p: p.relative_to(TESTS).as_posix())
def test_a_module_that_starts_a_system_is_marked_for_it(path):
    relative = path.relative_to(TESTS).as_posix()
    if relative in NAMES_ONLY:
        return
    missing = _signs_in(path) - set(kinds_of(relative))
    assert not missing, (f"tests/{relative} starts {sorted(missing)} but tests/_system.py does not mark it so: "
                         f"add it there, or `make check` runs it")


def test_the_signs_are_seen_in_code_not_in_docstrings(tmp_path):
    module = tmp_path / "test_x.py"
    module.write_text('"""Runs under mpiexec elsewhere."""\n\ndef test_a():\n    """sync_playwright too."""\n')
    assert _signs_in(module) == set()
    module.write_text('from playwright.sync_api import sync_playwright\nCMD = ["mpiexec", "-n", "2"]\n')
    assert _signs_in(module) == {"browser", "mpi"}
    module.write_text('def test_a(roster_classroom):\n    pass\n')
    assert _signs_in(module) == {"hub"}


def test_kinds_of_matches_files_and_folders():
    assert kinds_of("distributed/test_mpi.py") == ("mpi",)
    assert kinds_of("classroom/test_browser_hub.py") == ("hub", "browser")
    assert kinds_of("test_tensor.py") == ()
    assert kinds_of("distributedx/test_y.py") == ()
