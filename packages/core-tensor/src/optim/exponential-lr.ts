/** ExponentialLR: decay by a constant factor every epoch. */
import { LRScheduler, checkNumber, type LRSchedulerOptions, type SchedulableOptimizer } from './lr-scheduler.js';

export interface ExponentialLROptions extends LRSchedulerOptions {
  /** Multiplicative decay per epoch. */
  gamma: number;
}

/**
 * Decays each group's lr by `gamma` every epoch, as PyTorch's `ExponentialLR`:
 * lr = initialLr · γ^epoch.
 *
 * @example
 * const scheduler = new optim.ExponentialLR(opt, { gamma: 0.95 });
 */
export class ExponentialLR extends LRScheduler {
  gamma: number;

  constructor(optimizer: SchedulableOptimizer, options: ExponentialLROptions) {
    super('ExponentialLR', optimizer, options);
    checkNumber('ExponentialLR', 'gamma', options.gamma, Number.isFinite, 'a finite number');
    this.gamma = options.gamma;
    this.initialStep();
  }

  protected override settingKeys(): string[] {
    return ['gamma'];
  }

  protected computeLrs(): number[] {
    return this.baseLrs.map((base) => base * this.gamma ** this.lastEpoch);
  }
}
