import { Generator, IndexError, ValueError, randn, tensor, type Tensor } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { laggedSignal } from './lagged.js';
import type { TemporalSignal } from './signal.js';
import { signalSlice, temporalSignalSplit } from './split.js';

const edgeIndex = tensor(
  [
    [0, 1, 2],
    [1, 2, 0],
  ],
  { dtype: 'int32' },
);

/** A signal of `length` snapshots on a 3-node ring, 4 lags. */
const signalOf = (length: number): TemporalSignal =>
  laggedSignal(randn([length + 4, 3], { generator: new Generator(length) }), { edgeIndex, nodeNames: ['a', 'b', 'c'] }, 4);

const flat = (x: Tensor): number[] => Array.from(x.data);

describe('temporalSignalSplit', () => {
  it('splits 517 snapshots at 0.9 into the first 465 and the last 52, as PyG Temporal', () => {
    const signal = signalOf(517);
    const { train, test } = temporalSignalSplit(signal, 0.9);
    expect([train.length, test.length]).toEqual([465, 52]);
    expect(train.features.shape).toEqual([465, 3, 4]);
    expect(test.targets.shape).toEqual([52, 3]);
    expect([...flat(train.features), ...flat(test.features)]).toEqual(flat(signal.features));
    expect([...flat(train.targets), ...flat(test.targets)]).toEqual(flat(signal.targets));
    expect(train.edgeIndex).toBe(signal.edgeIndex);
    expect(test.edgeWeight).toBe(signal.edgeWeight);
    expect(test.nodeNames).toEqual(['a', 'b', 'c']);
  });

  it("defaults to 0.8 and truncates the product as Python's int(): 0.29 × 100 trains 28", () => {
    expect(temporalSignalSplit(signalOf(10)).train.length).toBe(8);
    // 0.29 * 100 is 28.999999999999996 in IEEE doubles: PyG Temporal's int() gives 28, so must we.
    expect(temporalSignalSplit(signalOf(100), 0.29).train.length).toBe(28);
    expect(temporalSignalSplit(signalOf(10), 0.7).train.length).toBe(7);
  });

  it('copies the features and targets of each part', () => {
    const signal = signalOf(6);
    const { train } = temporalSignalSplit(signal, 0.5);
    const before = signal.features.data[0];
    train.features.data[0] = 1000;
    expect(signal.features.data[0]).toBe(before);
  });

  it('rejects a ratio outside (0, 1), or one that leaves a side empty, saying what it gave', () => {
    const signal = signalOf(5);
    for (const ratio of [0, 1, -0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => temporalSignalSplit(signal, ratio)).toThrow(ValueError);
    }
    expect(() => temporalSignalSplit(signal, '0.5' as unknown as number)).toThrow('trainRatio must be a number in (0, 1), got 0.5');
    expect(() => temporalSignalSplit(signal, 0.1)).toThrow(
      'temporalSignalSplit: trainRatio 0.1 of 5 snapshots gives 0 to train and 5 to test; ' +
        'each side needs at least 1 (floor(trainRatio × 5) must be in [1, 4])',
    );
    expect(temporalSignalSplit(signal, 0.99).test.length).toBe(1);
    expect(() => temporalSignalSplit(signalOf(1), 0.5)).toThrow(/a split needs at least 2 snapshots/);
  });
});

describe('signalSlice', () => {
  it('takes snapshots start … end − 1, to the end by default', () => {
    const signal = signalOf(7);
    const middle = signalSlice(signal, 2, 5);
    expect(middle.length).toBe(3);
    expect(flat(middle.targets)).toEqual(flat(signal.targets).slice(2 * 3, 5 * 3));
    expect(signalSlice(signal, 4).length).toBe(3);
    expect(signalSlice(signal, 7).length).toBe(0);
  });

  it('rejects bounds outside [0, length] or reversed with an IndexError', () => {
    const signal = signalOf(7);
    for (const [start, end] of [
      [-1, 3],
      [0, 8],
      [5, 4],
      [0.5, 2],
    ] as const) {
      expect(() => signalSlice(signal, start, end)).toThrow(IndexError);
    }
    expect(() => signalSlice(signal, 0, 8)).toThrow("0 ≤ start ≤ end ≤ 7 (the signal's length), got 0 and 8");
  });
});
