/**
 * The wasm backend's float32 graph kernels (assembly/graph.ts): the sampled dense-dense product,
 * the segment softmax and its gradient, scatter max / min, the row gather and scatter-add of `indexSelect` /
 * `indexAdd`, and the fused activation gradient. Each copies its operands in and its result out
 * (nothing in the wasm memory outlives a call); float64, int32 storage and calls below `minWork`
 * elements run the js kernel given as the fallback. `indexSelect` copies in the source once and
 * the index and picked rows in chunks, and leaves to js a gather that picks few of the source's
 * rows; `activationBackward` runs in blocks: neither grows the wasm memory to its operands' size
 * (a GCN epoch at 10⁶ nodes grew it to 185 MiB).
 *
 * Measured in Node 20 on a 2-core AMD EPYC at Cora's GAT sizes (13,264 edges with self-loops, 8
 * heads), js → wasm including the copies, best of 5 × 20 calls
 * with a load average of 5–6 (other jobs on both cores, so read the ratios, not the times): the
 * segment softmax over [13264, 8] 2.7–4.1 → 1.0–1.8 ms, the sddmm of the heads' block adjacency
 * (106k entries, 8 features) 1.4–1.6 → 0.5–0.8 ms, indexSelect of [E, 8] rows 0.31 → 0.07 ms and
 * of 106k single floats 0.54 → 0.12 ms, indexAdd 0.26 → 0.11 and 0.47 → 0.35 ms, the elu gradient
 * over [2708, 64] 2.7 → 0.2 ms. Scatter max over [13264, 8] is level (0.6 ms both): its loop is
 * branchy and scalar, and the copies eat what wasm saves. With four columns at a time (inner a
 * multiple of 4) and the exp and sum in one pass, the segment softmax went 1.03 → 0.30 ms (load 1–2,
 * apps/bench/.prof/graph-kernels.mts).
 */
import type { Backend } from '../backend.js';
import type { KernelExports } from './module.js';
import { align, type WasmRuntime } from './runtime.js';

/** The exports of assembly/graph.ts (the TypeScript side of their signatures; addresses are byte offsets). */
export interface GraphKernelExports {
  sddmmCsrF32(rowPtr: number, colIndex: number, a: number, b: number, rows: number, feat: number, out: number): void;
  segmentSoftmaxF32(
    src: number,
    index: number,
    entries: number,
    size: number,
    inner: number,
    out: number,
    segMax: number,
    segSum: number,
  ): void;
  segmentSoftmaxBackwardF32(
    y: number,
    g: number,
    index: number,
    entries: number,
    size: number,
    inner: number,
    out: number,
    dots: number,
  ): void;
  scatterReduceF32(isMax: number, src: number, index: number, entries: number, size: number, inner: number, out: number, arg: number): void;
  indexSelectF32(x: number, outer: number, size: number, inner: number, index: number, count: number, out: number): void;
  indexAddF32(src: number, outer: number, size: number, inner: number, index: number, count: number, out: number): void;
  activationBackwardF32(op: number, x: number, y: number, g: number, out: number, n: number, p: number): void;
}

/** The kernels this file builds. */
export type GraphKernels = Pick<
  Backend,
  'sddmmCsr' | 'segmentSoftmax' | 'segmentSoftmaxBackward' | 'scatterReduce' | 'indexSelect' | 'indexAdd' | 'activationBackward'
>;

/**
 * Fewest elements (entries × features for sddmm; moved or written floats for the others) for which
 * a graph kernel runs in wasm by default: the binary ops' threshold, since these kernels are as
 * cheap per element and pay the same copies (not tuned separately).
 */
export const DEFAULT_GRAPH_FROM = 2048;

/**
 * `indexSelect` runs in wasm only when the source has at most this many rows per row picked: a
 * sparser gather (the 320 training rows of a [10⁶, C] output) stays in js, which reads only the
 * rows it picks, instead of copying the whole source into the wasm memory (at 10⁶ rows that copy
 * took ~100 ms and grew the memory to 185 MiB).
 */
export const SELECT_SOURCE_RATIO = 2;

/**
 * Floats of picked rows (and index entries) per chunk of a wasm `indexSelect` (its scratch beyond
 * the source), and per operand per block of `activationBackward`.
 */
export const SELECT_CHUNK_FLOATS = 1 << 18;

const ACTIVATION_CODES = { relu: 0, leakyRelu: 1, elu: 2 } as const;

/** Scratch laid out one operand after another, each 64-byte aligned (and so padded to 16 floats). */
class Layout {
  private bytes = 0;

  /** Reserves `elements` 4-byte elements and returns their offset from the base. */
  add(elements: number): number {
    const at = this.bytes;
    this.bytes += align(4 * elements);
    return at;
  }

  get total(): number {
    return this.bytes;
  }
}

/** Int32 and float32 views of the whole wasm memory (current after any growth). */
function views(runtime: WasmRuntime): { f32: Float32Array; i32: Int32Array } {
  const f32 = runtime.floats32();
  return { f32, i32: new Int32Array(f32.buffer, f32.byteOffset, f32.length) };
}

/**
 * The graph kernels on `runtime`; `fallback` supplies the js kernels for what stays in js.
 * `minWork` defaults to {@link DEFAULT_GRAPH_FROM}; tests pass 1 to run every call in wasm.
 */
export function createGraphKernels(runtime: WasmRuntime, fallback: Backend, minWork = DEFAULT_GRAPH_FROM): GraphKernels {
  const kernels = runtime.exports as KernelExports & GraphKernelExports;

  const sddmmCsr: Backend['sddmmCsr'] = (args) => {
    const { rowPtr, colIndex, a, b, rows, feat, out } = args;
    const nnz = rowPtr[rows] ?? 0;
    if (!(a instanceof Float32Array && b instanceof Float32Array && out instanceof Float32Array) || nnz * feat < minWork) {
      fallback.sddmmCsr(args);
      return;
    }
    const layout = new Layout();
    const ptrAt = layout.add(rows + 1);
    const colAt = layout.add(nnz);
    const aAt = layout.add(rows * feat);
    const bAt = layout.add(b.length);
    const outAt = layout.add(nnz);
    const base = runtime.reserve(layout.total);
    if (base < 0) {
      fallback.sddmmCsr(args);
      return;
    }
    const { f32, i32 } = views(runtime);
    i32.set(rowPtr.subarray(0, rows + 1), (base + ptrAt) >> 2);
    i32.set(colIndex.subarray(0, nnz), (base + colAt) >> 2);
    f32.set(a.subarray(0, rows * feat), (base + aAt) >> 2);
    f32.set(b, (base + bAt) >> 2);
    kernels.sddmmCsrF32(base + ptrAt, base + colAt, base + aAt, base + bAt, rows, feat, base + outAt);
    out.set(runtime.floats32().subarray((base + outAt) >> 2, ((base + outAt) >> 2) + nnz));
  };

  const segmentSoftmax: Backend['segmentSoftmax'] = (args) => {
    const { src, index, size, inner, out, segmentMax, segmentSum } = args;
    const entries = index.length;
    const total = entries * inner;
    const f32 = src instanceof Float32Array && out instanceof Float32Array;
    if (!(f32 && segmentMax instanceof Float32Array && segmentSum instanceof Float32Array) || total < minWork) {
      fallback.segmentSoftmax(args);
      return;
    }
    const layout = new Layout();
    const srcAt = layout.add(total);
    const indexAt = layout.add(entries);
    const outAt = layout.add(total);
    const maxAt = layout.add(size * inner);
    const sumAt = layout.add(size * inner);
    const base = runtime.reserve(layout.total);
    if (base < 0) {
      fallback.segmentSoftmax(args);
      return;
    }
    const view = views(runtime);
    view.f32.set(src.subarray(0, total), (base + srcAt) >> 2);
    view.i32.set(index, (base + indexAt) >> 2);
    kernels.segmentSoftmaxF32(base + srcAt, base + indexAt, entries, size, inner, base + outAt, base + maxAt, base + sumAt);
    const mem = runtime.floats32();
    out.set(mem.subarray((base + outAt) >> 2, ((base + outAt) >> 2) + total));
    segmentMax.set(mem.subarray((base + maxAt) >> 2, ((base + maxAt) >> 2) + size * inner));
    segmentSum.set(mem.subarray((base + sumAt) >> 2, ((base + sumAt) >> 2) + size * inner));
  };

  const segmentSoftmaxBackward: Backend['segmentSoftmaxBackward'] = (args) => {
    const { y, g, index, size, inner, out } = args;
    const entries = index.length;
    const total = entries * inner;
    if (!(y instanceof Float32Array && g instanceof Float32Array && out instanceof Float32Array) || total < minWork) {
      fallback.segmentSoftmaxBackward(args);
      return;
    }
    const layout = new Layout();
    const yAt = layout.add(total);
    const gAt = layout.add(total);
    const indexAt = layout.add(entries);
    const dotsAt = layout.add(size * inner);
    const base = runtime.reserve(layout.total);
    if (base < 0) {
      fallback.segmentSoftmaxBackward(args);
      return;
    }
    const view = views(runtime);
    view.f32.set(y.subarray(0, total), (base + yAt) >> 2);
    view.f32.set(g.subarray(0, total), (base + gAt) >> 2);
    view.i32.set(index, (base + indexAt) >> 2);
    // The gradient overwrites g in place (each element is read before it is written).
    kernels.segmentSoftmaxBackwardF32(base + yAt, base + gAt, base + indexAt, entries, size, inner, base + gAt, base + dotsAt);
    out.set(runtime.floats32().subarray((base + gAt) >> 2, ((base + gAt) >> 2) + total));
  };

  const scatterReduce: Backend['scatterReduce'] = (args) => {
    const { op, src, index, size, inner, out, arg } = args;
    const entries = index.length;
    if (!(src instanceof Float32Array && out instanceof Float32Array) || Math.max(entries, size) * inner < minWork) {
      fallback.scatterReduce(args);
      return;
    }
    const layout = new Layout();
    const srcAt = layout.add(entries * inner);
    const indexAt = layout.add(entries);
    const outAt = layout.add(size * inner);
    const argAt = layout.add(size * inner);
    const base = runtime.reserve(layout.total);
    if (base < 0) {
      fallback.scatterReduce(args);
      return;
    }
    const view = views(runtime);
    view.f32.set(src.subarray(0, entries * inner), (base + srcAt) >> 2);
    view.i32.set(index, (base + indexAt) >> 2);
    kernels.scatterReduceF32(op === 'max' ? 1 : 0, base + srcAt, base + indexAt, entries, size, inner, base + outAt, base + argAt);
    const after = views(runtime);
    out.set(after.f32.subarray((base + outAt) >> 2, ((base + outAt) >> 2) + size * inner));
    arg.set(after.i32.subarray((base + argAt) >> 2, ((base + argAt) >> 2) + size * inner));
  };

  const indexSelect: Backend['indexSelect'] = (args) => {
    const { x, outer, size, inner, index, out } = args;
    const count = index.length;
    const moved = outer * count * inner;
    // A gather that picks few of the source's rows stays in js, which reads only those rows: the
    // wasm kernel would first copy the whole source in (and grow the memory to its size).
    if (!(x instanceof Float32Array && out instanceof Float32Array) || moved < minWork || size > SELECT_SOURCE_RATIO * count) {
      fallback.indexSelect(args);
      return;
    }
    // The source goes in once; the index and the rows picked go through in chunks.
    const chunk = Math.max(1, Math.min(count, Math.floor(SELECT_CHUNK_FLOATS / Math.max(1, outer * inner))));
    const layout = new Layout();
    const xAt = layout.add(outer * size * inner);
    const indexAt = layout.add(chunk);
    const outAt = layout.add(outer * chunk * inner);
    const base = runtime.reserve(layout.total);
    if (base < 0) {
      fallback.indexSelect(args);
      return;
    }
    const view = views(runtime);
    view.f32.set(x.subarray(0, outer * size * inner), (base + xAt) >> 2);
    for (let start = 0; start < count; start += chunk) {
      const picked = Math.min(chunk, count - start);
      views(runtime).i32.set(index.subarray(start, start + picked), (base + indexAt) >> 2);
      kernels.indexSelectF32(base + xAt, outer, size, inner, base + indexAt, picked, base + outAt);
      const mem = runtime.floats32();
      const rowFloats = picked * inner;
      for (let o = 0; o < outer; o++) {
        const from = ((base + outAt) >> 2) + o * rowFloats;
        out.set(mem.subarray(from, from + rowFloats), (o * count + start) * inner);
      }
    }
  };

  const indexAdd: Backend['indexAdd'] = (args) => {
    const { src, outer, size, inner, index, out } = args;
    const count = index.length;
    const added = outer * count * inner;
    if (!(src instanceof Float32Array && out instanceof Float32Array) || added < minWork) {
      fallback.indexAdd(args);
      return;
    }
    const outSize = outer * size * inner;
    const layout = new Layout();
    const srcAt = layout.add(added);
    const indexAt = layout.add(count);
    const outAt = layout.add(outSize);
    const base = runtime.reserve(layout.total);
    if (base < 0) {
      fallback.indexAdd(args);
      return;
    }
    // out is accumulated into, so it goes in as well as out.
    const view = views(runtime);
    view.f32.set(src.subarray(0, added), (base + srcAt) >> 2);
    view.i32.set(index, (base + indexAt) >> 2);
    view.f32.set(out.subarray(0, outSize), (base + outAt) >> 2);
    kernels.indexAddF32(base + srcAt, outer, size, inner, base + indexAt, count, base + outAt);
    out.set(runtime.floats32().subarray((base + outAt) >> 2, ((base + outAt) >> 2) + outSize));
  };

  const activationBackward: Backend['activationBackward'] = (args) => {
    const { op, x, y, g, out, p0 } = args;
    const n = out.length;
    const f32 = x instanceof Float32Array && y instanceof Float32Array && g instanceof Float32Array && out instanceof Float32Array;
    if (!f32 || n < minWork) {
      fallback.activationBackward(args);
      return;
    }
    // relu reads y only, leakyRelu x only: the other operand is not copied (its address is unused).
    // Elementwise, so it runs in blocks: the scratch stays a few MiB however long the operands are.
    const block = Math.min(n, SELECT_CHUNK_FLOATS);
    const layout = new Layout();
    const xAt = op === 'relu' ? 0 : layout.add(block);
    const yAt = op === 'leakyRelu' ? 0 : layout.add(block);
    const gAt = layout.add(block);
    const base = runtime.reserve(layout.total);
    if (base < 0) {
      fallback.activationBackward(args);
      return;
    }
    for (let start = 0; start < n; start += block) {
      const end = Math.min(n, start + block);
      const mem = runtime.floats32();
      if (op !== 'relu') mem.set(x.subarray(start, end), (base + xAt) >> 2);
      if (op !== 'leakyRelu') mem.set(y.subarray(start, end), (base + yAt) >> 2);
      mem.set(g.subarray(start, end), (base + gAt) >> 2);
      // The gradient is written over g (each lane reads g before writing it).
      kernels.activationBackwardF32(ACTIVATION_CODES[op], base + xAt, base + yAt, base + gAt, base + gAt, end - start, p0);
      out.set(runtime.floats32().subarray((base + gAt) >> 2, ((base + gAt) >> 2) + end - start), start);
    }
  };

  return { sddmmCsr, segmentSoftmax, segmentSoftmaxBackward, scatterReduce, indexSelect, indexAdd, activationBackward };
}
