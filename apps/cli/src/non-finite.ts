/**
 * `--on-non-finite` of the training commands: what a NaN or an infinity in the loss, a gradient or
 * the weights does (the trainers' `onNonFinite`, from `@tensorloom/core-tensor`'s guard), how the
 * skipped updates are logged, and how a command words the stop.
 */
import {
  DEFAULT_MAX_LR_HALVINGS,
  NON_FINITE_POLICIES,
  NonFiniteError,
  assertFiniteParameters,
  type NonFiniteEvent,
  type NonFinitePolicy,
} from '@tensorloom/core-tensor';
import type { LoadedCheckpoint } from '@tensorloom/textgen';
import { choice, type Setting } from './settings.js';

/** The flag, as a settings table (`settings.ts`) to spread into a command's own. */
export const NON_FINITE_SETTINGS: { onNonFinite: Setting<NonFinitePolicy> } = {
  onNonFinite: {
    flag: 'on-non-finite',
    description:
      `On a NaN or an infinity in the loss, a gradient or the weights: ${NON_FINITE_POLICIES.join(', ')} ` +
      `(stop: exit 1 naming the step and the parameter; skip: skip that update; halve-lr: skip it and halve the ` +
      `learning rate, stopping after ${DEFAULT_MAX_LR_HALVINGS} halvings in a row)`,
    valueName: 'WHAT',
    default: NON_FINITE_POLICIES[0]!,
    parse: choice(NON_FINITE_POLICIES),
  },
};

/** Skipped updates logged one by one before only every 100th is. */
const LOGGED_IN_FULL = 5;

/**
 * A trainer's `onWarning`: logs each skipped update as a warning, the first five and then every
 * 100th with the count so far (a diverged run under 'skip' may skip every step), and every halving.
 */
export function nonFiniteWarnings(log: (line: string) => void): (event: NonFiniteEvent) => void {
  let skipped = 0;
  return (event) => {
    skipped++;
    if (event.action === 'halved-lr' || skipped <= LOGGED_IN_FULL || skipped % 100 === 0) {
      log(`warning: ${event.message}${skipped > LOGGED_IN_FULL ? ` (${skipped} updates skipped so far)` : ''}`);
    }
  };
}

/**
 * The error a command ends with when training stopped on a non-finite value (exit 1): the trainer's
 * words (step, parameter), what the command kept, and what to try.
 */
export function stoppedOnNonFinite(error: NonFiniteError, kept: string, remedies: string): NonFiniteError {
  return error.withMessage(`${error.message}; ${kept}. To go on: ${remedies}, or pass --on-non-finite skip or halve-lr`);
}

/** Runs `train`; a `NonFiniteError` becomes the command's stop, naming the seed that was training (`current()`). */
export function stopNamingSeed<T>(train: () => T, current: () => number | undefined, kept: string, remedies: string): T {
  try {
    return train();
  } catch (error) {
    if (!(error instanceof NonFiniteError)) throw error;
    const seed = current();
    throw stoppedOnNonFinite(seed === undefined ? error : error.withMessage(`seed ${seed}: ${error.message}`), kept, remedies);
  }
}

/**
 * Refuses a checkpoint whose weights hold a NaN or an infinity before `op` runs on it (exit 1,
 * `NonFiniteError` naming the parameter and the checkpoint): it would give a NaN loss or empty text.
 */
export function refuseNonFiniteCheckpoint(op: string, checkpoint: LoadedCheckpoint): void {
  assertFiniteParameters(
    op,
    checkpoint.model.namedParameters(),
    ` in the checkpoint ${checkpoint.dir} (step ${checkpoint.step}), saved from a diverged run; use an earlier checkpoint of the run`,
  );
}
