/** Adagrad: per-coordinate learning rates from the sum of squared gradients. */
import type { FloatArray, TypedArray } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, checkNonNegative, stateArrayLike, type ParamGroup, type ParamsInput, type StateKind } from './optimizer.js';

export interface AdagradHyperParams {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

export interface AdagradOptions {
  /** Learning rate γ. Default 1e-2. */
  lr?: number;
  /** Learning-rate decay η. Default 0. */
  lrDecay?: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay?: number;
  /** Starting value of the squared-gradient sum. Default 0. */
  initialAccumulatorValue?: number;
  /** ε added to the denominator. Default 1e-10. */
  eps?: number;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize?: boolean;
}

/** Per-parameter state: the step count and the running sum of squared gradients. */
export interface AdagradState {
  [key: string]: number | FloatArray | undefined;
  step: number;
  sum: FloatArray;
}

/**
 * Adagrad, as PyTorch's `torch.optim.Adagrad`. For each parameter θ with gradient g (negated when
 * `maximize`), at step t:
 *
 * ```
 * γ̃ ← γ / (1 + (t − 1)η)
 * g ← g + λθ                     (if weightDecay λ ≠ 0)
 * s ← s + g²                     (s starts at initialAccumulatorValue)
 * θ ← θ − γ̃ g / (√s + ε)
 * ```
 *
 * As in PyTorch, the state (`step` = 0, `sum`) is created for every parameter at construction.
 *
 * @example
 * const opt = new optim.Adagrad(model.parameters(), { lr: 1e-2 });
 */
export class Adagrad extends Optimizer<AdagradHyperParams, AdagradState> {
  constructor(params: ParamsInput<AdagradHyperParams>, options: AdagradOptions = {}) {
    const { lr = 1e-2, lrDecay = 0, weightDecay = 0, initialAccumulatorValue = 0, eps = 1e-10, maximize = false } = options;
    super('Adagrad', params, { lr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize });
    for (const group of this.paramGroups) {
      for (const param of group.params) this.state.set(param, this.initialState(param, group));
    }
  }

  private initialState(param: Tensor, group: AdagradHyperParams): AdagradState {
    const sum = stateArrayLike(param);
    sum.fill(group.initialAccumulatorValue);
    return { step: 0, sum };
  }

  protected validateHyperParams(hyper: AdagradHyperParams): void {
    checkNonNegative('Adagrad', 'lr', hyper.lr);
    checkNonNegative('Adagrad', 'lrDecay', hyper.lrDecay);
    checkNonNegative('Adagrad', 'weightDecay', hyper.weightDecay);
    checkNonNegative('Adagrad', 'initialAccumulatorValue', hyper.initialAccumulatorValue);
    checkNonNegative('Adagrad', 'eps', hyper.eps);
  }

  protected stateSchema(): Record<string, StateKind> {
    return { step: 'number', sum: 'tensor' };
  }

  protected updateParam(
    p: FloatArray,
    g: TypedArray,
    state: AdagradState | undefined,
    group: ParamGroup<AdagradHyperParams>,
    tensor: Tensor,
  ): AdagradState {
    const { lr, lrDecay, weightDecay, eps, maximize } = group;
    // Parameters added with addParamGroup after construction get their state on the first step.
    const s = state ?? this.initialState(tensor, group);
    s.step += 1;
    const clr = lr / (1 + (s.step - 1) * lrDecay);
    const sum = s.sum;
    const sign = maximize ? -1 : 1;
    const n = p.length;
    for (let i = 0; i < n; i++) {
      let gi = sign * g[i]!;
      if (weightDecay !== 0) gi += weightDecay * p[i]!;
      sum[i] = sum[i]! + gi * gi;
      const std = Math.sqrt(sum[i]!) + eps;
      p[i] = p[i]! - clr * (gi / std);
    }
    return s;
  }
}
