import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Generator } from '../../random/generator.js';
import { expectClose } from '../../testing/expect-close.js';
import type { RecurrentSequenceParams } from '../backend.js';
import { jsBackend } from '../js/index.js';
import { createWasmBackend, type WasmBackend } from './index.js';
import { loadKernelsSync } from './module.js';
import { WasmRuntime } from './runtime.js';
import { createSequenceKernels, type SequenceKernels } from './sequence.js';

// float32 through T steps of SIMD σ/tanh and GEMMs against the js kernels' float64-then-rounded steps
const TOL = { rtol: 1e-4, atol: 2e-5 };

function values(gen: Generator, size: number, scale: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = gen.normal() * scale;
  return out;
}

/**
 * [steps, rows, hidden, reverse]: the benchmark's layer, odd widths (tails past the SIMD width and
 * the GEMM's 8-column panels), reversed walks, more rows than one GEMM row block (128) with a
 * shared dimension past one depth block (256, backward: 4H).
 */
const SHAPES: readonly [number, number, number, boolean][] = [
  [6, 64, 128, false],
  [2, 131, 70, false],
  [5, 9, 30, true],
  [3, 33, 7, false],
  [1, 16, 5, true],
];

describe.each([
  ['1 thread', 1],
  ['2 threads, the rows split into chunks', 2],
])('wasm fused recurrent sequences against the js kernels (float32), %s', (_, threads) => {
  let backend: WasmBackend;
  beforeAll(async () => {
    backend = await createWasmBackend({ threads, matmulTuning: { threadsFrom: 0 }, elementwiseFrom: 1 });
  });
  afterAll(async () => {
    await backend.dispose();
  });

  it.each(SHAPES)('lstmSequenceForward and lstmSequenceBackward [T %i, B %i, H %i, reverse %s]', (steps, rows, H, reverse) => {
    const gen = new Generator(41);
    const p: RecurrentSequenceParams = { steps, rows, hidden: H, reverse };
    const size = rows * H;
    const [x, h0, c0, w, b] = [
      values(gen, steps * rows * 4 * H, 1),
      values(gen, size, 0.5),
      values(gen, size, 1),
      values(gen, 4 * H * H, 1 / Math.sqrt(H)),
      values(gen, 4 * H, 0.3),
    ];
    const forward = (be: typeof jsBackend) => {
      const [hs, cLast] = [new Float32Array(steps * size), new Float32Array(size)];
      const residuals = be.lstmSequenceForward({ xProj: x, h0, c0, weightHH: w, bias: b, params: p, hs, cLast, train: true })!;
      return { hs, cLast, residuals };
    };
    const ours = forward(backend);
    const reference = forward(jsBackend);
    expectClose(ours.hs, reference.hs, { ...TOL, message: 'hs' });
    expectClose(ours.cLast, reference.cLast, { ...TOL, message: 'cLast' });
    // The backward pass, each backend from its own residuals (twice from the same ones: a retained graph).
    const [dHs, dhLast, dcLast] = [values(gen, steps * size, 1), values(gen, size, 1), values(gen, size, 1)];
    for (const [withLast, name] of [
      [true, 'with dhLast, dcLast'],
      [false, 'without'],
    ] as const) {
      const backward = (be: typeof jsBackend, run: typeof ours): Float32Array[] => {
        const out = [
          new Float32Array(steps * rows * 4 * H),
          new Float32Array(size),
          new Float32Array(size),
          new Float32Array(4 * H * H),
          new Float32Array(4 * H),
        ];
        be.lstmSequenceBackward({
          weightHH: w,
          residuals: run.residuals,
          dHs,
          dhLast: withLast ? dhLast : null,
          dcLast: withLast ? dcLast : null,
          params: p,
          dXProj: out[0]!,
          dh0: out[1]!,
          dc0: out[2]!,
          dWeightHH: out[3]!,
          dBias: out[4]!,
        });
        return out;
      };
      const theirs = backward(jsBackend, reference);
      backward(backend, ours).forEach((v, k) =>
        expectClose(v, theirs[k]!, { ...TOL, message: `${['dXProj', 'dh0', 'dc0', 'dWeightHH', 'dBias'][k]!} ${name}` }),
      );
    }
    ours.residuals.release();
    expect(ours.residuals.released).toBe(true);
  });

  it.each(SHAPES)('gruSequenceForward and gruSequenceBackward [T %i, B %i, H %i, reverse %s]', (steps, rows, H, reverse) => {
    const gen = new Generator(42);
    const p: RecurrentSequenceParams = { steps, rows, hidden: H, reverse };
    const size = rows * H;
    const width = rows * 3 * H;
    const [x, h0, w, bx, b] = [
      values(gen, steps * width, 1),
      values(gen, size, 0.5),
      values(gen, 3 * H * H, 1 / Math.sqrt(H)),
      values(gen, 3 * H, 0.3),
      values(gen, 3 * H, 0.3),
    ];
    const forward = (be: typeof jsBackend): Float32Array[] => {
      const out = [new Float32Array(steps * size), new Float32Array(steps * width), new Float32Array(steps * width)];
      be.gruSequenceForward({ xProj: x, h0, weightHH: w, biasIH: bx, biasHH: b, params: p, hs: out[0]!, saved: out[1]!, hProj: out[2]! });
      return out;
    };
    const ours = forward(backend);
    const reference = forward(jsBackend);
    ours.forEach((v, k) => expectClose(v, reference[k]!, { ...TOL, message: ['hs', 'saved', 'hProj'][k]! }));
    const inference = new Float32Array(steps * size);
    backend.gruSequenceForward({ xProj: x, h0, weightHH: w, biasIH: null, biasHH: b, params: p, hs: inference, saved: null, hProj: null });
    const withoutInputBias = new Float32Array(steps * size);
    jsBackend.gruSequenceForward({
      xProj: x,
      h0,
      weightHH: w,
      biasIH: null,
      biasHH: b,
      params: p,
      hs: withoutInputBias,
      saved: null,
      hProj: null,
    });
    expectClose(inference, withoutInputBias, { ...TOL, message: 'hs without saved or b_ih' });
    const [dHs, dhLast] = [values(gen, steps * size, 1), values(gen, size, 1)];
    const backward = (be: typeof jsBackend): Float32Array[] => {
      const out = [new Float32Array(steps * width), new Float32Array(steps * width), new Float32Array(size)];
      be.gruSequenceBackward({
        weightHH: w,
        saved: reference[1]!,
        hProj: reference[2]!,
        h0,
        hs: reference[0]!,
        dHs,
        dhLast,
        params: p,
        dXProj: out[0]!,
        dHProj: out[1]!,
        dh0: out[2]!,
      });
      return out;
    };
    const theirs = backward(jsBackend);
    backward(backend).forEach((v, k) => expectClose(v, theirs[k]!, { ...TOL, message: ['dXProj', 'dHProj', 'dh0'][k]! }));
  });

  it('lstmCellBackward in SIMD equals the js kernel, tails included', () => {
    const gen = new Generator(43);
    for (const [rows, H] of [
      [64, 128],
      [7, 13],
    ] as const) {
      const n = rows * H;
      const saved = new Float32Array(5 * n).map(() => 1 / (1 + Math.exp(-gen.normal())));
      const [cPrev, dh, dc] = [values(gen, n, 1), values(gen, n, 1), values(gen, n, 1)];
      const run = (be: typeof jsBackend): Float32Array[] => {
        const out = [new Float32Array(4 * n), new Float32Array(n)];
        be.lstmCellBackward({ saved, cPrev, dh, dc, rows, hidden: H, dGates: out[0]!, dcPrev: out[1]! });
        return out;
      };
      const theirs = run(jsBackend);
      run(backend).forEach((v, k) => expectClose(v, theirs[k]!, { rtol: 1e-5, atol: 1e-6, message: ['dGates', 'dcPrev'][k]! }));
    }
  });

  it('takes the js kernels for float64 storage (the same results bit for bit)', () => {
    const gen = new Generator(44);
    const p: RecurrentSequenceParams = { steps: 3, rows: 4, hidden: 5, reverse: false };
    const f64 = (n: number, s: number): Float64Array => Float64Array.from(values(gen, n, s));
    const [x, h0, c0, w] = [f64(3 * 4 * 20, 1), f64(20, 1), f64(20, 1), f64(100, 0.4)];
    const run = (be: typeof jsBackend): Float64Array => {
      const hs = new Float64Array(60);
      be.lstmSequenceForward({ xProj: x, h0, c0, weightHH: w, bias: null, params: p, hs, cLast: new Float64Array(20), train: false });
      return hs;
    };
    expect(Array.from(run(backend))).toEqual(Array.from(run(jsBackend)));
  });
});

describe.each([1, 2])('wasm fused recurrent sequences write only inside their reservation, %i thread(s)', (threads) => {
  let runtime: WasmRuntime;
  let kernels: SequenceKernels;
  beforeAll(async () => {
    runtime = new WasmRuntime(loadKernelsSync(), { threads });
    await runtime.ready();
    kernels = createSequenceKernels(runtime, jsBackend, { threadsFrom: 0, minElements: 1 });
  });
  afterAll(async () => {
    await runtime.dispose();
  });

  /** Runs `call` twice: the first sizes the reservation; the second must leave every float past its end as it found it. */
  function expectNoWritePastReservation(call: () => void): void {
    call();
    const end = runtime.reservedEnd() >> 2;
    const mem = runtime.floats32();
    const limit = Math.min(mem.length, end + (1 << 20));
    mem.fill(12345.5, end, limit);
    call();
    const after = runtime.floats32();
    let first = -1;
    for (let i = end; i < limit && first < 0; i++) if (after[i] !== 12345.5) first = i;
    expect(first, `first float written past the reservation (end ${end})`).toBe(-1);
  }

  it.each([
    [4, 19, 24],
    [3, 6, 9],
  ])('LSTM and GRU, forward (with and without saved state) and backward [T %i, B %i, H %i]', (steps, rows, H) => {
    const gen = new Generator(45);
    const p: RecurrentSequenceParams = { steps, rows, hidden: H, reverse: false };
    const size = rows * H;
    const v = (n: number): Float32Array => values(gen, n, 0.5);
    const [x4, x3, h0, c0, w4, w3, b4, b3] = [
      v(steps * rows * 4 * H),
      v(steps * rows * 3 * H),
      v(size),
      v(size),
      v(4 * H * H),
      v(3 * H * H),
      v(4 * H),
      v(3 * H),
    ];
    const [hs, saved3, hProj] = [v(steps * size), v(steps * rows * 3 * H), v(steps * rows * 3 * H)];
    const cLast = v(size);
    expectNoWritePastReservation(() =>
      kernels.lstmSequenceForward({ xProj: x4, h0, c0, weightHH: w4, bias: b4, params: p, hs, cLast, train: true })!.release(),
    );
    expectNoWritePastReservation(() =>
      kernels.lstmSequenceForward({ xProj: x4, h0, c0, weightHH: w4, bias: null, params: p, hs, cLast, train: false }),
    );
    const residuals = kernels.lstmSequenceForward({ xProj: x4, h0, c0, weightHH: w4, bias: b4, params: p, hs, cLast, train: true })!;
    expectNoWritePastReservation(() =>
      kernels.lstmSequenceBackward({
        weightHH: w4,
        residuals,
        dHs: hs,
        dhLast: h0,
        dcLast: c0,
        params: p,
        dXProj: v(steps * rows * 4 * H),
        dh0: v(size),
        dc0: v(size),
        dWeightHH: v(4 * H * H),
      }),
    );
    residuals.release();
    expectNoWritePastReservation(() =>
      kernels.gruSequenceForward({ xProj: x3, h0, weightHH: w3, biasIH: b3, biasHH: b3, params: p, hs, saved: saved3, hProj }),
    );
    expectNoWritePastReservation(() =>
      kernels.gruSequenceForward({ xProj: x3, h0, weightHH: w3, biasIH: b3, biasHH: b3, params: p, hs, saved: null, hProj: null }),
    );
    expectNoWritePastReservation(() =>
      kernels.gruSequenceBackward({
        weightHH: w3,
        saved: saved3,
        hProj,
        h0,
        hs,
        dHs: hs,
        dhLast: h0,
        params: p,
        dXProj: v(steps * rows * 3 * H),
        dHProj: v(steps * rows * 3 * H),
        dh0: v(size),
      }),
    );
  });
});

describe.each([1, 2])(
  'the wasm LSTM sequence in spans of steps (xProj, dHs and dGates copied a span at a time), %i thread(s)',
  (threads) => {
    let runtime: WasmRuntime;
    beforeAll(async () => {
      runtime = new WasmRuntime(loadKernelsSync(), { threads });
      await runtime.ready();
    });
    afterAll(async () => {
      await runtime.dispose();
    });

    // [T, B, H, reverse, bytes per span]: one step per span, uneven spans (7 = 3 + 3 + 1), reversed.
    it.each([
      [5, 12, 16, false, 1],
      [7, 12, 16, true, 4 * 5 * 12 * 16 * 3],
      [7, 9, 13, false, 4 * 5 * 9 * 13 * 3],
    ])('equals the js kernels [T %i, B %i, H %i, reverse %s, span bytes %i]', (steps, rows, H, reverse, spanBytes) => {
      const kernels = createSequenceKernels(runtime, jsBackend, { threadsFrom: 0, minElements: 1, spanBytes });
      const gen = new Generator(43);
      const p: RecurrentSequenceParams = { steps, rows, hidden: H, reverse };
      const size = rows * H;
      const [x, h0, c0, w, b] = [
        values(gen, steps * rows * 4 * H, 1),
        values(gen, size, 0.5),
        values(gen, size, 1),
        values(gen, 4 * H * H, 1 / Math.sqrt(H)),
        values(gen, 4 * H, 0.3),
      ];
      const run = (be: Pick<SequenceKernels, 'lstmSequenceForward' | 'lstmSequenceBackward'>): Float32Array[] => {
        const [hs, cLast] = [new Float32Array(steps * size), new Float32Array(size)];
        const residuals = be.lstmSequenceForward({ xProj: x, h0, c0, weightHH: w, bias: b, params: p, hs, cLast, train: true })!;
        const out = [new Float32Array(steps * rows * 4 * H), new Float32Array(size), new Float32Array(size)];
        const grads = [new Float32Array(4 * H * H), new Float32Array(4 * H)];
        const dHs = values(new Generator(44), steps * size, 1);
        be.lstmSequenceBackward({
          weightHH: w,
          residuals,
          dHs,
          dhLast: dHs.subarray(0, size),
          dcLast: null,
          params: p,
          dXProj: out[0]!,
          dh0: out[1]!,
          dc0: out[2]!,
          dWeightHH: grads[0]!,
          dBias: grads[1]!,
        });
        residuals.release();
        return [hs, cLast, ...out, ...grads];
      };
      const theirs = run(jsBackend);
      run(kernels).forEach((v, k) =>
        expectClose(v, theirs[k]!, { ...TOL, message: ['hs', 'cLast', 'dXProj', 'dh0', 'dc0', 'dWeightHH', 'dBias'][k]! }),
      );
    });
  },
);
