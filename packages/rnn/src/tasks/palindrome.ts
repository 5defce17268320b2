import { defaultGenerator, type Generator } from '@tensorloom/core-tensor';
import { checkBatchSize, checkLength, makeBatch, type SequenceTask, type SequenceTaskOptions } from './sequence-task.js';

/**
 * The binary palindrome the course builds from decimal digits: each digit's binary form
 * (without leading zeros; 0 is "0") concatenated, optionally reversed ("to avoid only having 1's
 * at the end and beginning"), then followed by its mirror image. The result has even length and
 * reads the same both ways.
 *
 * @example binaryPalindrome([2, 1], { reverse: false }) // [1, 0, 1, 1, 0, 1]
 */
export function binaryPalindrome(digits: readonly number[], options: { reverse: boolean }): number[] {
  const left: number[] = [];
  for (const digit of digits) {
    if (!Number.isInteger(digit) || digit < 0) throw new RangeError(`binaryPalindrome: digits must be non-negative integers, got ${digit}`);
    left.push(...digit.toString(2).split('').map(Number));
  }
  if (options.reverse) left.reverse();
  return [...left, ...[...left].reverse()];
}

/**
 * The course's binary-palindrome task: the last digit of a left-padded binary palindrome is
 * removed and is the label, so the network must remember the first bit of the palindrome.
 *
 * - Generation (as the course): ⌈L/2⌉ random decimal digits in 0..8, turned into
 *   `binaryPalindrome(digits, { reverse })` with `reverse` a fair coin, left-padded to
 *   `4·L + 2` steps.
 * - Input: the first `4·L + 2 − 1 = 4·L + 1` steps, int32 `[B, 4L+1]`: symbol 0 = padding,
 *   1 = bit 0, 2 = bit 1 (`numInputSymbols = 3`; the course adds 1 to its −1/0/1 digits).
 * - Label: the removed last bit, 0 or 1 (`numClasses = 2`; the course's script sets
 *   `num_classes = L` but only 0 and 1 occur). The course's draw gives label 1 two times in
 *   three; by default each example's class is drawn with probability 1/2 and palindromes are
 *   drawn until one has it (`balanced: false` keeps the course's raw draw).
 * - For odd L a palindrome of all 8s is 4 steps longer than `4L + 2`: the course lets it
 *   overflow; tensorloom draws again.
 * - `length`: L, an integer in 1..1000.
 *
 * @example
 * const task = palindromeTask({ length: 10 });
 * task.inputLength // 41
 * const { inputs, targets } = task.sample(128, new Generator(0));
 */
export function palindromeTask(options: SequenceTaskOptions & { balanced?: boolean }): SequenceTask {
  const { length, balanced = true } = options;
  checkLength('palindromeTask', length, { min: 1, max: 1000 });
  const fullLength = 4 * length + 2;
  const inputLength = fullLength - 1;
  const numDigits = Math.ceil(length / 2);
  const draw = (generator: Generator): number[] => {
    for (;;) {
      const digits = Array.from({ length: numDigits }, () => generator.integer(0, 9));
      const palindrome = binaryPalindrome(digits, { reverse: generator.random() < 0.5 });
      if (palindrome.length <= fullLength) return palindrome;
    }
  };
  return {
    name: 'palindrome',
    length,
    inputLength,
    numInputSymbols: 3,
    numClasses: 2,
    sample(batchSize: number, generator: Generator = defaultGenerator) {
      checkBatchSize('palindromeTask', batchSize);
      const inputs = new Int32Array(batchSize * inputLength);
      const targets = new Int32Array(batchSize);
      for (let b = 0; b < batchSize; b++) {
        const wanted = balanced ? (generator.random() < 0.5 ? 1 : 0) : -1;
        let palindrome = draw(generator);
        while (wanted >= 0 && palindrome[palindrome.length - 1] !== wanted) palindrome = draw(generator);
        const padding = fullLength - palindrome.length;
        const row = b * inputLength;
        for (let t = 0; t < inputLength; t++) inputs[row + t] = t < padding ? 0 : palindrome[t - padding]! + 1;
        targets[b] = palindrome[palindrome.length - 1]!;
      }
      return makeBatch(inputs, targets, batchSize, inputLength);
    },
  };
}
