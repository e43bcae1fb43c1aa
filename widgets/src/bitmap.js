// Images as data URLs: values -> colour-map indices -> a 32-bit BMP (and the colour bar's ramp).

import { finite } from "./svg.js";

/**
 * Colour-map indices of an image: 0..254 across [vmin, vmax] (clipped), 255 for a non-finite
 * value or an empty range. uint8 values are already indices (what the kernel sends).
 * @param {{vmin?: unknown, vmax?: unknown}} m
 * @param {ArrayLike<number>} values
 * @returns {Uint8Array}
 */
export function imageIndices(m, values) {
  if (values instanceof Uint8Array) return values;
  const lo = Number(m.vmin), hi = Number(m.vmax);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = finite(v) && hi > lo ? Math.round(Math.min(1, Math.max(0, (v - lo) / (hi - lo))) * 254) : 255;
  }
  return out;
}

/**
 * An image as a 32-bit BMP data URL (BITMAPV4HEADER, top-down, with alpha): for the small images
 * of an explorer (a 64-channel grid is 64 of them) this is several times faster than
 * canvas.toDataURL's PNG encoder. Non-finite pixels (index 255) are transparent: the hatch shows.
 * @param {Uint8Array} indices
 * @param {number} rows
 * @param {number} cols
 * @param {Uint8Array} table RGB bytes
 * @returns {{url: string, blanks: number}} blanks: how many pixels are transparent
 */
export function imageURL(indices, rows, cols, table) {
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
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode.apply(null, /** @type {any} */ (bytes.subarray(i, i + 8192)));
  return { url: `data:image/bmp;base64,${btoa(binary)}`, blanks };
}

/**
 * The colour bar's ramp (vmax at the top) as a one-column image URL, cached under `ramp:<name>`.
 * @param {Uint8Array} table
 * @param {string} name
 * @param {Map<string, any>} cache
 * @returns {string}
 */
export function rampURL(table, name, cache) {
  const key = `ramp:${name}`;
  if (!cache.has(key)) {
    const levels = Math.floor(table.length / 3), ramp = new Uint8Array(levels);
    for (let i = 0; i < levels; i++) ramp[i] = levels - 1 - i;      // top = vmax
    cache.set(key, imageURL(ramp, levels, 1, table).url);
  }
  return cache.get(key);
}
