// The book's live explorers (appended to the renderer bundled from widgets/src/, in one classic
// script so that the page works from file://). Each .sporelab-live-explorer element names an
// explorer whose precomputed states a sibling script put into window.sporelabLiveStates (a JSON
// string); its <select> controls pick a state, drawn by the renderer's own draw().
// Anything missing or corrupt leaves the static figure, with a visible note.

/** @param {any} value */
function unpackBuffers(value) {
  if (Array.isArray(value)) return value.map(unpackBuffers);
  if (value && typeof value === "object") {
    if (typeof value.b64 === "string" && Object.keys(value).length === 1) {
      const text = atob(value.b64);
      const bytes = new Uint8Array(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
      return new DataView(bytes.buffer);
    }
    /** @type {Record<string, any>} */
    const out = {};
    for (const key of Object.keys(value)) out[key] = unpackBuffers(value[key]);
    return out;
  }
  return value;
}

/** @param {HTMLElement} box @param {string} text */
function liveNote(box, text) {
  const note = box.querySelector(".sporelab-live-note");
  if (note) { note.textContent = text; note.hidden = false; }
  box.classList.add("sporelab-live-failed");
  box.hidden = false;
}

/** @param {HTMLElement} box */
function startLive(box) {
  const name = box.dataset.explorer || "";
  const raw = (/** @type {any} */ (window).sporelabLiveStates || {})[name];
  let data;
  try {
    data = JSON.parse(raw);
    if (!data || typeof data.states !== "object" || !Array.isArray(data.controls)) throw new Error("no states");
  } catch (error) {
    liveNote(box, box.dataset.missing || "The precomputed states could not be loaded: the static figure stays.");
    return;
  }
  const colormaps = unpackBuffers(data.colormaps);
  const cache = new Map();
  const pane = /** @type {HTMLElement} */ (box.querySelector(".sporelab-live-figure"));
  const selects = /** @type {HTMLSelectElement[]} */ ([...box.querySelectorAll("select[data-control]")]);
  const redraw = () => {
    const key = selects.map((s) => s.selectedIndex).join("-");
    const state = data.states[key];
    if (!state) { liveNote(box, `No precomputed state ${key}.`); return; }
    const start = performance.now();
    draw(unpackBuffers(state.figure), colormaps, pane, cache, state.caption);
    const svg = pane.querySelector("svg");
    if (svg) { svg.setAttribute("role", "img"); svg.setAttribute("aria-label", state.alt); }
    pane.dataset.state = key;
    pane.dataset.redrawMs = String(performance.now() - start);
    pane.dataset.drawnAt = String(performance.now());
  };
  const initial = String(data.initial).split("-").map(Number);
  selects.forEach((select, i) => { select.selectedIndex = initial[i] || 0; select.addEventListener("change", redraw); });
  redraw();
  box.classList.add("sporelab-live-ready");
  box.hidden = false;
  const cell = box.closest(".sporelab-live");       // the still and its kernel note give way
  if (cell) for (const still of cell.querySelectorAll(":scope > img, :scope > p, :scope > figure")) /** @type {HTMLElement} */ (still).hidden = true;
}

function startAllLive() {
  for (const box of document.querySelectorAll(".sporelab-live-explorer")) startLive(/** @type {HTMLElement} */ (box));
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAllLive);
else startAllLive();
