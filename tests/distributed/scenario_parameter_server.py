"""Synchronous parameter-server training equals one process (run by tests/distributed/test_mpi.py).

Usage: ``mpiexec -n 1+W python -m mpi4py tests/distributed/scenario_parameter_server.py`` (rank 0
serves), or with MS_ROLE per process (MPMD ``-env MS_ROLE MS_PSERVER ... : -env MS_ROLE MS_WORKER``).
Each worker trains on its B/W slice; ``fc1.weight`` lives on the server (mean over workers), the
other parameters are averaged among the workers (data parallel). After 20 steps every worker's
parameters, and the server's ``fc1.weight``, equal a single process trained on the whole batch.
"""

if __name__ == "__main__":
    from tests.distributed._harness import (COMM, RANK, assert_close, expect, finish, ms, np,
                                            same_on_all_ranks, scenario, values)
    from sporelab import nn
    from sporelab.communication import init
    from sporelab.parallel._ps_context import _get_role

    init()
    roles = COMM.allgather(_get_role())
    WORKERS = [r for r, role in enumerate(roles) if role == "MS_WORKER"]
    W = len(WORKERS)
    B, STEPS = 12, 20
    TOL = {"float32": 1e-6, "float64": 1e-12}
    OPTS = {"sgd": lambda p: nn.SGD(p, 0.1), "momentum": lambda p: nn.Momentum(p, 0.05, 0.9),
            "adam": lambda p: nn.Adam(p, 0.01)}

    class Mlp(nn.Cell):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Dense(4, 8, activation="tanh")
            self.fc2 = nn.Dense(8, 3)

        def construct(self, x):
            return self.fc2(self.fc1(x))

    def build(dtype):
        ms.set_seed(5)
        net = Mlp()
        for p in net.get_parameters():
            p.set_dtype(getattr(ms, dtype))
        return net

    def data(dtype):
        rng = np.random.default_rng(9)
        return [(rng.standard_normal((B, 4)).astype(dtype), rng.standard_normal((B, 3)).astype(dtype))
                for _ in range(STEPS)]

    def train(net, opt, dtype, shard):
        step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), OPTS[opt](net.trainable_params()))
        losses = []
        for x, y in data(dtype):
            if shard is not None:
                n = B // W
                x, y = x[shard * n:(shard + 1) * n], y[shard * n:(shard + 1) * n]
            losses.append(float(step(ms.Tensor(x), ms.Tensor(y)).asnumpy()))
        return values(net), losses

    def check(opt, dtype):
        def run():
            ref, ref_losses = train(build(dtype), opt, dtype, None)
            ms.set_context(mode=ms.GRAPH_MODE)
            ms.set_ps_context(enable_ps=True)
            ms.set_auto_parallel_context(parallel_mode="data_parallel", gradients_mean=True)
            net = build(dtype)
            net.fc1.weight.set_param_ps()
            shard = WORKERS.index(RANK) if RANK in WORKERS else None
            got, losses = train(net, opt, dtype, shard)
            ms.set_context(mode=ms.PYNATIVE_MODE)
            server = roles[RANK] == "MS_PSERVER"
            for name in ref:                         # the server holds only the PS parameter
                if name == "fc1.weight" or not server:
                    assert_close(f"{name} vs one process", got[name], ref[name], TOL[dtype])
                equal = same_on_all_ranks(got[name], root=WORKERS[0])
                expect(equal or (server and name != "fc1.weight"), f"{name} differs between ranks")
            if roles[RANK] == "MS_PSERVER":          # the server returns the workers' mean loss
                assert_close("server's mean loss", losses, ref_losses, 1e-5 if dtype == "float32" else 1e-12)
        return run

    for opt in OPTS:
        for dtype in TOL:
            scenario(f"ps_{opt}_{dtype}", check(opt, dtype))
    finish()
