"""Data-parallel scaling over MPI: samples per second of the reference training network with 256
samples a step, one process against P processes with one BLAS thread each.

The time around the gradient all-reduce is split in two: *wait* (a Barrier first: the ranks
reaching the all-reduce at different times, i.e. load imbalance, which on a shared machine is
mostly other programs taking a core) and *communication* (the all-reduce itself, after the
Barrier). Both are printed; the target applies to communication.

Reference network and data: bench_train.py's (Conv2d(1, 4, 3, same) + ReLU + Flatten +
Dense(576, 2), softmax cross-entropy, 12x12 bar images). Each of P processes takes 256/P samples;
``TrainOneStepCell`` all-reduces the gradients (gradients_mean). Targets: P=2 reaches >= 1.6x the
samples/s of P=1, and the communication share of a step at P=2 (on the slowest rank) is <= 15 %.
P=4 (oversubscribed on 2 cores) is reported as measured.

Run: ``python -m benchmarks.bench_data_parallel`` (it launches ``mpiexec`` itself).
"""

import json
import os
import subprocess
import sys
import time

BATCH, STEPS, WARMUP = 256, 40, 5
SPEEDUP_TARGET, COMM_TARGET = 1.6, 0.15


def worker():

    import sporelab as ms
    from sporelab import datasets, nn
    from sporelab.communication import _mpi, get_group_size, get_rank, init

    init()
    rank, size = get_rank(), get_group_size()
    comm = _mpi.comm_world()
    ms.set_seed(0)
    if size > 1:
        ms.set_auto_parallel_context(parallel_mode="data_parallel", gradients_mean=True)
    net = nn.SequentialCell([nn.Conv2d(1, 4, 3, has_bias=True), nn.ReLU(), nn.Flatten(), nn.Dense(576, 2)])
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")),
                               nn.SGD(net.trainable_params(), 0.01))
    spent = [0.0, 0.0]                      # wait, communication
    if step.grad_reducer is not None:
        reduce = step.grad_reducer.construct

        def timed(grads):
            t0 = time.perf_counter()
            comm.Barrier()
            t1 = time.perf_counter()
            out = reduce(grads)
            spent[0] += t1 - t0
            spent[1] += time.perf_counter() - t1
            return out
        object.__setattr__(step.grad_reducer, "construct", timed)
    x, y = datasets.bars(BATCH, seed=1)
    local = BATCH // size
    xs, ys = ms.Tensor(x[rank * local:(rank + 1) * local]), ms.Tensor(y[rank * local:(rank + 1) * local])
    for _ in range(WARMUP):
        step(xs, ys)
    comm.Barrier()
    spent[:] = [0.0, 0.0]
    start = time.perf_counter()
    for _ in range(STEPS):
        step(xs, ys)
    comm.Barrier()
    elapsed = time.perf_counter() - start
    shares = comm.gather((spent[0] / elapsed, spent[1] / elapsed), root=0)
    if rank == 0:
        print(json.dumps({"P": size, "samples_per_s": BATCH * STEPS / elapsed,
                          "wait_share": max(w for w, _ in shares), "comm_share": max(c for _, c in shares)}))


def run(p):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    cmd = [mpiexec, "-n", str(p), sys.executable, "-m", "mpi4py", os.path.abspath(__file__), "--worker"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    results = {p: run(p) for p in (1, 2, 4)}
    print(f"{'P':>2s} {'samples/s':>10s} {'speed-up':>9s} {'comm share':>11s} {'wait share':>11s}   "
          f"({BATCH} samples a step, {STEPS} steps)")
    for p, r in results.items():
        print(f"{p:2d} {r['samples_per_s']:10.0f} {r['samples_per_s'] / results[1]['samples_per_s']:9.2f} "
              f"{r['comm_share'] * 100:10.1f}% {r['wait_share'] * 100:10.1f}%")
    speedup = results[2]["samples_per_s"] / results[1]["samples_per_s"]
    ok = speedup >= SPEEDUP_TARGET and results[2]["comm_share"] <= COMM_TARGET
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(other programs slow the ranks unevenly)")
    print(f"P=2: speed-up {speedup:.2f} (target >= {SPEEDUP_TARGET}), "
          f"communication {results[2]['comm_share'] * 100:.1f}% "
          f"(target <= {COMM_TARGET * 100:.0f}%): {'PASS' if ok else 'FAIL'}; P=4 is oversubscribed on "
          f"{os.cpu_count()} cores, reported only")
    return ok


if __name__ == "__main__":
    if "--worker" in sys.argv:
        worker()
    else:
        sys.exit(0 if main() else 1)
