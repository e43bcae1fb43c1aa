"""``BlitPane``: a ``FigurePane`` that redraws only what moved, for figures whose layout stays put
while their contents change (the convolution, training and depth explorers).

Text is what Agg draws slowest (a FreeType call per glyph), and ticks, labels and titles change
far less often than the data. The figure is therefore split into

* ``dynamic`` artists (lines, images, histograms, changing notes), drawn on every redraw, in
  this order, over
* a static layer (everything else), kept as a bitmap and redrawn in part: ``regions`` names
  groups of static artists, ``keys`` says what each one's look depends on. A region whose key
  changed is erased and drawn again, alone; a change of ``figure_key()`` (or of the figure's
  pixel size) redraws the whole static layer.

The frame is then encoded with ``encode_png`` (no ``savefig``). With ipympl (``%matplotlib
widget``) the pane is a plain ``FigurePane``: every draw is a full one, as are ``save()`` and
``png(dpi)`` at a dpi other than the figure's.
"""

import contextlib
import math
import struct
import zlib

import numpy as np
from matplotlib.colors import to_rgba
from matplotlib.transforms import Bbox

from ._view import FigurePane

__all__ = ["BlitPane", "encode_png"]


def encode_png(rgb):
    """PNG bytes of an (H, W, 3) uint8 image: rows unfiltered, zlib level 1.

    For a figure of flat colours this is as small as Pillow's adaptive filtering (whose filter
    search takes most of its time) and two to three times faster.

    >>> encode_png(np.zeros((1, 1, 3), np.uint8))[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    height, width, _ = rgb.shape
    rows = np.zeros((height, 1 + 3 * width), np.uint8)       # a leading 0 per row: filter "None"
    rows[:, 1:] = rgb.reshape(height, -1)

    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)     # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 1))
            + chunk(b"IEND", b""))


class BlitPane(FigurePane):
    """A FigurePane whose PNG path restores a cached static layer and draws the dynamic artists.

    Set by the figure's owner:

    * ``dynamic``: the artists that change between redraws, drawn in this order (hidden ones,
      and those on hidden axes, are skipped). They are left out of the static layer.
    * ``regions``: ``{name: (rect, artists)}``, the static artists drawn together. ``rect``
      (x0, y0, x1, y1) in figure fractions is the region's fixed area: it is cleared, the
      artists drawn, and whatever they draw outside it is dropped (a region's artists must stay
      inside). ``rect=None``: the area is the artists' tight extent, before and after the change
      (2 px padding), and regions of that kind reaching into it are redrawn as well.
    * ``keys``: ``{name: key}``, what each region's look depends on; a key is a value (set before
      ``redraw()``) or a function, called at each redraw. A missing key is ``None``.
    * ``figure_key``: a function; when its value (or the set of regions, or the figure's size
      in pixels) changes, the whole static layer is drawn again (``full_draws`` counts those).

    >>> pane = BlitPane((4, 3))                                         # doctest: +SKIP
    >>> axes = pane.figure.add_subplot(); line, = axes.plot([0, 1])     # doctest: +SKIP
    >>> pane.dynamic, pane.regions = [line], {"axes": (None, [axes])}   # doctest: +SKIP
    >>> pane.keys = {"axes": lambda: (axes.get_xlim(), axes.get_ylim())}  # doctest: +SKIP
    >>> pane.redraw()                                                   # doctest: +SKIP
    """

    def __init__(self, figsize=(12, 4)):
        super().__init__(figsize)
        self.dynamic, self.regions, self.keys = [], {}, {}
        self.figure_key = lambda: None
        self.full_draws = 0                 # how often the whole static layer was drawn
        self._background = None             # (H, W, 4) uint8: the static layer
        self._drawn = self._figure_state = None     # the keys it shows, figure_key()'s value
        self._boxes = {}                    # pixel Bbox of each region, as drawn

    def png(self, dpi=None):
        if self.interactive or (dpi is not None and dpi != self.figure.dpi):
            return super().png() if dpi is None else super().png(dpi)
        with np.errstate(all="ignore"):           # absurd values must not print warnings
            pixels = self._static_layer()
            pixels[...] = self._background
            for artist in self.dynamic:
                if artist.get_visible() and (artist.axes is None or artist.axes.get_visible()):
                    self.figure.draw_artist(artist)
        return encode_png(pixels[..., :3])

    def _static_layer(self):
        """Bring ``_background`` up to date: drawn whole or redrawn where a key changed. Returns
        the canvas' pixels (RGBA, rows top-down)."""
        canvas, state = self.figure.canvas, (self.figure_key(), tuple(self.regions))
        keys = {name: self._key(name) for name in self.regions}
        with self._animated():
            pixels = np.asarray(canvas.get_renderer().buffer_rgba())
            if (self._background is None or state != self._figure_state
                    or self._background.shape != pixels.shape):
                canvas.draw()
                self.full_draws += 1
                pixels = np.asarray(canvas.get_renderer().buffer_rgba())
                self._background = pixels.copy()
                self._boxes = {name: self._box(name) for name in self.regions}
            else:
                changed = [name for name in self.regions if keys[name] != self._drawn.get(name)]
                if changed:
                    self._redraw_regions(changed, pixels)
        self._drawn, self._figure_state = keys, state
        return pixels

    def _key(self, name):
        key = self.keys.get(name)
        return key() if callable(key) else key

    def _box(self, name):
        """The region's area in pixels: its rectangle, or its artists' tight extent."""
        rect, artists = self.regions[name]
        if rect is not None:
            width, height = self.figure.canvas.get_width_height()
            return Bbox.from_extents(round(rect[0] * width), height - round((1 - rect[1]) * height),
                                     round(rect[2] * width), height - round((1 - rect[3]) * height))
        renderer = self.figure.canvas.get_renderer()
        return Bbox.union([artist.get_tightbbox(renderer) for artist in artists])

    def _redraw_regions(self, changed, pixels):
        """Erase the changed regions (a free region: its old and new extent, and any free region
        reaching into them), draw their static artists again, keep the result inside each area."""
        new = {name: self._box(name) for name in changed}
        areas = {name: box if self.regions[name][0] is not None
                 else Bbox.union([self._boxes[name], box]).padded(2) for name, box in new.items()}
        free = [name for name, (rect, _) in self.regions.items() if rect is None]
        while True:
            more = {name for name in free if name not in areas
                    and any(self._boxes[name].overlaps(areas[other]) for other in areas
                            if self.regions[other][0] is None)}
            if not more:
                break
            areas.update({name: self._boxes[name].padded(2) for name in more})
        pixels[...] = self._background
        face = np.round(np.asarray(to_rgba(self.figure.get_facecolor())) * 255)
        cuts = {name: _slices(box, pixels.shape) for name, box in areas.items()}
        for cut in cuts.values():
            pixels[cut] = face
        for name in self.regions:                 # in the regions' order
            if name in areas:
                for artist in self.regions[name][1]:
                    if artist.get_visible():
                        self.figure.draw_artist(artist)
        for cut in cuts.values():
            self._background[cut] = pixels[cut]       # what spilled out is dropped
        self._boxes.update(new)

    @contextlib.contextmanager
    def _animated(self):
        """Leave the dynamic artists out of the static layer (a full draw skips animated ones)."""
        for artist in self.dynamic:
            artist.set_animated(True)
        try:
            yield
        finally:
            for artist in self.dynamic:
                artist.set_animated(False)

    @contextlib.contextmanager
    def _everything(self):
        """Make a full draw (``FigurePane.png``, ``savefig``) show the dynamic artists: they are
        animated only while the static layer is drawn, so outside ``png()`` this is a check."""
        animated = [artist for artist in self.dynamic if artist.get_animated()]
        for artist in animated:
            artist.set_animated(False)
        try:
            yield
        finally:
            for artist in animated:
                artist.set_animated(True)


def _slices(box, shape):
    """Rows (top-down) and columns of the pixels that ``box`` (display pixels) covers."""
    height, width = shape[:2]
    rows = slice(max(0, int(height - box.y1)), min(height, int(math.ceil(height - box.y0))))
    cols = slice(max(0, int(box.x0)), min(width, int(math.ceil(box.x1))))
    return rows, cols
