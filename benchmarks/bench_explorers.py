"""Kernel CPU and data sent per control change, for every control of every explorer (issue 11).

Run: ``.venv/bin/python -m benchmarks.bench_explorers [--explorer NAME] [--list]``

For each explorer built with its defaults (what a student sees first), every visible, enabled
control is moved: each slider to its minimum, middle and maximum, each dropdown to each option,
each checkbox both ways, each button clicked; after a control's moves it goes back to its
default (untimed), so each control is measured from the state a student starts in. A move arrives
as the browser's message would (ipywidgets' ``set_state`` for a value, the click message for a
button), so ipywidgets' own answers (an echo) are counted too. A sample is the kernel's CPU time
(``time.process_time``) from the message to the end of the callbacks, and the bytes and messages
every widget sends for it: the JSON of each comm message plus its binary buffers, as the kernel
would put them on the websocket (serialising them is part of the timed work, as in a kernel).

Targets: median kernel CPU per change <= 8 ms; median data per change <= 8 KB.
Exit code 1 when a target is missed or a change left an error in an explorer's error box.
"""

import argparse
import json
import statistics
import sys
import time

import ipywidgets as widgets

TARGET_MS, TARGET_KB = 8.0, 8.0
_SENT = []


def _record_messages():
    """Count what each widget would put on the websocket (patched once, for this process)."""
    original = widgets.Widget._send

    def _send(self, msg, buffers=None):
        _SENT.append(len(json.dumps(msg, separators=(",", ":"))) + sum(memoryview(b).nbytes for b in buffers or ()))
        return original(self, msg, buffers)
    widgets.Widget._send = _send


def _visible(widget):
    return getattr(widget.layout, "display", None) != "none" and not getattr(widget, "disabled", False)


def controls(root):
    """Every visible, enabled control under ``root`` (depth first)."""
    found, stack = [], [root]
    while stack:
        widget = stack.pop(0)
        if not _visible(widget):
            continue
        if isinstance(widget, widgets.Box):
            stack[:0] = list(widget.children)
        elif isinstance(widget, (widgets.Button, widgets.ValueWidget)) and not isinstance(
                widget, (widgets.HTML, widgets.Label, widgets.Image, widgets.Output, widgets.Text)):
            found.append(widget)
    return found


def _from_browser(control, state):
    """What the kernel does with a browser's change: ipywidgets' ``set_state`` (echo included)."""
    return lambda: control.set_state(state)


def moves(control):
    """The (label, action) pairs that move ``control``: min/middle/max, each option, both states, a
    click; each as the browser's message would arrive (a button's click message, a state update)."""
    name = getattr(control, "description", "") or type(control).__name__
    if isinstance(control, widgets.Button):
        return [(f"{name} click", lambda: control._handle_msg(
            {"content": {"data": {"method": "custom", "content": {"event": "click"}}}}))]
    if isinstance(control, (widgets.Dropdown, widgets.ToggleButtons, widgets.RadioButtons)):
        labels = list(control._options_labels)
        return [(f"{name}={label}", _from_browser(control, {"index": i}))
                for i, label in enumerate(labels) if i != control.index]
    if isinstance(control, widgets.Checkbox):
        return [(f"{name}={v}", _from_browser(control, {"value": v})) for v in (not control.value, control.value)]
    if hasattr(control, "min") and hasattr(control, "max"):
        low, high = control.min, control.max
        middle = (low + high) / 2 if isinstance(control.value, float) else (low + high) // 2
        if isinstance(control, widgets.FloatLogSlider):
            low, middle, high = control.base ** low, control.base ** ((low + high) / 2), control.base ** high
        return [(f"{name}={v:g}", _from_browser(control, {"value": v})) for v in (low, middle, high)]
    return []


def measure(explorer):
    """[(label, cpu_ms, bytes, messages)] for every move of every control of ``explorer``."""
    samples = []
    for control in controls(explorer):
        default = getattr(control, "value", None)
        for label, action in moves(control):
            if not _visible(control):       # an earlier move may have hidden it (compare mode off)
                continue
            del _SENT[:]
            start = time.process_time()
            action()
            cpu = 1000 * (time.process_time() - start)
            samples.append((label, cpu, sum(_SENT), len(_SENT)))
        if default is not None and control.value != default:
            control.value = default
    return samples


def explorers():
    from sporelab.widgets import (ConvExplorer, DataParallelExplorer, DepthExplorer, InitializerExplorer,
                                  TrainingExplorer)
    return {"InitializerExplorer": InitializerExplorer, "ConvExplorer": ConvExplorer,
            "TrainingExplorer": TrainingExplorer, "DepthExplorer": DepthExplorer,
            "DataParallelExplorer": DataParallelExplorer}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--explorer", choices=sorted(explorers()), help="only this one")
    parser.add_argument("--list", action="store_true", help="print every sample")
    args = parser.parse_args(argv)
    _record_messages()
    every, failed = [], False
    for name, cls in explorers().items():
        if args.explorer and name != args.explorer:
            continue
        explorer = cls()
        samples = measure(explorer)
        every += samples
        cpu, sent = sorted(s[1] for s in samples), sorted(s[2] for s in samples)
        messages = statistics.median(s[3] for s in samples)
        worst = sorted(samples, key=lambda s: -s[1])[:3]
        print(f"{name:20s} {len(samples):3d} changes  CPU median {statistics.median(cpu):5.1f} ms  "
              f"max {cpu[-1]:6.1f} ms   sent median {statistics.median(sent) / 1024:5.1f} KB  "
              f"max {sent[-1] / 1024:5.1f} KB   messages median {messages:g}   slowest: "
              + ", ".join(f"{s[0]} {s[1]:.0f} ms" for s in worst))
        if args.list:
            for label, ms, size, count in samples:
                print(f"    {label:40s} {ms:7.1f} ms {size / 1024:7.1f} KB {count:3d} messages")
        if getattr(explorer, "errors", None) is not None and explorer.errors.value:
            print(f"  error left in {name}'s error box: {explorer.errors.value}")
            failed = True
    cpu = statistics.median(s[1] for s in every)
    sent = statistics.median(s[2] for s in every) / 1024
    messages = statistics.median(s[3] for s in every)
    verdict = "PASS" if cpu <= TARGET_MS and sent <= TARGET_KB and not failed else "FAIL"
    print(f"all explorers: {len(every)} changes, kernel CPU median {cpu:.1f} ms (target <= {TARGET_MS:g}), "
          f"sent median {sent:.1f} KB (target <= {TARGET_KB:g}) in {messages:g} message(s)   {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
