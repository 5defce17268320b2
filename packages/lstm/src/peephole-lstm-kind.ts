/**
 * The course's peephole LSTM (UvA Deep Learning 2020, assignment 2), as a `CellKind`: its gates
 * look at the previous cell state c instead of the previous output h.
 */
import { ValueError, add, chunk, linear, mul, sigmoid, tanh, type Tensor } from '@tensorloom/core-tensor';
import type { CellDims, CellKind } from '@tensorloom/rnn';

/**
 * The peephole LSTM step of the course:
 *
 * ```
 * f = σ(W_fx x + W_fc c_{t−1} + b_f)
 * i = σ(W_ix x + W_ic c_{t−1} + b_i)
 * o = σ(W_ox x + W_oc c_{t−1} + b_o)
 * c_t = σ(W_cx x + b_c) ⊙ i + c_{t−1} ⊙ f
 * h_t = tanh(c_t) ⊙ o
 * ```
 *
 * Note the cell input is a sigmoid (not nn.LSTM's tanh) and reads x only; h_{t−1} enters nothing
 * (it is the output, not an input, of the step).
 *
 * Parameter names (there is no PyTorch module to match, so they follow nn.LSTM's style; the
 * layer adds `_l{k}` and `_reverse`):
 * - `weight_ih` `[4H, I]`: the input weights, packed in nn.LSTM's block order i, f, g, o, where
 *   g is the cell input (W_ix, W_fx, W_cx, W_ox). The same layout as nn.LSTM's `weight_ih`.
 * - `weight_ch` `[3H, H]`: the peephole weights on c_{t−1}, packed i, f, o (W_ic, W_fc, W_oc).
 * - `bias_ih` `[4H]`: the one bias per gate, packed i, f, g, o (b_i, b_f, b_c, b_o); null
 *   without bias. There is no `bias_hh`: the course has a single bias per gate.
 *
 * State `['h', 'c']`, both of size H. No projection (`projSize` must be 0).
 */
export const peepholeLstmKind: CellKind = {
  name: 'PEEPHOLE_LSTM',
  chunks: 4,
  forgetGateBlock: 1,
  stateNames: ['h', 'c'],

  parameterShapes({ inputSize, hiddenSize, bias, projSize }: CellDims) {
    if (projSize !== 0) throw new ValueError(`PEEPHOLE_LSTM: projections are not supported (projSize must be 0, got ${projSize})`);
    return {
      weight_ih: [4 * hiddenSize, inputSize],
      weight_ch: [3 * hiddenSize, hiddenSize],
      bias_ih: bias ? [4 * hiddenSize] : null,
    };
  },

  stateSizes({ hiddenSize }: CellDims) {
    return [hiddenSize, hiddenSize];
  },

  step(xProj: Tensor, state: readonly Tensor[], params: Readonly<Record<string, Tensor | null>>): Tensor[] {
    const c = state[1]!;
    const [xi, xf, xg, xo] = chunk(xProj, 4, -1) as [Tensor, Tensor, Tensor, Tensor];
    const [ci, cf, co] = chunk(linear(c, params.weight_ch!), 3, -1) as [Tensor, Tensor, Tensor];
    const cNext = add(mul(sigmoid(xg), sigmoid(add(xi, ci))), mul(c, sigmoid(add(xf, cf))));
    const hNext = mul(tanh(cNext), sigmoid(add(xo, co)));
    return [hNext, cNext];
  },
};
