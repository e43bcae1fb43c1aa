import os

import pytest

import sporelab as ms
from sporelab import device


def test_contexts_print_compare_and_hash():
    assert repr(ms.cpu()) == "cpu(0)" and repr(ms.cpu(1)) == "cpu(1)"
    assert ms.cpu(0) == ms.cpu() and ms.cpu(0) != ms.cpu(1)
    assert len({ms.cpu(0), ms.cpu(0), ms.cpu(1)}) == 2
    assert ms.current_context() == ms.cpu(0)


@pytest.mark.parametrize("args, error", [(("tpu", 0), ValueError), (("cpu", -1), ValueError),
                                         (("cpu", 1.5), TypeError), (("cpu", True), TypeError)])
def test_bad_contexts(args, error):
    with pytest.raises(error, match="device"):
        device.Context(*args)


# Decided by the machine (an NVIDIA device node), not by num_gpus(), the code under test.
@pytest.mark.skipif(os.path.exists("/dev/nvidia0"), reason="this machine has an NVIDIA GPU")
def test_gpu_without_a_gpu_says_why_and_what_to_do():
    with pytest.raises(RuntimeError, match=r"pip install sporelab\[gpu\]"):
        ms.gpu(0)
    with pytest.raises(RuntimeError, match="GPU"):
        ms.set_context(device_target="GPU")
    assert ms.get_context("device_target") == "CPU"


def test_set_context_validation():
    with pytest.raises(ValueError, match="'device_target'"):
        ms.set_context(device_target="TPU")
    with pytest.raises(ValueError, match="'mode'"):
        ms.set_context(mode=3)
    with pytest.raises(ValueError, match="not recognized"):
        ms.set_context(save_graphs_everywhere=True)
    ms.set_context(mode=ms.GRAPH_MODE)
    assert ms.get_context("mode") == ms.GRAPH_MODE
    with pytest.raises(ValueError, match="'attr_key'"):
        ms.get_context("nope")
    ms.set_context(device_target="CPU", device_id=0)
    assert ms.get_context("device_id") == 0


def test_import_is_light():
    import subprocess
    import sys
    code = ("import sys, sporelab; heavy = [m for m in ('matplotlib', 'ipywidgets', 'cupy', 'torch') "
            "if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
