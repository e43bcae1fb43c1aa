// A panel's colour bar: right of the box, an 8 px gap, 12 px wide, the box's height; tick labels
// (10 px) right of it, its label (11 px, rotated) right of those.

import { colormapTable, scalar } from "./arrays.js";
import { rampURL } from "./bitmap.js";
import { SPINE, TICK, attrs, finite, px } from "./svg.js";
import { textBlock, textWidth } from "./text.js";

/**
 * @param {import("./types.js").Colorbar} bar
 * @param {import("./axes.js").Box} b
 * @param {import("./marks.js").MarkContext} ctx
 * @returns {{svg: string, right: number}} right: the bar's right edge with its labels, px
 */
export function drawColorbar(bar, b, ctx) {
  const table = colormapTable(ctx.colormaps, bar.cmap || "viridis", ctx.cmapCache);
  const x = b.x + b.w + 8, w = 12;
  let out = `<image${attrs({ x, y: b.y, width: w, height: b.h, href: rampURL(table, bar.cmap || "viridis", ctx.cmapCache), preserveAspectRatio: "none" })}/>`;
  out += `<rect${attrs({ x, y: b.y, width: w, height: b.h, fill: "none", stroke: SPINE })}/>`;
  const lo = scalar(bar.vmin), hi = scalar(bar.vmax);
  const ticks = Array.isArray(bar.ticks) ? bar.ticks : [lo, hi];
  const labels = Array.isArray(bar.labels) ? bar.labels : ticks.map((t) => String(t));
  let widest = 0;
  ticks.forEach((t, i) => {
    const y = b.y + b.h - ((Number(t) - lo) / (hi - lo)) * b.h;
    if (!finite(y)) return;
    const label = String(labels[i] ?? "");
    out += `<path${attrs({ d: `M${px(x + w)} ${px(y)}h${TICK}`, stroke: SPINE })}/>`;
    out += textBlock(label, x + w + TICK + 2, y, { size: 10, valign: "middle" }).svg;
    widest = Math.max(widest, textWidth(label, 10));
  });
  let right = x + w + TICK + 2 + widest;
  if (bar.label) {
    out += textBlock(bar.label, right + 4, b.y + b.h / 2, { size: 11, align: "center", valign: "top", rotation: 90 }).svg;
    right += 4 + 11 * 1.2;
  }
  return { svg: `<g class="colorbar">${out}</g>`, right };
}
