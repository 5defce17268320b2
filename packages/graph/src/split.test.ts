import { DTypeError, ShapeError, Tensor, ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { planetoidDataset } from './datasets/planetoid.js';
import { SplitError } from './errors.js';
import { graphDataset } from './from-graph.js';
import { UndirectedGraph } from './graphology.js';
import { checkSplit, splitFromMasks, stratifiedSplit } from './split.js';

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

describe('checkSplit and splitFromMasks: a split read or given is consistent', () => {
  const problems = (run: () => unknown): SplitError => {
    try {
      run();
    } catch (error) {
      if (error instanceof SplitError) return error;
      throw error;
    }
    throw new Error('expected a SplitError');
  };

  it('names the parts that overlap, how many nodes they share and the first few', () => {
    const error = problems(() => checkSplit({ train: [0, 1, 2, 3, 4, 5, 6], val: [9], test: [6, 5, 4, 3, 2, 1, 8] }, 10, 'split.json'));
    expect(error.problems).toEqual([{ kind: 'overlap', parts: ['train', 'test'], count: 6, first: [6, 5, 4, 3, 2] }]);
    expect(error.message).toBe('split.json: the split is inconsistent: train and test share 6 nodes (6, 5, 4, 3, 2, …)');
    expect(error).toBeInstanceOf(ValueError);
  });

  it('lists ids out of range, fractional ids and repeats within a part, with every overlap', () => {
    const error = problems(() => checkSplit({ train: [0, 0, 1], val: [1, -1, 2.5, 7], test: [0] }, 3));
    expect(error.problems).toEqual([
      { kind: 'repeated', parts: ['train'], count: 1, first: [0] },
      { kind: 'out-of-range', parts: ['val'], count: 3, first: [-1, 2.5, 7] },
      { kind: 'overlap', parts: ['train', 'val'], count: 1, first: [1] },
      { kind: 'overlap', parts: ['train', 'test'], count: 1, first: [0] },
    ]);
    expect(error.message).toMatch(/val holds 3 ids outside \[0, 3\) \(-1, 2\.5, 7\)/);
    expect(() => checkSplit({ train: Int32Array.of(0, 2), test: [1] }, 3)).not.toThrow();
    expect(() => checkSplit({}, -1)).toThrow(ValueError);
  });

  it('turns masks into rows, refusing masks that overlap or have the wrong length', () => {
    expect(splitFromMasks({ train: [true, false, false, true], test: Uint8Array.of(0, 0, 1, 0) }, 4)).toEqual({
      train: Int32Array.of(0, 3),
      val: Int32Array.of(),
      test: Int32Array.of(2),
    });
    const overlap = problems(() => splitFromMasks({ train: [1, 1, 0], val: [0, 1, 1], test: [0, 0, 1] }, 3));
    expect(overlap.problems.map((p) => [p.parts, p.count])).toEqual([
      [['train', 'val'], 1],
      [['val', 'test'], 1],
    ]);
    expect(() => splitFromMasks({ train: [true] }, 3)).toThrow(ShapeError);
  });

  it('is applied where splits are given: planetoidDataset and graphDataset', () => {
    const arrays = {
      name: 'tiny',
      numNodes: 3,
      source: Int32Array.of(0),
      target: Int32Array.of(1),
      labels: Int32Array.of(0, 1, 0),
      split: { train: Int32Array.of(0, 1), val: Int32Array.of(1), test: Int32Array.of(2) },
      features: null,
    };
    expect(problems(() => planetoidDataset(arrays, { features: 'identity' })).problems[0]).toMatchObject({ parts: ['train', 'val'] });
    const graph = new UndirectedGraph();
    ['a', 'b', 'c'].forEach((key, i) => graph.addNode(key, { club: i % 2 }));
    const error = problems(() => graphDataset(graph, { labelAttribute: 'club', split: { train: ['a', 'b'], test: ['b', 'c'] } }));
    expect(error.problems).toEqual([{ kind: 'overlap', parts: ['train', 'test'], count: 1, first: [1] }]);
    expect(() => graphDataset(graph, { labelAttribute: 'club', split: { train: ['a', 'a'] } })).toThrow(SplitError);
  });
});
