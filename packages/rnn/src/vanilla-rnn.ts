/**
 * The course's vanilla RNN (UvA Deep Learning, assignment 2, part 1), written with its own
 * parameter names so that the hand-derived gradients of `bptt.ts` read like the derivation:
 *
 * ```
 * h_t = tanh(W_hx x_t + W_hh h_{t−1} + b_h),   h_0 = 0
 * p_t = W_ph h_t + b_p
 * ŷ_t = softmax(p_t)
 * ```
 */
import {
  DTypeError,
  Generator,
  ShapeError,
  Tensor,
  ValueError,
  crossEntropy,
  fmtShape,
  linear,
  nn,
  reshape,
  select,
  stack,
  tanh,
  zeros,
  type FloatDType,
} from '@tensorloom/core-tensor';
import type { CellKind } from './cell-kind.js';
import { assertRecurrentInit, initRecurrentParameter, type RecurrentInit } from './recurrent-init.js';

/** The five parameters of the course's vanilla RNN, by the names of the course code. */
export type VanillaRNNParameterName = 'W_hx' | 'W_hh' | 'b_h' | 'W_ph' | 'b_p';

/** The parameter names in registration (and state-dict) order. */
export const VANILLA_RNN_PARAMETER_NAMES: readonly VanillaRNNParameterName[] = ['W_hx', 'W_hh', 'b_h', 'W_ph', 'b_p'];

export interface VanillaRNNOptions {
  /** Features of each input step `x_t` (I). */
  inputSize: number;
  /** Features of the hidden state `h_t` (H). */
  hiddenSize: number;
  /** Classes of the per-step prediction `p_t` (O). */
  outputSize: number;
  /**
   * Initialisation scheme (as `RecurrentLayer`'s). Default 'uniform': every parameter from
   * U(−1/√H, 1/√H), PyTorch's RNN default. 'kaimingNormal' (the course's choice), 'xavierUniform'
   * and 'orthogonal' (W_hh orthogonal, the other weights Xavier-uniform) set the biases to zero.
   */
  init?: RecurrentInit;
  /** Parameter dtype. Default 'float32'. */
  dtype?: FloatDType;
  /** Generator for the initial (and any re-drawn) parameters. Default: the global one. */
  generator?: Generator;
}

export interface VanillaRNNOutput {
  /** `[B, T, O]`: `p_t` at every step (the softmax is left to the loss). */
  logits: Tensor;
  /** `[B, T, H]`: `h_t` at every step, `t = 1..T`. */
  hidden: Tensor;
}

/** Which steps the loss reads. */
export type LossAt =
  /** The mean cross-entropy over every step of every sequence (teacher forcing). */
  | 'all'
  /** The mean over the batch of the cross-entropy at the last step T only (the course's §1.1 `L = L_T`). */
  | 'last';

export interface SequenceLossOptions {
  /** Default 'all'. */
  lossAt?: LossAt;
}

/** `h_t = tanh(xProj_t + h_{t−1}·W_hhᵀ)`, with `xProj_t = x_t·W_hxᵀ + b_h` computed beforehand. */
function vanillaStep(xProj: Tensor, h: Tensor, W_hh: Tensor): Tensor {
  return tanh(xProj.add(linear(h, W_hh)));
}

/**
 * The vanilla RNN's recurrence as a `CellKind` (parameters under PyTorch's base names:
 * `weight_ih` = W_hx, `bias_ih` = b_h, `weight_hh` = W_hh, no `bias_hh`), so code written for any
 * recurrent cell (the unroller, gradient-flow analysis) runs the course's model too.
 */
export const vanillaRnnKind: CellKind = {
  name: 'VANILLA_RNN',
  chunks: 1,
  stateNames: ['h'],
  parameterShapes: ({ inputSize, hiddenSize, bias }) => ({
    weight_ih: [hiddenSize, inputSize],
    weight_hh: [hiddenSize, hiddenSize],
    bias_ih: bias ? [hiddenSize] : null,
  }),
  stateSizes: ({ hiddenSize }) => [hiddenSize],
  step: (xProj, state, params) => [vanillaStep(xProj, state[0]!, params.weight_hh!)],
};

/**
 * The course's vanilla RNN: a tanh recurrence with a linear read-out at every step.
 *
 * ```
 * h_t = tanh(W_hx x_t + W_hh h_{t−1} + b_h),   h_0 = 0
 * p_t = W_ph h_t + b_p,   ŷ_t = softmax(p_t)
 * ```
 *
 * - Parameters (the course code's names, which are also the state-dict keys):
 *   `W_hx` `[H, I]`, `W_hh` `[H, H]`, `b_h` `[H]`, `W_ph` `[O, H]`, `b_p` `[O]`.
 * - Options: `inputSize` (I), `hiddenSize` (H), `outputSize` (O), `init` (default 'uniform':
 *   U(−1/√H, 1/√H) for every parameter), `dtype` (default 'float32'), `generator`.
 * - Shapes: `forward(x)` takes `[B, T, I]` (batch first) and returns
 *   `{ logits: [B, T, O], hidden: [B, T, H] }`.
 * - Gradients come from the tape; `manualBptt` (bptt.ts) computes the same ones by hand.
 *
 * @example
 * const model = new VanillaRNN({ inputSize: 3, hiddenSize: 8, outputSize: 3 });
 * const x = randn([4, 10, 3]);                           // B = 4 sequences of T = 10 steps
 * const { logits } = model.call(x);                      // [4, 10, 3]
 * const y = randint(0, 3, [4], { dtype: 'int32' });
 * sequenceCrossEntropy(logits, y, { lossAt: 'last' }).backward();
 * model.W_hh.grad;                                       // [8, 8]
 */
export class VanillaRNN extends nn.Module<[Tensor], VanillaRNNOutput> {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly outputSize: number;
  readonly init: RecurrentInit;
  readonly generator: Generator | undefined;

  constructor(options: VanillaRNNOptions) {
    super();
    const { inputSize, hiddenSize, outputSize, init = 'uniform', dtype = 'float32', generator } = options;
    for (const [name, v] of [
      ['inputSize', inputSize],
      ['hiddenSize', hiddenSize],
      ['outputSize', outputSize],
    ] as const) {
      if (!Number.isInteger(v) || v < 1) throw new ValueError(`VanillaRNN: ${name} must be an integer ≥ 1, got ${v}`);
    }
    assertRecurrentInit('VanillaRNN', init);
    this.inputSize = inputSize;
    this.hiddenSize = hiddenSize;
    this.outputSize = outputSize;
    this.init = init;
    this.generator = generator;
    this.registerParameter('W_hx', Tensor.empty([hiddenSize, inputSize], dtype));
    this.registerParameter('W_hh', Tensor.empty([hiddenSize, hiddenSize], dtype));
    this.registerParameter('b_h', Tensor.empty([hiddenSize], dtype));
    this.registerParameter('W_ph', Tensor.empty([outputSize, hiddenSize], dtype));
    this.registerParameter('b_p', Tensor.empty([outputSize], dtype));
    this.resetParameters();
  }

  /** Input-to-hidden weights `[H, I]`. */
  get W_hx(): Tensor {
    return this.getParameter('W_hx')!;
  }

  /** Hidden-to-hidden (recurrent) weights `[H, H]`. */
  get W_hh(): Tensor {
    return this.getParameter('W_hh')!;
  }

  /** Hidden bias `[H]`. */
  get b_h(): Tensor {
    return this.getParameter('b_h')!;
  }

  /** Hidden-to-output weights `[O, H]`. */
  get W_ph(): Tensor {
    return this.getParameter('W_ph')!;
  }

  /** Output bias `[O]`. */
  get b_p(): Tensor {
    return this.getParameter('b_p')!;
  }

  protected override resetOwnParameters(generator: Generator | undefined = this.generator): void {
    // The course's names mapped onto the shared scheme's roles: W_hh is the recurrent weight,
    // b_h and b_p are biases, W_hx and W_ph plain weights.
    for (const [name, p] of this.namedParameters({ recurse: false })) {
      const role = name === 'W_hh' ? 'weight_hh' : name.startsWith('b_') ? 'bias' : 'weight';
      initRecurrentParameter(role, p, this.init, this.hiddenSize, generator);
    }
  }

  forward(x: Tensor): VanillaRNNOutput {
    if (x.dtype === 'int32') throw new DTypeError('VanillaRNN: expected a float input, got int32');
    if (x.ndim !== 3 || x.shape[2] !== this.inputSize) {
      throw new ShapeError(`VanillaRNN: expected an input of shape [B, T, ${this.inputSize}], got ${fmtShape(x.shape)}`);
    }
    const [batch, steps] = [x.shape[0]!, x.shape[1]!];
    // W_hx x_t + b_h for every step at once: [B, T, H].
    const xProj = linear(x, this.W_hx, this.b_h);
    let h = zeros([batch, this.hiddenSize], { dtype: this.W_hh.dtype });
    const hs: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      h = vanillaStep(select(xProj, 1, t), h, this.W_hh);
      hs.push(h);
    }
    const hidden = steps > 0 ? stack(hs, 1) : zeros([batch, 0, this.hiddenSize], { dtype: this.W_hh.dtype });
    const logits = linear(hidden, this.W_ph, this.b_p);
    return { logits, hidden };
  }

  /** The loss of `forward(x)` against `targets`: `sequenceCrossEntropy(logits, targets, options)`. */
  loss(x: Tensor, targets: Tensor, options: SequenceLossOptions = {}): Tensor {
    return sequenceCrossEntropy(this.forward(x).logits, targets, options);
  }

  override extraRepr(): string {
    return `inputSize=${this.inputSize}, hiddenSize=${this.hiddenSize}, outputSize=${this.outputSize}`;
  }
}

/**
 * Cross-entropy of per-step logits against class targets.
 *
 * - `lossAt: 'all'` (default): `L = (1 / BT) Σ_b Σ_t −log ŷ_t[y_t]`; targets `[B, T]`.
 * - `lossAt: 'last'`: `L = (1 / B) Σ_b −log ŷ_T[y_T]` (the course's `L_T`); targets `[B]`, or
 *   `[B, T]` of which only the last column is read.
 *
 * @param logits - `[B, T, O]` float.
 * @param targets - int32 class indices in 0..O−1.
 * @example
 * sequenceCrossEntropy(model.call(x).logits, y, { lossAt: 'last' })
 */
export function sequenceCrossEntropy(logits: Tensor, targets: Tensor, options: SequenceLossOptions = {}): Tensor {
  const { lossAt = 'all' } = options;
  if (lossAt !== 'all' && lossAt !== 'last')
    throw new ValueError(`sequenceCrossEntropy: lossAt must be 'all' or 'last', got '${String(lossAt)}'`);
  if (logits.ndim !== 3) throw new ShapeError(`sequenceCrossEntropy: expected logits [B, T, O], got ${fmtShape(logits.shape)}`);
  if (targets.dtype !== 'int32') throw new DTypeError(`sequenceCrossEntropy: expected int32 class targets, got ${targets.dtype}`);
  const [batch, steps, classes] = [logits.shape[0]!, logits.shape[1]!, logits.shape[2]!];
  const full = targets.ndim === 2 && targets.shape[0] === batch && targets.shape[1] === steps;
  if (lossAt === 'all') {
    if (!full) throw new ShapeError(`sequenceCrossEntropy: expected targets [${batch}, ${steps}], got ${fmtShape(targets.shape)}`);
    return crossEntropy(reshape(logits, [batch * steps, classes]), reshape(targets, [batch * steps]));
  }
  const lastOnly = targets.ndim === 1 && targets.shape[0] === batch;
  if (!full && !lastOnly) {
    throw new ShapeError(`sequenceCrossEntropy: expected targets [${batch}] or [${batch}, ${steps}], got ${fmtShape(targets.shape)}`);
  }
  if (steps === 0) throw new ShapeError('sequenceCrossEntropy: lossAt "last" needs at least one step, got T = 0');
  return crossEntropy(select(logits, 1, steps - 1), full ? select(targets, 1, steps - 1) : targets);
}
