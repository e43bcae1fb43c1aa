"""Data parallel over MPI equals one process on the whole batch (run by tests/distributed/test_mpi.py).

Usage: ``mpiexec -n P python -m mpi4py tests/distributed/scenario_data_parallel.py OUTDIR``

Every rank trains on its B/P slice of each batch with gradients averaged over the P ranks; every
rank also trains, alone, a reference copy on the whole batch B from the same initial weights. The
two must agree (float32: 1e-6, float64: 1e-12) after 20 steps, and the shared parameters must be
bitwise equal on all ranks. Preconditions: B divisible by P, a loss that is a mean over the batch.
"""

if __name__ == "__main__":
    import os
    import sys

    from tests.distributed._harness import (COMM, RANK, SIZE, assert_close, expect, finish, ms, np,
                                            same_on_all_ranks, scenario, values)
    from sporelab import nn
    from sporelab.communication import init

    init()
    OUT = sys.argv[1]
    B, STEPS = 8, 20
    TOL = {"float32": 1e-6, "float64": 1e-12}

    class Mlp(nn.Cell):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Dense(4, 8, activation="tanh")
            self.fc2 = nn.Dense(8, 3)

        def construct(self, x):
            return self.fc2(self.fc1(x))

    class ConvNet(nn.Cell):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3, has_bias=True)
            self.flatten = nn.Flatten()
            self.fc = nn.Dense(2 * 5 * 5, 3)

        def construct(self, x):
            return self.fc(self.flatten(ms.ops.relu(self.conv(x))))

    SHAPES = {"dense": (4,), "conv": (1, 5, 5)}
    NETS = {"dense": Mlp, "conv": ConvNet}
    OPTS = {"sgd": lambda p: nn.SGD(p, 0.1), "momentum": lambda p: nn.Momentum(p, 0.05, 0.9),
            "adam": lambda p: nn.Adam(p, 0.01)}

    def build(kind, dtype, seed=7):
        ms.set_seed(seed)
        net = NETS[kind]()
        for p in net.get_parameters():
            p.set_dtype(getattr(ms, dtype))
        return net

    def batches(kind, dtype, steps=STEPS, b=B):
        rng = np.random.default_rng(3)
        for _ in range(steps):
            x = rng.standard_normal((b,) + SHAPES[kind]).astype(dtype)
            yield x, rng.standard_normal((b, 3)).astype(dtype)

    def train(net, opt, shard, kind, dtype, **context):
        ms.reset_auto_parallel_context()
        if context:
            ms.set_auto_parallel_context(**context)
        step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), OPTS[opt](net.trainable_params()))
        for x, y in batches(kind, dtype):
            if shard:
                n = B // SIZE
                x, y = x[RANK * n:(RANK + 1) * n], y[RANK * n:(RANK + 1) * n]
            step(ms.Tensor(x), ms.Tensor(y))
        return values(net)

    def equivalence(kind, opt, dtype):
        def check():
            ref = train(build(kind, dtype), opt, False, kind, dtype)
            got = train(build(kind, dtype), opt, True, kind, dtype, parallel_mode="data_parallel",
                        gradients_mean=True, parameter_broadcast=True)
            for name in ref:
                expect(got[name].dtype == np.dtype(dtype), f"{name} became {got[name].dtype}")
                assert_close(f"{name} vs one process", got[name], ref[name], TOL[dtype])
                expect(same_on_all_ranks(got[name]), f"{name} differs between ranks")
        return check

    for kind in NETS:
        for opt in OPTS:
            for dtype in TOL:
                scenario(f"equal_{kind}_{opt}_{dtype}", equivalence(kind, opt, dtype))

    # -- layerwise_parallel: a separate head whose parameters stay per rank ---------------------------
    class TwoHeads(nn.Cell):
        """loss = mse(shared(x), ya) + mse(local(x), yb): the local head's gradient depends only on it."""
        def __init__(self):
            super().__init__()
            self.shared = nn.Dense(4, 2)
            self.local = nn.Dense(4, 1)
            self.mse = nn.MSELoss()
            for p in self.local.get_parameters():
                p.layerwise_parallel = True

        def construct(self, x, y):
            return self.mse(self.shared(x), y[:, :2]) + self.mse(self.local(x), y[:, 2:])

    def layerwise_check():
        n = B // SIZE
        data = list(batches("dense", "float64"))

        def run(net, shard_of, **context):
            ms.reset_auto_parallel_context()
            if context:
                ms.set_auto_parallel_context(**context)
            step = nn.TrainOneStepCell(net, nn.SGD(net.trainable_params(), 0.1))
            for x, y in data:
                if shard_of is not None:
                    x, y = x[shard_of * n:(shard_of + 1) * n], y[shard_of * n:(shard_of + 1) * n]
                step(ms.Tensor(x), ms.Tensor(y))
            return values(net)

        def fresh():
            ms.set_seed(11)
            net = TwoHeads()
            ms.set_seed(100 + RANK)            # each rank draws its own local head
            net.local.weight.set_data(ms.common.initializer.initializer("normal", (1, 4), ms.float32))
            for p in net.get_parameters():
                p.set_dtype(ms.float64)
            return net
        start = values(fresh())
        got = run(fresh(), RANK, parallel_mode="data_parallel", gradients_mean=True, parameter_broadcast=True)
        full = run(fresh(), None)
        alone = run(fresh(), RANK)
        for name in ("shared.weight", "shared.bias"):
            assert_close(f"{name} vs one process on B", got[name], full[name], 1e-12)
            expect(same_on_all_ranks(got[name]), f"{name} differs between ranks")
        for name in ("local.weight", "local.bias"):
            assert_close(f"{name} vs one process on rank {RANK}'s shard", got[name], alone[name], 1e-12)
        assert_close("local.weight not broadcast", got["local.weight"], alone["local.weight"], 0)
        everyone = COMM.allgather(got["local.weight"])
        expect(all(not np.array_equal(everyone[0], w) for w in everyone[1:]), "local.weight equal on ranks")
        expect(not np.array_equal(start["local.weight"], got["local.weight"]), "local head did not train")

    scenario("layerwise_parallel", layerwise_check)

    # -- the reducer's scaling: no mean = P times the mean; a custom degree ------------------------
    def scaling_check():
        net = build("dense", "float64")
        x, y = next(batches("dense", "float64"))
        loss = nn.WithLossCell(net, nn.MSELoss())
        weights = tuple(net.trainable_params())
        full = ms.value_and_grad(loss, None, weights)(ms.Tensor(x), ms.Tensor(y))[1]
        n = B // SIZE
        mine = ms.value_and_grad(loss, None, weights)(ms.Tensor(x[RANK * n:(RANK + 1) * n]),
                                                      ms.Tensor(y[RANK * n:(RANK + 1) * n]))[1]
        summed = nn.DistributedGradReducer(weights, mean=False)(mine)
        by3 = nn.DistributedGradReducer(weights, mean=True, degree=3)(mine)
        ms.set_auto_parallel_context(gradients_mean=True)
        default = nn.DistributedGradReducer(weights)(mine)         # mean=None reads gradients_mean
        for w, f, s, d3, m in zip(weights, full, summed, by3, default):
            assert_close(f"{w.name} sum", s.asnumpy(), SIZE * f.asnumpy(), 1e-12)
            assert_close(f"{w.name} degree=3", d3.asnumpy(), SIZE / 3 * f.asnumpy(), 1e-12)
            assert_close(f"{w.name} mean", m.asnumpy(), f.asnumpy(), 1e-12)

    scenario("reducer_scaling", scaling_check)

    # -- broadcast: different seeds per rank, equal after the first step (but layerwise) ------------
    def broadcast_check():
        ms.set_seed(500 + RANK)
        net = TwoHeads()
        before = values(net)
        ms.set_auto_parallel_context(parallel_mode="data_parallel", gradients_mean=True, parameter_broadcast=True)
        step = nn.TrainOneStepCell(net, nn.SGD(net.trainable_params(), 0.1))
        x, y = next(batches("dense", "float32"))
        step(ms.Tensor(x), ms.Tensor(y))
        after = values(net)
        differ = COMM.allgather(before["shared.weight"])
        expect(SIZE == 1 or not np.array_equal(differ[0], differ[1]), "seeds did not give different weights")
        for name in ("shared.weight", "shared.bias"):
            expect(same_on_all_ranks(after[name]), f"{name} not equal after the first step")
        everyone = COMM.allgather(after["local.weight"])
        expect(all(not np.array_equal(everyone[0], w) for w in everyone[1:]), "local.weight was broadcast")

    scenario("broadcast", broadcast_check)

    def no_broadcast_check():
        ms.set_seed(500 + RANK)
        net = nn.Dense(4, 2)
        ms.set_auto_parallel_context(parallel_mode="data_parallel", gradients_mean=True)
        step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), nn.SGD(net.trainable_params(), 0.1))
        x, y = next(batches("dense", "float32"))
        step(ms.Tensor(x), ms.Tensor(y[:, :2]))
        everyone = COMM.allgather(net.weight.asnumpy())
        expect(all(not np.array_equal(everyone[0], w) for w in everyone[1:]), "weights equal without a broadcast")

    scenario("forgotten_broadcast_leaves_ranks_apart", no_broadcast_check)

    # -- the communication ops, values and gradients across ranks -------------------------------
    def ops_check():
        from sporelab import ops
        x = ms.Tensor(np.array([1.0, 2.0]) * (RANK + 1))
        total = SIZE * (SIZE + 1) / 2
        expect(ops.AllReduce()(x).asnumpy().tolist() == [total, 2 * total], "AllReduce sum")
        expect(ops.AllReduce("max")(x).asnumpy().tolist() == [SIZE, 2.0 * SIZE], "AllReduce max")
        # d/dx_r of sum_k c_k * (sum_r x_r)_k, with c = rank + 1 on every rank: AllReduce of c
        c = ms.Tensor([float(RANK + 1), 1.0])
        g = ms.grad(lambda t: (ops.AllReduce()(t) * c).sum())(x)
        expect(g.asnumpy().tolist() == [total, float(SIZE)], f"AllReduce grad {g.asnumpy()}")
        gathered = ops.AllGather()(ms.Tensor([[float(RANK)]]))
        expect(gathered.asnumpy().ravel().tolist() == list(map(float, range(SIZE))), "AllGather order")
        w = ms.Tensor(np.arange(SIZE, dtype=np.float64) + 1)
        # every rank's loss sum_k w_k * sum(gathered_k): the backward sums the ranks' output gradients
        g = ms.grad(lambda t: (ops.AllGather()(ms.Tensor(np.ones((1, 2))) * t[RANK]) * w.reshape((SIZE, 1))
                               ).sum())(ms.Tensor(np.ones(SIZE)))
        expect(g.asnumpy()[RANK] == 2 * SIZE * (RANK + 1), f"AllGather grad {g.asnumpy()}")
        (b,) = ops.Broadcast(0)((ms.Tensor([float(RANK + 5)]),))
        expect(b.asnumpy().tolist() == [5.0], "Broadcast value")
        g = ms.grad(lambda t: ops.Broadcast(0)((t,))[0].sum() * (RANK + 1))(ms.Tensor([1.0]))
        expect(g.asnumpy().tolist() == [RANK + 1.0], f"Broadcast grad (MindSpore's: passes through) {g.asnumpy()}")
        ms.set_auto_parallel_context(gradients_mean=True)
        g = ms.grad(lambda t: (ops.AllGather()(ms.Tensor(np.ones((1, 2))) * t[RANK]) * w.reshape((SIZE, 1))
                               ).sum())(ms.Tensor(np.ones(SIZE)))
        expect(g.asnumpy()[RANK] == 2 * (RANK + 1), f"AllGather grad with mean_flag {g.asnumpy()}")

    scenario("communication_ops", ops_check)

    # -- sliced parameters: each rank its block; a Dense split by output rows trains as one process --
    def sliced_check():
        ms.set_seed(21)
        whole = nn.Dense(6, 8).weight.asnumpy()
        ms.set_seed(21)
        w = nn.Dense(6, 8).weight
        w.init_data(((SIZE,), [0, -1], [8 // SIZE, 6], 0, True, ""), set_sliced=True)
        n = 8 // SIZE
        expect(w.sliced and w.shape == (n, 6), f"sliced {w.sliced} shape {w.shape}")
        expect(np.array_equal(w.asnumpy(), whole[RANK * n:(RANK + 1) * n]), "not this rank's block")
        ms.set_seed(21)
        v = nn.Dense(6, 8).weight                # a 2-D grid: (2, P/2) ranks, columns split by axis 1
        if SIZE % 2 == 0 and SIZE > 2:
            v.init_data(((2, SIZE // 2), [-1, 1], [], 0, True, ""), set_sliced=True)
            c = 6 // 2
            expect(np.array_equal(v.asnumpy(), whole[:, (RANK // (SIZE // 2)) * c:(RANK // (SIZE // 2) + 1) * c]),
                   "2-D grid block")

    scenario("sliced_init_data", sliced_check)

    def lazy_sliced_check():
        from sporelab.common.initializer import Dirac, HeNormal, Identity, TruncatedNormal, XavierUniform, initializer
        layouts = {2: ((SIZE,), [-1, 0], [], 0, True, ""), 4: ((2, SIZE // 2), [1, 0, -1, -1], [], 0, True, "")}
        for init_, shape in (("uniform", (8, 12)), ("normal", (8, 12)), (XavierUniform(), (8, 12)),
                            (Identity(), (8, 12)), ("zeros", (8, 12)), (TruncatedNormal(0.3), (4, 8, 3, 3)),
                            (HeNormal(), (4, 8, 3, 3)), (Dirac(), (4, 8, 3, 3)), ("orthogonal", (4, 8, 3, 3))):
            ms.reset_auto_parallel_context()
            ms.set_seed(23)
            whole = ms.Parameter(initializer(init_, shape), name="w").asnumpy()
            ms.set_auto_parallel_context(parallel_mode="hybrid_parallel")
            ms.set_seed(23)
            p = ms.Parameter(initializer(init_, shape), name="w")
            expect(p.has_init == (init_ != "orthogonal"), f"{init_}: lazy {p.has_init}")
            p.init_data(layouts[len(shape)], set_sliced=True)        # P = 2 or 4
            if len(shape) == 2:
                n = 12 // SIZE
                want = whole[:, RANK * n:(RANK + 1) * n]
            else:                                    # grid (2, P/2): dim 0 by grid axis 1, dim 1 by axis 0
                rows, cols = 4 // 2, 8 // (SIZE // 2)
                want = whole[(RANK // (SIZE // 2)) * rows:(RANK // (SIZE // 2) + 1) * rows,
                             (RANK % (SIZE // 2)) * cols:(RANK % (SIZE // 2) + 1) * cols]
            expect(p.sliced and np.array_equal(p.asnumpy(), want), f"{init_}: not this rank's block of the whole")

    scenario("sliced_lazy_init_data", lazy_sliced_check)

    class SplitDense(nn.Cell):
        """Dense(4 -> 8) whose rows (output features) are split across the ranks; AllGather joins
        the ranks' outputs. Every rank sees the same whole batch (hybrid parallel)."""
        def __init__(self, sliced):
            super().__init__()
            ms.set_seed(31)
            self.fc1 = nn.Dense(4, 8, activation="tanh")
            self.fc2 = nn.Dense(8, 3)
            self.sliced = sliced
            if sliced:
                from sporelab import ops
                layout = ((SIZE,), [0, -1], [], 0, True, "")
                for p in (self.fc1.weight, self.fc1.bias):
                    p.init_data(layout if p.ndim == 2 else ((SIZE,), [0], [], 0, True, ""), set_sliced=True)
                    p.layerwise_parallel = True
                self.gather = ops.AllGather()

        def construct(self, x):
            if not self.sliced:
                return self.fc2(self.fc1(x))
            local = self.fc1(x)                                    # (B, 8/P): this rank's features
            return self.fc2(self.gather(local.transpose(1, 0)).transpose(1, 0))

    def hybrid_check():
        data = list(batches("dense", "float32"))

        def run(net):
            step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), nn.Momentum(net.trainable_params(), 0.05, 0.9))
            for x, y in data:
                step(ms.Tensor(x), ms.Tensor(y))
            return values(net)
        ref = run(SplitDense(False))
        ms.set_auto_parallel_context(parallel_mode="hybrid_parallel", gradients_mean=True)
        got = run(SplitDense(True))
        n = 8 // SIZE
        assert_close("fc1.weight block", got["fc1.weight"], ref["fc1.weight"][RANK * n:(RANK + 1) * n], 1e-6)
        assert_close("fc1.bias block", got["fc1.bias"], ref["fc1.bias"][RANK * n:(RANK + 1) * n], 1e-6)
        for name in ("fc2.weight", "fc2.bias"):
            assert_close(name, got[name], ref[name], 1e-6)
            expect(same_on_all_ranks(got[name]), f"{name} differs between ranks")

    scenario("hybrid_parallel_split_dense", hybrid_check)

    # -- a checkpoint saved by rank 0 during training (the test loads it into one process) ---------
    def checkpoint_check():
        net = build("dense", "float32")
        ms.set_auto_parallel_context(parallel_mode="data_parallel", gradients_mean=True, parameter_broadcast=True)
        step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), nn.Momentum(net.trainable_params(), 0.05, 0.9))
        n = B // SIZE
        for i, (x, y) in enumerate(batches("dense", "float32", steps=10)):
            step(ms.Tensor(x[RANK * n:(RANK + 1) * n]), ms.Tensor(y[RANK * n:(RANK + 1) * n]))
            if i == 4 and RANK == 0:
                ms.save_checkpoint(net, os.path.join(OUT, "rank0.ckpt"))
                np.savez(os.path.join(OUT, "rank0.npz"), **values(net))
        COMM.Barrier()

    scenario("checkpoint_from_rank0", checkpoint_check)
    finish()
