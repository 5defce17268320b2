// loadPlanetoid is strict: the label column must be there, the split consistent, and sizes read from
// the files are checked against memory before anything of that size is allocated.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planetoidDataset } from '../datasets/planetoid.js';
import { GraphParseError, GraphSizeError, MissingAttributeError, SplitError } from '../errors.js';
import { fromGraph } from '../from-graph.js';
import { UndirectedGraph } from '../graphology.js';
import { loadPlanetoid } from './planetoid-folder.js';

const made: string[] = [];
afterAll(() => made.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
const base = {
  'edges.csv': 'source,target\n0,1\n1,2\n',
  'labels.csv': 'node,label\n0,0\n1,1\n2,0\n',
  'split.json': JSON.stringify({ train: [0], val: [1], test: [2] }),
};
function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tensorloom-strict-planetoid-'));
  made.push(dir);
  for (const [name, text] of Object.entries({ ...base, ...files })) writeFileSync(join(dir, name), text);
  return dir;
}
function thrown<T extends Error>(kind: new (...args: never[]) => T, run: () => unknown): T {
  try {
    run();
  } catch (error) {
    if (error instanceof kind) return error;
    throw error;
  }
  throw new Error(`expected a ${kind.name}`);
}

describe('loadPlanetoid: the label column', () => {
  it('is required, and the error lists the columns labels.csv has', () => {
    const dir = folder({ 'labels.csv': 'node,class\n0,0\n1,1\n2,0\n' });
    const error = thrown(MissingAttributeError, () => loadPlanetoid(dir, { features: 'identity' }));
    expect([error.attribute, error.available, error.file]).toEqual(['label', ['class'], join(dir, 'labels.csv')]);
    expect(loadPlanetoid(dir, { features: 'identity', labelColumn: 'class' }).y.toArray()).toEqual([0, 1, 0]);
  });
});

describe('loadPlanetoid: the split', () => {
  it('refuses split.json parts that overlap, naming them, the count and the first ids', () => {
    const dir = folder({ 'split.json': JSON.stringify({ train: [0, 1], val: [], test: [1, 2, 0] }) });
    const error = thrown(SplitError, () => loadPlanetoid(dir, { features: 'identity' }));
    expect(error.problems).toEqual([{ kind: 'overlap', parts: ['train', 'test'], count: 2, first: [1, 0] }]);
    expect(error.message).toContain(join(dir, 'split.json'));
    expect(error.message).toMatch(/train and test share 2 nodes \(1, 0\)/);
  });

  it('refuses ids out of range (even past int32) and ids that are not integers', () => {
    const far = folder({ 'split.json': JSON.stringify({ train: [0], val: [4294967297], test: [2] }) });
    expect(thrown(SplitError, () => loadPlanetoid(far, { features: 'identity' })).problems[0]).toMatchObject({
      kind: 'out-of-range',
      first: [4294967297],
    });
    const fraction = folder({ 'split.json': JSON.stringify({ train: [0.5], val: [], test: [] }) });
    expect(() => loadPlanetoid(fraction, { features: 'identity' })).toThrow(GraphParseError);
  });
});

describe('sizes read from files are checked before allocating', () => {
  it('a meta.json claiming 10¹² nodes is an error naming the field and the memory, at once', () => {
    const dir = folder({ 'meta.json': JSON.stringify({ numNodes: 1e12 }) });
    const started = performance.now();
    const error = thrown(GraphSizeError, () => loadPlanetoid(dir, { features: 'random' }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error.field).toMatch(/meta\.json numNodes 1000000000000$/);
    expect(error.bytes).toBeGreaterThan(64 * 4 * 1e12); // x float32 [1e12, 64]
    expect(error.message).toMatch(/TB of memory/);
  });

  it('so is a feature count, claimed or inferred from the largest feature id', () => {
    const claimed = folder({ 'meta.json': JSON.stringify({ numNodes: 3, numFeatures: 1e12 }), 'features.csv': 'node,feature\n0,0\n' });
    expect(thrown(GraphSizeError, () => loadPlanetoid(claimed)).field).toMatch(/numFeatures 1000000000000/);
    const inferred = folder({ 'features.csv': 'node,feature\n0,2000000000\n' });
    expect(thrown(GraphSizeError, () => loadPlanetoid(inferred, { maxBytes: 2 ** 30 })).field).toMatch(/largest feature id/);
  });

  it('and a node count inferred from one large id, and the files themselves, against maxBytes', () => {
    const dir = folder({ 'edges.csv': 'source,target\n0,2000000000\n' });
    const error = thrown(GraphSizeError, () => loadPlanetoid(dir, { features: 'random', maxBytes: 2 ** 30 }));
    expect(error.field).toMatch(/largest node id .* \(2000000000\)/);
    expect(error.budget).toBe(2 ** 30);
    const file = thrown(GraphSizeError, () => loadPlanetoid(folder({}), { features: 'identity', maxBytes: 60 }));
    expect(file.field).toMatch(/labels\.csv \(\d+ bytes\)/);
  });

  it('planetoidDataset and fromGraph check what they would allocate too', () => {
    const arrays = {
      name: 'wide',
      numNodes: 2,
      source: Int32Array.of(0),
      target: Int32Array.of(1),
      labels: Int32Array.of(0, 1),
      split: { train: Int32Array.of(0), val: Int32Array.of(), test: Int32Array.of(1) },
      features: { numFeatures: 2 ** 40, nodes: Int32Array.of(0), columns: Int32Array.of(0) },
    };
    expect(() => planetoidDataset(arrays)).toThrow(GraphSizeError);
    const graph = new UndirectedGraph();
    for (let i = 0; i < 40_000; i++) graph.addNode(String(i));
    // One-hot ids for 40,000 nodes: [40000, 40000] float32, 6.4 GB.
    expect(thrown(GraphSizeError, () => fromGraph(graph, { maxBytes: 2 ** 32 })).message).toMatch(/identity features for 40000 nodes/);
  });
});
