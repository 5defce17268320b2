import { Generator, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { binaryPalindrome, palindromeTask } from './palindrome.js';

/** Every tuple of `count` digits in 0..8. */
function allDigitTuples(count: number): number[][] {
  let tuples: number[][] = [[]];
  for (let i = 0; i < count; i++) tuples = tuples.flatMap((t) => Array.from({ length: 9 }, (_, d) => [...t, d]));
  return tuples;
}

describe('binaryPalindrome', () => {
  it('concatenates the digits in binary, optionally reversed, then mirrors', () => {
    expect(binaryPalindrome([2, 1], { reverse: false })).toEqual([1, 0, 1, 1, 0, 1]);
    expect(binaryPalindrome([2, 1], { reverse: true })).toEqual([1, 0, 1, 1, 0, 1]);
    expect(binaryPalindrome([6, 0], { reverse: false })).toEqual([1, 1, 0, 0, 0, 0, 1, 1]);
    expect(binaryPalindrome([6, 0], { reverse: true })).toEqual([0, 0, 1, 1, 1, 1, 0, 0]);
    expect(binaryPalindrome([8], { reverse: false })).toEqual([1, 0, 0, 0, 0, 0, 0, 1]);
  });

  it('is a palindrome of even length for every pair and triple of digits 0..8', () => {
    for (const digits of [...allDigitTuples(2), ...allDigitTuples(3)]) {
      for (const reverse of [false, true]) {
        const p = binaryPalindrome(digits, { reverse });
        const bits = digits.map((d) => d.toString(2)).join('');
        expect(p).toEqual([...p].reverse());
        expect(p.length).toBe(2 * bits.length);
        expect(p.slice(0, bits.length).join('')).toBe(reverse ? [...bits].reverse().join('') : bits);
      }
    }
  });
});

describe('palindromeTask', () => {
  it('has the course input length 4·L + 2 − 1, 3 symbols and 2 classes', () => {
    const task = palindromeTask({ length: 10 });
    expect(task).toMatchObject({ name: 'palindrome', length: 10, inputLength: 41, numInputSymbols: 3, numClasses: 2 });
    const { inputs, targets } = task.sample(3, new Generator(0));
    expect(inputs.shape).toEqual([3, 41]);
    expect(targets.shape).toEqual([3]);
  });

  it('removes the last digit of a left-padded palindrome and makes it the label', () => {
    for (const length of [1, 2, 3, 4, 5]) {
      const task = palindromeTask({ length });
      const { inputs, targets } = task.sample(400, new Generator(length));
      const rows = inputs.toArray() as number[][];
      const labels = targets.toArray() as number[];
      rows.forEach((row, b) => {
        const padding = row.findIndex((s) => s !== 0);
        expect(row.slice(padding).every((s) => s === 1 || s === 2)).toBe(true);
        const full = [...row.slice(padding).map((s) => s - 1), labels[b]!];
        expect(full).toEqual([...full].reverse());
        expect(full.length % 2).toBe(0);
        expect(full.length).toBeLessThanOrEqual(4 * length + 2);
        // ⌈L/2⌉ digits of 1..4 bits each.
        expect(full.length / 2).toBeGreaterThanOrEqual(Math.ceil(length / 2));
      });
    }
  });

  it('balances the labels by default; the raw course draw gives label 1 about two times in three', () => {
    const balanced = palindromeTask({ length: 6 }).sample(3000, new Generator(7)).targets.sum().item();
    expect(Math.abs(balanced - 1500)).toBeLessThan(120);
    const raw = palindromeTask({ length: 6, balanced: false }).sample(3000, new Generator(7)).targets.sum().item();
    expect(Math.abs(raw - 2000)).toBeLessThan(120);
  });

  it('is reproducible from the generator', () => {
    const task = palindromeTask({ length: 4 });
    expect(Array.from(task.sample(10, new Generator(5)).inputs.data)).toEqual(Array.from(task.sample(10, new Generator(5)).inputs.data));
  });

  it('rejects a length below 1', () => {
    expect(() => palindromeTask({ length: 0 })).toThrow(ValueError);
  });
});
