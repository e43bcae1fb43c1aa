"""Shared by the MPI scenario scripts (run under ``mpiexec -n P python -m mpi4py``, not by pytest).

``scenario(name, check)`` runs ``check()`` on every rank, gathers each rank's failed expectations
and prints one line on rank 0: ``SCENARIO <name> OK`` or ``SCENARIO <name> FAIL rank r: <reason>``.
Checks call ``expect(condition, message)``, which records and never raises, so every rank still
reaches the same collectives and the next scenarios run. An exception aborts the whole job
(``-m mpi4py`` calls MPI_Abort) after naming its scenario on stderr, with its traceback.
"""

import os
import sys
import traceback

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from mpi4py import MPI

import sporelab as ms

COMM = MPI.COMM_WORLD
RANK, SIZE = COMM.Get_rank(), COMM.Get_size()
_failed = []


_expectations = []


def expect(condition, message):
    """Record a failed expectation (never raises: the other ranks may be heading for a collective)."""
    if not condition:
        _expectations.append(message)


def scenario(name, check):
    """Run ``check()`` on every rank; report on rank 0."""
    _expectations.clear()
    try:
        check()
    except BaseException:
        print(f"SCENARIO {name} ERROR on rank {RANK}:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
        raise
    verdict = "; ".join(_expectations) or None
    verdicts = COMM.gather(verdict, root=0)
    ms.reset_auto_parallel_context()
    ms.reset_ps_context()
    if RANK == 0:
        bad = [(r, v) for r, v in enumerate(verdicts) if v is not None]
        line = f"SCENARIO {name} OK" if not bad else "SCENARIO " + name + " FAIL " + "; ".join(
            f"rank {r}: {v}" for r, v in bad)
        print(line, flush=True)
        if bad:
            _failed.append(name)


def finish():
    """Exit non-zero (on every rank) when a scenario failed."""
    failed = COMM.bcast(len(_failed), root=0)
    if RANK == 0:
        print(f"DONE P={SIZE} failed={failed}", flush=True)
    sys.exit(1 if failed else 0)


def max_diff(a, b):
    return float(np.max(np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)))) if np.size(a) else 0.0


def assert_close(name, got, want, tol):
    d = max_diff(got, want)
    expect(d <= tol, f"{name}: max |difference| {d:.3g} > {tol:g}")


def same_on_all_ranks(array, root=0):
    """Whether ``array`` is bitwise equal to rank ``root``'s."""
    root = COMM.bcast(np.ascontiguousarray(array), root=root)
    return bool(np.array_equal(root, array) and root.dtype == np.asarray(array).dtype)


def values(net):
    return {p.name: p.asnumpy().copy() for p in net.get_parameters()}
