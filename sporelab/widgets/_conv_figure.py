"""The figure of the convolution explorer: the input with its padding and first window, a fixed
2 x 4 grid of kernels and of output maps, value-range strips, and the output-size formula.

Every artist is made once in ``ConvFigure.__init__``; ``ConvFigure.show(result)`` only updates
them (``set_data``, ``set_text``, ``set_visible``), so a redraw costs one render of the figure.

Labels are ``StampedText`` and ``dynamic`` lists, in drawing order, the artists that change
between redraws, for a ``_blit.BlitPane`` to draw over a cached background; ``background_key``
is that pane's ``figure_key``.
"""

import numpy as np
from matplotlib.colors import Normalize
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.textpath import TextToPath
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import ScaledTranslation, blended_transform_factory

from ._fastdraw import GridText, StampedText
from ._view import PALETTE

__all__ = ["ConvFigure", "PANELS"]

PANELS = 8                  # kernels and output maps shown; panels beyond out_channels are hidden
_MONO = {"family": "monospace", "size": 10.5}
# What changes with every setting (shapes, numbers, ranges) is monospace GridText: stamped per
# character, so new numbers cost no text rendering.
_NUMBERS = {"cls": GridText, "family": "monospace"}


def _text(parent, x, y, s="", cls=StampedText, **kwargs):
    """A StampedText (or ``cls``) on ``parent`` (a Figure or an Axes)."""
    text = cls(x, y, s, **kwargs)
    parent.add_artist(text)
    text.set_clip_on(False)
    return text


def _frame_only(axes):
    """No ticks, and the frame drawn by the axes patch: one path instead of four spines and two
    axes of tick machinery on every draw."""
    axes.xaxis.set_visible(False)
    axes.yaxis.set_visible(False)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.patch.set_edgecolor("black")
    axes.patch.set_linewidth(0.8)


def _range_labels(low, high):
    middle = (low + high) / 2
    return [f"{v:.3g}" if abs(v) > 1e-12 * max(abs(low), abs(high), 1.0) else "0" for v in (high, middle, low)]


class ConvFigure:
    """All artists of the explorer's figure, built once on ``figure`` (inches ``figsize``)."""

    def __init__(self, figure, figsize):
        self.figure = figure
        width, height = figsize
        self._inch = lambda x, y: (x / width, y / height)
        self._box = lambda x, y, w, h: figure.add_axes((x / width, y / height, w / width, h / height))
        self._build_input()
        self.kernels = self._grid(4.45, 0.65, 0.1, "RdBu_r")
        self.outputs = self._grid(8.35, 1.15, 0.1, "gray")
        self._strips = [self._strip(7.45, "RdBu_r"), self._strip(13.33, "gray")]
        self._build_texts(width)
        self.dynamic = (
            [self.input, self._pad_frame, self._window, self._taps, *self._tick_marks, *self._ticks[0],
             *self._ticks[1]]
            + [image for _, image in self.kernels] + self._kernel_values + [image for _, image in self.outputs]
            + self._marks + [label for _, labels in self._strips for label in labels]
            + [detail for _, detail in self._titles] + self._shown + [t for row in self._formula for t in row])

    # ---- building ---------------------------------------------------------------------------
    def _build_input(self):
        axes = self.input_axes = self._box(0.65, 1.45, 3.3, 3.3)
        axes.set_anchor("N")
        self.input = axes.imshow(np.zeros((2, 2)), cmap="gray", interpolation="nearest")
        _frame_only(axes)
        # Ticks are drawn by hand (marks and stamped labels): they change with the image, while
        # the axes frame stays in the cached background. Labels sit a fixed distance (points)
        # off the axes, however tall the image makes it.
        below = lambda points: ScaledTranslation(0, -points / 72, self.figure.dpi_scale_trans)  # noqa: E731
        left = lambda points: ScaledTranslation(-points / 72, 0, self.figure.dpi_scale_trans)  # noqa: E731
        along_x = blended_transform_factory(axes.transData, axes.transAxes)
        along_y = blended_transform_factory(axes.transAxes, axes.transData)
        self._tick_marks = [Line2D([], [], ls="", marker=marker, ms=3.5, mew=0.8, color="black", clip_on=False,
                                   transform=transform) for marker, transform in ((3, along_x), (0, along_y))]
        for mark in self._tick_marks:
            axes.add_artist(mark)
        self._ticks = ([_text(axes, 0, 0, ha="center", va="top", fontsize=9, transform=along_x + below(5))
                        for _ in range(6)],
                       [_text(axes, 0, 0, ha="right", va="center", fontsize=9, transform=along_y + left(5))
                        for _ in range(6)])
        _text(axes, 0.5, 0, "W (pixels)", ha="center", va="top", fontsize=10, transform=axes.transAxes + below(18))
        _text(axes, 0, 0.5, "H (pixels)", ha="right", va="center", rotation=90, fontsize=10,
              transform=axes.transAxes + left(24))
        self._pad_frame = axes.add_patch(Rectangle((0, 0), 1, 1, fill=False, ls="--", lw=1.5, ec=PALETTE["theory"]))
        self._window = axes.add_patch(Rectangle((0, 0), 1, 1, fill=False, lw=1.5, ec=PALETTE["second"]))
        self._taps, = axes.plot([], [], ".", ms=4, color=PALETTE["second"])
        self._legend()

    def _legend(self):
        """A hand-made legend of the three input overlays (stamped labels, fixed place)."""
        fig = self.figure
        w, h = self._inch(0.28, 0.1)
        entries = ((Rectangle(self._inch(0.65, 0.82), w, h, fill=False, ls="--", lw=1.5,
                              ec=PALETTE["theory"], transform=fig.transFigure), "zero padding ('same', 'pad')"),
                   (Rectangle(self._inch(0.65, 0.57), w, h, fill=False, lw=1.5,
                              ec=PALETTE["second"], transform=fig.transFigure), "first window (output pixel 0, 0)"),
                   (Line2D(*zip(self._inch(0.7, 0.37), self._inch(0.8, 0.37), self._inch(0.9, 0.37)),
                           ls="", marker=".", ms=4, color=PALETTE["second"], transform=fig.transFigure),
                    "kernel taps (dilation spreads them)"))
        for index, (handle, label) in enumerate(entries):
            fig.add_artist(handle)
            _text(fig, *self._inch(1.05, 0.87 - 0.25 * index), label, va="center", fontsize=10)

    def _build_texts(self, width):
        figure = self.figure
        self._titles = [(_text(figure, *self._inch(x, 5.32), name, fontsize=12.5),
                         _text(figure, *self._inch(x, 5.08), fontsize=10, color="#333333", **_NUMBERS))
                        for x, name in ((0.65, "input x"), (4.45, "kernels weight[o, 0]"),
                                        (8.35, "output maps y[0, o]"))]
        self._shown = [_text(figure, *self._inch(x, 1.62), ha="right", fontsize=10, color="#333333")
                       for x in (7.35, 13.25)]             # "the first 8 of 64 shown", under the grids
        # Formula rows of two texts each: the numbers, which change with every setting, apart
        # from the symbols, which change only with pad_mode, so most redraws reuse the latter.
        char = TextToPath().get_text_width_height_descent("0" * 10, FontProperties(**_MONO), False)[0] / 720
        self._column = lambda col: (4.45 + col * char) / width
        self._formula = [[_text(figure, *self._inch(4.45, 1.3 - 0.24 * i), **_MONO, cls=GridText)
                          for _ in range(2)] for i in range(4)]
        self._kernel_values = [_text(self.kernels[0][0], 0, 0, ha="center", va="center", fontsize=8)
                               for _ in range(9)]
        self._marks = [self.outputs[0][0].annotate(
            "", (0, 0), xytext=(x, -0.8), textcoords="axes fraction", ha="center", va="top", fontsize=10,
            arrowprops={"arrowstyle": "->", "color": PALETTE["theory"], "shrinkB": 0})
            for x in (0.1, 0.5, 0.9)]

    def _grid(self, x0, size, gap, cmap):
        """A 2 x 4 grid of (axes, image) panels, each labelled with its output channel o."""
        panels, norm = [], Normalize(0, 1)
        for index in range(PANELS):
            row, col = divmod(index, 4)
            axes = self._box(x0 + col * (size + gap), 3.45 - row * 1.6 + (1.2 - size) / 2, size, size)
            _frame_only(axes)
            image = axes.imshow(np.zeros((2, 2)), cmap=cmap, norm=norm, interpolation="nearest")
            _text(axes, 0.5, 1.03, f"o = {index}", transform=axes.transAxes, ha="center", va="bottom", fontsize=9)
            panels.append((axes, image))
        return panels

    def _strip(self, x, cmap):
        """A colour strip with its top, middle and bottom values: the range of its panels."""
        axes = self._box(x, 1.85, 0.12, 2.8)
        _frame_only(axes)
        image = axes.imshow(np.linspace(1, 0, 128)[:, None], cmap=cmap, aspect="auto", extent=(0, 1, 0, 1))
        # baseline 3 points under the mark: the label's middle sits on its value
        lower = ScaledTranslation(0, -3 / 72, self.figure.dpi_scale_trans)
        labels = [_text(axes, 1.6, y, ha="left", fontsize=9, transform=axes.transAxes + lower, **_NUMBERS)
                  for y in (1.0, 0.5, 0.0)]
        return image, labels

    def background_key(self):
        """What the static part of the figure depends on: which axes are visible, the aspect of
        each one's data limits (with equal-aspect images this sets the axes' box) and the strips'
        colours."""
        key = [tuple(image.get_cmap().name for image, _ in self._strips)]
        for axes in self.figure.axes:
            if axes.get_visible():
                (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
                key.append(round((y1 - y0) / (x1 - x0), 9))
            else:
                key.append(None)
        return tuple(key)

    # ---- updating ---------------------------------------------------------------------------
    def show(self, result, source, annotate):
        """Update every artist for ``result`` (a ConvResult); ``source`` names the input;
        ``annotate`` marks corner, edge and centre values on the first map (the 12/18/27)."""
        self._show_input(result)
        self._show_grid(self.kernels, self._strips[0], result.weight[:PANELS, 0], "RdBu_r", symmetric=True)
        self._show_grid(self.outputs, self._strips[1], result.output[:PANELS], None, symmetric=False)
        self._show_titles(result, source)
        self._show_formula(result.formulas)
        self._show_marks(result.output[0], annotate)
        self._show_kernel_values(result.weight[0, 0])

    @staticmethod
    def _set_image(image, data):
        image.set_data(data)
        height, width = data.shape[:2]
        if image.get_extent()[1] != width - 0.5 or image.get_extent()[2] != height - 0.5:
            image.set_extent((-0.5, width - 0.5, height - 0.5, -0.5))     # costly: only on a new shape

    def _show_grid(self, panels, strip, maps, cmap, symmetric):
        """Show ``maps`` on one colour scale. Kernels are red +, blue -, white 0. Output maps with
        both signs are grey with 0 mid-grey (edges look like relief); non-negative ones use
        viridis over their range, where 12, 18 and 27 stand apart."""
        low, high = float(maps.min()), float(maps.max())
        signed = low < 0 < high
        if symmetric or signed:
            high = max(abs(low), abs(high)) or 1.0
            low = -high
        elif high - low < 1e-6 * max(1.0, abs(high)):
            low, high = low - 0.5, high + 0.5
        panels[0][1].set_clim(low, high)     # the shared norm: both limits at once
        cmap = cmap or ("gray" if signed else "viridis")
        for index, (axes, image) in enumerate(panels):
            axes.set_visible(index < len(maps))
            if index < len(maps):
                self._set_image(image, maps[index])
                if image.get_cmap().name != cmap:
                    image.set_cmap(cmap)
        strip_image, labels = strip
        if strip_image.get_cmap().name != cmap:
            strip_image.set_cmap(cmap)
        for label, text in zip(labels, _range_labels(low, high)):
            label.set_text(text)

    def _show_input(self, result):
        image = result.image
        low, high = float(image.min()), float(image.max())
        if image.shape[0] == 3:
            # RGB is drawn as given in [0, 1]; other ranges are stretched, a constant is mid-grey.
            shown = np.moveaxis(image, 0, 2)
            if high - low < 1e-6:
                shown = np.full_like(shown, 0.5)
            elif low < 0 or high > 1:
                shown = (shown - low) / (high - low)
        else:
            shown = image.mean(axis=0)
            self.input.set_clim(*((low, high) if high - low > 1e-6 else (low - 1.0, high + 1.0)))
        self._set_image(self.input, shown)
        (top, bottom, left, right), (kh, kw) = result.pads, result.weight.shape[2:]
        height, width = image.shape[1:]
        self.input_axes.set_xlim(-left - 0.5, width + right - 0.5)
        self.input_axes.set_ylim(height + bottom - 0.5, -top - 0.5)
        self._show_ticks(width, height)
        self._pad_frame.set_bounds(-left - 0.5, -top - 0.5, width + left + right, height + top + bottom)
        self._pad_frame.set_visible(any(result.pads))
        (dh, dw) = result.dilation
        self._window.set_bounds(-left - 0.5, -top - 0.5, dw * (kw - 1) + 1, dh * (kh - 1) + 1)
        rows, cols = np.mgrid[0:kh, 0:kw]
        self._taps.set_data((cols * dw - left).ravel(), (rows * dh - top).ravel())

    def _show_ticks(self, width, height):
        """Integer pixel ticks along the bottom and the left side."""
        for texts, mark, size, along_x in ((self._ticks[0], self._tick_marks[0], width, True),
                                           (self._ticks[1], self._tick_marks[1], height, False)):
            values = [int(v) for v in MaxNLocator(4, integer=True).tick_values(0, size - 1) if 0 <= v <= size - 1]
            mark.set_data((values, [0] * len(values)) if along_x else ([0] * len(values), values))
            for index, text in enumerate(texts):
                text.set_visible(index < len(values))
                if index < len(values):
                    text.set_text(str(values[index]))
                    text.set_position((values[index], 0) if along_x else (0, values[index]))

    def _show_titles(self, result, source):
        channels, height, width = result.image.shape
        mean = " (drawn: mean of channels)" if channels not in (1, 3) else ""
        details = (f"{source}: (1, {channels}, {height}, {width}){mean}", f"shape {result.weight.shape}",
                   f"shape {result.shape}")
        for (_, text), detail in zip(self._titles, details):
            text.set_text(detail)
        for text in self._shown:
            text.set_visible(result.shape[1] > PANELS)
            text.set_text(f"the first {PANELS} of {result.shape[1]} shown")

    def _show_formula(self, formulas):
        """Symbolic formula, then the numbers, per axis; W shares H's line when only letters differ."""
        rows = []         # per row: (text at column 0, column of the second text, second text)
        for axis, formula in zip("HW", formulas):
            lhs, symbolic, numbers, value = formula.split(" = ")
            twin = formulas[0].replace("H_", "W_").replace("top + bottom", "left + right")
            if axis == "W" and twin == formula:
                rows.append((f"{lhs} = {value}", 16, "(the same formula along W)"))
                break
            rows += [(f"{lhs} = {symbolic}", 0, ""), ("", len(lhs) + 1, f"= {numbers} = {value}")]
        for index, (first, second) in enumerate(self._formula):
            row = rows[index] if index < len(rows) else ("", 0, "")
            first.set_text(row[0])
            second.set_text(row[2])
            second.set_x(self._column(row[1]))

    def _show_marks(self, first, annotate):
        spots = ((0, 0), (0, first.shape[1] // 2), (first.shape[0] // 2, first.shape[1] // 2))
        for mark, (row, col) in zip(self._marks, spots):
            mark.xy = (col, row)
            mark.set_text(f"{float(first[row, col]):.3g}")
            mark.set_visible(annotate)

    def _show_kernel_values(self, kernel):
        """Numbers on the first kernel when it is at most 3 x 3 and they are short."""
        labels = [f"{v:.2g}".replace("0.", ".") for v in kernel.ravel()]
        show = kernel.size <= 9 and max(len(s) for s in labels) <= 4
        vmax = max(abs(self.kernels[0][1].norm.vmin), abs(self.kernels[0][1].norm.vmax))
        for index, text in enumerate(self._kernel_values):
            text.set_visible(show and index < kernel.size)
            if show and index < kernel.size:
                row, col = divmod(index, kernel.shape[1])
                text.set_position((col, row))
                text.set_text(labels[index])
                text.set_color("white" if abs(kernel[row, col]) > 0.6 * vmax else "black")
