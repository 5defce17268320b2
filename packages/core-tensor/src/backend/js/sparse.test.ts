import { describe, expect, it } from 'vitest';
import { Generator } from '../../random/generator.js';
import { backendConformance } from '../../testing/conformance/index.js';
import { AssertionMismatchError, expectClose } from '../../testing/expect-close.js';
import type { Backend } from '../backend.js';
import { jsBackend } from './index.js';
import { scatterReduce, sddmmCsr, segmentSoftmax, spmmCsr } from './sparse.js';

// A 4 × 3 matrix: row 1 empty, row 2 holds column 1 twice.
const rowPtr = Int32Array.from([0, 2, 2, 5, 6]);
const colIndex = Int32Array.from([0, 2, 0, 1, 1, 2]);
const rows = 4;

describe('js spmmCsr', () => {
  it('rounds a float32 row once, from float64 sums', () => {
    // Row 2 is x[0] + 2·x[1] = 1 + 7e-8: float32 steps would round 1 + 3.5e-8 back to 1 twice.
    const x = Float32Array.from([1, 0, 3.5e-8, 0, 0, 0]);
    const out = new Float32Array(rows * 2).fill(7);
    spmmCsr({ rowPtr, colIndex, values: null, x, rows, feat: 2, out });
    const row2 = Math.fround(1 + 2 * Math.fround(3.5e-8));
    expect(row2).toBeGreaterThan(1);
    expect(Array.from(out)).toEqual([1, 0, 0, 0, row2, 0, 0, 0]);
  });

  it('overwrites out, leaves empty rows at zero and adds repeated entries (one-feature path too)', () => {
    const values = Float64Array.from([1, 2, 3, 4, 5, 6]);
    const x = Float64Array.from([1, 10, 100]);
    const out = new Float64Array(rows).fill(9);
    spmmCsr({ rowPtr, colIndex, values, x, rows, feat: 1, out });
    expect(Array.from(out)).toEqual([1 + 200, 0, 3 + 40 + 50, 600]);
    spmmCsr({ rowPtr, colIndex, values: null, x, rows, feat: 1, out });
    expect(Array.from(out)).toEqual([101, 0, 21, 100]);
  });
});

describe('js sddmmCsr', () => {
  it('is the derivative of Σ dY ⊙ spmm with respect to each value (spmm is linear in them)', () => {
    const gen = new Generator(5);
    const feat = 3;
    const values = Float64Array.from({ length: colIndex.length }, () => gen.uniform(-1, 1));
    const x = Float64Array.from({ length: 3 * feat }, () => gen.uniform(-1, 1));
    const dy = Float64Array.from({ length: rows * feat }, () => gen.uniform(-1, 1));
    const objective = (): number => {
      const y = new Float64Array(rows * feat);
      spmmCsr({ rowPtr, colIndex, values, x, rows, feat, out: y });
      return y.reduce((s, v, i) => s + v * dy[i]!, 0);
    };
    const grad = new Float64Array(colIndex.length).fill(9);
    sddmmCsr({ rowPtr, colIndex, a: dy, b: x, rows, feat, out: grad });
    const base = objective();
    const numeric = Array.from(values, (v, k) => {
      values[k] = v + 1;
      const bumped = objective();
      values[k] = v;
      return bumped - base;
    });
    expectClose(grad, numeric, { rtol: 1e-12, atol: 1e-12 });
  });
});

describe('js scatterReduce and segmentSoftmax', () => {
  it('scatterReduce resets out and arg, so reused buffers hold no stale extremes', () => {
    const out = Float64Array.from([100, 100, 100]);
    const arg = Int32Array.from([5, 5, 5]);
    scatterReduce({ op: 'max', src: Float64Array.from([-3, -1, -2]), index: Int32Array.from([2, 2, 0]), size: 3, inner: 1, out, arg });
    expect(Array.from(out)).toEqual([-2, 0, -1]);
    expect(Array.from(arg)).toEqual([2, -1, 1]);
  });

  it('segmentSoftmax outputs sum to 1 in every non-empty segment and report empty ones as −∞ and 0', () => {
    const gen = new Generator(6);
    const index = Int32Array.from([3, 0, 3, 3, 0]);
    const src = Float64Array.from({ length: 10 }, () => gen.uniform(-4, 4));
    const out = new Float64Array(10);
    const segmentMax = new Float64Array(8);
    const segmentSum = new Float64Array(8);
    segmentSoftmax({ src, index, size: 4, inner: 2, out, segmentMax, segmentSum });
    for (const s of [0, 3]) {
      for (let i = 0; i < 2; i++) {
        const total = Array.from(index).reduce((acc, t, e) => (t === s ? acc + out[e * 2 + i]! : acc), 0);
        expect(total).toBeCloseTo(1, 14);
      }
    }
    expect(Array.from(segmentMax.subarray(2, 6))).toEqual([-Infinity, -Infinity, -Infinity, -Infinity]);
    expect(Array.from(segmentSum.subarray(2, 6))).toEqual([0, 0, 0, 0]);
  });
});

describe('the conformance suite on the sparse kernels', () => {
  const cases = backendConformance();
  const run = (backend: Backend, prefix: string): unknown => {
    const selected = cases.filter((c) => c.name.startsWith(prefix));
    expect(selected.length).toBeGreaterThan(0);
    for (const c of selected) {
      try {
        c.run(backend);
      } catch (error) {
        return error;
      }
    }
    return null;
  };

  it('covers every sparse and segment kernel', () => {
    for (const kernel of ['spmmCsr', 'sddmmCsr', 'scatterReduce', 'segmentSoftmax']) {
      expect(run(jsBackend, `${kernel} `)).toBeNull();
    }
  });

  it(
    'catches wrong kernels: an spmm that accumulates into out, a scatter ' + 'max whose ties go to the last entry, an unstabilised softmax',
    () => {
      const broken: Backend = {
        ...jsBackend,
        name: 'broken',
        spmmCsr: ({ rowPtr: ptr, colIndex: col, values, x, rows: r, feat, out }) => {
          const fresh = out.slice();
          jsBackend.spmmCsr({ rowPtr: ptr, colIndex: col, values, x, rows: r, feat, out: fresh });
          for (let i = 0; i < out.length; i++) out[i] = out[i]! + fresh[i]!;
        },
        sddmmCsr: ({ rowPtr: ptr, colIndex: col, a, b, rows: r, feat, out }) => {
          jsBackend.sddmmCsr({ rowPtr: ptr, colIndex: col, a, b, rows: r, feat, out });
          if (out.length > 2) out[2] = out[2]! * 1.5;
        },
        scatterReduce: ({ op, src, index, size, inner, out, arg }) => {
          // Entries in reverse: the last of equal extremes wins.
          const entries = index.length;
          const reversedSrc = src.slice();
          const reversedIndex = index.slice().reverse();
          for (let e = 0; e < entries; e++)
            for (let i = 0; i < inner; i++) reversedSrc[e * inner + i] = src[(entries - 1 - e) * inner + i]!;
          jsBackend.scatterReduce({ op, src: reversedSrc, index: reversedIndex, size, inner, out, arg });
          for (let p = 0; p < arg.length; p++) if (arg[p]! >= 0) arg[p] = entries - 1 - arg[p]!;
        },
        segmentSoftmax: ({ src, index, size, inner, out, segmentMax, segmentSum }) => {
          jsBackend.segmentSoftmax({ src, index, size, inner, out, segmentMax, segmentSum });
          for (let e = 0; e < index.length; e++) {
            for (let i = 0; i < inner; i++) {
              const p = index[e]! * inner + i;
              out[e * inner + i] = Math.exp(src[e * inner + i]!) / (segmentSum[p]! * Math.exp(segmentMax[p]!));
            }
          }
        },
      };
      for (const kernel of ['spmmCsr', 'sddmmCsr', 'scatterReduce', 'segmentSoftmax']) {
        expect(run(broken, `${kernel} `), kernel).toBeInstanceOf(AssertionMismatchError);
      }
    },
  );
});
