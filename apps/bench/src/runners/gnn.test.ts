import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { crossEntropy, eye, indexSelect, manualSeed, optim, setBackend, SparseCSR, spmm } from '@tensorloom/core-tensor';
import { normalizedAdjacency, normalizeFeatures } from '@tensorloom/graph';
import { loadPlanetoid } from '@tensorloom/graph/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimingOptions } from '../measure.js';
import { readPlanetoid } from '../planetoid.js';
import { TINY_DATASET, TINY_GAT, TINY_GCN, writeTinyPlanetoid } from '../tiny-planetoid.js';
import type { GnnSpec } from '../workloads.js';
import { implById } from '../impls.js';
import { tensorloomRunner } from './tensorloom.js';
import { BenchGnn } from './tensorloom-gnn.js';
import { tfjsRunner } from './tfjs.js';
import { UnavailableError } from './runner.js';
import { denseGcnAdjacency } from './tfjs-gnn.js';

const timing: TimingOptions = { warmup: 1, minRuns: 2, maxRuns: 2, minSeconds: 0, budgetSeconds: 60 };
let dataRoot: string;
beforeAll(async () => {
  dataRoot = await writeTinyPlanetoid(await mkdtemp(path.join(os.tmpdir(), 'tensorloom-bench-runners-')));
  setBackend('js');
});
afterAll(async () => {
  await rm(dataRoot, { recursive: true, force: true });
});

/** Trains the bench model of `spec` on the tiny graph from seed `seed`: the training loss of each epoch. */
function trainingLosses(spec: GnnSpec, options: { seed: number; epochs: number }): number[] {
  manualSeed(options.seed);
  const data = loadPlanetoid(path.join(dataRoot, TINY_DATASET));
  const dense = normalizeFeatures(data.x);
  const x = spec.features === 'sparse' ? SparseCSR.fromDense(dense) : dense;
  const model = new BenchGnn(spec, { inChannels: data.numFeatures, numClasses: data.numClasses });
  const optimizer = new optim.Adam(model.parameters(), { lr: spec.lr, weightDecay: spec.weightDecay });
  const losses: number[] = [];
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    optimizer.zeroGrad();
    const loss = crossEntropy(indexSelect(model.call(x, data.edgeIndex), 0, data.trainIndex), indexSelect(data.y, 0, data.trainIndex));
    loss.backward();
    optimizer.step();
    losses.push(loss.item());
  }
  return losses;
}

describe('the tensorloom GNN workloads', () => {
  it.each([TINY_GCN, TINY_GAT])('$name halves the training loss in 60 epochs without dropout', (spec) => {
    const losses = trainingLosses({ ...spec, dropout: 0, attentionDropout: 0 }, { seed: 0, epochs: 60 });
    expect(losses.at(-1)!).toBeLessThan(0.5 * losses[0]!);
  });

  it.each([TINY_GCN, TINY_GAT])('$name on sparse features (a SparseCSR) computes what it computes on dense ones', (spec) => {
    const losses = (features: 'dense' | 'sparse', dropout: number): number[] =>
      trainingLosses({ ...spec, features, dropout, attentionDropout: dropout }, { seed: 3, epochs: 40 });
    // Without dropout the two are the same computation: the same losses epoch by epoch.
    const sparse = losses('sparse', 0);
    const reference = losses('dense', 0);
    sparse.forEach((loss, i) => expect(loss).toBeCloseTo(reference[i]!, 5));
    expect(sparse.at(-1)!).toBeLessThan(0.8 * sparse[0]!);
    // With dropout the sparse input dropout draws per non-zero (other draws than the dense one) and still trains.
    const dropped = losses('sparse', 0.5);
    expect(dropped.every(Number.isFinite)).toBe(true);
    expect(dropped.some((loss, i) => Math.abs(loss - sparse[i]!) > 1e-3)).toBe(true);
    expect(Math.min(...dropped.slice(-10))).toBeLessThan(dropped[0]!);
  });

  it('reports epochs/s from the best timed epoch', async () => {
    const runner = tensorloomRunner();
    await runner.prepare(implById('tensorloom-js')!);
    const out = await runner.run(TINY_GAT, { timing, log: () => undefined, dataRoot });
    expect(out.timing.runs).toBe(2);
    expect(out.value).toBeCloseTo(1 / out.timing.bestSeconds, 9);
  });
});

describe('the TF.js GNN workloads', () => {
  it('build the dense Â of GCNConv: D^-1/2 (A + I) D^-1/2', () => {
    const data = readPlanetoid(dataRoot, TINY_DATASET);
    const n = data.numNodes;
    const loops = Int32Array.from({ length: n }, (_, i) => i);
    const dense = denseGcnAdjacency(Int32Array.from([...data.source, ...loops]), Int32Array.from([...data.target, ...loops]), n);
    const expected = spmm(normalizedAdjacency(loadPlanetoid(path.join(dataRoot, TINY_DATASET)).edgeIndex, { numNodes: n }), eye(n)).data;
    for (let i = 0; i < n * n; i++) expect(dense[i]).toBeCloseTo(expected[i]!, 6);
  });

  it.each([TINY_GCN, TINY_GAT])(
    '$name trains on the cpu backend (dense Â for GCN, per-edge gather and segment sums for GAT)',
    async (spec) => {
      const runner = tfjsRunner();
      await runner.prepare(implById('tfjs-cpu')!);
      const out = await runner.run(spec, { timing, log: () => undefined, dataRoot });
      expect(out.value).toBeGreaterThan(0);
      expect(out.note).toMatch(spec.model === 'gcn' ? /dense/ : /segment max/);
    },
  );

  it('sits the sparse-feature workloads out with UnavailableError (TF.js has no sparse × dense product)', async () => {
    const runner = tfjsRunner();
    await runner.prepare(implById('tfjs-cpu')!);
    await expect(runner.run({ ...TINY_GCN, features: 'sparse' }, { timing, log: () => undefined, dataRoot })).rejects.toThrow(
      UnavailableError,
    );
  });
});
