import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import type { LSTMStepperArgs, LSTMStepperKernel } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { createWasmBackend, type WasmBackend } from './backend.js';
import { COUNTER_ADDRESS } from './memory-layout.js';
import { loadKernelsSync } from './module.js';
import { WasmRuntime } from './runtime.js';
import { createLstmStepperKernel } from './stepper.js';

// float32 SIMD σ/tanh and products against the js stepper's float64 sums rounded to float32
const TOL = { rtol: 1e-4, atol: 1e-5 };

function values(gen: Generator, size: number, scale: number): Float32Array {
  return Float32Array.from({ length: size }, () => gen.normal() * scale);
}

interface Sizes {
  V: number;
  H: number;
  L: number;
  O: number;
  B: number;
}

function randomArgs(seed: number, sizes: Sizes): LSTMStepperArgs {
  const gen = new Generator(seed);
  const { V, H, L, O, B } = sizes;
  return {
    inputTable: values(gen, V * 4 * H, 1),
    tokens: V,
    layers: Array.from({ length: L }, (_, k) => ({
      weightIH: k === 0 ? null : values(gen, 4 * H * H, 0.4),
      weightHH: values(gen, 4 * H * H, 0.4),
      bias: k === 0 ? null : values(gen, 4 * H, 0.5),
    })),
    hidden: H,
    headWeight: values(gen, O * H, 0.5),
    headBias: values(gen, O, 0.5),
    outputs: O,
    rows: B,
  };
}

/**
 * [rows, layers, hidden, outputs, GEMM from rows]: the matrix–vector path (one row, a few rows; odd
 * widths for the SIMD tails and the 32-row panels), the GEMM path (more rows than one 4-row tile;
 * forced at 2 rows), three layers, and textgen's default model at batch 1 and 64.
 */
const CASES: readonly [number, number, number, number, number][] = [
  [1, 1, 13, 9, 4],
  [3, 2, 7, 33, 4],
  [1, 3, 5, 3, 4],
  [2, 2, 13, 9, 2],
  [9, 3, 6, 17, 4],
  [1, 2, 128, 80, 4],
  [64, 2, 128, 80, 4],
];

describe('the wasm LSTM stepper against the js one (float32)', () => {
  const runtime = new WasmRuntime(loadKernelsSync(), { threads: 1 });

  it.each(CASES)(
    '%i rows, %i layers, H %i, O %i (GEMM from %i rows): equal logits and states over several steps',
    (B, L, H, O, gemmFrom) => {
      const args = randomArgs(B * 100 + H, { V: 11, H, L, O, B });
      const wasm = createLstmStepperKernel(runtime, jsBackend.createLstmStepper, gemmFrom)(args);
      const js = jsBackend.createLstmStepper(args);
      expect(runtime.regions.liveCount()).toBe(1); // the wasm stepper, not its js fallback
      const gen = new Generator(7);
      const [a, b] = [new Float32Array(B * O), new Float32Array(B * O)];
      // A state set from outside first: both steppers start from it.
      const state = [values(gen, L * B * H, 0.5), values(gen, L * B * H, 0.5)] as const;
      wasm.writeState(...state);
      js.writeState(...state);
      for (let t = 0; t < 5; t++) {
        const tokens = Int32Array.from({ length: B }, () => gen.integer(0, 11));
        wasm.step(tokens, a);
        js.step(tokens, b);
        expectClose(a, b, { ...TOL, message: `step ${t}` });
      }
      const [hw, cw, hj, cj] = [0, 1, 2, 3].map(() => new Float32Array(L * B * H));
      wasm.readState(hw!, cw!);
      js.readState(hj!, cj!);
      expectClose(hw!, hj!, TOL);
      expectClose(cw!, cj!, TOL);
      wasm.dispose();
      expect(runtime.regions.liveCount()).toBe(0);
    },
  );

  it('frees its region on dispose: the memory does not grow over many generations', () => {
    const create = createLstmStepperKernel(runtime, jsBackend.createLstmStepper);
    const args = randomArgs(1, { V: 80, H: 128, L: 2, O: 80, B: 64 });
    const logits = new Float32Array(64 * 80);
    const tokens = new Int32Array(64);
    let bytes = 0;
    for (let g = 0; g < 40; g++) {
      const stepper = create(args);
      for (let t = 0; t < 3; t++) stepper.step(tokens, logits);
      stepper.dispose();
      stepper.dispose(); // twice does nothing
      if (g === 0) bytes = runtime.memoryBytes();
    }
    expect(runtime.regions.liveCount()).toBe(0);
    expect(runtime.memoryBytes()).toBe(bytes);
  });

  it('hands float64 steppers to the js fallback, and refuses a step after dispose', () => {
    const args = randomArgs(2, { V: 5, H: 4, L: 1, O: 3, B: 1 });
    const f64: LSTMStepperArgs = {
      ...args,
      inputTable: Float64Array.from(args.inputTable),
      layers: args.layers.map((l) => ({ weightIH: null, weightHH: Float64Array.from(l.weightHH), bias: null })),
      headWeight: Float64Array.from(args.headWeight),
      headBias: Float64Array.from(args.headBias!),
    };
    const stepper = createLstmStepperKernel(runtime, jsBackend.createLstmStepper)(f64);
    expect(runtime.regions.liveCount()).toBe(0);
    const [a, b] = [new Float64Array(3), new Float64Array(3)];
    stepper.step(Int32Array.of(2), a);
    jsBackend.createLstmStepper(f64).step(Int32Array.of(2), b);
    expect(Array.from(a)).toEqual(Array.from(b));
    const wasm = createLstmStepperKernel(runtime, jsBackend.createLstmStepper)(args);
    wasm.dispose();
    expect(() => wasm.step(Int32Array.of(0), new Float32Array(3))).toThrow(/after dispose/);
  });
});

describe('the wasm LSTM stepper with its rows shared by two threads', () => {
  let runtime: WasmRuntime;
  let backend: WasmBackend;
  beforeAll(async () => {
    runtime = new WasmRuntime(loadKernelsSync(), { threads: 2 });
    await runtime.ready();
    backend = await createWasmBackend({ threads: 2 });
  });
  afterAll(async () => {
    await runtime.dispose();
    await backend.dispose();
  });

  /** Runs `steps` steps of `stepper` from `state` on the tokens of `seed`: every step's logits, then h and c. */
  function run(stepper: LSTMStepperKernel, state: readonly [Float32Array, Float32Array], sizes: Sizes, steps = 4): Float32Array[] {
    const { B, L, H, O, V } = sizes;
    const gen = new Generator(11);
    stepper.writeState(...state);
    const out: Float32Array[] = [];
    for (let t = 0; t < steps; t++) {
      const logits = new Float32Array(B * O);
      stepper.step(
        Int32Array.from({ length: B }, () => gen.integer(0, V)),
        logits,
      );
      out.push(logits);
    }
    const [h, c] = [new Float32Array(L * B * H), new Float32Array(L * B * H)];
    stepper.readState(h, c);
    stepper.dispose();
    return [...out, h, c];
  }

  // [rows, layers]: one chunk per thread (8, 64), and a last chunk of 1 row past two of 4 + 8 (13).
  it.each([
    [8, 1],
    [13, 2],
    [64, 1],
    [64, 2],
  ])('%i rows, %i layers: the same values as on one thread, and as the js stepper', (B, L) => {
    const sizes = { V: 11, H: 24, L, O: 19, B };
    const args = randomArgs(B * 7 + L, sizes);
    const state = [values(new Generator(3), L * B * 24, 0.5), values(new Generator(4), L * B * 24, 0.5)] as const;
    const threaded = run(createLstmStepperKernel(runtime, jsBackend.createLstmStepper, 2, 1)(args), state, sizes);
    const single = run(createLstmStepperKernel(runtime, jsBackend.createLstmStepper, 2, Infinity)(args), state, sizes);
    const js = run(jsBackend.createLstmStepper(args), state, sizes);
    // Every row's products add in the same order in a chunk as in the whole step: equal bit for bit.
    threaded.forEach((a, i) => expect(Array.from(a)).toEqual(Array.from(single[i]!)));
    threaded.forEach((a, i) => expectClose(a, js[i]!, { ...TOL, message: `output ${i}` }));
    expect(runtime.regions.liveCount()).toBe(0);
  });

  it('takes its chunks from the shared counter on both threads, and stays on one below its row threshold', () => {
    const counter = (): number => new Int32Array(runtime.floats32().buffer, COUNTER_ADDRESS, 1)[0]!;
    const args = randomArgs(8, { V: 11, H: 8, L: 2, O: 5, B: 13 });
    const logits = new Float32Array(13 * 5);
    const shared = createLstmStepperKernel(runtime, jsBackend.createLstmStepper, 2, 13)(args);
    shared.step(new Int32Array(13), logits);
    // Chunks of 8 rows: two taken, then one empty take per thread.
    expect(counter()).toBe(4);
    shared.dispose();
    new Int32Array(runtime.floats32().buffer, COUNTER_ADDRESS, 1)[0] = -1;
    const single = createLstmStepperKernel(runtime, jsBackend.createLstmStepper, 2, 14)(args);
    single.step(new Int32Array(13), logits);
    expect(counter()).toBe(-1);
    single.dispose();
  });

  it("shares textgen's default model at batch 64 through the backend's stepper", () => {
    expect(backend.getNumThreads()).toBe(2);
    const sizes = { V: 80, H: 128, L: 2, O: 80, B: 64 };
    const args = randomArgs(5, sizes);
    const state = [values(new Generator(5), 2 * 64 * 128, 0.5), values(new Generator(6), 2 * 64 * 128, 0.5)] as const;
    const shared = run(backend.createLstmStepper(args), state, sizes, 3);
    const js = run(jsBackend.createLstmStepper(args), state, sizes, 3);
    shared.forEach((a, i) => expectClose(a, js[i]!, { ...TOL, message: `output ${i}` }));
  });

  it('keeps the memory flat over many shared steps and generations', () => {
    const create = createLstmStepperKernel(runtime, jsBackend.createLstmStepper);
    const args = randomArgs(6, { V: 80, H: 128, L: 2, O: 80, B: 64 });
    const tokens = new Int32Array(64);
    const logits = new Float32Array(64 * 80);
    let bytes = 0;
    for (let g = 0; g < 10; g++) {
      const stepper = create(args);
      for (let t = 0; t < 20; t++) stepper.step(tokens, logits);
      stepper.dispose();
      if (g === 0) bytes = runtime.memoryBytes();
    }
    expect(runtime.regions.liveCount()).toBe(0);
    expect(runtime.memoryBytes()).toBe(bytes);
  });
});
