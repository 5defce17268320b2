/**
 * `GRU`: PyTorch's `nn.GRU` over `RecurrentLayer`.
 */
import { ValueError } from '@tensorloom/core-tensor';
import { gruKind } from './gru-kind.js';
import { RecurrentLayer, type RecurrentLayerOptions } from './recurrent-layer.js';

/**
 * A multi-layer gated recurrent unit (PyTorch's `nn.GRU`). Each layer-direction computes, for t = 1..T,
 * ```
 * r_t = σ(x_t·W_irᵀ + b_ir + h_{t−1}·W_hrᵀ + b_hr)
 * z_t = σ(x_t·W_izᵀ + b_iz + h_{t−1}·W_hzᵀ + b_hz)
 * n_t = tanh(x_t·W_inᵀ + b_in + r_t ⊙ (h_{t−1}·W_hnᵀ + b_hn))
 * h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t−1}
 * ```
 * and layer k > 0 reads layer k−1's outputs (concatenated over directions), with dropout between
 * layers in training mode.
 *
 * - Options: `inputSize`, `hiddenSize`, `numLayers` (1), `bias` (true), `batchFirst` (false),
 *   `dropout` (0), `bidirectional` (false), `init` ('uniform'), `dtype` ('float32'), `generator`
 *   (the global one).
 * - Input `[T, B, I]` (`[B, T, I]` with batchFirst, `[T, I]` unbatched); forward options `state`
 *   `{ h: [L·D, B, H] }` (zeros when absent), `lengths` (B integers) or `mask`.
 * - Returns `{ output: [T, B, D·H], state: { h: [L·D, B, H] } }` (`D` = 2 when bidirectional).
 *   Padded steps give zero outputs and leave the state alone.
 * - Parameters (PyTorch's names and order, gates packed r, z, n): `weight_ih_l{k}` `[3H, I or D·H]`,
 *   `weight_hh_l{k}` `[3H, H]`, `bias_ih_l{k}`, `bias_hh_l{k}` `[3H]`, each also with `_reverse`.
 * - Init: every parameter from U(−1/√H, 1/√H) (PyTorch's), or another `init` scheme.
 *
 * @example
 * const gru = new GRU({ inputSize: 10, hiddenSize: 20, batchFirst: true });
 * const { output, state } = gru.call(randn([3, 5, 10]), { lengths: [5, 2, 4] });  // [3, 5, 20], state.h [1, 3, 20]
 */
export class GRU extends RecurrentLayer<'h'> {
  constructor(options: RecurrentLayerOptions) {
    const projSize = (options as { projSize?: number }).projSize ?? 0;
    if (projSize !== 0) throw new ValueError(`GRU: projSize is only supported by LSTM, got ${projSize}`);
    super(gruKind, { ...options, projSize: 0 });
  }
}
