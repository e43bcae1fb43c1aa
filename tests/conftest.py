"""Shared fixtures: every test starts from a known seed and the CPU context."""

import pytest

import sporelab as ms


@pytest.fixture(autouse=True)
def _fresh_state():
    ms.set_seed(0)
    ms.set_context(device_target="CPU", device_id=0, mode=ms.PYNATIVE_MODE)
    yield
