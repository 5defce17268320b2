/**
 * PyTorch's `nn.LSTM`: stacked, optionally bidirectional and projected LSTM layers.
 */
import { RecurrentLayer, type RecurrentLayerOptions } from '@tensorloom/rnn';
import { lstmKind } from './lstm-kind.js';

export interface LSTMOptions extends RecurrentLayerOptions {
  /**
   * Project h to this size after each step (`h = (o ⊙ tanh(c))·W_hrᵀ`, `weight_hr_l{k}` `[P, H]`);
   * h and the output then have P features and `weight_hh` is `[4H, P]`. Must be < hiddenSize.
   * Default 0 (no projection).
   */
  projSize?: number;
  /**
   * After any init, set the forget-gate block (rows H..2H) of every `bias_ih_l{k}` to this
   * value and of every `bias_hh_l{k}` to 0, so the effective forget bias `b_ih + b_hh` is this
   * value (1 is the usual choice). Needs `bias: true`. Default: none (PyTorch's behaviour: the
   * forget biases are drawn like every other bias).
   */
  forgetBias?: number;
}

/**
 * A multi-layer LSTM with PyTorch's `nn.LSTM` semantics, parameter names and defaults. Each step
 * of each layer-direction:
 *
 * ```
 * i, f, g, o = chunk(x_t·W_ihᵀ + b_ih + h_{t−1}·W_hhᵀ + b_hh, 4)
 * c_t = σ(f) ⊙ c_{t−1} + σ(i) ⊙ tanh(g)
 * h_t = σ(o) ⊙ tanh(c_t)                 (with projSize P: h_t = (σ(o) ⊙ tanh(c_t))·W_hrᵀ)
 * ```
 *
 * Layer k > 0 reads the (concatenated, for bidirectional) output of layer k−1, with dropout
 * in between in training mode.
 *
 * - Options (`LSTMOptions`): `inputSize`, `hiddenSize`, `numLayers` (1), `bias` (true),
 *   `batchFirst` (false), `dropout` (0), `bidirectional` (false), `projSize` (0), `forgetBias`
 *   (none), `init` ('uniform'), `dtype` ('float32'), `generator` (the global one).
 * - Input `[T, B, I]` (`[B, T, I]` with batchFirst, or unbatched `[T, I]`). Forward options:
 *   `state: { h, c }` (h `[L·D, B, R]`, c `[L·D, B, H]`, zeros when missing), `lengths` (B
 *   integers) or `mask`, for padded batches.
 * - Returns `{ output, state }`: output `[T, B, D·R]` (R = P or H), state `{ h, c }` as the
 *   initial one, ordered as PyTorch's `h_n`, `c_n` (layer-major, forward before reverse).
 * - Parameters per layer k and direction (suffix `_reverse` for the backward one), PyTorch's
 *   names and order: `weight_ih_l{k}` `[4H, I or D·R]`, `weight_hh_l{k}` `[4H, R]`,
 *   `bias_ih_l{k}` `[4H]`, `bias_hh_l{k}` `[4H]`, `weight_hr_l{k}` `[P, H]` (projSize > 0).
 * - Init: PyTorch's U(−1/√H, 1/√H) for every parameter by default; `init: 'kaimingNormal'`
 *   (the course's), `'xavierUniform'` or `'orthogonal'` draw weights that way and zero the biases.
 *
 * @example
 * const lstm = new LSTM({ inputSize: 10, hiddenSize: 20, numLayers: 2, forgetBias: 1 });
 * const { output, state } = lstm.call(randn([5, 3, 10]));
 * output.shape;   // [5, 3, 20]
 * state.h.shape;  // [2, 3, 20]; state.c too
 */
export class LSTM extends RecurrentLayer<'h' | 'c'> {
  constructor(options: LSTMOptions) {
    super(lstmKind, options);
  }
}
