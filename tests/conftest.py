"""Shared fixtures: every test starts from a known seed and the CPU context.

tests/ goes on sys.path so that test modules can ``from _requires import require`` (what a test
needs from outside the engine: tests/_requires.py).
"""

import sys
from pathlib import Path

import pytest

import sporelab as ms

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(autouse=True)
def _fresh_state():
    ms.set_seed(0)
    ms.set_context(device_target="CPU", device_id=0, mode=ms.PYNATIVE_MODE)
    yield
