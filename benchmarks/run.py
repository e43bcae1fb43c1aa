"""Run every benchmark in this folder (`make bench`); each prints its ratios and PASS/FAIL."""

import pathlib
import platform
import subprocess
import sys
import datetime


def main():
    here = pathlib.Path(__file__).parent
    # As modules from the repository root (`python -m benchmarks.bench_x`), so that a benchmark
    # imports its neighbours and the repository's packages by name.
    print(f"sporelab benchmarks, {datetime.date.today()}, {platform.machine()}, "
          f"{platform.processor() or platform.platform()}, python {platform.python_version()}")
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n== {script.name}", flush=True)
        if subprocess.run([sys.executable, "-m", f"benchmarks.{script.stem}"], cwd=here.parent).returncode != 0:
            failed.append(script.name)
    print("\nall targets met" if not failed else f"\ntargets missed in: {', '.join(failed)}")
    return not failed


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
