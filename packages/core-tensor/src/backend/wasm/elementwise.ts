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
 *
 * The scratch is bounded (`blockBytes`): large arrays go through it a block at a time (contiguous
 * chunks, blocks of rows, for reductions blocks of the reduced axis added up in float64), so the
 * wasm memory, which never shrinks, does not grow to the size of the largest tensor (a binary op on
 * [10⁶, 128] float32 operands took 1.5 GB of it at once). Blocks are faster than one piece, as a
 * block is still in cache when the kernel reads it and when it is copied out (Node 20, [10⁵, 128]
 * float32, best of 7: mul 20.4 → 12.2 ms, relu 11.6 → 7.5 ms, exp 20.8 → 17.1 ms).
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

/** Most bytes of scratch an elementwise call, reduction or softmax uses at once (all its blocks' operands together). */
export const DEFAULT_ELEMENTWISE_BLOCK_BYTES = 4 << 20;
const CHEAP: Partial<Record<UnaryOp, true>> = { relu: true, leakyRelu: true };

type UnaryKernel = CoreKernels['unary'];
type BinaryKernel = CoreKernels['binary'];
type ReduceKernel = CoreKernels['reduce'];
type SoftmaxKernel = CoreKernels['softmax'];

/** `Backend.unary` on `runtime`, through at most `blockBytes` of scratch at a time. */
export function createUnary(
  runtime: WasmRuntime,
  thresholds = DEFAULT_ELEMENTWISE_THRESHOLDS,
  blockBytes = DEFAULT_ELEMENTWISE_BLOCK_BYTES,
): UnaryKernel {
  const block = blockFloats(blockBytes);
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
    const chunk = Math.min(n, block);
    const base = runtime.reserve(align(chunk * 4));
    if (base < 0) {
      jsUnary({ op, x, out, p0, p1 });
      return;
    }
    const f32 = runtime.floats32();
    const at = base >> 2;
    for (let start = 0; start < n; start += chunk) {
      const length = Math.min(chunk, n - start);
      f32.set(x.subarray(start, start + length), at);
      runtime.exports.unaryF32(code, base, base, length, p0 ?? 0);
      out.set(f32.subarray(at, at + length), start);
    }
  };
}

/** Floats of a block of `bytes` (a multiple of 16, at least 64). */
function blockFloats(bytes: number): number {
  return Math.max(64, Math.floor(bytes / 64) * 16);
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

/** `Backend.binary` on `runtime`, through at most `blockBytes` of scratch at a time. */
export function createBinary(
  runtime: WasmRuntime,
  thresholds = DEFAULT_ELEMENTWISE_THRESHOLDS,
  blockBytes = DEFAULT_ELEMENTWISE_BLOCK_BYTES,
): BinaryKernel {
  // Three arrays of a block (a, b, out) share the scratch.
  const block = blockFloats(blockBytes / 3);
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
    // Blocks of whole rows, or (a row longer than a block) pieces of one row.
    const blockRows = cols <= block ? Math.min(rows, Math.floor(block / cols)) : 1;
    const blockCols = Math.min(cols, block);
    const aBytes = align(extent(ra, blockRows, blockCols) * 4);
    const bBytes = align(extent(rb, blockRows, blockCols) * 4);
    // out padded by a vector: a row's last vector may run past the block's end.
    const base = runtime.reserve(aBytes + bBytes + align(blockRows * blockCols * 4 + 16));
    if (base < 0) {
      jsBinary({ op, a, aStrides, b, bStrides, out, shape });
      return;
    }
    const aAddr = base;
    const bAddr = aAddr + aBytes;
    const outAddr = bAddr + bBytes;
    const f32 = runtime.floats32();
    const perRow = (r: Reading): number => (r.kind === 'full' || r.kind === 'column' ? 1 : 0);
    const alongRow = (r: Reading): number => (r.kind === 'full' || r.kind === 'row' ? 1 : 0);
    for (let r0 = 0; r0 < rows; r0 += blockRows) {
      const r1 = Math.min(rows, r0 + blockRows);
      for (let c0 = 0; c0 < cols; c0 += blockCols) {
        const c1 = Math.min(cols, c0 + blockCols);
        // A repeated row or a scalar is the same in every block of whole rows: copied once.
        const again = r0 > 0 && blockCols === cols;
        copyOperand(a, ra, r0, r1, c0, c1, cols, again, f32, aAddr >> 2);
        copyOperand(b, rb, r0, r1, c0, c1, cols, again, f32, bAddr >> 2);
        const blockN = (r1 - r0) * (c1 - c0);
        runtime.exports.binaryF32(code, aAddr, perRow(ra), alongRow(ra), bAddr, perRow(rb), alongRow(rb), outAddr, r1 - r0, c1 - c0);
        out.set(f32.subarray(outAddr >> 2, (outAddr >> 2) + blockN), r0 * cols + c0);
      }
    }
  };
}

/**
 * Copies what operand `x`, read as `r`, contributes to output rows [r0, r1) × columns [c0, c1)
 * (whole rows, or a piece of one row) to `f32[at]`; a repeated row or a scalar not `again`.
 */
function copyOperand(
  x: Float32Array,
  r: Reading,
  r0: number,
  r1: number,
  c0: number,
  c1: number,
  cols: number,
  again: boolean,
  f32: Float32Array,
  at: number,
): void {
  switch (r.kind) {
    case 'full':
      f32.set(x.subarray(r0 * cols + c0, (r1 - 1) * cols + c1), at);
      return;
    case 'column':
      f32.set(x.subarray(r0, r1), at);
      return;
    case 'row':
      if (!again) f32.set(x.subarray(c0, c1), at);
      return;
    case 'scalar':
      if (!again) f32[at] = x[0]!;
      return;
  }
}

/** The row length both readings agree on (0 if they do not). */
function commonCols(a: Reading, b: Reading, n: number): number {
  const ca = a.kind === 'row' || a.kind === 'column' ? a.cols : 0;
  const cb = b.kind === 'row' || b.kind === 'column' ? b.cols : 0;
  if (ca && cb) return ca === cb ? ca : 0;
  if (a.kind === 'scalar' && b.kind === 'scalar') return 0; // a single value: not worth a call
  return ca || cb || n;
}

/**
 * `Backend.softmax` on `runtime`: float32 over the last axis (inner = 1) in wasm, blocks of rows
 * through at most `blockBytes` of scratch (one row at a time if a row is longer); the rest in js.
 */
export function createSoftmax(
  runtime: WasmRuntime,
  thresholds = DEFAULT_ELEMENTWISE_THRESHOLDS,
  blockBytes = DEFAULT_ELEMENTWISE_BLOCK_BYTES,
): SoftmaxKernel {
  const block = blockFloats(blockBytes);
  return function softmax({ x, outer, size, inner, out, log }) {
    const n = outer * size;
    if (inner !== 1 || !(x instanceof Float32Array) || !(out instanceof Float32Array) || n < thresholds.transcendental || size === 0) {
      jsSoftmax({ x, outer, size, inner, out, log });
      return;
    }
    const blockRows = Math.max(1, Math.min(outer, Math.floor(block / size)));
    const base = runtime.reserve(align(blockRows * size * 4));
    if (base < 0) {
      jsSoftmax({ x, outer, size, inner, out, log });
      return;
    }
    const f32 = runtime.floats32();
    const at = base >> 2;
    for (let r0 = 0; r0 < outer; r0 += blockRows) {
      const rows = Math.min(blockRows, outer - r0);
      f32.set(x.subarray(r0 * size, (r0 + rows) * size), at);
      runtime.exports.softmaxRowsF32(base, rows, size, log ? 1 : 0);
      out.set(f32.subarray(at, at + rows * size), r0 * size);
    }
  };
}

/** The reduction kernel added by this module, not yet in `KernelExports` (assembly/elementwise.ts). */
interface ReduceAccExports {
  reduceAccF32(op: number, x: number, size: number, inner: number, acc: number): void;
}

const REDUCE_START: Record<number, number> = { 0: 0, 1: -Infinity, 2: Infinity };

/**
 * `Backend.reduce` on `runtime`: float32 sum (in float64), max and min in wasm, through at most
 * `blockBytes` of scratch: blocks of whole `[size, inner]` slices, or, for a slice larger than a
 * block, blocks of the reduced axis combined in a float64 accumulator. prod, other dtypes and an
 * `inner` too long for a block run in js.
 */
export function createReduce(
  runtime: WasmRuntime,
  thresholds = DEFAULT_ELEMENTWISE_THRESHOLDS,
  blockBytes = DEFAULT_ELEMENTWISE_BLOCK_BYTES,
): ReduceKernel {
  const block = blockFloats(blockBytes / 2);
  const kernels = runtime.exports as typeof runtime.exports & ReduceAccExports;
  return function reduce({ op, x, outer, size, inner, out }) {
    const code = REDUCE_CODES[op];
    const n = outer * size * inner;
    const slice = size * inner;
    if (code === undefined || !(x instanceof Float32Array) || !(out instanceof Float32Array) || n < thresholds.binary || inner > block) {
      jsReduce({ op, x, outer, size, inner, out });
      return;
    }
    const accBytes = align(8 * inner + 32);
    if (slice <= block) {
      // Blocks of whole slices: out[o0 +: count] in one call each.
      const count = Math.min(outer, Math.floor(block / slice));
      const xBytes = align(4 * count * slice);
      const outBytes = align(4 * count * inner);
      const base = runtime.reserve(xBytes + outBytes + accBytes);
      if (base < 0) {
        jsReduce({ op, x, outer, size, inner, out });
        return;
      }
      const f32 = runtime.floats32();
      const outAddr = base + xBytes;
      for (let o0 = 0; o0 < outer; o0 += count) {
        const slices = Math.min(count, outer - o0);
        f32.set(x.subarray(o0 * slice, (o0 + slices) * slice), base >> 2);
        kernels.reduceF32(code, base, slices, size, inner, outAddr, outAddr + outBytes);
        out.set(f32.subarray(outAddr >> 2, (outAddr >> 2) + slices * inner), o0 * inner);
      }
      return;
    }
    // A slice larger than a block: its rows a block at a time into a float64 accumulator.
    const blockSize = Math.max(1, Math.floor(block / inner));
    const xBytes = align(4 * blockSize * inner);
    const base = runtime.reserve(xBytes + accBytes);
    if (base < 0) {
      jsReduce({ op, x, outer, size, inner, out });
      return;
    }
    const f32 = runtime.floats32();
    const accAddr = base + xBytes;
    const acc = new Float64Array(f32.buffer, accAddr, inner);
    for (let o = 0; o < outer; o++) {
      acc.fill(REDUCE_START[code]!);
      for (let k0 = 0; k0 < size; k0 += blockSize) {
        const rows = Math.min(blockSize, size - k0);
        const start = o * slice + k0 * inner;
        f32.set(x.subarray(start, start + rows * inner), base >> 2);
        kernels.reduceAccF32(code, base, rows, inner, accAddr);
      }
      out.set(acc, o * inner);
    }
  };
}
