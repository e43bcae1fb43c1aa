"""Every notebook under notebooks/ passes strict nbval, and the stored notebooks obey the rules in docs/ARCHITECTURE.md.

Each notebook runs in its own pytest subprocess (strict ``--nbval``, a kernel of this interpreter,
the project's sanitize file, a per-cell timeout), so a notebook added later (the labs) is picked
up without touching this file. Regenerate stored outputs with ``make notebooks``.
"""

import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)
SANITIZE = "notebooks/nbval_sanitize.cfg"
KERNEL_TIMEOUT = 600   # seconds for one whole notebook, kernel start included


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_passes_strict_nbval(notebook):
    # hypothesis's plugin is not needed to check a notebook and costs a second at every start
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", SANITIZE, "--nbval-cell-timeout=120",
               "-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-q", notebook]
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                                timeout=KERNEL_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"nbval on {notebook} ran past {KERNEL_TIMEOUT} s:\n{exc.stdout or ''}{exc.stderr or ''}")
    assert result.returncode == 0, (
        f"strict nbval failed on {notebook} (exit {result.returncode}). If the change is intended, "
        f"regenerate the outputs with `make notebooks`.\n{result.stdout}\n{result.stderr}")


def test_notebooks_exist():
    assert NOTEBOOKS, "no notebooks found under notebooks/"


def test_stored_notebooks_follow_the_rules():
    """Every code cell has an execution count; output is ignored only on live-widget cells."""
    result = subprocess.run([sys.executable, "-m", "tools.notebooks", "check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"python -m tools.notebooks check failed:\n{result.stdout}\n{result.stderr}"


# ---- tools/notebooks.py itself ------------------------------------------------------------------
def _tool():
    from tools import notebooks           # imported when used: it needs nbformat and nbclient
    return notebooks


def _notebook(cells):
    import nbformat
    nb = nbformat.v4.new_notebook()
    for index, (source, count, tags, outputs) in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source, execution_count=count, outputs=outputs or [])
        cell.id = f"c{index}"
        if tags:
            cell.metadata.tags = tags
        nb.cells.append(cell)
    return nb


def test_check_flags_missing_counts_and_ignore_tags_outside_widget_cells(tmp_path):
    import nbformat
    tool = _tool()
    nb = _notebook([
        ("print('a tutorial result')", None, None, None),                       # never compared
        ("print(x)", 2, ["nbval-ignore-output"], None),                         # hides a result
        ("# NBVAL_IGNORE_OUTPUT\nprint(y)", 3, None, None),                    # the same, by comment
        ("explorer = InitializerExplorer()\nexplorer", 4, ["nbval-ignore-output"], None),  # a widget
        ("display(slider)", 5, ["nbval-ignore-output"], None),                  # a widget
        ("   ", 6, None, None),                                                 # empty
    ])
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    found = tool.problems(path)
    assert len(found) == 4, found
    assert "code cell 1" in found[0] and "no execution count" in found[0]
    assert "code cell 2" in found[1] and "shows no widget" in found[1]
    assert "code cell 3" in found[2] and "shows no widget" in found[2]
    assert "code cell 6" in found[3] and "empty" in found[3]
    assert tool.check([str(path)]) == 1


def test_normalise_numbers_cells_merges_streams_and_drops_volatile_state(tmp_path):
    import nbformat
    from nbformat.v4 import new_output
    tool = _tool()
    nb = _notebook([
        ("print(1); print(2)", 7, None, [new_output("stream", name="stdout", text="1\n"),
                                         new_output("stream", name="stdout", text="2\n")]),
        ("x", 9, None, [new_output("execute_result", data={"text/plain": "3"}, execution_count=9)]),
        ("explorer = InitializerExplorer()", 12, ["nbval-ignore-output"],
         [new_output("display_data", data={"text/plain": "Explorer(...)"})]),
    ])
    nb.cells[0].metadata.execution = {"iopub.execute_input": "2026-01-01T00:00:00Z"}
    nb.metadata.widgets = {"application/vnd.jupyter.widget-state+json": {}}
    nb.metadata.language_info = {"name": "python", "version": "3.11.14"}
    tool.normalise(nb)
    assert [cell.execution_count for cell in nb.cells] == [1, 2, 3]
    assert nb.cells[0].outputs == [new_output("stream", name="stdout", text="1\n2\n")]
    assert nb.cells[1].outputs[0].execution_count == 2
    assert nb.cells[2].outputs == []
    assert "execution" not in nb.cells[0].metadata and "widgets" not in nb.metadata
    assert nb.metadata.language_info == {**tool.LANGUAGE_INFO, "version": platform.python_version()}
    assert nb.metadata.kernelspec.name == "python3"
    first, second = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    tool.write(nb, first)
    tool.write(tool.normalise(nbformat.read(first, as_version=4)), second)
    assert first.read_bytes() == second.read_bytes()
