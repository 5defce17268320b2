import { defaultGenerator, type Generator } from '@tensorloom/core-tensor';
import { checkBatchSize, checkLength, makeBatch, type SequenceTask, type SequenceTaskOptions } from './sequence-task.js';

/**
 * The course's random-combinations task: a random permutation of the digits 0..L−1 with its
 * last element removed; the label is the missing digit.
 *
 * - Input: the L−1 shown digits, int32 `[B, L−1]`, symbols 0..L−1 (`numInputSymbols = L`).
 * - Label: the digit not shown, one of `numClasses = L`. Classes are balanced (each digit is
 *   missing with probability 1/L).
 * - `length`: L, an integer in 2..1000.
 *
 * @example
 * const task = randomCombinationTask({ length: 4 });
 * const { inputs, targets } = task.sample(2, new Generator(0));
 * // inputs [[2, 0, 3], [1, 3, 0]] (for instance), targets [1, 2]
 */
export function randomCombinationTask(options: SequenceTaskOptions): SequenceTask {
  const { length } = options;
  checkLength('randomCombinationTask', length, { min: 2, max: 1000 });
  const inputLength = length - 1;
  return {
    name: 'random-combination',
    length,
    inputLength,
    numInputSymbols: length,
    numClasses: length,
    sample(batchSize: number, generator: Generator = defaultGenerator) {
      checkBatchSize('randomCombinationTask', batchSize);
      const inputs = new Int32Array(batchSize * inputLength);
      const targets = new Int32Array(batchSize);
      for (let b = 0; b < batchSize; b++) {
        const permutation = generator.permutation(length);
        inputs.set(permutation.subarray(0, inputLength), b * inputLength);
        targets[b] = permutation[inputLength]!;
      }
      return makeBatch(inputs, targets, batchSize, inputLength);
    },
  };
}
