/**
 * Fused recurrent sequences: the whole time loop of one LSTM or GRU layer-direction as one op,
 * cuDNN-style. The input projection of every step (`x·W_ihᵀ + b_ih`, one GEMM by `linear`) comes
 * in; the recurrence runs in one backend kernel each way (every step's `h·W_hhᵀ` and fused cell,
 * with nothing recorded or allocated per step), and the gradient of W_hh is one GEMM over all
 * steps, `dGatesᵀ·[hPrev_0; …; hPrev_{T−1}]`, instead of T small ones.
 *
 * The values are those of unrolling `lstmCell` / `gruCell` step by step (to rounding: the bias is
 * added in another order); the ops have three (LSTM) or two (GRU) outputs, recorded as one node,
 * as `lstmCell` records its two.
 */
import { isGradEnabled, recordMany } from '../autograd.js';
import type { RecurrentSequenceParams, SequenceResiduals } from '../backend/backend.js';
import { recurrentWeightGrad as weightGradInto } from '../backend/js/sequence.js';
import { getBackend } from '../backend/registry.js';
import { promoteTypes, type FloatArray, type FloatDType } from '../dtype.js';
import { ShapeError, fmtShape } from '../errors.js';
import { Tensor } from '../tensor.js';
import { cast, clone } from './cast.js';
import { assertFloat, castData } from './helpers.js';
import { sum } from './reduce.js';

export type { RecurrentSequenceParams } from '../backend/backend.js';

/** Options of `lstmSequence` and `gruSequence`. */
export interface RecurrentSequenceOptions {
  /**
   * The input-to-hidden bias b_ih, `[chunks·H]`, when xProj leaves it out (default null: none, or
   * already in xProj). Adding it here saves a pass over xProj and its gradient's reduction.
   */
  biasIH?: Tensor | null;
  /** The hidden-to-hidden bias b_hh, `[chunks·H]` (default null: none). */
  biasHH?: Tensor | null;
  /** Process the steps from last to first (the reverse direction of a bidirectional layer). Default false. */
  reverse?: boolean;
}

/** The results of `lstmSequence`. */
export interface LSTMSequenceOutput {
  /** `[T, B, H]`: h after every step, in time order. */
  output: Tensor;
  /** `[B, H]`: h after the last step processed (step T−1, or step 0 with `reverse`). */
  h: Tensor;
  /** `[B, H]`: c after the last step processed. */
  c: Tensor;
}

/** The results of `gruSequence`. */
export interface GRUSequenceOutput {
  /** `[T, B, H]`: h after every step, in time order. */
  output: Tensor;
  /** `[B, H]`: h after the last step processed. */
  h: Tensor;
}

function expectShape(op: string, name: string, x: Tensor, shape: readonly number[]): void {
  if (x.ndim !== shape.length || x.shape.some((d, i) => d !== shape[i])) {
    throw new ShapeError(`${op}: expected ${name} of shape ${fmtShape(shape)}, got ${fmtShape(x.shape)}`);
  }
}

interface Prepared {
  dtype: FloatDType;
  /** The inputs in the common dtype: xProj, the states, weightHH, then biasIH and biasHH where given. */
  tensors: Tensor[];
  biasIH: Tensor | null;
  biasHH: Tensor | null;
  params: RecurrentSequenceParams;
}

/**
 * Validates the shapes (`xProj` [T, B, chunks·H], states [B, H], W_hh [chunks·H, H], b_hh
 * [chunks·H]) and brings every float input to the common dtype (a recorded cast where one differs).
 */
function prepare(
  op: string,
  chunks: number,
  xProj: Tensor,
  states: readonly Tensor[],
  weightHH: Tensor,
  options: RecurrentSequenceOptions,
): Prepared {
  const biases = [options.biasIH ?? null, options.biasHH ?? null];
  const inputs = [xProj, ...states, weightHH, ...biases.filter((b): b is Tensor => b !== null)];
  for (const t of inputs) assertFloat(op, t);
  const h0 = states[0]!;
  if (h0.ndim !== 2) throw new ShapeError(`${op}: expected h0 of shape [B, H], got ${fmtShape(h0.shape)}`);
  const [rows, hidden] = h0.shape as [number, number];
  if (xProj.ndim !== 3)
    throw new ShapeError(`${op}: expected xProj of shape [T, ${rows}, ${chunks * hidden}], got ${fmtShape(xProj.shape)}`);
  const steps = xProj.shape[0]!;
  expectShape(op, 'xProj', xProj, [steps, rows, chunks * hidden]);
  for (const s of states.slice(1)) expectShape(op, 'c0', s, [rows, hidden]);
  expectShape(op, 'weightHH', weightHH, [chunks * hidden, hidden]);
  biases.forEach((b, k) => b && expectShape(op, k === 0 ? 'biasIH' : 'biasHH', b, [chunks * hidden]));
  const dtype = inputs.reduce((d, t) => promoteTypes(d, t.dtype), inputs[0]!.dtype) as FloatDType;
  const tensors = inputs.map((t) => cast(t, dtype));
  const first = states.length + 2;
  const biasIH = biases[0] ? tensors[first]! : null;
  const biasHH = biases[1] ? tensors[first + (biasIH ? 1 : 0)]! : null;
  return { dtype, tensors, biasIH, biasHH, params: { steps, rows, hidden, reverse: options.reverse ?? false } };
}

/** Storage of a gradient in `dtype`, or null where none flowed. */
function gradStorage(g: Tensor | null | undefined, dtype: FloatDType): FloatArray | null {
  return g === null || g === undefined ? null : (castData(g, dtype).data as FloatArray);
}

/** The row block `[B, H]` of the step processed last, copied into a tensor. */
function lastStep(states: FloatArray, params: RecurrentSequenceParams, dtype: FloatDType): Tensor {
  const { steps, rows, hidden, reverse } = params;
  const size = rows * hidden;
  const t = reverse ? 0 : steps - 1;
  const out = Tensor.empty([rows, hidden], dtype);
  (out.data as FloatArray).set(states.subarray(t * size, (t + 1) * size));
  return out;
}

/** dW_hh = Σ_t dGates[t]ᵀ·hPrev_t, [gates, H], by the backend's matmul. */
function recurrentWeightGrad(
  dGates: FloatArray,
  hs: FloatArray,
  h0: FloatArray,
  params: RecurrentSequenceParams,
  gates: number,
  dtype: FloatDType,
): Tensor {
  const out = Tensor.empty([gates, params.hidden], dtype);
  const backend = getBackend();
  weightGradInto((args) => backend.matmul(args), dGates, hs, h0, params, gates, out.data as FloatArray);
  return out;
}

/**
 * Residuals (what a sequence's forward keeps for its backward: in the wasm backend, regions of its
 * memory) are released once no backward can read them:
 * - after a backward, once autograd has freed the graph (it replaces the hub's node; with
 *   `retainGraph` the node stays and so do the residuals): a backend that offers `releaseWhen`
 *   checks this whenever it next needs memory (the wasm backend: before the next call's scratch, so
 *   the input projection's backward right after already reuses the memory), and every sequence
 *   forward checks it first (`releaseSpentResiduals`);
 * - when the op's outputs are garbage-collected without a backward that freed them: a
 *   FinalizationRegistry on the hub (which runs when the event loop turns).
 */
const finalizer = new FinalizationRegistry<SequenceResiduals>((residuals) => residuals.release());
/** Sequences whose backward has run since the last check (held only until then). */
let backwardsRun: { residuals: SequenceResiduals; spent: () => boolean }[] = [];

/**
 * Whether autograd has freed the graph of `hub` (after its backward): true once the hub's node is
 * the freed one autograd puts in its place (a node without inputs: the op's own always has some),
 * or the hub is gone. Made here, apart from the op's closures, and holding the hub only weakly (a
 * freed hub holds nothing of the op), so that it keeps none of the op's tensors alive (the node's
 * inputs, e.g. xProj): a WeakRef of the node itself would keep it alive until the job ends, which a
 * synchronous training loop never reaches.
 */
function graphFreed(hub: Tensor): () => boolean {
  const hubRef = new WeakRef(hub);
  return () => {
    const node = hubRef.deref()?.gradFn;
    return node === undefined || node === null || node.inputs.length === 0;
  };
}

/** Hands the residuals of a sequence whose backward has just run to the release checks above. */
function afterBackward(residuals: SequenceResiduals, hub: Tensor): void {
  const spent = graphFreed(hub);
  backwardsRun.push({ residuals, spent });
  residuals.releaseWhen?.(spent);
}

/**
 * Releases the residuals of every fused sequence whose backward has run and whose graph autograd
 * has freed since; those kept by `retainGraph` are left to garbage collection. Every
 * `lstmSequence` call runs this first; exported for tests.
 */
export function releaseSpentResiduals(): void {
  const entries = backwardsRun;
  backwardsRun = [];
  for (const { residuals, spent } of entries) {
    if (!spent()) continue;
    finalizer.unregister(residuals);
    residuals.release();
  }
}

/**
 * A whole LSTM layer-direction, fused: from the input projection of every step and the initial
 * state, runs the recurrence of PyTorch's `nn.LSTM` (gates packed i, f, g, o):
 *
 * ```
 * for t = 0 … T−1 (or T−1 … 0 with reverse):
 *   i, f, g, o = chunk(xProj[t] + b_ih + h·W_hhᵀ + b_hh, 4)
 *   c = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
 *   h = σ(o) ⊙ tanh(c);  output[t] = h
 * ```
 *
 * with `xProj = x·W_ihᵀ` computed beforehand for all steps (one `linear`; b_ih either in it or
 * passed as `biasIH`). Differentiable in xProj, h0, c0, weightHH and both biases; float32 or
 * float64 (mixed float inputs are promoted). The same values as unrolling `lstmCell` step by step,
 * in one tape node and one backend kernel each way.
 *
 * Options: `biasIH` (b_ih `[4H]` when xProj leaves it out, default none), `biasHH` (b_hh `[4H]`,
 * default none), `reverse` (default false).
 * Shapes: xProj `[T, B, 4H]`, h0 and c0 `[B, H]`, weightHH `[4H, H]` → output `[T, B, H]`, h and
 * c `[B, H]` (the state after the last step processed). T = 0 gives an empty output and h0, c0.
 * @example
 * const xProj = linear(x, weightIH);                        // [T, B, 4H]
 * const { output, h, c } = lstmSequence(xProj, h0, c0, weightHH, { biasIH, biasHH });
 */
export function lstmSequence(
  xProj: Tensor,
  h0: Tensor,
  c0: Tensor,
  weightHH: Tensor,
  options: RecurrentSequenceOptions = {},
): LSTMSequenceOutput {
  const op = 'lstmSequence';
  const { dtype, tensors, biasIH, biasHH, params } = prepare(op, 4, xProj, [h0, c0], weightHH, options);
  const [x, hInit, cInit, weight] = tensors as [Tensor, Tensor, Tensor, Tensor];
  const { steps, rows, hidden: H } = params;
  if (steps === 0) return { output: Tensor.empty([0, rows, H], dtype), h: clone(hInit), c: clone(cInit) };
  releaseSpentResiduals();
  const backend = getBackend();
  // Both biases enter every step's gates the same way: the kernel adds their sum.
  let bias: FloatArray | null = null;
  if (biasIH && biasHH) {
    bias = backend.alloc(dtype, 4 * H) as FloatArray;
    for (let j = 0; j < 4 * H; j++) bias[j] = biasIH.data[j]! + biasHH.data[j]!;
  } else if (biasIH || biasHH) {
    bias = (biasIH ?? biasHH)!.data as FloatArray;
  }
  const output = Tensor.empty([steps, rows, H], dtype);
  const hs = output.data as FloatArray;
  const c = Tensor.empty([rows, H], dtype);
  const track = isGradEnabled() && tensors.some((t) => t.requiresGrad);
  const residuals = backend.lstmSequenceForward({
    xProj: x.data as FloatArray,
    h0: hInit.data as FloatArray,
    c0: cInit.data as FloatArray,
    weightHH: weight.data as FloatArray,
    bias,
    params,
    hs,
    cLast: c.data as FloatArray,
    train: track,
  });
  const h = lastStep(hs, params, dtype);
  if (residuals === null) return { output, h, c };
  let hub: Tensor | null = null;
  recordMany([output, h, c], op, tensors, ([dOutput, dh, dc]) => {
    const dXProj = Tensor.empty(x.shape, dtype);
    const dh0 = Tensor.empty(hInit.shape, dtype);
    const dc0 = Tensor.empty(cInit.shape, dtype);
    const dWeight = weight.requiresGrad ? Tensor.empty(weight.shape, dtype) : null;
    // Each bias's gradient is dGates summed over steps and rows (one sum for both, by the kernel).
    const dBias = biasIH?.requiresGrad || biasHH?.requiresGrad ? Tensor.empty([4 * H], dtype) : null;
    // The backend that made the residuals reads them, whichever is current now.
    backend.lstmSequenceBackward({
      weightHH: weight.data as FloatArray,
      residuals,
      dHs: gradStorage(dOutput, dtype),
      dhLast: gradStorage(dh, dtype),
      dcLast: gradStorage(dc, dtype),
      params,
      dXProj: dXProj.data as FloatArray,
      dh0: dh0.data as FloatArray,
      dc0: dc0.data as FloatArray,
      dWeightHH: dWeight === null ? null : (dWeight.data as FloatArray),
      dBias: dBias === null ? null : (dBias.data as FloatArray),
    });
    afterBackward(residuals, hub!);
    const grads = [x.requiresGrad ? dXProj : null, hInit.requiresGrad ? dh0 : null, cInit.requiresGrad ? dc0 : null, dWeight];
    for (const b of [biasIH, biasHH]) if (b) grads.push(b.requiresGrad ? dBias : null);
    return grads;
  });
  // recordMany hangs the op's node off a hidden hub tensor, the input of each output's node.
  hub = output.gradFn!.inputs[0]!;
  finalizer.register(hub, residuals, residuals);
  return { output, h, c };
}

/**
 * A whole GRU layer-direction, fused: from the input projection of every step and the initial
 * state, runs the recurrence of PyTorch's `nn.GRU` (gates packed r, z, n; b_hn stays inside the
 * reset product):
 *
 * ```
 * for t = 0 … T−1 (or T−1 … 0 with reverse):
 *   h_r, h_z, h_n = chunk(h·W_hhᵀ + b_hh, 3);  x_r, x_z, x_n = chunk(xProj[t] + b_ih, 3)
 *   r = σ(x_r + h_r);  z = σ(x_z + h_z);  n = tanh(x_n + r ⊙ h_n)
 *   h = (1 − z) ⊙ n + z ⊙ h;  output[t] = h
 * ```
 *
 * with `xProj = x·W_ihᵀ` computed beforehand for all steps (b_ih either in it or passed as
 * `biasIH`). Differentiable in xProj, h0, weightHH and both biases; float32 or float64 (mixed
 * float inputs are promoted). The same values as unrolling `gruCell` step by step, in one tape
 * node and one backend kernel each way.
 *
 * Options: `biasIH` (b_ih `[3H]` when xProj leaves it out, default none), `biasHH` (b_hh `[3H]`,
 * default none), `reverse` (default false).
 * Shapes: xProj `[T, B, 3H]`, h0 `[B, H]`, weightHH `[3H, H]` → output `[T, B, H]`, h `[B, H]`.
 * T = 0 gives an empty output and h0.
 * @example
 * const { output, h } = gruSequence(linear(x, weightIH), h0, weightHH, { biasIH, biasHH });
 */
export function gruSequence(xProj: Tensor, h0: Tensor, weightHH: Tensor, options: RecurrentSequenceOptions = {}): GRUSequenceOutput {
  const op = 'gruSequence';
  const { dtype, tensors, biasIH, biasHH, params } = prepare(op, 3, xProj, [h0], weightHH, options);
  const [x, hInit, weight] = tensors as [Tensor, Tensor, Tensor];
  const { steps, rows, hidden: H } = params;
  if (steps === 0) return { output: Tensor.empty([0, rows, H], dtype), h: clone(hInit) };
  const backend = getBackend();
  const output = Tensor.empty([steps, rows, H], dtype);
  const hs = output.data as FloatArray;
  const track = isGradEnabled() && tensors.some((t) => t.requiresGrad);
  const saved = track ? (backend.alloc(dtype, steps * rows * 3 * H) as FloatArray) : null;
  const hProj = track ? (backend.alloc(dtype, steps * rows * 3 * H) as FloatArray) : null;
  const storage = (b: Tensor | null): FloatArray | null => (b === null ? null : (b.data as FloatArray));
  backend.gruSequenceForward({
    xProj: x.data as FloatArray,
    h0: hInit.data as FloatArray,
    weightHH: weight.data as FloatArray,
    biasIH: storage(biasIH),
    biasHH: storage(biasHH),
    params,
    hs,
    saved,
    hProj,
  });
  const h = lastStep(hs, params, dtype);
  recordMany([output, h], op, tensors, ([dOutput, dh]) => {
    const dXProj = Tensor.empty(x.shape, dtype);
    const dHProj = Tensor.empty(x.shape, dtype);
    const dh0 = Tensor.empty(hInit.shape, dtype);
    getBackend().gruSequenceBackward({
      weightHH: weight.data as FloatArray,
      saved: saved!,
      hProj: hProj!,
      h0: hInit.data as FloatArray,
      hs,
      dHs: gradStorage(dOutput, dtype),
      dhLast: gradStorage(dh, dtype),
      params,
      dXProj: dXProj.data as FloatArray,
      dHProj: dHProj.data as FloatArray,
      dh0: dh0.data as FloatArray,
    });
    const rowSum = (d: Tensor): Tensor => sum(d.reshape([steps * rows, 3 * H]), 0);
    const grads = [
      x.requiresGrad ? dXProj : null,
      hInit.requiresGrad ? dh0 : null,
      weight.requiresGrad ? recurrentWeightGrad(dHProj.data as FloatArray, hs, hInit.data as FloatArray, params, 3 * H, dtype) : null,
    ];
    if (biasIH) grads.push(biasIH.requiresGrad ? rowSum(dXProj) : null);
    if (biasHH) grads.push(biasHH.requiresGrad ? rowSum(dHProj) : null);
    return grads;
  });
  return { output, h };
}
