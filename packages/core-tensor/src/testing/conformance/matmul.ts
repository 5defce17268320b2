/** Backend conformance: batched matmul with either operand transposed. See ./index.ts. */
import type { Backend, MatmulParams } from '../../backend/backend.js';
import type { FloatArray } from '../../dtype.js';
import { Generator } from '../../random/generator.js';

import { EXACT, FLOATS, MATMUL, SENTINEL, check, filled, uniform, type ConformanceCase, type FloatType } from './shared.js';

// ---- matmul --------------------------------------------------------------------------------------

function matmulReference(a: ArrayLike<number>, b: ArrayLike<number>, p: MatmulParams): Float64Array {
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = p;
  const out = new Float64Array(batch * m * n);
  for (let t = 0; t < batch; t++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let q = 0; q < k; q++) {
          s += a[t * aBatchStride + (transA ? q * m + i : i * k + q)]! * b[t * bBatchStride + (transB ? j * k + q : q * n + j)]!;
        }
        out[t * m * n + i * n + j] = s;
      }
    }
  }
  return out;
}

/** Runs one product on fresh inputs and compares; also checks the inputs were left alone. */
function checkMatmul(backend: Backend, gen: Generator, dtype: FloatType, p: MatmulParams, specials: readonly number[] = []): void {
  const aSize = (p.aBatchStride === 0 ? 1 : p.batch) * p.m * p.k;
  const bSize = (p.bBatchStride === 0 ? 1 : p.batch) * p.k * p.n;
  const aValues = uniform(gen, aSize, -1, 1);
  specials.forEach((v, j) => {
    if (aSize > 0) aValues[(j * 5) % aSize] = v;
  });
  const a = filled(backend, dtype, aValues) as FloatArray;
  const b = filled(backend, dtype, uniform(gen, bSize, -1, 1)) as FloatArray;
  const aBefore = Float64Array.from(a);
  const bBefore = Float64Array.from(b);
  const out = filled(backend, dtype, new Array<number>(p.batch * p.m * p.n).fill(SENTINEL)) as FloatArray;
  backend.matmul({ a, b, out, ...p });
  const what = `matmul ${dtype} ${JSON.stringify(p)}`;
  check(out, matmulReference(a, b, p), MATMUL[dtype], what);
  check(a, aBefore, EXACT, `${what} left A unchanged`);
  check(b, bBefore, EXACT, `${what} left B unchanged`);
}

const MATMUL_SIZES: readonly [number, number, number][] = [
  [1, 1, 1],
  [2, 3, 4],
  [5, 7, 3],
  [4, 4, 4],
  [13, 9, 17],
  [1, 50, 60],
  [50, 1, 60],
  [3, 70, 2],
  [67, 33, 300],
  [40, 36, 257],
];

export function matmulCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const variants = [
    [false, false],
    [false, true],
    [true, false],
    [true, true],
  ] as const;
  variants.forEach(([transA, transB], v) => {
    const tag = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`;
    for (const dtype of FLOATS) {
      cases.push({
        name: `matmul ${tag} ${dtype}: tiny, edge and blocked sizes`,
        run(backend) {
          const gen = new Generator(800 + v);
          for (const [m, n, k] of MATMUL_SIZES) {
            checkMatmul(backend, gen, dtype, { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 });
          }
        },
      });
      cases.push({
        name: `matmul ${tag} ${dtype}: batches, batch stride 0 broadcasting either or both sides`,
        run(backend) {
          const gen = new Generator(810 + v);
          for (const [m, n, k] of [
            [3, 4, 5],
            [17, 6, 33],
          ] as const) {
            const full = { batch: 3, m, n, k, transA, transB };
            checkMatmul(backend, gen, dtype, { ...full, aBatchStride: m * k, bBatchStride: k * n });
            checkMatmul(backend, gen, dtype, { ...full, aBatchStride: 0, bBatchStride: k * n });
            checkMatmul(backend, gen, dtype, { ...full, aBatchStride: m * k, bBatchStride: 0 });
            checkMatmul(backend, gen, dtype, { ...full, aBatchStride: 0, bBatchStride: 0 });
          }
        },
      });
      cases.push({
        name: `matmul ${tag} ${dtype}: k = 0 writes zeros; m, n or batch = 0 writes nothing`,
        run(backend) {
          const gen = new Generator(820 + v);
          for (const [batch, m, n, k] of [
            [1, 3, 4, 0],
            [2, 2, 3, 0],
            [1, 0, 4, 3],
            [1, 3, 0, 3],
            [0, 3, 4, 5],
          ] as const) {
            checkMatmul(backend, gen, dtype, { batch, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: k * n });
          }
        },
      });
      cases.push({
        name: `matmul ${tag} ${dtype}: NaN and Infinity propagate`,
        run(backend) {
          const gen = new Generator(830 + v);
          for (const [m, n, k] of [
            [2, 3, 4],
            [9, 11, 270],
          ] as const) {
            checkMatmul(backend, gen, dtype, { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 }, [
              NaN,
              Infinity,
              -Infinity,
            ]);
          }
        },
      });
    }
  });
  return cases;
}
