/**
 * The course's toy sequence-classification tasks (Assignment 2, Part 1): a sequence of input
 * symbols goes in, one class comes out, read from the recurrent network's final state. Data is
 * generated on the fly from a seedable `Generator`, so there is no dataset to store and every
 * batch is fresh.
 */
import { ValueError, tensor, type Generator, type Tensor } from '@tensorloom/core-tensor';

/** One batch of a sequence task. */
export interface SequenceBatch {
  /** int32 `[B, T]`: symbol indices in 0..numInputSymbols−1 (T = the task's `inputLength`). */
  inputs: Tensor;
  /** int32 `[B]`: class indices in 0..numClasses−1. */
  targets: Tensor;
}

/** A sequence-to-class task generated on the fly. */
export interface SequenceTask {
  /** The task's name: 'palindrome', 'baum-sweet' or 'random-combination'. */
  readonly name: SequenceTaskName;
  /** The course's length parameter L the task was built with. */
  readonly length: number;
  /** Steps T of every input sequence. */
  readonly inputLength: number;
  /** Size of the input vocabulary (symbols 0..numInputSymbols−1). */
  readonly numInputSymbols: number;
  /** Number of classes of the label. */
  readonly numClasses: number;
  /** Draws `batchSize` fresh examples. Default generator: the global one. */
  sample(batchSize: number, generator?: Generator): SequenceBatch;
}

export type SequenceTaskName = 'palindrome' | 'baum-sweet' | 'random-combination';

/** The task names, in the order the course lists them. */
export const SEQUENCE_TASK_NAMES: readonly SequenceTaskName[] = ['palindrome', 'baum-sweet', 'random-combination'];

/** Options shared by every task. */
export interface SequenceTaskOptions {
  /** The course's length parameter L (its meaning is per task). */
  length: number;
}

/** Checks a task's length parameter. */
export function checkLength(task: string, length: number, range: { min: number; max: number }): void {
  if (!Number.isInteger(length) || length < range.min || length > range.max) {
    throw new ValueError(`${task}: length must be an integer in ${range.min}..${range.max}, got ${length}`);
  }
}

/** Checks a batch size. */
export function checkBatchSize(task: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 0)
    throw new ValueError(`${task}: batchSize must be a non-negative integer, got ${batchSize}`);
}

/** Packs row-major symbols and labels into a `SequenceBatch`. */
export function makeBatch(inputs: Int32Array, targets: Int32Array, batchSize: number, inputLength: number): SequenceBatch {
  return {
    inputs: tensor(inputs, { shape: [batchSize, inputLength], dtype: 'int32' }),
    targets: tensor(targets, { shape: [batchSize], dtype: 'int32' }),
  };
}
