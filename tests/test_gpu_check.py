"""`make gpu-check` (tools/gpu_check.py) and its notebook runner (tools/gpu_notebook.py), without a GPU."""

import json
import pathlib
import subprocess
import sys

import pytest
from tests._requires import require

import sporelab as ms

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "en" / "gluon_parameter.ipynb"


def _run(*args):
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_without_a_gpu_it_says_so_in_one_line_and_fails():
    if ms.num_gpus() > 0:
        pytest.skip("this machine has a GPU")
    done = _run("-m", "tools.gpu_check")
    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout.count("\n") == 1 and done.stdout.startswith("gpu-check: no NVIDIA GPU on this machine (")


def test_make_gpu_check_target_without_a_gpu():
    if ms.num_gpus() > 0:
        pytest.skip("this machine has a GPU")
    done = subprocess.run(["make", "-s", "gpu-check", f"GPU_PYTHON={sys.executable}"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 0 and "gpu-check: no NVIDIA GPU on this machine" in done.stdout


def test_the_notebook_on_the_stand_in_gpu_matches_the_stored_cpu_output():
    done = _run("-m", "tools.gpu_notebook", str(NOTEBOOK), "--stand-in")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().splitlines()[-1] == ("gluon_parameter.ipynb: 9 cells compared, 0 differ, "
                                                    "GPU tensors: x, out: PASS")


def test_the_notebook_runner_catches_a_changed_result_and_a_missing_gpu_branch(tmp_path):
    notebook = json.loads(NOTEBOOK.read_text())
    cell = next(c for c in notebook["cells"] if c["cell_type"] == "code" and "trainer.step" in "".join(c["source"]))
    cell["outputs"][0]["text"] = ["a: [0.9 0.9 0.9]\n", "c: [0.7 0.8 0.8]\n"]
    changed = tmp_path / "changed.ipynb"
    changed.write_text(json.dumps(notebook))
    done = _run("-m", "tools.gpu_notebook", str(changed), "--stand-in")
    assert done.returncode == 1 and "1 differ" in done.stdout and "c: [0.7 0.8 0.8]" in done.stdout
    done = _run("-m", "tools.gpu_notebook", str(NOTEBOOK))         # no GPU: the CPU branch runs
    if ms.num_gpus() == 0:
        assert done.returncode == 1 and "its gpu(0) branch did not run" in done.stdout


def test_context_names_are_the_only_thing_blanked():
    from tools import gpu_notebook
    rules = gpu_notebook.sanitize_rules()
    assert gpu_notebook.normalise("[cpu(0), gpu(1)] 0.5", rules) == "[<ctx>(0), <ctx>(1)] 0.5"
    assert gpu_notebook.normalise("gpu(0) 2", rules) != gpu_notebook.normalise("cpu(0) 3", rules)


def test_gpu_benchmark_skips_with_a_message_without_a_gpu():
    if ms.num_gpus() > 0:
        pytest.skip("this machine has a GPU")
    done = _run("-m", "benchmarks.bench_gpu")
    assert done.returncode == 0 and done.stdout.startswith("bench_gpu: skipped: ")


def test_gpu_benchmark_logic_on_the_stand_in_gpu_against_torch_cpu(monkeypatch, capsys):
    """The benchmark's measuring and reporting code, run on tiny shapes (no timing is asserted)."""
    torch = require("torch")
    from benchmarks import bench_gpu as bench
    from sporelab import device, nn
    from tests import _strict_gpu as strict_gpu
    monkeypatch.setattr(bench, "FORWARD_CASES", [((1, 3, 6, 7), 8), ((2, 4, 5, 5), 16)])
    monkeypatch.setattr(bench, "BATCH_CALLS", 2)
    monkeypatch.setattr(bench, "REPEATS", 1)
    monkeypatch.setattr(bench, "WARMUP", 0)
    previous = device._use_gpu_backend(strict_gpu.module())
    try:
        ms.set_context(device_target="GPU")
        rows = bench.forward_rows(ms, nn, torch, lambda: None, lambda: None, device="cpu")
        train = bench.training_row(ms, nn, torch, lambda: None, lambda: None, device="cpu")
    finally:
        ms.set_context(device_target="CPU")
        device._restore_gpu_backend(previous)
    result = bench.report(rows, train)
    out = capsys.readouterr().out
    assert [r[0] for r in result["rows"]] == ["Conv2d forward (1, 3, 6, 7)->8", "Conv2d forward (2, 4, 5, 5)->16",
                                              "bars network training step (batch 32)"]
    assert all(r[1] > 0 and r[2] > 0 for r in result["rows"]) and set(result["verdicts"]) == {"forward_geomean", "training_step"}
    assert "Conv2d forward geometric-mean ratio" in out and "training step ratio" in out
