"""sporelab.communication in one process (a world of size 1): MindSpore's checks and messages.

The multi-process behaviour is tested under mpiexec in tests/distributed/.
"""

import sys

import numpy as np
import pytest
from _requires import require
from hypothesis import given, settings, strategies as st

import sporelab as ms
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


junk = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=True), st.text(max_size=5),
                 st.lists(st.integers(-2, 3), max_size=4), st.tuples(st.integers(0, 1)))


@settings(max_examples=60, deadline=None)
@given(junk, junk)
def test_bad_input_only_raises_clear_errors_and_changes_nothing(a, b):
    comm.init()
    before = dict(management._groups), comm.GlobalComm.WORLD_COMM_GROUP
    for call in (lambda: comm.init(a), lambda: comm.get_rank(a), lambda: comm.get_group_size(a),
                 lambda: comm.create_group(a, b), lambda: comm.destroy_group(a),
                 lambda: comm.get_local_rank(a), lambda: comm.get_world_rank_from_group_rank(a, b),
                 lambda: comm.get_group_rank_from_world_rank(a, b)):
        try:
            call()
        except (TypeError, ValueError, RuntimeError):
            pass
        if isinstance(a, str) and a in management._groups and a not in before[0]:
            comm.destroy_group(a)                 # a valid create_group: undo it
        comm.init(comm.GlobalComm.BACKEND)
    assert comm.GlobalComm.WORLD_COMM_GROUP in (before[1], "nccl_world_group", "hccl_world_group", "mccl_world_group")
