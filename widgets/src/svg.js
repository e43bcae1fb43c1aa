// SVG as strings: the figure's colours and fonts, number formatting, escaping, attributes, ids.

export const SVG_NS = "http://www.w3.org/2000/svg";
export const INK = "#222222";            // text: 15.9:1 on white (WCAG AA needs 4.5:1)
export const SPINE = "#555555";
export const GRID = "#dddddd";
export const NOTE = "#b00020";           // problems and non-finite cells, 7:1 on white (sporelab/widgets/_palette.py NOTE_COLOR)
// Latin first, then sporelab's own Chinese font (declared with @font-face by the widget's CSS,
// sporelab/widgets/_fonts.py font_face_css, and by the book's _static/sporelab-book.css), then the
// CJK fonts of Linux, Windows and macOS for a character it lacks: a Chinese explorer's text falls
// back glyph by glyph (sporelab/widgets/_fonts.py gives matplotlib the same chain).
const CJK_FAMILY = "Sporelab Sans SC";
const CJK = `'${CJK_FAMILY}', 'Noto Sans CJK SC', `
  + "'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'Hiragino Sans GB', "
  + "'WenQuanYi Zen Hei'";
export const FONT = `'DejaVu Sans', Verdana, Arial, ${CJK}, sans-serif`;
export const MONO = `'DejaVu Sans Mono', Menlo, Consolas, ${CJK}, monospace`;   // a text mark's family "monospace"
export const TICK = 4;                   // tick length, px
const LIMIT = 1e5;                       // pixel coordinates are clamped here (clipPath hides the rest)
/** @type {Record<string, string>} */
export const DASH = { dashed: "6 4", dotted: "1.5 3", dashdot: "6 3 1.5 3" };

// anywidget may evaluate this module once per widget: ids in the page (clip paths, hatch
// patterns, labels) carry a random prefix, so two figures never share one.
const PREFIX = `sporelab-${Math.random().toString(36).slice(2, 10)}`;
let uid = 0;

/** A new id, unique in the page: `sporelab-<random>-<kind>-<n>`.
 * @param {string} kind */
export function newId(kind) {
  return `${PREFIX}-${kind}-${++uid}`;
}

export const finite = Number.isFinite;

/** A pixel coordinate as an attribute: clamped to +-1e5, two decimals.
 * @param {number} v */
export function px(v) {
  return String(Math.round(Math.max(-LIMIT, Math.min(LIMIT, v)) * 100) / 100);
}

/** @param {unknown} s */
export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `v` when it is a finite number, else `fallback`.
 * @param {unknown} v @param {number} fallback @returns {number} */
export function num(v, fallback) {
  return typeof v === "number" && finite(v) ? v : fallback;
}

/** ` k="v"` for each set attribute (numbers through px; undefined, null and false left out).
 * @param {Record<string, unknown>} o */
export function attrs(o) {
  let out = "";
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === false) continue;
    out += ` ${k}="${typeof v === "number" ? px(v) : esc(v)}"`;
  }
  return out;
}
