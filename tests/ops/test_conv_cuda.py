"""The fused CUDA convolution kernels (sporelab/ops/conv_kernels.py, launched by ops/conv_cuda.py).

Without a GPU: the very same source is compiled as C++ for the host by the strict stand-in GPU
(tests/_strict_gpu.py) and checked against the NumPy im2col path over random geometries, and it is
compile-checked as CUDA by NVRTC (through CuPy's binding, when CuPy is installed) or by nvcc."""

import shutil
import subprocess

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sporelab import device
from sporelab.ops import conv_cuda, conv_kernels
from sporelab.ops.conv import conv2d_backward, conv2d_forward, conv_output_size
from tests import _strict_gpu as strict_gpu
from tests.ops.test_conv_kernel import conv_cases


needs_compiler = pytest.mark.skipif(strict_gpu.host_compiler() is None, reason="no host C++ compiler (g++)")


def _nvrtc():
    """CuPy's NVRTC binding, or None when CuPy or the NVRTC library is not installed. Any other
    error (a broken CuPy, an NVRTC that fails otherwise) propagates: it must not look like "absent"."""
    try:
        from cupy.cuda import nvrtc
    except ModuleNotFoundError as error:
        if error.name == "cupy":
            return None
        raise
    try:
        nvrtc.getVersion()
    except RuntimeError as error:              # CuPy >= 13: "CuPy failed to load libnvrtc.so.12: OSError: ..."
        if "failed to load libnvrtc" in str(error) and "cannot open shared object file" in str(error):
            return None
        raise
    return nvrtc


def _fake_cupy(monkeypatch, get_version):
    import sys
    import types
    cupy, cuda, nvrtc = (types.ModuleType(n) for n in ("cupy", "cupy.cuda", "cupy.cuda.nvrtc"))
    nvrtc.getVersion, cuda.nvrtc, cupy.cuda = get_version, nvrtc, cuda
    cupy.__path__, cuda.__path__ = [], []                                # packages, as CuPy's are
    for name, module in (("cupy", cupy), ("cupy.cuda", cuda), ("cupy.cuda.nvrtc", nvrtc)):
        monkeypatch.setitem(sys.modules, name, module)
    return nvrtc


def _raise(error):
    def call():
        raise error
    return call


def test_nvrtc_is_absent_only_when_cupy_or_libnvrtc_is_not_installed(monkeypatch):
    import sys
    class NoCupy:                                                        # CuPy not installed
        def find_spec(self, name, path=None, target=None):
            if name == "cupy":
                raise ModuleNotFoundError("No module named 'cupy'", name="cupy")
    for name in [m for m in sys.modules if m == "cupy" or m.startswith("cupy.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setattr(sys, "meta_path", [NoCupy(), *sys.meta_path])
    assert _nvrtc() is None
    monkeypatch.setattr(sys, "meta_path", sys.meta_path[1:])
    _fake_cupy(monkeypatch, _raise(RuntimeError("CuPy failed to load libnvrtc.so.12: OSError: libnvrtc.so.12: "
                                                "cannot open shared object file: No such file or directory")))
    assert _nvrtc() is None
    working = _fake_cupy(monkeypatch, lambda: (12, 4))
    assert _nvrtc() is working
    _fake_cupy(monkeypatch, _raise(RuntimeError("nvrtc: NVRTC_ERROR_INTERNAL_ERROR")))
    with pytest.raises(RuntimeError, match="INTERNAL_ERROR"):
        _nvrtc()
    monkeypatch.setitem(sys.modules, "cupy.cuda", None)                  # CuPy there, its binding broken
    with pytest.raises(ImportError):
        _nvrtc()


# Decided by what is installed on the machine (CuPy's NVRTC or nvcc), before the test runs.
@pytest.mark.skipif(_nvrtc() is None and shutil.which("nvcc") is None,
                    reason="neither CuPy's NVRTC nor nvcc is installed")
def test_every_kernel_compiles_as_cuda(tmp_path):
    """NVRTC through CuPy's own binding (works without a GPU), else nvcc; skipped with neither."""
    nvrtc = _nvrtc()
    if nvrtc is not None:
        program = nvrtc.createProgram(conv_kernels.SOURCE, "conv_kernels.cu", [], [])
        try:
            nvrtc.compileProgram(program, ["-arch=compute_80", "--std=c++14"])
        except Exception as error:  # noqa: BLE001 -- any rejection fails the test, with NVRTC's log
            pytest.fail(f"NVRTC rejected the kernels: {error}\n{nvrtc.getProgramLog(program)}")
        ptx = nvrtc.getPTX(program).decode()
    else:
        source = tmp_path / "conv_kernels.cu"
        source.write_text(conv_kernels.SOURCE)
        done = subprocess.run(["nvcc", "--ptx", "-arch=compute_80", "-std=c++14", str(source), "-o",
                               str(tmp_path / "k.ptx")], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        ptx = (tmp_path / "k.ptx").read_text()
    for name in conv_kernels.KERNEL_NAMES:
        assert f".entry {name}(" in ptx


@pytest.fixture(scope="module")
def xp():
    gpu = strict_gpu.module(n_devices=1)
    previous = device._use_gpu_backend(gpu)
    yield gpu
    device._restore_gpu_backend(previous)


def _run_both(xp, case, seed, dtype, splits_threads):
    n, c, o, kernel, stride, dilation, pads, groups, (h, w) = case
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, c, h, w)).astype(dtype)
    weight = rng.standard_normal((o, c // groups) + kernel).astype(dtype)
    bias = rng.standard_normal(o).astype(dtype)
    out_hw = tuple(conv_output_size((h, w)[i], kernel[i], stride[i], dilation[i], pads[2 * i], pads[2 * i + 1])
                   for i in range(2))
    g = rng.standard_normal((n, o) + out_hw).astype(dtype)
    on = [xp.asarray(a) for a in (x, weight, bias, g)]
    geometry = (stride, pads, dilation, groups)
    y = conv_cuda.forward(xp, on[0], on[1], on[2], *geometry, out_hw)
    saved, conv_cuda.WEIGHT_THREADS = conv_cuda.WEIGHT_THREADS, splits_threads
    try:
        grads = conv_cuda.backward(xp, on[3], on[0], on[1], *geometry)
    finally:
        conv_cuda.WEIGHT_THREADS = saved
    expected_y = conv2d_forward(np, x, weight, *geometry) + bias.reshape(1, -1, 1, 1)
    expected = conv2d_backward(np, g, x, weight, *geometry)
    return [device.to_host(a) for a in (y, *grads)], [expected_y, *expected]


@needs_compiler
@settings(max_examples=40, deadline=None)
@given(conv_cases(), st.integers(0, 2**32 - 1), st.sampled_from([1, 1 << 17]))
def test_kernels_match_the_im2col_path_in_float64(xp, case, seed, threads):
    got, expected = _run_both(xp, case, seed, np.float64, threads)
    for a, b in zip(got, expected):
        assert a.dtype == np.float64 and a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)


@needs_compiler
@pytest.mark.parametrize("case", [
    (4, 3, 8, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 1, (16, 50)),     # the teaching shape, 'same'
    (3, 6, 6, (3, 2), (2, 1), (1, 2), (0, 1, 2, 1), 3, (9, 11)),      # 'pad', stride, dilation, groups
    (2, 4, 4, (5, 5), (3, 3), (2, 2), (0, 0, 0, 0), 2, (20, 17)),     # 'valid'
    (2, 8, 16, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 1, (7, 9)),      # tiled forward: 16 channels
    (3, 6, 27, (3, 3), (2, 1), (2, 1), (2, 1, 0, 3), 3, (11, 6)),     # tiled, 9 per group: a remainder
    (1, 3, 64, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 1, (16, 50))])   # the benchmark's first shape
def test_kernels_match_the_im2col_path_in_float32(xp, case):
    got, expected = _run_both(xp, case, 0, np.float32, 1 << 17)
    for a, b in zip(got, expected):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5 * np.abs(b).max())


@needs_compiler
@settings(max_examples=25, deadline=None)
@given(conv_cases(), st.integers(8, 19), st.integers(0, 2**32 - 1))
def test_the_tiled_forward_matches_for_any_channel_count(xp, case, per_group, seed):
    n, c, _, kernel, stride, dilation, pads, groups, hw = case
    case = (n, c, groups * per_group, kernel, stride, dilation, pads, groups, hw)
    got, expected = _run_both(xp, case, seed, np.float64, 1 << 17)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-10, atol=1e-10)


def test_only_float32_and_float64_use_the_kernels(xp):
    assert conv_cuda.available(xp, np.float32) and conv_cuda.available(xp, np.float64)
    assert not conv_cuda.available(xp, np.float16) and not conv_cuda.available(np, np.float32)
    assert not conv_cuda.available(strict_gpu.module(kernels=False), np.float32)


@needs_compiler
def test_non_contiguous_inputs_are_made_contiguous_before_the_launch(xp):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 8, 10))
    w = rng.standard_normal((8, 3, 3, 3))
    strided_x, strided_w = xp.asarray(x)[:, :, :, ::2], xp.asarray(w).transpose(0, 1, 3, 2)
    assert not strided_x.flags.c_contiguous and not strided_w.flags.c_contiguous
    geometry = ((1, 1), (1, 1, 1, 1), (1, 1), 1)
    y = conv_cuda.forward(xp, strided_x, strided_w, None, *geometry, (8, 5))
    expected = conv2d_forward(np, x[:, :, :, ::2], w.transpose(0, 1, 3, 2), *geometry)
    np.testing.assert_allclose(device.to_host(y), expected, rtol=1e-12, atol=1e-12)


@needs_compiler
@pytest.mark.parametrize("splits", [2, 3, 4])
def test_weight_gradient_with_splits_that_do_not_divide_the_batch(xp, monkeypatch, splits):
    """N = 7 samples over S = 2, 3, 4 splits (uneven: 3+4, 2+2+3, 1+2+2+2) against im2col, float64."""
    rng = np.random.default_rng(splits)
    x, w = rng.standard_normal((7, 4, 6, 5)), rng.standard_normal((6, 2, 3, 3))
    geometry = ((1, 2), (1, 0, 1, 1), (1, 1), 2)
    out_hw = (conv_output_size(6, 3, 1, 1, 1, 0), conv_output_size(5, 3, 2, 1, 1, 1))
    g = rng.standard_normal((7, 6) + out_hw)
    launched = []
    launch = conv_cuda._launch
    monkeypatch.setattr(conv_cuda, "_launch", lambda xp_, kind, dtype, total, args: (
        launched.append((kind, total, args)), launch(xp_, kind, dtype, total, args))[1])
    monkeypatch.setattr(conv_cuda, "WEIGHT_THREADS", splits * w.size)   # exactly S splits
    _, dw, _ = conv_cuda.backward(xp, *(xp.asarray(a) for a in (g, x, w)), *geometry, input_grad=False)
    (kind, total, args), = launched
    assert kind == "backward_weight" and total == splits * w.size and int(args[4]) == splits
    _, expected, _ = conv2d_backward(np, g, x, w, *geometry)
    np.testing.assert_allclose(device.to_host(dw), expected, rtol=1e-12, atol=1e-12)
