#!/usr/bin/env python
"""Turn the lab notebooks into nbgrader assignments: the labs stay the single source.

    python -m classroom.assignments generate    write course/source/<lab>/<lab>.ipynb from notebooks/labs/
    python -m classroom.assignments check       exit 1 when a committed source is stale
    python -m classroom.assignments release     generate, then `nbgrader generate_assignment` each lab

A lab's exercise cell is ``answer = None   # your answer: ...`` followed by
``exercises.<check>(answer)``. In the assignment it becomes two cells:

* an editable **answer cell** (nbgrader ``solution``): the lab's ``answer = None`` line, a
  ``### BEGIN SOLUTION`` / ``### END SOLUTION`` region holding the right answer (``SOLUTIONS``
  below; the released notebook has ``ClearSolutions.code_stub`` in its place, see
  course/nbgrader_config.py), and the lab's call of the check, so students still read "Correct" or
  "Not yet: <hint>" when they run it;
* a locked **test cell** (nbgrader ``grade``, one point) that asserts the same check. The checks
  print their hint and return False on a wrong answer, so only the ``assert`` makes a wrong answer
  score zero; the hint is printed into the test cell's output and so reaches the feedback.

The lab's "Solutions" section is dropped, every output is cleared, every other cell is copied as it
is (cell ids kept). The generated sources are committed (tests/test_nbgrader.py fails when they are
stale: run ``make assignments``); what nbgrader makes from them (release/, submitted/,
autograded/, feedback/, gradebook.db) is git-ignored.

Exit status: 0 on success, 1 on stale sources or a failed nbgrader step, 2 on bad usage.
"""

import argparse
import copy
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LABS = ROOT / "notebooks" / "labs"
COURSE = ROOT / "classroom" / "course"

EXERCISE = re.compile(r"\A(?P<line>answer = None\b[^\n]*)\n"
                      r"(?P<call>exercises\.(?P<check>\w+)\(answer\))\s*\Z")
# A heading of any level whose text starts with "Solutions", anywhere in a markdown cell.
SOLUTIONS_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+Solutions\b", re.MULTILINE)
POINTS = 1

# The right answer of every check in sporelab.exercises, as a student would write it.
SOLUTIONS = {
    "he_uniform_bound": "(6 / 27) ** 0.5",
    "xavier_normal_std": "(2 / (256 + 128)) ** 0.5",
    "truncated_normal_cut": "2 * 0.01",
    "conv_output_shape": "(1, 16, 14, 14)",
    "all_ones_corner": "12",
    "conv_parameter_count": "64 * 3 * 3 * 3 + 64",
    "grouped_weight_shape": "(8, 2, 3, 3)",
    "zeros_init_symmetry": "'same'",
    "frozen_by_lr_mult": "'unchanged'",
    "grad_req_add": "2",
    "vanishing_layer_std": "'vanish'",
    "relu_initializer": "'he'",
    "normal_sigma_for_tanh": "(1 / 256) ** 0.5",
    "reducer_without_mean": "4",
    "layerwise_parallel_after_training": "'different'",
}

# The lab tells students where its solutions are; the assignment has none.
LAB_SENTENCE = re.compile(r"The\s+solutions\s+are\s+at\s+the\s+end\s+of\s+the\s+notebook\.")
ASSIGNMENT_SENTENCE = ("This notebook is graded: a locked test cell after each answer checks it "
                       "(**Validate** runs them all before you submit).")


def _nbgrader(grade_id, *, solution=False, grade=False, locked=False):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = POINTS
    return meta


def _code_cell(cell_id, source, nbgrader_meta):
    import nbformat
    cell = nbformat.v4.new_code_cell(source)
    cell.id = cell_id
    cell.metadata = {"nbgrader": nbgrader_meta}
    if nbgrader_meta.get("locked"):
        cell.metadata.update(deletable=False, editable=False)
    return cell


def exercise_cells(cell, number):
    """The answer cell and the test cell for one exercise cell of a lab (a NotebookNode)."""
    match = EXERCISE.match(cell.source)
    check = match["check"]
    if check not in SOLUTIONS:
        raise ValueError(f"exercise cell {cell.get('id')!r} calls exercises.{check}, which has no entry "
                         f"in SOLUTIONS (classroom/assignments.py): add its right answer there")
    answer = _code_cell(
        cell.get("id") or f"{check}-answer",
        f"{match['line']}\n### BEGIN SOLUTION\nanswer = {SOLUTIONS[check]}\n### END SOLUTION\n{match['call']}",
        _nbgrader(f"{check}_answer", solution=True))
    test = _code_cell(
        f"{check}-test",
        f"# Exercise {number}, graded ({POINTS} point): the check must accept your answer above.\n"
        f"from sporelab import exercises\n"
        f"assert exercises.{check}(answer), \"Exercise {number} is not right yet: read the hint above.\"",
        _nbgrader(f"{check}_test", grade=True, locked=True))
    return answer, test


def assignment(lab_nb):
    """The nbgrader source notebook made from a lab notebook (a new NotebookNode)."""
    nb = copy.deepcopy(lab_nb)
    cells, number = [], 0
    for cell in lab_nb.cells:
        heading = SOLUTIONS_HEADING.search(cell.source) if cell.cell_type == "markdown" else None
        if heading:                                 # the solutions section ends the lab
            if cell.source[:heading.start()].strip():
                cells.append(copy.deepcopy(cell))   # what the cell says before the heading stays
                cells[-1].source = cell.source[:heading.start()].rstrip() + "\n"
            break
        cell = copy.deepcopy(cell)
        if cell.cell_type == "markdown":
            cell.source = LAB_SENTENCE.sub(ASSIGNMENT_SENTENCE, cell.source)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if EXERCISE.match(cell.source):
                number += 1
                cells.extend(exercise_cells(cell, number))
                continue
        cells.append(cell)
    if number == 0:
        raise ValueError("the lab has no exercise cell (answer = None + exercises.<check>(answer))")
    nb.cells = cells
    return nb


def _display(path):
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


# Labs that are not assignments, and why. The data-parallel lab starts an MPI cluster of its own:
# autograding it would start one per submission on the grading machine, and its exercises are
# checked in the lab itself.
UNGRADED = {"data_parallel": "starts an MPI cluster (ipyparallel) of its own"}


def labs():
    """The lab notebooks that become assignments (every lab but those in ``UNGRADED``)."""
    return sorted(p for p in LABS.glob("*.ipynb") if p.stem not in UNGRADED)


def source_path(lab, course=None):
    return (course or COURSE) / "source" / lab.stem / lab.name


def render(nb):
    """The exact text stored: what Jupyter itself writes (nbformat.writes + a final newline)."""
    import nbformat
    nbformat.validate(nb)
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def generated():
    """{path of each source notebook: its text}."""
    import nbformat
    return {source_path(lab): render(assignment(nbformat.read(lab, as_version=4))) for lab in labs()}


def generate():
    for path, text in generated().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote   {_display(path)}")
        else:
            print(f"same    {_display(path)}")
    return 0


def stale():
    """Paths whose committed text differs from what the labs generate (or that no lab generates)."""
    expected = generated()
    found = {p for p in (COURSE / "source").glob("*/*.ipynb")} if (COURSE / "source").is_dir() else set()
    return sorted(p for p in expected if not p.exists() or p.read_text(encoding="utf-8") != expected[p]) + \
        sorted(found - set(expected))


def check():
    paths = stale()
    for path in paths:
        print(f"stale: {_display(path)} (run `make assignments`)", file=sys.stderr)
    if not paths:
        print(f"ok: {len(labs())} assignments match notebooks/labs")
    return 1 if paths else 0


def nbgrader_command():
    """The nbgrader of this interpreter's environment."""
    exe = Path(sys.executable).with_name("nbgrader")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "nbgrader"]


def nbgrader_env():
    """The environment for nbgrader: this environment's bin/ first on PATH (nbgrader runs `alembic`
    from PATH to create the gradebook)."""
    bindir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", ""), "PYTHONUNBUFFERED": "1"}


def release(course=None):
    """Generate the sources, then release every lab: one `nbgrader generate_assignment '*'` run
    (nbgrader takes seconds to start; the glob releases every source folder)."""
    course = course or COURSE
    generate()
    cmd = nbgrader_command() + ["generate_assignment", "*", "--force", f"--CourseDirectory.root={course}"]
    print("$ nbgrader " + " ".join(cmd[-4:]), flush=True)
    return 1 if subprocess.run(cmd, cwd=course, env=nbgrader_env()).returncode else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("generate", "check", "release"))
    args = parser.parse_args(argv)
    return {"generate": generate, "check": check, "release": release}[args.command]()


if __name__ == "__main__":
    sys.exit(main())
