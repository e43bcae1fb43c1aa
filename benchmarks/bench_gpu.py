"""GPU only: Conv2d forward and one bars-network training step on gpu(0), against torch (cuDNN) on the
same GPU in the same run. Without CuPy and an NVIDIA GPU (or without torch with CUDA) it says so in
one line and exits 0, so `make bench` stays usable everywhere; `make gpu-check` runs it for real.

Targets (issue 12): geometric mean of the forward ratios sporelab/torch on (1,3,16,50)->64,
(32,3,64,64)->64, (64,64,32,32)->128 (3x3, 'same') <= 2; one training step of the bars network
(Conv2d(1,4,3) + ReLU + Flatten + Dense(576,2), softmax cross-entropy, SGD; batch 32 of 1x12x12)
<= 2x torch.

Each timing is a batch of calls followed by one device synchronisation, divided by the batch: what
a training loop sees (launch overhead included), median of several batches.

    python -m benchmarks.bench_gpu [--json results.json]
"""

import json
import math
import statistics
import sys
import time

import numpy as np

FORWARD_CASES = [((1, 3, 16, 50), 64), ((32, 3, 64, 64), 64), ((64, 64, 32, 32), 128)]
TARGET = 2.0
BATCH_CALLS, REPEATS, WARMUP = 50, 7, 3


def gpu_missing():
    """Why the GPU benchmark cannot run here, or None."""
    import sporelab as ms
    if ms.num_gpus() == 0:
        return "no usable NVIDIA GPU with CuPy (ms.num_gpus() == 0)"
    try:
        import torch
    except ImportError:
        return "torch is not installed (it is the peer the GPU benchmark measures against)"
    if not torch.cuda.is_available():
        return f"torch {torch.__version__} has no CUDA here"
    return None


def per_call(fn, sync):
    for _ in range(WARMUP):
        fn()
    sync()
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(BATCH_CALLS):
            fn()
        sync()
        samples.append((time.perf_counter() - start) / BATCH_CALLS)
    return statistics.median(samples)


def forward_rows(ms, nn, torch, sync_ours, sync_torch, device="cuda"):
    rows = []
    for shape, out_channels in FORWARD_CASES:
        x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
        conv = nn.Conv2d(shape[1], out_channels, 3, pad_mode="same", weight_init="he_uniform")
        xs = ms.Tensor(x)
        ours = per_call(lambda conv=conv, xs=xs: conv(xs), sync_ours)
        tx = torch.tensor(x, device=device)
        tw = torch.tensor(conv.weight.asnumpy(), device=device)
        with torch.no_grad():
            theirs = per_call(lambda tx=tx, tw=tw: torch.nn.functional.conv2d(tx, tw, padding=1), sync_torch)
            tf32, torch.backends.cudnn.allow_tf32 = torch.backends.cudnn.allow_tf32, False   # compare in full fp32
            reference = torch.nn.functional.conv2d(tx, tw, padding=1).cpu().numpy()
            torch.backends.cudnn.allow_tf32 = tf32
        np.testing.assert_allclose(conv(xs).asnumpy(), reference, rtol=1e-4, atol=1e-4)
        rows.append((f"Conv2d forward {shape}->{out_channels}", ours, theirs))
    return rows


def training_row(ms, nn, torch, sync_ours, sync_torch, device="cuda"):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 1, 12, 12)).astype(np.float32)
    y = rng.integers(0, 2, 32).astype(np.int32)
    net = nn.SequentialCell([nn.Conv2d(1, 4, 3, has_bias=True), nn.ReLU(), nn.Flatten(), nn.Dense(576, 2)])
    step = nn.TrainOneStepCell(nn.WithLossCell(net, nn.SoftmaxCrossEntropyWithLogits(sparse=True, reduction="mean")),
                               nn.SGD(net.trainable_params(), 0.01))
    xs, ys = ms.Tensor(x), ms.Tensor(y)
    ours = per_call(lambda: step(xs, ys), sync_ours)
    tnet = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Flatten(),
                               torch.nn.Linear(576, 2)).to(device)
    opt = torch.optim.SGD(tnet.parameters(), lr=0.01)
    tx, ty = torch.tensor(x, device=device), torch.tensor(y, dtype=torch.long, device=device)

    def torch_step():
        opt.zero_grad()
        torch.nn.functional.cross_entropy(tnet(tx), ty).backward()
        opt.step()
    return ("bars network training step (batch 32)", ours, per_call(torch_step, sync_torch))


def main(argv):
    reason = gpu_missing()
    if reason:
        print(f"bench_gpu: skipped: {reason}")
        return 0
    import cupy
    import torch

    import sporelab as ms
    from sporelab import nn
    ms.set_context(device_target="GPU", device_id=0)
    sync_ours, sync_torch = cupy.cuda.Device(0).synchronize, torch.cuda.synchronize
    rows = forward_rows(ms, nn, torch, sync_ours, sync_torch)
    train = training_row(ms, nn, torch, sync_ours, sync_torch)
    print(f"GPU: {cupy.cuda.runtime.getDeviceProperties(0)['name'].decode()}, CuPy {cupy.__version__}, "
          f"torch {torch.__version__} (cuDNN {torch.backends.cudnn.version()}, timed with its defaults: "
          f"TF32 {'on' if torch.backends.cudnn.allow_tf32 else 'off'})")
    result = report(rows, train)
    if "--json" in argv:
        with open(argv[argv.index("--json") + 1], "w") as f:
            json.dump(result, f)
    return 0 if all(result["verdicts"].values()) else 1


def report(rows, train):
    """Print the table and the verdicts; return them as a JSON-able dict."""
    geomean = math.exp(sum(math.log(o / t) for _, o, t in rows) / len(rows))
    print(f"{'case':48s} {'sporelab ms':>12s} {'torch ms':>9s} {'ratio':>6s}")
    for name, ours, theirs in rows + [train]:
        print(f"{name:48s} {ours * 1e3:12.4f} {theirs * 1e3:9.4f} {ours / theirs:6.2f}")
    verdicts = {"forward_geomean": geomean <= TARGET, "training_step": train[1] / train[2] <= TARGET}
    print(f"Conv2d forward geometric-mean ratio {geomean:.2f} (target <= {TARGET}): "
          f"{'PASS' if verdicts['forward_geomean'] else 'FAIL'}")
    print(f"training step ratio {train[1] / train[2]:.2f} (target <= {TARGET}): "
          f"{'PASS' if verdicts['training_step'] else 'FAIL'}")
    return {"rows": [[n, o, t] for n, o, t in rows + [train]], "forward_geomean": geomean, "verdicts": verdicts}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
