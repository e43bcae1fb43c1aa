"""A class roster: a CSV with a ``name`` column, optionally ``display_name`` and ``email``.

``read_roster`` checks the whole file before anything starts and raises one ``RosterError``
naming the row (its line number in the file) and what is wrong, so a teacher fixes it at once:

>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "students.csv")
>>> _ = open(path, "w").write("name,display_name\\nann,Ann A.\\nben,\\n")
>>> read_roster(path)
[RosterEntry(name='ann', display_name='Ann A.', email=''), RosterEntry(name='ben', display_name='ben', email='')]
>>> _ = open(path, "w").write("name\\nann\\nAnn\\n")
>>> read_roster(path)
Traceback (most recent call last):
...
classroom.roster.RosterError: students.csv, row 3: name 'ann' is already on row 2
"""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

# The hub's username_pattern (jupyterhub_config.py): names become system user names.
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_-]{0,15}$")
# A class is at most a few hundred students; a file beyond this is a mistake (a wrong export).
MAX_ROWS = 5000
COLUMNS = ("name", "display_name", "email")


class RosterError(ValueError):
    """A roster file that cannot be used, with the file and row in the message."""


@dataclass(frozen=True)
class RosterEntry:
    name: str
    display_name: str
    email: str


def _text(path):
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise RosterError(f"roster {path}: no such file") from None
    except OSError as err:
        raise RosterError(f"roster {path}: cannot be read ({err.strerror})") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[:err.start].count(b"\n") + 1
        raise RosterError(f"{path.name}, row {line}: not UTF-8 (byte {raw[err.start]:#04x}); "
                          "save the roster as CSV UTF-8") from None


def _header(reader, where):
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        raise RosterError(f"{where}: empty file; expected a header row with a 'name' column")
    header = [cell.strip().lower() for cell in header]
    if "name" not in header:
        raise RosterError(f"{where}, row 1: no 'name' column (columns: {', '.join(header)})")
    return header


def _entry(header, row, where, line):
    cells = dict(zip(header, (cell.strip() for cell in row)))
    raw = cells.get("name", "")
    name = raw.lower()
    if not NAME_PATTERN.match(name):
        raise RosterError(f"{where}, row {line}: invalid name {raw!r}: expected a letter, then up "
                          "to 15 lower-case letters, digits, '-' or '_'")
    return RosterEntry(name, cells.get("display_name") or name, cells.get("email", ""))


def read_roster(path):
    """The students of the roster CSV at ``path``, in file order; ``RosterError`` if unusable."""
    where = Path(path).name
    reader = csv.reader(io.StringIO(_text(path), newline=""))
    header = _header(reader, where)
    entries, seen = [], {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(entries) >= MAX_ROWS:
            raise RosterError(f"{where}, row {line}: more than {MAX_ROWS} students; "
                              "is this the class roster?")
        entry = _entry(header, row, where, line)
        if entry.name in seen:
            raise RosterError(f"{where}, row {line}: name {entry.name!r} is already on row {seen[entry.name]}")
        seen[entry.name] = line
        entries.append(entry)
    if not entries:
        raise RosterError(f"{where}: no students (a header and no rows)")
    return entries
