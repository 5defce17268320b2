/** Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2 decay. */
import type { FloatArray, TypedArray } from '../dtype.js';
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { Optimizer, checkNonNegative, stateArrayLike, type ParamGroup, type ParamsInput, type StateKind } from './optimizer.js';

export interface SGDHyperParams {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
}

export interface SGDOptions {
  /** Learning rate γ. Default 1e-3 (PyTorch 2.x). */
  lr?: number;
  /** Momentum factor μ. Default 0 (no momentum buffer). */
  momentum?: number;
  /** Dampening τ of the momentum. Default 0. */
  dampening?: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  weightDecay?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). Default false. */
  nesterov?: boolean;
  /** Maximize the objective instead of minimizing it. Default false. */
  maximize?: boolean;
}

/** Per-parameter state: the momentum buffer b (only when momentum ≠ 0). */
export interface SGDState {
  [key: string]: number | FloatArray | undefined;
  momentum_buffer?: FloatArray;
}

/**
 * Stochastic gradient descent, as PyTorch's `torch.optim.SGD`. For each parameter θ with gradient
 * g (negated when `maximize`):
 *
 * ```
 * g ← g + λθ                         (if weightDecay λ ≠ 0)
 * b ← g on the first step, else μb + (1 − τ)g   (if momentum μ ≠ 0)
 * g ← g + μb if nesterov, else b
 * θ ← θ − γg
 * ```
 *
 * State: `momentum_buffer` (the parameter's shape), present only with momentum.
 *
 * @example
 * const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer<SGDHyperParams, SGDState> {
  constructor(params: ParamsInput<SGDHyperParams>, options: SGDOptions = {}) {
    const { lr = 1e-3, momentum = 0, dampening = 0, weightDecay = 0, nesterov = false, maximize = false } = options;
    super('SGD', params, { lr, momentum, dampening, weightDecay, nesterov, maximize });
  }

  protected validateHyperParams(hyper: SGDHyperParams): void {
    checkNonNegative('SGD', 'lr', hyper.lr);
    checkNonNegative('SGD', 'momentum', hyper.momentum);
    checkNonNegative('SGD', 'weightDecay', hyper.weightDecay);
    if (typeof hyper.dampening !== 'number' || Number.isNaN(hyper.dampening)) {
      throw new ValueError(`SGD: invalid dampening: expected a number, got ${String(hyper.dampening)}`);
    }
    if (hyper.nesterov && (hyper.momentum <= 0 || hyper.dampening !== 0)) {
      throw new ValueError(
        `SGD: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum ${hyper.momentum}, dampening ${hyper.dampening}`,
      );
    }
  }

  protected stateSchema(group: SGDHyperParams): Record<string, StateKind> {
    // A missing buffer is re-created from the next gradient, as PyTorch does with `None`.
    return group.momentum !== 0 ? { momentum_buffer: 'optional-tensor' } : {};
  }

  protected updateParam(
    p: FloatArray,
    g: TypedArray,
    state: SGDState | undefined,
    group: ParamGroup<SGDHyperParams>,
    tensor: Tensor,
  ): SGDState | undefined {
    const { lr, momentum, dampening, weightDecay, nesterov, maximize } = group;
    const sign = maximize ? -1 : 1;
    const n = p.length;
    if (momentum === 0) {
      for (let i = 0; i < n; i++) {
        let d = sign * g[i]!;
        if (weightDecay !== 0) d += weightDecay * p[i]!;
        p[i] = p[i]! - lr * d;
      }
      return state;
    }
    const existing = state?.momentum_buffer;
    const buf = existing ?? stateArrayLike(tensor);
    const keep = 1 - dampening;
    for (let i = 0; i < n; i++) {
      let d = sign * g[i]!;
      if (weightDecay !== 0) d += weightDecay * p[i]!;
      // The first step copies the gradient into the buffer, undamped.
      buf[i] = existing === undefined ? d : momentum * buf[i]! + keep * d;
      const update = nesterov ? d + momentum * buf[i]! : buf[i]!;
      p[i] = p[i]! - lr * update;
    }
    if (state === undefined) return { momentum_buffer: buf };
    state.momentum_buffer = buf;
    return state;
  }
}
