"""Gluon Trainer with kvstore='dist_sync' equals one process with the global batch size
(run by tests/distributed/test_mpi.py).

Usage: ``mpiexec -n P python -m mpi4py tests/distributed/scenario_gluon.py``

As in MXNet, rank 0's initial weights are broadcast at the first ``step``, i.e. after the first
gradients were computed with each rank's own weights: the equivalence runs start every rank from
the same seed, and ``broadcast_at_first_step`` checks the broadcast itself. Each rank takes B/P samples, split again over its contexts (1 or 2 per rank); the loss is a sum
over samples and ``step(B)`` gets the **global** batch size (MXNet's rule), so the update is the
mean over all B samples, as one process with one context and ``step(B)``.
"""

if __name__ == "__main__":
    from tests.distributed._harness import (COMM, RANK, SIZE, assert_close, expect, finish, ms, np,
                                            same_on_all_ranks, scenario)
    from sporelab import autograd, gluon

    B, STEPS = 8, 20

    def make(seed, contexts):
        ms.set_seed(seed)
        w = gluon.Parameter("w", shape=(3, 4), init=gluon.init.Normal(0.5))
        b = gluon.Parameter("b", shape=(3,), init=gluon.init.Normal(0.5))
        for p in (w, b):
            p.initialize(ctx=contexts)
        return [w, b]

    def data():
        rng = np.random.default_rng(4)
        return [(rng.standard_normal((B, 4)).astype(np.float32), rng.standard_normal((B, 3)).astype(np.float32))
                for _ in range(STEPS)]

    def train(params, contexts, optimizer, options, kvstore, shard):
        trainer = gluon.Trainer(params, optimizer, options, kvstore=kvstore)
        w, b = params
        for x, y in data():
            x, y = x[shard], y[shard]
            pieces = np.array_split(np.arange(len(x)), len(contexts))
            with autograd.record():
                losses = []
                for ctx, idx in zip(contexts, pieces):
                    xs, ys = ms.Tensor(x[idx]).to(ctx), ms.Tensor(y[idx]).to(ctx)
                    out = ms.ops.tanh(xs @ w.data(ctx).transpose(1, 0) + b.data(ctx))
                    losses.append(((out - ys) ** 2).sum())
            autograd.backward(losses)
            trainer.step(B)                         # the global batch size
        return [p.data(contexts[0]).asnumpy() for p in params], trainer

    def check(optimizer, options, n_ctx, kvstore):
        def run():
            contexts = [ms.cpu(i) for i in range(n_ctx)]
            ref, _ = train(make(0, [ms.cpu(0)]), [ms.cpu(0)], optimizer, options, None, slice(None))
            n = B // SIZE
            got, trainer = train(make(0, contexts), contexts, optimizer, options, kvstore,
                                 slice(RANK * n, (RANK + 1) * n))
            expect(trainer._kvstore is not None and trainer._kvstore.num_workers == SIZE, "no dist store")
            for name, g, r in zip("wb", got, ref):
                assert_close(f"{name} vs one process", g, r, 1e-6)
                expect(same_on_all_ranks(g), f"{name} differs between ranks")
        return run

    for optimizer, options in (("sgd", {"learning_rate": 0.1, "momentum": 0.9}), ("adam", {"learning_rate": 0.01})):
        for n_ctx in (1, 2):
            scenario(f"gluon_dist_sync_{optimizer}_{n_ctx}ctx", check(optimizer, options, n_ctx, "dist_sync"))

    def broadcast_check():
        params = make(10 + RANK, [ms.cpu(0), ms.cpu(1)])
        before = params[0].data(ms.cpu(0)).asnumpy()
        everyone = COMM.allgather(before)
        expect(all(not np.array_equal(everyone[0], v) for v in everyone[1:]), "seeds gave equal weights")
        trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.0}, kvstore="dist_sync")
        with autograd.record():
            losses = [(p.data(ctx) * 1.0).sum() for p in params for ctx in p.list_ctx()]
        autograd.backward(losses)
        trainer.step(B)
        for p in params:
            for ctx in p.list_ctx():
                expect(same_on_all_ranks(p.data(ctx).asnumpy()), f"{p.name} on {ctx} differs from rank 0")

    scenario("gluon_broadcast_at_first_step", broadcast_check)

    def kvstore_check():
        kv = ms.kvstore.create("dist_sync")
        expect((kv.rank, kv.num_workers, kv.type) == (RANK, SIZE, "dist_sync"), repr(kv))
        kv.init("k", ms.Tensor([float(RANK + 7)]))            # rank 0's value wins
        out = ms.Tensor([0.0])
        kv.pull("k", out)
        expect(out.asnumpy().tolist() == [7.0], f"init/pull {out.asnumpy()}")
        a, c = ms.Tensor([1.0 * RANK]), ms.Tensor([1.0])
        kv.pushpull("k", [a, c])                               # two contexts on every rank
        total = SIZE * (SIZE - 1) / 2 + SIZE
        expect(a.asnumpy().tolist() == [total] and c.asnumpy().tolist() == [total], f"pushpull {a.asnumpy()}")
        x = ms.Tensor([float(RANK)])
        kv.broadcast("b", ms.Tensor([float(RANK + 1)]), x)
        expect(x.asnumpy().tolist() == [1.0], f"broadcast {x.asnumpy()}")

    scenario("kvstore_dist_sync", kvstore_check)

    def batch_size_change_check():
        params = make(3, [ms.cpu(0)])
        trainer = gluon.Trainer(params, "sgd", {"learning_rate": 0.1}, kvstore="dist_sync")

        def backward():
            with autograd.record():
                loss = sum((p.data() * p.data()).sum() for p in params)
            loss.backward()
        backward()
        trainer.step(B)
        backward()
        before = [p.data().asnumpy() for p in params]
        try:
            trainer.step(B // 2)
            expect(False, "no UserWarning for a changed batch size")
        except UserWarning as warning:
            expect(str(warning).startswith("Possible change in the `batch_size` from previous `step` detected."),
                   str(warning))
        expect(all(np.array_equal(p.data().asnumpy(), b) for p, b in zip(params, before)), "a refused step changed weights")
        trainer.step(B)
        expect(all(same_on_all_ranks(p.data().asnumpy()) for p in params), "ranks differ after the step")

    scenario("gluon_batch_size_change", batch_size_change_check)
    finish()
