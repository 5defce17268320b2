/** LambdaLR: the lr factor as any function of the epoch. */
import { ValueError } from '../errors.js';
import { LRScheduler, type LRSchedulerOptions, type SchedulableOptimizer } from './lr-scheduler.js';

export interface LambdaLROptions extends LRSchedulerOptions {
  /** epoch ↦ factor of the initial lr: one function for every group, or one per group. */
  lrLambda: ((epoch: number) => number) | readonly ((epoch: number) => number)[];
}

/**
 * Sets each group's lr to its initial lr times a function of the epoch, as PyTorch's `LambdaLR`:
 * lr = initialLr · λ(epoch). The functions are not part of the state dict.
 *
 * @example
 * const scheduler = new optim.LambdaLR(opt, { lrLambda: (epoch) => 0.95 ** epoch });
 */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: ((epoch: number) => number)[];

  constructor(optimizer: SchedulableOptimizer, options: LambdaLROptions) {
    super('LambdaLR', optimizer, options);
    const { lrLambda } = options;
    const groups = optimizer.paramGroups.length;
    if (typeof lrLambda === 'function') {
      this.lrLambdas = Array.from({ length: groups }, () => lrLambda);
    } else if (Array.isArray(lrLambda) && lrLambda.every((f) => typeof f === 'function')) {
      if (lrLambda.length !== groups)
        throw new ValueError(`LambdaLR: expected ${groups} lrLambda functions (one per group), got ${lrLambda.length}`);
      this.lrLambdas = [...lrLambda];
    } else {
      throw new ValueError('LambdaLR: lrLambda must be a function or an array of functions');
    }
    this.initialStep();
  }

  protected computeLrs(): number[] {
    return this.baseLrs.map((base, i) => base * this.lrLambdas[i]!(this.lastEpoch));
  }
}
