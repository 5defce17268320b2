/**
 * The step of PyTorch's `nn.LSTM`, as a `CellKind` the shared unroller and `RecurrentLayer` run.
 */
import { add, linear, lstmCell, lstmSequence, type Tensor } from '@tensorloom/core-tensor';
import type { CellDims, CellKind, SequenceOptions } from '@tensorloom/rnn';

/**
 * PyTorch's LSTM step. Gates are packed in PyTorch's order i, f, g, o (blocks of H rows of
 * `weight_ih` `[4H, I]`, `weight_hh` `[4H, R]`, `bias_ih` and `bias_hh` `[4H]`):
 *
 * ```
 * z = xProj + h·W_hhᵀ + b_hh            (xProj = x·W_ihᵀ + b_ih, precomputed for all steps)
 * i, f, g, o = chunk(z, 4)
 * c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g)
 * h' = σ(o) ⊙ tanh(c')                  (projSize = 0)
 * h' = (σ(o) ⊙ tanh(c'))·W_hrᵀ          (projSize = P > 0; weight_hr is [P, H])
 * ```
 *
 * R, the size of h, is P with a projection and H without; c is always H. The recurrent term is
 * one matrix product; the pointwise gate math from z to (h, c) is one fused op, `lstmCell`.
 * Without a projection, a layer's whole time loop is one fused op, `lstmSequence` (`sequence`).
 *
 * - State: `['h', 'c']`, sizes `[R, H]`; the output of a step is h.
 * - Parameters of one layer-direction: `weight_ih` `[4H, I]`, `weight_hh` `[4H, R]`, `bias_ih`
 *   `[4H]`, `bias_hh` `[4H]` (null without bias), then `weight_hr` `[P, H]` when projecting.
 *
 * @example
 * import { unroll } from '@tensorloom/rnn';
 * const { output, state: [h, c] } = unroll(lstmKind, xProj, [h0, c0], params);
 */
export const lstmKind: CellKind = {
  name: 'LSTM',
  chunks: 4,
  forgetGateBlock: 1,
  stateNames: ['h', 'c'],

  parameterShapes({ inputSize, hiddenSize, bias, projSize }: CellDims) {
    const recurrentSize = projSize > 0 ? projSize : hiddenSize;
    const shapes: Record<string, readonly number[] | null> = {
      weight_ih: [4 * hiddenSize, inputSize],
      weight_hh: [4 * hiddenSize, recurrentSize],
      bias_ih: bias ? [4 * hiddenSize] : null,
      bias_hh: bias ? [4 * hiddenSize] : null,
    };
    if (projSize > 0) shapes.weight_hr = [projSize, hiddenSize];
    return shapes;
  },

  stateSizes({ hiddenSize, projSize }: CellDims) {
    return [projSize > 0 ? projSize : hiddenSize, hiddenSize];
  },

  step(xProj: Tensor, state: readonly Tensor[], params: Readonly<Record<string, Tensor | null>>): Tensor[] {
    const [h, c] = state as [Tensor, Tensor];
    const gates = add(xProj, linear(h, params.weight_hh!, params.bias_hh ?? null));
    const { h: hFull, c: cNext } = lstmCell(gates, c);
    const weightHr = params.weight_hr;
    const hNext = weightHr ? linear(hFull, weightHr) : hFull;
    return [hNext, cNext];
  },

  sequence(
    xProj: Tensor,
    state: readonly Tensor[],
    params: Readonly<Record<string, Tensor | null>>,
    { reverse, inputBias }: SequenceOptions,
  ) {
    // The fused op has no projection: a projected LSTM runs step by step.
    if (params.weight_hr) return null;
    const [h0, c0] = state as [Tensor, Tensor];
    const { output, h, c } = lstmSequence(xProj, h0, c0, params.weight_hh!, { biasIH: inputBias, biasHH: params.bias_hh ?? null, reverse });
    return { output, state: [h, c] };
  },
};
