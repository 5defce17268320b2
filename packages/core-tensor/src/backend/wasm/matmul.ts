/**
 * The wasm backend's matmul: float32 products run in the SIMD GEMM of assembly/gemm.ts, float64
 * ones (gradient checks) and tiny ones in the js kernel.
 *
 * A call copies the stored operands (transposes are absorbed by the kernel's packing, never copied)
 * into the scratch region, runs, and copies C out: O(m·k + k·n + m·n) copying for O(m·n·k) work.
 * Large products are shared by threads that take units of work from a shared counter: whole
 * products of a batch, else blocks of columns of C (when n ≥ m) or of rows. Each thread packs into
 * its own work area.
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
}

export const DEFAULT_MATMUL_TUNING: MatmulTuning = { jsBelow: 1024, threadsFrom: 2_000_000, unitsPerThread: 2 };

/** Split granularity along n and m: the micro-tile's width and height; NC: the kernel's panel width. */
const NR = 8;
const MR = 4;
const NC = 1024;
/** The narrowest unit of work (columns or rows). */
const MIN_UNIT = 32;

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
    g.byRows ? 1 : 0,
  ];
}

/** Batched GEMM with the contract of `Backend.matmul`, on `runtime`. */
export function createMatmul(runtime: WasmRuntime, tuning: MatmulTuning = DEFAULT_MATMUL_TUNING): (args: MatmulArgs) => void {
  const gemm = runtime.exports.gemm;
  const runLocal = positional(gemm);

  /** Runs batches [t0, t1) of a float32 product; false when they do not fit in the memory. */
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
    const g: Gemm = {
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
    };
    const threads = 2 * count * m * n * k >= tuning.threadsFrom ? runtime.activeThreads() : 1;
    if (threads > 1 && cutIntoUnits(g, threads, tuning.unitsPerThread)) {
      new Int32Array(runtime.floats32().buffer, COUNTER_ADDRESS, 1)[0] = 0;
      const jobs = Array.from({ length: threads }, (_, t) => args(g, runtime.workArea(t), COUNTER_ADDRESS));
      runtime.parallel(OP_GEMM, jobs, runLocal);
    } else {
      runLocal(args(g, runtime.workArea(0), 0));
    }
    out.set(runtime.floats32().subarray(cAddr >> 2, (cAddr >> 2) + cLen), t0 * m * n);
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
    if (runBatches(a, b, out, p, 0, p.batch)) return;
    // Too big for the memory at once: batch by batch, or the js kernel if even one is too big.
    for (let t = 0; t < p.batch; t++) {
      if (!runBatches(a, b, out, p, t, t + 1)) {
        jsMatmul({ a, b, out, ...params });
        return;
      }
    }
  };
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
