"""`import sporelab` time and weight: target under 0.3 s, importing no matplotlib/ipywidgets/cupy.

Each sample is a fresh interpreter (`python -X importtime` would perturb the timing); the
interpreter's own start-up, measured the same way with `import numpy` only, is printed beside it
so the cost of sporelab itself is visible.
"""

import statistics
import subprocess
import sys

RUNS = 9
TARGET_S = 0.3
HEAVY = ("matplotlib", "ipywidgets", "cupy", "torch", "scipy")

_CODE = """
import time, sys
t0 = time.perf_counter()
import {module}
t1 = time.perf_counter()
print(t1 - t0, [m for m in {heavy!r} if m in sys.modules])
"""


def import_time(module):
    samples, heavy = [], []
    for _ in range(RUNS):
        out = subprocess.run([sys.executable, "-c", _CODE.format(module=module, heavy=HEAVY)],
                             capture_output=True, text=True, check=True).stdout.split(" ", 1)
        samples.append(float(out[0]))
        heavy = out[1].strip()
    return statistics.median(samples), heavy


def main():
    numpy_s, _ = import_time("numpy")
    sporelab_s, heavy = import_time("sporelab")
    verdict = "PASS" if sporelab_s < TARGET_S and heavy == "[]" else "FAIL"
    print(f"import numpy     {numpy_s * 1e3:7.1f} ms (median of {RUNS} fresh interpreters)")
    print(f"import sporelab  {sporelab_s * 1e3:7.1f} ms (includes numpy)  heavy modules loaded: {heavy}")
    print(f"target < {TARGET_S * 1e3:.0f} ms and none of {', '.join(HEAVY)}: {verdict}")
    return verdict == "PASS"


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
