// A resolved figure description (docs/figure-format.md) as one SVG string: its panels (grid,
// marks, axes, colour bar, legend, title), its figure-level texts and legend, and a red note
// listing whatever could not be drawn. Never throws for a bad description: problems are drawn.

import { drawAxes, drawGrid } from "./axes.js";
import { scalar } from "./arrays.js";
import { drawColorbar } from "./colorbar.js";
import { drawLegend, legendSize, panelLegend } from "./legend.js";
import { MARKS, drawText } from "./marks.js";
import { scale, ticksOf } from "./scale.js";
import { FONT, NOTE, SVG_NS, attrs, esc, finite, newId, num, px } from "./svg.js";
import { textBlock, textWidth } from "./text.js";

/**
 * What every panel of one figure shares while it is drawn.
 * @typedef {object} FigureContext
 * @property {string} id
 * @property {string[]} problems what could not be drawn, one line each
 * @property {string[]} defs
 * @property {Record<string, any>} colormaps
 * @property {Map<string, any>} cmapCache
 * @property {number} W
 * @property {number} H
 * @property {string} hatch the id of the hatch pattern of non-finite image cells
 */

/**
 * A panel's box in px (y down) from its `box` in figure fractions.
 * @param {import("./types.js").Panel} p @param {number} W @param {number} H
 * @returns {import("./axes.js").Box}
 */
function panelBox(p, W, H) {
  if (!p || typeof p !== "object") throw new Error(`a panel must be an object, got ${JSON.stringify(p)}`);
  const bx = Array.isArray(p.box) ? p.box.map(Number) : [];
  if (bx.length !== 4 || !bx.every(finite) || bx[2] <= 0 || bx[3] <= 0) throw new Error("no valid box");
  return { x: bx[0] * W, y: (1 - bx[1] - bx[3]) * H, w: bx[2] * W, h: bx[3] * H };
}

/**
 * One panel; a mark or colour bar that cannot be drawn is a problem, the rest is drawn.
 * @param {import("./types.js").Panel} p @param {number} index @param {FigureContext} fig
 */
function drawPanel(p, index, fig) {
  const name = p && p.id !== undefined ? String(p.id) : `panel ${index + 1}`;
  const where = `panel '${name}'`;
  const b = panelBox(p, fig.W, fig.H);
  const ctx = { ...fig, box: b, X: scale(p.x, b.x, b.x + b.w, fig.problems, `${where} x`), Y: scale(p.y, b.y + b.h, b.y, fig.problems, `${where} y`) };
  const framed = p.frame !== false;
  const xt = framed ? ticksOf(p.x, ctx.X) : [], yt = framed ? ticksOf(p.y, ctx.Y) : [];
  const clip = `${fig.id}-clip-${index}`;
  fig.defs.push(`<clipPath id="${clip}"><rect${attrs({ x: b.x, y: b.y, width: b.w, height: b.h })}/></clipPath>`);
  let data = "", texts = "";
  (Array.isArray(p.marks) ? p.marks : []).forEach((m, k) => {
    try {
      const draw = MARKS[m && m.type];
      if (!draw) throw new Error(`unknown mark type ${JSON.stringify(m && m.type)}`);
      if (m.type === "text") texts += draw(m, ctx); else data += draw(m, ctx);
    } catch (error) {
      fig.problems.push(`${where} mark ${k + 1}${m && m.type ? ` (${m.type})` : ""}: ${error.message}`);
    }
  });
  let out = p.grid && framed ? drawGrid(xt, yt, b) : "";
  out += `<g clip-path="url(#${clip})">${data}</g>`;
  if (framed) out += drawAxes(p, xt, yt, b);
  out += texts;
  let right = b.x + b.w;
  if (p.colorbar) {
    try { const bar = drawColorbar(p.colorbar, b, ctx); out += bar.svg; right = bar.right; }
    catch (error) { fig.problems.push(`${where} colour bar: ${error.message}`); }
  }
  let above = 0;
  if (p.legend) { const lg = panelLegend(p.legend, b, right); out += lg.svg; above = lg.above; }
  if (p.title) out += textBlock(p.title, b.x + b.w / 2, b.y - 6 - above, { size: 13, align: "center", valign: "bottom" }).svg;
  return `<g class="panel"${attrs({ "data-panel": name })}>${out}</g>`;
}

/** The hatch drawn under an image's non-finite cells. @param {string} id */
function hatchPattern(id) {
  return `<pattern id="${id}" patternUnits="userSpaceOnUse" width="6" height="6">`
    + `<rect width="6" height="6" fill="#ffffff"/>`
    + `<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="${NOTE}" stroke-width="1.2"/></pattern>`;
}

/**
 * The whole figure as SVG, with what could not be drawn (`problems`) and the panel count.
 * @param {import("./types.js").Figure | null | undefined} figure
 * @param {Record<string, any>} colormaps name -> RGB table (LiveFigure.colormaps)
 * @param {Map<string, any>} cmapCache
 * @returns {{svg: string, problems: string[], panels: number}}
 */
export function figureSVG(figure, colormaps, cmapCache) {
  /** @type {string[]} */
  const problems = [];
  const given = figure && typeof figure === "object" ? figure : /** @type {import("./types.js").Figure} */ ({});
  const id = newId("fig");
  const W = num(given.width, 0) > 0 ? given.width : 640;
  const H = num(given.height, 0) > 0 ? given.height : 360;
  /** @type {FigureContext} */
  const fig = { id, problems, defs: [], colormaps, cmapCache, W, H, hatch: `${id}-hatch` };
  fig.defs.push(hatchPattern(fig.hatch));
  const alt = typeof given.alt === "string" && given.alt ? given.alt : "figure";
  const panels = Array.isArray(given.panels) ? given.panels : [];
  if (!figure || typeof figure !== "object" || !Object.keys(figure).length) problems.push("no figure to draw yet");
  else if (!panels.length && !Array.isArray(given.texts)) problems.push("the figure has no panels");
  let body = "";
  panels.forEach((p, i) => {
    try { body += drawPanel(p, i, fig); }
    catch (error) { problems.push(`panel ${i + 1}: ${error.message}`); }
  });
  body += figureLevel(given, fig);
  if (problems.length) body += `<g class="problems">${problemNote(problems, fig.W, fig.H)}</g>`;
  const svg = `<svg xmlns="${SVG_NS}"${attrs({ width: fig.W, height: fig.H, viewBox: `0 0 ${fig.W} ${fig.H}`, role: "img", "aria-label": alt, "font-family": FONT, "data-problems": String(problems.length) })}`
    + ` style="max-width:100%;height:auto;display:block;background:#ffffff">`
    + `<title>${esc(alt)}</title><defs>${fig.defs.join("")}</defs>`
    + `<rect width="${px(fig.W)}" height="${px(fig.H)}" fill="#ffffff"/>${body}</svg>`;
  return { svg, problems, panels: panels.length };
}

/**
 * What could not be drawn, bottom left: one line per problem (at most 4), each cut to the width.
 * @param {string[]} problems @param {number} W @param {number} H
 */
function problemNote(problems, W, H) {
  /** @param {string} line */
  const fit = (line) => {
    if (textWidth(line, 12) <= W - 16) return line;
    let n = Math.max(1, Math.floor(line.length * (W - 16) / textWidth(line, 12)) - 1);
    while (n > 1 && textWidth(`${line.slice(0, n)}\u2026`, 12) > W - 16) n--;
    return `${line.slice(0, n)}\u2026`;
  };
  const lines = problems.slice(0, 4).map((p, i) => fit(`${i ? "" : "\u26a0 not drawn: "}${p}`));
  if (problems.length > 4) lines.push(`(+${problems.length - 4} more)`);
  return textBlock(lines.join("\n"), 6, H - 6, { size: 12, color: NOTE, valign: "bottom", box: true, within: W }).svg;
}

/**
 * The figure's own texts (x, y in figure fractions) and legend (its top-left corner at x, y).
 * @param {import("./types.js").Figure} given @param {FigureContext} fig
 */
function figureLevel(given, fig) {
  let out = "";
  const box = { x: 0, y: 0, w: fig.W, h: fig.H };
  (Array.isArray(given.texts) ? given.texts : []).forEach((t, k) => {
    try { out += drawText({ ...t, coords: "figure" }, /** @type {any} */ ({ ...fig, box })); }
    catch (error) { fig.problems.push(`figure text ${k + 1}: ${error.message}`); }
  });
  const lg = given.legend;
  if (lg && typeof lg === "object") {
    const size = legendSize(lg);
    const x = num(scalar(lg.x), 0.8) * fig.W, y = (1 - num(scalar(lg.y), 0.9)) * fig.H;
    if (size.items.length) out += drawLegend(x, y, size);
  }
  return out;
}
