"""The students' system users: one per student when the hub runs as root, as TLJH makes them.

Run by root (a class server), each student gets a system user ``<prefix><name>`` (TLJH's prefix
``jupyter-`` by default), created on the first login with a home that only they can read (mode
0700). Run by a normal user (a teacher trying the kit on a laptop), nothing is isolated: every
server runs as that user, and ``serve.py`` says so at start.

>>> system_user_name("jupyter-", "ann")
'jupyter-ann'
"""

import os
import pwd
import re
import subprocess

SYSTEM_NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")


def isolating():
    """True when servers can run as separate system users (the hub runs as root)."""
    return os.geteuid() == 0


def system_user_name(prefix, student):
    """The system user name of ``student``: ``<prefix><student>``, a valid Linux user name.

    Raises:
        ValueError: if the name is not one (lower-case letters, digits, '-' or '_', at most 32).
    """
    name = f"{prefix}{student}"
    if not SYSTEM_NAME.match(name):
        raise ValueError(f"system user name {name!r} is not a valid Linux user name "
                         f"(lower-case letters, digits, '-' or '_', at most 32 characters)")
    return name


def ensure_user(name, comment, log=None):
    """Create the system user ``name`` with a home on first use; its home made 0700 each time.

    ``log`` (a logger) hears of a user being created. Returns the home's path. Idempotent.
    """
    try:
        pwd.getpwnam(name)
    except KeyError:
        if log is not None:
            log.info("Creating system user %s (%s)", name, comment)
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--comment", comment, name],
                       check=True, capture_output=True, timeout=60)
    home = pwd.getpwnam(name).pw_dir
    os.chmod(home, 0o700)
    return home
