"""`make gpu-check`: everything about the GPU path, on a machine with an NVIDIA GPU, in one command.

1. finds the GPU (``nvidia-smi -L``, else CuPy's device count); without one it prints one line
   saying so and exits 1;
2. makes sure CuPy works: a working CuPy is used as it is (a GPU machine without network access
   that already has CuPy, torch and pytest needs nothing else); otherwise it installs the ``gpu``
   extra (``pip install -e '.[gpu]'``); pytest and hypothesis likewise;
3. runs every ``gpu``-marked test (tests/gpu/) against real CuPy (``SPORELAB_REAL_GPU=1``: the
   stand-in GPU is refused) and the fused-kernel tests (tests/ops/test_conv_cuda.py);
4. runs notebooks/en/gluon_parameter.ipynb on gpu(0) and compares its printed results with the
   stored CPU ones, context names aside (``python -m tools.gpu_notebook``);
5. runs the GPU benchmarks (``python -m benchmarks.bench_gpu``);
6. prints one Markdown table (paste it into benchmarks/README.md with the GPU's name and the date).

The Python used is the one running this script (``make gpu-check GPU_PYTHON=...`` to choose:
``python -m tools.gpu_check`` from the repository root); sporelab, the tools and the tests' helpers
are imported from this checkout (its root first on ``PYTHONPATH``). Exit status 0 only when every step passed.
"""

import datetime
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PY = sys.executable
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
       "SPORELAB_REAL_GPU": "1"}


def run(args, timeout=900):
    """(return code, stdout + stderr) of a command in the checkout; 124 on timeout."""
    try:
        done = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=timeout)
        return done.returncode, done.stdout + done.stderr
    except subprocess.TimeoutExpired as error:
        return 124, f"timed out after {timeout} s\n{error.stdout or ''}"


def find_gpu():
    """(name of GPU 0, None) or (None, why there is none)."""
    if shutil.which("nvidia-smi"):
        code, out = run(["nvidia-smi", "-L"], timeout=30)
        names = re.findall(r"^GPU \d+: (.+?)(?: \(UUID.*)?$", out, re.M) if code == 0 else []
        if names:
            return names[0], None
        why = f"nvidia-smi lists no GPU ({out.strip().splitlines()[-1] if out.strip() else 'no output'})"
    else:
        why = "nvidia-smi is not installed"
    code, out = run([PY, "-c", "import cupy; n = cupy.cuda.runtime.getDeviceCount(); "
                               "print(cupy.cuda.runtime.getDeviceProperties(0)['name'].decode() if n else '')"], 60)
    if code == 0 and out.strip():
        return out.strip().splitlines()[-1], None
    return None, why + " and CuPy sees none"


def importable(module):
    return run([PY, "-c", f"import {module}"], timeout=120)[0] == 0


def ensure_packages():
    """(ok, detail): a working CuPy (installed from the gpu extra when missing), pytest, hypothesis."""
    notes = []
    if not importable("cupy"):
        code, out = run([PY, "-m", "pip", "install", "--quiet", "-e", ".[gpu]"], timeout=1200)
        notes.append("installed the gpu extra" if code == 0 else "pip could not install the gpu extra "
                     f"({out.strip().splitlines()[-1] if out.strip() else code})")
    for module, package in (("pytest", "pytest"), ("hypothesis", "hypothesis")):
        if not importable(module):
            code, _ = run([PY, "-m", "pip", "install", "--quiet", package], timeout=600)
            notes.append(f"installed {package}" if code == 0 else f"{package} missing and not installable")
    code, out = run([PY, "-c", "import cupy, sporelab as ms; assert ms.num_gpus() > 0, 'ms.num_gpus() == 0'; "
                               "print('CuPy', cupy.__version__)"], timeout=120)
    if code != 0:
        return False, "; ".join(notes + [f"CuPy unusable: {out.strip().splitlines()[-1] if out.strip() else code}"])
    return True, "; ".join(notes + [out.strip().splitlines()[-1] + (" (already there)" if not notes else "")])


def pytest_step(paths):
    code, out = run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths], timeout=1800)
    summary = [line for line in out.strip().splitlines() if re.search(r"\d+ (passed|failed|error)", line)]
    detail = summary[-1].strip("= ") if summary else out.strip()[-300:]
    if code != 0:
        print(out[-6000:])
    return code == 0, detail


def notebook_step():
    code, out = run([PY, "-m", "tools.gpu_notebook", "notebooks/en/gluon_parameter.ipynb"], timeout=600)
    if code != 0:
        print(out[-6000:])
    return code == 0, out.strip().splitlines()[-1] if out.strip() else f"exit {code}"


def bench_step():
    """(ok, detail, rows) from benchmarks/bench_gpu.py."""
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "bench.json")
        code, out = run([PY, "-m", "benchmarks.bench_gpu", "--json", path], timeout=1200)
        print(out.strip())
        if not os.path.exists(path):
            return False, out.strip().splitlines()[-1] if out.strip() else f"exit {code}", []
        with open(path) as f:
            result = json.load(f)
    detail = f"forward geometric-mean ratio {result['forward_geomean']:.2f}"
    return code == 0, detail, result["rows"]


def table(gpu, steps, rows):
    lines = [f"sporelab gpu-check, {datetime.date.today()}, GPU: {gpu}, Python {sys.version.split()[0]}", "",
             "| step | result | detail |", "|---|---|---|"]
    lines += [f"| {name} | {'PASS' if ok else 'FAIL'} | {detail} |" for name, ok, detail in steps]
    if rows:
        lines += ["", "| benchmark | sporelab | torch | ratio |", "|---|---|---|---|"]
        lines += [f"| {name} | {ours * 1e3:.4f} ms | {theirs * 1e3:.4f} ms | {ours / theirs:.2f} |"
                  for name, ours, theirs in rows]
    return "\n".join(lines)


def main():
    gpu, why = find_gpu()
    if gpu is None:
        print(f"gpu-check: no NVIDIA GPU on this machine ({why}); run `make gpu-check` on one with a GPU.")
        return 1
    steps, rows = [], []
    ok, detail = ensure_packages()
    steps.append(("CuPy and test packages", ok, detail))
    if ok:
        steps.append(("gpu-marked tests on real CuPy", *pytest_step(["-m", "gpu", "tests/gpu"])))
        steps.append(("fused Conv2d kernels, stand-in vs CuPy", *pytest_step(["tests/ops/test_conv_cuda.py",
                                                                          "tests/test_strict_gpu.py"])))
        steps.append(("gluon_parameter notebook on gpu(0) vs stored CPU output", *notebook_step()))
        ok, detail, rows = bench_step()
        steps.append(("GPU benchmarks (targets <= 2x torch)", ok, detail))
    print()
    print(table(gpu, steps, rows))
    return 0 if all(ok for _, ok, _ in steps) else 1


if __name__ == "__main__":
    sys.exit(main())
