// NaN and infinity: decoded exactly, never drawn as a point (docs/figure-format.md "What resolve()
// guarantees": lines break, stairs and image cells stay empty).
import assert from "node:assert/strict";
import { test } from "node:test";

import { decode, scalar } from "../src/arrays.js";
import { imageIndices } from "../src/bitmap.js";
import { figureSVG } from "../src/figure-svg.js";
import { MARKS, pathOf } from "../src/marks.js";
import { scale } from "../src/scale.js";
import { px } from "../src/svg.js";

/** @returns {import("../src/types.js").WireArray} */
const wire = (/** @type {number[]} */ values, /** @type {"float32" | "uint8"} */ dtype = "float32") => {
  const T = dtype === "float32" ? Float32Array : Uint8Array;
  const data = T.from(values);
  return { dtype, shape: [values.length], buffer: new DataView(data.buffer) };
};

test("a wire array keeps NaN and infinity; null in a list is NaN", () => {
  assert.deepEqual(Array.from(decode(wire([1, NaN, Infinity, -Infinity])).data), [1, NaN, Infinity, -Infinity]);
  assert.deepEqual(decode([[1, null], [3, 4]]), { data: [1, NaN, 3, 4], shape: [2, 2] });
});

test("a wire array with an unknown dtype, no buffer or a wrong shape is an error", () => {
  /** @type {any[]} */
  const bad = [{ dtype: "complex64", shape: [1], buffer: new ArrayBuffer(8) }, { dtype: "float32", shape: [1] }, null];
  assert.throws(() => decode(bad[0]), { message: 'unknown dtype "complex64"' });
  assert.throws(() => decode(bad[1]), { message: "array without a binary buffer" });
  assert.throws(() => decode({ dtype: "float32", shape: [3], buffer: new ArrayBuffer(8) }), { message: "shape [3] does not fit 2 values" });
  assert.throws(() => decode(bad[2]), { message: "missing array" });
});

test("an unaligned buffer is copied, not misread", () => {
  const bytes = new Uint8Array(9);
  new DataView(bytes.buffer).setFloat32(1, 2.5, true);
  new DataView(bytes.buffer).setFloat32(5, NaN, true);
  const { data } = decode({ dtype: "float32", shape: [2], buffer: new DataView(bytes.buffer, 1, 8) });
  assert.deepEqual(Array.from(data), [2.5, NaN]);
});

test("a scalar is a number, a numeric string or a one-value array; anything else is NaN", () => {
  assert.deepEqual([scalar(2), scalar("0.5"), scalar(wire([3])), scalar(wire([1, 2])), scalar(undefined), scalar(true)],
    [2, 0.5, 3, NaN, NaN, NaN]);
});

test("a line lifts its pen at NaN and infinity", () => {
  const X = scale({ lim: [0, 4] }, 0, 400, [], "x"), Y = scale({ lim: [0, 1] }, 100, 0, [], "y");
  assert.equal(pathOf([0, 1, 2, 3, 4], [0, 1, NaN, 1, Infinity], X, Y), "M0 100L100 0M300 0");
  assert.equal(pathOf([0, 1], [NaN, -Infinity], X, Y), "");
});

test("a stair with a non-finite height leaves its cell empty and closes the area around it", () => {
  /** @type {any} */
  const ctx = { X: scale({ lim: [0, 3] }, 0, 300, [], "x"), Y: scale({ lim: [0, 1] }, 100, 0, [], "y"), box: { x: 0, y: 0, w: 300, h: 100 } };
  const svg = MARKS.stairs({ type: "stairs", edges: [0, 1, 2, 3], heights: [1, NaN, 0.5] }, ctx);
  const d = /d="([^"]*)"/.exec(svg)?.[1];
  assert.equal(d, "M0 100L0 0L100 0L100 100ZM200 100L200 50L300 50L300 100Z");
  assert.equal(MARKS.stairs({ type: "stairs", edges: [0, 1], heights: [Infinity] }, ctx), "");
});

test("an image's non-finite cells get index 255 (hatched); others are clipped to 0..254", () => {
  assert.deepEqual(Array.from(imageIndices({ vmin: 0, vmax: 2 }, [0, 1, 2, 5, -1, NaN, Infinity, -Infinity])),
    [0, 127, 254, 254, 0, 255, 255, 255]);
  assert.deepEqual(Array.from(imageIndices({ vmin: 1, vmax: 1 }, [1])), [255]);
  const sent = Uint8Array.from([3, 255]);
  assert.equal(imageIndices({ vmin: 0, vmax: 1 }, sent), sent);
});

test("pixel coordinates stay finite strings: infinity is clamped", () => {
  assert.deepEqual([px(Infinity), px(-Infinity), px(1.23456)], ["100000", "-100000", "1.23"]);
});

test("a figure with NaN and infinity in its data draws no NaN and reports no problem", () => {
  /** @type {import("../src/types.js").Figure} */
  const figure = {
    width: 400, height: 300, alt: "a broken line",
    panels: [{
      id: "p", box: [0.1, 0.1, 0.8, 0.8], x: { lim: [0, 4], ticks: [0, 2, 4], labels: ["0", "2", "4"] },
      y: { scale: "log", lim: [0.1, 10], ticks: [0.1, 1, 10], labels: ["0.1", "1", "10"] },
      marks: [{ type: "line", x: wire([0, 1, 2, 3, 4]), y: wire([1, NaN, Infinity, 0, 5]) },
        { type: "stairs", edges: wire([0, 1, 2]), heights: wire([NaN, 2]) }],
    }],
  };
  const { svg, problems, panels } = figureSVG(figure, {}, new Map());
  assert.deepEqual(problems, []);
  assert.equal(panels, 1);
  assert.ok(!svg.includes("NaN") && !svg.includes("Infinity"), svg);
  assert.match(svg, /data-problems="0"/);
});

test("what cannot be drawn is listed on the figure, and the rest is drawn", () => {
  /** @type {any} */
  const figure = {
    width: 400, height: 300, panels: [
      { id: "bad", box: [0, 0, 0, 1] },
      { id: "ok", box: [0.1, 0.1, 0.8, 0.8], x: { lim: [0, NaN] }, y: { lim: [0, 1] }, marks: [{ type: "pie" }] },
    ],
  };
  const { svg, problems } = figureSVG(figure, {}, new Map());
  assert.deepEqual(problems, ["panel 1: no valid box", "panel 'ok' x: no valid limits", "panel 'ok' mark 1 (pie): unknown mark type \"pie\""]);
  assert.match(svg, /data-panel="ok"/);
  assert.match(svg, /data-problems="3"/);
  assert.deepEqual(figureSVG(null, {}, new Map()).problems, ["no figure to draw yet"]);
});
