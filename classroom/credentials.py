"""Every student's own credentials: generated for a roster, or set by the first login.

With a roster, each student gets a generated password; the teacher gets them as
``private/passwords.csv`` and as a printable sheet of slips ``private/passwords.html`` (both mode
0600, in the private state folder). Without one, a name's first login sets its password
(authenticator.py). Either way a reset leaves the student's files alone: it only changes the
password store.

>>> import tempfile, pathlib
>>> from classroom.roster import RosterEntry
>>> private = pathlib.Path(tempfile.mkdtemp())
>>> given = issue_passwords(private, [RosterEntry("ann", "Ann A.", "")])
>>> sorted(given), PasswordStore(private / STORE).check("ann", given["ann"])
(['ann'], True)
>>> issue_passwords(private, [RosterEntry("ann", "Ann A.", "")]) == given   # kept between runs
True
"""

import csv
import html
import io
import json
from pathlib import Path

from classroom.passwords import PasswordStore, generate_password, write_private

STORE = "passwords.json"
SLIPS_CSV = "passwords.csv"
SLIPS_HTML = "passwords.html"


def _issued(private):
    path = Path(private) / SLIPS_CSV
    if not path.exists():
        return {}
    return {row["name"]: row for row in csv.DictReader(io.StringIO(path.read_text("utf-8")))}


def _write_slips(private, rows):
    out = io.StringIO()
    writer = csv.DictWriter(out, ["name", "display_name", "email", "password"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    write_private(Path(private) / SLIPS_CSV, out.getvalue())
    slips = "\n".join(
        f'<div class="slip"><b>{html.escape(r["display_name"])}</b><br>user name: '
        f'<code>{html.escape(r["name"])}</code><br>password: <code>{html.escape(r["password"])}</code></div>'
        for r in rows)
    write_private(Path(private) / SLIPS_HTML, (
        "<!doctype html><meta charset=utf-8><title>sporelab: class passwords</title><style>"
        ".slip{display:inline-block;width:17em;margin:.4em;padding:.8em;border:1px dashed #444;"
        "font:14px sans-serif;break-inside:avoid}code{font-size:16px}</style>\n" + slips + "\n"))


def issue_passwords(private, entries):
    """A password for every roster entry (kept when already issued); ``{name: password}``."""
    store, issued = PasswordStore(Path(private) / STORE), _issued(private)
    rows = []
    for entry in entries:
        old = issued.get(entry.name)
        password = old["password"] if old and entry.name in store else generate_password()
        if not (old and entry.name in store):
            store.set(entry.name, password)
        rows.append({"name": entry.name, "display_name": entry.display_name,
                     "email": entry.email, "password": password})
    _write_slips(private, rows)
    return {row["name"]: row["password"] for row in rows}


def set_teacher_password(private, teacher, password):
    store = PasswordStore(Path(private) / STORE)
    if not store.check(teacher, password):
        store.set(teacher, password)


def reset_password(private, name):
    """Reset ``name``'s password; a line for the teacher. KeyError for a name not in the class.

    With a roster: a new generated password, also in the slips. Without: the stored one is
    removed, so the student's next login sets a new one.
    """
    settings = json.loads((Path(private) / "settings.json").read_text())
    store = PasswordStore(Path(private) / STORE)
    if name == settings["teacher"]:
        raise ValueError("the teacher's password comes from CLASSROOM_TEACHER_PASSWORD, not a reset")
    if settings.get("roster"):
        issued = _issued(private)
        if name not in issued:
            raise KeyError(f"{name!r} is not on the roster")
        issued[name]["password"] = password = generate_password()
        store.set(name, password)
        _write_slips(private, list(issued.values()))
        return f"{name}: new password {password} (also in {Path(private) / SLIPS_CSV})"
    if name not in store:
        raise KeyError(f"{name!r} has not logged in yet: nothing to reset")
    store.remove(name)
    return f"{name}: password cleared; their next login sets a new one"
