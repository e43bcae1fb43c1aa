"""The students' memory cgroups (classroom/cgroups.py), in a fake cgroup tree: the limit a teacher
sets is the limit written, and the machine's controller is read without creating anything.

The hub test (test_hub.py, the runaway kernel) checks the real thing where this machine has a
writable memory controller, and fails there if a student's server is in no cgroup.
"""

from types import SimpleNamespace

import pytest

pytest.importorskip("jupyterhub", reason="`make test` installs the classroom extra")

from classroom import cgroups, users
from classroom.cgroups import MemoryCgroup, writable_memory_controller
from classroom.classroom_spawner import ClassroomSpawner


@pytest.fixture
def v1(tmp_path, monkeypatch):
    """A cgroup v1 tree with a memory controller, as on this kind of machine."""
    root = tmp_path / "v1"
    root.mkdir()
    monkeypatch.setattr(MemoryCgroup, "V2_ROOT", str(tmp_path / "no-v2"))
    monkeypatch.setattr(MemoryCgroup, "V1_ROOT", str(root))
    monkeypatch.setattr(users, "isolating", lambda: True)
    return root


@pytest.fixture
def v2(tmp_path, monkeypatch):
    """A unified (v2) tree whose root offers the memory controller."""
    root = tmp_path / "v2"
    root.mkdir()
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    monkeypatch.setattr(MemoryCgroup, "V2_ROOT", str(root))
    monkeypatch.setattr(MemoryCgroup, "V1_ROOT", str(root / "memory"))
    monkeypatch.setattr(users, "isolating", lambda: True)
    return root


def spawner_cgroup(mem_limit):
    spawner = ClassroomSpawner(user=SimpleNamespace(name="ann"), mem_limit=mem_limit)
    return spawner._cgroup()


@pytest.mark.parametrize("mem_limit, limit", [("1G", 2**30), ("512M", 2**29), ("2G", 2**31), (None, 0)])
def test_the_spawner_asks_for_the_teachers_limit_in_bytes(mem_limit, limit):
    assert spawner_cgroup(mem_limit).limit == limit


def test_one_gigabyte_is_written_as_2_to_the_30_bytes_on_v1(v1):
    path = spawner_cgroup("1G").create()
    assert path == str(v1 / "sporelab-classroom" / "jupyter-ann")
    assert (v1 / "sporelab-classroom" / "jupyter-ann" / "memory.limit_in_bytes").read_text() == str(2**30)


def test_one_gigabyte_is_written_as_2_to_the_30_bytes_on_v2(v2):
    path = spawner_cgroup("1G").create()
    assert path == str(v2 / "sporelab-classroom" / "jupyter-ann")
    assert (v2 / "sporelab-classroom" / "cgroup.subtree_control").read_text() == "+memory"
    assert (v2 / "sporelab-classroom" / "jupyter-ann" / "memory.max").read_text() == str(2**30)


def test_no_limit_or_no_isolation_makes_no_cgroup(v1, monkeypatch):
    assert spawner_cgroup(None).create() is None
    monkeypatch.setattr(users, "isolating", lambda: False)
    assert MemoryCgroup("jupyter-ann", 2**30).create() is None
    assert list(v1.iterdir()) == []


def test_a_v2_root_without_the_memory_controller_makes_none(v2):
    (v2 / "cgroup.controllers").write_text("cpu io pids\n")
    assert MemoryCgroup("jupyter-ann", 2**30).create() is None
    assert sorted(p.name for p in v2.iterdir()) == ["cgroup.controllers"]


def test_the_machines_controller_is_read_without_creating_anything(tmp_path):
    v2_root, v1_root = tmp_path / "v2", tmp_path / "v1"
    assert writable_memory_controller(str(v2_root), str(v1_root)) is None
    v1_root.mkdir()
    assert writable_memory_controller(str(v2_root), str(v1_root)) == "v1"
    v2_root.mkdir()
    (v2_root / "cgroup.controllers").write_text("cpu pids\n")
    assert writable_memory_controller(str(v2_root), str(v1_root)) is None     # v2 decides once present
    (v2_root / "cgroup.controllers").write_text("cpu memory pids\n")
    assert writable_memory_controller(str(v2_root), str(v1_root)) == "v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1", "v2"]
    assert sorted(p.name for p in v2_root.iterdir()) == ["cgroup.controllers"]


def test_the_module_defaults_are_the_kernels_own_paths():
    assert (cgroups.V2_ROOT, cgroups.V1_ROOT) == ("/sys/fs/cgroup", "/sys/fs/cgroup/memory")


@pytest.mark.parametrize("tree", ["v1", "v2"])
def test_a_second_start_finds_its_cgroup_made_again(tree, request):
    """After a hub restart the student's cgroup folder is still there: create() must reuse it, not
    fail and leave the server without a limit (make mutate survivor: makedirs without exist_ok)."""
    request.getfixturevalue(tree)
    first = spawner_cgroup("1G").create()
    again = spawner_cgroup("2G").create()
    assert first is not None and again == first
    limit = "memory.limit_in_bytes" if tree == "v1" else "memory.max"
    with open(f"{again}/{limit}") as f:
        assert f.read() == str(2**31)


def test_a_tree_with_no_memory_controller_makes_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(MemoryCgroup, "V2_ROOT", str(tmp_path / "no-v2"))
    monkeypatch.setattr(MemoryCgroup, "V1_ROOT", str(tmp_path / "no-v1"))
    monkeypatch.setattr(users, "isolating", lambda: True)
    assert MemoryCgroup("jupyter-ann", 2**30).create() is None
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "no-v1").write_text("a file, not the memory hierarchy")
    assert writable_memory_controller(str(tmp_path / "no-v2"), str(tmp_path / "no-v1")) is None


def test_a_cgroup_that_cannot_be_made_is_none_never_an_error(v1):
    (v1 / "sporelab-classroom").write_text("a file where the parent folder should be")
    cgroup = MemoryCgroup("jupyter-ann", 2**30)
    assert cgroup.create() is None and cgroup.path is None
