// A panel's grid and frame: spines, ticks, tick labels and the axis labels.

import { GRID, SPINE, TICK, attrs, px } from "./svg.js";
import { textBlock, textWidth } from "./text.js";

/** @typedef {{x: number, y: number, w: number, h: number}} Box a panel's box in px (y down) */
/** @typedef {{at: number, label: string}} PlacedTick */

/**
 * Grid lines at the ticks.
 * @param {PlacedTick[]} xt @param {PlacedTick[]} yt @param {Box} b
 */
export function drawGrid(xt, yt, b) {
  let d = "";
  for (const t of xt) d += `M${px(t.at)} ${px(b.y)}V${px(b.y + b.h)}`;
  for (const t of yt) d += `M${px(b.x)} ${px(t.at)}H${px(b.x + b.w)}`;
  return d ? `<path${attrs({ d, stroke: GRID, "stroke-width": 1, fill: "none" })}/>` : "";
}

/**
 * The frame, ticks and their labels, and the panel's xlabel (under) and ylabel (left, rotated).
 * @param {import("./types.js").Panel} p @param {PlacedTick[]} xt @param {PlacedTick[]} yt @param {Box} b
 */
export function drawAxes(p, xt, yt, b) {
  const size = 11;
  let out = `<rect${attrs({ x: b.x, y: b.y, width: b.w, height: b.h, fill: "none", stroke: SPINE, "stroke-width": 1 })}/>`;
  let d = "";
  for (const t of xt) d += `M${px(t.at)} ${px(b.y + b.h)}v${TICK}`;
  for (const t of yt) d += `M${px(b.x)} ${px(t.at)}h${-TICK}`;
  if (d) out += `<path${attrs({ d, stroke: SPINE, "stroke-width": 1 })}/>`;
  for (const t of xt) out += textBlock(t.label, t.at, b.y + b.h + TICK + 2, { size, align: "center", valign: "top" }).svg;
  let widest = 0;
  for (const t of yt) {
    out += textBlock(t.label, b.x - TICK - 3, t.at, { size, align: "right", valign: "middle" }).svg;
    widest = Math.max(widest, textWidth(String(t.label), size));
  }
  if (p.xlabel) {
    const y = b.y + b.h + TICK + (xt.length ? size * 1.2 + 6 : 4);
    out += textBlock(p.xlabel, b.x + b.w / 2, y, { size: 12, align: "center", valign: "top" }).svg;
  }
  if (p.ylabel) {
    const x = b.x - TICK - (yt.length ? widest + 8 : 4) - 12 * 0.25;
    out += textBlock(p.ylabel, x, b.y + b.h / 2, { size: 12, align: "center", valign: "bottom", rotation: 90 }).svg;
  }
  return out;
}
