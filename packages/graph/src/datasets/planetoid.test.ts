import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValueError } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetNotFoundError, GraphParseError } from '../errors.js';
import { loadPlanetoid } from './planetoid.js';

const root = process.env.TENSORLOOM_DATA ?? resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/data');
const missing = ['cora', 'citeseer', 'pubmed'].filter((name) => !existsSync(join(root, name, 'edges.csv')));
if (missing.length > 0 && process.env.CI === 'true') throw new Error(`Planetoid data missing under ${root}: ${missing.join(', ')} (CI=true)`);
if (missing.length > 0) console.warn(`skipping Planetoid tests on real data: ${missing.join(', ')} not found under ${root} (set TENSORLOOM_DATA)`);

const counts = (values: ArrayLike<number>, size: number): number[] => {
  const out = new Array<number>(size).fill(0);
  for (let i = 0; i < values.length; i++) if (values[i]! >= 0) out[values[i]!]!++;
  return out;
};

function checkEdgeIndex(edgeIndex: { data: ArrayLike<number>; shape: readonly number[] }): void {
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
  expect(problems).toEqual([]);
  expect(pairs.size).toBe(e);
}

describe.skipIf(missing.includes('cora'))('loadPlanetoid: Cora', () => {
  const cora = loadPlanetoid('cora', { root });

  it('has the counts of meta.json and PyG', () => {
    expect(cora.name).toBe('cora');
    expect(cora.numNodes).toBe(2708);
    expect(cora.edgeIndex.shape).toEqual([2, 10556]);
    expect(cora.x.shape).toEqual([2708, 1433]);
    expect(cora.x.dtype).toBe('float32');
    expect(cora.numFeatures).toBe(1433);
    expect(cora.numClasses).toBe(7);
    expect([cora.trainIndex.size, cora.valIndex.size, cora.testIndex.size]).toEqual([140, 500, 1000]);
    expect((cora.x.data as Float32Array).reduce((a, b) => a + b, 0)).toBe(49216);
    expect(counts(cora.y.data, 7)).toEqual([351, 217, 418, 818, 426, 298, 180]);
    expect(counts(Int32Array.from(cora.trainIndex.data, (row) => cora.y.data[row]!), 7)).toEqual([20, 20, 20, 20, 20, 20, 20]);
  });

  it('matches the README spot check: node 0 has label 3 and neighbours 633, 1862, 2582', () => {
    expect(cora.y.data[0]).toBe(3);
    const e = cora.edgeIndex.shape[1]!;
    const neighbours: number[] = [];
    for (let k = 0; k < e && cora.edgeIndex.data[k] === 0; k++) neighbours.push(cora.edgeIndex.data[e + k]!);
    expect(neighbours).toEqual([633, 1862, 2582]);
  });

  it('lists both directions of every edge, sorted, without loops or repeats', () => {
    checkEdgeIndex(cora.edgeIndex);
  });

  it('builds the graphology graph on demand with node keys "0" … "2707"', () => {
    expect(cora.graph.order).toBe(2708);
    expect(cora.graph.size).toBe(5278);
    expect(cora.graph.getNodeAttribute('0', 'label')).toBe(3);
    expect(cora.index.key(2707)).toBe('2707');
  });
});

describe.skipIf(missing.includes('citeseer'))('loadPlanetoid: CiteSeer', () => {
  const citeseer = loadPlanetoid('citeseer', { root });

  it('has the counts of meta.json', () => {
    expect(citeseer.numNodes).toBe(3327);
    expect(citeseer.edgeIndex.shape).toEqual([2, 9104]);
    expect(citeseer.x.shape).toEqual([3327, 3703]);
    expect(citeseer.numClasses).toBe(6);
    expect([citeseer.trainIndex.size, citeseer.valIndex.size, citeseer.testIndex.size]).toEqual([120, 500, 1000]);
    checkEdgeIndex(citeseer.edgeIndex);
  });

  it('keeps the 15 featureless nodes unlabelled (-1) and out of every split', () => {
    const meta = JSON.parse(readFileSync(join(root, 'citeseer', 'meta.json'), 'utf8')) as { unlabeledNodes: number[] };
    const unlabelled = [...citeseer.y.data].flatMap((label, node) => (label === -1 ? [node] : []));
    expect(unlabelled).toEqual(meta.unlabeledNodes);
    expect(unlabelled).toHaveLength(15);
    const split = new Set([...citeseer.trainIndex.data, ...citeseer.valIndex.data, ...citeseer.testIndex.data]);
    for (const node of unlabelled) {
      expect(split.has(node)).toBe(false);
      expect(citeseer.x.data.subarray(node * 3703, (node + 1) * 3703).some((v) => v !== 0)).toBe(false);
    }
  });
});

describe.skipIf(missing.includes('pubmed'))('loadPlanetoid: PubMed', () => {
  it('has the counts of meta.json and random features announced once through onNotice', () => {
    const notices: string[] = [];
    const pubmed = loadPlanetoid('pubmed', { root, onNotice: (message) => notices.push(message) });
    expect(pubmed.numNodes).toBe(19717);
    expect(pubmed.edgeIndex.shape).toEqual([2, 88648]);
    expect(pubmed.numClasses).toBe(3);
    expect([pubmed.trainIndex.size, pubmed.valIndex.size, pubmed.testIndex.size]).toEqual([60, 500, 1000]);
    expect(pubmed.x.shape).toEqual([19717, 64]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/features\.csv/);
  });

  it("stays silent with an explicit choice, refuses 'file' and an identity too large to hold", () => {
    const notices: string[] = [];
    const pubmed = loadPlanetoid('pubmed', { root, features: 'random', numRandomFeatures: 8, seed: 1, onNotice: (m) => notices.push(m) });
    expect(pubmed.x.shape).toEqual([19717, 8]);
    expect(notices).toEqual([]);
    expect(() => loadPlanetoid('pubmed', { root, features: 'file' })).toThrow(DatasetNotFoundError);
    expect(() => loadPlanetoid('pubmed', { root, features: 'identity' })).toThrow(ValueError);
  });
});

describe('loadPlanetoid on small folders', () => {
  const made: string[] = [];
  const folder = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tensorloom-planetoid-'));
    made.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  const split = JSON.stringify({ train: [0], val: [1], test: [2] });

  it('infers the counts without meta.json, merges repeated or reversed edges and drops loops', () => {
    const dir = folder({
      'edges.csv': 'source,target\r\n0,1\r\n1,0\r\n1,2\r\n2,2\r\n\r\n',
      'labels.csv': 'node,label\n0,0\n1,1\n2,-1\n',
      'features.csv': 'node,feature,value\n0,0,0.5\n2,3,2\n',
      'split.json': split,
    });
    const data = loadPlanetoid(dir);
    expect(data.numNodes).toBe(3);
    expect(data.numClasses).toBe(2);
    expect(data.x.shape).toEqual([3, 4]);
    expect(data.x.data[0]).toBe(0.5);
    expect(data.x.data[2 * 4 + 3]).toBe(2);
    expect(data.edgeIndex.toArray()).toEqual([
      [0, 1, 1, 2],
      [1, 0, 2, 1],
    ]);
    expect(data.y.toArray()).toEqual([0, 1, -1]);
    expect(loadPlanetoid(dir, { features: 'identity' }).x.toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
  });

  it('names the file and line of a malformed or out-of-range row', () => {
    const bad = folder({ 'edges.csv': 'source,target\n0,1\n1,x\n', 'labels.csv': 'node,label\n0,0\n', 'split.json': split });
    expect(() => loadPlanetoid(bad, { features: 'identity' })).toThrow(GraphParseError);
    try {
      loadPlanetoid(bad, { features: 'identity' });
    } catch (error) {
      expect((error as GraphParseError).file).toBe(join(bad, 'edges.csv'));
      expect((error as GraphParseError).line).toBe(3);
    }
    const range = folder({
      'meta.json': JSON.stringify({ numNodes: 3, numClasses: 2 }),
      'edges.csv': 'source,target\n0,7\n',
      'labels.csv': 'node,label\n0,0\n',
      'split.json': split,
    });
    expect(() => loadPlanetoid(range, { features: 'identity' })).toThrow(GraphParseError);
    const header = folder({ 'edges.csv': 'from,to\n0,1\n', 'labels.csv': 'node,label\n0,0\n', 'split.json': split });
    expect(() => loadPlanetoid(header, { features: 'identity' })).toThrow(GraphParseError);
  });

  it('rejects a bad split and reports missing folders and files', () => {
    const base = { 'edges.csv': 'source,target\n0,1\n', 'labels.csv': 'node,label\n0,0\n1,1\n' };
    expect(() => loadPlanetoid(folder({ ...base, 'split.json': '{"train":[0],"val":[9],"test":[]}' }), { features: 'identity' })).toThrow(GraphParseError);
    expect(() => loadPlanetoid(folder({ ...base, 'split.json': '{oops' }), { features: 'identity' })).toThrow(GraphParseError);
    expect(() => loadPlanetoid(folder(base), { features: 'identity' })).toThrow(DatasetNotFoundError);
    expect(() => loadPlanetoid('no-such-dataset', { root: tmpdir() })).toThrow(DatasetNotFoundError);
    expect(() => loadPlanetoid(folder({ ...base, 'split.json': split }), { features: 'pixels' as never })).toThrow(ValueError);
  });
});
