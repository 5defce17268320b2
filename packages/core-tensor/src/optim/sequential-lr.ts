/** SequentialLR: one schedule after another, switching at milestones. */
import { StateDictError, ValueError } from '../errors.js';
import { LRScheduler, bisectRight, type LRSchedulerOptions, type LRSchedulerStateDict, type SchedulableOptimizer } from './lr-scheduler.js';

export interface SequentialLROptions extends LRSchedulerOptions {
  /** The schedulers to run in turn, all built on this optimizer. */
  schedulers: readonly LRScheduler[];
  /** The epochs at which to switch to the next scheduler (one fewer than schedulers, ascending). */
  milestones: readonly number[];
}

/**
 * Runs `schedulers[0]` until `milestones[0]`, then `schedulers[1]` restarted at its epoch 0, and so
 * on, as PyTorch's `SequentialLR`. Construction resets the groups to their initial lr and performs
 * step 0 of the first scheduler only (undoing the step 0 the others made when they were built).
 *
 * @example
 * const warmup = new optim.LinearWarmup(opt, { startFactor: 0.1, totalIters: 5 });
 * const decay = new optim.CosineAnnealingLR(opt, { tMax: 95 });
 * const scheduler = new optim.SequentialLR(opt, { schedulers: [warmup, decay], milestones: [5] });
 */
export class SequentialLR extends LRScheduler {
  readonly schedulers: LRScheduler[];
  readonly milestones: number[];

  constructor(optimizer: SchedulableOptimizer, options: SequentialLROptions) {
    super('SequentialLR', optimizer, options);
    const { schedulers, milestones, lastEpoch = -1 } = options;
    if (!Array.isArray(schedulers) || schedulers.length === 0) {
      throw new ValueError('SequentialLR: expected at least one scheduler');
    }
    schedulers.forEach((scheduler, i) => {
      if (!(scheduler instanceof LRScheduler)) throw new ValueError(`SequentialLR: schedulers[${i}] is not an LRScheduler`);
      if (scheduler.optimizer !== optimizer) {
        throw new ValueError(`SequentialLR: schedulers[${i}] is bound to another optimizer than the one given`);
      }
    });
    if (!Array.isArray(milestones) || milestones.length !== schedulers.length - 1) {
      throw new ValueError(
        `SequentialLR: expected ${schedulers.length - 1} milestones for ${schedulers.length} ` +
          `schedulers, got ${Array.isArray(milestones) ? milestones.length : String(milestones)}`,
      );
    }
    milestones.forEach((m, i) => {
      if (!Number.isInteger(m) || (i > 0 && m < milestones[i - 1]!)) {
        throw new ValueError(`SequentialLR: milestones must be ascending integers, got [${milestones.join(', ')}]`);
      }
    });
    this.schedulers = [...schedulers];
    this.milestones = [...milestones];

    for (const group of optimizer.paramGroups) group.lr = group.initialLr!;
    for (const scheduler of this.schedulers) scheduler.lastEpoch -= 1;
    this.schedulers[0]!.step();
    this.lastEpoch = lastEpoch + 1;
    this.lastLr = this.schedulers[0]!.getLastLr();
  }

  /** The active scheduler's lrs (it computes them; see `step`). */
  protected computeLrs(): number[] {
    return this.lastLr;
  }

  /** Advances one epoch: steps the active scheduler, restarting it at its epoch 0 on a milestone. */
  override step(): void {
    this.lastEpoch += 1;
    const index = bisectRight(this.milestones, this.lastEpoch);
    const scheduler = this.schedulers[index]!;
    // PyTorch calls `scheduler.step(0)` here; with closed forms that is a restart at epoch 0.
    if (index > 0 && this.milestones[index - 1] === this.lastEpoch) scheduler.lastEpoch = -1;
    scheduler.step();
    this.lastLr = scheduler.getLastLr();
  }

  /** The state, with each inner scheduler's state dict under `schedulers`. */
  override stateDict(): LRSchedulerStateDict {
    return { ...super.stateDict(), milestones: [...this.milestones], schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  override loadStateDict(state: LRSchedulerStateDict): void {
    const inner = state?.schedulers;
    if (!Array.isArray(inner)) throw new StateDictError('SequentialLR.loadStateDict: missing schedulers', ['schedulers']);
    if (inner.length !== this.schedulers.length) {
      throw new ValueError(`SequentialLR.loadStateDict: the state holds ${inner.length} schedulers, this one ${this.schedulers.length}`);
    }
    super.loadStateDict(state);
    this.schedulers.forEach((s, i) => s.loadStateDict(inner[i] as LRSchedulerStateDict));
  }
}
