import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Generator, setBackend } from '@tensorloom/core-tensor';
import { loadPlanetoid } from '@tensorloom/graph/node';
import { loadPubMed } from '@tensorloom/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../cli-args.js';
import type { TimingOptions } from '../measure.js';
import { runBench } from '../orchestrator.js';
import { writeResults } from '../output.js';
import { missingDataset, writePlanetoidGraph } from '../planetoid.js';
import { ensureGraphFile } from '../powerlaw.js';
import { TINY_DATASET, TINY_GCN, writeTinyPlanetoid } from '../tiny-planetoid.js';
import { gcnScaleWorkload, SAMPLE_A_B1, type GnnScaleSpec, type GnnSpec, type SampleSpec } from '../workloads.js';
import { runTensorloomGnn } from './tensorloom-gnn.js';
import { sampleBatch, sampleModel } from './tensorloom-sample.js';
import { runTensorloomScale } from './tensorloom-scale.js';

const timing: TimingOptions = { warmup: 1, minRuns: 2, maxRuns: 2, minSeconds: 0, budgetSeconds: 60 };
const context = { timing, log: () => undefined };
const tinySample = (batch: number): SampleSpec => ({
  ...SAMPLE_A_B1,
  name: `sample-tiny-b${batch}`,
  vocab: 12,
  embedding: 8,
  hidden: 16,
  length: 20,
  batch,
});
const tinyScale: GnnScaleSpec = {
  ...gcnScaleWorkload(1e4),
  name: 'gcn-scale-tiny',
  nodes: 300,
  avgDegree: 6,
  features: 16,
  classes: 4,
  trainPerClass: 5,
};
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tensorloom-bench-new-'));
  setBackend('js');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('sample-A (tensorloom)', () => {
  it('draws batch × length ids in range from the seed token, the same for the same generator seed, through generate at batch 1', () => {
    for (const batch of [1, 3]) {
      const spec = tinySample(batch);
      const model = sampleModel(spec);
      const first = sampleBatch(model, spec, new Generator(5));
      expect(first).toHaveLength(batch * spec.length);
      expect(first.every((id) => id >= 0 && id < spec.vocab)).toBe(true);
      expect(sampleBatch(model, spec, new Generator(5))).toEqual(first);
      expect(model.training).toBe(true);
    }
  });

  it('draws from the softmax: a model whose head favours one id at temperature 1 picks it most, at any batch', () => {
    const spec = { ...tinySample(4), length: 50 };
    const model = sampleModel(spec);
    const bias = model.linear.bias!.data;
    model.linear.weight.data.fill(0);
    bias.fill(0);
    bias[7] = 6; // p(7) = e⁶ / (e⁶ + 11) ≈ 0.97
    const ids = sampleBatch(model, spec, new Generator(1));
    const sevens = ids.filter((id) => id === 7).length;
    expect(sevens / ids.length).toBeGreaterThan(0.9);
    expect(sevens).toBeLessThan(ids.length);
  });
});

describe('gcn-scale (tensorloom)', () => {
  it('trains on the graph file and reports its size', async () => {
    const graph = ensureGraphFile(tinyScale, dir);
    const out = await runTensorloomScale(tinyScale, { ...context, graphFile: graph.file });
    expect(out.value).toBeGreaterThan(0);
    expect(out.timing.runs).toBe(2);
    expect(out.graph).toEqual({ nodes: 300, edges: graph.numEdges });
    expect(graph.numEdges).toBe(2 * 900);
    await expect(runTensorloomScale({ ...tinyScale, nodes: 301 }, { ...context, graphFile: graph.file })).rejects.toThrow(
      /not the graph of 301/,
    );
  });
});

describe('gcn-pubmed (tensorloom): synthetic features on a folder without features.csv', () => {
  it('reads the graph, labels and split only, and says so in the note', async () => {
    const root = await writeTinyPlanetoid(path.join(dir, 'graph-only'));
    await rm(path.join(root, TINY_DATASET, 'features.csv'));
    const synthetic = { numFeatures: 20, density: 0.25, seed: 9 };
    const spec: GnnSpec = { ...TINY_GCN, name: 'gcn-tiny-synthetic', syntheticFeatures: synthetic };
    expect(missingDataset(root, TINY_DATASET)).toMatch(/lacks features\.csv/);
    expect(missingDataset(root, TINY_DATASET, { features: false })).toBeUndefined();
    for (const features of ['dense', 'sparse'] as const) {
      const out = await runTensorloomGnn({ ...spec, features }, { ...context, dataRoot: root });
      expect(out.value).toBeGreaterThan(0);
      expect(out.note).toMatch(/^synthetic features \(20 columns, 25% non-zero, LCG seed 9, row-normalised\)/);
    }
  });

  it('writes the embedded PubMed graph as a folder that loadPlanetoid reads back to the same edges, labels and split', async () => {
    const pubmed = await loadPubMed({ features: 'random', numRandomFeatures: 1 });
    const folder = path.join(dir, 'pubmed');
    writePlanetoidGraph(pubmed, folder);
    const back = loadPlanetoid(folder, { features: 'random', numRandomFeatures: 1 });
    expect([back.numNodes, back.numClasses, back.edgeIndex.shape[1]]).toEqual([19717, 3, 88648]);
    expect(Buffer.from(back.edgeIndex.data.buffer).equals(Buffer.from(pubmed.edgeIndex.data.buffer))).toBe(true);
    expect(Buffer.from(back.y.data.buffer).equals(Buffer.from(pubmed.y.data.buffer))).toBe(true);
    expect(Array.from(back.trainIndex.data)).toEqual(Array.from(pubmed.trainIndex.data));
    expect(JSON.parse(await readFile(path.join(folder, 'meta.json'), 'utf8'))).toMatchObject({ featuresIncluded: false });
  });
});

describe('runBench with the new workloads (js backend)', () => {
  it('samples, and trains on a power-law graph it generates once, writing the scale tables and the SVG plot', async () => {
    const options = parseBenchArgs(['--impl', 'tensorloom-js']);
    const graphDir = path.join(dir, 'graphs');
    const run = await runBench(options, [], {
      log: () => undefined,
      catalogue: [tinySample(4), tinyScale, { ...tinyScale, name: 'gcn-scale-tiny2', nodes: 900 }],
      timing,
      dataRoot: null,
      graphDir,
    });
    expect(run.entries.map((e) => [e.workload, e.status, e.unit])).toEqual([
      ['sample-tiny-b4', 'ok', 'chars/s'],
      ['gcn-scale-tiny', 'ok', 'epochs/s'],
      ['gcn-scale-tiny2', 'ok', 'epochs/s'],
    ]);
    expect(run.entries.slice(1).map((e) => e.graph)).toEqual([
      { nodes: 300, edges: 1800 },
      { nodes: 900, edges: 5400 },
    ]);
    const out = path.join(dir, 'results');
    const written = await writeResults(out, run.header, run.entries);
    expect(await readFile(written.markdown, 'utf8')).toContain('Log-log least-squares slope against edges');
    expect(await readFile(written.svg!, 'utf8')).toContain('<polyline');
  });
});
