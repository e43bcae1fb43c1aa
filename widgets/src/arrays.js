// The wire's arrays ({dtype, shape, buffer}: docs/figure-format.md "On the wire") as typed arrays,
// scalars given as numbers or one-value arrays, and the colour maps' byte tables.

const DTYPES = {
  float32: Float32Array, float64: Float64Array, uint8: Uint8Array, int8: Int8Array,
  uint16: Uint16Array, int16: Int16Array, uint32: Uint32Array, int32: Int32Array,
};

/**
 * A wire array, a typed array or a (nested) list -> its values and shape. null in a list is NaN.
 * @param {import("./types.js").ArrayLike} a
 * @returns {{data: ArrayLike<number> & Iterable<number>, shape: number[]}}
 */
export function decode(a) {
  if (a === undefined || a === null) throw new Error("missing array");
  if (Array.isArray(a)) {
    const list = /** @type {any[]} */ (a);
    const rows = list.length && Array.isArray(list[0]) ? list.length : null;
    const flat = rows === null ? list : list.flat();
    return { data: flat.map((v) => (v === null ? NaN : Number(v))), shape: rows === null ? [list.length] : [rows, list[0].length] };
  }
  if (ArrayBuffer.isView(a) && !(a instanceof DataView)) return { data: /** @type {any} */ (a), shape: [/** @type {any} */ (a).length] };
  const wire = /** @type {import("./types.js").WireArray} */ (a);
  const T = DTYPES[/** @type {keyof DTYPES} */ (wire.dtype)];
  if (!T) throw new Error(`unknown dtype ${JSON.stringify(wire.dtype)}`);
  /** @type {any} */
  let buf = wire.buffer;
  let offset = 0, bytes = 0;
  if (Array.isArray(buf)) return { data: T.from(buf), shape: wire.shape || [buf.length] };
  if (ArrayBuffer.isView(buf)) { offset = buf.byteOffset; bytes = buf.byteLength; buf = buf.buffer; }
  else if (buf instanceof ArrayBuffer) bytes = buf.byteLength;
  else throw new Error("array without a binary buffer");
  if (offset % T.BYTES_PER_ELEMENT) { buf = buf.slice(offset, offset + bytes); offset = 0; }
  const data = new T(buf, offset, Math.floor(bytes / T.BYTES_PER_ELEMENT));
  const shape = Array.isArray(wire.shape) ? wire.shape : [data.length];
  if (shape.reduce((p, n) => p * n, 1) !== data.length) throw new Error(`shape ${JSON.stringify(shape)} does not fit ${data.length} values`);
  return { data, shape };
}

/**
 * A number given as a number, a numeric string or a one-value wire array (resolve() may send a
 * text's x/y as 0-d arrays); NaN for anything else.
 * @param {unknown} v
 * @returns {number}
 */
export function scalar(v) {
  if (v !== null && typeof v === "object") {
    const { data } = decode(/** @type {any} */ (v));
    return data.length === 1 ? Number(data[0]) : NaN;
  }
  return typeof v === "number" || typeof v === "string" ? Number(v) : NaN;
}

/**
 * The RGB bytes of colour map `name`, from the tables LiveFigure.colormaps sends once
 * ({name: 255 RGB triplets as bytes, a wire array, a list of numbers or of "#rrggbb"}), cached.
 * @param {Record<string, any>} tables
 * @param {string} name
 * @param {Map<string, any>} cache
 * @returns {Uint8Array}
 */
export function colormapTable(tables, name, cache) {
  if (cache.has(name)) return cache.get(name);
  const raw = tables && tables[name];
  if (!raw) throw new Error(`unknown colour map ${JSON.stringify(name)}`);
  let bytes;
  if (raw instanceof DataView) bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  else if (raw instanceof ArrayBuffer) bytes = new Uint8Array(raw);
  else if (Array.isArray(raw) && typeof raw[0] === "string") {
    bytes = new Uint8Array(raw.flatMap((h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16))));
  } else bytes = Uint8Array.from(decode(raw).data);
  if (bytes.length < 3) throw new Error(`colour map ${name} is empty`);
  cache.set(name, bytes);
  return bytes;
}
