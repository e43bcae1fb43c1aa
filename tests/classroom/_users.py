"""Clean-up of a throw-away class: what a test or benchmark classroom leaves on the machine.

Test-only (the hub tests and benchmarks/classroom_load.py): a real class's students keep their
homes, so only the prefixes ``sporelab-test-`` and ``sporelab-bench-`` are accepted.
"""

import os
import pwd
import shutil
import subprocess
from pathlib import Path

from classroom.cgroups import MemoryCgroup
from classroom.folders import student_runtime_dir

THROWAWAY_PREFIXES = ("sporelab-test-", "sporelab-bench-")


def remove_test_users(prefix):
    """Delete the system users (with homes, runtime folders) and memory cgroups of a test or
    benchmark class whose user names start with ``prefix``; nothing to do without root.

    Raises:
        ValueError: if ``prefix`` is not a throw-away one.
    """
    if not prefix.startswith(THROWAWAY_PREFIXES):
        raise ValueError(f"prefix must start with 'sporelab-test-' or 'sporelab-bench-', got {prefix!r}")
    if os.geteuid() != 0:
        return
    for entry in pwd.getpwall():
        if entry.pw_name.startswith(prefix):
            # a runtime folder its server did not remove (a crashed hub), before the uid is free
            shutil.rmtree(student_runtime_dir(entry.pw_uid), ignore_errors=True)
            subprocess.run(["userdel", "-r", "-f", entry.pw_name], capture_output=True, timeout=60)
    for root in (Path(MemoryCgroup.V1_ROOT, MemoryCgroup.PARENT), Path(MemoryCgroup.V2_ROOT, MemoryCgroup.PARENT)):
        for path in root.glob(f"{prefix}*") if root.is_dir() else []:
            try:
                path.rmdir()
            except OSError:
                pass
