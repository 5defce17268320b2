/**
 * The wasm backend's matmul: float32 products run in the SIMD GEMM of assembly/gemm.ts, float64
 * ones (gradient checks) and tiny ones in the js kernel.
 *
 * A call copies the stored operands (transposes are absorbed by the kernel's packing, never copied)
 * into the scratch region, runs, and copies C out: O(m·k + k·n + m·n) copying for O(m·n·k) work.
 * Large products are shared by threads that take units of work from a shared counter: whole
 * products of a batch, else blocks of columns of C (when n ≥ m) or of rows. Each thread packs into
 * its own work area.
 *
 * The scratch is bounded (`blockBytes`, 32 MiB by default): a product whose operands do not fit
 * runs block by block, so the wasm memory, which never shrinks, stays small whatever the operands'
 * size (a GCN layer's [10⁶, 128] input is 512 MB). The GEMM bench shapes (up to 23 MiB of
 * operands) still run whole: in blocks of 16 MiB, 128×1280×4096 measured 5–30% slower. Which blocks (see `planBlocks`): all of k and
 * blocks of rows of op(A) when op(B) is small (X·W), all rows and blocks of k added up in C when C
 * is small (the weight gradient Xᵀ·dY), else tiles of all three.
 */

import type { MatmulArgs, MatmulParams } from '../backend.js';
import { matmul as jsMatmul } from '../js/matmul.js';
import { COUNTER_ADDRESS, OP_GEMM } from './memory-layout.js';
import { align, positional, type WasmRuntime } from './runtime.js';

/** Thresholds of the matmul dispatch, in flops (2·batch·m·n·k). */
export interface MatmulTuning {
  /** Below this, the js kernel is faster than copying into wasm (default 1024 flops, an 8×8×8 product, where they measured even). */
  jsBelow: number;
  /**
   * Below this, a product stays on the calling thread (default 2·10⁶ flops: a 32×128×256 product
   * already ran 1.3× faster on two threads; waking a sleeping worker costs 40–60 µs).
   */
  threadsFrom: number;
  /** Units of work per thread a shared product is cut into (more: better balance, more repacking). */
  unitsPerThread: number;
  /**
   * Most bytes of scratch a call copies its operands into (default 32 MiB); larger products run in
   * blocks of at most this much (tests set a few KiB to cross block edges).
   */
  blockBytes: number;
}

export const DEFAULT_MATMUL_TUNING: MatmulTuning = { jsBelow: 1024, threadsFrom: 2_000_000, unitsPerThread: 2, blockBytes: 32 << 20 };

/** Split granularity along n and m: the micro-tile's width and height; NC: the kernel's panel width. */
const NR = 8;
const MR = 4;
const NC = 1024;
/** The kernel's depth block: chunks of k are multiples of it where they can be. */
const KC = 256;
/** The narrowest unit of work (columns or rows). */
const MIN_UNIT = 32;
/** Fewest rows of op(A) per block when all of k is taken (fewer: per-block costs show). */
const MIN_ROW_BLOCK = 16;
/**
 * Shortest piece of a row a block copy is made of (floats): each piece is a `set` call, which cost
 * far more than the copy below a few hundred floats (Xᵀ·dY at k = 10⁵ in row blocks of 24: 7× slower).
 */
const MIN_PIECE = 256;

/** One parallel gemm call: the products, and how they are cut into units (see assembly/gemm.ts). */
interface Gemm {
  a: number;
  aRow: number;
  aCol: number;
  aBatch: number;
  b: number;
  bRow: number;
  bCol: number;
  bBatch: number;
  c: number;
  ldc: number;
  cBatch: number;
  m: number;
  n: number;
  k: number;
  count: number;
  /** Columns (or rows, with byRows) per unit; 0 = a whole product. */
  unit: number;
  byRows: boolean;
  /** Add the products to C instead of writing them. */
  accumulate: boolean;
}

function args(g: Gemm, work: number, counter: number): number[] {
  return [
    g.a,
    g.aRow,
    g.aCol,
    g.aBatch,
    g.b,
    g.bRow,
    g.bCol,
    g.bBatch,
    g.c,
    g.ldc,
    g.cBatch,
    g.m,
    g.n,
    g.k,
    g.count,
    work,
    counter,
    g.unit,
    (g.byRows ? 1 : 0) | (g.accumulate ? 2 : 0),
  ];
}

/** Batched GEMM with the contract of `Backend.matmul`, on `runtime`. */
export function createMatmul(runtime: WasmRuntime, tuning: MatmulTuning = DEFAULT_MATMUL_TUNING): (args: MatmulArgs) => void {
  const gemm = runtime.exports.gemm;
  const runLocal = positional(gemm);
  const budget = Math.max(64, Math.floor(tuning.blockBytes / 4));

  /** Runs `g` on as many threads as its size pays for. */
  function run(g: Gemm): void {
    const threads = 2 * g.count * g.m * g.n * g.k >= tuning.threadsFrom ? runtime.activeThreads() : 1;
    if (threads > 1 && cutIntoUnits(g, threads, tuning.unitsPerThread)) {
      new Int32Array(runtime.floats32().buffer, COUNTER_ADDRESS, 1)[0] = 0;
      const jobs = Array.from({ length: threads }, (_, t) => args(g, runtime.workArea(t), COUNTER_ADDRESS));
      runtime.parallel(OP_GEMM, jobs, runLocal);
    } else {
      runLocal(args(g, runtime.workArea(0), 0));
    }
  }

  /** Floats of scratch batches [t0, t0 + count) take at once. */
  function batchFloats(p: MatmulParams, count: number): number {
    const { m, n, k, aBatchStride, bBatchStride } = p;
    return (count - 1) * (aBatchStride + bBatchStride) + m * k + k * n + count * m * n + 32;
  }

  /** Runs batches [t0, t1) of a float32 product at once; false when they do not fit in the memory. */
  function runBatches(a: Float32Array, b: Float32Array, out: Float32Array, p: MatmulParams, t0: number, t1: number): boolean {
    const { m, n, k, transA, transB, aBatchStride, bBatchStride } = p;
    const count = t1 - t0;
    const aStart = t0 * aBatchStride;
    const bStart = t0 * bBatchStride;
    const aLen = (count - 1) * aBatchStride + m * k;
    const bLen = (count - 1) * bBatchStride + k * n;
    const cLen = count * m * n;
    const base = runtime.reserve(align(aLen * 4) + align(bLen * 4) + cLen * 4);
    if (base < 0) return false;
    const aAddr = base;
    const bAddr = aAddr + align(aLen * 4);
    const cAddr = bAddr + align(bLen * 4);
    const f32 = runtime.floats32();
    f32.set(a.subarray(aStart, aStart + aLen), aAddr >> 2);
    f32.set(b.subarray(bStart, bStart + bLen), bAddr >> 2);
    run({
      a: aAddr,
      aRow: transA ? 1 : k,
      aCol: transA ? m : 1,
      aBatch: aBatchStride,
      b: bAddr,
      bRow: transB ? 1 : n,
      bCol: transB ? k : 1,
      bBatch: bBatchStride,
      c: cAddr,
      ldc: n,
      cBatch: m * n,
      m,
      n,
      k,
      count,
      unit: 0,
      byRows: false,
      accumulate: false,
    });
    out.set(runtime.floats32().subarray(cAddr >> 2, (cAddr >> 2) + cLen), t0 * m * n);
    return true;
  }

  /**
   * Runs batch t of a product too large for the scratch in blocks (see `planBlocks`): op(A)[i, p]
   * and op(B)[p, j] blocks copied in, C's block accumulated over the blocks of k, then copied out.
   * False when even the blocks do not fit in the memory.
   */
  function runBlocked(a: Float32Array, b: Float32Array, out: Float32Array, p: MatmulParams, t: number): boolean {
    const { m, n, k, transA, transB } = p;
    const { rows, cols, depth } = planBlocks(m, n, k, budget, transA);
    const aBytes = align(rows * depth * 4);
    const bBytes = align(depth * cols * 4);
    const base = runtime.reserve(aBytes + bBytes + align(rows * cols * 4));
    if (base < 0) return false;
    const aAt = base >> 2;
    const bAt = (base + aBytes) >> 2;
    const cAt = (base + aBytes + bBytes) >> 2;
    const f32 = runtime.floats32();
    const aOffset = t * p.aBatchStride;
    const bOffset = t * p.bBatchStride;
    const cOffset = t * m * n;
    let bLoaded = -1;
    for (let j0 = 0; j0 < n; j0 += cols) {
      const nb = Math.min(cols, n - j0);
      for (let i0 = 0; i0 < m; i0 += rows) {
        const mb = Math.min(rows, m - i0);
        for (let p0 = 0; p0 < k; p0 += depth) {
          const kb = Math.min(depth, k - p0);
          // op(A)[i0 +: mb, p0 +: kb]: A is stored [k, m] when transposed, else [m, k].
          if (transA) copyIn(a, aOffset + p0 * m + i0, m, kb, mb, f32, aAt);
          else copyIn(a, aOffset + i0 * k + p0, k, mb, kb, f32, aAt);
          // op(B)[p0 +: kb, j0 +: nb], kept while it is the same block (all of k in one block).
          const bKey = j0 * k + p0;
          if (bKey !== bLoaded) {
            if (transB) copyIn(b, bOffset + j0 * k + p0, k, nb, kb, f32, bAt);
            else copyIn(b, bOffset + p0 * n + j0, n, kb, nb, f32, bAt);
            bLoaded = bKey;
          }
          run({
            a: aAt << 2,
            aRow: transA ? 1 : kb,
            aCol: transA ? mb : 1,
            aBatch: 0,
            b: bAt << 2,
            bRow: transB ? 1 : nb,
            bCol: transB ? kb : 1,
            bBatch: 0,
            c: cAt << 2,
            ldc: nb,
            cBatch: 0,
            m: mb,
            n: nb,
            k: kb,
            count: 1,
            unit: 0,
            byRows: false,
            accumulate: p0 > 0,
          });
        }
        copyOut(f32, cAt, mb, nb, out, cOffset + i0 * n + j0, n);
      }
    }
    return true;
  }

  return function matmul({ a, b, out, ...params }: MatmulArgs) {
    const { batch, m, n, k } = params;
    if (batch <= 0 || m === 0 || n === 0) return;
    if (k === 0) {
      out.fill(0, 0, batch * m * n);
      return;
    }
    if (
      !(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) ||
      2 * batch * m * n * k < tuning.jsBelow
    ) {
      jsMatmul({ a, b, out, ...params });
      return;
    }
    let p = params;
    // A stack of row-major A's times one shared B is a single product with batch·m rows.
    if (batch > 1 && !p.transA && p.bBatchStride === 0 && p.aBatchStride === m * k) p = { ...p, batch: 1, m: batch * m, aBatchStride: 0 };
    // As many batches at once as fit in the block budget; a product larger than it, in blocks.
    let group = 1;
    while (group < p.batch && batchFloats(p, 2 * group) <= budget) group *= 2;
    while (group < p.batch && batchFloats(p, group + 1) <= budget) group++;
    const whole = batchFloats(p, 1) <= budget;
    for (let t0 = 0; t0 < p.batch; t0 += group) {
      const t1 = Math.min(p.batch, t0 + group);
      if (whole && runBatches(a, b, out, p, t0, t1)) continue;
      // The memory cannot grow that far (a small maximum): the same batches in blocks, else in js.
      for (let t = t0; t < t1; t++) {
        if (!runBlocked(a, b, out, p, t)) {
          jsMatmul({ a, b, out, ...params });
          return;
        }
      }
    }
  };
}

/** Rows, columns and depth of the blocks a product runs in when its operands exceed `budget` floats. */
export interface BlockPlan {
  rows: number;
  cols: number;
  depth: number;
}

/**
 * The blocks of an [m, k] · [k, n] product that take at most about `budget` floats of scratch
 * (op(A) block + op(B) block + C block). In order of preference:
 * - all of k, blocks of rows of op(A): op(B) is copied once and each row block once (X·W with X
 *   [N, 128] and W [128, 16]; with op(A) = Aᵀ, only for blocks of MIN_PIECE rows or more: the
 *   block is then k pieces of A's rows);
 * - all rows and columns, blocks of k: C stays in the scratch and each block of k is added to it,
 *   each operand is copied once (the weight gradient Xᵀ·dY, k = N);
 * - tiles of rows, columns and depth (both operands are copied more than once).
 */
export function planBlocks(m: number, n: number, k: number, budget: number, transA = false): BlockPlan {
  if (k * n <= budget / 2) {
    const rows = Math.floor((budget - k * n) / (k + n));
    // A stored [k, m] gives a row block as k pieces of `rows` floats: only worth it for long pieces.
    if (rows >= Math.min(m, transA ? MIN_PIECE : MIN_ROW_BLOCK))
      return { rows: rows >= m ? m : Math.max(1, roundDown(rows, MR)), cols: n, depth: k };
  }
  if (m * n <= budget / 4) {
    const depth = Math.floor((budget - m * n) / (m + n));
    if (depth >= Math.min(k, KC)) return { rows: m, cols: n, depth: depth >= k ? k : roundDown(depth, KC) };
  }
  const side = Math.floor(Math.sqrt(budget / 3));
  const rows = Math.min(m, Math.max(MR, roundDown(side, MR)));
  const cols = Math.min(n, Math.max(NR, roundDown(side, NR)));
  const depth = Math.max(1, Math.floor((budget - rows * cols) / (rows + cols)));
  return { rows, cols, depth: depth >= k ? k : depth >= KC ? roundDown(depth, KC) : depth };
}

/** Copies `rows` × `cols` of the row-major matrix at `src[offset]` (row stride `ld`) to `dst[at]`, contiguous. */
function copyIn(src: Float32Array, offset: number, ld: number, rows: number, cols: number, dst: Float32Array, at: number): void {
  if (cols === ld || rows === 1) {
    dst.set(src.subarray(offset, offset + rows * cols), at);
    return;
  }
  for (let r = 0; r < rows; r++) dst.set(src.subarray(offset + r * ld, offset + r * ld + cols), at + r * cols);
}

/** Copies the contiguous `rows` × `cols` block at `src[at]` into the matrix at `dst[offset]` (row stride `ld`). */
function copyOut(src: Float32Array, at: number, rows: number, cols: number, dst: Float32Array, offset: number, ld: number): void {
  if (cols === ld || rows === 1) {
    dst.set(src.subarray(at, at + rows * cols), offset);
    return;
  }
  for (let r = 0; r < rows; r++) dst.set(src.subarray(at + r * cols, at + (r + 1) * cols), offset + r * ld);
}

/**
 * Chooses the units threads take work in: whole products when there are enough of them, else
 * column blocks of each product (when n ≥ m) or row blocks, about `unitsPerThread` per thread so
 * that a thread that starts late or runs slow leaves its share to the others. A unit repacks the
 * operand it does not cut (A for column blocks), so units stay at least MIN_UNIT wide, and
 * column units at most NC (the kernel's panel width: no extra packing beyond its own). Returns
 * false when the product is too small to share.
 */
function cutIntoUnits(g: Gemm, threads: number, unitsPerThread: number): boolean {
  const { count, m, n } = g;
  if (count >= unitsPerThread * threads) return true; // whole products
  const units = Math.ceil((unitsPerThread * threads) / count);
  if (n >= m) {
    const unit = Math.min(NC, roundUp(Math.max(MIN_UNIT, Math.ceil(n / units)), NR));
    if (count * Math.ceil(n / unit) < 2) return false;
    g.unit = unit;
    return true;
  }
  const unit = roundUp(Math.max(MIN_UNIT, Math.ceil(m / units)), MR);
  if (count * Math.ceil(m / unit) < 2) return false;
  g.unit = unit;
  g.byRows = true;
  return true;
}

function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
}

function roundDown(x: number, multiple: number): number {
  return Math.floor(x / multiple) * multiple;
}
