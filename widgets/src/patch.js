// A patch message merged into the figure a view holds (LiveFigure.show when only some panels
// changed; docs/figure-format.md "On the wire").

/**
 * The figure with the patch's panels and top-level keys in place. The patch's binary buffers are
 * put at their `buffer_paths` first (into `msg` itself). Neither `figure` nor its panel list is
 * changed: a failed patch leaves the figure shown as it was.
 * @param {import("./types.js").Figure} figure
 * @param {import("./types.js").PatchMessage} msg
 * @param {unknown[]} buffers
 * @returns {import("./types.js").Figure}
 * @throws {Error} a patch for a panel the figure does not have
 */
export function applyPatch(figure, msg, buffers) {
  (msg.buffer_paths || []).forEach((path, i) => {
    /** @type {any} */
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
