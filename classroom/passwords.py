"""The class's password store: one scrypt hash per name in a JSON file of mode 0600.

The hub's authenticator (authenticator.py) reads it, re-reading when the file changes, so a
teacher's reset from the command line reaches a running hub without a restart:

    python -m classroom.passwords reset ann --state classroom/state   # prints ann's new password

Hashes are the standard library's scrypt (no 72-byte limit as bcrypt 5 has, no compiled
dependency); a check costs about 50 ms of CPU, which the hub runs in a thread.

>>> import tempfile, os
>>> store = PasswordStore(os.path.join(tempfile.mkdtemp(), "passwords.json"))
>>> store.set("ann", "correct horse")
>>> store.check("ann", "correct horse"), store.check("ann", "wrong"), store.check("bob", "x")
(True, False, False)
>>> oct(os.stat(store.path).st_mode & 0o777)
'0o600'
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import secrets
import sys
from pathlib import Path

SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
# Readable on a slip of paper: no 0/o, 1/l/i.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def hash_password(password, salt=None):
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    b64 = lambda b: base64.b64encode(b).decode()   # noqa: E731
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${b64(salt)}${b64(digest)}"


def verify_password(password, stored):
    """True if ``password`` matches the ``hash_password`` result ``stored`` (constant time)."""
    _, n, r, p, salt, digest = stored.split("$")
    found = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), dklen=32,
                           n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(found, base64.b64decode(digest))


# Checked when a name has no hash, so that an unknown name costs the same time as a known one.
_DUMMY = hash_password(secrets.token_urlsafe(16))


def generate_password(groups=3, size=4):
    """A random password such as ``'k7qm-x2bd-9fhw'`` (about 59 bits)."""
    return "-".join("".join(secrets.choice(ALPHABET) for _ in range(size)) for _ in range(groups))


def write_private(path, text):
    """Write ``text`` to ``path`` with mode 0600 from the start (never readable by others)."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.replace(tmp, path)


class PasswordStore:
    """``{name: hash}`` in the JSON file ``path`` (created 0600), re-read when it changes."""

    def __init__(self, path):
        self.path = Path(path)
        self._hashes, self._stamp = {}, None

    def hashes(self):
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if stamp != self._stamp:
            self._hashes, self._stamp = json.loads(self.path.read_text() or "{}"), stamp
        return self._hashes

    def __contains__(self, name):
        return name in self.hashes()

    def check(self, name, password):
        stored = self.hashes().get(name)
        ok = verify_password(password, stored or _DUMMY)
        return ok and stored is not None

    def set(self, name, password):
        self._write({**self.hashes(), name: hash_password(password)})

    def remove(self, name):
        hashes = dict(self.hashes())
        if hashes.pop(name, None) is not None:
            self._write(hashes)

    def _write(self, hashes):
        write_private(self.path, json.dumps(hashes, indent=1, sort_keys=True))
        self._stamp = None


def main(argv=None):
    parser = argparse.ArgumentParser(description="Reset a student's password (files untouched), "
                                     "or issue a roster's passwords for Zero to JupyterHub.")
    sub = parser.add_subparsers(dest="action", required=True)
    reset = sub.add_parser("reset", help="a new password for NAME (roster) or none (first use)")
    reset.add_argument("name")
    reset.add_argument("--state", default=str(Path(__file__).resolve().parent / "state"))
    issue = sub.add_parser("issue", help="passwords.json + slips for a roster (z2jh/roster.yaml)")
    issue.add_argument("roster")
    issue.add_argument("--out", required=True)
    issue.add_argument("--teacher", default="teacher")
    args = parser.parse_args(argv)
    from classroom.credentials import issue_passwords, reset_password, set_teacher_password
    from classroom.roster import read_roster
    try:
        if args.action == "reset":
            print(reset_password(Path(args.state) / "private", args.name.lower()))
            return 0
        entries = read_roster(args.roster)
        out = Path(args.out)
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
        issue_passwords(out, entries)
        teacher_password = secrets.token_urlsafe(32)
        set_teacher_password(out, args.teacher, teacher_password)
        print(f"{len(entries)} students: slips in {out / 'passwords.html'}; "
              f"teacher {args.teacher}: {teacher_password}")
    except (KeyError, ValueError) as err:
        sys.exit(f"{args.action}: {err.args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
