"""Every test under tests/gpu/ runs on ``gpu(0)``: a real NVIDIA GPU through CuPy when one is usable,
else the strict stand-in (tests/_strict_gpu.py) plugged into ``sporelab.device``'s one backend seam.

``SPORELAB_REAL_GPU=1`` (set by ``make gpu-check``) refuses the stand-in: there the tests must run
against real CuPy or fail.
"""

import os
import pathlib

import pytest

import sporelab as ms
from sporelab import device
from tests import _strict_gpu as strict_gpu
from tests.gpu import _both


@pytest.fixture
def both():
    """tests/gpu/_both.py: ``on_each(run)`` runs on cpu(0) then gpu(0); ``assert_same`` compares."""
    return _both


def pytest_collection_modifyitems(config, items):
    here = pathlib.Path(__file__).parent
    for item in items:
        if here in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.gpu)


@pytest.fixture(autouse=True)
def gpu_backend():
    """'cupy' on a real GPU, 'strict' on the stand-in; the CPU context is current on entry."""
    if device._cupy_status()[1] > 0:
        yield "cupy"
        return
    if os.environ.get("SPORELAB_REAL_GPU") == "1":
        pytest.fail("SPORELAB_REAL_GPU=1 but CuPy sees no usable NVIDIA GPU: " + device._cupy_status()[2])
    previous = device._use_gpu_backend(strict_gpu.module(n_devices=2))
    try:
        yield "strict"
    finally:
        ms.set_context(device_target="CPU", device_id=0)
        device._restore_gpu_backend(previous)


@pytest.fixture
def on_gpu(gpu_backend):
    """gpu(0) as the default device for new tensors during the test."""
    ms.set_context(device_target="GPU", device_id=0)
    yield ms.gpu(0)
    ms.set_context(device_target="CPU", device_id=0)
