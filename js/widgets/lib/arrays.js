// numpy arrays sent by lnhet_widgets.widgets._assets.array_to_bytes, read back as typed arrays.
//
// The Python side syncs {buffer, dtype, shape} with the buffer as a binary comm buffer (no JSON
// list of numbers). ipywidgets hands the buffer to the front end as a DataView; tests and other
// callers may pass an ArrayBuffer or a typed array, so all three are accepted. Typed arrays use
// the host byte order, little-endian on every platform browsers run on, and so does the sender.

/** numpy dtype names (little-endian, as the Python side always sends) to typed arrays. */
export const DTYPES = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/**
 * View (or, when misaligned, copy) a binary array message as a typed array.
 *
 * @param {{buffer: DataView|ArrayBuffer|ArrayBufferView, dtype: string, shape: number[]}} msg
 * @returns {{data: ArrayBufferView, shape: number[], dtype: string}} `data` is flat, C order
 * @throws {Error} on an unknown dtype or when the byte length does not match the shape
 */
export function fromBuffer({ buffer, dtype, shape }) {
  const Type = DTYPES[dtype];
  if (Type === undefined) {
    throw new Error(`fromBuffer: unsupported dtype ${JSON.stringify(dtype)}`);
  }
  const dims = Array.from(shape ?? [], Number);
  const count = dims.reduce((a, b) => a * b, 1);
  let bytes;
  if (buffer instanceof ArrayBuffer) {
    bytes = new Uint8Array(buffer);
  } else if (ArrayBuffer.isView(buffer)) {
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } else {
    throw new Error("fromBuffer: buffer must be a DataView, an ArrayBuffer or a typed array");
  }
  if (bytes.byteLength !== count * Type.BYTES_PER_ELEMENT) {
    throw new Error(
      `fromBuffer: ${bytes.byteLength} bytes do not hold ${count} ${dtype} values (shape ` +
        `[${dims.join(", ")}])`,
    );
  }
  // A typed array must start at a multiple of its element size; comm buffers usually do,
  // but a view into a larger message need not, and then only a copy can be read.
  const data =
    bytes.byteOffset % Type.BYTES_PER_ELEMENT === 0
      ? new Type(bytes.buffer, bytes.byteOffset, count)
      : new Type(bytes.slice().buffer, 0, count);
  return { data, shape: dims, dtype };
}
