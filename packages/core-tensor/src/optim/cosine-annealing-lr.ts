/** CosineAnnealingLR: a half-cosine from the initial lr down to a floor. */
import { LRScheduler, checkNumber, type LRSchedulerOptions, type SchedulableOptimizer } from './lr-scheduler.js';

export interface CosineAnnealingLROptions extends LRSchedulerOptions {
  /** Half-period T_max of the cosine, in epochs (> 0). */
  tMax: number;
  /** The lowest lr η_min. Default 0. */
  etaMin?: number;
}

/**
 * Cosine annealing, as PyTorch's `CosineAnnealingLR` (without restarts):
 * lr = η_min + (initialLr − η_min) · (1 + cos(π · epoch / T_max)) / 2.
 *
 * This is PyTorch's closed form; its default recursive form gives the same values within float
 * rounding. Past T_max the lr rises again along the same cosine, as in PyTorch.
 *
 * @example
 * const scheduler = new optim.CosineAnnealingLR(opt, { tMax: 100, etaMin: 1e-5 });
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;

  constructor(optimizer: SchedulableOptimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer, options);
    const { tMax, etaMin = 0 } = options;
    checkNumber('CosineAnnealingLR', 'tMax', tMax, (v) => Number.isFinite(v) && v > 0, 'a positive number');
    checkNumber('CosineAnnealingLR', 'etaMin', etaMin, Number.isFinite, 'a finite number');
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  protected override settingKeys(): string[] {
    return ['tMax', 'etaMin'];
  }

  protected computeLrs(): number[] {
    const cosine = (1 + Math.cos((Math.PI * this.lastEpoch) / this.tMax)) / 2;
    return this.baseLrs.map((base) => this.etaMin + (base - this.etaMin) * cosine);
  }
}
