import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import type { ActivationBackwardOp, ScatterReduceOp } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { createGraphKernels, SELECT_CHUNK_FLOATS, SELECT_SOURCE_RATIO } from './graph.js';
import { createWasmBackend, type WasmBackend } from './index.js';
import { loadKernelsSync } from './module.js';
import { WasmRuntime } from './runtime.js';

// float32 sums and exps against the js kernels' doubles: a few ulp of float32.
const TOL = { rtol: 1e-5, atol: 1e-6 };

/** A random CSR structure: some empty rows, some of one entry, repeated columns. */
function randomCsr(gen: Generator, rows: number, cols: number, meanDegree: number): { rowPtr: Int32Array; colIndex: Int32Array } {
  const rowPtr = new Int32Array(rows + 1);
  const colIndex: number[] = [];
  for (let r = 0; r < rows; r++) {
    const degree = r % 5 === 3 ? 0 : r % 7 === 2 ? 1 : gen.integer(0, 2 * meanDegree + 1);
    const row = Array.from({ length: degree }, () => gen.integer(0, Math.min(cols, 3 + r))).sort((p, q) => p - q);
    colIndex.push(...row);
    rowPtr[r + 1] = colIndex.length;
  }
  return { rowPtr, colIndex: Int32Array.from(colIndex) };
}

/** `entries` segment indices in [0, size): segment 0 empty, segment 1 with one entry, the rest random (repeats). */
function randomSegments(gen: Generator, entries: number, size: number): Int32Array {
  return Int32Array.from({ length: entries }, (_, e) => (e === 0 ? 1 : gen.integer(2, size)));
}

/** The first position where a and b differ (bit for bit, NaN equal to NaN), or -1: large arrays compare fast. */
function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  const [ai, bi] = [new Int32Array(a.buffer, a.byteOffset, a.length), new Int32Array(b.buffer, b.byteOffset, b.length)];
  for (let k = 0; k < ai.length; k++) if (ai[k] !== bi[k]) return k;
  return -1;
}

function uniform(gen: Generator, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => gen.uniform(-3, 3));
}

describe('wasm graph kernels against the js kernels (float32)', () => {
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
  const backends = (): WasmBackend[] => [everyCall, byDefault];

  // Feature widths through the 8- and 4-wide loops and every remainder.
  it.each([1, 3, 4, 7, 8, 13, 16, 33])('sddmmCsr matches with %i features, empty rows and repeated columns', (feat) => {
    const gen = new Generator(feat);
    const [rows, cols] = [40, 30];
    const { rowPtr, colIndex } = randomCsr(gen, rows, cols, 4);
    const a = uniform(gen, rows * feat);
    const b = uniform(gen, cols * feat);
    const expected = new Float32Array(colIndex.length);
    jsBackend.sddmmCsr({ rowPtr, colIndex, a, b, rows, feat, out: expected });
    for (const backend of backends()) {
      const out = new Float32Array(colIndex.length).fill(12345);
      backend.sddmmCsr({ rowPtr, colIndex, a, b, rows, feat, out });
      expectClose(out, expected, TOL);
    }
  });

  it.each([1, 3, 8])('segmentSoftmax matches with inner %i: an empty segment, a segment of one, -Infinity scores', (inner) => {
    const gen = new Generator(100 + inner);
    const [entries, size] = [300, 40];
    const index = randomSegments(gen, entries, size);
    const src = uniform(gen, entries * inner);
    // Some -Infinity scores (weight 0) and one segment whose scores are all -Infinity (NaN).
    for (let e = 5; e < entries; e += 17) src[e * inner] = -Infinity;
    for (let e = 0; e < entries; e++) if (index[e] === 7) src.fill(-Infinity, e * inner, (e + 1) * inner);
    const run = (backend: typeof jsBackend): Float32Array[] => {
      const out = new Float32Array(entries * inner).fill(12345);
      const segmentMax = new Float32Array(size * inner).fill(12345);
      const segmentSum = new Float32Array(size * inner).fill(12345);
      backend.segmentSoftmax({ src, index, size, inner, out, segmentMax, segmentSum });
      return [out, segmentMax, segmentSum];
    };
    const expected = run(jsBackend);
    for (const backend of backends()) {
      const got = run(backend);
      for (let k = 0; k < 3; k++) expectClose(got[k]!, expected[k]!, TOL);
      expect(got[0]!.some((v) => Number.isNaN(v))).toBe(expected[0]!.some((v) => Number.isNaN(v)));
    }
  });

  it.each([1, 3, 8])('segmentSoftmaxBackward matches with inner %i, an empty segment included', (inner) => {
    const gen = new Generator(200 + inner);
    const [entries, size] = [300, 40];
    const index = randomSegments(gen, entries, size);
    const [y, g] = [uniform(gen, entries * inner), uniform(gen, entries * inner)];
    const expected = new Float32Array(entries * inner);
    jsBackend.segmentSoftmaxBackward({ y, g, index, size, inner, out: expected });
    expect(expected.some((v) => v !== 0)).toBe(true);
    for (const backend of backends()) {
      const out = new Float32Array(entries * inner).fill(12345);
      backend.segmentSoftmaxBackward({ y, g, index, size, inner, out });
      // d sums ~8 products of up to 9 in float32 (js: doubles) and g − d may cancel: ~1e-5 absolute.
      expectClose(out, expected, { rtol: 1e-5, atol: 1e-4 });
    }
  });

  it.each([1, 4])('segmentSoftmax keeps a NaN score’s segment NaN and +Infinity as the js kernel does (inner %i)', (inner) => {
    const index = Int32Array.from([0, 0, 1, 1, 2, 2, 2]);
    const column = [1, NaN, Infinity, 2, -1, 0, 1];
    // Inner 4 runs the four-lane path: column c holds the scores rotated by c entries.
    const src = Float32Array.from({ length: 7 * inner }, (_, k) => column[(Math.floor(k / inner) + (k % inner)) % 7]!);
    const run = (backend: typeof jsBackend): Float32Array => {
      const out = new Float32Array(7 * inner);
      const [segmentMax, segmentSum] = [new Float32Array(4 * inner), new Float32Array(4 * inner)];
      backend.segmentSoftmax({ src, index, size: 4, inner, out, segmentMax, segmentSum });
      return out;
    };
    const expected = run(jsBackend);
    expect(expected.some((v) => Number.isNaN(v))).toBe(true);
    expectClose(run(everyCall), expected, TOL);
  });

  it.each([
    ['max', 1],
    ['min', 1],
    ['max', 6],
    ['min', 9],
  ] as [ScatterReduceOp, number][])('scatterReduce %s matches with inner %i, ties, NaN and unreached segments', (op, inner) => {
    const gen = new Generator(inner);
    const [entries, size] = [200, 30];
    const index = randomSegments(gen, entries, size);
    // Rounded values make ties; the first entry attaining the extreme must win in both.
    const src = Float32Array.from({ length: entries * inner }, () => Math.round(gen.uniform(-3, 3)));
    src[11 * inner] = NaN;
    const run = (backend: typeof jsBackend): [Float32Array, Int32Array] => {
      const out = new Float32Array(size * inner).fill(12345);
      const arg = new Int32Array(size * inner).fill(12345);
      backend.scatterReduce({ op, src, index, size, inner, out, arg });
      return [out, arg];
    };
    const [out, arg] = run(jsBackend);
    for (const backend of backends()) {
      const [gotOut, gotArg] = run(backend);
      expect(Array.from(gotOut)).toEqual(Array.from(out));
      expect(Array.from(gotArg)).toEqual(Array.from(arg));
    }
  });

  it.each([
    [1, 1],
    [1, 3],
    [2, 8],
    [3, 13],
    [1, 40],
  ])('indexSelect and indexAdd match over [%i, size, %i] with repeated indices', (outer, inner) => {
    const gen = new Generator(outer * 100 + inner);
    const [size, count] = [25, 60];
    const index = Int32Array.from({ length: count }, () => gen.integer(0, size));
    const x = uniform(gen, outer * size * inner);
    const src = uniform(gen, outer * count * inner);
    const start = uniform(gen, outer * size * inner);
    const selected = new Float32Array(outer * count * inner);
    jsBackend.indexSelect({ x, outer, size, inner, index, out: selected });
    const added = start.slice();
    jsBackend.indexAdd({ src, outer, size, inner, index, out: added });
    for (const backend of backends()) {
      const out = new Float32Array(outer * count * inner).fill(12345);
      backend.indexSelect({ x, outer, size, inner, index, out });
      expect(Array.from(out)).toEqual(Array.from(selected));
      const sums = start.slice();
      backend.indexAdd({ src, outer, size, inner, index, out: sums });
      expectClose(sums, added, TOL);
    }
  });

  it.each([
    ['relu', 0],
    ['leakyRelu', 0.2],
    ['elu', 1.5],
  ] as [ActivationBackwardOp, number][])('activationBackward %s matches, zeros and NaN included, any length', (op, p0) => {
    const gen = new Generator(p0 * 10);
    for (const n of [1, 7, 37, 3000]) {
      const x = uniform(gen, n);
      x[0] = 0;
      if (n > 2) x[2] = NaN;
      const y = new Float32Array(n);
      jsBackend.unary({ op: op === 'relu' ? 'relu' : op, x, out: y, p0 });
      const g = uniform(gen, n);
      const expected = new Float32Array(n);
      jsBackend.activationBackward({ op, x, y, g, out: expected, p0 });
      for (const backend of backends()) {
        const out = new Float32Array(n).fill(12345);
        backend.activationBackward({ op, x, y, g, out, p0 });
        expectClose(out, expected, TOL);
      }
    }
  });

  // Counts over several chunks of the wasm gather (and a last, shorter one).
  it.each([
    [1, 1],
    [3, 13],
    [1, 40],
  ])('indexSelect over [%i, size, %i] matches when the index runs through several chunks', (outer, inner) => {
    const gen = new Generator(outer * 1000 + inner);
    const chunk = Math.floor(SELECT_CHUNK_FLOATS / (outer * inner));
    const count = 2 * chunk + 17;
    const size = Math.floor(count / 2);
    const index = Int32Array.from({ length: count }, () => gen.integer(0, size));
    const x = uniform(gen, outer * size * inner);
    const expected = new Float32Array(outer * count * inner);
    jsBackend.indexSelect({ x, outer, size, inner, index, out: expected });
    for (const backend of backends()) {
      const out = new Float32Array(outer * count * inner).fill(12345);
      backend.indexSelect({ x, outer, size, inner, index, out });
      expect(firstDifference(out, expected)).toBe(-1);
    }
  });

  it('leaves float64 to the js kernels, bit for bit', () => {
    const gen = new Generator(64);
    const { rowPtr, colIndex } = randomCsr(gen, 30, 30, 4);
    const a = Float64Array.from({ length: 30 * 8 }, () => gen.uniform(-2, 2));
    const [out, expected] = [new Float64Array(colIndex.length), new Float64Array(colIndex.length)];
    everyCall.sddmmCsr({ rowPtr, colIndex, a, b: a, rows: 30, feat: 8, out });
    jsBackend.sddmmCsr({ rowPtr, colIndex, a, b: a, rows: 30, feat: 8, out: expected });
    expect(Array.from(out)).toEqual(Array.from(expected));
  });
});

describe('wasm indexSelect and the wasm memory', () => {
  const MiB = 2 ** 20;

  const runtimes: WasmRuntime[] = [];
  afterAll(async () => {
    for (const runtime of runtimes) await runtime.dispose();
  });

  /** A runtime of its own (its memory measured alone) and its graph kernels on every call. */
  function fresh(): { runtime: WasmRuntime; kernels: ReturnType<typeof createGraphKernels> } {
    const runtime = new WasmRuntime(loadKernelsSync(), { threads: 1 });
    runtimes.push(runtime);
    return { runtime, kernels: createGraphKernels(runtime, jsBackend, 1) };
  }

  it('picks a few rows of a 16 MiB source without copying the source into the memory', () => {
    const { runtime, kernels } = fresh();
    const [size, inner] = [1 << 17, 32];
    const gen = new Generator(5);
    const x = uniform(gen, size * inner);
    const index = Int32Array.from({ length: 320 }, () => gen.integer(0, size));
    const before = runtime.memoryBytes();
    const out = new Float32Array(index.length * inner).fill(12345);
    kernels.indexSelect({ x, outer: 1, size, inner, index, out });
    const expected = new Float32Array(index.length * inner);
    jsBackend.indexSelect({ x, outer: 1, size, inner, index, out: expected });
    expect(firstDifference(out, expected)).toBe(-1);
    expect(size).toBeGreaterThan(SELECT_SOURCE_RATIO * index.length);
    expect(runtime.memoryBytes() - before).toBeLessThan(MiB);
  });

  it('gathers as many rows as the source has with the source and one chunk in the memory, not three copies', () => {
    const { runtime, kernels } = fresh();
    const [size, inner] = [1 << 19, 8];
    const gen = new Generator(6);
    const x = uniform(gen, size * inner);
    const index = Int32Array.from({ length: size }, (_, j) => (j * 7919) % size);
    const before = runtime.memoryBytes();
    const out = new Float32Array(size * inner);
    kernels.indexSelect({ x, outer: 1, size, inner, index, out });
    const expected = new Float32Array(size * inner);
    jsBackend.indexSelect({ x, outer: 1, size, inner, index, out: expected });
    expect(firstDifference(out, expected)).toBe(-1);
    // The source (16 MiB) plus a chunk of index and rows (~1 MiB) and alignment; the whole index
    // and output as well would be 18 MiB more.
    expect(runtime.memoryBytes() - before).toBeLessThan(x.byteLength + 4 * MiB);
  });

  it.each([
    ['relu', 0],
    ['leakyRelu', 0.2],
    ['elu', 1.5],
  ] as [ActivationBackwardOp, number][])('runs activationBackward %s in blocks: matches over several, scratch of one block', (op, p0) => {
    const { runtime, kernels } = fresh();
    const n = 2 * SELECT_CHUNK_FLOATS + 5;
    const gen = new Generator(77);
    const x = uniform(gen, n);
    const y = new Float32Array(n);
    jsBackend.unary({ op, x, out: y, p0 });
    const g = uniform(gen, n);
    const expected = new Float32Array(n);
    jsBackend.activationBackward({ op, x, y, g, out: expected, p0 });
    const before = runtime.memoryBytes();
    const out = new Float32Array(n).fill(12345);
    kernels.activationBackward({ op, x, y, g, out, p0 });
    let worst = 0;
    for (let k = 0; k < n; k++) worst = Math.max(worst, Math.abs(out[k]! - expected[k]!) - TOL.rtol * Math.abs(expected[k]!));
    expect(worst).toBeLessThanOrEqual(TOL.atol);
    // Three operands of one block each (3 MiB); whole operands would take 6 MiB.
    expect(runtime.memoryBytes() - before).toBeLessThan(4 * MiB);
  });
});
