/**
 * The fused recurrent sequences of the js backend (contracts on `Backend`): a whole layer-direction
 * in one call, as a loop over the steps that runs the GEMM and the fused cell kernels on subarray
 * views of the sequence buffers. Nothing is recorded on the tape and nothing is allocated per step:
 * a call allocates a few [B, ·] scratch rows once.
 *
 * Steps are processed in order k = 0 … T−1, at time index t = k (or T−1−k with `reverse`); the
 * previous state of step k > 0 is the one step k−1 wrote.
 */
import { newArray, type FloatArray } from '../../dtype.js';
import { BackendError } from '../../errors.js';
import type {
  GRUSequenceBackwardArgs,
  GRUSequenceForwardArgs,
  LSTMSequenceBackwardArgs,
  LSTMSequenceForwardArgs,
  MatmulArgs,
  MatmulParams,
  RecurrentSequenceParams,
  SequenceResiduals,
} from '../backend.js';
import { matmul } from './matmul.js';
import { gruCellBackward, gruCellForward, lstmCellBackward, lstmCellForward } from './recurrent.js';

/** The time index of the k-th step processed. */
export function stepAt(k: number, params: RecurrentSequenceParams): number {
  return params.reverse ? params.steps - 1 - k : k;
}

/** `state[rows, H]` as it was before the k-th step processed: `initial` for k = 0, else the row block of step k−1. */
function previous(k: number, params: RecurrentSequenceParams, initial: FloatArray, states: FloatArray, width: number): FloatArray {
  if (k === 0) return initial;
  const size = params.rows * width;
  const start = stepAt(k - 1, params) * size;
  return states.subarray(start, start + size);
}

function block(x: FloatArray, t: number, size: number): FloatArray {
  return x.subarray(t * size, (t + 1) * size);
}

function scratch(like: FloatArray, size: number): FloatArray {
  return newArray(like instanceof Float32Array ? 'float32' : 'float64', size) as FloatArray;
}

/** `h·W_hhᵀ` for h [rows, H] and W_hh [gates, H]: [rows, gates]. */
function recurrentProduct(rows: number, gates: number, hidden: number): MatmulParams {
  return { batch: 1, m: rows, n: gates, k: hidden, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 };
}

/** `dGates·W_hh` for dGates [rows, gates] and W_hh [gates, H]: [rows, H]. */
function recurrentGradient(rows: number, gates: number, hidden: number): MatmulParams {
  return { batch: 1, m: rows, n: hidden, k: gates, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
}

/** `out[r, j] += x[r, j] + bias[j]` over `[rows, width]` (x or bias null = none). */
function addInto(out: FloatArray, x: FloatArray | null, bias: FloatArray | null, rows: number, width: number): void {
  for (let r = 0, o = 0; r < rows; r++, o += width) {
    for (let j = 0; j < width; j++) out[o + j] = out[o + j]! + (x === null ? 0 : x[o + j]!) + (bias === null ? 0 : bias[j]!);
  }
}

/** `out = a + b` elementwise, where null terms are zeros. */
function sum3(out: FloatArray, a: FloatArray | null, b: FloatArray | null, c: FloatArray | null): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = (a === null ? 0 : a[i]!) + (b === null ? 0 : b[i]!) + (c === null ? 0 : c[i]!);
}

/**
 * What the js LSTM sequence keeps for its backward: plain arrays (the forward's `hs` and `h0` by
 * reference, the saved activations and cells it allocated). Releasing drops them.
 */
export class JsLSTMResiduals implements SequenceResiduals {
  readonly backend = 'js';
  private arrays: { saved: FloatArray; cs: FloatArray; c0: FloatArray; hs: FloatArray; h0: FloatArray } | null;

  constructor(saved: FloatArray, cs: FloatArray, c0: FloatArray, hs: FloatArray, h0: FloatArray) {
    this.arrays = { saved, cs, c0, hs, h0 };
  }

  get released(): boolean {
    return this.arrays === null;
  }

  /** The arrays; throws `BackendError` once released. */
  get(): { saved: FloatArray; cs: FloatArray; c0: FloatArray; hs: FloatArray; h0: FloatArray } {
    if (this.arrays === null) throw new BackendError('lstmSequenceBackward: the residuals of this sequence were already released');
    return this.arrays;
  }

  release(): void {
    this.arrays = null;
  }
}

/** See `Backend.lstmSequenceForward`. */
export function lstmSequenceForward({
  xProj,
  h0,
  c0,
  weightHH,
  bias,
  params,
  hs,
  cLast,
  train,
}: LSTMSequenceForwardArgs): JsLSTMResiduals | null {
  const { steps, rows, hidden: H } = params;
  const size = rows * H;
  const gates = scratch(xProj, rows * 4 * H);
  const cs = scratch(xProj, steps * size);
  const saved = train ? scratch(xProj, steps * rows * 5 * H) : null;
  const product = recurrentProduct(rows, 4 * H, H);
  for (let k = 0; k < steps; k++) {
    const t = stepAt(k, params);
    matmul({ a: previous(k, params, h0, hs, H), b: weightHH, out: gates, ...product });
    addInto(gates, block(xProj, t, rows * 4 * H), bias, rows, 4 * H);
    lstmCellForward({
      gates,
      cPrev: previous(k, params, c0, cs, H),
      rows,
      hidden: H,
      h: block(hs, t, size),
      c: block(cs, t, size),
      saved: saved === null ? null : block(saved, t, rows * 5 * H),
    });
  }
  cLast.set(block(cs, stepAt(steps - 1, params), size));
  return saved === null ? null : new JsLSTMResiduals(saved, cs, c0.slice(0, size), hs, h0);
}

/**
 * dW_hh = Σ_t dGates[t]ᵀ·hPrev_t, [gates, H], into `out`: the T−1 steps whose previous state is in
 * `hs` as one GEMM, plus the step that read h0, both by `gemm` (a backend's matmul).
 */
export function recurrentWeightGrad(
  gemm: (args: MatmulArgs) => void,
  dGates: FloatArray,
  hs: FloatArray,
  h0: FloatArray,
  params: RecurrentSequenceParams,
  gates: number,
  out: FloatArray,
): void {
  const { steps, rows, hidden, reverse } = params;
  const product = (k: number): MatmulParams => ({
    batch: 1,
    m: gates,
    n: hidden,
    k,
    transA: true,
    transB: false,
    aBatchStride: 0,
    bBatchStride: 0,
  });
  const gateBlock = rows * gates;
  const stateBlock = rows * hidden;
  const first = reverse ? steps - 1 : 0;
  gemm({ a: dGates.subarray(first * gateBlock, (first + 1) * gateBlock), b: h0, out, ...product(rows) });
  if (steps === 1) return;
  // Forward: steps 1…T−1 read hs[0…T−2]. Reverse: steps 0…T−2 read hs[1…T−1].
  const gateStart = reverse ? 0 : gateBlock;
  const stateStart = reverse ? stateBlock : 0;
  const rest = scratch(out, gates * hidden);
  gemm({
    a: dGates.subarray(gateStart, gateStart + (steps - 1) * gateBlock),
    b: hs.subarray(stateStart, stateStart + (steps - 1) * stateBlock),
    out: rest,
    ...product((steps - 1) * rows),
  });
  for (let i = 0; i < gates * hidden; i++) out[i] = out[i]! + rest[i]!;
}

/** See `Backend.lstmSequenceBackward` (residuals of `lstmSequenceForward` above). */
export function lstmSequenceBackward({
  weightHH,
  residuals,
  dHs,
  dhLast,
  dcLast,
  params,
  dXProj,
  dh0,
  dc0,
  dWeightHH,
  dBias = null,
}: LSTMSequenceBackwardArgs): void {
  if (!(residuals instanceof JsLSTMResiduals))
    throw new BackendError(`lstmSequenceBackward: expected residuals of the js backend, got the ${residuals.backend} backend's`);
  const { saved, cs, c0, hs, h0 } = residuals.get();
  const { steps, rows, hidden: H } = params;
  const size = rows * H;
  const dh = scratch(dh0, size);
  // dc0 carries the cell gradient back through the steps (the kernel updates it in place).
  if (dcLast === null) dc0.fill(0, 0, size);
  else dc0.set(dcLast.subarray(0, size));
  const product = recurrentGradient(rows, 4 * H, H);
  for (let k = steps - 1; k >= 0; k--) {
    const t = stepAt(k, params);
    // dh0 holds the recurrent gradient dXProj[next]·W_hh from the step processed after this one.
    sum3(dh, dHs === null ? null : block(dHs, t, size), k === steps - 1 ? dhLast : dh0, null);
    const dGates = block(dXProj, t, rows * 4 * H);
    lstmCellBackward({
      saved: block(saved, t, rows * 5 * H),
      cPrev: previous(k, params, c0, cs, H),
      dh,
      dc: dc0,
      rows,
      hidden: H,
      dGates,
      dcPrev: dc0,
    });
    matmul({ a: dGates, b: weightHH, out: dh0, ...product });
  }
  if (dWeightHH !== null) recurrentWeightGrad(matmul, dXProj, hs, h0, params, 4 * H, dWeightHH);
  if (dBias !== null) columnSums(dXProj, steps * rows, 4 * H, dBias);
}

/** out [cols] = the column sums of x [rows, cols] (added up in doubles). */
export function columnSums(x: FloatArray, rows: number, cols: number, out: FloatArray): void {
  const acc = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const at = r * cols;
    for (let j = 0; j < cols; j++) acc[j] = acc[j]! + x[at + j]!;
  }
  out.set(acc);
}

/** See `Backend.gruSequenceForward`. */
export function gruSequenceForward({ xProj, h0, weightHH, biasIH, biasHH, params, hs, saved, hProj }: GRUSequenceForwardArgs): void {
  const { steps, rows, hidden: H } = params;
  const width = rows * 3 * H;
  const step = hProj === null ? scratch(xProj, width) : null;
  const xb = biasIH === null ? null : scratch(xProj, width);
  const product = recurrentProduct(rows, 3 * H, H);
  for (let k = 0; k < steps; k++) {
    const t = stepAt(k, params);
    const hPrev = previous(k, params, h0, hs, H);
    const hp = step ?? block(hProj!, t, width);
    matmul({ a: hPrev, b: weightHH, out: hp, ...product });
    if (biasHH !== null) addInto(hp, null, biasHH, rows, 3 * H);
    let x = block(xProj, t, width);
    if (xb !== null) {
      xb.fill(0);
      addInto(xb, x, biasIH, rows, 3 * H);
      x = xb;
    }
    gruCellForward({
      xProj: x,
      hProj: hp,
      hPrev,
      rows,
      hidden: H,
      h: block(hs, t, rows * H),
      saved: saved === null ? null : block(saved, t, width),
    });
  }
}

/** See `Backend.gruSequenceBackward`. */
export function gruSequenceBackward({
  weightHH,
  saved,
  hProj,
  h0,
  hs,
  dHs,
  dhLast,
  params,
  dXProj,
  dHProj,
  dh0,
}: GRUSequenceBackwardArgs): void {
  const { steps, rows, hidden: H } = params;
  const size = rows * H;
  const width = rows * 3 * H;
  const dh = scratch(dh0, size);
  // The direct gradient z ⊙ dh of the step processed after this one; dh0 holds its recurrent one.
  const direct = scratch(dh0, size);
  const product = recurrentGradient(rows, 3 * H, H);
  for (let k = steps - 1; k >= 0; k--) {
    const t = stepAt(k, params);
    const last = k === steps - 1;
    sum3(dh, dHs === null ? null : block(dHs, t, size), last ? dhLast : dh0, last ? null : direct);
    const dhp = block(dHProj, t, width);
    gruCellBackward({
      saved: block(saved, t, width),
      hProj: block(hProj, t, width),
      hPrev: previous(k, params, h0, hs, H),
      dh,
      rows,
      hidden: H,
      dxProj: block(dXProj, t, width),
      dhProj: dhp,
      dhPrev: direct,
    });
    matmul({ a: dhp, b: weightHH, out: dh0, ...product });
  }
  for (let i = 0; i < size; i++) dh0[i] = dh0[i]! + direct[i]!;
}
