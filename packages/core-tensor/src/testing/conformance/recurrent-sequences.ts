/** Backend conformance: the fused LSTM and GRU sequences. See ./index.ts. */
import type { Backend } from '../../backend/backend.js';
import type { FloatArray } from '../../dtype.js';
import { Generator } from '../../random/generator.js';

import { FLOATS, SENTINEL, check, filled, uniform, type ConformanceCase, type FloatType, type Tolerance } from './shared.js';
import { gateValues, gruReference, lstmReference } from './recurrent-cells.js';

// ---- fused recurrent sequences ----------------------------------------------------------------------

interface SequenceSetup {
  name: string;
  params: { steps: number; rows: number; hidden: number; reverse: boolean };
  bias: boolean;
}

/** Odd hidden sizes (no SIMD width divides them), one step, one row, reversed walks, no bias, no rows. */
const SEQUENCE_SETUPS: readonly SequenceSetup[] = [
  { name: 'T 3, B 2, H 5', params: { steps: 3, rows: 2, hidden: 5, reverse: false }, bias: true },
  { name: 'reversed, no bias, T 4, B 3, H 2', params: { steps: 4, rows: 3, hidden: 2, reverse: true }, bias: false },
  { name: 'T 1, B 1, H 7', params: { steps: 1, rows: 1, hidden: 7, reverse: false }, bias: true },
  { name: 'reversed, T 2, B 2, H 1', params: { steps: 2, rows: 2, hidden: 1, reverse: true }, bias: true },
  { name: 'no rows', params: { steps: 2, rows: 0, hidden: 3, reverse: false }, bias: true },
];

/** A sequence's results accumulate float32 rounding over the steps (through the states and the GEMMs). */
const SEQUENCE: Record<FloatType, Tolerance> = { float32: { rtol: 1e-4, atol: 1e-4 }, float64: { rtol: 1e-10, atol: 1e-11 } };

/** Time indices in processing order. */
function sequenceOrder(p: SequenceSetup['params']): number[] {
  const ts = Array.from({ length: p.steps }, (_, k) => k);
  return p.reverse ? ts.reverse() : ts;
}

/** `x[rows, width]` times `w[gates, width]`ᵀ (w read transposed), plus `add[rows, gates]` and `bias`. */
function rowsTimesTransposed(
  x: ArrayLike<number>,
  w: ArrayLike<number>,
  rows: number,
  width: number,
  gates: number,
  bias: ArrayLike<number> | null,
): Float64Array {
  const out = new Float64Array(rows * gates);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < gates; g++) {
      let s = bias === null ? 0 : bias[g]!;
      for (let j = 0; j < width; j++) s += x[r * width + j]! * w[g * width + j]!;
      out[r * gates + g] = s;
    }
  }
  return out;
}

/** `d[rows, gates]` times `w[gates, width]`: the recurrent gradient. */
function rowsTimes(d: ArrayLike<number>, w: ArrayLike<number>, rows: number, gates: number, width: number): Float64Array {
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++)
    for (let g = 0; g < gates; g++)
      for (let j = 0; j < width; j++) out[r * width + j] = out[r * width + j]! + d[r * gates + g]! * w[g * width + j]!;
  return out;
}

function blockOf(x: ArrayLike<number>, t: number, size: number): number[] {
  return Array.from({ length: size }, (_, i) => x[t * size + i]!);
}

/** The LSTM recurrence per the contract, each step by `lstmReference`; states rounded to `storage`'s type as a backend stores them. */
function lstmSequenceReference(
  x: ArrayLike<number>,
  h0: ArrayLike<number>,
  c0: ArrayLike<number>,
  w: ArrayLike<number>,
  b: ArrayLike<number> | null,
  p: SequenceSetup['params'],
  storage: FloatArray,
) {
  const { steps, rows, hidden: H } = p;
  const size = rows * H;
  const hs = new Float64Array(steps * size);
  const cs = new Float64Array(steps * size);
  const saved = new Float64Array(steps * 5 * size);
  let h: ArrayLike<number> = h0;
  let c: ArrayLike<number> = c0;
  for (const t of sequenceOrder(p)) {
    const gates = rowsTimesTransposed(h, w, rows, H, 4 * H, b);
    blockOf(x, t, 4 * size).forEach((v, i) => (gates[i] = gates[i]! + v));
    const step = lstmReference(gates, c, rows, H, storage);
    const round = (v: number): number => ((storage[0] = v), storage[0]!);
    hs.set(step.h.map(round), t * size);
    cs.set(step.c, t * size);
    saved.set(step.saved, t * 5 * size);
    h = hs.subarray(t * size, (t + 1) * size);
    c = cs.subarray(t * size, (t + 1) * size);
  }
  return { hs, cs, saved };
}

function gruSequenceReference(
  x: ArrayLike<number>,
  h0: ArrayLike<number>,
  w: ArrayLike<number>,
  bx: ArrayLike<number> | null,
  b: ArrayLike<number> | null,
  p: SequenceSetup['params'],
  storage: FloatArray,
) {
  const { steps, rows, hidden: H } = p;
  const size = rows * H;
  const hs = new Float64Array(steps * size);
  const saved = new Float64Array(steps * 3 * size);
  const hProj = new Float64Array(steps * 3 * size);
  const round = (v: number): number => ((storage[0] = v), storage[0]!);
  let h: ArrayLike<number> = h0;
  for (const t of sequenceOrder(p)) {
    const hp = rowsTimesTransposed(h, w, rows, H, 3 * H, b).map(round);
    const xb = blockOf(x, t, 3 * size).map((v, i) => (bx === null ? v : v + bx[i % (3 * H)]!));
    const step = gruReference(xb, hp, h, rows, H);
    hs.set(step.h.map(round), t * size);
    saved.set(step.saved, t * 3 * size);
    hProj.set(hp, t * 3 * size);
    h = hs.subarray(t * size, (t + 1) * size);
  }
  return { hs, saved, hProj };
}

export function recurrentSequenceCases(): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const dtype of FLOATS) {
    const tol = SEQUENCE[dtype];
    const sentinel = (backend: Backend, n: number): FloatArray => filled(backend, dtype, new Array<number>(n).fill(SENTINEL)) as FloatArray;
    const values = (backend: Backend, gen: Generator, n: number, scale: number): FloatArray =>
      filled(backend, dtype, uniform(gen, n, -scale, scale)) as FloatArray;
    cases.push({
      name: `lstmSequenceForward ${dtype}: every step's h and the last c, forward and reversed, with and without b_hh and residuals`,
      run(backend) {
        const gen = new Generator(1200);
        for (const setup of SEQUENCE_SETUPS) {
          const p = setup.params;
          const { steps, rows, hidden: H } = p;
          const what = `lstmSequenceForward ${dtype}, ${setup.name}`;
          const x = filled(backend, dtype, gateValues(gen, steps * rows * 4 * H)) as FloatArray;
          const [h0, c0, w] = [values(backend, gen, rows * H, 1), values(backend, gen, rows * H, 2), values(backend, gen, 4 * H * H, 0.8)];
          const b = setup.bias ? values(backend, gen, 4 * H, 0.5) : null;
          const expected = lstmSequenceReference(x, h0, c0, w, b, p, backend.alloc(dtype, 1) as FloatArray);
          const lastCells = blockOf(expected.cs, sequenceOrder(p)[steps - 1]!, rows * H);
          for (const train of [true, false]) {
            const [hs, cLast] = [sentinel(backend, steps * rows * H), sentinel(backend, rows * H)];
            const residuals = backend.lstmSequenceForward({ xProj: x, h0, c0, weightHH: w, bias: b, params: p, hs, cLast, train });
            check(hs, expected.hs, tol, `${what}: hs${train ? '' : ' without residuals'}`);
            check(cLast, lastCells, tol, `${what}: cLast${train ? '' : ' without residuals'}`);
            if (train !== (residuals !== null)) throw new Error(`${what}: residuals expected ${train ? 'with' : 'only with'} train`);
            residuals?.release();
          }
        }
      },
    });
    cases.push({
      name: `lstmSequenceBackward ${dtype}: dXProj, dh0, dc0 and dW_hh through every step, with and without output gradients`,
      run(backend) {
        const gen = new Generator(1210);
        for (const setup of SEQUENCE_SETUPS) {
          const p = setup.params;
          const { steps, rows, hidden: H } = p;
          const size = rows * H;
          const [x, h0, c0, w] = [
            gateValues(gen, steps * rows * 4 * H),
            uniform(gen, size, -1, 1),
            uniform(gen, size, -2, 2),
            uniform(gen, 4 * H * H, -0.8, 0.8),
          ];
          const forward = lstmSequenceReference(x, h0, c0, w, null, p, new Float64Array(1));
          const { saved, cs } = forward;
          const wStored = filled(backend, dtype, w) as FloatArray;
          const c0Stored = filled(backend, dtype, c0) as FloatArray;
          // The backward reads the residuals of the backend's own forward (rounded to its dtype).
          const residuals = backend.lstmSequenceForward({
            xProj: filled(backend, dtype, x) as FloatArray,
            h0: filled(backend, dtype, h0) as FloatArray,
            c0: c0Stored,
            weightHH: wStored,
            bias: null,
            params: p,
            hs: backend.alloc(dtype, steps * size) as FloatArray,
            cLast: backend.alloc(dtype, size) as FloatArray,
            train: true,
          })!;
          for (const withGrads of [true, false]) {
            const dHs = withGrads ? values(backend, gen, steps * size, 1) : null;
            const dhLast = withGrads ? values(backend, gen, size, 1) : null;
            const dcLast = values(backend, gen, size, 1);
            const [dX, dh0, dc0] = [sentinel(backend, steps * rows * 4 * H), sentinel(backend, size), sentinel(backend, size)];
            const dW = sentinel(backend, 4 * H * H);
            backend.lstmSequenceBackward({
              weightHH: wStored,
              residuals,
              dHs,
              dhLast,
              dcLast,
              params: p,
              dXProj: dX,
              dh0,
              dc0,
              dWeightHH: withGrads ? dW : null,
            });
            const expectedW = new Float64Array(4 * H * H);
            // The reference, per the contract: the carried dc, dh = dHs[t] + the recurrent gradient (dhLast last).
            const expectedX = new Float64Array(steps * rows * 4 * H);
            let dc: Float64Array = Float64Array.from(dcLast);
            let dhRec: Float64Array = new Float64Array(size);
            const ts = sequenceOrder(p);
            for (let k = steps - 1; k >= 0; k--) {
              const t = ts[k]!;
              const cPrev = k === 0 ? c0Stored : blockOf(cs, ts[k - 1]!, size);
              const dGates = new Float64Array(rows * 4 * H);
              const dcNext = new Float64Array(size);
              for (let r = 0; r < rows; r++) {
                for (let j = 0; j < H; j++) {
                  const s = r * H + j;
                  const [i, f, g, o, tc] = [0, 1, 2, 3, 4].map((q) => saved[t * 5 * size + r * 5 * H + q * H + j]!) as [
                    number,
                    number,
                    number,
                    number,
                    number,
                  ];
                  const dh = (dHs === null ? 0 : dHs[t * size + s]!) + (k === steps - 1 ? (dhLast === null ? 0 : dhLast[s]!) : dhRec[s]!);
                  const dcTotal = dc[s]! + dh * o * (1 - tc * tc);
                  dGates[r * 4 * H + j] = dcTotal * g * i * (1 - i);
                  dGates[r * 4 * H + H + j] = dcTotal * cPrev[s]! * f * (1 - f);
                  dGates[r * 4 * H + 2 * H + j] = dcTotal * i * (1 - g * g);
                  dGates[r * 4 * H + 3 * H + j] = dh * tc * o * (1 - o);
                  dcNext[s] = dcTotal * f;
                }
              }
              expectedX.set(dGates, t * rows * 4 * H);
              // dW_hh += dGatesᵀ·hPrev
              const hPrev = k === 0 ? h0 : blockOf(forward.hs, ts[k - 1]!, size);
              for (let r = 0; r < rows; r++)
                for (let q = 0; q < 4 * H; q++)
                  for (let j = 0; j < H; j++) expectedW[q * H + j] = expectedW[q * H + j]! + dGates[r * 4 * H + q]! * hPrev[r * H + j]!;
              dc = dcNext;
              dhRec = rowsTimes(dGates, wStored, rows, 4 * H, H);
            }
            const what = `lstmSequenceBackward ${dtype}, ${setup.name}${withGrads ? '' : ', no dHs or dhLast'}`;
            check(dX, expectedX, tol, `${what}: dXProj`);
            check(dh0, dhRec, tol, `${what}: dh0`);
            check(dc0, dc, tol, `${what}: dc0`);
            if (withGrads) check(dW, expectedW, tol, `${what}: dWeightHH`);
          }
          residuals.release();
        }
      },
    });
    cases.push({
      name: `gruSequenceForward ${dtype}: every step's h, saved r, z, n and hProj (with b_hh), with and without b_ih, forward and reversed`,
      run(backend) {
        const gen = new Generator(1220);
        for (const setup of SEQUENCE_SETUPS) {
          const p = setup.params;
          const { steps, rows, hidden: H } = p;
          const what = `gruSequenceForward ${dtype}, ${setup.name}`;
          const x = filled(backend, dtype, gateValues(gen, steps * rows * 3 * H)) as FloatArray;
          const [h0, w] = [values(backend, gen, rows * H, 1), values(backend, gen, 3 * H * H, 0.8)];
          const bx = setup.bias ? values(backend, gen, 3 * H, 0.5) : null;
          const b = setup.bias ? values(backend, gen, 3 * H, 0.5) : null;
          const expected = gruSequenceReference(x, h0, w, bx, b, p, backend.alloc(dtype, 1) as FloatArray);
          const [hs, saved, hProj] = [
            sentinel(backend, steps * rows * H),
            sentinel(backend, steps * rows * 3 * H),
            sentinel(backend, steps * rows * 3 * H),
          ];
          backend.gruSequenceForward({ xProj: x, h0, weightHH: w, biasIH: bx, biasHH: b, params: p, hs, saved, hProj });
          check(hs, expected.hs, tol, `${what}: hs`);
          check(saved, expected.saved, tol, `${what}: saved`);
          check(hProj, expected.hProj, tol, `${what}: hProj`);
          const hs2 = sentinel(backend, steps * rows * H);
          backend.gruSequenceForward({ xProj: x, h0, weightHH: w, biasIH: bx, biasHH: b, params: p, hs: hs2, saved: null, hProj: null });
          check(hs2, expected.hs, tol, `${what}: hs without saved`);
        }
      },
    });
    cases.push({
      name: `gruSequenceBackward ${dtype}: dXProj, dHProj and dh0 through every step, with and without output gradients`,
      run(backend) {
        const gen = new Generator(1230);
        for (const setup of SEQUENCE_SETUPS) {
          const p = setup.params;
          const { steps, rows, hidden: H } = p;
          const size = rows * H;
          const width = rows * 3 * H;
          const [x, h0, w, b] = [
            gateValues(gen, steps * width),
            uniform(gen, size, -1, 1),
            uniform(gen, 3 * H * H, -0.8, 0.8),
            uniform(gen, 3 * H, -0.5, 0.5),
          ];
          const forward = gruSequenceReference(x, h0, w, null, b, p, new Float64Array(1));
          const [wStored, saved, hProj, h0Stored, hs] = [w, forward.saved, forward.hProj, h0, forward.hs].map(
            (v) => filled(backend, dtype, v) as FloatArray,
          ) as [FloatArray, FloatArray, FloatArray, FloatArray, FloatArray];
          for (const withGrads of [true, false]) {
            const dHs = values(backend, gen, steps * size, 1);
            const dhLast = withGrads ? values(backend, gen, size, 1) : null;
            const [dX, dHP, dh0] = [sentinel(backend, steps * width), sentinel(backend, steps * width), sentinel(backend, size)];
            backend.gruSequenceBackward({
              weightHH: wStored,
              saved,
              hProj,
              h0: h0Stored,
              hs,
              dHs,
              dhLast,
              params: p,
              dXProj: dX,
              dHProj: dHP,
              dh0,
            });
            const expectedX = new Float64Array(steps * width);
            const expectedHP = new Float64Array(steps * width);
            // The gradient reaching the state before step k (in processing order): direct z ⊙ dh plus dHProj·W_hh.
            let carried: Float64Array = dhLast === null ? new Float64Array(size) : Float64Array.from(dhLast);
            const ts = sequenceOrder(p);
            for (let k = steps - 1; k >= 0; k--) {
              const t = ts[k]!;
              const hPrev = k === 0 ? h0Stored : blockOf(hs, ts[k - 1]!, size);
              const dhp = new Float64Array(width);
              const direct = new Float64Array(size);
              for (let row = 0; row < rows; row++) {
                for (let j = 0; j < H; j++) {
                  const at3 = (q: number): number => t * width + row * 3 * H + q * H + j;
                  const [r, z, n] = [saved[at3(0)]!, saved[at3(1)]!, saved[at3(2)]!];
                  const g = dHs[t * size + row * H + j]! + carried[row * H + j]!;
                  const dn = g * (1 - z) * (1 - n * n);
                  const dr = dn * hProj[at3(2)]! * r * (1 - r);
                  const dz = g * (hPrev[row * H + j]! - n) * z * (1 - z);
                  [dr, dz, dn].forEach((v, q) => (expectedX[at3(q)] = v));
                  [dr, dz, dn * r].forEach((v, q) => (expectedHP[at3(q)] = v));
                  for (let q = 0; q < 3; q++) dhp[row * 3 * H + q * H + j] = [dr, dz, dn * r][q]!;
                  direct[row * H + j] = g * z;
                }
              }
              const rec = rowsTimes(dhp, wStored, rows, 3 * H, H);
              carried = direct.map((v, i) => v + rec[i]!);
            }
            const what = `gruSequenceBackward ${dtype}, ${setup.name}${withGrads ? '' : ', no dhLast'}`;
            check(dX, expectedX, tol, `${what}: dXProj`);
            check(dHP, expectedHP, tol, `${what}: dHProj`);
            check(dh0, carried, tol, `${what}: dh0`);
          }
        }
      },
    });
  }
  return cases;
}
