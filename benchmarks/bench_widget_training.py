"""Interaction latency of TrainingExplorer with the Agg backend: the time from a Play tick
(``explorer.play.value = n``) to the redrawn canvas (the PNG that ``pane.redraw()`` produced),
which is one training step plus one redraw, over 30 ticks after 5 warm-up ticks, for both
networks with the explorer's default settings (xavier_uniform, Adam, lr 0.05).

Target: median <= 100 ms per step including the redraw, for each network. The Play widget ticks
every 150 ms, so a tick that finishes well inside that leaves the kernel idle between ticks.

    cd /work/main && .venv/bin/python benchmarks/bench_widget_training.py
"""

import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

from sporelab.widgets.training import TrainingExplorer  # noqa: E402

TARGET_MS = 100.0
WARMUP, TICKS = 5, 30


def tick_latencies(network):
    explorer = TrainingExplorer(network=network)
    explorer.tick_guard_s = 0.0               # ticks here come back to back on purpose
    for tick in range(1, WARMUP + 1):
        explorer.play.value = tick
    samples = []
    for tick in range(WARMUP + 1, WARMUP + TICKS + 1):
        draws = explorer.pane.draws
        start = time.perf_counter()
        explorer.play.value = tick
        samples.append((time.perf_counter() - start) * 1e3)
        if explorer.pane.draws != draws + 1 or explorer.errors.value:
            raise RuntimeError(f"tick {tick} did not redraw once: {explorer.errors.value}")
    return samples, explorer.pane.full_draws


def main():
    print(f"{'network':8s} {'median ms':>10s} {'p90 ms':>8s} {'full static draws':>18s}")
    medians = []
    for network in ("dense", "conv"):
        samples, full = tick_latencies(network)
        ordered = sorted(samples)
        median, p90 = statistics.median(ordered), ordered[int(0.9 * (len(ordered) - 1))]
        medians.append(median)
        print(f"{network:8s} {median:10.1f} {p90:8.1f} {full:18d}")
    verdict = "PASS" if max(medians) <= TARGET_MS else "FAIL"
    print(f"worst median {max(medians):.1f} ms per training step incl. redraw (target <= {TARGET_MS:.0f} ms): {verdict}")
    return verdict == "PASS"


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
