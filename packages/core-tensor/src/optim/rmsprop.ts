/** RMSprop, plain or centered, with optional momentum. */
import type { FloatArray, TypedArray } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, checkNonNegative, stateArrayLike, type ParamGroup, type ParamsInput, type StateKind } from './optimizer.js';

export interface RMSpropHyperParams {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

export interface RMSpropOptions {
  /** Learning rate γ. Default 1e-2. */
  lr?: number;
  /** Smoothing constant α of the squared-gradient average. Default 0.99. */
  alpha?: number;
  /** ε added to the denominator. Default 1e-8. */
  eps?: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay?: number;
  /** Momentum factor μ. Default 0. */
  momentum?: number;
  /** Normalise by an estimate of the gradient's variance (centered RMSprop). Default false. */
  centered?: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize?: boolean;
}

/** Per-parameter state (arrays of the parameter's shape). */
export interface RMSpropState {
  [key: string]: number | FloatArray | undefined;
  step: number;
  square_avg: FloatArray;
  momentum_buffer?: FloatArray;
  grad_avg?: FloatArray;
}

/**
 * RMSprop, as PyTorch's `torch.optim.RMSprop`. For each parameter θ with gradient g (negated when
 * `maximize`):
 *
 * ```
 * g ← g + λθ                                  (if weightDecay λ ≠ 0)
 * v ← αv + (1 − α)g²
 * ṽ ← v − ḡ² with ḡ ← αḡ + (1 − α)g if centered, else v
 * b ← μb + g / (√ṽ + ε);  θ ← θ − γb          (if momentum μ > 0)
 * θ ← θ − γ g / (√ṽ + ε)                      (otherwise)
 * ```
 *
 * ε is added after the square root (TensorFlow adds it inside). State: `step`, `square_avg` (v),
 * `momentum_buffer` (b, with momentum) and `grad_avg` (ḡ, when centered).
 *
 * @example
 * const opt = new optim.RMSprop(model.parameters(), { lr: 1e-2, alpha: 0.99 });
 */
export class RMSprop extends Optimizer<RMSpropHyperParams, RMSpropState> {
  constructor(params: ParamsInput<RMSpropHyperParams>, options: RMSpropOptions = {}) {
    const { lr = 1e-2, alpha = 0.99, eps = 1e-8, weightDecay = 0, momentum = 0, centered = false, maximize = false } = options;
    super('RMSprop', params, { lr, alpha, eps, weightDecay, momentum, centered, maximize });
  }

  protected validateHyperParams(hyper: RMSpropHyperParams): void {
    checkNonNegative('RMSprop', 'lr', hyper.lr);
    checkNonNegative('RMSprop', 'eps', hyper.eps);
    checkNonNegative('RMSprop', 'momentum', hyper.momentum);
    checkNonNegative('RMSprop', 'weightDecay', hyper.weightDecay);
    checkNonNegative('RMSprop', 'alpha', hyper.alpha);
  }

  protected stateSchema(group: RMSpropHyperParams): Record<string, StateKind> {
    const schema: Record<string, StateKind> = { step: 'number', square_avg: 'tensor' };
    if (group.momentum > 0) schema.momentum_buffer = 'tensor';
    if (group.centered) schema.grad_avg = 'tensor';
    return schema;
  }

  protected updateParam(
    p: FloatArray,
    g: TypedArray,
    state: RMSpropState | undefined,
    group: ParamGroup<RMSpropHyperParams>,
    tensor: Tensor,
  ): RMSpropState {
    const { lr, alpha, eps, weightDecay, momentum, centered, maximize } = group;
    const s: RMSpropState = state ?? { step: 0, square_avg: stateArrayLike(tensor) };
    // Buffers a group gained after the state was made (e.g. momentum switched on) start at zero.
    if (momentum > 0 && s.momentum_buffer === undefined) s.momentum_buffer = stateArrayLike(tensor);
    if (centered && s.grad_avg === undefined) s.grad_avg = stateArrayLike(tensor);
    s.step += 1;
    const v = s.square_avg;
    const gAvg = centered ? s.grad_avg! : null;
    const buf = momentum > 0 ? s.momentum_buffer! : null;
    const sign = maximize ? -1 : 1;
    const n = p.length;
    for (let i = 0; i < n; i++) {
      let gi = sign * g[i]!;
      if (weightDecay !== 0) gi += weightDecay * p[i]!;
      v[i] = alpha * v[i]! + (1 - alpha) * gi * gi;
      let avg: number;
      if (gAvg !== null) {
        gAvg[i] = alpha * gAvg[i]! + (1 - alpha) * gi;
        avg = Math.sqrt(v[i]! - gAvg[i]! * gAvg[i]!);
      } else {
        avg = Math.sqrt(v[i]!);
      }
      avg += eps;
      if (buf !== null) {
        buf[i] = momentum * buf[i]! + gi / avg;
        p[i] = p[i]! - lr * buf[i]!;
      } else {
        p[i] = p[i]! - lr * (gi / avg);
      }
    }
    return s;
  }
}
