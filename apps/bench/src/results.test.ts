import { describe, expect, it } from 'vitest';
import { benchFileJson } from './output.js';
import type { BenchEntry, BenchHeader } from './results.js';
import { validateBenchFile } from './results.js';

const header: BenchHeader = {
  kind: 'header',
  date: '2026-11-26T00:00:00.000Z',
  command: 'pnpm bench --quick',
  quick: true,
  machine: { cpu: 'test cpu', cores: 2, memoryGiB: 24, platform: 'Linux', node: 'v20.20.2', loadAverage: [0, 0, 0] },
  versions: { '@tensorloom/core-tensor': '0.0.0' },
  notices: [],
  seconds: 1,
};

const ok: BenchEntry = {
  kind: 'result',
  workload: 'gemm-64x64x64-NN',
  impl: 'tensorloom',
  implId: 'tensorloom-js',
  backend: 'js',
  threads: 1,
  value: 3.2,
  unit: 'GFLOP/s',
  peakRssMiB: 90,
  baselineRssMiB: 80,
  status: 'ok',
};

describe('validateBenchFile', () => {
  it('accepts a header followed by entries, and survives a JSON round trip', () => {
    const timeout: BenchEntry = {
      ...ok,
      implId: 'tfjs-cpu',
      impl: 'tfjs',
      backend: 'cpu',
      value: null,
      peakRssMiB: null,
      status: 'timeout',
      upperBound: 1,
    };
    const epochs: BenchEntry = { ...ok, workload: 'gcn-cora', unit: 'epochs/s', value: 120 };
    expect(validateBenchFile(JSON.parse(benchFileJson(header, [ok, timeout, epochs])))).toEqual([]);
    expect(validateBenchFile([header])).toEqual([]);
  });

  it('names what is wrong', () => {
    expect(validateBenchFile({})).toEqual(['not a non-empty array']);
    expect(validateBenchFile([ok])).toContain('element 0 is not the header');
    expect(validateBenchFile([{ ...header, date: 'yesterday' }])).toContain('header.date is not a date');
    const problems = validateBenchFile([
      header,
      { ...ok, threads: 0, unit: 'flops', impl: 'jax' },
      { ...ok, value: null },
      { ...ok, peakRssMiB: 'a lot' },
    ]);
    expect(problems).toEqual([
      'entry 1: impl',
      'entry 1: threads',
      'entry 1: unit',
      'entry 2: an ok entry needs a positive value',
      'entry 3: peakRssMiB',
    ]);
  });
});
