import { DTypeError, ValueError } from '@tensorloom/core-tensor';
import { signalSnapshot, temporalSignalSplit } from '@tensorloom/graph';
import { describe, expect, it } from 'vitest';
import { TEMPORAL_DATASETS, loadTemporalDataset } from './catalogue.js';
import { loadChickenpox, loadPedalMe, type TemporalDataset } from './temporal.js';

/** The (source, target) pairs of a dataset's edges. */
const pairs = (data: TemporalDataset): [number, number][] => {
  const e = data.edgeIndex.shape[1]!;
  return Array.from({ length: e }, (_, k) => [data.edgeIndex.data[k]!, data.edgeIndex.data[e + k]!]);
};

describe('loadChickenpox', () => {
  it("has PyG Temporal's shape for 4 lags: 517 snapshots of 20 counties × 4 weeks, 102 edges of weight 1", async () => {
    const data = await loadChickenpox();
    expect(data.name).toBe('chickenpox');
    expect([data.length, data.numNodes]).toEqual([517, 20]);
    expect(data.features.shape).toEqual([517, 20, 4]);
    expect(data.targets.shape).toEqual([517, 20]);
    expect([data.features.dtype, data.targets.dtype, data.edgeWeight.dtype]).toEqual(['float32', 'float32', 'float32']);
    expect(data.edgeIndex.dtype).toBe('int32');
    expect(data.edgeIndex.shape).toEqual([2, 102]);
    expect(new Set(data.edgeWeight.data)).toEqual(new Set([1]));
  });

  it('keeps a self-loop on each of the 20 counties and both directions of every border', async () => {
    const edges = pairs(await loadChickenpox());
    const loops = edges.filter(([s, t]) => s === t).map(([s]) => s);
    expect(loops.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    const keys = new Set(edges.map(([s, t]) => `${s},${t}`));
    expect(keys.size).toBe(102);
    expect(edges.filter(([s, t]) => !keys.has(`${t},${s}`))).toEqual([]);
  });

  it("holds the source's numbers exactly: county 0's first weeks, the last value, the first edges", async () => {
    // Read off PyG Temporal's chickenpox.json (FX[t][0] for t = 0…4, FX[520][19], edges[0..2]).
    const data = await loadChickenpox({ dtype: 'float64' });
    const { x, y } = signalSnapshot(data, 0);
    expect((x.toArray() as number[][])[0]).toEqual([-0.0010813572438314102, 0.02857059665280884, 0.3547420895158516, 0.2954381817225711]);
    expect(y.data[0]).toBe(0.7105655362755345);
    expect(signalSnapshot(data, data.length - 1).y.data[19]).toBe(1.0037587824488714);
    expect(pairs(data).slice(0, 3)).toEqual([
      [0, 10],
      [0, 6],
      [0, 13],
    ]);
  });

  it('names the counties by id as the source does', async () => {
    const { nodeNames } = await loadChickenpox();
    expect(nodeNames).toHaveLength(20);
    expect([nodeNames[0], nodeNames[4], nodeNames[13], nodeNames[19]]).toEqual(['BACS', 'BUDAPEST', 'PEST', 'ZALA']);
    expect(new Set(nodeNames).size).toBe(20);
  });

  it('chains the weeks: the target of snapshot t is the last feature of snapshot t + 1, for any lags', async () => {
    for (const lags of [1, 4, 8]) {
      const data = await loadChickenpox({ lags, dtype: 'float64' });
      expect(data.length).toBe(521 - lags);
      const y0 = Array.from(signalSnapshot(data, 0).y.data);
      const x1 = signalSnapshot(data, 1).x.toArray() as number[][];
      expect(x1.map((row) => row[lags - 1])).toEqual(y0);
    }
  });

  it('gives float32 as the float64 values rounded, as torch.FloatTensor does', async () => {
    const [single, double] = await Promise.all([loadChickenpox(), loadChickenpox({ dtype: 'float64' })]);
    expect(double.features.dtype).toBe('float64');
    expect(Array.from(single.targets.data)).toEqual(Array.from(double.targets.data, Math.fround));
    expect(double.targets.data.some((v) => v !== Math.fround(v))).toBe(true);
  });

  it('splits at 0.9 into 465 training and 52 test weeks', async () => {
    const { train, test } = temporalSignalSplit(await loadChickenpox(), 0.9);
    expect([train.length, test.length]).toEqual([465, 52]);
  });

  it('returns fresh tensors on every call', async () => {
    const first = await loadChickenpox();
    const kept = first.features.data[0];
    first.features.data[0] = 1000;
    first.edgeIndex.data[0] = 19;
    const second = await loadChickenpox();
    expect(second.features.data[0]).toBe(kept);
    expect(second.edgeIndex.data[0]).not.toBe(19);
  });

  it('rejects lags outside [1, 520] and a dtype other than float32 or float64, naming what came', async () => {
    for (const lags of [0, 521, 2.5, -1]) await expect(loadChickenpox({ lags })).rejects.toThrow(ValueError);
    await expect(loadChickenpox({ lags: 521 })).rejects.toThrow(
      'loadChickenpox: lags must be an integer in [1, 520] (the series has 521 weeks), got 521',
    );
    await expect(loadChickenpox({ dtype: 'int32' as never })).rejects.toThrow(DTypeError);
  });
});

describe('loadPedalMe', () => {
  it('has 31 snapshots of 15 areas × 4 weeks for 4 lags, on a complete weighted graph with self-loops', async () => {
    const data = await loadPedalMe();
    expect(data.name).toBe('pedalme');
    expect(data.features.shape).toEqual([31, 15, 4]);
    expect(data.targets.shape).toEqual([31, 15]);
    expect(data.edgeIndex.shape).toEqual([2, 225]);
    const edges = pairs(data);
    expect(new Set(edges.map(([s, t]) => `${s},${t}`)).size).toBe(225);
    const weights = Array.from(data.edgeWeight.data);
    expect(Math.max(...weights)).toBe(1);
    expect(Math.min(...weights)).toBeGreaterThan(0);
    expect(edges.filter(([s, t]) => s === t).map(([s]) => s)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(weights.filter((_, k) => edges[k]![0] === edges[k]![1])).toEqual(new Array(15).fill(1));
    expect(data.nodeNames).toEqual(Array.from({ length: 15 }, (_, i) => String(i)));
  });

  it("holds the source's numbers exactly: area 0's first weeks, the first weights and edges", async () => {
    // Read off PyG Temporal's pedalme_london.json (X[t][0] for t = 0…2, weights[0..1], edges[0..1]).
    const data = await loadPedalMe({ lags: 2, dtype: 'float64' });
    expect((signalSnapshot(data, 0).x.toArray() as number[][])[0]).toEqual([3.0574042138045003, -0.04768326604624195]);
    expect(Array.from(data.edgeWeight.data.slice(0, 2))).toEqual([1.0, 0.4254589621618998]);
    expect(pairs(data).slice(0, 2)).toEqual([
      [0, 0],
      [0, 1],
    ]);
  });

  it('has symmetric weights: w(s, t) = w(t, s)', async () => {
    const data = await loadPedalMe({ dtype: 'float64' });
    const weight = new Map(pairs(data).map(([s, t], k) => [`${s},${t}`, data.edgeWeight.data[k]!]));
    const asymmetric = pairs(data).filter(([s, t]) => weight.get(`${s},${t}`) !== weight.get(`${t},${s}`));
    expect(asymmetric).toEqual([]);
  });

  it('rejects lags outside [1, 34]', async () => {
    await expect(loadPedalMe({ lags: 35 })).rejects.toThrow(
      'loadPedalMe: lags must be an integer in [1, 34] (the series has 35 weeks), got 35',
    );
    expect((await loadPedalMe({ lags: 34 })).length).toBe(1);
  });
});

describe('TEMPORAL_DATASETS and loadTemporalDataset', () => {
  it('describes each dataset as it loads', async () => {
    for (const info of Object.values(TEMPORAL_DATASETS)) {
      const data = await loadTemporalDataset(info.name, { lags: 2 });
      expect(data.name).toBe(info.name);
      expect([data.numNodes, data.edgeIndex.shape[1], data.length + 2]).toEqual([info.numNodes, info.numEdges, info.numSteps]);
      expect(Array.from(data.edgeWeight.data).some((w) => w !== 1)).toBe(info.weighted);
    }
  });

  it('rejects an unknown name with a ValueError listing the names', async () => {
    await expect(loadTemporalDataset('metr-la' as never)).rejects.toThrow(
      "loadTemporalDataset: no temporal dataset named 'metr-la'; expected one of chickenpox, pedalme",
    );
  });
});
