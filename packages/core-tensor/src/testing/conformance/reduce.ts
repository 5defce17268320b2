/** Backend conformance: reduce, argReduce and softmax. See ./index.ts. */
import type { ArgReduceOp, ReduceOp } from '../../backend/backend.js';
import type { FloatArray } from '../../dtype.js';
import { Generator } from '../../random/generator.js';

import { ACCUMULATED, ELEMENTWISE, EXACT, FLOATS, SENTINEL, check, filled, uniform, type ConformanceCase } from './shared.js';

// ---- reductions ----------------------------------------------------------------------------------

/** `[outer, size, inner]` views: inner 1 and > 1, odd lengths, size 1, empty reductions, empty outputs. */
const REDUCE_SHAPES: readonly [number, number, number][] = [
  [3, 5, 1],
  [2, 4, 3],
  [1, 37, 1],
  [2, 37, 6],
  [4, 1, 5],
  [1, 1, 1],
  [3, 0, 1],
  [2, 0, 3],
  [0, 3, 2],
];

function reduceReference(op: ReduceOp, values: readonly number[]): number {
  switch (op) {
    case 'sum':
      return values.reduce((s, v) => s + v, 0);
    case 'prod':
      return values.reduce((s, v) => s * v, 1);
    case 'max':
      return values.some(Number.isNaN) ? NaN : values.reduce((s, v) => (v > s ? v : s), -Infinity);
    case 'min':
      return values.some(Number.isNaN) ? NaN : values.reduce((s, v) => (v < s ? v : s), Infinity);
  }
}

/** The `size` values along the middle axis at (o, i). */
function middle(x: ArrayLike<number>, size: number, inner: number, o: number, i: number): number[] {
  return Array.from({ length: size }, (_, k) => x[(o * size + k) * inner + i]!);
}

/** Puts `values` along the middle axis at (o, i), as far as they fit. */
function setMiddle(x: number[], size: number, inner: number, o: number, i: number, values: readonly number[]): void {
  values.forEach((v, k) => {
    if (k < size) x[(o * size + k) * inner + i] = v;
  });
}

export function reduceCases(): ConformanceCase[] {
  const ops: ReduceOp[] = ['sum', 'max', 'min', 'prod'];
  const cases: ConformanceCase[] = [];
  ops.forEach((op, k) => {
    for (const dtype of ['float32', 'float64', 'int32'] as const) {
      cases.push({
        name: `reduce ${op} ${dtype} over [outer, size, inner] (inner 1 and > 1, empty${dtype === 'int32' ? '' : ', NaN, ±Infinity'})`,
        run(backend) {
          const gen = new Generator(500 + k);
          for (const [outer, size, inner] of REDUCE_SHAPES) {
            // The empty max / min is ±∞, which int32 storage cannot hold.
            if (dtype === 'int32' && size === 0 && (op === 'max' || op === 'min')) continue;
            const n = outer * size * inner;
            const values =
              dtype === 'int32'
                ? Array.from({ length: n }, () => gen.integer(op === 'prod' ? -2 : -9, op === 'prod' ? 3 : 10))
                : op === 'prod'
                  ? uniform(gen, n, 0.5, 1.5)
                  : uniform(gen, n, -2, 2);
            if (dtype !== 'int32' && outer > 0 && size > 1) {
              // First slice: a NaN; last slice: infinities (∞ − ∞ = NaN for sum; 0·∞ = NaN for prod).
              setMiddle(values, size, inner, 0, 0, [1, NaN]);
              setMiddle(values, size, inner, outer - 1, inner - 1, op === 'prod' ? [Infinity, 0] : [Infinity, -Infinity]);
              if (inner > 1) setMiddle(values, size, inner, 0, 1, [-Infinity, 1]);
            }
            const x = filled(backend, dtype, values);
            const out = filled(backend, dtype, new Array<number>(outer * inner).fill(SENTINEL));
            backend.reduce({ op, x, outer, size, inner, out });
            const expected = new Float64Array(outer * inner);
            for (let o = 0; o < outer; o++)
              for (let i = 0; i < inner; i++) expected[o * inner + i] = reduceReference(op, middle(x, size, inner, o, i));
            const tol = dtype === 'int32' ? EXACT : op === 'sum' || op === 'prod' ? ACCUMULATED[dtype] : EXACT;
            check(out, expected, tol, `reduce ${op} ${dtype} [${outer}, ${size}, ${inner}]`);
          }
        },
      });
    }
  });
  return cases;
}

function argReference(op: ArgReduceOp, values: readonly number[]): number {
  const nan = values.findIndex(Number.isNaN);
  if (nan >= 0) return nan;
  let best = 0;
  for (let k = 1; k < values.length; k++) {
    if (op === 'argmax' ? values[k]! > values[best]! : values[k]! < values[best]!) best = k;
  }
  return best;
}

export function argReduceCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  (['argmax', 'argmin'] as const).forEach((op, k) => {
    for (const dtype of ['float32', 'float64', 'int32'] as const) {
      cases.push({
        name: `argReduce ${op} ${dtype}: first extreme wins ties${dtype === 'int32' ? '' : ', the first NaN wins'}`,
        run(backend) {
          const gen = new Generator(600 + k);
          for (const [outer, size, inner] of REDUCE_SHAPES) {
            if (size === 0) continue; // the ops reject empty arg-reductions
            const n = outer * size * inner;
            // Few distinct values, so ties are common.
            const values = Array.from({ length: n }, () => gen.integer(-3, 4));
            if (dtype !== 'int32' && outer > 0 && size > 2) {
              setMiddle(values, size, inner, 0, 0, [1, NaN, 5, NaN]);
              setMiddle(values, size, inner, outer - 1, inner - 1, [-Infinity, Infinity, -Infinity]);
            }
            const x = filled(backend, dtype, values);
            const out = filled(backend, 'int32', new Array<number>(outer * inner).fill(SENTINEL)) as Int32Array;
            backend.argReduce({ op, x, outer, size, inner, out });
            const expected = new Float64Array(outer * inner);
            for (let o = 0; o < outer; o++)
              for (let i = 0; i < inner; i++) expected[o * inner + i] = argReference(op, middle(x, size, inner, o, i));
            check(out, expected, EXACT, `argReduce ${op} ${dtype} [${outer}, ${size}, ${inner}]`);
          }
        },
      });
    }
  });
  return cases;
}

function softmaxReference(values: readonly number[], log: boolean): number[] {
  const m = values.some(Number.isNaN) ? NaN : Math.max(...values);
  const shifted = values.map((v) => v - m);
  const total = shifted.reduce((s, v) => s + Math.exp(v), 0);
  return log ? shifted.map((v) => v - Math.log(total)) : shifted.map((v) => Math.exp(v) / total);
}

export function softmaxCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  [false, true].forEach((log, k) => {
    for (const dtype of FLOATS) {
      const name = log ? 'log-softmax' : 'softmax';
      cases.push({
        name: `softmax (${name}) ${dtype}: stable for large inputs, −∞ entries, all −∞ and NaN slices`,
        run(backend) {
          const gen = new Generator(700 + k);
          for (const [outer, size, inner] of REDUCE_SHAPES) {
            if (size === 0) continue;
            const n = outer * size * inner;
            const values = uniform(gen, n, -3, 3);
            if (outer > 0 && size > 2) {
              setMiddle(values, size, inner, 0, 0, [1000, 999, 998]); // exp would overflow unshifted
              setMiddle(values, size, inner, outer - 1, inner - 1, [-Infinity, 0.5, -Infinity]);
              if (inner > 1) setMiddle(values, size, inner, 0, 1, new Array<number>(size).fill(-Infinity)); // NaN, as PyTorch
              if (outer > 1) setMiddle(values, size, inner, 1, 0, [0.5, NaN]);
            }
            const x = filled(backend, dtype, values) as FloatArray;
            const out = filled(backend, dtype, new Array<number>(n).fill(SENTINEL)) as FloatArray;
            backend.softmax({ x, outer, size, inner, out, log });
            const expected = new Float64Array(n);
            for (let o = 0; o < outer; o++) {
              for (let i = 0; i < inner; i++) {
                softmaxReference(middle(x, size, inner, o, i), log).forEach((v, j) => (expected[(o * size + j) * inner + i] = v));
              }
            }
            check(out, expected, ELEMENTWISE[dtype], `${name} ${dtype} [${outer}, ${size}, ${inner}]`);
          }
        },
      });
    }
  });
  return cases;
}
