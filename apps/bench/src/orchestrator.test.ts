import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from './cli-args.js';
import { IMPLS } from './impls.js';
import { entryOf, runBench, skipOf } from './orchestrator.js';
import { writeResults } from './output.js';
import { formatReport, parseReport, type Job } from './protocol.js';
import { validateBenchFile } from './results.js';
import { TINY_GAT, TINY_GCN, writeTinyPlanetoid } from './tiny-planetoid.js';
import { gemmWorkload, type CharLSTMSpec } from './workloads.js';

const tinyLstm: CharLSTMSpec = { kind: 'char-lstm', name: 'lstm-tiny', vocab: 12, embedding: 8, hidden: 16, layers: 1, batch: 4, seq: 6 };
const tinyGemm = gemmWorkload({ m: 64, k: 64, n: 64, variant: 'NN' });
const tinyGemmTN = gemmWorkload({ m: 64, k: 64, n: 64, variant: 'TN' });

describe('the child report line', () => {
  it('is found among other output, the last one winning', () => {
    const first = formatReport({ status: 'failed', error: 'first' });
    const last = formatReport({ status: 'unavailable', reason: 'no torch' });
    expect(parseReport(`hello\n${first}\nnoise\n${last}\n`)).toEqual({ status: 'unavailable', reason: 'no torch' });
    expect(parseReport('no report here')).toBeUndefined();
    expect(parseReport('@@tensorloom-bench {broken')).toBeUndefined();
  });
});

describe('entryOf', () => {
  const config = IMPLS.find((c) => c.id === 'tfjs-cpu')!;
  const job: Job & { workload: CharLSTMSpec } = {
    workload: tinyLstm,
    config,
    timing: { warmup: 1, minRuns: 1, maxRuns: 1, minSeconds: 0, budgetSeconds: 10 },
  };

  it('bounds the value of a killed child by the work of one run over the time it had', () => {
    const entry = entryOf(job, { report: undefined, timedOut: true, exitCode: null, seconds: 45 }, 45);
    expect(entry).toMatchObject({ status: 'timeout', value: null, upperBound: (4 * 6) / 30 });
  });

  it('records a failure with its first error line, and nothing for an unavailable implementation', () => {
    const failed = entryOf(
      job,
      { report: { status: 'failed', error: 'Error: boom\n  at x', peakRssMiB: 50 }, timedOut: false, exitCode: 0, seconds: 1 },
      45,
    );
    expect(failed).toMatchObject({ status: 'failed', value: null, note: 'Error: boom', peakRssMiB: 50 });
    expect(entryOf(job, { report: { status: 'unavailable', reason: 'no' }, timedOut: false, exitCode: 0, seconds: 1 }, 45)).toBeUndefined();
  });
});

describe('skipOf', () => {
  const config = IMPLS.find((c) => c.id === 'tfjs-wasm')!;
  const job = { workload: TINY_GAT, config, timing: { warmup: 1, minRuns: 1, maxRuns: 1, minSeconds: 0, budgetSeconds: 10 } };

  it('skips only the job when the implementation lacks what this workload needs', () => {
    const skip = skipOf(job, { status: 'unavailable', reason: 'no UnsortedSegmentSum kernel', scope: 'workload' });
    expect(skip).toEqual({
      column: false,
      reason: 'no UnsortedSegmentSum kernel',
      notice: 'gat-tiny × tfjs-wasm skipped: no UnsortedSegmentSum kernel',
    });
  });

  it('skips the column when the implementation does not load', () => {
    expect(skipOf(job, { status: 'unavailable', reason: 'no wasm' })).toMatchObject({
      column: true,
      notice: 'tfjs-wasm skipped from gat-tiny on: no wasm',
    });
    expect(skipOf(job, undefined)).toMatchObject({ column: true, reason: 'unavailable' });
  });
});

describe('runBench end to end (js backend only)', () => {
  it('measures a 64³ GEMM and a tiny char-LSTM in child processes and writes valid results', async () => {
    const lines: string[] = [];
    const options = parseBenchArgs(['--impl', 'tensorloom-js']);
    const run = await runBench(options, ['--impl', 'tensorloom-js'], {
      log: (line) => lines.push(line),
      catalogue: [tinyGemm, tinyGemmTN, tinyLstm],
      timing: { warmup: 1, minRuns: 2, maxRuns: 2, minSeconds: 0, budgetSeconds: 60 },
    });
    expect(run.entries.map((e) => [e.workload, e.implId, e.status, e.unit])).toEqual([
      ['gemm-64x64x64-NN', 'tensorloom-js', 'ok', 'GFLOP/s'],
      ['gemm-64x64x64-TN', 'tensorloom-js', 'ok', 'GFLOP/s'],
      ['lstm-tiny', 'tensorloom-js', 'ok', 'chars/s'],
    ]);
    for (const entry of run.entries) {
      expect(entry.value).toBeGreaterThan(0);
      expect(entry.runs).toBe(2);
      expect(entry.peakRssMiB).toBeGreaterThanOrEqual(entry.baselineRssMiB!);
    }
    expect(run.header.versions['@tensorloom/core-tensor']).toBeTypeOf('string');
    expect(lines.some((line) => line.startsWith('[3/3] lstm-tiny × tensorloom-js'))).toBe(true);

    const dir = await mkdtemp(path.join(os.tmpdir(), 'tensorloom-bench-'));
    try {
      const written = await writeResults(dir, run.header, run.entries);
      expect(validateBenchFile(JSON.parse(await readFile(written.json, 'utf8')))).toEqual([]);
      expect(await readFile(written.markdown, 'utf8')).toContain('| lstm-tiny | chars/s |');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('trains GCN and GAT epochs on a dataset under the data root, and skips them with a notice without it', async () => {
    const dataRoot = await writeTinyPlanetoid(await mkdtemp(path.join(os.tmpdir(), 'tensorloom-bench-gnn-')));
    const timing = { warmup: 1, minRuns: 2, maxRuns: 2, minSeconds: 0, budgetSeconds: 60 };
    try {
      const options = parseBenchArgs(['--impl', 'tensorloom-js']);
      const run = await runBench(options, [], { log: () => undefined, catalogue: [TINY_GCN, TINY_GAT], timing, dataRoot });
      expect(run.entries.map((e) => [e.workload, e.status, e.unit])).toEqual([
        ['gcn-tiny', 'ok', 'epochs/s'],
        ['gat-tiny', 'ok', 'epochs/s'],
      ]);
      expect(run.entries.every((e) => e.value! > 0 && e.bestMs! > 0)).toBe(true);
      expect(run.header.versions['@tensorloom/gnn']).toBeTypeOf('string');

      const without = await runBench(options, [], { log: () => undefined, catalogue: [TINY_GCN, tinyGemm], timing, dataRoot: null });
      expect(without.entries.map((e) => e.workload)).toEqual(['gemm-64x64x64-NN']);
      expect(without.header.notices).toEqual([expect.stringMatching(/^gcn-tiny skipped: tiny data not found: no data root/)]);
    } finally {
      await rm(dataRoot, { recursive: true, force: true });
    }
  });
});
