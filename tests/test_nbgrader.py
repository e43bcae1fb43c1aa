"""nbgrader grades the labs (classroom/assignments.py, classroom/course/).

The generated sources must match the labs; a released assignment holds no solution; a class of
fake students is autograded in ONE `nbgrader autograde` run over a temporary copy of the course:

* alice answers every exercise of every lab right, bob answers every one wrong (a typical slip):
  full marks and zero, and the feedback shows bob every hint;
* in the initializers lab: carol's first answer raises, dave's first answer loops forever, erin
  deleted one test cell and replaced another with ``assert True``, frank rewrote every test cell
  and its points, gina's file is not notebook JSON. Each scores zero exactly where it should
  (gina is reported unreadable), and the run still grades the whole class within its bound;
* re-grading one student changes no other row of the gradebook.

Per-cell timeout 20 s (the endless loop costs one), one autograde run for the class.
"""

import contextlib
import csv
import html as html_module
import io
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from classroom import assignments as TOOL

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "classroom" / "course"
CELL_TIMEOUT = 20           # s per cell during autograde
COMMAND_TIMEOUT = 900       # s for one nbgrader command (the whole class)
LABS = sorted(p.stem for p in (ROOT / "notebooks" / "labs").glob("*.ipynb")
              if p.stem not in ("data_parallel",))   # classroom/assignments.py's UNGRADED
ODD = "initializers"        # the lab the odd submissions are made of

pytest.importorskip("nbgrader", reason="nbgrader is in the classroom extra (make test installs it)")

# One typical wrong answer per check: the slip a student most likely makes.
WRONG = {
    "he_uniform_bound": "(6 / 576) ** 0.5",        # fan_out for fan_in
    "xavier_normal_std": "(1 / 256) ** 0.5",       # fan_in only
    "truncated_normal_cut": "0.01",                # sigma, not 2 sigma
    "conv_output_shape": "(1, 16, 16, 16)",        # 'same' padding
    "grouped_weight_shape": "(8, 4, 3, 3)",        # group ignored
    "conv_parameter_count": "1728",                # the bias forgotten
    "zeros_init_symmetry": "'different'",
    "frozen_by_lr_mult": "'change'",
    "grad_req_add": "1",                           # 'write'
    "vanishing_layer_std": "'healthy'",
    "relu_initializer": "'xavier'",
    "normal_sigma_for_tanh": "0.01",               # r1.x's default
    "reducer_without_mean": "1",                   # the mean's answer
    "layerwise_parallel_after_training": "'same'",
}


def _nbgrader(course, *args, timeout=COMMAND_TIMEOUT):
    cmd = TOOL.nbgrader_command() + list(args)
    result = subprocess.run(cmd, cwd=course, env=TOOL.nbgrader_env(), capture_output=True, text=True,
                            timeout=timeout)
    return result.returncode, result.stdout + result.stderr


def _check_of(cell):
    return cell.metadata.nbgrader.grade_id.rsplit("_", 1)[0]


def _graded_cells(nb, kind):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get(kind)]


# ---- the generated sources -------------------------------------------------------------------
def test_generated_sources_are_not_stale():
    stale = TOOL.stale()
    assert not stale, ("the nbgrader sources no longer match notebooks/labs: run `make assignments` "
                       "and commit classroom/course/source/: " + ", ".join(map(str, stale)))


def test_every_check_has_a_solution_it_accepts_and_a_wrong_answer_it_refuses(capsys):
    from sporelab import exercises
    assert sorted(TOOL.SOLUTIONS) == sorted(exercises.__all__)
    for check, solution in TOOL.SOLUTIONS.items():
        assert getattr(exercises, check)(eval(solution)) is True, check
    for check, wrong in WRONG.items():
        assert getattr(exercises, check)(eval(wrong)) is False, check


def test_each_exercise_becomes_an_answer_cell_and_a_locked_test_cell():
    import nbformat
    for lab in TOOL.labs():
        source = TOOL.assignment(nbformat.read(lab, as_version=4))
        answers, tests = _graded_cells(source, "solution"), _graded_cells(source, "grade")
        assert len(answers) == len(tests) >= 1, lab.name
        for answer, test in zip(answers, tests):
            check = _check_of(answer)
            assert source.cells.index(test) == source.cells.index(answer) + 1
            assert answer.source.splitlines()[0].startswith("answer = None   # your answer")
            assert answer.source.splitlines()[1:4] == ["### BEGIN SOLUTION", f"answer = {TOOL.SOLUTIONS[check]}",
                                                       "### END SOLUTION"]
            assert not answer.metadata.nbgrader.locked and not answer.metadata.nbgrader.grade
            assert test.metadata.nbgrader == {"grade": True, "grade_id": f"{check}_test", "locked": True,
                                              "points": 1, "schema_version": 3, "solution": False,
                                              "task": False}
            assert f"assert exercises.{check}(answer)" in test.source
        text = json.dumps(source)
        assert "## Solutions" not in text and "solutions are at the end" not in text
        assert all(not c.get("outputs") and c.get("execution_count") is None
                   for c in source.cells if c.cell_type == "code")


def test_a_lab_exercise_without_a_known_solution_is_refused():
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "answer = None   # your answer: a number\nexercises.no_such_check(answer)")])
    with pytest.raises(ValueError, match="no_such_check.*SOLUTIONS"):
        TOOL.assignment(nb)
    with pytest.raises(ValueError, match="no exercise cell"):
        TOOL.assignment(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))


def test_a_changed_lab_makes_its_source_stale(tmp_path, monkeypatch):
    labs, course = tmp_path / "labs", tmp_path / "course"
    shutil.copytree(TOOL.LABS, labs)
    monkeypatch.setattr(TOOL, "LABS", labs)
    monkeypatch.setattr(TOOL, "COURSE", course)
    TOOL.generate()
    assert TOOL.stale() == []
    lab = labs / f"{ODD}.ipynb"
    lab.write_text(lab.read_text(encoding="utf-8").replace("Lab: initializers", "Lab: initialisers"),
                   encoding="utf-8")
    assert TOOL.stale() == [course / "source" / ODD / f"{ODD}.ipynb"]
    assert TOOL.check() == 1


# ---- release, a class's submissions, autograde ---------------------------------------------
@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A copy of the course with every lab released."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source", course / "source")
    rc, log = _nbgrader(course, "generate_assignment", "*", "--force")
    assert rc == 0, log
    return course


def _answer(nb, check, expr):
    for cell in _graded_cells(nb, "solution"):
        if _check_of(cell) == check:
            cell.source = f"answer = {expr}\nexercises.{check}(answer)"
            return cell
    raise AssertionError(check)


def _submit(course, student, lab, nb=None, text=None):
    import nbformat
    folder = course / "submitted" / student / lab
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text("2026-12-01 10:00:00.000000 UTC")
    path = folder / f"{lab}.ipynb"
    path.write_text(text if text is not None else nbformat.writes(nb), encoding="utf-8")


def _released(course, lab):
    import nbformat
    return nbformat.read(course / "release" / lab / f"{lab}.ipynb", as_version=4)


def _answered(course, lab, answers):
    nb = _released(course, lab)
    for cell in _graded_cells(nb, "solution"):
        check = _check_of(cell)
        _answer(nb, check, answers[check])
    return nb


def _make_class(course):
    right = TOOL.SOLUTIONS
    for lab in LABS:
        _submit(course, "alice", lab, _answered(course, lab, right))
        _submit(course, "bob", lab, _answered(course, lab, WRONG))
    first, second, third = [_check_of(c) for c in _graded_cells(_released(course, ODD), "solution")]

    carol = _answered(course, ODD, right)                       # the first answer raises
    _answer(carol, first, "1 / 0")
    _submit(course, "carol", ODD, carol)

    dave = _answered(course, ODD, right)                        # the first answer never ends
    _answer(dave, first, "0\nwhile True:\n    pass")
    _submit(course, "dave", ODD, dave)

    erin = _answered(course, ODD, {**right, first: WRONG[first], second: WRONG[second]})
    erin.cells = [c for c in erin.cells if c.metadata.get("nbgrader", {}).get("grade_id") != f"{first}_test"]
    edited = next(c for c in erin.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{second}_test")
    edited.source = "assert True"                               # deleted one test cell, emptied another
    _submit(course, "erin", ODD, erin)

    frank = _answered(course, ODD, WRONG)                       # rewrote every test cell and its points
    for cell in _graded_cells(frank, "grade"):
        cell.source = "answer = 'whatever'"
        cell.metadata.nbgrader.points = 100
        cell.metadata.nbgrader.locked = False
    _submit(course, "frank", ODD, frank)

    _submit(course, "gina", ODD, text='{"cells": [ this is not JSON')
    return first, second, third


def _scores(course):
    """{(student, lab): {grade_id: (score, max_score)}} from the gradebook."""
    from nbgrader.api import Gradebook
    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for assignment in gb.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    found[(submission.student.id, assignment.name)] = {
                        g.name: (g.score, g.max_score) for g in notebook.grades}
    return found


@pytest.fixture(scope="module")
def graded(course):
    exercises = _make_class(course)
    rc, log = _nbgrader(course, "autograde", "*", "--create", f"--Execute.timeout={CELL_TIMEOUT}")
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "nbgrader-autograde.log").write_text(log)
    return rc, log, exercises, _scores(course)


def test_released_assignments_hold_no_solution(course):
    for lab in LABS:
        text = (course / "release" / lab / f"{lab}.ipynb").read_text(encoding="utf-8")
        nb = _released(course, lab)
        assert "BEGIN SOLUTION" not in text and "## Solutions" not in text
        for cell in _graded_cells(nb, "solution"):
            check = _check_of(cell)
            assert cell.source.startswith("answer = None   # your answer")
            assert f"answer = {TOOL.SOLUTIONS[check]}" not in cell.source
        assert all(c.metadata.get("editable") is False for c in _graded_cells(nb, "grade"))


def test_right_answers_score_full_marks_and_wrong_ones_zero(graded):
    rc, log, _, scores = graded
    for lab in LABS:
        alice, bob = scores[("alice", lab)], scores[("bob", lab)]
        assert alice and set(alice) == set(bob), (lab, alice, bob)
        assert all(score == maximum == 1 for score, maximum in alice.values()), (lab, alice)
        assert all(score == 0 and maximum == 1 for score, maximum in bob.values()), (lab, bob)


def test_bad_submissions_score_zero_where_they_should(course, graded):
    rc, log, (first, second, third), scores = graded
    t = lambda check: f"{check}_test"
    assert scores[("carol", ODD)] == {t(first): (0, 1), t(second): (1, 1), t(third): (1, 1)}
    assert scores[("dave", ODD)] == {t(first): (0, 1), t(second): (1, 1), t(third): (1, 1)}
    assert scores[("erin", ODD)] == {t(first): (0, 1), t(second): (0, 1), t(third): (1, 1)}
    assert scores[("frank", ODD)] == {t(first): (0, 1), t(second): (0, 1), t(third): (0, 1)}
    assert not any(score for score, _ in scores.get(("gina", ODD), {}).values())    # unreadable: nothing
    assert rc != 0, "an unreadable submission must make the run report a failure"
    failed = [line for line in log.splitlines() if "There was an error processing assignment '" in line]
    assert failed == [f"[AutogradeApp | ERROR] There was an error processing assignment '{ODD}' for student 'gina'"]
    dave = (course / "autograded" / "dave" / ODD / f"{ODD}.ipynb").read_text(encoding="utf-8")
    assert "CellTimeoutError" in dave or "KeyboardInterrupt" in dave


def test_the_class_is_graded_despite_bad_submissions(course, graded):
    rc, log, _, scores = graded
    graded_rows = {(student, lab) for (student, lab), grades in scores.items() if grades and student != "gina"}
    assert graded_rows == {(s, lab) for s in ("alice", "bob") for lab in LABS} | \
        {(s, ODD) for s in ("carol", "dave", "erin", "frank")}
    # nobody's tampering changed what an assignment is worth
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for lab in LABS:
            assert gb.find_assignment(lab).max_score == len(_graded_cells(_released(course, lab), "grade"))


def test_regrading_one_student_changes_no_other_row(course, graded):
    before = _scores(course)
    rc, log = _nbgrader(course, "autograde", ODD, "--student=frank", "--force", f"--Execute.timeout={CELL_TIMEOUT}")
    assert rc == 0, log[-3000:]
    after = _scores(course)
    assert after == before


def test_feedback_shows_the_hints(course, graded):
    rc, log = _nbgrader(course, "generate_feedback", "*", "--student=bob")
    assert rc == 0, log[-3000:]
    rc, log = _nbgrader(course, "generate_feedback", ODD, "--student=alice")
    assert rc == 0, log[-3000:]
    from sporelab import exercises
    for lab in LABS:
        html = (course / "feedback" / "bob" / lab / f"{lab}.html").read_text(encoding="utf-8")
        nb = _released(course, lab)
        for cell in _graded_cells(nb, "solution"):
            check = _check_of(cell)
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                getattr(exercises, check)(eval(WRONG[check]))
            hint = out.getvalue().strip()
            assert hint.startswith("Not yet: ")
            assert html_module.escape(hint, quote=False) in html, (lab, check, hint)
    alice = (course / "feedback" / "alice" / ODD / f"{ODD}.html").read_text(encoding="utf-8")
    assert alice.count("Correct: ") >= 3


def test_grades_export(course, graded):
    target = course / "grades.csv"
    rc, log = _nbgrader(course, "export", f"--to={target}")
    assert rc == 0, log[-3000:]
    rows = list(csv.DictReader(target.open()))
    score = {(r["student_id"], r["assignment"]): (float(r["score"]), float(r["max_score"])) for r in rows}
    for lab in LABS:
        assert score[("alice", lab)] == (3.0, 3.0) and score[("bob", lab)] == (0.0, 3.0)
    assert score[("carol", ODD)] == (2.0, 3.0) and score[("frank", ODD)] == (0.0, 3.0)


# ---- what a student's and the teacher's JupyterLab load (classroom/nbgrader/) ---------------
ROLES = ROOT / "classroom" / "nbgrader"


@contextlib.contextmanager
def _lab_as(role, root, tmp):
    """JupyterLab on 127.0.0.1 (free port) with classroom/nbgrader/<role> on JUPYTER_CONFIG_PATH,
    as the hub starts a student's or the teacher's server; yields a GET/POST helper."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    token = secrets.token_hex(16)
    env = {**TOOL.nbgrader_env(), "JUPYTER_CONFIG_PATH": str(ROLES / role), "JUPYTER_CONFIG_DIR": str(tmp / "config"),
           "JUPYTER_DATA_DIR": str(tmp / "data"), "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"),
           "IPYTHONDIR": str(tmp / "ipython")}
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    log = open(tmp / f"{role}.log", "w")
    proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def call(path, data=None):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data,
                                         headers={"Authorization": f"token {token}"})
        try:
            with opener.open(request, timeout=30) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode(errors="replace")

    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp / f"{role}.log").read_text()
            try:
                if call("/api/status")[0] == 200:
                    break
            except (urllib.error.URLError, OSError):
                pass
            assert time.monotonic() < deadline, "JupyterLab did not start in 60 s"
            time.sleep(0.3)
        yield call
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


def _page_config(html):
    start = html.index('id="jupyter-config-data"')
    start = html.index(">", start) + 1
    return json.loads(html[start:html.index("</script>", start)])


def test_students_get_validate_but_no_instructor_tools(course, tmp_path):
    shutil.copy(course / "release" / ODD / f"{ODD}.ipynb", tmp_path / f"{ODD}.ipynb")
    with _lab_as("student", tmp_path, tmp_path) as call:
        assert call("/formgrader")[0] == 404
        assert call("/formgrader/api/assignments")[0] == 404
        status, html = call("/lab")
        assert status == 200
        disabled = _page_config(html)["disabledExtensions"]
        for plugin in ("formgrader", "course-list", "create-assignment"):
            assert f"@jupyter/nbgrader:{plugin}" in disabled
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        status, body = call("/assignments/validate", data=f"path={ODD}.ipynb".encode())
        assert status == 200, body
        reply = json.loads(body)
        assert reply["success"] is True and reply["value"]["failed"], reply   # unanswered: it fails


def test_the_teacher_gets_the_formgrader_of_the_course(tmp_path):
    with _lab_as("teacher", tmp_path, tmp_path) as call:
        status, html = call("/formgrader")
        assert status == 200, html[-2000:]
        disabled = _page_config(call("/lab")[1]).get("disabledExtensions", {})
        assert not any(name.startswith("@jupyter/nbgrader") for name in disabled)
