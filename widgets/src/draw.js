// One redraw of a view's element: the figure's SVG and its caption, timed. Each render's duration
// is kept in el.dataset.renderMs and window.__sporelabRenders (the browser tests read them).

import { captionHTML } from "./caption.js";
import { figureSVG } from "./figure-svg.js";
import { NOTE, SVG_NS, esc } from "./svg.js";

/**
 * @param {HTMLElement} el
 * @param {number} ms
 * @param {{problems: string[], panels: number}} result
 */
function record(el, ms, result) {
  el.dataset.renderMs = ms.toFixed(2);
  el.dataset.renders = String(Number(el.dataset.renders || 0) + 1);
  el.dataset.problems = String(result.problems.length);
  const page = /** @type {any} */ (window);
  const log = (page.__sporelabRenders = page.__sporelabRenders || []);
  log.push({ ms, at: performance.now(), panels: result.panels, problems: result.problems.length });
  if (log.length > 2000) log.splice(0, log.length - 2000);
}

/**
 * Replace `el`'s content with the figure and its caption. A bug in the drawing still leaves a
 * figure that says what went wrong, never a blank.
 * @param {import("./types.js").Figure} figure
 * @param {Record<string, any> | null | undefined} colormaps
 * @param {HTMLElement} el
 * @param {Map<string, any>} cmapCache
 * @param {string} caption
 */
export function draw(figure, colormaps, el, cmapCache, caption) {
  const start = performance.now();
  let result;
  try {
    result = figureSVG(figure, colormaps || {}, cmapCache);
  } catch (error) {
    const text = `\u26a0 the figure could not be drawn: ${error && error.message}`;
    result = { svg: `<svg xmlns="${SVG_NS}" width="640" height="40" role="img" aria-label="${esc(text)}"><title>${esc(text)}</title><text x="6" y="24" font-size="13" fill="${NOTE}">${esc(text)}</text></svg>`, problems: [text], panels: 0 };
  }
  el.innerHTML = result.svg + captionHTML(caption);
  record(el, performance.now() - start, result);
}
