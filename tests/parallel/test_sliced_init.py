"""Parameters built from initializer(...) in the parallel modes: lazy until init_data, which creates
only this rank's block, bitwise equal to that block of the whole tensor with the same seed; and
MindSpore's RuntimeError when the parallel mode changes after such a parameter exists.

One process: ``communication.get_rank`` is replaced to play each rank (a block needs no
communication); real ranks under mpiexec are in tests/distributed/scenario_data_parallel.py."""

import tracemalloc

import numpy as np
import pytest
from tests._requires import require

import sporelab as ms
from sporelab import nn
from sporelab.common import _sampling
from sporelab.common.initializer import (
    Constant, Dirac, HeNormal, HeUniform, Identity, Initializer, Normal, One, Orthogonal, Sparse,
    TruncatedNormal, Uniform, VarianceScaling, XavierNormal, XavierUniform, Zero, initializer)
from sporelab.communication import init, management, release

require("mpi")

MODE_ERROR = "Must set or change parallel mode before any initializer Tensor created."


@pytest.fixture(autouse=True)
def world():
    ms.reset_auto_parallel_context()
    init()
    yield
    release()
    ms.reset_auto_parallel_context()


class Halves(Initializer):
    def _initialize(self, arr):
        arr.fill(0.5)


class NoisyUniform(Uniform):
    """A user subclass that changes _initialize: it must not inherit Uniform's block fill."""
    def _initialize(self, arr):
        super()._initialize(arr)
        arr += 1


ANY_SHAPE = [Zero(), One(), Constant(0.25), Uniform(0.3), Normal(0.2, 1.0), TruncatedNormal(0.5),
             TruncatedNormal(1.0, a=2.5, b=float("inf")), XavierUniform(), XavierNormal(), HeUniform(),
             HeNormal(mode="fan_out"), VarianceScaling(), VarianceScaling(2.0, "fan_avg", "uniform"),
             VarianceScaling(distribution="untruncated_normal"), Orthogonal(), Halves(), NoisyUniform()]
MATRIX_ONLY = [Identity(), Sparse(0.5)]
KERNEL_ONLY = [Dirac(groups=2)]

# (shape, dev_mat, tensor_map): rows, columns, both, a 2-D grid, a conv weight, not split at all
LAYOUTS = [((8, 6), (2,), [0, -1]), ((8, 6), (2,), [-1, 0]), ((8, 12), (2, 2), [1, 0]),
           ((8, 12), (2, 4), [0, 1]), ((8, 6), (4,), [0, -1]), ((8, 6), (3,), [-1, -1])]
CONV_LAYOUTS = [((8, 4, 3, 3), (2, 2), [1, 0, -1, -1]), ((8, 4, 3, 3), (4,), [0, -1, -1, -1])]


def _cases():
    for shape, dev_mat, tensor_map in LAYOUTS:
        for init_ in ANY_SHAPE + MATRIX_ONLY:
            yield init_, shape, dev_mat, tensor_map
    for shape, dev_mat, tensor_map in CONV_LAYOUTS:
        for init_ in ANY_SHAPE + KERNEL_ONLY:
            yield init_, shape, dev_mat, tensor_map


def _whole(init_, shape, dtype, seed=5):
    ms.set_seed(seed)
    return Parameter_of(init_, shape, dtype).asnumpy()


def Parameter_of(init_, shape, dtype):
    return ms.Parameter(initializer(init_, shape, dtype), name="w")


def _blocks(init_, shape, dtype, dev_mat, tensor_map, monkeypatch, mode="hybrid_parallel", seed=5):
    """Every rank's block, each from a fresh lazy parameter after set_seed(seed)."""
    ms.set_auto_parallel_context(parallel_mode=mode)
    layout = (tuple(dev_mat), list(tensor_map), [], 0, True, "")
    blocks = []
    for rank in range(int(np.prod(dev_mat))):
        ms.set_seed(seed)
        p = Parameter_of(init_, shape, dtype)
        monkeypatch.setattr(management, "get_rank", lambda group=None, r=rank: r)
        assert p.init_data(layout, set_sliced=True) is p and p.sliced and not p.has_init
        blocks.append(p.asnumpy())
    ms.reset_auto_parallel_context()
    return blocks


def _expected(whole, dev_mat, tensor_map):
    from sporelab.parallel._layout import block, slice_index, tensor_strategy
    strategy = tensor_strategy(list(dev_mat), tensor_map)
    return [block(whole, strategy, slice_index(list(dev_mat), tensor_map, r)) for r in range(int(np.prod(dev_mat)))]


@pytest.mark.parametrize("init_, shape, dev_mat, tensor_map", list(_cases()),
                         ids=lambda v: repr(v) if isinstance(v, Initializer) else None)
def test_each_rank_gets_its_block_of_the_whole_tensor_bitwise(init_, shape, dev_mat, tensor_map, monkeypatch):
    for dtype in (ms.float32, ms.float64):
        whole = _whole(init_, shape, dtype)
        got = _blocks(init_, shape, dtype, dev_mat, tensor_map, monkeypatch)
        for rank, (g, e) in enumerate(zip(got, _expected(whole, dev_mat, tensor_map))):
            assert g.dtype == e.dtype and np.array_equal(g, e), (rank, dtype)


@pytest.mark.parametrize("mode", ["semi_auto_parallel", "auto_parallel"])
def test_mindspore_parallel_modes_slice_lazily_too(mode, monkeypatch):
    whole = _whole(Uniform(), (8, 6), ms.float16)
    got = _blocks(Uniform(), (8, 6), ms.float16, (2,), [-1, 0], monkeypatch, mode=mode)
    assert all(np.array_equal(g, e) for g, e in zip(got, _expected(whole, (2,), [-1, 0])))


def test_blocks_across_chunks_of_the_random_stream(monkeypatch):
    # Rows straddle the chunk boundaries of the stream, and the column blocks start at odd
    # offsets (a float32 value is half of a 64-bit word).
    for width, dev_mat in ((_sampling.CHUNK // 2 + 6, (2,)), (_sampling.CHUNK // 2 + 12, (4,))):
        assert (width // dev_mat[0]) % 2 == 1
        for init_ in (Uniform(), Normal(), TruncatedNormal(sigma=0.01, a=-0.005, b=0.02)):
            whole = _whole(init_, (3, width), ms.float32)
            got = _blocks(init_, (3, width), ms.float32, dev_mat, [-1, 0], monkeypatch)
            assert all(np.array_equal(g, e) for g, e in zip(got, _expected(whole, dev_mat, [-1, 0])))


def test_lazy_parameters_keep_the_seed_sequence_whatever_the_order_they_are_created():
    ms.set_seed(9)
    eager = [nn.Dense(6, 4).weight.asnumpy(), nn.Dense(4, 3).weight.asnumpy(),
             ms.Parameter(initializer(Orthogonal(), [4, 4]), name="q").asnumpy(), initializer("normal", [3]).asnumpy()]
    ms.set_seed(9)
    ms.set_auto_parallel_context(parallel_mode="hybrid_parallel")
    a, b = nn.Dense(6, 4).weight, nn.Dense(4, 3).weight
    q = ms.Parameter(initializer(Orthogonal(), [4, 4]), name="q")
    after = initializer("normal", [3]).asnumpy()
    assert a.has_init and b.has_init and not q.has_init       # Orthogonal needs the whole: created now
    clone = b.clone()                                          # a clone of a lazy one: same values
    lazy = [b.asnumpy(), a.asnumpy(), clone.asnumpy()]         # created in another order
    assert np.array_equal(lazy[1], eager[0]) and np.array_equal(lazy[0], eager[1])
    assert np.array_equal(lazy[2], eager[1]) and np.array_equal(q.asnumpy(), eager[2])
    assert np.array_equal(after, eager[3])


def test_a_large_sliced_uniform_weight_never_builds_the_whole(monkeypatch):
    shape, ranks = (2048, 4096), 8                          # 32 MiB whole, 4 MiB per rank
    ms.set_auto_parallel_context(parallel_mode="hybrid_parallel")
    monkeypatch.setattr(management, "get_rank", lambda group=None: 5)
    block_bytes = shape[0] * shape[1] // ranks * 4
    for init_, allowance in ((Uniform(), 0), (XavierUniform(), 0), (Normal(), _sampling.CHUNK * 4)):
        tracemalloc.start()
        p = ms.Parameter(initializer(init_, shape), name="big")
        p.init_data(((ranks,), [-1, 0], [], 0, True, ""), set_sliced=True)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert p.shape == (2048, 512)
        # the block, plus for normals one chunk of the stream; a little for bookkeeping (runs)
        assert peak < block_bytes + allowance + (1 << 20), (init_, peak / 2 ** 20)


def test_whole_creation_cost_for_comparison():
    shape = (2048, 4096)
    tracemalloc.start()
    p = ms.Parameter(initializer(Uniform(), shape), name="big")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert not p.has_init and peak >= shape[0] * shape[1] * 4          # stand_alone: created whole


def test_changing_the_parallel_mode_afterwards_is_mindspores_runtime_error():
    ms.set_auto_parallel_context(parallel_mode="semi_auto_parallel")
    ms.set_seed(2)
    p = ms.Parameter(initializer(Uniform(), [4, 6]), name="w")
    assert p.has_init and p.is_in_parallel and p.is_default_input_init
    ms.set_auto_parallel_context(parallel_mode="stand_alone")
    state = ms.random.generator().bit_generator.state
    for call in (lambda: p.init_data(), lambda: p.init_data(((2,), [0, -1], [], 0, True, ""), True),
                 lambda: p.asnumpy(), lambda: _holder(p).init_parameters_data()):
        with pytest.raises(RuntimeError, match=MODE_ERROR):
            call()
        assert p.has_init and p.shape == (4, 6) and not p.sliced            # nothing changed
    assert ms.random.generator().bit_generator.state == state
    ms.set_auto_parallel_context(parallel_mode="auto_parallel")             # back in a parallel mode
    ms.set_seed(2)
    assert np.array_equal(p.asnumpy(), initializer(Uniform(), [4, 6]).asnumpy())


def test_the_check_is_mindspores_condition():
    q = ms.Parameter(initializer("ones", [2]), name="q")                    # stand_alone: created now
    plain = ms.Parameter(ms.Tensor([1.0, 2.0]), name="plain")               # not from an initializer
    ms.set_auto_parallel_context(parallel_mode="semi_auto_parallel")
    with pytest.raises(RuntimeError, match=MODE_ERROR):
        q.init_data()
    assert q.asnumpy().tolist() == [1.0, 1.0]
    assert plain.init_data() is plain
    ms.set_auto_parallel_context(parallel_mode="data_parallel")
    assert q.init_data() is q                              # stand_alone <-> data/hybrid: not a change
    ms.set_auto_parallel_context(parallel_mode="hybrid_parallel")
    r = ms.Parameter(initializer("ones", [2]), name="r")
    ms.set_auto_parallel_context(parallel_mode="stand_alone")
    assert r.has_init and r.init_data().asnumpy().tolist() == [1.0, 1.0]


def _holder(p):
    cell = nn.Cell()
    cell.w = p
    return cell


def test_errors_of_the_fill_come_when_the_parameter_is_made_and_change_nothing():
    ms.set_auto_parallel_context(parallel_mode="hybrid_parallel")
    ms.set_seed(4)
    state = ms.random.generator().bit_generator.state
    for init_, shape, dtype, match in ((Identity(), [2, 3, 4], ms.float32, "should be 2"),
                                       (XavierUniform(), [5], ms.float32, "fewer than 2"),
                                       (Normal(mean=1e39), [3], ms.float32, "'mean' \\(1e\\+39\\)"),
                                       (Constant(300), [2], ms.int8, "does not fit")):
        with pytest.raises(ValueError, match=match):
            ms.Parameter(initializer(init_, shape, dtype), name="w")
    with pytest.raises(ValueError, match="name should be less than"):
        ms.Parameter(initializer(Uniform(), [2]), name="w" * 2000)        # checked before the seed
    assert ms.random.generator().bit_generator.state == state
