/** What the conformance files share: the case type, tolerances, seeded inputs and the checks. */
import type { Backend } from '../../backend/backend.js';
import type { DType, TypedArray } from '../../dtype.js';
import { Generator } from '../../random/generator.js';
import { AssertionMismatchError, expectClose } from '../expect-close.js';

/** A check of one kernel family on a complete backend (`index.ts` completes the backend under test). */
export interface ConformanceCase {
  name: string;
  run(backend: Backend): void;
}

export type FloatType = 'float32' | 'float64';
export interface Tolerance {
  rtol: number;
  atol: number;
}

export const FLOATS: readonly FloatType[] = ['float32', 'float64'];
export const EXACT: Tolerance = { rtol: 0, atol: 0 };
export const ELEMENTWISE: Record<FloatType, Tolerance> = { float32: { rtol: 1e-5, atol: 1e-6 }, float64: { rtol: 1e-10, atol: 1e-12 } };
export const ACCUMULATED: Record<FloatType, Tolerance> = { float32: { rtol: 1e-5, atol: 2e-5 }, float64: { rtol: 1e-10, atol: 1e-11 } };
export const MATMUL: Record<FloatType, Tolerance> = { float32: { rtol: 1e-4, atol: 1e-4 }, float64: { rtol: 1e-10, atol: 1e-10 } };
/** Written into outputs before a kernel that must overwrite them. */
export const SENTINEL = 12345;

// ---- shared helpers ------------------------------------------------------------------------------

export function filled(backend: Backend, dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = backend.alloc(dtype, values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

export function uniform(gen: Generator, size: number, low: number, high: number): number[] {
  return Array.from({ length: size }, () => gen.uniform(low, high));
}

/** Values with frequent ties (multiples of 0.5 in [-2, 2]), some random ones, and `specials` sprinkled in. */
export function tiedValues(gen: Generator, size: number, specials: readonly number[]): number[] {
  const out = Array.from({ length: size }, (_, i) => (i % 3 === 2 ? gen.uniform(-2, 2) : gen.integer(-4, 5) / 2));
  specials.forEach((v, j) => {
    if (size > 0) out[(j * 7 + 3) % size] = v;
  });
  return out;
}

export function check(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  expectClose(actual, Float64Array.from(expected), { ...tol, message: what });
}

export function fail(message: string): never {
  throw new AssertionMismatchError(message);
}

/** Row-major multi-index of `flat` in `shape`. */
export function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

export function at(idx: readonly number[], strides: readonly number[], base = 0): number {
  let o = base;
  for (let d = 0; d < idx.length; d++) o += idx[d]! * strides[d]!;
  return o;
}

export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Stored size and read strides of an operand of an elementwise kernel. */
export interface View {
  size: number;
  strides: number[];
}

export function dataValues(gen: Generator, dtype: DType, n: number): number[] {
  return dtype === 'int32' ? Array.from({ length: n }, () => gen.integer(-100, 100)) : tiedValues(gen, n, [NaN, -Infinity]);
}
