// sporelab's live figure: an anywidget module that draws one resolved figure description
// (docs/figure-format.md) as SVG into its element, and redraws it on every change.
//
// The kernel has already decided every limit, tick, label and note (sporelab/widgets/_figure.py
// resolve()), so the modules here only map numbers to pixels. They never throw and never log:
// whatever cannot be drawn is listed in a red note on the figure.

import { watchControls } from "./controls.js";
import { draw } from "./draw.js";
import { applyPatch } from "./patch.js";
import { NOTE } from "./svg.js";

/**
 * anywidget's entry: draw model.get("figure") into `el`, follow its changes and patches, and name
 * the explorer's controls for screen readers. Returns the clean-up anywidget calls on removal.
 * @param {{model: import("./types.js").Model, el: HTMLElement}} view
 */
function render({ model, el }) {
  el.classList.add("sporelab-figure");
  const cmapCache = new Map();
  let figure = model.get("figure");                     // the whole figure, patches merged in
  let caption = model.get("caption") || "";
  const redraw = () => draw(figure, model.get("colormaps"), el, cmapCache, caption);
  // A whole update sets figure and caption together (one message, two change events): one redraw.
  let queued = false;
  const onFigure = () => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => { queued = false; figure = model.get("figure"); caption = model.get("caption") || ""; redraw(); });
  };
  const onMaps = () => { cmapCache.clear(); redraw(); };
  /** @param {any} msg @param {unknown[]} [buffers] */
  const onMessage = (msg, buffers) => {
    if (!msg || msg.type !== "patch") return;
    if (typeof msg.caption === "string") caption = msg.caption;
    try { figure = applyPatch(figure, msg, buffers || []); }
    catch (error) { figure = { ...figure, texts: [...(figure.texts || []), { text: `\u26a0 an update could not be applied: ${error.message}`, x: 0.01, y: 0.06, color: NOTE, valign: "bottom" }] }; }
    redraw();
  };
  model.on("change:figure", onFigure);
  model.on("change:caption", onFigure);
  model.on("change:colormaps", onMaps);
  model.on("msg:custom", onMessage);
  redraw();
  const unwatch = watchControls(el);
  return () => {
    model.off("change:figure", onFigure);
    model.off("change:caption", onFigure);
    model.off("change:colormaps", onMaps);
    model.off("msg:custom", onMessage);
    unwatch();
  };
}

export default { render };
