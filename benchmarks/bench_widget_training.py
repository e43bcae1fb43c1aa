"""Kernel CPU of one Play tick of TrainingExplorer: one training step plus its figure description
(resolved and packed for the browser by ``LiveFigure.show``), over 30 ticks after 5 warm-up ticks,
for both networks with the explorer's default settings (xavier_uniform, Adam, lr 0.05).

Target (issue 11): median <= 8 ms of kernel CPU (``time.process_time``) per played step, for
each network. The Play widget ticks every 150 ms, so the kernel is idle most of the time.

    cd /work/main && .venv/bin/python -m benchmarks.bench_widget_training
"""

import statistics
import sys
import time

from sporelab.widgets.training import TrainingExplorer

TARGET_MS = 8.0
WARMUP, TICKS = 5, 30


def tick_cpu(network):
    explorer = TrainingExplorer(network=network)
    explorer.tick_guard_s = 0.0               # ticks here come back to back on purpose
    for tick in range(1, WARMUP + 1):
        explorer.play.value = tick
    samples = []
    for tick in range(WARMUP + 1, WARMUP + TICKS + 1):
        renders = explorer.pane.renders
        start = time.process_time()
        explorer.play.value = tick
        samples.append((time.process_time() - start) * 1e3)
        if explorer.pane.renders != renders + 1 or explorer.errors.value:
            raise RuntimeError(f"tick {tick} did not show the figure once: {explorer.errors.value}")
    return samples


def main():
    print(f"{'network':8s} {'median ms':>10s} {'p90 ms':>8s}")
    medians = []
    for network in ("dense", "conv"):
        ordered = sorted(tick_cpu(network))
        median, p90 = statistics.median(ordered), ordered[int(0.9 * (len(ordered) - 1))]
        medians.append(median)
        print(f"{network:8s} {median:10.1f} {p90:8.1f}")
    verdict = "PASS" if max(medians) <= TARGET_MS else "FAIL"
    print(f"worst median {max(medians):.1f} ms of kernel CPU per played step (target <= {TARGET_MS:.0f} ms): {verdict}")
    return verdict == "PASS"


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
