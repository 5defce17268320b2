import { Generator, Tensor, ValueError, nn, type Tensor as TensorType } from '@tensorloom/core-tensor';
import { describe, expect, it } from 'vitest';
import type { NodeClassificationData } from './node-classification.js';
import { meanStd, runSeeds } from './node-classification-seeds.js';

function blobs(): NodeClassificationData {
  const g = new Generator(11);
  const n = 90;
  const x = new Float32Array(n * 3);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let k = 0; k < 3; k++) x[i * 3 + k] = (k === y[i] ? 1.5 : 0) + g.normal();
  }
  const rows = (from: number, to: number) =>
    new Tensor(
      Int32Array.from({ length: to - from }, (_, i) => from + i),
      [to - from],
      'int32',
    );
  return {
    x: new Tensor(x, [n, 3], 'float32'),
    y: new Tensor(y, [n], 'int32'),
    edgeIndex: new Tensor(new Int32Array(0), [2, 0], 'int32'),
    trainIndex: rows(0, 30),
    valIndex: rows(30, 60),
    testIndex: rows(60, 90),
  };
}

class Mlp extends nn.Module<[TensorType, TensorType], TensorType> {
  readonly net = this.registerModule(
    'net',
    new nn.Sequential(
      new nn.Linear({ inFeatures: 3, outFeatures: 16 }),
      new nn.ReLU(),
      new nn.Dropout({ p: 0.5 }),
      new nn.Linear({ inFeatures: 16, outFeatures: 3 }),
    ),
  );
  forward(x: TensorType): TensorType {
    return this.net.call(x);
  }
}

describe('meanStd', () => {
  it('gives the sample standard deviation by default and the population one with correction 0', () => {
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(meanStd(values, { correction: 0 })).toEqual({ mean: 5, std: 2 });
    const sample = meanStd(values);
    expect(sample.mean).toBe(5);
    expect(sample.std).toBeCloseTo(Math.sqrt(32 / 7), 12);
  });

  it('reports no spread for a single value and rejects an empty list', () => {
    expect(meanStd([0.8])).toEqual({ mean: 0.8, std: 0 });
    expect(() => meanStd([])).toThrow(ValueError);
    expect(() => meanStd([1, 2], { correction: -1 })).toThrow(ValueError);
  });
});

describe('runSeeds', () => {
  it('summarises the per-seed test accuracies as mean and sample std', () => {
    const data = blobs();
    const seen: number[] = [];
    const result = runSeeds(() => new Mlp(), data, [3, 1, 4], {
      epochs: 20,
      onSeed: (run, position) => seen.push(run.seed * 10 + position),
    });
    expect(result.perSeed.map((r) => r.seed)).toEqual([3, 1, 4]);
    expect(seen).toEqual([30, 11, 42]);
    const accuracies = result.perSeed.map((r) => r.testAccuracy);
    const mean = accuracies.reduce((a, b) => a + b) / 3;
    expect(result.mean).toBeCloseTo(mean, 12);
    expect(result.std).toBeCloseTo(Math.sqrt(accuracies.reduce((a, v) => a + (v - mean) ** 2, 0) / 2), 12);
    expect(result.val.mean).toBeCloseTo(result.perSeed.reduce((a, r) => a + r.valAccuracy, 0) / 3, 12);
    expect(result.msPerEpoch).toBeGreaterThan(0);
    expect('history' in result.perSeed[0]!).toBe(false);
  });

  it('is reproducible from the seeds alone, and different seeds differ', () => {
    const data = blobs();
    const a = runSeeds(() => new Mlp(), data, 2, { epochs: 15 });
    const b = runSeeds(() => new Mlp(), data, [0, 1], { epochs: 15 });
    const strip = (r: typeof a) => r.perSeed.map(({ ms: _ms, msPerEpoch: _m, ...rest }) => rest);
    expect(strip(a)).toEqual(strip(b));
    expect(strip(a)[0]).not.toEqual({ ...strip(a)[1], seed: 0 });
  });

  it('passes the population std through correction: 0', () => {
    const data = blobs();
    const result = runSeeds(() => new Mlp(), data, [0, 1], { epochs: 5, correction: 0 });
    const [p, q] = result.perSeed.map((r) => r.testAccuracy) as [number, number];
    expect(result.std).toBeCloseTo(Math.abs(p - q) / 2, 12);
  });

  it('rejects empty or fractional seeds', () => {
    expect(() => runSeeds(() => new Mlp(), blobs(), [])).toThrow(ValueError);
    expect(() => runSeeds(() => new Mlp(), blobs(), 0)).toThrow(ValueError);
    expect(() => runSeeds(() => new Mlp(), blobs(), [1.5])).toThrow(ValueError);
  });
});
