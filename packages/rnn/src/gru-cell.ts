/**
 * `GRUCell`: one step of PyTorch's GRU.
 */
import type { Tensor } from '@tensorloom/core-tensor';
import { gruKind } from './gru-kind.js';
import { RecurrentCell, type RecurrentCellOptions } from './recurrent-cell.js';

export type GRUCellOptions = RecurrentCellOptions;

/**
 * One GRU step (PyTorch's `nn.GRUCell`), gates packed r, z, n:
 * ```
 * r  = σ(x·W_irᵀ + b_ir + h·W_hrᵀ + b_hr)
 * z  = σ(x·W_izᵀ + b_iz + h·W_hzᵀ + b_hz)
 * n  = tanh(x·W_inᵀ + b_in + r ⊙ (h·W_hnᵀ + b_hn))
 * h' = (1 − z) ⊙ n + z ⊙ h
 * ```
 * - Options: `inputSize`, `hiddenSize`, `bias` (true), `init` ('uniform'), `dtype` ('float32'),
 *   `generator` (the global one).
 * - `forward(x, h?)`: x `[B, I]` and h `[B, H]` (zeros when absent), or unbatched `[I]` and `[H]`;
 *   returns h' of h's shape.
 * - Parameters: `weight_ih` `[3H, I]`, `weight_hh` `[3H, H]`, `bias_ih`, `bias_hh` `[3H]`, all drawn
 *   from U(−1/√H, 1/√H) by default; the other `init` schemes (see `initRecurrentParameter`) draw
 *   the weights their way and zero the biases (under 'orthogonal', each H×H block of `weight_hh`
 *   is orthogonal).
 *
 * @example
 * const cell = new GRUCell({ inputSize: 3, hiddenSize: 4 });
 * const h1 = cell.call(randn([2, 3]));  // [2, 4]
 * const h2 = cell.call(randn([2, 3]), h1);
 */
export class GRUCell extends RecurrentCell<[Tensor, Tensor?], Tensor> {
  constructor(options: GRUCellOptions) {
    super(gruKind, options);
  }

  /** `[3H, H]`, blocks r, z, n. */
  get weight_hh(): Tensor {
    return this.getParameter('weight_hh')!;
  }

  /** `[3H]`, blocks r, z, n, or null without bias. */
  get bias_hh(): Tensor | null {
    return this.getParameter('bias_hh');
  }

  forward(x: Tensor, h?: Tensor): Tensor {
    return this.stepState(x, [h])[0]!;
  }
}
