"""The spawner (classroom/classroom_spawner.py), without a hub: each student's server gets its own
runtime folder, fresh at each start and gone when it stops, and the environment that names it.
"""

import os
import stat
from types import SimpleNamespace

import pytest

pytest.importorskip("jupyterhub", reason="`make test` installs the classroom extra")

from classroom.classroom_spawner import ClassroomSpawner
from classroom.env_vars import MARKER


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


def test_the_server_carries_the_class_marker_and_none_of_the_hubs_python_path(short, shared, monkeypatch):
    """serve.py starts the hub with the repository on PYTHONPATH (for this package): not the students'."""
    monkeypatch.setenv("PYTHONPATH", "/srv/teacher/sporelab")
    s = spawner(short, "ben")
    s.classroom_id = "c0ffee"
    s.user = SimpleNamespace(name="ben", url="/user/ben/")
    s.hub = SimpleNamespace(public_host="", api_url="http://127.0.0.1:8081/hub/api", base_url="/hub/")
    env = s.get_env()
    assert env[MARKER] == "c0ffee" and env["JUPYTERHUB_USER"] == "ben"
    assert "PYTHONPATH" not in env
    assert MARKER not in spawner(short, "cy").user_env({})


def test_a_root_too_long_for_socket_paths_is_refused_with_the_spawners_setting(short, shared):
    with pytest.raises(RuntimeError, match=r"too long for a kernel.s socket paths .*ClassroomSpawner.runtime_root"):
        spawner(short / ("r" * 60)).fresh_runtime_dir()
    assert not (short / ("r" * 60)).exists()


def test_stopping_removes_the_folder(short, shared):
    s = spawner(short)
    path = s.fresh_runtime_dir()
    (short / "ann" / "kernel-1.json").write_text("{}")
    s.remove_runtime_dir()
    assert not os.path.exists(path)
    s.remove_runtime_dir()                   # twice (a stop after a crash): nothing to do
