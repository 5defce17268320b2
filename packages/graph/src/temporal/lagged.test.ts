import { DTypeError, Generator, IndexError, ShapeError, ValueError, randn, tensor, type Tensor } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { laggedSignal } from './lagged.js';
import { signalSnapshot } from './snapshot.js';

const ring = (n: number): Tensor =>
  tensor([Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, (_, i) => (i + 1) % n)], { dtype: 'int32' });

const rows = (x: Tensor): number[][] => x.toArray() as number[][];

describe('laggedSignal', () => {
  it('gives snapshot t the lags values before t + lags per node and the value at t + lags as target', () => {
    const steps = 9;
    const nodes = 3;
    const lags = 4;
    const series = randn([steps, nodes], { generator: new Generator(1), dtype: 'float64' });
    const values = rows(series);
    const signal = laggedSignal(series, { edgeIndex: ring(nodes) }, lags);
    expect(signal.length).toBe(steps - lags);
    expect(signal.numNodes).toBe(nodes);
    expect(signal.features.shape).toEqual([steps - lags, nodes, lags]);
    expect(signal.targets.shape).toEqual([steps - lags, nodes]);
    const features = signal.features.toArray() as number[][][];
    const targets = rows(signal.targets);
    for (let t = 0; t < signal.length; t++) {
      // PyG Temporal: stacked_target[t : t + lags, :].T and stacked_target[t + lags, :].
      const window = values.slice(t, t + lags);
      expect(features[t]).toEqual(Array.from({ length: nodes }, (_, n) => window.map((row) => row[n])));
      expect(targets[t]).toEqual(values[t + lags]);
    }
  });

  it('works the documented example: 5 steps, 2 nodes, 2 lags', () => {
    const series = tensor([
      [1, 10],
      [2, 20],
      [3, 30],
      [4, 40],
      [5, 50],
    ]);
    const signal = laggedSignal(series, { edgeIndex: ring(2) }, 2);
    expect(signal.features.shape).toEqual([3, 2, 2]);
    expect(signalSnapshot(signal, 0).x.toArray()).toEqual([
      [1, 2],
      [10, 20],
    ]);
    expect(signalSnapshot(signal, 0).y.toArray()).toEqual([3, 30]);
    expect(signalSnapshot(signal, 2).y.toArray()).toEqual([5, 50]);
  });

  it('keeps the series dtype, and gives unit edge weights of that dtype when none are given', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const signal = laggedSignal(randn([6, 3], { dtype }), { edgeIndex: ring(3) }, 2);
      expect([signal.features.dtype, signal.targets.dtype, signal.edgeWeight.dtype]).toEqual([dtype, dtype, dtype]);
      expect(signal.edgeWeight.toArray()).toEqual([1, 1, 1]);
      expect(signal.edgeIndex.dtype).toBe('int32');
    }
  });

  it('copies the graph: the signal owns its edge index and weights', () => {
    const edgeIndex = ring(3);
    const edgeWeight = tensor([0.5, 2, 3]);
    const signal = laggedSignal(randn([5, 3]), { edgeIndex, edgeWeight, nodeNames: ['a', 'b', 'c'] }, 1);
    edgeIndex.data[0] = 2;
    edgeWeight.data[0] = 9;
    expect(signal.edgeIndex.toArray()).toEqual([
      [0, 1, 2],
      [1, 2, 0],
    ]);
    expect(signal.edgeWeight.toArray()).toEqual([0.5, 2, 3]);
    expect(signal.nodeNames).toEqual(['a', 'b', 'c']);
  });

  it('accepts lags from 1 to T0 − 1 (one snapshot), and an empty graph', () => {
    const series = randn([5, 2]);
    expect(laggedSignal(series, { edgeIndex: ring(2) }, 1).length).toBe(4);
    const last = laggedSignal(series, { edgeIndex: tensor([[], []], { dtype: 'int32' }) }, 4);
    expect(last.length).toBe(1);
    expect(last.edgeWeight.shape).toEqual([0]);
    expect(signalSnapshot(last, 0).y.toArray()).toEqual(rows(series)[4]);
  });

  it('rejects lags outside [1, T0 − 1] with a ValueError naming the range and what came', () => {
    const series = randn([5, 2]);
    const graph = { edgeIndex: ring(2) };
    for (const lags of [0, -1, 5, 6, 1.5, Number.NaN]) {
      expect(() => laggedSignal(series, graph, lags)).toThrow(ValueError);
    }
    expect(() => laggedSignal(series, graph, 5)).toThrow('laggedSignal: lags must be an integer in [1, 4] for a series of 5 steps, got 5');
    expect(() => laggedSignal(series, graph, '2' as unknown as number)).toThrow(/got 2/);
    expect(() => laggedSignal(randn([1, 2]), graph, 1)).toThrow(/at least 2 steps/);
  });

  it('rejects a series that is not float [T0, N], and a graph that does not fit it', () => {
    const graph = { edgeIndex: ring(2) };
    expect(() => laggedSignal(randn([5]), graph, 1)).toThrow(ShapeError);
    expect(() => laggedSignal(randn([5, 2, 1]), graph, 1)).toThrow(/series must be \[T0, N\].*got \[5, 2, 1\]/);
    expect(() => laggedSignal(tensor([[1], [2]], { dtype: 'int32' }), graph, 1)).toThrow(DTypeError);
    expect(() => laggedSignal(randn([5, 2]), { edgeIndex: ring(3) }, 1)).toThrow(IndexError);
    expect(() => laggedSignal(randn([5, 3]), { edgeIndex: ring(3).to('float32') }, 1)).toThrow(DTypeError);
    expect(() => laggedSignal(randn([5, 2]), { ...graph, edgeWeight: tensor([1, 2, 3]) }, 1)).toThrow(ShapeError);
    expect(() => laggedSignal(randn([5, 2]), { ...graph, edgeWeight: tensor([1, 2], { dtype: 'float64' }) }, 1)).toThrow(
      "edgeWeight must have the features' dtype float32, got float64",
    );
    expect(() => laggedSignal(randn([5, 2]), { ...graph, nodeNames: ['a'] }, 1)).toThrow(ShapeError);
    expect(() => laggedSignal(randn([5, 2]), null as never, 1)).toThrow(ValueError);
  });

  it('says out loud where a NaN or infinity is in the series, or in the weights', () => {
    const series = randn([6, 3], { dtype: 'float64' });
    series.data[2 * 3 + 1] = Number.NaN;
    series.data[4 * 3 + 0] = Number.POSITIVE_INFINITY;
    expect(() => laggedSignal(series, { edgeIndex: ring(3) }, 2)).toThrow(
      'laggedSignal: series [6, 3] holds 2 non-finite values, the first NaN at [2, 1]; fill or drop the missing data first',
    );
    const weight = tensor([1, Number.NaN]);
    expect(() => laggedSignal(randn([4, 2]), { edgeIndex: ring(2), edgeWeight: weight }, 1)).toThrow(
      /edgeWeight \[2\] holds 1 non-finite value/,
    );
  });
});
