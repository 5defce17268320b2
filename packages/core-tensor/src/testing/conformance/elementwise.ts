/** Backend conformance: alloc, unary, binary and where. See ./index.ts. */
import type { Backend, BinaryOp, UnaryOp } from '../../backend/backend.js';
import type { DType, TypedArray } from '../../dtype.js';
import { Generator } from '../../random/generator.js';

import {
  ELEMENTWISE,
  EXACT,
  FLOATS,
  SENTINEL,
  at,
  check,
  dataValues,
  fail,
  filled,
  sizeOf,
  tiedValues,
  uniform,
  unravel,
  type ConformanceCase,
  type FloatType,
  type View,
} from './shared.js';

// ---- alloc ---------------------------------------------------------------------------------------

export function allocCases(): ConformanceCase[] {
  const classes: Record<DType, new (n: number) => TypedArray> = { float32: Float32Array, float64: Float64Array, int32: Int32Array };
  return (['float32', 'float64', 'int32'] as const).map((dtype) => ({
    name: `alloc ${dtype}: zero-filled typed arrays of the requested size`,
    run(backend: Backend) {
      for (const size of [0, 1, 37]) {
        const a = backend.alloc(dtype, size);
        if (!(a instanceof classes[dtype])) fail(`alloc(${dtype}, ${size}) returned a ${a.constructor.name}`);
        if (a.length !== size) fail(`alloc(${dtype}, ${size}) returned ${a.length} elements`);
        check(a, new Float64Array(size), EXACT, `alloc(${dtype}, ${size}) is zero-filled`);
      }
    },
  }));
}

// ---- unary ---------------------------------------------------------------------------------------

/** erf by its everywhere-convergent series `erf x = 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1))` (no cancellation). */
function erfReference(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return Math.sign(x); // 1 − erf(6) < 3e-17
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 1; n < 400 && term > sum * 1e-17; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}

interface UnarySpec {
  op: UnaryOp;
  label?: string;
  p0?: number;
  p1?: number;
  f: (v: number) => number;
  low: number;
  high: number;
  specials: readonly number[];
  /** The output is int32 (isnan). */
  intOut?: boolean;
}

const ALL_SPECIALS = [NaN, Infinity, -Infinity, 0, -0];
const UNARY: readonly UnarySpec[] = [
  { op: 'neg', f: (v) => -v, low: -3, high: 3, specials: ALL_SPECIALS },
  { op: 'exp', f: Math.exp, low: -5, high: 5, specials: ALL_SPECIALS },
  { op: 'log', f: Math.log, low: 0.01, high: 5, specials: [...ALL_SPECIALS, -1] },
  { op: 'sqrt', f: Math.sqrt, low: 0, high: 5, specials: [...ALL_SPECIALS, -1] },
  { op: 'rsqrt', f: (v) => 1 / Math.sqrt(v), low: 0.05, high: 5, specials: [...ALL_SPECIALS, -1] },
  { op: 'abs', f: Math.abs, low: -3, high: 3, specials: ALL_SPECIALS },
  // PyTorch's (0 < x) − (x < 0): NaN gives 0.
  { op: 'sign', f: (v) => (v > 0 ? 1 : 0) - (v < 0 ? 1 : 0), low: -3, high: 3, specials: ALL_SPECIALS },
  { op: 'tanh', f: Math.tanh, low: -4, high: 4, specials: ALL_SPECIALS },
  { op: 'sigmoid', f: (v) => 1 / (1 + Math.exp(-v)), low: -8, high: 8, specials: ALL_SPECIALS },
  { op: 'relu', f: (v) => (Number.isNaN(v) ? NaN : v > 0 ? v : 0), low: -3, high: 3, specials: ALL_SPECIALS },
  { op: 'leakyRelu', p0: 0.2, f: (v) => (v > 0 ? v : v * 0.2), low: -3, high: 3, specials: ALL_SPECIALS },
  { op: 'elu', p0: 1.3, f: (v) => (v > 0 ? v : 1.3 * Math.expm1(v)), low: -4, high: 3, specials: ALL_SPECIALS },
  // At −∞ the gelu formulas are ∞·0: left out.
  { op: 'gelu', f: (v) => 0.5 * v * (1 + erfReference(v * Math.SQRT1_2)), low: -5, high: 5, specials: [NaN, Infinity, 0] },
  {
    op: 'geluTanh',
    f: (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))),
    low: -5,
    high: 5,
    specials: [NaN, Infinity, 0],
  },
  { op: 'erf', f: erfReference, low: -4, high: 4, specials: ALL_SPECIALS },
  { op: 'sin', f: Math.sin, low: -6, high: 6, specials: ALL_SPECIALS },
  { op: 'cos', f: Math.cos, low: -6, high: 6, specials: ALL_SPECIALS },
  { op: 'reciprocal', f: (v) => 1 / v, low: -3, high: 3, specials: ALL_SPECIALS },
  { op: 'square', f: (v) => v * v, low: -3, high: 3, specials: ALL_SPECIALS },
  // NaN passes through clamp, as in PyTorch.
  {
    op: 'clamp',
    label: 'clamp [-0.5, 0.7]',
    p0: -0.5,
    p1: 0.7,
    f: (v) => (v < -0.5 ? -0.5 : v > 0.7 ? 0.7 : v),
    low: -2,
    high: 2,
    specials: ALL_SPECIALS,
  },
  {
    op: 'clamp',
    label: 'clamp max only',
    p0: -Infinity,
    p1: 0.25,
    f: (v) => (v > 0.25 ? 0.25 : v),
    low: -2,
    high: 2,
    specials: ALL_SPECIALS,
  },
  { op: 'powScalar', label: 'powScalar 2', p0: 2, f: (v) => Math.pow(v, 2), low: -3, high: 3, specials: ALL_SPECIALS },
  { op: 'powScalar', label: 'powScalar 0.5', p0: 0.5, f: (v) => Math.pow(v, 0.5), low: -1, high: 4, specials: [NaN, Infinity, 0] },
  { op: 'powScalar', label: 'powScalar -1.5', p0: -1.5, f: (v) => Math.pow(v, -1.5), low: 0.1, high: 4, specials: [NaN, Infinity, 0, -1] },
  { op: 'powScalar', label: 'powScalar 3', p0: 3, f: (v) => Math.pow(v, 3), low: -3, high: 3, specials: ALL_SPECIALS },
  { op: 'addScalar', p0: 1.5, f: (v) => v + 1.5, low: -3, high: 3, specials: ALL_SPECIALS },
  { op: 'mulScalar', p0: -2.5, f: (v) => v * -2.5, low: -3, high: 3, specials: ALL_SPECIALS },
  { op: 'isnan', f: (v) => (Number.isNaN(v) ? 1 : 0), low: -3, high: 3, specials: ALL_SPECIALS, intOut: true },
];

/** Unary ops the ops layer also runs on int32 storage. */
const INT_UNARY: readonly { op: UnaryOp; f: (v: number) => number }[] = [
  { op: 'neg', f: (v) => -v },
  { op: 'abs', f: Math.abs },
  { op: 'sign', f: Math.sign },
  { op: 'square', f: (v) => v * v },
  { op: 'relu', f: (v) => Math.max(v, 0) },
];

export function unaryCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  UNARY.forEach((spec, k) => {
    for (const dtype of FLOATS) {
      cases.push({
        name: `unary ${spec.label ?? spec.op} ${dtype}`,
        run(backend) {
          const gen = new Generator(100 + k);
          // 41 elements: not a multiple of any SIMD width.
          const values = [...uniform(gen, 41 - spec.specials.length, spec.low, spec.high), ...spec.specials];
          const x = filled(backend, dtype, values);
          const out = filled(backend, spec.intOut ? 'int32' : dtype, new Array<number>(values.length).fill(SENTINEL));
          backend.unary({ op: spec.op, x, out, p0: spec.p0, p1: spec.p1 });
          const expected = Array.from(x, spec.f);
          check(out, expected, spec.intOut ? EXACT : ELEMENTWISE[dtype], `unary ${spec.label ?? spec.op} ${dtype}`);
        },
      });
    }
  });
  cases.push({
    name: 'unary neg, abs, sign, square, relu on int32',
    run(backend) {
      const gen = new Generator(99);
      const values = Array.from({ length: 23 }, () => gen.integer(-50, 51));
      values[0] = 0;
      for (const { op, f } of INT_UNARY) {
        const x = filled(backend, 'int32', values);
        const out = backend.alloc('int32', values.length);
        backend.unary({ op, x, out });
        check(out, values.map(f), EXACT, `unary ${op} int32`);
      }
    },
  });
  cases.push({
    name: 'unary on empty arrays writes nothing and does not throw',
    run(backend) {
      for (const dtype of FLOATS) {
        backend.unary({ op: 'exp', x: backend.alloc(dtype, 0), out: backend.alloc(dtype, 0) });
      }
    },
  });
  return cases;
}

// ---- binary and where ----------------------------------------------------------------------------

interface BinaryLayout {
  name: string;
  shape: number[];
  a: View;
  b: View;
}

const BINARY_LAYOUTS: readonly BinaryLayout[] = [
  { name: 'equal shapes', shape: [3, 5], a: { size: 15, strides: [5, 1] }, b: { size: 15, strides: [5, 1] } },
  { name: 'a row vector broadcast', shape: [2, 3, 4], a: { size: 24, strides: [12, 4, 1] }, b: { size: 4, strides: [0, 0, 1] } },
  { name: 'both broadcast ([2,1,4] with [3,1])', shape: [2, 3, 4], a: { size: 8, strides: [4, 0, 1] }, b: { size: 3, strides: [0, 1, 0] } },
  { name: 'a column broadcast', shape: [5, 9], a: { size: 45, strides: [9, 1] }, b: { size: 5, strides: [1, 0] } },
  { name: 'scalar on the right', shape: [4, 6], a: { size: 24, strides: [6, 1] }, b: { size: 1, strides: [0, 0] } },
  { name: 'scalar on the left', shape: [7], a: { size: 1, strides: [0] }, b: { size: 7, strides: [1] } },
  { name: '0-d', shape: [], a: { size: 1, strides: [] }, b: { size: 1, strides: [] } },
  { name: 'a read transposed', shape: [3, 4], a: { size: 12, strides: [1, 3] }, b: { size: 12, strides: [4, 1] } },
  { name: 'long rows', shape: [3, 37], a: { size: 111, strides: [37, 1] }, b: { size: 37, strides: [0, 1] } },
  { name: 'empty', shape: [0, 5], a: { size: 0, strides: [5, 1] }, b: { size: 5, strides: [0, 1] } },
];

interface BinarySpec {
  op: BinaryOp;
  f: (a: number, b: number) => number;
  compare?: boolean;
  /** Also checked on int32 inputs. */
  int?: boolean;
}

const nanOr = (f: (a: number, b: number) => number) => (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : f(a, b));
const bit = (c: boolean): number => (c ? 1 : 0);

const BINARY: readonly BinarySpec[] = [
  { op: 'add', f: (a, b) => a + b, int: true },
  { op: 'sub', f: (a, b) => a - b, int: true },
  { op: 'mul', f: (a, b) => a * b, int: true },
  { op: 'div', f: (a, b) => a / b },
  { op: 'pow', f: Math.pow },
  // NaN propagates through maximum and minimum, as in PyTorch.
  { op: 'maximum', f: nanOr((a, b) => (a > b ? a : b)), int: true },
  { op: 'minimum', f: nanOr((a, b) => (a < b ? a : b)), int: true },
  { op: 'eq', f: (a, b) => bit(a === b), compare: true, int: true },
  { op: 'ne', f: (a, b) => bit(a !== b), compare: true, int: true },
  { op: 'lt', f: (a, b) => bit(a < b), compare: true, int: true },
  { op: 'le', f: (a, b) => bit(a <= b), compare: true, int: true },
  { op: 'gt', f: (a, b) => bit(a > b), compare: true, int: true },
  { op: 'ge', f: (a, b) => bit(a >= b), compare: true, int: true },
];

function binaryInputs(gen: Generator, spec: BinarySpec, dtype: DType, layout: BinaryLayout): [number[], number[]] {
  if (dtype === 'int32') {
    return [
      Array.from({ length: layout.a.size }, () => gen.integer(-5, 6)),
      Array.from({ length: layout.b.size }, () => gen.integer(-5, 6)),
    ];
  }
  if (spec.op === 'pow') {
    // Bases: positive, negative (NaN for fractional exponents), 0, ∞ and NaN; exponents: finite
    // multiples of 0.5 (pow(1, NaN) and pow(±1, ±∞) differ between C and JS: left out).
    const base = Array.from({ length: layout.a.size }, (_, i) => (i % 4 === 3 ? -gen.uniform(0.5, 2) : gen.uniform(0.1, 3)));
    [0, Infinity, NaN, -0].forEach((v, j) => {
      if (layout.a.size > 4 * j + 1) base[4 * j + 1] = v;
    });
    return [base, Array.from({ length: layout.b.size }, () => gen.integer(-4, 5) / 2)];
  }
  return [tiedValues(gen, layout.a.size, [NaN, Infinity, -0]), tiedValues(gen, layout.b.size, [-Infinity, 0, NaN])];
}

export function binaryCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  BINARY.forEach((spec, k) => {
    const dtypes: DType[] = spec.int ? [...FLOATS, 'int32'] : [...FLOATS];
    for (const dtype of dtypes) {
      cases.push({
        name: `binary ${spec.op} ${dtype} with broadcasting strides`,
        run(backend) {
          const gen = new Generator(200 + k);
          for (const layout of BINARY_LAYOUTS) {
            const [av, bv] = binaryInputs(gen, spec, dtype, layout);
            const a = filled(backend, dtype, av);
            const b = filled(backend, dtype, bv);
            const n = sizeOf(layout.shape);
            const outType: DType = spec.compare ? 'int32' : dtype;
            const out = filled(backend, outType, new Array<number>(n).fill(SENTINEL));
            backend.binary({ op: spec.op, a, aStrides: layout.a.strides, b, bStrides: layout.b.strides, out, shape: layout.shape });
            const expected = new Float64Array(n);
            for (let i = 0; i < n; i++) {
              const idx = unravel(i, layout.shape);
              const r = spec.f(a[at(idx, layout.a.strides)]!, b[at(idx, layout.b.strides)]!);
              // int32 storage truncates what it is given; the reference must too.
              expected[i] = outType === 'int32' ? r | 0 : r;
            }
            const tol = outType === 'int32' ? EXACT : ELEMENTWISE[dtype as FloatType];
            check(out, expected, tol, `binary ${spec.op} ${dtype}, ${layout.name}`);
          }
        },
      });
    }
  });
  return cases;
}

interface WhereLayout {
  name: string;
  shape: number[];
  cond: View;
  a: View;
  b: View;
}

const WHERE_LAYOUTS: readonly WhereLayout[] = [
  {
    name: 'equal shapes',
    shape: [3, 4],
    cond: { size: 12, strides: [4, 1] },
    a: { size: 12, strides: [4, 1] },
    b: { size: 12, strides: [4, 1] },
  },
  {
    name: 'all broadcast',
    shape: [2, 3, 4],
    cond: { size: 3, strides: [0, 1, 0] },
    a: { size: 1, strides: [0, 0, 0] },
    b: { size: 4, strides: [0, 0, 1] },
  },
  {
    name: 'long rows',
    shape: [5, 33],
    cond: { size: 33, strides: [0, 1] },
    a: { size: 165, strides: [33, 1] },
    b: { size: 5, strides: [1, 0] },
  },
  {
    name: 'a read transposed',
    shape: [3, 4],
    cond: { size: 12, strides: [4, 1] },
    a: { size: 12, strides: [1, 3] },
    b: { size: 1, strides: [0, 0] },
  },
  { name: '0-d', shape: [], cond: { size: 1, strides: [] }, a: { size: 1, strides: [] }, b: { size: 1, strides: [] } },
  { name: 'empty', shape: [0, 3], cond: { size: 0, strides: [3, 1] }, a: { size: 3, strides: [0, 1] }, b: { size: 1, strides: [0, 0] } },
];

export function whereCases(): ConformanceCase[] {
  return (['float32', 'float64', 'int32'] as const).map((dtype, k) => ({
    name: `where ${dtype} with broadcasting strides (nonzero is true, NaN passes through)`,
    run(backend: Backend) {
      const gen = new Generator(300 + k);
      for (const layout of WHERE_LAYOUTS) {
        const condValues = Array.from({ length: layout.cond.size }, (_, i) => [0, 1, -3, 0, 7][(i + gen.integer(0, 5)) % 5]!);
        const cond = filled(backend, 'int32', condValues);
        const a = filled(backend, dtype, dataValues(gen, dtype, layout.a.size));
        const b = filled(backend, dtype, dataValues(gen, dtype, layout.b.size));
        const n = sizeOf(layout.shape);
        const out = filled(backend, dtype, new Array<number>(n).fill(SENTINEL));
        backend.where({
          cond,
          condStrides: layout.cond.strides,
          a,
          aStrides: layout.a.strides,
          b,
          bStrides: layout.b.strides,
          out,
          shape: layout.shape,
        });
        const expected = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const idx = unravel(i, layout.shape);
          expected[i] = cond[at(idx, layout.cond.strides)]! !== 0 ? a[at(idx, layout.a.strides)]! : b[at(idx, layout.b.strides)]!;
        }
        check(out, expected, EXACT, `where ${dtype}, ${layout.name}`);
      }
    },
  }));
}
