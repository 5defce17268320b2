import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ValueError } from '@tensorloom/core-tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetNotFoundError, GraphParseError, SplitError } from '../errors.js';
import { planetoidDataset } from '../datasets/planetoid.js';
import { loadPlanetoid, savePlanetoid } from './planetoid-folder.js';

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
    expect(() => loadPlanetoid(folder({ ...base, 'split.json': '{"train":[0],"val":[9],"test":[]}' }), { features: 'identity' })).toThrow(
      SplitError,
    );
    expect(() => loadPlanetoid(folder({ ...base, 'split.json': '{oops' }), { features: 'identity' })).toThrow(GraphParseError);
    expect(() => loadPlanetoid(folder(base), { features: 'identity' })).toThrow(DatasetNotFoundError);
    expect(() => loadPlanetoid(join(tmpdir(), 'no-such-dataset'))).toThrow(DatasetNotFoundError);
    // The shipped datasets are a package now: the error says where they are.
    expect(() => loadPlanetoid('cora')).toThrow(/@tensorloom\/datasets \(loadCora/);
    expect(() => loadPlanetoid(folder({ ...base, 'split.json': split }), { features: 'pixels' as never })).toThrow(ValueError);
  });
});

describe('loadPlanetoid: features.csv', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  const base = {
    'edges.csv': 'source,target\n0,1\n1,2\n',
    'labels.csv': 'node,label\n0,0\n1,1\n2,0\n',
    'split.json': JSON.stringify({ train: [0], val: [1], test: [2] }),
  };
  const folder = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tensorloom-planetoid-'));
    made.push(dir);
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };

  it('announces random features once through onNotice when the folder has none, and not when they are asked for', () => {
    const notices: string[] = [];
    const dir = folder(base);
    const data = loadPlanetoid(dir, { onNotice: (message) => notices.push(message), numRandomFeatures: 5 });
    expect(data.x.shape).toEqual([3, 5]);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/features\.csv/);
    loadPlanetoid(dir, { features: 'random', onNotice: (message) => notices.push(message) });
    expect(notices).toHaveLength(1);
    expect(() => loadPlanetoid(dir, { features: 'file' })).toThrow(DatasetNotFoundError);
  });

  it('takes meta.json counts, so trailing featureless nodes and absent classes are kept', () => {
    const dir = folder({
      ...base,
      'meta.json': JSON.stringify({ name: 'mine', numNodes: 5, numFeatures: 6, numClasses: 4 }),
      'features.csv': 'node,feature\n0,5\n',
    });
    const data = loadPlanetoid(dir);
    expect(data.name).toBe('mine');
    expect(data.x.shape).toEqual([5, 6]);
    expect(data.numClasses).toBe(4);
    expect(data.y.toArray()).toEqual([0, 1, 0, -1, -1]);
    expect(() => loadPlanetoid(folder({ ...base, 'meta.json': '{"numNodes": -1}' }))).toThrow(GraphParseError);
  });
});

describe('savePlanetoid', () => {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  const temp = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tensorloom-save-planetoid-'));
    made.push(dir);
    return dir;
  };
  const dataset = (values?: number[]) =>
    planetoidDataset({
      name: 'tiny',
      numNodes: 4,
      numClasses: 3,
      source: Int32Array.of(0, 2, 1),
      target: Int32Array.of(1, 1, 3),
      labels: Int32Array.of(0, 2, -1, 1),
      split: { train: Int32Array.of(0), val: Int32Array.of(1), test: Int32Array.of(3) },
      features: { numFeatures: 2, nodes: Int32Array.of(0, 3), columns: Int32Array.of(1, 0), ...(values ? { values } : {}) },
    });

  it('writes a folder that loadPlanetoid reads back to the same dataset (binary and valued features)', () => {
    for (const values of [undefined, [0.5, 3]]) {
      const original = dataset(values);
      const folder = join(temp(), 'out');
      savePlanetoid(original, folder);
      const back = loadPlanetoid(folder);
      expect(back.name).toBe('tiny');
      for (const key of ['x', 'y', 'edgeIndex', 'trainIndex', 'valIndex', 'testIndex'] as const)
        expect(back[key].toArray()).toEqual(original[key].toArray());
      expect([back.numNodes, back.numFeatures, back.numClasses]).toEqual([4, 2, 3]);
    }
  });

  it('writes each undirected edge once, sorted, and a value column only for non-binary features', () => {
    const folder = join(temp(), 'out');
    savePlanetoid(dataset(), folder);
    const read = (name: string) => readFileSync(join(folder, name), 'utf8');
    expect(read('edges.csv')).toBe('source,target\n0,1\n1,2\n1,3\n');
    expect(read('labels.csv')).toBe('node,label\n0,0\n1,2\n2,-1\n3,1\n');
    expect(read('features.csv')).toBe('node,feature\n0,1\n3,0\n');
    const valued = join(temp(), 'out');
    savePlanetoid(dataset([0.5, 3]), valued);
    expect(readFileSync(join(valued, 'features.csv'), 'utf8')).toBe('node,feature,value\n0,1,0.5\n3,0,3\n');
  });

  it('refuses a folder that already holds files unless told to overwrite, and a file in its place', () => {
    const folder = temp();
    writeFileSync(join(folder, 'notes.txt'), 'mine');
    expect(() => savePlanetoid(dataset(), folder)).toThrow(ValueError);
    expect(readFileSync(join(folder, 'notes.txt'), 'utf8')).toBe('mine');
    savePlanetoid(dataset(), folder, { overwrite: true });
    expect(loadPlanetoid(folder).numNodes).toBe(4);
    expect(() => savePlanetoid(dataset(), join(folder, 'notes.txt'))).toThrow(ValueError);
  });
});
