"""Initializer speed against PyTorch, and the laziness of ``initializer()``.

Run: ``cd /work/main && .venv/bin/python -m benchmarks.bench_init``

For 10**7 float32 values, in the same process and on the same cores:

* ``Normal``          vs ``torch.empty(n).normal_()``                  target: ratio <= 1.2
* ``TruncatedNormal`` vs ``torch.nn.init.trunc_normal_(torch.empty(n))`` target: ratio <= 0.5

Each time is the median of 7 runs after one warm-up, filling a preallocated array (as
``init_data()`` does after its ``np.empty``), so both sides measure the sampling alone. The ratio
is sporelab / torch: below 1 means sporelab is faster. A missing torch skips the comparison.
"""

import sys
import tracemalloc

import numpy as np

import sporelab as ms
from sporelab.common.initializer import Normal, TruncatedNormal, initializer

from benchmarks._timing import median_seconds

N = 10 ** 7


def compare(label, ours, theirs, target):
    t_ours = median_seconds(ours)
    if theirs is None:
        print(f"{label:16s} sporelab {t_ours * 1e3:8.1f} ms   torch: not installed, skipped")
        return True
    t_torch = median_seconds(theirs)
    ratio = t_ours / t_torch
    verdict = "PASS" if ratio <= target else "FAIL"
    print(f"{label:16s} sporelab {t_ours * 1e3:8.1f} ms   torch {t_torch * 1e3:8.1f} ms   "
          f"ratio {ratio:5.2f}   target <= {target}   {verdict}")
    return ratio <= target


def check_lazy():
    tracemalloc.start()
    tensor = initializer("normal", [100000, 100000], ms.float32)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    declared = tensor.size * tensor.itemsize
    lazy = tensor.has_init and tensor._data is None and peak < 1 << 20
    print(f"lazy declare     initializer('normal', [100000, 100000]): declares {declared / 2**30:.1f} GiB, "
          f"traced peak {peak / 1024:.1f} KiB, has_init={tensor.has_init}, "
          f"storage={'None' if tensor._data is None else 'ALLOCATED'}   {'PASS' if lazy else 'FAIL'}")
    return lazy


def main():
    try:
        import torch
    except ImportError:
        torch = None
    ms.set_seed(0)
    arr = np.empty(N, np.float32)
    normal, truncated = Normal(sigma=1.0), TruncatedNormal(sigma=1.0)
    if torch is not None:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; numpy {np.__version__}; "
              f"n = {N:,} float32")
        t = torch.empty(N)
        torch_normal = t.normal_
        torch_trunc = lambda: torch.nn.init.trunc_normal_(t)       # noqa: E731
    else:
        torch_normal = torch_trunc = None
    ok = compare("Normal", lambda: normal(arr), torch_normal, 1.2)
    ok &= compare("TruncatedNormal", lambda: truncated(arr), torch_trunc, 0.5)
    end_to_end = median_seconds(lambda: initializer(normal, [N], ms.float32).init_data())
    print(f"{'(info)':16s} initializer(Normal(1.0), [10**7]).init_data() end to end, with the "
          f"np.empty and its page faults: {end_to_end * 1e3:.1f} ms")
    ok &= check_lazy()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
