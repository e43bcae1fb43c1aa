// Legends: a panel's (inside a corner, right of it, or above it) and the figure's own.

import { markerPath } from "./marks.js";
import { DASH, INK, attrs, num } from "./svg.js";
import { textBlock, textWidth } from "./text.js";

/**
 * @typedef {object} LegendLayout
 * @property {import("./types.js").LegendItem[]} items
 * @property {number} rows
 * @property {number[]} colWidths
 * @property {number} font
 * @property {number} row
 * @property {number} width
 * @property {number} height
 */

/** @param {import("./types.js").LegendItem} item @param {number} x @param {number} y */
function legendHandle(item, x, y) {
  const color = item.color || INK;
  const kind = item.kind || "line";
  if (kind === "line") {
    return `<line${attrs({ x1: x, y1: y, x2: x + 22, y2: y, stroke: color, "stroke-width": num(item.width, 2), "stroke-dasharray": DASH[item.dash ?? ""] })}/>`
      + (item.marker ? `<path${attrs({ d: markerPath(item.marker, x + 11, y, 3.5), fill: color })}/>` : "");
  }
  if (kind === "marker") return `<path${attrs({ d: markerPath(item.marker || "o", x + 11, y, 4), fill: color })}/>`;
  return `<rect${attrs({ x: x + 3, y: y - 5, width: 16, height: 10, fill: color, "fill-opacity": num(item.alpha, 1), stroke: color })}/>`;
}

/** The legend's rows, columns and size in px. @param {import("./types.js").Legend} legend @returns {LegendLayout} */
export function legendSize(legend) {
  const items = Array.isArray(legend.items) ? legend.items : [];
  const font = num(legend.size, 12), row = Math.round(font * 1.5);
  const columns = Math.max(1, Math.min(items.length, Math.floor(num(legend.columns, 1))));
  const rows = Math.ceil(items.length / columns);
  /** @type {number[]} */
  const colWidths = [];
  items.forEach((it, i) => {
    const c = Math.floor(i / rows);
    colWidths[c] = Math.max(colWidths[c] || 0, 28 + textWidth(String(it.label ?? ""), font));
  });
  const width = colWidths.reduce((a, w) => a + w + 10, 0) + 2;
  return { items, rows, colWidths, font, row, width, height: rows * row + 8 };
}

/** The legend with its top-left corner at (x, y) px. @param {number} x @param {number} y @param {LegendLayout} size */
export function drawLegend(x, y, size) {
  let out = `<rect${attrs({ x, y, width: size.width, height: size.height, rx: 3, fill: "#ffffff", "fill-opacity": 0.8 })}/>`;
  let cx = x + 6;
  size.items.forEach((it, i) => {
    const r = i % size.rows, c = Math.floor(i / size.rows);
    if (r === 0 && c > 0) cx += size.colWidths[c - 1] + 10;
    const cy = y + 4 + (r + 0.5) * size.row;
    out += legendHandle(it, cx, cy) + textBlock(String(it.label ?? ""), cx + 28, cy, { size: size.font, valign: "middle" }).svg;
  });
  return `<g class="legend">${out}</g>`;
}

/**
 * A panel's legend. "right": 8 px right of the box (or of its colour bar), top-aligned; "above":
 * centred on the box's top edge, under the title; "upper/lower left/right": inside the box's corner.
 * @param {import("./types.js").Legend} legend
 * @param {import("./axes.js").Box} b
 * @param {number} rightEdge the right edge of the box or of its colour bar, px
 * @returns {{svg: string, above: number}} above: px the title moves up
 */
export function panelLegend(legend, b, rightEdge) {
  const size = legendSize(legend);
  if (!size.items.length) return { svg: "", above: 0 };
  const loc = legend.loc || "upper right";
  let x = b.x + b.w - size.width - 4, y = b.y + 4;
  if (loc.endsWith("left")) x = b.x + 4;
  if (loc.startsWith("lower")) y = b.y + b.h - size.height - 4;
  if (loc === "right") { x = rightEdge + 8; y = b.y; }
  if (loc === "above") { x = b.x + (b.w - size.width) / 2; y = b.y - size.height; }
  return { svg: drawLegend(x, y, size), above: loc === "above" ? size.height : 0 };
}
