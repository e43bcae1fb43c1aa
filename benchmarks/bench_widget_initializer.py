"""Kernel CPU and bytes sent per control change of ``InitializerExplorer`` (drawn in the browser).

Run: ``cd /work/main && .venv/bin/python -m benchmarks.bench_widget_initializer [--big]``

Every control is set, one at a time from the explorer's defaults, to its minimum, middle and
maximum (every option of a dropdown, both states of a checkbox; the button is clicked); argument
controls are measured with their initializer selected, B's with compare mode on. Each sample is
the process CPU time of ``control.value = new`` (the model's sample, the description, resolve,
the wire form and ipywidgets' state messages, JSON-encoded as a kernel's session does). Bytes:
each message's JSON plus its binary buffers, all widgets together. Targets (issue 11): median
<= 8 ms of kernel CPU, median <= 8 KB sent. ``--big``: the 64x64x5x5 shape (102400 weights).
"""

import json
import statistics
import sys
import time

import comm

from sporelab.widgets.initializers import InitializerExplorer

TARGET_MS, TARGET_KB = 8.0, 8.0
SENT = []


def _publish(self, msg_type, data=None, metadata=None, buffers=None, **keys):
    """What a kernel's session does with a widget message: JSON plus raw buffers."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False, default=str)
    SENT.append(len(text.encode()) + sum(memoryview(b).nbytes for b in buffers or ()))


def _values(control):
    if hasattr(control, "options"):
        return [label if isinstance(label, str) else label[1] for label in control.options]
    if isinstance(control.value, bool):
        return [not control.value]
    middle = control.min + round((control.max - control.min) / 2 / control.step) * control.step
    if hasattr(control, "base"):
        return [control.base ** e for e in (control.min, middle, control.max)]
    return [control.min, middle, control.max]


def _cases(shape):
    """(label, prepare(explorer) -> control) for every control of the explorer."""
    cases = [(key, lambda e, k=key: getattr(e, k)) for key in
             ("out_channels", "in_channels", "kernel_size", "seed", "compare")]
    probe = InitializerExplorer(**shape)
    for side, compare in (("side_a", False), ("side_b", True)):
        cases.append((f"{side}.name", lambda e, s=side, c=compare: _side(e, s, c).name))
        for name, controls in getattr(probe, side).args.items():
            for key in controls:
                cases.append((f"{side} {name}.{key}",
                              lambda e, s=side, c=compare, n=name, k=key: _select(e, s, c, n).args[n][k]))
    return cases


def _side(explorer, side, compare):
    explorer.compare.value = compare
    return getattr(explorer, side)


def _select(explorer, side, compare, name):
    panel = _side(explorer, side, compare)
    panel.name.value = name
    for key, control in panel.args[name].items():
        if key.endswith("_on"):
            control.value = True
    return panel


def measure(shape):
    """{label: [(cpu_ms, bytes, error)]} for each control at each of its values."""
    samples = {}
    for label, prepare in _cases(shape):
        for value in _values(prepare(InitializerExplorer(**shape))):
            explorer = InitializerExplorer(**shape)
            control = prepare(explorer)
            SENT.clear()
            start = time.process_time()
            control.value = value
            cpu = 1000 * (time.process_time() - start)
            samples.setdefault(label, []).append((cpu, sum(SENT), bool(explorer.errors.value)))
    explorer = InitializerExplorer(**shape)
    SENT.clear()
    start = time.process_time()
    explorer.new_seed.click()
    samples["new_seed (button)"] = [(1000 * (time.process_time() - start), sum(SENT), False)]
    return samples


def main(argv):
    comm.DummyComm.publish_msg = _publish
    shape = {"out_channels": 64, "in_channels": 64, "kernel_size": 5} if "--big" in argv else {}
    samples = measure(shape)
    drawn = [(label, cpu, sent) for label, rows in samples.items() for cpu, sent, error in rows if not error]
    errors = sum(error for rows in samples.values() for _, _, error in rows)
    cpu = statistics.median(c for _, c, _ in drawn)
    sent = statistics.median(s for _, _, s in drawn) / 1024
    worst = sorted(drawn, key=lambda row: -row[1])[:5]
    size = InitializerExplorer(**shape).model.shape
    print(f"InitializerExplorer {size}: {len(drawn)} control changes ({errors} invalid combinations shown "
          f"as errors, not counted)")
    print(f"kernel CPU per change: median {cpu:.2f} ms (target <= {TARGET_MS:g}), sent: median "
          f"{sent:.2f} KB (target <= {TARGET_KB:g}), max {max(s for _, _, s in drawn) / 1024:.2f} KB")
    print("worst controls: " + "; ".join(f"{label} {c:.1f} ms" for label, c, _ in worst))
    return 0 if cpu <= TARGET_MS and sent <= TARGET_KB else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
