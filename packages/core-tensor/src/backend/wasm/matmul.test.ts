import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendError } from '../../errors.js';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import type { MatmulParams } from '../backend.js';
import { matmul as jsMatmul } from '../js/matmul.js';
import { createWasmBackend, createWasmBackendSync, type WasmBackend } from './index.js';
import { planBlocks } from './matmul.js';

const EVERYTHING_IN_WASM = { jsBelow: 0, threadsFrom: 0 };
const VARIANTS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

function randomArray(gen: Generator, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = gen.uniform(-1, 1);
  return out;
}

/** Runs one product on the backend and on the js kernel (float64 sums) and compares them. */
function compare(backend: WasmBackend, gen: Generator, p: MatmulParams): void {
  const aSize = (p.batch - 1) * p.aBatchStride + p.m * p.k;
  const bSize = (p.batch - 1) * p.bBatchStride + p.k * p.n;
  const a = randomArray(gen, aSize);
  const b = randomArray(gen, bSize);
  const expected = new Float32Array(p.batch * p.m * p.n);
  const actual = new Float32Array(p.batch * p.m * p.n).fill(Number.NaN);
  jsMatmul({ a, b, out: expected, ...p });
  backend.matmul({ a, b, out: actual, ...p });
  // float32 sums of k terms in [-1, 1]: error grows like k·ε at worst.
  expectClose(actual, expected, { rtol: 1e-5, atol: 2e-7 * Math.max(p.k, 16), message: `matmul ${JSON.stringify(p)}` });
}

function product(m: number, n: number, k: number, transA: boolean, transB: boolean): MatmulParams {
  return { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 };
}

describe.each([
  ['1 thread', 1],
  ['2 threads', 2],
])('wasm matmul against the js kernel, %s', (_label, threads) => {
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await createWasmBackend({ threads, matmulTuning: EVERYTHING_IN_WASM });
  });
  afterAll(async () => {
    await backend.dispose();
  });

  it.each(VARIANTS)('odd shapes around the micro-tile and block edges (transA %s, transB %s)', (transA, transB) => {
    const gen = new Generator(11);
    // m crosses MR = 4 and MC = 128; n crosses NR = 8, the in-place limit 32 and NC = 1024 (with
    // 1030); k crosses KC = 256 (two and three k blocks).
    for (const m of [1, 3, 7, 129, 257]) {
      for (const n of [1, 7, 16, 33, 257]) {
        for (const k of [1, 7, 257, 513]) compare(backend, gen, product(m, n, k, transA, transB));
      }
    }
    compare(backend, gen, product(5, 1030, 20, transA, transB));
    compare(backend, gen, product(130, 1031, 3, transA, transB));
  });

  it.each(VARIANTS)('batches with batch stride 0 on either side, and a stacked A (transA %s, transB %s)', (transA, transB) => {
    const gen = new Generator(12);
    const [m, n, k] = [9, 13, 35];
    for (const [aBatchStride, bBatchStride] of [
      [0, k * n],
      [m * k, 0],
      [0, 0],
      [m * k + 5, k * n + 3],
    ] as const) {
      compare(backend, gen, { batch: 3, m, n, k, transA, transB, aBatchStride, bBatchStride });
    }
    // Many batches: split by batch over the threads.
    compare(backend, gen, { batch: 7, m: 20, n: 24, k: 30, transA, transB, aBatchStride: 20 * 30, bBatchStride: 24 * 30 });
  });

  it('k = 0 writes zeros; m, n or batch = 0 writes nothing', () => {
    const out = new Float32Array(6).fill(5);
    backend.matmul({ a: new Float32Array(0), b: new Float32Array(0), out, ...product(2, 3, 0, false, false) });
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 0, 0]);
    const untouched = new Float32Array(4).fill(5);
    backend.matmul({ a: new Float32Array(4), b: new Float32Array(4), out: untouched, ...product(0, 2, 2, false, false) });
    backend.matmul({ a: new Float32Array(4), b: new Float32Array(4), out: untouched, ...product(2, 2, 2, false, false), batch: 0 });
    expect(Array.from(untouched)).toEqual([5, 5, 5, 5]);
  });

  it('float64 products take the js kernel and agree with it exactly', () => {
    const gen = new Generator(13);
    const a = Float64Array.from({ length: 35 * 40 }, () => gen.uniform(-1, 1));
    const b = Float64Array.from({ length: 40 * 45 }, () => gen.uniform(-1, 1));
    const expected = new Float64Array(35 * 45);
    const actual = new Float64Array(35 * 45);
    const p = product(35, 45, 40, false, true);
    jsMatmul({ a, b, out: expected, ...p });
    backend.matmul({ a, b, out: actual, ...p });
    expect(actual).toEqual(expected);
  });
});

describe.each([
  ['1 thread', 1],
  ['2 threads', 2],
])('wasm matmul in blocks of bounded scratch, %s', (_label, threads) => {
  // 1024 floats (4 KiB) of scratch: every product below is cut, with remainders on every axis.
  const BLOCK_BYTES = 4096;
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await createWasmBackend({ threads, matmulTuning: { ...EVERYTHING_IN_WASM, blockBytes: BLOCK_BYTES } });
  });
  afterAll(async () => {
    await backend.dispose();
  });

  it('plans all of k with row blocks, all rows with k blocks, or tiles, within the budget', () => {
    expect(planBlocks(301, 5, 20, 1024)).toEqual({ rows: 36, cols: 5, depth: 20 });
    expect(planBlocks(12, 7, 3000, 8192)).toEqual({ rows: 12, cols: 7, depth: 256 });
    expect(planBlocks(40, 50, 60, 1024)).toEqual({ rows: 16, cols: 16, depth: 24 });
    // the GCN shapes at 10⁶ nodes with the default 16 MiB: X·W in row blocks, Xᵀ·dY in k blocks
    expect(planBlocks(1e6, 16, 128, 1 << 22)).toMatchObject({ cols: 16, depth: 128 });
    expect(planBlocks(128, 16, 1e6, 1 << 22)).toMatchObject({ rows: 128, cols: 16 });
    for (const [m, n, k] of [
      [301, 5, 20],
      [40, 50, 60],
      [3, 2000, 900],
    ] as const) {
      const { rows, cols, depth } = planBlocks(m, n, k, 1024);
      expect(rows * depth + depth * cols + rows * cols).toBeLessThanOrEqual(1024);
    }
  });

  it.each(VARIANTS)('products crossing block edges on every axis equal the js kernel (transA %s, transB %s)', (transA, transB) => {
    const gen = new Generator(16);
    for (const [m, n, k] of [
      [301, 5, 20], // all of k, row blocks of 36
      [40, 50, 60], // tiles 16 × 16 × 24
      [3, 2000, 900], // wide: blocks of columns
      [45, 3, 1000], // C small: blocks of k added up
    ] as const) {
      compare(backend, gen, product(m, n, k, transA, transB));
    }
  });

  it('adds up blocks of k in C (planned with a larger budget), and batches each too large or grouped', async () => {
    const gen = new Generator(17);
    const deep = await createWasmBackend({ threads, matmulTuning: { ...EVERYTHING_IN_WASM, blockBytes: 32768 } });
    for (const [transA, transB] of VARIANTS) compare(deep, gen, product(12, 7, 3000, transA, transB));
    await deep.dispose();
    for (const [transA, transB] of VARIANTS) {
      compare(backend, gen, { batch: 3, m: 30, n: 20, k: 40, transA, transB, aBatchStride: 30 * 40, bBatchStride: 0 });
      compare(backend, gen, { batch: 50, m: 8, n: 8, k: 8, transA, transB, aBatchStride: 64, bBatchStride: 64 });
    }
  });
});

describe('wasm matmul: threads', () => {
  it('gives bitwise the same results on 1 and 3 threads (units cut the output, never the sum)', async () => {
    const one = await createWasmBackend({ matmulTuning: EVERYTHING_IN_WASM });
    const three = await createWasmBackend({ threads: 3, matmulTuning: EVERYTHING_IN_WASM });
    const gen = new Generator(18);
    for (const [m, n, k, batch] of [
      [300, 70, 530, 1],
      [40, 600, 300, 1],
      [33, 45, 70, 7],
      [20, 64, 100, 1], // 32-column units take the in-place-A path, the whole product the packed one
    ] as const) {
      for (const [transA, transB] of VARIANTS) {
        const p: MatmulParams = { batch, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: k * n };
        const a = randomArray(gen, batch * m * k);
        const b = randomArray(gen, batch * k * n);
        const out1 = new Float32Array(batch * m * n);
        const out3 = new Float32Array(batch * m * n);
        one.matmul({ a, b, out: out1, ...p });
        three.matmul({ a, b, out: out3, ...p });
        expect(out3).toEqual(out1);
      }
    }
    await three.dispose();
  });
});

describe('wasm matmul: memory', () => {
  it('runs a batch too large for the memory batch by batch', async () => {
    // 3 × 350 matrices of 128 × 128 floats: 66 MiB of operands, over the 64 MiB maximum.
    const backend = await createWasmBackend({ maximumMemoryMiB: 64 });
    compare(backend, new Generator(14), {
      batch: 350,
      m: 128,
      n: 128,
      k: 128,
      transA: false,
      transB: true,
      aBatchStride: 128 * 128,
      bBatchStride: 128 * 128,
    });
    await backend.dispose();
  });

  it('grows its memory on demand and keeps results right afterwards', () => {
    const backend = createWasmBackendSync({ matmulTuning: EVERYTHING_IN_WASM });
    const gen = new Generator(15);
    compare(backend, gen, product(16, 16, 16, false, false));
    compare(backend, gen, product(700, 900, 800, true, false)); // ~8.5 MiB of operands: grows
    compare(backend, gen, product(16, 16, 16, false, true));
  });
});

describe('wasm backend: features and threads', () => {
  it('reports SIMD, and no relaxed SIMD when told not to use it', () => {
    const backend = createWasmBackendSync({ relaxedSimd: false });
    expect(backend.features.simd).toBe(true);
    expect(backend.features.relaxedSimd).toBe(false);
    expect(backend.name).toBe('wasm');
  });

  it('runs on a plain (unshared) memory, where threads are refused with BackendError', () => {
    const backend = createWasmBackendSync({ sharedMemory: false, matmulTuning: EVERYTHING_IN_WASM });
    expect(backend.features.sharedMemory).toBe(false);
    compare(backend, new Generator(16), product(33, 17, 65, true, true));
    expect(() => backend.setNumThreads(2)).toThrow(BackendError);
  });

  it('rejects thread counts outside 1…64 with BackendError', () => {
    const backend = createWasmBackendSync();
    expect(() => backend.setNumThreads(0)).toThrow(BackendError);
    expect(() => backend.setNumThreads(65)).toThrow(BackendError);
    expect(() => backend.setNumThreads(1.5)).toThrow(BackendError);
  });

  it('changes its thread count up and down, staying correct, and shuts its workers down', async () => {
    const backend = await createWasmBackend({ threads: 3, matmulTuning: EVERYTHING_IN_WASM });
    const gen = new Generator(17);
    compare(backend, gen, product(61, 130, 70, false, false));
    backend.setNumThreads(2);
    expect(backend.getNumThreads()).toBe(2);
    compare(backend, gen, product(130, 61, 70, true, true));
    backend.setNumThreads(4);
    await backend.ready();
    compare(backend, gen, product(45, 300, 20, false, true));
    await backend.dispose();
    expect(backend.getNumThreads()).toBe(1);
    compare(backend, gen, product(45, 300, 20, true, false));
  });
});
