/**
 * The course's peephole LSTM as a single-step module.
 */
import type { Tensor } from '@tensorloom/core-tensor';
import { RecurrentCell } from '@tensorloom/rnn';
import type { LSTMCellOptions, LSTMState } from './lstm-cell.js';
import { peepholeLstmKind } from './peephole-lstm-kind.js';

/**
 * One step of the course's peephole LSTM, whose gates read the previous cell state:
 *
 * ```
 * f, i, o = σ(W_·x x + W_·c c + b_·)
 * c' = σ(W_cx x + b_c) ⊙ i + c ⊙ f
 * h' = tanh(c') ⊙ o
 * ```
 *
 * - Options (`LSTMCellOptions`): `inputSize`, `hiddenSize`, `bias` (default true), `init`
 *   (default 'uniform'), `forgetBias` (default none: sets the forget block of `bias_ih`),
 *   `dtype` (default 'float32'), `generator`.
 * - Shapes: x `[B, I]` or `[I]`; state `{ h, c }` each `[B, H]` (or `[H]`), zeros when missing
 *   (h is accepted for symmetry with `LSTMCell` but the step does not read it).
 * - Parameters: `weight_ih` `[4H, I]` (blocks i, f, g, o with g the cell input, as nn.LSTM),
 *   `weight_ch` `[3H, H]` (peepholes, blocks i, f, o), `bias_ih` `[4H]` (one bias per gate, no
 *   `bias_hh`).
 * - Init: U(−1/√H, 1/√H) for every parameter by default; under 'orthogonal', `weight_ch` is
 *   Xavier-uniform like `weight_ih`. `forgetBias` is applied after init (and again after every
 *   `resetParameters()`).
 *
 * @example
 * const cell = new PeepholeLSTMCell({ inputSize: 3, hiddenSize: 4, forgetBias: 1 });
 * const { h, c } = cell.call(randn([2, 3]));      // h, c: [2, 4]
 */
export class PeepholeLSTMCell extends RecurrentCell<[Tensor, Partial<LSTMState>?], LSTMState> {
  constructor(options: LSTMCellOptions) {
    super(peepholeLstmKind, options);
  }

  /** `[3H, H]`, the peephole weights on c, blocks i, f, o. */
  get weight_ch(): Tensor {
    return this.getParameter('weight_ch')!;
  }

  /** One step from `state` (missing tensors are zeros; h is not read). */
  forward(x: Tensor, state: Partial<LSTMState> = {}): LSTMState {
    const [h, c] = this.stepState(x, [state.h, state.c]) as [Tensor, Tensor];
    return { h, c };
  }
}
