"""The students' private runtime folders (classroom/folders.py).

A student's runtime folder holds their kernels' connection files (with the keys) and, in the
classroom, the kernels' Unix sockets: it must be a real folder only the student can use, fresh at
each start and short enough for a socket path.
"""

import os
import stat

import pytest

from classroom import folders
from classroom.folders import fresh_runtime_dir, private_folder

ROOT = os.geteuid() == 0


def mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_link_in_place_of_the_folder_is_removed_not_followed(short, shared):
    target = short / "elsewhere"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    (short / "run").mkdir()
    os.symlink(target, short / "run" / "ann")
    path = fresh_runtime_dir(str(short / "run" / "ann"))
    assert not os.path.islink(path) and os.path.isdir(path)
    assert (target / "keep.txt").read_text() == "mine"


def test_a_file_in_place_of_the_root_is_replaced_by_a_folder(short, shared):
    (short / "run").write_text("not a folder")
    path = fresh_runtime_dir(str(short / "run" / "ann"))
    assert os.path.isdir(short / "run") and os.path.isdir(path)
    assert mode(short / "run") == 0o700 and mode(path) == 0o700


def test_a_root_too_long_for_socket_paths_is_refused_and_nothing_is_made(short, shared):
    root = short / ("r" * 60)
    n = len(os.fsencode(str(root / "ann"))) + len("/kernel-") + 36 + len("-ipc-1")
    with pytest.raises(RuntimeError, match=rf"too long for a kernel.s socket paths \({n} of at most 107 bytes\)"
                                           r".*ClassroomSpawner.runtime_root"):
        fresh_runtime_dir(str(root / "ann"))
    assert not root.exists()


def test_the_default_root_is_short_enough_for_the_longest_student_name(shared):
    path = folders.student_runtime_dir("a" * 16)
    assert path == os.path.join(folders.default_runtime_root(), "a" * 16)
    assert len(os.fsencode(path)) + folders.KERNEL_SOCKET_NAME <= folders.UNIX_SOCKET_PATH_MAX == 107


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
