// Text: measured widths, and multi-line blocks that are aligned, optionally boxed or rotated.

import { FONT, INK, MONO, attrs, esc, finite, num, px } from "./svg.js";

/** @type {CanvasRenderingContext2D | false | null} */
let measureCtx = null;
const widths = new Map();

/**
 * The width in px of `text` at `size` px in the figure's font (or its monospace one), measured
 * on a canvas and cached; 0.6 em a character where there is no canvas (node, a headless page).
 * @param {unknown} text
 * @param {number} size
 * @param {string} [family]
 * @returns {number}
 */
export function textWidth(text, size, family) {
  const key = `${size}|${family || ""}|${text}`;
  let w = widths.get(key);
  if (w !== undefined) return w;
  if (measureCtx === null) {
    measureCtx = typeof document === "undefined" ? false : document.createElement("canvas").getContext("2d") || false;
  }
  if (measureCtx) {
    measureCtx.font = `${size}px ${family === "monospace" ? MONO : FONT}`;
    w = measureCtx.measureText(String(text)).width;
  } else {
    w = String(text).length * size * 0.6;
  }
  if (widths.size > 5000) widths.clear();
  widths.set(key, w);
  return w;
}

/**
 * @typedef {object} TextOptions
 * @property {number} [size] font size, px (12)
 * @property {"left" | "center" | "right"} [align]
 * @property {"top" | "middle" | "bottom" | "baseline"} [valign]
 * @property {string} [color]
 * @property {string} [weight]
 * @property {string} [family] "monospace" for the monospace chain
 * @property {boolean} [box] a white rounded box behind the text
 * @property {number} [rotation] degrees, counter-clockwise, around (x, y)
 * @property {number} [within] the figure's width: a text that would leave it is moved back inside
 */

/**
 * One text (lines split at "\n") anchored at (x, y) px.
 * @param {unknown} text
 * @param {number} x
 * @param {number} y
 * @param {TextOptions} [o]
 * @returns {{svg: string, width: number, height: number}}
 */
export function textBlock(text, x, y, o = {}) {
  const size = num(o.size, 12);
  const lines = String(text).split("\n");
  const lh = size * 1.2;
  const valign = o.valign || "top";
  const height = lines.length * lh;
  // y of the top of the first line
  let top = valign === "top" ? y : valign === "middle" ? y - height / 2 : valign === "bottom" ? y - height : y - size * 0.8;
  const align = o.align || "left";
  const anchor = align === "center" ? "middle" : align === "right" ? "end" : "start";
  const w = Math.max(...lines.map((l) => textWidth(l, size, o.family)));
  /** @param {number} at */
  const leftOf = (at) => (anchor === "middle" ? at - w / 2 : anchor === "end" ? at - w : at);
  // A text that would leave the figure (a long note in a narrow panel) is moved back inside it.
  if (o.within) x += Math.max(4, Math.min(leftOf(x), o.within - 4 - w)) - leftOf(x);
  const left = leftOf(x);
  let out = "";
  if (o.box) {
    out += `<rect${attrs({ x: left - 4, y: top - 2, width: w + 8, height: height + 4, rx: 3, fill: "#ffffff", "fill-opacity": 0.9, stroke: o.color || INK })}/>`;
  }
  const spans = lines.map((l, i) => `<tspan${attrs({ x, y: top + i * lh + size * 0.85 })}>${esc(l)}</tspan>`).join("");
  const family = o.family === "monospace" ? MONO : undefined;
  out += `<text${attrs({ "font-size": size, fill: o.color || INK, "text-anchor": anchor, "font-weight": o.weight, "font-family": family })}>${spans}</text>`;
  if (o.rotation !== undefined && finite(o.rotation) && o.rotation) out = `<g transform="rotate(${px(-o.rotation)} ${px(x)} ${px(y)})">${out}</g>`;
  return { svg: out, width: w, height };
}
