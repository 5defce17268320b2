/**
 * PyTorch's GRU as a `CellKind`. Gates are packed r, z, n (reset, update, new) in `weight_ih`,
 * `weight_hh` and the biases, as `nn.GRU` stores them, so state dicts move both ways.
 *
 * It differs from the course sheet's GRU in two places: the reset gate multiplies the *projected*
 * hidden state including its bias (`r ⊙ (h·W_hnᵀ + b_hn)`, not `W·[r ⊙ h, x]`), and `z` keeps the
 * old state (`h' = (1 − z) ⊙ n + z ⊙ h`) where the sheet's `z` takes the new one.
 */
import { gruCell, gruSequence, linear } from '@tensorloom/core-tensor';
import type { CellKind } from './cell-kind.js';
import { packedParameterShapes } from './rnn-kind.js';

/**
 * One GRU step (PyTorch's formula), with `x_r, x_z, x_n` the three H-wide chunks of
 * `xProj = x·W_ihᵀ + b_ih` and `h_r, h_z, h_n` those of `h·W_hhᵀ + b_hh` (one matmul, then the
 * fused pointwise op `gruCell`):
 * ```
 * r  = σ(x_r + h_r)
 * z  = σ(x_z + h_z)
 * n  = tanh(x_n + r ⊙ h_n)
 * h' = (1 − z) ⊙ n + z ⊙ h  =  n + z ⊙ (h − n)
 * ```
 * The layer's time loop is one fused op, `gruSequence` (the same values).
 * State `['h']` of size H; parameters `weight_ih` `[3H, I]`, `weight_hh` `[3H, H]`, `bias_ih`,
 * `bias_hh` `[3H]`.
 *
 * @example
 * const [h1] = gruKind.step(xProj, [h0], { weight_hh, bias_hh });  // xProj [B, 3H], h0 [B, H]
 */
export const gruKind: CellKind = {
  name: 'GRU',
  chunks: 3,
  stateNames: ['h'],
  parameterShapes: (dims) => packedParameterShapes(3, dims),
  stateSizes: (dims) => [dims.hiddenSize],
  step(xProj, state, params) {
    const h = state[0]!;
    // One matrix product for the three gates, then the pointwise step as one fused op.
    return [gruCell(xProj, linear(h, params.weight_hh!, params.bias_hh ?? null), h)];
  },
  sequence(xProj, state, params, { reverse, inputBias }) {
    const { output, h } = gruSequence(xProj, state[0]!, params.weight_hh!, { biasIH: inputBias, biasHH: params.bias_hh ?? null, reverse });
    return { output, state: [h] };
  },
};
