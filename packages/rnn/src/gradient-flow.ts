/**
 * How far back a loss at the last step reaches: `‖∂L_T/∂h_t‖` for t = 1..T, the measurement the
 * course asks for on a length-100 sequence to show vanishing (and exploding) gradients. Through the
 * chain rule `∂L_T/∂h_t = ∂L_T/∂h_T · Π_{j=t+1..T} ∂h_j/∂h_{j−1}`, so the norm shrinks or grows
 * geometrically going back when the Jacobians' norms stay below or above 1.
 */
import {
  Generator,
  ShapeError,
  Tensor,
  ValueError,
  crossEntropy,
  defaultGenerator,
  fmtShape,
  linear,
  nn,
  randint,
  randn,
  select,
  stack,
  zeros,
  type FloatDType,
} from '@tensorloom/core-tensor';
import type { CellDims, CellKind } from './cell-kind.js';
import { RecurrentLayer } from './recurrent-layer.js';
import { VanillaRNN, vanillaRnnKind } from './vanilla-rnn.js';

/** A model `gradientNormsOverTime` can measure: the course's `VanillaRNN` or any unidirectional `RecurrentLayer` (RNN, GRU, LSTM, …). */
export type GradientFlowModel = VanillaRNN | RecurrentLayer<string>;

/** The loss at the last step whose gradient is followed back in time. */
export type GradientFlowLoss =
  /**
   * `L_T = CE(h_T·Wᵀ + b, y)`, a linear read-out of the last state with cross-entropy against a
   * class target, averaged over the batch. W, b are the `VanillaRNN`'s own `W_ph`, `b_p`, or
   * `options.readout`, or else drawn from U(−1/√H, 1/√H) (`classes` rows); y is `options.target`
   * or uniform random classes.
   */
  | 'readout'
  /** `L_T = Σ_k h_T[k]`, averaged over the batch: `∂L_T/∂h_T` is all ones whatever the model. */
  | 'sum';

export interface GradientNormsOptions {
  /** T, the number of steps, when no `input` is given. Default 100. */
  length?: number;
  /** Sequences in the batch, when no `input` is given. Default 1. */
  batch?: number;
  /** `[B, T, I]` input (batch first whatever the layer's `batchFirst`). Default: N(0, 1) noise of `[batch, length, inputSize]`. */
  input?: Tensor;
  /** Default 'readout'. */
  loss?: GradientFlowLoss;
  /** The read-out for `loss: 'readout'`: `weight` `[C, H]`, optional `bias` `[C]`. */
  readout?: { weight: Tensor; bias?: Tensor | null };
  /** Classes C of the random read-out (when the model has none and none is given). Default 10. */
  classes?: number;
  /** int32 `[B]` class targets for `loss: 'readout'`. Default: uniform random classes. */
  target?: Tensor;
  /**
   * Multiplies every recurrent weight matrix (`weight_hh_l{k}`, or `W_hh`) by this factor for the
   * measurement (on a copy: the model is not changed). Above 1 shows gradients exploding (where
   * the activation does not saturate), below 1 vanishing. Default 1.
   */
  recurrentScale?: number;
  /** Draws the random input, read-out and targets. Default: the global generator. */
  generator?: Generator;
}

export interface GradientNormsResult {
  /**
   * `norms[t − 1] = ‖∂L_T/∂h_t‖₂` for t = 1..T (so the last entry is the last step), each the
   * mean over the batch of one sequence's norm (h_t of the last layer; for LSTM, the output state
   * h, not the cell c).
   */
  norms: number[];
  /** The value of L_T (averaged over the batch). */
  loss: number;
}

interface Stack {
  kind: CellKind;
  dims: CellDims;
  /** One parameter record per layer (detached, recurrent weights scaled). */
  layers: Record<string, Tensor | null>[];
  readout: { weight: Tensor; bias: Tensor | null } | null;
}

/** `gradientNormsOverTime`'s defaults: a sequence of 100 steps, the recurrent weights as they are. */
export const DEFAULT_GRADIENT_FLOW = Object.freeze({ length: 100, recurrentScale: 1 });

/**
 * Measures `‖∂L_T/∂h_t‖` for every step t of one sequence batch, with the loss taken at the last
 * step only. The model runs step by step (its `CellKind` and its layers' parameters, in evaluation
 * mode: no dropout between layers) from zero initial states, keeping every step's state, and one
 * backward pass fills all the gradients. The model's parameters and their `.grad` are not touched:
 * the tape is recorded from the initial states instead.
 *
 * - Works for a `VanillaRNN` (read-out: its `W_ph`, `b_p`) and for any unidirectional
 *   `RecurrentLayer` (`RNN` tanh or relu, `GRU`, `LSTM`, multi-layer: the last layer is measured).
 * - Options: `length` (100), `batch` (1), `input`, `loss` ('readout'), `readout`, `classes` (10),
 *   `target`, `recurrentScale` (1), `generator` (the global one).
 *
 * @example
 * const rnn = new VanillaRNN({ inputSize: 4, hiddenSize: 32, outputSize: 4 });
 * const { norms } = gradientNormsOverTime(rnn, { length: 100, generator: new Generator(0) });
 * norms[0] / norms[99]   // tiny: the gradient of L_100 has vanished by step 1
 */
export function gradientNormsOverTime(model: GradientFlowModel, options: GradientNormsOptions = {}): GradientNormsResult {
  const {
    loss: lossKind = 'readout',
    recurrentScale = DEFAULT_GRADIENT_FLOW.recurrentScale,
    generator = defaultGenerator,
    classes = 10,
  } = options;
  if (lossKind !== 'readout' && lossKind !== 'sum')
    throw new ValueError(`gradientNormsOverTime: loss must be 'readout' or 'sum', got '${String(lossKind)}'`);
  if (!Number.isFinite(recurrentScale))
    throw new ValueError(`gradientNormsOverTime: recurrentScale must be a finite number, got ${recurrentScale}`);
  const net = describe(model, recurrentScale);
  const inputSize = net.dims.inputSize;
  const dtype = net.layers[0]!.weight_ih!.dtype as FloatDType;

  let x: Tensor;
  if (options.input !== undefined) {
    x = options.input;
    if (x.ndim !== 3 || x.shape[2] !== inputSize)
      throw new ShapeError(`gradientNormsOverTime: expected an input of shape [B, T, ${inputSize}], got ${fmtShape(x.shape)}`);
    if (x.dtype !== dtype) x = x.to(dtype);
  } else {
    const { length = DEFAULT_GRADIENT_FLOW.length, batch = 1 } = options;
    for (const [name, v] of [
      ['length', length],
      ['batch', batch],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`gradientNormsOverTime: ${name} must be an integer ≥ 1, got ${v}`);
    }
    x = randn([batch, length, inputSize], { dtype, generator });
  }
  const [batch, steps] = [x.shape[0]!, x.shape[1]!];
  if (batch < 1 || steps < 1)
    throw new ShapeError(`gradientNormsOverTime: needs at least one sequence and one step, got ${fmtShape(x.shape)}`);

  // Run the layers step by step, keeping the last layer's per-step outputs h_t.
  const sizes = net.kind.stateSizes(net.dims);
  let layerInput = x;
  let hs: Tensor[] = [];
  net.layers.forEach((params, k) => {
    const xProj = linear(layerInput, params.weight_ih!, params.bias_ih ?? null); // [B, T, chunks·H]
    // Initial states that require a gradient: the tape starts here, not at the parameters.
    let state = sizes.map((size) => zeros([batch, size], { dtype, requiresGrad: true }));
    hs = [];
    for (let t = 0; t < steps; t++) {
      state = net.kind.step(select(xProj, 1, t), state, params);
      hs.push(state[0]!);
    }
    if (k < net.layers.length - 1) layerInput = stack(hs, 1);
  });
  for (const h of hs) h.retainGrad();
  const hT = hs[steps - 1]!;

  let loss: Tensor;
  if (lossKind === 'sum') {
    loss = hT.sum().div(batch);
  } else {
    const H = hT.shape[1]!;
    const readout = options.readout ?? net.readout ?? randomReadout(H, classes, dtype, generator);
    const weight = readout.weight.detach().to(dtype);
    if (weight.ndim !== 2 || weight.shape[1] !== H)
      throw new ShapeError(`gradientNormsOverTime: expected a read-out weight [C, ${H}], got ${fmtShape(weight.shape)}`);
    const C = weight.shape[0]!;
    const target = options.target ?? randint(0, C, [batch], { dtype: 'int32', generator });
    if (target.ndim !== 1 || target.shape[0] !== batch)
      throw new ShapeError(`gradientNormsOverTime: expected targets [${batch}], got ${fmtShape(target.shape)}`);
    loss = crossEntropy(linear(hT, weight, readout.bias ? readout.bias.detach().to(dtype) : null), target);
  }
  loss.backward();

  const norms = hs.map((h) => {
    const g = h.grad;
    if (g === null) return 0;
    const width = g.shape[1]!;
    let total = 0;
    for (let b = 0; b < batch; b++) {
      let s = 0;
      for (let k = 0; k < width; k++) s += g.data[b * width + k]! ** 2;
      // The loss is a batch mean: one sequence's own gradient is B times its share.
      total += batch * Math.sqrt(s);
    }
    return total / batch;
  });
  return { norms, loss: loss.item() };
}

/** The cell kind, dimensions and (detached, scaled) per-layer parameters of a model. */
function describe(model: GradientFlowModel, scale: number): Stack {
  const prepare = (params: Record<string, Tensor | null>): Record<string, Tensor | null> => {
    const out: Record<string, Tensor | null> = {};
    for (const [name, p] of Object.entries(params)) out[name] = p === null ? null : p.detach();
    if (scale !== 1 && out.weight_hh) out.weight_hh = out.weight_hh.mul(scale);
    return out;
  };
  if (model instanceof VanillaRNN) {
    return {
      kind: vanillaRnnKind,
      dims: { inputSize: model.inputSize, hiddenSize: model.hiddenSize, bias: true, projSize: 0 },
      layers: [prepare({ weight_ih: model.W_hx, weight_hh: model.W_hh, bias_ih: model.b_h })],
      readout: { weight: model.W_ph.detach(), bias: model.b_p.detach() },
    };
  }
  if (model instanceof RecurrentLayer) {
    if (model.bidirectional)
      throw new ValueError('gradientNormsOverTime: a bidirectional layer has no single last step; pass a unidirectional one');
    const kind = model.kind;
    const layers = Array.from({ length: model.numLayers }, (_, k) => prepare(model.layerParameters(k, 0)));
    return {
      kind,
      dims: { inputSize: model.inputSize, hiddenSize: model.hiddenSize, bias: model.hasBias, projSize: model.projSize },
      layers,
      readout: null,
    };
  }
  throw new ValueError('gradientNormsOverTime: expected a VanillaRNN or a RecurrentLayer (RNN, GRU, LSTM, …)');
}

function randomReadout(hiddenSize: number, classes: number, dtype: FloatDType, generator: Generator): { weight: Tensor; bias: Tensor } {
  if (!Number.isInteger(classes) || classes < 2)
    throw new ValueError(`gradientNormsOverTime: classes must be an integer ≥ 2, got ${classes}`);
  const bound = 1 / Math.sqrt(hiddenSize);
  const weight = nn.init.uniform_(Tensor.empty([classes, hiddenSize], dtype), { a: -bound, b: bound, generator });
  const bias = nn.init.uniform_(Tensor.empty([classes], dtype), { a: -bound, b: bound, generator });
  return { weight, bias };
}
