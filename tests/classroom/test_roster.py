"""Bad roster files: one clear error naming the file and row, before anything starts."""

import subprocess
import sys

import pytest

from classroom.roster import MAX_ROWS, RosterEntry, RosterError, read_roster
from classroom.serve import REPO


def roster(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "students.csv"
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_a_good_roster_with_optional_columns_blank_lines_and_a_bom(tmp_path):
    path = roster(tmp_path, "\ufeffEmail,Name,display_name\r\nann@x.org, Ann ,Ann Andersen\r\n\r\n,ben-2,\r\n")
    assert read_roster(path) == [RosterEntry("ann", "Ann Andersen", "ann@x.org"),
                                 RosterEntry("ben-2", "ben-2", "")]


@pytest.mark.parametrize("text, message", [
    ("", "students.csv: empty file; expected a header row with a 'name' column"),
    ("name\n", "students.csv: no students (a header and no rows)"),
    ("student,email\nann,a@x\n", "students.csv, row 1: no 'name' column (columns: student, email)"),
    ("name\nann\nben\nAnn\n", "students.csv, row 4: name 'ann' is already on row 2"),
    ("name\nann\nbad name\n", "students.csv, row 3: invalid name 'bad name': expected a letter, "
                              "then up to 15 lower-case letters, digits, '-' or '_'"),
    ("name\n1abc\n", "students.csv, row 2: invalid name '1abc': expected a letter, then up to 15 "
                     "lower-case letters, digits, '-' or '_'"),
    ("name\nabcdefghijklmnopq\n", "students.csv, row 2: invalid name 'abcdefghijklmnopq': expected "
                                  "a letter, then up to 15 lower-case letters, digits, '-' or '_'"),
    ("name,email\nann,a@x\n,b@x\n", "students.csv, row 3: invalid name '': expected a letter, then "
                                    "up to 15 lower-case letters, digits, '-' or '_'"),
])
def test_a_bad_roster_names_the_row(tmp_path, text, message):
    with pytest.raises(RosterError) as caught:
        read_roster(roster(tmp_path, text))
    assert str(caught.value) == message
    assert isinstance(caught.value, ValueError)


def test_a_roster_that_is_not_utf8_names_the_row(tmp_path):
    path = roster(tmp_path, "name,display_name\nann,Ann\nbjorn,Bj\xf6rn\n", encoding="latin-1")
    with pytest.raises(RosterError) as caught:
        read_roster(path)
    assert str(caught.value) == ("students.csv, row 3: not UTF-8 (byte 0xf6); save the roster as "
                                 "CSV UTF-8")


def test_ten_thousand_rows_are_refused_at_the_first_row_over_the_limit(tmp_path):
    rows = "".join(f"s{i}\n" for i in range(10_000))
    with pytest.raises(RosterError) as caught:
        read_roster(roster(tmp_path, "name\n" + rows))
    assert str(caught.value) == (f"students.csv, row {MAX_ROWS + 2}: more than {MAX_ROWS} students; "
                                 "is this the class roster?")


def test_a_missing_roster_file(tmp_path):
    with pytest.raises(RosterError) as caught:
        read_roster(tmp_path / "nope.csv")
    assert str(caught.value) == f"roster {tmp_path / 'nope.csv'}: no such file"


def test_make_classroom_with_a_bad_roster_stops_before_anything_starts(tmp_path):
    """serve.py as `make classroom ROSTER=` runs it: one line, exit 1, no state folder, no process."""
    bad = roster(tmp_path, "name\nann\nann\n")
    state = tmp_path / "state"
    done = subprocess.run([sys.executable, "-m", "classroom.serve", "--roster", str(bad),
                           "--state", str(state), "--repo", "https://github.com/OWNER/sporelab",
                           "--branch", "main"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == "make classroom: students.csv, row 3: name 'ann' is already on row 2\n"
    assert done.stdout == "" and not state.exists()


def test_a_roster_and_the_workshop_mode_exclude_each_other(tmp_path):
    from classroom.serve import Classroom
    path = roster(tmp_path, "name\nann\n")
    with pytest.raises(ValueError) as caught:
        Classroom(tmp_path / "c", roster=path, workshop=True)
    assert str(caught.value) == ("WORKSHOP=1 (one shared password) and ROSTER= (a password each) "
                                 "exclude each other: give one")
    assert not (tmp_path / "c").exists()
