import { ValueError } from '@tensorloom/core-tensor';
import { DatasetNotFoundError, type GraphDataset } from '@tensorloom/graph';
import { describe, expect, it } from 'vitest';
import { GRAPH_DATASETS, loadGraphDataset } from './catalogue.js';
import { loadCiteSeer, loadCora, loadPubMed } from './planetoid.js';

const counts = (values: ArrayLike<number>, size: number): number[] => {
  const out = new Array<number>(size).fill(0);
  for (let i = 0; i < values.length; i++) if (values[i]! >= 0) out[values[i]!]!++;
  return out;
};

/** Both directions of every edge, sorted by (source, target), no self-loops, no repeats. */
function edgeProblems(edgeIndex: { data: ArrayLike<number>; shape: readonly number[] }): string[] {
  const e = edgeIndex.shape[1]!;
  const pairs = new Set<number>();
  for (let k = 0; k < e; k++) pairs.add(edgeIndex.data[k]! * 1e6 + edgeIndex.data[e + k]!);
  const problems: string[] = [];
  for (let k = 0; k < e; k++) {
    const [s, t] = [edgeIndex.data[k]!, edgeIndex.data[e + k]!];
    if (s === t) problems.push(`self-loop at ${s}`);
    if (!pairs.has(t * 1e6 + s)) problems.push(`edge ${s} → ${t} has no reverse`);
    if (k > 0 && edgeIndex.data[k - 1]! * 1e6 + edgeIndex.data[e + k - 1]! >= s * 1e6 + t) problems.push(`column ${k} is out of order`);
  }
  if (pairs.size !== e) problems.push(`${e - pairs.size} repeated edges`);
  return problems;
}

const splitSizes = (data: GraphDataset): number[] => [data.trainIndex.size, data.valIndex.size, data.testIndex.size];

/** The split nodes are labelled and pairwise disjoint. */
function splitProblems(data: GraphDataset): string[] {
  const seen = new Map<number, string>();
  const problems: string[] = [];
  for (const [part, index] of [
    ['train', data.trainIndex],
    ['val', data.valIndex],
    ['test', data.testIndex],
  ] as const) {
    for (const node of index.data) {
      if (seen.has(node)) problems.push(`node ${node} is in ${seen.get(node)} and ${part}`);
      if (data.y.data[node]! < 0) problems.push(`${part} node ${node} is unlabelled`);
      seen.set(node, part);
    }
  }
  return problems;
}

describe('loadCora', () => {
  it("has PyG's counts: 2708 nodes, 10556 edges, 1433 features (49216 ones), 7 classes, 140/500/1000", async () => {
    const cora = await loadCora();
    expect(cora.name).toBe('cora');
    expect(cora.numNodes).toBe(2708);
    expect(cora.edgeIndex.shape).toEqual([2, 10556]);
    expect(cora.x.shape).toEqual([2708, 1433]);
    expect(cora.x.dtype).toBe('float32');
    expect([cora.numFeatures, cora.numClasses]).toEqual([1433, 7]);
    expect(splitSizes(cora)).toEqual([140, 500, 1000]);
    expect((cora.x.data as Float32Array).reduce((a, b) => a + b, 0)).toBe(49216);
    expect(counts(cora.y.data, 7)).toEqual([351, 217, 418, 818, 426, 298, 180]);
    expect(
      counts(
        Int32Array.from(cora.trainIndex.data, (row) => cora.y.data[row]!),
        7,
      ),
    ).toEqual([20, 20, 20, 20, 20, 20, 20]);
    // The public split: the first 140 nodes train, the next 500 validate, nodes 1708–2707 test.
    expect([cora.trainIndex.data[0], cora.trainIndex.data[139], cora.valIndex.data[0], cora.valIndex.data[499]]).toEqual([
      0, 139, 140, 639,
    ]);
    expect([cora.testIndex.data[0], cora.testIndex.data[999]]).toEqual([1708, 2707]);
    expect(splitProblems(cora)).toEqual([]);
  });

  it("matches PyG's spot check: node 0 has label 3, neighbours 633, 1862, 2582, and words 19, 81, 146, …", async () => {
    const cora = await loadCora();
    expect(cora.y.data[0]).toBe(3);
    const e = cora.edgeIndex.shape[1]!;
    const neighbours: number[] = [];
    for (let k = 0; k < e && cora.edgeIndex.data[k] === 0; k++) neighbours.push(cora.edgeIndex.data[e + k]!);
    expect(neighbours).toEqual([633, 1862, 2582]);
    const words = [...cora.x.data.subarray(0, 1433)].flatMap((v, j) => (v === 1 ? [j] : []));
    expect(words.slice(0, 3)).toEqual([19, 81, 146]);
    expect(words).toHaveLength(9);
  });

  it('lists both directions of every edge, sorted, without loops or repeats', async () => {
    expect(edgeProblems((await loadCora()).edgeIndex)).toEqual([]);
  });

  it('builds its graphology graph on first access, nodes "0" … "2707" with their label', async () => {
    const cora = await loadCora();
    expect(cora.graph.type).toBe('undirected');
    expect(cora.graph.order).toBe(2708);
    expect(cora.graph.size).toBe(5278);
    expect(cora.graph.getNodeAttribute('0', 'label')).toBe(3);
    expect(cora.graph.hasEdge('0', '633')).toBe(true);
    expect(cora.index.key(2707)).toBe('2707');
  });

  it('gives fresh tensors each call, and identity or seeded random features on request', async () => {
    const [a, b] = await Promise.all([loadCora(), loadCora()]);
    a.x.data[0] = 42;
    expect(b.x.data[0]).toBe(0);
    expect((await loadCora({ features: 'identity' })).x.shape).toEqual([2708, 2708]);
    const random = await loadCora({ features: 'random', numRandomFeatures: 8, seed: 3 });
    expect(random.x.shape).toEqual([2708, 8]);
    expect(random.x.toArray()).toEqual((await loadCora({ features: 'random', numRandomFeatures: 8, seed: 3 })).x.toArray());
  });
});

describe('loadCiteSeer', () => {
  // The CiteSeer papers with no features and no label in the Planetoid files (the data README).
  const FEATURELESS = [2407, 2489, 2553, 2682, 2781, 2953, 3042, 3063, 3212, 3214, 3250, 3292, 3305, 3306, 3309];

  it("has PyG's counts: 3327 nodes, 9104 edges, 3703 features (105165 ones), 6 classes, 120/500/1000", async () => {
    const citeseer = await loadCiteSeer();
    expect(citeseer.numNodes).toBe(3327);
    expect(citeseer.edgeIndex.shape).toEqual([2, 9104]);
    expect(citeseer.x.shape).toEqual([3327, 3703]);
    expect((citeseer.x.data as Float32Array).reduce((a, b) => a + b, 0)).toBe(105165);
    expect(citeseer.numClasses).toBe(6);
    expect(splitSizes(citeseer)).toEqual([120, 500, 1000]);
    expect(
      counts(
        Int32Array.from(citeseer.trainIndex.data, (row) => citeseer.y.data[row]!),
        6,
      ),
    ).toEqual([20, 20, 20, 20, 20, 20]);
    expect(edgeProblems(citeseer.edgeIndex)).toEqual([]);
    expect(splitProblems(citeseer)).toEqual([]);
  });

  it('keeps the 15 featureless papers unlabelled (-1), out of every split, with zero features', async () => {
    const citeseer = await loadCiteSeer();
    const unlabelled = [...citeseer.y.data].flatMap((label, node) => (label === -1 ? [node] : []));
    expect(unlabelled).toEqual(FEATURELESS);
    for (const node of FEATURELESS) expect(citeseer.x.data.subarray(node * 3703, (node + 1) * 3703).some((v) => v !== 0)).toBe(false);
  });
});

describe('loadPubMed', () => {
  it("has PyG's graph: 19717 nodes, 88648 edges, 3 classes, 60/500/1000, with the random features asked for", async () => {
    const pubmed = await loadPubMed({ features: 'random', numRandomFeatures: 16, seed: 1 });
    expect(pubmed.numNodes).toBe(19717);
    expect(pubmed.edgeIndex.shape).toEqual([2, 88648]);
    expect(pubmed.numClasses).toBe(3);
    expect(pubmed.x.shape).toEqual([19717, 16]);
    expect(splitSizes(pubmed)).toEqual([60, 500, 1000]);
    expect(
      counts(
        Int32Array.from(pubmed.trainIndex.data, (row) => pubmed.y.data[row]!),
        3,
      ),
    ).toEqual([20, 20, 20]);
    expect(edgeProblems(pubmed.edgeIndex)).toEqual([]);
    expect(splitProblems(pubmed)).toEqual([]);
  });

  it('says its features are not shipped unless a stand-in is chosen, and refuses an identity matrix too large to hold', async () => {
    await expect(loadPubMed(undefined as never)).rejects.toThrow(DatasetNotFoundError);
    await expect(loadPubMed({} as never)).rejects.toThrow(/features are not shipped/);
    await expect(loadPubMed({ features: 'file' as never })).rejects.toThrow(DatasetNotFoundError);
    await expect(loadPubMed({ features: 'pixels' as never })).rejects.toThrow(ValueError);
    await expect(loadPubMed({ features: 'identity' })).rejects.toThrow(ValueError);
  });
});

describe('loadGraphDataset and GRAPH_DATASETS', () => {
  it('loads every catalogued graph by name, with the counts the catalogue states', async () => {
    for (const info of Object.values(GRAPH_DATASETS)) {
      const data = await loadGraphDataset(
        info.name,
        info.numFeatures === null && info.name === 'pubmed' ? { features: 'random', numRandomFeatures: 4 } : {},
      );
      expect([data.numNodes, data.edgeIndex.shape[1], data.numClasses, ...splitSizes(data)]).toEqual([
        info.numNodes,
        info.numEdges,
        info.numClasses,
        ...info.split,
      ]);
      if (info.numFeatures !== null) expect(data.numFeatures).toBe(info.numFeatures);
    }
  });

  it('refuses an unknown name, naming the known ones, and features: "file" for the karate club', async () => {
    await expect(loadGraphDataset('imdb' as never)).rejects.toThrow(/expected one of cora, citeseer, pubmed, karate/);
    await expect(loadGraphDataset('karate', { features: 'file' })).rejects.toThrow(ValueError);
    expect((await loadGraphDataset('karate', { features: 'random', numRandomFeatures: 3 })).x.shape).toEqual([34, 3]);
  });
});
