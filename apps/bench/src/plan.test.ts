import { describe, expect, it } from 'vitest';
import { UsageError } from './cli-args.js';
import { jobsOf, planRun, timingFor } from './plan.js';
import { CHAR_LSTM_A, CHAR_LSTM_B, gemmWorkload } from './workloads.js';

const none = { quick: false, only: [], impls: [] };

describe('planRun', () => {
  it('runs all 16 GEMMs and both char-LSTM configs by default, on every implementation', () => {
    const plan = planRun(none);
    expect(plan.workloads.map((w) => w.name)).toHaveLength(18);
    expect(plan.workloads.filter((w) => w.kind === 'gemm')).toHaveLength(16);
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
  });

  it('--quick runs the 128x1280x4096 GEMMs and config A', () => {
    const names = planRun({ ...none, quick: true }).workloads.map((w) => w.name);
    expect(names).toEqual(['gemm-128x1280x4096-NN', 'gemm-128x1280x4096-NT', 'gemm-128x1280x4096-TN', 'gemm-128x1280x4096-TT', 'lstm-A']);
  });

  it('--only selects by name or prefix, and --impl by id or prefix', () => {
    const plan = planRun({ ...none, only: ['gemm-64x512x1024', 'lstm-B'], impls: ['tensorloom-wasm', 'pytorch-1t'] });
    expect(plan.workloads.map((w) => w.name)).toEqual(['gemm-64x512x1024-NN', 'gemm-64x512x1024-NT', 'gemm-64x512x1024-TN', 'gemm-64x512x1024-TT', 'lstm-B']);
    expect(plan.configs.map((c) => c.id)).toEqual(['tensorloom-wasm-1t', 'tensorloom-wasm-2t', 'pytorch-1t']);
  });

  it('throws UsageError for selectors that match nothing', () => {
    expect(() => planRun({ ...none, only: ['conv2d'] })).toThrow(UsageError);
    expect(() => planRun({ ...none, impls: ['jax'] })).toThrow(UsageError);
  });

  it('turns the planned GNN workloads into notices instead of errors', () => {
    const plan = planRun({ ...none, only: ['gcn-cora', 'lstm-A'] });
    expect(plan.workloads.map((w) => w.name)).toEqual(['lstm-A']);
    expect(plan.notices).toHaveLength(1);
    expect(plan.notices[0]).toContain('gcn-cora');
  });

  it('takes a replacement catalogue', () => {
    const tiny = gemmWorkload({ m: 8, k: 8, n: 8, variant: 'TT' });
    expect(planRun({ ...none, only: ['gemm'] }, [tiny]).workloads).toEqual([tiny]);
  });
});

describe('jobsOf', () => {
  it('orders jobs workload by workload and gives brain.js char-LSTM config A only', () => {
    const plan = planRun({ ...none, only: ['gemm-64x192x512-NN', 'lstm'], impls: ['tensorloom-js', 'brainjs'] });
    const jobs = jobsOf(plan, { quick: false });
    expect(jobs.map((j) => `${j.workload!.name}/${j.config.id}`)).toEqual([
      'gemm-64x192x512-NN/tensorloom-js',
      'lstm-A/tensorloom-js',
      'lstm-A/brainjs',
      'lstm-B/tensorloom-js',
    ]);
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
});
