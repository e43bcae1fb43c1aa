"""Text that Agg draws fast, for a figure whose labels are redrawn again and again (Agg only).

``StampedText``: text is what matplotlib 3.11 draws slowest on Agg (a FreeType call per glyph),
and a widget redraws the same labels again and again; each distinct label is rasterised once and
then stamped as a small image. ``GridText`` does it per character for monospace text whose
numbers keep changing. Invisible in the result; with ipympl (``%matplotlib widget``) it still
stamps, as ipympl renders with Agg. The pane that redraws only what moved is ``_blit.BlitPane``.
"""

import collections
import math

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

from ._blit import encode_png  # noqa: F401 -- where it was first defined; imported from here too

__all__ = ["StampedText", "GridText"]


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
