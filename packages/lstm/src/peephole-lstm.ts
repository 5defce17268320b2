/**
 * The course's peephole LSTM as a full recurrent layer (layers, directions, masks).
 */
import { RecurrentLayer, type RecurrentLayerOptions } from '@tensorloom/rnn';
import { peepholeLstmKind } from './peephole-lstm-kind.js';

export interface PeepholeLSTMOptions extends RecurrentLayerOptions {
  /**
   * After any init, set the forget-gate block (rows H..2H) of every `bias_ih_l{k}` to this
   * value. Needs `bias: true`. Default: none.
   */
  forgetBias?: number;
}

/**
 * A multi-layer peephole LSTM (the course's variant): the gates read the previous cell state
 * instead of the previous output. Each step of each layer-direction:
 *
 * ```
 * f, i, o = σ(W_·x x_t + W_·c c_{t−1} + b_·)
 * c_t = σ(W_cx x_t + b_c) ⊙ i + c_{t−1} ⊙ f
 * h_t = tanh(c_t) ⊙ o
 * ```
 *
 * Everything else (layers, `bidirectional`, `batchFirst`, dropout, initial state, lengths and
 * masks, unbatched input, init schemes) is `LSTM`'s; there is no projection.
 *
 * - Options (`PeepholeLSTMOptions`): `inputSize`, `hiddenSize`, `numLayers` (1), `bias` (true),
 *   `batchFirst` (false), `dropout` (0), `bidirectional` (false), `forgetBias` (none), `init`
 *   ('uniform'), `dtype` ('float32'), `generator`.
 * - Input `[T, B, I]` (`[B, T, I]` with batchFirst, or `[T, I]`); output `[T, B, D·H]`; state
 *   `{ h, c }`, each `[L·D, B, H]`.
 * - Parameters per layer k and direction (`_reverse` for the backward one):
 *   `weight_ih_l{k}` `[4H, I or D·H]` (blocks i, f, g, o with g the cell input: the layout of
 *   nn.LSTM's `weight_ih`), `weight_ch_l{k}` `[3H, H]` (peepholes on c, blocks i, f, o),
 *   `bias_ih_l{k}` `[4H]` (the one bias per gate; there is no `bias_hh`).
 * - Init: U(−1/√H, 1/√H) for every parameter by default; under 'orthogonal', `weight_ch` is
 *   Xavier-uniform like `weight_ih`.
 *
 * @example
 * const model = new PeepholeLSTM({ inputSize: 8, hiddenSize: 16, batchFirst: true });
 * const { output, state } = model.call(randn([4, 10, 8]));  // output [4, 10, 16]; state.c [1, 4, 16]
 */
export class PeepholeLSTM extends RecurrentLayer<'h' | 'c'> {
  constructor(options: PeepholeLSTMOptions) {
    super(peepholeLstmKind, options);
  }
}
