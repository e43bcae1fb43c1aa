"""One training step (forward, backward, SGD update) of the reference network, against torch CPU.

The reference network is the one the training test teaches with: Conv2d(1, 4, 3, same) + ReLU +
Flatten + Dense(576, 2) with softmax cross-entropy, on batches of 32 generated 12x12 bar images,
and a larger variant (Conv2d(3, 16, 3) on 32x32 images, batch 64). Target: <= 2x torch.
"""

import sys

import numpy as np

from sporelab import Tensor, nn

from benchmarks._timing import median_seconds

TARGET = 2.0
CASES = [("bars 32x1x12x12, conv 1->4", 32, 1, 12, 4), ("32x32 images 64x3x32x32, conv 3->16", 64, 3, 32, 16)]


def ours(batch, channels, size, filters, x, y):
    net = nn.SequentialCell([nn.Conv2d(channels, filters, 3, has_bias=True), nn.ReLU(), nn.Flatten(),
                             nn.Dense(filters * size * size, 2)])
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")),
                               nn.SGD(net.trainable_params(), 0.01))
    xs, ys = Tensor(x), Tensor(y)
    return lambda: step(xs, ys)


def theirs(batch, channels, size, filters, x, y):
    import torch
    net = torch.nn.Sequential(torch.nn.Conv2d(channels, filters, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                              torch.nn.Linear(filters * size * size, 2))
    opt = torch.optim.SGD(net.parameters(), lr=0.01)
    xs, ys = torch.tensor(x), torch.tensor(y, dtype=torch.long)

    def step():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(xs), ys)
        loss.backward()
        opt.step()
    return step


def main():
    ratios = []
    print(f"{'case':40s} {'torch ms':>9s} {'sporelab ms':>12s} {'ratio':>6s}")
    for name, batch, channels, size, filters in CASES:
        rng = np.random.default_rng(0)
        x = rng.standard_normal((batch, channels, size, size)).astype(np.float32)
        y = rng.integers(0, 2, batch).astype(np.int32)
        t_torch = median_seconds(theirs(batch, channels, size, filters, x, y), repeat=30, warmup=5)
        t_ours = median_seconds(ours(batch, channels, size, filters, x, y), repeat=30, warmup=5)
        ratios.append(t_ours / t_torch)
        print(f"{name:40s} {t_torch * 1e3:9.3f} {t_ours * 1e3:12.3f} {ratios[-1]:6.2f}")
    worst = max(ratios)
    verdict = "PASS" if worst <= TARGET else "FAIL"
    print(f"worst ratio sporelab/torch {worst:.2f} (target <= {TARGET}): {verdict}")
    return verdict == "PASS"


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
