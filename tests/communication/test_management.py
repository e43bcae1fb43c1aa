"""sporelab.communication in one process (a world of size 1): MindSpore's checks and messages.

The multi-process behaviour is tested under mpiexec in tests/distributed/.
"""

import sys

import pytest
from tests._requires import require
from hypothesis import given, settings, strategies as st

from sporelab import communication as comm
from sporelab.communication import _mpi, management

require("mpi")


@pytest.fixture(autouse=True)
def fresh():
    comm.release()
    yield
    comm.release()


def test_getters_before_init_raise_mindsporess_runtime_error():
    for getter in (comm.get_rank, comm.get_group_size, comm.get_local_rank, comm.get_local_rank_size):
        with pytest.raises(RuntimeError, match="^Distributed Communication has not been inited$"):
            getter()


def test_plain_python_is_a_world_of_size_one():
    comm.init()
    assert (comm.get_rank(), comm.get_group_size()) == (0, 1)
    assert (comm.get_local_rank(), comm.get_local_rank_size()) == (0, 1)
    assert comm.GlobalComm.INITED and comm.GlobalComm.WORLD_COMM_GROUP == "mccl_world_group"
    assert comm.get_rank("mccl_world_group") == 0


def test_backend_names_pick_their_world_group():
    comm.init("nccl")
    assert comm.GlobalComm.WORLD_COMM_GROUP == comm.NCCL_WORLD_COMM_GROUP == "nccl_world_group"
    assert comm.get_group_size(comm.NCCL_WORLD_COMM_GROUP) == 1
    comm.init("hccl")
    assert comm.GlobalComm.WORLD_COMM_GROUP == "hccl_world_group"


def test_init_errors():
    with pytest.raises(TypeError, match="For 'init', the argument 'backend_name' must be a string"):
        comm.init(3)
    with pytest.raises(ValueError, match="'backend_name' must be one of"):
        comm.init("gloo")
    assert not comm.GlobalComm.INITED


def test_groups():
    comm.init()
    comm.create_group("solo", [0])
    assert comm.get_group_size("solo") == 1 and comm.get_rank("solo") == 0
    assert comm.get_world_rank_from_group_rank("solo", 0) == 0
    assert comm.get_group_rank_from_world_rank(0, "solo") == 0
    comm.create_group("solo", [0])                      # the same list again: allowed
    with pytest.raises(TypeError, match="'rank_ids' must be type of list"):
        comm.create_group("other", (0,))
    with pytest.raises(ValueError, match=r"List rank_ids in Group dup has duplicate data!"):
        comm.create_group("dup", [0, 0])
    with pytest.raises(ValueError, match=r"must be in \[0, 1\)"):
        comm.create_group("far", [3])
    with pytest.raises(ValueError, match="The world_group does not support destruction."):
        comm.destroy_group("mccl_world_group")
    comm.destroy_group("solo")
    with pytest.raises(ValueError, match="does not exist"):
        comm.get_rank("solo")
    with pytest.raises(TypeError, match="'group' must be type of string"):
        comm.get_rank(0)


def test_missing_mpi_gives_one_clear_error(monkeypatch):
    monkeypatch.setattr(_mpi, "_MPI", None)
    monkeypatch.setitem(sys.modules, "mpi4py", None)          # import fails
    with pytest.raises(RuntimeError, match=r"pip install sporelab\[dist\]"):
        comm.init()
    assert not comm.GlobalComm.INITED


def test_mpi_library_missing_is_the_same_error(monkeypatch):
    import types
    fake = types.ModuleType("mpi4py")

    def fail(name):
        raise RuntimeError("cannot load MPI library")
    fake.__getattr__ = fail
    monkeypatch.setattr(_mpi, "_MPI", None)
    monkeypatch.setitem(sys.modules, "mpi4py", fake)
    monkeypatch.setitem(sys.modules, "mpi4py.MPI", None)
    with pytest.raises(RuntimeError, match=r"pip install sporelab\[dist\].*cannot load MPI library|pip install sporelab\[dist\]"):
        _mpi.mpi()


def test_import_sporelab_does_not_load_mpi():
    import subprocess
    code = "import sys, sporelab; print('mpi4py' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


WORLDS = ("mccl_world_group", "nccl_world_group", "hccl_world_group")
junk = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=5),
                 st.lists(st.integers(-2, 3), max_size=4), st.tuples(st.integers(0, 1)),
                 st.sampled_from(["mccl", "nccl", "hccl", "solo", "new", *WORLDS]), st.just([0]))


def _is_int(v):
    return type(v) is int


# (call, accepted when, its result) in a world of one holding the world group and "solo" = [0].
CALLS = [
    ("init(a)", lambda a, b: comm.init(a), lambda a, b: a is None or (type(a) is str and a in ("mccl", "nccl", "hccl")), None),   # None: CPU's mccl
    ("get_rank(a)", lambda a, b: comm.get_rank(a), lambda a, b: type(a) is str and a in WORLDS + ("solo",), 0),
    ("get_group_size(a)", lambda a, b: comm.get_group_size(a), lambda a, b: type(a) is str and a in WORLDS + ("solo",), 1),
    ("create_group(a, b)", lambda a, b: comm.create_group(a, b),
     lambda a, b: type(a) is str and a not in WORLDS and type(b) is list and b == [0] and _is_int(b[0]), None),
    ("destroy_group(a)", lambda a, b: comm.destroy_group(a), lambda a, b: a == "solo" and type(a) is str, None),
    ("get_local_rank(a)", lambda a, b: comm.get_local_rank(a), lambda a, b: type(a) is str and a in WORLDS, 0),
    ("get_world_rank_from_group_rank(a, b)", lambda a, b: comm.get_world_rank_from_group_rank(a, b),
     lambda a, b: type(a) is str and a == "solo" and _is_int(b) and b == 0, 0),
    ("get_group_rank_from_world_rank(a, b)", lambda a, b: comm.get_group_rank_from_world_rank(a, b),
     lambda a, b: _is_int(a) and a == 0 and type(b) is str and b == "solo", 0),
]


def _state():
    return {k: v[0] for k, v in management._groups.items()}, comm.GlobalComm.WORLD_COMM_GROUP, comm.GlobalComm.BACKEND


@settings(max_examples=100, deadline=None)
@given(junk, junk)
def test_bad_input_only_raises_clear_errors_and_changes_nothing(a, b):
    for name, call, accepts, result in CALLS:
        comm.init()
        comm.create_group("solo", [0])
        before = _state()
        try:
            got = call(a, b)
        except (TypeError, ValueError, RuntimeError) as error:
            assert not accepts(a, b), f"{name} refused a={a!r} b={b!r}: {error}"
            assert _state() == before, name
        else:
            assert accepts(a, b), f"{name} accepted a={a!r} b={b!r}"
            assert got == result, name
            after = _state()
            if name == "init(a)":
                backend = a or "mccl"
                assert after == ({f"{backend}_world_group": [0]}, f"{backend}_world_group", backend)
            elif name == "create_group(a, b)":
                assert after == ({**before[0], a: [0]}, *before[1:])
            elif name == "destroy_group(a)":
                assert after == ({"mccl_world_group": [0]}, *before[1:])
            else:
                assert after == before, name
