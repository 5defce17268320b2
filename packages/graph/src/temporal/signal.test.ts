import { DTypeError, IndexError, ShapeError, ValueError, randn, tensor, zeros } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { createTemporalSignal } from './signal.js';
import { signalSnapshot, signalSnapshots } from './snapshot.js';

const edgeIndex = tensor(
  [
    [0, 1, 1],
    [1, 0, 1],
  ],
  { dtype: 'int32' },
);

describe('createTemporalSignal', () => {
  it('takes features [T, N, F] and targets [T, N], with unit weights by default', () => {
    const features = randn([4, 2, 3], { dtype: 'float64' });
    const targets = randn([4, 2], { dtype: 'float64' });
    const signal = createTemporalSignal({ edgeIndex, features, targets, nodeNames: ['x', 'y'] });
    expect([signal.length, signal.numNodes]).toEqual([4, 2]);
    expect(signal.features).toBe(features);
    expect(signal.edgeWeight.dtype).toBe('float64');
    expect(signal.edgeWeight.toArray()).toEqual([1, 1, 1]);
    expect(signal.nodeNames).toEqual(['x', 'y']);
    expect(Object.isFrozen(signal.nodeNames)).toBe(true);
    expect(createTemporalSignal({ edgeIndex, features, targets }).nodeNames).toBeUndefined();
  });

  it('rejects shapes, dtypes and ids that do not fit, naming what came', () => {
    const features = zeros([4, 2, 3]);
    const targets = zeros([4, 2]);
    expect(() => createTemporalSignal({ edgeIndex, features: zeros([4, 2]), targets })).toThrow(ShapeError);
    expect(() => createTemporalSignal({ edgeIndex, features, targets: zeros([3, 2]) })).toThrow(
      'createTemporalSignal: targets must be [T, N] = [4, 2] as the features, got [3, 2]',
    );
    expect(() => createTemporalSignal({ edgeIndex, features, targets: zeros([4, 2], { dtype: 'float64' }) })).toThrow(DTypeError);
    expect(() => createTemporalSignal({ edgeIndex, features: zeros([4, 2, 3], { dtype: 'int32' }), targets })).toThrow(DTypeError);
    expect(() => createTemporalSignal({ edgeIndex, features: zeros([4, 1, 3]), targets: zeros([4, 1]) })).toThrow(IndexError);
    expect(() => createTemporalSignal({ edgeIndex, features, targets, edgeWeight: zeros([2]) })).toThrow(ShapeError);
    expect(() => createTemporalSignal({ edgeIndex, features, targets, nodeNames: ['a', 'b', 'c'] })).toThrow(
      'createTemporalSignal: nodeNames must name the 2 nodes, got 3 names',
    );
  });

  it('says where a NaN is in the targets', () => {
    const targets = zeros([4, 2]);
    targets.data[7] = Number.NaN;
    expect(() => createTemporalSignal({ edgeIndex, features: zeros([4, 2, 3]), targets })).toThrow(
      'createTemporalSignal: targets [4, 2] holds 1 non-finite value, the first NaN at [3, 1]',
    );
  });
});

describe('signalSnapshot and signalSnapshots', () => {
  const features = randn([3, 2, 4]);
  const targets = randn([3, 2]);
  const signal = createTemporalSignal({ edgeIndex, features, targets });
  const all = features.toArray() as number[][][];
  const allTargets = targets.toArray() as number[][];

  it('gives x = features[t] [N, F] and y = targets[t] [N], as copies', () => {
    for (let t = 0; t < 3; t++) {
      const { x, y } = signalSnapshot(signal, t);
      expect(x.shape).toEqual([2, 4]);
      expect(x.toArray()).toEqual(all[t]);
      expect(y.toArray()).toEqual(allTargets[t]);
    }
    signalSnapshot(signal, 0).x.data[0] = 1000;
    expect(features.data[0]).toBe(all[0]![0]![0]);
  });

  it('iterates the snapshots in time order', () => {
    const seen = [...signalSnapshots(signal)].map(({ y }) => y.toArray());
    expect(seen).toEqual(allTargets);
  });

  it('rejects t outside [0, length) and a signal whose tensors do not agree with its length', () => {
    for (const t of [-1, 3, 0.5, Number.NaN]) expect(() => signalSnapshot(signal, t)).toThrow(IndexError);
    expect(() => signalSnapshot(signal, 3)).toThrow("signalSnapshot: t must be an integer in [0, 3) (the signal's length), got 3");
    expect(() => signalSnapshot({ ...signal, length: 4 }, 0)).toThrow(ShapeError);
    expect(() => signalSnapshot(null as never, 0)).toThrow(ValueError);
  });
});
