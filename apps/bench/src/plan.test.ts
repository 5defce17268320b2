import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from './cli-args.js';
import { jobsOf, planRun, timingFor } from './plan.js';
import { writeEmbeddedTemporal } from './temporal-data.js';
import { writeTinyPlanetoid } from './tiny-planetoid.js';
import { CHAR_LSTM_A, CHAR_LSTM_B, GCN_CORA, GCONV_GRU_CHICKENPOX, gemmWorkload } from './workloads.js';

const none = { quick: false, only: [], impls: [] };
// A data root whose `cora/` is the tiny graph (planning only checks that the files are there), with the chickenpox signal.
let dataRoot: string;
beforeAll(async () => {
  dataRoot = await writeTinyPlanetoid(await mkdtemp(path.join(os.tmpdir(), 'tensorloom-bench-plan-')), { name: 'cora' });
  await writeTinyPlanetoid(dataRoot);
  // PubMed's folder has no features.csv (gcn-pubmed draws its own): planning must not ask for one.
  await writeTinyPlanetoid(dataRoot, { name: 'pubmed' });
  await rm(path.join(dataRoot, 'pubmed', 'features.csv'));
  await writeEmbeddedTemporal(dataRoot);
});
afterAll(async () => {
  await rm(dataRoot, { recursive: true, force: true });
});

describe('planRun', () => {
  it(
    'runs all 16 GEMMs, both char-LSTM configs, sampling, GCN and GAT on Cora (dense and sparse features), GCN on ' +
      'PubMed and on the power-law graphs, and GConvGRU on chickenpox by default, on every implementation',
    () => {
      const plan = planRun(none, undefined, { dataRoot });
      const names = plan.workloads.map((w) => w.name);
      expect(names).toHaveLength(30);
      expect(plan.notices).toEqual([]);
      expect(plan.workloads.filter((w) => w.kind === 'gemm')).toHaveLength(16);
      expect(names.slice(16)).toEqual([
        'lstm-A',
        'lstm-B',
        'sample-A-b1',
        'sample-A-b64',
        'gcn-cora',
        'gat-cora',
        'gcn-cora-sparse',
        'gat-cora-sparse',
        'gcn-pubmed',
        'gcn-pubmed-sparse',
        'gcn-scale-1e4',
        'gcn-scale-1e5',
        'gcn-scale-1e6',
        'gconv-gru-chickenpox',
      ]);
      expect(plan.workloads.filter((w) => w.kind === 'gnn').map((w) => (w.kind === 'gnn' ? w.features : null))).toEqual([
        'dense',
        'dense',
        'sparse',
        'sparse',
        'dense',
        'sparse',
      ]);
      expect(plan.configs.map((c) => c.id)).toEqual([
        'tensorloom-js',
        'tensorloom-wasm-1t',
        'tensorloom-wasm-2t',
        'tfjs-cpu',
        'tfjs-wasm',
        'brainjs',
        'pytorch-1t',
        'pytorch-2t',
      ]);
    },
  );

  it('--quick runs the 128x1280x4096 GEMMs, config A and sampling (the GNN workloads do not fit its 5 minutes)', () => {
    const names = planRun({ ...none, quick: true }, undefined, { dataRoot }).workloads.map((w) => w.name);
    expect(names).toEqual([
      'gemm-128x1280x4096-NN',
      'gemm-128x1280x4096-NT',
      'gemm-128x1280x4096-TN',
      'gemm-128x1280x4096-TT',
      'lstm-A',
      'sample-A-b1',
      'sample-A-b64',
    ]);
  });

  it('--quick --only gcn-scale leaves the 10⁶-node graph out unless it is named in full; sample-A selects both batches', () => {
    const names = (only: string[], quick = true): string[] =>
      planRun({ ...none, quick, only }, undefined, { dataRoot }).workloads.map((w) => w.name);
    expect(names(['gcn-scale'])).toEqual(['gcn-scale-1e4', 'gcn-scale-1e5']);
    expect(names(['gcn-scale'], false)).toEqual(['gcn-scale-1e4', 'gcn-scale-1e5', 'gcn-scale-1e6']);
    expect(names(['gcn-scale-1e6'])).toEqual(['gcn-scale-1e6']);
    expect(names(['sample-A'])).toEqual(['sample-A-b1', 'sample-A-b64']);
  });

  it('runs the new workloads on tensorloom and PyTorch only; gcn-pubmed with the data root, gcn-scale with fewer runs as it grows', () => {
    const plan = planRun({ ...none, only: ['sample-A-b1', 'gcn-pubmed', 'gcn-scale'] }, undefined, { dataRoot });
    const jobs = jobsOf(plan, { quick: false });
    const ids = ['tensorloom-js', 'tensorloom-wasm-1t', 'tensorloom-wasm-2t', 'pytorch-1t', 'pytorch-2t'];
    for (const workload of plan.workloads) expect(jobs.filter((j) => j.workload === workload).map((j) => j.config.id)).toEqual(ids);
    expect(jobs.filter((j) => j.dataRoot !== undefined).map((j) => j.workload!.name)).toEqual([
      ...ids.map(() => 'gcn-pubmed'),
      ...ids.map(() => 'gcn-pubmed-sparse'),
    ]);
    const runs = plan.workloads.filter((w) => w.kind === 'gnn-scale').map((w) => timingFor(w, { quick: false }).maxRuns);
    expect(runs[0]).toBeGreaterThan(runs[1]!);
    expect(runs[1]).toBeGreaterThan(runs[2]!);
    expect(planRun({ ...none, only: ['gcn-pubmed'] }, undefined, { dataRoot: null }).notices[0]).toMatch(
      /^gcn-pubmed skipped: pubmed data/,
    );
  });

  it('--only selects by name or prefix, and --impl by id or prefix', () => {
    const plan = planRun({ ...none, only: ['gemm-64x512x1024', 'lstm-B'], impls: ['tensorloom-wasm', 'pytorch-1t'] }, undefined, {
      dataRoot,
    });
    expect(plan.workloads.map((w) => w.name)).toEqual([
      'gemm-64x512x1024-NN',
      'gemm-64x512x1024-NT',
      'gemm-64x512x1024-TN',
      'gemm-64x512x1024-TT',
      'lstm-B',
    ]);
    expect(plan.configs.map((c) => c.id)).toEqual(['tensorloom-wasm-1t', 'tensorloom-wasm-2t', 'pytorch-1t']);
  });

  it('throws UsageError for selectors that match nothing', () => {
    expect(() => planRun({ ...none, only: ['conv2d'] })).toThrow(UsageError);
    expect(() => planRun({ ...none, impls: ['jax'] })).toThrow(UsageError);
  });

  it('skips the Cora workloads with a notice when the data is missing, and runs the rest', () => {
    for (const missingRoot of [null, path.join(dataRoot, 'nowhere')]) {
      const plan = planRun({ ...none, only: ['gcn-cora', 'gat', 'lstm-A'] }, undefined, { dataRoot: missingRoot });
      expect(plan.workloads.map((w) => w.name)).toEqual(['lstm-A']);
      expect(plan.notices).toHaveLength(4);
      expect(plan.notices[0]).toMatch(/^gcn-cora skipped: cora data not found/);
      expect(plan.notices[1]).toMatch(/^gat-cora skipped: cora data not found/);
      expect(plan.notices[2]).toMatch(/^gcn-cora-sparse skipped: cora data not found/);
    }
  });

  it('runs the forecasting workload on tensorloom and PyTorch only, with the data root, and skips it without its signal file', () => {
    const plan = planRun({ ...none, only: ['gconv-gru-chickenpox'] }, undefined, { dataRoot });
    expect(plan.workloads).toEqual([GCONV_GRU_CHICKENPOX]);
    const jobs = jobsOf(plan, { quick: false });
    expect(jobs.map((j) => [j.config.id, j.dataRoot])).toEqual([
      ['tensorloom-js', dataRoot],
      ['tensorloom-wasm-1t', dataRoot],
      ['tensorloom-wasm-2t', dataRoot],
      ['pytorch-1t', dataRoot],
      ['pytorch-2t', dataRoot],
    ]);
    const missing = planRun({ ...none, only: ['gconv-gru'] }, undefined, { dataRoot: path.join(dataRoot, 'nowhere') });
    expect(missing.workloads).toEqual([]);
    expect(missing.notices).toEqual([expect.stringMatching(/^gconv-gru-chickenpox skipped: temporal\/chickenpox.json not found/)]);
  });

  it('takes a replacement catalogue', () => {
    const tiny = gemmWorkload({ m: 8, k: 8, n: 8, variant: 'TT' });
    expect(planRun({ ...none, only: ['gemm'] }, [tiny]).workloads).toEqual([tiny]);
  });
});

describe('jobsOf', () => {
  it('orders jobs workload by workload and gives brain.js char-LSTM config A only', () => {
    const plan = planRun({ ...none, only: ['gemm-64x192x512-NN', 'lstm', 'gcn-cora'], impls: ['tensorloom-js', 'brainjs'] }, undefined, {
      dataRoot,
    });
    const jobs = jobsOf(plan, { quick: false });
    expect(jobs.map((j) => `${j.workload!.name}/${j.config.id}`)).toEqual([
      'gemm-64x192x512-NN/tensorloom-js',
      'lstm-A/tensorloom-js',
      'lstm-A/brainjs',
      'lstm-B/tensorloom-js',
      'gcn-cora/tensorloom-js',
      'gcn-cora-sparse/tensorloom-js',
    ]);
  });

  it('hands the data root to the jobs of dataset workloads only', () => {
    const plan = planRun({ ...none, only: ['lstm-A', 'gcn-cora', 'gat-cora'], impls: ['tfjs-wasm', 'pytorch-2t'] }, undefined, {
      dataRoot,
    });
    const jobs = jobsOf(plan, { quick: false });
    expect(jobs.map((j) => [j.workload!.name, j.config.id, j.dataRoot])).toEqual([
      ['lstm-A', 'tfjs-wasm', undefined],
      ['lstm-A', 'pytorch-2t', undefined],
      ['gcn-cora', 'tfjs-wasm', dataRoot],
      ['gcn-cora', 'pytorch-2t', dataRoot],
      ['gat-cora', 'tfjs-wasm', dataRoot],
      ['gat-cora', 'pytorch-2t', dataRoot],
      ['gcn-cora-sparse', 'tfjs-wasm', dataRoot],
      ['gcn-cora-sparse', 'pytorch-2t', dataRoot],
      ['gat-cora-sparse', 'tfjs-wasm', dataRoot],
      ['gat-cora-sparse', 'pytorch-2t', dataRoot],
    ]);
    expect(jobs.every((j) => !('dataRoot' in j) || j.workload!.kind === 'gnn')).toBe(true);
  });
});

describe('timingFor', () => {
  it('times less with --quick and takes the budget from --max-seconds', () => {
    const gemm = gemmWorkload({ m: 64, k: 64, n: 64, variant: 'NN' });
    expect(timingFor(gemm, { quick: true }).minSeconds).toBeLessThan(timingFor(gemm, { quick: false }).minSeconds);
    expect(timingFor(CHAR_LSTM_A, { quick: true }).budgetSeconds).toBe(30);
    expect(timingFor(CHAR_LSTM_B, { quick: false }).budgetSeconds).toBe(300);
    expect(timingFor(CHAR_LSTM_B, { quick: false, maxSeconds: 42 }).budgetSeconds).toBe(42);
  });

  it('times forecasting epochs (hundreds of snapshots each) over fewer runs than GNN epochs', () => {
    expect(timingFor(GCONV_GRU_CHICKENPOX, { quick: false }).maxRuns).toBeLessThan(timingFor(GCN_CORA, { quick: false }).maxRuns);
    expect(timingFor(GCONV_GRU_CHICKENPOX, { quick: true }).minSeconds).toBeLessThan(
      timingFor(GCONV_GRU_CHICKENPOX, { quick: false }).minSeconds,
    );
  });

  it('times GNN epochs over more runs than training steps', () => {
    expect(timingFor(GCN_CORA, { quick: false }).minRuns).toBeGreaterThan(timingFor(CHAR_LSTM_A, { quick: false }).minRuns);
    expect(timingFor(GCN_CORA, { quick: true }).minSeconds).toBeLessThan(timingFor(GCN_CORA, { quick: false }).minSeconds);
  });
});
