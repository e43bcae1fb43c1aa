"""Data-parallel training over MPI, the way MindSpore's GPU guide launches it.

    mpiexec -n 4 python -m mpi4py examples/train_data_parallel.py          # 4 processes, this machine
    mpiexec -f hosts -n 8 python -m mpi4py examples/train_data_parallel.py # across machines (MPICH hostfile)
    python examples/train_data_parallel.py                                 # one process: the reference

Every process builds the same network, takes its 1/P share of each batch of bar images, computes
its gradients, and ``TrainOneStepCell`` averages them over the processes (``gradients_mean``) before
the update, so every process holds the same weights, equal to one process training on the whole
batch. ``python -m mpi4py`` makes an exception on one process end the whole job at once.

Options: ``--steps N`` (default 60), ``--batch B`` (global batch, default 64; divisible by P),
``--ckpt PATH`` (rank 0 saves the trained network there).
"""

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")        # P processes share the cores: one BLAS thread each
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


import sporelab as ms
from sporelab import datasets, nn
from sporelab.communication import get_group_size, get_rank, init


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--ckpt", default=None)
    args = parser.parse_args()

    init()                                           # join the MPI world (size 1 without mpiexec)
    rank, size = get_rank(), get_group_size()
    if args.batch % size:
        raise SystemExit(f"--batch {args.batch} must be divisible by the number of processes {size}")
    ms.set_seed(0)                                   # the same initial weights everywhere ...
    ms.set_auto_parallel_context(parallel_mode=ms.ParallelMode.DATA_PARALLEL, gradients_mean=True,
                                 parameter_broadcast=True)   # ... and rank 0's broadcast, to be sure

    net = nn.SequentialCell([nn.Conv2d(1, 4, 3, has_bias=True), nn.ReLU(), nn.Flatten(), nn.Dense(4 * 12 * 12, 2)])
    loss = nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")
    step = nn.TrainOneStepCell(nn.WithLossCell(net, loss), nn.Momentum(net.trainable_params(), 0.05, 0.9))

    x, y = datasets.bars(args.batch * 8, seed=1)     # the same data set on every process
    local = args.batch // size
    for i in range(args.steps):
        start = (i % 8) * args.batch + rank * local  # this process's share of batch i
        value = step(ms.Tensor(x[start:start + local]), ms.Tensor(y[start:start + local]))
        mean_loss = ms.ops.AllReduce()(value) / size
        if rank == 0 and (i % 20 == 0 or i == args.steps - 1):
            print(f"step {i:3d}  mean loss over {size} process(es) {mean_loss.item():.4f}", flush=True)

    accuracy = float((net(ms.Tensor(x)).asnumpy().argmax(1) == y).mean())
    if rank == 0:
        print(f"trained on {size} process(es): accuracy {accuracy:.3f} on the {len(y)} images", flush=True)
        if args.ckpt:
            ms.save_checkpoint(net, args.ckpt)
            print(f"saved {args.ckpt}")


if __name__ == "__main__":
    main()
