"""ConvExplorer per control change, with the figure drawn in the browser: kernel CPU and bytes sent.

Run: ``cd /work/main && .venv/bin/python benchmarks/bench_widget_conv.py``

Every control is set, from the explorer's defaults, to its minimum, middle and maximum (sliders),
to each option (dropdowns), off and on (the checkbox), and each button is clicked. A change runs the
real ``nn.Conv2d``, builds the figure description and hands it to the ``LiveFigure``, which
resolves it and puts its wire form in the ``figure`` traitlet (headless: no frontend, so nothing
is drawn; the browser's drawing costs the kernel nothing). Per change it measures the process CPU
time (``time.process_time``, all threads, best of ``RUNS``) and the bytes of the wire form (the
JSON without its buffers plus the buffers). Prints the median and the worst controls against the
targets (median <= 8 ms of CPU, median <= 8 KB sent) and PASS/FAIL; exits 1 on FAIL.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from sporelab.widgets.convolution import ConvExplorer  # noqa: E402

CPU_MS, KBYTES = 8.0, 8.0
RUNS = 5


def wire_bytes(state):
    """Bytes of a widget state: its JSON without the binary buffers, plus the buffers."""
    buffers = []

    def strip(value):
        if isinstance(value, (memoryview, bytes, bytearray)):
            buffers.append(memoryview(value).nbytes)
            return None
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return [strip(item) for item in value]
        return value
    return len(json.dumps(strip(state), separators=(",", ":"))) + sum(buffers)


def changes(explorer):
    """(name, action) for every control value and button: sliders at min, middle and max."""
    found = []
    for name in ("seed", "out_channels", "kernel_size", "stride", "dilation", "padding", "group", "bias"):
        control = getattr(explorer, name)
        middle = control.min + round((control.max - control.min) / 2 / control.step) * control.step
        found += [(f"{name}={value:g}", name, value) for value in (control.min, middle, control.max)
                  if value != control.value]
    for name in ("source", "channels", "pad_mode", "weight_init"):
        options = getattr(explorer, name).options
        values = [option[1] if isinstance(option, tuple) else option for option in options]
        found += [(f"{name}={value}", name, value) for value in values if value != getattr(explorer, name).value]
    found += [("has_bias=True", "has_bias", True), ("tutorial", "tutorial_button", None)]
    return found


def one(explorer, name, value):
    """CPU ms and bytes of one change from the defaults (None if it showed an error or nothing new)."""
    explorer.reset_button.click()
    if name in ("seed", "bias"):
        explorer.has_bias.value = name == "bias"                 # bias_init acts with has_bias
        explorer.weight_init.value = "he_uniform" if name == "seed" else "edge"   # the seed draws
    renders = explorer.pane.renders
    start = time.process_time()
    if value is None:
        getattr(explorer, name).click()
    else:
        getattr(explorer, name).value = value
    cpu = (time.process_time() - start) * 1000.0
    if explorer.errors.value or explorer.pane.renders != renders + 1:
        return None
    return cpu, wire_bytes(explorer.pane.figure)


def main():
    explorer = ConvExplorer()
    rows = []
    for label, name, value in changes(explorer):
        runs = [one(explorer, name, value) for _ in range(RUNS)]
        if any(run is None for run in runs):
            print(f"  {label}: an error or no new figure (a bad combination from the defaults): skipped")
            continue
        rows.append((label, min(run[0] for run in runs), runs[0][1]))
    cpu = np.array([row[1] for row in rows])
    sent = np.array([row[2] for row in rows]) / 1000.0
    print("worst CPU:", ", ".join(f"{label} {ms:.1f} ms" for label, ms, _ in sorted(rows, key=lambda r: -r[1])[:5]))
    largest = sorted(rows, key=lambda r: -r[2])[:5]
    print("most bytes:", ", ".join(f"{label} {size / 1000:.1f} KB" for label, _, size in largest))
    verdict = "PASS" if np.median(cpu) <= CPU_MS and np.median(sent) <= KBYTES else "FAIL"
    print(f"ConvExplorer, {len(rows)} changes (best of {RUNS}): kernel CPU median {np.median(cpu):.2f} ms, "
          f"max {cpu.max():.1f} ms; sent median {np.median(sent):.1f} KB, max {sent.max():.1f} KB; "
          f"targets CPU <= {CPU_MS:.0f} ms, sent <= {KBYTES:.0f} KB (medians): {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
