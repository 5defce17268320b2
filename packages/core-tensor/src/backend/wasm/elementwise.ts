/**
 * The wasm backend's float32 elementwise kernels, reductions and row softmax
 * (assembly/elementwise.ts).
 *
 * What pays for the copy in and out (measured in Node 20, ns per element js → wasm on large
 * arrays): transcendental unary ops (exp, log, tanh, sigmoid, elu, gelu-tanh: 10–40 → 2–3), relu
 * (1.5 → 0.4), the common layouts of add / sub / mul / div / maximum / minimum (equal shapes, a
 * scalar, a repeated row such as a bias, a repeated column: 1.9–2.3 → 0.5–0.6), softmax over the
 * last axis (13 → 2.5), sum / max / min (0.5–1.7 → 0.3–0.8). Everything else, float64 and int32
 * storage, and arrays below the size thresholds run in the js kernels.
 */

import type { BinaryOp, CoreKernels, ReduceOp, UnaryOp } from '../backend.js';
import { binary as jsBinary, unary as jsUnary } from '../js/elementwise.js';
import { reduce as jsReduce, softmax as jsSoftmax } from '../js/reduce.js';
import { align, type WasmRuntime } from './runtime.js';

/** Op numbers of assembly/elementwise.ts. */
const UNARY_CODES: Partial<Record<UnaryOp, number>> = { exp: 0, log: 1, tanh: 2, sigmoid: 3, relu: 4, leakyRelu: 5, elu: 6, geluTanh: 7 };
const BINARY_CODES: Partial<Record<BinaryOp, number>> = { add: 0, sub: 1, mul: 2, div: 3, maximum: 4, minimum: 5 };
const REDUCE_CODES: Partial<Record<ReduceOp, number>> = { sum: 0, max: 1, min: 2 };

/**
 * Fewest elements for which a kernel runs in wasm; below, the js kernel wins (the copies and the
 * call cost more than they save). Measured in Node 20: transcendental ops win from a few dozen
 * elements, cheap ones (relu, add, sum) only from one or two thousand.
 */
export interface ElementwiseThresholds {
  /** exp, log, tanh, sigmoid, elu, geluTanh, and softmax. */
  transcendental: number;
  /** relu, leakyRelu. */
  cheapUnary: number;
  /** add, sub, mul, div, maximum, minimum; and the reductions sum, max, min. */
  binary: number;
}

export const DEFAULT_ELEMENTWISE_THRESHOLDS: ElementwiseThresholds = { transcendental: 64, cheapUnary: 1024, binary: 2048 };
const CHEAP: Partial<Record<UnaryOp, true>> = { relu: true, leakyRelu: true };

type UnaryKernel = CoreKernels['unary'];
type BinaryKernel = CoreKernels['binary'];
type ReduceKernel = CoreKernels['reduce'];
type SoftmaxKernel = CoreKernels['softmax'];

/** `Backend.unary` on `runtime`. */
export function createUnary(runtime: WasmRuntime, thresholds = DEFAULT_ELEMENTWISE_THRESHOLDS): UnaryKernel {
  return function unary({ op, x, out, p0, p1 }) {
    const code = UNARY_CODES[op];
    const n = x.length;
    if (
      code === undefined ||
      !(x instanceof Float32Array) ||
      !(out instanceof Float32Array) ||
      n < (CHEAP[op] ? thresholds.cheapUnary : thresholds.transcendental)
    ) {
      jsUnary({ op, x, out, p0, p1 });
      return;
    }
    const base = runtime.reserve(align(n * 4));
    if (base < 0) {
      jsUnary({ op, x, out, p0, p1 });
      return;
    }
    runtime.floats32().set(x, base >> 2);
    runtime.exports.unaryF32(code, base, base, n, p0 ?? 0);
    out.set(runtime.floats32().subarray(base >> 2, (base >> 2) + n));
  };
}

/**
 * How an operand of a broadcast binary op is read, seen as rows × cols of the output:
 * `full` (its own value everywhere), `scalar`, `row` (one block of `cols` repeated for every row)
 * or `column` (one value per row, repeated along it).
 */
type Reading = { kind: 'full' } | { kind: 'scalar' } | { kind: 'row'; cols: number } | { kind: 'column'; cols: number };

/** Classifies an operand's broadcast strides over `shape`; null for a layout the kernel does not take. */
function classify(strides: readonly number[], shape: readonly number[]): Reading | null {
  // Walk from the last axis: first the axes it reads contiguously (a block), then broadcast ones.
  // Axes of size 1 do not move the read position and are skipped.
  let d = shape.length - 1;
  let block = 1;
  for (; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== block) break;
    block *= shape[d]!;
  }
  let rest = d;
  for (; rest >= 0; rest--) if (shape[rest] !== 1 && strides[rest] !== 0) break;
  if (rest < 0) {
    if (d < 0) return FULL;
    return block === 1 ? SCALAR : { kind: 'row', cols: block };
  }
  // Not a repeated block: maybe contiguous leading axes with broadcast trailing ones.
  d = shape.length - 1;
  let trailing = 1;
  for (; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== 0) break;
    trailing *= shape[d]!;
  }
  let stride = 1;
  for (; d >= 0; d--) {
    if (shape[d] === 1) continue;
    if (strides[d] !== stride) return null;
    stride *= shape[d]!;
  }
  return { kind: 'column', cols: trailing };
}

const FULL: Reading = { kind: 'full' };
const SCALAR: Reading = { kind: 'scalar' };

/** Elements the kernel reads from an operand read as `r` over `rows` × `cols`. */
function extent(r: Reading, rows: number, cols: number): number {
  switch (r.kind) {
    case 'full':
      return rows * cols;
    case 'scalar':
      return 1;
    case 'row':
      return cols;
    case 'column':
      return rows;
  }
}

/** `Backend.binary` on `runtime`. */
export function createBinary(runtime: WasmRuntime, thresholds = DEFAULT_ELEMENTWISE_THRESHOLDS): BinaryKernel {
  return function binary({ op, a, aStrides, b, bStrides, out, shape }) {
    const code = BINARY_CODES[op];
    const n = out.length;
    if (
      code === undefined ||
      !(a instanceof Float32Array) ||
      !(b instanceof Float32Array) ||
      !(out instanceof Float32Array) ||
      n < thresholds.binary
    ) {
      jsBinary({ op, a, aStrides, b, bStrides, out, shape });
      return;
    }
    const ra = classify(aStrides, shape);
    const rb = classify(bStrides, shape);
    const cols = ra && rb ? commonCols(ra, rb, n) : 0;
    if (!ra || !rb || cols === 0) {
      jsBinary({ op, a, aStrides, b, bStrides, out, shape });
      return;
    }
    const rows = n / cols;
    const aLen = extent(ra, rows, cols);
    const bLen = extent(rb, rows, cols);
    const base = runtime.reserve(align(aLen * 4) + align(bLen * 4) + align(n * 4));
    if (base < 0) {
      jsBinary({ op, a, aStrides, b, bStrides, out, shape });
      return;
    }
    const aAddr = base;
    const bAddr = aAddr + align(aLen * 4);
    const outAddr = bAddr + align(bLen * 4);
    const f32 = runtime.floats32();
    f32.set(a.subarray(0, aLen), aAddr >> 2);
    f32.set(b.subarray(0, bLen), bAddr >> 2);
    const perRow = (r: Reading): number => (r.kind === 'full' || r.kind === 'column' ? 1 : 0);
    const alongRow = (r: Reading): number => (r.kind === 'full' || r.kind === 'row' ? 1 : 0);
    runtime.exports.binaryF32(code, aAddr, perRow(ra), alongRow(ra), bAddr, perRow(rb), alongRow(rb), outAddr, rows, cols);
    out.set(runtime.floats32().subarray(outAddr >> 2, (outAddr >> 2) + n));
  };
}

/** The row length both readings agree on (0 if they do not). */
function commonCols(a: Reading, b: Reading, n: number): number {
  const ca = a.kind === 'row' || a.kind === 'column' ? a.cols : 0;
  const cb = b.kind === 'row' || b.kind === 'column' ? b.cols : 0;
  if (ca && cb) return ca === cb ? ca : 0;
  if (a.kind === 'scalar' && b.kind === 'scalar') return 0; // a single value: not worth a call
  return ca || cb || n;
}

/** `Backend.softmax` on `runtime`: float32 over the last axis (inner = 1) in wasm, the rest in js. */
export function createSoftmax(runtime: WasmRuntime, thresholds = DEFAULT_ELEMENTWISE_THRESHOLDS): SoftmaxKernel {
  return function softmax({ x, outer, size, inner, out, log }) {
    const n = outer * size;
    if (inner !== 1 || !(x instanceof Float32Array) || !(out instanceof Float32Array) || n < thresholds.transcendental || size === 0) {
      jsSoftmax({ x, outer, size, inner, out, log });
      return;
    }
    const base = runtime.reserve(align(n * 4));
    if (base < 0) {
      jsSoftmax({ x, outer, size, inner, out, log });
      return;
    }
    runtime.floats32().set(x.subarray(0, n), base >> 2);
    runtime.exports.softmaxRowsF32(base, outer, size, log ? 1 : 0);
    out.set(runtime.floats32().subarray(base >> 2, (base >> 2) + n));
  };
}

/** `Backend.reduce` on `runtime`: float32 sum (in float64), max and min in wasm; prod and other dtypes in js. */
export function createReduce(runtime: WasmRuntime, thresholds = DEFAULT_ELEMENTWISE_THRESHOLDS): ReduceKernel {
  return function reduce({ op, x, outer, size, inner, out }) {
    const code = REDUCE_CODES[op];
    const n = outer * size * inner;
    if (code === undefined || !(x instanceof Float32Array) || !(out instanceof Float32Array) || n < thresholds.binary) {
      jsReduce({ op, x, outer, size, inner, out });
      return;
    }
    const xBytes = align(4 * n);
    const outBytes = align(4 * outer * inner);
    const base = runtime.reserve(xBytes + outBytes + align(8 * inner + 32));
    if (base < 0) {
      jsReduce({ op, x, outer, size, inner, out });
      return;
    }
    const outAddr = base + xBytes;
    runtime.floats32().set(x.subarray(0, n), base >> 2);
    runtime.exports.reduceF32(code, base, outer, size, inner, outAddr, outAddr + outBytes);
    out.set(runtime.floats32().subarray(outAddr >> 2, (outAddr >> 2) + outer * inner));
  };
}
