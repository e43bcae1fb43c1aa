"""Issued passwords (roster), the teacher's slips, resets without a hub."""

import csv
import json
import os
import subprocess
import sys

import pytest

from classroom.credentials import issue_passwords, reset_password
from classroom.passwords import PasswordStore, hash_password, verify_password
from classroom.roster import RosterEntry
from classroom.serve import REPO, Classroom

ENTRIES = [RosterEntry("ann", "Ann <A.>", "ann@x.org"), RosterEntry("ben", "ben", "")]


def test_issue_writes_the_store_and_both_slip_files_0600_and_every_password_works(tmp_path):
    given = issue_passwords(tmp_path, ENTRIES)
    store = PasswordStore(tmp_path / "passwords.json")
    for name in ("passwords.json", "passwords.csv", "passwords.html"):
        assert oct(os.stat(tmp_path / name).st_mode & 0o777) == "0o600", name
    assert all(store.check(name, password) for name, password in given.items())
    assert len(set(given.values())) == 2 and all(len(p) == 14 for p in given.values())
    rows = list(csv.DictReader((tmp_path / "passwords.csv").open()))
    assert rows == [{"name": "ann", "display_name": "Ann <A.>", "email": "ann@x.org", "password": given["ann"]},
                    {"name": "ben", "display_name": "ben", "email": "", "password": given["ben"]}]
    page = (tmp_path / "passwords.html").read_text()
    assert "<b>Ann &lt;A.&gt;</b>" in page and f"<code>{given['ben']}</code>" in page
    assert given["ann"] not in (tmp_path / "passwords.json").read_text()      # hashes only


def test_a_roster_classroom_resets_one_student_and_a_first_use_one_clears_the_password(tmp_path):
    roster = tmp_path / "s.csv"
    roster.write_text("name\nann\nben\n")
    room = Classroom(tmp_path / "r", roster=roster)
    message = reset_password(room.private, "ann")
    new = message.split()[3]
    store = PasswordStore(room.private / "passwords.json")
    assert store.check("ann", new) and not store.check("ann", room.passwords["ann"])
    assert store.check("ben", room.passwords["ben"])
    with pytest.raises(KeyError):
        reset_password(room.private, "eve")
    with pytest.raises(ValueError):
        reset_password(room.private, "teacher")
    first_use = Classroom(tmp_path / "f")
    PasswordStore(first_use.private / "passwords.json").set("cy", "cy-password")
    assert reset_password(first_use.private, "cy") == "cy: password cleared; their next login sets a new one"
    assert "cy" not in PasswordStore(first_use.private / "passwords.json")
    assert json.loads((first_use.private / "settings.json").read_text())["roster"] == []


def test_the_issue_command_for_zero_to_jupyterhub(tmp_path):
    roster = tmp_path / "s.csv"
    roster.write_text("name\nann\n")
    done = subprocess.run([sys.executable, "-m", "classroom.passwords", "issue", str(roster),
                           "--out", str(tmp_path / "out")], cwd=REPO, capture_output=True,
                          text=True, timeout=60, check=True)
    teacher = done.stdout.split()[-1]
    assert done.stdout.startswith(f"1 students: slips in {tmp_path / 'out' / 'passwords.html'}; teacher teacher: ")
    store = PasswordStore(tmp_path / "out" / "passwords.json")
    assert store.check("teacher", teacher) and set(store.hashes()) == {"ann", "teacher"}


def test_a_hash_is_salted_and_checks_any_length():
    long = "x" * 500                       # bcrypt 5 refuses anything over 72 bytes
    a, b = hash_password(long), hash_password(long)
    assert a != b and verify_password(long, a) and verify_password(long, b)
    assert not verify_password("x" * 499, a)
