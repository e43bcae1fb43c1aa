"""classroom/assignments.py on synthetic labs: nothing after a lab's "Solutions" heading is ever
released to students, whatever the heading's level or the cell it sits in.

(The real labs, generated and graded by nbgrader, are tested in tests/test_nbgrader.py.)
"""

import nbformat
import pytest

from classroom.assignments import assignment

SECRET = "SECRET-SOLUTION-42"


def lab(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(source) if kind == "md" else nbformat.v4.new_code_cell(source)
                for kind, source in cells]
    return nb


EXERCISE = ("code", "answer = None\nexercises.he_uniform_bound(answer)")


def released_text(nb):
    return "\n".join(cell.source for cell in assignment(nb).cells)


@pytest.mark.parametrize("heading", ["## Solutions", "### Solutions", "# Solutions", "  ## Solutions",
                                     "## Solutions to the exercises"])
def test_no_cell_after_the_solutions_heading_is_released(heading):
    nb = lab(("md", "# A lab"), EXERCISE, ("md", heading),
             ("code", f"answer = 1  # {SECRET}"), ("md", f"Why: {SECRET}"), ("code", "print('late cell')"))
    text = released_text(nb)
    assert SECRET not in text and "late cell" not in text and "Solutions" not in text
    assert [c.cell_type for c in assignment(nb).cells] == ["markdown", "code", "code"]   # intro, answer, test


def test_a_heading_inside_a_cell_keeps_only_what_comes_before_it():
    nb = lab(("md", "# A lab"), EXERCISE, ("md", f"Well done.\n\n## Solutions\n\nThe answer is {SECRET}."),
             ("code", SECRET))
    cells = assignment(nb).cells
    assert cells[-1].source == "Well done.\n"
    assert SECRET not in released_text(nb)


def test_the_word_in_running_text_or_a_code_cell_ends_nothing():
    nb = lab(("md", "# A lab\nSolutions are discussed in class."), ("code", "# ## Solutions\nx = 1"), EXERCISE,
             ("md", "## Solutionsfinder (not the heading)"), ("md", "The end."))
    text = released_text(nb)
    assert "x = 1" in text and "Solutionsfinder" in text and "The end." in text
