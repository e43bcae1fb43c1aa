"""Doctests in sporelab/ run with the names a notebook would have imported."""

import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    import sporelab as ms
    from sporelab import Tensor, nn
    doctest_namespace.update(np=np, ms=ms, Tensor=Tensor, nn=nn)
    ms.set_seed(0)
