"""Fast redraws of a figure whose layout stays put while its contents change (Agg only).

Two levers, both invisible in the result:

* ``StampedText``: text is what matplotlib 3.11 draws slowest on Agg (a FreeType call per
  glyph), and a widget redraws the same labels again and again; each distinct label is
  rasterised once and then stamped as a small image. ``GridText`` does it per character for
  monospace text whose numbers keep changing.
* ``FastPane``: a ``FigurePane`` that renders the artists which never change (frames, panel
  labels, legends) once into a background, and per redraw restores it and draws only the
  artists registered as dynamic; the PNG is then encoded with ``encode_png``.

With ipympl (``%matplotlib widget``) ``FastPane`` is a plain ``FigurePane`` and every draw is a
full one; ``StampedText`` still stamps, as ipympl renders with Agg.
"""

import collections
import contextlib
import math
import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

from ._view import FigurePane

__all__ = ["StampedText", "GridText", "FastPane", "encode_png"]


class StampedText(Text):
    """A Text that Agg rasterises once per distinct look (string, font, colour, alignment) and
    then stamps as an image; other renderers (PDF, SVG) draw it as a plain Text.

    The stamp is the text drawn alone into a small transparent canvas with its anchor on a whole
    pixel, so it looks exactly like ``Text.draw`` moved by less than half a pixel. Stamps are
    shared by all instances (the same "0" is rasterised once), the least recently used dropped
    first. Stamped texts are never clipped; keep them to one line.
    """

    _STAMPS = collections.OrderedDict()
    _CACHE = 512

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_clip_on(False)

    def _stampable(self, renderer):
        return self.get_visible() and self.get_text() and type(renderer) is RendererAgg

    def draw(self, renderer):
        if not self._stampable(renderer):
            return super().draw(renderer)
        x, y = self.get_transform().transform(self.get_unitless_position())
        looks = self._looks(renderer)
        dx, dy, stamp = self._entry(renderer, self.get_text(), self.get_ha(), looks)
        gc = renderer.new_gc()
        renderer.draw_image(gc, round(x) + dx, round(y) + dy, stamp)
        gc.restore()
        self.stale = False
        return None

    def _looks(self, renderer):
        """Everything but the string and ha that the raster depends on (part of the cache key)."""
        return (str(self.get_color()), self.get_fontproperties(), self.get_rotation(), self.get_va(),
                self.get_alpha(), renderer.dpi)

    def _entry(self, renderer, string, ha, looks):
        """(dx, dy, RGBA) of ``string``, from the cache or rasterised now."""
        key = (string, ha, looks)
        entry = self._STAMPS.get(key)
        if entry is None:
            entry = self._STAMPS[key] = self._rasterise(renderer, string, ha)
            if len(self._STAMPS) > self._CACHE:
                self._STAMPS.popitem(last=False)
        else:
            self._STAMPS.move_to_end(key)
        return entry

    def _rasterise(self, renderer, string, ha):
        """(dx, dy, RGBA): ``string`` drawn by a plain Text anchored at pixel (-dx, -dy)."""
        pen = Text(0, 0, string, fontproperties=self.get_fontproperties(), color=self.get_color(),
                   alpha=self.get_alpha(), rotation=self.get_rotation(), ha=ha, va=self.get_va(),
                   transform=IdentityTransform())
        pen.set_figure(_dpi_figure(renderer.dpi))
        box = pen.get_window_extent(renderer)
        dx, dy = math.floor(box.x0) - 2, math.floor(box.y0) - 2
        width, height = math.ceil(box.x1) + 3 - dx, math.ceil(box.y1) + 3 - dy
        canvas = _scratch(width, height, renderer.dpi)
        pen.set_position((-dx, -dy))
        pen.draw(canvas)
        rows = np.asarray(canvas.buffer_rgba())
        return dx, dy, np.ascontiguousarray(rows[rows.shape[0] - height:, :width][::-1])


class GridText(StampedText):
    """A StampedText for monospace text that stamps character by character: each character is
    rasterised once, so a string never seen before (a new shape, a new number) costs nothing to
    render. Needs ``va='baseline'`` (the default) and no rotation, otherwise it stamps whole
    strings. At the usual hinting, glyph advances are whole pixels and the result is exactly
    that of a StampedText."""

    def draw(self, renderer):
        if not self._stampable(renderer) or self.get_va() != "baseline" or self.get_rotation():
            return super().draw(renderer)
        x, y = self.get_transform().transform(self.get_unitless_position())
        text, looks = self.get_text(), self._looks(renderer)
        advance = _advance(renderer, looks[1])
        x = round(x - {"left": 0.0, "center": 0.5, "right": 1.0}[self.get_ha()] * advance * len(text))
        y = round(y)
        gc = renderer.new_gc()
        for index, char in enumerate(text):
            if not char.isspace():
                dx, dy, stamp = self._entry(renderer, char, "left", looks)
                renderer.draw_image(gc, round(x + index * advance) + dx, y + dy, stamp)
        gc.restore()
        self.stale = False
        return None


_ADVANCES = {}


def _advance(renderer, font):
    """The width matplotlib lays out per character of a monospace ``font`` (whole pixels when
    hinted)."""
    key = (font, renderer.dpi)
    if key not in _ADVANCES:
        _ADVANCES[key] = renderer.get_text_width_height_descent("0" * 64, font, False)[0] / 64
    return _ADVANCES[key]


_FIGURES = {}


def _dpi_figure(dpi):
    """A bare Figure at ``dpi``: a Text needs one to lay itself out."""
    if dpi not in _FIGURES:
        _FIGURES[dpi] = Figure(dpi=dpi)
    return _FIGURES[dpi]


_SCRATCH = {}


def _scratch(width, height, dpi):
    """A cleared Agg canvas of at least width x height pixels, kept between calls: a new one per
    stamp would also miss matplotlib's text-metrics cache, which is keyed by renderer."""
    canvas = _SCRATCH.get(dpi)
    if canvas is None or canvas.width < width or canvas.height < height:
        old = (canvas.width, canvas.height) if canvas is not None else (0, 0)
        canvas = _SCRATCH[dpi] = RendererAgg(max(width, old[0], 1200), max(height, old[1], 64), dpi)
    canvas.clear()
    return canvas


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


class FastPane(FigurePane):
    """A FigurePane that redraws only its dynamic artists over a cached background.

    ``animate(artists)`` registers the artists that change between redraws, in drawing order;
    everything else is drawn once into the background, again only when an axes moves or is
    shown or hidden (``layout``). ``png()`` at the figure's dpi is then: restore the
    background, draw the dynamic artists, ``encode_png``. ``save()`` and ``png(dpi)`` at another
    dpi draw the whole figure. With ipympl it is exactly a FigurePane.

    >>> pane = FastPane((4, 3))                                  # doctest: +SKIP
    >>> line, = pane.figure.add_subplot().plot([0, 1])           # doctest: +SKIP
    >>> pane.animate([line]); pane.redraw()                      # doctest: +SKIP
    """

    def __init__(self, figsize=(12, 4)):
        super().__init__(figsize)
        self.dynamic = []
        self._background = None
        self._layout = None

    def animate(self, artists):
        """Register ``artists`` (drawn in this order, over the background) as dynamic."""
        self.dynamic = list(artists)
        if not self.interactive:
            for artist in self.dynamic:
                artist.set_animated(True)
        self._background = None

    def layout(self):
        """What the background depends on: which axes are visible, the aspect of each one's data
        limits (with equal-aspect images this sets the axes' box) and ``layout_extra``."""
        key = [self.layout_extra()]
        for axes in self.figure.axes:
            if axes.get_visible():
                (x0, x1), (y0, y1) = axes.get_xlim(), axes.get_ylim()
                key.append(round((y1 - y0) / (x1 - x0), 9))
            else:
                key.append(None)
        return tuple(key)

    def layout_extra(self):
        """Anything else the background shows that may change; override (default: nothing)."""
        return None

    def png(self, dpi=None):
        if self.interactive or (dpi is not None and dpi != self.figure.dpi):
            with self._everything():
                return super().png() if dpi is None else super().png(dpi)
        canvas = self.figure.canvas
        layout = self.layout()
        if self._background is None or layout != self._layout:
            canvas.draw()
            self._background, self._layout = canvas.copy_from_bbox(self.figure.bbox), layout
        else:
            canvas.restore_region(self._background)
        for artist in self.dynamic:
            if artist.get_visible() and (artist.axes is None or artist.axes.get_visible()):
                self.figure.draw_artist(artist)
        return encode_png(np.asarray(canvas.buffer_rgba())[..., :3])

    def save(self, path, dpi=100):
        with self._everything():
            super().save(path, dpi)

    @contextlib.contextmanager
    def _everything(self):
        """Draw the dynamic artists in full draws too (savefig skips animated artists)."""
        animated = [artist for artist in self.dynamic if artist.get_animated()]
        for artist in animated:
            artist.set_animated(False)
        try:
            yield
        finally:
            for artist in animated:
                artist.set_animated(True)
