/**
 * The non-finite guard of a training loop: after `backward()` it checks the loss and every
 * gradient, after the update every parameter, and on a NaN or an infinity stops, skips the step,
 * or skips it and halves the learning rate.
 */
import { ValueError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { NonFiniteError, findNonFinite, type NonFiniteDetails } from './non-finite.js';

/**
 * What a trainer does when the loss, a gradient or (after the update) a parameter is NaN or infinite:
 * - `'stop'`: throw `NonFiniteError` (a trainer that writes checkpoints keeps the last good one);
 * - `'skip'`: zero the gradients and skip the update: the parameters stay as they were (an update that made
 *   one non-finite is undone, though the optimizer's moments keep that step's finite gradient);
 * - `'halve-lr'`: skip the update and halve the learning rate; stop after `maxHalvings` halvings in a row.
 */
export type NonFinitePolicy = 'stop' | 'skip' | 'halve-lr';

/** Every `NonFinitePolicy`, the default first (for option parsers and help texts). */
export const NON_FINITE_POLICIES: readonly NonFinitePolicy[] = Object.freeze(['stop', 'skip', 'halve-lr']);

/** Halvings of the learning rate in a row after which `'halve-lr'` gives up and stops. */
export const DEFAULT_MAX_LR_HALVINGS = 20;

/** A step the guard skipped (under `'skip'` or `'halve-lr'`), as the trainers report it. */
export interface NonFiniteEvent extends NonFiniteDetails {
  step: number;
  /** `'skipped'`, or `'halved-lr'` when the learning rate was halved too. */
  action: 'skipped' | 'halved-lr';
  /** The learning rate of the first parameter group after the action. */
  lr: number;
  /** One line for a log. */
  message: string;
}

/** What the guard needs of an optimizer: its groups' learning rates and `zeroGrad`. */
export interface GuardedOptimizer {
  readonly paramGroups: readonly { lr: number; initialLr?: number }[];
  zeroGrad(): void;
}

export interface NonFiniteGuardOptions {
  /** The parameters to check, by name (`model.namedParameters()`). */
  namedParameters: ReadonlyArray<readonly [string, Tensor]>;
  /** The optimizer whose update is skipped and whose learning rate is halved. */
  optimizer: GuardedOptimizer;
  /** The lr schedule driving the optimizer, if any: its base rates are halved too (it computes lr from them). */
  scheduler?: { baseLrs: number[] };
  /** Default `'stop'`. */
  policy?: NonFinitePolicy;
  /** Halvings in a row before `'halve-lr'` stops. Default 20. */
  maxHalvings?: number;
  /** The trainer's name, first in messages. Default 'train'. */
  op?: string;
  /** What a step is called in messages. Default 'step' (a full-batch trainer says 'epoch'). */
  unit?: string;
}

/**
 * Guards the updates of a training loop. Call `update(step, lossValue, apply)` after
 * `loss.backward()`, with `apply` doing what comes between backward and the next step (clipping,
 * `optimizer.step()`); step the lr schedule after it, skipped or not. The checks are one pass over
 * the gradients before `apply` and one over the parameters after it (no allocation; under
 * `'skip'` and `'halve-lr'` one copy of the parameters, to undo an update that made them non-finite).
 *
 * @example
 * const guard = new NonFiniteGuard({ namedParameters: model.namedParameters(), optimizer, policy: 'skip' });
 * loss.backward();
 * const skipped = guard.update(step, loss.item(), () => { optim.clipGradNorm(params, 1); optimizer.step(); });
 * if (skipped) console.warn(skipped.message);
 */
export class NonFiniteGuard {
  readonly policy: NonFinitePolicy;
  readonly maxHalvings: number;
  /** Updates skipped so far. */
  skippedSteps = 0;
  /** Halvings of the learning rate so far. */
  lrHalvings = 0;
  private consecutiveHalvings = 0;
  private readonly named: ReadonlyArray<readonly [string, Tensor]>;
  private readonly optimizer: GuardedOptimizer;
  private readonly scheduler: { baseLrs: number[] } | undefined;
  private readonly op: string;
  private readonly unit: string;
  private backup: Tensor['data'][] | undefined;

  constructor(options: NonFiniteGuardOptions) {
    const { policy = 'stop', maxHalvings = DEFAULT_MAX_LR_HALVINGS, op = 'train', unit = 'step' } = options;
    if (!NON_FINITE_POLICIES.includes(policy)) {
      throw new ValueError(
        `${op}: onNonFinite must be one of ${NON_FINITE_POLICIES.map((p) => `'${p}'`).join(', ')}, got '${String(policy)}'`,
      );
    }
    if (!Number.isInteger(maxHalvings) || maxHalvings < 0) {
      throw new ValueError(`${op}: maxHalvings must be an integer ≥ 0, got ${maxHalvings}`);
    }
    this.policy = policy;
    this.maxHalvings = maxHalvings;
    this.named = options.namedParameters;
    this.optimizer = options.optimizer;
    this.scheduler = options.scheduler;
    this.op = op;
    this.unit = unit;
  }

  /**
   * Runs `apply` unless `loss` or a gradient is non-finite, then checks the parameters (undoing the
   * update under `'skip'`/`'halve-lr'` if it made one non-finite). Returns undefined when the update
   * was taken, else the skipped step's event; throws `NonFiniteError` under `'stop'`, or under
   * `'halve-lr'` once `maxHalvings` halvings in a row did not help.
   */
  update(step: number, loss: number, apply: () => void): NonFiniteEvent | undefined {
    if (!Number.isFinite(loss)) return this.handle(step, { step, what: 'loss', parameter: undefined, value: loss, index: undefined });
    const badGradient = findNonFinite(this.named, { gradients: true });
    if (badGradient !== undefined) return this.handle(step, { step, what: 'gradient', ...badGradient });
    if (this.policy !== 'stop') this.saveParameters();
    apply();
    const badParameter = findNonFinite(this.named);
    if (badParameter !== undefined) {
      if (this.policy !== 'stop') this.restoreParameters();
      return this.handle(step, { step, what: 'parameter', ...badParameter });
    }
    this.consecutiveHalvings = 0;
    return undefined;
  }

  private handle(step: number, details: NonFiniteDetails): NonFiniteEvent {
    const found = `${this.op}: ${this.unit} ${step}: ${describe(details)}`;
    if (this.policy === 'stop') throw new NonFiniteError(`${found}; training stopped`, details);
    if (this.policy === 'halve-lr' && this.consecutiveHalvings >= this.maxHalvings) {
      throw new NonFiniteError(
        `${found}; training stopped: still non-finite after ${this.consecutiveHalvings} halvings of the learning rate in a row ` +
          `(lr now ${this.lr})`,
        details,
      );
    }
    this.optimizer.zeroGrad();
    this.skippedSteps++;
    if (this.policy === 'skip') return { ...details, step, action: 'skipped', lr: this.lr, message: `${found}; skipped the update` };
    this.halveLearningRate();
    this.consecutiveHalvings++;
    this.lrHalvings++;
    const message =
      `${found}; skipped the update and halved the learning rate to ${this.lr} ` +
      `(${this.consecutiveHalvings} of at most ${this.maxHalvings} halvings in a row)`;
    return { ...details, step, action: 'halved-lr', lr: this.lr, message };
  }

  private get lr(): number {
    return this.optimizer.paramGroups[0]?.lr ?? NaN;
  }

  private halveLearningRate(): void {
    for (const group of this.optimizer.paramGroups) {
      group.lr /= 2;
      if (group.initialLr !== undefined) group.initialLr /= 2;
    }
    if (this.scheduler !== undefined) this.scheduler.baseLrs = this.scheduler.baseLrs.map((lr) => lr / 2);
  }

  private saveParameters(): void {
    this.backup ??= this.named.map(([, p]) => p.data.slice());
    this.named.forEach(([, p], i) => this.backup![i]!.set(p.data));
  }

  private restoreParameters(): void {
    this.named.forEach(([, p], i) => p.data.set(this.backup![i]!));
  }
}

/** `the loss is NaN`, `the gradient of 'lstm.weight_hh_l0' holds NaN (element 17)`, … */
function describe(d: NonFiniteDetails): string {
  if (d.what === 'loss') return `the loss is ${d.value}`;
  if (d.what === 'gradient') return `the gradient of '${d.parameter}' holds ${d.value} (element ${d.index})`;
  return `the update made '${d.parameter}' ${d.value} (element ${d.index})`;
}
