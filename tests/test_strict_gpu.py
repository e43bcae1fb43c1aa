"""The strict stand-in GPU itself (tests/_strict_gpu.py) refuses what CuPy refuses, and more."""

import numpy as np
import pytest

import sporelab as ms
from sporelab import device
from tests import _strict_gpu as strict_gpu


@pytest.fixture
def xp():
    previous = device._use_gpu_backend(strict_gpu.module(n_devices=2))
    yield device.array_module(ms.gpu(0))
    device._restore_gpu_backend(previous)


def test_implicit_host_conversion_raises_as_cupy_does(xp):
    a = xp.arange(6, dtype=np.float32).reshape(2, 3)
    for convert in (np.asarray, np.array, lambda a: a.__array__(), np.array2string, np.array_repr,
                    lambda a: float(a), lambda a: int(a), lambda a: a.tolist(), lambda a: a.item()):
        with pytest.raises(TypeError):
            convert(a)
    assert type(device.to_host(a)) is np.ndarray
    np.testing.assert_array_equal(device.to_host(a), np.arange(6).reshape(2, 3))
    assert float(a.sum()) == 15.0                      # a 0-d result converts, as in CuPy


def test_mixing_with_host_arrays_or_another_device_raises(xp):
    a = xp.ones(3, dtype=np.float32)
    with pytest.raises(TypeError, match="Unsupported type"):
        a + np.ones(3, np.float32)
    with pytest.raises(TypeError, match="Unsupported type"):
        np.ones(3, np.float32) * a
    with pytest.raises(TypeError, match="Unsupported type"):
        a + np.array(1.0)                              # even a 0-d host array
    with pytest.raises(TypeError, match="Unsupported type"):
        a[...] = np.zeros(3, np.float32)
    with pytest.raises(TypeError, match="Unsupported type"):
        xp.matmul(a, np.ones(3, np.float32))
    with pytest.raises(TypeError, match="Unsupported type"):
        a + [1.0, 2.0, 3.0]
    other = device.to_device(np.ones(3, np.float32), ms.gpu(1))
    with pytest.raises(ValueError, match="different devices"):
        a + other
    assert (a + 2.0).dtype == np.float32 and (a * np.float32(2)).device.id == 0


def test_results_stay_on_the_device_and_reductions_are_0d_arrays(xp):
    a = device.to_device(np.arange(4.0).reshape(2, 2), ms.gpu(0))
    for result in (a.sum(), a.max(axis=0), xp.exp(a), a @ a, a.T, a[0], xp.broadcast_to(a[0], (3, 2)),
                   xp.where(a > 1, a, 0.0)):
        assert isinstance(result, xp.ndarray)
    assert a.sum().shape == ()
    full = xp.zeros((2, 2))
    xp.add.at(full, (xp.asarray(np.array([0, 0])), xp.asarray(np.array([1, 1]))), 1.0)
    np.testing.assert_array_equal(device.to_host(full), [[0, 2], [0, 0]])


def test_printing_shows_values_like_cupy(xp):
    a = device.to_device(np.array([1.5, 2.0], np.float32), ms.gpu(0))
    assert str(a) == "[1.5 2. ]" and repr(a) == "array([1.5, 2. ], dtype=float32)"


def test_the_stand_in_offers_nothing_cupy_lacks():
    """Where CuPy is installed (the GPU machine, `make gpu-check`): every function, method and ufunc
    the stand-in lets the engine use exists in CuPy too, so passing on the stand-in means something."""
    cupy = pytest.importorskip("cupy")
    assert sorted(n for n in strict_gpu._FUNCTIONS | strict_gpu._CREATORS if not hasattr(cupy, n)) == []
    assert sorted(n for n in strict_gpu._METHODS | strict_gpu._ATTRIBUTES if not hasattr(cupy.ndarray, n)) == []
    ufuncs = {"add", "subtract", "multiply", "true_divide", "power", "matmul", "maximum", "exp", "log",
              "sqrt", "tanh", "abs", "sign", "floor_divide", "remainder", "negative", "greater", "equal"}
    assert sorted(n for n in ufuncs if not hasattr(cupy, n)) == [] and hasattr(cupy.add, "at")
