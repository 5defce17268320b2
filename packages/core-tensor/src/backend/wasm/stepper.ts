/**
 * The wasm backend's LSTM stepper (`Backend.createLstmStepper`), float32: the weights are packed
 * once into a region of the wasm memory (`regions.ts`) with the state, the gates and the logits,
 * and a step is one call (`lstmStepperStepF32`, assembly/stepper.ts) after copying in the B tokens
 * and before copying out the B·O logits. Separate ops copied and packed every weight matrix on
 * every step instead. Below `GEMM_FROM_ROWS` rows the products are matrix–vector products per row on
 * panel-packed weights, from it on the GEMM. From `THREADS_FROM_ROWS` rows a step's rows are shared
 * by the runtime's threads (chunks of a multiple of 4 rows, each through every layer and the head:
 * rows never mix within a step). float64 steppers, and any the memory cannot hold, are the js
 * backend's.
 */
import { BackendError } from '../../errors.js';
import type { FloatArray } from '../../dtype.js';
import type { Backend, LSTMStepperArgs, LSTMStepperKernel } from '../backend.js';
import { COUNTER_ADDRESS, OP_LSTM_STEPPER_ROWS } from './memory-layout.js';
import type { Region } from './regions.js';
import { align, type WasmRuntime } from './runtime.js';

/** The exports of assembly/stepper.ts. */
interface StepperKernelExports {
  /** Bytes of the panel layout of a [n, k] weight. */
  stepperPanelBytes(n: number, k: number): number;
  /** Packs W [n, k] (row stride `ld` floats) into 32-row panels at dst. */
  stepperPackPanels(w: number, ld: number, n: number, k: number, dst: number): void;
  /** One step of the stepper whose plan is at `plan`, on this thread. */
  lstmStepperStepF32(plan: number): void;
  /** A step's rows in chunks of `chunk` taken from the shared counter at `counter` (GEMM mode). */
  lstmStepperRowsF32(plan: number, counter: number, chunk: number): void;
}

/**
 * Fewest rows whose products run as a GEMM rather than one matrix–vector product per row. Measured
 * at textgen's default model (64 → 2 × LSTM 128 → 80, load ~4): one row 27 µs a step as matrix–vector
 * products, 2 rows 54 µs that way but ~41 µs as a GEMM (which pads the rows to 4 anyway).
 */
export const GEMM_FROM_ROWS = 2;

/**
 * Fewest rows whose step is shared by threads (two chunks of 4 rows at least). Measured at
 * textgen's default model on 2 threads, best of 200 short runs on a shared machine (load ~4, one
 * core often taken): 8 rows 75 → 45 µs a step, 16 rows 150 → 77 µs, 32 rows 300 → 154 µs, 64 rows
 * 595 → 333 µs; when the other core is busy the shared step waits for the worker and is slower than
 * one thread's (64 rows ~800 µs).
 */
export const THREADS_FROM_ROWS = 8;

/** Rows of the GEMM's micro-kernel: a chunk of rows is a multiple of it. */
const MR = 4;

/** Word indices of the plan (assembly/stepper.ts reads the same). */
const PLAN = {
  layers: 0,
  hidden: 1,
  rows: 2,
  outputs: 3,
  mode: 4,
  table: 5,
  tokens: 6,
  h: 7,
  c: 8,
  gates: 9,
  gateStride: 10,
  packA: 11,
  tile: 12,
  headWeight: 13,
  headBias: 14,
  logits: 15,
  headTmp: 16,
  firstLayer: 20,
} as const;

const roundUp = (x: number, m: number): number => Math.ceil(x / m) * m;

/** The region of a stepper is released by `dispose`, or by this when the stepper is collected undisposed. */
interface Holder {
  runtime: WasmRuntime;
  region: Region | null;
}

const finalizer = new FinalizationRegistry<Holder>((holder) => {
  if (holder.region === null) return;
  holder.runtime.regions.release(holder.region);
  holder.region = null;
});

/** `Backend.createLstmStepper` on `runtime`; `fallback` (the js stepper) for float64 and a full memory. */
export function createLstmStepperKernel(
  runtime: WasmRuntime,
  fallback: Backend['createLstmStepper'],
  gemmFromRows = GEMM_FROM_ROWS,
  threadsFromRows = THREADS_FROM_ROWS,
): Backend['createLstmStepper'] {
  const kernels = runtime.exports as typeof runtime.exports & StepperKernelExports;
  return function createLstmStepper(args: LSTMStepperArgs): LSTMStepperKernel {
    const { layers, hidden: H, outputs: O, rows: B, tokens: V } = args;
    const arrays = [args.inputTable, args.headWeight, args.headBias, ...layers.flatMap((l) => [l.weightIH, l.weightHH, l.bias])];
    if (!arrays.every((a) => a === null || a instanceof Float32Array)) return fallback(args);
    const L = layers.length;
    const gemm = B >= gemmFromRows;
    const depth = (k: number): number => (k === 0 ? H : 2 * H);
    const packedBytes = (n: number, k: number): number => (gemm ? 4 * k * roundUp(n, 8) : kernels.stepperPanelBytes(n, k));
    // The region's blocks (byte sizes; a vector of padding where a kernel may load past the end).
    const sizes = {
      plan: 4 * (PLAN.firstLayer + 3 * L),
      tokens: 4 * B,
      h: 4 * B * L * H + 16,
      c: 4 * B * L * H + 16,
      gates: 4 * B * roundUp(4 * H, 32) + 16,
      table: 4 * V * 4 * H + 16,
      headWeight: packedBytes(O, H),
      headBias: 4 * O + 16,
      logits: 4 * B * O + 16,
      headTmp: 4 * roundUp(O, 32),
      packA: gemm ? 4 * depth(L - 1) * roundUp(B, MR) : 0,
      // One spill tile per chunk of rows (a chunk of 4 rows at least).
      tile: gemm ? (128 * roundUp(B, MR)) / MR : 128,
    };
    const layerBytes = layers.map((_, k) => ({ weight: packedBytes(4 * H, depth(k)), bias: k === 0 ? 0 : 16 * H + 16 }));
    const at: Record<keyof typeof sizes, number> = { ...sizes };
    let total = 0;
    for (const key of Object.keys(sizes) as (keyof typeof sizes)[]) {
      at[key] = total;
      total += align(sizes[key]);
    }
    const layerAt = layerBytes.map(({ weight, bias }) => {
      const offsets = { weight: total, bias: total + align(weight) };
      total += align(weight) + align(bias);
      return offsets;
    });
    const region = runtime.regions.take(total);
    if (region === null) return fallback(args);
    // The raw weights go through the scratch (above the region) to be packed into it.
    const scratch = runtime.reserve(4 * Math.max(4 * H * depth(L - 1), O * H));
    if (scratch < 0) {
      runtime.regions.release(region);
      return fallback(args);
    }
    const base = region.address;
    const mem = runtime.floats32();
    const ints = new Int32Array(mem.buffer, mem.byteOffset, mem.length);
    mem.fill(0, base >> 2, (base + total) >> 2);
    /** Packs W [n, k], written into the scratch by `fill`, into the region at `dst`. */
    const pack = (n: number, k: number, fill: (dst: Float32Array) => void, dst: number): void => {
      fill(mem.subarray(scratch >> 2, (scratch >> 2) + n * k));
      if (gemm) kernels.gemmPackB(scratch, 1, k, k, n, dst);
      else kernels.stepperPackPanels(scratch, k, n, k, dst);
    };
    layers.forEach((layer, k) => {
      const K = depth(k);
      pack(
        4 * H,
        K,
        (dst) => {
          if (k === 0) dst.set(layer.weightHH);
          else
            for (let j = 0; j < 4 * H; j++) {
              dst.set(layer.weightIH!.subarray(j * H, (j + 1) * H), j * K);
              dst.set(layer.weightHH.subarray(j * H, (j + 1) * H), j * K + H);
            }
        },
        base + layerAt[k]!.weight,
      );
      if (k > 0 && layer.bias !== null) mem.set(layer.bias, (base + layerAt[k]!.bias) >> 2);
    });
    pack(O, H, (dst) => dst.set(args.headWeight), base + at.headWeight);
    mem.set(args.inputTable, (base + at.table) >> 2);
    if (args.headBias !== null) mem.set(args.headBias, (base + at.headBias) >> 2);
    const plan = (base + at.plan) >> 2;
    const words: [number, number][] = [
      [PLAN.layers, L],
      [PLAN.hidden, H],
      [PLAN.rows, B],
      [PLAN.outputs, O],
      [PLAN.mode, gemm ? 1 : 0],
      [PLAN.table, base + at.table],
      [PLAN.tokens, base + at.tokens],
      [PLAN.h, base + at.h],
      [PLAN.c, base + at.c],
      [PLAN.gates, base + at.gates],
      [PLAN.gateStride, roundUp(4 * H, 32)],
      [PLAN.packA, base + at.packA],
      [PLAN.tile, base + at.tile],
      [PLAN.headWeight, base + at.headWeight],
      [PLAN.headBias, args.headBias === null ? 0 : base + at.headBias],
      [PLAN.logits, base + at.logits],
      [PLAN.headTmp, base + at.headTmp],
    ];
    layers.forEach((layer, k) => {
      words.push([PLAN.firstLayer + 3 * k, base + layerAt[k]!.weight]);
      words.push([PLAN.firstLayer + 3 * k + 1, k > 0 && layer.bias !== null ? base + layerAt[k]!.bias : 0]);
      words.push([PLAN.firstLayer + 3 * k + 2, depth(k)]);
    });
    for (const [index, value] of words) ints[plan + index] = value;

    const holder: Holder = { runtime, region };
    const stepper = new WasmLstmStepper(runtime, kernels, holder, {
      plan: base + at.plan,
      tokens: base + at.tokens,
      h: base + at.h,
      c: base + at.c,
      logits: base + at.logits,
      sizes: { L, B, H, O },
      threaded: gemm && B >= threadsFromRows,
    });
    finalizer.register(stepper, holder, stepper);
    return stepper;
  };
}

interface Addresses {
  plan: number;
  tokens: number;
  h: number;
  c: number;
  logits: number;
  sizes: { L: number; B: number; H: number; O: number };
  /** Whether a step may share its rows between threads. */
  threaded: boolean;
}

/** A stepper living in a region of the wasm memory (see the file comment). */
class WasmLstmStepper implements LSTMStepperKernel {
  private f32: Float32Array;
  private i32: Int32Array;
  private logitsView: Float32Array;
  /** The per-thread argument lists of a shared step, by thread count. */
  private readonly jobs = new Map<number, number[][]>();
  private readonly local = (args: readonly number[]): void => this.kernels.lstmStepperRowsF32(args[0]!, args[1]!, args[2]!);

  constructor(
    private readonly runtime: WasmRuntime,
    private readonly kernels: StepperKernelExports,
    private readonly holder: Holder,
    private readonly at: Addresses,
  ) {
    this.f32 = runtime.floats32();
    this.i32 = new Int32Array(this.f32.buffer, this.f32.byteOffset, this.f32.length);
    this.logitsView = this.logitsOf(this.f32);
  }

  step(tokens: Int32Array, logits: FloatArray): void {
    this.live('step');
    this.refresh();
    this.i32.set(tokens, this.at.tokens >> 2);
    const jobs = this.at.threaded ? this.jobsFor(this.runtime.activeThreads()) : null;
    if (jobs === null) this.kernels.lstmStepperStepF32(this.at.plan);
    else {
      this.i32[COUNTER_ADDRESS >> 2] = 0;
      this.runtime.parallel(OP_LSTM_STEPPER_ROWS, jobs, this.local);
    }
    logits.set(this.logitsView);
  }

  /**
   * The argument lists of a step shared by `available` threads: ⌈B / threads⌉ rows rounded up to a
   * multiple of 4 per chunk, one chunk per thread (null when that leaves one chunk).
   */
  private jobsFor(available: number): number[][] | null {
    if (available <= 1) return null;
    const cached = this.jobs.get(available);
    if (cached !== undefined) return cached;
    const { B } = this.at.sizes;
    const chunk = roundUp(Math.ceil(B / available), MR);
    const threads = Math.ceil(B / chunk);
    const jobs = threads <= 1 ? null : Array.from({ length: threads }, () => [this.at.plan, COUNTER_ADDRESS, chunk]);
    if (jobs !== null) this.jobs.set(available, jobs);
    return jobs;
  }

  readState(h: FloatArray, c: FloatArray): void {
    this.live('readState');
    this.refresh();
    this.eachLayerBlock((layerOffset, stateOffset, n) => {
      h.set(this.f32.subarray((this.at.h >> 2) + stateOffset, (this.at.h >> 2) + stateOffset + n), layerOffset);
      c.set(this.f32.subarray((this.at.c >> 2) + stateOffset, (this.at.c >> 2) + stateOffset + n), layerOffset);
    });
  }

  writeState(h: FloatArray, c: FloatArray): void {
    this.live('writeState');
    this.refresh();
    this.eachLayerBlock((layerOffset, stateOffset, n) => {
      this.f32.set(h.subarray(layerOffset, layerOffset + n), (this.at.h >> 2) + stateOffset);
      this.f32.set(c.subarray(layerOffset, layerOffset + n), (this.at.c >> 2) + stateOffset);
    });
  }

  dispose(): void {
    if (this.holder.region === null) return;
    this.runtime.regions.release(this.holder.region);
    this.holder.region = null;
    finalizer.unregister(this);
  }

  /**
   * Calls `fn` for every (layer, row) block of H floats: its offset in the caller's [L, B, H] and in
   * the region's rows [h⁰ | … | h^(L−1)] (both in floats).
   */
  private eachLayerBlock(fn: (layerOffset: number, stateOffset: number, n: number) => void): void {
    const { L, B, H } = this.at.sizes;
    for (let l = 0; l < L; l++) for (let r = 0; r < B; r++) fn((l * B + r) * H, r * L * H + l * H, H);
  }

  private logitsOf(mem: Float32Array): Float32Array {
    const { B, O } = this.at.sizes;
    return mem.subarray(this.at.logits >> 2, (this.at.logits >> 2) + B * O);
  }

  /** Views of the memory as it is now (it may have grown, detaching the old buffer, since the last call). */
  private refresh(): void {
    const mem = this.runtime.floats32();
    if (mem === this.f32) return;
    this.f32 = mem;
    this.i32 = new Int32Array(mem.buffer, mem.byteOffset, mem.length);
    this.logitsView = this.logitsOf(mem);
  }

  private live(op: string): void {
    if (this.holder.region === null) throw new BackendError(`LSTM stepper: ${op} after dispose`);
  }
}
