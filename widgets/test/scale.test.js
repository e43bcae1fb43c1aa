import assert from "node:assert/strict";
import { test } from "node:test";

import { scale, ticksOf } from "../src/scale.js";

test("a linear scale maps its limits onto the pixel range, y upwards", () => {
  const problems = [];
  const Y = scale({ scale: "linear", lim: [0, 10] }, 300, 100, problems, "y");
  assert.deepEqual([Y(0), Y(5), Y(10), Y(-5)], [300, 200, 100, 400]);
  assert.equal(Y.log, false);
  assert.deepEqual(Y.lim, [0, 10]);
  assert.deepEqual(problems, []);
});

test("a log scale maps decades evenly and non-positive values to NaN", () => {
  const problems = [];
  const X = scale({ scale: "log", lim: [1e-3, 10] }, 0, 400, problems, "x");
  assert.deepEqual([1e-3, 1e-2, 1e-1, 1, 10].map((v) => Math.round(X(v) * 1e9) / 1e9), [0, 100, 200, 300, 400]);
  assert.ok(Number.isNaN(X(0)) && Number.isNaN(X(-1)));
  assert.equal(X.log, true);
  assert.deepEqual(problems, []);
});

test("non-finite values map to NaN, never to a pixel", () => {
  const X = scale({ lim: [0, 1] }, 0, 100, [], "x");
  assert.ok([NaN, Infinity, -Infinity].every((v) => !Number.isFinite(X(v))));
  const L = scale({ scale: "log", lim: [1, 100] }, 0, 100, [], "x");
  assert.ok([NaN, Infinity, -Infinity].every((v) => !Number.isFinite(L(v))));
});

test("limits that cannot be drawn are a problem, and the axis falls back to [0, 1] or [1, 10]", () => {
  /** @type {[any, number[]][]} */
  const cases = [
    [{ lim: null }, [0, 1]], [{ lim: [1, 1] }, [0, 1]], [{ lim: [0, NaN] }, [0, 1]], [{ lim: [0, Infinity] }, [0, 1]],
    [undefined, [0, 1]], [{ scale: "log", lim: [0, 10] }, [1, 10]], [{ scale: "log", lim: [-1, 10] }, [1, 10]],
  ];
  for (const [spec, fallback] of cases) {
    const problems = [];
    const S = scale(spec, 0, 100, problems, "panel 'p' x");
    assert.deepEqual(problems, ["panel 'p' x: no valid limits"], JSON.stringify(spec));
    assert.deepEqual(S.lim, fallback);
    assert.equal(S(fallback[1]), 100);
  }
});

test("ticks are placed by the scale, labelled in order, and dropped where they map to no pixel", () => {
  const X = scale({ scale: "log", lim: [1, 100] }, 0, 200, [], "x");
  const ticks = ticksOf({ ticks: [0, 1, 10, 100], labels: ["0", "1", "10", "10²"] }, X);
  assert.deepEqual(ticks, [{ at: 0, label: "1" }, { at: 100, label: "10" }, { at: 200, label: "10²" }]);
});

test("a hidden axis, or one without ticks, has none; missing labels are empty", () => {
  const X = scale({ lim: [0, 1] }, 0, 10, [], "x");
  assert.deepEqual(ticksOf({ ticks: [0, 1], hidden: true }, X), []);
  assert.deepEqual(ticksOf({ ticks: null }, X), []);
  assert.deepEqual(ticksOf(undefined, X), []);
  assert.deepEqual(ticksOf({ ticks: [0, 0.5] }, X), [{ at: 0, label: "" }, { at: 5, label: "" }]);
});
