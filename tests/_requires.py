"""What a test needs from outside the engine, and what happens when it is missing.

``make test`` installs mpi4py + MPICH, torch, Debian's chromium and the classroom's proxy
(configurable-http-proxy under classroom/node_modules). There a missing one is a broken install, so
a test that needs it FAILS; ``make test`` says so by setting ``SPORELAB_REQUIRE_ALL=1`` (``CI`` has
the same effect). Anywhere else (a plain ``pytest`` on a laptop) the test skips with the reason.

    torch = require("torch")          # module level or inside a test
    MPI = require("mpi")              # mpi4py's MPI, loaded, with MPICH's mpiexec next to python
    path = require("chromium")        # the browser's executable
    path = require("proxy")           # configurable-http-proxy

Every test that needs one of the four goes through ``require`` (or ``unavailable`` for a piece
that only some browser tests need, such as playwright), never ``pytest.importorskip``.
"""

import os
import shutil
import sys
from pathlib import Path

import pytest

SWITCH = "SPORELAB_REQUIRE_ALL"
REPO = Path(__file__).resolve().parents[1]
CHROMIUM = os.environ.get("SPORELAB_CHROMIUM") or "/usr/bin/chromium"
PROXY = REPO / "classroom" / "node_modules" / ".bin" / "configurable-http-proxy"
MPIEXEC = Path(sys.executable).parent / "mpiexec"


def _truthy(name):
    return os.environ.get(name, "").strip().lower() not in ("", "0", "false", "no")


def required():
    """Whether a missing dependency is a failure here: under ``make test`` (the switch) or in CI."""
    return _truthy(SWITCH) or _truthy("CI")


def unavailable(reason):
    """Fail with ``reason`` under ``make test``/CI, else skip (also at module level)."""
    if required():
        pytest.fail(f"{reason} ({SWITCH} or CI is set: `make test` installs it, so this test must run "
                    f"here, not skip)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def _torch():
    try:
        import torch
    except ImportError as error:
        unavailable(f"torch is not importable ({error}): `make test` installs the CPU wheel")
    return torch


def _mpi():
    try:
        from mpi4py import MPI
    except (ImportError, RuntimeError) as error:     # RuntimeError: mpi4py without an MPI library
        unavailable(f"mpi4py + MPICH are not usable ({error}): pip install -e '.[dist]'")
    if not MPIEXEC.exists():
        unavailable(f"{MPIEXEC} is missing: pip install -e '.[dist]' installs MPICH's mpiexec")
    return MPI


def _chromium():
    path = shutil.which(CHROMIUM) or (CHROMIUM if os.access(CHROMIUM, os.X_OK) else None)
    if path is None:
        unavailable(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium; "
                    f"`make test` installs it when run as root)")
    return path


def _proxy():
    if not os.access(PROXY, os.X_OK):
        unavailable(f"{PROXY} is missing: `make test` installs it (npm ci in classroom/)")
    return str(PROXY)


def _trustme():
    try:
        import trustme
    except ImportError as error:
        unavailable(f"trustme is not importable ({error}): `make test` installs it (the test extra)")
    return trustme


_NEEDS = {"torch": _torch, "mpi": _mpi, "chromium": _chromium, "proxy": _proxy, "trustme": _trustme}


def require(name):
    """The dependency ``name`` ('torch', 'mpi', 'chromium', 'proxy' or 'trustme'), or a skip/failure.

    Raises:
        ValueError: an unknown name (a typo must not turn into a silent skip).
    """
    if name not in _NEEDS:
        raise ValueError(f"require: the argument 'name' must be one of {sorted(_NEEDS)}, but got {name!r}.")
    return _NEEDS[name]()
