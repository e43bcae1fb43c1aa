import assert from "node:assert/strict";
import { test } from "node:test";

import { applyPatch } from "../src/patch.js";

const figure = () => ({
  width: 400, height: 300, alt: "before",
  panels: [{ id: "a", box: [0, 0, 0.5, 1] }, { id: "b", box: [0.5, 0, 0.5, 1] }],
});

test("a patch replaces the panels it names and the figure's other keys", () => {
  const before = figure();
  const after = applyPatch(before, { type: "patch", top: { width: 400, height: 300, alt: "after" }, panels: { 1: { id: "b", box: [0.6, 0, 0.4, 1] } } }, []);
  assert.equal(after.alt, "after");
  assert.deepEqual(after.panels.map((p) => p.box), [[0, 0, 0.5, 1], [0.6, 0, 0.4, 1]]);
  assert.equal(after.panels[0], before.panels[0]);
});

test("the figure it was given is left as it was", () => {
  const before = figure();
  const panels = before.panels;
  applyPatch(before, { type: "patch", top: { alt: "after" }, panels: { 0: { id: "a", box: [0, 0, 1, 1] } } }, []);
  assert.deepEqual(before, figure());
  assert.equal(before.panels, panels);
});

test("binary buffers go where buffer_paths say, before the merge", () => {
  const buffer = new DataView(new Float32Array([1, NaN, Infinity]).buffer);
  /** @type {any} */
  const msg = {
    type: "patch", top: {},
    panels: { 0: { id: "a", box: [0, 0, 1, 1], marks: [{ type: "line", x: { dtype: "float32", shape: [3] }, y: { dtype: "float32", shape: [3] } }] } },
    buffer_paths: [["panels", "0", "marks", 0, "x", "buffer"], ["panels", "0", "marks", 0, "y", "buffer"]],
  };
  const after = applyPatch(figure(), msg, [buffer, buffer]);
  const line = /** @type {any} */ (after.panels[0].marks)[0];
  assert.equal(line.x.buffer, buffer);
  assert.equal(line.y.buffer, buffer);
});

test("a patch for a panel the figure does not have is an error", () => {
  assert.throws(() => applyPatch(figure(), { type: "patch", panels: { 2: { id: "c", box: [0, 0, 1, 1] } } }, []),
    { message: "patch for panel 2 of 2" });
  assert.throws(() => applyPatch(/** @type {any} */ ({}), { type: "patch", panels: { 0: { id: "a", box: [0, 0, 1, 1] } } }, []),
    { message: "patch for panel 0 of 0" });
});

test("a patch without panels keeps every panel", () => {
  const after = applyPatch(figure(), { type: "patch", top: { alt: "caption only" } }, []);
  assert.deepEqual(after.panels, figure().panels);
  assert.equal(after.alt, "caption only");
});
