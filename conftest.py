"""Doctests in sporelab/ run with the names a notebook would have imported; system tests are marked
(tests/_system.py) so that `make check` can leave them out."""

from pathlib import Path

import numpy as np
import pytest

from tests._system import kinds_of

TESTS = Path(__file__).resolve().parent / "tests"


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    import sporelab as ms
    from sporelab import Tensor, nn
    doctest_namespace.update(np=np, ms=ms, Tensor=Tensor, nn=nn)
    ms.set_seed(0)


def pytest_collection_modifyitems(config, items):
    for item in items:
        path = Path(str(item.path))
        if TESTS not in path.parents:
            continue
        kinds = kinds_of(path.relative_to(TESTS).as_posix())
        for kind in kinds:
            item.add_marker(kind)
        if kinds:
            item.add_marker("system")
