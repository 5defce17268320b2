/**
 * The base of the learning-rate schedulers (`torch.optim.lr_scheduler`; one file per scheduler
 * beside this one). Each scheduler computes every group's lr from PyTorch's closed form,
 * lr = f(initial lr, epoch), rather than PyTorch's default recursive ("chainable") form
 * lr ← g(current lr): the two give the same sequence within float rounding, and the closed form
 * cannot drift. The difference shows only when something else also changes `lr` between steps
 * (two schedulers stepping one optimizer at once): here the last one to step wins.
 */
import { StateDictError, ValueError } from '../errors.js';

/** What a scheduler needs of an optimizer: its groups' `lr` (and `initialLr`, which it sets). */
export interface SchedulableOptimizer {
  readonly paramGroups: readonly { lr: number; initialLr?: number }[];
}

export interface LRSchedulerOptions {
  /**
   * The index of the last epoch, to resume a schedule (the groups must then hold `initialLr`).
   * Default -1: a fresh start, which records each group's `lr` as its `initialLr`.
   */
  lastEpoch?: number;
}

/** A scheduler's state: its epoch counter, base and last lrs, and its own settings. */
export interface LRSchedulerStateDict {
  lastEpoch: number;
  baseLrs: number[];
  lastLr: number[];
  [key: string]: unknown;
}

/** The number of entries of the sorted `sorted` that are ≤ `value` (Python's `bisect_right`). */
export function bisectRight(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (value < sorted[mid]!) high = mid;
    else low = mid + 1;
  }
  return low;
}

/** Throws ValueError unless `value` is a number that `accept` takes. */
export function checkNumber(scheduler: string, name: string, value: unknown, accept: (v: number) => boolean, expected: string): void {
  if (typeof value !== 'number' || !accept(value)) {
    throw new ValueError(`${scheduler}: invalid ${name}: expected ${expected}, got ${String(value)}`);
  }
}

/**
 * Base class of the schedulers, as PyTorch's `LRScheduler`. Call `step()` once per epoch (or per
 * iteration, for warm-ups), after `optimizer.step()`. Constructing a scheduler already performs
 * step 0: it sets every group's lr to the schedule's value at epoch 0.
 */
export abstract class LRScheduler {
  readonly optimizer: SchedulableOptimizer;
  /** The epoch the current lrs belong to (0 right after construction). */
  lastEpoch: number;
  /** Each group's initial lr, the schedule's starting point. */
  baseLrs: number[];
  protected lastLr: number[] = [];
  protected readonly name: string;

  protected constructor(name: string, optimizer: SchedulableOptimizer, options: LRSchedulerOptions) {
    this.name = name;
    if (optimizer === null || typeof optimizer !== 'object' || !Array.isArray(optimizer.paramGroups)) {
      throw new ValueError(`${name}: expected an optimizer with paramGroups`);
    }
    const { lastEpoch = -1 } = options;
    checkNumber(name, 'lastEpoch', lastEpoch, (v) => Number.isInteger(v) && v >= -1, 'an integer >= -1');
    optimizer.paramGroups.forEach((group, i) => {
      if (lastEpoch === -1) {
        group.initialLr ??= group.lr;
      } else if (group.initialLr === undefined) {
        throw new ValueError(`${name}: paramGroups[${i}] has no initialLr, needed to resume at lastEpoch ${lastEpoch}`);
      }
    });
    this.optimizer = optimizer;
    this.baseLrs = optimizer.paramGroups.map((group) => group.initialLr!);
    this.lastEpoch = lastEpoch;
  }

  /** The schedule's lr of every group at `this.lastEpoch`. */
  protected abstract computeLrs(): number[];

  /** Names of the settings saved by `stateDict` (besides lastEpoch, baseLrs and lastLr). */
  protected settingKeys(): string[] {
    return [];
  }

  /** Step 0, run by each subclass at the end of its constructor (once its settings are set). */
  protected initialStep(): void {
    this.step();
  }

  /** Advances one epoch and writes the new lrs into the optimizer's groups. */
  step(): void {
    this.lastEpoch += 1;
    this.setLrs(this.computeLrs());
  }

  protected setLrs(lrs: readonly number[]): void {
    lrs.forEach((lr, i) => {
      const group = this.optimizer.paramGroups[i];
      if (group !== undefined) group.lr = lr;
    });
    this.lastLr = [...lrs];
  }

  /** The lrs the last `step()` (or the construction) set, one per group. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The scheduler's state (as PyTorch's: everything but the optimizer and functions). */
  stateDict(): LRSchedulerStateDict {
    const out: LRSchedulerStateDict = { lastEpoch: this.lastEpoch, baseLrs: [...this.baseLrs], lastLr: [...this.lastLr] };
    const self = this as unknown as Record<string, unknown>;
    for (const key of this.settingKeys()) {
      const value = self[key];
      out[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
    }
    return out;
  }

  /** Restores a state from `stateDict()`. Does not touch the optimizer (load its own state dict). */
  loadStateDict(state: LRSchedulerStateDict): void {
    const required = ['lastEpoch', 'baseLrs', 'lastLr', ...this.settingKeys()];
    const missing = required.filter((key) => state?.[key] === undefined);
    if (missing.length > 0) throw new StateDictError(`${this.name}.loadStateDict: missing ${missing.join(', ')}`, missing);
    checkNumber(this.name, 'lastEpoch', state.lastEpoch, (v) => Number.isInteger(v) && v >= -1, 'an integer >= -1');
    for (const key of ['baseLrs', 'lastLr'] as const) {
      const value = state[key] as unknown;
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'number')) {
        throw new ValueError(`${this.name}.loadStateDict: ${key} must be an array of numbers`);
      }
    }
    if (state.baseLrs.length !== this.optimizer.paramGroups.length) {
      throw new ValueError(
        `${this.name}.loadStateDict: the state has ${state.baseLrs.length} ` +
          `base lrs, the optimizer ${this.optimizer.paramGroups.length} groups`,
      );
    }
    this.lastEpoch = state.lastEpoch;
    this.baseLrs = [...state.baseLrs];
    this.lastLr = [...state.lastLr];
    const self = this as unknown as Record<string, unknown>;
    for (const key of this.settingKeys()) {
      const value = state[key];
      self[key] = Array.isArray(value) ? [...(value as unknown[])] : value;
    }
  }
}
