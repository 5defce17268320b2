import { beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import type { BinaryOp, UnaryOp } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { createWasmBackend, type WasmBackend } from './index.js';

/** Float32 results of the SIMD polynomials: within a few ulp (2^-23 ≈ 1.2e-7) of the js kernels. */
const ULPS = { rtol: 4e-7, atol: 0 };

/** `count` values spread over [low, high] (a grid, so the whole range is covered) plus `extra`. */
function spread(low: number, high: number, count: number, extra: readonly number[] = []): Float32Array {
  const out = new Float32Array(count + extra.length);
  for (let i = 0; i < count; i++) out[i] = low + ((high - low) * i) / (count - 1);
  out.set(extra, count);
  return out;
}

function unaryBoth(backend: WasmBackend, op: UnaryOp, x: Float32Array, p0?: number): [Float32Array, Float32Array] {
  const actual = new Float32Array(x.length).fill(12345);
  const expected = new Float32Array(x.length);
  backend.unary({ op, x, out: actual, p0 });
  jsBackend.unary({ op, x, out: expected, p0 });
  return [actual, expected];
}

describe('wasm elementwise kernels against the js kernels (float32)', () => {
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await createWasmBackend({ elementwiseFrom: 1 });
  });

  it('exp is within a few ulp from underflow to overflow, with the IEEE specials', () => {
    const x = spread(-87, 88.5, 20001, [NaN, Infinity, -Infinity, 0, -0, 89, 100, -110, -1e-30]);
    const [actual, expected] = unaryBoth(backend, 'exp', x);
    expectClose(actual, expected, ULPS);
    // through the subnormals to 0: absolute error below the smallest normal float
    const [tiny, tinyExpected] = unaryBoth(backend, 'exp', spread(-104, -87, 1001));
    expectClose(tiny, tinyExpected, { rtol: 1e-6, atol: 1.2e-38 });
  });

  it('log is within a few ulp over every binade, subnormals included, with the IEEE specials', () => {
    const values: number[] = [NaN, Infinity, -Infinity, 0, -0, -1, 1e-45, 3e-39, 1, 2, Math.SQRT2, Math.SQRT1_2];
    for (let e = -126; e <= 127; e++) for (const m of [1, 1.1, 1.3, 1.414, 1.42, 1.7, 1.99]) values.push(m * 2 ** e);
    const x = Float32Array.from(values);
    const [actual, expected] = unaryBoth(backend, 'log', x);
    // relative to |ln x| except near x = 1, where ln x → 0: there the absolute error is an ulp of x
    expectClose(actual, expected, { rtol: 4e-7, atol: 2.4e-7 });
  });

  it('tanh and sigmoid are within a few ulp, saturate, and keep NaN', () => {
    const x = spread(-20, 20, 20001, [NaN, Infinity, -Infinity, 0, -0, 1e-20, -1e-20, 0.6249, 0.6251, 100, -100]);
    const [t, tExpected] = unaryBoth(backend, 'tanh', x);
    expectClose(t, tExpected, { rtol: 4e-7, atol: 1e-30 });
    const [s, sExpected] = unaryBoth(backend, 'sigmoid', spread(-100, 40, 20001, [NaN, Infinity, -Infinity, 0, -0]));
    expectClose(s, sExpected, { rtol: 6e-7, atol: 1e-30 });
  });

  it('relu, leakyRelu, elu and gelu (tanh form) agree with js, NaN and ±0 included', () => {
    const x = spread(-6, 6, 4001, [NaN, Infinity, -Infinity, 0, -0]);
    expectClose(...unaryBoth(backend, 'relu', x), { rtol: 0, atol: 0 });
    // the slope is rounded to float32 in wasm: one ulp
    expectClose(...unaryBoth(backend, 'leakyRelu', x, 0.1), { rtol: 1.2e-7, atol: 0 });
    expectClose(...unaryBoth(backend, 'elu', x, 1.5), { rtol: 1e-6, atol: 2e-7 });
    const finite = spread(-6, 6, 4001, [NaN, Infinity, 0]);
    expectClose(...unaryBoth(backend, 'geluTanh', finite), { rtol: 2e-6, atol: 2e-7 });
  });

  it('ops without a wasm kernel (and float64, int32 storage) take the js path unchanged', () => {
    const x = spread(-3, 3, 999);
    const [actual, expected] = unaryBoth(backend, 'erf', x);
    expect(actual).toEqual(expected);
    const x64 = Float64Array.from(x);
    const out64 = new Float64Array(x.length);
    const expected64 = new Float64Array(x.length);
    backend.unary({ op: 'exp', x: x64, out: out64 });
    jsBackend.unary({ op: 'exp', x: x64, out: expected64 });
    expect(out64).toEqual(expected64);
  });

  it('binary ops over equal shapes, scalars, repeated rows and columns, in odd sizes', () => {
    const gen = new Generator(21);
    const layouts: { shape: number[]; a: [number, number[]]; b: [number, number[]] }[] = [
      { shape: [7, 37], a: [259, [37, 1]], b: [259, [37, 1]] },
      { shape: [7, 37], a: [259, [37, 1]], b: [37, [0, 1]] }, // bias row
      { shape: [7, 37], a: [37, [0, 1]], b: [259, [37, 1]] },
      { shape: [7, 37], a: [259, [37, 1]], b: [7, [1, 0]] }, // one value per row
      { shape: [7, 37], a: [7, [1, 0]], b: [37, [0, 1]] }, // outer: column against row
      { shape: [3, 5, 7], a: [105, [35, 7, 1]], b: [35, [0, 7, 1]] }, // a repeated 2-D block
      { shape: [9, 33], a: [297, [33, 1]], b: [1, [0, 0]] }, // scalar right
      { shape: [300], a: [1, [0]], b: [300, [1]] }, // scalar left
      { shape: [4, 1, 70], a: [280, [70, 0, 1]], b: [70, [0, 0, 1]] }, // size-1 axis
    ];
    const ops: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'];
    for (const layout of layouts) {
      for (const op of ops) {
        const a = Float32Array.from({ length: layout.a[0] }, (_, i) => (i % 11 === 5 ? NaN : gen.uniform(-2, 2)));
        const b = Float32Array.from({ length: layout.b[0] }, (_, i) => (i % 13 === 7 ? 0 : gen.uniform(-2, 2)));
        const size = layout.shape.reduce((p, d) => p * d, 1);
        const actual = new Float32Array(size).fill(12345);
        const expected = new Float32Array(size);
        backend.binary({ op, a, aStrides: layout.a[1], b, bStrides: layout.b[1], out: actual, shape: layout.shape });
        jsBackend.binary({ op, a, aStrides: layout.a[1], b, bStrides: layout.b[1], out: expected, shape: layout.shape });
        expectClose(actual, expected, { rtol: 0, atol: 0, message: `${op} ${JSON.stringify(layout)}` });
      }
    }
  });

  it('softmax and log-softmax rows of odd sizes, large offsets, −∞ entries, NaN and all −∞ rows', () => {
    const gen = new Generator(22);
    for (const size of [1, 3, 5, 8, 37, 1001]) {
      const rows = 6;
      const x = Float32Array.from({ length: rows * size }, () => gen.uniform(-20, 20));
      for (let j = 0; j < size; j++) x[size + j] = x[size + j]! + 1000; // row 1: a large offset
      x[2 * size] = -Infinity; // row 2: a −∞ entry
      x[3 * size + size - 1] = NaN; // row 3: NaN
      for (let j = 0; j < size; j++) x[4 * size + j] = -Infinity; // row 4: all −∞
      for (const log of [false, true]) {
        const actual = new Float32Array(rows * size).fill(12345);
        const expected = new Float32Array(rows * size);
        backend.softmax({ x, outer: rows, size, inner: 1, out: actual, log });
        jsBackend.softmax({ x, outer: rows, size, inner: 1, out: expected, log });
        expectClose(actual, expected, { rtol: 2e-6, atol: log ? 4e-6 : 1e-9, message: `softmax size ${size} log ${log}` });
      }
    }
  });

  it('sum, max and min over rows and columns of odd sizes, with NaN, ±∞ and empty axes', () => {
    const gen = new Generator(23);
    for (const [outer, size, inner] of [
      [7, 1001, 1],
      [3, 37, 5],
      [2, 9, 130],
      [1, 64, 1],
      [5, 0, 3],
      [4, 0, 1],
    ] as const) {
      const x = Float32Array.from({ length: outer * size * inner }, () => gen.uniform(-3, 3));
      if (x.length > 20) [x[3], x[11], x[17]] = [NaN, Infinity, -Infinity];
      for (const op of ['sum', 'max', 'min'] as const) {
        const actual = new Float32Array(outer * inner).fill(12345);
        const expected = new Float32Array(outer * inner);
        backend.reduce({ op, x, outer, size, inner, out: actual });
        jsBackend.reduce({ op, x, outer, size, inner, out: expected });
        // sums in float64 either way, added in another order: at most one float32 rounding apart
        expectClose(actual, expected, { rtol: op === 'sum' ? 1.2e-7 : 0, atol: 0, message: `${op} [${outer}, ${size}, ${inner}]` });
      }
    }
  });
});

describe('wasm elementwise kernels in blocks of bounded scratch (float32)', () => {
  // 768 bytes a block: 192 floats for unary, 64 per array for binary, 96 for reductions.
  let blocked: WasmBackend;
  beforeAll(async () => {
    blocked = await createWasmBackend({ elementwiseFrom: 1, blockBytes: 768 });
  });

  it('unary ops over many blocks and a remainder equal the js kernels', () => {
    const x = spread(-8, 8, 1001, [NaN, Infinity, -Infinity]);
    expectClose(...unaryBoth(blocked, 'relu', x), { rtol: 0, atol: 0 });
    expectClose(...unaryBoth(blocked, 'tanh', x), { rtol: 4e-7, atol: 1e-30 });
  });

  it('binary ops in blocks of rows and in pieces of rows longer than a block, every layout', () => {
    const gen = new Generator(24);
    const layouts: { shape: number[]; a: [number, number[]]; b: [number, number[]] }[] = [
      { shape: [1000], a: [1000, [1]], b: [1000, [1]] }, // one long row: pieces
      { shape: [1000], a: [1000, [1]], b: [1, [0]] }, // a scalar with pieces
      { shape: [50, 13], a: [650, [13, 1]], b: [650, [13, 1]] }, // blocks of 4 rows
      { shape: [50, 13], a: [650, [13, 1]], b: [13, [0, 1]] }, // bias row, copied once
      { shape: [50, 13], a: [50, [1, 0]], b: [650, [13, 1]] }, // a value per row
      { shape: [3, 150], a: [450, [150, 1]], b: [150, [0, 1]] }, // rows longer than a block, with a row operand
      { shape: [3, 150], a: [3, [1, 0]], b: [150, [0, 1]] }, // column against row, in pieces
    ];
    for (const layout of layouts) {
      for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum'] as const) {
        const a = Float32Array.from({ length: layout.a[0] }, (_, i) => (i % 11 === 5 ? NaN : gen.uniform(-2, 2)));
        const b = Float32Array.from({ length: layout.b[0] }, (_, i) => (i % 13 === 7 ? 0 : gen.uniform(-2, 2)));
        const size = layout.shape.reduce((p, d) => p * d, 1);
        const actual = new Float32Array(size).fill(12345);
        const expected = new Float32Array(size);
        blocked.binary({ op, a, aStrides: layout.a[1], b, bStrides: layout.b[1], out: actual, shape: layout.shape });
        jsBackend.binary({ op, a, aStrides: layout.a[1], b, bStrides: layout.b[1], out: expected, shape: layout.shape });
        expectClose(actual, expected, { rtol: 0, atol: 0, message: `${op} ${JSON.stringify(layout)}` });
      }
    }
  });

  it('softmax in blocks of rows, and rows longer than a block one at a time', () => {
    const gen = new Generator(25);
    for (const [rows, size] of [
      [40, 7],
      [3, 500],
    ] as const) {
      const x = Float32Array.from({ length: rows * size }, () => gen.uniform(-20, 20));
      for (const log of [false, true]) {
        const actual = new Float32Array(rows * size).fill(12345);
        const expected = new Float32Array(rows * size);
        blocked.softmax({ x, outer: rows, size, inner: 1, out: actual, log });
        jsBackend.softmax({ x, outer: rows, size, inner: 1, out: expected, log });
        expectClose(actual, expected, { rtol: 2e-6, atol: log ? 4e-6 : 1e-9, message: `softmax [${rows}, ${size}] log ${log}` });
      }
    }
  });

  it('sum, max and min in blocks of slices and over an axis longer than a block (float64 accumulator)', () => {
    const gen = new Generator(26);
    for (const [outer, size, inner] of [
      [30, 5, 3], // blocks of whole slices
      [2, 1000, 1], // a long row: blocks of the axis
      [3, 200, 7], // many rows of 7: blocks of the axis
      [1, 40, 90], // rows of 90 < 96: one row a block
      [2, 10, 130], // inner longer than a block: js
    ] as const) {
      const x = Float32Array.from({ length: outer * size * inner }, () => gen.uniform(-3, 3));
      for (const op of ['sum', 'max', 'min'] as const) {
        const actual = new Float32Array(outer * inner).fill(12345);
        const expected = new Float32Array(outer * inner);
        blocked.reduce({ op, x, outer, size, inner, out: actual });
        jsBackend.reduce({ op, x, outer, size, inner, out: expected });
        expectClose(actual, expected, { rtol: op === 'sum' ? 1.2e-7 : 0, atol: 0, message: `${op} [${outer}, ${size}, ${inner}]` });
      }
      // NaN in the last block still wins for max and min
      x[x.length - 1] = NaN;
      for (const op of ['max', 'min'] as const) {
        const actual = new Float32Array(outer * inner);
        blocked.reduce({ op, x, outer, size, inner, out: actual });
        expect(Number.isNaN(actual[outer * inner - 1])).toBe(true);
      }
    }
  });
});
