// sporelab's live figure: draws one resolved figure description (docs/figure-format.md) as SVG.
//
// An anywidget ES module: `render({model, el})` draws model.get("figure") into `el` and redraws it
// on every `change:figure`. The kernel has already decided every limit, tick, label and note
// (sporelab/widgets/_figure.py resolve()), so this file only maps numbers to pixels.
// It never throws and never logs: whatever cannot be drawn is listed in a red note on the figure.
// Each render's duration is kept in el.dataset.renderMs and window.__sporelabRenders (browser tests).

const SVG_NS = "http://www.w3.org/2000/svg";
const INK = "#222222";            // text: 15.9:1 on white (WCAG AA needs 4.5:1)
const SPINE = "#555555";
const GRID = "#dddddd";
const NOTE = "#b00020";           // problems and non-finite cells, 7:1 on white
// Latin first, then the CJK fonts of Linux (fonts-noto-cjk), Windows and macOS: a Chinese explorer's
// text falls back glyph by glyph (sporelab/widgets/_fonts.py gives matplotlib the same chain).
const CJK = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', 'Hiragino Sans GB', "
  + "'WenQuanYi Zen Hei'";
const FONT = `'DejaVu Sans', Verdana, Arial, ${CJK}, sans-serif`;
const MONO = `'DejaVu Sans Mono', Menlo, Consolas, ${CJK}, monospace`;   // a text mark's family "monospace"
const TICK = 4;                   // tick length, px
const LIMIT = 1e5;                // pixel coordinates are clamped here (clipPath hides the rest)
const DASH = { dashed: "6 4", dotted: "1.5 3", dashdot: "6 3 1.5 3" };
const DTYPES = {
  float32: Float32Array, float64: Float64Array, uint8: Uint8Array, int8: Int8Array,
  uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array,
};
// anywidget may evaluate this module once per widget: ids in the page (clip paths, hatch
// patterns, labels) carry a random prefix, so two figures never share one.
const PREFIX = `sporelab-${Math.random().toString(36).slice(2, 10)}`;
let uid = 0;

// ---------------------------------------------------------------------------------------------
// Small helpers: numbers, escaping, text measurement, array decoding.
// ---------------------------------------------------------------------------------------------

const finite = Number.isFinite;
const px = (v) => String(Math.round(Math.max(-LIMIT, Math.min(LIMIT, v)) * 100) / 100);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (v, fallback) => (typeof v === "number" && finite(v) ? v : fallback);
// A number given as a number, a numeric string or a one-value wire array (resolve() may send
// a text's x/y as 0-d arrays).
function scalar(v) {
  if (v !== null && typeof v === "object") { const { data } = decode(v); return data.length === 1 ? Number(data[0]) : NaN; }
  return typeof v === "number" || typeof v === "string" ? Number(v) : NaN;
}

function attrs(o) {
  let out = "";
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null || v === false) continue;
    out += ` ${k}="${typeof v === "number" ? px(v) : esc(v)}"`;
  }
  return out;
}

let measureCtx = null;
const widths = new Map();
function textWidth(text, size, family) {
  const key = `${size}|${family || ""}|${text}`;
  let w = widths.get(key);
  if (w !== undefined) return w;
  if (measureCtx === null) {
    const canvas = document.createElement("canvas");
    measureCtx = canvas.getContext("2d") || false;
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

// A wire array {dtype, shape, buffer: DataView | ArrayBuffer | TypedArray}, a typed array or a
// (nested) list -> {data: typed array or Array, shape}.
function decode(a) {
  if (a === undefined || a === null) throw new Error("missing array");
  if (Array.isArray(a)) {
    const rows = a.length && Array.isArray(a[0]) ? a.length : null;
    const flat = rows === null ? a : a.flat();
    return { data: flat.map((v) => (v === null ? NaN : Number(v))), shape: rows === null ? [a.length] : [rows, a[0].length] };
  }
  if (ArrayBuffer.isView(a) && !(a instanceof DataView)) return { data: a, shape: [a.length] };
  const T = DTYPES[a.dtype];
  if (!T) throw new Error(`unknown dtype ${JSON.stringify(a.dtype)}`);
  let buf = a.buffer, offset = 0, bytes;
  if (Array.isArray(buf)) return { data: T.from(buf), shape: a.shape || [buf.length] };
  if (ArrayBuffer.isView(buf)) { offset = buf.byteOffset; bytes = buf.byteLength; buf = buf.buffer; }
  else if (buf instanceof ArrayBuffer) bytes = buf.byteLength;
  else throw new Error("array without a binary buffer");
  if (offset % T.BYTES_PER_ELEMENT) { buf = buf.slice(offset, offset + bytes); offset = 0; }
  const data = new T(buf, offset, Math.floor(bytes / T.BYTES_PER_ELEMENT));
  const shape = Array.isArray(a.shape) ? a.shape : [data.length];
  if (shape.reduce((p, n) => p * n, 1) !== data.length) throw new Error(`shape ${JSON.stringify(shape)} does not fit ${data.length} values`);
  return { data, shape };
}

// Colour-map tables: {name: 255 RGB triplets (bytes/DataView), or a wire array, or a list}.
function colormapTable(tables, name, cache) {
  if (cache.has(name)) return cache.get(name);
  const raw = tables && tables[name];
  if (!raw) throw new Error(`unknown colour map ${JSON.stringify(name)}`);
  let bytes;
  if (raw instanceof DataView) bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  else if (raw instanceof ArrayBuffer) bytes = new Uint8Array(raw);
  else if (Array.isArray(raw) && typeof raw[0] === "string") {
    bytes = new Uint8Array(raw.flatMap((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16))));
  } else bytes = Uint8Array.from(decode(raw).data);
  if (bytes.length < 3) throw new Error(`colour map ${name} is empty`);
  cache.set(name, bytes);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Scales: data -> px. Non-finite or (log) non-positive values give NaN, never drawn.
// ---------------------------------------------------------------------------------------------

function scale(spec, from, to, problems, where) {
  const log = spec && spec.scale === "log";
  let lim = spec && Array.isArray(spec.lim) ? spec.lim.map(Number) : null;
  const bad = !lim || !finite(lim[0]) || !finite(lim[1]) || lim[0] === lim[1] || (log && (lim[0] <= 0 || lim[1] <= 0));
  if (bad) { problems.push(`${where}: no valid limits`); lim = log ? [1, 10] : [0, 1]; }
  const t = log ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v;
  const a = t(lim[0]), b = t(lim[1]);
  const f = (v) => from + ((t(v) - a) / (b - a)) * (to - from);
  f.log = log;
  f.lim = lim;
  return f;
}

// ---------------------------------------------------------------------------------------------
// Text: multi-line, aligned, optionally boxed or rotated.
// ---------------------------------------------------------------------------------------------

function textBlock(text, x, y, o = {}) {
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
  if (finite(o.rotation) && o.rotation) out = `<g transform="rotate(${px(-o.rotation)} ${px(x)} ${px(y)})">${out}</g>`;
  return { svg: out, width: w, height };
}

// ---------------------------------------------------------------------------------------------
// Marks. Each returns an SVG string; ctx = {X, Y, box, id, problems, images, ...}.
// ---------------------------------------------------------------------------------------------

function pathOf(xs, ys, X, Y) {
  let d = "", pen = false;
  for (let i = 0; i < xs.length; i++) {
    const x = X(xs[i]), y = Y(ys[i]);
    if (!finite(x) || !finite(y)) { pen = false; continue; }
    d += `${pen ? "L" : "M"}${px(x)} ${px(y)}`;
    pen = true;
  }
  return d;
}

function markerPath(kind, x, y, r) {
  if (kind === "s") return `M${px(x - r)} ${px(y - r)}h${px(2 * r)}v${px(2 * r)}h${px(-2 * r)}z`;
  if (kind === "D") return `M${px(x)} ${px(y - r)}L${px(x + r)} ${px(y)}L${px(x)} ${px(y + r)}L${px(x - r)} ${px(y)}z`;
  return `M${px(x - r)} ${px(y)}a${px(r)} ${px(r)} 0 1 0 ${px(2 * r)} 0a${px(r)} ${px(r)} 0 1 0 ${px(-2 * r)} 0`;
}

function drawLine(m, ctx) {
  const xs = decode(m.x).data, ys = decode(m.y).data;
  if (xs.length !== ys.length) throw new Error(`x has ${xs.length} values, y ${ys.length}`);
  const color = m.color || "#1f77b4";
  const width = num(m.width, 2);
  let out = "";
  if (width > 0) {
    const d = pathOf(xs, ys, ctx.X, ctx.Y);
    if (d) out += `<path${attrs({ d, fill: "none", stroke: color, "stroke-width": width, "stroke-dasharray": DASH[m.dash], "stroke-opacity": m.alpha, "stroke-linejoin": "round" })}/>`;
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

function drawRule(m, ctx) {
  const v = scalar(m.value);
  const { x, y, w, h } = ctx.box;
  const at = m.axis === "x" ? ctx.X(v) : ctx.Y(v);
  if (!finite(at)) return "";
  const [x1, y1, x2, y2] = m.axis === "x" ? [at, y, at, y + h] : [x, at, x + w, at];
  return `<line${attrs({ x1, y1, x2, y2, stroke: m.color || "#7f7f7f", "stroke-width": num(m.width, 1.2), "stroke-dasharray": DASH[m.dash] })}/>`;
}

function imageIndices(m, values) {
  if (values instanceof Uint8Array) return values;
  const lo = Number(m.vmin), hi = Number(m.vmax);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = finite(v) && hi > lo ? Math.round(Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * 254) : 255;
  }
  return out;
}

// An image as a 32-bit BMP data URL (BITMAPV4HEADER, top-down, with alpha): for the small
// images of an explorer (a 64-channel grid is 64 of them) this is several times faster than
// canvas.toDataURL's PNG encoder. Non-finite pixels (index 255) are transparent: the hatch shows.
function imageURL(indices, rows, cols, table) {
  const header = 122, bytes = new Uint8Array(header + 4 * rows * cols);
  const view = new DataView(bytes.buffer);
  bytes[0] = 0x42; bytes[1] = 0x4d;                                   // "BM"
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, header, true);
  view.setUint32(14, 108, true);                                      // BITMAPV4HEADER
  view.setInt32(18, cols, true);
  view.setInt32(22, -rows, true);                                     // top-down: row 0 first
  view.setUint16(26, 1, true);
  view.setUint16(28, 32, true);
  view.setUint32(30, 3, true);                                        // BI_BITFIELDS
  view.setUint32(34, 4 * rows * cols, true);
  [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000].forEach((mask, i) => view.setUint32(54 + 4 * i, mask, true));
  view.setUint32(70, 0x73524742, true);                               // "sRGB"
  const levels = Math.floor(table.length / 3);
  let blanks = 0;
  for (let i = 0, o = header; i < indices.length; i++, o += 4) {
    const k = indices[i];
    if (k >= 255 || k >= levels) { blanks++; continue; }              // alpha 0
    bytes[o] = table[3 * k + 2]; bytes[o + 1] = table[3 * k + 1]; bytes[o + 2] = table[3 * k]; bytes[o + 3] = 255;
  }
  let binary = "";
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
  return { url: `data:image/bmp;base64,${btoa(binary)}`, blanks };
}

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

function drawText(m, ctx) {
  let x, y;
  const fx = scalar(m.x), fy = scalar(m.y);
  if (m.coords === "data") { x = ctx.X(fx); y = ctx.Y(fy); }
  else if (m.coords === "figure") { x = fx * ctx.W; y = (1 - fy) * ctx.H; }
  else { x = ctx.box.x + fx * ctx.box.w; y = ctx.box.y + (1 - fy) * ctx.box.h; }
  if (!finite(x) || !finite(y)) throw new Error("text position is not finite");
  return textBlock(m.text ?? "", x, y, { ...m, within: ctx.W }).svg;
}

const MARKS = { line: drawLine, stairs: drawStairs, rule: drawRule, image: drawImage, text: drawText };

// ---------------------------------------------------------------------------------------------
// Axes: grid, frame, ticks, labels, title.
// ---------------------------------------------------------------------------------------------

function ticksOf(spec, S) {
  if (!spec || spec.hidden || !Array.isArray(spec.ticks)) return [];
  const labels = Array.isArray(spec.labels) ? spec.labels : [];
  return spec.ticks.map((t, i) => ({ at: S(Number(t)), label: labels[i] ?? "" })).filter((t) => finite(t.at));
}

function drawGrid(xt, yt, b) {
  let d = "";
  for (const t of xt) d += `M${px(t.at)} ${px(b.y)}V${px(b.y + b.h)}`;
  for (const t of yt) d += `M${px(b.x)} ${px(t.at)}H${px(b.x + b.w)}`;
  return d ? `<path${attrs({ d, stroke: GRID, "stroke-width": 1, fill: "none" })}/>` : "";
}

function drawAxes(p, xt, yt, b) {
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

// ---------------------------------------------------------------------------------------------
// Legends and colour bars.
// ---------------------------------------------------------------------------------------------

function legendHandle(item, x, y) {
  const color = item.color || INK;
  const kind = item.kind || "line";
  if (kind === "line") {
    return `<line${attrs({ x1: x, y1: y, x2: x + 22, y2: y, stroke: color, "stroke-width": num(item.width, 2), "stroke-dasharray": DASH[item.dash] })}/>`
      + (item.marker ? `<path${attrs({ d: markerPath(item.marker, x + 11, y, 3.5), fill: color })}/>` : "");
  }
  if (kind === "marker") return `<path${attrs({ d: markerPath(item.marker || "o", x + 11, y, 4), fill: color })}/>`;
  return `<rect${attrs({ x: x + 3, y: y - 5, width: 16, height: 10, fill: color, "fill-opacity": num(item.alpha, 1), stroke: color })}/>`;
}

function legendSize(legend) {
  const items = Array.isArray(legend.items) ? legend.items : [];
  const font = num(legend.size, 12), row = Math.round(font * 1.5);
  const columns = Math.max(1, Math.min(items.length, Math.floor(num(legend.columns, 1))));
  const rows = Math.ceil(items.length / columns);
  const colWidths = [];
  items.forEach((it, i) => {
    const c = Math.floor(i / rows);
    colWidths[c] = Math.max(colWidths[c] || 0, 28 + textWidth(String(it.label ?? ""), font));
  });
  const width = colWidths.reduce((a, w) => a + w + 10, 0) + 2;
  return { items, rows, colWidths, font, row, width, height: rows * row + 8 };
}

function drawLegend(x, y, size) {
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

// "right": 8 px right of the box (or of its colour bar), top-aligned; "above": centred on the
// box's top edge, under the title; "upper/lower left/right": inside the box's corner.
function panelLegend(legend, b, rightEdge) {
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

// Right of the box: an 8 px gap, 12 px wide, the box's height; tick labels (10 px) right of it,
// its label (11 px, rotated) right of those.
function drawColorbar(bar, b, ctx) {
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

function rampURL(table, name, cache) {
  const key = `ramp:${name}`;
  if (!cache.has(key)) {
    const levels = Math.floor(table.length / 3), ramp = new Uint8Array(levels);
    for (let i = 0; i < levels; i++) ramp[i] = levels - 1 - i;      // top = vmax
    cache.set(key, imageURL(ramp, levels, 1, table).url);
  }
  return cache.get(key);
}

// ---------------------------------------------------------------------------------------------
// Panels and the figure.
// ---------------------------------------------------------------------------------------------

function panelBox(p, W, H) {
  if (!p || typeof p !== "object") throw new Error(`a panel must be an object, got ${JSON.stringify(p)}`);
  const bx = Array.isArray(p.box) ? p.box.map(Number) : [];
  if (bx.length !== 4 || !bx.every(finite) || bx[2] <= 0 || bx[3] <= 0) throw new Error("no valid box");
  return { x: bx[0] * W, y: (1 - bx[1] - bx[3]) * H, w: bx[2] * W, h: bx[3] * H };
}

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

function hatchPattern(id) {
  return `<pattern id="${id}" patternUnits="userSpaceOnUse" width="6" height="6">`
    + `<rect width="6" height="6" fill="#ffffff"/>`
    + `<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="${NOTE}" stroke-width="1.2"/></pattern>`;
}

function figureSVG(figure, colormaps, cmapCache) {
  const problems = [];
  const fig = { id: `${PREFIX}-fig-${++uid}`, problems, defs: [], colormaps, cmapCache };
  const given = figure && typeof figure === "object" ? figure : {};
  fig.W = num(given.width, 0) > 0 ? given.width : 640;
  fig.H = num(given.height, 0) > 0 ? given.height : 360;
  fig.hatch = `${fig.id}-hatch`;
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

// What could not be drawn, bottom left: one line per problem (at most 4), each cut to the width.
function problemNote(problems, W, H) {
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

function figureLevel(given, fig) {
  let out = "";
  const box = { x: 0, y: 0, w: fig.W, h: fig.H };
  (Array.isArray(given.texts) ? given.texts : []).forEach((t, k) => {
    try { out += drawText({ ...t, coords: "figure" }, { ...fig, box }); }
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

// ---------------------------------------------------------------------------------------------
// The anywidget entry point.
// ---------------------------------------------------------------------------------------------

function record(el, ms, result) {
  el.dataset.renderMs = ms.toFixed(2);
  el.dataset.renders = String(Number(el.dataset.renders || 0) + 1);
  el.dataset.problems = String(result.problems.length);
  const log = (window.__sporelabRenders = window.__sporelabRenders || []);
  log.push({ ms, at: performance.now(), panels: result.panels, problems: result.problems.length });
  if (log.length > 2000) log.splice(0, log.length - 2000);
}

// The caption (LiveFigure.show(..., caption=)): the kernel's HTML under the SVG (statistics, code).
const CAPTION_STYLE = "font-size:13px;line-height:1.5;color:#222222;margin-top:6px;overflow-x:auto";

function draw(figure, colormaps, el, cmapCache, caption) {
  const start = performance.now();
  let result;
  try {
    result = figureSVG(figure, colormaps || {}, cmapCache);
  } catch (error) {        // a bug here must still leave a figure and a reason, never a blank
    const text = `\u26a0 the figure could not be drawn: ${error && error.message}`;
    result = { svg: `<svg xmlns="${SVG_NS}" width="640" height="40" role="img" aria-label="${esc(text)}"><title>${esc(text)}</title><text x="6" y="24" font-size="13" fill="${NOTE}">${esc(text)}</text></svg>`, problems: [text], panels: 0 };
  }
  el.innerHTML = result.svg + (caption ? `<div class="sporelab-caption" style="${CAPTION_STYLE}">${caption}</div>` : "");
  record(el, performance.now() - start, result);
}

// A patch message (LiveFigure.show when only some panels changed): {"type": "patch", "top":
// the figure's other keys, "panels": {index: panel}, "buffer_paths"} with its binary buffers.
function applyPatch(figure, msg, buffers) {
  (msg.buffer_paths || []).forEach((path, i) => {
    let node = msg;
    for (const key of path.slice(0, -1)) node = node[key];
    node[path[path.length - 1]] = buffers[i];
  });
  const panels = Array.isArray(figure && figure.panels) ? figure.panels.slice() : [];
  for (const [index, panel] of Object.entries(msg.panels || {})) {
    if (!(Number(index) < panels.length)) throw new Error(`patch for panel ${index} of ${panels.length}`);
    panels[Number(index)] = panel;
  }
  return { ...figure, ...(msg.top || {}), panels };
}

// ---------------------------------------------------------------------------------------------
// Keyboard and accessible names for the explorer's ipywidgets controls (ipywidgets 8.1 leaves two unnamed:
// a slider's handle, role=slider, is not tied to its description label; Play's buttons are
// icon-only). axe-core calls these serious/critical; the figure names them inside its own output.
// ---------------------------------------------------------------------------------------------

const ICON_NAMES = { play: "Play", pause: "Pause", stop: "Stop", retweet: "Repeat", repeat: "Repeat", refresh: "Reset", undo: "Undo" };

function labelControls(root) {
  // Notebook 7 binds ArrowLeft/Right to heading navigation for any focused element in command
  // mode; a slider's handle keeps its arrow keys (lumino skips targets with this attribute).
  for (const handle of root.querySelectorAll('[role="slider"]:not([data-lm-suppress-shortcuts])')) {
    handle.setAttribute("data-lm-suppress-shortcuts", "true");
  }
  for (const handle of root.querySelectorAll('[role="slider"]:not([aria-label]):not([aria-labelledby])')) {
    const label = handle.closest(".widget-slider")?.querySelector(".widget-label");
    if (!label || !label.textContent.trim()) continue;
    if (!label.id) label.id = `${PREFIX}-label-${++uid}`;
    handle.setAttribute("aria-labelledby", label.id);
  }
  for (const button of root.querySelectorAll("button:not([aria-label]):not([title])")) {
    if (button.textContent.trim()) continue;
    const icon = /\bfa-([a-z-]+)/.exec(button.querySelector("i")?.className || "");
    if (icon) button.setAttribute("aria-label", ICON_NAMES[icon[1]] || icon[1].replace(/-/g, " "));
  }
}

// The explorer around the figure: its output area (JupyterLab, Notebook 7), else its outermost box.
function explorerRoot(el) {
  let root = el.closest(".jp-OutputArea-output");
  if (root) return root;
  for (let node = el.parentElement; node; node = node.parentElement) if (node.classList.contains("widget-box")) root = node;
  return root || el.parentElement;
}

function watchControls(el) {
  let observer = null, tries = 0, timer = null, queued = false;
  const attach = () => {
    if (!el.isConnected) { if (++tries < 100) timer = setTimeout(attach, 50); return; }
    const root = explorerRoot(el);
    if (!root) return;
    labelControls(root);
    // A redraw of this figure is a mutation too: only changes outside it can add a control.
    observer = new MutationObserver((mutations) => {
      if (queued || mutations.every((m) => el.contains(m.target))) return;
      queued = true;
      requestAnimationFrame(() => { queued = false; labelControls(root); });
    });
    observer.observe(root, { childList: true, subtree: true });
  };
  attach();
  return () => { clearTimeout(timer); if (observer) observer.disconnect(); };
}

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
