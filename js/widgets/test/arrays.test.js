// Unit tests of the binary array wire format: `node --test js/`.
import assert from "node:assert/strict";
import { test } from "node:test";

import { fromBuffer } from "../lib/arrays.js";

test("reads a DataView as ipywidgets delivers it", () => {
  const source = new Float64Array([1.5, -2, 3.25, 4, 5, 6]);
  const view = new DataView(source.buffer);
  const { data, shape, dtype } = fromBuffer({ buffer: view, dtype: "float64", shape: [2, 3] });
  assert.ok(data instanceof Float64Array);
  assert.deepEqual(Array.from(data), [1.5, -2, 3.25, 4, 5, 6]);
  assert.deepEqual(shape, [2, 3]);
  assert.equal(dtype, "float64");
});

test("views the bytes without copying when aligned", () => {
  const source = new Int32Array([7, 8, 9]);
  const { data } = fromBuffer({ buffer: source.buffer, dtype: "int32", shape: [3] });
  source[0] = 42;
  assert.equal(data[0], 42);
});

test("copies a misaligned view instead of failing", () => {
  const bytes = new Uint8Array(1 + 2 * 4);
  new DataView(bytes.buffer).setFloat32(1, 0.5, true);
  new DataView(bytes.buffer).setFloat32(5, -1, true);
  const view = new DataView(bytes.buffer, 1, 8);
  const { data } = fromBuffer({ buffer: view, dtype: "float32", shape: [2] });
  assert.deepEqual(Array.from(data), [0.5, -1]);
});

test("a 0-d array holds one value", () => {
  const { data, shape } = fromBuffer({
    buffer: new Uint8Array([200]),
    dtype: "uint8",
    shape: [],
  });
  assert.deepEqual(Array.from(data), [200]);
  assert.deepEqual(shape, []);
});

test("rejects an unknown dtype and a length that does not match the shape", () => {
  assert.throws(
    () => fromBuffer({ buffer: new ArrayBuffer(8), dtype: "int64", shape: [1] }),
    /unsupported dtype "int64"/,
  );
  assert.throws(
    () => fromBuffer({ buffer: new ArrayBuffer(12), dtype: "float64", shape: [2] }),
    /12 bytes do not hold 2 float64 values/,
  );
  assert.throws(() => fromBuffer({ buffer: [1, 2], dtype: "uint8", shape: [2] }), /DataView/);
});
