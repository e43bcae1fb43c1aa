"""One classroom (proxy + hub + culler) per test module, on free ports of 127.0.0.1.

Students are system users ``sporelab-test-<run>-<name>`` when the tests run as root; every user,
process and memory cgroup a module made is removed after it, found by the classroom's marker
(``Classroom.processes``) and by the user prefix, never by a process name.
"""

import os
import secrets
import shutil
import socket
import ssl
import tempfile
from pathlib import Path

import pytest
from tests._requires import require, unavailable

from classroom import student_env
from classroom.serve import Classroom
from tests.classroom._labs import labs_repo
from tests.classroom._users import remove_test_users

REPO = Path(__file__).resolve().parents[2]

CLASS_PASSWORD = "spores-in-class"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _needs():
    for module in ("jupyterhub", "nbgitpuller", "aiohttp", "psutil"):
        try:
            __import__(module)
        except ImportError:
            unavailable(f"{module} is not installed: `make test` installs the classroom extra")
    require("proxy")
    if not (student_env.bin_dir() / "jupyterhub-singleuser").exists():
        unavailable("the students' environment is missing: `make test` builds it "
                    "(python -m classroom.student_env ensure)")


@pytest.fixture
def kit():
    """The classroom kit is installed (else skip); gives ``free_port``."""
    _needs()
    return free_port


@pytest.fixture(scope="module")
def classroom():
    """A running classroom; yields (room, upstream repo path). Everything removed afterwards."""
    _needs()
    base = Path(tempfile.mkdtemp(prefix="sporelab-classroom-"))
    os.chmod(base, 0o755)
    upstream = labs_repo(base / "upstream")
    prefix = f"sporelab-test-{secrets.token_hex(2)}-"
    room = Classroom(base / "state", port=free_port(), hub_port=free_port(),
                     proxy_api_port=free_port(), class_password=CLASS_PASSWORD,
                     user_prefix=prefix, repo=f"file://{upstream}")
    room.prefix = prefix
    try:
        room.start(timeout=120)
        yield room, upstream
    finally:
        room.stop()
        remove_test_users(prefix)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def shared(monkeypatch):
    """The kit as a teacher's laptop runs it: one system user for every student."""
    from classroom import users
    monkeypatch.setattr(users, "isolating", lambda: False)


@pytest.fixture
def short():
    """A short temporary folder (pytest's tmp_path is too long for socket paths)."""
    path = Path(tempfile.mkdtemp(prefix="sl-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


# Short waits, so that 50 wrong tries take seconds, not the minutes real settings give them.
TEST_THROTTLE = {"free_failures": 3, "first_delay": 0.1, "max_delay": 0.2,
                 "free_failures_per_address": 1000}


@pytest.fixture(scope="module")
def roster_classroom():
    """A classroom with a roster (ann, ben, cy) behind HTTPS with a test CA (trustme).

    Yields (room, ssl context that trusts the CA). Everything removed afterwards.
    """
    _needs()
    trustme = require("trustme")
    base = Path(tempfile.mkdtemp(prefix="sporelab-roster-"))
    os.chmod(base, 0o755)
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1")
    cert.cert_chain_pems[0].write_to_path(str(base / "fullchain.pem"))
    cert.private_key_pem.write_to_path(str(base / "privkey.pem"))
    os.chmod(base / "privkey.pem", 0o600)
    (base / "students.csv").write_text("name,display_name\nann,Ann A.\nben,Ben B.\ncy,Cy C.\n")
    prefix = f"sporelab-test-{secrets.token_hex(2)}-"
    room = Classroom(base / "state", port=free_port(), hub_port=free_port(),
                     proxy_api_port=free_port(), class_password=CLASS_PASSWORD,
                     user_prefix=prefix, repo=f"file://{labs_repo(base / 'upstream')}",
                     roster=base / "students.csv", cert=base / "fullchain.pem",
                     key=base / "privkey.pem", throttle=TEST_THROTTLE)
    room.prefix = prefix
    context = ssl.create_default_context()
    ca.configure_trust(context)
    try:
        room.start(timeout=120)
        yield room, context
    finally:
        room.stop()
        remove_test_users(prefix)
        shutil.rmtree(base, ignore_errors=True)
