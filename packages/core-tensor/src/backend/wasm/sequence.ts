/**
 * The wasm backend's fused recurrent sequences (contracts on `Backend`), float32: a whole
 * layer-direction per call. The operands are copied into the wasm memory once and W_hh is packed
 * once for the GEMM (W_hhᵀ forward, W_hh backward); then one kernel of assembly/recurrent.ts runs
 * the whole recurrence at wasm addresses (every step's product on the packed W_hh and the fused
 * SIMD step), and the results are copied out once: per step there is no copy, no allocation, no
 * call from JS and no repacking of W_hh. The LSTM's pair (`lstm-sequence.ts`) also keeps what its
 * backward reads in the memory between the passes; the GRU's still copies it out and in.
 *
 * Threads split the batch rows, not the steps' products: rows never mix in a recurrence, so each
 * chunk of rows runs all its steps alone, and the threads (taking chunks from a shared counter)
 * never wait for each other between steps.
 *
 * Also here: `lstmCellBackward` in SIMD (the step-by-step path's backward cell). float64 calls,
 * steps smaller than the threshold and operands the memory cannot hold take the js kernels.
 */
import type { FloatArray } from '../../dtype.js';
import type { Backend, RecurrentSequenceParams } from '../backend.js';
import { createLstmSequenceKernels } from './lstm-sequence.js';
import { COUNTER_ADDRESS, OP_GRU_SEQUENCE_BACKWARD, OP_GRU_SEQUENCE_FORWARD, type WorkerOp } from './memory-layout.js';
import { align, positional, type WasmRuntime } from './runtime.js';

/** The kernels this file provides. */
export type SequenceKernels = Pick<
  Backend,
  'lstmSequenceForward' | 'lstmSequenceBackward' | 'gruSequenceForward' | 'gruSequenceBackward' | 'lstmCellBackward'
>;

/** Thresholds of the sequence kernels. */
export interface SequenceOptions {
  /** Fewest flops of one step's recurrent product (2·B·gates·H·H) for which the threads share a sequence. */
  threadsFrom: number;
  /** Fewest elements of a step's state (rows·H) for which the wasm kernels run. */
  minElements: number;
  /** Bytes of a span's per-step buffers at most (see `lstm-sequence.ts`; default 16 MiB, tests use less). */
  spanBytes?: number;
}

/** Micro-tile sizes of the GEMM (assembly/gemm.ts): panels of W are NR wide, chunks of rows a multiple of MR. */
export const NR = 8;
export const MR = 4;
/**
 * Chunks of rows per thread, where the rows allow chunks of at least MIN_CHUNK_ROWS: more chunks
 * let a slow thread leave more to the others, but each chunk streams all of W_hh every step, so
 * small ones cost memory traffic (measured, B 128 × H 1024 on two threads: 32-row chunks took 11%
 * more CPU than 64-row ones). Fewer rows than 2·MIN_CHUNK_ROWS are still halved between two threads
 * (`min(MIN_CHUNK_ROWS, rows / threads)`): at char-LSTM config A (B 64, H 128) the 32-row chunks
 * took the forward kernel from 15.3 to 10.8 ms and the backward from 13.2 to 9.4 ms; 16-row chunks
 * were slower than 32-row ones (12.0 and 10.7 ms).
 */
const CHUNKS_PER_THREAD = 2;
const MIN_CHUNK_ROWS = 64;

/** x rounded up to a multiple of `multiple`. */
export function roundUp(x: number, multiple: number): number {
  return Math.ceil(x / multiple) * multiple;
}

/** Floats of op(B) [k, n] packed by `gemmPackB`. */
export function packedFloats(k: number, n: number): number {
  return k * Math.ceil(n / NR) * NR;
}

/** How a sequence is shared: the threads, the rows per chunk, and each thread's scratch. */
export interface Split {
  threads: number;
  chunk: number;
  scratchBytes: number;
}

/**
 * Lays out float32 regions of the given sizes (0 = absent) one after another, 64-byte aligned,
 * with a vector of padding at the end (the step kernels may load past a row's end). Returns their
 * addresses (0 for absent ones), or null when the memory cannot hold them.
 */
export function reserveRegions(runtime: WasmRuntime, sizes: readonly number[]): number[] | null {
  let bytes = 0;
  const offsets = sizes.map((n) => {
    const at = bytes;
    bytes += align(4 * n);
    return at;
  });
  const base = runtime.reserve(bytes + 64);
  if (base < 0) return null;
  return offsets.map((o, i) => (sizes[i]! > 0 ? base + o : 0));
}

const isF32 = (x: FloatArray | null): boolean => x === null || x instanceof Float32Array;

/** What the kernels of a sequence share (made by `createSequenceKernels`). */
export interface SequenceTools {
  options: SequenceOptions;
  /** Whether the wasm kernels take a call: float32 throughout and big enough. */
  takes(params: RecurrentSequenceParams, arrays: readonly (FloatArray | null)[]): boolean;
  /** Copies the first `size` values of `x` (when given) into the memory at `address`. */
  put(x: FloatArray | null, address: number, size: number): void;
  /** Copies `size` floats at `address` out into `x`. */
  get(x: FloatArray, address: number, size: number): void;
  /** Threads and chunk size of a sequence (see `createSequenceKernels`). */
  split(params: RecurrentSequenceParams, gates: number, width: number, depth: number): Split;
  /** Runs a whole-sequence kernel on the threads of `plan`. */
  run(op: WorkerOp, local: (x: readonly number[]) => void, args: readonly number[], plan: Split, scratch: number): void;
}

/** The fused sequence kernels (and the SIMD LSTM backward cell) on `runtime`; `fallback` (the js backend) for what they do not take. */
export function createSequenceKernels(runtime: WasmRuntime, fallback: Backend, options: SequenceOptions): SequenceKernels {
  const kernels = runtime.exports;
  const takes = (params: RecurrentSequenceParams, arrays: readonly (FloatArray | null)[]): boolean =>
    params.rows * params.hidden >= options.minElements && arrays.every(isF32);
  /** Copies the first `size` values of `x` (when given) into the memory at `address`. */
  const put = (x: FloatArray | null, address: number, size: number): void => {
    if (x !== null && size > 0) runtime.floats32().set(x.subarray(0, size), address >> 2);
  };
  /** Copies `size` floats at `address` out into `x`. */
  const get = (x: FloatArray, address: number, size: number): void => {
    x.set(runtime.floats32().subarray(address >> 2, (address >> 2) + size));
  };

  /**
   * Threads and chunks for a sequence whose per-thread scratch holds gate rows [chunk, width] and
   * the packed [chunk, depth] operand of the recurrent product (`gates`·H wide).
   */
  function split(params: RecurrentSequenceParams, gates: number, width: number, depth: number): Split {
    const { rows, hidden: H } = params;
    const available = 2 * rows * gates * H * H >= options.threadsFrom ? Math.min(runtime.activeThreads(), Math.floor(rows / MR)) : 1;
    const threads = Math.max(1, available);
    const chunk =
      threads === 1 ? rows : roundUp(Math.max(rows / (CHUNKS_PER_THREAD * threads), Math.min(MIN_CHUNK_ROWS, rows / threads)), MR);
    return { threads, chunk, scratchBytes: align(kernels.sequenceScratchBytes(chunk, width, depth)) };
  }

  /**
   * Runs whole-sequence kernel `op` (`local` on this thread) with `args` followed by each thread's
   * scratch, the chunk counter and the chunk size.
   */
  function run(op: WorkerOp, local: (x: readonly number[]) => void, args: readonly number[], plan: Split, scratch: number): void {
    if (plan.threads === 1) {
      local([...args, scratch, 0, plan.chunk]);
      return;
    }
    new Int32Array(runtime.floats32().buffer, COUNTER_ADDRESS, 1)[0] = 0;
    const jobs = Array.from({ length: plan.threads }, (_, t) => [...args, scratch + t * plan.scratchBytes, COUNTER_ADDRESS, plan.chunk]);
    runtime.parallel(op, jobs, local);
  }

  const tools: SequenceTools = { options, takes, put, get, split, run };
  const gruForward = positional(kernels.gruSequenceForwardF32);
  const gruBackward = positional(kernels.gruSequenceBackwardF32);

  return {
    ...createLstmSequenceKernels(runtime, fallback, tools),

    gruSequenceForward({ xProj, h0, weightHH, biasIH, biasHH, params, hs, saved, hProj }) {
      const { steps, rows, hidden: H, reverse } = params;
      const width = rows * 3 * H;
      const plan = split(params, 3, hProj === null ? 3 * H : 0, H);
      const regions = takes(params, [xProj, h0, weightHH, biasIH, biasHH, hs, saved, hProj])
        ? reserveRegions(runtime, [
            3 * H * H,
            packedFloats(H, 3 * H),
            steps * width,
            biasIH === null ? 0 : 3 * H,
            biasHH === null ? 0 : 3 * H,
            rows * H,
            steps * rows * H,
            saved === null ? 0 : steps * width,
            hProj === null ? 0 : steps * width,
            (plan.threads * plan.scratchBytes) / 4,
          ])
        : null;
      if (regions === null) {
        fallback.gruSequenceForward({ xProj, h0, weightHH, biasIH, biasHH, params, hs, saved, hProj });
        return;
      }
      const [w, packedW, x, biasX, biasH, hInit, hsAt, savedAt, hProjAt, scratch] = regions as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      put(weightHH, w, 3 * H * H);
      kernels.gemmPackB(w, 1, H, H, 3 * H, packedW);
      put(xProj, x, steps * width);
      put(biasIH, biasX, 3 * H);
      put(biasHH, biasH, 3 * H);
      put(h0, hInit, rows * H);
      run(
        OP_GRU_SEQUENCE_FORWARD,
        gruForward,
        [x, hInit, packedW, biasX, biasH, hsAt, savedAt, hProjAt, steps, rows, H, reverse ? 1 : 0],
        plan,
        scratch,
      );
      get(hs, hsAt, steps * rows * H);
      if (saved !== null) get(saved, savedAt, steps * width);
      if (hProj !== null) get(hProj, hProjAt, steps * width);
    },

    gruSequenceBackward({ weightHH, saved, hProj, h0, hs, dHs, dhLast, params, dXProj, dHProj, dh0 }) {
      const { steps, rows, hidden: H, reverse } = params;
      const size = rows * H;
      const width = rows * 3 * H;
      const plan = split(params, 3, 0, 3 * H);
      const regions = takes(params, [weightHH, saved, hProj, h0, hs, dHs, dhLast, dXProj, dHProj, dh0])
        ? reserveRegions(runtime, [
            3 * H * H,
            packedFloats(3 * H, H),
            steps * width,
            steps * width,
            size,
            steps * size,
            dHs === null ? 0 : steps * size,
            dhLast === null ? 0 : size,
            steps * width,
            steps * width,
            size,
            size,
            (plan.threads * plan.scratchBytes) / 4,
          ])
        : null;
      if (regions === null) {
        fallback.gruSequenceBackward({ weightHH, saved, hProj, h0, hs, dHs, dhLast, params, dXProj, dHProj, dh0 });
        return;
      }
      const [w, packedW, savedAt, hProjAt, hInit, hsAt, dHsAt, dhLastAt, dX, dHP, direct, dhRec, scratch] = regions as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      put(weightHH, w, 3 * H * H);
      kernels.gemmPackB(w, H, 1, 3 * H, H, packedW);
      put(saved, savedAt, steps * width);
      put(hProj, hProjAt, steps * width);
      put(h0, hInit, size);
      put(hs, hsAt, steps * size);
      put(dHs, dHsAt, steps * size);
      put(dhLast, dhLastAt, size);
      run(
        OP_GRU_SEQUENCE_BACKWARD,
        gruBackward,
        [packedW, savedAt, hProjAt, hInit, hsAt, dHsAt, dhLastAt, direct, dhRec, dX, dHP, steps, rows, H, reverse ? 1 : 0],
        plan,
        scratch,
      );
      get(dXProj, dX, steps * width);
      get(dHProj, dHP, steps * width);
      // dh0: the direct (z ⊙ dh) and the recurrent (dHProj·W_hh) terms of step 0.
      const mem = runtime.floats32();
      for (let i = 0; i < size; i++) dh0[i] = mem[(direct >> 2) + i]! + mem[(dhRec >> 2) + i]!;
    },

    lstmCellBackward({ saved, cPrev, dh, dc, rows, hidden, dGates, dcPrev }) {
      const n = rows * hidden;
      const regions =
        n >= options.minElements && [saved, cPrev, dh, dc, dGates, dcPrev].every(isF32)
          ? reserveRegions(runtime, [5 * n, n, n, n, 4 * n, n])
          : null;
      if (regions === null) {
        fallback.lstmCellBackward({ saved, cPrev, dh, dc, rows, hidden, dGates, dcPrev });
        return;
      }
      const [savedAt, cPrevAt, dhAt, dcAt, dGatesAt, dcPrevAt] = regions as [number, number, number, number, number, number];
      put(saved, savedAt, 5 * n);
      put(cPrev, cPrevAt, n);
      put(dh, dhAt, n);
      put(dc, dcAt, n);
      kernels.lstmBackwardF32(savedAt, cPrevAt, dhAt, 0, dcAt, rows, hidden, dGatesAt, dcPrevAt);
      get(dGates, dGatesAt, 4 * n);
      get(dcPrev, dcPrevAt, n);
    },
  };
}
