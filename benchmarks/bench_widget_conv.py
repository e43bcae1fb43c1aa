"""ConvExplorer interaction latency with the Agg backend: control change -> redrawn PNG.

Run: ``cd /work/main && .venv/bin/python benchmarks/bench_widget_conv.py``

Each of 30 changes sets one control's ``.value`` (kernel_size, stride, out_channels, pad_mode,
dilation, weight_init, seed, channels, input) starting from the default photo input; the observer
runs the real ``nn.Conv2d``, updates the artists in place and renders the PNG that
``pane.redraw()`` shows. The sequence is replayed ``RUNS`` times, each time on a new explorer with
the text-stamp cache emptied (so every run pays for its first renders), and each change keeps its
best wall time: the machine's other work only ever adds to a time. Prints the median and p90 in
ms against the target (median <= 50 ms), the CPU time per change for reference, and PASS/FAIL;
exits 1 on FAIL.
"""

import os
import sys
import time

import matplotlib

matplotlib.use("Agg")

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from sporelab.widgets._fastdraw import StampedText  # noqa: E402
from sporelab.widgets.convolution import ConvExplorer  # noqa: E402

TARGET_MS = 50.0
RUNS = 5
CHANGES = [("kernel_size", 5), ("stride", 2), ("out_channels", 8), ("pad_mode", "valid"),
           ("dilation", 2), ("weight_init", "he_uniform"), ("seed", 3), ("channels", 3),
           ("kernel_size", 3), ("stride", 1), ("out_channels", 16), ("pad_mode", "same"),
           ("dilation", 1), ("weight_init", "gaussian"), ("seed", 7), ("source", "disc"),
           ("kernel_size", 7), ("weight_init", "sharpen"), ("out_channels", 4), ("channels", 1),
           ("source", "checkerboard"), ("stride", 3), ("weight_init", "xavier_normal"),
           ("kernel_size", 9), ("out_channels", 64), ("pad_mode", "valid"), ("stride", 1),
           ("weight_init", "edge"), ("pad_mode", "same"), ("kernel_size", 3)]


def one_run():
    """Wall and CPU milliseconds of each change on a fresh explorer, or None if one failed."""
    StampedText._STAMPS.clear()
    explorer = ConvExplorer()
    explorer.pane.png()                      # the first full render is not an interaction
    wall, cpu = [], []
    for name, value in CHANGES:
        draws = explorer.pane.draws
        start, start_cpu = time.perf_counter(), time.process_time()
        getattr(explorer, name).value = value
        wall.append((time.perf_counter() - start) * 1000.0)
        cpu.append((time.process_time() - start_cpu) * 1000.0)
        if explorer.pane.draws != draws + 1 or explorer.errors.value:
            print(f"change {name}={value!r} did not redraw exactly once: {explorer.errors.value}")
            return None
    return wall, cpu


def main():
    runs = [one_run() for _ in range(RUNS)]
    if any(run is None for run in runs):
        return 1
    wall = np.min([run[0] for run in runs], axis=0)
    cpu = np.min([run[1] for run in runs], axis=0)
    median, p90 = np.median(wall), np.percentile(wall, 90)
    verdict = "PASS" if median <= TARGET_MS else "FAIL"
    print(f"ConvExplorer, {len(CHANGES)} control changes, best of {RUNS} runs (Agg, 80 dpi PNG): "
          f"median {median:.1f} ms, p90 {p90:.1f} ms (process CPU, all threads: median {np.median(cpu):.1f} ms); "
          f"target median <= {TARGET_MS:.0f} ms: {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
