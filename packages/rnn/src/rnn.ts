/**
 * `RNN`: PyTorch's `nn.RNN`, a stack of Elman layers over `RecurrentLayer`.
 */
import { ValueError } from '@tensorloom/core-tensor';
import { RecurrentLayer, type RecurrentLayerOptions } from './recurrent-layer.js';
import { rnnKind, type RNNNonlinearity } from './rnn-kind.js';

export interface RNNOptions extends RecurrentLayerOptions {
  /** The activation: 'tanh' or 'relu'. Default 'tanh'. */
  nonlinearity?: RNNNonlinearity;
}

/**
 * A multi-layer Elman RNN (PyTorch's `nn.RNN`). Each layer-direction computes, for t = 1..T,
 * ```
 * h_t = act(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh)      act = tanh (default) or relu
 * ```
 * and layer k > 0 reads layer k−1's outputs (concatenated over directions), with dropout between
 * layers in training mode.
 *
 * - Options: `inputSize`, `hiddenSize`, `numLayers` (1), `nonlinearity` ('tanh'), `bias` (true),
 *   `batchFirst` (false), `dropout` (0), `bidirectional` (false), `init` ('uniform'), `dtype`
 *   ('float32'), `generator` (the global one).
 * - Input `[T, B, I]` (`[B, T, I]` with batchFirst, `[T, I]` unbatched); forward options `state`
 *   `{ h: [L·D, B, H] }` (zeros when absent), `lengths` (B integers) or `mask`.
 * - Returns `{ output: [T, B, D·H], state: { h: [L·D, B, H] } }` (`D` = 2 when bidirectional).
 *   Padded steps give zero outputs and leave the state alone.
 * - Parameters (PyTorch's names and order): `weight_ih_l{k}` `[H, I or D·H]`, `weight_hh_l{k}`
 *   `[H, H]`, `bias_ih_l{k}`, `bias_hh_l{k}` `[H]`, each also with `_reverse` when bidirectional.
 * - Init: every parameter from U(−1/√H, 1/√H) (PyTorch's), or another `init` scheme.
 *
 * @example
 * const rnn = new RNN({ inputSize: 10, hiddenSize: 20, numLayers: 2 });
 * const { output, state } = rnn.call(randn([5, 3, 10]));  // output [5, 3, 20], state.h [2, 3, 20]
 */
export class RNN extends RecurrentLayer<'h'> {
  readonly nonlinearity: RNNNonlinearity;

  constructor(options: RNNOptions) {
    const { nonlinearity = 'tanh', ...rest } = options;
    const projSize = (options as { projSize?: number }).projSize ?? 0;
    if (projSize !== 0) throw new ValueError(`RNN: projSize is only supported by LSTM, got ${projSize}`);
    super(rnnKind(nonlinearity), { ...rest, projSize: 0 });
    this.nonlinearity = nonlinearity;
  }

  override extraRepr(): string {
    const base = super.extraRepr();
    return this.nonlinearity === 'tanh' ? base : `${base}, nonlinearity=${this.nonlinearity}`;
  }
}
