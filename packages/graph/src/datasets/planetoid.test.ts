import { ValueError } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import { DatasetNotFoundError } from '../errors.js';
import { planetoidDataset, type PlanetoidArrays } from './planetoid.js';

const tiny = (overrides: Partial<PlanetoidArrays> = {}): PlanetoidArrays => ({
  name: 'tiny',
  numNodes: 4,
  source: Int32Array.of(1, 0, 2, 3, 1),
  target: Int32Array.of(0, 1, 2, 1, 2),
  labels: Int32Array.of(0, 2, -1, 1),
  split: { train: Int32Array.of(0, 1), val: Int32Array.of(3), test: Int32Array.of(2) },
  features: { numFeatures: 3, nodes: Int32Array.of(0, 3, 3), columns: Int32Array.of(2, 0, 1), values: [0.5, 1, 2] },
  ...overrides,
});

describe('planetoidDataset', () => {
  it("gives PyG's layout: both directions, sorted, no loops or repeats; features as listed; labels with -1", () => {
    const data = planetoidDataset(tiny());
    expect(data.name).toBe('tiny');
    // Listed: 1–0, 0–1 (a repeat), 2–2 (a loop), 3–1, 1–2.
    expect(data.edgeIndex.toArray()).toEqual([
      [0, 1, 1, 1, 2, 3],
      [1, 0, 2, 3, 1, 1],
    ]);
    expect(data.x.dtype).toBe('float32');
    expect(data.x.toArray()).toEqual([
      [0, 0, 0.5],
      [0, 0, 0],
      [0, 0, 0],
      [1, 2, 0],
    ]);
    expect(data.y.toArray()).toEqual([0, 2, -1, 1]);
    expect(data.numClasses).toBe(3);
    expect([data.trainIndex.toArray(), data.valIndex.toArray(), data.testIndex.toArray()]).toEqual([[0, 1], [3], [2]]);
    expect(data.graph.order).toBe(4);
    expect(data.graph.size).toBe(3);
    expect(data.graph.getNodeAttribute('1', 'label')).toBe(2);
  });

  it('takes identity and seeded random features instead, and a value of 1 where none is listed', () => {
    expect(planetoidDataset(tiny(), { features: 'identity' }).x.shape).toEqual([4, 4]);
    const a = planetoidDataset(tiny(), { features: 'random', numRandomFeatures: 3, seed: 5 }).x;
    const b = planetoidDataset(tiny(), { features: 'random', numRandomFeatures: 3, seed: 5 }).x;
    expect(a.shape).toEqual([4, 3]);
    expect(a.toArray()).toEqual(b.toArray());
    const ones = planetoidDataset(tiny({ features: { numFeatures: 2, nodes: Int32Array.of(1), columns: Int32Array.of(1) } }));
    expect(ones.x.toArray()).toEqual([
      [0, 0],
      [0, 1],
      [0, 0],
      [0, 0],
    ]);
  });

  it('says a dataset without features needs a choice, and refuses ids out of range, bad labels and unknown modes', () => {
    expect(() => planetoidDataset(tiny({ features: null }))).toThrow(DatasetNotFoundError);
    expect(() => planetoidDataset(tiny({ features: null }))).toThrow(/ships no node features/);
    expect(planetoidDataset(tiny({ features: null }), { features: 'random' }).x.shape).toEqual([4, 64]);
    expect(() => planetoidDataset(tiny({ target: Int32Array.of(0, 1, 2, 1, 4) }))).toThrow(ValueError);
    expect(() => planetoidDataset(tiny({ split: { train: Int32Array.of(9), val: Int32Array.of(), test: Int32Array.of() } }))).toThrow(
      ValueError,
    );
    expect(() => planetoidDataset(tiny({ labels: Int32Array.of(0, 1) }))).toThrow(ValueError);
    expect(() => planetoidDataset(tiny({ labels: Int32Array.of(0, -2, 0, 0) }))).toThrow(ValueError);
    expect(() => planetoidDataset(tiny({ numClasses: 2 }))).toThrow(ValueError);
    expect(() => planetoidDataset(tiny({ features: { numFeatures: 2, nodes: Int32Array.of(0), columns: Int32Array.of(2) } }))).toThrow(
      ValueError,
    );
    expect(() => planetoidDataset(tiny(), { features: 'pixels' as never })).toThrow(ValueError);
    expect(() => planetoidDataset(tiny(), { features: 'random', numRandomFeatures: 0 })).toThrow(ValueError);
    expect(() => planetoidDataset(tiny({ numNodes: 20_000, labels: new Int32Array(20_000) }), { features: 'identity' })).toThrow(
      ValueError,
    );
  });
});
