/** LinearLR (LinearWarmup): a linear ramp of the lr factor, as a warm-up. */
import { LRScheduler, checkNumber, type LRSchedulerOptions, type SchedulableOptimizer } from './lr-scheduler.js';

export interface LinearLROptions extends LRSchedulerOptions {
  /** Factor of the initial lr at epoch 0, in (0, 1]. Default 1/3. */
  startFactor?: number;
  /** Factor reached at `totalIters` and kept after, in [0, 1]. Default 1. */
  endFactor?: number;
  /** Epochs of the linear ramp. Default 5. */
  totalIters?: number;
}

/**
 * Scales each group's lr by a factor that moves linearly from `startFactor` to `endFactor` over
 * `totalIters` epochs, then stays, as PyTorch's `LinearLR` (a linear warm-up with the defaults):
 * lr = initialLr · (s + (e − s) · min(epoch, totalIters) / totalIters).
 * With `totalIters` 0 the factor stays `startFactor`, as PyTorch's recursive form does.
 * Also exported as `LinearWarmup`.
 *
 * @example
 * const warmup = new optim.LinearWarmup(opt, { startFactor: 0.1, totalIters: 100 });
 */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;

  constructor(optimizer: SchedulableOptimizer, options: LinearLROptions = {}) {
    super('LinearLR', optimizer, options);
    const { startFactor = 1 / 3, endFactor = 1, totalIters = 5 } = options;
    checkNumber('LinearLR', 'startFactor', startFactor, (v) => v > 0 && v <= 1, 'a number in (0, 1]');
    checkNumber('LinearLR', 'endFactor', endFactor, (v) => v >= 0 && v <= 1, 'a number in [0, 1]');
    checkNumber('LinearLR', 'totalIters', totalIters, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer');
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  protected override settingKeys(): string[] {
    return ['startFactor', 'endFactor', 'totalIters'];
  }

  protected computeLrs(): number[] {
    const { startFactor, endFactor, totalIters } = this;
    const factor =
      totalIters === 0 ? startFactor : startFactor + ((endFactor - startFactor) * Math.min(totalIters, this.lastEpoch)) / totalIters;
    return this.baseLrs.map((base) => base * factor);
  }
}
