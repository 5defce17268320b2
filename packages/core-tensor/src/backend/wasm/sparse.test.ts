import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import { jsBackend } from '../js/index.js';
import { createWasmBackend, type WasmBackend } from './index.js';

// float32 sums of a few dozen products of order 1, accumulated in float32 (js sums in doubles).
const TOL = { rtol: 1e-5, atol: 1e-5 };

/** A random CSR structure: rows of 0 to 2·meanDegree entries (some empty), sorted, with repeats. */
function randomCsr(gen: Generator, rows: number, cols: number, meanDegree: number): { rowPtr: Int32Array; colIndex: Int32Array } {
  const rowPtr = new Int32Array(rows + 1);
  const colIndex: number[] = [];
  for (let r = 0; r < rows; r++) {
    const degree = r % 5 === 3 ? 0 : gen.integer(0, 2 * meanDegree + 1);
    const row = Array.from({ length: degree }, () => gen.integer(0, cols)).sort((p, q) => p - q);
    colIndex.push(...row);
    rowPtr[r + 1] = colIndex.length;
  }
  return { rowPtr, colIndex: Int32Array.from(colIndex) };
}

describe('wasm spmmCsr against the js kernel (float32)', () => {
  let everyCall: WasmBackend;
  let byDefault: WasmBackend;
  beforeAll(async () => {
    everyCall = await createWasmBackend({ elementwiseFrom: 1 });
    byDefault = await createWasmBackend();
  });
  afterAll(async () => {
    await everyCall.dispose();
    await byDefault.dispose();
  });

  // Widths through every block size (32, 16, 4) and every remainder, down to one row.
  it.each([
    [1, 1, 1],
    [9, 6, 3],
    [40, 30, 7],
    [40, 30, 16],
    [33, 20, 17],
    [25, 40, 33],
    [60, 50, 64],
    [20, 20, 100],
    [1, 8, 6],
  ])('[%i, %i] · [cols, %i]: weighted and implicit ones, empty rows, repeated columns', (rows, cols, feat) => {
    const gen = new Generator(rows * 1000 + feat);
    const { rowPtr, colIndex } = randomCsr(gen, rows, cols, 4);
    const values = Float32Array.from(colIndex, () => gen.uniform(-2, 2));
    const x = Float32Array.from({ length: cols * feat }, () => gen.uniform(-2, 2));
    for (const v of [values, null]) {
      const expected = new Float32Array(rows * feat);
      jsBackend.spmmCsr({ rowPtr, colIndex, values: v, x, rows, feat, out: expected });
      for (const backend of [everyCall, byDefault]) {
        const out = new Float32Array(rows * feat).fill(12345);
        backend.spmmCsr({ rowPtr, colIndex, values: v, x, rows, feat, out });
        expectClose(out, expected, TOL);
      }
    }
  });

  it('matches on a graph of Cora’s size (2708 rows, ~13k entries, 16 features)', () => {
    const gen = new Generator(2708);
    const { rowPtr, colIndex } = randomCsr(gen, 2708, 2708, 5);
    const values = Float32Array.from(colIndex, () => gen.uniform(0, 1));
    const x = Float32Array.from({ length: 2708 * 16 }, () => gen.uniform(-1, 1));
    const [out, expected] = [new Float32Array(2708 * 16), new Float32Array(2708 * 16)];
    byDefault.spmmCsr({ rowPtr, colIndex, values, x, rows: 2708, feat: 16, out });
    jsBackend.spmmCsr({ rowPtr, colIndex, values, x, rows: 2708, feat: 16, out: expected });
    expectClose(out, expected, TOL);
  });

  it('leaves float64 to the js kernel, bit for bit', () => {
    const gen = new Generator(64);
    const { rowPtr, colIndex } = randomCsr(gen, 30, 30, 4);
    const values = Float64Array.from(colIndex, () => gen.uniform(-2, 2));
    const x = Float64Array.from({ length: 30 * 24 }, () => gen.uniform(-2, 2));
    const [out, expected] = [new Float64Array(30 * 24), new Float64Array(30 * 24)];
    everyCall.spmmCsr({ rowPtr, colIndex, values, x, rows: 30, feat: 24, out });
    jsBackend.spmmCsr({ rowPtr, colIndex, values, x, rows: 30, feat: 24, out: expected });
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('runs rows in blocks of bounded scratch, a hub row larger than a block alone, and matches', async () => {
    // 512 bytes a block: a few rows each at feat 7; row 3 gets 200 entries, far more than a block holds.
    const blocked = await createWasmBackend({ elementwiseFrom: 1, blockBytes: 512 });
    const gen = new Generator(512);
    const rows = 90;
    const { rowPtr, colIndex } = randomCsr(gen, rows, 50, 3);
    const hub = Array.from({ length: 200 }, () => gen.integer(0, 50)).sort((p, q) => p - q);
    const entries = [...colIndex.subarray(0, rowPtr[3]), ...hub, ...colIndex.subarray(rowPtr[4])];
    const hubPtr = Int32Array.from(rowPtr, (v, r) => (r <= 3 ? v : v - (rowPtr[4]! - rowPtr[3]!) + hub.length));
    const hubIndex = Int32Array.from(entries);
    for (const feat of [7, 33]) {
      const x = Float32Array.from({ length: 50 * feat }, () => gen.uniform(-2, 2));
      const values = Float32Array.from(hubIndex, () => gen.uniform(-2, 2));
      for (const v of [values, null]) {
        const expected = new Float32Array(rows * feat);
        jsBackend.spmmCsr({ rowPtr: hubPtr, colIndex: hubIndex, values: v, x, rows, feat, out: expected });
        const out = new Float32Array(rows * feat).fill(12345);
        blocked.spmmCsr({ rowPtr: hubPtr, colIndex: hubIndex, values: v, x, rows, feat, out });
        expectClose(out, expected, { ...TOL, message: `feat ${feat}, ${v === null ? 'ones' : 'weighted'}` });
      }
    }
    await blocked.dispose();
  });
});
