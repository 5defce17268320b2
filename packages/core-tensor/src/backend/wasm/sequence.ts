/**
 * The wasm backend's fused recurrent sequences (contracts on `Backend`), float32: a whole
 * layer-direction per call. The operands are copied into the wasm memory once, every step runs the
 * SIMD GEMM of assembly/gemm.ts (h·W_hhᵀ forward, dGates·W_hh backward) and a SIMD step kernel of
 * assembly/recurrent.ts at wasm addresses, and the results are copied out once: per step there is
 * no copy, no allocation and no JS arithmetic, where the step-by-step path copied W_hh and the
 * state in and out for every product and ran the backward cell in JS.
 *
 * Also here: `lstmCellBackward` in SIMD (the step-by-step path's backward cell). float64 calls,
 * steps smaller than the threshold and operands the memory cannot hold take the js kernels.
 */
import type { FloatArray } from '../../dtype.js';
import type { Backend, RecurrentSequenceParams } from '../backend.js';
import { stepAt } from '../js/sequence.js';
import { COUNTER_ADDRESS, OP_GEMM } from './memory-layout.js';
import { align, type WasmRuntime } from './runtime.js';

/** The kernels this file provides. */
export type SequenceKernels = Pick<Backend, 'lstmSequenceForward' | 'lstmSequenceBackward' | 'gruSequenceForward' | 'gruSequenceBackward' | 'lstmCellBackward'>;

export interface SequenceOptions {
  /** Fewest flops (2·m·n·k) for which a step's GEMM is shared by the threads. */
  threadsFrom: number;
  /** Fewest elements of a step's state (rows·H) for which the wasm kernels run. */
  minElements: number;
}

/** `C = op(A)·op(B)` at wasm addresses, one product, with op(X)[i, p] at x + 4·(i·row + p·col). */
type GemmAt = (a: number, aRow: number, aCol: number, b: number, bRow: number, bCol: number, c: number, ldc: number, m: number, n: number, k: number) => void;

/** Split granularity along n (the GEMM's micro-tile width), the narrowest unit and the panel width. */
const NR = 8;
const MIN_UNIT = 32;
const NC = 1024;

function createGemmAt(runtime: WasmRuntime, threadsFrom: number): GemmAt {
  const gemm = runtime.exports.gemm;
  const local = (x: readonly number[]): void =>
    gemm(x[0]!, x[1]!, x[2]!, x[3]!, x[4]!, x[5]!, x[6]!, x[7]!, x[8]!, x[9]!, x[10]!, x[11]!, x[12]!, x[13]!, x[14]!, x[15]!, x[16]!, x[17]!, x[18]!);
  return (a, aRow, aCol, b, bRow, bCol, c, ldc, m, n, k) => {
    const threads = 2 * m * n * k >= threadsFrom ? runtime.activeThreads() : 1;
    if (threads > 1) {
      // Blocks of columns, about two per thread, taken from the shared counter (see matmul.ts).
      const unit = Math.min(NC, Math.ceil(Math.max(MIN_UNIT, Math.ceil(n / (2 * threads))) / NR) * NR);
      if (Math.ceil(n / unit) >= 2) {
        new Int32Array(runtime.floats32().buffer, COUNTER_ADDRESS, 1)[0] = 0;
        const jobs = Array.from({ length: threads }, (_, t) => [a, aRow, aCol, 0, b, bRow, bCol, 0, c, ldc, 0, m, n, k, 1, runtime.workArea(t), COUNTER_ADDRESS, unit, 0]);
        runtime.parallel(OP_GEMM, jobs, local);
        return;
      }
    }
    gemm(a, aRow, aCol, 0, b, bRow, bCol, 0, c, ldc, 0, m, n, k, 1, runtime.workArea(0), 0, 0, 0);
  };
}

/**
 * Lays out float32 regions of the given sizes (0 = absent) one after another, 64-byte aligned,
 * with a vector of padding at the end (the step kernels may load past a row's end). Returns their
 * addresses (0 for absent ones), or null when the memory cannot hold them.
 */
function reserveRegions(runtime: WasmRuntime, sizes: readonly number[]): number[] | null {
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

/** The fused sequence kernels (and the SIMD LSTM backward cell) on `runtime`; `fallback` (the js backend) for what they do not take. */
export function createSequenceKernels(runtime: WasmRuntime, fallback: Backend, options: SequenceOptions): SequenceKernels {
  const kernels = runtime.exports;
  const gemmAt = createGemmAt(runtime, options.threadsFrom);
  const takes = (params: RecurrentSequenceParams, arrays: readonly (FloatArray | null)[]): boolean => params.rows * params.hidden >= options.minElements && arrays.every(isF32);
  /** Copies the first `size` values of `x` (when given) into the memory at `address`. */
  const put = (x: FloatArray | null, address: number, size: number): void => {
    if (x !== null && size > 0) runtime.floats32().set(x.subarray(0, size), address >> 2);
  };
  /** Copies `size` floats at `address` out into `x`. */
  const get = (x: FloatArray, address: number, size: number): void => {
    x.set(runtime.floats32().subarray(address >> 2, (address >> 2) + size));
  };
  /** The address of the row block of step `t` in a region of [T, B, width] at `base`. */
  const at = (base: number, t: number, p: RecurrentSequenceParams, width: number): number => base + 4 * t * p.rows * width;
  /** The state before the k-th step processed: `initial`, or the block of step k−1 in `states`. */
  const before = (k: number, p: RecurrentSequenceParams, initial: number, states: number): number => (k === 0 ? initial : at(states, stepAt(k - 1, p), p, p.hidden));

  return {
    lstmSequenceForward(xProj, h0, c0, weightHH, bias, params, hs, cs, saved) {
      const { steps, rows, hidden: H } = params;
      const regions = takes(params, [xProj, h0, c0, weightHH, bias, hs, cs, saved])
        ? reserveRegions(runtime, [4 * H * H, steps * rows * 4 * H, bias === null ? 0 : 4 * H, rows * H, rows * H, steps * rows * H, steps * rows * H, saved === null ? 0 : steps * rows * 5 * H, rows * 4 * H])
        : null;
      if (regions === null) {
        fallback.lstmSequenceForward(xProj, h0, c0, weightHH, bias, params, hs, cs, saved);
        return;
      }
      const [w, x, biasAt, hInit, cInit, hsAt, csAt, savedAt, hProj] = regions as [number, number, number, number, number, number, number, number, number];
      put(weightHH, w, 4 * H * H);
      put(xProj, x, steps * rows * 4 * H);
      put(bias, biasAt, 4 * H);
      put(h0, hInit, rows * H);
      put(c0, cInit, rows * H);
      for (let k = 0; k < steps; k++) {
        const t = stepAt(k, params);
        // hProj = hPrev·W_hhᵀ: [B, H] times the stored [4H, H] read transposed.
        gemmAt(before(k, params, hInit, hsAt), H, 1, w, 1, H, hProj, 4 * H, rows, 4 * H, H);
        const s = savedAt === 0 ? 0 : at(savedAt, t, params, 5 * H);
        kernels.lstmStepF32(at(x, t, params, 4 * H), hProj, biasAt, before(k, params, cInit, csAt), rows, H, at(hsAt, t, params, H), at(csAt, t, params, H), s);
      }
      get(hs, hsAt, steps * rows * H);
      get(cs, csAt, steps * rows * H);
      if (saved !== null) get(saved, savedAt, steps * rows * 5 * H);
    },

    lstmSequenceBackward(weightHH, saved, c0, cs, dHs, dhLast, dcLast, params, dXProj, dh0, dc0) {
      const { steps, rows, hidden: H } = params;
      const size = rows * H;
      const regions = takes(params, [weightHH, saved, c0, cs, dHs, dhLast, dcLast, dXProj, dh0, dc0])
        ? reserveRegions(runtime, [4 * H * H, steps * rows * 5 * H, size, steps * size, dHs === null ? 0 : steps * size, dhLast === null ? 0 : size, size, steps * rows * 4 * H, size, size])
        : null;
      if (regions === null) {
        fallback.lstmSequenceBackward(weightHH, saved, c0, cs, dHs, dhLast, dcLast, params, dXProj, dh0, dc0);
        return;
      }
      const [w, savedAt, cInit, csAt, dHsAt, dhLastAt, dc, dX, dhRec, zeros] = regions as [number, number, number, number, number, number, number, number, number, number];
      put(weightHH, w, 4 * H * H);
      put(saved, savedAt, steps * rows * 5 * H);
      put(c0, cInit, size);
      put(cs, csAt, steps * size);
      put(dHs, dHsAt, steps * size);
      put(dhLast, dhLastAt, size);
      const mem = runtime.floats32();
      // dc carries the cell gradient back through the steps (updated in place by each step).
      if (dcLast === null) mem.fill(0, dc >> 2, (dc >> 2) + size);
      else mem.set(dcLast.subarray(0, size), dc >> 2);
      mem.fill(0, zeros >> 2, (zeros >> 2) + size);
      for (let k = steps - 1; k >= 0; k--) {
        const t = stepAt(k, params);
        const dh = dHsAt === 0 ? zeros : at(dHsAt, t, params, H);
        // dhRec = dGates[next]·W_hh, the recurrent gradient from the step processed after this one.
        const extra = k === steps - 1 ? dhLastAt : dhRec;
        const dGates = at(dX, t, params, 4 * H);
        kernels.lstmBackwardF32(at(savedAt, t, params, 5 * H), before(k, params, cInit, csAt), dh, extra, dc, rows, H, dGates, dc);
        gemmAt(dGates, 4 * H, 1, w, H, 1, dhRec, H, rows, H, 4 * H);
      }
      get(dXProj, dX, steps * rows * 4 * H);
      get(dh0, dhRec, size);
      get(dc0, dc, size);
    },

    gruSequenceForward(xProj, h0, weightHH, biasIH, biasHH, params, hs, saved, hProj) {
      const { steps, rows, hidden: H } = params;
      const width = rows * 3 * H;
      const regions = takes(params, [xProj, h0, weightHH, biasIH, biasHH, hs, saved, hProj])
        ? reserveRegions(runtime, [3 * H * H, steps * width, biasIH === null ? 0 : 3 * H, biasHH === null ? 0 : 3 * H, rows * H, steps * rows * H, saved === null ? 0 : steps * width, hProj === null ? width : steps * width])
        : null;
      if (regions === null) {
        fallback.gruSequenceForward(xProj, h0, weightHH, biasIH, biasHH, params, hs, saved, hProj);
        return;
      }
      const [w, x, biasX, biasH, hInit, hsAt, savedAt, hProjAt] = regions as [number, number, number, number, number, number, number, number];
      put(weightHH, w, 3 * H * H);
      put(xProj, x, steps * width);
      put(biasIH, biasX, 3 * H);
      put(biasHH, biasH, 3 * H);
      put(h0, hInit, rows * H);
      for (let k = 0; k < steps; k++) {
        const t = stepAt(k, params);
        const hPrev = before(k, params, hInit, hsAt);
        const hp = hProj === null ? hProjAt : at(hProjAt, t, params, 3 * H);
        gemmAt(hPrev, H, 1, w, 1, H, hp, 3 * H, rows, 3 * H, H);
        kernels.gruStepF32(at(x, t, params, 3 * H), hp, biasX, biasH, hPrev, rows, H, at(hsAt, t, params, H), savedAt === 0 ? 0 : at(savedAt, t, params, 3 * H));
      }
      get(hs, hsAt, steps * rows * H);
      if (saved !== null) get(saved, savedAt, steps * width);
      if (hProj !== null) get(hProj, hProjAt, steps * width);
    },

    gruSequenceBackward(weightHH, saved, hProj, h0, hs, dHs, dhLast, params, dXProj, dHProj, dh0) {
      const { steps, rows, hidden: H } = params;
      const size = rows * H;
      const width = rows * 3 * H;
      const regions = takes(params, [weightHH, saved, hProj, h0, hs, dHs, dhLast, dXProj, dHProj, dh0])
        ? reserveRegions(runtime, [3 * H * H, steps * width, steps * width, size, steps * size, dHs === null ? 0 : steps * size, dhLast === null ? 0 : size, steps * width, steps * width, size, size])
        : null;
      if (regions === null) {
        fallback.gruSequenceBackward(weightHH, saved, hProj, h0, hs, dHs, dhLast, params, dXProj, dHProj, dh0);
        return;
      }
      const [w, savedAt, hProjAt, hInit, hsAt, dHsAt, dhLastAt, dX, dHP, direct, dhRec] = regions as [number, number, number, number, number, number, number, number, number, number, number];
      put(weightHH, w, 3 * H * H);
      put(saved, savedAt, steps * width);
      put(hProj, hProjAt, steps * width);
      put(h0, hInit, size);
      put(hs, hsAt, steps * size);
      put(dHs, dHsAt, steps * size);
      put(dhLast, dhLastAt, size);
      for (let k = steps - 1; k >= 0; k--) {
        const t = stepAt(k, params);
        const last = k === steps - 1;
        const dhp = at(dHP, t, params, 3 * H);
        // dh = dHs[t] + (dhLast, or the direct z ⊙ dh and the recurrent dHProj·W_hh of the step after).
        kernels.gruBackwardF32(
          at(savedAt, t, params, 3 * H),
          at(hProjAt, t, params, 3 * H),
          before(k, params, hInit, hsAt),
          dHsAt === 0 ? 0 : at(dHsAt, t, params, H),
          last ? dhLastAt : dhRec,
          last ? 0 : direct,
          rows,
          H,
          at(dX, t, params, 3 * H),
          dhp,
          direct,
        );
        gemmAt(dhp, 3 * H, 1, w, H, 1, dhRec, H, rows, H, 3 * H);
      }
      get(dXProj, dX, steps * width);
      get(dHProj, dHP, steps * width);
      const mem = runtime.floats32();
      for (let i = 0; i < size; i++) dh0[i] = mem[(direct >> 2) + i]! + mem[(dhRec >> 2) + i]!;
    },

    lstmCellBackward(saved, cPrev, dh, dc, rows, hidden, dGates, dcPrev) {
      const n = rows * hidden;
      const regions = n >= options.minElements && [saved, cPrev, dh, dc, dGates, dcPrev].every(isF32) ? reserveRegions(runtime, [5 * n, n, n, n, 4 * n, n]) : null;
      if (regions === null) {
        fallback.lstmCellBackward(saved, cPrev, dh, dc, rows, hidden, dGates, dcPrev);
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
