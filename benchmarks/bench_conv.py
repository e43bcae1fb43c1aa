"""Conv2d forward speed: sporelab against PyTorch on the CPU, float32, pad 'same', 3x3 kernels.

Run: ``cd /work/main && .venv/bin/python -m benchmarks.bench_conv``

For each shape it times ``torch.nn.functional.conv2d`` (under ``torch.no_grad()``, torch's own
thread count), sporelab's whole layer call ``nn.Conv2d(...)(x)`` and its bare kernel
``ops.conv2d_forward``, prints the best time per call and the ratios sporelab / torch, and
checks the geometric mean of the layer ratios against the target (<= 1.5). Exits 1 on FAIL.
"""

import math
import os
import sys
import time

import numpy as np

import sporelab as ms
from sporelab import nn
from sporelab.ops.conv import conv2d_forward

TARGET = 1.5
SHAPES = [  # (N, C_in, H, W, C_out)
    (1, 3, 16, 50, 64),
    (32, 3, 64, 64, 64),
    (64, 64, 32, 32, 128),
]


def best_times(fns, passes=3, warmup_s=0.2, min_round_s=0.05, rounds=5):
    """Best mean seconds per call of each function in ``fns`` (a dict).

    The functions are timed one after another (never interleaved call by call: NumPy's BLAS and
    torch's OpenMP threads spin for a while after each call and would steal each other's cores),
    each after ``warmup_s`` of calls (first calls pay for page faults, allocator growth, waking
    threads). The whole sequence is repeated ``passes`` times so that a burst from a noisy
    neighbour on a shared machine does not decide the result; the best round is kept.
    """
    best = dict.fromkeys(fns, math.inf)
    for _ in range(passes):
        for name, fn in fns.items():
            start, calls = time.perf_counter(), 0
            while calls < 2 or time.perf_counter() - start < warmup_s:
                fn()
                calls += 1
            number = max(1, int(min_round_s * calls / (time.perf_counter() - start)))
            for _ in range(rounds):
                start = time.perf_counter()
                for _ in range(number):
                    fn()
                best[name] = min(best[name], (time.perf_counter() - start) / number)
    return best


def bench_shape(shape, torch):
    n, c, h, w, o = shape
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, c, h, w), dtype=np.float32)
    weight = rng.standard_normal((o, c, 3, 3), dtype=np.float32)
    net = nn.Conv2d(c, o, 3, weight_init=ms.Tensor(weight))
    x_t = ms.Tensor(x)
    out = net(x_t).asnumpy()
    fns = {"layer": lambda: net(x_t),
           "kernel": lambda: conv2d_forward(np, x, weight, (1, 1), (1, 1, 1, 1), (1, 1), 1)}
    result = {}
    if torch is not None:
        tx, tw = torch.from_numpy(x), torch.from_numpy(weight)
        with torch.no_grad():
            ref = torch.nn.functional.conv2d(tx, tw, padding=1).numpy()
        result["max_rel_err"] = float(np.abs(out - ref).max()) / float(np.abs(ref).max())

        def torch_conv():
            with torch.no_grad():
                return torch.nn.functional.conv2d(tx, tw, padding=1)
        fns["torch"] = torch_conv
    result.update(best_times(fns))
    return result


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main():
    try:
        import torch
    except ImportError:
        torch = None
        print("torch is not installed: timing sporelab alone (no ratios, no verdict).")
    threads = torch.get_num_threads() if torch is not None else "-"
    print(f"numpy {np.__version__}, torch {getattr(torch, '__version__', '-')} ({threads} threads), "
          f"{os.cpu_count()} CPUs; float32, pad 'same', 3x3 kernel, best mean time per call")
    print(f"{'shape (N,C,H,W)->O':<26}{'torch ms':>10}{'layer ms':>10}{'kernel ms':>11}"
          f"{'layer/torch':>13}{'kernel/torch':>14}{'max rel err':>13}")
    layer_ratios, kernel_ratios = [], []
    for shape in SHAPES:
        r = bench_shape(shape, torch)
        label = f"{shape[:4]}->{shape[4]}"
        if torch is None:
            print(f"{label:<26}{'-':>10}{r['layer'] * 1e3:>10.3f}{r['kernel'] * 1e3:>11.3f}")
            continue
        layer_ratios.append(r["layer"] / r["torch"])
        kernel_ratios.append(r["kernel"] / r["torch"])
        print(f"{label:<26}{r['torch'] * 1e3:>10.3f}{r['layer'] * 1e3:>10.3f}{r['kernel'] * 1e3:>11.3f}"
              f"{layer_ratios[-1]:>13.2f}{kernel_ratios[-1]:>14.2f}{r['max_rel_err']:>13.1e}")
    if torch is None:
        return True
    layer_gm, kernel_gm = geomean(layer_ratios), geomean(kernel_ratios)
    verdict = "PASS" if layer_gm <= TARGET else "FAIL"
    print(f"geometric mean sporelab/torch: layer {layer_gm:.2f}, kernel {kernel_gm:.2f} "
          f"(target <= {TARGET}): {verdict}")
    return layer_gm <= TARGET


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
