/**
 * The wasm backend's float32 sparse-dense product (assembly/sparse.ts): the aggregation step of
 * graph convolutions, `Â · (X W)` forward and `Âᵀ · dY` backward. The structure, the values and x
 * are copied in on every call (nothing in the wasm memory outlives a call), which the SIMD loop
 * pays back from a few hundred multiply-adds on. Measured in Node 20 on Cora (2708 rows, 13264
 * entries with self-loops), float32: feat 16 about 0.04 ms against 0.2–0.3 ms in js, feat 64
 * 0.15–0.25 ms against 0.9–1.3 ms; 800 multiply-adds 0.8 µs against 1.1 µs. float64 and
 * products below the threshold run in the js kernel, as do `sddmmCsr`, `scatterReduce` and
 * `segmentSoftmax`.
 *
 * x goes in whole (its rows are read in the order of the column indices); the structure, the
 * values and out go through the scratch a block of rows at a time, at most `blockBytes` for a block
 * (a row with more entries than that, alone), so the scratch is x plus a bounded block rather than
 * the whole graph twice.
 */
import type { Backend } from '../backend.js';
import { align, type WasmRuntime } from './runtime.js';

type Spmm = Backend['spmmCsr'];

/** Fewest multiply-adds (nnz × feat) for which spmm runs in wasm by default. */
export const DEFAULT_SPMM_FROM = 512;

/** Most bytes of a block of rows (row pointers, column indices, values and out rows) by default. */
export const DEFAULT_SPMM_BLOCK_BYTES = 4 << 20;

/**
 * `Backend.spmmCsr` on `runtime`; `fallback` (the js kernel) for float64 and for products of fewer
 * than `minWork` multiply-adds (default {@link DEFAULT_SPMM_FROM}). Rows go in blocks of at most
 * `blockBytes` of structure and output (default {@link DEFAULT_SPMM_BLOCK_BYTES}).
 */
export function createSpmmCsr(
  runtime: WasmRuntime,
  fallback: Spmm,
  minWork = DEFAULT_SPMM_FROM,
  blockBytes = DEFAULT_SPMM_BLOCK_BYTES,
): Spmm {
  const kernels = runtime.exports;
  return function spmmCsr(args) {
    const { rowPtr, colIndex, values, x, rows, feat, out } = args;
    const nnz = rowPtr[rows] ?? 0;
    const f32 = x instanceof Float32Array && out instanceof Float32Array && (values === null || values instanceof Float32Array);
    if (!f32 || rows === 0 || feat === 0 || nnz * feat < minWork) {
      fallback(args);
      return;
    }
    const perEntry = values === null ? 4 : 8;
    /** Bytes of the block of rows [r0, r1). */
    const bytesOf = (r0: number, r1: number): number => 4 * (r1 - r0 + 1) + perEntry * (rowPtr[r1]! - rowPtr[r0]!) + 4 * feat * (r1 - r0);
    const blocks = blockRows(rows, bytesOf, blockBytes);
    let most = 0;
    for (let i = 1; i < blocks.length; i++) most = Math.max(most, blocks[i]! - blocks[i - 1]!);
    let maxEntries = 0;
    for (let i = 1; i < blocks.length; i++) maxEntries = Math.max(maxEntries, rowPtr[blocks[i]!]! - rowPtr[blocks[i - 1]!]!);
    // x and out are padded by one vector: the kernel's last vector of a row may run past its end.
    const xBytes = align(4 * x.length + 16);
    const ptrBytes = align(4 * (most + 1));
    const indexBytes = align(4 * maxEntries);
    const valueBytes = values === null ? 0 : align(4 * maxEntries);
    const base = runtime.reserve(xBytes + ptrBytes + indexBytes + valueBytes + align(4 * most * feat + 16));
    if (base < 0) {
      fallback(args);
      return;
    }
    const xAddr = base;
    const ptrAddr = xAddr + xBytes;
    const indexAddr = ptrAddr + ptrBytes;
    const valueAddr = values === null ? 0 : indexAddr + indexBytes;
    const outAddr = indexAddr + indexBytes + valueBytes;
    const mem = runtime.floats32();
    const ints = new Int32Array(mem.buffer, mem.byteOffset, mem.length);
    mem.set(x as Float32Array, xAddr >> 2);
    for (let i = 1; i < blocks.length; i++) {
      const r0 = blocks[i - 1]!;
      const r1 = blocks[i]!;
      const start = rowPtr[r0]!;
      const end = rowPtr[r1]!;
      // The block's row pointers, counted from its first entry.
      const ptr = ptrAddr >> 2;
      for (let r = r0; r <= r1; r++) ints[ptr + r - r0] = rowPtr[r]! - start;
      ints.set(colIndex.subarray(start, end), indexAddr >> 2);
      if (values !== null) mem.set(values.subarray(start, end), valueAddr >> 2);
      kernels.spmmCsrF32(ptrAddr, indexAddr, valueAddr, xAddr, r1 - r0, feat, outAddr);
      (out as Float32Array).set(mem.subarray(outAddr >> 2, (outAddr >> 2) + (r1 - r0) * feat), r0 * feat);
    }
  };
}

/**
 * Cuts rows [0, rows) into blocks of at most `budget` bytes (`bytesOf(r0, r1)`, growing with r1),
 * a single row even if it is larger: the block edges, from 0 to rows.
 */
function blockRows(rows: number, bytesOf: (r0: number, r1: number) => number, budget: number): number[] {
  const edges = [0];
  let r0 = 0;
  while (r0 < rows) {
    // The last r1 whose block fits, by bisection (at least r0 + 1).
    let low = r0 + 1;
    let high = rows;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (bytesOf(r0, mid) <= budget) low = mid;
      else high = mid - 1;
    }
    edges.push(low);
    r0 = low;
  }
  return edges;
}
