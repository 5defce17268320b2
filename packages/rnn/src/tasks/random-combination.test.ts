import { Generator, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { randomCombinationTask } from './random-combination.js';

describe('randomCombinationTask', () => {
  it('has L − 1 steps, L symbols and L classes', () => {
    const task = randomCombinationTask({ length: 6 });
    expect(task).toMatchObject({ name: 'random-combination', length: 6, inputLength: 5, numInputSymbols: 6, numClasses: 6 });
    const { inputs, targets } = task.sample(4, new Generator(0));
    expect(inputs.shape).toEqual([4, 5]);
    expect(targets.shape).toEqual([4]);
    expect(inputs.dtype).toBe('int32');
  });

  it('shows a permutation of 0..L−1 without its last element and labels the missing one', () => {
    const { inputs, targets } = randomCombinationTask({ length: 5 }).sample(300, new Generator(1));
    const rows = inputs.toArray() as number[][];
    const labels = targets.toArray() as number[];
    rows.forEach((row, b) => {
      expect([...row, labels[b]!].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4]);
    });
  });

  it('draws all L! orderings at L = 3, with balanced labels', () => {
    const { inputs, targets } = randomCombinationTask({ length: 3 }).sample(600, new Generator(2));
    const rows = inputs.toArray() as number[][];
    const labels = targets.toArray() as number[];
    const seen = new Map<string, number>();
    rows.forEach((row, b) => {
      const key = [...row, labels[b]].join('');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    });
    expect([...seen.keys()].sort()).toEqual(['012', '021', '102', '120', '201', '210']);
    for (const count of seen.values()) expect(Math.abs(count - 100)).toBeLessThan(40);
  });

  it('is reproducible from the generator', () => {
    const task = randomCombinationTask({ length: 7 });
    expect(Array.from(task.sample(10, new Generator(5)).inputs.data)).toEqual(Array.from(task.sample(10, new Generator(5)).inputs.data));
  });

  it('rejects a length below 2', () => {
    expect(() => randomCombinationTask({ length: 1 })).toThrow(ValueError);
  });
});
