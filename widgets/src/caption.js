// The caption (LiveFigure.show(..., caption=)): the kernel's HTML under the SVG (statistics, code).
// Trusted like an HTML widget's value: it comes from the kernel's code.

const CAPTION_STYLE = "font-size:13px;line-height:1.5;color:#222222;margin-top:6px;overflow-x:auto";

/** The caption's block, or "" for none. @param {string} caption */
export function captionHTML(caption) {
  return caption ? `<div class="sporelab-caption" style="${CAPTION_STYLE}">${caption}</div>` : "";
}
