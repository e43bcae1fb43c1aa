"""Run the same code on cpu(0) and on gpu(0) from the same seed and return both host results."""

import numpy as np

import sporelab as ms
from sporelab import Tensor


def host(value):
    """Host copies of what a run returned: Tensors through asnumpy, containers element-wise."""
    if isinstance(value, Tensor):
        return value.asnumpy()
    if isinstance(value, (list, tuple)):
        return type(value)(host(v) for v in value)
    if isinstance(value, dict):
        return {k: host(v) for k, v in value.items()}
    return value


def on_each(run, seed=0):
    """``(cpu result, gpu result)`` of ``run()`` with the default device cpu(0), then gpu(0).

    The GPU run also checks that every Tensor it returns lives on gpu(0)."""
    results = []
    for target in ("CPU", "GPU"):
        ms.set_context(device_target=target, device_id=0)
        ms.set_seed(seed)
        try:
            value = run()
        finally:
            ms.set_context(device_target="CPU", device_id=0)
        if target == "GPU":
            _assert_on_gpu(value)
        results.append(host(value))
    return results


def _assert_on_gpu(value):
    if isinstance(value, Tensor):
        assert value.device == ms.gpu(0), f"a result lives on {value.device}, not gpu(0)"
        assert not isinstance(value._array, np.ndarray), "a gpu(0) tensor holds a host array"
    elif isinstance(value, (list, tuple)):
        for v in value:
            _assert_on_gpu(v)
    elif isinstance(value, dict):
        for v in value.values():
            _assert_on_gpu(v)


def assert_same(pair, rtol=1e-5, atol=1e-6, exact=False):
    cpu, gpu = pair
    if isinstance(cpu, (list, tuple)):
        assert len(cpu) == len(gpu)
        for c, g in zip(cpu, gpu):
            assert_same((c, g), rtol, atol, exact)
    elif isinstance(cpu, dict):
        assert cpu.keys() == gpu.keys()
        for key in cpu:
            assert_same((cpu[key], gpu[key]), rtol, atol, exact)
    elif isinstance(cpu, np.ndarray):
        assert cpu.dtype == gpu.dtype and cpu.shape == gpu.shape
        if exact:
            assert np.array_equal(cpu, gpu, equal_nan=True)
        else:
            np.testing.assert_allclose(gpu, cpu, rtol=rtol, atol=atol)
    elif isinstance(cpu, float) and not exact:
        assert abs(cpu - gpu) <= atol + rtol * abs(cpu), (cpu, gpu)
    else:
        assert cpu == gpu
