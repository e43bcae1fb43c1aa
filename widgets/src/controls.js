// Keyboard and accessible names for the explorer's ipywidgets controls around a figure.
// ipywidgets 8.1 leaves two unnamed: a slider's handle (role=slider) is not tied to its
// description label, and Play's buttons are icon-only. axe-core calls these serious/critical;
// the figure names them inside its own output area. This is the renderer's second job, so it
// lives here, apart from the drawing.

import { newId } from "./svg.js";

/** @type {Record<string, string>} */
const ICON_NAMES = { play: "Play", pause: "Pause", stop: "Stop", retweet: "Repeat", repeat: "Repeat", refresh: "Reset", undo: "Undo" };

/**
 * Name every unnamed slider handle (by its description label) and icon-only button (by its icon)
 * under `root`, and keep the handles' arrow keys from Notebook 7's shortcuts.
 * @param {ParentNode} root
 */
export function labelControls(root) {
  // Notebook 7 binds ArrowLeft/Right to heading navigation for any focused element in command
  // mode; a slider's handle keeps its arrow keys (lumino skips targets with this attribute).
  for (const handle of root.querySelectorAll('[role="slider"]:not([data-lm-suppress-shortcuts])')) {
    handle.setAttribute("data-lm-suppress-shortcuts", "true");
  }
  for (const handle of root.querySelectorAll('[role="slider"]:not([aria-label]):not([aria-labelledby])')) {
    const label = handle.closest(".widget-slider")?.querySelector(".widget-label");
    if (!label || !label.textContent || !label.textContent.trim()) continue;
    if (!label.id) label.id = newId("label");
    handle.setAttribute("aria-labelledby", label.id);
  }
  for (const button of root.querySelectorAll("button:not([aria-label]):not([title])")) {
    if (button.textContent && button.textContent.trim()) continue;
    const icon = /\bfa-([a-z-]+)/.exec(button.querySelector("i")?.className || "");
    if (icon) button.setAttribute("aria-label", ICON_NAMES[icon[1]] || icon[1].replace(/-/g, " "));
  }
}

/**
 * The explorer around the figure: its output area (JupyterLab, Notebook 7), else its outermost box.
 * @param {HTMLElement} el
 * @returns {HTMLElement | null}
 */
function explorerRoot(el) {
  /** @type {HTMLElement | null} */
  let root = el.closest(".jp-OutputArea-output");
  if (root) return root;
  for (let node = el.parentElement; node; node = node.parentElement) if (node.classList.contains("widget-box")) root = node;
  return root || el.parentElement;
}

/**
 * Label the controls around `el` once it is in the page, and again whenever a control is added
 * outside it. Returns the function that stops watching.
 * @param {HTMLElement} el
 * @returns {() => void}
 */
export function watchControls(el) {
  /** @type {MutationObserver | null} */
  let observer = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let tries = 0, queued = false;
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
