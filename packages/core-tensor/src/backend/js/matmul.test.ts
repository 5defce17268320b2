import { describe, expect, it } from 'vitest';
import type { FloatArray } from '../../dtype.js';
import type { MatmulParams } from '../backend.js';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import { matmul } from './matmul.js';

const gen = new Generator(1234);

function randomArray(size: number, dtype: 'float32' | 'float64'): FloatArray {
  const out = dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = gen.uniform(-1, 1);
  return out;
}

/** Straight from the definition, in doubles. */
function reference(a: FloatArray, b: FloatArray, p: MatmulParams): Float64Array {
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = p;
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          const av = a[t * aBatchStride + (transA ? q * m + i : i * k + q)]!;
          const bv = b[t * bBatchStride + (transB ? j * k + q : q * n + j)]!;
          s += av * bv;
        }
        out[t * m * n + i * n + j] = s;
      }
    }
  }
  return out;
}

function params(
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  batch = 1,
  aBatchStride = m * k,
  bBatchStride = k * n,
): MatmulParams {
  return { batch, m, n, k, transA, transB, aBatchStride, bBatchStride };
}

const VARIANTS = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
] as const;

function check(p: MatmulParams, dtype: 'float32' | 'float64'): void {
  const aSize = p.aBatchStride === 0 ? p.m * p.k : p.batch * p.m * p.k;
  const bSize = p.bBatchStride === 0 ? p.k * p.n : p.batch * p.k * p.n;
  const a = randomArray(aSize, dtype);
  const b = randomArray(bSize, dtype);
  const out = dtype === 'float32' ? new Float32Array(p.batch * p.m * p.n) : new Float64Array(p.batch * p.m * p.n);
  out.fill(123); // the kernel overwrites, it never accumulates into `out`
  matmul({ a, b, out, ...p });
  const tol = dtype === 'float32' ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-12, atol: 1e-12 };
  expectClose(out, reference(a, b, p), { ...tol, message: JSON.stringify(p) });
}

describe('js matmul kernel', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const [transA, transB] of VARIANTS) {
      const tag = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'} ${dtype}`;

      it(`matches the definition on tiny, edge and blocked sizes (${tag})`, () => {
        // 1 and 3 are below a 4×4 tile, 5/7/13 leave edge tiles, 67 crosses MC = 64, 300 crosses KC = 256.
        for (const [m, n, k] of [
          [1, 1, 1],
          [3, 2, 5],
          [5, 7, 3],
          [13, 9, 17],
          [67, 33, 300],
          [40, 70, 257],
          [64, 64, 64],
        ] as const) {
          check(params(m, n, k, transA, transB), dtype);
        }
      });

      it(`matches the definition past one row band (m > 512) and one column panel (n > 1024) (${tag})`, () => {
        check(params(530, 6, 270, transA, transB), dtype);
        check(params(5, 1030, 260, transA, transB), dtype);
      });

      it(`handles matrix-vector and vector-matrix shapes (${tag})`, () => {
        for (const [m, n, k] of [
          [1, 300, 200],
          [300, 1, 200],
          [2, 300, 200],
          [300, 3, 200],
          [1, 1, 1000],
        ] as const) {
          check(params(m, n, k, transA, transB), dtype);
        }
      });

      it(`handles batches, with batch stride 0 broadcasting either side (${tag})`, () => {
        for (const [m, n, k] of [
          [3, 4, 5],
          [37, 41, 43],
        ] as const) {
          check(params(m, n, k, transA, transB, 3), dtype);
          check(params(m, n, k, transA, transB, 3, 0, k * n), dtype);
          check(params(m, n, k, transA, transB, 3, m * k, 0), dtype);
          check(params(m, n, k, transA, transB, 3, 0, 0), dtype);
        }
      });
    }
  }

  it('writes zeros when k = 0 and nothing when m or n is 0', () => {
    const out = new Float32Array(6).fill(7);
    matmul({ a: new Float32Array(0), b: new Float32Array(0), out, ...params(2, 3, 0, false, false) });
    expect([...out]).toEqual([0, 0, 0, 0, 0, 0]);
    const batched = new Float64Array(12).fill(7);
    matmul({ a: new Float64Array(0), b: new Float64Array(0), out: batched, ...params(2, 3, 0, true, true, 2) });
    expect([...batched]).toEqual(new Array(12).fill(0));
    const empty = new Float32Array(0);
    expect(() => matmul({ a: new Float32Array(0), b: new Float32Array(12), out: empty, ...params(0, 3, 4, false, false) })).not.toThrow();
    expect(() => matmul({ a: new Float32Array(12), b: new Float32Array(0), out: empty, ...params(3, 0, 4, false, true) })).not.toThrow();
    expect(() => matmul({ a: new Float32Array(0), b: new Float32Array(0), out: empty, ...params(3, 3, 4, false, false, 0) })).not.toThrow();
  });

  it('rounds float32 results once from a double-precision sum', () => {
    // Values whose products need more than 24 bits: a float32 accumulator would drift, and a
    // per-block rounding could differ from rounding the full double sum once.
    const m = 8;
    const n = 8;
    const k = 1000;
    const a = randomArray(m * k, 'float32');
    const b = randomArray(k * n, 'float32');
    const out = new Float32Array(m * n);
    const p = params(m, n, k, false, false);
    matmul({ a, b, out, ...p });
    const exact = reference(a, b, p);
    for (let i = 0; i < exact.length; i++) {
      expect(Math.abs(out[i]! - exact[i]!)).toBeLessThanOrEqual(Math.abs(Math.fround(exact[i]!) - exact[i]!) + 1e-12);
    }
  });

  it('propagates NaN and Infinity as IEEE arithmetic does', () => {
    for (const [m, n, k] of [
      [2, 2, 2],
      [9, 9, 300],
    ] as const) {
      for (const [transA, transB] of VARIANTS) {
        const a = randomArray(m * k, 'float64');
        const b = randomArray(k * n, 'float64');
        a[0] = NaN; // row 0 of op(A) (or column 0 when transposed) touches row/col 0 only
        b[b.length - 1] = Infinity;
        const p = params(m, n, k, transA, transB);
        const out = new Float64Array(m * n);
        matmul({ a, b, out, ...p });
        expectClose(out, reference(a, b, p), { rtol: 1e-12, atol: 1e-12, message: `${transA}${transB}` });
      }
    }
  });

  it('gives the same result when called again with other sizes (scratch reuse)', () => {
    const big = params(130, 140, 600, true, false);
    const small = params(20, 30, 40, false, true);
    const a1 = randomArray(130 * 600, 'float32');
    const b1 = randomArray(600 * 140, 'float32');
    const a2 = randomArray(20 * 40, 'float64');
    const b2 = randomArray(40 * 30, 'float64');
    const first = new Float32Array(130 * 140);
    matmul({ a: a1, b: b1, out: first, ...big });
    const other = new Float64Array(20 * 30);
    matmul({ a: a2, b: b2, out: other, ...small });
    expectClose(other, reference(a2, b2, small), { rtol: 1e-12, atol: 1e-12 });
    const again = new Float32Array(130 * 140);
    matmul({ a: a1, b: b1, out: again, ...big });
    expect([...again]).toEqual([...first]);
  });
});
