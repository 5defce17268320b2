/**
 * `RNNCell`: one step of PyTorch's Elman RNN.
 */
import type { Tensor } from '@tensorloom/core-tensor';
import { RecurrentCell, type RecurrentCellOptions } from './recurrent-cell.js';
import { rnnKind, type RNNNonlinearity } from './rnn-kind.js';

export interface RNNCellOptions extends RecurrentCellOptions {
  /** The activation: 'tanh' or 'relu'. Default 'tanh'. */
  nonlinearity?: RNNNonlinearity;
}

/**
 * One Elman RNN step (PyTorch's `nn.RNNCell`): `h' = act(x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh)`, `act`
 * tanh (default) or relu.
 *
 * - Options: `inputSize`, `hiddenSize`, `bias` (true), `nonlinearity` ('tanh'), `init`
 *   ('uniform'), `dtype` ('float32'), `generator` (the global one).
 * - `forward(x, h?)`: x `[B, I]` and h `[B, H]` (zeros when absent), or unbatched `[I]` and `[H]`;
 *   returns h' of h's shape.
 * - Parameters: `weight_ih` `[H, I]`, `weight_hh` `[H, H]`, `bias_ih`, `bias_hh` `[H]`, all drawn
 *   from U(−1/√H, 1/√H) by default; the other `init` schemes (see `initRecurrentParameter`) draw
 *   the weights their way and zero the biases.
 *
 * @example
 * const cell = new RNNCell({ inputSize: 3, hiddenSize: 4 });
 * let h = zeros([2, 4]);
 * for (const x of unbind(randn([5, 2, 3]))) h = cell.call(x, h);  // h: [2, 4]
 */
export class RNNCell extends RecurrentCell<[Tensor, Tensor?], Tensor> {
  readonly nonlinearity: RNNNonlinearity;

  constructor(options: RNNCellOptions) {
    const { nonlinearity = 'tanh', ...rest } = options;
    super(rnnKind(nonlinearity), rest);
    this.nonlinearity = nonlinearity;
  }

  /** `[H, H]`. */
  get weight_hh(): Tensor {
    return this.getParameter('weight_hh')!;
  }

  /** `[H]`, or null without bias. */
  get bias_hh(): Tensor | null {
    return this.getParameter('bias_hh');
  }

  forward(x: Tensor, h?: Tensor): Tensor {
    return this.stepState(x, [h])[0]!;
  }

  override extraRepr(): string {
    const base = super.extraRepr();
    return this.nonlinearity === 'tanh' ? base : `${base}, nonlinearity=${this.nonlinearity}`;
  }
}
