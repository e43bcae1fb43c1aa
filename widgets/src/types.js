// The figure description's types (docs/figure-format.md, which links here): what the kernel sends
// and the modules draw. Checked by `npm run typecheck` (tsc --checkJs); nothing here runs, and
// the bundle leaves this module out (no module imports it at run time).
// Keep this file and docs/figure-format.md in step: a field added to one is added to the other.

/**
 * An array on the wire: NumPy's bytes with their dtype and shape (ipywidgets sends the buffer as
 * binary, so NaN and inf travel exactly). Images are uint8 colour-map indices (255 = non-finite).
 * @typedef {object} WireArray
 * @property {"float32" | "float64" | "uint8" | "int8" | "uint16" | "int16" | "uint32" | "int32"} dtype
 * @property {number[]} [shape]
 * @property {DataView | ArrayBuffer | ArrayBufferView | number[]} buffer
 */

/**
 * An array as the modules accept it: a wire array, a typed array, or a (nested) list in which
 * null stands for NaN.
 * @typedef {WireArray | ArrayBufferView | (number | null)[] | (number | null)[][]} ArrayLike
 */

/** A number: given as a number or as a one-value array (resolve() may send 0-d arrays).
 * @typedef {number | WireArray} Scalar */

/**
 * One axis of a panel. resolve() fills `lim`, `ticks` and `labels` (finite, low < high, ticks
 * inside lim, one label per tick).
 * @typedef {object} Axis
 * @property {"linear" | "log"} [scale]
 * @property {number[] | null} [lim] [low, high]
 * @property {number[] | null} [ticks]
 * @property {string[] | null} [labels]
 * @property {number} [nticks] at most this many ticks (resolve() only)
 * @property {boolean} [hidden] no ticks on this axis
 */

/** A histogram: n + 1 edges, n heights; a non-finite height leaves its cell empty.
 * @typedef {object} StairsMark
 * @property {"stairs"} type
 * @property {ArrayLike} edges
 * @property {ArrayLike} heights
 * @property {string} [color]
 * @property {number} [alpha]
 * @property {string | null} [label]
 */

/** A polyline, broken at non-finite points; markers only when width is 0.
 * @typedef {object} LineMark
 * @property {"line"} type
 * @property {ArrayLike} x
 * @property {ArrayLike} y
 * @property {string} [color]
 * @property {number} [width]
 * @property {"dashed" | "dotted" | "dashdot" | null} [dash]
 * @property {"o" | "s" | "D" | null} [marker]
 * @property {number} [size] marker size, px
 * @property {number} [alpha]
 * @property {string | null} [label]
 */

/** A vertical (axis "x") or horizontal (axis "y") line across the panel.
 * @typedef {object} RuleMark
 * @property {"rule"} type
 * @property {"x" | "y"} axis
 * @property {Scalar} value
 * @property {string} [color]
 * @property {number} [width]
 * @property {"dashed" | "dotted" | "dashdot" | null} [dash]
 */

/** An image filling x in [0, cols], y in [0, rows], row 0 at the top; non-finite cells hatched.
 * @typedef {object} ImageMark
 * @property {"image"} type
 * @property {ArrayLike} values rows x cols
 * @property {string} [cmap] "viridis" | "cividis" | "gray" | "PuOr"
 * @property {Scalar} [vmin]
 * @property {Scalar} [vmax]
 */

/** A text at axes fractions (default) or data coordinates.
 * @typedef {object} TextMark
 * @property {"text"} type
 * @property {string} text
 * @property {Scalar} x
 * @property {Scalar} y
 * @property {"axes" | "data"} [coords]
 * @property {string} [color]
 * @property {number} [size]
 * @property {"left" | "center" | "right"} [align]
 * @property {"top" | "middle" | "bottom"} [valign]
 * @property {boolean} [box] a white rounded box behind the text
 * @property {string} [family] "monospace"
 * @property {string} [weight]
 * @property {number} [rotation]
 * @property {boolean} [note] a note resolve() added (NaN, a degenerate range)
 */

/** @typedef {StairsMark | LineMark | RuleMark | ImageMark | TextMark} Mark */

/**
 * @typedef {object} LegendItem
 * @property {string} label
 * @property {string} [color]
 * @property {"patch" | "line" | "marker"} [kind]
 * @property {"dashed" | "dotted" | "dashdot" | null} [dash]
 * @property {"o" | "s" | "D" | null} [marker]
 * @property {number} [alpha]
 * @property {number} [width]
 */

/**
 * A legend: a panel's (placed by `loc`) or the figure's (its top-left corner at x, y in figure
 * fractions).
 * @typedef {object} Legend
 * @property {LegendItem[]} items
 * @property {"upper right" | "upper left" | "lower right" | "lower left" | "right" | "above"} [loc]
 * @property {number} [columns]
 * @property {number} [size] font size, px
 * @property {Scalar} [x]
 * @property {Scalar} [y]
 */

/** A colour bar right of its panel's box.
 * @typedef {object} Colorbar
 * @property {string} [cmap]
 * @property {Scalar} vmin
 * @property {Scalar} vmax
 * @property {string} [label]
 * @property {number[]} [ticks]
 * @property {string[]} [labels]
 */

/**
 * @typedef {object} Panel
 * @property {string} [id] a stable name (data-panel in the DOM)
 * @property {number[]} box [left, bottom, width, height] in figure fractions
 * @property {string} [title]
 * @property {string} [xlabel]
 * @property {string} [ylabel]
 * @property {Axis} [x]
 * @property {Axis} [y]
 * @property {boolean} [grid]
 * @property {boolean} [frame] false: no spines, no ticks (image tiles)
 * @property {Mark[]} [marks] drawn in order
 * @property {Legend | null} [legend]
 * @property {Colorbar | null} [colorbar]
 */

/** A figure-level text: x, y in figure fractions.
 * @typedef {Omit<TextMark, "type" | "coords"> & {type?: "text"}} FigureText */

/**
 * @typedef {object} Figure
 * @property {number} width CSS px
 * @property {number} height CSS px
 * @property {string} [alt] the text alternative a screen reader reads
 * @property {Panel[]} panels
 * @property {FigureText[]} [texts]
 * @property {Legend | null} [legend]
 */

/**
 * The custom message LiveFigure.show sends when only some panels changed.
 * @typedef {object} PatchMessage
 * @property {"patch"} type
 * @property {Partial<Figure>} [top] every figure key but "panels"
 * @property {Record<string, Panel>} [panels] index -> the panel that replaces it
 * @property {string} [caption] HTML, only when it changed
 * @property {(string | number)[][]} [buffer_paths] where the message's binary buffers go
 */

/**
 * The part of anywidget's model the renderer uses.
 * @typedef {object} Model
 * @property {(name: string) => any} get
 * @property {(event: string, callback: (...args: any[]) => void) => void} on
 * @property {(event: string, callback: (...args: any[]) => void) => void} off
 */

export {};
