"""One rank raises before a collective: the whole job must end at once (run by tests/distributed/test_mpi.py).

Usage: ``mpiexec -n P python -m mpi4py tests/distributed/scenario_fault.py TAG`` (TAG marks the processes).
"""

if __name__ == "__main__":
    import time

    import numpy as np
    import sporelab as ms
    from sporelab import nn
    from sporelab.communication import get_rank, init

    init()
    ms.set_seed(1)
    ms.set_auto_parallel_context(parallel_mode="data_parallel", gradients_mean=True)
    net = nn.Dense(2, 1)
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), nn.SGD(net.trainable_params(), 0.1))
    x, y = ms.Tensor(np.ones((2, 2), np.float32)), ms.Tensor(np.ones((2, 1), np.float32))
    step(x, y)
    if get_rank() == 1:
        raise ValueError("boom on rank 1: a bug in one worker")
    step(x, y)                 # the other ranks wait here, inside an AllReduce
    time.sleep(60)             # never reached by all: the job is aborted first
