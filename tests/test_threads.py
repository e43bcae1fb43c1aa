"""BLAS threads: one engine-wide setting (sporelab/threads.py)."""

import os
import subprocess
import sys

import pytest
from hypothesis import given, strategies as st

import sporelab as ms
from sporelab import threads

threadpoolctl = pytest.importorskip("threadpoolctl")


def _blas_threads():
    return max(lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas")


@pytest.fixture(autouse=True)
def _restore():
    yield
    ms.set_blas_threads(threads.DEFAULT_THREADS)


def test_import_applies_one_thread_by_default():
    assert threads.DEFAULT_THREADS == 1
    assert ms.get_blas_threads() == _blas_threads() == 1


def test_set_blas_threads_changes_every_loaded_blas():
    ms.set_blas_threads(3)
    assert ms.get_blas_threads() == _blas_threads() == 3
    ms.set_blas_threads(1)
    assert _blas_threads() == 1


def test_none_gives_back_the_library_default():
    before = threads._state.original        # recorded before sporelab's first change
    ms.set_blas_threads(None)
    assert _blas_threads() == max(before.values())


def _run(env_value):
    env = dict(os.environ, **{threads.ENV_VAR: env_value})
    code = "import sporelab as ms; print(ms.get_blas_threads())"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)


def test_environment_variable_sets_the_count_at_import():
    done = _run("2")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"


def test_environment_variable_default_leaves_the_library_alone():
    done = _run("default")
    assert done.returncode == 0, done.stderr
    env = dict(os.environ)
    env.pop(threads.ENV_VAR, None)
    plain = subprocess.run([sys.executable, "-c", "import numpy, threadpoolctl; print(max(l['num_threads'] "
                            "for l in threadpoolctl.threadpool_info() if l['user_api'] == 'blas'))"],
                           env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == plain.stdout.strip()


def test_bad_environment_variable_is_named():
    done = _run("many")
    assert done.returncode != 0
    assert "SPORELAB_BLAS_THREADS" in done.stderr and "'many'" in done.stderr


@given(st.one_of(st.floats(), st.text(max_size=3), st.booleans(), st.lists(st.integers(), max_size=2),
                 st.integers(max_value=0)))
def test_bad_counts_are_refused_and_nothing_changes(n):
    before = _blas_threads()
    with pytest.raises((TypeError, ValueError), match="'n' must be a positive int or None"):
        ms.set_blas_threads(n)
    assert _blas_threads() == before
