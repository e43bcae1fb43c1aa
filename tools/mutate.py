"""Mutation testing of one module against its tests: ``make mutate MODULE=sporelab/_checks.py``.

mutmut (pinned in the ``mutate`` extra) changes the module one small bug at a time (a ``<`` for a
``<=``, a constant, a dropped call) and runs the module's tests against each mutant; a mutant they
do not catch is a *survivor*: a behaviour no test pins. This prints the survivors with their diffs.

The run happens in a throw-away copy of the repository (git's tracked and unignored files), so
mutmut's ``mutants/`` folder and its config never touch the checkout. The tests are the module's
mirror in ``tests/`` (``sporelab/nn/cell.py`` -> ``tests/nn/test_cell.py``; ``sporelab/tensor.py``
-> ``tests/test_tensor.py``), or ``TESTS="tests/a.py tests/b.py"``. Not part of ``make test``:
a module of a few hundred lines takes minutes on 2 cores.

    python -m tools.mutate sporelab/_checks.py [--tests tests/test_checks.py ...] [--keep]

Exit status: 0 when the run finished (survivors or not), 2 on bad usage, 1 when mutmut failed.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# What the tests read besides the module's own package (mutmut copies only these into mutants/).
ALSO_COPY = ("conftest.py", "classroom", "tools", "book", "benchmarks", "notebooks", "widgets", "binder",
             "examples")


def mirror_tests(module):
    """The test files that mirror ``module`` (a path relative to the repository), existing ones only."""
    module = Path(module)
    parts = module.with_suffix("").parts
    name = f"test_{parts[-1].lstrip('_')}.py"
    inner = parts[1:-1] if parts[0] == "sporelab" else parts[:-1]
    candidates = [Path("tests", *inner, name), Path("tests", name)]
    return [str(path) for path in dict.fromkeys(candidates) if (ROOT / path).is_file()]


def _copy_tree(target):
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and "node_modules" not in source.parts:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


def _config(module, tests):
    """mutmut's setup.cfg section (its lists are one item a line)."""
    def listed(items):
        return "".join(f"\n    {item}" for item in items)
    return ("[mutmut]\n"
            f"source_paths={listed([Path(module).parts[0]])}\n"
            f"only_mutate={listed([module])}\n"
            f"pytest_add_cli_args_test_selection={listed(tests)}\n"
            f"pytest_add_cli_args={listed(['-p', 'no:cacheprovider'])}\n"
            f"also_copy={listed(ALSO_COPY)}\n")


def survivors(workdir, mutmut):
    """The names of the surviving mutants, and their diffs as mutmut shows them."""
    results = subprocess.run([mutmut, "results"], cwd=workdir, capture_output=True, text=True).stdout
    names = [line.split(":")[0].strip() for line in results.splitlines() if line.strip().endswith("survived")]
    diffs = [subprocess.run([mutmut, "show", name], cwd=workdir, capture_output=True, text=True).stdout
             for name in names]
    return names, diffs


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("module", help="the module to mutate, e.g. sporelab/_checks.py")
    parser.add_argument("--tests", nargs="*", help="test files (default: the module's mirror in tests/)")
    parser.add_argument("--keep", action="store_true", help="keep the working copy and print its path")
    args = parser.parse_args(argv)
    if not (ROOT / args.module).is_file() or not args.module.endswith(".py"):
        parser.error(f"MODULE must be a .py file of the repository, got {args.module!r}")
    tests = args.tests or mirror_tests(args.module)
    if not tests:
        parser.error(f"no test file mirrors {args.module}: name them with TESTS=\"tests/...\"")
    mutmut = shutil.which("mutmut", path=str(Path(sys.executable).parent)) or shutil.which("mutmut")
    if mutmut is None:
        parser.error("mutmut is not installed: pip install -e '.[mutate]' (make mutate does it)")
    workdir = Path(tempfile.mkdtemp(prefix="sporelab-mutate-"))
    try:
        _copy_tree(workdir)
        (workdir / "setup.cfg").write_text(_config(args.module, tests))
        print(f"mutating {args.module} against {' '.join(tests)} (in {workdir})", flush=True)
        run = subprocess.run([mutmut, "run"], cwd=workdir)
        names, diffs = survivors(workdir, mutmut)
        print(f"\n{len(names)} survivor(s) in {args.module}")
        for diff in diffs:
            print(diff)
        return 0 if run.returncode == 0 else 1
    finally:
        if args.keep:
            print(f"kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
