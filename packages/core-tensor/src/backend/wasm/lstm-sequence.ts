/**
 * The wasm backend's fused LSTM sequence (`Backend.lstmSequenceForward` / `lstmSequenceBackward`),
 * float32. A training forward takes a region of the wasm memory (`regions.ts`) and leaves there
 * what the backward reads: the states [h0; hs] and [c0; cs], (T + 1)·B·H floats each, and every
 * step's saved σi, σf, tanh g, σo (tanh c is computed again from cs by the backward). So the
 * forward copies out only hs and the last c, and the backward copies in only W_hh and the output
 * gradients; it also computes dW_hh = dXᵀ·[hPrev_t] on the region's states (no copy of hs into a
 * matmul), shared by the threads, and the bias gradient (the column sums of dX).
 *
 * The per-step operands cross the boundary a span of steps at a time (`SPAN_BYTES`): xProj in the
 * forward, dHs in and dX out in the backward, so the scratch of a call does not grow with T. Memory
 * of char-LSTM config B (2 layers, B 128, H 1024, T 30) per layer: the region 111 → 95 MB, the
 * backward's scratch 128 → 50 MB, the forward's 95 → 34 MB.
 */
import type { FloatArray } from '../../dtype.js';
import { BackendError } from '../../errors.js';
import type { Backend, RecurrentSequenceParams, SequenceResiduals } from '../backend.js';
import { JsLSTMResiduals } from '../js/sequence.js';
import { COUNTER_ADDRESS, OP_GEMM, OP_LSTM_SEQUENCE_BACKWARD, OP_LSTM_SEQUENCE_FORWARD } from './memory-layout.js';
import type { Region, RegionPool } from './regions.js';
import type { KernelExports } from './module.js';
import { align, positional, type WasmRuntime } from './runtime.js';
import { MR, packedFloats, reserveRegions, roundUp, type SequenceTools } from './sequence.js';

/** The exports of assembly/recurrent.ts this file adds to `KernelExports`. */
interface SpanKernelExports {
  /** out[j] += Σ_r x[r·ld + j] for j < cols (x [rows, cols] at `x`, row stride `ld` floats). */
  columnSumF32(x: number, rows: number, cols: number, ld: number, out: number): void;
}

/**
 * Bytes of the per-step buffers of one span at most (xProj forward; dHs and dGates backward): the
 * passes copy those in and out a span of steps at a time, so the scratch of a call stays below
 * this plus W_hh twice, whatever T. At char-LSTM config B (B 128, H 1024, T 30) the backward's
 * scratch went from 128 to 55 MB; config A (B 64, H 128, T 64: 8 MB of xProj) is one span.
 */
const SPAN_BYTES = 16 * 2 ** 20;

/** Steps per span of at most `bytes` for `floatsPerRow`·H floats per row and step (4: xProj; 5: dGates and dHs). */
function spanSteps({ steps, rows, hidden }: RecurrentSequenceParams, floatsPerRow: number, bytes: number): number {
  return Math.max(1, Math.min(steps, Math.floor(bytes / (4 * floatsPerRow * rows * hidden))));
}

/** Byte offsets of the blocks a training forward keeps (see the file comment), and the region's size. */
interface Layout {
  states: number;
  cells: number;
  saved: number;
  bytes: number;
}

function layoutOf({ steps, rows, hidden }: RecurrentSequenceParams, train: boolean): Layout {
  const stateBytes = align(4 * (steps + 1) * rows * hidden);
  const savedBytes = train ? align(16 * steps * rows * hidden) : 0;
  // A vector of padding at the end: the step kernels may load past a row's end.
  return { states: 0, cells: stateBytes, saved: 2 * stateBytes, bytes: 2 * stateBytes + savedBytes + 64 };
}

/**
 * Addresses of h0 (c0) and of hs (cs) in a block of T + 1 states: h0 first and hs after it, or, for a
 * reversed walk, hs first and h0 last. Either way the previous state of the step at time t is the
 * block at t (forward) or t + 1 (reversed), so all the previous states are T contiguous blocks.
 */
function stateAddresses(at: number, { steps, rows, hidden, reverse }: RecurrentSequenceParams): { initial: number; states: number } {
  const block = 4 * rows * hidden;
  return reverse ? { initial: at + steps * block, states: at } : { initial: at, states: at + block };
}

/** The residuals of a wasm LSTM sequence: a region of the memory, laid out as `layoutOf` says. */
class WasmLSTMResiduals implements SequenceResiduals {
  readonly backend = 'wasm';

  constructor(
    readonly runtime: WasmRuntime,
    private region: Region | null,
    readonly layout: Layout,
  ) {}

  get released(): boolean {
    return this.region === null;
  }

  /** The region's address; throws `BackendError` once released. */
  address(): number {
    if (this.region === null) throw new BackendError('lstmSequenceBackward: the residuals of this sequence were already released');
    return this.region.address;
  }

  release(): void {
    if (this.region === null) return;
    this.runtime.regions.release(this.region);
    this.region = null;
  }

  releaseWhen(spent: () => boolean): void {
    this.runtime.whenReserving(() => {
      if (this.region !== null && !spent()) return false;
      this.release();
      return true;
    });
  }
}

/** Copies the residuals of `r` out of the memory into the js backend's form (for the js path, when the scratch cannot grow). */
function toJs(r: WasmLSTMResiduals, params: RecurrentSequenceParams): JsLSTMResiduals {
  const { steps, rows, hidden } = params;
  const size = rows * hidden;
  const mem = r.runtime.floats32();
  const at = r.address();
  const copy = (address: number, n: number): Float32Array => mem.slice(address >> 2, (address >> 2) + n);
  const h = stateAddresses(at + r.layout.states, params);
  const c = stateAddresses(at + r.layout.cells, params);
  // The js form keeps tanh c as a fifth block of each row's saved values.
  const saved4 = mem.subarray((at + r.layout.saved) >> 2, ((at + r.layout.saved) >> 2) + 4 * steps * size);
  const cells = copy(c.states, steps * size);
  const saved = new Float32Array(5 * steps * size);
  for (let row = 0; row < steps * rows; row++) {
    saved.set(saved4.subarray(4 * row * hidden, 4 * (row + 1) * hidden), 5 * row * hidden);
    for (let j = 0; j < hidden; j++) saved[(5 * row + 4) * hidden + j] = Math.tanh(cells[row * hidden + j]!);
  }
  return new JsLSTMResiduals(saved, cells, copy(c.initial, size), copy(h.states, steps * size), copy(h.initial, size));
}

/** The LSTM sequence kernels on `runtime`; `fallback` (the js backend) for float64, small calls and a full memory. */
export function createLstmSequenceKernels(
  runtime: WasmRuntime,
  fallback: Backend,
  tools: SequenceTools,
): Pick<Backend, 'lstmSequenceForward' | 'lstmSequenceBackward'> {
  const kernels = runtime.exports as KernelExports & SpanKernelExports;
  const { takes, put, get, split, run, options } = tools;
  const lstmForward = positional(kernels.lstmSequenceForwardF32);
  const lstmBackward = positional(kernels.lstmSequenceBackwardF32);
  const gemm = positional(kernels.gemm);
  const pool = (): RegionPool => runtime.regions;
  /** x[i] += the `n` floats at `address`. */
  const addFrom = (x: FloatArray, address: number, n: number): void => {
    const mem = runtime.floats32();
    const at = address >> 2;
    for (let i = 0; i < n; i++) x[i] = x[i]! + mem[at + i]!;
  };

  /**
   * dW_hh [4H, H] = dXᵀ·P at `out`, with dX [steps·B, 4H] and the previous states P [steps·B, H] at
   * their addresses: one GEMM whose rows (of dW_hh) the threads share, each unit repacking all of P.
   */
  function weightGradient(dX: number, previous: number, out: number, params: RecurrentSequenceParams, steps: number): void {
    const { rows, hidden: H } = params;
    const [m, n, k] = [4 * H, H, steps * rows];
    const threads = 2 * m * n * k >= options.threadsFrom ? runtime.activeThreads() : 1;
    const unit = threads > 1 ? roundUp(Math.ceil(m / threads), MR) : 0;
    const job = (t: number, counter: number): number[] => [
      dX,
      1,
      m,
      0,
      previous,
      n,
      1,
      0,
      out,
      n,
      0,
      m,
      n,
      k,
      1,
      runtime.workArea(t),
      counter,
      unit,
      1,
    ];
    if (threads === 1) {
      gemm(job(0, 0));
      return;
    }
    new Int32Array(runtime.floats32().buffer, COUNTER_ADDRESS, 1)[0] = 0;
    runtime.parallel(
      OP_GEMM,
      Array.from({ length: threads }, (_, t) => job(t, COUNTER_ADDRESS)),
      gemm,
    );
  }

  return {
    lstmSequenceForward(args) {
      const { xProj, h0, c0, weightHH, bias, params, hs, cLast, train } = args;
      if (!takes(params, [xProj, h0, c0, weightHH, bias, hs, cLast])) return fallback.lstmSequenceForward(args);
      const { steps, rows, hidden: H, reverse } = params;
      const size = rows * H;
      const layout = layoutOf(params, train);
      // The region first: the scratch reserved next starts above it.
      const region = train ? pool().take(layout.bytes) : null;
      if (train && region === null) return fallback.lstmSequenceForward(args);
      const plan = split(params, 4, 4 * H, H);
      const span = spanSteps(params, 4, options.spanBytes ?? SPAN_BYTES);
      // The plain W_hh is read only by the packing, before the first span of xProj overwrites it.
      const scratch = reserveRegions(runtime, [
        Math.max(4 * H * H, span * size * 4),
        packedFloats(H, 4 * H),
        bias === null ? 0 : 4 * H,
        (plan.threads * plan.scratchBytes) / 4,
        // Without a region, the states live in the scratch.
        region === null ? layout.bytes / 4 : 0,
      ]);
      if (scratch === null) {
        if (region !== null) pool().release(region);
        return fallback.lstmSequenceForward(args);
      }
      const [x, packedW, biasAt, threadScratch, states] = scratch as [number, number, number, number, number];
      const w = x;
      const at = region === null ? states : region.address;
      const h = stateAddresses(at + layout.states, params);
      const c = stateAddresses(at + layout.cells, params);
      put(weightHH, w, 4 * H * H);
      // h·W_hhᵀ: W_hhᵀ [H, 4H], read transposed from the stored [4H, H].
      kernels.gemmPackB(w, 1, H, H, 4 * H, packedW);
      put(bias, biasAt, 4 * H);
      put(h0, h.initial, size);
      put(c0, c.initial, size);
      const saved = train ? at + layout.saved : 0;
      for (let kFrom = 0; kFrom < steps; kFrom += span) {
        const kTo = Math.min(steps, kFrom + span);
        // The span's times, [tBase, tBase + kTo − kFrom), are one block of xProj.
        const tBase = reverse ? steps - kTo : kFrom;
        put(xProj.subarray(tBase * size * 4), x, (kTo - kFrom) * size * 4);
        const fixed = [x, h.initial, c.initial, packedW, biasAt, h.states, c.states, saved, steps, rows, H, reverse ? 1 : 0];
        run(OP_LSTM_SEQUENCE_FORWARD, lstmForward, [...fixed, kFrom, kTo, tBase], plan, threadScratch);
      }
      get(hs, h.states, steps * size);
      get(cLast, c.states + 4 * size * (reverse ? 0 : steps - 1), size);
      return region === null ? null : new WasmLSTMResiduals(runtime, region, layout);
    },

    lstmSequenceBackward(args) {
      const { weightHH, residuals, dHs, dhLast, dcLast, params, dXProj, dh0, dc0, dWeightHH, dBias = null } = args;
      if (!(residuals instanceof WasmLSTMResiduals) || residuals.runtime !== runtime) return fallback.lstmSequenceBackward(args);
      const { steps, rows, hidden: H, reverse } = params;
      const size = rows * H;
      const plan = split(params, 4, 0, 4 * H);
      const span = spanSteps(params, 5, options.spanBytes ?? SPAN_BYTES);
      const at = residuals.address();
      // The plain W_hh is read only by the packing: the dW_hh area holds it until then.
      const scratch = reserveRegions(runtime, [
        dWeightHH === null ? 4 * H * H : 0,
        packedFloats(4 * H, H),
        dHs === null ? 0 : span * size,
        dhLast === null ? 0 : size,
        size,
        size,
        span * size * 4,
        (plan.threads * plan.scratchBytes) / 4,
        dWeightHH === null ? 0 : 4 * H * H,
        dBias === null ? 0 : 4 * H,
      ]);
      if (scratch === null) {
        fallback.lstmSequenceBackward({ ...args, residuals: toJs(residuals, params) });
        return;
      }
      const [w, packedW, dHsAt, dhLastAt, dc, dhRec, dX, threadScratch, dW, dBiasAt] = scratch as [
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
      const { layout } = residuals;
      const h = stateAddresses(at + layout.states, params);
      const c = stateAddresses(at + layout.cells, params);
      const wAt = dWeightHH === null ? w : dW;
      put(weightHH, wAt, 4 * H * H);
      // dGates·W_hh: W_hh [4H, H] as stored.
      kernels.gemmPackB(wAt, H, 1, 4 * H, H, packedW);
      put(dhLast, dhLastAt, size);
      // dc carries the cell gradient back through the steps (updated in place by each step).
      if (dcLast === null) runtime.floats32().fill(0, dc >> 2, (dc >> 2) + size);
      else put(dcLast, dc, size);
      if (dBias !== null) runtime.floats32().fill(0, dBiasAt >> 2, (dBiasAt >> 2) + 4 * H);
      // The spans from the last processed down; each one's dGates go out to dXProj, into the bias
      // sum and into dW_hh before the next span overwrites them.
      let first = true;
      for (let kTo = steps; kTo > 0; kTo -= span) {
        const kFrom = Math.max(0, kTo - span);
        const n = kTo - kFrom;
        const tBase = reverse ? steps - kTo : kFrom;
        if (dHs !== null) put(dHs.subarray(tBase * size), dHsAt, n * size);
        const fixed = [packedW, at + layout.saved, c.initial, c.states, dHsAt, dhLastAt, dc, dhRec, dX, steps, rows, H, reverse ? 1 : 0];
        run(OP_LSTM_SEQUENCE_BACKWARD, lstmBackward, [...fixed, kFrom, kTo, tBase], plan, threadScratch);
        get(dXProj.subarray(tBase * size * 4), dX, n * size * 4);
        if (dBias !== null) kernels.columnSumF32(dX, n * rows, 4 * H, 4 * H, dBiasAt);
        if (dWeightHH !== null) {
          // The previous state of time t is block t of [h0; hs] (forward) or block t + 1 of [hs; h0] (reversed).
          const previous = (reverse ? h.states + 4 * size : h.initial) + 4 * tBase * size;
          weightGradient(dX, previous, dW, params, n);
          // The first span's product is copied out, the others added to it (no second 4H·H area).
          if (first) get(dWeightHH, dW, 4 * H * H);
          else addFrom(dWeightHH, dW, 4 * H * H);
          first = false;
        }
      }
      if (dBias !== null) get(dBias, dBiasAt, 4 * H);
      get(dh0, dhRec, size);
      get(dc0, dc, size);
    },
  };
}
