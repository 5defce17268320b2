import { DTypeError, ShapeError, Tensor, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { stratifiedSplit } from './split.js';

describe('stratifiedSplit', () => {
  it('takes the same number per class for training, then validation, and tests the rest', () => {
    const labels = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, -1, 1]);
    const split = stratifiedSplit(labels, { trainPerClass: 2, valSize: 3, seed: 5 });
    expect(split.train.filter((r) => labels[r] === 0)).toHaveLength(2);
    expect(split.train.filter((r) => labels[r] === 1)).toHaveLength(2);
    expect(split.val).toHaveLength(3);
    expect(split.test).toHaveLength(4);
    const all = [...split.train, ...split.val, ...split.test];
    expect(new Set(all).size).toBe(11);
    expect(all).not.toContain(10); // unlabelled
    expect(stratifiedSplit(labels, { trainPerClass: 2, valSize: 3, seed: 5 })).toEqual(split);
  });

  it('leaves one node of a small class for evaluation and caps validation at half the rest', () => {
    const split = stratifiedSplit(Int32Array.from([0, 0, 1]), { trainPerClass: 20, valSize: 500, seed: 0 });
    expect(split.train).toHaveLength(2); // one of class 0, the lone class-1 node
    expect(split.val).toHaveLength(0);
    expect(split.test).toHaveLength(1);
  });

  it('takes an int32 label tensor and rejects bad options with typed errors', () => {
    const labels = Int32Array.from([0, 0, 0, 1, 1, 1]);
    expect(stratifiedSplit(new Tensor(labels, [6], 'int32'), { trainPerClass: 1, valSize: 2, seed: 1 })).toEqual(
      stratifiedSplit(labels, { trainPerClass: 1, valSize: 2, seed: 1 }),
    );
    expect(() => stratifiedSplit(new Tensor(new Float32Array(6), [6], 'float32'), { trainPerClass: 1, valSize: 2, seed: 1 })).toThrow(
      DTypeError,
    );
    expect(() => stratifiedSplit(new Tensor(labels, [2, 3], 'int32'), { trainPerClass: 1, valSize: 2, seed: 1 })).toThrow(ShapeError);
    expect(() => stratifiedSplit(labels, { trainPerClass: -1, valSize: 2, seed: 1 })).toThrow(ValueError);
    expect(() => stratifiedSplit(labels, { trainPerClass: 1, valSize: 0.5, seed: 1 })).toThrow(ValueError);
  });
});
