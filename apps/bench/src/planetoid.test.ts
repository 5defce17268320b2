import { mkdir, mkdtemp, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadCora } from '@tensorloom/datasets';
import { normalizeFeatures } from '@tensorloom/graph';
import { loadPlanetoid } from '@tensorloom/graph/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMBEDDED_DATASETS, embeddedDataRoot, findDataRoot, missingDataset, readPlanetoid } from './planetoid.js';
import { TINY_DATASET, TINY_EDGES, writeTinyPlanetoid } from './tiny-planetoid.js';

let root: string;
beforeAll(async () => {
  root = await writeTinyPlanetoid(await mkdtemp(path.join(os.tmpdir(), 'tensorloom-bench-data-')));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('readPlanetoid', () => {
  it('returns both directions of each edge once, sorted, without the self-loop', () => {
    const data = readPlanetoid(root, TINY_DATASET);
    const pairs = Array.from(data.source, (s, e) => [s, data.target[e]!]);
    const expected = TINY_EDGES.flatMap(([u, v]) => [
      [u, v],
      [v, u],
    ]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    expect(pairs).toEqual(expected);
  });

  it('row-normalises the features and keeps a featureless row at zero', () => {
    const data = readPlanetoid(root, TINY_DATASET);
    const row = (i: number) => Array.from(data.x.subarray(i * 5, i * 5 + 5));
    expect(row(0)).toEqual([0.25, 0, 0, 0.75, 0]);
    expect(row(4)).toEqual([0, 0, 0, 0, 1]);
    expect(row(5)).toEqual([0, 0, 0, 0, 0]);
    expect(Array.from(data.y)).toEqual([0, 0, 1, 1, 0, 1]);
    expect(Array.from(data.train)).toEqual([0, 2, 3]);
  });

  it('matches loadPlanetoid and normalizeFeatures of @tensorloom/graph', () => {
    const ours = readPlanetoid(root, TINY_DATASET);
    const theirs = loadPlanetoid(path.join(root, TINY_DATASET));
    expect(Array.from(ours.x)).toEqual(Array.from(normalizeFeatures(theirs.x).data));
    expect([...ours.source, ...ours.target]).toEqual(Array.from(theirs.edgeIndex.data));
    expect(Array.from(ours.y)).toEqual(Array.from(theirs.y.data));
    expect(Array.from(ours.train)).toEqual(Array.from(theirs.trainIndex.data));
  });

  it(
    'gives Cora the same data as @tensorloom/datasets, through the folder ' +
      'embeddedDataRoot writes (2708 nodes, 10556 directed edges, 140 training nodes)',
    async () => {
      const lines: string[] = [];
      const written = await embeddedDataRoot({ folder: path.join(root, 'embedded'), log: (line) => lines.push(line) });
      expect(EMBEDDED_DATASETS).toEqual(['cora', 'citeseer']);
      for (const name of EMBEDDED_DATASETS) expect(missingDataset(written, name)).toBeUndefined();
      // The two graphs, PubMed's graph (no features: gcn-pubmed draws its own), and the chickenpox signal of the forecasting workload.
      expect(missingDataset(written, 'pubmed', { features: false })).toBeUndefined();
      expect(missingDataset(written, 'temporal/chickenpox.json')).toBeUndefined();
      expect(lines).toHaveLength(4);
      // A complete folder is reused, not written again.
      await embeddedDataRoot({ folder: written, log: (line) => lines.push(line) });
      expect(lines).toHaveLength(4);
      const ours = readPlanetoid(written, 'cora');
      const theirs = await loadCora();
      expect([ours.numNodes, ours.numFeatures, ours.numClasses, ours.source.length, ours.train.length]).toEqual([
        2708, 1433, 7, 10556, 140,
      ]);
      // Element by element in a loop: a deep equality of 3.9M floats takes vitest half a minute.
      const x = normalizeFeatures(theirs.x).data;
      let differing = 0;
      for (let i = 0; i < x.length; i++) if (x[i] !== ours.x[i]) differing++;
      expect(differing).toBe(0);
      const edges = theirs.edgeIndex.data;
      let differingEdges = 0;
      for (let e = 0; e < ours.source.length; e++)
        if (edges[e] !== ours.source[e] || edges[ours.source.length + e] !== ours.target[e]) differingEdges++;
      expect(differingEdges).toBe(0);
      expect(Array.from(ours.y)).toEqual(Array.from(theirs.y.data));
      expect(Array.from(ours.train)).toEqual(Array.from(theirs.trainIndex.data));
    },
  );
});

describe('finding the data', () => {
  it('takes TENSORLOOM_DATA first, else the first ../shared/data upwards', async () => {
    expect(findDataRoot({ env: { TENSORLOOM_DATA: root } })).toBe(path.resolve(root));
    // <root>/work/shared/data beside <root>/work/main, searched from <root>/work/main/apps/bench.
    const shared = path.join(root, 'work', 'shared', 'data');
    await mkdir(shared, { recursive: true });
    await mkdir(path.join(root, 'work', 'main', 'apps', 'bench'), { recursive: true });
    expect(findDataRoot({ env: {}, from: path.join(root, 'work', 'main', 'apps', 'bench') })).toBe(shared);
    expect(findDataRoot({ env: { TENSORLOOM_DATA: root }, from: path.join(root, 'work', 'main', 'apps', 'bench') })).toBe(root);
  });

  it('names the missing files, or the missing root', async () => {
    expect(missingDataset(root, TINY_DATASET)).toBeUndefined();
    expect(missingDataset(null, 'cora')).toMatch(/no data root/);
    expect(missingDataset(root, 'citeseer')).toMatch(/lacks edges\.csv, features\.csv/);
    await unlink(path.join(root, TINY_DATASET, 'split.json'));
    expect(missingDataset(root, TINY_DATASET)).toMatch(/lacks split\.json/);
    expect(() => readPlanetoid(root, TINY_DATASET)).toThrow(/split\.json/);
    await writeTinyPlanetoid(root);
  });
});
