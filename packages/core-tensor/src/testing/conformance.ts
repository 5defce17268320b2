/**
 * The backend conformance suite: kernel-level checks that any `Backend` must pass, each comparing
 * the backend's output with a plain reference loop written here from the kernel contract in
 * `backend/backend.ts` (never with another backend). It has no test-runner dependency: every case
 * is `{ name, run(backend) }` and throws `AssertionMismatchError` on a mismatch, so a third-party
 * backend can run it under any runner.
 *
 * Inputs are allocated with the backend's own `alloc` (a wasm backend may need its own memory),
 * drawn from fixed seeds, and include NaN, ±Infinity and ±0 wherever the result is defined by IEEE
 * arithmetic. Tolerances: float64 results must agree to ~1e-10 relative, float32 ones to float32
 * precision (a backend may compute in float32); layout kernels (copy, select, gather) must be exact.
 *
 * @example
 * for (const c of backendConformance()) it(c.name, () => c.run(myBackend));
 */
import type { ArgReduceOp, Backend, BinaryOp, CrossEntropyParams, MatmulParams, ReduceOp, UnaryOp } from '../backend/backend.js';
import type { DType, FloatArray, TypedArray } from '../dtype.js';
import { Generator } from '../random/generator.js';
import { AssertionMismatchError, expectClose } from './expect-close.js';

/** One named check of a backend; `run` throws `AssertionMismatchError` when the backend is wrong. */
export interface ConformanceCase {
  name: string;
  run(backend: Backend): void;
}

type FloatType = 'float32' | 'float64';
interface Tolerance {
  rtol: number;
  atol: number;
}

const FLOATS: readonly FloatType[] = ['float32', 'float64'];
const EXACT: Tolerance = { rtol: 0, atol: 0 };
const ELEMENTWISE: Record<FloatType, Tolerance> = { float32: { rtol: 1e-5, atol: 1e-6 }, float64: { rtol: 1e-10, atol: 1e-12 } };
const ACCUMULATED: Record<FloatType, Tolerance> = { float32: { rtol: 1e-5, atol: 2e-5 }, float64: { rtol: 1e-10, atol: 1e-11 } };
const MATMUL: Record<FloatType, Tolerance> = { float32: { rtol: 1e-4, atol: 1e-4 }, float64: { rtol: 1e-10, atol: 1e-10 } };
/** Written into outputs before a kernel that must overwrite them. */
const SENTINEL = 12345;

/**
 * Every conformance case, in a fixed order: alloc, unary, binary, where, copy, reduce, argReduce,
 * softmax, matmul, indexSelect, indexAdd, gather, scatterAdd, the fused LSTM and GRU cells
 * (forward, backward), the fused cross-entropy (forward, backward), spmmCsr, sddmmCsr,
 * scatterReduce and segmentSoftmax. Cases are independent and
 * deterministic (each seeds its own generator).
 */
export function backendConformance(): ConformanceCase[] {
  return [
    ...allocCases(),
    ...unaryCases(),
    ...binaryCases(),
    ...whereCases(),
    ...copyCases(),
    ...reduceCases(),
    ...argReduceCases(),
    ...softmaxCases(),
    ...matmulCases(),
    ...indexingCases(),
    ...recurrentCellCases(),
    ...recurrentSequenceCases(),
    ...crossEntropyCases(),
    ...sparseCases(),
    ...segmentCases(),
  ];
}

// ---- shared helpers ------------------------------------------------------------------------------

function filled(backend: Backend, dtype: DType, values: ArrayLike<number>): TypedArray {
  const out = backend.alloc(dtype, values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

function uniform(gen: Generator, size: number, low: number, high: number): number[] {
  return Array.from({ length: size }, () => gen.uniform(low, high));
}

/** Values with frequent ties (multiples of 0.5 in [-2, 2]), some random ones, and `specials` sprinkled in. */
function tiedValues(gen: Generator, size: number, specials: readonly number[]): number[] {
  const out = Array.from({ length: size }, (_, i) => (i % 3 === 2 ? gen.uniform(-2, 2) : gen.integer(-4, 5) / 2));
  specials.forEach((v, j) => {
    if (size > 0) out[(j * 7 + 3) % size] = v;
  });
  return out;
}

function check(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): void {
  expectClose(actual, Float64Array.from(expected), { ...tol, message: what });
}

function fail(message: string): never {
  throw new AssertionMismatchError(message);
}

/** Row-major multi-index of `flat` in `shape`. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = flat % shape[d]!;
    flat = Math.floor(flat / shape[d]!);
  }
  return idx;
}

function at(idx: readonly number[], strides: readonly number[], base = 0): number {
  let o = base;
  for (let d = 0; d < idx.length; d++) o += idx[d]! * strides[d]!;
  return o;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((p, d) => p * d, 1);
}

/** Stored size and read strides of an operand of an elementwise kernel. */
interface View {
  size: number;
  strides: number[];
}

// ---- alloc ---------------------------------------------------------------------------------------

function allocCases(): ConformanceCase[] {
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

function unaryCases(): ConformanceCase[] {
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
          backend.unary(spec.op, x, out, spec.p0, spec.p1);
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
        backend.unary(op, x, out);
        check(out, values.map(f), EXACT, `unary ${op} int32`);
      }
    },
  });
  cases.push({
    name: 'unary on empty arrays writes nothing and does not throw',
    run(backend) {
      for (const dtype of FLOATS) {
        backend.unary('exp', backend.alloc(dtype, 0), backend.alloc(dtype, 0));
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

function binaryCases(): ConformanceCase[] {
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
            backend.binary(spec.op, a, layout.a.strides, b, layout.b.strides, out, layout.shape);
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

function whereCases(): ConformanceCase[] {
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
        backend.where(cond, layout.cond.strides, a, layout.a.strides, b, layout.b.strides, out, layout.shape);
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

// ---- copy ----------------------------------------------------------------------------------------

interface CopyLayout {
  name: string;
  shape: number[];
  srcSize: number;
  srcOffset: number;
  srcStrides: number[];
  dstSize: number;
  dstOffset: number;
  dstStrides: number[];
}

const COPY_LAYOUTS: readonly CopyLayout[] = [
  {
    name: 'contiguous with offsets',
    shape: [6, 4],
    srcSize: 30,
    srcOffset: 3,
    srcStrides: [4, 1],
    dstSize: 30,
    dstOffset: 5,
    dstStrides: [4, 1],
  },
  {
    name: 'permute [2,3,4] → [4,2,3]',
    shape: [4, 2, 3],
    srcSize: 24,
    srcOffset: 0,
    srcStrides: [1, 12, 4],
    dstSize: 24,
    dstOffset: 0,
    dstStrides: [6, 3, 1],
  },
  { name: 'slice with a step', shape: [3, 3], srcSize: 40, srcOffset: 9, srcStrides: [8, 2], dstSize: 9, dstOffset: 0, dstStrides: [3, 1] },
  { name: 'expand a column', shape: [3, 5], srcSize: 3, srcOffset: 0, srcStrides: [1, 0], dstSize: 15, dstOffset: 0, dstStrides: [5, 1] },
  { name: 'expand a scalar', shape: [2, 2], srcSize: 1, srcOffset: 0, srcStrides: [0, 0], dstSize: 4, dstOffset: 0, dstStrides: [2, 1] },
  {
    name: 'into a block of a wider matrix (concat)',
    shape: [4, 3],
    srcSize: 12,
    srcOffset: 0,
    srcStrides: [3, 1],
    dstSize: 28,
    dstOffset: 2,
    dstStrides: [7, 1],
  },
  {
    name: 'rows of unequal pitch',
    shape: [2, 3],
    srcSize: 6,
    srcOffset: 0,
    srcStrides: [3, 1],
    dstSize: 8,
    dstOffset: 0,
    dstStrides: [4, 1],
  },
  {
    name: 'long runs with size-1 axes',
    shape: [1, 2, 1, 40],
    srcSize: 80,
    srcOffset: 0,
    srcStrides: [80, 40, 40, 1],
    dstSize: 90,
    dstOffset: 10,
    dstStrides: [0, 40, 3, 1],
  },
  {
    name: 'a transposed long matrix',
    shape: [40, 3],
    srcSize: 120,
    srcOffset: 0,
    srcStrides: [1, 40],
    dstSize: 120,
    dstOffset: 0,
    dstStrides: [3, 1],
  },
  { name: '0-d with offsets', shape: [], srcSize: 5, srcOffset: 4, srcStrides: [], dstSize: 3, dstOffset: 1, dstStrides: [] },
  { name: 'empty', shape: [3, 0], srcSize: 4, srcOffset: 0, srcStrides: [0, 1], dstSize: 4, dstOffset: 0, dstStrides: [0, 1] },
];

function copyCases(): ConformanceCase[] {
  return (['float32', 'float64', 'int32'] as const).map((dtype, k) => ({
    name: `copy ${dtype} with strides and offsets (untouched elements stay)`,
    run(backend: Backend) {
      const gen = new Generator(400 + k);
      for (const layout of COPY_LAYOUTS) {
        const srcValues =
          dtype === 'int32'
            ? Array.from({ length: layout.srcSize }, () => gen.integer(-1000, 1000))
            : tiedValues(gen, layout.srcSize, [NaN, Infinity, -0]);
        const src = filled(backend, dtype, srcValues);
        const dst = filled(
          backend,
          dtype,
          Array.from({ length: layout.dstSize }, (_, i) => -1 - i),
        );
        const expected = Float64Array.from(dst);
        for (let i = 0; i < sizeOf(layout.shape); i++) {
          const idx = unravel(i, layout.shape);
          expected[at(idx, layout.dstStrides, layout.dstOffset)] = src[at(idx, layout.srcStrides, layout.srcOffset)]!;
        }
        backend.copy(src, layout.srcOffset, layout.srcStrides, dst, layout.dstOffset, layout.dstStrides, layout.shape);
        check(dst, expected, EXACT, `copy ${dtype}, ${layout.name}`);
      }
    },
  }));
}

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

function reduceCases(): ConformanceCase[] {
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
            backend.reduce(op, x, outer, size, inner, out);
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

function argReduceCases(): ConformanceCase[] {
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
            backend.argReduce(op, x, outer, size, inner, out);
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

function softmaxCases(): ConformanceCase[] {
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
            backend.softmax(x, outer, size, inner, out, log);
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
  backend.matmul(a, b, out, p);
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

function matmulCases(): ConformanceCase[] {
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

// ---- indexing ------------------------------------------------------------------------------------

const INDEX_SHAPES: readonly [number, number, number][] = [
  [1, 5, 1],
  [2, 6, 3],
  [3, 4, 1],
  [2, 3, 40],
];

function dataValues(gen: Generator, dtype: DType, n: number): number[] {
  return dtype === 'int32' ? Array.from({ length: n }, () => gen.integer(-100, 100)) : tiedValues(gen, n, [NaN, -Infinity]);
}

function indexingCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  const dtypes = ['float32', 'float64', 'int32'] as const;
  for (const dtype of dtypes) {
    cases.push({
      name: `indexSelect ${dtype}: repeated, empty and single indices`,
      run(backend) {
        const gen = new Generator(900);
        for (const [outer, size, inner] of INDEX_SHAPES) {
          for (const indexValues of [[size - 1, 0, 0, 2], [], [1]]) {
            const x = filled(backend, dtype, dataValues(gen, dtype, outer * size * inner));
            const index = filled(backend, 'int32', indexValues) as Int32Array;
            const count = indexValues.length;
            const out = filled(backend, dtype, new Array<number>(outer * count * inner).fill(SENTINEL));
            backend.indexSelect(x, outer, size, inner, index, out);
            const expected = new Float64Array(outer * count * inner);
            for (let o = 0; o < outer; o++) {
              for (let j = 0; j < count; j++) {
                for (let i = 0; i < inner; i++) expected[(o * count + j) * inner + i] = x[(o * size + indexValues[j]!) * inner + i]!;
              }
            }
            check(out, expected, EXACT, `indexSelect ${dtype} [${outer}, ${size}, ${inner}] index [${indexValues.join(', ')}]`);
          }
        }
      },
    });
    cases.push({
      name: `gather ${dtype}: index sizes 0, 1 and larger than the axis`,
      run(backend) {
        const gen = new Generator(910);
        for (const [outer, size, inner] of INDEX_SHAPES) {
          for (const indexSize of [0, 1, 7]) {
            const x = filled(backend, dtype, dataValues(gen, dtype, outer * size * inner));
            const indexValues = Array.from({ length: outer * indexSize * inner }, () => gen.integer(0, size));
            const index = filled(backend, 'int32', indexValues) as Int32Array;
            const out = filled(backend, dtype, new Array<number>(indexValues.length).fill(SENTINEL));
            backend.gather(x, outer, size, inner, index, indexSize, out);
            const expected = new Float64Array(indexValues.length);
            for (let o = 0; o < outer; o++) {
              for (let j = 0; j < indexSize; j++) {
                for (let i = 0; i < inner; i++) {
                  const p = (o * indexSize + j) * inner + i;
                  expected[p] = x[(o * size + indexValues[p]!) * inner + i]!;
                }
              }
            }
            check(out, expected, EXACT, `gather ${dtype} [${outer}, ${size}, ${inner}] indexSize ${indexSize}`);
          }
        }
      },
    });
  }
  for (const dtype of FLOATS) {
    cases.push({
      name: `indexAdd ${dtype}: accumulates into out, repeated indices add up, NaN propagates`,
      run(backend) {
        const gen = new Generator(920);
        for (const [outer, size, inner] of INDEX_SHAPES) {
          for (const indexValues of [[size - 1, 0, 0, 2, 0], [], [1]]) {
            const count = indexValues.length;
            const src = filled(backend, dtype, dataValues(gen, dtype, outer * count * inner));
            const index = filled(backend, 'int32', indexValues) as Int32Array;
            const out = filled(backend, dtype, uniform(gen, outer * size * inner, -1, 1));
            const expected = Float64Array.from(out);
            for (let o = 0; o < outer; o++) {
              for (let j = 0; j < count; j++) {
                for (let i = 0; i < inner; i++) expected[(o * size + indexValues[j]!) * inner + i]! += src[(o * count + j) * inner + i]!;
              }
            }
            backend.indexAdd(src, outer, size, inner, index, out);
            check(out, expected, ACCUMULATED[dtype], `indexAdd ${dtype} [${outer}, ${size}, ${inner}] index [${indexValues.join(', ')}]`);
          }
        }
      },
    });
    cases.push({
      name: `scatterAdd ${dtype}: accumulates into out, colliding indices add up`,
      run(backend) {
        const gen = new Generator(930);
        for (const [outer, size, inner] of INDEX_SHAPES) {
          for (const indexSize of [0, 1, 7]) {
            const n = outer * indexSize * inner;
            const src = filled(backend, dtype, dataValues(gen, dtype, n));
            const indexValues = Array.from({ length: n }, () => gen.integer(0, size));
            const index = filled(backend, 'int32', indexValues) as Int32Array;
            const out = filled(backend, dtype, uniform(gen, outer * size * inner, -1, 1));
            const expected = Float64Array.from(out);
            for (let o = 0; o < outer; o++) {
              for (let j = 0; j < indexSize; j++) {
                for (let i = 0; i < inner; i++) {
                  const p = (o * indexSize + j) * inner + i;
                  expected[(o * size + indexValues[p]!) * inner + i]! += src[p]!;
                }
              }
            }
            backend.scatterAdd(src, outer, size, inner, index, indexSize, out);
            check(out, expected, ACCUMULATED[dtype], `scatterAdd ${dtype} [${outer}, ${size}, ${inner}] indexSize ${indexSize}`);
          }
        }
      },
    });
  }
  return cases;
}

// ---- fused recurrent cells -----------------------------------------------------------------------

/** [rows, hidden] of the cell cases: odd sizes (no SIMD width divides 5 or 7), one row, no rows. */
const CELL_SHAPES: readonly (readonly [number, number])[] = [
  [3, 5],
  [1, 7],
  [2, 1],
  [0, 4],
];

function sigmoidReference(v: number): number {
  return v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v));
}

/** Gate pre-activations in [-4, 4] with saturated ones (±30, ±1000) sprinkled in: σ and tanh must not overflow. */
function gateValues(gen: Generator, n: number): number[] {
  const out = uniform(gen, n, -4, 4);
  [30, -30, 1000, -1000].forEach((v, j) => {
    if (n > 0) out[(j * 11 + 2) % n] = v;
  });
  return out;
}

/** What the LSTM step computes, per the contract, from float64 copies of the inputs. */
function lstmReference(
  gates: ArrayLike<number>,
  cPrev: ArrayLike<number>,
  rows: number,
  H: number,
  storage: FloatArray,
): { h: Float64Array; c: Float64Array; saved: Float64Array } {
  const h = new Float64Array(rows * H);
  const c = new Float64Array(rows * H);
  const saved = new Float64Array(rows * 5 * H);
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < H; j++) {
      const pre = (k: number): number => gates[r * 4 * H + k * H + j]!;
      const [i, f, g, o] = [sigmoidReference(pre(0)), sigmoidReference(pre(1)), Math.tanh(pre(2)), sigmoidReference(pre(3))];
      // c as the backend stores it (float32 rounds), since h reads the stored c.
      storage[0] = f * cPrev[r * H + j]! + i * g;
      c[r * H + j] = storage[0]!;
      const tc = Math.tanh(c[r * H + j]!);
      h[r * H + j] = o * tc;
      [i, f, g, o, tc].forEach((v, k) => (saved[r * 5 * H + k * H + j] = v));
    }
  }
  return { h, c, saved };
}

function gruReference(
  xProj: ArrayLike<number>,
  hProj: ArrayLike<number>,
  hPrev: ArrayLike<number>,
  rows: number,
  H: number,
): { h: Float64Array; saved: Float64Array } {
  const h = new Float64Array(rows * H);
  const saved = new Float64Array(rows * 3 * H);
  for (let row = 0; row < rows; row++) {
    for (let j = 0; j < H; j++) {
      const at3 = (k: number): number => row * 3 * H + k * H + j;
      const r = sigmoidReference(xProj[at3(0)]! + hProj[at3(0)]!);
      const z = sigmoidReference(xProj[at3(1)]! + hProj[at3(1)]!);
      const n = Math.tanh(xProj[at3(2)]! + r * hProj[at3(2)]!);
      h[row * H + j] = (1 - z) * n + z * hPrev[row * H + j]!;
      saved[at3(0)] = r;
      saved[at3(1)] = z;
      saved[at3(2)] = n;
    }
  }
  return { h, saved };
}

function recurrentCellCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of FLOATS) {
    const tol = ELEMENTWISE[dtype];
    cases.push({
      name: `lstmCellForward ${dtype}: h, c and the saved activations (σi, σf, tanh g, σo, tanh c); saturated gates stay finite`,
      run(backend) {
        const gen = new Generator(1000);
        for (const [rows, H] of CELL_SHAPES) {
          const what = `lstmCellForward ${dtype} [${rows}, ${H}]`;
          const gates = filled(backend, dtype, gateValues(gen, rows * 4 * H)) as FloatArray;
          const cPrev = filled(backend, dtype, uniform(gen, rows * H, -2, 2)) as FloatArray;
          const expected = lstmReference(gates, cPrev, rows, H, backend.alloc(dtype, 1) as FloatArray);
          const sentinel = (n: number): FloatArray => filled(backend, dtype, new Array<number>(n).fill(SENTINEL)) as FloatArray;
          const [h, c, saved] = [sentinel(rows * H), sentinel(rows * H), sentinel(rows * 5 * H)];
          backend.lstmCellForward(gates, cPrev, rows, H, h, c, saved);
          check(h, expected.h, tol, `${what}: h`);
          check(c, expected.c, tol, `${what}: c`);
          check(saved, expected.saved, tol, `${what}: saved`);
          // Without a saved buffer (inference) the outputs are the same.
          const [h2, c2] = [sentinel(rows * H), sentinel(rows * H)];
          backend.lstmCellForward(gates, cPrev, rows, H, h2, c2, null);
          check(h2, expected.h, tol, `${what}: h without saved`);
          check(c2, expected.c, tol, `${what}: c without saved`);
        }
      },
    });
    cases.push({
      name: `lstmCellBackward ${dtype}: dGates and dcPrev from the saved activations`,
      run(backend) {
        const gen = new Generator(1010);
        for (const [rows, H] of CELL_SHAPES) {
          const gatesValues = gateValues(gen, rows * 4 * H);
          const cPrevValues = uniform(gen, rows * H, -2, 2);
          const { saved: savedValues } = lstmReference(gatesValues, cPrevValues, rows, H, new Float64Array(1));
          const saved = filled(backend, dtype, savedValues) as FloatArray;
          const cPrev = filled(backend, dtype, cPrevValues) as FloatArray;
          const dh = filled(backend, dtype, uniform(gen, rows * H, -1, 1)) as FloatArray;
          const dc = filled(backend, dtype, uniform(gen, rows * H, -1, 1)) as FloatArray;
          const dGates = filled(backend, dtype, new Array<number>(rows * 4 * H).fill(SENTINEL)) as FloatArray;
          const dcPrev = filled(backend, dtype, new Array<number>(rows * H).fill(SENTINEL)) as FloatArray;
          backend.lstmCellBackward(saved, cPrev, dh, dc, rows, H, dGates, dcPrev);
          const expectedGates = new Float64Array(rows * 4 * H);
          const expectedC = new Float64Array(rows * H);
          for (let r = 0; r < rows; r++) {
            for (let j = 0; j < H; j++) {
              const [i, f, g, o, tc] = [0, 1, 2, 3, 4].map((k) => saved[r * 5 * H + k * H + j]!) as [
                number,
                number,
                number,
                number,
                number,
              ];
              const s = r * H + j;
              const dcTotal = dc[s]! + dh[s]! * o * (1 - tc * tc);
              expectedGates[r * 4 * H + j] = dcTotal * g * i * (1 - i);
              expectedGates[r * 4 * H + H + j] = dcTotal * cPrev[s]! * f * (1 - f);
              expectedGates[r * 4 * H + 2 * H + j] = dcTotal * i * (1 - g * g);
              expectedGates[r * 4 * H + 3 * H + j] = dh[s]! * tc * o * (1 - o);
              expectedC[s] = dcTotal * f;
            }
          }
          check(dGates, expectedGates, ACCUMULATED[dtype], `lstmCellBackward ${dtype} [${rows}, ${H}]: dGates`);
          check(dcPrev, expectedC, ACCUMULATED[dtype], `lstmCellBackward ${dtype} [${rows}, ${H}]: dcPrev`);
        }
      },
    });
    cases.push({
      name: `gruCellForward ${dtype}: PyTorch's step (b_hn inside the reset product) and the saved r, z, n`,
      run(backend) {
        const gen = new Generator(1020);
        for (const [rows, H] of CELL_SHAPES) {
          const what = `gruCellForward ${dtype} [${rows}, ${H}]`;
          const xProj = filled(backend, dtype, gateValues(gen, rows * 3 * H)) as FloatArray;
          const hProj = filled(backend, dtype, uniform(gen, rows * 3 * H, -3, 3)) as FloatArray;
          const hPrev = filled(backend, dtype, uniform(gen, rows * H, -1, 1)) as FloatArray;
          const expected = gruReference(xProj, hProj, hPrev, rows, H);
          const h = filled(backend, dtype, new Array<number>(rows * H).fill(SENTINEL)) as FloatArray;
          const saved = filled(backend, dtype, new Array<number>(rows * 3 * H).fill(SENTINEL)) as FloatArray;
          backend.gruCellForward(xProj, hProj, hPrev, rows, H, h, saved);
          check(h, expected.h, ACCUMULATED[dtype], `${what}: h`);
          check(saved, expected.saved, tol, `${what}: saved`);
          const h2 = filled(backend, dtype, new Array<number>(rows * H).fill(SENTINEL)) as FloatArray;
          backend.gruCellForward(xProj, hProj, hPrev, rows, H, h2, null);
          check(h2, expected.h, ACCUMULATED[dtype], `${what}: h without saved`);
        }
      },
    });
    cases.push({
      name: `gruCellBackward ${dtype}: dxProj, dhProj and the direct dhPrev from the saved gates`,
      run(backend) {
        const gen = new Generator(1030);
        for (const [rows, H] of CELL_SHAPES) {
          const xValues = gateValues(gen, rows * 3 * H);
          const hProjValues = uniform(gen, rows * 3 * H, -3, 3);
          const hPrevValues = uniform(gen, rows * H, -1, 1);
          const saved = filled(backend, dtype, gruReference(xValues, hProjValues, hPrevValues, rows, H).saved) as FloatArray;
          const hProj = filled(backend, dtype, hProjValues) as FloatArray;
          const hPrev = filled(backend, dtype, hPrevValues) as FloatArray;
          const dh = filled(backend, dtype, uniform(gen, rows * H, -1, 1)) as FloatArray;
          const out = (n: number): FloatArray => filled(backend, dtype, new Array<number>(n).fill(SENTINEL)) as FloatArray;
          const [dxProj, dhProj, dhPrev] = [out(rows * 3 * H), out(rows * 3 * H), out(rows * H)];
          backend.gruCellBackward(saved, hProj, hPrev, dh, rows, H, dxProj, dhProj, dhPrev);
          const expectedX = new Float64Array(rows * 3 * H);
          const expectedHProj = new Float64Array(rows * 3 * H);
          const expectedHPrev = new Float64Array(rows * H);
          for (let row = 0; row < rows; row++) {
            for (let j = 0; j < H; j++) {
              const at3 = (k: number): number => row * 3 * H + k * H + j;
              const [r, z, n] = [saved[at3(0)]!, saved[at3(1)]!, saved[at3(2)]!];
              const g = dh[row * H + j]!;
              const dn = g * (1 - z) * (1 - n * n);
              const dr = dn * hProj[at3(2)]! * r * (1 - r);
              const dz = g * (hPrev[row * H + j]! - n) * z * (1 - z);
              [dr, dz, dn].forEach((v, k) => (expectedX[at3(k)] = v));
              [dr, dz, dn * r].forEach((v, k) => (expectedHProj[at3(k)] = v));
              expectedHPrev[row * H + j] = g * z;
            }
          }
          const what = `gruCellBackward ${dtype} [${rows}, ${H}]`;
          check(dxProj, expectedX, ACCUMULATED[dtype], `${what}: dxProj`);
          check(dhProj, expectedHProj, ACCUMULATED[dtype], `${what}: dhProj`);
          check(dhPrev, expectedHPrev, ACCUMULATED[dtype], `${what}: dhPrev`);
        }
      },
    });
  }
  return cases;
}

// ---- fused cross-entropy -------------------------------------------------------------------------

interface CrossEntropySetup {
  name: string;
  params: CrossEntropyParams;
  weighted: boolean;
}

const CROSS_ENTROPY_SETUPS: readonly CrossEntropySetup[] = [
  { name: 'plain', params: { rows: 6, classes: 7, ignoreIndex: -100, labelSmoothing: 0 }, weighted: false },
  { name: 'weights, ignored rows', params: { rows: 6, classes: 7, ignoreIndex: 2, labelSmoothing: 0 }, weighted: true },
  { name: 'label smoothing 0.2', params: { rows: 5, classes: 9, ignoreIndex: -100, labelSmoothing: 0.2 }, weighted: false },
  { name: 'weights, smoothing 0.1, ignored rows', params: { rows: 6, classes: 5, ignoreIndex: 0, labelSmoothing: 0.1 }, weighted: true },
  { name: 'one class', params: { rows: 3, classes: 1, ignoreIndex: -100, labelSmoothing: 0.3 }, weighted: false },
  { name: 'no rows', params: { rows: 0, classes: 4, ignoreIndex: -100, labelSmoothing: 0 }, weighted: true },
];

interface CrossEntropyInputs {
  logits: number[];
  target: number[];
  weight: number[] | null;
}

/**
 * Logits in [-3, 3] with one row shifted by +100 (exp would overflow float32 unstabilised), a −∞
 * logit off the target where ε = 0 (the loss stays finite), and targets that hit `ignoreIndex`.
 */
function crossEntropyInputs(gen: Generator, setup: CrossEntropySetup): CrossEntropyInputs {
  const { rows, classes, ignoreIndex, labelSmoothing } = setup.params;
  const logits = uniform(gen, rows * classes, -3, 3);
  const target = Array.from({ length: rows }, (_, n) => (n % 3 === 1 && ignoreIndex >= 0 ? ignoreIndex : gen.integer(0, classes)));
  if (rows > 1) for (let c = 0; c < classes; c++) logits[classes + c]! += 100;
  if (rows > 2 && classes > 1 && labelSmoothing === 0) logits[2 * classes + ((target[2]! + 1) % classes)] = -Infinity;
  const weight = setup.weighted ? uniform(gen, classes, 0.2, 2) : null;
  return { logits, target, weight };
}

/** Per-row max, log-sum and loss by the contract's formulas, in float64. */
function crossEntropyReference(
  logits: ArrayLike<number>,
  inputs: CrossEntropyInputs,
  params: CrossEntropyParams,
): { losses: Float64Array; rowMax: Float64Array; logSum: Float64Array } {
  const { rows, classes, ignoreIndex, labelSmoothing: eps } = params;
  const losses = new Float64Array(rows);
  const rowMax = new Float64Array(rows);
  const logSum = new Float64Array(rows);
  const w = (c: number): number => (inputs.weight === null ? 1 : inputs.weight[c]!);
  for (let n = 0; n < rows; n++) {
    const row = Array.from({ length: classes }, (_, c) => logits[n * classes + c]!);
    const m = Math.max(...row);
    const logS = Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    rowMax[n] = m;
    logSum[n] = logS;
    const t = inputs.target[n]!;
    if (t === ignoreIndex) continue;
    let loss = -(w(t) * (row[t]! - m - logS));
    if (eps > 0) loss = (1 - eps) * loss - (eps / classes) * row.reduce((s, v, c) => s + w(c) * (v - m - logS), 0);
    losses[n] = loss;
  }
  return { losses, rowMax, logSum };
}

function crossEntropyCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of FLOATS) {
    const sentinel = (backend: Backend, n: number): FloatArray => filled(backend, dtype, new Array<number>(n).fill(SENTINEL)) as FloatArray;
    cases.push({
      name: `crossEntropyForward ${dtype}: per-row loss, max and log-sum with weights, ignoreIndex and label smoothing, stable for large logits`,
      run(backend) {
        const gen = new Generator(1100);
        for (const setup of CROSS_ENTROPY_SETUPS) {
          const inputs = crossEntropyInputs(gen, setup);
          const { rows } = setup.params;
          const logits = filled(backend, dtype, inputs.logits) as FloatArray;
          const target = filled(backend, 'int32', inputs.target) as Int32Array;
          const weight = inputs.weight === null ? null : (filled(backend, dtype, inputs.weight) as FloatArray);
          const [losses, rowMax, logSum] = [sentinel(backend, rows), sentinel(backend, rows), sentinel(backend, rows)];
          backend.crossEntropyForward(logits, target, weight, setup.params, losses, rowMax, logSum);
          // The reference reads the stored (possibly float32-rounded) logits and weights.
          const expected = crossEntropyReference(logits, { ...inputs, weight: weight === null ? null : Array.from(weight) }, setup.params);
          const what = `crossEntropyForward ${dtype}, ${setup.name}`;
          check(losses, expected.losses, ACCUMULATED[dtype], `${what}: losses`);
          check(rowMax, expected.rowMax, EXACT, `${what}: rowMax`);
          check(logSum, expected.logSum, ACCUMULATED[dtype], `${what}: logSum`);
        }
      },
    });
    cases.push({
      name: `crossEntropyBackward ${dtype}: (softmax − target distribution)·scale, zero on ignored rows`,
      run(backend) {
        const gen = new Generator(1110);
        for (const setup of CROSS_ENTROPY_SETUPS) {
          const inputs = crossEntropyInputs(gen, setup);
          const { rows, classes, ignoreIndex, labelSmoothing: eps } = setup.params;
          const logits = filled(backend, dtype, inputs.logits) as FloatArray;
          const target = filled(backend, 'int32', inputs.target) as Int32Array;
          const weight = inputs.weight === null ? null : (filled(backend, dtype, inputs.weight) as FloatArray);
          const stats = crossEntropyReference(logits, inputs, setup.params);
          const rowMax = filled(backend, dtype, stats.rowMax) as FloatArray;
          const logSum = filled(backend, dtype, stats.logSum) as FloatArray;
          const scale = filled(backend, dtype, uniform(gen, rows, -2, 2)) as FloatArray;
          const dLogits = sentinel(backend, rows * classes);
          backend.crossEntropyBackward(logits, target, weight, setup.params, rowMax, logSum, scale, dLogits);
          const w = (c: number): number => (weight === null ? 1 : weight[c]!);
          let weightSum = 0;
          for (let c = 0; c < classes; c++) weightSum += w(c);
          const expected = new Float64Array(rows * classes);
          for (let n = 0; n < rows; n++) {
            const t = target[n]!;
            if (t === ignoreIndex) continue;
            const mass = (1 - eps) * w(t) + (eps / classes) * weightSum;
            for (let c = 0; c < classes; c++) {
              const p = Math.exp(logits[n * classes + c]! - rowMax[n]! - logSum[n]!);
              expected[n * classes + c] = scale[n]! * (p * mass - (c === t ? (1 - eps) * w(t) : 0) - (eps / classes) * w(c));
            }
          }
          check(dLogits, expected, ACCUMULATED[dtype], `crossEntropyBackward ${dtype}, ${setup.name}`);
        }
      },
    });
  }
  return cases;
}

// ---- sparse (CSR) and segment kernels ------------------------------------------------------------

/** [rows, cols, feat] of the CSR cases: one feature, odd widths (no SIMD width divides 3 or 17), the GCN widths. */
const CSR_SHAPES: readonly (readonly [number, number, number])[] = [
  [7, 5, 1],
  [7, 5, 3],
  [6, 9, 16],
  [5, 4, 17],
  [9, 6, 64],
  [4, 3, 0],
  [0, 3, 5],
];

interface CsrStructure {
  rowPtr: Int32Array;
  colIndex: Int32Array;
}

/**
 * A random CSR structure with empty rows (every third row, and the last), repeated columns
 * within a row and sorted columns; `entries = 0` gives no entries at all.
 */
function randomCsr(backend: Backend, gen: Generator, rows: number, cols: number, entries: number): CsrStructure {
  const perRow: number[][] = Array.from({ length: rows }, () => []);
  for (let e = 0; e < entries && rows > 1 && cols > 0; e++) {
    const r = gen.integer(0, rows - 1);
    if (r % 3 === 1) continue;
    const c = gen.integer(0, cols);
    perRow[r]!.push(c);
    if (e % 4 === 0) perRow[r]!.push(c);
  }
  const ptr = [0];
  const col: number[] = [];
  for (const row of perRow) {
    col.push(...row.sort((p, q) => p - q));
    ptr.push(col.length);
  }
  return { rowPtr: filled(backend, 'int32', ptr) as Int32Array, colIndex: filled(backend, 'int32', col) as Int32Array };
}

function sparseCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of FLOATS) {
    cases.push({
      name: `spmmCsr ${dtype}: weighted and implicit ones, empty rows, repeated entries, no entries; overwrites out`,
      run(backend) {
        const gen = new Generator(1200);
        for (const [rows, cols, feat] of CSR_SHAPES) {
          for (const entries of [3 * rows, 0]) {
            const { rowPtr, colIndex } = randomCsr(backend, gen, rows, cols, entries);
            const nnz = colIndex.length;
            const xValues = uniform(gen, cols * feat, -2, 2);
            // NaN and Infinity propagate: put them where some row reads them.
            if (nnz > 0 && feat > 0) {
              xValues[colIndex[0]! * feat] = NaN;
              xValues[colIndex[nnz - 1]! * feat + feat - 1] = -Infinity;
            }
            const x = filled(backend, dtype, xValues) as FloatArray;
            for (const weighted of [true, false]) {
              const values = weighted ? (filled(backend, dtype, uniform(gen, nnz, -2, 2)) as FloatArray) : null;
              const out = filled(backend, dtype, new Array<number>(rows * feat).fill(SENTINEL)) as FloatArray;
              backend.spmmCsr(rowPtr, colIndex, values, x, rows, feat, out);
              const expected = new Float64Array(rows * feat);
              for (let r = 0; r < rows; r++) {
                for (let k = rowPtr[r]!; k < rowPtr[r + 1]!; k++) {
                  const v = values === null ? 1 : values[k]!;
                  for (let f = 0; f < feat; f++) expected[r * feat + f]! += v * x[colIndex[k]! * feat + f]!;
                }
              }
              check(
                out,
                expected,
                ACCUMULATED[dtype],
                `spmmCsr ${dtype} [${rows}, ${cols}] · [${cols}, ${feat}], nnz ${nnz}, ${weighted ? 'weighted' : 'ones'}`,
              );
            }
          }
        }
      },
    });
    cases.push({
      name: `sddmmCsr ${dtype}: one dot product per entry, repeated entries, feat 0 writes zeros`,
      run(backend) {
        const gen = new Generator(1210);
        for (const [rows, cols, feat] of CSR_SHAPES) {
          const { rowPtr, colIndex } = randomCsr(backend, gen, rows, cols, 3 * rows);
          const nnz = colIndex.length;
          const a = filled(backend, dtype, uniform(gen, rows * feat, -2, 2)) as FloatArray;
          const b = filled(backend, dtype, uniform(gen, cols * feat, -2, 2)) as FloatArray;
          const out = filled(backend, dtype, new Array<number>(nnz).fill(SENTINEL)) as FloatArray;
          backend.sddmmCsr(rowPtr, colIndex, a, b, rows, feat, out);
          const expected = new Float64Array(nnz);
          for (let r = 0; r < rows; r++) {
            for (let k = rowPtr[r]!; k < rowPtr[r + 1]!; k++) {
              for (let f = 0; f < feat; f++) expected[k]! += a[r * feat + f]! * b[colIndex[k]! * feat + f]!;
            }
          }
          check(out, expected, ACCUMULATED[dtype], `sddmmCsr ${dtype} [${rows}, ${cols}], feat ${feat}, nnz ${nnz}`);
        }
      },
    });
  }
  return cases;
}

/** [entries, size, inner] of the segment cases: more entries than segments, an inner axis, none at all. */
const SEGMENT_SHAPES: readonly (readonly [number, number, number])[] = [
  [13, 5, 1],
  [11, 4, 3],
  [20, 3, 8],
  [0, 3, 2],
];

/** Segment of each entry: unsorted, never segment 1 (an empty segment), and segment 0 at least twice. */
function segmentIndex(gen: Generator, entries: number, size: number): number[] {
  return Array.from({ length: entries }, (_, e) => {
    if (e < 2) return 0;
    const s = gen.integer(0, size);
    return s === 1 ? size - 1 : s;
  });
}

function segmentCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const op of ['max', 'min'] as const) {
    for (const dtype of ['float32', 'float64', 'int32'] as const) {
      cases.push({
        name: `scatterReduce ${op} ${dtype}: the first entry wins ties${dtype === 'int32' ? '' : ', the first NaN wins'}, empty segments give 0 and −1`,
        run(backend) {
          const gen = new Generator(1300);
          for (const [entries, size, inner] of SEGMENT_SHAPES) {
            const indexValues = segmentIndex(gen, entries, size);
            const srcValues = dataValues(gen, dtype, entries * inner);
            if (dtype !== 'int32' && entries > 4) {
              srcValues[3 * inner] = NaN;
              srcValues[4 * inner] = NaN;
            }
            const src = filled(backend, dtype, srcValues);
            const index = filled(backend, 'int32', indexValues) as Int32Array;
            const out = filled(backend, dtype, new Array<number>(size * inner).fill(SENTINEL));
            const arg = filled(backend, 'int32', new Array<number>(size * inner).fill(SENTINEL)) as Int32Array;
            backend.scatterReduce(op, src, index, size, inner, out, arg);
            const expectedOut = new Float64Array(size * inner);
            const expectedArg = new Float64Array(size * inner).fill(-1);
            for (let e = 0; e < entries; e++) {
              for (let i = 0; i < inner; i++) {
                const p = indexValues[e]! * inner + i;
                const v = src[e * inner + i]!;
                const a = expectedArg[p]!;
                const current = expectedOut[p]!;
                const better = a < 0 || (!Number.isNaN(current) && (Number.isNaN(v) || (op === 'max' ? v > current : v < current)));
                if (better) {
                  expectedOut[p] = v;
                  expectedArg[p] = e;
                }
              }
            }
            const what = `scatterReduce ${op} ${dtype} entries ${entries}, size ${size}, inner ${inner}`;
            check(out, expectedOut, EXACT, `${what}: out`);
            check(arg, expectedArg, EXACT, `${what}: arg`);
          }
        },
      });
    }
  }
  for (const dtype of FLOATS) {
    cases.push({
      name: `segmentSoftmax ${dtype}: per segment and column, stable for large scores, −∞ entries, an all −∞ segment is NaN, empty segments`,
      run(backend) {
        const gen = new Generator(1310);
        for (const [entries, size, inner] of SEGMENT_SHAPES) {
          const indexValues = segmentIndex(gen, entries, size);
          const srcValues = uniform(gen, entries * inner, -3, 3);
          // Segment 0's first column: one huge score (exp(1000) overflows even float64) and one −∞.
          if (entries > 1) {
            srcValues[0] = 1000;
            srcValues[inner] = -Infinity;
          }
          // The last segment's last column: all −∞ (NaN, as the dense softmax).
          for (let e = 0; e < entries; e++) if (indexValues[e] === size - 1) srcValues[e * inner + inner - 1] = -Infinity;
          const src = filled(backend, dtype, srcValues) as FloatArray;
          const index = filled(backend, 'int32', indexValues) as Int32Array;
          const out = filled(backend, dtype, new Array<number>(entries * inner).fill(SENTINEL)) as FloatArray;
          const segmentMax = filled(backend, dtype, new Array<number>(size * inner).fill(SENTINEL)) as FloatArray;
          const segmentSum = filled(backend, dtype, new Array<number>(size * inner).fill(SENTINEL)) as FloatArray;
          backend.segmentSoftmax(src, index, size, inner, out, segmentMax, segmentSum);
          const m = new Float64Array(size * inner).fill(-Infinity);
          const z = new Float64Array(size * inner);
          for (let e = 0; e < entries; e++)
            for (let i = 0; i < inner; i++) m[indexValues[e]! * inner + i] = Math.max(m[indexValues[e]! * inner + i]!, src[e * inner + i]!);
          for (let e = 0; e < entries; e++)
            for (let i = 0; i < inner; i++)
              z[indexValues[e]! * inner + i]! += Math.exp(src[e * inner + i]! - m[indexValues[e]! * inner + i]!);
          const expected = Array.from({ length: entries * inner }, (_, p) => {
            const q = indexValues[Math.floor(p / inner)]! * inner + (p % inner);
            return Math.exp(src[p]! - m[q]!) / z[q]!;
          });
          const what = `segmentSoftmax ${dtype} entries ${entries}, size ${size}, inner ${inner}`;
          check(out, expected, ACCUMULATED[dtype], `${what}: out`);
          // m and z where the max is finite, and the empty segment's −∞ and 0.
          const finite = (values: ArrayLike<number>): number[] =>
            Array.from(values).filter((_, q) => Number.isFinite(m[q]!) || !indexValues.includes(Math.floor(q / inner)));
          check(finite(segmentMax), finite(m), EXACT, `${what}: segmentMax`);
          check(finite(segmentSum), finite(z), ACCUMULATED[dtype], `${what}: segmentSum`);
        }
      },
    });
  }
  return cases;
}

// ---- fused recurrent sequences ----------------------------------------------------------------------

interface SequenceSetup {
  name: string;
  params: { steps: number; rows: number; hidden: number; reverse: boolean };
  bias: boolean;
}

/** Odd hidden sizes (no SIMD width divides them), one step, one row, reversed walks, no bias, no rows. */
const SEQUENCE_SETUPS: readonly SequenceSetup[] = [
  { name: 'T 3, B 2, H 5', params: { steps: 3, rows: 2, hidden: 5, reverse: false }, bias: true },
  { name: 'reversed, no bias, T 4, B 3, H 2', params: { steps: 4, rows: 3, hidden: 2, reverse: true }, bias: false },
  { name: 'T 1, B 1, H 7', params: { steps: 1, rows: 1, hidden: 7, reverse: false }, bias: true },
  { name: 'reversed, T 2, B 2, H 1', params: { steps: 2, rows: 2, hidden: 1, reverse: true }, bias: true },
  { name: 'no rows', params: { steps: 2, rows: 0, hidden: 3, reverse: false }, bias: true },
];

/** A sequence's results accumulate float32 rounding over the steps (through the states and the GEMMs). */
const SEQUENCE: Record<FloatType, Tolerance> = { float32: { rtol: 1e-4, atol: 1e-4 }, float64: { rtol: 1e-10, atol: 1e-11 } };

/** Time indices in processing order. */
function sequenceOrder(p: SequenceSetup['params']): number[] {
  const ts = Array.from({ length: p.steps }, (_, k) => k);
  return p.reverse ? ts.reverse() : ts;
}

/** `x[rows, width]` times `w[gates, width]`ᵀ (w read transposed), plus `add[rows, gates]` and `bias`. */
function rowsTimesTransposed(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  rows: number,
  width: number,
  gates: number,
  bias: ArrayLike<number> | null,
): Float64Array {
  const out = new Float64Array(rows * gates);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < gates; g++) {
      let s = bias === null ? 0 : bias[g]!;
      for (let j = 0; j < width; j++) s += x[r * width + j]! * w[g * width + j]!;
      out[r * gates + g] = s;
    }
  }
  return out;
}

/** `d[rows, gates]` times `w[gates, width]`: the recurrent gradient. */
function rowsTimes(d: ArrayLike<number>, w: ArrayLike<number>, rows: number, gates: number, width: number): Float64Array {
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++)
    for (let g = 0; g < gates; g++)
      for (let j = 0; j < width; j++) out[r * width + j] = out[r * width + j]! + d[r * gates + g]! * w[g * width + j]!;
  return out;
}

function blockOf(x: ArrayLike<number>, t: number, size: number): number[] {
  return Array.from({ length: size }, (_, i) => x[t * size + i]!);
}

/** The LSTM recurrence per the contract, each step by `lstmReference`; states rounded to `storage`'s type as a backend stores them. */
function lstmSequenceReference(
  x: ArrayLike<number>,
  h0: ArrayLike<number>,
  c0: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number> | null,
  p: SequenceSetup['params'],
  storage: FloatArray,
) {
  const { steps, rows, hidden: H } = p;
  const size = rows * H;
  const hs = new Float64Array(steps * size);
  const cs = new Float64Array(steps * size);
  const saved = new Float64Array(steps * 5 * size);
  let h: ArrayLike<number> = h0;
  let c: ArrayLike<number> = c0;
  for (const t of sequenceOrder(p)) {
    const gates = rowsTimesTransposed(h, w, rows, H, 4 * H, b);
    blockOf(x, t, 4 * size).forEach((v, i) => (gates[i] = gates[i]! + v));
    const step = lstmReference(gates, c, rows, H, storage);
    const round = (v: number): number => ((storage[0] = v), storage[0]!);
    hs.set(step.h.map(round), t * size);
    cs.set(step.c, t * size);
    saved.set(step.saved, t * 5 * size);
    h = hs.subarray(t * size, (t + 1) * size);
    c = cs.subarray(t * size, (t + 1) * size);
  }
  return { hs, cs, saved };
}

function gruSequenceReference(
  x: ArrayLike<number>,
  h0: ArrayLike<number>,
  w: ArrayLike<number>,
  bx: ArrayLike<number> | null,
  b: ArrayLike<number> | null,
  p: SequenceSetup['params'],
  storage: FloatArray,
) {
  const { steps, rows, hidden: H } = p;
  const size = rows * H;
  const hs = new Float64Array(steps * size);
  const saved = new Float64Array(steps * 3 * size);
  const hProj = new Float64Array(steps * 3 * size);
  const round = (v: number): number => ((storage[0] = v), storage[0]!);
  let h: ArrayLike<number> = h0;
  for (const t of sequenceOrder(p)) {
    const hp = rowsTimesTransposed(h, w, rows, H, 3 * H, b).map(round);
    const xb = blockOf(x, t, 3 * size).map((v, i) => (bx === null ? v : v + bx[i % (3 * H)]!));
    const step = gruReference(xb, hp, h, rows, H);
    hs.set(step.h.map(round), t * size);
    saved.set(step.saved, t * 3 * size);
    hProj.set(hp, t * 3 * size);
    h = hs.subarray(t * size, (t + 1) * size);
  }
  return { hs, saved, hProj };
}

function recurrentSequenceCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of FLOATS) {
    const tol = SEQUENCE[dtype];
    const sentinel = (backend: Backend, n: number): FloatArray => filled(backend, dtype, new Array<number>(n).fill(SENTINEL)) as FloatArray;
    const values = (backend: Backend, gen: Generator, n: number, scale: number): FloatArray =>
      filled(backend, dtype, uniform(gen, n, -scale, scale)) as FloatArray;
    cases.push({
      name: `lstmSequenceForward ${dtype}: every step's h, c and saved activations, forward and reversed, with and without b_hh`,
      run(backend) {
        const gen = new Generator(1200);
        for (const setup of SEQUENCE_SETUPS) {
          const p = setup.params;
          const { steps, rows, hidden: H } = p;
          const what = `lstmSequenceForward ${dtype}, ${setup.name}`;
          const x = filled(backend, dtype, gateValues(gen, steps * rows * 4 * H)) as FloatArray;
          const [h0, c0, w] = [values(backend, gen, rows * H, 1), values(backend, gen, rows * H, 2), values(backend, gen, 4 * H * H, 0.8)];
          const b = setup.bias ? values(backend, gen, 4 * H, 0.5) : null;
          const expected = lstmSequenceReference(x, h0, c0, w, b, p, backend.alloc(dtype, 1) as FloatArray);
          const [hs, cs, saved] = [
            sentinel(backend, steps * rows * H),
            sentinel(backend, steps * rows * H),
            sentinel(backend, steps * rows * 5 * H),
          ];
          backend.lstmSequenceForward(x, h0, c0, w, b, p, hs, cs, saved);
          check(hs, expected.hs, tol, `${what}: hs`);
          check(cs, expected.cs, tol, `${what}: cs`);
          check(saved, expected.saved, tol, `${what}: saved`);
          const [hs2, cs2] = [sentinel(backend, steps * rows * H), sentinel(backend, steps * rows * H)];
          backend.lstmSequenceForward(x, h0, c0, w, b, p, hs2, cs2, null);
          check(hs2, expected.hs, tol, `${what}: hs without saved`);
          check(cs2, expected.cs, tol, `${what}: cs without saved`);
        }
      },
    });
    cases.push({
      name: `lstmSequenceBackward ${dtype}: dXProj, dh0 and dc0 through every step, with and without output gradients`,
      run(backend) {
        const gen = new Generator(1210);
        for (const setup of SEQUENCE_SETUPS) {
          const p = setup.params;
          const { steps, rows, hidden: H } = p;
          const size = rows * H;
          const [x, h0, c0, w] = [
            gateValues(gen, steps * rows * 4 * H),
            uniform(gen, size, -1, 1),
            uniform(gen, size, -2, 2),
            uniform(gen, 4 * H * H, -0.8, 0.8),
          ];
          const forward = lstmSequenceReference(x, h0, c0, w, null, p, new Float64Array(1));
          const wStored = filled(backend, dtype, w) as FloatArray;
          const saved = filled(backend, dtype, forward.saved) as FloatArray;
          const cs = filled(backend, dtype, forward.cs) as FloatArray;
          const c0Stored = filled(backend, dtype, c0) as FloatArray;
          for (const withGrads of [true, false]) {
            const dHs = withGrads ? values(backend, gen, steps * size, 1) : null;
            const dhLast = withGrads ? values(backend, gen, size, 1) : null;
            const dcLast = values(backend, gen, size, 1);
            const [dX, dh0, dc0] = [sentinel(backend, steps * rows * 4 * H), sentinel(backend, size), sentinel(backend, size)];
            backend.lstmSequenceBackward(wStored, saved, c0Stored, cs, dHs, dhLast, dcLast, p, dX, dh0, dc0);
            // The reference, per the contract: the carried dc, dh = dHs[t] + the recurrent gradient (dhLast last).
            const expectedX = new Float64Array(steps * rows * 4 * H);
            let dc: Float64Array = Float64Array.from(dcLast);
            let dhRec: Float64Array = new Float64Array(size);
            const ts = sequenceOrder(p);
            for (let k = steps - 1; k >= 0; k--) {
              const t = ts[k]!;
              const cPrev = k === 0 ? c0Stored : blockOf(cs, ts[k - 1]!, size);
              const dGates = new Float64Array(rows * 4 * H);
              const dcNext = new Float64Array(size);
              for (let r = 0; r < rows; r++) {
                for (let j = 0; j < H; j++) {
                  const s = r * H + j;
                  const [i, f, g, o, tc] = [0, 1, 2, 3, 4].map((q) => saved[t * 5 * size + r * 5 * H + q * H + j]!) as [
                    number,
                    number,
                    number,
                    number,
                    number,
                  ];
                  const dh = (dHs === null ? 0 : dHs[t * size + s]!) + (k === steps - 1 ? (dhLast === null ? 0 : dhLast[s]!) : dhRec[s]!);
                  const dcTotal = dc[s]! + dh * o * (1 - tc * tc);
                  dGates[r * 4 * H + j] = dcTotal * g * i * (1 - i);
                  dGates[r * 4 * H + H + j] = dcTotal * cPrev[s]! * f * (1 - f);
                  dGates[r * 4 * H + 2 * H + j] = dcTotal * i * (1 - g * g);
                  dGates[r * 4 * H + 3 * H + j] = dh * tc * o * (1 - o);
                  dcNext[s] = dcTotal * f;
                }
              }
              expectedX.set(dGates, t * rows * 4 * H);
              dc = dcNext;
              dhRec = rowsTimes(dGates, wStored, rows, 4 * H, H);
            }
            const what = `lstmSequenceBackward ${dtype}, ${setup.name}${withGrads ? '' : ', no dHs or dhLast'}`;
            check(dX, expectedX, tol, `${what}: dXProj`);
            check(dh0, dhRec, tol, `${what}: dh0`);
            check(dc0, dc, tol, `${what}: dc0`);
          }
        }
      },
    });
    cases.push({
      name: `gruSequenceForward ${dtype}: every step's h, saved r, z, n and hProj (with b_hh), with and without b_ih, forward and reversed`,
      run(backend) {
        const gen = new Generator(1220);
        for (const setup of SEQUENCE_SETUPS) {
          const p = setup.params;
          const { steps, rows, hidden: H } = p;
          const what = `gruSequenceForward ${dtype}, ${setup.name}`;
          const x = filled(backend, dtype, gateValues(gen, steps * rows * 3 * H)) as FloatArray;
          const [h0, w] = [values(backend, gen, rows * H, 1), values(backend, gen, 3 * H * H, 0.8)];
          const bx = setup.bias ? values(backend, gen, 3 * H, 0.5) : null;
          const b = setup.bias ? values(backend, gen, 3 * H, 0.5) : null;
          const expected = gruSequenceReference(x, h0, w, bx, b, p, backend.alloc(dtype, 1) as FloatArray);
          const [hs, saved, hProj] = [
            sentinel(backend, steps * rows * H),
            sentinel(backend, steps * rows * 3 * H),
            sentinel(backend, steps * rows * 3 * H),
          ];
          backend.gruSequenceForward(x, h0, w, bx, b, p, hs, saved, hProj);
          check(hs, expected.hs, tol, `${what}: hs`);
          check(saved, expected.saved, tol, `${what}: saved`);
          check(hProj, expected.hProj, tol, `${what}: hProj`);
          const hs2 = sentinel(backend, steps * rows * H);
          backend.gruSequenceForward(x, h0, w, bx, b, p, hs2, null, null);
          check(hs2, expected.hs, tol, `${what}: hs without saved`);
        }
      },
    });
    cases.push({
      name: `gruSequenceBackward ${dtype}: dXProj, dHProj and dh0 through every step, with and without output gradients`,
      run(backend) {
        const gen = new Generator(1230);
        for (const setup of SEQUENCE_SETUPS) {
          const p = setup.params;
          const { steps, rows, hidden: H } = p;
          const size = rows * H;
          const width = rows * 3 * H;
          const [x, h0, w, b] = [
            gateValues(gen, steps * width),
            uniform(gen, size, -1, 1),
            uniform(gen, 3 * H * H, -0.8, 0.8),
            uniform(gen, 3 * H, -0.5, 0.5),
          ];
          const forward = gruSequenceReference(x, h0, w, null, b, p, new Float64Array(1));
          const [wStored, saved, hProj, h0Stored, hs] = [w, forward.saved, forward.hProj, h0, forward.hs].map(
            (v) => filled(backend, dtype, v) as FloatArray,
          ) as [FloatArray, FloatArray, FloatArray, FloatArray, FloatArray];
          for (const withGrads of [true, false]) {
            const dHs = values(backend, gen, steps * size, 1);
            const dhLast = withGrads ? values(backend, gen, size, 1) : null;
            const [dX, dHP, dh0] = [sentinel(backend, steps * width), sentinel(backend, steps * width), sentinel(backend, size)];
            backend.gruSequenceBackward(wStored, saved, hProj, h0Stored, hs, dHs, dhLast, p, dX, dHP, dh0);
            const expectedX = new Float64Array(steps * width);
            const expectedHP = new Float64Array(steps * width);
            // The gradient reaching the state before step k (in processing order): direct z ⊙ dh plus dHProj·W_hh.
            let carried: Float64Array = dhLast === null ? new Float64Array(size) : Float64Array.from(dhLast);
            const ts = sequenceOrder(p);
            for (let k = steps - 1; k >= 0; k--) {
              const t = ts[k]!;
              const hPrev = k === 0 ? h0Stored : blockOf(hs, ts[k - 1]!, size);
              const dhp = new Float64Array(width);
              const direct = new Float64Array(size);
              for (let row = 0; row < rows; row++) {
                for (let j = 0; j < H; j++) {
                  const at3 = (q: number): number => t * width + row * 3 * H + q * H + j;
                  const [r, z, n] = [saved[at3(0)]!, saved[at3(1)]!, saved[at3(2)]!];
                  const g = dHs[t * size + row * H + j]! + carried[row * H + j]!;
                  const dn = g * (1 - z) * (1 - n * n);
                  const dr = dn * hProj[at3(2)]! * r * (1 - r);
                  const dz = g * (hPrev[row * H + j]! - n) * z * (1 - z);
                  [dr, dz, dn].forEach((v, q) => (expectedX[at3(q)] = v));
                  [dr, dz, dn * r].forEach((v, q) => (expectedHP[at3(q)] = v));
                  for (let q = 0; q < 3; q++) dhp[row * 3 * H + q * H + j] = [dr, dz, dn * r][q]!;
                  direct[row * H + j] = g * z;
                }
              }
              const rec = rowsTimes(dhp, wStored, rows, 3 * H, H);
              carried = direct.map((v, i) => v + rec[i]!);
            }
            const what = `gruSequenceBackward ${dtype}, ${setup.name}${withGrads ? '' : ', no dhLast'}`;
            check(dX, expectedX, tol, `${what}: dXProj`);
            check(dHP, expectedHP, tol, `${what}: dHProj`);
            check(dh0, carried, tol, `${what}: dh0`);
          }
        }
      },
    });
  }
  return cases;
}
