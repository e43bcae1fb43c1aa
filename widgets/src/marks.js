// The marks of a panel (docs/figure-format.md "Marks"), each drawn as an SVG string. Non-finite
// values are never drawn: a line breaks there, a stair or an image cell stays empty.

import { colormapTable, decode, scalar } from "./arrays.js";
import { imageIndices, imageURL } from "./bitmap.js";
import { DASH, attrs, finite, num, px } from "./svg.js";
import { textBlock } from "./text.js";

/**
 * What a mark is drawn with: the panel's scales and box, the figure's width and height, the
 * colour maps, the hatch pattern's id.
 * @typedef {object} MarkContext
 * @property {import("./scale.js").Scale} X
 * @property {import("./scale.js").Scale} Y
 * @property {{x: number, y: number, w: number, h: number}} box the panel's box in px (y down)
 * @property {number} W
 * @property {number} H
 * @property {Record<string, any>} colormaps
 * @property {Map<string, any>} cmapCache
 * @property {string} hatch
 */

/**
 * An SVG path through the points (xs[i], ys[i]), lifting the pen at every point that maps to no
 * finite pixel (NaN, inf, a non-positive value on a log axis).
 * @param {ArrayLike<number>} xs
 * @param {ArrayLike<number>} ys
 * @param {(v: number) => number} X
 * @param {(v: number) => number} Y
 * @returns {string}
 */
export function pathOf(xs, ys, X, Y) {
  let d = "", pen = false;
  for (let i = 0; i < xs.length; i++) {
    const x = X(xs[i]), y = Y(ys[i]);
    if (!finite(x) || !finite(y)) { pen = false; continue; }
    d += `${pen ? "L" : "M"}${px(x)} ${px(y)}`;
    pen = true;
  }
  return d;
}

/**
 * A marker's outline: "s" square, "D" diamond, else a circle; radius r px around (x, y).
 * @param {string} kind @param {number} x @param {number} y @param {number} r
 */
export function markerPath(kind, x, y, r) {
  if (kind === "s") return `M${px(x - r)} ${px(y - r)}h${px(2 * r)}v${px(2 * r)}h${px(-2 * r)}z`;
  if (kind === "D") return `M${px(x)} ${px(y - r)}L${px(x + r)} ${px(y)}L${px(x)} ${px(y + r)}L${px(x - r)} ${px(y)}z`;
  return `M${px(x - r)} ${px(y)}a${px(r)} ${px(r)} 0 1 0 ${px(2 * r)} 0a${px(r)} ${px(r)} 0 1 0 ${px(-2 * r)} 0`;
}

/** @param {import("./types.js").LineMark} m @param {MarkContext} ctx */
function drawLine(m, ctx) {
  const xs = decode(m.x).data, ys = decode(m.y).data;
  if (xs.length !== ys.length) throw new Error(`x has ${xs.length} values, y ${ys.length}`);
  const color = m.color || "#1f77b4";
  const width = num(m.width, 2);
  let out = "";
  if (width > 0) {
    const d = pathOf(xs, ys, ctx.X, ctx.Y);
    if (d) out += `<path${attrs({ d, fill: "none", stroke: color, "stroke-width": width, "stroke-dasharray": DASH[m.dash ?? ""], "stroke-opacity": m.alpha, "stroke-linejoin": "round" })}/>`;
  }
  if (m.marker) {
    const r = num(m.size, 6) / 2;
    let d = "";
    for (let i = 0; i < xs.length; i++) {
      const x = ctx.X(xs[i]), y = ctx.Y(ys[i]);
      if (finite(x) && finite(y)) d += markerPath(m.marker, x, y, r);
    }
    if (d) out += `<path${attrs({ d, fill: color, "fill-opacity": m.alpha, stroke: "#000000", "stroke-width": 0.5 })}/>`;
  }
  return out;
}

/** @param {import("./types.js").StairsMark} m @param {MarkContext} ctx */
function drawStairs(m, ctx) {
  const e = decode(m.edges).data, h = decode(m.heights).data;
  if (e.length !== h.length + 1) throw new Error(`${e.length} edges for ${h.length} heights`);
  const [y0, y1] = ctx.Y.lim;
  const base = ctx.Y.log ? ctx.box.y + ctx.box.h : ctx.Y(Math.min(Math.max(0, y0), y1));
  let d = "", open = false, last = 0;
  for (let i = 0; i < h.length; i++) {
    const xa = ctx.X(e[i]), xb = ctx.X(e[i + 1]), y = ctx.Y(h[i]);
    if (!finite(xa) || !finite(xb) || !finite(y)) {
      if (open) d += `L${px(last)} ${px(base)}Z`;
      open = false;
      continue;
    }
    d += open ? `L${px(xa)} ${px(y)}` : `M${px(xa)} ${px(base)}L${px(xa)} ${px(y)}`;
    d += `L${px(xb)} ${px(y)}`;
    open = true;
    last = xb;
  }
  if (open) d += `L${px(last)} ${px(base)}Z`;
  if (!d) return "";
  const color = m.color || "#1f77b4";
  return `<path${attrs({ d, fill: color, "fill-opacity": num(m.alpha, 1), stroke: color, "stroke-width": 1, "stroke-linejoin": "miter" })}/>`;
}

/** @param {import("./types.js").RuleMark} m @param {MarkContext} ctx */
function drawRule(m, ctx) {
  const v = scalar(m.value);
  const { x, y, w, h } = ctx.box;
  const at = m.axis === "x" ? ctx.X(v) : ctx.Y(v);
  if (!finite(at)) return "";
  const [x1, y1, x2, y2] = m.axis === "x" ? [at, y, at, y + h] : [x, at, x + w, at];
  return `<line${attrs({ x1, y1, x2, y2, stroke: m.color || "#7f7f7f", "stroke-width": num(m.width, 1.2), "stroke-dasharray": DASH[m.dash ?? ""] })}/>`;
}

/** @param {import("./types.js").ImageMark} m @param {MarkContext} ctx */
function drawImage(m, ctx) {
  const { data, shape } = decode(m.values);
  if (shape.length !== 2 || !shape[0] || !shape[1]) throw new Error(`image shape ${JSON.stringify(shape)}`);
  const [rows, cols] = shape;
  const table = colormapTable(ctx.colormaps, m.cmap || "viridis", ctx.cmapCache);
  const xa = ctx.X(0), xb = ctx.X(cols), ya = ctx.Y(0), yb = ctx.Y(rows);
  if (![xa, xb, ya, yb].every(finite)) return "";
  const geo = { x: Math.min(xa, xb), y: Math.min(ya, yb), width: Math.abs(xb - xa), height: Math.abs(yb - ya) };
  const { url, blanks } = imageURL(imageIndices(m, data), rows, cols, table);
  const hatch = blanks ? `<rect${attrs({ ...geo, fill: `url(#${ctx.hatch})` })}/>` : "";
  return `${hatch}<image${attrs({ ...geo, href: url, preserveAspectRatio: "none", style: "image-rendering:pixelated" })}/>`;
}

/**
 * A text mark at axes fractions, data coordinates or (figure-level texts) figure fractions.
 * @param {Omit<import("./types.js").TextMark, "type" | "coords"> & {coords?: "axes" | "data" | "figure"}} m
 * @param {MarkContext} ctx
 */
export function drawText(m, ctx) {
  let x, y;
  const fx = scalar(m.x), fy = scalar(m.y);
  if (m.coords === "data") { x = ctx.X(fx); y = ctx.Y(fy); }
  else if (m.coords === "figure") { x = fx * ctx.W; y = (1 - fy) * ctx.H; }
  else { x = ctx.box.x + fx * ctx.box.w; y = ctx.box.y + (1 - fy) * ctx.box.h; }
  if (!finite(x) || !finite(y)) throw new Error("text position is not finite");
  return textBlock(m.text ?? "", x, y, { ...m, within: ctx.W }).svg;
}

/** Each mark type's drawing: (mark, context) -> SVG. @type {Record<string, (m: any, ctx: MarkContext) => string>} */
export const MARKS = { line: drawLine, stairs: drawStairs, rule: drawRule, image: drawImage, text: drawText };
