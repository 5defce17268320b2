/** Step decays: every `stepSize` epochs (StepLR) or at given milestones (MultiStepLR). */
import { ValueError } from '../errors.js';
import { LRScheduler, bisectRight, checkNumber, type LRSchedulerOptions, type SchedulableOptimizer } from './lr-scheduler.js';

export interface StepLROptions extends LRSchedulerOptions {
  /** Epochs between decays (a positive integer). */
  stepSize: number;
  /** Multiplicative decay. Default 0.1. */
  gamma?: number;
}

/**
 * Decays each group's lr by `gamma` every `stepSize` epochs, as PyTorch's `StepLR`:
 * lr = initialLr · γ^⌊epoch / stepSize⌋.
 *
 * @example
 * const scheduler = new optim.StepLR(opt, { stepSize: 30, gamma: 0.1 });
 * for (let epoch = 0; epoch < 100; epoch++) { train(); scheduler.step(); }
 */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: StepLROptions) {
    super('StepLR', optimizer, options);
    const { stepSize, gamma = 0.1 } = options;
    checkNumber('StepLR', 'stepSize', stepSize, (v) => Number.isInteger(v) && v > 0, 'a positive integer');
    checkNumber('StepLR', 'gamma', gamma, Number.isFinite, 'a finite number');
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected override settingKeys(): string[] {
    return ['stepSize', 'gamma'];
  }

  protected computeLrs(): number[] {
    const decays = Math.floor(this.lastEpoch / this.stepSize);
    return this.baseLrs.map((base) => base * this.gamma ** decays);
  }
}

export interface MultiStepLROptions extends LRSchedulerOptions {
  /** Epochs at which to decay (any order; a repeated milestone decays once per repetition). */
  milestones: readonly number[];
  /** Multiplicative decay. Default 0.1. */
  gamma?: number;
}

/**
 * Decays each group's lr by `gamma` at every milestone, as PyTorch's `MultiStepLR`:
 * lr = initialLr · γ^(number of milestones ≤ epoch).
 *
 * @example
 * const scheduler = new optim.MultiStepLR(opt, { milestones: [30, 80], gamma: 0.1 });
 */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: MultiStepLROptions) {
    super('MultiStepLR', optimizer, options);
    const { milestones, gamma = 0.1 } = options;
    if (!Array.isArray(milestones) || milestones.some((m) => typeof m !== 'number' || Number.isNaN(m))) {
      throw new ValueError(`MultiStepLR: milestones must be an array of numbers, got ${String(milestones)}`);
    }
    checkNumber('MultiStepLR', 'gamma', gamma, Number.isFinite, 'a finite number');
    this.milestones = [...milestones].sort((a, b) => a - b);
    this.gamma = gamma;
    this.initialStep();
  }

  protected override settingKeys(): string[] {
    return ['milestones', 'gamma'];
  }

  protected computeLrs(): number[] {
    const decays = bisectRight(this.milestones, this.lastEpoch);
    return this.baseLrs.map((base) => base * this.gamma ** decays);
  }
}
