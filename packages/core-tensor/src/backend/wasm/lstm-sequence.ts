/**
 * The wasm backend's fused LSTM sequence (`Backend.lstmSequenceForward` / `lstmSequenceBackward`),
 * float32. A training forward takes a region of the wasm memory (`regions.ts`) and leaves there
 * what the backward reads: the states [h0; hs] and [c0; cs], (T + 1)·B·H floats each, and every
 * step's saved σi, σf, tanh g, σo, tanh c. So the forward copies out only hs and the last c, and the
 * backward copies in only W_hh and the output gradients; it also computes dW_hh = dXᵀ·[hPrev_t] as
 * one GEMM on the region's states (no copy of dX or hs into a matmul), shared by the threads.
 * Before, each pass copied the 5H-wide saved activations and the cells across the boundary (for
 * config A, 14 MB out and in again per step).
 */
import { BackendError } from '../../errors.js';
import type { Backend, RecurrentSequenceParams, SequenceResiduals } from '../backend.js';
import { JsLSTMResiduals } from '../js/sequence.js';
import { COUNTER_ADDRESS, OP_GEMM, OP_LSTM_SEQUENCE_BACKWARD, OP_LSTM_SEQUENCE_FORWARD } from './memory-layout.js';
import type { Region, RegionPool } from './regions.js';
import { align, positional, type WasmRuntime } from './runtime.js';
import { MR, packedFloats, reserveRegions, roundUp, type SequenceTools } from './sequence.js';

/** Byte offsets of the blocks a training forward keeps (see the file comment), and the region's size. */
interface Layout {
  states: number;
  cells: number;
  saved: number;
  bytes: number;
}

function layoutOf({ steps, rows, hidden }: RecurrentSequenceParams, train: boolean): Layout {
  const stateBytes = align(4 * (steps + 1) * rows * hidden);
  const savedBytes = train ? align(20 * steps * rows * hidden) : 0;
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
  return new JsLSTMResiduals(
    copy(at + r.layout.saved, 5 * steps * size),
    copy(c.states, steps * size),
    copy(c.initial, size),
    copy(h.states, steps * size),
    copy(h.initial, size),
  );
}

/** The LSTM sequence kernels on `runtime`; `fallback` (the js backend) for float64, small calls and a full memory. */
export function createLstmSequenceKernels(
  runtime: WasmRuntime,
  fallback: Backend,
  tools: SequenceTools,
): Pick<Backend, 'lstmSequenceForward' | 'lstmSequenceBackward'> {
  const kernels = runtime.exports;
  const { takes, put, get, split, run, options } = tools;
  const lstmForward = positional(kernels.lstmSequenceForwardF32);
  const lstmBackward = positional(kernels.lstmSequenceBackwardF32);
  const gemm = positional(kernels.gemm);
  const pool = (): RegionPool => runtime.regions;

  /**
   * dW_hh [4H, H] = dXᵀ·P at `out`, with dX [T·B, 4H] and the previous states P [T·B, H] at their
   * addresses: one GEMM whose rows (of dW_hh) the threads share, each unit repacking all of P.
   */
  function weightGradient(dX: number, previous: number, out: number, params: RecurrentSequenceParams): void {
    const { steps, rows, hidden: H } = params;
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
      const scratch = reserveRegions(runtime, [
        4 * H * H,
        packedFloats(H, 4 * H),
        steps * size * 4,
        bias === null ? 0 : 4 * H,
        (plan.threads * plan.scratchBytes) / 4,
        // Without a region, the states live in the scratch.
        region === null ? layout.bytes / 4 : 0,
      ]);
      if (scratch === null) {
        if (region !== null) pool().release(region);
        return fallback.lstmSequenceForward(args);
      }
      const [w, packedW, x, biasAt, threadScratch, states] = scratch as [number, number, number, number, number, number];
      const at = region === null ? states : region.address;
      const h = stateAddresses(at + layout.states, params);
      const c = stateAddresses(at + layout.cells, params);
      put(weightHH, w, 4 * H * H);
      // h·W_hhᵀ: W_hhᵀ [H, 4H], read transposed from the stored [4H, H].
      kernels.gemmPackB(w, 1, H, H, 4 * H, packedW);
      put(xProj, x, steps * size * 4);
      put(bias, biasAt, 4 * H);
      put(h0, h.initial, size);
      put(c0, c.initial, size);
      run(
        OP_LSTM_SEQUENCE_FORWARD,
        lstmForward,
        [x, h.initial, c.initial, packedW, biasAt, h.states, c.states, train ? at + layout.saved : 0, steps, rows, H, reverse ? 1 : 0],
        plan,
        threadScratch,
      );
      get(hs, h.states, steps * size);
      get(cLast, c.states + 4 * size * (reverse ? 0 : steps - 1), size);
      return region === null ? null : new WasmLSTMResiduals(runtime, region, layout);
    },

    lstmSequenceBackward(args) {
      const { weightHH, residuals, dHs, dhLast, dcLast, params, dXProj, dh0, dc0, dWeightHH } = args;
      if (!(residuals instanceof WasmLSTMResiduals) || residuals.runtime !== runtime) return fallback.lstmSequenceBackward(args);
      const { steps, rows, hidden: H, reverse } = params;
      const size = rows * H;
      const plan = split(params, 4, 0, 4 * H);
      const at = residuals.address();
      const scratch = reserveRegions(runtime, [
        4 * H * H,
        packedFloats(4 * H, H),
        dHs === null ? 0 : steps * size,
        dhLast === null ? 0 : size,
        size,
        size,
        steps * size * 4,
        (plan.threads * plan.scratchBytes) / 4,
        dWeightHH === null ? 0 : 4 * H * H,
      ]);
      if (scratch === null) {
        fallback.lstmSequenceBackward({ ...args, residuals: toJs(residuals, params) });
        return;
      }
      const [w, packedW, dHsAt, dhLastAt, dc, dhRec, dX, threadScratch, dW] = scratch as [
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
      put(weightHH, w, 4 * H * H);
      // dGates·W_hh: W_hh [4H, H] as stored.
      kernels.gemmPackB(w, H, 1, 4 * H, H, packedW);
      put(dHs, dHsAt, steps * size);
      put(dhLast, dhLastAt, size);
      // dc carries the cell gradient back through the steps (updated in place by each step).
      if (dcLast === null) runtime.floats32().fill(0, dc >> 2, (dc >> 2) + size);
      else put(dcLast, dc, size);
      run(
        OP_LSTM_SEQUENCE_BACKWARD,
        lstmBackward,
        [packedW, at + layout.saved, c.initial, c.states, dHsAt, dhLastAt, dc, dhRec, dX, steps, rows, H, reverse ? 1 : 0],
        plan,
        threadScratch,
      );
      if (dWeightHH !== null) {
        // The previous state of time t is block t of [h0; hs] (forward) or block t + 1 of [hs; h0] (reversed).
        weightGradient(dX, reverse ? h.states + 4 * size : h.initial, dW, params);
        get(dWeightHH, dW, 4 * H * H);
      }
      get(dXProj, dX, steps * size * 4);
      get(dh0, dhRec, size);
      get(dc0, dc, size);
    },
  };
}
