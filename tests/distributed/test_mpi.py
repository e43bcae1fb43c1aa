"""Distributed training for real: each scenario script runs under its own ``mpiexec -n P python -m
mpi4py`` (P = 2 and 4), launched from ordinary pytest with a timeout; never pytest under mpiexec,
where a failure on one rank mismatches the collectives.

One launch per script and P runs many scenarios; each prints ``SCENARIO <name> OK|FAIL ...`` and a
test per scenario reads its line, so a failure names its scenario.
"""

import functools
import os
import subprocess
import sys
import time
import uuid

import numpy as np
import pytest

from tests._requires import MPIEXEC, require

require("mpi")                           # mpi4py + MPICH's mpiexec; `make test` fails without them

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MPIEXEC = str(MPIEXEC)

# The repository first on the path: the scenarios import their harness as tests.distributed._harness.
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
       "MPIEXEC_TIMEOUT": "240", "PYTHONPATH": os.pathsep.join(filter(None, [ROOT, os.environ.get("PYTHONPATH")]))}


def launch(n, script, *args, timeout=300):
    cmd = [MPIEXEC, "-n", str(n), sys.executable, "-m", "mpi4py", os.path.join(HERE, script), *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV, stdin=subprocess.DEVNULL)


@functools.lru_cache(maxsize=None)
def _run_data_parallel(n, outdir):
    return launch(n, "scenario_data_parallel.py", outdir)


@pytest.fixture(scope="module")
def dp_out(tmp_path_factory):
    return {n: str(tmp_path_factory.mktemp(f"dp{n}")) for n in (2, 4)}


def _line(result, name):
    for line in result.stdout.splitlines():
        if line.startswith(f"SCENARIO {name} "):
            return line
    return f"no line for {name}: rc={result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


SCENARIOS = ([f"equal_{k}_{o}_{d}" for k in ("dense", "conv") for o in ("sgd", "momentum", "adam")
              for d in ("float32", "float64")]
             + ["layerwise_parallel", "reducer_scaling", "broadcast", "forgotten_broadcast_leaves_ranks_apart",
                "communication_ops", "sliced_init_data", "sliced_lazy_init_data", "hybrid_parallel_split_dense",
                "checkpoint_from_rank0"])


@pytest.mark.parametrize("n", [2, 4])
@pytest.mark.parametrize("name", SCENARIOS)
def test_data_parallel_scenario(n, name, dp_out):
    result = _run_data_parallel(n, dp_out[n])
    assert _line(result, name) == f"SCENARIO {name} OK"


@pytest.mark.parametrize("n", [2, 4])
def test_data_parallel_job_exits_cleanly(n, dp_out):
    result = _run_data_parallel(n, dp_out[n])
    assert result.returncode == 0 and f"DONE P={n} failed=0" in result.stdout, result.stderr[-3000:]


@pytest.mark.parametrize("n", [2, 4])
def test_checkpoint_from_rank0_loads_into_one_process(n, dp_out):
    import sporelab as ms
    from sporelab import nn
    assert _run_data_parallel(n, dp_out[n]).returncode == 0
    saved = np.load(os.path.join(dp_out[n], "rank0.npz"))

    class Mlp(nn.Cell):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Dense(4, 8, activation="tanh")
            self.fc2 = nn.Dense(8, 3)
    net = Mlp()
    ms.load_param_into_net(net, ms.load_checkpoint(os.path.join(dp_out[n], "rank0.ckpt")))
    assert sorted(saved.files) == sorted(net.parameters_dict())
    for name, param in net.parameters_dict().items():
        assert np.array_equal(param.asnumpy(), saved[name]), name


def _processes_with(tag):
    found = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    if tag.encode() in f.read():
                        found.append(int(pid))
            except OSError:
                pass
    return found


@pytest.mark.parametrize("n", [2, 4])
def test_exception_on_one_rank_ends_the_job(n):
    tag = f"fault-{uuid.uuid4().hex}"
    result = launch(n, "scenario_fault.py", tag, timeout=60)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Traceback" in output and "ValueError: boom on rank 1: a bug in one worker" in output
    deadline = time.monotonic() + 20          # MPI_Abort's SIGKILLs may still be on their way
    while _processes_with(tag) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_with(tag) == [], _describe(_processes_with(tag))


def _describe(pids):
    out = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                out.append(f.read()[:80])
        except OSError:
            pass
    return out


PS_SCENARIOS = [f"ps_{o}_{d}" for o in ("sgd", "momentum", "adam") for d in ("float32", "float64")]


@functools.lru_cache(maxsize=None)
def _run_parameter_server(launch_kind):
    if launch_kind == "ms_role":             # MindSpore's MS_ROLE variables; the server is the last rank
        script = os.path.join(HERE, "scenario_parameter_server.py")
        cmd = [MPIEXEC, "-n", "2", "-env", "MS_ROLE", "MS_WORKER", sys.executable, "-m", "mpi4py", script, ":",
               "-n", "1", "-env", "MS_ROLE", "MS_PSERVER", sys.executable, "-m", "mpi4py", script]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=ENV, stdin=subprocess.DEVNULL)
    return launch(int(launch_kind), "scenario_parameter_server.py")


@pytest.mark.parametrize("launch_kind", ["3", "4", "ms_role"])   # 1 server + 2 or 3 workers
@pytest.mark.parametrize("name", PS_SCENARIOS)
def test_parameter_server_equals_one_process(launch_kind, name):
    result = _run_parameter_server(launch_kind)
    assert _line(result, name) == f"SCENARIO {name} OK"
    assert result.returncode == 0, result.stderr[-3000:]


GLUON_SCENARIOS = ([f"gluon_dist_sync_{o}_{c}ctx" for o in ("sgd", "adam") for c in (1, 2)]
                   + ["gluon_broadcast_at_first_step", "kvstore_dist_sync", "gluon_batch_size_change"])


@functools.lru_cache(maxsize=None)
def _run_gluon(n):
    return launch(n, "scenario_gluon.py")


@pytest.mark.parametrize("n", [2, 4])
@pytest.mark.parametrize("name", GLUON_SCENARIOS)
def test_gluon_dist_sync_equals_one_process_with_the_global_batch(n, name):
    result = _run_gluon(n)
    assert _line(result, name) == f"SCENARIO {name} OK"
    assert result.returncode == 0, result.stderr[-3000:]


def test_example_prints_what_one_process_prints(tmp_path):
    example = os.path.join(HERE, "..", "..", "examples", "train_data_parallel.py")
    args = ["--steps", "21", "--ckpt", str(tmp_path / "example.ckpt")]
    alone = subprocess.run([sys.executable, example, *args], capture_output=True, text=True, timeout=120, env=ENV)
    cmd = [MPIEXEC, "-n", "2", sys.executable, "-m", "mpi4py", example, *args]
    two = subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=ENV, stdin=subprocess.DEVNULL)
    assert alone.returncode == 0 and two.returncode == 0, alone.stderr + two.stderr
    assert alone.stdout.replace("1 process(es)", "P") == two.stdout.replace("2 process(es)", "P")
    assert "step  20  mean loss over 2 process(es)" in two.stdout and (tmp_path / "example.ckpt").exists()


COLLECTIVE_SCENARIOS = ["groups", "world_aliases", "extremes_ties", "float16_in_float32", "allreduce_grad_dtypes"]


@functools.lru_cache(maxsize=None)
def _run_collectives(n):
    return launch(n, "scenario_collectives.py", timeout=120)


@pytest.mark.parametrize("n", [2, 4])
@pytest.mark.parametrize("name", COLLECTIVE_SCENARIOS)
def test_groups_aliases_and_collectives_numbers(n, name):
    result = _run_collectives(n)
    assert _line(result, name) == f"SCENARIO {name} OK"
    assert result.returncode == 0, result.stderr[-3000:]
