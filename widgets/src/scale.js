// Scales (data -> px) and the ticks resolve() chose, placed by a scale. Non-finite or (log)
// non-positive values map to NaN, which no mark draws.

import { finite } from "./svg.js";

/**
 * @typedef {((v: number) => number) & {log: boolean, lim: number[]}} Scale
 *   A data -> px function; `log` and the limits it maps are kept on it.
 */

/**
 * The scale of one axis mapping `spec.lim` to [from, to] px. Limits that are missing, not finite,
 * equal, or not positive on a log axis are a problem (pushed to `problems`, with `where`), and the
 * axis falls back to [0, 1] ([1, 10] on a log axis).
 * @param {import("./types.js").Axis | undefined} spec
 * @param {number} from
 * @param {number} to
 * @param {string[]} problems
 * @param {string} where
 * @returns {Scale}
 */
export function scale(spec, from, to, problems, where) {
  const log = !!spec && spec.scale === "log";
  let lim = spec && Array.isArray(spec.lim) ? spec.lim.map(Number) : null;
  const bad = !lim || !finite(lim[0]) || !finite(lim[1]) || lim[0] === lim[1] || (log && (lim[0] <= 0 || lim[1] <= 0));
  if (bad || !lim) { problems.push(`${where}: no valid limits`); lim = log ? [1, 10] : [0, 1]; }
  /** @type {(v: number) => number} */
  const t = log ? (v) => (v > 0 ? Math.log10(v) : NaN) : (v) => v;
  const a = t(lim[0]), b = t(lim[1]);
  const f = /** @type {Scale} */ ((v) => from + ((t(v) - a) / (b - a)) * (to - from));
  f.log = log;
  f.lim = lim;
  return f;
}

/**
 * The axis' ticks at their pixel positions, with their labels; ticks that map to no finite
 * position are left out; none when the axis is hidden or has no ticks.
 * @param {import("./types.js").Axis | undefined} spec
 * @param {(v: number) => number} S
 * @returns {{at: number, label: string}[]}
 */
export function ticksOf(spec, S) {
  if (!spec || spec.hidden || !Array.isArray(spec.ticks)) return [];
  const labels = Array.isArray(spec.labels) ? spec.labels : [];
  return spec.ticks.map((t, i) => ({ at: S(Number(t)), label: labels[i] ?? "" })).filter((t) => finite(t.at));
}
