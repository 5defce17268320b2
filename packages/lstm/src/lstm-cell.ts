/**
 * PyTorch's `nn.LSTMCell`: one LSTM step as a module.
 */
import type { Tensor } from '@tensorloom/core-tensor';
import { RecurrentCell, type RecurrentCellOptions } from '@tensorloom/rnn';
import { lstmKind } from './lstm-kind.js';

/** The state of an LSTM cell: `h` `[B, R]` and `c` `[B, H]` (`[R]`, `[H]` unbatched). */
export interface LSTMState {
  h: Tensor;
  c: Tensor;
}

/**
 * The options of `LSTMCell` and `PeepholeLSTMCell`: `RecurrentCellOptions` (`inputSize`,
 * `hiddenSize`, `bias` (true), `init` ('uniform', PyTorch's U(−1/√H, 1/√H)), `dtype`
 * ('float32'), `generator`) and `forgetBias`.
 */
export interface LSTMCellOptions extends RecurrentCellOptions {
  /**
   * After any init, set the forget-gate block of `bias_ih` to this value and of `bias_hh` (if
   * the cell has one) to 0: the effective forget bias is the sum of both. Needs `bias: true`.
   * Default: none (PyTorch's behaviour, the forget bias is drawn like every other bias).
   */
  forgetBias?: number;
}

/**
 * One LSTM step (PyTorch's `nn.LSTMCell`), gates packed i, f, g, o:
 *
 * ```
 * i, f, g, o = chunk(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh, 4)
 * c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
 * h' = σ(o) ⊙ tanh(c')
 * ```
 *
 * - Options (`LSTMCellOptions`): `inputSize`, `hiddenSize`, `bias` (default true), `init`
 *   (default 'uniform'), `forgetBias` (default none), `dtype` (default 'float32'), `generator`.
 * - Shapes: x `[B, I]` or `[I]`; state `{ h, c }` each `[B, H]` (or `[H]`), zeros when missing;
 *   returns the new `{ h, c }` of the same shapes.
 * - Parameters (PyTorch's names): `weight_ih` `[4H, I]`, `weight_hh` `[4H, H]`, `bias_ih` `[4H]`,
 *   `bias_hh` `[4H]` (absent with `bias: false`).
 * - Init: PyTorch's U(−1/√H, 1/√H) for every parameter by default; see `RecurrentInit` for the
 *   others. With `forgetBias`, the forget block of `bias_ih` is set to it and that of `bias_hh`
 *   to 0 after init (and again after every `resetParameters()`).
 *
 * @example
 * const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4 });
 * let state = cell.call(randn([2, 3]));          // { h: [2, 4], c: [2, 4] }
 * state = cell.call(randn([2, 3]), state);
 */
export class LSTMCell extends RecurrentCell<[Tensor, Partial<LSTMState>?], LSTMState> {
  constructor(options: LSTMCellOptions) {
    super(lstmKind, options);
  }

  /** `[4H, H]`, blocks i, f, g, o. */
  get weight_hh(): Tensor {
    return this.getParameter('weight_hh')!;
  }

  /** `[4H]`, blocks i, f, g, o, or null without bias. */
  get bias_hh(): Tensor | null {
    return this.getParameter('bias_hh');
  }

  /** One step from `state` (missing tensors are zeros). */
  forward(x: Tensor, state: Partial<LSTMState> = {}): LSTMState {
    const [h, c] = this.stepState(x, [state.h, state.c]) as [Tensor, Tensor];
    return { h, c };
  }
}
