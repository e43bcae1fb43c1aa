"""The spawner's private runtime folders (classroom/classroom_spawner.py), without a hub.

A student's runtime folder holds their kernels' connection files (with the keys) and, in the
classroom, the kernels' Unix sockets: it must be a real folder only the student can use, fresh at
each start, short enough for a socket path, and gone when the server stops.
"""

import os
import shutil
import stat
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest

pytest.importorskip("jupyterhub", reason="`make test` installs the classroom extra")

import classroom_spawner  # noqa: E402  (tests/classroom/conftest.py puts classroom/ on the path)
from classroom_spawner import ClassroomSpawner, private_folder  # noqa: E402

ROOT = os.geteuid() == 0


@pytest.fixture
def shared(monkeypatch):
    """Spawners as a teacher's laptop runs them: one system user for every student."""
    monkeypatch.setattr(classroom_spawner, "isolating", lambda: False)


@pytest.fixture
def short():
    """A short temporary folder (pytest's tmp_path is too long for socket paths)."""
    path = Path(tempfile.mkdtemp(prefix="sl-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def spawner(root, name="ann"):
    return ClassroomSpawner(runtime_root=str(root), user=SimpleNamespace(name=name))


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_fresh_runtime_folder_is_private_and_empty(short, shared):
    old = short / "run" / "ann"
    old.mkdir(parents=True)
    (old / "kernel-stale.json").write_text("{}")
    path = spawner(short / "run").fresh_runtime_dir()
    assert path == str(old)
    assert os.listdir(path) == []
    assert mode(path) == 0o700 and mode(short / "run") == 0o700


def test_the_server_gets_the_folder_as_its_runtime_dir(short, shared):
    s = spawner(short, "ben")
    env = s.user_env({})
    assert env["JUPYTER_RUNTIME_DIR"] == str(short / "ben") == s.runtime_dir


def test_a_link_in_place_of_the_folder_is_removed_not_followed(short, shared):
    target = short / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    (short / "run").mkdir()
    os.symlink(target, short / "run" / "ann")
    path = spawner(short / "run").fresh_runtime_dir()
    assert not os.path.islink(path) and os.path.isdir(path)
    assert (target / "keep.txt").read_text() == "mine"


def test_a_file_in_place_of_the_root_is_replaced_by_a_folder(short, shared):
    (short / "run").write_text("not a folder")
    path = spawner(short / "run").fresh_runtime_dir()
    assert os.path.isdir(short / "run") and os.path.isdir(path)


def test_a_root_too_long_for_socket_paths_is_refused_and_nothing_is_made(short, shared):
    root = short / ("r" * 60)
    n = len(os.fsencode(str(root / "ann"))) + len("/kernel-") + 36 + len("-ipc-1")
    with pytest.raises(RuntimeError, match=rf"too long for a kernel.s socket paths \({n} of at most 107 bytes\)"
                                           r".*ClassroomSpawner.runtime_root"):
        spawner(root).fresh_runtime_dir()
    assert not root.exists()


def test_the_default_root_is_short_enough_for_the_longest_student_name(shared):
    s = spawner(classroom_spawner.default_runtime_root(), "a" * 16)
    s.runtime_root = ""
    assert len(os.fsencode(s.runtime_dir)) + classroom_spawner.KERNEL_SOCKET_NAME <= 107


@pytest.mark.skipif(not ROOT, reason="handing a folder to another owner needs root")
def test_a_folder_someone_else_made_is_replaced_with_one_of_the_right_owner(tmp_path):
    path = tmp_path / "squat"
    path.mkdir(mode=0o777)
    os.chown(path, 65534, 65534)             # nobody's
    (path / "trap").write_text("x")
    private_folder(str(path), 0o700, 0, 0)
    assert path.stat().st_uid == 0 and mode(path) == 0o700
    assert os.listdir(path) == []


def test_a_folder_that_cannot_be_made_is_a_runtime_error_naming_it(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(RuntimeError, match=r"cannot make the private folder .*file/sub"):
        private_folder(str(blocker / "sub"), 0o700)


def test_stopping_removes_the_folder(short, shared):
    s = spawner(short)
    path = s.fresh_runtime_dir()
    (short / "ann" / "kernel-1.json").write_text("{}")
    s.remove_runtime_dir()
    assert not os.path.exists(path)
    s.remove_runtime_dir()                   # twice (a stop after a crash): nothing to do
