"""Reference workloads printing ratios against peers (``make bench``, not part of ``make test``).

Each benchmark runs as a module from the repository root: ``python -m benchmarks.bench_conv``.
"""
