"""One colour per role, the same in every explorer and renderer (no ipywidgets, no matplotlib here).

From matplotlib's tab10, which stays distinguishable under the common colour-vision deficiencies;
``muted`` is darkened from tab10's grey (#7f7f7f, 4.0:1 on white) to pass WCAG AA for text (5.1:1).
"""

__all__ = ["PALETTE"]

PALETTE = {
    "sample": "#1f77b4",       # the data drawn from the engine
    "theory": "#d62728",       # the theoretical density / bounds
    "second": "#ff7f0e",       # the second initializer in compare mode, or "after" in updates
    "gradient": "#2ca02c",
    "muted": "#6e6e6e",
}
