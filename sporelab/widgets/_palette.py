"""One colour per role, the same in every explorer and renderer (no ipywidgets, no matplotlib here).

From matplotlib's tab10, which stays distinguishable under the common colour-vision deficiencies;
``muted`` is darkened from tab10's grey (#7f7f7f, 4.0:1 on white) to pass WCAG AA for text (5.1:1).
``NOTE_COLOR`` is the red of every "look here" note (NaN, overflow, what was not drawn); figure.js
draws its own notes in the same red.

>>> PALETTE["sample"], NOTE_COLOR
('#1f77b4', '#b00020')
"""

__all__ = ["PALETTE", "NOTE_COLOR"]

NOTE_COLOR = "#b00020"         # red with 7:1 contrast on white (WCAG AAA)

PALETTE = {
    "sample": "#1f77b4",       # the data drawn from the engine
    "theory": "#d62728",       # the theoretical density / bounds
    "second": "#ff7f0e",       # the second initializer in compare mode, or "after" in updates
    "gradient": "#2ca02c",
    "muted": "#6e6e6e",
}
