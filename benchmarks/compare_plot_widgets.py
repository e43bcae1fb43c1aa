"""Which widget draws an explorer's figure in the browser: kernel CPU and bytes per update (issue 11).

Not a ``bench_`` script (``make bench`` skips it): bqplot and plotly are not sporelab dependencies.
Run it against a side folder so the project's venv stays as it is:

    .venv/bin/python -m pip install --target /tmp/cmp bqplot plotly traittypes
    .venv/bin/python -m benchmarks.compare_plot_widgets live
    PYTHONPATH=/tmp/cmp .venv/bin/python -m benchmarks.compare_plot_widgets bqplot
    PYTHONPATH=/tmp/cmp .venv/bin/python -m benchmarks.compare_plot_widgets plotly

Each update is InitializerExplorer's figure: a 60-bin histogram of 1728 weights, a 200-point
theory curve and a new title, with every widget message serialised as the kernel would.
Measured 2026-12-02 on the 2-core machine (median of 35 updates): sporelab's LiveFigure (anywidget)
0.63 ms, 3.1 KB; bqplot 0.13.1 0.38 ms, 1.2 KB (an unchanged array is not resent); plotly 7.1.0
FigureWidget 3.12 ms, 1.6 KB. All three are far under the 8 ms target: the choice is made on the
other grounds in docs/DESIGN-notes.md (issue 11).
"""

import json
import statistics
import sys
import time
import numpy as np
import ipywidgets as w
sent = []
orig = w.Widget._send
def _send(self, msg, buffers=None):
    sent.append(len(json.dumps(msg, default=str)) + sum(memoryview(b).nbytes for b in buffers or ()))
    return orig(self, msg, buffers)
w.Widget._send = _send
rng = np.random.default_rng(0)
def data(i):
    x = rng.uniform(-0.3, 0.3, 1728)
    h, e = np.histogram(x, 60, density=True)
    cx = np.linspace(-0.35, 0.35, 200)
    return h, e, cx, np.where(abs(cx) < 0.3, 1/0.6, 0)
def run(name, setup, update):
    obj = setup()
    cpu, size = [], []
    for i in range(40):
        d = data(i)
        del sent[:]
        t = time.process_time()
        update(obj, d, i)
        cpu.append(1000 * (time.process_time() - t))
        size.append(sum(sent))
    print(f"{name:12s} CPU median {statistics.median(cpu[5:]):.2f} ms   "
          f"sent median {statistics.median(size[5:]) / 1024:.1f} KB")
# bqplot
def bq_setup():
    import bqplot as bq
    xs, ys = bq.LinearScale(), bq.LinearScale()
    bars = bq.Bars(x=np.zeros(60), y=np.zeros(60), scales={"x": xs, "y": ys})
    line = bq.Lines(x=np.zeros(2), y=np.zeros(2), scales={"x": xs, "y": ys})
    axes = [bq.Axis(scale=xs, label="weight value"), bq.Axis(scale=ys, orientation="vertical", label="density")]
    fig = bq.Figure(marks=[bars, line], axes=axes, title="")
    return fig, bars, line
def bq_update(o, d, i):
    fig, bars, line = o
    h, e, cx, cy = d
    with fig.hold_sync(), bars.hold_sync(), line.hold_sync():
        bars.x, bars.y = (e[:-1] + e[1:]) / 2, h
        line.x, line.y = cx, cy
        fig.title = f"HeUniform {i}"
def pl_setup():
    import plotly.graph_objects as go
    f = go.FigureWidget(data=[go.Bar(x=np.zeros(60), y=np.zeros(60)), go.Scatter(x=np.zeros(2), y=np.zeros(2))])
    return f
def pl_update(f, d, i):
    h, e, cx, cy = d
    with f.batch_update():
        f.data[0].x, f.data[0].y = (e[:-1] + e[1:]) / 2, h
        f.data[1].x, f.data[1].y = cx, cy
        f.layout.title.text = f"HeUniform {i}"
def lf_setup():
    from sporelab.widgets._live import LiveFigure
    return LiveFigure()
def lf_update(f, d, i):
    h, e, cx, cy = d
    f.show({"width": 900, "height": 320, "alt": "x", "panels": [{
       "id": "p", "box": [0.07, 0.15, 0.7, 0.7], "title": f"HeUniform {i}",
       "xlabel": "weight value", "ylabel": "density", "grid": True,
       "marks": [{"type": "stairs", "edges": e, "heights": h, "color": "#1f77b4", "alpha": 0.55},
                 {"type": "line", "x": cx, "y": cy, "color": "#d62728"}]}]})
which = sys.argv[1] if len(sys.argv) > 1 else "live"
RUNS = {"bqplot": ("bqplot", bq_setup, bq_update), "plotly": ("plotly", pl_setup, pl_update),
        "live": ("anywidget", lf_setup, lf_update)}
if which in RUNS:
    run(*RUNS[which])
